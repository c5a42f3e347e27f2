/* Other dumps in a session (query.h mt_query_add_dump): `h0`, `h1`...
 * name the heaps of other sessions, values remember which dump they are
 * of (val.of), and sets cross from one dump to another by identity
 * (diff.h): `h - h0` is h minus h0's objects translated onto h's side.
 *
 * The match of an added dump with the session's own is the caller's (the
 * front end made it with mt_match_new, or gave NULL across processes);
 * between two added dumps (`h1 - h0` with three dumps) one is made on
 * first use, the dump added first being OLD.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "memtrack/diff.h"
#include "qval.h"

/* The index of session s among q's added dumps, or -1 (q's own or not
 * added). */
static long dump_index(const mt_query *q, const mt_query *s)
{
	for (size_t i = 0; i < q->ndumps; i++)
		if (q->dumps[i].q == s)
			return (long)i;
	return -1;
}

bool q_dump_known(const mt_query *q, const mt_query *s)
{
	return !s || s == q || dump_index(q, s) >= 0;
}

const char *q_dump_name(const mt_query *q, const mt_query *s)
{
	if (!s || s == q)
		return q->h_mine ? "hp.Mine" : "h";
	long i = dump_index(q, s);
	return i < 0 ? "?" : q->dumps[i].name;
}

mt_query *q_dump_find(const mt_query *q, const char *name)
{
	for (size_t i = 0; i < q->ndumps; i++)
		if (!strcmp(q->dumps[i].name, name))
			return q->dumps[i].q;
	return NULL;
}

static bool valid_name(const char *name)
{
	static const char *const taken[] = {"h",    "hp",    "_",    "help",
					    "True", "False", "None", NULL};
	if (!name[0] ||
	    !(name[0] == '_' || (name[0] >= 'a' && name[0] <= 'z') ||
	      (name[0] >= 'A' && name[0] <= 'Z')))
		return false;
	for (const char *c = name; *c; c++)
		if (!q_name_char((unsigned char)*c))
			return false;
	for (size_t i = 0; taken[i]; i++)
		if (!strcmp(name, taken[i]))
			return false;
	return true;
}

mt_status mt_query_add_dump(mt_query *q, const char *name, mt_query *other,
			    const struct mt_match *m, mt_err *err)
{
	if (!other || other == q || !valid_name(name) || q_dump_find(q, name) ||
	    dump_index(q, other) >= 0)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "cannot name another dump '%s'",
				  name ? name : "");
	size_t n = q->ndumps + 1;
	struct qdump *d = realloc(q->dumps, n * sizeof *d);
	if (!d)
		return q_nomem(err);
	q->dumps = d;
	struct mt_match **pairs = calloc(n * n, sizeof *pairs);
	char *copy = strdup(name);
	if (!pairs || !copy) {
		free(pairs);
		free(copy);
		return q_nomem(err);
	}
	/* keep the matches made so far at their (i, j) */
	for (size_t i = 0; i < q->ndumps; i++)
		for (size_t j = 0; j < q->ndumps; j++)
			pairs[i * n + j] = q->pairs[i * q->ndumps + j];
	free(q->pairs);
	q->pairs = pairs;
	q->npairs = n * n;
	d[q->ndumps] = (struct qdump){.name = copy, .q = other, .m = m};
	q->ndumps = n;
	return MT_OK;
}

void q_dumps_free(mt_query *q)
{
	for (size_t i = 0; i < q->npairs; i++)
		mt_match_free(q->pairs[i]);
	free(q->pairs);
	for (size_t i = 0; i < q->ndumps; i++)
		free(q->dumps[i].name);
	free(q->dumps);
	mt_set_unref(q->marked);
}

/* Why sessions a and b's dumps have no identity: mt_same_process's
 * reason, or that none was given. */
static const char *no_identity(const mt_query *a, const mt_query *b)
{
	const char *why = NULL;
	if (mt_same_process(mt_graph_header(a->g), mt_graph_header(b->g),
			    &why) ||
	    !why)
		return "no identity of objects was given for these dumps";
	return why;
}

/* The match between added dumps i < j, made on first use. */
static mt_status pair_match(mt_query *q, size_t i, size_t j,
			    const mt_match **out, mt_err *err)
{
	struct mt_match **slot = &q->pairs[i * q->ndumps + j];
	if (!*slot) {
		mt_status st =
		    mt_match_new(slot, q->dumps[i].q->g, q->dumps[j].q->g, err);
		if (st)
			return st;
	}
	*out = *slot;
	return MT_OK;
}

/* The match between sessions a and b (a != b, both q's own or added) and
 * the side of it a is on. */
static mt_status find_match(mt_query *q, mt_query *a, mt_query *b,
			    const mt_match **m, int *a_side, uint32_t pos,
			    mt_err *err)
{
	long ia = a == q ? -1 : dump_index(q, a);
	long ib = b == q ? -1 : dump_index(q, b);
	*m = NULL;
	if ((a != q && ia < 0) || (b != q && ib < 0))
		return qerr(err, MT_TYPE, pos,
			    "a set of a dump this session does not name");
	mt_status st = MT_OK;
	if (ia < 0 || ib < 0) { /* one is q's own: NEW */
		*m = q->dumps[ia < 0 ? ib : ia].m;
		*a_side = ia < 0 ? MT_SIDE_NEW : MT_SIDE_OLD;
	} else {
		size_t i = (size_t)(ia < ib ? ia : ib);
		size_t j = (size_t)(ia < ib ? ib : ia);
		*a_side = ia < ib ? MT_SIDE_OLD : MT_SIDE_NEW;
		mt_err e2;
		mt_err_clear(&e2);
		st = pair_match(q, i, j, m, &e2);
		if (st == MT_NOMEM)
			return q_nomem(err);
		if (st == MT_CANCELLED)
			return qerr(err, st, pos, "%s", e2.detail);
	}
	if (!*m)
		return qerr(err, MT_ARG, pos, "%s vs %s: %s", q_dump_name(q, a),
			    q_dump_name(q, b), no_identity(a, b));
	return MT_OK;
}

mt_status q_translate(mt_query *q, mt_query *from, mt_query *to,
		      const mt_set *s, uint32_t pos, mt_set **out, mt_err *err)
{
	from = from ? from : q;
	to = to ? to : q;
	*out = NULL;
	if (from == to) {
		*out = mt_set_ref((mt_set *)s);
		return MT_OK;
	}
	const mt_match *m;
	int side; /* of `to`: errors name the dumps as the expression does */
	mt_status st = find_match(q, to, from, &m, &side, pos, err);
	if (st)
		return st;
	side = side == MT_SIDE_OLD ? MT_SIDE_NEW : MT_SIDE_OLD;
	if ((st = mt_match_translate(m, side, s, out, err)) && err &&
	    st != MT_NOMEM)
		err->offset = pos;
	return st;
}

const struct mt_match *q_match_of(mt_query *q, mt_query *old, mt_query *new_)
{
	old = old ? old : q;
	new_ = new_ ? new_ : q;
	if (old == new_)
		return NULL;
	const mt_match *m = NULL;
	int side = 0;
	mt_err e;
	mt_err_clear(&e);
	if (find_match(q, old, new_, &m, &side, 0, &e) || side != MT_SIDE_OLD)
		return NULL;
	return m;
}

mt_status q_marked(mt_query *q, uint32_t pos, mt_set **out, mt_err *err)
{
	if (!q->marked) {
		if (!mt_graph_has_mark(q->g))
			return qerr(err, MT_ARG, pos,
				    "this dump has no mark (memtrack.mark() "
				    "was not called before memtrack.dump())");
		uint32_t n = mt_graph_count(q->g), k = 0;
		uint32_t *ids = malloc((n ? n : 1) * sizeof *ids);
		if (!ids)
			return q_nomem(err);
		for (uint32_t id = 0; id < n; id++)
			if (mt_graph_marked(q->g, id))
				ids[k++] = id;
		mt_status st = mt_set_adopt(&q->marked, ids, k, err);
		if (st)
			return st;
	}
	*out = q->marked;
	return MT_OK;
}

mt_status q_leaks(mt_query *q, uint32_t pos, mt_set **out, mt_err *err)
{
	*out = NULL;
	if (q->ndumps != 2)
		return qerr(err, MT_ARG, pos,
			    "hp.Leaks needs three dumps (memtrack-tui A B C: "
			    "h0 = A, h1 = B, h = C), this session has %zu",
			    q->ndumps + 1);
	const mt_match *ab, *bc;
	int side;
	mt_status st =
	    find_match(q, q->dumps[0].q, q->dumps[1].q, &ab, &side, pos, err);
	if (st || (st = find_match(q, q->dumps[1].q, q, &bc, &side, pos, err)))
		return st;
	if ((st = mt_leak_candidates(ab, bc, out, err)) && err &&
	    st != MT_NOMEM)
		err->offset = pos;
	return st;
}
