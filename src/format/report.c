/* Reports on series (series.h): the text summaries of --batch (pympler's
 * print_summary of a tracker's stats; a process log's samples, extremes
 * and markers) and the self-contained HTML page (tables and inline SVG
 * charts, no script, no network).  Text is built in a growable buffer (tb)
 * and handed to the caller; the HTML page is written to a temporary file
 * beside OUT and renamed over it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "memtrack/safefile.h"
#include "memtrack/series.h"
#include "memtrack/util.h"

/* ---- a text buffer ---- */

typedef struct {
	char *p;
	size_t n, cap;
	int nomem;
} tb;

static void tb_grow(tb *b, size_t more)
{
	if (b->nomem || b->n + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->n + more + 1)
		cap *= 2;
	char *np = realloc(b->p, cap);
	if (!np) {
		b->nomem = 1;
		return;
	}
	b->p = np;
	b->cap = cap;
}

static void tb_put(tb *b, const char *s, size_t n)
{
	tb_grow(b, n);
	if (b->nomem)
		return;
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void tb_puts(tb *b, const char *s) { tb_put(b, s, strlen(s)); }

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
tb_printf(tb *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		tb_put(b, small, (size_t)n);
		return;
	}
	tb_grow(b, (size_t)n);
	if (b->nomem)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

static void tb_chars(tb *b, char c, size_t n)
{
	while (n--)
		tb_put(b, &c, 1);
}

static mt_status tb_done(tb *b, char **text, mt_err *err)
{
	if (!b->nomem && !b->p)
		tb_put(b, "", 0);
	if (b->nomem || !b->p) {
		free(b->p);
		*text = NULL;
		return mt_nomem(err);
	}
	*text = b->p;
	return MT_OK;
}

/* ---- pympler's formatting ---- */

char *mt_series_pp(char *buf, size_t n, double bytes)
{
	static const char *const scales[] = {"B", "KB", "MB", "GB", "TB", "EB"};
	int degree = 0;
	if (!(bytes > 1024)) {
		/* Python's "%4d" % x truncates a float toward zero. */
		snprintf(buf, n, "%4lld     %s", (long long)bytes, scales[0]);
		return buf;
	}
	while (bytes > 1024 && degree < 5) {
		bytes /= 1024.0;
		degree++;
	}
	snprintf(buf, n, "%7.2f %s", bytes, scales[degree]);
	return buf;
}

/* pympler's trunc(s, max) then "%-Ns" (or "%Ns" when right): newlines
 * become '|', a longer text keeps max - 3 characters and "...", padding
 * counts characters. */
static void tb_field(tb *b, const char *s, size_t max, size_t width)
{
	size_t len = strlen(s), chars = mt_utf8_chars(s, len), keep = len;
	if (chars > max)
		keep = mt_utf8_offset(s, len, max - 3);
	for (size_t i = 0; i < keep; i++)
		tb_put(b, s[i] == '\n' ? "|" : s + i, 1);
	if (chars > max) {
		tb_puts(b, "...");
		chars = max;
	}
	if (chars < width)
		tb_chars(b, ' ', width - chars);
}

mt_status mt_series_print_summary(const mt_series *s, char **text, mt_err *err)
{
	tb b = {0};
	char pp1[32], pp2[32];
	tb_puts(&b, "---- SUMMARY ");
	tb_chars(&b, '-', 66);
	tb_puts(&b, "\n");
	for (uint32_t k = 0; k < s->nsnapshots; k++) {
		const mt_series_snapshot *sn = &s->snapshots[k];
		int64_t tot =
		    sn->asizeof_total == MT_SERIES_NA ? 0 : sn->asizeof_total;
		tb_field(&b, sn->desc, 35, 35);
		tb_printf(&b, " %11s %12s %12s %5s\n", "active",
			  mt_series_pp(pp1, sizeof pp1, (double)tot), "average",
			  "pct");
		for (uint32_t c = 0; c < s->nclasses; c++) {
			const mt_series_cstat *cs = mt_series_cstat_of(s, k, c);
			mt_series_cstat zero = {c, 0, 0, 0, 0};
			if (!cs)
				cs = &zero;
			tb_puts(&b, "  ");
			tb_field(&b, s->classes[c], 33, 33);
			tb_printf(
			    &b, " %11lld %12s %12s %4lld%%\n",
			    (long long)cs->active,
			    mt_series_pp(pp1, sizeof pp1, (double)cs->sum),
			    mt_series_pp(pp2, sizeof pp2, cs->avg),
			    (long long)(cs->pct == cs->pct ? cs->pct : 0));
		}
	}
	tb_chars(&b, '-', 79);
	tb_puts(&b, "\n");
	return tb_done(&b, text, err);
}

/* ---- a log's summary ---- */

/* t as "2025-12-03 07:42:48.123" in UTC (date when with_date). */
static void fmt_utc(char *buf, size_t n, double t, int with_date)
{
	time_t sec = (time_t)floor(t);
	int ms = (int)((t - floor(t)) * 1000 + 0.5);
	struct tm tm;
	if (ms >= 1000) {
		sec++;
		ms -= 1000;
	}
	if (!gmtime_r(&sec, &tm)) {
		snprintf(buf, n, "%.3f s after 1970", t);
		return;
	}
	if (with_date)
		snprintf(buf, n, "%04d-%02d-%02d %02d:%02d:%02d.%03d",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	else
		snprintf(buf, n, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min,
			 tm.tm_sec, ms);
}

static void tb_size(tb *b, int64_t v)
{
	char h[MT_FMT_SIZE_MAX], c[MT_FMT_COUNT_MAX];
	if (v == MT_SERIES_NA) {
		tb_puts(b, "-");
		return;
	}
	tb_printf(b, "%s (%s B)", mt_fmt_size(h, sizeof h, (uint64_t)v),
		  mt_fmt_count(c, sizeof c, (uint64_t)v));
}

/* The sample with the least (sign -1) or greatest (+1) value of field,
 * the first one on ties; UINT32_MAX when no sample has it. */
static uint32_t extreme(const mt_series *s, size_t off, int sign)
{
	uint32_t best = UINT32_MAX;
	for (uint32_t i = 0; i < s->nsamples; i++) {
		int64_t v =
		    *(const int64_t *)((const char *)&s->samples[i] + off);
		if (v == MT_SERIES_NA)
			continue;
		if (best == UINT32_MAX) {
			best = i;
			continue;
		}
		int64_t w =
		    *(const int64_t *)((const char *)&s->samples[best] + off);
		if (sign < 0 ? v < w : v > w)
			best = i;
	}
	return best;
}

static void tb_at(tb *b, const mt_series *s, const char *what, uint32_t i,
		  size_t off)
{
	tb_printf(b, "%-13s", what);
	if (i == UINT32_MAX) {
		tb_puts(b, "-\n");
		return;
	}
	tb_size(b, *(const int64_t *)((const char *)&s->samples[i] + off));
	tb_printf(b, " at +%.2f s\n", s->samples[i].t - s->samples[0].t);
}

mt_status mt_series_log_summary(const mt_series *s, char **text, mt_err *err)
{
	tb b = {0};
	char t0[96], t1[96], c[MT_FMT_COUNT_MAX];
	if (s->nsamples == 0) {
		tb_puts(&b, "no process samples\n");
		return tb_done(&b, text, err);
	}
	const mt_series_sample *first = &s->samples[0],
			       *last = &s->samples[s->nsamples - 1];
	tb_puts(&b, "process      ");
	if (s->pid != MT_SERIES_NA)
		tb_printf(&b, "pid %lld", (long long)s->pid);
	else
		tb_puts(&b, "pid unknown");
	if (s->interval >= 0)
		tb_printf(&b, ", interval %g s", s->interval);
	for (uint32_t i = 0; i < s->argc; i++) {
		tb_puts(&b, i ? " " : ": ");
		for (const char *q = s->argv[i]; *q; q++)
			tb_put(&b, (unsigned char)*q < 0x20 ? "?" : q, 1);
	}
	tb_puts(&b, "\n");
	fmt_utc(t0, sizeof t0, first->t, 1);
	fmt_utc(t1, sizeof t1, last->t,
		(time_t)floor(first->t) / 86400 !=
		    (time_t)floor(last->t) / 86400);
	tb_printf(&b, "samples      %s over %.2f s (%s to %s UTC)\n",
		  mt_fmt_count(c, sizeof c, s->nsamples), last->t - first->t,
		  t0, t1);
	tb_at(&b, s, "RSS min", extreme(s, offsetof(mt_series_sample, rss), -1),
	      offsetof(mt_series_sample, rss));
	tb_at(&b, s, "RSS peak", extreme(s, offsetof(mt_series_sample, rss), 1),
	      offsetof(mt_series_sample, rss));
	tb_at(&b, s, "RSS final",
	      last->rss == MT_SERIES_NA ? UINT32_MAX : s->nsamples - 1,
	      offsetof(mt_series_sample, rss));
	uint32_t hwm = extreme(s, offsetof(mt_series_sample, peak_rss), 1);
	if (hwm != UINT32_MAX) {
		tb_puts(&b, "VmHWM        ");
		tb_size(&b, s->samples[hwm].peak_rss);
		tb_puts(&b, " (the kernel's peak RSS)\n");
	}
	tb_at(&b, s, "VMS peak", extreme(s, offsetof(mt_series_sample, vms), 1),
	      offsetof(mt_series_sample, vms));
	/* CPU and faults are counters: the last sample that has them. */
	const mt_series_sample *cpu = NULL, *flt = NULL;
	for (uint32_t i = s->nsamples; i-- > 0 && (!cpu || !flt);) {
		const mt_series_sample *x = &s->samples[i];
		if (!cpu && (x->cpu_user >= 0 || x->cpu_sys >= 0))
			cpu = x;
		if (!flt &&
		    (x->minflt != MT_SERIES_NA || x->majflt != MT_SERIES_NA))
			flt = x;
	}
	if (cpu) {
		tb_puts(&b, "CPU          ");
		if (cpu->cpu_user >= 0)
			tb_printf(&b, "user %.2f s", cpu->cpu_user);
		if (cpu->cpu_user >= 0 && cpu->cpu_sys >= 0)
			tb_puts(&b, ", ");
		if (cpu->cpu_sys >= 0)
			tb_printf(&b, "system %.2f s", cpu->cpu_sys);
		tb_printf(&b, " at +%.2f s\n", cpu->t - first->t);
	}
	if (flt) {
		tb_puts(&b, "page faults  ");
		if (flt->minflt != MT_SERIES_NA)
			tb_printf(&b, "minor %s",
				  mt_fmt_count(c, sizeof c,
					       (uint64_t)flt->minflt));
		if (flt->minflt != MT_SERIES_NA && flt->majflt != MT_SERIES_NA)
			tb_puts(&b, ", ");
		if (flt->majflt != MT_SERIES_NA)
			tb_printf(&b, "major %s",
				  mt_fmt_count(c, sizeof c,
					       (uint64_t)flt->majflt));
		tb_printf(&b, " at +%.2f s\n", flt->t - first->t);
	}
	int head = 0;
	for (uint32_t i = 0; i < s->nsamples; i++) {
		const mt_series_sample *x = &s->samples[i];
		for (int m = 0; m < 2; m++) {
			const char *txt = m ? x->dump : x->label;
			char h[MT_FMT_SIZE_MAX];
			if (!txt)
				continue;
			if (!head++)
				tb_puts(&b,
					"\n        time       RSS  marker\n");
			tb_printf(&b, "%+12.2f s %9s  %-5s  ", x->t - first->t,
				  x->rss == MT_SERIES_NA
				      ? "-"
				      : mt_fmt_size(h, sizeof h,
						    (uint64_t)x->rss),
				  m ? "dump" : "label");
			for (const char *q = txt; *q; q++)
				tb_put(&b, (unsigned char)*q < 0x20 ? "?" : q,
				       1);
			tb_puts(&b, "\n");
		}
	}
	return tb_done(&b, text, err);
}

/* ---- the HTML page ---- */

/* Colours of the series, in order (a class, RSS, VMS). */
static const char *const palette[] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
};
#define NPALETTE (sizeof palette / sizeof *palette)
#define RSS_COLOUR "#1f77b4"
#define VMS_COLOUR "#ff7f0e"
#define MARK_COLOUR "#d62728"
#define DUMP_COLOUR "#2ca02c"

/* At most this many classes get their own band in the stacked chart; the
 * others are summed into one "other" band. */
#define MAX_BANDS 9
/* Tick lines per axis, at most. */
#define MAX_TICKS 12
/* Instances listed per class. */
#define MAX_INSTANCES 100

/* Text as HTML: &<>"' escaped, malformed UTF-8 and controls (but tab
 * and newline) as U+FFFD. */
static void tb_esc(tb *b, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = mt_utf8_decode(s + i, n - i, &cp);
		if (!k || (cp < 0x20 && cp != '\t' && cp != '\n') ||
		    cp == 0x7f) {
			tb_puts(b, "\xef\xbf\xbd");
			i += k ? k : 1;
			continue;
		}
		switch (cp) {
		case '&':
			tb_puts(b, "&amp;");
			break;
		case '<':
			tb_puts(b, "&lt;");
			break;
		case '>':
			tb_puts(b, "&gt;");
			break;
		case '"':
			tb_puts(b, "&quot;");
			break;
		case '\'':
			tb_puts(b, "&#39;");
			break;
		default:
			tb_put(b, s + i, k);
		}
		i += k;
	}
}

static void tb_esc_trunc(tb *b, const char *s, size_t max)
{
	size_t len = strlen(s);
	if (mt_utf8_chars(s, len) <= max) {
		tb_esc(b, s);
		return;
	}
	size_t cut = mt_utf8_offset(s, len, max - 1);
	char *t = malloc(cut + 1);
	if (!t) {
		b->nomem = 1;
		return;
	}
	memcpy(t, s, cut);
	t[cut] = '\0';
	tb_esc(b, t);
	tb_puts(b, "\xe2\x80\xa6");
	free(t);
}

/* A chart's value as a byte count or count for the axis labels. */
static uint64_t u64_of(double v)
{
	return !(v > 0) ? 0 : v >= 1.8e19 ? UINT64_MAX : (uint64_t)v;
}

static const char *hsize(char *buf, size_t n, int64_t v)
{
	if (v == MT_SERIES_NA)
		return "-";
	if (v < 0)
		v = 0;
	return mt_fmt_size(buf, n, (uint64_t)v);
}

/* A chart's plot area and its data ranges. */
typedef struct {
	double t0, t1;		/* x range (Unix times) */
	double v0, v1;		/* y range */
	double left, top, w, h; /* plot area in SVG units */
	double origin;		/* the time x labels count from */
} axes;

static double ax_x(const axes *a, double t)
{
	return a->left + (t - a->t0) / (a->t1 - a->t0) * a->w;
}

static double ax_y(const axes *a, double v)
{
	return a->top + a->h - (v - a->v0) / (a->v1 - a->v0) * a->h;
}

/* A round step (1, 2 or 5 times a power of ten) giving about want ticks
 * over span. */
static double nice_step(double span, int want)
{
	double raw = span / want;
	if (!(raw > 0) || !isfinite(raw))
		return 1;
	double p = pow(10, floor(log10(raw)));
	double f = raw / p;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

static void axes_ranges(axes *a, double t0, double t1, double vmax)
{
	if (!(t1 > t0)) {
		t0 -= 0.5;
		t1 += 0.5;
	}
	if (!(t1 > t0)) { /* times so large that 0.5 s is lost in them */
		t0 = nextafter(t0, -HUGE_VAL);
		t1 = nextafter(t1, HUGE_VAL);
	}
	a->t0 = t0;
	a->t1 = t1;
	a->v0 = 0;
	if (!(vmax > 0))
		vmax = 1;
	double step = nice_step(vmax, 5);
	a->v1 = ceil(vmax / step) * step;
}

/* The svg element, the plot frame, grid lines and tick labels; sizes on
 * the y axis when sizes, else counts. */
static void svg_open(tb *b, const char *id, int w, int h, const char *title)
{
	tb_printf(b,
		  "<figure><svg id=\"%s\" class=\"chart\" width=\"%d\" "
		  "height=\"%d\" viewBox=\"0 0 %d %d\" "
		  "xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">"
		  "<title>",
		  id, w, h, w, h);
	tb_esc(b, title);
	tb_puts(b, "</title>\n<rect x=\"0\" y=\"0\" width=\"100%\" "
		   "height=\"100%\" fill=\"#ffffff\"/>\n");
}

static void svg_axes(tb *b, const axes *a, int sizes)
{
	char buf[MT_FMT_COUNT_MAX];
	double step = nice_step(a->v1 - a->v0, 5);
	/* Ticks by index, at most MAX_TICKS: a step too small for the
	 * values' magnitude would never move a running sum. */
	for (int k = 0; k <= MAX_TICKS; k++) {
		double v = a->v0 + k * step;
		if (v > a->v1 + step / 2)
			break;
		double y = ax_y(a, v);
		tb_printf(
		    b,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#e0e0e0\"/>"
		    "<text x=\"%.1f\" y=\"%.1f\" class=\"ty\">%s</text>\n",
		    a->left, y, a->left + a->w, y, a->left - 6, y + 4,
		    sizes ? mt_fmt_size(buf, sizeof buf, u64_of(v))
			  : mt_fmt_count(buf, sizeof buf, u64_of(v)));
	}
	double span = a->t1 - a->t0, tstep = nice_step(span, 8);
	/* as many decimals as the step needs: 0.25 s steps show 2 */
	int dec = tstep >= 1 ? 0 : (int)ceil(-log10(tstep) - 1e-9);
	if (dec > 6)
		dec = 6;
	double first = ceil((a->t0 - a->origin) / tstep) * tstep + a->origin;
	for (int k = 0; k <= MAX_TICKS; k++) {
		double t = first + k * tstep;
		if (t > a->t1 + tstep * 1e-9)
			break;
		double x = ax_x(a, t), rel = t - a->origin;
		if (fabs(rel) < tstep * 1e-6)
			rel = 0;
		tb_printf(b,
			  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			  "y2=\"%.1f\" stroke=\"#e0e0e0\"/>"
			  "<text x=\"%.1f\" y=\"%.1f\" class=\"tx\">%s%.*f s"
			  "</text>\n",
			  x, a->top, x, a->top + a->h + 4, x,
			  a->top + a->h + 18, rel >= 0 ? "+" : "", dec, rel);
	}
	tb_printf(b,
		  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
		  "fill=\"none\" stroke=\"#808080\"/>\n",
		  a->left, a->top, a->w, a->h);
}

static void svg_close(tb *b, const char *caption)
{
	tb_puts(b, "</svg><figcaption>");
	tb_esc(b, caption);
	tb_puts(b, "</figcaption></figure>\n");
}

/* A polyline of the samples' field (an int64_t at off), skipping absent
 * values. */
static void svg_sample_line(tb *b, const axes *a, const mt_series *s,
			    size_t off, const char *colour, const char *cls)
{
	int open = 0;
	for (uint32_t i = 0; i < s->nsamples; i++) {
		int64_t v =
		    *(const int64_t *)((const char *)&s->samples[i] + off);
		if (v == MT_SERIES_NA) {
			if (open)
				tb_puts(b, "\"/>\n");
			open = 0;
			continue;
		}
		if (!open)
			tb_printf(b,
				  "<polyline class=\"%s\" fill=\"none\" "
				  "stroke=\"%s\" stroke-width=\"2\" points=\"",
				  cls, colour);
		tb_printf(b, "%s%.1f,%.1f", open ? " " : "",
			  ax_x(a, s->samples[i].t), ax_y(a, (double)v));
		open = 1;
	}
	if (open)
		tb_puts(b, "\"/>\n");
	/* a lone sample shows as a dot */
	if (s->nsamples == 1) {
		int64_t v =
		    *(const int64_t *)((const char *)&s->samples[0] + off);
		if (v != MT_SERIES_NA)
			tb_printf(b,
				  "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
				  "fill=\"%s\"/>\n",
				  ax_x(a, s->samples[0].t), ax_y(a, (double)v),
				  colour);
	}
}

static void html_row_size(tb *b, const char *what, int64_t v, const char *at)
{
	char h[MT_FMT_SIZE_MAX], c[MT_FMT_COUNT_MAX];
	tb_printf(b, "<tr><th>%s</th>", what);
	if (v == MT_SERIES_NA)
		tb_puts(b, "<td class=\"num\">-</td><td></td><td></td></tr>\n");
	else
		tb_printf(b,
			  "<td class=\"num\">%s</td><td class=\"num\">%s B"
			  "</td><td>%s</td></tr>\n",
			  mt_fmt_size(h, sizeof h, (uint64_t)v),
			  mt_fmt_count(c, sizeof c, (uint64_t)v), at);
}

/* The time a series' charts and tables count from: its earliest sample,
 * snapshot or birth (0 when it has none). */
static double series_origin(const mt_series *s)
{
	double t = -1;
	if (s->nsamples)
		t = s->samples[0].t;
	if (s->nsnapshots && (t < 0 || s->snapshots[0].t < t))
		t = s->snapshots[0].t;
	for (uint32_t k = 0; k < s->nobjects; k++)
		if (s->objects[k].birth >= 0 &&
		    (t < 0 || s->objects[k].birth < t))
			t = s->objects[k].birth;
	return t < 0 ? 0 : t;
}

/* "Times from 2026-12-03 08:05:19.519 UTC." */
static void html_origin(tb *b, double origin)
{
	char when[96];
	fmt_utc(when, sizeof when, origin, 1);
	tb_printf(b, "<p class=\"origin\">Times are seconds from %s UTC.</p>\n",
		  when);
}

static void html_process(tb *b, const mt_series *s)
{
	tb_puts(b, "<p class=\"proc\">");
	if (s->pid != MT_SERIES_NA)
		tb_printf(b, "Process %lld", (long long)s->pid);
	else
		tb_puts(b, "Process (pid unknown)");
	if (s->argc) {
		tb_puts(b, ": <code>");
		for (uint32_t i = 0; i < s->argc; i++) {
			if (i)
				tb_puts(b, " ");
			tb_esc(b, s->argv[i]);
		}
		tb_puts(b, "</code>");
	}
	tb_puts(b, "</p>\n");
}

/* The samples: summary table, RSS timeline with markers, marker table. */
static void html_samples(tb *b, const mt_series *s, int idx, double origin)
{
	char at[64], h[MT_FMT_SIZE_MAX];
	const mt_series_sample *first = &s->samples[0],
			       *last = &s->samples[s->nsamples - 1];
	static const struct {
		const char *what;
		size_t off;
		int sign;
	} rows[] = {
	    {"RSS min", offsetof(mt_series_sample, rss), -1},
	    {"RSS peak", offsetof(mt_series_sample, rss), 1},
	    {"RSS final", offsetof(mt_series_sample, rss), 0},
	    {"VmHWM (the kernel's peak RSS)",
	     offsetof(mt_series_sample, peak_rss), 1},
	    {"VMS peak", offsetof(mt_series_sample, vms), 1},
	};
	tb_printf(b,
		  "<table class=\"summary\">\n<tr><th>Samples</th><td "
		  "class=\"num\">%lu</td><td></td><td>over %.2f s",
		  (unsigned long)s->nsamples, last->t - first->t);
	if (s->interval >= 0)
		tb_printf(b, ", every %g s", s->interval);
	tb_puts(b, "</td></tr>\n");
	for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
		uint32_t i = rows[r].sign
				 ? extreme(s, rows[r].off, rows[r].sign)
				 : s->nsamples - 1;
		int64_t v =
		    i == UINT32_MAX
			? MT_SERIES_NA
			: *(const int64_t *)((const char *)&s->samples[i] +
					     rows[r].off);
		at[0] = '\0';
		if (v != MT_SERIES_NA)
			snprintf(at, sizeof at, "at +%.2f s",
				 s->samples[i].t - origin);
		html_row_size(b, rows[r].what, v, at);
	}
	/* CPU and faults are counters: the last sample that has them. */
	for (uint32_t i = s->nsamples; i-- > 0;) {
		const mt_series_sample *x = &s->samples[i];
		if (x->cpu_user < 0 && x->cpu_sys < 0)
			continue;
		tb_printf(b,
			  "<tr><th>CPU</th><td class=\"num\">%.2f s</td>"
			  "<td class=\"num\">%.2f s</td><td>user, system "
			  "at +%.2f s</td></tr>\n",
			  x->cpu_user < 0 ? 0 : x->cpu_user,
			  x->cpu_sys < 0 ? 0 : x->cpu_sys, x->t - origin);
		break;
	}
	for (uint32_t i = s->nsamples; i-- > 0;) {
		const mt_series_sample *x = &s->samples[i];
		if (x->minflt == MT_SERIES_NA && x->majflt == MT_SERIES_NA)
			continue;
		tb_printf(
		    b,
		    "<tr><th>Page faults</th><td class=\"num\">%lld"
		    "</td><td class=\"num\">%lld</td><td>minor, "
		    "major at +%.2f s</td></tr>\n",
		    (long long)(x->minflt == MT_SERIES_NA ? 0 : x->minflt),
		    (long long)(x->majflt == MT_SERIES_NA ? 0 : x->majflt),
		    x->t - origin);
		break;
	}
	tb_puts(b, "</table>\n");

	/* The RSS timeline. */
	int64_t vmax = 0;
	int has_vms = 0;
	for (uint32_t i = 0; i < s->nsamples; i++) {
		if (s->samples[i].rss != MT_SERIES_NA &&
		    s->samples[i].rss > vmax)
			vmax = s->samples[i].rss;
		if (s->samples[i].vms != MT_SERIES_NA)
			has_vms = 1;
	}
	axes a = {.left = 80, .top = 30, .w = 840, .h = 260, .origin = origin};
	axes_ranges(&a, first->t, last->t, (double)vmax);
	char id[32];
	snprintf(id, sizeof id, "rss-%d", idx);
	svg_open(b, id, 1000, 330, "RSS over time");
	svg_axes(b, &a, 1);
	int nmark = 0;
	for (uint32_t i = 0; i < s->nsamples; i++) {
		const mt_series_sample *x = &s->samples[i];
		for (int m = 0; m < 2; m++) {
			const char *txt = m ? x->dump : x->label;
			if (!txt)
				continue;
			double px = ax_x(&a, x->t);
			tb_printf(b,
				  "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" "
				  "x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
				  "stroke-width=\"2\" stroke-dasharray=\"4 3\" "
				  "shape-rendering=\"crispEdges\"/>"
				  "<text x=\"%.1f\" y=\"%.1f\" class=\"mk\" "
				  "fill=\"%s\">%d</text>\n",
				  m ? "dump" : "label", px, a.top, px,
				  a.top + a.h, m ? DUMP_COLOUR : MARK_COLOUR,
				  px, a.top - 6 - 10 * (nmark % 2),
				  m ? DUMP_COLOUR : MARK_COLOUR, nmark + 1);
			nmark++;
		}
	}
	svg_sample_line(b, &a, s, offsetof(mt_series_sample, rss), RSS_COLOUR,
			"rss");
	tb_printf(b,
		  "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"4\" "
		  "fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\" "
		  "class=\"lg\">RSS</text>\n",
		  a.left + a.w + 12, a.top + 6, RSS_COLOUR, a.left + a.w + 30,
		  a.top + 12);
	svg_close(b, "RSS over time (seconds from the start); dashed lines: "
		     "labels (red) and dumps (green), numbered as in the table "
		     "below.");
	if (has_vms) {
		vmax = 0;
		for (uint32_t i = 0; i < s->nsamples; i++)
			if (s->samples[i].vms != MT_SERIES_NA &&
			    s->samples[i].vms > vmax)
				vmax = s->samples[i].vms;
		axes v = a;
		axes_ranges(&v, first->t, last->t, (double)vmax);
		snprintf(id, sizeof id, "vms-%d", idx);
		svg_open(b, id, 1000, 330, "VMS over time");
		svg_axes(b, &v, 1);
		svg_sample_line(b, &v, s, offsetof(mt_series_sample, vms),
				VMS_COLOUR, "vms");
		svg_close(b, "VMS (virtual memory size) over time.");
	}
	if (!nmark)
		return;
	tb_puts(b, "<table class=\"marks\">\n<tr><th>#</th><th>Time</th>"
		   "<th>RSS</th><th>Kind</th><th>Text</th></tr>\n");
	nmark = 0;
	for (uint32_t i = 0; i < s->nsamples; i++) {
		const mt_series_sample *x = &s->samples[i];
		for (int m = 0; m < 2; m++) {
			const char *txt = m ? x->dump : x->label;
			if (!txt)
				continue;
			tb_printf(b,
				  "<tr><td class=\"num\">%d</td><td "
				  "class=\"num\">+%.2f s</td><td "
				  "class=\"num\">%s</td><td>%s</td><td>",
				  ++nmark, x->t - origin,
				  hsize(h, sizeof h, x->rss),
				  m ? "dump" : "label");
			tb_esc(b, txt);
			tb_puts(b, "</td></tr>\n");
		}
	}
	tb_puts(b, "</table>\n");
}

static void html_log(tb *b, const mt_series *s, const char *name, int idx,
		     double origin)
{
	tb_printf(b, "<section id=\"log-%d\" class=\"log\"><h2>Process log",
		  idx);
	if (name) {
		tb_puts(b, " <code>");
		tb_esc(b, name);
		tb_puts(b, "</code>");
	}
	tb_puts(b, "</h2>\n");
	html_process(b, s);
	html_origin(b, origin);
	if (s->warning[0]) {
		tb_puts(b, "<p class=\"warn\">");
		tb_esc(b, s->warning);
		tb_puts(b, "</p>\n");
	}
	html_samples(b, s, idx, origin);
	tb_puts(b, "</section>\n");
}

/* The bands of the stacked chart: the classes by their largest sum, the
 * first MAX_BANDS, and whether there is an "other" band. */
static uint32_t *bands_of(const mt_series *s, uint32_t *nb, int *other)
{
	uint32_t n = s->nclasses;
	uint32_t *order = malloc((n ? n : 1) * sizeof *order);
	int64_t *peak = calloc(n ? n : 1, sizeof *peak);
	if (!order || !peak) {
		free(order);
		free(peak);
		return NULL;
	}
	for (uint32_t i = 0; i < s->ncstats; i++)
		if (s->cstats[i].cls < n &&
		    s->cstats[i].sum > peak[s->cstats[i].cls])
			peak[s->cstats[i].cls] = s->cstats[i].sum;
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	/* insertion sort by peak, descending, then name order (stable) */
	for (uint32_t i = 1; i < n; i++) {
		uint32_t x = order[i], j = i;
		while (j > 0 && peak[order[j - 1]] < peak[x]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = x;
	}
	free(peak);
	*other = n > MAX_BANDS;
	*nb = n > MAX_BANDS ? MAX_BANDS : n;
	return order;
}

static int64_t csum(const mt_series *s, uint32_t snap, uint32_t cls)
{
	const mt_series_cstat *c = mt_series_cstat_of(s, snap, cls);
	return c ? c->sum : 0;
}

/* The stacked area chart of the classes' sums over the snapshots, the
 * RSS of the snapshots (or of the samples) as a line over it. */
static void html_classes_chart(tb *b, const mt_series *s, int idx,
			       double origin, const uint32_t *order,
			       uint32_t nb, int other)
{
	uint32_t ns = s->nsnapshots, nbands = nb + (other ? 1 : 0);
	double *cum = calloc((size_t)ns * (nbands + 1), sizeof *cum);
	char id[32];
	if (!cum) {
		b->nomem = 1;
		return;
	}
	double vmax = 0;
	for (uint32_t k = 0; k < ns; k++) {
		double acc = 0;
		for (uint32_t j = 0; j < nbands; j++) {
			if (j < nb) {
				acc += (double)csum(s, k, order[j]);
			} else {
				for (uint32_t r = nb; r < s->nclasses; r++)
					acc += (double)csum(s, k, order[r]);
			}
			cum[(size_t)k * (nbands + 1) + j + 1] = acc;
		}
		if (acc > vmax)
			vmax = acc;
	}
	axes a = {.left = 80, .top = 30, .w = 700, .h = 260, .origin = origin};
	axes_ranges(&a, s->snapshots[0].t, s->snapshots[ns - 1].t, vmax);
	snprintf(id, sizeof id, "classes-%d", idx);
	svg_open(b, id, 1000, 330, "Tracked classes over time");
	svg_axes(b, &a, 1);
	for (uint32_t j = 0; j < nbands; j++) {
		const char *colour = palette[j % NPALETTE];
		tb_printf(b,
			  "<path class=\"band\" fill=\"%s\" "
			  "fill-opacity=\"0.8\" stroke=\"%s\" d=\"",
			  colour, colour);
		if (ns == 1) {
			/* one snapshot: a bar across the plot */
			double y0 = ax_y(&a, cum[j]), y1 = ax_y(&a, cum[j + 1]);
			tb_printf(b, "M%.1f,%.1f H%.1f V%.1f H%.1f Z",
				  a.left + a.w * 0.4, y0, a.left + a.w * 0.6,
				  y1, a.left + a.w * 0.4);
		} else {
			for (uint32_t k = 0; k < ns; k++)
				tb_printf(
				    b, "%s%.1f,%.1f", k ? " L" : "M",
				    ax_x(&a, s->snapshots[k].t),
				    ax_y(&a,
					 cum[(size_t)k * (nbands + 1) + j + 1]));
			for (uint32_t k = ns; k-- > 0;)
				tb_printf(
				    b, " L%.1f,%.1f",
				    ax_x(&a, s->snapshots[k].t),
				    ax_y(&a,
					 cum[(size_t)k * (nbands + 1) + j]));
			tb_puts(b, " Z");
		}
		tb_puts(b, "\"/>\n");
		/* the legend, right of the plot */
		double ly = a.top + 10 + 22 * j;
		tb_printf(b,
			  "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" "
			  "height=\"14\" fill=\"%s\"/><text x=\"%.1f\" "
			  "y=\"%.1f\" class=\"lg\">",
			  a.left + a.w + 16, ly - 11, colour, a.left + a.w + 36,
			  ly);
		if (j < nb)
			tb_esc_trunc(b, s->classes[order[j]], 24);
		else
			tb_printf(b, "%lu other classes",
				  (unsigned long)(s->nclasses - nb));
		tb_puts(b, "</text>\n");
	}
	for (uint32_t k = 0; k < ns; k++)
		tb_printf(b,
			  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			  "y2=\"%.1f\" stroke=\"#404040\" "
			  "stroke-dasharray=\"2 4\"/>\n",
			  ax_x(&a, s->snapshots[k].t), a.top + a.h,
			  ax_x(&a, s->snapshots[k].t), a.top);
	svg_close(b, "The tracked classes' total sizes at each snapshot "
		     "(stacked; dotted lines: the snapshots).");
	free(cum);
}

/* One 100% bar per snapshot: the classes' shares of the tracked total. */
static void html_distribution(tb *b, const mt_series *s, int idx,
			      const uint32_t *order, uint32_t nb, int other)
{
	uint32_t ns = s->nsnapshots;
	int rowh = 26, w = 1000, left = 260, bw = 600;
	int h = 20 + rowh * (int)ns;
	char id[32];
	snprintf(id, sizeof id, "distribution-%d", idx);
	svg_open(b, id, w, h, "Distribution per snapshot");
	for (uint32_t k = 0; k < ns; k++) {
		double total = 0, x = left;
		int y = 10 + rowh * (int)k;
		for (uint32_t r = 0; r < s->nclasses; r++)
			total += (double)csum(s, k, r);
		tb_printf(b, "<text x=\"%d\" y=\"%d\" class=\"ty\">", left - 8,
			  y + 15);
		if (s->snapshots[k].desc[0])
			tb_esc_trunc(b, s->snapshots[k].desc, 30);
		else
			tb_printf(b, "snapshot %lu", (unsigned long)k + 1);
		tb_puts(b, "</text>\n");
		tb_printf(b,
			  "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" "
			  "fill=\"#f4f4f4\" stroke=\"#808080\"/>\n",
			  left, y, bw);
		for (uint32_t j = 0; total > 0 && j < nb + (other ? 1 : 0);
		     j++) {
			double v = 0;
			if (j < nb)
				v = (double)csum(s, k, order[j]);
			else
				for (uint32_t r = nb; r < s->nclasses; r++)
					v += (double)csum(s, k, order[r]);
			double bwid = v / total * bw;
			if (bwid <= 0)
				continue;
			tb_printf(b,
				  "<rect class=\"share\" x=\"%.1f\" y=\"%d\" "
				  "width=\"%.1f\" height=\"20\" fill=\"%s\">"
				  "<title>",
				  x, y, bwid, palette[j % NPALETTE]);
			if (j < nb)
				tb_esc(b, s->classes[order[j]]);
			else
				tb_puts(b, "other classes");
			tb_printf(b, ": %.1f%%</title></rect>\n",
				  v * 100 / total);
			x += bwid;
		}
		char h1[MT_FMT_SIZE_MAX];
		tb_printf(b, "<text x=\"%d\" y=\"%d\" class=\"lg\">%s</text>\n",
			  left + bw + 10, y + 15,
			  mt_fmt_size(h1, sizeof h1, u64_of(total)));
	}
	svg_close(b, "Each snapshot's tracked total split by class (the "
		     "colours of the chart above).");
}

/* pympler's print_summary as tables: one per snapshot. */
static void html_summary_tables(tb *b, const mt_series *s, int idx,
				double origin)
{
	char p1[32], p2[32], h[MT_FMT_SIZE_MAX];
	for (uint32_t k = 0; k < s->nsnapshots; k++) {
		const mt_series_snapshot *sn = &s->snapshots[k];
		tb_puts(b, "<table class=\"snap\">\n<caption>");
		if (sn->desc[0])
			tb_esc(b, sn->desc);
		else
			tb_printf(b, "Snapshot %lu", (unsigned long)k + 1);
		tb_printf(b, " at +%.2f s: tracked %s", sn->t - origin,
			  hsize(h, sizeof h, sn->tracked_total));
		if (sn->asizeof_total != MT_SERIES_NA)
			tb_printf(b, ", asizeof total %s",
				  hsize(h, sizeof h, sn->asizeof_total));
		if (sn->rss != MT_SERIES_NA)
			tb_printf(b, ", RSS %s", hsize(h, sizeof h, sn->rss));
		tb_puts(b, "</caption>\n<tr><th>Class</th><th>Active</th>"
			   "<th>Total</th><th>Average</th><th>Pct</th></tr>\n");
		for (uint32_t c = 0; c < s->nclasses; c++) {
			const mt_series_cstat *cs = mt_series_cstat_of(s, k, c);
			mt_series_cstat zero = {c, 0, 0, 0, 0};
			if (!cs)
				cs = &zero;
			tb_printf(b, "<tr><td><a href=\"#cls-%d-%lu\">", idx,
				  (unsigned long)c);
			tb_esc(b, s->classes[c]);
			tb_printf(b,
				  "</a></td><td class=\"num\">%lld</td><td "
				  "class=\"num\">%s</td><td class=\"num\">%s"
				  "</td><td class=\"num\">%.1f%%</td></tr>\n",
				  (long long)cs->active,
				  mt_series_pp(p1, sizeof p1, (double)cs->sum),
				  mt_series_pp(p2, sizeof p2, cs->avg),
				  cs->pct == cs->pct ? cs->pct : 0);
		}
		tb_puts(b, "</table>\n");
	}
}

/* A class over time (sum and active count per snapshot, a small chart)
 * and its instances. */
static void html_class(tb *b, const mt_series *s, int idx, uint32_t c,
		       double origin, const char *colour)
{
	char p1[32], id[48];
	tb_printf(b, "<section class=\"class\" id=\"cls-%d-%lu\"><h3>", idx,
		  (unsigned long)c);
	tb_esc(b, s->classes[c]);
	tb_puts(b, "</h3>\n");
	/* the chart: its sum over the snapshots */
	double vmax = 0;
	for (uint32_t k = 0; k < s->nsnapshots; k++)
		if ((double)csum(s, k, c) > vmax)
			vmax = (double)csum(s, k, c);
	axes a = {.left = 80, .top = 20, .w = 560, .h = 120, .origin = origin};
	axes_ranges(&a, s->snapshots[0].t, s->snapshots[s->nsnapshots - 1].t,
		    vmax);
	snprintf(id, sizeof id, "class-%d-%lu", idx, (unsigned long)c);
	svg_open(b, id, 700, 170, s->classes[c]);
	svg_axes(b, &a, 1);
	tb_printf(b,
		  "<polyline class=\"csum\" fill=\"none\" stroke=\"%s\" "
		  "stroke-width=\"2\" points=\"",
		  colour);
	for (uint32_t k = 0; k < s->nsnapshots; k++)
		tb_printf(b, "%s%.1f,%.1f", k ? " " : "",
			  ax_x(&a, s->snapshots[k].t),
			  ax_y(&a, (double)csum(s, k, c)));
	tb_puts(b, "\"/>\n");
	for (uint32_t k = 0; k < s->nsnapshots; k++)
		tb_printf(b,
			  "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
			  "fill=\"%s\"/>\n",
			  ax_x(&a, s->snapshots[k].t),
			  ax_y(&a, (double)csum(s, k, c)), colour);
	svg_close(b, "Total size of its instances at each snapshot.");
	/* active counts */
	tb_puts(b, "<table class=\"counts\"><tr><th>Snapshot</th>");
	for (uint32_t k = 0; k < s->nsnapshots; k++)
		tb_printf(b, "<th>+%.2f s</th>", s->snapshots[k].t - origin);
	tb_puts(b, "</tr>\n<tr><th>Active</th>");
	for (uint32_t k = 0; k < s->nsnapshots; k++) {
		const mt_series_cstat *cs = mt_series_cstat_of(s, k, c);
		tb_printf(b, "<td class=\"num\">%lld</td>",
			  (long long)(cs ? cs->active : 0));
	}
	tb_puts(b, "</tr>\n<tr><th>Total</th>");
	for (uint32_t k = 0; k < s->nsnapshots; k++)
		tb_printf(b, "<td class=\"num\">%s</td>",
			  mt_series_pp(p1, sizeof p1, (double)csum(s, k, c)));
	tb_puts(b, "</tr></table>\n");
	/* instances */
	uint32_t n = 0, shown = 0;
	for (uint32_t i = 0; i < s->nobjects; i++)
		n += s->objects[i].cls == c;
	if (!n) {
		tb_puts(b, "<p>No instance recorded.</p></section>\n");
		return;
	}
	tb_printf(b,
		  "<table class=\"inst\"><caption>%lu instance%s</caption>"
		  "<tr><th>Name</th><th>Id</th><th>Born</th><th>Died</th>"
		  "<th>Largest</th><th>Repr</th><th>Created at</th></tr>\n",
		  (unsigned long)n, n == 1 ? "" : "s");
	for (uint32_t i = 0; i < s->nobjects && shown < MAX_INSTANCES; i++) {
		const mt_series_object *o = &s->objects[i];
		if (o->cls != c)
			continue;
		shown++;
		int64_t big = 0;
		for (uint32_t z = 0; z < o->nsizes; z++)
			if (s->sizes[o->first_size + z].size > big)
				big = s->sizes[o->first_size + z].size;
		tb_puts(b, "<tr><td>");
		tb_esc(b, o->name);
		tb_printf(b,
			  "</td><td><code>0x%llx</code></td><td "
			  "class=\"num\">+%.2f s</td>",
			  (unsigned long long)o->id, o->birth - origin);
		if (o->death >= 0)
			tb_printf(b, "<td class=\"num\">+%.2f s</td>",
				  o->death - origin);
		else
			tb_puts(b, "<td>alive</td>");
		tb_printf(b, "<td class=\"num\">%s</td><td><code>",
			  mt_series_pp(p1, sizeof p1, (double)big));
		tb_esc_trunc(b, o->repr, 80);
		tb_puts(b, "</code></td><td>");
		if (o->nframes) {
			const mt_series_frame *f =
			    &s->frames[o->first_frame + o->nframes - 1];
			tb_puts(b, "<code>");
			tb_esc(b, f->file);
			tb_printf(b, ":%lld</code> in <code>",
				  (long long)f->line);
			tb_esc(b, f->func);
			tb_puts(b, "</code>");
		}
		tb_puts(b, "</td></tr>\n");
	}
	tb_puts(b, "</table>\n");
	if (shown < n)
		tb_printf(b, "<p>and %lu more.</p>\n",
			  (unsigned long)(n - shown));
	tb_puts(b, "</section>\n");
}

/* Without process samples: the RSS the snapshots recorded, if any. */
static void html_snapshot_rss(tb *b, const mt_series *s, int idx, double origin)
{
	double vmax = 0;
	uint32_t n = 0;
	char id[32];
	for (uint32_t k = 0; k < s->nsnapshots; k++) {
		if (s->snapshots[k].rss == MT_SERIES_NA)
			continue;
		n++;
		if ((double)s->snapshots[k].rss > vmax)
			vmax = (double)s->snapshots[k].rss;
	}
	if (!n)
		return;
	tb_puts(b, "<h3>Process memory at the snapshots</h3>\n");
	axes a = {.left = 80, .top = 30, .w = 700, .h = 200, .origin = origin};
	axes_ranges(&a, s->snapshots[0].t, s->snapshots[s->nsnapshots - 1].t,
		    vmax);
	snprintf(id, sizeof id, "snaprss-%d", idx);
	svg_open(b, id, 1000, 270, "RSS at the snapshots");
	svg_axes(b, &a, 1);
	tb_printf(b,
		  "<polyline class=\"rss\" fill=\"none\" stroke=\"%s\" "
		  "stroke-width=\"2\" points=\"",
		  RSS_COLOUR);
	for (uint32_t k = 0, j = 0; k < s->nsnapshots; k++)
		if (s->snapshots[k].rss != MT_SERIES_NA)
			tb_printf(b, "%s%.1f,%.1f", j++ ? " " : "",
				  ax_x(&a, s->snapshots[k].t),
				  ax_y(&a, (double)s->snapshots[k].rss));
	tb_puts(b, "\"/>\n");
	for (uint32_t k = 0; k < s->nsnapshots; k++)
		if (s->snapshots[k].rss != MT_SERIES_NA)
			tb_printf(b,
				  "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
				  "fill=\"%s\"/>\n",
				  ax_x(&a, s->snapshots[k].t),
				  ax_y(&a, (double)s->snapshots[k].rss),
				  RSS_COLOUR);
	svg_close(b, "The process' RSS when each snapshot was taken (no "
		     "process log in this file).");
}

static void html_stats(tb *b, const mt_series *s, const char *name, int idx,
		       double origin)
{
	tb_printf(b,
		  "<section id=\"stats-%d\" class=\"stats\"><h2>Tracked "
		  "classes",
		  idx);
	if (name) {
		tb_puts(b, " <code>");
		tb_esc(b, name);
		tb_puts(b, "</code>");
	}
	tb_puts(b, "</h2>\n");
	html_process(b, s);
	html_origin(b, origin);
	tb_printf(
	    b, "<p>%lu snapshot%s, %lu tracked object%s of %lu class%s.</p>\n",
	    (unsigned long)s->nsnapshots, s->nsnapshots == 1 ? "" : "s",
	    (unsigned long)s->nobjects, s->nobjects == 1 ? "" : "s",
	    (unsigned long)s->nclasses, s->nclasses == 1 ? "" : "es");
	if (s->nsnapshots == 0) {
		tb_puts(b, "<p>No snapshot: nothing to chart.</p>\n");
	} else {
		uint32_t nb;
		int other;
		uint32_t *order = bands_of(s, &nb, &other);
		if (!order) {
			b->nomem = 1;
			return;
		}
		tb_puts(b, "<h3>Memory distribution over time</h3>\n");
		html_classes_chart(b, s, idx, origin, order, nb, other);
		tb_puts(b, "<h3>Distribution per snapshot</h3>\n");
		html_distribution(b, s, idx, order, nb, other);
		tb_puts(b, "<h3>Snapshots</h3>\n");
		html_summary_tables(b, s, idx, origin);
		tb_puts(b, "<h3>Classes</h3>\n");
		for (uint32_t c = 0; c < s->nclasses; c++) {
			uint32_t j = 0;
			while (j < nb && order[j] != c)
				j++;
			html_class(b, s, idx, c, origin,
				   j < nb ? palette[j % NPALETTE]
					  : palette[nb % NPALETTE]);
		}
		free(order);
	}
	if (s->nsamples) {
		tb_puts(b, "<h3>Process memory</h3>\n");
		html_samples(b, s, idx, origin);
	} else {
		html_snapshot_rss(b, s, idx, origin);
	}
	tb_puts(b, "</section>\n");
}

static const char STYLE[] =
    "<style>\n"
    "body{font-family:sans-serif;margin:1em 2em;color:#202020;"
    "background:#ffffff;max-width:1100px}\n"
    "h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #ccc}"
    "h3{font-size:1.05em}\n"
    "table{border-collapse:collapse;margin:0.5em 0 1em}\n"
    "th,td{border:1px solid #ccc;padding:2px 8px;text-align:left;"
    "vertical-align:top}\n"
    "td.num{text-align:right;white-space:nowrap}\n"
    "caption{text-align:left;font-weight:bold;padding:2px 0}\n"
    "figure{margin:0.5em 0}figcaption{font-size:0.85em;color:#555}\n"
    "svg.chart text{font-family:sans-serif;font-size:12px;fill:#333}\n"
    "svg.chart text.ty{text-anchor:end}svg.chart text.tx{"
    "text-anchor:middle}\n"
    "svg.chart text.mk{text-anchor:middle;font-weight:bold}\n"
    ".warn{color:#a00}code{font-size:0.9em}\n"
    "</style>\n";

mt_status mt_report_html_text(const mt_series *const *series,
			      const char *const *names, size_t n, char **html,
			      mt_err *err)
{
	tb b = {0};
	/* The policy makes the browser refuse any script and any load: the
	 * page stands alone, and a repr in it cannot run or fetch anything. */
	tb_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
		    "charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-"
		    "Policy\" content=\"default-src 'none'; style-src "
		    "'unsafe-inline'\">\n<title>memtrack report</title>\n");
	tb_puts(&b, STYLE);
	tb_puts(&b, "</head><body>\n<h1>memtrack report</h1>\n");
	tb_puts(&b, "<p>Times are seconds from the first time of each file "
		    "(its section gives it). Sizes in kB, MB, GB are 1000s of "
		    "bytes; pympler's tables (KB, MB) count in 1024s.</p>\n");
	for (size_t i = 0; i < n; i++) {
		const char *name = names ? names[i] : NULL;
		double origin = series_origin(series[i]);
		if (series[i]->kind == MT_FILE_STATS)
			html_stats(&b, series[i], name, (int)i, origin);
		else
			html_log(&b, series[i], name, (int)i, origin);
	}
	tb_puts(&b, "</body></html>\n");
	return tb_done(&b, html, err);
}

mt_status mt_report_html(const char *out, const mt_series *const *series,
			 const char *const *names, size_t n, mt_err *err)
{
	char *html;
	mt_status st = mt_report_html_text(series, names, n, &html, err);
	if (st)
		return st;
	/* a private temporary file renamed over out: the page names the
	 * program's command line and paths */
	mt_safefile f;
	st = mt_safefile_open(&f, out, "a report", 0, err);
	if (st == MT_OK) {
		st = mt_safefile_write(&f, html, strlen(html), err);
		if (st == MT_OK)
			st = mt_safefile_commit(&f, err);
		else
			mt_safefile_abort(&f);
	}
	free(html);
	return st;
}
