/* The attribute and method table of the query language (qval.h q_def).
 *
 * One row per attribute or method: its name, what it applies to (a set,
 * a kind, the hp namespace), its arity, its arguments and one line of help
 * for mt_query_help and Tab completion (complete.c), and the function that
 * evaluates it (attrs.c for sets, ctors.c for hp and kinds).  Attribute
 * access and calls are lookups in this table; `.byX` comes from the
 * classifier table (classifier.h).  doc/hacking.md "Add a query attribute"
 * walks through adding a row.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qval.h"

#define ATTR -1, 0, false, NULL

const q_def q_defs[] = {
    /* sets: h.count, h.by('type&size') */
    {"by", Q_ON_SET, 1, 1, false, "'classifier'",
     "the set shown by a classifier named at run time: by('type&size')",
     q_set_by},
    {"count", Q_ON_SET, ATTR, "the number of objects", q_set_count},
    {"size", Q_ON_SET, ATTR, "the total size in bytes", q_set_size},
    {"more", Q_ON_SET | Q_ON_TEXT, ATTR,
     "the next page of the table, paths or pattern (_.more)", q_set_more},
    {"all", Q_ON_SET | Q_ON_TEXT, ATTR,
     "the table, paths or pattern with every row", q_set_all},
    {"theone", Q_ON_SET, ATTR,
     "the one object of a one-object set, as an identity table", q_set_theone},
    {"referrers", Q_ON_SET, ATTR, "the objects that refer to the set",
     q_set_referrers},
    {"referents", Q_ON_SET, ATTR, "the objects the set refers to",
     q_set_referents},
    {"domisize", Q_ON_SET, ATTR,
     "bytes freed if the set were freed (dominated size)", q_set_domisize},
    {"dominos", Q_ON_SET, ATTR, "the objects the set dominates", q_set_dominos},
    {"imdom", Q_ON_SET, ATTR, "the immediate dominators of the set",
     q_set_imdom},
    {"sp", Q_ON_SET, ATTR, "shortest paths from the roots", q_set_sp},
    {"paths", Q_ON_SET, ATTR,
     "shortest paths from the roots, grouped and named as code", q_set_paths},
    {"pathsin", Q_ON_SET, ATTR, "the references into the set", q_set_pathsin},
    {"pathsout", Q_ON_SET, ATTR, "the references out of the set",
     q_set_pathsout},
    {"rp", Q_ON_SET, ATTR, "the reference pattern (referrers' tree)", q_set_rp},
    {"dot", Q_ON_SET, ATTR, "the set as a Graphviz graph", q_set_dot},
    {"mine", Q_ON_SET, ATTR, "the members the program owns (s & hp.Mine)",
     q_set_mine},
    {"marked", Q_ON_SET, ATTR,
     "the members that existed at memtrack.mark() (s & hp.Marked)",
     q_set_marked},
    {"diff", Q_ON_SET, 1, 1, false, "set",
     "heapy's difference table, s (A) against set (B, may be h0)", q_set_diff},
    /* hp: kind constructors and functions */
    {"Type", Q_ON_HP, 1, 1, false, "'name'", "objects of that type", q_hp_type},
    {"Clodo", Q_ON_HP, 1, 1, true, "'name' | dictof='owner'",
     "objects of that class, or dicts owned by one", q_hp_clodo},
    {"Size", Q_ON_HP, 1, 1, false, "bytes", "objects of that size", q_hp_size},
    {"Via", Q_ON_HP, 0, Q_MAXARGS, false, "'rel', ...",
     "objects referred to via those relations ('.name', '[0]')", q_hp_via},
    {"Rcs", Q_ON_HP, 0, Q_MAXARGS, false, "'kind', ...",
     "objects whose referrers are of those kinds", q_hp_rcs},
    {"Module", Q_ON_HP, 1, 1, false, "'name'", "the module of that name",
     q_hp_module},
    {"Prod", Q_ON_HP, 0, 2, false, "['file' [, line]]",
     "objects allocated there (tracemalloc): () unknown, ('prefix') "
     "files under it, ('file', line) that line",
     q_hp_prod},
    {"Id", Q_ON_HP, 1, 1, false, "address", "the object at that address",
     q_hp_id},
    {"Anything", Q_ON_HP, ATTR, "the kind of every object", q_hp_anything},
    {"Nothing", Q_ON_HP, ATTR, "the kind of no object", q_hp_nothing},
    {"Mine", Q_ON_HP, ATTR,
     "the program's objects: not the interpreter's or library's", q_hp_mine},
    {"Owned", Q_ON_HP, 1, 2, true, "module='glob', file='glob'",
     "the objects the modules so named own", q_hp_owned},
    {"Marked", Q_ON_HP, ATTR,
     "the objects that existed at memtrack.mark(): h - hp.Marked is new",
     q_hp_marked},
    {"Leaks", Q_ON_HP, ATTR,
     "three dumps: objects of h alive in h1 but not in h0 (memlab)",
     q_hp_leaks},
    {"heap", Q_ON_HP, 0, 0, false, "", "the whole heap (as h)", q_hp_heap},
    {"dot", Q_ON_HP, 1, 4, true, "set, max=N, referrers=B, referents=B",
     "a set as a Graphviz graph, with options", q_hp_dot},
    /* kinds: hp.Size(64).alt('>') */
    {"alt", Q_ON_KIND, 1, 1, false, "'<' | '<=' | '>=' | '>' | '!='",
     "the kind of objects comparing so (sizes, ids)", q_kind_alt},
    {"dictof", Q_ON_KIND, ATTR, "the dicts owned by objects of the kind",
     q_kind_dictof},
};
const size_t q_ndefs = sizeof q_defs / sizeof q_defs[0];

static const q_def *find(unsigned on, const char *name)
{
	for (size_t i = 0; i < q_ndefs; i++)
		if ((q_defs[i].on & on) && !strcmp(q_defs[i].name, name))
			return &q_defs[i];
	return NULL;
}

static unsigned applies_to(const val *obj)
{
	return obj->k == V_SET	  ? Q_ON_SET
	       : obj->k == V_KIND ? Q_ON_KIND
	       : obj->k == V_HP	  ? Q_ON_HP
	       : obj->k == V_TEXT ? Q_ON_TEXT
				  : 0;
}

/* The names of the rows of `on`, for an error message. */
static void names_of(unsigned on, char *buf, size_t n)
{
	size_t k = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < q_ndefs && k < n; i++)
		if (q_defs[i].on & on)
			k += (size_t)snprintf(buf + k, n - k, "%s%s",
					      k ? ", " : "", q_defs[i].name);
}

static mt_status no_attr(const val *obj, const char *name, uint32_t pos,
			 mt_err *err)
{
	unsigned on = applies_to(obj);
	char names[160];
	if (on == Q_ON_SET)
		return qerr(err, MT_TYPE, pos,
			    "a set has no attribute '%s' (see doc/query.md)",
			    name);
	if (!on)
		return qerr(err, MT_TYPE, pos, "a %s has no attribute '%s'",
			    val_type_name(obj), name);
	names_of(on, names, sizeof names);
	return qerr(err, MT_TYPE, pos, "%s has no attribute '%s' (try %s)",
		    on == Q_ON_HP     ? "hp"
		    : on == Q_ON_TEXT ? "a text"
				      : "a kind",
		    name, names);
}

mt_status q_attr(mt_query *q, const char *name, uint32_t pos, const val *obj,
		 val *out, mt_err *err)
{
	memset(out, 0, sizeof *out);
	unsigned on = applies_to(obj);
	const q_def *d = on ? find(on, name) : NULL;
	if (!d) {
		if (on == Q_ON_SET && !strncmp(name, "by", 2) && name[2])
			return q_by(q_sess(q, obj), obj, name + 2, pos, out,
				    err);
		return no_attr(obj, name, pos, err);
	}
	const val *self = on == Q_ON_HP ? NULL : obj;
	if (d->min_args < 0) {
		/* computed by the session of the object's dump; the result
		 * is of that dump too */
		q_args a = {.top = q, .self = self, .pos = pos};
		mt_status st = d->fn(self ? q_sess(q, self) : q, &a, out, err);
		if (!st && self)
			out->of = self->of;
		return st;
	}
	out->k = V_METHOD;
	out->def = d;
	if (!self)
		return MT_OK;
	if (!(out->self = malloc(sizeof *out->self)))
		return q_nomem(err);
	mt_status st = val_copy(out->self, self, err);
	if (st) {
		free(out->self);
		out->self = NULL;
	}
	return st;
}

static mt_status check_args(const q_def *d, const q_args *a, mt_err *err)
{
	size_t lo = (size_t)d->min_args, hi = (size_t)d->max_args;
	const char *fn = d->name;
	if (a->n < lo || a->n > hi) {
		if (lo == hi)
			return qerr(err, MT_TYPE, a->pos,
				    "%s() takes %zu argument%s, %zu given", fn,
				    lo, lo == 1 ? "" : "s", a->n);
		return qerr(err, MT_TYPE, a->pos,
			    "%s() takes %zu to %zu arguments, %zu given", fn,
			    lo, hi, a->n);
	}
	for (size_t i = 0; i < a->n && !d->keywords; i++)
		if (a->names[i])
			return qerr(err, MT_TYPE, a->apos[i],
				    "%s() takes no keyword arguments", fn);
	return MT_OK;
}

/* out's expression when the row did not set one: fn(args). */
static mt_status call_expr(const val *fn, const q_args *a, val *out,
			   mt_err *err)
{
	mt_strbuf t;
	mt_strbuf_init(&t);
	mt_strbuf_printf(&t, "%s(", fn->expr ? fn->expr : fn->def->name);
	for (size_t i = 0; i < a->n; i++) {
		if (i)
			mt_strbuf_add(&t, ", ", 2);
		if (a->names[i])
			mt_strbuf_printf(&t, "%s=", a->names[i]);
		q_expr_operand(&t, &a->v[i], P_CMP);
	}
	mt_strbuf_add(&t, ")", 1);
	mt_status st = t.nomem ? q_nomem(err)
			       : val_expr(out, P_POSTFIX, err, "%s", t.s);
	mt_strbuf_destroy(&t);
	return st;
}

mt_status q_call(mt_query *q, const mt_qnode *n, const val *fn, val *out,
		 mt_err *err)
{
	memset(out, 0, sizeof *out);
	if (n->nargs > Q_MAXARGS)
		return qerr(err, MT_TYPE, n->oppos, "too many arguments");
	q_args *a = calloc(1, sizeof *a);
	if (!a)
		return q_nomem(err);
	a->top = q;
	a->self = fn->self;
	a->pos = n->oppos;
	mt_status st = MT_OK;
	for (size_t i = 0; i < n->nargs && !st; i++) {
		st = q_eval_node(q, n->args[i], &a->v[i], err);
		if (!st) {
			a->names[i] = n->argnames[i];
			a->apos[i] = n->args[i]->pos;
			a->n++;
		}
	}
	mt_query *sq = fn->self ? q_sess(q, fn->self) : q;
	if (!st && !(st = check_args(fn->def, a, err)) &&
	    !(st = fn->def->fn(sq, a, out, err)) && !out->expr &&
	    (st = call_expr(fn, a, out, err)))
		val_drop(out);
	if (!st && fn->self)
		out->of = fn->self->of;
	for (size_t i = 0; i < a->n; i++)
		val_drop(&a->v[i]);
	free(a);
	return st;
}
