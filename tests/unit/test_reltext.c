/* Tests of reltext.h: heapy's relation texts and via labels for every
 * relation code (patterns from guppy's Path.py, doc/format.md). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "memtrack/graph.h"
#include "memtrack/reltext.h"

static mt_graph *G;
static uint32_t SRC; /* object id of the source of every edge */

static int setup(void **state)
{
	fx *f = fx_new();
	char path[] = "/tmp/mt_test_reltext_XXXXXX";
	int fd = mkstemp(path);
	uint32_t tt, ts, ti, src, key, ikey, tgt, map[16];
	mt_err err;
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	tt = fx_node(f, FX_SELF, 928, 0x1000, 1000, MT_NO_LENGTH);
	fx_qual(f, tt, "builtins", "type");
	ts = fx_node(f, tt, 416, 0x2000, 1000, MT_NO_LENGTH);
	fx_qual(f, ts, "builtins", "str");
	ti = fx_node(f, tt, 416, 0x3000, 1000, MT_NO_LENGTH);
	fx_qual(f, ti, "builtins", "int");
	src = fx_node(f, tt, 100, 0x4000, 1, MT_NO_LENGTH);
	key = fx_node(f, ts, 53, 0x5000, 1, 4);
	fx_str(f, key, "tags");
	ikey = fx_node(f, ti, 28, 0x6000, 1, MT_NO_LENGTH);
	fx_int(f, ikey, 7);
	tgt = fx_node(f, tt, 16, 0x7000, 1, MT_NO_LENGTH);
	/* edges 0.. in this order */
	fx_edge_name(f, src, MT_REL_ATTR, "name", tgt);
	fx_edge_int(f, src, MT_REL_INDEX, 3, tgt);
	fx_edge_key(f, src, key, tgt);
	fx_edge_key(f, src, ikey, tgt);
	fx_edge_int(f, src, MT_REL_KEY, 0, tgt);
	fx_edge_name(f, src, MT_REL_INTERATTR, "f_func", tgt);
	fx_edge_name(f, src, MT_REL_LOCAL, "x", tgt);
	fx_edge_name(f, src, MT_REL_CELL, "it's", tgt);
	fx_edge_int(f, src, MT_REL_STACK, 2, tgt);
	fx_edge_int(f, src, MT_REL_INSET, 5, tgt);
	fx_edge_int(f, src, MT_REL_OTHER, 1, tgt);
	fx_root(f, "i0_modules", src);
	fx_root(f, "i0_t140_f0", tgt);
	assert_int_equal(fx_write(f, path, map, NULL, &err), MT_OK);
	SRC = map[src];
	fx_free(f);
	assert_int_equal(mt_graph_load(&G, path, NULL, NULL, &err), MT_OK);
	unlink(path);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mt_graph_free(G);
	return 0;
}

static const char *const text[] = {
    "s.name",	     "s[3]",	      "s['tags']",	    "s[7]",
    "s.keys()[0]",   "s->f_func",     "s.f_locals['x']",    "s.f_locals [\"it's\"]",
    "s->f_valuestack[2]", "list(s)[5]", "s.??",
};
static const char *const via[] = {
    "'.name'",		"'[3]'",	   "\"['tags']\"",
    "'[7]'",		"'.keys()[0]'",	   "'->f_func'",
    "\".f_locals['x']\"", "'.f_locals [\"it\\'s\"]'",
    "'->f_valuestack[2]'", "'list(_)[5]'", "'.?\?'",
};

static void test_edges(void **state)
{
	uint32_t first, n, i;
	mt_strbuf sb;
	(void)state;
	mt_strbuf_init(&sb);
	mt_graph_out(G, SRC, &first, &n);
	assert_int_equal(n, sizeof text / sizeof *text);
	assert_int_equal(n, sizeof via / sizeof *via);
	for (i = 0; i < n; i++) {
		mt_strbuf_reset(&sb);
		assert_int_equal(mt_reltext_edge(G, first + i, "s", &sb), MT_OK);
		assert_string_equal(sb.s, text[i]);
		mt_strbuf_reset(&sb);
		assert_int_equal(mt_reltext_via(G, first + i, &sb), MT_OK);
		assert_string_equal(sb.s, via[i]);
	}
	/* raw via text: no repr quoting */
	mt_strbuf_reset(&sb);
	mt_reltext_via_raw(G, first + 2, &sb);
	assert_string_equal(sb.s, "['tags']");
	/* appending keeps what was there */
	mt_strbuf_reset(&sb);
	mt_strbuf_add(&sb, "x:", 2);
	mt_reltext_via_raw(G, first, &sb);
	assert_string_equal(sb.s, "x:.name");
	mt_strbuf_destroy(&sb);
}

/* dump.h's relation table: every row complete, and every relation but
 * ROOT (test_roots) has an edge in the fixture, so a new row needs its
 * edge and texts above. */
static void test_relation_table(void **state)
{
	bool seen[MT_REL_MAX_ + 1] = {false};
	uint32_t first, n, i;
	unsigned c;
	(void)state;
	mt_graph_out(G, SRC, &first, &n);
	for (i = 0; i < n; i++)
		seen[mt_graph_edge_rel(G, first + i)] = true;
	for (c = 1; c <= MT_REL_MAX_; c++) {
		const char *t = mt_relation_text(c);
		assert_non_null(mt_relation_name(c));
		assert_non_null(t);
		assert_true(mt_relation_label_kind(c) >= MT_LABEL_INT &&
			    mt_relation_label_kind(c) <= MT_LABEL_REF);
		assert_true(strstr(t, "%s") || c == MT_REL_ROOT);
		if (c != MT_REL_ROOT && !seen[c])
			fail_msg("relation %s has no edge in the fixture",
				 mt_relation_name(c));
	}
	assert_null(mt_relation_name(0));
	assert_null(mt_relation_text(MT_REL_MAX_ + 1));
	assert_int_equal(mt_relation_label_kind(MT_REL_MAX_ + 1), -1);
	/* heapy's order of path steps */
	assert_int_equal(mt_relation_order(MT_REL_ATTR), 1);
	assert_int_equal(mt_relation_order(MT_REL_KEYVAL), 2);
	assert_int_equal(mt_relation_order(MT_REL_INSET), 9);
	assert_int_equal(mt_relation_order(MT_REL_OTHER), -1);
	assert_int_equal(mt_relation_order(MT_REL_MAX_ + 1), -1);
}

static void test_roots(void **state)
{
	mt_strbuf sb;
	(void)state;
	mt_strbuf_init(&sb);
	assert_int_equal(mt_reltext_root(G, 0, &sb), MT_OK);
	assert_string_equal(sb.s, "hp.Root.i0_modules");
	mt_strbuf_reset(&sb);
	mt_reltext_root(G, 1, &sb);
	assert_string_equal(sb.s, "hp.Root.i0_t140_f0");
	mt_strbuf_reset(&sb);
	mt_reltext_root(G, 2, &sb);
	assert_string_equal(sb.s, "hp.Root.?");
	mt_strbuf_destroy(&sb);
}

/* Dict keys heapy prints with repr() in via texts and reprlib.repr() in
 * paths: tuples composed from their items, classes, long strs. */
static void test_key_reprs(void **state)
{
	fx *f = fx_new();
	char path[] = "/tmp/mt_test_reltext_keys_XXXXXX";
	int fd = mkstemp(path);
	uint32_t tt, ts, ti, ttu, tk, d, t1, t8, tx, tn, ls, map[64], i, first,
	    n;
	uint32_t addr = 0x10000;
	mt_graph *g;
	mt_err err;
	mt_strbuf b;
	static const char *const want[][2] = {
	    {"s[(1, 'a')]", "[(1, 'a')]"},
	    {"s[<class 'm.Outer.K'>]", "[<class 'm.Outer.K'>]"},
	    {"s[(1, 2, 3, 4, 5, 6, ...)]", "[(1, 2, 3, 4, 5, 6, 7, 8)]"},
	    {"s[('x',)]", "[('x',)]"},
	    {"s[((),)]", "[((),)]"},
	    {"s['LLLLLLLLLLLL...LLLLLLLLLLLLL']",
	     "['LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL']"},
	};
	(void)state;
	assert_true(fd >= 0);
	close(fd);
#define NODE(t, len) fx_node(f, (t), 64, addr += 0x100, 1, (len))
	tt = fx_node(f, FX_SELF, 928, 0x1000, 1000, MT_NO_LENGTH);
	fx_qual(f, tt, "builtins", "type");
	ts = NODE(tt, MT_NO_LENGTH), fx_qual(f, ts, "builtins", "str");
	ti = NODE(tt, MT_NO_LENGTH), fx_qual(f, ti, "builtins", "int");
	ttu = NODE(tt, MT_NO_LENGTH), fx_qual(f, ttu, "builtins", "tuple");
	tk = NODE(tt, MT_NO_LENGTH), fx_qual(f, tk, "m", "Outer.K");
	d = NODE(tt, 6);
	fx_root(f, "i0_modules", d);
	t1 = NODE(ttu, 2);
	{
		uint32_t one = NODE(ti, MT_NO_LENGTH), a = NODE(ts, 1);
		fx_int(f, one, 1), fx_str(f, a, "a");
		fx_edge_int(f, t1, MT_REL_INDEX, 0, one);
		fx_edge_int(f, t1, MT_REL_INDEX, 1, a);
	}
	t8 = NODE(ttu, 8);
	for (i = 0; i < 8; i++) {
		uint32_t it = NODE(ti, MT_NO_LENGTH);
		fx_int(f, it, i + 1);
		fx_edge_int(f, t8, MT_REL_INDEX, i, it);
	}
	tx = NODE(ttu, 1);
	{
		uint32_t x = NODE(ts, 1);
		fx_str(f, x, "x");
		fx_edge_int(f, tx, MT_REL_INDEX, 0, x);
	}
	tn = NODE(ttu, 1);
	fx_edge_int(f, tn, MT_REL_INDEX, 0, NODE(ttu, 0));
	ls = NODE(ts, 40);
	fx_str(f, ls, "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL");
	fx_edge_key(f, d, t1, tt);
	fx_edge_key(f, d, tk, tt);
	fx_edge_key(f, d, t8, tt);
	fx_edge_key(f, d, tx, tt);
	fx_edge_key(f, d, tn, tt);
	fx_edge_key(f, d, ls, tt);
#undef NODE
	assert_int_equal(fx_write(f, path, map, NULL, &err), MT_OK);
	fx_free(f);
	assert_int_equal(mt_graph_load(&g, path, NULL, NULL, &err), MT_OK);
	unlink(path);
	mt_graph_out(g, map[d], &first, &n);
	assert_int_equal(n, 6);
	mt_strbuf_init(&b);
	for (i = 0; i < n; i++) {
		mt_strbuf_reset(&b);
		assert_int_equal(mt_reltext_edge(g, first + i, "s", &b), MT_OK);
		assert_string_equal(b.s, want[i][0]);
		mt_strbuf_reset(&b);
		assert_int_equal(mt_reltext_via_raw(g, first + i, &b), MT_OK);
		assert_string_equal(b.s, want[i][1]);
	}
	mt_strbuf_destroy(&b);
	mt_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_edges),
	    cmocka_unit_test(test_relation_table),
	    cmocka_unit_test(test_roots),
	    cmocka_unit_test(test_key_reprs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
