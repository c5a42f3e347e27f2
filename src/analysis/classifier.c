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
 *               interned via texts of the in-edges) in one pool; sets are
 *               numbered as kinds are, so the kind is the set number and
 *               no key hash is kept; a one-member set is found through
 *               its member, larger ones through the pool's hash
 *   AND         the number of an interned tuple of the parts' kinds
 *   SIZE, ID, IDSET, MODULE, SURPLUS, CYCLE  the number itself
 * What a classification needs of the whole graph is computed once when the
 * classifier is made: CLODO of every object (RCS), the instance count of
 * every type (SURPLUS), the reference cycles (CYCLE, scc.h), the largest
 * list index (VIA).
 *
 * Memory: a heap can have millions of kinds (byvia has one per list index
 * in use, byid one per object), so nothing is allocated per kind or per
 * text.  Labels and via texts live in an arena of large blocks; a label is
 * borrowed where one exists already (a one-member set's label is its
 * member's: the repr of a via text, a CLODO label of the clodo part);
 * the rest are flat arrays indexed by kind, set or text number.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#if defined(__GLIBC__)
#include <malloc.h> /* malloc_trim */
#endif

#include "memtrack/partition.h"
#include "memtrack/pyrepr.h"
#include "memtrack/reltext.h"
#include "memtrack/scc.h"

enum { TAG_TYPE = 0, TAG_DICTOF = 1, TAG_NOOWNER = 2 };
enum { TRIM_KINDS = 1 << 16 }; /* kinds of a classifier worth a trim */
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

/* ---- text arena ---------------------------------------------------------- */

/* Strings that live as long as the classifier (labels, via texts), bumped
 * out of blocks of 64 KiB doubling up to 4 MiB: a few large allocations
 * instead of one per string, all freed at once.  A block's first bytes
 * hold the address of the previous block. */
struct arena {
	char *blk;
	size_t used, size;
};

#define ARENA_MIN ((size_t)64 << 10)
#define ARENA_MAX ((size_t)4 << 20)

/* n bytes (not aligned: for text only), or NULL. */
static char *arena_alloc(struct arena *a, size_t n)
{
	char *p;
	if (n > a->size - a->used) {
		size_t sz = a->size ? a->size * 2 : ARENA_MIN;
		if (sz > ARENA_MAX)
			sz = ARENA_MAX;
		if (n > SIZE_MAX - sizeof a->blk)
			return NULL;
		if (sz < n + sizeof a->blk)
			sz = n + sizeof a->blk;
		if (!(p = malloc(sz)))
			return NULL;
		memcpy(p, &a->blk, sizeof a->blk);
		a->blk = p;
		a->used = sizeof a->blk;
		a->size = sz;
	}
	p = a->blk + a->used;
	a->used += n;
	return p;
}

/* A NUL-terminated copy of s[0..n), or NULL. */
static char *arena_dup(struct arena *a, const char *s, size_t n)
{
	char *p = n < SIZE_MAX ? arena_alloc(a, n + 1) : NULL;
	if (p) {
		if (n)
			memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static void arena_free(struct arena *a)
{
	while (a->blk) {
		char *prev;
		memcpy(&prev, a->blk, sizeof prev);
		free(a->blk);
		a->blk = prev;
	}
	a->used = a->size = 0;
}

/* ---- interned uint32 arrays (sets and tuples) ----------------------------- */

/* Arrays numbered in order of addition, all members in one array.  With
 * by_member set, arrays of fewer than two members are added with pool_add
 * and left out of the hash (the caller finds them by their member);
 * pool_intern finds or adds the others. */
struct pool {
	uint32_t *e; /* all members, array after array */
	size_t elen, ecap;
	uint32_t *off;	/* n + 1 entries: array s is e[off[s]..off[s + 1]) */
	uint32_t *hash; /* of each array */
	uint32_t n, cap;
	uint32_t *ht; /* slot -> array number, NONE empty */
	size_t htcap, nht;
	bool by_member;
};

static uint32_t hash_arr(const uint32_t *a, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ n;
	uint32_t i;
	for (i = 0; i < n; i++)
		h = (h ^ a[i]) * 0x100000001b3ULL;
	h ^= h >> 29;
	return (uint32_t)(h ^ (h >> 32));
}

static uint32_t pool_len(const struct pool *p, uint32_t s)
{
	return p->off[s + 1] - p->off[s];
}

static bool pool_hashed(const struct pool *p, uint32_t s)
{
	return !p->by_member || pool_len(p, s) > 1;
}

static int pool_rehash(struct pool *p, size_t ncap)
{
	uint32_t *ht = malloc(ncap * sizeof *ht), i;
	if (!ht)
		return -1;
	memset(ht, 0xff, ncap * sizeof *ht);
	for (i = 0; i < p->n; i++) {
		size_t j;
		if (!pool_hashed(p, i))
			continue;
		j = p->hash[i] & (ncap - 1);
		while (ht[j] != NONE)
			j = (j + 1) & (ncap - 1);
		ht[j] = i;
	}
	free(p->ht);
	p->ht = ht;
	p->htcap = ncap;
	return 0;
}

/* Appends a[0..n) (hash h) as array *id, not entered in the hash. */
static int pool_add(struct pool *p, const uint32_t *a, uint32_t n, uint32_t h,
		    uint32_t *id)
{
	if (n > UINT32_MAX - p->elen || p->n == NONE - 1)
		return -1; /* offsets are uint32_t */
	if (p->n == p->cap) {
		uint32_t nc = p->cap ? p->cap * 2 : 64;
		uint32_t *o = realloc(p->off, ((size_t)nc + 1) * sizeof *o);
		uint32_t *hh;
		if (o) {
			p->off = o;
			o[p->n] = (uint32_t)p->elen;
		}
		hh = realloc(p->hash, nc * sizeof *hh);
		if (hh)
			p->hash = hh;
		if (!o || !hh)
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
	if (n)
		memcpy(p->e + p->elen, a, n * sizeof *a);
	p->elen += n;
	p->off[p->n + 1] = (uint32_t)p->elen;
	p->hash[p->n] = h;
	*id = p->n++;
	return 0;
}

static int pool_intern(struct pool *p, const uint32_t *a, uint32_t n,
		       uint32_t *id)
{
	uint32_t h = hash_arr(a, n);
	size_t j;
	if (!p->htcap && pool_rehash(p, 256))
		return -1;
	j = h & (p->htcap - 1);
	while (p->ht[j] != NONE) {
		uint32_t s = p->ht[j];
		if (p->hash[s] == h && pool_len(p, s) == n &&
		    !memcmp(p->e + p->off[s], a, n * sizeof *a)) {
			*id = s;
			return 0;
		}
		j = (j + 1) & (p->htcap - 1);
	}
	if (pool_add(p, a, n, h, id))
		return -1;
	p->ht[j] = *id;
	p->nht++;
	if (p->nht * 2 > p->htcap && pool_rehash(p, p->htcap * 2))
		return -1;
	return 0;
}

static void pool_free(struct pool *p)
{
	free(p->e);
	free(p->off);
	free(p->hash);
	free(p->ht);
}

/* ---- the classifier ------------------------------------------------------- */

struct mt_classifier {
	const mt_graph *g;
	mt_classify_by by;
	uint32_t dict_type, reach;
	char *header;
	/* kinds: labels point into text, to static strings, to the via
	 * texts or to the labels of clodo; all live as long as c */
	const char **labels;
	uint64_t *keys; /* RCS/VIA: none, the kind is the set number */
	uint32_t nkinds, cap;
	struct u64map kinds; /* key -> kind; not for RCS/VIA */
	struct arena text;
	mt_strbuf tmp, tmp2; /* reused while making a label or a via text */
	const char **sortv;  /* reused to sort the members of a label */
	size_t sortcap;
	/* RCS: CLODO of every object; IDSET: a CLODO classifier */
	mt_classifier *clodo;
	uint32_t *clodo_of;
	/* RCS, VIA, AND */
	struct pool sets;
	uint32_t *scratch;
	size_t scap;
	/* RCS, VIA: the set {x} of member x (NONE: none yet); the empty set */
	uint32_t *single;
	size_t nsingle;
	uint32_t empty;
	/* VIA: (relation, label) -> via text number, with INDEX labels below
	 * idxlim in the array idxvia instead */
	struct u64map relmemo;
	uint32_t *idxvia;
	size_t nidx, idxlim;
	/* VIA texts: vtext[v] is the raw text, NUL, its repr, NUL (in
	 * text); vht hashes raw text -> v, except for index texts "[17]",
	 * which idxvia holds */
	const char **vtext;
	uint32_t nv, vcap;
	uint64_t *vht;
	size_t vhtcap, nvht;
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
	case MT_CLASSIFY_VIA: {
		/* idxvia covers the INDEX labels of the graph */
		uint32_t e, ne = mt_graph_edge_count(g);
		uint64_t lim = 0;
		for (e = 0; e < ne; e++)
			if (mt_graph_edge_rel(g, e) == MT_REL_INDEX &&
			    mt_graph_edge_label(g, e) >= lim &&
			    mt_graph_edge_label(g, e) < UINT32_MAX)
				lim = mt_graph_edge_label(g, e) + 1;
		c->idxlim = (size_t)lim;
		return MT_OK;
	}
	default:
		return MT_OK;
	}
}

static bool is_set(mt_classify_by by)
{
	return by == MT_CLASSIFY_RCS || by == MT_CLASSIFY_VIA;
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
	c->empty = NONE;
	c->sets.by_member = is_set(by);
	mt_strbuf_init(&c->tmp);
	mt_strbuf_init(&c->tmp2);
	if ((!is_set(by) && map_grow(&c->kinds, 64)) ||
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
	size_t i;
	bool big;
	if (!c)
		return;
	big = c->nkinds >= TRIM_KINDS;
	free(c->labels);
	free(c->keys);
	map_free(&c->kinds);
	arena_free(&c->text);
	mt_strbuf_destroy(&c->tmp);
	mt_strbuf_destroy(&c->tmp2);
	free(c->sortv);
	mt_classifier_free(c->clodo);
	free(c->clodo_of);
	pool_free(&c->sets);
	free(c->scratch);
	free(c->single);
	map_free(&c->relmemo);
	free(c->idxvia);
	free(c->vtext);
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
#if defined(__GLIBC__)
	/* With many kinds, much freed memory (ours and that of the
	 * partitions made with us: a label per row) is in the middle of the
	 * heap, where glibc keeps it resident, also for blocks it would
	 * have mmapped had its dynamic mmap threshold not grown.  Give it
	 * back, as the caller is likely done with a large classification
	 * (~15 ms for a million kinds). */
	if (big)
		malloc_trim(0);
#endif
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

/* The key behind a kind: RCS/VIA kinds are numbered like their sets. */
static uint64_t kind_key(const mt_classifier *c, uint32_t kind)
{
	return is_set(c->by) ? kind : c->keys[kind];
}

/* heapy's label of via text v: repr() of the raw text. */
static const char *via_repr(const mt_classifier *c, uint32_t v)
{
	const char *raw = c->vtext[v];
	return raw + strlen(raw) + 1;
}

/* Members of set s as strings, sorted, joined by ", ": borrowed from the
 * member's label when it is alone, else made in c->text. */
static const char *set_label(mt_classifier *c, uint32_t s)
{
	uint32_t n = pool_len(&c->sets, s), i;
	const uint32_t *e;
	mt_strbuf *b = &c->tmp;
	if (!n)
		return c->by == MT_CLASSIFY_RCS ? "<Nothing>" : "";
	e = c->sets.e + c->sets.off[s];
	if (n > c->sortcap) {
		size_t nc = c->sortcap ? c->sortcap : 16;
		const char **v;
		while (nc < n)
			nc *= 2;
		if (!(v = realloc(c->sortv, nc * sizeof *v)))
			return NULL;
		c->sortv = v;
		c->sortcap = nc;
	}
	for (i = 0; i < n; i++)
		c->sortv[i] = c->by == MT_CLASSIFY_RCS
				  ? mt_classifier_label(c->clodo, e[i])
				  : via_repr(c, e[i]);
	if (n == 1)
		return c->sortv[0];
	qsort(c->sortv, n, sizeof *c->sortv, cmp_str);
	mt_strbuf_reset(b);
	for (i = 0; i < n; i++) {
		if (i)
			mt_strbuf_add(b, ", ", 2);
		mt_strbuf_add(b, c->sortv[i], strlen(c->sortv[i]));
	}
	return b->nomem ? NULL : arena_dup(&c->text, b->s, b->len);
}

/* Appends the label of kind inside a combination (heapy's ctx 'and'). */
static void ctx_label_add(const mt_classifier *c, uint32_t kind, mt_strbuf *b)
{
	const char *l = c->labels[kind];
	if (c->by == MT_CLASSIFY_SIZE)
		mt_strbuf_printf(b, "%llu", (unsigned long long)c->keys[kind]);
	else if (c->by == MT_CLASSIFY_VIA)
		mt_strbuf_printf(b, "{%s}", l);
	else
		mt_strbuf_add(b, l, strlen(l));
}

/* The label of a new kind: a constant, borrowed (set_label), or made in
 * c->tmp and kept in c->text.  NULL when out of memory. */
static const char *make_label(mt_classifier *c, uint64_t key, uint32_t id)
{
	const mt_graph *g = c->g;
	mt_strbuf *b = &c->tmp;
	mt_strbuf_reset(b);
	switch (c->by) {
	case MT_CLASSIFY_CLODO:
	case MT_CLASSIFY_TYPE: {
		const char *tl = mt_graph_type_label(g, (uint32_t)key);
		switch (key >> 32) {
		case TAG_DICTOF:
			mt_strbuf_printf(b, "dict of %s", tl);
			break;
		case TAG_NOOWNER:
			return "dict (no owner)";
		default:
			mt_strbuf_add(b, tl, strlen(tl));
		}
		break;
	}
	case MT_CLASSIFY_RCS:
	case MT_CLASSIFY_VIA:
		return set_label(c, (uint32_t)key);
	case MT_CLASSIFY_SIZE:
		mt_strbuf_printf(b, "%9llu", (unsigned long long)key);
		break;
	case MT_CLASSIFY_ID:
		mt_pyrepr_limited(g, id, b);
		break;
	case MT_CLASSIFY_IDSET: {
		uint32_t k;
		mt_err e;
		if (mt_classifier_classify(c->clodo, id, &k, &e) != MT_OK)
			return NULL;
		mt_strbuf_printf(b, "<1 %s: ", mt_classifier_label(c->clodo, k));
		mt_pyrepr_limited(g, id, b);
		mt_strbuf_addc(b, '>', 1);
		break;
	}
	case MT_CLASSIFY_UNITY:
		return "<Anything>";
	case MT_CLASSIFY_MODULE:
		if (key == NONE)
			return "~module";
		else {
			mt_value v;
			mt_graph_value(g, (uint32_t)key, &v);
			mt_strbuf_add(b, v.s, v.slen);
		}
		break;
	case MT_CLASSIFY_SURPLUS:
		if ((int64_t)key == INT64_MIN)
			return "immortal";
		if ((int64_t)key == INT64_MAX)
			return "virtual";
		mt_strbuf_printf(b, "%+lld", (long long)(int64_t)key);
		break;
	case MT_CLASSIFY_CYCLE:
		if (key == NONE)
			return "<no cycle>";
		mt_strbuf_printf(b, "cycle #%llu (%u object%s)",
				 (unsigned long long)key, c->cycsize[key],
				 c->cycsize[key] == 1 ? "" : "s");
		break;
	case MT_CLASSIFY_AND: {
		const uint32_t *e = c->sets.e + c->sets.off[key];
		size_t i;
		for (i = 0; i < c->nparts; i++) {
			if (i)
				mt_strbuf_add(b, " & ", 3);
			ctx_label_add(c->parts[i], e[i], b);
		}
		break;
	}
	}
	if (b->nomem)
		return NULL;
	return arena_dup(&c->text, b->s ? b->s : "", b->len);
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

static uint32_t hash_text(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;
	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	/* FNV's low bits are weak for texts that differ at the end, as
	 * '[17]' and '[18]' do: mix (murmur3's finaliser) */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

/* repr(s[0..n)) into out: the text in single quotes when it is printable
 * ASCII without a quote or backslash (most via texts), which is what
 * mt_pyrepr_str makes of it, faster; else mt_pyrepr_str. */
static mt_status repr_text(mt_strbuf *out, const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '\'' || s[i] == '\\')
			return mt_pyrepr_str(out, s, n);
	mt_strbuf_addc(out, '\'', 1);
	mt_strbuf_add(out, s, n);
	return mt_strbuf_addc(out, '\'', 1);
}

/* vht slots: 0 empty, else the text's hash << 32 | (its number + 1) */
static int vht_grow(mt_classifier *c)
{
	size_t nc = c->vhtcap ? c->vhtcap * 2 : 1024, i, j;
	uint64_t *ht = calloc(nc, sizeof *ht);
	if (!ht)
		return -1;
	for (i = 0; i < c->vhtcap; i++) {
		if (!c->vht[i])
			continue;
		j = (size_t)(c->vht[i] >> 32) & (nc - 1);
		while (ht[j])
			j = (j + 1) & (nc - 1);
		ht[j] = c->vht[i];
	}
	free(c->vht);
	c->vht = ht;
	c->vhtcap = nc;
	return 0;
}

/* The via text of an edge into c->tmp (reltext.h), an INDEX text "[3]"
 * without going through printf. */
static mt_status via_text(mt_classifier *c, uint32_t edge)
{
	mt_strbuf *b = &c->tmp;
	mt_strbuf_reset(b);
	if (mt_graph_edge_rel(c->g, edge) == MT_REL_INDEX) {
		unsigned long long x = mt_graph_edge_label(c->g, edge);
		char d[24], *p = d + sizeof d;
		*--p = ']';
		do
			*--p = (char)('0' + x % 10);
		while (x /= 10);
		*--p = '[';
		return mt_strbuf_add(b, p, (size_t)(d + sizeof d - p));
	}
	return mt_reltext_via_raw(c->g, edge, b);
}

/* A new via text: s[0..n) and its repr in c->text. */
static int via_add(mt_classifier *c, const char *s, size_t n, uint32_t *out)
{
	mt_strbuf *rep = &c->tmp2;
	char *t;
	if (c->nv == c->vcap) {
		uint32_t nc = c->vcap ? c->vcap * 2 : 1024;
		const char **a = realloc(c->vtext, nc * sizeof *a);
		if (!a)
			return -1;
		c->vtext = a;
		c->vcap = nc;
	}
	mt_strbuf_reset(rep);
	if (repr_text(rep, s, n) != MT_OK ||
	    !(t = arena_alloc(&c->text, n + rep->len + 2)))
		return -1;
	memcpy(t, s, n);
	t[n] = '\0';
	memcpy(t + n + 1, rep->s, rep->len + 1);
	c->vtext[c->nv] = t;
	*out = c->nv++;
	return 0;
}

/* &idxvia[x] for x < idxlim, growing the array; NULL when out of memory. */
static uint32_t *idx_slot(mt_classifier *c, uint64_t x)
{
	if (x >= c->nidx) {
		size_t nc = c->nidx ? c->nidx * 2 : 1024;
		uint32_t *a;
		while (nc <= x)
			nc *= 2;
		if (nc > c->idxlim)
			nc = c->idxlim;
		if (!(a = realloc(c->idxvia, nc * sizeof *a)))
			return NULL;
		memset(a + c->nidx, 0xff, (nc - c->nidx) * sizeof *a);
		c->idxvia = a;
		c->nidx = nc;
	}
	return &c->idxvia[x];
}

/* Whether s[0..n) is the text of INDEX label x < idxlim ("[17]"). */
static bool index_text(const mt_classifier *c, const char *s, size_t n,
		       uint64_t *x)
{
	size_t i;
	uint64_t v = 0;
	if (n < 3 || n > 12 || s[0] != '[' || s[n - 1] != ']' ||
	    (s[1] == '0' && n > 3))
		return false;
	for (i = 1; i < n - 1; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*x = v;
	return v < c->idxlim;
}

/* Number of the via text of an edge, interning it.  Texts are unique: an
 * index text "[17]" (whatever the relation: a dict key 17 prints the
 * same) is found in idxvia, at its index, any other in the hash vht. */
static int via_intern(mt_classifier *c, uint32_t edge, uint32_t *out)
{
	mt_strbuf *raw = &c->tmp;
	const char *s;
	uint64_t x;
	uint32_t h, *slot;
	size_t j;
	if (via_text(c, edge) != MT_OK)
		return -1;
	s = raw->s ? raw->s : "";
	if (index_text(c, s, raw->len, &x)) {
		if (!(slot = idx_slot(c, x)))
			return -1;
		if (*slot == NONE && via_add(c, s, raw->len, slot))
			return -1;
		*out = *slot;
		return 0;
	}
	h = hash_text(s, raw->len);
	if ((size_t)c->nvht * 2 >= c->vhtcap && vht_grow(c))
		return -1;
	j = h & (c->vhtcap - 1);
	for (; c->vht[j]; j = (j + 1) & (c->vhtcap - 1)) {
		uint32_t v = (uint32_t)c->vht[j] - 1;
		if ((uint32_t)(c->vht[j] >> 32) == h &&
		    !strcmp(c->vtext[v], s)) {
			*out = v;
			return 0;
		}
	}
	if (via_add(c, s, raw->len, out))
		return -1;
	c->vht[j] = (uint64_t)h << 32 | (*out + 1);
	c->nvht++;
	return 0;
}

/* Number of the via text of an edge: the text depends on the relation and
 * the label only, so it is made once per (relation, label); for INDEX
 * edges idxvia is that memo. */
static int via_of(mt_classifier *c, uint32_t edge, uint32_t *out)
{
	unsigned rel = mt_graph_edge_rel(c->g, edge);
	uint64_t label = mt_graph_edge_label(c->g, edge), key;
	size_t slot;
	if (rel == MT_REL_INDEX && label < c->idxlim) {
		if (label < c->nidx && c->idxvia[label] != NONE) {
			*out = c->idxvia[label];
			return 0;
		}
		return via_intern(c, edge, out); /* sets idxvia[label] */
	}
	key = (uint64_t)rel << 56 | (label & ((1ULL << 56) - 1));
	slot = map_slot(&c->relmemo, key);
	if (c->relmemo.v[slot] != NONE) {
		*out = c->relmemo.v[slot];
		return 0;
	}
	if (via_intern(c, edge, out))
		return -1;
	return map_put(&c->relmemo, slot, key, *out);
}

/* The set {x}, added when new. */
static int single_set(mt_classifier *c, uint32_t x, uint32_t *set)
{
	if (x >= c->nsingle) {
		size_t nc = c->nsingle ? c->nsingle * 2 : 256;
		uint32_t *a;
		while (nc <= x)
			nc *= 2;
		if (!(a = realloc(c->single, nc * sizeof *a)))
			return -1;
		memset(a + c->nsingle, 0xff, (nc - c->nsingle) * sizeof *a);
		c->single = a;
		c->nsingle = nc;
	}
	if (c->single[x] == NONE && pool_add(&c->sets, &x, 1, 0, &c->single[x]))
		return -1;
	*set = c->single[x];
	return 0;
}

/* RCS/VIA: the set of the in-edges' members, interned. */
static int inset_of(mt_classifier *c, uint32_t id, uint32_t *set)
{
	uint32_t first, n, pos;
	uint32_t *a;
	size_t k = 0, i, m = 0;
	mt_graph_in(c->g, id, &first, &n);
	for (pos = first; pos < first + n; pos++) {
		uint32_t src = mt_graph_in_source(c->g, pos), x;
		/* heapy sees referrers reachable from the root only */
		if (id < c->reach && src >= c->reach)
			continue;
		if (c->by == MT_CLASSIFY_RCS)
			x = c->clodo_of[src];
		else if (mt_graph_edge_is_type_ref(c->g,
						   mt_graph_in_edge(c->g, pos)))
			continue; /* heapy's byvia never shows ->ob_type */
		else if (via_of(c, mt_graph_in_edge(c->g, pos), &x))
			return -1;
		if (scratch_push(c, &k, x))
			return -1;
	}
	a = c->scratch;
	if (k > 16)
		qsort(a, k, sizeof *a, cmp_u32);
	else
		for (i = 1; i < k; i++) { /* insertion sort */
			uint32_t x = a[i];
			size_t j = i;
			for (; j && a[j - 1] > x; j--)
				a[j] = a[j - 1];
			a[j] = x;
		}
	for (i = 0; i < k; i++)
		if (!m || a[m - 1] != a[i])
			a[m++] = a[i];
	if (m == 1)
		return single_set(c, a[0], set);
	if (m == 0) {
		if (c->empty == NONE &&
		    pool_add(&c->sets, NULL, 0, 0, &c->empty))
			return -1;
		*set = c->empty;
		return 0;
	}
	return pool_intern(&c->sets, a, (uint32_t)m, set);
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
	    mt_graph_attr(g, id, "__qualname__") != MT_NO_ID) {
		/* the loader's ob_type in-edges are those references */
		for (uint32_t p = first; p < first + n; p++)
			if (mt_graph_edge_is_type_ref(g, mt_graph_in_edge(g, p)))
				refs--;
		refs += c->ninst[id];
	}
	return (int64_t)mt_graph_refcnt(g, id) - refs;
}

static mt_status tuple_key(mt_classifier *c, uint32_t id, uint64_t *key,
			   mt_err *err)
{
	uint32_t s = 0;
	mt_status st = MT_OK;
	size_t i, n = 0;
	for (i = 0; i < c->nparts; i++) /* the tuple in c->scratch */
		if (scratch_push(c, &n, 0))
			return nomem(err, "kinds");
	for (i = 0; i < c->nparts && st == MT_OK; i++)
		st = mt_classifier_classify(c->parts[i], id, &c->scratch[i],
					    err);
	if (st == MT_OK &&
	    pool_intern(&c->sets, c->scratch, (uint32_t)c->nparts, &s))
		st = nomem(err, "kinds");
	*key = s;
	return st;
}

/* Numbers a new kind with key (found on object id) and its label. */
static int add_kind(mt_classifier *c, uint64_t key, uint32_t id)
{
	const char *l;
	if (c->nkinds == c->cap) {
		uint32_t nc = c->cap ? c->cap * 2 : 64;
		const char **a = realloc(c->labels, nc * sizeof *a);
		if (!a)
			return -1;
		c->labels = a;
		if (!is_set(c->by)) {
			uint64_t *k = realloc(c->keys, nc * sizeof *k);
			if (!k)
				return -1;
			c->keys = k;
		}
		c->cap = nc;
	}
	if (!(l = make_label(c, key, id)))
		return -1;
	c->labels[c->nkinds] = l;
	if (!is_set(c->by))
		c->keys[c->nkinds] = key;
	c->nkinds++;
	return 0;
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
	case MT_CLASSIFY_VIA: {
		/* The kind is the set number: sets are numbered as they
		 * are first seen, and each new one becomes a kind at once
		 * (or at the next call when a label failed). */
		uint32_t s;
		if (inset_of(c, id, &s))
			goto nomem;
		while (c->nkinds <= s)
			if (add_kind(c, c->nkinds, id))
				goto nomem;
		*kind = s;
		return MT_OK;
	}
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
	if (add_kind(c, key, id))
		goto nomem;
	*kind = c->nkinds - 1;
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
	return pool_len(&c->sets, kind);
}

const char *mt_classifier_set_member(const mt_classifier *c, uint32_t kind,
				     size_t i)
{
	uint32_t x;
	if (i >= mt_classifier_set_size(c, kind))
		return NULL;
	x = c->sets.e[c->sets.off[kind] + i];
	return c->by == MT_CLASSIFY_RCS ? mt_classifier_label(c->clodo, x)
					: c->vtext[x];
}

int64_t mt_classifier_kind_value(const mt_classifier *c, uint32_t kind)
{
	uint64_t k;
	if (kind >= c->nkinds)
		return 0;
	k = kind_key(c, kind);
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
