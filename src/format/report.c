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
	gmtime_r(&sec, &tm);
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
