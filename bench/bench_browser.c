/* Browser benchmark: the browser core driven headless on one dump; prints
 * figures (a program, not a test; it asserts nothing).
 *
 *   bench/bench_browser DUMP.mp
 *
 * Steps: load; the start view (the whole heap partitioned by class / dict
 * owner); the first draw (builds the dominator tree and the Retained
 * figures of the rows on screen); a key that moves within the view (`j`,
 * key + layout + draw, mean of 15); a page down (PgDn, with the Retained
 * figures of the new page); opening the biggest row as a new partition
 * (Enter: key, then the draw with its Retained figures); back.  Then the
 * resident bytes per object of the whole process (VmRSS, and the peak
 * VmHWM, over the baseline before loading).  Targets (issue 4): a moving
 * key <= 16 ms, opening a row <= 300 ms, <= 128 bytes/object. */
#include "config.h"

#include "benchutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "browser.h"
#include "memtrack/graph.h"

/* a silent ui: 80x24, no input, never cancels */
static void b_size(mt_ui *ui, int *r, int *c)
{
	(void)ui;
	*r = 24;
	*c = 80;
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
static void b_beep(mt_ui *ui)
{
	(void)ui;
}

static void step(const char *what, double t, const char *unit)
{
	if (unit && strcmp(unit, "ms") == 0)
		printf("%-34s %10.2f ms\n", what, t * 1e3);
	else
		printf("%-34s %10.3f s\n", what, t);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DUMP.mp\n", argv[0]);
		return 2;
	}
	mt_err err;
	long base = bench_status_kib("VmRSS");
	double t0 = bench_now();
	mt_graph *g;
	if (mt_graph_load(&g, argv[1], NULL, NULL, &err) != MT_OK) {
		char buf[300];
		mt_err_format(&err, buf, sizeof buf);
		fprintf(stderr, "bench_browser: %s: %s\n", argv[1], buf);
		return 1;
	}
	double n = mt_graph_count(g);
	printf("objects: %.0f\n", n);
	step("load", bench_now() - t0, NULL);
	mt_ui ui = {b_size, b_draw, b_getkey, b_readline, b_progress, b_beep,
		    NULL};
	mt_browser *b;
	t0 = bench_now();
	if (mt_browser_new(&b, g, &ui, NULL, &err) != MT_OK) {
		fprintf(stderr, "bench_browser: browser failed\n");
		return 1;
	}
	step("start view (partition by clodo)", bench_now() - t0, NULL);
	t0 = bench_now();
	mt_browser_draw(b);
	step("first draw (dominator tree)", bench_now() - t0, NULL);
	t0 = bench_now();
	for (int i = 0; i < 15; i++) {
		mt_browser_key(b, 'j');
		mt_browser_draw(b);
	}
	step("move key j (mean of 15)", (bench_now() - t0) / 15, "ms");
	t0 = bench_now();
	mt_browser_key(b, MT_KEY_PGDN);
	mt_browser_draw(b);
	step("PgDn (with Retained of the page)", bench_now() - t0, "ms");
	mt_browser_key(b, MT_KEY_HOME);
	mt_browser_key(b, 'j'); /* row 0 (Home: the "all" row) */
	mt_browser_draw(b);
	t0 = bench_now();
	mt_browser_key(b, MT_KEY_ENTER);
	double topen = bench_now() - t0;
	step("open row 0 as a partition (key)", topen, "ms");
	t0 = bench_now();
	mt_browser_draw(b);
	step("  then its Retained figures", bench_now() - t0, "ms");
	t0 = bench_now();
	mt_browser_key(b, 'j');
	mt_browser_draw(b);
	step("move key j in the new view", bench_now() - t0, "ms");
	t0 = bench_now();
	mt_browser_key(b, 'h');
	mt_browser_draw(b);
	step("back", bench_now() - t0, "ms");
	mt_browser_key(b, MT_KEY_HOME); /* the "all" row: the whole heap */
	mt_browser_draw(b);
	t0 = bench_now();
	mt_browser_key(b, 't');
	mt_browser_draw(b);
	step("re-partition the heap by type", bench_now() - t0, "ms");
	printf("rss %.1f B/obj   peak %.1f B/obj\n",
	       (double)(bench_status_kib("VmRSS") - base) * 1024.0 / n,
	       (double)(bench_status_kib("VmHWM") - base) * 1024.0 / n);
	mt_browser_free(b);
	mt_graph_free(g);
	return 0;
}
