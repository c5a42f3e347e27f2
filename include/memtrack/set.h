/* Concrete object sets (heapy's IdentitySet) over one loaded graph.
 *
 * An mt_set is an immutable, sorted, duplicate-free array of object ids.
 * Set algebra (& | ^ -, complement relative to the whole graph) is a linear
 * merge; comparisons (<, <=, ==, >=, >) are linear too.  Sets are
 * reference-counted so the query evaluator and the browser's back stack can
 * share them: mt_set_ref adds a reference, mt_set_unref drops one and frees
 * at zero.  Every constructor returns a set with one reference.
 */
#ifndef MEMTRACK_SET_H
#define MEMTRACK_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtrack/error.h"
#include "memtrack/graph.h"

typedef struct mt_set mt_set;

/* Every object of g (ids 0..N-1).  Its id array is reserved here and
 * written on the first mt_set_ids or algebra (count, membership and size
 * need none), so it holds no resident memory until then. */
mt_status mt_set_all(mt_set **out, const mt_graph *g, mt_err *err);
/* Whether s was made by mt_set_all (every object; its ids need not be
 * read to know them). */
bool mt_set_is_all(const mt_set *s);

/* The empty set. */
mt_status mt_set_empty(mt_set **out, mt_err *err);
/* From ids[0..n) in any order, duplicates allowed (copied). */
mt_status mt_set_from_ids(mt_set **out, const uint32_t *ids, size_t n,
			  mt_err *err);
/* Takes ownership of ids[0..n) (malloc'd), which must be sorted and
 * duplicate-free; frees ids on failure. */
mt_status mt_set_adopt(mt_set **out, uint32_t *ids, size_t n, mt_err *err);

mt_set *mt_set_ref(mt_set *s);
void mt_set_unref(mt_set *s); /* s may be NULL */

size_t mt_set_count(const mt_set *s);
const uint32_t *mt_set_ids(const mt_set *s); /* sorted, borrowed */
bool mt_set_contains(const mt_set *s, uint32_t id);
/* Sum of the sizes of the set's objects. */
uint64_t mt_set_size(const mt_set *s, const mt_graph *g);

typedef enum {
	MT_SETOP_AND, /* a & b */
	MT_SETOP_OR,  /* a | b */
	MT_SETOP_XOR, /* a ^ b */
	MT_SETOP_SUB  /* a - b */
} mt_setop;

mt_status mt_set_op(mt_set **out, mt_setop op, const mt_set *a, const mt_set *b,
		    mt_err *err);
/* ~a: every object of g not in a. */
mt_status mt_set_complement(mt_set **out, const mt_set *a, const mt_graph *g,
			    mt_err *err);

bool mt_set_equal(const mt_set *a, const mt_set *b);
bool mt_set_subset(const mt_set *a, const mt_set *b); /* a <= b */

#endif
