/* Comparison benchmark: two dumps loaded and the first comparison screen
 * drawn through the browser core headless (memtrack-tui OLD NEW), against
 * one dump's browser; prints figures (a program, not a test).
 *
 *   bench/bench_compare OLD.mp NEW.mp
 *
 * First, in a child process, one dump (NEW) as memtrack-tui NEW opens it:
 * load, the start view, the first draw (with the Retained figures), and
 * the peak resident memory over the baseline before loading (VmHWM).  Then,
 * in this process, both dumps: each load, mt_browser_new_multi (identity
 * when the dumps come from one process, the difference table of the start
 * view), the first draw at 120x40 (two panes; ΔRetained builds both
 * dominator trees), the time from nothing to the drawn screen, and the
 * peak; the same view and draw without Retained figures.  Then identity
 * alone (mt_match_new on the loaded graphs), the mean of 3.  Ratios: the
 * time over the target, the comparison's peak over one dump's.  Targets
 * (issue 10): both loaded and the first screen drawn within 2 s at 5M
 * objects a dump, at most twice one dump's memory.  Each step prints its
 * wall and CPU seconds (the machine is shared). */
#include "config.h"

#include "benchutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "browser.h"
#include "memtrack/diff.h"
#include "memtrack/graph.h"

/* a silent ui: 120x40, no input, never cancels */
static void b_size(mt_ui *ui, int *r, int *c)
{
	(void)ui;
	*r = 40;
	*c = 120;
}
static void b_draw(mt_ui *ui, const mt_screen *s)
{
	(void)ui;
	(void)s;
}
static int b_getkey(mt_ui *ui)
{
	(void)ui;
	return MT_KEY_EOF;
}
static char *b_readline(mt_ui *ui, const char *p, const char *h,
			char *(*c)(void *, const char *, int), void *d,
			void (*changed)(void *, const char *))
{
	(void)ui, (void)p, (void)h, (void)c, (void)d, (void)changed;
	return NULL;
}
static bool b_progress(mt_ui *ui, const char *l, uint64_t d, uint64_t t)
{
	(void)ui, (void)l, (void)d, (void)t;
	return false;
}
static void b_beep(mt_ui *ui) { (void)ui; }

static mt_ui ui = {b_size,     b_draw, b_getkey, b_readline,
		   b_progress, b_beep, NULL};

/* Wall and CPU seconds: the machine is shared, so wall times vary with
 * its load; CPU times much less. */
typedef struct clk {
	double wall, cpu;
} clk;

static clk now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (clk){bench_now(), (double)ts.tv_sec + (double)ts.tv_nsec / 1e9};
}

/* Prints the time since *t0 (divided by n); resets *t0 when lap. */
static void step(const char *what, clk *t0, int n, bool lap)
{
	clk t = now();
	printf("%-44s %8.3f s  (cpu %.3f s)\n", what, (t.wall - t0->wall) / n,
	       (t.cpu - t0->cpu) / n);
	fflush(stdout);
	if (lap)
		*t0 = t;
}

static void reset_peak(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	if (f) {
		fputs("5", f); /* VmHWM := VmRSS */
		fclose(f);
	}
}

static mt_graph *load(const char *file)
{
	mt_graph *g;
	mt_err err;
	if (mt_graph_load(&g, file, NULL, NULL, &err) != MT_OK) {
		char buf[300];
		mt_err_format(&err, buf, sizeof buf);
		fprintf(stderr, "bench_compare: %s: %s\n", file, buf);
		exit(1);
	}
	return g;
}

/* The child: one dump as memtrack-tui opens it; writes its peak (KiB over
 * the baseline) to fd. */
static void one_dump(const char *file, int fd)
{
	reset_peak();
	long base = bench_status_kib("VmRSS");
	clk t0 = now();
	mt_graph *g = load(file);
	mt_browser *b;
	mt_err err;
	if (mt_browser_new(&b, g, &ui, NULL, &err) != MT_OK) {
		fprintf(stderr, "bench_compare: browser failed\n");
		exit(1);
	}
	mt_browser_draw(b);
	long peak = bench_status_kib("VmHWM") - base;
	printf("one dump: %u objects\n", mt_graph_count(g));
	step("  load, start view, first draw", &t0, 1, false);
	printf("  peak %.1f MB (%.1f B/obj)\n", peak / 1024.0,
	       peak * 1024.0 / mt_graph_count(g));
	fflush(stdout);
	if (write(fd, &peak, sizeof peak) != (ssize_t)sizeof peak)
		exit(1);
	mt_browser_free(b);
	mt_graph_free(g);
	exit(0);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s OLD.mp NEW.mp\n", argv[0]);
		return 2;
	}
	int fds[2];
	if (pipe(fds)) {
		perror("bench_compare: pipe");
		return 1;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("bench_compare: fork");
		return 1;
	}
	if (pid == 0) {
		close(fds[0]);
		one_dump(argv[2], fds[1]);
	}
	close(fds[1]);
	long one = 0;
	int status;
	if (read(fds[0], &one, sizeof one) != (ssize_t)sizeof one ||
	    waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "bench_compare: the one-dump run failed\n");
		return 1;
	}
	close(fds[0]);

	reset_peak();
	long base = bench_status_kib("VmRSS");
	clk start = now(), t0 = start;
	const mt_graph *gs[2];
	mt_graph *old = load(argv[1]);
	step("load OLD", &t0, 1, true);
	mt_graph *new_ = load(argv[2]);
	step("load NEW", &t0, 1, true);
	gs[0] = old;
	gs[1] = new_;
	double n = (double)mt_graph_count(old) + mt_graph_count(new_);
	printf("objects: %u + %u\n", mt_graph_count(old), mt_graph_count(new_));
	const char *files[] = {argv[1], argv[2]};
	mt_browser_opts opts = {.files = files};
	mt_browser *b;
	mt_err err;
	if (mt_browser_new_multi(&b, gs, 2, &ui, &opts, &err) != MT_OK) {
		char buf[300];
		mt_err_format(&err, buf, sizeof buf);
		fprintf(stderr, "bench_compare: browser: %s\n", buf);
		return 1;
	}
	step("comparison view (identity, diff table)", &t0, 1, true);
	mt_browser_draw(b);
	step("first draw (both dominator trees)", &t0, 1, true);
	double total = t0.wall - start.wall;
	step("both loaded and the first screen drawn", &start, 1, false);
	long peak = bench_status_kib("VmHWM") - base;
	long rss = bench_status_kib("VmRSS") - base;
	printf("  rss %.1f MB, peak %.1f MB (%.1f B/obj of both dumps)\n",
	       rss / 1024.0, peak / 1024.0, peak * 1024.0 / n);
	mt_browser_free(b);

	/* the same screen without ΔRetained (mt_browser_opts.no_retained),
	 * to tell the draw's parts apart */
	t0 = now();
	opts.no_retained = true;
	if (mt_browser_new_multi(&b, gs, 2, &ui, &opts, &err) != MT_OK)
		return 1;
	mt_browser_draw(b);
	step("view and first draw without Retained", &t0, 1, true);
	mt_browser_free(b);

	mt_match *m = NULL;
	t0 = now();
	for (int i = 0; i < 3; i++) {
		mt_match_free(m);
		if (mt_match_new(&m, old, new_, &err) != MT_OK) {
			m = NULL;
			printf("identity: none (different processes)\n");
			break;
		}
	}
	if (m) {
		step("identity alone (mt_match_new, mean of 3)", &t0, 3, true);
		mt_match_free(m);
	}
	printf("ratio: time %.2f of the 2 s target, peak memory %.2f x one "
	       "dump's (target <= 2)\n",
	       total / 2.0, one > 0 ? (double)peak / (double)one : 0.0);
	mt_graph_free(new_);
	mt_graph_free(old);
	return 0;
}
