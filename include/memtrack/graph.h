/* The loaded object graph: a dump read into flat arrays indexed by uint32 id.
 *
 * mt_graph_load maps a dump read-only, reads it once with the validating
 * reader (reader.h) into per-object arrays (type, size, address, refcount,
 * length, value preview) and out-edges in CSR form, then builds the in-edges
 * (referrers) by a counting sort and unmaps the file.  Nothing points back
 * into the file after loading.  Object ids are the dump's ids 0..N-1; edge
 * indices are positions 0..E-1 in the out-edge arrays (ordered by source id,
 * then by their order in the record).
 *
 * Memory: about 26 bytes per object plus 17 per edge (both directions) plus
 * the value previews; doc/loader.md has the layout and the limits (ids and
 * edge indices are uint32: at most 2^32-1 objects and edges).  The load's
 * peak is that plus 16 MiB: mt_graph_load releases the file's pages as the
 * reader is done with them.
 *
 * Everything returned by an accessor (strings, mt_value pointers, the root
 * edge array, the header) is owned by the graph and valid until
 * mt_graph_free.  Ids and edge indices given to accessors must be in range
 * (id < mt_graph_count, edge < mt_graph_edge_count): accessors do not check.
 */
#ifndef MEMTRACK_GRAPH_H
#define MEMTRACK_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtrack/dump.h"
#include "memtrack/error.h"

typedef struct mt_graph mt_graph;

/* "No object": returned by mt_graph_dict_owner and friends. */
#define MT_NO_ID UINT32_MAX

/* Progress callback: `done` of `total`.  The loader's scale is the file's
 * size: reading the records takes its first seven eighths (done = the
 * bytes read less an eighth), building the referrer index the last eighth,
 * and the last call is (total, total); done never goes back.  Other users
 * (dominator.h, dominance.h) say their own units.  A nonzero return cancels
 * (MT_CANCELLED). */
typedef int (*mt_progress_fn)(void *cbdata, uint64_t done, uint64_t total);

/* Loads the dump at path.  On MT_OK *out is a new graph (caller frees with
 * mt_graph_free); on failure *out is NULL and err says why: MT_IO naming the
 * path for an unreadable file, or the reader's error (byte offset and record
 * number) for a bad dump.  cb may be NULL. */
mt_status mt_graph_load(mt_graph **out, const char *path, mt_progress_fn cb,
			void *cbdata, mt_err *err);

/* Same from a dump in memory; buf is borrowed for the duration of the
 * call only. */
mt_status mt_graph_load_buffer(mt_graph **out, const void *buf, size_t len,
			       mt_progress_fn cb, void *cbdata, mt_err *err);

/* Frees g and everything borrowed from it.  g may be NULL. */
void mt_graph_free(mt_graph *g);

/* Whole-graph facts. */
uint32_t mt_graph_count(const mt_graph *g);	 /* objects N          */
uint32_t mt_graph_edge_count(const mt_graph *g); /* object edges E     */
uint32_t mt_graph_reachable(const mt_graph *g);	 /* ids 0..r-1 reached */
const mt_header *mt_graph_header(const mt_graph *g);
/* Bytes of memory the graph holds (arrays, previews, names). */
size_t mt_graph_memory(const mt_graph *g);

/* Per-object fields (see mt_obj in dump.h). */
uint32_t mt_graph_type(const mt_graph *g, uint32_t id);
/* The types of ids from .. from + count - 1 into out (mt_graph_type of
 * each, without a call an object). */
void mt_graph_types(const mt_graph *g, uint32_t from, uint32_t count,
		    uint32_t *out);
uint64_t mt_graph_size(const mt_graph *g, uint32_t id);
uint64_t mt_graph_addr(const mt_graph *g, uint32_t id); /* 0: virtual */
bool mt_graph_virtual(const mt_graph *g, uint32_t id);
uint64_t mt_graph_refcnt(const mt_graph *g, uint32_t id); /* 0: virtual */
int64_t mt_graph_length(const mt_graph *g, uint32_t id);  /* MT_NO_LENGTH */
/* Fills *out with the object's value preview; strings point into the graph
 * and are not NUL-terminated (use slen/s2len). */
void mt_graph_value(const mt_graph *g, uint32_t id, mt_value *out);

/* Out-edges of id: edge indices first .. first+n-1. */
void mt_graph_out(const mt_graph *g, uint32_t id, uint32_t *first, uint32_t *n);
uint32_t mt_graph_edge_target(const mt_graph *g, uint32_t edge);
unsigned mt_graph_edge_rel(const mt_graph *g, uint32_t edge);
/* Integer, name index or object id, as the relation says (dump.h). */
uint64_t mt_graph_edge_label(const mt_graph *g, uint32_t edge);
/* Whether edge is an `ob_type` edge the loader added for the dump's `type`
 * field: an instance of a class written in Python refers to its class
 * (interattr `ob_type`, the last edge of the instance; doc/loader.md). */
bool mt_graph_edge_is_type_ref(const mt_graph *g, uint32_t edge);
/* The same for an edge whose source is known (an in-edge's,
 * mt_graph_in_source): no lookup of the source.  A type object's
 * in-edges are mostly these, one an instance: at 80M objects the lookup
 * made a partition by via stand still for 3.9 s. */
bool mt_graph_edge_is_type_ref_from(const mt_graph *g, uint32_t edge,
				    uint32_t source);
/* Source object of an edge (binary search, O(log N)). */
uint32_t mt_graph_edge_source(const mt_graph *g, uint32_t edge);

/* In-edges (referrers) of id: positions first .. first+n-1, ordered by
 * source id and then out-edge order. */
void mt_graph_in(const mt_graph *g, uint32_t id, uint32_t *first, uint32_t *n);
uint32_t mt_graph_in_source(const mt_graph *g, uint32_t pos);
/* The out-edge index of in-edge `pos` (for its relation and label). */
uint32_t mt_graph_in_edge(const mt_graph *g, uint32_t pos);

/* The edges of the virtual root (ROOTS record), in dump order. */
void mt_graph_roots(const mt_graph *g, const mt_edge **edges, size_t *n);

/* memtrack.mark() (dump.h, mark_time): whether the dump records which
 * objects existed at a mark, and whether object id did (false for every
 * object of a dump without a mark). */
bool mt_graph_has_mark(const mt_graph *g);
bool mt_graph_marked(const mt_graph *g, uint32_t id);

/* Allocation sites (tracemalloc; the SITES record, doc/format.md):
 * whether the dump has them; the site of id (0: none known, else 1 ..
 * mt_graph_site_count; always 0 without them); the file (NULL for site 0
 * or out of range) and *line of a site. */
bool mt_graph_has_sites(const mt_graph *g);
uint32_t mt_graph_site(const mt_graph *g, uint32_t id);
uint32_t mt_graph_site_count(const mt_graph *g);
const char *mt_graph_site_file(const mt_graph *g, uint32_t site,
			       uint32_t *line);

/* Name table: NUL-terminated name of index idx, or NULL if out of range. */
const char *mt_graph_name(const mt_graph *g, uint64_t idx);
uint32_t mt_graph_name_count(const mt_graph *g);

/* The target of id's first attr edge labelled `name`, or MT_NO_ID.
 * O(out-degree). */
uint32_t mt_graph_attr(const mt_graph *g, uint32_t id, const char *name);

/* The owner of a dict: for an object of exact type `dict` (real or virtual)
 * the source of the first attr edge labelled `__dict__` that points to it;
 * MT_NO_ID for a dict without one and for any other object.  O(in-degree). */
uint32_t mt_graph_dict_owner(const mt_graph *g, uint32_t id);

/* The id of the type object `builtins.dict`, or MT_NO_ID if the dump has
 * none. */
uint32_t mt_graph_dict_type(const mt_graph *g);

/* A type's label as heapy prints it: the bare name for builtins (`dict`,
 * `str`, `module`, `function`), `types.FrameType` and the like for the types
 * the `types` module names, otherwise `module.qualname`.  For an object
 * without a [module, qualname] value returns "?". */
const char *mt_graph_type_label(const mt_graph *g, uint32_t type_id);

/* Whether id is a type object (one with a [module, qualname] value) that
 * is not a heap type: a static type of the interpreter or of an extension.
 * The dump marks heap types by their attr edge `__name__` (the capture
 * writes ht_name for Py_TPFLAGS_HEAPTYPE types only). */
bool mt_graph_static_type(const mt_graph *g, uint32_t id);

/* The id of the type object builtins.<qualname> for qualname one of
 * "type", "int", "NoneType", "bool", "ellipsis", "NotImplementedType";
 * MT_NO_ID when the dump has none (or for any other name). */
uint32_t mt_graph_builtin_type(const mt_graph *g, const char *qualname);

#endif
