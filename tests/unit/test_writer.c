/* cmocka tests of the dump writer's output thread (writer.h, "Threads"):
 * the same bytes with and without it, when it starts (not for a small
 * dump), its signal mask, a write error it meets (reported to the caller
 * with the errno, the temporary file removed), abort in the middle of a
 * large dump, and a writer in a fork child. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "memtrack/reader.h"
#include "memtrack/writer.h"

#define MIB (1u << 20)

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

/* Threads of this process (entries of /proc/self/task); *other is set to
 * one that is not the calling thread, if any. */
static int count_tasks(long *other)
{
	DIR *d = opendir("/proc/self/task");
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		long tid = atol(e->d_name);
		if (other && tid != (long)getpid())
			*other = tid;
	}
	closedir(d);
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
	long other_tid;		   /* a thread that is not ours */
	char sigblk[32];	   /* its SigBlk line at the last look */
	bool direct_seen;	   /* the temporary file was O_DIRECT */
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
	long other = 0;
	int n = count_tasks(&other);
	if (n > r->tasks_during)
		r->tasks_during = n;
	if (!other)
		return;
	/* the last look counts: a thread just created may not have its own
	 * mask yet (pthread_create starts it with every signal blocked) */
	r->other_tid = other;
	char p[64], line[256];
	snprintf(p, sizeof p, "/proc/self/task/%ld/status", other);
	FILE *f = fopen(p, "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "SigBlk:", 7))
			sscanf(line + 7, "%31s", r->sigblk);
	fclose(f);
}

/* Whether the temporary file being written is O_DIRECT now (its flags in
 * /proc/self/fdinfo). */
static void look_at_file(dump_run *r, mt_writer *w)
{
	const char *tmp = mt_writer_tmp_path(w);
	DIR *d = opendir("/proc/self/fd");
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		char p[300], link[600], line[128];
		snprintf(p, sizeof p, "/proc/self/fd/%s", e->d_name);
		ssize_t k = readlink(p, link, sizeof link - 1);
		if (k <= 0)
			continue;
		link[k] = 0;
		if (strcmp(link, tmp) != 0)
			continue;
		snprintf(p, sizeof p, "/proc/self/fdinfo/%s", e->d_name);
		FILE *f = fopen(p, "r");
		if (!f)
			continue;
		unsigned long flags = 0;
		while (fgets(line, sizeof line, f))
			if (sscanf(line, "flags: %lo", &flags) == 1 &&
			    (flags & O_DIRECT))
				r->direct_seen = true;
		fclose(f);
	}
	closedir(d);
}

/* Whether files in tmpdir can be opened O_DIRECT. */
static bool direct_supported(void)
{
	const char *p = path_in("probe");
	int fd = open(p, O_WRONLY | O_CREAT | O_DIRECT, 0600);
	if (fd >= 0) {
		close(fd);
		unlink(p);
	}
	return fd >= 0;
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
		if (i % 20000 == 0) {
			look_at_threads(r);
			look_at_file(r, w);
		}
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
	mt_status st = mt_writer_finish(w, n, &err);
	note_failure(r, w, st, &err);
	if (r->st == MT_OK)
		r->st = st;
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
	/* the thread ran (a second task appeared) only when asked */
	assert_int_equal(a.tasks_during, 1);
	assert_int_equal(b.tasks_during, 2);
	/* and its writes bypassed the page cache where the file system
	 * allows it; the bytes are the same all the same */
	assert_false(a.direct_seen);
	assert_int_equal(b.direct_seen, direct_supported());
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
	assert_int_equal(count_tasks(NULL), 1);
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

/* The thread blocks the asynchronous signals (SIGINT, SIGTERM...: they go
 * to the program's threads, whose handlers remove the temporary file),
 * not SIGXFSZ (a write past the file size limit signals the writer). */
static void test_thread_signal_mask(void **state)
{
	(void)state;
	dump_run r = {.thread = true, .n = 200000};
	write_dump(path_in("mask.mp"), &r);
	assert_int_equal(r.st, MT_OK);
	assert_true(r.other_tid > 0);
	assert_true(r.sigblk[0]);
	unsigned long long blk = strtoull(r.sigblk, NULL, 16);
	assert_true(blk & (1ull << (SIGINT - 1)));
	assert_true(blk & (1ull << (SIGTERM - 1)));
	assert_true(blk & (1ull << (SIGUSR2 - 1)));
	assert_false(blk & (1ull << (SIGXFSZ - 1)));
	assert_false(blk & (1ull << (SIGSEGV - 1)));
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
	assert_int_equal(r.st, MT_IO);
	assert_int_equal(r.err.sys_errno, EFBIG);
	char line[400];
	mt_err_format(&r.err, line, sizeof line);
	assert_non_null(strstr(line, "File too large"));
	assert_non_null(strstr(line, "full.mp.tmp."));
	assert_true(r.bytes_at_failure > 3 * MIB);
	assert_true(r.bytes_at_failure <= 3 * MIB + 1000 + 6 * MIB);
	assert_int_not_equal(access(path_in("full.mp"), F_OK), 0);
	assert_int_equal(count_tmp(), 0);
	assert_int_equal(count_tasks(NULL), 1);
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

/* Abort in the middle of a large dump (what a cancelled dump does): the
 * thread is joined, the temporary file is gone, no target appears. */
static void test_abort_midway(void **state)
{
	(void)state;
	dump_run r = {.thread = true, .n = 200000, .abort_at = 150000};
	write_dump(path_in("aborted.mp"), &r);
	assert_int_equal(r.st, MT_OK);
	assert_int_equal(r.tasks_during, 2);
	assert_int_equal(count_tasks(NULL), 1);
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
		_exit(r.st == MT_OK && r.tasks_during == 2 ? 0 : 1);
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
	    cmocka_unit_test(test_abort_midway),
	    cmocka_unit_test(test_fork_child),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
