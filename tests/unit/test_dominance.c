/* cmocka tests of set dominance (dominance.h): hand-made graphs with known
 * answers, then thousands of random graphs (sparse, dense, deep chains,
 * cycles, unreachable islands) where every query is checked against a
 * brute-force oracle written straight from heapy's definitions (byte
 * arrays, naive BFS) and, for single objects, against the dominator tree:
 * domisize({x}) == retained(x) and dominos({x}) == x's dominator subtree.
 * Each query runs both without and with a tree (the fast paths). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "graphgen.h"
#include "memtrack/dominance.h"
#include "memtrack/partition.h"
#include "memtrack/navigate.h"
#include "memtrack/util.h"

static char path[256];

static int setup(void **state)
{
	snprintf(path, sizeof path, "/tmp/mt_test_dominance.%ld.mp",
		 (long)getpid());
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	return 0;
}

static mt_graph *load(void)
{
	return tg_load(path);
}

/* ---- oracle ---------------------------------------------------------- */

/* The virtual root's children, as dominator.h defines them (BFS). */

/* heapy's T(S, A): out[v] = 1 for v reachable from S without entering A;
 * starts in A are not starts. */
static void T(const mt_graph *g, const uint8_t *S, const uint8_t *A,
	      uint8_t *out)
{
	uint32_t n = mt_graph_count(g);
	uint32_t *q = malloc((n + 1) * sizeof *q);
	size_t qh = 0, qt = 0;
	memset(out, 0, n);
	for (uint32_t v = 0; v < n; v++)
		if (S[v] && !A[v]) {
			out[v] = 1;
			q[qt++] = v;
		}
	while (qh < qt) {
		uint32_t v = q[qh++], first, cnt;
		mt_graph_out(g, v, &first, &cnt);
		for (uint32_t e = first; e < first + cnt; e++) {
			uint32_t w = mt_graph_edge_target(g, e);
			if (!A[w] && !out[w]) {
				out[w] = 1;
				q[qt++] = w;
			}
		}
	}
	free(q);
}

static void expect_set(const mt_set *s, const uint8_t *want, uint32_t n,
		       const char *what)
{
	size_t k = 0;
	for (uint32_t v = 0; v < n; v++)
		if (want[v]) {
			if (!mt_set_contains(s, v))
				fail_msg("%s: object %u missing", what, v);
			k++;
		}
	if (mt_set_count(s) != k)
		fail_msg("%s: %zu objects, oracle %zu", what, mt_set_count(s),
			 k);
}

static uint64_t size_of(const mt_graph *g, const uint8_t *in)
{
	uint64_t s = 0;
	for (uint32_t v = 0; v < mt_graph_count(g); v++)
		if (in[v])
			s += mt_graph_size(g, v);
	return s;
}

/* Checks dominos/domisize of the set `in` (byte array) on both contexts. */
static void check_single_set(const mt_graph *g, mt_dominance *const *ds,
			     const uint8_t *child, const uint8_t *in)
{
	uint32_t n = mt_graph_count(g);
	uint8_t *w = malloc(n + 1), *want = malloc(n + 1);
	uint32_t *ids = malloc((n + 1) * sizeof *ids);
	size_t k = 0;
	for (uint32_t v = 0; v < n; v++)
		if (in[v])
			ids[k++] = v;
	/* every object: the lazy set of all, whose ids dominos never
	 * writes */
	mt_set *x = NULL;
	if (k == n) {
		mt_err e0;
		assert_int_equal(mt_set_all(&x, g, &e0), MT_OK);
	} else
		x = tg_set(ids, k);
	T(g, child, in, w);	/* W = T(root, X) */
	T(g, in, w, want);	/* dominos = T(X, W) */
	/* the other definition: what the root no longer reaches */
	for (uint32_t v = 0; v < n; v++)
		assert_int_equal(want[v], !w[v]);
	for (int c = 0; c < 2; c++) {
		mt_set *got;
		uint64_t sz;
		mt_err err;
		assert_int_equal(mt_dominance_dominos(ds[c], x, &got, &err),
				 MT_OK);
		expect_set(got, want, n, c ? "dominos (tree)" : "dominos");
		size_t nwant = 0;
		for (uint32_t v = 0; v < n; v++)
			nwant += want[v];
		assert_int_equal(mt_set_is_all(got), nwant == n);
		mt_set_unref(got);
		assert_int_equal(mt_dominance_domisize(ds[c], x, &sz, &err),
				 MT_OK);
		assert_true(sz == size_of(g, want));
	}
	mt_set_unref(x);
	free(w);
	free(want);
	free(ids);
}

/* imdom oracle: referrers & reachable_x(root, avoid=referrers). */
static void check_imdom(const mt_graph *g, mt_dominance *d,
			const mt_domtree *t, const uint8_t *child,
			const uint8_t *in)
{
	uint32_t n = mt_graph_count(g);
	uint8_t *pred = calloc(n + 1, 1), *vis = calloc(n + 1, 1);
	uint32_t *q = malloc((n + 1) * sizeof *q), *ids = malloc((n + 1) * 4);
	size_t qh = 0, qt = 0, k = 0;
	for (uint32_t v = 0; v < n; v++) {
		uint32_t first, cnt;
		mt_graph_out(g, v, &first, &cnt);
		for (uint32_t e = first; e < first + cnt; e++)
			if (in[mt_graph_edge_target(g, e)])
				pred[v] = 1;
		if (in[v])
			ids[k++] = v;
	}
	for (uint32_t v = 0; v < n; v++)
		if (child[v]) {
			vis[v] = 1;
			if (!pred[v])
				q[qt++] = v;
		}
	while (qh < qt) {
		uint32_t v = q[qh++], first, cnt;
		mt_graph_out(g, v, &first, &cnt);
		for (uint32_t e = first; e < first + cnt; e++) {
			uint32_t w = mt_graph_edge_target(g, e);
			if (!vis[w]) {
				vis[w] = 1;
				if (!pred[w])
					q[qt++] = w;
			}
		}
	}
	for (uint32_t v = 0; v < n; v++)
		vis[v] = vis[v] && pred[v];
	mt_set *x = tg_set(ids, k), *got;
	mt_err err;
	assert_int_equal(mt_dominance_imdom(d, x, &got, &err), MT_OK);
	expect_set(got, vis, n, "imdom");
	/* agreement with the tree for single objects */
	if (k == 1 && !child[ids[0]]) {
		uint32_t id = ids[0], idom;
		mt_status st = mt_dominance_idom(d, id, &idom, &err);
		if (st == MT_OK)
			assert_int_equal(idom, mt_domtree_idom(t, id));
		else
			assert_int_equal(st, MT_ARG);
		idom = mt_domtree_idom(t, id);
		if (mt_set_count(got) == 1)
			assert_int_equal(mt_set_ids(got)[0], idom);
		if (idom != MT_NO_ID && pred[idom]) {
			assert_int_equal(mt_set_count(got), 1);
			assert_int_equal(mt_set_ids(got)[0], idom);
		}
	}
	mt_set_unref(got);
	mt_set_unref(x);
	free(pred);
	free(vis);
	free(q);
	free(ids);
}

/* Tuple form against heapy's formula on byte arrays. */
static void check_tuple(const mt_graph *g, mt_dominance *d,
			const uint8_t *child, const uint8_t *part, int k)
{
	uint32_t n = mt_graph_count(g);
	uint8_t *D = calloc(n + 1, 1), *W = malloc(n + 1), *xi = malloc(n + 1),
		*ti = malloc(n + 1), *oi = malloc(n + 1), *wx = malloc(n + 1);
	uint32_t *ids = malloc((n + 1) * sizeof *ids);
	mt_set *xs[4], *outs[4];
	uint64_t sizes[4];
	for (int i = 0; i < k; i++) {
		size_t m = 0;
		for (uint32_t v = 0; v < n; v++)
			if (part[v] == i + 1) {
				ids[m++] = v;
				D[v] = 1;
			}
		xs[i] = tg_set(ids, m);
	}
	mt_err err;
	assert_int_equal(mt_dominance_tuple(d, (const mt_set *const *)xs,
					    (size_t)k, outs, sizes, &err),
			 MT_OK);
	T(g, child, D, W);
	for (int i = 0; i < k; i++) {
		for (uint32_t v = 0; v < n; v++) {
			xi[v] = part[v] == i + 1;
			wx[v] = W[v] || xi[v];
		}
		T(g, xi, W, ti);
		T(g, D, wx, oi);
		for (uint32_t v = 0; v < n; v++)
			ti[v] = ti[v] && !oi[v];
		expect_set(outs[i], ti, n, "dominos_tuple");
		assert_true(sizes[i] == size_of(g, ti));
		mt_set_unref(outs[i]);
		mt_set_unref(xs[i]);
	}
	free(D);
	free(W);
	free(xi);
	free(ti);
	free(oi);
	free(wx);
	free(ids);
}

/* The dominator subtree of x: y with x on its idom chain. */
static void subtree_of(const mt_domtree *t, uint32_t n, uint32_t x,
		       uint8_t *out)
{
	for (uint32_t y = 0; y < n; y++) {
		uint32_t u = y;
		while (u != MT_NO_ID && u != x)
			u = mt_domtree_idom(t, u);
		out[y] = u == x;
	}
}

/* The page pass against one domisize per set: sets[i] are the objects
 * with in[v] & (1 << i) (overlapping), and a partition by kind[v]. */
/* mt_dominance_domisize_kinds16 gives what the uint32 kinds gave. */
static void check_kinds16(mt_dominance *d, const uint32_t *ids,
			  const uint32_t *kinds, size_t n,
			  const uint32_t *wantk, size_t nk,
			  const uint64_t *got, uint64_t u)
{
	uint16_t *k16 = malloc((n ? n : 1) * sizeof *k16);
	uint64_t got16[6], u16;
	mt_err err;
	for (size_t j = 0; j < n; j++)
		k16[j] = (uint16_t)kinds[j];
	assert_int_equal(mt_dominance_domisize_kinds16(d, ids, k16, n, wantk,
						       nk, got16, &u16, NULL,
						       NULL, &err),
			 MT_OK);
	assert_true(u16 == u);
	for (size_t i = 0; i < nk; i++)
		assert_true(got16[i] == got[i]);
	free(k16);
}

static void check_many(const mt_graph *g, mt_dominance *d, unsigned *seed)
{
	uint32_t n = mt_graph_count(g);
	size_t k = 1 + (size_t)rand_r(seed) % 8;
	unsigned pct = 1 + (unsigned)rand_r(seed) % 50;
	uint32_t *ids = malloc((n + 1) * sizeof *ids);
	uint32_t *kinds = malloc((n + 1) * sizeof *kinds);
	uint32_t *all = malloc((n + 1) * sizeof *all);
	mt_set *xs[8];
	uint64_t got[8], want;
	mt_err err;
	for (size_t i = 0; i < k; i++) {
		size_t m = 0;
		for (uint32_t v = 0; v < n; v++)
			if ((unsigned)rand_r(seed) % 100 < pct)
				ids[m++] = v;
		xs[i] = tg_set(ids, m);
	}
	assert_int_equal(mt_dominance_domisize_many(d, (const mt_set **)xs, k,
						    got, NULL, NULL, &err),
			 MT_OK);
	for (size_t i = 0; i < k; i++) {
		assert_int_equal(mt_dominance_domisize(d, xs[i], &want, &err),
				 MT_OK);
		assert_true(got[i] == want);
		mt_set_unref(xs[i]);
	}
	/* a partition of a random subset into up to 6 kinds, rows asked
	 * in a random order, some kinds left out */
	size_t m = 0;
	for (uint32_t v = 0; v < n; v++)
		if ((unsigned)rand_r(seed) % 100 < 30 + pct) {
			all[m] = v;
			kinds[m++] = (uint32_t)rand_r(seed) % 6;
		}
	uint32_t wantk[6];
	size_t nk = 0;
	for (uint32_t kd = 0; kd < 6; kd++)
		if (rand_r(seed) % 4)
			wantk[nk++] = 5 - kd;
	uint64_t u;
	assert_int_equal(mt_dominance_domisize_kinds(d, all, kinds, m, wantk,
						     nk, got, &u, NULL, NULL,
						     &err),
			 MT_OK);
	check_kinds16(d, all, kinds, m, wantk, nk, got, u);
	mt_set *every = tg_set(all, m);
	assert_int_equal(mt_dominance_domisize(d, every, &want, &err), MT_OK);
	assert_true(u == want);
	mt_set_unref(every);
	for (size_t i = 0; i < nk; i++) {
		size_t c = 0;
		for (size_t j = 0; j < m; j++)
			if (kinds[j] == wantk[i])
				ids[c++] = all[j];
		mt_set *x = tg_set(ids, c);
		assert_int_equal(mt_dominance_domisize(d, x, &want, &err),
				 MT_OK);
		assert_true(got[i] == want);
		mt_set_unref(x);
	}
	/* every object (ids NULL): the union is the sum of all sizes */
	for (uint32_t v = 0; v < n; v++) {
		all[v] = v;
		kinds[v] = (uint32_t)rand_r(seed) % 6;
	}
	assert_int_equal(mt_dominance_domisize_kinds(d, NULL, kinds, n, wantk,
						     nk, got, &u, NULL, NULL,
						     &err),
			 MT_OK);
	check_kinds16(d, NULL, kinds, n, wantk, nk, got, u);
	want = 0;
	for (uint32_t v = 0; v < n; v++)
		want += mt_graph_size(g, v);
	assert_true(u == want);
	for (size_t i = 0; i < nk; i++) {
		size_t c = 0;
		for (uint32_t v = 0; v < n; v++)
			if (kinds[v] == wantk[i])
				ids[c++] = v;
		mt_set *x = tg_set(ids, c);
		assert_int_equal(mt_dominance_domisize(d, x, &want, &err),
				 MT_OK);
		assert_true(got[i] == want);
		mt_set_unref(x);
	}
	free(ids);
	free(kinds);
	free(all);
}

/* The minimum retained sizes against the tree by hand: row i's members
 * with no other member of row i on their idom chain, their retained
 * sizes summed (the union row likewise over every member); never more
 * than the exact figure.  Kinds up to 6 or up to 70 (two passes of
 * 64), a random subset or every object, uint32 or uint16 kinds. */
static void check_bounds(const mt_graph *g, mt_dominance *d,
			 const mt_domtree *t, unsigned *seed)
{
	uint32_t n = mt_graph_count(g);
	uint32_t nkinds = rand_r(seed) % 2 ? 6 : 70;
	int whole = rand_r(seed) % 2, with_union = rand_r(seed) % 2;
	uint32_t *ids = malloc((n + 1) * sizeof *ids);
	uint32_t *kinds = malloc((n + 1) * sizeof *kinds);
	uint16_t *k16 = malloc((n + 1) * sizeof *k16);
	int32_t *kind_of = malloc((n + 1) * sizeof *kind_of);
	uint32_t wantk[70];
	uint64_t got[70], exact[70], u = 0, ue = 0;
	mt_err err;
	size_t m = 0, nk = 0;
	for (uint32_t v = 0; v < n; v++) {
		kind_of[v] = -1;
		if (whole || rand_r(seed) % 100 < 60) {
			ids[m] = v;
			kinds[m] = (uint32_t)rand_r(seed) % nkinds;
			k16[m] = (uint16_t)kinds[m];
			kind_of[v] = (int32_t)kinds[m++];
		}
	}
	for (uint32_t kd = 0; kd < nkinds; kd++)
		if (rand_r(seed) % 4)
			wantk[nk++] = nkinds - 1 - kd;
	const uint32_t *sel = whole ? NULL : ids;
	if (rand_r(seed) % 2)
		assert_int_equal(mt_dominance_minretained_kinds(
				     d, sel, kinds, NULL, m, wantk, nk, got,
				     with_union ? &u : NULL, NULL, NULL, &err),
				 MT_OK);
	else
		assert_int_equal(mt_dominance_minretained_kinds(
				     d, sel, NULL, k16, m, wantk, nk, got,
				     with_union ? &u : NULL, NULL, NULL, &err),
				 MT_OK);
	assert_int_equal(mt_dominance_domisize_kinds(d, sel, kinds, m, wantk,
						     nk, exact, &ue, NULL,
						     NULL, &err),
			 MT_OK);
	for (size_t i = 0; i <= nk; i++) {
		uint64_t want = 0;
		for (uint32_t v = 0; v < n; v++) {
			if (kind_of[v] < 0 ||
			    (i < nk && (uint32_t)kind_of[v] != wantk[i]))
				continue;
			uint32_t a = mt_domtree_idom(t, v);
			while (a != MT_NO_ID &&
			       (kind_of[a] < 0 ||
				(i < nk && (uint32_t)kind_of[a] != wantk[i])))
				a = mt_domtree_idom(t, a);
			if (a == MT_NO_ID)
				want += mt_domtree_retained(t, v);
		}
		if (i < nk) {
			assert_true(got[i] == want);
			assert_true(got[i] <= exact[i]);
		} else if (with_union) {
			/* every object's is the whole heap's, exact */
			assert_true(u == (whole ? ue : want));
			assert_true(u <= ue);
		}
	}
	free(ids);
	free(kinds);
	free(k16);
	free(kind_of);
}

static void check_graph(const mt_graph *g, unsigned *seed)
{
	uint32_t n = mt_graph_count(g);
	mt_domtree *t;
	mt_dominance *ds[2];
	mt_err err;
	assert_int_equal(mt_domtree_build(&t, g, NULL, NULL, &err), MT_OK);
	assert_int_equal(mt_dominance_new(&ds[0], g, NULL, &err), MT_OK);
	assert_int_equal(mt_dominance_new(&ds[1], g, t, &err), MT_OK);
	uint8_t *child = malloc(n + 1), *in = malloc(n + 1),
		*sub = malloc(n + 1);
	tg_vroot_children(g, child);
	/* the context's children are the same set, each once */
	const uint32_t *ch;
	size_t nch, k = 0;
	mt_dominance_root_children(ds[0], &ch, &nch);
	for (size_t i = 0; i < nch; i++)
		assert_true(child[ch[i]]);
	for (uint32_t v = 0; v < n; v++)
		k += child[v];
	assert_int_equal(nch, k);
	/* every single object: oracle, tree and subtree agree */
	for (uint32_t x = 0; x < n; x++) {
		memset(in, 0, n);
		in[x] = 1;
		check_single_set(g, ds, child, in);
		mt_set *sx = tg_set(&x, 1), *got;
		uint64_t sz;
		assert_int_equal(mt_dominance_domisize(ds[0], sx, &sz, &err),
				 MT_OK);
		assert_true(sz == mt_domtree_retained(t, x));
		subtree_of(t, n, x, sub);
		assert_int_equal(mt_dominance_dominos(ds[0], sx, &got, &err),
				 MT_OK);
		expect_set(got, sub, n, "dominos vs dominator subtree");
		mt_set_unref(got);
		mt_set_unref(sx);
		check_imdom(g, ds[1], t, child, in);
	}
	/* every object (its dominos: every object) */
	memset(in, 1, n);
	check_single_set(g, ds, child, in);
	/* random sets of several objects, and tuples */
	for (int r = 0; r < 6; r++) {
		unsigned pct = 1 + (unsigned)rand_r(seed) % 40;
		for (uint32_t v = 0; v < n; v++)
			in[v] = (unsigned)rand_r(seed) % 100 < pct;
		check_single_set(g, ds, child, in);
		check_imdom(g, ds[0], t, child, in);
		int parts = 1 + rand_r(seed) % 4;
		for (uint32_t v = 0; v < n; v++)
			in[v] = (unsigned)rand_r(seed) % 100 < pct
					? (uint8_t)(1 + rand_r(seed) % parts)
					: 0;
		check_tuple(g, ds[r & 1], child, in, parts);
		check_many(g, ds[r & 1], seed);
		check_bounds(g, ds[1], t, seed);
	}
	free(child);
	free(in);
	free(sub);
	mt_dominance_free(ds[0]);
	mt_dominance_free(ds[1]);
	mt_domtree_free(t);
}

static void check_random(mt_graph *g, unsigned *seed, void *data)
{
	check_graph(g, seed);
}

static void random_graphs(unsigned seed, int count, uint32_t maxn,
			  unsigned density, int chains)
{
	tg_for_random_graphs(seed, count, maxn, density, chains, path,
			     check_random, NULL);
}

static void test_random_sparse(void **state)
{
	random_graphs(11, 1500, 30, 5, 0);
}

static void test_random_dense(void **state)
{
	random_graphs(12, 500, 25, 40, 0);
}

static void test_random_chains_and_cycles(void **state)
{
	random_graphs(13, 1000, 40, 3, 1);
}

/* Every object its own set, more than one pass of 64: the dominator
 * tree's retained sizes. */
static void check_singletons(mt_graph *g, unsigned *seed, void *data)
{
	uint32_t n = mt_graph_count(g);
	mt_domtree *t;
	mt_dominance *d;
	mt_err err;
	(void)seed;
	(void)data;
	assert_int_equal(mt_domtree_build(&t, g, NULL, NULL, &err), MT_OK);
	assert_int_equal(mt_dominance_new(&d, g, NULL, &err), MT_OK);
	mt_set **xs = malloc((n + 1) * sizeof *xs);
	uint64_t *got = malloc((n + 1) * sizeof *got);
	for (uint32_t x = 0; x < n; x++)
		xs[x] = tg_set(&x, 1);
	assert_int_equal(mt_dominance_domisize_many(d, (const mt_set **)xs, n,
						    got, NULL, NULL, &err),
			 MT_OK);
	for (uint32_t x = 0; x < n; x++) {
		assert_true(got[x] == mt_domtree_retained(t, x));
		mt_set_unref(xs[x]);
	}
	free(xs);
	free(got);
	mt_dominance_free(d);
	mt_domtree_free(t);
}

static void test_many_singletons(void **state)
{
	tg_for_random_graphs(14, 40, 300, 6, 1, path, check_singletons, NULL);
}

/* Rows of a random subset (ids) by up to 40 kinds, nk of them asked,
 * with the union or not: each row's figure is its domisize. */
static void check_rows(const mt_graph *g, mt_dominance *d,
		       const uint32_t *ids, const uint32_t *kinds, size_t m,
		       size_t nk, int with_union)
{
	uint32_t want[40];
	uint64_t got[40], u = 0, sz;
	uint32_t *sel = malloc((m + 1) * sizeof *sel);
	mt_err err;
	for (size_t i = 0; i < nk; i++)
		want[i] = (uint32_t)(nk - 1 - i);
	assert_int_equal(mt_dominance_domisize_kinds(
			     d, ids, kinds, m, want, nk, got,
			     with_union ? &u : NULL, NULL, NULL, &err),
			 MT_OK);
	for (size_t i = 0; i <= nk; i++) {
		size_t c = 0;
		for (size_t j = 0; j < m; j++)
			if (i == nk || kinds[j] == want[i])
				sel[c++] = ids[j];
		mt_set *x = tg_set(sel, c);
		assert_int_equal(mt_dominance_domisize(d, x, &sz, &err), MT_OK);
		assert_true(i < nk ? got[i] == sz : u == (with_union ? sz : 0));
		mt_set_unref(x);
	}
	free(sel);
	(void)g;
}

/* A pass of at most 32 sets (31 rows and the union, 32 rows) keeps
 * 4-byte masks, one of more 8-byte ones, and a subset's rows by kind no
 * tag byte: the scratch is 4 or 8 bytes an object.  8-byte masks kept
 * from before serve a narrower pass; after a trim it is 4 again. */
static void check_widths(mt_graph *g, unsigned *seed, void *data)
{
	uint32_t n = mt_graph_count(g);
	size_t n1 = n ? n : 1, m = 0;
	uint32_t *ids = malloc((n + 1) * sizeof *ids);
	uint32_t *kinds = malloc((n + 1) * sizeof *kinds);
	mt_dominance *d;
	mt_err err;
	(void)data;
	for (uint32_t v = 0; v < n; v++)
		if (rand_r(seed) % 100 < 70) {
			ids[m] = v;
			kinds[m++] = (uint32_t)rand_r(seed) % 40;
		}
	assert_int_equal(mt_dominance_new(&d, g, NULL, &err), MT_OK);
	check_rows(g, d, ids, kinds, m, 31, 1);
	assert_int_equal(mt_dominance_scratch_bytes(d), 4 * n1);
	check_rows(g, d, ids, kinds, m, 32, 0);
	assert_int_equal(mt_dominance_scratch_bytes(d), 4 * n1);
	check_rows(g, d, ids, kinds, m, 32, 1);
	assert_int_equal(mt_dominance_scratch_bytes(d), 8 * n1);
	check_rows(g, d, ids, kinds, m, 40, 0);
	check_rows(g, d, ids, kinds, m, 5, 1);
	assert_int_equal(mt_dominance_scratch_bytes(d), 8 * n1);
	mt_dominance_trim(d);
	check_rows(g, d, ids, kinds, m, 5, 0);
	assert_int_equal(mt_dominance_scratch_bytes(d), 4 * n1);
	mt_dominance_free(d);
	free(ids);
	free(kinds);
}

static void test_mask_widths(void **state)
{
	tg_for_random_graphs(15, 200, 200, 6, 1, path, check_widths, NULL);
}

struct cancel {
	int calls, at; /* cancel on call `at` (0: never) */
};

static int cancel_at(void *data, uint64_t done, uint64_t total)
{
	struct cancel *c = data;
	assert_true(done <= total);
	return ++c->calls == c->at;
}

/* The canned heaps of the browser tests, by every classifier of a
 * partition view: each row's figure from one pass is its domisize. */
static void test_many_canned(void **state)
{
	static const char *const heaps[] = {"demo", "many", "cmp-new", "empty",
					    "cmp-mark"};
	static const char *const by[] = {"clodo", "type", "rcs", "via",
					 "size", "id"};
	mt_err err;
	for (size_t h = 0; h < sizeof heaps / sizeof *heaps; h++) {
		assert_int_equal(fx_write_canned(heaps[h], path, &err), MT_OK);
		mt_graph *g = load();
		uint32_t n = mt_graph_count(g);
		mt_domtree *t;
		mt_dominance *d[2];
		assert_int_equal(mt_domtree_build(&t, g, NULL, NULL, &err),
				 MT_OK);
		assert_int_equal(mt_dominance_new(&d[0], g, NULL, &err), MT_OK);
		assert_int_equal(mt_dominance_new(&d[1], g, t, &err), MT_OK);
		uint32_t *ids = malloc((n + 1) * sizeof *ids);
		for (uint32_t v = 0; v < n; v++)
			ids[v] = v;
		for (size_t b = 0; b < sizeof by / sizeof *by; b++) {
			mt_classifier *c;
			uint32_t *kinds;
			assert_int_equal(
			    mt_classifier_new_named(&c, g, by[b], &err), MT_OK);
			assert_int_equal(
			    mt_classifier_classify_all(c, &kinds, &err), MT_OK);
			uint32_t nk = mt_classifier_kind_count(c);
			uint32_t *want = malloc((nk + 1) * sizeof *want);
			uint64_t *got = malloc((nk + 1) * sizeof *got);
			uint32_t *sel = malloc((n + 1) * sizeof *sel);
			uint64_t u = 0, usz;
			for (uint32_t i = 0; i < nk; i++)
				want[i] = nk - 1 - i;
			/* every object: its ids or NULL; with the union or
			 * not (the "id" rows are more than one pass) */
			assert_int_equal(mt_dominance_domisize_kinds(
					     d[b & 1], b & 2 ? NULL : ids, kinds,
					     n, want, nk, got,
					     b & 1 ? &u : NULL, NULL, NULL,
					     &err),
					 MT_OK);
			mt_set *every = tg_set(ids, n);
			assert_int_equal(
			    mt_dominance_domisize(d[0], every, &usz, &err),
			    MT_OK);
			assert_true(u == (b & 1 ? usz : 0));
			mt_set_unref(every);
			for (uint32_t i = 0; i < nk; i++) {
				size_t m = 0;
				uint64_t sz;
				for (uint32_t v = 0; v < n; v++)
					if (kinds[v] == want[i])
						sel[m++] = v;
				mt_set *x = tg_set(sel, m);
				assert_int_equal(
				    mt_dominance_domisize(d[0], x, &sz, &err),
				    MT_OK);
				assert_true(got[i] == sz);
				mt_set_unref(x);
			}
			free(want);
			free(got);
			free(sel);
			mt_big_free(kinds);
			mt_classifier_free(c);
		}
		/* cancelled at any of its progress calls: MT_CANCELLED and
		 * zeros; a bad id: MT_ARG */
		struct cancel cc = {0, 0};
		uint32_t k0 = 0, bad = n;
		uint64_t sz = 1, u;
		mt_set *all = tg_set(ids, n), *badset = tg_set(&bad, 1);
		const mt_set *one[] = {all};
		assert_int_equal(mt_dominance_domisize_many(
				     d[0], one, 1, &sz, cancel_at, &cc, &err),
				 MT_OK);
		assert_true(sz == mt_domtree_total(t) && cc.calls >= 1);
		for (int at = 1, calls = cc.calls; at <= calls; at++) {
			cc = (struct cancel){0, at};
			assert_int_equal(
			    mt_dominance_domisize_many(d[0], one, 1, &sz,
						       cancel_at, &cc, &err),
			    MT_CANCELLED);
			assert_true(sz == 0);
		}
		cc = (struct cancel){0, 0};
		k0 = 0;
		assert_int_equal(mt_dominance_domisize_kinds(
				     d[1], NULL, ids, n, &k0, 1, &sz, &u,
				     cancel_at, &cc, &err),
				 MT_OK);
		for (int at = 1, calls = cc.calls; at <= calls; at++) {
			cc = (struct cancel){0, at};
			assert_int_equal(mt_dominance_domisize_kinds(
					     d[1], NULL, ids, n, &k0, 1, &sz,
					     &u, cancel_at, &cc, &err),
					 MT_CANCELLED);
			assert_true(sz == 0 && u == 0);
		}
		one[0] = badset;
		assert_int_equal(mt_dominance_domisize_many(
				     d[0], one, 1, &sz, NULL, NULL, &err),
				 MT_ARG);
		assert_int_equal(mt_dominance_domisize_kinds(
				     d[0], &bad, &k0, 1, &k0, 1, &sz, NULL,
				     NULL, NULL, &err),
				 MT_ARG);
		mt_set_unref(all);
		mt_set_unref(badset);
		free(ids);
		mt_dominance_free(d[0]);
		mt_dominance_free(d[1]);
		mt_domtree_free(t);
		mt_graph_free(g);
	}
}

/* root -> a -> b -> d, a -> c -> d, d -> e; f -> e (f unreachable). */
static void test_hand(void **state)
{
	uint64_t sizes[] = {10, 20, 30, 40, 50, 60};
	tg_edge e[] = {{0, 1, 0, 0}, {1, 3, 0, 0}, {0, 2, 0, 0},
		       {2, 3, 0, 0}, {3, 4, 0, 0}, {5, 4, 0, 0}};
	uint32_t roots[] = {0};
	tg_graph tg = {.n = 6, .sizes = sizes, .edges = e, .nedges = 6,
		      .roots = roots, .nroots = 1};
	uint32_t map[7];
	tg_write(path, &tg, map);
	mt_graph *g = load();
	mt_dominance *d;
	mt_err err;
	assert_int_equal(mt_dominance_new(&d, g, NULL, &err), MT_OK);
	uint64_t sz;
	mt_set *s, *out;
	/* {b}: only b; {b, c}: b, c and d (e stays: f holds it) */
	uint32_t bc[] = {map[1], map[2]};
	s = tg_set(bc, 1);
	assert_int_equal(mt_dominance_domisize(d, s, &sz, &err), MT_OK);
	assert_true(sz == 20);
	mt_set_unref(s);
	s = tg_set(bc, 2);
	assert_int_equal(mt_dominance_domisize(d, s, &sz, &err), MT_OK);
	assert_true(sz == 20 + 30 + 40);
	assert_int_equal(mt_dominance_dominos(d, s, &out, &err), MT_OK);
	assert_int_equal(mt_set_count(out), 3);
	assert_true(mt_set_contains(out, map[3]));
	mt_set_unref(out);
	/* imdom({d}) = {b, c}: neither passes through the other */
	uint32_t dd = map[3];
	mt_set_unref(s);
	s = tg_set(&dd, 1);
	assert_int_equal(mt_dominance_imdom(d, s, &out, &err), MT_OK);
	assert_int_equal(mt_set_count(out), 2);
	assert_true(mt_set_contains(out, map[1]) &&
		    mt_set_contains(out, map[2]));
	mt_set_unref(out);
	mt_set_unref(s);
	/* imdom({e}) = {d, f}: f is a start of the unreachable tail */
	uint32_t ee = map[4];
	s = tg_set(&ee, 1);
	assert_int_equal(mt_dominance_imdom(d, s, &out, &err), MT_OK);
	assert_int_equal(mt_set_count(out), 2);
	mt_set_unref(out);
	assert_int_equal(mt_dominance_domisize(d, s, &sz, &err), MT_OK);
	assert_true(sz == 50);
	mt_set_unref(s);
	/* an id out of range is an argument error */
	uint32_t bad = 1000;
	s = tg_set(&bad, 1);
	assert_int_equal(mt_dominance_domisize(d, s, &sz, &err), MT_ARG);
	mt_set_unref(s);
	mt_dominance_free(d);
	mt_graph_free(g);
}

/* root -> L1, root -> L2, L1 -> T, L2 -> T, T -> S: the lists L1 and
 * L2 (one row) hold T and S only together, so the row's minimum
 * retained size is the lists' own 10 + 20, its domisize 10 + 20 + 30 +
 * 40; the row of T alone is exact (70).  Without a tree: MT_ARG.
 * Cancelled at any progress call: MT_CANCELLED and zeros. */
static void test_minretained_hand(void **state)
{
	uint64_t sizes[] = {1, 10, 20, 30, 40};
	tg_edge e[] = {{0, 1, 0, 0}, {0, 2, 0, 0}, {1, 3, 0, 0},
		       {2, 3, 0, 0}, {3, 4, 0, 0}};
	uint32_t roots[] = {0};
	tg_graph tg = {.n = 5, .sizes = sizes, .edges = e, .nedges = 5,
		      .roots = roots, .nroots = 1};
	uint32_t map[6];
	tg_write(path, &tg, map);
	mt_graph *g = load();
	uint32_t n = mt_graph_count(g);
	mt_domtree *t;
	mt_dominance *d, *d0;
	mt_err err;
	assert_int_equal(mt_domtree_build(&t, g, NULL, NULL, &err), MT_OK);
	assert_int_equal(mt_dominance_new(&d, g, t, &err), MT_OK);
	assert_int_equal(mt_dominance_new(&d0, g, NULL, &err), MT_OK);
	uint32_t *kinds = calloc(n, sizeof *kinds);
	for (uint32_t v = 0; v < n; v++)
		kinds[v] = 9;
	kinds[map[1]] = kinds[map[2]] = 0;
	kinds[map[3]] = 1;
	uint32_t want[] = {0, 1};
	uint64_t got[2], exact[2], u = 7;
	assert_int_equal(mt_dominance_minretained_kinds(d, NULL, kinds, NULL,
							n, want, 2, got, &u,
							NULL, NULL, &err),
			 MT_OK);
	assert_true(got[0] == 30 && got[1] == 70);
	assert_true(u == mt_domtree_total(t));
	assert_int_equal(mt_dominance_domisize_kinds(d, NULL, kinds, n, want,
						     2, exact, NULL, NULL,
						     NULL, &err),
			 MT_OK);
	assert_true(exact[0] == 100 && exact[1] == 70);
	/* the lists and T as one subset: the union's bound is exact here */
	uint32_t sub[3] = {map[1], map[2], map[3]}, sk[3] = {0, 0, 1};
	for (int i = 0; i < 3; i++) /* ascending, as a set's ids */
		for (int j = i + 1; j < 3; j++)
			if (sub[j] < sub[i]) {
				uint32_t x = sub[i];
				sub[i] = sub[j];
				sub[j] = x;
			}
	for (int i = 0; i < 3; i++)
		sk[i] = kinds[sub[i]];
	assert_int_equal(mt_dominance_minretained_kinds(d, sub, sk, NULL, 3,
							want, 2, got, &u,
							NULL, NULL, &err),
			 MT_OK);
	assert_true(got[0] == 30 && got[1] == 70 && u == 100);
	assert_int_equal(mt_dominance_minretained_kinds(d0, NULL, kinds, NULL,
							n, want, 2, got, &u,
							NULL, NULL, &err),
			 MT_ARG);
	assert_true(got[0] == 0 && u == 0);
	assert_non_null(strstr(err.detail, "dominator tree"));
	struct cancel cc = {0, 0};
	assert_int_equal(mt_dominance_minretained_kinds(
			     d, NULL, kinds, NULL, n, want, 2, got, NULL,
			     cancel_at, &cc, &err),
			 MT_OK);
	assert_true(cc.calls >= 1);
	for (int at = 1, calls = cc.calls; at <= calls; at++) {
		cc = (struct cancel){0, at};
		assert_int_equal(mt_dominance_minretained_kinds(
				     d, NULL, kinds, NULL, n, want, 2, got,
				     NULL, cancel_at, &cc, &err),
				 MT_CANCELLED);
		assert_true(got[0] == 0 && got[1] == 0);
	}
	free(kinds);
	mt_dominance_free(d);
	mt_dominance_free(d0);
	mt_domtree_free(t);
	mt_graph_free(g);
}

/* A chain of 200000 objects: no recursion, 64-bit sums. */
static void test_deep_chain(void **state)
{
	uint32_t n = 200000;
	tg_edge *e = malloc(n * sizeof *e);
	uint64_t *sizes = malloc(n * sizeof *sizes);
	for (uint32_t i = 0; i < n; i++) {
		sizes[i] = 3000000000ULL;
		e[i] = (tg_edge){i, i + 1 < n ? i + 1 : 0, 0, 0};
	}
	uint32_t roots[] = {0};
	tg_graph tg = {.n = n, .sizes = sizes, .edges = e, .nedges = n,
		      .roots = roots, .nroots = 1};
	uint32_t *map = malloc((n + 1) * sizeof *map);
	tg_write(path, &tg, map);
	mt_graph *g = load();
	mt_domtree *t;
	mt_dominance *d[2];
	mt_err err;
	assert_int_equal(mt_domtree_build(&t, g, NULL, NULL, &err), MT_OK);
	assert_int_equal(mt_dominance_new(&d[0], g, NULL, &err), MT_OK);
	assert_int_equal(mt_dominance_new(&d[1], g, t, &err), MT_OK);
	for (int c = 0; c < 2; c++) {
		uint32_t mid = map[n / 2];
		mt_set *s = tg_set(&mid, 1), *out;
		uint64_t sz;
		assert_int_equal(mt_dominance_domisize(d[c], s, &sz, &err),
				 MT_OK);
		assert_true(sz == 3000000000ULL * (n - n / 2));
		assert_int_equal(mt_dominance_dominos(d[c], s, &out, &err),
				 MT_OK);
		assert_int_equal(mt_set_count(out), n - n / 2);
		mt_set_unref(out);
		mt_set_unref(s);
		/* the end of the chain: imdom is its predecessor */
		uint32_t last = map[n - 1];
		s = tg_set(&last, 1);
		assert_int_equal(mt_dominance_imdom(d[c], s, &out, &err),
				 MT_OK);
		assert_int_equal(mt_set_count(out), 1);
		assert_int_equal(mt_set_ids(out)[0], map[n - 2]);
		mt_set_unref(out);
		mt_set_unref(s);
	}
	mt_dominance_free(d[0]);
	mt_dominance_free(d[1]);
	mt_domtree_free(t);
	mt_graph_free(g);
	free(map);
	free(e);
	free(sizes);
}

/* The context's walk reports progress every 2^14 objects (2^18 before:
 * a second between two reports at 80M objects), as does the pass over the
 * interpreter's own objects before it, and stops at a cancel: a chain of
 * 600000 objects. */
static void test_new_progress(void **state)
{
	uint32_t n = 600000;
	tg_edge *e = malloc(n * sizeof *e);
	for (uint32_t i = 0; i < n; i++)
		e[i] = (tg_edge){i, i + 1 < n ? i + 1 : 0, 0, 0};
	uint32_t roots[] = {0};
	tg_graph tg = {.n = n, .edges = e, .nedges = n, .roots = roots,
		      .nroots = 1};
	tg_write(path, &tg, NULL);
	mt_graph *g = load();
	mt_dominance *d;
	mt_err err;
	struct cancel cc = {0, 0};
	assert_int_equal(mt_dominance_new_progress(&d, g, NULL, cancel_at, &cc,
						   &err),
			 MT_OK);
	/* the start, then every 2^14 ids of each pass */
	assert_true(cc.calls >= 2 * (int)(n >> 14));
	mt_dominance_free(d);
	for (int at = 1, calls = cc.calls; at <= calls; at++) {
		cc = (struct cancel){0, at};
		d = (mt_dominance *)1;
		assert_int_equal(mt_dominance_new_progress(&d, g, NULL,
							   cancel_at, &cc,
							   &err),
				 MT_CANCELLED);
		assert_null(d);
		assert_int_equal(cc.calls, at);
	}
	mt_graph_free(g);
	free(e);
}

/* Progress of a bounds pass never waits for a chain: the one member of a
 * subset is the end of a chain of 600000 objects, whose climb (and then
 * the fill going down) comes in one go after every id was looked at.
 * The pass reports every 2^14 ids and every 2^14 objects climbed or
 * filled (three times N / 2^14 in all; before, the ids' reports only),
 * its count never goes back, and it stops at any report. */
struct mono {
	int calls;
	uint64_t last, total;
};

static int mono_tick(void *data, uint64_t done, uint64_t total)
{
	struct mono *m = data;
	assert_true(done <= total);
	assert_true(done >= m->last);
	m->last = done;
	m->total = total;
	m->calls++;
	return 0;
}

static void test_bounds_progress(void **state)
{
	uint32_t n = 600000;
	tg_edge *e = malloc(n * sizeof *e);
	for (uint32_t i = 0; i + 1 < n; i++)
		e[i] = (tg_edge){i, i + 1, 0, 0};
	uint32_t roots[] = {0};
	tg_graph tg = {.n = n, .edges = e, .nedges = n - 1, .roots = roots,
		      .nroots = 1};
	uint32_t *map = malloc((n + 1) * sizeof *map);
	tg_write(path, &tg, map);
	mt_graph *g = load();
	mt_domtree *t;
	mt_dominance *d;
	mt_err err;
	assert_int_equal(mt_domtree_build(&t, g, NULL, NULL, &err), MT_OK);
	assert_int_equal(mt_dominance_new(&d, g, t, &err), MT_OK);
	uint32_t last = map[n - 1], kind = 0, want = 0;
	uint64_t got = 7, u = 7;
	struct mono m = {0, 0, 0};
	assert_int_equal(mt_dominance_minretained_kinds(d, &last, &kind, NULL,
							1, &want, 1, &got, &u,
							mono_tick, &m, &err),
			 MT_OK);
	assert_true(got == mt_domtree_retained(t, last) && u == got);
	assert_true(m.calls >= 3 * (int)(n >> 14) - 3);
	for (int at = 1, calls = m.calls; at <= calls; at += 7) {
		struct cancel cc = {0, at};
		assert_int_equal(mt_dominance_minretained_kinds(
				     d, &last, &kind, NULL, 1, &want, 1, &got,
				     NULL, cancel_at, &cc, &err),
				 MT_CANCELLED);
		assert_int_equal(cc.calls, at);
		assert_true(got == 0);
	}
	/* and again after the cancels: the same figure */
	assert_int_equal(mt_dominance_minretained_kinds(d, &last, &kind, NULL,
							1, &want, 1, &got, &u,
							NULL, NULL, &err),
			 MT_OK);
	assert_true(got == mt_domtree_retained(t, last));
	mt_dominance_free(d);
	mt_domtree_free(t);
	mt_graph_free(g);
	free(map);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand),
		cmocka_unit_test(test_deep_chain),
		cmocka_unit_test(test_bounds_progress),
		cmocka_unit_test(test_random_sparse),
		cmocka_unit_test(test_random_dense),
		cmocka_unit_test(test_random_chains_and_cycles),
		cmocka_unit_test(test_many_singletons),
		cmocka_unit_test(test_mask_widths),
		cmocka_unit_test(test_many_canned),
		cmocka_unit_test(test_minretained_hand),
		cmocka_unit_test(test_new_progress),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
