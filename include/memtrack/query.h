/* The query language: heapy-style expressions over one loaded graph, and
 * over several when dumps are compared (mt_query_add_dump).
 *
 *   h                      the whole heap (every object of the dump)
 *   h.byrcs[0].referrers.byvia
 *   h & hp.Type('dict')    sets combined with symbolic kinds
 *   _.more                 the next page of the last table
 *   h - h0, h.diff(h0)     new objects since another dump, heapy's
 *                          difference table
 *
 * An mt_query owns the evaluation state of one session over one dump's
 * context (ctx.h): the last result `_` and named sets (the browser's
 * marks).  Everything derived from the dump -- classifiers, the set of all
 * objects, the dominator tree, dominance -- is the context's, so a front
 * end and its query session share one of each, and the context's progress
 * function reports (and cancels, MT_CANCELLED) the long ones whoever asked.
 * mt_query_run parses and evaluates one expression and renders its result
 * as the text heapy would print (partition and identity tables, numbers,
 * kinds, paths).  Every result carries the canonical text of its
 * expression, and mt_query_by / mt_query_row / mt_query_attr derive sets
 * from results without query text, so a front end never spells the
 * language itself.  The attributes, methods and classifiers come from
 * tables (src/query/table.c, classifier.h) that also drive completion and
 * mt_query_help.  The language is documented in doc/query.md.  No
 * printing, no curses.
 */
#ifndef MEMTRACK_QUERY_H
#define MEMTRACK_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "memtrack/ctx.h"
#include "memtrack/error.h"
#include "memtrack/graph.h"
#include "memtrack/partition.h"
#include "memtrack/set.h"
#include "memtrack/strbuf.h"

typedef struct mt_query mt_query;

/* A session over the dump of ctx (borrowed until mt_query_free: free the
 * session first).  Caller frees. */
mt_status mt_query_new(mt_query **out, mt_ctx *ctx, mt_err *err);
void mt_query_free(mt_query *q); /* q may be NULL */
/* The session's context (borrowed). */
mt_ctx *mt_query_ctx(const mt_query *q);

/* With on, `h` (and mt_query_heap) stands for hp.Mine, the program's
 * objects (mine.h, doc/query.md): expressions spell it `hp.Mine`, so they
 * mean the same in any session.  memtrack-tui --mine. */
void mt_query_set_mine(mt_query *q, bool on);

/* Evaluates expr and appends the rendered result to out (each line ending
 * in '\n').  The result becomes `_`.  On failure nothing is appended, `_`
 * is unchanged, and err->offset is the byte offset in expr where the
 * problem is (MT_SYNTAX for syntax, MT_TYPE for a wrong operand or unknown
 * attribute, MT_RANGE for a bad index or value, MT_CANCELLED when the
 * context's progress function cancelled a long computation). */
mt_status mt_query_run(mt_query *q, const char *expr, mt_strbuf *out,
		       mt_err *err);

/* What an expression evaluated to, for a front end that shows sets as
 * views rather than text. */
typedef enum {
	MT_QRESULT_SET = 1, /* a set of objects, shown by classifier `er` */
	MT_QRESULT_TEXT	    /* anything else, rendered as text           */
} mt_qresult_kind;

typedef struct mt_qresult {
	mt_qresult_kind kind;
	mt_set *set;  /* SET: one reference, dropped by mt_qresult_destroy */
	char er[48];  /* SET: the classifier's canonical name ("clodo",
			 "rcs", "type&size"...) or "id" for an identity
			 table */
	char *text;   /* TEXT: the rendered result, malloc'd, '\n'-ended */
	mt_query *of; /* SET: the session whose dump the set is of: NULL
			 for the session's own, else one added with
			 mt_query_add_dump (`h0`'s) */
	char *expr;   /* both: the canonical expression of the value,
			 malloc'd: `_` and computed indexes resolved,
			 classifier names canonical ("h.byrcs[0].referrers",
			 "h.by('type&size')"); evaluating it again gives the
			 same value */
} mt_qresult;

/* Like mt_query_run, but returns the value instead of its text (sets as
 * sets).  The result becomes `_`.  Caller destroys *out on MT_OK. */
mt_status mt_query_eval(mt_query *q, const char *expr, mt_qresult *out,
			mt_err *err);
void mt_qresult_destroy(mt_qresult *r);

/* Deriving sets without query text (the browser's views).  Each takes a
 * SET result `of` from mt_query_eval or from these functions (only its
 * set, er and expr are read; expr must be such a canonical expression)
 * and fills *out like mt_query_eval, expression included.  They do not change `_`.  Caller destroys *out on MT_OK.
 * Errors have no offset (MT_NO_OFFSET): there is no expression text.
 *
 *   mt_query_heap  the whole heap, shown by clodo: `h` (`hp.Mine` with
 *                  mt_query_set_mine)
 *   mt_query_object  object `id` alone, as an identity table:
 *                  `h & hp.Id(0x7f0012345678)`; MT_RANGE for a virtual
 *                  object (no address) or a bad id
 *   mt_query_by    of shown by classifier `classifier` (any spelling,
 *                  combinations "type&size", "id" for the identity
 *                  table): `of.byrcs`, `of.by('type&size')`; MT_TYPE for
 *                  an unknown classifier
 *   mt_query_row   row `row` of of's table in heapy's order (the order
 *                  of mt_query_partition's rows; objects in the identity
 *                  table's order for "id"), keeping of's classifier:
 *                  `of[3]`; MT_RANGE past the last row
 *   mt_query_attr  an attribute of the table (doc/query.md): sets
 *                  ("referrers", "referents", "dominos", "imdom",
 *                  "theone") or text ("sp", "pathsin", "rp", "dot"...):
 *                  `of.referrers`; MT_TYPE for an unknown one or a
 *                  method ("by")
 */
mt_status mt_query_heap(mt_query *q, mt_qresult *out, mt_err *err);
mt_status mt_query_object(mt_query *q, uint32_t id, mt_qresult *out,
			  mt_err *err);
mt_status mt_query_by(mt_query *q, const mt_qresult *of, const char *classifier,
		      mt_qresult *out, mt_err *err);
mt_status mt_query_row(mt_query *q, const mt_qresult *of, size_t row,
		       mt_qresult *out, mt_err *err);
/* mt_query_row's result when the caller has the row's objects already
 * (`set`, borrowed: the browser's partition view makes them from the kinds
 * it keeps): only the expression is made, `of[3]`, so no partition of of's
 * whole set is made again (two passes over it: 2 s at 80M objects).  The
 * caller vouches that set is row `row` of of's table. */
mt_status mt_query_row_given(mt_query *q, const mt_qresult *of, size_t row,
			     mt_set *set, mt_qresult *out, mt_err *err);
mt_status mt_query_attr(mt_query *q, const mt_qresult *of, const char *attr,
			mt_qresult *out, mt_err *err);
/* The partition of SET result `of` by its classifier (not "id": MT_TYPE),
 * made through the context (its progress and cancel); row i of it is
 * mt_query_row(q, of, i).  Caller frees *out. */
mt_status mt_query_partition(mt_query *q, const mt_qresult *of,
			     mt_partition **out, mt_err *err);

/* The help of the language, generated from the attribute/method table and
 * the classifier table (plugins' classifiers included): names, operators,
 * one line per `.byX`, per set attribute or method, per kind constructor;
 * '\n'-ended lines.  The query `help` evaluates to the same text.
 * MT_NOMEM when out ran out of memory. */
mt_status mt_query_help(mt_strbuf *out);

/* Tab completion of the word that ends `line` (the text left of the
 * cursor): after "hp." the constructors, after another '.' `byX` for each
 * classifier of the table and the attributes of a set and of a kind
 * (methods end in '('), else the names (h, hp, _, help, the other dumps'
 * h0 h1..., marks).  Returns the
 * i-th candidate whose start matches (malloc'd, the whole word), or NULL
 * past the last. */
char *mt_query_complete(const mt_query *q, const char *line, int i);

/* The three-line form of a query error: the expression, a caret under the
 * offending position, and "error: <reason>". */
void mt_query_error_text(const char *expr, const mt_err *err, mt_strbuf *out);

/* Binds `name` (a letter or identifier) to the set of the last result;
 * MT_TYPE if the last result is not a set. */
mt_status mt_query_bind_last(mt_query *q, const char *name, mt_err *err);
/* Binds `name` to set s (a new reference is taken). */
mt_status mt_query_bind_set(mt_query *q, const char *name, mt_set *s,
			    mt_err *err);
/* The same for a set of the dump of session `of` (NULL or q: q's own;
 * else one added with mt_query_add_dump, MT_ARG for another): `name`
 * then evaluates in q to that dump's set (mt_qresult.of == of), so a
 * front end names a set of OLD in the NEW session's expressions. */
mt_status mt_query_bind_set_of(mt_query *q, const char *name, mt_set *s,
			       mt_query *of, mt_err *err);

/* Comparing dumps (diff.h): makes `name` ("h0", "h1") stand for the
 * heap of session `other` (borrowed until mt_query_free), another dump.
 * m (borrowed; NULL across processes) matches other's objects (OLD) to
 * q's (NEW); with it `h - h0` and `h0 - h` are the objects new and gone,
 * without it they fail with mt_same_process's reason.  `h.diff(h0)` is
 * heapy's difference table either way.  Sets of other's dump carry
 * mt_qresult.of == other; everything derived from them stays there.
 * Between two added dumps (`h1 - h0`, hp.Leaks with three dumps: h0 = A,
 * h1 = B, q's = C) a match is made on first use, the one added first
 * being OLD.  MT_ARG for a name taken (h, hp, _, help, True, False,
 * None, a dump's) or not an identifier, or other == q or added already. */
struct mt_match;
mt_status mt_query_add_dump(mt_query *q, const char *name, mt_query *other,
			    const struct mt_match *m, mt_err *err);

/* The set of the last result, borrowed until the next run, or NULL when
 * the last result is not a set. */
const mt_set *mt_query_last_set(const mt_query *q);
/* Whether the last result has pages: a set's table, paths or a reference
 * pattern (`_.all` lists every row of it; --batch --all does). */
bool mt_query_last_paged(const mt_query *q);

#endif
