/* Internal to src/query: the value type of the language and the session
 * struct shared by the evaluator (eval.c), attributes and calls (attrs.c),
 * kinds (kinds.c) and rendering (render.c). */
#ifndef MT_QVAL_H
#define MT_QVAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtrack/dominator.h"
#include "memtrack/graph.h"
#include "memtrack/partition.h"
#include "memtrack/qast.h"
#include "memtrack/query.h"
#include "memtrack/set.h"
#include "memtrack/strbuf.h"

struct mt_kind;
struct mt_dominance;

typedef enum {
	V_NONE = 0,
	V_INT,
	V_BOOL,
	V_STR,    /* a Python str                                  */
	V_SET,    /* a set of objects with the classifier it prints by */
	V_KIND,   /* a symbolic set                                */
	V_TEXT,   /* rendered text: paths, reference patterns, DOT  */
	V_HP,     /* the hp namespace                              */
	V_METHOD  /* a bound method or constructor, called with () */
} vkind;

typedef struct val {
	vkind k;
	int64_t i;      /* INT, BOOL                                    */
	char *s;        /* STR, TEXT: owned, NUL-terminated             */
	size_t n;       /* STR, TEXT: length                            */
	mt_set *set;    /* SET: one reference                           */
	char er[48];    /* SET: classifier name, or "id" (identity table) */
	size_t page;    /* SET: first row to show                       */
	size_t next;    /* SET: first row after the page shown, or SIZE_MAX */
	bool all;       /* SET: show every row                          */
	struct mt_kind *kind; /* KIND: one reference                    */
	const char *method;   /* METHOD: its name                       */
	struct val *self;     /* METHOD: the bound object (owned) or NULL */
} val;

/* A classifier of the session's cache.  Reference-counted: the cache holds
 * one reference while the entry is cached, and whoever uses the classifier
 * across anything that may evaluate more of the expression (an index, a
 * call's arguments) holds one more, so evicting the entry never frees a
 * classifier still in use. */
typedef struct qcls {
	unsigned refs;
	char name[48]; /* the canonical key (q_classifier_key) */
	mt_classifier *c;
} qcls;

struct qbind {
	char *name;
	mt_set *set;
};

struct mt_query {
	const mt_graph *g;
	mt_set *all;
	val last;
	bool has_last;
	struct qbind *bind;
	size_t nbind;
	qcls *cls[16]; /* most recently made last */
	size_t ncls;
	int depth;
	mt_domtree *dom;                /* built on first need */
	struct mt_dominance *dominance; /* built on first need */
};

/* eval.c */
void val_drop(val *v);
mt_status val_copy(val *dst, const val *src, mt_err *err);
mt_status val_set(val *v, mt_set *s, const char *er); /* takes the ref */
mt_status val_text(val *v, vkind k, const char *s, size_t n, mt_err *err);
const char *val_type_name(const val *v);
mt_status qerr(mt_err *err, mt_status code, uint32_t pos, const char *fmt,
	       ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;
/* The canonical cache key and set label of classifier name er: each
 * '&'-separated part trimmed of blanks and lower-cased ("Type & Size" ->
 * "type&size"), as classifier names are matched case-insensitively.
 * MT_RANGE when it does not fit 48 bytes. */
mt_status q_classifier_key(const char *er, char key[48], uint32_t pos,
			   mt_err *err);
/* The classifier named er (any spelling), made on first use and cached by
 * its key.  *out is a new reference: release it with q_classifier_unref. */
mt_status q_classifier(mt_query *q, const char *er, qcls **out, uint32_t pos,
		       mt_err *err);
void q_classifier_unref(qcls *c);

mt_status q_eval_node(mt_query *q, const mt_qnode *n, val *out, mt_err *err);
/* Number of rows of set v's table (objects for an identity table). */
mt_status q_nrows(mt_query *q, const val *v, uint32_t pos, size_t *nrows,
		  mt_err *err);

/* attrs.c */
mt_status q_attr(mt_query *q, const mt_qnode *n, const val *obj, val *out,
		 mt_err *err);
mt_status q_call(mt_query *q, const mt_qnode *n, const val *fn, val *out,
		 mt_err *err);
mt_status q_classifier_make(mt_query *q, const char *er, mt_classifier **out,
			    uint32_t pos, mt_err *err);
/* Rows lo..hi-1 (clipped by the caller) of set v's identity table. */
mt_status q_idrows(mt_query *q, const val *v, long lo, long hi, uint32_t pos,
		   mt_set **out, mt_err *err);
mt_status q_domtree(mt_query *q, mt_domtree **out, mt_err *err);
void q_free_extra(mt_query *q);

/* kinds.c */
void val_drop_kind(val *v);
void val_copy_kind(val *dst, const val *src);
mt_status q_kind_binop(mt_query *q, const mt_qnode *n, const val *a,
		       const val *b, val *out, mt_err *err);
mt_status q_kind_invert(mt_query *q, const mt_qnode *n, const val *a,
			val *out, mt_err *err);
mt_status q_kind_compare(mt_query *q, const mt_qnode *n, const val *a,
			 const val *b, int op, int *res, mt_err *err);
mt_status q_kind_render(mt_query *q, const val *v, mt_strbuf *out,
			mt_err *err);

/* render.c */
mt_status q_render(mt_query *q, val *v, mt_strbuf *out, mt_err *err);

#endif
