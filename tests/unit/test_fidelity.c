/* cmocka tests of two heapy-fidelity rules on hand-made dumps:
 *
 * - the loader's ob_type edges (graph.h, doc/loader.md): an instance of a
 *   heap type (one with an attr edge __name__) refers to it, last among its
 *   edges, so the class's referrers hold its instances; not for static
 *   types, virtual objects or the classes of a metaclass; wide labels stay
 *   with their edges when edges move; byvia never shows ->ob_type;
 * - interpreter-owned objects (dominator.h, mt_interp_owned) are children
 *   of the virtual root: a user object that alone refers to a small int,
 *   None, a static type or (3.12+) an immortal object does not retain it,
 *   in the dominator tree and in set dominance alike.
 */
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
#include "memtrack/dominance.h"
#include "memtrack/dominator.h"
#include "memtrack/graph.h"
#include "memtrack/navigate.h"
#include "memtrack/partition.h"

static char path[256];

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "/tmp/mt_test_fidelity.%ld.mp",
		 (long)getpid());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static mt_graph *load(void)
{
	mt_graph *g = NULL;
	mt_err err;
	assert_int_equal(mt_graph_load(&g, path, NULL, NULL, &err), MT_OK);
	return g;
}

static mt_set *one(uint32_t id)
{
	mt_set *s = NULL;
	mt_err err;
	assert_int_equal(mt_set_from_ids(&s, &id, 1, &err), MT_OK);
	return s;
}

static bool set_has(const mt_set *s, uint32_t id)
{
	for (size_t i = 0; i < mt_set_count(s); i++)
		if (mt_set_ids(s)[i] == id)
			return true;
	return false;
}

/* ---- ob_type edges ------------------------------------------------------ */

/* A builtin type object builtins.<name> of metatype meta at addr. */
static uint32_t builtin_type(fx *f, uint32_t meta, uint64_t addr,
			     const char *name)
{
	uint32_t id = fx_node(f, meta, 400, addr, 1, MT_NO_LENGTH);
	fx_qual(f, id, "builtins", name);
	return id;
}

enum { TTYPE, TSTR, TTUP, TOBJ, TLIST, C, CNAME, CMRO, M, MNAME, MMRO, K,
       KNAME, KMRO, I1, I2, V, L, S1, NN };

static void write_classes(uint32_t *n)
{
	fx *f = fx_new();
	mt_err err;
	n[TTYPE] = builtin_type(f, FX_SELF, 0x100, "type");
	n[TSTR] = builtin_type(f, n[TTYPE], 0x200, "str");
	n[TTUP] = builtin_type(f, n[TTYPE], 0x300, "tuple");
	n[TOBJ] = builtin_type(f, n[TTYPE], 0x400, "object");
	n[TLIST] = builtin_type(f, n[TTYPE], 0x500, "list");
	/* class C (heap type, plain) */
	n[C] = fx_node(f, n[TTYPE], 900, 0x1000, 5, MT_NO_LENGTH);
	fx_qual(f, n[C], "__main__", "C");
	n[CNAME] = fx_node(f, n[TSTR], 50, 0x1100, 1, 1);
	fx_str(f, n[CNAME], "C");
	n[CMRO] = fx_node(f, n[TTUP], 56, 0x1200, 1, 2);
	fx_edge_name(f, n[C], MT_REL_ATTR, "__mro__", n[CMRO]);
	fx_edge_name(f, n[C], MT_REL_ATTR, "__name__", n[CNAME]);
	fx_edge_int(f, n[CMRO], MT_REL_INDEX, 0, n[C]);
	fx_edge_int(f, n[CMRO], MT_REL_INDEX, 1, n[TOBJ]);
	/* metaclass M(type) and its class K */
	n[M] = fx_node(f, n[TTYPE], 900, 0x2000, 3, MT_NO_LENGTH);
	fx_qual(f, n[M], "__main__", "M");
	n[MNAME] = fx_node(f, n[TSTR], 50, 0x2100, 1, 1);
	fx_str(f, n[MNAME], "M");
	n[MMRO] = fx_node(f, n[TTUP], 64, 0x2200, 1, 3);
	fx_edge_name(f, n[M], MT_REL_ATTR, "__name__", n[MNAME]);
	fx_edge_name(f, n[M], MT_REL_ATTR, "__mro__", n[MMRO]);
	fx_edge_int(f, n[MMRO], MT_REL_INDEX, 0, n[M]);
	fx_edge_int(f, n[MMRO], MT_REL_INDEX, 1, n[TTYPE]);
	fx_edge_int(f, n[MMRO], MT_REL_INDEX, 2, n[TOBJ]);
	n[K] = fx_node(f, n[M], 900, 0x3000, 2, MT_NO_LENGTH);
	fx_qual(f, n[K], "__main__", "K");
	n[KNAME] = fx_node(f, n[TSTR], 50, 0x3100, 1, 1);
	fx_str(f, n[KNAME], "K");
	n[KMRO] = fx_node(f, n[TTUP], 56, 0x3200, 1, 2);
	fx_edge_name(f, n[K], MT_REL_ATTR, "__name__", n[KNAME]);
	fx_edge_name(f, n[K], MT_REL_ATTR, "__mro__", n[KMRO]);
	fx_edge_int(f, n[KMRO], MT_REL_INDEX, 0, n[K]);
	fx_edge_int(f, n[KMRO], MT_REL_INDEX, 1, n[TOBJ]);
	/* instances: I1 and I2 with a wide-labelled edge each (I2's moves
	 * by I1's ob_type edge), a
	 * virtual object of type C (never gets the edge) */
	n[I1] = fx_node(f, n[C], 56, 0x4000, 1, MT_NO_LENGTH);
	n[I2] = fx_node(f, n[C], 56, 0x4100, 1, MT_NO_LENGTH);
	n[V] = fx_node(f, n[C], 40, 0, 0, MT_NO_LENGTH);
	n[S1] = fx_node(f, n[TSTR], 60, 0x4200, 1, 2);
	fx_str(f, n[S1], "s1");
	fx_edge_int(f, n[I1], MT_REL_OTHER, 7ULL << 32, n[S1]);
	fx_edge_name(f, n[I1], MT_REL_ATTR, "__dict__", n[V]);
	fx_edge_int(f, n[I2], MT_REL_OTHER, 9ULL << 32, n[S1]);
	n[L] = fx_node(f, n[TLIST], 88, 0x5000, 1, 4);
	fx_edge_int(f, n[L], MT_REL_INDEX, 0, n[I1]);
	fx_edge_int(f, n[L], MT_REL_INDEX, 1, n[I2]);
	fx_edge_int(f, n[L], MT_REL_INDEX, 2, n[K]);
	fx_edge_int(f, n[L], MT_REL_INDEX, (1ULL << 40), n[C]);
	fx_root(f, "i0_modules", n[L]);
	fx_root(f, "i0_dict", n[M]);
	uint32_t map[NN];
	assert_int_equal(fx_write(f, path, map, NULL, &err), MT_OK);
	for (int k = 0; k < NN; k++)
		n[k] = map[n[k]]; /* builder index -> object id */
	fx_free(f);
}

/* The out-edge of src to dst, or UINT32_MAX. */
static uint32_t edge_to(const mt_graph *g, uint32_t src, uint32_t dst)
{
	uint32_t first, cnt;
	mt_graph_out(g, src, &first, &cnt);
	for (uint32_t e = first; e < first + cnt; e++)
		if (mt_graph_edge_target(g, e) == dst)
			return e;
	return UINT32_MAX;
}

static void test_type_edges(void **state)
{
	(void)state;
	uint32_t n[NN];
	write_classes(n);
	mt_graph *g = load();
	uint32_t first, cnt, e;

	/* the dump has 20 edges (root edges are not counted); I1 and I2 get
	 * one each: not V (virtual), not K (class of a metaclass), not the
	 * instances of static types */
	assert_int_equal(mt_graph_edge_count(g), 22);
	mt_graph_out(g, n[I1], &first, &cnt);
	assert_int_equal(cnt, 3);
	e = first + 2;
	assert_int_equal(mt_graph_edge_target(g, e), n[C]);
	assert_int_equal(mt_graph_edge_rel(g, e), MT_REL_INTERATTR);
	assert_string_equal(mt_graph_name(g, mt_graph_edge_label(g, e)),
			    "ob_type");
	assert_true(mt_graph_edge_is_type_ref(g, e));
	assert_int_equal(mt_graph_edge_source(g, e), n[I1]);
	/* the record's edges keep their order and labels, the wide ones too */
	assert_int_equal(mt_graph_edge_target(g, first), n[S1]);
	assert_int_equal(mt_graph_edge_label(g, first), 7ULL << 32);
	assert_false(mt_graph_edge_is_type_ref(g, first));
	e = edge_to(g, n[L], n[C]);
	assert_int_not_equal(e, UINT32_MAX);
	assert_int_equal(mt_graph_edge_label(g, e), 1ULL << 40);
	assert_int_equal(mt_graph_edge_source(g, e), n[L]);
	mt_graph_out(g, n[I2], &first, &cnt);
	assert_int_equal(cnt, 2);
	assert_int_equal(mt_graph_edge_label(g, first), 9ULL << 32);
	assert_true(mt_graph_edge_is_type_ref(g, first + 1));
	/* with the source given (an in-edge's): the same answer for every
	 * edge, and 2 of them (I1's and I2's) type references */
	int refs = 0;
	for (uint32_t v = 0; v < mt_graph_count(g); v++) {
		uint32_t f, c;
		mt_graph_in(g, v, &f, &c);
		for (uint32_t p = f; p < f + c; p++) {
			uint32_t x = mt_graph_in_edge(g, p);
			bool a = mt_graph_edge_is_type_ref(g, x);
			assert_true(a == mt_graph_edge_is_type_ref_from(
					     g, x, mt_graph_in_source(g, p)));
			refs += a;
		}
	}
	assert_int_equal(refs, 2);
	assert_int_equal(edge_to(g, n[V], n[C]), UINT32_MAX);
	assert_int_equal(edge_to(g, n[K], n[M]), UINT32_MAX);
	assert_int_equal(edge_to(g, n[S1], n[TSTR]), UINT32_MAX);
	/* every out-edge has its in-edge */
	for (uint32_t v = 0; v < mt_graph_count(g); v++) {
		mt_graph_out(g, v, &first, &cnt);
		for (e = first; e < first + cnt; e++) {
			uint32_t ifirst, icnt, p, found = 0;
			mt_graph_in(g, mt_graph_edge_target(g, e), &ifirst,
				    &icnt);
			for (p = ifirst; p < ifirst + icnt; p++)
				found += mt_graph_in_edge(g, p) == e &&
					 mt_graph_in_source(g, p) == v;
			assert_int_equal(found, 1);
		}
	}

	/* referrers of C: the list, its mro tuple, I1 and I2 */
	mt_set *c = one(n[C]), *r = NULL;
	mt_err err;
	assert_int_equal(mt_nav_referrers(g, c, &r, &err), MT_OK);
	assert_int_equal(mt_set_count(r), 4);
	assert_true(set_has(r, n[I1]) && set_has(r, n[I2]));
	assert_false(set_has(r, n[V]));
	mt_set_unref(r);
	/* referrers of M: its mro only, not its class K */
	mt_set *m = one(n[M]);
	assert_int_equal(mt_nav_referrers(g, m, &r, &err), MT_OK);
	assert_int_equal(mt_set_count(r), 1);
	assert_true(set_has(r, n[MMRO]));
	mt_set_unref(r);
	mt_set_unref(m);

	/* byvia of C: "[1099511627776]" and "[0]", no ->ob_type; byrcs:
	 * list, tuple and __main__.C */
	mt_classifier *cl = NULL;
	mt_partition *p = NULL;
	assert_int_equal(mt_classifier_new(&cl, g, MT_CLASSIFY_VIA, &err),
			 MT_OK);
	assert_int_equal(mt_partition_new(&p, cl, mt_set_ids(c), 1, &err),
			 MT_OK);
	assert_int_equal(mt_partition_nrows(p), 1);
	const mt_partition_row *row = mt_partition_row_at(p, 0);
	assert_null(strstr(row->label, "ob_type"));
	assert_non_null(strstr(row->label, "'[0]'"));
	mt_partition_free(p);
	mt_classifier_free(cl);
	assert_int_equal(mt_classifier_new(&cl, g, MT_CLASSIFY_RCS, &err),
			 MT_OK);
	assert_int_equal(mt_partition_new(&p, cl, mt_set_ids(c), 1, &err),
			 MT_OK);
	assert_string_equal(mt_partition_row_at(p, 0)->label,
			    "__main__.C, list, tuple");
	mt_partition_free(p);
	mt_classifier_free(cl);
	/* surplus of C (count 5): 4 in-edges, two of them the instances'
	 * ob_type, which count once as instances: +1 */
	assert_int_equal(mt_classifier_new(&cl, g, MT_CLASSIFY_SURPLUS, &err),
			 MT_OK);
	assert_int_equal(mt_partition_new(&p, cl, mt_set_ids(c), 1, &err),
			 MT_OK);
	assert_string_equal(mt_partition_row_at(p, 0)->label, "+1");
	mt_partition_free(p);
	mt_classifier_free(cl);
	mt_set_unref(c);
	mt_graph_free(g);
}

/* ---- interpreter-owned objects ------------------------------------------ */

enum { OTYPE, OINT, ONONE, OSTR, ODICT, OU, ONONEV, OSMALL, OBIG, OSTAT,
       OSTATD, OUSER, OHOLD, OIMM, ON };

static void write_owned(uint32_t *n)
{
	fx *f = fx_new();
	mt_err err;
	n[OTYPE] = builtin_type(f, FX_SELF, 0x100, "type");
	n[OINT] = builtin_type(f, n[OTYPE], 0x200, "int");
	n[ONONE] = builtin_type(f, n[OTYPE], 0x300, "NoneType");
	n[OSTR] = builtin_type(f, n[OTYPE], 0x400, "str");
	n[ODICT] = builtin_type(f, n[OTYPE], 0x500, "dict");
	/* the user's class U (heap type), its instance holds the rest */
	n[OU] = fx_node(f, n[OTYPE], 900, 0x600, 1, MT_NO_LENGTH);
	fx_qual(f, n[OU], "__main__", "U");
	n[OUSER] = fx_node(f, n[OSTR], 50, 0x610, 1, 1);
	fx_str(f, n[OUSER], "U");
	fx_edge_name(f, n[OU], MT_REL_ATTR, "__name__", n[OUSER]);
	n[ONONEV] = fx_node(f, n[ONONE], 16, 0x1000, 5, MT_NO_LENGTH);
	n[OSMALL] = fx_node(f, n[OINT], 28, 0x1100, 1, MT_NO_LENGTH);
	fx_int(f, n[OSMALL], 200);
	n[OBIG] = fx_node(f, n[OINT], 32, 0x1200, 1, MT_NO_LENGTH);
	fx_int(f, n[OBIG], 1000);
	/* a static type only the holder names, with a dict only it holds */
	n[OSTAT] = fx_node(f, n[OTYPE], 400, 0x1300, 1, MT_NO_LENGTH);
	fx_qual(f, n[OSTAT], "_ext", "Static");
	n[OSTATD] = fx_node(f, n[ODICT], 640, 0x1400, 1, 0);
	fx_edge_name(f, n[OSTAT], MT_REL_ATTR, "__dict__", n[OSTATD]);
	/* an object with a count of 2^32-1: immortal on 3.12+, statically
	 * allocated on 3.11 (at least 999999999) */
	n[OIMM] = fx_node(f, n[OSTR], 70, 0x1500, 0xffffffffULL, 5);
	fx_str(f, n[OIMM], "hello");
	n[OHOLD] = fx_node(f, n[OU], 56, 0x2000, 1, MT_NO_LENGTH);
	fx_edge_name(f, n[OHOLD], MT_REL_ATTR, "none", n[ONONEV]);
	fx_edge_name(f, n[OHOLD], MT_REL_ATTR, "small", n[OSMALL]);
	fx_edge_name(f, n[OHOLD], MT_REL_ATTR, "big", n[OBIG]);
	fx_edge_name(f, n[OHOLD], MT_REL_ATTR, "cls", n[OSTAT]);
	fx_edge_name(f, n[OHOLD], MT_REL_ATTR, "imm", n[OIMM]);
	fx_root(f, "i0_modules", n[OHOLD]);
	fx_root(f, "i0_dict", n[OU]);
	uint32_t map[ON];
	assert_int_equal(fx_write(f, path, map, NULL, &err), MT_OK);
	for (int k = 0; k < ON; k++)
		n[k] = map[n[k]]; /* builder index -> object id */
	fx_free(f);
}

static void test_interp_owned(void **state)
{
	(void)state;
	uint32_t n[ON], *own = NULL;
	size_t nown;
	mt_err err;
	write_owned(n);
	mt_graph *g = load();
	assert_int_equal(mt_interp_owned(g, NULL, NULL, &own, &nown, &err),
			 MT_OK);
	/* the static types (type, int, NoneType, str, dict, _ext.Static),
	 * None, the small int, the string with 2^32-1 references (the
	 * fixture says 3.11); not U, the big int, the holder, the dict */
	bool in[ON] = {false};
	for (size_t i = 0; i < nown; i++) {
		for (int k = 0; k < ON; k++)
			if (own[i] == n[k])
				in[k] = true;
		if (i)
			assert_true(own[i - 1] < own[i]);
	}
	free(own);
	assert_true(in[OTYPE] && in[OINT] && in[ONONE] && in[OSTR] &&
		    in[ODICT] && in[OSTAT] && in[ONONEV] && in[OSMALL]);
	assert_false(in[OU] || in[OUSER] || in[OBIG] || in[OSTATD] ||
		     in[OHOLD]);
	assert_true(in[OIMM]); /* 3.11: a count of at least 999999999 */

	mt_domtree *t = NULL;
	assert_int_equal(mt_domtree_build(&t, g, NULL, NULL, &err), MT_OK);
	/* the holder retains itself and the big int only */
	assert_int_equal(mt_domtree_retained(t, n[OHOLD]), 56 + 32);
	assert_int_equal(mt_domtree_idom(t, n[OSMALL]), MT_NO_ID);
	assert_int_equal(mt_domtree_idom(t, n[ONONEV]), MT_NO_ID);
	assert_int_equal(mt_domtree_idom(t, n[OSTAT]), MT_NO_ID);
	assert_int_equal(mt_domtree_idom(t, n[OSTATD]), n[OSTAT]);
	assert_int_equal(mt_domtree_idom(t, n[OBIG]), n[OHOLD]);
	mt_dominance *d = NULL;
	uint64_t size = 0;
	mt_set *x = one(n[OHOLD]);
	for (int fast = 0; fast < 2; fast++) {
		assert_int_equal(mt_dominance_new(&d, g, fast ? t : NULL, &err),
				 MT_OK);
		assert_int_equal(mt_dominance_domisize(d, x, &size, &err),
				 MT_OK);
		assert_int_equal(size, 56 + 32);
		mt_set *dom = NULL;
		assert_int_equal(mt_dominance_dominos(d, x, &dom, &err), MT_OK);
		assert_int_equal(mt_set_count(dom), 2);
		mt_set_unref(dom);
		mt_dominance_free(d);
	}
	mt_set_unref(x);
	mt_domtree_free(t);
	mt_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_type_edges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_interp_owned, setup,
					    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
