/* Containers of the classifiers (clspriv.h): a uint64 -> uint32 hash, a
 * text arena, a pool of interned uint32 arrays, a growable uint32 array. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "clspriv.h"
#include "memtrack/util.h"

#define NONE MT_CLS_NONE

mt_status mt_cls_nomem(mt_err *err, const char *what)
{
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, "%s",
			  what);
}

/* ---- a uint64 -> uint32 hash --------------------------------------------- */

void mt_ahead_insert(struct mt_ahead *a, size_t n, size_t cap, size_t slot,
		     int fill)
{
	size_t bytes = 2 * cap * slot, step = 16 * slot;
	if (n * 4 <= cap || cap < 4096)
		return;
	if (!a->p || a->bytes != bytes) {
		free(a->p);
		a->done = 0;
		a->bytes = bytes;
		if (!(a->p = malloc(bytes)))
			return;
	}
	if (step > bytes - a->done)
		step = bytes - a->done;
	memset(a->p + a->done, fill, step);
	a->done += step;
}

void *mt_ahead_take(struct mt_ahead *a, size_t bytes, int fill)
{
	unsigned char *p;
	if (a->p && a->bytes == bytes) {
		p = a->p;
		memset(p + a->done, fill, bytes - a->done);
		a->p = NULL;
		a->bytes = a->done = 0;
		return p;
	}
	mt_ahead_free(a);
	if ((p = malloc(bytes ? bytes : 1)))
		memset(p, fill, bytes);
	return p;
}

void mt_ahead_free(struct mt_ahead *a)
{
	free(a->p);
	a->p = NULL;
	a->bytes = a->done = 0;
}

int mt_u64map_grow(struct mt_u64map *m, size_t ncap)
{
	/* an empty slot is v NONE, whatever k holds */
	uint64_t *k = mt_ahead_take(&m->ak, ncap * sizeof *k, 0);
	uint32_t *v = mt_ahead_take(&m->av, ncap * sizeof *v, 0xff);
	struct mt_u64map nm = {k, v, ncap, m->n, {0}, {0}};
	size_t i;
	if (!k || !v) {
		free(k);
		free(v);
		return -1;
	}
	for (i = 0; i < m->cap; i++) {
		size_t j;
		if (m->v[i] == NONE)
			continue;
		j = mt_u64map_slot(&nm, m->k[i]);
		k[j] = m->k[i];
		v[j] = m->v[i];
	}
	free(m->k);
	free(m->v);
	*m = nm;
	return 0;
}

int mt_u64map_put(struct mt_u64map *m, size_t slot, uint64_t key,
		  uint32_t val)
{
	m->k[slot] = key;
	m->v[slot] = val;
	m->n++;
	if (m->n * 2 > m->cap)
		return mt_u64map_grow(m, m->cap * 2);
	mt_ahead_insert(&m->ak, m->n, m->cap, sizeof *m->k, 0);
	mt_ahead_insert(&m->av, m->n, m->cap, sizeof *m->v, 0xff);
	return 0;
}

void mt_u64map_free(struct mt_u64map *m)
{
	free(m->k);
	free(m->v);
	mt_ahead_free(&m->ak);
	mt_ahead_free(&m->av);
	m->k = NULL;
	m->v = NULL;
	m->cap = m->n = 0;
}

/* ---- text arena ---------------------------------------------------------- */

/* A block's first bytes hold the address of the previous block. */
#define ARENA_MIN ((size_t)64 << 10)
#define ARENA_MAX ((size_t)4 << 20)

char *mt_arena_alloc(struct mt_arena *a, size_t n)
{
	char *p;
	if (n > a->size - a->used) {
		size_t sz = a->size ? a->size * 2 : ARENA_MIN;
		if (sz > ARENA_MAX)
			sz = ARENA_MAX;
		if (n > SIZE_MAX - sizeof a->blk)
			return NULL;
		if (sz < n + sizeof a->blk)
			sz = n + sizeof a->blk;
		if (!(p = malloc(sz)))
			return NULL;
		memcpy(p, &a->blk, sizeof a->blk);
		a->blk = p;
		a->used = sizeof a->blk;
		a->size = sz;
	}
	p = a->blk + a->used;
	a->used += n;
	return p;
}

char *mt_arena_dup(struct mt_arena *a, const char *s, size_t n)
{
	char *p = n < SIZE_MAX ? mt_arena_alloc(a, n + 1) : NULL;
	if (p) {
		if (n)
			memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void mt_arena_free(struct mt_arena *a)
{
	while (a->blk) {
		char *prev;
		memcpy(&prev, a->blk, sizeof prev);
		free(a->blk);
		a->blk = prev;
	}
	a->used = a->size = 0;
}

/* ---- interned uint32 arrays (sets and tuples) ----------------------------- */

static uint32_t hash_arr(const uint32_t *a, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ n;
	uint32_t i;
	for (i = 0; i < n; i++)
		h = (h ^ a[i]) * 0x100000001b3ULL;
	h ^= h >> 29;
	return (uint32_t)(h ^ (h >> 32));
}

static bool pool_hashed(const struct mt_pool *p, uint32_t s)
{
	return !p->by_member || mt_pool_len(p, s) > 1;
}

static int pool_rehash(struct mt_pool *p, size_t ncap)
{
	uint32_t *ht = malloc(ncap * sizeof *ht), i;
	if (!ht)
		return -1;
	memset(ht, 0xff, ncap * sizeof *ht);
	for (i = 0; i < p->n; i++) {
		size_t j;
		if (!pool_hashed(p, i))
			continue;
		j = p->hash[i] & (ncap - 1);
		while (ht[j] != NONE)
			j = (j + 1) & (ncap - 1);
		ht[j] = i;
	}
	free(p->ht);
	p->ht = ht;
	p->htcap = ncap;
	return 0;
}

int mt_pool_add(struct mt_pool *p, const uint32_t *a, uint32_t n, uint32_t h,
		uint32_t *id)
{
	if (n > UINT32_MAX - p->elen || p->n == NONE - 1)
		return -1; /* offsets are uint32_t */
	if (p->n == p->cap) {
		uint32_t nc = p->cap ? p->cap * 2 : 64;
		uint32_t *o = realloc(p->off, ((size_t)nc + 1) * sizeof *o);
		uint32_t *hh;
		if (o) {
			p->off = o;
			o[p->n] = (uint32_t)p->elen;
		}
		hh = realloc(p->hash, nc * sizeof *hh);
		if (hh)
			p->hash = hh;
		if (!o || !hh)
			return -1;
		p->cap = nc;
	}
	if (p->elen + n > p->ecap) {
		size_t nc = p->ecap ? p->ecap * 2 : 1024;
		uint32_t *e;
		while (nc < p->elen + n)
			nc *= 2;
		if (!(e = realloc(p->e, nc * sizeof *e)))
			return -1;
		p->e = e;
		p->ecap = nc;
	}
	if (n)
		memcpy(p->e + p->elen, a, n * sizeof *a);
	p->elen += n;
	p->off[p->n + 1] = (uint32_t)p->elen;
	p->hash[p->n] = h;
	*id = p->n++;
	return 0;
}

int mt_pool_intern(struct mt_pool *p, const uint32_t *a, uint32_t n,
		   uint32_t *id)
{
	uint32_t h = hash_arr(a, n);
	size_t j;
	if (!p->htcap && pool_rehash(p, 256))
		return -1;
	j = h & (p->htcap - 1);
	while (p->ht[j] != NONE) {
		uint32_t s = p->ht[j];
		if (p->hash[s] == h && mt_pool_len(p, s) == n &&
		    !memcmp(p->e + p->off[s], a, n * sizeof *a)) {
			*id = s;
			return 0;
		}
		j = (j + 1) & (p->htcap - 1);
	}
	if (mt_pool_add(p, a, n, h, id))
		return -1;
	p->ht[j] = *id;
	p->nht++;
	if (p->nht * 2 > p->htcap && pool_rehash(p, p->htcap * 2))
		return -1;
	return 0;
}

void mt_pool_free(struct mt_pool *p)
{
	free(p->e);
	free(p->off);
	free(p->hash);
	free(p->ht);
}

/* ---- uint32 arrays ---------------------------------------------------------- */

int mt_u32vec_grow_(struct mt_u32vec *v)
{
	size_t nc = v->cap ? v->cap * 2 : 64;
	uint32_t *p = realloc(v->a, nc * sizeof *p);
	if (!p)
		return -1;
	v->a = p;
	v->cap = nc;
	return 0;
}

size_t mt_u32_sort_unique_big_(uint32_t *a, size_t k)
{
	size_t i, m = 0;
	qsort(a, k, sizeof *a, mt_cmp_u32);
	for (i = 0; i < k; i++)
		if (!m || a[m - 1] != a[i])
			a[m++] = a[i];
	return m;
}
