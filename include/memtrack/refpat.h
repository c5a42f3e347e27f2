/* heapy's reference pattern (`x.rp`): who refers to a set, by kind, level
 * by level.
 *
 * Row 0 is the set itself.  The children of a row are the partition (by a
 * classifier, Clodo by default) of the referrers of the row's set, in the
 * partition's order (size descending, then label).  Rows come in
 * depth-first order, as guppy's RefPat.linegenerator yields them, and are
 * generated lazily (a page asks for the rows it shows plus one).  A row is
 * expanded unless its set equals an earlier row's set (`[^ n]`), it has no
 * referrers (`[R]`: only the root or nothing holds it; root edges are not
 * references, navigate.h), it is below the top and every member is of a
 * stop kind (`[S]`: modules, types, dicts of modules and of types, code,
 * frames), or it is at the depth limit (`[+]`, default 7); else `[-]`.
 *
 * Text, as RefPatRow.__str__ prints it:
 *   ' 0: _ --- [-] 1 list: 0x7f..*0'
 * '%2d: <name> ', filled with '-' (even rows) or ' ' (odd rows) up to
 * column 9 + depth, then ' <marker> ', then `count kind: items` cut to 80
 * columns (heapy's get_str_refpat: renderings in address order while they
 * fit, the last one marked '...', then sorted as strings).  Names are
 * ixl strings: '_' for row 0, then a letter per level ('a' = child 0),
 * runs of more than two letters as letter+count ('a3').  The title is
 * "Reference Pattern by <[dict of] class>." for Clodo.
 *
 * The top row's kind is the classifier's label when the whole set has one
 * kind, else the labels joined by " | " in parentheses (heapy prints its
 * union kind).
 */
#ifndef MEMTRACK_REFPAT_H
#define MEMTRACK_REFPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtrack/error.h"
#include "memtrack/graph.h"
#include "memtrack/partition.h"
#include "memtrack/set.h"
#include "memtrack/strbuf.h"

#define MT_REFPAT_DEPTH 7
#define MT_REFPAT_PAGE 10
#define MT_REFPAT_WIDTH 80

typedef enum {
	MT_REFPAT_EXPAND = 0, /* [-]   */
	MT_REFPAT_SEEN,	      /* [^ n] */
	MT_REFPAT_ROOT,	      /* [R]   */
	MT_REFPAT_STOP,	      /* [S]   */
	MT_REFPAT_LIMIT	      /* [+]   */
} mt_refpat_marker;

typedef struct mt_refpat_row {
	size_t index;	 /* line number                          */
	unsigned depth;	 /* 0 for the set itself                 */
	size_t parent;	 /* line of the parent row (SIZE_MAX: none) */
	size_t child;	 /* position among the parent's children */
	const char *name; /* ixl string, owned by the pattern     */
	const char *kind; /* kind label, owned by the pattern      */
	mt_set *set;	 /* borrowed from the pattern             */
	mt_refpat_marker marker;
	size_t seen;	 /* the earlier line, for MT_REFPAT_SEEN */
} mt_refpat_row;

typedef struct mt_refpat mt_refpat;

/* A pattern for x over g.  c (NULL: a Clodo classifier of its own) and g
 * are borrowed until mt_refpat_free; x is referenced.  depth 0 means
 * MT_REFPAT_DEPTH.  Caller frees. */
mt_status mt_refpat_new(mt_refpat **out, const mt_graph *g, mt_classifier *c,
			mt_set *x, unsigned depth, mt_err *err);
void mt_refpat_free(mt_refpat *rp);

/* Row i, generating rows up to it: MT_END when the pattern has fewer
 * rows.  *row is valid until mt_refpat_free. */
mt_status mt_refpat_row_at(mt_refpat *rp, size_t i, const mt_refpat_row **row,
			   mt_err *err);
/* All rows generated (a request went past the last). */
bool mt_refpat_complete(const mt_refpat *rp);

/* The text of row i (no newline). */
mt_status mt_refpat_line(mt_refpat *rp, size_t i, mt_strbuf *out,
			 mt_err *err);

/* A page from row `first`, heapy's way: the title when `title`, up to
 * MT_REFPAT_PAGE rows (one more when it is the last), then
 * "<Type e.g. '_.more' for more.>" (with "N more lines. " inside when the
 * pattern is complete).  Lines end with '\n'; *next (may be NULL) gets the
 * first row not shown. */
mt_status mt_refpat_format(mt_refpat *rp, size_t first, bool title,
			   mt_strbuf *out, size_t *next, mt_err *err);

#endif
