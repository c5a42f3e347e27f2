/* The comparison view: two dumps' sets side by side, rows aligned by kind
 * (issue 10: `memtrack-tui OLD.mp NEW.mp`).
 *
 * A comparison holds one result of each side -- OLD, a set of side
 * `oside` (h0, or A of three dumps), and NEW, a set of the browser's own
 * dump (h) -- as the query layer gave them (mt_qresult.of names OLD's
 * session), and the difference table of the two by NEW's classifier
 * (mt_diff_new: heapy's `h.diff(h0)` rows, in heapy's order, with the New
 * and Deleted figures when the dumps come from one process).  A kind may
 * be absent on one side (marker `+`: only in NEW, `-`: only in OLD); a
 * whole side may be empty (a kind Enter opened that one side lacks).
 *
 * Columns come from one table (cols[]) and the layouts are lists of
 * them, widest first: two panes OLD | NEW then the deltas when the
 * terminal has 120 columns or more, else one table (Count, ΔCount, Size,
 * ΔSize, ΔRetained, New, Deleted); `w` switches; bv_narrow picks the
 * widest of a mode's layouts that leaves the labels room.  Deltas always
 * carry their sign.  Sorting (s # r) is by the absolute difference, a by
 * kind; `x` hides the rows that did not change (ops->keep).
 *
 * The row keys act on both sides: the target (the marked rows, the row
 * under the cursor, the rows shown, the whole view) is a set on each
 * side, made with mt_query_row; a partition key is mt_query_by on each
 * side, R F D M mt_query_attr on each, and the result is a comparison
 * again; P is the paths view of both sides (bv_open_cpaths, view_cpaths.c).
 * Enter opens the row on both sides; with the focus on one side (Tab),
 * that side's row alone in the single-dump views (its dump then is the
 * browser's current one: bv_use_side).  ΔRetained is NEW's dominated
 * size of the row minus OLD's, computed for the rows on screen, as the
 * single-dump views do.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bpriv.h"
#include "memtrack/diff.h"

enum { OLD = 0, NEW = 1 };

typedef struct crow {
	const mt_diff_row *d; /* NULL: the "all" row */
	uint64_t oret;	      /* OLD's Retained (r->retained: NEW's) */
} crow;

typedef struct cmpv {
	int oside;	   /* b->side index of OLD          */
	mt_qresult res[2]; /* kind 0: the side is empty     */
	mt_diff *d;
	crow *x; /* by brow.index (the "all" row last) */
	size_t nx;
	bool identity; /* New and Deleted figures       */
	/* for the Retained figures: each side's classifier (the one the
	 * difference table partitioned by) and the kind of every member of
	 * its set, made on first need, so a row's set is one scan */
	mt_classifier *cls[2];
	uint32_t *kinds[2];
	bool hide; /* x: unchanged rows hidden      */
	int focus; /* -1: both, OLD, NEW            */
} cmpv;

static cmpv *priv(const bview *v) { return v->priv; }

static int side_index(const mt_browser *b, const cmpv *c, int s)
{
	return s == OLD ? c->oside : (int)b->nside - 1;
}

static const char *delta_sign(const mt_browser *b)
{
	return b->opts.ascii ? "d" : "\xce\x94";
}

/* ---- cells ---- */

static void fmt_dcount(char *buf, size_t n, uint64_t o, uint64_t w)
{
	if (w > o)
		snprintf(buf, n, "+%llu", (unsigned long long)(w - o));
	else if (w < o)
		snprintf(buf, n, "-%llu", (unsigned long long)(o - w));
	else
		snprintf(buf, n, "0");
}

static void fmt_dsize(const mt_browser *b, char *buf, size_t n, uint64_t o,
		      uint64_t w)
{
	if (w == o)
		snprintf(buf, n, "0");
	else
		bv_fmt_delta(b, buf, n,
			     w > o ? (int64_t)(w - o) : -(int64_t)(o - w));
}

/* The figures of row r: of its diff row, or of the rows shown for the
 * "all" row. */
typedef struct figs {
	bool in[2]; /* the kind is present on each side */
	uint64_t count[2], size[2], added, added_size, gone, gone_size;
} figs;

static void row_figs(const bview *v, const brow *r, figs *f)
{
	const cmpv *c = priv(v);
	memset(f, 0, sizeof *f);
	for (size_t k = 0; k < v->nvis; k++) {
		const brow *o = r->all ? &v->rows[v->vis[k]] : r;
		const mt_diff_row *d = c->x[o->index].d;
		if (d) {
			f->in[OLD] |= d->old_row != MT_NO_ID;
			f->in[NEW] |= d->new_row != MT_NO_ID;
			f->count[OLD] += d->old_count;
			f->size[OLD] += d->old_size;
			f->count[NEW] += d->new_count;
			f->size[NEW] += d->new_size;
			f->added += d->added_count;
			f->added_size += d->added_size;
			f->gone += d->gone_count;
			f->gone_size += d->gone_size;
		}
		if (!r->all)
			break;
	}
	if (r->all) {
		f->in[OLD] = c->res[OLD].kind != 0;
		f->in[NEW] = c->res[NEW].kind != 0;
	}
}

/* The columns: one table; the layouts are lists of them. */
enum {
	C_MARK,
	C_OCOUNT,
	C_OSIZE,
	C_ORET,
	C_SEP,
	C_NCOUNT,
	C_NSIZE,
	C_NRET,
	C_COUNT,
	C_DCOUNT,
	C_SIZE,
	C_DSIZE,
	C_DRET,
	C_NEW,
	C_ALLOC,
	C_DEL,
	C_FREED,
	C_END
};

typedef struct ccol {
	const char *title; /* "~" stands for the delta sign */
	int width;	   /* cells, right-aligned */
	bool identity;	   /* only with identity */
	int sort;	   /* the sort key it shows (underlined), or -1 */
} ccol;

static const ccol cols[C_END] = {
    [C_MARK] = {"", 1, false, -1},
    [C_OCOUNT] = {"OLD Count", 10, false, -1},
    [C_OSIZE] = {"Size", 8, false, -1},
    [C_ORET] = {"Retained", 9, false, -1},
    [C_SEP] = {"|", 1, false, -1},
    [C_NCOUNT] = {"NEW Count", 10, false, -1},
    [C_NSIZE] = {"Size", 8, false, -1},
    [C_NRET] = {"Retained", 9, false, -1},
    [C_COUNT] = {"Count", 6, false, -1},
    [C_DCOUNT] = {"~Count", 7, false, SORT_COUNT},
    [C_SIZE] = {"Size", 8, false, -1},
    [C_DSIZE] = {"~Size", 9, false, SORT_SIZE},
    [C_DRET] = {"~Retained", 10, false, SORT_RETAINED},
    [C_NEW] = {"New", 6, true, -1},
    [C_ALLOC] = {"Alloc", 8, true, -1},
    [C_DEL] = {"Deleted", 7, true, -1},
    [C_FREED] = {"Freed", 8, true, -1},
};

/* The layouts, widest first within each mode: two panes, one table. */
#define NLAYOUT 5
static const int panes[NLAYOUT][C_END + 1] = {
    {C_MARK, C_OCOUNT, C_OSIZE, C_ORET, C_SEP, C_NCOUNT, C_NSIZE, C_NRET, C_SEP,
     C_DCOUNT, C_DSIZE, C_DRET, C_NEW, C_ALLOC, C_DEL, C_FREED, C_END},
    {C_MARK, C_OCOUNT, C_OSIZE, C_ORET, C_SEP, C_NCOUNT, C_NSIZE, C_NRET, C_SEP,
     C_DCOUNT, C_DSIZE, C_DRET, C_NEW, C_DEL, C_END},
    {C_MARK, C_OCOUNT, C_OSIZE, C_SEP, C_NCOUNT, C_NSIZE, C_SEP, C_DCOUNT,
     C_DSIZE, C_DRET, C_NEW, C_DEL, C_END},
    {C_MARK, C_OCOUNT, C_OSIZE, C_SEP, C_NCOUNT, C_NSIZE, C_SEP, C_DSIZE,
     C_DRET, C_END},
    {C_MARK, C_OCOUNT, C_OSIZE, C_SEP, C_NCOUNT, C_NSIZE, C_SEP, C_DSIZE,
     C_END},
};
static const int table[NLAYOUT][C_END + 1] = {
    {C_MARK, C_COUNT, C_DCOUNT, C_SIZE, C_DSIZE, C_DRET, C_NEW, C_ALLOC, C_DEL,
     C_FREED, C_END},
    {C_MARK, C_COUNT, C_DCOUNT, C_SIZE, C_DSIZE, C_DRET, C_NEW, C_ALLOC, C_DEL,
     C_FREED, C_END}, /* as wide as the panes' first */
    {C_MARK, C_COUNT, C_DCOUNT, C_SIZE, C_DSIZE, C_DRET, C_NEW, C_DEL, C_END},
    {C_MARK, C_COUNT, C_DCOUNT, C_SIZE, C_DSIZE, C_DRET, C_END},
    {C_MARK, C_DCOUNT, C_DSIZE, C_DRET, C_END}, /* the differences */
};

static bool wide_mode(const mt_browser *b)
{
	return b->cmp_layout ? b->cmp_layout == 1 : b->cols >= 120;
}

static bool col_on(const cmpv *c, int col)
{
	return !cols[col].identity || c->identity;
}

/* The columns of the layout now (C_END-terminated). */
static const int *layout(mt_browser *b, bview *v)
{
	const cmpv *c = priv(v);
	const int(*ls)[C_END + 1] = wide_mode(b) ? panes : table;
	size_t prefix[NLAYOUT];
	for (int l = 0; l < NLAYOUT; l++) {
		prefix[l] = 0;
		for (const int *k = ls[l]; *k != C_END; k++)
			if (col_on(c, *k))
				prefix[l] += (size_t)cols[*k].width + 1;
	}
	return ls[bv_narrow(b, v, prefix, NLAYOUT)];
}

/* Column title: "~" is the delta sign; the focused pane's count title
 * starts with '>'. */
static void col_title(mt_browser *b, const cmpv *c, int col, mt_strbuf *out)
{
	const char *t = cols[col].title;
	char buf[32];
	if (col == C_SEP) {
		mt_strbuf_printf(out, "%s",
				 b->opts.ascii ? "|" : "\xe2\x94\x82");
		return;
	}
	if (col == C_MARK) {
		mt_strbuf_printf(out, " ");
		return;
	}
	if (t[0] == '~') {
		snprintf(buf, sizeof buf, "%s%s", delta_sign(b), t + 1);
		t = buf;
	}
	size_t w = bv_width(t);
	bool focus = (col == C_OCOUNT && c->focus == OLD) ||
		     (col == C_NCOUNT && c->focus == NEW);
	if (focus)
		w++;
	if ((int)w < cols[col].width)
		mt_strbuf_addc(out, ' ', (size_t)cols[col].width - w);
	mt_strbuf_printf(out, "%s%s", focus ? ">" : "", t);
}

static void cmp_columns(mt_browser *b, bview *v, mt_strbuf *out, int sort,
			int *hs, int *hl)
{
	const cmpv *c = priv(v);
	size_t from = out->len;
	*hs = *hl = 0;
	for (const int *k = layout(b, v); *k != C_END; k++) {
		if (!col_on(c, *k))
			continue;
		size_t at = out->len;
		col_title(b, c, *k, out);
		if (cols[*k].sort == sort && sort != SORT_NATURAL) {
			/* the title, after its padding */
			const char *p = out->s + at;
			while (*p == ' ')
				p++;
			mt_strbuf t;
			mt_strbuf_init(&t);
			mt_strbuf_add(&t, out->s + from,
				      (size_t)(p - out->s) - from);
			*hs = (int)bv_width(t.s ? t.s : "");
			*hl = (int)bv_width(p);
			mt_strbuf_destroy(&t);
		}
		mt_strbuf_addc(out, ' ', 1);
	}
	const char *title = v->title ? v->title : "Kind";
	if (sort == SORT_LABEL) {
		*hs = (int)bv_width(out->s ? out->s + from : "");
		*hl = (int)bv_width(title);
	}
	mt_strbuf_add(out, title, strlen(title));
}

static void cmp_cell(mt_browser *b, bview *v, brow *r, const figs *f, int col,
		     bool cursor, mt_strbuf *out)
{
	const cmpv *c = priv(v);
	char buf[48] = "", sz[32];
	const crow *x = &c->x[r->index];
	int s = col == C_OCOUNT || col == C_OSIZE || col == C_ORET ? OLD : NEW;
	bool ret_known = r->ret == RET_KNOWN;
	switch (col) {
	case C_MARK:
		snprintf(buf, sizeof buf, "%s",
			 !f->in[OLD]   ? "+"
			 : !f->in[NEW] ? "-"
				       : " ");
		break;
	case C_SEP:
		mt_strbuf_printf(out, "%s",
				 b->opts.ascii ? "|" : "\xe2\x94\x82");
		return;
	case C_OCOUNT:
	case C_NCOUNT:
	case C_COUNT:
		if (!f->in[s])
			snprintf(buf, sizeof buf, "-");
		else
			snprintf(buf, sizeof buf, "%llu",
				 (unsigned long long)f->count[s]);
		if (cursor && col != C_COUNT && c->focus == s) {
			mt_strbuf_printf(out, ">%*s", cols[col].width - 1, buf);
			return;
		}
		break;
	case C_OSIZE:
	case C_NSIZE:
	case C_SIZE:
		if (!f->in[s])
			snprintf(buf, sizeof buf, "-");
		else
			bv_size(b, buf, sizeof buf, f->size[s]);
		break;
	case C_ORET:
	case C_NRET:
		if (!f->in[s] || r->ret == RET_NONE)
			snprintf(buf, sizeof buf, "-");
		else if (!ret_known)
			snprintf(buf, sizeof buf, "...");
		else
			bv_size(b, buf, sizeof buf,
				s == OLD ? x->oret : r->retained);
		break;
	case C_DCOUNT:
		fmt_dcount(buf, sizeof buf, f->count[OLD], f->count[NEW]);
		break;
	case C_DSIZE:
		fmt_dsize(b, buf, sizeof buf, f->size[OLD], f->size[NEW]);
		break;
	case C_DRET:
		if (r->ret == RET_NONE)
			snprintf(buf, sizeof buf, "-");
		else if (!ret_known)
			snprintf(buf, sizeof buf, "...");
		else
			fmt_dsize(b, buf, sizeof buf, x->oret, r->retained);
		break;
	case C_NEW:
		snprintf(buf, sizeof buf, "%llu", (unsigned long long)f->added);
		break;
	case C_DEL:
		snprintf(buf, sizeof buf, "%llu", (unsigned long long)f->gone);
		break;
	case C_ALLOC:
		bv_size(b, sz, sizeof sz, f->added_size);
		snprintf(buf, sizeof buf, "%s", sz);
		break;
	case C_FREED:
		bv_size(b, sz, sizeof sz, f->gone_size);
		snprintf(buf, sizeof buf, "%s", sz);
		break;
	default:
		break;
	}
	mt_strbuf_printf(out, "%*s", cols[col].width, buf);
}

static void cmp_row(mt_browser *b, bview *v, brow *r, mt_strbuf *out)
{
	const cmpv *c = priv(v);
	figs f;
	row_figs(v, r, &f);
	bool cursor = v->nvis && &v->rows[v->vis[v->cur]] == r;
	size_t used = 2;
	for (const int *k = layout(b, v); *k != C_END; k++) {
		if (!col_on(c, *k))
			continue;
		cmp_cell(b, v, r, &f, *k, cursor, out);
		mt_strbuf_addc(out, ' ', 1);
		used += (size_t)cols[*k].width + 1;
	}
	bv_put_label(b, v, r, out,
		     (size_t)b->cols > used ? (size_t)b->cols - used : 0);
}

/* ---- sort and filter ---- */

static uint64_t absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static int cmp_cmp(const bview *v, const brow *a, const brow *b, int sort)
{
	const cmpv *c = priv(v);
	const crow *x = &c->x[a->index], *y = &c->x[b->index];
	uint64_t p = 0, q = 0;
	switch (sort) {
	case SORT_SIZE:
		p = absdiff(x->d->old_size, x->d->new_size);
		q = absdiff(y->d->old_size, y->d->new_size);
		break;
	case SORT_COUNT:
		p = absdiff(x->d->old_count, x->d->new_count);
		q = absdiff(y->d->old_count, y->d->new_count);
		break;
	case SORT_RETAINED:
		p = a->ret == RET_KNOWN ? absdiff(x->oret, a->retained) : 0;
		q = b->ret == RET_KNOWN ? absdiff(y->oret, b->retained) : 0;
		break;
	case SORT_LABEL: {
		int k = strcasecmp(a->label ? a->label : "",
				   b->label ? b->label : "");
		return k ? k
			 : strcmp(a->label ? a->label : "",
				  b->label ? b->label : "");
	}
	default:
		return 0;
	}
	return p < q ? 1 : p > q ? -1 : 0;
}

static bool cmp_keep(const bview *v, const brow *r)
{
	const cmpv *c = priv(v);
	return !c->hide || !c->x[r->index].d ||
	       mt_diff_row_changed(c->x[r->index].d);
}

/* ---- the sets of rows, on each side ---- */

static void result_copy(mt_qresult *out, const mt_qresult *r)
{
	memset(out, 0, sizeof *out);
	if (!r->kind)
		return;
	out->kind = r->kind;
	out->set = r->set ? mt_set_ref(r->set) : NULL;
	out->of = r->of;
	memcpy(out->er, r->er, sizeof out->er);
	out->expr = mt_xstrdup(r->expr ? r->expr : "");
}

/* The row of diff row d on side s as the query layer derives it (kind 0
 * when the kind is absent there). */
static mt_status side_row(mt_browser *b, const cmpv *c, int s,
			  const mt_diff_row *d, mt_qresult *out, mt_err *err)
{
	memset(out, 0, sizeof *out);
	uint32_t row = s == OLD ? d->old_row : d->new_row;
	if (!c->res[s].kind || row == MT_NO_ID)
		return MT_OK;
	return mt_query_row(b->q, &c->res[s], row, out, err);
}

/* The union of the rows rs[0..n) on side s: `E[i] | E[j]` (kind 0 when
 * none has the kind there). */
static mt_status side_rows(mt_browser *b, const cmpv *c, int s, brow *const *rs,
			   size_t n, mt_qresult *out, mt_err *err)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		mt_qresult one;
		mt_status st =
		    side_row(b, c, s, c->x[rs[i]->index].d, &one, err);
		if (st != MT_OK) {
			mt_qresult_destroy(out);
			return st;
		}
		if (!one.kind)
			continue;
		if (!out->kind) {
			*out = one;
			continue;
		}
		mt_set *u = NULL;
		st = mt_set_op(&u, MT_SETOP_OR, out->set, one.set, err);
		if (st == MT_OK) {
			char *e = bv_printf("%s | %s", out->expr, one.expr);
			mt_set_unref(out->set);
			out->set = u;
			free(out->expr);
			out->expr = e;
		}
		mt_qresult_destroy(&one);
		if (st != MT_OK) {
			mt_qresult_destroy(out);
			return st;
		}
	}
	return MT_OK;
}

/* The rows the row keys act on: the marked rows, the row under the
 * cursor, the rows shown (the "all" row with rows hidden); none (*n 0,
 * *whole): the whole view.  Caller frees *rs. */
static brow **target_rows(bview *v, size_t *n, bool *whole)
{
	brow **rs = mt_xmalloc((v->nrows ? v->nrows : 1) * sizeof *rs);
	*n = 0;
	*whole = false;
	for (size_t i = 0; i < v->nrows; i++)
		if (v->rows[i].marked && !v->rows[i].all)
			rs[(*n)++] = &v->rows[i];
	if (*n)
		return rs;
	brow *r = bv_target_row(v);
	if (r && !r->all) {
		rs[(*n)++] = r;
	} else if (r) {
		for (size_t k = 0; k < v->nvis; k++)
			if (!v->rows[v->vis[k]].all)
				rs[(*n)++] = &v->rows[v->vis[k]];
	} else {
		*whole = true;
	}
	return rs;
}

/* The target on both sides: out[OLD], out[NEW] (kind 0: empty). */
static mt_status both_targets(mt_browser *b, bview *v, mt_qresult out[2],
			      size_t *nmarked, mt_err *err)
{
	cmpv *c = priv(v);
	size_t n;
	bool whole;
	brow **rs = target_rows(v, &n, &whole);
	mt_status st = MT_OK;
	*nmarked = 0;
	for (size_t i = 0; i < v->nrows; i++)
		*nmarked += v->rows[i].marked && !v->rows[i].all;
	memset(out, 0, 2 * sizeof *out);
	for (int s = OLD; s <= NEW && st == MT_OK; s++) {
		if (whole)
			result_copy(&out[s], &c->res[s]);
		else
			st = side_rows(b, c, s, rs, n, &out[s], err);
	}
	free(rs);
	if (st != MT_OK) {
		mt_qresult_destroy(&out[OLD]);
		mt_qresult_destroy(&out[NEW]);
	}
	return st;
}

/* m LETTER: NEW's side of the target (a set of the browser's dump). */
static mt_status cmp_target(mt_browser *b, bview *v, mt_qresult *out,
			    size_t *nmarked, mt_err *err)
{
	mt_qresult t[2];
	mt_status st = both_targets(b, v, t, nmarked, err);
	if (st != MT_OK)
		return st;
	mt_qresult_destroy(&t[OLD]);
	if (!t[NEW].kind)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "not in NEW");
	*out = t[NEW];
	return MT_OK;
}

/* The set of row r on side s for its Retained figure (kind 0: none). */
static mt_status row_side_set(mt_browser *b, bview *v, brow *r, int s,
			      mt_qresult *out, mt_err *err)
{
	cmpv *c = priv(v);
	if (!r->all)
		return side_row(b, c, s, c->x[r->index].d, out, err);
	if (v->nvis == v->nrows) {
		result_copy(out, &c->res[s]);
		return MT_OK;
	}
	size_t n = 0;
	brow **rs = mt_xmalloc((v->nvis ? v->nvis : 1) * sizeof *rs);
	for (size_t k = 0; k < v->nvis; k++)
		if (!v->rows[v->vis[k]].all)
			rs[n++] = &v->rows[v->vis[k]];
	mt_status st = side_rows(b, c, s, rs, n, out, err);
	free(rs);
	return st;
}

/* The kind on side s of diff row d (MT_NO_ID: absent there). */
static uint32_t side_kind(const cmpv *c, int s, const mt_diff_row *d)
{
	uint32_t row = s == OLD ? d->old_row : d->new_row;
	if (row == MT_NO_ID)
		return MT_NO_ID;
	return mt_partition_row_at(mt_diff_partition(c->d, s), row)->kind;
}

/* The objects of row r on side s (the "all" row: of the rows shown) as a
 * plain set, for its Retained figure: one scan of the side's kinds, as
 * view.c makes a partition row's set (*out NULL: none on that side). */
static mt_status kind_set(mt_browser *b, bview *v, brow *r, int s, mt_set **out,
			  mt_err *err)
{
	cmpv *c = priv(v);
	*out = NULL;
	if (!c->res[s].kind)
		return MT_OK;
	const mt_set *set = c->res[s].set;
	if (r->all && v->nvis == v->nrows) {
		*out = mt_set_ref((mt_set *)set);
		return MT_OK;
	}
	size_t cnt = mt_set_count(set);
	const uint32_t *ids = mt_set_ids(set);
	mt_status st = MT_OK;
	if (!c->kinds[s]) {
		bside *sd = &b->side[side_index(b, c, s)];
		bv_quiet(b, cnt);
		if (cnt && cnt == mt_graph_count(sd->g)) {
			st = mt_ctx_classify_all(sd->ctx, c->cls[s],
						 &c->kinds[s], NULL, err);
		} else {
			uint32_t *k = mt_big_alloc((cnt ? cnt : 1) *
						   sizeof *k);
			if (!k)
				st = mt_nomem(err);
			for (size_t j = 0; j < cnt && st == MT_OK; j++)
				st = mt_classifier_classify(c->cls[s], ids[j],
							    &k[j], err);
			if (st == MT_OK)
				c->kinds[s] = k;
			else
				mt_big_free(k);
		}
		bv_quiet(b, 0);
		if (st != MT_OK)
			return st;
	}
	/* the kinds wanted, sorted */
	uint32_t *want = mt_xmalloc((v->nvis ? v->nvis : 1) * sizeof *want);
	size_t n = 0;
	for (size_t k = 0; k < v->nvis; k++) {
		const brow *o = r->all ? &v->rows[v->vis[k]] : r;
		if (!o->all) {
			uint32_t kd = side_kind(c, s, c->x[o->index].d);
			if (kd != MT_NO_ID)
				want[n++] = kd;
		}
		if (!r->all)
			break;
	}
	qsort(want, n, sizeof *want, mt_cmp_u32);
	uint32_t *sel = mt_xmalloc((cnt ? cnt : 1) * sizeof *sel);
	size_t m = 0;
	for (size_t j = 0; j < cnt && n; j++)
		if (n == 1 ? c->kinds[s][j] == want[0]
			   : bsearch(&c->kinds[s][j], want, n, sizeof *want,
				     mt_cmp_u32) != NULL)
			sel[m++] = ids[j];
	free(want);
	return mt_set_adopt(out, sel, m, err);
}

static mt_status cmp_retained(mt_browser *b, bview *v, brow *r, mt_err *err)
{
	cmpv *c = priv(v);
	uint64_t ret[2] = {0, 0};
	int was = b->cur;
	mt_status st = MT_OK;
	for (int s = OLD; s <= NEW && st == MT_OK; s++) {
		mt_set *t = NULL;
		st = kind_set(b, v, r, s, &t, err);
		if (st != MT_OK || !t)
			continue;
		bv_use_side(b, side_index(b, c, s));
		mt_dominance *dom = bv_dominance(b);
		if (!dom)
			st = mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
					MT_NO_OFFSET, NULL);
		else
			st = mt_dominance_domisize(dom, t, &ret[s], err);
		bv_use_side(b, was);
		mt_set_unref(t);
	}
	if (st != MT_OK)
		return st;
	r->retained = ret[NEW];
	c->x[r->index].oret = ret[OLD];
	r->ret = RET_KNOWN;
	return MT_OK;
}

/* ---- opening ---- */

/* "OLD ⇄ NEW" of two results' expressions ("-" for an empty side). */
static char *pair_expr(const mt_browser *b, const mt_qresult *o,
		       const mt_qresult *n, const char *suffix)
{
	return bv_printf("%s%s %s %s%s", o->kind ? o->expr : "-",
			 o->kind ? suffix : "",
			 b->opts.ascii ? "<->" : "\xe2\x87\x84",
			 n->kind ? n->expr : "-", n->kind ? suffix : "");
}

/* The breadcrumb of an action on the target. */
static char *action_crumb(mt_browser *b, bview *v, const char *action)
{
	size_t n;
	bool whole;
	brow **rs = target_rows(v, &n, &whole);
	char *c;
	const char *sep = b->opts.ascii ? " > " : " \xe2\x80\xba ";
	if (whole)
		c = mt_xstrdup(action);
	else if (n == 1 && !rs[0]->all && !(rs[0]->marked && v->rows[0].marked))
		c = bv_printf("%s%s%s", bv_label(b, v, rs[0]), sep, action);
	else
		c = bv_printf("%zu rows%s%s", n, sep, action);
	free(rs);
	return c;
}

static void open_pair(mt_browser *b, bview *v, mt_qresult t[2],
		      const char *crumb, const char *expr)
{
	cmpv *c = priv(v);
	mt_err err;
	mt_err_clear(&err);
	if (bv_open_compare(b, c->oside, &t[OLD], &t[NEW], expr, crumb, &err) !=
	    MT_OK)
		bv_err(b, NULL, &err);
}

static void cmp_by(mt_browser *b, bview *v, const char *cls)
{
	mt_qresult t[2], r[2];
	size_t nmarked;
	mt_err err;
	mt_err_clear(&err);
	memset(r, 0, sizeof r);
	mt_status st = both_targets(b, v, t, &nmarked, &err);
	for (int s = OLD; s <= NEW && st == MT_OK; s++)
		if (t[s].kind)
			st = mt_query_by(b->q, &t[s], cls, &r[s], &err);
	if (st == MT_OK) {
		char *act = bv_printf("by %s", cls);
		char *crumb = action_crumb(b, v, act);
		open_pair(b, v, r, crumb, NULL);
		free(act);
		free(crumb);
	} else {
		bv_err(b, NULL, &err);
	}
	for (int s = OLD; s <= NEW; s++) {
		mt_qresult_destroy(&t[s]);
		mt_qresult_destroy(&r[s]);
	}
}

static void cmp_follow(mt_browser *b, bview *v, const char *attr)
{
	cmpv *c = priv(v);
	mt_qresult t[2], r[2];
	size_t nmarked;
	mt_err err;
	mt_err_clear(&err);
	memset(r, 0, sizeof r);
	bool mine = !strcmp(attr, "mine"), paths = !strcmp(attr, "paths");
	mt_status st;
	if (mine) { /* M: the whole view, not the target */
		result_copy(&t[OLD], &c->res[OLD]);
		result_copy(&t[NEW], &c->res[NEW]);
		st = MT_OK;
	} else {
		st = both_targets(b, v, t, &nmarked, &err);
	}
	char *crumb = mine ? mt_xstrdup("mine") : action_crumb(b, v, attr);
	if (st == MT_OK && paths) {
		mt_set *empty = NULL;
		st = mt_set_empty(&empty, &err);
		char *e = pair_expr(b, &t[OLD], &t[NEW], ".paths");
		if (st == MT_OK)
			st = bv_open_cpaths(b, b->side[c->oside].q,
					    t[OLD].kind ? t[OLD].set : empty,
					    t[NEW].kind ? t[NEW].set : empty, e,
					    crumb, &err);
		free(e);
		mt_set_unref(empty);
	} else {
		for (int s = OLD; s <= NEW && st == MT_OK; s++)
			if (t[s].kind)
				st = mt_query_attr(b->q, &t[s], attr, &r[s],
						   &err);
		if (st == MT_OK)
			open_pair(b, v, r, crumb, NULL);
	}
	if (st != MT_OK)
		bv_err(b, mine ? "mine" : NULL, &err);
	free(crumb);
	for (int s = OLD; s <= NEW; s++) {
		mt_qresult_destroy(&t[s]);
		mt_qresult_destroy(&r[s]);
	}
}

/* Enter: the row on both sides; with the focus on one side, that side's
 * row alone (the single-dump views of its dump). */
static bool cmp_enter(mt_browser *b, bview *v, brow *r)
{
	cmpv *c = priv(v);
	mt_err err;
	mt_err_clear(&err);
	if (r->all && v->nvis == v->nrows)
		return false; /* the whole view: it is open */
	char *crumb = r->all ? bv_printf("the %zu rows shown", v->nvis - 1)
			     : mt_xstrdup(bv_label(b, v, r));
	mt_qresult t[2];
	mt_status st = MT_OK;
	memset(t, 0, sizeof t);
	for (int s = OLD; s <= NEW && st == MT_OK; s++)
		st = row_side_set(b, v, r, s, &t[s], &err);
	if (st == MT_OK && c->focus >= 0) {
		const mt_qresult *one = &t[c->focus];
		if (!one->kind) {
			bv_msg(b, true,
			       c->focus == OLD ? "error: not in OLD"
					       : "error: not in NEW");
		} else {
			st = bv_open_set(b, one, NULL, crumb, true, &err);
		}
	} else if (st == MT_OK) {
		open_pair(b, v, t, crumb, NULL);
	}
	if (st != MT_OK)
		bv_err(b, NULL, &err);
	free(crumb);
	mt_qresult_destroy(&t[OLD]);
	mt_qresult_destroy(&t[NEW]);
	return true;
}

/* ---- the header: both dumps, the total deltas ---- */

static void cmp_title(mt_browser *b, bview *v, int i, mt_strbuf *out)
{
	cmpv *c = priv(v);
	if (i < 2) {
		const bside *s = &b->side[side_index(b, c, i)];
		const char *mark = c->focus == i ? ">" : " ";
		mt_strbuf_printf(out, "%s%s ", mark, i == OLD ? "OLD" : "NEW");
		if (s->file) {
			const char *f = strrchr(s->file, '/');
			mt_strbuf_printf(out, "%s  ",
					 f && f[1] ? f + 1 : s->file);
		}
		mt_browser_title(s->g, s->heap_size, b->opts.bytes, out);
		return;
	}
	/* the expression line: both sides' sets and the deltas */
	uint64_t oc, os, nc, ns;
	mt_diff_totals(c->d, &oc, &os, &nc, &ns);
	char dc[32], ds[48];
	fmt_dcount(dc, sizeof dc, oc, nc);
	fmt_dsize(b, ds, sizeof ds, os, ns);
	mt_strbuf_printf(out, "%s  (%s objects, %s", v->expr, dc, ds);
	if (c->identity) {
		uint64_t add = 0, gone = 0;
		for (size_t k = 0; k < mt_diff_nrows(c->d); k++) {
			add += mt_diff_row_at(c->d, k)->added_count;
			gone += mt_diff_row_at(c->d, k)->gone_count;
		}
		mt_strbuf_printf(out, "; %llu new, %llu gone)",
				 (unsigned long long)add,
				 (unsigned long long)gone);
	} else {
		mt_strbuf_printf(out, "; no identity: %s)",
				 b->why ? b->why : "not one process");
	}
}

static void cmp_destroy(bview *v)
{
	cmpv *c = priv(v);
	if (!c)
		return;
	mt_qresult_destroy(&c->res[OLD]);
	mt_qresult_destroy(&c->res[NEW]);
	mt_diff_free(c->d);
	for (int s = OLD; s <= NEW; s++) {
		mt_classifier_unref(c->cls[s]);
		mt_big_free(c->kinds[s]);
	}
	free(c->x);
	free(c);
	v->priv = NULL;
}

static const view_ops cmp_ops = {
    .name = "compare",
    .caps = BV_SET | BV_SORT | BV_COUNT | BV_RETAINED | BV_KINDS | BV_ALL |
	    BV_CMP,
    .hint = "open",
    .columns = cmp_columns,
    .row = cmp_row,
    .enter = cmp_enter,
    .destroy = cmp_destroy,
    .cmp = cmp_cmp,
    .keep = cmp_keep,
    .retained = cmp_retained,
    .by = cmp_by,
    .follow = cmp_follow,
    .target = cmp_target,
    .ntitle = 2,
    .title = cmp_title,
};

mt_status bv_open_compare(mt_browser *b, int oside, const mt_qresult *old,
			  const mt_qresult *new_, const char *expr,
			  const char *crumb, mt_err *err)
{
	if (!b->nside || oside < 0 || (size_t)oside + 1 >= b->nside)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "not a comparison");
	cmpv *c = mt_xcalloc(1, sizeof *c);
	c->oside = oside;
	c->focus = -1;
	result_copy(&c->res[OLD], old);
	result_copy(&c->res[NEW], new_);
	c->identity = b->match[oside] != NULL;
	const char *er = new_->kind ? new_->er : old->kind ? old->er : "clodo";
	mt_set *empty = NULL;
	mt_status st = mt_set_empty(&empty, err);
	if (st == MT_OK) {
		bv_quiet(b, (old->kind ? mt_set_count(old->set) : 0) +
				(new_->kind ? mt_set_count(new_->set) : 0));
		st = mt_diff_new(&c->d, b->side[oside].ctx,
				 old->kind ? old->set : empty,
				 b->side[b->nside - 1].ctx,
				 new_->kind ? new_->set : empty, er,
				 b->match[oside], err);
		bv_quiet(b, 0);
	}
	/* the classifiers the table used (the context's cache holds them) */
	if (st == MT_OK)
		st = mt_ctx_classifier(b->side[oside].ctx, er, &c->cls[OLD],
				       err);
	if (st == MT_OK)
		st = mt_ctx_classifier(b->side[b->nside - 1].ctx, er,
				       &c->cls[NEW], err);
	if (st != MT_OK) {
		mt_set_unref(empty);
		cmp_destroy(&(bview){.priv = c});
		return st;
	}
	/* the view's own result: NEW's side (an empty set when empty) */
	mt_qresult own = {MT_QRESULT_SET};
	own.set = new_->kind ? new_->set : empty;
	snprintf(own.er, sizeof own.er, "%s", er);
	own.expr = new_->kind ? new_->expr : "-";
	bv_use_side(b, (int)b->nside - 1);
	char *e = expr ? mt_xstrdup(expr) : pair_expr(b, old, new_, "");
	bview *v = bv_new(&cmp_ops, &own, e, crumb);
	free(e);
	mt_set_unref(empty);
	v->priv = c;
	v->title = mt_xstrdup(mt_diff_header(c->d));
	v->nrows = mt_diff_nrows(c->d);
	v->rows = mt_xcalloc(v->nrows + 1, sizeof *v->rows);
	c->x = mt_xcalloc(v->nrows + 1, sizeof *c->x);
	c->nx = v->nrows + 1;
	for (size_t i = 0; i < v->nrows; i++) {
		const mt_diff_row *d = mt_diff_row_at(c->d, i);
		brow *r = &v->rows[i];
		r->label = mt_xstrdup(d->label);
		r->count = d->new_count;
		r->size = d->new_size;
		r->index = (uint32_t)i;
		r->obj = MT_NO_ID;
		r->nav = 1;
		r->ret = b->opts.no_retained ? RET_NONE : RET_UNKNOWN;
		c->x[i].d = d;
	}
	uint64_t oc, os;
	mt_diff_totals(c->d, &oc, &os, &v->total_count, &v->total_size);
	v->sort = SORT_SIZE;
	bv_push(b, v);
	if (b->opts.no_retained)
		v->rows[v->nrows - 1].ret = RET_NONE; /* the "all" row */
	return bv_refresh(b, v, err);
}

/* ---- keys ---- */

void bk_cmp_layout(mt_browser *b, bview *v, int arg)
{
	(void)v;
	(void)arg;
	b->cmp_layout = wide_mode(b) ? 2 : 1;
	bv_msg(b, false,
	       b->cmp_layout == 1 ? "two panes: OLD | NEW (w: one table)"
				  : "one table (w: two panes)");
}

void bk_cmp_hide(mt_browser *b, bview *v, int arg)
{
	(void)arg;
	cmpv *c = priv(v);
	c->hide = !c->hide;
	mt_err err;
	if (bv_refresh(b, v, &err) != MT_OK)
		bv_err(b, NULL, &err);
	bv_all_reset(v);
	size_t shown = v->nvis ? v->nvis - 1 : 0, all = v->nrows - 1;
	char *m = c->hide
		      ? bv_printf("%zu unchanged row%s hidden (x: show)",
				  all - shown, all - shown == 1 ? "" : "s")
		      : bv_printf("every row shown (x: hide the unchanged)");
	bv_msg(b, false, m);
	free(m);
}

void bk_cmp_focus(mt_browser *b, bview *v, int arg)
{
	(void)arg;
	cmpv *c = priv(v);
	c->focus = c->focus == -1 ? OLD : c->focus == OLD ? NEW : -1;
	bv_msg(b, false,
	       c->focus == OLD	 ? "focus OLD: Enter opens OLD's row alone"
	       : c->focus == NEW ? "focus NEW: Enter opens NEW's row alone"
				 : "focus both: Enter opens the row on both "
				   "sides");
}

void bk_whole(mt_browser *b, bview *v, int arg)
{
	(void)arg;
	if (!b->alt) {
		b->ui->beep(b->ui);
		bv_msg(b, true,
		       "W: no other start view (three dumps, or a "
		       "dump with a mark)");
		return;
	}
	if (b->depth > 1 && v->crumb && !strcmp(v->crumb, b->alt_crumb)) {
		bv_free(b->stack[--b->depth]); /* W again: back */
		return;
	}
	mt_err err;
	mt_err_clear(&err);
	if (b->alt(b, &err) != MT_OK)
		bv_err(b, NULL, &err);
}

/* ---- the first view of a comparison ---- */

/* The whole heap of side i as b->q names it ("h0", "h"). */
static mt_status side_heap(mt_browser *b, int i, mt_qresult *out, mt_err *err)
{
	bside *s = &b->side[i];
	mt_status st = mt_query_heap(s->q, out, err);
	if (st != MT_OK || s->q == b->q)
		return st;
	free(out->expr);
	out->expr = mt_xstrdup(s->name);
	out->of = s->q;
	return MT_OK;
}

static mt_status open_a_c(mt_browser *b, mt_err *err)
{
	mt_qresult o, n;
	mt_status st = side_heap(b, 0, &o, err);
	if (st != MT_OK)
		return st;
	st = side_heap(b, (int)b->nside - 1, &n, err);
	if (st == MT_OK) {
		st = bv_open_compare(b, 0, &o, &n, NULL,
				     b->nside == 3 ? "A against C" : "compare",
				     err);
		mt_qresult_destroy(&n);
	}
	mt_qresult_destroy(&o);
	return st;
}

/* memlab's rule: the objects of C alive in B but not in A, by clodo. */
static mt_status open_leaks(mt_browser *b, mt_err *err)
{
	mt_set *s = NULL;
	mt_status st = mt_leak_candidates(b->ab, b->match[1], &s, err);
	if (st != MT_OK)
		return st;
	mt_qresult r = {MT_QRESULT_SET};
	r.set = s;
	snprintf(r.er, sizeof r.er, "clodo");
	r.expr = mt_xstrdup("hp.Leaks"); /* the query layer's name of it */
	st = bv_open_partition(b, &r, NULL, "leak candidates", err);
	mt_qresult_destroy(&r);
	return st;
}

mt_status bv_open_multi(mt_browser *b, mt_err *err)
{
	if (b->nside == 2) {
		mt_status st = open_a_c(b, err);
		if (st == MT_OK)
			bv_msg(b, false,
			       "Tab: focus OLD / NEW  w: layout  x: "
			       "hide unchanged");
		return st;
	}
	b->alt = open_a_c;
	b->alt_crumb = "A against C";
	if (!b->ab || !b->match[1]) {
		b->alt = NULL;
		mt_status st = open_a_c(b, err);
		if (st == MT_OK) {
			char *m = bv_printf("no leak candidates: %s",
					    b->why ? b->why : "no identity");
			bv_msg(b, false, m);
			free(m);
		}
		return st;
	}
	mt_status st = open_leaks(b, err);
	if (st == MT_OK)
		bv_msg(b, false,
		       "leak candidates: objects of B still alive in "
		       "C that were not in A (W: A against C)");
	return st;
}
