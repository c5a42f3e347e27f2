/* Referrers and referents of a set (navigate.h).
 *
 * Collects the ids on the far side of the members' in- or out-edges into
 * one array, sorts it and drops duplicates; the array becomes the set.
 * When the edges touched are many compared with the graph (at least N/32),
 * a bitmap of N bits replaces the array and the sort: the far ends are
 * marked as the edges are read, and the set, sized by the bits set, is
 * written from the words (no array of every edge's end: 5 bytes an object
 * for the referents of a whole heap).  Every object is the lazy set of all
 * (set.h), whose ids are not written.
 */
#include "config.h"

#include <stdlib.h>

#include "memtrack/navigate.h"
#include "memtrack/util.h"

/* Progress every 2^16 steps over the three passes (count the edges, copy
 * their far ends, mark or sort them), done/total in steps: n, n and k. */
#define NAV_STEP 0xffff
#define NAV_TICK(i, done)                                                    \
	do {                                                                 \
		if (cb && !((i) & NAV_STEP) && (i) &&                        \
		    cb(cbdata, (done), total3)) {                            \
			free(bits);                                          \
			free(r);                                             \
			return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,   \
					  MT_NO_OFFSET, "%s",                \
					  in ? "referrers" : "referents");   \
		}                                                            \
	} while (0)

/* The members' edges on the side collect reads: in-edges (their
 * positions) or out-edges, and the object at an edge's far end. */
static inline void edges_of(const mt_graph *g, int in, uint32_t id,
			    uint32_t *first, uint32_t *cnt)
{
	if (in)
		mt_graph_in(g, id, first, cnt);
	else
		mt_graph_out(g, id, first, cnt);
}

static inline uint32_t far_end(const mt_graph *g, int in, uint32_t p)
{
	return in ? mt_graph_in_source(g, p) : mt_graph_edge_target(g, p);
}

static mt_status collect(const mt_graph *g, const mt_set *s, int in,
			 mt_progress_fn cb, void *cbdata, mt_set **out,
			 mt_err *err)
{
	*out = NULL;
	size_t n = mt_set_count(s), total = 0;
	uint32_t *r = NULL;
	uint64_t *bits = NULL;
	/* a first guess of the steps: the sort's are known after the copy */
	uint64_t total3 = 3 * (uint64_t)n;
	/* every object: ids 0..N-1, without writing the set's (set.h) */
	const uint32_t *ids = n == mt_graph_count(g) ? NULL : mt_set_ids(s);
#define ID(i) (ids ? ids[i] : (uint32_t)(i))
	for (size_t i = 0; i < n; i++) {
		uint32_t first, cnt;
		NAV_TICK(i, i);
		edges_of(g, in, ID(i), &first, &cnt);
		total += cnt;
	}
	uint32_t N = mt_graph_count(g);
	size_t k = 0, m = 0;
	/* many edges against the graph: mark their far ends in a bitmap as
	 * they are read (no array of every edge's end), then the set is
	 * written from it in id order */
	if (total > 64 && total >= N / 32)
		bits = calloc(((size_t)N + 63) / 64, sizeof *bits);
	if (bits) {
		total3 = 3 * (uint64_t)n;
		for (size_t i = 0; i < n; i++) {
			uint32_t first, cnt;
			NAV_TICK(i, n + i);
			edges_of(g, in, ID(i), &first, &cnt);
			for (uint32_t p = first; p < first + cnt; p++) {
				uint32_t x = far_end(g, in, p);
				m += !(bits[x >> 6] >> (x & 63) & 1);
				bits[x >> 6] |= 1ull << (x & 63);
			}
		}
		if (m == N) { /* every object: the lazy set of all (set.h) */
			free(bits);
			return mt_set_all(out, g, err);
		}
		r = malloc((m ? m : 1) * sizeof *r);
		if (!r) {
			free(bits);
			return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET,
					  MT_NO_OFFSET, "%zu %s", m,
					  in ? "referrers" : "referents");
		}
		for (size_t w = 0; w < ((size_t)N + 63) / 64; w++) {
			size_t at = w * 64; /* ids scanned */
			NAV_TICK(at, 2 * (uint64_t)n + at * n / N);
			for (uint64_t b = bits[w]; b; b &= b - 1)
				r[k++] = (uint32_t)(w * 64 +
						    (size_t)__builtin_ctzll(b));
		}
		free(bits);
		return mt_set_adopt(out, r, m, err);
	}
	r = malloc((total ? total : 1) * sizeof *r);
	if (!r)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "%zu %s", total,
				  in ? "referrers" : "referents");
	for (size_t i = 0; i < n; i++) {
		uint32_t first, cnt;
		NAV_TICK(i, n + i);
		edges_of(g, in, ID(i), &first, &cnt);
		for (uint32_t p = first; p < first + cnt; p++)
			r[k++] = far_end(g, in, p);
	}
	total3 = 2 * (uint64_t)n + k;
	if (k > 1)
		qsort(r, k, sizeof *r, mt_cmp_u32);
	for (size_t i = 0; i < k; i++)
		if (!m || r[m - 1] != r[i])
			r[m++] = r[i];
	if (m && m == N) {
		free(r);
		return mt_set_all(out, g, err);
	}
#undef ID
	/* the edges' count was the room; the set keeps only its ids */
	if (m < k) {
		uint32_t *q = realloc(r, (m ? m : 1) * sizeof *r);
		r = q ? q : r;
	}
	return mt_set_adopt(out, r, m, err);
}

mt_status mt_nav_referrers(const mt_graph *g, const mt_set *s, mt_set **out,
			   mt_err *err)
{
	return collect(g, s, 1, NULL, NULL, out, err);
}

mt_status mt_nav_referents(const mt_graph *g, const mt_set *s, mt_set **out,
			   mt_err *err)
{
	return collect(g, s, 0, NULL, NULL, out, err);
}

mt_status mt_nav_referrers_progress(const mt_graph *g, const mt_set *s,
				    mt_progress_fn cb, void *cbdata,
				    mt_set **out, mt_err *err)
{
	return collect(g, s, 1, cb, cbdata, out, err);
}

mt_status mt_nav_referents_progress(const mt_graph *g, const mt_set *s,
				    mt_progress_fn cb, void *cbdata,
				    mt_set **out, mt_err *err)
{
	return collect(g, s, 0, cb, cbdata, out, err);
}
