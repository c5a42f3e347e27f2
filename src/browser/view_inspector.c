/* The inspector: one object.  Information rows first (address, type and
 * kind, size, retained, refcount, value), then its referents (`_.attr
 * kind value`) and its referrers (`kind value  .attr`), each opening that
 * object's inspector.  v->split is the first row of the referrers, so
 * Enter knows which way a row points.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpriv.h"
#include "memtrack/pyrepr.h"
#include "memtrack/reltext.h"

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
	char ret[32], sz[32];
	bv_fmt_ret(b, r, ret, sizeof ret);
	mt_strbuf_printf(out, "%8s %s %s", bv_size(b, sz, sizeof sz, r->size),
			 ret, bv_label(b, v, r));
}

/* The expression of one object: `h & hp.Id(ADDRESS)` (the language has
 * no derivation for "the object at this address"; this is the one query
 * text the browser writes), NULL for a virtual object (no address). */
static char *object_expr(mt_browser *b, uint32_t id)
{
	uint64_t a = mt_graph_addr(b->g, id);
	/* `h0 & hp.Id(A)` for an object of another dump (bv_query_object) */
	const char *h = b->nside ? b->side[b->cur].name : "h";
	return a ? bv_printf("%s & hp.Id(0x%llx)", h, (unsigned long long)a)
		 : NULL;
}

static bool insp_enter(mt_browser *b, bview *v, brow *r)
{
	if (!r->nav || r->obj == MT_NO_ID)
		return false;
	mt_err err;
	mt_err_clear(&err);
	mt_qresult res = {MT_QRESULT_SET};
	mt_status st = MT_OK;
	res.of = v->res.of; /* an object of the view's dump */
	if (!(res.expr = object_expr(b, r->obj))) {
		/* virtual: named by the set it was reached through */
		mt_qresult by;
		st = mt_query_attr(b->q, &v->res,
				   r->index < v->split ? "referents"
						       : "referrers",
				   &by, &err);
		if (st == MT_OK) {
			res.expr = mt_xstrdup(by.expr);
			mt_qresult_destroy(&by);
		}
	}
	if (st == MT_OK)
		st = mt_set_from_ids(&res.set, &r->obj, 1, &err);
	mt_strbuf s;
	mt_strbuf_init(&s);
	mt_pyrepr_limited(b->g, r->obj, &s);
	if (st == MT_OK)
		st = bv_open_inspector(b, r->obj, &res, s.s ? s.s : "?", &err);
	if (st != MT_OK)
		bv_err(b, NULL, &err);
	mt_strbuf_destroy(&s);
	mt_qresult_destroy(&res);
	return true;
}

static const view_ops insp_ops = {
	.name = "inspector",
	.caps = BV_SET | BV_RETAINED | BV_STOPS,
	.hint = "open object",
	.columns = insp_columns,
	.row = insp_row,
	.enter = insp_enter,
};

/* A size in both units, whatever the browser shows now (the information
 * rows are made once): "1.23 kB (1,234 bytes)", "56 bytes" below 1 kB.
 * buf holds 48 bytes. */
static const char *both(char *buf, uint64_t bytes)
{
	char h[MT_FMT_SIZE_MAX], c[MT_FMT_COUNT_MAX];
	mt_fmt_count(c, sizeof c, bytes);
	if (bytes < 1000)
		snprintf(buf, 48, "%s bytes", c);
	else
		snprintf(buf, 48, "%s (%s bytes)",
			 mt_fmt_size(h, sizeof h, bytes), c);
	return buf;
}

/* address, type and kind, size, retained, refcount, value */
static void info_rows(mt_browser *b, bview *v, size_t *cap, uint32_t obj)
{
	const mt_graph *g = b->g;
	uint64_t addr = mt_graph_addr(g, obj), ret;
	mt_strbuf t;
	mt_strbuf_init(&t);
	char *line[6];
	line[0] = addr ? bv_printf("address   0x%llx", (unsigned long long)addr)
		       : bv_printf("address   0x0 (virtual object)");
	line[1] = bv_printf("type      %s  (kind: %s)",
			    mt_graph_type_label(g, mt_graph_type(g, obj)),
			    bv_kind_label(b, obj));
	char s1[48], s2[48], c[MT_FMT_COUNT_MAX];
	line[2] = bv_printf("size      %s", both(s1, mt_graph_size(g, obj)));
	line[3] = bv_obj_retained(b, obj, &ret)
		      ? bv_printf("retained  %s", both(s2, ret))
		      : mt_xstrdup("retained  -");
	line[4] = mt_graph_virtual(g, obj)
		      ? mt_xstrdup("refcount  - (virtual)")
		      : bv_printf("refcount  %s",
				  mt_fmt_count(c, sizeof c,
					       mt_graph_refcnt(g, obj)));
	mt_pyrepr_object(g, obj, &t);
	line[5] = bv_printf("value     %s", t.s ? t.s : "");
	mt_strbuf_destroy(&t);
	for (size_t i = 0; i < 6; i++) {
		bv_info_row(v, cap, line[i]);
		free(line[i]);
	}
}

/* A row opening object id, labelled label. */
static void obj_row(mt_browser *b, bview *v, size_t *cap, uint32_t id,
		    const char *label)
{
	brow *r = bv_add_row(v, cap);
	r->label = mt_xstrdup(label);
	r->obj = id;
	r->count = 1;
	r->size = mt_graph_size(b->g, id);
	r->nav = 1;
	r->ret = RET_UNKNOWN;
}

/* "Referents (N):", then `_.attr  kind value` per out-edge */
static void referent_rows(mt_browser *b, bview *v, size_t *cap, uint32_t obj)
{
	const mt_graph *g = b->g;
	uint32_t first, n;
	mt_strbuf t;
	mt_strbuf_init(&t);
	mt_graph_out(g, obj, &first, &n);
	char cn[MT_FMT_COUNT_MAX];
	char *line = bv_printf("Referents (%s):", mt_fmt_count(cn, sizeof cn, n));
	bv_info_row(v, cap, line);
	free(line);
	for (uint32_t e = first; e < first + n; e++) {
		uint32_t tgt = mt_graph_edge_target(g, e);
		mt_strbuf_reset(&t);
		mt_reltext_edge(g, e, "_", &t);
		mt_strbuf_add(&t, "  ", 2);
		bv_brief(b, tgt, &t);
		obj_row(b, v, cap, tgt, t.s ? t.s : "");
	}
	mt_strbuf_destroy(&t);
}

/* "Referrers (N):", then `kind value  .attr` per in-edge */
static void referrer_rows(mt_browser *b, bview *v, size_t *cap, uint32_t obj)
{
	const mt_graph *g = b->g;
	uint32_t first, n;
	mt_strbuf t;
	mt_strbuf_init(&t);
	mt_graph_in(g, obj, &first, &n);
	char cn[MT_FMT_COUNT_MAX];
	char *line = bv_printf("Referrers (%s):", mt_fmt_count(cn, sizeof cn, n));
	bv_info_row(v, cap, line);
	free(line);
	for (uint32_t p = first; p < first + n; p++) {
		uint32_t src = mt_graph_in_source(g, p);
		mt_strbuf_reset(&t);
		bv_brief(b, src, &t);
		mt_strbuf_add(&t, "  ", 2);
		mt_reltext_via_raw(g, mt_graph_in_edge(g, p), &t);
		obj_row(b, v, cap, src, t.s ? t.s : "");
	}
	mt_strbuf_destroy(&t);
}

mt_status bv_open_inspector(mt_browser *b, uint32_t obj,
			    const mt_qresult *res, const char *crumb,
			    mt_err *err)
{
	mt_qresult own = {MT_QRESULT_SET};
	mt_status st = MT_OK;
	if (res)
		bv_use_side(b, bv_side_of(b, res));
	if (!res) {
		own.expr = object_expr(b, obj);
		if (!own.expr)
			own.expr = mt_xstrdup("?");
		st = mt_set_from_ids(&own.set, &obj, 1, err);
		res = &own;
	}
	if (st != MT_OK) {
		mt_qresult_destroy(&own);
		return st;
	}
	bview *v = bv_new(&insp_ops, res, NULL, crumb);
	mt_qresult_destroy(&own);
	v->obj = obj;
	v->title = mt_xstrdup("Relation and object");
	size_t cap = 0;
	info_rows(b, v, &cap, obj);
	referent_rows(b, v, &cap, obj);
	v->split = v->nrows;
	referrer_rows(b, v, &cap, obj);
	v->total_count = 1;
	v->total_size = mt_graph_size(b->g, obj);
	v->sort = SORT_NATURAL;
	bv_push(b, v);
	/* the cursor starts on the first row, the object itself: the row
	 * keys (R F D P ...) act on it until it moves to a referent or a
	 * referrer (moving skips the other information rows) */
	return bv_refresh(b, v, err);
}
