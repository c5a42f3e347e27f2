/* The rows of table.c for the hp namespace (kind constructors such as
 * hp.Type('dict'), hp.heap(), hp.dot(...)) and for kinds (alt, dictof).
 * The kinds themselves are src/analysis/kind.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/dot.h"
#include "memtrack/kind.h"
#include "memtrack/mine.h"
#include "memtrack/pyrepr.h"
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

/* Whether type label l names `name` without (all of) its module:
 * "app.models.Response" for "Response" or "models.Response". */
static bool label_suffix(const char *l, const char *name, size_t n)
{
	size_t ln = strlen(l);
	return ln > n && l[ln - n - 1] == '.' && !strcmp(l + ln - n, name);
}

/* The type label `name` stands for in the dump: itself when a type has
 * that label, else the one label that ends in "." + name; MT_RANGE at pos
 * when several do (naming them) or, when strict, none does (else name).
 * A session with other dumps (h0...) looks in them when its own dump has
 * no such type (a class gone since: h0 & hp.Type('Old')). */
static mt_status resolve_in(const mt_graph *g, const char *name, bool strict,
			    uint32_t pos, const char **out, mt_err *err);

static mt_status resolve_type(mt_query *q, const char *name, bool strict,
			      uint32_t pos, const char **out, mt_err *err)
{
	mt_status st = resolve_in(q->g, name, true, pos, out, err);
	for (size_t i = 0; *out == NULL && i < q->ndumps; i++)
		st = resolve_in(q->dumps[i].q->g, name, true, pos, out, err);
	if (*out) /* found, or ambiguous */
		return st;
	if (!strict) {
		*out = name;
		return MT_OK;
	}
	return resolve_in(q->g, name, true, pos, out, err); /* its message */
}

/* *out is NULL when strict and no type matches (MT_RANGE). */
static mt_status resolve_in(const mt_graph *g, const char *name, bool strict,
			    uint32_t pos, const char **out, mt_err *err)
{
	enum { SHOW = 6 };
	const char *found[SHOW];
	size_t nfound = 0, n = strlen(name);
	uint32_t count = mt_graph_count(g);
	*out = name;
	for (uint32_t id = 0; id < count; id++) {
		mt_value v;
		mt_graph_value(g, id, &v);
		if (v.kind != MT_VAL_QUALNAME)
			continue;
		const char *l = mt_graph_type_label(g, id);
		if (!strcmp(l, name))
			return MT_OK;
		if (!label_suffix(l, name, n))
			continue;
		size_t j = 0;
		while (j < nfound && j < SHOW && strcmp(found[j], l))
			j++;
		if (j == nfound || j == SHOW) {
			if (nfound < SHOW)
				found[nfound] = l;
			nfound++;
		}
	}
	if (nfound == 1) {
		*out = found[0];
		return MT_OK;
	}
	if (nfound == 0 && !strict)
		return MT_OK;
	if (nfound == 0) {
		*out = NULL;
		return qerr(err, MT_RANGE, pos,
			    "no type is named '%s' in this dump (names as "
			    "bytype prints them: 'dict', '__main__.Node')",
			    name);
	}
	char list[200];
	size_t k = 0;
	list[0] = '\0';
	for (size_t j = 0; j < nfound && j < SHOW && k < sizeof list; j++)
		k += (size_t)snprintf(list + k, sizeof list - k, "%s'%s'",
				      j ? ", " : "", found[j]);
	return qerr(err, MT_RANGE, pos,
		    "hp.Type('%s') is ambiguous: %s%s; name the module", name,
		    list, nfound > SHOW ? ", ..." : "");
}

/* Type('dict'), Type('__main__.Node'); Type('Node') is any module's Node
 * when one module has it (its expression then names the module). */
mt_status q_hp_type(mt_query *q, q_args *a, val *out, mt_err *err)
{
	mt_kind *k = NULL;
	const char *label;
	mt_status st = want(a, 0, V_STR, "a str", "Type", err);
	if (st ||
	    (st = resolve_type(q, a->v[0].s, true, a->apos[0], &label, err)))
		return st;
	st = mt_kind_type(&k, label, err);
	if ((st = kind_result(out, st, k, a->apos[0], err)) ||
	    label == a->v[0].s)
		return st;
	mt_strbuf t;
	mt_strbuf_init(&t);
	mt_strbuf_add(&t, "hp.Type(", 8);
	mt_pyrepr_str(&t, label, strlen(label));
	mt_strbuf_addc(&t, ')', 1);
	st = t.nomem ? q_nomem(err) : val_expr(out, P_POSTFIX, err, "%s", t.s);
	mt_strbuf_destroy(&t);
	if (st)
		val_drop(out);
	return st;
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

/* hp.Prod(), hp.Prod('prefix'), hp.Prod(file or None, line or None):
 * heapy's producer kinds (kind.h mt_kind_prod). */
mt_status q_hp_prod(mt_query *q, q_args *a, val *out, mt_err *err)
{
	(void)q;
	mt_kind *k = NULL, *alt = NULL;
	mt_status st;
	if (a->n == 0) {
		st = mt_kind_prod_unknown(&k, err);
		return kind_result(out, st, k, a->pos, err);
	}
	if (a->n == 1) {
		if ((st = want(a, 0, V_STR, "a str", "Prod", err)))
			return st;
		st = mt_kind_prod(&k, a->v[0].s, MT_KIND_NOLINE, err);
		if (st == MT_OK) {
			st = mt_kind_alt(&alt, k, "<", err);
			mt_kind_unref(k);
		}
		return kind_result(out, st, alt, a->apos[0], err);
	}
	if (a->v[0].k != V_NONE && a->v[0].k != V_STR)
		return want(a, 0, V_STR, "a str or None", "Prod", err);
	if (a->v[1].k != V_NONE && a->v[1].k != V_INT)
		return want(a, 1, V_INT, "an int or None", "Prod", err);
	if (a->v[1].k == V_INT && a->v[1].i < 0)
		return qerr(err, MT_RANGE, a->apos[1],
			    "Prod() line must not be negative");
	st = mt_kind_prod(
	    &k, a->v[0].k == V_STR ? a->v[0].s : NULL,
	    a->v[1].k == V_INT ? (uint64_t)a->v[1].i : MT_KIND_NOLINE, err);
	return kind_result(out, st, k, a->apos[0], err);
}

/* out's expression hp.Clodo('label') / hp.Clodo(dictof='label') when a
 * name without its module was resolved. */
static mt_status clodo_expr(val *out, bool dictof, const char *label,
			    mt_err *err)
{
	mt_strbuf t;
	mt_strbuf_init(&t);
	mt_strbuf_add(&t, "hp.Clodo(", 9);
	if (dictof)
		mt_strbuf_add(&t, "dictof=", 7);
	mt_pyrepr_str(&t, label, strlen(label));
	mt_strbuf_addc(&t, ')', 1);
	mt_status st = t.nomem ? q_nomem(err)
			       : val_expr(out, P_POSTFIX, err, "%s", t.s);
	mt_strbuf_destroy(&t);
	if (st)
		val_drop(out);
	return st;
}

/* Clodo('name'), Clodo(dictof='owner'), Clodo(dictof=<kind>); a class
 * name without its module ('Node', 'dict of Node', dictof='Node') is the
 * one module's class, as for Type(). */
mt_status q_hp_clodo(mt_query *q, q_args *a, val *out, mt_err *err)
{
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
	bool dictof = a->names[0] != NULL;
	const char *s = a->v[0].s, *name = s, *label;
	if (!dictof && !strncmp(s, "dict of ", 8))
		name = s + 8;
	if (!*name || !strcmp(s, "dict (no owner)"))
		label = name;
	else if ((st = resolve_type(q, name, false, a->apos[0], &label, err)))
		return st;
	char *full = NULL;
	if (label == name)
		label = s;    /* as given */
	else if (name != s) { /* "dict of " + the class */
		if (!(full = malloc(strlen(label) + 9)))
			return q_nomem(err);
		strcpy(full, "dict of ");
		strcat(full, label);
		label = full;
	}
	st = dictof ? mt_kind_clodo_dictof(&k, label, err)
		    : mt_kind_clodo(&k, label, err);
	st = kind_result(out, st, k, a->apos[0], err);
	if (!st && strcmp(label, s))
		st = clodo_expr(out, dictof, label, err);
	free(full);
	return st;
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

mt_status q_hp_mine(mt_query *q, q_args *a, val *out, mt_err *err)
{
	mt_set *s;
	mt_status st = q_mine(q, a->pos, &s, err);
	if (st)
		return st;
	val_set(out, mt_set_ref(s), "clodo");
	if ((st = val_expr(out, P_POSTFIX, err, "hp.Mine")))
		val_drop(out);
	return st;
}

/* hp.Marked: the objects that existed at memtrack.mark() (so h -
 * hp.Marked is what is new since the mark). */
mt_status q_hp_marked(mt_query *q, q_args *a, val *out, mt_err *err)
{
	mt_set *s;
	mt_status st = q_marked(q, a->pos, &s, err);
	if (st)
		return st;
	val_set(out, mt_set_ref(s), "clodo");
	if ((st = val_expr(out, P_POSTFIX, err, "hp.Marked")))
		val_drop(out);
	return st;
}

/* hp.Leaks: memlab's leak candidates of three dumps (h0 = A, h1 = B,
 * h = C): the objects of C alive in B but not in A. */
mt_status q_hp_leaks(mt_query *q, q_args *a, val *out, mt_err *err)
{
	mt_set *s;
	mt_status st = q_leaks(q, a->pos, &s, err);
	if (st)
		return st;
	val_set(out, s, "clodo");
	if ((st = val_expr(out, P_POSTFIX, err, "hp.Leaks")))
		val_drop(out);
	return st;
}

/* Owned('app*'), Owned(module='app*'), Owned(file='/srv/app/x*'): what
 * the modules so named own (mine.h). */
mt_status q_hp_owned(mt_query *q, q_args *a, val *out, mt_err *err)
{
	mt_mine_filter f = {0};
	for (size_t i = 0; i < a->n; i++) {
		const char *nm = a->names[i] ? a->names[i] : i ? "" : "module";
		const char **slot = !strcmp(nm, "module") ? &f.module
				    : !strcmp(nm, "file") ? &f.file
							  : NULL;
		if (!slot || *slot)
			return qerr(err, MT_TYPE, a->apos[i],
				    "Owned() takes module='glob' and/or "
				    "file='glob'");
		mt_status st = want(a, i, V_STR, "a str", "Owned", err);
		if (st)
			return st;
		*slot = a->v[i].s;
	}
	if (!f.module && !f.file)
		return qerr(err, MT_TYPE, a->pos,
			    "Owned() needs module='glob' or file='glob' "
			    "(hp.Mine is the program's objects)");
	mt_set *s;
	mt_status st = mt_mine_set(q->ctx, &f, &s, err);
	if (st)
		return st == MT_NOMEM
			   ? st
			   : qerr(err, st, a->pos, "%s", err->detail);
	return val_set(out, s, "clodo");
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
	if (!strcmp(nm, "max") && v->k == V_INT && v->i > 0 && v->i <= 1000000)
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
	mt_query *sq = q;
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
			sq = q_sess(q, &a->v[i]); /* the set's dump */
		}
	}
	if (!s)
		return qerr(err, MT_TYPE, a->pos, "dot() needs a set");
	mt_strbuf b;
	mt_strbuf_init(&b);
	st = mt_dot_format(sq->g, s, &o, &b, err);
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
