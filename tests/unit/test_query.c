/* cmocka tests of the query language: parsing (precedence, errors with the
 * caret offset), evaluation of every construct over a small hand-built heap
 * (sets, partitions, rows, algebra, kinds, navigation, dominance, paths),
 * paging with _ and .more, and the rendered text. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "graphgen.h"
#include "memtrack/classifier.h"
#include "memtrack/ctx.h"
#include "memtrack/mine.h"
#include "memtrack/qast.h"
#include "memtrack/partition.h"
#include "memtrack/query.h"
#include "qval.h" /* the attribute table, q_defs */

/* The heap (node: what, type):
 *   0 list [1, 2, 3]              root edge
 *   1, 2, 3 __main__.Node, each -> its name str 4, 5, 6 ('a', 'b', 'c')
 *   7 list <-> 8 list             a cycle, root edge to 7
 *   9 <list>, 10 <__main__.Node>, 11 <str>, 12 <type>: type objects
 * graphgen adds one more object, the unused default type (builtins.object,
 * 16 bytes), which no root reaches. */
enum { N = 13 };
static const char *const mods[N] = {[9] = "builtins", [10] = "__main__",
				    [11] = "builtins", [12] = "builtins"};
static const char *const names[N] = {[9] = "list", [10] = "Node",
				     [11] = "str", [12] = "type"};
static const int32_t types[N] = {9, 10, 10, 10, 11, 11, 11, 9, 9,
				 12, 12, 12, 12};
static const char *const strs[N] = {[4] = "a", [5] = "b", [6] = "c"};
static const uint64_t sizes[N] = {88, 48, 48, 48, 50, 50, 50, 72, 72,
				  400, 1000, 400, 400};
static const tg_edge edges[] = {
	{0, 1, 2, 0}, {0, 2, 2, 1}, {0, 3, 2, 2}, {1, 4, 1, 1},
	{2, 5, 1, 1}, {3, 6, 1, 1}, {7, 8, 2, 0}, {8, 7, 2, 0},
};
static const uint32_t roots[] = {0, 7};
static const char *const attrs[] = {"name"};

static char path[64];
static mt_graph *g;
static mt_ctx *ctx; /* the dump's context, shared by the sessions */
static uint32_t map[N + 1];

static int setup(void **state)
{
	snprintf(path, sizeof path, "/tmp/mt_test_query.%ld.mp", (long)getpid());
	tg_graph tg = {.n = N, .sizes = sizes, .edges = edges,
		       .nedges = sizeof edges / sizeof edges[0], .roots = roots,
		       .nroots = 2, .qualname_module = mods,
		       .qualname_name = names, .types = types,
		       .str_values = strs, .attr_names = attrs,
		       .nattr_names = 1};
	tg_write(path, &tg, map);
	mt_err err;
	if (mt_graph_load(&g, path, NULL, NULL, &err) != MT_OK)
		return -1;
	unlink(path);
	if (mt_ctx_new(&ctx, g, &err) != MT_OK)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	mt_ctx_free(ctx);
	mt_graph_free(g);
	return 0;
}

/* Runs expr, returns the text (caller frees) or NULL with *err set. */
static char *run(mt_query *q, const char *expr, mt_err *err)
{
	mt_strbuf out;
	mt_strbuf_init(&out);
	mt_err_clear(err);
	if (mt_query_run(q, expr, &out, err) != MT_OK) {
		mt_strbuf_destroy(&out);
		return NULL;
	}
	return out.s ? out.s : strdup("");
}

static void expect(mt_query *q, const char *expr, const char *want)
{
	mt_err err;
	char *got = run(q, expr, &err);
	if (!got)
		fail_msg("%s: error at %llu: %s", expr,
			 (unsigned long long)err.offset, err.detail);
	if (strcmp(got, want))
		fail_msg("%s:\n--- got\n%s--- want\n%s", expr, got, want);
	free(got);
}

static void expect_err(mt_query *q, const char *expr, mt_status code,
		       size_t offset, const char *detail_part)
{
	mt_err err;
	char *got = run(q, expr, &err);
	if (got)
		fail_msg("%s: expected an error, got:\n%s", expr, got);
	if (err.code != code || err.offset != offset ||
	    !strstr(err.detail, detail_part))
		fail_msg("%s: got code %d at %llu '%s', want %d at %zu '%s'",
			 expr, err.code, (unsigned long long)err.offset,
			 err.detail, code, offset, detail_part);
}

static mt_query *session(void)
{
	mt_query *q;
	mt_err err;
	assert_int_equal(mt_query_new(&q, ctx, &err), MT_OK);
	return q;
}

static void test_numbers_and_precedence(void **state)
{
	mt_query *q = session();
	expect(q, "1 + 2", "3\n");
	expect(q, "7 - 2 - 1", "4\n");
	expect(q, "1 | 2 & 3", "3\n"); /* & binds tighter than | */
	expect(q, "6 ^ 3 & 1", "7\n");
	expect(q, "-(2 - 5)", "3\n");
	expect(q, "1 < 2 < 3", "True\n");
	expect(q, "1 < 3 < 2", "False\n");
	expect(q, "0x10", "16\n");
	expect(q, "'it''s'", "'its'\n");
	expect(q, "\"it's\"", "\"it's\"\n");
	expect(q, "_ == \"it's\"", "True\n");
	mt_query_free(q);
}

static void test_syntax_errors(void **state)
{
	mt_query *q = session();
	expect_err(q, "h.byrcs[0.referrers", MT_SYNTAX, 9, "only integers");
	expect_err(q, "h.byrcs[0].", MT_SYNTAX, 11, "attribute name");
	expect_err(q, "h[0", MT_SYNTAX, 3, "expected ']'");
	expect_err(q, "h..count", MT_SYNTAX, 2, "attribute name");
	expect_err(q, "", MT_SYNTAX, 0, "empty expression");
	expect_err(q, "h h", MT_SYNTAX, 2, "unexpected a name");
	expect_err(q, "'abc", MT_SYNTAX, 0, "unterminated string");
	expect_err(q, "h $ 1", MT_SYNTAX, 2, "unexpected character");
	expect_err(q, "1.5", MT_SYNTAX, 1, "only integers");
	expect_err(q, "hp.Type('dict'", MT_SYNTAX, 14, "',' or ')'");
	char deep[1000];
	memset(deep, '(', 600);
	deep[600] = '\0';
	expect_err(q, deep, MT_SYNTAX, 200, "nested too deeply");
	mt_query_free(q);
}

static void test_type_errors(void **state)
{
	mt_query *q = session();
	expect_err(q, "x", MT_TYPE, 0, "name 'x' is not defined");
	expect_err(q, "h.nosuch", MT_TYPE, 2, "no attribute 'nosuch'");
	expect_err(q, "h + h", MT_TYPE, 2, "unsupported operand");
	expect_err(q, "h[9]", MT_RANGE, 2, "out of range");
	expect_err(q, "h['a']", MT_TYPE, 2, "index must be an int");
	expect_err(q, "h.bynosuch", MT_TYPE, 2, "unknown classifier");
	expect_err(q, "h.theone", MT_RANGE, 2, "exactly one");
	expect_err(q, "_.more", MT_TYPE, 0, "there is none yet");
	mt_query_free(q);
}

static void test_heap_partitions(void **state)
{
	mt_query *q = session();
	const char *heap =
		"Partition of a set of 14 objects. Total size = 2742 bytes.\n"
		" Index  Count   %     Size   % Cumulative  % Kind (class / "
		"dict of class)\n"
		"     0      4  29     2200  80      2200  80 type\n"
		"     1      3  21      232   8      2432  89 list\n"
		"     2      3  21      150   5      2582  94 str\n"
		"     3      3  21      144   5      2726  99 __main__.Node\n"
		"     4      1   7       16   1      2742 100 object\n";
	expect(q, "h", heap);
	expect(q, "hp.heap()", heap);
	expect(q, "h.bytype",
	       "Partition of a set of 14 objects. Total size = 2742 bytes.\n"
	       " Index  Count   %     Size   % Cumulative  % Type\n"
	       "     0      4  29     2200  80      2200  80 type\n"
	       "     1      3  21      232   8      2432  89 list\n"
	       "     2      3  21      150   5      2582  94 str\n"
	       "     3      3  21      144   5      2726  99 __main__.Node\n"
	       "     4      1   7       16   1      2742 100 object\n");
	expect(q, "h.by('Type') == h", "True\n");
	expect(q, "h[1]",
	       "Partition of a set of 3 objects. Total size = 232 bytes.\n"
	       " Index  Count   %     Size   % Cumulative  % Kind (class / "
	       "dict of class)\n"
	       "     0      3 100      232 100       232 100 list\n");
	expect(q, "h[1].count", "3\n");
	expect(q, "h[1].size", "232\n");
	expect(q, "h[1:3].count", "6\n");
	expect(q, "h[:2].count", "7\n");
	expect(q, "h[3:].count", "4\n");
	expect(q, "h[-1].size", "16\n");
	expect(q, "h[3:1].count", "0\n");
	expect(q, "h[-2:].count", "4\n");
	expect(q, "h.byid[-2:].count", "2\n");
	expect(q, "h.byid[5:2].count", "0\n");
	expect(q, "h.byid[:100].count", "14\n");
	/* rows keep the classifier: a bysize row partitions by size */
	expect(q, "h.bysize[0].count", "3\n"); /* 3 x 400 > 1 x 1000 */
	expect(q, "h.bysize[0].size", "1200\n");
	expect(q, "h.bysize[1].size", "1000\n");
	mt_query_free(q);
}

/* Classifier names are case-insensitive, so the cache is keyed by the
 * canonical name: 16 spellings of bytype in an index used to fill the
 * 16-entry cache and free the classifier the index was partitioned by,
 * which row selection then read (use after free under ASan). */
static void test_classifier_spellings(void **state)
{
	static const char *const spell[] = {
		"byType",	"byTYPE",     "bytYpe",	      "byTyPe",
		"bytypE",	"byTYpe",     "bytyPE",	      "byTypE",
		"byTYPe",	"byTyPE",     "bytYPE",	      "byTYPe",
		"bytYPe",	"byTYpE",     "bytYpE",	      "by('TYPE')",
		"by(' type')", "by('Type\t')"};
	mt_query *q = session();
	char expr[1024];
	size_t k = (size_t)snprintf(expr, sizeof expr, "h.bytype[0");
	for (size_t i = 0; i < sizeof spell / sizeof spell[0]; i++)
		k += (size_t)snprintf(expr + k, sizeof expr - k,
				      " + (h.%s.count & 0)", spell[i]);
	snprintf(expr + k, sizeof expr - k, "].count");
	expect(q, expr, "4\n"); /* the 4 type objects */
	expect(q, "h.bytype[0].count", "4\n");
	/* one classifier, one label, whatever the spelling */
	mt_qresult r;
	mt_err err;
	assert_int_equal(mt_query_eval(q, "h.byTYPE[1]", &r, &err), MT_OK);
	assert_string_equal(r.er, "type");
	mt_qresult_destroy(&r);
	assert_int_equal(mt_query_eval(q, "h.by(' Type &\tSIZE ')", &r, &err),
			 MT_OK);
	assert_string_equal(r.er, "type&size");
	mt_qresult_destroy(&r);
	assert_int_equal(mt_query_eval(q, "h.byID", &r, &err), MT_OK);
	assert_string_equal(r.er, "id");
	mt_qresult_destroy(&r);
	char *a = run(q, "h.byRcs", &err), *b = run(q, "h.byrcs", &err);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, b);
	free(a);
	free(b);
	char big[80];
	snprintf(big, sizeof big, "h.by('%060d')", 0);
	expect_err(q, big, MT_RANGE, 5, "classifier name too long");
	mt_query_free(q);
}

/* 17 different classifiers in an index evict the one the index is
 * partitioned by from the cache: the cache drops its reference, the index
 * keeps its own until it is done. */
static void test_classifier_eviction(void **state)
{
	static const char *const by[] = {"clodo", "rcs", "via", "size",
					 "module", "unity"};
	mt_query *q = session();
	char expr[2048];
	size_t k = (size_t)snprintf(expr, sizeof expr, "h.bytype[1"), n = 0;
	for (size_t i = 0; i < 6; i++)
		for (size_t j = 0; j < 6 && n < 17; j++)
			if (i != j) {
				k += (size_t)snprintf(
					expr + k, sizeof expr - k,
					" + (h.by('%s&%s').count & 0)", by[i],
					by[j]);
				n++;
			}
	snprintf(expr + k, sizeof expr - k, "]");
	const char *lists =
		"Partition of a set of 3 objects. Total size = 232 bytes.\n"
		" Index  Count   %     Size   % Cumulative  % Type\n"
		"     0      3 100      232 100       232 100 list\n";
	expect(q, expr, lists);
	expect(q, "_", lists); /* rendered again with a fresh classifier */
	expect(q, "h.bytype[1]", lists);
	mt_query_free(q);
}

static void test_set_algebra(void **state)
{
	mt_query *q = session();
	expect(q, "(h[1] | h[2]).count", "6\n");
	expect(q, "(h - h[0]).count", "10\n");
	expect(q, "(h[1] & h[2]).count", "0\n");
	expect(q, "(h ^ h[1]).count", "11\n");
	expect(q, "(~h[0]).count", "10\n");
	expect(q, "(~~h[0]).count", "4\n");
	expect(q, "h[1] <= h", "True\n");
	expect(q, "h[1] < h", "True\n");
	expect(q, "h < h", "False\n");
	expect(q, "h >= h[1] | h[2]", "True\n");
	expect(q, "h[1] == h[1]", "True\n");
	expect(q, "h[1] != h[2]", "True\n");
	/* precedence: - binds tighter than &, & tighter than | */
	expect(q, "(h[0] | h[1] & h[2]).count", "4\n");
	expect(q, "(h - h[0] & h[1]).count", "3\n");
	mt_query_free(q);
}

static void expect_expr(mt_query *q, const char *expr, const char *want);

static void test_kinds(void **state)
{
	mt_query *q = session();
	expect(q, "(h & hp.Type('list')).count", "3\n");
	expect(q, "(hp.Type('str') & h).size", "150\n");
	expect(q, "(h & hp.Size(72)).count", "2\n");
	expect(q, "(h & hp.Size(72).alt('>')).count", "5\n");
	expect(q, "(h & hp.Size(72).alt('>=')).count", "7\n");
	expect(q, "(h - hp.Type('type')).count", "10\n");
	expect(q, "(h & (hp.Type('list') | hp.Type('str'))).count", "6\n");
	expect(q, "(h & ~hp.Type('list')).count", "11\n");
	expect(q, "(h & hp.Type('list') - hp.Size(88)).count", "2\n");
	expect(q, "(h & hp.Anything).count", "14\n");
	expect(q, "(h & hp.Nothing).count", "0\n");
	expect(q, "h[1] <= hp.Type('list')", "True\n");
	expect(q, "h <= hp.Type('list')", "False\n");
	expect(q, "(h & hp.Clodo('__main__.Node')).count", "3\n");
	expect(q, "hp.Size(72)", "<size = 72>\n");
	expect_err(q, "hp.Size('x')", MT_TYPE, 8, "must be an int");
	expect_err(q, "hp.Type()", MT_TYPE, 7, "takes 1 argument");
	expect_err(q, "h | hp.Type('list')", MT_TYPE, 2, "combine only");
	expect_err(q, "hp.Size(1).alt('~')", MT_ARG, 15, "alt() takes");
	/* a class without its module (issue 9): the one module's class,
	 * named in full in the expression; a name no type has is an error,
	 * never silently nothing */
	expect(q, "(h & hp.Type('Node')).count", "3\n");
	expect(q, "(h & hp.Type('Node').alt('<=')).count", "3\n");
	expect_expr(q, "h & hp.Type('Node')", "h & hp.Type('__main__.Node')");
	expect_expr(q, "h & hp.Type('list')", "h & hp.Type('list')");
	expect_err(q, "hp.Type('Nope')", MT_RANGE, 8,
		   "no type is named 'Nope'");
	expect_err(q, "hp.Type('ode')", MT_RANGE, 8, "no type is named");
	/* Clodo too: 'Node', 'dict of Node', dictof='Node' */
	expect(q, "(h & hp.Clodo('Node')).count", "3\n");
	expect_expr(q, "h & hp.Clodo('Node')", "h & hp.Clodo('__main__.Node')");
	expect_expr(q, "h & hp.Clodo('dict of Node')",
		    "h & hp.Clodo('dict of __main__.Node')");
	expect_expr(q, "h & hp.Clodo(dictof='Node')",
		    "h & hp.Clodo(dictof='__main__.Node')");
	expect_expr(q, "h & hp.Clodo('dict of Nope')",
		    "h & hp.Clodo('dict of Nope')");
	expect_expr(q, "h & hp.Clodo('list')", "h & hp.Clodo('list')");
	expect(q, "(h & hp.Clodo('Nope')).count", "0\n");
	mt_query_free(q);
}

static void test_navigation_and_dominance(void **state)
{
	mt_query *q = session();
	expect(q, "(h & hp.Type('str')).referrers.count", "3\n");
	expect(q, "(h & hp.Type('str')).referrers <= hp.Type('__main__.Node')",
	       "True\n");
	expect(q, "h[1].referents.count", "5\n");
	expect(q, "(h & hp.Type('__main__.Node')).referrers.size", "88\n");
	/* Nodes dominate their names: 144 + 150 */
	expect(q, "(h & hp.Type('__main__.Node')).domisize", "294\n");
	expect(q, "(h & hp.Size(88)).domisize", "382\n");
	expect(q, "(h & hp.Size(88)).dominos.count", "7\n");
	expect(q, "(h & hp.Size(72)).domisize", "144\n");
	expect(q, "(h & hp.Type('str')).imdom <= hp.Type('__main__.Node')",
	       "True\n");
	expect(q, "(h & hp.Type('str')).imdom.count", "3\n");
	expect(q, "(h & hp.Type('str')).byid[0].sp",
	       " 0: hp.Root.i0_modules[0].name\n");
	expect(q, "(h & hp.Size(88)).sp", " 0: hp.Root.i0_modules\n");
	mt_query_free(q);
}

static void test_paging_and_last(void **state)
{
	mt_query *q = session();
	mt_err err;
	char *t = run(q, "h.byid", &err);
	assert_non_null(t);
	assert_non_null(strstr(t, "Set of 14 <mixed> objects. Total size = "
				  "2742 bytes.\n"));
	assert_non_null(
		strstr(t, "<4 more rows. Type e.g. '_.more' to view.>\n"));
	assert_null(strstr(t, "\n    10 "));
	free(t);
	t = run(q, "_.more", &err);
	assert_non_null(t);
	assert_null(strstr(t, "Set of")); /* header only, no title */
	assert_non_null(strstr(t, "\n    10 "));
	assert_non_null(strstr(t, "\n    13 "));
	assert_null(strstr(t, "more rows"));
	free(t);
	expect_err(q, "_.more", MT_RANGE, 2, "no more rows");
	t = run(q, "h.byid.all", &err);
	assert_non_null(t);
	assert_non_null(strstr(t, "\n    13 "));
	assert_null(strstr(t, "more rows"));
	free(t);
	/* marks */
	expect(q, "h[1]", "Partition of a set of 3 objects. Total size = 232 "
			  "bytes.\n Index  Count   %     Size   % Cumulative  % "
			  "Kind (class / dict of class)\n     0      3 100      "
			  "232 100       232 100 list\n");
	assert_int_equal(mt_query_bind_last(q, "a", &err), MT_OK);
	assert_non_null(mt_query_last_set(q));
	expect(q, "(h - a).count", "11\n");
	expect(q, "3", "3\n");
	assert_int_equal(mt_query_bind_last(q, "b", &err), MT_TYPE);
	assert_null(mt_query_last_set(q));
	expect(q, "a.count", "3\n");
	/* an error leaves _ alone */
	expect_err(q, "h.nosuch", MT_TYPE, 2, "no attribute");
	expect(q, "_", "3\n");
	mt_query_free(q);
}

static void test_text_results(void **state)
{
	mt_query *q = session();
	mt_err err;
	char *t = run(q, "(h & hp.Size(72)).dot", &err);
	assert_non_null(t);
	assert_non_null(strstr(t, "digraph"));
	free(t);
	t = run(q, "hp.dot(h & hp.Size(72), max=1)", &err);
	assert_non_null(t);
	assert_non_null(strstr(t, "digraph"));
	free(t);
	expect_err(q, "hp.dot(h, colour=1)", MT_TYPE, 17, "bad argument");
	t = run(q, "(h & hp.Type('str')).rp", &err);
	assert_non_null(t);
	assert_non_null(strstr(t, "Reference Pattern by <[dict of] class>."));
	free(t);
	t = run(q, "(h & hp.Type('str')).pathsin", &err);
	assert_non_null(t);
	free(t);
	mt_query_free(q);
}

/* Paged texts (issue 9): `.more` and `.all` on paths and reference
 * patterns, in mt_query_run (--batch) and mt_query_eval (the browser's
 * prompt).  A heap of its own: a root list of 25 __main__.Leaf (25
 * shortest paths), and an __main__.X referred to by 12 objects of 12
 * classes (a reference pattern of 13 lines). */
enum { PN = 53, NLEAF = 25, NREF = 12 };

static mt_ctx *paged_heap(mt_graph **pg)
{
	static const char *pmods[PN], *pnames[PN];
	static char kname[NREF][8];
	static int32_t ptypes[PN];
	static tg_edge pedges[NLEAF + NREF];
	static uint32_t proots[1 + NREF];
	static uint32_t pmap[PN + 1];
	size_t ne = 0, nr = 0;
	for (uint32_t i = 0; i < PN; i++)
		ptypes[i] = -1;
	proots[nr++] = 0;
	pmods[PN - 2] = pmods[PN - 1] = "__main__";
	/* K11 is app.Leaf: two modules have a Leaf */
	pnames[PN - 2] = "Leaf";
	pnames[PN - 1] = "X";
	for (uint32_t i = 1; i <= NLEAF; i++) {
		ptypes[i] = PN - 2;
		pedges[ne++] = (tg_edge){0, i, 0, i - 1};
	}
	ptypes[26] = PN - 1;
	for (uint32_t k = 0; k < NREF; k++) {
		uint32_t r = 27 + k, t = 27 + NREF + k;
		snprintf(kname[k], sizeof kname[k], "K%02u", k);
		if (k == NREF - 1)
			snprintf(kname[k], sizeof kname[k], "Leaf");
		pmods[t] = k == NREF - 1 ? "app" : "__main__";
		pnames[t] = kname[k];
		ptypes[r] = (int32_t)t;
		pedges[ne++] = (tg_edge){r, 26, 0, 0};
		proots[nr++] = r;
	}
	char ppath[64];
	snprintf(ppath, sizeof ppath, "/tmp/mt_test_paged.%ld.mp",
		 (long)getpid());
	tg_graph tg = {.n = PN, .edges = pedges, .nedges = ne,
		       .roots = proots, .nroots = nr,
		       .qualname_module = pmods, .qualname_name = pnames,
		       .types = ptypes};
	tg_write(ppath, &tg, pmap);
	*pg = tg_load(ppath);
	unlink(ppath);
	mt_ctx *c;
	mt_err err;
	assert_int_equal(mt_ctx_new(&c, *pg, &err), MT_OK);
	return c;
}

/* t holds every "%2d: " line in lo..hi-1 and none outside. */
static void lines_between(const char *t, int lo, int hi, int max)
{
	for (int i = 0; i < max; i++) {
		char l[16];
		snprintf(l, sizeof l, "\n%2d: ", i);
		bool in = strstr(t, l) || (!strncmp(t, l + 1, strlen(l + 1)));
		if (in != (i >= lo && i < hi))
			fail_msg("line %d %s:\n%s", i, in ? "shown" : "missing",
				 t);
	}
}

static void test_paged_texts(void **state)
{
	(void)state;
	mt_graph *pg;
	mt_ctx *c = paged_heap(&pg);
	mt_query *q;
	mt_err err;
	assert_int_equal(mt_query_new(&q, c, &err), MT_OK);
	/* paths: pages of ten, the 11th page line is heapy's "more" line */
	char *t = run(q, "(h & hp.Type('__main__.Leaf')).sp", &err);
	assert_non_null(t);
	lines_between(t, 0, 10, NLEAF);
	assert_non_null(strstr(t, "<... 15 more paths ...>\n"));
	free(t);
	t = run(q, "_.more", &err);
	assert_non_null(t);
	lines_between(t, 10, 20, NLEAF);
	assert_non_null(strstr(t, "<... 5 more paths ...>\n"));
	free(t);
	t = run(q, "_.more", &err);
	assert_non_null(t);
	lines_between(t, 20, 25, NLEAF);
	assert_null(strstr(t, "more paths"));
	free(t);
	expect_err(q, "_.more", MT_RANGE, 2, "no more paths: all 25");
	t = run(q, "_", &err); /* the error left _ on the last page */
	assert_non_null(t);
	lines_between(t, 20, 25, NLEAF);
	free(t);
	/* .all from any page; .more of a value not shown yet */
	t = run(q, "_.all", &err);
	assert_non_null(t);
	lines_between(t, 0, 25, NLEAF);
	assert_null(strstr(t, "more paths"));
	free(t);
	t = run(q, "(h & hp.Type('__main__.Leaf')).sp.more.more", &err);
	assert_non_null(t);
	lines_between(t, 20, 25, NLEAF);
	free(t);
	t = run(q, "(h & hp.Type('__main__.Leaf')).pathsin.more", &err);
	assert_non_null(t);
	lines_between(t, 10, 20, NLEAF);
	free(t);
	/* the reference pattern: title on the first page only */
	t = run(q, "(h & hp.Type('__main__.X')).rp", &err);
	assert_non_null(t);
	assert_non_null(strstr(t, "Reference Pattern by"));
	lines_between(t, 0, 10, 13);
	assert_non_null(strstr(t, "Type e.g. '_.more' for more.>\n"));
	free(t);
	t = run(q, "_.more", &err);
	assert_non_null(t);
	assert_null(strstr(t, "Reference Pattern by"));
	lines_between(t, 10, 13, 13);
	assert_null(strstr(t, "more."));
	free(t);
	expect_err(q, "_.more", MT_RANGE, 2, "no more lines: all 13");
	t = run(q, "_.all", &err);
	assert_non_null(t);
	assert_non_null(strstr(t, "Reference Pattern by <[dict of] class>.\n"));
	lines_between(t, 0, 13, 13);
	assert_null(strstr(t, "more."));
	free(t);
	/* the browser's prompt: mt_query_eval gives the page as text */
	mt_qresult r;
	assert_int_equal(mt_query_eval(q, "(h & hp.Type('__main__.Leaf')).sp",
				       &r, &err),
			 MT_OK);
	mt_qresult_destroy(&r);
	assert_int_equal(mt_query_eval(q, "_.more", &r, &err), MT_OK);
	assert_int_equal(r.kind, MT_QRESULT_TEXT);
	lines_between(r.text, 10, 20, NLEAF);
	assert_string_equal(r.expr, "(h & hp.Type('__main__.Leaf')).sp");
	mt_qresult_destroy(&r);
	/* hp.Type('Leaf'): two modules have one: ambiguous, both named */
	expect_err(q, "hp.Type('Leaf')", MT_RANGE, 8, "is ambiguous: ");
	expect_err(q, "hp.Type('Leaf')", MT_RANGE, 8, "'__main__.Leaf'");
	expect_err(q, "hp.Type('Leaf')", MT_RANGE, 8, "'app.Leaf'");
	expect(q, "(h & hp.Type('app.Leaf')).count", "1\n");
	expect(q, "(h & hp.Type('X')).count", "1\n");
	expect_err(q, "hp.Clodo('Leaf')", MT_RANGE, 9, "is ambiguous");
	/* --batch --all asks this before it lists _.all */
	free(run(q, "h.sp", &err));
	assert_true(mt_query_last_paged(q));
	free(run(q, "h.count", &err));
	assert_false(mt_query_last_paged(q));
	free(run(q, "h.dot", &err));
	assert_false(mt_query_last_paged(q));
	free(run(q, "h", &err));
	assert_true(mt_query_last_paged(q));
	/* texts that are not paged say so */
	expect_err(q, "h.dot.more", MT_TYPE, 6, "not paged");
	expect_err(q, "help.all", MT_TYPE, 5, "not paged");
	expect_err(q, "h.sp.nosuch", MT_TYPE, 5, "a text has no attribute");
	mt_query_free(q);
	mt_ctx_free(c);
	mt_graph_free(pg);
}

/* "My objects" (mine.h, issue 9): a heap of modules with files.
 *   __main__ (/home/u/app/main.py) and app.models (/home/u/app/app/...):
 *   the program's; os (the standard library's directory), requests
 *   (dist-packages) and sys (no file): the library's.  The program's
 *   objects are what their modules, dicts, classes (and instances),
 *   functions (by __globals__) and frames (by f_globals) dominate. */
enum {
	M_MAIN, M_DMAIN, M_OS, M_DOS, M_SYS, M_DSYS, M_APP, M_DAPP, M_REQ,
	M_DREQ, K_FILE, K_PREFIX, K_CACHE, K_X, K_SHARED, F_MAIN, F_OS, F_USR,
	F_APP, F_REQ, CACHE, C0, C1, LIBLIST, THING, LIBSTR, SHARED, FRAME,
	STATE, S0, FUNC, THINGCLS, T_MOD, T_DICT, T_STR, T_LIST, T_FRAME,
	T_FUNC, MN
};

static mt_ctx *mine_heap(mt_graph **pg, uint32_t *mmap)
{
	static const char *mmods[MN], *mnames[MN], *mstrs[MN];
	static int32_t mtypes[MN];
	static const char *const mattrs[] = {"__dict__", "f_globals",
					     "__globals__", "state"};
	enum { A_DICT = 1, A_FGLOBALS, A_GLOBALS, A_STATE };
	static const struct { uint32_t t; const char *m, *n; } tys[] = {
		{T_MOD, "builtins", "module"}, {T_DICT, "builtins", "dict"},
		{T_STR, "builtins", "str"},    {T_LIST, "builtins", "list"},
		{T_FRAME, "builtins", "frame"}, {T_FUNC, "builtins", "function"},
		{THINGCLS, "app.models", "Thing"}};
	static const struct { uint32_t n; int32_t t; const char *s; } vals[] = {
		{M_MAIN, T_MOD, "__main__"}, {M_OS, T_MOD, "os"},
		{M_SYS, T_MOD, "sys"}, {M_APP, T_MOD, "app.models"},
		{M_REQ, T_MOD, "requests"}, {K_FILE, T_STR, "__file__"},
		{K_PREFIX, T_STR, "prefix"}, {K_CACHE, T_STR, "cache"},
		{K_X, T_STR, "x"}, {K_SHARED, T_STR, "shared"},
		{F_MAIN, T_STR, "/home/u/app/main.py"},
		{F_OS, T_STR, "/usr/lib/python3.11/os.py"},
		{F_USR, T_STR, "/usr"},
		{F_APP, T_STR, "/home/u/app/app/models.py"},
		{F_REQ, T_STR, "/usr/lib/python3/dist-packages/requests/x.py"},
		{C0, T_STR, "c0"}, {C1, T_STR, "c1"}, {LIBSTR, T_STR, "l"},
		{SHARED, T_STR, "s"}, {S0, T_STR, "s0"}};
	static const tg_edge medges[] = {
		{M_MAIN, M_DMAIN, 1, A_DICT}, {M_OS, M_DOS, 1, A_DICT},
		{M_SYS, M_DSYS, 1, A_DICT},   {M_APP, M_DAPP, 1, A_DICT},
		{M_REQ, M_DREQ, 1, A_DICT},
		{M_DMAIN, F_MAIN, 3, K_FILE}, {M_DOS, F_OS, 3, K_FILE},
		{M_DAPP, F_APP, 3, K_FILE},   {M_DREQ, F_REQ, 3, K_FILE},
		{M_DSYS, F_USR, 3, K_PREFIX},
		{M_DMAIN, CACHE, 3, K_CACHE}, {CACHE, C0, 2, 0},
		{CACHE, C1, 2, 1},
		{M_DMAIN, SHARED, 3, K_SHARED}, {M_DOS, SHARED, 3, K_SHARED},
		{M_DREQ, LIBLIST, 3, K_X},    {LIBLIST, THING, 2, 0},
		{LIBLIST, LIBSTR, 2, 1},      {LIBLIST, FUNC, 2, 2},
		{FUNC, M_DAPP, 1, A_GLOBALS},
		{FRAME, M_DMAIN, 1, A_FGLOBALS}, {FRAME, STATE, 6, A_STATE},
		{STATE, S0, 2, 0},
	};
	static const uint32_t mroots[] = {M_MAIN, M_OS, M_SYS, M_APP, M_REQ,
					  FRAME};
	for (uint32_t i = 0; i < MN; i++)
		mtypes[i] = -1;
	for (size_t i = 0; i < sizeof tys / sizeof *tys; i++) {
		mmods[tys[i].t] = tys[i].m;
		mnames[tys[i].t] = tys[i].n;
	}
	for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
		mtypes[vals[i].n] = vals[i].t;
		mstrs[vals[i].n] = vals[i].s;
	}
	static const uint32_t dicts[] = {M_DMAIN, M_DOS, M_DSYS, M_DAPP,
					 M_DREQ};
	for (size_t i = 0; i < 5; i++)
		mtypes[dicts[i]] = T_DICT;
	mtypes[CACHE] = mtypes[LIBLIST] = mtypes[STATE] = T_LIST;
	mtypes[THING] = THINGCLS;
	mtypes[FRAME] = T_FRAME;
	mtypes[FUNC] = T_FUNC;
	char mpath[64];
	snprintf(mpath, sizeof mpath, "/tmp/mt_test_mine.%ld.mp",
		 (long)getpid());
	tg_graph tg = {.n = MN, .edges = medges,
		       .nedges = sizeof medges / sizeof *medges,
		       .roots = mroots, .nroots = 6, .qualname_module = mmods,
		       .qualname_name = mnames, .types = mtypes,
		       .str_values = mstrs, .attr_names = mattrs,
		       .nattr_names = 4};
	tg_write(mpath, &tg, mmap);
	*pg = tg_load(mpath);
	unlink(mpath);
	mt_ctx *c;
	mt_err err;
	assert_int_equal(mt_ctx_new(&c, *pg, &err), MT_OK);
	return c;
}

static void test_mine(void **state)
{
	(void)state;
	uint32_t m[MN + 1];
	mt_graph *mg;
	mt_ctx *c = mine_heap(&mg, m);
	mt_err err;
	/* the rule's modules */
	uint32_t *mm;
	size_t n;
	assert_int_equal(mt_mine_modules(mg, NULL, &mm, &n, &err), MT_OK);
	assert_int_equal(n, 2);
	assert_true((mm[0] == m[M_MAIN] && mm[1] == m[M_APP]) ||
		    (mm[1] == m[M_MAIN] && mm[0] == m[M_APP]));
	free(mm);
	assert_true(mt_mine_module_is_mine(mg, m[M_MAIN]));
	assert_false(mt_mine_module_is_mine(mg, m[M_OS]));
	assert_false(mt_mine_module_is_mine(mg, m[M_SYS]));
	assert_false(mt_mine_module_is_mine(mg, m[M_REQ]));
	assert_false(mt_mine_module_is_mine(mg, m[M_DMAIN])); /* a dict */
	/* the program's objects */
	mt_set *s;
	assert_int_equal(mt_mine_set(c, NULL, &s, &err), MT_OK);
	static const uint32_t yes[] = {M_MAIN, M_DMAIN, M_APP, M_DAPP,
				       CACHE,  C0,      C1,    THING,
				       THINGCLS, FUNC,  FRAME, STATE,
				       S0,     F_MAIN};
	static const uint32_t no[] = {M_OS,	M_DOS,  M_SYS,  M_DSYS,
				      M_REQ,	M_DREQ, LIBLIST, LIBSTR,
				      SHARED,	K_FILE, K_SHARED, F_OS,
				      T_LIST,	T_STR};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		if (!mt_set_contains(s, m[yes[i]]))
			fail_msg("node %u is the program's", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		if (mt_set_contains(s, m[no[i]]))
			fail_msg("node %u is not the program's", no[i]);
	size_t nmine = mt_set_count(s);
	mt_set_unref(s);
	/* filters: module and file globs */
	mt_mine_filter f = {.module = "req*"};
	assert_int_equal(mt_mine_set(c, &f, &s, &err), MT_OK);
	assert_true(mt_set_contains(s, m[LIBLIST]));
	assert_true(mt_set_contains(s, m[LIBSTR]));
	assert_false(mt_set_contains(s, m[CACHE]));
	mt_set_unref(s);
	f = (mt_mine_filter){.file = "*/app/app/*"};
	assert_int_equal(mt_mine_set(c, &f, &s, &err), MT_OK);
	assert_true(mt_set_contains(s, m[M_DAPP]));
	assert_true(mt_set_contains(s, m[THING]));
	assert_true(mt_set_contains(s, m[FUNC]));
	assert_false(mt_set_contains(s, m[M_DMAIN]));
	mt_set_unref(s);
	/* the query forms */
	mt_query *q;
	assert_int_equal(mt_query_new(&q, c, &err), MT_OK);
	char want[32];
	snprintf(want, sizeof want, "%zu\n", nmine);
	expect(q, "hp.Mine.count", want);
	expect(q, "h.mine.count", want);
	expect(q, "(h & hp.Mine).count", want);
	char rest[32], all[32];
	snprintf(rest, sizeof rest, "%zu\n", mt_graph_count(mg) - nmine);
	snprintf(all, sizeof all, "%u\n", mt_graph_count(mg));
	expect(q, "(h - hp.Mine).count", rest);
	expect(q, "hp.Owned('app*').count", "6\n");
	expect(q, "hp.Owned(module='app.models').count", "6\n");
	/* THING and FUNC too: requests' list holds them */
	expect(q, "hp.Owned(file='*/dist-packages/*').count", "7\n");
	expect(q, "hp.Owned(module='*', file='/usr/lib/python3.11/*')"
		  ".count",
	       "3\n");
	expect(q, "hp.Owned('nosuch').count", "0\n");
	expect_err(q, "hp.Owned(where='x')", MT_TYPE, 15, "module='glob'");
	expect_err(q, "hp.Owned(1)", MT_TYPE, 9, "must be a str");
	expect_err(q, "hp.Owned('a', module='b')", MT_TYPE, 21,
		   "module='glob'");
	/* s.mine keeps the set's classifier; expressions */
	mt_qresult r;
	assert_int_equal(mt_query_eval(q, "h.bytype.mine", &r, &err), MT_OK);
	assert_string_equal(r.er, "type");
	assert_string_equal(r.expr, "h.bytype.mine");
	assert_int_equal(mt_set_count(r.set), nmine);
	mt_qresult_destroy(&r);
	/* a dump without os, sys or files: only __main__ is the program's */
	mt_query *q0 = session();
	expect(q0, "hp.Mine.count", "0\n");
	mt_query_free(q0);
	/* --mine: h stands for hp.Mine, spelled so */
	mt_query_set_mine(q, true);
	expect(q, "h.count", want);
	assert_int_equal(mt_query_eval(q, "h.byrcs", &r, &err), MT_OK);
	assert_string_equal(r.expr, "hp.Mine.byrcs");
	mt_qresult_destroy(&r);
	assert_int_equal(mt_query_heap(q, &r, &err), MT_OK);
	assert_string_equal(r.expr, "hp.Mine");
	assert_int_equal(mt_set_count(r.set), nmine);
	mt_qresult_destroy(&r);
	expect(q, "hp.heap().count", all);
	mt_query_free(q);
	mt_ctx_free(c);
	mt_graph_free(mg);
}

static void test_error_text(void **state)
{
	mt_err err;
	mt_err_set(&err, MT_SYNTAX, 9, MT_NO_OFFSET, "expected ']'");
	mt_strbuf out;
	mt_strbuf_init(&out);
	mt_query_error_text("h.byrcs[0.referrers", &err, &out);
	assert_string_equal(out.s, "h.byrcs[0.referrers\n"
				   "         ^\n"
				   "error: syntax error: expected ']'\n");
	mt_strbuf_destroy(&out);
	/* the caret counts characters, not bytes */
	mt_strbuf_init(&out);
	mt_err_set(&err, MT_TYPE, 5, MT_NO_OFFSET, "x");
	mt_query_error_text("'\xc3\xa9' x", &err, &out);
	assert_string_equal(out.s, "'\xc3\xa9' x\n    ^\n"
				   "error: type error: x\n");
	mt_strbuf_destroy(&out);
}

static void test_eval_and_complete(void **state)
{
	mt_query *q = session();
	mt_qresult r;
	mt_err err;
	assert_int_equal(mt_query_eval(q, "h.byrcs[0]", &r, &err), MT_OK);
	assert_int_equal(r.kind, MT_QRESULT_SET);
	assert_string_equal(r.er, "rcs");
	assert_non_null(r.set);
	assert_true(mt_query_last_set(q) != NULL);
	mt_qresult_destroy(&r);
	assert_int_equal(mt_query_eval(q, "h.count", &r, &err), MT_OK);
	assert_int_equal(r.kind, MT_QRESULT_TEXT);
	assert_string_equal(r.text, "14\n");
	mt_qresult_destroy(&r);
	expect(q, "_", "14\n");
	assert_int_equal(mt_query_eval(q, "h.", &r, &err), MT_SYNTAX);

	char *c;
	assert_string_equal((c = mt_query_complete(q, "h.byr", 0)), "byrcs");
	free(c);
	assert_null(mt_query_complete(q, "h.byr", 1));
	assert_string_equal((c = mt_query_complete(q, "hp.Ty", 0)), "Type(");
	free(c);
	assert_string_equal((c = mt_query_complete(q, "(h & hp.", 1)), "Clodo(");
	free(c);
	assert_string_equal((c = mt_query_complete(q, "h[0].re", 1)),
			    "referents");
	free(c);
	assert_string_equal((c = mt_query_complete(q, "h", 1)), "hp");
	free(c);
	assert_int_equal(mt_query_eval(q, "h[1]", &r, &err), MT_OK);
	mt_qresult_destroy(&r);
	assert_int_equal(mt_query_bind_last(q, "lists", &err), MT_OK);
	assert_string_equal((c = mt_query_complete(q, "h - li", 0)), "lists");
	free(c);
	mt_query_free(q);
}

/* The expression of a result is canonical: `_` and computed indexes
 * resolved, classifier names canonical, parentheses only where the
 * grammar needs them; evaluating it again gives the same set. */
static void expect_expr(mt_query *q, const char *expr, const char *want)
{
	mt_qresult r, again;
	mt_err err;
	if (mt_query_eval(q, expr, &r, &err) != MT_OK)
		fail_msg("%s: error at %llu: %s", expr,
			 (unsigned long long)err.offset, err.detail);
	if (!r.expr || strcmp(r.expr, want))
		fail_msg("%s: expression '%s', want '%s'", expr,
			 r.expr ? r.expr : "(null)", want);
	if (r.kind == MT_QRESULT_SET) {
		mt_query *q2 = session(); /* no `_` there */
		assert_int_equal(mt_query_eval(q2, r.expr, &again, &err),
				 MT_OK);
		assert_int_equal(again.kind, MT_QRESULT_SET);
		assert_true(mt_set_equal(again.set, r.set));
		assert_string_equal(again.er, r.er);
		mt_qresult_destroy(&again);
		mt_query_free(q2);
	}
	mt_qresult_destroy(&r);
}

static void test_result_expressions(void **state)
{
	mt_query *q = session();
	expect_expr(q, "h", "h");
	expect_expr(q, "hp.heap()", "hp.heap()");
	expect_expr(q, "h.byRCS[0]", "h.byrcs[0]");
	expect_expr(q, "_.referrers", "h.byrcs[0].referrers");
	expect_expr(q, "_.byVia", "h.byrcs[0].referrers.byvia");
	expect_expr(q, "h[-1]", "h[4]");
	expect_expr(q, "h[1 + 1]", "h[2]");
	expect_expr(q, "h[-2:]", "h[3:5]");
	expect_expr(q, "h.byid[:100]", "h.byid[0:14]");
	expect_expr(q, "h.by(' Type &\tSIZE ')", "h.by('type&size')");
	expect_expr(q, "h.by('Type')", "h.bytype");
	/* - binds tighter than & */
	expect_expr(q, "(h - h[0]) & h[1]", "h - h[0] & h[1]");
	expect_expr(q, "h - (h[0] & h[1])", "h - (h[0] & h[1])");
	expect_expr(q, "h - (h[0] - h[1])", "h - (h[0] - h[1])");
	expect_expr(q, "(h & hp.Type('list')).referrers",
		    "(h & hp.Type('list')).referrers");
	expect_expr(q, "~(h[0])", "~h[0]");
	expect_expr(q, "h & hp.Size(72).alt('>')", "h & hp.Size(72).alt('>')");
	expect_expr(q, "h[1].byid[0].theone", "h[1].byid[0].theone");
	expect_expr(q, "_.all", "h[1].byid[0].theone"); /* paging: same set */
	expect_expr(q, "h.count", "h.count");
	expect_expr(q, "(h & hp.Type('str')).sp", "(h & hp.Type('str')).sp");
	mt_query_free(q);
}

/* A front end derives sets from results, never spelling query text. */
static void test_derive(void **state)
{
	mt_query *q = session();
	mt_qresult heap, by, row, ref, t, last;
	mt_err err;
	assert_int_equal(mt_query_eval(q, "7", &last, &err), MT_OK);
	mt_qresult_destroy(&last);
	assert_int_equal(mt_query_heap(q, &heap, &err), MT_OK);
	assert_string_equal(heap.expr, "h");
	assert_int_equal(mt_set_count(heap.set), 14);
	assert_int_equal(mt_query_by(q, &heap, "Type", &by, &err), MT_OK);
	assert_string_equal(by.expr, "h.bytype");
	assert_string_equal(by.er, "type");
	mt_partition *p;
	assert_int_equal(mt_query_partition(q, &by, &p, &err), MT_OK);
	assert_int_equal(mt_partition_nrows(p), 5);
	assert_string_equal(mt_partition_row_at(p, 1)->label, "list");
	/* row 1 of the partition is the row mt_query_row gives */
	assert_int_equal(mt_query_row(q, &by, 1, &row, &err), MT_OK);
	assert_string_equal(row.expr, "h.bytype[1]");
	assert_string_equal(row.er, "type");
	assert_int_equal(mt_set_count(row.set), mt_partition_row_at(p, 1)->count);
	mt_partition_free(p);
	assert_int_equal(mt_query_attr(q, &row, "referrers", &ref, &err),
			 MT_OK);
	assert_string_equal(ref.expr, "h.bytype[1].referrers");
	assert_int_equal(ref.kind, MT_QRESULT_SET);
	mt_qresult_destroy(&ref);
	assert_int_equal(mt_query_attr(q, &row, "sp", &t, &err), MT_OK);
	assert_int_equal(t.kind, MT_QRESULT_TEXT);
	assert_string_equal(t.expr, "h.bytype[1].sp");
	mt_qresult_destroy(&t);
	/* combinations, identity tables, a set with operators */
	assert_int_equal(mt_query_by(q, &row, "size & type", &t, &err), MT_OK);
	assert_string_equal(t.expr, "h.bytype[1].by('size&type')");
	mt_qresult_destroy(&t);
	assert_int_equal(mt_query_eval(q, "h - h[0]", &last, &err), MT_OK);
	assert_int_equal(mt_query_by(q, &last, "id", &t, &err), MT_OK);
	assert_string_equal(t.expr, "(h - h[0]).byid");
	assert_int_equal(mt_query_row(q, &t, 0, &ref, &err), MT_OK);
	assert_string_equal(ref.expr, "(h - h[0]).byid[0]");
	assert_int_equal(mt_set_count(ref.set), 1);
	mt_qresult_destroy(&ref);
	mt_qresult_destroy(&t);
	mt_qresult_destroy(&last);
	/* errors, without an offset */
	assert_int_equal(mt_query_row(q, &by, 5, &t, &err), MT_RANGE);
	assert_true(err.offset == MT_NO_OFFSET);
	assert_int_equal(mt_query_by(q, &heap, "nosuch", &t, &err), MT_TYPE);
	assert_int_equal(mt_query_attr(q, &heap, "nosuch", &t, &err), MT_TYPE);
	assert_int_equal(mt_query_attr(q, &heap, "by", &t, &err), MT_TYPE);
	mt_qresult_destroy(&row);
	mt_qresult_destroy(&by);
	mt_qresult_destroy(&heap);
	/* `_` is still the last evaluated result */
	expect(q, "_.count", "10\n");
	/* one object, by its address (hp.Id shows it in hex) */
	unsigned long long addr = mt_graph_addr(g, map[4]);
	char want[64], typed[80];
	snprintf(want, sizeof want, "h & hp.Id(0x%llx)", addr);
	assert_int_equal(mt_query_object(q, map[4], &t, &err), MT_OK);
	assert_string_equal(t.expr, want);
	assert_string_equal(t.er, "id");
	assert_int_equal(mt_set_count(t.set), 1);
	assert_int_equal(mt_set_ids(t.set)[0], map[4]);
	assert_int_equal(mt_query_attr(q, &t, "referrers", &ref, &err), MT_OK);
	snprintf(typed, sizeof typed, "(%s).referrers", want);
	assert_string_equal(ref.expr, typed);
	mt_qresult_destroy(&ref);
	mt_qresult_destroy(&t);
	snprintf(typed, sizeof typed, "h & hp.Id(%llu)", addr);
	expect_expr(q, typed, want); /* typed in decimal: the same text */
	assert_int_equal(mt_query_object(q, 1000, &t, &err), MT_RANGE);
	mt_query_free(q);
}

/* Help and completion list every row of the attribute table and every
 * classifier of the classifier table (plugins' included). */
static void test_help_and_tables(void **state)
{
	mt_query *q = session();
	mt_strbuf b;
	mt_strbuf_init(&b);
	assert_int_equal(mt_query_help(&b), MT_OK);
	assert_non_null(strstr(b.s, "s.count "));
	assert_non_null(strstr(b.s, "hp.Type('name')"));
	assert_non_null(strstr(b.s, "K.alt("));
	size_t n;
	const mt_classifier_def *const *defs = mt_classifier_defs(&n);
	assert_true(n >= 11);
	for (size_t i = 0; i < n; i++) {
		char line[64], word[64];
		snprintf(line, sizeof line, "  s.by%s ", defs[i]->name);
		if (!strstr(b.s, line))
			fail_msg("help has no line for classifier %s",
				 defs[i]->name);
		snprintf(line, sizeof line, "h.by%s", defs[i]->name);
		snprintf(word, sizeof word, "by%s", defs[i]->name);
		char *c = mt_query_complete(q, line, 0);
		assert_non_null(c);
		assert_string_equal(c, word);
		free(c);
		/* and the attribute works: h.byX is a set */
		mt_qresult r;
		mt_err err;
		if (mt_query_eval(q, line, &r, &err) != MT_OK)
			fail_msg("%s: %s", line, err.detail);
		assert_int_equal(r.kind, MT_QRESULT_SET);
		mt_qresult_destroy(&r);
	}
	/* every row of the attribute table: in the help, completed */
	for (size_t i = 0; i < q_ndefs; i++) {
		const q_def *d = &q_defs[i];
		const char *pre = d->on & Q_ON_HP    ? "hp."
				  : d->on & Q_ON_SET ? "s."
						     : "K.";
		char line[64];
		snprintf(line, sizeof line, "  %s%s%s", pre, d->name,
			 d->min_args < 0 ? " " : "(");
		if (!strstr(b.s, line))
			fail_msg("help has no line for %s%s", pre, d->name);
		snprintf(line, sizeof line, "%s%s",
			 d->on & Q_ON_HP ? "hp." : "h.", d->name);
		char *c = mt_query_complete(q, line, 0);
		if (!c || strncmp(c, d->name, strlen(d->name)))
			fail_msg("%s: completed as %s", line, c ? c : "NULL");
		free(c);
	}
	/* the query `help` is the same text */
	expect(q, "help", b.s);
	mt_strbuf_destroy(&b);
	char *c = mt_query_complete(q, "he", 0);
	assert_string_equal(c, "help");
	free(c);
	expect_err(q, "hp.Nosuch", MT_TYPE, 3,
		   "(try Type, Clodo, Size, Via, Rcs, Module, Prod, Id, "
		   "Anything, Nothing, Mine, Owned, Marked, Leaks, heap, dot)");
	/* hp.Prod: its arguments; the fixture has no allocation sites, so
	 * no object matches (tests/unit/test_prod.c has the kinds) */
	expect_err(q, "hp.Prod(1)", MT_TYPE, 8, "must be a str");
	expect_err(q, "hp.Prod('f', 'x')", MT_TYPE, 13, "an int or None");
	expect_err(q, "hp.Prod('f', -1)", MT_RANGE, 13, "negative");
	expect(q, "hp.Prod()", "unknown\n");
	expect(q, "hp.Prod('/srv/app')", "<producer < /srv/app:*>\n");
	expect(q, "(h & hp.Prod()).count", "0\n");
	expect_err(q, "hp.Size(1).nosuch", MT_TYPE, 11, "(try alt, dictof)");
	expect_err(q, "h.count(1)", MT_TYPE, 7, "not callable");
	expect_err(q, "h.by('type', 'size')", MT_TYPE, 4, "takes 1 argument");
	expect_err(q, "hp.Type(name='x')", MT_TYPE, 13, "no keyword");
	expect(q, "hp", "<hp: Type Clodo Size Via Rcs Module Prod Id Anything "
			"Nothing Mine Owned Marked Leaks heap dot>\n");
	expect(q, "h.by", "<method by>\n");
	mt_query_free(q);
}

/* One dominator tree per dump, built through the context: its progress
 * function sees the build (and cancels it), a second session and a second
 * attribute reuse it.  (The session used to build a tree of its own, with
 * no progress and no cancel, next to the browser's.) */
struct prog {
	int trees, cancel;
};

static int count_progress(void *data, const char *what, uint64_t done,
			  uint64_t total)
{
	struct prog *p = data;
	(void)total;
	if (!strcmp(what, "dominator tree") && done == 0)
		p->trees++;
	return p->cancel;
}

static void test_context_owns_the_tree(void **state)
{
	mt_ctx *c;
	mt_err err;
	struct prog p = {0, 1};
	assert_int_equal(mt_ctx_new(&c, g, &err), MT_OK);
	mt_ctx_set_progress(c, count_progress, &p);
	mt_query *q1, *q2;
	assert_int_equal(mt_query_new(&q1, c, &err), MT_OK);
	assert_int_equal(mt_query_new(&q2, c, &err), MT_OK);
	mt_strbuf out;
	mt_strbuf_init(&out);
	assert_int_equal(mt_query_run(q1, "h.domisize", &out, &err),
			 MT_CANCELLED);
	assert_int_equal(out.len, 0);
	assert_false(mt_ctx_has_domtree(c));
	p.cancel = 0;
	int before = p.trees;
	assert_int_equal(mt_query_run(q1, "(h & hp.Size(88)).domisize", &out,
				      &err),
			 MT_OK);
	assert_string_equal(out.s, "382\n");
	assert_true(mt_ctx_has_domtree(c));
	assert_int_equal(p.trees, before + 1);
	const mt_domtree *t1, *t2;
	assert_int_equal(mt_ctx_domtree(c, &t1, &err), MT_OK);
	mt_strbuf_reset(&out);
	assert_int_equal(mt_query_run(q2, "(h & hp.Size(88)).dominos.count",
				      &out, &err),
			 MT_OK);
	assert_string_equal(out.s, "7\n");
	assert_int_equal(mt_ctx_domtree(c, &t2, &err), MT_OK);
	assert_ptr_equal(t1, t2);
	assert_int_equal(p.trees, before + 1); /* no second tree */
	mt_strbuf_destroy(&out);
	mt_query_free(q1);
	mt_query_free(q2);
	mt_ctx_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_and_precedence),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_type_errors),
		cmocka_unit_test(test_heap_partitions),
		cmocka_unit_test(test_classifier_spellings),
		cmocka_unit_test(test_classifier_eviction),
		cmocka_unit_test(test_set_algebra),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_navigation_and_dominance),
		cmocka_unit_test(test_paging_and_last),
		cmocka_unit_test(test_text_results),
		cmocka_unit_test(test_paged_texts),
		cmocka_unit_test(test_mine),
		cmocka_unit_test(test_error_text),
		cmocka_unit_test(test_eval_and_complete),
		cmocka_unit_test(test_result_expressions),
		cmocka_unit_test(test_derive),
		cmocka_unit_test(test_help_and_tables),
		cmocka_unit_test(test_context_owns_the_tree),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
