/* The classifier table: one row per classifier.
 *
 * A row (mt_classifier_def) says everything memtrack knows about one
 * classifier: its by() name, heapy's column header, the browser's key, a
 * one-line help, and the functions that classify.  The query layer
 * (`.byX` attributes, `by('X')`, Tab completion, help) and the browser
 * (keys, help view, status hints) drive themselves from the table
 * (mt_classifier_defs); nobody else lists classifiers.
 *
 * The table is built at compile time from two X-macro lists:
 * src/analysis/classifiers.def (the built-in rows, in the order shown)
 * and plugins/classifiers.def (rows from plugins/, appended).  A line
 * MT_CLASSIFIER(foo) there names the row `mt_classifier_def_foo`, a const
 * object defined in the plugin's or group's .c file.  doc/hacking.md
 * "Add a classifier" walks through one.
 *
 * How the infrastructure (classifier.c) uses a row: classify() maps an
 * object to a 64-bit key; the infrastructure interns keys into dense kind
 * numbers (first seen, first numbered) and asks label() once per new kind.
 * Per-classifier state is state_size zeroed bytes (mt_classifier_state),
 * set up by prepare() and released by release().  Combinations (A&B),
 * reference counting, caching in a context (ctx.h), partitions and
 * labels' memory are the infrastructure's business, not the row's.
 */
#ifndef MEMTRACK_CLASSIFIER_H
#define MEMTRACK_CLASSIFIER_H

#include <stddef.h>
#include <stdint.h>

#include "memtrack/error.h"
#include "memtrack/graph.h"
#include "memtrack/partition.h"
#include "memtrack/strbuf.h"

struct mt_ctx;

/* Row flags. */
enum {
	/* classify() returns the kind number itself, numbered densely in
	 * order of first appearance (a new key is at most the kind count):
	 * no key hash is kept (RCS and VIA, whose keys are set numbers). */
	MT_CLS_DENSE = 1 << 0,
	/* prepare() or classify_all() makes a pass over the whole graph:
	 * front ends show progress (RCS, VIA, CYCLE). */
	MT_CLS_SLOW = 1 << 1,
	/* a kind is a set of strings: set_size/set_member (RCS, VIA). */
	MT_CLS_SETKINDS = 1 << 2,
};

typedef struct mt_classifier_def {
	/* by() name, lower case ("clodo"), matched case-insensitively;
	 * `.byclodo` in the query language.  alias: another accepted name
	 * or NULL ("indisize" for size). */
	const char *name;
	const char *alias;
	const char *header; /* heapy's column header: "Type" */
	/* header of its column inside a combination A&B, NULL: header */
	const char *and_header;
	char key;	  /* the browser's key, 0: none */
	const char *help; /* one line: "the object's type" */
	unsigned flags;	  /* MT_CLS_* */
	mt_classify_by by; /* built-ins' enum value; MT_CLASSIFY_OTHER else */
	size_t state_size; /* zeroed bytes of state, mt_classifier_state */

	/* Sets up the state (may be NULL).  mt_classifier_ctx(c) is the
	 * context making the classifier (for shared data: cycles, other
	 * classifiers) and mt_ctx_progress reports a long pass.  On failure
	 * release() is still called. */
	mt_status (*prepare)(mt_classifier *c, mt_err *err);
	/* Frees what the state owns (may be NULL). */
	void (*release)(mt_classifier *c);
	/* The key of object id. */
	mt_status (*classify)(mt_classifier *c, uint32_t id, uint64_t *key,
			      mt_err *err);
	/* The label of a new kind (key, first seen on object id): either a
	 * string that lives as long as c (a constant, or text the state
	 * keeps), or NULL after writing the label into b (empty on entry;
	 * the infrastructure keeps a copy).  Failure: set b->nomem (a failed
	 * mt_strbuf append does). */
	const char *(*label)(mt_classifier *c, uint64_t key, uint32_t id,
			     mt_strbuf *b);

	/* Optional (NULL): */
	/* The keys of ids from .. from + count - 1 at once, for a key that
	 * is a 32-bit function of the object alone (no edges read, never a
	 * failure): what classify gives, without a call an object (a
	 * whole heap's kinds: 80M calls).  Not for MT_CLS_DENSE. */
	void (*keys32)(mt_classifier *c, uint32_t from, uint32_t count,
		       uint32_t *keys);
	/* the label inside a combination; NULL: the label itself */
	void (*and_label)(const mt_classifier *c, uint64_t key,
			  const char *label, mt_strbuf *b);
	/* mt_classifier_kind_value; NULL: 0 */
	int64_t (*value)(const mt_classifier *c, uint64_t key);
	/* MT_CLS_SETKINDS: members of a kind (mt_classifier_set_member) */
	size_t (*set_size)(const mt_classifier *c, uint64_t key);
	const char *(*set_member)(const mt_classifier *c, uint64_t key,
				  size_t i);
} mt_classifier_def;

/* The table: *n rows, built-ins first (clodo type rcs via size id idset
 * unity module surplus cycle prod), then plugins' in list order.  Static. */
const mt_classifier_def *const *mt_classifier_defs(size_t *n);
/* The row named name (or its alias), case-insensitively; NULL if none. */
const mt_classifier_def *mt_classifier_def_find(const char *name);
/* The row of a classifier; NULL for a combination A&B. */
const mt_classifier_def *mt_classifier_def_of(const mt_classifier *c);

/* A classifier of one row over g (borrowed until the last unref).  With
 * ctx (may be NULL) the row's prepare borrows shared data from it.  Caller
 * unrefs. */
mt_status mt_classifier_new_def(mt_classifier **out, const mt_graph *g,
				const mt_classifier_def *def,
				struct mt_ctx *ctx, mt_err *err);

/* For a row's functions: what they reach on every object without a call.
 * These are the first members of struct mt_classifier (the rest is
 * private to classifier.c); read them through the accessors. */
struct mt_classifier_head_ {
	const mt_graph *g;
	void *state;
};
/* The row's state (state_size zeroed bytes, NULL for 0). */
static inline void *mt_classifier_state(const mt_classifier *c)
{
	return ((const struct mt_classifier_head_ *)(const void *)c)->state;
}
/* mt_classifier_graph (partition.h), inline for the rows' functions. */
static inline const mt_graph *mt_classifier_graph_(const mt_classifier *c)
{
	return ((const struct mt_classifier_head_ *)(const void *)c)->g;
}
#define mt_classifier_graph(c) mt_classifier_graph_(c)
/* The context making c: valid inside prepare() only (NULL elsewhere). */
struct mt_ctx *mt_classifier_ctx(const mt_classifier *c);

#endif
