/* Reference patterns (refpat.h).
 *
 * guppy's generator is recursive; here an explicit stack of frames (a row
 * and its pending children) replays the same depth-first order, one row
 * per step, so rows can be produced lazily.  Each row keeps its set; its
 * children (the partition of its referrers) are computed when the row is
 * made (they decide `[R]`) and kept only while the row is on the stack.
 * Earlier sets are found by a hash of their ids and a full comparison.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "memtrack/navigate.h"
#include "memtrack/pyrepr.h"
#include "memtrack/refpat.h"

typedef struct child {
	char *kind;
	mt_set *set;
} child;

typedef struct frame {
	size_t line;
	child *ch;
	size_t nch, next;
} frame;

typedef struct line {
	mt_refpat_row row;
	uint64_t hash;
	uint32_t last;	   /* last letter's index (depth > 0)      */
	uint32_t run;	   /* length of the name's trailing run     */
	size_t run_at;	   /* byte offset of that run in the name   */
} line;

struct mt_refpat {
	const mt_graph *g;
	mt_classifier *c;
	bool own_c;
	unsigned depth;
	mt_set *x;
	line *lines;
	size_t nlines, cap;
	frame *stack;
	size_t sp, scap;
	size_t *seen; /* open addressing by set hash: line + 1, 0 free */
	size_t seencap;
	bool started, complete;
};

static mt_status nomem(mt_err *err)
{
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			  "reference pattern");
}

static uint64_t set_hash(const mt_set *s)
{
	uint64_t h = 1469598103934665603ull;
	const uint32_t *ids = mt_set_ids(s);
	for (size_t i = 0; i < mt_set_count(s); i++) {
		h ^= ids[i];
		h *= 1099511628211ull;
	}
	return h ^ mt_set_count(s);
}

static void free_children(child *ch, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(ch[i].kind);
		mt_set_unref(ch[i].set);
	}
	free(ch);
}

void mt_refpat_free(mt_refpat *rp)
{
	if (!rp)
		return;
	for (size_t i = 0; i < rp->nlines; i++) {
		free((char *)rp->lines[i].row.name);
		free((char *)rp->lines[i].row.kind);
		mt_set_unref(rp->lines[i].row.set);
	}
	free(rp->seen);
	free(rp->lines);
	for (size_t i = 0; i < rp->sp; i++)
		free_children(rp->stack[i].ch, rp->stack[i].nch);
	free(rp->stack);
	mt_set_unref(rp->x);
	if (rp->own_c)
		mt_classifier_unref(rp->c);
	free(rp);
}

mt_status mt_refpat_new(mt_refpat **out, const mt_graph *g, mt_classifier *c,
			mt_set *x, unsigned depth, mt_err *err)
{
	*out = NULL;
	mt_refpat *rp = calloc(1, sizeof *rp);
	if (!rp)
		return nomem(err);
	rp->g = g;
	rp->depth = depth ? depth : MT_REFPAT_DEPTH;
	rp->x = mt_set_ref(x);
	if (!c) {
		mt_status st = mt_classifier_new(&c, g, MT_CLASSIFY_CLODO, err);
		if (st) {
			mt_refpat_free(rp);
			return st;
		}
		rp->own_c = true;
	}
	rp->c = c;
	*out = rp;
	return MT_OK;
}

bool mt_refpat_complete(const mt_refpat *rp)
{
	return rp->complete;
}

/* Partition of the referrers of s: children in partition order. */
static mt_status children_of(mt_refpat *rp, const mt_set *s, child **out,
			     size_t *nout, mt_err *err)
{
	*out = NULL;
	*nout = 0;
	mt_set *r;
	mt_status st = mt_nav_referrers(rp->g, s, &r, err);
	if (st)
		return st;
	size_t n = mt_set_count(r);
	if (!n) {
		mt_set_unref(r);
		return MT_OK;
	}
	const uint32_t *ids = mt_set_ids(r);
	mt_partition *p = NULL;
	uint32_t *kinds = malloc(n * sizeof *kinds);
	if (!kinds) {
		mt_set_unref(r);
		return nomem(err);
	}
	for (size_t i = 0; i < n && !st; i++)
		st = mt_classifier_classify(rp->c, ids[i], &kinds[i], err);
	if (!st)
		st = mt_partition_new(&p, rp->c, ids, n, err);
	size_t nk = mt_classifier_kind_count(rp->c), nrows = 0;
	uint32_t *rowof = NULL;
	child *ch = NULL;
	if (!st) {
		nrows = mt_partition_nrows(p);
		rowof = malloc((nk ? nk : 1) * sizeof *rowof);
		ch = calloc(nrows ? nrows : 1, sizeof *ch);
		if (!rowof || !ch)
			st = nomem(err);
	}
	uint32_t *buf = NULL;
	size_t *fill = NULL, *start = NULL;
	if (!st) {
		buf = malloc(n * sizeof *buf);
		fill = calloc(nrows + 1, sizeof *fill);
		start = calloc(nrows + 1, sizeof *start);
		if (!buf || !fill || !start)
			st = nomem(err);
	}
	if (!st) {
		for (size_t i = 0; i < nrows; i++) {
			const mt_partition_row *row = mt_partition_row_at(p, i);
			rowof[row->kind] = (uint32_t)i;
			start[i + 1] = start[i] + row->count;
		}
		for (size_t i = 0; i < n; i++) {
			uint32_t ri = rowof[kinds[i]];
			buf[start[ri] + fill[ri]++] = ids[i];
		}
		for (size_t i = 0; i < nrows && !st; i++) {
			const mt_partition_row *row = mt_partition_row_at(p, i);
			ch[i].kind = strdup(row->label);
			if (!ch[i].kind)
				st = nomem(err);
			else
				st = mt_set_from_ids(&ch[i].set, buf + start[i],
						     start[i + 1] - start[i],
						     err);
		}
	}
	if (st) {
		free_children(ch, nrows);
	} else {
		*out = ch;
		*nout = nrows;
	}
	free(buf);
	free(fill);
	free(start);
	free(rowof);
	free(kinds);
	mt_partition_free(p);
	mt_set_unref(r);
	return st;
}

/* Every member is a module, a type, a dict of either, code or a frame. */
static bool stop_kind(const mt_graph *g, const mt_set *s)
{
	const uint32_t *ids = mt_set_ids(s);
	for (size_t i = 0; i < mt_set_count(s); i++) {
		uint32_t id = ids[i], t = mt_graph_type(g, id);
		if (mt_pyrepr_type_is(g, t, "module") ||
		    mt_pyrepr_type_is(g, t, "type") ||
		    mt_pyrepr_type_is(g, t, "code") ||
		    mt_pyrepr_type_is(g, t, "frame"))
			continue;
		uint32_t o = mt_graph_dict_owner(g, id);
		if (o != MT_NO_ID &&
		    (mt_pyrepr_type_is(g, mt_graph_type(g, o), "module") ||
		     mt_pyrepr_type_is(g, mt_graph_type(g, o), "type")))
			continue;
		return false;
	}
	return true;
}

/* Appends the UTF-8 of letter chr(ord('a') + ix). */
static void add_letter(mt_strbuf *b, uint32_t ix)
{
	uint32_t cp = 'a' + ix;
	char u[4];
	size_t ul;
	if (cp < 0x80) {
		u[0] = (char)cp;
		ul = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		ul = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		ul = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		ul = 4;
	}
	mt_strbuf_add(b, u, ul);
}

/* heapy's ixl_as_str, built from the parent's name: a child of letter
 * ix extends the parent's trailing run when it is the same letter (runs
 * longer than two print as letter+count), else appends the letter.  Sets
 * the new line's run fields; returns the name or NULL (no memory). */
static char *child_name(const line *parent, line *l, uint32_t ix)
{
	mt_strbuf b;
	mt_strbuf_init(&b);
	if (!parent) {
		mt_strbuf_addc(&b, '_', 1);
	} else if (parent->row.depth > 0 && parent->last == ix) {
		mt_strbuf_add(&b, parent->row.name, parent->run_at);
		l->run = parent->run + 1;
		l->run_at = parent->run_at;
		if (l->run > 2) {
			add_letter(&b, ix);
			mt_strbuf_printf(&b, "%u", l->run);
		} else {
			add_letter(&b, ix);
			add_letter(&b, ix);
		}
	} else {
		if (parent->row.depth > 0)
			mt_strbuf_add(&b, parent->row.name,
				      strlen(parent->row.name));
		l->run = 1;
		l->run_at = b.len;
		add_letter(&b, ix);
	}
	l->last = ix;
	if (b.nomem) {
		mt_strbuf_destroy(&b);
		return NULL;
	}
	return b.s;
}

/* The earlier line with the same set as line i, or SIZE_MAX; records
 * line i when it is the first.  -1 on no memory. */
static int seen_lookup(mt_refpat *rp, size_t i, size_t *found)
{
	*found = SIZE_MAX;
	if ((rp->nlines + 1) * 2 > rp->seencap) {
		size_t nc = rp->seencap ? rp->seencap * 2 : 64;
		size_t *ns = calloc(nc, sizeof *ns);
		if (!ns)
			return -1;
		for (size_t k = 0; k < rp->seencap; k++)
			if (rp->seen[k]) {
				size_t h = (size_t)rp->lines[rp->seen[k] - 1].hash &
					   (nc - 1);
				while (ns[h])
					h = (h + 1) & (nc - 1);
				ns[h] = rp->seen[k];
			}
		free(rp->seen);
		rp->seen = ns;
		rp->seencap = nc;
	}
	const line *l = &rp->lines[i];
	size_t h = (size_t)l->hash & (rp->seencap - 1);
	while (rp->seen[h]) {
		const line *o = &rp->lines[rp->seen[h] - 1];
		if (o->hash == l->hash && mt_set_equal(o->row.set, l->row.set)) {
			*found = rp->seen[h] - 1;
			return 0;
		}
		h = (h + 1) & (rp->seencap - 1);
	}
	rp->seen[h] = i + 1;
	return 0;
}

/* The top row's kind: one label, or "(a | b)". */
static mt_status top_kind(mt_refpat *rp, char **out, mt_err *err)
{
	*out = NULL;
	const uint32_t *ids = mt_set_ids(rp->x);
	size_t n = mt_set_count(rp->x);
	mt_partition *p;
	mt_status st = mt_partition_new(&p, rp->c, ids, n, err);
	if (st)
		return st;
	mt_strbuf b;
	mt_strbuf_init(&b);
	size_t nr = mt_partition_nrows(p);
	if (nr > 1)
		mt_strbuf_addc(&b, '(', 1);
	for (size_t i = 0; i < nr; i++)
		mt_strbuf_printf(&b, "%s%s", i ? " | " : "",
				 mt_partition_row_at(p, i)->label);
	if (nr > 1)
		mt_strbuf_addc(&b, ')', 1);
	if (!nr)
		mt_strbuf_add(&b, "<Nothing>", 9);
	mt_partition_free(p);
	if (b.nomem) {
		mt_strbuf_destroy(&b);
		return nomem(err);
	}
	*out = b.s;
	return MT_OK;
}

/* Appends a line for (kind, set) under the stack's top (or as row 0) and
 * pushes a frame when it is to be expanded.  Takes kind and set. */
static mt_status add_line(mt_refpat *rp, char *kind, mt_set *set,
			  mt_err *err)
{
	frame *top = rp->sp ? &rp->stack[rp->sp - 1] : NULL;
	if (rp->nlines == rp->cap) {
		size_t nc = rp->cap ? rp->cap * 2 : 16;
		line *nl = realloc(rp->lines, nc * sizeof *nl);
		if (!nl)
			goto oom;
		rp->lines = nl;
		rp->cap = nc;
	}
	if (rp->sp == rp->scap) {
		size_t nc = rp->scap ? rp->scap * 2 : 8;
		frame *nf = realloc(rp->stack, nc * sizeof *nf);
		if (!nf)
			goto oom;
		rp->stack = nf;
		rp->scap = nc;
		top = rp->sp ? &rp->stack[rp->sp - 1] : NULL;
	}
	line *l = &rp->lines[rp->nlines];
	memset(l, 0, sizeof *l);
	unsigned depth = top ? rp->lines[top->line].row.depth + 1 : 0;
	char *name = child_name(top ? &rp->lines[top->line] : NULL, l,
				top ? (uint32_t)(top->next - 1) : 0);
	if (!name)
		goto oom;
	l->row = (mt_refpat_row){.index = rp->nlines,
				 .depth = depth,
				 .parent = top ? top->line : SIZE_MAX,
				 .child = top ? top->next - 1 : 0,
				 .name = name,
				 .kind = kind,
				 .set = set,
				 .seen = SIZE_MAX};
	l->hash = set_hash(set);
	rp->nlines++;
	if (seen_lookup(rp, l->row.index, &l->row.seen))
		return nomem(err);
	child *ch;
	size_t nch;
	mt_status st = children_of(rp, set, &ch, &nch, err);
	if (st)
		return st; /* the line stays, with its marker unset */
	if (l->row.seen != SIZE_MAX)
		l->row.marker = MT_REFPAT_SEEN;
	else if (!nch)
		l->row.marker = MT_REFPAT_ROOT;
	else if (depth > 0 && stop_kind(rp->g, set))
		l->row.marker = MT_REFPAT_STOP;
	else if (depth < rp->depth)
		l->row.marker = MT_REFPAT_EXPAND;
	else
		l->row.marker = MT_REFPAT_LIMIT;
	if (l->row.marker == MT_REFPAT_EXPAND) {
		rp->stack[rp->sp++] = (frame){l->row.index, ch, nch, 0};
	} else {
		free_children(ch, nch);
	}
	return MT_OK;
oom:
	free(kind);
	mt_set_unref(set);
	return nomem(err);
}

/* One more row; MT_END when there are no more. */
static mt_status generate(mt_refpat *rp, mt_err *err)
{
	if (!rp->started) {
		rp->started = true;
		char *kind;
		mt_status st = top_kind(rp, &kind, err);
		if (st)
			return st;
		return add_line(rp, kind, mt_set_ref(rp->x), err);
	}
	while (rp->sp) {
		frame *f = &rp->stack[rp->sp - 1];
		if (f->next < f->nch) {
			child c = f->ch[f->next];
			f->ch[f->next].kind = NULL;
			f->ch[f->next].set = NULL;
			f->next++;
			return add_line(rp, c.kind, c.set, err);
		}
		free_children(f->ch, f->nch);
		rp->sp--;
	}
	rp->complete = true;
	return MT_END;
}

mt_status mt_refpat_row_at(mt_refpat *rp, size_t i, const mt_refpat_row **row,
			   mt_err *err)
{
	*row = NULL;
	while (rp->nlines <= i) {
		mt_status st = generate(rp, err);
		if (st)
			return st;
	}
	*row = &rp->lines[i].row;
	return MT_OK;
}


typedef struct node {
	uint64_t addr;
	uint32_t id;
} node;

static int cmp_node(const void *a, const void *b)
{
	const node *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* heapy's get_str_refpat(set, kind, max_len). */
static mt_status summary(mt_refpat *rp, const mt_refpat_row *row,
			 size_t max_len, mt_strbuf *out, mt_err *err)
{
	const mt_graph *g = rp->g;
	mt_strbuf s;
	mt_strbuf_init(&s);
	size_t n = mt_set_count(row->set);
	mt_strbuf_printf(&s, "%zu %s: ", n, row->kind);
	size_t head = mt_utf8_chars(s.s, s.len);
	size_t maxr = max_len > head ? max_len - head : 0;
	/* get_str_rendered with max_length = maxr (may be <= 0 in heapy:
	 * then only the first rendering) */
	node *nodes = malloc((n ? n : 1) * sizeof *nodes);
	char **strs = malloc((n ? n : 1) * sizeof *strs);
	mt_status st = MT_OK;
	if (!nodes || !strs) {
		free(nodes);
		free(strs);
		mt_strbuf_destroy(&s);
		return nomem(err);
	}
	const uint32_t *ids = mt_set_ids(row->set);
	for (size_t i = 0; i < n; i++)
		nodes[i] = (node){mt_graph_addr(g, ids[i]), ids[i]};
	qsort(nodes, n, sizeof *nodes, cmp_node);
	size_t ns = 0, lens = 0;
	mt_strbuf r;
	mt_strbuf_init(&r);
	for (size_t i = 0; i < n; i++) {
		mt_strbuf_reset(&r);
		mt_pyrepr_limited(g, nodes[i].id, &r);
		size_t rl = mt_utf8_chars(r.s ? r.s : "", r.len);
		if (lens && lens + rl + 2 >= maxr) {
			mt_strbuf t;
			mt_strbuf_init(&t);
			mt_strbuf_printf(&t, "%s...", strs[ns - 1]);
			free(strs[ns - 1]);
			strs[ns - 1] = t.s;
			if (t.nomem)
				st = nomem(err);
			break;
		}
		lens += rl + 2;
		strs[ns] = strdup(r.s ? r.s : "");
		if (!strs[ns]) {
			st = nomem(err);
			break;
		}
		ns++;
	}
	mt_strbuf_destroy(&r);
	if (!st) {
		qsort(strs, ns, sizeof *strs, cmp_str);
		for (size_t i = 0; i < ns; i++)
			mt_strbuf_printf(&s, "%s%s", i ? ", " : "", strs[i]);
		size_t sl = mt_utf8_chars(s.s, s.len);
		if (sl > max_len) {
			size_t keep = max_len >= 3 ? max_len - 3 : 0;
			s.len = mt_utf8_offset(s.s, s.len, keep);
			s.s[s.len] = '\0';
			mt_strbuf_add(&s, "...", 3);
		}
		if (s.nomem)
			st = nomem(err);
		else
			st = mt_strbuf_add(out, s.s, s.len);
	}
	for (size_t i = 0; i < ns; i++)
		free(strs[i]);
	free(strs);
	free(nodes);
	mt_strbuf_destroy(&s);
	return st;
}

mt_status mt_refpat_line(mt_refpat *rp, size_t i, mt_strbuf *out,
			 mt_err *err)
{
	const mt_refpat_row *row;
	mt_status st = mt_refpat_row_at(rp, i, &row, err);
	if (st)
		return st;
	mt_strbuf pre;
	mt_strbuf_init(&pre);
	mt_strbuf_printf(&pre, "%2zu: %s ", row->index, row->name);
	size_t lps = mt_utf8_chars(pre.s, pre.len), upto = 9 + row->depth;
	if (upto > 100)
		upto = 100;
	if (upto > lps)
		mt_strbuf_addc(&pre, row->index & 1 ? ' ' : '-', upto - lps);
	switch (row->marker) {
	case MT_REFPAT_SEEN:
		mt_strbuf_printf(&pre, " [^ %zu] ", row->seen);
		break;
	case MT_REFPAT_ROOT:
		mt_strbuf_add(&pre, " [R] ", 5);
		break;
	case MT_REFPAT_STOP:
		mt_strbuf_add(&pre, " [S] ", 5);
		break;
	case MT_REFPAT_EXPAND:
		mt_strbuf_add(&pre, " [-] ", 5);
		break;
	default:
		mt_strbuf_add(&pre, " [+] ", 5);
		break;
	}
	if (pre.nomem) {
		mt_strbuf_destroy(&pre);
		return nomem(err);
	}
	size_t plen = mt_utf8_chars(pre.s, pre.len);
	mt_strbuf_add(out, pre.s, pre.len);
	mt_strbuf_destroy(&pre);
	return summary(rp,
		       row, plen < MT_REFPAT_WIDTH ? MT_REFPAT_WIDTH - plen : 0,
		       out, err);
}

static const char *byname(const mt_classifier *c)
{
	switch (mt_classifier_by(c)) {
	case MT_CLASSIFY_CLODO:
		return "[dict of] class";
	case MT_CLASSIFY_TYPE:
		return "type";
	default:
		return mt_classifier_header(c);
	}
}

mt_status mt_refpat_format(mt_refpat *rp, size_t first, bool title,
			   mt_strbuf *out, size_t *next, mt_err *err)
{
	if (next)
		*next = first;
	if (title)
		mt_strbuf_printf(out, "Reference Pattern by <%s>.\n",
				 byname(rp->c));
	const mt_refpat_row *row;
	size_t i = first, shown = 0;
	for (;; i++) {
		mt_status st = mt_refpat_row_at(rp, i, &row, err);
		if (st == MT_END)
			break;
		if (st)
			return st;
		if (shown >= MT_REFPAT_PAGE) {
			/* heapy shows this row only if it is the last */
			st = mt_refpat_row_at(rp, i + 1, &row, err);
			if (st && st != MT_END)
				return st;
			if (st == MT_OK) {
				if (rp->complete)
					mt_strbuf_printf(
					    out,
					    "<%zu more lines. Type e.g. "
					    "'_.more' for more.>\n",
					    rp->nlines - i);
				else
					mt_strbuf_printf(
					    out, "%s\n",
					    "<Type e.g. '_.more' for more.>");
				break;
			}
		}
		if ((st = mt_refpat_line(rp, i, out, err)))
			return st;
		mt_strbuf_addc(out, '\n', 1);
		shown++;
	}
	if (next)
		*next = i;
	return out->nomem ? nomem(err) : MT_OK;
}
