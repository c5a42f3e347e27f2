/* The view infrastructure: what every view of the browser shares.
 *
 * A view (struct bview, bpriv.h) is made by one file per kind of view,
 * each a small ops table that fills rows (tig's view_ops):
 *   view_partition.c  a set grouped by one classifier
 *   view_identity.c   a set as heapy's identity table, one row per object
 *   view_inspector.c  one object: fields, referents, referrers
 *   view_text.c       lines of text (query results, paths) and the help
 * This file owns their life (new, push, free), the filter and sort that
 * build `vis`, lazy labels, a row's set, the Retained figures, and the
 * pieces several views print (the sort column's underline, the Retained
 * cell, an object's brief).  The analysis is the library's: classifiers,
 * mt_dominance_domisize, pyrepr for the texts.  No curses here.
 */
#include "config.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bpriv.h"
#include "memtrack/classifier.h"
#include "memtrack/dominator.h"
#include "memtrack/pyrepr.h"

/* ---- small helpers (the application dies on OOM: util.h) ---- */

char *bv_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = mt_xmalloc((size_t)(n < 0 ? 0 : n) + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
	va_end(ap);
	return s;
}

bview *bv_top(mt_browser *b)
{
	return b->depth ? b->stack[b->depth - 1] : NULL;
}

/* Appends the "all" row of a BV_ALL view (bv_refresh puts it first). */
static void add_all_row(bview *v)
{
	v->rows = mt_xrealloc(v->rows, v->nrows + 1, sizeof *v->rows);
	brow *r = &v->rows[v->nrows];
	memset(r, 0, sizeof *r);
	r->index = (uint32_t)v->nrows++;
	r->obj = MT_NO_ID;
	r->all = 1;
	r->ret = v->ops->caps & BV_RETAINED ? RET_UNKNOWN : RET_NONE;
}

void bv_push(mt_browser *b, bview *v)
{
	if (v->ops->caps & BV_ALL)
		add_all_row(v);
	v->side = b->cur;
	if (b->depth == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 8;
		b->stack = mt_xrealloc(b->stack, nc, sizeof *b->stack);
		b->cap = nc;
	}
	b->stack[b->depth++] = v;
}

bview *bv_new(const view_ops *ops, const mt_qresult *res, const char *expr,
	      const char *crumb)
{
	bview *v = mt_xcalloc(1, sizeof *v);
	v->ops = ops;
	if (res) {
		v->res.kind = res->kind;
		v->res.set = res->set ? mt_set_ref(res->set) : NULL;
		snprintf(v->res.er, sizeof v->res.er, "%s", res->er);
		v->res.expr = mt_xstrdup(res->expr);
		v->res.of = res->of;
		v->set = res->set ? mt_set_ref(res->set) : NULL;
	}
	v->expr = mt_xstrdup(expr ? expr : v->res.expr);
	v->crumb = mt_xstrdup(crumb);
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
	mt_big_free(v->kinds);
	mt_big_free(v->kinds16);
	free(v->filter);
	free(v->expr);
	free(v->crumb);
	free(v->title);
	mt_classifier_unref(v->cls);
	mt_qresult_destroy(&v->res);
	mt_set_unref(v->set);
	free(v);
}

mt_status bv_open_set(mt_browser *b, const mt_qresult *res, const char *expr,
		      const char *crumb, bool inspect, mt_err *err)
{
	bv_use_side(b, bv_side_of(b, res));
	if (inspect && mt_set_count(res->set) == 1)
		return bv_open_inspector(b, mt_set_ids(res->set)[0], res, crumb,
					 err);
	if (strcmp(res->er, "id") == 0)
		return bv_open_identity(b, res, expr, crumb, err);
	return bv_open_partition(b, res, expr, crumb, err);
}

/* ---- dominance (long work, the context's) ---- */

mt_dominance *bv_dominance(mt_browser *b)
{
	mt_dominance *dom = NULL;
	if (b->dom_state > 1 || b->opts.no_retained)
		return NULL;
	mt_err err;
	mt_err_clear(&err);
	mt_status st = mt_ctx_dominance(b->ctx, &dom, &err);
	if (st != MT_OK) {
		b->dom_state = st == MT_CANCELLED ? 2 : 3;
		free(b->msg);
		b->msg = mt_xstrdup(st == MT_CANCELLED
				       ? "retained sizes cancelled (r retries)"
				       : "retained sizes unavailable");
		b->msg_err = st != MT_CANCELLED;
		return NULL;
	}
	b->dom_state = 1;
	return dom;
}

bool bv_obj_retained(mt_browser *b, uint32_t obj, uint64_t *out)
{
	const mt_domtree *t;
	mt_err err;
	if (!bv_dominance(b) || mt_ctx_domtree(b->ctx, &t, &err) != MT_OK)
		return false;
	*out = mt_domtree_retained(t, obj);
	return true;
}

mt_status bv_retained(mt_browser *b, bview *v, brow *r, mt_err *err)
{
	if (r->ret != RET_UNKNOWN)
		return MT_OK;
	if (v->ops->retained)
		return v->ops->retained(b, v, r, err);
	mt_dominance *dom = bv_dominance(b);
	if (!dom)
		return MT_CANCELLED;
	bool kinds = v->ops->caps & BV_KINDS;
	if (r->obj != MT_NO_ID && !kinds && !r->all) {
		if (!bv_obj_retained(b, r->obj, &r->retained))
			return MT_CANCELLED;
		r->ret = RET_KNOWN;
		return MT_OK;
	}
	if (!kinds && !r->all) {
		r->ret = RET_NONE;
		return MT_OK;
	}
	mt_set *s = NULL;
	mt_status st = bv_row_set(b, v, r, &s, err);
	if (st == MT_OK)
		st = mt_dominance_domisize(dom, s, &r->retained, err);
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
	if (sort_view->ops->cmp)
		c = sort_view->ops->cmp(sort_view, a, b, sort_view->sort);
	else
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
			char *pat = mt_xstrdup(f + 1);
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
	v->vis = mt_xmalloc((v->nrows ? v->nrows : 1) * sizeof *v->vis);
	v->nvis = 0;
	size_t all = SIZE_MAX;
	for (size_t i = 0; i < v->nrows; i++) {
		if (v->rows[i].all) {
			all = i;
			continue;
		}
		if (v->ops->keep && !v->ops->keep(v, &v->rows[i]))
			continue;
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
		/* rows often come in this order already (a partition's by
		 * size): a look instead of a sort of 2M rows at 80M objects */
		size_t i = 1;
		sort_view = v;
		while (i < v->nvis && cmp_rows(&v->vis[i - 1], &v->vis[i]) <= 0)
			i++;
		if (i < v->nvis)
			qsort(v->vis, v->nvis, sizeof *v->vis, cmp_rows);
		sort_view = NULL;
	}
	/* cumulative size in display order */
	uint64_t cum = 0, count = 0;
	for (size_t i = 0; i < v->nvis; i++) {
		cum += v->rows[v->vis[i]].size;
		count += v->rows[v->vis[i]].count;
		v->rows[v->vis[i]].cumul = cum;
	}
	if (all != SIZE_MAX) { /* first, whatever the sort: the rows shown */
		brow *r = &v->rows[all];
		memmove(v->vis + 1, v->vis, v->nvis * sizeof *v->vis);
		v->vis[0] = all;
		r->count = count;
		r->size = r->cumul = cum;
		free(r->label);
		r->label = v->nvis + 1 == v->nrows
			       ? bv_printf("(all %zu row%s)", v->nvis,
					   v->nvis == 1 ? "" : "s")
			       : bv_printf("(all %zu row%s shown, of %zu)",
					   v->nvis, v->nvis == 1 ? "" : "s",
					   v->nrows - 1);
		v->nvis++;
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

/* The page pass's scratch (4 to 9 bytes per object, kept between pages)
 * goes before a new view's set and kinds are made: it would add to them
 * at the peak of a re-partition, `R` and the like.  Its pages are kept
 * (util.h, "big arrays kept warm") for the new view's kinds and its
 * page pass's scratch.  With `release` (the new view's set is made
 * first: the rows' objects, referrers) only MT_BROWSER_KEEP_NEW bytes an
 * object stay kept, for its page pass's masks: the set's own arrays come
 * on top of them. */
static void trim_retained(mt_browser *b, bool release)
{
	if (b->dom_state == 1) {
		mt_dominance *dom = bv_dominance(b);
		if (dom)
			mt_dominance_trim(dom);
	}
	if (release)
		mt_big_release(MT_BROWSER_KEEP_NEW *
			       (size_t)mt_graph_count(b->g));
}

/* The kind of every member of a partition view's set: v->kinds16 when
 * every kind fits in 16 bits (written so at once: 2 bytes an object),
 * else v->kinds (mt_kinds_out, partition.h), with the context's progress
 * ("partition by NAME") every 64k members. */
static mt_status member_kinds(mt_browser *b, bview *v, mt_err *err)
{
	size_t n = mt_set_count(v->set);
	trim_retained(b, false);
	if (n && n == mt_graph_count(b->g)) /* the whole heap: ids 0..N-1 */
		return mt_ctx_classify_all(b->ctx, v->cls, &v->kinds,
					   &v->kinds16, err);
	const uint32_t *ids = mt_set_ids(v->set); /* (the whole heap's are
						      not written) */
	char *what = bv_printf("partition by %s", mt_classifier_name(v->cls));
	mt_kinds_out k;
	mt_status st = mt_kinds_out_init(&k, n, true, err);
	for (size_t j = 0; j < n && st == MT_OK; j++) {
		uint32_t kind;
		if (!(j & 0xffff) &&
		    mt_ctx_progress(b->ctx, what, j, n))
			st = mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
					MT_NO_OFFSET, "%s", what);
		else if ((st = mt_classifier_classify(v->cls, ids[j], &kind,
						      err)) == MT_OK)
			mt_kinds_out_put(&k, j, kind);
	}
	free(what);
	if (st != MT_OK) {
		mt_kinds_out_free(&k);
		return st;
	}
	mt_kinds_out_take(&k, &v->kinds, &v->kinds16);
	return MT_OK;
}

mt_status bv_kinds(mt_browser *b, bview *v, mt_err *err)
{
	if (v->kinds || v->kinds16)
		return MT_OK;
	bv_quiet(b, mt_set_count(v->set));
	mt_status st = member_kinds(b, v, err);
	bv_quiet(b, 0);
	return st;
}

/* The objects of rows rs[0..n) (not the "all" row): members of their
 * kinds in a partition view, their objects in others. */
static mt_status rows_set(mt_browser *b, bview *v, brow *const *rs, size_t n,
			  mt_set **out, mt_err *err)
{
	*out = NULL;
	if (!(v->ops->caps & BV_KINDS)) {
		uint32_t *ids = mt_xmalloc((n ? n : 1) * sizeof *ids);
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (rs[i]->obj != MT_NO_ID)
				ids[m++] = rs[i]->obj;
		mt_status st = m || !n ? mt_set_from_ids(out, ids, m, err)
				       : mt_err_set(err, MT_ARG, MT_NO_OFFSET,
						    MT_NO_OFFSET,
						    "not an object");
		free(ids);
		return st;
	}
	mt_status st = bv_kinds(b, v, err);
	if (st != MT_OK)
		return st;
	uint32_t *want = mt_xmalloc((n ? n : 1) * sizeof *want);
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++) {
		want[i] = rs[i]->obj;
		total += rs[i]->count;
	}
	qsort(want, n, sizeof *want, mt_cmp_u32);
	size_t cnt = mt_set_count(v->set), m = 0;
	/* (the whole heap's ids are j: its set's are never written) */
	const uint32_t *ids =
	    cnt == mt_graph_count(b->g) ? NULL : mt_set_ids(v->set);
	uint32_t *sel = mt_xmalloc((size_t)(total ? total : 1) * sizeof *sel);
	/* a scan of the view's whole set (0.7 s at 80M objects): reported */
	for (size_t j = 0; j < cnt && m < total; j++) {
		if (!(j & 0xffff) && j &&
		    mt_ctx_progress(b->ctx, "the rows' objects", j, cnt)) {
			free(want);
			free(sel);
			return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
					  MT_NO_OFFSET, "the rows' objects");
		}
		uint32_t kj = v->kinds ? v->kinds[j] : v->kinds16[j];
		if (n == 1 ? kj == want[0]
			   : bsearch(&kj, want, n, sizeof *want,
				     mt_cmp_u32) != NULL)
			sel[m++] = ids ? ids[j] : (uint32_t)j;
	}
	free(want);
	return mt_set_adopt(out, sel, m, err);
}

/* The rows shown other than the "all" row (malloc'd, *n of them). */
static brow **shown_rows(bview *v, size_t *n)
{
	brow **rs = mt_xmalloc((v->nvis ? v->nvis : 1) * sizeof *rs);
	*n = 0;
	for (size_t k = 0; k < v->nvis; k++)
		if (!v->rows[v->vis[k]].all)
			rs[(*n)++] = &v->rows[v->vis[k]];
	return rs;
}

/* Whether the "all" row of v stands for fewer rows than v has. */
static bool rows_hidden(const bview *v)
{
	return v->nvis != v->nrows;
}

mt_status bv_row_set(mt_browser *b, bview *v, const brow *r, mt_set **out,
		     mt_err *err)
{
	*out = NULL;
	if (r->all && !rows_hidden(v)) {
		*out = mt_set_ref(v->set);
		return MT_OK;
	}
	if (r->all) {
		size_t n;
		brow **rs = shown_rows(v, &n);
		mt_status st = rows_set(b, v, rs, n, out, err);
		free(rs);
		return st;
	}
	brow *one = (brow *)r;
	return rows_set(b, v, &one, 1, out, err);
}

/* ---- what the row keys act on ---- */

void bv_all_reset(bview *v)
{
	for (size_t i = 0; i < v->nrows; i++)
		if (v->rows[i].all && (v->rows[i].ret == RET_KNOWN ||
				       v->rows[i].ret == RET_BOUND))
			v->rows[i].ret = RET_UNKNOWN;
}

void bv_fmt_index(const brow *r, char *buf, size_t n)
{
	if (r->all)
		snprintf(buf, n, "%6s", "all");
	else
		snprintf(buf, n, "%6u", r->index);
}

brow *bv_target_row(bview *v)
{
	if (!v->nvis)
		return NULL;
	brow *r = &v->rows[v->vis[v->cur]];
	if (r->all)
		return rows_hidden(v) ? r : NULL;
	return r->nav ? r : NULL; /* an information row: the whole view */
}

static int cmp_row_index(const void *pa, const void *pb)
{
	const brow *a = *(brow *const *)pa, *b = *(brow *const *)pb;
	return a->index < b->index ? -1 : a->index > b->index;
}

static void copy_result(mt_qresult *out, const mt_qresult *r)
{
	memset(out, 0, sizeof *out);
	out->kind = r->kind;
	out->set = r->set ? mt_set_ref(r->set) : NULL;
	out->of = r->of;
	memcpy(out->er, r->er, sizeof out->er);
	out->expr = mt_xstrdup(r->expr ? r->expr : "");
}

/* Object row r of a view whose rows are not its result's (the
 * inspector): the object alone, named `h & hp.Id(ADDRESS)`; a virtual
 * object (no address) by the set it was reached through, as Enter
 * names it. */
static mt_status object_result(mt_browser *b, bview *v, const brow *r,
			       mt_qresult *out, mt_err *err)
{
	if (mt_graph_addr(b->g, r->obj))
		return bv_query_object(b, r->obj, out, err);
	mt_qresult by;
	mt_status st = mt_query_attr(b->q, &v->res,
				     r->index < v->split ? "referents"
							 : "referrers",
				     &by, err);
	if (st != MT_OK)
		return st;
	memset(out, 0, sizeof *out);
	out->kind = MT_QRESULT_SET;
	snprintf(out->er, sizeof out->er, "id");
	out->expr = by.expr;
	by.expr = NULL;
	mt_qresult_destroy(&by);
	st = mt_set_from_ids(&out->set, &r->obj, 1, err);
	if (st != MT_OK)
		mt_qresult_destroy(out);
	return st;
}

/* The union of rows rs[0..n) (n >= 1, none the "all" row).  Rows of the
 * view's result (BV_BY): the query layer's row `E[i]` for one row; for
 * several, `E[i] | E[j:k] | ...` (runs of indexes as slices, E as the
 * query layer spells the first row) and their objects in one scan.
 * Other views' rows are objects: `h & hp.Id(A) | h & hp.Id(B)`. */
static mt_status rows_result(mt_browser *b, bview *v, brow **rs, size_t n,
			     mt_qresult *out, mt_err *err)
{
	memset(out, 0, sizeof *out);
	if (!(v->ops->caps & BV_BY)) {
		mt_status st = MT_OK;
		for (size_t i = 0; i < n && st == MT_OK; i++) {
			mt_qresult one;
			mt_set *u = NULL;
			st = object_result(b, v, rs[i], &one, err);
			if (st != MT_OK)
				break;
			if (i == 0) {
				*out = one;
				continue;
			}
			st = mt_set_op(&u, MT_SETOP_OR, out->set, one.set, err);
			if (st == MT_OK) {
				char *e = bv_printf("%s | %s", out->expr,
						    one.expr);
				mt_set_unref(out->set);
				out->set = u;
				free(out->expr);
				out->expr = e;
			}
			mt_qresult_destroy(&one);
		}
		if (st != MT_OK)
			mt_qresult_destroy(out);
		return st;
	}
	qsort(rs, n, sizeof *rs, cmp_row_index);
	if (n == 1 && (v->ops->caps & BV_KINDS) && (v->kinds || v->kinds16)) {
		/* the row's objects from the kinds the view keeps (one scan,
		 * reported), not from the query layer, which would partition
		 * the view's whole set again (a classification pass and one
		 * more for the row's members: 2 s at 80M objects) */
		mt_set *s = NULL;
		mt_status st = rows_set(b, v, rs, 1, &s, err);
		if (st == MT_OK) {
			st = mt_query_row_given(b->q, &v->res, rs[0]->index, s,
						out, err);
			mt_set_unref(s);
		}
		return st;
	}
	mt_status st = mt_query_row(b->q, &v->res, rs[0]->index, out, err);
	if (st != MT_OK || n == 1)
		return st;
	/* E: the first row's expression without its "[i]" */
	char *idx = bv_printf("[%u]", rs[0]->index);
	size_t len = strlen(out->expr), il = strlen(idx);
	bool ok = len > il && strcmp(out->expr + len - il, idx) == 0;
	free(idx);
	mt_set *s = NULL;
	if (!ok)
		st = mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				"no expression for several rows of %s",
				out->expr);
	if (st == MT_OK)
		st = rows_set(b, v, rs, n, &s, err);
	if (st != MT_OK) {
		mt_qresult_destroy(out);
		return st;
	}
	mt_strbuf e;
	mt_strbuf_init(&e);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && rs[j]->index == rs[j - 1]->index + 1)
			j++;
		mt_strbuf_printf(&e, "%s%.*s", i ? " | " : "",
				 (int)(len - il), out->expr);
		if (j - i == 1)
			mt_strbuf_printf(&e, "[%u]", rs[i]->index);
		else
			mt_strbuf_printf(&e, "[%u:%u]", rs[i]->index,
					 rs[j - 1]->index + 1);
		i = j;
	}
	mt_set_unref(out->set);
	out->set = s;
	free(out->expr);
	out->expr = mt_xstrdup(e.s ? e.s : "");
	mt_strbuf_destroy(&e);
	return MT_OK;
}

mt_status bv_shown(mt_browser *b, bview *v, mt_qresult *out, mt_err *err)
{
	size_t n;
	brow **rs = shown_rows(v, &n);
	mt_status st = n ? rows_result(b, v, rs, n, out, err)
			 : mt_err_set(err, MT_RANGE, MT_NO_OFFSET,
				      MT_NO_OFFSET, "no row shown");
	free(rs);
	return st;
}

mt_status bv_target(mt_browser *b, bview *v, mt_qresult *out,
		    size_t *nmarked, mt_err *err)
{
	memset(out, 0, sizeof *out);
	*nmarked = 0;
	if (v->ops->target) {
		trim_retained(b, true); /* a new view is coming */
		return v->ops->target(b, v, out, nmarked, err);
	}
	brow **rs = mt_xmalloc((v->nrows ? v->nrows : 1) * sizeof *rs);
	size_t n = 0;
	for (size_t i = 0; i < v->nrows; i++)
		if (v->rows[i].marked && !v->rows[i].all)
			rs[n++] = &v->rows[i];
	mt_status st = MT_OK;
	brow *r = bv_target_row(v);
	/* a new view is coming; the view's own set (no row, or the "all"
	 * row with every row shown) is taken as it is, no array made */
	trim_retained(b, n || r || !v->set);
	if (n) {
		*nmarked = n;
		st = rows_result(b, v, rs, n, out, err);
	} else if (r && r->all) {
		st = bv_shown(b, v, out, err);
	} else if (r) {
		st = rows_result(b, v, &r, 1, out, err);
	} else if (v->set) {
		copy_result(out, &v->res);
	} else {
		st = mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				"no set here");
	}
	free(rs);
	return st;
}

mt_status bv_query_object(mt_browser *b, uint32_t id, mt_qresult *out,
			  mt_err *err)
{
	if (!b->nside || b->cur == (int)b->nside - 1)
		return mt_query_object(b->q, id, out, err);
	/* an object of another dump: its session's `h & hp.Id(A)` is
	 * `h0 & hp.Id(A)` in b->q's */
	bside *s = &b->side[b->cur];
	mt_status st = mt_query_object(s->q, id, out, err);
	if (st != MT_OK)
		return st;
	if (out->expr && out->expr[0] == 'h' && out->expr[1] == ' ') {
		char *e = bv_printf("%s%s", s->name, out->expr + 1);
		free(out->expr);
		out->expr = e;
	}
	out->of = s->q;
	return MT_OK;
}

mt_status bv_bind_ids(mt_browser *b, const char *name, const uint32_t *ids,
		      size_t n, mt_qresult *out, mt_err *err)
{
	mt_set *s;
	mt_status st = mt_set_from_ids(&s, ids, n, err);
	if (st != MT_OK)
		return st;
	/* a set of another dump (a comparison's OLD) is bound with it */
	st = mt_query_bind_set_of(b->q, name, s,
				  b->nside ? b->side[b->cur].q : NULL, err);
	mt_set_unref(s);
	if (st == MT_OK)
		st = mt_query_eval(b->q, name, out, err);
	return st;
}

mt_status bv_open_ids(mt_browser *b, const char *name, const uint32_t *ids,
		      size_t n, const char *crumb, mt_err *err)
{
	mt_qresult res;
	mt_status st;
	if (n == 1) {
		bool named = bv_query_object(b, ids[0], &res, err) == MT_OK;
		if (!named)
			mt_err_clear(err); /* a virtual object: no hp.Id */
		st = bv_open_inspector(b, ids[0], named ? &res : NULL, crumb,
				       err);
		if (named)
			mt_qresult_destroy(&res);
		return st;
	}
	if ((st = bv_bind_ids(b, name, ids, n, &res, err)) != MT_OK)
		return st;
	st = bv_open_set(b, &res, NULL, crumb, false, err);
	mt_qresult_destroy(&res);
	if (st == MT_OK) {
		char cnt[MT_FMT_COUNT_MAX];
		char *msg = bv_printf("%s objects, bound to %s",
				      mt_fmt_count(cnt, sizeof cnt, n), name);
		bv_msg(b, false, msg);
		free(msg);
	}
	return st;
}

/* ---- pieces the views share ---- */

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
void bv_hl_sort(const mt_strbuf *out, size_t from, int sort,
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

void bv_fmt_retained(const brow *r, char *buf, size_t n)
{
	if (r->ret == RET_KNOWN)
		snprintf(buf, n, "%9llu", (unsigned long long)r->retained);
	else if (r->ret == RET_NONE)
		snprintf(buf, n, "%9s", "-");
	else
		snprintf(buf, n, "%9s", "...");
}

const char *bv_kind_label(mt_browser *b, uint32_t id)
{
	mt_err err;
	uint32_t k;
	if (!b->clodo &&
	    mt_ctx_classifier(b->ctx, "clodo", &b->clodo, &err) != MT_OK)
		return "";
	if (mt_classifier_classify(b->clodo, id, &k, &err) == MT_OK)
		return mt_classifier_label(b->clodo, k);
	return "";
}

mt_status bv_brief(mt_browser *b, uint32_t id, mt_strbuf *out)
{
	const char *kind = bv_kind_label(b, id);
	if (*kind)
		mt_strbuf_printf(out, "%s ", kind);
	return mt_pyrepr_limited(b->g, id, out);
}

brow *bv_add_row(bview *v, size_t *cap)
{
	if (v->nrows == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		v->rows = mt_xrealloc(v->rows, *cap, sizeof *v->rows);
	}
	brow *r = &v->rows[v->nrows];
	memset(r, 0, sizeof *r);
	r->index = (uint32_t)v->nrows++;
	r->obj = MT_NO_ID;
	r->ret = RET_NONE;
	return r;
}

void bv_info_row(bview *v, size_t *cap, const char *text)
{
	brow *r = bv_add_row(v, cap);
	r->label = mt_xstrdup(text);
}

