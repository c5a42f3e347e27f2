/* cmocka tests of the dump writer's output and sync threads (writer.h,
 * "Threads"): the same bytes with and without them, when they start (not
 * for a small dump), their signal masks, a write error the output thread
 * meets and a sync error the sync thread meets (reported to the caller
 * with the errno, the temporary file removed), the syncs made while the
 * dump is written and the page cache left clean, abort in the middle of a
 * large dump, and a writer in a fork child.  fdatasync is wrapped
 * (-Wl,--wrap=fdatasync): the wrapper counts the calls and fails them
 * when a test asks. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "memtrack/reader.h"
#include "memtrack/writer.h"

#define MIB (1u << 20)
#define TMPFS_MAGIC_ 0x01021994

/* The wrapped fdatasync: calls (and those from another thread than the
 * process's first), and the errno to fail with (0: the real call). */
static atomic_int sync_calls, sync_calls_other;
static atomic_int sync_fail_errno;

int __real_fdatasync(int fd);
int __wrap_fdatasync(int fd);
int __wrap_fdatasync(int fd)
{
	atomic_fetch_add(&sync_calls, 1);
	if ((pid_t)syscall(SYS_gettid) != getpid())
		atomic_fetch_add(&sync_calls_other, 1);
	int e = atomic_load(&sync_fail_errno);
	if (e) {
		errno = e;
		return -1;
	}
	return __real_fdatasync(fd);
}

static char tmpdir[256];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/mt_test_writer.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown_dir(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *path_in(const char *name)
{
	static char p[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", tmpdir, name);
	return p[k];
}

/* Names in tmpdir that contain ".tmp." (temporary files left behind). */
static int count_tmp(void)
{
	DIR *d = opendir(tmpdir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += strstr(e->d_name, ".tmp.") != NULL;
	closedir(d);
	return n;
}

/* Threads of this process (entries of /proc/self/task); the first 4
 * that are not the calling thread go to others[], their number to
 * *n_other. */
static int count_tasks(long *others, int *n_other)
{
	DIR *d = opendir("/proc/self/task");
	assert_non_null(d);
	int n = 0, k = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		long tid = atol(e->d_name);
		if (others && tid != (long)getpid() && k < 4)
			others[k++] = tid;
	}
	closedir(d);
	if (n_other)
		*n_other = k;
	return n;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static mt_header test_header(void)
{
	static const char *argv[] = {"prog.py"};
	mt_header h = {0};
	h.memtrack_version = "0.1.0";
	h.python_version = "3.11.7 (main)";
	h.py_major = 3;
	h.py_minor = 11;
	h.py_micro = 7;
	h.implementation = "cpython";
	h.build = "release";
	h.executable = "/usr/bin/python3";
	h.pid = 4242;
	h.argc = 1;
	h.argv = argv;
	h.time = 1795314944.5;
	h.mark_time = 1795314940.25;
	h.ptr_size = 8;
	h.gc_header = 16;
	return h;
}

/* How write_dump behaves. */
typedef struct {
	bool thread;	   /* mt_writer_set_thread */
	uint32_t n;	   /* objects */
	uint32_t abort_at; /* abort after this object (0: never) */
	/* out: */
	mt_status st; /* first failure, or the result of finish */
	mt_err err;
	uint64_t bytes_at_failure; /* mt_writer_bytes when it failed */
	int tasks_during;	   /* threads seen while writing */
	int n_other;		   /* threads seen that are not ours */
	long other_tid[4];
	char sigblk[4][32]; /* their SigBlk lines at the last look */
} dump_run;

static char big[700 * 1024]; /* a value too big for the direct path */

/* Object i's value: every kind, strings of many lengths, one value bigger
 * than half a buffer (msgpack-c's path), numbers of every width. */
static mt_value value_of(uint32_t i, uint32_t n)
{
	static char text[600];
	if (!text[0])
		for (size_t k = 0; k < sizeof text; k++)
			text[k] = (char)('a' + k % 26);
	mt_value v = {.kind = MT_VAL_NONE};
	if (i == n / 2) {
		v.kind = MT_VAL_STR;
		v.s = big;
		v.slen = sizeof big;
		return v;
	}
	switch (i % 8) {
	case 1:
		v.kind = MT_VAL_STR;
		v.s = text + i % 37;
		v.slen = i % 300;
		break;
	case 2:
		v.kind = MT_VAL_BYTES;
		v.s = text;
		v.slen = i % 70;
		break;
	case 3:
		v.kind = MT_VAL_INT;
		v.i = (int64_t)(i * 2654435761u) * ((i & 16) ? -1 : 1) *
		      (int64_t)(i % 5 ? 1 : 1 << 30);
		break;
	case 4:
		v.kind = MT_VAL_FLOAT;
		v.d = i * 0.5;
		break;
	case 5:
		v.kind = MT_VAL_BOOL;
		v.i = i & 1;
		break;
	case 6:
		v.kind = MT_VAL_QUALNAME;
		v.s = "builtins";
		v.slen = 8;
		v.s2 = text;
		v.s2len = i % 40;
		break;
	case 7:
		v.kind = MT_VAL_CODE;
		v.s = text;
		v.slen = i % 50;
		v.i = i;
		v.s2 = "/x.py";
		v.s2len = 5;
		break;
	}
	return v;
}

static void note_failure(dump_run *r, mt_writer *w, mt_status st,
			 const mt_err *err)
{
	if (r->st == MT_OK && st != MT_OK) {
		r->st = st;
		r->err = *err;
		r->bytes_at_failure = mt_writer_bytes(w);
	}
}

static void look_at_threads(dump_run *r)
{
	long others[4];
	int k;
	int n = count_tasks(others, &k);
	if (n > r->tasks_during)
		r->tasks_during = n;
	if (!k)
		return;
	/* the last look counts: a thread just created may not have its own
	 * mask yet (pthread_create starts it with every signal blocked) */
	r->n_other = k;
	for (int i = 0; i < k; i++) {
		r->other_tid[i] = others[i];
		r->sigblk[i][0] = 0;
		char p[64], line[256];
		snprintf(p, sizeof p, "/proc/self/task/%ld/status", others[i]);
		FILE *f = fopen(p, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof line, f))
			if (!strncmp(line, "SigBlk:", 7))
				sscanf(line + 7, "%31s", r->sigblk[i]);
		fclose(f);
	}
}

/* Writes a dump of r->n objects: object 0 is the type of every object;
 * object i refers to i + 1 (introducing it), to i / 2 by a name, and every
 * third one to i - 1 by a key; names and warnings come between objects;
 * MARK and SITES at the end.  Every call goes on after a failure (it must
 * keep returning it).  Returns finish's (or abort's) status in r->st when
 * nothing failed before. */
static void write_dump(const char *path, dump_run *r)
{
	memset(big, 'z', sizeof big);
	mt_writer *w;
	mt_err err;
	mt_header h = test_header();
	assert_int_equal(mt_writer_new(&w, path, &err), MT_OK);
	mt_writer_set_thread(w, r->thread);
	note_failure(r, w, mt_writer_header(w, &h, &err), &err);
	uint32_t names[16], nnames = 0;
	note_failure(r, w, mt_writer_name(w, "modules", 7, &names[0], &err),
		     &err);
	nnames = 1;
	mt_edge roots[] = {{0, MT_REL_ROOT, names[0]}};
	note_failure(r, w, mt_writer_roots(w, roots, 1, &err), &err);
	uint32_t n = r->n;
	for (uint32_t i = 0; i < n; i++) {
		if (i % (n / 10) == 5 && nnames < 16) {
			char s[32];
			int k = snprintf(s, sizeof s, "name%u", i);
			note_failure(r, w,
				     mt_writer_name(w, s, (size_t)k,
						    &names[nnames], &err),
				     &err);
			if (r->st == MT_OK)
				nnames++;
			note_failure(r, w,
				     mt_writer_warning(w, s, (size_t)k, &err),
				     &err);
		}
		mt_obj o = {.type = 0,
			    .size = 16 + i % 1000,
			    .addr = i % 9 ? 0x7f0000000000ull + i * 48ull : 0,
			    .refcnt = i % 9 ? 1 + i % 300 : 0,
			    .length = i % 4 ? (int64_t)(i % 100) : MT_NO_LENGTH,
			    .value = value_of(i, n)};
		mt_edge e[3];
		size_t ne = 0;
		if (i + 1 < n)
			e[ne++] = (mt_edge){i + 1, MT_REL_INDEX, i % 1000};
		e[ne++] = (mt_edge){i / 2, MT_REL_ATTR, names[i % nnames]};
		if (i % 3 == 0 && i)
			e[ne++] = (mt_edge){i - 1, MT_REL_KEYVAL, i / 3};
		note_failure(r, w, mt_writer_object(w, i, &o, e, ne, &err),
			     &err);
		if (i % 20000 == 0)
			look_at_threads(r);
		if (r->abort_at && i == r->abort_at) {
			mt_writer_abort(w);
			return;
		}
	}
	uint8_t *bits = calloc(n / 8 + 1, 1);
	assert_non_null(bits);
	for (uint32_t i = 0; i < n; i += 3)
		bits[i / 8] |= (uint8_t)(1u << (i % 8));
	note_failure(r, w, mt_writer_mark(w, bits, n, &err), &err);
	free(bits);
	const char *files[] = {"/a.py", "/b/c.py"};
	uint32_t lens[] = {5, 7}, sfile[] = {0, 1, 1}, sline[] = {1, 20, 300};
	uint32_t *osite = malloc(n * sizeof *osite);
	assert_non_null(osite);
	for (uint32_t i = 0; i < n; i++)
		osite[i] = i % 4;
	note_failure(r, w,
		     mt_writer_sites(w, files, lens, 2, sfile, sline, 3, osite,
				     n, &err),
		     &err);
	free(osite);
	look_at_threads(r);
	uint64_t bytes = mt_writer_bytes(w);
	mt_status st = mt_writer_finish(w, n, &err); /* w is freed */
	if (r->st == MT_OK && st != MT_OK) {
		/* the first failure met by finish (a sync's) */
		r->st = st;
		r->err = err;
		r->bytes_at_failure = bytes;
	}
}

/* The same calls give the same bytes with and without the output thread;
 * the file reads back, checksum included. */
static void test_same_bytes(void **state)
{
	(void)state;
	dump_run a = {.thread = false, .n = 200000};
	dump_run b = {.thread = true, .n = 200000};
	write_dump(path_in("plain.mp"), &a);
	write_dump(path_in("threaded.mp"), &b);
	assert_int_equal(a.st, MT_OK);
	assert_int_equal(b.st, MT_OK);
	/* the threads ran (two tasks appeared) only when asked */
	assert_int_equal(a.tasks_during, 1);
	assert_int_equal(b.tasks_during, 3);
	size_t la, lb;
	uint8_t *fa = slurp(path_in("plain.mp"), &la);
	uint8_t *fb = slurp(path_in("threaded.mp"), &lb);
	assert_true(la > 8 * MIB); /* many times the ring */
	assert_int_equal(la, lb);
	assert_memory_equal(fa, fb, la);
	mt_reader *rd;
	mt_record rec;
	mt_err err;
	assert_int_equal(mt_reader_new(&rd, fb, lb, &err), MT_OK);
	uint64_t objects = 0;
	mt_status st;
	while ((st = mt_reader_next(rd, &rec, &err)) == MT_OK)
		objects += rec.kind == MT_RECORD_OBJECT;
	assert_int_equal(st, MT_END);
	assert_int_equal(objects, 200000);
	mt_reader_free(rd);
	free(fa);
	free(fb);
	/* joined: only this thread is left */
	assert_int_equal(count_tasks(NULL, NULL), 1);
	assert_int_equal(count_tmp(), 0);
}

/* A dump smaller than one buffer never starts the thread. */
static void test_small_dump_no_thread(void **state)
{
	(void)state;
	dump_run r = {.thread = true, .n = 2000};
	write_dump(path_in("small.mp"), &r);
	assert_int_equal(r.st, MT_OK);
	assert_int_equal(r.tasks_during, 1);
	struct stat st;
	assert_int_equal(stat(path_in("small.mp"), &st), 0);
	assert_true(st.st_size < MIB);
}

/* Both threads block the asynchronous signals (SIGINT, SIGTERM...: they go
 * to the program's threads, whose handlers remove the temporary file),
 * not SIGXFSZ (a write past the file size limit signals the writer). */
static void test_thread_signal_mask(void **state)
{
	(void)state;
	dump_run r = {.thread = true, .n = 200000};
	write_dump(path_in("mask.mp"), &r);
	assert_int_equal(r.st, MT_OK);
	assert_int_equal(r.n_other, 2); /* the output and sync threads */
	for (int i = 0; i < r.n_other; i++) {
		assert_true(r.other_tid[i] > 0);
		assert_true(r.sigblk[i][0]);
		unsigned long long blk = strtoull(r.sigblk[i], NULL, 16);
		assert_true(blk & (1ull << (SIGINT - 1)));
		assert_true(blk & (1ull << (SIGTERM - 1)));
		assert_true(blk & (1ull << (SIGUSR2 - 1)));
		assert_false(blk & (1ull << (SIGXFSZ - 1)));
		assert_false(blk & (1ull << (SIGSEGV - 1)));
	}
}

/* The dump of `name` failed with MT_IO and errno e, its message names the
 * temporary file, says `what` and the system's reason, and nothing is
 * left: no target, no temporary file, no thread. */
static void assert_io_failure(const dump_run *r, int e, const char *what,
			      const char *name)
{
	assert_int_equal(r->st, MT_IO);
	assert_int_equal(r->err.sys_errno, e);
	char line[400], tmp[64];
	mt_err_format(&r->err, line, sizeof line);
	snprintf(tmp, sizeof tmp, "%s.tmp.", name);
	assert_non_null(strstr(line, what));
	assert_non_null(strstr(line, tmp));
	assert_non_null(strstr(line, strerror(e)));
	assert_int_not_equal(access(path_in(name), F_OK), 0);
	assert_int_equal(count_tmp(), 0);
	assert_int_equal(count_tasks(NULL, NULL), 1);
}

/* RLIMIT_FSIZE makes write() fail as on a full disk (a partial write,
 * then EFBIG; SIGXFSZ ignored).  The failure, met by the output thread,
 * comes back to the caller with the errno and the file's name, soon (the
 * caller fills at most the ring and one more buffer before it sees it),
 * stays (every later call and finish return it), and nothing is left on
 * disk.  The same without the thread. */
static void full_disk(bool thread)
{
	struct rlimit old, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 3 * MIB + 1000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	dump_run r = {.thread = thread, .n = 200000};
	write_dump(path_in("full.mp"), &r);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, prev);
	assert_io_failure(&r, EFBIG, "writing", "full.mp");
	assert_true(r.bytes_at_failure > 3 * MIB);
	assert_true(r.bytes_at_failure <= 3 * MIB + 1000 + 6 * MIB);
}

static void test_full_disk_thread(void **state)
{
	(void)state;
	full_disk(true);
}

static void test_full_disk_no_thread(void **state)
{
	(void)state;
	full_disk(false);
}

/* Pages of `path` in the page cache, of *total. */
static size_t resident_pages(const char *path, size_t *total)
{
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t n = ((size_t)st.st_size + pg - 1) / pg;
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(m != MAP_FAILED);
	unsigned char *vec = malloc(n);
	assert_non_null(vec);
	assert_int_equal(mincore(m, (size_t)st.st_size, vec), 0);
	size_t in = 0;
	for (size_t i = 0; i < n; i++)
		in += vec[i] & 1;
	free(vec);
	munmap(m, (size_t)st.st_size);
	close(fd);
	*total = n;
	return in;
}

/* The sync thread syncs while the dump is written (every fdatasync is
 * its: the final sync is an fsync of the caller's), once per 8 MiB at
 * most, and drops what it synced from the page cache: after the dump
 * at most the last few MiB of it are there (not on tmpfs, whose pages are
 * its storage). */
static void test_syncs_during_dump(void **state)
{
	(void)state;
	atomic_store(&sync_calls, 0);
	atomic_store(&sync_calls_other, 0);
	dump_run r = {.thread = true, .n = 400000};
	const char *path = path_in("synced.mp");
	write_dump(path, &r);
	assert_int_equal(r.st, MT_OK);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 16 * MIB);
	int calls = atomic_load(&sync_calls);
	assert_true(calls >= 1);
	assert_int_equal(atomic_load(&sync_calls_other), calls);
	assert_true(calls <= st.st_size / (8 * MIB));
	struct statfs fs;
	assert_int_equal(statfs(tmpdir, &fs), 0);
	if (fs.f_type != TMPFS_MAGIC_) {
		size_t total, in = resident_pages(path, &total);
		assert_true(in * 2 < total);
	}
	/* without the thread, no sync before the final fsync */
	atomic_store(&sync_calls, 0);
	dump_run q = {.thread = false, .n = 400000};
	write_dump(path_in("unsynced.mp"), &q);
	assert_int_equal(q.st, MT_OK);
	assert_int_equal(atomic_load(&sync_calls), 0);
}

/* A sync that fails (EIO: the kernel reports a writeback error to one
 * sync only) fails the dump with its errno and the file's name; nothing
 * is left.  EINVAL (a file that cannot be synced, which the final fsync
 * accepts too) only ends the syncing. */
static void test_sync_failure(void **state)
{
	(void)state;
	atomic_store(&sync_calls, 0);
	atomic_store(&sync_fail_errno, EIO);
	dump_run r = {.thread = true, .n = 400000};
	write_dump(path_in("eio.mp"), &r);
	atomic_store(&sync_fail_errno, 0);
	assert_int_equal(atomic_load(&sync_calls), 1);
	assert_io_failure(&r, EIO, "syncing", "eio.mp");

	atomic_store(&sync_calls, 0);
	atomic_store(&sync_fail_errno, EINVAL);
	dump_run q = {.thread = true, .n = 400000};
	write_dump(path_in("einval.mp"), &q);
	atomic_store(&sync_fail_errno, 0);
	assert_int_equal(q.st, MT_OK);
	assert_int_equal(atomic_load(&sync_calls), 1);
	assert_int_equal(access(path_in("einval.mp"), F_OK), 0);
}

/* Abort in the middle of a large dump (what a cancelled dump does): the
 * thread is joined, the temporary file is gone, no target appears. */
static void test_abort_midway(void **state)
{
	(void)state;
	dump_run r = {.thread = true, .n = 200000, .abort_at = 150000};
	write_dump(path_in("aborted.mp"), &r);
	assert_int_equal(r.st, MT_OK);
	assert_int_equal(r.tasks_during, 3);
	assert_int_equal(count_tasks(NULL, NULL), 1);
	assert_int_equal(count_tmp(), 0);
	assert_int_not_equal(access(path_in("aborted.mp"), F_OK), 0);
}

/* A writer in the fork child of a single-threaded process: the thread
 * starts there, the dump is whole.  (The background dump's child turns the
 * thread off: its parent may have threads.) */
static void test_fork_child(void **state)
{
	(void)state;
	const char *path = path_in("child.mp");
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dump_run r = {.thread = true, .n = 200000};
		write_dump(path, &r);
		_exit(r.st == MT_OK && r.tasks_during == 3 ? 0 : 1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	size_t len;
	uint8_t *buf = slurp(path, &len);
	mt_reader *rd;
	mt_record rec;
	mt_err err;
	assert_int_equal(mt_reader_new(&rd, buf, len, &err), MT_OK);
	mt_status st;
	while ((st = mt_reader_next(rd, &rec, &err)) == MT_OK)
		;
	assert_int_equal(st, MT_END);
	mt_reader_free(rd);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_bytes),
	    cmocka_unit_test(test_small_dump_no_thread),
	    cmocka_unit_test(test_thread_signal_mask),
	    cmocka_unit_test(test_full_disk_thread),
	    cmocka_unit_test(test_full_disk_no_thread),
	    cmocka_unit_test(test_syncs_during_dump),
	    cmocka_unit_test(test_sync_failure),
	    cmocka_unit_test(test_abort_midway),
	    cmocka_unit_test(test_fork_child),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
