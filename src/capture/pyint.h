/* Version-specific CPython internals, behind one small interface.
 *
 * Everything that needs Py_BUILD_CORE and the internal pycore_* headers, or
 * a struct layout that changed between 3.9 and 3.13, lives in
 * py_internals.c with PY_VERSION_HEX guards; this header only uses the
 * public API types so the rest of the capture builds without internals.
 *
 * None of these functions creates a Python object, runs Python code or
 * changes an object (no frame objects, no instance dicts are materialised).
 */
#ifndef MT_CAPTURE_PYINT_H
#define MT_CAPTURE_PYINT_H

#include "walk.h"
#include "prefetch.h"

/* Whether memtrack knows the memory layout of the interpreter it is built
 * for: CPython 3.9 to 3.14, default (GIL) builds.  When it does not, the
 * walker is not compiled (walk.c, py_internals.c) and the module refuses to
 * import with mt_py_refusal()'s reason. */
#if defined(Py_GIL_DISABLED) || PY_VERSION_HEX < 0x03090000 ||                \
    PY_VERSION_HEX >= 0x030F0000
#define MT_PY_LAYOUT_KNOWN 0
#else
#define MT_PY_LAYOUT_KNOWN 1
#endif

/* NULL when this module may walk the running interpreter, else a one-line
 * reason for an ImportError: built for an interpreter whose layout memtrack
 * does not know (MT_PY_LAYOUT_KNOWN), imported by another minor version than
 * it was built for, or (3.13+) the running interpreter's debug offsets
 * (_PyRuntime.debug_offsets) differ from those of the headers it was built
 * with.  Called once, by PyInit_memtrack.  The environment variable
 * MEMTRACK_TEST_REFUSE (tests only) can add a refusal, never remove one:
 * "built=0xHEX" or "running=X.Y.Z" pretends those versions, "free-threaded"
 * a free-threaded build, "layout" a moved field. */
const char *mt_py_refusal(void);

/* Name of the interpreter layout this module was built for ("3.12"...). */
const char *mt_py_layout(void);

/* sizeof(PyGC_Head). */
size_t mt_py_gc_head_size(void);

/* What sys.getsizeof adds to __sizeof__() for o: the GC header and the 3.11+
 * pre-header (managed dict / weakref pointers). */
size_t mt_py_presize(PyObject *o);

/* Calls cb for every object in the GC generation lists (young to old, then
 * the permanent generation).  Stops and returns cb's value when it is
 * non-zero; returns 0 after the last object. */
int mt_py_gc_foreach(int (*cb)(void *arg, PyObject *o), void *arg);

/* The heads of the GC lists mt_py_gc_foreach walks (three generations,
 * then the permanent one): the addresses of their PyGC_Head. */
#define MT_GC_LISTS 4
void mt_py_gc_heads(uintptr_t heads[MT_GC_LISTS]);

/* The link word of o's GC head (the two words right before the object on
 * every version: _gc_next, _gc_prev), flag bits cleared: the address of
 * the next PyGC_Head in o's list (a list head or the next object's), 0
 * when o is not tracked.  o must have a GC head (PyObject_IS_GC). */
static inline uintptr_t mt_py_gc_next(PyObject *o)
{
	return ((const uintptr_t *)o)[-2] & ~(uintptr_t)3;
}

/* Prefetches the storage of dict d, whose header is in the cache: the
 * first lines of its keys object (the indices and the first entries of a
 * small table) and its split values.  PyDictObject's fields are the public
 * cpython/dictobject.h's on every version. */
MT_PREFETCH_FN void mt_py_dict_prefetch(PyObject *d)
{
	const PyDictObject *mp = (const PyDictObject *)d;
	const char *k = (const char *)mp->ma_keys;
	__builtin_prefetch(k);
	__builtin_prefetch(k + 64);
	if (mp->ma_values)
		__builtin_prefetch(mp->ma_values);
}

/* The object whose GC head is at g (a link word of mt_py_gc_next). */
static inline PyObject *mt_py_gc_object(uintptr_t g)
{
	return (PyObject *)(g + 2 * sizeof(uintptr_t));
}

/* The thread states of the interpreter, in its order, each with the name of
 * its threading.Thread (threading._active, each Thread's `_name`, read
 * with PyDict_Next and the inline values: exact int keys and str values
 * only, no Python code, no dict materialised) or NULL.  *out is new
 * (mt_py_thread_names_free), NULL with 0 when out of memory. */
size_t mt_py_thread_names(mt_thread_name **out);
void mt_py_thread_names_free(mt_thread_name *t, size_t n);

/* Emits the ROOT edges: interpreter state members and, per thread state,
 * its members and innermost frame. */
void mt_py_roots(mt_walk *w);

/* Frames.  `f` is a real frame object (MT_REF_OBJ) or a virtual frame
 * (MT_REF_VFRAME).  edges: f_back, f_code, f_globals, f_builtins, f_locals,
 * f_trace, f_func, locals, cells and (when known to be valid) the stack. */
void mt_py_frame_edges(mt_walk *w, mt_ref f);
/* Code object (borrowed, may be NULL), current line and size of a frame
 * (__sizeof__ for a real frame; data-stack bytes for a virtual one). */
void mt_py_frame_describe(mt_ref f, PyObject **code, int *lineno, size_t *size);
int mt_py_is_frame(PyObject *o);

/* Generators, coroutines, async generators: fields and frame. */
int mt_py_is_gen(PyObject *o);
void mt_py_gen_edges(mt_walk *w, PyObject *gen);
size_t mt_py_gen_size(PyObject *gen);

/* Code objects: co_* fields, size (__sizeof__ formula). */
void mt_py_code_edges(mt_walk *w, PyObject *code);
size_t mt_py_code_size(PyObject *code);

/* Functions: func_* fields. */
void mt_py_func_edges(mt_walk *w, PyObject *f);

/* Types (heap and static): __dict__, __mro__, __bases__, __base__,
 * tp_subclasses, ht_* fields, ht_cached_keys key strings. */
void mt_py_type_edges(mt_walk *w, PyTypeObject *t);
size_t mt_py_type_size(PyTypeObject *t);

/* Instance dicts.  Returns MT_IDICT_NONE, MT_IDICT_REAL (*dict set: a dict
 * object exists, from tp_dictoffset or the managed dict pointer) or
 * MT_IDICT_VIRTUAL (3.11+: the attributes are inline values, no dict). */
enum { MT_IDICT_NONE = 0, MT_IDICT_REAL = 1, MT_IDICT_VIRTUAL = 2 };
int mt_py_instance_dict(PyObject *o, PyObject **dict);
/* Iterates the inline values of o in insertion order (keys from the type's
 * shared keys).  Only for o with MT_IDICT_VIRTUAL. */
void mt_py_vdict_foreach(PyObject *o,
			 void (*cb)(void *arg, PyObject *key, PyObject *value),
			 void *arg);
size_t mt_py_vdict_size(PyObject *o);
Py_ssize_t mt_py_vdict_len(PyObject *o);
/* Address of the inline values storage of o (for a prefetch; NULL before
 * 3.11).  Only for o with MT_IDICT_VIRTUAL. */
const void *mt_py_vdict_values(PyObject *o);

/* Sizes with __sizeof__ semantics (no header/pre-header). */
size_t mt_py_dict_size(PyObject *d);
size_t mt_py_long_size(PyObject *o);
size_t mt_py_str_size(PyObject *s);
size_t mt_py_module_size(PyObject *m);

/* The magnitude digits of an int (PyLong_SHIFT bits each, least significant
 * first) and its sign. */
void mt_py_long_digits(PyObject *o, const void **digits, size_t *n,
		       int *negative, int *digit_bytes, int *shift);

#endif
