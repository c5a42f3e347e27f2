/* Classifier row SURPLUS (classifier.h): the refcount minus the references
 * the dump shows (in-edges, root edges, and for a heap type its
 * instances' ob_type references).  Keys: the surplus as int64, INT64_MIN
 * for an immortal object, INT64_MAX for a virtual one.  prepare counts the
 * instances of every type and sorts the root edges' targets. */
#include "config.h"

#include <stdlib.h>

#include "clspriv.h"
#include "memtrack/classifier.h"
#include "memtrack/util.h"

bool mt_refcnt_immortal(const mt_header *h, uint64_t refcnt)
{
	if (h->py_major < 3 || (h->py_major == 3 && h->py_minor < 12))
		return false;
	if (h->ptr_size == 4)
		return refcnt >= 0x3fffffffULL;
	return (int32_t)(uint32_t)refcnt < 0 || refcnt >= 0x80000000ULL;
}

struct surplus_state {
	uint32_t *ninst, *roots;
	size_t nroots;
};

static mt_status surplus_prepare(mt_classifier *c, mt_err *err)
{
	struct surplus_state *s = mt_classifier_state(c);
	const mt_graph *g = mt_classifier_graph(c);
	uint32_t n = mt_graph_count(g), i;
	const mt_edge *re;
	s->ninst = calloc(n ? n : 1, sizeof *s->ninst);
	mt_graph_roots(g, &re, &s->nroots);
	s->roots = malloc((s->nroots + 1) * sizeof *s->roots);
	if (!s->ninst || !s->roots)
		return mt_cls_nomem(err, "instance counts");
	for (i = 0; i < n; i++) {
		uint32_t t = mt_graph_type(g, i);
		if (!mt_graph_virtual(g, i) && s->ninst[t] != UINT32_MAX)
			s->ninst[t]++;
	}
	for (i = 0; i < s->nroots; i++)
		s->roots[i] = re[i].target;
	qsort(s->roots, s->nroots, sizeof *s->roots, mt_cmp_u32);
	return MT_OK;
}

static void surplus_release(mt_classifier *c)
{
	struct surplus_state *s = mt_classifier_state(c);
	free(s->ninst);
	free(s->roots);
}

/* Root edges to id (roots sorted, duplicates kept). */
static int64_t root_refs(const struct surplus_state *s, uint32_t id)
{
	size_t lo = 0, hi = s->nroots;
	int64_t refs = 0;
	while (lo < hi) { /* first root edge to id */
		size_t mid = lo + (hi - lo) / 2;
		if (s->roots[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo < s->nroots && s->roots[lo] == id)
		refs++, lo++;
	return refs;
}

static mt_status surplus_classify(mt_classifier *c, uint32_t id,
				  uint64_t *key, mt_err *err)
{
	const struct surplus_state *s = mt_classifier_state(c);
	const mt_graph *g = mt_classifier_graph(c);
	uint32_t first, n;
	int64_t refs;
	mt_value v;
	if (mt_graph_virtual(g, id)) {
		*key = (uint64_t)INT64_MAX;
		return MT_OK;
	}
	if (mt_refcnt_immortal(mt_graph_header(g), mt_graph_refcnt(g, id))) {
		*key = (uint64_t)INT64_MIN;
		return MT_OK;
	}
	mt_graph_in(g, id, &first, &n);
	refs = n + root_refs(s, id);
	/* Instances of a heap type (one with ht_qualname, written as an attr
	 * edge __qualname__) own a reference to it. */
	mt_graph_value(g, id, &v);
	if (v.kind == MT_VAL_QUALNAME && s->ninst[id] &&
	    mt_graph_attr(g, id, "__qualname__") != MT_NO_ID) {
		/* the loader's ob_type in-edges are those references */
		for (uint32_t p = first; p < first + n; p++) {
			mt_status st = mt_cls_work_at(c, p - first, err);
			if (st != MT_OK)
				return st;
			if (mt_graph_edge_is_type_ref_from(
				g, mt_graph_in_edge(g, p),
				mt_graph_in_source(g, p)))
				refs--;
		}
		refs += s->ninst[id];
	}
	*key = (uint64_t)((int64_t)mt_graph_refcnt(g, id) - refs);
	return MT_OK;
}

static const char *surplus_label(mt_classifier *c, uint64_t key, uint32_t id,
				 mt_strbuf *b)
{
	(void)c;
	(void)id;
	if ((int64_t)key == INT64_MIN)
		return "immortal";
	if ((int64_t)key == INT64_MAX)
		return "virtual";
	mt_strbuf_printf(b, "%+lld", (long long)(int64_t)key);
	return NULL;
}

static int64_t surplus_value(const mt_classifier *c, uint64_t key)
{
	(void)c;
	return (int64_t)key;
}

const mt_classifier_def mt_classifier_def_surplus = {
    .name = "surplus",
    .header = "Refcount surplus",
    .key = 'u',
    .help = "refcount minus the references the dump shows",
    .by = MT_CLASSIFY_SURPLUS,
    .state_size = sizeof(struct surplus_state),
    .prepare = surplus_prepare,
    .release = surplus_release,
    .classify = surplus_classify,
    .label = surplus_label,
    .value = surplus_value,
};
