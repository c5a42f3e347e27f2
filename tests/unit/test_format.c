/* cmocka tests of the dump format library: writer -> reader round trips,
 * the relative reference encoding, the checksum, writer misuse, and the
 * reader's error values (code + byte offset) on malformed input. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "memtrack/checksum.h"
#include "memtrack/reader.h"
#include "memtrack/writer.h"

static char tmpdir[256];

static int setup_dir(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/mt_test_format.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown_dir(void **state)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static mt_header test_header(void)
{
	static const char *argv[] = {"prog.py", "--flag"};
	static const mt_thread_name threads[] = {{140001, "MainThread"},
						 {140002, NULL}};
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
	h.argc = 2;
	h.argv = argv;
	h.time = 1795314944.5;
	h.rss = 1 << 20;
	h.vms = 1 << 24;
	h.ptr_size = 8;
	h.gc_header = 16;
	h.collected = true;
	h.nthreads = 2;
	h.threads = threads;
	h.start_time = 1795314900.25;
	h.boot_id = "729b4fca-6e2a-42b6-a117-6339a8799798";
	return h;
}

/* Writes a small dump whose ids appear in the order the relative encoding
 * wants (each new id is the next one):
 *   0 list [2, 3]      type 1          1 <list> type 4
 *   2 str 'name'       type 5          3 virtual dict {2: 7}, type 6
 *   4 <type> type 4    5 <str>         6 <dict>
 *   7 float 1.5        type 8          8 <float>                        */
static void put_type(mt_writer *w, uint32_t id, const char *name)
{
	mt_err err;
	mt_obj o = {.type = 4, .size = 400, .addr = 0x5000 + id * 0x100,
		    .refcnt = 100, .length = MT_NO_LENGTH,
		    .value = {.kind = MT_VAL_QUALNAME, .s = "builtins", .slen = 8,
			      .s2 = name, .s2len = (uint32_t)strlen(name)}};
	assert_int_equal(mt_writer_object(w, id, &o, NULL, 0, &err), MT_OK);
}

static void write_small(const char *path)
{
	mt_writer *w;
	mt_err err;
	mt_header h = test_header();
	uint32_t n_modules, n_dict;
	assert_int_equal(mt_writer_new(&w, path, &err), MT_OK);
	assert_int_equal(mt_writer_header(w, &h, &err), MT_OK);
	assert_int_equal(mt_writer_name(w, "i0_modules", 10, &n_modules, &err),
			 MT_OK);
	assert_int_equal(mt_writer_name(w, "__dict__", 8, &n_dict, &err), MT_OK);
	uint32_t again;
	assert_int_equal(mt_writer_name(w, "i0_modules", 10, &again, &err),
			 MT_OK);
	assert_int_equal(again, n_modules);
	mt_edge roots[] = {{0, MT_REL_ROOT, n_modules}};
	assert_int_equal(mt_writer_roots(w, roots, 1, &err), MT_OK);
	mt_obj o = {.type = 1, .size = 72, .addr = 0x7f0000001000, .refcnt = 2,
		    .length = 2};
	mt_edge e0[] = {{2, MT_REL_INDEX, 0}, {3, MT_REL_INDEX, 1}};
	assert_int_equal(mt_writer_object(w, 0, &o, e0, 2, &err), MT_OK);
	put_type(w, 1, "list");
	o = (mt_obj){.type = 5, .size = 53, .addr = 0x7f0000000f00, .refcnt = 1,
		     .length = 4,
		     .value = {.kind = MT_VAL_STR, .s = "name", .slen = 4}};
	assert_int_equal(mt_writer_object(w, 2, &o, NULL, 0, &err), MT_OK);
	o = (mt_obj){.type = 6, .size = 40, .addr = 0, .length = 1};
	mt_edge e3[] = {{2, MT_REL_KEY, 0}, {7, MT_REL_KEYVAL, 2}};
	assert_int_equal(mt_writer_object(w, 3, &o, e3, 2, &err), MT_OK);
	put_type(w, 4, "type");
	put_type(w, 5, "str");
	put_type(w, 6, "dict");
	o = (mt_obj){.type = 8, .size = 24, .addr = 0x7f0000002000, .refcnt = 1,
		     .length = MT_NO_LENGTH,
		     .value = {.kind = MT_VAL_FLOAT, .d = 1.5}};
	assert_int_equal(mt_writer_object(w, 7, &o, NULL, 0, &err), MT_OK);
	put_type(w, 8, "float");
	assert_int_equal(mt_writer_objects(w), 9);
	assert_int_equal(mt_writer_edges(w), 5);
	assert_int_equal(mt_writer_finish(w, 9, &err), MT_OK);
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

/* Reads a whole buffer; returns the final status (MT_END on success). */
static mt_status read_all(const uint8_t *buf, size_t len, mt_err *err,
			  uint64_t *objects)
{
	mt_reader *r;
	mt_record rec;
	mt_status st = mt_reader_new(&r, buf, len, err);
	if (st)
		return st;
	uint64_t n = 0;
	while ((st = mt_reader_next(r, &rec, err)) == MT_OK)
		n += rec.kind == MT_RECORD_OBJECT;
	mt_reader_free(r);
	if (objects)
		*objects = n;
	return st;
}

static char *path_in(const char *name)
{
	static char p[512];
	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	return p;
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

static void test_round_trip(void **state)
{
	const char *path = path_in("small.mp");
	write_small(path);
	size_t len;
	uint8_t *buf = slurp(path, &len);
	mt_reader *r;
	mt_err err;
	mt_record rec;
	assert_int_equal(mt_reader_new(&r, buf, len, &err), MT_OK);
	const mt_header *h = mt_reader_header(r);
	assert_int_equal(h->format_version, 1);
	assert_string_equal(h->memtrack_version, "0.1.0");
	assert_string_equal(h->python_version, "3.11.7 (main)");
	assert_int_equal(h->py_minor, 11);
	assert_int_equal(h->pid, 4242);
	assert_int_equal(h->argc, 2);
	assert_string_equal(h->argv[1], "--flag");
	assert_true(h->time == 1795314944.5);
	assert_int_equal(h->ptr_size, 8);
	assert_true(h->collected);
	/* threads: [id, name], nil for a thread without a Thread object */
	assert_int_equal(h->nthreads, 2);
	assert_int_equal(h->threads[0].id, 140001);
	assert_string_equal(h->threads[0].name, "MainThread");
	assert_int_equal(h->threads[1].id, 140002);
	assert_null(h->threads[1].name);
	/* which process; no mark_time without a mark */
	assert_true(h->start_time == 1795314900.25);
	assert_string_equal(h->boot_id, "729b4fca-6e2a-42b6-a117-6339a8799798");
	assert_true(h->mark_time == 0);

	/* NAME, NAME, ROOTS, then 8 objects */
	assert_int_equal(mt_reader_next(r, &rec, &err), MT_OK);
	assert_int_equal(rec.kind, MT_RECORD_NAME);
	assert_int_equal(rec.name_len, 10);
	assert_memory_equal(rec.name, "i0_modules", 10);
	assert_int_equal(mt_reader_next(r, &rec, &err), MT_OK);
	assert_int_equal(mt_reader_next(r, &rec, &err), MT_OK);
	assert_int_equal(rec.kind, MT_RECORD_ROOTS);
	assert_int_equal(rec.nedges, 1);
	assert_int_equal(rec.edges[0].target, 0);
	assert_int_equal(rec.edges[0].rel, MT_REL_ROOT);
	assert_int_equal(rec.edges[0].label, 0);

	assert_int_equal(mt_reader_next(r, &rec, &err), MT_OK);
	assert_int_equal(rec.kind, MT_RECORD_OBJECT);
	assert_int_equal(rec.id, 0);
	assert_int_equal(rec.obj.type, 1);
	assert_int_equal(rec.obj.size, 72);
	assert_int_equal(rec.obj.addr, 0x7f0000001000);
	assert_int_equal(rec.obj.refcnt, 2);
	assert_int_equal(rec.obj.length, 2);
	assert_int_equal(rec.nedges, 2);
	assert_int_equal(rec.edges[1].target, 3);
	assert_int_equal(rec.edges[1].rel, MT_REL_INDEX);
	assert_int_equal(rec.edges[1].label, 1);

	assert_int_equal(mt_reader_next(r, &rec, &err), MT_OK);
	assert_int_equal(rec.id, 1);
	assert_int_equal(rec.obj.type, 4);
	assert_int_equal(rec.obj.value.kind, MT_VAL_QUALNAME);
	assert_int_equal(rec.obj.value.s2len, 4);
	assert_memory_equal(rec.obj.value.s2, "list", 4);

	assert_int_equal(mt_reader_next(r, &rec, &err), MT_OK);
	assert_int_equal(rec.id, 2);
	assert_int_equal(rec.obj.type, 5);
	assert_int_equal(rec.obj.value.kind, MT_VAL_STR);
	assert_int_equal(rec.obj.value.slen, 4);
	assert_memory_equal(rec.obj.value.s, "name", 4);
	assert_int_equal(rec.obj.addr, 0x7f0000000f00); /* negative delta */

	assert_int_equal(mt_reader_next(r, &rec, &err), MT_OK);
	assert_int_equal(rec.id, 3);
	assert_int_equal(rec.obj.type, 6);
	assert_int_equal(rec.obj.addr, 0); /* virtual */
	assert_int_equal(rec.obj.refcnt, 0);
	assert_int_equal(rec.nedges, 2);
	assert_int_equal(rec.edges[0].rel, MT_REL_KEY);
	assert_int_equal(rec.edges[0].target, 2);
	assert_int_equal(rec.edges[1].rel, MT_REL_KEYVAL);
	assert_int_equal(rec.edges[1].target, 7);
	assert_int_equal(rec.edges[1].label, 2); /* key object id */

	/* objects 4, 5 and 6 all have type 4: the writer said "same as the
	 * previous object" (nil) for 5 and 6, the reader resolved it */
	for (uint32_t i = 4; i <= 8; i++) {
		assert_int_equal(mt_reader_next(r, &rec, &err), MT_OK);
		if (i == 5 || i == 6)
			assert_int_equal(buf[rec.offset + 2], 0xc0);
		assert_int_equal(rec.id, i);
		assert_int_equal(rec.obj.length, MT_NO_LENGTH);
		if (i == 7) {
			assert_int_equal(rec.obj.type, 8);
			assert_int_equal(rec.obj.value.kind, MT_VAL_FLOAT);
			assert_true(rec.obj.value.d == 1.5);
		} else {
			assert_int_equal(rec.obj.type, 4);
			assert_int_equal(rec.obj.value.kind, MT_VAL_QUALNAME);
			assert_memory_equal(rec.obj.value.s, "builtins", 8);
		}
	}
	assert_int_equal(mt_reader_next(r, &rec, &err), MT_END);
	const mt_trailer *t = mt_reader_trailer(r);
	assert_int_equal(t->objects, 9);
	assert_int_equal(t->edges, 5);
	assert_int_equal(t->names, 2);
	assert_int_equal(t->reachable, 9);
	mt_reader_free(r);
	free(buf);
	/* no temporary file left behind */
	assert_int_equal(count_tmp(), 0);
}

static void test_truncation_everywhere(void **state)
{
	const char *path = path_in("trunc.mp");
	write_small(path);
	size_t len;
	uint8_t *buf = slurp(path, &len);
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, buf, cut);
		mt_err err;
		mt_err_clear(&err);
		mt_status st = read_all(copy, cut, &err, NULL);
		assert_int_not_equal(st, MT_END);
		assert_int_not_equal(st, MT_OK);
		/* every failure names a position inside the data we had */
		assert_true(err.offset <= cut);
		free(copy);
	}
	mt_err err;
	assert_int_equal(read_all(buf, len, &err, NULL), MT_END);
	free(buf);
}

static void test_bad_magic_and_version(void **state)
{
	const char *path = path_in("magic.mp");
	write_small(path);
	size_t len;
	uint8_t *buf = slurp(path, &len);
	mt_err err;
	buf[3] ^= 0x20; /* "meMtrack-dump" */
	assert_int_equal(read_all(buf, len, &err, NULL), MT_MAGIC);
	assert_int_equal(err.offset, 0);
	buf[3] ^= 0x20;
	assert_int_equal(buf[14], 1); /* version fixint after 14-byte magic */
	buf[14] = 2;
	assert_int_equal(read_all(buf, len, &err, NULL), MT_VERSION);
	assert_int_equal(err.offset, 14);
	char line[300];
	mt_err_format(&err, line, sizeof line);
	assert_non_null(strstr(line, "format version 2 (this memtrack reads 1)"));
	assert_non_null(strstr(line, "at byte 14"));
	free(buf);
}

static void test_checksum_and_trailing(void **state)
{
	const char *path = path_in("sum.mp");
	write_small(path);
	size_t len;
	uint8_t *buf = slurp(path, &len);
	/* flip one letter of the "name" preview */
	uint8_t *p = NULL;
	for (size_t i = 0; i + 4 < len; i++)
		if (!memcmp(buf + i, "\xa4name", 5))
			p = buf + i + 1;
	assert_non_null(p);
	*p = 'N';
	mt_err err;
	assert_int_equal(read_all(buf, len, &err, NULL), MT_CHECKSUM);
	assert_true(err.offset < len && err.offset > len - 12);
	*p = 'n';
	uint8_t *longer = malloc(len + 1);
	memcpy(longer, buf, len);
	longer[len] = 0xc0;
	assert_int_equal(read_all(longer, len + 1, &err, NULL), MT_TRAILING);
	assert_int_equal(err.offset, len);
	free(longer);
	free(buf);
}

static void test_invalid_byte(void **state)
{
	const char *path = path_in("c1.mp");
	write_small(path);
	size_t len;
	uint8_t *buf = slurp(path, &len);
	/* the byte after the header map is the first record's array header */
	mt_reader *r;
	mt_err err;
	assert_int_equal(mt_reader_new(&r, buf, len, &err), MT_OK);
	size_t first = (size_t)mt_reader_offset(r);
	mt_reader_free(r);
	buf[first] = 0xc1;
	assert_int_equal(read_all(buf, len, &err, NULL), MT_MSGPACK);
	assert_int_equal(err.offset, first);
	assert_int_equal(err.record, 1);
	free(buf);
}

/* Hand-made bytes: a reference to an id that was never introduced. */
static void test_unknown_reference(void **state)
{
	const char *path = path_in("ref.mp");
	mt_writer *w;
	mt_err err;
	mt_header h = test_header();
	assert_int_equal(mt_writer_new(&w, path, &err), MT_OK);
	assert_int_equal(mt_writer_header(w, &h, &err), MT_OK);
	/* object 0 whose type is itself: type ref code 1 = hi(1) - 0 */
	mt_obj o = {.type = 0, .size = 10, .addr = 0x1000, .refcnt = 1,
		    .length = MT_NO_LENGTH};
	mt_edge e = {0, MT_REL_INDEX, 0};
	assert_int_equal(mt_writer_object(w, 0, &o, &e, 1, &err), MT_OK);
	assert_int_equal(mt_writer_finish(w, 1, &err), MT_OK);
	size_t len;
	uint8_t *buf = slurp(path, &len);
	assert_int_equal(read_all(buf, len, &err, NULL), MT_END);
	/* the record is 9a 03 01 0a cd 10 00 01 c0 c0 02 01 00: make the edge
	 * target code 1 into 5 (refers 5 back with only 1 object) */
	uint8_t *rec = NULL;
	for (size_t i = 0; i + 3 < len; i++)
		if (buf[i] == 0x9a && buf[i + 1] == MT_REC_OBJECT)
			rec = buf + i;
	assert_non_null(rec);
	uint8_t *target = rec + 11; /* ... c0 c0 | 02 | 01 | 00 */
	assert_int_equal(target[-1], MT_REL_INDEX);
	assert_int_equal(*target, 1);
	/* the first object cannot say "same type as the previous one" */
	assert_int_equal(rec[2], 1); /* type: refers 1 back, to itself */
	rec[2] = 0xc0;
	assert_int_equal(read_all(buf, len, &err, NULL), MT_TYPE);
	assert_int_equal(err.offset, (uint64_t)(rec + 2 - buf));
	assert_non_null(strstr(err.detail, "first object"));
	rec[2] = 1;
	*target = 5;
	assert_int_equal(read_all(buf, len, &err, NULL), MT_BADREF);
	assert_int_equal(err.offset, (uint64_t)(target - buf));
	char line[300];
	mt_err_format(&err, line, sizeof line);
	assert_non_null(strstr(line, "reference to an unknown object"));
	free(buf);
}

static void test_writer_misuse(void **state)
{
	const char *path = path_in("misuse.mp");
	mt_writer *w;
	mt_err err;
	mt_header h = test_header();
	assert_int_equal(mt_writer_new(&w, path, &err), MT_OK);
	mt_obj o = {.type = 0, .size = 1, .addr = 0x10, .refcnt = 1,
		    .length = MT_NO_LENGTH};
	/* object before header */
	assert_int_equal(mt_writer_object(w, 0, &o, NULL, 0, &err), MT_ARG);
	mt_writer_abort(w);
	assert_int_equal(mt_writer_new(&w, path, &err), MT_OK);
	assert_int_equal(mt_writer_header(w, &h, &err), MT_OK);
	/* an edge to id 7 when only id 0..1 exist */
	mt_edge e = {7, MT_REL_INDEX, 0};
	assert_int_equal(mt_writer_object(w, 0, &o, &e, 1, &err), MT_ARG);
	/* sticky */
	assert_int_equal(mt_writer_object(w, 0, &o, NULL, 0, &err), MT_ARG);
	assert_int_equal(mt_writer_finish(w, 0, &err), MT_ARG);
	/* nothing under the target name, no temporary left */
	assert_int_not_equal(access(path, F_OK), 0);
	assert_int_equal(count_tmp(), 0);
}

static void test_writer_unwritable(void **state)
{
	mt_writer *w = (mt_writer *)1;
	mt_err err;
	assert_int_equal(mt_writer_new(&w, "/nonexistent-dir/x.mp", &err), MT_IO);
	assert_null(w);
	char line[300];
	mt_err_format(&err, line, sizeof line);
	assert_non_null(strstr(line, "/nonexistent-dir/x.mp"));
	assert_non_null(strstr(line, "No such file or directory"));
}

static void test_full_disk(void **state)
{
	/* RLIMIT_FSIZE makes write() behave as on a full disk: a partial
	 * write, then EFBIG (SIGXFSZ ignored). */
	struct rlimit old, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
	mt_writer *w;
	mt_err err;
	mt_header h = test_header();
	assert_int_equal(mt_writer_new(&w, path_in("full.mp"), &err), MT_OK);
	assert_int_equal(mt_writer_header(w, &h, &err), MT_OK);
	lim = old;
	lim.rlim_cur = 100; /* the header alone is bigger */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	mt_status st = mt_writer_finish(w, 0, &err);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, prev);
	assert_int_equal(st, MT_IO);
	assert_int_equal(err.sys_errno, EFBIG);
	char line[300];
	mt_err_format(&err, line, sizeof line);
	assert_non_null(strstr(line, "File too large"));
	assert_non_null(strstr(line, "full.mp.tmp."));
	assert_int_not_equal(access(path_in("full.mp"), F_OK), 0);
	assert_int_equal(count_tmp(), 0);
}

/* The temporary file: beside the target, named <target>.tmp.<random>,
 * created exclusively (a symlink planted at the old predictable name
 * <target>.tmp.<pid> redirected the write), mode 0600 whatever the umask;
 * two writers on one target do not share it. */
static void test_writer_tmp_file(void **state)
{
	char victim[600], planted[600];
	snprintf(victim, sizeof victim, "%s/victim", tmpdir);
	FILE *f = fopen(victim, "w");
	assert_non_null(f);
	fputs("precious", f);
	fclose(f);
	const char *path = path_in("tmpf.mp");
	snprintf(planted, sizeof planted, "%s.tmp.%ld", path, (long)getpid());
	assert_int_equal(symlink(victim, planted), 0);
	mode_t old = umask(0);
	mt_writer *w1, *w2;
	mt_err err;
	assert_int_equal(mt_writer_new(&w1, path, &err), MT_OK);
	umask(0277);
	assert_int_equal(mt_writer_new(&w2, path, &err), MT_OK);
	umask(old);
	const char *t1 = mt_writer_tmp_path(w1), *t2 = mt_writer_tmp_path(w2);
	assert_string_not_equal(t1, t2);
	assert_string_not_equal(t1, planted);
	assert_int_equal(strncmp(t1, path, strlen(path)), 0);
	assert_int_equal(strncmp(t1 + strlen(path), ".tmp.", 5), 0);
	assert_int_equal(strlen(t1), strlen(path) + 5 + 12);
	struct stat st;
	assert_int_equal(lstat(t1, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(lstat(t2, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* both finish; the later rename wins and is a whole dump */
	mt_header h = test_header();
	assert_int_equal(mt_writer_header(w1, &h, &err), MT_OK);
	h.pid = 777;
	assert_int_equal(mt_writer_header(w2, &h, &err), MT_OK);
	assert_int_equal(mt_writer_finish(w1, 0, &err), MT_OK);
	assert_int_equal(mt_writer_finish(w2, 0, &err), MT_OK);
	size_t len;
	uint8_t *buf = slurp(path, &len);
	mt_reader *r;
	assert_int_equal(mt_reader_new(&r, buf, len, &err), MT_OK);
	assert_int_equal(mt_reader_header(r)->pid, 777);
	mt_reader_free(r);
	free(buf);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	buf = slurp(victim, &len);
	assert_int_equal(len, 8);
	assert_memory_equal(buf, "precious", 8);
	free(buf);
	assert_int_equal(lstat(planted, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(unlink(planted), 0);
	assert_int_equal(count_tmp(), 0);
	unlink(path);
	unlink(victim);
}

/* Targets that are not regular files are refused by mt_writer_new (and by
 * mt_writer_check_target) with errno, and left as they were. */
static void test_writer_refused_targets(void **state)
{
	char dir[600], link[600], fifo[600], reg[600];
	snprintf(dir, sizeof dir, "%s/adir", tmpdir);
	snprintf(link, sizeof link, "%s/alink", tmpdir);
	snprintf(fifo, sizeof fifo, "%s/afifo", tmpdir);
	snprintf(reg, sizeof reg, "%s/areg", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(symlink(reg, link), 0); /* dangling */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	char slash[620], dot[620];
	snprintf(slash, sizeof slash, "%s/", dir);
	snprintf(dot, sizeof dot, "%s/.", dir);
	static const struct {
		int which, eno;
		const char *kind;
	} cases[] = {{0, EISDIR, "a directory"},
		     {1, ELOOP, "a symbolic link"},
		     {2, EEXIST, "a FIFO"},
		     {3, EISDIR, "a directory"},
		     {4, EISDIR, "a directory"},
		     {5, EEXIST, "a character device"}};
	const char *paths[] = {dir, link, fifo, slash, dot, "/dev/null"};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *p = paths[cases[i].which];
		mt_writer *w = (mt_writer *)1;
		mt_err err;
		assert_int_equal(mt_writer_check_target(p, &err), MT_IO);
		assert_int_equal(err.sys_errno, cases[i].eno);
		assert_int_equal(mt_writer_new(&w, p, &err), MT_IO);
		assert_null(w);
		assert_int_equal(err.sys_errno, cases[i].eno);
		char line[300];
		mt_err_format(&err, line, sizeof line);
		assert_non_null(strstr(line, p));
		assert_non_null(strstr(line, cases[i].kind));
	}
	struct stat st;
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_not_equal(access(reg, F_OK), 0);
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(count_tmp(), 0);
	mt_err err;
	assert_int_equal(mt_writer_check_target(reg, &err), MT_OK);
	assert_int_equal(mt_writer_check_target(path_in("nothing/x"), &err),
			 MT_IO);
	assert_int_equal(err.sys_errno, ENOENT);
	unlink(link);
	unlink(fifo);
	rmdir(dir);
}

/* The target is checked again before the rename: what appeared during the
 * dump is refused (and kept), a regular file that appeared is replaced. */
static void test_writer_target_changes(void **state)
{
	const char *path = path_in("late.mp");
	mt_header h = test_header();
	mt_err err;
	struct stat st;
	for (int round = 0; round < 3; round++) {
		mt_writer *w;
		assert_int_equal(mt_writer_new(&w, path, &err), MT_OK);
		assert_int_equal(mt_writer_header(w, &h, &err), MT_OK);
		if (round == 0) {
			assert_int_equal(mkdir(path, 0700), 0);
		} else if (round == 1) {
			assert_int_equal(symlink("/dev/null", path), 0);
		} else {
			FILE *f = fopen(path, "w");
			assert_non_null(f);
			fclose(f);
		}
		mt_status s = mt_writer_finish(w, 0, &err);
		assert_int_equal(count_tmp(), 0);
		assert_int_equal(lstat(path, &st), 0);
		if (round == 0) {
			assert_int_equal(s, MT_IO);
			assert_int_equal(err.sys_errno, EISDIR);
			assert_true(S_ISDIR(st.st_mode));
			rmdir(path);
		} else if (round == 1) {
			assert_int_equal(s, MT_IO);
			assert_int_equal(err.sys_errno, ELOOP);
			assert_true(S_ISLNK(st.st_mode));
			unlink(path);
		} else {
			assert_int_equal(s, MT_OK);
			assert_true(S_ISREG(st.st_mode));
			assert_true(st.st_size > 100);
			unlink(path);
		}
	}
}

/* Hand-made header with the key `argv` twice: refused (it leaked the first
 * argv array; the ASan build's `make check` shows it). */
static void test_reader_duplicate_key(void **state)
{
	static const uint8_t bytes[] = {
	    0xad, 'm', 'e', 'm', 't', 'r', 'a', 'c', 'k', '-', 'd', 'u', 'm',
	    'p', 0x01, 0x83, 0xae, 'p', 'y', 't', 'h', 'o', 'n', '_', 'v', 'e',
	    'r', 's', 'i', 'o', 'n', 0x93, 3, 11, 7, 0xa4, 'a', 'r', 'g', 'v',
	    0x91, 0xa1, 'a', 0xa4, 'a', 'r', 'g', 'v', 0x91, 0xa1, 'b'};
	mt_reader *r;
	mt_err err;
	size_t dup = sizeof bytes - 8; /* the second "argv" */
	/* with one argv (a map of 2 keys), the header parses */
	uint8_t copy[sizeof bytes];
	memcpy(copy, bytes, sizeof bytes);
	copy[15] = 0x82;
	assert_int_equal(mt_reader_new(&r, copy, dup, &err), MT_OK);
	assert_int_equal(mt_reader_header(r)->argc, 1);
	assert_string_equal(mt_reader_header(r)->argv[0], "a");
	/* a header without `threads` (dumps before it) reads with none, and
	 * without start_time, boot_id and mark_time with 0 and NULL */
	assert_int_equal(mt_reader_header(r)->nthreads, 0);
	assert_true(mt_reader_header(r)->start_time == 0);
	assert_null(mt_reader_header(r)->boot_id);
	assert_true(mt_reader_header(r)->mark_time == 0);
	mt_reader_free(r);
	assert_int_equal(mt_reader_new(&r, bytes, sizeof bytes, &err), MT_TYPE);
	assert_int_equal(err.offset, dup);
	assert_non_null(strstr(err.detail, "argv"));
	assert_non_null(strstr(err.detail, "twice"));
}

/* The process keys: boot_id nil is unknown (NULL); mark_time is written
 * only with a mark; a time that is not a float or is negative is refused
 * at its offset. */
static void test_reader_process_keys(void **state)
{
	/* {python_version: [3, 11, 7], start_time: 12.5, boot_id: nil,
	 *  mark_time: 20.0} */
	uint8_t bytes[] = {
	    0xad, 'm', 'e', 'm', 't', 'r', 'a', 'c', 'k', '-', 'd', 'u', 'm',
	    'p', 0x01, 0x84, 0xae, 'p', 'y', 't', 'h', 'o', 'n', '_', 'v', 'e',
	    'r', 's', 'i', 'o', 'n', 0x93, 3, 11, 7, 0xaa, 's', 't', 'a', 'r',
	    't', '_', 't', 'i', 'm', 'e', 0xcb, 0x40, 0x29, 0, 0, 0, 0, 0, 0,
	    0xa7, 'b', 'o', 'o', 't', '_', 'i', 'd', 0xc0, 0xa9, 'm', 'a', 'r',
	    'k', '_', 't', 'i', 'm', 'e', 0xcb, 0x40, 0x34, 0, 0, 0, 0, 0, 0};
	mt_reader *r;
	mt_err err;
	assert_int_equal(mt_reader_new(&r, bytes, sizeof bytes, &err), MT_OK);
	assert_true(mt_reader_header(r)->start_time == 12.5);
	assert_null(mt_reader_header(r)->boot_id);
	assert_true(mt_reader_header(r)->mark_time == 20.0);
	mt_reader_free(r);
	/* a negative start time */
	size_t st_off = 46;
	assert_int_equal(bytes[st_off], 0xcb);
	bytes[st_off + 1] = 0xc0;
	assert_int_equal(mt_reader_new(&r, bytes, sizeof bytes, &err), MT_RANGE);
	assert_int_equal(err.offset, st_off);
	assert_non_null(strstr(err.detail, "start_time"));
	/* an int where the float is */
	bytes[st_off + 1] = 0x40;
	bytes[st_off] = 0x05; /* fixint 5, then 8 bytes no key can start */
	assert_int_equal(mt_reader_new(&r, bytes, sizeof bytes, &err), MT_TYPE);
	assert_int_equal(err.offset, st_off);
	/* boot_id must be a str or nil */
	bytes[st_off] = 0xcb;
	bytes[63] = 0x07;
	assert_int_equal(mt_reader_new(&r, bytes, sizeof bytes, &err), MT_TYPE);
	assert_int_equal(err.offset, 63);
}

/* The MARK record: written after the last object with header mark_time,
 * read back as a bitmap; the writer refuses one that does not cover every
 * object or comes twice, and the reader one without mark_time, mark_time
 * without one, and an OBJECT after it. */
/* Object 0: the type `type`, its own type. */
static void put_self_type(mt_writer *w)
{
	mt_err err;
	mt_obj o = {.type = 0, .size = 400, .addr = 0x5000, .refcnt = 100,
		    .length = MT_NO_LENGTH,
		    .value = {.kind = MT_VAL_QUALNAME, .s = "builtins", .slen = 8,
			      .s2 = "type", .s2len = 4}};
	assert_int_equal(mt_writer_object(w, 0, &o, NULL, 0, &err), MT_OK);
}

static void write_marked(const char *path, double mark_time, bool mark,
			 bool object_after)
{
	mt_writer *w;
	mt_err err;
	mt_header h = test_header();
	h.mark_time = mark_time;
	assert_int_equal(mt_writer_new(&w, path, &err), MT_OK);
	assert_int_equal(mt_writer_header(w, &h, &err), MT_OK);
	/* 10 objects: 0 the type (of itself), 1..9 ints */
	put_self_type(w);
	for (uint32_t i = 1; i < 10; i++) {
		mt_obj o = {.type = 0, .size = 28, .addr = 0x9000 + 32 * i,
			    .refcnt = 1, .length = MT_NO_LENGTH,
			    .value = {.kind = MT_VAL_INT, .i = i}};
		assert_int_equal(mt_writer_object(w, i, &o, NULL, 0, &err),
				 MT_OK);
	}
	uint8_t bits[2] = {0x05, 0x02}; /* ids 0, 2, 9 */
	if (mark) {
		/* not every object, bits past the last one: refused */
		mt_writer *w2;
		assert_int_equal(mt_writer_new(&w2, path_in("bad.mp"), &err),
				 MT_OK);
		assert_int_equal(mt_writer_header(w2, &h, &err), MT_OK);
		put_self_type(w2);
		uint8_t one = 0x03;
		assert_int_equal(mt_writer_mark(w2, &one, 1, &err), MT_ARG);
		mt_writer_abort(w2);
		assert_int_equal(mt_writer_mark(w, bits, 10, &err), MT_OK);
	}
	if (object_after) {
		mt_obj o = {.type = 0, .size = 28, .addr = 0xa000, .refcnt = 1,
			    .length = MT_NO_LENGTH};
		assert_int_equal(mt_writer_object(w, 10, &o, NULL, 0, &err),
				 MT_ARG);
		mt_writer_abort(w);
		return;
	}
	assert_int_equal(mt_writer_finish(w, 10, &err), MT_OK);
}

static void test_mark_record(void **state)
{
	char path[512]; /* path_in's buffer is reused */
	snprintf(path, sizeof path, "%s", path_in("marked.mp"));
	size_t len;
	mt_reader *r;
	mt_record rec;
	mt_err err;
	const uint8_t *bits;
	uint64_t nbits;
	write_marked(path, 1795314950.5, true, false);
	uint8_t *buf = slurp(path, &len);
	assert_int_equal(mt_reader_new(&r, buf, len, &err), MT_OK);
	assert_true(mt_reader_header(r)->mark_time == 1795314950.5);
	mt_status st;
	while ((st = mt_reader_next(r, &rec, &err)) == MT_OK)
		assert_int_equal(rec.kind, MT_RECORD_OBJECT);
	assert_int_equal(st, MT_END);
	assert_true(mt_reader_mark(r, &bits, &nbits));
	assert_int_equal(nbits, 10);
	assert_int_equal(bits[0], 0x05);
	assert_int_equal(bits[1], 0x02);
	mt_reader_free(r);
	/* a bit past the last object, the byte count, a repeated MARK:
	 * patch the bytes (the checksum is checked at END, after these) */
	size_t at = 0;
	for (size_t i = 0; i + 4 < len; i++)
		if (buf[i] == 0x93 && buf[i + 1] == 6 && buf[i + 2] == 10 &&
		    buf[i + 3] == 0xc4)
			at = i;
	assert_true(at > 0);
	buf[at + 6] = 0x06; /* bit 10 */
	assert_int_equal(read_all(buf, len, &err, NULL), MT_RANGE);
	assert_int_equal(err.offset, at + 3);
	buf[at + 6] = 0x02;
	buf[at + 2] = 11; /* 11 objects */
	assert_int_equal(read_all(buf, len, &err, NULL), MT_COUNT);
	assert_int_equal(err.offset, at + 2);
	free(buf);

	/* no mark: no bitmap */
	write_marked(path, 0, false, false);
	buf = slurp(path, &len);
	assert_int_equal(mt_reader_new(&r, buf, len, &err), MT_OK);
	while ((st = mt_reader_next(r, &rec, &err)) == MT_OK)
		;
	assert_int_equal(st, MT_END);
	assert_false(mt_reader_mark(r, &bits, &nbits));
	assert_int_equal(nbits, 0);
	mt_reader_free(r);
	free(buf);
	/* mark_time without MARK, MARK without mark_time */
	write_marked(path, 1795314950.5, false, false);
	buf = slurp(path, &len);
	assert_int_equal(read_all(buf, len, &err, NULL), MT_TYPE);
	assert_non_null(strstr(err.detail, "no MARK record"));
	free(buf);
	mt_writer *w;
	mt_header h = test_header();
	assert_int_equal(mt_writer_new(&w, path, &err), MT_OK);
	assert_int_equal(mt_writer_header(w, &h, &err), MT_OK);
	put_self_type(w);
	uint8_t one = 1;
	assert_int_equal(mt_writer_mark(w, &one, 1, &err), MT_OK);
	assert_int_equal(mt_writer_mark(w, &one, 1, &err), MT_ARG);
	mt_writer_abort(w);
	assert_int_equal(mt_writer_new(&w, path, &err), MT_OK);
	assert_int_equal(mt_writer_header(w, &h, &err), MT_OK);
	put_self_type(w);
	assert_int_equal(mt_writer_mark(w, &one, 1, &err), MT_OK);
	assert_int_equal(mt_writer_finish(w, 1, &err), MT_OK);
	buf = slurp(path, &len);
	assert_int_equal(read_all(buf, len, &err, NULL), MT_TYPE);
	assert_non_null(strstr(err.detail, "without header mark_time"));
	free(buf);
	/* the writer refuses an object after the MARK, and the ROOTS */
	write_marked(path, 1795314950.5, true, true);
	h.mark_time = 1795314950.5;
	assert_int_equal(mt_writer_new(&w, path, &err), MT_OK);
	assert_int_equal(mt_writer_header(w, &h, &err), MT_OK);
	assert_int_equal(mt_writer_mark(w, &one, 0, &err), MT_OK);
	assert_int_equal(mt_writer_roots(w, NULL, 0, &err), MT_ARG);
	mt_writer_abort(w);
}

static void test_checksum_chunking(void **state)
{
	uint8_t data[1000];
	for (int i = 0; i < 1000; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	mt_hash64 a, b;
	mt_hash64_init(&a);
	mt_hash64_update(&a, data, sizeof data);
	for (size_t step = 1; step < 20; step++) {
		mt_hash64_init(&b);
		for (size_t i = 0; i < sizeof data; i += step)
			mt_hash64_update(&b, data + i,
					 i + step > sizeof data ? sizeof data - i
								: step);
		assert_true(mt_hash64_final(&a) == mt_hash64_final(&b));
	}
	/* one bit changes the sum; so does the length */
	data[500] ^= 1;
	mt_hash64_init(&b);
	mt_hash64_update(&b, data, sizeof data);
	assert_true(mt_hash64_final(&a) != mt_hash64_final(&b));
	mt_hash64_init(&b);
	mt_hash64_update(&b, data, sizeof data - 1);
	assert_true(mt_hash64_final(&a) != mt_hash64_final(&b));
}

static void test_random_corruption(void **state)
{
	const char *path = path_in("fuzz.mp");
	write_small(path);
	size_t len;
	uint8_t *buf = slurp(path, &len);
	uint8_t *copy = malloc(len + 16);
	unsigned seed = 12345;
	int detected = 0;
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = len;
		memcpy(copy, buf, len);
		int flips = 1 + (int)(rand_r(&seed) % 4);
		for (int k = 0; k < flips; k++) {
			size_t at = (size_t)rand_r(&seed) % n;
			int what = rand_r(&seed) % 3;
			if (what == 0)
				copy[at] ^= (uint8_t)(1 + rand_r(&seed) % 255);
			else if (what == 1 && n < len + 16) {
				memmove(copy + at + 1, copy + at, n - at);
				copy[at] = (uint8_t)rand_r(&seed);
				n++;
			} else if (n > 1) {
				memmove(copy + at, copy + at + 1, n - at - 1);
				n--;
			}
		}
		mt_err err;
		mt_status st = read_all(copy, n, &err, NULL);
		if (st != MT_END)
			detected++;
		else /* only a no-op edit may pass: compare */
			assert_true(n == len && !memcmp(copy, buf, len));
	}
	assert_true(detected > 19000);
	free(copy);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_truncation_everywhere),
		cmocka_unit_test(test_bad_magic_and_version),
		cmocka_unit_test(test_checksum_and_trailing),
		cmocka_unit_test(test_invalid_byte),
		cmocka_unit_test(test_unknown_reference),
		cmocka_unit_test(test_writer_misuse),
		cmocka_unit_test(test_writer_unwritable),
		cmocka_unit_test(test_full_disk),
		cmocka_unit_test(test_writer_tmp_file),
		cmocka_unit_test(test_writer_refused_targets),
		cmocka_unit_test(test_writer_target_changes),
		cmocka_unit_test(test_reader_duplicate_key),
		cmocka_unit_test(test_reader_process_keys),
		cmocka_unit_test(test_mark_record),
		cmocka_unit_test(test_checksum_chunking),
		cmocka_unit_test(test_random_corruption),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
