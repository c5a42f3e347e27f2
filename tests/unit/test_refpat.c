/* cmocka tests of reference patterns (refpat.h): golden text for a chain
 * of lists (names, fill, [R]), a heap with dicts of instances, a module
 * ([S]) and a self-reference ([^ n]), the 80-column summary cut, paging
 * with and without the "more" line, the depth limit ([+]), and a 200000
 * long chain generated without recursion. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "graphgen.h"
#include "memtrack/refpat.h"

static char path[256];

static int setup(void **state)
{
	snprintf(path, sizeof path, "/tmp/mt_test_refpat.%ld.mp",
		 (long)getpid());
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	return 0;
}

static mt_graph *load(void)
{
	mt_graph *g;
	mt_err err;
	assert_int_equal(mt_graph_load(&g, path, NULL, NULL, &err), MT_OK);
	return g;
}

static char *page(mt_graph *g, uint32_t id, unsigned depth, size_t first,
		  bool title, size_t *next)
{
	mt_set *x;
	mt_refpat *rp;
	mt_err err;
	assert_int_equal(mt_set_from_ids(&x, &id, 1, &err), MT_OK);
	assert_int_equal(mt_refpat_new(&rp, g, NULL, x, depth, &err), MT_OK);
	mt_set_unref(x);
	mt_strbuf b;
	mt_strbuf_init(&b);
	if (first) /* generate what an earlier page would have */
		assert_int_equal(mt_refpat_format(rp, 0, true, &b, NULL, &err),
				 MT_OK);
	mt_strbuf_reset(&b);
	assert_int_equal(mt_refpat_format(rp, first, title, &b, next, &err),
			 MT_OK);
	mt_refpat_free(rp);
	return b.s;
}

/* root -> l[n-1] -> ... -> l[0], lists of length 1 (l[0] empty). */
static uint32_t chain(uint32_t n)
{
	fx *f = fx_new();
	uint32_t tt = fx_node(f, FX_SELF, 400, 0x100, 1, MT_NO_LENGTH);
	fx_qual(f, tt, "builtins", "type");
	uint32_t tl = fx_node(f, tt, 400, 0x200, 1, MT_NO_LENGTH);
	fx_qual(f, tl, "builtins", "list");
	uint32_t *l = malloc(n * sizeof *l);
	for (uint32_t i = 0; i < n; i++) {
		l[i] = fx_node(f, tl, 64, 0x1000 + 0x100 * (uint64_t)i, 1,
			       i ? 1 : 0);
		if (i)
			fx_edge_int(f, l[i], MT_REL_INDEX, 0, l[i - 1]);
	}
	fx_root(f, "i0_modules", l[n - 1]);
	uint32_t *map = malloc((n + 2) * sizeof *map);
	mt_err err;
	assert_int_equal(fx_write(f, path, map, NULL, &err), MT_OK);
	uint32_t d = map[l[0]];
	free(map);
	free(l);
	fx_free(f);
	return d;
}

static void test_chain(void **state)
{
	uint32_t d = chain(6);
	mt_graph *g = load();
	char *s = page(g, d, 0, 0, true, NULL);
	assert_string_equal(s,
			    "Reference Pattern by <[dict of] class>.\n"
			    " 0: _ --- [-] 1 list: 0x1000*0\n"
			    " 1: a      [-] 1 list: 0x1100*1\n"
			    " 2: aa ---- [-] 1 list: 0x1200*1\n"
			    " 3: a3       [-] 1 list: 0x1300*1\n"
			    " 4: a4 ------ [-] 1 list: 0x1400*1\n"
			    " 5: a5         [R] 1 list: 0x1500*1\n");
	free(s);
	mt_graph_free(g);
}

static void test_paging_and_depth(void **state)
{
	size_t next;
	uint32_t d = chain(32);
	mt_graph *g = load();
	/* 32 rows, depth 35: ten rows, then the plain "more" line */
	char *s = page(g, d, 35, 0, true, &next);
	assert_non_null(strstr(s, " 9: a9             [-] 1 list: 0x1900*1\n"
				  "<Type e.g. '_.more' for more.>\n"));
	assert_null(strstr(s, "10: "));
	assert_int_equal(next, 10);
	free(s);
	/* the next page, no title */
	s = page(g, d, 35, 10, false, &next);
	assert_true(strncmp(s, "10: a10 ----------- [-] 1 list: 0x1a00*1\n",
			    41) == 0);
	assert_int_equal(next, 20);
	free(s);
	/* depth 10: eleven rows, the last one shown instead of "more" */
	s = page(g, d, 10, 0, true, &next);
	assert_non_null(strstr(s, "10: a10 ----------- [+] 1 list: 0x1a00*1\n"));
	assert_null(strstr(s, "more"));
	assert_int_equal(next, 11);
	free(s);
	mt_graph_free(g);
}

static void test_rows_complete_count(void **state)
{
	uint32_t d = chain(32);
	mt_graph *g = load();
	mt_set *x;
	mt_refpat *rp;
	mt_err err;
	assert_int_equal(mt_set_from_ids(&x, &d, 1, &err), MT_OK);
	assert_int_equal(mt_refpat_new(&rp, g, NULL, x, 35, &err), MT_OK);
	const mt_refpat_row *row;
	assert_int_equal(mt_refpat_row_at(rp, 32, &row, &err), MT_END);
	assert_true(mt_refpat_complete(rp));
	assert_int_equal(mt_refpat_row_at(rp, 31, &row, &err), MT_OK);
	assert_int_equal(row->marker, MT_REFPAT_ROOT);
	assert_string_equal(row->name, "a31");
	assert_int_equal(row->parent, 30);
	mt_strbuf b;
	mt_strbuf_init(&b);
	assert_int_equal(mt_refpat_format(rp, 10, false, &b, NULL, &err),
			 MT_OK);
	assert_non_null(
	    strstr(b.s, "<12 more lines. Type e.g. '_.more' for more.>\n"));
	mt_strbuf_destroy(&b);
	mt_refpat_free(rp);
	mt_set_unref(x);
	mt_graph_free(g);
}

/* root -> MODS (dict) ['__main__'] -> MOD (module) .__dict__ -> MD;
 * MD['a'] -> A, MD['b'] -> B (Nodes); A.__dict__ -> AD, B.__dict__ -> BD;
 * AD['x'] -> X, BD['x'] -> X (a list); X[0] -> X. */
enum { TT, TD, TS, TL, TM, TN, MODS, KM, MOD, MD, KA, KB, KX, A, B, AD,
       BD, X, NN };

static void test_kinds_stop_and_seen(void **state)
{
	fx *f = fx_new();
	uint32_t n[NN];
	n[TT] = fx_node(f, FX_SELF, 400, 0x100, 1, MT_NO_LENGTH);
	fx_qual(f, n[TT], "builtins", "type");
	static const char *tn[][2] = {{"builtins", "dict"},
				      {"builtins", "str"},
				      {"builtins", "list"},
				      {"builtins", "module"},
				      {"__main__", "Node"}};
	for (int i = 0; i < 5; i++) {
		n[TD + i] = fx_node(f, n[TT], 400, 0x200 + 0x100 * (uint64_t)i,
				    1, MT_NO_LENGTH);
		fx_qual(f, n[TD + i], tn[i][0], tn[i][1]);
	}
	n[MODS] = fx_node(f, n[TD], 1200, 0x10000, 1, 1);
	n[KM] = fx_node(f, n[TS], 57, 0x11000, 1, 8);
	fx_str(f, n[KM], "__main__");
	n[MOD] = fx_node(f, n[TM], 72, 0x12000, 1, MT_NO_LENGTH);
	fx_str(f, n[MOD], "__main__");
	n[MD] = fx_node(f, n[TD], 1000, 0x13000, 1, 2);
	n[KA] = fx_node(f, n[TS], 50, 0x14000, 1, 1);
	fx_str(f, n[KA], "a");
	n[KB] = fx_node(f, n[TS], 50, 0x15000, 1, 1);
	fx_str(f, n[KB], "b");
	n[KX] = fx_node(f, n[TS], 50, 0x16000, 1, 1);
	fx_str(f, n[KX], "x");
	n[A] = fx_node(f, n[TN], 48, 0x7f0000001000, 1, MT_NO_LENGTH);
	n[B] = fx_node(f, n[TN], 48, 0x7f0000002000, 1, MT_NO_LENGTH);
	n[AD] = fx_node(f, n[TD], 232, 0x7f0000003000, 1, 1);
	n[BD] = fx_node(f, n[TD], 232, 0x7f0000004000, 1, 1);
	n[X] = fx_node(f, n[TL], 88, 0x7f0000005000, 1, 1);
	fx_root(f, "i0_modules", n[MODS]);
	fx_edge_key(f, n[MODS], n[KM], n[MOD]);
	fx_edge_name(f, n[MOD], MT_REL_ATTR, "__dict__", n[MD]);
	fx_edge_key(f, n[MD], n[KA], n[A]);
	fx_edge_key(f, n[MD], n[KB], n[B]);
	fx_edge_name(f, n[A], MT_REL_ATTR, "__dict__", n[AD]);
	fx_edge_name(f, n[B], MT_REL_ATTR, "__dict__", n[BD]);
	fx_edge_key(f, n[AD], n[KX], n[X]);
	fx_edge_key(f, n[BD], n[KX], n[X]);
	fx_edge_int(f, n[X], MT_REL_INDEX, 0, n[X]);
	uint32_t m[NN];
	mt_err err;
	assert_int_equal(fx_write(f, path, m, NULL, &err), MT_OK);
	fx_free(f);
	mt_graph *g = load();
	char *s = page(g, m[X], 0, 0, true, NULL);
	assert_string_equal(
	    s, "Reference Pattern by <[dict of] class>.\n"
	       " 0: _ --- [-] 1 list: 0x7f0000005000*1\n"
	       " 1: a      [-] 2 dict of __main__.Node: 0x7f0000003000*1, "
	       "0x7f0000004000*1\n"
	       " 2: aa ---- [-] 2 __main__.Node: 0x7f0000001000, "
	       "0x7f0000002000\n"
	       " 3: a3       [S] 1 dict of module: 0x13000*2\n"
	       " 4: b ---- [^ 0] 1 list: 0x7f0000005000*1\n");
	free(s);
	mt_graph_free(g);
}

/* Five lists refer to X: the summary stops at what fits in 80 columns. */
static void test_summary_cut(void **state)
{
	fx *f = fx_new();
	uint32_t tt = fx_node(f, FX_SELF, 400, 0x100, 1, MT_NO_LENGTH);
	fx_qual(f, tt, "builtins", "type");
	uint32_t tl = fx_node(f, tt, 400, 0x200, 1, MT_NO_LENGTH);
	fx_qual(f, tl, "builtins", "list");
	uint32_t x = fx_node(f, tl, 56, 0x1000, 1, 0), l[5];
	for (int i = 0; i < 5; i++) {
		l[i] = fx_node(f, tl, 96, 0x7f000000e000 - 0x1000 * (uint64_t)i,
			       1, 5);
		fx_edge_int(f, l[i], MT_REL_INDEX, 0, x);
		fx_root(f, "i0_modules", l[i]);
	}
	uint32_t m[8];
	mt_err err;
	assert_int_equal(fx_write(f, path, m, NULL, &err), MT_OK);
	fx_free(f);
	mt_graph *g = load();
	char *s = page(g, m[x], 0, 0, false, NULL);
	assert_string_equal(s, " 0: _ --- [-] 1 list: 0x1000*0\n"
			       " 1: a      [R] 5 list: 0x7f000000a000*5, "
			       "0x7f000000b000*5, 0x7f000000c000*5...\n");
	free(s);
	mt_graph_free(g);
}

/* 200000 lists in a chain, depth 200000: every row generated, no
 * recursion. */
static void test_long_chain(void **state)
{
	uint32_t n = 200000;
	tg_edge *e = malloc(n * sizeof *e);
	for (uint32_t i = 0; i + 1 < n; i++)
		e[i] = (tg_edge){i + 1, i, 0, 0};
	uint32_t roots[] = {n - 1}, *map = malloc((n + 1) * sizeof *map);
	tg_graph tg = {.n = n, .edges = e, .nedges = n - 1, .roots = roots,
		      .nroots = 1};
	tg_write(path, &tg, map);
	mt_graph *g = load();
	mt_set *x;
	mt_refpat *rp;
	mt_err err;
	assert_int_equal(mt_set_from_ids(&x, &map[0], 1, &err), MT_OK);
	assert_int_equal(mt_refpat_new(&rp, g, NULL, x, n, &err), MT_OK);
	const mt_refpat_row *row;
	assert_int_equal(mt_refpat_row_at(rp, n - 1, &row, &err), MT_OK);
	assert_int_equal(row->marker, MT_REFPAT_ROOT);
	assert_int_equal(row->depth, n - 1);
	mt_refpat_free(rp);
	mt_set_unref(x);
	mt_graph_free(g);
	free(map);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_paging_and_depth),
		cmocka_unit_test(test_rows_complete_count),
		cmocka_unit_test(test_kinds_stop_and_seen),
		cmocka_unit_test(test_summary_cut),
		cmocka_unit_test(test_long_chain),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
