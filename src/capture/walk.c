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
 * Referents: a per-kind visitor names the fields it knows (dict items, list
 * and tuple indices, set members, type, module, function, code, frame...),
 * instance slots (PyMemberDef T_OBJECT/T_OBJECT_EX) and the instance dict are
 * added for subclasses, and for a GC object whose type has C-level fields the
 * visitor does not know, tp_traverse is called and whatever it visits beyond
 * the named edges becomes an `other` edge.
 */
#include "config.h"

#include "pyint.h"
#include "walk.h"

#if MT_PY_LAYOUT_KNOWN /* else the module refuses to import: see pyint.h */

#include <frameobject.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <structmember.h>
#include <sys/stat.h>

#include "greenlet.h"
#include "memtrack/writer.h"
#include "objtable.h"
#include "pyint.h"

/* How far ahead the walk prefetches (queue entries, list items). */
#define PF_DIST 8
#define PF_LIST 8

/* PyMemberDef types holding a PyObject * (T_OBJECT, T_OBJECT_EX; the
 * values are part of the stable ABI, the macro names changed in 3.12). */
#define MT_T_OBJECT 6
#define MT_T_OBJECT_EX 16

/* Kinds of object, by the nearest builtin base the walker models. */
typedef enum {
	K_OTHER = 0,
	K_OBJECT,
	K_DICT,
	K_LIST,
	K_TUPLE,
	K_SET,
	K_STR,
	K_INT,
	K_BOOL,
	K_FLOAT,
	K_BYTES,
	K_BYTEARRAY,
	K_TYPE,
	K_MODULE,
	K_FUNCTION,
	K_CFUNCTION,
	K_METHOD,
	K_CELL,
	K_CODE,
	K_FRAME,
	K_GEN,
	K_WEAKREF,
	K_PROPERTY,
	K_CLASSMETHOD,
	K_MAPPINGPROXY,
	K_EXCEPTION,
	K_TRACEBACK,
	K_DESCR
} kind_t;

struct mt_walk {
	mt_writer *wr;
	mt_err *err;
	mt_status st;
	mt_objtable tab;
	mt_edge *edges;
	size_t nedges, edges_cap;
	uint64_t total_edges;
	/* cover set: PyObject addresses explained by named edges */
	uintptr_t *cover;
	size_t cover_cap; /* slots, power of two */
	size_t ncover;
	uint32_t *cover_log; /* the ncover used slots, to clear only them */
	uintptr_t *extra; /* extra covers (inline values of a vdict) */
	size_t nextra, extra_cap;
	PyObject *vdict_owner; /* object whose inline values are covers */
	int traverse_ordinal;
	PyObject *traverse_self;
	const volatile sig_atomic_t *cancel; /* NULL: not cancellable */
	char name[512];
	char v1[320], v2[320];
};

/* subtype_traverse / subtype_dealloc of Python classes, learnt at init. */
static traverseproc g_subtype_traverse;
static PyObject *g_key_name, *g_key_module, *g_key_sizeof;

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

static void fail(mt_walk *w, mt_status st, const char *what)
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
static uint32_t ref_id(mt_walk *w, mt_ref r)
{
	uint32_t id = 0;
	if (w->st != MT_OK)
		return 0;
	int added = mt_objtable_intern(&w->tab, r, &id);
	if (added < 0)
		fail(w, MT_NOMEM, "object table");
#ifdef MT_WALK_DEBUG
	if (added == 1)
		dbg_check(w, r);
#endif
	return id;
}

static void push_edge(mt_walk *w, uint32_t target, mt_relation rel,
		      uint64_t label)
{
	if (w->nedges == w->edges_cap) {
		size_t cap = w->edges_cap ? w->edges_cap * 2 : 1024;
		mt_edge *e = realloc(w->edges, cap * sizeof(*e));
		if (!e) {
			fail(w, MT_NOMEM, "edge buffer");
			return;
		}
		w->edges = e;
		w->edges_cap = cap;
	}
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
	push_edge(w, ref_id(w, target), rel, label);
}

static void edge_name_n(mt_walk *w, mt_relation rel, const char *name, size_t n,
			mt_ref target)
{
	uint32_t idx = 0;
	if (!target || w->st != MT_OK)
		return;
	mt_status st = mt_writer_name(w->wr, name, n, &idx, w->err);
	if (st != MT_OK) {
		w->st = st;
		return;
	}
	push_edge(w, ref_id(w, target), rel, idx);
}

void mt_edge_name(mt_walk *w, mt_relation rel, const char *name, mt_ref target)
{
	edge_name_n(w, rel, name, strlen(name), target);
}

void mt_edge_strname(mt_walk *w, mt_relation rel, PyObject *name, mt_ref target)
{
	if (!target || w->st != MT_OK)
		return;
	if (!name || !PyUnicode_Check(name)) {
		edge_name_n(w, rel, "?", 1, target);
		return;
	}
	size_t n = mt_str_utf8(name, w->name, sizeof(w->name));
	edge_name_n(w, rel, w->name, n, target);
}

void mt_edge_item(mt_walk *w, uint64_t pos, PyObject *key, PyObject *value)
{
	if (w->st != MT_OK || !key)
		return;
	uint32_t kid = ref_id(w, (mt_ref)(uintptr_t)key);
	push_edge(w, kid, MT_REL_KEY, pos);
	if (value)
		push_edge(w, ref_id(w, (mt_ref)(uintptr_t)value), MT_REL_KEYVAL,
			  kid);
}

/* keyval edge whose key may be new: the target is introduced first, then
 * the label, in the order the writer encodes them. */
static void edge_keyval(mt_walk *w, PyObject *key, PyObject *value)
{
	if (w->st != MT_OK || !key || !value)
		return;
	uint32_t vid = ref_id(w, (mt_ref)(uintptr_t)value);
	uint32_t kid = ref_id(w, (mt_ref)(uintptr_t)key);
	push_edge(w, vid, MT_REL_KEYVAL, kid);
}

void mt_walk_cover(mt_walk *w, PyObject *o)
{
	if (w->nextra == w->extra_cap) {
		size_t cap = w->extra_cap ? w->extra_cap * 2 : 64;
		uintptr_t *e = realloc(w->extra, cap * sizeof(*e));
		if (!e) {
			fail(w, MT_NOMEM, "cover list");
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

/* Qualified name of a type without creating anything. */
static size_t type_qualname(PyTypeObject *t, char *buf, size_t max)
{
	if (t->tp_flags & Py_TPFLAGS_HEAPTYPE) {
		PyObject *q = ((PyHeapTypeObject *)t)->ht_qualname;
		if (q && PyUnicode_Check(q))
			return mt_str_utf8(q, buf, max);
	}
	const char *s = t->tp_name ? t->tp_name : "?";
	const char *dot = strrchr(s, '.');
	if (dot && !(t->tp_flags & Py_TPFLAGS_HEAPTYPE))
		s = dot + 1;
	size_t n = strlen(s);
	if (n > max)
		n = max;
	memcpy(buf, s, n);
	return n;
}

/* d[key] for an interned str key, comparing only exact str keys in C: a
 * dict lookup could call a Python __eq__ of a non-str key with an equal
 * hash, and no Python code may run during the walk.  Borrowed or NULL. */
static PyObject *dict_get_str(PyObject *d, PyObject *key)
{
	Py_ssize_t pos = 0;
	PyObject *k, *v;
	if (!d || !PyDict_Check(d))
		return NULL;
	while (PyDict_Next(d, &pos, &k, &v))
		if (k == key ||
		    (PyUnicode_CheckExact(k) &&
		     PyUnicode_GET_LENGTH(k) == PyUnicode_GET_LENGTH(key) &&
		     PyUnicode_Compare(k, key) == 0))
			return v;
	return NULL;
}

/* Whether the first Python class of t's metaclass MRO to have __module__
 * has a data descriptor there (a property that `t.__module__` would run). */
static int meta_module(PyTypeObject *t)
{
	PyObject *mro = Py_TYPE(t)->tp_mro;
	if (!mro || !PyTuple_Check(mro))
		return 0;
	for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(mro); i++) {
		PyObject *b = PyTuple_GET_ITEM(mro, i), *m;
		if (!PyType_Check(b) ||
		    !(((PyTypeObject *)b)->tp_flags & Py_TPFLAGS_HEAPTYPE))
			continue;
		m = dict_get_str(((PyTypeObject *)b)->tp_dict, g_key_module);
		if (m)
			return Py_TYPE(m)->tp_descr_set != NULL;
	}
	return 0;
}

/* type.__module__ without running code: the str in a Python class's dict.
 * When that entry is something else and the metaclass defines __module__
 * (zope.interface's InterfaceClass: a member descriptor in the dict, a
 * property in the metaclass that heapy calls), the module of the nearest
 * Python class of the MRO with a str one.  Otherwise "": the loader prints
 * what heapy does (`<unknown module>` when there is no entry, the entry's
 * repr when it is not a str).  A C type's is tp_name up to the last dot,
 * else builtins. */
static size_t type_module(PyTypeObject *t, char *buf, size_t max)
{
	if (t->tp_flags & Py_TPFLAGS_HEAPTYPE) {
		PyObject *m = dict_get_str(t->tp_dict, g_key_module);
		PyObject *mro = t->tp_mro;
		if (m && PyUnicode_Check(m))
			return mt_str_utf8(m, buf, max);
		if (!m || !mro || !PyTuple_Check(mro) || !meta_module(t))
			return 0;
		for (Py_ssize_t i = 1; i < PyTuple_GET_SIZE(mro); i++) {
			PyObject *b = PyTuple_GET_ITEM(mro, i);
			if (!PyType_Check(b) ||
			    !(((PyTypeObject *)b)->tp_flags &
			      Py_TPFLAGS_HEAPTYPE))
				continue;
			m = dict_get_str(((PyTypeObject *)b)->tp_dict,
					 g_key_module);
			if (m && PyUnicode_Check(m))
				return mt_str_utf8(m, buf, max);
		}
		return 0;
	}
	const char *s = t->tp_name ? t->tp_name : "";
	const char *dot = strrchr(s, '.');
	if (!dot) {
		memcpy(buf, "builtins", 8);
		return 8;
	}
	size_t n = (size_t)(dot - s);
	if (n > max)
		n = max;
	memcpy(buf, s, n);
	return n;
}

/* "Type.name" into buf. */
static size_t dotted(PyTypeObject *t, const char *name, char *buf, size_t max)
{
	size_t n = t ? type_qualname(t, buf, max - 1) : 0;
	if (t && n < max)
		buf[n++] = '.';
	size_t k = strlen(name ? name : "?");
	if (k > max - n)
		k = max - n;
	memcpy(buf + n, name ? name : "?", k);
	return n + k;
}

/* ---- kinds --------------------------------------------------------------- */

static kind_t kind_of_exact(PyTypeObject *t)
{
	if (t == &PyDict_Type)
		return K_DICT;
	if (t == &PyUnicode_Type)
		return K_STR;
	if (t == &PyTuple_Type)
		return K_TUPLE;
	if (t == &PyList_Type)
		return K_LIST;
	if (t == &PyLong_Type)
		return K_INT;
	if (t == &PyFunction_Type)
		return K_FUNCTION;
	if (t == &PyCode_Type)
		return K_CODE;
	if (t == &PyType_Type)
		return K_TYPE;
	if (t == &PyCell_Type)
		return K_CELL;
	if (t == &PyBaseObject_Type)
		return K_OBJECT;
	if (t == &PySet_Type || t == &PyFrozenSet_Type)
		return K_SET;
	if (t == &PyFloat_Type)
		return K_FLOAT;
	if (t == &PyBytes_Type)
		return K_BYTES;
	if (t == &PyBool_Type)
		return K_BOOL;
	if (t == &PyByteArray_Type)
		return K_BYTEARRAY;
	if (t == &PyModule_Type)
		return K_MODULE;
	if (t == &PyCFunction_Type || t == &PyCMethod_Type)
		return K_CFUNCTION;
	if (t == &PyMethod_Type)
		return K_METHOD;
	if (t == &PyFrame_Type)
		return K_FRAME;
	if (t == &PyGen_Type || t == &PyCoro_Type || t == &PyAsyncGen_Type)
		return K_GEN;
	if (t == &_PyWeakref_RefType || t == &_PyWeakref_ProxyType ||
	    t == &_PyWeakref_CallableProxyType)
		return K_WEAKREF;
	if (t == &PyProperty_Type)
		return K_PROPERTY;
	if (t == &PyClassMethod_Type || t == &PyStaticMethod_Type)
		return K_CLASSMETHOD;
	if (t == &PyDictProxy_Type)
		return K_MAPPINGPROXY;
	if (t == (PyTypeObject *)PyExc_BaseException)
		return K_EXCEPTION;
	if (t == &PyTraceBack_Type)
		return K_TRACEBACK;
	if (t == &PyMethodDescr_Type || t == &PyClassMethodDescr_Type ||
	    t == &PyWrapperDescr_Type || t == &PyMemberDescr_Type ||
	    t == &PyGetSetDescr_Type)
		return K_DESCR;
	return K_OTHER;
}

/* Kind of t and the base it comes from (*base; NULL for K_OTHER). */
static kind_t kind_of(PyTypeObject *t, PyTypeObject **base)
{
	for (PyTypeObject *b = t; b; b = b->tp_base) {
		kind_t k = kind_of_exact(b);
		if (k != K_OTHER) {
			*base = b;
			return k;
		}
	}
	*base = NULL;
	return K_OTHER;
}

/* Kinds whose visitor names every reference tp_traverse would visit. */
static int kind_complete(kind_t k)
{
	switch (k) {
	case K_OBJECT:
	case K_DICT:
	case K_LIST:
	case K_TUPLE:
	case K_SET:
	case K_STR:
	case K_INT:
	case K_BOOL:
	case K_FLOAT:
	case K_BYTES:
	case K_BYTEARRAY:
	case K_TYPE:
	case K_FUNCTION:
	case K_CFUNCTION:
	case K_METHOD:
	case K_CELL:
	case K_CODE:
	case K_FRAME:
	case K_WEAKREF:
	case K_MAPPINGPROXY:
	case K_TRACEBACK:
	case K_DESCR:
	case K_PROPERTY:
	case K_CLASSMETHOD:
	case K_EXCEPTION:
		return 1;
	case K_GEN:
		return PY_VERSION_HEX >= 0x030B0000;
	default:
		return 0;
	}
}

/* ---- per-kind visitors ------------------------------------------------- */

/* Objects/descrobject.c and funcobject.c (private, stable 3.9 .. 3.13;
 * prop_name since 3.10). */
typedef struct {
	PyObject_HEAD PyObject *prop_get, *prop_set, *prop_del, *prop_doc;
#if PY_VERSION_HEX >= 0x030A0000
	PyObject *prop_name;
#endif
} mt_property;

typedef struct {
	PyObject_HEAD PyObject *cm_callable, *cm_dict;
} mt_classmethod;

typedef struct {
	PyObject_HEAD PyObject *mapping;
} mt_mappingproxy;

static void visit_set(mt_walk *w, PyObject *o)
{
	PySetObject *s = (PySetObject *)o;
	uint64_t pos = 0;
	for (Py_ssize_t i = 0; i <= s->mask; i++) {
		setentry *e = &s->table[i];
		if (e->key && e->hash != -1)
			mt_edge_int(w, MT_REL_INSET, pos++,
				    (mt_ref)(uintptr_t)e->key);
	}
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

/* Instance dict of o (real, or virtual for 3.11+ inline values). */
static void visit_instance_dict(mt_walk *w, PyObject *o)
{
	PyObject *d = NULL;
	switch (mt_py_instance_dict(o, &d)) {
	case MT_IDICT_REAL:
		MT_ATTR(w, "__dict__", d);
		break;
	case MT_IDICT_VIRTUAL: {
		/* Only its owner refers to a virtual dict, and each owner is
		 * processed once: the id is new, no hash lookup needed. */
		uint32_t idx = 0, vid = 0;
		if (w->st != MT_OK)
			break;
		mt_status st =
		    mt_writer_name(w->wr, "__dict__", 8, &idx, w->err);
		if (st != MT_OK) {
			w->st = st;
			break;
		}
		if (mt_objtable_append(&w->tab, MT_REF(o, MT_REF_VDICT), &vid) <
		    0) {
			fail(w, MT_NOMEM, "object table");
			break;
		}
		push_edge(w, vid, MT_REL_ATTR, idx);
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
	uintptr_t *c = cap <= ((size_t)1 << 32) ? calloc(cap, sizeof(*c)) : NULL;
	uint32_t *log = c ? malloc(cap / 2 * sizeof(*log)) : NULL;
	if (!log) {
		free(c);
		fail(w, MT_NOMEM, "cover set");
		return -1;
	}
	for (size_t k = 0; k < w->ncover; k++)
		log[k] = (uint32_t)cover_insert(c, cap,
						w->cover[w->cover_log[k]]);
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

/* ---- values -------------------------------------------------------------- */

static void value_str(mt_walk *w, PyObject *s, mt_value *v, char *buf,
		      size_t max)
{
	v->kind = MT_VAL_STR;
	v->s = buf;
	v->slen = (uint32_t)mt_str_utf8(s, buf, max);
	(void)w;
}

/* Decimal digits of a big int: the first 64 into w->v1, the count returned
 * in *ndec.  Returns 0 if too big to convert cheaply. */
static int long_decimal(mt_walk *w, const void *digits, size_t n, int db,
			int shift, int neg, int64_t *ndec)
{
	if (n > 4000)
		return 0;
	/* base 1e9 little-endian words, classic schoolbook conversion */
	size_t cap = n * (size_t)shift / 29 + 2;
	uint32_t *out = malloc(cap * sizeof(*out));
	if (!out)
		return 0;
	size_t size = 0;
	for (size_t i = n; i-- > 0;) {
		uint64_t hi = db == 4 ? ((const uint32_t *)digits)[i]
				      : ((const uint16_t *)digits)[i];
		for (size_t j = 0; j < size; j++) {
			uint64_t z = ((uint64_t)out[j] << shift) | hi;
			hi = z / 1000000000u;
			out[j] = (uint32_t)(z - hi * 1000000000u);
		}
		while (hi) {
			out[size++] = (uint32_t)(hi % 1000000000u);
			hi /= 1000000000u;
		}
	}
	char *buf = w->v1;
	size_t len = 0;
	if (neg)
		buf[len++] = '-';
	int64_t count = 0;
	char tmp[16];
	for (size_t j = size; j-- > 0;) {
		int k;
		if (j == size - 1)
			k = snprintf(tmp, sizeof(tmp), "%u", out[j]);
		else
			k = snprintf(tmp, sizeof(tmp), "%09u", out[j]);
		count += k;
		for (int q = 0; q < k && len < (size_t)(neg ? 65 : 64); q++)
			buf[len++] = tmp[q];
	}
	free(out);
	if (size == 0) {
		buf[len++] = '0';
		count = 1;
	}
	*ndec = count;
	return (int)len;
}

static void value_int(mt_walk *w, PyObject *o, mt_obj *ob)
{
	const void *digits;
	size_t n;
	int neg, db, shift;
	mt_py_long_digits(o, &digits, &n, &neg, &db, &shift);
	uint64_t mag = 0;
	int fits = 1;
	for (size_t i = n; i-- > 0;) {
		uint64_t d = db == 4 ? ((const uint32_t *)digits)[i]
				     : ((const uint16_t *)digits)[i];
		if (mag >> (64 - shift)) {
			fits = 0;
			break;
		}
		mag = (mag << shift) | d;
	}
	if (fits && (mag <= (uint64_t)INT64_MAX ||
		     (neg && mag == (uint64_t)INT64_MAX + 1))) {
		ob->value.kind = MT_VAL_INT;
		ob->value.i = neg ? (int64_t)(0 - mag) : (int64_t)mag;
		return;
	}
	int64_t ndec = 0;
	int len = long_decimal(w, digits, n, db, shift, neg, &ndec);
	if (len > 0) {
		ob->value.kind = MT_VAL_STR;
		ob->value.s = w->v1;
		ob->value.slen = (uint32_t)len;
		ob->length = ndec;
	}
}

static void value_type(mt_walk *w, PyTypeObject *t, mt_value *v)
{
	v->kind = MT_VAL_QUALNAME;
	v->s = w->v1;
	v->slen = (uint32_t)type_module(t, w->v1, 256);
	v->s2 = w->v2;
	v->s2len = (uint32_t)type_qualname(t, w->v2, 256);
}

static void value_code(mt_walk *w, PyObject *code, int64_t line, mt_value *v)
{
	PyCodeObject *co = (PyCodeObject *)code;
	v->kind = MT_VAL_CODE;
	v->s = w->v1;
	v->slen = co->co_filename && PyUnicode_Check(co->co_filename)
		      ? (uint32_t)mt_str_utf8(co->co_filename, w->v1, 256)
		      : 0;
	v->s2 = w->v2;
	v->s2len = co->co_name && PyUnicode_Check(co->co_name)
		       ? (uint32_t)mt_str_utf8(co->co_name, w->v2, 256)
		       : 0;
	v->i = line;
}

static void value_module(mt_walk *w, PyObject *m, mt_value *v)
{
	PyObject *d = PyModule_GetDict(m);
	PyObject *name = dict_get_str(d, g_key_name);
	if (name && PyUnicode_Check(name))
		value_str(w, name, v, w->v1, 256);
}

/* ---- one object ------------------------------------------------------------
 */

static size_t basic_size(PyObject *o)
{
	PyTypeObject *t = Py_TYPE(o);
	size_t s = (size_t)t->tp_basicsize;
	if (t->tp_itemsize > 0) {
		Py_ssize_t n = Py_SIZE(o);
		if (n < 0)
			n = -n;
		s += (size_t)n * (size_t)t->tp_itemsize;
	}
	return s;
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
 * descriptors, to one of the allowed C functions (g_sizeof_rows) and o is
 * an instance of the type that defines it, call that C function.  Nothing
 * else is called: not a Python-level __sizeof__, not another C one (it may
 * call Python code: Cython's `def __sizeof__`, pandas' engines), not an
 * allowed one borrowed by an unrelated class (`__sizeof__ =
 * deque.__sizeof__` would read a deque's fields out of another layout).
 * Returns 1 and sets *size on success. */
static int c_sizeof(PyObject *o, size_t *size)
{
	PyObject *m = _PyType_Lookup(Py_TYPE(o), g_key_sizeof);
	if (!m || !Py_IS_TYPE(m, &PyMethodDescr_Type)) {
		if (PyErr_Occurred())
			PyErr_Clear();
		return 0;
	}
	PyMethodDescrObject *md = (PyMethodDescrObject *)m;
	PyMethodDef *def = md->d_method;
	if (!def || def->ml_meth == g_object_sizeof ||
	    !(def->ml_flags & METH_NOARGS) || !sizeof_allowed(def->ml_meth) || !md->d_common.d_type ||
	    !PyObject_TypeCheck(o, md->d_common.d_type))
		return 0;
	PyObject *r = def->ml_meth(o, NULL);
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


/* The `[i]` edges of a list's or tuple's items, prefetching the hash slot of
 * the item PF_LIST ahead. */
static void edge_items(mt_walk *w, PyObject **items, Py_ssize_t n)
{
	for (Py_ssize_t i = 0; i < n; i++) {
		if (i + PF_LIST < n)
			mt_objtable_prefetch(&w->tab,
					     (mt_ref)(uintptr_t)items[i + PF_LIST]);
		mt_edge_int(w, MT_REL_INDEX, (uint64_t)i,
			    (mt_ref)(uintptr_t)items[i]);
	}
}

static void process_real(mt_walk *w, PyObject *o, mt_obj *ob)
{
	PyTypeObject *tp = Py_TYPE(o);
	PyTypeObject *base = NULL;
	kind_t k = kind_of(tp, &base);
	int has_dict_edge = 0;
	ob->type = ref_id(w, (mt_ref)(uintptr_t)tp);
	ob->addr = (uint64_t)(uintptr_t)o;
	ob->refcnt = (uint64_t)Py_REFCNT(o);
	ob->length = MT_NO_LENGTH;
	size_t size = 0;

	switch (k) {
	case K_DICT: {
		Py_ssize_t pos = 0;
		PyObject *key, *val;
		uint64_t i = 0;
		while (PyDict_Next(o, &pos, &key, &val))
			mt_edge_item(w, i++, key, val);
		ob->length = PyDict_GET_SIZE(o);
		size = mt_py_dict_size(o);
		break;
	}
	case K_LIST: {
		Py_ssize_t n = PyList_GET_SIZE(o);
		edge_items(w, ((PyListObject *)o)->ob_item, n);
		ob->length = n;
		size = (size_t)tp->tp_basicsize +
		       (size_t)((PyListObject *)o)->allocated * sizeof(void *);
		break;
	}
	case K_TUPLE: {
		Py_ssize_t n = PyTuple_GET_SIZE(o);
		edge_items(w, ((PyTupleObject *)o)->ob_item, n);
		ob->length = n;
		size = basic_size(o);
		break;
	}
	case K_SET: {
		PySetObject *s = (PySetObject *)o;
		visit_set(w, o);
		ob->length = PySet_GET_SIZE(o);
		size = (size_t)tp->tp_basicsize;
		if (s->table != s->smalltable)
			size += (size_t)(s->mask + 1) * sizeof(setentry);
		break;
	}
	case K_STR:
		ob->length = PyUnicode_GET_LENGTH(o);
		value_str(w, o, &ob->value, w->v1, MT_PREVIEW_MAX);
		size = mt_py_str_size(o);
		break;
	case K_INT:
		value_int(w, o, ob);
		size = mt_py_long_size(o);
		break;
	case K_BOOL:
		ob->value.kind = MT_VAL_BOOL;
		ob->value.i = o == Py_True;
		size = mt_py_long_size(o);
		break;
	case K_FLOAT:
		ob->value.kind = MT_VAL_FLOAT;
		ob->value.d = PyFloat_AS_DOUBLE(o);
		size = basic_size(o);
		break;
	case K_BYTES: {
		Py_ssize_t n = PyBytes_GET_SIZE(o);
		ob->length = n;
		ob->value.kind = MT_VAL_BYTES;
		ob->value.s = PyBytes_AS_STRING(o);
		ob->value.slen =
		    (uint32_t)(n < MT_PREVIEW_MAX ? n : MT_PREVIEW_MAX);
		size = basic_size(o);
		break;
	}
	case K_BYTEARRAY: {
		Py_ssize_t n = PyByteArray_GET_SIZE(o);
		ob->length = n;
		ob->value.kind = MT_VAL_BYTES;
		ob->value.s = n ? PyByteArray_AS_STRING(o) : "";
		ob->value.slen =
		    (uint32_t)(n < MT_PREVIEW_MAX ? n : MT_PREVIEW_MAX);
		size = (size_t)tp->tp_basicsize +
		       (size_t)((PyByteArrayObject *)o)->ob_alloc;
		break;
	}
	case K_TYPE:
		mt_py_type_edges(w, (PyTypeObject *)o);
		has_dict_edge = 1;
		value_type(w, (PyTypeObject *)o, &ob->value);
		size = mt_py_type_size((PyTypeObject *)o);
		break;
	case K_MODULE:
		MT_ATTR(w, "__dict__", PyModule_GetDict(o));
		has_dict_edge = 1;
		value_module(w, o, &ob->value);
		size = mt_py_module_size(o);
		break;
	case K_FUNCTION: {
		PyObject *q = ((PyFunctionObject *)o)->func_qualname;
		mt_py_func_edges(w, o);
		has_dict_edge = 1;
		if (q && PyUnicode_Check(q))
			value_str(w, q, &ob->value, w->v1, 256);
		size = basic_size(o);
		break;
	}
	case K_CFUNCTION: {
		PyCFunctionObject *f = (PyCFunctionObject *)o;
		MT_ATTR(w, "__self__", f->m_self);
		MT_ATTR(w, "__module__", f->m_module);
		if (f->m_ml && (f->m_ml->ml_flags & METH_METHOD))
			MT_IATTR(w, "mm_class",
				 (PyObject *)((PyCMethodObject *)o)->mm_class);
		const char *nm = f->m_ml ? f->m_ml->ml_name : "?";
		PyTypeObject *owner = NULL;
		if (f->m_self && !PyModule_Check(f->m_self))
			owner = PyType_Check(f->m_self)
				    ? (PyTypeObject *)f->m_self
				    : Py_TYPE(f->m_self);
		ob->value.kind = MT_VAL_STR;
		ob->value.s = w->v1;
		ob->value.slen = (uint32_t)dotted(owner, nm, w->v1, 256);
		size = basic_size(o);
		break;
	}
	case K_DESCR: {
		PyDescrObject *d = (PyDescrObject *)o;
		MT_ATTR(w, "__objclass__", (PyObject *)d->d_type);
		MT_ATTR(w, "__name__", d->d_name);
		MT_IATTR(w, "d_qualname", d->d_qualname);
		char nm[256];
		size_t n = d->d_name && PyUnicode_Check(d->d_name)
			       ? mt_str_utf8(d->d_name, nm, sizeof(nm) - 1)
			       : 0;
		nm[n] = 0;
		ob->value.kind = MT_VAL_STR;
		ob->value.s = w->v1;
		ob->value.slen = (uint32_t)dotted(d->d_type, nm, w->v1, 256);
		size = basic_size(o);
		break;
	}
	case K_METHOD:
		MT_ATTR(w, "__func__", PyMethod_GET_FUNCTION(o));
		MT_ATTR(w, "__self__", PyMethod_GET_SELF(o));
		size = basic_size(o);
		break;
	case K_CELL:
		MT_ATTR(w, "cell_contents", PyCell_GET(o));
		size = basic_size(o);
		break;
	case K_CODE:
		mt_py_code_edges(w, o);
		value_code(w, o, ((PyCodeObject *)o)->co_firstlineno,
			   &ob->value);
		size = mt_py_code_size(o);
		break;
	case K_FRAME: {
		PyObject *code;
		int line;
		mt_py_frame_edges(w, (mt_ref)(uintptr_t)o);
		mt_py_frame_describe((mt_ref)(uintptr_t)o, &code, &line, &size);
		if (code)
			value_code(w, code, line, &ob->value);
		break;
	}
	case K_GEN:
		mt_py_gen_edges(w, o);
		size = mt_py_gen_size(o);
		break;
	case K_WEAKREF:
		/* The referent is not an edge: a weak reference does not keep
		 * it alive (heapy's weakref traverse visits the callback only).
		 */
		MT_ATTR(w, "__callback__", ((PyWeakReference *)o)->wr_callback);
		size = basic_size(o);
		break;
	case K_PROPERTY: {
		mt_property *p = (mt_property *)o;
		MT_ATTR(w, "fget", p->prop_get);
		MT_ATTR(w, "fset", p->prop_set);
		MT_ATTR(w, "fdel", p->prop_del);
		MT_ATTR(w, "__doc__", p->prop_doc);
#if PY_VERSION_HEX >= 0x030A0000
		MT_IATTR(w, "prop_name", p->prop_name);
#endif
		size = basic_size(o);
		break;
	}
	case K_CLASSMETHOD: {
		mt_classmethod *c = (mt_classmethod *)o;
		MT_ATTR(w, "__func__", c->cm_callable);
		MT_ATTR(w, "__dict__", c->cm_dict);
		has_dict_edge = 1;
		size = basic_size(o);
		break;
	}
	case K_MAPPINGPROXY:
		MT_IATTR(w, "mapping", ((mt_mappingproxy *)o)->mapping);
		size = basic_size(o);
		break;
	case K_EXCEPTION: {
		PyBaseExceptionObject *e = (PyBaseExceptionObject *)o;
		MT_ATTR(w, "__dict__", e->dict);
		has_dict_edge = 1;
		MT_ATTR(w, "args", e->args);
#if PY_VERSION_HEX >= 0x030B0000
		MT_ATTR(w, "__notes__", e->notes);
#endif
		MT_ATTR(w, "__traceback__", e->traceback);
		MT_ATTR(w, "__context__", e->context);
		MT_ATTR(w, "__cause__", e->cause);
		size = basic_size(o);
		break;
	}
	case K_TRACEBACK: {
		PyTracebackObject *tb = (PyTracebackObject *)o;
		MT_ATTR(w, "tb_next", (PyObject *)tb->tb_next);
		MT_ATTR(w, "tb_frame", (PyObject *)tb->tb_frame);
		size = basic_size(o);
		break;
	}
	case K_OBJECT:
	case K_OTHER:
	default:
		mt_greenlet_edges(w, o); /* suspended greenlets' frames */
		size = basic_size(o);
		break;
	}

	/* Levels below the modelled base: member slots, instance dict. */
	if (tp != base) {
		visit_members(w, o, tp, base);
		if (!has_dict_edge)
			visit_instance_dict(w, o);
	}

	/* tp_traverse for what no visitor named.  Python-class levels
	 * (subtype_traverse) only add slots and the dict, named above. */
	int complete = kind_complete(k);
	if (complete)
		for (PyTypeObject *b = tp; b && b != base; b = b->tp_base)
			if (b->tp_traverse != g_subtype_traverse &&
			    b->tp_traverse != base->tp_traverse &&
			    !traverse_named(b->tp_traverse) &&
			    (b->tp_flags & Py_TPFLAGS_HAVE_GC)) {
				complete = 0;
				break;
			}
	if (!complete)
		traverse_rest(w, o);

	/* an exact modelled builtin is an instance of no allowlisted type */
	if (tp != base && k != K_FRAME && k != K_GEN)
		c_sizeof(o, &size);
	ob->size = (uint64_t)(size + mt_py_presize(o));
}

static void process(mt_walk *w, uint32_t id)
{
	mt_ref r = mt_objtable_key(&w->tab, id);
	mt_obj ob;
#ifdef MT_WALK_DEBUG
	dbg_current = id;
#endif
	memset(&ob, 0, sizeof(ob));
	w->nedges = 0;
	w->nextra = 0;
	w->vdict_owner = NULL;
	ob.length = MT_NO_LENGTH;
	switch (MT_REF_TAG(r)) {
	case MT_REF_VDICT: {
		PyObject *owner = MT_REF_PTR(r);
		ob.type = ref_id(w, (mt_ref)(uintptr_t)&PyDict_Type);
		mt_py_vdict_foreach(owner, vdict_edge_cb, w);
		ob.length = mt_py_vdict_len(owner);
		ob.size = mt_py_vdict_size(owner);
		break;
	}
	case MT_REF_VFRAME: {
		PyObject *code;
		int line;
		size_t size;
		ob.type = ref_id(w, (mt_ref)(uintptr_t)&PyFrame_Type);
		mt_py_frame_edges(w, r);
		mt_py_frame_describe(r, &code, &line, &size);
		if (code)
			value_code(w, code, line, &ob.value);
		ob.size = size;
		break;
	}
	default:
		process_real(w, (PyObject *)MT_REF_PTR(r), &ob);
		break;
	}
	if (w->st != MT_OK)
		return;
	mt_status st =
	    mt_writer_object(w->wr, id, &ob, w->edges, w->nedges, w->err);
	if (st != MT_OK)
		w->st = st;
	w->total_edges += w->nedges;
}

/* ---- the walk ------------------------------------------------------------ */

/* Prefetches the header (and the word before it: GC head, 3.11+ pre-header)
 * of an object that will be processed soon; for a virtual dict, its owner. */
static inline void prefetch_obj(const mt_walk *w, uint32_t id)
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
 * prefetched earlier), then the hash slots of the values they refer to. */
static inline void prefetch_vdict(mt_walk *w, uint32_t id, int stage)
{
	mt_ref r = mt_objtable_key(&w->tab, id);
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
		process(w, id);
		(*next)++;
		if ((id & 4095) == 0 && w->cancel && *w->cancel) {
			w->st = mt_err_set(w->err, MT_CANCELLED, MT_NO_OFFSET,
					   MT_NO_OFFSET, "interrupted by a signal");
		}
	}
}

typedef struct {
	mt_walk *w;
	uint32_t *next;
} gc_arg;

static int gc_cb(void *arg, PyObject *o)
{
	gc_arg *a = arg;
	uint32_t id;
	if (mt_objtable_find(&a->w->tab, (mt_ref)(uintptr_t)o, &id))
		return 0;
	if (mt_objtable_intern(&a->w->tab, (mt_ref)(uintptr_t)o, &id) < 0) {
		fail(a->w, MT_NOMEM, "object table");
		return 1;
	}
	run_queue(a->w, a->next);
	return a->w->st != MT_OK;
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
		PyTypeObject *t = g_traverse_fn[i]
				      ? NULL
				      : imported_type(mods,
						      g_traverse_rows[i].module,
						      g_traverse_rows[i].attr,
						      g_traverse_rows[i].tp_name);
		if (t && t->tp_base == &PyDict_Type &&
		    t->tp_traverse != PyDict_Type.tp_traverse)
			g_traverse_fn[i] = t->tp_traverse;
	}
	for (size_t i = 0; i < N_SIZEOF_ROWS; i++) {
		if (g_sizeof_fn[i])
			continue;
		PyObject *t = (PyObject *)imported_type(
		    mods, g_sizeof_rows[i].module, g_sizeof_rows[i].attr,
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
	if (g_key_name)
		return 0;
	g_key_name = PyUnicode_InternFromString("__name__");
	g_key_module = PyUnicode_InternFromString("__module__");
	g_key_sizeof = PyUnicode_InternFromString("__sizeof__");
	if (!g_key_name || !g_key_module || !g_key_sizeof)
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

mt_status mt_walk_dump(mt_writer *wr, size_t expected, const mt_header *hdr,
		       const volatile sig_atomic_t *cancel,
		       mt_walk_result *res, mt_err *err)
{
	mt_walk w;
	memset(&w, 0, sizeof(w));
	w.err = err;
	w.cancel = cancel;
	w.st = MT_OK;
	w.wr = wr;
	memset(res, 0, sizeof(*res));
	learn_sizeof(); /* modules imported since the last dump */
	if (mt_objtable_init(&w.tab, expected) < 0) {
		mt_writer_abort(wr);
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "object table for %zu objects", expected);
	}
	mt_status st = mt_writer_header(w.wr, hdr, err);
	if (st == MT_OK) {
		mt_py_roots(&w);
		if (w.st == MT_OK)
			w.st = mt_writer_roots(w.wr, w.edges, w.nedges, err);
		w.total_edges += w.nedges;
		uint32_t next = 0;
		run_queue(&w, &next);
		uint64_t reachable = w.tab.count;
		if (w.st == MT_OK) {
			gc_arg a = {&w, &next};
			mt_py_gc_foreach(gc_cb, &a);
		}
		st = w.st;
		if (st == MT_OK && w.cancel && *w.cancel)
			st = mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
					MT_NO_OFFSET, "interrupted by a signal");
		if (st == MT_OK) {
			res->objects = mt_writer_objects(w.wr);
			res->edges = mt_writer_edges(w.wr);
			res->bytes = mt_writer_bytes(w.wr);
			res->reachable = reachable;
			/* the caller adds the END record's few bytes */
			st = mt_writer_finish(w.wr, reachable, err);
			w.wr = NULL;
		}
	}
	if (w.wr)
		mt_writer_abort(w.wr);
	mt_objtable_destroy(&w.tab);
	free(w.edges);
	free(w.cover);
	free(w.cover_log);
	free(w.extra);
	return st;
}

#endif /* MT_PY_LAYOUT_KNOWN */
