/* A set's subgraph as Graphviz DOT text, for drawing reference cycles.
 *
 * Nodes are the set's objects (in id order) and, on request, one ring of
 * their referrers and/or referents outside the set (drawn dashed); edges
 * are every reference between two drawn objects, in source-id and then
 * out-edge order, labelled with heapy's relation text without a source
 * (`.name`, `['k']`, `[3]`, `.keys()[0]`, `->x`, `list(_)[2]`; reltext.h).
 * A node's label is its type label, its short rendering (pyrepr.h,
 * heapy's identity-table text, cut at 40 characters with "...") and its
 * size in bytes.  Root edges are not drawn.
 *
 * At most max_nodes objects are drawn (set members first, then the ring);
 * when some are left out, a comment line says how many:
 *   // 12 objects left out (node limit 200)
 * Quotes, backslashes and control characters in labels are escaped, so
 * the output is valid DOT whatever the previews hold.
 */
#ifndef MEMTRACK_DOT_H
#define MEMTRACK_DOT_H

#include <stdbool.h>

#include "memtrack/error.h"
#include "memtrack/graph.h"
#include "memtrack/set.h"
#include "memtrack/strbuf.h"

#define MT_DOT_MAX_NODES 200

typedef struct mt_dot_opts {
	unsigned max_nodes; /* 0: MT_DOT_MAX_NODES */
	bool referrers;	    /* add the ring of referrers */
	bool referents;	    /* add the ring of referents */
} mt_dot_opts;

/* Appends a `digraph memtrack { ... }` for s to out.  g and s are borrowed
 * for the call; opts may be NULL (defaults, no ring). */
mt_status mt_dot_format(const mt_graph *g, const mt_set *s,
			const mt_dot_opts *opts, mt_strbuf *out, mt_err *err);

#endif
