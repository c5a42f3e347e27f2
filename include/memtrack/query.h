/* The query language: heapy-style expressions over one loaded graph.
 *
 *   h                      the whole heap (every object of the dump)
 *   h.byrcs[0].referrers.byvia
 *   h & hp.Type('dict')    sets combined with symbolic kinds
 *   _.more                 the next page of the last table
 *
 * An mt_query owns the evaluation state of one session over one graph: the
 * last result `_`, named sets (the browser's marks), cached classifiers and
 * the dominator tree once something asked for it.  mt_query_run parses and
 * evaluates one expression and renders its result as the text heapy would
 * print (partition and identity tables, numbers, kinds, paths).  The
 * language is documented in doc/query.md.  No printing, no curses.
 */
#ifndef MEMTRACK_QUERY_H
#define MEMTRACK_QUERY_H

#include <stddef.h>

#include "memtrack/error.h"
#include "memtrack/graph.h"
#include "memtrack/set.h"
#include "memtrack/strbuf.h"

typedef struct mt_query mt_query;

/* A session over g (borrowed until mt_query_free).  Caller frees. */
mt_status mt_query_new(mt_query **out, const mt_graph *g, mt_err *err);
void mt_query_free(mt_query *q);

/* Evaluates expr and appends the rendered result to out (each line ending
 * in '\n').  The result becomes `_`.  On failure nothing is appended, `_`
 * is unchanged, and err->offset is the byte offset in expr where the
 * problem is (MT_SYNTAX for syntax, MT_TYPE for a wrong operand or unknown
 * attribute, MT_RANGE for a bad index or value). */
mt_status mt_query_run(mt_query *q, const char *expr, mt_strbuf *out,
		       mt_err *err);

/* What an expression evaluated to, for a front end that shows sets as
 * views rather than text. */
typedef enum {
	MT_QRESULT_SET = 1, /* a set of objects, shown by classifier `er` */
	MT_QRESULT_TEXT     /* anything else, rendered as text           */
} mt_qresult_kind;

typedef struct mt_qresult {
	mt_qresult_kind kind;
	mt_set *set;  /* SET: one reference, dropped by mt_qresult_destroy */
	char er[48];  /* SET: classifier name ("clodo", "rcs", "Type&Size"...)
			 or "id" for an identity table */
	char *text;   /* TEXT: the rendered result, malloc'd, '\n'-ended */
} mt_qresult;

/* Like mt_query_run, but returns the value instead of its text (sets as
 * sets).  The result becomes `_`.  Caller destroys *out on MT_OK. */
mt_status mt_query_eval(mt_query *q, const char *expr, mt_qresult *out,
			mt_err *err);
void mt_qresult_destroy(mt_qresult *r);

/* Tab completion of the word that ends `line` (the text left of the
 * cursor): after "hp." the constructors, after another '.' the attributes
 * of a set and of a kind, else the names (h, hp, _, marks).  Returns the
 * i-th candidate whose start matches (malloc'd, the whole word), or NULL
 * past the last. */
char *mt_query_complete(const mt_query *q, const char *line, int i);

/* The three-line form of a query error: the expression, a caret under the
 * offending position, and "error: <reason>". */
void mt_query_error_text(const char *expr, const mt_err *err,
			 mt_strbuf *out);

/* Binds `name` (a letter or identifier) to the set of the last result;
 * MT_TYPE if the last result is not a set. */
mt_status mt_query_bind_last(mt_query *q, const char *name, mt_err *err);
/* Binds `name` to set s (a new reference is taken). */
mt_status mt_query_bind_set(mt_query *q, const char *name, mt_set *s,
			    mt_err *err);

/* The set of the last result, borrowed until the next run, or NULL when
 * the last result is not a set. */
const mt_set *mt_query_last_set(const mt_query *q);

#endif
