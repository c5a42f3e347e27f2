/* Streaming dump writer.
 *
 * Owns one output file while a dump is written.  Records go through a fixed
 * 1 MiB buffer to a temporary file beside the target,
 * `<path>.tmp.<12 random letters and digits>`, created exclusively
 * (O_EXCL|O_NOFOLLOW: never through a planted link, never over an existing
 * file) with mode 0600 whatever the umask: a dump holds a preview of every
 * string of the process.  mt_writer_finish writes the END record (counts
 * and checksum), fsyncs, renames the temporary file onto the target and
 * fsyncs the directory; mt_writer_abort (or any failed call followed by
 * mt_writer_abort) unlinks it.  So a failure, a full disk or an interrupted
 * capture never leaves a file under the target name.  The dump is a new
 * file: it has mode 0600 and the writer's owner even when it replaces a
 * dump that had others.
 *
 * Targets: the target must be absent or a regular file.  A directory, a
 * symbolic link (not followed: even one to a regular file), a device, a FIFO
 * or a socket is refused when the writer is created and again just before
 * the rename (it may have changed during the dump); renaming onto an absent
 * target uses RENAME_NOREPLACE where the file system has it.
 *
 * System errors: when a call fails with MT_IO, err->sys_errno is the errno
 * of the cause (ENOSPC, EFBIG, ENOENT...; EISDIR for a directory target,
 * ELOOP for a symbolic link, EEXIST for the other refused kinds).
 *
 * Memory: the buffer plus the name-interning table (one entry per distinct
 * attribute/local/root name), independent of the number of objects; 4
 * buffers (4 MiB) once the output thread runs.
 *
 * Threads: once the first 1 MiB buffer is full, a second thread checksums
 * and writes the full buffers while the caller encodes the next ones, and
 * a third makes what is written durable meanwhile (fdatasync every 8 MiB
 * or more, then the synced pages dropped from the page cache), so the
 * final fsync waits only for the last few MiB (both off with
 * mt_writer_set_thread).  They run no Python code and receive no
 * asynchronous signal; a write or sync error they meet is returned by the
 * caller's next call (or by mt_writer_finish) exactly as if the caller had
 * written; mt_writer_finish and mt_writer_abort join them.  The file's
 * bytes are the same with or without them.  A writer is used from one
 * thread at a time.
 *
 * The writer assigns nothing: the caller gives absolute object ids and the
 * writer encodes them relative to its running counter `hi` (dump.h).  Object
 * records must be written in id order; a reference to an id above hi, or an
 * object record out of order, is a caller bug reported as MT_ARG.
 */
#ifndef MEMTRACK_WRITER_H
#define MEMTRACK_WRITER_H

#include <stdbool.h>

#include "memtrack/dump.h"
#include "memtrack/error.h"

typedef struct mt_writer mt_writer;

/* Checks the target as mt_writer_new does (its directory can be opened;
 * absent or a regular file), without creating anything: for callers that
 * want to fail before a long preparation. */
mt_status mt_writer_check_target(const char *path, mt_err *err);

/* Checks the target, creates the temporary file and a writer; *out is set
 * on MT_OK.  Caller frees with mt_writer_finish or mt_writer_abort. */
mt_status mt_writer_new(mt_writer **out, const char *path, mt_err *err);

/* Whether a second thread writes the output and a third syncs it (default
 * true).  Call before
 * the first 1 MiB is written; later calls change nothing. */
void mt_writer_set_thread(mt_writer *w, bool on);

/* The temporary file's path (the target's directory as given + its name),
 * e.g. for a signal handler that must remove it; valid until w is freed. */
const char *mt_writer_tmp_path(const mt_writer *w);

/* Writes magic, version and the header map.  Strings in hdr are borrowed for
 * the duration of the call.  Must be the first write. */
mt_status mt_writer_header(mt_writer *w, const mt_header *hdr, mt_err *err);

/* Interns a name (attribute, local variable, root edge ...) and returns its
 * index in *index, writing a NAME record the first time a name is seen.
 * s need not be NUL-terminated; it is copied. */
mt_status mt_writer_name(mt_writer *w, const char *s, size_t n, uint32_t *index,
			 mt_err *err);

/* Writes the ROOTS record.  At most once, before the first object. */
mt_status mt_writer_roots(mt_writer *w, const mt_edge *edges, size_t n,
			  mt_err *err);

/* Writes object number `id` (must be the next id in order) with its type,
 * fields and edges.  Strings in o->value are borrowed for the call. */
mt_status mt_writer_object(mt_writer *w, uint32_t id, const mt_obj *o,
			   const mt_edge *edges, size_t n, mt_err *err);

/* Writes a WARNING record: one line of UTF-8 text (s[0..n), copied) about
 * something the capture could not do (a plugin it disabled...).  Any time
 * after the header, before mt_writer_finish. */
mt_status mt_writer_warning(mt_writer *w, const char *s, size_t n, mt_err *err);

/* Writes the MARK record (dump.h, doc/format.md): bit i of bits (byte
 * i / 8, bit i % 8) says object i existed at memtrack.mark().  After the
 * last object (nbits must be the number written, and no object may follow),
 * at most once; the header must have mark_time != 0 (the reader checks). */
mt_status mt_writer_mark(mt_writer *w, const uint8_t *bits, uint64_t nbits,
			 mt_err *err);

/* Writes the SITES record (dump.h, doc/format.md): the allocation site of
 * every object, as tracemalloc recorded it.  files[0..nfiles) (file_lens
 * bytes each, copied) are the file names; site k (1..nsites) is line
 * site_line[k-1] of file site_file[k-1]; obj_site[i] is object i's site,
 * 0 for none.  After the last object (nobjects must be the number
 * written, and no object may follow), at most once. */
mt_status mt_writer_sites(mt_writer *w, const char *const *files,
			  const uint32_t *file_lens, uint32_t nfiles,
			  const uint32_t *site_file, const uint32_t *site_line,
			  uint32_t nsites, const uint32_t *obj_site,
			  uint64_t nobjects, mt_err *err);

/* Counters so far. */
uint64_t mt_writer_objects(const mt_writer *w);
uint64_t mt_writer_edges(const mt_writer *w);
uint64_t mt_writer_bytes(const mt_writer *w);

/* Writes the END record (reachable = number of objects, counted from id 0,
 * that the root reaches), flushes, fsyncs, checks the target again, renames
 * onto it, fsyncs the directory and frees w.  On failure the temporary file
 * is removed and w is freed all the same. */
mt_status mt_writer_finish(mt_writer *w, uint64_t reachable, mt_err *err);

/* Removes the temporary file and frees w.  w may be NULL.  Keeps errno. */
void mt_writer_abort(mt_writer *w);

#endif
