/* The ClassTracker's C core: memtrack._memtrack._Registry.
 *
 * A Registry owns the tracked objects of one ClassTracker as a flat array of
 * entries (one per tracked instance, in the order they were tracked: no
 * Python object is made per instance unless trace=True), a hash table from
 * the memory block of each live entry to its index, the snapshot records,
 * and the periodic-snapshot thread.
 *
 * Creation: track_class() puts an InitHook in the class's `__init__`: a C
 * method descriptor (vectorcall) that records the instance, then calls the
 * original `__init__` (pympler's semantics: the most derived tracked class
 * wins, an instance already tracked is not tracked again).
 *
 * Destruction: a hook on the PyObject allocator (PYMEM_DOMAIN_OBJ) looks
 * every freed block up in the live tables, so the death time is exact and
 * no weak reference is needed (`__slots__` classes without `__weakref__`
 * work).  The hook chains to the allocator it replaced; it is installed
 * once and stays (passing through) when no Registry is live, and when
 * another hook (tracemalloc) was installed on top of it.  When it finds
 * itself out of the chain (tracemalloc stopped after memtrack hooked over
 * it) it installs itself again and checks the live entries against the GC
 * lists: an entry not found there died at an unknown time in between.
 *
 * Sizes (snapshot): an iterative depth-first walk from each live entry, in
 * tracking order, with one `seen` set per snapshot (shared objects count
 * once, for the earliest tracked) and the other live tracked objects
 * excluded.  Referents: an instance's `__dict__` (a real dict, or the
 * inline values read in place, never materialised), `__class__` (size 0)
 * and slots; the items of dicts, lists, tuples, sets; tp_traverse for other
 * containers of C types.  Types, functions, methods and code count 0 and
 * are not entered (asizeof's default); modules count their flat size and are
 * not entered.  No Python code runs and no Python object is made while
 * sizing: the Asized tree of levels >= 1 is built in C and turned into
 * tuples afterwards.
 */
#include "config.h"

#include "modhooks.h"
#include "pyint.h"
#include "walkpriv.h"

#if MT_PY_LAYOUT_KNOWN

#include <frameobject.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <structmember.h>
#include <time.h>
#include <unistd.h>

#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *trk_newref(PyObject *o)
{
	Py_INCREF(o);
	return o;
}
#define Py_NewRef trk_newref
#endif

#define TRK_MAX_REGS 64
#define TRK_MAX_INSTALLS 16
#define TRK_REPR_MAX 80

/* ---- time ----------------------------------------------------------------- */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- open addressing sets of addresses ----------------------------------- */

/* Map from a non-zero address to a uint32_t value; linear probing, deletion
 * by backward shift.  cap is a power of two (or 0). */
typedef struct trk_map {
	uintptr_t *keys;
	uint32_t *vals;
	size_t n, cap;
} trk_map;

static inline size_t addr_hash(uintptr_t p)
{
	uint64_t h = (uint64_t)p * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 20);
}

static int map_grow(trk_map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	uintptr_t *nk = calloc(ncap, sizeof *nk);
	uint32_t *nv = malloc(ncap * sizeof *nv);
	if (!nk || !nv) {
		free(nk);
		free(nv);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t j = addr_hash(m->keys[i]) & (ncap - 1);
		while (nk[j])
			j = (j + 1) & (ncap - 1);
		nk[j] = m->keys[i];
		nv[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = nk;
	m->vals = nv;
	m->cap = ncap;
	return 0;
}

/* Room for n keys without growing.  0, or -1 when out of memory. */
static int map_reserve(trk_map *m, size_t n)
{
	while ((n + 1) * 2 > m->cap)
		if (map_grow(m) < 0)
			return -1;
	return 0;
}

/* Slot of key, or -1. */
static inline long map_find(const trk_map *m, uintptr_t key)
{
	if (!m->n)
		return -1;
	size_t j = addr_hash(key) & (m->cap - 1);
	while (m->keys[j]) {
		if (m->keys[j] == key)
			return (long)j;
		j = (j + 1) & (m->cap - 1);
	}
	return -1;
}

/* Inserts or replaces.  0, or -1 when out of memory. */
static int map_put(trk_map *m, uintptr_t key, uint32_t val)
{
	if ((m->n + 1) * 2 > m->cap && map_grow(m) < 0)
		return -1;
	size_t j = addr_hash(key) & (m->cap - 1);
	while (m->keys[j] && m->keys[j] != key)
		j = (j + 1) & (m->cap - 1);
	if (!m->keys[j])
		m->n++;
	m->keys[j] = key;
	m->vals[j] = val;
	return 0;
}

/* Adds key; 1 if it was new, 0 if present, -1 out of memory. */
static int set_add(trk_map *m, uintptr_t key)
{
	if ((m->n + 1) * 2 > m->cap && map_grow(m) < 0)
		return -1;
	size_t j = addr_hash(key) & (m->cap - 1);
	while (m->keys[j]) {
		if (m->keys[j] == key)
			return 0;
		j = (j + 1) & (m->cap - 1);
	}
	m->keys[j] = key;
	m->vals[j] = 0;
	m->n++;
	return 1;
}

static void map_del_slot(trk_map *m, size_t j)
{
	size_t mask = m->cap - 1;
	m->keys[j] = 0;
	m->n--;
	for (size_t k = (j + 1) & mask; m->keys[k]; k = (k + 1) & mask) {
		size_t h = addr_hash(m->keys[k]) & mask;
		/* can the entry at k move to the hole j? */
		if ((k > j && (h <= j || h > k)) ||
		    (k < j && h <= j && h > k)) {
			m->keys[j] = m->keys[k];
			m->vals[j] = m->vals[k];
			m->keys[k] = 0;
			j = k;
		}
	}
}

static void map_clear(trk_map *m)
{
	if (m->cap)
		memset(m->keys, 0, m->cap * sizeof *m->keys);
	m->n = 0;
}

static void map_free(trk_map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

/* The live blocks of a registry: block -> entry index, with an exact
 * bitmap per 4 KiB page in front of it (one bit per 16-byte granule: a
 * tracked block is an object, at least 16 bytes, so no two share a
 * granule).  The free hook tests the bit, in a table small enough to stay
 * in cache, and looks the big map up only for a tracked block. */
typedef struct trk_live {
	trk_map map;   /* block -> entry index */
	trk_map pages; /* page number + 1 -> index in bits */
	uint64_t (*bits)[4];
	size_t nbits, bits_cap;
} trk_live;

static inline uint64_t *live_page(const trk_live *l, uintptr_t block)
{
	long j = map_find(&l->pages, (block >> 12) + 1);
	return j < 0 ? NULL : l->bits[l->pages.vals[j]];
}

/* Slot of block in l->map, or -1. */
static inline long live_find(const trk_live *l, uintptr_t block)
{
	if (!l->map.n)
		return -1;
	uint64_t *b = live_page(l, block);
	unsigned g = (unsigned)(block >> 4) & 255u;
	if (!b || !((b[g >> 6] >> (g & 63)) & 1))
		return -1;
	return map_find(&l->map, block);
}

static int live_put(trk_live *l, uintptr_t block, uint32_t idx)
{
	uint64_t *b = live_page(l, block);
	if (!b) {
		if (l->nbits == l->bits_cap) {
			size_t nc = l->bits_cap ? l->bits_cap * 2 : 64;
			void *q = realloc(l->bits, nc * sizeof *l->bits);
			if (!q)
				return -1;
			l->bits = q;
			l->bits_cap = nc;
		}
		if (map_put(&l->pages, (block >> 12) + 1, (uint32_t)l->nbits) <
		    0)
			return -1;
		b = l->bits[l->nbits++];
		memset(b, 0, sizeof *l->bits);
	}
	if (map_put(&l->map, block, idx) < 0)
		return -1;
	unsigned g = (unsigned)(block >> 4) & 255u;
	b[g >> 6] |= (uint64_t)1 << (g & 63);
	return 0;
}

static void live_del_slot(trk_live *l, size_t slot)
{
	uintptr_t block = l->map.keys[slot];
	uint64_t *b = live_page(l, block);
	unsigned g = (unsigned)(block >> 4) & 255u;
	if (b)
		b[g >> 6] &= ~((uint64_t)1 << (g & 63));
	map_del_slot(&l->map, slot);
}

static void live_clear(trk_live *l)
{
	map_clear(&l->map);
	if (l->nbits)
		memset(l->bits, 0, l->nbits * sizeof *l->bits);
}

static void live_free(trk_live *l)
{
	map_free(&l->map);
	map_free(&l->pages);
	free(l->bits);
	memset(l, 0, sizeof *l);
}

/* ---- the registry's records ---------------------------------------------- */

/* A size sample of one entry at one snapshot. */
typedef struct trk_sample {
	double t;
	uint64_t size, flat;
	PyObject *tree; /* (name, size, flat, (children...)) or NULL */
} trk_sample;

/* One tracked object. */
typedef struct trk_entry {
	PyObject *obj; /* address; a strong reference only with keep */
	uintptr_t block;
	double birth, death; /* death: NAN while alive */
	uint32_t name;	     /* index in names */
	uint32_t type;	     /* index in types */
	uint32_t basic;	     /* flat size at birth */
	uint8_t level, keep, alive, lost;
	PyObject *trace; /* tuple of (file, line, func) or NULL */
	trk_sample *samples;
	uint32_t nsamples, samples_cap;
} trk_entry;

typedef struct trk_snap {
	double t;
	PyObject *desc;
	uint64_t tracked_total;
	int64_t asizeof_total, rss, vms; /* -1: not known */
} trk_snap;

typedef struct Registry {
	PyObject_HEAD trk_entry *e;
	size_t n, cap;
	trk_live live; /* block -> entry index, live entries only */
	size_t nlive;
	PyObject *names;      /* list of str */
	PyObject *name_index; /* dict str -> int */
	PyObject *types;      /* list of types */
	trk_map type_index;   /* type address -> index in types */
	trk_snap *snaps;
	size_t nsnaps, snaps_cap;
	/* the sizer's sets, kept between snapshots (cleared, not freed: fresh
	 * pages cost more than a memset) */
	trk_map seen_keep, excl_keep;
	int slot; /* index in g_regs */
	/* periodic snapshots */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int running, stop;
	double interval;
} Registry;

static PyTypeObject Registry_Type;

/* Live registries, for the free hook (the GIL serialises every access). */
static Registry *g_regs[TRK_MAX_REGS];
static size_t g_nregs;
static size_t g_live_total; /* sum of nlive: the free hook's fast test */

/* ---- the allocator hook -------------------------------------------------- */

typedef struct trk_install {
	PyMemAllocatorEx prev;
} trk_install;

static trk_install g_inst[TRK_MAX_INSTALLS];
static size_t g_ninst;
static trk_install *g_top; /* our installation that is, or was, on top */
static void *g_probe;
static int g_probe_seen;

static void entry_died(Registry *r, size_t idx, double t)
{
	trk_entry *e = &r->e[idx];
	e->alive = 0;
	e->death = t;
	r->nlive--;
	g_live_total--;
}

static void hook_free_block(void *p)
{
	if (p == g_probe)
		g_probe_seen = 1;
	if (!g_live_total || !p)
		return;
	double t = 0;
	for (size_t i = 0; i < g_nregs; i++) {
		Registry *r = g_regs[i];
		if (!r || !r->nlive)
			continue;
		long j = live_find(&r->live, (uintptr_t)p);
		if (j < 0)
			continue;
		uint32_t idx = r->live.map.vals[j];
		live_del_slot(&r->live, (size_t)j);
		if (t == 0)
			t = now();
		entry_died(r, idx, t);
	}
}

/* The last block allocated through a hook (under the GIL, as every
 * PYMEM_DOMAIN_OBJ call): an instance that is this block came through the
 * hook, so the hook is still in the chain (reg_track's fast path). */
static void *g_last_alloc;

static void *hook_malloc(void *ctx, size_t n)
{
	trk_install *in = ctx;
	return g_last_alloc = in->prev.malloc(in->prev.ctx, n);
}

static void *hook_calloc(void *ctx, size_t n, size_t s)
{
	trk_install *in = ctx;
	return g_last_alloc = in->prev.calloc(in->prev.ctx, n, s);
}

/* An object of a tracked class moved by realloc: CPython reallocates only
 * exact builtins' storage (tuples, bytes, str being built), never an
 * instance of a Python class, so a tracked block is treated as freed. */
static void *hook_realloc(void *ctx, void *p, size_t n)
{
	trk_install *in = ctx;
	void *q = in->prev.realloc(in->prev.ctx, p, n);
	if (q && q != p)
		hook_free_block(p);
	return q;
}

static void hook_free(void *ctx, void *p)
{
	trk_install *in = ctx;
	hook_free_block(p);
	in->prev.free(in->prev.ctx, p);
}

static int hook_is_top(void)
{
	PyMemAllocatorEx cur;
	PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &cur);
	return cur.free == hook_free && cur.ctx == g_top;
}

/* Whether a free through PyObject_Free reaches one of our hooks. */
static int hook_in_chain(void)
{
	void *p = PyObject_Malloc(1);
	if (!p)
		return 1; /* cannot tell: assume so */
	g_probe = p;
	g_probe_seen = 0;
	PyObject_Free(p);
	g_probe = NULL;
	return g_probe_seen;
}

static int gc_mark_cb(void *arg, PyObject *o)
{
	trk_map *found = arg;
	(void)set_add(found, (uintptr_t)o);
	return 0;
}

/* After the hook was out of the chain: every live entry not in the GC lists
 * (or whose type changed) died at an unknown time before t, and so did an
 * entry at the address of `fresh` (an object being initialised now, so new
 * at an address reused; may be NULL). */
static void check_lost(double t, PyObject *fresh)
{
	trk_map found = {0};
	if (!g_live_total)
		return;
	mt_py_gc_foreach(gc_mark_cb, &found);
	for (size_t i = 0; i < g_nregs; i++) {
		Registry *r = g_regs[i];
		if (!r)
			continue;
		for (size_t k = 0; k < r->n; k++) {
			trk_entry *e = &r->e[k];
			if (!e->alive)
				continue;
			if (e->obj != fresh &&
			    map_find(&found, (uintptr_t)e->obj) >= 0 &&
			    Py_TYPE(e->obj) == (PyTypeObject *)PyList_GET_ITEM(
						   r->types, e->type))
				continue;
			long j = live_find(&r->live, e->block);
			if (j >= 0)
				live_del_slot(&r->live, (size_t)j);
			e->lost = 1;
			entry_died(r, k, t);
		}
	}
	map_free(&found);
}

/* Makes sure the free hook sees PyObject_Free (fresh: see check_lost).
 * 0, or -1 with an exception. */
static int hook_ensure(PyObject *fresh)
{
	if (g_top && hook_is_top())
		return 0;
	if (g_top && hook_in_chain())
		return 0;
	if (g_ninst == TRK_MAX_INSTALLS) {
		PyErr_SetString(PyExc_RuntimeError,
				"memtrack: the allocator hook was removed too "
				"many times");
		return -1;
	}
	trk_install *in = &g_inst[g_ninst++];
	PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &in->prev);
	PyMemAllocatorEx mine = {in, hook_malloc, hook_calloc, hook_realloc,
				 hook_free};
	PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &mine);
	int again = g_top != NULL;
	g_top = in;
	if (again)
		check_lost(now(), fresh);
	return 0;
}

/* ---- entries -------------------------------------------------------------- */

/* asizeof.basicsize's meaning at birth (pympler's first sample): the
 * type's basic and item sizes with the GC header and pre-header, rounded
 * up to 8 (cheap: no table lookup on the creation path). */
static size_t birth_size(PyObject *o)
{
	return (mt_basic_size(o) + mt_py_presize(o) + 7) & ~(size_t)7;
}

static int name_id(Registry *r, PyObject *name, uint32_t *out)
{
	PyObject *v = PyDict_GetItemWithError(r->name_index, name);
	if (v) {
		*out = (uint32_t)PyLong_AsUnsignedLong(v);
		return 0;
	}
	if (PyErr_Occurred())
		return -1;
	Py_ssize_t n = PyList_GET_SIZE(r->names);
	PyObject *i = PyLong_FromSsize_t(n);
	if (!i || PyDict_SetItem(r->name_index, name, i) < 0 ||
	    PyList_Append(r->names, name) < 0) {
		Py_XDECREF(i);
		return -1;
	}
	Py_DECREF(i);
	*out = (uint32_t)n;
	return 0;
}

static int type_id(Registry *r, PyTypeObject *t, uint32_t *out)
{
	long j = map_find(&r->type_index, (uintptr_t)t);
	if (j >= 0) {
		*out = r->type_index.vals[j];
		return 0;
	}
	Py_ssize_t n = PyList_GET_SIZE(r->types);
	if (PyList_Append(r->types, (PyObject *)t) < 0)
		return -1;
	if (map_put(&r->type_index, (uintptr_t)t, (uint32_t)n) < 0) {
		PyErr_NoMemory();
		return -1;
	}
	*out = (uint32_t)n;
	return 0;
}

/* The instantiation stack, oldest frame first, without the innermost
 * `skip` frames. */
static PyObject *stack_trace(int skip)
{
	PyObject *l = PyList_New(0);
	if (!l)
		return NULL;
	PyFrameObject *f = PyEval_GetFrame();
	Py_XINCREF(f);
	while (f) {
		if (skip > 0) {
			skip--;
		} else {
			PyCodeObject *co = PyFrame_GetCode(f);
			PyObject *t = Py_BuildValue("(OiO)", co->co_filename,
						    PyFrame_GetLineNumber(f),
						    co->co_name);
			Py_DECREF(co);
			if (!t || PyList_Append(l, t) < 0) {
				Py_XDECREF(t);
				Py_DECREF(f);
				Py_DECREF(l);
				return NULL;
			}
			Py_DECREF(t);
		}
		PyFrameObject *b = PyFrame_GetBack(f);
		Py_DECREF(f);
		f = b;
	}
	if (PyList_Reverse(l) < 0) {
		Py_DECREF(l);
		return NULL;
	}
	PyObject *t = PyList_AsTuple(l);
	Py_DECREF(l);
	return t;
}

/* Whether the release of o is seen by the free hook: its memory goes back
 * through PyObject_Free (no free list, no other allocator).  Instances of
 * Python classes, and of C types that support weak references (what
 * pympler accepts) released by PyObject_Free / PyObject_GC_Del. */
static int trackable(PyObject *o)
{
	PyTypeObject *t = Py_TYPE(o);
	if (t->tp_free != PyObject_GC_Del && t->tp_free != PyObject_Free)
		return 0;
	return (t->tp_flags & Py_TPFLAGS_HEAPTYPE) || t->tp_weaklistoffset;
}

/* Tracks o unless a live entry has it.  Returns 1 tracked, 0 already
 * tracked or (from the __init__ hook) not trackable, -1 with an
 * exception. */
static int reg_track(Registry *r, PyObject *o, uint32_t name, int level,
		     int keep, int trace, int skip)
{
	if (!trackable(o)) {
		if (skip < 0)
			return 0;
		PyErr_Format(PyExc_TypeError,
			     "memtrack cannot track %.100s objects: their "
			     "release is not seen (a free list or another "
			     "allocator)",
			     Py_TYPE(o)->tp_name);
		return -1;
	}
	uintptr_t block = (uintptr_t)o - mt_py_presize(o);
	/* first: a release the hook missed may have freed this address (an
	 * instance just allocated through the hook needs no check: the hook
	 * is in the chain) */
	if (!(g_top && skip < 0 && block == (uintptr_t)g_last_alloc) &&
	    hook_ensure(skip < 0 ? o : NULL) < 0)
		return -1;
	if (skip < 0)
		skip = 0;
	if (r->nlive && live_find(&r->live, block) >= 0)
		return 0;
	size_t ntypes = (size_t)PyList_GET_SIZE(r->types);
	/* Python objects are made first (the trace, the type's slot): a
	 * collection they start can run __del__ methods that track objects
	 * too, so the array is grown only afterwards */
	PyObject *tr = NULL;
	if (trace && !(tr = stack_trace(skip)))
		return -1;
	uint32_t tid;
	if (type_id(r, Py_TYPE(o), &tid) < 0) {
		Py_XDECREF(tr);
		return -1;
	}
	/* Python code may have run only if a trace or a type entry was made */
	if ((tr || (size_t)PyList_GET_SIZE(r->types) != ntypes) && r->nlive &&
	    live_find(&r->live, block) >= 0) {
		Py_XDECREF(tr);
		return 0;
	}
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 256;
		trk_entry *ne = realloc(r->e, ncap * sizeof *ne);
		if (!ne) {
			Py_XDECREF(tr);
			PyErr_NoMemory();
			return -1;
		}
		r->e = ne;
		r->cap = ncap;
	}
	if (r->n >= UINT32_MAX ||
	    live_put(&r->live, block, (uint32_t)r->n) < 0) {
		Py_XDECREF(tr);
		PyErr_NoMemory();
		return -1;
	}
	trk_entry *e = &r->e[r->n++];
	e->obj = o;
	e->block = block;
	e->birth = now();
	e->death = NAN;
	e->name = name;
	e->type = tid;
	e->basic = (uint32_t)birth_size(o);
	e->level = (uint8_t)(level < 0 ? 0 : level > 255 ? 255 : level);
	e->keep = keep != 0;
	e->alive = 1;
	e->lost = 0;
	e->trace = tr;
	e->samples = NULL;
	e->nsamples = e->samples_cap = 0;
	if (keep)
		Py_INCREF(o);
	r->nlive++;
	g_live_total++;
	return 1;
}

/* Index of the live entry of o, or -1. */
static long live_index(Registry *r, PyObject *o)
{
	long j = live_find(&r->live, (uintptr_t)o - mt_py_presize(o));
	return j < 0 ? -1 : (long)r->live.map.vals[j];
}

/* ---- sizes ---------------------------------------------------------------- */

/* The kinds table's row of the nearest modelled base of t, through a
 * direct-mapped cache (per sizer: a type freed between snapshots cannot
 * leave a stale row). */
#define TRK_KCACHE 256
typedef struct trk_kcache {
	PyTypeObject *t;
	const mt_kind *k;
} trk_kcache;

static const mt_kind *kind_of(trk_kcache *c, PyTypeObject *t)
{
	trk_kcache *slot = &c[addr_hash((uintptr_t)t) & (TRK_KCACHE - 1)];
	if (slot->t == t)
		return slot->k;
	const mt_kind *k = NULL;
	for (PyTypeObject *b = t; b && !k; b = b->tp_base)
		k = mt_kind_exact(b);
	slot->t = t;
	slot->k = k;
	return k;
}

/* Flat size with asizeof's meaning: __sizeof__ (the kinds table's C
 * formula of the nearest modelled base, which counts the subtype's basic
 * size as CPython's __sizeof__ does) plus the GC header and pre-header,
 * rounded up to 8. */
static size_t flat_size(trk_kcache *c, PyObject *o)
{
	const mt_kind *k = kind_of(c, Py_TYPE(o));
	size_t s = k ? k->size(o) : mt_basic_size(o);
	s += mt_py_presize(o);
	return (s + 7) & ~(size_t)7;
}

/* What asizeof leaves out (size 0, not entered): classes, functions,
 * methods, code. */
static int ignored(PyObject *o)
{
	return PyType_Check(o) || PyFunction_Check(o) || PyCFunction_Check(o) ||
	       PyMethod_Check(o) || PyCode_Check(o) ||
	       Py_IS_TYPE(o, &PyMethodDescr_Type) ||
	       Py_IS_TYPE(o, &PyWrapperDescr_Type) ||
	       Py_IS_TYPE(o, &PyClassMethodDescr_Type);
}

/* A referent found while sizing: an object, or (tag MT_REF_VDICT) the
 * inline values of an instance. */
typedef struct trk_ref {
	mt_ref ref;
	uint32_t name_off, name_len; /* in the sizer's text, when named */
} trk_ref;

/* One object being sized (a frame of the explicit stack). */
typedef struct trk_frame {
	mt_ref ref;
	uint32_t parent; /* frame index, UINT32_MAX for the root */
	uint32_t pending;
	uint32_t depth;
	int32_t node; /* node index, -1 when no Asized node */
	uint64_t size, flat;
} trk_frame;

/* An Asized node (levels >= 1), built in C during the walk. */
typedef struct trk_node {
	uint32_t name_off, name_len;
	uint64_t size, flat;
	int32_t first, last, next; /* children list */
} trk_node;

typedef struct trk_sizer {
	trk_map seen;
	trk_map excl; /* object addresses of live tracked entries */
	trk_ref *refs;
	size_t nrefs, refs_cap;
	trk_frame *st;
	size_t nst, st_cap;
	size_t *todo;
	size_t ntodo, todo_cap;
	trk_node *nodes;
	size_t nnodes, nodes_cap;
	char *text;
	size_t ntext, text_cap;
	int named; /* the current object's refs need names */
	int oom;
	trk_kcache kc[TRK_KCACHE];
} trk_sizer;

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static uint32_t text_add(trk_sizer *z, const char *s, size_t n)
{
	if (grow((void **)&z->text, &z->text_cap, z->ntext + n + 1, 1) < 0) {
		z->oom = 1;
		return 0;
	}
	uint32_t off = (uint32_t)z->ntext;
	memcpy(z->text + z->ntext, s, n);
	z->ntext += n;
	return off;
}

/* Our own repr of an object, without running Python code: str, bytes, int,
 * float, None, True, False as Python writes them (clipped like asizeof's
 * names, to 80 characters), a class as <class 'mod.Name'>, anything else as
 * <mod.Name object at 0x...>. */
static size_t crepr(PyObject *o, char *buf, size_t max)
{
	char tmp[TRK_REPR_MAX * 4 + 64];
	size_t n;
	if (PyUnicode_Check(o)) {
		tmp[0] = '\'';
		n = 1 + mt_str_utf8(o, tmp + 1, sizeof tmp - 2);
		tmp[n++] = '\'';
	} else if (o == Py_None) {
		n = (size_t)snprintf(tmp, sizeof tmp, "None");
	} else if (PyBool_Check(o)) {
		n = (size_t)snprintf(tmp, sizeof tmp, "%s",
				     o == Py_True ? "True" : "False");
	} else if (PyLong_CheckExact(o)) {
		int of = 0;
		long long v = PyLong_AsLongLongAndOverflow(o, &of);
		if (of)
			n = (size_t)snprintf(tmp, sizeof tmp, "<int at %p>",
					     (void *)o);
		else
			n = (size_t)snprintf(tmp, sizeof tmp, "%lld", v);
	} else if (PyFloat_CheckExact(o)) {
		n = (size_t)snprintf(tmp, sizeof tmp, "%.17g",
				     PyFloat_AS_DOUBLE(o));
	} else if (PyBytes_CheckExact(o)) {
		Py_ssize_t len = PyBytes_GET_SIZE(o);
		const char *s = PyBytes_AS_STRING(o);
		n = 0;
		tmp[n++] = 'b';
		tmp[n++] = '\'';
		for (Py_ssize_t i = 0; i < len && n < sizeof tmp - 6; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c >= 32 && c < 127 && c != '\\' && c != '\'')
				tmp[n++] = (char)c;
			else
				n += (size_t)snprintf(tmp + n, 5, "\\x%02x", c);
		}
		tmp[n++] = '\'';
	} else if (PyType_Check(o)) {
		const char *s = ((PyTypeObject *)o)->tp_name;
		n = (size_t)snprintf(tmp, sizeof tmp, "<class '%s'>", s);
	} else {
		n = (size_t)snprintf(tmp, sizeof tmp, "<%s object at %p>",
				     Py_TYPE(o)->tp_name, (void *)o);
	}
	if (n >= sizeof tmp)
		n = sizeof tmp - 1;
	/* clip like asizeof: the first and last (max/2 - 2) bytes */
	if (n > max) {
		size_t h = max / 2 - 2;
		memcpy(buf, tmp, h);
		memcpy(buf + h, "....", 4);
		memcpy(buf + h + 4, tmp + n - h, h);
		return 2 * h + 4;
	}
	memcpy(buf, tmp, n);
	return n;
}

static void ref_add(trk_sizer *z, mt_ref ref, const char *n1, size_t l1,
		    const char *n2, size_t l2)
{
	if (!ref)
		return;
	if (grow((void **)&z->refs, &z->refs_cap, z->nrefs + 1,
		 sizeof *z->refs) < 0) {
		z->oom = 1;
		return;
	}
	trk_ref *r = &z->refs[z->nrefs++];
	r->ref = ref;
	r->name_off = r->name_len = 0;
	if (!z->named)
		return;
	if (!n1) { /* unnamed: our repr */
		char buf[TRK_REPR_MAX + 8];
		if (MT_REF_TAG(ref) == MT_REF_VDICT)
			l1 = (size_t)snprintf(buf, sizeof buf, "__dict__");
		else
			l1 = crepr((PyObject *)ref, buf, TRK_REPR_MAX);
		r->name_off = text_add(z, buf, l1);
		r->name_len = (uint32_t)l1;
		return;
	}
	r->name_off = text_add(z, n1, l1);
	if (n2)
		text_add(z, n2, l2);
	r->name_len = (uint32_t)(l1 + (n2 ? l2 : 0));
}

static void ref_obj(trk_sizer *z, PyObject *o, const char *name)
{
	ref_add(z, (mt_ref)(uintptr_t)o, name, name ? strlen(name) : 0, NULL,
		0);
}

/* A dict item as asizeof names it: "[K] key" then "[V] key: repr". */
static void ref_item(trk_sizer *z, PyObject *k, PyObject *v)
{
	if (!z->named) {
		ref_obj(z, k, NULL);
		ref_obj(z, v, NULL);
		return;
	}
	char kb[TRK_REPR_MAX * 4 + 8], vb[TRK_REPR_MAX + 8];
	size_t kn;
	memcpy(kb, "[K] ", 4);
	if (PyUnicode_Check(k))
		kn = 4 + mt_str_utf8(k, kb + 4, TRK_REPR_MAX * 4);
	else
		kn = 4 + crepr(k, kb + 4, TRK_REPR_MAX);
	ref_add(z, (mt_ref)(uintptr_t)k, kb, kn, NULL, 0);
	kb[1] = 'V';
	memcpy(kb + kn, ": ", 2);
	size_t vn = crepr(v, vb, TRK_REPR_MAX);
	ref_add(z, (mt_ref)(uintptr_t)v, kb, kn + 2, vb, vn);
}

static void vdict_cb(void *arg, PyObject *k, PyObject *v)
{
	ref_item(arg, k, v);
}

static int traverse_cb(PyObject *o, void *arg)
{
	ref_obj(arg, o, NULL);
	return 0;
}

/* The slots of a heap type instance (T_OBJECT members of its Python
 * levels), by name. */
static void slot_refs(trk_sizer *z, PyObject *o)
{
	PyTypeObject *t = Py_TYPE(o);
	for (PyTypeObject *b = t; b && (b->tp_flags & Py_TPFLAGS_HEAPTYPE);
	     b = b->tp_base) {
		PyMemberDef *m = b->tp_members;
		for (; m && m->name; m++) {
			if (m->type != T_OBJECT && m->type != T_OBJECT_EX)
				continue;
			if (m->offset < (Py_ssize_t)sizeof(PyObject) ||
			    m->offset + (Py_ssize_t)sizeof(PyObject *) >
				b->tp_basicsize ||
			    m->offset == t->tp_weaklistoffset ||
			    m->offset == t->tp_dictoffset)
				continue;
			ref_obj(z, *(PyObject **)((char *)o + m->offset),
				m->name);
		}
	}
}

/* The nearest non-heap base of t. */
static PyTypeObject *static_base(PyTypeObject *t)
{
	while (t && (t->tp_flags & Py_TPFLAGS_HEAPTYPE))
		t = t->tp_base;
	return t;
}

/* Collects the referents of r into z->refs. */
static void refs_of(trk_sizer *z, mt_ref r)
{
	z->nrefs = 0;
	if (MT_REF_TAG(r) == MT_REF_VDICT) {
		mt_py_vdict_foreach(MT_REF_PTR(r), vdict_cb, z);
		return;
	}
	PyObject *o = (PyObject *)r;
	PyTypeObject *t = Py_TYPE(o);
	int heap = (t->tp_flags & Py_TPFLAGS_HEAPTYPE) != 0;
	if (PyModule_Check(o))
		return;
	if (heap) {
		PyObject *d = NULL;
		switch (mt_py_instance_dict(o, &d)) {
		case MT_IDICT_REAL:
			ref_obj(z, d, "__dict__");
			break;
		case MT_IDICT_VIRTUAL:
			ref_add(z, MT_REF(o, MT_REF_VDICT), "__dict__", 8, NULL,
				0);
			break;
		default:
			break;
		}
		ref_obj(z, (PyObject *)t, "__class__");
		slot_refs(z, o);
	}
	Py_ssize_t pos = 0, i, n;
	PyObject *k, *v;
	if (PyDict_Check(o)) {
		while (PyDict_Next(o, &pos, &k, &v))
			ref_item(z, k, v);
	} else if (PyList_Check(o)) {
		n = PyList_GET_SIZE(o);
		for (i = 0; i < n; i++)
			ref_obj(z, PyList_GET_ITEM(o, i), NULL);
	} else if (PyTuple_Check(o)) {
		n = PyTuple_GET_SIZE(o);
		for (i = 0; i < n; i++)
			ref_obj(z, PyTuple_GET_ITEM(o, i), NULL);
	} else if (PyUnicode_Check(o) || PyLong_Check(o) || PyFloat_Check(o) ||
		   PyBytes_Check(o) || PyByteArray_Check(o)) {
		/* no referents */
	} else {
		/* other C containers: their tp_traverse (a C function of a
		 * static type; heap types' own levels were named above) */
		PyTypeObject *b = static_base(t);
		if (b && b != &PyBaseObject_Type && b->tp_traverse &&
		    PyObject_IS_GC(o) && !PyType_Check(o))
			b->tp_traverse(o, traverse_cb, z);
	}
}

static int32_t node_new(trk_sizer *z, uint32_t name_off, uint32_t name_len,
			int32_t parent)
{
	if (grow((void **)&z->nodes, &z->nodes_cap, z->nnodes + 1,
		 sizeof *z->nodes) < 0) {
		z->oom = 1;
		return -1;
	}
	int32_t id = (int32_t)z->nnodes++;
	trk_node *nd = &z->nodes[id];
	nd->name_off = name_off;
	nd->name_len = name_len;
	nd->size = nd->flat = 0;
	nd->first = nd->last = nd->next = -1;
	if (parent >= 0) {
		trk_node *p = &z->nodes[parent];
		if (p->last >= 0)
			z->nodes[p->last].next = id;
		else
			p->first = id;
		p->last = id;
	}
	return id;
}

/* Frame fi is complete: its size goes to its node and to its parent;
 * completes the parents whose last child this was. */
static void frame_done(trk_sizer *z, size_t fi)
{
	for (;;) {
		trk_frame *f = &z->st[fi];
		if (f->node >= 0) {
			z->nodes[f->node].size = f->size;
			z->nodes[f->node].flat = f->flat;
		}
		if (f->parent == UINT32_MAX)
			return;
		trk_frame *p = &z->st[f->parent];
		p->size += f->size;
		if (--p->pending)
			return;
		fi = f->parent;
	}
}

/* Deep size of root, whose Asized nodes (levels >= 1) are added to
 * z->nodes: returns the root's node index, or -1 (level 0).  Frames are
 * entered in asizeof's order (depth first, referents in order): `todo`
 * lists the frames not entered yet, above the ones being completed. */
static int32_t size_entry(trk_sizer *z, PyObject *root, int level,
			  uint64_t *size, uint64_t *flat)
{
	*size = *flat = 0;
	z->nst = 0;
	z->ntodo = 0;
	if (grow((void **)&z->st, &z->st_cap, 1, sizeof *z->st) < 0 ||
	    grow((void **)&z->todo, &z->todo_cap, 1, sizeof *z->todo) < 0) {
		z->oom = 1;
		return -1;
	}
	trk_frame *f0 = &z->st[z->nst++];
	*f0 = (trk_frame){(mt_ref)(uintptr_t)root, UINT32_MAX, 0, 0, -1, 0, 0};
	int32_t rootnode = -1;
	if (level > 0)
		f0->node = rootnode = node_new(z, 0, 0, -1);
	if (set_add(&z->seen, (uintptr_t)root) < 0)
		z->oom = 1;
	z->todo[z->ntodo++] = 0;
	while (z->ntodo && !z->oom) {
		size_t fi = z->todo[--z->ntodo];
		trk_frame *f = &z->st[fi];
		mt_ref r = f->ref;
		uint64_t fl = 0;
		int enter = 1;
		if (MT_REF_TAG(r) == MT_REF_VDICT) {
			fl = mt_py_vdict_size(MT_REF_PTR(r));
			fl = (fl + 7) & ~(uint64_t)7;
		} else if (ignored((PyObject *)r)) {
			enter = 0;
		} else {
			fl = flat_size(z->kc, (PyObject *)r);
		}
		f->flat = fl;
		f->size = fl;
		if (!enter) {
			frame_done(z, fi);
			continue;
		}
		z->named = f->node >= 0 && f->depth < (uint32_t)level;
		refs_of(z, r);
		if (z->oom)
			break;
		if (grow((void **)&z->st, &z->st_cap, z->nst + z->nrefs,
			 sizeof *z->st) < 0 ||
		    grow((void **)&z->todo, &z->todo_cap, z->ntodo + z->nrefs,
			 sizeof *z->todo) < 0) {
			z->oom = 1;
			break;
		}
		f = &z->st[fi];
		size_t first_child = z->nst, nch = 0;
		for (size_t i = 0; i < z->nrefs; i++) {
			trk_ref *c = &z->refs[i];
			int32_t node = -1;
			if (z->named)
				node = node_new(z, c->name_off, c->name_len,
						f->node);
			int fresh = 0;
			if (MT_REF_TAG(c->ref) != MT_REF_OBJ ||
			    map_find(&z->excl, c->ref) < 0)
				fresh = set_add(&z->seen, c->ref);
			if (fresh < 0) {
				z->oom = 1;
				break;
			}
			if (!fresh)
				continue; /* seen or tracked: size 0 */
			trk_frame *c2 = &z->st[z->nst++];
			*c2 = (trk_frame){
			    c->ref, (uint32_t)fi, 0, f->depth + 1, node, 0, 0};
			nch++;
		}
		f->pending = (uint32_t)nch;
		for (size_t i = z->nst; i > first_child; i--)
			z->todo[z->ntodo++] = i - 1;
		if (!nch)
			frame_done(z, fi);
	}
	*size = z->st[0].size;
	*flat = z->st[0].flat;
	return rootnode;
}

/* The Asized tuple tree of node id: (name, size, flat, (children...)). */
static PyObject *node_tuple(trk_sizer *z, int32_t id, PyObject *name)
{
	trk_node *nd = &z->nodes[id];
	size_t nk = 0;
	for (int32_t c = nd->first; c >= 0; c = z->nodes[c].next)
		nk++;
	PyObject *kids = PyTuple_New((Py_ssize_t)nk);
	if (!kids)
		return NULL;
	size_t i = 0;
	for (int32_t c = nd->first; c >= 0; c = z->nodes[c].next, i++) {
		trk_node *cn = &z->nodes[c];
		PyObject *nm = PyUnicode_DecodeUTF8(z->text + cn->name_off,
						    cn->name_len, "replace");
		PyObject *t = nm ? node_tuple(z, c, nm) : NULL;
		Py_XDECREF(nm);
		if (!t) {
			Py_DECREF(kids);
			return NULL;
		}
		PyTuple_SET_ITEM(kids, (Py_ssize_t)i, t);
	}
	return Py_BuildValue("(OKKN)", name, (unsigned long long)nd->size,
			     (unsigned long long)nd->flat, kids);
}

static void sizer_free(trk_sizer *z)
{
	map_free(&z->seen);
	map_free(&z->excl);
	free(z->refs);
	free(z->st);
	free(z->todo);
	free(z->nodes);
	free(z->text);
}

static void proc_mem(int64_t *rss, int64_t *vms)
{
	*rss = *vms = -1;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return;
	long long size, res;
	if (fscanf(f, "%lld %lld", &size, &res) == 2) {
		long ps = sysconf(_SC_PAGESIZE);
		*vms = size * ps;
		*rss = res * ps;
	}
	fclose(f);
}

typedef struct trk_total {
	trk_sizer *z;
	uint64_t all;
} trk_total;

static int gc_total_cb(void *arg, PyObject *o)
{
	trk_total *a = arg;
	if (map_find(&a->z->seen, (uintptr_t)o) >= 0)
		return 0;
	uint64_t s = 0, fl = 0;
	(void)size_entry(a->z, o, 0, &s, &fl);
	a->all += s;
	return a->z->oom;
}

/* Takes a snapshot: sizes every live entry, records the snapshot.  Holds
 * the GIL; runs no Python code and makes no Python object until every
 * entry is sized.  0, or -1 with an exception. */
static int reg_snapshot(Registry *r, PyObject *desc, int compute_total)
{
	if (hook_ensure(NULL) < 0)
		return -1;
	if (grow((void **)&r->snaps, &r->snaps_cap, r->nsnaps + 1,
		 sizeof *r->snaps) < 0) {
		PyErr_NoMemory();
		return -1;
	}
	double t = now();
	trk_sizer z = {0};
	z.seen = r->seen_keep;
	z.excl = r->excl_keep;
	memset(&r->seen_keep, 0, sizeof r->seen_keep);
	memset(&r->excl_keep, 0, sizeof r->excl_keep);
	map_clear(&z.seen);
	map_clear(&z.excl);
	uint64_t total = 0;
	size_t n0 = r->n;
	int32_t *roots = calloc(n0 ? n0 : 1, sizeof *roots);
	if (!roots)
		z.oom = 1;
	for (size_t i = 0; roots && i < r->n; i++)
		roots[i] = -1;
	/* sized once: the objects seen are a few per tracked object */
	if (map_reserve(&z.excl, r->nlive) < 0 ||
	    map_reserve(&z.seen, 4 * r->nlive) < 0)
		z.oom = 1;
	for (size_t i = 0; i < r->n && !z.oom; i++)
		if (r->e[i].alive &&
		    map_put(&z.excl, (uintptr_t)r->e[i].obj, 0) < 0)
			z.oom = 1;
	size_t first = r->n;
	for (size_t i = 0; i < r->n && !z.oom; i++) {
		trk_entry *e = &r->e[i];
		if (!e->alive)
			continue;
		if (e->nsamples == e->samples_cap) {
			uint32_t nc = e->samples_cap ? e->samples_cap * 2 : 4;
			trk_sample *ns = realloc(e->samples, nc * sizeof *ns);
			if (!ns) {
				z.oom = 1;
				break;
			}
			e->samples = ns;
			e->samples_cap = nc;
		}
		if (first == r->n)
			first = i;
		uint64_t s = 0, fl = 0;
		/* the root is excluded for the others, not for itself */
		long j = map_find(&z.excl, (uintptr_t)e->obj);
		if (j >= 0)
			map_del_slot(&z.excl, (size_t)j);
		roots[i] = size_entry(&z, e->obj, e->level, &s, &fl);
		if (map_put(&z.excl, (uintptr_t)e->obj, 0) < 0)
			z.oom = 1;
		if (z.oom)
			break;
		e->samples[e->nsamples++] = (trk_sample){t, s, fl, NULL};
		total += s;
	}
	int64_t atotal = -1;
	if (compute_total && !z.oom) {
		/* every object reachable from the GC lists, once (the
		 * tracked ones were counted above) */
		map_clear(&z.excl);
		trk_total a = {&z, total};
		mt_py_gc_foreach(gc_total_cb, &a);
		atotal = (int64_t)a.all;
	}
	/* the walk is over: Python objects may be made (and collected) */
	for (size_t i = first; i < n0 && i < r->n && !z.oom; i++) {
		trk_entry *e = &r->e[i];
		if (roots[i] < 0 || !e->nsamples ||
		    e->samples[e->nsamples - 1].t != t)
			continue;
		PyObject *nm = PyUnicode_FromString("");
		PyObject *tree = nm ? node_tuple(&z, roots[i], nm) : NULL;
		Py_XDECREF(nm);
		if (!tree) {
			free(roots);
			sizer_free(&z);
			return -1;
		}
		/* a collection may have run __del__ code that tracked objects
		 * (moving the array) or cleared the tracker */
		if (i >= r->n || r->e[i].nsamples == 0 ||
		    r->e[i].samples[r->e[i].nsamples - 1].t != t ||
		    r->e[i].samples[r->e[i].nsamples - 1].tree) {
			Py_DECREF(tree);
			continue;
		}
		e = &r->e[i];
		e->samples[e->nsamples - 1].tree = tree;
	}
	int oom = z.oom;
	free(roots);
	r->seen_keep = z.seen;
	r->excl_keep = z.excl;
	memset(&z.seen, 0, sizeof z.seen);
	memset(&z.excl, 0, sizeof z.excl);
	sizer_free(&z);
	if (oom) {
		PyErr_NoMemory();
		return -1;
	}
	trk_snap *sn = &r->snaps[r->nsnaps++];
	sn->t = t;
	sn->desc = desc ? Py_NewRef(desc) : PyUnicode_FromString("");
	if (!sn->desc) {
		r->nsnaps--;
		return -1;
	}
	sn->tracked_total = total;
	sn->asizeof_total = atotal;
	proc_mem(&sn->rss, &sn->vms);
	return 0;
}

/* ---- periodic snapshots ------------------------------------------------- */

static int finalizing(void)
{
#if PY_VERSION_HEX >= 0x030D0000
	return Py_IsFinalizing();
#else
	return _Py_IsFinalizing();
#endif
}

/* The thread: a snapshot, then a sleep of `interval` without the GIL, until
 * stop is set (pympler's order).  Its thread state is made once, when it
 * starts, and kept across the sleeps (PyEval_SaveThread/RestoreThread):
 * made and deleted around each snapshot (PyGILState_Ensure/Release), it
 * took the runtime's head lock without the GIL at every interval, and an
 * os.fork() in another thread at that moment left the child of 3.9-3.11
 * waiting for that lock for ever (PyOS_AfterFork_Child deletes the other
 * threads' states before it makes the lock anew; CI hung on
 * test_fork_while_running once). */
static void *periodic_main(void *arg)
{
	Registry *r = arg;
	if (finalizing())
		return NULL;
	PyGILState_STATE g = PyGILState_Ensure();
	PyThreadState *ts = PyEval_SaveThread();
	pthread_mutex_lock(&r->mu);
	while (!r->stop) {
		pthread_mutex_unlock(&r->mu);
		if (finalizing())
			return NULL; /* its state goes with the interpreter */
		PyEval_RestoreThread(ts);
		if (!r->stop && reg_snapshot(r, NULL, 0) < 0)
			PyErr_WriteUnraisable((PyObject *)r);
		ts = PyEval_SaveThread();
		pthread_mutex_lock(&r->mu);
		if (r->stop)
			break;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		double d = r->interval;
		until.tv_sec += (time_t)d;
		until.tv_nsec += (long)((d - (double)(time_t)d) * 1e9);
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!r->stop &&
		       pthread_cond_timedwait(&r->cv, &r->mu, &until) !=
			   ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&r->mu);
	if (!finalizing()) { /* stopped: the state deleted with the GIL held */
		PyEval_RestoreThread(ts);
		PyGILState_Release(g);
	}
	return NULL;
}

/* Stops and joins the thread (GIL held on entry and exit; released while
 * joining, since the thread may be waiting for it). */
static void periodic_stop(Registry *r)
{
	if (!r->running)
		return;
	pthread_mutex_lock(&r->mu);
	r->stop = 1;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
	Py_BEGIN_ALLOW_THREADS pthread_join(r->thread, NULL);
	Py_END_ALLOW_THREADS r->running = 0;
}

/* ---- InitHook: the injected __init__ ------------------------------------- */

typedef struct InitHook {
	PyObject_HEAD vectorcallfunc vectorcall;
	Registry *reg;
	PyObject *orig; /* cls.__init__ before */
	PyObject *own;	/* cls.__dict__['__init__'] before, or NULL */
	PyObject *cls;
	uint32_t name;
	int level, keep, trace;
	int active;
} InitHook;

static PyTypeObject InitHook_Type;

static PyObject *hook_call(PyObject *self, PyObject *const *args, size_t nargsf,
			   PyObject *kwnames)
{
	InitHook *h = (InitHook *)self;
	if (PyVectorcall_NARGS(nargsf) < 1) {
		PyErr_SetString(
		    PyExc_TypeError,
		    "__init__ needs the instance as first argument");
		return NULL;
	}
	if (h->active && reg_track(h->reg, args[0], h->name, h->level, h->keep,
				   h->trace, -1) < 0)
		return NULL;
	return PyObject_Vectorcall(h->orig, args, nargsf, kwnames);
}

static PyObject *hook_get(PyObject *self, PyObject *obj, PyObject *type)
{
	(void)type;
	if (!obj || obj == Py_None)
		return Py_NewRef(self);
	return PyMethod_New(self, obj);
}

static int hook_traverse(PyObject *self, visitproc visit, void *arg)
{
	InitHook *h = (InitHook *)self;
	Py_VISIT(h->reg);
	Py_VISIT(h->orig);
	Py_VISIT(h->own);
	Py_VISIT(h->cls);
	return 0;
}

static int hook_clear(PyObject *self)
{
	InitHook *h = (InitHook *)self;
	Py_CLEAR(h->reg);
	Py_CLEAR(h->orig);
	Py_CLEAR(h->own);
	Py_CLEAR(h->cls);
	return 0;
}

static void hook_dealloc(PyObject *self)
{
	PyObject_GC_UnTrack(self);
	hook_clear(self);
	Py_TYPE(self)->tp_free(self);
}

static PyObject *hook_repr(PyObject *self)
{
	InitHook *h = (InitHook *)self;
	return PyUnicode_FromFormat("<memtrack tracking __init__ of %R>",
				    h->cls ? h->cls : Py_None);
}

static PyObject *hook_wrapped(PyObject *self, void *c)
{
	(void)c;
	return Py_NewRef(((InitHook *)self)->orig);
}

static PyGetSetDef hook_getset[] = {{"__wrapped__", hook_wrapped, NULL,
				     "the original __init__", NULL},
				    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject InitHook_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "memtrack._memtrack.InitHook",
    .tp_basicsize = sizeof(InitHook),
    .tp_dealloc = hook_dealloc,
    .tp_vectorcall_offset = offsetof(InitHook, vectorcall),
    .tp_repr = hook_repr,
    .tp_call = PyVectorcall_Call,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC |
		Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_METHOD_DESCRIPTOR,
    .tp_doc = "The __init__ memtrack's ClassTracker puts in a tracked "
	      "class: tracks the instance, then calls the original.",
    .tp_traverse = hook_traverse,
    .tp_clear = hook_clear,
    .tp_getset = hook_getset,
    .tp_descr_get = hook_get,
};

/* ---- Registry: Python methods -------------------------------------------- */

static int reg_traverse(PyObject *self, visitproc visit, void *arg)
{
	Registry *r = (Registry *)self;
	Py_VISIT(r->names);
	Py_VISIT(r->types);
	for (size_t i = 0; i < r->n; i++) {
		trk_entry *e = &r->e[i];
		if (e->keep && e->alive)
			Py_VISIT(e->obj);
	}
	return 0;
}

/* Forgets every entry (keep references released). */
static void reg_clear_entries(Registry *r)
{
	size_t n = r->n;
	trk_entry *e = r->e;
	/* detach first: frees caused by the releases below find nothing */
	g_live_total -= r->nlive;
	r->nlive = 0;
	live_clear(&r->live);
	r->e = NULL;
	r->n = r->cap = 0;
	for (size_t i = 0; i < n; i++) {
		for (uint32_t k = 0; k < e[i].nsamples; k++)
			Py_XDECREF(e[i].samples[k].tree);
		free(e[i].samples);
		Py_XDECREF(e[i].trace);
	}
	for (size_t i = 0; i < n; i++)
		if (e[i].keep && e[i].alive)
			Py_DECREF(e[i].obj);
	free(e);
}

static void reg_clear_snaps(Registry *r)
{
	for (size_t i = 0; i < r->nsnaps; i++)
		Py_XDECREF(r->snaps[i].desc);
	r->nsnaps = 0;
}

static int reg_tp_clear(PyObject *self)
{
	reg_clear_entries((Registry *)self);
	return 0;
}

static void reg_dealloc(PyObject *self)
{
	Registry *r = (Registry *)self;
	PyObject_GC_UnTrack(self);
	periodic_stop(r);
	reg_clear_entries(r);
	reg_clear_snaps(r);
	if (r->slot >= 0) {
		g_regs[r->slot] = NULL;
		while (g_nregs && !g_regs[g_nregs - 1])
			g_nregs--;
	}
	live_free(&r->live);
	map_free(&r->seen_keep);
	map_free(&r->excl_keep);
	map_free(&r->type_index);
	free(r->snaps);
	Py_CLEAR(r->names);
	Py_CLEAR(r->name_index);
	Py_CLEAR(r->types);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	Py_TYPE(self)->tp_free(self);
}

static PyObject *reg_new(PyTypeObject *t, PyObject *args, PyObject *kw)
{
	if (!PyArg_ParseTuple(args, ":Registry") ||
	    (kw && PyDict_GET_SIZE(kw))) {
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_TypeError,
					"Registry() takes no arguments");
		return NULL;
	}
	size_t slot = 0;
	while (slot < TRK_MAX_REGS && g_regs[slot])
		slot++;
	if (slot == TRK_MAX_REGS) {
		PyErr_Format(PyExc_RuntimeError,
			     "memtrack: at most %d ClassTrackers at a time",
			     TRK_MAX_REGS);
		return NULL;
	}
	Registry *r = (Registry *)t->tp_alloc(t, 0);
	if (!r)
		return NULL;
	r->slot = -1;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	r->names = PyList_New(0);
	r->name_index = PyDict_New();
	r->types = PyList_New(0);
	if (!r->names || !r->name_index || !r->types) {
		Py_DECREF(r);
		return NULL;
	}
	r->slot = (int)slot;
	g_regs[slot] = r;
	if (g_nregs <= slot)
		g_nregs = slot + 1;
	return (PyObject *)r;
}

static int level_arg(PyObject *v, int *out)
{
	long l = PyLong_AsLong(v);
	if (l == -1 && PyErr_Occurred())
		return -1;
	*out = l < 0 ? 0 : l > 255 ? 255 : (int)l;
	return 0;
}

/* track_object(obj, name, level, keep, trace, skip) -> bool */
static PyObject *reg_track_object(PyObject *self, PyObject *args)
{
	Registry *r = (Registry *)self;
	PyObject *o, *name;
	int level, keep, trace, skip;
	if (!PyArg_ParseTuple(args, "OUippi:track_object", &o, &name, &level,
			      &keep, &trace, &skip))
		return NULL;
	uint32_t nid;
	if (name_id(r, name, &nid) < 0)
		return NULL;
	int rc = reg_track(r, o, nid, level, keep, trace, skip);
	if (rc < 0)
		return NULL;
	return PyBool_FromLong(rc);
}

/* track_class(cls, name, level, keep, trace): puts (or updates) the hook */
static PyObject *reg_track_class(PyObject *self, PyObject *args)
{
	Registry *r = (Registry *)self;
	PyObject *cls, *name;
	int level, keep, trace;
	if (!PyArg_ParseTuple(args, "O!Uipp:track_class", &PyType_Type, &cls,
			      &name, &level, &keep, &trace))
		return NULL;
	uint32_t nid;
	if (name_id(r, name, &nid) < 0)
		return NULL;
	PyObject *d = ((PyTypeObject *)cls)->tp_dict;
	PyObject *own = d ? PyDict_GetItemString(d, "__init__") : NULL;
	if (own && Py_IS_TYPE(own, &InitHook_Type) &&
	    ((InitHook *)own)->reg == r) {
		InitHook *h = (InitHook *)own;
		h->name = nid;
		h->level = level;
		h->keep = keep;
		h->trace = trace;
		Py_RETURN_FALSE;
	}
	if (hook_ensure(NULL) < 0)
		return NULL;
	PyObject *orig = PyObject_GetAttrString(cls, "__init__");
	if (!orig)
		return NULL;
	InitHook *h = PyObject_GC_New(InitHook, &InitHook_Type);
	if (!h) {
		Py_DECREF(orig);
		return NULL;
	}
	h->vectorcall = hook_call;
	h->reg = (Registry *)Py_NewRef(self);
	h->orig = orig;
	h->own = own ? Py_NewRef(own) : NULL;
	h->cls = Py_NewRef(cls);
	h->name = nid;
	h->level = level;
	h->keep = keep;
	h->trace = trace;
	h->active = 1;
	PyObject_GC_Track((PyObject *)h);
	int rc = PyObject_SetAttrString(cls, "__init__", (PyObject *)h);
	Py_DECREF(h);
	if (rc < 0)
		return NULL;
	Py_RETURN_TRUE;
}

/* detach_class(cls): restores the class's own __init__ (or removes ours
 * when it had none).  KeyError when this registry does not track cls. */
static PyObject *reg_detach_class(PyObject *self, PyObject *cls)
{
	if (!PyType_Check(cls)) {
		PyErr_SetString(PyExc_TypeError, "a class is required");
		return NULL;
	}
	PyObject *d = ((PyTypeObject *)cls)->tp_dict;
	PyObject *cur = d ? PyDict_GetItemString(d, "__init__") : NULL;
	if (!cur || !Py_IS_TYPE(cur, &InitHook_Type) ||
	    ((InitHook *)cur)->reg != (Registry *)self) {
		PyErr_SetObject(PyExc_KeyError, cls);
		return NULL;
	}
	InitHook *h = (InitHook *)Py_NewRef(cur);
	h->active = 0;
	int rc = h->own ? PyObject_SetAttrString(cls, "__init__", h->own)
			: PyObject_DelAttrString(cls, "__init__");
	Py_DECREF(h);
	if (rc < 0)
		return NULL;
	Py_RETURN_NONE;
}

/* is_tracked_class(cls) -> bool */
static PyObject *reg_is_tracked_class(PyObject *self, PyObject *cls)
{
	PyObject *d = PyType_Check(cls) ? ((PyTypeObject *)cls)->tp_dict : NULL;
	PyObject *cur = d ? PyDict_GetItemString(d, "__init__") : NULL;
	return PyBool_FromLong(cur && Py_IS_TYPE(cur, &InitHook_Type) &&
			       ((InitHook *)cur)->reg == (Registry *)self);
}

/* track_change(obj, level): KeyError when obj is not tracked (alive). */
static PyObject *reg_track_change(PyObject *self, PyObject *args)
{
	Registry *r = (Registry *)self;
	PyObject *o, *lv;
	int level;
	if (!PyArg_ParseTuple(args, "OO:track_change", &o, &lv) ||
	    level_arg(lv, &level) < 0)
		return NULL;
	long i = live_index(r, o);
	if (i < 0) {
		PyObject *id = PyLong_FromVoidPtr(o);
		if (id) {
			PyErr_SetObject(PyExc_KeyError, id);
			Py_DECREF(id);
		}
		return NULL;
	}
	r->e[i].level = (uint8_t)level;
	Py_RETURN_NONE;
}

/* live_index(obj) -> index of obj's live entry or -1 */
static PyObject *reg_live_index(PyObject *self, PyObject *o)
{
	return PyLong_FromLong(live_index((Registry *)self, o));
}

static PyObject *reg_snapshot_py(PyObject *self, PyObject *args)
{
	PyObject *desc;
	int total = 0;
	if (!PyArg_ParseTuple(args, "U|p:snapshot", &desc, &total))
		return NULL;
	if (reg_snapshot((Registry *)self, desc, total) < 0)
		return NULL;
	return PyLong_FromSize_t(((Registry *)self)->nsnaps - 1);
}

static PyObject *reg_len(PyObject *self, PyObject *unused)
{
	(void)unused;
	Registry *r = (Registry *)self;
	return Py_BuildValue("(nnn)", (Py_ssize_t)r->n, (Py_ssize_t)r->nlive,
			     (Py_ssize_t)r->nsnaps);
}

static PyObject *opt_time(double t)
{
	return isnan(t) ? Py_NewRef(Py_None) : PyFloat_FromDouble(t);
}

/* Index arg (an int) into [0, n): -1 with IndexError(what) or the
 * conversion's error. */
static Py_ssize_t index_arg(PyObject *arg, size_t n, const char *what)
{
	Py_ssize_t i = PyLong_AsSsize_t(arg);
	if (i == -1 && PyErr_Occurred())
		return -1;
	if (i < 0 || (size_t)i >= n) {
		PyErr_SetString(PyExc_IndexError, what);
		return -1;
	}
	return i;
}

/* entry(i) -> (id, name, type, birth, death, level, trace, basic, keep,
 * alive, lost) */
static PyObject *reg_entry(PyObject *self, PyObject *arg)
{
	Registry *r = (Registry *)self;
	Py_ssize_t i = index_arg(arg, r->n, "no such entry");
	if (i < 0)
		return NULL;
	trk_entry *e = &r->e[i];
	return Py_BuildValue("(NOOdNiOIiii)", PyLong_FromVoidPtr(e->obj),
			     PyList_GET_ITEM(r->names, e->name),
			     PyList_GET_ITEM(r->types, e->type), e->birth,
			     opt_time(e->death), (int)e->level,
			     e->trace ? e->trace : Py_None, (unsigned)e->basic,
			     (int)e->keep, (int)e->alive, (int)e->lost);
}

/* lifetimes() -> (names, name index per record, births, deaths (None while
 * alive)), for the history without a Python object per record */
static PyObject *reg_lifetimes(PyObject *self, PyObject *unused)
{
	(void)unused;
	Registry *r = (Registry *)self;
	Py_ssize_t n = (Py_ssize_t)r->n;
	PyObject *ni = PyList_New(n), *b = PyList_New(n), *d = PyList_New(n);
	if (!ni || !b || !d)
		goto fail;
	for (Py_ssize_t i = 0; i < n; i++) {
		/* a collection (these allocations) may run __del__ code that
		 * clears the tracker: a record gone is (0, nan, None) */
		trk_entry *e = (size_t)i < r->n ? &r->e[i] : NULL;
		PyObject *x = PyLong_FromUnsignedLong(e ? e->name : 0);
		PyObject *y = PyFloat_FromDouble(e ? e->birth : NAN);
		PyObject *z = opt_time(e ? e->death : NAN);
		if (!x || !y || !z) {
			Py_XDECREF(x);
			Py_XDECREF(y);
			Py_XDECREF(z);
			goto fail;
		}
		PyList_SET_ITEM(ni, i, x);
		PyList_SET_ITEM(b, i, y);
		PyList_SET_ITEM(d, i, z);
	}
	return Py_BuildValue("(ONNN)", r->names, ni, b, d);
fail:
	Py_XDECREF(ni);
	Py_XDECREF(b);
	Py_XDECREF(d);
	return NULL;
}

/* death(i) -> float or None (cheap: the only field that changes) */
static PyObject *reg_death(PyObject *self, PyObject *arg)
{
	Registry *r = (Registry *)self;
	Py_ssize_t i = index_arg(arg, r->n, "no such entry");
	if (i < 0)
		return NULL;
	return opt_time(r->e[i].death);
}

/* obj(i) -> the object while it is alive, else None */
static PyObject *reg_obj(PyObject *self, PyObject *arg)
{
	Registry *r = (Registry *)self;
	Py_ssize_t i = index_arg(arg, r->n, "no such entry");
	if (i < 0)
		return NULL;
	trk_entry *e = &r->e[i];
	if (!e->alive || Py_REFCNT(e->obj) <= 0)
		Py_RETURN_NONE;
	return Py_NewRef(e->obj);
}

/* samples(i) -> [(t, size, flat, tree or None), ...] */
static PyObject *reg_samples(PyObject *self, PyObject *arg)
{
	Registry *r = (Registry *)self;
	Py_ssize_t i = index_arg(arg, r->n, "no such entry");
	if (i < 0)
		return NULL;
	trk_entry *e = &r->e[i];
	PyObject *l = PyList_New(e->nsamples);
	for (uint32_t k = 0; l && k < e->nsamples; k++) {
		trk_sample *s = &e->samples[k];
		PyObject *t = Py_BuildValue("(dKKO)", s->t,
					    (unsigned long long)s->size,
					    (unsigned long long)s->flat,
					    s->tree ? s->tree : Py_None);
		if (!t) {
			Py_CLEAR(l);
			break;
		}
		PyList_SET_ITEM(l, k, t);
	}
	return l;
}

/* snap(j) -> (t, desc, tracked_total, asizeof_total, rss, vms) */
static PyObject *reg_snap(PyObject *self, PyObject *arg)
{
	Registry *r = (Registry *)self;
	Py_ssize_t j = index_arg(arg, r->nsnaps, "no such snapshot");
	if (j < 0)
		return NULL;
	trk_snap *s = &r->snaps[j];
	return Py_BuildValue("(dOKLLL)", s->t, s->desc,
			     (unsigned long long)s->tracked_total,
			     (long long)s->asizeof_total, (long long)s->rss,
			     (long long)s->vms);
}

static PyObject *reg_clear_objects(PyObject *self, PyObject *unused)
{
	(void)unused;
	reg_clear_entries((Registry *)self);
	Py_RETURN_NONE;
}

static PyObject *reg_clear_snapshots(PyObject *self, PyObject *unused)
{
	(void)unused;
	Registry *r = (Registry *)self;
	reg_clear_snaps(r);
	for (size_t i = 0; i < r->n; i++) {
		trk_entry *e = &r->e[i];
		for (uint32_t k = 0; k < e->nsamples; k++)
			Py_XDECREF(e->samples[k].tree);
		e->nsamples = 0;
	}
	Py_RETURN_NONE;
}

static PyObject *reg_start(PyObject *self, PyObject *args)
{
	Registry *r = (Registry *)self;
	double interval;
	if (!PyArg_ParseTuple(args, "d:start_periodic", &interval))
		return NULL;
	if (!(interval >= 0) || interval > 1e9) {
		PyErr_SetString(PyExc_ValueError,
				"interval must be a number of seconds >= 0");
		return NULL;
	}
	pthread_mutex_lock(&r->mu);
	r->interval = interval;
	pthread_mutex_unlock(&r->mu);
	if (r->running)
		Py_RETURN_FALSE;
	if (hook_ensure(NULL) < 0)
		return NULL;
#if PY_VERSION_HEX < 0x03090000
	PyEval_InitThreads();
#endif
	r->stop = 0;
	int e = pthread_create(&r->thread, NULL, periodic_main, r);
	if (e) {
		errno = e;
		return PyErr_SetFromErrno(PyExc_OSError);
	}
	r->running = 1;
	Py_RETURN_TRUE;
}

static PyObject *reg_stop(PyObject *self, PyObject *unused)
{
	(void)unused;
	Registry *r = (Registry *)self;
	int was = r->running;
	periodic_stop(r);
	return PyBool_FromLong(was);
}

static PyObject *reg_periodic(PyObject *self, PyObject *unused)
{
	(void)unused;
	return PyBool_FromLong(((Registry *)self)->running);
}

static PyMethodDef reg_methods[] = {
    {"track_object", reg_track_object, METH_VARARGS,
     "track_object(obj, name, level, keep, trace, skip) -> bool"},
    {"track_class", reg_track_class, METH_VARARGS,
     "track_class(cls, name, level, keep, trace) -> bool (False: updated)"},
    {"detach_class", reg_detach_class, METH_O, "detach_class(cls)"},
    {"is_tracked_class", reg_is_tracked_class, METH_O,
     "is_tracked_class(cls) -> bool"},
    {"track_change", reg_track_change, METH_VARARGS,
     "track_change(obj, level)"},
    {"live_index", reg_live_index, METH_O,
     "live_index(obj) -> index of its live entry, or -1"},
    {"snapshot", reg_snapshot_py, METH_VARARGS,
     "snapshot(desc, compute_total=False) -> snapshot index"},
    {"counts", reg_len, METH_NOARGS,
     "counts() -> (entries, live entries, snapshots)"},
    {"entry", reg_entry, METH_O,
     "entry(i) -> (id, name, type, birth, death, level, trace, basic, "
     "keep, alive, lost)"},
    {"death", reg_death, METH_O, "death(i) -> float or None"},
    {"lifetimes", reg_lifetimes, METH_NOARGS,
     "lifetimes() -> (names, name index per record, births, deaths)"},
    {"obj", reg_obj, METH_O, "obj(i) -> the object if alive, else None"},
    {"samples", reg_samples, METH_O,
     "samples(i) -> [(t, size, flat, tree), ...]"},
    {"snap", reg_snap, METH_O,
     "snap(j) -> (t, desc, tracked_total, asizeof_total, rss, vms)"},
    {"clear_objects", reg_clear_objects, METH_NOARGS,
     "forget every tracked object"},
    {"clear_snapshots", reg_clear_snapshots, METH_NOARGS,
     "forget every snapshot and size sample"},
    {"start_periodic", reg_start, METH_VARARGS,
     "start_periodic(interval) -> bool (False: interval updated)"},
    {"stop_periodic", reg_stop, METH_NOARGS,
     "stop_periodic() -> bool (whether a thread was running)"},
    {"periodic", reg_periodic, METH_NOARGS,
     "periodic() -> whether the thread runs"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject Registry_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "memtrack._memtrack._Registry",
    .tp_basicsize = sizeof(Registry),
    .tp_dealloc = reg_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The C core of memtrack.ClassTracker: tracked objects, their "
	      "sizes per snapshot, the periodic snapshot thread.",
    .tp_traverse = reg_traverse,
    .tp_clear = reg_tp_clear,
    .tp_methods = reg_methods,
    .tp_new = reg_new,
};

/* fork: the child has no periodic thread (only the forking thread goes on),
 * and the thread's mutex may have been held in the parent. */
static void trk_atfork_child(void)
{
	for (size_t i = 0; i < g_nregs; i++) {
		Registry *r = g_regs[i];
		if (!r)
			continue;
		r->running = 0;
		r->stop = 0;
		pthread_mutex_init(&r->mu, NULL);
		pthread_cond_init(&r->cv, NULL);
	}
}

/* atexit: stops every periodic thread before finalisation starts. */
static PyObject *trk_atexit(PyObject *m, PyObject *unused)
{
	(void)m;
	(void)unused;
	for (size_t i = 0; i < g_nregs; i++)
		if (g_regs[i])
			periodic_stop(g_regs[i]);
	Py_RETURN_NONE;
}

static PyMethodDef g_atexit_def = {"_tracker_atexit", trk_atexit, METH_NOARGS,
				   "stops the ClassTrackers' threads"};

int mt_tracker_init_module(PyObject *m)
{
	if (PyType_Ready(&InitHook_Type) < 0 ||
	    PyType_Ready(&Registry_Type) < 0)
		return -1;
	static int atfork_done;
	if (!atfork_done && pthread_atfork(NULL, NULL, trk_atfork_child) != 0) {
		PyErr_SetString(PyExc_RuntimeError,
				"memtrack: pthread_atfork failed");
		return -1;
	}
	atfork_done = 1;
	if (PyModule_AddObject(m, "_Registry",
			       Py_NewRef((PyObject *)&Registry_Type)) < 0)
		return -1;
	PyObject *fn = PyCFunction_New(&g_atexit_def, NULL);
	PyObject *ax = fn ? PyImport_ImportModule("atexit") : NULL;
	PyObject *rc = ax ? PyObject_CallMethod(ax, "register", "O", fn) : NULL;
	Py_XDECREF(ax);
	Py_XDECREF(fn);
	if (!rc)
		return -1;
	Py_DECREF(rc);
	return 0;
}

#else /* !MT_PY_LAYOUT_KNOWN: the module refuses to import */

int mt_tracker_init_module(PyObject *m)
{
	(void)m;
	return 0;
}

#endif
