/* The timeline view: a process log (series.h, MT_FILE_LOG) as a chart of
 * RSS (V: VMS) over the whole width above the list of its samples.
 *
 * The view's title lines (view_ops.title) are the chart: line 0 the log
 * (program, pid, samples, duration, interval, RSS min / peak / final),
 * then CHART_H lines of area (block cells, eighths of a cell high; ASCII
 * '#' '.' with --ascii), the time axis with the labels (L) and the dump
 * markers (D) where they were written, and a line with the start, the end
 * and the cursor (^) under the sample the cursor row is.  The expression
 * line says everything about that sample.  Its rows are the samples in
 * file order (r->index: the sample), so Up Down PgUp Home End move
 * sample by sample and Left Right (BV_TIME: keys.c) a column of the chart
 * at a time.  A dump marker's row opens something: Space marks it, Enter
 * opens the marked dump markers with it (two: OLD NEW in time order,
 * three: A B C; the comparison, mt_browser_new_multi) or it alone, in a
 * browser of its own over the same ui; q on its first view comes back.
 *
 * The chart pieces (bchart: a step chart of values at times over a time
 * axis) are shared with view_tracker.c.  No curses here.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpriv.h"
#include "memtrack/graph.h"
#include "memtrack/series.h"

/* ---- the chart (bpriv.h: bchart) ---- */

/* Cells left of the area: an 8-cell label and the axis. */
#define CHART_Y 9

int bv_chart_width(const mt_browser *b)
{
	int w = b->cols - CHART_Y - 1;
	return w < 4 ? 4 : w;
}

int bv_chart_col(const mt_browser *b, const bchart *c, double t)
{
	int w = bv_chart_width(b);
	double span = c->t1 - c->t0;
	if (!(span > 0))
		return 0;
	double x = (t - c->t0) / span * (w - 1);
	if (x < 0)
		x = 0;
	if (x > w - 1)
		x = w - 1;
	return (int)(x + 0.5);
}

/* The value of each column (malloc'd, w of them): the largest value of
 * the points in it; a column without a point keeps the value of the last
 * point before it (a step chart); before the first point, MT_SERIES_NA. */
static int64_t *chart_values(const mt_browser *b, const bchart *c, int w,
			     int64_t *ymax)
{
	int64_t *col = mt_xmalloc((size_t)w * sizeof *col);
	bool *has = mt_xcalloc((size_t)w, sizeof *has);
	for (int i = 0; i < w; i++)
		col[i] = MT_SERIES_NA;
	*ymax = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i] == MT_SERIES_NA)
			continue;
		int x = bv_chart_col(b, c, c->t[i]);
		if (!has[x] || c->v[i] > col[x])
			col[x] = c->v[i];
		has[x] = true;
		if (c->v[i] > *ymax)
			*ymax = c->v[i];
	}
	/* the last point of a column carries on after it */
	int64_t carry = MT_SERIES_NA;
	for (int x = 0, i = 0; x < w; x++) {
		while ((size_t)i < c->n && (c->v[i] == MT_SERIES_NA ||
					    bv_chart_col(b, c, c->t[i]) <= x)) {
			if (c->v[i] != MT_SERIES_NA)
				carry = c->v[i];
			i++;
		}
		if (!has[x])
			col[x] = carry;
	}
	free(has);
	return col;
}

/* The height of value v in eighths of a cell in a chart of h rows. */
static int eighths(int64_t v, int64_t ymax, int h)
{
	if (v == MT_SERIES_NA || v <= 0 || ymax <= 0)
		return 0;
	int e = (int)((double)v / (double)ymax * h * 8 + 0.5);
	return e < 1 ? 1 : e; /* never invisible when not 0 */
}

static const char *const blocks[9] = {" ",
				      "\xe2\x96\x81",
				      "\xe2\x96\x82",
				      "\xe2\x96\x83",
				      "\xe2\x96\x84",
				      "\xe2\x96\x85",
				      "\xe2\x96\x86",
				      "\xe2\x96\x87",
				      "\xe2\x96\x88"};
static const char ascii_levels[] = " .:-=+*#@";

/* One cell of level e (0..8) eighths: blocks, or the ASCII fallback. */
static void level_cell(mt_strbuf *o, int e, bool ascii, bool area)
{
	if (e < 0)
		e = 0;
	if (e > 8)
		e = 8;
	if (!ascii)
		mt_strbuf_printf(o, "%s", blocks[e]);
	else if (area) /* an area: full or partly full */
		mt_strbuf_addc(o, e == 0 ? ' ' : e >= 4 ? '#' : '.', 1);
	else
		mt_strbuf_addc(o, ascii_levels[e], 1);
}

/* The axis label: a size in units (whatever B says: it must fit). */
static void ylabel(mt_strbuf *o, int64_t v)
{
	char buf[MT_FMT_SIZE_MAX];
	mt_strbuf_printf(o, "%8s", mt_fmt_size(buf, sizeof buf, (uint64_t)v));
}

void bv_chart_area(mt_browser *b, const bchart *c, int row, mt_strbuf *o)
{
	int w = bv_chart_width(b), h = c->height;
	bool ascii = b->opts.ascii;
	int64_t ymax;
	int64_t *col = chart_values(b, c, w, &ymax);
	int cur = c->has_cursor ? bv_chart_col(b, c, c->cursor_t) : -1;
	if (row == 0)
		ylabel(o, ymax);
	else if (row == h / 2 && h >= 4)
		ylabel(o, ymax / 2);
	else if (row == h - 1 && c->name)
		mt_strbuf_printf(o, "%8.8s", c->name);
	else
		mt_strbuf_printf(o, "%8s", "");
	bool tick = row == 0 || (row == h / 2 && h >= 4);
	mt_strbuf_printf(o, "%s",
			 tick	 ? ascii ? "+" : "\xe2\x94\xa4"
			 : ascii ? "|"
				 : "\xe2\x94\x82");
	int lo = (h - 1 - row) * 8;
	for (int x = 0; x < w; x++) {
		int e = eighths(col[x], ymax, h) - lo;
		if (e <= 0 && x == cur)
			mt_strbuf_printf(o, "%s", ascii ? "|" : "\xe2\x94\x82");
		else
			level_cell(o, e, ascii, true);
	}
	free(col);
}

void bv_chart_axis(mt_browser *b, const bchart *c, mt_strbuf *o)
{
	int w = bv_chart_width(b);
	bool ascii = b->opts.ascii;
	char *cell = mt_xcalloc((size_t)w, 1);
	for (size_t i = 0; c->marks && i < c->n; i++) {
		if (!c->marks[i])
			continue;
		int x = bv_chart_col(b, c, c->t[i]);
		/* a dump marker wins over a label, anything over a tick */
		if (!cell[x] || c->marks[i] == 'D' ||
		    (cell[x] == 'S' && c->marks[i] != 'S'))
			cell[x] = c->marks[i];
	}
	mt_strbuf_printf(o, "%8s%s", "0", ascii ? "+" : "\xe2\x94\x94");
	for (int x = 0; x < w; x++) {
		if (cell[x] == 'S')
			mt_strbuf_printf(o, "%s", ascii ? "+" : "\xe2\x94\xb4");
		else if (cell[x])
			mt_strbuf_addc(o, cell[x], 1);
		else
			mt_strbuf_printf(o, "%s", ascii ? "-" : "\xe2\x94\x80");
	}
	free(cell);
}

void bv_fmt_dur(char *buf, size_t n, double s)
{
	const char *sign = s < 0 ? "-" : "";
	if (s < 0)
		s = -s;
	if (s > 0 && s < 0.1)
		snprintf(buf, n, "%s%.1fms", sign, s * 1000);
	else if (s < 10)
		snprintf(buf, n, "%s%.2fs", sign, s);
	else if (s < 60)
		snprintf(buf, n, "%s%.1fs", sign, s);
	else if (s < 3600)
		snprintf(buf, n, "%s%dm%02ds", sign, (int)(s / 60),
			 (int)fmod(s, 60));
	else
		snprintf(buf, n, "%s%dh%02dm", sign, (int)(s / 3600),
			 (int)fmod(s / 60, 60));
}

void bv_chart_times(mt_browser *b, const bchart *c, mt_strbuf *o)
{
	int w = bv_chart_width(b);
	char *cell = mt_xmalloc((size_t)w + 1);
	memset(cell, ' ', (size_t)w);
	cell[w] = '\0';
	char t0[32], t1[32];
	snprintf(t0, sizeof t0, "0s");
	bv_fmt_dur(t1 + 1, sizeof t1 - 1, c->t1 - c->t0);
	t1[0] = '+';
	size_t l0 = strlen(t0), l1 = strlen(t1);
	int cur = c->has_cursor ? bv_chart_col(b, c, c->cursor_t) : -1;
	/* the start and the end; the cursor over one pushes it aside */
	int at0 = cur >= 0 && cur <= (int)l0 ? cur + 2 : 0;
	int at1 = cur >= w - (int)l1 - 1 ? cur - 1 - (int)l1 : w - (int)l1;
	if (at0 + (int)l0 <= at1 - 1 && at0 + (int)l0 <= w)
		memcpy(cell + at0, t0, l0);
	if (at1 >= at0 + (int)l0 + 1 && at1 + (int)l1 <= w)
		memcpy(cell + at1, t1, l1);
	mt_strbuf_printf(o, "%*s", CHART_Y, "");
	for (int x = 0; x < w; x++) {
		if (x == cur)
			mt_strbuf_printf(o, "%s",
					 b->opts.ascii ? "^" : "\xe2\x96\xb2");
		else
			mt_strbuf_addc(o, cell[x], 1);
	}
	free(cell);
}

void bv_chart_strip(mt_browser *b, const bchart *c, mt_strbuf *o)
{
	int w = bv_chart_width(b);
	int64_t ymax;
	int64_t *col = chart_values(b, c, w, &ymax);
	mt_strbuf_printf(o, "%8.8s%s", c->name ? c->name : "",
			 b->opts.ascii ? "|" : "\xe2\x94\x82");
	for (int x = 0; x < w; x++)
		level_cell(o, eighths(col[x], ymax, 1), b->opts.ascii, false);
	free(col);
}

void bv_spark(mt_browser *b, const int64_t *v, size_t n, size_t cells,
	      mt_strbuf *o)
{
	size_t from = n > cells ? n - cells : 0; /* the last ones */
	int64_t ymax = 0;
	for (size_t i = from; i < n; i++)
		if (v[i] != MT_SERIES_NA && v[i] > ymax)
			ymax = v[i];
	for (size_t i = from; i < n; i++)
		level_cell(o, eighths(v[i], ymax, 1), b->opts.ascii, false);
	for (size_t i = n - from; i < cells; i++)
		mt_strbuf_addc(o, ' ', 1);
}

void bv_fmt_delta(const mt_browser *b, char *buf, size_t n, int64_t d)
{
	char sz[32];
	bv_size(b, sz, sizeof sz, (uint64_t)(d < 0 ? -d : d));
	snprintf(buf, n, "%s%s", d > 0 ? "+" : d < 0 ? "-" : "", sz);
}

/* ---- the view ---- */

#define CHART_H 8 /* rows of the area */

typedef struct tline {
	const mt_series *s;
	char *file; /* the log as given (dump paths are relative to it) */
	double *t;  /* the samples' times */
	int64_t *rss, *vms;
	char *marks; /* 'L' label, 'D' dump marker, 0 */
	bool vms_on; /* V: the chart shows VMS */
} tline;

/* The sample of row r. */
static const mt_series_sample *sample(const bview *v, const brow *r)
{
	const tline *p = v->priv;
	return &p->s->samples[r->index];
}

static const brow *cursor_row(const bview *v)
{
	return v->nvis ? &v->rows[v->vis[v->cur]] : NULL;
}

static void chart_of(mt_browser *b, bview *v, bchart *c)
{
	tline *p = v->priv;
	(void)b;
	memset(c, 0, sizeof *c);
	c->n = p->s->nsamples;
	c->t = p->t;
	c->v = p->vms_on ? p->vms : p->rss;
	c->t0 = c->n ? p->t[0] : 0;
	c->t1 = c->n ? p->t[c->n - 1] : 0;
	c->height = CHART_H;
	c->marks = p->marks;
	c->name = p->vms_on ? "VMS" : "RSS";
	const brow *r = cursor_row(v);
	if (r) {
		c->has_cursor = true;
		c->cursor_t = p->t[r->index];
	}
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s && s[1] ? s + 1 : path;
}

/* "prog  pid N" of a series (argv[0]'s base name). */
void bv_series_who(const mt_series *s, mt_strbuf *o)
{
	const char *prog =
	    s->argc && s->argv[0] && *s->argv[0] ? base_name(s->argv[0]) : "?";
	mt_strbuf_printf(o, "%s", prog);
	if (s->pid != MT_SERIES_NA)
		mt_strbuf_printf(o, "  pid %lld", (long long)s->pid);
}

/* Line 0: the log, its samples, RSS min / peak / final. */
static void header(mt_browser *b, const tline *p, mt_strbuf *o)
{
	const mt_series *s = p->s;
	char c[MT_FMT_COUNT_MAX], d[32], sz[32];
	mt_strbuf_printf(o, "LOG %s  ", base_name(p->file));
	bv_series_who(s, o);
	int64_t mn = MT_SERIES_NA, pk = MT_SERIES_NA, fin = MT_SERIES_NA;
	for (uint32_t i = 0; i < s->nsamples; i++) {
		int64_t r = s->samples[i].rss;
		if (r == MT_SERIES_NA)
			continue;
		if (mn == MT_SERIES_NA || r < mn)
			mn = r;
		if (pk == MT_SERIES_NA || r > pk)
			pk = r;
		fin = r;
	}
	if (fin == MT_SERIES_NA) {
		mt_strbuf_printf(o, "  no RSS");
	} else {
		mt_strbuf_printf(o, "  RSS min %s",
				 bv_total(b, sz, sizeof sz, (uint64_t)mn));
		mt_strbuf_printf(o, "  peak %s",
				 bv_total(b, sz, sizeof sz, (uint64_t)pk));
		mt_strbuf_printf(o, "  final %s",
				 bv_total(b, sz, sizeof sz, (uint64_t)fin));
	}
	mt_strbuf_printf(o, "  %s sample%s",
			 mt_fmt_count(c, sizeof c, s->nsamples),
			 s->nsamples == 1 ? "" : "s");
	if (s->nsamples > 1) {
		bv_fmt_dur(d, sizeof d,
			   s->samples[s->nsamples - 1].t - s->samples[0].t);
		mt_strbuf_printf(o, " over %s", d);
	}
	if (s->interval > 0)
		mt_strbuf_printf(o, " every %gs", s->interval);
}

/* The expression line: the sample under the cursor. */
static void cursor_line(mt_browser *b, bview *v, mt_strbuf *o)
{
	tline *p = v->priv;
	const brow *r = cursor_row(v);
	char c1[MT_FMT_COUNT_MAX], c2[MT_FMT_COUNT_MAX], d[32], sz[32];
	if (!r) {
		mt_strbuf_printf(o, "no sample");
		return;
	}
	const mt_series_sample *x = sample(v, r);
	mt_strbuf_printf(o, "sample %s of %s  ",
			 mt_fmt_count(c1, sizeof c1, (uint64_t)r->index + 1),
			 mt_fmt_count(c2, sizeof c2, p->s->nsamples));
	time_t tt = (time_t)x->t;
	struct tm tm;
	char when[40];
	if (gmtime_r(&tt, &tm)) {
		strftime(when, sizeof when, "%H:%M:%SZ", &tm);
		mt_strbuf_printf(o, "%s ", when);
	}
	bv_fmt_dur(d, sizeof d, x->t - p->t[0]);
	mt_strbuf_printf(o, "+%s", d);
	static const struct {
		const char *name;
		size_t off;
	} sizes[] = {
	    {"RSS", offsetof(mt_series_sample, rss)},
	    {"VMS", offsetof(mt_series_sample, vms)},
	    {"peak", offsetof(mt_series_sample, peak_rss)},
	};
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		int64_t n;
		memcpy(&n, (const char *)x + sizes[i].off, sizeof n);
		if (n != MT_SERIES_NA)
			mt_strbuf_printf(o, "  %s %s", sizes[i].name,
					 bv_total(b, sz, sizeof sz,
						  (uint64_t)n));
	}
	if (x->minflt != MT_SERIES_NA && x->majflt != MT_SERIES_NA)
		mt_strbuf_printf(o, "  faults %lld/%lld", (long long)x->minflt,
				 (long long)x->majflt);
	if (x->cpu_user >= 0 && x->cpu_sys >= 0)
		mt_strbuf_printf(o, "  cpu %.2f+%.2fs", x->cpu_user,
				 x->cpu_sys);
	if (x->label)
		mt_strbuf_printf(o, "  label: %s", x->label);
	if (x->dump)
		mt_strbuf_printf(o, "  dump: %s", base_name(x->dump));
}

static void tl_title(mt_browser *b, bview *v, int i, mt_strbuf *o)
{
	tline *p = v->priv;
	bchart c;
	chart_of(b, v, &c);
	if (i == 0)
		header(b, p, o);
	else if (i <= CHART_H)
		bv_chart_area(b, &c, i - 1, o);
	else if (i == CHART_H + 1)
		bv_chart_axis(b, &c, o);
	else if (i == CHART_H + 2)
		bv_chart_times(b, &c, o);
	else
		cursor_line(b, v, o);
}

static void tl_columns(mt_browser *b, bview *v, mt_strbuf *o, int sort, int *hs,
		       int *hl)
{
	(void)b;
	(void)v;
	(void)sort;
	mt_strbuf_printf(o, " Index     Time       RSS       VMS      "
			    "\xce\x94RSS    CPU s Event");
	*hs = *hl = 0;
}

static void tl_row(mt_browser *b, bview *v, brow *r, mt_strbuf *o)
{
	tline *p = v->priv;
	const mt_series_sample *x = sample(v, r);
	char d[32], rss[32], vms[32], dl[40], cpu[32];
	bv_fmt_dur(d + 1, sizeof d - 1, x->t - p->t[0]);
	d[0] = '+';
	if (x->rss != MT_SERIES_NA)
		bv_size(b, rss, sizeof rss, (uint64_t)x->rss);
	else
		snprintf(rss, sizeof rss, "-");
	if (x->vms != MT_SERIES_NA)
		bv_size(b, vms, sizeof vms, (uint64_t)x->vms);
	else
		snprintf(vms, sizeof vms, "-");
	const mt_series_sample *prev = r->index ? &p->s->samples[r->index - 1]
						: NULL;
	if (prev && prev->rss != MT_SERIES_NA && x->rss != MT_SERIES_NA)
		bv_fmt_delta(b, dl, sizeof dl, x->rss - prev->rss);
	else
		snprintf(dl, sizeof dl, "-");
	if (x->cpu_user >= 0 && x->cpu_sys >= 0)
		snprintf(cpu, sizeof cpu, "%.2f", x->cpu_user + x->cpu_sys);
	else
		snprintf(cpu, sizeof cpu, "-");
	mt_strbuf_printf(o, "%6u %8s %9s %9s %9s %8s %s", r->index, d, rss, vms,
			 dl, cpu, bv_label(b, v, r));
}

/* The dump of row r as a path to open: as written, or relative to the
 * log's directory when it is relative (malloc'd). */
static char *dump_path(const tline *p, const mt_series_sample *x)
{
	const char *slash = strrchr(p->file, '/');
	if (x->dump[0] == '/' || !slash)
		return mt_xstrdup(x->dump);
	return bv_printf("%.*s/%s", (int)(slash - p->file), p->file, x->dump);
}

static int load_progress(void *data, uint64_t done, uint64_t total)
{
	mt_browser *b = data;
	return b->ui->progress(b->ui, "loading the dump", done, total) ? 1 : 0;
}

/* Opens the dumps of rows rs[0..n) (time order) in a browser of their
 * own over b's ui, runs it until it quits, then comes back. */
static bool open_dumps(mt_browser *b, bview *v, brow **rs, size_t n)
{
	tline *p = v->priv;
	mt_graph *g[3] = {NULL, NULL, NULL};
	char *paths[3] = {NULL, NULL, NULL};
	mt_err err;
	mt_err_clear(&err);
	mt_status st = MT_OK;
	size_t i;
	for (i = 0; i < n && st == MT_OK; i++) {
		paths[i] = dump_path(p, sample(v, rs[i]));
		st = mt_graph_load(&g[i], paths[i], load_progress, b, &err);
	}
	mt_browser *nb = NULL;
	if (st == MT_OK) {
		mt_browser_opts o = b->opts;
		o.files = (const char *const *)paths;
		st = mt_browser_new_multi(&nb, (const mt_graph *const *)g, n,
					  b->ui, &o, &err);
	}
	if (st == MT_OK) {
		mt_browser_run(nb);
		/* the key script (or the input) ended there: so does this */
		if (!nb->quit)
			b->quit = true;
	} else {
		bv_err(b, base_name(paths[i ? i - 1 : 0]), &err);
	}
	mt_browser_free(nb);
	for (i = 0; i < n; i++) {
		mt_graph_free(g[i]);
		free(paths[i]);
	}
	return true;
}

/* Enter on a dump marker: it with the marked ones (their comparison, in
 * time order), or it alone. */
static bool tl_enter(mt_browser *b, bview *v, brow *r)
{
	brow *rs[4];
	size_t n = 0;
	for (size_t i = 0; i < v->nrows; i++) {
		brow *o = &v->rows[i];
		if (!(o->marked || o == r) || !o->nav)
			continue;
		if (n == 3) {
			bv_msg(b, true,
			       "error: compare two or three dumps "
			       "(Space marks them)");
			return true;
		}
		rs[n++] = o;
	}
	return open_dumps(b, v, rs, n);
}

static void tl_destroy(bview *v)
{
	tline *p = v->priv;
	if (!p)
		return;
	free(p->file);
	free(p->t);
	free(p->rss);
	free(p->vms);
	free(p->marks);
	free(p);
}

static const view_ops timeline_ops = {
    .name = "timeline",
    .caps = BV_TIME,
    .hint = "open dump",
    .columns = tl_columns,
    .row = tl_row,
    .enter = tl_enter,
    .destroy = tl_destroy,
    .ntitle = CHART_H + 3,
    .title = tl_title,
};

void bk_time_move(mt_browser *b, bview *v, int dir)
{
	if (!v->nvis || v->ops != &timeline_ops) {
		b->ui->beep(b->ui);
		return;
	}
	tline *p = v->priv;
	bchart c;
	chart_of(b, v, &c);
	int col = bv_chart_col(b, &c, p->t[v->rows[v->vis[v->cur]].index]);
#define COL(k) bv_chart_col(b, &c, p->t[v->rows[v->vis[k]].index])
	size_t k = v->cur;
	if (dir > 0) {
		while (k + 1 < v->nvis && COL(k) <= col)
			k++;
		if (COL(k) <= col) {
			b->ui->beep(b->ui);
			return;
		}
	} else {
		while (k > 0 && COL(k) >= col)
			k--;
		if (COL(k) >= col) {
			b->ui->beep(b->ui);
			return;
		}
		int to = COL(k); /* the first sample of that column */
		while (k > 0 && COL(k - 1) == to)
			k--;
	}
#undef COL
	v->cur = k;
}

void bk_chart_vms(mt_browser *b, bview *v, int arg)
{
	(void)arg;
	if (v->ops != &timeline_ops) {
		b->ui->beep(b->ui);
		return;
	}
	tline *p = v->priv;
	p->vms_on = !p->vms_on;
	bv_msg(b, false,
	       p->vms_on ? "the chart shows VMS (V: RSS)"
			 : "the chart shows RSS (V: VMS)");
}

void bk_mark_dump(mt_browser *b, bview *v, int arg)
{
	(void)arg;
	if (!v->nvis || v->ops != &timeline_ops) {
		b->ui->beep(b->ui);
		return;
	}
	brow *r = &v->rows[v->vis[v->cur]];
	if (!r->nav) {
		b->ui->beep(b->ui);
		bv_msg(b, true, "Space marks a dump marker (a row with dump:)");
		return;
	}
	r->marked = !r->marked;
	size_t n = 0;
	for (size_t i = 0; i < v->nrows; i++)
		n += v->rows[i].marked;
	char *m = n == 1 ? bv_printf("1 dump marked: Enter on another "
				     "compares them")
		  : n	 ? bv_printf("%zu dumps marked: Enter compares them", n)
			 : bv_printf("no dump marked");
	bv_msg(b, false, m);
	free(m);
}

mt_status bv_open_timeline(mt_browser *b, const mt_series *s, const char *file,
			   mt_err *err)
{
	tline *p = mt_xcalloc(1, sizeof *p);
	p->s = s;
	p->file = mt_xstrdup(file ? file : "");
	size_t n = s->nsamples;
	p->t = mt_xmalloc((n ? n : 1) * sizeof *p->t);
	p->rss = mt_xmalloc((n ? n : 1) * sizeof *p->rss);
	p->vms = mt_xmalloc((n ? n : 1) * sizeof *p->vms);
	p->marks = mt_xcalloc(n ? n : 1, 1);
	bview *v = bv_new(&timeline_ops, NULL, "", base_name(p->file));
	v->priv = p;
	size_t cap = 0;
	for (size_t i = 0; i < n; i++) {
		const mt_series_sample *x = &s->samples[i];
		p->t[i] = x->t;
		p->rss[i] = x->rss;
		p->vms[i] = x->vms;
		p->marks[i] = x->dump ? 'D' : x->label ? 'L' : 0;
		brow *r = bv_add_row(v, &cap);
		r->size = x->rss == MT_SERIES_NA ? 0 : (uint64_t)x->rss;
		r->nav = x->dump != NULL;
		if (x->label && x->dump)
			r->label = bv_printf("label: %s; dump: %s", x->label,
					     base_name(x->dump));
		else if (x->label)
			r->label = bv_printf("label: %s", x->label);
		else if (x->dump)
			r->label = bv_printf("dump: %s", base_name(x->dump));
		else
			r->label = mt_xstrdup("");
	}
	mt_strbuf o;
	mt_strbuf_init(&o);
	header(b, p, &o);
	free(b->title);
	b->title = mt_xstrdup(o.s ? o.s : "");
	mt_strbuf_destroy(&o);
	v->sort = SORT_NATURAL;
	bv_push(b, v);
	if (s->warning[0])
		bv_msg(b, false, s->warning);
	return bv_refresh(b, v, err);
}
