/* Heapy's spelling of type names (internal to src/graph).
 *
 * mt_type_label_format gives a label from a type's (module, qualname)
 * value alone: `module.name` (name: the qualname's last component), the
 * bare name for builtins, and `types.XType` for the interpreter types the
 * `types` module names (a fixed table).  The loader uses it while reading
 * and then, once the graph is complete, replaces every label with
 * mt_type_label_make's, which follows heapy's rule on the dump itself (the
 * captured builtins dict and `types` module; the runtime `__name__`; a
 * module for classes whose `__module__` is not a str); typelabel.c says
 * how.
 */
#ifndef MEMTRACK_GRAPH_TYPELABEL_H
#define MEMTRACK_GRAPH_TYPELABEL_H

#include <stddef.h>
#include <stdint.h>

#include "memtrack/graph.h"

/* Room a label may need beyond module + qualname lengths, NUL included. */
#define MT_TYPE_LABEL_EXTRA 40

/* Writes the label of type (module, qualname) into buf, which has room for
 * modlen + quallen + MT_TYPE_LABEL_EXTRA bytes, NUL-terminated; returns its
 * length. */
size_t mt_type_label_format(char *buf, size_t cap, const char *mod,
			    size_t modlen, const char *qual, size_t quallen);

/* What the labels of a loaded graph depend on: the classes bound in the
 * dump's builtins dict and `types` module.  g must be complete (in-edges
 * too) and outlive the context. */
typedef struct mt_tlctx mt_tlctx;
mt_status mt_tlctx_new(const mt_graph *g, mt_tlctx **out);
void mt_tlctx_free(mt_tlctx *c);

/* heapy's label of type `id` into buf (cap bytes, NUL-terminated, cut if
 * short); returns the label's full length, as snprintf does. */
size_t mt_type_label_make(const mt_tlctx *c, uint32_t id, char *buf,
			  size_t cap);

#endif
