/* mt_mark: the objects alive at memtrack.mark(), in C memory only.
 *
 * A mark is the set of (address, type) pairs of the real objects a mark
 * walk met (walk.c, mt_walk_mark).  Each pair is one uint64 key: the
 * address shifted right by 3 (objects are 8-byte aligned) in the high bits
 * and the type's index in the mark's type table in the low `tbits` bits,
 * tbits = 64 minus the bits the highest address needs (20 with the usual
 * 47-bit user addresses).  Types past the last index share it (more than
 * 2^tbits - 1 types: their objects are told apart by address only).
 *
 * Lookup is a hash directory over the keys: the keys are stored grouped by
 * the top bits of their hash, dir[b] .. dir[b+1] being bucket b's (about 4
 * keys a bucket), so a membership test reads one directory entry and one
 * short run of keys.  Memory: 8 bytes per key + 4 bytes per bucket (1 per
 * key) + 16 per type, about 9 bytes per object; building it needs 12 more
 * per object for a moment.  Nothing here touches Python objects: the walk
 * gives the addresses and type addresses.  The mark also keeps the ranges
 * of static storage loaded then (mt_mark_static).
 */
#ifndef MT_CAPTURE_MARK_H
#define MT_CAPTURE_MARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mt_mark mt_mark;

/* Gathers the pairs during a mark walk. */
typedef struct mt_mark_builder {
	uint64_t *addr; /* per object */
	uint32_t *type; /* per object: index into types */
	size_t n, cap;
	uintptr_t *types; /* type addresses, in discovery order */
	size_t ntypes, types_cap;
} mt_mark_builder;

#define MT_MARK_NOTYPE UINT32_MAX

/* Appends a type; returns its index, or MT_MARK_NOTYPE when out of
 * memory. */
uint32_t mt_markb_type(mt_mark_builder *b, uintptr_t tp);
/* Sizes the builder for about n objects (a hint: no error). */
void mt_markb_reserve(mt_mark_builder *b, size_t n);
/* Appends an object of type index t; 0, or -1 when out of memory. */
int mt_markb_add(mt_mark_builder *b, uintptr_t addr, uint32_t t);
/* Frees the builder's arrays (after mt_mark_build or instead of it). */
void mt_markb_free(mt_mark_builder *b);

/* Builds the mark from the builder (its arrays are freed); NULL when out
 * of memory (the builder is freed all the same).  Also keeps the writable
 * segments of the executable and the shared objects loaded now (static
 * storage: mt_mark_static). */
mt_mark *mt_mark_build(mt_mark_builder *b, double time);
void mt_mark_free(mt_mark *m);

/* The index of type address tp in the mark, MT_MARK_NOTYPE when no object
 * of that type was marked. */
uint32_t mt_mark_type(const mt_mark *m, uintptr_t tp);
/* Whether an object at addr of type index t (mt_mark_type) was marked. */
bool mt_mark_has(const mt_mark *m, uintptr_t addr, uint32_t t);

/* Prefetching for a lookup soon (the walk does it some objects ahead):
 * stage 0 the directory entry of (addr, t), stage 1 its keys (after stage
 * 0 had time to arrive). */
void mt_mark_prefetch(const mt_mark *m, uintptr_t addr, uint32_t t, int stage);

/* Whether addr is in the static storage (a writable segment) of the
 * executable or a shared object that was loaded at the mark: an object
 * there (a static type, a small int or one-character str of 3.11+, a
 * static string of the interpreter) existed at the mark even if the mark's
 * walk did not meet it because nothing referred to it then. */
bool mt_mark_static(const mt_mark *m, uintptr_t addr);

size_t mt_mark_count(const mt_mark *m); /* objects marked */
size_t mt_mark_bytes(const mt_mark *m); /* C memory the mark holds */
double mt_mark_time(const mt_mark *m);	/* seconds since the epoch */

#endif
