/* cmocka tests of referrers and referents (navigate.h): a hand-made graph
 * (root edges are not references, self-references count, duplicates
 * collapse), then random graphs and sets against a byte-array oracle, in
 * both the sorting and the bitmap regime. */
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
#include "memtrack/navigate.h"

static char path[256];

static int setup(void **state)
{
	snprintf(path, sizeof path, "/tmp/mt_test_nav.%ld.mp", (long)getpid());
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

/* root -> a; a -> b twice; a -> c; c -> c; c -> b */
static void test_hand(void **state)
{
	tg_edge e[] = {{0, 1, 0, 0}, {0, 1, 0, 1}, {0, 2, 0, 2},
		       {2, 2, 0, 0}, {2, 1, 0, 1}};
	uint32_t roots[] = {0};
	tg_graph tg = {.n = 3, .edges = e, .nedges = 5, .roots = roots,
		      .nroots = 1};
	uint32_t map[4];
	tg_write(path, &tg, map);
	mt_graph *g = load();
	mt_err err;
	mt_set *s, *r;
	uint32_t a = map[0], b = map[1], c = map[2];
	s = tg_set(&a, 1);
	assert_int_equal(mt_nav_referrers(g, s, &r, &err), MT_OK);
	assert_int_equal(mt_set_count(r), 0); /* only the root holds a */
	mt_set_unref(r);
	assert_int_equal(mt_nav_referents(g, s, &r, &err), MT_OK);
	assert_int_equal(mt_set_count(r), 2);
	assert_true(mt_set_contains(r, b) && mt_set_contains(r, c));
	mt_set_unref(r);
	mt_set_unref(s);
	s = tg_set(&b, 1);
	assert_int_equal(mt_nav_referrers(g, s, &r, &err), MT_OK);
	assert_int_equal(mt_set_count(r), 2);
	assert_true(mt_set_contains(r, a) && mt_set_contains(r, c));
	mt_set_unref(r);
	mt_set_unref(s);
	s = tg_set(&c, 1);
	assert_int_equal(mt_nav_referrers(g, s, &r, &err), MT_OK);
	assert_int_equal(mt_set_count(r), 2); /* a and c itself */
	assert_true(mt_set_contains(r, c));
	mt_set_unref(r);
	mt_set_unref(s);
	mt_graph_free(g);
}

static void test_random(void **state)
{
	unsigned seed = 5;
	tg_edge *e = malloc(sizeof *e * 400 * 20);
	uint32_t roots[2], *ids = malloc(sizeof *ids * 401);
	for (int it = 0; it < 300; it++) {
		uint32_t n = 1 + (uint32_t)rand_r(&seed) % 400;
		size_t ne = (size_t)rand_r(&seed) % (n * 8 + 1);
		for (size_t k = 0; k < ne; k++)
			e[k] = (tg_edge){(uint32_t)rand_r(&seed) % n,
					 (uint32_t)rand_r(&seed) % n, 0, k};
		roots[0] = (uint32_t)rand_r(&seed) % n;
		roots[1] = (uint32_t)rand_r(&seed) % n;
		tg_graph tg = {.n = n, .edges = e, .nedges = ne,
			      .roots = roots, .nroots = 2};
		tg_write(path, &tg, NULL);
		mt_graph *g = load();
		uint32_t N = mt_graph_count(g);
		uint8_t *in = calloc(N, 1), *rr = calloc(N, 1),
			*rf = calloc(N, 1);
		unsigned pct = 1 + (unsigned)rand_r(&seed) % 100;
		if (it % 7 == 0) /* every object: mt_set_all's set below */
			pct = 100;
		size_t k = 0;
		for (uint32_t v = 0; v < N; v++)
			if ((unsigned)rand_r(&seed) % 100 < pct) {
				in[v] = 1;
				ids[k++] = v;
			}
		for (uint32_t v = 0; v < N; v++) {
			uint32_t first, cnt;
			mt_graph_out(g, v, &first, &cnt);
			for (uint32_t q = first; q < first + cnt; q++) {
				uint32_t w = mt_graph_edge_target(g, q);
				if (in[w])
					rr[v] = 1;
				if (in[v])
					rf[w] = 1;
			}
		}
		mt_set *s, *r1, *r2;
		mt_err err;
		if (k == N) /* the set of every object, its ids unwritten */
			assert_int_equal(mt_set_all(&s, g, &err), MT_OK);
		else
			s = tg_set(ids, k);
		assert_int_equal(mt_nav_referrers(g, s, &r1, &err), MT_OK);
		assert_int_equal(mt_nav_referents(g, s, &r2, &err), MT_OK);
		size_t c1 = 0, c2 = 0;
		for (uint32_t v = 0; v < N; v++) {
			assert_int_equal(mt_set_contains(r1, v), rr[v]);
			assert_int_equal(mt_set_contains(r2, v), rf[v]);
			c1 += rr[v];
			c2 += rf[v];
		}
		assert_int_equal(mt_set_count(r1), c1);
		assert_int_equal(mt_set_count(r2), c2);
		/* every object: the lazy set of all, no ids written */
		assert_int_equal(mt_set_is_all(r1), c1 == N);
		assert_int_equal(mt_set_is_all(r2), c2 == N);
		mt_set_unref(r1);
		mt_set_unref(r2);
		mt_set_unref(s);
		free(in);
		free(rr);
		free(rf);
		mt_graph_free(g);
	}
	free(e);
	free(ids);
}

/* A ring v -> v+1 of the n nodes, and n-1 -> graphgen's shared type
 * object (which has no edges of its own): the referents of every object
 * are every object, returned as the lazy set of all; the referrers are
 * all but the type object.  10 objects take the sorted array's way, 300
 * the bitmap's. */
static void test_every(void **state)
{
	for (uint32_t n = 10; n <= 300; n += 290) {
		tg_edge *e = malloc(sizeof *e * (n + 1));
		for (uint32_t v = 0; v < n; v++)
			e[v] = (tg_edge){v, (v + 1) % n, 0, v};
		e[n] = (tg_edge){n - 1, n, 0, n};
		uint32_t roots[] = {0}, map[301];
		tg_graph tg = {.n = n, .edges = e, .nedges = n + 1,
			      .roots = roots, .nroots = 1};
		tg_write(path, &tg, map);
		mt_graph *g = load();
		uint32_t N = mt_graph_count(g);
		assert_int_equal(N, n + 1);
		mt_set *all, *r;
		mt_err err;
		assert_int_equal(mt_set_all(&all, g, &err), MT_OK);
		assert_int_equal(mt_nav_referents(g, all, &r, &err), MT_OK);
		assert_int_equal(mt_set_count(r), N);
		assert_true(mt_set_is_all(r));
		assert_int_equal(mt_set_ids(r)[N - 1], N - 1);
		mt_set_unref(r);
		assert_int_equal(mt_nav_referrers(g, all, &r, &err), MT_OK);
		assert_int_equal(mt_set_count(r), N - 1);
		assert_false(mt_set_is_all(r));
		assert_false(mt_set_contains(r, map[n]));
		mt_set_unref(r);
		mt_set_unref(all);
		mt_graph_free(g);
		free(e);
	}
}

struct calls {
	int n, at; /* calls so far; cancel on call `at` (0: never) */
	uint64_t last, total;
	int backwards;
};

static int count_calls(void *data, uint64_t done, uint64_t total)
{
	struct calls *c = data;
	assert_true(done <= total);
	c->backwards |= done < c->last;
	c->last = done;
	c->total = total;
	return ++c->n == c->at;
}

/* The progress versions: the same sets; reports every 2^16 steps, the
 * count never going back and never above the total; cancelled at any
 * call: MT_CANCELLED and no set.  A chain of 200000 objects, each also
 * held by object 0 (a bitmap regime) and a small set (the sort). */
static void test_progress(void **state)
{
	enum { N = 200000 };
	tg_edge *e = calloc(2 * N, sizeof *e);
	size_t ne = 0;
	for (uint32_t i = 0; i + 1 < N; i++) {
		e[ne++] = (tg_edge){i, i + 1, 0, 0};
		e[ne++] = (tg_edge){0, i + 1, 0, 1};
	}
	uint32_t roots[] = {0};
	tg_graph tg = {.n = N, .edges = e, .nedges = ne, .roots = roots,
		      .nroots = 1};
	uint32_t *map = malloc((N + 1) * sizeof *map);
	tg_write(path, &tg, map);
	mt_graph *g = load();
	mt_err err;
	uint32_t n = mt_graph_count(g);
	uint32_t *ids = malloc(n * sizeof *ids);
	for (uint32_t i = 0; i < n; i++)
		ids[i] = i;
	mt_set *all = tg_set(ids, n);
	for (int in = 0; in < 2; in++) {
		mt_set *want, *got;
		assert_int_equal(in ? mt_nav_referrers(g, all, &want, &err)
				    : mt_nav_referents(g, all, &want, &err),
				 MT_OK);
		struct calls c = {0};
		assert_int_equal(
		    in ? mt_nav_referrers_progress(g, all, count_calls, &c,
						   &got, &err)
		       : mt_nav_referents_progress(g, all, count_calls, &c,
						   &got, &err),
		    MT_OK);
		assert_true(c.n >= 4 && !c.backwards);
		assert_int_equal(mt_set_count(got), mt_set_count(want));
		assert_memory_equal(mt_set_ids(got), mt_set_ids(want),
				    mt_set_count(want) * sizeof(uint32_t));
		mt_set_unref(got);
		mt_set_unref(want);
		for (int at = 1, calls = c.n; at <= calls; at++) {
			c = (struct calls){0, at, 0, 0, 0};
			got = (mt_set *)&c;
			assert_int_equal(
			    in ? mt_nav_referrers_progress(g, all, count_calls,
							   &c, &got, &err)
			       : mt_nav_referents_progress(g, all, count_calls,
							   &c, &got, &err),
			    MT_CANCELLED);
			assert_null(got);
		}
	}
	mt_set_unref(all);
	free(ids);
	free(map);
	free(e);
	mt_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_every),
		cmocka_unit_test(test_progress),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
