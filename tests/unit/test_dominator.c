/* cmocka tests of the dominator tree: hand-made cases with known answers,
 * then thousands of random graphs (sparse, dense, deep chains, cycles,
 * unreachable islands) checked against a brute-force oracle: the retained
 * size of v is the size of everything that stops being reachable from the
 * virtual root when v is removed, and idom(v) is the dominator of v that
 * every other strict dominator dominates. */
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
#include "memtrack/dominator.h"

static char path[256];

static int setup(void **state)
{
	snprintf(path, sizeof path, "/tmp/mt_test_dom.%ld.mp", (long)getpid());
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	return 0;
}

static mt_graph *load(void)
{
	return tg_load(path);
}

/* The virtual root's children as dominator.h defines them. */

/* Marks what the virtual root reaches without passing `removed`. */
static void reach(const mt_graph *g, const uint8_t *child, uint32_t removed,
		  uint8_t *seen, uint32_t *q)
{
	uint32_t n = mt_graph_count(g);
	size_t qh = 0, qt = 0;
	memset(seen, 0, n);
	for (uint32_t v = 0; v < n; v++)
		if (child[v] && v != removed) {
			seen[v] = 1;
			q[qt++] = v;
		}
	while (qh < qt) {
		uint32_t v = q[qh++], first, cnt;
		mt_graph_out(g, v, &first, &cnt);
		for (uint32_t e = first; e < first + cnt; e++) {
			uint32_t w = mt_graph_edge_target(g, e);
			if (w != removed && !seen[w]) {
				seen[w] = 1;
				q[qt++] = w;
			}
		}
	}
}

static void check_against_oracle(const mt_graph *g, const mt_domtree *t)
{
	uint32_t n = mt_graph_count(g);
	uint8_t *child = malloc(n + 1), *seen = malloc(n + 1);
	uint32_t *q = malloc((n + 1) * sizeof *q);
	/* dom[v*n + d]: d dominates v (d removed => v unreachable) */
	uint8_t *dom = calloc((size_t)n * n + 1, 1);
	tg_vroot_children(g, child);
	uint64_t total = 0;
	for (uint32_t v = 0; v < n; v++)
		total += mt_graph_size(g, v);
	assert_true(mt_domtree_total(t) == total);
	for (uint32_t d = 0; d < n; d++) {
		reach(g, child, d, seen, q);
		uint64_t freed = 0;
		for (uint32_t v = 0; v < n; v++)
			if (!seen[v]) {
				freed += mt_graph_size(g, v);
				dom[(size_t)v * n + d] = 1;
			}
		if (mt_domtree_retained(t, d) != freed)
			fail_msg("object %u: retained %llu, oracle %llu", d,
				 (unsigned long long)mt_domtree_retained(t, d),
				 (unsigned long long)freed);
	}
	for (uint32_t v = 0; v < n; v++) {
		/* idom = the strict dominator dominated by all the others */
		uint32_t want = MT_NO_ID;
		for (uint32_t d = 0; d < n; d++) {
			if (d == v || !dom[(size_t)v * n + d])
				continue;
			int all = 1;
			for (uint32_t o = 0; o < n && all; o++)
				if (o != v && o != d && dom[(size_t)v * n + o] &&
				    !dom[(size_t)d * n + o])
					all = 0;
			if (all)
				want = d;
		}
		if (mt_domtree_idom(t, v) != want)
			fail_msg("object %u: idom %u, oracle %u", v,
				 mt_domtree_idom(t, v), want);
	}
	free(child);
	free(seen);
	free(q);
	free(dom);
}

/* root -> a -> b -> d, a -> c -> d; d -> e.  idom(d) = a. */
static void test_diamond(void **state)
{
	uint64_t sizes[] = {10, 20, 30, 40, 50};
	tg_edge e[] = {{0, 1, 0, 0}, {1, 3, 0, 0}, {0, 2, 0, 0},
		       {2, 3, 0, 0}, {3, 4, 0, 0}};
	uint32_t roots[] = {0};
	tg_graph tg = {.n = 5, .sizes = sizes, .edges = e, .nedges = 5,
		      .roots = roots, .nroots = 1};
	uint32_t map[6];
	tg_write(path, &tg, map);
	mt_graph *g = load();
	mt_domtree *t;
	mt_err err;
	assert_int_equal(mt_domtree_build(&t, g, NULL, NULL, &err), MT_OK);
	assert_int_equal(mt_domtree_idom(t, map[3]), map[0]);
	assert_int_equal(mt_domtree_idom(t, map[4]), map[3]);
	assert_int_equal(mt_domtree_idom(t, map[0]), MT_NO_ID);
	assert_true(mt_domtree_retained(t, map[0]) == 150);
	assert_true(mt_domtree_retained(t, map[1]) == 20);
	assert_true(mt_domtree_retained(t, map[3]) == 90);
	check_against_oracle(g, t);
	mt_domtree_free(t);
	mt_graph_free(g);
}

/* A chain of 200000 nodes: no recursion anywhere, sums stay exact. */
static void test_deep_chain(void **state)
{
	uint32_t n = 200000;
	tg_edge *e = malloc(n * sizeof *e);
	uint64_t *sizes = malloc(n * sizeof *sizes);
	for (uint32_t i = 0; i < n; i++) {
		sizes[i] = 3000000000ULL; /* totals above 2^32 and 2^63/n */
		e[i] = (tg_edge){i, i + 1 < n ? i + 1 : 0, 0, 0};
	}
	uint32_t roots[] = {0};
	tg_graph tg = {.n = n, .sizes = sizes, .edges = e, .nedges = n,
		      .roots = roots, .nroots = 1};
	uint32_t *map = malloc((n + 1) * sizeof *map);
	tg_write(path, &tg, map);
	mt_graph *g = load();
	mt_domtree *t;
	mt_err err;
	assert_int_equal(mt_domtree_build(&t, g, NULL, NULL, &err), MT_OK);
	assert_true(mt_domtree_retained(t, map[0]) == 3000000000ULL * n);
	assert_true(mt_domtree_retained(t, map[n - 1]) == 3000000000ULL);
	/* every one: all but the last of 2^32 - 1 bytes or more, which the
	 * tree keeps apart from its 4-byte figures */
	for (uint32_t i = 0; i < n; i++)
		if (mt_domtree_retained(t, map[i]) != 3000000000ULL * (n - i))
			fail_msg("node %u: retained %llu", i,
				 (unsigned long long)mt_domtree_retained(
				     t, map[i]));
	/* the type object (a root's child: nothing refers to it first) */
	assert_true(mt_domtree_retained(t, map[n]) < 1000);
	assert_int_equal(mt_domtree_idom(t, map[n - 1]), map[n - 2]);
	assert_int_equal(mt_domtree_idom(t, map[0]), MT_NO_ID);
	free(map);
	mt_domtree_free(t);
	mt_graph_free(g);
	free(e);
	free(sizes);
}

static int cancel_at_once(void *data, uint64_t done, uint64_t total)
{
	return 1;
}

/* A ring of n objects (i refers to i + 1, the last to 0), root 0,
 * written and loaded. */
static mt_graph *ring(uint32_t n)
{
	tg_edge *e = malloc(n * sizeof *e);
	assert_non_null(e);
	for (uint32_t i = 0; i < n; i++)
		e[i] = (tg_edge){i, i + 1 < n ? i + 1 : 0, 0, 0};
	uint32_t roots[] = {0};
	tg_graph tg = {.n = n, .edges = e, .nedges = n, .roots = roots,
		       .nroots = 1};
	tg_write(path, &tg, NULL);
	free(e);
	return load();
}

static void test_cancel(void **state)
{
	uint32_t n = 600000;
	mt_graph *g = ring(n);
	mt_domtree *t = (mt_domtree *)1;
	mt_err err;
	assert_int_equal(mt_domtree_build(&t, g, cancel_at_once, NULL, &err),
			 MT_CANCELLED);
	assert_null(t);
	mt_graph_free(g);
}

typedef struct {
	unsigned calls, cancel_at;
	uint64_t max_total;
} prog_count;

static int count_calls(void *data, uint64_t done, uint64_t total)
{
	prog_count *c = data;
	assert_true(done <= total);
	if (total > c->max_total)
		c->max_total = total;
	return ++c->calls == c->cancel_at;
}

/* Every pass of the build reports (the DFS, the interpreter's own objects,
 * the semidominators, the immediate dominators and the three passes over
 * the retained sizes: at 80M objects the last four took seconds with no
 * report), each at least every 2^18 steps (2^14 today), and a cancel at a
 * report stops the build: at the first two, the last two and 30 between,
 * spread over every pass. */
static void test_progress_every_pass(void **state)
{
	(void)state;
	uint32_t n = 600000;
	mt_graph *g = ring(n);
	mt_err err;
	mt_domtree *t;
	prog_count all = {0};
	assert_int_equal(mt_domtree_build(&t, g, count_calls, &all, &err),
			 MT_OK);
	mt_domtree_free(t);
	/* about eleven times n steps with a report every 2^14: dfn's first
	 * writes (n), the DFS (2N + E counted as pushes, pops and edges), the interpreter's own objects'
	 * pass (n ids), the semidominators' arrays first written (n), the
	 * semidominators (n vertices and their E = n referrers), the
	 * immediate dominators, three passes over the retained sizes and
	 * two packing them (n each): more than 401 here; 292 before the first writes and the referrers
	 * counted, and 4 before the last four passes reported */
	assert_true(all.calls >= 21 * n / (2 * (1u << 14)));
	assert_true(all.max_total <= 2 * (uint64_t)mt_graph_count(g) +
					 mt_graph_edge_count(g));
	unsigned stride = all.calls / 32 ? all.calls / 32 : 1;
	for (unsigned k = 1; k <= all.calls;
	     k = k < 2 || k + 2 >= all.calls ? k + 1
		 : k + stride < all.calls - 1 ? k + stride
					       : all.calls - 1) {
		prog_count c = {.cancel_at = k};
		t = (mt_domtree *)1;
		assert_int_equal(mt_domtree_build(&t, g, count_calls, &c, &err),
				 MT_CANCELLED);
		assert_null(t);
		assert_int_equal(c.calls, k);
	}
	mt_graph_free(g);
}

static void check_random(mt_graph *g, unsigned *seed, void *data)
{
	mt_domtree *t;
	mt_err err;
	assert_int_equal(mt_domtree_build(&t, g, NULL, NULL, &err), MT_OK);
	check_against_oracle(g, t);
	mt_domtree_free(t);
}

static void random_graphs(unsigned seed, int count, uint32_t maxn,
			  unsigned density, int chains)
{
	tg_for_random_graphs(seed, count, maxn, density, chains, path,
			     check_random, NULL);
}

static void test_random_sparse(void **state)
{
	random_graphs(1, 1500, 40, 5, 0);
}

static void test_random_dense(void **state)
{
	random_graphs(2, 600, 30, 40, 0);
}

static void test_random_chains_and_cycles(void **state)
{
	random_graphs(3, 1000, 60, 3, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diamond),
		cmocka_unit_test(test_deep_chain),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_progress_every_pass),
		cmocka_unit_test(test_random_sparse),
		cmocka_unit_test(test_random_dense),
		cmocka_unit_test(test_random_chains_and_cycles),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
