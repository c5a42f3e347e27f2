/* Dump reader: a validating pull parser over an in-memory dump.
 *
 * Reads the buffer given to mt_reader_new (typically a mapped file) one
 * record at a time.  Every structural fact the format promises is checked as
 * it is read (magic, version, msgpack well-formedness, record layout, value
 * types and ranges, references below the running counter, object records in
 * id order) and at the END record (counts and checksum, nothing after it).
 * A failure is an mt_err with the byte offset and the record number.
 *
 * The reader allocates only its header copy and one growable edge buffer;
 * record contents point into the caller's buffer or that edge buffer and are
 * valid until the next mt_reader_next call.
 */
#ifndef MEMTRACK_READER_H
#define MEMTRACK_READER_H

#include "memtrack/dump.h"
#include "memtrack/error.h"

typedef struct mt_reader mt_reader;

typedef enum {
	MT_RECORD_NAME = MT_REC_NAME,
	MT_RECORD_ROOTS = MT_REC_ROOTS,
	MT_RECORD_OBJECT = MT_REC_OBJECT
} mt_record_kind;

typedef struct mt_record {
	mt_record_kind kind;
	uint64_t offset; /* byte offset of the record             */
	/* NAME */
	const char *name; /* not NUL-terminated                    */
	uint32_t name_len;
	/* OBJECT */
	uint32_t id;
	mt_obj obj;
	/* ROOTS and OBJECT */
	const mt_edge *edges;
	size_t nedges;
} mt_record;

typedef struct mt_trailer {
	uint64_t objects, edges, names, reachable;
	uint64_t checksum;
} mt_trailer;

/* Creates a reader over buf[0..len) (borrowed until mt_reader_free) and
 * parses magic, version and header.  On failure *out is NULL. */
mt_status mt_reader_new(mt_reader **out, const void *buf, size_t len,
			mt_err *err);

/* The decoded header, owned by the reader. */
const mt_header *mt_reader_header(const mt_reader *r);

/* Reads the next record into *rec.  Returns MT_OK, MT_END after a valid END
 * record (counts and checksum verified, no trailing bytes), or an error. */
mt_status mt_reader_next(mt_reader *r, mt_record *rec, mt_err *err);

/* The END record, valid after mt_reader_next returned MT_END. */
const mt_trailer *mt_reader_trailer(const mt_reader *r);

/* The MARK record (memtrack.mark()), valid after mt_reader_next returned
 * MT_END: false when the dump has none; else *bits (one bit per object,
 * object i = byte i / 8, bit i % 8; points into the buffer given to
 * mt_reader_new) and *nbits (= the object count). */
bool mt_reader_mark(const mt_reader *r, const uint8_t **bits,
		    uint64_t *nbits);

/* The SITES record (allocation sites, tracemalloc), valid after
 * mt_reader_next returned MT_END and until mt_reader_free. */
typedef struct mt_sites_rec {
	uint32_t nfiles;
	const char *const *files; /* NUL-terminated copies */
	uint32_t nsites;
	/* site k (1..nsites): line site_line[k-1] of file site_file[k-1] */
	const uint32_t *site_file, *site_line;
	/* one unsigned LEB128 per object (validated: exactly the object
	 * count, each at most nsites): 0 = no known site, k = site k; points
	 * into the buffer given to mt_reader_new; read with mt_sites_next */
	const uint8_t *codes;
	size_t ncodes;
} mt_sites_rec;

/* False when the dump has no SITES record (*out zeroed). */
bool mt_reader_sites(const mt_reader *r, mt_sites_rec *out);

/* The value at *p of a validated SITES bin; advances *p. */
static inline uint32_t mt_sites_next(const uint8_t **p)
{
	uint32_t v = 0;
	unsigned shift = 0;
	const uint8_t *q = *p;
	while (*q & 0x80) {
		v |= (uint32_t)(*q++ & 0x7f) << shift;
		shift += 7;
	}
	v |= (uint32_t)*q++ << shift;
	*p = q;
	return v;
}

/* Whether OBJECT records go through the direct decoder first (default
 * true).  The records and errors are the same either way (the direct
 * decoder leaves every record it is not sure of to the general one); the
 * switch is for the tests that check this. */
void mt_reader_set_direct(mt_reader *r, bool on);

/* Bytes consumed so far (for progress). */
uint64_t mt_reader_offset(const mt_reader *r);

/* The reader is done with the buffer's first mt_reader_done(r) bytes
 * (at most mt_reader_offset(r)): it reads them no more, its checksum has
 * covered them, so a caller may release their pages (the loader does,
 * doc/loader.md).  After END it still reads the data of the MARK and
 * SITES records, which mt_reader_mark and mt_reader_sites point into. */
uint64_t mt_reader_done(const mt_reader *r);

void mt_reader_free(mt_reader *r);

#endif
