/* Analysis benchmark: times the heavy queries on one dump and prints
 * figures (a program, not a test; it asserts nothing).
 *
 *   bench/bench_analysis DUMP.mp [CLASSIFIER...]
 *
 * For each step: seconds, resident bytes per object after it (VmRSS) and
 * the peak so far (VmHWM).  Steps: load; partitions of the whole heap by
 * the classifiers named (clodo, type, rcs and via by default), each
 * followed by the resident bytes once partition and classifier are freed
 * (what the allocator kept); the full dominator tree with retained
 * sizes; domisize of a 100k-object set (the 100k largest-id objects of the
 * reachable part, a spread-out set); one shortest-path query (to the
 * object with the highest reachable id, the deepest the BFS goes). */
#include "config.h"

#include "benchutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "memtrack/dominance.h"
#include "memtrack/dominator.h"
#include "memtrack/graph.h"
#include "memtrack/partition.h"
#include "memtrack/paths.h"
#include "memtrack/set.h"

static long base_kib;
static double objects;

static void report(const char *step, double t)
{
	printf("%-22s %8.3f s   rss %6.1f B/obj   peak %6.1f B/obj\n", step, t,
	       (double)(bench_status_kib("VmRSS") - base_kib) * 1024.0 / objects,
	       (double)(bench_status_kib("VmHWM") - base_kib) * 1024.0 / objects);
	fflush(stdout);
}

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
	printf("objects: %u  edges: %u\n", mt_graph_count(g),
	       mt_graph_edge_count(g));
	report("load", bench_now() - t0);

	static const char *const defaults[] = {"clodo", "type", "rcs", "via"};
	const char *const *parts =
	    argc > 2 ? (const char *const *)argv + 2 : defaults;
	size_t nparts = argc > 2 ? (size_t)argc - 2 : 4;
	for (size_t i = 0; i < nparts; i++) {
		mt_classifier *c;
		mt_partition *p;
		t0 = bench_now();
		if (mt_classifier_new_named(&c, g, parts[i], &err) ||
		    mt_partition_new(&p, c, NULL, 0, &err))
			return die(parts[i], &err);
		char name[40];
		snprintf(name, sizeof name, "partition by %s", parts[i]);
		report(name, bench_now() - t0);
		mt_partition_free(p);
		mt_classifier_free(c);
		report("  after free", 0.0);
	}

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
	mt_domtree_free(t);
	mt_graph_free(g);
	return 0;
}
