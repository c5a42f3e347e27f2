/* Allocation sites end to end without Python: the SITES record written by
 * mt_writer_sites and checked by the reader (dump.h, doc/format.md), loaded
 * by the graph (mt_graph_site) and classified by the `prod` row (heapy's
 * byprod: `file:line`, `unknown`, or one row saying why a dump has none).
 *
 * The dump: object 0 is the type `type` (its own type), 1..N-1 are ints;
 * object i has site i % (NSITES + 1) (0: unknown), so site numbers above
 * 127 take two LEB128 bytes.  Site k is line 10 * k of file k % 2. */
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

#include "memtrack/classifier.h"
#include "memtrack/graph.h"
#include "memtrack/kind.h"
#include "memtrack/reader.h"
#include "memtrack/set.h"
#include "memtrack/writer.h"

#define NOBJ 400
#define NSITES 300

static char path[256];

static mt_header header(void)
{
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
	h.time = 1795314944.5;
	h.ptr_size = 8;
	h.gc_header = 16;
	return h;
}

static const char *const files[] = {"/srv/app/models.py", "<string>"};
static const uint32_t file_lens[] = {18, 8};
static uint32_t site_file[NSITES], site_line[NSITES], obj_site[NOBJ];

/* Writes NOBJ objects; with sites, the SITES record (of nsites sites). */
static mt_writer *write_objects(const char *p, uint32_t nobj)
{
	mt_writer *w;
	mt_err err;
	mt_header h = header();
	assert_int_equal(mt_writer_new(&w, p, &err), MT_OK);
	assert_int_equal(mt_writer_header(w, &h, &err), MT_OK);
	mt_obj t = {.type = 0,
		    .size = 400,
		    .addr = 0x5000,
		    .refcnt = 100,
		    .length = MT_NO_LENGTH,
		    .value = {.kind = MT_VAL_QUALNAME,
			      .s = "builtins",
			      .slen = 8,
			      .s2 = "type",
			      .s2len = 4}};
	assert_int_equal(mt_writer_object(w, 0, &t, NULL, 0, &err), MT_OK);
	for (uint32_t i = 1; i < nobj; i++) {
		mt_obj o = {.type = 0,
			    .size = 28,
			    .addr = 0x9000 + 32 * i,
			    .refcnt = 1,
			    .length = MT_NO_LENGTH,
			    .value = {.kind = MT_VAL_INT, .i = i}};
		assert_int_equal(mt_writer_object(w, i, &o, NULL, 0, &err),
				 MT_OK);
	}
	return w;
}

static void tables(void)
{
	for (uint32_t k = 1; k <= NSITES; k++) {
		site_file[k - 1] = k % 2;
		site_line[k - 1] = 10 * k;
	}
	for (uint32_t i = 0; i < NOBJ; i++)
		obj_site[i] = i % (NSITES + 1);
}

static uint8_t *slurp(const char *p, size_t *len)
{
	FILE *f = fopen(p, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(*len);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, *len, f), *len);
	fclose(f);
	return b;
}

static mt_status read_all(const uint8_t *buf, size_t len, mt_err *err)
{
	mt_reader *r;
	mt_record rec;
	mt_status st = mt_reader_new(&r, buf, len, err);
	while (st == MT_OK)
		st = mt_reader_next(r, &rec, err);
	mt_reader_free(r);
	return st == MT_END ? MT_OK : st;
}

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "/tmp/mt_test_prod.%d.mp", (int)getpid());
	tables();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

/* Round trip: the reader gives the tables back and one value per object. */
static void test_record(void **state)
{
	mt_err err;
	(void)state;
	mt_writer *w = write_objects(path, NOBJ);
	assert_int_equal(mt_writer_sites(w, files, file_lens, 2, site_file,
					 site_line, NSITES, obj_site, NOBJ,
					 &err),
			 MT_OK);
	/* twice, or an object after it: refused */
	assert_int_equal(mt_writer_sites(w, files, file_lens, 2, site_file,
					 site_line, NSITES, obj_site, NOBJ,
					 &err),
			 MT_ARG);
	mt_writer_abort(w);
	w = write_objects(path, NOBJ);
	assert_int_equal(mt_writer_sites(w, files, file_lens, 2, site_file,
					 site_line, NSITES, obj_site, NOBJ,
					 &err),
			 MT_OK);
	mt_obj o = {.type = 0,
		    .size = 28,
		    .addr = 0xa000,
		    .refcnt = 1,
		    .length = MT_NO_LENGTH};
	assert_int_equal(mt_writer_object(w, NOBJ, &o, NULL, 0, &err), MT_ARG);
	mt_writer_abort(w);

	w = write_objects(path, NOBJ);
	assert_int_equal(mt_writer_sites(w, files, file_lens, 2, site_file,
					 site_line, NSITES, obj_site, NOBJ,
					 &err),
			 MT_OK);
	assert_int_equal(mt_writer_finish(w, NOBJ, &err), MT_OK);
	size_t len;
	uint8_t *buf = slurp(path, &len);
	mt_reader *r;
	mt_record rec;
	mt_status st;
	assert_int_equal(mt_reader_new(&r, buf, len, &err), MT_OK);
	while ((st = mt_reader_next(r, &rec, &err)) == MT_OK)
		assert_int_equal(rec.kind, MT_RECORD_OBJECT);
	assert_int_equal(st, MT_END);
	mt_sites_rec sr;
	assert_true(mt_reader_sites(r, &sr));
	assert_int_equal(sr.nfiles, 2);
	assert_string_equal(sr.files[0], "/srv/app/models.py");
	assert_string_equal(sr.files[1], "<string>");
	assert_int_equal(sr.nsites, NSITES);
	assert_int_equal(sr.site_file[0], 1);
	assert_int_equal(sr.site_line[NSITES - 1], 10 * NSITES);
	const uint8_t *p = sr.codes;
	for (uint32_t i = 0; i < NOBJ; i++)
		assert_int_equal(mt_sites_next(&p), obj_site[i]);
	assert_ptr_equal(p, sr.codes + sr.ncodes);
	mt_reader_free(r);
	free(buf);
}

/* The writer refuses a site or file it does not have and a record that
 * does not cover every object; the reader a value above the site count, a
 * cut value, a file index out of range and a wrong count. */
static void test_refusals(void **state)
{
	mt_err err;
	(void)state;
	mt_writer *w = write_objects(path, 10);
	uint32_t bad[10] = {0};
	bad[3] = 2;
	assert_int_equal(mt_writer_sites(w, files, file_lens, 2, site_file,
					 site_line, 1, bad, 10, &err),
			 MT_ARG);
	mt_writer_abort(w);
	w = write_objects(path, 10);
	uint32_t f2 = 2;
	assert_int_equal(mt_writer_sites(w, files, file_lens, 2, &f2, site_line,
					 1, obj_site, 10, &err),
			 MT_ARG);
	mt_writer_abort(w);
	w = write_objects(path, 10);
	assert_int_equal(mt_writer_sites(w, files, file_lens, 2, site_file,
					 site_line, NSITES, obj_site, 9, &err),
			 MT_ARG);
	mt_writer_abort(w);

	/* [7, ["/srv/app/models.py"], [0, 5], bin of 10: 0 1 0 0 ...] */
	uint32_t one_file = 0, line5 = 5, codes[10] = {0, 1};
	w = write_objects(path, 10);
	assert_int_equal(mt_writer_sites(w, files, file_lens, 1, &one_file,
					 &line5, 1, codes, 10, &err),
			 MT_OK);
	assert_int_equal(mt_writer_finish(w, 10, &err), MT_OK);
	size_t len, at = 0;
	uint8_t *buf = slurp(path, &len);
	assert_int_equal(read_all(buf, len, &err), MT_OK);
	for (size_t i = 0; i + 3 < len; i++)
		if (buf[i] == 0x94 && buf[i + 1] == 7 && buf[i + 2] == 0x91)
			at = i;
	assert_true(at > 0);
	size_t sites_at = at + 3 + 1 + 18, bin = sites_at + 3;
	assert_int_equal(buf[sites_at], 0x92);
	assert_int_equal(buf[bin], 0xc4);
	assert_int_equal(buf[bin + 1], 10);
	/* the checksum is checked at END, after these */
	buf[bin + 3] = 2; /* object 1: site 2 of 1 */
	assert_int_equal(read_all(buf, len, &err), MT_RANGE);
	assert_non_null(strstr(err.detail, "site 2 of 1"));
	buf[bin + 3] = 1;
	buf[bin + 2 + 9] = 0x80; /* the last value is cut */
	assert_int_equal(read_all(buf, len, &err), MT_RANGE);
	assert_non_null(strstr(err.detail, "cut"));
	buf[bin + 2 + 9] = 0;
	buf[sites_at + 1] = 1; /* site 1 names file 1 of 1 */
	assert_int_equal(read_all(buf, len, &err), MT_RANGE);
	buf[sites_at + 1] = 0;
	buf[bin + 1] = 9; /* 9 values for 10 objects */
	assert_int_not_equal(read_all(buf, len, &err), MT_OK);
	free(buf);
}

static const char *label_of(mt_classifier *c, uint32_t id)
{
	uint32_t kind;
	mt_err err;
	assert_int_equal(mt_classifier_classify(c, id, &kind, &err), MT_OK);
	return mt_classifier_label(c, kind);
}

/* The graph keeps each object's site; prod labels it heapy's way. */
static void test_graph_and_classifier(void **state)
{
	mt_err err;
	mt_graph *g;
	char want[64];
	(void)state;
	mt_writer *w = write_objects(path, NOBJ);
	assert_int_equal(mt_writer_sites(w, files, file_lens, 2, site_file,
					 site_line, NSITES, obj_site, NOBJ,
					 &err),
			 MT_OK);
	assert_int_equal(mt_writer_finish(w, NOBJ, &err), MT_OK);
	assert_int_equal(mt_graph_load(&g, path, NULL, NULL, &err), MT_OK);
	assert_true(mt_graph_has_sites(g));
	assert_int_equal(mt_graph_site_count(g), NSITES);
	uint32_t line;
	for (uint32_t i = 0; i < NOBJ; i++)
		assert_int_equal(mt_graph_site(g, i), obj_site[i]);
	assert_null(mt_graph_site_file(g, 0, &line));
	assert_string_equal(mt_graph_site_file(g, 3, &line), "<string>");
	assert_int_equal(line, 30);

	const mt_classifier_def *def = mt_classifier_def_find("prod");
	assert_non_null(def);
	assert_string_equal(def->header, "Producer (line of allocation)");
	assert_int_equal(def->key, 'p');
	mt_classifier *c;
	assert_int_equal(mt_classifier_new_def(&c, g, def, NULL, &err), MT_OK);
	assert_string_equal(label_of(c, 0), "unknown");
	assert_string_equal(label_of(c, 2), "/srv/app/models.py:20");
	assert_string_equal(label_of(c, 3), "<string>:30");
	assert_string_equal(label_of(c, 301), "unknown");
	snprintf(want, sizeof want, "/srv/app/models.py:%u", 10 * 200);
	assert_string_equal(label_of(c, 200), want);
	/* one kind per site: objects 2 and 303 share site 2 */
	uint32_t k1, k2;
	assert_int_equal(mt_classifier_classify(c, 2, &k1, &err), MT_OK);
	assert_int_equal(mt_classifier_classify(c, 303, &k2, &err), MT_OK);
	assert_int_equal(k1, k2);
	mt_classifier_unref(c);
	mt_graph_free(g);

	/* without a SITES record: one kind, saying why */
	w = write_objects(path, 10);
	assert_int_equal(mt_writer_finish(w, 10, &err), MT_OK);
	assert_int_equal(mt_graph_load(&g, path, NULL, NULL, &err), MT_OK);
	assert_false(mt_graph_has_sites(g));
	assert_int_equal(mt_graph_site(g, 3), 0);
	assert_null(mt_graph_site_file(g, 1, &line));
	assert_int_equal(mt_classifier_new_def(&c, g, def, NULL, &err), MT_OK);
	for (uint32_t i = 0; i < 10; i++)
		assert_string_equal(label_of(c, i),
				    "<no allocation sites: the program did not "
				    "run with tracemalloc>");
	mt_classifier_unref(c);
	mt_graph_free(g);
}

/* How many objects of the whole graph k selects. */
static size_t select_count(const mt_graph *g, mt_kind *k)
{
	mt_err err;
	mt_set *all, *sel;
	assert_int_equal(mt_set_all(&all, g, &err), MT_OK);
	assert_int_equal(mt_kind_select(k, g, all, &sel, &err), MT_OK);
	size_t n = mt_set_count(sel);
	mt_set_unref(sel);
	mt_set_unref(all);
	mt_kind_unref(k);
	return n;
}

static const char *brief_of(mt_kind *k)
{
	static char text[128];
	mt_strbuf b;
	mt_strbuf_init(&b);
	assert_int_equal(mt_kind_brief(k, &b), MT_OK);
	snprintf(text, sizeof text, "%s", b.s ? b.s : "");
	mt_strbuf_destroy(&b);
	return text;
}

/* hp.Prod kinds with heapy's order: Prod() unknown, (file, line) exact,
 * (prefix) files under it, (None, line) with >= / <= a line range. */
static void test_prod_kinds(void **state)
{
	mt_err err;
	mt_graph *g;
	mt_kind *k, *a, *b;
	(void)state;
	mt_writer *w = write_objects(path, NOBJ);
	assert_int_equal(mt_writer_sites(w, files, file_lens, 2, site_file,
					 site_line, NSITES, obj_site, NOBJ,
					 &err),
			 MT_OK);
	assert_int_equal(mt_writer_finish(w, NOBJ, &err), MT_OK);
	assert_int_equal(mt_graph_load(&g, path, NULL, NULL, &err), MT_OK);
	/* object i has site i % 301: sites 0 (unknown) for ids 0 and 301 */
	assert_int_equal(mt_kind_prod_unknown(&k, &err), MT_OK);
	assert_string_equal(brief_of(k), "unknown");
	assert_int_equal(select_count(g, k), 2);
	/* site 2 (models.py:20): ids 2 and 303 */
	assert_int_equal(mt_kind_prod(&k, "/srv/app/models.py", 20, &err),
			 MT_OK);
	assert_string_equal(brief_of(k), "/srv/app/models.py:20");
	assert_int_equal(select_count(g, k), 2);
	/* None with ==: never */
	assert_int_equal(mt_kind_prod(&k, NULL, 20, &err), MT_OK);
	assert_int_equal(select_count(g, k), 0);
	/* files under /srv/app: the even sites, 150 of 300: ids 2, 4 .. 300
	 * (150) and 302 .. 398 even (49) */
	assert_int_equal(mt_kind_prod(&a, "/srv/app", MT_KIND_NOLINE, &err),
			 MT_OK);
	assert_int_equal(mt_kind_alt(&k, a, "<", &err), MT_OK);
	mt_kind_unref(a);
	assert_string_equal(brief_of(k), "<producer < /srv/app:*>");
	assert_int_equal(select_count(g, k), 150 + 49);
	/* lines 30 .. 50: sites 3, 4, 5: ids 3 4 5 304 305 306 */
	assert_int_equal(mt_kind_prod(&a, NULL, 30, &err), MT_OK);
	assert_int_equal(mt_kind_alt(&b, a, ">=", &err), MT_OK);
	mt_kind_unref(a);
	assert_int_equal(mt_kind_prod(&a, NULL, 50, &err), MT_OK);
	mt_kind *c;
	assert_int_equal(mt_kind_alt(&c, a, "<=", &err), MT_OK);
	mt_kind_unref(a);
	assert_int_equal(mt_kind_and(&k, b, c, &err), MT_OK);
	mt_kind_unref(b);
	mt_kind_unref(c);
	assert_int_equal(select_count(g, k), 6);
	mt_graph_free(g);

	/* a dump without sites: no object matches, not even Prod() */
	w = write_objects(path, 10);
	assert_int_equal(mt_writer_finish(w, 10, &err), MT_OK);
	assert_int_equal(mt_graph_load(&g, path, NULL, NULL, &err), MT_OK);
	assert_int_equal(mt_kind_prod_unknown(&k, &err), MT_OK);
	assert_int_equal(select_count(g, k), 0);
	mt_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_record),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_graph_and_classifier),
	    cmocka_unit_test(test_prod_kinds),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
