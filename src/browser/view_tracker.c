/* The tracker views: a tracker stats document (series.h, MT_FILE_STATS)
 * as pympler's print_summary per snapshot under a timeline, then a
 * class's instances, then one instance.
 *
 * The start view's rows are print_summary's lines (pympler's layout:
 * per snapshot a line with its description, "active", the total and
 * "average" "pct", then a line per class of the file: active, sum,
 * average, pct), each class line followed by that class's total size at
 * every snapshot as a sparkline.  r->count is the row's snapshot, r->obj
 * its class (MT_NO_ID on a snapshot's line).  Its title lines chart the
 * class under the cursor (the snapshot's tracked total on a snapshot's
 * line) at each snapshot's time, the process RSS beneath it (the file's
 * samples, else the snapshots' RSS), the snapshots on the time axis and
 * the cursor's snapshot.  Enter on a class: its instances (birth, death,
 * size at the cursor's snapshot, its sizes as a sparkline, repr); Enter
 * on an instance: a text view of its sizes, its referents tree at its
 * resolution level (the last one recorded) and its trace.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpriv.h"
#include "memtrack/series.h"

#define TCHART_H 5 /* rows of the area */
#define SPARK 24   /* cells of a sparkline in a row */

typedef struct tstats {
	const mt_series *s;
	char *file;
	double t0, t1; /* the time axis: snapshots and samples */
	double *snap_t;
	int64_t *vals; /* the charted values, one per snapshot */
	double *rss_t; /* the RSS beneath: samples, else snapshots */
	int64_t *rss;
	size_t nrss;
	char *marks; /* 'S' for every snapshot */
} tstats;

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s && s[1] ? s + 1 : path;
}

/* pympler's trunc(s, max) then "%-*s" (pad): newlines become '|', a
 * longer text keeps max - 3 characters and "...", padding counts
 * characters (as mt_series_print_summary does). */
static void trunc_text(mt_strbuf *o, const char *s, size_t max, int pad)
{
	size_t len = strlen(s), chars = mt_utf8_chars(s, len), keep = len;
	if (chars > max)
		keep = mt_utf8_offset(s, len, max - 3);
	for (size_t i = 0; i < keep; i++)
		mt_strbuf_addc(o, s[i] == '\n' ? '|' : s[i], 1);
	if (chars > max) {
		mt_strbuf_printf(o, "...");
		chars = max;
	}
	if (pad && chars < max)
		mt_strbuf_addc(o, ' ', max - chars);
}

/* The class's sum at each snapshot (0 where it is not listed). */
static void class_values(const mt_series *s, uint32_t cls, int64_t *out)
{
	for (uint32_t k = 0; k < s->nsnapshots; k++) {
		const mt_series_cstat *c = mt_series_cstat_of(s, k, cls);
		out[k] = c ? c->sum : 0;
	}
}

static void header(const tstats *p, mt_strbuf *o)
{
	const mt_series *s = p->s;
	char c[MT_FMT_COUNT_MAX], d[32];
	mt_strbuf_printf(o, "STATS %s  ", base_name(p->file));
	bv_series_who(s, o);
	mt_strbuf_printf(o, "  %u snapshot%s", s->nsnapshots,
			 s->nsnapshots == 1 ? "" : "s");
	if (s->nsnapshots > 1) {
		bv_fmt_dur(d, sizeof d, p->t1 - p->t0);
		mt_strbuf_printf(o, " over %s", d);
	}
	mt_strbuf_printf(o, "  %u class%s  %s object%s", s->nclasses,
			 s->nclasses == 1 ? "" : "es",
			 mt_fmt_count(c, sizeof c, s->nobjects),
			 s->nobjects == 1 ? "" : "s");
}

/* ---- the start view: print_summary per snapshot ---- */

static const brow *cursor_row(const bview *v)
{
	return v->nvis ? &v->rows[v->vis[v->cur]] : NULL;
}

/* The chart of the row under the cursor (its values into p->vals). */
static void chart_of(bview *v, bchart *c, bchart *rss)
{
	tstats *p = v->priv;
	const mt_series *s = p->s;
	const brow *r = cursor_row(v);
	if (r && r->obj != MT_NO_ID)
		class_values(s, r->obj, p->vals);
	else
		for (uint32_t k = 0; k < s->nsnapshots; k++)
			p->vals[k] = s->snapshots[k].tracked_total;
	memset(c, 0, sizeof *c);
	c->t0 = p->t0;
	c->t1 = p->t1;
	c->t = p->snap_t;
	c->v = p->vals;
	c->n = s->nsnapshots;
	c->height = TCHART_H;
	c->marks = p->marks;
	c->name = r && r->obj != MT_NO_ID ? "class" : "tracked";
	if (r && s->nsnapshots) {
		c->has_cursor = true;
		c->cursor_t = p->snap_t[r->count];
	}
	*rss = *c;
	rss->t = p->rss_t;
	rss->v = p->rss;
	rss->n = p->nrss;
	rss->marks = NULL;
	rss->name = "RSS";
}

/* The expression line: what the chart shows. */
static void cursor_line(mt_browser *b, bview *v, mt_strbuf *o)
{
	tstats *p = v->priv;
	const mt_series *s = p->s;
	const brow *r = cursor_row(v);
	char sz[32], d[32];
	if (!r || !s->nsnapshots) {
		mt_strbuf_printf(o, "no snapshot");
		return;
	}
	const mt_series_snapshot *sn = &s->snapshots[r->count];
	bv_fmt_dur(d, sizeof d, sn->t - p->t0);
	if (r->obj != MT_NO_ID) {
		const mt_series_cstat *c =
		    mt_series_cstat_of(s, r->count, r->obj);
		int64_t peak = 0;
		class_values(s, r->obj, p->vals);
		for (uint32_t k = 0; k < s->nsnapshots; k++)
			if (p->vals[k] > peak)
				peak = p->vals[k];
		mt_strbuf_printf(o, "%s: %s", s->classes[r->obj],
				 bv_total(b, sz, sizeof sz,
					  (uint64_t)(c ? c->sum : 0)));
		mt_strbuf_printf(o, " in %lld at snapshot %u (+%s)",
				 (long long)(c ? c->active : 0),
				 (unsigned)r->count + 1, d);
		mt_strbuf_printf(o, "  peak %s",
				 bv_total(b, sz, sizeof sz, (uint64_t)peak));
		return;
	}
	mt_strbuf_printf(o, "snapshot %u of %u (+%s)", (unsigned)r->count + 1,
			 s->nsnapshots, d);
	if (*sn->desc)
		mt_strbuf_printf(o, " %s", sn->desc);
	mt_strbuf_printf(o, "  tracked %s",
			 bv_total(b, sz, sizeof sz,
				  (uint64_t)sn->tracked_total));
	if (sn->rss != MT_SERIES_NA)
		mt_strbuf_printf(o, "  RSS %s",
				 bv_total(b, sz, sizeof sz, (uint64_t)sn->rss));
}

static void st_title(mt_browser *b, bview *v, int i, mt_strbuf *o)
{
	tstats *p = v->priv;
	bchart c, rss;
	chart_of(v, &c, &rss);
	if (i == 0)
		header(p, o);
	else if (i <= TCHART_H)
		bv_chart_area(b, &c, i - 1, o);
	else if (i == TCHART_H + 1)
		bv_chart_axis(b, &c, o);
	else if (i == TCHART_H + 2) {
		if (p->nrss)
			bv_chart_strip(b, &rss, o);
		else
			mt_strbuf_printf(o, "%8s  (no RSS recorded)", "RSS");
	} else if (i == TCHART_H + 3)
		bv_chart_times(b, &c, o);
	else
		cursor_line(b, v, o);
}

/* Narrower than print_summary's 79 columns (and the gutter): the cells
 * its name columns give up (at most 15). */
static size_t squeeze(const mt_browser *b)
{
	int d = 81 - b->cols;
	return d <= 0 ? 0 : d > 15 ? 15 : (size_t)d;
}

static void st_columns(mt_browser *b, bview *v, mt_strbuf *o, int sort, int *hs,
		       int *hl)
{
	(void)v;
	(void)sort;
	mt_strbuf_printf(o, "%-*s %11s %12s %12s %5s  %s",
			 (int)(35 - squeeze(b)), "Snapshot / class", "active",
			 "size", "average", "pct", "size at each snapshot");
	*hs = *hl = 0;
}

/* A row: print_summary's line (pympler's widths), then a class's
 * sparkline. */
static void st_row(mt_browser *b, bview *v, brow *r, mt_strbuf *o)
{
	tstats *p = v->priv;
	const mt_series *s = p->s;
	size_t sq = squeeze(b);
	char a[32], c[32];
	if (!s->nsnapshots) {
		mt_strbuf_printf(o, "%s", bv_label(b, v, r));
		return;
	}
	if (r->obj == MT_NO_ID) {
		const mt_series_snapshot *sn = &s->snapshots[r->count];
		double tot = sn->asizeof_total != MT_SERIES_NA
				 ? (double)sn->asizeof_total
				 : 0;
		trunc_text(o, sn->desc, 35 - sq, 1);
		mt_strbuf_printf(o, " %11s %12s %12s %5s", "active",
				 mt_series_pp(a, sizeof a, tot), "average",
				 "pct");
		return;
	}
	const mt_series_cstat *st = mt_series_cstat_of(s, r->count, r->obj);
	mt_strbuf_printf(o, "  ");
	trunc_text(o, s->classes[r->obj], 33 - sq, 1);
	mt_strbuf_printf(o, " %11lld %12s %12s %4d%%  ",
			 (long long)(st ? st->active : 0),
			 mt_series_pp(a, sizeof a, st ? (double)st->sum : 0),
			 mt_series_pp(c, sizeof c, st ? st->avg : 0),
			 st ? (int)st->pct : 0);
	class_values(s, r->obj, p->vals);
	bv_spark(b, p->vals, s->nsnapshots, SPARK, o);
}

static mt_status open_instances(mt_browser *b, bview *parent, uint32_t cls,
				uint32_t snap, mt_err *err);

static bool st_enter(mt_browser *b, bview *v, brow *r)
{
	mt_err err;
	mt_err_clear(&err);
	if (r->obj == MT_NO_ID)
		return false;
	if (open_instances(b, v, r->obj, r->count, &err) != MT_OK)
		bv_err(b, NULL, &err);
	return true;
}

static void st_destroy(bview *v)
{
	tstats *p = v->priv;
	if (!p)
		return;
	free(p->file);
	free(p->snap_t);
	free(p->vals);
	free(p->rss_t);
	free(p->rss);
	free(p->marks);
	free(p);
}

static const view_ops tracker_ops = {
    .name = "tracker",
    .caps = 0,
    .hint = "instances",
    .columns = st_columns,
    .row = st_row,
    .enter = st_enter,
    .destroy = st_destroy,
    .ntitle = TCHART_H + 4,
    .title = st_title,
};

/* ---- a class's instances ---- */

/* Time t from t0: "+1.5s", "-1.0s" (born before the first snapshot). */
static void fmt_at(char *buf, size_t n, double t, double t0)
{
	buf[0] = '+';
	bv_fmt_dur(t < t0 ? buf : buf + 1, t < t0 ? n : n - 1, t - t0);
}

typedef struct tinst {
	const mt_series *s;
	double t0;
	double at; /* the snapshot's time: the Size column */
	uint32_t cls;
} tinst;

/* The object's size at time t: its last size recorded at or before t
 * (MT_SERIES_NA: none yet, or dead by then). */
static int64_t size_at(const mt_series *s, const mt_series_object *ob, double t)
{
	int64_t v = MT_SERIES_NA;
	if (ob->death >= 0 && ob->death <= t)
		return MT_SERIES_NA;
	for (uint32_t i = 0; i < ob->nsizes; i++) {
		const mt_series_size *z = &s->sizes[ob->first_size + i];
		if (z->t <= t)
			v = z->size;
	}
	return v;
}

static void in_columns(mt_browser *b, bview *v, mt_strbuf *o, int sort, int *hs,
		       int *hl)
{
	(void)b;
	(void)v;
	(void)sort;
	mt_strbuf_printf(o, " Index    Birth    Death      Size %-*s Object",
			 12, "Sizes");
	*hs = *hl = 0;
}

static void in_row(mt_browser *b, bview *v, brow *r, mt_strbuf *o)
{
	tinst *p = v->priv;
	const mt_series *s = p->s;
	if (r->obj == MT_NO_ID) { /* an information row */
		mt_strbuf_printf(o, "%s", bv_label(b, v, r));
		return;
	}
	const mt_series_object *ob = &s->objects[r->obj];
	char birth[32], death[32], sz[32];
	fmt_at(birth, sizeof birth, ob->birth, p->t0);
	if (ob->death >= 0)
		fmt_at(death, sizeof death, ob->death, p->t0);
	else
		snprintf(death, sizeof death, "alive");
	int64_t at = size_at(s, ob, p->at);
	if (at != MT_SERIES_NA)
		bv_size(b, sz, sizeof sz, (uint64_t)at);
	else
		snprintf(sz, sizeof sz, "-");
	mt_strbuf_printf(o, "%6u %8s %8s %9s ", r->index, birth, death, sz);
	int64_t vals[12];
	size_t n = ob->nsizes, from = n > 12 ? n - 12 : 0;
	for (size_t i = from; i < n; i++)
		vals[i - from] = s->sizes[ob->first_size + i].size;
	bv_spark(b, vals, n - from, 12, o);
	mt_strbuf_printf(o, " %s", bv_label(b, v, r));
}

static mt_status open_instance(mt_browser *b, const tinst *p, uint32_t obj,
			       const char *crumb, mt_err *err);

static bool in_enter(mt_browser *b, bview *v, brow *r)
{
	mt_err err;
	mt_err_clear(&err);
	char *crumb = bv_printf("0x%llx", (unsigned long long)r->size);
	if (open_instance(b, v->priv, r->obj, crumb, &err) != MT_OK)
		bv_err(b, NULL, &err);
	free(crumb);
	return true;
}

static void in_destroy(bview *v) { free(v->priv); }

static const view_ops instances_ops = {
    .name = "instances",
    .caps = 0,
    .hint = "open",
    .columns = in_columns,
    .row = in_row,
    .enter = in_enter,
    .destroy = in_destroy,
};

static mt_status open_instances(mt_browser *b, bview *parent, uint32_t cls,
				uint32_t snap, mt_err *err)
{
	tstats *ps = parent->priv;
	const mt_series *s = ps->s;
	tinst *p = mt_xcalloc(1, sizeof *p);
	p->s = s;
	p->t0 = ps->t0;
	p->at = s->snapshots[snap].t;
	p->cls = cls;
	size_t n = 0, alive = 0;
	for (uint32_t i = 0; i < s->nobjects; i++)
		if (s->objects[i].cls == cls) {
			n++;
			alive += size_at(s, &s->objects[i], p->at) !=
				 MT_SERIES_NA;
		}
	char *expr = bv_printf("%s: %zu instance%s tracked, %zu at snapshot "
			       "%u (Size: there)",
			       s->classes[cls], n, n == 1 ? "" : "s", alive,
			       snap + 1);
	bview *v = bv_new(&instances_ops, NULL, expr, s->classes[cls]);
	free(expr);
	v->priv = p;
	size_t cap = 0;
	for (uint32_t i = 0; i < s->nobjects; i++) {
		const mt_series_object *ob = &s->objects[i];
		if (ob->cls != cls)
			continue;
		brow *r = bv_add_row(v, &cap);
		r->obj = i;
		r->size = ob->id; /* the crumb's address */
		r->nav = 1;
		r->label = mt_xstrdup(*ob->repr	  ? ob->repr
				      : *ob->name ? ob->name
						  : "?");
	}
	if (!n)
		bv_info_row(v, &cap,
			    "(no instance of this class was tracked "
			    "with its objects in the file)");
	v->sort = SORT_NATURAL;
	bv_push(b, v);
	return bv_refresh(b, v, err);
}

/* ---- one instance: a text view ---- */

static mt_status open_instance(mt_browser *b, const tinst *p, uint32_t obj,
			       const char *crumb, mt_err *err)
{
	const mt_series *s = p->s;
	const mt_series_object *ob = &s->objects[obj];
	mt_strbuf t;
	mt_strbuf_init(&t);
	char a[32], c[32], d[32];
	mt_strbuf_printf(&t, "repr     %s\n", ob->repr);
	mt_strbuf_printf(&t, "class    %s\n", s->classes[ob->cls]);
	if (*ob->name)
		mt_strbuf_printf(&t, "name     %s\n", ob->name);
	mt_strbuf_printf(&t, "address  0x%llx\n", (unsigned long long)ob->id);
	fmt_at(a, sizeof a, ob->birth, p->t0);
	mt_strbuf_printf(&t, "born     %s\n", a);
	if (ob->death >= 0) {
		fmt_at(a, sizeof a, ob->death, p->t0);
		mt_strbuf_printf(&t, "died     %s\n", a);
	} else {
		mt_strbuf_printf(&t, "died     - (alive at the last "
				     "snapshot)\n");
	}
	mt_strbuf_printf(&t,
			 "level    %lld (the resolution level: "
			 "referents that deep)\n",
			 (long long)ob->level);
	mt_strbuf_printf(&t, "\nSizes (time, size, flat size)\n");
	for (uint32_t i = 0; i < ob->nsizes; i++) {
		const mt_series_size *z = &s->sizes[ob->first_size + i];
		fmt_at(a, sizeof a, z->t, p->t0);
		mt_strbuf_printf(&t, "  %9s %9s %9s\n", a,
				 bv_size(b, c, sizeof c, (uint64_t)z->size),
				 bv_size(b, d, sizeof d, (uint64_t)z->flat));
	}
	if (!ob->nsizes)
		mt_strbuf_printf(&t, "  (none recorded)\n");
	mt_strbuf_printf(&t, "\nAt each snapshot (its size then: the last "
			     "recorded; - not alive)\n");
	for (uint32_t k = 0; k < s->nsnapshots; k++) {
		const mt_series_snapshot *sn = &s->snapshots[k];
		int64_t z = ob->birth <= sn->t ? size_at(s, ob, sn->t)
					       : MT_SERIES_NA;
		fmt_at(a, sizeof a, sn->t, p->t0);
		mt_strbuf_printf(&t, "  %2u %9s %9s  %s\n", k + 1, a,
				 z == MT_SERIES_NA
				     ? "-"
				     : bv_size(b, c, sizeof c, (uint64_t)z),
				 sn->desc);
	}
	if (ob->nrefs) {
		const mt_series_refs *rf =
		    &s->refs[ob->first_refs + ob->nrefs - 1];
		fmt_at(a, sizeof a, rf->t, p->t0);
		mt_strbuf_printf(&t, "\nReferents at %s (size, flat size)\n",
				 a);
		for (uint32_t i = 0; i < rf->nnodes; i++) {
			const mt_series_node *nd =
			    &s->nodes[rf->first_node + i];
			mt_strbuf_printf(
			    &t, "  %*s%s  %s  (flat %s)\n", (int)nd->depth * 2,
			    "", nd->name,
			    bv_size(b, c, sizeof c, (uint64_t)nd->size),
			    bv_size(b, d, sizeof d, (uint64_t)nd->flat));
		}
		if (!rf->nnodes)
			mt_strbuf_printf(&t, "  (none)\n");
	} else {
		mt_strbuf_printf(&t, "\nReferents: none recorded (resolution "
				     "level 0)\n");
	}
	if (ob->has_trace) {
		mt_strbuf_printf(&t, "\nTrace (where it was created, oldest "
				     "first)\n");
		for (uint32_t i = 0; i < ob->nframes; i++) {
			const mt_series_frame *f =
			    &s->frames[ob->first_frame + i];
			mt_strbuf_printf(&t, "  %s:%lld in %s\n", f->file,
					 (long long)f->line, f->func);
		}
	} else {
		mt_strbuf_printf(&t, "\nTrace: not recorded (track_class("
				     "..., trace=True) records it)\n");
	}
	char *expr = bv_printf("%s at 0x%llx", s->classes[ob->cls],
			       (unsigned long long)ob->id);
	mt_status st = t.nomem ? mt_nomem(err)
			       : bv_open_text(b, t.s ? t.s : "", "Instance",
					      expr, crumb, err);
	free(expr);
	mt_strbuf_destroy(&t);
	return st;
}

/* ---- opening ---- */

mt_status bv_open_tracker(mt_browser *b, const mt_series *s, const char *file,
			  mt_err *err)
{
	tstats *p = mt_xcalloc(1, sizeof *p);
	p->s = s;
	p->file = mt_xstrdup(file ? file : "");
	size_t ns = s->nsnapshots;
	p->snap_t = mt_xmalloc((ns ? ns : 1) * sizeof *p->snap_t);
	p->vals = mt_xmalloc((ns ? ns : 1) * sizeof *p->vals);
	p->marks = mt_xmalloc(ns ? ns : 1);
	for (size_t k = 0; k < ns; k++) {
		p->snap_t[k] = s->snapshots[k].t;
		p->marks[k] = 'S';
	}
	/* the RSS beneath: the file's samples, else the snapshots' */
	size_t nr = s->nsamples ? s->nsamples : ns;
	p->rss_t = mt_xmalloc((nr ? nr : 1) * sizeof *p->rss_t);
	p->rss = mt_xmalloc((nr ? nr : 1) * sizeof *p->rss);
	bool any = false;
	for (size_t i = 0; i < nr; i++) {
		p->rss_t[i] = s->nsamples ? s->samples[i].t : p->snap_t[i];
		p->rss[i] = s->nsamples ? s->samples[i].rss
					: s->snapshots[i].rss;
		any = any || p->rss[i] != MT_SERIES_NA;
	}
	p->nrss = any ? nr : 0;
	/* the time axis covers both */
	bool first = true;
	for (size_t k = 0; k < ns; k++) {
		if (first || p->snap_t[k] < p->t0)
			p->t0 = p->snap_t[k];
		if (first || p->snap_t[k] > p->t1)
			p->t1 = p->snap_t[k];
		first = false;
	}
	for (size_t i = 0; i < p->nrss; i++) {
		if (first || p->rss_t[i] < p->t0)
			p->t0 = p->rss_t[i];
		if (first || p->rss_t[i] > p->t1)
			p->t1 = p->rss_t[i];
		first = false;
	}
	bview *v = bv_new(&tracker_ops, NULL, "", base_name(p->file));
	v->priv = p;
	size_t cap = 0;
	for (uint32_t k = 0; k < ns; k++) {
		brow *r = bv_add_row(v, &cap);
		r->count = k;
		mt_strbuf l;
		mt_strbuf_init(&l);
		trunc_text(&l, s->snapshots[k].desc, 35, 0);
		r->label = mt_xstrdup(l.s ? l.s : "");
		mt_strbuf_destroy(&l);
		for (uint32_t c = 0; c < s->nclasses; c++) {
			r = bv_add_row(v, &cap);
			r->count = k;
			r->obj = c;
			r->nav = 1;
			r->label = mt_xstrdup(s->classes[c]);
		}
	}
	if (!ns)
		bv_info_row(v, &cap, "(no snapshot in the file)");
	mt_strbuf o;
	mt_strbuf_init(&o);
	header(p, &o);
	free(b->title);
	b->title = mt_xstrdup(o.s ? o.s : "");
	mt_strbuf_destroy(&o);
	v->sort = SORT_NATURAL;
	bv_push(b, v);
	if (s->warning[0])
		bv_msg(b, false, s->warning);
	return bv_refresh(b, v, err);
}
