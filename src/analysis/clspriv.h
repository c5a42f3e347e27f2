/* Containers shared by the classifier infrastructure (classifier.c) and
 * the classifier groups (cls_*.c): internal to src/analysis, defined in
 * clsutil.c.
 *
 * Memory: a heap can have millions of kinds (byvia has one per list index
 * in use, byid one per object), so nothing is allocated per kind or per
 * text: texts live in an arena of large blocks, kinds and sets in flat
 * arrays indexed by number.
 */
#ifndef MEMTRACK_CLSPRIV_H
#define MEMTRACK_CLSPRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtrack/ctx.h"
#include "memtrack/error.h"
#include "memtrack/partition.h"

#define MT_CLS_NONE UINT32_MAX

/* ---- a uint64 -> uint32 hash (open addressing, linear probing) ---- */

/* A hash table's next array (twice its size), made while the table fills
 * from a quarter to half full: a little of it at each insert, so that the
 * grow finds it allocated, filled and its pages mapped.  The kernel's
 * zeroing of a grow's fresh pages stood still for 0.3 s at 4M entries. */
struct mt_ahead {
	unsigned char *p;
	size_t bytes, done; /* done of bytes filled */
};
/* After an insert into a table of `cap` slots of `slot` bytes that now
 * holds n: from a quarter full (and 4096 slots), 16 more slots of the
 * next array (2 * cap slots) are filled with byte `fill`, so it is whole
 * by 3/8 full, before the grow at half (allocated on the first call;
 * nothing when that fails). */
void mt_ahead_insert(struct mt_ahead *a, size_t n, size_t cap, size_t slot,
		     int fill);
/* The next array of `bytes` filled with `fill`: the one made ahead (its
 * rest filled now) or a new one; NULL when out of memory. */
void *mt_ahead_take(struct mt_ahead *a, size_t bytes, int fill);
void mt_ahead_free(struct mt_ahead *a);

struct mt_u64map {
	uint64_t *k;
	uint32_t *v; /* MT_CLS_NONE: empty slot */
	size_t cap, n;
	struct mt_ahead ak, av; /* the next k and v */
};

/* Grows (or first allocates) the table to ncap slots, a power of two. */
int mt_u64map_grow(struct mt_u64map *m, size_t ncap);
/* Slot of key: where it is, or the empty slot where it would go. */
static inline size_t mt_u64map_slot(const struct mt_u64map *m, uint64_t key)
{
	size_t j = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) &
		   (m->cap - 1);
	while (m->v[j] != MT_CLS_NONE && m->k[j] != key)
		j = (j + 1) & (m->cap - 1);
	return j;
}
/* Stores key -> val in the empty slot from mt_u64map_slot; -1 when the
 * grow that follows failed (the entry is stored). */
int mt_u64map_put(struct mt_u64map *m, size_t slot, uint64_t key,
		  uint32_t val);
void mt_u64map_free(struct mt_u64map *m);

/* ---- text arena ---- */

/* Strings that live as long as their owner, bumped out of blocks of
 * 64 KiB doubling up to 4 MiB, all freed at once. */
struct mt_arena {
	char *blk;
	size_t used, size;
};

/* n bytes (not aligned: for text only), or NULL. */
char *mt_arena_alloc(struct mt_arena *a, size_t n);
/* A NUL-terminated copy of s[0..n), or NULL. */
char *mt_arena_dup(struct mt_arena *a, const char *s, size_t n);
void mt_arena_free(struct mt_arena *a);

/* ---- interned uint32 arrays (sets and tuples) ---- */

/* Arrays numbered in order of addition, all members in one array.  With
 * by_member set, arrays of fewer than two members are added with
 * mt_pool_add and left out of the hash (the caller finds them by their
 * member); mt_pool_intern finds or adds the others. */
struct mt_pool {
	uint32_t *e; /* all members, array after array */
	size_t elen, ecap;
	uint32_t *off;	/* n + 1 entries: array s is e[off[s]..off[s + 1]) */
	uint32_t *hash; /* of each array */
	uint32_t n, cap;
	uint32_t *ht; /* slot -> array number, MT_CLS_NONE empty */
	size_t htcap, nht;
	bool by_member;
};

static inline uint32_t mt_pool_len(const struct mt_pool *p, uint32_t s)
{
	return p->off[s + 1] - p->off[s];
}
static inline const uint32_t *mt_pool_at(const struct mt_pool *p, uint32_t s)
{
	/* e is NULL while only empty arrays were added */
	return p->e ? p->e + p->off[s] : NULL;
}
/* Appends a[0..n) (hash h) as array *id, not entered in the hash. */
int mt_pool_add(struct mt_pool *p, const uint32_t *a, uint32_t n, uint32_t h,
		uint32_t *id);
/* The number of a[0..n), added when new. */
int mt_pool_intern(struct mt_pool *p, const uint32_t *a, uint32_t n,
		   uint32_t *id);
void mt_pool_free(struct mt_pool *p);

/* A growable uint32 array (scratch space reused between calls). */
struct mt_u32vec {
	uint32_t *a;
	size_t n, cap;
};
int mt_u32vec_grow_(struct mt_u32vec *v);
/* Room for n entries in all (not more). */
static inline int mt_u32vec_reserve(struct mt_u32vec *v, size_t n)
{
	while (v->cap < n)
		if (mt_u32vec_grow_(v))
			return -1;
	return 0;
}
static inline int mt_u32vec_push(struct mt_u32vec *v, uint32_t x)
{
	if (v->n == v->cap && mt_u32vec_grow_(v))
		return -1;
	v->a[v->n++] = x;
	return 0;
}
/* Sorts a[0..n) ascending and drops duplicates; returns the new n.  Most
 * calls sort a handful (the in-edges of one object): inline. */
size_t mt_u32_sort_unique_big_(uint32_t *a, size_t n);
static inline size_t mt_u32_sort_unique(uint32_t *a, size_t k)
{
	size_t i, m = 0;
	if (k > 16)
		return mt_u32_sort_unique_big_(a, k);
	for (i = 1; i < k; i++) { /* insertion sort */
		uint32_t x = a[i];
		size_t j = i;
		for (; j && a[j - 1] > x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
	for (i = 0; i < k; i++)
		if (!m || a[m - 1] != a[i])
			a[m++] = a[i];
	return m;
}

mt_status mt_cls_nomem(mt_err *err, const char *what);

/* ---- between classifier.c and ctx.c ---- */

/* mt_classifier_new_named with the parts from ctx's cache (ctx may be
 * NULL: private parts). */
mt_status mt_classifier_new_spec_(mt_classifier **out, const mt_graph *g,
				  mt_ctx *ctx, const char *spec, mt_err *err);
/* The context's reference cycles (mt_ctx_cycles), shared: a CYCLE
 * classifier holds a reference, so it outlives the context. */
struct mt_cycles {
	unsigned refs;
	uint32_t *comp, *sizes, n;
};
/* *out is a new reference (mt_cycles_unref_). */
mt_status mt_ctx_cycles_ref_(mt_ctx *c, struct mt_cycles **out, mt_err *err);
void mt_cycles_unref_(struct mt_cycles *cy); /* cy may be NULL */
/* mt_classifier_classify_all reporting (what, done, total) to cb, which
 * cancels (MT_CANCELLED) when it returns non-zero.  Counted in work: an
 * object and each of its in-edges is one, so an object with millions of
 * referrers (a class, through its instances' ob_type) moves the count
 * as much as it costs a classifier that reads them. */
mt_status mt_classifier_classify_all_cb(mt_classifier *c, uint32_t **kinds,
					mt_ctx_progress_fn cb, void *cbdata,
					const char *what, mt_err *err);
/* The same into *kinds16 instead while every kind fits (mt_kinds_out):
 * one of *kinds and *kinds16 set. */
mt_status mt_classifier_classify_all_narrow_(mt_classifier *c,
					     uint32_t **kinds,
					     uint16_t **kinds16,
					     mt_ctx_progress_fn cb,
					     void *cbdata, const char *what,
					     mt_err *err);

/* For a classify that reads many in-edges of one object: reports that it
 * has read `edges` of them; the cancel as MT_CANCELLED in err.  MT_OK
 * outside classify_all. */
mt_status mt_cls_work(mt_classifier *c, uint64_t edges, mt_err *err);
/* mt_cls_work every MT_CLS_WORK_STEP in-edges: call it with each in-edge's
 * number k among the object's (0, 1, ...) before reading it. */
enum { MT_CLS_WORK_STEP = 1 << 16 };
static inline mt_status mt_cls_work_at(mt_classifier *c, uint32_t k,
				       mt_err *err)
{
	if (!k || (k & (MT_CLS_WORK_STEP - 1)))
		return MT_OK;
	return mt_cls_work(c, k, err);
}

#endif
