/* The built-in kinds: one row per Python type the walker models, with its
 * visitor (named edges, value, length), its size and its completion.
 *
 * A type is described by the row of the nearest modelled builtin in its
 * tp_base chain (walk.c, type cache); levels below that base add their
 * member slots and instance dict, and tp_traverse runs for what no visitor
 * names (see MT_KF_COMPLETE).  Adding a Python type: one row in g_kinds and
 * its visitor here, and a test (doc/hacking.md, "Add a Python type").
 *
 * Visitors run during the walk: they create no Python object, run no Python
 * code and read fields through the layouts of the CPython versions the build
 * supports (version-specific ones are in py_internals.c).
 */
#include "config.h"

#include "pyint.h"
#include "walkpriv.h"

#if MT_PY_LAYOUT_KNOWN /* else the module refuses to import: see pyint.h */

#include <frameobject.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greenlet.h"

/* How far ahead a list's or tuple's items are prefetched. */
#define PF_LIST 8

static PyObject *g_key_name, *g_key_module;

/* ---- text -------------------------------------------------------------- */

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

void mt_value_code(mt_walk *w, PyObject *code, int64_t line, mt_value *v)
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

/* ---- sizes --------------------------------------------------------------- */

size_t mt_basic_size(PyObject *o)
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

/* ---- visitors ------------------------------------------------------------- */


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


static void visit_dict(mt_walk *w, PyObject *o, mt_obj *ob)
{
	Py_ssize_t pos = 0;
	PyObject *key, *val;
	uint64_t i = 0;
	while (PyDict_Next(o, &pos, &key, &val))
		mt_edge_item(w, i++, key, val);
	ob->length = PyDict_GET_SIZE(o);
}

static void visit_list(mt_walk *w, PyObject *o, mt_obj *ob)
{
	Py_ssize_t n = PyList_GET_SIZE(o);
	edge_items(w, ((PyListObject *)o)->ob_item, n);
	ob->length = n;
}

static size_t size_list(PyObject *o)
{
	return (size_t)Py_TYPE(o)->tp_basicsize +
	       (size_t)((PyListObject *)o)->allocated * sizeof(void *);
}

static void visit_tuple(mt_walk *w, PyObject *o, mt_obj *ob)
{
	Py_ssize_t n = PyTuple_GET_SIZE(o);
	edge_items(w, ((PyTupleObject *)o)->ob_item, n);
	ob->length = n;
}

static void visit_setobj(mt_walk *w, PyObject *o, mt_obj *ob)
{
	visit_set(w, o);
	ob->length = PySet_GET_SIZE(o);
}

static size_t size_set(PyObject *o)
{
	PySetObject *s = (PySetObject *)o;
	size_t size = (size_t)Py_TYPE(o)->tp_basicsize;
	if (s->table != s->smalltable)
		size += (size_t)(s->mask + 1) * sizeof(setentry);
	return size;
}

static void visit_str(mt_walk *w, PyObject *o, mt_obj *ob)
{
	ob->length = PyUnicode_GET_LENGTH(o);
	value_str(w, o, &ob->value, w->v1, MT_PREVIEW_MAX);
}

static void visit_int(mt_walk *w, PyObject *o, mt_obj *ob)
{
	value_int(w, o, ob);
}

static void visit_bool(mt_walk *w, PyObject *o, mt_obj *ob)
{
	(void)w;
	ob->value.kind = MT_VAL_BOOL;
	ob->value.i = o == Py_True;
}

static void visit_float(mt_walk *w, PyObject *o, mt_obj *ob)
{
	(void)w;
	ob->value.kind = MT_VAL_FLOAT;
	ob->value.d = PyFloat_AS_DOUBLE(o);
}

static void visit_bytes(mt_walk *w, PyObject *o, mt_obj *ob)
{
	Py_ssize_t n = PyBytes_GET_SIZE(o);
	(void)w;
	ob->length = n;
	ob->value.kind = MT_VAL_BYTES;
	ob->value.s = PyBytes_AS_STRING(o);
	ob->value.slen = (uint32_t)(n < MT_PREVIEW_MAX ? n : MT_PREVIEW_MAX);
}

static void visit_bytearray(mt_walk *w, PyObject *o, mt_obj *ob)
{
	Py_ssize_t n = PyByteArray_GET_SIZE(o);
	(void)w;
	ob->length = n;
	ob->value.kind = MT_VAL_BYTES;
	ob->value.s = n ? PyByteArray_AS_STRING(o) : "";
	ob->value.slen = (uint32_t)(n < MT_PREVIEW_MAX ? n : MT_PREVIEW_MAX);
}

static size_t size_bytearray(PyObject *o)
{
	return (size_t)Py_TYPE(o)->tp_basicsize +
	       (size_t)((PyByteArrayObject *)o)->ob_alloc;
}

static void visit_type(mt_walk *w, PyObject *o, mt_obj *ob)
{
	mt_py_type_edges(w, (PyTypeObject *)o);
	value_type(w, (PyTypeObject *)o, &ob->value);
}

static size_t size_type(PyObject *o)
{
	return mt_py_type_size((PyTypeObject *)o);
}

static void visit_module(mt_walk *w, PyObject *o, mt_obj *ob)
{
	MT_ATTR(w, "__dict__", PyModule_GetDict(o));
	value_module(w, o, &ob->value);
}

static void visit_function(mt_walk *w, PyObject *o, mt_obj *ob)
{
	PyObject *q = ((PyFunctionObject *)o)->func_qualname;
	mt_py_func_edges(w, o);
	if (q && PyUnicode_Check(q))
		value_str(w, q, &ob->value, w->v1, 256);
}

static void visit_cfunction(mt_walk *w, PyObject *o, mt_obj *ob)
{
	PyCFunctionObject *f = (PyCFunctionObject *)o;
	MT_ATTR(w, "__self__", f->m_self);
	MT_ATTR(w, "__module__", f->m_module);
	if (f->m_ml && (f->m_ml->ml_flags & METH_METHOD))
		MT_IATTR(w, "mm_class",
			 (PyObject *)((PyCMethodObject *)o)->mm_class);
	const char *nm = f->m_ml ? f->m_ml->ml_name : "?";
	PyTypeObject *owner = NULL;
	if (f->m_self && !PyModule_Check(f->m_self))
		owner = PyType_Check(f->m_self) ? (PyTypeObject *)f->m_self
						: Py_TYPE(f->m_self);
	ob->value.kind = MT_VAL_STR;
	ob->value.s = w->v1;
	ob->value.slen = (uint32_t)dotted(owner, nm, w->v1, 256);
}

static void visit_descr(mt_walk *w, PyObject *o, mt_obj *ob)
{
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
}

static void visit_method(mt_walk *w, PyObject *o, mt_obj *ob)
{
	(void)ob;
	MT_ATTR(w, "__func__", PyMethod_GET_FUNCTION(o));
	MT_ATTR(w, "__self__", PyMethod_GET_SELF(o));
}

static void visit_cell(mt_walk *w, PyObject *o, mt_obj *ob)
{
	(void)ob;
	MT_ATTR(w, "cell_contents", PyCell_GET(o));
}

static void visit_code(mt_walk *w, PyObject *o, mt_obj *ob)
{
	mt_py_code_edges(w, o);
	mt_value_code(w, o, ((PyCodeObject *)o)->co_firstlineno, &ob->value);
}

static void visit_frame(mt_walk *w, PyObject *o, mt_obj *ob)
{
	PyObject *code;
	int line;
	size_t size;
	mt_py_frame_edges(w, (mt_ref)(uintptr_t)o);
	mt_py_frame_describe((mt_ref)(uintptr_t)o, &code, &line, &size);
	if (code)
		mt_value_code(w, code, line, &ob->value);
}

static size_t size_frame(PyObject *o)
{
	PyObject *code;
	int line;
	size_t size;
	mt_py_frame_describe((mt_ref)(uintptr_t)o, &code, &line, &size);
	return size;
}

static void visit_gen(mt_walk *w, PyObject *o, mt_obj *ob)
{
	(void)ob;
	mt_py_gen_edges(w, o);
}

/* The referent is not an edge: a weak reference does not keep it alive
 * (heapy's weakref traverse visits the callback only). */
static void visit_weakref(mt_walk *w, PyObject *o, mt_obj *ob)
{
	(void)ob;
	MT_ATTR(w, "__callback__", ((PyWeakReference *)o)->wr_callback);
}

static void visit_property(mt_walk *w, PyObject *o, mt_obj *ob)
{
	mt_property *p = (mt_property *)o;
	(void)ob;
	MT_ATTR(w, "fget", p->prop_get);
	MT_ATTR(w, "fset", p->prop_set);
	MT_ATTR(w, "fdel", p->prop_del);
	MT_ATTR(w, "__doc__", p->prop_doc);
#if PY_VERSION_HEX >= 0x030A0000
	MT_IATTR(w, "prop_name", p->prop_name);
#endif
}

static void visit_classmethod(mt_walk *w, PyObject *o, mt_obj *ob)
{
	mt_classmethod *c = (mt_classmethod *)o;
	(void)ob;
	MT_ATTR(w, "__func__", c->cm_callable);
	MT_ATTR(w, "__dict__", c->cm_dict);
}

static void visit_mappingproxy(mt_walk *w, PyObject *o, mt_obj *ob)
{
	(void)ob;
	MT_IATTR(w, "mapping", ((mt_mappingproxy *)o)->mapping);
}

static void visit_exception(mt_walk *w, PyObject *o, mt_obj *ob)
{
	PyBaseExceptionObject *e = (PyBaseExceptionObject *)o;
	(void)ob;
	MT_ATTR(w, "__dict__", e->dict);
	MT_ATTR(w, "args", e->args);
#if PY_VERSION_HEX >= 0x030B0000
	MT_ATTR(w, "__notes__", e->notes);
#endif
	MT_ATTR(w, "__traceback__", e->traceback);
	MT_ATTR(w, "__context__", e->context);
	MT_ATTR(w, "__cause__", e->cause);
}

static void visit_traceback(mt_walk *w, PyObject *o, mt_obj *ob)
{
	PyTracebackObject *tb = (PyTracebackObject *)o;
	(void)ob;
	MT_ATTR(w, "tb_next", (PyObject *)tb->tb_next);
	MT_ATTR(w, "tb_frame", (PyObject *)tb->tb_frame);
}

/* object, and the fallback: no named referent (suspended greenlets' frames
 * are added by the walk for greenlet types). */
static void visit_object(mt_walk *w, PyObject *o, mt_obj *ob)
{
	(void)w;
	(void)o;
	(void)ob;
}

static size_t size_long(PyObject *o) { return mt_py_long_size(o); }
static size_t size_code(PyObject *o) { return mt_py_code_size(o); }
static size_t size_gen(PyObject *o) { return mt_py_gen_size(o); }

/* ---- the table ------------------------------------------------------------ */

#define C MT_KF_COMPLETE
#define D MT_KF_DICT
#define OWN MT_KF_OWN_SIZE
/* Generators name all they hold from 3.11 (their frame is inside them). */
#define GEN_C (PY_VERSION_HEX >= 0x030B0000 ? C : 0)

/* One row per modelled type: {name, type, visitor, size, flags}.  The
 * exact type is looked up by address (kinds with several types have a
 * row per type).  Order does not matter. */
static mt_kind g_kinds[] = {
    {"dict", &PyDict_Type, visit_dict, mt_py_dict_size, C},
    {"list", &PyList_Type, visit_list, size_list, C},
    {"tuple", &PyTuple_Type, visit_tuple, mt_basic_size, C},
    {"set", &PySet_Type, visit_setobj, size_set, C},
    {"frozenset", &PyFrozenSet_Type, visit_setobj, size_set, C},
    {"str", &PyUnicode_Type, visit_str, mt_py_str_size, C},
    {"int", &PyLong_Type, visit_int, size_long, C},
    {"bool", &PyBool_Type, visit_bool, size_long, C},
    {"float", &PyFloat_Type, visit_float, mt_basic_size, C},
    {"bytes", &PyBytes_Type, visit_bytes, mt_basic_size, C},
    {"bytearray", &PyByteArray_Type, visit_bytearray, size_bytearray, C},
    {"type", &PyType_Type, visit_type, size_type, C | D},
    {"module", &PyModule_Type, visit_module, mt_py_module_size, D},
    {"function", &PyFunction_Type, visit_function, mt_basic_size, C | D},
    {"builtin_function_or_method", &PyCFunction_Type, visit_cfunction,
     mt_basic_size, C},
    {"builtin_method", &PyCMethod_Type, visit_cfunction, mt_basic_size, C},
    {"method", &PyMethod_Type, visit_method, mt_basic_size, C},
    {"cell", &PyCell_Type, visit_cell, mt_basic_size, C},
    {"code", &PyCode_Type, visit_code, size_code, C},
    {"frame", &PyFrame_Type, visit_frame, size_frame, C | OWN},
    {"generator", &PyGen_Type, visit_gen, size_gen, GEN_C | OWN},
    {"coroutine", &PyCoro_Type, visit_gen, size_gen, GEN_C | OWN},
    {"async_generator", &PyAsyncGen_Type, visit_gen, size_gen, GEN_C | OWN},
    {"weakref", &_PyWeakref_RefType, visit_weakref, mt_basic_size, C},
    {"weakproxy", &_PyWeakref_ProxyType, visit_weakref, mt_basic_size, C},
    {"weakcallableproxy", &_PyWeakref_CallableProxyType, visit_weakref,
     mt_basic_size, C},
    {"property", &PyProperty_Type, visit_property, mt_basic_size, C},
    {"classmethod", &PyClassMethod_Type, visit_classmethod, mt_basic_size,
     C | D},
    {"staticmethod", &PyStaticMethod_Type, visit_classmethod, mt_basic_size,
     C | D},
    {"mappingproxy", &PyDictProxy_Type, visit_mappingproxy, mt_basic_size,
     C},
    {"BaseException", NULL /* PyExc_BaseException */, visit_exception,
     mt_basic_size, C | D},
    {"traceback", &PyTraceBack_Type, visit_traceback, mt_basic_size, C},
    {"method_descriptor", &PyMethodDescr_Type, visit_descr, mt_basic_size, C},
    {"classmethod_descriptor", &PyClassMethodDescr_Type, visit_descr,
     mt_basic_size, C},
    {"wrapper_descriptor", &PyWrapperDescr_Type, visit_descr, mt_basic_size,
     C},
    {"member_descriptor", &PyMemberDescr_Type, visit_descr, mt_basic_size, C},
    {"getset_descriptor", &PyGetSetDescr_Type, visit_descr, mt_basic_size, C},
    {"object", &PyBaseObject_Type, visit_object, mt_basic_size, C},
};
#define N_KINDS (sizeof(g_kinds) / sizeof(g_kinds[0]))

const mt_kind mt_kind_other = {"other", NULL, visit_object, mt_basic_size, 0};

#undef C
#undef D
#undef OWN
#undef GEN_C

int mt_kinds_init(void)
{
	for (size_t i = 0; i < N_KINDS; i++)
		if (!g_kinds[i].type &&
		    !strcmp(g_kinds[i].name, "BaseException"))
			g_kinds[i].type = (PyTypeObject *)PyExc_BaseException;
	if (!g_key_name)
		g_key_name = PyUnicode_InternFromString("__name__");
	if (!g_key_module)
		g_key_module = PyUnicode_InternFromString("__module__");
	return g_key_name && g_key_module ? 0 : -1;
}

const mt_kind *mt_kind_exact(PyTypeObject *t)
{
	for (size_t i = 0; i < N_KINDS; i++)
		if (g_kinds[i].type == t)
			return &g_kinds[i];
	return NULL;
}

#endif /* MT_PY_LAYOUT_KNOWN */
