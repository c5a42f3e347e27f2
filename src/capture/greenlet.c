/* Suspended greenlets' frames (greenlet.h).
 *
 * greenlet (2.x and 3.x; greenlet.h, "does not change") lays a greenlet out
 * as PyObject_HEAD, weakreflist, dict and a pointer to its C++ state.  That
 * state holds the top frame of a suspended greenlet as a frame object (the
 * greenlet creates it when it switches away: PythonState::operator<< calls
 * PyThreadState_GetFrame) and greenlet's tp_traverse does not visit it.
 * memtrack does not read the C++ state: it calls the `gr_frame` getter of
 * the type greenlet.greenlet, taken from that type's tp_getset (not looked
 * up by name on the object, so a subclass cannot put Python code there),
 * which returns the saved frame with a new reference, or None for a
 * greenlet that runs (its frames are on its thread's chain), has not
 * started or has finished.  That getter is C (green_getframe in 2.0.2's
 * greenlet.cpp: `top_frame.acquire_or_None()`), runs no Python code and
 * creates nothing.  The frame's f_back chain (frame objects, or the
 * interpreter frames of the greenlet's own data stack, which end the
 * chain with NULL: a new greenlet starts with no frame) is then walked by
 * the frame visitor like any other.
 *
 * Refused, so the greenlet is walked as before (no `gr_frame` edge):
 * - Python 3.12+: a greenlet's frame chain passes through the entry frame
 *   that _PyEval_EvalFrameDefault keeps on the C stack, and a suspended
 *   greenlet's C stack is copied away and its addresses reused by the
 *   running one, so following f_back there would read garbage;
 * - a greenlet type whose size is not the 4 words of greenlet.h's
 *   PyGreenlet (greenlet 0.4 and 1.x), or a module __version__ whose major
 *   is not 2 or 3, or no `gr_frame` getter.
 * doc/capture.md ("Greenlets") says the same.
 */
#include "config.h"

#include "greenlet.h"
#include "pyint.h"

/* Compiled where walk.c's walker is (the edge sink lives there). */
#if defined(MT_PY_LAYOUT_KNOWN)
#define MT_GREENLET_ON MT_PY_LAYOUT_KNOWN
#elif defined(Py_GIL_DISABLED) /* free-threaded builds: see module.c */
#define MT_GREENLET_ON 0
#else
#define MT_GREENLET_ON 1
#endif

#if MT_GREENLET_ON

#include <string.h>

#include <frameobject.h>

/* greenlet.h's PyGreenlet, to check the type's size */
typedef struct {
	PyObject_HEAD
	PyObject *weakreflist;
	PyObject *dict;
	void *pimpl;
} mt_pygreenlet;

#if PY_VERSION_HEX < 0x030C0000
/* The accepted base type (a strong reference: it can never be freed and
 * its address reused) and its getter; set once. */
static PyTypeObject *g_type;
static getter g_getframe;
/* A base named greenlet.greenlet that was refused (borrowed, compared
 * only: a refused type is checked again if it went away and another took
 * its address, which is harmless). */
static PyTypeObject *g_refused;

/* Module attribute `name` of sys.modules[mod] as a str, without creating
 * anything (no PyDict_GetItemString: that makes a str). */
static PyObject *module_attr(const char *mod, const char *name)
{
	PyObject *mods = PyImport_GetModuleDict(), *k, *v, *m = NULL;
	Py_ssize_t pos = 0;
	if (!mods || !PyDict_Check(mods))
		return NULL;
	while (PyDict_Next(mods, &pos, &k, &v))
		if (PyUnicode_Check(k) &&
		    PyUnicode_CompareWithASCIIString(k, mod) == 0) {
			m = v;
			break;
		}
	if (!m || !PyModule_Check(m))
		return NULL;
	PyObject *d = PyModule_GetDict(m);
	if (!d || !PyDict_Check(d))
		return NULL;
	pos = 0;
	while (PyDict_Next(d, &pos, &k, &v))
		if (PyUnicode_Check(k) &&
		    PyUnicode_CompareWithASCIIString(k, name) == 0)
			return v;
	return NULL;
}

/* Whether greenlet's __version__ has major 2 or 3. */
static int version_known(void)
{
	PyObject *v = module_attr("greenlet", "__version__");
	char buf[16];
	size_t n;
	if (!v || !PyUnicode_Check(v))
		return 0;
	n = mt_str_utf8(v, buf, sizeof buf - 1);
	buf[n] = 0;
	return (buf[0] == '2' || buf[0] == '3') && buf[1] == '.';
}

/* Checks the base type t named greenlet.greenlet once. */
static int accept(PyTypeObject *t)
{
	if (t == g_type)
		return 1;
	if (t == g_refused || g_type)
		return 0;
	g_refused = t;
	if (t->tp_basicsize != (Py_ssize_t)sizeof(mt_pygreenlet) ||
	    !t->tp_getset || !version_known())
		return 0;
	for (PyGetSetDef *gs = t->tp_getset; gs->name; gs++)
		if (!strcmp(gs->name, "gr_frame") && gs->get) {
			g_getframe = gs->get;
			g_type = t;
			Py_INCREF(t);
			g_refused = NULL;
			return 1;
		}
	return 0;
}
#endif

int mt_greenlet_type(PyTypeObject *tp)
{
#if PY_VERSION_HEX < 0x030C0000
	PyTypeObject *t = tp;
	for (; t; t = t->tp_base)
		if (t == g_type ||
		    (t->tp_name && !strcmp(t->tp_name, "greenlet.greenlet")))
			break;
	return t && accept(t);
#else
	(void)tp;
	return 0;
#endif
}

void mt_greenlet_edges(mt_walk *w, PyObject *o)
{
#if PY_VERSION_HEX < 0x030C0000
	PyTypeObject *t = Py_TYPE(o);
	for (; t; t = t->tp_base)
		if (t == g_type ||
		    (t->tp_name && !strcmp(t->tp_name, "greenlet.greenlet")))
			break;
	if (!t || !accept(t))
		return;
	PyObject *exc_type, *exc_val, *exc_tb;
	PyErr_Fetch(&exc_type, &exc_val, &exc_tb);
	PyObject *f = g_getframe(o, NULL);
	if (!f)
		PyErr_Clear();
	PyErr_Restore(exc_type, exc_val, exc_tb);
	if (f && PyFrame_Check(f))
		MT_ATTR(w, "gr_frame", f);
	/* the greenlet still owns the frame: this never frees it */
	Py_XDECREF(f);
#else
	(void)w;
	(void)o;
#endif
}

#else /* !MT_GREENLET_ON */

int mt_greenlet_type(PyTypeObject *tp)
{
	(void)tp;
	return 0;
}

void mt_greenlet_edges(mt_walk *w, PyObject *o)
{
	(void)w;
	(void)o;
}

#endif
