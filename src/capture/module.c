/* The `memtrack` extension module: dump() and read().
 *
 * dump() gathers the header (before the walk, while creating Python objects
 * is still harmless), optionally runs gc.collect(), and hands over to the
 * walker (walk.c), which runs without creating any Python object.  read()
 * decodes a dump with the validating reader into plain Python data for tests
 * and scripts; its shape is documented in doc/capture.md.
 */
#include "config.h"

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "memtrack/reader.h"
#include "memtrack/writer.h"
#include "pyint.h"
#include "walk.h"

#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *Py_NewRef(PyObject *o)
{
	Py_INCREF(o);
	return o;
}
#endif

#ifdef Py_GIL_DISABLED
#define MT_FREE_THREADED 1
#else
#define MT_FREE_THREADED 0
#endif

#if !MT_FREE_THREADED
static double now_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void read_statm(uint64_t *rss, uint64_t *vms)
{
	unsigned long long size = 0, res = 0;
	*rss = *vms = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return;
	if (fscanf(f, "%llu %llu", &size, &res) == 2) {
		long page = sysconf(_SC_PAGESIZE);
		if (page > 0) {
			*vms = size * (uint64_t)page;
			*rss = res * (uint64_t)page;
		}
	}
	fclose(f);
}

/* C copy of a str (UTF-8), or of "" if o is not a str.  Caller frees. */
static char *c_string(PyObject *o)
{
	if (o && PyUnicode_Check(o)) {
		PyObject *b =
		    PyUnicode_AsEncodedString(o, "utf-8", "surrogateescape");
		if (!b) {
			PyErr_Clear();
			b = PyUnicode_AsEncodedString(o, "utf-8", "replace");
		}
		if (b) {
			char *s = strdup(PyBytes_AS_STRING(b));
			Py_DECREF(b);
			return s;
		}
		PyErr_Clear();
	}
	return strdup("");
}

typedef struct {
	mt_header h;
	char *version, *executable;
	char **argv;
	size_t argc;
} header_buf;

static void header_free(header_buf *hb)
{
	free(hb->version);
	free(hb->executable);
	for (size_t i = 0; i < hb->argc; i++)
		free(hb->argv[i]);
	free(hb->argv);
}

static int header_fill(header_buf *hb, int collected)
{
	memset(hb, 0, sizeof(*hb));
	mt_header *h = &hb->h;
	h->format_version = MT_DUMP_VERSION;
	h->memtrack_version = PACKAGE_VERSION;
	hb->version = strdup(Py_GetVersion());
	h->python_version = hb->version;
	PyObject *vi = PySys_GetObject("version_info"); /* borrowed */
	if (vi && PyTuple_Check(vi) && PyTuple_GET_SIZE(vi) >= 3) {
		h->py_major = (unsigned)PyLong_AsLong(PyTuple_GET_ITEM(vi, 0));
		h->py_minor = (unsigned)PyLong_AsLong(PyTuple_GET_ITEM(vi, 1));
		h->py_micro = (unsigned)PyLong_AsLong(PyTuple_GET_ITEM(vi, 2));
		if (PyErr_Occurred())
			PyErr_Clear();
	}
	h->implementation = "cpython";
#ifdef Py_DEBUG
	h->build = "debug";
#else
	h->build = "release";
#endif
	hb->executable = c_string(PySys_GetObject("executable"));
	h->executable = hb->executable;
	h->pid = (uint64_t)getpid();
	PyObject *argv = PySys_GetObject("argv");
	if (argv && PyList_Check(argv)) {
		Py_ssize_t n = PyList_GET_SIZE(argv);
		hb->argv = calloc((size_t)n + 1, sizeof(char *));
		if (!hb->argv)
			return -1;
		for (Py_ssize_t i = 0; i < n; i++) {
			hb->argv[i] = c_string(PyList_GET_ITEM(argv, i));
			if (!hb->argv[i])
				return -1;
			hb->argc++;
		}
	}
	h->argc = hb->argc;
	h->argv = (const char **)hb->argv;
	h->time = now_real();
	read_statm(&h->rss, &h->vms);
	h->ptr_size = (unsigned)sizeof(void *);
	h->gc_header = (unsigned)mt_py_gc_head_size();
	h->collected = collected != 0;
	if (!hb->version || !hb->executable)
		return -1;
	return 0;
}

static size_t allocated_blocks(void)
{
	PyObject *f = PySys_GetObject("getallocatedblocks");
	size_t n = 0;
	if (f) {
		PyObject *r = PyObject_CallNoArgs(f);
		if (r) {
			Py_ssize_t v = PyLong_AsSsize_t(r);
			if (v > 0)
				n = (size_t)v;
			Py_DECREF(r);
		}
	}
	PyErr_Clear();
	return n ? n : 100000;
}

/* Calls gc.<name>(); returns its truth value, or -1 with an exception. */
static int gc_call(const char *name)
{
	PyObject *gc = PyImport_ImportModule("gc");
	if (!gc)
		return -1;
	PyObject *r = PyObject_CallMethod(gc, name, NULL);
	Py_DECREF(gc);
	if (!r)
		return -1;
	int t = PyObject_IsTrue(r);
	Py_DECREF(r);
	return t;
}

static PyObject *mt_dump(PyObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"path", "collect", NULL};
	PyObject *pathb = NULL;
	int collect = 1;
	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O&|$p:dump", kwlist,
					 PyUnicode_FSConverter, &pathb,
					 &collect))
		return NULL;
	const char *path = PyBytes_AS_STRING(pathb);
	double t0 = now_mono();
	/* gc.collect(), not PyGC_Collect(): the latter does nothing while the
	 * collector is disabled (gc.disable()). */
	if (collect && gc_call("collect") < 0) {
		Py_DECREF(pathb);
		return NULL;
	}
	size_t expected = allocated_blocks();
	header_buf hb;
	if (header_fill(&hb, collect) < 0) {
		header_free(&hb);
		Py_DECREF(pathb);
		return PyErr_NoMemory();
	}
	/* The walk may call a C __sizeof__ (walk.c, c_sizeof) that allocates;
	 * no collection may free objects while the walk holds their
	 * addresses, so the collector is off for the walk. */
	int was_enabled = gc_call("isenabled");
	if (was_enabled < 0 || gc_call("disable") < 0) {
		header_free(&hb);
		Py_DECREF(pathb);
		return NULL;
	}
	mt_walk_result res;
	mt_err err;
	mt_err_clear(&err);
	mt_status st = mt_walk_dump(path, expected, &hb.h, NULL, &res, &err);
	if (was_enabled && gc_call("enable") < 0)
		PyErr_Clear();
	header_free(&hb);
	double secs = now_mono() - t0;
	if (st != MT_OK) {
		char msg[400];
		mt_err_format(&err, msg, sizeof(msg));
		PyErr_Format(st == MT_IO      ? PyExc_OSError
			     : st == MT_NOMEM ? PyExc_MemoryError
					      : PyExc_RuntimeError,
			     "memtrack.dump('%s') failed: %s", path, msg);
		Py_DECREF(pathb);
		return NULL;
	}
	PyObject *pstr = PyUnicode_DecodeFSDefault(path);
	Py_DECREF(pathb);
	if (!pstr)
		return NULL;
	PyObject *d = Py_BuildValue(
	    "{s:K,s:K,s:K,s:d,s:K,s:N}", "objects",
	    (unsigned long long)res.objects, "edges",
	    (unsigned long long)res.edges, "bytes",
	    (unsigned long long)res.bytes, "seconds", secs, "reachable",
	    (unsigned long long)res.reachable, "path", pstr);
	return d;
}

/* ---- read ------------------------------------------------------------------
 */

static PyObject *utf8(const char *s, size_t n)
{
	return PyUnicode_DecodeUTF8(s ? s : "", (Py_ssize_t)(s ? n : 0),
				    "replace");
}

static PyObject *header_dict(const mt_header *h)
{
	PyObject *argv = PyList_New(0);
	if (!argv)
		return NULL;
	for (size_t i = 0; i < h->argc; i++) {
		PyObject *a = utf8(h->argv[i], strlen(h->argv[i]));
		if (!a || PyList_Append(argv, a) < 0) {
			Py_XDECREF(a);
			Py_DECREF(argv);
			return NULL;
		}
		Py_DECREF(a);
	}
#define S(x) ((x) ? (x) : "")
	return Py_BuildValue(
	    "{s:I,s:s,s:s,s:(III),s:s,s:s,s:s,s:K,s:N,s:d,s:K,s:K,s:I,s:I,s:O}",
	    "format_version", h->format_version, "memtrack",
	    S(h->memtrack_version), "python", S(h->python_version),
	    "python_version", h->py_major, h->py_minor, h->py_micro,
	    "implementation", S(h->implementation), "build", S(h->build),
	    "executable", S(h->executable), "pid", (unsigned long long)h->pid,
	    "argv", argv, "time", h->time, "rss", (unsigned long long)h->rss,
	    "vms", (unsigned long long)h->vms, "ptr_size", h->ptr_size,
	    "gc_header", h->gc_header, "collected",
	    h->collected ? Py_True : Py_False);
#undef S
}

static PyObject *edge_list(const mt_edge *e, size_t n, PyObject *names)
{
	PyObject *l = PyList_New((Py_ssize_t)n);
	if (!l)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *rn = mt_relation_name(e[i].rel);
		PyObject *label;
		if (mt_relation_label_kind(e[i].rel) == MT_LABEL_NAME &&
		    e[i].label < (uint64_t)PyList_GET_SIZE(names)) {
			label = PyList_GET_ITEM(names, (Py_ssize_t)e[i].label);
			Py_INCREF(label);
		} else {
			label = PyLong_FromUnsignedLongLong(e[i].label);
		}
		PyObject *t = label
				  ? Py_BuildValue("(sIN)", rn ? rn : "?",
						  (unsigned)e[i].target, label)
				  : NULL;
		if (!t) {
			Py_DECREF(l);
			return NULL;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, t);
	}
	return l;
}

static PyObject *value_obj(const mt_value *v)
{
	switch (v->kind) {
	case MT_VAL_STR:
		return utf8(v->s, v->slen);
	case MT_VAL_BYTES:
		return PyBytes_FromStringAndSize(v->s ? v->s : "",
						 (Py_ssize_t)v->slen);
	case MT_VAL_INT:
		return PyLong_FromLongLong(v->i);
	case MT_VAL_FLOAT:
		return PyFloat_FromDouble(v->d);
	case MT_VAL_BOOL:
		return PyBool_FromLong(v->i != 0);
	case MT_VAL_QUALNAME:
		return Py_BuildValue("(NN)", utf8(v->s, v->slen),
				     utf8(v->s2, v->s2len));
	case MT_VAL_CODE:
		return Py_BuildValue("(NLN)", utf8(v->s, v->slen),
				     (long long)v->i, utf8(v->s2, v->s2len));
	default:
		Py_RETURN_NONE;
	}
}

static PyObject *object_tuple(const mt_record *rec, PyObject *names)
{
	const mt_obj *o = &rec->obj;
	PyObject *addr, *refcnt, *length;
	if (o->addr) {
		addr = PyLong_FromUnsignedLongLong(o->addr);
		refcnt = PyLong_FromUnsignedLongLong(o->refcnt);
	} else {
		addr = Py_NewRef(Py_None);
		refcnt = Py_NewRef(Py_None);
	}
	length = o->length == MT_NO_LENGTH ? Py_NewRef(Py_None)
					   : PyLong_FromLongLong(o->length);
	return Py_BuildValue("(IKNNNNN)", (unsigned)o->type,
			     (unsigned long long)o->size, addr, refcnt, length,
			     value_obj(&o->value),
			     edge_list(rec->edges, rec->nedges, names));
}

static PyObject *reader_error(PyObject *path, const mt_err *err)
{
	char msg[400];
	mt_err_format(err, msg, sizeof(msg));
	PyErr_Format(PyExc_ValueError, "%S: %s", path, msg);
	return NULL;
}

static PyObject *mt_read(PyObject *self, PyObject *args)
{
	PyObject *pathb = NULL, *pathstr = NULL;
	(void)self;
	if (!PyArg_ParseTuple(args, "O&:read", PyUnicode_FSConverter, &pathb))
		return NULL;
	pathstr = PyUnicode_DecodeFSDefault(PyBytes_AS_STRING(pathb));
	PyObject *result = NULL, *names = NULL, *roots = NULL, *objects = NULL;
	mt_reader *r = NULL;
	void *map = NULL;
	size_t len = 0;
	int fd = open(PyBytes_AS_STRING(pathb), O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, pathstr);
		goto err;
	}
	struct stat stbuf;
	if (fstat(fd, &stbuf) < 0) {
		PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, pathstr);
		close(fd);
		goto err;
	}
	len = (size_t)stbuf.st_size;
	if (len) {
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			map = NULL;
			PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError,
							     pathstr);
			close(fd);
			goto err;
		}
	}
	close(fd);
	mt_err err;
	mt_err_clear(&err);
	if (mt_reader_new(&r, map ? map : "", len, &err) != MT_OK) {
		reader_error(pathstr, &err);
		goto err;
	}
	names = PyList_New(0);
	roots = PyList_New(0);
	objects = PyList_New(0);
	if (!names || !roots || !objects)
		goto err;
	for (;;) {
		mt_record rec;
		mt_status st = mt_reader_next(r, &rec, &err);
		if (st == MT_END)
			break;
		if (st != MT_OK) {
			reader_error(pathstr, &err);
			goto err;
		}
		if (rec.kind == MT_RECORD_NAME) {
			PyObject *s = utf8(rec.name, rec.name_len);
			if (!s || PyList_Append(names, s) < 0) {
				Py_XDECREF(s);
				goto err;
			}
			Py_DECREF(s);
		} else if (rec.kind == MT_RECORD_ROOTS) {
			Py_DECREF(roots);
			roots = edge_list(rec.edges, rec.nedges, names);
			if (!roots)
				goto err;
		} else {
			PyObject *t = object_tuple(&rec, names);
			if (!t || PyList_Append(objects, t) < 0) {
				Py_XDECREF(t);
				goto err;
			}
			Py_DECREF(t);
		}
	}
	const mt_trailer *tr = mt_reader_trailer(r);
	result = Py_BuildValue("{s:N,s:O,s:O,s:O,s:K}", "header",
			       header_dict(mt_reader_header(r)), "names", names,
			       "roots", roots, "objects", objects, "reachable",
			       (unsigned long long)tr->reachable);
err:
	Py_XDECREF(names);
	Py_XDECREF(roots);
	Py_XDECREF(objects);
	if (r)
		mt_reader_free(r);
	if (map)
		munmap(map, len);
	Py_XDECREF(pathb);
	Py_XDECREF(pathstr);
	return result;
}

static PyMethodDef methods[] = {
    {"dump", (PyCFunction)(void (*)(void))mt_dump, METH_VARARGS | METH_KEYWORDS,
     "dump(path, *, collect=True) -> dict\n\n"
     "Write the whole object graph of this process to `path` (a memtrack\n"
     "dump, doc/format.md).  collect=True runs gc.collect() first.\n"
     "Returns {'objects', 'edges', 'bytes', 'seconds', 'reachable', "
     "'path'}."},
    {"read", mt_read, METH_VARARGS,
     "read(path) -> dict\n\n"
     "Decode a dump into {'header', 'names', 'roots', 'objects',\n"
     "'reachable'} (see doc/capture.md).  Raises ValueError on a bad dump."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moddef = {
    PyModuleDef_HEAD_INIT,
    "memtrack",
    "memtrack: capture the Python heap into a dump file.",
    -1,
    methods,
    NULL,
    NULL,
    NULL,
    NULL};

#endif /* !MT_FREE_THREADED */

PyMODINIT_FUNC PyInit_memtrack(void);
PyMODINIT_FUNC PyInit_memtrack(void)
{
#if MT_FREE_THREADED
	/* The walker relies on the GIL freezing the heap and on the GC
	 * header layout of default builds. */
	PyErr_SetString(
	    PyExc_ImportError,
	    "memtrack does not support free-threaded CPython builds "
	    "(Py_GIL_DISABLED)");
	return NULL;
#else
	if (mt_walk_init_module() < 0)
		return NULL;
	PyObject *m = PyModule_Create(&moddef);
	if (!m)
		return NULL;
	if (PyModule_AddStringConstant(m, "__version__", PACKAGE_VERSION) < 0 ||
	    PyModule_AddStringConstant(m, "layout", mt_py_layout()) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
#endif
}
