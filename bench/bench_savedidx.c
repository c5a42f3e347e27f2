/* Saved-index benchmark (savedidx.h): what a saved index saves on a
 * second open, phase by phase.
 *
 *   bench/bench_savedidx DUMP.mp [INDEX]
 *
 * Loads the dump (load_seconds, load_cpu_seconds), builds the dominator
 * tree (build_seconds, build_cpu_seconds), saves it to INDEX (default
 * DUMP.mp.mtidx.bench, replaced; save_seconds including the fsync,
 * save_cpu_seconds, index_bytes_per_object), then reads it back twice
 * (reuse_seconds, reuse_cpu_seconds: the checks and the content's checksum;
 * the second run has the file in the page cache as a second open would)
 * and compares every object's figures with the built tree (same: yes/no).
 * The index is removed at the end.  Prints "name: value" lines.  A
 * program, not a test: it asserts nothing. */
#include "config.h"

#include "benchutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "memtrack/dominator.h"
#include "memtrack/graph.h"
#include "memtrack/savedidx.h"

static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int fail(const char *what, const mt_err *err)
{
	char buf[300];
	mt_err_format(err, buf, sizeof buf);
	fprintf(stderr, "bench_savedidx: %s: %s\n", what, buf);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: %s DUMP.mp [INDEX]\n", argv[0]);
		return 2;
	}
	char *idx = argc == 3 ? strdup(argv[2]) : NULL;
	if (!idx) {
		idx = malloc(strlen(argv[1]) + 32);
		if (!idx)
			return 1;
		sprintf(idx, "%s.mtidx.bench", argv[1]);
	}
	mt_savedidx_key key;
	mt_graph *g;
	mt_domtree *t, *u;
	mt_err err;
	if (mt_savedidx_probe(argv[1], &key, &err) != MT_OK)
		return fail("probe", &err);
	double w = bench_now(), c = cpu_now();
	if (mt_graph_load(&g, argv[1], NULL, NULL, &err) != MT_OK)
		return fail("load", &err);
	uint32_t n = mt_graph_count(g);
	printf("objects: %u\nedges: %u\n", n, mt_graph_edge_count(g));
	printf("load_seconds: %.3f\nload_cpu_seconds: %.3f\n", bench_now() - w,
	       cpu_now() - c);
	w = bench_now();
	c = cpu_now();
	if (mt_domtree_build(&t, g, NULL, NULL, &err) != MT_OK)
		return fail("build", &err);
	printf("build_seconds: %.3f\nbuild_cpu_seconds: %.3f\n",
	       bench_now() - w, cpu_now() - c);
	unlink(idx);
	w = bench_now();
	c = cpu_now();
	if (mt_savedidx_save(idx, &key, g, t, NULL, NULL, &err) != MT_OK)
		return fail("save", &err);
	printf("save_seconds: %.3f\nsave_cpu_seconds: %.3f\n", bench_now() - w,
	       cpu_now() - c);
	printf("index_bytes_per_object: %.1f\n",
	       n ? (128.0 + 12.0 * n) / n : 0.0);
	for (int run = 1; run <= 2; run++) {
		w = bench_now();
		c = cpu_now();
		if (mt_savedidx_load(idx, &key, g, &u, NULL, NULL, &err) !=
		    MT_OK)
			return fail("reuse", &err);
		printf("reuse%d_seconds: %.3f\nreuse%d_cpu_seconds: %.3f\n",
		       run, bench_now() - w, run, cpu_now() - c);
		if (run == 2) {
			bool same = mt_domtree_total(t) == mt_domtree_total(u);
			for (uint32_t i = 0; i < n && same; i++)
				same = mt_domtree_idom(t, i) ==
					   mt_domtree_idom(u, i) &&
				       mt_domtree_retained(t, i) ==
					   mt_domtree_retained(u, i);
			printf("same: %s\n", same ? "yes" : "no");
		}
		mt_domtree_free(u);
	}
	unlink(idx);
	free(idx);
	mt_domtree_free(t);
	mt_graph_free(g);
	return 0;
}
