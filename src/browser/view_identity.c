/* The identity view: a set as heapy's identity table, one row per object
 * (mt_idtable_order), labelled by its representation (or "Brief": the
 * clodo kind and the representation, when the objects render in different
 * styles).  Labels are rendered lazily, on screen or for a filter / sort.
 * Enter opens the object's inspector.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpriv.h"
#include "memtrack/idtable.h"
#include "memtrack/pyrepr.h"

static mt_status id_label(mt_browser *b, bview *v, brow *r)
{
	mt_strbuf s;
	mt_strbuf_init(&s);
	mt_status st;
	if (v->title && strcmp(v->title, "Brief") == 0)
		st = bv_brief(b, r->obj, &s);
	else
		st = mt_pyrepr_limited(b->g, r->obj, &s);
	r->label = mt_xstrdup(s.s ? s.s : "");
	mt_strbuf_destroy(&s);
	return st;
}

/* The layouts, widest first (as the partition view's): cells before the
 * label, the gutter excluded. */
enum { L_FULL, L_NOPCT, L_NARROW };
static const size_t id_prefix[] = {49, 37, 26};

static void id_columns(mt_browser *b, bview *v, mt_strbuf *out, int sort,
		       int *hs, int *hl)
{
	size_t from = out->len;
	switch (bv_narrow(b, v, id_prefix, 3)) {
	case L_FULL:
		mt_strbuf_printf(out, " Index     Size   %%   Cumulative  %%  "
				      " Retained %s",
				 v->title);
		break;
	case L_NOPCT:
		mt_strbuf_printf(out, " Index     Size Cumulative  Retained %s",
				 v->title);
		break;
	default:
		mt_strbuf_printf(out, " Index     Size  Retained %s", v->title);
	}
	bv_hl_sort(out, from, sort, v->title, hs, hl);
}

static void id_row(mt_browser *b, bview *v, brow *r, mt_strbuf *out)
{
	char ret[32], sz[32], cu[32];
	bv_fmt_ret(b, r, ret, sizeof ret);
	bv_size(b, sz, sizeof sz, r->size);
	bv_size(b, cu, sizeof cu, r->cumul);
	char ix[16];
	bv_fmt_index(r, ix, sizeof ix); /* "all" on the "all" row */
	int l = bv_narrow(b, v, id_prefix, 3);
	double tot = v->total_size ? (double)v->total_size : 1.0;
	if (l == L_FULL)
		mt_strbuf_printf(out, "%s %8s %5.1f %9s %5.1f  %s ", ix,
				 sz, 100.0 * (double)r->size / tot, cu,
				 100.0 * (double)r->cumul / tot, ret);
	else if (l == L_NOPCT)
		mt_strbuf_printf(out, "%s %8s %10s %s ", ix, sz, cu, ret);
	else
		mt_strbuf_printf(out, "%s %8s %s ", ix, sz, ret);
	size_t used = 2 + id_prefix[l];
	bv_put_label(b, v, r, out,
		     (size_t)b->cols > used ? (size_t)b->cols - used : 0);
}

static bool id_enter(mt_browser *b, bview *v, brow *r)
{
	mt_err err;
	mt_qresult row;
	mt_err_clear(&err);
	if (mt_query_row(b->q, &v->res, r->index, &row, &err) != MT_OK) {
		bv_err(b, NULL, &err);
		return true;
	}
	char *crumb = bv_printf("[%u] %s", r->index, bv_label(b, v, r));
	mt_status st = bv_open_inspector(b, r->obj, &row, crumb, &err);
	if (st != MT_OK)
		bv_err(b, NULL, &err);
	free(crumb);
	mt_qresult_destroy(&row);
	return true;
}

static const view_ops id_ops = {
	.name = "identity",
	.caps = BV_SET | BV_SORT | BV_RETAINED | BV_BY | BV_ALL,
	.hint = "inspect",
	.label = id_label,
	.columns = id_columns,
	.row = id_row,
	.enter = id_enter,
};

mt_status bv_open_identity(mt_browser *b, const mt_qresult *res,
			   const char *expr, const char *crumb, mt_err *err)
{
	bv_use_side(b, bv_side_of(b, res));
	const mt_set *s = res->set;
	uint32_t *ids = NULL;
	size_t n = mt_set_count(s);
	if (n > 200000 && b->ui->progress(b->ui, "identity order", 0, n))
		return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET, MT_NO_OFFSET,
				  NULL);
	mt_status st = mt_idtable_order(b->g, s, &ids, err);
	if (st != MT_OK)
		return st;
	bview *v = bv_new(&id_ops, res, expr, crumb);
	v->nrows = n;
	v->rows = mt_xcalloc(n, sizeof *v->rows);
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
	v->title = mt_xstrdup(same ? mt_pyrepr_style_header(style) : "Brief");
	v->sort = SORT_SIZE;
	bv_push(b, v);
	return bv_refresh(b, v, err);
}

