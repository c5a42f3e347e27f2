/* Suspended greenlets' frames (greenlet.c, doc/capture.md "Greenlets").
 *
 * A suspended greenlet (gevent, eventlet) keeps its Python frames off the
 * thread's frame chain, and greenlet's tp_traverse does not visit them, so
 * whatever only those frames hold would have no referrer.  For an object
 * whose type is greenlet.greenlet or a subclass, mt_greenlet_edges adds an
 * attr edge `gr_frame` to the greenlet's saved top frame (whose f_back
 * chain the frame visitor follows).
 */
#ifndef MEMTRACK_CAPTURE_GREENLET_H
#define MEMTRACK_CAPTURE_GREENLET_H

#include <Python.h>

#include "walk.h"

/* Whether tp is greenlet.greenlet or a subclass, of a greenlet release this
 * code knows (the walk asks once per type; always 0 on 3.12+). */
int mt_greenlet_type(PyTypeObject *tp);

/* Adds the `gr_frame` edge when o is a suspended greenlet of a greenlet
 * release this code knows (see greenlet.c); does nothing otherwise.  Runs
 * no Python code and creates no object. */
void mt_greenlet_edges(mt_walk *w, PyObject *o);

#endif
