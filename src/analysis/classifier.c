/* Classifiers (include/memtrack/partition.h).
 *
 * Owns struct mt_classifier: the interned kinds of one classification of one
 * graph.  A kind is identified by a 64-bit key, (tag << 32) | type id, with
 * tag TYPE (the object's type), DICTOF (an exact dict whose owner has that
 * type) or NOOWNER (an exact dict without owner); an open-addressing hash
 * maps keys to dense kind numbers, and each kind keeps its label.  So kinds
 * follow heapy's identity of type objects: two distinct types that print the
 * same stay two kinds.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "memtrack/partition.h"

enum { TAG_TYPE = 0, TAG_DICTOF = 1, TAG_NOOWNER = 2 };
#define EMPTY UINT64_MAX

struct mt_classifier {
	const mt_graph *g;
	mt_classify_by by;
	uint32_t dict_type;
	char **labels;
	uint32_t nkinds, cap;
	uint64_t *hkey;
	uint32_t *hval;
	size_t hcap; /* power of two */
};

mt_status mt_classify_parse(const char *name, mt_classify_by *by)
{
	if (!strcmp(name, "clodo"))
		*by = MT_CLASSIFY_CLODO;
	else if (!strcmp(name, "type"))
		*by = MT_CLASSIFY_TYPE;
	else
		return MT_ARG;
	return MT_OK;
}

static int rehash(mt_classifier *c, size_t ncap)
{
	uint64_t *k = malloc(ncap * sizeof *k);
	uint32_t *v = malloc(ncap * sizeof *v);
	size_t i;
	if (!k || !v) {
		free(k);
		free(v);
		return -1;
	}
	for (i = 0; i < ncap; i++)
		k[i] = EMPTY;
	for (i = 0; i < c->hcap; i++) {
		size_t j;
		if (c->hkey[i] == EMPTY)
			continue;
		j = (size_t)((c->hkey[i] * 0x9e3779b97f4a7c15ULL) >> 20) &
		    (ncap - 1);
		while (k[j] != EMPTY)
			j = (j + 1) & (ncap - 1);
		k[j] = c->hkey[i];
		v[j] = c->hval[i];
	}
	free(c->hkey);
	free(c->hval);
	c->hkey = k;
	c->hval = v;
	c->hcap = ncap;
	return 0;
}

mt_status mt_classifier_new(mt_classifier **out, const mt_graph *g,
			    mt_classify_by by, mt_err *err)
{
	mt_classifier *c = calloc(1, sizeof *c);
	*out = NULL;
	if (by != MT_CLASSIFY_CLODO && by != MT_CLASSIFY_TYPE) {
		free(c);
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "unknown classifier %d", (int)by);
	}
	if (!c || rehash(c, 64)) {
		free(c);
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "classifier");
	}
	c->g = g;
	c->by = by;
	c->dict_type = mt_graph_dict_type(g);
	*out = c;
	return MT_OK;
}

void mt_classifier_free(mt_classifier *c)
{
	uint32_t i;
	if (!c)
		return;
	for (i = 0; i < c->nkinds; i++)
		free(c->labels[i]);
	free(c->labels);
	free(c->hkey);
	free(c->hval);
	free(c);
}

const mt_graph *mt_classifier_graph(const mt_classifier *c) { return c->g; }

const char *mt_classifier_header(const mt_classifier *c)
{
	return c->by == MT_CLASSIFY_CLODO ? "Kind (class / dict of class)"
					  : "Type";
}

uint32_t mt_classifier_kind_count(const mt_classifier *c) { return c->nkinds; }

const char *mt_classifier_label(const mt_classifier *c, uint32_t kind)
{
	return kind < c->nkinds ? c->labels[kind] : NULL;
}

static char *make_label(const mt_classifier *c, uint64_t key)
{
	const char *tl = mt_graph_type_label(c->g, (uint32_t)key);
	char *s;
	switch (key >> 32) {
	case TAG_DICTOF:
		s = malloc(strlen(tl) + 9);
		if (s) {
			memcpy(s, "dict of ", 8);
			strcpy(s + 8, tl);
		}
		return s;
	case TAG_NOOWNER:
		return strdup("dict (no owner)");
	default:
		return strdup(tl);
	}
}

mt_status mt_classifier_classify(mt_classifier *c, uint32_t id, uint32_t *kind,
				 mt_err *err)
{
	uint32_t t = mt_graph_type(c->g, id);
	uint64_t key = t;
	size_t j;

	if (c->by == MT_CLASSIFY_CLODO && t == c->dict_type) {
		uint32_t owner = mt_graph_dict_owner(c->g, id);
		key = owner == MT_NO_ID ? (uint64_t)TAG_NOOWNER << 32
					: ((uint64_t)TAG_DICTOF << 32 |
					   mt_graph_type(c->g, owner));
	}
	j = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & (c->hcap - 1);
	while (c->hkey[j] != EMPTY) {
		if (c->hkey[j] == key) {
			*kind = c->hval[j];
			return MT_OK;
		}
		j = (j + 1) & (c->hcap - 1);
	}
	/* New kind. */
	if (c->nkinds == c->cap) {
		uint32_t nc = c->cap ? c->cap * 2 : 64;
		char **l = realloc(c->labels, nc * sizeof *l);
		if (!l)
			goto nomem;
		c->labels = l;
		c->cap = nc;
	}
	if (!(c->labels[c->nkinds] = make_label(c, key)))
		goto nomem;
	c->hkey[j] = key;
	c->hval[j] = c->nkinds;
	*kind = c->nkinds++;
	if ((size_t)c->nkinds * 2 > c->hcap && rehash(c, c->hcap * 2)) {
		/* The kind is stored; a failed grow only costs speed until
		 * the table is full, so fail now while it is safe. */
		goto nomem;
	}
	return MT_OK;
nomem:
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			  "classifier kinds");
}
