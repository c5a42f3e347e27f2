/* The loader and the in-memory graph (include/memtrack/graph.h).
 *
 * Owns struct mt_graph: per-object arrays indexed by id (the type as a
 * uint16 index into the table of the types met, ttab, while there are at
 * most 65535 of them, else as a uint32 id; value offset as uint32, size, refcnt and length as uint16, addr as a uint32
 * low half and a uint16 high half: user-space addresses are below 2^48),
 * out-edges in CSR form (out_start[N+1], out_target/out_label as uint32,
 * out_rel as uint8), the in-edges in CSR form (in_start[N+1], in_source,
 * in_edge = the out-edge index), the value arena, the name table, the root
 * edges, a copy of the header and the table of type labels.  Values that do
 * not fit their array (sizes and refcounts of 2^16-1 or more, lengths of
 * 2^16-2 or more, edge labels of 2^32-1 or more) are stored as a sentinel
 * in the array and in a `wide` side table sorted by index (addresses of
 * 0xffff << 32 and above: WIDE16 in the high half), which stays
 * small on real heaps (big containers and strs, shared objects, 3.12's
 * immortal refcount).  Loading is one pass with the reader, appending to
 * arrays sized from the file length and grown by 1.5x, then one counting
 * sort for the in-edges.  mt_graph_load releases the pages of its mapping
 * that the reader is done with as it goes (mt_reader_done), so the file
 * does not add to the peak, and unmaps the file before it returns.  A
 * second thread (prefault.c) maps in the arrays' pages just ahead of the
 * loader's writes, so the kernel's page faults (a third of the time at
 * 80M objects) run beside the decoding instead of in it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memtrack/graph.h"
#include "memtrack/reader.h"
#include "memtrack/util.h"
#include "prefault.h"
#include "typelabel.h"

#define WIDE UINT32_MAX
#define WIDE16 UINT16_MAX
#define LEN_NONE UINT16_MAX
#define LEN_WIDE (UINT16_MAX - 1)
#define MAX_EDGES (UINT32_MAX - 1)
#define PROGRESS_EVERY 65536
#define TYPES16 65535u		/* types met before type16 turns to type32 */
#define THASH (1u << 17)	/* slots of the loader's type hash */
#define RELEASE_STEP (16u << 20) /* mt_graph_load drops read pages this often */
#define PF_AHEAD (1u << 20)	/* objects' pages mapped ahead of the loader */

/* Side table for 64-bit values of a few entries, appended in index order. */
struct wide {
	uint32_t *ix;
	uint64_t *val;
	size_t n, cap;
};

struct type_label {
	uint32_t id;
	uint32_t off;  /* into tlab */
	uint8_t flags; /* TF_* */
};

/* Type flags, inferred in finish() (see add_type_edges). */
#define TF_HEAP 1      /* a heap type: the capture wrote an attr __name__  */
#define TF_TYPE_EDGE 2 /* its instances refer to it (heapy's ob_type)   */

/* builtins types the loader looks for by [module, qualname]. */
enum { BT_TYPE, BT_INT, BT_NONE, BT_BOOL, BT_ELLIPSIS, BT_NOTIMPL, BT_N_ };
static const char *const builtin_names[BT_N_] = {
    "type", "int", "NoneType", "bool", "ellipsis", "NotImplementedType"};

struct mt_graph {
	uint32_t n, ne, reachable;
	size_t cap, ecap;
	/* objects: the type is ttab[type16[id]], or type32[id] once more
	 * than TYPES16 types were met (thash: type id + 1 -> index, while
	 * loading) */
	uint16_t *type16;
	uint32_t *type32, *ttab, nttab;
	uint64_t *thash;
	uint16_t *thval;
	uint32_t *voff;
	uint16_t *size, *refcnt, *length; /* WIDE16, LEN_*: side tables */
	uint32_t *addr_lo;
	uint16_t *addr_hi; /* WIDE16: waddr */
	/* out-edges; out_start has cap+1 entries */
	uint32_t *out_start, *out_target, *out_label;
	uint8_t *out_rel;
	/* in-edges */
	uint32_t *in_start, *in_source, *in_edge;
	struct wide wsize, wrefcnt, wlength, wlabel, waddr;
	/* value arena: entries start on 4-byte boundaries, voff = offset / 4,
	 * 0 = no value (the first 4 bytes are unused) */
	uint8_t *va;
	size_t valen, vacap;
	/* names: NUL-terminated strings in one arena */
	char *names;
	size_t nameslen, namescap;
	size_t *name_off;
	uint32_t nnames;
	size_t namecap;
	mt_edge *roots;
	size_t nroots;
	struct type_label *types;
	size_t ntypes, typescap;
	char *tlab;
	size_t tlablen, tlabcap;
	mt_header hdr;
	char *hdr_blob;
	const char **hdr_argv;
	mt_thread_name *hdr_threads;
	char **hdr_warnings;	 /* copies of the dump's WARNING records */
	uint8_t *mark;		 /* MARK record: bit per id; NULL: none */
	/* SITES record: site per id (0 none, k site k), NULL: no record;
	 * site k is line site_line[k-1] of files[site_file[k-1]] */
	uint32_t *site, *site_file, *site_line, nsites, nfiles;
	char **files;
	uint32_t dict_type;	 /* id of builtins.dict or MT_NO_ID  */
	uint64_t dict_name;	 /* name index of "__dict__" or UINT64_MAX */
	uint32_t builtin[BT_N_]; /* ids of builtins types, MT_NO_ID: none */
	uint64_t obtype_name;	 /* label of the loader's ob_type edges */
	/* while loading: the thread mapping in pages ahead of the writes
	 * (prefault.h; NULL: none) and how far it was asked to go: objects,
	 * edges, bytes of va */
	mt_prefault *pf;
	size_t pf_n, pf_ne, pf_va;
};

/* ---- small helpers ------------------------------------------------------ */

static int grow_array(void **p, size_t newcap, size_t elem)
{
	void *q;
	if (newcap > SIZE_MAX / elem)
		return -1;
	q = realloc(*p, newcap ? newcap * elem : 1);
	if (!q)
		return -1;
	*p = q;
	mt_huge_advise(q, newcap * elem);
	return 0;
}

static int wide_push(struct wide *w, uint32_t ix, uint64_t v)
{
	if (w->n == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 16;
		if (grow_array((void **)&w->ix, nc, sizeof *w->ix) ||
		    grow_array((void **)&w->val, nc, sizeof *w->val))
			return -1;
		w->cap = nc;
	}
	w->ix[w->n] = ix;
	w->val[w->n] = v;
	w->n++;
	return 0;
}

static uint64_t wide_get(const struct wide *w, uint32_t ix)
{
	size_t lo = 0, hi = w->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->ix[mid] < ix)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->n && w->ix[lo] == ix ? w->val[lo] : 0;
}

static void wide_free(struct wide *w)
{
	free(w->ix);
	free(w->val);
}

/* Stores v in *slot, or WIDE plus a side-table entry. */
static int put32(uint32_t *slot, struct wide *w, uint32_t ix, uint64_t v)
{
	if (v < WIDE) {
		*slot = (uint32_t)v;
		return 0;
	}
	*slot = WIDE;
	return wide_push(w, ix, v);
}

/* Stores v in *slot, or WIDE16 plus a side-table entry. */
static int put16(uint16_t *slot, struct wide *w, uint32_t ix, uint64_t v)
{
	if (v < WIDE16) {
		*slot = (uint16_t)v;
		return 0;
	}
	*slot = WIDE16;
	return wide_push(w, ix, v);
}

/* The type of object id (< g->n, or the one being added). */
static inline uint32_t type_of(const mt_graph *g, uint32_t id)
{
	return g->type32 ? g->type32[id] : g->ttab[g->type16[id]];
}

/* Sets object id's type (id == g->n: the objects before it have theirs):
 * the index of t in ttab, added when new; past TYPES16 types, every
 * type as a uint32 id from then on. */
static int put_type(mt_graph *g, uint32_t id, uint32_t t)
{
	if (g->type32) {
		g->type32[id] = t;
		return 0;
	}
	if (!g->thash) {
		g->thash = calloc(THASH, sizeof *g->thash);
		g->thval = malloc(THASH * sizeof *g->thval);
		g->ttab = malloc(TYPES16 * sizeof *g->ttab);
		if (!g->thash || !g->thval || !g->ttab)
			return -1;
	}
	uint64_t key = (uint64_t)t + 1;
	uint32_t h = (uint32_t)((t * 2654435761u) >> 15) & (THASH - 1);
	while (g->thash[h] && g->thash[h] != key)
		h = (h + 1) & (THASH - 1);
	if (g->thash[h]) {
		g->type16[id] = g->thval[h];
		return 0;
	}
	if (g->nttab < TYPES16) {
		g->thash[h] = key;
		g->thval[h] = (uint16_t)g->nttab;
		g->ttab[g->nttab] = t;
		g->type16[id] = (uint16_t)g->nttab++;
		return 0;
	}
	/* one type too many: ids from now on */
	mt_prefault_sync(g->pf);
	uint32_t *t32 = malloc((g->cap ? g->cap : 1) * sizeof *t32);
	if (!t32)
		return -1;
	for (uint32_t j = 0; j < id; j++)
		t32[j] = g->ttab[g->type16[j]];
	t32[id] = t;
	free(g->type16);
	g->type16 = NULL;
	g->type32 = t32;
	return 0;
}

static int put_addr(mt_graph *g, uint32_t id, uint64_t a)
{
	g->addr_lo[id] = (uint32_t)a;
	if (a >> 32 < WIDE16) {
		g->addr_hi[id] = (uint16_t)(a >> 32);
		return 0;
	}
	g->addr_hi[id] = WIDE16;
	return wide_push(&g->waddr, id, a);
}

static uint64_t addr_of(const mt_graph *g, uint32_t id)
{
	uint16_t hi = g->addr_hi[id];
	return hi == WIDE16 ? wide_get(&g->waddr, id)
			    : (uint64_t)hi << 32 | g->addr_lo[id];
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static uint64_t get_varint(const uint8_t **pp)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	unsigned shift = 0;
	for (;;) {
		uint8_t b = *p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
		shift += 7;
	}
	*pp = p;
	return v;
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* ---- growing the graph while loading ----------------------------------- */

static int grow_objects(mt_graph *g, size_t need)
{
	size_t nc;
	if (need <= g->cap)
		return 0;
	mt_prefault_sync(g->pf); /* the arrays may move */
	nc = g->cap + g->cap / 2;
	if (nc < need)
		nc = need;
	if (nc < 1024)
		nc = 1024;
	if (nc > (size_t)UINT32_MAX)
		nc = UINT32_MAX;
	if ((g->type32 ? grow_array((void **)&g->type32, nc, 4)
		       : grow_array((void **)&g->type16, nc, 2)) ||
	    grow_array((void **)&g->size, nc, 2) ||
	    grow_array((void **)&g->refcnt, nc, 2) ||
	    grow_array((void **)&g->length, nc, 2) ||
	    grow_array((void **)&g->voff, nc, 4) ||
	    grow_array((void **)&g->addr_lo, nc, 4) ||
	    grow_array((void **)&g->addr_hi, nc, 2) ||
	    grow_array((void **)&g->out_start, nc + 1, 4))
		return -1;
	g->cap = nc;
	return 0;
}

static int grow_edges(mt_graph *g, size_t need)
{
	size_t nc;
	if (need <= g->ecap)
		return 0;
	mt_prefault_sync(g->pf);
	nc = g->ecap + g->ecap / 2;
	if (nc < need)
		nc = need;
	if (nc < 1024)
		nc = 1024;
	if (grow_array((void **)&g->out_target, nc, 4) ||
	    grow_array((void **)&g->out_label, nc, 4) ||
	    grow_array((void **)&g->out_rel, nc, 1))
		return -1;
	g->ecap = nc;
	return 0;
}

static int grow_bytes(void **p, size_t *cap, size_t need)
{
	size_t nc;
	if (need <= *cap)
		return 0;
	nc = *cap + *cap / 2;
	if (nc < need)
		nc = need;
	if (nc < 4096)
		nc = 4096;
	if (grow_array(p, nc, 1))
		return -1;
	*cap = nc;
	return 0;
}

/* Asks the prefault thread for the pages of the next PF_AHEAD objects of
 * every per-object array, of their edges and of their values, when the
 * loader is half way through what it asked for before. */
static void prefault_ahead(mt_graph *g)
{
	if (!g->pf)
		return;
	if (g->n + (size_t)PF_AHEAD / 2 > g->pf_n && g->pf_n < g->cap) {
		size_t a = g->pf_n, b = g->n + (size_t)PF_AHEAD;
		if (b > g->cap)
			b = g->cap;
		if (g->type32)
			mt_prefault_want(g->pf, g->type32, a * 4, b * 4);
		else
			mt_prefault_want(g->pf, g->type16, a * 2, b * 2);
		mt_prefault_want(g->pf, g->size, a * 2, b * 2);
		mt_prefault_want(g->pf, g->refcnt, a * 2, b * 2);
		mt_prefault_want(g->pf, g->length, a * 2, b * 2);
		mt_prefault_want(g->pf, g->voff, a * 4, b * 4);
		mt_prefault_want(g->pf, g->addr_lo, a * 4, b * 4);
		mt_prefault_want(g->pf, g->addr_hi, a * 2, b * 2);
		mt_prefault_want(g->pf, g->out_start, a * 4, b * 4);
		g->pf_n = b;
	}
	/* edges and value bytes: ahead by what PF_AHEAD objects took so far */
	size_t per = g->n ? g->n : 1;
	size_t eahead = (size_t)((double)g->ne / per * PF_AHEAD) + PF_AHEAD;
	if (g->ne + eahead / 2 > g->pf_ne && g->pf_ne < g->ecap) {
		size_t a = g->pf_ne, b = g->ne + eahead;
		if (b > g->ecap)
			b = g->ecap;
		mt_prefault_want(g->pf, g->out_target, a * 4, b * 4);
		mt_prefault_want(g->pf, g->out_label, a * 4, b * 4);
		mt_prefault_want(g->pf, g->out_rel, a, b);
		g->pf_ne = b;
	}
	size_t vahead = (size_t)((double)g->valen / per * PF_AHEAD) + 4096;
	if (g->valen + vahead / 2 > g->pf_va && g->pf_va < g->vacap) {
		size_t a = g->pf_va, b = g->valen + vahead;
		if (b > g->vacap)
			b = g->vacap;
		mt_prefault_want(g->pf, g->va, a, b);
		g->pf_va = b;
	}
}

/* ---- values -------------------------------------------------------------- */

/* Appends the encoded value; *off is its offset / 4 (0 for MT_VAL_NONE).
 * Encoding: kind byte, then STR/BYTES varint len + bytes; INT zigzag
 * varint; BOOL nothing (value in bit 7 of the kind byte); FLOAT 8 bytes;
 * QUALNAME two (len, bytes); CODE (len, bytes), zigzag line, (len, bytes). */
static mt_status put_value(mt_graph *g, const mt_value *v, uint32_t *off,
			   mt_err *err)
{
	size_t need = 1 + 10 + 10 + 10 + 8 + (size_t)v->slen + v->s2len + 3;
	size_t start = (g->valen + 3) & ~(size_t)3;
	uint8_t *p;
	if (v->kind == MT_VAL_NONE) {
		*off = 0;
		return MT_OK;
	}
	if (start + need > g->vacap)
		mt_prefault_sync(g->pf);
	if (grow_bytes((void **)&g->va, &g->vacap, start + need))
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "value previews");
	if (start / 4 > UINT32_MAX)
		return mt_err_set(err, MT_RANGE, MT_NO_OFFSET, MT_NO_OFFSET,
				  "value previews exceed 16 GiB");
	p = g->va + start;
	*p = (uint8_t)v->kind;
	switch (v->kind) {
	case MT_VAL_STR:
	case MT_VAL_BYTES:
		p++;
		p += put_varint(p, v->slen);
		memcpy(p, v->s, v->slen);
		p += v->slen;
		break;
	case MT_VAL_INT:
		p++;
		p += put_varint(p, zigzag(v->i));
		break;
	case MT_VAL_BOOL:
		*p++ |= v->i ? 0x80 : 0;
		break;
	case MT_VAL_FLOAT:
		p++;
		memcpy(p, &v->d, 8);
		p += 8;
		break;
	case MT_VAL_QUALNAME:
	case MT_VAL_CODE:
		p++;
		p += put_varint(p, v->slen);
		memcpy(p, v->s, v->slen);
		p += v->slen;
		if (v->kind == MT_VAL_CODE)
			p += put_varint(p, zigzag(v->i));
		p += put_varint(p, v->s2len);
		memcpy(p, v->s2, v->s2len);
		p += v->s2len;
		break;
	default:
		*p++ = MT_VAL_NONE;
		break;
	}
	g->valen = (size_t)(p - g->va);
	*off = (uint32_t)(start / 4);
	return MT_OK;
}

void mt_graph_value(const mt_graph *g, uint32_t id, mt_value *out)
{
	const uint8_t *p;
	memset(out, 0, sizeof *out);
	out->kind = MT_VAL_NONE;
	if (!g->voff[id])
		return;
	p = g->va + (size_t)g->voff[id] * 4;
	out->kind = (mt_value_kind)(*p & 0x7f);
	switch (out->kind) {
	case MT_VAL_STR:
	case MT_VAL_BYTES:
		p++;
		out->slen = (uint32_t)get_varint(&p);
		out->s = (const char *)p;
		break;
	case MT_VAL_INT:
		p++;
		out->i = unzigzag(get_varint(&p));
		break;
	case MT_VAL_BOOL:
		out->i = (*p & 0x80) != 0;
		break;
	case MT_VAL_FLOAT:
		memcpy(&out->d, p + 1, 8);
		break;
	case MT_VAL_QUALNAME:
	case MT_VAL_CODE:
		p++;
		out->slen = (uint32_t)get_varint(&p);
		out->s = (const char *)p;
		p += out->slen;
		if (out->kind == MT_VAL_CODE)
			out->i = unzigzag(get_varint(&p));
		out->s2len = (uint32_t)get_varint(&p);
		out->s2 = (const char *)p;
		break;
	default:
		out->kind = MT_VAL_NONE;
		break;
	}
}

/* ---- names, types, header ----------------------------------------------- */

static mt_status add_name(mt_graph *g, const char *s, uint32_t len, mt_err *err)
{
	if (g->nnames == UINT32_MAX)
		return mt_err_set(err, MT_RANGE, MT_NO_OFFSET, MT_NO_OFFSET,
				  "too many names");
	if (g->nnames == g->namecap) {
		size_t nc = g->namecap ? g->namecap * 2 : 256;
		if (grow_array((void **)&g->name_off, nc, sizeof(size_t)))
			goto nomem;
		g->namecap = nc;
	}
	if (grow_bytes((void **)&g->names, &g->namescap,
		       g->nameslen + (size_t)len + 1))
		goto nomem;
	memcpy(g->names + g->nameslen, s, len);
	g->names[g->nameslen + len] = '\0';
	g->name_off[g->nnames] = g->nameslen;
	g->nameslen += (size_t)len + 1;
	if (g->dict_name == UINT64_MAX && len == 8 && !memcmp(s, "__dict__", 8))
		g->dict_name = g->nnames;
	g->nnames++;
	return MT_OK;
nomem:
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			  "name table");
}

static mt_status add_type(mt_graph *g, uint32_t id, const mt_value *v,
			  mt_err *err)
{
	size_t need = (size_t)v->slen + v->s2len + MT_TYPE_LABEL_EXTRA;
	size_t len;
	if (g->ntypes == g->typescap) {
		size_t nc = g->typescap ? g->typescap * 2 : 128;
		if (grow_array((void **)&g->types, nc, sizeof *g->types))
			goto nomem;
		g->typescap = nc;
	}
	if (grow_bytes((void **)&g->tlab, &g->tlabcap, g->tlablen + need))
		goto nomem;
	len = mt_type_label_format(g->tlab + g->tlablen, need, v->s, v->slen,
				   v->s2, v->s2len);
	if (g->tlablen + len + 1 > UINT32_MAX)
		return mt_err_set(err, MT_RANGE, MT_NO_OFFSET, MT_NO_OFFSET,
				  "type labels exceed 4 GiB");
	g->types[g->ntypes].id = id;
	g->types[g->ntypes].off = (uint32_t)g->tlablen;
	g->types[g->ntypes].flags = 0;
	g->ntypes++;
	g->tlablen += len + 1;
	if (g->dict_type == MT_NO_ID && v->slen == 8 &&
	    !memcmp(v->s, "builtins", 8) && v->s2len == 4 &&
	    !memcmp(v->s2, "dict", 4))
		g->dict_type = id;
	if (v->slen == 8 && !memcmp(v->s, "builtins", 8))
		for (size_t k = 0; k < BT_N_; k++)
			if (g->builtin[k] == MT_NO_ID &&
			    v->s2len == strlen(builtin_names[k]) &&
			    !memcmp(v->s2, builtin_names[k], v->s2len))
				g->builtin[k] = id;
	return MT_OK;
nomem:
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			  "type labels");
}

static size_t strsize(const char *s) { return s ? strlen(s) + 1 : 0; }

static char *copy_str(char **p, const char *s)
{
	char *r = *p;
	size_t n;
	if (!s)
		return NULL;
	n = strlen(s) + 1;
	memcpy(r, s, n);
	*p += n;
	return r;
}

static mt_status copy_header(mt_graph *g, const mt_header *h, mt_err *err)
{
	size_t total = 1, i;
	char *p;
	total += strsize(h->memtrack_version) + strsize(h->python_version) +
		 strsize(h->implementation) + strsize(h->build) +
		 strsize(h->executable) + strsize(h->boot_id);
	for (i = 0; i < h->argc; i++)
		total += strsize(h->argv[i]);
	for (i = 0; i < h->nthreads; i++)
		total += strsize(h->threads[i].name);
	g->hdr_blob = malloc(total);
	g->hdr_argv = calloc(h->argc ? h->argc : 1, sizeof(char *));
	g->hdr_threads =
	    calloc(h->nthreads ? h->nthreads : 1, sizeof *g->hdr_threads);
	if (!g->hdr_blob || !g->hdr_argv || !g->hdr_threads)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "header");
	g->hdr = *h;
	p = g->hdr_blob;
	g->hdr.memtrack_version = copy_str(&p, h->memtrack_version);
	g->hdr.python_version = copy_str(&p, h->python_version);
	g->hdr.implementation = copy_str(&p, h->implementation);
	g->hdr.build = copy_str(&p, h->build);
	g->hdr.executable = copy_str(&p, h->executable);
	g->hdr.boot_id = copy_str(&p, h->boot_id);
	for (i = 0; i < h->argc; i++)
		g->hdr_argv[i] = copy_str(&p, h->argv[i]);
	g->hdr.argv = g->hdr_argv;
	for (i = 0; i < h->nthreads; i++) {
		g->hdr_threads[i].id = h->threads[i].id;
		g->hdr_threads[i].name = copy_str(&p, h->threads[i].name);
	}
	g->hdr.threads = g->hdr_threads;
	g->hdr.warnings = NULL; /* the reader has them at the END record */
	g->hdr.nwarnings = 0;
	return MT_OK;
}

/* The WARNING records (the reader has all of them once it read END). */
/* The SITES record (allocation sites), copied: the reader's tables die
 * with it. */
static mt_status copy_sites(mt_graph *g, const mt_reader *r, mt_err *err)
{
	mt_sites_rec sr;
	if (!mt_reader_sites(r, &sr))
		return MT_OK;
	g->site = malloc(((size_t)g->n ? g->n : 1) * sizeof *g->site);
	g->site_file = malloc((sr.nsites ? sr.nsites : 1) * sizeof(uint32_t));
	g->site_line = malloc((sr.nsites ? sr.nsites : 1) * sizeof(uint32_t));
	g->files = calloc(sr.nfiles ? sr.nfiles : 1, sizeof *g->files);
	if (!g->site || !g->site_file || !g->site_line || !g->files)
		goto nomem;
	g->nfiles = sr.nfiles;
	for (uint32_t i = 0; i < sr.nfiles; i++)
		if (!(g->files[i] = strdup(sr.files[i])))
			goto nomem;
	memcpy(g->site_file, sr.site_file, sr.nsites * sizeof(uint32_t));
	memcpy(g->site_line, sr.site_line, sr.nsites * sizeof(uint32_t));
	g->nsites = sr.nsites;
	const uint8_t *p = sr.codes;
	for (uint32_t id = 0; id < g->n; id++) /* count checked by the reader */
		g->site[id] = mt_sites_next(&p);
	return MT_OK;
nomem:
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			  "allocation sites");
}

static mt_status copy_warnings(mt_graph *g, const mt_header *h, mt_err *err)
{
	if (!h->nwarnings)
		return MT_OK;
	g->hdr_warnings = calloc(h->nwarnings, sizeof(char *));
	if (!g->hdr_warnings)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "warnings");
	for (size_t i = 0; i < h->nwarnings; i++) {
		g->hdr_warnings[i] = strdup(h->warnings[i]);
		g->hdr.nwarnings = i + 1;
		if (!g->hdr_warnings[i])
			return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET,
					  MT_NO_OFFSET, "warnings");
	}
	g->hdr.warnings = (const char **)g->hdr_warnings;
	return MT_OK;
}

/* ---- records ------------------------------------------------------------- */

/* Whether relation code rel has a name-index label (dump.h's table,
 * compiled into a switch: this runs for every edge). */
static inline bool rel_has_name(unsigned rel)
{
	switch (rel) {
#define MT_REL_NAMECASE_(name, code, str, lk, ...)                             \
	case code:                                                             \
		return lk == MT_LABEL_NAME;
		MT_RELATION_LIST(MT_REL_NAMECASE_)
#undef MT_REL_NAMECASE_
	default:
		return false;
	}
}

static mt_status check_labels(const mt_graph *g, const mt_record *rec,
			      mt_err *err)
{
	size_t i;
	for (i = 0; i < rec->nedges; i++) {
		const mt_edge *e = &rec->edges[i];
		if (e->label >= g->nnames && rel_has_name(e->rel))
			return mt_err_set(
			    err, MT_RANGE, rec->offset, MT_NO_OFFSET,
			    "edge %zu: name index %llu, but %u names so far", i,
			    (unsigned long long)e->label, g->nnames);
	}
	return MT_OK;
}

static mt_status add_object(mt_graph *g, const mt_record *rec, mt_err *err)
{
	const mt_obj *o = &rec->obj;
	uint32_t id = rec->id;
	size_t i;
	mt_status st;

	if (id != g->n || id == MT_NO_ID)
		return mt_err_set(err, MT_RANGE, rec->offset, MT_NO_OFFSET,
				  "object id %u out of order (expected %u)", id,
				  g->n);
	if (rec->nedges > (size_t)MAX_EDGES - g->ne)
		return mt_err_set(err, MT_RANGE, rec->offset, MT_NO_OFFSET,
				  "more than %u edges", MAX_EDGES);
	if ((st = check_labels(g, rec, err)) != MT_OK)
		return st;
	if (grow_objects(g, (size_t)id + 1) ||
	    grow_edges(g, (size_t)g->ne + rec->nedges))
		return mt_err_set(err, MT_NOMEM, rec->offset, MT_NO_OFFSET,
				  "object arrays");
	if (put_type(g, id, o->type))
		goto nomem;
	if (put_addr(g, id, o->addr))
		goto nomem;
	if (put16(&g->size[id], &g->wsize, id, o->size) ||
	    put16(&g->refcnt[id], &g->wrefcnt, id, o->refcnt))
		goto nomem;
	if (o->length == MT_NO_LENGTH)
		g->length[id] = LEN_NONE;
	else if (o->length >= 0 && o->length < LEN_WIDE)
		g->length[id] = (uint16_t)o->length;
	else {
		g->length[id] = LEN_WIDE;
		if (wide_push(&g->wlength, id, (uint64_t)o->length))
			goto nomem;
	}
	if ((st = put_value(g, &o->value, &g->voff[id], err)) != MT_OK)
		return st;
	if (o->value.kind == MT_VAL_QUALNAME &&
	    (st = add_type(g, id, &o->value, err)) != MT_OK)
		return st;
	g->out_start[id] = g->ne;
	for (i = 0; i < rec->nedges; i++) {
		const mt_edge *e = &rec->edges[i];
		uint32_t ix = g->ne++;
		g->out_target[ix] = e->target;
		g->out_rel[ix] = e->rel;
		if (put32(&g->out_label[ix], &g->wlabel, ix, e->label))
			goto nomem;
	}
	g->n++;
	return MT_OK;
nomem:
	return mt_err_set(err, MT_NOMEM, rec->offset, MT_NO_OFFSET,
			  "object arrays");
}

static mt_status add_roots(mt_graph *g, const mt_record *rec, mt_err *err)
{
	mt_status st = check_labels(g, rec, err);
	if (st != MT_OK)
		return st;
	if (g->roots)
		return mt_err_set(err, MT_RANGE, rec->offset, MT_NO_OFFSET,
				  "second ROOTS record");
	g->roots = malloc(rec->nedges ? rec->nedges * sizeof(mt_edge) : 1);
	if (!g->roots)
		return mt_err_set(err, MT_NOMEM, rec->offset, MT_NO_OFFSET,
				  "root edges");
	if (rec->nedges)
		memcpy(g->roots, rec->edges, rec->nedges * sizeof(mt_edge));
	g->nroots = rec->nedges;
	return MT_OK;
}

/* ---- the instance -> type reference ------------------------------------- */

/* Name index of s, or UINT64_MAX when the table has no such name. */
static uint64_t find_name(const mt_graph *g, const char *s)
{
	for (uint32_t i = 0; i < g->nnames; i++)
		if (!strcmp(g->names + g->name_off[i], s))
			return i;
	return UINT64_MAX;
}

static struct type_label *find_type(const mt_graph *g, uint32_t id)
{
	size_t lo = 0, hi = g->ntypes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->types[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->ntypes && g->types[lo].id == id ? &g->types[lo] : NULL;
}

/* The target of id's first edge of relation rel labelled label, or
 * MT_NO_ID. */
static uint32_t edge_to(const mt_graph *g, uint32_t id, unsigned rel,
			uint64_t label)
{
	for (uint32_t e = g->out_start[id]; e < g->out_start[id + 1]; e++)
		if (g->out_rel[e] == rel && g->out_label[e] == label)
			return g->out_target[e];
	return MT_NO_ID;
}

/* Whether the tuple `mro` holds builtins.type (by index edges). */
static bool mro_has_type(const mt_graph *g, uint32_t mro)
{
	uint32_t tt = g->builtin[BT_TYPE];
	for (uint32_t e = g->out_start[mro]; e < g->out_start[mro + 1]; e++)
		if (g->out_rel[e] == MT_REL_INDEX && tt != MT_NO_ID &&
		    g->out_target[e] == tt)
			return true;
	return false;
}

/* Whether object id, whose edges are [out_start[id], end), gets one;
 * edge_types has bit t set for the types t with TF_TYPE_EDGE. */
static bool has_type_edge(const mt_graph *g, uint32_t id, uint32_t end,
			  const uint64_t *edge_types)
{
	uint32_t t = type_of(g, id);
	if (!(edge_types[t / 64] >> (t % 64) & 1) || !addr_of(g, id))
		return false;
	/* a dump that already has the reference gets no second one */
	for (uint32_t e = g->out_start[id]; e < end; e++)
		if (g->out_target[e] == t)
			return false;
	return true;
}

/* The load's progress scale (mt_progress_fn): the file's bytes, the
 * reading on the first seven eighths and finish()'s passes over the edges
 * and objects on the last eighth, a sixth of it each: the edges' and
 * types' check, the ob_type edges' count and their placing
 * (add_type_edges), the in-edge count, their starts, their placing (at
 * 80M objects these took 2 s with the bar at 99%, and the ob_type edges
 * 1.3 s with no report). */
typedef struct {
	mt_progress_fn cb;
	void *cbdata;
	uint64_t len;
} load_prog;

static uint64_t read_point(uint64_t offset) { return offset - offset / 8; }

static int finish_report(const load_prog *p, unsigned pass, uint64_t i,
			 uint64_t n);

/* Reports step i of n of finish()'s pass `pass` (0..5) every 2^16 steps;
 * non-zero: cancelled.  Called for every step: the test inline, the report
 * not (it was 3% of an 80M load as a call a step). */
static inline int finish_tick(const load_prog *p, unsigned pass, uint64_t i,
			      uint64_t n)
{
	if (__builtin_expect((i & ((1u << 16) - 1)) != 0, 1) || !p->cb || !n)
		return 0;
	return finish_report(p, pass, i, n);
}

static __attribute__((noinline)) int
finish_report(const load_prog *p, unsigned pass, uint64_t i, uint64_t n)
{
	double eighth = (double)(p->len - read_point(p->len));
	double at = (double)read_point(p->len) +
		    eighth / 6 * (pass + (double)i / (double)n);
	uint64_t done = (uint64_t)at;
	return p->cb(p->cbdata, done < p->len ? done : p->len, p->len);
}

/* Allocates in_source and in_edge for ne edges (once: later calls do
 * nothing) and asks the prefault thread for all of their pages. */
static int alloc_in_edges(mt_graph *g, size_t ne)
{
	if (g->in_source)
		return 0;
	g->in_source = malloc(ne ? ne * 4 : 1);
	g->in_edge = malloc(ne ? ne * 4 : 1);
	if (!g->in_source || !g->in_edge)
		return -1;
	mt_huge_advise(g->in_source, ne * 4);
	mt_huge_advise(g->in_edge, ne * 4);
	mt_prefault_want(g->pf, g->in_source, 0, ne * 4);
	mt_prefault_want(g->pf, g->in_edge, 0, ne * 4);
	return 0;
}

/* The dump's `type` field is the ob_type reference; heapy's traversal sees
 * it as an edge where tp_traverse visits the type: subtype_traverse, the
 * tp_traverse of every class defined in Python, does (3.9+); the static
 * types' own do not, and heapy replaces the traversal of type objects by
 * one without it (so not for the classes of a metaclass).  So an instance
 * of a heap type (a type object the capture gave an attr edge `__name__`,
 * which it writes for heap types only) whose __mro__ does not hold
 * builtins.type gets an interattr edge `ob_type` to its type, appended
 * after its own edges (doc/loader.md).  Done in place, from the last
 * object back, before the in-edges are built. */
static mt_status add_type_edges(mt_graph *g, const load_prog *prog,
				 mt_err *err)
{
	uint64_t name = find_name(g, "__name__"), mro = find_name(g, "__mro__");
	uint32_t n = g->n, ne = g->ne, add = 0, src, next;
	size_t w;
	bool any = false;
	mt_status st;

	if (name == UINT64_MAX)
		return MT_OK;
	for (size_t i = 0; i < g->ntypes; i++) {
		struct type_label *t = &g->types[i];
		uint32_t m;
		if (edge_to(g, t->id, MT_REL_ATTR, name) == MT_NO_ID)
			continue;
		t->flags |= TF_HEAP;
		m = mro == UINT64_MAX ? MT_NO_ID
				      : edge_to(g, t->id, MT_REL_ATTR, mro);
		if (m == MT_NO_ID || !mro_has_type(g, m)) {
			t->flags |= TF_TYPE_EDGE;
			any = true;
		}
	}
	if (!any)
		return MT_OK;
	/* a bit per id (freed below): a table lookup per object instead of
	 * a binary search over the types */
	uint64_t *edge_types = calloc((size_t)n / 64 + 1, 8);
	if (!edge_types)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "ob_type edges");
	for (size_t i = 0; i < g->ntypes; i++)
		if (g->types[i].flags & TF_TYPE_EDGE)
			edge_types[g->types[i].id / 64] |=
			    1ull << (g->types[i].id % 64);
	for (src = 0; src < n; src++) {
		if (has_type_edge(g, src, g->out_start[src + 1], edge_types))
			add++;
		if (finish_tick(prog, 1, src, n)) {
			st = mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
					MT_NO_OFFSET, "load cancelled");
			goto out;
		}
	}
	if (add > MAX_EDGES - ne) {
		st = mt_err_set(err, MT_RANGE, MT_NO_OFFSET, MT_NO_OFFSET,
				"more than %u edges with the ob_type edges",
				MAX_EDGES);
		goto out;
	}
	/* the edge arrays to their final size (grown, or shrunk: the pages
	 * the prefault thread mapped past the last edge go back before the
	 * in-edge arrays come) */
	if ((size_t)ne + add != g->ecap) {
		mt_prefault_sync(g->pf);
		if (grow_array((void **)&g->out_target, (size_t)ne + add, 4) ||
		    grow_array((void **)&g->out_label, (size_t)ne + add, 4) ||
		    grow_array((void **)&g->out_rel, (size_t)ne + add, 1)) {
			st = mt_err_set(err, MT_NOMEM, MT_NO_OFFSET,
					MT_NO_OFFSET, "ob_type edges");
			goto out;
		}
		g->ecap = (size_t)ne + add;
	}
	if (alloc_in_edges(g, (size_t)ne + add)) {
		st = mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				"in-edge arrays");
		goto out;
	}
	if (!add) {
		free(edge_types);
		return MT_OK;
	}
	g->obtype_name = find_name(g, "ob_type");
	if (g->obtype_name == UINT64_MAX) {
		if ((st = add_name(g, "ob_type", 7, err)) != MT_OK)
			goto out;
		g->obtype_name = g->nnames - 1;
	}
	uint32_t total = ne + add;
	/* the move below writes the new tail first */
	mt_prefault_want(g->pf, g->out_target, (size_t)ne * 4, (size_t)total * 4);
	mt_prefault_want(g->pf, g->out_label, (size_t)ne * 4, (size_t)total * 4);
	mt_prefault_want(g->pf, g->out_rel, ne, total);
	/* add = synthetic edges of the sources <= src; w walks the wide
	 * labels (sorted by edge index) back in step */
	w = g->wlabel.n;
	next = ne;
	g->out_start[n] = ne + add;
	for (src = n; src-- > 0 && add;) {
		uint32_t s = g->out_start[src], e = next;
		if (has_type_edge(g, src, e, edge_types)) {
			uint32_t pos = e + add - 1;
			g->out_target[pos] = type_of(g, src);
			g->out_rel[pos] = MT_REL_INTERATTR;
			g->out_label[pos] = (uint32_t)g->obtype_name;
			add--;
		}
		/* up by `add`, from the last edge back (most objects have
		 * one or two: a loop, not three memmove calls an object) */
		if (add)
			for (uint32_t k = e; k-- > s;) {
				g->out_target[k + add] = g->out_target[k];
				g->out_label[k + add] = g->out_label[k];
				g->out_rel[k + add] = g->out_rel[k];
			}
		while (w && g->wlabel.ix[w - 1] >= s)
			g->wlabel.ix[--w] += add;
		g->out_start[src] = s + add;
		next = s;
		if (finish_tick(prog, 2, n - src, n)) {
			st = mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
					MT_NO_OFFSET, "load cancelled");
			goto out;
		}
	}
	g->ne = total;
	st = MT_OK;
out:
	free(edge_types);
	return st;
}

/* Shrinks the arrays to size, checks targets and builds the in-edges. */
/* Replaces the labels made while reading with heapy's, which need the
 * whole graph (typelabel.h). */
static mt_status relabel(mt_graph *g)
{
	mt_tlctx *c;
	char *lab = NULL;
	size_t len = 0, cap = 0, i;
	if (mt_tlctx_new(g, &c) != MT_OK)
		return MT_NOMEM;
	for (i = 0; i < g->ntypes; i++) {
		size_t need = mt_type_label_make(c, g->types[i].id, NULL, 0);
		if (len + need + 1 > UINT32_MAX ||
		    grow_bytes((void **)&lab, &cap, len + need + 1)) {
			free(lab);
			mt_tlctx_free(c);
			return MT_NOMEM;
		}
		mt_type_label_make(c, g->types[i].id, lab + len, need + 1);
		g->types[i].off = (uint32_t)len;
		len += need + 1;
	}
	mt_tlctx_free(c);
	free(g->tlab);
	g->tlab = lab;
	g->tlablen = len;
	g->tlabcap = cap;
	return MT_OK;
}

static mt_status finish(mt_graph *g, const load_prog *prog, mt_err *err)
{
	uint32_t n = g->n, ne = g->ne, src, e;
	size_t i;
	mt_status st;

	if (grow_objects(g, 1))
		goto nomem;
	g->out_start[n] = ne;
	mt_prefault_sync(g->pf); /* the arrays may move */
	/* Shrinking never fails in practice; ignore a refusal. */
	if (n && n < g->cap) {
		if (g->type32)
			grow_array((void **)&g->type32, n, 4);
		else
			grow_array((void **)&g->type16, n, 2);
		grow_array((void **)&g->size, n, 2);
		grow_array((void **)&g->refcnt, n, 2);
		grow_array((void **)&g->length, n, 2);
		grow_array((void **)&g->voff, n, 4);
		grow_array((void **)&g->addr_lo, n, 4);
		grow_array((void **)&g->addr_hi, n, 2);
		grow_array((void **)&g->out_start, (size_t)n + 1, 4);
		g->cap = n;
	}
	/* the type hash was for the load only */
	free(g->thash);
	free(g->thval);
	g->thash = NULL;
	g->thval = NULL;
	if (g->type32) {
		free(g->ttab);
		g->ttab = NULL;
	} else if (g->ttab && g->nttab)
		grow_array((void **)&g->ttab, g->nttab, 4);
	if (g->valen && g->valen < g->vacap) {
		grow_array((void **)&g->va, g->valen, 1);
		g->vacap = g->valen;
	}
	/* the in-edge starts now, their places as soon as the ob_type edges
	 * are counted: the prefault thread maps them in during the passes
	 * before the counting sort, which writes them at random */
	g->in_start = calloc((size_t)n + 1, 4);
	if (!g->in_start)
		goto nomem;
	mt_huge_advise(g->in_start, ((size_t)n + 1) * 4);
	mt_prefault_want(g->pf, g->in_start, 0, ((size_t)n + 1) * 4);
	for (i = 0; i < ne; i++) {
		if (g->out_target[i] >= n)
			return mt_err_set(err, MT_BADREF, MT_NO_OFFSET,
					  MT_NO_OFFSET,
					  "edge %zu: target %u of %u objects",
					  i, g->out_target[i], n);
		if (finish_tick(prog, 0, i, (uint64_t)ne + n))
			goto cancelled;
	}
	for (i = 0; i < n; i++) {
		if (type_of(g, (uint32_t)i) >= n)
			return mt_err_set(err, MT_BADREF, MT_NO_OFFSET,
					  MT_NO_OFFSET,
					  "object %zu: type %u of %u objects",
					  i, type_of(g, (uint32_t)i), n);
		if (finish_tick(prog, 0, ne + i, (uint64_t)ne + n))
			goto cancelled;
	}
	for (i = 0; i < g->nroots; i++)
		if (g->roots[i].target >= n)
			return mt_err_set(err, MT_BADREF, MT_NO_OFFSET,
					  MT_NO_OFFSET,
					  "root edge %zu: target %u of %u "
					  "objects",
					  i, g->roots[i].target, n);
	if ((st = add_type_edges(g, prog, err)) != MT_OK)
		return st;
	ne = g->ne;
	mt_prefault_sync(g->pf);
	if (ne && ne < g->ecap) {
		grow_array((void **)&g->out_target, ne, 4);
		grow_array((void **)&g->out_label, ne, 4);
		grow_array((void **)&g->out_rel, ne, 1);
		g->ecap = ne;
	}

	/* Counting sort by target; stable, so sources come in id order. */
	if (alloc_in_edges(g, ne))
		goto nomem;
	for (e = 0; e < ne; e++) {
		g->in_start[g->out_target[e]]++;
		if (finish_tick(prog, 3, e, ne))
			goto cancelled;
	}
	{
		uint32_t sum = 0;
		for (i = 0; i < n; i++) {
			uint32_t c = g->in_start[i];
			g->in_start[i] = sum;
			sum += c;
			if (finish_tick(prog, 4, i, n))
				goto cancelled;
		}
	}
	for (src = 0; src < n; src++) {
		for (e = g->out_start[src]; e < g->out_start[src + 1]; e++) {
			uint32_t pos = g->in_start[g->out_target[e]]++;
			g->in_source[pos] = src;
			g->in_edge[pos] = e;
		}
		if (finish_tick(prog, 5, src, n))
			goto cancelled;
	}
	/* in_start[t] is now the end of t's range = start of t+1. */
	memmove(g->in_start + 1, g->in_start, (size_t)n * 4);
	g->in_start[0] = 0;
	if (relabel(g) != MT_OK)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "type labels");
	return MT_OK;
cancelled:
	return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET, MT_NO_OFFSET,
			  "load cancelled");
nomem:
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			  "in-edge arrays");
}

/* Loads from buf[0..len); when `own` (mt_graph_load's private read-only
 * mapping, page aligned) it drops the pages the reader is done with. */
static mt_status load(mt_graph **out, const void *buf, size_t len, bool own,
		      mt_progress_fn cb, void *cbdata, mt_err *err)
{
	static const char empty[1];
	mt_graph *g;
	mt_reader *r = NULL;
	mt_record rec;
	mt_status st;
	uint64_t nrec = 0, released = 0;
	size_t populated = 0; /* own: buf[0..populated) is mapped in */
	const mt_trailer *tr;
	long page = own ? sysconf(_SC_PAGESIZE) : 0;
	const load_prog prog = {cb, cbdata, len};

	*out = NULL;
	mt_err_clear(err);
	g = calloc(1, sizeof *g);
	if (!g)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "graph");
	g->dict_type = MT_NO_ID;
	g->dict_name = UINT64_MAX;
	g->obtype_name = UINT64_MAX;
	for (size_t k = 0; k < BT_N_; k++)
		g->builtin[k] = MT_NO_ID;
	g->valen = 4;
	/* A dump takes about 20 bytes per object: size the arrays for 16,
	 * the value arena for half the file (values take fewer bytes than
	 * their records).  Only the pages written become resident; growing
	 * would copy where realloc cannot remap. */
	if (grow_objects(g, len / 16 + 1) ||
	    grow_edges(g, (len / 16) + (len / 64) + 1) ||
	    grow_bytes((void **)&g->va, &g->vacap, len / 2 + 4)) {
		st = mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				"object arrays");
		goto fail;
	}
	memset(g->va, 0, 4);
	g->pf = mt_prefault_start();
	if ((st = mt_reader_new(&r, len ? buf : empty, len, err)) != MT_OK)
		goto fail;
	if ((st = copy_header(g, mt_reader_header(r), err)) != MT_OK)
		goto fail;
	for (;;) {
		st = mt_reader_next(r, &rec, err);
		if (st == MT_END)
			break;
		if (st != MT_OK)
			goto fail;
		switch (rec.kind) {
		case MT_RECORD_NAME:
			st = add_name(g, rec.name, rec.name_len, err);
			break;
		case MT_RECORD_ROOTS:
			st = add_roots(g, &rec, err);
			break;
		case MT_RECORD_OBJECT:
			st = add_object(g, &rec, err);
			break;
		default:
			st = mt_err_set(err, MT_TYPE, rec.offset, MT_NO_OFFSET,
					"record kind %d", (int)rec.kind);
			break;
		}
		if (st != MT_OK) {
			if (err && err->record == MT_NO_OFFSET)
				err->record = nrec + 1;
			goto fail;
		}
		if (own && populated < len &&
		    mt_reader_offset(r) + RELEASE_STEP / 2 > populated) {
			/* map the next pages in one call instead of a page
			 * fault for every few of them */
			size_t to = populated + RELEASE_STEP;
			if (to > len)
				to = len;
#ifdef MADV_POPULATE_READ
			(void)madvise((char *)buf + populated, to - populated,
				      MADV_POPULATE_READ);
#endif
			populated = to;
		}
		if (own && mt_reader_done(r) - released >= RELEASE_STEP &&
		    page > 0) {
			/* the reader is done with these pages: drop them from
			 * the process (a private read-only mapping of an
			 * unchanged file: a later access would read them
			 * again from the file) */
			uint64_t to = mt_reader_done(r) / (uint64_t)page *
				      (uint64_t)page;
			(void)madvise((char *)buf + released,
				      (size_t)(to - released), MADV_DONTNEED);
			released = to;
		}
		if (nrec % (PROGRESS_EVERY / 4) == 0)
			prefault_ahead(g);
		if (++nrec % PROGRESS_EVERY == 0 && cb &&
		    cb(cbdata, read_point(mt_reader_offset(r)), len)) {
			st = mt_err_set(err, MT_CANCELLED, mt_reader_offset(r),
					nrec, "load cancelled");
			goto fail;
		}
	}
	tr = mt_reader_trailer(r);
	if ((st = copy_warnings(g, mt_reader_header(r), err)) != MT_OK)
		goto fail;
	{
		const uint8_t *bits;
		uint64_t nbits;
		if (mt_reader_mark(r, &bits, &nbits)) {
			/* nbits == g->n (the reader checked) */
			size_t nb = (size_t)((nbits + 7) / 8);
			g->mark = malloc(nb ? nb : 1);
			if (!g->mark) {
				st = mt_err_set(err, MT_NOMEM, MT_NO_OFFSET,
						MT_NO_OFFSET, "mark");
				goto fail;
			}
			memcpy(g->mark, bits, nb);
		}
	}
	if ((st = copy_sites(g, r, err)) != MT_OK)
		goto fail;
	g->reachable = tr->reachable > g->n ? g->n : (uint32_t)tr->reachable;
	mt_reader_free(r);
	r = NULL;
	if ((st = finish(g, &prog, err)) != MT_OK)
		goto fail;
	mt_prefault_stop(g->pf);
	g->pf = NULL;
	if (cb && cb(cbdata, len, len)) {
		st = mt_err_set(err, MT_CANCELLED, len, MT_NO_OFFSET,
				"load cancelled");
		goto fail;
	}
	*out = g;
	return MT_OK;
fail:
	mt_reader_free(r);
	mt_graph_free(g);
	return st;
}

mt_status mt_graph_load_buffer(mt_graph **out, const void *buf, size_t len,
			       mt_progress_fn cb, void *cbdata, mt_err *err)
{
	return load(out, buf, len, false, cb, cbdata, err);
}

mt_status mt_graph_load(mt_graph **out, const char *path, mt_progress_fn cb,
			void *cbdata, mt_err *err)
{
	struct stat sb;
	void *map = NULL;
	size_t len;
	int fd;
	mt_status st;

	*out = NULL;
	/* O_NONBLOCK: opening a FIFO with no writer would wait forever (the
	 * check below refuses it); it changes nothing for a regular file */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return mt_err_set(err, MT_IO, MT_NO_OFFSET, MT_NO_OFFSET,
				  "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &sb) < 0) {
		st = mt_err_set(err, MT_IO, MT_NO_OFFSET, MT_NO_OFFSET,
				"cannot stat %s: %s", path, strerror(errno));
		close(fd);
		return st;
	}
	if (!S_ISREG(sb.st_mode)) {
		const char *what = S_ISDIR(sb.st_mode)	  ? "a directory"
				   : S_ISFIFO(sb.st_mode) ? "a FIFO"
				   : S_ISCHR(sb.st_mode)  ? "a character device"
				   : S_ISBLK(sb.st_mode)  ? "a block device"
				   : S_ISSOCK(sb.st_mode) ? "a socket"
							  : "a special file";
		close(fd);
		return mt_err_set(err, MT_IO, MT_NO_OFFSET, MT_NO_OFFSET,
				  "%s is %s, not a regular file", path, what);
	}
	if ((uint64_t)sb.st_size > SIZE_MAX) {
		close(fd);
		return mt_err_set(err, MT_IO, MT_NO_OFFSET, MT_NO_OFFSET,
				  "%s: too large to map", path);
	}
	len = (size_t)sb.st_size;
	if (len) {
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			st = mt_err_set(err, MT_IO, MT_NO_OFFSET, MT_NO_OFFSET,
					"cannot map %s: %s", path,
					strerror(errno));
			close(fd);
			return st;
		}
		(void)madvise(map, len, MADV_SEQUENTIAL);
	}
	close(fd);
	st = load(out, map, len, map != NULL, cb, cbdata, err);
	if (map)
		munmap(map, len);
	return st;
}

void mt_graph_free(mt_graph *g)
{
	if (!g)
		return;
	mt_prefault_stop(g->pf); /* a load that failed: before the frees */
	free(g->type16);
	free(g->type32);
	free(g->ttab);
	free(g->thash);
	free(g->thval);
	free(g->size);
	free(g->refcnt);
	free(g->length);
	free(g->voff);
	free(g->addr_lo);
	free(g->addr_hi);
	free(g->out_start);
	free(g->out_target);
	free(g->out_label);
	free(g->out_rel);
	free(g->in_start);
	free(g->in_source);
	free(g->in_edge);
	wide_free(&g->wsize);
	wide_free(&g->wrefcnt);
	wide_free(&g->wlength);
	wide_free(&g->wlabel);
	wide_free(&g->waddr);
	free(g->va);
	free(g->names);
	free(g->name_off);
	free(g->roots);
	free(g->types);
	free(g->tlab);
	free(g->hdr_blob);
	free(g->hdr_argv);
	free(g->hdr_threads);
	for (size_t i = 0; g->hdr_warnings && i < g->hdr.nwarnings; i++)
		free(g->hdr_warnings[i]);
	free(g->hdr_warnings);
	free(g->mark);
	free(g->site);
	free(g->site_file);
	free(g->site_line);
	for (uint32_t i = 0; g->files && i < g->nfiles; i++)
		free(g->files[i]);
	free(g->files);
	free(g);
}

/* ---- accessors ----------------------------------------------------------- */

uint32_t mt_graph_count(const mt_graph *g) { return g->n; }
uint32_t mt_graph_edge_count(const mt_graph *g) { return g->ne; }
uint32_t mt_graph_reachable(const mt_graph *g) { return g->reachable; }
const mt_header *mt_graph_header(const mt_graph *g) { return &g->hdr; }

bool mt_graph_has_mark(const mt_graph *g) { return g->mark != NULL; }

bool mt_graph_marked(const mt_graph *g, uint32_t id)
{
	return g->mark && id < g->n && (g->mark[id >> 3] >> (id & 7)) & 1;
}

bool mt_graph_has_sites(const mt_graph *g) { return g->site != NULL; }

uint32_t mt_graph_site(const mt_graph *g, uint32_t id)
{
	return g->site && id < g->n ? g->site[id] : 0;
}

uint32_t mt_graph_site_count(const mt_graph *g) { return g->nsites; }

const char *mt_graph_site_file(const mt_graph *g, uint32_t site, uint32_t *line)
{
	if (!g->site || site == 0 || site > g->nsites) {
		*line = 0;
		return NULL;
	}
	*line = g->site_line[site - 1];
	return g->files[g->site_file[site - 1]];
}

size_t mt_graph_memory(const mt_graph *g)
{
	size_t n = g->cap, ne = g->ecap;
	return sizeof *g + n * ((g->type32 ? 4 : 2) + 4 + 3 * 2 + 4 + 2) +
	       (size_t)g->nttab * 4 +
	       ((size_t)g->n + 1) * 4 * 2 +
	       ne * 9 + (size_t)g->ne * 8 +
	       (g->wsize.cap + g->wrefcnt.cap + g->wlength.cap +
		g->wlabel.cap + g->waddr.cap) *
		   12 +
	       g->vacap + g->namescap + g->namecap * sizeof(size_t) +
	       g->nroots * sizeof(mt_edge) +
	       g->typescap * sizeof(struct type_label) + g->tlabcap +
	       (g->mark ? ((size_t)g->n + 7) / 8 : 0) +
	       (g->site ? (size_t)g->n * 4 : 0) + (size_t)g->nsites * 8 +
	       (size_t)g->nfiles * sizeof(char *);
}

uint32_t mt_graph_type(const mt_graph *g, uint32_t id)
{
	return type_of(g, id);
}

void mt_graph_types(const mt_graph *g, uint32_t from, uint32_t count,
		    uint32_t *out)
{
	if (g->type32) {
		memcpy(out, g->type32 + from, (size_t)count * sizeof *out);
		return;
	}
	for (uint32_t i = 0; i < count; i++)
		out[i] = g->ttab[g->type16[from + i]];
}

uint64_t mt_graph_size(const mt_graph *g, uint32_t id)
{
	uint32_t v = g->size[id];
	return v == WIDE16 ? wide_get(&g->wsize, id) : v;
}

uint64_t mt_graph_addr(const mt_graph *g, uint32_t id)
{
	return addr_of(g, id);
}

bool mt_graph_virtual(const mt_graph *g, uint32_t id)
{
	return addr_of(g, id) == 0;
}

uint64_t mt_graph_refcnt(const mt_graph *g, uint32_t id)
{
	uint32_t v = g->refcnt[id];
	return v == WIDE16 ? wide_get(&g->wrefcnt, id) : v;
}

int64_t mt_graph_length(const mt_graph *g, uint32_t id)
{
	uint32_t v = g->length[id];
	if (v == LEN_NONE)
		return MT_NO_LENGTH;
	if (v == LEN_WIDE)
		return (int64_t)wide_get(&g->wlength, id);
	return v;
}

void mt_graph_out(const mt_graph *g, uint32_t id, uint32_t *first, uint32_t *n)
{
	*first = g->out_start[id];
	*n = g->out_start[id + 1] - g->out_start[id];
}

uint32_t mt_graph_edge_target(const mt_graph *g, uint32_t edge)
{
	return g->out_target[edge];
}

unsigned mt_graph_edge_rel(const mt_graph *g, uint32_t edge)
{
	return g->out_rel[edge];
}

uint64_t mt_graph_edge_label(const mt_graph *g, uint32_t edge)
{
	uint32_t v = g->out_label[edge];
	return v == WIDE ? wide_get(&g->wlabel, edge) : v;
}

bool mt_graph_edge_is_type_ref(const mt_graph *g, uint32_t edge)
{
	return g->out_rel[edge] == MT_REL_INTERATTR &&
	       g->out_label[edge] == g->obtype_name &&
	       g->out_target[edge] == type_of(g, mt_graph_edge_source(g, edge));
}

bool mt_graph_edge_is_type_ref_from(const mt_graph *g, uint32_t edge,
				    uint32_t source)
{
	return g->out_rel[edge] == MT_REL_INTERATTR &&
	       g->out_label[edge] == g->obtype_name &&
	       g->out_target[edge] == type_of(g, source);
}

uint32_t mt_graph_edge_source(const mt_graph *g, uint32_t edge)
{
	/* The last id whose out_start <= edge and that has edges. */
	uint32_t lo = 0, hi = g->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (g->out_start[mid + 1] <= edge)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void mt_graph_in(const mt_graph *g, uint32_t id, uint32_t *first, uint32_t *n)
{
	*first = g->in_start[id];
	*n = g->in_start[id + 1] - g->in_start[id];
}

uint32_t mt_graph_in_source(const mt_graph *g, uint32_t pos)
{
	return g->in_source[pos];
}

uint32_t mt_graph_in_edge(const mt_graph *g, uint32_t pos)
{
	return g->in_edge[pos];
}

void mt_graph_roots(const mt_graph *g, const mt_edge **edges, size_t *n)
{
	*edges = g->roots;
	*n = g->nroots;
}

const char *mt_graph_name(const mt_graph *g, uint64_t idx)
{
	return idx < g->nnames ? g->names + g->name_off[idx] : NULL;
}

uint32_t mt_graph_name_count(const mt_graph *g) { return g->nnames; }

uint32_t mt_graph_dict_type(const mt_graph *g) { return g->dict_type; }

uint32_t mt_graph_dict_owner(const mt_graph *g, uint32_t id)
{
	uint32_t p, end;
	if (g->dict_type == MT_NO_ID || type_of(g, id) != g->dict_type ||
	    g->dict_name == UINT64_MAX)
		return MT_NO_ID;
	for (p = g->in_start[id], end = g->in_start[id + 1]; p < end; p++) {
		uint32_t e = g->in_edge[p];
		if (g->out_rel[e] == MT_REL_ATTR &&
		    g->out_label[e] == g->dict_name)
			return g->in_source[p];
	}
	return MT_NO_ID;
}

const char *mt_graph_type_label(const mt_graph *g, uint32_t type_id)
{
	const struct type_label *t = find_type(g, type_id);
	return t ? g->tlab + t->off : "?";
}

uint32_t mt_graph_attr(const mt_graph *g, uint32_t id, const char *name)
{
	uint32_t first, n, e;
	mt_graph_out(g, id, &first, &n);
	for (e = first; e < first + n; e++) {
		const char *nm;
		if (mt_graph_edge_rel(g, e) != MT_REL_ATTR)
			continue;
		nm = mt_graph_name(g, mt_graph_edge_label(g, e));
		if (nm && !strcmp(nm, name))
			return mt_graph_edge_target(g, e);
	}
	return MT_NO_ID;
}

bool mt_graph_static_type(const mt_graph *g, uint32_t id)
{
	const struct type_label *t = find_type(g, id);
	return t && !(t->flags & TF_HEAP);
}

uint32_t mt_graph_builtin_type(const mt_graph *g, const char *qualname)
{
	for (size_t k = 0; k < BT_N_; k++)
		if (!strcmp(builtin_names[k], qualname))
			return g->builtin[k];
	return MT_NO_ID;
}
