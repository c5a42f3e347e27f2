/* cmocka tests of concrete sets: construction (unsorted input, duplicates),
 * every operator and comparison checked against a bitmap oracle on random
 * sets, complement relative to a real graph, sizes, reference counting. */
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
#include "memtrack/set.h"

static mt_set *mk(const uint32_t *ids, size_t n)
{
	mt_set *s;
	mt_err err;
	assert_int_equal(mt_set_from_ids(&s, ids, n, &err), MT_OK);
	return s;
}

static void test_from_ids_sorts_and_dedups(void **state)
{
	uint32_t ids[] = {9, 3, 3, 7, 0, 9};
	mt_set *s = mk(ids, 6);
	assert_int_equal(mt_set_count(s), 4);
	const uint32_t *v = mt_set_ids(s);
	assert_int_equal(v[0], 0);
	assert_int_equal(v[1], 3);
	assert_int_equal(v[2], 7);
	assert_int_equal(v[3], 9);
	assert_true(mt_set_contains(s, 7));
	assert_false(mt_set_contains(s, 8));
	assert_false(mt_set_contains(s, 10));
	mt_set_ref(s);
	mt_set_unref(s);
	assert_int_equal(mt_set_count(s), 4); /* still alive */
	mt_set_unref(s);
}

static void test_ops_against_bitmaps(void **state)
{
	unsigned seed = 7;
	for (int it = 0; it < 2000; it++) {
		uint8_t in_a[64] = {0}, in_b[64] = {0};
		uint32_t a[64], b[64];
		size_t na = 0, nb = 0;
		for (uint32_t x = 0; x < 64; x++) {
			if (rand_r(&seed) % 3 == 0)
				in_a[x] = 1, a[na++] = x;
			if (rand_r(&seed) % 3 == 0)
				in_b[x] = 1, b[nb++] = x;
		}
		mt_set *sa = mk(a, na), *sb = mk(b, nb);
		static const mt_setop ops[] = {MT_SETOP_AND, MT_SETOP_OR,
					       MT_SETOP_XOR, MT_SETOP_SUB};
		for (int o = 0; o < 4; o++) {
			mt_set *r;
			mt_err err;
			assert_int_equal(mt_set_op(&r, ops[o], sa, sb, &err),
					 MT_OK);
			size_t want = 0;
			for (uint32_t x = 0; x < 64; x++) {
				int in = o == 0   ? in_a[x] && in_b[x]
					 : o == 1 ? in_a[x] || in_b[x]
					 : o == 2 ? in_a[x] != in_b[x]
						  : in_a[x] && !in_b[x];
				assert_int_equal(mt_set_contains(r, x), in);
				want += in;
			}
			assert_int_equal(mt_set_count(r), want);
			mt_set_unref(r);
		}
		int sub = 1, eq = 1;
		for (uint32_t x = 0; x < 64; x++) {
			sub &= !in_a[x] || in_b[x];
			eq &= in_a[x] == in_b[x];
		}
		assert_int_equal(mt_set_subset(sa, sb), sub);
		assert_int_equal(mt_set_equal(sa, sb), eq);
		assert_true(mt_set_subset(sa, sa));
		mt_set_unref(sa);
		mt_set_unref(sb);
	}
}

/* A chain of four nodes of sizes 10, 20, 30, 40 from one root; map[i]:
 * node i's id. */
static mt_graph *chain4(uint32_t map[5])
{
	char path[64];
	snprintf(path, sizeof path, "/tmp/mt_test_set.%ld.mp", (long)getpid());
	uint64_t sizes[] = {10, 20, 30, 40};
	tg_edge e[] = {{0, 1, 0, 0}, {1, 2, 0, 0}, {2, 3, 0, 0}};
	uint32_t roots[] = {0};
	tg_graph tg = {.n = 4, .sizes = sizes, .edges = e, .nedges = 3,
		       .roots = roots, .nroots = 1};
	tg_write(path, &tg, map);
	mt_graph *g;
	mt_err err;
	assert_int_equal(mt_graph_load(&g, path, NULL, NULL, &err), MT_OK);
	unlink(path);
	return g;
}

static void test_complement_and_size(void **state)
{
	uint32_t map[5];
	mt_graph *g = chain4(map);
	mt_err err;
	mt_set *all, *one, *rest, *back, *none;
	assert_int_equal(mt_set_all(&all, g, &err), MT_OK);
	assert_int_equal(mt_set_count(all), 5); /* 4 nodes + their type */
	assert_true(mt_set_size(all, g) == 100 + 16);
	uint32_t pick[] = {map[1], map[3]};
	one = mk(pick, 2);
	assert_true(mt_set_size(one, g) == 60);
	assert_int_equal(mt_set_complement(&rest, one, g, &err), MT_OK);
	assert_int_equal(mt_set_count(rest), 3);
	assert_false(mt_set_contains(rest, map[1]));
	assert_int_equal(mt_set_complement(&back, rest, g, &err), MT_OK);
	assert_true(mt_set_equal(back, one));
	assert_int_equal(mt_set_empty(&none, &err), MT_OK);
	assert_true(mt_set_subset(none, one));
	assert_false(mt_set_subset(one, none));
	mt_set_unref(all);
	mt_set_unref(one);
	mt_set_unref(rest);
	mt_set_unref(back);
	mt_set_unref(none);
	mt_graph_free(g);
}

/* The set of every object writes its ids only when read: every function
 * gives the right answer on a fresh one, whose ids nobody has read. */
static void test_all_unread(void **state)
{
	uint32_t map[5];
	mt_graph *g = chain4(map);
	mt_err err;
	uint32_t n = mt_graph_count(g), pick[] = {map[1], map[3]};
	mt_set *one = mk(pick, 2), *all, *r, *every;
	uint32_t *ids = malloc(n * sizeof *ids);
	for (uint32_t i = 0; i < n; i++)
		ids[i] = i;
	every = mk(ids, n); /* the same set, made from its ids */
#define FRESH() assert_int_equal(mt_set_all(&all, g, &err), MT_OK)
	for (int step = 0; step < 9; step++) {
		FRESH();
		switch (step) {
		case 0:
			assert_memory_equal(mt_set_ids(all), ids,
					    n * sizeof *ids);
			break;
		case 1:
			for (uint32_t i = 0; i < n; i++)
				assert_true(mt_set_contains(all, i));
			assert_false(mt_set_contains(all, n));
			break;
		case 2:
			assert_true(mt_set_size(all, g) == 100 + 16);
			break;
		case 3:
			assert_int_equal(mt_set_op(&r, MT_SETOP_AND, all, one,
						   &err),
					 MT_OK);
			assert_true(mt_set_equal(r, one));
			mt_set_unref(r);
			break;
		case 4:
			assert_int_equal(mt_set_op(&r, MT_SETOP_SUB, one, all,
						   &err),
					 MT_OK);
			assert_int_equal(mt_set_count(r), 0);
			mt_set_unref(r);
			break;
		case 5:
			assert_int_equal(mt_set_complement(&r, all, g, &err),
					 MT_OK);
			assert_int_equal(mt_set_count(r), 0);
			mt_set_unref(r);
			break;
		case 6:
			assert_true(mt_set_equal(all, every));
			assert_true(mt_set_equal(every, all));
			break;
		case 7:
			assert_true(mt_set_subset(one, all));
			assert_false(mt_set_subset(all, one));
			break;
		default: /* a reference outlives the first */
			assert_ptr_equal(mt_set_ref(all), all);
			mt_set_unref(all);
			assert_int_equal(mt_set_count(all), n);
			assert_memory_equal(mt_set_ids(all), ids,
					    n * sizeof *ids);
		}
		mt_set_unref(all);
	}
#undef FRESH
	free(ids);
	mt_set_unref(one);
	mt_set_unref(every);
	mt_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_ids_sorts_and_dedups),
		cmocka_unit_test(test_ops_against_bitmaps),
		cmocka_unit_test(test_complement_and_size),
		cmocka_unit_test(test_all_unread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
