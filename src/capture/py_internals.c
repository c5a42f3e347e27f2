/* CPython internals for the walker, one #if branch per layout (3.9 .. 3.14).
 *
 * This is the only file built with Py_BUILD_CORE: it reads interpreter and
 * thread state, GC generation lists, _PyInterpreterFrame chains, managed-dict
 * inline values and shared keys, and the private parts of code, function,
 * generator and type objects.  Every function here only reads memory: it
 * creates no Python object, runs no Python code, and never materialises a
 * frame object or an instance dict (CPYTHON-NOTES traps 3 and 5).
 *
 * Layouts were taken from the installed Include/internal headers of 3.9.18,
 * 3.10.13, 3.11.7, 3.12.1, 3.13.0, and Debian sid's 3.13.18 and 3.14.10; a
 * private struct that is not in any header (3.9/3.10 PyDictKeysObject) is
 * mirrored below with its version.
 */
#include "config.h"

#define Py_BUILD_CORE 1
#include "pyint.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if MT_PY_LAYOUT_KNOWN /* else only mt_py_refusal, at the end */

#include "frameobject.h"
/* The internal headers are not written for -Wundef (3.13's mimalloc). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include "internal/pycore_gc.h"
#include "internal/pycore_interp.h"
#if PY_VERSION_HEX >= 0x030B0000
#include "internal/pycore_code.h"
#include "internal/pycore_dict.h"
#include "internal/pycore_frame.h"
#include "internal/pycore_object.h"
#endif
#if PY_VERSION_HEX >= 0x030C0000
#include "internal/pycore_typeobject.h"
#endif
#if PY_VERSION_HEX >= 0x030D0000
#include "internal/pycore_genobject.h"
#include "internal/pycore_moduleobject.h"
#endif
#if PY_VERSION_HEX >= 0x030E0000
#include "internal/pycore_interpframe.h"
#include "internal/pycore_stackref.h"
#endif
#pragma GCC diagnostic pop

/* Exact version predicates: one per minor version whose layout this file
 * knows, and the "from" ones as unions of them, so an interpreter without a
 * block of its own matches none (and is refused: the #error below, and
 * MT_PY_LAYOUT_KNOWN / mt_py_refusal at import), never another's layout. */
#define MT_PY_MINOR_IS(m) ((PY_VERSION_HEX >> 16) == (0x0300 | (m)))
#define PY39 MT_PY_MINOR_IS(9)
#define PY310 MT_PY_MINOR_IS(10)
#define PY311 MT_PY_MINOR_IS(11)
#define PY312 MT_PY_MINOR_IS(12)
#define PY313 MT_PY_MINOR_IS(13)
#define PY314 MT_PY_MINOR_IS(14)
#define PYGE311 (PY311 || PY312 || PY313 || PY314)
#define PYGE312 (PY312 || PY313 || PY314)
#define PYGE313 (PY313 || PY314)
#if !(PY39 || PY310 || PY311 || PY312 || PY313 || PY314)
#error "py_internals.c has no layout for this CPython version"
#endif

const char *mt_py_layout(void)
{
#if PY39
	return "3.9";
#elif PY310
	return "3.10";
#elif PY311
	return "3.11";
#elif PY312
	return "3.12";
#elif PY313
	return "3.13";
#elif PY314
	return "3.14";
#endif
}

size_t mt_py_gc_head_size(void) { return sizeof(PyGC_Head); }

size_t mt_py_presize(PyObject *o)
{
#if !PYGE311
	return PyObject_IS_GC(o) ? sizeof(PyGC_Head) : 0;
#elif PYGE313
	if (Py_IS_TYPE(o, &PyType_Type) &&
	    !PyType_HasFeature((PyTypeObject *)o, Py_TPFLAGS_HEAPTYPE))
		return 0;
	return _PyType_PreHeaderSize(Py_TYPE(o));
#else
	return _PyType_PreHeaderSize(Py_TYPE(o));
#endif
}

/* ---- GC generation lists ------------------------------------------- */

static int gc_list_foreach(PyGC_Head *head, int (*cb)(void *arg, PyObject *o),
			   void *arg)
{
	PyGC_Head *g = (PyGC_Head *)head->_gc_next;
	while (g != head) {
		PyGC_Head *next = (PyGC_Head *)g->_gc_next;
		int r = cb(arg, (PyObject *)(g + 1));
		if (r)
			return r;
		g = next;
	}
	return 0;
}

/* The lists' heads: three generations, then the permanent one. */
static void gc_heads(PyGC_Head *heads[MT_GC_LISTS])
{
	PyInterpreterState *interp = PyInterpreterState_Get();
	struct _gc_runtime_state *gc = &interp->gc;
#if PY314
	/* The incremental GC of 3.14.0-3.14.4 has `young` and `old[2]`;
	 * 3.14.5 went back to generations[3] at the same offsets.  Either
	 * way: three lists right before the permanent generation. */
	struct gc_generation *gens = &gc->permanent_generation - 3;
#else
	struct gc_generation *gens = gc->generations;
#endif
	for (int i = 0; i < 3; i++)
		heads[i] = &gens[i].head;
	heads[3] = &gc->permanent_generation.head;
}

int mt_py_gc_foreach(int (*cb)(void *arg, PyObject *o), void *arg)
{
	PyGC_Head *heads[MT_GC_LISTS];
	gc_heads(heads);
	for (int i = 0; i < MT_GC_LISTS; i++) {
		int r = gc_list_foreach(heads[i], cb, arg);
		if (r)
			return r;
	}
	return 0;
}

void mt_py_gc_heads(uintptr_t out[MT_GC_LISTS])
{
	PyGC_Head *heads[MT_GC_LISTS];
	gc_heads(heads);
	for (int i = 0; i < MT_GC_LISTS; i++)
		out[i] = (uintptr_t)heads[i];
}

/* ---- frames ------------------------------------------------------------ */

#if PYGE311
typedef _PyInterpreterFrame iframe_t;

#if PY314
/* The object a _PyStackRef refers to, or NULL (the NULL reference is tagged
 * too, and a tagged int is no object): pointers are at least 8-aligned, the
 * low bits are tags (Py_TAG_REFCNT marks a deferred or immortal one). */
static PyObject *sref(_PyStackRef r)
{
	if (PyStackRef_IsTaggedInt(r))
		return NULL;
	return (PyObject *)(r.bits & ~(uintptr_t)Py_TAG_BITS);
}
typedef _PyStackRef slot_t;
#define SLOT(v) sref(v)
#else
typedef PyObject *slot_t;
#define SLOT(v) (v)
#endif

static PyCodeObject *iframe_code(iframe_t *f)
{
#if PYGE313
	PyObject *ex = SLOT(f->f_executable);
	if (!ex || !PyCode_Check(ex))
		return NULL;
	return (PyCodeObject *)ex;
#else
	return f->f_code;
#endif
}

static int iframe_incomplete(iframe_t *f)
{
#if PYGE312
	if (f->owner == FRAME_OWNED_BY_CSTACK)
		return 1;
#endif
	if (!iframe_code(f))
		return 1;
	return _PyFrame_IsIncomplete(f);
}

static iframe_t *first_complete(iframe_t *f)
{
	while (f && iframe_incomplete(f))
		f = f->previous;
	return f;
}

static mt_ref iframe_ref(iframe_t *f)
{
	if (!f)
		return 0;
	if (f->frame_obj)
		return MT_REF(f->frame_obj, MT_REF_OBJ);
	return MT_REF(f, MT_REF_VFRAME);
}

#if PY311
/* 3.11 keeps a stale stacktop while a frame executes; it is valid only when
 * saved: a suspended generator, or a frame whose callee was pushed by the
 * same eval loop (the callee is not an entry frame).  The second set is
 * collected once per dump by mt_py_roots (sorted, for bsearch). */
static iframe_t **g_saved_sp;
static size_t g_nsaved_sp;

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (iframe_t *const *)a;
	uintptr_t y = (uintptr_t) * (iframe_t *const *)b;
	return x < y ? -1 : x > y;
}

static void collect_saved_sp(PyInterpreterState *interp)
{
	size_t cap = 0;
	free(g_saved_sp);
	g_saved_sp = NULL;
	g_nsaved_sp = 0;
	for (PyThreadState *ts = PyInterpreterState_ThreadHead(interp); ts;
	     ts = PyThreadState_Next(ts)) {
		iframe_t *x = ts->cframe ? ts->cframe->current_frame : NULL;
		for (; x; x = x->previous) {
			if (!x->previous || x->is_entry)
				continue;
			if (g_nsaved_sp == cap) {
				cap = cap ? cap * 2 : 256;
				iframe_t **n =
				    realloc(g_saved_sp, cap * sizeof(*n));
				if (!n) /* then no stacks, that is all */
					return;
				g_saved_sp = n;
			}
			g_saved_sp[g_nsaved_sp++] = x->previous;
		}
	}
	if (g_nsaved_sp > 1) /* qsort(NULL, 0) is undefined */
		qsort(g_saved_sp, g_nsaved_sp, sizeof(*g_saved_sp), ptr_cmp);
}

static int stack_valid_311(iframe_t *f)
{
	if (f->owner == FRAME_OWNED_BY_GENERATOR) {
		PyGenObject *gen =
		    (PyGenObject *)((char *)f -
				    offsetof(PyGenObject, gi_iframe));
		return gen->gi_frame_state == FRAME_SUSPENDED;
	}
	if (f->owner != FRAME_OWNED_BY_THREAD || !g_saved_sp)
		return 0;
	return bsearch(&f, g_saved_sp, g_nsaved_sp, sizeof(*g_saved_sp),
		       ptr_cmp) != NULL;
}
#endif

static void iframe_slots(mt_walk *w, iframe_t *f)
{
	PyCodeObject *co = iframe_code(f);
	if (!co)
		return;
	PyObject *names = co->co_localsplusnames;
	PyObject *kinds = co->co_localspluskinds;
	int n = co->co_nlocalsplus;
	for (int i = 0; i < n; i++) {
		PyObject *v = SLOT(f->localsplus[i]);
		if (!v)
			continue;
		PyObject *name = (names && PyTuple_Check(names) &&
				  i < PyTuple_GET_SIZE(names))
				     ? PyTuple_GET_ITEM(names, i)
				     : NULL;
		int kind = (kinds && PyBytes_Check(kinds) &&
			    i < PyBytes_GET_SIZE(kinds))
			       ? (unsigned char)PyBytes_AS_STRING(kinds)[i]
			       : CO_FAST_LOCAL;
		mt_relation rel = (kind & (CO_FAST_CELL | CO_FAST_FREE))
				      ? MT_REL_CELL
				      : MT_REL_LOCAL;
		mt_edge_strname(w, rel, name, (mt_ref)(uintptr_t)v);
	}
	int valid, top;
#if PY311
	valid = stack_valid_311(f);
	top = f->stacktop;
#elif PY314
	/* The eval loop saves stackpointer before every call that can run
	 * other code (the GC reads the stack up to it); debug builds clear it
	 * while the frame runs. */
	top = f->stackpointer
		  ? (int)(f->stackpointer - (slot_t *)f->localsplus)
		  : -1;
	valid = f->stackpointer != NULL;
#else
	valid = f->stacktop >= 0;
	top = f->stacktop;
#endif
	if (!valid || top < n || top > n + co->co_stacksize)
		return;
	for (int i = n; i < top; i++) {
		PyObject *v = SLOT(f->localsplus[i]);
		if (v)
			mt_edge_int(w, MT_REL_STACK, (uint64_t)(i - n),
				    (mt_ref)(uintptr_t)v);
	}
}

static void iframe_edges(mt_walk *w, iframe_t *f, PyFrameObject *fo)
{
	mt_ref back = 0;
	if (fo && fo->f_back)
		back = MT_REF(fo->f_back, MT_REF_OBJ);
	else if (f->owner != FRAME_OWNED_BY_FRAME_OBJECT || !fo)
		back = iframe_ref(first_complete(f->previous));
	if (back)
		mt_edge_name(w, MT_REL_ATTR, "f_back", back);
	MT_ATTR(w, "f_code", iframe_code(f));
	MT_ATTR(w, "f_globals", f->f_globals);
	MT_ATTR(w, "f_builtins", f->f_builtins);
	MT_ATTR(w, "f_locals", f->f_locals);
#if PY311
	MT_IATTR(w, "f_func", f->f_func);
#else
	MT_IATTR(w, "f_func", SLOT(f->f_funcobj));
#endif
	if (fo) {
		MT_ATTR(w, "f_trace", fo->f_trace);
#if PYGE313
		MT_IATTR(w, "f_extra_locals", fo->f_extra_locals);
		MT_IATTR(w, "f_locals_cache", fo->f_locals_cache);
#endif
	}
	iframe_slots(w, f);
}

static size_t iframe_slots_size(PyCodeObject *co)
{
#if PY311
	return (size_t)(co->co_nlocalsplus + co->co_stacksize) *
	       sizeof(PyObject *);
#else
	return (size_t)_PyFrame_NumSlotsForCodeObject(co) * sizeof(PyObject *);
#endif
}
#endif /* PYGE311 */

int mt_py_is_frame(PyObject *o) { return PyFrame_Check(o); }

#if !PYGE311
static void frame_edges_310(mt_walk *w, PyFrameObject *f)
{
	PyCodeObject *co = f->f_code;
	MT_ATTR(w, "f_back", f->f_back);
	MT_ATTR(w, "f_code", co);
	MT_ATTR(w, "f_globals", f->f_globals);
	MT_ATTR(w, "f_builtins", f->f_builtins);
	MT_ATTR(w, "f_locals", f->f_locals);
	MT_ATTR(w, "f_trace", f->f_trace);
	if (!co)
		return;
	int nlocals = co->co_nlocals;
	Py_ssize_t ncells =
	    co->co_cellvars ? PyTuple_GET_SIZE(co->co_cellvars) : 0;
	Py_ssize_t nfrees =
	    co->co_freevars ? PyTuple_GET_SIZE(co->co_freevars) : 0;
	for (int i = 0; i < nlocals; i++) {
		PyObject *name =
		    (co->co_varnames && i < PyTuple_GET_SIZE(co->co_varnames))
			? PyTuple_GET_ITEM(co->co_varnames, i)
			: NULL;
		mt_edge_strname(w, MT_REL_LOCAL, name,
				(mt_ref)(uintptr_t)f->f_localsplus[i]);
	}
	for (Py_ssize_t j = 0; j < ncells + nfrees; j++) {
		PyObject *name =
		    j < ncells ? PyTuple_GET_ITEM(co->co_cellvars, j)
			       : PyTuple_GET_ITEM(co->co_freevars, j - ncells);
		mt_edge_strname(
		    w, MT_REL_CELL, name,
		    (mt_ref)(uintptr_t)f->f_localsplus[nlocals + j]);
	}
	Py_ssize_t depth = -1;
#if PY39
	if (f->f_stacktop)
		depth = f->f_stacktop - f->f_valuestack;
#else
	depth = f->f_stackdepth;
#endif
	if (depth < 0 || depth > co->co_stacksize)
		return;
	for (Py_ssize_t i = 0; i < depth; i++)
		if (f->f_valuestack[i])
			mt_edge_int(w, MT_REL_STACK, (uint64_t)i,
				    (mt_ref)(uintptr_t)f->f_valuestack[i]);
}
#endif

void mt_py_frame_edges(mt_walk *w, mt_ref ref)
{
#if PYGE311
	if (MT_REF_TAG(ref) == MT_REF_VFRAME) {
		iframe_edges(w, (iframe_t *)MT_REF_PTR(ref), NULL);
	} else {
		PyFrameObject *fo = (PyFrameObject *)MT_REF_PTR(ref);
		if (fo->f_frame)
			iframe_edges(w, fo->f_frame, fo);
	}
#else
	frame_edges_310(w, (PyFrameObject *)MT_REF_PTR(ref));
#endif
}

void mt_py_frame_describe(mt_ref ref, PyObject **code, int *lineno,
			  size_t *size)
{
	*code = NULL;
	*lineno = 0;
	*size = 0;
#if PYGE311
	if (MT_REF_TAG(ref) == MT_REF_VFRAME) {
		iframe_t *f = (iframe_t *)MT_REF_PTR(ref);
		PyCodeObject *co = iframe_code(f);
		*code = (PyObject *)co;
		if (!co)
			return;
#if PY311
		int lasti = _PyInterpreterFrame_LASTI(f);
		*lineno =
		    PyCode_Addr2Line(co, lasti * (int)sizeof(_Py_CODEUNIT));
#else
		*lineno = PyUnstable_InterpreterFrame_GetLine(f);
#endif
		/* Memory on the thread's data stack; a generator's frame is
		 * inside the generator and counted in its size. */
		if (f->owner == FRAME_OWNED_BY_THREAD)
			*size = offsetof(iframe_t, localsplus) +
				iframe_slots_size(co);
		return;
	}
	PyFrameObject *fo = (PyFrameObject *)MT_REF_PTR(ref);
	PyCodeObject *co = fo->f_frame ? iframe_code(fo->f_frame) : NULL;
	*code = (PyObject *)co;
	*lineno = PyFrame_GetLineNumber(fo);
	*size = offsetof(PyFrameObject, _f_frame_data) +
		offsetof(iframe_t, localsplus) +
		(co ? iframe_slots_size(co) : 0);
#else
	PyFrameObject *f = (PyFrameObject *)MT_REF_PTR(ref);
	PyCodeObject *co = f->f_code;
	*code = (PyObject *)co;
	*lineno = PyFrame_GetLineNumber(f);
	size_t extras = 0;
	if (co) {
		Py_ssize_t ncells =
		    co->co_cellvars ? PyTuple_GET_SIZE(co->co_cellvars) : 0;
		Py_ssize_t nfrees =
		    co->co_freevars ? PyTuple_GET_SIZE(co->co_freevars) : 0;
		extras = (size_t)(co->co_stacksize + co->co_nlocals + ncells +
				  nfrees);
	}
	*size = sizeof(PyFrameObject) +
		(extras ? extras - 1 : 0) * sizeof(PyObject *);
#endif
}

/* ---- generators -------------------------------------------------------- */

#if PYGE311
static iframe_t *gen_iframe(PyGenObject *g)
{
	return (iframe_t *)&g->gi_iframe; /* an array of one before 3.14 */
}
#endif

int mt_py_is_gen(PyObject *o)
{
	return PyGen_Check(o) || PyCoro_CheckExact(o) ||
	       PyAsyncGen_CheckExact(o);
}

void mt_py_gen_edges(mt_walk *w, PyObject *o)
{
	PyGenObject *g = (PyGenObject *)o;
	const char *p = PyGen_Check(o)	       ? "gi"
			: PyCoro_CheckExact(o) ? "cr"
					       : "ag";
	char name[32];
#define GEN_ATTR(suffix, obj)                                                  \
	do {                                                                   \
		snprintf(name, sizeof(name), "%s_%s", p, suffix);              \
		MT_ATTR(w, name, obj);                                         \
	} while (0)
	GEN_ATTR("name", g->gi_name);
	GEN_ATTR("qualname", g->gi_qualname);
#if PYGE311
	if (g->gi_frame_state < FRAME_COMPLETED) {
		iframe_t *f = gen_iframe(g);
		snprintf(name, sizeof(name), "%s_frame", p);
		mt_edge_name(w, MT_REL_ATTR, name, iframe_ref(f));
	}
#if PY311
	GEN_ATTR("code", g->gi_code);
#else
	GEN_ATTR("code", iframe_code(gen_iframe(g)));
#endif
	MT_IATTR(w, "gi_exc_state.exc_value", g->gi_exc_state.exc_value);
	/* only coroutines and async generators initialise this field */
	if (!PyGen_Check(o))
		MT_IATTR(w, "origin_or_finalizer", g->gi_origin_or_finalizer);
#else
	GEN_ATTR("frame", g->gi_frame);
	GEN_ATTR("code", g->gi_code);
	MT_IATTR(w, "gi_exc_state.exc_type", g->gi_exc_state.exc_type);
	MT_IATTR(w, "gi_exc_state.exc_value", g->gi_exc_state.exc_value);
	MT_IATTR(w, "gi_exc_state.exc_traceback",
		 g->gi_exc_state.exc_traceback);
#endif
#undef GEN_ATTR
}

size_t mt_py_gen_size(PyObject *o)
{
#if PYGE311
	PyGenObject *g = (PyGenObject *)o;
	PyCodeObject *co;
#if PY311
	co = g->gi_code;
#else
	co = iframe_code(gen_iframe(g));
#endif
	if (!co)
		return (size_t)Py_TYPE(o)->tp_basicsize;
	return offsetof(PyGenObject, gi_iframe) +
	       offsetof(iframe_t, localsplus) + iframe_slots_size(co);
#else
	return (size_t)Py_TYPE(o)->tp_basicsize;
#endif
}

/* ---- code -------------------------------------------------------------- */

void mt_py_code_edges(mt_walk *w, PyObject *o)
{
	PyCodeObject *co = (PyCodeObject *)o;
	MT_ATTR(w, "co_consts", co->co_consts);
	MT_ATTR(w, "co_names", co->co_names);
	MT_ATTR(w, "co_filename", co->co_filename);
	MT_ATTR(w, "co_name", co->co_name);
#if PYGE311
	MT_ATTR(w, "co_qualname", co->co_qualname);
	MT_ATTR(w, "co_exceptiontable", co->co_exceptiontable);
	MT_IATTR(w, "co_localsplusnames", co->co_localsplusnames);
	MT_IATTR(w, "co_localspluskinds", co->co_localspluskinds);
	MT_ATTR(w, "co_linetable", co->co_linetable);
#if PY311
	MT_IATTR(w, "_co_code", co->_co_code);
#else
	if (co->_co_cached) {
		MT_IATTR(w, "_co_code", co->_co_cached->_co_code);
		MT_IATTR(w, "_co_varnames", co->_co_cached->_co_varnames);
		MT_IATTR(w, "_co_cellvars", co->_co_cached->_co_cellvars);
		MT_IATTR(w, "_co_freevars", co->_co_cached->_co_freevars);
	}
#endif
#else
	MT_ATTR(w, "co_code", co->co_code);
	MT_ATTR(w, "co_varnames", co->co_varnames);
	MT_ATTR(w, "co_freevars", co->co_freevars);
	MT_ATTR(w, "co_cellvars", co->co_cellvars);
#if PY39
	MT_ATTR(w, "co_lnotab", co->co_lnotab);
#else
	MT_ATTR(w, "co_linetable", co->co_linetable);
#endif
	/* co_zombieframe is a dead frame kept for reuse (refcnt 0, stale
	 * f_back/f_globals): not an object, never followed. */
#endif
}

size_t mt_py_code_size(PyObject *o)
{
	PyCodeObject *co = (PyCodeObject *)o;
#if PYGE311
	/* _PyObject_VAR_SIZE: rounded up to a pointer */
	size_t res = (size_t)Py_TYPE(o)->tp_basicsize +
		     (size_t)Py_SIZE(o) * (size_t)Py_TYPE(o)->tp_itemsize;
	res = (res + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
#else
	size_t res = (size_t)Py_TYPE(o)->tp_basicsize;
	if (co->co_cell2arg != NULL && co->co_cellvars != NULL)
		res += (size_t)PyTuple_GET_SIZE(co->co_cellvars) *
		       sizeof(Py_ssize_t);
#endif
	(void)co;
	return res;
}

/* ---- functions ----------------------------------------------------------- */

void mt_py_func_edges(mt_walk *w, PyObject *o)
{
	PyFunctionObject *f = (PyFunctionObject *)o;
	MT_ATTR(w, "__code__", f->func_code);
	MT_ATTR(w, "__globals__", f->func_globals);
#if PY_VERSION_HEX >= 0x030A0000
	MT_ATTR(w, "__builtins__", f->func_builtins);
#endif
	MT_ATTR(w, "__name__", f->func_name);
	MT_ATTR(w, "__qualname__", f->func_qualname);
	MT_ATTR(w, "__module__", f->func_module);
	MT_ATTR(w, "__doc__", f->func_doc);
	MT_ATTR(w, "__defaults__", f->func_defaults);
	MT_ATTR(w, "__kwdefaults__", f->func_kwdefaults);
	MT_ATTR(w, "__closure__", f->func_closure);
	MT_ATTR(w, "__dict__", f->func_dict);
	MT_ATTR(w, "__annotations__", f->func_annotations);
#if PYGE312
	MT_ATTR(w, "__type_params__", f->func_typeparams);
#endif
}

/* ---- dict keys tables -------------------------------------------------- */

#if !PYGE311
/* Objects/dict-common.h of 3.9 and 3.10 (not installed). */
typedef struct {
	Py_hash_t me_hash;
	PyObject *me_key;
	PyObject *me_value;
} keyentry_310;
typedef struct {
	Py_ssize_t dk_refcnt;
	Py_ssize_t dk_size;
	void *dk_lookup;
	Py_ssize_t dk_usable;
	Py_ssize_t dk_nentries;
	char dk_indices[];
} keys_310;

static size_t ixsize_310(Py_ssize_t size)
{
	return size <= 0xff	      ? 1
	       : size <= 0xffff	      ? 2
	       : size <= 0xffffffffLL ? 4
				      : 8;
}

static size_t keys_size(PyDictKeysObject *k)
{
	keys_310 *dk = (keys_310 *)k;
	return sizeof(keys_310) +
	       ixsize_310(dk->dk_size) * (size_t)dk->dk_size +
	       (size_t)((dk->dk_size << 1) / 3) * sizeof(keyentry_310);
}

static void keys_foreach(PyDictKeysObject *k, void (*cb)(void *, PyObject *),
			 void *arg)
{
	keys_310 *dk = (keys_310 *)k;
	keyentry_310 *e =
	    (keyentry_310 *)(dk->dk_indices +
			     ixsize_310(dk->dk_size) * (size_t)dk->dk_size);
	for (Py_ssize_t i = 0; i < dk->dk_nentries; i++)
		if (e[i].me_key)
			cb(arg, e[i].me_key);
}
#else
static size_t keys_size(PyDictKeysObject *k)
{
	size_t es = k->dk_kind == DICT_KEYS_GENERAL
			? sizeof(PyDictKeyEntry)
			: sizeof(PyDictUnicodeEntry);
	size_t n = (size_t)1 << k->dk_log2_size;
	return sizeof(PyDictKeysObject) +
	       ((size_t)1 << k->dk_log2_index_bytes) + ((n << 1) / 3) * es;
}

static void keys_foreach(PyDictKeysObject *k, void (*cb)(void *, PyObject *),
			 void *arg)
{
	void *entries =
	    (char *)k->dk_indices + ((size_t)1 << k->dk_log2_index_bytes);
	for (Py_ssize_t i = 0; i < k->dk_nentries; i++) {
		PyObject *key = k->dk_kind == DICT_KEYS_GENERAL
				    ? ((PyDictKeyEntry *)entries)[i].me_key
				    : ((PyDictUnicodeEntry *)entries)[i].me_key;
		if (key)
			cb(arg, key);
	}
}
#endif

/* ---- types ------------------------------------------------------------- */

#if PYGE312
/* tp_subclasses of a static builtin type is an index into per-interpreter
 * state (typeobject.c: managed/static_builtin_index_get); each state entry
 * records its type, which we check before trusting the index. */
static PyObject *static_subclasses(PyTypeObject *t)
{
	size_t idx = (size_t)(uintptr_t)t->tp_subclasses;
	if (idx == 0)
		return NULL;
	idx -= 1;
	PyInterpreterState *interp = PyInterpreterState_Get();
#if PY312
	if (!(t->tp_flags & _Py_TPFLAGS_STATIC_BUILTIN) ||
	    idx >= _Py_MAX_STATIC_BUILTIN_TYPES)
		return NULL;
	static_builtin_state *st = &interp->types.builtins[idx];
#else
	managed_static_type_state *st;
	if (t->tp_flags & _Py_TPFLAGS_STATIC_BUILTIN) {
		if (idx >= _Py_MAX_MANAGED_STATIC_BUILTIN_TYPES)
			return NULL;
		st = &interp->types.builtins.initialized[idx];
	} else {
		if (idx >= _Py_MAX_MANAGED_STATIC_EXT_TYPES)
			return NULL;
		st = &interp->types.for_extensions.initialized[idx];
	}
#endif
	if (st->type != t)
		return NULL;
	return st->tp_subclasses;
}
#endif

static PyObject *type_subclasses(PyTypeObject *t)
{
#if PYGE312
	if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE) &&
	    (uintptr_t)t->tp_subclasses < 4096)
		return static_subclasses(t);
	return (PyObject *)t->tp_subclasses;
#else
	return t->tp_subclasses;
#endif
}

static void cached_key_cb(void *arg, PyObject *key)
{
	MT_IATTR((mt_walk *)arg, "ht_cached_keys", key);
}

void mt_py_type_edges(mt_walk *w, PyTypeObject *t)
{
#if PYGE312
	PyObject *d = PyType_GetDict(t); /* new ref; the type keeps it alive */
	Py_XDECREF(d);
	if (!d)
		PyErr_Clear();
	MT_ATTR(w, "__dict__", d);
#else
	MT_ATTR(w, "__dict__", t->tp_dict);
#endif
	MT_ATTR(w, "__mro__", t->tp_mro);
	MT_ATTR(w, "__bases__", t->tp_bases);
	MT_ATTR(w, "__base__", (PyObject *)t->tp_base);
	MT_IATTR(w, "tp_subclasses", type_subclasses(t));
	if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE))
		return;
	PyHeapTypeObject *ht = (PyHeapTypeObject *)t;
	MT_ATTR(w, "__name__", ht->ht_name);
	MT_ATTR(w, "__qualname__", ht->ht_qualname);
	MT_ATTR(w, "__slots__", ht->ht_slots);
	MT_IATTR(w, "ht_module", ht->ht_module);
	if (ht->ht_cached_keys)
		keys_foreach(ht->ht_cached_keys, cached_key_cb, w);
}

size_t mt_py_type_size(PyTypeObject *t)
{
	if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE))
		return sizeof(PyTypeObject);
	PyHeapTypeObject *ht = (PyHeapTypeObject *)t;
	size_t s = sizeof(PyHeapTypeObject);
	if (ht->ht_cached_keys)
		s += keys_size(ht->ht_cached_keys);
	return s;
}

/* ---- instance dicts ------------------------------------------------------ */

int mt_py_instance_dict(PyObject *o, PyObject **dict)
{
	PyTypeObject *tp = Py_TYPE(o);
	*dict = NULL;
#if PYGE311
	if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) {
#if PY311
		PyObject *d = *_PyObject_ManagedDictPointer(o);
		if (d) {
			*dict = d;
			return MT_IDICT_REAL;
		}
		return *_PyObject_ValuesPointer(o) ? MT_IDICT_VIRTUAL
						   : MT_IDICT_NONE;
#elif PY312
		PyDictOrValues dorv = *_PyObject_DictOrValuesPointer(o);
		if (_PyDictOrValues_IsValues(dorv))
			return _PyDictOrValues_GetValues(dorv)
				   ? MT_IDICT_VIRTUAL
				   : MT_IDICT_NONE;
		*dict = _PyDictOrValues_GetDict(dorv);
		return *dict ? MT_IDICT_REAL : MT_IDICT_NONE;
#else
		PyDictObject *d = _PyObject_ManagedDictPointer(o)->dict;
		if (d) {
			*dict = (PyObject *)d;
			return MT_IDICT_REAL;
		}
		if ((tp->tp_flags & Py_TPFLAGS_INLINE_VALUES) &&
		    _PyObject_InlineValues(o)->valid)
			return MT_IDICT_VIRTUAL;
		return MT_IDICT_NONE;
#endif
	}
#endif
	if (tp->tp_dictoffset == 0)
		return MT_IDICT_NONE;
	/* Not a managed dict: _PyObject_GetDictPtr only computes the slot
	 * address (tp_dictoffset, negative offsets from the object end). */
	PyObject **p = _PyObject_GetDictPtr(o);
	if (p && *p) {
		*dict = *p;
		return MT_IDICT_REAL;
	}
	return MT_IDICT_NONE;
}

#if PYGE311
static PyDictValues *inline_values(PyObject *o)
{
#if PY311
	return *_PyObject_ValuesPointer(o);
#elif PY312
	return _PyDictOrValues_GetValues(*_PyObject_DictOrValuesPointer(o));
#else
	return _PyObject_InlineValues(o);
#endif
}
#endif

void mt_py_vdict_foreach(PyObject *o,
			 void (*cb)(void *arg, PyObject *key, PyObject *value),
			 void *arg)
{
#if PYGE311
	PyDictValues *values = inline_values(o);
	PyDictKeysObject *keys =
	    ((PyHeapTypeObject *)Py_TYPE(o))->ht_cached_keys;
	if (!values || !keys || keys->dk_kind == DICT_KEYS_GENERAL)
		return;
	PyDictUnicodeEntry *ent = DK_UNICODE_ENTRIES(keys);
#if PYGE313
	int n = values->size;
	uint8_t *order = get_insertion_order_array(values);
#else
	int n = ((uint8_t *)values)[-2];
	uint8_t *order = NULL;
#endif
	for (int i = 0; i < n; i++) {
#if PYGE313
		int ix = order[i];
#else
		int ix = ((uint8_t *)values)[-3 - i];
#endif
		if (ix >= keys->dk_nentries)
			continue;
		PyObject *v = values->values[ix];
		if (v && ent[ix].me_key)
			cb(arg, ent[ix].me_key, v);
	}
	(void)order;
#else
	(void)o;
	(void)cb;
	(void)arg;
#endif
}

const void *mt_py_vdict_values(PyObject *o)
{
#if PYGE311
	return inline_values(o);
#else
	(void)o;
	return NULL;
#endif
}

static void count_cb(void *arg, PyObject *k, PyObject *v)
{
	(void)k;
	(void)v;
	(*(Py_ssize_t *)arg)++;
}

Py_ssize_t mt_py_vdict_len(PyObject *o)
{
	Py_ssize_t n = 0;
	mt_py_vdict_foreach(o, count_cb, &n);
	return n;
}

size_t mt_py_vdict_size(PyObject *o)
{
#if PYGE313
	PyDictValues *v = inline_values(o);
	size_t cap = v->capacity;
	return ((cap + sizeof(PyObject *) - 1) & ~(sizeof(PyObject *) - 1)) +
	       (cap + 1) * sizeof(PyObject *);
#elif PYGE311
	/* new_values(size): prefix = round_up(size + 2, 8) bytes (stored in
	 * byte [-1]), then size pointers.  size is the keys' usable size when
	 * the instance was made; it shrinks with each new instance until it
	 * reaches the steady state, so use the current one when it agrees with
	 * the prefix, else the largest size the prefix allows (at most 7
	 * pointers too many, only for a class's first ~30 instances). */
	PyDictKeysObject *keys =
	    ((PyHeapTypeObject *)Py_TYPE(o))->ht_cached_keys;
	if (!keys)
		return 0;
	size_t usable = (size_t)(keys->dk_nentries + keys->dk_usable);
	size_t prefix = ((uint8_t *)inline_values(o))[-1];
	if (((usable + 2 + 7) & ~(size_t)7) != prefix && prefix >= 2)
		usable = prefix - 2;
	return prefix + usable * sizeof(PyObject *);
#else
	(void)o;
	return 0;
#endif
}

/* ---- sizes ------------------------------------------------------------- */

size_t mt_py_dict_size(PyObject *d)
{
	return (size_t)_PyDict_SizeOf((PyDictObject *)d);
}

size_t mt_py_long_size(PyObject *o)
{
	const void *digits;
	size_t n;
	int neg, db, shift;
	mt_py_long_digits(o, &digits, &n, &neg, &db, &shift);
#if PYGE312
	if (n < 1)
		n = 1;
	return offsetof(PyLongObject, long_value.ob_digit) + n * sizeof(digit);
#elif PY311
	if (n < 1)
		n = 1;
	return offsetof(PyLongObject, ob_digit) + n * sizeof(digit);
#else
	return offsetof(PyLongObject, ob_digit) + n * sizeof(digit);
#endif
}

void mt_py_long_digits(PyObject *o, const void **digits, size_t *n,
		       int *negative, int *digit_bytes, int *shift)
{
	PyLongObject *l = (PyLongObject *)o;
#if PYGE312
	*digits = l->long_value.ob_digit;
	*n = (size_t)(l->long_value.lv_tag >> _PyLong_NON_SIZE_BITS);
	*negative = (l->long_value.lv_tag & 3) == 2;
#else
	Py_ssize_t s = Py_SIZE(o);
	*digits = l->ob_digit;
	*n = (size_t)(s < 0 ? -s : s);
	*negative = s < 0;
#endif
	*digit_bytes = (int)sizeof(digit);
	*shift = PyLong_SHIFT;
}

size_t mt_py_str_size(PyObject *s)
{
	size_t size;
	Py_ssize_t len = PyUnicode_GET_LENGTH(s);
	PyASCIIObject *a = (PyASCIIObject *)s;
	PyCompactUnicodeObject *c = (PyCompactUnicodeObject *)s;
	int kind = (int)a->state.kind;
	if (a->state.compact && a->state.ascii)
		size = sizeof(PyASCIIObject) + (size_t)len + 1;
	else if (a->state.compact)
		size = sizeof(PyCompactUnicodeObject) +
		       (size_t)(len + 1) * (size_t)kind;
	else {
		size = sizeof(PyUnicodeObject);
		if (((PyUnicodeObject *)s)->data.any)
			size += (size_t)(len + 1) * (size_t)kind;
	}
	const void *data = NULL;
	if (a->state.compact)
		data = a->state.ascii ? (const void *)(a + 1)
				      : (const void *)(c + 1);
	else
		data = ((PyUnicodeObject *)s)->data.any;
#if !PYGE312
	if (a->wstr && (!a->state.ready || (const void *)a->wstr != data)) {
		size_t wl = (a->state.compact && a->state.ascii)
				? (size_t)a->length
				: (size_t)c->wstr_length;
		size += (wl + 1) * sizeof(wchar_t);
	}
#endif
	if (!(a->state.compact && a->state.ascii) && c->utf8 &&
	    (const void *)c->utf8 != data)
		size += (size_t)c->utf8_length + 1;
	return size;
}

size_t mt_py_module_size(PyObject *m)
{
	size_t s = (size_t)Py_TYPE(m)->tp_basicsize;
	PyModuleDef *def = PyModule_GetDef(m);
	if (!def)
		PyErr_Clear();
	else if (def->m_size > 0)
		s += (size_t)def->m_size;
	return s;
}

/* ---- roots -------------------------------------------------------------- */

static void root(mt_walk *w, const char *name, PyObject *o)
{
	mt_edge_name(w, MT_REL_ROOT, name, (mt_ref)(uintptr_t)o);
}

static void troot(mt_walk *w, unsigned long tid, const char *member,
		  mt_ref target)
{
	char name[96];
	if (!target)
		return;
	snprintf(name, sizeof(name), "i0_t%lu_%s", tid, member);
	mt_edge_name(w, MT_REL_ROOT, name, target);
}

#define TROOT(w, tid, member, obj)                                             \
	troot((w), (tid), (member), (mt_ref)(uintptr_t)(obj))

void mt_py_roots(mt_walk *w)
{
	PyInterpreterState *in = PyInterpreterState_Get();
#if PY311
	collect_saved_sp(in);
#endif
#if PYGE312
	root(w, "i0_modules", in->imports.modules);
	root(w, "i0_importlib", in->imports.importlib);
	root(w, "i0_import_func", in->imports.import_func);
#else
	root(w, "i0_modules", in->modules);
	root(w, "i0_importlib", in->importlib);
	root(w, "i0_import_func", in->import_func);
#endif
	root(w, "i0_sysdict", in->sysdict);
	root(w, "i0_builtins", in->builtins);
#if PYGE313
	root(w, "i0_codec_search_path", in->codecs.search_path);
	root(w, "i0_codec_search_cache", in->codecs.search_cache);
	root(w, "i0_codec_error_registry", in->codecs.error_registry);
#else
	root(w, "i0_codec_search_path", in->codec_search_path);
	root(w, "i0_codec_search_cache", in->codec_search_cache);
	root(w, "i0_codec_error_registry", in->codec_error_registry);
#endif
	root(w, "i0_dict", in->dict);
#if PYGE312
	root(w, "i0_sysdict_copy", in->sysdict_copy);
#endif
	root(w, "i0_builtins_copy", in->builtins_copy);
	root(w, "i0_audit_hooks", in->audit_hooks);
	root(w, "i0_before_forkers", in->before_forkers);
	root(w, "i0_after_forkers_parent", in->after_forkers_parent);
	root(w, "i0_after_forkers_child", in->after_forkers_child);

	for (PyThreadState *ts = PyInterpreterState_ThreadHead(in); ts;
	     ts = PyThreadState_Next(ts)) {
		unsigned long tid = ts->thread_id;
#if PYGE313
		troot(w, tid, "f0",
		      iframe_ref(first_complete(ts->current_frame)));
#elif PYGE311
		troot(w, tid, "f0",
		      iframe_ref(first_complete(
			  ts->cframe ? ts->cframe->current_frame : NULL)));
#else
		TROOT(w, tid, "f0", ts->frame);
#endif
		TROOT(w, tid, "dict", ts->dict);
		TROOT(w, tid, "async_exc", ts->async_exc);
		TROOT(w, tid, "context", ts->context);
		TROOT(w, tid, "c_profileobj", ts->c_profileobj);
		TROOT(w, tid, "c_traceobj", ts->c_traceobj);
		TROOT(w, tid, "async_gen_firstiter", ts->async_gen_firstiter);
		TROOT(w, tid, "async_gen_finalizer", ts->async_gen_finalizer);
#if PYGE312
		TROOT(w, tid, "current_exception", ts->current_exception);
#else
		TROOT(w, tid, "curexc_type", ts->curexc_type);
		TROOT(w, tid, "curexc_value", ts->curexc_value);
		TROOT(w, tid, "curexc_traceback", ts->curexc_traceback);
#endif
#if PYGE311
		TROOT(w, tid, "exc_value", ts->exc_state.exc_value);
#else
		TROOT(w, tid, "exc_type", ts->exc_state.exc_type);
		TROOT(w, tid, "exc_value", ts->exc_state.exc_value);
		TROOT(w, tid, "exc_traceback", ts->exc_state.exc_traceback);
#endif
	}
}

/* ---- thread names ------------------------------------------------------ */

/* The exact str key `name` in dict d, compared in C (no __eq__ can run). */
static int is_key(PyObject *k, const char *name)
{
	return k && PyUnicode_CheckExact(k) &&
	       PyUnicode_CompareWithASCIIString(k, name) == 0;
}

static PyObject *dict_find(PyObject *d, const char *name)
{
	Py_ssize_t pos = 0;
	PyObject *k, *v;
	if (!d || !PyDict_Check(d))
		return NULL;
	while (PyDict_Next(d, &pos, &k, &v))
		if (is_key(k, name))
			return v;
	return NULL;
}

static void name_cb(void *arg, PyObject *k, PyObject *v)
{
	PyObject **out = arg;
	if (!*out && is_key(k, "_name"))
		*out = v;
}

/* A Thread's `_name`, read from its instance dict or inline values without
 * materialising a dict: an exact str or NULL. */
static PyObject *thread_name(PyObject *t)
{
	PyObject *d, *v = NULL;
	switch (mt_py_instance_dict(t, &d)) {
	case MT_IDICT_REAL:
		v = dict_find(d, "_name");
		break;
	case MT_IDICT_VIRTUAL:
		mt_py_vdict_foreach(t, name_cb, &v);
		break;
	default:
		break;
	}
	return v && PyUnicode_CheckExact(v) ? v : NULL;
}

size_t mt_py_thread_names(mt_thread_name **out)
{
	PyInterpreterState *in = PyInterpreterState_Get();
	size_t n = 0, cap = 0;
	*out = NULL;
#if PYGE312
	PyObject *mods = in->imports.modules;
#else
	PyObject *mods = in->modules;
#endif
	PyObject *th = dict_find(mods, "threading");
	PyObject *active = th && PyModule_Check(th)
			       ? dict_find(PyModule_GetDict(th), "_active")
			       : NULL;
	for (PyThreadState *ts = PyInterpreterState_ThreadHead(in); ts;
	     ts = PyThreadState_Next(ts)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			mt_thread_name *m = realloc(*out, cap * sizeof *m);
			if (!m)
				break; /* then fewer names, that is all */
			*out = m;
		}
		mt_thread_name *t = &(*out)[n++];
		t->id = (uint64_t)ts->thread_id;
		t->name = NULL;
		Py_ssize_t pos = 0;
		PyObject *k, *v, *name = NULL;
		while (active && PyDict_Check(active) &&
		       PyDict_Next(active, &pos, &k, &v)) {
			if (!PyLong_CheckExact(k))
				continue;
			/* no exception for any exact int: the low bits */
			if (PyLong_AsUnsignedLongMask(k) == ts->thread_id) {
				name = thread_name(v);
				break;
			}
		}
		if (name) {
			char buf[256];
			size_t len = mt_str_utf8(name, buf, sizeof buf - 1);
			char *c = malloc(len + 1);
			if (c) {
				memcpy(c, buf, len);
				c[len] = '\0';
				t->name = c;
			}
		}
	}
	return n;
}

void mt_py_thread_names_free(mt_thread_name *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((void *)t[i].name);
	free(t);
}

#endif /* MT_PY_LAYOUT_KNOWN */

/* ---- which interpreters this build may walk ------------------------------ */

/* Checks the interpreter's debug offsets (3.13+: the offsets CPython
 * publishes for out-of-process debuggers, _PyRuntime.debug_offsets) against
 * the headers this module was compiled with, for the structures the walker
 * reads.  A patch release that moved one of them is refused instead of
 * misread.  `skew` (test hook) pretends the first one moved. */
static const char *layout_refusal(int skew, char *why, size_t n)
{
#if MT_PY_LAYOUT_KNOWN && PY_VERSION_HEX >= 0x030D0000
	const _Py_DebugOffsets *d = &_PyRuntime.debug_offsets;
#define OFF(what, field, type, member)                                         \
	{what, d->field, offsetof(type, member)}
#define SIZE(what, field, type) {what, d->field, sizeof(type)}
	const struct {
		const char *what;
		uint64_t running, built;
	} t[] = {
	    SIZE("the interpreter frame", interpreter_frame.size,
		 _PyInterpreterFrame),
	    OFF("the interpreter frame", interpreter_frame.previous,
		_PyInterpreterFrame, previous),
	    OFF("the interpreter frame", interpreter_frame.executable,
		_PyInterpreterFrame, f_executable),
	    OFF("the interpreter frame", interpreter_frame.localsplus,
		_PyInterpreterFrame, localsplus),
	    OFF("the interpreter frame", interpreter_frame.owner,
		_PyInterpreterFrame, owner),
	    OFF("the thread state", thread_state.current_frame, PyThreadState,
		current_frame),
	    OFF("the thread state", thread_state.thread_id, PyThreadState,
		thread_id),
	    OFF("the interpreter state", interpreter_state.threads_head,
		PyInterpreterState, threads.head),
	    OFF("the interpreter state", interpreter_state.gc,
		PyInterpreterState, gc),
	    OFF("the interpreter state", interpreter_state.imports_modules,
		PyInterpreterState, imports.modules),
	    OFF("the interpreter state", interpreter_state.sysdict,
		PyInterpreterState, sysdict),
	    OFF("the interpreter state", interpreter_state.builtins,
		PyInterpreterState, builtins),
	    SIZE("the GC state", gc.size, struct _gc_runtime_state),
	    SIZE("code objects", code_object.size, PyCodeObject),
	    OFF("code objects", code_object.localsplusnames, PyCodeObject,
		co_localsplusnames),
	    OFF("code objects", code_object.co_code_adaptive, PyCodeObject,
		co_code_adaptive),
	    SIZE("objects", pyobject.size, PyObject),
	    SIZE("type objects", type_object.size, PyTypeObject),
	    OFF("type objects", type_object.tp_flags, PyTypeObject, tp_flags),
	    OFF("dicts", dict_object.ma_values, PyDictObject, ma_values),
	    OFF("ints", long_object.lv_tag, PyLongObject, long_value.lv_tag),
	    OFF("ints", long_object.ob_digit, PyLongObject,
		long_value.ob_digit),
	    OFF("strs", unicode_object.length, PyASCIIObject, length),
	    SIZE("strs", unicode_object.asciiobject_size, PyASCIIObject),
	};
#undef OFF
#undef SIZE
	if (memcmp(d->cookie, "xdebugpy", 8) != 0) {
		snprintf(why, n,
			 "memtrack cannot check the memory layout of CPython "
			 "%.20s: it publishes no debug offsets",
			 Py_GetVersion());
		return why;
	}
	if (d->free_threaded) {
		snprintf(why, n,
			 "memtrack does not support free-threaded CPython "
			 "(%.20s): its walk relies on the GIL",
			 Py_GetVersion());
		return why;
	}
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t built = t[i].built + (skew && i == 0 ? 8 : 0);
		if (t[i].running == built)
			continue;
		snprintf(why, n,
			 "memtrack was built with the headers of CPython %s, "
			 "whose layout of %s differs from the running %.20s "
			 "(debug offset %zu: %llu, not %llu): rebuild it for "
			 "this interpreter",
			 PY_VERSION, t[i].what, Py_GetVersion(), i,
			 (unsigned long long)t[i].running,
			 (unsigned long long)built);
		return why;
	}
#else
	(void)skew;
	(void)why;
	(void)n;
#endif
	return NULL;
}

/* The reason to refuse an interpreter: built for `built` (PY_VERSION_HEX),
 * free-threaded or not, running `running` (Py_GetVersion(): "3.14.0 (main,
 * ...").  NULL when the versions are fine. */
static const char *version_refusal(unsigned long built, int free_threaded,
				   const char *running, char *why, size_t n)
{
	int bmaj = (int)(built >> 24), bmin = (int)((built >> 16) & 0xff);
	int rmaj = 0, rmin = 0;
	int rlen = (int)strcspn(running, " ");
	if (rlen > 20)
		rlen = 20;
	if (free_threaded) {
		snprintf(why, n,
			 "memtrack does not support free-threaded CPython "
			 "(%.*s, Py_GIL_DISABLED): its walk relies on the GIL "
			 "and the GC header of default builds",
			 rlen, running);
		return why;
	}
	if (built < 0x03090000UL || built >= 0x030F0000UL) {
		snprintf(why, n,
			 "memtrack was built for CPython %d.%d, whose memory "
			 "layout it does not know (it reads 3.9 to 3.14)",
			 bmaj, bmin);
		return why;
	}
	if (sscanf(running, "%d.%d", &rmaj, &rmin) != 2 || rmaj != bmaj ||
	    rmin != bmin) {
		snprintf(why, n,
			 "memtrack was built for CPython %d.%d but runs on "
			 "%.*s, whose memory layout differs: rebuild it for "
			 "this interpreter",
			 bmaj, bmin, rlen, running);
		return why;
	}
	return NULL;
}

const char *mt_py_refusal(void)
{
	static char why[320];
#ifdef Py_GIL_DISABLED
	const int free_threaded = 1;
#else
	const int free_threaded = 0;
#endif
	const char *r = version_refusal(PY_VERSION_HEX, free_threaded,
					Py_GetVersion(), why, sizeof(why));
	if (!r)
		r = layout_refusal(0, why, sizeof(why));
	const char *test = getenv("MEMTRACK_TEST_REFUSE");
	if (r || !test || !*test)
		return r;
	/* tests only: pretend another build or interpreter */
	unsigned long built = PY_VERSION_HEX;
	const char *running = Py_GetVersion();
	int ft = 0;
	if (!strncmp(test, "built=", 6))
		built = strtoul(test + 6, NULL, 0);
	else if (!strncmp(test, "running=", 8))
		running = test + 8;
	else if (!strcmp(test, "free-threaded"))
		ft = 1;
	else if (!strcmp(test, "layout"))
		return layout_refusal(1, why, sizeof(why));
	return version_refusal(built, ft, running, why, sizeof(why));
}
