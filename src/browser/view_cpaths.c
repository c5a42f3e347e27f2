/* The paths view of a comparison (P in view_compare.c): the shortest paths
 * from the roots to a set of OLD and to a set of NEW, each side grouped as
 * the paths view groups them (view_paths.c: mt_paths_group, code
 * spelling), the groups of both sides matched by their text
 * (mt_paths_compare) and marked in words: new (only in NEW), grew, shrank
 * (more, fewer objects reached in NEW), gone (only in OLD), same; the
 * changed ones first, by the absolute difference (memlab's retainer-path
 * diff).  Each group's row is followed by a row per step of its first path
 * (NEW's, OLD's for a group gone), as in the paths view.
 *
 * Enter on a group opens the objects its paths end at on both sides as a
 * comparison (bv_open_compare; one object on one side alone: the
 * inspector); Enter on a step, the objects at that step on the side the
 * step rows come from.  Sets are bound to names in b->q: `cpaths1` of
 * NEW, `cpaths1_h0` of OLD (bound with its dump).
 *
 * The view's data (priv) maps each row, by its natural index, to its pair
 * and step; labels are made when the view opens (OLD's steps with OLD's
 * dump current: bv_use_side), so drawing reads no graph.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpriv.h"
#include "memtrack/paths.h"
#include "memtrack/reltext.h"

/* Paths grouped at most on each side, and pairs shown with their steps
 * (as view_paths.c). */
#define PATHS_LIMIT 100000
#define PAIRS_SHOWN 500

enum { OLD = 0, NEW = 1 };

typedef struct cprow {
	uint32_t pair;
	uint32_t step; /* NO_STEP: the pair's own row */
	int side;      /* the side of the step rows: NEW, OLD when gone */
} cprow;
#define NO_STEP UINT32_MAX

typedef struct cpview {
	int oside; /* b->side index of OLD */
	mt_query *oq;
	mt_paths *p[2];
	mt_paths_groups *gr[2];
	mt_paths_cmp *c;
	cprow *rows;
	size_t nrows, cap;
} cpview;

/* Names bound so far (`cpaths1`, ...), never reused. */
static unsigned bound_sets;

/* "Δ", or "d" on an ASCII terminal. */
static const char *delta(const mt_browser *b)
{
	return b->opts.ascii ? "d" : "\xce\x94";
}

/* Cells before the label of a pair row (gutter excluded). */
#define PREFIX 34

static void cp_columns(mt_browser *b, bview *v, mt_strbuf *out, int sort,
		       int *hs, int *hl)
{
	(void)sort;
	mt_strbuf_printf(out, "%-7s %7s %7s %7s%s  %s", "Change", "OLD", "NEW",
			 "", delta(b), v->title ? v->title : "");
	*hs = *hl = 0;
}

static void cp_row(mt_browser *b, bview *v, brow *r, mt_strbuf *out)
{
	cpview *cv = v->priv;
	const cprow *pr = r->nav ? &cv->rows[r->index] : NULL;
	char n[MT_FMT_COUNT_MAX];
	mt_fmt_count(n, sizeof n, r->count);
	if (!pr) { /* an information row */
		mt_strbuf_printf(out, "%*s%s", PREFIX, "", bv_label(b, v, r));
	} else if (pr->step == NO_STEP) {
		const mt_paths_pair *p = mt_paths_cmp_at(cv->c, pr->pair);
		char o[MT_FMT_COUNT_MAX], w[MT_FMT_COUNT_MAX], d[32];
		uint64_t a = p->old_objects, z = p->new_objects;
		mt_fmt_count(o, sizeof o, a);
		mt_fmt_count(w, sizeof w, z);
		char dd[MT_FMT_COUNT_MAX];
		mt_fmt_count(dd, sizeof dd, z > a ? z - a : a - z);
		const char *sign = z > a ? "+" : z < a ? "-" : "";
		snprintf(d, sizeof d, "%s%s", sign, dd);
		mt_strbuf_printf(out, "%-7s %7s %7s %8s  ",
				 mt_paths_change_name(p->change), o, w, d);
		/* long paths keep their head and tail (the variable) */
		size_t used = PREFIX + 2;
		bv_put_label(b, v, r, out,
			     (size_t)b->cols > used ? (size_t)b->cols - used
						    : 1);
	} else if (r->count > 1) {
		mt_strbuf_printf(out, "%*s  %s (%s objects)", PREFIX, "",
				 bv_label(b, v, r), n);
	} else {
		mt_strbuf_printf(out, "%*s  %s", PREFIX, "", bv_label(b, v, r));
	}
}

/* The sorted distinct objects at step `step` of group gi's paths on side
 * s (the last step: the paths' ends); *n of them, malloc'd. */
static uint32_t *objects_at(const cpview *cv, int s, size_t gi, uint32_t step,
			    size_t *n, mt_err *err)
{
	size_t nm;
	const uint64_t *m = mt_paths_group_members(cv->gr[s], gi, &nm);
	uint32_t len = mt_paths_length(cv->p[s]);
	mt_path_step *st = mt_xcalloc(len + 1, sizeof *st);
	uint32_t *ids = mt_xcalloc(nm ? nm : 1, sizeof *ids);
	size_t k = 0;
	for (size_t i = 0; i < nm && len; i++) {
		if (mt_paths_get(cv->p[s], m[i], st, err) != MT_OK) {
			free(st);
			free(ids);
			return NULL;
		}
		ids[k++] = st[step < len ? step : len - 1].dst;
	}
	free(st);
	qsort(ids, k, sizeof *ids, mt_cmp_u32);
	size_t u = 0;
	for (size_t i = 0; i < k; i++)
		if (!u || ids[u - 1] != ids[i])
			ids[u++] = ids[i];
	*n = u;
	return ids;
}

/* The b->side index of side s (OLD, NEW). */
static int side_index(const mt_browser *b, const cpview *cv, int s)
{
	return s == OLD ? cv->oside : (int)b->nside - 1;
}

/* ids[0..n) of side s bound to `name` in b->q (OLD's with its dump),
 * evaluated there. */
static mt_status side_result(mt_browser *b, cpview *cv, int s,
			     const uint32_t *ids, size_t n, const char *name,
			     mt_qresult *out, mt_err *err)
{
	bv_use_side(b, side_index(b, cv, s));
	return bv_bind_ids(b, name, ids, n, out, err);
}

/* The names of a group's objects: cpathsN in NEW, cpathsN_h0 in OLD. */
static void side_name(const mt_browser *b, const cpview *cv, int s, unsigned k,
		      char *buf, size_t n)
{
	if (s == OLD)
		snprintf(buf, n, "cpaths%u_%s", k, b->side[cv->oside].name);
	else
		snprintf(buf, n, "cpaths%u", k);
}

/* Opens ids[s][0..n[s]) of both sides: a comparison, or the inspector for
 * one object of one side alone. */
static mt_status open_objects(mt_browser *b, cpview *cv, uint32_t *ids[2],
			      const size_t n[2], const char *crumb, mt_err *err)
{
	if (n[OLD] + n[NEW] == 1) {
		int s = n[OLD] ? OLD : NEW;
		bv_use_side(b, side_index(b, cv, s));
		return bv_open_ids(b, "", ids[s], 1, crumb, err);
	}
	unsigned k = ++bound_sets;
	char name[2][48];
	mt_qresult res[2];
	memset(res, 0, sizeof res);
	mt_status st = MT_OK;
	for (int s = OLD; s <= NEW && !st; s++) {
		side_name(b, cv, s, k, name[s], sizeof name[s]);
		if (n[s])
			st = side_result(b, cv, s, ids[s], n[s], name[s],
					 &res[s], err);
	}
	if (!st)
		st = bv_open_compare(b, cv->oside, &res[OLD], &res[NEW], NULL,
				     crumb, err);
	for (int s = OLD; s <= NEW; s++)
		if (res[s].kind)
			mt_qresult_destroy(&res[s]);
	if (!st) {
		char co[MT_FMT_COUNT_MAX], cn[MT_FMT_COUNT_MAX];
		char *msg = bv_printf("%s + %s objects, bound to %s and %s",
				      mt_fmt_count(co, sizeof co, n[OLD]),
				      mt_fmt_count(cn, sizeof cn, n[NEW]),
				      n[OLD] ? name[OLD] : "-",
				      n[NEW] ? name[NEW] : "-");
		bv_msg(b, false, msg);
		free(msg);
	}
	return st;
}

/* Opens ids[0..n) of side s alone: the inspector, or a set. */
static mt_status open_side(mt_browser *b, cpview *cv, int s,
			   const uint32_t *ids, size_t n, const char *crumb,
			   mt_err *err)
{
	char name[48] = "";
	if (n > 1)
		side_name(b, cv, s, ++bound_sets, name, sizeof name);
	bv_use_side(b, side_index(b, cv, s));
	return bv_open_ids(b, name, ids, n, crumb, err);
}

static bool cp_enter(mt_browser *b, bview *v, brow *r)
{
	cpview *cv = v->priv;
	const cprow *pr = &cv->rows[r->index];
	const mt_paths_pair *p = mt_paths_cmp_at(cv->c, pr->pair);
	mt_err err;
	mt_err_clear(&err);
	uint32_t *ids[2] = {NULL, NULL};
	size_t n[2] = {0, 0};
	size_t grp[2] = {p->old_group, p->new_group};
	mt_status st = MT_OK;
	char *crumb;
	if (pr->step == NO_STEP) {
		for (int s = OLD; s <= NEW && !st; s++) {
			if (grp[s] == MT_PATHS_NO_GROUP)
				continue;
			uint32_t len = mt_paths_length(cv->p[s]);
			ids[s] = objects_at(cv, s, grp[s], len ? len - 1 : 0,
					    &n[s], &err);
			if (!ids[s])
				st = MT_NOMEM;
		}
		crumb = bv_printf("%s group %u",
				  mt_paths_change_name(p->change), pr->pair);
		if (!st && n[OLD] + n[NEW])
			st = open_objects(b, cv, ids, n, crumb, &err);
	} else {
		int s = pr->side;
		ids[s] = objects_at(cv, s, grp[s], pr->step, &n[s], &err);
		if (!ids[s])
			st = MT_NOMEM;
		crumb = bv_printf("%s group %u step %u",
				  mt_paths_change_name(p->change), pr->pair,
				  pr->step);
		if (!st && n[s])
			st = open_side(b, cv, s, ids[s], n[s], crumb, &err);
	}
	if (st)
		bv_err(b, NULL, &err);
	free(crumb);
	bool opened = !st && n[OLD] + n[NEW] > 0;
	free(ids[OLD]);
	free(ids[NEW]);
	return opened || st;
}

static void cp_destroy(bview *v)
{
	cpview *cv = v->priv;
	if (!cv)
		return;
	mt_paths_cmp_free(cv->c);
	for (int s = OLD; s <= NEW; s++) {
		mt_paths_groups_free(cv->gr[s]);
		mt_paths_free(cv->p[s]);
	}
	free(cv->rows);
	free(cv);
	v->priv = NULL;
}

static const view_ops cpaths_ops = {
    .name = "cpaths",
    .hint = "open",
    .columns = cp_columns,
    .row = cp_row,
    .enter = cp_enter,
    .destroy = cp_destroy,
};

static brow *add(bview *v, cpview *cv, size_t *cap, uint32_t pair,
		 uint32_t step, int side)
{
	brow *r = bv_add_row(v, cap);
	if (cv->nrows == cv->cap) {
		cv->cap = cv->cap ? cv->cap * 2 : 32;
		cv->rows = mt_xrealloc(cv->rows, cv->cap, sizeof *cv->rows);
	}
	cv->rows[cv->nrows++] = (cprow){pair, step, side};
	return r;
}

/* The rows of pair pi: its text, then each step of the first path of its
 * group on side s (NEW's, OLD's when gone) as heapy's relation text and
 * the brief of the object reached, with side s's dump current. */
static mt_status pair_rows(mt_browser *b, bview *v, cpview *cv, size_t *cap,
			   uint32_t pi, mt_err *err)
{
	const mt_paths_pair *p = mt_paths_cmp_at(cv->c, pi);
	int s = p->new_group != MT_PATHS_NO_GROUP ? NEW : OLD;
	size_t gi = s == NEW ? p->new_group : p->old_group;
	brow *r = add(v, cv, cap, pi, NO_STEP, s);
	r->label = mt_xstrdup(mt_paths_cmp_text(cv->c, pi));
	r->count = p->new_objects;
	r->nav = 1;
	size_t nm;
	const uint64_t *m = mt_paths_group_members(cv->gr[s], gi, &nm);
	uint32_t len = mt_paths_length(cv->p[s]);
	mt_path_step *st = mt_xcalloc(len + 1, sizeof *st);
	mt_status rc = mt_paths_get(cv->p[s], m[0], st, err);
	mt_strbuf t;
	mt_strbuf_init(&t);
	int was = b->cur;
	bv_use_side(b, side_index(b, cv, s));
	for (uint32_t k = 0; k < len && rc == MT_OK; k++) {
		size_t n = 0;
		uint32_t *ids = objects_at(cv, s, gi, k, &n, err);
		if (!ids) {
			rc = MT_NOMEM;
			break;
		}
		free(ids);
		mt_strbuf_reset(&t);
		if (st[k].src == MT_NO_ID)
			mt_reltext_root(b->g, st[k].edge, &t);
		else
			mt_reltext_via_raw(b->g, st[k].edge, &t);
		mt_strbuf_add(&t, "   ", 3);
		if (n == 1)
			bv_brief(b, st[k].dst, &t);
		else
			mt_strbuf_printf(&t, "%s", bv_kind_label(b, st[k].dst));
		r = add(v, cv, cap, pi, k, s);
		r->label = mt_xstrdup(t.s ? t.s : "");
		r->count = n;
		r->obj = MT_NO_ID; /* the object may be OLD's */
		r->nav = 1;
	}
	bv_use_side(b, was);
	mt_strbuf_destroy(&t);
	free(st);
	return rc;
}

/* The title: each side's paths, then the pairs by change. */
static char *title_of(const cpview *cv)
{
	mt_strbuf t;
	mt_strbuf_init(&t);
	static const char *const side[] = {"OLD", "NEW"};
	for (int s = OLD; s <= NEW; s++) {
		uint64_t np = mt_paths_count(cv->p[s]);
		char cp[MT_FMT_COUNT_MAX];
		mt_strbuf_printf(&t, "%s%s %s path%s", s ? ", " : "", side[s],
				 mt_fmt_count(cp, sizeof cp, np),
				 np == 1 ? "" : "s");
		if (np)
			mt_strbuf_printf(&t, " of length %u",
					 mt_paths_length(cv->p[s]));
		if (mt_paths_groups_seen(cv->gr[s]) < np)
			mt_strbuf_printf(&t, " (the first %u grouped)",
					 (unsigned)PATHS_LIMIT);
	}
	size_t by[MT_PATHS_GONE + 1] = {0};
	size_t n = mt_paths_cmp_count(cv->c);
	for (size_t i = 0; i < n; i++)
		by[mt_paths_cmp_at(cv->c, i)->change]++;
	mt_strbuf_printf(&t, "; %zu group%s", n, n == 1 ? "" : "s");
	static const mt_paths_change order[] = {MT_PATHS_NEW, MT_PATHS_GREW,
						MT_PATHS_SHRANK, MT_PATHS_GONE,
						MT_PATHS_SAME};
	const char *sep = ": ";
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (by[order[i]]) {
			mt_strbuf_printf(&t, "%s%zu %s", sep, by[order[i]],
					 mt_paths_change_name(order[i]));
			sep = ", ";
		}
	char *r = mt_xstrdup(t.s ? t.s : "");
	mt_strbuf_destroy(&t);
	return r;
}

mt_status bv_open_cpaths(mt_browser *b, mt_query *oq, const mt_set *old_set,
			 const mt_set *new_set, const char *expr,
			 const char *crumb, mt_err *err)
{
	int oside = -1;
	for (size_t i = 0; i + 1 < b->nside; i++)
		if (b->side[i].q == oq)
			oside = (int)i;
	if (oside < 0)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "paths of a comparison: not a compared dump");
	cpview *cv = mt_xcalloc(1, sizeof *cv);
	cv->oside = oside;
	cv->oq = oq;
	const mt_graph *g[2] = {b->side[oside].g, b->side[b->nside - 1].g};
	const mt_set *set[2] = {old_set, new_set};
	mt_status st = MT_OK;
	bv_quiet(b, mt_set_count(old_set) + mt_set_count(new_set));
	for (int s = OLD; s <= NEW && !st; s++) {
		st = mt_paths_sp(&cv->p[s], g[s], set[s], err);
		if (!st)
			st = mt_paths_group(&cv->gr[s], cv->p[s], NULL,
					    PATHS_LIMIT, err);
	}
	if (!st)
		st = mt_paths_compare(&cv->c, cv->gr[OLD], cv->gr[NEW], err);
	bv_quiet(b, 0);
	if (st) {
		cp_destroy(&(bview){.priv = cv});
		return st;
	}
	bview *v = bv_new(&cpaths_ops, NULL, expr, crumb);
	v->priv = cv;
	v->title = title_of(cv);
	size_t cap = 0;
	size_t np = mt_paths_cmp_count(cv->c);
	if (!np)
		bv_info_row(v, &cap,
			    "no paths: not reachable from the roots on "
			    "either side");
	for (size_t i = 0; i < np && i < PAIRS_SHOWN && !st; i++)
		st = pair_rows(b, v, cv, &cap, (uint32_t)i, err);
	if (np > PAIRS_SHOWN && !st) {
		char *t = bv_printf("... %zu more groups", np - PAIRS_SHOWN);
		bv_info_row(v, &cap, t);
		free(t);
	}
	v->sort = SORT_NATURAL;
	bv_use_side(b, (int)b->nside - 1);
	bv_push(b, v);
	return st ? st : bv_refresh(b, v, err);
}
