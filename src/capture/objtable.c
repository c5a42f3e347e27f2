/* mt_objtable: dense ids for addresses; see objtable.h for the layout and
 * the memory bound.  A key's region (key >> 16) is found in the directory
 * (open addressing, power of two, load at most 1/2); the region's own table
 * is probed linearly from a multiply-high reduction of a hash of the key's
 * low 16 bits, comparing those bits in the slot. */
#include "config.h"

#include "objtable.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MIN_DIR 64
#define MIN_SLOTS 1024
#define REGION_MASK (((uintptr_t)1 << MT_OBJTABLE_REGION_BITS) - 1)

static size_t region_size(uint32_t nslots)
{
	return sizeof(mt_objregion) +
	       (size_t)nslots * (sizeof(uint32_t) + sizeof(uint16_t));
}

int mt_objtable_init(mt_objtable *t, size_t expected)
{
	memset(t, 0, sizeof(*t));
	/* one region per 64 KiB: objects of about 64 bytes on average fill
	 * about 1000 per region, so expected / 512 directory slots keep the
	 * load near 1/2 */
	size_t cap = MIN_DIR;
	while (cap < expected / 512 && cap < ((size_t)1 << 30))
		cap *= 2;
	t->dir = calloc(cap, sizeof(*t->dir));
	if (!t->dir)
		return -1;
	t->dir_cap = cap;
	return 0;
}

#define CHUNK_BYTES (MT_OBJTABLE_CHUNK * sizeof(uintptr_t))

/* A chunk of the key array or a piece of the tables' arena: CHUNK_BYTES
 * (2 MiB) mapped at a multiple of its size, with MADV_HUGEPAGE if huge, so
 * that filling it takes one page fault instead of 512 (they were 6% of a
 * dump).  Resident once touched, like malloc's.  NULL when out of memory. */
static uintptr_t *chunk_new(int huge)
{
	size_t b = CHUNK_BYTES;
	char *p = mmap(NULL, 2 * b, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	char *a = (char *)(((uintptr_t)p + b - 1) & ~(uintptr_t)(b - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (a + b < p + 2 * b)
		munmap(a + b, (size_t)(p + 2 * b - (a + b)));
#ifdef MADV_HUGEPAGE
	if (huge)
		(void)madvise(a, b, MADV_HUGEPAGE);
#else
	(void)huge;
#endif
	return (uintptr_t *)a;
}

/* The size class of a table of n slots (MIN_SLOTS * (3/2)^k, the sizes
 * region_grow makes), or MT_OBJTABLE_CLASSES for any other size. */
static unsigned size_class(uint32_t n)
{
	uint32_t c = MIN_SLOTS;
	for (unsigned k = 0; k < MT_OBJTABLE_CLASSES; k++, c += c / 2)
		if (c == n)
			return k;
	return MT_OBJTABLE_CLASSES;
}

/* A piece of the arena: 2 MiB at a multiple of 2 MiB, this header first,
 * then tables of one size class carved in order, `block` bytes each. */
struct mt_objpiece {
	struct mt_objpiece *next; /* in t->empty */
	size_t used;		  /* bytes carved, the header included */
	size_t block;		  /* bytes of each table (0: sizes vary) */
	uint32_t live;		  /* tables in use */
	uint8_t cls;
	uint8_t dirty; /* reused: its tables must be cleared */
};

#define PIECE_HDR ((sizeof(struct mt_objpiece) + 63) & ~(size_t)63)
#define SMALL_PIECES 8

static struct mt_objpiece *piece_of(const mt_objregion *r)
{
	return (struct mt_objpiece *)((uintptr_t)r &
				      ~(uintptr_t)(CHUNK_BYTES - 1));
}

/* A piece for class k: an emptied one, else a new mapping.  NULL when out
 * of memory. */
static struct mt_objpiece *piece_new(mt_objtable *t, unsigned k)
{
	struct mt_objpiece *p = t->empty;
	if (p) {
		t->empty = p->next;
		p->dirty = 1;
	} else {
		if (t->narena == t->arena_cap) {
			size_t cap = t->arena_cap ? t->arena_cap * 2 : 16;
			char **na = realloc(t->arena, cap * sizeof(*na));
			if (!na)
				return NULL;
			t->arena = na;
			t->arena_cap = cap;
		}
		/* the first pieces in small pages: a whole huge page per
		 * piece still being filled (one per size class) and per piece
		 * emptying was 3 bytes an object at 1M objects */
		p = (struct mt_objpiece *)(void *)chunk_new(t->narena >=
							    SMALL_PIECES);
		if (!p)
			return NULL;
		t->arena[t->narena++] = (char *)p;
		p->dirty = 0; /* a fresh mapping is zero */
	}
	p->next = NULL;
	p->used = PIECE_HDR;
	p->block = 0;
	p->live = 0;
	p->cls = (uint8_t)k;
	return p;
}

/* A table of nslots slots for region region1, all empty, carved from the
 * current piece of its size class.  NULL when out of memory (the table
 * unchanged). */
static mt_objregion *region_new(mt_objtable *t, uint32_t nslots,
				uintptr_t region1)
{
	unsigned k = size_class(nslots);
	/* a table is at most 6 * 2^16 * 4/3 * 3/2 bytes: a piece holds it */
	size_t b = (region_size(nslots) + 63) & ~(size_t)63;
	struct mt_objpiece *p = t->cur[k];
	if (!p || p->used + b > CHUNK_BYTES) {
		if (!(p = piece_new(t, k)))
			return NULL;
		t->cur[k] = p;
	}
	mt_objregion *r = (mt_objregion *)(void *)((char *)p + p->used);
	p->block = k < MT_OBJTABLE_CLASSES ? b : 0;
	p->used += b;
	p->live++;
	if (p->dirty)
		memset(r->ids, 0, nslots * sizeof(uint32_t));
	r->nslots = nslots;
	r->count = 0;
	r->region1 = region1;
	r->offs = (uint16_t *)(r->ids + nslots);
	return r;
}

static mt_objdirent *dir_slot(const mt_objtable *t, uintptr_t r1);

/* Moves the tables still in use in p (not the current piece of its class)
 * to that current piece, each directory entry following its table, and
 * puts p in `empty` once none is left.  Stops where memory runs out (the
 * tables not moved stay valid where they are). */
static void piece_evacuate(mt_objtable *t, struct mt_objpiece *p)
{
	for (size_t off = PIECE_HDR; p->live && off + p->block <= p->used;
	     off += p->block) {
		mt_objregion *r = (mt_objregion *)(void *)((char *)p + off);
		if (!r->nslots)
			continue;
		mt_objregion *n = region_new(t, r->nslots, r->region1);
		if (!n)
			return;
		memcpy(n->ids, r->ids,
		       (size_t)r->nslots * (sizeof(uint32_t) + sizeof(uint16_t)));
		n->count = r->count;
		dir_slot(t, r->region1)->r = n;
		if (t->last == r)
			t->last = n;
		r->nslots = 0;
		p->live--;
	}
	if (!p->live) {
		p->next = t->empty;
		t->empty = p;
	}
}

/* Gives r back (r->nslots 0 marks it given back).  Once every table of its
 * piece is given back, the piece serves any size class again; a piece
 * left half full or less has its tables moved to the current piece
 * first.  The tables of one size tend to grow together, but the few that
 * do not would keep their pieces: kept as they were, the 1024-slot tables
 * of a benchmark-heap dump held 32 MB of pieces at the end, for 0.2 MB
 * of tables in use. */
static void region_free(mt_objtable *t, mt_objregion *r)
{
	struct mt_objpiece *p = piece_of(r);
	r->nslots = 0;
	if (--p->live == 0) {
		if (t->cur[p->cls] == p) {
			p->used = PIECE_HDR;
			p->dirty = 1;
		} else {
			p->next = t->empty;
			t->empty = p;
		}
	} else if (p->block && t->cur[p->cls] != p &&
		   (size_t)p->live * 2 <= (CHUNK_BYTES - PIECE_HDR) / p->block) {
		piece_evacuate(t, p);
	}
}

void mt_objtable_destroy(mt_objtable *t)
{
	for (size_t i = 0; i < t->nchunks; i++)
		munmap(t->chunks[i], CHUNK_BYTES);
	free(t->chunks);
	for (size_t i = 0; i < t->narena; i++)
		munmap(t->arena[i], CHUNK_BYTES);
	free(t->arena);
	free(t->dir);
	memset(t, 0, sizeof(*t));
}

/* Doubles the directory.  Returns 0, or -1 (the directory unchanged). */
static int dir_grow(mt_objtable *t)
{
	size_t cap = t->dir_cap * 2;
	mt_objdirent *d = calloc(cap, sizeof(*d));
	if (!d)
		return -1;
	mt_objdirent *old = t->dir;
	size_t oldcap = t->dir_cap;
	t->dir = d;
	t->dir_cap = cap;
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].region1)
			continue;
		size_t j = mt_objtable_dirhome(t, old[i].region1);
		while (d[j].region1)
			j = (j + 1) & (cap - 1);
		d[j] = old[i];
	}
	free(old);
	return 0;
}

/* The directory slot of key's region: its entry, or the empty slot where
 * it would go. */
static mt_objdirent *dir_slot(const mt_objtable *t, uintptr_t r1)
{
	size_t i = mt_objtable_dirhome(t, r1);
	while (t->dir[i].region1 && t->dir[i].region1 != r1)
		i = (i + 1) & (t->dir_cap - 1);
	return &t->dir[i];
}

/* The table of key's region, made (empty) if it has none.  NULL when out
 * of memory (the table unchanged). */
static mt_objregion *region_get(mt_objtable *t, uintptr_t key)
{
	uintptr_t r1 = (key >> MT_OBJTABLE_REGION_BITS) + 1;
	if (r1 == t->last_region1)
		return t->last;
	mt_objdirent *e = dir_slot(t, r1);
	if (!e->region1) {
		if ((t->ndir + 1) * 2 > t->dir_cap) {
			if (dir_grow(t) < 0)
				return NULL;
			e = dir_slot(t, r1);
		}
		mt_objregion *r = region_new(t, MIN_SLOTS, r1);
		if (!r)
			return NULL;
		e->region1 = r1;
		e->r = r;
		t->ndir++;
	}
	t->last_region1 = r1;
	t->last = e->r;
	return e->r;
}

/* Probes r for the low bits off: returns 1 with *id set, or 0 with *at set
 * to the empty slot that ends the run. */
static inline int probe(const mt_objregion *r, uint16_t off, uint32_t *id,
			uint32_t *at)
{
	uint32_t n = r->nslots, i = mt_objtable_home(n, off), s;
	while ((s = r->ids[i]) != 0) {
		if (r->offs[i] == off) {
			*id = s - 1;
			return 1;
		}
		if (++i == n)
			i = 0;
	}
	*at = i;
	return 0;
}

/* Replaces the table of the region whose directory slot is e by one 3/2 as
 * big (twice below 1024 slots: never, with MIN_SLOTS at 1024).  Returns the new table, or NULL (nothing changed). */
static mt_objregion *region_grow(mt_objtable *t, mt_objdirent *e)
{
	mt_objregion *old = e->r;
	uint32_t n = old->nslots < 1024 ? old->nslots * 2
					: old->nslots + old->nslots / 2;
	mt_objregion *r = region_new(t, n, old->region1);
	if (!r)
		return NULL;
	for (uint32_t i = 0; i < old->nslots; i++) {
		if (!old->ids[i])
			continue;
		uint32_t j = mt_objtable_home(n, old->offs[i]);
		while (r->ids[j])
			if (++j == n)
				j = 0;
		r->ids[j] = old->ids[i];
		r->offs[j] = old->offs[i];
	}
	r->count = old->count;
	e->r = r;
	if (t->last_region1 == e->region1)
		t->last = r;
	region_free(t, old);
	return r;
}

int mt_objtable_find(const mt_objtable *t, uintptr_t key, uint32_t *id)
{
	const mt_objregion *r = mt_objtable_region(t, key);
	uint32_t at;
	return r && probe(r, (uint16_t)(key & REGION_MASK), id, &at);
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
		t->chunks[c] = chunk_new(1);
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
	mt_objregion *r = region_get(t, key);
	if (!r)
		return -1;
	uint16_t off = (uint16_t)(key & REGION_MASK);
	uint32_t i;
	if (probe(r, off, id, &i))
		return 0;
	/* grow before the insertion that would pass a load of 3/4: on any
	 * failure the table is left unchanged (never full, so probes end) */
	if (((size_t)r->count + 1) * 4 > (size_t)r->nslots * 3) {
		mt_objdirent *e =
		    dir_slot(t, (key >> MT_OBJTABLE_REGION_BITS) + 1);
		r = region_grow(t, e);
		if (!r)
			return -1;
		i = mt_objtable_home(r->nslots, off);
		while (r->ids[i])
			if (++i == r->nslots)
				i = 0;
	}
	if (push_key(t, key, id) < 0)
		return -1;
	r->ids[i] = *id + 1;
	r->offs[i] = off;
	r->count++;
	t->hashed++;
	return 1;
}

size_t mt_objtable_bytes(const mt_objtable *t)
{
	return (t->nchunks + t->narena) * CHUNK_BYTES +
	       t->chunks_cap * sizeof(uintptr_t *) +
	       t->arena_cap * sizeof(char *) +
	       t->dir_cap * sizeof(mt_objdirent);
}
