/* mt_objtable: dense ids for addresses; see objtable.h for the layout and
 * the memory bound.  The hash is a multiplicative hash of the key without its
 * low (alignment and tag) bits mixed back in, with linear probing. */
#include "config.h"

#include "objtable.h"

#include <stdlib.h>
#include <string.h>

static inline size_t hash_key(uintptr_t key)
{
	uint64_t h = (uint64_t)key;
	h ^= h >> 29;
	h *= UINT64_C(0x9e3779b97f4a7c15);
	h ^= h >> 32;
	return (size_t)h;
}

static int alloc_slots(mt_objtable *t, size_t nslots)
{
	uint32_t *s = calloc(nslots, sizeof(*s));
	if (!s)
		return -1;
	t->slots = s;
	t->mask = nslots - 1;
	return 0;
}

int mt_objtable_init(mt_objtable *t, size_t expected)
{
	size_t n = 1024;
	memset(t, 0, sizeof(*t));
	while (n < expected * 2 && n < ((size_t)1 << 33))
		n <<= 1;
	return alloc_slots(t, n);
}

void mt_objtable_destroy(mt_objtable *t)
{
	for (size_t i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* Doubles the slot array and reinserts every id (keys come from the array,
 * so the old slots can be freed first: peak is old + new slots). */
static int grow(mt_objtable *t)
{
	size_t nslots = (t->mask + 1) * 2;
	free(t->slots);
	t->slots = NULL;
	if (alloc_slots(t, nslots) < 0)
		return -1;
	for (uint32_t id = 0; id < t->count; id++) {
		size_t i = hash_key(mt_objtable_key(t, id)) & t->mask;
		while (t->slots[i])
			i = (i + 1) & t->mask;
		t->slots[i] = id + 1;
	}
	return 0;
}

int mt_objtable_find(const mt_objtable *t, uintptr_t key, uint32_t *id)
{
	size_t i = hash_key(key) & t->mask;
	uint32_t s;
	while ((s = t->slots[i]) != 0) {
		if (mt_objtable_key(t, s - 1) == key) {
			*id = s - 1;
			return 1;
		}
		i = (i + 1) & t->mask;
	}
	return 0;
}

int mt_objtable_intern(mt_objtable *t, uintptr_t key, uint32_t *id)
{
	size_t i = hash_key(key) & t->mask;
	uint32_t s;
	while ((s = t->slots[i]) != 0) {
		if (mt_objtable_key(t, s - 1) == key) {
			*id = s - 1;
			return 0;
		}
		i = (i + 1) & t->mask;
	}
	if (t->count == UINT32_MAX - 1)
		return -1;
	uint32_t nid = t->count;
	size_t c = nid >> MT_OBJTABLE_CHUNK_BITS;
	if (c == t->nchunks) {
		if (t->nchunks == t->chunks_cap) {
			size_t cap = t->chunks_cap ? t->chunks_cap * 2 : 64;
			uintptr_t **nc = realloc(t->chunks, cap * sizeof(*nc));
			if (!nc)
				return -1;
			t->chunks = nc;
			t->chunks_cap = cap;
		}
		t->chunks[c] = malloc(MT_OBJTABLE_CHUNK * sizeof(uintptr_t));
		if (!t->chunks[c])
			return -1;
		t->nchunks++;
	}
	t->chunks[c][nid & (MT_OBJTABLE_CHUNK - 1)] = key;
	t->slots[i] = nid + 1;
	t->count++;
	*id = nid;
	if ((size_t)t->count * 2 > t->mask + 1 && grow(t) < 0)
		return -1;
	return 1;
}

size_t mt_objtable_bytes(const mt_objtable *t)
{
	return t->nchunks * MT_OBJTABLE_CHUNK * sizeof(uintptr_t) +
	       t->chunks_cap * sizeof(uintptr_t *) +
	       (t->mask + 1) * sizeof(uint32_t);
}
