/* Test fixtures: heaps described in C, written as dumps by the real writer.
 *
 * A builder (fx) holds an abstract graph: nodes with fields and edges that
 * name their targets by builder index and their labels by string, integer
 * or node.  fx_write numbers the nodes breadth-first from the roots (then
 * from each node no root reaches), exactly as the format requires, interns
 * the names and writes the dump with mt_writer_*.
 */
#ifndef MEMTRACK_TESTS_FIXTURE_H
#define MEMTRACK_TESTS_FIXTURE_H

#include <stdint.h>

#include "memtrack/dump.h"
#include "memtrack/error.h"

typedef struct fx fx;

fx *fx_new(void);
void fx_free(fx *f);

/* A node; `type` is a builder index (may be the node itself: pass
 * FX_SELF).  addr 0 makes a virtual object (refcnt ignored). */
#define FX_SELF UINT32_MAX
uint32_t fx_node(fx *f, uint32_t type, uint64_t size, uint64_t addr,
		 uint64_t refcnt, int64_t length);
void fx_set_value(fx *f, uint32_t node, const mt_value *v);
void fx_str(fx *f, uint32_t node, const char *s); /* MT_VAL_STR      */
void fx_int(fx *f, uint32_t node, int64_t i);	  /* MT_VAL_INT      */
void fx_qual(fx *f, uint32_t node, const char *mod, const char *qual);

/* Edges.  Name labels are interned at write time. */
void fx_edge_name(fx *f, uint32_t src, unsigned rel, const char *name,
		  uint32_t tgt);
void fx_edge_int(fx *f, uint32_t src, unsigned rel, uint64_t label,
		 uint32_t tgt);
void fx_edge_key(fx *f, uint32_t src, uint32_t key, uint32_t tgt);
void fx_root(fx *f, const char *name, uint32_t tgt);
/* A thread of the header's `threads` (name NULL: none; borrowed until
 * fx_write). */
void fx_thread(fx *f, uint64_t id, const char *name);

/* The header's process identity (diff.h, mt_same_process): pid (0: the
 * default 4242), start time (0: none, as before the key) and boot id
 * (NULL: none; borrowed until fx_write). */
void fx_process(fx *f, uint64_t pid, double start_time, const char *boot_id);

/* memtrack.mark(): the nodes made before node `upto` existed at a mark
 * set at mark_time (header mark_time and a MARK record). */
void fx_mark(fx *f, uint32_t upto, double mark_time);

/* Writes the dump; map (may be NULL, else one entry per node) receives the
 * object id of each node; *reachable (may be NULL) the reachable count. */
mt_status fx_write(fx *f, const char *path, uint32_t *map, uint32_t *reachable,
		   mt_err *err);

/* Canned heaps: "demo" (a small heap in the shape of heapy.md section 8),
 * "many" (more kinds than one page of the table), "empty" (no objects),
 * "evil" (names and strings holding terminal escape sequences), "long"
 * (long class names differing only in the middle, for narrow screens);
 * comparisons: "cmp-old" (demo), "cmp-new" and "cmp-c" (later dumps of
 * the same process: objects new and gone, an address reused by another
 * type, a new class), "cmp-other" (cmp-new from another process),
 * "cmp-mark" (demo then new objects, with a mark between).
 * Returns MT_ARG for an unknown name. */
mt_status fx_write_canned(const char *name, const char *path, mt_err *err);

#endif
