/* mt_hash64: xxHash64-style single-lane incremental hash (checksum.h). */
#include "config.h"

#include <string.h>

#include "memtrack/checksum.h"

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL

static inline uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t load64le(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline uint64_t round64(uint64_t acc, uint64_t w)
{
	return rotl64(acc + w * P2, 31) * P1;
}

void mt_hash64_init(mt_hash64 *h)
{
	h->acc = P3;
	h->total = 0;
	h->ntail = 0;
}

void mt_hash64_update(mt_hash64 *h, const void *data, size_t n)
{
	const uint8_t *p = data;
	uint64_t acc = h->acc;

	h->total += n;
	if (h->ntail) {
		size_t take = 8 - h->ntail;
		if (take > n)
			take = n;
		memcpy(h->tail + h->ntail, p, take);
		h->ntail += (unsigned)take;
		p += take;
		n -= take;
		if (h->ntail < 8) {
			h->acc = acc;
			return;
		}
		acc = round64(acc, load64le(h->tail));
		h->ntail = 0;
	}
	while (n >= 8) {
		acc = round64(acc, load64le(p));
		p += 8;
		n -= 8;
	}
	memcpy(h->tail, p, n);
	h->ntail = (unsigned)n;
	h->acc = acc;
}

uint64_t mt_hash64_final(const mt_hash64 *h)
{
	uint64_t acc = h->acc;
	for (unsigned i = 0; i < h->ntail; i++)
		acc = rotl64(acc ^ (h->tail[i] * P3), 11) * P1;
	acc ^= h->total * P2;
	acc ^= acc >> 33;
	acc *= P2;
	acc ^= acc >> 29;
	acc *= P3;
	acc ^= acc >> 32;
	return acc;
}
