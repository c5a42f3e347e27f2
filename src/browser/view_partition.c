/* The partition view: a set grouped by one classifier, heapy's table.
 *
 * Columns: Index Count % Size % Cumulative % (heapy's widths), Retained,
 * Kind; narrower than 72 columns only Index Count Size Retained Kind.
 * The view keeps the kind of every member of its set (v->kinds, in set
 * order) so a row's set (Enter, Retained, marks) is one scan; rows are in
 * heapy's order (mt_partition_from_rows) and their obj is the kind.
 * Enter opens the row's set by the same classifier (heapy's row sets keep
 * theirs), or the inspector for a single object.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpriv.h"
#include "memtrack/table.h"

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
	bv_hl_sort(out, from, sort, title, hs, hl);
}

static void part_row(mt_browser *b, bview *v, brow *r, mt_strbuf *out)
{
	char ret[32];
	bv_fmt_retained(r, ret, sizeof ret);
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
	.caps = BV_SET | BV_SORT | BV_COUNT | BV_RETAINED | BV_KINDS,
	.hint = "open",
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
		kinds = bv_xmalloc(n * sizeof *kinds);
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
	uint64_t *cnt = bv_xcalloc(nk, sizeof *cnt), *sz = bv_xcalloc(nk, sizeof *sz);
	for (size_t j = 0; j < n; j++) {
		cnt[kinds[j]]++;
		sz[kinds[j]] += mt_graph_size(b->g, ids[j]);
	}
	size_t m = 0;
	for (uint32_t k = 0; k < nk; k++)
		m += cnt[k] != 0;
	mt_partition_row *in = bv_xcalloc(m, sizeof *in);
	uint32_t *kmap = bv_xcalloc(m, sizeof *kmap);
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
	bview *v = bv_new(&part_ops, s, expr, crumb);
	v->pexpr = pexpr ? bv_strdup(pexpr)
			 : bv_printf("%s.by%s", wrapped, cls);
	free(wrapped);
	snprintf(v->cls, sizeof v->cls, "%s", cls);
	v->kinds = kinds;
	v->title = bv_strdup(mt_partition_header(p));
	v->nrows = mt_partition_nrows(p);
	v->rows = bv_xcalloc(v->nrows, sizeof *v->rows);
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
	bv_push(b, v);
	return bv_refresh(b, v, err);
}

