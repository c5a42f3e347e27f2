/* Test utility: arbitrary graphs as dumps (graphgen.h). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graphgen.h"
#include "memtrack/graph.h"
#include "memtrack/set.h"
#include "memtrack/writer.h"

#define UNSET UINT32_MAX

typedef struct gen {
	uint32_t *map, *order, next;
} gen;

static uint32_t assign(gen *s, uint32_t x)
{
	if (s->map[x] == UNSET) {
		s->map[x] = s->next;
		s->order[s->next++] = x;
	}
	return s->map[x];
}

void tg_write(const char *path, const tg_graph *g, uint32_t *map_out)
{
	uint32_t n = g->n, T = n; /* shared type node */
	gen s = {malloc((n + 1) * sizeof(uint32_t)),
		 malloc((n + 1) * sizeof(uint32_t)), 0};
	/* out-edge lists in input order */
	size_t *start = calloc(n + 2, sizeof *start);
	size_t *idx = malloc((g->nedges + 1) * sizeof *idx);
	assert_non_null(s.map);
	assert_non_null(s.order);
	assert_non_null(start);
	assert_non_null(idx);
	for (size_t i = 0; i < g->nedges; i++)
		start[g->edges[i].src + 1]++;
	for (uint32_t i = 0; i < n + 1; i++)
		start[i + 1] += start[i];
	size_t *fill = calloc(n + 1, sizeof *fill);
	assert_non_null(fill);
	for (size_t i = 0; i < g->nedges; i++) {
		uint32_t src = g->edges[i].src;
		idx[start[src] + fill[src]++] = i;
	}
	free(fill);
	memset(s.map, 0xff, (n + 1) * sizeof(uint32_t));

	mt_writer *w;
	mt_err err;
	static const char *argv[] = {"graphgen"};
	mt_header h = {.memtrack_version = "test", .python_version = "3.11.0",
		       .py_major = 3, .py_minor = 11, .implementation = "cpython",
		       .build = "release", .executable = "python3", .pid = 1,
		       .argc = 1, .argv = argv, .ptr_size = 8, .gc_header = 16};
	assert_int_equal(mt_writer_new(&w, path, &err), MT_OK);
	assert_int_equal(mt_writer_header(w, &h, &err), MT_OK);
	uint32_t rootname;
	assert_int_equal(mt_writer_name(w, "i0_modules", 10, &rootname, &err),
			 MT_OK);
	for (size_t i = 0; i < g->nattr_names; i++) {
		uint32_t ix;
		assert_int_equal(mt_writer_name(w, g->attr_names[i],
						strlen(g->attr_names[i]), &ix,
						&err),
				 MT_OK);
		assert_int_equal(ix, i + 1);
	}
	mt_edge *re = malloc((g->nroots + 1) * sizeof *re);
	assert_non_null(re);
	for (size_t i = 0; i < g->nroots; i++)
		re[i] = (mt_edge){assign(&s, g->roots[i]), MT_REL_ROOT, rootname};
	assert_int_equal(mt_writer_roots(w, re, g->nroots, &err), MT_OK);
	free(re);

	size_t ecap = 16;
	mt_edge *es = malloc(ecap * sizeof *es);
	uint32_t reachable = n + 1, low = 0; /* below low: all assigned */
	for (uint32_t k = 0; k < n + 1; k++) {
		if (k == s.next) { /* nothing refers to it: lowest unset node */
			if (reachable > k)
				reachable = k;
			while (s.map[low] != UNSET)
				low++;
			assign(&s, low);
		}
		uint32_t x = s.order[k];
		uint32_t tnode = T;
		if (x < n && g->types && g->types[x] >= 0)
			tnode = (uint32_t)g->types[x];
		mt_obj o = {.size = x < n && g->sizes ? g->sizes[x] : 16,
			    .addr = 0x1000 + 16 * (uint64_t)x, .refcnt = 1,
			    .length = MT_NO_LENGTH};
		o.type = x == T ? assign(&s, T) : assign(&s, tnode);
		if (x == T) {
			o.value = (mt_value){.kind = MT_VAL_QUALNAME,
					     .s = "builtins", .slen = 8,
					     .s2 = "object", .s2len = 6};
		} else if (g->qualname_name && g->qualname_name[x]) {
			o.value = (mt_value){
				.kind = MT_VAL_QUALNAME,
				.s = g->qualname_module[x],
				.slen = (uint32_t)strlen(g->qualname_module[x]),
				.s2 = g->qualname_name[x],
				.s2len = (uint32_t)strlen(g->qualname_name[x])};
		} else if (g->str_values && g->str_values[x]) {
			o.value = (mt_value){
				.kind = MT_VAL_STR, .s = g->str_values[x],
				.slen = (uint32_t)strlen(g->str_values[x])};
		}
		size_t ne = 0;
		if (x < n) {
			ne = start[x + 1] - start[x];
			if (ne > ecap) {
				ecap = ne;
				es = realloc(es, ecap * sizeof *es);
			}
			for (size_t j = 0; j < ne; j++) {
				const tg_edge *e = &g->edges[idx[start[x] + j]];
				uint8_t rel = e->rel ? e->rel : MT_REL_INDEX;
				es[j].rel = rel;
				es[j].target = assign(&s, e->dst);
				es[j].label = rel == MT_REL_KEYVAL
						      ? assign(&s, (uint32_t)e->label)
						      : e->label;
			}
		}
		assert_int_equal(mt_writer_object(w, k, &o, es, ne, &err), MT_OK);
	}
	assert_int_equal(mt_writer_finish(w, reachable, &err), MT_OK);
	if (map_out)
		memcpy(map_out, s.map, (n + 1) * sizeof(uint32_t));
	free(es);
	free(s.map);
	free(s.order);
	free(start);
	free(idx);
}

mt_graph *tg_load(const char *path)
{
	mt_graph *g;
	mt_err err;
	assert_int_equal(mt_graph_load(&g, path, NULL, NULL, &err), MT_OK);
	return g;
}

void tg_for_random_graphs(unsigned seed, int count, uint32_t maxn,
			  unsigned density, int chains, const char *path,
			  void (*check)(mt_graph *g, unsigned *seed, void *data),
			  void *data)
{
	tg_edge *e = malloc(sizeof *e * maxn * (density + 4));
	uint64_t *sizes = malloc(sizeof *sizes * maxn);
	uint32_t roots[4];
	assert_non_null(e);
	assert_non_null(sizes);
	for (int it = 0; it < count; it++) {
		uint32_t n = 1 + (uint32_t)rand_r(&seed) % maxn;
		size_t ne = 0;
		for (uint32_t i = 0; i < n; i++)
			sizes[i] = 1 + (uint64_t)(rand_r(&seed) % 1000);
		if (chains)
			for (uint32_t i = 0; i + 1 < n; i++)
				if (rand_r(&seed) % 4)
					e[ne++] = (tg_edge){i, i + 1, 0, 0};
		size_t extra = (size_t)n * density / 4;
		for (size_t k = 0; k < extra; k++) {
			uint32_t a = (uint32_t)rand_r(&seed) % n;
			uint32_t b = (uint32_t)rand_r(&seed) % n;
			if (chains && rand_r(&seed) % 2) /* back edge: cycles */
				b = a ? (uint32_t)rand_r(&seed) % a : 0;
			e[ne++] = (tg_edge){a, b, 0, 0};
		}
		size_t nroots = 1 + (size_t)rand_r(&seed) % 3;
		for (size_t r = 0; r < nroots; r++)
			roots[r] = (uint32_t)rand_r(&seed) % n;
		tg_graph tg = {.n = n, .sizes = sizes, .edges = e, .nedges = ne,
			       .roots = roots, .nroots = nroots};
		tg_write(path, &tg, NULL);
		mt_graph *g = tg_load(path);
		check(g, &seed, data);
		mt_graph_free(g);
	}
	free(e);
	free(sizes);
}

void tg_vroot_children(const mt_graph *g, uint8_t *child)
{
	uint32_t n = mt_graph_count(g);
	uint8_t *seen = calloc(n + 1, 1);
	uint32_t *q = malloc((n + 1) * sizeof *q);
	const mt_edge *roots;
	size_t nroots, qh = 0, qt = 0;
	memset(child, 0, n);
	mt_graph_roots(g, &roots, &nroots);
	for (size_t i = 0; i < nroots; i++) {
		child[roots[i].target] = 1;
		if (!seen[roots[i].target]) {
			seen[roots[i].target] = 1;
			q[qt++] = roots[i].target;
		}
	}
	for (uint32_t start = 0;; start++) {
		while (qh < qt) {
			uint32_t v = q[qh++], first, cnt;
			mt_graph_out(g, v, &first, &cnt);
			for (uint32_t e = first; e < first + cnt; e++) {
				uint32_t w = mt_graph_edge_target(g, e);
				if (!seen[w]) {
					seen[w] = 1;
					q[qt++] = w;
				}
			}
		}
		while (start < n && seen[start])
			start++;
		if (start >= n)
			break;
		child[start] = 1;
		seen[start] = 1;
		q[qt++] = start;
	}
	free(seen);
	free(q);
}

mt_set *tg_set(const uint32_t *ids, size_t n)
{
	mt_set *s;
	mt_err err;
	assert_int_equal(mt_set_from_ids(&s, ids, n, &err), MT_OK);
	return s;
}
