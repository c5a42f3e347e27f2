/* Validating dump reader (reader.h).
 *
 * Owns: the decoded header (strings copied into one allocation list), the
 * relation label-kind table (built-in codes plus any declared in the
 * header), the running reference counter `hi`, record counters, one
 * growable edge buffer and the running checksum.  Decoding goes through the
 * bounds-checked cursor of mpk.h, so every error carries the byte offset and
 * record number.
 *
 * OBJECT records, nearly all of a dump, first go through a direct decoder
 * (fast_object): the common encodings read straight from the bytes, every
 * check of the general path made in place, nothing of the reader's state
 * changed until the whole record has been decoded.  Anything else (an
 * unusual encoding, a value out of range, a record cut short: whatever the
 * general path might refuse) makes it give up, and the record is decoded
 * again from its start by the general path, which then says exactly what
 * it always said.  So the direct decoder changes speed, never results.
 *
 * The checksum is computed as the reader goes (every HASH_STEP bytes, over
 * bytes just read, while they are in the cache), so the END record needs
 * no second pass over the file and a caller can release the pages the
 * reader is done with (mt_reader_done).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "memtrack/checksum.h"
#include "memtrack/reader.h"
#include "mpk.h"

#define MAX_REL 64
#define HASH_STEP (256u << 10)

struct mt_reader {
	mt_mpk c;
	size_t len;
	mt_header hdr;
	char **allocs; /* header strings */
	size_t nallocs;
	signed char label_kind[MAX_REL]; /* -1: unknown relation */
	uint32_t hi;
	uint64_t objects, edges, names, records;
	uint64_t addr_prev;
	uint32_t type_prev; /* type of the previous object record */
	bool roots_seen, ended;
	const uint8_t *mark; /* the MARK record's bits, NULL: none */
	uint64_t mark_nbits, mark_offset;
	bool has_sites;
	mt_sites_rec sites; /* arrays owned (files: in allocs) */
	mt_edge *ebuf;
	size_t ecap;
	mt_trailer trailer;
	mt_hash64 hash; /* of base[0 .. hashed) */
	uint64_t hashed;
	bool no_direct; /* mt_reader_set_direct(r, false): tests */
};

/* Keeps a NUL-terminated copy of s[0..n) for the reader's lifetime. */
static const char *keep(mt_reader *r, const char *s, uint32_t n)
{
	char **a = realloc(r->allocs, (r->nallocs + 1) * sizeof *a);
	if (!a)
		return NULL;
	r->allocs = a;
	char *copy = malloc((size_t)n + 1);
	if (!copy)
		return NULL;
	memcpy(copy, s, n);
	copy[n] = '\0';
	r->allocs[r->nallocs++] = copy;
	return copy;
}

static mt_status nomem(mt_reader *r, mt_err *err)
{
	return mt_err_set(err, MT_NOMEM, mt_mpk_offset(&r->c), r->c.record,
			  NULL);
}

static mt_status hdr_str(mt_reader *r, const char **out, mt_err *err)
{
	const char *s;
	uint32_t n;
	mt_status st = mt_mpk_str(&r->c, &s, &n, err);
	if (st)
		return st;
	if (!(*out = keep(r, s, n)))
		return nomem(r, err);
	return MT_OK;
}

static mt_status hdr_uint(mt_reader *r, uint64_t *v, mt_err *err)
{
	return mt_mpk_uint(&r->c, v, err);
}

static mt_status hdr_small(mt_reader *r, unsigned *v, unsigned max,
			   const char *what, mt_err *err)
{
	uint64_t off = mt_mpk_offset(&r->c), u;
	mt_status st = mt_mpk_uint(&r->c, &u, err);
	if (st)
		return st;
	if (u > max)
		return mt_err_set(err, MT_RANGE, off, r->c.record,
				  "%s %llu is out of range (at most %u)", what,
				  (unsigned long long)u, max);
	*v = (unsigned)u;
	return MT_OK;
}

/* A time in seconds since the epoch: a float, not negative and not
 * absurd (0 = unknown). */
static mt_status hdr_time(mt_reader *r, double *v, const char *what,
			  mt_err *err)
{
	uint64_t off = mt_mpk_offset(&r->c);
	mt_status st = mt_mpk_float(&r->c, v, err);
	if (st)
		return st;
	if (!(*v >= 0 && *v <= 1e12))
		return mt_err_set(err, MT_RANGE, off, 0,
				  "%s is not a time in seconds since the "
				  "epoch",
				  what);
	return MT_OK;
}

/* `threads`: [[id, name or nil], ...]. */
static mt_status parse_threads(mt_reader *r, mt_err *err)
{
	mt_mpk *c = &r->c;
	uint32_t n;
	mt_status st = mt_mpk_array(c, &n, err);
	if (st)
		return st;
	if (n > (uint64_t)(c->end - c->p) / 3)
		return mt_err_set(err, MT_TRUNCATED, mt_mpk_offset(c), 0,
				  "threads of %u entries cannot fit", n);
	mt_thread_name *t = calloc(n ? n : 1, sizeof *t);
	if (!t)
		return nomem(r, err);
	r->hdr.threads = t;
	r->hdr.nthreads = n;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t m;
		uint64_t off = mt_mpk_offset(c);
		if ((st = mt_mpk_array(c, &m, err)))
			return st;
		if (m != 2)
			return mt_err_set(err, MT_TYPE, off, c->record,
					  "expected a thread [id, name], got "
					  "%u elements",
					  m);
		if ((st = mt_mpk_uint(c, &t[i].id, err)))
			return st;
		if (mt_mpk_peek(c) == MT_MPK_NIL)
			st = mt_mpk_nil(c, err);
		else
			st = hdr_str(r, &t[i].name, err);
		if (st)
			return st;
	}
	return MT_OK;
}

static mt_status parse_relations(mt_reader *r, mt_err *err)
{
	uint32_t n;
	mt_status st = mt_mpk_array(&r->c, &n, err);
	if (st)
		return st;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t m;
		unsigned code;
		const char *name, *lk;
		uint32_t nlen, lklen;
		uint64_t off = mt_mpk_offset(&r->c);
		if ((st = mt_mpk_array(&r->c, &m, err)))
			return st;
		if (m != 3)
			return mt_err_set(err, MT_TYPE, off, r->c.record,
					  "expected a relation [code, name, "
					  "label kind], got %u elements",
					  m);
		if ((st = hdr_small(r, &code, MAX_REL - 1, "relation code",
				    err)) ||
		    (st = mt_mpk_str(&r->c, &name, &nlen, err)))
			return st;
		off = mt_mpk_offset(&r->c);
		if ((st = mt_mpk_str(&r->c, &lk, &lklen, err)))
			return st;
		int kind = lklen == 3 && !memcmp(lk, "int", 3)    ? MT_LABEL_INT
			   : lklen == 4 && !memcmp(lk, "name", 4) ? MT_LABEL_NAME
			   : lklen == 3 && !memcmp(lk, "ref", 3)  ? MT_LABEL_REF
								  : -1;
		if (kind < 0)
			return mt_err_set(err, MT_RANGE, off, r->c.record,
					  "unknown label kind '%.*s'",
					  (int)(lklen > 20 ? 20 : lklen), lk);
		int known = mt_relation_label_kind(code);
		if (known >= 0 && known != kind)
			return mt_err_set(err, MT_RANGE, off, r->c.record,
					  "relation %u declared with label "
					  "kind '%.*s', expected '%s'",
					  code, (int)lklen, lk,
					  known == MT_LABEL_INT    ? "int"
					  : known == MT_LABEL_NAME ? "name"
								   : "ref");
		r->label_kind[code] = (signed char)kind;
	}
	return MT_OK;
}

static mt_status parse_header(mt_reader *r, mt_err *err)
{
	mt_mpk *c = &r->c;
	const char *s;
	uint32_t n;
	mt_status st;
	uint64_t off = 0;

	if (mt_mpk_peek(c) != MT_MPK_STR ||
	    mt_mpk_str(c, &s, &n, NULL) != MT_OK || n != MT_DUMP_MAGIC_LEN ||
	    memcmp(s, MT_DUMP_MAGIC, n) != 0) {
		/* A file that is a proper prefix of the magic is truncated. */
		static const char magic[] = "\xad" MT_DUMP_MAGIC;
		size_t have = (size_t)(c->end - c->base);
		bool prefix = have < sizeof magic - 1 &&
			      memcmp(c->base, magic, have) == 0;
		c->p = c->base;
		return mt_err_set(err, prefix ? MT_TRUNCATED : MT_MAGIC, 0, 0,
				  "expected the string \"%s\" at the start",
				  MT_DUMP_MAGIC);
	}
	off = mt_mpk_offset(c);
	uint64_t version;
	if ((st = mt_mpk_uint(c, &version, err)))
		return st;
	if (version != MT_DUMP_VERSION)
		return mt_err_set(err, MT_VERSION, off, 0,
				  "format version %llu (this memtrack reads %d)",
				  (unsigned long long)version, MT_DUMP_VERSION);
	r->hdr.format_version = (unsigned)version;

	uint32_t nkeys;
	if ((st = mt_mpk_map(c, &nkeys, err)))
		return st;
	/* The keys this reader knows; each may appear once (a second one
	 * would be ambiguous, and its value would replace the first). */
	static const char *const known[] = {
	    "memtrack", "python",    "implementation", "build",
	    "executable", "pid",     "rss",	       "vms",
	    "ptr_size", "gc_header", "collected",      "time",
	    "python_version", "argv", "relations", "threads",
	    "start_time", "boot_id", "mark_time"};
	uint32_t keys_seen = 0;
	unsigned seen = 0;
	for (uint32_t k = 0; k < nkeys; k++) {
		const char *key;
		uint32_t klen;
		uint64_t koff = mt_mpk_offset(c);
		if ((st = mt_mpk_str(c, &key, &klen, err)))
			return st;
		for (uint32_t i = 0; i < sizeof known / sizeof known[0]; i++) {
			if (strlen(known[i]) != klen ||
			    memcmp(known[i], key, klen) != 0)
				continue;
			if (keys_seen & (1u << i))
				return mt_err_set(err, MT_TYPE, koff, 0,
						  "header key \"%s\" appears "
						  "twice",
						  known[i]);
			keys_seen |= 1u << i;
		}
#define KEY(lit) (klen == sizeof(lit) - 1 && !memcmp(key, lit, klen))
		uint64_t u;
		if (KEY("memtrack"))
			st = hdr_str(r, &r->hdr.memtrack_version, err);
		else if (KEY("python"))
			st = hdr_str(r, &r->hdr.python_version, err);
		else if (KEY("implementation"))
			st = hdr_str(r, &r->hdr.implementation, err);
		else if (KEY("build"))
			st = hdr_str(r, &r->hdr.build, err);
		else if (KEY("executable"))
			st = hdr_str(r, &r->hdr.executable, err);
		else if (KEY("pid"))
			st = hdr_uint(r, &r->hdr.pid, err);
		else if (KEY("rss"))
			st = hdr_uint(r, &r->hdr.rss, err);
		else if (KEY("vms"))
			st = hdr_uint(r, &r->hdr.vms, err);
		else if (KEY("ptr_size"))
			st = hdr_small(r, &r->hdr.ptr_size, 16, "ptr_size", err);
		else if (KEY("gc_header"))
			st = hdr_small(r, &r->hdr.gc_header, 1024, "gc_header",
				       err);
		else if (KEY("collected"))
			st = mt_mpk_bool(c, &r->hdr.collected, err);
		else if (KEY("time"))
			st = mt_mpk_float(c, &r->hdr.time, err);
		else if (KEY("start_time"))
			st = hdr_time(r, &r->hdr.start_time, "start_time", err);
		else if (KEY("mark_time"))
			st = hdr_time(r, &r->hdr.mark_time, "mark_time", err);
		else if (KEY("boot_id")) {
			if (mt_mpk_peek(c) == MT_MPK_NIL)
				st = mt_mpk_nil(c, err);
			else
				st = hdr_str(r, &r->hdr.boot_id, err);
		} else if (KEY("python_version")) {
			uint32_t m;
			uint64_t aoff = mt_mpk_offset(c);
			if ((st = mt_mpk_array(c, &m, err)))
				return st;
			if (m != 3)
				return mt_err_set(err, MT_TYPE, aoff, 0,
						  "expected python_version "
						  "[major, minor, micro]");
			if ((st = hdr_small(r, &r->hdr.py_major, 1000, "major",
					    err)) ||
			    (st = hdr_small(r, &r->hdr.py_minor, 1000, "minor",
					    err)) ||
			    (st = hdr_small(r, &r->hdr.py_micro, 1000, "micro",
					    err)))
				return st;
			seen |= 1;
		} else if (KEY("argv")) {
			uint32_t m;
			if ((st = mt_mpk_array(c, &m, err)))
				return st;
			if (m > (uint64_t)(c->end - c->p))
				return mt_err_set(err, MT_TRUNCATED,
						  mt_mpk_offset(c), 0,
						  "argv of %u strings cannot fit",
						  m);
			r->hdr.argv = calloc(m + 1, sizeof *r->hdr.argv);
			if (!r->hdr.argv)
				return nomem(r, err);
			r->hdr.argc = m;
			for (uint32_t i = 0; i < m && !st; i++)
				st = hdr_str(r, &r->hdr.argv[i], err);
		} else if (KEY("threads")) {
			st = parse_threads(r, err);
		} else if (KEY("relations")) {
			st = parse_relations(r, err);
			seen |= 2;
		} else
			st = mt_mpk_skip(c, err);
#undef KEY
		(void)u;
		if (st)
			return st;
	}
	if (!(seen & 1))
		return mt_err_set(err, MT_TYPE, mt_mpk_offset(c), 0,
				  "header has no python_version");
	/* Strings absent from a header read as "". */
	const char **strs[] = {&r->hdr.memtrack_version, &r->hdr.python_version,
			       &r->hdr.implementation,   &r->hdr.build,
			       &r->hdr.executable};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		if (!*strs[i])
			*strs[i] = "";
	if (!r->hdr.argv) {
		r->hdr.argv = calloc(1, sizeof *r->hdr.argv);
		if (!r->hdr.argv)
			return nomem(r, err);
	}
	return MT_OK;
}

mt_status mt_reader_new(mt_reader **out, const void *buf, size_t len,
			mt_err *err)
{
	*out = NULL;
	mt_reader *r = calloc(1, sizeof *r);
	if (!r)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, NULL);
	mt_mpk_init(&r->c, buf, len);
	r->len = len;
	mt_hash64_init(&r->hash);
	for (unsigned i = 0; i < MAX_REL; i++)
		r->label_kind[i] = (signed char)mt_relation_label_kind(i);
	mt_status st = parse_header(r, err);
	if (st) {
		mt_reader_free(r);
		return st;
	}
	*out = r;
	return MT_OK;
}

const mt_header *mt_reader_header(const mt_reader *r)
{
	return &r->hdr;
}

const mt_trailer *mt_reader_trailer(const mt_reader *r)
{
	return &r->trailer;
}

uint64_t mt_reader_offset(const mt_reader *r)
{
	return mt_mpk_offset(&r->c);
}

void mt_reader_set_direct(mt_reader *r, bool on)
{
	r->no_direct = !on;
}

uint64_t mt_reader_done(const mt_reader *r)
{
	return r->hashed;
}

/* Brings the checksum up to offset `to` (at most the current offset). */
static void hash_to(mt_reader *r, uint64_t to)
{
	if (to > r->hashed) {
		mt_hash64_update(&r->hash, r->c.base + r->hashed,
				 (size_t)(to - r->hashed));
		r->hashed = to;
	}
}

static inline mt_status read_ref(mt_reader *r, uint32_t *id, const char *what,
				 mt_err *err)
{
	mt_mpk *c = &r->c;
	uint64_t code;
	/* fast path: positive fixint */
	if (c->p < c->end && *c->p <= 0x7f) {
		code = *c->p;
	} else {
		const uint8_t *start = c->p;
		mt_status st = mt_mpk_uint(c, &code, err);
		if (st)
			return st;
		c->p = start;
	}
	if (code == 0) {
		if (r->hi == UINT32_MAX)
			return mt_err_set(err, MT_RANGE, mt_mpk_offset(c),
					  c->record, "more than 2^32-1 objects");
		*id = r->hi++;
	} else if (code > r->hi) {
		return mt_err_set(err, MT_BADREF, mt_mpk_offset(c), c->record,
				  "%s refers %llu back but only %u objects "
				  "exist so far",
				  what, (unsigned long long)code, r->hi);
	} else {
		*id = r->hi - (uint32_t)code;
	}
	uint64_t dummy;
	if (*c->p <= 0x7f)
		c->p++;
	else
		mt_mpk_uint(c, &dummy, NULL);
	return MT_OK;
}

static mt_status read_edges(mt_reader *r, size_t n, mt_err *err)
{
	mt_mpk *c = &r->c;
	if (n > r->ecap) {
		/* every edge needs at least 3 bytes: no huge bogus allocations */
		if (n > (size_t)(c->end - c->p) / 3)
			return mt_err_set(err, MT_TRUNCATED, mt_mpk_offset(c),
					  c->record,
					  "record announces %zu edges, more "
					  "than the rest of the file can hold",
					  n);
		size_t cap = r->ecap ? r->ecap : 64;
		while (cap < n)
			cap *= 2;
		mt_edge *e = realloc(r->ebuf, cap * sizeof *e);
		if (!e)
			return nomem(r, err);
		r->ebuf = e;
		r->ecap = cap;
	}
	for (size_t i = 0; i < n; i++) {
		mt_edge *e = &r->ebuf[i];
		uint64_t rel, off = mt_mpk_offset(c);
		mt_status st;
		if ((st = mt_mpk_uint(c, &rel, err)))
			return st;
		if (rel >= MAX_REL || r->label_kind[rel] < 0)
			return mt_err_set(err, MT_RANGE, off, c->record,
					  "unknown relation code %llu",
					  (unsigned long long)rel);
		e->rel = (uint8_t)rel;
		if ((st = read_ref(r, &e->target, "edge target", err)))
			return st;
		int lk = r->label_kind[rel];
		if (lk == MT_LABEL_REF) {
			uint32_t id = 0;
			if ((st = read_ref(r, &id, "edge label", err)))
				return st;
			e->label = id;
		} else {
			off = mt_mpk_offset(c);
			if ((st = mt_mpk_uint(c, &e->label, err)))
				return st;
			if (lk == MT_LABEL_NAME && e->label >= r->names)
				return mt_err_set(err, MT_BADREF, off, c->record,
						  "edge label is name %llu but "
						  "only %llu names exist",
						  (unsigned long long)e->label,
						  (unsigned long long)r->names);
		}
	}
	r->edges += n;
	return MT_OK;
}

static mt_status read_value(mt_reader *r, mt_value *v, mt_err *err)
{
	mt_mpk *c = &r->c;
	uint64_t off = mt_mpk_offset(c);
	uint32_t m;
	mt_status st;
	bool b;
	memset(v, 0, sizeof *v);
	switch (mt_mpk_peek(c)) {
	case MT_MPK_NIL:
		v->kind = MT_VAL_NONE;
		return mt_mpk_nil(c, err);
	case MT_MPK_STR:
		v->kind = MT_VAL_STR;
		return mt_mpk_str(c, &v->s, &v->slen, err);
	case MT_MPK_BIN:
		v->kind = MT_VAL_BYTES;
		return mt_mpk_bin(c, &v->s, &v->slen, err);
	case MT_MPK_UINT:
	case MT_MPK_NINT:
		v->kind = MT_VAL_INT;
		return mt_mpk_int(c, &v->i, err);
	case MT_MPK_FLOAT:
		v->kind = MT_VAL_FLOAT;
		return mt_mpk_float(c, &v->d, err);
	case MT_MPK_BOOL:
		v->kind = MT_VAL_BOOL;
		st = mt_mpk_bool(c, &b, err);
		v->i = b;
		return st;
	case MT_MPK_ARRAY:
		if ((st = mt_mpk_array(c, &m, err)))
			return st;
		if (m == 2) {
			v->kind = MT_VAL_QUALNAME;
			if ((st = mt_mpk_str(c, &v->s, &v->slen, err)))
				return st;
			return mt_mpk_str(c, &v->s2, &v->s2len, err);
		}
		if (m == 3) {
			v->kind = MT_VAL_CODE;
			if ((st = mt_mpk_str(c, &v->s, &v->slen, err)) ||
			    (st = mt_mpk_int(c, &v->i, err)))
				return st;
			return mt_mpk_str(c, &v->s2, &v->s2len, err);
		}
		return mt_err_set(err, MT_TYPE, off, c->record,
				  "expected a value array of 2 or 3 elements, "
				  "got %u",
				  m);
	default:
		break;
	}
	return mt_err_set(err, mt_mpk_peek(c) == MT_MPK_EOF ? MT_TRUNCATED
							     : MT_TYPE,
			  off, c->record,
			  "expected a value (nil, str, bin, int, float, bool "
			  "or array), got %s",
			  mt_mpk_type_name(mt_mpk_peek(c)));
}

static mt_status read_object(mt_reader *r, mt_record *rec, uint32_t n,
			     mt_err *err)
{
	mt_mpk *c = &r->c;
	mt_obj *o = &rec->obj;
	mt_status st;
	uint64_t off = rec->offset;

	if (n < 7 || (n - 7) % 3)
		return mt_err_set(err, MT_TYPE, off, c->record,
				  "object record has %u elements, expected 7 "
				  "+ 3 per edge",
				  n);
	if (r->objects >= UINT32_MAX || r->objects > r->hi)
		return mt_err_set(err, MT_BADREF, off, c->record,
				  "object record %llu skips ids",
				  (unsigned long long)r->objects);
	rec->id = (uint32_t)r->objects;
	if (rec->id == r->hi)
		r->hi++;
	if (mt_mpk_peek(c) == MT_MPK_NIL) { /* the previous object's type */
		if (!r->objects)
			return mt_err_set(err, MT_TYPE, mt_mpk_offset(c),
					  c->record,
					  "the first object's type is nil "
					  "(\"same as the previous object\")");
		mt_mpk_nil(c, NULL);
		o->type = r->type_prev;
	} else if ((st = read_ref(r, &o->type, "type", err))) {
		return st;
	}
	r->type_prev = o->type;
	if ((st = mt_mpk_uint(c, &o->size, err)))
		return st;
	if (mt_mpk_peek(c) == MT_MPK_NIL) {
		mt_mpk_nil(c, NULL);
		off = mt_mpk_offset(c);
		if (mt_mpk_peek(c) != MT_MPK_NIL && mt_mpk_peek(c) != MT_MPK_EOF &&
		    mt_mpk_peek(c) != MT_MPK_INVALID)
			return mt_err_set(err, MT_TYPE, off, c->record,
					  "virtual object (addr nil) must have "
					  "refcnt nil");
		if ((st = mt_mpk_nil(c, err)))
			return st;
		o->addr = 0;
		o->refcnt = 0;
	} else {
		int64_t delta;
		off = mt_mpk_offset(c);
		if ((st = mt_mpk_int(c, &delta, err)))
			return st;
		o->addr = r->addr_prev + (uint64_t)delta;
		if (o->addr == 0)
			return mt_err_set(err, MT_RANGE, off, c->record,
					  "object at address 0");
		r->addr_prev = o->addr;
		if ((st = mt_mpk_uint(c, &o->refcnt, err)))
			return st;
	}
	if (mt_mpk_peek(c) == MT_MPK_NIL) {
		mt_mpk_nil(c, NULL);
		o->length = MT_NO_LENGTH;
	} else if ((st = mt_mpk_int(c, &o->length, err)))
		return st;
	if ((st = read_value(r, &o->value, err)))
		return st;
	if ((st = read_edges(r, (n - 7) / 3, err)))
		return st;
	rec->edges = r->ebuf;
	rec->nedges = (n - 7) / 3;
	r->objects++;
	return MT_OK;
}

static mt_status read_end(mt_reader *r, uint64_t off, uint32_t n, mt_err *err)
{
	mt_mpk *c = &r->c;
	mt_trailer *t = &r->trailer;
	mt_status st;
	if (n != 6)
		return mt_err_set(err, MT_TYPE, off, c->record,
				  "END record has %u elements, expected 6", n);
	uint64_t foff[5];
	uint64_t *fields[] = {&t->objects, &t->edges, &t->names, &t->reachable,
			      &t->checksum};
	for (int i = 0; i < 5; i++) {
		foff[i] = mt_mpk_offset(c);
		if ((st = mt_mpk_uint(c, fields[i], err)))
			return st;
	}
	if (mt_mpk_offset(c) != r->len)
		return mt_err_set(err, MT_TRAILING, mt_mpk_offset(c), c->record,
				  "%llu bytes after the END record",
				  (unsigned long long)(r->len - mt_mpk_offset(c)));
	static const char *const what[] = {"objects", "edges", "names"};
	uint64_t have[] = {r->objects, r->edges, r->names};
	for (int i = 0; i < 3; i++)
		if (*fields[i] != have[i])
			return mt_err_set(err, MT_COUNT, foff[i], c->record,
					  "END record says %llu %s, the dump "
					  "has %llu",
					  (unsigned long long)*fields[i],
					  what[i], (unsigned long long)have[i]);
	if (r->hi != r->objects)
		return mt_err_set(err, MT_BADREF, off, c->record,
				  "%u objects are referenced but only %llu "
				  "have records",
				  r->hi, (unsigned long long)r->objects);
	if (t->reachable > t->objects)
		return mt_err_set(err, MT_COUNT, foff[3], c->record,
				  "reachable count %llu above object count",
				  (unsigned long long)t->reachable);
	hash_to(r, foff[4]);
	uint64_t sum = mt_hash64_final(&r->hash);
	if (sum != t->checksum)
		return mt_err_set(err, MT_CHECKSUM, foff[4], c->record,
				  "END record says 0x%016llx, content gives "
				  "0x%016llx",
				  (unsigned long long)t->checksum,
				  (unsigned long long)sum);
	if ((r->mark != NULL) != (r->hdr.mark_time != 0))
		return mt_err_set(err, MT_TYPE, r->mark ? r->mark_offset : off,
				  c->record,
				  r->mark ? "MARK record without header "
					    "mark_time"
					  : "header has mark_time but the dump "
					    "has no MARK record");
	r->ended = true;
	return MT_END;
}

/* [5, text]: appends a copy of text to the header's warnings. */
static mt_status read_warning(mt_reader *r, uint64_t off, uint32_t n,
			      mt_err *err)
{
	mt_mpk *c = &r->c;
	const char *s;
	uint32_t len;
	mt_status st;
	if (n != 2)
		return mt_err_set(err, MT_TYPE, off, c->record,
				  "WARNING record has %u elements, expected 2",
				  n);
	if ((st = mt_mpk_str(c, &s, &len, err)))
		return st;
	const char **w = realloc((void *)r->hdr.warnings,
				 (r->hdr.nwarnings + 1) * sizeof *w);
	if (!w)
		return mt_err_set(err, MT_NOMEM, off, c->record, "warnings");
	r->hdr.warnings = w;
	if (!(w[r->hdr.nwarnings] = keep(r, s, len)))
		return mt_err_set(err, MT_NOMEM, off, c->record, "warnings");
	r->hdr.nwarnings++;
	return MT_OK;
}

/* [6, nbits, bin]: kept (a pointer into the buffer), not returned. */
static mt_status read_mark(mt_reader *r, uint64_t off, uint32_t n,
			   mt_err *err)
{
	mt_mpk *c = &r->c;
	const char *s;
	uint32_t len;
	uint64_t nbits, foff;
	mt_status st;
	if (n != 3)
		return mt_err_set(err, MT_TYPE, off, c->record,
				  "MARK record has %u elements, expected 3", n);
	if (r->mark)
		return mt_err_set(err, MT_TYPE, off, c->record,
				  "MARK record repeated");
	foff = mt_mpk_offset(c);
	if ((st = mt_mpk_uint(c, &nbits, err)))
		return st;
	if (nbits != r->objects || r->hi != r->objects)
		return mt_err_set(err, MT_COUNT, foff, c->record,
				  "MARK record covers %llu objects, the dump "
				  "has %llu so far",
				  (unsigned long long)nbits,
				  (unsigned long long)r->objects);
	foff = mt_mpk_offset(c);
	if ((st = mt_mpk_bin(c, &s, &len, err)))
		return st;
	if (len != (nbits + 7) / 8)
		return mt_err_set(err, MT_COUNT, foff, c->record,
				  "MARK record has %u bytes for %llu objects",
				  len, (unsigned long long)nbits);
	if (nbits % 8 && ((const uint8_t *)s)[len - 1] >> (nbits % 8))
		return mt_err_set(err, MT_RANGE, foff, c->record,
				  "MARK record has bits past the last object");
	r->mark = (const uint8_t *)s;
	r->mark_nbits = nbits;
	r->mark_offset = off;
	return MT_OK;
}

bool mt_reader_mark(const mt_reader *r, const uint8_t **bits,
		    uint64_t *nbits)
{
	*bits = r->mark;
	*nbits = r->mark ? r->mark_nbits : 0;
	return r->mark != NULL;
}

/* [7, files, sites, bin]: kept (decoded tables, the bin validated), not
 * returned. */
static mt_status read_sites(mt_reader *r, uint64_t off, uint32_t n, mt_err *err)
{
	mt_mpk *c = &r->c;
	mt_sites_rec *sr = &r->sites;
	uint32_t nf, ns, len;
	uint64_t foff;
	const char *s;
	mt_status st;
	if (n != 4)
		return mt_err_set(err, MT_TYPE, off, c->record,
				  "SITES record has %u elements, expected 4",
				  n);
	if (r->has_sites)
		return mt_err_set(err, MT_TYPE, off, c->record,
				  "SITES record repeated");
	if (r->hi != r->objects)
		return mt_err_set(err, MT_BADREF, off, c->record,
				  "SITES record before the objects referenced "
				  "so far have records");
	if ((st = mt_mpk_array(c, &nf, err)))
		return st;
	if (nf > (uint64_t)(c->end - c->p))
		return mt_err_set(err, MT_TRUNCATED, mt_mpk_offset(c),
				  c->record,
				  "SITES files of %u entries cannot "
				  "fit",
				  nf);
	const char **files = malloc((nf ? nf : 1) * sizeof *files);
	if (!files)
		return nomem(r, err);
	sr->files = files;
	for (uint32_t i = 0; i < nf; i++) {
		if ((st = mt_mpk_str(c, &s, &len, err)))
			return st;
		if (!(files[i] = keep(r, s, len)))
			return nomem(r, err);
	}
	sr->nfiles = nf;
	foff = mt_mpk_offset(c);
	if ((st = mt_mpk_array(c, &ns, err)))
		return st;
	if (ns % 2)
		return mt_err_set(err, MT_TYPE, foff, c->record,
				  "SITES sites have %u numbers, expected 2 "
				  "per site",
				  ns);
	if (ns > (uint64_t)(c->end - c->p))
		return mt_err_set(err, MT_TRUNCATED, foff, c->record,
				  "SITES sites of %u numbers cannot fit", ns);
	ns /= 2;
	uint32_t *sf = malloc((ns ? ns : 1) * sizeof *sf);
	uint32_t *sl = malloc((ns ? ns : 1) * sizeof *sl);
	sr->site_file = sf;
	sr->site_line = sl;
	if (!sf || !sl)
		return nomem(r, err);
	for (uint32_t k = 0; k < ns; k++) {
		uint64_t f, l;
		foff = mt_mpk_offset(c);
		if ((st = mt_mpk_uint(c, &f, err)))
			return st;
		if (f >= nf)
			return mt_err_set(err, MT_RANGE, foff, c->record,
					  "SITES site %u names file %llu of "
					  "%u",
					  k + 1, (unsigned long long)f, nf);
		foff = mt_mpk_offset(c);
		if ((st = mt_mpk_uint(c, &l, err)))
			return st;
		if (l > UINT32_MAX)
			return mt_err_set(err, MT_RANGE, foff, c->record,
					  "SITES site %u has line %llu", k + 1,
					  (unsigned long long)l);
		sf[k] = (uint32_t)f;
		sl[k] = (uint32_t)l;
	}
	sr->nsites = ns;
	foff = mt_mpk_offset(c);
	if ((st = mt_mpk_bin(c, &s, &len, err)))
		return st;
	const uint8_t *p = (const uint8_t *)s, *end = p + len;
	uint64_t count = 0;
	while (p < end) {
		uint64_t v = 0;
		unsigned shift = 0;
		for (;;) {
			if (p == end || shift > 28)
				return mt_err_set(err, MT_RANGE, foff,
						  c->record,
						  "SITES value %llu is cut or "
						  "too long",
						  (unsigned long long)count);
			uint8_t b = *p++;
			v |= (uint64_t)(b & 0x7f) << shift;
			shift += 7;
			if (!(b & 0x80))
				break;
		}
		if (v > ns)
			return mt_err_set(err, MT_RANGE, foff, c->record,
					  "SITES gives object %llu site %llu "
					  "of %u",
					  (unsigned long long)count,
					  (unsigned long long)v, ns);
		count++;
	}
	if (count != r->objects)
		return mt_err_set(err, MT_COUNT, foff, c->record,
				  "SITES record covers %llu objects, the dump "
				  "has %llu",
				  (unsigned long long)count,
				  (unsigned long long)r->objects);
	sr->codes = (const uint8_t *)s;
	sr->ncodes = len;
	r->has_sites = true;
	return MT_OK;
}

bool mt_reader_sites(const mt_reader *r, mt_sites_rec *out)
{
	if (!r->has_sites) {
		memset(out, 0, sizeof *out);
		return false;
	}
	*out = r->sites;
	return true;
}

/* ---- the direct decoder of OBJECT records (see the file comment) ---- */

static inline uint64_t be(const uint8_t *p, unsigned w)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < w; i++)
		v = v << 8 | p[i];
	return v;
}

/* Each macro reads at p (bounded by e) or jumps to `slow`. */
#define F_NEED(k)                                                              \
	do {                                                                   \
		if ((size_t)(e - p) < (size_t)(k))                             \
			goto slow;                                             \
	} while (0)

/* A non-negative integer: fixint or uint 8/16/32/64. */
#define F_UINT(v)                                                              \
	do {                                                                   \
		F_NEED(1);                                                     \
		uint8_t b_ = *p;                                               \
		if (b_ <= 0x7f) {                                              \
			(v) = b_;                                              \
			p++;                                                   \
		} else if (b_ >= 0xcc && b_ <= 0xcf) {                         \
			unsigned w_ = 1u << (b_ - 0xcc);                       \
			F_NEED(1 + w_);                                        \
			(v) = be(p + 1, w_);                                   \
			p += 1 + w_;                                           \
		} else {                                                       \
			goto slow;                                             \
		}                                                              \
	} while (0)

/* A signed 64-bit integer: also negative fixint and int 8/16/32/64. */
#define F_INT(v)                                                               \
	do {                                                                   \
		F_NEED(1);                                                     \
		uint8_t b_ = *p;                                               \
		if (b_ <= 0x7f) {                                              \
			(v) = b_;                                              \
			p++;                                                   \
		} else if (b_ >= 0xe0) {                                       \
			(v) = (int8_t)b_;                                      \
			p++;                                                   \
		} else if (b_ >= 0xcc && b_ <= 0xcf) {                         \
			unsigned w_ = 1u << (b_ - 0xcc);                       \
			F_NEED(1 + w_);                                        \
			uint64_t u_ = be(p + 1, w_);                           \
			if (u_ > (uint64_t)INT64_MAX)                          \
				goto slow;                                     \
			(v) = (int64_t)u_;                                     \
			p += 1 + w_;                                           \
		} else if (b_ >= 0xd0 && b_ <= 0xd3) {                         \
			unsigned w_ = 1u << (b_ - 0xd0);                       \
			F_NEED(1 + w_);                                        \
			uint64_t u_ = be(p + 1, w_);                           \
			if (w_ < 8) {                                          \
				uint64_t sign_ = 1ULL << (8 * w_ - 1);         \
				u_ = (u_ ^ sign_) - sign_;                     \
			}                                                      \
			(v) = (int64_t)u_;                                     \
			p += 1 + w_;                                           \
		} else {                                                       \
			goto slow;                                             \
		}                                                              \
	} while (0)

/* A reference (doc/format.md): code 0 introduces hi, c >= 1 is hi - c. */
#define F_REF(id)                                                              \
	do {                                                                   \
		uint64_t c_;                                                   \
		F_UINT(c_);                                                    \
		if (c_ == 0) {                                                 \
			if (hi == UINT32_MAX)                                  \
				goto slow;                                     \
			(id) = hi++;                                           \
		} else if (c_ > hi) {                                          \
			goto slow;                                             \
		} else {                                                       \
			(id) = hi - (uint32_t)c_;                              \
		}                                                              \
	} while (0)

/* A str: fixstr or str 8/16/32; s points into the buffer. */
#define F_STR(s, n)                                                            \
	do {                                                                   \
		F_NEED(1);                                                     \
		uint8_t b_ = *p;                                               \
		uint64_t l_;                                                   \
		if (b_ >= 0xa0 && b_ <= 0xbf) {                                \
			l_ = b_ & 0x1f;                                        \
			p++;                                                   \
		} else if (b_ >= 0xd9 && b_ <= 0xdb) {                         \
			unsigned w_ = 1u << (b_ - 0xd9);                       \
			F_NEED(1 + w_);                                        \
			l_ = be(p + 1, w_);                                    \
			p += 1 + w_;                                           \
		} else {                                                       \
			goto slow;                                             \
		}                                                              \
		F_NEED(l_);                                                    \
		(s) = (const char *)p;                                         \
		(n) = (uint32_t)l_;                                            \
		p += l_;                                                       \
	} while (0)

/* Decodes the OBJECT record at the cursor into *rec when it is in the
 * encodings the writer uses and valid; true then, with the reader's state
 * advanced as read_object would.  False (the state untouched, the cursor
 * where it was) when the general path must read the record. */
static bool fast_object(mt_reader *r, mt_record *rec)
{
	const uint8_t *p = r->c.p, *e = r->c.end;
	uint32_t n, hi = r->hi, type;
	mt_obj *o = &rec->obj;
	uint64_t addr_prev = r->addr_prev;

	F_NEED(2);
	if (*p >= 0x90 && *p <= 0x9f) {
		n = *p & 0x0f;
		p++;
	} else if (*p == 0xdc || *p == 0xdd) {
		unsigned w = *p == 0xdc ? 2 : 4;
		F_NEED(2 + w);
		n = (uint32_t)be(p + 1, w);
		p += 1 + w;
	} else {
		goto slow;
	}
	if (*p != MT_REC_OBJECT || n < 7 || (n - 7) % 3 || r->mark ||
	    r->has_sites || r->objects >= UINT32_MAX || r->objects > hi)
		goto slow;
	p++;
	uint32_t id = (uint32_t)r->objects;
	if (id == hi)
		hi++;
	F_NEED(1);
	if (*p == 0xc0) {
		if (!r->objects)
			goto slow;
		type = r->type_prev;
		p++;
	} else {
		F_REF(type);
	}
	F_UINT(o->size);
	F_NEED(1);
	if (*p == 0xc0) {
		F_NEED(2);
		if (p[1] != 0xc0)
			goto slow;
		p += 2;
		o->addr = 0;
		o->refcnt = 0;
	} else {
		int64_t delta;
		F_INT(delta);
		o->addr = addr_prev + (uint64_t)delta;
		if (o->addr == 0)
			goto slow;
		addr_prev = o->addr;
		F_UINT(o->refcnt);
	}
	F_NEED(1);
	if (*p == 0xc0) {
		o->length = MT_NO_LENGTH;
		p++;
	} else {
		F_INT(o->length);
	}
	mt_value *v = &o->value;
	memset(v, 0, sizeof *v);
	F_NEED(1);
	{
		uint8_t b = *p;
		if (b == 0xc0) {
			v->kind = MT_VAL_NONE;
			p++;
		} else if ((b >= 0xa0 && b <= 0xbf) ||
			   (b >= 0xd9 && b <= 0xdb)) {
			v->kind = MT_VAL_STR;
			F_STR(v->s, v->slen);
		} else if (b <= 0x7f || b >= 0xe0 ||
			   (b >= 0xcc && b <= 0xd3)) {
			v->kind = MT_VAL_INT;
			F_INT(v->i);
		} else if (b == 0xcb) {
			F_NEED(9);
			uint64_t bits = be(p + 1, 8);
			v->kind = MT_VAL_FLOAT;
			memcpy(&v->d, &bits, 8);
			p += 9;
		} else if (b == 0xc2 || b == 0xc3) {
			v->kind = MT_VAL_BOOL;
			v->i = b == 0xc3;
			p++;
		} else if (b == 0x92) {
			p++;
			v->kind = MT_VAL_QUALNAME;
			F_STR(v->s, v->slen);
			F_STR(v->s2, v->s2len);
		} else if (b == 0x93) {
			p++;
			v->kind = MT_VAL_CODE;
			F_STR(v->s, v->slen);
			F_INT(v->i);
			F_STR(v->s2, v->s2len);
		} else {
			goto slow; /* bin, float32, other arrays, errors */
		}
	}
	size_t k = (n - 7) / 3;
	if (k > r->ecap) {
		if (k > (size_t)(e - p) / 3)
			goto slow;
		size_t cap = r->ecap ? r->ecap : 64;
		while (cap < k)
			cap *= 2;
		mt_edge *eb = realloc(r->ebuf, cap * sizeof *eb);
		if (!eb)
			goto slow;
		r->ebuf = eb;
		r->ecap = cap;
	}
	for (size_t i = 0; i < k; i++) {
		mt_edge *ed = &r->ebuf[i];
		F_NEED(3);
		uint8_t rel = *p;
		if (rel >= MAX_REL || r->label_kind[rel] < 0)
			goto slow;
		p++;
		ed->rel = rel;
		F_REF(ed->target);
		int lk = r->label_kind[rel];
		if (lk == MT_LABEL_REF) {
			uint32_t lid;
			F_REF(lid);
			ed->label = lid;
		} else {
			F_UINT(ed->label);
			if (lk == MT_LABEL_NAME && ed->label >= r->names)
				goto slow;
		}
	}
	/* valid: commit */
	rec->kind = MT_RECORD_OBJECT;
	rec->id = id;
	o->type = type;
	rec->edges = r->ebuf;
	rec->nedges = k;
	r->c.p = p;
	r->hi = hi;
	r->addr_prev = addr_prev;
	r->type_prev = type;
	r->objects++;
	r->edges += k;
	return true;
slow:
	return false;
}

#undef F_NEED
#undef F_UINT
#undef F_INT
#undef F_REF
#undef F_STR

mt_status mt_reader_next(mt_reader *r, mt_record *rec, mt_err *err)
{
	mt_mpk *c = &r->c;
	mt_status st;
	uint32_t n;
	uint64_t tag;

	if (r->ended)
		return MT_END;
next:
	c->record = ++r->records;
	rec->offset = mt_mpk_offset(c);
	if (rec->offset - r->hashed >= HASH_STEP)
		hash_to(r, rec->offset);
	if (!r->no_direct && fast_object(r, rec))
		return MT_OK;
	if (c->p >= c->end)
		return mt_err_set(err, MT_TRUNCATED, rec->offset, c->record,
				  "expected a record or the END record");
	if ((st = mt_mpk_array(c, &n, err)))
		return st;
	if (n == 0)
		return mt_err_set(err, MT_TYPE, rec->offset, c->record,
				  "empty record array");
	uint64_t toff = mt_mpk_offset(c);
	if ((st = mt_mpk_uint(c, &tag, err)))
		return st;
	switch (tag) {
	case MT_REC_NAME:
		if (n != 2)
			return mt_err_set(err, MT_TYPE, rec->offset, c->record,
					  "NAME record has %u elements, "
					  "expected 2",
					  n);
		if ((st = mt_mpk_str(c, &rec->name, &rec->name_len, err)))
			return st;
		rec->kind = MT_RECORD_NAME;
		r->names++;
		return MT_OK;
	case MT_REC_ROOTS:
		if (r->roots_seen || r->objects || r->mark || r->has_sites)
			return mt_err_set(err, MT_TYPE, rec->offset, c->record,
					  "ROOTS record %s",
					  r->roots_seen ? "repeated"
					  : r->mark ? "after the MARK record"
					  : r->has_sites
					      ? "after the SITES record"
					      : "after objects");
		if ((n - 1) % 3)
			return mt_err_set(err, MT_TYPE, rec->offset, c->record,
					  "ROOTS record has %u elements, "
					  "expected 1 + 3 per edge",
					  n);
		if ((st = read_edges(r, (n - 1) / 3, err)))
			return st;
		rec->kind = MT_RECORD_ROOTS;
		rec->edges = r->ebuf;
		rec->nedges = (n - 1) / 3;
		r->roots_seen = true;
		return MT_OK;
	case MT_REC_OBJECT:
		if (r->mark || r->has_sites)
			return mt_err_set(err, MT_TYPE, rec->offset, c->record,
					  "OBJECT record after the %s record",
					  r->mark ? "MARK" : "SITES");
		rec->kind = MT_RECORD_OBJECT;
		return read_object(r, rec, n, err);
	case MT_REC_END:
		return read_end(r, rec->offset, n, err);
	case MT_REC_WARNING:
		/* kept in the header, not returned as a record */
		if ((st = read_warning(r, rec->offset, n, err)))
			return st;
		goto next;
	case MT_REC_MARK:
		if ((st = read_mark(r, rec->offset, n, err)))
			return st;
		goto next;
	case MT_REC_SITES:
		if ((st = read_sites(r, rec->offset, n, err)))
			return st;
		goto next;
	}
	return mt_err_set(err, MT_RANGE, toff, c->record,
			  "unknown record tag %llu (expected 1-7)",
			  (unsigned long long)tag);
}

void mt_reader_free(mt_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nallocs; i++)
		free(r->allocs[i]);
	free(r->allocs);
	free((void *)r->hdr.argv);
	free((void *)r->hdr.threads);
	free((void *)r->hdr.warnings);
	free(r->ebuf);
	free((void *)r->sites.files);
	free((void *)r->sites.site_file);
	free((void *)r->sites.site_line);
	free(r);
}
