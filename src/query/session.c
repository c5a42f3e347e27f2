/* The query session (query.h): one per front end over one dump's context.
 *
 * Owns the last result `_` and the named sets (the browser's marks); asks
 * the context (ctx.h) for everything derived from the dump, so there is
 * one classifier per name, one dominator tree per dump, and their progress
 * and cancellation are the context's.  Runs and evaluates expressions,
 * turns values into mt_qresult, and derives sets for a front end without
 * query text (mt_query_by, mt_query_row, mt_query_attr).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/mine.h"
#include "memtrack/partition.h"
#include "memtrack/qast.h"
#include "memtrack/query.h"
#include "qval.h"

/* ---- the context's data ------------------------------------------------ */

mt_status q_classifier_key(mt_query *q, const char *er, char key[48],
			   uint32_t pos, mt_err *err)
{
	(void)q;
	size_t len = strlen(er);
	char *buf = malloc(len + 64);
	if (!buf)
		return q_nomem(err);
	mt_err e2;
	mt_err_clear(&e2);
	mt_status st = mt_classifier_canonical(er, buf, len + 64, &e2);
	if (st == MT_OK && strlen(buf) >= 48)
		st = MT_RANGE;
	if (st == MT_ARG && len >= 48)
		st = MT_RANGE;
	if (st == MT_OK)
		memcpy(key, buf, strlen(buf) + 1);
	else if (st == MT_RANGE)
		qerr(err, MT_RANGE, pos, "classifier name too long");
	else if (st == MT_ARG)
		st = qerr(err, MT_TYPE, pos, "unknown classifier '%s'", er);
	else
		qerr(err, st, pos, "%s", e2.detail);
	free(buf);
	return st;
}

mt_status q_classifier(mt_query *q, const char *er, mt_classifier **out,
		       uint32_t pos, mt_err *err)
{
	mt_status st = mt_ctx_classifier(q->ctx, er, out, err);
	if (st == MT_ARG)
		return qerr(err, MT_TYPE, pos, "unknown classifier '%s'", er);
	return st;
}

mt_status q_mine(mt_query *q, uint32_t pos, mt_set **out, mt_err *err)
{
	if (!q->mine) {
		mt_status st = mt_mine_set(q->ctx, NULL, &q->mine, err);
		if (st) {
			if (err)
				err->offset = pos;
			return st;
		}
	}
	*out = q->mine;
	return MT_OK;
}

mt_status q_heap(mt_query *q, uint32_t pos, val *v, mt_err *err)
{
	mt_set *s = mt_ctx_all(q->ctx);
	memset(v, 0, sizeof *v);
	if (q->h_mine) {
		mt_status st = q_mine(q, pos, &s, err);
		if (st)
			return st;
	}
	val_set(v, mt_set_ref(s), "clodo");
	mt_status st =
	    val_expr(v, P_POSTFIX, err, "%s", q->h_mine ? "hp.Mine" : "h");
	if (st)
		val_drop(v);
	return st;
}

void mt_query_set_mine(mt_query *q, bool on) { q->h_mine = on; }

mt_status q_partition(mt_query *q, const val *v, uint32_t pos,
		      mt_partition **out, mt_err *err)
{
	mt_classifier *c;
	*out = NULL;
	mt_status st = q_classifier(q, v->er, &c, pos, err);
	if (st)
		return st;
	st = mt_ctx_partition(q->ctx, c, v->set, out, err);
	mt_classifier_unref(c);
	return st;
}

/* ---- the session ------------------------------------------------------- */

mt_status mt_query_new(mt_query **out, mt_ctx *ctx, mt_err *err)
{
	*out = NULL;
	if (!mt_ctx_all(ctx))
		return q_nomem(err);
	mt_query *q = calloc(1, sizeof *q);
	if (!q)
		return q_nomem(err);
	q->ctx = ctx;
	q->g = mt_ctx_graph(ctx);
	*out = q;
	return MT_OK;
}

void mt_query_free(mt_query *q)
{
	if (!q)
		return;
	val_drop(&q->last);
	for (size_t i = 0; i < q->nbind; i++) {
		free(q->bind[i].name);
		mt_set_unref(q->bind[i].set);
	}
	free(q->bind);
	mt_set_unref(q->mine);
	q_dumps_free(q);
	free(q);
}

mt_ctx *mt_query_ctx(const mt_query *q) { return q->ctx; }

/* Binds name to set s of the dump of session `of` (NULL: q's own). */
static mt_status bind_set(mt_query *q, const char *name, mt_set *s,
			  mt_query *of, mt_err *err)
{
	for (size_t i = 0; i < q->nbind; i++)
		if (!strcmp(q->bind[i].name, name)) {
			mt_set_unref(q->bind[i].set);
			q->bind[i].set = mt_set_ref(s);
			q->bind[i].of = of;
			return MT_OK;
		}
	struct qbind *b = realloc(q->bind, (q->nbind + 1) * sizeof *b);
	if (!b)
		return q_nomem(err);
	q->bind = b;
	char *copy = strdup(name);
	if (!copy)
		return q_nomem(err);
	b[q->nbind].name = copy;
	b[q->nbind].set = mt_set_ref(s);
	b[q->nbind].of = of;
	q->nbind++;
	return MT_OK;
}

mt_status mt_query_bind_set(mt_query *q, const char *name, mt_set *s,
			    mt_err *err)
{
	return bind_set(q, name, s, NULL, err);
}

mt_status mt_query_bind_set_of(mt_query *q, const char *name, mt_set *s,
			       mt_query *of, mt_err *err)
{
	if (!q_dump_known(q, of))
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "a set of a dump this session does not "
				  "name");
	return bind_set(q, name, s, q_of(q, of), err);
}

mt_status mt_query_bind_last(mt_query *q, const char *name, mt_err *err)
{
	if (q->last.k != V_SET)
		return mt_err_set(err, MT_TYPE, MT_NO_OFFSET, MT_NO_OFFSET,
				  "the last result is a %s, not a set",
				  val_type_name(&q->last));
	return bind_set(q, name, q->last.set, q->last.of, err);
}

const mt_set *mt_query_last_set(const mt_query *q)
{
	return q->last.k == V_SET ? q->last.set : NULL;
}

bool mt_query_last_paged(const mt_query *q)
{
	return q->last.k == V_SET || (q->last.k == V_TEXT && q->last.pg);
}

/* ---- running expressions ----------------------------------------------- */

static mt_status eval_text(mt_query *q, const char *expr, val *v, mt_err *err)
{
	mt_qast *ast;
	mt_status st = mt_qast_parse(&ast, expr, strlen(expr), err);
	if (st)
		return st;
	q->depth = 0;
	st = q_eval_node(q, mt_qast_root(ast), v, err);
	mt_qast_free(ast);
	return st;
}

static void set_last(mt_query *q, val *v)
{
	val_drop(&q->last);
	q->last = *v;
	q->has_last = true;
}

mt_status mt_query_run(mt_query *q, const char *expr, mt_strbuf *out,
		       mt_err *err)
{
	val v;
	mt_status st = eval_text(q, expr, &v, err);
	if (st)
		return st;
	size_t mark = out->len;
	if ((st = q_render(q, &v, out, err))) {
		out->len = mark;
		if (out->s)
			out->s[mark] = '\0';
		val_drop(&v);
		return st;
	}
	set_last(q, &v);
	return MT_OK;
}

/* r := v (v is left as it was). */
static mt_status to_result(mt_query *q, val *v, mt_qresult *r, mt_err *err)
{
	memset(r, 0, sizeof *r);
	if (!(r->expr = strdup(v->expr ? v->expr : "")))
		return q_nomem(err);
	if (v->k == V_SET) {
		r->kind = MT_QRESULT_SET;
		r->set = mt_set_ref(v->set);
		r->of = v->of;
		memcpy(r->er, v->er, sizeof r->er);
		return MT_OK;
	}
	mt_strbuf b;
	mt_strbuf_init(&b);
	mt_status st = q_render(q, v, &b, err);
	if (st) {
		mt_strbuf_destroy(&b);
		mt_qresult_destroy(r);
		return st;
	}
	r->kind = MT_QRESULT_TEXT;
	r->text = b.s ? b.s : strdup("");
	if (!r->text) {
		mt_qresult_destroy(r);
		return q_nomem(err);
	}
	return MT_OK;
}

mt_status mt_query_eval(mt_query *q, const char *expr, mt_qresult *out,
			mt_err *err)
{
	memset(out, 0, sizeof *out);
	val v;
	mt_status st = eval_text(q, expr, &v, err);
	if (st)
		return st;
	if ((st = to_result(q, &v, out, err))) {
		val_drop(&v);
		return st;
	}
	set_last(q, &v);
	return MT_OK;
}

void mt_qresult_destroy(mt_qresult *r)
{
	if (!r)
		return;
	mt_set_unref(r->set);
	free(r->text);
	free(r->expr);
	memset(r, 0, sizeof *r);
}

/* ---- deriving sets without query text ---------------------------------- */

/* The precedence of a result's expression (its text is canonical, so its
 * syntax tree's root says). */
static int expr_prec(const char *expr)
{
	mt_qast *ast;
	mt_err e;
	if (mt_qast_parse(&ast, expr, strlen(expr), &e))
		return 0;
	const mt_qnode *n = mt_qast_root(ast);
	int p = P_POSTFIX;
	switch (n->kind) {
	case MT_Q_BINOP:
		p = n->op == MT_QOP_OR	  ? P_OR
		    : n->op == MT_QOP_XOR ? P_XOR
		    : n->op == MT_QOP_AND ? P_AND
					  : P_ARITH;
		break;
	case MT_Q_UNARY:
		p = P_UNARY;
		break;
	case MT_Q_COMPARE:
		p = P_CMP;
		break;
	default:
		break;
	}
	mt_qast_free(ast);
	return p;
}

/* v := the set result of (a new reference, a copy of its expression). */
static mt_status from_result(mt_query *q, const mt_qresult *of, val *v,
			     mt_err *err)
{
	memset(v, 0, sizeof *v);
	if (!of || of->kind != MT_QRESULT_SET || !of->set)
		return mt_err_set(err, MT_TYPE, MT_NO_OFFSET, MT_NO_OFFSET,
				  "not a set result");
	if (of->of && of->of != q && !q_dump_known(q, of->of))
		return mt_err_set(err, MT_TYPE, MT_NO_OFFSET, MT_NO_OFFSET,
				  "a set of a dump this session does not "
				  "name");
	val_set(v, mt_set_ref(of->set), of->er[0] ? of->er : "clodo");
	v->of = q_of(q, of->of);
	const char *e = of->expr ? of->expr : "";
	if (!(v->expr = strdup(e))) {
		val_drop(v);
		return q_nomem(err);
	}
	v->prec = expr_prec(e);
	return MT_OK;
}

/* out := the value made by fn from of's value; `_` unchanged. */
static mt_status derive(mt_query *q, const mt_qresult *of, val *made,
			mt_status st, mt_qresult *out, mt_err *err)
{
	(void)of;
	if (!st)
		st = to_result(q, made, out, err);
	else if (err) /* no expression text to point into */
		err->offset = MT_NO_OFFSET;
	val_drop(made);
	return st;
}

mt_status mt_query_heap(mt_query *q, mt_qresult *out, mt_err *err)
{
	memset(out, 0, sizeof *out);
	val v;
	mt_status st = q_heap(q, 0, &v, err);
	return derive(q, NULL, &v, st, out, err);
}

mt_status mt_query_object(mt_query *q, uint32_t id, mt_qresult *out,
			  mt_err *err)
{
	memset(out, 0, sizeof *out);
	if (id >= mt_graph_count(q->g))
		return mt_err_set(err, MT_RANGE, MT_NO_OFFSET, MT_NO_OFFSET,
				  "no object %u", id);
	uint64_t addr = mt_graph_addr(q->g, id);
	if (!addr)
		return mt_err_set(err, MT_RANGE, MT_NO_OFFSET, MT_NO_OFFSET,
				  "a virtual object has no address");
	mt_set *s;
	mt_status st = mt_set_from_ids(&s, &id, 1, err);
	if (st)
		return st;
	val v;
	val_set(&v, s, "id");
	st = val_expr(&v, P_AND, err, "h & hp.Id(0x%llx)",
		      (unsigned long long)addr);
	return derive(q, NULL, &v, st, out, err);
}

mt_status mt_query_by(mt_query *q, const mt_qresult *of, const char *classifier,
		      mt_qresult *out, mt_err *err)
{
	memset(out, 0, sizeof *out);
	val v, made = {0};
	mt_status st = from_result(q, of, &v, err);
	if (st)
		return st;
	st = q_by(q_sess(q, &v), &v, classifier, 0, &made, err);
	val_drop(&v);
	return derive(q, of, &made, st, out, err);
}

/* Row `row` of of's table: its objects `set` when given (borrowed), else
 * made by the query layer's partition (q_rows); the expression `of[row]`
 * either way. */
static mt_status row_result(mt_query *q, const mt_qresult *of, size_t row,
			    mt_set *set, mt_qresult *out, mt_err *err)
{
	memset(out, 0, sizeof *out);
	val v, made = {0};
	mt_status st = from_result(q, of, &v, err);
	if (st)
		return st;
	if (row > (size_t)LONG_MAX)
		row = (size_t)LONG_MAX;
	long r = (long)row;
	if (set) {
		val_set(&made, mt_set_ref(set), v.er);
		st = q_rows_expr(&v, r, r + 1, true, &made, err);
	} else {
		st = q_rows(q_sess(q, &v), &v, r, r + 1, true, 0, 0, &made,
			    err);
	}
	made.of = v.of;
	val_drop(&v);
	return derive(q, of, &made, st, out, err);
}

mt_status mt_query_row(mt_query *q, const mt_qresult *of, size_t row,
		       mt_qresult *out, mt_err *err)
{
	return row_result(q, of, row, NULL, out, err);
}

mt_status mt_query_row_given(mt_query *q, const mt_qresult *of, size_t row,
			     mt_set *set, mt_qresult *out, mt_err *err)
{
	return row_result(q, of, row, set, out, err);
}

mt_status mt_query_attr(mt_query *q, const mt_qresult *of, const char *attr,
			mt_qresult *out, mt_err *err)
{
	memset(out, 0, sizeof *out);
	val v, made = {0};
	mt_status st = from_result(q, of, &v, err);
	if (st)
		return st;
	st = q_attr(q, attr, 0, &v, &made, err);
	if (!st && made.k == V_METHOD)
		st = qerr(err, MT_TYPE, 0, "%s is a method, not an attribute",
			  attr);
	if (!st && !made.expr) {
		mt_strbuf t;
		mt_strbuf_init(&t);
		q_expr_operand(&t, &v, P_POSTFIX);
		mt_strbuf_printf(&t, ".%s", attr);
		st = t.nomem ? q_nomem(err)
			     : val_expr(&made, P_POSTFIX, err, "%s", t.s);
		mt_strbuf_destroy(&t);
	}
	val_drop(&v);
	return derive(q, of, &made, st, out, err);
}

mt_status mt_query_partition(mt_query *q, const mt_qresult *of,
			     mt_partition **out, mt_err *err)
{
	*out = NULL;
	val v;
	mt_status st = from_result(q, of, &v, err);
	if (st)
		return st;
	if (!strcmp(v.er, "id"))
		st = mt_err_set(err, MT_TYPE, MT_NO_OFFSET, MT_NO_OFFSET,
				"an identity table is not a partition");
	else
		st = q_partition(q_sess(q, &v), &v, 0, out, err);
	val_drop(&v);
	return st;
}

/* ---- errors ------------------------------------------------------------ */

void mt_query_error_text(const char *expr, const mt_err *err, mt_strbuf *out)
{
	size_t len = strlen(expr);
	size_t pos = err->offset == MT_NO_OFFSET ? len : (size_t)err->offset;
	if (pos > len)
		pos = len;
	mt_strbuf_printf(out, "%s\n", expr);
	/* the caret goes under the character: count characters, not bytes,
	 * and keep tabs so it lines up in a terminal */
	for (size_t i = 0; i < pos; i++) {
		unsigned char c = (unsigned char)expr[i];
		if ((c & 0xc0) == 0x80)
			continue;
		mt_strbuf_addc(out, c == '\t' ? '\t' : ' ', 1);
	}
	/* the reason in the language's terms; dump-level words such as
	 * "unexpected value type" would mislead here */
	const char *what = err->code == MT_SYNTAX  ? "syntax error"
			   : err->code == MT_TYPE  ? "type error"
			   : err->code == MT_RANGE ? "value error"
			   : err->code == MT_ARG   ? "value error"
						   : mt_status_str(err->code);
	mt_strbuf_printf(out, "^\nerror: %s%s%s\n", what,
			 err->detail[0] ? ": " : "", err->detail);
}
