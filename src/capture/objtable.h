/* mt_objtable: the walker's identity table, address <-> dense id.
 *
 * Objects get dense uint32 ids in discovery order.  The table keeps
 *   - the id -> key array, in fixed chunks of 64Ki keys (no big realloc
 *     copies; the chunk-pointer array is tiny), which is also the BFS queue:
 *     the walker processes ids in order and reads each key back from here;
 *   - an open-addressing hash set of uint32 ids keyed by the key they map to
 *     (the key is read back through the array, so a slot costs 4 bytes).
 * A key is an address with a tag in its low bits (mt_ref in walk.h); the table
 * does not interpret it.  Memory: 8 bytes per object for the array plus 4 bytes
 * per hash slot at a load factor kept at or below 1/2, so 16 to 24 bytes per
 * object; nothing else grows with the heap.  C memory only (malloc), so
 * building the table never touches the Python heap being measured.
 */
#ifndef MT_CAPTURE_OBJTABLE_H
#define MT_CAPTURE_OBJTABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct mt_objtable {
	uintptr_t **chunks; /* chunks[i] holds keys of ids i*CHUNK ..  */
	size_t nchunks, chunks_cap;
	uint32_t count;	 /* ids assigned so far                      */
	uint32_t *slots; /* hash slots: id + 1, 0 = empty            */
	size_t mask;	 /* slot count - 1 (power of two)            */
} mt_objtable;

#define MT_OBJTABLE_CHUNK_BITS 16
#define MT_OBJTABLE_CHUNK ((size_t)1 << MT_OBJTABLE_CHUNK_BITS)

/* Initialises an empty table sized for about `expected` objects.
 * Returns 0, or -1 when out of memory. */
int mt_objtable_init(mt_objtable *t, size_t expected);
void mt_objtable_destroy(mt_objtable *t);

/* Looks key up; if absent, assigns the next id and records it.
 * Returns 1 if the id is new, 0 if the key was known, -1 on out of memory
 * or id overflow.  *id is set on 0 and 1. */
int mt_objtable_intern(mt_objtable *t, uintptr_t key, uint32_t *id);

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
