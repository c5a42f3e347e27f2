/* Comparing dumps (include/memtrack/diff.h).
 *
 * Owns two things.  The identity of objects across two dumps of one
 * process (mt_match): two flat uint32 arrays, old_of[new id] and
 * new_of[old id], made by a hash join on the address: OLD's real objects
 * go into an open-addressing table of ids (linear probing, at most 2/3
 * full, the key read back from the graph), NEW's objects probe it, and a
 * pair matches when the addresses and the addresses of their type objects
 * are equal; then a virtual instance dict matches when its owner does.
 * The difference table (mt_diff): each side's partition by
 * the classifier, merged by label into rows in heapy's order (Stat.__sub__
 * in guppy's Part.py: NEW's rows in NEW's table order, then the rows only
 * in OLD in OLD's order, then a stable sort by absolute size difference),
 * and heapy's DiffFormat text of it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "memtrack/diff.h"
#include "memtrack/table.h"

/* ---- one process? -------------------------------------------------------- */

/* /proc/stat's btime may move by a second as the clock is adjusted, so
 * start times of one process read at two moments can differ by that. */
#define START_TIME_SLACK 1.0

bool mt_same_process(const mt_header *a, const mt_header *b, const char **why)
{
	static _Thread_local char msg[200];
	double dt;
	if (a->py_major != b->py_major || a->py_minor != b->py_minor ||
	    a->py_micro != b->py_micro) {
		snprintf(msg, sizeof msg,
			 "the dumps come from different Python versions (%u.%u.%u "
			 "and %u.%u.%u)",
			 a->py_major, a->py_minor, a->py_micro, b->py_major,
			 b->py_minor, b->py_micro);
		goto no;
	}
	if (a->pid != b->pid) {
		snprintf(msg, sizeof msg,
			 "the dumps come from different processes (pid %llu "
			 "and %llu)",
			 (unsigned long long)a->pid,
			 (unsigned long long)b->pid);
		goto no;
	}
	if (a->start_time <= 0 || b->start_time <= 0) {
		snprintf(msg, sizeof msg,
			 "the dumps do not record the process start time "
			 "(written before memtrack recorded it, or /proc could "
			 "not tell), so pid %llu may be two processes",
			 (unsigned long long)a->pid);
		goto no;
	}
	if (a->boot_id && b->boot_id && strcmp(a->boot_id, b->boot_id) != 0) {
		snprintf(msg, sizeof msg,
			 "the dumps come from different boots of the machine "
			 "(pid %llu both times)",
			 (unsigned long long)a->pid);
		goto no;
	}
	dt = a->start_time - b->start_time;
	if (dt > START_TIME_SLACK || dt < -START_TIME_SLACK) {
		snprintf(msg, sizeof msg,
			 "the dumps come from different processes (pid %llu "
			 "started at two times, %.0f s apart)",
			 (unsigned long long)a->pid, dt < 0 ? -dt : dt);
		goto no;
	}
	if (why)
		*why = NULL;
	return true;
no:
	if (why)
		*why = msg;
	return false;
}

/* ---- identity ------------------------------------------------------------ */

struct mt_match {
	const mt_graph *old, *new_;
	uint32_t nold, nnew;
	uint32_t *old_of; /* nnew entries */
	uint32_t *new_of; /* nold entries */
};

static uint64_t addr_hash(uint64_t a)
{
	/* CPython objects are 16-byte aligned: the low bits carry nothing. */
	a >>= 4;
	a ^= a >> 29;
	return a * 0x9E3779B97F4A7C15ull;
}

/* The address of id's type object (0 when the type is virtual). */
static uint64_t type_addr(const mt_graph *g, uint32_t id)
{
	return mt_graph_addr(g, mt_graph_type(g, id));
}

/* A virtual instance dict (3.11+ inline values, doc/format.md) has no
 * address: it is its owner's, so it matches when its owner does (as
 * memtrack.mark() marks it).  Other virtual objects (frames, plugin
 * buffers) never match. */
static void match_virtual_dicts(mt_match *m)
{
	uint32_t id;
	if (mt_graph_dict_type(m->new_) == MT_NO_ID ||
	    mt_graph_dict_type(m->old) == MT_NO_ID)
		return;
	for (id = 0; id < m->nnew; id++) {
		uint32_t owner, o, od;
		if (!mt_graph_virtual(m->new_, id) ||
		    mt_graph_type(m->new_, id) != mt_graph_dict_type(m->new_))
			continue;
		owner = mt_graph_dict_owner(m->new_, id);
		if (owner == MT_NO_ID || (o = m->old_of[owner]) == MT_NO_ID)
			continue;
		od = mt_graph_attr(m->old, o, "__dict__");
		if (od != MT_NO_ID && mt_graph_virtual(m->old, od) &&
		    mt_graph_dict_owner(m->old, od) == o &&
		    m->new_of[od] == MT_NO_ID) {
			m->old_of[id] = od;
			m->new_of[od] = id;
		}
	}
}

/* The join's table: zeroed slots from mmap, with huge pages where the
 * kernel allows (the probes are random: TLB misses dominate on big
 * heaps, as for the capture's object table). */
static uint32_t *map_table(size_t cap, size_t *bytes)
{
	size_t b = (cap * sizeof(uint32_t) + 4095) & ~(size_t)4095;
	void *p = mmap(NULL, b, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	if (b >= ((size_t)4 << 20))
		(void)madvise(p, b, MADV_HUGEPAGE);
#endif
	*bytes = b;
	return p;
}

/* Fills m->old_of and m->new_of (both MT_NO_ID-filled) by the hash join.
 * A slot holds an OLD id + 1, 0 when empty. */
static int match_objects(mt_match *m)
{
	enum { AHEAD = 16 };
	uint32_t nreal = 0, id, *tab;
	size_t cap = 16, mask, bytes;
	unsigned bits = 4;

	for (id = 0; id < m->nold; id++)
		nreal += mt_graph_addr(m->old, id) != 0;
	while (cap < (size_t)nreal + nreal / 2) { /* at most 2/3 full */
		cap <<= 1;
		bits++;
	}
	mask = cap - 1;
	tab = map_table(cap, &bytes);
	if (!tab)
		return -1;

	for (id = 0; id < m->nold; id++) {
		uint64_t a = mt_graph_addr(m->old, id);
		size_t s;
		if (id + AHEAD < m->nold) {
			uint64_t b = mt_graph_addr(m->old, id + AHEAD);
			__builtin_prefetch(&tab[addr_hash(b) >> (64 - bits)],
					   1);
		}
		if (!a)
			continue;
		for (s = addr_hash(a) >> (64 - bits); tab[s];
		     s = (s + 1) & mask)
			if (mt_graph_addr(m->old, tab[s] - 1) == a)
				break; /* a duplicate address: first wins */
		if (!tab[s])
			tab[s] = id + 1;
	}
	for (id = 0; id < m->nnew; id++) {
		uint64_t a = mt_graph_addr(m->new_, id);
		size_t s;
		if (id + AHEAD < m->nnew) {
			uint64_t b = mt_graph_addr(m->new_, id + AHEAD);
			__builtin_prefetch(&tab[addr_hash(b) >> (64 - bits)],
					   0);
		}
		if (!a)
			continue; /* virtual objects never match */
		for (s = addr_hash(a) >> (64 - bits); tab[s];
		     s = (s + 1) & mask) {
			uint32_t o = tab[s] - 1;
			uint64_t ta;
			if (mt_graph_addr(m->old, o) != a)
				continue;
			/* An address reused by an object of another type is
			 * a new object; the old one is gone. */
			ta = type_addr(m->new_, id);
			if (ta && ta == type_addr(m->old, o) &&
			    m->new_of[o] == MT_NO_ID) {
				m->old_of[id] = o;
				m->new_of[o] = id;
			}
			break;
		}
	}
	munmap(tab, bytes);
	match_virtual_dicts(m);
	return 0;
}

mt_status mt_match_new(mt_match **out, const mt_graph *old,
		       const mt_graph *new_, mt_err *err)
{
	const char *why;
	mt_match *m;
	*out = NULL;
	if (!mt_same_process(mt_graph_header(old), mt_graph_header(new_), &why))
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET, "%s",
				  why);
	m = calloc(1, sizeof *m);
	if (!m)
		goto nomem;
	m->old = old;
	m->new_ = new_;
	m->nold = mt_graph_count(old);
	m->nnew = mt_graph_count(new_);
	m->old_of = malloc(((size_t)m->nnew + 1) * sizeof *m->old_of);
	m->new_of = malloc(((size_t)m->nold + 1) * sizeof *m->new_of);
	if (!m->old_of || !m->new_of)
		goto nomem;
	memset(m->old_of, 0xff, (size_t)m->nnew * sizeof *m->old_of);
	memset(m->new_of, 0xff, (size_t)m->nold * sizeof *m->new_of);
	if (match_objects(m))
		goto nomem;
	*out = m;
	return MT_OK;
nomem:
	mt_match_free(m);
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			  "matching objects");
}

void mt_match_free(mt_match *m)
{
	if (!m)
		return;
	free(m->old_of);
	free(m->new_of);
	free(m);
}

uint32_t mt_match_old_of(const mt_match *m, uint32_t new_id)
{
	return new_id < m->nnew ? m->old_of[new_id] : MT_NO_ID;
}

uint32_t mt_match_new_of(const mt_match *m, uint32_t old_id)
{
	return old_id < m->nold ? m->new_of[old_id] : MT_NO_ID;
}

const mt_graph *mt_match_graph(const mt_match *m, int side)
{
	return side == MT_SIDE_OLD ? m->old : m->new_;
}

mt_status mt_match_translate(const mt_match *m, int from, const mt_set *s,
			     mt_set **out, mt_err *err)
{
	const uint32_t *ids = mt_set_ids(s), *map;
	size_t n = mt_set_count(s), i, k = 0;
	uint32_t lim, *res;
	bool sorted = true;

	*out = NULL;
	if (from != MT_SIDE_OLD && from != MT_SIDE_NEW)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "side %d is neither old nor new", from);
	map = from == MT_SIDE_OLD ? m->new_of : m->old_of;
	lim = from == MT_SIDE_OLD ? m->nold : m->nnew;
	res = malloc((n ? n : 1) * sizeof *res);
	if (!res)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "translating a set");
	for (i = 0; i < n; i++) {
		uint32_t t;
		if (ids[i] >= lim) {
			free(res);
			return mt_err_set(err, MT_ARG, MT_NO_OFFSET,
					  MT_NO_OFFSET,
					  "object %u is not in the %s dump",
					  ids[i],
					  from == MT_SIDE_OLD ? "old" : "new");
		}
		t = map[ids[i]];
		if (t == MT_NO_ID)
			continue;
		sorted &= !k || res[k - 1] < t;
		res[k++] = t;
	}
	if (sorted)
		return mt_set_adopt(out, res, k, err);
	{
		mt_status st = mt_set_from_ids(out, res, k, err);
		free(res);
		return st;
	}
}

mt_status mt_leak_candidates(const mt_match *ab, const mt_match *bc,
			     mt_set **out, mt_err *err)
{
	uint32_t c, *res, k = 0;
	*out = NULL;
	if (ab->new_ != bc->old)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "the leak rule needs matches A-B and B-C "
				  "sharing dump B");
	res = malloc(((size_t)bc->nnew + 1) * sizeof *res);
	if (!res)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "leak candidates");
	for (c = 0; c < bc->nnew; c++) {
		uint32_t b = bc->old_of[c];
		if (b != MT_NO_ID && ab->old_of[b] == MT_NO_ID)
			res[k++] = c;
	}
	return mt_set_adopt(out, res, k, err);
}

/* ---- the difference table ------------------------------------------------ */

struct mt_diff {
	mt_partition *part[2]; /* OLD, NEW */
	mt_diff_row *rows;
	size_t nrows;
	uint64_t count[2], size[2];
	char *header;
};

/* FNV-1a of a label. */
static uint32_t label_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* A table of row indices keyed by their labels (open addressing). */
struct labels {
	uint32_t *slot;
	size_t mask;
};

static int labels_init(struct labels *t, size_t n)
{
	size_t cap = 16;
	while (cap < n * 2)
		cap <<= 1;
	t->slot = malloc(cap * sizeof *t->slot);
	if (!t->slot)
		return -1;
	memset(t->slot, 0xff, cap * sizeof *t->slot);
	t->mask = cap - 1;
	return 0;
}

/* The slot of label among rows[]: where it is, or the empty slot. */
static size_t labels_find(const struct labels *t, const mt_diff_row *rows,
			  const char *label)
{
	size_t s = label_hash(label) & t->mask;
	while (t->slot[s] != MT_NO_ID && strcmp(rows[t->slot[s]].label, label))
		s = (s + 1) & t->mask;
	return s;
}

static int64_t size_delta(const mt_diff_row *r)
{
	return (int64_t)r->new_size - (int64_t)r->old_size;
}

static int64_t count_delta(const mt_diff_row *r)
{
	return (int64_t)r->new_count - (int64_t)r->old_count;
}

static uint64_t abs64(int64_t x)
{
	return x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
}

/* Stable merge sort of rows by absolute size difference, largest first
 * (Python's stable sort with key=abs(size), reverse=True). */
static int sort_rows(mt_diff_row *rows, size_t n)
{
	mt_diff_row *tmp;
	size_t w, i;
	if (n < 2)
		return 0;
	tmp = malloc(n * sizeof *tmp);
	if (!tmp)
		return -1;
	for (w = 1; w < n; w *= 2) {
		for (i = 0; i < n; i += 2 * w) {
			size_t a = i, am = i + w < n ? i + w : n, b = am,
			       bm = i + 2 * w < n ? i + 2 * w : n, k = i;
			while (a < am && b < bm)
				tmp[k++] = abs64(size_delta(&rows[b])) >
						   abs64(size_delta(&rows[a]))
					       ? rows[b++]
					       : rows[a++];
			while (a < am)
				tmp[k++] = rows[a++];
			while (b < bm)
				tmp[k++] = rows[b++];
		}
		memcpy(rows, tmp, n * sizeof *rows);
	}
	free(tmp);
	return 0;
}

/* Adds side's partition rows to d->rows, merging equal labels. */
static int merge_side(mt_diff *d, struct labels *t, int side, uint32_t *row_of)
{
	const mt_partition *p = d->part[side];
	size_t i, n = mt_partition_nrows(p);
	for (i = 0; i < n; i++) {
		const mt_partition_row *pr = mt_partition_row_at(p, i);
		size_t s = labels_find(t, d->rows, pr->label);
		mt_diff_row *r;
		if (t->slot[s] == MT_NO_ID) {
			r = &d->rows[d->nrows];
			memset(r, 0, sizeof *r);
			r->label = pr->label;
			r->old_row = r->new_row = MT_NO_ID;
			t->slot[s] = (uint32_t)d->nrows++;
		} else
			r = &d->rows[t->slot[s]];
		if (side == MT_SIDE_OLD) {
			r->old_count += pr->count;
			r->old_size += pr->size;
			if (r->old_row == MT_NO_ID)
				r->old_row = (uint32_t)i;
		} else {
			r->new_count += pr->count;
			r->new_size += pr->size;
			if (r->new_row == MT_NO_ID)
				r->new_row = (uint32_t)i;
		}
		row_of[i] = t->slot[s];
	}
	return 0;
}

/* The New and Deleted figures: the members of side `side`'s set without a
 * counterpart in the other side's set, counted in the row of their kind. */
static mt_status count_unmatched(mt_diff *d, const mt_match *m, int side,
				 mt_classifier *c, const mt_set *set,
				 const mt_set *other, const uint32_t *row_of,
				 mt_err *err)
{
	const mt_graph *g = mt_classifier_graph(c);
	const mt_partition *p = d->part[side];
	uint32_t nkinds, *kind_row = NULL, n = mt_graph_count(g);
	uint8_t *in_other = NULL;
	size_t k, np = mt_partition_nrows(p),
		  nset = set ? mt_set_count(set) : n;
	const uint32_t *ids = set ? mt_set_ids(set) : NULL;
	mt_status st = MT_OK;

	if (other) {
		const mt_graph *og = mt_match_graph(m, 1 - side);
		size_t on = mt_set_count(other);
		const uint32_t *oids = mt_set_ids(other);
		in_other = calloc(mt_graph_count(og) / 8 + 1, 1);
		if (!in_other)
			goto nomem;
		for (k = 0; k < on; k++)
			in_other[oids[k] >> 3] |=
			    (uint8_t)(1u << (oids[k] & 7));
	}
	nkinds = mt_classifier_kind_count(c);
	kind_row = malloc(((size_t)nkinds + 1) * sizeof *kind_row);
	if (!kind_row)
		goto nomem;
	memset(kind_row, 0xff, ((size_t)nkinds + 1) * sizeof *kind_row);
	for (k = 0; k < np; k++) {
		uint32_t kd = mt_partition_row_at(p, k)->kind;
		if (kd < nkinds)
			kind_row[kd] = (uint32_t)k;
	}
	for (k = 0; k < nset; k++) {
		uint32_t id = ids ? ids[k] : (uint32_t)k, cp, kind;
		mt_diff_row *r;
		cp = side == MT_SIDE_NEW ? mt_match_old_of(m, id)
					 : mt_match_new_of(m, id);
		if (cp != MT_NO_ID &&
		    (!in_other || in_other[cp >> 3] & (1u << (cp & 7))))
			continue;
		if ((st = mt_classifier_classify(c, id, &kind, err)) != MT_OK)
			goto done;
		if (kind >= nkinds || kind_row[kind] == MT_NO_ID)
			continue; /* cannot happen: the partition has them */
		r = &d->rows[row_of[kind_row[kind]]];
		if (side == MT_SIDE_NEW) {
			r->added_count++;
			r->added_size += mt_graph_size(g, id);
		} else {
			r->gone_count++;
			r->gone_size += mt_graph_size(g, id);
		}
	}
	goto done;
nomem:
	st = mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			"new and deleted objects");
done:
	free(in_other);
	free(kind_row);
	return st;
}

mt_status mt_diff_new(mt_diff **out, mt_ctx *old, const mt_set *old_set,
		      mt_ctx *new_, const mt_set *new_set, const char *er,
		      const mt_match *m, mt_err *err)
{
	mt_classifier *cls[2] = {NULL, NULL};
	mt_ctx *ctx[2] = {old, new_};
	const mt_set *sets[2] = {old_set, new_set};
	uint32_t *row_of[2] = {NULL, NULL};
	struct labels t = {NULL, 0};
	mt_diff *d;
	mt_status st = MT_OK;
	size_t n;
	int side;

	*out = NULL;
	if (!er)
		er = "clodo";
	if (m && (mt_match_graph(m, MT_SIDE_OLD) != mt_ctx_graph(old) ||
		  mt_match_graph(m, MT_SIDE_NEW) != mt_ctx_graph(new_)))
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "the match is of other dumps");
	d = calloc(1, sizeof *d);
	if (!d)
		goto nomem;
	for (side = 0; side < 2; side++) {
		if ((st = mt_ctx_classifier(ctx[side], er, &cls[side], err)) !=
			MT_OK ||
		    (st = mt_ctx_partition(ctx[side], cls[side], sets[side],
					   &d->part[side], err)) != MT_OK)
			goto fail;
		d->count[side] = mt_partition_count(d->part[side]);
		d->size[side] = mt_partition_size(d->part[side]);
		row_of[side] = malloc((mt_partition_nrows(d->part[side]) + 1) *
				      sizeof(uint32_t));
		if (!row_of[side])
			goto nomem;
	}
	n = mt_partition_nrows(d->part[0]) + mt_partition_nrows(d->part[1]);
	d->header = strdup(mt_partition_header(d->part[MT_SIDE_NEW]));
	d->rows = malloc((n + 1) * sizeof *d->rows);
	if (!d->header || !d->rows || labels_init(&t, n))
		goto nomem;
	/* heapy's order before the sort: NEW's rows, then OLD's others. */
	merge_side(d, &t, MT_SIDE_NEW, row_of[MT_SIDE_NEW]);
	merge_side(d, &t, MT_SIDE_OLD, row_of[MT_SIDE_OLD]);
	if (m) {
		for (side = 0; side < 2; side++)
			if ((st = count_unmatched(d, m, side, cls[side],
						  sets[side], sets[1 - side],
						  row_of[side], err)) != MT_OK)
				goto fail;
	}
	if (sort_rows(d->rows, d->nrows))
		goto nomem;
	goto done;
nomem:
	st = mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			"difference table");
fail:
	mt_diff_free(d);
	d = NULL;
done:
	mt_classifier_unref(cls[0]);
	mt_classifier_unref(cls[1]);
	free(row_of[0]);
	free(row_of[1]);
	free(t.slot);
	*out = d;
	return st;
}

void mt_diff_free(mt_diff *d)
{
	if (!d)
		return;
	mt_partition_free(d->part[0]);
	mt_partition_free(d->part[1]);
	free(d->rows);
	free(d->header);
	free(d);
}

size_t mt_diff_nrows(const mt_diff *d) { return d->nrows; }

const mt_diff_row *mt_diff_row_at(const mt_diff *d, size_t i)
{
	return &d->rows[i];
}

bool mt_diff_row_changed(const mt_diff_row *r)
{
	return r->old_count != r->new_count || r->old_size != r->new_size ||
	       r->added_count || r->gone_count;
}

void mt_diff_totals(const mt_diff *d, uint64_t *old_count, uint64_t *old_size,
		    uint64_t *new_count, uint64_t *new_size)
{
	if (old_count)
		*old_count = d->count[MT_SIDE_OLD];
	if (old_size)
		*old_size = d->size[MT_SIDE_OLD];
	if (new_count)
		*new_count = d->count[MT_SIDE_NEW];
	if (new_size)
		*new_size = d->size[MT_SIDE_NEW];
}

const char *mt_diff_header(const mt_diff *d) { return d->header; }

const mt_partition *mt_diff_partition(const mt_diff *d, int side)
{
	return d->part[side == MT_SIDE_OLD ? MT_SIDE_OLD : MT_SIDE_NEW];
}

/* ---- heapy's text -------------------------------------------------------- */

/* Whether a row is in heapy's table: its count or size differs. */
static bool in_table(const mt_diff_row *r)
{
	return count_delta(r) != 0 || size_delta(r) != 0;
}

/* '%9.3g' of x as a percentage of B's size, or heapy's "(n.a.)". */
static void percent_of_b(char *buf, size_t n, int64_t x, uint64_t b_size)
{
	if (b_size)
		snprintf(buf, n, "%9.3g", (double)x * 100.0 / (double)b_size);
	else
		snprintf(buf, n, "   (n.a.)");
}

static mt_status format_row(mt_strbuf *out, size_t index, const mt_diff_row *r,
			    int64_t cumul, uint64_t b_size)
{
	char pct[64], prefix[192];
	percent_of_b(pct, sizeof pct, cumul, b_size);
	int k = snprintf(prefix, sizeof prefix, "%6zu %6lld %8lld %9lld %s ",
			 index, (long long)count_delta(r),
			 (long long)size_delta(r), (long long)cumul, pct);
	return mt_table_row(out, prefix, k < 0 ? 0 : (size_t)k, r->label);
}

mt_status mt_diff_format_from(const mt_diff *d, size_t first, unsigned flags,
			      mt_strbuf *out, size_t *next, mt_err *err)
{
	static const char stat_header[] =
	    " Index  Count     Size  Cumulative  % of B ";
	uint64_t b_count = d->count[MT_SIDE_OLD], b_size = d->size[MT_SIDE_OLD];
	int64_t dcount = (int64_t)d->count[MT_SIDE_NEW] - (int64_t)b_count;
	int64_t dsize = (int64_t)d->size[MT_SIDE_NEW] - (int64_t)b_size;
	int64_t cumul = 0;
	size_t i, index = 0, shown = 0, ntable = 0;
	mt_strbuf text;
	mt_status st = MT_OK;
	char pct[64];

	if (next)
		*next = 0;
	for (i = 0; i < d->nrows; i++)
		ntable += in_table(&d->rows[i]);
	mt_strbuf_init(&text);
	/* heapy prints the label, the row header (empty when the totals
	 * did not change), the rows, each with print(), then strips the
	 * end of the whole text. */
	if (first == 0) {
		percent_of_b(pct, sizeof pct, dsize, b_size);
		mt_strbuf_printf(&text,
				 "Summary of difference operation (A-B).\n"
				 "        Count     Size\n"
				 "  A    %6llu %8llu\n"
				 "  B    %6llu %8llu\n"
				 "  A-B  %6lld %8lld  = %s %% of B\n",
				 (unsigned long long)d->count[MT_SIDE_NEW],
				 (unsigned long long)d->size[MT_SIDE_NEW],
				 (unsigned long long)b_count,
				 (unsigned long long)b_size, (long long)dcount,
				 (long long)dsize, pct);
		if (dcount || dsize)
			mt_strbuf_printf(&text,
					 "\nDifferences by kind, largest "
					 "absolute size diffs first.");
		mt_strbuf_addc(&text, '\n', 1);
	}
	if (first < ntable) {
		if (dcount || dsize) {
			mt_strbuf hdr;
			mt_strbuf_init(&hdr);
			mt_strbuf_add(&hdr, stat_header,
				      sizeof stat_header - 1);
			mt_strbuf_add(&hdr, d->header, strlen(d->header));
			st = hdr.nomem ? MT_NOMEM
				       : mt_table_wrap(&text, hdr.s, hdr.len,
						       MT_TABLE_WIDTH, 0,
						       sizeof stat_header - 1);
			mt_strbuf_destroy(&hdr);
		} else
			mt_strbuf_addc(&text, '\n', 1);
	}
	for (i = 0; st == MT_OK && i < d->nrows; i++) {
		const mt_diff_row *r = &d->rows[i];
		if (!in_table(r))
			continue;
		cumul += size_delta(r);
		if (index++ < first)
			continue;
		st = format_row(&text, index - 1, r, cumul, b_size);
		if (++shown >= MT_TABLE_PAGE && !(flags & MT_TABLE_ALL)) {
			size_t more = ntable - index;
			if (more > 1) {
				mt_strbuf_printf(&text,
						 "<%zu more rows. Type e.g. "
						 "'_.more' to view.>\n",
						 more);
				if (next)
					*next = index;
				break;
			}
		}
	}
	if (next && (!*next))
		*next = ntable;
	if (st == MT_OK && text.nomem)
		st = MT_NOMEM;
	if (st == MT_OK) {
		size_t len = text.len;
		while (len &&
		       (text.s[len - 1] == '\n' || text.s[len - 1] == ' ' ||
			text.s[len - 1] == '\t'))
			len--;
		if (len) {
			mt_strbuf_add(out, text.s, len);
			mt_strbuf_addc(out, '\n', 1);
		}
		if (out->nomem)
			st = MT_NOMEM;
	}
	mt_strbuf_destroy(&text);
	if (st != MT_OK)
		return mt_err_set(err, st, MT_NO_OFFSET, MT_NO_OFFSET,
				  "difference table text");
	return MT_OK;
}

mt_status mt_diff_format(const mt_diff *d, unsigned flags, mt_strbuf *out,
			 mt_err *err)
{
	return mt_diff_format_from(d, 0, flags, out, NULL, err);
}

size_t mt_diff_table_rows(const mt_diff *d)
{
	size_t i, n = 0;
	for (i = 0; i < d->nrows; i++)
		n += in_table(&d->rows[i]);
	return n;
}
