/* cmocka tests of the query language over several dumps
 * (mt_query_add_dump): `h0` names another session's heap, values remember
 * their dump (mt_qresult.of) and everything derived from them is computed
 * there, `h - h0` / `h0 - h` / `h & h0` by identity (diff.h), the errors
 * without identity and for `|` `^` across dumps, `A.diff(B)` (heapy's
 * difference table, paged), hp.Leaks over three dumps, completion.
 *
 * The pair (graphgen dumps: an object's address is 0x1000 + 16 * its
 * index, so an index is one object in both dumps when its type is the
 * same):
 *   OLD  0 list [1, 2, 3]; 1, 2, 3 __main__.Node -> str 4, 5, 6 ('a',
 *        'b', 'c'); 7 list <-> 8 list; 9..12 type objects (list, Node,
 *        str, type); graphgen's default type `object` at index 13.
 *   NEW  0 list [1, 2, 13, 3]; 1, 2 Node -> 4, 5; 3 is now a *list* (its
 *        address reused by another type: new, and OLD's Node 3 is gone)
 *        -> 6 (the same str, a survivor); 13 Node (new) -> 14 str 'e'
 *        (new); 7 <-> 8; 9..12 types; the default type at index 15 (new;
 *        OLD's, at 13's address, is gone: NEW's 13 is a Node).
 * So h - h0 = NEW {3, 13, 14, 15}, h0 - h = OLD {3, 13}, 12 survivors.
 * graphgen writes pid 1 and no process start time; the tests set the
 * start time in the loaded headers (what mt_same_process reads) to make
 * the dumps one process's, or a different pid to make them two. */
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
#include "memtrack/ctx.h"
#include "memtrack/diff.h"
#include "memtrack/query.h"

static const char *const mods[16] = {
    [9] = "builtins", [10] = "__main__", [11] = "builtins", [12] = "builtins"};
static const char *const names[16] = {
    [9] = "list", [10] = "Node", [11] = "str", [12] = "type"};
static const char *const strs_old[16] = {[4] = "a", [5] = "b", [6] = "c"};
static const char *const strs_new[16] = {
    [4] = "a", [5] = "b", [6] = "c", [14] = "e"};
static const int32_t types_old[13] = {9, 10, 10, 10, 11, 11, 11,
				      9, 9,  12, 12, 12, 12};
static const int32_t types_new[15] = {9, 10, 10, 9,  11, 11, 11, 9,
				      9, 12, 12, 12, 12, 10, 11};
/* distinct sizes, so `bysize` has a row per object */
static const uint64_t sizes_old[13] = {88, 48, 49,  50,	  51,  52, 53,
				       72, 73, 400, 1000, 401, 402};
static const uint64_t sizes_new[15] = {96, 48,	49,   56,  51,	52, 53, 72,
				       73, 400, 1000, 401, 402, 47, 54};
static const tg_edge edges_old[] = {
    {0, 1, 2, 0}, {0, 2, 2, 1}, {0, 3, 2, 2}, {1, 4, 1, 1},
    {2, 5, 1, 1}, {3, 6, 1, 1}, {7, 8, 2, 0}, {8, 7, 2, 0},
};
static const tg_edge edges_new[] = {
    {0, 1, 2, 0}, {0, 2, 2, 1}, {0, 13, 2, 2},	{0, 3, 2, 3}, {1, 4, 1, 1},
    {2, 5, 1, 1}, {3, 6, 2, 0}, {13, 14, 1, 1}, {7, 8, 2, 0}, {8, 7, 2, 0},
};
static const uint32_t roots[] = {0, 7};
static const char *const attrs[] = {"name"};

static mt_graph *gold, *gnew, *gnew2;
static mt_ctx *cold, *cnew, *cnew2;
static uint32_t map_old[14], map_new[16], map_new2[16];

static mt_graph *write_load(const char *tag, uint32_t n, const uint64_t *sz,
			    const int32_t *types, const char *const *strs,
			    const tg_edge *e, size_t ne, uint32_t *map)
{
	char path[96];
	snprintf(path, sizeof path, "/tmp/mt_test_qdumps.%ld.%s.mp",
		 (long)getpid(), tag);
	tg_graph tg = {.n = n,
		       .sizes = sz,
		       .edges = e,
		       .nedges = ne,
		       .roots = roots,
		       .nroots = 2,
		       .qualname_module = mods,
		       .qualname_name = names,
		       .types = types,
		       .str_values = strs,
		       .attr_names = attrs,
		       .nattr_names = 1};
	tg_write(path, &tg, map);
	mt_graph *g = tg_load(path);
	unlink(path);
	return g;
}

/* The process of a loaded dump, as the tests want it. */
static void set_process(mt_graph *g, uint64_t pid, double start_time)
{
	mt_header *h = (mt_header *)mt_graph_header(g);
	h->pid = pid;
	h->start_time = start_time;
}

static int setup(void **state)
{
	mt_err err;
	gold = write_load("old", 13, sizes_old, types_old, strs_old, edges_old,
			  sizeof edges_old / sizeof edges_old[0], map_old);
	gnew = write_load("new", 15, sizes_new, types_new, strs_new, edges_new,
			  sizeof edges_new / sizeof edges_new[0], map_new);
	gnew2 = write_load("new2", 15, sizes_new, types_new, strs_new,
			   edges_new, sizeof edges_new / sizeof edges_new[0],
			   map_new2);
	set_process(gold, 42, 1000.0);
	set_process(gnew, 42, 1000.0);
	set_process(gnew2, 42, 1000.0);
	if (mt_ctx_new(&cold, gold, &err) || mt_ctx_new(&cnew, gnew, &err) ||
	    mt_ctx_new(&cnew2, gnew2, &err))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	mt_ctx_free(cold);
	mt_ctx_free(cnew);
	mt_ctx_free(cnew2);
	mt_graph_free(gold);
	mt_graph_free(gnew);
	mt_graph_free(gnew2);
	return 0;
}

/* A pair of sessions: *qold over OLD and the returned one over NEW with
 * h0 = OLD, matched by identity when `identity`. */
typedef struct pair {
	mt_query *q, *old;
	mt_match *m;
} pair;

static pair open_pair(bool identity)
{
	pair p = {0};
	mt_err err;
	assert_int_equal(mt_query_new(&p.q, cnew, &err), MT_OK);
	assert_int_equal(mt_query_new(&p.old, cold, &err), MT_OK);
	if (identity)
		assert_int_equal(mt_match_new(&p.m, gold, gnew, &err), MT_OK);
	assert_int_equal(mt_query_add_dump(p.q, "h0", p.old, p.m, &err), MT_OK);
	return p;
}

static void close_pair(pair *p)
{
	mt_query_free(p->q);
	mt_query_free(p->old);
	mt_match_free(p->m);
}

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

/* The text expr renders in session q. */
static char *text_of(mt_query *q, const char *expr)
{
	mt_err err;
	char *s = run(q, expr, &err);
	if (!s)
		fail_msg("%s: %s", expr, err.detail);
	return s;
}

/* expr in q and in session `ref` give the same text. */
static void same_text(mt_query *q, const char *expr, mt_query *ref,
		      const char *ref_expr)
{
	char *a = text_of(q, expr), *b = text_of(ref, ref_expr);
	if (strcmp(a, b))
		fail_msg("%s:\n%s--- vs %s:\n%s", expr, a, ref_expr, b);
	free(a);
	free(b);
}

/* The set expr evaluates to in q: its ids (of its dump), sorted, and the
 * session it is of. */
static void expect_set(mt_query *q, const char *expr, const mt_query *of,
		       const uint32_t *ids, size_t n)
{
	mt_qresult r;
	mt_err err;
	if (mt_query_eval(q, expr, &r, &err))
		fail_msg("%s: %s", expr, err.detail);
	assert_int_equal(r.kind, MT_QRESULT_SET);
	if (r.of != of)
		fail_msg("%s: of %p, want %p", expr, (void *)r.of,
			 (const void *)of);
	mt_set *want = tg_set(ids, n);
	if (!mt_set_equal(r.set, want)) {
		fprintf(stderr, "%s: got", expr);
		for (size_t i = 0; i < mt_set_count(r.set); i++)
			fprintf(stderr, " %u", mt_set_ids(r.set)[i]);
		fail_msg("%s: %zu objects, want %zu", expr, mt_set_count(r.set),
			 n);
	}
	mt_set_unref(want);
	mt_qresult_destroy(&r);
}

static void sort_ids(uint32_t *a, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && a[j - 1] > a[j]; j--) {
			uint32_t t = a[j];
			a[j] = a[j - 1];
			a[j - 1] = t;
		}
}

/* h0 is OLD's heap; what is derived from it is OLD's, by OLD's session,
 * in expressions and without (mt_query_by/row/attr); h stays NEW's. */
static void test_h0_is_the_other_dump(void **state)
{
	pair p = open_pair(false);
	expect(p.q, "h0.count", "14\n");
	expect(p.q, "h.count", "16\n");
	same_text(p.q, "h0", p.old, "h");
	same_text(p.q, "h0.bytype", p.old, "h.bytype");
	same_text(p.q, "h0.byrcs[1].referrers.byvia", p.old,
		  "h.byrcs[1].referrers.byvia");
	same_text(p.q, "h0.bysize[0].sp", p.old, "h.bysize[0].sp");
	same_text(p.q, "(h0 & hp.Type('Node')).referents", p.old,
		  "(h & hp.Type('Node')).referents");
	same_text(p.q, "~h0[0]", p.old, "~h[0]");
	same_text(p.q, "h0[1:3].byid", p.old, "h[1:3].byid");
	same_text(p.q, "h0.domisize", p.old, "h.domisize");
	same_text(p.q, "hp.dot(h0[0])", p.old, "hp.dot(h[0])");
	expect(p.q, "h0[0] <= h0", "True\n");
	expect(p.q, "h0 & hp.Type('Node') <= hp.Type('Node')", "True\n");

	/* results say whose dump they are of; h's are the session's own */
	mt_qresult r, by, row, ref;
	mt_err err;
	assert_int_equal(mt_query_eval(p.q, "h0.bytype", &r, &err), MT_OK);
	assert_ptr_equal(r.of, p.old);
	assert_string_equal(r.expr, "h0.bytype");
	assert_int_equal(mt_query_row(p.q, &r, 0, &row, &err), MT_OK);
	assert_ptr_equal(row.of, p.old);
	assert_string_equal(row.expr, "h0.bytype[0]");
	assert_int_equal(mt_query_by(p.q, &row, "rcs", &by, &err), MT_OK);
	assert_ptr_equal(by.of, p.old);
	assert_string_equal(by.expr, "h0.bytype[0].byrcs");
	assert_int_equal(mt_query_attr(p.q, &row, "referrers", &ref, &err),
			 MT_OK);
	assert_ptr_equal(ref.of, p.old);
	assert_string_equal(ref.expr, "h0.bytype[0].referrers");
	/* the same sets as OLD's own session derives */
	mt_qresult o;
	assert_int_equal(
	    mt_query_eval(p.old, "h.bytype[0].referrers", &o, &err), MT_OK);
	assert_null(o.of);
	assert_true(mt_set_equal(o.set, ref.set));
	mt_qresult_destroy(&o);
	mt_partition *part;
	assert_int_equal(mt_query_partition(p.q, &r, &part, &err), MT_OK);
	assert_int_equal(mt_partition_nrows(part), 5); /* OLD has 5 types */
	mt_partition_free(part);
	mt_qresult_destroy(&r);
	mt_qresult_destroy(&row);
	mt_qresult_destroy(&by);
	mt_qresult_destroy(&ref);
	assert_int_equal(mt_query_eval(p.q, "h.bytype[0]", &r, &err), MT_OK);
	assert_null(r.of);
	mt_qresult_destroy(&r);
	assert_int_equal(mt_query_heap(p.q, &r, &err), MT_OK);
	assert_null(r.of);
	mt_qresult_destroy(&r);
	assert_int_equal(mt_query_object(p.q, map_new[0], &r, &err), MT_OK);
	assert_null(r.of);
	mt_qresult_destroy(&r);

	/* `_` and marks keep the dump */
	same_text(p.q, "h0[0]", p.old, "h[0]");
	same_text(p.q, "_.referents", p.old, "h[0].referents");
	assert_int_equal(mt_query_eval(p.q, "h0.bytype[1]", &r, &err), MT_OK);
	mt_qresult_destroy(&r);
	assert_int_equal(mt_query_bind_last(p.q, "a", &err), MT_OK);
	same_text(p.q, "a.referrers", p.old, "h.bytype[1].referrers");
	assert_int_equal(mt_query_eval(p.q, "a", &r, &err), MT_OK);
	assert_ptr_equal(r.of, p.old);
	mt_qresult_destroy(&r);
	/* a set of OLD bound by a front end in NEW's session */
	mt_set *s0 = tg_set(&map_old[3], 1);
	assert_int_equal(mt_query_bind_set_of(p.q, "b", s0, p.old, &err),
			 MT_OK);
	assert_int_equal(mt_query_eval(p.q, "b.referrers", &r, &err), MT_OK);
	assert_ptr_equal(r.of, p.old);
	assert_string_equal(r.expr, "b.referrers");
	assert_int_equal(mt_set_count(r.set), 1);
	assert_int_equal(mt_set_ids(r.set)[0], map_old[0]);
	mt_qresult_destroy(&r);
	assert_int_equal(mt_query_bind_set_of(p.q, "c", s0, p.q, &err), MT_OK);
	assert_int_equal(mt_query_eval(p.q, "c", &r, &err), MT_OK);
	assert_null(r.of);
	mt_qresult_destroy(&r);
	/* a result of a session this one does not name */
	mt_query *stranger;
	assert_int_equal(mt_query_new(&stranger, cold, &err), MT_OK);
	mt_qresult fake = {.kind = MT_QRESULT_SET, .set = NULL};
	assert_int_equal(mt_query_heap(p.q, &r, &err), MT_OK);
	fake.set = r.set;
	fake.of = stranger;
	fake.expr = r.expr;
	assert_int_equal(mt_query_by(p.q, &fake, "type", &by, &err), MT_TYPE);
	assert_non_null(strstr(err.detail, "does not name"));
	mt_qresult_destroy(&r);
	assert_int_equal(mt_query_bind_set_of(p.q, "d", s0, stranger, &err),
			 MT_ARG);
	mt_set_unref(s0);
	mt_query_free(stranger);

	/* dumps without memtrack.mark() */
	expect_err(p.q, "h - hp.Marked", MT_ARG, 7, "this dump has no mark");
	expect_err(p.q, "h0.marked", MT_ARG, 3, "this dump has no mark");
	/* names: errors, completion */
	expect_err(p.q, "h2", MT_TYPE, 0, "names: h, h0..., hp");
	char *c = mt_query_complete(p.q, "h", 3);
	assert_non_null(c);
	assert_string_equal(c, "h0");
	free(c);
	c = mt_query_complete(p.q, "h0.byty", 0);
	assert_string_equal(c, "bytype");
	free(c);
	c = mt_query_complete(p.q, "h0.di", 0);
	assert_string_equal(c, "diff(");
	free(c);
	c = mt_query_complete(p.q, "hp.Lea", 0);
	assert_string_equal(c, "Leaks");
	free(c);
	assert_int_equal(mt_query_add_dump(p.q, "h0", p.old, NULL, &err),
			 MT_ARG);
	assert_int_equal(mt_query_add_dump(p.q, "hp", p.old, NULL, &err),
			 MT_ARG);
	assert_int_equal(mt_query_add_dump(p.q, "h1", p.q, NULL, &err), MT_ARG);
	close_pair(&p);
}

/* h - h0, h0 - h, h & h0 by identity, including the address reused by
 * another type. */
static void test_identity_operators(void **state)
{
	pair p = open_pair(true);
	uint32_t added[] = {map_new[3], map_new[13], map_new[14], map_new[15]};
	uint32_t gone[] = {map_old[3], map_old[13]};
	uint32_t kept[12], kept_old[12];
	size_t k = 0;
	for (uint32_t i = 0; i < 13; i++)
		if (i != 3) {
			kept[k] = map_new[i];
			kept_old[k++] = map_old[i];
		}
	sort_ids(added, 4);
	sort_ids(gone, 2);
	sort_ids(kept, 12);
	sort_ids(kept_old, 12);
	expect_set(p.q, "h - h0", NULL, added, 4);
	expect_set(p.q, "h0 - h", p.old, gone, 2);
	expect_set(p.q, "h & h0", NULL, kept, 12);
	expect_set(p.q, "h0 & h", p.old, kept_old, 12);
	/* operands of the other dump anywhere in an expression */
	uint32_t node_new = map_new[13];
	expect_set(p.q, "(h - h0) & hp.Type('Node')", NULL, &node_new, 1);
	uint32_t node3 = map_old[3];
	expect_set(p.q, "h0.bytype[3] - h", p.old, &node3, 1);
	expect(p.q, "(h - h0).bytype",
	       "Partition of a set of 4 objects. Total size = 173 bytes.\n"
	       " Index  Count   %     Size   % Cumulative  % Type\n"
	       "     0      1  25       56  32        56  32 list\n"
	       "     1      1  25       54  31       110  64 str\n"
	       "     2      1  25       47  27       157  91 __main__.Node\n"
	       "     3      1  25       16   9       173 100 object\n");
	expect(p.q, "(h0 - h).count", "2\n");
	/* what is derived from gone objects is OLD's: their referrers then */
	uint32_t list0 = map_old[0];
	expect_set(p.q, "(h0 - h).referrers", p.old, &list0, 1);
	/* the new objects' referrers now, and the survivors among them */
	uint32_t r_new[] = {map_new[0], map_new[13]};
	sort_ids(r_new, 2);
	expect_set(p.q, "(h - h0).referrers", NULL, r_new, 2);
	uint32_t list0_new = map_new[0];
	expect_set(p.q, "(h - h0).referrers & h0", NULL, &list0_new, 1);

	/* | and ^ and comparisons across dumps: refused, at the operator */
	expect_err(p.q, "h | h0", MT_TYPE, 2,
		   "h and h0 are sets of different dumps: '|'");
	expect_err(p.q, "h0[0] ^ h", MT_TYPE, 6, "'^' takes sets of one dump");
	expect_err(p.q, "h0 <= h", MT_TYPE, 3, "compare them with - and &");
	/* within one dump everything is as before */
	expect(p.q, "(h0 | h0[0]).count", "14\n");
	close_pair(&p);
}

/* Without identity the cross-dump operators say why in one line. */
static void test_no_identity(void **state)
{
	pair p = open_pair(false); /* no match given */
	expect_err(p.q, "h - h0", MT_ARG, 2,
		   "h vs h0: no identity of objects was given");
	set_process(gold, 43, 1000.0);
	expect_err(p.q, "(h0 & h).count", MT_ARG, 4,
		   "h0 vs h: the dumps come from different processes (pid 43 "
		   "and 42)");
	set_process(gold, 42, 0.0);
	expect_err(p.q, "h0 - h", MT_ARG, 3, "do not record the process start");
	/* the difference table needs no identity */
	char *t = text_of(p.q, "h.diff(h0)");
	assert_non_null(strstr(t, "Summary of difference operation (A-B)."));
	free(t);
	set_process(gold, 42, 1000.0);
	close_pair(&p);
}

static void test_diff(void **state)
{
	pair p = open_pair(true);
	/* heapy's table, A = h (NEW), B = h0 (OLD): sizes NEW 2870 in 16
	 * objects, OLD 2755 in 14 */
	expect(p.q, "h.diff(h0)",
	       "Summary of difference operation (A-B).\n"
	       "        Count     Size\n"
	       "  A        16     2870\n"
	       "  B        14     2755\n"
	       "  A-B       2      115  =      4.17 % of B\n"
	       "\n"
	       "Differences by kind, largest absolute size diffs first.\n"
	       " Index  Count     Size  Cumulative  % of B Kind (class / "
	       "dict of class)\n"
	       "     0      1       64        64      2.32 list\n"
	       "     1      1       54       118      4.28 str\n"
	       "     2      0       -3       115      4.17 __main__.Node\n");
	/* by A's classifier; B is partitioned the same way */
	expect(p.q, "h.bytype.diff(h0)",
	       "Summary of difference operation (A-B).\n"
	       "        Count     Size\n"
	       "  A        16     2870\n"
	       "  B        14     2755\n"
	       "  A-B       2      115  =      4.17 % of B\n"
	       "\n"
	       "Differences by kind, largest absolute size diffs first.\n"
	       " Index  Count     Size  Cumulative  % of B Type\n"
	       "     0      1       64        64      2.32 list\n"
	       "     1      1       54       118      4.28 str\n"
	       "     2      0       -3       115      4.17 __main__.Node\n");
	/* the other way round: A = OLD */
	expect(p.q, "h0.diff(h)",
	       "Summary of difference operation (A-B).\n"
	       "        Count     Size\n"
	       "  A        14     2755\n"
	       "  B        16     2870\n"
	       "  A-B      -2     -115  =     -4.01 % of B\n"
	       "\n"
	       "Differences by kind, largest absolute size diffs first.\n"
	       " Index  Count     Size  Cumulative  % of B Kind (class / "
	       "dict of class)\n"
	       "     0     -1      -64       -64     -2.23 list\n"
	       "     1     -1      -54      -118     -4.11 str\n"
	       "     2      0        3      -115     -4.01 __main__.Node\n");
	/* within one dump: the rest of the heap against its first row */
	expect(p.q, "h.diff(h[0])",
	       "Summary of difference operation (A-B).\n"
	       "        Count     Size\n"
	       "  A        16     2870\n"
	       "  B         4     2203\n"
	       "  A-B      12      667  =      30.3 % of B\n"
	       "\n"
	       "Differences by kind, largest absolute size diffs first.\n"
	       " Index  Count     Size  Cumulative  % of B Kind (class / "
	       "dict of class)\n"
	       "     0      4      297       297      13.5 list\n"
	       "     1      4      210       507        23 str\n"
	       "     2      3      144       651      29.6 __main__.Node\n"
	       "     3      1       16       667      30.3 object\n");
	expect(p.q, "h.diff(h)",
	       "Summary of difference operation (A-B).\n"
	       "        Count     Size\n"
	       "  A        16     2870\n"
	       "  B        16     2870\n"
	       "  A-B       0        0  =         0 % of B\n");
	/* paged like tables: 16 rows by size (every size differs) */
	char *t = text_of(p.q, "h.bysize.diff(h - h)");
	assert_non_null(strstr(t, "\n     9      1"));
	assert_null(strstr(t, "\n    10      1"));
	assert_non_null(
	    strstr(t, "\n<6 more rows. Type e.g. '_.more' to view.>\n"));
	free(t);
	/* the next page: the row header, no title (heapy's _.more) */
	expect(p.q, "_.more",
	       " Index  Count     Size  Cumulative  % of B Individual Size\n"
	       "    10      1       52      2659    (n.a.)        52\n"
	       "    11      1       51      2710    (n.a.)        51\n"
	       "    12      1       49      2759    (n.a.)        49\n"
	       "    13      1       48      2807    (n.a.)        48\n"
	       "    14      1       47      2854    (n.a.)        47\n"
	       "    15      1       16      2870    (n.a.)        16\n");
	expect_err(p.q, "_.more", MT_RANGE, 2, "no more rows: all 16 were");
	t = text_of(p.q, "_.all");
	assert_non_null(strstr(t, "Summary of difference operation"));
	assert_non_null(strstr(t, "\n    15      1       16      2870"));
	assert_null(strstr(t, "more rows"));
	free(t);
	/* errors */
	expect_err(p.q, "h.diff(1)", MT_TYPE, 7, "must be a set, not int");
	expect_err(p.q, "h.byid.diff(h0)", MT_TYPE, 11, "identity tables");
	expect_err(p.q, "h.diff()", MT_TYPE, 6, "takes 1 argument");
	close_pair(&p);
}

/* hp.Leaks: three dumps A = OLD (h0), B = NEW (h1), C = NEW again (h):
 * the objects of C alive in B but not in A are the new ones. */
static void test_leaks(void **state)
{
	mt_query *a, *b, *c;
	mt_match *ab, *bc;
	mt_err err;
	assert_int_equal(mt_query_new(&a, cold, &err), MT_OK);
	assert_int_equal(mt_query_new(&b, cnew, &err), MT_OK);
	assert_int_equal(mt_query_new(&c, cnew2, &err), MT_OK);
	assert_int_equal(mt_match_new(&ab, gold, gnew, &err), MT_OK);
	assert_int_equal(mt_match_new(&bc, gnew, gnew2, &err), MT_OK);
	assert_int_equal(mt_query_add_dump(c, "h0", a, NULL, &err), MT_OK);
	expect_err(c, "hp.Leaks", MT_ARG, 3, "needs three dumps");
	assert_int_equal(mt_query_add_dump(c, "h1", b, bc, &err), MT_OK);
	uint32_t leak[] = {map_new2[3], map_new2[13], map_new2[14],
			   map_new2[15]};
	sort_ids(leak, 4);
	expect_set(c, "hp.Leaks", NULL, leak, 4);
	/* h0 and h1 compare through a match made between them */
	uint32_t added[] = {map_new[3], map_new[13], map_new[14], map_new[15]};
	sort_ids(added, 4);
	expect_set(c, "h1 - h0", b, added, 4);
	/* with h0 matched to h no more (h0 given without a match): the
	 * rule through h1 still works, h - h0 does not */
	expect_err(c, "h - h0", MT_ARG, 2, "h vs h0");
	expect_set(c, "(h & h1) - (h1 & h0)", NULL, leak, 4);
	mt_query_free(c);
	mt_query_free(a);
	mt_query_free(b);
	mt_match_free(ab);
	mt_match_free(bc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_h0_is_the_other_dump),
	    cmocka_unit_test(test_identity_operators),
	    cmocka_unit_test(test_no_identity),
	    cmocka_unit_test(test_diff),
	    cmocka_unit_test(test_leaks),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
