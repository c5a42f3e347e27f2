/* Tests of src/analysis/diff.c: identity across two dumps of one process
 * (fixture pairs with known survivors, new and gone objects, an address
 * reused by an object of another type, virtual objects), translation of
 * sets, memlab's three-dump leak rule, and heapy's difference table byte
 * for byte: the expected texts below are what guppy3 3.1.7's
 * `(a.stat - b.stat)` printed for the same rows (Stat.__sub__ and
 * DiffFormat in guppy/heapy/Part.py; made with real heapy, see
 * doc/analysis.md "Comparing dumps"). */
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
#include "memtrack/ctx.h"
#include "memtrack/diff.h"
#include "memtrack/graph.h"
#include "memtrack/set.h"
#include "memtrack/table.h"

/* ---- heapy's texts (rows of builtins types, plus the type objects: a
 * `type` row of size 0 on both sides) ---- */

static const char HEAPY_MAIN[] =
    "Summary of difference operation (A-B).\n"
    "        Count     Size\n"
    "  A        56     2349\n"
    "  B        44     1929\n"
    "  A-B      12      420  =      21.8 % of B\n"
    "\n"
    "Differences by kind, largest absolute size diffs first.\n"
    " Index  Count     Size  Cumulative  % of B Kind (class / dict of class)\n"
    "     0      0      100       100      5.18 str\n"
    "     1      1      100       200      10.4 list\n"
    "     2      1      100       300      15.6 tuple\n"
    "     3      1      100       400      20.7 __main__.A\n"
    "     4      1       64       464      24.1 new1\n"
    "     5     -2      -64       400      20.7 gone1\n"
    "     6     -2      -64       336      17.4 gone2\n"
    "     7      1        7       343      17.8 k00\n"
    "     8      1        7       350      18.1 k01\n"
    "     9      1        7       357      18.5 k02\n"
    "<9 more rows. Type e.g. '_.more' to view.>\n";
static const char HEAPY_MAIN_ALL[] =
    "Summary of difference operation (A-B).\n"
    "        Count     Size\n"
    "  A        56     2349\n"
    "  B        44     1929\n"
    "  A-B      12      420  =      21.8 % of B\n"
    "\n"
    "Differences by kind, largest absolute size diffs first.\n"
    " Index  Count     Size  Cumulative  % of B Kind (class / dict of class)\n"
    "     0      0      100       100      5.18 str\n"
    "     1      1      100       200      10.4 list\n"
    "     2      1      100       300      15.6 tuple\n"
    "     3      1      100       400      20.7 __main__.A\n"
    "     4      1       64       464      24.1 new1\n"
    "     5     -2      -64       400      20.7 gone1\n"
    "     6     -2      -64       336      17.4 gone2\n"
    "     7      1        7       343      17.8 k00\n"
    "     8      1        7       350      18.1 k01\n"
    "     9      1        7       357      18.5 k02\n"
    "    10      1        7       364      18.9 k03\n"
    "    11      1        7       371      19.2 k04\n"
    "    12      1        7       378      19.6 k05\n"
    "    13      1        7       385        20 k06\n"
    "    14      1        7       392      20.3 k07\n"
    "    15      1        7       399      20.7 k08\n"
    "    16      1        7       406        21 k09\n"
    "    17      1        7       413      21.4 k10\n"
    "    18      1        7       420      21.8 k11\n";
static const char HEAPY_MAIN_MORE[] =
    " Index  Count     Size  Cumulative  % of B Kind (class / dict of class)\n"
    "    10      1        7       364      18.9 k03\n"
    "    11      1        7       371      19.2 k04\n"
    "    12      1        7       378      19.6 k05\n"
    "    13      1        7       385        20 k06\n"
    "    14      1        7       392      20.3 k07\n"
    "    15      1        7       399      20.7 k08\n"
    "    16      1        7       406        21 k09\n"
    "    17      1        7       413      21.4 k10\n"
    "    18      1        7       420      21.8 k11\n";
static const char HEAPY_SAME[] = "Summary of difference operation (A-B).\n"
				 "        Count     Size\n"
				 "  A         7       40\n"
				 "  B         7       40\n"
				 "  A-B       0        0  =         0 % of B\n";
static const char HEAPY_ZERO[] =
    "Summary of difference operation (A-B).\n"
    "        Count     Size\n"
    "  A         4       10\n"
    "  B         4       10\n"
    "  A-B       0        0  =         0 % of B\n"
    "\n"
    "\n"
    "     0      1       10        10       100 a\n"
    "     1     -1      -10         0         0 b\n";
static const char HEAPY_FROMEMPTY[] =
    "Summary of difference operation (A-B).\n"
    "        Count     Size\n"
    "  A         3       10\n"
    "  B         2        0\n"
    "  A-B       1       10  =    (n.a.) % of B\n"
    "\n"
    "Differences by kind, largest absolute size diffs first.\n"
    " Index  Count     Size  Cumulative  % of B Kind (class / dict of class)\n"
    "     0      1       10        10    (n.a.) a\n";
static const char HEAPY_TOEMPTY[] =
    "Summary of difference operation (A-B).\n"
    "        Count     Size\n"
    "  A         2        0\n"
    "  B         3       10\n"
    "  A-B      -1      -10  =      -100 % of B\n"
    "\n"
    "Differences by kind, largest absolute size diffs first.\n"
    " Index  Count     Size  Cumulative  % of B Kind (class / dict of class)\n"
    "     0     -1      -10       -10      -100 a\n";
static const char HEAPY_ELEVEN[] =
    "Summary of difference operation (A-B).\n"
    "        Count     Size\n"
    "  A        23      165\n"
    "  B        12        0\n"
    "  A-B      11      165  =    (n.a.) % of B\n"
    "\n"
    "Differences by kind, largest absolute size diffs first.\n"
    " Index  Count     Size  Cumulative  % of B Kind (class / dict of class)\n"
    "     0      1       20        20    (n.a.) r10\n"
    "     1      1       19        39    (n.a.) r09\n"
    "     2      1       18        57    (n.a.) r08\n"
    "     3      1       17        74    (n.a.) r07\n"
    "     4      1       16        90    (n.a.) r06\n"
    "     5      1       15       105    (n.a.) r05\n"
    "     6      1       14       119    (n.a.) r04\n"
    "     7      1       13       132    (n.a.) r03\n"
    "     8      1       12       144    (n.a.) r02\n"
    "     9      1       11       155    (n.a.) r01\n"
    "    10      1       10       165    (n.a.) r00\n";
static const char HEAPY_TWELVE[] =
    "Summary of difference operation (A-B).\n"
    "        Count     Size\n"
    "  A        25      186\n"
    "  B        13        0\n"
    "  A-B      12      186  =    (n.a.) % of B\n"
    "\n"
    "Differences by kind, largest absolute size diffs first.\n"
    " Index  Count     Size  Cumulative  % of B Kind (class / dict of class)\n"
    "     0      1       21        21    (n.a.) r11\n"
    "     1      1       20        41    (n.a.) r10\n"
    "     2      1       19        60    (n.a.) r09\n"
    "     3      1       18        78    (n.a.) r08\n"
    "     4      1       17        95    (n.a.) r07\n"
    "     5      1       16       111    (n.a.) r06\n"
    "     6      1       15       126    (n.a.) r05\n"
    "     7      1       14       140    (n.a.) r04\n"
    "     8      1       13       153    (n.a.) r03\n"
    "     9      1       12       165    (n.a.) r02\n"
    "<2 more rows. Type e.g. '_.more' to view.>\n";
static const char HEAPY_TIES[] =
    "Summary of difference operation (A-B).\n"
    "        Count     Size\n"
    "  A        13      240\n"
    "  B        11      220\n"
    "  A-B       2       20  =      9.09 % of B\n"
    "\n"
    "Differences by kind, largest absolute size diffs first.\n"
    " Index  Count     Size  Cumulative  % of B Kind (class / dict of class)\n"
    "     0      1       50        50      22.7 x\n"
    "     1      1       50       100      45.5 v\n"
    "     2     -1      -50        50      22.7 y\n"
    "     3      0      -30        20      9.09 z\n"
    "     4      1        0        20      9.09 w\n";

/* ---- fixture heaps ---- */

static char *tmp_path(char *buf, size_t n, const char *tag)
{
	snprintf(buf, n, "/tmp/mt_test_diff.%ld.%s.mp", (long)getpid(), tag);
	return buf;
}

static mt_graph *load(const char *path)
{
	mt_graph *g = NULL;
	mt_err err;
	char msg[256];
	mt_err_clear(&err);
	if (mt_graph_load(&g, path, NULL, NULL, &err) != MT_OK) {
		mt_err_format(&err, msg, sizeof msg);
		fail_msg("%s: %s", path, msg);
	}
	unlink(path);
	return g;
}

static mt_graph *write_load(fx *f, const char *tag, uint32_t *map)
{
	char path[128];
	mt_err err;
	char msg[256];
	mt_err_clear(&err);
	tmp_path(path, sizeof path, tag);
	if (fx_write(f, path, map, NULL, &err) != MT_OK) {
		mt_err_format(&err, msg, sizeof msg);
		fail_msg("fx_write: %s", msg);
	}
	fx_free(f);
	return load(path);
}

/* Type object node's [module, qualname] for a label: "mod.Name", or a
 * builtins name. */
static void qual(fx *f, uint32_t node, const char *label)
{
	const char *dot = strrchr(label, '.');
	char mod[64];
	if (!dot) {
		fx_qual(f, node, "builtins", label);
		return;
	}
	snprintf(mod, sizeof mod, "%.*s", (int)(dot - label), label);
	fx_qual(f, node, mod, dot + 1);
}

struct krow {
	const char *label; /* a builtins type's name: the clodo label */
	unsigned count;
	uint64_t size;
};

/* A heap of the objects of rows (count objects of the builtins type
 * `label` of total size `size`), with a type object (size 0) for every
 * label of rows and other, so two heaps made from the same two lists have
 * the same `type` row. */
static mt_graph *rows_heap(const struct krow *rows, size_t n,
			   const struct krow *other, size_t no, const char *tag)
{
	const char *labels[64];
	uint32_t types[64];
	size_t nl = 0, i, j;
	uint64_t addr = 0x10000;
	fx *f = fx_new();
	uint32_t tt = fx_node(f, FX_SELF, 0, addr += 16, 1, MT_NO_LENGTH);
	fx_qual(f, tt, "builtins", "type");
	for (i = 0; i < n + no; i++) {
		const char *l = i < n ? rows[i].label : other[i - n].label;
		for (j = 0; j < nl && strcmp(labels[j], l); j++)
			;
		if (j == nl) {
			assert_true(nl < 64);
			labels[nl] = l;
			types[nl] =
			    fx_node(f, tt, 0, addr += 16, 1, MT_NO_LENGTH);
			qual(f, types[nl], l);
			nl++;
		}
	}
	for (i = 0; i < n; i++) {
		uint64_t each = rows[i].size / rows[i].count;
		for (j = 0; j < nl && strcmp(labels[j], rows[i].label); j++)
			;
		for (unsigned k = 0; k < rows[i].count; k++)
			fx_node(f, types[j],
				k + 1 < rows[i].count
				    ? each
				    : rows[i].size - each * (rows[i].count - 1),
				addr += 16, 1, MT_NO_LENGTH);
	}
	return write_load(f, tag, NULL);
}

/* heapy's text of NEW - OLD for the two row lists. */
static void check_text(const struct krow *old, size_t nold,
		       const struct krow *new_, size_t nnew, size_t first,
		       unsigned flags, const char *expect)
{
	mt_graph *go = rows_heap(old, nold, new_, nnew, "old");
	mt_graph *gn = rows_heap(new_, nnew, old, nold, "new");
	mt_ctx *co, *cn;
	mt_diff *d;
	mt_strbuf sb;
	mt_err err;
	size_t next = 0;

	mt_err_clear(&err);
	assert_int_equal(mt_ctx_new(&co, go, &err), MT_OK);
	assert_int_equal(mt_ctx_new(&cn, gn, &err), MT_OK);
	assert_int_equal(
	    mt_diff_new(&d, co, NULL, cn, NULL, "clodo", NULL, &err), MT_OK);
	mt_strbuf_init(&sb);
	assert_int_equal(mt_diff_format_from(d, first, flags, &sb, &next, &err),
			 MT_OK);
	assert_string_equal(sb.s ? sb.s : "", expect);
	if (first == 0 && !(flags & MT_TABLE_ALL)) {
		mt_strbuf_reset(&sb);
		assert_int_equal(mt_diff_format(d, flags, &sb, &err), MT_OK);
		assert_string_equal(sb.s ? sb.s : "", expect);
	}
	mt_strbuf_destroy(&sb);
	mt_diff_free(d);
	mt_ctx_free(co);
	mt_ctx_free(cn);
	mt_graph_free(go);
	mt_graph_free(gn);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- heapy's table ---- */

static const struct krow MAIN_OLD[] = {
    {"str", 10, 1000}, {"list", 5, 500}, {"tuple", 3, 300},
    {"gone1", 2, 64},  {"gone2", 2, 64}, {"same", 1, 1},
};
static const struct krow MAIN_NEW[] = {
    {"str", 10, 1100}, {"list", 6, 600}, {"tuple", 4, 400},
    {"new1", 1, 64},   {"same", 1, 1},	 {"__main__.A", 1, 100},
    {"k00", 1, 7},     {"k01", 1, 7},	 {"k02", 1, 7},
    {"k03", 1, 7},     {"k04", 1, 7},	 {"k05", 1, 7},
    {"k06", 1, 7},     {"k07", 1, 7},	 {"k08", 1, 7},
    {"k09", 1, 7},     {"k10", 1, 7},	 {"k11", 1, 7},
};

static void test_format_main(void **state)
{
	(void)state;
	check_text(MAIN_OLD, N(MAIN_OLD), MAIN_NEW, N(MAIN_NEW), 0, 0,
		   HEAPY_MAIN);
	check_text(MAIN_OLD, N(MAIN_OLD), MAIN_NEW, N(MAIN_NEW), 0,
		   MT_TABLE_ALL, HEAPY_MAIN_ALL);
	check_text(MAIN_OLD, N(MAIN_OLD), MAIN_NEW, N(MAIN_NEW), 10, 0,
		   HEAPY_MAIN_MORE);
}

static void test_format_edges(void **state)
{
	static const struct krow same[] = {{"a", 3, 30}, {"b", 1, 10}};
	static const struct krow zo[] = {{"b", 1, 10}}, zn[] = {{"a", 1, 10}};
	static const struct krow a[] = {{"a", 1, 10}};
	(void)state;
	check_text(same, N(same), same, N(same), 0, 0, HEAPY_SAME);
	/* totals unchanged, rows changed: heapy's empty row header */
	check_text(zo, N(zo), zn, N(zn), 0, 0, HEAPY_ZERO);
	check_text(NULL, 0, a, N(a), 0, 0, HEAPY_FROMEMPTY);
	check_text(a, N(a), NULL, 0, 0, 0, HEAPY_TOEMPTY);
}

static void test_format_pages(void **state)
{
	struct krow r[12];
	char names[12][8];
	size_t i;
	(void)state;
	for (i = 0; i < 12; i++) {
		snprintf(names[i], sizeof names[i], "r%02zu", i);
		r[i] = (struct krow){names[i], 1, 10 + i};
	}
	/* 11 rows: heapy shows the 11th instead of "<1 more rows>" */
	check_text(NULL, 0, r, 11, 0, 0, HEAPY_ELEVEN);
	check_text(NULL, 0, r, 12, 0, 0, HEAPY_TWELVE);
}

static void test_format_ties(void **state)
{
	/* equal |size| differences keep heapy's order: NEW's rows in its
	 * table order (x before v), then the rows only in OLD (y) */
	static const struct krow o[] = {
	    {"y", 1, 50}, {"x", 2, 100}, {"z", 1, 40}, {"w", 1, 30}};
	static const struct krow n[] = {
	    {"x", 3, 150}, {"z", 1, 10}, {"w", 2, 30}, {"v", 1, 50}};
	(void)state;
	check_text(o, N(o), n, N(n), 0, 0, HEAPY_TIES);
}

/* ---- identity ---- */

#define PID 777
#define START 1795314000.5
#define BOOT "3f1c2a8e-0000-4000-8000-000000000001"

enum { T_TYPE, T_A, T_B, T_C, T_DICT, NTYPES };
static const char *const TNAME[NTYPES] = {"type", "A", "B", "C", "dict"};

struct obj {
	int type;      /* T_* */
	uint64_t addr; /* 0: virtual */
	uint64_t size;
	unsigned dict_of; /* 1 + the index of the object whose __dict__
			     this is (an attr edge), 0: none */
};

/* A heap of one process: the type objects (at fixed addresses, unless
 * tmove gives one a new address: a class made again) then objs; *ids
 * receives the dump id of each obj (type objects: tids, may be NULL). */
static mt_graph *obj_heap(const struct obj *objs, size_t n, int tmove,
			  uint32_t *ids, uint32_t *tids, const char *tag)
{
	fx *f = fx_new();
	uint32_t t[NTYPES], *map, *nodes;
	mt_graph *g;
	size_t i;
	fx_process(f, PID, START, BOOT);
	for (i = 0; i < NTYPES; i++) {
		uint64_t a = 0x100 + 0x10 * i + ((int)i == tmove ? 0x800 : 0);
		t[i] = fx_node(f, i ? t[T_TYPE] : FX_SELF, 400, a, 5,
			       MT_NO_LENGTH);
		if (i == T_A || i == T_B || i == T_C)
			fx_qual(f, t[i], "__main__", TNAME[i]);
		else
			fx_qual(f, t[i], "builtins", TNAME[i]);
	}
	nodes = malloc((n + 1) * sizeof *nodes);
	map = malloc((n + NTYPES + 1) * sizeof *map);
	assert_non_null(nodes);
	assert_non_null(map);
	for (i = 0; i < n; i++)
		nodes[i] = fx_node(f, t[objs[i].type], objs[i].size,
				   objs[i].addr, 1, MT_NO_LENGTH);
	for (i = 0; i < n; i++)
		if (objs[i].dict_of)
			fx_edge_name(f, nodes[objs[i].dict_of - 1], MT_REL_ATTR,
				     "__dict__", nodes[i]);
	g = write_load(f, tag, map);
	for (i = 0; i < n; i++)
		ids[i] = map[nodes[i]];
	for (i = 0; tids && i < NTYPES; i++)
		tids[i] = map[t[i]];
	free(nodes);
	free(map);
	return g;
}

/* OLD: o0 A, o1 B (its address reused by a C in NEW), o2 A, o3 B (gone),
 * o4 a virtual dict, o5 A (its address reused by another A: cannot be
 * told from a survivor).  NEW: n0 C at o1's address, n1 = o0, n2 = o2,
 * n3 a new A, n4 a virtual dict, n5 A at o5's address. */
static const struct obj OLD_OBJS[] = {
    {T_A, 0x1000, 32}, {T_B, 0x1010, 48}, {T_A, 0x1020, 32},
    {T_B, 0x1030, 48}, {T_DICT, 0, 64},	  {T_A, 0x1040, 32},
};
static const struct obj NEW_OBJS[] = {
    {T_C, 0x1010, 40}, {T_A, 0x1000, 32}, {T_A, 0x1020, 32},
    {T_A, 0x1050, 32}, {T_DICT, 0, 64},	  {T_A, 0x1040, 32},
};

struct pair {
	mt_graph *go, *gn;
	uint32_t o[6], n[6], to[NTYPES], tn[NTYPES];
	mt_match *m;
};

static void pair_open(struct pair *p, int tmove)
{
	mt_err err;
	mt_err_clear(&err);
	p->go = obj_heap(OLD_OBJS, 6, -1, p->o, p->to, "iold");
	p->gn = obj_heap(NEW_OBJS, 6, tmove, p->n, p->tn, "inew");
	assert_int_equal(mt_match_new(&p->m, p->go, p->gn, &err), MT_OK);
	assert_ptr_equal(mt_match_graph(p->m, MT_SIDE_OLD), p->go);
	assert_ptr_equal(mt_match_graph(p->m, MT_SIDE_NEW), p->gn);
}

static void pair_close(struct pair *p)
{
	mt_match_free(p->m);
	mt_graph_free(p->go);
	mt_graph_free(p->gn);
}

static void test_match(void **state)
{
	struct pair p;
	size_t i;
	(void)state;
	pair_open(&p, -1);
	/* the header fields made it through the writer and the reader */
	assert_true(mt_graph_header(p.go)->start_time == START);
	assert_string_equal(mt_graph_header(p.gn)->boot_id, BOOT);

	assert_int_equal(mt_match_old_of(p.m, p.n[0]), MT_NO_ID); /* C */
	assert_int_equal(mt_match_old_of(p.m, p.n[1]), p.o[0]);
	assert_int_equal(mt_match_old_of(p.m, p.n[2]), p.o[2]);
	assert_int_equal(mt_match_old_of(p.m, p.n[3]), MT_NO_ID);
	assert_int_equal(mt_match_old_of(p.m, p.n[4]), MT_NO_ID); /* virt. */
	assert_int_equal(mt_match_old_of(p.m, p.n[5]), p.o[5]);
	assert_int_equal(mt_match_new_of(p.m, p.o[0]), p.n[1]);
	assert_int_equal(mt_match_new_of(p.m, p.o[1]), MT_NO_ID); /* B */
	assert_int_equal(mt_match_new_of(p.m, p.o[2]), p.n[2]);
	assert_int_equal(mt_match_new_of(p.m, p.o[3]), MT_NO_ID);
	assert_int_equal(mt_match_new_of(p.m, p.o[4]), MT_NO_ID);
	assert_int_equal(mt_match_new_of(p.m, p.o[5]), p.n[5]);
	for (i = 0; i < NTYPES; i++) /* the type objects survive */
		assert_int_equal(mt_match_new_of(p.m, p.to[i]), p.tn[i]);
	/* out of range */
	assert_int_equal(mt_match_old_of(p.m, 1000), MT_NO_ID);
	assert_int_equal(mt_match_new_of(p.m, 1000), MT_NO_ID);
	pair_close(&p);
}

static void test_match_type_moved(void **state)
{
	struct pair p;
	(void)state;
	/* class A made again (a new type object at another address): its
	 * instances at the old addresses are new objects, A the type too */
	pair_open(&p, T_A);
	assert_int_equal(mt_match_old_of(p.m, p.n[1]), MT_NO_ID);
	assert_int_equal(mt_match_old_of(p.m, p.n[2]), MT_NO_ID);
	assert_int_equal(mt_match_old_of(p.m, p.n[5]), MT_NO_ID);
	assert_int_equal(mt_match_new_of(p.m, p.to[T_A]), MT_NO_ID);
	assert_int_equal(mt_match_new_of(p.m, p.to[T_B]), p.tn[T_B]);
	pair_close(&p);
}

/* A virtual instance dict matches when its owner does (memtrack.mark()'s
 * rule); one of an owner that is new, or without an owner, does not. */
static void test_match_virtual_dicts(void **state)
{
	/* OLD: o0 A with virtual dict o1; o2 A (its address reused by a B
	 * in NEW) with virtual dict o3; o4 a virtual dict of nobody. */
	static const struct obj old[] = {
	    {T_A, 0x1000, 32, 0}, {T_DICT, 0, 64, 1}, {T_A, 0x1010, 32, 0},
	    {T_DICT, 0, 64, 3},	  {T_DICT, 0, 64, 0},
	};
	/* NEW: n0 the dict of n1 (= o0); n2 a B at o2's address with a
	 * virtual dict n3; n4 a virtual dict of nobody; n5 a real dict of
	 * n6, a new A */
	static const struct obj new_[] = {
	    {T_DICT, 0, 64, 2},	  {T_A, 0x1000, 32, 0}, {T_B, 0x1010, 48, 0},
	    {T_DICT, 0, 64, 3},	  {T_DICT, 0, 64, 0},	{T_DICT, 0x2000, 64, 7},
	    {T_A, 0x1020, 32, 0},
	};
	uint32_t o[5], n[7];
	mt_graph *go = obj_heap(old, 5, -1, o, NULL, "vo");
	mt_graph *gn = obj_heap(new_, 7, -1, n, NULL, "vn");
	mt_match *m;
	mt_err err;
	(void)state;
	mt_err_clear(&err);
	assert_int_equal(mt_match_new(&m, go, gn, &err), MT_OK);
	assert_int_equal(mt_match_old_of(m, n[1]), o[0]);
	assert_int_equal(mt_match_old_of(m, n[0]), o[1]); /* owner's dict */
	assert_int_equal(mt_match_new_of(m, o[1]), n[0]);
	assert_int_equal(mt_match_old_of(m, n[3]), MT_NO_ID); /* new owner */
	assert_int_equal(mt_match_new_of(m, o[3]), MT_NO_ID);
	assert_int_equal(mt_match_old_of(m, n[4]), MT_NO_ID); /* nobody's */
	assert_int_equal(mt_match_new_of(m, o[4]), MT_NO_ID);
	assert_int_equal(mt_match_old_of(m, n[5]), MT_NO_ID);
	mt_match_free(m);
	mt_graph_free(go);
	mt_graph_free(gn);
}

static mt_set *ids_set(const uint32_t *ids, size_t n)
{
	mt_set *s;
	mt_err err;
	mt_err_clear(&err);
	assert_int_equal(mt_set_from_ids(&s, ids, n, &err), MT_OK);
	return s;
}

static void assert_set(const mt_set *s, const uint32_t *ids, size_t n)
{
	mt_set *e = ids_set(ids, n);
	assert_true(mt_set_equal(s, e));
	mt_set_unref(e);
}

static void test_translate(void **state)
{
	struct pair p;
	mt_set *all_old, *all_new, *t, *d;
	mt_err err;
	(void)state;
	mt_err_clear(&err);
	pair_open(&p, -1);
	assert_int_equal(mt_set_all(&all_old, p.go, &err), MT_OK);
	assert_int_equal(mt_set_all(&all_new, p.gn, &err), MT_OK);
	/* h - h0: the objects new in NEW */
	assert_int_equal(
	    mt_match_translate(p.m, MT_SIDE_OLD, all_old, &t, &err), MT_OK);
	assert_int_equal(mt_set_op(&d, MT_SETOP_SUB, all_new, t, &err), MT_OK);
	{
		uint32_t e[] = {p.n[0], p.n[3], p.n[4]};
		assert_set(d, e, 3);
	}
	mt_set_unref(d);
	mt_set_unref(t);
	/* h0 - h: the objects gone */
	assert_int_equal(
	    mt_match_translate(p.m, MT_SIDE_NEW, all_new, &t, &err), MT_OK);
	assert_int_equal(mt_set_op(&d, MT_SETOP_SUB, all_old, t, &err), MT_OK);
	{
		uint32_t e[] = {p.o[1], p.o[3], p.o[4]};
		assert_set(d, e, 3);
	}
	mt_set_unref(d);
	mt_set_unref(t);
	/* a set with and without counterparts */
	{
		uint32_t in[] = {p.n[0], p.n[1], p.n[5]},
			 e[] = {p.o[0], p.o[5]};
		mt_set *s = ids_set(in, 3);
		assert_int_equal(
		    mt_match_translate(p.m, MT_SIDE_NEW, s, &t, &err), MT_OK);
		assert_set(t, e, 2);
		mt_set_unref(t);
		mt_set_unref(s);
	}
	/* errors */
	assert_int_equal(mt_match_translate(p.m, 7, all_new, &t, &err), MT_ARG);
	assert_null(t);
	{
		uint32_t in[] = {999};
		mt_set *s = ids_set(in, 1);
		assert_int_equal(
		    mt_match_translate(p.m, MT_SIDE_OLD, s, &t, &err), MT_ARG);
		assert_non_null(strstr(err.detail, "999"));
		mt_set_unref(s);
	}
	mt_set_unref(all_old);
	mt_set_unref(all_new);
	pair_close(&p);
}

static const mt_diff_row *row_named(const mt_diff *d, const char *label)
{
	size_t i;
	for (i = 0; i < mt_diff_nrows(d); i++)
		if (!strcmp(mt_diff_row_at(d, i)->label, label))
			return mt_diff_row_at(d, i);
	fail_msg("no row %s", label);
	return NULL;
}

static void test_diff_identity(void **state)
{
	struct pair p;
	mt_ctx *co, *cn;
	mt_diff *d;
	const mt_diff_row *r;
	mt_err err;
	uint64_t oc, os, nc, ns;
	(void)state;
	mt_err_clear(&err);
	pair_open(&p, -1);
	assert_int_equal(mt_ctx_new(&co, p.go, &err), MT_OK);
	assert_int_equal(mt_ctx_new(&cn, p.gn, &err), MT_OK);
	assert_int_equal(mt_diff_new(&d, co, NULL, cn, NULL, "Type", p.m, &err),
			 MT_OK);
	assert_string_equal(mt_diff_header(d), "Type");
	mt_diff_totals(d, &oc, &os, &nc, &ns);
	assert_int_equal(oc, 11);
	assert_int_equal(os, 5 * 400 + 256);
	assert_int_equal(nc, 11);
	assert_int_equal(ns, 5 * 400 + 232);
	assert_int_equal(mt_diff_nrows(d), 5);
	/* heapy's order: |size delta| 96 (B), 40 (C), 32 (A), then 0 */
	assert_string_equal(mt_diff_row_at(d, 0)->label, "__main__.B");
	assert_string_equal(mt_diff_row_at(d, 1)->label, "__main__.C");
	assert_string_equal(mt_diff_row_at(d, 2)->label, "__main__.A");

	r = row_named(d, "__main__.A");
	assert_int_equal(r->old_count, 3);
	assert_int_equal(r->new_count, 4);
	assert_int_equal(r->new_size, 128);
	assert_int_equal(r->added_count, 1); /* n3; n5 counts as o5 */
	assert_int_equal(r->added_size, 32);
	assert_int_equal(r->gone_count, 0);
	assert_true(mt_diff_row_changed(r));
	assert_string_equal(
	    mt_partition_row_at(mt_diff_partition(d, MT_SIDE_NEW), r->new_row)
		->label,
	    "__main__.A");
	r = row_named(d, "__main__.B");
	assert_int_equal(r->new_count, 0);
	assert_int_equal(r->new_row, MT_NO_ID);
	assert_int_equal(r->gone_count, 2);
	assert_int_equal(r->gone_size, 96);
	r = row_named(d, "__main__.C");
	assert_int_equal(r->old_row, MT_NO_ID);
	assert_int_equal(r->added_count, 1);
	assert_int_equal(r->added_size, 40);
	/* the virtual dicts: same count and size, one new and one gone --
	 * changed, yet not in heapy's table */
	r = row_named(d, "dict");
	assert_int_equal(r->added_count, 1);
	assert_int_equal(r->gone_count, 1);
	assert_int_equal(r->old_size, r->new_size);
	assert_true(mt_diff_row_changed(r));
	r = row_named(d, "type");
	assert_int_equal(r->added_count + r->gone_count, 0);
	assert_false(mt_diff_row_changed(r));
	assert_int_equal(mt_diff_table_rows(d), 3);
	mt_diff_free(d);

	/* subsets: New = members of new_set without a counterpart in
	 * old_set, Deleted = members of old_set without one in new_set */
	{
		uint32_t ni[] = {p.n[0], p.n[1]}, oi[] = {p.o[0], p.o[2]};
		mt_set *ns_ = ids_set(ni, 2), *os_ = ids_set(oi, 2);
		assert_int_equal(mt_diff_new(&d, co, os_, cn, ns_, "type", p.m,
					     &err),
				 MT_OK);
		r = row_named(d, "__main__.A");
		assert_int_equal(r->old_count, 2);
		assert_int_equal(r->new_count, 1);
		assert_int_equal(r->added_count, 0); /* n1 is o0 */
		assert_int_equal(r->gone_count, 1);  /* o2: n2 not in new_set */
		assert_int_equal(r->gone_size, 32);
		r = row_named(d, "__main__.C");
		assert_int_equal(r->added_count, 1);
		mt_diff_free(d);
		mt_set_unref(ns_);
		mt_set_unref(os_);
	}
	/* a match of other dumps */
	assert_int_equal(mt_diff_new(&d, cn, NULL, co, NULL, "type", p.m, &err),
			 MT_ARG);
	assert_null(d);
	/* a bad classifier name */
	assert_int_equal(
	    mt_diff_new(&d, co, NULL, cn, NULL, "nosuch", NULL, &err), MT_ARG);
	assert_null(d);
	mt_ctx_free(co);
	mt_ctx_free(cn);
	pair_close(&p);
}

static void test_same_process(void **state)
{
	mt_header a = {.pid = 12,
		       .start_time = 100.0,
		       .boot_id = "x",
		       .py_major = 3,
		       .py_minor = 11,
		       .py_micro = 7};
	mt_header b = a;
	const char *why = "unset";
	(void)state;
	assert_true(mt_same_process(&a, &b, &why));
	assert_null(why);
	b.start_time = 100.9; /* /proc/stat's btime moves by a second */
	assert_true(mt_same_process(&a, &b, NULL));
	b.boot_id = NULL; /* one side without the boot id */
	assert_true(mt_same_process(&a, &b, NULL));
	b.pid = 34;
	assert_false(mt_same_process(&a, &b, &why));
	assert_string_equal(why, "the dumps come from different processes "
				 "(pid 12 and 34)");
	b = a;
	b.start_time = 250.0; /* the pid used again */
	assert_false(mt_same_process(&a, &b, &why));
	assert_non_null(strstr(why, "started at two times, 150 s apart"));
	b = a;
	b.boot_id = "y";
	assert_false(mt_same_process(&a, &b, &why));
	assert_non_null(strstr(why, "different boots"));
	b = a;
	b.py_minor = 13; /* another interpreter: named before the pid */
	b.pid = 34;
	assert_false(mt_same_process(&a, &b, &why));
	assert_string_equal(why, "the dumps come from different Python "
				 "versions (3.11.7 and 3.13.7)");
	b = a;
	b.start_time = 0; /* written before the key */
	assert_false(mt_same_process(&a, &b, &why));
	assert_non_null(strstr(why, "do not record the process start time"));
}

static void test_match_other_process(void **state)
{
	uint32_t ids[1];
	static const struct obj one[] = {{T_A, 0x1000, 32}};
	mt_graph *a = obj_heap(one, 1, -1, ids, NULL, "pa");
	mt_graph *b;
	mt_match *m = (mt_match *)1;
	mt_err err;
	fx *f = fx_new();
	(void)state;
	mt_err_clear(&err);
	fx_process(f, PID + 1, START, BOOT);
	fx_qual(f, fx_node(f, FX_SELF, 400, 0x100, 5, MT_NO_LENGTH), "builtins",
		"type");
	b = write_load(f, "pb", NULL);
	assert_int_equal(mt_match_new(&m, a, b, &err), MT_ARG);
	assert_null(m);
	assert_string_equal(err.detail, "the dumps come from different "
					"processes (pid 777 and 778)");
	mt_graph_free(a);
	mt_graph_free(b);
}

/* memlab's rule: A, B, C of one process; leaks = alive in B and C, not in
 * A. */
static void test_leak_candidates(void **state)
{
	static const struct obj a_objs[] = {{T_A, 0x1000, 32}};
	static const struct obj b_objs[] = {
	    {T_A, 0x1000, 32}, {T_A, 0x1010, 32}, {T_B, 0x1020, 48}};
	static const struct obj c_objs[] = {{T_A, 0x1030, 32},
					    {T_A, 0x1010, 32},
					    {T_A, 0x1000, 32},
					    {T_C, 0x1020, 40}};
	uint32_t ia[1], ib[3], ic[4];
	mt_graph *ga = obj_heap(a_objs, 1, -1, ia, NULL, "la");
	mt_graph *gb = obj_heap(b_objs, 3, -1, ib, NULL, "lb");
	mt_graph *gc = obj_heap(c_objs, 4, -1, ic, NULL, "lc");
	mt_match *ab, *bc, *ac;
	mt_set *s;
	mt_err err;
	(void)state;
	mt_err_clear(&err);
	assert_int_equal(mt_match_new(&ab, ga, gb, &err), MT_OK);
	assert_int_equal(mt_match_new(&bc, gb, gc, &err), MT_OK);
	assert_int_equal(mt_match_new(&ac, ga, gc, &err), MT_OK);
	assert_int_equal(mt_leak_candidates(ab, bc, &s, &err), MT_OK);
	/* the A at 0x1010: made after A, alive in B and C; not the one of
	 * A (0x1000), not B's B (gone: a C at its address), not C's new A */
	assert_set(s, &ic[1], 1);
	mt_set_unref(s);
	assert_int_equal(mt_leak_candidates(ab, ac, &s, &err), MT_ARG);
	assert_null(s);
	mt_match_free(ab);
	mt_match_free(bc);
	mt_match_free(ac);
	mt_graph_free(ga);
	mt_graph_free(gb);
	mt_graph_free(gc);
}

/* The hash join against the quadratic definition, on two heaps of
 * random objects over a small pool of addresses and types (many reuses,
 * some virtual objects, ids in different orders). */
static void test_match_random(void **state)
{
	enum { NO = 1500, NN = 1700 };
	static struct obj o[NO], n[NN];
	static uint32_t io[NO], in[NN];
	unsigned seed = 12345;
	mt_graph *go, *gn;
	mt_match *m;
	mt_err err;
	size_t i, j;
	(void)state;
	mt_err_clear(&err);
	for (i = 0; i < NO + NN; i++) {
		struct obj *x = i < NO ? &o[i] : &n[i - NO];
		seed = seed * 1103515245u + 12345u;
		x->type = T_A + (int)((seed >> 16) % 4);
		seed = seed * 1103515245u + 12345u;
		/* unique within a heap: slot i of a permutation */
		x->addr = 0;
		x->size = 16 + (seed >> 16) % 100;
	}
	/* addresses: each heap takes distinct slots of a pool of 2500 */
	for (int side = 0; side < 2; side++) {
		size_t cnt = side ? NN : NO;
		struct obj *x = side ? n : o;
		static uint32_t pool[2500];
		for (i = 0; i < 2500; i++)
			pool[i] = (uint32_t)i;
		for (i = 0; i < 2499; i++) {
			seed = seed * 1103515245u + 12345u;
			j = i + (seed >> 16) % (2500 - i);
			uint32_t tmp = pool[i];
			pool[i] = pool[j];
			pool[j] = tmp;
		}
		for (i = 0; i < cnt; i++)
			x[i].addr = pool[i] % 50 == 7 ? 0 /* virtual */
						      : 0x100000 + 16 * pool[i];
	}
	go = obj_heap(o, NO, -1, io, NULL, "ro");
	gn = obj_heap(n, NN, -1, in, NULL, "rn");
	assert_int_equal(mt_match_new(&m, go, gn, &err), MT_OK);
	for (j = 0; j < NN; j++) {
		uint32_t expect = MT_NO_ID;
		for (i = 0; i < NO; i++)
			if (n[j].addr && o[i].addr == n[j].addr &&
			    o[i].type == n[j].type)
				expect = io[i];
		assert_int_equal(mt_match_old_of(m, in[j]), expect);
		if (expect != MT_NO_ID)
			assert_int_equal(mt_match_new_of(m, expect), in[j]);
	}
	for (i = 0; i < NO; i++) {
		uint32_t cp = mt_match_new_of(m, io[i]);
		if (cp != MT_NO_ID)
			assert_int_equal(mt_match_old_of(m, cp), io[i]);
	}
	mt_match_free(m);
	mt_graph_free(go);
	mt_graph_free(gn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format_main),
	    cmocka_unit_test(test_format_edges),
	    cmocka_unit_test(test_format_pages),
	    cmocka_unit_test(test_format_ties),
	    cmocka_unit_test(test_same_process),
	    cmocka_unit_test(test_match),
	    cmocka_unit_test(test_match_type_moved),
	    cmocka_unit_test(test_match_virtual_dicts),
	    cmocka_unit_test(test_match_other_process),
	    cmocka_unit_test(test_match_random),
	    cmocka_unit_test(test_translate),
	    cmocka_unit_test(test_diff_identity),
	    cmocka_unit_test(test_leak_candidates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
