/* mt_ctx: the one owner of everything derived from one loaded dump.
 *
 * A context borrows one graph (until mt_ctx_free) and owns, built on first
 * need and kept until freed: the classifiers (by canonical name, shared,
 * reference-counted), the set of all objects, the dominator tree, the
 * dominance context (dominance.h) and the reference cycles (scc.h).  The
 * query layer (query.h) and the browser both ask the context; neither keeps
 * its own copy.  Contexts are independent: two contexts over two graphs can
 * be open at once (dump comparison).
 *
 * Long computations -- the dominator tree, dominance, the cycles, the
 * classifiers that need a pass over the whole graph (RCS, CYCLE) and the
 * partitions and classify_all made through the context -- report progress
 * to the context's one progress function and are cancelled when it returns
 * non-zero: the call then fails with MT_CANCELLED, nothing of it is cached,
 * and the next call starts over.
 *
 * Lifetimes (msgpack-c style: "borrowed" = valid until the named event):
 *   - the graph:          borrowed by the context until mt_ctx_free;
 *   - mt_ctx_classifier:  a NEW reference (drop it with
 *                         mt_classifier_unref).  The cache holds its own
 *                         reference while the entry is cached (the 16 most
 *                         recently asked names), so a classifier lives as
 *                         long as any holder: past its eviction and past
 *                         mt_ctx_free (it needs only the graph);
 *   - mt_ctx_all, mt_ctx_domtree, mt_ctx_dominance, mt_ctx_cycles:
 *                         borrowed from the context until mt_ctx_free
 *                         (mt_set_ref the set to keep it longer);
 *   - partitions and kinds arrays: new, the caller frees them.
 * The dominator tree may come from a saved index beside the dump
 * (mt_ctx_use_saved_index, savedidx.h) and is saved there once built.
 * Not thread-safe: one thread uses a context at a time.
 */
#ifndef MEMTRACK_CTX_H
#define MEMTRACK_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtrack/dominance.h"
#include "memtrack/dominator.h"
#include "memtrack/error.h"
#include "memtrack/graph.h"
#include "memtrack/partition.h"
#include "memtrack/savedidx.h"
#include "memtrack/set.h"

typedef struct mt_ctx mt_ctx;

/* Progress of a long computation: `what` names it for a progress bar
 * ("dominator tree", "reference cycles", "partition by rcs"), done/total
 * in objects.  Return non-zero to cancel. */
typedef int (*mt_ctx_progress_fn)(void *cbdata, const char *what,
				  uint64_t done, uint64_t total);

/* A context over g (borrowed until mt_ctx_free).  Cheap: nothing is
 * computed before it is asked for.  Caller frees. */
mt_status mt_ctx_new(mt_ctx **out, const mt_graph *g, mt_err *err);
void mt_ctx_free(mt_ctx *c); /* c may be NULL */
const mt_graph *mt_ctx_graph(const mt_ctx *c);

/* The set of every object, made on first call; borrowed until
 * mt_ctx_free.  NULL when out of memory. */
mt_set *mt_ctx_all(mt_ctx *c);

/* The progress function of every long computation the context makes,
 * whoever asked for it (replaces the previous one).  cb may be NULL: no
 * progress, no cancel.  The browser installs its progress bar here; batch
 * runs install nothing or a signal-driven cancel. */
void mt_ctx_set_progress(mt_ctx *c, mt_ctx_progress_fn cb, void *cbdata);
/* Reports to the installed function (0 when none): for code that runs a
 * long loop on the context's behalf (classifier prepare functions). */
int mt_ctx_progress(mt_ctx *c, const char *what, uint64_t done,
		    uint64_t total);

/* The classifier named `name` as heapy's by() takes it, any spelling
 * ("Type & Size" == "type&size", "IndiSize" == "size"), made on first use
 * and cached by its canonical name (mt_classifier_name).  *out is a new
 * reference (mt_classifier_unref).  MT_ARG naming the bad part for an
 * unknown name; MT_CANCELLED (nothing cached) when a classifier that
 * needs a whole-graph pass was cancelled. */
mt_status mt_ctx_classifier(mt_ctx *c, const char *name, mt_classifier **out,
			    mt_err *err);

/* mt_partition_new over the objects of s (every object when s is NULL)
 * with progress and cancel.  cls is borrowed for the call (any classifier
 * of this context's graph).  Caller frees *out. */
mt_status mt_ctx_partition(mt_ctx *c, mt_classifier *cls, const mt_set *s,
			   mt_partition **out, mt_err *err);
/* mt_classifier_classify_all with progress and cancel: *kinds has N
 * entries, caller frees with mt_big_free() (memtrack/util.h).  With
 * kinds16 not NULL, the kinds go to *kinds16 instead (N uint16, *kinds
 * NULL) when every kind fits (mt_kinds_out, partition.h). */
mt_status mt_ctx_classify_all(mt_ctx *c, mt_classifier *cls, uint32_t **kinds,
			      uint16_t **kinds16, mt_err *err);

/* The dominator tree, built on first call (progress "dominator tree",
 * cancellable); borrowed until mt_ctx_free. */
mt_status mt_ctx_domtree(mt_ctx *c, const mt_domtree **out, mt_err *err);
/* The dominance context over that tree (builds the tree first when
 * needed; progress "dominance"); borrowed until mt_ctx_free. */
mt_status mt_ctx_dominance(mt_ctx *c, mt_dominance **out, mt_err *err);
/* Whether the tree is built already (no work), so a view can show
 * "Retained: press r" instead of starting a long build by itself. */
bool mt_ctx_has_domtree(const mt_ctx *c);

/* Saved indexes (savedidx.h): the dominator tree is taken from the index
 * beside the dump at dump_path (copied) when it is valid for this graph,
 * else built and saved there (progress "saved index" while one is
 * checked, "saving index" while one is written; cancelling either only
 * loses the index).  before is the dump's key taken before the graph was
 * loaded (mt_savedidx_probe; copied): the index is used or saved only when
 * the dump still has that key and it fits the graph.  Call before the
 * first mt_ctx_domtree; without this call nothing is read or written. */
void mt_ctx_use_saved_index(mt_ctx *c, const char *dump_path,
			    const mt_savedidx_key *before);

typedef enum {
	MT_CTX_INDEX_OFF,      /* no saved index asked for */
	MT_CTX_INDEX_PENDING,  /* asked for, the tree not needed yet */
	MT_CTX_INDEX_REUSED,   /* the tree came from the index */
	MT_CTX_INDEX_SAVED,    /* built and saved (no index before) */
	MT_CTX_INDEX_REPLACED, /* an index was ignored; built and saved */
	MT_CTX_INDEX_UNSAVED   /* built, no index saved */
} mt_ctx_index_state;

/* What became of the saved index, and *note (may be NULL): a one-line
 * text for a status line, borrowed until mt_ctx_free, set for REPLACED
 * ("saved index ignored (...): saved again") and UNSAVED ("no saved
 * index: ..."), else NULL. */
mt_ctx_index_state mt_ctx_index(const mt_ctx *c, const char **note);

/* Reference cycles (scc.h), computed once (progress "reference cycles"):
 * comp[i] is object i's cycle number or MT_NO_ID; sizes[k] the object
 * count of cycle k.  Borrowed until mt_ctx_free.  Any out pointer may be
 * NULL. */
mt_status mt_ctx_cycles(mt_ctx *c, const uint32_t **comp,
			const uint32_t **sizes, uint32_t *ncycles, mt_err *err);

/* Bytes held by the derived data the context keeps itself (all set,
 * tree, cycles; not the classifiers), for status lines and benchmarks. */
size_t mt_ctx_memory(const mt_ctx *c);

#endif
