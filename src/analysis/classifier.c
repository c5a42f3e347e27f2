/* Classifiers (include/memtrack/partition.h).
 *
 * Owns struct mt_classifier: the interned kinds of one classification of one
 * graph.  Classifying an object computes a 64-bit key; a hash maps keys to
 * dense kind numbers (first seen, first numbered), and each kind keeps its
 * label and a numeric value.  Keys by classifier:
 *   CLODO/TYPE  (tag << 32) | type id, tag TYPE, DICTOF (an exact dict
 *               whose owner has that type) or NOOWNER; so kinds follow
 *               heapy's identity of type objects: two distinct types that
 *               print the same stay two kinds
 *   RCS/VIA     the number of an interned set: sorted, duplicate-free
 *               arrays of member numbers (CLODO kinds of the referrers,
 *               interned via texts of the in-edges) in one pool with a hash
 *   AND         the number of an interned tuple of the parts' kinds
 *   SIZE, ID, IDSET, MODULE, SURPLUS, CYCLE  the number itself
 * What a classification needs of the whole graph is computed once when the
 * classifier is made: CLODO of every object (RCS), the instance count of
 * every type (SURPLUS), the reference cycles (CYCLE, scc.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "memtrack/partition.h"
#include "memtrack/pyrepr.h"
#include "memtrack/reltext.h"
#include "memtrack/scc.h"

enum { TAG_TYPE = 0, TAG_DICTOF = 1, TAG_NOOWNER = 2 };
#define NONE UINT32_MAX

/* ---- a uint64 -> uint32 hash --------------------------------------------- */

struct u64map {
	uint64_t *k;
	uint32_t *v; /* NONE: empty slot */
	size_t cap, n;
};

static size_t hash64(uint64_t k, size_t cap)
{
	return (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
}

static int map_grow(struct u64map *m, size_t ncap)
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
		v[i] = NONE;
	for (i = 0; i < m->cap; i++) {
		size_t j;
		if (m->v[i] == NONE)
			continue;
		j = hash64(m->k[i], ncap);
		while (v[j] != NONE)
			j = (j + 1) & (ncap - 1);
		k[j] = m->k[i];
		v[j] = m->v[i];
	}
	free(m->k);
	free(m->v);
	m->k = k;
	m->v = v;
	m->cap = ncap;
	return 0;
}

/* Slot of key: where it is, or the empty slot where it would go. */
static size_t map_slot(const struct u64map *m, uint64_t key)
{
	size_t j = hash64(key, m->cap);
	while (m->v[j] != NONE && m->k[j] != key)
		j = (j + 1) & (m->cap - 1);
	return j;
}

static int map_put(struct u64map *m, size_t slot, uint64_t key, uint32_t val)
{
	m->k[slot] = key;
	m->v[slot] = val;
	m->n++;
	return m->n * 2 > m->cap ? map_grow(m, m->cap * 2) : 0;
}

static void map_free(struct u64map *m)
{
	free(m->k);
	free(m->v);
}

/* ---- interned uint32 arrays (sets and tuples) ----------------------------- */

struct pool {
	uint32_t *e; /* all members, array after array */
	size_t elen, ecap;
	size_t *off;
	uint32_t *len;
	uint64_t *hash;
	uint32_t n, cap;
	uint32_t *ht; /* slot -> array number, NONE empty */
	size_t htcap;
};

static uint64_t hash_arr(const uint32_t *a, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ n;
	uint32_t i;
	for (i = 0; i < n; i++)
		h = (h ^ a[i]) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

static int pool_rehash(struct pool *p, size_t ncap)
{
	uint32_t *ht = malloc(ncap * sizeof *ht), i;
	if (!ht)
		return -1;
	memset(ht, 0xff, ncap * sizeof *ht);
	for (i = 0; i < p->n; i++) {
		size_t j = (size_t)p->hash[i] & (ncap - 1);
		while (ht[j] != NONE)
			j = (j + 1) & (ncap - 1);
		ht[j] = i;
	}
	free(p->ht);
	p->ht = ht;
	p->htcap = ncap;
	return 0;
}

static int pool_intern(struct pool *p, const uint32_t *a, uint32_t n,
		       uint32_t *id)
{
	uint64_t h = hash_arr(a, n);
	size_t j;
	if (!p->htcap && pool_rehash(p, 256))
		return -1;
	j = (size_t)h & (p->htcap - 1);
	while (p->ht[j] != NONE) {
		uint32_t s = p->ht[j];
		if (p->hash[s] == h && p->len[s] == n &&
		    !memcmp(p->e + p->off[s], a, n * sizeof *a)) {
			*id = s;
			return 0;
		}
		j = (j + 1) & (p->htcap - 1);
	}
	if (p->n == p->cap) {
		uint32_t nc = p->cap ? p->cap * 2 : 64;
		size_t *o = realloc(p->off, nc * sizeof *o);
		uint32_t *l;
		uint64_t *hh;
		if (o)
			p->off = o;
		l = realloc(p->len, nc * sizeof *l);
		if (l)
			p->len = l;
		hh = realloc(p->hash, nc * sizeof *hh);
		if (hh)
			p->hash = hh;
		if (!o || !l || !hh)
			return -1;
		p->cap = nc;
	}
	if (p->elen + n > p->ecap) {
		size_t nc = p->ecap ? p->ecap * 2 : 1024;
		uint32_t *e;
		while (nc < p->elen + n)
			nc *= 2;
		if (!(e = realloc(p->e, nc * sizeof *e)))
			return -1;
		p->e = e;
		p->ecap = nc;
	}
	memcpy(p->e + p->elen, a, n * sizeof *a);
	p->off[p->n] = p->elen;
	p->len[p->n] = n;
	p->hash[p->n] = h;
	p->elen += n;
	p->ht[j] = p->n;
	*id = p->n++;
	if ((size_t)p->n * 2 > p->htcap && pool_rehash(p, p->htcap * 2))
		return -1;
	return 0;
}

static void pool_free(struct pool *p)
{
	free(p->e);
	free(p->off);
	free(p->len);
	free(p->hash);
	free(p->ht);
}

/* ---- the classifier ------------------------------------------------------- */

struct mt_classifier {
	const mt_graph *g;
	mt_classify_by by;
	uint32_t dict_type, reach;
	char *header;
	/* kinds */
	char **labels;
	uint64_t *keys;
	uint32_t nkinds, cap;
	struct u64map kinds;
	/* RCS: CLODO of every object; IDSET: a CLODO classifier */
	mt_classifier *clodo;
	uint32_t *clodo_of;
	/* RCS, VIA, AND */
	struct pool sets;
	uint32_t *scratch;
	size_t scap;
	/* VIA: (relation, label) -> via text number; the texts */
	struct u64map relmemo;
	char **vraw, **vrepr;
	uint32_t nv, vcap;
	uint32_t *vht;
	size_t vhtcap;
	/* SURPLUS */
	uint32_t *ninst, *roots;
	size_t nroots;
	/* CYCLE */
	uint32_t *cyc, *cycsize, ncyc;
	/* AND */
	mt_classifier **parts;
	size_t nparts;
};

static const struct {
	const char *name;
	mt_classify_by by;
} names[] = {
    {"clodo", MT_CLASSIFY_CLODO},     {"type", MT_CLASSIFY_TYPE},
    {"rcs", MT_CLASSIFY_RCS},	      {"via", MT_CLASSIFY_VIA},
    {"size", MT_CLASSIFY_SIZE},	      {"indisize", MT_CLASSIFY_SIZE},
    {"id", MT_CLASSIFY_ID},	      {"idset", MT_CLASSIFY_IDSET},
    {"unity", MT_CLASSIFY_UNITY},     {"module", MT_CLASSIFY_MODULE},
    {"surplus", MT_CLASSIFY_SURPLUS}, {"cycle", MT_CLASSIFY_CYCLE},
};

mt_status mt_classify_parse(const char *name, mt_classify_by *by)
{
	size_t i;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcasecmp(name, names[i].name)) {
			*by = names[i].by;
			return MT_OK;
		}
	return MT_ARG;
}

static mt_status nomem(mt_err *err, const char *what)
{
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, "%s",
			  what);
}

static const char *const headers[] = {
    [MT_CLASSIFY_CLODO] = "Kind (class / dict of class)",
    [MT_CLASSIFY_TYPE] = "Type",
    [MT_CLASSIFY_RCS] = "Referrers by Kind (class / dict of class)",
    [MT_CLASSIFY_VIA] = "Referred Via:",
    [MT_CLASSIFY_SIZE] = "Individual Size",
    [MT_CLASSIFY_ID] = "Identity",
    [MT_CLASSIFY_IDSET] = "by identity set",
    [MT_CLASSIFY_UNITY] = "<unclassified>",
    [MT_CLASSIFY_MODULE] = "Module",
    [MT_CLASSIFY_SURPLUS] = "Refcount surplus",
    [MT_CLASSIFY_CYCLE] = "Reference cycle",
};

bool mt_refcnt_immortal(const mt_header *h, uint64_t refcnt)
{
	if (h->py_major < 3 || (h->py_major == 3 && h->py_minor < 12))
		return false;
	if (h->ptr_size == 4)
		return refcnt >= 0x3fffffffULL;
	return (int32_t)(uint32_t)refcnt < 0 || refcnt >= 0x80000000ULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static mt_status prepare(mt_classifier *c, mt_err *err)
{
	const mt_graph *g = c->g;
	uint32_t n = mt_graph_count(g), i;
	mt_status st;

	switch (c->by) {
	case MT_CLASSIFY_RCS:
	case MT_CLASSIFY_IDSET:
		if ((st = mt_classifier_new(&c->clodo, g, MT_CLASSIFY_CLODO,
					    err)) != MT_OK)
			return st;
		if (c->by == MT_CLASSIFY_RCS)
			return mt_classifier_classify_all(c->clodo,
							  &c->clodo_of, err);
		return MT_OK;
	case MT_CLASSIFY_SURPLUS: {
		const mt_edge *re;
		c->ninst = calloc(n ? n : 1, sizeof *c->ninst);
		mt_graph_roots(g, &re, &c->nroots);
		c->roots = malloc((c->nroots + 1) * sizeof *c->roots);
		if (!c->ninst || !c->roots)
			return nomem(err, "instance counts");
		for (i = 0; i < n; i++) {
			uint32_t t = mt_graph_type(g, i);
			if (!mt_graph_virtual(g, i) && c->ninst[t] != UINT32_MAX)
				c->ninst[t]++;
		}
		for (i = 0; i < c->nroots; i++)
			c->roots[i] = re[i].target;
		qsort(c->roots, c->nroots, sizeof *c->roots, cmp_u32);
		return MT_OK;
	}
	case MT_CLASSIFY_CYCLE:
		return mt_scc_cycles(g, &c->cyc, &c->cycsize, &c->ncyc, err);
	default:
		return MT_OK;
	}
}

static mt_classifier *alloc_classifier(const mt_graph *g, mt_classify_by by)
{
	mt_classifier *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->g = g;
	c->by = by;
	c->dict_type = mt_graph_dict_type(g);
	c->reach = mt_graph_reachable(g);
	if (map_grow(&c->kinds, 64) ||
	    (by == MT_CLASSIFY_VIA && map_grow(&c->relmemo, 256))) {
		mt_classifier_free(c);
		return NULL;
	}
	return c;
}

mt_status mt_classifier_new(mt_classifier **out, const mt_graph *g,
			    mt_classify_by by, mt_err *err)
{
	mt_classifier *c;
	mt_status st;
	*out = NULL;
	if ((unsigned)by >= (unsigned)MT_CLASSIFY_AND)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "unknown classifier %d", (int)by);
	if (!(c = alloc_classifier(g, by)))
		return nomem(err, "classifier");
	if ((st = prepare(c, err)) != MT_OK) {
		mt_classifier_free(c);
		return st;
	}
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
	free(c->keys);
	map_free(&c->kinds);
	mt_classifier_free(c->clodo);
	free(c->clodo_of);
	pool_free(&c->sets);
	free(c->scratch);
	map_free(&c->relmemo);
	for (i = 0; i < c->nv; i++) {
		free(c->vraw[i]);
		free(c->vrepr[i]);
	}
	free(c->vraw);
	free(c->vrepr);
	free(c->vht);
	free(c->ninst);
	free(c->roots);
	free(c->cyc);
	free(c->cycsize);
	for (i = 0; i < c->nparts; i++)
		mt_classifier_free(c->parts[i]);
	free(c->parts);
	free(c->header);
	free(c);
}

/* Header and labels inside a combination (heapy's ctx 'and'). */
static char *ctx_header(const mt_classifier *c)
{
	const char *h = mt_classifier_header(c);
	mt_strbuf b;
	mt_strbuf_init(&b);
	if (c->by == MT_CLASSIFY_VIA)
		mt_strbuf_add(&b, "{Referred Via}", 14);
	else if (c->by == MT_CLASSIFY_AND)
		mt_strbuf_printf(&b, "(%s)", h);
	else
		mt_strbuf_add(&b, h, strlen(h));
	if (b.nomem) {
		mt_strbuf_destroy(&b);
		return NULL;
	}
	return b.s;
}

mt_status mt_classifier_new_combo(mt_classifier **out, mt_classifier *a,
				  mt_classifier *b, mt_err *err)
{
	mt_classifier *c = NULL, *ab[2] = {a, b};
	size_t k, i;
	mt_strbuf hb;

	*out = NULL;
	if (!a || !b || a->g != b->g) {
		mt_classifier_free(a);
		mt_classifier_free(b);
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "combination of classifiers of different "
				  "graphs");
	}
	if (!(c = alloc_classifier(a->g, MT_CLASSIFY_AND)))
		goto nomem;
	c->parts = calloc(a->nparts + b->nparts + 2, sizeof *c->parts);
	if (!c->parts)
		goto nomem;
	/* A combination of combinations is flat, as heapy's er & er. */
	for (k = 0; k < 2; k++) {
		if (ab[k]->by == MT_CLASSIFY_AND) {
			for (i = 0; i < ab[k]->nparts; i++)
				c->parts[c->nparts++] = ab[k]->parts[i];
			ab[k]->nparts = 0;
			mt_classifier_free(ab[k]);
		} else
			c->parts[c->nparts++] = ab[k];
		ab[k] = NULL;
	}
	mt_strbuf_init(&hb);
	for (i = 0; i < c->nparts; i++) {
		char *h = ctx_header(c->parts[i]);
		if (i)
			mt_strbuf_add(&hb, " & ", 3);
		if (h)
			mt_strbuf_add(&hb, h, strlen(h));
		else
			hb.nomem = true;
		free(h);
	}
	if (hb.nomem) {
		mt_strbuf_destroy(&hb);
		goto nomem;
	}
	c->header = hb.s;
	*out = c;
	return MT_OK;
nomem:
	mt_classifier_free(ab[0]);
	mt_classifier_free(ab[1]);
	mt_classifier_free(c);
	return nomem(err, "classifier");
}

mt_status mt_classifier_new_named(mt_classifier **out, const mt_graph *g,
				  const char *spec, mt_err *err)
{
	mt_classifier *acc = NULL;
	const char *p = spec;
	*out = NULL;
	for (;;) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		char name[32];
		mt_classify_by by;
		mt_classifier *c;
		mt_status st;
		while (len && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len >= sizeof name) {
			st = mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
					"no classifier '%.*s'", 40, p);
			goto fail;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		if (mt_classify_parse(name, &by) != MT_OK) {
			st = mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
					"no classifier '%s'", name);
			goto fail;
		}
		if ((st = mt_classifier_new(&c, g, by, err)) != MT_OK)
			goto fail;
		if (acc) {
			if ((st = mt_classifier_new_combo(&acc, acc, c, err)) !=
			    MT_OK)
				return st; /* both freed by new_combo */
		} else
			acc = c;
		if (!amp)
			break;
		p = amp + 1;
		continue;
	fail:
		mt_classifier_free(acc);
		return st;
	}
	*out = acc;
	return MT_OK;
}

mt_classify_by mt_classifier_by(const mt_classifier *c) { return c->by; }

mt_classifier *mt_classifier_part(const mt_classifier *c, int which)
{
	return c->by == MT_CLASSIFY_AND && which >= 0 &&
		       (size_t)which < c->nparts
		   ? c->parts[which]
		   : NULL;
}

const mt_graph *mt_classifier_graph(const mt_classifier *c) { return c->g; }

const char *mt_classifier_header(const mt_classifier *c)
{
	if (c->by == MT_CLASSIFY_AND)
		return c->header;
	return headers[c->by];
}

uint32_t mt_classifier_kind_count(const mt_classifier *c) { return c->nkinds; }

const char *mt_classifier_label(const mt_classifier *c, uint32_t kind)
{
	return kind < c->nkinds ? c->labels[kind] : NULL;
}

/* ---- labels ---------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Members of set s as strings, sorted, joined by ", ". */
static char *set_label(const mt_classifier *c, uint32_t s)
{
	uint32_t n = c->sets.len[s], i;
	const uint32_t *e = c->sets.e + c->sets.off[s];
	const char **strs;
	mt_strbuf b;
	if (!n)
		return strdup(c->by == MT_CLASSIFY_RCS ? "<Nothing>" : "");
	if (!(strs = malloc(n * sizeof *strs)))
		return NULL;
	for (i = 0; i < n; i++)
		strs[i] = c->by == MT_CLASSIFY_RCS
			      ? mt_classifier_label(c->clodo, e[i])
			      : c->vrepr[e[i]];
	qsort(strs, n, sizeof *strs, cmp_str);
	mt_strbuf_init(&b);
	for (i = 0; i < n; i++) {
		if (i)
			mt_strbuf_add(&b, ", ", 2);
		mt_strbuf_add(&b, strs[i], strlen(strs[i]));
	}
	free(strs);
	if (b.nomem) {
		mt_strbuf_destroy(&b);
		return NULL;
	}
	return b.s;
}

static char *ctx_label(const mt_classifier *c, uint32_t kind)
{
	mt_strbuf b;
	mt_strbuf_init(&b);
	if (c->by == MT_CLASSIFY_SIZE)
		mt_strbuf_printf(&b, "%llu", (unsigned long long)c->keys[kind]);
	else if (c->by == MT_CLASSIFY_VIA)
		mt_strbuf_printf(&b, "{%s}", c->labels[kind]);
	else
		mt_strbuf_add(&b, c->labels[kind], strlen(c->labels[kind]));
	if (b.nomem) {
		mt_strbuf_destroy(&b);
		return NULL;
	}
	return b.s ? b.s : strdup("");
}

static char *make_label(mt_classifier *c, uint64_t key, uint32_t id)
{
	const mt_graph *g = c->g;
	mt_strbuf b;
	mt_strbuf_init(&b);
	switch (c->by) {
	case MT_CLASSIFY_CLODO:
	case MT_CLASSIFY_TYPE: {
		const char *tl = mt_graph_type_label(g, (uint32_t)key);
		switch (key >> 32) {
		case TAG_DICTOF:
			mt_strbuf_printf(&b, "dict of %s", tl);
			break;
		case TAG_NOOWNER:
			mt_strbuf_add(&b, "dict (no owner)", 15);
			break;
		default:
			mt_strbuf_add(&b, tl, strlen(tl));
		}
		break;
	}
	case MT_CLASSIFY_RCS:
	case MT_CLASSIFY_VIA:
		return set_label(c, (uint32_t)key);
	case MT_CLASSIFY_SIZE:
		mt_strbuf_printf(&b, "%9llu", (unsigned long long)key);
		break;
	case MT_CLASSIFY_ID:
		mt_pyrepr_limited(g, id, &b);
		break;
	case MT_CLASSIFY_IDSET: {
		uint32_t k;
		mt_err e;
		if (mt_classifier_classify(c->clodo, id, &k, &e) != MT_OK)
			return NULL;
		mt_strbuf_printf(&b, "<1 %s: ", mt_classifier_label(c->clodo, k));
		mt_pyrepr_limited(g, id, &b);
		mt_strbuf_addc(&b, '>', 1);
		break;
	}
	case MT_CLASSIFY_UNITY:
		mt_strbuf_add(&b, "<Anything>", 10);
		break;
	case MT_CLASSIFY_MODULE:
		if (key == NONE)
			mt_strbuf_add(&b, "~module", 7);
		else {
			mt_value v;
			mt_graph_value(g, (uint32_t)key, &v);
			mt_strbuf_add(&b, v.s, v.slen);
		}
		break;
	case MT_CLASSIFY_SURPLUS:
		if ((int64_t)key == INT64_MIN)
			mt_strbuf_add(&b, "immortal", 8);
		else if ((int64_t)key == INT64_MAX)
			mt_strbuf_add(&b, "virtual", 7);
		else
			mt_strbuf_printf(&b, "%+lld", (long long)(int64_t)key);
		break;
	case MT_CLASSIFY_CYCLE:
		if (key == NONE)
			mt_strbuf_add(&b, "<no cycle>", 10);
		else
			mt_strbuf_printf(&b, "cycle #%llu (%u object%s)",
					 (unsigned long long)key,
					 c->cycsize[key],
					 c->cycsize[key] == 1 ? "" : "s");
		break;
	case MT_CLASSIFY_AND: {
		const uint32_t *e = c->sets.e + c->sets.off[key];
		size_t i;
		for (i = 0; i < c->nparts; i++) {
			char *l = ctx_label(c->parts[i], e[i]);
			if (!l)
				b.nomem = true;
			else {
				if (i)
					mt_strbuf_add(&b, " & ", 3);
				mt_strbuf_add(&b, l, strlen(l));
			}
			free(l);
		}
		break;
	}
	}
	if (b.nomem) {
		mt_strbuf_destroy(&b);
		return NULL;
	}
	return b.s ? b.s : strdup("");
}

/* ---- classification -------------------------------------------------------- */

static int scratch_push(mt_classifier *c, size_t *n, uint32_t x)
{
	if (*n == c->scap) {
		size_t nc = c->scap ? c->scap * 2 : 64;
		uint32_t *p = realloc(c->scratch, nc * sizeof *p);
		if (!p)
			return -1;
		c->scratch = p;
		c->scap = nc;
	}
	c->scratch[(*n)++] = x;
	return 0;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

/* Number of the via text of an edge, interning it. */
static int via_of(mt_classifier *c, uint32_t edge, uint32_t *out)
{
	uint64_t key = (uint64_t)mt_graph_edge_rel(c->g, edge) << 56 |
		       (mt_graph_edge_label(c->g, edge) & ((1ULL << 56) - 1));
	size_t slot = map_slot(&c->relmemo, key), j;
	mt_strbuf raw, rep;
	uint64_t h;
	if (c->relmemo.v[slot] != NONE) {
		*out = c->relmemo.v[slot];
		return 0;
	}
	mt_strbuf_init(&raw);
	mt_strbuf_init(&rep);
	mt_reltext_via_raw(c->g, edge, &raw);
	mt_pyrepr_str(&rep, raw.s ? raw.s : "", raw.len);
	if (raw.nomem || rep.nomem)
		goto fail;
	if (!raw.s && !(raw.s = strdup("")))
		goto fail;
	h = hash_str(raw.s);
	if (!c->vhtcap || (size_t)c->nv * 2 >= c->vhtcap) {
		size_t nc = c->vhtcap ? c->vhtcap * 2 : 256, i;
		uint32_t *ht = malloc(nc * sizeof *ht);
		if (!ht)
			goto fail;
		memset(ht, 0xff, nc * sizeof *ht);
		for (i = 0; i < c->nv; i++) {
			j = (size_t)hash_str(c->vraw[i]) & (nc - 1);
			while (ht[j] != NONE)
				j = (j + 1) & (nc - 1);
			ht[j] = (uint32_t)i;
		}
		free(c->vht);
		c->vht = ht;
		c->vhtcap = nc;
	}
	j = (size_t)h & (c->vhtcap - 1);
	while (c->vht[j] != NONE && strcmp(c->vraw[c->vht[j]], raw.s))
		j = (j + 1) & (c->vhtcap - 1);
	if (c->vht[j] == NONE) {
		if (c->nv == c->vcap) {
			uint32_t nc = c->vcap ? c->vcap * 2 : 64;
			char **a = realloc(c->vraw, nc * sizeof *a), **r;
			if (a)
				c->vraw = a;
			r = realloc(c->vrepr, nc * sizeof *r);
			if (r)
				c->vrepr = r;
			if (!a || !r)
				goto fail;
			c->vcap = nc;
		}
		c->vraw[c->nv] = raw.s;
		c->vrepr[c->nv] = rep.s;
		c->vht[j] = c->nv++;
	} else {
		mt_strbuf_destroy(&raw);
		mt_strbuf_destroy(&rep);
	}
	*out = c->vht[j];
	return map_put(&c->relmemo, slot, key, *out);
fail:
	mt_strbuf_destroy(&raw);
	mt_strbuf_destroy(&rep);
	return -1;
}

/* RCS/VIA: the set of the in-edges' members, interned. */
static int inset_key(mt_classifier *c, uint32_t id, uint64_t *key)
{
	uint32_t first, n, pos, s;
	size_t k = 0, i, m = 0;
	mt_graph_in(c->g, id, &first, &n);
	for (pos = first; pos < first + n; pos++) {
		uint32_t src = mt_graph_in_source(c->g, pos), x;
		/* heapy sees referrers reachable from the root only */
		if (id < c->reach && src >= c->reach)
			continue;
		if (c->by == MT_CLASSIFY_RCS)
			x = c->clodo_of[src];
		else if (via_of(c, mt_graph_in_edge(c->g, pos), &x))
			return -1;
		if (scratch_push(c, &k, x))
			return -1;
	}
	if (k > 1)
		qsort(c->scratch, k, sizeof *c->scratch, cmp_u32);
	for (i = 0; i < k; i++)
		if (!m || c->scratch[m - 1] != c->scratch[i])
			c->scratch[m++] = c->scratch[i];
	if (pool_intern(&c->sets, c->scratch, (uint32_t)m, &s))
		return -1;
	*key = s;
	return 0;
}

static bool has_attr(const mt_graph *g, uint32_t id, const char *name)
{
	uint32_t first, n, e;
	mt_graph_out(g, id, &first, &n);
	for (e = first; e < first + n; e++) {
		const char *nm;
		if (mt_graph_edge_rel(g, e) != MT_REL_ATTR)
			continue;
		nm = mt_graph_name(g, mt_graph_edge_label(g, e));
		if (nm && !strcmp(nm, name))
			return true;
	}
	return false;
}

static int64_t surplus(const mt_classifier *c, uint32_t id)
{
	const mt_graph *g = c->g;
	uint32_t first, n;
	int64_t refs;
	size_t lo = 0, hi = c->nroots;
	mt_value v;
	if (mt_graph_virtual(g, id))
		return INT64_MAX;
	if (mt_refcnt_immortal(mt_graph_header(g), mt_graph_refcnt(g, id)))
		return INT64_MIN;
	mt_graph_in(g, id, &first, &n);
	refs = n;
	while (lo < hi) { /* first root edge to id */
		size_t mid = lo + (hi - lo) / 2;
		if (c->roots[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo < c->nroots && c->roots[lo] == id)
		refs++, lo++;
	/* Instances of a heap type (one with ht_qualname, written as an attr
	 * edge __qualname__) own a reference to it. */
	mt_graph_value(g, id, &v);
	if (v.kind == MT_VAL_QUALNAME && c->ninst[id] &&
	    has_attr(g, id, "__qualname__"))
		refs += c->ninst[id];
	return (int64_t)mt_graph_refcnt(g, id) - refs;
}

static mt_status tuple_key(mt_classifier *c, uint32_t id, uint64_t *key,
			   mt_err *err)
{
	uint32_t *t = malloc((c->nparts ? c->nparts : 1) * sizeof *t), s = 0;
	mt_status st = MT_OK;
	size_t i;
	if (!t)
		return nomem(err, "kinds");
	for (i = 0; i < c->nparts && st == MT_OK; i++)
		st = mt_classifier_classify(c->parts[i], id, &t[i], err);
	if (st == MT_OK && pool_intern(&c->sets, t, (uint32_t)c->nparts, &s))
		st = nomem(err, "kinds");
	free(t);
	*key = s;
	return st;
}

mt_status mt_classifier_classify(mt_classifier *c, uint32_t id, uint32_t *kind,
				 mt_err *err)
{
	const mt_graph *g = c->g;
	uint64_t key = 0;
	size_t j;

	switch (c->by) {
	case MT_CLASSIFY_CLODO:
	case MT_CLASSIFY_TYPE: {
		uint32_t t = mt_graph_type(g, id);
		key = t;
		if (c->by == MT_CLASSIFY_CLODO && t == c->dict_type) {
			uint32_t owner = mt_graph_dict_owner(g, id);
			key = owner == MT_NO_ID
				  ? (uint64_t)TAG_NOOWNER << 32
				  : ((uint64_t)TAG_DICTOF << 32 |
				     mt_graph_type(g, owner));
		}
		break;
	}
	case MT_CLASSIFY_RCS:
	case MT_CLASSIFY_VIA:
		if (inset_key(c, id, &key))
			goto nomem;
		break;
	case MT_CLASSIFY_SIZE:
		key = mt_graph_size(g, id);
		break;
	case MT_CLASSIFY_ID:
	case MT_CLASSIFY_IDSET:
		key = id;
		break;
	case MT_CLASSIFY_UNITY:
		break;
	case MT_CLASSIFY_MODULE: {
		mt_value v;
		mt_graph_value(g, id, &v);
		key = v.kind == MT_VAL_STR &&
			      mt_pyrepr_type_is(g, mt_graph_type(g, id),
						"module")
			  ? id
			  : NONE;
		break;
	}
	case MT_CLASSIFY_SURPLUS:
		key = (uint64_t)surplus(c, id);
		break;
	case MT_CLASSIFY_CYCLE:
		key = c->cyc[id];
		break;
	case MT_CLASSIFY_AND:
	{
		mt_status st = tuple_key(c, id, &key, err);
		if (st != MT_OK)
			return st;
		break;
	}
	}
	j = map_slot(&c->kinds, key);
	if (c->kinds.v[j] != NONE) {
		*kind = c->kinds.v[j];
		return MT_OK;
	}
	/* New kind. */
	if (c->nkinds == c->cap) {
		uint32_t nc = c->cap ? c->cap * 2 : 64;
		char **l = realloc(c->labels, nc * sizeof *l);
		uint64_t *k;
		if (l)
			c->labels = l;
		k = realloc(c->keys, nc * sizeof *k);
		if (k)
			c->keys = k;
		if (!l || !k)
			goto nomem;
		c->cap = nc;
	}
	if (!(c->labels[c->nkinds] = make_label(c, key, id)))
		goto nomem;
	c->keys[c->nkinds] = key;
	*kind = c->nkinds++;
	if (map_put(&c->kinds, j, key, *kind)) {
		/* The kind is stored; a failed grow only costs speed until
		 * the table is full, so fail now while it is safe. */
		goto nomem;
	}
	return MT_OK;
nomem:
	return nomem(err, "classifier kinds");
}

mt_status mt_classifier_classify_all(mt_classifier *c, uint32_t **kinds,
				     mt_err *err)
{
	uint32_t n = mt_graph_count(c->g), i;
	uint32_t *k = malloc((n ? n : 1) * sizeof *k);
	mt_status st;
	*kinds = NULL;
	if (!k)
		return nomem(err, "kinds of all objects");
	for (i = 0; i < n; i++)
		if ((st = mt_classifier_classify(c, i, &k[i], err)) != MT_OK) {
			free(k);
			return st;
		}
	*kinds = k;
	return MT_OK;
}

size_t mt_classifier_set_size(const mt_classifier *c, uint32_t kind)
{
	if ((c->by != MT_CLASSIFY_RCS && c->by != MT_CLASSIFY_VIA) ||
	    kind >= c->nkinds)
		return 0;
	return c->sets.len[c->keys[kind]];
}

const char *mt_classifier_set_member(const mt_classifier *c, uint32_t kind,
				     size_t i)
{
	uint32_t x;
	if (i >= mt_classifier_set_size(c, kind))
		return NULL;
	x = c->sets.e[c->sets.off[c->keys[kind]] + i];
	return c->by == MT_CLASSIFY_RCS ? mt_classifier_label(c->clodo, x)
					: c->vraw[x];
}

int64_t mt_classifier_kind_value(const mt_classifier *c, uint32_t kind)
{
	uint64_t k;
	if (kind >= c->nkinds)
		return 0;
	k = c->keys[kind];
	switch (c->by) {
	case MT_CLASSIFY_SIZE:
	case MT_CLASSIFY_ID:
	case MT_CLASSIFY_IDSET:
	case MT_CLASSIFY_SURPLUS:
		return (int64_t)k;
	case MT_CLASSIFY_CYCLE:
	case MT_CLASSIFY_MODULE:
		return k == NONE ? -1 : (int64_t)k;
	default:
		return 0;
	}
}
