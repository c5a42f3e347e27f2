/* The partition view: a set grouped by one classifier, heapy's table.
 *
 * Columns: Index Count % Size % Cumulative % (heapy's widths), Retained,
 * Kind.  When the label column would be narrower than the view's longest
 * label (at most 40 cells), the percentages go, then Cumulative
 * (bv_narrow); a label still too long loses its middle (bv_put_label).
 * The partition is the context's (mt_ctx_partition, heapy's row order),
 * made by the classifier the view keeps (v->cls): a row's obj is its kind
 * there, and the kind of every member of the set (v->kinds, made on the
 * first need) makes a row's set (Retained, marks) one scan.  Enter opens
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

static const view_ops part_ops = {
	.name = "partition",
	.caps = BV_SET | BV_SORT | BV_COUNT | BV_RETAINED | BV_KINDS |
		BV_BY | BV_ALL,
	.hint = "open",
	.columns = part_columns,
	.row = part_row,
	.enter = part_enter,
};

/* The rows of partition p (heapy's order): label, count, size; obj is
 * the classifier's kind. */
static void part_rows(bview *v, const mt_partition *p)
{
	v->title = mt_xstrdup(mt_partition_header(p));
	v->nrows = mt_partition_nrows(p);
	v->rows = mt_xcalloc(v->nrows, sizeof *v->rows);
	for (size_t i = 0; i < v->nrows; i++) {
		const mt_partition_row *pr = mt_partition_row_at(p, i);
		brow *r = &v->rows[i];
		r->label = mt_xstrdup(pr->label);
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
	/* the context's partition (its progress), by the classifier the
	 * view keeps so that its kinds stay the rows' */
	mt_status st = mt_ctx_classifier(b->ctx, res->er, &c, err);
	if (st == MT_OK) {
		bv_quiet(b, mt_set_count(res->set));
		st = mt_ctx_partition(b->ctx, c, res->set, &p, err);
		bv_quiet(b, 0);
	}
	if (st != MT_OK) {
		mt_classifier_unref(c);
		return st;
	}
	bview *v = bv_new(&part_ops, res, expr, crumb);
	v->cls = c;
	part_rows(v, p);
	mt_partition_free(p);
	v->sort = SORT_SIZE;
	bv_push(b, v);
	return bv_refresh(b, v, err);
}
