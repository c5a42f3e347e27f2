/* The heap walker: BFS over the object graph, one OBJECT record per object.
 *
 * Data: the identity table (ids in discovery order; the table's key array is
 * the BFS queue), the edge buffer of the current object, a cover set used to
 * drop tp_traverse referents that a named edge already explains, and small
 * text buffers for value previews.  All C memory.
 *
 * Per object: its type is referenced first (the record's `type` field), then
 * its edges in the order the visitors report them; every reference interns
 * its target in the table right away, so ids are assigned in exactly the order
 * the writer encodes references (code 0 = next id, see dump.h).
 *
 * Referents: the type's row (walkpriv.h: a built-in kind of kinds.c or a
 * capture plugin's type) names the fields it knows (dict items, list
 * and tuple indices, set members, type, module, function, code, frame...),
 * instance slots (PyMemberDef T_OBJECT/T_OBJECT_EX) and the instance dict are
 * added for subclasses, and for a GC object whose type has C-level fields the
 * visitor does not know, tp_traverse is called and whatever it visits beyond
 * the named edges becomes an `other` edge.
 */
#include "config.h"

#include "pyint.h"
#include "walkpriv.h"

#if MT_PY_LAYOUT_KNOWN /* else the module refuses to import: see pyint.h */

#include <frameobject.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <structmember.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "allocsite.h"
#include "greenlet.h"
#include "mark.h"
#include "memtrack/util.h"
#include "memtrack/writer.h"
#include "objtable.h"
#include "prefetch.h"
#include "pyint.h"

/* How far ahead the walk prefetches (queue entries, list items). */
#define PF_DIST 8

/* PyMemberDef types holding a PyObject * (T_OBJECT, T_OBJECT_EX; the
 * values are part of the stable ABI, the macro names changed in 3.12). */
#define MT_T_OBJECT 6
#define MT_T_OBJECT_EX 16

/* subtype_traverse / subtype_dealloc of Python classes, learnt at init. */
static traverseproc g_subtype_traverse;
static PyObject *g_key_sizeof;

/* The C __sizeof__ implementations the walk may call: one row per stdlib C
 * type whose __sizeof__ is leaf code in CPython 3.9 .. 3.14 (it reads the
 * object's own fields and returns a new int: no Python code, no lookup that
 * could reach one, no GIL release).  Learnt from the types themselves
 * (their own __sizeof__ method descriptor, METH_NOARGS), never imported:
 * at module init and at the start of each dump, from the modules that are
 * in sys.modules then.  doc/capture.md, "The walker's rules", says why each
 * is leaf code; anything else (Cython's `def __sizeof__`, pandas' engines,
 * numpy) keeps the size the walker computes from the type's layout. */
static const struct {
	const char *module, *attr, *tp_name;
} g_sizeof_rows[] = {
    {"_collections", "deque", "collections.deque"},
    {"_collections", "OrderedDict", "collections.OrderedDict"},
    {"array", "array", "array.array"},
    {"_io", "BufferedReader", "_io.BufferedReader"},
    {"_io", "BufferedWriter", "_io.BufferedWriter"},
    {"_io", "BufferedRandom", "_io.BufferedRandom"},
    {"_io", "BytesIO", "_io.BytesIO"},
    {"_struct", "Struct", "_struct.Struct"},
    {"_pickle", "Pickler", "_pickle.Pickler"},
    {"_pickle", "Unpickler", "_pickle.Unpickler"},
    {"_decimal", "Decimal", "decimal.Decimal"},
    {"itertools", "product", "itertools.product"},
    {"itertools", "combinations", "itertools.combinations"},
    {"itertools", "combinations_with_replacement",
     "itertools.combinations_with_replacement"},
    {"itertools", "permutations", "itertools.permutations"},
    {"_elementtree", "Element", "xml.etree.ElementTree.Element"},
    /* numpy's array_sizeof: basic size, dims and strides, and the data
	 * buffer when the array owns it (fields only, PyLong_FromSsize_t).
	 * Not numpy's scalars: theirs looks up a dtype. */
    {"numpy", "ndarray", "numpy.ndarray"},
};
#define N_SIZEOF_ROWS (sizeof(g_sizeof_rows) / sizeof(g_sizeof_rows[0]))
static PyCFunction g_sizeof_fn[N_SIZEOF_ROWS]; /* NULL: not learnt yet */
static PyCFunction g_object_sizeof; /* object.__sizeof__: quick refusal */

/* C types whose tp_traverse visits only what the walker names: their own
 * T_OBJECT members (visit_members), their instance dict and their base's
 * referents.  defaultdict: default_factory, then dict's traverse;
 * OrderedDict: its instance dict (tp_dictoffset), the keys again, then
 * dict's traverse.  Their instances skip the tp_traverse pass (a 1M-item
 * defaultdict costed twice a dict with it).  Learnt like g_sizeof_rows. */
static const struct {
	const char *module, *attr, *tp_name;
} g_traverse_rows[] = {
    {"_collections", "defaultdict", "collections.defaultdict"},
    {"_collections", "OrderedDict", "collections.OrderedDict"},
};
#define N_TRAVERSE_ROWS (sizeof(g_traverse_rows) / sizeof(g_traverse_rows[0]))
static traverseproc g_traverse_fn[N_TRAVERSE_ROWS];

/* ---- errors and ids --------------------------------------------------- */

void mt_walk_fail(mt_walk *w, mt_status st, const char *what)
{
	if (w->st != MT_OK)
		return;
	w->st = st;
	if (st == MT_NOMEM)
		mt_err_set(w->err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, "%s",
			   what);
}

#ifdef MT_WALK_DEBUG
/* Build with -DMT_WALK_DEBUG to abort on the first edge to something that
 * is not an object, naming the id that referenced it. */
static uint32_t dbg_current;
static void dbg_check(mt_walk *w, mt_ref r)
{
	if (MT_REF_TAG(r) != MT_REF_OBJ)
		return;
	PyTypeObject *t = Py_TYPE((PyObject *)MT_REF_PTR(r));
	if (((uintptr_t)t & 7) == 0 && PyType_Check((PyObject *)t))
		return;
	mt_ref src = mt_objtable_key(&w->tab, dbg_current);
	fprintf(stderr, "memtrack: bad reference %p from id %u (%s)\n",
		MT_REF_PTR(r), dbg_current,
		MT_REF_TAG(src)
		    ? "virtual"
		    : Py_TYPE((PyObject *)MT_REF_PTR(src))->tp_name);
	abort();
}
#endif

/* Id of r, interned.  After a failure nothing more enters the table (the
 * walk stops after the current object, which is not written): 0. */
uint32_t mt_walk_ref_id(mt_walk *w, mt_ref r)
{
	uint32_t id = 0;
	if (w->st != MT_OK)
		return 0;
	int added = mt_objtable_intern(&w->tab, r, &id);
	if (added < 0)
		mt_walk_fail(w, MT_NOMEM, "object table");
#ifdef MT_WALK_DEBUG
	if (added == 1)
		dbg_check(w, r);
#endif
	return id;
}

/* The edge buffer (the current object's edges) doubles as it fills; from
 * EDGES_MAPPED bytes on it is a mapping of its own, grown in place or moved
 * by mremap and advised huge pages: a list of 1.25M items has 20 MB of
 * edges, which from malloc were 5000 page faults a dump (and copies, once
 * malloc's mmap threshold had risen past them).  Such a buffer is given
 * back before the next object (process). */
#define EDGES_MAPPED ((size_t)4 << 20)

static void edges_drop(mt_walk *w)
{
	if (w->edges_cap * sizeof(mt_edge) >= EDGES_MAPPED)
		munmap(w->edges, w->edges_cap * sizeof(mt_edge));
	else
		free(w->edges);
	w->edges = NULL;
	w->edges_cap = 0;
	w->nedges = 0;
}

static int edges_grow(mt_walk *w)
{
	size_t cap = w->edges_cap ? w->edges_cap * 2 : 1024;
	size_t ob = w->edges_cap * sizeof(mt_edge), nb = cap * sizeof(mt_edge);
	void *p;
	if (nb < EDGES_MAPPED) {
		p = realloc(w->edges, nb);
	} else if (ob >= EDGES_MAPPED) {
		p = mremap(w->edges, ob, nb, MREMAP_MAYMOVE);
	} else {
		p = mmap(NULL, nb, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED) {
			memcpy(p, w->edges, w->nedges * sizeof(mt_edge));
			free(w->edges);
		}
	}
	if (!p || p == MAP_FAILED) {
		mt_walk_fail(w, MT_NOMEM, "edge buffer");
		return -1;
	}
	if (nb >= EDGES_MAPPED)
		mt_huge_advise(p, nb);
	w->edges = p;
	w->edges_cap = cap;
	return 0;
}

void mt_walk_push_edge(mt_walk *w, uint32_t target, mt_relation rel,
		       uint64_t label)
{
	if (w->nedges == w->edges_cap && edges_grow(w) < 0)
		return;
	mt_edge *e = &w->edges[w->nedges++];
	e->target = target;
	e->rel = (uint8_t)rel;
	e->label = label;
}

/* ---- edge sink ---------------------------------------------------------- */

void mt_edge_int(mt_walk *w, mt_relation rel, uint64_t label, mt_ref target)
{
	if (!target || w->st != MT_OK)
		return;
	mt_walk_push_edge(w, mt_walk_ref_id(w, target), rel, label);
}

mt_status mt_walk_name(mt_walk *w, const char *s, size_t n, uint32_t *idx)
{
	*idx = 0;
	return w->wr ? mt_writer_name(w->wr, s, n, idx, w->err) : MT_OK;
}

void mt_walk_edge_name_n(mt_walk *w, mt_relation rel, const char *name,
			 size_t n, mt_ref target)
{
	uint32_t idx = 0;
	if (!target || w->st != MT_OK)
		return;
	mt_status st = mt_walk_name(w, name, n, &idx);
	if (st != MT_OK) {
		w->st = st;
		return;
	}
	mt_walk_push_edge(w, mt_walk_ref_id(w, target), rel, idx);
}

void mt_edge_name(mt_walk *w, mt_relation rel, const char *name, mt_ref target)
{
	mt_walk_edge_name_n(w, rel, name, strlen(name), target);
}

void mt_edge_strname(mt_walk *w, mt_relation rel, PyObject *name, mt_ref target)
{
	if (!target || w->st != MT_OK)
		return;
	if (!name || !PyUnicode_Check(name)) {
		mt_walk_edge_name_n(w, rel, "?", 1, target);
		return;
	}
	size_t n = mt_str_utf8(name, w->name, sizeof(w->name));
	mt_walk_edge_name_n(w, rel, w->name, n, target);
}

void mt_edge_item(mt_walk *w, uint64_t pos, PyObject *key, PyObject *value)
{
	if (w->st != MT_OK || !key)
		return;
	uint32_t kid = mt_walk_ref_id(w, (mt_ref)(uintptr_t)key);
	mt_walk_push_edge(w, kid, MT_REL_KEY, pos);
	if (value)
		mt_walk_push_edge(w,
				  mt_walk_ref_id(w, (mt_ref)(uintptr_t)value),
				  MT_REL_KEYVAL, kid);
}

/* keyval edge whose key may be new: the target is introduced first, then
 * the label, in the order the writer encodes them. */
static void edge_keyval(mt_walk *w, PyObject *key, PyObject *value)
{
	if (w->st != MT_OK || !key || !value)
		return;
	uint32_t vid = mt_walk_ref_id(w, (mt_ref)(uintptr_t)value);
	uint32_t kid = mt_walk_ref_id(w, (mt_ref)(uintptr_t)key);
	mt_walk_push_edge(w, vid, MT_REL_KEYVAL, kid);
}

void mt_walk_cover(mt_walk *w, PyObject *o)
{
	if (w->nextra == w->extra_cap) {
		size_t cap = w->extra_cap ? w->extra_cap * 2 : 64;
		uintptr_t *e = realloc(w->extra, cap * sizeof(*e));
		if (!e) {
			mt_walk_fail(w, MT_NOMEM, "cover list");
			return;
		}
		w->extra = e;
		w->extra_cap = cap;
	}
	w->extra[w->nextra++] = (uintptr_t)o;
}

/* ---- text -------------------------------------------------------------- */

size_t mt_str_utf8(PyObject *s, char *buf, size_t max)
{
#if PY_VERSION_HEX < 0x030C0000
	if (!PyUnicode_IS_READY(s))
		return 0;
#endif
	int kind = PyUnicode_KIND(s);
	const void *data = PyUnicode_DATA(s);
	Py_ssize_t len = PyUnicode_GET_LENGTH(s);
	if (PyUnicode_IS_ASCII(s)) { /* its bytes are its UTF-8 */
		size_t n = (size_t)len < max ? (size_t)len : max;
		memcpy(buf, data, n);
		return n;
	}
	size_t n = 0;
	for (Py_ssize_t i = 0; i < len; i++) {
		Py_UCS4 c = PyUnicode_READ(kind, data, i);
		unsigned char tmp[4];
		size_t k;
		if (c >= 0xD800 && c <= 0xDFFF)
			c = 0xFFFD;
		if (c < 0x80) {
			tmp[0] = (unsigned char)c;
			k = 1;
		} else if (c < 0x800) {
			tmp[0] = (unsigned char)(0xC0 | (c >> 6));
			tmp[1] = (unsigned char)(0x80 | (c & 0x3F));
			k = 2;
		} else if (c < 0x10000) {
			tmp[0] = (unsigned char)(0xE0 | (c >> 12));
			tmp[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
			tmp[2] = (unsigned char)(0x80 | (c & 0x3F));
			k = 3;
		} else {
			tmp[0] = (unsigned char)(0xF0 | (c >> 18));
			tmp[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
			tmp[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
			tmp[3] = (unsigned char)(0x80 | (c & 0x3F));
			k = 4;
		}
		if (n + k > max)
			break;
		memcpy(buf + n, tmp, k);
		n += k;
	}
	return n;
}

/* Does the instance layout of base level b hold inside an instance of tp?
 * CPython builds a subclass's layout by extending its tp_base's, so a base's
 * dict and weakref slots stay where they are; mypyc does not: a native class
 * whose tp_base is a trait keeps its vtable where the trait has its __dict__
 * (the trait's "__dict__" member at offset 16 is a code pointer in the
 * instance).  A level whose dict or weakref offset differs from tp's, or
 * which is bigger than tp, is not a prefix of tp's layout: none of its
 * members can be read. */
static int level_fits(const PyTypeObject *b, const PyTypeObject *tp)
{
	return b->tp_basicsize <= tp->tp_basicsize &&
	       (b->tp_dictoffset == 0 ||
		b->tp_dictoffset == tp->tp_dictoffset) &&
	       (b->tp_weaklistoffset == 0 ||
		b->tp_weaklistoffset == tp->tp_weaklistoffset);
}

/* PyMemberDef flag Py_RELATIVE_OFFSET (3.12): offset not resolved. */
#define MT_RELATIVE_OFFSET 8

/* Member slots (T_OBJECT, T_OBJECT_EX) of the levels tp .. below stop.
 * A member is read only where it is an object pointer of this instance:
 * a level whose layout fits tp's (level_fits), an aligned offset past the
 * object header and inside the level's basic size; the instance dict and
 * the weakref list (members of that name in mypyc and some C types) are not
 * member edges (the dict is visit_instance_dict's, weakrefs are not edges). */
static void visit_members(mt_walk *w, PyObject *o, PyTypeObject *tp,
			  PyTypeObject *stop)
{
	for (PyTypeObject *b = tp; b && b != stop && b != &PyBaseObject_Type;
	     b = b->tp_base) {
		PyMemberDef *m = b->tp_members;
		if (!m || !level_fits(b, tp))
			continue;
		for (; m->name; m++) {
			if (m->type != MT_T_OBJECT && m->type != MT_T_OBJECT_EX)
				continue;
			if ((m->flags & MT_RELATIVE_OFFSET) ||
			    m->offset < (Py_ssize_t)sizeof(PyObject) ||
			    m->offset % (Py_ssize_t)sizeof(PyObject *) != 0 ||
			    m->offset + (Py_ssize_t)sizeof(PyObject *) >
				b->tp_basicsize ||
			    m->offset == tp->tp_weaklistoffset ||
			    m->offset == tp->tp_dictoffset)
				continue;
			PyObject *v = *(PyObject **)((char *)o + m->offset);
			MT_ATTR(w, m->name, v);
		}
	}
}

static void vdict_cover_cb(void *arg, PyObject *k, PyObject *v)
{
	(void)k;
	mt_walk_cover((mt_walk *)arg, v);
}

static void vdict_edge_cb(void *arg, PyObject *k, PyObject *v)
{
	edge_keyval((mt_walk *)arg, k, v);
}

/* The name index of "__dict__", looked up once per walk (per instance it
 * was most of the writer's name lookups: 2-3% of a dump). */
static int dict_name(mt_walk *w, uint32_t *idx)
{
	if (!w->dict_name1) {
		mt_status st = mt_walk_name(w, "__dict__", 8, idx);
		if (st != MT_OK) {
			w->st = st;
			return -1;
		}
		w->dict_name1 = *idx + 1;
	}
	*idx = w->dict_name1 - 1;
	return 0;
}

/* Instance dict of o (real, or virtual for 3.11+ inline values). */
static void visit_instance_dict(mt_walk *w, PyObject *o)
{
	PyObject *d = NULL;
	switch (mt_py_instance_dict(o, &d)) {
	case MT_IDICT_REAL: {
		uint32_t idx = 0;
		if (!d || w->st != MT_OK || dict_name(w, &idx) < 0)
			break;
		mt_walk_push_edge(w, mt_walk_ref_id(w, (mt_ref)(uintptr_t)d),
				  MT_REL_ATTR, idx);
		break;
	}
	case MT_IDICT_VIRTUAL: {
		/* Only its owner refers to a virtual dict, and each owner is
		 * processed once: the id is new, no hash lookup needed. */
		uint32_t idx = 0, vid = 0;
		if (w->st != MT_OK || dict_name(w, &idx) < 0)
			break;
		if (mt_objtable_append(&w->tab, MT_REF(o, MT_REF_VDICT), &vid) <
		    0) {
			mt_walk_fail(w, MT_NOMEM, "object table");
			break;
		}
		mt_walk_push_edge(w, vid, MT_REL_ATTR, idx);
		/* its values are covered only if traverse_rest runs */
		w->vdict_owner = o;
		break;
	}
	default:
		break;
	}
}

/* ---- tp_traverse pass ---------------------------------------------------- */

static inline size_t cover_hash(uintptr_t p)
{
	uint64_t h = (uint64_t)p * UINT64_C(0x9e3779b97f4a7c15);
	return (size_t)(h >> 20);
}

/* Puts p in set (not there yet) and returns its slot. */
static size_t cover_insert(uintptr_t *set, size_t cap, uintptr_t p)
{
	size_t i = cover_hash(p) & (cap - 1);
	while (set[i])
		i = (i + 1) & (cap - 1);
	set[i] = p;
	return i;
}

static int cover_has(const mt_walk *w, uintptr_t p)
{
	size_t mask = w->cover_cap - 1;
	size_t i = cover_hash(p) & mask;
	while (w->cover[i]) {
		if (w->cover[i] == p)
			return 1;
		i = (i + 1) & mask;
	}
	return 0;
}

/* Sets the cover set to at least `need` slots, keeping its contents.  The
 * set keeps the largest size any object needed, so it is never cleared
 * whole: cover_log lists the used slots (at most cap/2), and cover_clear
 * empties just those (a memset per object of a set sized by a 1M-item dict
 * made every later deque cost milliseconds: doc/benchmarks.md, cliff). */
static int cover_reserve(mt_walk *w, size_t need)
{
	size_t cap = w->cover_cap ? w->cover_cap : 64;
	while (cap < need)
		cap <<= 1;
	if (cap == w->cover_cap)
		return 0;
	uintptr_t *c = cap <= ((size_t)1 << 32) ? calloc(cap, sizeof(*c))
						: NULL;
	uint32_t *log = c ? malloc(cap / 2 * sizeof(*log)) : NULL;
	if (!log) {
		free(c);
		mt_walk_fail(w, MT_NOMEM, "cover set");
		return -1;
	}
	for (size_t k = 0; k < w->ncover; k++)
		log[k] =
		    (uint32_t)cover_insert(c, cap, w->cover[w->cover_log[k]]);
	free(w->cover);
	free(w->cover_log);
	w->cover = c;
	w->cover_log = log;
	w->cover_cap = cap;
	return 0;
}

static void cover_clear(mt_walk *w)
{
	if (w->ncover * 8 < w->cover_cap) {
		for (size_t k = 0; k < w->ncover; k++)
			w->cover[w->cover_log[k]] = 0;
	} else if (w->cover_cap) {
		memset(w->cover, 0, w->cover_cap * sizeof(*w->cover));
	}
	w->ncover = 0;
}

static void cover_add(mt_walk *w, uintptr_t p)
{
	if ((w->ncover + 1) * 2 > w->cover_cap &&
	    cover_reserve(w, (w->ncover + 1) * 2) < 0)
		return;
	size_t mask = w->cover_cap - 1;
	size_t i = cover_hash(p) & mask;
	while (w->cover[i]) {
		if (w->cover[i] == p)
			return;
		i = (i + 1) & mask;
	}
	w->cover[i] = p;
	w->cover_log[w->ncover++] = (uint32_t)i;
}

static int traverse_visit(PyObject *child, void *arg)
{
	mt_walk *w = arg;
	int ord = w->traverse_ordinal++;
	if (!child || w->st != MT_OK)
		return 0;
	if ((PyObject *)Py_TYPE(w->traverse_self) == child)
		return 0;
	if (cover_has(w, (uintptr_t)child))
		return 0;
	cover_add(w, (uintptr_t)child); /* report each referent once */
	mt_edge_int(w, MT_REL_OTHER, (uint64_t)ord, (mt_ref)(uintptr_t)child);
	return 0;
}

/* Calls tp_traverse and reports, as `other` edges, the referents that the
 * named edges (and extra covers) of this object do not already explain. */
static void traverse_rest(mt_walk *w, PyObject *o)
{
	traverseproc tr = Py_TYPE(o)->tp_traverse;
	if (!tr || !PyObject_IS_GC(o))
		return;
	cover_clear(w);
	if (cover_reserve(w, (w->nedges + w->nextra) * 2 + 16) < 0)
		return;
	for (size_t i = 0; i < w->nedges; i++)
		cover_add(w, mt_objtable_key(&w->tab, w->edges[i].target));
	if (w->vdict_owner)
		mt_py_vdict_foreach(w->vdict_owner, vdict_cover_cb, w);
	for (size_t i = 0; i < w->nextra; i++)
		cover_add(w, w->extra[i]);
	w->traverse_ordinal = 0;
	w->traverse_self = o;
	tr(o, traverse_visit, w);
}

static int traverse_named(traverseproc f)
{
	for (size_t i = 0; i < N_TRAVERSE_ROWS; i++)
		if (g_traverse_fn[i] == f)
			return f != NULL;
	return 0;
}

static int sizeof_allowed(PyCFunction f)
{
	for (size_t i = 0; i < N_SIZEOF_ROWS; i++)
		if (g_sizeof_fn[i] == f)
			return f != NULL;
	return 0;
}

/* __sizeof__ of a type memtrack does not model (deque, array, OrderedDict,
 * BytesIO...): when it resolves, through the MRO dicts without running
 * descriptors, to one of the allowed C functions (g_sizeof_rows) and tp is
 * a subtype of the type that defines it, that C function; else NULL.
 * Nothing else is called: not a Python-level __sizeof__, not another C one
 * (it may call Python code: Cython's `def __sizeof__`, pandas' engines),
 * not an allowed one borrowed by an unrelated class (`__sizeof__ =
 * deque.__sizeof__` would read a deque's fields out of another layout).
 * Found once per type and dump (typeinfo_build): the lookup per object was
 * 1-2% of a dump of user-class instances, and nothing can change a type's
 * MRO dicts while the walk runs. */
static PyCFunction c_sizeof_fn(PyTypeObject *tp)
{
	PyObject *m = _PyType_Lookup(tp, g_key_sizeof);
	if (!m || !Py_IS_TYPE(m, &PyMethodDescr_Type)) {
		if (PyErr_Occurred())
			PyErr_Clear();
		return NULL;
	}
	PyMethodDescrObject *md = (PyMethodDescrObject *)m;
	PyMethodDef *def = md->d_method;
	if (!def || def->ml_meth == g_object_sizeof ||
	    !(def->ml_flags & METH_NOARGS) || !sizeof_allowed(def->ml_meth) ||
	    !md->d_common.d_type ||
	    !PyType_IsSubtype(tp, md->d_common.d_type))
		return NULL;
	return def->ml_meth;
}

/* Calls f, tp's c_sizeof_fn, on o: returns 1 and sets *size on success. */
static int c_sizeof(PyCFunction f, PyObject *o, size_t *size)
{
	PyObject *r = f(o, NULL);
	if (!r) {
		PyErr_Clear();
		return 0;
	}
	Py_ssize_t n = PyLong_Check(r) ? PyLong_AsSsize_t(r) : -1;
	Py_DECREF(r);
	if (n < 0) {
		PyErr_Clear();
		return 0;
	}
	*size = (size_t)n;
	return 1;
}

/* ---- the type cache ------------------------------------------------------- */

/* Whether the levels tp .. below base add no referent tp_traverse would
 * visit that the walker does not name: Python-class levels
 * (subtype_traverse) only add slots and the dict, named by visit_members and
 * visit_instance_dict; so do levels sharing base's traverse or with a
 * traverse known to visit only named referents (g_traverse_rows). */
static int levels_complete(PyTypeObject *tp, PyTypeObject *base)
{
	for (PyTypeObject *b = tp; b && b != base; b = b->tp_base)
		if (b->tp_traverse != g_subtype_traverse &&
		    b->tp_traverse != base->tp_traverse &&
		    !traverse_named(b->tp_traverse) &&
		    (b->tp_flags & Py_TPFLAGS_HAVE_GC))
			return 0;
	return 1;
}

/* The plugin row for tp: the nearest level of tp's tp_base chain, up to
 * the modelled base, with a row (its own type, or a base whose row takes
 * subclasses).  NULL if none. */
static const mt_prow *plugin_row(const mt_walk *w, PyTypeObject *tp,
				 PyTypeObject *base)
{
	const mt_dumpplugins *dp = w->plugins;
	if (!dp || !dp->nrows)
		return NULL;
	for (PyTypeObject *b = tp; b; b = b->tp_base) {
		for (size_t i = 0; i < dp->nrows; i++)
			if (dp->rows[i].type == b)
				return b == tp || (dp->rows[i].def->flags &
						   MT_PLUGIN_SUBCLASSES)
					   ? &dp->rows[i]
					   : NULL;
		if (b == base)
			break;
	}
	return NULL;
}

static void typeinfo_build(mt_walk *w, PyTypeObject *tp, mt_typeinfo *ti)
{
	memset(ti, 0, sizeof(*ti));
	ti->tp = tp;
	ti->row = &mt_kind_other;
	for (PyTypeObject *b = tp; b; b = b->tp_base) {
		const mt_kind *k = mt_kind_exact(b);
		if (k) {
			ti->row = k;
			ti->base = b;
			break;
		}
	}
	ti->complete = (ti->row->flags & MT_KF_COMPLETE) &&
		       levels_complete(tp, ti->base);
	ti->prow = plugin_row(w, tp, ti->base);
	ti->pcomplete = ti->prow &&
			(ti->prow->def->flags & MT_PLUGIN_COMPLETE) &&
			levels_complete(tp, ti->prow->type);
	ti->greenlet = (ti->row->type == &PyBaseObject_Type ||
			ti->row == &mt_kind_other) &&
		       mt_greenlet_type(tp);
	ti->gc = PyType_IS_GC(tp) != 0;
	/* an exact modelled builtin is an instance of no allowlisted type;
	 * a mark walk needs no size */
	if (!w->mb && tp != ti->base && !(ti->row->flags & MT_KF_OWN_SIZE))
		ti->sizeof_fn = c_sizeof_fn(tp);
	ti->mtype = MT_MARK_NOTYPE;
	if (w->mb) {
		ti->mtype = mt_markb_type(w->mb, (uintptr_t)tp);
		if (ti->mtype == MT_MARK_NOTYPE)
			mt_walk_fail(w, MT_NOMEM, "mark types");
	} else if (w->mark) {
		ti->mtype = mt_mark_type(w->mark, (uintptr_t)tp);
	}
}

static inline size_t typeinfo_home(const mt_walk *w, PyTypeObject *tp)
{
	uint64_t h = (uint64_t)(uintptr_t)tp * UINT64_C(0x9e3779b97f4a7c15);
	return (size_t)(h >> 32) & (w->types_cap - 1);
}

static int typeinfo_grow(mt_walk *w)
{
	size_t cap = w->types_cap ? w->types_cap * 2 : 256;
	mt_typeinfo *old = w->types, *t = calloc(cap, sizeof(*t));
	size_t oldcap = w->types_cap;
	if (!t) {
		mt_walk_fail(w, MT_NOMEM, "type cache");
		return -1;
	}
	w->types = t;
	w->types_cap = cap;
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].tp)
			continue;
		size_t j = typeinfo_home(w, old[i].tp);
		while (t[j].tp)
			j = (j + 1) & (cap - 1);
		t[j] = old[i];
	}
	free(old);
	return 0;
}

/* What the walk knows about tp (computed the first time), or NULL when out
 * of memory (the walk then stops). */
static mt_typeinfo *typeinfo(mt_walk *w, PyTypeObject *tp)
{
	if (w->types_cap) {
		size_t i = typeinfo_home(w, tp);
		for (; w->types[i].tp; i = (i + 1) & (w->types_cap - 1))
			if (w->types[i].tp == tp)
				return &w->types[i];
	}
	if ((w->ntypes + 1) * 2 > w->types_cap && typeinfo_grow(w) < 0)
		return NULL;
	size_t i = typeinfo_home(w, tp);
	while (w->types[i].tp)
		i = (i + 1) & (w->types_cap - 1);
	typeinfo_build(w, tp, &w->types[i]);
	w->ntypes++;
	return &w->types[i];
}

/* ---- one object ------------------------------------------------------------ */

/* A real object: its type's row (a plugin's when it has one and the visit
 * is valid, else the built-in kind's), then the member slots and instance
 * dict of the levels below that row's type, then tp_traverse for what no
 * row names, then the size. */
static int bit_set(mt_walk *w, uint8_t **bits, size_t *cap, uint32_t id,
		   const char *what);

static void process_real(mt_walk *w, uint32_t id, PyObject *o, mt_obj *ob)
{
	PyTypeObject *tp = Py_TYPE(o);
	mt_typeinfo *tip = typeinfo(w, tp);
	if (!tip)
		return;
	/* the type's id from the cache once known: the same id interning
	 * would return, without the table lookup */
	if (tip->tid1) {
		ob->type = tip->tid1 - 1;
	} else {
		ob->type = mt_walk_ref_id(w, (mt_ref)(uintptr_t)tp);
		if (w->st == MT_OK)
			tip->tid1 = ob->type + 1;
	}
	mt_typeinfo ti = *tip; /* a plugin visit may not grow the cache,
				  but keep no pointer into it anyway */
	/* in a GC list: walk_rest looks at its successor there */
	if (ti.gc && (!tp->tp_is_gc || tp->tp_is_gc(o)) && mt_py_gc_next(o))
		bit_set(w, &w->gcbits, &w->gcbits_cap, id, "GC bits");
	w->cur_mtype = ti.mtype;
	ob->addr = (uint64_t)(uintptr_t)o;
	ob->refcnt = (uint64_t)Py_REFCNT(o);
	ob->length = MT_NO_LENGTH;
	size_t size = 0;
	int sized = 0;
	PyTypeObject *level = ti.base;
	unsigned flags = ti.row->flags;
	int complete = ti.complete;
	if (ti.prow && !ti.prow->plugin->disabled &&
	    mt_sink_visit(&w->sink, ti.prow, o, ob, &size, &sized)) {
		level = ti.prow->type;
		flags = 0;
		complete = ti.pcomplete;
	} else {
		ti.row->visit(w, o, ob);
	}
	if (ti.greenlet)
		mt_greenlet_edges(w, o); /* suspended greenlets' frames */
	if (tp != level) {
		visit_members(w, o, tp, level);
		if (!(flags & MT_KF_DICT))
			visit_instance_dict(w, o);
	}
	if (!complete)
		traverse_rest(w, o);
	if (w->mb) { /* a mark walk needs no size (and calls no __sizeof__) */
		if (w->st == MT_OK &&
		    mt_markb_add(w->mb, (uintptr_t)o, ti.mtype))
			mt_walk_fail(w, MT_NOMEM, "mark");
		return;
	}
	if (!sized) {
		size = ti.row->size(o);
		if (ti.sizeof_fn)
			c_sizeof(ti.sizeof_fn, o, &size);
	}
	ob->size = (uint64_t)(size + mt_py_presize(o));
}

uint32_t mt_walk_vrec_id(mt_walk *w, mt_vrec *v)
{
	uint32_t id = 0;
	if (w->st != MT_OK)
		return 0;
	if (v->id1)
		return v->id1 - 1;
	if (mt_objtable_append(&w->tab, MT_REF(v, MT_REF_VREC), &id) < 0) {
		mt_walk_fail(w, MT_NOMEM, "object table");
		return 0;
	}
	v->id1 = id + 1;
	return id;
}

/* Makes a bit array that grows (doubling, zero-filled) as ids come cover
 * bit id; 0, or -1 with the walk failed (MT_NOMEM, `what`). */
static int bit_grow(mt_walk *w, uint8_t **bits, size_t *cap, uint32_t id,
		    const char *what)
{
	size_t byte = id >> 3;
	if (byte >= *cap) {
		size_t n = *cap ? *cap * 2 : 65536;
		while (n <= byte)
			n *= 2;
		uint8_t *b = realloc(*bits, n);
		if (!b) {
			mt_walk_fail(w, MT_NOMEM, what);
			return -1;
		}
		memset(b + *cap, 0, n - *cap);
		*bits = b;
		*cap = n;
	}
	return 0;
}

/* Sets bit id, growing the array as bit_grow. */
static int bit_set(mt_walk *w, uint8_t **bits, size_t *cap, uint32_t id,
		   const char *what)
{
	if (bit_grow(w, bits, cap, id, what) < 0)
		return -1;
	(*bits)[id >> 3] |= (uint8_t)(1u << (id & 7));
	return 0;
}

/* A dump with a mark: sets bit id when the object existed at the mark
 * (same address, same type), a virtual dict when its owner did.  Virtual
 * frames and plugin buffers are never marked. */
static void mark_bit(mt_walk *w, uint32_t id, mt_ref r)
{
	/* every id covered: the MARK record has a bit for each */
	if (bit_grow(w, &w->mbits, &w->mbits_cap, id, "mark bits") < 0)
		return;
	uint32_t t;
	switch (MT_REF_TAG(r)) {
	case MT_REF_OBJ:
		t = w->cur_mtype;
		break;
	case MT_REF_VDICT: {
		const mt_typeinfo *ti =
		    typeinfo(w, Py_TYPE((PyObject *)MT_REF_PTR(r)));
		if (!ti)
			return;
		t = ti->mtype;
		break;
	}
	default:
		return;
	}
	uintptr_t a = (uintptr_t)MT_REF_PTR(r);
	if (mt_mark_has(w->mark, a, t) ||
	    (MT_REF_TAG(r) == MT_REF_OBJ && mt_mark_static(w->mark, a)))
		bit_set(w, &w->mbits, &w->mbits_cap, id, "mark bits");
}

static void process(mt_walk *w, uint32_t id)
{
	mt_ref r = mt_objtable_key(&w->tab, id);
	mt_obj ob;
#ifdef MT_WALK_DEBUG
	dbg_current = id;
#endif
	memset(&ob, 0, sizeof(ob));
	/* after an object of more than 256Ki edges its buffer goes back
	 * rather than stay in the walk's peak (the benchmark heap's list:
	 * 20 MB, 4 bytes an object) */
	if (w->edges_cap * sizeof(mt_edge) >= EDGES_MAPPED)
		edges_drop(w);
	w->nedges = 0;
	w->nextra = 0;
	w->vdict_owner = NULL;
	ob.length = MT_NO_LENGTH;
	switch (MT_REF_TAG(r)) {
	case MT_REF_VDICT: {
		PyObject *owner = MT_REF_PTR(r);
		ob.type = mt_walk_ref_id(w, (mt_ref)(uintptr_t)&PyDict_Type);
		mt_py_vdict_foreach(owner, vdict_edge_cb, w);
		ob.length = mt_py_vdict_len(owner);
		ob.size = mt_py_vdict_size(owner);
		break;
	}
	case MT_REF_VFRAME: {
		PyObject *code;
		int line;
		size_t size;
		ob.type = mt_walk_ref_id(w, (mt_ref)(uintptr_t)&PyFrame_Type);
		mt_py_frame_edges(w, r);
		mt_py_frame_describe(r, &code, &line, &size);
		if (code)
			mt_value_code(w, code, line, &ob.value);
		ob.size = size;
		break;
	}
	case MT_REF_VREC:
		mt_sink_vobject(&w->sink, MT_REF_PTR(r), &ob);
		break;
	default:
		process_real(w, id, (PyObject *)MT_REF_PTR(r), &ob);
		break;
	}
	if (w->st != MT_OK)
		return;
	if (w->mark)
		mark_bit(w, id, r);
	if (!w->wr)
		return;
	mt_status st =
	    mt_writer_object(w->wr, id, &ob, w->edges, w->nedges, w->err);
	if (st != MT_OK)
		w->st = st;
	w->total_edges += w->nedges;
	w->total_size += ob.size;
}

/* ---- the walk ------------------------------------------------------------ */

/* Prefetches the header (and the word before it: GC head, 3.11+ pre-header)
 * of an object that will be processed soon; for a virtual dict, its owner. */
MT_PREFETCH_FN void prefetch_obj(const mt_walk *w, uint32_t id)
{
	mt_ref r = mt_objtable_key(&w->tab, id);
	if (MT_REF_TAG(r) == MT_REF_VFRAME)
		return;
	char *p = MT_REF_PTR(r);
	__builtin_prefetch(p - 32);
	__builtin_prefetch(p + 16);
}

static void prefetch_slot_cb(void *arg, PyObject *k, PyObject *v)
{
	(void)k;
	mt_objtable_prefetch(&((mt_walk *)arg)->tab, (mt_ref)(uintptr_t)v);
}

/* Virtual dicts ahead in the queue: their values storage (owner header
 * prefetched earlier), then the hash slots of the values they refer to;
 * real dicts: their keys and values storage (stage 0 only). */
MT_PREFETCH_FN void prefetch_vdict(mt_walk *w, uint32_t id, int stage)
{
	mt_ref r = mt_objtable_key(&w->tab, id);
	if (MT_REF_TAG(r) == MT_REF_OBJ) {
		if (stage == 0 && PyDict_Check((PyObject *)MT_REF_PTR(r)))
			mt_py_dict_prefetch(MT_REF_PTR(r));
		return;
	}
	if (MT_REF_TAG(r) != MT_REF_VDICT)
		return;
	PyObject *owner = MT_REF_PTR(r);
	if (stage == 0) {
		const char *v = mt_py_vdict_values(owner);
		if (v) {
			__builtin_prefetch(v - 8);
			__builtin_prefetch(v + 56);
		}
	} else {
		mt_py_vdict_foreach(owner, prefetch_slot_cb, w);
	}
}

/* A dump with a mark: the mark's directory entry (stage 0) then keys
 * (stage 1) of an object ahead in the queue.  Its header was prefetched
 * earlier; its type's entry is looked up only if the cache has it. */
MT_PREFETCH_FN void prefetch_mark(mt_walk *w, uint32_t id, int stage)
{
	mt_ref r = mt_objtable_key(&w->tab, id);
	if (MT_REF_TAG(r) != MT_REF_OBJ && MT_REF_TAG(r) != MT_REF_VDICT)
		return;
	PyTypeObject *tp = Py_TYPE((PyObject *)MT_REF_PTR(r));
	if (!w->types_cap)
		return;
	size_t i = typeinfo_home(w, tp);
	for (; w->types[i].tp; i = (i + 1) & (w->types_cap - 1))
		if (w->types[i].tp == tp) {
			mt_mark_prefetch(w->mark, (uintptr_t)MT_REF_PTR(r),
					 w->types[i].mtype, stage);
			return;
		}
}

static void run_queue(mt_walk *w, uint32_t *next)
{
	while (*next < w->tab.count && w->st == MT_OK) {
		uint32_t id = *next, count = w->tab.count;
		if (id + 2 * PF_DIST < count)
			prefetch_obj(w, id + 2 * PF_DIST);
		if (id + PF_DIST < count)
			prefetch_vdict(w, id + PF_DIST, 0);
		if (id + PF_DIST / 2 < count)
			prefetch_vdict(w, id + PF_DIST / 2, 1);
		if (w->mark && id + PF_DIST < count)
			prefetch_mark(w, id + PF_DIST, 0);
		if (w->mark && id + PF_DIST / 2 < count)
			prefetch_mark(w, id + PF_DIST / 2, 1);
		process(w, id);
		(*next)++;
		if ((id & 4095) == 0 && w->cancel && *w->cancel) {
			w->st = mt_err_set(w->err, MT_CANCELLED, MT_NO_OFFSET,
					   MT_NO_OFFSET,
					   "interrupted by a signal");
		}
	}
}

/* ---- the unreachable tail ------------------------------------------------
 *
 * Objects the roots do not reach but the GC lists hold (cycles nothing
 * refers to, objects only C code refers to).  Instead of following the
 * lists' links one by one (each a cache miss that depends on the one
 * before), the pass looks at the link of every GC-tracked object the walk
 * met (gcbits, set by process_real): the entry after it in its list.  An
 * entry not met yet is a start of the tail (interned, then walked), and
 * since every entry of a list follows its list's head or another entry,
 * looking at the heads' links and then at the links of every object met,
 * the pass's own finds included, reaches every entry.  The links are read
 * in id order, GC_BATCH at a time: independent loads that are prefetched,
 * and so are the table slots of what they point to. */
#define GC_BATCH 32

/* The entry whose GC head is at g, unless g is a list head or known. */
static void tail_consider(mt_walk *w, uintptr_t g, const uintptr_t *heads,
			  uint32_t *next)
{
	if (!g)
		return;
	for (int i = 0; i < MT_GC_LISTS; i++)
		if (g == heads[i])
			return;
	mt_ref r = (mt_ref)(uintptr_t)mt_py_gc_object(g);
	uint32_t id;
	if (mt_objtable_find(&w->tab, r, &id))
		return;
	if (mt_objtable_intern(&w->tab, r, &id) < 0) {
		mt_walk_fail(w, MT_NOMEM, "object table");
		return;
	}
	run_queue(w, next);
}

static void walk_tail(mt_walk *w, uint32_t *next)
{
	uintptr_t heads[MT_GC_LISTS];
	mt_py_gc_heads(heads);
	for (int i = 0; i < MT_GC_LISTS && w->st == MT_OK; i++)
		tail_consider(w, *(const uintptr_t *)heads[i] & ~(uintptr_t)3,
			      heads, next);
	uint32_t id = 0, batch[GC_BATCH];
	uintptr_t link[GC_BATCH];
	while (w->st == MT_OK) {
		unsigned n = 0;
		/* ids the walk adds meanwhile come after: the loop sees them */
		while (id < w->tab.count && n < GC_BATCH) {
			size_t byte = id >> 3;
			if (byte >= w->gcbits_cap) {
				id = w->tab.count;
				break;
			}
			/* a zero byte skipped whole, but never past the last
			 * id: ids added after it (the tail's own finds) fill
			 * the rest of the byte and must be looked at */
			if (!w->gcbits[byte] && !(id & 7) &&
			    id + 8 <= w->tab.count) {
				id += 8;
				continue;
			}
			if (w->gcbits[byte] & (1u << (id & 7))) {
				batch[n++] = id;
				__builtin_prefetch(
				    (const char *)MT_REF_PTR(
					mt_objtable_key(&w->tab, id)) -
				    16);
			}
			id++;
		}
		if (!n)
			break;
		for (unsigned i = 0; i < n; i++) {
			link[i] = mt_py_gc_next(
			    MT_REF_PTR(mt_objtable_key(&w->tab, batch[i])));
			if (link[i])
				mt_objtable_prefetch(
				    &w->tab,
				    (mt_ref)(uintptr_t)mt_py_gc_object(link[i]));
		}
		for (unsigned i = 0; i < n && w->st == MT_OK; i++)
			tail_consider(w, link[i], heads, next);
	}
}

/* sys.modules[module].attr if it is a type named tp_name, else NULL.
 * Imports nothing. */
static PyTypeObject *imported_type(PyObject *mods, const char *module,
				   const char *attr, const char *tp_name)
{
	PyObject *m = PyDict_GetItemString(mods, module);
	if (!m || !PyModule_Check(m))
		return NULL;
	PyObject *t = PyDict_GetItemString(PyModule_GetDict(m), attr);
	if (!t || !PyType_Check(t) ||
	    strcmp(((PyTypeObject *)t)->tp_name, tp_name) != 0)
		return NULL;
	return (PyTypeObject *)t;
}

/* Learns the __sizeof__ function of each row of g_sizeof_rows whose module
 * is imported: sys.modules[module].attr must be the C type named tp_name,
 * with its own METH_NOARGS __sizeof__ method descriptor; and the
 * tp_traverse of each row of g_traverse_rows.  Imports nothing; dict
 * lookups only (run before a walk, never during one). */
static void learn_sizeof(void)
{
	PyObject *mods = PyImport_GetModuleDict(); /* borrowed */
	if (!mods || !PyDict_Check(mods))
		return;
	for (size_t i = 0; i < N_TRAVERSE_ROWS; i++) {
		PyTypeObject *t =
		    g_traverse_fn[i]
			? NULL
			: imported_type(mods, g_traverse_rows[i].module,
					g_traverse_rows[i].attr,
					g_traverse_rows[i].tp_name);
		if (t && t->tp_base == &PyDict_Type &&
		    t->tp_traverse != PyDict_Type.tp_traverse)
			g_traverse_fn[i] = t->tp_traverse;
	}
	for (size_t i = 0; i < N_SIZEOF_ROWS; i++) {
		if (g_sizeof_fn[i])
			continue;
		PyObject *t =
		    (PyObject *)imported_type(mods, g_sizeof_rows[i].module,
					      g_sizeof_rows[i].attr,
					      g_sizeof_rows[i].tp_name);
		if (!t)
			continue;
#if PY_VERSION_HEX >= 0x030C0000
		/* a static builtin type (3.14's OrderedDict) keeps its dict in
		 * the interpreter state: tp_dict is NULL */
		PyObject *td = PyType_GetDict((PyTypeObject *)t); /* new ref */
		Py_XDECREF(td); /* the type keeps it alive */
#else
		PyObject *td = ((PyTypeObject *)t)->tp_dict;
#endif
		PyObject *d = td && PyDict_Check(td)
				  ? PyDict_GetItemWithError(td, g_key_sizeof)
				  : NULL;
		if (!d || !Py_IS_TYPE(d, &PyMethodDescr_Type) ||
		    ((PyMethodDescrObject *)d)->d_common.d_type !=
			(PyTypeObject *)t)
			continue;
		PyMethodDef *def = ((PyMethodDescrObject *)d)->d_method;
		if (def && (def->ml_flags & METH_NOARGS))
			g_sizeof_fn[i] = def->ml_meth;
	}
	if (PyErr_Occurred())
		PyErr_Clear();
}

static int init_globals(void)
{
	if (g_key_sizeof)
		return 0;
	if (mt_kinds_init() < 0)
		return -1;
	g_key_sizeof = PyUnicode_InternFromString("__sizeof__");
	if (!g_key_sizeof)
		return -1;
	learn_sizeof();
	PyObject *os = _PyType_Lookup(&PyBaseObject_Type, g_key_sizeof);
	if (os && Py_IS_TYPE(os, &PyMethodDescr_Type))
		g_object_sizeof =
		    ((PyMethodDescrObject *)os)->d_method->ml_meth;
	/* A throwaway Python class tells us subtype_traverse. */
	PyObject *cls = PyObject_CallFunction((PyObject *)&PyType_Type,
					      "s(O){}", "_memtrack_probe",
					      (PyObject *)&PyBaseObject_Type);
	if (!cls)
		return -1;
	g_subtype_traverse = ((PyTypeObject *)cls)->tp_traverse;
	Py_DECREF(cls);
	return 0;
}

int mt_walk_init_module(void) { return init_globals(); }

/* The dump's warnings, as WARNING records before END. */
static void write_warnings(mt_walk *w)
{
	const mt_dumpplugins *dp = w->plugins;
	for (size_t i = 0; dp && i < dp->nwarnings && w->st == MT_OK; i++)
		w->st = mt_writer_warning(w->wr, dp->warnings[i],
					  strlen(dp->warnings[i]), w->err);
}

static void walk_init(mt_walk *w, mt_writer *wr, struct mt_dumpplugins *plugins,
		      const volatile sig_atomic_t *cancel, mt_err *err)
{
	memset(w, 0, sizeof(*w));
	w->err = err;
	w->cancel = cancel;
	w->st = MT_OK;
	w->wr = wr;
	w->plugins = plugins;
	mt_sink_init(&w->sink, w);
	learn_sizeof(); /* modules imported since the last dump */
}

static void walk_destroy(mt_walk *w)
{
	mt_objtable_destroy(&w->tab);
	edges_drop(w);
	free(w->cover);
	free(w->cover_log);
	free(w->extra);
	free(w->types);
	free(w->mbits);
	free(w->gcbits);
	mt_sink_destroy(&w->sink);
}

/* The roots (their edges are in w->edges when this returns, for the ROOTS
 * record), the breadth-first walk, then the unreachable tail; *reachable
 * gets the count of the first phase. */
static void walk_roots(mt_walk *w)
{
	mt_py_roots(w);
	if (w->st == MT_OK && w->wr)
		w->st = mt_writer_roots(w->wr, w->edges, w->nedges, w->err);
	w->total_edges += w->nedges;
}

static void walk_rest(mt_walk *w, uint64_t *reachable)
{
	uint32_t next = 0;
	run_queue(w, &next);
	*reachable = w->tab.count;
	if (w->st == MT_OK)
		walk_tail(w, &next);
}

static void cancelled(mt_walk *w)
{
	if (w->st == MT_OK && w->cancel && *w->cancel)
		w->st = mt_err_set(w->err, MT_CANCELLED, MT_NO_OFFSET,
				   MT_NO_OFFSET, "interrupted by a signal");
}

mt_status mt_walk_dump(mt_writer *wr, size_t expected, const mt_header *hdr,
		       struct mt_dumpplugins *plugins,
		       const struct mt_mark *mark, int sites,
		       const volatile sig_atomic_t *cancel, mt_walk_result *res,
		       mt_err *err)
{
	mt_walk w;
	walk_init(&w, wr, plugins, cancel, err);
	w.mark = mark;
	memset(res, 0, sizeof(*res));
	if (mt_objtable_init(&w.tab, expected) < 0) {
		mt_writer_abort(wr);
		mt_sink_destroy(&w.sink);
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "object table for %zu objects", expected);
	}
	/* the names of the threads the ROOTS record names by id */
	mt_header h = *hdr;
	mt_thread_name *threads = NULL;
	h.nthreads = mt_py_thread_names(&threads);
	h.threads = threads;
	mt_status st = mt_writer_header(w.wr, &h, err);
	mt_py_thread_names_free(threads, h.nthreads);
	if (st == MT_OK) {
		uint64_t reachable = 0;
		walk_roots(&w);
		walk_rest(&w, &reachable);
		/* after the walk: the lookup creates (and frees) tuples */
		if (w.st == MT_OK && sites && mt_allocsite_tracing())
			w.st = mt_allocsite_write(w.wr, &w.tab, cancel, err);
		if (w.st == MT_OK && mark) {
			/* bits of the ids past the last marked one are 0 */
			uint32_t n = w.tab.count;
			uint8_t zero = 0;
			w.st =
			    mt_writer_mark(w.wr, n ? w.mbits : &zero, n, err);
		}
		write_warnings(&w);
		cancelled(&w);
		st = w.st;
		if (st == MT_OK) {
			res->objects = mt_writer_objects(w.wr);
			res->edges = mt_writer_edges(w.wr);
			res->bytes = mt_writer_bytes(w.wr);
			res->reachable = reachable;
			res->heap_bytes = w.total_size;
			/* the caller adds the END record's few bytes */
			st = mt_writer_finish(w.wr, reachable, err);
			w.wr = NULL;
		}
	}
	if (w.wr)
		mt_writer_abort(w.wr);
	walk_destroy(&w);
	return st;
}

mt_status mt_walk_mark(size_t expected, struct mt_dumpplugins *plugins,
		       double time, const volatile sig_atomic_t *cancel,
		       struct mt_mark **out, size_t *objects, mt_err *err)
{
	mt_walk w;
	mt_mark_builder mb;
	memset(&mb, 0, sizeof mb);
	*out = NULL;
	*objects = 0;
	walk_init(&w, NULL, plugins, cancel, err);
	w.mb = &mb;
	mt_markb_reserve(&mb, expected);
	if (mt_objtable_init(&w.tab, expected) < 0) {
		mt_sink_destroy(&w.sink);
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "object table for %zu objects", expected);
	}
	uint64_t reachable = 0;
	walk_roots(&w);
	walk_rest(&w, &reachable);
	cancelled(&w);
	/* The small ints live as long as the interpreter (3.9, 3.10: on the
	 * heap, so mt_mark_static does not cover them); marked even when
	 * nothing refers to them now.  PyLong_FromLong returns the cached
	 * object (no allocation, no Python code).  A duplicate key is
	 * harmless. */
	const mt_typeinfo *ti = w.st == MT_OK ? typeinfo(&w, &PyLong_Type)
					      : NULL;
	for (long v = -5; ti && v <= 256 && w.st == MT_OK; v++) {
		PyObject *o = PyLong_FromLong(v);
		if (!o)
			break;
		if (mt_markb_add(&mb, (uintptr_t)o, ti->mtype))
			mt_walk_fail(&w, MT_NOMEM, "mark");
		Py_DECREF(o);
	}
	if (PyErr_Occurred())
		PyErr_Clear();
	mt_status st = w.st;
	*objects = w.tab.count;
	/* the table goes before the mark is built: less memory at once */
	walk_destroy(&w);
	if (st == MT_OK) {
		*out = mt_mark_build(&mb, time);
		if (!*out)
			st = mt_err_set(err, MT_NOMEM, MT_NO_OFFSET,
					MT_NO_OFFSET, "mark of %zu objects",
					*objects);
	}
	mt_markb_free(&mb);
	return st;
}

#endif /* MT_PY_LAYOUT_KNOWN */
