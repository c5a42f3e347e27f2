/* Shortest paths (heapy's `sp`, `pathsin`, `pathsout`), structured and as
 * text.
 *
 * The search is heapy's (Path.shpgraph_algorithm and hv.shpathstep): a BFS
 * by levels from the source set (or from the virtual root, whose edges are
 * the dump's root edges) that records *every* edge from the frontier to an
 * object not seen before, and stops after the first level that contains a
 * destination.  The destinations kept are the ones on that level; the
 * recorded edges are then pruned back from them, leaving a DAG whose every
 * source-to-destination path is a shortest path.  Sources are never
 * destinations (a member of both is not found, as in heapy).
 *
 * Paths are numbered as heapy lists them: sources in identity-table order
 * (size descending, then address, then id), then at each step the DAG edges
 * of the current object in relation order (heapy's (code, relator): attr
 * and root 1, index and dict value 2, key 3, interattr 4, local 6, cell 7,
 * stack 8, inset 9, unnamed edges -1 first; names compare as strings, ints
 * as numbers, dict keys by value with ints before strings, ties by edge
 * index).  The number of paths is the sum over the DAG of the products of
 * edge multiplicities, counted in uint64 and saturating at UINT64_MAX (path
 * numbers past that are not reachable).
 *
 * Objects the root does not reach (the dump's unreachable tail) have no
 * path from the root; the text says so.  The virtual root is never an
 * object: its steps have src == MT_NO_ID and a root-edge index.
 *
 * Everything returned is owned by the mt_paths and valid until
 * mt_paths_free; the graph must outlive it.
 */
#ifndef MEMTRACK_PATHS_H
#define MEMTRACK_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtrack/error.h"
#include "memtrack/graph.h"
#include "memtrack/set.h"
#include "memtrack/strbuf.h"

/* heapy's page: 10 paths, an 11th if it is the last. */
#define MT_PATHS_PAGE 10

/* One edge of a path.  src == MT_NO_ID: a root edge, `edge` indexes
 * mt_graph_roots; otherwise `edge` is an out-edge index of src. */
typedef struct mt_path_step {
	uint32_t src;
	uint32_t dst;
	uint32_t edge;
} mt_path_step;

typedef struct mt_paths mt_paths;

/* Shortest paths from src (NULL: the virtual root) to dst.  Both sets are
 * borrowed for the call; g is borrowed until mt_paths_free.  On MT_OK *out
 * is new (caller frees), possibly with no paths. */
mt_status mt_paths_shortest(mt_paths **out, const mt_graph *g,
			    const mt_set *src, const mt_set *dst, mt_err *err);
/* heapy's x.sp: from the root to x. */
mt_status mt_paths_sp(mt_paths **out, const mt_graph *g, const mt_set *x,
		      mt_err *err);
/* heapy's x.pathsin: from referrers(x) to x. */
mt_status mt_paths_in(mt_paths **out, const mt_graph *g, const mt_set *x,
		      mt_err *err);
/* heapy's x.pathsout: from x to referents(x). */
mt_status mt_paths_out(mt_paths **out, const mt_graph *g, const mt_set *x,
		       mt_err *err);
void mt_paths_free(mt_paths *p); /* p may be NULL */

bool mt_paths_from_root(const mt_paths *p);
/* Number of paths (saturating) and edges in each (0 when none). */
uint64_t mt_paths_count(const mt_paths *p);
uint32_t mt_paths_length(const mt_paths *p);
/* Objects in the source set given (heapy names a lone source "Src"). */
size_t mt_paths_given_sources(const mt_paths *p);

/* The DAG.  Level 0 holds the sources that lead somewhere (empty when the
 * source is the root), level mt_paths_length the destinations reached;
 * ids sorted in path order for level 0, by id elsewhere. */
void mt_paths_level(const mt_paths *p, uint32_t level, const uint32_t **ids,
		    size_t *n);
/* The DAG edges out of object id (MT_NO_ID: the virtual root), in path
 * order; *n = 0 for an object not in the DAG or a destination. */
void mt_paths_next(const mt_paths *p, uint32_t id, const mt_path_step **steps,
		   size_t *n);
/* Paths through id to the destinations (1 for a destination, 0 outside the
 * DAG), saturating. */
uint64_t mt_paths_count_from(const mt_paths *p, uint32_t id);

/* Path number i (0-based) into steps[0 .. mt_paths_length): MT_RANGE when
 * i >= mt_paths_count. */
mt_status mt_paths_get(const mt_paths *p, uint64_t i, mt_path_step *steps,
		       mt_err *err);

/* The text of path i without its number: `hp.Root.i0_modules['m'].x`, or
 * with srcname in place of the source (`Src.x`). */
mt_status mt_paths_path_text(const mt_paths *p, uint64_t i,
			     const char *srcname, mt_strbuf *out, mt_err *err);

/* heapy's listing from path `first`: lines '%2d: <path>' for up to `max`
 * paths (the one after too when it is the last), then
 * "<... N more paths ...>" when more remain.  The source is printed
 * `hp.Root` from the root, "Src" when one object was given, else heapy's
 * brief of each source, `<1 kind: rendering>`.  With no paths: "<No paths:
 * not reachable from the root>" (the root; heapy prints nothing) or
 * "<No paths>"; past the end "<No more paths>".  Every line ends with
 * '\n'.  *next (may be NULL) is the first path not listed. */
mt_status mt_paths_format(const mt_paths *p, uint64_t first, unsigned max,
			  mt_strbuf *out, uint64_t *next, mt_err *err);

/* The graph p was made on (borrowed). */
const mt_graph *mt_paths_graph(const mt_paths *p);

/* ---- Code spelling -------------------------------------------------------
 * A path as the code that holds the object names it (doc/analysis.md,
 * "Paths that name code"), not as heapy spells it:
 *   thread 'worker-7' (140343462734720) > handle() app.py:42 > state[2]
 *   __main__.cache['k1'].items[0]
 * - a thread's frame: `thread 'NAME' (ID)` (the header's thread names;
 *   `thread ID` in dumps without them), the frame where the path leaves
 *   the `f_back` chain as `func() file:line` (the file's last component,
 *   two for __init__.py and __main__.py), its locals and cells by name
 *   after ` > `; a thread's other members `thread ... .dict`;
 * - a module's globals `module.name` (also through a frame's f_globals or
 *   module-level f_locals: the module owning the dict, else the dict's
 *   `__name__`); a frame's other members ` > f_code`; reaching a module or a
 *   class restarts the text at its name (`pkg.mod`, `pkg.mod.Class`);
 * - `.__dict__['x']` of any object reads `.x` for identifier keys;
 * - other roots: `sys.modules`, `sys.__dict__`, `builtins.__dict__`,
 *   `interpreter.NAME`; set members `{i}`, the rest as heapy's relations.
 * steps[0 .. n) is a path (mt_paths_get); srctext names its source when
 * it does not start at the root.  Appends to out. */
mt_status mt_paths_spell(const mt_graph *g, const mt_path_step *steps,
			 size_t n, const char *srctext, mt_strbuf *out);

/* ---- Groups -------------------------------------------------------------
 * Paths whose code spelling is the same once the labels that vary between
 * near-identical paths (list indexes, dict keys other than names in a
 * namespace, set and stack positions) are set aside, grouped with a count
 * (MAT's merged paths).  A group's text shows a label where all its paths
 * agree and `*` where they differ (`__main__.cache[*][0]`).  Groups are in
 * descending number of paths, then by their first path.  Only the first
 * `limit` paths are grouped (mt_paths_groups_seen).  On MT_OK *out is new
 * (mt_paths_groups_free); p must outlive it. */
typedef struct mt_paths_groups mt_paths_groups;
mt_status mt_paths_group(mt_paths_groups **out, const mt_paths *p,
			 const char *srctext, uint64_t limit, mt_err *err);
void mt_paths_groups_free(mt_paths_groups *gr); /* may be NULL */
size_t mt_paths_groups_count(const mt_paths_groups *gr);
uint64_t mt_paths_groups_seen(const mt_paths_groups *gr);
/* Group i's text (borrowed), NULL past the end. */
const char *mt_paths_group_text(const mt_paths_groups *gr, size_t i);
/* Group i's path numbers (for mt_paths_get), ascending; borrowed. */
const uint64_t *mt_paths_group_members(const mt_paths_groups *gr, size_t i,
				       size_t *n);
/* Lines '%2d: %6d x <text>' from group `first`, up to max (the one after
 * too when it is the last), then "<... N more groups ...>", and
 * "<grouped the first N of M paths>" when the limit cut.  *next (may be
 * NULL) is the first group not listed. */
mt_status mt_paths_groups_format(const mt_paths_groups *gr, size_t first,
				 size_t max, mt_strbuf *out, size_t *next,
				 mt_err *err);

/* ---- Comparing two dumps' groups ------------------------------------------
 * memlab's retainer-path diff: the groups of the paths to some objects in
 * OLD and to some objects in NEW (two mt_paths_group results, usually the
 * shortest paths from the roots to one kind in two dumps) matched by their
 * code spelling with the varying labels set aside (the text the groups
 * are made by: `app.cache['k1']` in OLD and `app.cache[*]` in NEW are one
 * group), each pair with the number of distinct objects its paths end at
 * on each side, and what changed:
 *   new     only in NEW                grew    more objects in NEW
 *   gone    only in OLD                shrank  fewer objects in NEW
 *   same    as many on both sides
 * A pair's text shows a label where every path of both sides agrees on it,
 * else `*`.  Pairs that changed come first, by the absolute difference in
 * objects, then NEW's objects, then OLD's (descending), then the text; the
 * unchanged ones follow in NEW's group order.  Sides are compared as
 * grouped: a limit that cut a side's paths (mt_paths_groups_seen) cuts its
 * counts too (mt_paths_cmp_format says so).  old and new_ (and their
 * paths) are borrowed for the call; on MT_OK *out is new
 * (mt_paths_cmp_free). */
typedef enum mt_paths_change {
	MT_PATHS_SAME = 0,
	MT_PATHS_NEW,
	MT_PATHS_GREW,
	MT_PATHS_SHRANK,
	MT_PATHS_GONE
} mt_paths_change;

#define MT_PATHS_NO_GROUP SIZE_MAX

typedef struct mt_paths_pair {
	size_t old_group, new_group;	   /* the group of each side
					(mt_paths_group_text/_members), or
					MT_PATHS_NO_GROUP when absent */
	uint64_t old_objects, new_objects; /* distinct objects reached */
	uint64_t old_paths, new_paths;	   /* paths in the group */
	mt_paths_change change;
} mt_paths_pair;

typedef struct mt_paths_cmp mt_paths_cmp;
mt_status mt_paths_compare(mt_paths_cmp **out, const mt_paths_groups *old,
			   const mt_paths_groups *new_, mt_err *err);
void mt_paths_cmp_free(mt_paths_cmp *c); /* may be NULL */
size_t mt_paths_cmp_count(const mt_paths_cmp *c);
/* Pair i, and its text (borrowed); NULL past the end. */
const mt_paths_pair *mt_paths_cmp_at(const mt_paths_cmp *c, size_t i);
const char *mt_paths_cmp_text(const mt_paths_cmp *c, size_t i);
/* "new", "grew", "shrank", "gone", "same". */
const char *mt_paths_change_name(mt_paths_change ch);
/* Lines '%2d: %-6s %+7d %6d -> %-6d <text>' (change, NEW - OLD objects,
 * OLD's and NEW's objects) from pair `first`, up to max (the one after too
 * when it is the last), then "<... N more groups ...>", and "<OLD: grouped
 * the first N of M paths>" (NEW too) when a limit cut; "<No paths>" when
 * neither side has any.  *next (may be NULL) is the first pair not
 * listed. */
mt_status mt_paths_cmp_format(const mt_paths_cmp *c, size_t first, size_t max,
			      mt_strbuf *out, size_t *next, mt_err *err);

#endif
