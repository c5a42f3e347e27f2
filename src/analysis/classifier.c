/* Classifiers (include/memtrack/partition.h): the infrastructure.
 *
 * Owns struct mt_classifier: the interned kinds of one classification of one
 * graph by one row of the classifier table (classifier.h, cls_table.c).
 * The row's classify() computes a 64-bit key; a hash maps keys to dense
 * kind numbers (first seen, first numbered), and each kind keeps its label
 * (asked of the row once) and its key.  Rows flagged MT_CLS_DENSE number
 * their keys densely themselves (RCS, VIA: set numbers), so the kind is
 * the key and no hash is kept.
 *
 * The combination A&B is a row of its own here (and_def, not in the
 * table): its key is the number of the interned tuple of the parts' kinds.
 *
 * Labels live in an arena of large blocks (clspriv.h): nothing is allocated
 * per kind, as a heap can have millions of them (byid: one per object).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#if defined(__GLIBC__)
#include <malloc.h> /* malloc_trim */
#endif

#include "clspriv.h"
#include "memtrack/classifier.h"
#include "memtrack/ctx.h"

enum { TRIM_KINDS = 1 << 16 }; /* kinds of a classifier worth a trim */
#define NONE MT_CLS_NONE

struct mt_classifier {
	struct mt_classifier_head_ h; /* g and state, first (classifier.h) */
	unsigned refs;
	const mt_classifier_def *def;
	/* def->classify and MT_CLS_DENSE, at hand on every object */
	mt_status (*classify)(mt_classifier *c, uint32_t id, uint64_t *key,
			      mt_err *err);
	bool dense;
	struct mt_ctx *ctx; /* during prepare only */
	char *name;	    /* canonical name */
	char *header;	    /* AND only; else def->header */
	/* kinds: labels point into text, to constants or into the state */
	const char **labels;
	uint64_t *keys; /* not for MT_CLS_DENSE: the kind is the key */
	uint32_t nkinds, cap;
	struct mt_u64map kinds; /* key -> kind; not for MT_CLS_DENSE */
	/* the last key found and its kind (nkinds: none): neighbours in a
	 * dump are often of one kind, which then costs no hash lookup */
	uint64_t last_key;
	uint32_t last_kind;
	struct mt_arena text;
	mt_strbuf tmp; /* reused while making a label */
	/* during mt_classifier_classify_all_cb: its progress, counted in
	 * work (objects and their in-edges, done before the object being
	 * classified: work_base), for mt_cls_work */
	mt_ctx_progress_fn work_cb;
	void *work_data;
	const char *work_what;
	uint64_t work_base, work_total;
};

static bool dense(const mt_classifier *c) { return c->dense; }

/* ---- names ------------------------------------------------------------------ */

mt_status mt_classify_parse(const char *name, mt_classify_by *by)
{
	const mt_classifier_def *d = mt_classifier_def_find(name);
	if (!d || d->by >= MT_CLASSIFY_AND)
		return MT_ARG;
	*by = d->by;
	return MT_OK;
}

/* Calls fn on each '&'-separated part of spec, blanks trimmed. */
static mt_status each_part(const char *spec,
			   mt_status (*fn)(void *data, const char *part,
					   size_t len, mt_err *err),
			   void *data, mt_err *err)
{
	const char *p = spec;
	for (;;) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		mt_status st;
		while (len && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if ((st = fn(data, p, len, err)) != MT_OK)
			return st;
		if (!amp)
			return MT_OK;
		p = amp + 1;
	}
}

/* The row named part[0..len), or MT_ARG naming it. */
static mt_status find_part(const char *part, size_t len,
			   const mt_classifier_def **d, mt_err *err)
{
	char name[32];
	*d = NULL;
	if (len < sizeof name) {
		memcpy(name, part, len);
		name[len] = '\0';
		*d = mt_classifier_def_find(name);
	}
	if (!*d)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "no classifier '%.*s'", len > 40 ? 40 : (int)len,
				  part);
	return MT_OK;
}

struct canon {
	char *buf;
	size_t n, len;
};

static mt_status canon_part(void *data, const char *part, size_t len,
			    mt_err *err)
{
	struct canon *k = data;
	const mt_classifier_def *d;
	mt_status st = find_part(part, len, &d, err);
	size_t nl;
	if (st != MT_OK)
		return st;
	nl = strlen(d->name);
	if (k->len + nl + 2 > k->n)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "classifier name too long");
	if (k->len)
		k->buf[k->len++] = '&';
	memcpy(k->buf + k->len, d->name, nl + 1);
	k->len += nl;
	return MT_OK;
}

mt_status mt_classifier_canonical(const char *spec, char *buf, size_t n,
				  mt_err *err)
{
	struct canon k = {buf, n, 0};
	if (n)
		buf[0] = '\0';
	return each_part(spec, canon_part, &k, err);
}

/* ---- life ------------------------------------------------------------------- */

static mt_classifier *alloc_classifier(const mt_graph *g,
				       const mt_classifier_def *def)
{
	mt_classifier *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->refs = 1;
	c->h.g = g;
	c->def = def;
	c->classify = def->classify;
	c->dense = (def->flags & MT_CLS_DENSE) != 0;
	c->last_kind = NONE;
	mt_strbuf_init(&c->tmp);
	if ((def->state_size && !(c->h.state = calloc(1, def->state_size))) ||
	    (!dense(c) && mt_u64map_grow(&c->kinds, 64)) ||
	    !(c->name = strdup(def->name))) {
		mt_classifier_unref(c);
		return NULL;
	}
	return c;
}

mt_status mt_classifier_new_def(mt_classifier **out, const mt_graph *g,
				const mt_classifier_def *def,
				struct mt_ctx *ctx, mt_err *err)
{
	mt_classifier *c;
	mt_ctx *own = NULL;
	mt_status st = MT_OK;
	*out = NULL;
	if (!(c = alloc_classifier(g, def)))
		return mt_cls_nomem(err, "classifier");
	if (def->prepare) {
		/* prepare always has a context to borrow shared data from:
		 * a private one, freed at once, when none was given */
		if (!ctx && (st = mt_ctx_new(&own, g, err)) == MT_OK)
			ctx = own;
		c->ctx = ctx;
		if (st == MT_OK)
			st = def->prepare(c, err);
		c->ctx = NULL;
		mt_ctx_free(own);
	}
	if (st != MT_OK) {
		mt_classifier_unref(c);
		return st;
	}
	*out = c;
	return MT_OK;
}

mt_status mt_classifier_new(mt_classifier **out, const mt_graph *g,
			    mt_classify_by by, mt_err *err)
{
	size_t n, i;
	const mt_classifier_def *const *defs = mt_classifier_defs(&n);
	*out = NULL;
	for (i = 0; i < n; i++)
		if (defs[i]->by == by && by < MT_CLASSIFY_AND)
			return mt_classifier_new_def(out, g, defs[i], NULL,
						     err);
	return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
			  "unknown classifier %d", (int)by);
}

mt_classifier *mt_classifier_ref(mt_classifier *c)
{
	if (c)
		c->refs++;
	return c;
}

void mt_classifier_unref(mt_classifier *c)
{
	bool big;
	if (!c || --c->refs)
		return;
	big = c->nkinds >= TRIM_KINDS;
	if (c->def->release)
		c->def->release(c);
	free(c->h.state);
	free(c->labels);
	free(c->keys);
	mt_u64map_free(&c->kinds);
	mt_arena_free(&c->text);
	mt_strbuf_destroy(&c->tmp);
	free(c->header);
	free(c->name);
	free(c);
#if defined(__GLIBC__)
	/* With many kinds, much freed memory (ours and that of the
	 * partitions made with us: a label per row) is in the middle of the
	 * heap, where glibc keeps it resident, also for blocks it would
	 * have mmapped had its dynamic mmap threshold not grown.  Give it
	 * back, as the caller is likely done with a large classification
	 * (~15 ms for a million kinds). */
	if (big)
		malloc_trim(0);
#endif
}

void mt_classifier_free(mt_classifier *c) { mt_classifier_unref(c); }

/* ---- accessors -------------------------------------------------------------- */

struct mt_ctx *mt_classifier_ctx(const mt_classifier *c) { return c->ctx; }
/* (the name in parentheses: classifier.h makes it an inline macro) */
const mt_graph *(mt_classifier_graph)(const mt_classifier *c)
{
	return c->h.g;
}
const char *mt_classifier_name(const mt_classifier *c) { return c->name; }
mt_classify_by mt_classifier_by(const mt_classifier *c) { return c->def->by; }

const char *mt_classifier_header(const mt_classifier *c)
{
	return c->header ? c->header : c->def->header;
}

uint32_t mt_classifier_kind_count(const mt_classifier *c) { return c->nkinds; }

const char *mt_classifier_label(const mt_classifier *c, uint32_t kind)
{
	return kind < c->nkinds ? c->labels[kind] : NULL;
}

/* The key behind a kind. */
static uint64_t kind_key(const mt_classifier *c, uint32_t kind)
{
	return dense(c) ? kind : c->keys[kind];
}

size_t mt_classifier_set_size(const mt_classifier *c, uint32_t kind)
{
	if (!c->def->set_size || kind >= c->nkinds)
		return 0;
	return c->def->set_size(c, kind_key(c, kind));
}

const char *mt_classifier_set_member(const mt_classifier *c, uint32_t kind,
				     size_t i)
{
	if (i >= mt_classifier_set_size(c, kind))
		return NULL;
	return c->def->set_member(c, kind_key(c, kind), i);
}

int64_t mt_classifier_kind_value(const mt_classifier *c, uint32_t kind)
{
	if (kind >= c->nkinds || !c->def->value)
		return 0;
	return c->def->value(c, kind_key(c, kind));
}

/* ---- classification ---------------------------------------------------------- */

/* Numbers a new kind with key (found on object id) and its label. */
static int add_kind(mt_classifier *c, uint64_t key, uint32_t id)
{
	const char *l;
	if (c->nkinds == c->cap) {
		uint32_t nc = c->cap ? c->cap * 2 : 64;
		const char **a = realloc(c->labels, nc * sizeof *a);
		if (!a)
			return -1;
		c->labels = a;
		if (!dense(c)) {
			uint64_t *k = realloc(c->keys, nc * sizeof *k);
			if (!k)
				return -1;
			c->keys = k;
		}
		c->cap = nc;
	}
	mt_strbuf_reset(&c->tmp);
	l = c->def->label(c, key, id, &c->tmp);
	if (c->tmp.nomem)
		return -1;
	if (!l && !(l = mt_arena_dup(&c->text, c->tmp.s ? c->tmp.s : "",
				     c->tmp.len)))
		return -1;
	c->labels[c->nkinds] = l;
	if (!dense(c))
		c->keys[c->nkinds] = key;
	c->nkinds++;
	return 0;
}

/* The kind of key (first seen on object id) of a classifier that is not
 * MT_CLS_DENSE: the last one found, else the key table's, else a new
 * kind. */
static inline mt_status key_kind(mt_classifier *c, uint64_t key, uint32_t id,
				 uint32_t *kind, mt_err *err)
{
	size_t j;
	if (key == c->last_key && c->last_kind < c->nkinds) {
		*kind = c->last_kind;
		return MT_OK;
	}
	j = mt_u64map_slot(&c->kinds, key);
	if (c->kinds.v[j] != NONE) {
		c->last_key = key;
		*kind = c->last_kind = c->kinds.v[j];
		return MT_OK;
	}
	if (add_kind(c, key, id))
		goto nomem;
	*kind = c->nkinds - 1;
	/* The kind is stored; a failed grow only costs speed until the
	 * table is full, so fail now while it is safe. */
	if (mt_u64map_put(&c->kinds, j, key, *kind))
		goto nomem;
	return MT_OK;
nomem:
	return mt_cls_nomem(err, "classifier kinds");
}

mt_status mt_classifier_classify(mt_classifier *c, uint32_t id, uint32_t *kind,
				 mt_err *err)
{
	uint64_t key = 0;
	mt_status st = c->classify(c, id, &key, err);
	if (st != MT_OK)
		return st;
	if (dense(c)) {
		/* Keys are numbered as they are first seen, and each new one
		 * becomes a kind at once (or at the next call when a label
		 * failed). */
		while (c->nkinds <= key)
			if (add_kind(c, c->nkinds, id))
				return mt_cls_nomem(err, "classifier kinds");
		*kind = (uint32_t)key;
		return MT_OK;
	}
	return key_kind(c, key, id, kind, err);
}

mt_status mt_classifier_classify_all(mt_classifier *c, uint32_t **kinds,
				     mt_err *err)
{
	return mt_classifier_classify_all_cb(c, kinds, NULL, NULL, NULL, err);
}

/* classify_all's ticks: after 4k objects or 256k in-edges, whichever
 * comes first.  The in-edges are what the RCS, VIA and surplus
 * classifiers read, up to 0.4 microseconds each when their sources are
 * spread over an 80M-object graph; a run of objects that each make a new
 * kind, with its label, takes 10 microseconds an object. */
enum { TICK_OBJECTS = 0x1000, TICK_WORK = 1u << 18 };
/* keys asked for at once from a row's keys32 */
enum { KEYS_BLOCK = 1024 };

static uint64_t work_at(const mt_graph *g, uint32_t id)
{
	uint32_t first, n;
	if (id == mt_graph_count(g))
		return (uint64_t)id + mt_graph_edge_count(g);
	mt_graph_in(g, id, &first, &n);
	return (uint64_t)id + first;
}

mt_status mt_cls_work(mt_classifier *c, uint64_t edges, mt_err *err)
{
	if (c->work_cb && c->work_cb(c->work_data, c->work_what,
				     c->work_base + edges, c->work_total))
		return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
				  MT_NO_OFFSET, "%s", c->work_what);
	return MT_OK;
}

/* ---- kinds as uint16 while they fit (partition.h) ---------------------- */

mt_status mt_kinds_out_init(mt_kinds_out *o, size_t n, bool narrow,
			    mt_err *err)
{
	o->n = n;
	o->wide = !narrow;
	o->a = mt_big_alloc((n ? n : 1) * sizeof(uint32_t));
	return o->a ? MT_OK : mt_cls_nomem(err, "kinds");
}

/* Entries 0 .. j-1 from uint16 to uint32, from the last: entry i moves
 * from byte 2i to 4i, over entries 2i and 2i+1, which are moved already
 * (or, for i = 0, itself, read first); memcpy keeps the two widths'
 * accesses in order. */
void mt_kinds_out_widen_(mt_kinds_out *o, size_t j)
{
	for (size_t i = j; i-- > 0;) {
		uint16_t k16;
		memcpy(&k16, o->a + 2 * i, 2);
		uint32_t k = k16;
		memcpy(o->a + 4 * i, &k, 4);
	}
	o->wide = true;
}

void mt_kinds_out_take(mt_kinds_out *o, uint32_t **k32, uint16_t **k16)
{
	*k32 = NULL;
	if (k16)
		*k16 = NULL;
	if (o->wide)
		*k32 = (uint32_t *)(void *)o->a;
	else /* the uint32 half never touched: given back */
		*k16 = mt_big_shrink(o->a, (o->n ? o->n : 1) * sizeof **k16);
	o->a = NULL;
}

void mt_kinds_out_free(mt_kinds_out *o)
{
	mt_big_free(o->a);
	o->a = NULL;
}

mt_status mt_classifier_classify_all_cb(mt_classifier *c, uint32_t **kinds,
					mt_ctx_progress_fn cb, void *cbdata,
					const char *what, mt_err *err)
{
	return mt_classifier_classify_all_narrow_(c, kinds, NULL, cb, cbdata,
						  what, err);
}

mt_status mt_classifier_classify_all_narrow_(mt_classifier *c,
					     uint32_t **kinds,
					     uint16_t **kinds16,
					     mt_ctx_progress_fn cb,
					     void *cbdata, const char *what,
					     mt_err *err)
{
	const mt_graph *g = c->h.g;
	uint32_t n = mt_graph_count(g), i, last = 0;
	uint64_t total = work_at(g, n), told = 0;
	mt_kinds_out k;
	mt_status st = mt_kinds_out_init(&k, n, kinds16 != NULL, err);
	*kinds = NULL;
	if (kinds16)
		*kinds16 = NULL;
	if (st != MT_OK)
		return st;
	c->work_cb = cb;
	c->work_data = cbdata;
	c->work_what = what;
	c->work_total = total;
	/* a row with keys32 (no edges read): KEYS_BLOCK keys at a time,
	 * the progress looked at before each block */
	uint32_t block = c->def && c->def->keys32 && !dense(c) ? KEYS_BLOCK : 1;
	uint32_t keys[KEYS_BLOCK];
	for (i = 0; i < n && st == MT_OK; i += block) {
		uint32_t cnt = n - i < block ? n - i : block;
		if (cb) {
			c->work_base = work_at(g, i);
			if (i == 0 || i - last >= TICK_OBJECTS ||
			    c->work_base - told >= TICK_WORK) {
				if ((st = mt_cls_work(c, 0, err)) != MT_OK)
					break;
				last = i;
				told = c->work_base;
			}
		}
		uint32_t kind;
		if (block == 1) {
			st = mt_classifier_classify(c, i, &kind, err);
			if (st == MT_OK)
				mt_kinds_out_put(&k, i, kind);
			continue;
		}
		c->def->keys32(c, i, cnt, keys);
		for (uint32_t j = 0; j < cnt && st == MT_OK; j++)
			if ((st = key_kind(c, keys[j], i + j, &kind, err)) ==
			    MT_OK)
				mt_kinds_out_put(&k, i + j, kind);
	}
	c->work_cb = NULL;
	if (st != MT_OK) {
		mt_kinds_out_free(&k);
		return st;
	}
	mt_kinds_out_take(&k, kinds, kinds16);
	return MT_OK;
}

/* ---- combinations A&B --------------------------------------------------------- */

struct and_state {
	mt_classifier **parts;
	size_t nparts;
	struct mt_pool tuples;
	struct mt_u32vec tuple;
};

static void and_release(mt_classifier *c)
{
	struct and_state *s = c->h.state;
	size_t i;
	for (i = 0; i < s->nparts; i++)
		mt_classifier_unref(s->parts[i]);
	free(s->parts);
	mt_pool_free(&s->tuples);
	free(s->tuple.a);
}

static mt_status and_classify(mt_classifier *c, uint32_t id, uint64_t *key,
			      mt_err *err)
{
	struct and_state *s = c->h.state;
	uint32_t t = 0;
	mt_status st;
	size_t i;
	s->tuple.n = 0;
	for (i = 0; i < s->nparts; i++) { /* the tuple of the parts' kinds */
		uint32_t k;
		if ((st = mt_classifier_classify(s->parts[i], id, &k, err)) !=
		    MT_OK)
			return st;
		if (mt_u32vec_push(&s->tuple, k))
			return mt_cls_nomem(err, "kinds");
	}
	if (mt_pool_intern(&s->tuples, s->tuple.a, (uint32_t)s->nparts, &t))
		return mt_cls_nomem(err, "kinds");
	*key = t;
	return MT_OK;
}

/* Label of kind inside a combination (heapy's ctx 'and'). */
static void and_label_add(const mt_classifier *c, uint32_t kind, mt_strbuf *b)
{
	const char *l = c->labels[kind];
	if (c->def->and_label)
		c->def->and_label(c, kind_key(c, kind), l, b);
	else
		mt_strbuf_add(b, l, strlen(l));
}

static const char *and_label(mt_classifier *c, uint64_t key, uint32_t id,
			     mt_strbuf *b)
{
	struct and_state *s = c->h.state;
	const uint32_t *e = mt_pool_at(&s->tuples, (uint32_t)key);
	size_t i;
	(void)id;
	for (i = 0; i < s->nparts; i++) {
		if (i)
			mt_strbuf_add(b, " & ", 3);
		and_label_add(s->parts[i], e[i], b);
	}
	return NULL;
}

static const mt_classifier_def and_def = {
    .name = "and",
    .header = "",
    .help = "a combination A&B",
    .by = MT_CLASSIFY_AND,
    .state_size = sizeof(struct and_state),
    .release = and_release,
    .classify = and_classify,
    .label = and_label,
};

/* Header of a part inside a combination (heapy's ctx 'and'). */
static void and_header_add(const mt_classifier *c, mt_strbuf *b)
{
	const char *h = mt_classifier_header(c);
	if (c->def == &and_def)
		mt_strbuf_printf(b, "(%s)", h);
	else if (c->def->and_header)
		mt_strbuf_add(b, c->def->and_header, strlen(c->def->and_header));
	else
		mt_strbuf_add(b, h, strlen(h));
}

/* Adds to the parts of c one reference to p, or to each part of p when p
 * is a combination itself (a combination of combinations is flat, as
 * heapy's er & er); drops the caller's reference to p. */
static void and_take(mt_classifier *c, mt_classifier *p)
{
	struct and_state *s = c->h.state, *ps = p->h.state;
	size_t i;
	if (p->def == &and_def)
		for (i = 0; i < ps->nparts; i++)
			s->parts[s->nparts++] = mt_classifier_ref(ps->parts[i]);
	else
		s->parts[s->nparts++] = mt_classifier_ref(p);
	mt_classifier_unref(p);
}

/* Header and canonical name of combination c from its parts. */
static int and_names(mt_classifier *c)
{
	struct and_state *s = c->h.state;
	mt_strbuf hb, nb;
	size_t i;
	int rc;
	mt_strbuf_init(&hb);
	mt_strbuf_init(&nb);
	for (i = 0; i < s->nparts; i++) {
		if (i) {
			mt_strbuf_add(&hb, " & ", 3);
			mt_strbuf_addc(&nb, '&', 1);
		}
		and_header_add(s->parts[i], &hb);
		mt_strbuf_add(&nb, s->parts[i]->name,
			      strlen(s->parts[i]->name));
	}
	rc = hb.nomem || nb.nomem ? -1 : 0;
	if (!rc) {
		free(c->name);
		c->header = hb.s;
		c->name = nb.s;
	} else {
		mt_strbuf_destroy(&hb);
		mt_strbuf_destroy(&nb);
	}
	return rc;
}

static size_t nparts_of(const mt_classifier *c)
{
	return c->def == &and_def ? ((struct and_state *)c->h.state)->nparts : 1;
}

mt_status mt_classifier_new_combo(mt_classifier **out, mt_classifier *a,
				  mt_classifier *b, mt_err *err)
{
	mt_classifier *c = NULL;
	struct and_state *s;

	*out = NULL;
	if (!a || !b || a->h.g != b->h.g) {
		mt_classifier_unref(a);
		mt_classifier_unref(b);
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "combination of classifiers of different "
				  "graphs");
	}
	if (!(c = alloc_classifier(a->h.g, &and_def)))
		goto nomem;
	s = c->h.state;
	if (!(s->parts = calloc(nparts_of(a) + nparts_of(b), sizeof *s->parts)))
		goto nomem;
	and_take(c, a);
	and_take(c, b);
	a = b = NULL;
	if (and_names(c))
		goto nomem;
	*out = c;
	return MT_OK;
nomem:
	mt_classifier_unref(a);
	mt_classifier_unref(b);
	mt_classifier_unref(c);
	return mt_cls_nomem(err, "classifier");
}

/* ---- by name -------------------------------------------------------------------- */

struct named {
	const mt_graph *g;
	struct mt_ctx *ctx;
	mt_classifier *acc;
};

static mt_status named_part(void *data, const char *part, size_t len,
			    mt_err *err)
{
	struct named *nm = data;
	const mt_classifier_def *d;
	mt_classifier *c;
	mt_status st = find_part(part, len, &d, err);
	if (st == MT_OK && nm->ctx)
		st = mt_ctx_classifier(nm->ctx, d->name, &c, err);
	else if (st == MT_OK)
		st = mt_classifier_new_def(&c, nm->g, d, NULL, err);
	if (st != MT_OK)
		return st;
	if (!nm->acc) {
		nm->acc = c;
		return MT_OK;
	}
	st = mt_classifier_new_combo(&nm->acc, nm->acc, c, err);
	return st; /* on failure both are dropped by new_combo */
}

mt_status mt_classifier_new_spec_(mt_classifier **out, const mt_graph *g,
				  struct mt_ctx *ctx, const char *spec,
				  mt_err *err)
{
	struct named nm = {g, ctx, NULL};
	mt_status st = each_part(spec, named_part, &nm, err);
	*out = NULL;
	if (st != MT_OK) {
		mt_classifier_unref(nm.acc);
		return st;
	}
	*out = nm.acc;
	return MT_OK;
}

mt_status mt_classifier_new_named(mt_classifier **out, const mt_graph *g,
				  const char *spec, mt_err *err)
{
	return mt_classifier_new_spec_(out, g, NULL, spec, err);
}

mt_classifier *mt_classifier_part(const mt_classifier *c, int which)
{
	const struct and_state *s = c->h.state;
	return c->def == &and_def && which >= 0 && (size_t)which < s->nparts
		   ? s->parts[which]
		   : NULL;
}

const mt_classifier_def *mt_classifier_def_of(const mt_classifier *c)
{
	return c->def == &and_def ? NULL : c->def;
}
