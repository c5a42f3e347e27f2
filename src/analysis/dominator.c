/* Dominator tree and retained sizes (dominator.h).
 *
 * Vertices are DFS preorder numbers: 0 is the virtual root, 1..n the
 * objects.  Arrays by preorder number: vert (number -> id), parent, semi,
 * label, anc (the link-eval forest), idom; dfn maps id -> number.  The DFS
 * and the path compression use explicit stacks.  After the NCA pass, idom is
 * translated to object ids and the retained sizes are summed bottom-up in
 * reverse preorder (a dominator always has a smaller preorder number).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/dominator.h"
#include "memtrack/partition.h"

#define NONE UINT32_MAX
#define PROGRESS_EVERY (1u << 18)

struct mt_domtree {
	uint32_t n;
	uint32_t *idom;     /* by id; MT_NO_ID = virtual root */
	uint64_t *retained; /* by id */
	uint64_t total;
	/* a tree over arrays it does not own (mt_domtree_wrap_): freed by
	 * release(arg) instead of free() */
	void (*release)(void *);
	void *arg;
	bool borrowed;
};

typedef struct build {
	const mt_graph *g;
	uint32_t n;
	uint32_t *dfn, *vert, *parent, *semi, *label, *anc, *idom;
	uint8_t *rootchild; /* by id: a child of the virtual root */
	uint64_t *ret;      /* retained sizes by preorder number */
	void *block;        /* all of the above, one allocation */
	uint32_t *stack_v, *stack_e; /* DFS: vertex id, next out-edge */
	uint32_t next;               /* next preorder number */
	mt_progress_fn cb;
	void *cbdata;
	uint64_t steps;
	/* the DFS's work: a step per push, per pop and per edge looked at,
	 * of 2N + E (the count advances while the DFS goes over edges to
	 * objects it has seen: at 80M objects the last 5% of them took
	 * seconds) */
	uint64_t dfs_done, dfs_total;
} build;

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

/* LT's compress(v), iteratively: along the forest path from v, replace each
 * label by the one with the smallest semi, and point anc past the path. */
static void compress(build *b, uint32_t v)
{
	uint32_t *st = b->stack_v; /* DFS is over: reuse its stack */
	size_t sp = 0;
	uint32_t x = v;
	while (b->anc[b->anc[x]] != NONE) {
		st[sp++] = x;
		x = b->anc[x];
	}
	while (sp) {
		x = st[--sp];
		uint32_t a = b->anc[x];
		if (b->semi[b->label[a]] < b->semi[b->label[x]])
			b->label[x] = b->label[a];
		b->anc[x] = b->anc[a];
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
		b->rootchild[r] = 1;
		if (b->dfn[r] == NONE)
			st = dfs(b, r, err);
	}
	if (!st) {
		uint32_t *own;
		size_t nown;
		st = mt_interp_owned(g, b->cb, b->cbdata, &own, &nown, err);
		for (size_t i = 0; i < nown && !st; i++) {
			b->rootchild[own[i]] = 1;
			if (b->dfn[own[i]] == NONE)
				st = dfs(b, own[i], err);
		}
		free(own);
	}
	for (uint32_t id = 0; id < n && !st; id++)
		if (b->dfn[id] == NONE) {
			b->rootchild[id] = 1;
			st = dfs(b, id, err);
		}
	return st;
}

mt_status mt_domtree_build(mt_domtree **out, const mt_graph *g,
			   mt_progress_fn cb, void *cbdata, mt_err *err)
{
	*out = NULL;
	build b = {.g = g, .n = mt_graph_count(g), .cb = cb, .cbdata = cbdata};
	b.dfs_total = 2 * (uint64_t)b.n + mt_graph_edge_count(g);
	uint32_t n = b.n, m = n + 1;
	mt_domtree *t = calloc(1, sizeof *t);
	/* The working arrays (about 45 bytes per object) in one allocation:
	 * that large a block is mapped, and handed back to the system when
	 * freed, so the tree leaves only its own 12 bytes per object behind
	 * (separate arrays ended up in the heap and stayed resident). */
	size_t nn = n ? n : 1;
	size_t bytes = (size_t)m * sizeof *b.ret + nn * sizeof *b.dfn +
		       7 * (size_t)m * sizeof(uint32_t) + nn;
	b.block = t ? malloc(bytes) : NULL;
	if (b.block) {
		char *p = b.block;
		b.ret = (uint64_t *)(void *)p;
		p += (size_t)m * sizeof *b.ret;
		uint32_t **arrays[] = {&b.vert,	 &b.parent,  &b.semi,
				       &b.label, &b.anc,     &b.idom,
				       &b.stack_v};
		for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) {
			*arrays[i] = (uint32_t *)(void *)p;
			p += (size_t)m * sizeof(uint32_t);
		}
		b.dfn = (uint32_t *)(void *)p;
		p += nn * sizeof *b.dfn;
		b.rootchild = (uint8_t *)p;
		memset(b.rootchild, 0, nn);
	}
	/* the DFS stack's edge cursors share the ret array's memory: the DFS
	 * is over before ret is used */
	b.stack_e = (uint32_t *)(void *)b.ret;
	if (!t || !b.block) {
		build_free(&b);
		free(t);
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "dominator tree of %u objects", n);
	}
	mt_status st = MT_OK;
	memset(b.dfn, 0xff, (size_t)n * sizeof *b.dfn);
	b.vert[0] = NONE;
	b.parent[0] = 0;
	b.next = 1;

	/* 1. DFS: the root edges first, then the interpreter's own objects,
	 * then the unreachable islands. */
	st = dfs_all(&b, err);
	if (st)
		goto fail;

	/* 2. Semidominators in reverse preorder. */
	for (uint32_t i = 0; i < m; i++) {
		b.semi[i] = i;
		b.label[i] = i;
		b.anc[i] = NONE;
	}
	for (uint32_t i = m - 1; i >= 1; i--) {
		uint32_t w = b.vert[i];
		uint32_t s = b.parent[i];
		if (b.rootchild[w])
			s = 0;
		uint32_t first, cnt;
		mt_graph_in(g, w, &first, &cnt);
		for (uint32_t k = first; k < first + cnt && s; k++) {
			uint32_t u = b.dfn[mt_graph_in_source(g, k)];
			uint32_t cand = u <= i ? u : b.semi[eval(&b, u)];
			if (cand < s)
				s = cand;
		}
		b.semi[i] = s;
		b.anc[i] = b.parent[i]; /* link(parent, i) */
		if (progress(&b, m - i, m)) {
			st = mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
					MT_NO_OFFSET, NULL);
			goto fail;
		}
	}
	/* The virtual root is the forest's root for good: parent[x] == 0 has
	 * anc 0, whose anc is NONE. */

	/* 3. Immediate dominators: the nearest common ancestor of the parent
	 * and the semidominator, walking up the tree built so far. */
	b.idom[0] = 0;
	for (uint32_t i = 1; i < m; i++) {
		uint32_t j = b.parent[i];
		while (j > b.semi[i])
			j = b.idom[j];
		b.idom[i] = j;
		if (progress(&b, i, m))
			goto cancelled;
	}

	/* 4. By object id, and retained sizes bottom-up. */
	t->n = n;
	t->idom = malloc((size_t)(n ? n : 1) * sizeof *t->idom);
	t->retained = malloc((size_t)(n ? n : 1) * sizeof *t->retained);
	if (!t->idom || !t->retained) {
		st = mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				"dominator tree of %u objects", n);
		goto fail;
	}
	/* (each of these passes reports too: at 80M objects the three took
	 * seconds with the bar standing still) */
	uint64_t *ret = b.ret;
	ret[0] = 0;
	for (uint32_t i = 1; i < m; i++) {
		ret[i] = mt_graph_size(g, b.vert[i]);
		if (progress(&b, i, m))
			goto cancelled;
	}
	for (uint32_t i = m - 1; i >= 1; i--) {
		ret[b.idom[i]] += ret[i];
		if (progress(&b, m - i, m))
			goto cancelled;
	}
	for (uint32_t i = 1; i < m; i++) {
		uint32_t id = b.vert[i];
		t->idom[id] = b.idom[i] ? b.vert[b.idom[i]] : MT_NO_ID;
		t->retained[id] = ret[i];
		if (progress(&b, i, m))
			goto cancelled;
	}
	t->total = ret[0];
	build_free(&b);
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
	if (t->borrowed) {
		if (t->release)
			t->release(t->arg);
	} else {
		free(t->idom);
		free(t->retained);
	}
	free(t);
}

void mt_domtree_arrays_(const mt_domtree *t, const uint32_t **idom,
			const uint64_t **retained)
{
	*idom = t->idom;
	*retained = t->retained;
}

mt_status mt_domtree_wrap_(mt_domtree **out, uint32_t n,
			   const uint32_t *idom, const uint64_t *retained,
			   uint64_t total, void (*release)(void *), void *arg,
			   mt_err *err)
{
	mt_domtree *t = calloc(1, sizeof *t);
	*out = NULL;
	if (!t)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "dominator tree");
	t->n = n;
	/* never written through: the arrays are only read */
	t->idom = (uint32_t *)(uintptr_t)idom;
	t->retained = (uint64_t *)(uintptr_t)retained;
	t->total = total;
	t->release = release;
	t->arg = arg;
	t->borrowed = true;
	*out = t;
	return MT_OK;
}

uint32_t mt_domtree_idom(const mt_domtree *t, uint32_t id)
{
	return t->idom[id];
}

uint64_t mt_domtree_retained(const mt_domtree *t, uint32_t id)
{
	return t->retained[id];
}

uint64_t mt_domtree_total(const mt_domtree *t)
{
	return t->total;
}

size_t mt_domtree_memory(const mt_domtree *t)
{
	return sizeof *t + (size_t)t->n * (sizeof *t->idom + sizeof *t->retained);
}
