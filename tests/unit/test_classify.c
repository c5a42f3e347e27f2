/* Tests of the classifiers of partition.h beyond clodo/type: rcs, via,
 * size, id, idset, unity, module, surplus, cycle and combinations, with
 * heapy's headers and labels; byrcs and byvia of heapy.md section 8 byte
 * for byte on a graph built like its test heap; cycles against a brute
 * force oracle on random graphs. */
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
#include "graphgen.h"
#include "../../src/analysis/clspriv.h"
#include "memtrack/classifier.h"
#include "memtrack/ctx.h"
#include "memtrack/graph.h"
#include "memtrack/partition.h"
#include "memtrack/scc.h"
#include "memtrack/table.h"

static mt_graph *load_fx(fx *f, uint32_t *map)
{
	char path[] = "/tmp/mt_test_classify_XXXXXX";
	int fd = mkstemp(path);
	mt_graph *g = NULL;
	mt_err err;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(fx_write(f, path, map, NULL, &err), MT_OK);
	assert_int_equal(mt_graph_load(&g, path, NULL, NULL, &err), MT_OK);
	unlink(path);
	return g;
}

/* Label of the kind of object id under classifier spec. */
static char *label_of(const mt_graph *g, const char *spec, uint32_t id)
{
	mt_classifier *c;
	mt_err err;
	uint32_t k;
	char *s;
	assert_int_equal(mt_classifier_new_named(&c, g, spec, &err), MT_OK);
	assert_int_equal(mt_classifier_classify(c, id, &k, &err), MT_OK);
	s = strdup(mt_classifier_label(c, k));
	mt_classifier_free(c);
	return s;
}

#define assert_label(g, spec, id, want)                                        \
	do {                                                                   \
		char *l_ = label_of(g, spec, id);                              \
		assert_string_equal(l_, want);                                 \
		free(l_);                                                      \
	} while (0)

static void test_parse(void **state)
{
	static const struct {
		const char *name;
		mt_classify_by by;
	} ok[] = {
	    {"clodo", MT_CLASSIFY_CLODO},     {"Clodo", MT_CLASSIFY_CLODO},
	    {"type", MT_CLASSIFY_TYPE},	      {"Rcs", MT_CLASSIFY_RCS},
	    {"via", MT_CLASSIFY_VIA},	      {"Size", MT_CLASSIFY_SIZE},
	    {"id", MT_CLASSIFY_ID},	      {"Idset", MT_CLASSIFY_IDSET},
	    {"unity", MT_CLASSIFY_UNITY},     {"Module", MT_CLASSIFY_MODULE},
	    {"surplus", MT_CLASSIFY_SURPLUS}, {"cycle", MT_CLASSIFY_CYCLE},
	};
	mt_classify_by by;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_int_equal(mt_classify_parse(ok[i].name, &by), MT_OK);
		assert_int_equal(by, ok[i].by);
	}
	assert_int_equal(mt_classify_parse("nosuch", &by), MT_ARG);
	assert_int_equal(mt_classify_parse("Type&Size", &by), MT_ARG);
	assert_int_equal(mt_classify_parse("", &by), MT_ARG);
}

/* ---- a small heap ---------------------------------------------------------- */

enum {
	N_TYPE, N_STR, N_INT, N_LIST, N_DICT, N_MOD, N_NODE, N_FRAME,
	N_MAIN, N_MAINDICT, N_L1, N_L2, N_S1, N_S2, N_KEY, N_NODE1, N_NODE2,
	N_NDICT1, N_NDICT2, N_SELF, N_INT5, N_FR, N_IMM, N_COUNT
};

static mt_graph *G;
static uint32_t M[N_COUNT];

static int setup_small(void **state)
{
	fx *f = fx_new();
	uint32_t n[N_COUNT], map[N_COUNT], i;
	(void)state;
#define T(k, q)                                                                \
	n[k] = fx_node(f, k == N_TYPE ? FX_SELF : n[N_TYPE], 400,              \
		       0x1000 + 0x100 * k, 1000, MT_NO_LENGTH);                \
	fx_qual(f, n[k], k == N_NODE ? "__main__" : "builtins", q)
	T(N_TYPE, "type");
	T(N_STR, "str");
	T(N_INT, "int");
	T(N_LIST, "list");
	T(N_DICT, "dict");
	T(N_MOD, "module");
	T(N_NODE, "Node");
	T(N_FRAME, "frame");
#undef T
#define O(k, t, size, refcnt, len)                                             \
	n[k] = fx_node(f, n[t], size, 0x7f0000000000ULL + 0x40 * k, refcnt, len)
	O(N_MAIN, N_MOD, 72, 2, MT_NO_LENGTH);
	fx_str(f, n[N_MAIN], "__main__");
	O(N_MAINDICT, N_DICT, 640, 1, 3);
	O(N_L1, N_LIST, 64, 3, 2); /* surplus +1 */
	O(N_L2, N_LIST, 64, 1, 1); /* l1 <-> l2 cycle */
	O(N_S1, N_STR, 53, 2, 4);
	fx_str(f, n[N_S1], "abcd");
	O(N_S2, N_STR, 53, 1, 4);
	fx_str(f, n[N_S2], "wxyz");
	O(N_KEY, N_STR, 50, 1, 1);
	fx_str(f, n[N_KEY], "x");
	O(N_NODE1, N_NODE, 48, 1, MT_NO_LENGTH);
	O(N_NODE2, N_NODE, 48, 1, MT_NO_LENGTH);
	n[N_NDICT1] = fx_node(f, n[N_DICT], 104, 0, 0, 1); /* virtual */
	O(N_NDICT2, N_DICT, 104, 1, 1);
	O(N_SELF, N_LIST, 64, 1, 1); /* refers to itself */
	O(N_INT5, N_INT, 28, 0, MT_NO_LENGTH); /* surplus -2 */
	fx_int(f, n[N_INT5], 5);
	n[N_FR] = fx_node(f, n[N_FRAME], 400, 0, 0, MT_NO_LENGTH);
	O(N_IMM, N_INT, 28, 0xffffffffULL, MT_NO_LENGTH);
	fx_int(f, n[N_IMM], 7);
#undef O
	fx_root(f, "i0_modules", n[N_MAIN]);
	fx_root(f, "i0_t1_f0", n[N_FR]);
	fx_edge_name(f, n[N_MAIN], MT_REL_ATTR, "__dict__", n[N_MAINDICT]);
	fx_edge_key(f, n[N_MAINDICT], n[N_KEY], n[N_L1]);
	fx_edge_int(f, n[N_MAINDICT], MT_REL_KEY, 0, n[N_KEY]);
	fx_edge_name(f, n[N_FR], MT_REL_LOCAL, "l", n[N_L1]);
	fx_edge_int(f, n[N_L1], MT_REL_INDEX, 0, n[N_L2]);
	fx_edge_int(f, n[N_L1], MT_REL_INDEX, 1, n[N_S1]);
	fx_edge_int(f, n[N_L2], MT_REL_INDEX, 0, n[N_L1]);
	fx_edge_int(f, n[N_L2], MT_REL_INDEX, 1, n[N_NODE1]);
	fx_edge_int(f, n[N_L2], MT_REL_INDEX, 2, n[N_NODE2]);
	fx_edge_int(f, n[N_L2], MT_REL_INDEX, 3, n[N_SELF]);
	fx_edge_name(f, n[N_NODE1], MT_REL_ATTR, "__dict__", n[N_NDICT1]);
	fx_edge_name(f, n[N_NODE2], MT_REL_ATTR, "__dict__", n[N_NDICT2]);
	fx_edge_key(f, n[N_NDICT1], n[N_KEY], n[N_S2]);
	fx_edge_key(f, n[N_NDICT2], n[N_KEY], n[N_S2]);
	fx_edge_int(f, n[N_SELF], MT_REL_INDEX, 0, n[N_SELF]);
	fx_edge_int(f, n[N_SELF], MT_REL_INDEX, 1, n[N_INT5]);
	fx_edge_int(f, n[N_SELF], MT_REL_INDEX, 2, n[N_IMM]);
	/* Node is a heap type: __qualname__ edge; two instances */
	fx_edge_name(f, n[N_NODE], MT_REL_ATTR, "__qualname__", n[N_S1]);
	G = load_fx(f, map);
	for (i = 0; i < N_COUNT; i++)
		M[i] = map[n[i]];
	fx_free(f);
	return 0;
}

static int teardown_small(void **state)
{
	(void)state;
	mt_graph_free(G);
	return 0;
}

static void test_headers(void **state)
{
	static const struct {
		const char *spec, *header;
	} h[] = {
	    {"clodo", "Kind (class / dict of class)"},
	    {"type", "Type"},
	    {"rcs", "Referrers by Kind (class / dict of class)"},
	    {"via", "Referred Via:"},
	    {"size", "Individual Size"},
	    {"idset", "by identity set"},
	    {"unity", "<unclassified>"},
	    {"module", "Module"},
	    {"surplus", "Refcount surplus"},
	    {"cycle", "Reference cycle"},
	    {"Type&Size", "Type & Individual Size"},
	    {"type & via", "Type & {Referred Via}"},
	    {"Type&Size&Clodo",
	     "Type & Individual Size & Kind (class / dict of class)"},
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof h / sizeof h[0]; i++) {
		mt_classifier *c;
		mt_err err;
		assert_int_equal(mt_classifier_new_named(&c, G, h[i].spec, &err),
				 MT_OK);
		assert_string_equal(mt_classifier_header(c), h[i].header);
		mt_classifier_free(c);
	}
	{
		mt_classifier *c = NULL;
		mt_err err;
		assert_int_equal(mt_classifier_new_named(&c, G, "type&bogus",
							 &err),
				 MT_ARG);
		assert_null(c);
		assert_non_null(strstr(err.detail, "bogus"));
		assert_int_equal(
		    mt_classifier_new(&c, G, MT_CLASSIFY_AND, &err), MT_ARG);
	}
}

static void test_rcs(void **state)
{
	(void)state;
	assert_label(G, "rcs", M[N_L1], "dict of module, list, types.FrameType");
	assert_label(G, "rcs", M[N_L2], "list");
	assert_label(G, "rcs", M[N_MAIN], "<Nothing>"); /* root only */
	assert_label(G, "rcs", M[N_FR], "<Nothing>");
	assert_label(G, "rcs", M[N_S2], "dict of __main__.Node");
	assert_label(G, "rcs", M[N_SELF], "list");
	assert_label(G, "rcs", M[N_NDICT1], "__main__.Node");
	/* the heap type's referrer is its own __qualname__ edge target? no:
	 * S1 is referred by l1 and by the type Node */
	assert_label(G, "rcs", M[N_S1], "list, type");
}

static void test_via(void **state)
{
	(void)state;
	/* sorted as Python sorts the repr strings: '"' < '\'', '.' < '[' */
	assert_label(G, "via", M[N_L1], "\".f_locals['l']\", \"['x']\", '[0]'");
	assert_label(G, "via", M[N_S2], "\"['x']\"");
	assert_label(G, "via", M[N_MAIN], "");
	assert_label(G, "via", M[N_KEY], "'.keys()[0]'");
	assert_label(G, "via", M[N_NDICT2], "'.__dict__'");
	assert_label(G, "via", M[N_SELF], "'[0]', '[3]'");
	assert_label(G, "via", M[N_S1], "'.__qualname__', '[1]'");
}

static void test_set_members(void **state)
{
	mt_classifier *c;
	mt_err err;
	uint32_t k;
	(void)state;
	assert_int_equal(mt_classifier_new(&c, G, MT_CLASSIFY_VIA, &err),
			 MT_OK);
	assert_int_equal(mt_classifier_classify(c, M[N_SELF], &k, &err), MT_OK);
	assert_int_equal(mt_classifier_set_size(c, k), 2);
	/* members come in no particular order */
	assert_true((!strcmp(mt_classifier_set_member(c, k, 0), "[0]") &&
		     !strcmp(mt_classifier_set_member(c, k, 1), "[3]")) ||
		    (!strcmp(mt_classifier_set_member(c, k, 0), "[3]") &&
		     !strcmp(mt_classifier_set_member(c, k, 1), "[0]")));
	assert_null(mt_classifier_set_member(c, k, 2));
	mt_classifier_free(c);
	assert_int_equal(mt_classifier_new(&c, G, MT_CLASSIFY_RCS, &err),
			 MT_OK);
	assert_int_equal(mt_classifier_classify(c, M[N_S2], &k, &err), MT_OK);
	assert_int_equal(mt_classifier_set_size(c, k), 1);
	assert_string_equal(mt_classifier_set_member(c, k, 0),
			    "dict of __main__.Node");
	mt_classifier_free(c);
	/* other classifiers have no members */
	assert_int_equal(mt_classifier_new(&c, G, MT_CLASSIFY_TYPE, &err),
			 MT_OK);
	assert_int_equal(mt_classifier_classify(c, M[N_S2], &k, &err), MT_OK);
	assert_int_equal(mt_classifier_set_size(c, k), 0);
	mt_classifier_free(c);
}

static void test_simple_labels(void **state)
{
	(void)state;
	assert_label(G, "size", M[N_L1], "       64");
	assert_label(G, "size", M[N_MAIN], "       72");
	assert_label(G, "unity", M[N_L1], "<Anything>");
	assert_label(G, "module", M[N_MAIN], "__main__");
	assert_label(G, "module", M[N_L1], "~module");
	assert_label(G, "id", M[N_S1], "'abcd'");
	assert_label(G, "id", M[N_L1], "0x7f0000000280*2");
	assert_label(G, "idset", M[N_L1], "<1 list: 0x7f0000000280*2>");
	assert_label(G, "idset", M[N_NDICT2],
		     "<1 dict of __main__.Node: 0x7f0000000480*1>");
	assert_label(G, "Type&Size", M[N_L1], "list & 64");
	assert_label(G, "type&via", M[N_S2], "str & {\"['x']\"}");
	assert_label(G, "size&type&module", M[N_MAIN], "72 & module & __main__");
}

static void test_surplus(void **state)
{
	mt_header h = {.py_major = 3, .py_minor = 12, .ptr_size = 8};
	(void)state;
	/* refcnt 3, referrers: main dict, frame local, l2 */
	assert_label(G, "surplus", M[N_L1], "+0");
	assert_label(G, "surplus", M[N_L2], "+0");
	/* main: refcnt 2, one root edge */
	assert_label(G, "surplus", M[N_MAIN], "+1");
	assert_label(G, "surplus", M[N_INT5], "-1");
	/* Node: refcnt 1000, no in-edges, 2 real instances (one heap type) */
	assert_label(G, "surplus", M[N_NODE], "+998");
	/* list type: static, not charged for its instances */
	assert_label(G, "surplus", M[N_LIST], "+1000");
	assert_label(G, "surplus", M[N_NDICT1], "virtual");
	assert_label(G, "surplus", M[N_FR], "virtual");
	/* 3.11 has no immortal objects: 0xffffffff - 1 */
	assert_label(G, "surplus", M[N_IMM], "+4294967294");
	assert_false(mt_refcnt_immortal(&h, 1000));
	assert_true(mt_refcnt_immortal(&h, 0xffffffffULL));
	assert_true(mt_refcnt_immortal(&h, 0xc0000000ULL)); /* 3.14 */
	assert_true(mt_refcnt_immortal(&h, 0x1ffffffffULL));
	h.py_minor = 11;
	assert_false(mt_refcnt_immortal(&h, 0xffffffffULL));
	h.py_minor = 13;
	h.ptr_size = 4;
	assert_true(mt_refcnt_immortal(&h, 0x3fffffffULL));
	assert_false(mt_refcnt_immortal(&h, 0x3ffffffeULL));
}

static void test_cycle_labels(void **state)
{
	(void)state;
	assert_label(G, "cycle", M[N_L1], "cycle #0 (2 objects)");
	assert_label(G, "cycle", M[N_L2], "cycle #0 (2 objects)");
	assert_label(G, "cycle", M[N_SELF], "cycle #1 (1 object)");
	assert_label(G, "cycle", M[N_MAIN], "<no cycle>");
	assert_label(G, "cycle", M[N_S1], "<no cycle>");
}

static void test_kind_values(void **state)
{
	mt_classifier *c;
	mt_err err;
	uint32_t k;
	(void)state;
	assert_int_equal(mt_classifier_new(&c, G, MT_CLASSIFY_SURPLUS, &err),
			 MT_OK);
	mt_classifier_classify(c, M[N_INT5], &k, &err);
	assert_int_equal(mt_classifier_kind_value(c, k), -1);
	mt_classifier_classify(c, M[N_FR], &k, &err);
	assert_true(mt_classifier_kind_value(c, k) == INT64_MAX);
	mt_classifier_free(c);
	assert_int_equal(mt_classifier_new(&c, G, MT_CLASSIFY_SIZE, &err),
			 MT_OK);
	mt_classifier_classify(c, M[N_MAINDICT], &k, &err);
	assert_int_equal(mt_classifier_kind_value(c, k), 640);
	mt_classifier_free(c);
}

/* A partition by a combination prints like heapy's by('Type&Size'). */
static void test_combo_table(void **state)
{
	mt_classifier *c;
	mt_partition *p;
	mt_strbuf sb;
	mt_err err;
	uint32_t ids[] = {M[N_L1], M[N_L2], M[N_SELF], M[N_S1], M[N_S2]};
	(void)state;
	assert_int_equal(mt_classifier_new_named(&c, G, "Type&Size", &err),
			 MT_OK);
	assert_int_equal(mt_partition_new(&p, c, ids, 5, &err), MT_OK);
	mt_strbuf_init(&sb);
	assert_int_equal(mt_table_format(p, 0, MT_TABLE_TITLE, &sb, NULL, &err),
			 MT_OK);
	assert_string_equal(
	    sb.s, "Partition of a set of 5 objects. Total size = 298 bytes.\n"
		  " Index  Count   %     Size   % Cumulative  % Type & "
		  "Individual Size\n"
		  "     0      3  60      192  64       192  64 list & 64\n"
		  "     1      2  40      106  36       298 100 str & 53\n");
	mt_strbuf_destroy(&sb);
	mt_partition_free(p);
	mt_classifier_free(c);
}

/* ---- heapy.md section 8 ---------------------------------------------------- */

static const char heapy_byrcs[] =
    " Index  Count   %     Size   % Cumulative  % Referrers by Kind (class / "
    "dict of class)\n"
    "     0   2000  38   236890  53    236890  53 dict of __main__.Node\n"
    "     1   1000  19    96000  21    332890  74 __main__.Node\n"
    "     2   1500  29    83500  19    416390  92 list\n"
    "     3    743  14    20804   5    437194  97 dict (no owner), dict of "
    "__main__.Node\n"
    "     4      2   0    13072   3    450266 100 dict of module\n"
    "     5      1   0      168   0    450434 100 <Nothing>\n"
    "     6      2   0      152   0    450586 100 dict of module, list\n";

static const char heapy_byvia[] =
    " Index  Count   %     Size   % Cumulative  % Referred Via:\n"
    "     0   1000  19   184000  41    184000  41 \"['tags']\"\n"
    "     1   1000  19    96000  21    280000  62 '.__dict__'\n"
    "     2   1000  19    52890  12    332890  74 \"['name']\"\n"
    "     3    743  14    20804   5    353694  78 \"['i']\", \"['k']\"\n"
    "     4      1   0     8856   2    362550  80 \"['nodes']\"\n"
    "     5      1   0     4216   1    366766  81 \"['strs']\"\n"
    "     6      1   0      168   0    366934  81\n"
    "     7      2   0      111   0    367045  81 '[0]'\n"
    "     8      2   0      111   0    367156  81 '[100]'\n"
    "     9      2   0      111   0    367267  82 '[101]'\n"
    "<999 more rows. Type e.g. '_.more' to view.>\n";

static void test_heapy_section8(void **state)
{
	fx *f = fx_new();
	uint32_t tt, tstr, tint, tlist, tdict, tmod, tnode, tframe;
	uint32_t mod, mdict, nodes, strs, la, lb, frame, k[8], *map, *ids;
	uint32_t *heap, nheap = 0, j;
	static const char *const keys[] = {"tags", "name", "i",	"k",
					   "nodes", "strs", "a", "b"};
	uint64_t addr = 0x7f0000000000ULL;
	mt_classifier *c;
	mt_partition *p;
	mt_strbuf sb;
	mt_err err;
	mt_graph *g;
	(void)state;
	heap = malloc(6000 * sizeof *heap);
	assert_non_null(heap);
#define TY(q, m)                                                               \
	fx_node(f, tt, 400, addr += 0x1000, 1000, MT_NO_LENGTH);               \
	fx_qual(f, (uint32_t)(f ? fx_node(f, tt, 0, 0, 0, 0) - 1 : 0), m, q)
	tt = fx_node(f, FX_SELF, 900, addr += 0x1000, 1000, MT_NO_LENGTH);
	fx_qual(f, tt, "builtins", "type");
#undef TY
#define TYPE(var, m, q)                                                        \
	var = fx_node(f, tt, 400, addr += 0x1000, 1000, MT_NO_LENGTH);         \
	fx_qual(f, var, m, q)
	TYPE(tstr, "builtins", "str");
	TYPE(tint, "builtins", "int");
	TYPE(tlist, "builtins", "list");
	TYPE(tdict, "builtins", "dict");
	TYPE(tmod, "builtins", "module");
	TYPE(tframe, "builtins", "frame");
	TYPE(tnode, "__main__", "Node");
#undef TYPE
#define OBJ(t, size, len) fx_node(f, t, size, addr += 0x100, 1, len)
	for (j = 0; j < 8; j++) {
		k[j] = OBJ(tstr, 49 + strlen(keys[j]), (int64_t)strlen(keys[j]));
		fx_str(f, k[j], keys[j]);
	}
	mod = OBJ(tmod, 72, MT_NO_LENGTH);
	fx_str(f, mod, "__main__");
	mdict = OBJ(tdict, 2000, 4);
	fx_root(f, "i0_modules", mod);
	fx_edge_name(f, mod, MT_REL_ATTR, "__dict__", mdict);
	frame = OBJ(tframe, 168, MT_NO_LENGTH);
	fx_root(f, "i0_t1_f0", frame);
	heap[nheap++] = frame;
	nodes = OBJ(tlist, 8856, 1000);
	strs = OBJ(tlist, 4216, 500);
	la = OBJ(tlist, 76, 1);
	lb = OBJ(tlist, 76, 1);
	heap[nheap++] = nodes;
	heap[nheap++] = strs;
	heap[nheap++] = la;
	heap[nheap++] = lb;
	fx_edge_key(f, mdict, k[4], nodes);
	fx_edge_key(f, mdict, k[5], strs);
	fx_edge_key(f, mdict, k[6], la);
	fx_edge_key(f, mdict, k[7], lb);
	fx_edge_int(f, la, MT_REL_INDEX, 0, lb);
	fx_edge_int(f, lb, MT_REL_INDEX, 0, la);
	{
		uint32_t ints[743];
		for (j = 0; j < 743; j++) {
			ints[j] = OBJ(tint, 28, MT_NO_LENGTH);
			fx_int(f, ints[j], 1000 + j);
			heap[nheap++] = ints[j];
		}
		for (j = 0; j < 1000; j++) {
			uint32_t node = OBJ(tnode, 56, MT_NO_LENGTH);
			uint32_t nd = OBJ(tdict, 96, 3);
			uint32_t tags = OBJ(tdict, 184, 1);
			uint32_t name = OBJ(tstr, j < 890 ? 53 : 52, 4);
			fx_str(f, name, "name");
			heap[nheap++] = node;
			heap[nheap++] = nd;
			heap[nheap++] = tags;
			heap[nheap++] = name;
			fx_edge_int(f, nodes, MT_REL_INDEX, j, node);
			fx_edge_name(f, node, MT_REL_ATTR, "__dict__", nd);
			fx_edge_key(f, nd, k[2], ints[j % 743]);
			fx_edge_key(f, nd, k[1], name);
			fx_edge_key(f, nd, k[0], tags);
			fx_edge_key(f, tags, k[3], ints[(j * 7) % 743]);
		}
	}
	for (j = 0; j < 500; j++) {
		uint32_t s = OBJ(tstr, 55, 6);
		fx_str(f, s, "s00000");
		fx_edge_int(f, strs, MT_REL_INDEX, j, s);
		heap[nheap++] = s;
	}
#undef OBJ
	assert_int_equal(nheap, 5248);
	map = malloc(8000 * sizeof *map);
	ids = malloc(nheap * sizeof *ids);
	assert_non_null(map);
	assert_non_null(ids);
	g = load_fx(f, map);
	fx_free(f);
	for (j = 0; j < nheap; j++)
		ids[j] = map[heap[j]];
	mt_strbuf_init(&sb);

	assert_int_equal(mt_classifier_new_named(&c, g, "Rcs", &err), MT_OK);
	assert_int_equal(mt_partition_new(&p, c, ids, nheap, &err), MT_OK);
	assert_int_equal(mt_table_format(p, 0, 0, &sb, NULL, &err), MT_OK);
	assert_string_equal(sb.s, heapy_byrcs);
	mt_partition_free(p);
	mt_classifier_free(c);

	mt_strbuf_reset(&sb);
	assert_int_equal(mt_classifier_new_named(&c, g, "via", &err), MT_OK);
	assert_int_equal(mt_partition_new(&p, c, ids, nheap, &err), MT_OK);
	assert_int_equal(mt_partition_nrows(p), 1009);
	assert_int_equal(mt_table_format(p, 0, 0, &sb, NULL, &err), MT_OK);
	assert_string_equal(sb.s, heapy_byvia);
	mt_partition_free(p);
	mt_classifier_free(c);

	mt_strbuf_destroy(&sb);
	mt_graph_free(g);
	free(map);
	free(ids);
	free(heap);
}

/* ---- cycles against an oracle ---------------------------------------------- */

static void test_scc_random(void **state)
{
	unsigned seed = 12345;
	int round;
	(void)state;
	for (round = 0; round < 30; round++) {
		uint32_t n = 1 + (uint32_t)(rand_r(&seed) % 40), i, j, m;
		size_t ne = rand_r(&seed) % (2 * n + 1), e;
		tg_edge *edges = calloc(ne + 1, sizeof *edges);
		uint32_t roots[1] = {0}, *map = malloc((n + 1) * sizeof *map);
		unsigned char *R; /* reachability, n x n */
		uint32_t *comp, *sizes, ncyc;
		mt_graph *g;
		mt_err err;
		char path[] = "/tmp/mt_test_scc_XXXXXX";
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		close(fd);
		for (e = 0; e < ne; e++) {
			edges[e].src = (uint32_t)(rand_r(&seed) % n);
			edges[e].dst = (uint32_t)(rand_r(&seed) % n);
		}
		tg_graph tg = {.n = n, .edges = edges, .nedges = ne,
			       .roots = roots, .nroots = 1};
		tg_write(path, &tg, map);
		assert_int_equal(mt_graph_load(&g, path, NULL, NULL, &err),
				 MT_OK);
		unlink(path);
		assert_int_equal(mt_scc_cycles(g, &comp, &sizes, &ncyc, &err),
				 MT_OK);
		m = mt_graph_count(g);
		R = calloc((size_t)m * m, 1);
		for (i = 0; i < m; i++) {
			uint32_t first, cnt, x;
			mt_graph_out(g, i, &first, &cnt);
			for (x = first; x < first + cnt; x++)
				R[(size_t)i * m + mt_graph_edge_target(g, x)] = 1;
		}
		for (j = 0; j < m; j++) /* Warshall */
			for (i = 0; i < m; i++)
				if (R[(size_t)i * m + j])
					for (uint32_t k = 0; k < m; k++)
						R[(size_t)i * m + k] |=
						    R[(size_t)j * m + k];
		for (i = 0; i < m; i++) {
			/* cyclic iff i reaches itself */
			assert_int_equal(comp[i] != MT_NO_ID,
					 R[(size_t)i * m + i]);
			for (j = 0; j < m; j++)
				if (comp[i] != MT_NO_ID && comp[j] != MT_NO_ID)
					assert_int_equal(
					    comp[i] == comp[j],
					    R[(size_t)i * m + j] &&
						R[(size_t)j * m + i]);
		}
		/* numbering: sizes descending; counts match */
		for (i = 0; i + 1 < ncyc; i++)
			assert_true(sizes[i] >= sizes[i + 1]);
		for (i = 0; i < ncyc; i++) {
			uint32_t cnt = 0;
			for (j = 0; j < m; j++)
				cnt += comp[j] == i;
			assert_int_equal(cnt, sizes[i]);
		}
		free(R);
		free(comp);
		free(sizes);
		free(edges);
		free(map);
		mt_graph_free(g);
	}
}

/* A long chain closed into one ring: the traversal must be iterative. */
static void test_scc_long_ring(void **state)
{
	uint32_t n = 200000, i, *comp, *sizes, ncyc, *map;
	tg_edge *edges = malloc(n * sizeof *edges);
	uint32_t roots[1] = {0};
	mt_graph *g;
	mt_err err;
	char path[] = "/tmp/mt_test_ring_XXXXXX";
	int fd = mkstemp(path);
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (i = 0; i < n; i++)
		edges[i] = (tg_edge){i, (i + 1) % n, 0, 0};
	tg_graph tg = {.n = n, .edges = edges, .nedges = n, .roots = roots,
		       .nroots = 1};
	map = malloc((n + 1) * sizeof *map);
	tg_write(path, &tg, map);
	assert_int_equal(mt_graph_load(&g, path, NULL, NULL, &err), MT_OK);
	unlink(path);
	assert_int_equal(mt_scc_cycles(g, &comp, &sizes, &ncyc, &err), MT_OK);
	assert_int_equal(ncyc, 1);
	assert_int_equal(sizes[0], n);
	assert_int_equal(comp[map[n]], MT_NO_ID); /* the type object */
	assert_int_equal(comp[map[n / 2]], 0);
	free(map);
	free(comp);
	free(sizes);
	free(edges);
	mt_graph_free(g);
}

/* ---- objects with many referrers ------------------------------------------ */

/* A root list holding K lists; list i holds X at index i % 3, and the
 * first list also Y at 0, 1 and 2.  X has K in-edges, Y three, with the
 * same via texts and referrer kinds. */
enum { MANY_K = 140000 };
struct many {
	mt_graph *g;
	uint32_t x, y;
};

static struct many many_graph(void)
{
	enum { LIST, STR, ROOT, X, Y, L0, N = L0 + MANY_K };
	const char **mod = calloc(N, sizeof *mod), **name = calloc(N, sizeof *name);
	int32_t *types = malloc(N * sizeof *types);
	tg_edge *e = malloc((2 * MANY_K + 3) * sizeof *e);
	uint32_t roots[1] = {ROOT}, *map = malloc((N + 1) * sizeof *map);
	size_t ne = 0;
	char path[] = "/tmp/mt_test_many_XXXXXX";
	int fd = mkstemp(path);
	struct many m;
	assert_true(fd >= 0);
	close(fd);
	mod[LIST] = mod[STR] = "builtins";
	name[LIST] = "list";
	name[STR] = "str";
	for (uint32_t i = 0; i < N; i++)
		types[i] = i < ROOT ? -1 : i == X || i == Y ? STR : LIST;
	for (uint32_t i = 0; i < MANY_K; i++) {
		e[ne++] = (tg_edge){ROOT, L0 + i, 0, i};
		e[ne++] = (tg_edge){L0 + i, X, 0, i % 3};
	}
	for (uint32_t i = 0; i < 3; i++)
		e[ne++] = (tg_edge){L0, Y, 0, i};
	tg_graph tg = {.n = N, .edges = e, .nedges = ne, .roots = roots,
		       .nroots = 1, .qualname_module = mod,
		       .qualname_name = name, .types = types};
	tg_write(path, &tg, map);
	m.g = tg_load(path);
	unlink(path);
	m.x = map[X];
	m.y = map[Y];
	free(map);
	free(e);
	free(types);
	free(mod);
	free(name);
	return m;
}

struct ticks {
	uint64_t *done, total;
	size_t n, cap; /* the classification's calls */
	size_t calls;  /* every call */
	size_t cancel_at; /* cancel on this call (0: never) */
};

static int record_tick(void *data, const char *what, uint64_t done,
		       uint64_t total)
{
	struct ticks *t = data;
	t->calls++;
	if (!strncmp(what, "partition by ", 13)) { /* not the preparation's */
		if (t->n == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 1024;
			t->done = realloc(t->done, t->cap * sizeof *t->done);
		}
		t->done[t->n++] = done;
		t->total = total;
	}
	return t->cancel_at && t->calls == t->cancel_at;
}

/* Kinds of every object by spec through a context, its ticks in t. */
static mt_status classify_ticks(const mt_graph *g, const char *spec,
				struct ticks *t, uint32_t **kinds,
				char **xlabel, uint32_t x)
{
	mt_ctx *c;
	mt_classifier *cls;
	mt_err err;
	mt_status st;
	assert_int_equal(mt_ctx_new(&c, g, &err), MT_OK);
	mt_ctx_set_progress(c, record_tick, t);
	*kinds = NULL;
	/* the classifier's preparation reports too (rcs: the referrers'
	 * kinds, via: the list indices) */
	st = mt_ctx_classifier(c, spec, &cls, &err);
	if (st == MT_OK) {
		st = mt_ctx_classify_all(c, cls, kinds, NULL, &err);
		if (st == MT_OK)
			*xlabel = strdup(mt_classifier_label(cls, (*kinds)[x]));
		else if (st == MT_CANCELLED) {
			/* the classifier goes on as if nothing happened */
			uint32_t *again;
			t->cancel_at = 0;
			assert_int_equal(mt_ctx_classify_all(c, cls, &again, NULL,
							      &err),
					 MT_OK);
			*xlabel = strdup(mt_classifier_label(cls, again[x]));
			mt_big_free(again);
		}
		mt_classifier_unref(cls);
	}
	if (st != MT_OK)
		assert_null(*kinds);
	mt_ctx_free(c);
	return st;
}

/* An object with more in-edges than DEDUP_FROM keeps each member once:
 * its kind is that of an object with the same members and few edges.
 * classify_all counts objects and in-edges, and moves inside an object
 * with 140k in-edges; a cancel anywhere leaves no trace. */
static void test_many_referrers(void **state)
{
	static const struct {
		const char *spec, *label;
	} cases[] = {
	    {"via", "'[0]', '[1]', '[2]'"},
	    {"rcs", "list"},
	};
	struct many m = many_graph();
	uint32_t first, nin, n = mt_graph_count(m.g);
	(void)state;
	mt_graph_in(m.g, m.x, &first, &nin);
	assert_int_equal(nin, MANY_K);
	for (size_t i = 0; i < 2; i++) {
		struct ticks t = {0};
		uint32_t *kinds = NULL;
		char *xl = NULL;
		assert_int_equal(classify_ticks(m.g, cases[i].spec, &t, &kinds,
						&xl, m.x),
				 MT_OK);
		assert_string_equal(xl, cases[i].label);
		assert_int_equal(kinds[m.x], kinds[m.y]);
		assert_label(m.g, cases[i].spec, m.x, cases[i].label);
		/* the work: objects and in-edges */
		assert_int_equal(t.total, (uint64_t)n + mt_graph_edge_count(m.g));
		uint64_t from = (uint64_t)m.x + first, to = from + nin;
		size_t inside = 0, first_in = 0;
		for (size_t k = 0; k < t.n; k++) {
			assert_true(t.done[k] <= t.total);
			if (k)
				assert_true(t.done[k] >= t.done[k - 1]);
			if (t.done[k] > from && t.done[k] < to && !inside++)
				first_in = k;
		}
		assert_true(inside >= 2); /* at 64k and 128k of X's edges */
		/* a cancel at calls spread over the work, and at each inside
		 * X (the preparation's calls come first); then the same
		 * kinds again */
		assert_true(t.n > 1 && t.calls > t.n);
		size_t pre = t.calls - t.n;
		for (size_t at = 1; at <= t.calls; at++) {
			if (at % 7 && at != t.calls &&
			    (at <= pre + first_in || at > pre + first_in + inside))
				continue;
			struct ticks c = {.cancel_at = at};
			uint32_t *k2 = NULL;
			char *l2 = NULL;
			assert_int_equal(classify_ticks(m.g, cases[i].spec, &c,
							&k2, &l2, m.x),
					 MT_CANCELLED);
			if (l2) /* cancelled while classifying, then again */
				assert_string_equal(l2, cases[i].label);
			free(l2);
			free(c.done);
		}
		free(t.done);
		mt_big_free(kinds);
		free(xl);
	}
	mt_graph_free(m.g);
}

struct rows_ticks {
	uint64_t last, total, n;
	size_t calls, in_rows;
	bool cancel; /* at the first call past the objects */
};

static int rows_tick(void *data, uint64_t done, uint64_t total)
{
	struct rows_ticks *r = data;
	assert_true(done >= r->last && done <= total);
	r->last = done;
	r->total = total;
	r->calls++;
	if (done > r->n) {
		r->in_rows++;
		return r->cancel;
	}
	return 0;
}

/* A partition by via of the many-referrers heap has a row per list (its
 * index in the root list): 140k rows whose labels and sort report their
 * progress past the objects' and can be cancelled there; the rows come
 * sorted by size, then label, then kind. */
static void test_many_rows(void **state)
{
	struct many m = many_graph();
	mt_classifier *c;
	mt_partition *p;
	uint32_t *kinds, n = mt_graph_count(m.g);
	mt_err err;
	(void)state;
	assert_int_equal(mt_classifier_new_named(&c, m.g, "via", &err), MT_OK);
	assert_int_equal(mt_classifier_classify_all(c, &kinds, &err), MT_OK);
	struct rows_ticks r = {.n = n};
	assert_int_equal(mt_partition_from_kinds(&p, c, NULL, kinds, n,
						 rows_tick, &r, &err),
			 MT_OK);
	assert_true(mt_partition_nrows(p) > MANY_K);
	assert_true(r.in_rows >= 10);
	uint64_t cum = 0, count = 0;
	for (size_t i = 0; i < mt_partition_nrows(p); i++) {
		const mt_partition_row *a = mt_partition_row_at(p, i);
		cum += a->size;
		count += a->count;
		assert_int_equal(a->cumul, cum);
		if (!i)
			continue;
		const mt_partition_row *b = mt_partition_row_at(p, i - 1);
		int l = strcmp(b->label, a->label);
		assert_true(b->size > a->size ||
			    (b->size == a->size &&
			     (l < 0 || (l == 0 && b->kind < a->kind))));
	}
	assert_int_equal(count, n);
	assert_int_equal(mt_partition_count(p), n);
	mt_partition_free(p);
	/* a cancel while the rows are made */
	struct rows_ticks rc = {.n = n, .cancel = true};
	p = (mt_partition *)1;
	assert_int_equal(mt_partition_from_kinds(&p, c, NULL, kinds, n,
						 rows_tick, &rc, &err),
			 MT_CANCELLED);
	assert_null(p);
	assert_int_equal(rc.in_rows, 1);
	mt_big_free(kinds);
	mt_classifier_free(c);
	mt_graph_free(m.g);
}

/* Every built-in row: the kinds of the whole heap at once (classify_all,
 * with a row's keys32 where it has one, KEYS_BLOCK keys at a time) are
 * those of classify, object by object, on a classifier of its own: the
 * same numbers (first seen first) and labels.  3000 objects of 37 types
 * in no order, so blocks start and end inside runs of one type. */
static void test_classify_all_agrees(void **state)
{
	enum { K = 37, N = 3000 };
	const char **mod = calloc(N, sizeof *mod), **name = calloc(N, sizeof *name);
	int32_t *types = malloc(N * sizeof *types);
	tg_edge *e = malloc(N * sizeof *e);
	char (*names)[16] = malloc(K * sizeof *names);
	uint32_t roots[1] = {K};
	size_t ne = 0, ndefs;
	char path[] = "/tmp/mt_test_agree_XXXXXX";
	int fd = mkstemp(path);
	mt_err err;
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (uint32_t i = 0; i < N; i++) {
		types[i] = i < K ? -1 : (int32_t)((i * 7919u + i / 5) % K);
		if (i < K) {
			snprintf(names[i], sizeof names[i], "T%u", i);
			mod[i] = "m";
			name[i] = names[i];
		}
		if (i > K)
			e[ne++] = (tg_edge){i % 11 == 0 ? i - 1 : K, i, 0, i};
	}
	tg_graph tg = {.n = N, .edges = e, .nedges = ne, .roots = roots,
		       .nroots = 1, .qualname_module = mod,
		       .qualname_name = name, .types = types};
	tg_write(path, &tg, NULL);
	mt_graph *g = tg_load(path);
	unlink(path);
	uint32_t n = mt_graph_count(g);
	const mt_classifier_def *const *defs = mt_classifier_defs(&ndefs);
	size_t tried = 0;
	for (size_t d = 0; d < ndefs; d++) {
		mt_ctx *ctx;
		mt_classifier *a, *b;
		uint32_t *k32;
		uint16_t *k16;
		assert_int_equal(mt_ctx_new(&ctx, g, &err), MT_OK);
		if (mt_ctx_classifier(ctx, defs[d]->name, &a, &err) != MT_OK) {
			mt_ctx_free(ctx);
			continue;
		}
		assert_int_equal(mt_classifier_new_def(&b, g, defs[d], ctx,
						       &err),
				 MT_OK);
		assert_int_equal(mt_ctx_classify_all(ctx, a, &k32, &k16, &err),
				 MT_OK);
		for (uint32_t id = 0; id < n; id++) {
			uint32_t kind, ka = k16 ? k16[id] : k32[id];
			assert_int_equal(mt_classifier_classify(b, id, &kind,
								&err),
					 MT_OK);
			assert_int_equal(ka, kind);
			assert_string_equal(mt_classifier_label(a, ka),
					    mt_classifier_label(b, kind));
		}
		tried += defs[d]->keys32 != NULL;
		mt_big_free(k32);
		mt_big_free(k16);
		mt_classifier_unref(a);
		mt_classifier_unref(b);
		mt_ctx_free(ctx);
	}
	assert_true(tried >= 1); /* type's row at least */
	mt_graph_free(g);
	free(names);
	free(e);
	free(types);
	free(mod);
	free(name);
}

/* mt_ctx_classify_all with kinds16: uint16 kinds when every kind fits
 * (type: a few kinds), else uint32, widened in place when the 65536th
 * kind comes (via: a row per list, more than 65536); either way the
 * kinds of mt_classifier_classify_all.  mt_kinds_out by hand: a kind
 * over 65535 at the first, the second, a middle or the last entry, or
 * none; with narrow false, uint32 from the start. */
static void test_kinds_narrow(void **state)
{
	static const char *const by[] = {"type", "via"};
	struct many m = many_graph();
	uint32_t n = mt_graph_count(m.g);
	mt_ctx *ctx;
	mt_err err;
	(void)state;
	assert_int_equal(mt_ctx_new(&ctx, m.g, &err), MT_OK);
	for (size_t b = 0; b < 2; b++) {
		mt_classifier *c;
		uint32_t *ref, *k32;
		uint16_t *k16;
		assert_int_equal(mt_ctx_classifier(ctx, by[b], &c, &err),
				 MT_OK);
		assert_int_equal(mt_classifier_classify_all(c, &ref, &err),
				 MT_OK);
		assert_int_equal(mt_ctx_classify_all(ctx, c, &k32, &k16, &err),
				 MT_OK);
		if (!b) {
			assert_null(k32);
			assert_non_null(k16);
			for (uint32_t j = 0; j < n; j++)
				assert_int_equal(k16[j], ref[j]);
			mt_big_free(k16);
		} else {
			assert_null(k16);
			assert_non_null(k32);
			assert_true(mt_classifier_kind_count(c) > 65536);
			for (uint32_t j = 0; j < n; j++)
				assert_int_equal(k32[j], ref[j]);
			mt_big_free(k32);
		}
		mt_big_free(ref);
		mt_classifier_unref(c);
	}
	mt_ctx_free(ctx);
	mt_graph_free(m.g);
	enum { LEN = 1000 };
	static const size_t at[] = {0, 1, 500, LEN - 1, LEN};
	for (size_t i = 0; i < sizeof at / sizeof *at; i++)
		for (int narrow = 0; narrow < 2; narrow++) {
			mt_kinds_out o;
			uint32_t *k32;
			uint16_t *k16;
			assert_int_equal(mt_kinds_out_init(&o, LEN, narrow, &err),
					 MT_OK);
			for (size_t j = 0; j < LEN; j++)
				mt_kinds_out_put(&o, j,
						 j == at[i] ? 70000 + (uint32_t)j
							    : (uint32_t)(j * 37 %
									 65536));
			mt_kinds_out_take(&o, &k32, &k16);
			assert_null(o.a);
			assert_true(!k16 == (at[i] < LEN || !narrow));
			assert_true(!k32 != !k16);
			for (size_t j = 0; j < LEN; j++) {
				uint32_t want = j == at[i] ? 70000 + (uint32_t)j
							   : (uint32_t)(j * 37 %
									65536);
				assert_int_equal(k16 ? k16[j] : k32[j], want);
			}
			mt_big_free(k16 ? (void *)k16 : (void *)k32);
		}
}

/* The classifiers' key -> kind map keeps every entry through its grows,
 * whose next arrays are made ahead (mt_ahead) from a quarter full. */
static void test_u64map_grows(void **state)
{
	struct mt_u64map m = {0};
	const uint32_t n = 300000;
	(void)state;
	assert_int_equal(mt_u64map_grow(&m, 256), 0);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t key = (uint64_t)i * 0x9e3779b97f4a7c15ULL + 3;
		size_t j = mt_u64map_slot(&m, key);
		assert_int_equal(m.v[j], MT_CLS_NONE);
		assert_int_equal(mt_u64map_put(&m, j, key, i), 0);
		assert_true(m.n * 2 <= m.cap);
		if ((m.n - 1) * 4 > m.cap && m.cap >= 4096) /* made ahead */
			assert_true(m.ak.done > 0 && m.av.done > 0 &&
				    m.av.bytes == 2 * m.cap * sizeof *m.v);
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t key = (uint64_t)i * 0x9e3779b97f4a7c15ULL + 3;
		assert_int_equal(m.v[mt_u64map_slot(&m, key)], i);
	}
	assert_int_equal(m.v[mt_u64map_slot(&m, 1)], MT_CLS_NONE);
	assert_int_equal(m.n, n);
	mt_u64map_free(&m);
	assert_null(m.ak.p);
}

int main(void)
{
	const struct CMUnitTest small[] = {
	    cmocka_unit_test(test_headers),	 cmocka_unit_test(test_rcs),
	    cmocka_unit_test(test_via),		 cmocka_unit_test(test_set_members),
	    cmocka_unit_test(test_simple_labels), cmocka_unit_test(test_surplus),
	    cmocka_unit_test(test_cycle_labels), cmocka_unit_test(test_kind_values),
	    cmocka_unit_test(test_combo_table),
	};
	const struct CMUnitTest other[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_heapy_section8),
	    cmocka_unit_test(test_scc_random),
	    cmocka_unit_test(test_scc_long_ring),
	    cmocka_unit_test(test_many_referrers),
	    cmocka_unit_test(test_many_rows),
	    cmocka_unit_test(test_kinds_narrow),
	    cmocka_unit_test(test_classify_all_agrees),
	    cmocka_unit_test(test_u64map_grows),
	};
	int rc = cmocka_run_group_tests(small, setup_small, teardown_small);
	return rc | cmocka_run_group_tests(other, NULL, NULL);
}
