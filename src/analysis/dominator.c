/* Dominator tree and retained sizes (dominator.h).
 *
 * Vertices are DFS preorder numbers: 0 is the virtual root, 1..n the
 * objects.  Arrays by preorder number: vert (number -> id), parent, semi,
 * label, anc (the link-eval forest), idom; dfn maps id -> number.  The DFS
 * uses an explicit stack and the path compression reverses the forest's
 * pointers instead of keeping one.  Memory: the arrays that are done
 * before the tree's own get their values live in those (the DFS stacks,
 * then label and anc, in the retained sizes; semi in idom), and idom
 * takes parent's place: 24 bytes per object at the peak.  After the NCA
 * pass, idom is translated to object ids and the retained sizes are
 * summed bottom-up in reverse preorder (a dominator always has a smaller
 * preorder number).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/dominator.h"
#include "memtrack/partition.h"
#include "memtrack/util.h"

#define NONE UINT32_MAX
/* A report every 2^14 steps: at 80M objects a step of the DFS took up to
 * 14 us where it first touched its arrays' pages, so 2^18 steps left the
 * bar still for 3.6 s; 2^14 is at most about 0.23 s, and a report costs
 * the caller's clock read. */
#define PROGRESS_EVERY (1u << 14)

struct mt_domtree {
	uint32_t n;
	uint32_t *idom;     /* by id; MT_NO_ID = virtual root */
	/* retained sizes by id, as uint32 with RET_WIDE for the few of
	 * 2^32 - 1 bytes or more, whose values are in wide_val, by id in
	 * wide_id (ascending); retained (uint64) only while a build sums
	 * them */
	uint64_t *retained;
	uint32_t *ret32;
	uint32_t *wide_id;
	uint64_t *wide_val;
	size_t nwide, capwide;
	uint64_t total;
	bool big; /* idom and ret32 from mt_big_alloc (mt_domtree_new_) */
};

#define RET_WIDE MT_DOMTREE_RET_WIDE /* ret32: the value is in the side table */

typedef struct build {
	const mt_graph *g;
	uint32_t n;
	/* by preorder number: vert (-> id) and parent, which becomes idom;
	 * by id: dfn (-> number) and rootchild (a bit: a child of the
	 * virtual root).  One allocation, `block`. */
	uint32_t *dfn, *vert, *parent;
	uint64_t *rootchild;
	void *block;
	/* borrowed, in turn, from the tree's own arrays before they get
	 * their values: the DFS stacks (vertex id, next out-edge) in the
	 * retained sizes' memory; semi in the idom array's, label and anc
	 * in the retained sizes' */
	uint32_t *stack_v, *stack_e;
	uint32_t *semi, *label, *anc;
	uint32_t next; /* next preorder number */
	mt_progress_fn cb;
	void *cbdata;
	uint64_t steps;
	/* the DFS's work: a step per push, per pop and per edge looked at,
	 * of 2N + E (the count advances while the DFS goes over edges to
	 * objects it has seen: at 80M objects the last 5% of them took
	 * seconds) */
	uint64_t dfs_done, dfs_total;
} build;

static inline void setbit(uint64_t *bm, uint32_t i)
{
	bm[i >> 6] |= 1ull << (i & 63);
}

static inline bool getbit(const uint64_t *bm, uint32_t i)
{
	return (bm[i >> 6] >> (i & 63)) & 1;
}

static void build_free(build *b)
{
	free(b->block);
	b->block = NULL;
}

static int progress(build *b, uint64_t done, uint64_t total)
{
	if (!b->cb || (++b->steps % PROGRESS_EVERY))
		return 0;
	return b->cb(b->cbdata, done, total);
}

static uint32_t out_first(const mt_graph *g, uint32_t v)
{
	uint32_t first, cnt;
	mt_graph_out(g, v, &first, &cnt);
	return first;
}

/* Iterative DFS from `start` (a child of the virtual root). */
static mt_status dfs(build *b, uint32_t start, mt_err *err)
{
	size_t sp = 0;
	b->dfn[start] = b->next;
	b->vert[b->next] = start;
	b->parent[b->next] = 0;
	b->next++;
	b->stack_v[sp] = start;
	b->stack_e[sp] = out_first(b->g, start);
	sp++;
	while (sp) {
		if (progress(b, ++b->dfs_done, b->dfs_total))
			return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
					  MT_NO_OFFSET, NULL);
		uint32_t v = b->stack_v[sp - 1];
		uint32_t first, cnt;
		mt_graph_out(b->g, v, &first, &cnt);
		uint32_t e = b->stack_e[sp - 1];
		if (e >= first + cnt) {
			sp--;
			continue;
		}
		b->stack_e[sp - 1] = e + 1;
		uint32_t w = mt_graph_edge_target(b->g, e);
		if (b->dfn[w] != NONE)
			continue;
		b->dfn[w] = b->next;
		b->vert[b->next] = w;
		b->parent[b->next] = b->dfn[v];
		b->next++;
		b->stack_v[sp] = w;
		b->stack_e[sp] = out_first(b->g, w);
		sp++;
	}
	return MT_OK;
}

/* LT's compress(v) without a stack: along the forest path from v up to
 * the last vertex x whose anc has no anc, replace each label by the one
 * with the smallest semi above it and point anc past the path.  The walk
 * up reverses the anc pointers (each then names the vertex below it) and
 * the walk down follows them back, doing the work top-down as the
 * recursive version does on its way out. */
static void compress(build *b, uint32_t v)
{
	uint32_t *anc = b->anc, *label = b->label, *semi = b->semi;
	uint32_t below = NONE, x = v;
	while (anc[anc[x]] != NONE) {
		uint32_t up = anc[x];
		anc[x] = below;
		below = x;
		x = up;
	}
	/* x is the top; the path's vertices are below it, down to v */
	uint32_t top = anc[x], above = x;
	x = below;
	while (x != NONE) {
		uint32_t down = anc[x];
		if (semi[label[above]] < semi[label[x]])
			label[x] = label[above];
		anc[x] = top;
		above = x;
		x = down;
	}
}

static uint32_t eval(build *b, uint32_t v)
{
	if (b->anc[v] == NONE)
		return v;
	compress(b, v);
	return b->label[v];
}

mt_status mt_interp_owned(const mt_graph *g, mt_progress_fn cb, void *cbdata,
			  uint32_t **ids, size_t *n, mt_err *err)
{
	static const char *const single[] = {"NoneType", "bool", "ellipsis",
					      "NotImplementedType"};
	uint32_t st[4], tint = mt_graph_builtin_type(g, "int");
	uint32_t N = mt_graph_count(g), cap = 64, k = 0;
	const mt_header *h = mt_graph_header(g);
	bool py311 = h->py_major == 3 && h->py_minor == 11;
	uint32_t *a = malloc(cap * sizeof *a);
	*ids = NULL;
	*n = 0;
	if (!a)
		goto nomem;
	for (size_t i = 0; i < 4; i++)
		st[i] = mt_graph_builtin_type(g, single[i]);
	for (uint32_t id = 0; id < N; id++) {
		if (cb && id && !(id % PROGRESS_EVERY) && cb(cbdata, id, N)) {
			free(a);
			return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
					  MT_NO_OFFSET, NULL);
		}
		uint32_t t = mt_graph_type(g, id);
		uint64_t rc;
		bool own = false;
		if (mt_graph_virtual(g, id))
			continue;
		rc = mt_graph_refcnt(g, id);
		if (mt_refcnt_immortal(h, rc) || (py311 && rc >= 999999999u))
			own = true;
		else if (t == st[0] || t == st[1] || t == st[2] || t == st[3])
			own = t != MT_NO_ID;
		else if (t == tint && t != MT_NO_ID) {
			mt_value v;
			mt_graph_value(g, id, &v);
			own = v.kind == MT_VAL_INT && v.i >= -5 && v.i <= 256;
		} else
			own = mt_graph_static_type(g, id);
		if (!own)
			continue;
		if (k == cap) {
			uint32_t *b = realloc(a, (size_t)cap * 2 * sizeof *a);
			if (!b)
				goto nomem;
			a = b;
			cap *= 2;
		}
		a[k++] = id;
	}
	*ids = a;
	*n = k;
	return MT_OK;
nomem:
	free(a);
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			  "interpreter-owned objects of %u", N);
}

/* Step 1 of the build: the DFS from every child of the virtual root,
 * marked in rootchild -- the root edges' targets, the interpreter's own
 * objects (the root holds them too), then each unreachable island from
 * its smallest id. */
static mt_status dfs_all(build *b, mt_err *err)
{
	const mt_graph *g = b->g;
	uint32_t n = b->n;
	mt_status st = MT_OK;
	const mt_edge *roots;
	size_t nroots;
	mt_graph_roots(g, &roots, &nroots);
	for (size_t i = 0; i < nroots && !st; i++) {
		uint32_t r = roots[i].target;
		setbit(b->rootchild, r);
		if (b->dfn[r] == NONE)
			st = dfs(b, r, err);
	}
	if (!st) {
		uint32_t *own;
		size_t nown;
		st = mt_interp_owned(g, b->cb, b->cbdata, &own, &nown, err);
		for (size_t i = 0; i < nown && !st; i++) {
			setbit(b->rootchild, own[i]);
			if (b->dfn[own[i]] == NONE)
				st = dfs(b, own[i], err);
		}
		free(own);
	}
	for (uint32_t id = 0; id < n && !st; id++)
		if (b->dfn[id] == NONE) {
			setbit(b->rootchild, id);
			st = dfs(b, id, err);
		}
	return st;
}

/* Retained size v of id into its 4-byte slot (ret32[id], or where the
 * packing puts it), a value of RET_WIDE or more also to the side table:
 * ids come in ascending order.  False when out of memory. */
static bool put_retained(mt_domtree *t, void *slot, uint32_t id, uint64_t v)
{
	uint32_t v32 = v >= RET_WIDE ? RET_WIDE : (uint32_t)v;
	if (v32 == RET_WIDE) {
		if (t->nwide == t->capwide) {
			size_t cap = t->capwide ? 2 * t->capwide : 64;
			uint32_t *ids = realloc(t->wide_id, cap * sizeof *ids);
			if (ids)
				t->wide_id = ids;
			uint64_t *vals =
			    ids ? realloc(t->wide_val, cap * sizeof *vals)
				: NULL;
			if (!vals)
				return false;
			t->wide_val = vals;
			t->capwide = cap;
		}
		t->wide_id[t->nwide] = id;
		t->wide_val[t->nwide++] = v;
	}
	memcpy(slot, &v32, 4);
	return true;
}

/* The built tree's retained sizes from uint64 to uint32 in place (8 to 4
 * bytes per object once the build's scratch use of the array is over),
 * the values of 2^32 - 1 or more to the side table: on a real heap the
 * few objects that hold gigabytes, the dominators of most of the heap. */
static mt_status pack_retained(mt_domtree *t, build *b)
{
	uint32_t n = t->n;
	/* element id's 4 bytes overlap the 8 of element id / 2 <= id, read
	 * before */
	char *p = (char *)t->retained;
	for (uint32_t id = 0; id < n; id++) {
		uint64_t v;
		memcpy(&v, p + 8 * (size_t)id, 8);
		if (!put_retained(t, p + 4 * (size_t)id, id, v))
			return MT_NOMEM;
		if (progress(b, id + 1, n)) /* (freed as it is) */
			return MT_CANCELLED;
	}
	void *q = realloc(p, (n ? n : 1) * sizeof *t->ret32);
	t->ret32 = q ? q : (void *)p;
	t->retained = NULL;
	return MT_OK;
}

mt_status mt_domtree_build(mt_domtree **out, const mt_graph *g,
			   mt_progress_fn cb, void *cbdata, mt_err *err)
{
	*out = NULL;
	build b = {.g = g, .n = mt_graph_count(g), .cb = cb, .cbdata = cbdata};
	b.dfs_total = 2 * (uint64_t)b.n + mt_graph_edge_count(g);
	uint32_t n = b.n, m = n + 1;
	mt_domtree *t = calloc(1, sizeof *t);
	/* The tree's own arrays (12 bytes per object, m entries each) come
	 * first and hold the working arrays that are done before they get
	 * their values; the rest (12 bytes per object and a bit) is one
	 * block, handed back to the system when the tree is done: 24 bytes
	 * per object at the peak instead of 53 with every array apart; the
	 * retained sizes are packed to 4 bytes at the end (pack_retained). */
	size_t nn = n ? n : 1, words = (nn + 63) / 64;
	size_t bytes = nn * sizeof *b.dfn + 2 * (size_t)m * sizeof(uint32_t) +
		       words * sizeof(uint64_t);
	if (t) {
		t->idom = malloc((size_t)m * sizeof *t->idom);
		t->retained = malloc((size_t)m * sizeof *t->retained);
		/* huge pages (before the first touch): the passes over
		 * the tree read idoms out of order */
		if (t->idom && t->retained) {
			mt_huge_advise(t->idom, (size_t)m * sizeof *t->idom);
			mt_huge_advise(t->retained,
				       (size_t)m * sizeof *t->retained);
		}
		b.block = t->idom && t->retained ? malloc(bytes) : NULL;
	}
	if (!b.block) {
		mt_domtree_free(t);
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "dominator tree of %u objects", n);
	}
	b.rootchild = b.block; /* first: 8-aligned */
	b.dfn = (uint32_t *)(b.rootchild + words);
	b.vert = b.dfn + nn;
	b.parent = b.vert + m;
	memset(b.rootchild, 0, words * sizeof(uint64_t));
	/* the DFS stacks (at most n entries each) in the retained sizes'
	 * memory; then semi in idom's, label and anc in the retained
	 * sizes' (the DFS is over by then) */
	b.stack_v = (uint32_t *)(void *)t->retained;
	b.stack_e = b.stack_v + m;
	b.semi = t->idom;
	b.label = b.stack_v;
	b.anc = b.stack_e;
	mt_status st = MT_OK;
	/* dfn's first writes (320 MB of new pages at 80M objects: half a
	 * second) report, a slice at a time, but the last (a small heap's
	 * only one): the DFS reports next */
	for (uint32_t i = 0; i < n; i += PROGRESS_EVERY) {
		uint32_t k = n - i < PROGRESS_EVERY ? n - i : PROGRESS_EVERY;
		memset(b.dfn + i, 0xff, (size_t)k * sizeof *b.dfn);
		if (cb && i + k < n && cb(cbdata, i + k, n))
			goto cancelled;
	}
	b.vert[0] = NONE;
	b.parent[0] = 0;
	b.next = 1;

	/* 1. DFS: the root edges first, then the interpreter's own objects,
	 * then the unreachable islands. */
	st = dfs_all(&b, err);
	if (st)
		goto fail;

	/* 2. Semidominators in reverse preorder.  The arrays' first writes
	 * report (at 80M objects, 960 MB of new pages: seconds), and the pass
	 * counts the vertices and the referrers it looks at, so that a vertex
	 * with millions of referrers (a class, a shared string) moves the
	 * count too. */
	for (uint32_t i = 0; i < m; i++) {
		b.semi[i] = i;
		b.label[i] = i;
		b.anc[i] = NONE;
		if (progress(&b, i + 1, m))
			goto cancelled;
	}
	uint64_t sdone = 0, stotal = (uint64_t)m + mt_graph_edge_count(g);
	for (uint32_t i = m - 1; i >= 1; i--) {
		uint32_t w = b.vert[i];
		uint32_t s = b.parent[i];
		if (getbit(b.rootchild, w))
			s = 0;
		uint32_t first, cnt;
		mt_graph_in(g, w, &first, &cnt);
		for (uint32_t k = first; k < first + cnt && s; k++) {
			uint32_t u = b.dfn[mt_graph_in_source(g, k)];
			uint32_t cand = u <= i ? u : b.semi[eval(&b, u)];
			if (cand < s)
				s = cand;
			if (progress(&b, ++sdone, stotal))
				goto cancelled;
		}
		b.semi[i] = s;
		b.anc[i] = b.parent[i]; /* link(parent, i) */
		if (progress(&b, ++sdone, stotal))
			goto cancelled;
	}
	/* The virtual root is the forest's root for good: parent[x] == 0 has
	 * anc 0, whose anc is NONE. */

	/* 3. Immediate dominators: the nearest common ancestor of the parent
	 * and the semidominator, walking up the tree built so far.  idom[i]
	 * takes parent[i]'s place: only parent[i] is read of the parents
	 * from here on, and only the idoms below i. */
	uint32_t *idom = b.parent;
	for (uint32_t i = 1; i < m; i++) {
		uint32_t j = b.parent[i];
		while (j > b.semi[i])
			j = idom[j];
		idom[i] = j;
		if (progress(&b, i, m))
			goto cancelled;
	}

	/* 4. By object id (the semidominators' and the forest's memory
	 * free again), and retained sizes bottom-up: a dominator always
	 * has a smaller preorder number.  (Each of these passes reports
	 * too: at 80M objects the three took seconds with the bar standing
	 * still.) */
	t->n = n;
	for (uint32_t i = 1; i < m; i++) {
		t->idom[b.vert[i]] = idom[i] ? b.vert[idom[i]] : MT_NO_ID;
		if (progress(&b, i, m))
			goto cancelled;
	}
	uint64_t *ret = t->retained, total = 0;
	for (uint32_t id = 0; id < n; id++) {
		ret[id] = mt_graph_size(g, id);
		total += ret[id];
		if (progress(&b, id + 1, m))
			goto cancelled;
	}
	for (uint32_t i = m - 1; i >= 1; i--) {
		if (idom[i])
			ret[b.vert[idom[i]]] += ret[b.vert[i]];
		if (progress(&b, m - i, m))
			goto cancelled;
	}
	t->total = total;
	build_free(&b);
	/* (b's progress fields stay valid: build_free frees arrays only) */
	if ((st = pack_retained(t, &b)) == MT_CANCELLED)
		goto cancelled;
	if (st != MT_OK) {
		st = mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				"retained sizes of %u objects", n);
		goto fail;
	}
	*out = t;
	return MT_OK;
cancelled:
	st = mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET, MT_NO_OFFSET, NULL);
fail:
	build_free(&b);
	mt_domtree_free(t);
	return st;
}

void mt_domtree_free(mt_domtree *t)
{
	if (!t)
		return;
	if (t->big) {
		mt_big_free(t->idom);
		mt_big_free(t->ret32);
	} else {
		free(t->idom);
		free(t->ret32);
	}
	free(t->retained);
	free(t->wide_id);
	free(t->wide_val);
	free(t);
}

const uint32_t *mt_domtree_idoms_(const mt_domtree *t) { return t->idom; }

const uint32_t *mt_domtree_ret32_(const mt_domtree *t) { return t->ret32; }

void mt_domtree_retained_range_(const mt_domtree *t, uint32_t from,
				uint32_t count, uint64_t *out)
{
	for (uint32_t i = 0; i < count; i++)
		out[i] = mt_domtree_retained(t, from + i);
}

mt_status mt_domtree_new_(mt_domtree **out, uint32_t n, uint32_t **idom,
			  mt_err *err)
{
	size_t bytes = (n ? (size_t)n : 1) * sizeof(uint32_t);
	mt_domtree *t = calloc(1, sizeof *t);
	*out = NULL;
	*idom = NULL;
	if (t) {
		t->n = n;
		t->big = true;
		t->idom = mt_big_alloc(bytes);
		t->ret32 = mt_big_alloc(bytes);
	}
	if (!t || !t->idom || !t->ret32) {
		mt_domtree_free(t);
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "dominator tree of %u objects", n);
	}
	*idom = t->idom;
	*out = t;
	return MT_OK;
}

mt_status mt_domtree_put_retained_(mt_domtree *t, uint32_t from,
				   const uint64_t *vals, uint32_t count,
				   mt_err *err)
{
	for (uint32_t i = 0; i < count; i++)
		if (!put_retained(t, &t->ret32[from + i], from + i, vals[i]))
			return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET,
					  MT_NO_OFFSET, "retained sizes");
	return MT_OK;
}

void mt_domtree_set_total_(mt_domtree *t, uint64_t total)
{
	t->total = total;
}

uint32_t mt_domtree_idom(const mt_domtree *t, uint32_t id)
{
	return t->idom[id];
}

uint64_t mt_domtree_retained(const mt_domtree *t, uint32_t id)
{
	if (t->ret32[id] != RET_WIDE)
		return t->ret32[id];
	size_t lo = 0, hi = t->nwide; /* present: pack_retained put it */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->wide_id[mid] <= id)
			lo = mid;
		else
			hi = mid;
	}
	return t->wide_val[lo];
}

uint64_t mt_domtree_total(const mt_domtree *t)
{
	return t->total;
}

size_t mt_domtree_memory(const mt_domtree *t)
{
	size_t per = sizeof *t->idom + sizeof *t->ret32;
	return sizeof *t + (size_t)t->n * per +
	       t->nwide * (sizeof *t->wide_id + sizeof *t->wide_val);
}
