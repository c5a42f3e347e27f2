/* mt_hash64: the dump checksum, an incremental 64-bit hash.
 *
 * xxHash64-style single lane over little-endian 64-bit words with a final
 * avalanche over the total length; about one cycle per byte.  It detects
 * corruption and truncation, it is not cryptographic.  Feed bytes in any
 * chunking: the result depends only on the byte sequence.
 */
#ifndef MEMTRACK_CHECKSUM_H
#define MEMTRACK_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

typedef struct mt_hash64 {
	uint64_t acc;
	uint64_t total;
	uint8_t tail[8];
	unsigned ntail;
} mt_hash64;

void mt_hash64_init(mt_hash64 *h);
void mt_hash64_update(mt_hash64 *h, const void *data, size_t n);
uint64_t mt_hash64_final(const mt_hash64 *h);

#endif
