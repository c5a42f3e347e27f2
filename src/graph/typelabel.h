/* Heapy's spelling of type names (internal to src/graph).
 *
 * One table maps the builtins types that the `types` module names to heapy's
 * `types.XType` labels; everything else is the bare name for builtins or
 * `module.qualname`.
 */
#ifndef MEMTRACK_GRAPH_TYPELABEL_H
#define MEMTRACK_GRAPH_TYPELABEL_H

#include <stddef.h>

/* Room a label may need beyond module + qualname lengths, NUL included. */
#define MT_TYPE_LABEL_EXTRA 40

/* Writes the label of type (module, qualname) into buf, which has room for
 * modlen + quallen + MT_TYPE_LABEL_EXTRA bytes, NUL-terminated; returns its
 * length. */
size_t mt_type_label_format(char *buf, size_t cap, const char *mod,
			    size_t modlen, const char *qual, size_t quallen);

#endif
