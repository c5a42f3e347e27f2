/* plugins/numpy: the `dtype` classifier (classifier.h, one row of the
 * table through plugins/classifiers.def): numpy arrays by dtype and shape.
 *
 * An object whose type is numpy.ndarray or derives from it (its type's
 * `__mro__` holds a type labelled numpy.ndarray) and whose value is the
 * capture plugin's text (plugins/numpy/numpy.c: "float64 (1000, 3)") is
 * classed by that text: arrays of the same dtype and shape are one kind.
 * Every other object is classed by its type, as `bytype` does, so `h.bydtype`
 * on a whole heap shows the arrays refined and the rest as usual.  Arrays
 * without a value (a dump without the plugin, or with it disabled) are
 * classed by their type.
 *
 * Keys: (1 << 32) | id of the first array seen with that text (texts are
 * interned in a hash table of first ids, compared by content), else the
 * type id.  Labels: the text, or the type's label.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "memtrack/classifier.h"
#include "memtrack/graph.h"
#include "memtrack/strbuf.h"
#include "memtrack/util.h"

#define DT_ARRAY ((uint64_t)1 << 32)
#define DT_EMPTY UINT32_MAX

/* An open-addressing table of uint32 values (DT_EMPTY: free slot), a
 * power of two in size, keyed by a hash the caller computes. */
struct dt_table {
	uint32_t *v;
	uint64_t *h; /* the hash of each slot's entry */
	size_t cap, n;
};

struct dt_state {
	const mt_graph *g;
	struct dt_table texts; /* first array id per value text */
	struct dt_table types; /* type id -> 0/1: derives from ndarray */
	uint8_t *is_array;     /* per slot of `types` */
};

static uint64_t dt_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/* Grows t to twice its capacity (64 at first); 0 on failure.  The payload
 * array `extra` (element size esz, may be NULL) moves with the slots. */
static int dt_grow(struct dt_table *t, void **extra, size_t esz)
{
	size_t ncap = t->cap ? t->cap * 2 : 64;
	uint32_t *v = malloc(ncap * sizeof *v);
	uint64_t *h = malloc(ncap * sizeof *h);
	char *e = extra ? calloc(ncap, esz) : NULL;
	if (!v || !h || (extra && !e)) {
		free(v);
		free(h);
		free(e);
		return 0;
	}
	memset(v, 0xff, ncap * sizeof *v);
	for (size_t i = 0; i < t->cap; i++) {
		size_t j;
		if (t->v[i] == DT_EMPTY)
			continue;
		for (j = t->h[i] & (ncap - 1); v[j] != DT_EMPTY;)
			j = (j + 1) & (ncap - 1);
		v[j] = t->v[i];
		h[j] = t->h[i];
		if (extra)
			memcpy(e + j * esz, (char *)*extra + i * esz, esz);
	}
	free(t->v);
	free(t->h);
	t->v = v;
	t->h = h;
	t->cap = ncap;
	if (extra) {
		free(*extra);
		*extra = e;
	}
	return 1;
}

/* Whether type derives from numpy.ndarray (by its label and __mro__). */
static int dt_derives(const mt_graph *g, uint32_t type)
{
	uint32_t mro, first, n;
	if (!strcmp(mt_graph_type_label(g, type), "numpy.ndarray"))
		return 1;
	mro = mt_graph_attr(g, type, "__mro__");
	if (mro == MT_NO_ID)
		return 0;
	mt_graph_out(g, mro, &first, &n);
	for (uint32_t e = first; e < first + n; e++)
		if (!strcmp(mt_graph_type_label(g, mt_graph_edge_target(g, e)),
			    "numpy.ndarray"))
			return 1;
	return 0;
}

/* dt_derives, cached per type; -1 out of memory. */
static int dt_is_array(struct dt_state *s, uint32_t type)
{
	struct dt_table *t = &s->types;
	uint64_t h = (uint64_t)type * 0x9e3779b97f4a7c15ULL >> 16;
	size_t j;
	if ((t->n + 1) * 4 > t->cap * 3 &&
	    !dt_grow(t, (void **)&s->is_array, 1))
		return -1;
	for (j = h & (t->cap - 1); t->v[j] != DT_EMPTY;
	     j = (j + 1) & (t->cap - 1))
		if (t->v[j] == type)
			return s->is_array[j];
	t->v[j] = type;
	t->h[j] = h;
	t->n++;
	s->is_array[j] = (uint8_t)dt_derives(s->g, type);
	return s->is_array[j];
}

/* The first array id with id's value text (id itself if new); MT_NO_ID
 * out of memory. */
static uint32_t dt_intern(struct dt_state *s, uint32_t id, const mt_value *v)
{
	struct dt_table *t = &s->texts;
	uint64_t h = dt_hash(v->s, v->slen);
	size_t j;
	if ((t->n + 1) * 4 > t->cap * 3 && !dt_grow(t, NULL, 0))
		return MT_NO_ID;
	for (j = h & (t->cap - 1); t->v[j] != DT_EMPTY;
	     j = (j + 1) & (t->cap - 1)) {
		mt_value w;
		if (t->h[j] != h)
			continue;
		mt_graph_value(s->g, t->v[j], &w);
		if (w.slen == v->slen && !memcmp(w.s, v->s, v->slen))
			return t->v[j];
	}
	t->v[j] = id;
	t->h[j] = h;
	t->n++;
	return id;
}

static mt_status dt_prepare(mt_classifier *c, mt_err *err)
{
	struct dt_state *s = mt_classifier_state(c);
	(void)err;
	s->g = mt_classifier_graph(c);
	return MT_OK;
}

static void dt_release(mt_classifier *c)
{
	struct dt_state *s = mt_classifier_state(c);
	free(s->texts.v);
	free(s->texts.h);
	free(s->types.v);
	free(s->types.h);
	free(s->is_array);
}

static mt_status dt_classify(mt_classifier *c, uint32_t id, uint64_t *key,
			     mt_err *err)
{
	struct dt_state *s = mt_classifier_state(c);
	uint32_t type = mt_graph_type(s->g, id), first;
	mt_value v;
	int arr;

	*key = type;
	mt_graph_value(s->g, id, &v);
	if (v.kind != MT_VAL_STR)
		return MT_OK;
	arr = dt_is_array(s, type);
	if (arr == 0)
		return MT_OK;
	first = arr < 0 ? MT_NO_ID : dt_intern(s, id, &v);
	if (first == MT_NO_ID)
		return mt_nomem(err);
	*key = DT_ARRAY | first;
	return MT_OK;
}

static const char *dt_label(mt_classifier *c, uint64_t key, uint32_t id,
			    mt_strbuf *b)
{
	const struct dt_state *s = mt_classifier_state(c);
	mt_value v;
	(void)id;
	if (!(key & DT_ARRAY))
		return mt_graph_type_label(s->g, (uint32_t)key);
	mt_graph_value(s->g, (uint32_t)key, &v);
	mt_strbuf_add(b, v.s, v.slen);
	return NULL;
}

const mt_classifier_def mt_classifier_def_dtype = {
    .name = "dtype",
    .header = "Array (dtype shape) / type",
    .and_header = "Array / type",
    .key = 'd',
    .help = "numpy arrays by dtype and shape, other objects by type",
    .by = MT_CLASSIFY_OTHER,
    .state_size = sizeof(struct dt_state),
    .prepare = dt_prepare,
    .release = dt_release,
    .classify = dt_classify,
    .label = dt_label,
};
