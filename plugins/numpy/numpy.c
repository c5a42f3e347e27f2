/* plugins/numpy: numpy's ndarray and dtype for the capture walk.
 *
 * ndarray has no tp_traverse and is not a GC type (numpy/numpy#6581), so
 * without this plugin a view's base, every array's dtype and an object
 * array's elements are no edges: a base array held only through a view is
 * missing from the dump, and an object array does not hold its elements.
 * This plugin reads numpy's public structs directly (never a PyArray_*
 * function, which may call back into Python):
 *
 *  - PyArrayObject_fields up to weakreflist (data, nd, dimensions, strides,
 *    base, descr, flags): numpy's public ABI, unchanged from 1.7 to 2.x;
 *  - PyArray_Descr: typeobj, kind, type_num, elsize and, for the legacy
 *    descriptors (every builtin and structured dtype), subarray, fields,
 *    names, metadata, c_metadata.  Its layout changed in numpy 2.0
 *    (elsize became an npy_intp after a 64-bit flags field), so prepare()
 *    reads numpy.__version__ from the module's dict and picks the 1.x or
 *    the 2.x layout; any other major version is refused (a warning in the
 *    dump, the types fall back to the walker's own rules).  Run against
 *    numpy 1.24.2 (Debian bookworm, CPython 3.11) and 2.4.6 (sid, 3.13 and
 *    3.14).
 *
 * What an array reports (doc/plugins.md, "numpy"):
 *  - size: numpy's own array_sizeof, i.e. sys.getsizeof without the GC
 *    header: the type's basic size, dims and strides, plus the data
 *    (nbytes) when the array owns it (NPY_ARRAY_OWNDATA).  The data stays in
 *    the owner's own size rather than becoming a separate buffer: an owned
 *    data block has exactly one owner, so a separate node would not change
 *    any dominated size, and keeping it in the size keeps ndarray's size
 *    equal to sys.getsizeof and to heapy's.  A view (no OWNDATA) counts only
 *    its header;
 *  - `attr base` (the owner of a view: an ndarray, bytes, mmap, any buffer
 *    exporter) and `attr dtype`;
 *  - for an object array (dtype 'O'): one `index i` edge per element, i
 *    the flat position in C order (views included: their elements are
 *    their base's, reached through the view's strides);
 *  - length = shape[0] (nothing for a 0-d array), and the value text
 *    "float64 (1000, 3)": the dtype's name as numpy spells it (flexible
 *    types with their size in bits, datetimes with their unit) and the
 *    shape as Python prints the tuple.  The numpy classifier
 *    (plugins/numpy/classify.c, `bydtype`) reads that text back.
 * A dtype reports `attr type` (its scalar type), `fields`, `names`,
 * `metadata`, and for a subarray dtype `base` and `shape`; its value is
 * its name.  Its size is the walker's (tp_basicsize, = sys.getsizeof).
 *
 * Sanity checks, each failing the visit (the plugin is disabled for the
 * dump, with the reason): nd outside 0..64, a negative dimension, NULL
 * dims or strides or descr, an element size outside 0..2^31, nbytes over
 * MT_PLUGIN_SIZE_MAX, dims or an object array's elements not readable.
 * Not followed: object references inside structured dtypes ('O' fields of
 * a record), numpy scalars (numpy.generic: their __sizeof__ is the
 * walker's default), the NEP 49 mem_handler capsule.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "memtrack/plugin.h"

#include <stdio.h>
#include <string.h>

/* numpy's PyArrayObject_fields, up to the fields read here. */
typedef struct np_array {
	PyObject_HEAD char *data;
	int nd;
	Py_ssize_t *dimensions;
	Py_ssize_t *strides;
	PyObject *base;
	PyObject *descr;
	int flags;
	PyObject *weakreflist;
} np_array;

/* numpy 1.x PyArray_Descr (1.7 to 1.26). */
typedef struct np_descr1 {
	PyObject_HEAD PyTypeObject *typeobj;
	char kind, type, byteorder, flags;
	int type_num;
	int elsize;
	int alignment;
	void *subarray; /* np_subarray * */
	PyObject *fields;
	PyObject *names;
	void *f;
	PyObject *metadata;
	void *c_metadata;
} np_descr1;

/* numpy 2.x _PyArray_LegacyDescr (PyArray_Descr up to reserved_null). */
typedef struct np_descr2 {
	PyObject_HEAD PyTypeObject *typeobj;
	char kind, type, byteorder, former_flags;
	int type_num;
	uint64_t flags;
	Py_ssize_t elsize;
	Py_ssize_t alignment;
	PyObject *metadata;
	Py_hash_t hash;
	void *reserved_null[2];
	void *subarray; /* legacy descriptors only, from here on */
	PyObject *fields;
	PyObject *names;
	void *c_metadata;
} np_descr2;

/* PyArray_ArrayDescr: a subarray dtype's element dtype and shape. */
typedef struct np_subarray {
	PyObject *base;
	PyObject *shape;
} np_subarray;

/* PyArray_DatetimeDTypeMetaData: NpyAuxData (4 pointers), then the unit. */
typedef struct np_datetime_meta {
	void *auxdata[4];
	int unit;
	int num;
} np_datetime_meta;

#define NP_ARRAY_OWNDATA 0x0004
#define NP_MAXDIMS 64
#define NP_OBJECT 17	/* NPY_OBJECT, 1.x and 2.x */
#define NP_DATETIME 21	/* NPY_DATETIME */
#define NP_TIMEDELTA 22 /* NPY_TIMEDELTA */
#define NP_VSTRING 2056 /* 2.x: type numbers at or above are not legacy */
#define NP_TEXT_MAX 64	/* the value text (MT_PREVIEW_MAX) */

/* The dtype fields this plugin uses, read through either layout. */
typedef struct np_dtype_view {
	PyTypeObject *typeobj;
	char kind;
	int type_num;
	Py_ssize_t elsize;
	int legacy; /* subarray/fields/names/c_metadata exist */
	np_subarray *subarray;
	PyObject *fields, *names, *metadata;
	void *c_metadata;
} np_dtype_view;

/* The numpy major version prepare() found: 1 or 2 (0: not prepared). */
static int np_major;

static int np_read_dtype(PyObject *d, np_dtype_view *v)
{
	memset(v, 0, sizeof *v);
	if (np_major == 1) {
		const np_descr1 *d1 = (const np_descr1 *)d;
		v->typeobj = d1->typeobj;
		v->kind = d1->kind;
		v->type_num = d1->type_num;
		v->elsize = d1->elsize;
		v->legacy = 1;
		v->subarray = d1->subarray;
		v->fields = d1->fields;
		v->names = d1->names;
		v->metadata = d1->metadata;
		v->c_metadata = d1->c_metadata;
	} else {
		const np_descr2 *d2 = (const np_descr2 *)d;
		v->typeobj = d2->typeobj;
		v->kind = d2->kind;
		v->type_num = d2->type_num;
		v->elsize = d2->elsize;
		v->metadata = d2->metadata;
		v->legacy = d2->type_num >= 0 && d2->type_num < NP_VSTRING &&
			    (size_t)Py_TYPE(d)->tp_basicsize >= sizeof *d2;
		if (v->legacy) {
			v->subarray = d2->subarray;
			v->fields = d2->fields;
			v->names = d2->names;
			v->c_metadata = d2->c_metadata;
		}
	}
	return v->typeobj != NULL && v->elsize >= 0 && v->elsize <= INT32_MAX;
}

/* Appends to buf (size NP_TEXT_MAX + 1) at *len, cutting at the end. */
static void np_put(char *buf, size_t *len, const char *s)
{
	size_t n = strlen(s);
	if (n > NP_TEXT_MAX - *len)
		n = NP_TEXT_MAX - *len;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

/* Appends the decimal digits of v (no printf: it runs once per array). */
static void np_put_int(char *buf, size_t *len, uint64_t v)
{
	char d[24];
	size_t i = sizeof d - 1;
	d[i] = '\0';
	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	np_put(buf, len, d + i);
}

/* numpy's dtype.name: the scalar type's name without a trailing '_', the
 * size in bits for flexible types (bytes, str, void), the unit of datetime
 * and timedelta types ("datetime64[ns]"). */
static void np_dtype_name(const np_dtype_view *v, char *buf, size_t *len)
{
	static const char *const units[] = {"Y",  "M",	"W",  "",   "D",
					    "h",  "m",	"s",  "ms", "us",
					    "ns", "ps", "fs", "as", "generic"};
	const char *tn = v->typeobj->tp_name;
	const char *dot = strrchr(tn, '.');
	char name[NP_TEXT_MAX + 1];
	size_t n;

	tn = dot ? dot + 1 : tn;
	n = strlen(tn);
	if (n > NP_TEXT_MAX)
		n = NP_TEXT_MAX;
	memcpy(name, tn, n);
	if (n > 1 && name[n - 1] == '_')
		n--;
	name[n] = '\0';
	np_put(buf, len, name);
	if ((v->kind == 'S' || v->kind == 'U' || v->kind == 'V') &&
	    v->elsize > 0)
		np_put_int(buf, len, (uint64_t)v->elsize * 8);
	if ((v->type_num == NP_DATETIME || v->type_num == NP_TIMEDELTA) &&
	    v->legacy && v->c_metadata) {
		const np_datetime_meta *m = v->c_metadata;
		if (m->unit >= 0 &&
		    m->unit < (int)(sizeof units / sizeof *units) &&
		    m->unit != 14) {
			char u[32];
			if (m->num > 1)
				snprintf(u, sizeof u, "[%d%s]", m->num,
					 units[m->unit]);
			else
				snprintf(u, sizeof u, "[%s]", units[m->unit]);
			np_put(buf, len, u);
		}
	}
}

/* "float64 (1000, 3)" into buf (NP_TEXT_MAX + 1 bytes); its length. */
static size_t np_array_text(const np_dtype_view *v, int nd,
			    const Py_ssize_t *dims, char *buf)
{
	size_t len = 0;
	buf[0] = '\0';
	np_dtype_name(v, buf, &len);
	np_put(buf, &len, " (");
	for (int k = 0; k < nd; k++) {
		if (k)
			np_put(buf, &len, ", ");
		np_put_int(buf, &len, (uint64_t)dims[k]);
	}
	np_put(buf, &len, nd == 1 ? ",)" : ")");
	return len;
}

/* Reports every element of an object array as `index i` (C order).  The
 * bytes the strides address must be readable. */
static int np_visit_objects(const mt_plugin_host *h, mt_plugin_sink *s,
			    const np_array *a, uint64_t count)
{
	Py_ssize_t idx[NP_MAXDIMS] = {0};
	Py_ssize_t lo = 0, hi = (Py_ssize_t)sizeof(PyObject *);
	const char *p = a->data;
	int nd = a->nd;

	if (count == 0)
		return 0;
	for (int k = 0; k < nd; k++) {
		Py_ssize_t span = a->strides[k] * (a->dimensions[k] - 1);
		if (span < 0)
			lo += span;
		else
			hi += span;
	}
	if (a->data == NULL ||
	    !h->readable(s, a->data + lo, (size_t)(hi - lo))) {
		h->fail(s, "object array elements not readable");
		return -1;
	}
	for (uint64_t i = 0; i < count; i++) {
		PyObject *o;
		memcpy(&o, p, sizeof o);
		h->edge(s, MT_PLUGIN_INDEX, NULL, i, o);
		/* next index in C order: the last dimension moves first */
		for (int k = nd - 1; k >= 0; k--) {
			if (++idx[k] < a->dimensions[k]) {
				p += a->strides[k];
				break;
			}
			p -= a->strides[k] * (idx[k] - 1);
			idx[k] = 0;
		}
	}
	return 0;
}

/* Checks nd, dims and strides; the element count, or -1 after fail(). */
static int64_t np_count(const mt_plugin_host *h, mt_plugin_sink *s,
			const np_array *a, Py_ssize_t elsize)
{
	uint64_t count = 1, bytes;
	if (a->nd < 0 || a->nd > NP_MAXDIMS) {
		h->fail(s, "ndarray with nd outside 0..64");
		return -1;
	}
	if (a->nd == 0)
		return 1;
	if (a->dimensions == NULL || a->strides == NULL ||
	    !h->readable(s, a->dimensions,
			 (size_t)a->nd * sizeof(Py_ssize_t)) ||
	    !h->readable(s, a->strides, (size_t)a->nd * sizeof(Py_ssize_t))) {
		h->fail(s, "ndarray dims or strides not readable");
		return -1;
	}
	for (int k = 0; k < a->nd; k++) {
		if (a->dimensions[k] < 0) {
			h->fail(s, "ndarray with a negative dimension");
			return -1;
		}
		if (__builtin_mul_overflow(count, (uint64_t)a->dimensions[k],
					   &count))
			count = UINT64_MAX;
	}
	if (count > MT_PLUGIN_SIZE_MAX ||
	    __builtin_mul_overflow(count, (uint64_t)elsize, &bytes) ||
	    bytes > MT_PLUGIN_SIZE_MAX) {
		h->fail(s, "ndarray larger than the address space");
		return -1;
	}
	return (int64_t)count;
}

static int np_visit_array(const mt_plugin_host *h, mt_plugin_sink *s,
			  PyObject *o)
{
	const np_array *a = (const np_array *)o;
	np_dtype_view v;
	int64_t count;
	uint64_t size;
	char text[NP_TEXT_MAX + 1];
	size_t len;

	if (np_major == 0 || (size_t)Py_TYPE(o)->tp_basicsize < sizeof *a) {
		h->fail(s, "ndarray smaller than numpy's PyArrayObject");
		return -1;
	}
	if (a->descr == NULL || !np_read_dtype(a->descr, &v)) {
		h->fail(s, "ndarray without a valid dtype");
		return -1;
	}
	count = np_count(h, s, a, v.elsize);
	if (count < 0)
		return -1;
	size = (uint64_t)Py_TYPE(o)->tp_basicsize +
	       (uint64_t)a->nd * 2 * sizeof(Py_ssize_t);
	if (a->flags & NP_ARRAY_OWNDATA)
		size += (uint64_t)count * (uint64_t)v.elsize;
	h->size(s, size);
	if (a->nd > 0)
		h->length(s, a->dimensions[0]);
	len = np_array_text(&v, a->nd, a->dimensions, text);
	h->value(s, text, len);
	h->edge(s, MT_PLUGIN_ATTR, "base", 0, a->base);
	h->edge(s, MT_PLUGIN_ATTR, "dtype", 0, a->descr);
	if (v.type_num == NP_OBJECT &&
	    v.elsize == (Py_ssize_t)sizeof(PyObject *))
		return np_visit_objects(h, s, a, (uint64_t)count);
	return 0;
}

static int np_visit_dtype(const mt_plugin_host *h, mt_plugin_sink *s,
			  PyObject *o)
{
	np_dtype_view v;
	char text[NP_TEXT_MAX + 1];
	size_t len = 0;
	size_t need =
	    np_major == 1 ? sizeof(np_descr1) : offsetof(np_descr2, subarray);

	if (np_major == 0 || (size_t)Py_TYPE(o)->tp_basicsize < need ||
	    !np_read_dtype(o, &v)) {
		h->fail(s, "dtype not laid out as numpy's PyArray_Descr");
		return -1;
	}
	text[0] = '\0';
	np_dtype_name(&v, text, &len);
	h->value(s, text, len);
	h->edge(s, MT_PLUGIN_ATTR, "type", 0, (PyObject *)v.typeobj);
	if (v.fields != Py_None)
		h->edge(s, MT_PLUGIN_ATTR, "fields", 0, v.fields);
	if (v.names != Py_None)
		h->edge(s, MT_PLUGIN_ATTR, "names", 0, v.names);
	if (v.metadata != Py_None)
		h->edge(s, MT_PLUGIN_ATTR, "metadata", 0, v.metadata);
	if (v.subarray) {
		if (!h->readable(s, v.subarray, sizeof *v.subarray)) {
			h->fail(s, "dtype subarray not readable");
			return -1;
		}
		h->edge(s, MT_PLUGIN_ATTR, "base", 0, v.subarray->base);
		h->edge(s, MT_PLUGIN_ATTR, "shape", 0, v.subarray->shape);
	}
	return 0;
}

/* Reads numpy.__version__ (a str in the module's dict): the layout. */
static int np_prepare(const mt_plugin *p)
{
	PyObject *mods = PyImport_GetModuleDict();
	PyObject *mod, *ver;
	const char *s;

	(void)p;
	np_major = 0;
	mod = mods ? PyDict_GetItemString(mods, "numpy") : NULL;
	if (mod == NULL)
		return 0; /* not imported: its types were not found either */
	if (!PyModule_Check(mod))
		return -1;
	ver = PyDict_GetItemString(PyModule_GetDict(mod), "__version__");
	if (ver == NULL || !PyUnicode_CheckExact(ver))
		return -1;
	s = PyUnicode_AsUTF8(ver);
	if (s == NULL) {
		PyErr_Clear();
		return -1;
	}
	if (strncmp(s, "1.", 2) == 0)
		np_major = 1;
	else if (strncmp(s, "2.", 2) == 0)
		np_major = 2;
	return np_major ? 0 : -1;
}

static const mt_plugin_type np_types[] = {
    {"numpy", "ndarray", MT_PLUGIN_SUBCLASSES | MT_PLUGIN_COMPLETE,
     np_visit_array},
    {"numpy", "dtype", MT_PLUGIN_SUBCLASSES | MT_PLUGIN_COMPLETE,
     np_visit_dtype},
};

static const mt_plugin np_plugin = {
    MT_PLUGIN_API_VERSION,
    "numpy",
    "numpy",
    "numpy 1.x/2.x ndarray and dtype: data owned once, view bases, dtypes, "
    "object arrays' elements",
    np_prepare,
    np_types,
    sizeof np_types / sizeof *np_types,
};

MT_PLUGIN_DEFINE(numpy) { return &np_plugin; }
