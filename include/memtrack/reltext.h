/* heapy's text of relations (edges): path steps and via labels.
 *
 * An edge's relation and label (dump.h) print as in guppy's Path.py, with
 * `src` standing for the source expression:
 *
 *   ATTR `%s.name`  INDEX `%s[3]`  KEYVAL `%s['key']`  KEY `%s.keys()[0]`
 *   INTERATTR `%s->name`  LOCAL `%s.f_locals['x']`  CELL `%s.f_locals ['x']`
 *   STACK `%s->f_valuestack[2]`  INSET `list(%s)[2]`  OTHER `%s.??`
 *
 * A KEYVAL key is printed as heapy does (pyrepr.h, mt_pyrepr_key): with
 * reprlib.repr in paths (mt_reltext_edge: `['a long k...ey']`,
 * `[(1, 2, 3, 4, 5, 6, ...)]`) and with repr() in via texts
 * (mt_reltext_via*: `[<class '__main__.K'>]`, `[(1, 'a')]`); a LOCAL or
 * CELL name with repr().  Relation codes this version does not
 * know print `%s.??`, as doc/format.md says.  Root edges print
 * `hp.Root.name`.
 *
 * heapy's byvia label of an edge is repr() of the text with src "_" and
 * the leading "_" removed: '.name', "['k']", '[3]', '.keys()[0]',
 * 'list(_)[0]' (the INSET text keeps its "_").
 *
 * Functions append to the caller's mt_strbuf; they return MT_OK or
 * MT_NOMEM.
 */
#ifndef MEMTRACK_RELTEXT_H
#define MEMTRACK_RELTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "memtrack/error.h"
#include "memtrack/graph.h"
#include "memtrack/strbuf.h"

/* The relation text of out-edge `edge` with `src` as the source (NUL-
 * terminated, borrowed for the call). */
mt_status mt_reltext_edge(const mt_graph *g, uint32_t edge, const char *src,
			  mt_strbuf *out);

/* "hp.Root.<name>" of root edge i (mt_graph_roots order). */
mt_status mt_reltext_root(const mt_graph *g, size_t i, mt_strbuf *out);

/* The via text of an edge before repr(): ".name", "['k']", "[3]",
 * ".keys()[0]", "->x", ".f_locals['x']", "list(_)[0]", ".??". */
mt_status mt_reltext_via_raw(const mt_graph *g, uint32_t edge, mt_strbuf *out);

/* heapy's via label: repr() of mt_reltext_via_raw's text. */
mt_status mt_reltext_via(const mt_graph *g, uint32_t edge, mt_strbuf *out);

#endif
