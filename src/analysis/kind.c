/* Symbolic kinds (include/memtrack/kind.h).
 *
 * Owns struct mt_kind: an immutable, reference-counted expression tree of
 * atoms (classifier tag, cmp, text or number or sorted strings) and
 * And/Or/Not nodes.  Selection builds an evaluation context for one graph:
 * the classifiers the atoms need (made on first use) and, per atom, a memo
 * from classifier kind to match (-1 unknown, 0, 1), so each distinct kind
 * is tested once and every object costs one classification.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/kind.h"
#include "memtrack/partition.h"
#include "memtrack/pyrepr.h"
#include "memtrack/util.h"

typedef enum {
	K_ANY,
	K_NOTHING,
	K_TYPE,
	K_CLODO,
	K_SIZE,
	K_VIA,
	K_RCS,
	K_MODULE,
	K_PROD,
	K_ID,
	K_AND,
	K_OR,
	K_NOT
} ktag;

struct mt_kind {
	size_t refs;
	ktag tag;
	mt_kind_cmp cmp;
	char *label;   /* TYPE, CLODO, MODULE; PROD: the file, NULL: None */
	uint64_t num;  /* SIZE, ID; PROD: the line, MT_KIND_NOLINE: None */
	bool unknown;  /* PROD: heapy's Prod(), no known site */
	char **strs;   /* VIA, RCS: sorted, unique */
	size_t nstrs;
	mt_kind *a, *b; /* AND, OR, NOT */
};

static mt_status nomem(mt_err *err)
{
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, "kind");
}

mt_kind *mt_kind_ref(mt_kind *k)
{
	k->refs++;
	return k;
}

void mt_kind_unref(mt_kind *k)
{
	size_t i;
	if (!k || --k->refs)
		return;
	free(k->label);
	for (i = 0; i < k->nstrs; i++)
		free(k->strs[i]);
	free(k->strs);
	mt_kind_unref(k->a);
	mt_kind_unref(k->b);
	free(k);
}

static mt_kind *knew(ktag tag)
{
	mt_kind *k = calloc(1, sizeof *k);
	if (k) {
		k->refs = 1;
		k->tag = tag;
	}
	return k;
}

static mt_status make(mt_kind **out, ktag tag, const char *label,
		      uint64_t num, mt_err *err)
{
	mt_kind *k = knew(tag);
	*out = NULL;
	if (!k || (label && !(k->label = strdup(label)))) {
		mt_kind_unref(k);
		return nomem(err);
	}
	k->num = num;
	*out = k;
	return MT_OK;
}

mt_status mt_kind_anything(mt_kind **out, mt_err *err)
{
	return make(out, K_ANY, NULL, 0, err);
}

mt_status mt_kind_nothing(mt_kind **out, mt_err *err)
{
	return make(out, K_NOTHING, NULL, 0, err);
}

mt_status mt_kind_type(mt_kind **out, const char *label, mt_err *err)
{
	return make(out, K_TYPE, label, 0, err);
}

mt_status mt_kind_clodo(mt_kind **out, const char *label, mt_err *err)
{
	return make(out, K_CLODO, label, 0, err);
}

mt_status mt_kind_clodo_dictof(mt_kind **out, const char *owner, mt_err *err)
{
	mt_strbuf b;
	mt_status st;
	mt_strbuf_init(&b);
	if (!owner || !*owner)
		mt_strbuf_add(&b, "dict (no owner)", 15);
	else
		mt_strbuf_printf(&b, "dict of %s", owner);
	st = b.nomem ? nomem(err) : make(out, K_CLODO, b.s, 0, err);
	mt_strbuf_destroy(&b);
	return st;
}

mt_status mt_kind_size(mt_kind **out, uint64_t size, mt_err *err)
{
	return make(out, K_SIZE, NULL, size, err);
}

mt_status mt_kind_module(mt_kind **out, const char *name, mt_err *err)
{
	return make(out, K_MODULE, name, 0, err);
}

mt_status mt_kind_prod(mt_kind **out, const char *file, uint64_t line,
		       mt_err *err)
{
	return make(out, K_PROD, file, line, err);
}

mt_status mt_kind_prod_unknown(mt_kind **out, mt_err *err)
{
	mt_status st = make(out, K_PROD, NULL, MT_KIND_NOLINE, err);
	if (st == MT_OK)
		(*out)->unknown = true;
	return st;
}

mt_status mt_kind_id(mt_kind **out, uint64_t addr, mt_err *err)
{
	return make(out, K_ID, NULL, addr, err);
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Quoted names in a via text re-quoted as repr() would: ["k"] -> ['k']. */
static char *normalise_via(const char *s)
{
	mt_strbuf b;
	const char *p = s;
	mt_strbuf_init(&b);
	while (*p) {
		const char *end;
		if ((*p == '\'' || *p == '"') && (end = strchr(p + 1, *p)) &&
		    !memchr(p + 1, '\\', (size_t)(end - p - 1))) {
			mt_pyrepr_str(&b, p + 1, (size_t)(end - p - 1));
			p = end + 1;
		} else
			mt_strbuf_addc(&b, *p++, 1);
	}
	if (b.nomem) {
		mt_strbuf_destroy(&b);
		return NULL;
	}
	return b.s ? b.s : strdup("");
}

static mt_status make_set(mt_kind **out, ktag tag, const char *const *strs,
			  size_t n, mt_err *err)
{
	mt_kind *k = knew(tag);
	size_t i, m = 0;
	*out = NULL;
	if (!k || !(k->strs = calloc(n ? n : 1, sizeof *k->strs)))
		goto fail;
	for (i = 0; i < n; i++) {
		k->strs[i] = tag == K_VIA ? normalise_via(strs[i])
					  : strdup(strs[i]);
		if (!k->strs[i])
			goto fail;
		k->nstrs++;
	}
	qsort(k->strs, k->nstrs, sizeof *k->strs, cmp_strp);
	for (i = 0; i < k->nstrs; i++) {
		if (m && !strcmp(k->strs[m - 1], k->strs[i]))
			free(k->strs[i]);
		else
			k->strs[m++] = k->strs[i];
	}
	k->nstrs = m;
	*out = k;
	return MT_OK;
fail:
	mt_kind_unref(k);
	return nomem(err);
}

mt_status mt_kind_via(mt_kind **out, const char *const *rels, size_t n,
		      mt_err *err)
{
	return make_set(out, K_VIA, rels, n, err);
}

mt_status mt_kind_rcs(mt_kind **out, const char *const *labels, size_t n,
		      mt_err *err)
{
	return make_set(out, K_RCS, labels, n, err);
}

static bool is_atom(const mt_kind *k)
{
	return k->tag >= K_TYPE && k->tag <= K_ID;
}

static bool is_dict_label(const char *l)
{
	return !strncmp(l, "dict of ", 8) || !strcmp(l, "dict (no owner)");
}

mt_status mt_kind_alt(mt_kind **out, mt_kind *k, const char *cmp, mt_err *err)
{
	static const char *const ops[] = {"==", "!=", "<", "<=", ">=", ">"};
	mt_kind_cmp c;
	mt_kind *n;
	size_t i;
	*out = NULL;
	for (i = 0; i < 6 && strcmp(cmp, ops[i]); i++)
		;
	if (i == 6 || !is_atom(k) || k->cmp != MT_KCMP_EQ)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "alt('%s') needs ==, !=, <, <=, >= or > on "
				  "an atomic kind",
				  cmp);
	c = (mt_kind_cmp)i;
	if (c == MT_KCMP_EQ) {
		*out = mt_kind_ref(k);
		return MT_OK;
	}
	if (c == MT_KCMP_NE)
		return mt_kind_not(out, k, err);
	if (k->tag == K_MODULE || k->tag == K_ID ||
	    (k->tag == K_CLODO && is_dict_label(k->label)))
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "alt('%s') has no meaning for this kind",
				  cmp);
	if (!(n = knew(k->tag)))
		return nomem(err);
	n->cmp = c;
	n->num = k->num;
	n->unknown = k->unknown;
	if (k->label && !(n->label = strdup(k->label)))
		goto fail;
	if (k->nstrs) {
		if (!(n->strs = calloc(k->nstrs, sizeof *n->strs)))
			goto fail;
		for (i = 0; i < k->nstrs; i++) {
			if (!(n->strs[i] = strdup(k->strs[i])))
				goto fail;
			n->nstrs++;
		}
	}
	*out = n;
	return MT_OK;
fail:
	mt_kind_unref(n);
	return nomem(err);
}

mt_status mt_kind_dictof(mt_kind **out, mt_kind *k, mt_err *err)
{
	*out = NULL;
	if (k->tag == K_NOTHING)
		return mt_kind_clodo_dictof(out, "", err);
	if ((k->tag != K_TYPE && k->tag != K_CLODO) || k->cmp != MT_KCMP_EQ ||
	    is_dict_label(k->label))
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  ".dictof needs a Type or class kind");
	return mt_kind_clodo_dictof(out, k->label, err);
}

static mt_status combine(mt_kind **out, ktag tag, mt_kind *a, mt_kind *b,
			 mt_err *err)
{
	mt_kind *k = knew(tag);
	*out = NULL;
	if (!k)
		return nomem(err);
	k->a = mt_kind_ref(a);
	k->b = b ? mt_kind_ref(b) : NULL;
	*out = k;
	return MT_OK;
}

mt_status mt_kind_and(mt_kind **out, mt_kind *a, mt_kind *b, mt_err *err)
{
	if (a->tag == K_NOTHING || b->tag == K_ANY || a == b) {
		*out = mt_kind_ref(a);
		return MT_OK;
	}
	if (b->tag == K_NOTHING || a->tag == K_ANY) {
		*out = mt_kind_ref(b);
		return MT_OK;
	}
	return combine(out, K_AND, a, b, err);
}

mt_status mt_kind_or(mt_kind **out, mt_kind *a, mt_kind *b, mt_err *err)
{
	if (a->tag == K_ANY || b->tag == K_NOTHING || a == b) {
		*out = mt_kind_ref(a);
		return MT_OK;
	}
	if (b->tag == K_ANY || a->tag == K_NOTHING) {
		*out = mt_kind_ref(b);
		return MT_OK;
	}
	return combine(out, K_OR, a, b, err);
}

mt_status mt_kind_not(mt_kind **out, mt_kind *a, mt_err *err)
{
	if (a->tag == K_NOT) {
		*out = mt_kind_ref(a->a);
		return MT_OK;
	}
	if (a->tag == K_ANY)
		return mt_kind_nothing(out, err);
	if (a->tag == K_NOTHING)
		return mt_kind_anything(out, err);
	return combine(out, K_NOT, a, NULL, err);
}

/* ---- brief ------------------------------------------------------------------ */

static const char *const opname[] = {"=", "!=", "<", "<=", ">=", ">"};

static void brief_strs(const mt_kind *k, mt_strbuf *out)
{
	size_t i;
	char **r = calloc(k->nstrs ? k->nstrs : 1, sizeof *r);
	if (!r) {
		out->nomem = true;
		return;
	}
	for (i = 0; i < k->nstrs; i++) {
		mt_strbuf t;
		mt_strbuf_init(&t);
		if (k->tag == K_VIA)
			mt_pyrepr_str(&t, k->strs[i], strlen(k->strs[i]));
		else
			mt_strbuf_add(&t, k->strs[i], strlen(k->strs[i]));
		r[i] = t.s ? t.s : strdup("");
	}
	qsort(r, k->nstrs, sizeof *r, cmp_strp);
	for (i = 0; i < k->nstrs; i++) {
		if (i)
			mt_strbuf_add(out, ", ", 2);
		if (r[i])
			mt_strbuf_add(out, r[i], strlen(r[i]));
		else
			out->nomem = true;
		free(r[i]);
	}
	free(r);
}

static void brief(const mt_kind *k, mt_strbuf *out)
{
	static const char *const typerel[] = {"", "", "strict subtype of ",
					      "subtype of ", "supertype of ",
					      "strict supertype of "};
	switch (k->tag) {
	case K_ANY:
		mt_strbuf_add(out, "<Anything>", 10);
		break;
	case K_NOTHING:
		mt_strbuf_add(out, "<Nothing>", 9);
		break;
	case K_TYPE:
	case K_CLODO:
		if (k->cmp == MT_KCMP_EQ)
			mt_strbuf_add(out, k->label, strlen(k->label));
		else
			mt_strbuf_printf(out, "<%s%s>", typerel[k->cmp],
					 k->label);
		break;
	case K_SIZE:
		mt_strbuf_printf(out, "<size %s %llu>", opname[k->cmp],
				 (unsigned long long)k->num);
		break;
	case K_VIA:
		mt_strbuf_add(out, "<via ", 5);
		if (k->cmp != MT_KCMP_EQ)
			mt_strbuf_printf(out, "%s ", opname[k->cmp]);
		brief_strs(k, out);
		mt_strbuf_addc(out, '>', 1);
		break;
	case K_RCS:
		if (k->cmp == MT_KCMP_EQ)
			mt_strbuf_add(out, "<referred by: ", 14);
		else
			mt_strbuf_printf(out, "<referred by %s ",
					 opname[k->cmp]);
		brief_strs(k, out);
		mt_strbuf_addc(out, '>', 1);
		break;
	case K_MODULE:
		mt_strbuf_printf(out, "<module %s>", k->label);
		break;
	case K_PROD:
		if (k->unknown && k->cmp == MT_KCMP_EQ) {
			mt_strbuf_add(out, "unknown", 7);
			break;
		}
		if (k->cmp != MT_KCMP_EQ || !k->label ||
		    k->num == MT_KIND_NOLINE)
			mt_strbuf_printf(out, "<producer %s ", opname[k->cmp]);
		if (k->unknown)
			mt_strbuf_add(out, "unknown", 7);
		else
			mt_strbuf_printf(out, "%s:", k->label ? k->label : "*");
		if (!k->unknown && k->num == MT_KIND_NOLINE)
			mt_strbuf_addc(out, '*', 1);
		else if (!k->unknown)
			mt_strbuf_printf(out, "%llu",
					 (unsigned long long)k->num);
		if (k->cmp != MT_KCMP_EQ || !k->label ||
		    k->num == MT_KIND_NOLINE)
			mt_strbuf_addc(out, '>', 1);
		break;
	case K_ID:
		mt_strbuf_printf(out, "<id 0x%llx>", (unsigned long long)k->num);
		break;
	case K_AND:
	case K_OR:
		mt_strbuf_addc(out, '(', 1);
		brief(k->a, out);
		mt_strbuf_add(out, k->tag == K_AND ? " & " : " | ", 3);
		brief(k->b, out);
		mt_strbuf_addc(out, ')', 1);
		break;
	case K_NOT: {
		size_t at;
		mt_strbuf_addc(out, '~', 1);
		at = out->len;
		brief(k->a, out);
		if (!out->nomem && out->s[at] != '(' && out->s[at] != '<' &&
		    memchr(out->s + at, ' ', out->len - at)) {
			/* ~(dict of X): wrap a bare label with spaces */
			size_t n = out->len - at;
			mt_strbuf_addc(out, ')', 1);
			mt_strbuf_addc(out, ' ', 1);
			if (!out->nomem) {
				memmove(out->s + at + 1, out->s + at, n + 1);
				out->s[at] = '(';
				out->s[out->len] = '\0';
			}
		}
		break;
	}
	}
}

mt_status mt_kind_brief(const mt_kind *k, mt_strbuf *out)
{
	brief(k, out);
	return out->nomem ? MT_NOMEM : MT_OK;
}

/* ---- selection --------------------------------------------------------------- */

struct memo {
	const mt_kind *k;
	signed char *m; /* per classifier kind: -1 unknown, 0, 1 */
	size_t cap;
	uint32_t *super; /* GE/GT on types: ids in MROs of types labelled k */
	size_t nsuper;
	bool super_done;
};

struct ev {
	const mt_graph *g;
	mt_classifier *cl[5]; /* TYPE, CLODO, VIA, RCS, MODULE */
	struct memo *memos;
	size_t nmemos;
	mt_status st;
	mt_err *err;
};

static mt_classifier *ev_classifier(struct ev *e, ktag tag)
{
	static const mt_classify_by by[] = {
	    MT_CLASSIFY_TYPE, MT_CLASSIFY_CLODO, MT_CLASSIFY_VIA,
	    MT_CLASSIFY_RCS, MT_CLASSIFY_MODULE};
	int i = tag == K_TYPE	 ? 0
		: tag == K_CLODO ? 1
		: tag == K_VIA	 ? 2
		: tag == K_RCS	 ? 3
				 : 4;
	if (!e->cl[i] && e->st == MT_OK)
		e->st = mt_classifier_new(&e->cl[i], e->g, by[i], e->err);
	return e->cl[i];
}

static struct memo *ev_memo(struct ev *e, const mt_kind *k, uint32_t kind)
{
	struct memo *m = NULL;
	size_t i;
	for (i = 0; i < e->nmemos; i++)
		if (e->memos[i].k == k)
			m = &e->memos[i];
	if (!m) {
		struct memo *p =
		    realloc(e->memos, (e->nmemos + 1) * sizeof *p);
		if (!p)
			return NULL;
		e->memos = p;
		m = &p[e->nmemos++];
		memset(m, 0, sizeof *m);
		m->k = k;
	}
	if (kind >= m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 64;
		signed char *p;
		while (nc <= kind)
			nc *= 2;
		if (!(p = realloc(m->m, nc)))
			return NULL;
		memset(p + m->cap, -1, nc - m->cap);
		m->m = p;
		m->cap = nc;
	}
	return m;
}

/* The MRO of type t, through its __mro__ attr edge (t itself if none).
 * Calls fn for each type id; stops when fn returns true. */
static bool each_mro(const mt_graph *g, uint32_t t,
		     bool (*fn)(const mt_graph *, uint32_t, const void *),
		     const void *arg)
{
	uint32_t first, n, e;
	if (fn(g, t, arg))
		return true;
	mt_graph_out(g, t, &first, &n);
	for (e = first; e < first + n; e++) {
		const char *nm;
		uint32_t tf, tn, x;
		if (mt_graph_edge_rel(g, e) != MT_REL_ATTR)
			continue;
		nm = mt_graph_name(g, mt_graph_edge_label(g, e));
		if (!nm || strcmp(nm, "__mro__"))
			continue;
		mt_graph_out(g, mt_graph_edge_target(g, e), &tf, &tn);
		for (x = tf; x < tf + tn; x++)
			if (mt_graph_edge_rel(g, x) == MT_REL_INDEX &&
			    fn(g, mt_graph_edge_target(g, x), arg))
				return true;
		break;
	}
	return false;
}

static bool label_is(const mt_graph *g, uint32_t t, const void *label)
{
	return !strcmp(mt_graph_type_label(g, t), label);
}

struct collect {
	uint32_t *v;
	size_t n, cap;
	bool fail;
};

static bool collect_fn(const mt_graph *g, uint32_t t, const void *arg)
{
	struct collect *c = (struct collect *)arg;
	(void)g;
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 16;
		uint32_t *p = realloc(c->v, nc * sizeof *p);
		if (!p) {
			c->fail = true;
			return true;
		}
		c->v = p;
		c->cap = nc;
	}
	c->v[c->n++] = t;
	return false;
}

/* Every type id in the MRO of a type labelled k->label. */
static int supers(struct ev *e, struct memo *m)
{
	struct collect c = {0};
	uint32_t n = mt_graph_count(e->g), i;
	mt_value v;
	m->super_done = true;
	for (i = 0; i < n; i++) {
		mt_graph_value(e->g, i, &v);
		if (v.kind == MT_VAL_QUALNAME && label_is(e->g, i, m->k->label))
			each_mro(e->g, i, collect_fn, &c);
		if (c.fail) {
			free(c.v);
			return -1;
		}
	}
	qsort(c.v, c.n, sizeof *c.v, mt_cmp_u32);
	m->super = c.v;
	m->nsuper = c.n;
	return 0;
}

static bool type_match(struct ev *e, struct memo *m, uint32_t t)
{
	const mt_kind *k = m->k;
	bool eq = label_is(e->g, t, k->label);
	switch (k->cmp) {
	case MT_KCMP_EQ:
		return eq;
	case MT_KCMP_NE:
		return !eq;
	case MT_KCMP_LE:
	case MT_KCMP_LT:
		if (eq)
			return k->cmp == MT_KCMP_LE;
		return each_mro(e->g, t, label_is, k->label);
	default:
		if (eq)
			return k->cmp == MT_KCMP_GE;
		if (!m->super_done && supers(e, m)) {
			e->st = nomem(e->err);
			return false;
		}
		return m->nsuper && bsearch(&t, m->super, m->nsuper,
					    sizeof t, mt_cmp_u32) != NULL;
	}
}

static bool set_match(const mt_kind *k, const mt_classifier *c, uint32_t kind)
{
	size_t n = mt_classifier_set_size(c, kind), i, in = 0;
	bool sub = true, super, eq;
	for (i = 0; i < n; i++) {
		const char *s = mt_classifier_set_member(c, kind, i);
		if (k->nstrs &&
		    bsearch(&s, k->strs, k->nstrs, sizeof *k->strs, cmp_strp))
			in++;
		else
			sub = false;
	}
	super = in == k->nstrs; /* members are unique: all of k found */
	eq = sub && super;
	switch (k->cmp) {
	case MT_KCMP_EQ:
		return eq;
	case MT_KCMP_NE:
		return !eq;
	case MT_KCMP_LE:
		return sub;
	case MT_KCMP_LT:
		return sub && !eq;
	case MT_KCMP_GE:
		return super;
	default:
		return super && !eq;
	}
}

static bool num_cmp(uint64_t x, uint64_t y, mt_kind_cmp c)
{
	switch (c) {
	case MT_KCMP_EQ:
		return x == y;
	case MT_KCMP_NE:
		return x != y;
	case MT_KCMP_LT:
		return x < y;
	case MT_KCMP_LE:
		return x <= y;
	case MT_KCMP_GE:
		return x >= y;
	default:
		return x > y;
	}
}

/* heapy's producer order (hv_cli_prod_le): a <= b when both are None
 * (no known site), or neither is and, field by field where neither is
 * None, a's file starts with b's and a's line is at most b's. */
struct site {
	bool none;
	const char *file; /* NULL: None */
	uint64_t line;	  /* MT_KIND_NOLINE: None */
};

static bool site_le(const struct site *a, const struct site *b)
{
	if (a->none || b->none)
		return a->none && b->none;
	if (a->file && b->file && strncmp(a->file, b->file, strlen(b->file)))
		return false;
	return a->line == MT_KIND_NOLINE || b->line == MT_KIND_NOLINE ||
	       a->line <= b->line;
}

static bool site_eq(const struct site *a, const struct site *b)
{
	if (a->none || b->none)
		return a->none && b->none;
	return a->line == b->line &&
	       (a->file && b->file ? !strcmp(a->file, b->file)
				   : a->file == b->file);
}

/* Object id against a PROD atom; no object matches in a dump without
 * allocation sites. */
static bool prod_match(const mt_graph *g, const mt_kind *k, uint32_t id)
{
	uint32_t line;
	if (!mt_graph_has_sites(g))
		return false;
	const char *f = mt_graph_site_file(g, mt_graph_site(g, id), &line);
	struct site x = {f == NULL, f, line};
	struct site K = {k->unknown, k->label, k->num};
	switch (k->cmp) {
	case MT_KCMP_EQ:
		return site_eq(&x, &K);
	case MT_KCMP_NE:
		return !site_eq(&x, &K);
	case MT_KCMP_LT:
		return site_le(&x, &K) && !site_eq(&x, &K);
	case MT_KCMP_LE:
		return site_le(&x, &K);
	case MT_KCMP_GE:
		return site_le(&K, &x);
	default:
		return site_le(&K, &x) && !site_eq(&x, &K);
	}
}

static bool eval(struct ev *e, const mt_kind *k, uint32_t id)
{
	mt_classifier *c;
	struct memo *m;
	uint32_t kind;
	bool r;
	if (e->st != MT_OK)
		return false;
	switch (k->tag) {
	case K_ANY:
		return true;
	case K_NOTHING:
		return false;
	case K_AND:
		return eval(e, k->a, id) && eval(e, k->b, id);
	case K_OR:
		return eval(e, k->a, id) || eval(e, k->b, id);
	case K_NOT:
		return !eval(e, k->a, id);
	case K_SIZE:
		return num_cmp(mt_graph_size(e->g, id), k->num, k->cmp);
	case K_ID:
		return !mt_graph_virtual(e->g, id) &&
		       num_cmp(mt_graph_addr(e->g, id), k->num, k->cmp);
	case K_PROD:
		return prod_match(e->g, k, id);
	default:
		break;
	}
	if (!(c = ev_classifier(e, k->tag)))
		return false;
	if ((e->st = mt_classifier_classify(c, id, &kind, e->err)) != MT_OK)
		return false;
	if (!(m = ev_memo(e, k, kind))) {
		e->st = nomem(e->err);
		return false;
	}
	if (m->m[kind] >= 0)
		return m->m[kind];
	switch (k->tag) {
	case K_TYPE:
		r = type_match(e, m, mt_graph_type(e->g, id));
		break;
	case K_CLODO: {
		const char *l = mt_classifier_label(c, kind);
		if (is_dict_label(l) || k->cmp == MT_KCMP_EQ ||
		    k->cmp == MT_KCMP_NE)
			r = (strcmp(l, k->label) == 0) == (k->cmp != MT_KCMP_NE);
		else
			r = type_match(e, m, mt_graph_type(e->g, id));
		break;
	}
	case K_VIA:
	case K_RCS:
		r = set_match(k, c, kind);
		break;
	default: /* K_MODULE */
		r = mt_classifier_kind_value(c, kind) >= 0 &&
		    !strcmp(mt_classifier_label(c, kind), k->label);
		break;
	}
	m->m[kind] = (signed char)r;
	return r;
}

mt_status mt_kind_select(const mt_kind *k, const mt_graph *g, const mt_set *s,
			 mt_set **out, mt_err *err)
{
	struct ev e = {.g = g, .st = MT_OK, .err = err};
	size_t n = mt_set_count(s), i, m = 0;
	const uint32_t *ids = mt_set_ids(s);
	uint32_t *v = malloc((n ? n : 1) * sizeof *v);
	mt_status st;
	*out = NULL;
	if (!v)
		return nomem(err);
	for (i = 0; i < n && e.st == MT_OK; i++)
		if (eval(&e, k, ids[i]))
			v[m++] = ids[i];
	st = e.st;
	for (i = 0; i < 5; i++)
		mt_classifier_unref(e.cl[i]);
	for (i = 0; i < e.nmemos; i++) {
		free(e.memos[i].m);
		free(e.memos[i].super);
	}
	free(e.memos);
	if (st != MT_OK) {
		free(v);
		return st;
	}
	return mt_set_adopt(out, v, m, err);
}
