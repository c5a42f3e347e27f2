/* The context of one loaded dump (include/memtrack/ctx.h).
 *
 * Owns what is derived from the graph, each made on first need: the set of
 * all objects, the classifier cache (the 16 most recently asked canonical
 * names, least recently asked evicted first; an entry holds one reference),
 * the dominator tree, the dominance context and the reference cycles (a
 * shared, reference-counted block: CYCLE classifiers keep their own
 * reference, clspriv.h).  A failed or cancelled build leaves its member
 * NULL, so the next call builds again.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clspriv.h"
#include "memtrack/classifier.h"
#include "memtrack/ctx.h"
#include "memtrack/scc.h"

enum { NCACHE = 16, NAMELEN = 64 };

struct entry {
	char name[NAMELEN]; /* canonical */
	mt_classifier *c;   /* one reference */
};

struct mt_ctx {
	const mt_graph *g;
	mt_ctx_progress_fn cb;
	void *cbdata;
	mt_set *all;
	struct entry cache[NCACHE]; /* most recently asked last */
	size_t ncache;
	mt_domtree *dt;
	mt_dominance *dom;
	struct mt_cycles *cy;
};

mt_status mt_ctx_new(mt_ctx **out, const mt_graph *g, mt_err *err)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return mt_cls_nomem(err, "context");
	(*out)->g = g;
	return MT_OK;
}

void mt_ctx_free(mt_ctx *c)
{
	size_t i;
	if (!c)
		return;
	for (i = 0; i < c->ncache; i++)
		mt_classifier_unref(c->cache[i].c);
	mt_dominance_free(c->dom);
	mt_domtree_free(c->dt);
	mt_cycles_unref_(c->cy);
	mt_set_unref(c->all);
	free(c);
}

const mt_graph *mt_ctx_graph(const mt_ctx *c) { return c->g; }

mt_set *mt_ctx_all(mt_ctx *c)
{
	mt_err err;
	if (!c->all && mt_set_all(&c->all, c->g, &err) != MT_OK)
		c->all = NULL;
	return c->all;
}

/* ---- progress ---------------------------------------------------------------- */

void mt_ctx_set_progress(mt_ctx *c, mt_ctx_progress_fn cb, void *cbdata)
{
	c->cb = cb;
	c->cbdata = cbdata;
}

int mt_ctx_progress(mt_ctx *c, const char *what, uint64_t done,
		    uint64_t total)
{
	return c && c->cb ? c->cb(c->cbdata, what, done, total) : 0;
}

/* An mt_progress_fn of the lower layers, labelled for the context's. */
struct labelled {
	mt_ctx *c;
	const char *what;
};

static int labelled_progress(void *data, uint64_t done, uint64_t total)
{
	struct labelled *l = data;
	return mt_ctx_progress(l->c, l->what, done, total);
}

static int ctx_progress(void *c, const char *what, uint64_t done,
			uint64_t total)
{
	return mt_ctx_progress(c, what, done, total);
}

/* ---- classifiers -------------------------------------------------------------- */

/* Index of the cached entry named name, moved to the end (most recent);
 * ncache when none. */
static size_t cache_find(mt_ctx *c, const char *name)
{
	size_t i;
	for (i = 0; i < c->ncache; i++)
		if (!strcmp(c->cache[i].name, name)) {
			struct entry e = c->cache[i];
			memmove(c->cache + i, c->cache + i + 1,
				(c->ncache - i - 1) * sizeof *c->cache);
			c->cache[c->ncache - 1] = e;
			return c->ncache - 1;
		}
	return c->ncache;
}

/* Caches cls (adding a reference) under name, evicting the least
 * recently asked entry when full: its holders keep it alive. */
static void cache_put(mt_ctx *c, const char *name, mt_classifier *cls)
{
	if (c->ncache == NCACHE) {
		mt_classifier_unref(c->cache[0].c);
		memmove(c->cache, c->cache + 1,
			(NCACHE - 1) * sizeof *c->cache);
		c->ncache--;
	}
	memcpy(c->cache[c->ncache].name, name, NAMELEN);
	c->cache[c->ncache++].c = mt_classifier_ref(cls);
}

mt_status mt_ctx_classifier(mt_ctx *c, const char *name, mt_classifier **out,
			    mt_err *err)
{
	char key[NAMELEN];
	mt_status st;
	size_t i;
	*out = NULL;
	if ((st = mt_classifier_canonical(name, key, sizeof key, err)) != MT_OK)
		return st;
	if ((i = cache_find(c, key)) < c->ncache) {
		*out = mt_classifier_ref(c->cache[i].c);
		return MT_OK;
	}
	if (!strchr(key, '&'))
		st = mt_classifier_new_def(out, c->g, mt_classifier_def_find(key),
					   c, err);
	else
		st = mt_classifier_new_spec_(out, c->g, c, key, err);
	if (st == MT_OK)
		cache_put(c, key, *out);
	return st;
}

mt_status mt_ctx_classify_all(mt_ctx *c, mt_classifier *cls, uint32_t **kinds,
			      mt_err *err)
{
	char what[NAMELEN + 16];
	snprintf(what, sizeof what, "partition by %s", mt_classifier_name(cls));
	return mt_classifier_classify_all_cb(cls, kinds, ctx_progress, c, what,
					     err);
}

mt_status mt_ctx_partition(mt_ctx *c, mt_classifier *cls, const mt_set *s,
			   mt_partition **out, mt_err *err)
{
	static const uint32_t no_ids[1];
	char what[NAMELEN + 16];
	struct labelled l = {c, what};
	const uint32_t *ids = NULL; /* every object */
	if (s) /* an empty set has no ids, and NULL means every object */
		ids = mt_set_count(s) ? mt_set_ids(s) : no_ids;
	snprintf(what, sizeof what, "partition by %s", mt_classifier_name(cls));
	return mt_partition_new_progress(out, cls, ids,
					 s ? mt_set_count(s) : 0,
					 labelled_progress, &l, err);
}

/* ---- dominators and cycles ---------------------------------------------------- */

mt_status mt_ctx_domtree(mt_ctx *c, const mt_domtree **out, mt_err *err)
{
	struct labelled l = {c, "dominator tree"};
	mt_status st;
	*out = NULL;
	if (!c->dt) {
		/* asked once at the start too: small graphs report no steps */
		if (mt_ctx_progress(c, l.what, 0, mt_graph_count(c->g)))
			return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
					  MT_NO_OFFSET, "%s", l.what);
		st = mt_domtree_build(&c->dt, c->g, labelled_progress, &l, err);
		if (st != MT_OK) {
			c->dt = NULL;
			return st;
		}
	}
	*out = c->dt;
	return MT_OK;
}

mt_status mt_ctx_dominance(mt_ctx *c, mt_dominance **out, mt_err *err)
{
	struct labelled l = {c, "dominance"};
	const mt_domtree *t;
	mt_status st;
	*out = NULL;
	if (!c->dom) {
		if ((st = mt_ctx_domtree(c, &t, err)) != MT_OK)
			return st;
		if ((st = mt_dominance_new_progress(&c->dom, c->g, t,
						    labelled_progress, &l,
						    err)) != MT_OK) {
			c->dom = NULL;
			return st;
		}
	}
	*out = c->dom;
	return MT_OK;
}

bool mt_ctx_has_domtree(const mt_ctx *c) { return c->dt != NULL; }

void mt_cycles_unref_(struct mt_cycles *cy)
{
	if (cy && !--cy->refs) {
		free(cy->comp);
		free(cy->sizes);
		free(cy);
	}
}

static mt_status build_cycles(mt_ctx *c, mt_err *err)
{
	struct labelled l = {c, "reference cycles"};
	struct mt_cycles *cy = calloc(1, sizeof *cy);
	mt_status st;
	if (!cy)
		return mt_cls_nomem(err, "reference cycles");
	st = mt_scc_cycles_progress(c->g, labelled_progress, &l, &cy->comp,
				    &cy->sizes, &cy->n, err);
	if (st != MT_OK) {
		free(cy);
		return st;
	}
	cy->refs = 1;
	c->cy = cy;
	return MT_OK;
}

mt_status mt_ctx_cycles_ref_(mt_ctx *c, struct mt_cycles **out, mt_err *err)
{
	mt_status st;
	*out = NULL;
	if (!c->cy && (st = build_cycles(c, err)) != MT_OK)
		return st;
	c->cy->refs++;
	*out = c->cy;
	return MT_OK;
}

mt_status mt_ctx_cycles(mt_ctx *c, const uint32_t **comp,
			const uint32_t **sizes, uint32_t *ncycles, mt_err *err)
{
	mt_status st;
	if (!c->cy && (st = build_cycles(c, err)) != MT_OK)
		return st;
	if (comp)
		*comp = c->cy->comp;
	if (sizes)
		*sizes = c->cy->sizes;
	if (ncycles)
		*ncycles = c->cy->n;
	return MT_OK;
}

size_t mt_ctx_memory(const mt_ctx *c)
{
	size_t n = sizeof *c;
	if (c->all)
		n += mt_set_count(c->all) * sizeof(uint32_t);
	if (c->dt)
		n += mt_domtree_memory(c->dt);
	if (c->cy)
		n += (mt_graph_count(c->g) + (size_t)c->cy->n) *
		     sizeof(uint32_t);
	return n;
}
