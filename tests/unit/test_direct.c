/* cmocka tests of the reader's direct decoder of OBJECT records
 * (reader.c, fast_object): it must change nothing but speed.  Two readers
 * go through the same bytes in lockstep, one with the direct decoder and
 * one without (mt_reader_set_direct), and every record (all fields, value
 * bytes, edges) and every error (code, byte offset, record number, detail)
 * must be the same: on a dump with every value kind and encoding the
 * writer makes (str 8/16, long edge lists with array 16/32 headers,
 * references 1, 2, 3 and 5 bytes long, virtual objects, negative address
 * steps, 64-bit sizes and refcounts, bins, which only the general path
 * reads), on that dump cut at every offset, with one byte replaced by
 * each of a set of telling values at every offset, and with random
 * edits.  Also: the running checksum (mt_reader_done) covers what the
 * reader consumed, and the loader's page release leaves the graph the
 * same as a load from memory. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "memtrack/graph.h"
#include "memtrack/reader.h"
#include "memtrack/writer.h"

static char tmpdir[256];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/mt_test_direct.XXXXXX");
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

static mt_header header(void)
{
	static const char *argv[] = {"prog.py"};
	mt_header h = {0};
	h.memtrack_version = "0.1.0";
	h.python_version = "3.11.7";
	h.py_major = 3;
	h.py_minor = 11;
	h.py_micro = 7;
	h.implementation = "cpython";
	h.build = "release";
	h.executable = "/usr/bin/python3";
	h.pid = 1;
	h.argc = 1;
	h.argv = argv;
	h.time = 1795314944.5;
	h.ptr_size = 8;
	h.gc_header = 16;
	h.nthreads = 0;
	h.mark_time = 1795314940.0;
	return h;
}

static void obj(mt_writer *w, uint32_t id, uint32_t type, uint64_t size,
		uint64_t addr, uint64_t refcnt, int64_t length, mt_value v,
		const mt_edge *e, size_t n)
{
	mt_err err;
	mt_obj o = {.type = type,
		    .size = size,
		    .addr = addr,
		    .refcnt = refcnt,
		    .length = length,
		    .value = v};
	assert_int_equal(mt_writer_object(w, id, &o, e, n, &err), MT_OK);
}

/* Writes the test dump: `big` adds 70000 objects (references of 3 and 5
 * bytes) and an object of 30000 edges (array 32 header). */
static char *write_dump(const char *name, bool big)
{
	static char path[400];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	mt_writer *w;
	mt_err err;
	mt_header h = header();
	assert_int_equal(mt_writer_new(&w, path, &err), MT_OK);
	mt_writer_set_thread(w, false);
	assert_int_equal(mt_writer_header(w, &h, &err), MT_OK);
	uint32_t nm[3];
	const char *names[] = {"__dict__", "x", "root"};
	for (int i = 0; i < 3; i++)
		assert_int_equal(mt_writer_name(w, names[i], strlen(names[i]),
						&nm[i], &err),
				 MT_OK);
	mt_edge roots[] = {{.target = 0, .rel = MT_REL_ROOT, .label = nm[2]}};
	assert_int_equal(mt_writer_roots(w, roots, 1, &err), MT_OK);
	/* 0: type `type`, its own type; 1: list type; 2: a list of the
	 * next objects */
	mt_value q = {.kind = MT_VAL_QUALNAME,
		      .s = "builtins",
		      .slen = 8,
		      .s2 = "type",
		      .s2len = 4};
	obj(w, 0, 0, 416, 0x7f0000001000, 1u << 20, MT_NO_LENGTH, q, NULL, 0);
	q.s2 = "list";
	q.s2len = 4;
	/* object 1 introduces itself (its id is the counter `hi`) */
	obj(w, 1, 0, 416, 0x7f0000000800, 5, MT_NO_LENGTH, q, NULL, 0);
	uint32_t hi = 2;
	/* object 2: a list with `k` new items (array 16/32 header) */
	uint32_t k = big ? 30000 : 20;
	mt_edge *e = calloc(k + 8, sizeof *e);
	assert_non_null(e);
	for (uint32_t i = 0; i < k; i++)
		e[i] = (mt_edge){.target = hi + 1 + i, .rel = MT_REL_INDEX,
				 .label = i == 7 ? (1ull << 40) : i};
	obj(w, 2, 1, 56 + 8ull * k, 0x7f0000002000, 1, k,
	    (mt_value){.kind = MT_VAL_NONE}, e, k);
	hi = 2 + 1 + k;
	static char text[300];
	memset(text, 'a', sizeof text);
	uint32_t total = hi + (big ? 70000 : 0);
	uint64_t addr = 0x7f0000003000;
	for (uint32_t id = 3; id < total; id++) {
		mt_value v = {.kind = MT_VAL_NONE};
		unsigned r = id % 13;
		switch (r) {
		case 0:
			v = (mt_value){.kind = MT_VAL_STR, .s = text,
				       .slen = id % 40};
			break;
		case 1:
			v = (mt_value){.kind = MT_VAL_STR, .s = text,
				       .slen = 200 + id % 90}; /* str 8/16 */
			break;
		case 2:
			v = (mt_value){.kind = MT_VAL_INT,
				       .i = (int64_t)id * -977};
			break;
		case 3:
			v = (mt_value){.kind = MT_VAL_INT,
				       .i = id % 2 ? INT64_MIN : INT64_MAX};
			break;
		case 4:
			v = (mt_value){.kind = MT_VAL_FLOAT, .d = id / 7.0};
			break;
		case 5:
			v = (mt_value){.kind = MT_VAL_BOOL, .i = id % 2};
			break;
		case 6:
			v = (mt_value){.kind = MT_VAL_CODE, .s = "f.py",
				       .slen = 4, .i = -(int64_t)id,
				       .s2 = "g", .s2len = 1};
			break;
		case 7:
			v = (mt_value){.kind = MT_VAL_BYTES, .s = text,
				       .slen = id % 64};
			break;
		case 8:
			v = (mt_value){.kind = MT_VAL_QUALNAME, .s = "m",
				       .slen = 1, .s2 = "C", .s2len = 1};
			break;
		default:
			break;
		}
		/* edges: back references near and far, keyval labels,
		 * names; new ids while there are some to introduce */
		size_t n = 0;
		if (id % 3 == 0)
			e[n++] = (mt_edge){.target = id - 1, .rel = MT_REL_ATTR,
					   .label = nm[1]};
		if (id % 5 == 0 && id > 200)
			e[n++] = (mt_edge){.target = id - 200,
					   .rel = MT_REL_KEYVAL,
					   .label = id % 7 == 0 ? 2 : id - 150};
		if (id % 11 == 0 && id > 70000)
			e[n++] = (mt_edge){.target = 5, .rel = MT_REL_OTHER,
					   .label = id};
		if (hi < total && id % 2 == 0)
			e[n++] = (mt_edge){.target = hi++,
					   .rel = MT_REL_INTERATTR,
					   .label = nm[0]};
		bool virt = id % 17 == 0;
		if (!virt)
			addr = id % 19 == 0 ? addr - 4096 : addr + 64 * (id % 9);
		if (!virt && addr == 0)
			addr = 1;
		obj(w, id, id % 4 ? 1 : 0,
		    id % 23 == 0 ? (1ull << 40) + id : 16 + id % 300,
		    virt ? 0 : addr,
		    virt ? 0 : (id % 29 == 0 ? (1ull << 33) : id % 7),
		    id % 6 == 0 ? MT_NO_LENGTH
				: (id % 31 == 0 ? -5 : (int64_t)(id % 100)),
		    v, e, n);
		if (hi == id + 1 && id + 1 < total)
			hi++; /* the next record introduces itself */
	}
	free(e);
	assert_int_equal(mt_writer_warning(w, "a warning", 9, &err), MT_OK);
	uint64_t nobj = mt_writer_objects(w);
	uint8_t *bits = calloc((nobj + 7) / 8, 1);
	for (uint64_t i = 0; i < nobj; i += 3)
		bits[i / 8] |= (uint8_t)(1u << (i % 8));
	assert_int_equal(mt_writer_mark(w, bits, nobj, &err), MT_OK);
	free(bits);
	assert_int_equal(mt_writer_finish(w, nobj, &err), MT_OK);
	return path;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc(*len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

static void same_value(const mt_value *a, const mt_value *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->slen, b->slen);
	assert_int_equal(a->s2len, b->s2len);
	assert_true(a->s == b->s); /* both point into the buffer */
	assert_true(a->s2 == b->s2);
	assert_true(a->i == b->i);
	assert_memory_equal(&a->d, &b->d, sizeof a->d);
}

/* Reads buf with and without the direct decoder in lockstep; returns the
 * final status (MT_END or the error's code) and how many records were
 * compared in *nrec. */
static mt_status lockstep(const uint8_t *buf, size_t len, uint64_t *nrec)
{
	mt_reader *a, *b;
	mt_err ea, eb;
	mt_status sa = mt_reader_new(&a, buf, len, &ea);
	mt_status sb = mt_reader_new(&b, buf, len, &eb);
	assert_int_equal(sa, sb);
	*nrec = 0;
	if (sa != MT_OK)
		return sa;
	mt_reader_set_direct(b, false);
	for (;;) {
		mt_record ra, rb;
		memset(&ra, 0x55, sizeof ra);
		memset(&rb, 0x55, sizeof rb);
		mt_err_clear(&ea);
		mt_err_clear(&eb);
		sa = mt_reader_next(a, &ra, &ea);
		sb = mt_reader_next(b, &rb, &eb);
		assert_int_equal(sa, sb);
		assert_int_equal(mt_reader_offset(a), mt_reader_offset(b));
		if (sa != MT_OK) {
			if (sa != MT_END) {
				assert_int_equal(ea.code, eb.code);
				assert_true(ea.offset == eb.offset);
				assert_true(ea.record == eb.record);
				assert_string_equal(ea.detail, eb.detail);
			}
			break;
		}
		++*nrec;
		assert_int_equal(ra.kind, rb.kind);
		assert_true(ra.offset == rb.offset);
		if (ra.kind == MT_RECORD_OBJECT) {
			assert_int_equal(ra.id, rb.id);
			assert_int_equal(ra.obj.type, rb.obj.type);
			assert_true(ra.obj.size == rb.obj.size);
			assert_true(ra.obj.addr == rb.obj.addr);
			assert_true(ra.obj.refcnt == rb.obj.refcnt);
			assert_true(ra.obj.length == rb.obj.length);
			same_value(&ra.obj.value, &rb.obj.value);
		}
		if (ra.kind != MT_RECORD_NAME) {
			assert_int_equal(ra.nedges, rb.nedges);
			for (size_t i = 0; i < ra.nedges; i++) {
				assert_int_equal(ra.edges[i].target,
						 rb.edges[i].target);
				assert_int_equal(ra.edges[i].rel,
						 rb.edges[i].rel);
				assert_true(ra.edges[i].label ==
					    rb.edges[i].label);
			}
		}
	}
	if (sa == MT_END) {
		assert_memory_equal(mt_reader_trailer(a), mt_reader_trailer(b),
				    sizeof(mt_trailer));
		/* the running checksum has covered the file up to the END
		 * record's checksum field */
		assert_true(mt_reader_done(a) <= mt_reader_offset(a));
		assert_true(mt_reader_done(a) + 9 + 1 >= len - 10);
	}
	mt_reader_free(a);
	mt_reader_free(b);
	return sa;
}

static void test_valid_dump(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = slurp(write_dump("big.mp", true), &len);
	uint64_t n;
	assert_int_equal(lockstep(buf, len, &n), MT_END);
	assert_true(n > 100000);
	/* the same dump read through the graph, from memory and from the
	 * file with its pages released as it goes */
	mt_graph *g1, *g2;
	mt_err err;
	char path[400];
	snprintf(path, sizeof path, "%s/big.mp", tmpdir);
	assert_int_equal(mt_graph_load_buffer(&g1, buf, len, NULL, NULL, &err),
			 MT_OK);
	assert_int_equal(mt_graph_load(&g2, path, NULL, NULL, &err), MT_OK);
	assert_int_equal(mt_graph_count(g1), mt_graph_count(g2));
	assert_int_equal(mt_graph_edge_count(g1), mt_graph_edge_count(g2));
	for (uint32_t id = 0; id < mt_graph_count(g1); id++) {
		assert_true(mt_graph_size(g1, id) == mt_graph_size(g2, id));
		assert_true(mt_graph_refcnt(g1, id) == mt_graph_refcnt(g2, id));
		assert_true(mt_graph_length(g1, id) == mt_graph_length(g2, id));
		assert_true(mt_graph_marked(g1, id) == mt_graph_marked(g2, id));
		assert_true(mt_graph_marked(g1, id) == (id % 3 == 0));
	}
	/* the sizes, refcounts and lengths the side tables hold */
	assert_true(mt_graph_size(g1, 23 * 10) == (1ull << 40) + 230);
	assert_true(mt_graph_refcnt(g1, 29 * 11) == (1ull << 33));
	assert_true(mt_graph_length(g1, 31 * 5) == -5);
	assert_true(mt_graph_length(g1, 2) == 30000);
	mt_graph_free(g1);
	mt_graph_free(g2);
	free(buf);
}

static void test_cut_everywhere(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = slurp(write_dump("small.mp", false), &len);
	uint64_t n;
	assert_int_equal(lockstep(buf, len, &n), MT_END);
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, buf, cut);
		assert_int_not_equal(lockstep(copy, cut, &n), MT_END);
		free(copy);
	}
	free(buf);
}

static void test_bytes_everywhere(void **state)
{
	(void)state;
	static const uint8_t vals[] = {0x00, 0x01, 0x03, 0x7f, 0x80, 0x92,
				       0x93, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1,
				       0xc2, 0xc4, 0xca, 0xcb, 0xcc, 0xcd,
				       0xce, 0xcf, 0xd0, 0xd3, 0xd9, 0xdb,
				       0xdc, 0xdd, 0xe0, 0xff};
	size_t len;
	uint8_t *buf = slurp(write_dump("bytes.mp", false), &len);
	uint8_t *copy = malloc(len);
	uint64_t n, errors = 0;
	for (size_t at = 0; at < len; at++)
		for (size_t k = 0; k <= sizeof vals; k++) {
			memcpy(copy, buf, len);
			copy[at] = k < sizeof vals ? vals[k] : buf[at] ^ 1;
			if (copy[at] == buf[at])
				continue;
			errors += lockstep(copy, len, &n) != MT_END;
		}
	assert_true(errors > 0);
	free(copy);
	free(buf);
}

static void test_random_edits(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = slurp(write_dump("edits.mp", false), &len);
	uint8_t *copy = malloc(len + 16);
	unsigned seed = 4242;
	uint64_t n;
	for (int iter = 0; iter < 20000; iter++) {
		size_t m = len;
		memcpy(copy, buf, len);
		int edits = 1 + rand_r(&seed) % 3;
		for (int k = 0; k < edits; k++) {
			size_t at = (size_t)rand_r(&seed) % m;
			int what = rand_r(&seed) % 3;
			if (what == 0)
				copy[at] = (uint8_t)rand_r(&seed);
			else if (what == 1 && m < len + 16) {
				memmove(copy + at + 1, copy + at, m - at);
				copy[at] = (uint8_t)rand_r(&seed);
				m++;
			} else if (m > 1) {
				memmove(copy + at, copy + at + 1, m - at - 1);
				m--;
			}
		}
		(void)lockstep(copy, m, &n);
	}
	free(copy);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_dump),
	    cmocka_unit_test(test_cut_everywhere),
	    cmocka_unit_test(test_bytes_everywhere),
	    cmocka_unit_test(test_random_edits),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
