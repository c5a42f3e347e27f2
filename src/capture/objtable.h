/* mt_objtable: the walker's identity table, address <-> dense id.
 *
 * Objects get dense uint32 ids in discovery order.  The table keeps
 *   - the id -> key array, in fixed chunks of 256Ki keys (2 MiB: one huge
 *     page each; no big realloc copies; the chunk-pointer array is tiny),
 *     which is also the BFS queue:
 *     the walker processes ids in order and reads each key back from here;
 *   - key -> id by address region: a key's high bits (key >> 16: a 64 KiB
 *     region of the address space) pick a small open-addressing table of
 *     that region, found through a directory (open addressing by region
 *     number, with the last region used cached); the region's table holds,
 *     per slot, the key's low 16 bits and the id + 1 (0 = empty slot), in
 *     two arrays of one allocation (6 bytes a slot).  A probe compares the
 *     low bits in the slot itself, never reading the key array back, and
 *     since the walk meets objects roughly in allocation order (a list's
 *     items, an object's dict, its values), consecutive lookups fall in the
 *     same few region tables, which stay in cache; a table keyed by a hash
 *     of the whole address put every lookup on a random cache line of tens
 *     of megabytes.  A region's table has any slot count (multiply-high
 *     range reduction of a 16-bit hash of the low bits), from 1024 (a
 *     dense region holds one to two thousand objects: one or two growths);
 *     it grows by 3/2 when its load would pass 3/4 (the new table is
 *     allocated before the old is freed, so a failed growth leaves the
 *     table valid).
 * Keys that are known to be referenced exactly once (virtual dicts: only their
 * owner refers to them) are appended without entering the hash set.
 * A key is an address with a tag in its low bits (mt_ref in walk.h); the table
 * does not interpret it.  Memory: 8 bytes per object for the array plus 6 bytes
 * per slot for each hashed object at a load between 1/2 and 3/4 (about 10
 * bytes per hashed object in full regions), so about 18 bytes per object,
 * less where many are appended; plus 16 bytes per directory slot (one region
 * per 64 KiB of address space holding an object, at a load of at most 1/2),
 * and at least 1024 slots (6 KiB) per such region: at most 10% of the
 * address space the heap's objects span, when each region holds one big
 * object.
 * Nothing else grows with the heap.  C memory only, so building the table
 * never touches the Python heap being measured: anonymous mappings, the key
 * chunks and the region tables' arena in 2 MiB pieces advised huge pages
 * (all but the arena's first 8), so that filling one takes one page fault,
 * not 512 (with the tables from malloc, malloc and the page faults of its
 * fresh memory were 8% of a dump).
 */
#ifndef MT_CAPTURE_OBJTABLE_H
#define MT_CAPTURE_OBJTABLE_H

#include <stddef.h>
#include <stdint.h>
#include "prefetch.h"

#define MT_OBJTABLE_REGION_BITS 16
/* region table size classes: 1024 slots * (3/2)^k, k < 8 (up to 13,122
 * keys in one 64 KiB region); a bigger table shares the pieces of an
 * extra class, where tables are never moved */
#define MT_OBJTABLE_CLASSES 8

/* One region's table: ids[nslots] (id + 1, 0 = empty) then offs[nslots]
 * (the key's low 16 bits) in the same allocation. */
typedef struct mt_objregion {
	uint32_t nslots; /* any count >= 8 */
	uint32_t count;	 /* keys in this table */
	uint16_t *offs;
	uintptr_t region1; /* its region's number + 1 (the directory key) */
	uint32_t ids[];
} mt_objregion;

/* A directory slot: region number + 1 (0 = empty) and its table. */
typedef struct mt_objdirent {
	uintptr_t region1;
	mt_objregion *r;
} mt_objdirent;

typedef struct mt_objtable {
	uintptr_t **chunks; /* chunks[i] holds keys of ids i*CHUNK ..  */
	size_t nchunks, chunks_cap;
	uint32_t count;	   /* ids assigned so far                      */
	uint32_t hashed;   /* ids in the hash set                      */
	mt_objdirent *dir; /* open addressing, power of two            */
	size_t dir_cap, ndir;
	uintptr_t last_region1; /* cache of the last directory lookup    */
	mt_objregion *last;
	/* the region tables' arena: 2 MiB pieces (objtable.c), each
	 * carved in order for tables of one size class (MIN_SLOTS * (3/2)^k
	 * slots, k < MT_OBJTABLE_CLASSES; the last class takes any other
	 * size); a piece whose tables were all given back (by growths) waits
	 * in `empty` for any class */
	char **arena;
	size_t narena, arena_cap;
	struct mt_objpiece *cur[MT_OBJTABLE_CLASSES + 1];
	struct mt_objpiece *empty;
} mt_objtable;

#define MT_OBJTABLE_CHUNK_BITS 18
#define MT_OBJTABLE_CHUNK ((size_t)1 << MT_OBJTABLE_CHUNK_BITS)

/* Initialises an empty table sized for about `expected` objects.
 * Returns 0, or -1 when out of memory. */
int mt_objtable_init(mt_objtable *t, size_t expected);
void mt_objtable_destroy(mt_objtable *t);

/* Looks key up; if absent, assigns the next id and records it.
 * Returns 1 if the id is new, 0 if the key was known, -1 on out of memory
 * or id overflow.  *id is set on 0 and 1.  On -1 the table is unchanged
 * and still valid (find, intern and destroy work on it). */
int mt_objtable_intern(mt_objtable *t, uintptr_t key, uint32_t *id);

/* Assigns the next id to key without entering it in the hash set: for keys
 * referenced exactly once (find/intern will not see them).  Appended keys
 * must have bit 0 set and interned keys bit 0 clear.  Returns 0, or -1
 * on out of memory or id overflow (the table unchanged). */
int mt_objtable_append(mt_objtable *t, uintptr_t key, uint32_t *id);

static inline size_t mt_objtable_dirhome(const mt_objtable *t, uintptr_t r1)
{
	uint64_t h = (uint64_t)r1 * UINT64_C(0x9e3779b97f4a7c15);
	return (size_t)(h >> 32) & (t->dir_cap - 1);
}

/* The table of key's region, or NULL. */
static inline mt_objregion *mt_objtable_region(const mt_objtable *t,
					       uintptr_t key)
{
	uintptr_t r1 = (key >> MT_OBJTABLE_REGION_BITS) + 1;
	if (r1 == t->last_region1)
		return t->last;
	for (size_t i = mt_objtable_dirhome(t, r1);;
	     i = (i + 1) & (t->dir_cap - 1)) {
		if (t->dir[i].region1 == r1)
			return t->dir[i].r;
		if (!t->dir[i].region1)
			return NULL;
	}
}

/* Home slot of a key's low bits in a region table of n slots. */
static inline uint32_t mt_objtable_home(uint32_t n, uint16_t off)
{
	uint32_t h = ((uint32_t)off * 0x9e3779b1u) >> 16;
	return (uint32_t)(((uint64_t)(h & 0xffffu) * n) >> 16);
}

/* Prefetches the home slot of key (for a lookup soon after). */
MT_PREFETCH_FN void mt_objtable_prefetch(const mt_objtable *t, uintptr_t key)
{
	const mt_objregion *r = mt_objtable_region(t, key);
	if (r) {
		uint32_t i = mt_objtable_home(r->nslots, (uint16_t)key);
		__builtin_prefetch(&r->offs[i]);
		__builtin_prefetch(&r->ids[i]);
	}
}

/* Returns 1 and sets *id if key is known, else 0. */
int mt_objtable_find(const mt_objtable *t, uintptr_t key, uint32_t *id);

static inline uintptr_t mt_objtable_key(const mt_objtable *t, uint32_t id)
{
	return t->chunks[id >> MT_OBJTABLE_CHUNK_BITS]
			[id & (MT_OBJTABLE_CHUNK - 1)];
}

/* Bytes of C memory the table holds now. */
size_t mt_objtable_bytes(const mt_objtable *t);

#endif
