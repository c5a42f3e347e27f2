/* Classifiers and partitions: the analysis layer under heapy-style tables.
 *
 * A classifier maps each object of a graph to a *kind*, a small dense integer
 * with a label (heapy's interned kinds: two objects have the same kind iff
 * the classifier puts them together).  A partition groups a set of objects
 * by kind into rows (label, count, size), sorted heapy's way: by size
 * descending, then by label.  Rows are plain data for any front end; the
 * text table is in table.h.  No curses, no printing.
 *
 * Classifiers now: CLODO (heapy's default, "class / dict of class": a
 * non-dict gets its type's label; an exact dict gets `dict of <owner's type
 * label>` when it has an owner (graph.h, mt_graph_dict_owner), else
 * `dict (no owner)`) and TYPE (the type's label).
 */
#ifndef MEMTRACK_PARTITION_H
#define MEMTRACK_PARTITION_H

#include <stddef.h>
#include <stdint.h>

#include "memtrack/error.h"
#include "memtrack/graph.h"

typedef enum { MT_CLASSIFY_CLODO = 0, MT_CLASSIFY_TYPE = 1 } mt_classify_by;

typedef struct mt_classifier mt_classifier;

/* "clodo" or "type" -> *by; MT_ARG for anything else. */
mt_status mt_classify_parse(const char *name, mt_classify_by *by);

/* A classifier over g (borrowed until mt_classifier_free).  Caller frees. */
mt_status mt_classifier_new(mt_classifier **out, const mt_graph *g,
			    mt_classify_by by, mt_err *err);
void mt_classifier_free(mt_classifier *c);

/* The graph the classifier was made for. */
const mt_graph *mt_classifier_graph(const mt_classifier *c);

/* heapy's column header: "Kind (class / dict of class)" or "Type". */
const char *mt_classifier_header(const mt_classifier *c);

/* The kind of object id (interning a new kind if needed). */
mt_status mt_classifier_classify(mt_classifier *c, uint32_t id, uint32_t *kind,
				 mt_err *err);
uint32_t mt_classifier_kind_count(const mt_classifier *c);
/* Label of a kind, owned by the classifier. */
const char *mt_classifier_label(const mt_classifier *c, uint32_t kind);

typedef struct mt_partition_row {
	const char *label; /* owned by the partition */
	uint64_t count;	   /* objects                */
	uint64_t size;	   /* bytes                  */
	uint64_t cumul;	   /* size of rows 0..this   */
	uint32_t kind;	   /* classifier kind, or the input index for
			      mt_partition_from_rows */
} mt_partition_row;

typedef struct mt_partition mt_partition;

/* Partitions ids[0..n) (every object of the graph when ids is NULL) by c.
 * c is borrowed for the call only.  Caller frees. */
mt_status mt_partition_new(mt_partition **out, mt_classifier *c,
			   const uint32_t *ids, size_t n, mt_err *err);

/* A partition made of given rows (labels and header copied; cumul and kind
 * of the input ignored), sorted like any other: for tests and for tables
 * built elsewhere. */
mt_status mt_partition_from_rows(mt_partition **out, const char *header,
				 const mt_partition_row *rows, size_t n,
				 mt_err *err);

void mt_partition_free(mt_partition *p);

size_t mt_partition_nrows(const mt_partition *p);
/* Row i < nrows, borrowed from p. */
const mt_partition_row *mt_partition_row_at(const mt_partition *p, size_t i);
uint64_t mt_partition_count(const mt_partition *p); /* objects in all rows */
uint64_t mt_partition_size(const mt_partition *p);  /* bytes in all rows   */
const char *mt_partition_header(const mt_partition *p);

#endif
