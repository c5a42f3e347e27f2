/* Dominance of arbitrary sets: heapy's dominos, domisize and imdom.
 *
 * heapy (View.dominos_tuple) defines, with T(S, A) the objects reachable
 * from S without entering A (members of S that are in A are not starts),
 * D = X1 | ... | Xk and W = T({root}, D):
 *
 *     dominos(Xi)  = T(Xi, W) - T(D, W | Xi)
 *     domisize(Xi) = sum of the sizes of dominos(Xi)
 *
 * For one set X that is everything reachable from X that the root no longer
 * reaches once X is gone, X included: what deleting X would free.
 *
 * The root here is the dominator tree's virtual root (dominator.h): its
 * children are the targets of the dump's root edges, the objects the
 * interpreter owns for good (mt_interp_owned: static types, singletons,
 * small ints, immortals; unlike heapy, no set dominates them) and then,
 * for objects none of these reaches (the unreachable tail), the smallest
 * id not yet reached, repeatedly.  So for a single object x, dominos({x}) is exactly
 * x's dominator subtree and domisize({x}) == mt_domtree_retained(t, x).
 * The children are computed once, by mt_dominance_new.
 *
 * imdom (heapy's View.imdom) is not the dominator-tree parent: it is the set
 * of referrers of X that the root reaches without passing through another
 * referrer of X (referrers & reachable_x(root, avoid=referrers), where
 * reachable_x reaches the avoided objects but does not go through them).
 * Root edges are not references (navigate.h), so an object held only by
 * the root has no referrers and an empty imdom; heapy would list RootState.
 * When imdom({x}) is a single object r and x is not a child of the virtual
 * root, r is x's immediate dominator; when x's immediate dominator refers to
 * x directly, imdom({x}) is exactly that object.
 *
 * Cost: every query is two or three iterative traversals over N-bit bitmaps
 * (uint64 words) and one explicit stack of at most N ids, O(N + E); the
 * context keeps the bitmaps and stack between queries (about 4 bytes per
 * object plus N/8 bytes per bitmap).  With a dominator tree given to
 * mt_dominance_new, a single-object domisize is O(1) and a single-object
 * dominos visits only the subtree and the edges leaving it.
 *
 * Retained for a page: mt_dominance_domisize_many gives up to 64 sets'
 * domisize in one propagation.  Every object carries a 64-bit mask, bit i
 * meaning "the root reaches it without entering set i"; a child of the
 * virtual root starts with every bit but those of the sets it is in, an
 * edge v -> w passes mask(v) minus w's sets' bits, and a worklist runs to
 * the fixpoint (an object is queued again when its mask gains bits; masks
 * only grow, so at most 64 times).  Then domisize(set i) is the size of
 * the objects whose bit i is clear: as every object is reachable from the
 * virtual root, what the root no longer reaches once set i is avoided is
 * exactly T(set i, W) (the definition above).  The pass first walks,
 * breadth-first, everything the root reaches avoiding all k sets (the
 * full mask, final at once, each visited once), then propagates the
 * partial masks from the sets' members it met into the rest only, so the
 * re-queuing is confined to what the sets hold.  Cost: O(N + E) for the
 * first walk plus the propagation under the sets (each object of it
 * re-queued once per gained group of bits, in practice 1 or 2 times),
 * one sum over N; memory 8 bytes per object (masks) plus 1 (which set an
 * object is in: 0, one set, or several through a sorted side table; not
 * for a whole heap's kinds, where an object's kind says it), kept by the
 * context until mt_dominance_trim or mt_dominance_free.
 *
 * A context is not thread-safe (queries share its scratch memory).
 */
#ifndef MEMTRACK_DOMINANCE_H
#define MEMTRACK_DOMINANCE_H

#include <stddef.h>
#include <stdint.h>

#include "memtrack/dominator.h"
#include "memtrack/error.h"
#include "memtrack/graph.h"
#include "memtrack/set.h"

typedef struct mt_dominance mt_dominance;

/* A query context over g.  g and t (t may be NULL: no fast paths) are
 * borrowed until mt_dominance_free.  Computes the virtual root's children
 * (one traversal of the graph).  Caller frees with mt_dominance_free. */
mt_status mt_dominance_new(mt_dominance **out, const mt_graph *g,
			   const mt_domtree *t, mt_err *err);
/* The same, asking cb (may be NULL) before the traversal and every 2^18
 * objects of it whether to go on (MT_CANCELLED, *out NULL, when it
 * returns non-zero; done/total in objects).  The usual caller is
 * mt_ctx_dominance (ctx.h), which keeps the context. */
mt_status mt_dominance_new_progress(mt_dominance **out, const mt_graph *g,
				    const mt_domtree *t, mt_progress_fn cb,
				    void *cbdata, mt_err *err);
void mt_dominance_free(mt_dominance *d); /* d may be NULL */

/* The virtual root's children in order (every root-edge target once,
 * then the interpreter-owned objects not listed yet, then the tail's
 * starts); borrowed from d. */
void mt_dominance_root_children(const mt_dominance *d, const uint32_t **ids,
				size_t *n);

/* dominos(x): on MT_OK *out is a new set (caller unrefs).  x is borrowed
 * for the call. */
mt_status mt_dominance_dominos(mt_dominance *d, const mt_set *x, mt_set **out,
			       mt_err *err);
/* domisize(x) into *size (a 64-bit sum). */
mt_status mt_dominance_domisize(mt_dominance *d, const mt_set *x,
				uint64_t *size, mt_err *err);

/* The tuple form: xs[0..k) borrowed; outs[i] (when outs is not NULL) gets
 * a new set, sizes[i] (when not NULL) the domisize.  On failure no outs
 * are left allocated. */
mt_status mt_dominance_tuple(mt_dominance *d, const mt_set *const *xs,
			     size_t k, mt_set **outs, uint64_t *sizes,
			     mt_err *err);

/* The domisize of many sets in one pass (a page of a table's rows):
 * sizes[i] = domisize(xs[i]) for i < k, exactly mt_dominance_domisize's
 * figure, sets in any number (64 a pass) and overlapping or not.  xs
 * borrowed for the call; cb (may be NULL) is asked every 2^18 objects
 * visited, done/total in objects (MT_CANCELLED when it returns non-zero:
 * sizes are then all 0).  See "Retained for a page" below for the
 * algorithm and its cost. */
mt_status mt_dominance_domisize_many(mt_dominance *d, const mt_set *const *xs,
				     size_t k, uint64_t *sizes,
				     mt_progress_fn cb, void *cbdata,
				     mt_err *err);
/* The same for the rows of a partition without making their sets: the
 * members are ids[0..n) (ascending, as a set's; NULL: every object, n
 * being the graph's count), member j of kind kinds[j]; row i is the
 * members of kind want[i] (i < k, distinct).  When union_size is not
 * NULL it gets the domisize of all n members together (the table's "all"
 * row) from the same pass, which then takes 63 rows. */
mt_status mt_dominance_domisize_kinds(mt_dominance *d, const uint32_t *ids,
				      const uint32_t *kinds, size_t n,
				      const uint32_t *want, size_t k,
				      uint64_t *sizes, uint64_t *union_size,
				      mt_progress_fn cb, void *cbdata,
				      mt_err *err);
/* The same with the kinds as uint16 (every kind below 65536). */
mt_status mt_dominance_domisize_kinds16(mt_dominance *d, const uint32_t *ids,
					const uint16_t *kinds, size_t n,
					const uint32_t *want, size_t k,
					uint64_t *sizes, uint64_t *union_size,
					mt_progress_fn cb, void *cbdata,
					mt_err *err);
/* Lower bounds of the same figures, fast (Eclipse MAT's "minimum
 * retained size"): row i gets the retained sizes (mt_domtree_retained)
 * of its members that no other member of the row dominates, summed: the
 * size of the union of their dominator subtrees.  domisize contains that
 * union, so the bound is at most the exact figure, and equal to it unless
 * some objects are dominated by the row's members only together (a tuple
 * two of the row's lists hold, say); a row of one object is always
 * exact.  union_size likewise for all n members.  Needs the tree given
 * to mt_dominance_new (MT_ARG without one); exactly one of kinds and
 * kinds16 is not NULL.  Cost: the members' dominator chains, each object
 * climbed once (O(N), no edges), with the page pass's scratch memory. */
mt_status mt_dominance_minretained_kinds(mt_dominance *d, const uint32_t *ids,
					 const uint32_t *kinds,
					 const uint16_t *kinds16, size_t n,
					 const uint32_t *want, size_t k,
					 uint64_t *sizes, uint64_t *union_size,
					 mt_progress_fn cb, void *cbdata,
					 mt_err *err);
/* Releases the scratch memory of the page pass (8 or 9 bytes per object,
 * kept between passes); the next pass allocates it again. */
void mt_dominance_trim(mt_dominance *d);
/* The bytes of that scratch memory held now (0 after a trim). */
size_t mt_dominance_scratch_bytes(const mt_dominance *d);

/* heapy's imdom(x): on MT_OK *out is a new set (caller unrefs). */
mt_status mt_dominance_imdom(mt_dominance *d, const mt_set *x, mt_set **out,
			     mt_err *err);

/* The immediate dominator of one object from the tree given to
 * mt_dominance_new (MT_NO_ID for the virtual root); MT_ARG without a
 * tree. */
mt_status mt_dominance_idom(const mt_dominance *d, uint32_t id, uint32_t *idom,
			    mt_err *err);

#endif
