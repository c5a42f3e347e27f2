/* The query evaluator (query.h).
 *
 * Owns: the session state of one graph (the last result `_`, named sets,
 * classifiers cached by name), the value type of the language and the
 * rendering of values as text.  Values are small structs that own what they
 * point to (sets and kinds are reference-counted, strings copied); val_drop
 * releases them.  Evaluation recurses over the syntax tree; the depth is
 * bounded so a long chain of operators or trailers cannot overflow the
 * stack.  Every error carries the byte offset of the node it is about.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/partition.h"
#include "memtrack/qast.h"
#include "memtrack/query.h"
#include "memtrack/table.h"
#include "qval.h"

#define MAX_EVAL_DEPTH 2000

/* ---- values ------------------------------------------------------------ */

void val_drop(val *v)
{
	switch (v->k) {
	case V_STR:
	case V_TEXT:
		free(v->s);
		break;
	case V_SET:
		mt_set_unref(v->set);
		break;
	case V_METHOD:
		if (v->self) {
			val_drop(v->self);
			free(v->self);
		}
		break;
	default:
		break;
	}
	val_drop_kind(v);
	memset(v, 0, sizeof *v);
}

mt_status val_copy(val *dst, const val *src, mt_err *err)
{
	*dst = *src;
	switch (src->k) {
	case V_STR:
	case V_TEXT:
		dst->s = malloc(src->n + 1);
		if (!dst->s)
			goto nomem;
		memcpy(dst->s, src->s, src->n + 1);
		break;
	case V_SET:
		mt_set_ref(dst->set);
		break;
	case V_METHOD:
		if (src->self) {
			dst->self = malloc(sizeof *dst->self);
			if (!dst->self)
				goto nomem;
			if (val_copy(dst->self, src->self, err)) {
				free(dst->self);
				dst->self = NULL;
				return err->code;
			}
		}
		break;
	default:
		break;
	}
	val_copy_kind(dst, src);
	return MT_OK;
nomem:
	dst->k = V_NONE;
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, NULL);
}

mt_status val_set(val *v, mt_set *s, const char *er)
{
	memset(v, 0, sizeof *v);
	v->k = V_SET;
	v->set = s;
	snprintf(v->er, sizeof v->er, "%s", er ? er : "clodo");
	v->next = SIZE_MAX;
	return MT_OK;
}

mt_status val_text(val *v, vkind k, const char *s, size_t n, mt_err *err)
{
	memset(v, 0, sizeof *v);
	v->s = malloc(n + 1);
	if (!v->s)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, NULL);
	memcpy(v->s, s, n);
	v->s[n] = '\0';
	v->n = n;
	v->k = k;
	return MT_OK;
}

const char *val_type_name(const val *v)
{
	switch (v->k) {
	case V_NONE:
		return "None";
	case V_INT:
		return "int";
	case V_BOOL:
		return "bool";
	case V_STR:
		return "str";
	case V_SET:
		return "set";
	case V_KIND:
		return "kind";
	case V_TEXT:
		return "text";
	case V_HP:
		return "hp";
	case V_METHOD:
		return "method";
	}
	return "?";
}

/* ---- session ----------------------------------------------------------- */

mt_status qerr(mt_err *err, mt_status code, uint32_t pos, const char *fmt, ...)
{
	if (!err)
		return code;
	err->code = code;
	err->offset = pos;
	err->record = MT_NO_OFFSET;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof err->detail, fmt, ap);
	va_end(ap);
	return code;
}

mt_status q_classifier_key(const char *er, char key[48], uint32_t pos,
			   mt_err *err)
{
	size_t k = 0;
	for (const char *p = er;;) {
		size_t len = strcspn(p, "&");
		const char *e = p + len;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (k + (size_t)(e - p) + 1 >= 48)
			return qerr(err, MT_RANGE, pos,
				    "classifier name too long");
		for (; p < e; p++)
			key[k++] = (char)tolower((unsigned char)*p);
		p += strcspn(p, "&");
		if (!*p)
			break;
		key[k++] = '&';
		p++;
	}
	key[k] = '\0';
	return MT_OK;
}

void q_classifier_unref(qcls *c)
{
	if (c && --c->refs == 0) {
		mt_classifier_free(c->c);
		free(c);
	}
}

mt_status q_classifier(mt_query *q, const char *er, qcls **out, uint32_t pos,
		       mt_err *err)
{
	char key[48];
	mt_status st = q_classifier_key(er, key, pos, err);
	if (st)
		return st;
	for (size_t i = 0; i < q->ncls; i++)
		if (!strcmp(q->cls[i]->name, key)) {
			q->cls[i]->refs++;
			*out = q->cls[i];
			return MT_OK;
		}
	qcls *e = calloc(1, sizeof *e);
	if (!e)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, NULL);
	if ((st = q_classifier_make(q, key, &e->c, pos, err))) {
		free(e);
		return st;
	}
	memcpy(e->name, key, sizeof key);
	e->refs = 2; /* the cache's and the caller's */
	if (q->ncls == sizeof q->cls / sizeof q->cls[0]) {
		q_classifier_unref(q->cls[0]); /* freed when nobody holds it */
		memmove(q->cls, q->cls + 1, (q->ncls - 1) * sizeof q->cls[0]);
		q->ncls--;
	}
	q->cls[q->ncls++] = e;
	*out = e;
	return MT_OK;
}

mt_status mt_query_new(mt_query **out, const mt_graph *g, mt_err *err)
{
	*out = NULL;
	mt_query *q = calloc(1, sizeof *q);
	if (!q)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, NULL);
	q->g = g;
	mt_status st = mt_set_all(&q->all, g, err);
	if (st) {
		free(q);
		return st;
	}
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
	for (size_t i = 0; i < q->ncls; i++)
		q_classifier_unref(q->cls[i]);
	q_free_extra(q);
	mt_set_unref(q->all);
	free(q);
}

mt_status mt_query_bind_set(mt_query *q, const char *name, mt_set *s,
			    mt_err *err)
{
	for (size_t i = 0; i < q->nbind; i++)
		if (!strcmp(q->bind[i].name, name)) {
			mt_set_unref(q->bind[i].set);
			q->bind[i].set = mt_set_ref(s);
			return MT_OK;
		}
	struct qbind *b = realloc(q->bind, (q->nbind + 1) * sizeof *b);
	if (!b)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, NULL);
	q->bind = b;
	char *copy = strdup(name);
	if (!copy)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, NULL);
	b[q->nbind].name = copy;
	b[q->nbind].set = mt_set_ref(s);
	q->nbind++;
	return MT_OK;
}

mt_status mt_query_bind_last(mt_query *q, const char *name, mt_err *err)
{
	if (q->last.k != V_SET)
		return mt_err_set(err, MT_TYPE, MT_NO_OFFSET, MT_NO_OFFSET,
				  "the last result is a %s, not a set",
				  val_type_name(&q->last));
	return mt_query_bind_set(q, name, q->last.set, err);
}

const mt_set *mt_query_last_set(const mt_query *q)
{
	return q->last.k == V_SET ? q->last.set : NULL;
}

/* ---- evaluation -------------------------------------------------------- */

static mt_status eval(mt_query *q, const mt_qnode *n, val *out, mt_err *err);

static mt_status eval_name(mt_query *q, const mt_qnode *n, val *out,
			   mt_err *err)
{
	const char *s = n->name;
	memset(out, 0, sizeof *out);
	if (!strcmp(s, "h"))
		return val_set(out, mt_set_ref(q->all), "clodo");
	if (!strcmp(s, "hp")) {
		out->k = V_HP;
		return MT_OK;
	}
	if (!strcmp(s, "_")) {
		if (q->last.k == V_NONE && !q->has_last)
			return qerr(err, MT_TYPE, n->pos,
				    "'_' is the last result, and there is none "
				    "yet");
		return val_copy(out, &q->last, err);
	}
	if (!strcmp(s, "True") || !strcmp(s, "False")) {
		out->k = V_BOOL;
		out->i = s[0] == 'T';
		return MT_OK;
	}
	if (!strcmp(s, "None")) {
		out->k = V_NONE;
		return MT_OK;
	}
	for (size_t i = 0; i < q->nbind; i++)
		if (!strcmp(q->bind[i].name, s))
			return val_set(out, mt_set_ref(q->bind[i].set), "clodo");
	return qerr(err, MT_TYPE, n->pos,
		    "name '%s' is not defined (names: h, hp, _%s)", s,
		    q->nbind ? " and the marks" : "");
}

/* The partition of set v by its classifier (v->er is not "id"), and a
 * reference to that classifier (q_classifier_unref), also on failure. */
static mt_status q_partition(mt_query *q, const val *v, uint32_t pos,
			     qcls **c, mt_partition **p, mt_err *err)
{
	*c = NULL;
	*p = NULL;
	mt_status st = q_classifier(q, v->er, c, pos, err);
	if (st)
		return st;
	return mt_partition_new(p, (*c)->c, mt_set_ids(v->set),
				mt_set_count(v->set), err);
}

mt_status q_nrows(mt_query *q, const val *v, uint32_t pos, size_t *nrows,
		  mt_err *err)
{
	if (!strcmp(v->er, "id")) {
		*nrows = mt_set_count(v->set);
		return MT_OK;
	}
	qcls *c;
	mt_partition *p;
	mt_status st = q_partition(q, v, pos, &c, &p, err);
	if (!st)
		*nrows = mt_partition_nrows(p);
	mt_partition_free(p);
	q_classifier_unref(c);
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
		st = mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, NULL);
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

static mt_status to_index(const val *v, const mt_qnode *n, long *out,
			  mt_err *err)
{
	if (v->k != V_INT)
		return qerr(err, MT_TYPE, n->pos, "index must be an int, not %s",
			    val_type_name(v));
	*out = (long)v->i;
	return MT_OK;
}

static mt_status eval_index(mt_query *q, const mt_qnode *n, val *out,
			    mt_err *err)
{
	val obj, idx;
	mt_status st = eval(q, n->a, &obj, err);
	if (st)
		return st;
	if (obj.k != V_SET) {
		st = qerr(err, MT_TYPE, n->oppos, "a %s cannot be indexed",
			  val_type_name(&obj));
		val_drop(&obj);
		return st;
	}
	/* the partition is built once, for the row count and the rows; the
	 * classifier reference keeps c alive while the index expressions run
	 * (they may push it out of the cache) */
	bool by_id = !strcmp(obj.er, "id");
	qcls *c = NULL;
	mt_partition *p = NULL;
	size_t nrows = mt_set_count(obj.set);
	if (!by_id) {
		if ((st = q_partition(q, &obj, n->oppos, &c, &p, err)))
			goto done;
		nrows = mt_partition_nrows(p);
	}
	long lo = 0, hi = 0;
	if (n->kind == MT_Q_INDEX) {
		if ((st = eval(q, n->b, &idx, err)))
			goto done;
		st = to_index(&idx, n->b, &lo, err);
		val_drop(&idx);
		if (st)
			goto done;
		long r = lo < 0 ? lo + (long)nrows : lo;
		if (r < 0 || r >= (long)nrows) {
			st = qerr(err, MT_RANGE, n->b->pos,
				  "row %ld out of range: the partition has "
				  "%zu row%s",
				  lo, nrows, nrows == 1 ? "" : "s");
			goto done;
		}
		lo = r;
		hi = r + 1;
	} else {
		lo = 0;
		hi = (long)nrows;
		const mt_qnode *b[2] = {n->args[0], n->args[1]};
		long *dst[2] = {&lo, &hi};
		for (int i = 0; i < 2; i++) {
			if (!b[i])
				continue;
			if ((st = eval(q, b[i], &idx, err)))
				goto done;
			st = to_index(&idx, b[i], dst[i], err);
			val_drop(&idx);
			if (st)
				goto done;
		}
	}
	if (lo < 0)
		lo += (long)nrows;
	if (hi < 0)
		hi += (long)nrows;
	if (lo < 0)
		lo = 0;
	if (hi > (long)nrows)
		hi = (long)nrows;
	if (hi < lo)
		hi = lo;
	mt_set *s;
	st = by_id ? q_idrows(q, &obj, lo, hi, n->oppos, &s, err)
		   : row_ids(&obj, c->c, p, lo, hi, &s, err);
	if (!st)
		val_set(out, s, obj.er);
done:
	mt_partition_free(p);
	q_classifier_unref(c);
	val_drop(&obj);
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
	if (a.k == V_INT && b.k == V_INT &&
	    (n->op == MT_QOP_ADD || n->op == MT_QOP_SUB ||
	     n->op == MT_QOP_AND || n->op == MT_QOP_OR ||
	     n->op == MT_QOP_XOR)) {
		out->k = V_INT;
		switch (n->op) {
		case MT_QOP_ADD:
			out->i = a.i + b.i;
			break;
		case MT_QOP_SUB:
			out->i = a.i - b.i;
			break;
		case MT_QOP_AND:
			out->i = a.i & b.i;
			break;
		case MT_QOP_OR:
			out->i = a.i | b.i;
			break;
		default:
			out->i = a.i ^ b.i;
		}
	} else if (a.k == V_SET && b.k == V_SET && n->op != MT_QOP_ADD) {
		mt_setop op = n->op == MT_QOP_AND   ? MT_SETOP_AND
			      : n->op == MT_QOP_OR  ? MT_SETOP_OR
			      : n->op == MT_QOP_XOR ? MT_SETOP_XOR
						    : MT_SETOP_SUB;
		mt_set *s;
		if (!(st = mt_set_op(&s, op, a.set, b.set, err)))
			val_set(out, s, "clodo");
	} else if ((a.k == V_KIND || b.k == V_KIND) &&
		   (a.k == V_SET || a.k == V_KIND) &&
		   (b.k == V_SET || b.k == V_KIND) && n->op != MT_QOP_ADD) {
		st = q_kind_binop(q, n, &a, &b, out, err);
	} else {
		char sym[3] = {(char)n->op, 0, 0};
		st = qerr(err, MT_TYPE, n->oppos,
			  "unsupported operand types for %s: %s and %s", sym,
			  val_type_name(&a), val_type_name(&b));
	}
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
		if (!(st = mt_set_complement(&s, a.set, q->g, err)))
			val_set(out, s, "clodo");
	} else if (n->op == MT_QOP_INV && a.k == V_KIND) {
		st = q_kind_invert(q, n, &a, out, err);
	} else {
		st = qerr(err, MT_TYPE, n->pos, "bad operand type for unary %c: %s",
			  n->op == MT_QOP_NEG ? '-' : '~', val_type_name(&a));
	}
	val_drop(&a);
	return st;
}

static int compare_one(const val *a, const val *b, int op, int *res)
{
	if (a->k == V_SET && b->k == V_SET) {
		bool sub = mt_set_subset(a->set, b->set);
		bool sup = mt_set_subset(b->set, a->set);
		switch (op) {
		case MT_QOP_LT:
			*res = sub && !sup;
			break;
		case MT_QOP_LE:
			*res = sub;
			break;
		case MT_QOP_EQ:
			*res = sub && sup;
			break;
		case MT_QOP_NE:
			*res = !(sub && sup);
			break;
		case MT_QOP_GE:
			*res = sup;
			break;
		default:
			*res = sup && !sub;
		}
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
	int result = 1;
	for (size_t i = 1; i < n->nargs && result; i++) {
		if ((st = eval(q, n->args[i], &cur, err))) {
			val_drop(&prev);
			return st;
		}
		int r;
		int how = compare_one(&prev, &cur, n->ops[i - 1], &r);
		if (how == -2)
			st = q_kind_compare(q, n, &prev, &cur, n->ops[i - 1], &r,
					    err);
		else if (how < 0)
			st = qerr(err, MT_TYPE, n->oppos,
				  "cannot compare %s with %s",
				  val_type_name(&prev), val_type_name(&cur));
		val_drop(&prev);
		prev = cur;
		if (st) {
			val_drop(&prev);
			return st;
		}
		result = r;
	}
	val_drop(&prev);
	memset(out, 0, sizeof *out);
	out->k = V_BOOL;
	out->i = result;
	return MT_OK;
}

static mt_status eval(mt_query *q, const mt_qnode *n, val *out, mt_err *err)
{
	if (++q->depth > MAX_EVAL_DEPTH) {
		q->depth--;
		return qerr(err, MT_RANGE, n->pos, "expression nested too deeply");
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
		st = MT_OK;
		break;
	case MT_Q_STR:
		st = val_text(out, V_STR, n->name, n->namelen, err);
		break;
	case MT_Q_ATTR: {
		val obj;
		if (!(st = eval(q, n->a, &obj, err))) {
			st = q_attr(q, n, &obj, out, err);
			val_drop(&obj);
		}
		break;
	}
	case MT_Q_INDEX:
	case MT_Q_SLICE:
		st = eval_index(q, n, out, err);
		break;
	case MT_Q_CALL: {
		val fn;
		if (!(st = eval(q, n->a, &fn, err))) {
			if (fn.k != V_METHOD)
				st = qerr(err, MT_TYPE, n->oppos,
					  "a %s is not callable",
					  val_type_name(&fn));
			else
				st = q_call(q, n, &fn, out, err);
			val_drop(&fn);
		}
		break;
	}
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

mt_status mt_query_run(mt_query *q, const char *expr, mt_strbuf *out,
		       mt_err *err)
{
	mt_qast *ast;
	mt_status st = mt_qast_parse(&ast, expr, strlen(expr), err);
	if (st)
		return st;
	val v;
	q->depth = 0;
	st = eval(q, mt_qast_root(ast), &v, err);
	if (!st) {
		size_t mark = out->len;
		st = q_render(q, &v, out, err);
		if (st) {
			out->len = mark;
			if (out->s)
				out->s[mark] = '\0';
			val_drop(&v);
		} else {
			val_drop(&q->last);
			q->last = v;
			q->has_last = true;
		}
	}
	mt_qast_free(ast);
	return st;
}

mt_status mt_query_eval(mt_query *q, const char *expr, mt_qresult *out,
			mt_err *err)
{
	memset(out, 0, sizeof *out);
	mt_qast *ast;
	mt_status st = mt_qast_parse(&ast, expr, strlen(expr), err);
	if (st)
		return st;
	val v;
	q->depth = 0;
	st = eval(q, mt_qast_root(ast), &v, err);
	mt_qast_free(ast);
	if (st)
		return st;
	if (v.k == V_SET) {
		out->kind = MT_QRESULT_SET;
		out->set = mt_set_ref(v.set);
		memcpy(out->er, v.er, sizeof out->er);
	} else {
		mt_strbuf b;
		mt_strbuf_init(&b);
		if ((st = q_render(q, &v, &b, err))) {
			mt_strbuf_destroy(&b);
			val_drop(&v);
			return st;
		}
		out->kind = MT_QRESULT_TEXT;
		out->text = b.s ? b.s : strdup("");
		if (!out->text) {
			val_drop(&v);
			return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET,
					  MT_NO_OFFSET, NULL);
		}
	}
	val_drop(&q->last);
	q->last = v;
	q->has_last = true;
	return MT_OK;
}

void mt_qresult_destroy(mt_qresult *r)
{
	if (!r)
		return;
	mt_set_unref(r->set);
	free(r->text);
	memset(r, 0, sizeof *r);
}

char *mt_query_complete(const mt_query *q, const char *line, int i)
{
	static const char *const hp_words[] = {
		"Type(", "Clodo(", "Size(", "Via(", "Rcs(", "Module(", "Id(",
		"Anything", "Nothing", "heap()", "dot(", NULL};
	static const char *const attr_words[] = {
		"byclodo", "bytype", "byrcs", "byvia", "bysize", "bymodule",
		"byid", "byidset", "byunity", "bysurplus", "bycycle", "by(",
		"count", "size", "referrers", "referents", "domisize",
		"dominos", "imdom", "sp", "pathsin", "pathsout", "rp", "dot",
		"theone", "more", "all", "alt(", "dictof", NULL};
	static const char *const names[] = {"h", "hp", "_", NULL};
	size_t len = strlen(line), w = len;
	while (w > 0 && (isalnum((unsigned char)line[w - 1]) ||
			 line[w - 1] == '_'))
		w--;
	const char *word = line + w;
	size_t wl = len - w;
	const char *const *list;
	bool after_dot = w > 0 && line[w - 1] == '.';
	if (after_dot && w >= 3 && !strncmp(line + w - 3, "hp.", 3) &&
	    (w == 3 || !(isalnum((unsigned char)line[w - 4]) ||
			 line[w - 4] == '_')))
		list = hp_words;
	else if (after_dot)
		list = attr_words;
	else
		list = names;
	int seen = 0;
	for (size_t k = 0; list[k]; k++)
		if (!strncmp(list[k], word, wl) && seen++ == i)
			return strdup(list[k]);
	if (list == names)
		for (size_t k = 0; k < q->nbind; k++)
			if (!strncmp(q->bind[k].name, word, wl) && seen++ == i)
				return strdup(q->bind[k].name);
	return NULL;
}

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
