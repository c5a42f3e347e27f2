/* mt_walk: the heap walker behind memtrack.dump().
 *
 * One mt_walk owns one capture: the identity table (objtable.h), the edge
 * buffer of the object being written, a few scratch buffers, and the writer.
 * It walks breadth-first from the root (interpreter and thread state), then
 * from every GC-tracked object not reached yet, and writes each object as soon
 * as it is taken from the queue, so ids are dense and in BFS order.
 *
 * While a walk runs no Python code runs and no Python object is created or
 * freed (the GIL is held throughout and only C memory is allocated), so the
 * addresses kept in the table stay valid until the walk ends.
 *
 * Objects are named by an mt_ref: a PyObject address, or an address with a
 * tag in its low bits for the two kinds of virtual objects (doc/format.md):
 * the inline-values dict of an instance (tag VDICT, address of the instance)
 * and an interpreter frame without a frame object (tag VFRAME, address of the
 * _PyInterpreterFrame).  Objects are aligned to 8 bytes, so the tags never
 * collide with a real object.
 *
 * The edge functions below are the sink through which the per-type visitors
 * (the kind rows of kinds.c, the version-specific accessors of
 * py_internals.c, plugsink.c for capture plugins) report references.
 * They ignore NULL targets; a failure (out of memory, writer error) is kept in
 * the walk and stops it after the current object.
 */
#ifndef MT_CAPTURE_WALK_H
#define MT_CAPTURE_WALK_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <signal.h>
#include <stdint.h>

#include "memtrack/dump.h"
#include "memtrack/error.h"
#include "memtrack/writer.h"

typedef uintptr_t mt_ref;

#define MT_REF_OBJ 0u
#define MT_REF_VDICT 1u
#define MT_REF_VFRAME 2u
#define MT_REF_TAG(r) ((unsigned)((r)&3u))
#define MT_REF_PTR(r) ((void *)((r) & ~(uintptr_t)3u))
#define MT_REF(p, tag) ((mt_ref)(uintptr_t)(p) | (mt_ref)(tag))

typedef struct mt_walk mt_walk;

typedef struct mt_walk_result {
	uint64_t objects, edges, bytes, reachable;
	uint64_t heap_bytes; /* sum of the objects' sizes */
} mt_walk_result;

/* Module-init setup (interned keys, probe of subtype_traverse).  Returns 0,
 * or -1 with a Python exception set. */
int mt_walk_init_module(void);

/* Runs a whole capture through `wr` (from mt_writer_new, consumed: finished
 * or aborted) with header `hdr` (borrowed for the call) and the capture
 * plugins chosen for it (`plugins`, may be NULL; their warnings are written
 * as WARNING records before END, and the walk adds to them).  `expected`
 * pre-sizes the table (e.g. sys.getallocatedblocks()).  `cancel` (may be
 * NULL) is polled every few thousand objects: when it becomes non-zero (a
 * signal handler sets it) the walk stops with MT_CANCELLED.
 * Returns MT_OK (res->bytes then counts the file without its END record),
 * or an error in *err (the writer has been aborted then: no file is left
 * under the target). */
struct mt_dumpplugins;
struct mt_mark;
/* mark: the objects of memtrack.mark() (may be NULL); with one, hdr must
 * have its mark_time and the dump gets a MARK record.  sites: when
 * tracemalloc traces, the dump gets a SITES record (allocsite.h; the
 * caller has disabled the collector). */
mt_status mt_walk_dump(mt_writer *wr, size_t expected, const mt_header *hdr,
		       struct mt_dumpplugins *plugins,
		       const struct mt_mark *mark, int sites,
		       const volatile sig_atomic_t *cancel, mt_walk_result *res,
		       mt_err *err);

/* memtrack.mark(): the same walk (same roots, same referents, same
 * unreachable tail) writing nothing; *out gets the (address, type) of every
 * real object met (mark.h), made at `time`.  MT_OK, MT_NOMEM or
 * MT_CANCELLED (err says). */
mt_status mt_walk_mark(size_t expected, struct mt_dumpplugins *plugins,
		       double time, const volatile sig_atomic_t *cancel,
		       struct mt_mark **out, size_t *objects, mt_err *err);

/* ---- edge sink (for the visitors) ---------------------------------- */

/* Edge with an integer label (INDEX, KEY, STACK, INSET, OTHER). */
void mt_edge_int(mt_walk *w, mt_relation rel, uint64_t label, mt_ref target);
/* Edge labelled by a C string name (ATTR, INTERATTR, LOCAL, CELL, ROOT). */
void mt_edge_name(mt_walk *w, mt_relation rel, const char *name, mt_ref target);
/* Same, the name given by a str object (its UTF-8 text; not a str -> "?"). */
void mt_edge_strname(mt_walk *w, mt_relation rel, PyObject *name,
		     mt_ref target);
/* key edge (position) then keyval edge (label = the key object). */
void mt_edge_item(mt_walk *w, uint64_t pos, PyObject *key, PyObject *value);

/* Shorthands for PyObject targets. */
#define MT_ATTR(w, name, obj)                                                  \
	mt_edge_name((w), MT_REL_ATTR, (name), (mt_ref)(uintptr_t)(obj))
#define MT_IATTR(w, name, obj)                                                 \
	mt_edge_name((w), MT_REL_INTERATTR, (name), (mt_ref)(uintptr_t)(obj))

/* Marks a PyObject as already explained for the current object, so that the
 * tp_traverse pass does not report it again as an `other` edge. */
void mt_walk_cover(mt_walk *w, PyObject *o);

/* UTF-8 text of a str without creating anything: at most `max` bytes, cut
 * on a character boundary, lone surrogates as U+FFFD.  Returns the byte
 * count written to buf (buf needs max bytes). */
size_t mt_str_utf8(PyObject *s, char *buf, size_t max);

#endif
