/* One step along the references of a set: heapy's `.referrers` and
 * `.referents`.
 *
 * Both work on the loaded graph's CSR arrays (graph.h) and touch only the
 * edges of the set's members: O(edges touched + result), with the result
 * deduplicated through a sort.  Root edges (the ROOTS record) are not
 * references of any object: the virtual root is never a referrer, so an
 * object that only the root holds has no referrers.  A self-reference makes
 * an object its own referrer and referent, as in heapy.
 */
#ifndef MEMTRACK_NAVIGATE_H
#define MEMTRACK_NAVIGATE_H

#include "memtrack/error.h"
#include "memtrack/graph.h"
#include "memtrack/set.h"

/* Every source of an in-edge of a member of s.  s is borrowed for the
 * call; on MT_OK *out is a new set (caller unrefs), on failure NULL. */
mt_status mt_nav_referrers(const mt_graph *g, const mt_set *s, mt_set **out,
			   mt_err *err);

/* Every target of an out-edge of a member of s.  Same contract. */
mt_status mt_nav_referents(const mt_graph *g, const mt_set *s, mt_set **out,
			   mt_err *err);

/* The same asking cb (may be NULL) every 2^16 steps whether to go on
 * (MT_CANCELLED, *out NULL, when it returns non-zero); done/total in
 * steps over the passes (the members twice, then the edges found; the
 * total grows once their count is known).  The ~0.3 s of a 28M-object
 * set's referrers at 80M objects. */
mt_status mt_nav_referrers_progress(const mt_graph *g, const mt_set *s,
				    mt_progress_fn cb, void *cbdata,
				    mt_set **out, mt_err *err);
mt_status mt_nav_referents_progress(const mt_graph *g, const mt_set *s,
				    mt_progress_fn cb, void *cbdata,
				    mt_set **out, mt_err *err);

#endif
