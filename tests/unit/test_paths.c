/* cmocka tests of shortest paths (paths.h): hand-made heaps with golden
 * heapy text (relation order, multiplicities, paging, the unreachable tail,
 * pathsin and pathsout), then random graphs checked against a brute-force
 * oracle: BFS distances from the root or from a few sources (pathsin and
 * pathsout's search), the number of shortest paths to the
 * nearest destinations counted with edge multiplicities, and every path
 * returned being a real, distinct shortest path. */
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
#include "memtrack/paths.h"

static char path[256];

static int setup(void **state)
{
	snprintf(path, sizeof path, "/tmp/mt_test_paths.%ld.mp",
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

static void expect_text(const mt_paths *p, uint64_t first, const char *want)
{
	mt_strbuf b;
	mt_err err;
	mt_strbuf_init(&b);
	assert_int_equal(mt_paths_format(p, first, MT_PATHS_PAGE, &b, NULL,
					 &err),
			 MT_OK);
	assert_string_equal(b.s, want);
	mt_strbuf_destroy(&b);
}

/* Types and a small module-like heap:
 *   root i0_modules -> M (dict); M['b'] -> A, M['a'] -> B (Nodes);
 *   A.x -> X, A[0] -> X, B.y -> X (a list); U (unreachable) -> X. */
enum { TTYPE, TDICT, TSTR, TLIST, TNODE, M, KA, KB, A, B, X, U, NNODES };

static void write_heap(uint32_t *map)
{
	fx *f = fx_new();
	uint32_t n[NNODES];
	n[TTYPE] = fx_node(f, FX_SELF, 400, 0x100, 1, MT_NO_LENGTH);
	fx_qual(f, n[TTYPE], "builtins", "type");
	n[TDICT] = fx_node(f, n[TTYPE], 400, 0x200, 1, MT_NO_LENGTH);
	fx_qual(f, n[TDICT], "builtins", "dict");
	n[TSTR] = fx_node(f, n[TTYPE], 400, 0x300, 1, MT_NO_LENGTH);
	fx_qual(f, n[TSTR], "builtins", "str");
	n[TLIST] = fx_node(f, n[TTYPE], 400, 0x400, 1, MT_NO_LENGTH);
	fx_qual(f, n[TLIST], "builtins", "list");
	n[TNODE] = fx_node(f, n[TTYPE], 400, 0x500, 1, MT_NO_LENGTH);
	fx_qual(f, n[TNODE], "__main__", "Node");
	n[M] = fx_node(f, n[TDICT], 232, 0x1000, 1, 2);
	n[KA] = fx_node(f, n[TSTR], 50, 0x1100, 1, 1);
	fx_str(f, n[KA], "a");
	n[KB] = fx_node(f, n[TSTR], 50, 0x1200, 1, 1);
	fx_str(f, n[KB], "b");
	n[A] = fx_node(f, n[TNODE], 100, 0x2000, 1, MT_NO_LENGTH);
	n[B] = fx_node(f, n[TNODE], 50, 0x3000, 1, MT_NO_LENGTH);
	n[X] = fx_node(f, n[TLIST], 88, 0x4000, 1, 3);
	n[U] = fx_node(f, n[TLIST], 64, 0x5000, 1, 1);
	fx_root(f, "i0_modules", n[M]);
	fx_edge_key(f, n[M], n[KB], n[A]);
	fx_edge_key(f, n[M], n[KA], n[B]);
	fx_edge_name(f, n[A], MT_REL_ATTR, "x", n[X]);
	fx_edge_int(f, n[A], MT_REL_INDEX, 0, n[X]);
	fx_edge_name(f, n[B], MT_REL_ATTR, "y", n[X]);
	fx_edge_int(f, n[U], MT_REL_INDEX, 0, n[X]);
	mt_err err;
	uint32_t m[NNODES];
	assert_int_equal(fx_write(f, path, m, NULL, &err), MT_OK);
	for (int i = 0; i < NNODES; i++)
		map[i] = m[i];
	fx_free(f);
}

static void test_sp_order_and_text(void **state)
{
	uint32_t map[NNODES];
	write_heap(map);
	mt_graph *g = load();
	mt_set *x = tg_set(&map[X], 1);
	mt_paths *p;
	mt_err err;
	assert_int_equal(mt_paths_sp(&p, g, x, &err), MT_OK);
	assert_true(mt_paths_from_root(p));
	assert_true(mt_paths_count(p) == 3);
	assert_int_equal(mt_paths_length(p), 3);
	expect_text(p, 0,
		    " 0: hp.Root.i0_modules['a'].y\n"
		    " 1: hp.Root.i0_modules['b'].x\n"
		    " 2: hp.Root.i0_modules['b'][0]\n");
	expect_text(p, 2, " 2: hp.Root.i0_modules['b'][0]\n");
	expect_text(p, 3, "<No more paths>\n");
	/* the structure behind path 1 */
	mt_path_step s[3];
	assert_int_equal(mt_paths_get(p, 1, s, &err), MT_OK);
	assert_int_equal(s[0].src, MT_NO_ID);
	assert_int_equal(s[0].dst, map[M]);
	assert_int_equal(s[1].src, map[M]);
	assert_int_equal(s[1].dst, map[A]);
	assert_int_equal(s[2].dst, map[X]);
	assert_int_equal(mt_graph_edge_rel(g, s[2].edge), MT_REL_ATTR);
	assert_int_equal(mt_paths_get(p, 3, s, &err), MT_RANGE);
	const uint32_t *ids;
	size_t n;
	mt_paths_level(p, 2, &ids, &n);
	assert_int_equal(n, 2);
	mt_paths_level(p, 3, &ids, &n);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], map[X]);
	assert_true(mt_paths_count_from(p, map[A]) == 2);
	assert_true(mt_paths_count_from(p, MT_NO_ID) == 3);
	mt_paths_free(p);
	mt_set_unref(x);

	/* the unreachable tail has no path from the root */
	x = tg_set(&map[U], 1);
	assert_int_equal(mt_paths_sp(&p, g, x, &err), MT_OK);
	assert_true(mt_paths_count(p) == 0);
	expect_text(p, 0, "<No paths: not reachable from the root>\n");
	mt_paths_free(p);
	mt_set_unref(x);

	/* a set: only the nearest members are destinations */
	uint32_t ax[] = {map[A], map[X]};
	x = tg_set(ax, 2);
	assert_int_equal(mt_paths_sp(&p, g, x, &err), MT_OK);
	expect_text(p, 0, " 0: hp.Root.i0_modules['b']\n");
	mt_paths_free(p);
	mt_set_unref(x);
	mt_graph_free(g);
}

static void test_pathsin_pathsout(void **state)
{
	uint32_t map[NNODES];
	write_heap(map);
	mt_graph *g = load();
	mt_paths *p;
	mt_err err;
	/* referrers of X: A (100 bytes, first), B and U */
	mt_set *x = tg_set(&map[X], 1);
	assert_int_equal(mt_paths_in(&p, g, x, &err), MT_OK);
	assert_true(mt_paths_count(p) == 4);
	assert_int_equal(mt_paths_given_sources(p), 3);
	expect_text(p, 0,
		    " 0: <1 __main__.Node: 0x2000>.x\n"
		    " 1: <1 __main__.Node: 0x2000>[0]\n"
		    " 2: <1 list: 0x5000*1>[0]\n"
		    " 3: <1 __main__.Node: 0x3000>.y\n");
	mt_paths_free(p);
	mt_set_unref(x);
	/* referents of A: X, twice */
	x = tg_set(&map[A], 1);
	assert_int_equal(mt_paths_out(&p, g, x, &err), MT_OK);
	expect_text(p, 0, " 0: Src.x\n 1: Src[0]\n");
	mt_paths_free(p);
	mt_set_unref(x);
	mt_graph_free(g);
}

/* root -> S; S -> w objects [j]; each of level k -> every one of level
 * k+1 [j]; the last level -> D [0]: w^levels paths. */
static void lattice(uint32_t w, uint32_t levels, uint32_t *dmap)
{
	uint32_t n = 2 + w * levels;
	tg_edge *e = malloc(sizeof *e * (w + w * w * levels + w));
	size_t ne = 0;
	for (uint32_t j = 0; j < w; j++)
		e[ne++] = (tg_edge){0, 1 + j, 0, j};
	for (uint32_t k = 0; k + 1 < levels; k++)
		for (uint32_t i = 0; i < w; i++)
			for (uint32_t j = 0; j < w; j++)
				e[ne++] = (tg_edge){1 + k * w + i,
						    1 + (k + 1) * w + j, 0, j};
	for (uint32_t i = 0; i < w; i++)
		e[ne++] = (tg_edge){1 + (levels - 1) * w + i, n - 1, 0, 0};
	uint32_t roots[] = {0};
	tg_graph tg = {.n = n, .edges = e, .nedges = ne, .roots = roots,
		      .nroots = 1};
	uint32_t *map = malloc((n + 1) * sizeof *map);
	tg_write(path, &tg, map);
	*dmap = map[n - 1];
	free(map);
	free(e);
}

static void test_counts_and_paging(void **state)
{
	uint32_t d;
	lattice(3, 3, &d);
	mt_graph *g = load();
	mt_set *x = tg_set(&d, 1);
	mt_paths *p;
	mt_err err;
	assert_int_equal(mt_paths_sp(&p, g, x, &err), MT_OK);
	assert_true(mt_paths_count(p) == 27);
	expect_text(p, 0,
		    " 0: hp.Root.i0_modules[0][0][0][0]\n"
		    " 1: hp.Root.i0_modules[0][0][1][0]\n"
		    " 2: hp.Root.i0_modules[0][0][2][0]\n"
		    " 3: hp.Root.i0_modules[0][1][0][0]\n"
		    " 4: hp.Root.i0_modules[0][1][1][0]\n"
		    " 5: hp.Root.i0_modules[0][1][2][0]\n"
		    " 6: hp.Root.i0_modules[0][2][0][0]\n"
		    " 7: hp.Root.i0_modules[0][2][1][0]\n"
		    " 8: hp.Root.i0_modules[0][2][2][0]\n"
		    " 9: hp.Root.i0_modules[1][0][0][0]\n"
		    "<... 17 more paths ...>\n");
	mt_strbuf b;
	mt_strbuf_init(&b);
	uint64_t next;
	assert_int_equal(mt_paths_format(p, 20, 10, &b, &next, &err), MT_OK);
	assert_true(next == 27);
	assert_non_null(strstr(b.s, "26: hp.Root.i0_modules[2][2][2][0]\n"));
	mt_strbuf_destroy(&b);
	mt_paths_free(p);
	mt_set_unref(x);
	mt_graph_free(g);

	/* exactly 11 paths: all are listed, no "1 more" line */
	lattice(11, 1, &d);
	g = load();
	x = tg_set(&d, 1);
	assert_int_equal(mt_paths_sp(&p, g, x, &err), MT_OK);
	assert_true(mt_paths_count(p) == 11);
	mt_strbuf_init(&b);
	assert_int_equal(mt_paths_format(p, 0, 10, &b, NULL, &err), MT_OK);
	assert_non_null(strstr(b.s, "10: hp.Root.i0_modules[10][0]\n"));
	assert_null(strstr(b.s, "more"));
	mt_strbuf_destroy(&b);
	mt_paths_free(p);
	mt_set_unref(x);
	mt_graph_free(g);

	/* 20^6 = 64 million paths, counted without listing them */
	lattice(20, 6, &d);
	g = load();
	x = tg_set(&d, 1);
	assert_int_equal(mt_paths_sp(&p, g, x, &err), MT_OK);
	assert_true(mt_paths_count(p) == 64000000ull);
	mt_path_step s[8];
	assert_int_equal(mt_paths_get(p, 63999999ull, s, &err), MT_OK);
	assert_int_equal(s[7].dst, d);
	mt_paths_free(p);
	mt_set_unref(x);
	mt_graph_free(g);
}

/* A 200000-long chain: the path is found without recursion. */
static void test_long_chain(void **state)
{
	uint32_t n = 200000;
	tg_edge *e = malloc(n * sizeof *e);
	for (uint32_t i = 0; i + 1 < n; i++)
		e[i] = (tg_edge){i, i + 1, 0, 0};
	uint32_t roots[] = {0}, *map = malloc((n + 1) * sizeof *map);
	tg_graph tg = {.n = n, .edges = e, .nedges = n - 1, .roots = roots,
		      .nroots = 1};
	tg_write(path, &tg, map);
	mt_graph *g = load();
	mt_set *x = tg_set(&map[n - 1], 1);
	mt_paths *p;
	mt_err err;
	assert_int_equal(mt_paths_sp(&p, g, x, &err), MT_OK);
	assert_true(mt_paths_count(p) == 1);
	assert_int_equal(mt_paths_length(p), n);
	mt_strbuf b;
	mt_strbuf_init(&b);
	assert_int_equal(mt_paths_format(p, 0, 10, &b, NULL, &err), MT_OK);
	assert_int_equal(b.len, 4 + 18 + 3 * (n - 1) + 1);
	mt_strbuf_destroy(&b);
	mt_paths_free(p);
	mt_set_unref(x);
	mt_graph_free(g);
	free(map);
	free(e);
}

/* ---- random oracle --------------------------------------------------- */

static int cmp_steps(const mt_path_step *a, const mt_path_step *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i].edge != b[i].edge || a[i].src != b[i].src)
			return 1;
	return 0;
}

/* From the root, or from the objects of insrc (level 0: a destination
 * among them is not reached again, as in mt_paths_shortest). */
static void check_random(const mt_graph *g, const uint8_t *indst,
			 const uint8_t *insrc)
{
	uint32_t N = mt_graph_count(g);
	uint32_t *dist = malloc(N * sizeof *dist), *q = malloc(N * 4);
	uint64_t *cnt = calloc(N, sizeof *cnt);
	const mt_edge *roots;
	size_t nroots, qh = 0, qt = 0;
	mt_graph_roots(g, &roots, &nroots);
	memset(dist, 0xff, N * sizeof *dist);
	for (size_t i = 0; i < (insrc ? 0 : nroots); i++) {
		uint32_t t = roots[i].target;
		if (dist[t] == UINT32_MAX) {
			dist[t] = 1;
			q[qt++] = t;
		}
		cnt[t]++;
	}
	uint32_t sids[64];
	size_t ns = 0;
	for (uint32_t v = 0; insrc && v < N; v++)
		if (insrc[v]) {
			sids[ns++] = v;
			dist[v] = 0;
			cnt[v] = 1;
			q[qt++] = v;
		}
	while (qh < qt) {
		uint32_t v = q[qh++], first, c;
		mt_graph_out(g, v, &first, &c);
		for (uint32_t e = first; e < first + c; e++) {
			uint32_t w = mt_graph_edge_target(g, e);
			if (dist[w] == UINT32_MAX) {
				dist[w] = dist[v] + 1;
				q[qt++] = w;
			}
			if (dist[w] == dist[v] + 1)
				cnt[w] += cnt[v];
		}
	}
	uint32_t best = UINT32_MAX;
	uint64_t want = 0;
	uint32_t ids[64];
	size_t nd = 0;
	for (uint32_t v = 0; v < N; v++)
		if (indst[v]) {
			ids[nd++] = v;
			if (dist[v] < best && dist[v])
				best = dist[v];
		}
	for (uint32_t v = 0; v < N; v++)
		if (indst[v] && dist[v] == best)
			want += cnt[v];
	mt_set *x = tg_set(ids, nd), *from = insrc ? tg_set(sids, ns) : NULL;
	mt_paths *p;
	mt_err err;
	assert_int_equal(mt_paths_shortest(&p, g, from, x, &err), MT_OK);
	assert_true(mt_paths_count(p) == want);
	if (want) {
		assert_int_equal(mt_paths_length(p), best);
		uint64_t lim = want < 200 ? want : 200;
		mt_path_step *all = malloc(lim * best * sizeof *all);
		for (uint64_t i = 0; i < lim; i++) {
			mt_path_step *s = all + i * best;
			assert_int_equal(mt_paths_get(p, i, s, &err), MT_OK);
			if (insrc) {
				assert_true(insrc[s[0].src]);
				assert_int_equal(
				    mt_graph_edge_source(g, s[0].edge),
				    s[0].src);
				assert_int_equal(
				    mt_graph_edge_target(g, s[0].edge),
				    s[0].dst);
			} else {
				assert_int_equal(s[0].src, MT_NO_ID);
				assert_int_equal(roots[s[0].edge].target,
						 s[0].dst);
			}
			for (uint32_t k = 1; k < best; k++) {
				assert_int_equal(s[k].src, s[k - 1].dst);
				assert_int_equal(mt_graph_edge_source(g, s[k].edge),
						 s[k].src);
				assert_int_equal(
				    mt_graph_edge_target(g, s[k].edge),
				    s[k].dst);
			}
			assert_true(indst[s[best - 1].dst]);
			for (uint64_t j = 0; j < i; j++)
				assert_true(cmp_steps(all + j * best, s, best));
		}
		free(all);
	}
	mt_paths_free(p);
	mt_set_unref(x);
	if (from)
		mt_set_unref(from);
	free(dist);
	free(q);
	free(cnt);
}

/* ---- code spelling and groups ----------------------------------------- */

/* A server-like heap: thread 77 ("worker") waits in threading's wait(),
 * called from handle() whose local `reqs` lists two Sessions; thread 88
 * (no Thread object) runs pkg/__init__.py at module level, whose globals
 * are module app's dict, where `cache` maps 'k1', 'k2' to two Sessions.
 *   root i0_modules -> MODS['app'] -> MOD .__dict__ -> MD
 *   root i0_t77_f0 -> F0 .f_back -> F1 local reqs -> L [0] S1, [1] S2
 *   root i0_t88_f0 -> F2 .f_globals -> MD ['cache'] -> C ['k1'] S3, ['k2'] S4
 *   root i0_dict -> GL [0] F3, [1] F4 (frames of gen()), both .f_globals
 *   -> D3 (module other's dict: __name__) ['items'] -> LI [5] -> T
 *   root i0_sysdict -> SD ['path'] -> SPL
 */
enum { CT_TYPE, CT_DICT, CT_STR, CT_LIST, CT_MOD, CT_FRAME, CT_SESS, MODS,
       KAPP, MOD, MD, KNAME, VNAME, KCACHE, C, K1, K2, F0, F1, F2, L, S1, S2,
       S3, S4, GL, F3, F4, D3, KOTHER, KITEMS, LI, T, SD, KPATH, SPL,
       CNODES };

static void frame_value(fx *f, uint32_t n, const char *file, int line,
			const char *name)
{
	mt_value v = {.kind = MT_VAL_CODE, .s = file, .slen = strlen(file),
		      .s2 = name, .s2len = strlen(name), .i = line};
	fx_set_value(f, n, &v);
}

static void write_code_heap(uint32_t *map, bool names)
{
	fx *f = fx_new();
	uint32_t n[CNODES];
	uint64_t a = 0x10000;
	n[CT_TYPE] = fx_node(f, FX_SELF, 400, a += 0x100, 1, MT_NO_LENGTH);
	fx_qual(f, n[CT_TYPE], "builtins", "type");
	static const char *const tn[] = {"dict", "str", "list", "module",
					 "frame"};
	for (int i = 0; i < 5; i++) {
		n[CT_DICT + i] = fx_node(f, n[CT_TYPE], 400, a += 0x100, 1,
					 MT_NO_LENGTH);
		fx_qual(f, n[CT_DICT + i], "builtins", tn[i]);
	}
	n[CT_SESS] = fx_node(f, n[CT_TYPE], 400, a += 0x100, 1, MT_NO_LENGTH);
	fx_qual(f, n[CT_SESS], "app", "Session");
	n[MODS] = fx_node(f, n[CT_DICT], 200, a += 0x100, 1, 1);
	static const struct {
		int node;
		const char *s;
	} strs[] = {{KAPP, "app"},     {KNAME, "__name__"}, {VNAME, "app"},
		    {KCACHE, "cache"}, {K1, "k1"},	    {K2, "k2"}};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		n[strs[i].node] = fx_node(f, n[CT_STR], 50, a += 0x100, 1,
					  (int64_t)strlen(strs[i].s));
		fx_str(f, n[strs[i].node], strs[i].s);
	}
	n[MOD] = fx_node(f, n[CT_MOD], 72, a += 0x100, 1, MT_NO_LENGTH);
	fx_str(f, n[MOD], "app");
	n[MD] = fx_node(f, n[CT_DICT], 300, a += 0x100, 1, 2);
	n[C] = fx_node(f, n[CT_DICT], 300, a += 0x100, 1, 2);
	n[F0] = fx_node(f, n[CT_FRAME], 80, 0, 0, MT_NO_LENGTH);
	frame_value(f, n[F0], "/usr/lib/python3.11/threading.py", 320, "wait");
	n[F1] = fx_node(f, n[CT_FRAME], 80, 0, 0, MT_NO_LENGTH);
	frame_value(f, n[F1], "/srv/app/handler.py", 42, "handle");
	n[F2] = fx_node(f, n[CT_FRAME], 80, 0, 0, MT_NO_LENGTH);
	frame_value(f, n[F2], "/srv/app/pkg/__init__.py", 7, "<module>");
	n[L] = fx_node(f, n[CT_LIST], 72, a += 0x100, 1, 2);
	for (int i = S1; i <= S4; i++)
		n[i] = fx_node(f, n[CT_SESS], 48, a += 0x100, 1, MT_NO_LENGTH);
	fx_root(f, "i0_modules", n[MODS]);
	fx_root(f, "i0_t77_f0", n[F0]);
	fx_root(f, "i0_t88_f0", n[F2]);
	fx_edge_key(f, n[MODS], n[KAPP], n[MOD]);
	fx_edge_name(f, n[MOD], MT_REL_ATTR, "__dict__", n[MD]);
	fx_edge_key(f, n[MD], n[KNAME], n[VNAME]);
	fx_edge_key(f, n[MD], n[KCACHE], n[C]);
	fx_edge_key(f, n[C], n[K1], n[S3]);
	fx_edge_key(f, n[C], n[K2], n[S4]);
	fx_edge_name(f, n[F0], MT_REL_ATTR, "f_back", n[F1]);
	fx_edge_name(f, n[F1], MT_REL_LOCAL, "reqs", n[L]);
	fx_edge_int(f, n[L], MT_REL_INDEX, 0, n[S1]);
	fx_edge_int(f, n[L], MT_REL_INDEX, 1, n[S2]);
	fx_edge_name(f, n[F2], MT_REL_ATTR, "f_globals", n[MD]);
	n[GL] = fx_node(f, n[CT_LIST], 72, a += 0x100, 1, 2);
	n[F3] = fx_node(f, n[CT_FRAME], 80, a += 0x100, 1, MT_NO_LENGTH);
	frame_value(f, n[F3], "/srv/app/g.py", 5, "gen");
	n[F4] = fx_node(f, n[CT_FRAME], 80, a += 0x100, 1, MT_NO_LENGTH);
	frame_value(f, n[F4], "/srv/app/g.py", 5, "gen");
	n[D3] = fx_node(f, n[CT_DICT], 300, a += 0x100, 1, 2);
	n[KOTHER] = fx_node(f, n[CT_STR], 50, a += 0x100, 1, 5);
	fx_str(f, n[KOTHER], "other");
	n[KITEMS] = fx_node(f, n[CT_STR], 50, a += 0x100, 1, 5);
	fx_str(f, n[KITEMS], "items");
	n[LI] = fx_node(f, n[CT_LIST], 120, a += 0x100, 1, 6);
	n[T] = fx_node(f, n[CT_SESS], 48, a += 0x100, 1, MT_NO_LENGTH);
	fx_root(f, "i0_dict", n[GL]);
	fx_edge_int(f, n[GL], MT_REL_INDEX, 0, n[F3]);
	fx_edge_int(f, n[GL], MT_REL_INDEX, 1, n[F4]);
	fx_edge_name(f, n[F3], MT_REL_ATTR, "f_globals", n[D3]);
	fx_edge_name(f, n[F4], MT_REL_ATTR, "f_globals", n[D3]);
	fx_edge_key(f, n[D3], n[KNAME], n[KOTHER]);
	fx_edge_key(f, n[D3], n[KITEMS], n[LI]);
	fx_edge_int(f, n[LI], MT_REL_INDEX, 5, n[T]);
	n[SD] = fx_node(f, n[CT_DICT], 300, a += 0x100, 1, 1);
	n[KPATH] = fx_node(f, n[CT_STR], 50, a += 0x100, 1, 4);
	fx_str(f, n[KPATH], "path");
	n[SPL] = fx_node(f, n[CT_LIST], 72, a += 0x100, 1, 0);
	fx_root(f, "i0_sysdict", n[SD]);
	fx_edge_key(f, n[SD], n[KPATH], n[SPL]);
	if (names) {
		fx_thread(f, 77, "worker");
		fx_thread(f, 88, NULL);
	}
	mt_err err;
	uint32_t m[CNODES];
	assert_int_equal(fx_write(f, path, m, NULL, &err), MT_OK);
	for (int i = 0; i < CNODES; i++)
		map[i] = m[n[i]];
	fx_free(f);
}

/* The code spelling of the first path from the root to node id. */
static void expect_spelling(mt_graph *g, uint32_t id, const char *want)
{
	mt_set *x = tg_set(&id, 1);
	mt_paths *p;
	mt_err err;
	mt_strbuf b;
	mt_strbuf_init(&b);
	assert_int_equal(mt_paths_sp(&p, g, x, &err), MT_OK);
	mt_path_step st[16];
	assert_true(mt_paths_length(p) < 16);
	assert_int_equal(mt_paths_get(p, 0, st, &err), MT_OK);
	assert_int_equal(
	    mt_paths_spell(g, st, mt_paths_length(p), NULL, &b), MT_OK);
	assert_string_equal(b.s, want);
	mt_strbuf_destroy(&b);
	mt_paths_free(p);
	mt_set_unref(x);
}

static void test_code_spelling(void **state)
{
	uint32_t map[CNODES];
	write_code_heap(map, true);
	mt_graph *g = load();
	/* threads by name and id, frames by function and file:line, locals
	 * by name; the f_back chain is skipped */
	expect_spelling(g, map[S1],
			"thread 'worker' (77) > handle() handler.py:42 > "
			"reqs[0]");
	expect_spelling(g, map[F1], "thread 'worker' (77) > handle() "
				    "handler.py:42");
	/* module globals as module.name, also through a frame's f_globals;
	 * dict keys keep their repr outside a namespace */
	expect_spelling(g, map[S4], "app.cache['k2']");
	expect_spelling(g, map[C], "app.cache");
	/* a thread without a name; __init__.py keeps its package */
	expect_spelling(g, map[F2], "thread 88 > <module> pkg/__init__.py:7");
	/* a module reached from sys.modules is its name */
	expect_spelling(g, map[MOD], "app");
	expect_spelling(g, map[MODS], "sys.modules");
	/* the interpreter's sys dict is module sys's namespace */
	expect_spelling(g, map[SPL], "sys.path");
	expect_spelling(g, map[SD], "sys");
	mt_graph_free(g);

	/* a dump without the header's thread names: threads by id */
	write_code_heap(map, false);
	g = load();
	expect_spelling(g, map[S2],
			"thread 77 > handle() handler.py:42 > reqs[1]");
	mt_graph_free(g);
}

static void test_groups(void **state)
{
	uint32_t map[CNODES];
	write_code_heap(map, true);
	mt_graph *g = load();
	uint32_t ss[] = {map[S1], map[S2], map[S3], map[S4]};
	mt_set *x = tg_set(ss, 4);
	mt_paths *p;
	mt_paths_groups *gr;
	mt_err err;
	assert_int_equal(mt_paths_sp(&p, g, x, &err), MT_OK);
	assert_true(mt_paths_count(p) == 4);
	assert_int_equal(mt_paths_group(&gr, p, NULL, 1000, &err), MT_OK);
	assert_int_equal(mt_paths_groups_count(gr), 2);
	assert_string_equal(mt_paths_group_text(gr, 0),
			    "thread 'worker' (77) > handle() handler.py:42 > "
			    "reqs[*]");
	assert_string_equal(mt_paths_group_text(gr, 1), "app.cache[*]");
	assert_null(mt_paths_group_text(gr, 2));
	size_t n;
	const uint64_t *m = mt_paths_group_members(gr, 1, &n);
	assert_int_equal(n, 2);
	assert_true(m[0] == 2 && m[1] == 3);
	mt_strbuf b;
	mt_strbuf_init(&b);
	assert_int_equal(mt_paths_groups_format(gr, 0, 10, &b, NULL, &err),
			 MT_OK);
	assert_string_equal(b.s, " 0:      2 x thread 'worker' (77) > handle() "
				 "handler.py:42 > reqs[*]\n"
				 " 1:      2 x app.cache[*]\n");
	mt_strbuf_destroy(&b);
	mt_paths_groups_free(gr);

	/* a label all the group's paths share is kept; the limit groups the
	 * first paths only and says so */
	assert_int_equal(mt_paths_group(&gr, p, NULL, 3, &err), MT_OK);
	assert_int_equal(mt_paths_groups_count(gr), 2);
	assert_string_equal(mt_paths_group_text(gr, 1), "app.cache['k1']");
	assert_true(mt_paths_groups_seen(gr) == 3);
	mt_strbuf_init(&b);
	assert_int_equal(mt_paths_groups_format(gr, 0, 1, &b, NULL, &err),
			 MT_OK);
	assert_non_null(strstr(b.s, "<grouped the first 3 of 4 paths>\n"));
	assert_non_null(strstr(b.s, " 1:      1 x app.cache['k1']\n"));
	mt_strbuf_destroy(&b);
	mt_paths_groups_free(gr);
	mt_paths_free(p);
	mt_set_unref(x);

	/* labels before a restart (a module's name) are no longer in the
	 * text: the group keeps the index all its paths share */
	x = tg_set(&map[T], 1);
	assert_int_equal(mt_paths_sp(&p, g, x, &err), MT_OK);
	assert_true(mt_paths_count(p) == 2);
	assert_int_equal(mt_paths_group(&gr, p, NULL, 1000, &err), MT_OK);
	assert_int_equal(mt_paths_groups_count(gr), 1);
	assert_string_equal(mt_paths_group_text(gr, 0), "other.items[5]");
	mt_paths_groups_free(gr);
	mt_paths_free(p);
	mt_set_unref(x);
	mt_graph_free(g);
}

/* ---- comparing two dumps' groups -------------------------------------- */

/* One side of a comparison: module app whose namespace holds containers
 * of Sessions, every Session at the same depth (root i0_modules ->
 * sys.modules ['app'] -> module .__dict__ -> namespace [NAME] -> container
 * [label] -> Session).  A container is a dict (keys keys[i]) or a list
 * (indexes idx[i]); idx may name one Session twice (two paths, one
 * object).  With line > 0, thread 77 also waits in a frame whose caller,
 * handle() at that line, has `reqs` listing nreqs Sessions (the same
 * depth: two f_back steps).  The Sessions' ids go to ids[*n]. */
typedef struct cmp_box {
	const char *name;
	const char *keys[4]; /* dict keys, or NULL: a list */
	int idx[4];	     /* list: the Session of each index (-1: end) */
	int n;		     /* dict: entries; list: distinct Sessions */
} cmp_box;

static mt_graph *write_cmp_side(const char *file, const cmp_box *box,
				size_t nbox, int line, int nreqs, uint32_t *ids,
				size_t *n)
{
	fx *f = fx_new();
	uint64_t a = 0x10000;
	uint32_t ty = fx_node(f, FX_SELF, 400, a += 0x100, 1, MT_NO_LENGTH);
	fx_qual(f, ty, "builtins", "type");
	uint32_t td = fx_node(f, ty, 400, a += 0x100, 1, MT_NO_LENGTH);
	fx_qual(f, td, "builtins", "dict");
	uint32_t ts = fx_node(f, ty, 400, a += 0x100, 1, MT_NO_LENGTH);
	fx_qual(f, ts, "builtins", "str");
	uint32_t tl = fx_node(f, ty, 400, a += 0x100, 1, MT_NO_LENGTH);
	fx_qual(f, tl, "builtins", "list");
	uint32_t tm = fx_node(f, ty, 400, a += 0x100, 1, MT_NO_LENGTH);
	fx_qual(f, tm, "builtins", "module");
	uint32_t tss = fx_node(f, ty, 400, a += 0x100, 1, MT_NO_LENGTH);
	fx_qual(f, tss, "app", "Session");
	uint32_t mods = fx_node(f, td, 200, a += 0x100, 1, 1);
	uint32_t kapp = fx_node(f, ts, 50, a += 0x100, 1, 3);
	fx_str(f, kapp, "app");
	uint32_t mod = fx_node(f, tm, 72, a += 0x100, 1, MT_NO_LENGTH);
	fx_str(f, mod, "app");
	uint32_t md = fx_node(f, td, 300, a += 0x100, 1, (int64_t)nbox);
	fx_root(f, "i0_modules", mods);
	fx_edge_key(f, mods, kapp, mod);
	fx_edge_name(f, mod, MT_REL_ATTR, "__dict__", md);
	uint32_t sess[64];
	size_t ns = 0;
	for (size_t i = 0; i < nbox; i++) {
		const cmp_box *bx = &box[i];
		bool dict = bx->keys[0] != NULL;
		uint32_t k = fx_node(f, ts, 50, a += 0x100, 1,
				     (int64_t)strlen(bx->name));
		fx_str(f, k, bx->name);
		uint32_t c =
		    fx_node(f, dict ? td : tl, 100, a += 0x100, 1, bx->n);
		fx_edge_key(f, md, k, c);
		uint32_t first = (uint32_t)ns;
		for (int j = 0; j < bx->n; j++)
			sess[ns++] =
			    fx_node(f, tss, 48, a += 0x100, 1, MT_NO_LENGTH);
		for (int j = 0; dict && j < bx->n; j++) {
			uint32_t kk = fx_node(f, ts, 50, a += 0x100, 1,
					      (int64_t)strlen(bx->keys[j]));
			fx_str(f, kk, bx->keys[j]);
			fx_edge_key(f, c, kk, sess[first + j]);
		}
		for (int j = 0; !dict && j < 4 && bx->idx[j] >= 0; j++)
			fx_edge_int(f, c, MT_REL_INDEX, (uint64_t)j,
				    sess[first + (uint32_t)bx->idx[j]]);
	}
	if (line > 0) {
		uint32_t tf = fx_node(f, ty, 400, a += 0x100, 1, MT_NO_LENGTH);
		fx_qual(f, tf, "builtins", "frame");
		uint32_t fr[3];
		for (int i = 0; i < 3; i++)
			fr[i] = fx_node(f, tf, 80, 0, 0, MT_NO_LENGTH);
		frame_value(f, fr[0], "/usr/lib/python3.11/threading.py", 320,
			    "wait");
		frame_value(f, fr[1], "/srv/app/queue.py", 9, "get");
		frame_value(f, fr[2], "/srv/app/handler.py", line, "handle");
		fx_root(f, "i0_t77_f0", fr[0]);
		fx_edge_name(f, fr[0], MT_REL_ATTR, "f_back", fr[1]);
		fx_edge_name(f, fr[1], MT_REL_ATTR, "f_back", fr[2]);
		uint32_t l = fx_node(f, tl, 72, a += 0x100, 1, nreqs);
		fx_edge_name(f, fr[2], MT_REL_LOCAL, "reqs", l);
		for (int j = 0; j < nreqs; j++) {
			sess[ns] =
			    fx_node(f, tss, 48, a += 0x100, 1, MT_NO_LENGTH);
			fx_edge_int(f, l, MT_REL_INDEX, (uint64_t)j,
				    sess[ns++]);
		}
		fx_thread(f, 77, "worker");
	}
	mt_err err;
	uint32_t map[256];
	assert_int_equal(fx_write(f, file, map, NULL, &err), MT_OK);
	for (size_t i = 0; i < ns; i++)
		ids[i] = map[sess[i]];
	*n = ns;
	fx_free(f);
	return tg_load(file);
}

/* The groups of the paths from the root to every Session of a side. */
static void side_groups(mt_graph *g, const uint32_t *ids, size_t n,
			uint64_t limit, mt_paths **p, mt_paths_groups **gr)
{
	mt_set *x = tg_set(ids, n);
	mt_err err;
	assert_int_equal(mt_paths_sp(p, g, x, &err), MT_OK);
	assert_int_equal(mt_paths_group(gr, *p, NULL, limit, &err), MT_OK);
	mt_set_unref(x);
}

static void test_compare_groups(void **state)
{
	/* OLD: cache {k1}, queue [3 Sessions], byname {a}, old {x};
	 * NEW: cache {k1 k2 k3}, queue [1], byname {a}, fresh [S0 S0 S1] */
	static const cmp_box oldb[] = {
	    {"cache", {"k1"}, {0}, 1},
	    {"queue", {NULL}, {0, 1, 2, -1}, 3},
	    {"byname", {"a"}, {0}, 1},
	    {"old", {"x"}, {0}, 1},
	};
	static const cmp_box newb[] = {
	    {"cache", {"k1", "k2", "k3"}, {0}, 3},
	    {"queue", {NULL}, {0, -1}, 1},
	    {"byname", {"a"}, {0}, 1},
	    {"fresh", {NULL}, {0, 0, 1, -1}, 2},
	};
	char path2[300];
	snprintf(path2, sizeof path2, "%s.new", path);
	uint32_t oid[64], nid[64];
	size_t on, nn;
	/* and handle() waits at line 40 with 2 requests, then at 42 with 3 */
	mt_graph *og = write_cmp_side(path, oldb, 4, 40, 2, oid, &on);
	mt_graph *ng = write_cmp_side(path2, newb, 4, 42, 3, nid, &nn);
	assert_int_equal(on, 8);
	assert_int_equal(nn, 10);
	mt_paths *op, *np;
	mt_paths_groups *ogr, *ngr;
	side_groups(og, oid, on, 1000, &op, &ogr);
	side_groups(ng, nid, nn, 1000, &np, &ngr);
	mt_paths_cmp *c;
	mt_err err;
	assert_int_equal(mt_paths_compare(&c, ogr, ngr, &err), MT_OK);
	assert_int_equal(mt_paths_cmp_count(c), 6);
	mt_strbuf b;
	mt_strbuf_init(&b);
	assert_int_equal(mt_paths_cmp_format(c, 0, 10, &b, NULL, &err), MT_OK);
	/* by |Δobjects| then NEW's count: cache (the label OLD's one path
	 * had is starred: NEW's differ), fresh (3 paths, 2 objects), queue;
	 * then the frame's (the same step at another line: NEW's line
	 * shown), gone; the unchanged group last, its shared key kept */
	assert_string_equal(b.s, " 0: grew        +2      1 -> 3      "
				 "app.cache[*]\n"
				 " 1: new         +2      0 -> 2      "
				 "app.fresh[*]\n"
				 " 2: shrank      -2      3 -> 1      "
				 "app.queue[*]\n"
				 " 3: grew        +1      2 -> 3      "
				 "thread 'worker' (77) > handle() "
				 "handler.py:42 > reqs[*]\n"
				 " 4: gone        -1      1 -> 0      "
				 "app.old['x']\n"
				 " 5: same        +0      1 -> 1      "
				 "app.byname['a']\n");
	/* within one dump the line is part of the group's text as before */
	const mt_paths_pair *fp = mt_paths_cmp_at(c, 3);
	assert_string_equal(mt_paths_group_text(ogr, fp->old_group),
			    "thread 'worker' (77) > handle() handler.py:40 > "
			    "reqs[*]");
	mt_strbuf_destroy(&b);
	/* the pairs name each side's group */
	const mt_paths_pair *pr = mt_paths_cmp_at(c, 1);
	assert_int_equal(pr->change, MT_PATHS_NEW);
	assert_true(pr->old_group == MT_PATHS_NO_GROUP);
	assert_true(pr->new_paths == 3 && pr->new_objects == 2);
	assert_string_equal(mt_paths_group_text(ngr, pr->new_group),
			    "app.fresh[*]");
	pr = mt_paths_cmp_at(c, 4);
	assert_int_equal(pr->change, MT_PATHS_GONE);
	assert_true(pr->new_group == MT_PATHS_NO_GROUP);
	assert_string_equal(mt_paths_group_text(ogr, pr->old_group),
			    "app.old['x']");
	pr = mt_paths_cmp_at(c, 0);
	assert_string_equal(mt_paths_group_text(ogr, pr->old_group),
			    "app.cache['k1']");
	assert_true(pr->old_paths == 1 && pr->new_paths == 3);
	assert_null(mt_paths_cmp_at(c, 6));
	assert_null(mt_paths_cmp_text(c, 6));
	assert_string_equal(mt_paths_change_name(MT_PATHS_SHRANK), "shrank");
	/* paging as heapy's: 2 then the rest counted */
	mt_strbuf_init(&b);
	size_t next;
	assert_int_equal(mt_paths_cmp_format(c, 0, 2, &b, &next, &err), MT_OK);
	assert_int_equal(next, 2);
	assert_non_null(strstr(b.s, "<... 4 more groups ...>\n"));
	mt_strbuf_destroy(&b);
	mt_paths_cmp_free(c);

	/* a side against itself: all the same, in its group order */
	assert_int_equal(mt_paths_compare(&c, ngr, ngr, &err), MT_OK);
	assert_int_equal(mt_paths_cmp_count(c), 5);
	for (size_t i = 0; i < 5; i++) {
		pr = mt_paths_cmp_at(c, i);
		assert_int_equal(pr->change, MT_PATHS_SAME);
		assert_true(pr->new_group == i && pr->old_group == i);
		assert_string_equal(mt_paths_cmp_text(c, i),
				    mt_paths_group_text(ngr, i));
	}
	mt_paths_cmp_free(c);
	mt_paths_groups_free(ngr);
	mt_paths_free(np);

	/* a limit that cut NEW's paths is said */
	side_groups(ng, nid, nn, 2, &np, &ngr);
	assert_int_equal(mt_paths_compare(&c, ogr, ngr, &err), MT_OK);
	mt_strbuf_init(&b);
	assert_int_equal(mt_paths_cmp_format(c, 0, 10, &b, NULL, &err), MT_OK);
	assert_non_null(
	    strstr(b.s, "<NEW: grouped the first 2 of 11 paths>\n"));
	assert_null(strstr(b.s, "<OLD:"));
	mt_strbuf_destroy(&b);
	mt_paths_cmp_free(c);
	mt_paths_groups_free(ngr);
	mt_paths_free(np);
	mt_paths_groups_free(ogr);
	mt_paths_free(op);

	/* no paths on either side */
	mt_set *none = tg_set(NULL, 0);
	assert_int_equal(mt_paths_sp(&op, og, none, &err), MT_OK);
	assert_int_equal(mt_paths_group(&ogr, op, NULL, 1000, &err), MT_OK);
	assert_int_equal(mt_paths_compare(&c, ogr, ogr, &err), MT_OK);
	mt_strbuf_init(&b);
	assert_int_equal(mt_paths_cmp_format(c, 0, 10, &b, NULL, &err), MT_OK);
	assert_string_equal(b.s, "<No paths>\n");
	mt_strbuf_destroy(&b);
	mt_paths_cmp_free(c);
	mt_paths_groups_free(ogr);
	mt_paths_free(op);
	mt_set_unref(none);
	mt_graph_free(og);
	mt_graph_free(ng);
	unlink(path2);
}

static void test_random(void **state)
{
	unsigned seed = 21;
	tg_edge *e = malloc(sizeof *e * 60 * 12);
	uint32_t roots[3];
	for (int it = 0; it < 1500; it++) {
		uint32_t n = 1 + (uint32_t)rand_r(&seed) % 60;
		unsigned dens = 1 + (unsigned)rand_r(&seed) % 10;
		size_t ne = (size_t)n * dens / 2;
		for (size_t k = 0; k < ne; k++)
			e[k] = (tg_edge){(uint32_t)rand_r(&seed) % n,
					 (uint32_t)rand_r(&seed) % n, 0, k};
		size_t nroots = 1 + (size_t)rand_r(&seed) % 3;
		for (size_t r = 0; r < nroots; r++)
			roots[r] = (uint32_t)rand_r(&seed) % n;
		tg_graph tg = {.n = n, .edges = e, .nedges = ne,
			      .roots = roots, .nroots = nroots};
		tg_write(path, &tg, NULL);
		mt_graph *g = load();
		uint32_t N = mt_graph_count(g);
		uint8_t *in = calloc(N, 1);
		size_t k = 1 + (size_t)rand_r(&seed) % 4;
		for (size_t j = 0; j < k; j++)
			in[(uint32_t)rand_r(&seed) % N] = 1;
		check_random(g, in, NULL);
		/* from up to 3 sources */
		uint8_t *src = calloc(N, 1);
		k = 1 + (size_t)rand_r(&seed) % 3;
		for (size_t j = 0; j < k; j++)
			src[(uint32_t)rand_r(&seed) % N] = 1;
		check_random(g, in, src);
		free(src);
		free(in);
		mt_graph_free(g);
	}
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sp_order_and_text),
		cmocka_unit_test(test_pathsin_pathsout),
		cmocka_unit_test(test_counts_and_paging),
		cmocka_unit_test(test_long_chain),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_code_spelling),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_compare_groups),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
