/* Dominance of sets (dominance.h).
 *
 * Everything is a traversal over bitmaps of N bits in uint64 words with one
 * explicit array of N ids: an object is marked when queued, so it is queued
 * at most once.  Walks are breadth-first: the writer numbers objects
 * breadth-first from the root, so a BFS touches the CSR arrays and bitmaps
 * nearly in id order: a full walk of 5M objects and 12.5M edges takes
 * 0.1 s instead of 1.1 s with a DFS stack.  The subtree walk, which shares the array with idom chains, is
 * a DFS.  The context owns the virtual root's children, the array and up
 * to four scratch bitmaps, allocated on first use and cleared per query.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "memtrack/dominance.h"
#include "memtrack/navigate.h"
#include "memtrack/util.h"

#define NSCRATCH 4

struct mt_dominance {
	const mt_graph *g;
	const mt_domtree *t;
	uint32_t n;
	size_t words;
	uint32_t *children;
	size_t nchildren;
	uint32_t *stack; /* n entries */
	uint64_t *bm[NSCRATCH];
	/* the page pass (mt_dominance_domisize_many), made on first use */
	uint64_t *mask;	    /* n masks */
	uint32_t *mask32;   /* the same, when it holds 32-bit masks */
	size_t mask_each;   /* bytes a mask: 8, or 4 (for at most 32 sets) */
	uint8_t *tag;	    /* n: 1 + the one set, or TAG_MANY (members) */
	struct over *over;  /* objects of several sets, by id */
	size_t nover, capover;
	uint64_t every; /* bits every member has (the union's), else 0 */
	/* the kinds instead of tag (domisize_kinds): member v's tag is
	 * krow[kind of v] (0: none, read as TAG_NONE), the kind from kinds
	 * or kinds16 at v, or for a subset's kinds (ids) at v's position
	 * among the members: rank[v / 64] plus the member bits before v in
	 * its word (every id is then a member) */
	const uint8_t *krow;
	uint32_t kmax; /* krow's last index */
	const uint32_t *kinds;
	const uint16_t *kinds16;
	uint32_t *rank; /* words entries, or NULL for a whole heap's kinds */
	/* progress of mt_dominance_new_progress's walk (reach) */
	mt_progress_fn cb;
	void *cbdata;
	uint64_t done;
	int cancelled;
};

/* tags: 1 + the one set; TAG_NONE: only in the union (every); TAG_MANY:
 * several sets, in the side table.  STEP: objects (or steps) between two
 * progress reports; at 80M objects 2^18 of them took up to a second (the
 * partition's bar stood at 98% meanwhile after `t` and `R`), 2^14 at most
 * about 0.1 s, and a report costs the caller a clock read. */
enum { TAG_NONE = 254, TAG_MANY = 255, PAGE = 64, STEP = 1 << 14 };

struct over {
	uint32_t id;
	uint64_t sets; /* bit i: in set i */
};

static inline int bit(const uint64_t *b, uint32_t i)
{
	return (int)((b[i >> 6] >> (i & 63)) & 1);
}

static inline void setbit(uint64_t *b, uint32_t i)
{
	b[i >> 6] |= 1ull << (i & 63);
}

static mt_status nomem(mt_err *err, const char *what, size_t n)
{
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			  "%s for %zu objects", what, n);
}

/* Scratch bitmap i, cleared. */
static uint64_t *scratch(mt_dominance *d, int i, mt_err *err)
{
	if (!d->bm[i]) {
		d->bm[i] = calloc(d->words ? d->words : 1, sizeof(uint64_t));
		if (!d->bm[i])
			nomem(err, "bitmap", d->n);
		return d->bm[i];
	}
	memset(d->bm[i], 0, d->words * sizeof(uint64_t));
	return d->bm[i];
}

/* Marks in `mark` every object reachable from starts[0..ns) without
 * entering an object of avoid or avoid2 (either may be NULL) and not marked
 * yet; returns the sum of the sizes of the newly marked objects when
 * want_sum (else 0). */
static uint64_t reach(mt_dominance *d, const uint32_t *starts, size_t ns,
		      const uint64_t *avoid, const uint64_t *avoid2,
		      uint64_t *mark, int want_sum)
{
	const mt_graph *g = d->g;
	uint32_t *q = d->stack;
	size_t qh = 0, qt = 0; /* each object is queued once: qt <= N */
	uint64_t sum = 0;
	for (size_t i = 0; i < ns; i++) {
		uint32_t s = starts[i];
		if (bit(mark, s) || (avoid && bit(avoid, s)) ||
		    (avoid2 && bit(avoid2, s)))
			continue;
		setbit(mark, s);
		q[qt++] = s;
		while (qh < qt) {
			uint32_t v = q[qh++], first, cnt;
			if (d->cb && !(++d->done & (STEP - 1)) &&
			    !d->cancelled &&
			    d->cb(d->cbdata, d->done < d->n ? d->done : d->n,
				  d->n)) {
				d->cancelled = 1; /* the walk ends here */
				return sum;
			}
			if (want_sum)
				sum += mt_graph_size(g, v);
			mt_graph_out(g, v, &first, &cnt);
			for (uint32_t e = first; e < first + cnt; e++) {
				uint32_t w = mt_graph_edge_target(g, e);
				if (bit(mark, w) || (avoid && bit(avoid, w)) ||
				    (avoid2 && bit(avoid2, w)))
					continue;
				setbit(mark, w);
				q[qt++] = w;
			}
		}
	}
	return sum;
}

mt_status mt_dominance_new(mt_dominance **out, const mt_graph *g,
			   const mt_domtree *t, mt_err *err)
{
	return mt_dominance_new_progress(out, g, t, NULL, NULL, err);
}

mt_status mt_dominance_new_progress(mt_dominance **out, const mt_graph *g,
				    const mt_domtree *t, mt_progress_fn cb,
				    void *cbdata, mt_err *err)
{
	*out = NULL;
	if (cb && cb(cbdata, 0, mt_graph_count(g)))
		return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
				  MT_NO_OFFSET, "dominance");
	mt_dominance *d = calloc(1, sizeof *d);
	if (!d)
		return nomem(err, "dominance context", mt_graph_count(g));
	d->g = g;
	d->t = t;
	d->n = mt_graph_count(g);
	d->words = ((size_t)d->n + 63) / 64;
	const mt_edge *roots;
	size_t nroots;
	mt_graph_roots(g, &roots, &nroots);
	d->stack = malloc((d->n ? d->n : 1) * sizeof *d->stack);
	d->children = malloc((nroots + d->n + 1) * sizeof *d->children);
	uint64_t *seen = d->stack && d->children ? scratch(d, 0, err) : NULL;
	if (!seen) {
		mt_dominance_free(d);
		return nomem(err, "dominance context", mt_graph_count(g));
	}
	/* Every root-edge target (each once, even when another one reaches
	 * it), then the interpreter's own objects, then the tail's starts: the smallest id not reached so far, as
	 * in dominator.c.  bm[1] marks the targets listed. */
	uint64_t *listed = scratch(d, 1, err);
	if (!listed) {
		mt_dominance_free(d);
		return MT_NOMEM;
	}
	for (size_t i = 0; i < nroots; i++) {
		uint32_t r = roots[i].target;
		if (bit(listed, r))
			continue;
		setbit(listed, r);
		d->children[d->nchildren++] = r;
	}
	/* the interpreter's own objects (dominator.h), as in dominator.c */
	uint32_t *own;
	size_t nown;
	mt_status st = mt_interp_owned(g, cb, cbdata, &own, &nown, err);
	if (st != MT_OK) {
		mt_dominance_free(d);
		return st;
	}
	for (size_t i = 0; i < nown; i++)
		if (!bit(listed, own[i])) {
			setbit(listed, own[i]);
			d->children[d->nchildren++] = own[i];
		}
	free(own);
	/* the walk reports every 2^18 objects (and may be cancelled) */
	if (cb && cb(cbdata, 0, d->n)) { /* after mt_interp_owned's pass */
		mt_dominance_free(d);
		return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
				  MT_NO_OFFSET, "dominance");
	}
	d->cb = cb;
	d->cbdata = cbdata;
	reach(d, d->children, d->nchildren, NULL, NULL, seen, 0);
	for (size_t w = 0; w < d->words && !d->cancelled; w++) {
		while (~seen[w] && !d->cancelled) {
			uint32_t id = (uint32_t)(w * 64 +
					 (size_t)__builtin_ctzll(~seen[w]));
			if (id >= d->n)
				break;
			d->children[d->nchildren++] = id;
			reach(d, &id, 1, NULL, NULL, seen, 0);
		}
	}
	d->cb = NULL;
	if (d->cancelled) {
		mt_dominance_free(d);
		return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
				  MT_NO_OFFSET, "dominance");
	}
	*out = d;
	return MT_OK;
}

void mt_dominance_free(mt_dominance *d)
{
	if (!d)
		return;
	for (int i = 0; i < NSCRATCH; i++)
		free(d->bm[i]);
	mt_dominance_trim(d);
	free(d->children);
	free(d->stack);
	free(d);
}

void mt_dominance_root_children(const mt_dominance *d, const uint32_t **ids,
				size_t *n)
{
	*ids = d->children;
	*n = d->nchildren;
}

/* The ids marked in b, as a new set; every object is the lazy set of
 * all (set.h: no ids written until asked for), so that a view of it
 * classifies and passes over the heap without an id array. */
static mt_status set_of_bitmap(const mt_dominance *d, const uint64_t *b,
			       size_t count, mt_set **out, mt_err *err)
{
	if (count && count == d->n)
		return mt_set_all(out, d->g, err);
	uint32_t *ids = malloc((count ? count : 1) * sizeof *ids);
	if (!ids)
		return nomem(err, "result set", count);
	size_t k = 0;
	for (size_t w = 0; w < d->words; w++)
		for (uint64_t x = b[w]; x; x &= x - 1)
			ids[k++] = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(x));
	return mt_set_adopt(out, ids, k, err);
}

/* Whether x is every object of d's graph, known without its ids. */
static bool every(const mt_dominance *d, const mt_set *x)
{
	return mt_set_is_all(x) && mt_set_count(x) == d->n;
}

static mt_status check_ids(const mt_dominance *d, const mt_set *x, mt_err *err)
{
	size_t n = mt_set_count(x);
	if (every(d, x))
		return MT_OK;
	if (n && mt_set_ids(x)[n - 1] >= d->n)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "object %u is not in the graph (%u objects)",
				  mt_set_ids(x)[n - 1], d->n);
	return MT_OK;
}

/* Single object with a tree: the dominator subtree of x, marked in vis
 * (bm[0]); memo bitmaps bm[1] (dominated by x) and bm[2] (not).  A
 * subtree member is reached from x through subtree members only, so the
 * walk visits the subtree and the edges that leave it.  The chain of idoms
 * walked for a new object is kept at the top end of the stack: it holds
 * unvisited objects, the DFS part visited ones, so both fit in N. */
static mt_status subtree(mt_dominance *d, uint32_t x, uint64_t **visp,
			 size_t *countp, uint64_t *sizep, mt_err *err)
{
	uint64_t *vis = scratch(d, 0, err), *yes = vis ? scratch(d, 1, err) : 0,
		 *no = yes ? scratch(d, 2, err) : NULL;
	if (!no)
		return MT_NOMEM;
	const mt_graph *g = d->g;
	uint32_t *st = d->stack;
	size_t sp = 0, count = 0;
	uint64_t sum = 0;
	setbit(vis, x);
	setbit(yes, x);
	st[sp++] = x;
	while (sp) {
		uint32_t v = st[--sp], first, cnt;
		count++;
		sum += mt_graph_size(g, v);
		mt_graph_out(g, v, &first, &cnt);
		for (uint32_t e = first; e < first + cnt; e++) {
			uint32_t w = mt_graph_edge_target(g, e);
			if (bit(vis, w) || bit(no, w))
				continue;
			size_t top = d->n; /* chain: st[top..n) */
			uint32_t u = w;
			int in;
			for (;;) {
				if (u == MT_NO_ID || bit(no, u)) {
					in = 0;
					break;
				}
				if (bit(yes, u)) {
					in = 1;
					break;
				}
				st[--top] = u;
				u = mt_domtree_idom(d->t, u);
			}
			for (size_t i = top; i < d->n; i++)
				setbit(in ? yes : no, st[i]);
			if (in) {
				setbit(vis, w);
				st[sp++] = w;
			}
		}
	}
	*visp = vis;
	*countp = count;
	*sizep = sum;
	return MT_OK;
}

/* dominos of one set into bm[1], with its size and count.  One bitmap
 * does both traversals: X is marked first, so the walk from the root
 * (W = T(root, X)) never enters it; then the walk from X expands only
 * into unmarked objects, which are exactly the ones outside W.  bm[1]
 * collects X and those (written, never read by the walks). */
static mt_status dominos1(mt_dominance *d, const mt_set *x, uint64_t **outb,
			  size_t *count, uint64_t *size, mt_err *err)
{
	mt_status st = check_ids(d, x, err);
	if (st)
		return st;
	if (d->t && mt_set_count(x) == 1)
		return subtree(d, mt_set_ids(x)[0], outb, count, size, err);
	uint64_t *m = scratch(d, 0, err), *dom = m ? scratch(d, 1, err) : 0;
	if (!dom)
		return MT_NOMEM;
	const mt_graph *g = d->g;
	/* every object: ids 0..N-1, without writing the set's */
	const uint32_t *ids = every(d, x) ? NULL : mt_set_ids(x);
	size_t n = mt_set_count(x);
	for (size_t i = 0; i < n; i++)
		setbit(m, ids ? ids[i] : (uint32_t)i);
	reach(d, d->children, d->nchildren, NULL, NULL, m, 0);
	uint32_t *q = d->stack;
	size_t qh = 0, qt = 0, c = 0;
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t id = ids ? ids[i] : (uint32_t)i;
		setbit(dom, id);
		q[qt++] = id;
	}
	while (qh < qt) {
		uint32_t v = q[qh++], first, cnt;
		c++;
		sum += mt_graph_size(g, v);
		mt_graph_out(g, v, &first, &cnt);
		for (uint32_t e = first; e < first + cnt; e++) {
			uint32_t w = mt_graph_edge_target(g, e);
			if (bit(m, w))
				continue;
			setbit(m, w);
			setbit(dom, w);
			q[qt++] = w;
		}
	}
	*size = sum;
	*count = c;
	*outb = dom;
	return MT_OK;
}

mt_status mt_dominance_dominos(mt_dominance *d, const mt_set *x, mt_set **out,
			       mt_err *err)
{
	*out = NULL;
	uint64_t *b, size;
	size_t count;
	mt_status st = dominos1(d, x, &b, &count, &size, err);
	return st ? st : set_of_bitmap(d, b, count, out, err);
}

mt_status mt_dominance_domisize(mt_dominance *d, const mt_set *x,
				uint64_t *size, mt_err *err)
{
	*size = 0;
	if (d->t && mt_set_count(x) == 1) {
		mt_status st = check_ids(d, x, err);
		if (!st)
			*size = mt_domtree_retained(d->t, mt_set_ids(x)[0]);
		return st;
	}
	uint64_t *b;
	size_t count;
	return dominos1(d, x, &b, &count, size, err);
}

mt_status mt_dominance_tuple(mt_dominance *d, const mt_set *const *xs,
			     size_t k, mt_set **outs, uint64_t *sizes,
			     mt_err *err)
{
	mt_status st = MT_OK;
	for (size_t i = 0; i < k; i++) {
		if (outs)
			outs[i] = NULL;
		if (sizes)
			sizes[i] = 0;
		if (!st)
			st = check_ids(d, xs[i], err);
	}
	if (st)
		return st;
	uint64_t *db = scratch(d, 0, err), *w = db ? scratch(d, 1, err) : 0;
	if (!w)
		return MT_NOMEM;
	uint32_t *all = NULL;
	size_t nall = 0;
	for (size_t i = 0; i < k; i++)
		nall += mt_set_count(xs[i]);
	all = malloc((nall ? nall : 1) * sizeof *all);
	if (!all)
		return nomem(err, "set union", nall);
	nall = 0;
	for (size_t i = 0; i < k; i++) {
		const uint32_t *ids = mt_set_ids(xs[i]);
		for (size_t j = 0; j < mt_set_count(xs[i]); j++) {
			setbit(db, ids[j]);
			all[nall++] = ids[j];
		}
	}
	/* W = T(root, D) */
	reach(d, d->children, d->nchildren, db, NULL, w, 0);
	for (size_t i = 0; i < k && !st; i++) {
		uint64_t *xi = scratch(d, 0, err),
			 *ti = xi ? scratch(d, 2, err) : NULL,
			 *oi = ti ? scratch(d, 3, err) : NULL;
		if (!oi) {
			st = MT_NOMEM;
			break;
		}
		const uint32_t *ids = mt_set_ids(xs[i]);
		size_t n = mt_set_count(xs[i]);
		for (size_t j = 0; j < n; j++)
			setbit(xi, ids[j]);
		reach(d, ids, n, w, NULL, ti, 0);		  /* T(Xi, W)      */
		reach(d, all, nall, w, xi, oi, 0);		  /* T(D, W | Xi)  */
		size_t count = 0;
		uint64_t sum = 0;
		for (size_t q = 0; q < d->words; q++) {
			ti[q] &= ~oi[q];
			count += (size_t)__builtin_popcountll(ti[q]);
			for (uint64_t b = ti[q]; b; b &= b - 1)
				sum += mt_graph_size(
				    d->g, (uint32_t)(q * 64 +
						     (size_t)__builtin_ctzll(b)));
		}
		if (sizes)
			sizes[i] = sum;
		if (outs)
			st = set_of_bitmap(d, ti, count, &outs[i], err);
	}
	free(all);
	if (st && outs)
		for (size_t i = 0; i < k; i++) {
			mt_set_unref(outs[i]);
			outs[i] = NULL;
		}
	return st;
}

mt_status mt_dominance_imdom(mt_dominance *d, const mt_set *x, mt_set **out,
			     mt_err *err)
{
	*out = NULL;
	mt_status st = check_ids(d, x, err);
	if (st)
		return st;
	mt_set *pred;
	st = mt_nav_referrers(d->g, x, &pred, err);
	if (st)
		return st;
	uint64_t *pb = scratch(d, 0, err), *vis = pb ? scratch(d, 1, err) : 0;
	if (!vis) {
		mt_set_unref(pred);
		return MT_NOMEM;
	}
	const uint32_t *pids = mt_set_ids(pred);
	size_t np = mt_set_count(pred);
	for (size_t i = 0; i < np; i++)
		setbit(pb, pids[i]);
	/* reachable_x(root, pred): referrers are reached, never expanded.
	 * So a start in pred is marked, and an edge into pred marks its
	 * target without pushing it. */
	const mt_graph *g = d->g;
	uint32_t *q = d->stack;
	size_t qh = 0, qt = 0;
	for (size_t i = 0; i < d->nchildren; i++) {
		uint32_t s = d->children[i];
		if (bit(vis, s))
			continue;
		setbit(vis, s);
		if (bit(pb, s))
			continue;
		q[qt++] = s;
		while (qh < qt) {
			uint32_t v = q[qh++], first, cnt;
			mt_graph_out(g, v, &first, &cnt);
			for (uint32_t e = first; e < first + cnt; e++) {
				uint32_t w = mt_graph_edge_target(g, e);
				if (bit(vis, w))
					continue;
				setbit(vis, w);
				if (!bit(pb, w))
					q[qt++] = w;
			}
		}
	}
	uint32_t *r = malloc((np ? np : 1) * sizeof *r);
	if (!r) {
		mt_set_unref(pred);
		return nomem(err, "imdom", np);
	}
	size_t k = 0;
	for (size_t i = 0; i < np; i++)
		if (bit(vis, pids[i]))
			r[k++] = pids[i];
	mt_set_unref(pred);
	return mt_set_adopt(out, r, k, err);
}

mt_status mt_dominance_idom(const mt_dominance *d, uint32_t id, uint32_t *idom,
			    mt_err *err)
{
	*idom = MT_NO_ID;
	if (!d->t)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "no dominator tree was given");
	if (id >= d->n)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "object %u is not in the graph (%u objects)",
				  id, d->n);
	*idom = mt_domtree_idom(d->t, id);
	return MT_OK;
}

/* ---- the page pass ---------------------------------------------------- */

void mt_dominance_trim(mt_dominance *d)
{
	mt_big_free(d->mask);
	mt_big_free(d->tag);
	free(d->over);
	d->mask = NULL;
	d->mask32 = NULL;
	d->mask_each = 0;
	d->tag = NULL;
	d->over = NULL;
	d->nover = d->capover = 0;
}

size_t mt_dominance_scratch_bytes(const mt_dominance *d)
{
	size_t n = d->n ? d->n : 1;
	return (d->mask ? n * d->mask_each : 0) + (d->tag ? n : 0);
}

/* The masks for `sets` sets, the tags and a cleared member bitmap
 * (bm[2]): a tag is read only where the member bit is set, a mask only
 * where the touched bit (bm[3], page_pass) or the known bit (bm[1],
 * bound_pass) is, so neither array is ever cleared.  At most 32 sets
 * take 32-bit masks (4 bytes an object less) unless 64-bit ones are
 * kept from before. */
static mt_status page_scratch(mt_dominance *d, int need_tag, size_t sets,
			      mt_err *err)
{
	size_t n = d->n ? d->n : 1, each = sets <= 32 ? 4 : 8;
	if (d->mask && d->mask_each < each) {
		mt_big_free(d->mask);
		d->mask = NULL;
	}
	if (!d->mask) {
		d->mask = mt_big_alloc(n * each);
		d->mask_each = each;
	}
	d->mask32 = d->mask_each == 4 ? (uint32_t *)(void *)d->mask : NULL;
	if (!d->tag && need_tag)
		d->tag = mt_big_alloc(n);
	if (!d->mask || (!d->tag && need_tag)) {
		mt_dominance_trim(d);
		return nomem(err, "retained masks", d->n);
	}
	d->nover = 0;
	d->every = 0;
	return scratch(d, 2, err) ? MT_OK : MT_NOMEM;
}

static mt_status over_add(mt_dominance *d, uint32_t id, uint64_t sets,
			  mt_err *err)
{
	if (d->nover == d->capover) {
		size_t cap = d->capover ? 2 * d->capover : 1024;
		struct over *o = realloc(d->over, cap * sizeof *o);
		if (!o)
			return nomem(err, "retained side table", cap);
		d->over = o;
		d->capover = cap;
	}
	d->over[d->nover++] = (struct over){id, sets};
	return MT_OK;
}

static int cmp_over(const void *a, const void *b)
{
	uint32_t x = ((const struct over *)a)->id,
		 y = ((const struct over *)b)->id;
	return x < y ? -1 : x > y;
}

/* Sorts the side table and merges each object's entries into one. */
static void over_finish(mt_dominance *d)
{
	size_t m = 0;
	if (d->nover) /* d->over may still be NULL */
		qsort(d->over, d->nover, sizeof *d->over, cmp_over);
	for (size_t i = 0; i < d->nover; i++)
		if (m && d->over[m - 1].id == d->over[i].id)
			d->over[m - 1].sets |= d->over[i].sets;
		else
			d->over[m++] = d->over[i];
	d->nover = m;
}

/* Member v's row from its kind (d->krow): 0 when its kind has none. */
static inline uint8_t row_of(const mt_dominance *d, uint32_t v)
{
	size_t j = v;
	if (d->rank) {
		uint64_t before = d->bm[2][v >> 6] & ((1ull << (v & 63)) - 1);
		j = d->rank[v >> 6] + (size_t)__builtin_popcountll(before);
	}
	uint32_t k = d->kinds ? d->kinds[j] : d->kinds16[j];
	return k <= d->kmax ? d->krow[k] : 0;
}

/* Object v's mask (page_scratch: 64 or 32 bits) and its update. */
static inline uint64_t mask_at(const mt_dominance *d, uint32_t v)
{
	return d->mask32 ? d->mask32[v] : d->mask[v];
}

static inline void mask_put(mt_dominance *d, uint32_t v, uint64_t m)
{
	if (d->mask32)
		d->mask32[v] = (uint32_t)m;
	else
		d->mask[v] = m;
}

/* Object v's sets as bits (v is a member: bit v of bm[2]). */
static inline uint64_t sets_of(const mt_dominance *d, uint32_t v)
{
	uint8_t t = d->krow ? row_of(d, v) : d->tag[v];
	if (t == TAG_NONE || !t)
		return d->every;
	if (t != TAG_MANY)
		return 1ull << (t - 1) | d->every;
	size_t lo = 0, hi = d->nover;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->over[mid].id < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return d->over[lo].sets;
}

/* Tags the members of set i (bit i of a chunk). */
static mt_status tag_set(mt_dominance *d, const mt_set *x, unsigned i,
			 mt_err *err)
{
	const uint32_t *ids = mt_set_ids(x);
	size_t n = mt_set_count(x);
	uint64_t *member = d->bm[2];
	for (size_t j = 0; j < n; j++) {
		uint8_t *t = &d->tag[ids[j]];
		mt_status st = MT_OK;
		if (!bit(member, ids[j])) {
			setbit(member, ids[j]);
			*t = (uint8_t)(i + 1);
		}
		else if (*t != TAG_MANY) {
			st = over_add(d, ids[j], 1ull << (*t - 1), err);
			*t = TAG_MANY;
		}
		if (!st && *t == TAG_MANY)
			st = over_add(d, ids[j], 1ull << i, err);
		if (st)
			return st;
	}
	return MT_OK;
}

/* The propagation over the tagged members for k <= 64 sets (see
 * dominance.h): sizes[0..k) get the sums.  Bitmaps: full (bm[1]) marks
 * the objects whose mask is every bit, member (bm[2]) the sets' members,
 * touched (bm[3]) the objects whose mask[] is valid (else 0), inq (bm[0])
 * what is queued.  Phase 1 walks the full region breadth-first from the
 * bottom of d->stack (bitmaps only) and pushes the members it meets at
 * the top end: at most N entries together, as a member is never full.
 * Phase 2 runs the members and what they reach as a FIFO ring over the
 * same array, skipping the full region. */
static mt_status page_pass(mt_dominance *d, size_t k, uint64_t *sizes,
			   mt_progress_fn cb, void *cbdata, mt_err *err)
{
	const mt_graph *g = d->g;
	uint64_t *member = d->bm[2];
	uint64_t *inq = scratch(d, 0, err),
		 *full = inq ? scratch(d, 1, err) : NULL,
		 *touched = full ? scratch(d, 3, err) : NULL;
	if (!touched)
		return MT_NOMEM;
	const uint64_t all = k == PAGE ? ~0ull : (1ull << k) - 1;
	const size_t n = d->n;
	uint32_t *st = d->stack;
	size_t qh = 0, qt = 0, top = n;
	uint64_t done = 0;
	for (size_t i = 0; i < k; i++)
		sizes[i] = 0;
#define GAIN(w, m)                                                           \
	do {                                                                 \
		uint64_t m_ = (m);                                           \
		if (!bit(touched, w)) {                                      \
			if (!m_)                                             \
				break;                                       \
			setbit(touched, w);                                  \
			mask_put(d, w, m_);                                  \
		} else if (m_ & ~mask_at(d, w))                              \
			mask_put(d, w, m_ | mask_at(d, w));                  \
		else                                                         \
			break;                                               \
		if (!bit(inq, w)) {                                          \
			setbit(inq, w);                                      \
			PUSH(w);                                             \
		}                                                            \
	} while (0)
#define TICK()                                                               \
	do {                                                                 \
		if (!(++done & (STEP - 1)) && cb &&                          \
		    cb(cbdata, done < 2 * n - 1 ? done : 2 * n - 1, 2 * n))  \
			goto cancelled;                                      \
	} while (0)
#define REACH(w)                                                             \
	do {                                                                 \
		if (bit(full, w)) /* the common case; never a member */      \
			break;                                               \
		if (bit(member, w))                                          \
			GAIN(w, all & ~sets_of(d, w));                       \
		else {                                                       \
			setbit(full, w);                                     \
			st[qt++] = w;                                        \
		}                                                            \
	} while (0)
#define PUSH(w) (st[--top] = (w))
	for (size_t i = 0; i < d->nchildren; i++) {
		uint32_t c = d->children[i];
		REACH(c);
		while (qh < qt) {
			uint32_t v = st[qh++], first, cnt;
			TICK();
			mt_graph_out(g, v, &first, &cnt);
			for (uint32_t e = first; e < first + cnt; e++) {
				uint32_t w = mt_graph_edge_target(g, e);
				REACH(w);
			}
		}
	}
#undef PUSH
#undef REACH
	/* phase 2: the members met, in the order met, then what they reach */
	for (size_t i = top, j = n ? n - 1 : 0; i < j; i++, j--) {
		uint32_t x = st[i];
		st[i] = st[j];
		st[j] = x;
	}
	size_t head = top, count = n - top;
#define PUSH(w)                                                              \
	(st[head + count < n ? head + count : head + count - n] = (w),      \
	 count++)
	while (count) {
		uint32_t v = st[head], first, cnt;
		head = head + 1 == n ? 0 : head + 1;
		count--;
		inq[v >> 6] &= ~(1ull << (v & 63));
		TICK();
		uint64_t m = mask_at(d, v);
		mt_graph_out(g, v, &first, &cnt);
		for (uint32_t e = first; e < first + cnt; e++) {
			uint32_t w = mt_graph_edge_target(g, e);
			if (bit(full, w))
				continue;
			GAIN(w, bit(member, w) ? m & ~sets_of(d, w) : m);
		}
	}
#undef PUSH
#undef GAIN
	/* domisize(i): the objects with bit i clear (none in the full
	 * region; an untouched object has no bit); the count goes on from
	 * the walks' to 2 N with the words scanned */
	uint64_t from = done < 2 * n - 1 ? done : 2 * n - 1;
	for (size_t wd = 0; wd < d->words; wd++) {
		uint64_t rest = ~full[wd];
		if (!(wd & (STEP / 64 - 1)) && cb &&
		    cb(cbdata,
		       from + (2 * n - from) * (uint64_t)wd / d->words,
		       2 * n))
			goto cancelled;
		if (wd == d->words - 1 && n % 64)
			rest &= (1ull << (n % 64)) - 1;
		for (; rest; rest &= rest - 1) {
			uint32_t v = (uint32_t)(wd * 64 +
						(size_t)__builtin_ctzll(rest));
			uint64_t x = bit(touched, v) ? all & ~mask_at(d, v)
						      : all;
			if (!x)
				continue;
			uint64_t sz = mt_graph_size(g, v);
			for (; x; x &= x - 1)
				sizes[__builtin_ctzll(x)] += sz;
		}
	}
	return MT_OK;
cancelled:
#undef TICK
	for (size_t i = 0; i < k; i++)
		sizes[i] = 0;
	return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET, MT_NO_OFFSET,
			  "retained sizes");
}

/* Object v's set from a whole heap's kinds alone (domisize_kinds'
 * by_kind without ids): 0 when its kind has no row. */
static inline uint64_t own_row(const mt_dominance *d, uint32_t v)
{
	uint8_t t = row_of(d, v);
	return t ? 1ull << (t - 1) : 0;
}

/* r to sizes[i] for every bit i of rows. */
static inline void add_retained(uint64_t *sizes, uint64_t rows, uint64_t r)
{
	for (; rows; rows &= rows - 1)
		sizes[__builtin_ctzll(rows)] += r;
}

/* The lower bounds for k <= 64 tagged sets (mt_dominance_minretained_kinds):
 * sizes[i] gets the retained sizes of the members of set i that no other
 * member of set i dominates.  down (d->mask) of an object is the sets of
 * its dominators, itself included (bit i: a member of set i dominates
 * it), valid where bm[1] is set: its idom's down plus its own sets.  The
 * objects are taken in id order, which the writer's breadth-first
 * numbering makes nearly the tree's order (an idom mostly comes before
 * what it dominates), so an object mostly needs its idom's down only, one
 * read out of order; when the idom is not done yet, the chain is climbed
 * to the first object done (or the virtual root) on d->stack and filled
 * going down.  Every object's down is made once: O(N) steps, no edges.
 * For a whole heap every object before v is done, so an object whose
 * idom has a smaller id (nearly all) reads no known bit and sets none,
 * and a climb stops at the first id below v: half the pass's time at 80M
 * objects.  The retained sizes are read from the tree's packed array
 * inline (mt_domtree_ret32_).  For a subset's rows (no krow) only the
 * members are taken, and of the rest only what their chains climb
 * through. */
static mt_status bound_pass(mt_dominance *d, size_t k, uint64_t *sizes,
			    mt_progress_fn cb, void *cbdata, mt_err *err)
{
	uint64_t *member = d->bm[2];
	uint64_t *known = scratch(d, 1, err);
	if (!known)
		return MT_NOMEM;
	const uint32_t *idom = mt_domtree_idoms_(d->t);
	const uint32_t *ret32 = mt_domtree_ret32_(d->t);
	const uint64_t all = k == PAGE ? ~0ull : (1ull << k) - 1;
	const uint32_t n = d->n;
	uint32_t *st = d->stack;
	for (size_t i = 0; i < k; i++)
		sizes[i] = 0;
	/* a whole heap's kinds: an object's row from its kind, no member
	 * bits were set */
	const int whole = d->krow && !d->rank;
#define RETAINED(w)                                                          \
	(ret32[(w)] != MT_DOMTREE_RET_WIDE ? ret32[(w)]                      \
					   : mt_domtree_retained(d->t, (w)))
#define OWN(w)                                                               \
	(whole ? own_row(d, (w)) & all                                       \
	       : bit(member, (w)) ? sets_of(d, (w)) & all : 0)
	/* Progress: v + steps / 2 of 2 N, steps counting the objects a
	 * chain climbs and then fills (each once: at most 2 N).  A subset's
	 * first member under a long chain climbs millions of objects at
	 * once (0.6 s without a report at 80M objects), so the climb and
	 * the fill report too. */
	uint64_t steps = 0, next = STEP;
	uint32_t tick = STEP, v;
#define REPORT()                                                             \
	do {                                                                 \
		if (cb && cb(cbdata, (uint64_t)v + steps / 2,                \
			     2 * (uint64_t)n))                               \
			goto cancelled;                                      \
	} while (0)
#define STEPPED()                                                            \
	do {                                                                 \
		if (++steps >= next) {                                       \
			next = steps + STEP;                                 \
			REPORT();                                            \
		}                                                            \
	} while (0)
	for (v = 0; v < n; v++) {
		if (v >= tick) {
			tick = v + STEP;
			REPORT();
		}
		if (!whole) {
			/* members only (a subset's rows): what is above
			 * them is made when a chain is climbed */
			uint64_t w = member[v >> 6] >> (v & 63);
			if (!w) {
				v |= 63;
				continue;
			}
			if (!(w & 1)) {
				v += (uint32_t)__builtin_ctzll(w) - 1;
				continue;
			}
		}
		if (bit(known, v))
			continue; /* filled by a chain climbed before */
		uint32_t u = idom[v];
		if (whole && (u < v || u == MT_NO_ID)) {
			/* nearly always: the idom is done, as every object
			 * before v is (no known bit is read or set) */
			uint64_t a = u == MT_NO_ID ? 0 : mask_at(d, u);
			uint64_t own = own_row(d, v) & all;
			if (own & ~a)
				add_retained(sizes, own & ~a,
					     RETAINED(v));
			mask_put(d, v, a | own);
			continue;
		}
		/* climbed to the first object done */
		size_t depth = 0;
		u = v;
		while (u != MT_NO_ID && !((whole && u < v) || bit(known, u))) {
			st[depth++] = u;
			u = idom[u];
			STEPPED();
		}
		uint64_t a = u == MT_NO_ID ? 0 : mask_at(d, u);
		while (depth) {
			uint32_t w = st[--depth];
			uint64_t own = OWN(w);
			if (own & ~a)
				add_retained(sizes, own & ~a, RETAINED(w));
			a |= own;
			mask_put(d, w, a);
			setbit(known, w);
			STEPPED();
		}
	}
#undef STEPPED
#undef REPORT
#undef OWN
#undef RETAINED
	return MT_OK;
cancelled:
	for (size_t i = 0; i < k; i++)
		sizes[i] = 0;
	return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET, MT_NO_OFFSET,
			  "retained sizes");
}

/* Progress over chunks: chunk c of nc reports within its share, 3 N
 * steps: N for tagging the members (from base), 2 N for the pass (from
 * base + n; page_pass and bound_pass report in 0..2N). */
struct chunked {
	mt_progress_fn cb;
	void *cbdata;
	uint64_t base, n, total;
};

static int chunk_progress(void *data, uint64_t done, uint64_t total)
{
	struct chunked *c = data;
	(void)total;
	return c->cb(c->cbdata, c->base + c->n + done, c->total);
}

/* The tagging's progress: member j of m, within the chunk's first N. */
static uint64_t tag_done(const struct chunked *c, size_t j, size_t m)
{
	return c->base + (m ? (uint64_t)j * c->n / m : 0);
}

mt_status mt_dominance_domisize_many(mt_dominance *d, const mt_set *const *xs,
				     size_t k, uint64_t *sizes,
				     mt_progress_fn cb, void *cbdata,
				     mt_err *err)
{
	mt_status st = MT_OK;
	for (size_t i = 0; i < k; i++) {
		sizes[i] = 0;
		if (!st)
			st = check_ids(d, xs[i], err);
	}
	if (st || !k)
		return st;
	size_t nc = (k + PAGE - 1) / PAGE;
	struct chunked ch = {cb, cbdata, 0, d->n, 3 * (uint64_t)d->n * nc};
	for (size_t c = 0; c < nc && !st; c++) {
		size_t base = c * PAGE, m = k - base < PAGE ? k - base : PAGE;
		if (cb && cb(cbdata, ch.base, ch.total))
			st = mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
					MT_NO_OFFSET, "retained sizes");
		if (!st)
			st = page_scratch(d, 1, m, err);
		for (size_t i = 0; i < m && !st; i++)
			st = tag_set(d, xs[base + i], (unsigned)i, err);
		if (!st) {
			over_finish(d);
			st = page_pass(d, m, sizes + base,
				       cb ? chunk_progress : NULL, &ch, err);
		}
		ch.base += 3 * (uint64_t)d->n;
	}
	if (st)
		for (size_t i = 0; i < k; i++)
			sizes[i] = 0;
	return st;
}

struct want {
	uint32_t kind, row;
};

static int cmp_want(const void *a, const void *b)
{
	uint32_t x = ((const struct want *)a)->kind,
		 y = ((const struct want *)b)->kind;
	return x < y ? -1 : x > y;
}

static mt_status domisize_kinds(mt_dominance *d, const uint32_t *ids,
				 const uint32_t *kinds,
				 const uint16_t *kinds16, size_t n,
				 const uint32_t *want, size_t k,
				 uint64_t *sizes, uint64_t *union_size,
				 int bound, mt_progress_fn cb, void *cbdata,
				 mt_err *err);

mt_status mt_dominance_domisize_kinds(mt_dominance *d, const uint32_t *ids,
				      const uint32_t *kinds, size_t n,
				      const uint32_t *want, size_t k,
				      uint64_t *sizes, uint64_t *union_size,
				      mt_progress_fn cb, void *cbdata,
				      mt_err *err)
{
	return domisize_kinds(d, ids, kinds, NULL, n, want, k, sizes,
			      union_size, 0, cb, cbdata, err);
}

mt_status mt_dominance_domisize_kinds16(mt_dominance *d, const uint32_t *ids,
					const uint16_t *kinds, size_t n,
					const uint32_t *want, size_t k,
					uint64_t *sizes, uint64_t *union_size,
					mt_progress_fn cb, void *cbdata,
					mt_err *err)
{
	return domisize_kinds(d, ids, NULL, kinds, n, want, k, sizes,
			      union_size, 0, cb, cbdata, err);
}

mt_status mt_dominance_minretained_kinds(mt_dominance *d, const uint32_t *ids,
					 const uint32_t *kinds,
					 const uint16_t *kinds16, size_t n,
					 const uint32_t *want, size_t k,
					 uint64_t *sizes, uint64_t *union_size,
					 mt_progress_fn cb, void *cbdata,
					 mt_err *err)
{
	if (!d->t || (!kinds) == (!kinds16)) {
		for (size_t i = 0; i < k; i++)
			sizes[i] = 0;
		if (union_size)
			*union_size = 0;
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  !d->t ? "minimum retained sizes need the "
					  "dominator tree"
					: "one of kinds and kinds16");
	}
	return domisize_kinds(d, ids, kinds, kinds16, n, want, k, sizes,
			      union_size, 1, cb, cbdata, err);
}

/* d->rank from the member bits: the members before each word. */
static mt_status make_rank(mt_dominance *d, mt_err *err)
{
	d->rank = mt_big_alloc((d->words ? d->words : 1) * sizeof *d->rank);
	if (!d->rank)
		return nomem(err, "member ranks", d->n);
	uint32_t r = 0;
	for (size_t wd = 0; wd < d->words; wd++) {
		d->rank[wd] = r;
		r += (uint32_t)__builtin_popcountll(d->bm[2][wd]);
	}
	return MT_OK;
}

static mt_status domisize_kinds(mt_dominance *d, const uint32_t *ids,
				 const uint32_t *kinds,
				 const uint16_t *kinds16, size_t n,
				 const uint32_t *want, size_t k,
				 uint64_t *sizes, uint64_t *union_size,
				 int bound, mt_progress_fn cb, void *cbdata,
				 mt_err *err)
{
	uint64_t *union0 = union_size;
	for (size_t i = 0; i < k; i++)
		sizes[i] = 0;
	if (union_size)
		*union_size = 0;
	if (!ids && n != d->n)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "%zu kinds for %u objects", n, d->n);
	if (ids && n && ids[n - 1] >= d->n)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "object %u is not in the graph (%u objects)",
				  ids[n - 1], d->n);
	/* the union of every object is every object (its domisize the sum
	 * of all sizes); another takes bit 63 of the first pass (the rows
	 * then 63) */
	if (union_size && !ids) {
		if (d->t)
			*union_size = mt_domtree_total(d->t);
		else
			for (uint32_t v = 0; v < d->n; v++)
				*union_size += mt_graph_size(d->g, v);
		union_size = NULL;
	}
	size_t first = union_size ? PAGE - 1 : PAGE;
	size_t nc = k <= first ? 1 : 1 + (k - first + PAGE - 1) / PAGE;
	if (!k && !union_size)
		return MT_OK;
	struct chunked ch = {cb, cbdata, 0, d->n, 3 * (uint64_t)d->n * nc};
	struct want *w = malloc(PAGE * sizeof *w);
	if (!w)
		return nomem(err, "retained rows", k);
	mt_status st = MT_OK;
	for (size_t c = 0; c < nc && !st; c++) {
		size_t base = c ? first + (c - 1) * PAGE : 0,
		       cap = c ? PAGE : first,
		       m = k - base < cap ? k - base : cap;
		int with_union = union_size && !c;
		uint64_t sz[PAGE];
		if (cb && cb(cbdata, ch.base, ch.total))
			st = mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
					MT_NO_OFFSET, "retained sizes");
		if (st)
			break;
		/* the kinds are dense: a direct table while it is small,
		 * else a binary search over the m kinds */
		uint32_t maxk = 0;
		for (size_t i = 0; i < m; i++) {
			w[i] = (struct want){want[base + i], (uint32_t)i};
			maxk = want[base + i] > maxk ? want[base + i] : maxk;
		}
		qsort(w, m, sizeof *w, cmp_want);
		uint8_t *row = maxk < (1u << 24) ? calloc(maxk + 1, 1) : NULL;
		if (row)
			for (size_t i = 0; i < m; i++)
				row[w[i].kind] = (uint8_t)(w[i].row + 1);
		/* one set each: the passes read a member's row from its
		 * kind (by id, or by its rank among the ids), no tag array
		 * (a byte per object) */
		int by_kind = row != NULL;
		st = page_scratch(d, !by_kind, m + (size_t)with_union, err);
		if (st) {
			free(row);
			break;
		}
		if (with_union)
			d->every = 1ull << m;
		/* the bounds read a whole heap's rows from the kinds; a
		 * subset's ids are all members by kind (for their ranks) */
		for (size_t j = 0; j < (bound && by_kind && !ids ? 0 : n) && !st;
		     j++) {
			uint32_t kj = kinds ? kinds[j] : kinds16[j];
			size_t id = ids ? ids[j] : j;
			if (!(j & (STEP - 1)) && cb &&
			    cb(cbdata, tag_done(&ch, j, n), ch.total))
				st = mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
						MT_NO_OFFSET, "retained sizes");
			if (by_kind) {
				/* the passes read the rows from the kinds;
				 * members: a whole heap's rows' objects (no
				 * union there), every id of a subset */
				if (ids || (kj <= maxk && row[kj]))
					setbit(d->bm[2], (uint32_t)id);
				continue;
			}
			struct want key = {kj, 0},
				    *f = bsearch(&key, w, m, sizeof *w, cmp_want);
			uint8_t t = f		 ? (uint8_t)(f->row + 1)
				    : with_union ? TAG_NONE
						 : 0;
			if (t) {
				setbit(d->bm[2], (uint32_t)id);
				d->tag[id] = t;
			}
		}
		if (!st && by_kind && ids)
			st = make_rank(d, err);
		if (by_kind) {
			d->krow = row;
			d->kmax = maxk;
			d->kinds = kinds;
			d->kinds16 = kinds16;
		}
		if (!st)
			st = (bound ? bound_pass : page_pass)(
			    d, m + (size_t)with_union, sz,
			    cb ? chunk_progress : NULL, &ch, err);
		d->krow = NULL;
		d->kinds = NULL;
		d->kinds16 = NULL;
		mt_big_free(d->rank);
		d->rank = NULL;
		free(row);
		if (!st) {
			memcpy(sizes + base, sz, m * sizeof *sz);
			if (with_union)
				*union_size = sz[m];
		}
		ch.base += 3 * (uint64_t)d->n;
	}
	free(w);
	if (st) {
		for (size_t i = 0; i < k; i++)
			sizes[i] = 0;
		if (union0)
			*union0 = 0;
	}
	return st;
}
