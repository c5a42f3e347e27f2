/* cmocka tests of the mark's set (src/capture/mark.c, no Python): every
 * (address, type) added is found, no other pair is (same address with
 * another type, another address, a type the mark has not), on a random set
 * big enough for many buckets; types past the last index share it; static
 * storage of the loaded objects. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../../src/capture/mark.h"

static uint64_t rnd_state = 88172645463325252ULL;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static int static_probe; /* in this program's .bss */

static void test_membership(void **state)
{
	(void)state;
	enum { N = 200000, T = 37 };
	mt_mark_builder b = {0};
	uintptr_t types[T];
	for (int i = 0; i < T; i++) {
		types[i] = 0x555500001000 + 0x400 * (uintptr_t)i;
		assert_int_equal(mt_markb_type(&b, types[i]), i);
	}
	uintptr_t *addr = malloc(N * sizeof *addr);
	uint32_t *ty = malloc(N * sizeof *ty);
	assert_non_null(addr);
	assert_non_null(ty);
	mt_markb_reserve(&b, N / 2); /* a hint: it grows past it */
	for (int i = 0; i < N; i++) {
		/* distinct 16-byte aligned addresses below 2^47 */
		addr[i] = 0x7f0000000000 + 16 * (uintptr_t)i * 7;
		ty[i] = (uint32_t)(rnd() % T);
		assert_int_equal(mt_markb_add(&b, addr[i], ty[i]), 0);
	}
	mt_mark *m = mt_mark_build(&b, 1795314100.25);
	assert_non_null(m);
	assert_null(b.addr); /* the builder was freed */
	assert_int_equal(mt_mark_count(m), N);
	assert_true(mt_mark_time(m) == 1795314100.25);
	/* about 9 bytes an object (mark.h) */
	assert_true(mt_mark_bytes(m) < 10 * (size_t)N);
	assert_true(mt_mark_bytes(m) > 8 * (size_t)N);
	for (int i = 0; i < T; i++)
		assert_int_equal(mt_mark_type(m, types[i]), i);
	assert_int_equal(mt_mark_type(m, 0x1234), MT_MARK_NOTYPE);
	for (int i = 0; i < N; i++) {
		uint32_t t = mt_mark_type(m, types[ty[i]]);
		assert_true(mt_mark_has(m, addr[i], t));
		/* the same address with another type */
		assert_false(mt_mark_has(m, addr[i], (t + 1) % T));
		/* an address between two marked ones */
		assert_false(mt_mark_has(m, addr[i] + 8, t));
		assert_false(mt_mark_has(m, addr[i], MT_MARK_NOTYPE));
	}
	/* above every marked address, and far above */
	assert_false(mt_mark_has(m, addr[N - 1] + 112, 0));
	assert_false(mt_mark_has(m, (uintptr_t)1 << 62, 0));
	/* static storage: this program's .bss, not the heap */
	assert_true(mt_mark_static(m, (uintptr_t)&static_probe));
	assert_false(mt_mark_static(m, (uintptr_t)addr));
	assert_false(mt_mark_static(m, 16));
	mt_mark_free(m);
	free(addr);
	free(ty);
}

/* With addresses needing 60 bits, 4 bits are left for the type index:
 * types 15 and above share index 15; the others stay exact. */
static void test_type_overflow(void **state)
{
	(void)state;
	mt_mark_builder b = {0};
	for (uint32_t i = 0; i < 20; i++)
		assert_int_equal(mt_markb_type(&b, 0x1000 + 16 * i), i);
	uintptr_t hi = (uintptr_t)1 << 62;
	assert_int_equal(mt_markb_add(&b, hi, 3), 0);
	assert_int_equal(mt_markb_add(&b, hi + 64, 17), 0);
	assert_int_equal(mt_markb_add(&b, 0x2000, 15), 0);
	mt_mark *m = mt_mark_build(&b, 1);
	assert_non_null(m);
	assert_int_equal(mt_mark_type(m, 0x1000 + 16 * 3), 3);
	assert_int_equal(mt_mark_type(m, 0x1000 + 16 * 17), 15);
	assert_int_equal(mt_mark_type(m, 0x1000 + 16 * 19), 15);
	assert_true(mt_mark_has(m, hi, 3));
	assert_false(mt_mark_has(m, hi, 4));
	assert_true(mt_mark_has(m, hi + 64, mt_mark_type(m, 0x1000 + 16 * 17)));
	/* a type past the table at the same address: indistinguishable */
	assert_true(mt_mark_has(m, hi + 64, mt_mark_type(m, 0x1000 + 16 * 19)));
	assert_true(mt_mark_has(m, 0x2000, 15));
	mt_mark_free(m);
}

/* An empty mark finds nothing. */
static void test_empty(void **state)
{
	(void)state;
	mt_mark_builder b = {0};
	mt_mark *m = mt_mark_build(&b, 2);
	assert_non_null(m);
	assert_int_equal(mt_mark_count(m), 0);
	assert_false(mt_mark_has(m, 0x7f0000001000, 0));
	assert_int_equal(mt_mark_type(m, 0x1000), MT_MARK_NOTYPE);
	mt_mark_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_membership),
	    cmocka_unit_test(test_type_overflow),
	    cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
