/* mt_objtable: the walker's identity table, address <-> dense id.
 *
 * Objects get dense uint32 ids in discovery order.  The table keeps
 *   - the id -> key array, in fixed chunks of 64Ki keys (no big realloc
 *     copies; the chunk-pointer array is tiny), which is also the BFS queue:
 *     the walker processes ids in order and reads each key back from here;
 *   - an open-addressing hash set of uint32 ids keyed by the key they map to
 *     (the key is read back through the array, so a slot costs 4 bytes).
 *     Any slot count (range reduction by multiply-high, not a mask), so it is
 *     pre-sized to 3/2 of the expected count instead of the next power of two
 *     above twice it; it grows by 3/2 when the load would pass 3/4 (the
 *     new slots are mapped before the old are unmapped, so a failed growth
 *     leaves the table valid).  The slot array is mmap'ed with
 *     MADV_HUGEPAGE (random probes, TLB-bound).
 * Keys that are known to be referenced exactly once (virtual dicts: only their
 * owner refers to them) are appended without entering the hash set.
 * A key is an address with a tag in its low bits (mt_ref in walk.h); the table
 * does not interpret it.  Memory: 8 bytes per object for the array plus 4 bytes
 * per hash slot for each hashed object at a load between 1/2 and 3/4 (about 6
 * bytes per hashed object when pre-sized right), so about 14 bytes per object;
 * nothing else grows with the heap.  C memory only (malloc/mmap), so building
 * the table never touches the Python heap being measured.
 */
#ifndef MT_CAPTURE_OBJTABLE_H
#define MT_CAPTURE_OBJTABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct mt_objtable {
	uintptr_t **chunks; /* chunks[i] holds keys of ids i*CHUNK ..  */
	size_t nchunks, chunks_cap;
	uint32_t count;	    /* ids assigned so far                      */
	uint32_t hashed;    /* ids in the hash set                      */
	uint32_t *slots;    /* hash slots: id + 1, 0 = empty            */
	size_t nslots;	    /* slot count (any size)                    */
	size_t slots_bytes; /* mapped bytes of slots                    */
} mt_objtable;

#define MT_OBJTABLE_CHUNK_BITS 16
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
 * must have bit 0 set and interned keys bit 0 clear (that is how a regrowth
 * tells them apart).  Returns 0, or -1
 * on out of memory or id overflow (the table unchanged). */
int mt_objtable_append(mt_objtable *t, uintptr_t key, uint32_t *id);

static inline uint64_t mt_objtable_hash(uintptr_t key)
{
	uint64_t h = (uint64_t)key;
	h ^= h >> 29;
	h *= UINT64_C(0x9e3779b97f4a7c15);
	h ^= h >> 32;
	return h;
}

/* Home slot of a key: multiply-high range reduction. */
static inline size_t mt_objtable_home(const mt_objtable *t, uintptr_t key)
{
	return (size_t)(((unsigned __int128)mt_objtable_hash(key) *
			 (unsigned __int128)t->nslots) >>
			64);
}

/* Prefetches the home slot of key (for a lookup soon after). */
static inline void mt_objtable_prefetch(const mt_objtable *t, uintptr_t key)
{
	__builtin_prefetch(&t->slots[mt_objtable_home(t, key)]);
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
