/* The rows of table.c for the hp namespace (kind constructors such as
 * hp.Type('dict'), hp.heap(), hp.dot(...)) and for kinds (alt, dictof).
 * The kinds themselves are src/analysis/kind.c.
 */
#include "config.h"

#include <string.h>

#include "memtrack/dot.h"
#include "memtrack/kind.h"
#include "qval.h"

static mt_status want(const q_args *a, size_t i, vkind k, const char *what,
		      const char *fn, mt_err *err)
{
	if (a->v[i].k != k)
		return qerr(err, MT_TYPE, a->apos[i],
			    "%s() argument %zu must be %s, not %s", fn, i + 1,
			    what, val_type_name(&a->v[i]));
	return MT_OK;
}

static mt_status kind_result(val *out, mt_status st, mt_kind *k, uint32_t pos,
			     mt_err *err)
{
	if (st) /* point the caret at the call */
		return qerr(err, st, pos, "%s", err->detail);
	memset(out, 0, sizeof *out);
	out->k = V_KIND;
	out->kind = k;
	return MT_OK;
}

mt_status q_hp_type(mt_query *q, q_args *a, val *out, mt_err *err)
{
	(void)q;
	mt_kind *k = NULL;
	mt_status st = want(a, 0, V_STR, "a str", "Type", err);
	if (st)
		return st;
	st = mt_kind_type(&k, a->v[0].s, err);
	return kind_result(out, st, k, a->apos[0], err);
}

mt_status q_hp_module(mt_query *q, q_args *a, val *out, mt_err *err)
{
	(void)q;
	mt_kind *k = NULL;
	mt_status st = want(a, 0, V_STR, "a str", "Module", err);
	if (st)
		return st;
	st = mt_kind_module(&k, a->v[0].s, err);
	return kind_result(out, st, k, a->apos[0], err);
}

/* Clodo('name'), Clodo(dictof='owner'), Clodo(dictof=<kind>) */
mt_status q_hp_clodo(mt_query *q, q_args *a, val *out, mt_err *err)
{
	(void)q;
	mt_kind *k = NULL;
	mt_status st;
	if (a->names[0] && strcmp(a->names[0], "dictof"))
		return qerr(err, MT_TYPE, a->apos[0],
			    "Clodo() has no argument '%s' (dictof=)",
			    a->names[0]);
	if (a->v[0].k == V_KIND && a->names[0]) {
		st = mt_kind_dictof(&k, a->v[0].kind, err);
		return kind_result(out, st, k, a->apos[0], err);
	}
	if ((st = want(a, 0, V_STR, "a str", "Clodo", err)))
		return st;
	st = a->names[0] ? mt_kind_clodo_dictof(&k, a->v[0].s, err)
			 : mt_kind_clodo(&k, a->v[0].s, err);
	return kind_result(out, st, k, a->apos[0], err);
}

/* The non-negative int argument of Size() and Id(). */
static mt_status uint_arg(const q_args *a, const char *fn, uint64_t *out,
			  mt_err *err)
{
	mt_status st = want(a, 0, V_INT, "an int", fn, err);
	if (st)
		return st;
	if (a->v[0].i < 0)
		return qerr(err, MT_RANGE, a->apos[0],
			    "%s() needs a non-negative int", fn);
	*out = (uint64_t)a->v[0].i;
	return MT_OK;
}

mt_status q_hp_size(mt_query *q, q_args *a, val *out, mt_err *err)
{
	(void)q;
	mt_kind *k = NULL;
	uint64_t n = 0;
	mt_status st = uint_arg(a, "Size", &n, err);
	if (st)
		return st;
	st = mt_kind_size(&k, n, err);
	return kind_result(out, st, k, a->apos[0], err);
}

mt_status q_hp_id(mt_query *q, q_args *a, val *out, mt_err *err)
{
	(void)q;
	mt_kind *k = NULL;
	uint64_t n = 0;
	mt_status st = uint_arg(a, "Id", &n, err);
	if (st)
		return st;
	st = mt_kind_id(&k, n, err);
	if ((st = kind_result(out, st, k, a->apos[0], err)))
		return st;
	/* addresses read best in hex: hp.Id(0x7f0012345678) */
	if ((st = val_expr(out, P_POSTFIX, err, "hp.Id(0x%llx)",
			   (unsigned long long)n)))
		val_drop(out);
	return st;
}

/* The str arguments of Via() and Rcs(). */
static mt_status str_args(const q_args *a, const char *fn,
			  const char *strs[Q_MAXARGS], mt_err *err)
{
	for (size_t i = 0; i < a->n; i++) {
		mt_status st = want(a, i, V_STR, "a str", fn, err);
		if (st)
			return st;
		strs[i] = a->v[i].s;
	}
	return MT_OK;
}

mt_status q_hp_via(mt_query *q, q_args *a, val *out, mt_err *err)
{
	(void)q;
	const char *strs[Q_MAXARGS];
	mt_kind *k = NULL;
	mt_status st = str_args(a, "Via", strs, err);
	if (st)
		return st;
	st = mt_kind_via(&k, strs, a->n, err);
	return kind_result(out, st, k, a->pos, err);
}

mt_status q_hp_rcs(mt_query *q, q_args *a, val *out, mt_err *err)
{
	(void)q;
	const char *strs[Q_MAXARGS];
	mt_kind *k = NULL;
	mt_status st = str_args(a, "Rcs", strs, err);
	if (st)
		return st;
	st = mt_kind_rcs(&k, strs, a->n, err);
	return kind_result(out, st, k, a->pos, err);
}

mt_status q_hp_anything(mt_query *q, q_args *a, val *out, mt_err *err)
{
	(void)q;
	mt_kind *k = NULL;
	mt_status st = mt_kind_anything(&k, err);
	return kind_result(out, st, k, a->pos, err);
}

mt_status q_hp_nothing(mt_query *q, q_args *a, val *out, mt_err *err)
{
	(void)q;
	mt_kind *k = NULL;
	mt_status st = mt_kind_nothing(&k, err);
	return kind_result(out, st, k, a->pos, err);
}

mt_status q_hp_heap(mt_query *q, q_args *a, val *out, mt_err *err)
{
	(void)a;
	(void)err;
	return val_set(out, mt_set_ref(mt_ctx_all(q->ctx)), "clodo");
}

/* The keyword argument i of dot() into o; MT_TYPE for a bad one. */
static mt_status dot_option(const q_args *a, size_t i, mt_dot_opts *o,
			    mt_err *err)
{
	const char *nm = a->names[i];
	const val *v = &a->v[i];
	if (!strcmp(nm, "max") && v->k == V_INT && v->i > 0 &&
	    v->i <= 1000000)
		o->max_nodes = (unsigned)v->i;
	else if (!strcmp(nm, "referrers") && v->k == V_BOOL)
		o->referrers = v->i;
	else if (!strcmp(nm, "referents") && v->k == V_BOOL)
		o->referents = v->i;
	else
		return qerr(err, MT_TYPE, a->apos[i],
			    "dot(): bad argument '%s' (max=N, "
			    "referrers=True/False, referents=True/False)",
			    nm);
	return MT_OK;
}

mt_status q_hp_dot(mt_query *q, q_args *a, val *out, mt_err *err)
{
	mt_dot_opts o = {0};
	const mt_set *s = NULL;
	mt_status st;
	for (size_t i = 0; i < a->n; i++) {
		if (a->names[i]) {
			if ((st = dot_option(a, i, &o, err)))
				return st;
		} else if (i || a->v[i].k != V_SET) {
			return qerr(err, MT_TYPE, a->apos[i],
				    "dot() takes a set, then max=, "
				    "referrers=, referents=");
		} else {
			s = a->v[i].set;
		}
	}
	if (!s)
		return qerr(err, MT_TYPE, a->pos, "dot() needs a set");
	mt_strbuf b;
	mt_strbuf_init(&b);
	st = mt_dot_format(q->g, s, &o, &b, err);
	return q_text_result(out, &b, st, err);
}

mt_status q_kind_alt(mt_query *q, q_args *a, val *out, mt_err *err)
{
	(void)q;
	mt_kind *k = NULL;
	mt_status st = want(a, 0, V_STR, "a str", "alt", err);
	if (st)
		return st;
	st = mt_kind_alt(&k, a->self->kind, a->v[0].s, err);
	if (st == MT_ARG)
		return qerr(err, MT_ARG, a->apos[0],
			    "alt() takes '<', '<=', '>=', '>' or '!=', not "
			    "'%s'",
			    a->v[0].s);
	return kind_result(out, st, k, a->apos[0], err);
}

mt_status q_kind_dictof(mt_query *q, q_args *a, val *out, mt_err *err)
{
	(void)q;
	mt_kind *k = NULL;
	mt_status st = mt_kind_dictof(&k, a->self->kind, err);
	return kind_result(out, st, k, a->pos, err);
}
