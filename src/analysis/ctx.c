/* The context of one loaded dump (include/memtrack/ctx.h).
 *
 * Owns what is derived from the graph, each made on first need: the set of
 * all objects, the classifier cache (the 16 most recently asked canonical
 * names, least recently asked evicted first; an entry holds one reference),
 * the dominator tree, the dominance context and the reference cycles (a
 * shared, reference-counted block: CYCLE classifiers keep their own
 * reference, clspriv.h).  A failed or cancelled build leaves its member
 * NULL, so the next call builds again.
 *
 * The saved index (savedidx.h), when asked for: the first mt_ctx_domtree
 * probes the dump again (it must have the key taken before the load and
 * fit the graph), maps a valid index instead of building, or builds and
 * saves.  Its state and note are the context's (mt_ctx_index).
 */
#include "config.h"

#include <errno.h>
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
	/* the saved index */
	mt_ctx_index_state idx_state;
	char *idx_dump, *idx_path;
	mt_savedidx_key idx_key; /* the dump's, before the load */
	char *idx_note;
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
	free(c->idx_dump);
	free(c->idx_path);
	free(c->idx_note);
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
			      uint16_t **kinds16, mt_err *err)
{
	char what[NAMELEN + 16];
	snprintf(what, sizeof what, "partition by %s", mt_classifier_name(cls));
	return mt_classifier_classify_all_narrow_(cls, kinds, kinds16,
						  ctx_progress, c, what, err);
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

/* ---- the saved index ----------------------------------------------------- */

void mt_ctx_use_saved_index(mt_ctx *c, const char *dump_path,
			    const mt_savedidx_key *before)
{
	free(c->idx_dump);
	free(c->idx_path);
	c->idx_dump = strdup(dump_path);
	c->idx_path = mt_savedidx_path(dump_path);
	c->idx_key = *before;
	c->idx_state = c->idx_dump && c->idx_path ? MT_CTX_INDEX_PENDING
						  : MT_CTX_INDEX_OFF;
}

mt_ctx_index_state mt_ctx_index(const mt_ctx *c, const char **note)
{
	if (note)
		*note = c->idx_note;
	return c->idx_state;
}

/* Why e failed, for a note: its detail (savedidx.c's say what was wrong
 * with the index, an MT_IO's name the file and the system's reason), else
 * the status. */
static void reason(const mt_err *e, char *buf, size_t n)
{
	snprintf(buf, n, "%s",
		 e->detail[0] ? e->detail : mt_status_str(e->code));
}

static void set_note(mt_ctx *c, mt_ctx_index_state st, const char *text)
{
	free(c->idx_note);
	c->idx_note = text ? strdup(text) : NULL;
	c->idx_state = st;
}

/* Before a build: the tree from the index (MT_OK, c->dt set), or
 * MT_CANCELLED (err set), or MT_END: build, and save when *save; *ignored
 * holds why an existing index was refused ("" when none was there). */
static mt_status index_load(mt_ctx *c, bool *save, char *ignored, size_t n,
			    mt_err *err)
{
	struct labelled l = {c, "saved index"};
	mt_savedidx_key now;
	mt_err e;
	mt_status st;
	char why[256];
	*save = false;
	ignored[0] = 0;
	mt_err_clear(&e);
	if ((st = mt_savedidx_probe(c->idx_dump, &now, &e)) != MT_OK) {
		reason(&e, why, sizeof why);
		char note[300];
		snprintf(note, sizeof note, "no saved index: %s", why);
		set_note(c, MT_CTX_INDEX_UNSAVED, note);
		return MT_END;
	}
	if (!mt_savedidx_key_same(&now, &c->idx_key) ||
	    !mt_savedidx_key_fits(&now, c->g)) {
		set_note(c, MT_CTX_INDEX_UNSAVED,
			 "no saved index: the dump changed after it was "
			 "loaded");
		return MT_END;
	}
	*save = true;
	st = mt_savedidx_load(c->idx_path, &c->idx_key, c->g, &c->dt,
			      labelled_progress, &l, &e);
	if (st == MT_OK) {
		set_note(c, MT_CTX_INDEX_REUSED, NULL);
		return MT_OK;
	}
	c->dt = NULL;
	if (st == MT_CANCELLED) {
		if (err)
			*err = e;
		return st;
	}
	if (!(st == MT_IO && e.sys_errno == ENOENT))
		reason(&e, ignored, n);
	return MT_END;
}

/* After a build: saves the tree, and says what became of the index. */
static void index_save(mt_ctx *c, const char *ignored)
{
	struct labelled l = {c, "saving index"};
	char why[256], note[600];
	mt_err e;
	mt_err_clear(&e);
	mt_status st = mt_savedidx_save(c->idx_path, &c->idx_key, c->g, c->dt,
					labelled_progress, &l, &e);
	if (st == MT_OK && !ignored[0]) {
		set_note(c, MT_CTX_INDEX_SAVED, NULL);
		return;
	}
	if (st == MT_OK) {
		snprintf(note, sizeof note, "saved index ignored (%s): saved "
					    "again", ignored);
		set_note(c, MT_CTX_INDEX_REPLACED, note);
		return;
	}
	reason(&e, why, sizeof why);
	if (ignored[0])
		snprintf(note, sizeof note,
			 "saved index ignored (%s), not saved again: %s",
			 ignored, why);
	else
		snprintf(note, sizeof note, "no saved index: %s", why);
	set_note(c, MT_CTX_INDEX_UNSAVED, note);
}

mt_status mt_ctx_domtree(mt_ctx *c, const mt_domtree **out, mt_err *err)
{
	struct labelled l = {c, "dominator tree"};
	mt_status st;
	bool save = false;
	char ignored[256] = "";
	*out = NULL;
	if (!c->dt && c->idx_state == MT_CTX_INDEX_PENDING) {
		st = index_load(c, &save, ignored, sizeof ignored, err);
		if (st == MT_CANCELLED)
			return st;
	}
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
		if (save)
			index_save(c, ignored);
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
