/* Attributes and calls of the query language (query.h, doc/query.md).
 *
 * Owns the tables of what each value offers: sets (`byX` views, `count`,
 * `size`, navigation, dominance, paths, `more`/`all` paging), the `hp`
 * namespace (kind constructors, `heap()`, `dot()`), kinds (`alt`,
 * `dictof`), and the per-session caches the heavy ones need (the dominator
 * tree and the dominance helper, built on first use).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/dominance.h"
#include "memtrack/dot.h"
#include "memtrack/idtable.h"
#include "memtrack/kind.h"
#include "memtrack/navigate.h"
#include "memtrack/paths.h"
#include "memtrack/refpat.h"
#include "memtrack/table.h"
#include "qval.h"

void q_free_extra(mt_query *q)
{
	mt_dominance_free(q->dominance);
	q->dominance = NULL;
	mt_domtree_free(q->dom);
	q->dom = NULL;
}

mt_status q_domtree(mt_query *q, mt_domtree **out, mt_err *err)
{
	if (!q->dom) {
		mt_status st = mt_domtree_build(&q->dom, q->g, NULL, NULL, err);
		if (st)
			return st;
	}
	*out = q->dom;
	return MT_OK;
}

static mt_status dominance(mt_query *q, mt_dominance **out, mt_err *err)
{
	if (!q->dominance) {
		mt_domtree *t;
		mt_status st = q_domtree(q, &t, err);
		if (st || (st = mt_dominance_new(&q->dominance, q->g, t, err)))
			return st;
	}
	*out = q->dominance;
	return MT_OK;
}

mt_status q_classifier_make(mt_query *q, const char *er, mt_classifier **out,
			    uint32_t pos, mt_err *err)
{
	mt_status st = mt_classifier_new_named(out, q->g, er, err);
	if (st == MT_ARG)
		return qerr(err, MT_TYPE, pos, "unknown classifier '%s'", er);
	return st;
}

mt_status q_idrows(mt_query *q, const val *v, long lo, long hi, uint32_t pos,
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

static mt_status text_result(val *out, mt_strbuf *b, mt_status st,
			     mt_err *err)
{
	if (!st)
		st = b->nomem ? mt_err_set(err, MT_NOMEM, MT_NO_OFFSET,
					   MT_NO_OFFSET, NULL)
			      : val_text(out, V_TEXT, b->s ? b->s : "", b->len,
					 err);
	mt_strbuf_destroy(b);
	return st;
}

typedef mt_status (*paths_fn)(mt_paths **, const mt_graph *, const mt_set *,
			      mt_err *);

static mt_status paths_text(mt_query *q, paths_fn fn, const mt_set *s,
			    val *out, mt_err *err)
{
	mt_paths *p;
	mt_strbuf b;
	mt_strbuf_init(&b);
	mt_status st = fn(&p, q->g, s, err);
	if (!st) {
		st = mt_paths_format(p, 0, 10, &b, NULL, err);
		mt_paths_free(p);
	}
	return text_result(out, &b, st, err);
}

static mt_status method(val *out, const char *name, const val *self,
			mt_err *err)
{
	memset(out, 0, sizeof *out);
	out->k = V_METHOD;
	out->method = name;
	if (self) {
		out->self = malloc(sizeof *out->self);
		if (!out->self)
			return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET,
					  MT_NO_OFFSET, NULL);
		mt_status st = val_copy(out->self, self, err);
		if (st) {
			free(out->self);
			out->self = NULL;
			return st;
		}
	}
	return MT_OK;
}

/* Set obj shown by classifier `name` (any spelling: `byType`, by('Type')),
 * labelled with the classifier's canonical key; "id" is the identity
 * table. */
static mt_status by_classifier(mt_query *q, const val *obj, const char *name,
			       uint32_t pos, val *out, mt_err *err)
{
	char key[48];
	mt_status st = q_classifier_key(name, key, pos, err);
	if (st)
		return st;
	if (strcmp(key, "id")) {
		qcls *c; /* made now so an unknown name fails here */
		if ((st = q_classifier(q, key, &c, pos, err)))
			return st;
		q_classifier_unref(c);
	}
	return val_set(out, mt_set_ref(obj->set), key);
}

static mt_status set_attr(mt_query *q, const mt_qnode *n, const val *obj,
			  val *out, mt_err *err)
{
	const char *a = n->name;
	const mt_graph *g = q->g;
	mt_set *s = NULL;
	mt_status st;

	if (!strncmp(a, "by", 2) && a[2])
		return by_classifier(q, obj, a + 2, n->oppos, out, err);
	if (!strcmp(a, "by"))
		return method(out, "by", obj, err);
	if (!strcmp(a, "count")) {
		out->k = V_INT;
		out->i = (int64_t)mt_set_count(obj->set);
		return MT_OK;
	}
	if (!strcmp(a, "size")) {
		out->k = V_INT;
		out->i = (int64_t)mt_set_size(obj->set, g);
		return MT_OK;
	}
	if (!strcmp(a, "more") || !strcmp(a, "all")) {
		if ((st = val_copy(out, obj, err)))
			return st;
		if (a[0] == 'a') {
			out->page = 0;
			out->all = true;
		} else {
			size_t next = obj->next != SIZE_MAX ? obj->next
							    : obj->page + MT_TABLE_PAGE;
			size_t rows = 0;
			if ((st = q_nrows(q, obj, n->oppos, &rows, err))) {
				val_drop(out);
				return st;
			}
			if (next >= rows) {
				val_drop(out);
				return qerr(err, MT_RANGE, n->oppos,
					    "no more rows: all %zu were shown",
					    rows);
			}
			out->page = next;
			out->all = false;
		}
		out->next = SIZE_MAX;
		return MT_OK;
	}
	if (!strcmp(a, "theone")) {
		if (mt_set_count(obj->set) != 1)
			return qerr(err, MT_RANGE, n->oppos,
				    "theone needs a set of exactly one object, "
				    "this one has %zu",
				    mt_set_count(obj->set));
		val_set(out, mt_set_ref(obj->set), "id");
		return MT_OK;
	}
	if (!strcmp(a, "referrers") || !strcmp(a, "referents")) {
		st = !strcmp(a, "referrers")
			 ? mt_nav_referrers(g, obj->set, &s, err)
				 : mt_nav_referents(g, obj->set, &s, err);
		if (!st)
			val_set(out, s, "clodo");
		return st;
	}
	if (!strcmp(a, "domisize") || !strcmp(a, "dominos") ||
	    !strcmp(a, "imdom")) {
		mt_dominance *d;
		if ((st = dominance(q, &d, err)))
			return st;
		if (!strcmp(a, "domisize")) {
			uint64_t size;
			if ((st = mt_dominance_domisize(d, obj->set, &size, err)))
				return st;
			out->k = V_INT;
			out->i = (int64_t)size;
			return MT_OK;
		}
		st = !strcmp(a, "imdom")
			 ? mt_dominance_imdom(d, obj->set, &s, err)
				 : mt_dominance_dominos(d, obj->set, &s, err);
		if (!st)
			val_set(out, s, "clodo");
		return st;
	}
	if (!strcmp(a, "sp"))
		return paths_text(q, mt_paths_sp, obj->set, out, err);
	if (!strcmp(a, "pathsin"))
		return paths_text(q, mt_paths_in, obj->set, out, err);
	if (!strcmp(a, "pathsout"))
		return paths_text(q, mt_paths_out, obj->set, out, err);
	if (!strcmp(a, "rp")) {
		qcls *c;
		mt_refpat *rp;
		mt_strbuf b;
		mt_strbuf_init(&b);
		if ((st = q_classifier(q, "clodo", &c, n->oppos, err)))
			return st;
		if (!(st = mt_refpat_new(&rp, g, c->c, obj->set, 7, err))) {
			st = mt_refpat_format(rp, 0, true, &b, NULL, err);
			mt_refpat_free(rp);
		}
		q_classifier_unref(c);
		return text_result(out, &b, st, err);
	}
	if (!strcmp(a, "dot")) {
		mt_strbuf b;
		mt_strbuf_init(&b);
		mt_dot_opts o = {0};
		st = mt_dot_format(g, obj->set, &o, &b, err);
		return text_result(out, &b, st, err);
	}
	return qerr(err, MT_TYPE, n->oppos,
		    "a set has no attribute '%s' (see doc/query.md)", a);
}

static mt_status hp_attr(mt_query *q, const mt_qnode *n, val *out,
			 mt_err *err)
{
	static const char *const ctors[] = {"Type",   "Clodo", "Size", "Via",
					    "Rcs",    "Module", "Id",  "heap",
					    "dot"};
	const char *a = n->name;
	for (size_t i = 0; i < sizeof ctors / sizeof ctors[0]; i++)
		if (!strcmp(a, ctors[i]))
			return method(out, ctors[i], NULL, err);
	mt_kind *k;
	mt_status st;
	if (!strcmp(a, "Anything"))
		st = mt_kind_anything(&k, err);
	else if (!strcmp(a, "Nothing"))
		st = mt_kind_nothing(&k, err);
	else
		return qerr(err, MT_TYPE, n->oppos,
			    "hp has no attribute '%s' (try Type, Clodo, Size, "
			    "Via, Rcs, Module, Id, Anything, Nothing, heap, "
			    "dot)",
			    a);
	if (st)
		return st;
	memset(out, 0, sizeof *out);
	out->k = V_KIND;
	out->kind = k;
	return MT_OK;
}

static mt_status kind_attr(mt_query *q, const mt_qnode *n, const val *obj,
			   val *out, mt_err *err)
{
	const char *a = n->name;
	if (!strcmp(a, "alt"))
		return method(out, "alt", obj, err);
	if (!strcmp(a, "dictof")) {
		mt_kind *k;
		mt_status st = mt_kind_dictof(&k, obj->kind, err);
		if (st)
			return qerr(err, st, n->oppos, "%s", err->detail);
		memset(out, 0, sizeof *out);
		out->k = V_KIND;
		out->kind = k;
		return MT_OK;
	}
	return qerr(err, MT_TYPE, n->oppos,
		    "a kind has no attribute '%s' (try alt, dictof)", a);
}

mt_status q_attr(mt_query *q, const mt_qnode *n, const val *obj, val *out,
		 mt_err *err)
{
	memset(out, 0, sizeof *out);
	switch (obj->k) {
	case V_SET:
		return set_attr(q, n, obj, out, err);
	case V_HP:
		return hp_attr(q, n, out, err);
	case V_KIND:
		return kind_attr(q, n, obj, out, err);
	default:
		return qerr(err, MT_TYPE, n->oppos, "a %s has no attribute '%s'",
			    val_type_name(obj), n->name);
	}
}

/* ---- calls ------------------------------------------------------------- */

typedef struct args {
	val v[16];
	const char *names[16];
	uint32_t pos[16];
	size_t n;
} args;

static void args_drop(args *a)
{
	for (size_t i = 0; i < a->n; i++)
		val_drop(&a->v[i]);
}

static mt_status want(const args *a, size_t i, vkind k, const char *what,
		      const char *fn, mt_err *err)
{
	if (a->v[i].k != k)
		return qerr(err, MT_TYPE, a->pos[i],
			    "%s() argument %zu must be %s, not %s", fn, i + 1,
			    what, val_type_name(&a->v[i]));
	return MT_OK;
}

static mt_status nargs(const args *a, size_t lo, size_t hi, const char *fn,
		       uint32_t pos, mt_err *err)
{
	if (a->n < lo || a->n > hi) {
		if (lo == hi)
			return qerr(err, MT_TYPE, pos,
				    "%s() takes %zu argument%s, %zu given", fn,
				    lo, lo == 1 ? "" : "s", a->n);
		return qerr(err, MT_TYPE, pos,
			    "%s() takes %zu to %zu arguments, %zu given", fn,
			    lo, hi, a->n);
	}
	for (size_t i = 0; i < a->n; i++)
		if (a->names[i] && strcmp(fn, "dot") && strcmp(fn, "Clodo"))
			return qerr(err, MT_TYPE, a->pos[i],
				    "%s() takes no keyword arguments", fn);
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

static mt_status call_ctor(mt_query *q, const char *fn, args *a, uint32_t pos,
			   val *out, mt_err *err)
{
	mt_kind *k = NULL;
	mt_status st;
	if (!strcmp(fn, "heap")) {
		if ((st = nargs(a, 0, 0, fn, pos, err)))
			return st;
		return val_set(out, mt_set_ref(q->all), "clodo");
	}
	if (!strcmp(fn, "Type") || !strcmp(fn, "Module")) {
		if ((st = nargs(a, 1, 1, fn, pos, err)) ||
		    (st = want(a, 0, V_STR, "a str", fn, err)))
			return st;
		st = fn[0] == 'T' ? mt_kind_type(&k, a->v[0].s, err)
				  : mt_kind_module(&k, a->v[0].s, err);
		return kind_result(out, st, k, a->pos[0], err);
	}
	if (!strcmp(fn, "Clodo")) {
		if ((st = nargs(a, 1, 1, fn, pos, err)))
			return st;
		if (a->names[0] && strcmp(a->names[0], "dictof"))
			return qerr(err, MT_TYPE, a->pos[0],
				    "Clodo() has no argument '%s' (dictof=)",
				    a->names[0]);
		if (a->v[0].k == V_KIND && a->names[0]) {
			/* Clodo(dictof=hp.Nothing) etc. */
			st = mt_kind_dictof(&k, a->v[0].kind, err);
			return kind_result(out, st, k, a->pos[0], err);
		}
		if ((st = want(a, 0, V_STR, "a str", fn, err)))
			return st;
		st = a->names[0] ? mt_kind_clodo_dictof(&k, a->v[0].s, err)
				 : mt_kind_clodo(&k, a->v[0].s, err);
		return kind_result(out, st, k, a->pos[0], err);
	}
	if (!strcmp(fn, "Size") || !strcmp(fn, "Id")) {
		if ((st = nargs(a, 1, 1, fn, pos, err)) ||
		    (st = want(a, 0, V_INT, "an int", fn, err)))
			return st;
		if (a->v[0].i < 0)
			return qerr(err, MT_RANGE, a->pos[0],
				    "%s() needs a non-negative int", fn);
		st = fn[0] == 'S' ? mt_kind_size(&k, (uint64_t)a->v[0].i, err)
				  : mt_kind_id(&k, (uint64_t)a->v[0].i, err);
		return kind_result(out, st, k, a->pos[0], err);
	}
	if (!strcmp(fn, "Via") || !strcmp(fn, "Rcs")) {
		const char *strs[16];
		if ((st = nargs(a, 0, 16, fn, pos, err)))
			return st;
		for (size_t i = 0; i < a->n; i++) {
			if ((st = want(a, i, V_STR, "a str", fn, err)))
				return st;
			strs[i] = a->v[i].s;
		}
		st = fn[0] == 'V' ? mt_kind_via(&k, strs, a->n, err)
				  : mt_kind_rcs(&k, strs, a->n, err);
		return kind_result(out, st, k, pos, err);
	}
	if (!strcmp(fn, "dot")) {
		mt_dot_opts o = {0};
		const mt_set *s = NULL;
		for (size_t i = 0; i < a->n; i++) {
			const char *nm = a->names[i];
			if (!nm) {
				if (i || a->v[i].k != V_SET)
					return qerr(err, MT_TYPE, a->pos[i],
						    "dot() takes a set, then "
						    "max=, referrers=, "
						    "referents=");
				s = a->v[i].set;
			} else if (!strcmp(nm, "max") && a->v[i].k == V_INT &&
				   a->v[i].i > 0 && a->v[i].i <= 1000000) {
				o.max_nodes = (unsigned)a->v[i].i;
			} else if (!strcmp(nm, "referrers") &&
				   a->v[i].k == V_BOOL) {
				o.referrers = a->v[i].i;
			} else if (!strcmp(nm, "referents") &&
				   a->v[i].k == V_BOOL) {
				o.referents = a->v[i].i;
			} else {
				return qerr(err, MT_TYPE, a->pos[i],
					    "dot(): bad argument '%s' (max=N, "
					    "referrers=True/False, "
					    "referents=True/False)",
					    nm);
			}
		}
		if (!s)
			return qerr(err, MT_TYPE, pos, "dot() needs a set");
		mt_strbuf b;
		mt_strbuf_init(&b);
		st = mt_dot_format(q->g, s, &o, &b, err);
		return text_result(out, &b, st, err);
	}
	return qerr(err, MT_TYPE, pos, "unknown function %s()", fn);
}

mt_status q_call(mt_query *q, const mt_qnode *n, const val *fn, val *out,
		 mt_err *err)
{
	args a = {.n = 0};
	mt_status st = MT_OK;
	if (n->nargs > 16)
		return qerr(err, MT_TYPE, n->oppos, "too many arguments");
	for (size_t i = 0; i < n->nargs && !st; i++) {
		st = q_eval_node(q, n->args[i], &a.v[i], err);
		if (!st) {
			a.names[i] = n->argnames[i];
			a.pos[i] = n->args[i]->pos;
			a.n++;
		}
	}
	if (st) {
		args_drop(&a);
		return st;
	}
	memset(out, 0, sizeof *out);
	const val *self = fn->self;
	if (!self) {
		st = call_ctor(q, fn->method, &a, n->oppos, out, err);
	} else if (!strcmp(fn->method, "by")) {
		if (!(st = nargs(&a, 1, 1, "by", n->oppos, err)) &&
		    !(st = want(&a, 0, V_STR, "a str", "by", err)))
			st = by_classifier(q, self, a.v[0].s, a.pos[0], out,
					   err);
	} else if (!strcmp(fn->method, "alt")) {
		if (!(st = nargs(&a, 1, 1, "alt", n->oppos, err)) &&
		    !(st = want(&a, 0, V_STR, "a str", "alt", err))) {
			mt_kind *k;
			st = mt_kind_alt(&k, self->kind, a.v[0].s, err);
			if (st == MT_ARG)
				st = qerr(err, MT_ARG, a.pos[0],
					  "alt() takes '<', '<=', '>=', '>' or "
					  "'!=', not '%s'",
					  a.v[0].s);
			else
				st = kind_result(out, st, k, a.pos[0], err);
		}
	} else {
		st = qerr(err, MT_TYPE, n->oppos, "unknown method %s()",
			  fn->method);
	}
	args_drop(&a);
	return st;
}
