/* cmocka tests of the walker's identity table (src/capture/objtable.h):
 * ids in order and stable, keys read back across chunks, tags of one
 * address as distinct keys, a full 64 KiB region (every 16-byte address
 * with every tag: the region's table grows many times), keys spread over
 * many regions from a tiny pre-size (the directory grows), appended keys
 * invisible to find and intern, absent neighbours not found, the byte
 * count growing with the table, and the arena's memory of region tables
 * left by growths reused (cleared) by new regions without new pieces, and
 * the few tables left in pieces of grown ones moved out so that those
 * pieces serve again. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../../src/capture/objtable.h"

/* A deterministic spread of addresses: a 64-bit LCG, 16-byte aligned,
 * below 2^47 (user space). */
static uintptr_t spread(uint64_t *s)
{
	*s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return (uintptr_t)((*s >> 17) & ((UINT64_C(1) << 47) - 16));
}

static void test_order_and_readback(void **state)
{
	(void)state;
	mt_objtable t;
	assert_int_equal(mt_objtable_init(&t, 10), 0);
	uint32_t id;
	/* three chunks' worth (256 Ki keys each), in one region's
	 * neighbourhood and far away alternately */
	const uint32_t n = 3 * (uint32_t)MT_OBJTABLE_CHUNK + 17;
	for (uint32_t i = 0; i < n; i++) {
		uintptr_t key = (i & 1) ? (uintptr_t)0x7f0000000000u + 16u * i
					: (uintptr_t)0x550000000000u + 48u * i;
		assert_int_equal(mt_objtable_intern(&t, key, &id), 1);
		assert_int_equal(id, i);
	}
	assert_int_equal(t.count, n);
	for (uint32_t i = 0; i < n; i += 997) {
		uintptr_t key = (i & 1) ? (uintptr_t)0x7f0000000000u + 16u * i
					: (uintptr_t)0x550000000000u + 48u * i;
		assert_int_equal(mt_objtable_key(&t, i), key);
		assert_int_equal(mt_objtable_intern(&t, key, &id), 0);
		assert_int_equal(id, i);
		assert_int_equal(mt_objtable_find(&t, key, &id), 1);
		assert_int_equal(id, i);
	}
	assert_int_equal(t.count, n);
	mt_objtable_destroy(&t);
}

static void test_full_region_with_tags(void **state)
{
	(void)state;
	mt_objtable t;
	assert_int_equal(mt_objtable_init(&t, 0), 0);
	const uintptr_t base = (uintptr_t)0x7f1234560000u; /* region start */
	uint32_t id, next = 0;
	/* tags 0 and 2 are hashed (bit 0 clear); offset 0 included */
	for (uintptr_t tag = 0; tag < 4; tag += 2)
		for (uintptr_t off = 0; off < 65536; off += 16) {
			assert_int_equal(
			    mt_objtable_intern(&t, base + off + tag, &id), 1);
			assert_int_equal(id, next++);
		}
	for (uintptr_t tag = 0; tag < 4; tag += 2)
		for (uintptr_t off = 0; off < 65536; off += 16) {
			assert_int_equal(
			    mt_objtable_find(&t, base + off + tag, &id), 1);
			assert_int_equal(mt_objtable_key(&t, id),
					 base + off + tag);
		}
	/* the same low bits in the neighbouring regions are other keys */
	assert_int_equal(mt_objtable_find(&t, base + 65536, &id), 0);
	assert_int_equal(mt_objtable_find(&t, base - 65536 + 16, &id), 0);
	assert_int_equal(mt_objtable_find(&t, base + 8, &id), 0);
	mt_objtable_destroy(&t);
}

static void test_spread_and_absent(void **state)
{
	(void)state;
	mt_objtable t;
	/* pre-sized far too small: the directory grows many times */
	assert_int_equal(mt_objtable_init(&t, 1), 0);
	const uint32_t n = 400000;
	uint64_t s = 42;
	uint32_t id, added = 0;
	for (uint32_t i = 0; i < n; i++) {
		uintptr_t key = spread(&s);
		int r = mt_objtable_intern(&t, key, &id);
		assert_true(r == 0 || r == 1);
		if (r == 1)
			assert_int_equal(id, added++);
		assert_int_equal(mt_objtable_key(&t, id), key);
	}
	assert_int_equal(t.count, added);
	assert_true(t.ndir * 2 <= t.dir_cap);
	s = 42;
	for (uint32_t i = 0; i < n; i++) {
		uintptr_t key = spread(&s);
		assert_int_equal(mt_objtable_find(&t, key, &id), 1);
		assert_int_equal(mt_objtable_key(&t, id), key);
		/* +8: never a key of this table (16-byte aligned) */
		assert_int_equal(mt_objtable_find(&t, key + 8, &id), 0);
	}
	mt_objtable_destroy(&t);
}

/* Key i of region r (16-byte spacing from the region's start). */
static uintptr_t rkey(uint32_t r, uint32_t i)
{
	return (uintptr_t)0x560000000000u + ((uintptr_t)r << 16) + 16u * i;
}

static void test_tables_reused(void **state)
{
	(void)state;
	mt_objtable t;
	assert_int_equal(mt_objtable_init(&t, 0), 0);
	uint32_t id, next = 0;
	/* 300 regions to 1000 keys, in turns: each table grows once, giving
	 * back 300 tables of 1024 slots with stale ids in them (their piece
	 * of the arena is then empty) */
	for (uint32_t i = 0; i < 1000; i++)
		for (uint32_t r = 0; r < 300; r++) {
			assert_int_equal(mt_objtable_intern(&t, rkey(r, i), &id),
					 1);
			assert_int_equal(id, next++);
		}
	size_t pieces = t.narena;
	/* 300 new regions take that piece again: no new arena piece, and
	 * the stale ids must be gone (else the probes below find them) */
	for (uint32_t r = 300; r < 600; r++)
		assert_int_equal(mt_objtable_intern(&t, rkey(r, 0), &id), 1);
	assert_int_equal(t.narena, pieces);
	assert_int_equal(mt_objtable_find(&t, rkey(300, 1), &id), 0);
	for (uint32_t i = 1; i < 2000; i++)
		for (uint32_t r = 300; r < 600; r++)
			assert_int_equal(mt_objtable_intern(&t, rkey(r, i), &id),
					 1);
	/* every key of both halves is found with its own id; the odd
	 * addresses between them are not */
	for (uint32_t r = 0; r < 600; r++)
		for (uint32_t i = 0; i < (r < 300 ? 1000u : 2000u); i++) {
			assert_int_equal(mt_objtable_find(&t, rkey(r, i), &id),
					 1);
			assert_int_equal(mt_objtable_key(&t, id), rkey(r, i));
			assert_int_equal(
			    mt_objtable_find(&t, rkey(r, i) + 8, &id), 0);
		}
	for (uint32_t r = 0; r < 300; r++)
		assert_int_equal(mt_objtable_find(&t, rkey(r, 1000), &id), 0);
	mt_objtable_destroy(&t);
}

static void test_sparse_pieces_moved(void **state)
{
	(void)state;
	mt_objtable t;
	assert_int_equal(mt_objtable_init(&t, 0), 0);
	uint32_t id;
	/* 1000 regions with one key: three pieces of 1024-slot tables */
	for (uint32_t r = 0; r < 1000; r++)
		assert_int_equal(mt_objtable_intern(&t, rkey(r, 0), &id), 1);
	/* all but every 20th grow past 768 keys: the first pieces' few
	 * tables left are moved out, and the pieces serve the bigger tables
	 * (950 of 9280 bytes: five pieces), so no more than that plus the
	 * two current pieces of 1024-slot tables are mapped; kept in place,
	 * eight would be */
	for (uint32_t i = 1; i < 800; i++)
		for (uint32_t r = 0; r < 1000; r++)
			if (r % 20)
				assert_int_equal(
				    mt_objtable_intern(&t, rkey(r, i), &id), 1);
	assert_true(t.narena <= 7);
	for (uint32_t r = 0; r < 1000; r++)
		for (uint32_t i = 0; i < (r % 20 ? 800u : 1u); i++) {
			assert_int_equal(mt_objtable_find(&t, rkey(r, i), &id),
					 1);
			assert_int_equal(mt_objtable_key(&t, id), rkey(r, i));
			assert_int_equal(
			    mt_objtable_find(&t, rkey(r, i) + 8, &id), 0);
		}
	/* the moved tables still take keys */
	for (uint32_t r = 0; r < 1000; r += 20)
		assert_int_equal(mt_objtable_intern(&t, rkey(r, 1), &id), 1);
	assert_int_equal(mt_objtable_find(&t, rkey(40, 1), &id), 1);
	mt_objtable_destroy(&t);
}

static void test_append_and_bytes(void **state)
{
	(void)state;
	mt_objtable t;
	assert_int_equal(mt_objtable_init(&t, 100), 0);
	size_t b0 = mt_objtable_bytes(&t);
	uint32_t id;
	const uintptr_t a = (uintptr_t)0x7f0000001230u;
	assert_int_equal(mt_objtable_intern(&t, a, &id), 1);
	assert_int_equal(id, 0);
	/* the appended key (tag bit 0) of the same address */
	assert_int_equal(mt_objtable_append(&t, a | 1u, &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(mt_objtable_find(&t, a | 1u, &id), 0);
	assert_int_equal(mt_objtable_find(&t, a, &id), 1);
	assert_int_equal(id, 0);
	assert_int_equal(mt_objtable_intern(&t, a + 16, &id), 1);
	assert_int_equal(id, 2);
	assert_int_equal(mt_objtable_key(&t, 1), a | 1u);
	assert_int_equal(t.hashed, 2);
	assert_true(mt_objtable_bytes(&t) > b0);
	mt_objtable_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_and_readback),
	    cmocka_unit_test(test_full_region_with_tags),
	    cmocka_unit_test(test_spread_and_absent),
	    cmocka_unit_test(test_append_and_bytes),
	    cmocka_unit_test(test_tables_reused),
	    cmocka_unit_test(test_sparse_pieces_moved),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
