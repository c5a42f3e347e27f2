/* The dominator tree of a loaded graph and the retained size of every object.
 *
 * Built once per graph from a virtual root whose children are the dump's
 * root edges, the interpreter's own objects (mt_interp_owned) and then,
 * for the live objects none of these reaches (the dump's unreachable
 * tail), the smallest not-yet-reached id, repeatedly: so every
 * object has an immediate dominator and unreachable islands hang from the
 * virtual root like reachable ones.  Algorithm: SEMI-NCA (Georgiadis,
 * Tarjan and Werneck, "Finding dominators in practice") over an iterative
 * DFS with iterative path compression; exact, never an approximation, no
 * recursion.  Retained sizes are 64-bit sums over the dominator tree.
 *
 * Memory while building: about 24 bytes per object at the peak, the
 * tree's arrays (idom, 4 bytes, and retained size, 8, per object, which
 * hold working arrays until they get their values) and a block of 12
 * that is handed back when the tree is done.  Then 8 bytes per object:
 * the retained sizes are packed to 4 bytes, with the few of 2^32 - 1
 * bytes or more in a side table.
 */
#ifndef MEMTRACK_DOMINATOR_H
#define MEMTRACK_DOMINATOR_H

#include "memtrack/error.h"
#include "memtrack/graph.h"

typedef struct mt_domtree mt_domtree;

/* The objects the interpreter keeps alive for as long as it runs, which
 * belong to the root and so are children of the virtual root in the
 * dominator tree and in dominance (dominance.h), whoever refers to them:
 * static (non-heap) types, the singletons None, True, False, Ellipsis and
 * NotImplemented (by their builtins type), ints of -5..256 (the small-int
 * cache), immortal objects of 3.12+ (mt_refcnt_immortal) and on 3.11 the
 * statically allocated ones (a count of at least 999999999, CPython's
 * _PyObject_IMMORTAL_INIT: small ints, identifier and one-character strings,
 * the empty tuple and bytes).  Virtual objects never are.  On MT_OK *ids
 * is a new ascending array of *n ids (caller frees).  O(N); cb (may be
 * NULL) is told the ids looked at every 2^18 and may cancel
 * (MT_CANCELLED). */
mt_status mt_interp_owned(const mt_graph *g, mt_progress_fn cb, void *cbdata,
			  uint32_t **ids, size_t *n, mt_err *err);

/* Builds the tree over g (borrowed for the call only).  cb (may be NULL)
 * is told the progress of each pass in turn, every 2^18 steps, in that
 * pass's own count (the DFS: 2N + E steps, a push, a pop or an edge each;
 * mt_interp_owned's N; the others N + 1), and may cancel (MT_CANCELLED).
 * Caller frees with mt_domtree_free. */
mt_status mt_domtree_build(mt_domtree **out, const mt_graph *g,
			   mt_progress_fn cb, void *cbdata, mt_err *err);
void mt_domtree_free(mt_domtree *t);

/* Immediate dominator of id, or MT_NO_ID when it is the virtual root. */
uint32_t mt_domtree_idom(const mt_domtree *t, uint32_t id);
/* Bytes freed if id went away: its size plus the sizes of everything it
 * dominates. */
uint64_t mt_domtree_retained(const mt_domtree *t, uint32_t id);
/* Sum of all sizes (the virtual root's retained size). */
uint64_t mt_domtree_total(const mt_domtree *t);
/* Bytes the tree holds. */
size_t mt_domtree_memory(const mt_domtree *t);

/* For saved indexes (savedidx.h) only.  The tree's idom array by object
 * id (borrowed until mt_domtree_free); retained sizes of ids from ..
 * from + count - 1 into out (uint32 with a side table for the big ones,
 * 4 bytes an object).
 * mt_domtree_new_: a tree of n objects to be filled, its arrays big
 * arrays (util.h: huge pages, kept pages reused): *idom gets its idom
 * array (n entries, not initialised) to write, idom values below n or
 * MT_NO_ID (the caller vouches for them); mt_domtree_put_retained_ the
 * retained sizes of ids from .. from + count - 1, in ascending order of
 * from over the calls; mt_domtree_set_total_ their sum.  Every id gets
 * its idom and retained size before the tree is read. */
const uint32_t *mt_domtree_idoms_(const mt_domtree *t);
/* For passes over every object (dominance.c): the retained sizes as the
 * tree keeps them, by id; an entry MT_DOMTREE_RET_WIDE means "ask
 * mt_domtree_retained" (2^32 - 1 bytes or more). */
#define MT_DOMTREE_RET_WIDE UINT32_MAX
const uint32_t *mt_domtree_ret32_(const mt_domtree *t);
void mt_domtree_retained_range_(const mt_domtree *t, uint32_t from,
				uint32_t count, uint64_t *out);
mt_status mt_domtree_new_(mt_domtree **out, uint32_t n, uint32_t **idom,
			  mt_err *err);
mt_status mt_domtree_put_retained_(mt_domtree *t, uint32_t from,
				   const uint64_t *vals, uint32_t count,
				   mt_err *err);
void mt_domtree_set_total_(mt_domtree *t, uint64_t total);

#endif
