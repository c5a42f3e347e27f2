/* Symbolic kinds in the query language: sets combined with kinds (`h &
 * hp.Type('dict')` selects), kinds combined with kinds (And/Or/Not), sets
 * compared with kinds (`s <= K`: every member is of kind K), and the brief
 * text of a kind.  The kinds themselves are src/analysis/kind.c. */
#include "config.h"

#include <string.h>

#include "memtrack/kind.h"
#include "qval.h"

void val_drop_kind(val *v)
{
	if (v->k == V_KIND)
		mt_kind_unref(v->kind);
	v->kind = NULL;
}

void val_copy_kind(val *dst, const val *src)
{
	if (src->k == V_KIND)
		dst->kind = mt_kind_ref(src->kind);
}

static mt_status kind_val(val *out, mt_kind *k)
{
	memset(out, 0, sizeof *out);
	out->k = V_KIND;
	out->kind = k;
	return MT_OK;
}

/* s & K, or s & ~K when negate. */
static mt_status select_set(mt_query *q, const mt_set *s, mt_kind *k,
			    bool negate, val *out, mt_err *err)
{
	mt_kind *use = k, *inv = NULL;
	mt_status st;
	if (negate) {
		if ((st = mt_kind_not(&inv, k, err)))
			return st;
		use = inv;
	}
	mt_set *r;
	st = mt_kind_select(use, q->g, s, &r, err);
	mt_kind_unref(inv);
	if (!st)
		val_set(out, r, "clodo");
	return st;
}

mt_status q_kind_binop(mt_query *q, const mt_qnode *n, const val *a,
		       const val *b, val *out, mt_err *err)
{
	mt_status st;
	mt_kind *k = NULL, *t = NULL;
	if (a->k == V_SET || b->k == V_SET) {
		const val *s = a->k == V_SET ? a : b;
		const val *kv = a->k == V_KIND ? a : b;
		if (n->op == MT_QOP_AND)
			return select_set(q, s->set, kv->kind, false, out, err);
		if (n->op == MT_QOP_SUB && a->k == V_SET)
			return select_set(q, s->set, kv->kind, true, out, err);
		return qerr(err, MT_TYPE, n->oppos,
			    "a set and a kind combine only with & (select) "
			    "and set - kind");
	}
	switch (n->op) {
	case MT_QOP_AND:
		st = mt_kind_and(&k, a->kind, b->kind, err);
		break;
	case MT_QOP_OR:
		st = mt_kind_or(&k, a->kind, b->kind, err);
		break;
	case MT_QOP_SUB:
		if (!(st = mt_kind_not(&t, b->kind, err)))
			st = mt_kind_and(&k, a->kind, t, err);
		break;
	case MT_QOP_XOR: {
		mt_kind *na = NULL, *nb = NULL, *l = NULL, *r = NULL;
		if (!(st = mt_kind_not(&na, a->kind, err)) &&
		    !(st = mt_kind_not(&nb, b->kind, err)) &&
		    !(st = mt_kind_and(&l, a->kind, nb, err)) &&
		    !(st = mt_kind_and(&r, na, b->kind, err)))
			st = mt_kind_or(&k, l, r, err);
		mt_kind_unref(na);
		mt_kind_unref(nb);
		mt_kind_unref(l);
		mt_kind_unref(r);
		break;
	}
	default:
		return qerr(err, MT_TYPE, n->oppos,
			    "unsupported operator for kinds");
	}
	mt_kind_unref(t);
	if (st)
		return st;
	return kind_val(out, k);
}

mt_status q_kind_invert(mt_query *q, const mt_qnode *n, const val *a,
			val *out, mt_err *err)
{
	mt_kind *k;
	mt_status st = mt_kind_not(&k, a->kind, err);
	if (st)
		return st;
	return kind_val(out, k);
}

mt_status q_kind_compare(mt_query *q, const mt_qnode *n, const val *a,
			 const val *b, int op, int *res, mt_err *err)
{
	/* s <= K: (K & s) == s.  s >= K: (K & h) <= s. */
	mt_set *in_s = NULL, *in_all = NULL;
	mt_status st = mt_kind_select(b->kind, q->g, a->set, &in_s, err);
	if (st)
		return st;
	bool le = mt_set_equal(in_s, a->set);
	bool ge = false;
	if (op != MT_QOP_LE && op != MT_QOP_LT) {
		if ((st = mt_kind_select(b->kind, q->g, mt_ctx_all(q->ctx), &in_all, err))) {
			mt_set_unref(in_s);
			return st;
		}
		ge = mt_set_subset(in_all, a->set);
	}
	switch (op) {
	case MT_QOP_LE:
	case MT_QOP_LT: /* a kind is never enumerated: < is <= */
		*res = le;
		break;
	case MT_QOP_GE:
	case MT_QOP_GT:
		*res = ge;
		break;
	case MT_QOP_EQ:
		*res = le && ge;
		break;
	default:
		*res = !(le && ge);
	}
	mt_set_unref(in_s);
	mt_set_unref(in_all);
	return MT_OK;
}

mt_status q_kind_render(mt_query *q, const val *v, mt_strbuf *out,
			mt_err *err)
{
	return mt_kind_brief(v->kind, out);
}
