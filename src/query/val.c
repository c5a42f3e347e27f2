/* Values of the query language (qval.h) and their canonical expression.
 *
 * A value is a small struct that owns what it points to (sets and kinds
 * are reference-counted, strings copied); val_drop releases it.  Every
 * value carries the canonical text of the expression that makes it
 * (`h.byrcs[0]`, with `_` and computed indexes resolved), so a front end
 * can show and re-derive a set without spelling query text itself.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/pyrepr.h"
#include "qval.h"

void val_drop(val *v)
{
	switch (v->k) {
	case V_STR:
		free(v->s);
		break;
	case V_TEXT:
		free(v->s);
		q_pager_unref(v->pg);
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
	free(v->expr);
	memset(v, 0, sizeof *v);
}

mt_status val_copy(val *dst, const val *src, mt_err *err)
{
	*dst = *src;
	dst->expr = NULL;
	dst->self = NULL;
	dst->s = NULL;
	if ((src->k == V_STR || src->k == V_TEXT) && src->s) {
		if (!(dst->s = malloc(src->n + 1)))
			goto nomem;
		memcpy(dst->s, src->s, src->n + 1);
	}
	if (src->k == V_METHOD && src->self) {
		if (!(dst->self = malloc(sizeof *dst->self)))
			goto nomem;
		if (val_copy(dst->self, src->self, err)) {
			free(dst->self);
			free(dst->s);
			memset(dst, 0, sizeof *dst);
			return err->code;
		}
	}
	if (src->expr && !(dst->expr = strdup(src->expr))) {
		if (dst->self) {
			val_drop(dst->self);
			free(dst->self);
		}
		goto nomem;
	}
	if (src->k == V_SET)
		mt_set_ref(dst->set);
	if (src->k == V_TEXT)
		q_pager_ref(dst->pg);
	val_copy_kind(dst, src);
	return MT_OK;
nomem:
	free(dst->s);
	memset(dst, 0, sizeof *dst);
	return q_nomem(err);
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
		return q_nomem(err);
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

mt_status q_nomem(mt_err *err)
{
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, NULL);
}

/* ---- expressions ------------------------------------------------------- */

mt_status val_expr(val *v, int prec, mt_err *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!s)
		return q_nomem(err);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	free(v->expr);
	v->expr = s;
	v->prec = prec;
	return MT_OK;
}

void q_expr_operand(mt_strbuf *b, const val *v, int min)
{
	const char *e = v->expr ? v->expr : "?";
	if (v->prec < min)
		mt_strbuf_printf(b, "(%s)", e);
	else
		mt_strbuf_add(b, e, strlen(e));
}

mt_status val_literal_expr(val *v, mt_err *err)
{
	switch (v->k) {
	case V_INT:
		return val_expr(v, v->i < 0 ? P_UNARY : P_POSTFIX, err,
				"%" PRId64, v->i);
	case V_BOOL:
		return val_expr(v, P_POSTFIX, err, "%s",
				v->i ? "True" : "False");
	case V_STR: {
		mt_strbuf b;
		mt_strbuf_init(&b);
		mt_pyrepr_str(&b, v->s, v->n);
		mt_status st = b.nomem ? q_nomem(err)
				       : val_expr(v, P_POSTFIX, err, "%s",
						  b.s ? b.s : "''");
		mt_strbuf_destroy(&b);
		return st;
	}
	default:
		return val_expr(v, P_POSTFIX, err, "None");
	}
}
