/* The extension's parts that add names to the module `memtrack._memtrack`.
 * PyInit__memtrack (module.c) calls each hook once, in this order; a hook
 * returns 0, or -1 with a Python exception set.  A new part adds one line
 * here and one call there. */
#ifndef MT_CAPTURE_MODHOOKS_H
#define MT_CAPTURE_MODHOOKS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Py_NewRef came with 3.10 */
#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *Py_NewRef(PyObject *o)
{
	Py_INCREF(o);
	return o;
}
#endif

/* tracker.c: the ClassTracker's C core (Registry). */
int mt_tracker_init_module(PyObject *m);
/* proclog.c: the process memory log (ProcessLog). */
int mt_proclog_init_module(PyObject *m);
/* report_py.c: the HTML report writer (_html_report). */
int mt_report_init_module(PyObject *m);
/* bgdump.c: dumps in a forked child (dump(background=True), its handle). */
int mt_bgdump_init_module(PyObject *m);
/* trigger.c: dumps on a signal or an RSS bound (dump_on_signal, dump_when),
 * and the file names they make (_dump_name). */
int mt_trigger_init_module(PyObject *m);

/* module.c: raises OSError(*args) as the subclass its errno names
 * (FileNotFoundError...), made at once: an exception set from a bare
 * OSError type and an argument tuple is matched as plain OSError by
 * `except FileNotFoundError` on 3.9 and 3.10. */
void mt_py_set_oserror(PyObject *args);

/* proclog.c: after a successful dump() to path, a marker naming the dump in
 * every process log this process is writing.  Never fails, never raises. */
void mt_proclog_dump_marker(const char *path);

#endif
