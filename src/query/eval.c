/* Evaluation of a query's syntax tree (qast.h) into a value (qval.h).
 *
 * Recurses over the tree; the depth is bounded so a long chain of
 * operators or trailers cannot overflow the stack.  Every error carries
 * the byte offset of the node it is about.  Every value gets the canonical
 * text of its expression here (names, literals, operators, indexes) or in
 * the attribute table (table.c) for attributes and calls.
 */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/idtable.h"
#include "memtrack/partition.h"
#include "memtrack/qast.h"
#include "memtrack/query.h"
#include "qval.h"

#define MAX_EVAL_DEPTH 2000

static mt_status eval(mt_query *q, const mt_qnode *n, val *out, mt_err *err);

static mt_status eval_help(val *out, mt_err *err)
{
	mt_strbuf b;
	mt_strbuf_init(&b);
	mt_status st = mt_query_help(&b);
	return q_text_result(out, &b, st, err);
}

static mt_status eval_name(mt_query *q, const mt_qnode *n, val *out,
			   mt_err *err)
{
	const char *s = n->name;
	mt_status st = MT_OK;
	mt_query *other;
	memset(out, 0, sizeof *out);
	if (!strcmp(s, "h")) {
		return q_heap(q, n->pos, out, err); /* its expression too */
	} else if (!strcmp(s, "hp")) {
		out->k = V_HP;
	} else if (!strcmp(s, "_")) {
		if (q->last.k == V_NONE && !q->has_last)
			return qerr(err, MT_TYPE, n->pos,
				    "'_' is the last result, and there is none "
				    "yet");
		return val_copy(out, &q->last, err); /* its expression too */
	} else if (!strcmp(s, "True") || !strcmp(s, "False")) {
		out->k = V_BOOL;
		out->i = s[0] == 'T';
	} else if (!strcmp(s, "None")) {
		out->k = V_NONE;
	} else if (!strcmp(s, "help")) {
		st = eval_help(out, err);
	} else if ((other = q_dump_find(q, s))) { /* h0: another dump */
		val_set(out, mt_set_ref(mt_ctx_all(other->ctx)), "clodo");
		out->of = other;
	} else {
		size_t i = 0;
		while (i < q->nbind && strcmp(q->bind[i].name, s))
			i++;
		if (i == q->nbind)
			return qerr(err, MT_TYPE, n->pos,
				    "name '%s' is not defined (names: h, %shp, "
				    "_, help%s)",
				    s, q->ndumps ? "h0..., " : "",
				    q->nbind ? " and the marks" : "");
		val_set(out, mt_set_ref(q->bind[i].set), "clodo");
		out->of = q->bind[i].of;
	}
	if (!st)
		st = val_expr(out, P_POSTFIX, err, "%s", s);
	if (st)
		val_drop(out);
	return st;
}

mt_status q_nrows(mt_query *q, const val *v, uint32_t pos, size_t *nrows,
		  mt_err *err)
{
	if (!strcmp(v->er, "id")) {
		*nrows = mt_set_count(v->set);
		return MT_OK;
	}
	mt_partition *p;
	mt_status st = q_partition(q, v, pos, &p, err);
	if (!st)
		*nrows = mt_partition_nrows(p);
	mt_partition_free(p);
	return st;
}

/* The objects of rows lo..hi-1 (already clipped to the rows) of set v,
 * partitioned by c into p. */
static mt_status row_ids(const val *v, mt_classifier *c, const mt_partition *p,
			 long lo, long hi, mt_set **out, mt_err *err)
{
	size_t n = mt_set_count(v->set), k = 0;
	const uint32_t *ids = mt_set_ids(v->set);
	uint32_t nk = mt_classifier_kind_count(c);
	uint8_t *want = calloc(nk ? nk : 1, 1);
	uint32_t *sel = malloc((n ? n : 1) * sizeof *sel);
	mt_status st = MT_OK;
	if (!want || !sel) {
		st = q_nomem(err);
		goto done;
	}
	for (long r = lo; r < hi; r++)
		want[mt_partition_row_at(p, (size_t)r)->kind] = 1;
	for (size_t i = 0; i < n; i++) {
		uint32_t kind;
		if ((st = mt_classifier_classify(c, ids[i], &kind, err)))
			goto done;
		if (kind < nk && want[kind])
			sel[k++] = ids[i];
	}
	st = mt_set_adopt(out, sel, k, err);
	sel = NULL;
done:
	free(want);
	free(sel);
	return st;
}

/* Rows lo..hi-1 (clipped) of v's identity table: the objects in the
 * table's order. */
static mt_status id_rows(mt_query *q, const val *v, long lo, long hi,
			 mt_set **out, mt_err *err)
{
	uint32_t *order;
	mt_status st = mt_idtable_order(q->g, v->set, &order, err);
	if (st)
		return st;
	st = mt_set_from_ids(out, order + lo, (size_t)(hi - lo), err);
	free(order);
	return st;
}

/* Resolves negative indexes and clips lo..hi to 0..nrows. */
static void clip(long *lo, long *hi, size_t nrows)
{
	if (*lo < 0)
		*lo += (long)nrows;
	if (*hi < 0)
		*hi += (long)nrows;
	if (*lo < 0)
		*lo = 0;
	if (*hi > (long)nrows)
		*hi = (long)nrows;
	if (*hi < *lo)
		*hi = *lo;
}

mt_status q_rows_expr(const val *v, long lo, long hi, bool single, val *out,
		      mt_err *err)
{
	mt_strbuf b;
	mt_strbuf_init(&b);
	q_expr_operand(&b, v, P_POSTFIX);
	if (single)
		mt_strbuf_printf(&b, "[%ld]", lo);
	else
		mt_strbuf_printf(&b, "[%ld:%ld]", lo, hi);
	mt_status st =
	    b.nomem ? q_nomem(err) : val_expr(out, P_POSTFIX, err, "%s", b.s);
	mt_strbuf_destroy(&b);
	return st;
}

mt_status q_rows(mt_query *q, const val *v, long lo, long hi, bool single,
		 uint32_t pos, uint32_t ipos, val *out, mt_err *err)
{
	bool by_id = !strcmp(v->er, "id");
	mt_classifier *c = NULL;
	mt_partition *p = NULL;
	size_t nrows = mt_set_count(v->set);
	mt_set *s = NULL;
	mt_status st = MT_OK;
	memset(out, 0, sizeof *out);
	if (!by_id) {
		if ((st = q_classifier(q, v->er, &c, pos, err)) ||
		    (st = mt_ctx_partition(q->ctx, c, v->set, &p, err)))
			goto done;
		nrows = mt_partition_nrows(p);
	}
	if (single) {
		long r = lo < 0 ? lo + (long)nrows : lo;
		if (r < 0 || r >= (long)nrows) {
			st = qerr(err, MT_RANGE, ipos,
				  "row %ld out of range: the partition has "
				  "%zu row%s",
				  lo, nrows, nrows == 1 ? "" : "s");
			goto done;
		}
		lo = r;
		hi = r + 1;
	} else {
		clip(&lo, &hi, nrows);
	}
	st = by_id ? id_rows(q, v, lo, hi, &s, err)
		   : row_ids(v, c, p, lo, hi, &s, err);
	if (st)
		goto done;
	val_set(out, s, v->er);
	if ((st = q_rows_expr(v, lo, hi, single, out, err)))
		val_drop(out);
done:
	mt_partition_free(p);
	mt_classifier_unref(c);
	return st;
}

static mt_status to_index(const val *v, const mt_qnode *n, long *out,
			  mt_err *err)
{
	if (v->k != V_INT)
		return qerr(err, MT_TYPE, n->pos,
			    "index must be an int, not %s", val_type_name(v));
	*out = (long)v->i;
	return MT_OK;
}

/* The value of index expression n (NULL: keep *out). */
static mt_status eval_int(mt_query *q, const mt_qnode *n, long *out,
			  mt_err *err)
{
	if (!n)
		return MT_OK;
	val idx;
	mt_status st = eval(q, n, &idx, err);
	if (st)
		return st;
	st = to_index(&idx, n, out, err);
	val_drop(&idx);
	return st;
}

static mt_status eval_index(mt_query *q, const mt_qnode *n, val *out,
			    mt_err *err)
{
	val obj;
	mt_status st = eval(q, n->a, &obj, err);
	if (st)
		return st;
	if (obj.k != V_SET) {
		st = qerr(err, MT_TYPE, n->oppos, "a %s cannot be indexed",
			  val_type_name(&obj));
		val_drop(&obj);
		return st;
	}
	long lo = 0, hi = LONG_MAX;
	bool single = n->kind == MT_Q_INDEX;
	if (single) {
		st = eval_int(q, n->b, &lo, err);
		hi = lo + 1;
	} else if (!(st = eval_int(q, n->args[0], &lo, err))) {
		st = eval_int(q, n->args[1], &hi, err);
	}
	if (!st &&
	    !(st = q_rows(q_sess(q, &obj), &obj, lo, hi, single, n->oppos,
			  single ? n->b->pos : n->oppos, out, err)))
		out->of = obj.of;
	val_drop(&obj);
	return st;
}

static mt_status int_binop(const mt_qnode *n, const val *a, const val *b,
			   val *out)
{
	out->k = V_INT;
	switch (n->op) {
	case MT_QOP_ADD:
		out->i = a->i + b->i;
		break;
	case MT_QOP_SUB:
		out->i = a->i - b->i;
		break;
	case MT_QOP_AND:
		out->i = a->i & b->i;
		break;
	case MT_QOP_OR:
		out->i = a->i | b->i;
		break;
	default:
		out->i = a->i ^ b->i;
	}
	return MT_OK;
}

static const char *op_text(int op);

/* a OP b for sets of two dumps: `-` and `&` translate b onto a's dump by
 * identity (h - h0: the objects new in h; h0 - h: gone; h & h0: the
 * survivors, as objects of h); `|` and `^` would mix two dumps' objects
 * and are refused. */
static mt_status cross_binop(mt_query *q, const mt_qnode *n, const val *a,
			     const val *b, mt_set **tb, mt_err *err)
{
	if (n->op != MT_QOP_SUB && n->op != MT_QOP_AND)
		return qerr(err, MT_TYPE, n->oppos,
			    "%s and %s are sets of different dumps: '%s' "
			    "takes sets of one dump ('-' and '&' compare "
			    "dumps by identity)",
			    q_dump_name(q, q_sess(q, a)),
			    q_dump_name(q, q_sess(q, b)), op_text(n->op));
	return q_translate(q, b->of, a->of, b->set, n->oppos, tb, err);
}

static mt_status set_binop(mt_query *q, const mt_qnode *n, const val *a,
			   const val *b, val *out, mt_err *err)
{
	mt_setop op = n->op == MT_QOP_AND   ? MT_SETOP_AND
		      : n->op == MT_QOP_OR  ? MT_SETOP_OR
		      : n->op == MT_QOP_XOR ? MT_SETOP_XOR
					    : MT_SETOP_SUB;
	mt_set *s, *bs = NULL;
	mt_status st = MT_OK;
	if (a->of != b->of && (st = cross_binop(q, n, a, b, &bs, err)))
		return st;
	st = mt_set_op(&s, op, a->set, bs ? bs : b->set, err);
	mt_set_unref(bs);
	if (!st) {
		val_set(out, s, "clodo");
		out->of = a->of; /* on the left operand's side */
	}
	return st;
}

static int op_prec(int op)
{
	switch (op) {
	case MT_QOP_OR:
		return P_OR;
	case MT_QOP_XOR:
		return P_XOR;
	case MT_QOP_AND:
		return P_AND;
	default:
		return P_ARITH;
	}
}

static const char *op_text(int op)
{
	switch (op) {
	case MT_QOP_AND:
		return "&";
	case MT_QOP_OR:
		return "|";
	case MT_QOP_XOR:
		return "^";
	case MT_QOP_SUB:
	case MT_QOP_NEG:
		return "-";
	case MT_QOP_ADD:
		return "+";
	case MT_QOP_INV:
		return "~";
	case MT_QOP_LT:
		return "<";
	case MT_QOP_LE:
		return "<=";
	case MT_QOP_EQ:
		return "==";
	case MT_QOP_NE:
		return "!=";
	case MT_QOP_GE:
		return ">=";
	default:
		return ">";
	}
}

/* out's expression: `a OP b` (left-associative: b in parentheses at the
 * same precedence). */
static mt_status binop_expr(const val *a, const val *b, int op, val *out,
			    mt_err *err)
{
	int p = op_prec(op);
	mt_strbuf t;
	mt_strbuf_init(&t);
	q_expr_operand(&t, a, p);
	mt_strbuf_printf(&t, " %s ", op_text(op));
	q_expr_operand(&t, b, p + 1);
	mt_status st = t.nomem ? q_nomem(err)
			       : val_expr(out, p, err, "%s", t.s);
	mt_strbuf_destroy(&t);
	return st;
}

static mt_status eval_binop(mt_query *q, const mt_qnode *n, val *out,
			    mt_err *err)
{
	val a, b;
	mt_status st = eval(q, n->a, &a, err);
	if (st)
		return st;
	if ((st = eval(q, n->b, &b, err))) {
		val_drop(&a);
		return st;
	}
	memset(out, 0, sizeof *out);
	bool setlike_a = a.k == V_SET || a.k == V_KIND;
	bool setlike_b = b.k == V_SET || b.k == V_KIND;
	if (a.k == V_INT && b.k == V_INT)
		st = int_binop(n, &a, &b, out);
	else if (a.k == V_SET && b.k == V_SET && n->op != MT_QOP_ADD)
		st = set_binop(q, n, &a, &b, out, err);
	else if ((a.k == V_KIND || b.k == V_KIND) && setlike_a && setlike_b &&
		 n->op != MT_QOP_ADD)
		/* a set and a kind: the set's dump selects */
		st = q_kind_binop(a.k == V_SET	 ? q_sess(q, &a)
				  : b.k == V_SET ? q_sess(q, &b)
						 : q,
				  n, &a, &b, out, err);
	else
		st = qerr(err, MT_TYPE, n->oppos,
			  "unsupported operand types for %s: %s and %s",
			  op_text(n->op), val_type_name(&a), val_type_name(&b));
	if (!st && out->k == V_SET && a.k != b.k) /* selected by a kind */
		out->of = a.k == V_SET ? a.of : b.of;
	if (!st && (st = binop_expr(&a, &b, n->op, out, err)))
		val_drop(out);
	val_drop(&a);
	val_drop(&b);
	return st;
}

static mt_status eval_unary(mt_query *q, const mt_qnode *n, val *out,
			    mt_err *err)
{
	val a;
	mt_status st = eval(q, n->a, &a, err);
	if (st)
		return st;
	memset(out, 0, sizeof *out);
	if (n->op == MT_QOP_NEG && a.k == V_INT) {
		out->k = V_INT;
		out->i = -a.i;
	} else if (n->op == MT_QOP_INV && a.k == V_INT) {
		out->k = V_INT;
		out->i = ~a.i;
	} else if (n->op == MT_QOP_INV && a.k == V_SET) {
		mt_set *s;
		if (!(st = mt_set_complement(&s, a.set, q_sess(q, &a)->g,
					     err))) {
			val_set(out, s, "clodo");
			out->of = a.of;
		}
	} else if (n->op == MT_QOP_INV && a.k == V_KIND) {
		st = q_kind_invert(q, n, &a, out, err);
	} else {
		st = qerr(err, MT_TYPE, n->pos,
			  "bad operand type for unary %c: %s",
			  n->op == MT_QOP_NEG ? '-' : '~', val_type_name(&a));
	}
	if (!st) {
		mt_strbuf t;
		mt_strbuf_init(&t);
		mt_strbuf_add(&t, op_text(n->op), 1);
		q_expr_operand(&t, &a, P_UNARY);
		st = t.nomem ? q_nomem(err)
			     : val_expr(out, P_UNARY, err, "%s", t.s);
		mt_strbuf_destroy(&t);
		if (st)
			val_drop(out);
	}
	val_drop(&a);
	return st;
}

static int compare_sets(const val *a, const val *b, int op)
{
	bool sub = mt_set_subset(a->set, b->set);
	bool sup = mt_set_subset(b->set, a->set);
	switch (op) {
	case MT_QOP_LT:
		return sub && !sup;
	case MT_QOP_LE:
		return sub;
	case MT_QOP_EQ:
		return sub && sup;
	case MT_QOP_NE:
		return !(sub && sup);
	case MT_QOP_GE:
		return sup;
	default:
		return sup && !sub;
	}
}

static int compare_one(const val *a, const val *b, int op, int *res)
{
	if (a->k == V_SET && b->k == V_SET) {
		*res = compare_sets(a, b, op);
		return 0;
	}
	if ((a->k == V_INT || a->k == V_BOOL) &&
	    (b->k == V_INT || b->k == V_BOOL)) {
		int64_t x = a->i, y = b->i;
		*res = op == MT_QOP_LT	 ? x < y
		       : op == MT_QOP_LE ? x <= y
		       : op == MT_QOP_EQ ? x == y
		       : op == MT_QOP_NE ? x != y
		       : op == MT_QOP_GE ? x >= y
					 : x > y;
		return 0;
	}
	if (a->k == V_STR && b->k == V_STR &&
	    (op == MT_QOP_EQ || op == MT_QOP_NE)) {
		int eq = a->n == b->n && !memcmp(a->s, b->s, a->n);
		*res = op == MT_QOP_EQ ? eq : !eq;
		return 0;
	}
	if (a->k == V_SET && b->k == V_KIND)
		return -2; /* handled by the kind module */
	return -1;
}

static mt_status eval_compare(mt_query *q, const mt_qnode *n, val *out,
			      mt_err *err)
{
	val prev, cur;
	mt_status st = eval(q, n->args[0], &prev, err);
	if (st)
		return st;
	mt_strbuf t;
	mt_strbuf_init(&t);
	q_expr_operand(&t, &prev, P_OR);
	int result = 1;
	for (size_t i = 1; i < n->nargs && result; i++) {
		if ((st = eval(q, n->args[i], &cur, err)))
			break;
		int r, op = n->ops[i - 1];
		int how = compare_one(&prev, &cur, op, &r);
		if (how == 0 && prev.k == V_SET && cur.k == V_SET &&
		    prev.of != cur.of)
			st = qerr(err, MT_TYPE, n->oppos,
				  "%s and %s are sets of different dumps: "
				  "compare them with - and & (h - h0)",
				  q_dump_name(q, q_sess(q, &prev)),
				  q_dump_name(q, q_sess(q, &cur)));
		else if (how == -2)
			st = q_kind_compare(q_sess(q, &prev), n, &prev, &cur,
					    op, &r, err);
		else if (how < 0)
			st = qerr(err, MT_TYPE, n->oppos,
				  "cannot compare %s with %s",
				  val_type_name(&prev), val_type_name(&cur));
		mt_strbuf_printf(&t, " %s ", op_text(op));
		q_expr_operand(&t, &cur, P_OR);
		val_drop(&prev);
		prev = cur;
		if (st)
			break;
		result = r;
	}
	val_drop(&prev);
	memset(out, 0, sizeof *out);
	if (!st) {
		out->k = V_BOOL;
		out->i = result;
		st = t.nomem ? q_nomem(err)
			     : val_expr(out, P_CMP, err, "%s", t.s);
	}
	mt_strbuf_destroy(&t);
	return st;
}

static mt_status eval_attr(mt_query *q, const mt_qnode *n, val *out,
			   mt_err *err)
{
	val obj;
	mt_status st = eval(q, n->a, &obj, err);
	if (st)
		return st;
	if (!(st = q_attr(q, n->name, n->oppos, &obj, out, err)) &&
	    !out->expr) {
		mt_strbuf t;
		mt_strbuf_init(&t);
		q_expr_operand(&t, &obj, P_POSTFIX);
		mt_strbuf_printf(&t, ".%s", n->name);
		st = t.nomem ? q_nomem(err)
			     : val_expr(out, P_POSTFIX, err, "%s", t.s);
		mt_strbuf_destroy(&t);
		if (st)
			val_drop(out);
	}
	val_drop(&obj);
	return st;
}

static mt_status eval_call(mt_query *q, const mt_qnode *n, val *out,
			   mt_err *err)
{
	val fn;
	mt_status st = eval(q, n->a, &fn, err);
	if (st)
		return st;
	if (fn.k != V_METHOD)
		st = qerr(err, MT_TYPE, n->oppos, "a %s is not callable",
			  val_type_name(&fn));
	else
		st = q_call(q, n, &fn, out, err);
	val_drop(&fn);
	return st;
}

static mt_status eval(mt_query *q, const mt_qnode *n, val *out, mt_err *err)
{
	if (++q->depth > MAX_EVAL_DEPTH) {
		q->depth--;
		return qerr(err, MT_RANGE, n->pos,
			    "expression nested too deeply");
	}
	mt_status st;
	memset(out, 0, sizeof *out);
	switch (n->kind) {
	case MT_Q_NAME:
		st = eval_name(q, n, out, err);
		break;
	case MT_Q_INT:
		out->k = V_INT;
		out->i = n->ival;
		st = val_literal_expr(out, err);
		break;
	case MT_Q_STR:
		if (!(st = val_text(out, V_STR, n->name, n->namelen, err)) &&
		    (st = val_literal_expr(out, err)))
			val_drop(out);
		break;
	case MT_Q_ATTR:
		st = eval_attr(q, n, out, err);
		break;
	case MT_Q_INDEX:
	case MT_Q_SLICE:
		st = eval_index(q, n, out, err);
		break;
	case MT_Q_CALL:
		st = eval_call(q, n, out, err);
		break;
	case MT_Q_BINOP:
		st = eval_binop(q, n, out, err);
		break;
	case MT_Q_UNARY:
		st = eval_unary(q, n, out, err);
		break;
	case MT_Q_COMPARE:
		st = eval_compare(q, n, out, err);
		break;
	default:
		st = qerr(err, MT_SYNTAX, n->pos, "unknown syntax node");
	}
	q->depth--;
	return st;
}

mt_status q_eval_node(mt_query *q, const mt_qnode *n, val *out, mt_err *err)
{
	return eval(q, n, out, err);
}
