/* The attributes and methods of a set (rows of table.c): `byX` views,
 * `count`, `size`, paging (`more`, `all`), navigation, dominance, paths,
 * reference patterns and DOT.  Each function gets the set in a->self.
 * Classifiers and the dominance data are the context's (ctx.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/diff.h"
#include "memtrack/dominance.h"
#include "memtrack/dot.h"
#include "memtrack/navigate.h"
#include "memtrack/paths.h"
#include "memtrack/refpat.h"
#include "memtrack/table.h"
#include "qval.h"

mt_status q_text_result(val *out, mt_strbuf *b, mt_status st, mt_err *err)
{
	if (!st)
		st = b->nomem
			 ? q_nomem(err)
			 : val_text(out, V_TEXT, b->s ? b->s : "", b->len, err);
	mt_strbuf_destroy(b);
	return st;
}

mt_status q_by(mt_query *q, const val *obj, const char *name, uint32_t pos,
	       val *out, mt_err *err)
{
	char key[48];
	mt_status st = q_classifier_key(q, name, key, pos, err);
	if (st)
		return st;
	if (strcmp(key, "id")) {
		mt_classifier *c; /* made now so a failure shows here */
		if ((st = q_classifier(q, key, &c, pos, err)))
			return st;
		mt_classifier_unref(c);
	}
	val_set(out, mt_set_ref(obj->set), key);
	out->of = obj->of;
	mt_strbuf t;
	mt_strbuf_init(&t);
	q_expr_operand(&t, obj, P_POSTFIX);
	if (strchr(key, '&'))
		mt_strbuf_printf(&t, ".by('%s')", key);
	else
		mt_strbuf_printf(&t, ".by%s", key);
	st = t.nomem ? q_nomem(err) : val_expr(out, P_POSTFIX, err, "%s", t.s);
	mt_strbuf_destroy(&t);
	if (st)
		val_drop(out);
	return st;
}

mt_status q_set_by(mt_query *q, q_args *a, val *out, mt_err *err)
{
	if (a->v[0].k != V_STR)
		return qerr(err, MT_TYPE, a->apos[0],
			    "by() argument 1 must be a str, not %s",
			    val_type_name(&a->v[0]));
	return q_by(q, a->self, a->v[0].s, a->apos[0], out, err);
}

static mt_status int_result(val *out, int64_t i)
{
	memset(out, 0, sizeof *out);
	out->k = V_INT;
	out->i = i;
	return MT_OK;
}

mt_status q_set_count(mt_query *q, q_args *a, val *out, mt_err *err)
{
	(void)q;
	(void)err;
	return int_result(out, (int64_t)mt_set_count(a->self->set));
}

mt_status q_set_size(mt_query *q, q_args *a, val *out, mt_err *err)
{
	(void)err;
	return int_result(out, (int64_t)mt_set_size(a->self->set, q->g));
}

/* `more` and `all` show the same set or paged text (and keep its
 * expression); a text that is not paged was shown whole. */
static mt_status text_more(const val *obj, bool all, uint32_t pos, val *out,
			   mt_err *err)
{
	if (!obj->pg)
		return qerr(err, MT_TYPE, pos,
			    "this text is not paged: it was shown whole "
			    "(more and all page paths and reference patterns)");
	mt_status st = val_copy(out, obj, err);
	if (st)
		return st;
	if (all) {
		out->page = 0;
		out->all = true;
		out->next = SIZE_MAX;
	} else if ((st = q_pager_more(out, pos, err))) {
		val_drop(out);
	}
	return st;
}

mt_status q_set_more(mt_query *q, q_args *a, val *out, mt_err *err)
{
	const val *obj = a->self;
	if (obj->k == V_TEXT)
		return text_more(obj, false, a->pos, out, err);
	size_t next = obj->next != SIZE_MAX ? obj->next
					    : obj->page + MT_TABLE_PAGE;
	size_t rows = 0;
	mt_status st = q_nrows(q, obj, a->pos, &rows, err);
	if (st)
		return st;
	if (next >= rows)
		return qerr(err, MT_RANGE, a->pos,
			    "no more rows: all %zu were shown", rows);
	if ((st = val_copy(out, obj, err)))
		return st;
	out->page = next;
	out->all = false;
	out->next = SIZE_MAX;
	return MT_OK;
}

mt_status q_set_all(mt_query *q, q_args *a, val *out, mt_err *err)
{
	(void)q;
	if (a->self->k == V_TEXT)
		return text_more(a->self, true, a->pos, out, err);
	mt_status st = val_copy(out, a->self, err);
	if (st)
		return st;
	out->page = 0;
	out->all = true;
	out->next = SIZE_MAX;
	return MT_OK;
}

mt_status q_set_theone(mt_query *q, q_args *a, val *out, mt_err *err)
{
	(void)q;
	size_t n = mt_set_count(a->self->set);
	if (n != 1)
		return qerr(err, MT_RANGE, a->pos,
			    "theone needs a set of exactly one object, this "
			    "one has %zu",
			    n);
	return val_set(out, mt_set_ref(a->self->set), "id");
}

static mt_status set_result(val *out, mt_status st, mt_set *s)
{
	if (!st)
		val_set(out, s, "clodo");
	return st;
}

/* The context's progress (and cancel) for a step along the references. */
static int referrers_progress(void *data, uint64_t done, uint64_t total)
{
	return mt_ctx_progress(((mt_query *)data)->ctx, "referrers", done,
			       total);
}

static int referents_progress(void *data, uint64_t done, uint64_t total)
{
	return mt_ctx_progress(((mt_query *)data)->ctx, "referents", done,
			       total);
}

mt_status q_set_referrers(mt_query *q, q_args *a, val *out, mt_err *err)
{
	mt_set *s = NULL;
	mt_status st = mt_nav_referrers_progress(
	    q->g, a->self->set, referrers_progress, q, &s, err);
	return set_result(out, st, s);
}

mt_status q_set_referents(mt_query *q, q_args *a, val *out, mt_err *err)
{
	mt_set *s = NULL;
	mt_status st = mt_nav_referents_progress(
	    q->g, a->self->set, referents_progress, q, &s, err);
	return set_result(out, st, s);
}

mt_status q_set_domisize(mt_query *q, q_args *a, val *out, mt_err *err)
{
	mt_dominance *d;
	uint64_t size;
	mt_status st = mt_ctx_dominance(q->ctx, &d, err);
	if (!st)
		st = mt_dominance_domisize(d, a->self->set, &size, err);
	return st ? st : int_result(out, (int64_t)size);
}

mt_status q_set_dominos(mt_query *q, q_args *a, val *out, mt_err *err)
{
	mt_dominance *d;
	mt_set *s = NULL;
	mt_status st = mt_ctx_dominance(q->ctx, &d, err);
	if (!st)
		st = mt_dominance_dominos(d, a->self->set, &s, err);
	return set_result(out, st, s);
}

mt_status q_set_imdom(mt_query *q, q_args *a, val *out, mt_err *err)
{
	mt_dominance *d;
	mt_set *s = NULL;
	mt_status st = mt_ctx_dominance(q->ctx, &d, err);
	if (!st)
		st = mt_dominance_imdom(d, a->self->set, &s, err);
	return set_result(out, st, s);
}

typedef mt_status (*paths_fn)(mt_paths **, const mt_graph *, const mt_set *,
			      mt_err *);

/* The paths as a paged text: `_.more` lists the next ten. */
static mt_status paths_text(mt_query *q, paths_fn fn, const mt_set *s, val *out,
			    mt_err *err)
{
	mt_paths *p;
	mt_status st = fn(&p, q->g, s, err);
	return st ? st : q_pager_paths(out, p, err);
}

mt_status q_set_sp(mt_query *q, q_args *a, val *out, mt_err *err)
{
	return paths_text(q, mt_paths_sp, a->self->set, out, err);
}

mt_status q_set_pathsin(mt_query *q, q_args *a, val *out, mt_err *err)
{
	return paths_text(q, mt_paths_in, a->self->set, out, err);
}

mt_status q_set_pathsout(mt_query *q, q_args *a, val *out, mt_err *err)
{
	return paths_text(q, mt_paths_out, a->self->set, out, err);
}

/* The paths from the roots grouped and spelled as code (paths.h): the
 * browser's P; a paged text of groups. */
mt_status q_set_paths(mt_query *q, q_args *a, val *out, mt_err *err)
{
	mt_paths *p;
	mt_paths_groups *gr;
	mt_status st = mt_paths_sp(&p, q->g, a->self->set, err);
	if (st)
		return st;
	if ((st = mt_paths_group(&gr, p, NULL, 100000, err))) {
		mt_paths_free(p);
		return st;
	}
	return q_pager_groups(out, p, gr, err);
}

mt_status q_set_rp(mt_query *q, q_args *a, val *out, mt_err *err)
{
	mt_classifier *c;
	mt_refpat *rp;
	mt_status st = q_classifier(q, "clodo", &c, a->pos, err);
	if (st)
		return st;
	if ((st = mt_refpat_new(&rp, q->g, c, a->self->set, 7, err))) {
		mt_classifier_unref(c);
		return st;
	}
	return q_pager_refpat(out, rp, c, err); /* a paged text */
}

/* s.mine: the members of s the program owns (hp.Mine), shown by s's
 * classifier. */
mt_status q_set_mine(mt_query *q, q_args *a, val *out, mt_err *err)
{
	mt_set *mine, *s;
	mt_status st = q_mine(q, a->pos, &mine, err);
	if (st || (st = mt_set_op(&s, MT_SETOP_AND, a->self->set, mine, err)))
		return st;
	return val_set(out, s, a->self->er);
}

mt_status q_set_dot(mt_query *q, q_args *a, val *out, mt_err *err)
{
	mt_strbuf b;
	mt_strbuf_init(&b);
	mt_dot_opts o = {0};
	mt_status st = mt_dot_format(q->g, a->self->set, &o, &b, err);
	return q_text_result(out, &b, st, err);
}

/* s.marked: the members of s that existed at memtrack.mark() (s &
 * hp.Marked in s's dump: h0.marked too), shown by s's classifier. */
mt_status q_set_marked(mt_query *q, q_args *a, val *out, mt_err *err)
{
	mt_set *marked, *s;
	mt_status st = q_marked(q, a->pos, &marked, err);
	if (st || (st = mt_set_op(&s, MT_SETOP_AND, a->self->set, marked, err)))
		return st;
	return val_set(out, s, a->self->er);
}

/* A.diff(B): heapy's difference table `A.stat - B.by(A.er).stat` with A
 * as NEW and B as OLD, each partitioned in its own dump's context (B may
 * be of another dump: h.diff(h0)); with identity between the dumps the
 * diff also knows the new and gone objects (the browser's columns).  A
 * paged text: `_.more`, `_.all`. */
mt_status q_set_diff(mt_query *q, q_args *a, val *out, mt_err *err)
{
	const val *b = &a->v[0];
	if (b->k != V_SET)
		return qerr(err, MT_TYPE, a->apos[0],
			    "diff() argument 1 must be a set, not %s",
			    val_type_name(b));
	if (!strcmp(a->self->er, "id"))
		return qerr(err, MT_TYPE, a->pos,
			    "diff() compares tables by a classifier, not "
			    "identity tables (try s.byclodo.diff(...))");
	mt_query *old = q_sess(a->top, b);
	const struct mt_match *m = q_match_of(a->top, old, q);
	mt_diff *d;
	mt_status st = mt_diff_new(&d, old->ctx, b->set, q->ctx, a->self->set,
				   a->self->er, m, err);
	if (st) {
		if (err && st != MT_NOMEM)
			err->offset = a->pos;
		return st;
	}
	return q_pager_diff(out, d, err);
}
