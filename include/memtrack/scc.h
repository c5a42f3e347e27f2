/* Strongly connected components of a loaded graph (reference cycles).
 *
 * mt_scc_cycles runs an iterative Tarjan over every object and its
 * out-edges (the root's edges and the type field are not edges here) and
 * numbers the *cyclic* components -- more than one object, or one object
 * with an edge to itself -- 0, 1, ... by descending size, then by smallest
 * object id.  Objects in no cycle get MT_NO_ID.  O(N + E) time, about 17
 * bytes per object of scratch memory.
 */
#ifndef MEMTRACK_SCC_H
#define MEMTRACK_SCC_H

#include <stdint.h>

#include "memtrack/error.h"
#include "memtrack/graph.h"

/* *comp (N entries) gets each object's cycle number or MT_NO_ID, *sizes
 * (*ncycles entries) the object count of each cycle.  Caller frees both
 * with free().  On failure both are NULL. */
mt_status mt_scc_cycles(const mt_graph *g, uint32_t **comp, uint32_t **sizes,
			uint32_t *ncycles, mt_err *err);
/* The same, telling cb (may be NULL) progress in objects numbered; cb
 * cancels (MT_CANCELLED, nothing allocated) by returning non-zero.  The
 * usual caller is mt_ctx_cycles (ctx.h), which keeps the result. */
mt_status mt_scc_cycles_progress(const mt_graph *g, mt_progress_fn cb,
				 void *cbdata, uint32_t **comp,
				 uint32_t **sizes, uint32_t *ncycles,
				 mt_err *err);

#endif
