/* Paths that name code (paths.h, "Code spelling" and "Groups").
 *
 * The spelling is a left-to-right pass over a path's steps with two bits of
 * state: `ns`, the current object is a namespace (a module's or an
 * instance's `__dict__`, a frame's globals) whose identifier keys print as
 * `.name`; and the frame the path is in, printed only when the path leaves
 * the frame chain (`f_back` steps are skipped).  A step that reaches a
 * module or a class replaces the text so far by its name.  Labels that vary
 * between near-identical paths (indexes, dict keys that are not names in a
 * namespace, set and stack positions) are written as a 0x02 byte with
 * their text kept aside, so grouping compares the text with the labels
 * starred and the group shows a label only where all its paths agree.
 *
 * Groups live in a hash table of their starred texts (open addressing);
 * each keeps its path numbers in a growable array.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/dump.h"
#include "memtrack/paths.h"
#include "memtrack/pyrepr.h"
#include "memtrack/util.h"

#define STAR '\x02'
/* Around a frame's line number in a group's key: part of the key within
 * one dump, set aside when two dumps' groups are matched (the program
 * runs on between the dumps). */
#define LINE '\x03'

static mt_status nomem(mt_err *err)
{
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			  "path groups");
}

/* ---- helpers over the graph ---------------------------------------------- */

static bool type_is(const mt_graph *g, uint32_t id, const char *name)
{
	return id != MT_NO_ID && mt_pyrepr_type_is(g, mt_graph_type(g, id), name);
}

static bool is_frame(const mt_graph *g, uint32_t id)
{
	mt_value v;
	if (id == MT_NO_ID || !type_is(g, id, "frame"))
		return false;
	mt_graph_value(g, id, &v);
	return v.kind == MT_VAL_CODE;
}

static bool name_is(const mt_graph *g, uint64_t label, const char *s)
{
	const char *n = mt_graph_name(g, label);
	return n && !strcmp(n, s);
}

/* A str object's full text (not a cut preview), or NULL. */
static const char *str_value(const mt_graph *g, uint32_t id, size_t *len)
{
	mt_value v;
	if (id == MT_NO_ID || id >= mt_graph_count(g))
		return NULL;
	mt_graph_value(g, id, &v);
	if (v.kind != MT_VAL_STR)
		return NULL;
	*len = v.slen;
	return v.s;
}

static bool identifier(const char *s, size_t n)
{
	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

/* The str value of key `key` in dict d (a keyval edge), or NULL. */
static const char *dict_str_item(const mt_graph *g, uint32_t d,
				 const char *key, size_t *len)
{
	uint32_t first, n;
	size_t kl = strlen(key);
	mt_graph_out(g, d, &first, &n);
	for (uint32_t e = first; e < first + n; e++) {
		size_t l;
		const char *k;
		if (mt_graph_edge_rel(g, e) != MT_REL_KEYVAL)
			continue;
		k = str_value(g, (uint32_t)mt_graph_edge_label(g, e), &l);
		if (k && l == kl && !memcmp(k, key, kl))
			return str_value(g, mt_graph_edge_target(g, e), len);
	}
	return NULL;
}

/* The module whose namespace dict d is: the module that owns it (its
 * `__dict__`), else d's `__name__`; NULL when neither is known. */
static const char *module_of(const mt_graph *g, uint32_t d, size_t *len)
{
	uint32_t owner = mt_graph_dict_owner(g, d);
	mt_value v;
	if (owner != MT_NO_ID && type_is(g, owner, "module")) {
		mt_graph_value(g, owner, &v);
		if (v.kind == MT_VAL_STR) {
			*len = v.slen;
			return v.s;
		}
	}
	return dict_str_item(g, d, "__name__", len);
}

/* ---- spelling --------------------------------------------------------- */

typedef struct spell {
	const mt_graph *g;
	mt_strbuf *out;
	mt_strbuf *labels; /* NULL: labels written in place */
	bool ns;
	uint32_t frame; /* the frame the path is in, or MT_NO_ID */
} spell;

/* Starts a variable label: a STAR in the text and the label's text in
 * labels, or the text in place. */
static mt_strbuf *label_begin(spell *s)
{
	if (!s->labels)
		return s->out;
	mt_strbuf_addc(s->out, STAR, 1);
	return s->labels;
}

static void label_end(spell *s)
{
	if (s->labels)
		mt_strbuf_addc(s->labels, '\0', 1);
}

static void add(spell *s, const char *t)
{
	mt_strbuf_add(s->out, t, strlen(t));
}

static void sep(spell *s)
{
	if (s->out->len)
		add(s, " > ");
}

/* `func() file:line`: the file's last component (two for __init__.py and
 * __main__.py); `<module> file:line` for names in angle brackets. */
static void frame_text(spell *s, uint32_t f)
{
	mt_value v;
	mt_graph_value(s->g, f, &v);
	const char *file = v.s ? v.s : "";
	size_t n = v.slen, b = n;
	while (b > 0 && file[b - 1] != '/')
		b--;
	if (b > 0 && ((n - b == 11 && !memcmp(file + b, "__init__.py", 11)) ||
		      (n - b == 11 && !memcmp(file + b, "__main__.py", 11)))) {
		b--;
		while (b > 0 && file[b - 1] != '/')
			b--;
	}
	mt_strbuf_add(s->out, v.s2 ? v.s2 : "?", v.s2len);
	if (!(v.s2len && v.s2[0] == '<'))
		add(s, "()");
	mt_strbuf_addc(s->out, ' ', 1);
	mt_strbuf_add(s->out, file + b, n - b);
	if (s->labels) /* grouping: the line is marked for comparisons */
		mt_strbuf_printf(s->out, ":%c%lld%c", LINE, (long long)v.i,
				 LINE);
	else
		mt_strbuf_printf(s->out, ":%lld", (long long)v.i);
}

static void int_label(spell *s, const char *pre, uint64_t l, const char *post)
{
	add(s, pre);
	mt_strbuf_printf(label_begin(s), "%llu", (unsigned long long)l);
	label_end(s);
	add(s, post);
}

/* The root edge i: `thread 'name' (id)` for a thread's members, else
 * `sys.modules`, `sys` or `builtins` (module namespaces: true, their keys
 * read `sys.x`) or `interpreter.<name>`. */
static bool root_text(spell *s, size_t i)
{
	const mt_edge *roots;
	size_t nroots;
	mt_graph_roots(s->g, &roots, &nroots);
	const char *nm = i < nroots ? mt_graph_name(s->g, roots[i].label) : NULL;
	if (!nm)
		nm = "?";
	unsigned long long tid;
	int at = 0;
	if (sscanf(nm, "i0_t%llu_%n", &tid, &at) >= 1 && at > 0) {
		const mt_header *h = mt_graph_header(s->g);
		const char *tn = NULL;
		for (size_t k = 0; k < h->nthreads; k++)
			if (h->threads[k].id == tid)
				tn = h->threads[k].name;
		if (tn) {
			add(s, "thread ");
			mt_pyrepr_str(s->out, tn, strlen(tn));
			mt_strbuf_printf(s->out, " (%llu)", tid);
		} else {
			mt_strbuf_printf(s->out, "thread %llu", tid);
		}
		if (strcmp(nm + at, "f0"))
			mt_strbuf_printf(s->out, ".%s", nm + at);
		return false;
	}
	if (!strcmp(nm, "i0_modules")) {
		add(s, "sys.modules");
	} else if (!strcmp(nm, "i0_sysdict")) {
		add(s, "sys");
		return true;
	} else if (!strcmp(nm, "i0_builtins")) {
		add(s, "builtins");
		return true;
	} else {
		mt_strbuf_printf(s->out, "interpreter.%s",
				 strncmp(nm, "i0_", 3) ? nm : nm + 3);
	}
	return false;
}

/* An edge out of an object that is not a frame being left. */
static void edge_text(spell *s, uint32_t edge)
{
	const mt_graph *g = s->g;
	unsigned rel = mt_graph_edge_rel(g, edge);
	uint64_t l = mt_graph_edge_label(g, edge);
	const char *nm;
	switch (rel) {
	case MT_REL_ATTR:
	case MT_REL_INTERATTR:
		nm = mt_graph_name(g, l);
		add(s, rel == MT_REL_ATTR ? "." : "->");
		add(s, nm ? nm : "?");
		break;
	case MT_REL_INDEX:
		int_label(s, "[", l, "]");
		break;
	case MT_REL_KEY:
		int_label(s, s->ns ? ".__dict__.keys()[" : ".keys()[", l, "]");
		break;
	case MT_REL_INSET:
		int_label(s, "{", l, "}");
		break;
	case MT_REL_STACK:
		int_label(s, "->f_valuestack[", l, "]");
		break;
	case MT_REL_KEYVAL: {
		size_t kl;
		const char *k = str_value(g, (uint32_t)l, &kl);
		if (s->ns && k && identifier(k, kl) &&
		    (uint64_t)mt_graph_length(g, (uint32_t)l) == kl) {
			mt_strbuf_addc(s->out, '.', 1);
			mt_strbuf_add(s->out, k, kl);
			break;
		}
		add(s, s->ns ? ".__dict__[" : "[");
		if (l < mt_graph_count(g))
			mt_pyrepr_key(g, (uint32_t)l, true, label_begin(s));
		else
			mt_strbuf_addc(label_begin(s), '?', 1);
		label_end(s);
		add(s, "]");
		break;
	}
	case MT_REL_LOCAL:
	case MT_REL_CELL:
		nm = mt_graph_name(g, l);
		add(s, ".f_locals[");
		mt_pyrepr_str(s->out, nm ? nm : "?", strlen(nm ? nm : "?"));
		add(s, "]");
		break;
	default:
		add(s, ".??");
		break;
	}
}

/* A step out of the frame s->frame (not f_back): the frame, then what the
 * step takes: ` > name` for a local or cell, ` > stack[i]`, else the
 * edge's own text.  Returns true when the step made the text a module's
 * namespace (a frame's globals, or module-level locals). */
static bool leave_frame(spell *s, uint32_t edge, uint32_t dst)
{
	const mt_graph *g = s->g;
	unsigned rel = mt_graph_edge_rel(g, edge);
	uint64_t l = mt_graph_edge_label(g, edge);
	size_t ml;
	const char *mod;
	if (rel == MT_REL_ATTR &&
	    (name_is(g, l, "f_globals") || name_is(g, l, "f_locals")) &&
	    (mod = module_of(g, dst, &ml))) {
		mt_strbuf_reset(s->out);
		if (s->labels) /* the labels of the text dropped */
			mt_strbuf_reset(s->labels);
		mt_strbuf_add(s->out, mod, ml);
		return true;
	}
	sep(s);
	frame_text(s, s->frame);
	if (rel == MT_REL_LOCAL || rel == MT_REL_CELL) {
		const char *nm = mt_graph_name(g, l);
		add(s, " > ");
		add(s, nm ? nm : "?");
	} else if (rel == MT_REL_STACK) {
		int_label(s, " > stack[", l, "]");
	} else if (rel == MT_REL_ATTR) {
		const char *nm = mt_graph_name(g, l);
		add(s, " > ");
		add(s, nm ? nm : "?");
	} else {
		add(s, " >");
		edge_text(s, edge);
	}
	return false;
}

/* After a step to id: a module's text is its name, a class's its
 * `module.qualname` (the qualname alone for builtins). */
static void reached(spell *s, uint32_t id)
{
	mt_value v;
	mt_graph_value(s->g, id, &v);
	if (v.kind == MT_VAL_STR && type_is(s->g, id, "module")) {
		mt_strbuf_reset(s->out);
		if (s->labels)
			mt_strbuf_reset(s->labels);
		mt_strbuf_add(s->out, v.s, v.slen);
	} else if (v.kind == MT_VAL_QUALNAME) {
		mt_strbuf_reset(s->out);
		if (s->labels)
			mt_strbuf_reset(s->labels);
		if (!(v.slen == 8 && !memcmp(v.s, "builtins", 8)) && v.slen) {
			mt_strbuf_add(s->out, v.s, v.slen);
			mt_strbuf_addc(s->out, '.', 1);
		}
		mt_strbuf_add(s->out, v.s2, v.s2len);
	}
}

static void spell_steps(spell *s, const mt_path_step *st, size_t n,
			const char *srctext)
{
	const mt_graph *g = s->g;
	size_t k = 0;
	s->ns = false;
	s->frame = MT_NO_ID;
	if (n && st[0].src == MT_NO_ID) {
		s->ns = root_text(s, st[0].edge);
		k = 1;
		if (is_frame(g, st[0].dst))
			s->frame = st[0].dst;
		else
			reached(s, st[0].dst);
	} else {
		add(s, srctext ? srctext : "Src");
		if (n && is_frame(g, st[0].src))
			s->frame = st[0].src;
	}
	for (; k < n; k++) {
		uint32_t e = st[k].edge, dst = st[k].dst;
		unsigned rel = mt_graph_edge_rel(g, e);
		uint64_t l = mt_graph_edge_label(g, e);
		bool ns = false;
		if (s->frame != MT_NO_ID) {
			if (rel == MT_REL_ATTR && name_is(g, l, "f_back") &&
			    is_frame(g, dst)) {
				s->frame = dst;
				continue;
			}
			ns = leave_frame(s, e, dst);
			s->frame = MT_NO_ID;
		} else if (rel == MT_REL_ATTR && name_is(g, l, "__dict__") &&
			   k + 1 < n) {
			ns = true; /* `.__dict__['x']` reads `.x` */
		} else {
			edge_text(s, e);
		}
		s->ns = ns;
		if (is_frame(g, dst))
			s->frame = dst;
		else
			reached(s, dst);
	}
	if (s->frame != MT_NO_ID) { /* the path ends at a frame */
		sep(s);
		frame_text(s, s->frame);
	}
}

mt_status mt_paths_spell(const mt_graph *g, const mt_path_step *steps,
			 size_t n, const char *srctext, mt_strbuf *out)
{
	mt_strbuf t;
	mt_strbuf_init(&t);
	spell s = {.g = g, .out = &t};
	spell_steps(&s, steps, n, srctext);
	mt_status st = t.nomem ? MT_NOMEM
			       : mt_strbuf_add(out, t.s ? t.s : "", t.len);
	mt_strbuf_destroy(&t);
	return st;
}

/* ---- groups ----------------------------------------------------------- */

typedef struct group {
	char *key; /* starred text, NUL-terminated */
	size_t keylen;
	char *labels; /* the first path's labels, each NUL-terminated */
	size_t labelslen;
	unsigned char *varies; /* per star */
	size_t nstars;
	uint64_t *members;
	size_t nmembers, cap;
	char *text; /* made at the end */
} group;

struct mt_paths_groups {
	group *g;
	size_t n, cap;
	size_t *slot; /* hash slots: group index + 1 */
	size_t nslots;
	uint64_t seen, total;
	const mt_paths *p; /* the paths grouped (borrowed) */
};

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
	return h;
}

static int rehash(mt_paths_groups *gr)
{
	size_t ns = gr->nslots ? gr->nslots * 2 : 64;
	size_t *sl = calloc(ns, sizeof *sl);
	if (!sl)
		return -1;
	for (size_t i = 0; i < gr->n; i++) {
		size_t h = hash(gr->g[i].key, gr->g[i].keylen) & (ns - 1);
		while (sl[h])
			h = (h + 1) & (ns - 1);
		sl[h] = i + 1;
	}
	free(gr->slot);
	gr->slot = sl;
	gr->nslots = ns;
	return 0;
}

static int push_member(group *gp, uint64_t path)
{
	if (gp->nmembers == gp->cap) {
		size_t nc = gp->cap ? gp->cap * 2 : 4;
		uint64_t *m = realloc(gp->members, nc * sizeof *m);
		if (!m)
			return -1;
		gp->members = m;
		gp->cap = nc;
	}
	gp->members[gp->nmembers++] = path;
	return 0;
}

static char *dup(const char *s, size_t n)
{
	char *r = malloc(n + 1);
	if (r) {
		if (n)
			memcpy(r, s, n);
		r[n] = '\0';
	}
	return r;
}

/* Adds path number `path` with starred text key and labels to its group. */
static int add_path(mt_paths_groups *gr, const mt_strbuf *key,
		    const mt_strbuf *labels, uint64_t path)
{
	const char *k = key->s ? key->s : "";
	if ((gr->n + 1) * 2 > gr->nslots && rehash(gr))
		return -1;
	size_t h = hash(k, key->len) & (gr->nslots - 1);
	while (gr->slot[h]) {
		group *gp = &gr->g[gr->slot[h] - 1];
		if (gp->keylen == key->len && !memcmp(gp->key, k, key->len)) {
			/* compare the labels with the first path's */
			const char *a = gp->labels, *b = labels->s;
			for (size_t i = 0; i < gp->nstars; i++) {
				size_t la = strlen(a), lb = strlen(b);
				if (la != lb || memcmp(a, b, la))
					gp->varies[i] = 1;
				a += la + 1;
				b += lb + 1;
			}
			return push_member(gp, path);
		}
		h = (h + 1) & (gr->nslots - 1);
	}
	if (gr->n == gr->cap) {
		size_t nc = gr->cap ? gr->cap * 2 : 16;
		group *ng = realloc(gr->g, nc * sizeof *ng);
		if (!ng)
			return -1;
		gr->g = ng;
		gr->cap = nc;
	}
	group *gp = &gr->g[gr->n];
	memset(gp, 0, sizeof *gp);
	for (size_t i = 0; i < key->len; i++)
		gp->nstars += k[i] == STAR;
	gp->key = dup(k, key->len);
	gp->keylen = key->len;
	gp->labels = dup(labels->s ? labels->s : "", labels->len);
	gp->labelslen = labels->len;
	gp->varies = calloc(gp->nstars + 1, 1);
	gr->n++;
	if (!gp->key || !gp->labels || !gp->varies)
		return -1;
	gr->slot[h] = gr->n;
	return push_member(gp, path);
}

/* Starred text key[0..keylen) with each star replaced by its label (the
 * NUL-separated labels) when varies[star] is 0, else by `*`; malloc'd, or
 * NULL when out of memory. */
static char *star_text(const char *key, size_t keylen, const char *labels,
		       const unsigned char *varies)
{
	mt_strbuf t;
	mt_strbuf_init(&t);
	const char *l = labels;
	size_t si = 0;
	for (size_t i = 0; i < keylen; i++) {
		if (key[i] == LINE)
			continue;
		if (key[i] != STAR) {
			mt_strbuf_addc(&t, key[i], 1);
			continue;
		}
		size_t ll = strlen(l);
		if (varies[si])
			mt_strbuf_addc(&t, '*', 1);
		else
			mt_strbuf_add(&t, l, ll);
		l += ll + 1;
		si++;
	}
	char *r = t.nomem ? NULL : dup(t.s ? t.s : "", t.len);
	mt_strbuf_destroy(&t);
	return r;
}

/* The group's text: each star replaced by the label when all its paths
 * agree, else by `*`. */
static int make_text(group *gp)
{
	gp->text = star_text(gp->key, gp->keylen, gp->labels, gp->varies);
	return gp->text ? 0 : -1;
}

static int cmp_group(const void *a, const void *b)
{
	const group *x = a, *y = b;
	if (x->nmembers != y->nmembers)
		return x->nmembers > y->nmembers ? -1 : 1;
	return x->members[0] < y->members[0] ? -1 : 1;
}

void mt_paths_groups_free(mt_paths_groups *gr)
{
	if (!gr)
		return;
	for (size_t i = 0; i < gr->n; i++) {
		free(gr->g[i].key);
		free(gr->g[i].labels);
		free(gr->g[i].varies);
		free(gr->g[i].members);
		free(gr->g[i].text);
	}
	free(gr->g);
	free(gr->slot);
	free(gr);
}

mt_status mt_paths_group(mt_paths_groups **out, const mt_paths *p,
			 const char *srctext, uint64_t limit, mt_err *err)
{
	const mt_graph *g = mt_paths_graph(p);
	uint32_t len = mt_paths_length(p);
	uint64_t count = mt_paths_count(p);
	mt_paths_groups *gr = calloc(1, sizeof *gr);
	mt_path_step *steps = malloc((len + 1) * sizeof *steps);
	mt_strbuf key, labels;
	mt_strbuf_init(&key);
	mt_strbuf_init(&labels);
	mt_status st = MT_OK;
	*out = NULL;
	if (!gr || !steps) {
		st = nomem(err);
		goto done;
	}
	gr->p = p;
	gr->total = count;
	gr->seen = count < limit ? count : limit;
	for (uint64_t i = 0; i < gr->seen; i++) {
		if ((st = mt_paths_get(p, i, steps, err)))
			goto done;
		mt_strbuf_reset(&key);
		mt_strbuf_reset(&labels);
		spell s = {.g = g, .out = &key, .labels = &labels};
		spell_steps(&s, steps, len, srctext);
		if (key.nomem || labels.nomem ||
		    add_path(gr, &key, &labels, i)) {
			st = nomem(err);
			goto done;
		}
	}
	for (size_t i = 0; i < gr->n; i++)
		if (make_text(&gr->g[i])) {
			st = nomem(err);
			goto done;
		}
	if (gr->n > 1)
		qsort(gr->g, gr->n, sizeof *gr->g, cmp_group);
done:
	free(steps);
	mt_strbuf_destroy(&key);
	mt_strbuf_destroy(&labels);
	if (st) {
		mt_paths_groups_free(gr);
		return st;
	}
	*out = gr;
	return MT_OK;
}

size_t mt_paths_groups_count(const mt_paths_groups *gr)
{
	return gr->n;
}

uint64_t mt_paths_groups_seen(const mt_paths_groups *gr)
{
	return gr->seen;
}

const char *mt_paths_group_text(const mt_paths_groups *gr, size_t i)
{
	return i < gr->n ? gr->g[i].text : NULL;
}

const uint64_t *mt_paths_group_members(const mt_paths_groups *gr, size_t i,
				       size_t *n)
{
	*n = i < gr->n ? gr->g[i].nmembers : 0;
	return i < gr->n ? gr->g[i].members : NULL;
}

mt_status mt_paths_groups_format(const mt_paths_groups *gr, size_t first,
				 size_t max, mt_strbuf *out, size_t *next,
				 mt_err *err)
{
	size_t n = gr->n > first ? gr->n - first : 0;
	if (n > max + 1) /* heapy's page: an 11th when it is the last */
		n = max;
	if (next)
		*next = first + n;
	if (!gr->n)
		mt_strbuf_add(out, "<No paths>\n", 11);
	else if (first >= gr->n)
		mt_strbuf_add(out, "<No more paths>\n", 16);
	for (size_t i = first; i < first + n; i++)
		mt_strbuf_printf(out, "%2zu: %6zu x %s\n", i,
				 gr->g[i].nmembers, gr->g[i].text);
	if (first + n < gr->n)
		mt_strbuf_printf(out, "<... %zu more groups ...>\n",
				 gr->n - first - n);
	if (gr->seen < gr->total)
		mt_strbuf_printf(out,
				 "<grouped the first %llu of %llu paths>\n",
				 (unsigned long long)gr->seen,
				 (unsigned long long)gr->total);
	return out->nomem ? nomem(err) : MT_OK;
}

/* ---- comparing two sides' groups -------------------------------------- */

typedef struct pair {
	mt_paths_pair p;
	char *text;
} pair;

struct mt_paths_cmp {
	pair *pairs;
	size_t n;
	uint64_t seen[2], total[2];
};

/* The distinct objects group i's paths end at. */
static mt_status group_ends(const mt_paths_groups *gr, size_t i, uint64_t *out,
			    mt_err *err)
{
	const group *gp = &gr->g[i];
	uint32_t len = mt_paths_length(gr->p);
	mt_path_step *steps = malloc((len + 1) * sizeof *steps);
	uint32_t *ids = malloc((gp->nmembers + 1) * sizeof *ids);
	mt_status st = MT_OK;
	*out = 0;
	if (!steps || !ids) {
		st = nomem(err);
		goto done;
	}
	for (size_t k = 0; k < gp->nmembers; k++) {
		if ((st = mt_paths_get(gr->p, gp->members[k], steps, err)))
			goto done;
		ids[k] = len ? steps[len - 1].dst : MT_NO_ID;
	}
	qsort(ids, gp->nmembers, sizeof *ids, mt_cmp_u32);
	for (size_t k = 0; k < gp->nmembers; k++)
		*out += !k || ids[k] != ids[k - 1];
done:
	free(steps);
	free(ids);
	return st;
}

/* Orders keys as their text with the frames' line numbers set aside (a
 * frame at another line is the same step of the path). */
static int cmp_key(const group *x, const group *y)
{
	size_t i = 0, j = 0;
	while (i < x->keylen && j < y->keylen) {
		unsigned char a = (unsigned char)x->key[i];
		unsigned char b = (unsigned char)y->key[j];
		if (a != b)
			return a < b ? -1 : 1;
		if (a == LINE) { /* to the closing marker on both sides */
			while (++i < x->keylen && x->key[i] != LINE)
				;
			while (++j < y->keylen && y->key[j] != LINE)
				;
		}
		i++;
		j++;
	}
	return i < x->keylen ? 1 : j < y->keylen ? -1 : 0;
}

/* The order of by_key: cmp_key, then the whole key (lines included), so
 * that groups equal but for lines pair in a stable order. */
static int cmp_key_full(const group *x, const group *y)
{
	int c = cmp_key(x, y);
	if (c)
		return c;
	size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
	c = memcmp(x->key, y->key, n);
	if (c)
		return c;
	return x->keylen < y->keylen ? -1 : x->keylen > y->keylen;
}

static int cmp_group_key(const void *a, const void *b)
{
	return cmp_key_full(*(const group *const *)a, *(const group *const *)b);
}

/* One side's groups ordered by their starred key (pointers into gr). */
static const group **by_key(const mt_paths_groups *gr)
{
	const group **ix = malloc((gr->n + 1) * sizeof *ix);
	if (!ix)
		return NULL;
	for (size_t i = 0; i < gr->n; i++)
		ix[i] = &gr->g[i];
	qsort(ix, gr->n, sizeof *ix, cmp_group_key);
	return ix;
}

/* The text of a pair present on both sides: a star keeps its label only
 * when every path of both sides agrees on it. */
static char *pair_text(const group *o, const group *n)
{
	unsigned char *v = calloc(n->nstars + 1, 1);
	if (!v)
		return NULL;
	const char *a = o->labels, *b = n->labels;
	for (size_t i = 0; i < n->nstars; i++) {
		size_t la = strlen(a), lb = strlen(b);
		v[i] = o->varies[i] || n->varies[i] || la != lb ||
		       memcmp(a, b, la);
		a += la + 1;
		b += lb + 1;
	}
	char *t = star_text(n->key, n->keylen, n->labels, v);
	free(v);
	return t;
}

static mt_paths_change change_of(const mt_paths_pair *p)
{
	if (p->old_group == MT_PATHS_NO_GROUP)
		return MT_PATHS_NEW;
	if (p->new_group == MT_PATHS_NO_GROUP)
		return MT_PATHS_GONE;
	if (p->new_objects != p->old_objects)
		return p->new_objects > p->old_objects ? MT_PATHS_GREW
						       : MT_PATHS_SHRANK;
	return MT_PATHS_SAME;
}

static uint64_t absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* Pair order: changed first by |Δobjects|, NEW's count, OLD's count (all
 * descending), then by the text; unchanged ones after, in NEW's group
 * order. */
static int cmp_pair(const void *a, const void *b)
{
	const pair *px = a, *py = b;
	const mt_paths_pair *x = &px->p, *y = &py->p;
	bool sx = x->change == MT_PATHS_SAME, sy = y->change == MT_PATHS_SAME;
	if (sx != sy)
		return sx ? 1 : -1;
	if (sx)
		return x->new_group < y->new_group
			   ? -1
			   : x->new_group > y->new_group;
	uint64_t dx = absdiff(x->old_objects, x->new_objects);
	uint64_t dy = absdiff(y->old_objects, y->new_objects);
	if (dx != dy)
		return dx > dy ? -1 : 1;
	if (x->new_objects != y->new_objects)
		return x->new_objects > y->new_objects ? -1 : 1;
	if (x->old_objects != y->old_objects)
		return x->old_objects > y->old_objects ? -1 : 1;
	int c = strcmp(px->text, py->text);
	if (c)
		return c;
	/* a group present on one side only: by its group number */
	size_t gx = x->new_group != MT_PATHS_NO_GROUP ? x->new_group
						      : x->old_group;
	size_t gy = y->new_group != MT_PATHS_NO_GROUP ? y->new_group
						      : y->old_group;
	return gx < gy ? -1 : gx > gy;
}

void mt_paths_cmp_free(mt_paths_cmp *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->pairs[i].text);
	free(c->pairs);
	free(c);
}

/* Adds the pair of groups o (OLD) and n (NEW); either may be NULL. */
static mt_status add_pair(mt_paths_cmp *c, const mt_paths_groups *old,
			  const group *o, const mt_paths_groups *new_,
			  const group *n, mt_err *err)
{
	pair *pr = &c->pairs[c->n];
	mt_paths_pair *p = &pr->p;
	mt_status st = MT_OK;
	memset(pr, 0, sizeof *pr);
	p->old_group = o ? (size_t)(o - old->g) : MT_PATHS_NO_GROUP;
	p->new_group = n ? (size_t)(n - new_->g) : MT_PATHS_NO_GROUP;
	if (o) {
		p->old_paths = o->nmembers;
		st = group_ends(old, p->old_group, &p->old_objects, err);
	}
	if (!st && n) {
		p->new_paths = n->nmembers;
		st = group_ends(new_, p->new_group, &p->new_objects, err);
	}
	if (st)
		return st;
	p->change = change_of(p);
	if (o && n)
		pr->text = pair_text(o, n);
	else {
		const char *t = o ? o->text : n->text;
		pr->text = dup(t, strlen(t));
	}
	if (!pr->text)
		return nomem(err);
	c->n++;
	return MT_OK;
}

mt_status mt_paths_compare(mt_paths_cmp **out, const mt_paths_groups *old,
			   const mt_paths_groups *new_, mt_err *err)
{
	mt_paths_cmp *c = calloc(1, sizeof *c);
	const group **og = by_key(old), **ng = by_key(new_);
	mt_status st = MT_OK;
	*out = NULL;
	if (c)
		c->pairs = malloc((old->n + new_->n + 1) * sizeof *c->pairs);
	if (!c || !og || !ng || !c->pairs) {
		st = nomem(err);
		goto done;
	}
	c->seen[0] = old->seen;
	c->total[0] = old->total;
	c->seen[1] = new_->seen;
	c->total[1] = new_->total;
	size_t i = 0, j = 0;
	while (!st && (i < old->n || j < new_->n)) {
		int k = i == old->n    ? 1
			: j == new_->n ? -1
				       : cmp_key(og[i], ng[j]);
		const group *o = k <= 0 ? og[i++] : NULL;
		const group *n = k >= 0 ? ng[j++] : NULL;
		st = add_pair(c, old, o, new_, n, err);
	}
	if (!st && c->n > 1)
		qsort(c->pairs, c->n, sizeof *c->pairs, cmp_pair);
done:
	free(og);
	free(ng);
	if (st) {
		mt_paths_cmp_free(c);
		return st;
	}
	*out = c;
	return MT_OK;
}

size_t mt_paths_cmp_count(const mt_paths_cmp *c) { return c->n; }

const mt_paths_pair *mt_paths_cmp_at(const mt_paths_cmp *c, size_t i)
{
	return i < c->n ? &c->pairs[i].p : NULL;
}

const char *mt_paths_cmp_text(const mt_paths_cmp *c, size_t i)
{
	return i < c->n ? c->pairs[i].text : NULL;
}

const char *mt_paths_change_name(mt_paths_change ch)
{
	static const char *const names[] = {
	    [MT_PATHS_SAME] = "same", [MT_PATHS_NEW] = "new",
	    [MT_PATHS_GREW] = "grew", [MT_PATHS_SHRANK] = "shrank",
	    [MT_PATHS_GONE] = "gone",
	};
	return (unsigned)ch < sizeof names / sizeof names[0] ? names[ch] : "?";
}

mt_status mt_paths_cmp_format(const mt_paths_cmp *c, size_t first, size_t max,
			      mt_strbuf *out, size_t *next, mt_err *err)
{
	size_t n = c->n > first ? c->n - first : 0;
	if (n > max + 1) /* heapy's page: an 11th when it is the last */
		n = max;
	if (next)
		*next = first + n;
	if (!c->n)
		mt_strbuf_add(out, "<No paths>\n", 11);
	else if (first >= c->n)
		mt_strbuf_add(out, "<No more paths>\n", 16);
	for (size_t i = first; i < first + n; i++) {
		const mt_paths_pair *p = &c->pairs[i].p;
		mt_strbuf_printf(out, "%2zu: %-6s %+7lld %6llu -> %-6llu %s\n",
				 i, mt_paths_change_name(p->change),
				 (long long)(p->new_objects - p->old_objects),
				 (unsigned long long)p->old_objects,
				 (unsigned long long)p->new_objects,
				 c->pairs[i].text);
	}
	if (first + n < c->n)
		mt_strbuf_printf(out, "<... %zu more groups ...>\n",
				 c->n - first - n);
	static const char *const side[] = {"OLD", "NEW"};
	for (int s = 0; s < 2; s++)
		if (c->seen[s] < c->total[s])
			mt_strbuf_printf(out,
					 "<%s: grouped the first %llu of %llu "
					 "paths>\n",
					 side[s],
					 (unsigned long long)c->seen[s],
					 (unsigned long long)c->total[s]);
	return out->nomem ? nomem(err) : MT_OK;
}
