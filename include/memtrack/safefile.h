/* A file written safely: the one way memtrack creates an output file (a
 * dump, a process log, an HTML report).
 *
 * The data goes to a temporary file beside the target, `PATH.tmp.RANDOM`,
 * created exclusively (O_EXCL | O_NOFOLLOW: never through a planted link,
 * never over an existing file) with mode 0600 whatever the umask (a dump
 * holds a preview of every string of the process, a log its command
 * line).  The temporary file then takes the target's name in one rename:
 * an error, a full disk or a signal leaves the target as it was and no
 * half-written file.  The target may be absent or a regular file; a
 * directory, a symbolic link, a FIFO, a socket or a device is refused,
 * before anything is written and again just before the rename.
 *
 * Every step names files relative to an open descriptor of the target's
 * directory, so a directory renamed meanwhile cannot redirect the file.
 * Nothing here prints or exits; errors are MT_IO with the errno in
 * err->sys_errno and the file named in err->detail.
 */
#ifndef MEMTRACK_SAFEFILE_H
#define MEMTRACK_SAFEFILE_H

#include <stdbool.h>

#include "memtrack/error.h"

typedef struct mt_safefile {
	int fd;		      /* the temporary file (or, after
				 mt_safefile_rename, the target), or -1 */
	int dirfd;	      /* the target's directory, or -1 */
	char *path;	      /* the target, as given */
	const char *base;     /* its last component (in path) */
	char *tmp_path;	      /* the temporary file: path + ".tmp." + random */
	const char *tmp_name; /* its last component (in tmp_path) */
	const char *what;     /* "a dump": for messages */
	bool target_absent;   /* no target when the file was opened */
	bool created;	      /* the temporary file exists under tmp_name */
} mt_safefile;

/* Whether path may be written as `what` (e.g. "a dump", for the message
 * "... (a dump replaces only a regular file)"): absent or a regular file
 * in a directory that exists. */
mt_status mt_safefile_check(const char *path, const char *what, mt_err *err);

/* Whether a file of ours that starts with magic[0..n) may replace path,
 * for files memtrack writes beside a dump (a saved index, a start
 * screen): MT_OK when path is absent or a regular file that starts with
 * the magic; a symbolic link or any other file is left alone (MT_MAGIC,
 * "PATH: a symbolic link, left alone", "PATH: not WHAT, left alone");
 * MT_IO when it cannot be opened. */
mt_status mt_safefile_ours(const char *path, const void *magic, size_t n,
			   const char *what, mt_err *err);

/* Checks the target and creates the temporary file, open for writing
 * (flags: more open(2) flags, such as O_APPEND).  On failure *f holds
 * nothing to release. */
mt_status mt_safefile_open(mt_safefile *f, const char *path, const char *what,
			   int flags, mt_err *err);

/* Writes n bytes at the file's position (EINTR and short writes retried). */
mt_status mt_safefile_write(mt_safefile *f, const void *p, size_t n,
			    mt_err *err);

/* The temporary file takes the target's name (checked again first); f->fd
 * stays open on it.  For a file that keeps growing after it appears (a
 * log); then mt_safefile_release. */
mt_status mt_safefile_rename(mt_safefile *f, mt_err *err);

/* The usual end: fsync, close, rename onto the target, fsync the
 * directory; *f is released, whatever the result (on failure the
 * temporary file is removed). */
mt_status mt_safefile_commit(mt_safefile *f, mt_err *err);

/* Gives up: closes and removes the temporary file (not a renamed one) and
 * releases *f.  Keeps errno. */
void mt_safefile_abort(mt_safefile *f);

/* Releases *f after mt_safefile_rename: closes the directory, frees the
 * names; f->fd is the caller's if it set it to -1 first, else closed. */
void mt_safefile_release(mt_safefile *f);

#endif
