/* A file written safely (safefile.h): a private temporary file beside the
 * target, renamed onto it.  Used by the dump writer (writer.c), the
 * process log (src/capture/proclog.c) and the HTML report (report.c). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "memtrack/safefile.h"
#include "memtrack/util.h"

#define TMP_INFIX ".tmp."
#define TMP_RANDOM 12

/* IO failure with the errno that caused it. */
static mt_status io_err(mt_err *err, int e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static mt_status io_err(mt_err *err, int e, const char *fmt, ...)
{
	char detail[sizeof err->detail];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	mt_err_set(err, MT_IO, MT_NO_OFFSET, MT_NO_OFFSET, "%s", detail);
	if (err)
		err->sys_errno = e;
	return MT_IO;
}

/* What a non-regular file is, for messages. */
static const char *file_kind(mode_t m)
{
	return S_ISDIR(m)    ? "a directory"
	       : S_ISLNK(m)  ? "a symbolic link"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISFIFO(m) ? "a FIFO"
	       : S_ISSOCK(m) ? "a socket"
			     : "not a regular file";
}

/* Checks the target `base` in dirfd: absent (*absent = true) or a regular
 * file is fine; anything else is refused with an errno that says why
 * (EISDIR, ELOOP for a symbolic link, EEXIST for the other kinds).  The
 * check does not follow a symbolic link: renaming onto one replaces the
 * link, which is not what its owner meant either. */
static mt_status check_target(int dirfd, const char *base, const char *path,
			      const char *what, bool *absent, mt_err *err)
{
	struct stat st;
	*absent = false;
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return io_err(err, EISDIR, "refusing to write %s: it is %s",
			      path, "a directory");
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT) {
			*absent = true;
			return MT_OK;
		}
		return io_err(err, errno, "cannot check %s: %s", path,
			      strerror(errno));
	}
	if (S_ISREG(st.st_mode))
		return MT_OK;
	int e = S_ISDIR(st.st_mode)   ? EISDIR
		: S_ISLNK(st.st_mode) ? ELOOP
				      : EEXIST;
	return io_err(err, e,
		      "refusing to replace %s: it is %s (%s replaces only "
		      "a regular file)",
		      path, file_kind(st.st_mode), what);
}

/* Opens the directory of path; *base points into path at the last
 * component.  Returns the descriptor, or -1 with errno set. */
static int open_dir(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		*base = path;
		return open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	*base = slash + 1;
	size_t n = slash == path ? 1 : (size_t)(slash - path);
	char *dir = malloc(n + 1);
	if (!dir) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int e = errno;
	free(dir);
	errno = e;
	return fd;
}

mt_status mt_safefile_ours(const char *path, const void *magic, size_t n,
			   const char *what, mt_err *err)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT)
			return MT_OK;
		if (e == ELOOP)
			return mt_err_set(err, MT_MAGIC, MT_NO_OFFSET,
					  MT_NO_OFFSET,
					  "%s: a symbolic link, left alone",
					  path);
		mt_status st = mt_err_set(err, MT_IO, MT_NO_OFFSET,
					  MT_NO_OFFSET, "%s: open: %s", path,
					  strerror(e));
		if (err)
			err->sys_errno = e;
		return st;
	}
	char buf[64];
	struct stat sb;
	ssize_t got = -1;
	if (n <= sizeof buf && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
		got = pread(fd, buf, n, 0);
	close(fd);
	if (got != (ssize_t)n || memcmp(buf, magic, n))
		return mt_err_set(err, MT_MAGIC, MT_NO_OFFSET, MT_NO_OFFSET,
				  "%s: not %s, left alone", path, what);
	return MT_OK;
}

mt_status mt_safefile_check(const char *path, const char *what, mt_err *err)
{
	if (!path || !*path)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "empty output path");
	const char *base;
	int dirfd = open_dir(path, &base);
	if (dirfd < 0)
		return io_err(err, errno, "cannot create %s: %s", path,
			      strerror(errno));
	bool absent;
	mt_status st = check_target(dirfd, base, path, what, &absent, err);
	close(dirfd);
	return st;
}

/* Fills name[0..n) with random letters and digits: from getrandom(), or,
 * if the kernel gives none, from a mix of the clock, the pid and a counter
 * (the file is created with O_EXCL all the same: randomness makes the name
 * unpredictable, never the creation unsafe). */
static void random_suffix(char *name, size_t n)
{
	static const char digits[] = "abcdefghijklmnopqrstuvwxyz"
				     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	static unsigned counter;
	uint8_t rnd[32];
	if (n > sizeof rnd)
		n = sizeof rnd;
	if (getrandom(rnd, n, GRND_NONBLOCK) != (ssize_t)n) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
			     ((uint64_t)getpid() << 16) ^ ++counter;
		for (size_t i = 0; i < n; i++) {
			x += 0x9e3779b97f4a7c15ULL; /* splitmix64 */
			uint64_t z = x;
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
			rnd[i] = (uint8_t)(z ^ (z >> 31));
		}
	}
	for (size_t i = 0; i < n; i++)
		name[i] = digits[rnd[i] % (sizeof digits - 1)];
}

void mt_safefile_release(mt_safefile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->dirfd >= 0)
		close(f->dirfd);
	free(f->path);
	free(f->tmp_path);
	f->fd = f->dirfd = -1;
	f->path = f->tmp_path = NULL;
	f->base = f->tmp_name = NULL;
	f->created = false;
}

mt_status mt_safefile_open(mt_safefile *f, const char *path, const char *what,
			   int flags, mt_err *err)
{
	memset(f, 0, sizeof *f);
	f->fd = f->dirfd = -1;
	f->what = what;
	if (!path || !*path)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "empty output path");
	size_t plen = strlen(path);
	f->path = malloc(plen + 1);
	f->tmp_path = malloc(plen + sizeof TMP_INFIX + TMP_RANDOM);
	if (!f->path || !f->tmp_path) {
		mt_safefile_release(f);
		return mt_nomem(err);
	}
	memcpy(f->path, path, plen + 1);
	f->dirfd = open_dir(f->path, &f->base);
	if (f->dirfd < 0) {
		io_err(err, errno, "cannot create %s: %s", path,
		       strerror(errno));
		mt_safefile_release(f);
		return MT_IO;
	}
	mt_status st = check_target(f->dirfd, f->base, path, what,
				    &f->target_absent, err);
	if (st) {
		mt_safefile_release(f);
		return st;
	}
	memcpy(f->tmp_path, path, plen);
	memcpy(f->tmp_path + plen, TMP_INFIX, sizeof TMP_INFIX - 1);
	char *rnd = f->tmp_path + plen + sizeof TMP_INFIX - 1;
	rnd[TMP_RANDOM] = '\0';
	f->tmp_name = f->tmp_path + (f->base - f->path);
	for (int tries = 0; f->fd < 0; tries++) {
		random_suffix(rnd, TMP_RANDOM);
		f->fd = openat(f->dirfd, f->tmp_name,
			       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				   O_CLOEXEC | flags,
			       0600);
		if (f->fd < 0 && (errno != EEXIST || tries == 100)) {
			io_err(err, errno, "cannot create %s: %s", f->tmp_path,
			       strerror(errno));
			mt_safefile_release(f);
			return MT_IO;
		}
	}
	f->created = true;
	/* the umask may have taken the owner's bits too */
	(void)fchmod(f->fd, 0600);
	return MT_OK;
}

mt_status mt_safefile_write(mt_safefile *f, const void *p, size_t n,
			    mt_err *err)
{
	const char *b = p;
	while (n) {
		ssize_t k = write(f->fd, b, n);
		if (k <= 0) {
			/* 0 for a non-empty write means no space */
			int e = k == 0 ? ENOSPC : errno;
			if (e == EINTR)
				continue;
			return io_err(err, e, "writing %s: %s", f->tmp_path,
				      strerror(e));
		}
		b += k;
		n -= (size_t)k;
	}
	return MT_OK;
}

/* The temporary file takes the target's name.  rename() never follows a
 * symbolic link at the target (it would replace the link) and never puts
 * a file over a directory; the target is checked again here because it may
 * have changed since it was opened.  When there was no target,
 * RENAME_NOREPLACE makes "still absent" and the rename one atomic step.
 * What remains between a check and renameat() is a race only with someone
 * who can replace entries in that directory anyway. */
mt_status mt_safefile_rename(mt_safefile *f, mt_err *err)
{
#ifdef RENAME_NOREPLACE
	if (f->target_absent) {
		if (renameat2(f->dirfd, f->tmp_name, f->dirfd, f->base,
			      RENAME_NOREPLACE) == 0)
			goto renamed;
		/* EEXIST: it appeared meanwhile; EINVAL, ENOSYS: not
		 * supported here.  Check it as any other target. */
		if (errno != EEXIST && errno != EINVAL && errno != ENOSYS)
			return io_err(err, errno, "renaming %s: %s",
				      f->tmp_path, strerror(errno));
	}
#endif
	bool absent;
	mt_status st =
	    check_target(f->dirfd, f->base, f->path, f->what, &absent, err);
	if (st)
		return st;
	if (renameat(f->dirfd, f->tmp_name, f->dirfd, f->base) != 0)
		return io_err(err, errno, "renaming %s: %s", f->tmp_path,
			      strerror(errno));
#ifdef RENAME_NOREPLACE
renamed:
#endif
	f->created = false;
	/* make the rename durable too; the file is in place already, so a
	 * failure here (a file system that cannot sync a directory) is not
	 * reported */
	(void)fsync(f->dirfd);
	return MT_OK;
}

mt_status mt_safefile_commit(mt_safefile *f, mt_err *err)
{
	mt_status s;
	if (fsync(f->fd) != 0 && errno != EINVAL) {
		s = io_err(err, errno, "syncing %s: %s", f->tmp_path,
			   strerror(errno));
		goto abort;
	}
	int fd = f->fd;
	f->fd = -1;
	/* Linux closes the descriptor even when close() fails with EINTR,
	 * and the data is synced already */
	if (close(fd) != 0 && errno != EINTR) {
		s = io_err(err, errno, "closing %s: %s", f->tmp_path,
			   strerror(errno));
		goto abort;
	}
	if ((s = mt_safefile_rename(f, err)) != MT_OK)
		goto abort;
	mt_safefile_release(f);
	return MT_OK;
abort:
	mt_safefile_abort(f);
	return s;
}

void mt_safefile_abort(mt_safefile *f)
{
	int e = errno; /* keep the cause of the failure for the caller */
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->created && f->dirfd >= 0)
		unlinkat(f->dirfd, f->tmp_name, 0);
	mt_safefile_release(f);
	errno = e;
}
