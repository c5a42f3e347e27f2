/* The partition view: a set grouped by one classifier, heapy's table.
 *
 * Columns: Index Count % Size % Cumulative % (heapy's widths), Retained,
 * Kind.  When the label column would be narrower than the view's longest
 * label (at most 40 cells), the percentages go, then Cumulative
 * (bv_narrow); a label still too long loses its middle (bv_put_label).
 * The partition is made by the classifier the view keeps (v->cls) from
 * the kind of every member of the set (v->kinds, bv_kinds: one
 * classification pass with the context's progress, heapy's row order):
 * a row's obj is its kind there, and the kinds make a row's set (marks,
 * the "all" row under a filter) one scan.  The Retained figures of the
 * rows on screen come from one pass over the graph for up to 63 rows and
 * the "all" row together (mt_dominance_domisize_kinds), not one traversal
 * a row; progress "retained sizes", cancelled like the rest.  On a big
 * heap (bv_use_bounds) the rows first get their minimum retained sizes
 * (a lower bound from the dominator tree, shown with a ≥) and then the
 * exact figures while no key waits (browser.c).  Enter opens
 * the row as the query layer derives it (mt_query_row: `h.byrcs[3]`, its
 * set by the same classifier, as heapy's row sets keep theirs), or the
 * inspector for a single object.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpriv.h"
#include "memtrack/table.h"

/* The layouts, widest first: heapy's; without the percentages; without
 * Cumulative too.  Cells before the label (the gutter excluded). */
enum { L_FULL, L_NOPCT, L_NARROW };
static const size_t part_prefix[] = {55, 44, 33};

static int part_layout(mt_browser *b, bview *v)
{
	return bv_narrow(b, v, part_prefix, 3);
}

static void part_columns(mt_browser *b, bview *v, mt_strbuf *out, int sort,
			 int *hs, int *hl)
{
	size_t from = out->len;
	const char *title = v->title ? v->title : "Kind";
	switch (part_layout(b, v)) {
	case L_FULL: /* heapy's header, Retained before the label */
		mt_strbuf_printf(out, " Index  Count   %%     Size   %% "
				      "Cumulative  %%  Retained %s",
				 title);
		break;
	case L_NOPCT:
		mt_strbuf_printf(out, " Index  Count     Size Cumulative  "
				      "Retained %s",
				 title);
		break;
	default:
		mt_strbuf_printf(out, " Index  Count     Size  Retained %s",
				 title);
	}
	bv_hl_sort(out, from, sort, title, hs, hl);
}

static void part_row(mt_browser *b, bview *v, brow *r, mt_strbuf *out)
{
	char ret[32], sz[32], cu[32];
	bv_fmt_ret(b, r, ret, sizeof ret);
	bv_size(b, sz, sizeof sz, r->size);
	bv_size(b, cu, sizeof cu, r->cumul);
	char ix[16];
	bv_fmt_index(r, ix, sizeof ix); /* "all" on the "all" row */
	int l = part_layout(b, v);
	if (l == L_FULL)
		mt_strbuf_printf(out, "%s %6llu %3d %8s %3d %9s %3d %s ",
				 ix, (unsigned long long)r->count,
				 mt_table_percent(r->count, v->total_count), sz,
				 mt_table_percent(r->size, v->total_size), cu,
				 mt_table_percent(r->cumul, v->total_size), ret);
	else if (l == L_NOPCT)
		mt_strbuf_printf(out, "%s %6llu %8s %10s %s ", ix,
				 (unsigned long long)r->count, sz, cu, ret);
	else
		mt_strbuf_printf(out, "%s %6llu %8s %s ", ix,
				 (unsigned long long)r->count, sz, ret);
	size_t used = 2 + part_prefix[l];
	bv_put_label(b, v, r, out,
		     (size_t)b->cols > used ? (size_t)b->cols - used : 0);
}

static bool part_enter(mt_browser *b, bview *v, brow *r)
{
	mt_err err;
	mt_qresult row;
	mt_err_clear(&err);
	/* heapy's row sets keep their classifier: v->res[i] */
	if (mt_query_row(b->q, &v->res, r->index, &row, &err) != MT_OK) {
		bv_err(b, NULL, &err);
		return true;
	}
	char *crumb = bv_printf("[%u] %s", r->index, bv_label(b, v, r));
	mt_status st = bv_open_set(b, &row, NULL, crumb, true, &err);
	if (st != MT_OK)
		bv_err(b, NULL, &err);
	free(crumb);
	mt_qresult_destroy(&row);
	return true;
}

/* The members' ids as mt_partition_from_kinds and
 * mt_dominance_domisize_kinds take them: NULL for the whole heap. */
static const uint32_t *member_ids(mt_browser *b, bview *v)
{
	static const uint32_t none[1];
	size_t n = mt_set_count(v->set);
	if (!n)
		return none;
	return n == mt_graph_count(b->g) ? NULL : mt_set_ids(v->set);
}

static int page_progress(void *data, uint64_t done, uint64_t total)
{
	mt_browser *b = data;
	return bv_ret_progress(b, "retained sizes", done, total) ? 1 : 0;
}

static int bound_progress(void *data, uint64_t done, uint64_t total)
{
	mt_browser *b = data;
	return bv_ret_progress(b, "minimum retained sizes", done, total) ? 1
									  : 0;
}

static int rows_progress(void *data, uint64_t done, uint64_t total)
{
	mt_browser *b = data;
	return b->ui->progress(b->ui, "the partition's rows", done, total) ? 1
									   : 0;
}

/* The Retained figures of rows rs[0..n) in one pass: the kinds' rows and,
 * when no row is hidden, the "all" row (the whole set); under a filter
 * the "all" row is left to bv_retained.  With bound, their minimum
 * retained sizes (mt_dominance_minretained_kinds): RET_BOUND, or
 * RET_KNOWN where the bound is the exact figure (a row of one object,
 * the whole heap's "all" row). */
static mt_status part_retained_page(mt_browser *b, bview *v, brow **rs,
				    size_t n, bool bound, mt_err *err)
{
	mt_dominance *dom = bv_dominance(b);
	if (!dom)
		return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
				  MT_NO_OFFSET, "retained sizes");
	mt_status st = bv_kinds(b, v, err);
	if (st != MT_OK)
		return st;
	uint32_t *want = mt_xmalloc((n ? n : 1) * sizeof *want);
	uint64_t *sizes = mt_xmalloc((n ? n : 1) * sizeof *sizes), all = 0;
	brow **rows = mt_xmalloc((n ? n : 1) * sizeof *rows), *every = NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!rs[i]->all) {
			rows[k] = rs[i];
			want[k++] = rs[i]->obj;
		} else if (v->nvis == v->nrows)
			every = rs[i];
	size_t cnt = mt_set_count(v->set);
	const uint32_t *ids = member_ids(b, v);
	if (bound)
		st = mt_dominance_minretained_kinds(
		    dom, ids, v->kinds, v->kinds ? NULL : v->kinds16, cnt,
		    want, k, sizes, every ? &all : NULL, bound_progress, b,
		    err);
	else if (v->kinds)
		st = mt_dominance_domisize_kinds(dom, ids, v->kinds, cnt, want,
						 k, sizes, every ? &all : NULL,
						 page_progress, b, err);
	else
		st = mt_dominance_domisize_kinds16(
		    dom, ids, v->kinds16, cnt, want, k, sizes,
		    every ? &all : NULL, page_progress, b, err);
	if (st == MT_OK) {
		for (size_t i = 0; i < k; i++) {
			rows[i]->retained = sizes[i];
			rows[i]->ret = bound && rows[i]->count != 1 ? RET_BOUND
								     : RET_KNOWN;
		}
		if (every) {
			every->retained = all;
			every->ret = bound && ids ? RET_BOUND : RET_KNOWN;
		}
	}
	free(want);
	free(sizes);
	free(rows);
	return st;
}

static const view_ops part_ops = {
	.name = "partition",
	.caps = BV_SET | BV_SORT | BV_COUNT | BV_RETAINED | BV_KINDS |
		BV_BY | BV_ALL,
	.hint = "open",
	.columns = part_columns,
	.row = part_row,
	.enter = part_enter,
	.retained_page = part_retained_page,
};

/* The rows of partition p (heapy's order): label (taken from p), count,
 * size; obj is the classifier's kind. */
static void part_rows(bview *v, mt_partition *p)
{
	v->title = mt_xstrdup(mt_partition_header(p));
	v->nrows = mt_partition_nrows(p);
	v->rows = mt_xcalloc(v->nrows, sizeof *v->rows);
	for (size_t i = 0; i < v->nrows; i++) {
		const mt_partition_row *pr = mt_partition_row_at(p, i);
		brow *r = &v->rows[i];
		r->label = mt_partition_take_label(p, i);
		r->count = pr->count;
		r->size = pr->size;
		r->index = (uint32_t)i;
		r->obj = pr->kind;
		r->nav = 1;
	}
	v->total_count = mt_partition_count(p);
	v->total_size = mt_partition_size(p);
}

mt_status bv_open_partition(mt_browser *b, const mt_qresult *res,
			    const char *expr, const char *crumb, mt_err *err)
{
	mt_classifier *c = NULL;
	mt_partition *p = NULL;
	bv_use_side(b, bv_side_of(b, res));
	/* one classification pass (the context's progress) by the
	 * classifier the view keeps, for the rows and for v->kinds */
	mt_status st = mt_ctx_classifier(b->ctx, res->er, &c, err);
	if (st != MT_OK)
		return st;
	bview *v = bv_new(&part_ops, res, expr, crumb);
	v->cls = c;
	size_t n = mt_set_count(v->set);
	st = bv_kinds(b, v, err);
	/* (0.2 s at 80M objects: reported; quiet on a small set, as the
	 * classification is) */
	mt_progress_fn cb = n > 200000 ? rows_progress : NULL;
	if (st == MT_OK)
		st = v->kinds ? mt_partition_from_kinds(&p, c, member_ids(b, v),
							v->kinds, n, cb, b,
							err)
			      : mt_partition_from_kinds16(
				    &p, c, member_ids(b, v), v->kinds16, n, cb,
				    b, err);
	if (st != MT_OK) {
		bv_free(v);
		return st;
	}
	part_rows(v, p);
	mt_partition_free(p);
	v->sort = SORT_SIZE;
	bv_push(b, v);
	return bv_refresh(b, v, err);
}
