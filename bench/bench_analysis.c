/* Analysis benchmark: times the heavy queries on one dump and prints
 * figures (a program, not a test; it asserts nothing).
 *
 *   bench/bench_analysis DUMP.mp [CLASSIFIER...]
 *
 * For each step: seconds, resident bytes per object after it (VmRSS) and
 * the peak so far (VmHWM).  Steps: load; partitions of the whole heap by
 * the classifiers named (clodo, type, rcs and via by default) as the
 * partition view makes them (the kinds through a context, with its
 * progress, then the rows), each with its CPU time and longest wait
 * between progress reports, the resident bytes, and the resident bytes
 * once partition, classifier and context are freed (what the allocator
 * kept); the full dominator tree with retained
 * sizes; domisize of a 100k-object set (the 100k largest-id objects of the
 * reachable part, a spread-out set); one shortest-path query (to the
 * object with the highest reachable id, the deepest the BFS goes).
 *
 * Then what the browser does on a big heap (issue 13), each step with its
 * CPU time too and the longest wait between two progress reports:
 *   - the dominance context (the virtual root's children);
 *   - the heap by clodo as the partition view makes it (the kind of every
 *     object, the rows from the kinds), the Retained figures of its first
 *     page (PAGE rows) and "all" row in one pass
 *     (mt_dominance_domisize_kinds), then of the second page (or the same
 *     again when there is one page: warm); then the first 3 rows again
 *     one domisize each (the way before, for the ratio; the figures must
 *     be equal: "exact" says so);
 *   - a re-partition of the whole heap by type: the kinds, the rows and
 *     the first page's Retained;
 *   - R on the biggest row by type: its set, its referrers, their kinds by
 *     clodo, the rows and the first page's Retained.
 * As the browser does, kinds are kept as uint16 when every kind fits
 * (written so by mt_kinds_out), and the page pass's
 * scratch memory is given back before a new view's kinds are made
 * (mt_dominance_trim). */
#include "config.h"

#include "benchutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "memtrack/ctx.h"
#include "memtrack/dominance.h"
#include "memtrack/dominator.h"
#include "memtrack/graph.h"
#include "memtrack/navigate.h"
#include "memtrack/partition.h"
#include "memtrack/paths.h"
#include "memtrack/set.h"

enum { PAGE = 40 };

static long base_kib;
static double objects;

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char *step, double t)
{
	printf("%-22s %8.3f s   rss %6.1f B/obj   peak %6.1f B/obj\n", step, t,
	       (double)(bench_status_kib("VmRSS") - base_kib) * 1024.0 / objects,
	       (double)(bench_status_kib("VmHWM") - base_kib) * 1024.0 / objects);
	fflush(stdout);
}

/* The browser-side steps: wall and CPU seconds since the step's start,
 * the longest wait between progress reports (or since the start: the
 * step's own length when it reports nothing). */
static double step_wall, step_cpu, last_tick, max_gap;

static void step_start(void)
{
	step_wall = last_tick = bench_now();
	step_cpu = cpu_now();
	max_gap = 0;
}

static int tick(void *data, uint64_t done, uint64_t total)
{
	double now = bench_now();
	(void)data;
	(void)done;
	(void)total;
	if (now - last_tick > max_gap)
		max_gap = now - last_tick;
	last_tick = now;
	return 0;
}

static int ctx_tick(void *data, const char *what, uint64_t done,
		    uint64_t total)
{
	(void)what;
	return tick(data, done, total);
}

static double step_report(const char *step)
{
	double wall = bench_now() - step_wall;
	tick(NULL, 0, 0);
	printf("%-30s %8.3f s   cpu %8.3f s   longest gap %6.3f s   peak "
	       "%6.1f B/obj\n",
	       step, wall, cpu_now() - step_cpu, max_gap,
	       (double)(bench_status_kib("VmHWM") - base_kib) * 1024.0 /
		   objects);
	fflush(stdout);
	return wall;
}

/* Rows [from, from+PAGE) of p: their kinds into want; the count. */
static size_t page_of(const mt_partition *p, size_t from, uint32_t *want)
{
	size_t k = 0;
	for (size_t i = from; i < mt_partition_nrows(p) && k < PAGE; i++)
		want[k++] = mt_partition_row_at(p, i)->kind;
	return k;
}

/* A view's kinds as the browser keeps them: uint16 when every kind fits
 * (k16, written so: mt_kinds_out), else uint32 (k32). */
typedef struct {
	uint32_t *k32;
	uint16_t *k16;
} kinds_t;

static uint32_t kind_at(kinds_t k, size_t j)
{
	return k.k16 ? k.k16[j] : k.k32[j];
}

static void kinds_free(kinds_t k)
{
	mt_big_free(k.k16);
	mt_big_free(k.k32);
}

static mt_status partition_of(mt_partition **p, mt_classifier *c,
			      const uint32_t *ids, kinds_t k, size_t n,
			      mt_err *err)
{
	return k.k16 ? mt_partition_from_kinds16(p, c, ids, k.k16, n, tick,
						 NULL, err)
		     : mt_partition_from_kinds(p, c, ids, k.k32, n, tick, NULL,
					       err);
}

static mt_status page_pass(mt_dominance *d, const uint32_t *ids, kinds_t k,
			   size_t n, const uint32_t *want, size_t nw,
			   uint64_t *sizes, uint64_t *every, mt_progress_fn cb,
			   mt_err *err)
{
	return k.k16 ? mt_dominance_domisize_kinds16(d, ids, k.k16, n, want,
						     nw, sizes, every, cb,
						     NULL, err)
		     : mt_dominance_domisize_kinds(d, ids, k.k32, n, want, nw,
						   sizes, every, cb, NULL,
						   err);
}

/* The same rows' minimum retained sizes (the browser's bounds). */
static mt_status bound_pass(mt_dominance *d, const uint32_t *ids, kinds_t k,
			    size_t n, const uint32_t *want, size_t nw,
			    uint64_t *sizes, uint64_t *every,
			    mt_progress_fn cb, mt_err *err)
{
	return mt_dominance_minretained_kinds(d, ids, k.k16 ? NULL : k.k32,
					      k.k16, n, want, nw, sizes,
					      every, cb, NULL, err);
}

/* How many of the k bounds equal the exact figures, and the bounds'
 * share of the exact figures' total. */
static void bounds_line(const uint64_t *bound, const uint64_t *exact,
			size_t k)
{
	size_t eq = 0;
	double b = 0, e = 0;
	for (size_t i = 0; i < k; i++) {
		eq += bound[i] == exact[i];
		if (bound[i] > exact[i])
			printf("  BOUND ABOVE EXACT on row %zu\n", i);
		b += (double)bound[i];
		e += (double)exact[i];
	}
	printf("  (bounds: %zu of %zu rows exact; %.1f%% of the exact "
	       "total)\n",
	       eq, k, e > 0 ? 100.0 * b / e : 100.0);
}

/* The members of ids[0..n) (NULL: 0..n-1) of kind `kind`, a new set. */
static mt_set *row_set(const uint32_t *ids, kinds_t kinds, size_t n,
		       uint32_t kind, uint64_t count)
{
	uint32_t *sel = malloc((count ? count : 1) * sizeof *sel);
	size_t m = 0;
	mt_set *s;
	mt_err err;
	for (size_t j = 0; j < n && m < count; j++)
		if (kind_at(kinds, j) == kind)
			sel[m++] = ids ? ids[j] : (uint32_t)j;
	if (mt_set_adopt(&s, sel, m, &err))
		return NULL;
	return s;
}

static int browser_steps(mt_graph *g, const mt_domtree *t);

static int die(const char *what, const mt_err *err)
{
	char line[400];
	mt_err_format(err, line, sizeof line);
	fprintf(stderr, "bench_analysis: %s: %s\n", what, line);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DUMP.mp [CLASSIFIER...]\n", argv[0]);
		return 2;
	}
	mt_err err;
	base_kib = bench_status_kib("VmRSS");
	double t0 = bench_now();
	mt_graph *g;
	if (mt_graph_load(&g, argv[1], NULL, NULL, &err))
		return die("load", &err);
	objects = mt_graph_count(g);
	mt_big_keep(10 * (size_t)objects); /* as the browser does (main.c) */
	printf("objects: %u  edges: %u\n", mt_graph_count(g),
	       mt_graph_edge_count(g));
	report("load", bench_now() - t0);

	static const char *const defaults[] = {"clodo", "type", "rcs", "via"};
	const char *const *parts =
	    argc > 2 ? (const char *const *)argv + 2 : defaults;
	size_t nparts = argc > 2 ? (size_t)argc - 2 : 4;
	mt_ctx *ctx;
	if (mt_ctx_new(&ctx, g, &err))
		return die("context", &err);
	mt_ctx_set_progress(ctx, ctx_tick, NULL);
	for (size_t i = 0; i < nparts; i++) {
		mt_classifier *c;
		mt_partition *p;
		kinds_t pk;
		char name[48];
		/* as the partition view makes it: the kinds through the
		 * context (its progress), then the rows */
		step_start();
		if (mt_ctx_classifier(ctx, parts[i], &c, &err) ||
		    mt_ctx_classify_all(ctx, c, &pk.k32, &pk.k16, &err))
			return die(parts[i], &err);
		snprintf(name, sizeof name, "partition by %s: kinds", parts[i]);
		step_report(name);
		step_start();
		if (partition_of(&p, c, NULL, pk, mt_graph_count(g), &err))
			return die(parts[i], &err);
		step_report("  the rows from the kinds");
		printf("  (%zu rows)\n", mt_partition_nrows(p));
		report("  resident", 0.0);
		kinds_free(pk);
		mt_partition_free(p);
		mt_classifier_unref(c);
		mt_ctx_free(ctx);
		if (mt_ctx_new(&ctx, g, &err))
			return die("context", &err);
		mt_ctx_set_progress(ctx, ctx_tick, NULL);
		report("  after free", 0.0);
	}
	mt_ctx_free(ctx);

	mt_big_release(0); /* as the browser does before the tree's build */
	t0 = bench_now();
	mt_domtree *t;
	if (mt_domtree_build(&t, g, NULL, NULL, &err))
		return die("dominator tree", &err);
	report("dominator tree", bench_now() - t0);

	uint32_t r = mt_graph_reachable(g);
	uint32_t k = r < 100000 ? r : 100000;
	uint32_t *ids = malloc((k ? k : 1) * sizeof *ids);
	for (uint32_t i = 0; i < k; i++)
		ids[i] = r - k + i;
	mt_set *x, *target;
	mt_set_adopt(&x, ids, k, &err);
	mt_dominance *d;
	uint64_t size;
	t0 = bench_now();
	if (mt_dominance_new(&d, g, NULL, &err) ||
	    mt_dominance_domisize(d, x, &size, &err))
		return die("domisize", &err);
	report("domisize of 100k", bench_now() - t0);

	uint32_t last = r ? r - 1 : 0;
	mt_set_from_ids(&target, &last, 1, &err);
	mt_paths *p;
	t0 = bench_now();
	if (mt_paths_sp(&p, g, target, &err))
		return die("sp", &err);
	report("one shortest path", bench_now() - t0);
	printf("resident after all: %.1f bytes/object (graph %.1f + "
	       "dominator tree %.1f)\n",
	       (double)(bench_status_kib("VmRSS") - base_kib) * 1024.0 / objects,
	       (double)mt_graph_memory(g) / objects,
	       (double)mt_domtree_memory(t) / objects);
	mt_paths_free(p);
	mt_set_unref(target);
	mt_dominance_free(d);
	mt_set_unref(x);
	if (browser_steps(g, t))
		return 1;
	mt_domtree_free(t);
	mt_graph_free(g);
	return 0;
}

static int browser_steps(mt_graph *g, const mt_domtree *t)
{
	mt_err err;
	mt_dominance *d;
	mt_classifier *clodo, *type;
	mt_partition *p, *tp;
	uint32_t want[PAGE];
	kinds_t kinds, tkinds;
	mt_ctx *ctx; /* for its classify_all, with its progress */
	if (mt_ctx_new(&ctx, g, &err))
		return die("context", &err);
	mt_ctx_set_progress(ctx, ctx_tick, NULL);
	uint64_t sizes[PAGE], bsizes[PAGE];
	size_t n = mt_graph_count(g);
	int exact = 1;

	step_start();
	if (mt_dominance_new_progress(&d, g, t, tick, NULL, &err))
		return die("dominance", &err);
	step_report("dominance context");

	/* the first screen: the heap by clodo, as the partition view makes
	 * it (one classification pass: the kinds, the rows from them), and
	 * the Retained of its first page and "all" row in one pass */
	uint64_t every;
	step_start();
	if (mt_classifier_new_named(&clodo, g, "clodo", &err) ||
	    mt_ctx_classify_all(ctx, clodo, &kinds.k32, &kinds.k16, &err))
		return die("clodo", &err);
	if (partition_of(&p, clodo, NULL, kinds, n, &err))
		return die("clodo", &err);
	step_report("partition by clodo (kinds)");
	/* the second time is warm (the pass keeps its scratch memory); a
	 * partition of one page only does the same page again */
	int two = mt_partition_nrows(p) > PAGE;
	for (int pg = 0; pg < 2; pg++) {
		size_t k = page_of(p, (size_t)(pg && two) * PAGE, want);
		step_start();
		if (bound_pass(d, NULL, kinds, n, want, k, bsizes, NULL, tick,
			       &err))
			return die("bounds", &err);
		step_report(!pg ? "  first page's bounds"
			    : two ? "  next page's bounds"
				  : "  same page's bounds again");
		step_start();
		if (page_pass(d, NULL, kinds, n, want, k, sizes,
			      pg ? NULL : &every, tick, &err))
			return die("page", &err);
		step_report(!pg ? "  first page's Retained"
			    : two ? "  next page's Retained"
				  : "  same page again");
		bounds_line(bsizes, sizes, k);
	}
	/* the way before: one domisize a row */
	page_of(p, 0, want);
	double one = 0;
	size_t nrow = mt_partition_nrows(p) < 3 ? mt_partition_nrows(p) : 3;
	if (page_pass(d, NULL, kinds, n, want, nrow, sizes, NULL, NULL, &err))
		return die("page", &err);
	for (size_t i = 0; i < nrow; i++) {
		const mt_partition_row *r = mt_partition_row_at(p, i);
		mt_set *s = row_set(NULL, kinds, n, r->kind, r->count);
		uint64_t sz;
		if (!s)
			return die("row set", &err);
		step_start();
		if (mt_dominance_domisize(d, s, &sz, &err))
			return die("domisize", &err);
		one += bench_now() - step_wall;
		exact &= sz == sizes[i];
		mt_set_unref(s);
	}
	printf("%-30s %8.3f s   (a row, %zu rows; the one pass equals them: "
	       "%s)\n",
	       "  one domisize a row (before)", nrow ? one / (double)nrow : 0,
	       nrow, exact ? "exact" : "MISMATCH");

	/* re-partition by type */
	double total = 0;
	step_start();
	mt_dominance_trim(d); /* the browser's member_kinds does */
	if (mt_classifier_new_named(&type, g, "type", &err) ||
	    mt_ctx_classify_all(ctx, type, &tkinds.k32, &tkinds.k16, &err))
		return die("type", &err);
	total += step_report("re-partition by type: kinds");
	step_start();
	if (partition_of(&tp, type, NULL, tkinds, n, &err))
		return die("type", &err);
	total += step_report("  the rows from the kinds");
	size_t k = page_of(tp, 0, want);
	step_start();
	if (bound_pass(d, NULL, tkinds, n, want, k, bsizes, NULL, tick, &err))
		return die("bounds", &err);
	double bt = step_report("  first page's bounds");
	step_start();
	if (page_pass(d, NULL, tkinds, n, want, k, sizes, &every, tick, &err))
		return die("page", &err);
	double ex = step_report("  first page's Retained");
	total += ex;
	bounds_line(bsizes, sizes, k);
	printf("%-30s %8.3f s   (with bounds instead: %.3f s)\n",
	       "  re-partition in all", total, total - ex + bt);

	/* R on the biggest row by type */
	const mt_partition_row *big = mt_partition_row_at(tp, 0);
	mt_set *row, *refs;
	mt_partition *rp;
	total = 0;
	printf("R on row 0 by type (%s): %llu objects\n", big->label,
	       (unsigned long long)big->count);
	step_start();
	mt_dominance_trim(d); /* bv_target does: a new view is coming, */
	mt_big_release(4 * n); /* its set made first; its masks' pages
				  stay (MT_BROWSER_KEEP_NEW) */
	row = row_set(NULL, tkinds, n, big->kind, big->count);
	if (!row)
		return die("row", &err);
	total += step_report("  the row's set");
	step_start();
	if (mt_nav_referrers(g, row, &refs, &err))
		return die("referrers", &err);
	total += step_report("  referrers");
	printf("  (%zu referrers)\n", mt_set_count(refs));
	step_start();
	size_t nr = mt_set_count(refs);
	mt_kinds_out rk;
	kinds_t rkinds;
	if (mt_kinds_out_init(&rk, nr, true, &err))
		return die("their kinds", &err);
	for (size_t j = 0; j < nr; j++) {
		uint32_t kind;
		if (!(j & 0xffff))
			tick(NULL, j, nr);
		if (mt_classifier_classify(clodo, mt_set_ids(refs)[j], &kind,
					   &err))
			return die("classify", &err);
		mt_kinds_out_put(&rk, j, kind);
	}
	mt_kinds_out_take(&rk, &rkinds.k32, &rkinds.k16);
	total += step_report("  their kinds by clodo");
	step_start();
	if (partition_of(&rp, clodo, mt_set_ids(refs), rkinds, nr, &err))
		return die("partition", &err);
	total += step_report("  the rows from the kinds");
	k = page_of(rp, 0, want);
	step_start();
	if (bound_pass(d, mt_set_ids(refs), rkinds, nr, want, k, bsizes, NULL,
		       tick, &err))
		return die("bounds", &err);
	bt = step_report("  first page's bounds");
	step_start();
	if (page_pass(d, mt_set_ids(refs), rkinds, nr, want, k, sizes, &every,
		      tick, &err))
		return die("page", &err);
	ex = step_report("  first page's Retained");
	total += ex;
	bounds_line(bsizes, sizes, k);
	printf("%-30s %8.3f s   (with bounds instead: %.3f s)\n", "  R in all",
	       total, total - ex + bt);

	kinds_free(rkinds);
	mt_partition_free(rp);
	mt_set_unref(refs);
	mt_set_unref(row);
	kinds_free(tkinds);
	mt_partition_free(tp);
	mt_classifier_free(type);
	kinds_free(kinds);
	mt_partition_free(p);
	mt_classifier_free(clodo);
	mt_dominance_free(d);
	mt_ctx_free(ctx);
	return 0;
}
