/* The views of the browser: small ops tables that fill rows (tig style).
 *
 *   partition  a set grouped by one classifier: Index Count % Size %
 *              Cumulative % (heapy's widths), Retained, Kind
 *   identity   a set as heapy's identity table, one row per object
 *   inspector  one object: its fields, then its referents and referrers
 *              with the relation label, each row opening that object
 *   text       lines of text (query results, shortest paths)
 *   help       every key by section (a text view)
 *
 * Each view owns its rows (struct brow, bpriv.h); a partition view also
 * keeps the kind of every member of its set so a row's set is one scan.
 * The analysis is the library's: classifiers, mt_partition_from_rows for
 * heapy's row order, mt_idtable_order, mt_dominance_domisize, reltext and
 * pyrepr for the texts.  No curses here.
 */
#include "config.h"

#include <ctype.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bpriv.h"
#include "memtrack/dominator.h"
#include "memtrack/idtable.h"
#include "memtrack/pyrepr.h"
#include "memtrack/reltext.h"
#include "memtrack/table.h"

/* ---- small helpers (the application dies on OOM) ---- */

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fputs("memtrack-tui: out of memory\n", stderr);
		abort();
	}
	return p;
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p) {
		fputs("memtrack-tui: out of memory\n", stderr);
		abort();
	}
	return p;
}

char *bv_strdup(const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	char *d = xmalloc(n);
	memcpy(d, s ? s : "", n);
	return d;
}

char *bv_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = xmalloc((size_t)(n < 0 ? 0 : n) + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* A plain chain (names, dots, brackets, calls) needs no parentheses. */
char *bv_wrap_expr(const char *e)
{
	int depth = 0;
	char quote = 0;
	for (const char *p = e; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			continue;
		}
		if (*p == '\'' || *p == '"')
			quote = *p;
		else if (*p == '(' || *p == '[')
			depth++;
		else if (*p == ')' || *p == ']')
			depth--;
		else if (depth == 0 && strchr(" &|^-+~<>=!", *p))
			return bv_printf("(%s)", e);
	}
	return bv_strdup(e);
}

bview *bv_top(mt_browser *b)
{
	return b->depth ? b->stack[b->depth - 1] : NULL;
}

static void push(mt_browser *b, bview *v)
{
	if (b->depth == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 8;
		bview **s = realloc(b->stack, nc * sizeof *s);
		if (!s) {
			fputs("memtrack-tui: out of memory\n", stderr);
			abort();
		}
		b->stack = s;
		b->cap = nc;
	}
	b->stack[b->depth++] = v;
}

static bview *view_new(const view_ops *ops, mt_set *s, const char *expr,
		       const char *crumb)
{
	bview *v = xcalloc(1, sizeof *v);
	v->ops = ops;
	v->set = s ? mt_set_ref(s) : NULL;
	v->expr = bv_strdup(expr);
	v->crumb = bv_strdup(crumb);
	v->obj = MT_NO_ID;
	return v;
}

void bv_free(bview *v)
{
	if (!v)
		return;
	if (v->ops->destroy)
		v->ops->destroy(v);
	for (size_t i = 0; i < v->nrows; i++)
		free(v->rows[i].label);
	free(v->rows);
	free(v->vis);
	free(v->kinds);
	free(v->filter);
	free(v->expr);
	free(v->pexpr);
	free(v->crumb);
	free(v->title);
	mt_set_unref(v->set);
	free(v);
}

mt_status bv_classifier(mt_browser *b, const char *name, mt_classifier **out,
			mt_err *err)
{
	for (size_t i = 0; i < b->ncls; i++)
		if (strcmp(b->cls[i].name, name) == 0) {
			*out = b->cls[i].c;
			return MT_OK;
		}
	mt_classifier *c;
	mt_status st = mt_classifier_new_named(&c, b->g, name, err);
	if (st != MT_OK)
		return st;
	if (b->ncls == sizeof b->cls / sizeof b->cls[0]) {
		/* drop the oldest combination-sized slot: keep it simple */
		mt_classifier_free(b->cls[b->ncls - 1].c);
		b->ncls--;
	}
	snprintf(b->cls[b->ncls].name, sizeof b->cls[0].name, "%s", name);
	b->cls[b->ncls++].c = c;
	*out = c;
	return MT_OK;
}

/* ---- dominance (long work) ---- */

static int dom_progress(void *data, uint64_t done, uint64_t total)
{
	mt_browser *b = data;
	return b->ui->progress(b->ui, "dominator tree", done, total) ? 1 : 0;
}

bool bv_dominance(mt_browser *b)
{
	if (b->dom_state == 1)
		return true;
	if (b->dom_state != 0 || b->opts.no_retained)
		return false;
	mt_err err;
	mt_err_clear(&err);
	mt_status st = mt_domtree_build(&b->dt, b->g, dom_progress, b, &err);
	if (st == MT_OK)
		st = mt_dominance_new(&b->dom, b->g, b->dt, &err);
	if (st != MT_OK) {
		mt_domtree_free(b->dt);
		b->dt = NULL;
		b->dom_state = st == MT_CANCELLED ? 2 : 3;
		free(b->msg);
		b->msg = bv_strdup(st == MT_CANCELLED
				       ? "retained sizes cancelled (r retries)"
				       : "retained sizes unavailable");
		b->msg_err = st != MT_CANCELLED;
		return false;
	}
	b->dom_state = 1;
	return true;
}

mt_status bv_retained(mt_browser *b, bview *v, brow *r, mt_err *err)
{
	if (r->ret != RET_UNKNOWN)
		return MT_OK;
	if (!bv_dominance(b))
		return MT_CANCELLED;
	if (r->obj != MT_NO_ID && v->ops != NULL &&
	    strcmp(v->ops->name, "partition") != 0) {
		r->retained = mt_domtree_retained(b->dt, r->obj);
		r->ret = RET_KNOWN;
		return MT_OK;
	}
	if (strcmp(v->ops->name, "partition") != 0) {
		r->ret = RET_NONE;
		return MT_OK;
	}
	mt_set *s = NULL;
	mt_status st = bv_row_set(b, v, r, &s, err);
	if (st == MT_OK)
		st = mt_dominance_domisize(b->dom, s, &r->retained, err);
	mt_set_unref(s);
	if (st == MT_OK)
		r->ret = RET_KNOWN;
	return st;
}

/* ---- labels, filter, sort ---- */

const char *bv_label(mt_browser *b, bview *v, brow *r)
{
	if (!r->label && v->ops->label)
		v->ops->label(b, v, r);
	return r->label ? r->label : "";
}

/* Case-insensitive substring test without locale surprises. */
static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (!n)
		return true;
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

static const bview *sort_view;

static int cmp_rows(const void *pa, const void *pb)
{
	const brow *a = &sort_view->rows[*(const size_t *)pa];
	const brow *b = &sort_view->rows[*(const size_t *)pb];
	int c = 0;
	switch (sort_view->sort) {
	case SORT_SIZE:
		c = a->size < b->size ? 1 : a->size > b->size ? -1 : 0;
		break;
	case SORT_COUNT:
		c = a->count < b->count ? 1 : a->count > b->count ? -1 : 0;
		break;
	case SORT_RETAINED: {
		uint64_t x = a->ret == RET_KNOWN ? a->retained : 0;
		uint64_t y = b->ret == RET_KNOWN ? b->retained : 0;
		c = x < y ? 1 : x > y ? -1 : 0;
		break;
	}
	case SORT_LABEL:
		c = strcasecmp(a->label ? a->label : "",
			       b->label ? b->label : "");
		if (!c)
			c = strcmp(a->label ? a->label : "",
				   b->label ? b->label : "");
		break;
	default:
		break;
	}
	if (sort_view->rev)
		c = -c;
	if (!c)
		c = a->index < b->index ? -1 : a->index > b->index ? 1 : 0;
	return c;
}

mt_status bv_refresh(mt_browser *b, bview *v, mt_err *err)
{
	size_t keep = v->nvis ? v->vis[v->cur] : SIZE_MAX;
	regex_t re;
	bool use_re = false;
	const char *f = v->filter && *v->filter ? v->filter : NULL;
	if (f) {
		size_t n = strlen(f);
		if (n >= 2 && f[0] == '/' && f[n - 1] == '/') {
			char *pat = bv_strdup(f + 1);
			pat[n - 2] = '\0';
			int rc = regcomp(&re, pat, REG_EXTENDED | REG_ICASE |
							  REG_NOSUB);
			free(pat);
			if (rc != 0)
				return mt_err_set(err, MT_SYNTAX, MT_NO_OFFSET,
						  MT_NO_OFFSET,
						  "bad regular expression %s",
						  f);
			use_re = true;
		}
	}
	bool need_labels = f || v->sort == SORT_LABEL;
	if (need_labels && v->nrows > 100000)
		b->ui->progress(b->ui, "rendering rows", 0, v->nrows);
	free(v->vis);
	v->vis = xmalloc(v->nrows * sizeof *v->vis);
	v->nvis = 0;
	for (size_t i = 0; i < v->nrows; i++) {
		if (f) {
			const char *l = bv_label(b, v, &v->rows[i]);
			if (use_re ? regexec(&re, l, 0, NULL, 0) != 0
				   : !contains_ci(l, f))
				continue;
		} else if (need_labels) {
			bv_label(b, v, &v->rows[i]);
		}
		v->vis[v->nvis++] = i;
	}
	if (use_re)
		regfree(&re);
	if (v->sort != SORT_NATURAL) {
		sort_view = v;
		qsort(v->vis, v->nvis, sizeof *v->vis, cmp_rows);
		sort_view = NULL;
	}
	/* cumulative size in display order */
	uint64_t cum = 0;
	for (size_t i = 0; i < v->nvis; i++) {
		cum += v->rows[v->vis[i]].size;
		v->rows[v->vis[i]].cumul = cum;
	}
	v->cur = 0;
	for (size_t i = 0; keep != SIZE_MAX && i < v->nvis; i++)
		if (v->vis[i] == keep) {
			v->cur = i;
			break;
		}
	size_t page = (size_t)bv_page(b);
	if (v->cur < v->top || v->cur >= v->top + page)
		v->top = v->cur >= page / 2 ? v->cur - page / 2 : 0;
	if (v->top > v->cur)
		v->top = v->cur;
	return MT_OK;
}

mt_status bv_row_set(mt_browser *b, bview *v, const brow *r, mt_set **out,
		     mt_err *err)
{
	(void)b;
	if (v->kinds) {
		size_t n = mt_set_count(v->set), m = 0;
		const uint32_t *ids = mt_set_ids(v->set);
		uint32_t *sel = xmalloc((size_t)r->count * sizeof *sel);
		for (size_t j = 0; j < n && m < r->count; j++)
			if (v->kinds[j] == r->obj)
				sel[m++] = ids[j];
		return mt_set_adopt(out, sel, m, err);
	}
	if (r->obj == MT_NO_ID)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "not an object");
	return mt_set_from_ids(out, &r->obj, 1, err);
}

/* ---- partition view ---- */

/* Points hs and hl at the first `word` at or after byte `at` of the header
 * text written from byte `from` (display cells from `from`). */
static void hl_word(const mt_strbuf *out, size_t from, size_t at,
		    const char *word, int *hs, int *hl)
{
	const char *p = out->s ? strstr(out->s + at, word) : NULL;
	*hs = *hl = 0;
	if (!p)
		return;
	mt_strbuf t;
	mt_strbuf_init(&t);
	mt_strbuf_add(&t, out->s + from, (size_t)(p - out->s) - from);
	*hs = (int)bv_width(t.s ? t.s : "");
	*hl = (int)bv_width(word);
	mt_strbuf_destroy(&t);
}

/* Underlines the column of `sort` (for the label column, its title). */
static void hl_sort(const mt_strbuf *out, size_t from, int sort,
		    const char *title, int *hs, int *hl)
{
	*hs = *hl = 0;
	if (sort == SORT_COUNT)
		hl_word(out, from, from, "Count", hs, hl);
	else if (sort == SORT_SIZE)
		hl_word(out, from, from, "Size", hs, hl);
	else if (sort == SORT_RETAINED)
		hl_word(out, from, from, "Retained", hs, hl);
	else if (sort == SORT_LABEL) {
		const char *r = out->s ? strstr(out->s + from, "Retained ")
				       : NULL;
		hl_word(out, from, r ? (size_t)(r - out->s) + 9 : from, title,
			hs, hl);
	}
}

static void part_columns(mt_browser *b, bview *v, mt_strbuf *out, int sort,
			 int *hs, int *hl)
{
	size_t from = out->len;
	const char *title = v->title ? v->title : "Kind";
	if (b->cols < 72) /* narrow: no percentages, no cumulative */
		mt_strbuf_printf(out, " Index  Count     Size  Retained %s",
				 title);
	else /* heapy's header, Retained before the label */
		mt_strbuf_printf(out, " Index  Count   %%     Size   %% "
				      "Cumulative  %%  Retained %s",
				 title);
	hl_sort(out, from, sort, title, hs, hl);
}

static void fmt_retained(const brow *r, char *buf, size_t n)
{
	if (r->ret == RET_KNOWN)
		snprintf(buf, n, "%9llu", (unsigned long long)r->retained);
	else if (r->ret == RET_NONE)
		snprintf(buf, n, "%9s", "-");
	else
		snprintf(buf, n, "%9s", "...");
}

static void part_row(mt_browser *b, bview *v, brow *r, mt_strbuf *out)
{
	char ret[32];
	fmt_retained(r, ret, sizeof ret);
	if (b->cols < 72) {
		mt_strbuf_printf(out, "%6u %6llu %8llu %s %s", r->index,
				 (unsigned long long)r->count,
				 (unsigned long long)r->size, ret,
				 bv_label(b, v, r));
		return;
	}
	mt_strbuf_printf(out, "%6u %6llu %3d %8llu %3d %9llu %3d %s %s",
			 r->index, (unsigned long long)r->count,
			 mt_table_percent(r->count, v->total_count),
			 (unsigned long long)r->size,
			 mt_table_percent(r->size, v->total_size),
			 (unsigned long long)r->cumul,
			 mt_table_percent(r->cumul, v->total_size), ret,
			 bv_label(b, v, r));
}

static bool part_enter(mt_browser *b, bview *v, brow *r)
{
	mt_err err;
	mt_set *s = NULL;
	mt_err_clear(&err);
	if (bv_row_set(b, v, r, &s, &err) != MT_OK)
		return false;
	char *expr = bv_printf("%s[%u]", v->pexpr, r->index);
	const char *lab = bv_label(b, v, r);
	char *crumb = bv_printf("[%u] %s", r->index, lab);
	mt_status st;
	if (mt_set_count(s) == 1)
		st = bv_open_inspector(b, mt_set_ids(s)[0], expr, crumb, &err);
	else /* heapy's row sets keep their classifier */
		st = bv_open_partition(b, s, v->cls, expr, NULL, crumb, &err);
	free(expr);
	free(crumb);
	mt_set_unref(s);
	return st == MT_OK;
}

static const view_ops part_ops = {
	.name = "partition",
	.sortable = true,
	.has_set = true,
	.retained = true,
	.columns = part_columns,
	.row = part_row,
	.enter = part_enter,
};

static int part_progress(mt_browser *b, const char *what, uint64_t done,
			 uint64_t total)
{
	return b->ui->progress(b->ui, what, done, total);
}

mt_status bv_open_partition(mt_browser *b, mt_set *s, const char *cls,
			    const char *expr, const char *pexpr,
			    const char *crumb, mt_err *err)
{
	mt_classifier *c;
	mt_status st = bv_classifier(b, cls, &c, err);
	if (st != MT_OK)
		return st;
	size_t n = mt_set_count(s);
	const uint32_t *ids = mt_set_ids(s);
	uint32_t *kinds = NULL;
	bool big = n > 200000;
	if (big && part_progress(b, "partitioning", 0, n))
		return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET, MT_NO_OFFSET,
				  NULL);
	if (n && n == mt_graph_count(b->g)) {
		/* the whole heap: ids are 0..N-1 */
		if ((st = mt_classifier_classify_all(c, &kinds, err)) != MT_OK)
			return st;
	} else {
		kinds = xmalloc(n * sizeof *kinds);
		for (size_t j = 0; j < n; j++) {
			st = mt_classifier_classify(c, ids[j], &kinds[j], err);
			if (st != MT_OK) {
				free(kinds);
				return st;
			}
			if (big && (j & 0xffff) == 0xffff &&
			    part_progress(b, "partitioning", j, n)) {
				free(kinds);
				return mt_err_set(err, MT_CANCELLED,
						  MT_NO_OFFSET, MT_NO_OFFSET,
						  NULL);
			}
		}
	}
	uint32_t nk = mt_classifier_kind_count(c);
	uint64_t *cnt = xcalloc(nk, sizeof *cnt), *sz = xcalloc(nk, sizeof *sz);
	for (size_t j = 0; j < n; j++) {
		cnt[kinds[j]]++;
		sz[kinds[j]] += mt_graph_size(b->g, ids[j]);
	}
	size_t m = 0;
	for (uint32_t k = 0; k < nk; k++)
		m += cnt[k] != 0;
	mt_partition_row *in = xcalloc(m, sizeof *in);
	uint32_t *kmap = xcalloc(m, sizeof *kmap);
	m = 0;
	for (uint32_t k = 0; k < nk; k++)
		if (cnt[k]) {
			in[m].label = mt_classifier_label(c, k);
			in[m].count = cnt[k];
			in[m].size = sz[k];
			kmap[m++] = k;
		}
	free(cnt);
	free(sz);
	mt_partition *p = NULL;
	st = mt_partition_from_rows(&p, mt_classifier_header(c), in, m, err);
	free(in);
	if (st != MT_OK) {
		free(kmap);
		free(kinds);
		return st;
	}
	char *wrapped = bv_wrap_expr(expr);
	bview *v = view_new(&part_ops, s, expr, crumb);
	v->pexpr = pexpr ? bv_strdup(pexpr)
			 : bv_printf("%s.by%s", wrapped, cls);
	free(wrapped);
	snprintf(v->cls, sizeof v->cls, "%s", cls);
	v->kinds = kinds;
	v->title = bv_strdup(mt_partition_header(p));
	v->nrows = mt_partition_nrows(p);
	v->rows = xcalloc(v->nrows, sizeof *v->rows);
	for (size_t i = 0; i < v->nrows; i++) {
		const mt_partition_row *pr = mt_partition_row_at(p, i);
		brow *r = &v->rows[i];
		r->label = bv_strdup(pr->label);
		r->count = pr->count;
		r->size = pr->size;
		r->index = (uint32_t)i;
		r->obj = kmap[pr->kind];
		r->nav = 1;
	}
	v->total_count = mt_partition_count(p);
	v->total_size = mt_partition_size(p);
	mt_partition_free(p);
	free(kmap);
	v->sort = SORT_SIZE;
	push(b, v);
	return bv_refresh(b, v, err);
}

/* ---- identity view ---- */

static mt_status brief(mt_browser *b, uint32_t id, mt_strbuf *out)
{
	mt_classifier *c;
	mt_err err;
	uint32_t k;
	if (bv_classifier(b, "clodo", &c, &err) == MT_OK &&
	    mt_classifier_classify(c, id, &k, &err) == MT_OK)
		mt_strbuf_printf(out, "%s ", mt_classifier_label(c, k));
	return mt_pyrepr_limited(b->g, id, out);
}

static mt_status id_label(mt_browser *b, bview *v, brow *r)
{
	mt_strbuf s;
	mt_strbuf_init(&s);
	mt_status st;
	if (v->title && strcmp(v->title, "Brief") == 0)
		st = brief(b, r->obj, &s);
	else
		st = mt_pyrepr_limited(b->g, r->obj, &s);
	r->label = bv_strdup(s.s ? s.s : "");
	mt_strbuf_destroy(&s);
	return st;
}

static void id_columns(mt_browser *b, bview *v, mt_strbuf *out, int sort,
		       int *hs, int *hl)
{
	size_t from = out->len;
	if (b->cols < 72)
		mt_strbuf_printf(out, " Index     Size  Retained %s", v->title);
	else
		mt_strbuf_printf(out, " Index     Size   %%   Cumulative  %%  "
				      " Retained %s",
				 v->title);
	hl_sort(out, from, sort, v->title, hs, hl);
}

static void id_row(mt_browser *b, bview *v, brow *r, mt_strbuf *out)
{
	char ret[32];
	fmt_retained(r, ret, sizeof ret);
	if (b->cols < 72) {
		mt_strbuf_printf(out, "%6u %8llu %s %s", r->index,
				 (unsigned long long)r->size, ret,
				 bv_label(b, v, r));
		return;
	}
	double tot = v->total_size ? (double)v->total_size : 1.0;
	mt_strbuf_printf(out, "%6u %8llu %5.1f %9llu %5.1f  %s %s", r->index,
			 (unsigned long long)r->size, 100.0 * (double)r->size / tot,
			 (unsigned long long)r->cumul,
			 100.0 * (double)r->cumul / tot, ret,
			 bv_label(b, v, r));
}

static bool id_enter(mt_browser *b, bview *v, brow *r)
{
	mt_err err;
	char *w = bv_wrap_expr(v->expr);
	char *expr = bv_printf("%s.byid[%u]", w, r->index);
	free(w);
	char *crumb = bv_printf("[%u] %s", r->index, bv_label(b, v, r));
	mt_status st = bv_open_inspector(b, r->obj, expr, crumb, &err);
	free(expr);
	free(crumb);
	return st == MT_OK;
}

static const view_ops id_ops = {
	.name = "identity",
	.sortable = true,
	.has_set = true,
	.retained = true,
	.label = id_label,
	.columns = id_columns,
	.row = id_row,
	.enter = id_enter,
};

mt_status bv_open_identity(mt_browser *b, mt_set *s, const char *expr,
			   const char *crumb, mt_err *err)
{
	uint32_t *ids = NULL;
	size_t n = mt_set_count(s);
	if (n > 200000 && b->ui->progress(b->ui, "identity order", 0, n))
		return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET, MT_NO_OFFSET,
				  NULL);
	mt_status st = mt_idtable_order(b->g, s, &ids, err);
	if (st != MT_OK)
		return st;
	bview *v = view_new(&id_ops, s, expr, crumb);
	snprintf(v->cls, sizeof v->cls, "id");
	v->pexpr = bv_printf("%s.byid", expr);
	v->nrows = n;
	v->rows = xcalloc(n, sizeof *v->rows);
	mt_pyrepr_style style = n ? mt_pyrepr_style_of(b->g, ids[0]) : 0;
	bool same = true;
	for (size_t i = 0; i < n; i++) {
		brow *r = &v->rows[i];
		r->obj = ids[i];
		r->count = 1;
		r->size = mt_graph_size(b->g, ids[i]);
		r->index = (uint32_t)i;
		r->nav = 1;
		v->total_size += r->size;
		if (same && mt_pyrepr_style_of(b->g, ids[i]) != style)
			same = false;
	}
	free(ids);
	v->total_count = n;
	v->title = bv_strdup(same ? mt_pyrepr_style_header(style) : "Brief");
	v->sort = SORT_SIZE;
	push(b, v);
	return bv_refresh(b, v, err);
}

/* ---- inspector ---- */

static void insp_columns(mt_browser *b, bview *v, mt_strbuf *out, int sort,
			 int *hs, int *hl)
{
	(void)b;
	(void)v;
	(void)sort; /* the inspector keeps the object's own order */
	mt_strbuf_printf(out, "    Size  Retained Relation and object");
	*hs = *hl = 0;
}

static void insp_row(mt_browser *b, bview *v, brow *r, mt_strbuf *out)
{
	if (!r->nav) {
		mt_strbuf_printf(out, "%s", bv_label(b, v, r));
		return;
	}
	char ret[32];
	fmt_retained(r, ret, sizeof ret);
	mt_strbuf_printf(out, "%8llu %s %s", (unsigned long long)r->size, ret,
			 bv_label(b, v, r));
}

static char *object_expr(mt_browser *b, uint32_t id, const char *fallback)
{
	uint64_t a = mt_graph_addr(b->g, id);
	if (a)
		return bv_printf("h & hp.Id(0x%llx)", (unsigned long long)a);
	return bv_strdup(fallback);
}

static bool insp_enter(mt_browser *b, bview *v, brow *r)
{
	if (!r->nav || r->obj == MT_NO_ID)
		return false;
	mt_err err;
	char *w = bv_wrap_expr(v->expr);
	char *fb = bv_printf("%s.%s", w,
			     r->index < v->split ? "referents" : "referrers");
	free(w);
	char *expr = object_expr(b, r->obj, fb);
	mt_strbuf s;
	mt_strbuf_init(&s);
	mt_pyrepr_limited(b->g, r->obj, &s);
	mt_status st = bv_open_inspector(b, r->obj, expr, s.s ? s.s : "?",
					 &err);
	mt_strbuf_destroy(&s);
	free(fb);
	free(expr);
	return st == MT_OK;
}

static const view_ops insp_ops = {
	.name = "inspector",
	.sortable = false,
	.has_set = true,
	.retained = true,
	.columns = insp_columns,
	.row = insp_row,
	.enter = insp_enter,
};

static brow *add_row(bview *v, size_t *cap)
{
	if (v->nrows == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		brow *r = realloc(v->rows, *cap * sizeof *r);
		if (!r) {
			fputs("memtrack-tui: out of memory\n", stderr);
			abort();
		}
		v->rows = r;
	}
	brow *r = &v->rows[v->nrows];
	memset(r, 0, sizeof *r);
	r->index = (uint32_t)v->nrows++;
	r->obj = MT_NO_ID;
	r->ret = RET_NONE;
	return r;
}

static void info_row(bview *v, size_t *cap, const char *text)
{
	brow *r = add_row(v, cap);
	r->label = bv_strdup(text);
}

mt_status bv_open_inspector(mt_browser *b, uint32_t obj, const char *expr,
			    const char *crumb, mt_err *err)
{
	mt_set *s = NULL;
	mt_status st = mt_set_from_ids(&s, &obj, 1, err);
	if (st != MT_OK)
		return st;
	bview *v = view_new(&insp_ops, s, expr, crumb);
	mt_set_unref(s);
	v->obj = obj;
	v->title = bv_strdup("Relation and object");
	snprintf(v->cls, sizeof v->cls, "inspector");
	v->pexpr = bv_strdup(expr);
	size_t cap = 0;
	const mt_graph *g = b->g;
	mt_strbuf t;
	mt_strbuf_init(&t);
	char *line;

	uint64_t addr = mt_graph_addr(g, obj);
	line = addr ? bv_printf("address   0x%llx", (unsigned long long)addr)
		    : bv_printf("address   0x0 (virtual object)");
	info_row(v, &cap, line);
	free(line);
	mt_strbuf_reset(&t);
	brief(b, obj, &t);
	/* brief is "clodo-label rendering": keep the label */
	const char *rend = NULL;
	{
		mt_strbuf rr;
		mt_strbuf_init(&rr);
		mt_pyrepr_limited(g, obj, &rr);
		if (rr.len <= t.len && t.s)
			t.s[t.len - rr.len - (rr.len < t.len ? 1 : 0)] = '\0';
		mt_strbuf_destroy(&rr);
	}
	(void)rend;
	line = bv_printf("type      %s  (kind: %s)",
			 mt_graph_type_label(g, mt_graph_type(g, obj)),
			 t.s ? t.s : "");
	info_row(v, &cap, line);
	free(line);
	line = bv_printf("size      %llu bytes",
			 (unsigned long long)mt_graph_size(g, obj));
	info_row(v, &cap, line);
	free(line);
	if (bv_dominance(b))
		line = bv_printf("retained  %llu bytes",
				 (unsigned long long)mt_domtree_retained(
				     b->dt, obj));
	else
		line = bv_strdup("retained  -");
	info_row(v, &cap, line);
	free(line);
	if (mt_graph_virtual(g, obj))
		line = bv_strdup("refcount  - (virtual)");
	else
		line = bv_printf("refcount  %llu",
				 (unsigned long long)mt_graph_refcnt(g, obj));
	info_row(v, &cap, line);
	free(line);
	mt_strbuf_reset(&t);
	mt_pyrepr_object(g, obj, &t);
	line = bv_printf("value     %s", t.s ? t.s : "");
	info_row(v, &cap, line);
	free(line);

	uint32_t first, n;
	mt_graph_out(g, obj, &first, &n);
	line = bv_printf("Referents (%u):", n);
	info_row(v, &cap, line);
	free(line);
	for (uint32_t e = first; e < first + n; e++) {
		uint32_t tgt = mt_graph_edge_target(g, e);
		mt_strbuf_reset(&t);
		mt_reltext_edge(g, e, "_", &t);
		mt_strbuf_add(&t, "  ", 2);
		brief(b, tgt, &t);
		brow *r = add_row(v, &cap);
		r->label = bv_strdup(t.s ? t.s : "");
		r->obj = tgt;
		r->count = 1;
		r->size = mt_graph_size(g, tgt);
		r->nav = 1;
		r->ret = RET_UNKNOWN;
	}
	mt_graph_in(g, obj, &first, &n);
	v->split = v->nrows;
	line = bv_printf("Referrers (%u):", n);
	info_row(v, &cap, line);
	free(line);
	for (uint32_t p = first; p < first + n; p++) {
		uint32_t src = mt_graph_in_source(g, p);
		uint32_t e = mt_graph_in_edge(g, p);
		mt_strbuf_reset(&t);
		brief(b, src, &t);
		mt_strbuf_add(&t, "  ", 2);
		mt_reltext_via_raw(g, e, &t);
		brow *r = add_row(v, &cap);
		r->label = bv_strdup(t.s ? t.s : "");
		r->obj = src;
		r->count = 1;
		r->size = mt_graph_size(g, src);
		r->nav = 1;
		r->ret = RET_UNKNOWN;
	}
	mt_strbuf_destroy(&t);
	v->total_count = 1;
	v->total_size = mt_graph_size(g, obj);
	v->sort = SORT_NATURAL;
	push(b, v);
	st = bv_refresh(b, v, err);
	/* start on the first navigable row */
	for (size_t i = 0; i < v->nvis; i++)
		if (v->rows[v->vis[i]].nav) {
			v->cur = i;
			break;
		}
	return st;
}

/* ---- text and help ---- */

static void text_columns(mt_browser *b, bview *v, mt_strbuf *out, int sort,
			 int *hs, int *hl)
{
	(void)b;
	(void)sort;
	mt_strbuf_printf(out, "%s", v->title ? v->title : "");
	*hs = *hl = 0;
}

static void text_row(mt_browser *b, bview *v, brow *r, mt_strbuf *out)
{
	mt_strbuf_printf(out, "%s", bv_label(b, v, r));
}

static bool text_enter(mt_browser *b, bview *v, brow *r)
{
	(void)b;
	(void)v;
	(void)r;
	return false;
}

static const view_ops text_ops = {
	.name = "text",
	.columns = text_columns,
	.row = text_row,
	.enter = text_enter,
};

static const view_ops help_ops = {
	.name = "help",
	.columns = text_columns,
	.row = text_row,
	.enter = text_enter,
};

static mt_status open_lines(mt_browser *b, const view_ops *ops,
			    const char *text, const char *title,
			    const char *expr, const char *crumb, mt_err *err)
{
	bview *v = view_new(ops, NULL, expr, crumb);
	v->title = bv_strdup(title);
	size_t cap = 0;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		brow *r = add_row(v, &cap);
		r->label = xmalloc(len + 1);
		memcpy(r->label, p, len);
		r->label[len] = '\0';
		/* tabs become spaces: the screen has no tab stops */
		for (char *c = r->label; *c; c++)
			if (*c == '\t')
				*c = ' ';
		p += len + (nl ? 1 : 0);
	}
	v->sort = SORT_NATURAL;
	push(b, v);
	return bv_refresh(b, v, err);
}

mt_status bv_open_text(mt_browser *b, const char *text, const char *title,
		       const char *expr, const char *crumb, mt_err *err)
{
	return open_lines(b, &text_ops, text, title, expr, crumb, err);
}

static const char help_text[] =
	"Moving\n"
	"  Up, k             previous row\n"
	"  Down, j           next row\n"
	"  PgUp, ^B, ^U      page up (^U: half a page)\n"
	"  PgDn, ^F, ^D      page down (^D: half a page)\n"
	"  Home, g           first row\n"
	"  End, G            last row\n"
	"  wheel             scroll\n"
	"\n"
	"Opening and going back\n"
	"  Enter, Right, l   open the selected row as a set (one object:"
	" the inspector)\n"
	"  Backspace, Left, h, <   back to the previous view\n"
	"  q                 close the view (quit at the last)\n"
	"  Q                 quit\n"
	"  ^L                redraw\n"
	"\n"
	"Partition the current set by\n"
	"  c  class / dict of class     t  type\n"
	"  e  referrer kinds (rcs)      v  via (how it is referred to)\n"
	"  z  individual size           o  module\n"
	"  i  identity (object list)    u  refcount surplus\n"
	"  y  reference cycle\n"
	"\n"
	"Following references\n"
	"  R  referrers of the current set\n"
	"  F  referents of the current set\n"
	"  D  dominated set (what deleting the set frees)\n"
	"  P  shortest paths from the roots to the current set\n"
	"\n"
	"Sorting (again: reverse)\n"
	"  s  size        r  retained size\n"
	"  #  count       a  kind (label)\n"
	"\n"
	"Search and filter\n"
	"  /  search rows as you type (Enter keeps, Esc goes back),\n"
	"     then n / N next / previous\n"
	"  \\  filter rows: text (case-insensitive) or /regex/; empty clears\n"
	"\n"
	"Marks and sets\n"
	"  Space     mark / unmark the row ('*' in the second column)\n"
	"  m LETTER  save the current set (or the marked rows) as LETTER\n"
	"            for expressions: a & b, a - b, a.referrers\n"
	"\n"
	"Prompt\n"
	"  :  a query expression (doc/query.md); Tab completes;\n"
	"     :save-screen PATH writes the screen as text\n"
	"\n"
	"Help\n"
	"  ?, F1  this help\n"
	"\n"
	"Long work (dominator tree, big partitions) shows progress;\n"
	"q or Esc cancels it.\n";

mt_status bv_open_help(mt_browser *b, mt_err *err)
{
	return open_lines(b, &help_ops, help_text, "Keys", "help", "help",
			  err);
}
