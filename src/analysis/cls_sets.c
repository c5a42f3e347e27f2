/* Classifier rows whose kinds are sets: RCS and VIA (classifier.h).
 *
 * RCS  "Referrers by Kind": the set of CLODO kinds of an object's referrers
 *      (label: the CLODO labels, sorted, ', '-joined; `<Nothing>`).
 * VIA  "Referred Via:": the set of via texts (reltext.h) of its in-edges
 *      (label: their repr()s, sorted as Python sorts them).
 * Both see only referrers reachable from the root when the object is, as
 * heapy does.
 *
 * A kind is the number of an interned set: sorted, duplicate-free arrays
 * of member numbers (CLODO kinds of the referrers, interned via texts) in
 * one pool, numbered as they are first seen (MT_CLS_DENSE: the kind is the
 * set number).  A one-member set is found through its member, larger ones
 * through the pool's hash; a one-member set's label is its member's.
 *
 * Via texts: vtext[v] is the raw text, NUL, its repr, NUL (in the state's
 * arena); vht hashes raw text -> v, except for index texts "[17]" below
 * idxlim (the largest list index of the graph), which idxvia holds by
 * index.  A text depends only on the edge's relation and label, so it is
 * made once per (relation, label): relmemo.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "clspriv.h"
#include "memtrack/classifier.h"
#include "memtrack/pyrepr.h"
#include "memtrack/reltext.h"

#define NONE MT_CLS_NONE

struct sets_state {
	bool rcs;
	uint32_t reach;
	struct mt_pool sets;
	struct mt_u32vec scratch;
	/* members already in scratch, for an object with many in-edges
	 * (DEDUP_FROM): one byte per member number, cleared after */
	uint8_t *seen;
	size_t nseen;
	uint32_t *single; /* the set {x} of member x (NONE: none yet) */
	size_t nsingle;
	uint32_t empty; /* the empty set, NONE: none yet */
	const char **sortv; /* reused to sort the members of a label */
	size_t sortcap;
	struct mt_arena text;
	mt_strbuf tmp, tmp2; /* a via text, its repr */
	/* RCS: the CLODO kind of every object */
	mt_classifier *clodo;
	uint32_t *clodo_of;
	/* VIA */
	struct mt_u64map relmemo; /* (relation, label) -> via text number */
	uint32_t *idxvia;
	size_t nidx, idxlim;
	const char **vtext;
	uint32_t nv, vcap;
	uint64_t *vht; /* 0 empty, else the text's hash << 32 | (number + 1) */
	size_t vhtcap, nvht;
	struct mt_ahead vahead; /* the next vht */
};

static int ctx_progress(void *ctx, const char *what, uint64_t done,
			uint64_t total)
{
	return mt_ctx_progress(ctx, what, done, total);
}

static mt_status sets_init(mt_classifier *c, bool rcs)
{
	struct sets_state *s = mt_classifier_state(c);
	s->rcs = rcs;
	s->reach = mt_graph_reachable(mt_classifier_graph(c));
	s->empty = NONE;
	s->sets.by_member = true;
	mt_strbuf_init(&s->tmp);
	mt_strbuf_init(&s->tmp2);
	return MT_OK;
}

static mt_status rcs_prepare(mt_classifier *c, mt_err *err)
{
	struct sets_state *s = mt_classifier_state(c);
	mt_ctx *ctx = mt_classifier_ctx(c);
	mt_status st;
	sets_init(c, true);
	if ((st = mt_ctx_classifier(ctx, "clodo", &s->clodo, err)) != MT_OK)
		return st;
	return mt_classifier_classify_all_cb(s->clodo, &s->clodo_of,
					     ctx_progress, ctx,
					     "referrer kinds", err);
}

static mt_status via_prepare(mt_classifier *c, mt_err *err)
{
	struct sets_state *s = mt_classifier_state(c);
	const mt_graph *g = mt_classifier_graph(c);
	uint32_t e, ne = mt_graph_edge_count(g);
	uint64_t lim = 0;
	sets_init(c, false);
	if (mt_u64map_grow(&s->relmemo, 256))
		return mt_cls_nomem(err, "via texts");
	/* idxvia covers the INDEX labels of the graph */
	for (e = 0; e < ne; e++) {
		if (!(e & 0x3fffff) &&
		    mt_ctx_progress(mt_classifier_ctx(c), "via texts", e, ne))
			return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
					  MT_NO_OFFSET, "via texts");
		if (mt_graph_edge_rel(g, e) == MT_REL_INDEX &&
		    mt_graph_edge_label(g, e) >= lim &&
		    mt_graph_edge_label(g, e) < UINT32_MAX)
			lim = mt_graph_edge_label(g, e) + 1;
	}
	s->idxlim = (size_t)lim;
	return MT_OK;
}

static void sets_release(mt_classifier *c)
{
	struct sets_state *s = mt_classifier_state(c);
	mt_pool_free(&s->sets);
	free(s->scratch.a);
	free(s->seen);
	free(s->single);
	free(s->sortv);
	mt_arena_free(&s->text);
	mt_strbuf_destroy(&s->tmp);
	mt_strbuf_destroy(&s->tmp2);
	mt_classifier_unref(s->clodo);
	mt_big_free(s->clodo_of);
	mt_u64map_free(&s->relmemo);
	free(s->idxvia);
	free(s->vtext);
	free(s->vht);
	mt_ahead_free(&s->vahead);
}

/* ---- via texts ---- */

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

static int vht_grow(struct sets_state *s)
{
	size_t nc = s->vhtcap ? s->vhtcap * 2 : 1024, i, j;
	uint64_t *ht = mt_ahead_take(&s->vahead, nc * sizeof *ht, 0);
	if (!ht)
		return -1;
	for (i = 0; i < s->vhtcap; i++) {
		if (!s->vht[i])
			continue;
		j = (size_t)(s->vht[i] >> 32) & (nc - 1);
		while (ht[j])
			j = (j + 1) & (nc - 1);
		ht[j] = s->vht[i];
	}
	free(s->vht);
	s->vht = ht;
	s->vhtcap = nc;
	return 0;
}

/* The via text of an edge into s->tmp (reltext.h), an INDEX text "[3]"
 * without going through printf. */
static mt_status via_text(struct sets_state *s, const mt_graph *g,
			  uint32_t edge)
{
	mt_strbuf *b = &s->tmp;
	mt_strbuf_reset(b);
	if (mt_graph_edge_rel(g, edge) == MT_REL_INDEX) {
		unsigned long long x = mt_graph_edge_label(g, edge);
		char d[24], *p = d + sizeof d;
		*--p = ']';
		do
			*--p = (char)('0' + x % 10);
		while (x /= 10);
		*--p = '[';
		return mt_strbuf_add(b, p, (size_t)(d + sizeof d - p));
	}
	return mt_reltext_via_raw(g, edge, b);
}

/* A new via text: t[0..n) and its repr in s->text. */
static int via_add(struct sets_state *s, const char *raw, size_t n,
		   uint32_t *out)
{
	mt_strbuf *rep = &s->tmp2;
	char *t;
	if (s->nv == s->vcap) {
		uint32_t nc = s->vcap ? s->vcap * 2 : 1024;
		const char **a = realloc(s->vtext, nc * sizeof *a);
		if (!a)
			return -1;
		s->vtext = a;
		s->vcap = nc;
	}
	mt_strbuf_reset(rep);
	if (repr_text(rep, raw, n) != MT_OK ||
	    !(t = mt_arena_alloc(&s->text, n + rep->len + 2)))
		return -1;
	memcpy(t, raw, n);
	t[n] = '\0';
	memcpy(t + n + 1, rep->s, rep->len + 1);
	s->vtext[s->nv] = t;
	*out = s->nv++;
	return 0;
}

/* &idxvia[x] for x < idxlim, growing the array; NULL when out of memory. */
static uint32_t *idx_slot(struct sets_state *s, uint64_t x)
{
	if (x >= s->nidx) {
		size_t nc = s->nidx ? s->nidx * 2 : 1024;
		uint32_t *a;
		while (nc <= x)
			nc *= 2;
		if (nc > s->idxlim)
			nc = s->idxlim;
		if (!(a = realloc(s->idxvia, nc * sizeof *a)))
			return NULL;
		memset(a + s->nidx, 0xff, (nc - s->nidx) * sizeof *a);
		s->idxvia = a;
		s->nidx = nc;
	}
	return &s->idxvia[x];
}

/* Whether t[0..n) is the text of INDEX label x < idxlim ("[17]"). */
static bool index_text(const struct sets_state *s, const char *t, size_t n,
		       uint64_t *x)
{
	size_t i;
	uint64_t v = 0;
	if (n < 3 || n > 12 || t[0] != '[' || t[n - 1] != ']' ||
	    (t[1] == '0' && n > 3))
		return false;
	for (i = 1; i < n - 1; i++) {
		if (t[i] < '0' || t[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(t[i] - '0');
	}
	*x = v;
	return v < s->idxlim;
}

/* Number of the via text of an edge, interning it.  Texts are unique: an
 * index text "[17]" (whatever the relation: a dict key 17 prints the
 * same) is found in idxvia, at its index, any other in the hash vht. */
static int via_intern(struct sets_state *s, const mt_graph *g, uint32_t edge,
		      uint32_t *out)
{
	mt_strbuf *raw = &s->tmp;
	const char *t;
	uint64_t x;
	uint32_t h, *slot;
	size_t j;
	if (via_text(s, g, edge) != MT_OK)
		return -1;
	t = raw->s ? raw->s : "";
	if (index_text(s, t, raw->len, &x)) {
		if (!(slot = idx_slot(s, x)))
			return -1;
		if (*slot == NONE && via_add(s, t, raw->len, slot))
			return -1;
		*out = *slot;
		return 0;
	}
	h = hash_text(t, raw->len);
	if (s->nvht * 2 >= s->vhtcap && vht_grow(s))
		return -1;
	j = h & (s->vhtcap - 1);
	for (; s->vht[j]; j = (j + 1) & (s->vhtcap - 1)) {
		uint32_t v = (uint32_t)s->vht[j] - 1;
		if ((uint32_t)(s->vht[j] >> 32) == h &&
		    !strcmp(s->vtext[v], t)) {
			*out = v;
			return 0;
		}
	}
	if (via_add(s, t, raw->len, out))
		return -1;
	s->vht[j] = (uint64_t)h << 32 | (*out + 1);
	s->nvht++;
	mt_ahead_insert(&s->vahead, s->nvht, s->vhtcap, sizeof *s->vht, 0);
	return 0;
}

/* Number of the via text of an edge, made once per (relation, label); for
 * INDEX edges idxvia is that memo. */
static int via_of(struct sets_state *s, const mt_graph *g, uint32_t edge,
		  uint32_t *out)
{
	unsigned rel = mt_graph_edge_rel(g, edge);
	uint64_t label = mt_graph_edge_label(g, edge), key;
	size_t slot;
	if (rel == MT_REL_INDEX && label < s->idxlim) {
		if (label < s->nidx && s->idxvia[label] != NONE) {
			*out = s->idxvia[label];
			return 0;
		}
		return via_intern(s, g, edge, out); /* sets idxvia[label] */
	}
	key = (uint64_t)rel << 56 | (label & ((1ULL << 56) - 1));
	slot = mt_u64map_slot(&s->relmemo, key);
	if (s->relmemo.v[slot] != NONE) {
		*out = s->relmemo.v[slot];
		return 0;
	}
	if (via_intern(s, g, edge, out))
		return -1;
	return mt_u64map_put(&s->relmemo, slot, key, *out);
}

/* ---- sets ---- */

/* The set {x}, added when new. */
static int single_set(struct sets_state *s, uint32_t x, uint32_t *set)
{
	if (x >= s->nsingle) {
		size_t nc = s->nsingle ? s->nsingle * 2 : 256;
		uint32_t *a;
		while (nc <= x)
			nc *= 2;
		if (!(a = realloc(s->single, nc * sizeof *a)))
			return -1;
		memset(a + s->nsingle, 0xff, (nc - s->nsingle) * sizeof *a);
		s->single = a;
		s->nsingle = nc;
	}
	if (s->single[x] == NONE &&
	    mt_pool_add(&s->sets, &x, 1, 0, &s->single[x]))
		return -1;
	*set = s->single[x];
	return 0;
}

/* Whether member x is new to seen (marking it); -1 when out of memory. */
static int first_seen(struct sets_state *s, uint32_t x)
{
	if (x >= s->nseen) {
		size_t nc = s->nseen ? s->nseen : 256;
		while (nc <= x)
			nc *= 2;
		uint8_t *a = realloc(s->seen, nc);
		if (!a)
			return -1;
		memset(a + s->nseen, 0, nc - s->nseen);
		s->seen = a;
		s->nseen = nc;
	}
	if (s->seen[x])
		return 0;
	s->seen[x] = 1;
	return 1;
}

/* Objects with more in-edges keep each member once as they go (the
 * in-edges of None or of a class number millions, their members a few):
 * fewer to sort after */
enum { DEDUP_FROM = 256 };

/* The members of id's in-edges into s->scratch.a[0..*k): the referrers'
 * CLODO kinds (RCS) or the edges' via text numbers (VIA).  Room for every
 * in-edge is made first, so the loops store without checks.  A class
 * has an in-edge from each instance (ob_type): the loops report their
 * progress (mt_cls_work_at). */
static mt_status members(mt_classifier *c, struct sets_state *s,
			 const mt_graph *g, uint32_t id, size_t *k,
			 mt_err *err)
{
	uint32_t first, n, pos, x, *a;
	size_t m = 0;
	mt_status st = MT_OK;
	int fresh = 1;
	mt_graph_in(g, id, &first, &n);
	if (mt_u32vec_reserve(&s->scratch, n))
		return mt_cls_nomem(err, "classifier kinds");
	a = s->scratch.a;
	bool dedup = n >= DEDUP_FROM;
	/* heapy sees referrers reachable from the root only */
	bool reached = id < s->reach;
	for (pos = first; pos < first + n; pos++) {
		uint32_t src = mt_graph_in_source(g, pos);
		if ((st = mt_cls_work_at(c, pos - first, err)))
			break;
		if (reached && src >= s->reach)
			continue;
		if (s->rcs)
			x = s->clodo_of[src];
		else {
			uint32_t e = mt_graph_in_edge(g, pos);
			if (mt_graph_edge_is_type_ref_from(g, e, src))
				continue; /* heapy's byvia never shows ->ob_type */
			if (via_of(s, g, e, &x))
				break;
		}
		if (dedup && (fresh = first_seen(s, x)) <= 0) {
			if (fresh < 0)
				break;
			continue;
		}
		a[m++] = x;
	}
	if (dedup) /* clears the marks, whatever ended the loop */
		for (size_t i = 0; i < m; i++)
			s->seen[a[i]] = 0;
	*k = m;
	if (st == MT_OK && pos < first + n)
		st = mt_cls_nomem(err, "classifier kinds");
	return st;
}

/* The set of the in-edges' members of id, interned. */
static mt_status sets_classify(mt_classifier *c, uint32_t id, uint64_t *key,
			       mt_err *err)
{
	struct sets_state *s = mt_classifier_state(c);
	uint32_t set = 0;
	size_t m = 0;
	mt_status st = members(c, s, mt_classifier_graph(c), id, &m, err);
	if (st != MT_OK)
		return st;
	m = mt_u32_sort_unique(s->scratch.a, m);
	if (m == 1) {
		if (single_set(s, s->scratch.a[0], &set))
			goto nomem;
	} else if (m == 0) {
		if (s->empty == NONE &&
		    mt_pool_add(&s->sets, NULL, 0, 0, &s->empty))
			goto nomem;
		set = s->empty;
	} else if (mt_pool_intern(&s->sets, s->scratch.a, (uint32_t)m, &set))
		goto nomem;
	*key = set;
	return MT_OK;
nomem:
	return mt_cls_nomem(err, "classifier kinds");
}

/* ---- labels and members ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* heapy's label of via text v: repr() of the raw text. */
static const char *via_repr(const struct sets_state *s, uint32_t v)
{
	const char *raw = s->vtext[v];
	return raw + strlen(raw) + 1;
}

/* Members of set key as strings, sorted, joined by ", ": borrowed from the
 * member's label when it is alone, else made in b. */
static const char *sets_label(mt_classifier *c, uint64_t key, uint32_t id,
			      mt_strbuf *b)
{
	struct sets_state *s = mt_classifier_state(c);
	uint32_t n = mt_pool_len(&s->sets, (uint32_t)key), i;
	const uint32_t *e = mt_pool_at(&s->sets, (uint32_t)key);
	(void)id;
	if (!n)
		return s->rcs ? "<Nothing>" : "";
	if (n > s->sortcap) {
		size_t nc = s->sortcap ? s->sortcap : 16;
		const char **v;
		while (nc < n)
			nc *= 2;
		if (!(v = realloc(s->sortv, nc * sizeof *v))) {
			b->nomem = true;
			return NULL;
		}
		s->sortv = v;
		s->sortcap = nc;
	}
	for (i = 0; i < n; i++)
		s->sortv[i] = s->rcs ? mt_classifier_label(s->clodo, e[i])
				     : via_repr(s, e[i]);
	if (n == 1)
		return s->sortv[0];
	qsort(s->sortv, n, sizeof *s->sortv, cmp_str);
	for (i = 0; i < n; i++) {
		if (i)
			mt_strbuf_add(b, ", ", 2);
		mt_strbuf_add(b, s->sortv[i], strlen(s->sortv[i]));
	}
	return NULL;
}

static size_t sets_size(const mt_classifier *c, uint64_t key)
{
	const struct sets_state *s = mt_classifier_state(c);
	return mt_pool_len(&s->sets, (uint32_t)key);
}

/* A CLODO label for RCS, the via text before repr() for VIA. */
static const char *sets_member(const mt_classifier *c, uint64_t key, size_t i)
{
	const struct sets_state *s = mt_classifier_state(c);
	uint32_t x = mt_pool_at(&s->sets, (uint32_t)key)[i];
	return s->rcs ? mt_classifier_label(s->clodo, x) : s->vtext[x];
}

/* Inside a combination a via set is in braces: `list & {'.a'}`. */
static void via_and_label(const mt_classifier *c, uint64_t key,
			  const char *label, mt_strbuf *b)
{
	(void)c;
	(void)key;
	mt_strbuf_printf(b, "{%s}", label);
}

const mt_classifier_def mt_classifier_def_rcs = {
    .name = "rcs",
    .header = "Referrers by Kind (class / dict of class)",
    .key = 'e',
    .help = "the kinds (clodo) of the referrers",
    .flags = MT_CLS_DENSE | MT_CLS_SLOW | MT_CLS_SETKINDS,
    .by = MT_CLASSIFY_RCS,
    .state_size = sizeof(struct sets_state),
    .prepare = rcs_prepare,
    .release = sets_release,
    .classify = sets_classify,
    .label = sets_label,
    .set_size = sets_size,
    .set_member = sets_member,
};

const mt_classifier_def mt_classifier_def_via = {
    .name = "via",
    .header = "Referred Via:",
    .and_header = "{Referred Via}",
    .key = 'v',
    .help = "how it is referred to: .attr, [index], ['key']",
    .flags = MT_CLS_DENSE | MT_CLS_SLOW | MT_CLS_SETKINDS,
    .by = MT_CLASSIFY_VIA,
    .state_size = sizeof(struct sets_state),
    .prepare = via_prepare,
    .release = sets_release,
    .classify = sets_classify,
    .label = sets_label,
    .and_label = via_and_label,
    .set_size = sets_size,
    .set_member = sets_member,
};
