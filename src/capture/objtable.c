/* mt_objtable: dense ids for addresses; see objtable.h for the layout and
 * the memory bound.  The hash is a multiplicative hash of the key, reduced to
 * the slot count by a multiply-high (any slot count), with linear probing. */
#include "config.h"

#include "objtable.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MIN_SLOTS 1024

static void free_slots(mt_objtable *t)
{
	if (t->slots)
		munmap(t->slots, t->slots_bytes);
	t->slots = NULL;
	t->slots_bytes = 0;
	t->nslots = 0;
}

/* Zeroed slots from mmap: huge pages where the kernel allows (the probes
 * are random, so TLB misses dominate on big heaps); pages are only resident
 * once touched.  Returns the mapping (bytes in *bytes) or NULL. */
static uint32_t *map_slots(size_t nslots, size_t *bytes)
{
	size_t b = nslots * sizeof(uint32_t);
	b = (b + 4095) & ~(size_t)4095;
	void *p = mmap(NULL, b, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	if (b >= ((size_t)4 << 20))
		(void)madvise(p, b, MADV_HUGEPAGE);
#endif
	*bytes = b;
	return p;
}

static int alloc_slots(mt_objtable *t, size_t nslots)
{
	size_t bytes = 0;
	uint32_t *p = map_slots(nslots, &bytes);
	if (!p)
		return -1;
	t->slots = p;
	t->slots_bytes = bytes;
	t->nslots = nslots;
	return 0;
}

int mt_objtable_init(mt_objtable *t, size_t expected)
{
	memset(t, 0, sizeof(*t));
	size_t n = expected + expected / 2;
	if (n < MIN_SLOTS)
		n = MIN_SLOTS;
	if (n > ((size_t)1 << 33))
		n = (size_t)1 << 33;
	return alloc_slots(t, n);
}

void mt_objtable_destroy(mt_objtable *t)
{
	for (size_t i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free_slots(t);
	memset(t, 0, sizeof(*t));
}

/* Grows the slot array by 3/2 and reinserts every hashed id.  The new slots
 * are mapped before the old ones are unmapped, so a failure leaves the table
 * as it was; the keys come from the array, so the old slots go before the
 * copy touches the new ones (address space for both for a moment, resident
 * memory only for the new ones).  Appended ids are not reinserted: their
 * keys have bit 0 set (objtable.h). */
static int grow(mt_objtable *t)
{
	size_t nslots = t->nslots + t->nslots / 2, bytes = 0;
	uint32_t *slots = map_slots(nslots, &bytes);
	if (!slots)
		return -1;
	munmap(t->slots, t->slots_bytes);
	t->slots = slots;
	t->slots_bytes = bytes;
	t->nslots = nslots;
	for (uint32_t id = 0; id < t->count; id++) {
		uintptr_t key = mt_objtable_key(t, id);
		if (key & 1u) /* appended (tagged, unhashed) ids */
			continue;
		size_t i = mt_objtable_home(t, key);
		while (t->slots[i])
			if (++i == t->nslots)
				i = 0;
		t->slots[i] = id + 1;
	}
	return 0;
}

int mt_objtable_find(const mt_objtable *t, uintptr_t key, uint32_t *id)
{
	size_t i = mt_objtable_home(t, key);
	uint32_t s;
	while ((s = t->slots[i]) != 0) {
		if (mt_objtable_key(t, s - 1) == key) {
			*id = s - 1;
			return 1;
		}
		if (++i == t->nslots)
			i = 0;
	}
	return 0;
}

static int push_key(mt_objtable *t, uintptr_t key, uint32_t *id)
{
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
	t->count++;
	*id = nid;
	return 0;
}

int mt_objtable_append(mt_objtable *t, uintptr_t key, uint32_t *id)
{
	return push_key(t, key, id);
}

int mt_objtable_intern(mt_objtable *t, uintptr_t key, uint32_t *id)
{
	size_t i = mt_objtable_home(t, key);
	uint32_t s;
	while ((s = t->slots[i]) != 0) {
		if (mt_objtable_key(t, s - 1) == key) {
			*id = s - 1;
			return 0;
		}
		if (++i == t->nslots)
			i = 0;
	}
	/* grow before the insertion that would pass a load of 3/4: on any
	 * failure the table is left unchanged (never full, so probes end) */
	if (((size_t)t->hashed + 1) * 4 > t->nslots * 3) {
		if (grow(t) < 0)
			return -1;
		i = mt_objtable_home(t, key);
		while (t->slots[i])
			if (++i == t->nslots)
				i = 0;
	}
	if (push_key(t, key, id) < 0)
		return -1;
	t->slots[i] = *id + 1;
	t->hashed++;
	return 1;
}

size_t mt_objtable_bytes(const mt_objtable *t)
{
	return t->nchunks * MT_OBJTABLE_CHUNK * sizeof(uintptr_t) +
	       t->chunks_cap * sizeof(uintptr_t *) + t->slots_bytes;
}
