/* Tests of util.h: the uint32_t comparator, UTF-8 decoding (well-formed,
 * malformed, overlong, surrogate, truncated), encoding round trips,
 * character counts, display widths, the out-of-memory helpers and the
 * size and count formatters. */
#include "config.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>
#include <sys/mman.h>

#include "memtrack/util.h"

static void test_cmp_u32(void **state)
{
	uint32_t v[] = {7, 0, UINT32_MAX, 3, 0x80000000u, 3, 1};
	uint32_t want[] = {0, 1, 3, 3, 7, 0x80000000u, UINT32_MAX};
	uint32_t a = 1, b = 2, big = UINT32_MAX, key = 7;
	(void)state;
	/* no overflow of a subtraction: the extremes compare right */
	assert_true(mt_cmp_u32(&a, &b) < 0);
	assert_true(mt_cmp_u32(&b, &a) > 0);
	assert_int_equal(mt_cmp_u32(&a, &a), 0);
	assert_true(mt_cmp_u32(&big, &a) > 0);
	assert_true(mt_cmp_u32(&a, &big) < 0);
	qsort(v, 7, sizeof *v, mt_cmp_u32);
	assert_memory_equal(v, want, sizeof want);
	assert_ptr_equal(bsearch(&key, v, 7, sizeof *v, mt_cmp_u32), &v[4]);
	key = 2;
	assert_null(bsearch(&key, v, 7, sizeof *v, mt_cmp_u32));
}

/* Decodes s (len bytes, avail given) expecting n bytes and cp. */
static void dec(const char *s, size_t avail, size_t n, uint32_t cp)
{
	uint32_t got = 0xdeadbeef;
	size_t k = mt_utf8_decode(s, avail, &got);
	assert_int_equal(k, n);
	assert_int_equal(got, n ? cp : 0xdeadbeef); /* untouched on 0 */
}

static void test_decode_valid(void **state)
{
	(void)state;
	dec("A", 1, 1, 'A');
	dec("", 1, 1, 0); /* NUL is a character of its own */
	dec("\x7f", 1, 1, 0x7f);
	dec("\xc2\x80", 2, 2, 0x80);
	dec("\xc3\xa9xyz", 5, 2, 0xe9);
	dec("\xdf\xbf", 2, 2, 0x7ff);
	dec("\xe0\xa0\x80", 3, 3, 0x800);
	dec("\xe2\x82\xac", 3, 3, 0x20ac);
	dec("\xed\x9f\xbf", 3, 3, 0xd7ff); /* last before surrogates */
	dec("\xee\x80\x80", 3, 3, 0xe000); /* first after them */
	dec("\xef\xbf\xbd", 3, 3, 0xfffd);
	dec("\xf0\x90\x80\x80", 4, 4, 0x10000);
	dec("\xf0\x9f\x98\x80", 4, 4, 0x1f600);
	dec("\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff);
	/* avail larger than needed: only the sequence is read */
	dec("\xe2\x82\xac", 100, 3, 0x20ac);
}

static void test_decode_malformed(void **state)
{
	(void)state;
	dec("A", 0, 0, 0);    /* nothing available */
	dec("\x80", 1, 0, 0); /* stray continuation */
	dec("\xbf", 1, 0, 0);
	dec("\xf8\x88\x80\x80\x80", 5, 0, 0); /* 5-byte lead */
	dec("\xfc\x84\x80\x80\x80\x80", 6, 0, 0);
	dec("\xfe", 1, 0, 0);
	dec("\xff", 1, 0, 0);
	dec("\xc3"
	    "A",
	    2, 0, 0); /* lead then ASCII */
	dec("\xe2\x82"
	    "A",
	    3, 0, 0);
	dec("\xf0\x9f\x98"
	    "A",
	    4, 0, 0);
	dec("\xe2\xc3\xa9", 3, 0, 0); /* lead then another lead */
}

static void test_decode_overlong(void **state)
{
	(void)state;
	dec("\xc0\x80", 2, 0, 0); /* NUL in two bytes */
	dec("\xc0\xaf", 2, 0, 0); /* '/' */
	dec("\xc1\xbf", 2, 0, 0); /* 0x7f */
	dec("\xe0\x80\xaf", 3, 0, 0);
	dec("\xe0\x9f\xbf", 3, 0, 0); /* 0x7ff in three bytes */
	dec("\xf0\x80\x80\xaf", 4, 0, 0);
	dec("\xf0\x8f\xbf\xbf", 4, 0, 0); /* 0xffff in four bytes */
}

static void test_decode_surrogate_and_range(void **state)
{
	(void)state;
	dec("\xed\xa0\x80", 3, 0, 0);	  /* U+D800 */
	dec("\xed\xad\xbf", 3, 0, 0);	  /* U+DB7F */
	dec("\xed\xb0\x80", 3, 0, 0);	  /* U+DC00 */
	dec("\xed\xbf\xbf", 3, 0, 0);	  /* U+DFFF */
	dec("\xf4\x90\x80\x80", 4, 0, 0); /* U+110000 */
	dec("\xf7\xbf\xbf\xbf", 4, 0, 0); /* 0x1fffff */
}

static void test_decode_truncated(void **state)
{
	(void)state;
	/* cut by avail: the bytes beyond are never read as part of it */
	dec("\xc3\xa9", 1, 0, 0);
	dec("\xe2\x82\xac", 1, 0, 0);
	dec("\xe2\x82\xac", 2, 0, 0);
	dec("\xf0\x9f\x98\x80", 3, 0, 0);
	/* cut by the NUL of a NUL-terminated string with a large avail */
	dec("\xe2\x82", SIZE_MAX, 0, 0);
	dec("\xf0\x9f", SIZE_MAX, 0, 0);
	dec("\xc3", SIZE_MAX, 0, 0);
}

static void test_encode_round_trip(void **state)
{
	static const uint32_t edges[] = {
	    0,	    1,	    0x7f,   0x80,    0x7ff,   0x800,	0xd7ff,
	    0xe000, 0xfffd, 0xffff, 0x10000, 0x1f600, 0x10fffe, 0x10ffff,
	};
	static const size_t lens[] = {1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4};
	char b[MT_UTF8_MAX];
	uint32_t cp;
	(void)state;
	for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) {
		size_t n = mt_utf8_encode(edges[i], b);
		assert_int_equal(n, lens[i]);
		assert_int_equal(mt_utf8_decode(b, n, &cp), n);
		assert_int_equal(cp, edges[i]);
	}
	/* every code point but the surrogates, and each is well-formed */
	for (cp = 0; cp <= 0x10ffff; cp++) {
		uint32_t back = 0;
		size_t n = mt_utf8_encode(cp, b);
		if (cp >= 0xd800 && cp <= 0xdfff) {
			assert_int_equal(n, 3);
			assert_int_equal(mt_utf8_decode(b, n, &back), 0);
			continue;
		}
		assert_int_equal(mt_utf8_decode(b, n, &back), n);
		assert_int_equal(back, cp);
	}
	/* known bytes */
	assert_int_equal(mt_utf8_encode(0xe9, b), 2);
	assert_memory_equal(b, "\xc3\xa9", 2);
	assert_int_equal(mt_utf8_encode(0x20ac, b), 3);
	assert_memory_equal(b, "\xe2\x82\xac", 3);
	assert_int_equal(mt_utf8_encode(0x1f600, b), 4);
	assert_memory_equal(b, "\xf0\x9f\x98\x80", 4);
	/* a surrogate is encoded as is (a query's "\ud800" keeps it) */
	assert_int_equal(mt_utf8_encode(0xd800, b), 3);
	assert_memory_equal(b, "\xed\xa0\x80", 3);
	/* beyond Unicode: U+FFFD, never bytes that decode to something else */
	assert_int_equal(mt_utf8_encode(0x110000, b), 3);
	assert_memory_equal(b, "\xef\xbf\xbd", 3);
	assert_int_equal(mt_utf8_encode(UINT32_MAX, b), 3);
	assert_memory_equal(b, "\xef\xbf\xbd", 3);
}

static void test_chars_and_offset(void **state)
{
	const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"; /* 5 chars */
	size_t n = strlen(s);
	(void)state;
	assert_int_equal(mt_utf8_chars(s, n), 5);
	assert_int_equal(mt_utf8_chars(s, 0), 0);
	assert_int_equal(mt_utf8_chars(s, 2), 2); /* a, lead of e-acute */
	assert_int_equal(mt_utf8_offset(s, n, 0), 0);
	assert_int_equal(mt_utf8_offset(s, n, 1), 1);
	assert_int_equal(mt_utf8_offset(s, n, 2), 3);
	assert_int_equal(mt_utf8_offset(s, n, 3), 6);
	assert_int_equal(mt_utf8_offset(s, n, 4), 10);
	assert_int_equal(mt_utf8_offset(s, n, 5), n);
	assert_int_equal(mt_utf8_offset(s, n, 99), n);
	/* stray continuation bytes belong to the character before them */
	assert_int_equal(mt_utf8_chars("\x80\x80x", 3), 1);
	assert_int_equal(mt_utf8_offset("x\x80\x80y", 4, 1), 3);
}

static void test_width(void **state)
{
	(void)state;
	assert_true(mt_cp_control(0));
	assert_true(mt_cp_control(0x1b));
	assert_true(mt_cp_control(0x7f));
	assert_true(mt_cp_control(0x80));
	assert_true(mt_cp_control(0x9b)); /* CSI */
	assert_true(mt_cp_control(0x9f));
	assert_false(mt_cp_control(' '));
	assert_false(mt_cp_control('~'));
	assert_false(mt_cp_control(0xa0));
	assert_int_equal(mt_cp_width('a'), 1);
	assert_int_equal(mt_cp_width(' '), 1);
	assert_int_equal(mt_cp_width('\t'), -1);
	assert_int_equal(mt_cp_width(0x1b), -1);
	assert_int_equal(mt_cp_width(0x9b), -1);
	assert_int_equal(mt_cp_width(0x110000), -1);
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		skip();
		return;
	}
	assert_int_equal(mt_cp_width(0xe9), 1);	   /* e-acute */
	assert_int_equal(mt_cp_width(0x301), 0);   /* combining acute */
	assert_int_equal(mt_cp_width(0x4e2d), 2);  /* CJK */
	assert_int_equal(mt_cp_width(0x1f600), 2); /* emoji */
	setlocale(LC_CTYPE, "C");
}

static void test_nomem(void **state)
{
	mt_err err;
	(void)state;
	mt_err_clear(&err);
	assert_int_equal(mt_nomem(&err), MT_NOMEM);
	assert_int_equal(err.code, MT_NOMEM);
	assert_true(err.offset == MT_NO_OFFSET);
	assert_true(err.record == MT_NO_OFFSET);
	assert_string_equal(err.detail, "");
	assert_int_equal(mt_nomem(NULL), MT_NOMEM);
}

static jmp_buf oom_jump;
static int oom_calls;

static void oom_catch(void)
{
	oom_calls++;
	longjmp(oom_jump, 1);
}

static void test_xalloc(void **state)
{
	char *s;
	unsigned char *z;
	int *v = NULL;
	(void)state;
	s = mt_xstrdup("abc");
	assert_string_equal(s, "abc");
	free(s);
	s = mt_xstrdup(NULL);
	assert_string_equal(s, "");
	free(s);
	z = mt_xcalloc(0, 0);
	assert_non_null(z);
	free(z);
	z = mt_xcalloc(16, 1);
	for (int i = 0; i < 16; i++)
		assert_int_equal(z[i], 0);
	free(z);
	for (int i = 1; i <= 1000; i++) {
		v = mt_xrealloc(v, (size_t)i, sizeof *v);
		v[i - 1] = i;
	}
	assert_int_equal(v[0] + v[999], 1001);
	free(v);
	/* a failure goes to the installed handler, never returns NULL */
	assert_true(mt_oom_set_handler(oom_catch) == abort);
	oom_calls = 0;
	if (!setjmp(oom_jump)) {
		(void)mt_xrealloc(NULL, SIZE_MAX / 2 + 2, 2); /* overflows */
		fail_msg("mt_xrealloc returned on overflow");
	}
	assert_int_equal(oom_calls, 1);
	/* (a real malloc failure is not provoked: ASan would stop first) */
	assert_true(mt_oom_set_handler(NULL) == oom_catch);
	assert_true(mt_oom_set_handler(NULL) == abort);
}

/* mt_fmt_size(bytes) must be want. */
static void size_is(uint64_t bytes, const char *want)
{
	char buf[MT_FMT_SIZE_MAX];
	assert_ptr_equal(mt_fmt_size(buf, sizeof buf, bytes), buf);
	assert_string_equal(buf, want);
}

static void test_fmt_size(void **state)
{
	char small[4];
	(void)state;
	size_is(0, "0 B");
	size_is(999, "999 B");
	size_is(1000, "1.00 kB"); /* decimal units: 1 kB = 1000 bytes */
	size_is(1024, "1.02 kB");
	size_is(1234, "1.23 kB");
	size_is(1235, "1.24 kB"); /* half up */
	size_is(9994, "9.99 kB");
	size_is(9995, "10.0 kB"); /* rounds into the next digit */
	size_is(30427, "30.4 kB");
	size_is(418161, "418 kB");
	size_is(999499, "999 kB");
	size_is(999500, "1.00 MB"); /* never "1000 kB" */
	size_is(16140000, "16.1 MB");
	size_is(418161098, "418 MB");
	size_is(1200000000, "1.20 GB");
	size_is(999999999999999999ull, "1.00 EB");
	size_is(UINT64_MAX, "18.4 EB"); /* the widest unit, no overflow */
	/* a short buffer is cut, still terminated */
	mt_fmt_size(small, sizeof small, 418161);
	assert_string_equal(small, "418");
}

static void test_fmt_count(void **state)
{
	char buf[MT_FMT_COUNT_MAX], small[4];
	(void)state;
	assert_string_equal(mt_fmt_count(buf, sizeof buf, 0), "0");
	assert_string_equal(mt_fmt_count(buf, sizeof buf, 999), "999");
	assert_string_equal(mt_fmt_count(buf, sizeof buf, 1000), "1,000");
	assert_string_equal(mt_fmt_count(buf, sizeof buf, 418161098),
			    "418,161,098");
	assert_string_equal(mt_fmt_count(buf, sizeof buf, UINT64_MAX),
			    "18,446,744,073,709,551,615");
	assert_string_equal(mt_fmt_count(small, sizeof small, 123456), "123");
}

/* ---- big arrays kept warm ---- */

#if defined(__SANITIZE_ADDRESS__)
#define BIG_PLAIN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BIG_PLAIN 1
#endif
#endif

#define MIB ((size_t)1 << 20)

static void fill(uint32_t *a, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		a[i] = (uint32_t)i * 2654435761u ^ seed;
}

static int same(const uint32_t *a, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != ((uint32_t)i * 2654435761u ^ seed))
			return 0;
	return 1;
}

static int zero(const unsigned char *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return 0;
	return 1;
}

/* Whether the mapping holding addr carries the "hg" flag (MADV_HUGEPAGE)
 * in /proc/self/smaps: 1 yes, 0 no, -1 not found. */
static int huge_flag(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0, found = -1;
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			found = strstr(line, " hg") != NULL;
			break;
		}
	}
	fclose(f);
	return found;
}

static void test_huge_advice(void **state)
{
	(void)state;
	size_t mib = 1u << 20, len = 16 * mib;
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	uint8_t *a = (uint8_t *)(((uintptr_t)m + 2 * mib - 1) &
				 ~(uintptr_t)(2 * mib - 1));
	memset(a, 0x77, 3 * mib);
	assert_int_equal(huge_flag(a), 0);
	/* below 4 MiB: nothing asked */
	mt_huge_advise(a, 4 * mib - 1);
	assert_int_equal(huge_flag(a), 0);
	/* 100 bytes in: the first whole 2 MiB page inside starts at a + 2 MiB */
	mt_huge_advise(a + 100, 8 * mib);
	/* a kernel without transparent huge pages refuses the advice */
	FILE *thp = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (!thp) {
		munmap(m, len);
		skip();
	}
	fclose(thp);
	assert_int_equal(huge_flag(a + 2 * mib), 1);
	assert_int_equal(huge_flag(a + 2 * mib + 6 * mib - 1), 1);
	assert_int_equal(huge_flag(a), 0);	       /* the partial page */
	assert_int_equal(huge_flag(a + 8 * mib), 0); /* past the end */
	/* the contents stay */
	for (size_t i = 0; i < 3 * mib; i += 4093)
		assert_int_equal(a[i], 0x77);
	mt_huge_advise(NULL, len); /* nothing */
	munmap(m, len);
}

/* What holds in both builds: the bytes asked for, zeroed by calloc, a
 * shrink keeps the start, overflow refused. */
static void test_big_contract(void **state)
{
	(void)state;
	mt_big_keep(64 * MIB);
	size_t n = 3 * MIB / 4 + 5; /* not whole pages */
	uint32_t *a = mt_big_alloc(n * 4);
	assert_non_null(a);
	assert_int_equal((uintptr_t)a % 16, 0);
	fill(a, n, 1);
	assert_true(same(a, n, 1));
	a = mt_big_shrink(a, n); /* a quarter */
	assert_true(same(a, n / 4, 1));
	mt_big_free(a);
	unsigned char *z = mt_big_calloc(n, 4);
	assert_non_null(z);
	assert_true(zero(z, n * 4));
	mt_big_free(z);
	assert_null(mt_big_calloc(SIZE_MAX / 2, 4));
	assert_null(mt_big_alloc(SIZE_MAX - 8));
	mt_big_free(NULL);
	mt_big_keep(0);
	assert_int_equal(mt_big_kept(), 0);
}

#ifndef BIG_PLAIN
/* A freed array's pages are kept and become the next array's: its old
 * bytes are still there (moved, not zeroed), and nothing is kept after. */
static void test_big_reuse(void **state)
{
	(void)state;
	size_t n = 2 * MIB; /* 8 MiB */
	mt_big_keep(0);
	uint32_t *a = mt_big_alloc(n * 4);
	fill(a, n, 7);
	mt_big_free(a);
	assert_int_equal(mt_big_kept(), 0); /* keep 0: given back */

	mt_big_keep(64 * MIB);
	a = mt_big_alloc(n * 4);
	fill(a, n, 7);
	mt_big_free(a);
	assert_true(mt_big_kept() >= n * 4);
	uint32_t *b = mt_big_alloc(n * 4);
	assert_int_equal(mt_big_kept(), 0);
	assert_true(same(b, n, 7)); /* the same pages */
	mt_big_free(b);

	/* calloc over kept pages: zero all the same */
	unsigned char *z = mt_big_calloc(n, 4);
	assert_int_equal(mt_big_kept(), 0);
	assert_true(zero(z, n * 4));
	mt_big_free(z);

	/* a longer array: the kept pages, then fresh ones */
	uint32_t *c = mt_big_alloc(2 * n * 4);
	assert_int_equal(mt_big_kept(), 0);
	fill(c, 2 * n, 9);
	mt_big_free(c);
	mt_big_keep(0);
	assert_int_equal(mt_big_kept(), 0);
}

/* Two arrays freed, then one made of both (two of the kernel's areas),
 * freed, and made again: its move is split where the areas meet. */
static void test_big_pieces(void **state)
{
	(void)state;
	size_t n = MIB; /* 4 MiB each */
	mt_big_keep(64 * MIB);
	uint32_t *a1 = mt_big_alloc(n * 4), *a2 = mt_big_alloc(n * 4);
	fill(a1, n, 1);
	fill(a2, n, 2);
	mt_big_free(a1);
	mt_big_free(a2);
	size_t k = mt_big_kept();
	assert_true(k >= 2 * n * 4);
	uint32_t *c = mt_big_alloc(k - 4096); /* both, one header page */
	assert_int_equal(mt_big_kept(), 0);
	size_t m = (k - 4096) / 4;
	fill(c, m, 3);
	mt_big_free(c);
	assert_int_equal(mt_big_kept(), k);
	uint32_t *d = mt_big_alloc(k - 4096);
	assert_int_equal(mt_big_kept(), 0);
	assert_true(same(d, m, 3));
	mt_big_free(d);
	mt_big_keep(0);

	/* an area split for sure: the middle of an array with other flags
	 * (the kernel may merge the moved pieces above into one area).
	 * Kernels before 6.17 refuse to move it in one call (EFAULT), and
	 * bigmem.c moves it in halves; later ones move it at once. */
	mt_big_keep(64 * MIB);
	uint32_t *e = mt_big_alloc(n * 4);
	fill(e, n, 4);
	assert_int_equal(madvise((char *)e + MIB, MIB, MADV_NOHUGEPAGE), 0);
	mt_big_free(e);
	uint32_t *f = mt_big_alloc(n * 4);
	assert_int_equal(mt_big_kept(), 0);
	assert_true(same(f, n, 4));
	mt_big_free(f);
	mt_big_keep(0);
}

/* The limit: what does not fit is given back; a shrink's tail is kept;
 * many small frees do not overflow the list. */
static void test_big_limit(void **state)
{
	(void)state;
	mt_big_keep(4 * MIB);
	uint32_t *a = mt_big_alloc(8 * MIB);
	fill(a, 2 * MIB, 5);
	mt_big_free(a);
	assert_int_equal(mt_big_kept(), 4 * MIB);

	mt_big_keep(64 * MIB);
	assert_int_equal(mt_big_kept(), 4 * MIB);
	mt_big_keep(MIB);
	assert_int_equal(mt_big_kept(), MIB); /* cut at once */
	mt_big_release(2 * MIB); /* less than is kept: nothing goes */
	assert_int_equal(mt_big_kept(), MIB);
	mt_big_release(MIB / 2); /* what is kept beyond the bytes given */
	assert_int_equal(mt_big_kept(), MIB / 2);
	mt_big_release(0);
	assert_int_equal(mt_big_kept(), 0);
	a = mt_big_alloc(MIB / 2); /* never touched: nothing to keep */
	mt_big_free(a);
	assert_true(mt_big_kept() <= 4096); /* (its header page) */
	mt_big_release(0);
	a = mt_big_alloc(MIB / 2); /* the limit stays */
	fill(a, MIB / 8, 5);
	mt_big_free(a);
	assert_true(mt_big_kept() >= MIB / 2);
	mt_big_release(0);
	a = mt_big_alloc(MIB / 2); /* touched at its start only */
	fill(a, MIB / 32, 5);
	mt_big_free(a);
	assert_true(mt_big_kept() >= MIB / 8 && mt_big_kept() < MIB / 2);
	mt_big_keep(0);
	assert_int_equal(mt_big_kept(), 0);

	mt_big_keep(64 * MIB);
	a = mt_big_alloc(8 * MIB);
	fill(a, 2 * MIB, 6);
	a = mt_big_shrink(a, MIB);
	assert_true(mt_big_kept() >= 7 * MIB - 4096);
	assert_true(same(a, MIB / 4, 6));
	mt_big_free(a);
	assert_true(mt_big_kept() >= 8 * MIB);
	mt_big_keep(0);

	mt_big_keep(64 * MIB);
	void *many[100];
	for (int i = 0; i < 100; i++)
		many[i] = mt_big_alloc(10000);
	for (int i = 0; i < 100; i++)
		mt_big_free(many[i]);
	assert_true(mt_big_kept() <= 64 * MIB);
	for (int i = 0; i < 100; i++) {
		many[i] = mt_big_calloc(10000, 1);
		assert_true(zero(many[i], 10000));
	}
	for (int i = 0; i < 100; i++)
		mt_big_free(many[i]);
	mt_big_keep(0);
	assert_int_equal(mt_big_kept(), 0);
}

/* mt_big_prepare(goal), waited for until `want` bytes are kept (4 s
 * at most), then stopped: exactly `want` kept. */
static void prepared(size_t goal, size_t want)
{
	mt_big_prepare(goal);
	for (int i = 0; i < 4000 && mt_big_kept() < want; i++)
		usleep(1000);
	mt_big_prepare_stop();
	assert_int_equal(mt_big_kept(), want);
}

/* The kB of transparent huge pages in the mappings that overlap
 * [addr, addr + len) (AnonHugePages in /proc/self/smaps; an array whose
 * pages were moved from several may be several mappings). */
static long huge_kb(const void *addr, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0;
	long kb, sum = 0;
	uintptr_t a = (uintptr_t)addr;
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = a < hi && a + len > lo;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			sum += kb;
	}
	fclose(f);
	return sum;
}

/* Arrays of 4 MiB and more start their mapping on a 2 MiB boundary, and
 * their kept pages move to another boundary: the huge pages of a freed
 * array are still huge pages in the next one (a move between boundaries
 * that differ would split them into small pages), also when the next
 * array is made of two freed ones, and when they were made ahead. */
static void test_big_huge(void **state)
{
	(void)state;
	FILE *thp = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char mode[128] = "";
	if (thp) {
		if (!fgets(mode, sizeof mode, thp))
			mode[0] = '\0';
		fclose(thp);
	}
	if (!strstr(mode, "[always]") && !strstr(mode, "[madvise]"))
		skip(); /* no huge pages to keep */
	size_t n = 6 * MIB; /* 24 MiB */
	mt_big_keep(64 * MIB);
	uint32_t *a = mt_big_alloc(n * 4);
	assert_int_equal(((uintptr_t)a - 4096) % (2 * MIB), 0);
	fill(a, n, 1);
	long first = huge_kb(a, n * 4);
	if (first < 8 * 1024) { /* the kernel had none to give */
		mt_big_free(a);
		mt_big_keep(0);
		skip();
	}
	mt_big_free(a);
	for (int round = 0; round < 3; round++) {
		/* a mapping between them: the next one lands elsewhere */
		void *gap = mmap(NULL, 4096 * (size_t)(round + 1),
				 PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint32_t *b = mt_big_alloc(n * 4);
		assert_int_equal(((uintptr_t)b - 4096) % (2 * MIB), 0);
		assert_true(same(b, n, 1)); /* the same pages, moved */
		assert_true(huge_kb(b, n * 4) >= first - 4 * 1024);
		mt_big_free(b);
		munmap(gap, 4096 * (size_t)(round + 1));
	}
	/* two freed arrays make one */
	uint32_t *c1 = mt_big_alloc(n * 4), *c2 = mt_big_alloc(n * 4);
	fill(c1, n, 2);
	fill(c2, n, 3);
	mt_big_free(c1);
	mt_big_free(c2);
	assert_true(mt_big_kept() >= 2 * n * 4);
	uint32_t *d = mt_big_alloc(2 * n * 4);
	assert_true(mt_big_kept() < 4 * MIB);
	assert_true(huge_kb(d, 2 * n * 4) >= 2 * first - 8 * 1024);
	mt_big_free(d);
	mt_big_keep(0);
	/* an array touched only at its start, freed last, is taken first:
	 * what is kept of it stays whole huge pages, so the one taken
	 * after it lands on its boundary and keeps its huge pages; a small
	 * array's range (off any boundary) goes back instead */
	mt_big_keep(64 * MIB);
	uint32_t *f1 = mt_big_alloc(n * 4), *f2 = mt_big_alloc(n * 4);
	unsigned char *small = mt_big_alloc(MIB);
	fill(f2, n, 4);
	/* small pages in f1's second 2 MiB: 1 MiB and more of them in
	 * memory, not a whole huge page */
	assert_int_equal(madvise((char *)f1 + 2 * MIB - 4096, 2 * MIB,
				 MADV_NOHUGEPAGE),
			 0);
	memset(f1, 5, 3 * MIB + 100 * 1024);
	memset(small, 6, MIB);
	mt_big_free(f2);
	mt_big_free(f1);
	mt_big_free(small);
	uint32_t *h = mt_big_alloc(2 * n * 4);
	unsigned char *hb = (unsigned char *)h;
	assert_true(hb[0] == 5 && hb[2 * MIB - 4097] == 5); /* f1's */
	assert_true(same(h + 2 * MIB / 4, n - 1024, 4));    /* f2's */
	assert_true(huge_kb(h, 2 * n * 4) >= first - 4 * 1024);
	mt_big_free(h);
	mt_big_keep(0);
	/* pages made ahead */
	mt_big_keep(32 * MIB);
	prepared(32 * MIB, 32 * MIB);
	uint32_t *e = mt_big_alloc(n * 4);
	assert_true(huge_kb(e, n * 4) >= first - 4 * 1024);
	mt_big_free(e);
	mt_big_keep(0);
}

/* Pages made ahead: kept up to the goal and the limit, then taken by an
 * array like any kept page (zero: fresh pages). */
static void test_big_prepare(void **state)
{
	(void)state;
	mt_big_keep(16 * MIB);
	prepared(8 * MIB, 8 * MIB);
	unsigned char *a = mt_big_calloc(6 * MIB, 1);
	assert_true(zero(a, 6 * MIB));
	assert_true(mt_big_kept() < 3 * MIB); /* 6 MiB and a page taken */
	mt_big_free(a);
	prepared(64 * MIB, 16 * MIB); /* beyond the limit: up to the limit */
	mt_big_prepare(MIB); /* kept already: no thread */
	mt_big_prepare_stop();
	assert_int_equal(mt_big_kept(), 16 * MIB);
	mt_big_keep(0);
	assert_int_equal(mt_big_kept(), 0);
	mt_big_prepare(8 * MIB); /* no limit: nothing */
	mt_big_prepare_stop();
	assert_int_equal(mt_big_kept(), 0);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cmp_u32),
	    cmocka_unit_test(test_decode_valid),
	    cmocka_unit_test(test_decode_malformed),
	    cmocka_unit_test(test_decode_overlong),
	    cmocka_unit_test(test_decode_surrogate_and_range),
	    cmocka_unit_test(test_decode_truncated),
	    cmocka_unit_test(test_encode_round_trip),
	    cmocka_unit_test(test_chars_and_offset),
	    cmocka_unit_test(test_width),
	    cmocka_unit_test(test_nomem),
	    cmocka_unit_test(test_xalloc),
	    cmocka_unit_test(test_fmt_size),
	    cmocka_unit_test(test_fmt_count),
	    cmocka_unit_test(test_big_contract),
#ifndef BIG_PLAIN
	    cmocka_unit_test(test_big_reuse),
	    cmocka_unit_test(test_big_pieces),
	    cmocka_unit_test(test_big_limit),
	    cmocka_unit_test(test_big_prepare),
	    cmocka_unit_test(test_big_huge),
	    cmocka_unit_test(test_huge_advice),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
