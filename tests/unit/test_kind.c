/* Tests of kind.h: every constructor and comparison selecting from a small
 * heap, the simplifications of combinations, and heapy's brief forms. */
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

#include "fixture.h"
#include "memtrack/graph.h"
#include "memtrack/kind.h"
#include "memtrack/set.h"

enum {
	T_TYPE, T_OBJECT, T_DICT, T_LIST, T_STR, T_TUPLE, T_MOD, T_BASE,
	T_DERIVED, MRO_B, MRO_D, MAIN, MAINDICT, L, D1, D1DICT, B1, TAGS, S1,
	KEY, KEY2, NCOUNT
};

static mt_graph *G;
static uint32_t M[NCOUNT];
static mt_set *ALL;

#define ADDR(i) (0x7f0000000000ULL + 0x100ULL * (i))

static int setup(void **state)
{
	fx *f = fx_new();
	uint32_t n[NCOUNT], map[NCOUNT], i;
	char path[] = "/tmp/mt_test_kind_XXXXXX";
	int fd = mkstemp(path);
	mt_err err;
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	n[T_TYPE] = fx_node(f, FX_SELF, 900, ADDR(T_TYPE), 100, MT_NO_LENGTH);
	fx_qual(f, n[T_TYPE], "builtins", "type");
#define TY(k, m, q)                                                            \
	n[k] = fx_node(f, n[T_TYPE], 400, ADDR(k), 100, MT_NO_LENGTH);         \
	fx_qual(f, n[k], m, q)
	TY(T_OBJECT, "builtins", "object");
	TY(T_DICT, "builtins", "dict");
	TY(T_LIST, "builtins", "list");
	TY(T_STR, "builtins", "str");
	TY(T_TUPLE, "builtins", "tuple");
	TY(T_MOD, "builtins", "module");
	TY(T_BASE, "__main__", "Base");
	TY(T_DERIVED, "__main__", "Derived");
#undef TY
#define OB(k, t, size, len) n[k] = fx_node(f, n[t], size, ADDR(k), 1, len)
	OB(MRO_B, T_TUPLE, 56, 2);
	OB(MRO_D, T_TUPLE, 64, 3);
	OB(MAIN, T_MOD, 72, MT_NO_LENGTH);
	fx_str(f, n[MAIN], "__main__");
	OB(MAINDICT, T_DICT, 640, 1);
	OB(L, T_LIST, 88, 3);
	OB(D1, T_DERIVED, 48, MT_NO_LENGTH);
	OB(D1DICT, T_DICT, 104, 1);
	OB(B1, T_BASE, 48, MT_NO_LENGTH);
	OB(TAGS, T_DICT, 184, 1);
	OB(S1, T_STR, 53, 4);
	fx_str(f, n[S1], "abcd");
	OB(KEY, T_STR, 50, 1);
	fx_str(f, n[KEY], "k");
	OB(KEY2, T_STR, 50, 1);
	fx_str(f, n[KEY2], "it's");
#undef OB
	fx_edge_name(f, n[T_BASE], MT_REL_ATTR, "__mro__", n[MRO_B]);
	fx_edge_int(f, n[MRO_B], MT_REL_INDEX, 0, n[T_BASE]);
	fx_edge_int(f, n[MRO_B], MT_REL_INDEX, 1, n[T_OBJECT]);
	fx_edge_name(f, n[T_DERIVED], MT_REL_ATTR, "__mro__", n[MRO_D]);
	fx_edge_int(f, n[MRO_D], MT_REL_INDEX, 0, n[T_DERIVED]);
	fx_edge_int(f, n[MRO_D], MT_REL_INDEX, 1, n[T_BASE]);
	fx_edge_int(f, n[MRO_D], MT_REL_INDEX, 2, n[T_OBJECT]);
	fx_root(f, "i0_modules", n[MAIN]);
	fx_edge_name(f, n[MAIN], MT_REL_ATTR, "__dict__", n[MAINDICT]);
	fx_edge_key(f, n[MAINDICT], n[KEY], n[L]);
	fx_edge_int(f, n[L], MT_REL_INDEX, 0, n[D1]);
	fx_edge_int(f, n[L], MT_REL_INDEX, 1, n[B1]);
	fx_edge_int(f, n[L], MT_REL_INDEX, 2, n[S1]);
	fx_edge_name(f, n[D1], MT_REL_ATTR, "__dict__", n[D1DICT]);
	fx_edge_key(f, n[D1DICT], n[KEY], n[TAGS]);
	fx_edge_key(f, n[TAGS], n[KEY2], n[S1]);
	assert_int_equal(fx_write(f, path, map, NULL, &err), MT_OK);
	for (i = 0; i < NCOUNT; i++)
		M[i] = map[n[i]];
	fx_free(f);
	assert_int_equal(mt_graph_load(&G, path, NULL, NULL, &err), MT_OK);
	unlink(path);
	assert_int_equal(mt_set_all(&ALL, G, &err), MT_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mt_set_unref(ALL);
	mt_graph_free(G);
	return 0;
}

/* Selects with k from all objects and compares with the expected nodes
 * (a -1 terminated list of NCOUNT indices); drops k. */
static void expect(mt_kind *k, const int *want)
{
	mt_set *s;
	mt_err err;
	uint32_t ids[NCOUNT];
	size_t n = 0;
	assert_int_equal(mt_kind_select(k, G, ALL, &s, &err), MT_OK);
	while (want[n] >= 0) {
		ids[n] = M[want[n]];
		n++;
	}
	{
		mt_set *w;
		assert_int_equal(mt_set_from_ids(&w, ids, n, &err), MT_OK);
		if (!mt_set_equal(s, w)) {
			size_t i;
			for (i = 0; i < mt_set_count(s); i++)
				fprintf(stderr, "got id %u type %s\n",
					mt_set_ids(s)[i],
					mt_graph_type_label(
					    G, mt_graph_type(G, mt_set_ids(s)[i])));
			fail_msg("selection differs (%zu objects, want %zu)",
				 mt_set_count(s), n);
		}
		mt_set_unref(w);
	}
	mt_set_unref(s);
	mt_kind_unref(k);
}

#define WANT(...) ((const int[]){__VA_ARGS__, -1})
#define NONE_ ((const int[]){-1})

static mt_kind *alt(mt_kind *k, const char *cmp)
{
	mt_kind *r;
	mt_err err;
	assert_int_equal(mt_kind_alt(&r, k, cmp, &err), MT_OK);
	mt_kind_unref(k);
	return r;
}

static mt_kind *type(const char *l)
{
	mt_kind *k;
	mt_err err;
	assert_int_equal(mt_kind_type(&k, l, &err), MT_OK);
	return k;
}

static void test_type(void **state)
{
	mt_err err;
	mt_kind *k;
	(void)state;
	expect(type("__main__.Base"), WANT(B1));
	expect(type("dict"), WANT(MAINDICT, D1DICT, TAGS));
	expect(alt(type("__main__.Base"), "<="), WANT(B1, D1));
	expect(alt(type("__main__.Base"), "<"), WANT(D1));
	expect(alt(type("__main__.Derived"), ">="), WANT(B1, D1));
	expect(alt(type("__main__.Derived"), ">"), WANT(B1));
	expect(alt(type("object"), "<="), WANT(B1, D1));
	/* != is the complement */
	k = alt(type("str"), "!="); /* alt() drops the temporary Type kind */
	(void)err;
	{
		mt_set *s;
		assert_int_equal(mt_kind_select(k, G, ALL, &s, &err), MT_OK);
		assert_int_equal(mt_set_count(s), mt_graph_count(G) - 3);
		mt_set_unref(s);
	}
	mt_kind_unref(k);
	/* alt with a bad operator */
	k = type("str");
	{
		mt_kind *bad = (mt_kind *)1;
		assert_int_equal(mt_kind_alt(&bad, k, "=~", &err), MT_ARG);
		assert_null(bad);
	}
	mt_kind_unref(k);
}

static void test_clodo(void **state)
{
	mt_kind *k, *t;
	mt_err err;
	(void)state;
	assert_int_equal(mt_kind_clodo(&k, "dict of __main__.Derived", &err),
			 MT_OK);
	expect(k, WANT(D1DICT));
	assert_int_equal(mt_kind_clodo_dictof(&k, "__main__.Derived", &err),
			 MT_OK);
	expect(k, WANT(D1DICT));
	assert_int_equal(mt_kind_clodo_dictof(&k, "", &err), MT_OK);
	expect(k, WANT(TAGS));
	assert_int_equal(mt_kind_clodo(&k, "dict of module", &err), MT_OK);
	expect(k, WANT(MAINDICT));
	t = type("__main__.Derived");
	assert_int_equal(mt_kind_dictof(&k, t, &err), MT_OK);
	mt_kind_unref(t);
	expect(k, WANT(D1DICT));
	assert_int_equal(mt_kind_nothing(&t, &err), MT_OK);
	assert_int_equal(mt_kind_dictof(&k, t, &err), MT_OK);
	mt_kind_unref(t);
	expect(k, WANT(TAGS));
	/* Clodo of a class compares like Type */
	assert_int_equal(mt_kind_clodo(&k, "__main__.Base", &err), MT_OK);
	expect(alt(k, "<="), WANT(B1, D1));
	/* no order on dict kinds */
	assert_int_equal(mt_kind_clodo(&k, "dict (no owner)", &err), MT_OK);
	assert_int_equal(mt_kind_alt(&t, k, "<=", &err), MT_ARG);
	mt_kind_unref(k);
}

static void test_size_module_id(void **state)
{
	mt_kind *k;
	mt_err err;
	(void)state;
	assert_int_equal(mt_kind_size(&k, 184, &err), MT_OK);
	expect(k, WANT(TAGS));
	assert_int_equal(mt_kind_size(&k, 400, &err), MT_OK);
	expect(alt(k, ">"), WANT(T_TYPE, MAINDICT));
	assert_int_equal(mt_kind_size(&k, 50, &err), MT_OK);
	expect(alt(k, "<="), WANT(KEY, KEY2, D1, B1));
	assert_int_equal(mt_kind_module(&k, "__main__", &err), MT_OK);
	expect(k, WANT(MAIN));
	assert_int_equal(mt_kind_module(&k, "os", &err), MT_OK);
	expect(k, NONE_);
	assert_int_equal(mt_kind_id(&k, ADDR(S1), &err), MT_OK);
	expect(k, WANT(S1));
}

static void test_via_rcs(void **state)
{
	mt_kind *k;
	mt_err err;
	(void)state;
	assert_int_equal(mt_kind_via(&k, (const char *[]){"['k']"}, 1, &err),
			 MT_OK);
	expect(k, WANT(L, TAGS));
	/* the user's quotes do not matter */
	assert_int_equal(mt_kind_via(&k, (const char *[]){"[\"k\"]"}, 1, &err),
			 MT_OK);
	expect(k, WANT(L, TAGS));
	/* S1 is referred via [2] and ["it's"]: == needs the whole set */
	assert_int_equal(mt_kind_via(&k, (const char *[]){"[2]"}, 1, &err),
			 MT_OK);
	expect(k, NONE_);
	assert_int_equal(mt_kind_via(&k, (const char *[]){"[2]"}, 1, &err),
			 MT_OK);
	/* object is referred via [1] and [2] (the two MRO tuples) */
	expect(alt(k, ">="), WANT(S1, T_OBJECT));
	assert_int_equal(
	    mt_kind_via(&k, (const char *[]){"[2]", "['it\\'s']", "[\"it's\"]"},
			3, &err),
	    MT_OK);
	/* the escaped spelling is not normalised, the plain one is; the
	 * empty set (no referrers but the root, or none) is a subset */
	expect(alt(k, "<="), WANT(S1, MAIN, T_TYPE, T_STR, T_LIST, T_DICT,
				  T_MOD, T_TUPLE, KEY, KEY2));
	assert_int_equal(mt_kind_via(&k, (const char *[]){".__dict__"}, 1,
				     &err),
			 MT_OK);
	expect(k, WANT(MAINDICT, D1DICT));
	assert_int_equal(mt_kind_rcs(&k, (const char *[]){"list"}, 1, &err),
			 MT_OK);
	expect(k, WANT(D1, B1));
	assert_int_equal(
	    mt_kind_rcs(&k, (const char *[]){"dict (no owner)"}, 1, &err),
	    MT_OK);
	expect(alt(k, ">="), WANT(S1));
	assert_int_equal(mt_kind_rcs(&k, NULL, 0, &err), MT_OK);
	/* no referrers: the root-only module, the never-referred types, the
	 * keys (the fixture writes no key edges) */
	expect(k, WANT(MAIN, T_TYPE, T_STR, T_LIST, T_DICT, T_MOD, T_TUPLE,
		       KEY, KEY2));
}

static void test_combinations(void **state)
{
	mt_kind *any, *none, *a, *b, *k, *k2;
	mt_err err;
	(void)state;
	assert_int_equal(mt_kind_anything(&any, &err), MT_OK);
	assert_int_equal(mt_kind_nothing(&none, &err), MT_OK);
	a = type("dict");
	assert_int_equal(mt_kind_size(&b, 184, &err), MT_OK);
	/* trivial simplifications return the operand itself */
	assert_int_equal(mt_kind_and(&k, any, a, &err), MT_OK);
	assert_ptr_equal(k, a);
	mt_kind_unref(k);
	assert_int_equal(mt_kind_and(&k, a, none, &err), MT_OK);
	assert_ptr_equal(k, none);
	mt_kind_unref(k);
	assert_int_equal(mt_kind_or(&k, none, a, &err), MT_OK);
	assert_ptr_equal(k, a);
	mt_kind_unref(k);
	assert_int_equal(mt_kind_or(&k, a, any, &err), MT_OK);
	assert_ptr_equal(k, any);
	mt_kind_unref(k);
	assert_int_equal(mt_kind_not(&k, a, &err), MT_OK);
	assert_int_equal(mt_kind_not(&k2, k, &err), MT_OK);
	assert_ptr_equal(k2, a);
	mt_kind_unref(k2);
	mt_kind_unref(k);
	/* real combinations */
	assert_int_equal(mt_kind_and(&k, a, b, &err), MT_OK);
	expect(k, WANT(TAGS));
	assert_int_equal(mt_kind_not(&k2, b, &err), MT_OK);
	assert_int_equal(mt_kind_and(&k, a, k2, &err), MT_OK);
	mt_kind_unref(k2);
	expect(k, WANT(MAINDICT, D1DICT));
	{ /* or() borrows its operands: drop the temporary afterwards */
		mt_kind *base = type("__main__.Base");
		assert_int_equal(mt_kind_or(&k, a, base, &err), MT_OK);
		mt_kind_unref(base);
	}
	expect(k, WANT(MAINDICT, D1DICT, TAGS, B1));
	expect(mt_kind_ref(any), WANT(T_TYPE, T_OBJECT, T_DICT, T_LIST, T_STR,
				      T_TUPLE, T_MOD, T_BASE, T_DERIVED, MRO_B,
				      MRO_D, MAIN, MAINDICT, L, D1, D1DICT, B1,
				      TAGS, S1, KEY, KEY2));
	expect(mt_kind_ref(none), NONE_);
	/* select from a subset */
	{
		mt_set *sub, *s;
		uint32_t ids[] = {M[TAGS], M[S1]};
		assert_int_equal(mt_set_from_ids(&sub, ids, 2, &err), MT_OK);
		assert_int_equal(mt_kind_select(a, G, sub, &s, &err), MT_OK);
		assert_int_equal(mt_set_count(s), 1);
		assert_int_equal(mt_set_ids(s)[0], M[TAGS]);
		mt_set_unref(s);
		mt_set_unref(sub);
	}
	mt_kind_unref(a);
	mt_kind_unref(b);
	mt_kind_unref(any);
	mt_kind_unref(none);
}

static void check_brief(mt_kind *k, const char *want)
{
	mt_strbuf sb;
	mt_strbuf_init(&sb);
	assert_int_equal(mt_kind_brief(k, &sb), MT_OK);
	assert_string_equal(sb.s, want);
	mt_strbuf_destroy(&sb);
	mt_kind_unref(k);
}

static void test_brief(void **state)
{
	mt_kind *k, *k2, *k3;
	mt_err err;
	(void)state;
	mt_kind_size(&k, 56, &err);
	check_brief(mt_kind_ref(k), "<size = 56>");
	check_brief(alt(k, ">"), "<size > 56>");
	check_brief(alt(type("dict"), "<="), "<subtype of dict>");
	check_brief(type("dict"), "dict");
	mt_kind_via(&k, (const char *[]){"['k']"}, 1, &err);
	check_brief(k, "<via \"['k']\">");
	mt_kind_via(&k, (const char *[]){".b", "['k']"}, 2, &err);
	check_brief(alt(k, ">="), "<via >= \"['k']\", '.b'>");
	mt_kind_rcs(&k, (const char *[]){"list"}, 1, &err);
	check_brief(k, "<referred by: list>");
	mt_kind_anything(&k, &err);
	check_brief(k, "<Anything>");
	mt_kind_nothing(&k, &err);
	check_brief(k, "<Nothing>");
	mt_kind_clodo_dictof(&k, "", &err);
	check_brief(mt_kind_ref(k), "dict (no owner)");
	mt_kind_not(&k2, k, &err);
	check_brief(k2, "~(dict (no owner))");
	mt_kind_size(&k2, 56, &err);
	mt_kind_and(&k3, k, k2, &err);
	check_brief(k3, "(dict (no owner) & <size = 56>)");
	mt_kind_or(&k3, k, k2, &err);
	check_brief(k3, "(dict (no owner) | <size = 56>)");
	mt_kind_not(&k3, k2, &err);
	check_brief(k3, "~<size = 56>");
	mt_kind_unref(k);
	mt_kind_unref(k2);
	mt_kind_module(&k, "os", &err);
	check_brief(k, "<module os>");
	mt_kind_id(&k, 0x7f00, &err);
	check_brief(k, "<id 0x7f00>");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_type),
	    cmocka_unit_test(test_clodo),
	    cmocka_unit_test(test_size_module_id),
	    cmocka_unit_test(test_via_rcs),
	    cmocka_unit_test(test_combinations),
	    cmocka_unit_test(test_brief),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
