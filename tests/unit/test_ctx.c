/* Tests of the context of a loaded dump (ctx.h) and of the classifier
 * table (classifier.h): the cache shares one classifier per canonical
 * name, a reference outlives eviction and the context, a cancelled build
 * leaves nothing and the retry works, two contexts over two graphs at
 * once, CYCLE takes the context's cycles, the table's rows. */
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

#include "graphgen.h"
#include "memtrack/classifier.h"
#include "memtrack/ctx.h"
#include "memtrack/scc.h"

static char path[256];
static uint32_t mapa[6], mapb[3];

/* A: a ring 0 -> 1 -> 2 -> 0 and a chain 3 -> 4, roots 0 and 3.
 * B: 0 -> 1, root 0, other sizes. */
static mt_graph *graph_a(void)
{
	static const tg_edge e[] = {
	    {0, 1, 0, 0}, {1, 2, 0, 0}, {2, 0, 0, 0}, {3, 4, 0, 1}};
	static const uint32_t roots[] = {0, 3};
	static const uint64_t sizes[] = {10, 20, 30, 40, 50};
	tg_graph g = {.n = 5, .sizes = sizes, .edges = e, .nedges = 4,
		      .roots = roots, .nroots = 2};
	tg_write(path, &g, mapa);
	return tg_load(path);
}

static mt_graph *graph_b(void)
{
	static const tg_edge e[] = {{0, 1, 0, 0}};
	static const uint32_t roots[] = {0};
	static const uint64_t sizes[] = {7, 9};
	tg_graph g = {.n = 2, .sizes = sizes, .edges = e, .nedges = 1,
		      .roots = roots, .nroots = 1};
	tg_write(path, &g, mapb);
	return tg_load(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "/tmp/mt_test_ctx.%ld.mp", (long)getpid());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

/* ---- progress: counts calls by what, cancels while `cancel` is set ---- */

struct prog {
	int cancel;
	int calls, cycles, domtree, partition, referrers;
};

static int progress(void *data, const char *what, uint64_t done,
		    uint64_t total)
{
	struct prog *p = data;
	assert_true(done <= total);
	p->calls++;
	if (!strcmp(what, "reference cycles"))
		p->cycles++;
	else if (!strcmp(what, "dominator tree"))
		p->domtree++;
	else if (!strncmp(what, "partition by ", 13))
		p->partition++;
	else if (!strcmp(what, "referrer kinds"))
		p->referrers++;
	return p->cancel;
}

static const char *label_of(mt_classifier *c, uint32_t id)
{
	uint32_t k;
	mt_err err;
	assert_int_equal(mt_classifier_classify(c, id, &k, &err), MT_OK);
	return mt_classifier_label(c, k);
}

/* ---- tests ----------------------------------------------------------- */

static void test_cache_shares(void **state)
{
	mt_graph *g = graph_a();
	mt_ctx *ctx;
	mt_classifier *a, *b, *c, *d;
	mt_err err;
	(void)state;
	assert_int_equal(mt_ctx_new(&ctx, g, &err), MT_OK);
	assert_ptr_equal(mt_ctx_graph(ctx), g);
	assert_int_equal(mt_ctx_classifier(ctx, "Type", &a, &err), MT_OK);
	assert_int_equal(mt_ctx_classifier(ctx, " type\t", &b, &err), MT_OK);
	assert_ptr_equal(a, b);
	assert_string_equal(mt_classifier_name(a), "type");
	assert_int_equal(mt_ctx_classifier(ctx, "IndiSize", &c, &err), MT_OK);
	assert_string_equal(mt_classifier_name(c), "size");
	/* a combination is cached by its canonical name and made of the
	 * cached parts */
	assert_int_equal(mt_ctx_classifier(ctx, "Type & Size", &d, &err),
			 MT_OK);
	assert_string_equal(mt_classifier_name(d), "type&size");
	assert_ptr_equal(mt_classifier_part(d, 0), a);
	assert_ptr_equal(mt_classifier_part(d, 1), c);
	assert_string_equal(mt_classifier_header(d),
			    "Type & Individual Size");
	mt_classifier_unref(d);
	assert_int_equal(mt_ctx_classifier(ctx, "type&SIZE", &d, &err), MT_OK);
	assert_ptr_equal(mt_classifier_part(d, 0), a);
	mt_classifier_unref(d);
	mt_classifier_unref(a);
	mt_classifier_unref(b);
	mt_classifier_unref(c);
	/* unknown names fail naming the bad part, cache nothing */
	d = (mt_classifier *)1;
	assert_int_equal(mt_ctx_classifier(ctx, "type&bogus", &d, &err),
			 MT_ARG);
	assert_null(d);
	assert_non_null(strstr(err.detail, "bogus"));
	mt_ctx_free(ctx);
	mt_graph_free(g);
}

static void test_ref_outlives_eviction_and_ctx(void **state)
{
	static const char *const names[] = {
	    "clodo", "type", "rcs", "via", "size", "id", "idset", "unity",
	    "module", "surplus", "clodo&type", "type&size", "size&id",
	    "via&type", "unity&type", "module&size", "surplus&size"};
	mt_graph *g = graph_a();
	mt_ctx *ctx;
	mt_classifier *cyc, *again, *x;
	mt_err err;
	size_t i;
	char want[64];
	(void)state;
	assert_int_equal(mt_ctx_new(&ctx, g, &err), MT_OK);
	assert_int_equal(mt_ctx_classifier(ctx, "cycle", &cyc, &err), MT_OK);
	snprintf(want, sizeof want, "%s", label_of(cyc, mapa[0]));
	assert_string_equal(want, "cycle #0 (3 objects)");
	/* 17 other names evict "cycle" from the 16 entries */
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		assert_int_equal(mt_ctx_classifier(ctx, names[i], &x, &err),
				 MT_OK);
		mt_classifier_unref(x);
	}
	assert_int_equal(mt_ctx_classifier(ctx, "cycle", &again, &err), MT_OK);
	assert_ptr_not_equal(again, cyc); /* evicted: a new one */
	assert_string_equal(label_of(again, mapa[1]), "cycle #0 (3 objects)");
	mt_classifier_unref(again);
	/* the old reference still works, also after the context is gone
	 * (it shares the context's cycles by reference) */
	assert_string_equal(label_of(cyc, mapa[2]), want);
	assert_int_equal(mt_ctx_classifier(ctx, "rcs", &x, &err), MT_OK);
	mt_ctx_free(ctx);
	assert_string_equal(label_of(cyc, mapa[3]), "<no cycle>");
	assert_string_equal(label_of(cyc, mapa[1]), want);
	assert_string_equal(label_of(x, mapa[4]), "object");
	mt_classifier_unref(x);
	mt_classifier_unref(cyc);
	mt_graph_free(g);
}

static void test_cancel_then_retry(void **state)
{
	mt_graph *g = graph_a();
	mt_ctx *ctx;
	struct prog p = {.cancel = 1};
	const mt_domtree *t = (const mt_domtree *)1;
	mt_dominance *d;
	mt_classifier *c = (mt_classifier *)1, *c2;
	mt_partition *part;
	const uint32_t *comp;
	uint32_t ncyc = 99;
	uint32_t *kinds;
	mt_err err;
	(void)state;
	assert_int_equal(mt_ctx_new(&ctx, g, &err), MT_OK);
	mt_ctx_set_progress(ctx, progress, &p);
	assert_int_equal(mt_ctx_domtree(ctx, &t, &err), MT_CANCELLED);
	assert_null(t);
	assert_false(mt_ctx_has_domtree(ctx));
	assert_int_equal(mt_ctx_dominance(ctx, &d, &err), MT_CANCELLED);
	assert_int_equal(mt_ctx_cycles(ctx, &comp, NULL, &ncyc, &err),
			 MT_CANCELLED);
	assert_int_equal(mt_ctx_classifier(ctx, "cycle", &c, &err),
			 MT_CANCELLED);
	assert_null(c);
	assert_int_equal(mt_ctx_classifier(ctx, "rcs", &c, &err),
			 MT_CANCELLED);
	assert_true(p.domtree >= 2 && p.cycles >= 2 && p.referrers >= 1);
	/* partitions made by the context cancel too */
	p.cancel = 0;
	assert_int_equal(mt_ctx_classifier(ctx, "type", &c, &err), MT_OK);
	p.cancel = 1;
	assert_int_equal(mt_ctx_partition(ctx, c, NULL, &part, &err),
			 MT_CANCELLED);
	assert_int_equal(mt_ctx_classify_all(ctx, c, &kinds, NULL, &err),
			 MT_CANCELLED);
	assert_true(p.partition >= 2);
	mt_classifier_unref(c);
	/* the retry builds */
	p.cancel = 0;
	assert_int_equal(mt_ctx_domtree(ctx, &t, &err), MT_OK);
	assert_true(mt_ctx_has_domtree(ctx));
	assert_int_equal(mt_domtree_total(t), 166); /* and the type's 16 */
	assert_int_equal(mt_domtree_retained(t, mapa[3]), 90);
	assert_int_equal(mt_ctx_dominance(ctx, &d, &err), MT_OK);
	assert_int_equal(mt_ctx_cycles(ctx, &comp, NULL, &ncyc, &err), MT_OK);
	assert_int_equal(ncyc, 1);
	assert_int_equal(comp[mapa[1]], 0);
	assert_int_equal(comp[mapa[4]], MT_NO_ID);
	assert_true(mt_ctx_memory(ctx) > 5 * 12);
	assert_int_equal(mt_ctx_classifier(ctx, "rcs", &c, &err), MT_OK);
	assert_string_equal(label_of(c, mapa[1]), "object");
	/* built once: asking again reports no work and gives the same */
	p.calls = 0;
	{
		const mt_domtree *t2;
		assert_int_equal(mt_ctx_domtree(ctx, &t2, &err), MT_OK);
		assert_ptr_equal(t2, t);
		assert_int_equal(mt_ctx_classifier(ctx, "rcs", &c2, &err),
				 MT_OK);
		assert_ptr_equal(c2, c);
		mt_classifier_unref(c2);
	}
	assert_int_equal(p.calls, 0);
	mt_classifier_unref(c);
	mt_ctx_free(ctx);
	mt_graph_free(g);
}

/* CYCLE takes the context's cycles: once computed, making a CYCLE
 * classifier computes nothing more. */
static void test_cycle_from_ctx(void **state)
{
	mt_graph *g = graph_a();
	mt_ctx *ctx;
	struct prog p = {0};
	mt_classifier *c;
	const uint32_t *comp;
	mt_err err;
	(void)state;
	assert_int_equal(mt_ctx_new(&ctx, g, &err), MT_OK);
	mt_ctx_set_progress(ctx, progress, &p);
	assert_int_equal(mt_ctx_classifier(ctx, "cycle&type", &c, &err),
			 MT_OK);
	assert_int_equal(p.cycles, 1);
	assert_string_equal(label_of(c, mapa[2]),
			    "cycle #0 (3 objects) & object");
	mt_classifier_unref(c);
	assert_int_equal(mt_ctx_cycles(ctx, &comp, NULL, NULL, &err), MT_OK);
	assert_int_equal(comp[mapa[0]], 0);
	assert_int_equal(p.cycles, 1);
	mt_ctx_free(ctx);
	mt_graph_free(g);
}

static void test_two_contexts(void **state)
{
	mt_graph *ga = graph_a(), *gb = graph_b();
	mt_ctx *a, *b;
	mt_classifier *ca, *cb;
	const mt_domtree *ta, *tb;
	mt_partition *pa, *pb;
	mt_err err;
	(void)state;
	assert_int_equal(mt_ctx_new(&a, ga, &err), MT_OK);
	assert_int_equal(mt_ctx_new(&b, gb, &err), MT_OK);
	assert_int_equal(mt_ctx_classifier(a, "size", &ca, &err), MT_OK);
	assert_int_equal(mt_ctx_classifier(b, "size", &cb, &err), MT_OK);
	assert_ptr_not_equal(ca, cb);
	assert_ptr_equal(mt_classifier_graph(ca), ga);
	assert_ptr_equal(mt_classifier_graph(cb), gb);
	assert_int_equal(mt_ctx_domtree(a, &ta, &err), MT_OK);
	assert_int_equal(mt_ctx_domtree(b, &tb, &err), MT_OK);
	assert_int_equal(mt_domtree_total(ta), 166); /* the type: 16 */
	assert_int_equal(mt_domtree_total(tb), 32);
	assert_int_equal(mt_ctx_partition(a, ca, mt_ctx_all(a), &pa, &err),
			 MT_OK);
	assert_int_equal(mt_ctx_partition(b, cb, NULL, &pb, &err), MT_OK);
	assert_int_equal(mt_partition_size(pa), 166);
	assert_int_equal(mt_partition_count(pa), 6); /* and the type object */
	assert_int_equal(mt_partition_size(pb), 32);
	assert_string_equal(mt_partition_row_at(pb, 0)->label, "       16");
	mt_partition_free(pa);
	mt_partition_free(pb);
	/* an empty set partitions to no rows, not to every object */
	{
		mt_set *e;
		assert_int_equal(mt_set_empty(&e, &err), MT_OK);
		assert_int_equal(mt_ctx_partition(b, cb, e, &pb, &err), MT_OK);
		assert_int_equal(mt_partition_nrows(pb), 0);
		mt_partition_free(pb);
		mt_set_unref(e);
	}
	mt_classifier_unref(ca);
	mt_ctx_free(a);
	mt_graph_free(ga);
	/* b is untouched by a's end */
	assert_int_equal(mt_set_count(mt_ctx_all(b)), 3);
	assert_int_equal(mt_domtree_retained(tb, mapb[0]), 16); /* 7 + 9 */
	mt_classifier_unref(cb);
	mt_ctx_free(b);
	mt_graph_free(gb);
}

static void test_table(void **state)
{
	size_t n, i, j;
	const mt_classifier_def *const *t = mt_classifier_defs(&n);
	char buf[64];
	mt_classify_by by;
	mt_err err;
	(void)state;
	assert_true(n >= 11);
	assert_string_equal(t[0]->name, "clodo");
	for (i = 0; i < n; i++) {
		assert_non_null(t[i]->header);
		assert_non_null(t[i]->help);
		assert_non_null(t[i]->classify);
		assert_non_null(t[i]->label);
		assert_ptr_equal(mt_classifier_def_find(t[i]->name), t[i]);
		for (j = 0; j < i; j++) {
			assert_string_not_equal(t[i]->name, t[j]->name);
			assert_true(!t[i]->key || t[i]->key != t[j]->key);
		}
		if (t[i]->by < MT_CLASSIFY_AND) {
			assert_int_equal(mt_classify_parse(t[i]->name, &by),
					 MT_OK);
			assert_int_equal(by, t[i]->by);
		}
	}
	assert_ptr_equal(mt_classifier_def_find("IndiSize"),
			 mt_classifier_def_find("size"));
	assert_null(mt_classifier_def_find("and"));
	assert_int_equal(mt_classifier_canonical("Type & IndiSize&VIA", buf,
						 sizeof buf, &err),
			 MT_OK);
	assert_string_equal(buf, "type&size&via");
	assert_int_equal(mt_classifier_canonical("type&&size", buf, sizeof buf,
						 &err),
			 MT_ARG);
	assert_int_equal(mt_classifier_canonical("clodo&clodo", buf, 8, &err),
			 MT_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cache_shares),
	    cmocka_unit_test(test_ref_outlives_eviction_and_ctx),
	    cmocka_unit_test(test_cancel_then_retry),
	    cmocka_unit_test(test_cycle_from_ctx),
	    cmocka_unit_test(test_two_contexts),
	    cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
