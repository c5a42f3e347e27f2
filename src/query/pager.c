/* Paged texts: the values of `sp`, `pathsin`, `pathsout` and `rp`.
 *
 * A paged text keeps what it was made from (the paths DAG, the reference
 * pattern with its classifier) in a reference-counted pager, so `_.more`
 * lists the next page of the same paths or pattern without computing it
 * again, and `_.all` lists every line, the way a set's table pages.  The
 * value (qval.h, V_TEXT with `pg`) says which page it shows: `page` is the
 * first path / pattern line, `all` asks for every one (at most
 * Q_ALL_LINES), `next` is the first one not shown once rendered.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "memtrack/diff.h"
#include "memtrack/paths.h"
#include "memtrack/refpat.h"
#include "memtrack/table.h"
#include "qval.h"

enum { PG_PATHS = 1, PG_REFPAT, PG_GROUPS, PG_DIFF };

struct q_pager {
	size_t refs;
	int kind;	     /* PG_*                                   */
	mt_paths *paths;     /* PATHS, GROUPS: owned                   */
	mt_paths_groups *gr; /* GROUPS: owned (paths outlives it)     */
	mt_refpat *rp;	     /* REFPAT: owned                          */
	mt_classifier *c;    /* REFPAT: the pattern's classifier (ref) */
	mt_diff *diff;	     /* DIFF: owned                            */
};

static mt_status new_pager(val *out, struct q_pager **pg, mt_err *err)
{
	memset(out, 0, sizeof *out);
	if (!(*pg = calloc(1, sizeof **pg)))
		return q_nomem(err);
	(*pg)->refs = 1;
	out->k = V_TEXT;
	out->pg = *pg;
	out->next = SIZE_MAX;
	return MT_OK;
}

mt_status q_pager_paths(val *out, mt_paths *p, mt_err *err)
{
	struct q_pager *pg;
	mt_status st = new_pager(out, &pg, err);
	if (st) {
		mt_paths_free(p);
		return st;
	}
	pg->kind = PG_PATHS;
	pg->paths = p;
	return MT_OK;
}

mt_status q_pager_groups(val *out, mt_paths *p, mt_paths_groups *gr,
			 mt_err *err)
{
	struct q_pager *pg;
	mt_status st = new_pager(out, &pg, err);
	if (st) {
		mt_paths_groups_free(gr);
		mt_paths_free(p);
		return st;
	}
	pg->kind = PG_GROUPS;
	pg->paths = p;
	pg->gr = gr;
	return MT_OK;
}

mt_status q_pager_refpat(val *out, mt_refpat *rp, mt_classifier *c, mt_err *err)
{
	struct q_pager *pg;
	mt_status st = new_pager(out, &pg, err);
	if (st) {
		mt_refpat_free(rp);
		mt_classifier_unref(c);
		return st;
	}
	pg->kind = PG_REFPAT;
	pg->rp = rp;
	pg->c = c;
	return MT_OK;
}

mt_status q_pager_diff(val *out, mt_diff *d, mt_err *err)
{
	struct q_pager *pg;
	mt_status st = new_pager(out, &pg, err);
	if (st) {
		mt_diff_free(d);
		return st;
	}
	pg->kind = PG_DIFF;
	pg->diff = d;
	return MT_OK;
}

struct q_pager *q_pager_ref(struct q_pager *pg)
{
	if (pg)
		pg->refs++;
	return pg;
}

void q_pager_unref(struct q_pager *pg)
{
	if (!pg || --pg->refs)
		return;
	mt_paths_groups_free(pg->gr);
	mt_paths_free(pg->paths);
	mt_refpat_free(pg->rp);
	mt_classifier_unref(pg->c);
	mt_diff_free(pg->diff);
	free(pg);
}

/* Every line of the pattern from `first`, at most Q_ALL_LINES, then
 * heapy's "more" line when some remain. */
static mt_status refpat_all(mt_refpat *rp, size_t first, mt_strbuf *out,
			    size_t *next, mt_err *err)
{
	const mt_refpat_row *row;
	size_t i = first;
	mt_status st = MT_OK;
	for (; i - first < Q_ALL_LINES; i++) {
		if ((st = mt_refpat_row_at(rp, i, &row, err)) == MT_END)
			break;
		if (st || (st = mt_refpat_line(rp, i, out, err)))
			return st;
		mt_strbuf_addc(out, '\n', 1);
	}
	*next = i;
	if (st != MT_END) {
		if ((st = mt_refpat_row_at(rp, i, &row, err)) == MT_OK)
			mt_strbuf_printf(out, "%s\n",
					 "<Type e.g. '_.more' for more.>");
		else if (st != MT_END)
			return st;
	}
	return out->nomem ? q_nomem(err) : MT_OK;
}

/* The pattern's title line, as its first page prints it. */
static mt_status refpat_title(mt_refpat *rp, mt_strbuf *out, mt_err *err)
{
	mt_strbuf b;
	mt_strbuf_init(&b);
	mt_status st = mt_refpat_format(rp, 0, true, &b, NULL, err);
	if (!st) {
		const char *s = b.s ? b.s : "";
		size_t n = strcspn(s, "\n");
		mt_strbuf_add(out, s, n);
		mt_strbuf_addc(out, '\n', 1);
	}
	mt_strbuf_destroy(&b);
	return st;
}

mt_status q_pager_render(val *v, mt_strbuf *out, mt_err *err)
{
	struct q_pager *pg = v->pg;
	mt_status st;
	if (pg->kind == PG_GROUPS) {
		size_t next = 0;
		st =
		    mt_paths_groups_format(pg->gr, v->page,
					   v->all ? Q_ALL_LINES : MT_PATHS_PAGE,
					   out, &next, err);
		if (!st)
			v->next = next;
		return st;
	}
	if (pg->kind == PG_DIFF) { /* rows as a table's: all of them for all */
		size_t next = 0;
		st = mt_diff_format_from(pg->diff, v->page,
					 v->all ? MT_TABLE_ALL : 0, out, &next,
					 err);
		if (!st)
			v->next = next;
		return st;
	}
	if (pg->kind == PG_PATHS) {
		uint64_t next = 0;
		st = mt_paths_format(pg->paths, v->page,
				     v->all ? Q_ALL_LINES : MT_PATHS_PAGE, out,
				     &next, err);
		if (!st)
			v->next = (size_t)next;
		return st;
	}
	size_t next = 0;
	if (v->all) {
		st = v->page == 0 ? refpat_title(pg->rp, out, err) : MT_OK;
		if (!st)
			st = refpat_all(pg->rp, v->page, out, &next, err);
	} else {
		st = mt_refpat_format(pg->rp, v->page, v->page == 0, out, &next,
				      err);
	}
	if (!st)
		v->next = next;
	return st;
}

mt_status q_pager_more(val *v, uint32_t pos, mt_err *err)
{
	struct q_pager *pg = v->pg;
	if (v->next == SIZE_MAX) { /* not shown yet: find where it ends */
		mt_strbuf b;
		mt_strbuf_init(&b);
		mt_status st = q_pager_render(v, &b, err);
		mt_strbuf_destroy(&b);
		if (st)
			return st;
	}
	if (pg->kind == PG_GROUPS) {
		size_t n = mt_paths_groups_count(pg->gr);
		if (v->next >= n)
			return qerr(err, MT_RANGE, pos,
				    "no more path groups: all %zu were shown",
				    n);
	} else if (pg->kind == PG_DIFF) {
		size_t n = mt_diff_table_rows(pg->diff);
		if (v->next >= n)
			return qerr(err, MT_RANGE, pos,
				    "no more rows: all %zu were shown", n);
	} else if (pg->kind == PG_PATHS) {
		uint64_t n = mt_paths_count(pg->paths);
		if (v->next >= n)
			return qerr(err, MT_RANGE, pos,
				    "no more paths: all %llu were shown",
				    (unsigned long long)n);
	} else {
		const mt_refpat_row *row;
		mt_status st = mt_refpat_row_at(pg->rp, v->next, &row, err);
		if (st == MT_END)
			return qerr(err, MT_RANGE, pos,
				    "no more lines: all %zu were shown",
				    v->next);
		if (st)
			return st;
	}
	v->page = v->next;
	v->all = false;
	v->next = SIZE_MAX;
	return MT_OK;
}
