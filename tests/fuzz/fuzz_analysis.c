/* libFuzzer target: the loader and the analysis on inputs that pass the
 * reader's END checks.  A mutated dump almost never keeps a valid END
 * record (counts and a checksum over every byte before it), so fuzz_load
 * rarely gets past the reader; this target repairs the input first:
 *
 *   1. it reads the records with the real reader (src/format) and keeps
 *      every byte up to the last record that read well (an END record or
 *      anything after it is dropped);
 *   2. it appends a bare OBJECT record for every id that was referenced
 *      but has no record yet (type: object 0; virtual, no value);
 *   3. it appends an END record with the counts the reader checks and the
 *      checksum of everything before the checksum (doc/format.md).
 *
 * Then it loads the repaired dump (src/graph) and runs the analysis on it
 * through the query language: partitions by every classifier, the
 * identity table, the dominator tree (domisize, dominos), shortest paths,
 * reference patterns and DOT.  Anything but MT_OK or an error value (a
 * crash, a sanitizer report, a leak) is a finding.  Built by
 * ./configure --enable-fuzzing CC=clang; tests/fuzz/run.sh runs it.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/checksum.h"
#include "memtrack/dump.h"
#include "memtrack/ctx.h"
#include "memtrack/graph.h"
#include "memtrack/query.h"
#include "memtrack/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Big enough for every repaired input libFuzzer makes (-max_len). */
#define MAX_GRAPH 20000

typedef struct buf {
	uint8_t *p;
	size_t len, cap;
	int nomem;
} buf;

static void put(buf *b, const void *s, size_t n)
{
	if (b->nomem)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (!p) {
			b->nomem = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

/* A msgpack uint in its shortest form, or always 9 bytes when wide. */
static void put_uint(buf *b, uint64_t v, int wide)
{
	uint8_t o[9];
	size_t n;
	if (!wide && v < 128) {
		o[0] = (uint8_t)v;
		n = 1;
	} else if (!wide && v <= UINT32_MAX) {
		o[0] = 0xce;
		for (int i = 0; i < 4; i++)
			o[1 + i] = (uint8_t)(v >> (24 - 8 * i));
		n = 5;
	} else {
		o[0] = 0xcf;
		for (int i = 0; i < 8; i++)
			o[1 + i] = (uint8_t)(v >> (56 - 8 * i));
		n = 9;
	}
	put(b, o, n);
}

/* The input cut after its last good record, with the missing objects and
 * a valid END record; NULL when not even the header reads. */
static uint8_t *repair(const uint8_t *data, size_t size, size_t *outlen)
{
	mt_reader *r;
	mt_err err;
	if (mt_reader_new(&r, data, size, &err) != MT_OK)
		return NULL;
	uint64_t cut = mt_reader_offset(r), objects = 0, edges = 0, names = 0;
	uint64_t hi = 0, reachable = UINT64_MAX;
	mt_record rec;
	mt_status st;
	while ((st = mt_reader_next(r, &rec, &err)) == MT_OK) {
		if (rec.kind == MT_RECORD_NAME)
			names++;
		if (rec.kind == MT_RECORD_OBJECT) {
			objects++;
			if ((uint64_t)rec.obj.type + 1 > hi)
				hi = (uint64_t)rec.obj.type + 1;
		}
		if (rec.kind == MT_RECORD_NAME)
			continue; /* edges and nedges are not set */
		for (size_t i = 0; i < rec.nedges; i++) {
			const mt_edge *e = &rec.edges[i];
			if ((uint64_t)e->target + 1 > hi)
				hi = (uint64_t)e->target + 1;
			if (mt_relation_label_kind(e->rel) == MT_LABEL_REF &&
			    e->label + 1 > hi)
				hi = e->label + 1;
		}
		edges += rec.nedges;
		cut = mt_reader_offset(r);
	}
	if (st == MT_END) { /* a valid dump: keep its reachable count */
		reachable = mt_reader_trailer(r)->reachable;
		cut = rec.offset;
	}
	mt_reader_free(r);
	if (hi < objects)
		hi = objects;
	if (hi - objects > MAX_GRAPH)
		return NULL;

	buf b = {0};
	put(&b, data, (size_t)cut);
	/* [3, type, size, addr, refcnt, length, value]: type is a reference
	 * back to object 0 (code hi); addr and refcnt nil (virtual) */
	for (uint64_t id = objects; id < hi; id++) {
		static const uint8_t head[] = {0x97, 0x03};
		static const uint8_t tail[] = {0x00, 0xc0, 0xc0, 0xc0, 0xc0};
		put(&b, head, sizeof head);
		put_uint(&b, hi, 0);
		put(&b, tail, sizeof tail);
	}
	if (reachable > hi)
		reachable = size ? data[size - 1] % (hi + 1) : 0;
	static const uint8_t end[] = {0x96, 0x04};
	put(&b, end, sizeof end);
	put_uint(&b, hi, 0);
	put_uint(&b, edges, 0);
	put_uint(&b, names, 0);
	put_uint(&b, reachable, 0);
	mt_hash64 h;
	mt_hash64_init(&h);
	mt_hash64_update(&h, b.p, b.len);
	put_uint(&b, mt_hash64_final(&h), 1);
	if (b.nomem) {
		free(b.p);
		return NULL;
	}
	*outlen = b.len;
	return b.p;
}

/* What the browser's first screens and a batch report ask for. */
static const char *const exprs[] = {
	"h",
	"h.bytype",
	"h.byrcs",
	"h.byvia",
	"h.bysize",
	"h.bymodule",
	"h.bysurplus",
	"h.bycycle",
	"h.byidset",
	"h.byid",
	"h.by('Type&Via')",
	"h[0].byid",
	"h.domisize",
	"h[0].dominos",
	"h[-1].imdom",
	"h[0].sp",
	"h[-1].pathsin",
	"h[0].pathsout",
	"h[0].referrers",
	"h[0].rp",
	"hp.dot(h[0], max=50, referrers=True)",
	"_.more",
	"_.all",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;
	uint8_t *fixed = repair(data, size, &len);
	if (!fixed)
		return 0;
	mt_graph *g = NULL;
	mt_err err;
	if (mt_graph_load_buffer(&g, fixed, len, NULL, NULL, &err) == MT_OK) {
		mt_ctx *ctx = NULL;
		mt_query *q = NULL;
		if (mt_graph_count(g) <= MAX_GRAPH &&
		    mt_ctx_new(&ctx, g, &err) == MT_OK &&
		    mt_query_new(&q, ctx, &err) == MT_OK) {
			mt_strbuf out;
			mt_strbuf_init(&out);
			for (size_t i = 0; i < sizeof exprs / sizeof exprs[0];
			     i++) {
				mt_strbuf_reset(&out);
				(void)mt_query_run(q, exprs[i], &out, &err);
			}
			mt_strbuf_destroy(&out);
			mt_query_free(q);
		}
		mt_ctx_free(ctx);
		mt_graph_free(g);
	}
	free(fixed);
	return 0;
}
