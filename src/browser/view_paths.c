/* The paths view (P): the shortest paths from the roots to a set, grouped
 * (mt_paths_group) and spelled as code (mt_paths_spell): one row per group
 * with its number of paths, followed by one row per step of the group's
 * first path (the relation heapy prints for the step and the object it
 * reaches), so a path longer than the screen reads down the rows.  Enter
 * on a group opens the objects its paths end at; Enter on a step opens
 * the objects at that step of the group's paths: one object in the
 * inspector, several as a set bound to a query name (`paths1`, ...).
 * The view's data (priv) maps each row, by its natural index, to its group
 * and step.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpriv.h"
#include "memtrack/paths.h"
#include "memtrack/pyrepr.h"
#include "memtrack/reltext.h"

/* Paths grouped at most (more are counted, not grouped) and groups shown
 * with their steps. */
#define PATHS_LIMIT 100000
#define GROUPS_SHOWN 500

typedef struct prow {
	uint32_t group;
	uint32_t step; /* NO_STEP: the group's own row */
} prow;
#define NO_STEP UINT32_MAX

typedef struct pview {
	mt_paths *p;
	mt_paths_groups *gr;
	prow *rows;
	size_t nrows, cap;
} pview;

/* Names bound so far (`paths1`, ...): never reused, so a view opened on
 * an earlier one keeps its set when another is bound. */
static unsigned bound_sets;

static void paths_columns(mt_browser *b, bview *v, mt_strbuf *out, int sort,
			  int *hs, int *hl)
{
	(void)b;
	(void)sort;
	mt_strbuf_printf(out, "  Paths  %s", v->title ? v->title : "");
	*hs = *hl = 0;
}

static void paths_row(mt_browser *b, bview *v, brow *r, mt_strbuf *out)
{
	pview *pv = v->priv;
	const prow *pr = r->nav ? &pv->rows[r->index] : NULL;
	char n[MT_FMT_COUNT_MAX];
	mt_fmt_count(n, sizeof n, r->count);
	if (!pr) /* an information row */
		mt_strbuf_printf(out, "%7s  %s", "", bv_label(b, v, r));
	else if (pr->step == NO_STEP) {
		/* long paths keep their head and tail (the variable) */
		mt_strbuf_printf(out, "%7s  ", n);
		bv_put_label(b, v, r, out,
			     b->cols > 11 ? (size_t)b->cols - 11 : 1);
	}
	else if (r->count > 1)
		mt_strbuf_printf(out, "%7s    %s (%s objects)", "",
				 bv_label(b, v, r), n);
	else
		mt_strbuf_printf(out, "%7s    %s", "", bv_label(b, v, r));
}

/* The sorted distinct objects at step `step` (the last: the path's end)
 * of group gi's paths; *n of them, malloc'd. */
static uint32_t *objects_at(const pview *pv, uint32_t gi, uint32_t step,
			    size_t *n, mt_err *err)
{
	size_t nm;
	const uint64_t *m = mt_paths_group_members(pv->gr, gi, &nm);
	uint32_t len = mt_paths_length(pv->p);
	mt_path_step *st = mt_xcalloc(len + 1, sizeof *st);
	uint32_t *ids = mt_xcalloc(nm ? nm : 1, sizeof *ids);
	size_t k = 0;
	for (size_t i = 0; i < nm; i++) {
		if (mt_paths_get(pv->p, m[i], st, err) != MT_OK) {
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

/* Opens objects ids[0..n): one in the inspector, several as a set
 * named pathsN. */
static mt_status open_objects(mt_browser *b, const uint32_t *ids, size_t n,
			      const char *crumb, mt_err *err)
{
	char name[32] = "";
	if (n > 1)
		snprintf(name, sizeof name, "paths%u", ++bound_sets);
	return bv_open_ids(b, name, ids, n, crumb, err);
}

static bool paths_enter(mt_browser *b, bview *v, brow *r)
{
	pview *pv = v->priv;
	const prow *pr = &pv->rows[r->index];
	mt_err err;
	mt_err_clear(&err);
	size_t n = 0;
	uint32_t step = pr->step == NO_STEP ? mt_paths_length(pv->p) - 1
					    : pr->step;
	uint32_t *ids = objects_at(pv, pr->group, step, &n, &err);
	if (!ids) {
		bv_err(b, NULL, &err);
		return true;
	}
	char *crumb = pr->step == NO_STEP
			  ? bv_printf("group %u", pr->group)
			  : bv_printf("group %u step %u", pr->group, pr->step);
	if (n && open_objects(b, ids, n, crumb, &err) != MT_OK)
		bv_err(b, NULL, &err);
	free(crumb);
	free(ids);
	return n > 0;
}

static void paths_destroy(bview *v)
{
	pview *pv = v->priv;
	if (!pv)
		return;
	mt_paths_groups_free(pv->gr);
	mt_paths_free(pv->p);
	free(pv->rows);
	free(pv);
	v->priv = NULL;
}

static const view_ops paths_ops = {
	.name = "paths",
	.hint = "open",
	.columns = paths_columns,
	.row = paths_row,
	.enter = paths_enter,
	.destroy = paths_destroy,
};

static brow *add(bview *v, pview *pv, size_t *cap, uint32_t group,
		 uint32_t step)
{
	brow *r = bv_add_row(v, cap);
	if (pv->nrows == pv->cap) {
		pv->cap = pv->cap ? pv->cap * 2 : 32;
		pv->rows = mt_xrealloc(pv->rows, pv->cap, sizeof *pv->rows);
	}
	pv->rows[pv->nrows++] = (prow){group, step};
	return r;
}

/* The rows of group gi: its text, then each step of its first path as
 * heapy's relation text and the brief of the object reached. */
static mt_status group_rows(mt_browser *b, bview *v, pview *pv, size_t *cap,
			    uint32_t gi, mt_err *err)
{
	size_t nm;
	const uint64_t *m = mt_paths_group_members(pv->gr, gi, &nm);
	uint32_t len = mt_paths_length(pv->p);
	brow *r = add(v, pv, cap, gi, NO_STEP);
	r->label = mt_xstrdup(mt_paths_group_text(pv->gr, gi));
	r->count = nm;
	r->nav = 1;
	mt_path_step *st = mt_xcalloc(len + 1, sizeof *st);
	mt_status s = mt_paths_get(pv->p, m[0], st, err);
	mt_strbuf t;
	mt_strbuf_init(&t);
	for (uint32_t k = 0; k < len && s == MT_OK; k++) {
		size_t n = 0;
		uint32_t *ids = objects_at(pv, gi, k, &n, err);
		if (!ids) {
			s = MT_NOMEM;
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
		r = add(v, pv, cap, gi, k);
		r->label = mt_xstrdup(t.s ? t.s : "");
		r->count = n;
		r->obj = n == 1 ? st[k].dst : MT_NO_ID;
		r->nav = 1;
	}
	mt_strbuf_destroy(&t);
	free(st);
	return s;
}

mt_status bv_open_paths(mt_browser *b, const mt_set *set, const char *expr,
			const char *crumb, mt_err *err)
{
	pview *pv = mt_xcalloc(1, sizeof *pv);
	mt_status st = mt_paths_sp(&pv->p, b->g, set, err);
	if (!st)
		st = mt_paths_group(&pv->gr, pv->p, NULL, PATHS_LIMIT, err);
	if (st) {
		mt_paths_groups_free(pv->gr);
		mt_paths_free(pv->p);
		free(pv);
		return st;
	}
	bview *v = bv_new(&paths_ops, NULL, expr, crumb);
	v->priv = pv;
	uint64_t np = mt_paths_count(pv->p);
	size_t ng = mt_paths_groups_count(pv->gr);
	char cp[MT_FMT_COUNT_MAX], cg[MT_FMT_COUNT_MAX];
	v->title = bv_printf(
	    "%s path%s of length %u from the roots in %s group%s%s",
	    mt_fmt_count(cp, sizeof cp, np), np == 1 ? "" : "s",
	    mt_paths_length(pv->p), mt_fmt_count(cg, sizeof cg, ng),
	    ng == 1 ? "" : "s",
	    mt_paths_groups_seen(pv->gr) < np ? " (the first 100000 grouped)"
					      : "");
	size_t cap = 0;
	if (!np)
		bv_info_row(v, &cap, "no paths: not reachable from the roots");
	for (size_t gi = 0; gi < ng && gi < GROUPS_SHOWN && !st; gi++)
		st = group_rows(b, v, pv, &cap, (uint32_t)gi, err);
	if (ng > GROUPS_SHOWN && !st) {
		char *t = bv_printf("... %zu more groups", ng - GROUPS_SHOWN);
		bv_info_row(v, &cap, t);
		free(t);
	}
	v->sort = SORT_NATURAL;
	bv_push(b, v);
	return st ? st : bv_refresh(b, v, err);
}
