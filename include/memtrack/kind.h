/* Symbolic kinds: heapy's Kind sets, predicates that are never enumerated.
 *
 * An atom is (classifier, argument, cmp): Type, Clodo, Size, Via, Rcs,
 * Module and Id atoms with an argument given as text (the query language
 * passes strings), compared by `==` or an alternative set by mt_kind_alt:
 *   Type   `<=` subtype, `<` strict subtype, `>=` / `>` supertype, through
 *          the `__mro__` attr edge of each type (the tuple it points to
 *          lists the MRO with index edges); a type without one is only its
 *          own subtype
 *   Clodo  as Type for non-dicts; `dict of X` and `dict (no owner)` only
 *          compare equal
 *   Size   numeric comparison of the object's size with n
 *   Via    set comparison of the object's in-edge via texts (".a",
 *          "['k']", "list(_)[0]") with the given ones: `==` equal sets,
 *          `<=` subset, `>=` superset, `<`/`>` strict
 *   Rcs    the same with the CLODO labels of the referrers
 *   Module the module's name; Id the object's address
 *   Prod   the allocation site (file, line), heapy's order (below)
 * `!=` on any atom is Not(atom).  And, Or and Not combine kinds; Anything
 * and Nothing are the trivial kinds, and trivial combinations are
 * simplified when built (Anything & K = K, Nothing | K = K, ~~K = K, ...).
 *
 * Kinds are immutable and reference-counted: every constructor returns a
 * new reference (caller drops it with mt_kind_unref); constructors that take
 * kinds only borrow them (they add their own references).  A kind is not
 * tied to a graph: selection classifies the objects of the graph given.
 */
#ifndef MEMTRACK_KIND_H
#define MEMTRACK_KIND_H

#include <stddef.h>
#include <stdint.h>

#include "memtrack/error.h"
#include "memtrack/graph.h"
#include "memtrack/set.h"
#include "memtrack/strbuf.h"

typedef struct mt_kind mt_kind;

typedef enum {
	MT_KCMP_EQ = 0, /* == */
	MT_KCMP_NE,	/* != */
	MT_KCMP_LT,	/* <  */
	MT_KCMP_LE,	/* <= */
	MT_KCMP_GE,	/* >= */
	MT_KCMP_GT	/* >  */
} mt_kind_cmp;

mt_kind *mt_kind_ref(mt_kind *k);
void mt_kind_unref(mt_kind *k); /* k may be NULL */

mt_status mt_kind_anything(mt_kind **out, mt_err *err);
mt_status mt_kind_nothing(mt_kind **out, mt_err *err);
/* hp.Type(label): a type label as heapy prints it ("dict",
 * "__main__.Node", "types.FrameType"). */
mt_status mt_kind_type(mt_kind **out, const char *label, mt_err *err);
/* hp.Clodo(label): a CLODO label, also "dict of X" / "dict (no owner)". */
mt_status mt_kind_clodo(mt_kind **out, const char *label, mt_err *err);
/* hp.Clodo(dictof=label); "" is dictof=() = "dict (no owner)". */
mt_status mt_kind_clodo_dictof(mt_kind **out, const char *owner, mt_err *err);
mt_status mt_kind_size(mt_kind **out, uint64_t size, mt_err *err);
/* hp.Via(rel...): via texts as users type them; quoted names are
 * normalised to Python's repr ('["k"]' is "['k']"). */
mt_status mt_kind_via(mt_kind **out, const char *const *rels, size_t n,
		      mt_err *err);
/* hp.Rcs(label...): CLODO labels of referrers. */
mt_status mt_kind_rcs(mt_kind **out, const char *const *labels, size_t n,
		      mt_err *err);
mt_status mt_kind_module(mt_kind **out, const char *name, mt_err *err);
mt_status mt_kind_id(mt_kind **out, uint64_t addr, mt_err *err);
/* hp.Prod(file, line): heapy's producer kinds over the allocation sites
 * (graph.h mt_graph_site; the prod classifier).  file NULL and line
 * MT_KIND_NOLINE are heapy's None: with ==, a kind with a None matches
 * nothing; alternatives order sites as heapy does (a <= b: a's file starts
 * with b's and a's line is at most b's, None fields skipped), so
 * hp.Prod('/srv/app') is mt_kind_prod("/srv/app", NOLINE) with `<`.
 * mt_kind_prod_unknown: hp.Prod(), the objects without a known site.  In
 * a dump without sites no object matches any of them. */
#define MT_KIND_NOLINE UINT64_MAX
mt_status mt_kind_prod(mt_kind **out, const char *file, uint64_t line,
		       mt_err *err);
mt_status mt_kind_prod_unknown(mt_kind **out, mt_err *err);

/* K.alt(cmp): cmp is "==", "!=", "<", "<=", ">=" or ">" (MT_ARG else, or
 * for And/Or/Not/Anything/Nothing, or an order cmp on Clodo dict kinds,
 * Module or Id). */
mt_status mt_kind_alt(mt_kind **out, mt_kind *k, const char *cmp,
		      mt_err *err);
/* K.dictof for a Type or Clodo atom with ==: Clodo(dictof=label);
 * hp.Nothing.dictof is Clodo(dictof=()) -- "dict (no owner)". */
mt_status mt_kind_dictof(mt_kind **out, mt_kind *k, mt_err *err);

mt_status mt_kind_and(mt_kind **out, mt_kind *a, mt_kind *b, mt_err *err);
mt_status mt_kind_or(mt_kind **out, mt_kind *a, mt_kind *b, mt_err *err);
mt_status mt_kind_not(mt_kind **out, mt_kind *a, mt_err *err);

/* s & K: the objects of s (ids of g) that K holds for, in one pass over s
 * (plus, for an Rcs atom, one CLODO pass over the graph).  *out is a new
 * set. */
mt_status mt_kind_select(const mt_kind *k, const mt_graph *g, const mt_set *s,
			 mt_set **out, mt_err *err);

/* heapy's brief: `<size = 56>`, `<size > 56>`, `<subtype of dict>`,
 * `<via "['k']">`, `<referred by: list>`, `<Anything>`, `<Nothing>`, a
 * Type/Clodo label for ==, `(a & b)`, `(a | b)`, `~a`. */
mt_status mt_kind_brief(const mt_kind *k, mt_strbuf *out);

#endif
