/* Concrete object sets (set.h): a refcount, a count and a sorted id array
 * in one allocation (or an adopted array), merged linearly for algebra.
 *
 * The set of every object (mt_set_all) reserves its array (an anonymous
 * mapping, so no page of it is resident) and writes the ids 0..N-1 only
 * when something reads them (ids_of): the browser's start view, a
 * partition of the whole heap, never does, and the array would be 4 bytes
 * per object at its peak.  Its count, membership and size need no ids. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "memtrack/set.h"
#include "memtrack/util.h"

struct mt_set {
	size_t refs;
	size_t n;
	uint32_t *ids;
	/* every object: ids is a mapping of n entries (munmap), written
	 * when first read (`lazy` until then) */
	bool all, lazy;
};

/* The ids, written first when the set is every object's and nobody has
 * read them yet (the array is reserved: this cannot fail). */
static const uint32_t *ids_of(const mt_set *cs)
{
	if (cs->lazy) {
		mt_set *s = (mt_set *)(uintptr_t)cs; /* a cache: same value */
		for (size_t i = 0; i < s->n; i++)
			s->ids[i] = (uint32_t)i;
		s->lazy = false;
	}
	return cs->ids;
}

static mt_status nomem(mt_err *err, size_t n)
{
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			  "set of %zu objects", n);
}

mt_status mt_set_adopt(mt_set **out, uint32_t *ids, size_t n, mt_err *err)
{
	*out = NULL;
	mt_set *s = malloc(sizeof *s);
	if (!s) {
		free(ids);
		return nomem(err, n);
	}
	s->refs = 1;
	s->n = n;
	s->ids = ids;
	s->all = s->lazy = false;
	*out = s;
	return MT_OK;
}

static uint32_t *alloc_ids(size_t n)
{
	return malloc((n ? n : 1) * sizeof(uint32_t));
}

mt_status mt_set_empty(mt_set **out, mt_err *err)
{
	uint32_t *ids = alloc_ids(0);
	if (!ids)
		return nomem(err, 0);
	return mt_set_adopt(out, ids, 0, err);
}

mt_status mt_set_all(mt_set **out, const mt_graph *g, mt_err *err)
{
	size_t n = mt_graph_count(g);
	*out = NULL;
	mt_set *s = malloc(sizeof *s);
	void *p = s ? mmap(NULL, (n ? n : 1) * sizeof(uint32_t),
			   PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0)
		    : MAP_FAILED;
	if (p == MAP_FAILED) {
		free(s);
		return nomem(err, n);
	}
	*s = (mt_set){.refs = 1, .n = n, .ids = p, .all = true, .lazy = true};
	*out = s;
	return MT_OK;
}

bool mt_set_is_all(const mt_set *s) { return s->all; }

mt_status mt_set_from_ids(mt_set **out, const uint32_t *src, size_t n,
			  mt_err *err)
{
	uint32_t *ids = alloc_ids(n);
	if (!ids)
		return nomem(err, n);
	if (n) /* src may be NULL for no ids */
		memcpy(ids, src, n * sizeof *ids);
	bool sorted = true;
	for (size_t i = 1; i < n && sorted; i++)
		sorted = ids[i - 1] < ids[i];
	if (!sorted) {
		qsort(ids, n, sizeof *ids, mt_cmp_u32);
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (!k || ids[k - 1] != ids[i])
				ids[k++] = ids[i];
		n = k;
	}
	return mt_set_adopt(out, ids, n, err);
}

mt_set *mt_set_ref(mt_set *s)
{
	s->refs++;
	return s;
}

void mt_set_unref(mt_set *s)
{
	if (s && --s->refs == 0) {
		if (s->all)
			munmap(s->ids, (s->n ? s->n : 1) * sizeof(uint32_t));
		else
			free(s->ids);
		free(s);
	}
}

size_t mt_set_count(const mt_set *s) { return s->n; }

const uint32_t *mt_set_ids(const mt_set *s) { return ids_of(s); }

bool mt_set_contains(const mt_set *s, uint32_t id)
{
	if (s->all)
		return id < s->n;
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->ids[lo] == id;
}

uint64_t mt_set_size(const mt_set *s, const mt_graph *g)
{
	uint64_t sum = 0;
	if (s->all) /* every id below n */
		for (size_t i = 0; i < s->n; i++)
			sum += mt_graph_size(g, (uint32_t)i);
	else
		for (size_t i = 0; i < s->n; i++)
			sum += mt_graph_size(g, s->ids[i]);
	return sum;
}

mt_status mt_set_op(mt_set **out, mt_setop op, const mt_set *a, const mt_set *b,
		    mt_err *err)
{
	size_t cap = op == MT_SETOP_AND	  ? (a->n < b->n ? a->n : b->n)
		     : op == MT_SETOP_SUB ? a->n
					  : a->n + b->n;
	uint32_t *ids = alloc_ids(cap);
	if (!ids)
		return nomem(err, cap);
	const uint32_t *ai = ids_of(a), *bi = ids_of(b);
	size_t i = 0, j = 0, k = 0;
	bool keep_a = op != MT_SETOP_AND,
	     keep_b = op == MT_SETOP_OR || op == MT_SETOP_XOR;
	bool keep_both = op == MT_SETOP_AND || op == MT_SETOP_OR;
	while (i < a->n && j < b->n) {
		uint32_t x = ai[i], y = bi[j];
		if (x < y) {
			if (keep_a)
				ids[k++] = x;
			i++;
		} else if (y < x) {
			if (keep_b)
				ids[k++] = y;
			j++;
		} else {
			if (keep_both)
				ids[k++] = x;
			i++;
			j++;
		}
	}
	if (keep_a)
		while (i < a->n)
			ids[k++] = ai[i++];
	if (keep_b)
		while (j < b->n)
			ids[k++] = bi[j++];
	return mt_set_adopt(out, ids, k, err);
}

mt_status mt_set_complement(mt_set **out, const mt_set *a, const mt_graph *g,
			    mt_err *err)
{
	size_t n = mt_graph_count(g);
	uint32_t *ids = alloc_ids(n - a->n);
	if (!ids)
		return nomem(err, n - a->n);
	const uint32_t *ai = ids_of(a);
	size_t j = 0, k = 0;
	for (uint32_t id = 0; id < n; id++) {
		if (j < a->n && ai[j] == id) {
			j++;
			continue;
		}
		ids[k++] = id;
	}
	return mt_set_adopt(out, ids, k, err);
}

bool mt_set_equal(const mt_set *a, const mt_set *b)
{
	return a->n == b->n &&
	       !memcmp(ids_of(a), ids_of(b), a->n * sizeof(uint32_t));
}

bool mt_set_subset(const mt_set *a, const mt_set *b)
{
	const uint32_t *ai = ids_of(a), *bi = ids_of(b);
	size_t j = 0;
	for (size_t i = 0; i < a->n; i++) {
		while (j < b->n && bi[j] < ai[i])
			j++;
		if (j == b->n || bi[j] != ai[i])
			return false;
		j++;
	}
	return true;
}
