/* Partitions (include/memtrack/partition.h).
 *
 * Owns struct mt_partition: the rows of one classification of a set of
 * objects, each with its own copy of the kind label, sorted by size
 * descending then label (bytewise, which for UTF-8 is Python's code point
 * order), then kind for a stable result, with the cumulative sizes filled
 * in.  Building one is a single pass over the set with per-kind
 * accumulators.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "memtrack/partition.h"

struct mt_partition {
	mt_partition_row *rows;
	size_t nrows;
	uint64_t count, size;
	char *header;
};

static int cmp_rows(const void *a, const void *b)
{
	const mt_partition_row *x = a, *y = b;
	int c;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	if ((c = strcmp(x->label, y->label)) != 0)
		return c;
	return x->kind < y->kind ? -1 : x->kind > y->kind;
}

/* The progress of build's last steps, in rows: each row's label, then the
 * sort's passes over the rows. */
struct prog {
	mt_progress_fn cb;
	void *cbdata;
	uint64_t done, total;
};

enum { SORT_RUN = 16, TICK_ROWS = 0x10000 };

static int tick(struct prog *pr, uint64_t add)
{
	uint64_t before = pr->done;
	pr->done += add;
	if (!pr->cb || pr->done / TICK_ROWS == before / TICK_ROWS)
		return 0;
	return pr->cb(pr->cbdata, pr->done < pr->total ? pr->done : pr->total,
		      pr->total);
}

/* Passes of sort_rows over n rows (runs of SORT_RUN, then merges). */
static unsigned sort_passes(size_t n)
{
	unsigned k = 1;
	for (size_t w = SORT_RUN; w < n; w *= 2)
		k++;
	return k;
}

/* Sorts a[0..n) by cmp_rows with tmp (n rows) beside it: insertion sorts
 * of runs of SORT_RUN, then merges of runs twice as long in each pass
 * (qsort has no progress, and 2M rows of a partition by via take it a
 * second).  Non-zero when pr's callback cancels. */
static int sort_rows(mt_partition_row *a, mt_partition_row *tmp, size_t n,
		     struct prog *pr)
{
	mt_partition_row *src = a, *dst = tmp;
	for (size_t lo = 0; lo < n; lo += SORT_RUN) {
		size_t hi = n - lo > SORT_RUN ? lo + SORT_RUN : n;
		for (size_t i = lo + 1; i < hi; i++) {
			mt_partition_row r = a[i];
			size_t j = i;
			for (; j > lo && cmp_rows(&a[j - 1], &r) > 0; j--)
				a[j] = a[j - 1];
			a[j] = r;
		}
		if (tick(pr, hi - lo))
			return 1;
	}
	for (size_t w = SORT_RUN; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = n - lo > w ? lo + w : n,
			       hi = n - mid > w ? mid + w : n, i = lo, j = mid,
			       k = lo;
			/* a tick every TICK_ROWS rows out: the last passes
			 * merge millions */
			while (i < mid && j < hi) {
				size_t k0 = k, end = k + TICK_ROWS;
				while (i < mid && j < hi && k < end)
					dst[k++] = cmp_rows(&src[j], &src[i]) < 0
						       ? src[j++]
						       : src[i++];
				if (tick(pr, k - k0))
					return 1;
			}
			size_t k0 = k;
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
			if (tick(pr, k - k0))
				return 1;
		}
		mt_partition_row *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
	return 0;
}

/* build's total work: n objects, nk labels, the sort of up to nk rows */
static uint64_t rows_work(size_t n, uint32_t nk)
{
	return (uint64_t)n + nk + (uint64_t)nk * sort_passes(nk);
}

/* Sorts the rows and fills in the totals and cumulative sizes: 0, 1 when
 * pr's callback cancels, -1 when out of memory. */
static int finish(mt_partition *p, struct prog *pr)
{
	size_t i;
	uint64_t cum = 0;
	if (p->nrows > 1) {
		mt_partition_row *tmp = malloc(p->nrows * sizeof *tmp);
		int r = tmp ? sort_rows(p->rows, tmp, p->nrows, pr) : -1;
		free(tmp);
		if (r)
			return r;
	}
	p->count = p->size = 0;
	for (i = 0; i < p->nrows; i++) {
		cum += p->rows[i].size;
		p->rows[i].cumul = cum;
		p->count += p->rows[i].count;
	}
	p->size = cum;
	return 0;
}

void mt_partition_free(mt_partition *p)
{
	size_t i;
	if (!p)
		return;
	for (i = 0; i < p->nrows; i++)
		free((char *)p->rows[i].label);
	free(p->rows);
	free(p->header);
	free(p);
}

mt_status mt_partition_from_rows(mt_partition **out, const char *header,
				 const mt_partition_row *rows, size_t n,
				 mt_err *err)
{
	mt_partition *p = calloc(1, sizeof *p);
	size_t i;
	*out = NULL;
	if (!p)
		goto nomem;
	p->header = strdup(header ? header : "");
	p->rows = calloc(n ? n : 1, sizeof *p->rows);
	if (!p->header || !p->rows)
		goto nomem;
	for (i = 0; i < n; i++) {
		p->rows[i] = rows[i];
		p->rows[i].kind = (uint32_t)i;
		p->rows[i].label = strdup(rows[i].label ? rows[i].label : "");
		if (!p->rows[i].label)
			goto nomem;
		p->nrows++;
	}
	struct prog none = {0};
	if (finish(p, &none))
		goto nomem;
	*out = p;
	return MT_OK;
nomem:
	mt_partition_free(p);
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			  "partition rows");
}

mt_status mt_partition_new(mt_partition **out, mt_classifier *c,
			   const uint32_t *ids, size_t n, mt_err *err)
{
	return mt_partition_new_progress(out, c, ids, n, NULL, NULL, err);
}

static mt_status build(mt_partition **out, mt_classifier *c,
		       const uint32_t *ids, const uint32_t *kinds,
		       const uint16_t *kinds16, size_t n, mt_progress_fn cb,
		       void *cbdata, mt_err *err);

mt_status mt_partition_new_progress(mt_partition **out, mt_classifier *c,
				    const uint32_t *ids, size_t n,
				    mt_progress_fn cb, void *cbdata,
				    mt_err *err)
{
	return build(out, c, ids, NULL, NULL, n, cb, cbdata, err);
}

mt_status mt_partition_from_kinds(mt_partition **out, mt_classifier *c,
				  const uint32_t *ids, const uint32_t *kinds,
				  size_t n, mt_progress_fn cb, void *cbdata,
				  mt_err *err)
{
	return build(out, c, ids, kinds, NULL, n, cb, cbdata, err);
}

mt_status mt_partition_from_kinds16(mt_partition **out, mt_classifier *c,
				    const uint32_t *ids, const uint16_t *kinds,
				    size_t n, mt_progress_fn cb, void *cbdata,
				    mt_err *err)
{
	return build(out, c, ids, NULL, kinds, n, cb, cbdata, err);
}

/* The rows of ids[0..n) (NULL: every object), classified by c or, when
 * kinds (or kinds16) is not NULL, of kinds[i] each (no classification). */
static mt_status build(mt_partition **out, mt_classifier *c,
		       const uint32_t *ids, const uint32_t *kinds,
		       const uint16_t *kinds16, size_t n, mt_progress_fn cb,
		       void *cbdata, mt_err *err)
{
	const mt_graph *g = mt_classifier_graph(c);
	uint64_t *cnt = NULL, *sz = NULL;
	size_t cap = 0, i, k;
	mt_partition *p = NULL;
	mt_status st;
	uint32_t nk;

	*out = NULL;
	if (!ids)
		n = mt_graph_count(g);
	/* counted in objects, then a tick per kind's label and the sort's;
	 * the kinds are known here unless c classifies as we go */
	struct prog pr = {cb, cbdata, 0,
			  rows_work(n, mt_classifier_kind_count(c))};
	/* the accumulators at their size at once when the kinds are given
	 * (a doubling of 2M kinds' would stand still on fresh pages) */
	if ((kinds || kinds16) && (cap = mt_classifier_kind_count(c))) {
		cnt = calloc(cap, sizeof *cnt);
		sz = calloc(cap, sizeof *sz);
		if (!cnt || !sz)
			goto nomem;
	}
	for (i = 0; i < n; i++) {
		uint32_t id = ids ? ids[i] : (uint32_t)i, kind;
		if (!(i & 0xffff) && cb && cb(cbdata, i, pr.total)) {
			st = mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
					MT_NO_OFFSET, "partition");
			goto fail;
		}
		if (kinds)
			kind = kinds[i];
		else if (kinds16)
			kind = kinds16[i];
		else if ((st = mt_classifier_classify(c, id, &kind, err)) !=
			 MT_OK)
			goto fail;
		if (kind >= cap) {
			size_t nc = cap ? cap * 2 : 64;
			uint64_t *a, *b;
			while (nc <= kind)
				nc *= 2;
			a = realloc(cnt, nc * sizeof *a);
			if (a)
				cnt = a;
			b = realloc(sz, nc * sizeof *b);
			if (b)
				sz = b;
			if (!a || !b)
				goto nomem;
			memset(cnt + cap, 0, (nc - cap) * sizeof *cnt);
			memset(sz + cap, 0, (nc - cap) * sizeof *sz);
			cap = nc;
		}
		cnt[kind]++;
		sz[kind] += mt_graph_size(g, id);
	}
	nk = mt_classifier_kind_count(c);
	pr.done = n;
	pr.total = rows_work(n, nk);
	p = calloc(1, sizeof *p);
	if (!p)
		goto nomem;
	p->header = strdup(mt_classifier_header(c));
	p->rows = calloc(nk ? nk : 1, sizeof *p->rows);
	if (!p->header || !p->rows)
		goto nomem;
	for (k = 0; k < nk && k < cap; k++) {
		mt_partition_row *r;
		if (tick(&pr, 1))
			goto cancel;
		if (!cnt[k])
			continue;
		r = &p->rows[p->nrows];
		r->label = strdup(mt_classifier_label(c, (uint32_t)k));
		if (!r->label)
			goto nomem;
		r->count = cnt[k];
		r->size = sz[k];
		r->kind = (uint32_t)k;
		p->nrows++;
	}
	switch (finish(p, &pr)) {
	case 1:
		goto cancel;
	case -1:
		goto nomem;
	}
	free(cnt);
	free(sz);
	*out = p;
	return MT_OK;
cancel:
	st = mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET, MT_NO_OFFSET,
			"partition");
	goto fail;
nomem:
	st = mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			"partition rows");
fail:
	free(cnt);
	free(sz);
	mt_partition_free(p);
	return st;
}

size_t mt_partition_nrows(const mt_partition *p) { return p->nrows; }

const mt_partition_row *mt_partition_row_at(const mt_partition *p, size_t i)
{
	return &p->rows[i];
}

char *mt_partition_take_label(mt_partition *p, size_t i)
{
	char *l = (char *)p->rows[i].label;
	p->rows[i].label = NULL;
	return l;
}

uint64_t mt_partition_count(const mt_partition *p) { return p->count; }
uint64_t mt_partition_size(const mt_partition *p) { return p->size; }
const char *mt_partition_header(const mt_partition *p) { return p->header; }
