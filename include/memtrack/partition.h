/* Classifiers and partitions: the analysis layer under heapy-style tables.
 *
 * A classifier maps each object of a graph to a *kind*, a small dense integer
 * with a label (heapy's interned kinds: two objects have the same kind iff
 * the classifier puts them together).  A partition groups a set of objects
 * by kind into rows (label, count, size), sorted heapy's way: by size
 * descending, then by label.  Rows are plain data for any front end; the
 * text table is in table.h.  No curses, no printing.
 *
 * The built-in classifiers (header / label; each is a row of the
 * classifier table, classifier.h, which plugins extend; doc/analysis.md
 * "Classifiers" has the details and where memtrack differs from heapy):
 *   CLODO   "Kind (class / dict of class)": a non-dict gets its type's
 *           label; an exact dict `dict of <owner's type label>` when it has
 *           an owner (graph.h, mt_graph_dict_owner), else `dict (no owner)`
 *   TYPE    "Type": the type's label
 *   RCS     "Referrers by Kind (class / dict of class)": the set of CLODO
 *           labels of the referrers, sorted, ', '-joined; `<Nothing>`
 *   VIA     "Referred Via:": the set of via labels (reltext.h) of the
 *           in-edges, sorted as Python sorts the repr strings
 *   SIZE    "Individual Size": '%9d' of the size
 *   ID      "Identity": one kind per object, labelled like heapy's
 *           identity table renders it (pyrepr.h, mt_pyrepr_limited)
 *   IDSET   "by identity set": `<1 list: 0x7f..*1>`
 *   UNITY   "<unclassified>": `<Anything>` for everything
 *   MODULE  "Module": a module's name, `~module` for other objects
 *   SURPLUS "Refcount surplus": `+0`, `+2`, `-1`, `immortal`, `virtual`
 *   CYCLE   "Reference cycle": `cycle #3 (12 objects)`, `<no cycle>`
 *   AND     a combination A&B: header `Type & Individual Size`, label
 *           `list & 64` (heapy's AndClassifier rendering)
 * Kinds of RCS and VIA are sets; their members are available as strings
 * (mt_classifier_set_member) for the symbolic kinds of kind.h.
 */
#ifndef MEMTRACK_PARTITION_H
#define MEMTRACK_PARTITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtrack/error.h"
#include "memtrack/graph.h"

typedef enum {
	MT_CLASSIFY_CLODO = 0,
	MT_CLASSIFY_TYPE = 1,
	MT_CLASSIFY_RCS,
	MT_CLASSIFY_VIA,
	MT_CLASSIFY_SIZE,
	MT_CLASSIFY_ID,
	MT_CLASSIFY_IDSET,
	MT_CLASSIFY_UNITY,
	MT_CLASSIFY_MODULE,
	MT_CLASSIFY_SURPLUS,
	MT_CLASSIFY_CYCLE,
	MT_CLASSIFY_AND, /* made by mt_classifier_new_combo only */
	MT_CLASSIFY_OTHER /* a row of the table without an enum value
			     (plugins' classifiers, classifier.h) */
} mt_classify_by;

typedef struct mt_classifier mt_classifier;

/* A single built-in classifier name -> *by: clodo, type, rcs, via, size,
 * id, idset, unity, module, surplus, cycle, also capitalised as heapy's
 * by() takes them (Clodo, Type, Rcs, Size...); MT_ARG for anything else,
 * including combinations (use mt_classifier_new_named for "Type&Size")
 * and rows without an enum value (classifier.h, mt_classifier_def_find). */
mt_status mt_classify_parse(const char *name, mt_classify_by *by);

/* Classifiers are reference-counted (like sets and kinds): every
 * constructor returns one reference, mt_classifier_ref adds one and
 * mt_classifier_unref drops one, freeing at zero.  A classifier borrows its
 * graph until it is freed.  The usual way to get one is mt_ctx_classifier
 * (ctx.h), which shares one classifier per name; these constructors make a
 * private one. */
mt_classifier *mt_classifier_ref(mt_classifier *c);
void mt_classifier_unref(mt_classifier *c); /* c may be NULL */
/* The same as mt_classifier_unref (the name before reference counting). */
void mt_classifier_free(mt_classifier *c);

/* A classifier over g.  Caller unrefs. */
mt_status mt_classifier_new(mt_classifier **out, const mt_graph *g,
			    mt_classify_by by, mt_err *err);

/* The combination a&b (heapy's `by('A&B')`): the kind of an object is the
 * pair of its kinds.  Takes over one reference of a and of b (dropped
 * with the combo, or at once on failure); both must be over the same
 * graph. */
mt_status mt_classifier_new_combo(mt_classifier **out, mt_classifier *a,
				  mt_classifier *b, mt_err *err);

/* A classifier from a name as heapy's by() takes it: one name
 * (mt_classify_parse) or names joined by '&' ("Type&Size", "clodo&via"),
 * combined left to right.  MT_ARG naming the bad part otherwise. */
mt_status mt_classifier_new_named(mt_classifier **out, const mt_graph *g,
				  const char *spec, mt_err *err);

/* The canonical form of a classifier name (any spelling, combinations
 * too): each part's row name, lower case, joined by '&' ("Type & IndiSize"
 * -> "type&size").  MT_ARG naming the bad part (also when it does not fit
 * in n bytes). */
mt_status mt_classifier_canonical(const char *spec, char *buf, size_t n,
				  mt_err *err);
/* The canonical name of c ("clodo", "type&size"), owned by c. */
const char *mt_classifier_name(const mt_classifier *c);

mt_classify_by mt_classifier_by(const mt_classifier *c);
/* The two parts of an AND classifier (borrowed), NULL for others. */
mt_classifier *mt_classifier_part(const mt_classifier *c, int which);

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

/* The kind of every object at once: *kinds (N entries, an array of
 * mt_big_alloc's: caller frees with mt_big_free()) like N calls of
 * mt_classifier_classify. */
mt_status mt_classifier_classify_all(mt_classifier *c, uint32_t **kinds,
				     mt_err *err);

/* Kinds of n objects written as uint16 while every kind fits, then as
 * uint32 (what was written widened in place), so that the kinds of a
 * partition with fewer than 65536 kinds take 2 bytes an object, written
 * once (never 4, then packed): mt_kinds_out_init (narrow false: uint32
 * from the start), mt_kinds_out_put for j = 0 .. n-1 in order, then
 * mt_kinds_out_take (one of *k32 and *k16 set, the other NULL: an array
 * of mt_big_alloc's, caller frees with mt_big_free) or mt_kinds_out_free
 * (either may follow a failed init). */
typedef struct mt_kinds_out {
	char *a; /* 4 n bytes reserved; the first 2 n used while narrow */
	size_t n;
	bool wide;
} mt_kinds_out;

mt_status mt_kinds_out_init(mt_kinds_out *o, size_t n, bool narrow,
			    mt_err *err);
void mt_kinds_out_widen_(mt_kinds_out *o, size_t j);
static inline void mt_kinds_out_put(mt_kinds_out *o, size_t j, uint32_t k)
{
	if (!o->wide && k > UINT16_MAX)
		mt_kinds_out_widen_(o, j);
	if (o->wide)
		((uint32_t *)(void *)o->a)[j] = k;
	else
		((uint16_t *)(void *)o->a)[j] = (uint16_t)k;
}
void mt_kinds_out_take(mt_kinds_out *o, uint32_t **k32, uint16_t **k16);
void mt_kinds_out_free(mt_kinds_out *o);

/* RCS and VIA kinds are sets: the number of members of a kind (0 for
 * other classifiers) and member i (in no particular order) as text, owned
 * by the classifier: a
 * CLODO label for RCS, the via text before repr() for VIA (".name",
 * "['k']", "list(_)[0]"). */
size_t mt_classifier_set_size(const mt_classifier *c, uint32_t kind);
const char *mt_classifier_set_member(const mt_classifier *c, uint32_t kind,
				     size_t i);

/* The numeric value behind a kind: the size for SIZE, the surplus for
 * SURPLUS (INT64_MIN for immortal, INT64_MAX for virtual), the object id
 * for ID and IDSET, the cycle number for CYCLE (-1 for none); 0 else. */
int64_t mt_classifier_kind_value(const mt_classifier *c, uint32_t kind);

/* Whether a refcount read from a dump with header h is CPython's immortal
 * count (3.12+; 64-bit: the low 32 bits negative as int32, as
 * _Py_IsImmortal tests; 32-bit: at least 2^30 - 1).  Always false
 * before 3.12. */
bool mt_refcnt_immortal(const mt_header *h, uint64_t refcnt);

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

/* The same, telling cb (may be NULL) progress in objects classified; cb
 * cancels (MT_CANCELLED) by returning non-zero.  mt_ctx_partition (ctx.h)
 * calls it with the context's progress function. */
mt_status mt_partition_new_progress(mt_partition **out, mt_classifier *c,
				    const uint32_t *ids, size_t n,
				    mt_progress_fn cb, void *cbdata,
				    mt_err *err);

/* A partition made of given rows (labels and header copied; cumul and kind
 * of the input ignored), sorted like any other: for tests and for tables
 * built elsewhere. */
mt_status mt_partition_from_rows(mt_partition **out, const char *header,
				 const mt_partition_row *rows, size_t n,
				 mt_err *err);

/* The same from kinds made already (mt_classifier_classify_all or one
 * mt_classifier_classify per member): object ids[i] (i when ids is NULL,
 * n then being the graph's count) is of kind kinds[i] of c.  No
 * classification, one pass over the arrays (0.2 s at 80M objects), told
 * to cb (may be NULL) every 2^16 members, which may cancel (MT_CANCELLED).
 * Both arrays borrowed for the call; caller frees *out. */
mt_status mt_partition_from_kinds(mt_partition **out, mt_classifier *c,
				  const uint32_t *ids, const uint32_t *kinds,
				  size_t n, mt_progress_fn cb, void *cbdata,
				  mt_err *err);
/* The same with the kinds as uint16 (every kind below 65536: half the
 * memory of a whole heap's kinds). */
mt_status mt_partition_from_kinds16(mt_partition **out, mt_classifier *c,
				    const uint32_t *ids,
				    const uint16_t *kinds, size_t n,
				    mt_progress_fn cb, void *cbdata,
				    mt_err *err);

void mt_partition_free(mt_partition *p);

size_t mt_partition_nrows(const mt_partition *p);
/* Row i < nrows, borrowed from p. */
const mt_partition_row *mt_partition_row_at(const mt_partition *p, size_t i);
/* Row i's label, handed over (the caller frees it); the row's label is
 * NULL after.  For a caller that keeps the labels of millions of rows
 * instead of copying them. */
char *mt_partition_take_label(mt_partition *p, size_t i);
uint64_t mt_partition_count(const mt_partition *p); /* objects in all rows */
uint64_t mt_partition_size(const mt_partition *p);  /* bytes in all rows   */
const char *mt_partition_header(const mt_partition *p);

#endif
