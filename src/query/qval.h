/* Internal to src/query: the value type of the language, the session
 * struct and the attribute/method table, shared by
 *   val.c      values and their canonical expression text
 *   session.c  the session (query.h entry points, `_`, marks, derivations)
 *   eval.c     evaluation of the syntax tree
 *   table.c    the attribute/method table and its dispatch
 *   attrs.c    the functions of a set's attributes and methods
 *   ctors.c    the functions of `hp` and of kinds
 *   complete.c Tab completion and help, generated from the tables
 *   kinds.c    symbolic kinds combined with sets and kinds
 *   render.c   values as the text heapy prints
 *   pager.c    paged texts (paths, reference patterns): more and all
 * Everything derived from the dump (classifiers, the set of all objects,
 * the dominator tree, dominance) is the context's (ctx.h): the session
 * keeps no copy. */
#ifndef MT_QVAL_H
#define MT_QVAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtrack/ctx.h"
#include "memtrack/graph.h"
#include "memtrack/partition.h"
#include "memtrack/qast.h"
#include "memtrack/query.h"
#include "memtrack/set.h"
#include "memtrack/strbuf.h"

struct mt_kind;
struct q_def;
struct q_pager;
struct mt_paths_groups;
struct mt_paths;
struct mt_refpat;
struct mt_diff;

typedef enum {
	V_NONE = 0,
	V_INT,
	V_BOOL,
	V_STR,	 /* a Python str                                  */
	V_SET,	 /* a set of objects with the classifier it prints by */
	V_KIND,	 /* a symbolic set                                */
	V_TEXT,	 /* text: DOT, help; paths and reference patterns
		     are paged texts (pg)                         */
	V_HP,	 /* the hp namespace                              */
	V_METHOD /* a bound method or constructor, called with () */
} vkind;

/* Precedence of an expression's text (qast.h's grammar), for parentheses
 * when it becomes an operand. */
enum {
	P_CMP = 1,
	P_OR,
	P_XOR,
	P_AND,
	P_ARITH,
	P_UNARY,
	P_POSTFIX /* atoms, attributes, indexes, calls */
};

typedef struct val {
	vkind k;
	int64_t i;	    /* INT, BOOL                                    */
	char *s;	    /* STR, TEXT: owned, NUL-terminated             */
	size_t n;	    /* STR, TEXT: length                            */
	mt_set *set;	    /* SET: one reference                           */
	char er[48];	    /* SET: classifier name, or "id" (identity table) */
	size_t page;	    /* SET: first row to show; paged TEXT: first path
			   or pattern line                              */
	size_t next;	    /* SET, paged TEXT: first row after the page
			   shown, or SIZE_MAX (not rendered yet)        */
	bool all;	    /* SET, paged TEXT: show every row              */
	struct q_pager *pg; /* TEXT: what a paged text is made of
				     (one reference; s is NULL), or NULL */
	struct mt_kind *kind;	 /* KIND: one reference                */
	const struct q_def *def; /* METHOD: its row of the table       */
	struct val *self;	 /* METHOD: the bound object (owned) or NULL */
	char *expr;   /* the canonical expression of the value (owned),
			   or NULL while it is being made */
	int prec;     /* P_* of expr                                  */
	mt_query *of; /* the session whose dump the value (a set, and
			   what is derived from it) is of: NULL for the
			   evaluating session's own, else a session added
			   with mt_query_add_dump (`h0`'s)              */
} val;

struct qbind {
	char *name;
	mt_set *set;
	mt_query *of; /* as val.of */
};

struct mt_match;

/* A dump added with mt_query_add_dump: `h0`, `h1`... */
struct qdump {
	char *name;
	mt_query *q;		  /* its session (borrowed)           */
	const struct mt_match *m; /* its objects (OLD) matched to this
				     session's (NEW), or NULL          */
};

struct mt_query {
	mt_ctx *ctx;	   /* borrowed */
	const mt_graph *g; /* the context's */
	val last;
	bool has_last;
	struct qbind *bind;
	size_t nbind;
	int depth;
	mt_set *mine;	     /* hp.Mine once made, or NULL                */
	mt_set *marked;	     /* hp.Marked once made, or NULL              */
	bool h_mine;	     /* `h` stands for hp.Mine (mt_query_set_mine) */
	struct qdump *dumps; /* the other dumps, in the order added     */
	size_t ndumps;
	/* matches between added dumps i < j (i OLD, j NEW), made on first
	 * use: pairs[i * ndumps + j], NULL until then */
	struct mt_match **pairs;
	size_t npairs;
};

/* ---- val.c ---- */
void val_drop(val *v);
mt_status val_copy(val *dst, const val *src, mt_err *err);
/* v := set s (the reference is taken) shown by classifier er. */
mt_status val_set(val *v, mt_set *s, const char *er);
mt_status val_text(val *v, vkind k, const char *s, size_t n, mt_err *err);
const char *val_type_name(const val *v);
mt_status qerr(mt_err *err, mt_status code, uint32_t pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
mt_status q_nomem(mt_err *err);
/* v->expr := the printf text, of precedence prec (replaces any). */
mt_status val_expr(val *v, int prec, mt_err *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Appends v's expression to b, in parentheses when its precedence is
 * below min. */
void q_expr_operand(mt_strbuf *b, const val *v, int min);
/* The expression of a scalar value made from a literal (INT, BOOL, STR,
 * NONE). */
mt_status val_literal_expr(val *v, mt_err *err);

/* ---- session.c ---- */
/* The canonical name of classifier er ("Type & Size" -> "type&size"),
 * "id" for the identity table; MT_TYPE at pos for an unknown name,
 * MT_RANGE when it does not fit 48 bytes. */
mt_status q_classifier_key(mt_query *q, const char *er, char key[48],
			   uint32_t pos, mt_err *err);
/* The context's classifier er: a new reference (mt_classifier_unref). */
mt_status q_classifier(mt_query *q, const char *er, mt_classifier **out,
		       uint32_t pos, mt_err *err);
/* The session's hp.Mine (the program's objects, mine.h), made once:
 * borrowed until mt_query_free. */
mt_status q_mine(mt_query *q, uint32_t pos, mt_set **out, mt_err *err);
/* v := `h` (hp.Mine with its expression when h stands for it). */
mt_status q_heap(mt_query *q, uint32_t pos, val *v, mt_err *err);
/* The partition of set v by its classifier (not "id"). */
mt_status q_partition(mt_query *q, const val *v, uint32_t pos,
		      mt_partition **out, mt_err *err);

/* ---- dumps.c: other dumps (mt_query_add_dump) ---- */
/* The session computing on value v's dump: v->of, else q. */
static inline mt_query *q_sess(mt_query *q, const val *v)
{
	return v->of ? v->of : q;
}
/* v->of for session s seen from q (NULL for q itself). */
static inline mt_query *q_of(mt_query *q, mt_query *s)
{
	return s == q ? NULL : s;
}
/* The name of session s's heap in q's expressions: "h" for q itself,
 * "h0"... for an added dump, "?" for another. */
const char *q_dump_name(const mt_query *q, const mt_query *s);
/* Whether s is q's own session or one added to it. */
bool q_dump_known(const mt_query *q, const mt_query *s);
void q_dumps_free(mt_query *q);
/* `name` of an added dump: its session, or NULL. */
mt_query *q_dump_find(const mt_query *q, const char *name);
/* out := the counterparts in dump `to` of the members of set s of dump
 * `from` (sessions; q or NULL for q's own): identity (diff.h) through the
 * match given to mt_query_add_dump, or between two added dumps one made
 * on first use.  Without identity MT_ARG at pos with the reason
 * (mt_same_process's). */
mt_status q_translate(mt_query *q, mt_query *from, mt_query *to,
		      const mt_set *s, uint32_t pos, mt_set **out, mt_err *err);
/* The match with `old` OLD and `new_` NEW when there is one in that
 * direction (given to mt_query_add_dump or made between added dumps),
 * else NULL; never fails. */
const struct mt_match *q_match_of(mt_query *q, mt_query *old, mt_query *new_);
/* The objects of q's dump that existed at memtrack.mark() (hp.Marked),
 * made once; MT_ARG at pos when the dump has no mark.  Borrowed until
 * mt_query_free. */
mt_status q_marked(mt_query *q, uint32_t pos, mt_set **out, mt_err *err);
/* memlab's leak candidates with dumps h0 = A, h1 = B and q's own = C
 * (hp.Leaks): a new set of q's dump; MT_ARG at pos without three dumps
 * or without identity. */
mt_status q_leaks(mt_query *q, uint32_t pos, mt_set **out, mt_err *err);

/* ---- eval.c ---- */
mt_status q_eval_node(mt_query *q, const mt_qnode *n, val *out, mt_err *err);
/* Number of rows of set v's table (objects for an identity table). */
mt_status q_nrows(mt_query *q, const val *v, uint32_t pos, size_t *nrows,
		  mt_err *err);
/* Rows lo..hi-1 of set v's table (clipped to the rows), shown by v's
 * classifier: `v[lo]` (single; MT_RANGE at ipos when there is no row lo)
 * or `v[lo:hi]`, with its expression.  The partition is built once. */
mt_status q_rows(mt_query *q, const val *v, long lo, long hi, bool single,
		 uint32_t pos, uint32_t ipos, val *out, mt_err *err);
/* out's expression for those rows (q_rows's): v as an operand, then
 * `[lo]` or `[lo:hi]`. */
mt_status q_rows_expr(const val *v, long lo, long hi, bool single, val *out,
		      mt_err *err);

/* ---- table.c: the attribute and method table ---- */
enum {
	Q_ON_SET = 1,  /* a set of objects: h.count            */
	Q_ON_KIND = 2, /* a symbolic kind: hp.Size(8).alt('<') */
	Q_ON_HP = 4,   /* the hp namespace: hp.Type('dict')   */
	Q_ON_TEXT = 8  /* a text: h.sp.more                    */
};

enum { Q_MAXARGS = 16 };

/* What a row's function gets: the object (NULL for hp) and, for a
 * method, its evaluated arguments. */
typedef struct q_args {
	mt_query *top; /* the session evaluating the expression: the
				arguments' `of` is relative to it        */
	const val *self;
	uint32_t pos; /* the '.' of an attribute, the '(' of a call */
	size_t n;
	val v[Q_MAXARGS];
	const char *names[Q_MAXARGS]; /* keyword names, NULL: positional */
	uint32_t apos[Q_MAXARGS];     /* where each argument starts */
} q_args;

typedef mt_status (*q_fn)(mt_query *q, q_args *a, val *out, mt_err *err);

/* One row per attribute or method of the language.  An attribute
 * (min_args < 0) is evaluated on access; a method is bound on access and
 * run by the call with min_args..max_args arguments, keyword arguments
 * only when keywords is set.  The rows drive evaluation (table.c),
 * completion and help (complete.c).  `.byX` attributes are not rows: they
 * come from the classifier table (classifier.h). */
typedef struct q_def {
	const char *name;
	unsigned on;  /* Q_ON_* it applies to */
	int min_args; /* < 0: an attribute    */
	int max_args;
	bool keywords;
	const char *args; /* the arguments as help shows them: "'<op>'" */
	const char *help; /* one line */
	q_fn fn;
} q_def;

/* The table, rows of one Q_ON_* group in the order help lists them. */
extern const q_def q_defs[];
extern const size_t q_ndefs;

/* obj.name (n is the ATTR node); out's expression is left to the caller
 * unless the row sets it. */
mt_status q_attr(mt_query *q, const char *name, uint32_t pos, const val *obj,
		 val *out, mt_err *err);
/* fn(args) for a V_METHOD fn (n is the CALL node). */
mt_status q_call(mt_query *q, const mt_qnode *n, const val *fn, val *out,
		 mt_err *err);
/* The functions of the rows (attrs.c, ctors.c). */
mt_status q_text_result(val *out, mt_strbuf *b, mt_status st, mt_err *err);
/* Set obj shown by classifier `name` (any spelling), or by identity for
 * "id": `obj.byname`. */
mt_status q_by(mt_query *q, const val *obj, const char *name, uint32_t pos,
	       val *out, mt_err *err);

/* The rows' functions: attrs.c */
mt_status q_set_by(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_count(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_size(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_more(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_all(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_theone(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_referrers(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_referents(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_domisize(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_dominos(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_imdom(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_sp(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_pathsin(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_pathsout(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_paths(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_rp(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_dot(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_mine(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_marked(mt_query *, q_args *, val *, mt_err *);
mt_status q_set_diff(mt_query *, q_args *, val *, mt_err *);
/* ctors.c */
mt_status q_hp_type(mt_query *, q_args *, val *, mt_err *);
mt_status q_hp_clodo(mt_query *, q_args *, val *, mt_err *);
mt_status q_hp_size(mt_query *, q_args *, val *, mt_err *);
mt_status q_hp_via(mt_query *, q_args *, val *, mt_err *);
mt_status q_hp_rcs(mt_query *, q_args *, val *, mt_err *);
mt_status q_hp_module(mt_query *, q_args *, val *, mt_err *);
mt_status q_hp_prod(mt_query *, q_args *, val *, mt_err *);
mt_status q_hp_id(mt_query *, q_args *, val *, mt_err *);
mt_status q_hp_anything(mt_query *, q_args *, val *, mt_err *);
mt_status q_hp_nothing(mt_query *, q_args *, val *, mt_err *);
mt_status q_hp_heap(mt_query *, q_args *, val *, mt_err *);
mt_status q_hp_dot(mt_query *, q_args *, val *, mt_err *);
mt_status q_hp_mine(mt_query *, q_args *, val *, mt_err *);
mt_status q_hp_owned(mt_query *, q_args *, val *, mt_err *);
mt_status q_hp_marked(mt_query *, q_args *, val *, mt_err *);
mt_status q_hp_leaks(mt_query *, q_args *, val *, mt_err *);
mt_status q_kind_alt(mt_query *, q_args *, val *, mt_err *);
mt_status q_kind_dictof(mt_query *, q_args *, val *, mt_err *);

/* ---- complete.c ---- */
/* Whether ch may be part of a name. */
bool q_name_char(int ch);

/* ---- kinds.c ---- */
void val_drop_kind(val *v);
void val_copy_kind(val *dst, const val *src);
mt_status q_kind_binop(mt_query *q, const mt_qnode *n, const val *a,
		       const val *b, val *out, mt_err *err);
mt_status q_kind_invert(mt_query *q, const mt_qnode *n, const val *a, val *out,
			mt_err *err);
mt_status q_kind_compare(mt_query *q, const mt_qnode *n, const val *a,
			 const val *b, int op, int *res, mt_err *err);
mt_status q_kind_render(mt_query *q, const val *v, mt_strbuf *out, mt_err *err);

/* ---- pager.c ---- */
/* `all` of a paged text lists at most this many paths / lines, then the
 * "more" line: the paths of a DAG can be too many to list. */
#define Q_ALL_LINES 10000
/* out := a paged text of paths p / pattern rp with its classifier c (the
 * references are taken, released on failure too), on its first page. */
mt_status q_pager_paths(val *out, struct mt_paths *p, mt_err *err);
mt_status q_pager_refpat(val *out, struct mt_refpat *rp, mt_classifier *c,
			 mt_err *err);
/* The same for the groups gr of paths p (paths.h; both taken). */
mt_status q_pager_groups(val *out, struct mt_paths *p,
			 struct mt_paths_groups *gr, mt_err *err);
/* The same for the difference table d (diff.h; taken): `A.diff(B)`. */
mt_status q_pager_diff(val *out, struct mt_diff *d, mt_err *err);
struct q_pager *q_pager_ref(struct q_pager *pg);
void q_pager_unref(struct q_pager *pg); /* pg may be NULL */
/* Appends v's page (v->pg set) and sets v->next. */
mt_status q_pager_render(val *v, mt_strbuf *out, mt_err *err);
/* v := its next page; MT_RANGE at pos when all was shown. */
mt_status q_pager_more(val *v, uint32_t pos, mt_err *err);

/* ---- render.c ---- */
mt_status q_render(mt_query *q, val *v, mt_strbuf *out, mt_err *err);

#endif
