/* The set of objects of memtrack.mark() (mark.h). */
#include "config.h"

#include <link.h>
#include <stdlib.h>
#include <string.h>

#include "mark.h"

struct type_ix {
	uintptr_t tp;
	uint32_t ix;
};

struct range {
	uintptr_t lo, hi;
};

struct mt_mark {
	double time;
	size_t n;	/* keys */
	uint64_t *keys; /* grouped by bucket */
	uint32_t *dir;	/* nb + 1 bucket starts */
	unsigned lognb; /* nb = 1 << lognb */
	unsigned tbits; /* low bits of a key: the type index */
	uint64_t tmax;	/* the last type index, shared by the types past it */
	struct type_ix *types; /* sorted by tp */
	size_t ntypes;
	struct range *ranges; /* static storage at the mark, sorted */
	size_t nranges;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 1024;
	while (c < need)
		c = c / 2 * 3;
	if (c > SIZE_MAX / elem)
		return -1;
	void *q = realloc(*p, c * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

uint32_t mt_markb_type(mt_mark_builder *b, uintptr_t tp)
{
	if (b->ntypes >= MT_MARK_NOTYPE ||
	    grow((void **)&b->types, &b->types_cap, b->ntypes + 1,
		 sizeof *b->types) < 0)
		return MT_MARK_NOTYPE;
	b->types[b->ntypes] = tp;
	return (uint32_t)b->ntypes++;
}

void mt_markb_reserve(mt_mark_builder *b, size_t n)
{
	if (n <= b->cap || n > SIZE_MAX / sizeof *b->addr)
		return;
	uint64_t *a = realloc(b->addr, n * sizeof *a);
	if (!a)
		return;
	b->addr = a;
	uint32_t *ty = realloc(b->type, n * sizeof *ty);
	if (!ty)
		return;
	b->type = ty;
	b->cap = n;
}

int mt_markb_add(mt_mark_builder *b, uintptr_t addr, uint32_t t)
{
	if (b->n == b->cap) {
		size_t c = b->cap ? b->cap / 2 * 3 : 4096;
		if (c > SIZE_MAX / sizeof *b->addr)
			return -1;
		uint64_t *a = realloc(b->addr, c * sizeof *a);
		if (!a)
			return -1;
		b->addr = a;
		uint32_t *ty = realloc(b->type, c * sizeof *ty);
		if (!ty)
			return -1; /* addr grew, cap did not: no harm */
		b->type = ty;
		b->cap = c;
	}
	b->addr[b->n] = (uint64_t)addr;
	b->type[b->n] = t;
	b->n++;
	return 0;
}

void mt_markb_free(mt_mark_builder *b)
{
	free(b->addr);
	free(b->type);
	free(b->types);
	memset(b, 0, sizeof *b);
}

static inline uint64_t key_hash(uint64_t k)
{
	k ^= k >> 31;
	k *= UINT64_C(0x9e3779b97f4a7c15);
	k ^= k >> 29;
	k *= UINT64_C(0xbf58476d1ce4e5b9);
	return k ^ (k >> 32);
}

static inline size_t bucket(const mt_mark *m, uint64_t k)
{
	return m->lognb ? (size_t)(key_hash(k) >> (64 - m->lognb)) : 0;
}

struct ranges {
	struct range *r;
	size_t n, cap;
	int failed;
};

/* The writable PT_LOAD segments (.data, .bss) of each loaded object. */
static int phdr_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct ranges *rs = arg;
	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W) ||
		    !ph->p_memsz)
			continue;
		if (rs->n == rs->cap) {
			size_t c = rs->cap ? rs->cap * 2 : 64;
			struct range *r = realloc(rs->r, c * sizeof *r);
			if (!r) {
				rs->failed = 1;
				return 1;
			}
			rs->r = r;
			rs->cap = c;
		}
		uintptr_t lo = (uintptr_t)info->dlpi_addr + ph->p_vaddr;
		rs->r[rs->n].lo = lo;
		rs->r[rs->n].hi = lo + ph->p_memsz;
		rs->n++;
	}
	return 0;
}

static int range_cmp(const void *a, const void *b)
{
	uintptr_t x = ((const struct range *)a)->lo;
	uintptr_t y = ((const struct range *)b)->lo;
	return x < y ? -1 : x > y;
}

bool mt_mark_static(const mt_mark *m, uintptr_t addr)
{
	size_t lo = 0, hi = m->nranges;
	/* the last range starting at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->ranges[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && addr < m->ranges[lo - 1].hi;
}

static int type_cmp(const void *a, const void *b)
{
	uintptr_t x = ((const struct type_ix *)a)->tp;
	uintptr_t y = ((const struct type_ix *)b)->tp;
	return x < y ? -1 : x > y;
}

mt_mark *mt_mark_build(mt_mark_builder *b, double time)
{
	mt_mark *m = calloc(1, sizeof *m);
	if (!m)
		goto fail;
	m->time = time;
	m->n = b->n;
	struct ranges rs = {0};
	dl_iterate_phdr(phdr_cb, &rs);
	m->ranges = rs.r;
	m->nranges = rs.n;
	if (rs.failed)
		goto fail;
	qsort(m->ranges, m->nranges, sizeof *m->ranges, range_cmp);
	/* the type table, sorted by address */
	m->ntypes = b->ntypes;
	m->types = malloc((b->ntypes ? b->ntypes : 1) * sizeof *m->types);
	if (!m->types)
		goto fail;
	/* key layout: the highest address decides the type bits */
	uint64_t maxa = 0;
	for (size_t i = 0; i < b->n; i++)
		if (b->addr[i] > maxa)
			maxa = b->addr[i];
	unsigned abits = (maxa >> 3) ? 64 - (unsigned)__builtin_clzll(maxa >> 3)
				     : 1;
	/* at most 31: an index never reaches MT_MARK_NOTYPE */
	m->tbits = 64 - abits > 31 ? 31 : 64 - abits;
	m->tmax = (UINT64_C(1) << m->tbits) - 1; /* tbits >= 3 */
	for (size_t i = 0; i < b->ntypes; i++) {
		m->types[i].tp = b->types[i];
		m->types[i].ix = (uint32_t)(i < m->tmax ? i : m->tmax);
	}
	qsort(m->types, m->ntypes, sizeof *m->types, type_cmp);
	/* keys in place of the addresses */
	uint64_t *k = b->addr;
	for (size_t i = 0; i < b->n; i++) {
		uint64_t t = b->type[i] < m->tmax ? b->type[i] : m->tmax;
		k[i] = (k[i] >> 3) << m->tbits | t;
	}
	/* about 4 keys a bucket */
	while (m->lognb < 40 && (UINT64_C(1) << m->lognb) * 4 < b->n)
		m->lognb++;
	size_t nb = (size_t)1 << m->lognb;
	m->dir = calloc(nb + 1, sizeof *m->dir);
	m->keys = malloc((b->n ? b->n : 1) * sizeof *m->keys);
	if (!m->dir || !m->keys)
		goto fail;
	for (size_t i = 0; i < b->n; i++)
		m->dir[bucket(m, k[i]) + 1]++;
	for (size_t j = 0; j < nb; j++)
		m->dir[j + 1] += m->dir[j];
	/* dir[j] is bucket j's start: place each key at dir[j]++, after
	 * which dir[j] is bucket j + 1's start; shift back */
	for (size_t i = 0; i < b->n; i++)
		m->keys[m->dir[bucket(m, k[i])]++] = k[i];
	memmove(m->dir + 1, m->dir, nb * sizeof *m->dir);
	m->dir[0] = 0;
	mt_markb_free(b);
	return m;
fail:
	mt_markb_free(b);
	mt_mark_free(m);
	return NULL;
}

void mt_mark_free(mt_mark *m)
{
	if (!m)
		return;
	free(m->keys);
	free(m->dir);
	free(m->types);
	free(m->ranges);
	free(m);
}

uint32_t mt_mark_type(const mt_mark *m, uintptr_t tp)
{
	size_t lo = 0, hi = m->ntypes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->types[mid].tp < tp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->ntypes && m->types[lo].tp == tp ? m->types[lo].ix
						       : MT_MARK_NOTYPE;
}

void mt_mark_prefetch(const mt_mark *m, uintptr_t addr, uint32_t t, int stage)
{
	uint64_t a = (uint64_t)addr >> 3;
	if (t == MT_MARK_NOTYPE || a >> (64 - m->tbits))
		return;
	size_t b = bucket(m, a << m->tbits | t);
	if (stage == 0)
		__builtin_prefetch(&m->dir[b]);
	else
		__builtin_prefetch(&m->keys[m->dir[b]]);
}

bool mt_mark_has(const mt_mark *m, uintptr_t addr, uint32_t t)
{
	if (t == MT_MARK_NOTYPE)
		return false;
	uint64_t a = (uint64_t)addr >> 3;
	/* an address above every marked one */
	if (a >> (64 - m->tbits))
		return false;
	uint64_t k = a << m->tbits | t;
	size_t b = bucket(m, k);
	for (uint32_t i = m->dir[b]; i < m->dir[b + 1]; i++)
		if (m->keys[i] == k)
			return true;
	return false;
}

size_t mt_mark_count(const mt_mark *m) { return m->n; }

size_t mt_mark_bytes(const mt_mark *m)
{
	return sizeof *m + m->n * sizeof *m->keys +
	       (((size_t)1 << m->lognb) + 1) * sizeof *m->dir +
	       m->ntypes * sizeof *m->types + m->nranges * sizeof *m->ranges;
}

double mt_mark_time(const mt_mark *m) { return m->time; }
