/* Saved indexes: the dominator tree and the retained sizes of a dump, kept
 * in a file beside it (HEAP.mp -> HEAP.mp.mtidx) so that the next open
 * reuses them instead of computing them again.
 *
 * An index belongs to one dump: its header repeats the dump's size and the
 * checksum of its END record (doc/format.md), its object and edge counts,
 * memtrack's version and the index format's version, and carries a
 * checksum of its own content.  mt_savedidx_load trusts nothing of it: a
 * file that is not a regular file of the user, too short or too long, of
 * another dump, another memtrack or another format version, or whose
 * content does not give its checksum, or whose immediate dominators are out
 * of range, is refused with a reason (the caller then builds the tree and
 * saves it again); never a crash.  A valid index is read into a tree of
 * its own (8 bytes an object, as a built tree).
 *
 * mt_savedidx_save writes through safefile.h (a temporary file beside the
 * target, mode 0600, renamed onto it: a full disk or an error leaves no
 * half-written index; not synced before the rename: what a crash cuts
 * short fails the checks) and replaces only an index: an existing file
 * that does not start with the index's magic is left alone (MT_MAGIC).
 *
 * Layout (doc/format.md, "Saved index"): a 128-byte header, then the
 * retained sizes (uint64 by object id), then the immediate dominators
 * (uint32 by object id, MT_NO_ID for the virtual root), in the byte order
 * of the machine that wrote it (another order is refused).
 *
 * Nothing here prints or exits; errors are values.
 */
#ifndef MEMTRACK_SAVEDIDX_H
#define MEMTRACK_SAVEDIDX_H

#include <stdbool.h>
#include <stdint.h>

#include "memtrack/dominator.h"
#include "memtrack/error.h"
#include "memtrack/graph.h"

/* Version of the index file's layout; an index of another is refused. */
#define MT_SAVEDIDX_VERSION 1u
/* The index's name: the dump's path with this appended. */
#define MT_SAVEDIDX_SUFFIX ".mtidx"

/* What identifies a dump file: its END record (counts and checksum), its
 * size, and the file itself (device, inode, modification time) to tell
 * that it did not change while it was loaded. */
typedef struct mt_savedidx_key {
	uint64_t size;
	uint64_t checksum;
	uint64_t objects, edges, names, reachable; /* END record */
	uint64_t dev, ino;
	int64_t mtime_sec, mtime_nsec;
} mt_savedidx_key;

/* Reads the key of the dump at path: fstat and the END record at the
 * file's end (at most 48 bytes read).  MT_IO for an unreadable file,
 * MT_TRUNCATED / MT_MSGPACK when the end is not one END record.  Cheap:
 * call it before the load and again after (mt_savedidx_key_same). */
mt_status mt_savedidx_probe(const char *dump_path, mt_savedidx_key *key,
			    mt_err *err);

/* Whether two keys name the same file with the same content. */
bool mt_savedidx_key_same(const mt_savedidx_key *a, const mt_savedidx_key *b);

/* Whether key's END record agrees with the loaded graph g (object and
 * reachable counts). */
bool mt_savedidx_key_fits(const mt_savedidx_key *key, const mt_graph *g);

/* The index path of a dump: dump_path + MT_SAVEDIDX_SUFFIX, new (caller
 * frees); NULL when out of memory. */
char *mt_savedidx_path(const char *dump_path);

/* The tree saved in idx_path for the dump of key, over g (its sizes and
 * counts; borrowed for the call).  On MT_OK *out is a new tree (caller
 * frees with mt_domtree_free); the file is closed.  Failures: MT_IO
 * (errno in err->sys_errno; ENOENT: no index), MT_MAGIC (not an index),
 * MT_VERSION (another format or memtrack version), MT_COUNT (another dump),
 * MT_TRUNCATED (size), MT_CHECKSUM, MT_RANGE (a dominator out of range),
 * MT_CANCELLED (cb said so).  cb (may be NULL) is told the progress in
 * objects (bytes checked / 12) and may cancel. */
mt_status mt_savedidx_load(const char *idx_path, const mt_savedidx_key *key,
			   const mt_graph *g, mt_domtree **out,
			   mt_progress_fn cb, void *cbdata, mt_err *err);

/* Saves t (the tree of g, borrowed for the call) for the dump of key in
 * idx_path.  MT_IO with errno for a read-only directory, a full disk and
 * the like (nothing left behind), MT_MAGIC when idx_path exists and is not
 * an index (left alone), MT_CANCELLED (cb, told the progress in objects
 * as by mt_savedidx_load, said so: nothing left behind). */
mt_status mt_savedidx_save(const char *idx_path, const mt_savedidx_key *key,
			   const mt_graph *g, const mt_domtree *t,
			   mt_progress_fn cb, void *cbdata, mt_err *err);

#endif
