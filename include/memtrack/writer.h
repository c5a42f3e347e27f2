/* Streaming dump writer.
 *
 * Owns one output file while a dump is written.  Records go through a fixed
 * 1 MiB buffer to a temporary file beside the target (`<path>.tmp.<pid>`);
 * mt_writer_finish writes the END record (counts and checksum), fsyncs and
 * renames the temporary file onto the target; mt_writer_abort (or any failed
 * call followed by mt_writer_abort) unlinks it.  So a failure, a full disk or
 * an interrupted capture never leaves a file under the target name.
 *
 * Memory: the buffer plus the name-interning table (one entry per distinct
 * attribute/local/root name), independent of the number of objects.
 *
 * The writer assigns nothing: the caller gives absolute object ids and the
 * writer encodes them relative to its running counter `hi` (dump.h).  Object
 * records must be written in id order; a reference to an id above hi, or an
 * object record out of order, is a caller bug reported as MT_ARG.
 */
#ifndef MEMTRACK_WRITER_H
#define MEMTRACK_WRITER_H

#include "memtrack/dump.h"
#include "memtrack/error.h"

typedef struct mt_writer mt_writer;

/* Creates the temporary file and a writer; *out is set on MT_OK.
 * Caller frees with mt_writer_finish or mt_writer_abort. */
mt_status mt_writer_new(mt_writer **out, const char *path, mt_err *err);

/* Writes magic, version and the header map.  Strings in hdr are borrowed for
 * the duration of the call.  Must be the first write. */
mt_status mt_writer_header(mt_writer *w, const mt_header *hdr, mt_err *err);

/* Interns a name (attribute, local variable, root edge ...) and returns its
 * index in *index, writing a NAME record the first time a name is seen.
 * s need not be NUL-terminated; it is copied. */
mt_status mt_writer_name(mt_writer *w, const char *s, size_t n,
			 uint32_t *index, mt_err *err);

/* Writes the ROOTS record.  At most once, before the first object. */
mt_status mt_writer_roots(mt_writer *w, const mt_edge *edges, size_t n,
			  mt_err *err);

/* Writes object number `id` (must be the next id in order) with its type,
 * fields and edges.  Strings in o->value are borrowed for the call. */
mt_status mt_writer_object(mt_writer *w, uint32_t id, const mt_obj *o,
			   const mt_edge *edges, size_t n, mt_err *err);

/* Counters so far. */
uint64_t mt_writer_objects(const mt_writer *w);
uint64_t mt_writer_edges(const mt_writer *w);
uint64_t mt_writer_bytes(const mt_writer *w);

/* Writes the END record (reachable = number of objects, counted from id 0,
 * that the root reaches), flushes, fsyncs, renames onto the target and frees
 * w.  On failure the temporary file is removed and w is freed all the same. */
mt_status mt_writer_finish(mt_writer *w, uint64_t reachable, mt_err *err);

/* Removes the temporary file and frees w.  w may be NULL. */
void mt_writer_abort(mt_writer *w);

#endif
