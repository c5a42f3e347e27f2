/* Load benchmark: loads a dump with the graph library and prints figures.
 *
 *   bench/bench_load DUMP.mp
 *
 * Prints "name: value" lines: load_seconds, load_objects_per_s,
 * load_cpu_seconds and load_objects_per_cpu_s (the process's CPU time, a
 * steadier figure than wall time on a loaded machine),
 * graph_bytes_per_object (what mt_graph_memory accounts: arrays, previews,
 * names), graph_rss_bytes_per_object (resident memory after the load minus
 * before, per object: what the process really pays once the file is
 * unmapped), load_peak_rss_bytes_per_object (peak during the load, the pages of the
 * mapping still resident included), and load_phase_seconds: the wall time of
 * the record stream and of the six passes after it (the loader's progress
 * reports: the stream on the first seven eighths of the file's length, each
 * pass on a sixth of the last eighth; a pass too short to report shows 0),
 * and load_longest_still_seconds: the longest wait between two reports that
 * move the browser's loading line (a tenth of a percent).
 * A program, not a test: it asserts nothing. */
#include "config.h"

#include "benchutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "memtrack/graph.h"

/* first time the progress passed each phase's start: [0] the stream,
 * [1..6] finish()'s passes (graph.c, finish_tick) */
static double phase_at[7];

/* the longest wait between two reports that move the browser's loading
 * line (its tenth of a percent changes), and where it ended */
static double last_move, longest_still;
static int last_pm = -1, still_at = -1;

static int on_progress(void *data, uint64_t done, uint64_t total)
{
	(void)data;
	int pm = total ? (int)(done * 1000 / total) : 0;
	if (pm != last_pm) {
		double now = bench_now();
		if (last_pm >= 0 && now - last_move > longest_still) {
			longest_still = now - last_move;
			still_at = pm;
		}
		last_move = now;
		last_pm = pm;
	}
	double eighth = (double)(total - (total - total / 8));
	double from = (double)(total - total / 8);
	for (int p = 1; p < 7; p++)
		if (!phase_at[p] && (double)done >= from + eighth / 6 * (p - 1))
			phase_at[p] = bench_now();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DUMP.mp\n", argv[0]);
		return 2;
	}
	FILE *f = fopen("/proc/self/clear_refs", "w");
	if (f) {
		fputs("5", f); /* reset VmHWM */
		fclose(f);
	}
	long before = bench_status_kib("VmRSS");
	mt_graph *g;
	mt_err err;
	struct timespec c0, c1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	double t0 = bench_now();
	phase_at[0] = t0;
	if (mt_graph_load(&g, argv[1], on_progress, NULL, &err) != MT_OK) {
		char line[400];
		mt_err_format(&err, line, sizeof line);
		fprintf(stderr, "bench_load: %s: %s\n", argv[1], line);
		return 1;
	}
	double t = bench_now() - t0;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	double cpu = (double)(c1.tv_sec - c0.tv_sec) +
		     (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
	long after = bench_status_kib("VmRSS"), peak = bench_status_kib("VmHWM");
	double n = mt_graph_count(g);
	printf("objects: %u\n", mt_graph_count(g));
	printf("edges: %u\n", mt_graph_edge_count(g));
	printf("load_seconds: %.3f\n", t);
	printf("load_objects_per_s: %.0f\n", n / t);
	printf("load_cpu_seconds: %.3f\n", cpu);
	printf("load_objects_per_cpu_s: %.0f\n", n / cpu);
	printf("graph_bytes_per_object: %.1f\n", (double)mt_graph_memory(g) / n);
	printf("graph_rss_bytes_per_object: %.1f\n",
	       (double)(after - before) * 1024.0 / n);
	printf("load_peak_rss_bytes_per_object: %.1f\n",
	       (double)(peak - before) * 1024.0 / n);
	static const char *const phase[] = {
		"stream", "check", "type_count", "type_place", "in_count",
		"in_starts", "in_place"};
	double end = t0 + t;
	printf("load_phase_seconds:");
	for (int p = 0; p < 7; p++) {
		double next = end;
		for (int q = p + 1; q < 7; q++)
			if (phase_at[q]) {
				next = phase_at[q];
				break;
			}
		printf(" %s %.3f", phase[p],
		       phase_at[p] ? next - phase_at[p] : 0.0);
	}
	printf("\n");
	printf("load_longest_still_seconds: %.3f (ending at %d.%d%%)\n",
	       longest_still, still_at / 10, still_at % 10);
	mt_graph_free(g);
	return 0;
}
