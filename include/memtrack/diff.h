/* Comparing dumps: object identity across two dumps of one process, the
 * difference table of two heaps by a classifier, and memlab's three-dump
 * leak rule.  Analysis layer: no printing, no curses, no Python.
 *
 * Identity.  CPython objects never move, so two dumps of the same process
 * (same pid and process start time in their headers, doc/format.md) name
 * an object alive in both by the same address and the same type.  An
 * object of NEW matches the object of OLD at its address when their types
 * are the same type object (same address); an address reused by a new
 * object of another type is a new object (and the old one is gone).  An
 * address reused by a new object of the same type cannot be told from a
 * survivor and counts as one (doc/analysis.md, "Comparing dumps").
 * A virtual instance dict (3.11+ inline values: address 0, the owner's
 * `__dict__`) matches when its owner does, as memtrack.mark() marks it;
 * other virtual objects (frames, plugin buffers) never match.  Across
 * processes identity is not claimed: mt_match_new fails with the reason
 * and only aggregate differences are made.
 */
#ifndef MEMTRACK_DIFF_H
#define MEMTRACK_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtrack/ctx.h"
#include "memtrack/error.h"
#include "memtrack/graph.h"
#include "memtrack/partition.h"
#include "memtrack/set.h"
#include "memtrack/strbuf.h"

/* Whether dumps with headers a and b come from one process (same pid,
 * start times within 1 s, same boot id when both record one).  When not,
 * *why (may be NULL) is one line saying why, in a buffer of the calling
 * thread valid until its next call: "the dumps come from different
 * processes (pid 12 and 34)", "... (pid 12 started at two times, 150 s
 * apart)", "... different boots of the machine ...", "the dumps do not
 * record the process start time (...)"; *why is NULL when they do. */
bool mt_same_process(const mt_header *a, const mt_header *b, const char **why);

/* The objects of OLD and NEW matched by identity. */
typedef struct mt_match mt_match;

/* Matches old and new (both borrowed until mt_match_free).  MT_ARG with
 * mt_same_process's reason as the detail when they are not dumps of one
 * process. */
mt_status mt_match_new(mt_match **out, const mt_graph *old,
		       const mt_graph *new_, mt_err *err);
void mt_match_free(mt_match *m); /* m may be NULL */

/* The counterpart of an object: old_of(new id) and new_of(old id), or
 * MT_NO_ID when it has none (new in NEW, gone from OLD). */
uint32_t mt_match_old_of(const mt_match *m, uint32_t new_id);
uint32_t mt_match_new_of(const mt_match *m, uint32_t old_id);

enum { MT_SIDE_OLD = 0, MT_SIDE_NEW = 1 };

/* The graph of one side (MT_SIDE_OLD or MT_SIDE_NEW) of a match. */
const mt_graph *mt_match_graph(const mt_match *m, int side);

/* The counterparts on the other side of the members of s (a set of side
 * `from`'s graph) that have one: a set of the other side's graph (new,
 * caller unrefs).  With it, `h - h0` is mt_set_op(SUB, h, translate(h0))
 * and `h & h0` is mt_set_op(AND, h, translate(h0)).  MT_ARG for a bad
 * side or an id beyond that side's graph. */
mt_status mt_match_translate(const mt_match *m, int from, const mt_set *s,
			     mt_set **out, mt_err *err);

/* memlab's rule over dumps A, B, C of one process: the objects of C that
 * were alive in B (matched by bc) but not in A (ab): a set of C's graph
 * (new, caller unrefs).  MT_ARG when ab's NEW graph is not bc's OLD. */
mt_status mt_leak_candidates(const mt_match *ab, const mt_match *bc,
			     mt_set **out, mt_err *err);

/* The difference of two heaps by one classifier: rows matched by label. */
typedef struct mt_diff_row {
	const char *label;	      /* owned by the diff */
	uint64_t old_count, old_size; /* 0 when absent from OLD */
	uint64_t new_count, new_size; /* 0 when absent from NEW */
	/* with identity (a match given): the members of new_set in this
	 * row without a counterpart in old_set (Chrome's # New, Alloc.
	 * Size: counted by their NEW kind) and the members of old_set
	 * without one in new_set (# Deleted, Freed Size: by their OLD
	 * kind); 0 without a match.  For whole heaps: the objects new in
	 * NEW and those gone from OLD. */
	uint64_t added_count, added_size, gone_count, gone_size;
	uint32_t old_row, new_row; /* the row of each side's partition, or
				      MT_NO_ID when the kind is absent */
} mt_diff_row;

typedef struct mt_diff mt_diff;

/* The difference NEW - OLD of set old_set of old's dump and new_set of
 * new's (NULL: every object; both borrowed for the call) partitioned by
 * classifier `er` (any spelling heapy's by() takes; NULL: clodo) in each
 * context; m (may be NULL; of these two graphs, else MT_ARG) adds the New
 * and Deleted figures.  Rows are matched by label.  Their order is
 * heapy's (Stat.__sub__): NEW's rows in NEW's table order, then the rows
 * only in OLD in OLD's table order, then a stable sort by absolute size
 * difference, largest first -- so ties keep that order.  Rows that did
 * not change are kept (mt_diff_row_changed tells them).  The context's
 * progress and cancel apply (MT_CANCELLED).  Caller frees. */
mt_status mt_diff_new(mt_diff **out, mt_ctx *old, const mt_set *old_set,
		      mt_ctx *new_, const mt_set *new_set, const char *er,
		      const mt_match *m, mt_err *err);
void mt_diff_free(mt_diff *d); /* d may be NULL */

size_t mt_diff_nrows(const mt_diff *d);
const mt_diff_row *mt_diff_row_at(const mt_diff *d, size_t i);
/* Whether a row changed: counts or sizes differ, or (with identity) some
 * object is new or gone. */
bool mt_diff_row_changed(const mt_diff_row *r);
/* The totals of each side, and the classifier's column header. */
void mt_diff_totals(const mt_diff *d, uint64_t *old_count, uint64_t *old_size,
		    uint64_t *new_count, uint64_t *new_size);
const char *mt_diff_header(const mt_diff *d);
/* Each side's partition (borrowed): row old_row/new_row's set is that
 * partition's row as mt_query_row / the view derive it. */
const mt_partition *mt_diff_partition(const mt_diff *d, int side);

/* heapy's `h.diff(h0)` table of d, exactly as heapy prints it (title
 * "Summary of difference operation (A-B)." with A = NEW and B = OLD, the
 * Count/Size block, the rows whose count or size differ -- heapy's rule:
 * a row with equal counts and sizes is dropped even when, with identity,
 * objects came and went -- by absolute size difference, Cumulative and
 * "% of B" over the rows shown): 10 rows then "<N more rows. Type e.g.
 * '_.more' to view.>" (or the 11th row when it is the last) unless
 * MT_TABLE_ALL (table.h; other flags are ignored).  Appended to out;
 * every line ends with a newline, and like heapy's repr the text has no
 * trailing blank lines. */
mt_status mt_diff_format(const mt_diff *d, unsigned flags, mt_strbuf *out,
			 mt_err *err);
/* The same from table row `first` (an index among the rows heapy shows):
 * first > 0 is heapy's `_.more`: no summary, the row header and the rows
 * from `first`.  *next (may be NULL) is the first row not shown, or the
 * number of rows shown when all were. */
mt_status mt_diff_format_from(const mt_diff *d, size_t first, unsigned flags,
			      mt_strbuf *out, size_t *next, mt_err *err);
/* The number of rows heapy's table shows (count or size differ). */
size_t mt_diff_table_rows(const mt_diff *d);

#endif
