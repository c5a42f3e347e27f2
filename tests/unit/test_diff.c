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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format_main),
	    cmocka_unit_test(test_format_edges),
	    cmocka_unit_test(test_format_pages),
	    cmocka_unit_test(test_format_ties),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
