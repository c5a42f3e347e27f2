/* Identity tables (include/memtrack/idtable.h): sorts a set's ids heapy's
 * way and renders one page; owns no data between calls. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "memtrack/idtable.h"
#include "memtrack/partition.h"
#include "memtrack/pyrepr.h"
#include "memtrack/table.h"

/* Sort record: everything the order needs, so qsort needs no context. */
struct row {
	uint64_t size, addr;
	mt_value v;
	uint32_t id;
	bool byvalue; /* rendered by repr: order by value */
};

static int value_cmp(const mt_value *x, const mt_value *y)
{
	if (x->kind != y->kind)
		return 0;
	switch (x->kind) {
	case MT_VAL_STR:
	case MT_VAL_BYTES: {
		size_t n = x->slen < y->slen ? x->slen : y->slen;
		int c = n ? memcmp(x->s, y->s, n) : 0;
		return c ? c : (x->slen > y->slen) - (x->slen < y->slen);
	}
	case MT_VAL_INT:
	case MT_VAL_BOOL:
		return (x->i > y->i) - (x->i < y->i);
	case MT_VAL_FLOAT:
		return (x->d > y->d) - (x->d < y->d);
	default:
		return 0;
	}
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int c;
	if (a->size != b->size)
		return a->size > b->size ? -1 : 1;
	if (a->byvalue && b->byvalue && (c = value_cmp(&a->v, &b->v)) != 0)
		return c;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

mt_status mt_idtable_order(const mt_graph *g, const mt_set *s, uint32_t **ids,
			   mt_err *err)
{
	size_t n = mt_set_count(s), i;
	uint32_t *v = malloc((n ? n : 1) * sizeof *v);
	struct row *r = malloc((n ? n : 1) * sizeof *r);
	*ids = NULL;
	if (!v || !r) {
		free(v);
		free(r);
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "identity table of %zu objects", n);
	}
	for (i = 0; i < n; i++) {
		uint32_t id = mt_set_ids(s)[i];
		mt_pyrepr_style st = mt_pyrepr_style_of(g, id);
		r[i].id = id;
		r[i].size = mt_graph_size(g, id);
		r[i].addr = mt_graph_addr(g, id);
		r[i].byvalue =
		    st == MT_PYREPR_LIMREPR || st == MT_PYREPR_VALUE;
		mt_graph_value(g, id, &r[i].v);
	}
	qsort(r, n, sizeof *r, cmp_rows);
	for (i = 0; i < n; i++)
		v[i] = r[i].id;
	free(r);
	*ids = v;
	return MT_OK;
}

mt_status mt_idtable_format(const mt_graph *g, const mt_set *s, size_t first,
			    unsigned flags, mt_strbuf *out, size_t *next,
			    mt_err *err)
{
	static const char stat_header[] =
	    " Index     Size   %   Cumulative  %   ";
	size_t n = mt_set_count(s), i, shown = 0;
	uint64_t total = mt_set_size(s, g), cum = 0;
	uint32_t *ids = NULL, kind0 = 0, k;
	mt_classifier *clodo = NULL;
	bool mixed = false, onestyle = true;
	mt_pyrepr_style style = MT_PYREPR_ADDRESS;
	mt_strbuf line;
	mt_status st;

	if (next)
		*next = n;
	if ((st = mt_classifier_new(&clodo, g, MT_CLASSIFY_CLODO, err)) !=
	    MT_OK)
		return st;
	for (i = 0; i < n; i++) {
		uint32_t id = mt_set_ids(s)[i];
		mt_pyrepr_style sty = mt_pyrepr_style_of(g, id);
		if ((st = mt_classifier_classify(clodo, id, &k, err)) != MT_OK)
			goto done;
		if (!i) {
			kind0 = k;
			style = sty;
		}
		mixed |= k != kind0;
		onestyle &= sty == style;
	}
	if ((st = mt_idtable_order(g, s, &ids, err)) != MT_OK)
		goto done;
	if (flags & MT_TABLE_TITLE) {
		mt_strbuf_printf(out, "Set of %zu ", n);
		if (!n)
			mt_strbuf_add(out, "<Nothing>", 9);
		else if (mixed)
			mt_strbuf_add(out, "<mixed>", 7);
		else
			mt_strbuf_printf(out, "<%s>",
					 mt_classifier_label(clodo, kind0));
		mt_strbuf_printf(out, " object%s. Total size = %llu bytes.\n",
				 n != 1 ? "s" : "", (unsigned long long)total);
	}
	if (n || total) {
		mt_strbuf_add(out, stat_header, sizeof stat_header - 1);
		if (mixed || !onestyle)
			mt_strbuf_add(out, "Brief\n", 6);
		else
			mt_strbuf_printf(out, "%s\n",
					 mt_pyrepr_style_header(style));
	}
	for (i = 0; i < first && i < n; i++)
		cum += mt_graph_size(g, ids[i]);
	mt_strbuf_init(&line);
	for (i = first; i < n; i++) {
		uint32_t id = ids[i];
		uint64_t sz = mt_graph_size(g, id);
		size_t plen;
		cum += sz;
		mt_strbuf_reset(&line);
		mt_strbuf_printf(&line, "%6zu %8llu %5.1f %9llu %5.1f ", i,
				 (unsigned long long)sz,
				 total ? (double)sz * 100.0 / (double)total
				       : 0.0,
				 (unsigned long long)cum,
				 total ? (double)cum * 100.0 / (double)total
				       : 0.0);
		plen = line.len;
		if (mixed || !onestyle) {
			if ((st = mt_classifier_classify(clodo, id, &k,
							 err)) != MT_OK)
				break;
			mt_strbuf_printf(&line, "<1 %s: ",
					 mt_classifier_label(clodo, k));
			mt_pyrepr_limited(g, id, &line);
			mt_strbuf_addc(&line, '>', 1);
		} else
			mt_pyrepr_limited(g, id, &line);
		if (line.nomem ||
		    mt_table_wrap(out, line.s, line.len, MT_TABLE_WIDTH, 0,
				  plen) != MT_OK) {
			st = MT_NOMEM;
			break;
		}
		if (++shown >= MT_TABLE_PAGE && !(flags & MT_TABLE_ALL) &&
		    n - 1 - i > 1) {
			mt_strbuf_printf(out,
					 "<%zu more rows. Type e.g. '_.more' "
					 "to view.>\n",
					 n - 1 - i);
			if (next)
				*next = i + 1;
			break;
		}
	}
	mt_strbuf_destroy(&line);
	if (st == MT_OK && out->nomem)
		st = MT_NOMEM;
	if (st == MT_NOMEM)
		mt_err_set(err, st, MT_NO_OFFSET, MT_NO_OFFSET,
			   "identity table text");
done:
	free(ids);
	mt_classifier_unref(clodo);
	return st;
}
