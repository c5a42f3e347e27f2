/* Shortest paths (paths.h).
 *
 * Search: frontier lists, N-bit bitmaps (seen, on the next level,
 * destination) and each seen object's level (4 bytes an object reached).
 * Pruning walks the levels backwards with a `keep` bitmap (levels are
 * disjoint, so one bitmap serves all): a kept object's steps are its
 * in-edges from objects of the level before (or, on level 1 of a search
 * from the root, the root edges to it), which are exactly the edges the
 * breadth-first search went along to it.  The kept edges become the DAG:
 * node ids sorted for binary search, each node's steps sorted by a
 * precomputed relation key, path counts summed level by level from the
 * destinations up.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "memtrack/navigate.h"
#include "memtrack/partition.h"
#include "memtrack/paths.h"
#include "memtrack/pyrepr.h"
#include "memtrack/reltext.h"
#include "memtrack/util.h"

struct mt_paths {
	const mt_graph *g;
	bool root;
	size_t given;
	uint32_t len;
	uint64_t count;
	size_t nnodes; /* DAG objects, sorted by id */
	uint32_t *node_id;
	uint64_t *node_np;
	size_t *node_first, *node_n; /* their steps */
	mt_path_step *steps;
	size_t nsteps;
	size_t root_first, root_n; /* the virtual root's steps */
	uint64_t root_np;
	uint32_t **level;	    /* len + 1 lists */
	size_t *level_n;
};

static inline int bit(const uint64_t *b, uint32_t i)
{
	return (int)((b[i >> 6] >> (i & 63)) & 1);
}

static inline void setbit(uint64_t *b, uint32_t i)
{
	b[i >> 6] |= 1ull << (i & 63);
}

static inline void clrbit(uint64_t *b, uint32_t i)
{
	b[i >> 6] &= ~(1ull << (i & 63));
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static mt_status nomem(mt_err *err)
{
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			  "shortest paths");
}

/* A growable array of esz-byte elements. */
typedef struct vec {
	void *a;
	size_t n, cap, esz;
} vec;

static int vec_push(vec *v, const void *x)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 64;
		void *na = realloc(v->a, nc * v->esz);
		if (!na)
			return -1;
		v->a = na;
		v->cap = nc;
	}
	memcpy((char *)v->a + v->n * v->esz, x, v->esz);
	v->n++;
	return 0;
}

/* ---- relation order ------------------------------------------------- */

typedef struct skey {
	int code;	 /* heapy's relation code */
	int cls;	 /* 0 number, 1 string, 2 other (by id) */
	int isint;
	int64_t i;
	double d;
	const char *s;
	size_t slen;
	uint32_t edge; /* tie-break */
	mt_path_step step;
} skey;

static void make_key(const mt_graph *g, const mt_path_step *st, skey *k)
{
	unsigned rel;
	uint64_t label;
	memset(k, 0, sizeof *k);
	k->step = *st;
	k->edge = st->edge;
	if (st->src == MT_NO_ID) {
		const mt_edge *roots;
		size_t nroots;
		mt_graph_roots(g, &roots, &nroots);
		rel = roots[st->edge].rel;
		label = roots[st->edge].label;
	} else {
		rel = mt_graph_edge_rel(g, st->edge);
		label = mt_graph_edge_label(g, st->edge);
	}
	k->code = mt_relation_order(rel); /* dump.h */
	switch (mt_relation_label_kind(rel)) {
	case MT_LABEL_NAME: {
		const char *nm = mt_graph_name(g, label);
		k->cls = 1;
		k->s = nm ? nm : "";
		k->slen = strlen(k->s);
		break;
	}
	case MT_LABEL_REF: {
		mt_value v;
		k->cls = 2;
		k->i = (int64_t)label;
		if (label >= mt_graph_count(g))
			break;
		mt_graph_value(g, (uint32_t)label, &v);
		if (v.kind == MT_VAL_STR) {
			k->cls = 1;
			k->s = v.s;
			k->slen = v.slen;
		} else if (v.kind == MT_VAL_INT || v.kind == MT_VAL_BOOL) {
			k->cls = 0;
			k->isint = 1;
			k->i = v.i;
			k->d = (double)v.i;
		} else if (v.kind == MT_VAL_FLOAT) {
			k->cls = 0;
			k->d = v.d;
		}
		break;
	}
	default:
		k->cls = k->code == -1 ? 3 : 0; /* heapy: r is None, all equal */
		k->isint = 1;
		k->i = (int64_t)label;
		k->d = (double)label;
		break;
	}
}

static int cmp_key(const void *a, const void *b)
{
	const skey *x = a, *y = b;
	if (x->code != y->code)
		return x->code < y->code ? -1 : 1;
	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	int c = 0;
	switch (x->cls) {
	case 0:
		if (x->isint && y->isint)
			c = x->i < y->i ? -1 : x->i > y->i;
		else
			c = x->d < y->d ? -1 : x->d > y->d;
		break;
	case 1: {
		size_t m = x->slen < y->slen ? x->slen : y->slen;
		c = memcmp(x->s, y->s, m);
		if (!c)
			c = x->slen < y->slen ? -1 : x->slen > y->slen;
		break;
	}
	case 2:
		c = x->i < y->i ? -1 : x->i > y->i;
		break;
	default:
		break;
	}
	if (c)
		return c;
	return x->edge < y->edge ? -1 : x->edge > y->edge;
}

/* ---- sources in identity-table order -------------------------------- */

typedef struct srckey {
	uint64_t size, addr;
	uint32_t id;
} srckey;

static int cmp_src(const void *a, const void *b)
{
	const srckey *x = a, *y = b;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static long node_index(const mt_paths *p, uint32_t id)
{
	size_t lo = 0, hi = p->nnodes;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (p->node_id[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->nnodes && p->node_id[lo] == id ? (long)lo : -1;
}

void mt_paths_free(mt_paths *p)
{
	if (!p)
		return;
	free(p->node_id);
	free(p->node_np);
	free(p->node_first);
	free(p->node_n);
	free(p->steps);
	if (p->level)
		for (uint32_t k = 0; k <= p->len; k++)
			free(p->level[k]);
	free(p->level);
	free(p->level_n);
	free(p);
}

/* Builds the DAG from the kept steps (each level's list of objects is in
 * p->level[k]).  kept is borrowed (reordered here; the caller frees). */
static mt_status build_dag(mt_paths *p, mt_path_step *kept, size_t nk,
			   mt_err *err)
{
	const mt_graph *g = p->g;
	/* nodes: every kept object (sources and targets) */
	size_t tot = 0;
	for (uint32_t k = 0; k <= p->len; k++)
		tot += p->level_n[k];
	p->node_id = malloc((tot ? tot : 1) * sizeof *p->node_id);
	p->node_np = calloc(tot ? tot : 1, sizeof *p->node_np);
	p->node_first = calloc(tot ? tot : 1, sizeof *p->node_first);
	p->node_n = calloc(tot ? tot : 1, sizeof *p->node_n);
	skey *keys = malloc((nk ? nk : 1) * sizeof *keys);
	p->steps = malloc((nk ? nk : 1) * sizeof *p->steps);
	if (!p->node_id || !p->node_np || !p->node_first || !p->node_n ||
	    !keys || !p->steps) {
		free(keys);
		return nomem(err);
	}
	for (uint32_t k = 0; k <= p->len; k++)
		for (size_t i = 0; i < p->level_n[k]; i++)
			p->node_id[p->nnodes++] = p->level[k][i];
	qsort(p->node_id, p->nnodes, sizeof *p->node_id, mt_cmp_u32);
	/* group steps by source: order by (source position, relation key) */
	for (size_t i = 0; i < nk; i++)
		make_key(g, &kept[i], &keys[i]);
	/* counting sort by source node (root first) */
	size_t *cnt = calloc(p->nnodes + 2, sizeof *cnt);
	if (!cnt) {
		free(keys);
		return nomem(err);
	}
	for (size_t i = 0; i < nk; i++) {
		long ix = kept[i].src == MT_NO_ID ? -1
						  : node_index(p, kept[i].src);
		cnt[(size_t)(ix + 2)]++;
	}
	for (size_t i = 1; i < p->nnodes + 2; i++)
		cnt[i] += cnt[i - 1];
	/* cnt[j] = start of bucket j (j = ix + 1) */
	skey *sorted = malloc((nk ? nk : 1) * sizeof *sorted);
	if (!sorted) {
		free(cnt);
		free(keys);
		return nomem(err);
	}
	p->root_first = 0;
	p->root_n = cnt[1] - cnt[0];
	for (size_t j = 0; j < p->nnodes; j++) {
		p->node_first[j] = cnt[j + 1];
		p->node_n[j] = cnt[j + 2] - cnt[j + 1];
	}
	for (size_t i = 0; i < nk; i++) {
		long ix = kept[i].src == MT_NO_ID ? -1
						  : node_index(p, kept[i].src);
		sorted[cnt[(size_t)(ix + 1)]++] = keys[i];
	}
	free(cnt);
	free(keys);
	qsort(sorted, p->root_n, sizeof *sorted, cmp_key);
	for (size_t j = 0; j < p->nnodes; j++)
		qsort(sorted + p->node_first[j], p->node_n[j], sizeof *sorted,
		      cmp_key);
	for (size_t i = 0; i < nk; i++)
		p->steps[i] = sorted[i].step;
	p->nsteps = nk;
	free(sorted);
	/* path counts, from the destinations up */
	for (size_t i = 0; i < p->level_n[p->len]; i++)
		p->node_np[node_index(p, p->level[p->len][i])] = 1;
	for (uint32_t k = p->len; k-- > 0;)
		for (size_t i = 0; i < p->level_n[k]; i++) {
			long ix = node_index(p, p->level[k][i]);
			uint64_t s = 0;
			for (size_t q = 0; q < p->node_n[ix]; q++) {
				uint32_t t = p->steps[p->node_first[ix] + q].dst;
				s = sat_add(s, p->node_np[node_index(p, t)]);
			}
			p->node_np[ix] = s;
		}
	if (p->root) {
		uint64_t s = 0;
		for (size_t q = 0; q < p->root_n; q++)
			s = sat_add(s, p->node_np[node_index(
					   p, p->steps[p->root_first + q].dst)]);
		p->root_np = s;
		p->count = s;
	} else {
		/* level 0 in identity-table order */
		size_t n0 = p->level_n[0];
		srckey *sk = malloc((n0 ? n0 : 1) * sizeof *sk);
		if (!sk)
			return nomem(err);
		for (size_t i = 0; i < n0; i++) {
			uint32_t id = p->level[0][i];
			sk[i] = (srckey){mt_graph_size(g, id),
					 mt_graph_addr(g, id), id};
		}
		qsort(sk, n0, sizeof *sk, cmp_src);
		uint64_t s = 0;
		for (size_t i = 0; i < n0; i++) {
			p->level[0][i] = sk[i].id;
			s = sat_add(s, p->node_np[node_index(p, sk[i].id)]);
		}
		free(sk);
		p->count = s;
	}
	return MT_OK;
}

/* The state of one search (mt_paths_shortest): N-bit bitmaps of the
 * objects seen, of those on the next level and of the destinations; the
 * level of each object seen or on the next level (0: a given source, k:
 * found by the k-th expansion; read only there); the frontier `cur` and
 * the coming one, `next`. */
typedef struct search {
	const mt_graph *g;
	uint32_t N, depth; /* depth: the expansions so far */
	uint64_t *seen, *nx, *db;
	uint32_t *level;
	vec cur, next;
} search;

static void search_free(search *s)
{
	free(s->seen);
	free(s->nx);
	free(s->db);
	free(s->level);
	free(s->cur.a);
	free(s->next.a);
}

static mt_status not_in_graph(mt_err *err, uint32_t id)
{
	return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
			  "object %u is not in the graph", id);
}

/* Bitmaps allocated, the destinations marked, the sources (when given)
 * seen and in the first frontier. */
static mt_status search_init(search *s, const mt_graph *g, const mt_set *src,
			     const mt_set *dst, mt_err *err)
{
	size_t words;
	*s = (search){.g = g,
		      .N = mt_graph_count(g),
		      .cur = {.esz = 4},
		      .next = {.esz = 4}};
	words = ((size_t)s->N + 63) / 64;
	s->seen = calloc(words + 1, 8);
	s->nx = calloc(words + 1, 8);
	s->db = calloc(words + 1, 8);
	s->level = malloc(((size_t)s->N + 1) * sizeof *s->level);
	if (!s->seen || !s->nx || !s->db || !s->level)
		return nomem(err);
	const uint32_t *dids = mt_set_ids(dst);
	for (size_t i = 0; i < mt_set_count(dst); i++) {
		if (dids[i] >= s->N)
			return not_in_graph(err, dids[i]);
		setbit(s->db, dids[i]);
	}
	if (!src)
		return MT_OK;
	const uint32_t *sids = mt_set_ids(src);
	for (size_t i = 0; i < mt_set_count(src); i++) {
		if (sids[i] >= s->N)
			return not_in_graph(err, sids[i]);
		setbit(s->seen, sids[i]);
		s->level[sids[i]] = 0;
		if (vec_push(&s->cur, &sids[i]))
			return nomem(err);
	}
	return MT_OK;
}

/* Puts w on the next level once. */
static int record(search *s, uint32_t w)
{
	if (bit(s->nx, w))
		return 0;
	setbit(s->nx, w);
	s->level[w] = s->depth;
	return vec_push(&s->next, &w);
}

/* One level: the root edges (the first level of a search from the root)
 * or the out-edges of the frontier to unseen objects.  -1: no memory. */
static int expand(search *s, bool from_root)
{
	const mt_graph *g = s->g;
	s->next.n = 0;
	s->depth++;
	if (from_root) {
		const mt_edge *roots;
		size_t nroots;
		mt_graph_roots(g, &roots, &nroots);
		for (size_t i = 0; i < nroots; i++)
			if (record(s, roots[i].target))
				return -1;
		return 0;
	}
	const uint32_t *u = s->cur.a;
	for (size_t j = 0; j < s->cur.n; j++) {
		uint32_t first, cnt;
		mt_graph_out(g, u[j], &first, &cnt);
		for (uint32_t e = first; e < first + cnt; e++) {
			uint32_t w = mt_graph_edge_target(g, e);
			if (!bit(s->seen, w) && record(s, w))
				return -1;
		}
	}
	return 0;
}

/* Breadth-first by levels until a level reaches a destination (*found),
 * which is then in cur; *levels levels searched.  -1: no memory. */
static int bfs(search *s, bool root, uint32_t *levels, bool *found)
{
	bool first = true;
	*levels = 0;
	*found = false;
	while ((root && first) || s->cur.n) {
		if (expand(s, root && first))
			return -1;
		first = false;
		++*levels;
		const uint32_t *nw = s->next.a;
		for (size_t j = 0; j < s->next.n; j++) {
			setbit(s->seen, nw[j]);
			clrbit(s->nx, nw[j]);
			if (bit(s->db, nw[j]))
				*found = true;
		}
		vec t = s->cur;
		s->cur = s->next;
		s->next = t;
		if (*found)
			break;
	}
	return 0;
}

/* A sorted copy of ids[0..n), or NULL. */
static uint32_t *sorted_copy(const uint32_t *ids, size_t n)
{
	uint32_t *l = malloc((n ? n : 1) * sizeof *l);
	if (l && n) {
		memcpy(l, ids, n * sizeof *l);
		qsort(l, n, sizeof *l, mt_cmp_u32);
	}
	return l;
}

/* Prunes back from the destinations reached (in cur): p->level[k] gets the
 * objects of level k on a shortest path, kv the steps kept: the root
 * edges to level 1's (from the root), else their in-edges from level
 * k - 1.  -1: no memory. */
static int prune(mt_paths *p, search *s, uint32_t levels, vec *kv)
{
	const mt_graph *g = s->g;
	uint64_t *keep = s->nx; /* all clear again */
	vec lv = {.esz = 4};
	const uint32_t *c = s->cur.a;
	p->level = calloc(levels + 1, sizeof *p->level);
	p->level_n = calloc(levels + 1, sizeof *p->level_n);
	if (!p->level || !p->level_n)
		return -1;
	for (size_t j = 0; j < s->cur.n; j++)
		if (bit(s->db, c[j])) {
			setbit(keep, c[j]);
			if (vec_push(&lv, &c[j]))
				goto oom;
		}
	for (uint32_t k = levels + 1; k-- > 0;) {
		if (!(p->level[k] = sorted_copy(lv.a, lv.n)))
			goto oom;
		p->level_n[k] = lv.n;
		if (!k)
			break;
		lv.n = 0;
		if (k == 1 && p->root) {
			const mt_edge *roots;
			size_t nroots;
			mt_graph_roots(g, &roots, &nroots);
			for (size_t i = 0; i < nroots; i++) {
				mt_path_step st = {MT_NO_ID, roots[i].target,
						   (uint32_t)i};
				if (bit(keep, st.dst) && vec_push(kv, &st))
					goto oom;
			}
			continue;
		}
		for (size_t j = 0; j < p->level_n[k]; j++) {
			uint32_t t = p->level[k][j], first, n;
			mt_graph_in(g, t, &first, &n);
			for (uint32_t pos = first; pos < first + n; pos++) {
				uint32_t u = mt_graph_in_source(g, pos);
				if (!bit(s->seen, u) || s->level[u] != k - 1)
					continue;
				mt_path_step st = {u, t,
						   mt_graph_in_edge(g, pos)};
				if (vec_push(kv, &st))
					goto oom;
				if (!bit(keep, u)) {
					setbit(keep, u);
					if (vec_push(&lv, &u))
						goto oom;
				}
			}
		}
	}
	free(lv.a);
	return 0;
oom:
	free(lv.a);
	return -1;
}

mt_status mt_paths_shortest(mt_paths **out, const mt_graph *g,
			    const mt_set *src, const mt_set *dst, mt_err *err)
{
	mt_paths *p = calloc(1, sizeof *p);
	vec kv = {.esz = sizeof(mt_path_step)};
	search s;
	uint32_t levels;
	bool found;
	mt_status st = search_init(&s, g, src, dst, err);
	*out = NULL;
	if (st == MT_OK && !p)
		st = nomem(err);
	if (st != MT_OK)
		goto done;
	p->g = g;
	p->root = src == NULL;
	p->given = src ? mt_set_count(src) : 0;
	if (bfs(&s, p->root, &levels, &found)) {
		st = nomem(err);
		goto done;
	}
	if (!found)
		goto done; /* no paths */
	p->len = levels;
	if (prune(p, &s, levels, &kv))
		st = nomem(err);
	else
		st = build_dag(p, kv.a, kv.n, err);
done:
	free(kv.a);
	search_free(&s);
	if (st) {
		mt_paths_free(p);
		return st;
	}
	*out = p;
	return MT_OK;
}

mt_status mt_paths_sp(mt_paths **out, const mt_graph *g, const mt_set *x,
		      mt_err *err)
{
	return mt_paths_shortest(out, g, NULL, x, err);
}

mt_status mt_paths_in(mt_paths **out, const mt_graph *g, const mt_set *x,
		      mt_err *err)
{
	mt_set *r;
	*out = NULL;
	mt_status st = mt_nav_referrers(g, x, &r, err);
	if (st)
		return st;
	st = mt_paths_shortest(out, g, r, x, err);
	mt_set_unref(r);
	return st;
}

mt_status mt_paths_out(mt_paths **out, const mt_graph *g, const mt_set *x,
		       mt_err *err)
{
	mt_set *r;
	*out = NULL;
	mt_status st = mt_nav_referents(g, x, &r, err);
	if (st)
		return st;
	st = mt_paths_shortest(out, g, x, r, err);
	mt_set_unref(r);
	return st;
}

const mt_graph *mt_paths_graph(const mt_paths *p)
{
	return p->g;
}

bool mt_paths_from_root(const mt_paths *p)
{
	return p->root;
}

uint64_t mt_paths_count(const mt_paths *p)
{
	return p->count;
}

uint32_t mt_paths_length(const mt_paths *p)
{
	return p->count ? p->len : 0;
}

size_t mt_paths_given_sources(const mt_paths *p)
{
	return p->given;
}

void mt_paths_level(const mt_paths *p, uint32_t level, const uint32_t **ids,
		    size_t *n)
{
	*ids = NULL;
	*n = 0;
	if (!p->count || level > p->len)
		return;
	*ids = p->level[level];
	*n = p->level_n[level];
}

void mt_paths_next(const mt_paths *p, uint32_t id, const mt_path_step **steps,
		   size_t *n)
{
	*steps = p->steps;
	*n = 0;
	if (!p->count)
		return;
	if (id == MT_NO_ID) {
		if (p->root) {
			*steps = p->steps + p->root_first;
			*n = p->root_n;
		}
		return;
	}
	long ix = node_index(p, id);
	if (ix < 0)
		return;
	*steps = p->steps + p->node_first[ix];
	*n = p->node_n[ix];
}

uint64_t mt_paths_count_from(const mt_paths *p, uint32_t id)
{
	if (id == MT_NO_ID)
		return p->root ? p->root_np : 0;
	long ix = node_index(p, id);
	return ix < 0 ? 0 : p->node_np[ix];
}

mt_status mt_paths_get(const mt_paths *p, uint64_t i, mt_path_step *steps,
		       mt_err *err)
{
	if (i >= p->count)
		return mt_err_set(err, MT_RANGE, MT_NO_OFFSET, MT_NO_OFFSET,
				  "path %llu of %llu", (unsigned long long)i,
				  (unsigned long long)p->count);
	uint64_t rem = i;
	uint32_t node = MT_NO_ID;
	if (!p->root) {
		for (size_t s = 0; s < p->level_n[0]; s++) {
			uint32_t id = p->level[0][s];
			uint64_t c = p->node_np[node_index(p, id)];
			if (rem < c) {
				node = id;
				break;
			}
			rem -= c;
		}
	}
	for (uint32_t k = 0; k < p->len; k++) {
		const mt_path_step *ss;
		size_t n;
		mt_paths_next(p, node, &ss, &n);
		size_t q = 0;
		for (; q < n; q++) {
			uint64_t c = p->node_np[node_index(p, ss[q].dst)];
			if (rem < c)
				break;
			rem -= c;
		}
		if (q == n) /* only past a saturated count */
			return mt_err_set(err, MT_RANGE, MT_NO_OFFSET,
					  MT_NO_OFFSET,
					  "path %llu is past the countable paths",
					  (unsigned long long)i);
		steps[k] = ss[q];
		node = ss[q].dst;
	}
	return MT_OK;
}

/* heapy's brief of a one-object set: <1 kind: rendering>. */
static mt_status brief1(const mt_graph *g, mt_classifier *c, uint32_t id,
			mt_strbuf *out, mt_err *err)
{
	uint32_t kind;
	mt_status st = mt_classifier_classify(c, id, &kind, err);
	if (st)
		return st;
	mt_strbuf_printf(out, "<1 %s: ", mt_classifier_label(c, kind));
	mt_pyrepr_limited(g, id, out);
	return mt_strbuf_addc(out, '>', 1);
}

static mt_status path_text(const mt_paths *p, uint64_t i, const char *srcname,
			   mt_classifier *c, mt_strbuf *out, mt_err *err)
{
	const mt_graph *g = p->g;
	mt_path_step *steps = malloc((p->len + 1) * sizeof *steps);
	if (!steps)
		return nomem(err);
	mt_status st = mt_paths_get(p, i, steps, err);
	mt_strbuf a, b;
	mt_strbuf_init(&a);
	mt_strbuf_init(&b);
	if (st)
		goto done;
	uint32_t k = 0;
	if (p->root) {
		mt_reltext_root(g, steps[0].edge, &a);
		k = 1;
	} else if (srcname) {
		mt_strbuf_add(&a, srcname, strlen(srcname));
	} else if ((st = brief1(g, c, steps[0].src, &a, err))) {
		goto done;
	}
	/* Each relation is rendered around a one-byte placeholder: most are
	 * suffixes (`%s.name`) and are appended in place, so a long chain
	 * costs O(text), not O(text * steps); only wrappers (`list(%s)[i]`)
	 * rebuild the text. */
	mt_strbuf r;
	mt_strbuf_init(&r);
	for (; k < p->len; k++) {
		mt_strbuf_reset(&r);
		mt_reltext_edge(g, steps[k].edge, "\x01", &r);
		const char *m = r.s ? memchr(r.s, 1, r.len) : NULL;
		if (!m) { /* no source in the text */
			mt_strbuf_reset(&a);
			mt_strbuf_add(&a, r.s ? r.s : "", r.len);
		} else if (m == r.s) {
			mt_strbuf_add(&a, r.s + 1, r.len - 1);
		} else {
			mt_strbuf_reset(&b);
			mt_strbuf_add(&b, r.s, (size_t)(m - r.s));
			mt_strbuf_add(&b, a.s ? a.s : "", a.len);
			mt_strbuf_add(&b, m + 1, r.len - (size_t)(m - r.s) - 1);
			mt_strbuf t = a;
			a = b;
			b = t;
		}
	}
	if (r.nomem)
		a.nomem = true;
	mt_strbuf_destroy(&r);
	if (a.nomem || b.nomem) {
		st = nomem(err);
		goto done;
	}
	st = mt_strbuf_add(out, a.s ? a.s : "", a.len);
done:
	free(steps);
	mt_strbuf_destroy(&a);
	mt_strbuf_destroy(&b);
	return st;
}

mt_status mt_paths_path_text(const mt_paths *p, uint64_t i,
			     const char *srcname, mt_strbuf *out, mt_err *err)
{
	mt_classifier *c = NULL;
	if (!p->root && !srcname) {
		mt_status st =
		    mt_classifier_new(&c, p->g, MT_CLASSIFY_CLODO, err);
		if (st)
			return st;
	}
	mt_status st = path_text(p, i, srcname, c, out, err);
	mt_classifier_unref(c);
	return st;
}

mt_status mt_paths_format(const mt_paths *p, uint64_t first, unsigned max,
			  mt_strbuf *out, uint64_t *next, mt_err *err)
{
	if (next)
		*next = first;
	if (!p->count)
		return mt_strbuf_printf(out, "%s\n",
					p->root ? "<No paths: not reachable "
						  "from the root>"
						: "<No paths>");
	if (first >= p->count)
		return mt_strbuf_add(out, "<No more paths>\n", 16);
	uint64_t rem = p->count - first, n = rem;
	if (rem > (uint64_t)max + 1)
		n = max;
	mt_classifier *c = NULL;
	const char *srcname = NULL;
	mt_status st = MT_OK;
	if (!p->root && p->given == 1)
		srcname = "Src";
	else if (!p->root &&
		 (st = mt_classifier_new(&c, p->g, MT_CLASSIFY_CLODO, err)))
		return st;
	for (uint64_t i = first; i < first + n && !st; i++) {
		mt_strbuf_printf(out, "%2llu: ", (unsigned long long)i);
		st = path_text(p, i, srcname, c, out, err);
		if (!st)
			st = mt_strbuf_addc(out, '\n', 1);
	}
	mt_classifier_unref(c);
	if (st)
		return st;
	if (n < rem)
		st = mt_strbuf_printf(out, "<... %llu more paths ...>\n",
				      (unsigned long long)(rem - n));
	if (next)
		*next = first + n;
	return st;
}
