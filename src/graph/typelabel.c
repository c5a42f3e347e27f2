/* Type labels in heapy's spelling (src/graph/typelabel.h).
 *
 * heapy (guppy's Summary_str.str_type) names a class by where it finds it:
 * the bare name for a class bound in the builtins dict (`dict`, `OSError`,
 * even `__loader__` for BuiltinImporter), `types.<key>` for one bound in the
 * `types` module (`types.FrameType`; the last key in sorted order wins, so
 * builtin_function_or_method is `types.BuiltinMethodType`), `module` and
 * `function` for those two, and `__module__ + "." + __name__` for the rest
 * (so `builtins.dict_keys`, and a nested class `mod.Inner`, not its
 * qualname).  The loader knows both dicts from the dump itself (root
 * `i0_builtins`, `i0_modules['types'].__dict__`), so the labels follow the
 * captured interpreter's version; a dump without them falls back to a table.
 *
 * __name__ is the runtime one (`cls.__name__ = "X"` after creation): the
 * `__name__` edge of a Python class, else the qualname's last component.
 * The module is the type value's.  An empty one is heapy's `<unknown
 * module>` for a class with no `__module__`; for one whose `__module__`
 * entry is not a str, the entry's default repr (heapy formats the object),
 * or when the metaclass has a property for it (zope.interface's
 * InterfaceClass, in a dump of a capture that did not resolve it) the
 * module of the nearest Python class of its MRO with one, as the capture
 * does (src/capture/kinds.c, type_module).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "typelabel.h"

/* The fallback for a dump without a `types` module: builtins qualname to
 * label, as the types module of 3.9 names them; `since` is the first
 * minor version of 3 that has the name. */
static const struct {
	const char *qualname;
	const char *label;
	unsigned since;
} types_names[] = {
    {"frame", "types.FrameType", 0},
    {"code", "types.CodeType", 0},
    {"cell", "types.CellType", 0},
    {"method", "types.MethodType", 0},
    {"builtin_function_or_method", "types.BuiltinMethodType", 0},
    {"getset_descriptor", "types.GetSetDescriptorType", 0},
    {"member_descriptor", "types.MemberDescriptorType", 0},
    {"mappingproxy", "types.MappingProxyType", 0},
    {"generator", "types.GeneratorType", 0},
    {"traceback", "types.TracebackType", 0},
    {"wrapper_descriptor", "types.WrapperDescriptorType", 0},
    {"method-wrapper", "types.MethodWrapperType", 0},
    {"method_descriptor", "types.MethodDescriptorType", 0},
    {"classmethod_descriptor", "types.ClassMethodDescriptorType", 0},
    {"coroutine", "types.CoroutineType", 0},
    {"async_generator", "types.AsyncGeneratorType", 0},
    {"NoneType", "types.NoneType", 10},
    {"ellipsis", "types.EllipsisType", 10},
    {"NotImplementedType", "types.NotImplementedType", 10},
};

static size_t put(char *buf, size_t cap, size_t at, const char *s, size_t n)
{
	if (at < cap) {
		size_t room = cap - at - 1;
		memcpy(buf + at, s, n < room ? n : room);
	}
	return at + n;
}

static size_t finish_buf(char *buf, size_t cap, size_t n)
{
	if (cap)
		buf[n < cap ? n : cap - 1] = '\0';
	return n;
}

size_t mt_type_label_format(char *buf, size_t cap, const char *mod,
			    size_t modlen, const char *qual, size_t quallen)
{
	size_t n = 0, i;
	const char *name = qual;
	for (i = quallen; i > 0; i--)
		if (qual[i - 1] == '.') {
			name = qual + i;
			break;
		}
	quallen -= (size_t)(name - qual);
	if (modlen == 8 && !memcmp(mod, "builtins", 8)) {
		for (i = 0; i < sizeof types_names / sizeof types_names[0];
		     i++) {
			const char *q = types_names[i].qualname;
			if (!types_names[i].since && strlen(q) == quallen &&
			    !memcmp(q, name, quallen)) {
				const char *l = types_names[i].label;
				n = put(buf, cap, 0, l, strlen(l));
				return finish_buf(buf, cap, n);
			}
		}
		if (quallen == 6 && !memcmp(name, "module", 6))
			n = put(buf, cap, 0, "module", 6);
		else if (quallen == 8 && !memcmp(name, "function", 8))
			n = put(buf, cap, 0, "function", 8);
		else
			n = put(buf, cap, 0, name, quallen);
	} else {
		n = put(buf, cap, 0, mod, modlen);
		n = put(buf, cap, n, ".", 1);
		n = put(buf, cap, n, name, quallen);
	}
	return finish_buf(buf, cap, n);
}

/* ---- labels from the loaded graph --------------------------------------- */

struct special {
	uint32_t id;	 /* the type                         */
	uint32_t keylen; /* its key in builtins / types      */
	const char *key;
	int types; /* 1: from the types module         */
};

struct mt_tlctx {
	const mt_graph *g;
	struct special *sp; /* sorted by id */
	size_t nsp, spcap;
	int have_types, have_builtins;
	unsigned minor;
};

static int is_qualname(const mt_graph *g, uint32_t id, const char *mod,
		       const char *qual)
{
	mt_value v;
	mt_graph_value(g, id, &v);
	return v.kind == MT_VAL_QUALNAME && v.slen == strlen(mod) &&
	       !memcmp(v.s, mod, v.slen) && v.s2len == strlen(qual) &&
	       !memcmp(v.s2, qual, v.s2len);
}

/* The str value of a KEYVAL edge's key, or NULL. */
static const char *key_str(const mt_graph *g, uint32_t e, uint32_t *len)
{
	uint64_t k = mt_graph_edge_label(g, e);
	mt_value v;
	if (mt_graph_edge_rel(g, e) != MT_REL_KEYVAL || k >= mt_graph_count(g))
		return NULL;
	mt_graph_value(g, (uint32_t)k, &v);
	if (v.kind != MT_VAL_STR)
		return NULL;
	*len = v.slen;
	return v.s;
}

/* d[key] for a dict with str keys, or MT_NO_ID. */
static uint32_t dict_get(const mt_graph *g, uint32_t d, const char *key)
{
	uint32_t first, n, e, len;
	size_t kl = strlen(key);
	mt_graph_out(g, d, &first, &n);
	for (e = first; e < first + n; e++) {
		const char *k = key_str(g, e, &len);
		if (k && len == kl && !memcmp(k, key, kl))
			return mt_graph_edge_target(g, e);
	}
	return MT_NO_ID;
}

static uint32_t root(const mt_graph *g, const char *name)
{
	const mt_edge *e;
	size_t n, i;
	mt_graph_roots(g, &e, &n);
	for (i = 0; i < n; i++) {
		const char *nm = mt_graph_name(g, e[i].label);
		if (nm && !strcmp(nm, name))
			return e[i].target;
	}
	return MT_NO_ID;
}

static int keycmp(const char *a, uint32_t al, const char *b, uint32_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	return c ? c : (al > bl) - (al < bl);
}

/* The entry of id among the first n (sorted) entries, or NULL. */
static struct special *find_n(const struct mt_tlctx *c, size_t n, uint32_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->sp[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && c->sp[lo].id == id ? &c->sp[lo] : NULL;
}

static struct special *find(const struct mt_tlctx *c, uint32_t id)
{
	return find_n(c, c->nsp, id);
}

static int cmp_special(const void *a, const void *b)
{
	const struct special *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

/* Records the classes of dict d under their keys (the greatest key wins,
 * as heapy's sorted loop leaves it); builtins override types. */
static int scan(struct mt_tlctx *c, uint32_t d, int types)
{
	const mt_graph *g = c->g;
	uint32_t first, n, e, len;
	size_t start = c->nsp;
	mt_graph_out(g, d, &first, &n);
	for (e = first; e < first + n; e++) {
		const char *k = key_str(g, e, &len);
		uint32_t t = mt_graph_edge_target(g, e);
		mt_value v;
		struct special *s = NULL;
		size_t i;
		if (!k)
			continue;
		mt_graph_value(g, t, &v);
		if (v.kind != MT_VAL_QUALNAME)
			continue;
		for (i = start; i < c->nsp; i++)
			if (c->sp[i].id == t) {
				s = &c->sp[i];
				break;
			}
		if (!s && !types) {
			s = find_n(c, start, t); /* the types entries */
			if (s && s->types) {
				s->key = k, s->keylen = len, s->types = 0;
				continue;
			}
		}
		if (s) {
			if (keycmp(k, len, s->key, s->keylen) > 0)
				s->key = k, s->keylen = len;
			continue;
		}
		if (c->nsp == c->spcap) {
			size_t nc = c->spcap ? c->spcap * 2 : 256;
			struct special *p = realloc(c->sp, nc * sizeof *p);
			if (!p)
				return -1;
			c->sp = p, c->spcap = nc;
		}
		c->sp[c->nsp].id = t;
		c->sp[c->nsp].key = k;
		c->sp[c->nsp].keylen = len;
		c->sp[c->nsp].types = types;
		c->nsp++;
	}
	qsort(c->sp, c->nsp, sizeof *c->sp, cmp_special);
	return 0;
}

mt_status mt_tlctx_new(const mt_graph *g, mt_tlctx **out)
{
	struct mt_tlctx *c = calloc(1, sizeof *c);
	uint32_t mods, m, d, b;
	*out = NULL;
	if (!c)
		return MT_NOMEM;
	c->g = g;
	c->minor = mt_graph_header(g)->py_major == 3
		       ? mt_graph_header(g)->py_minor
		       : 0;
	mods = root(g, "i0_modules");
	m = mods == MT_NO_ID ? MT_NO_ID : dict_get(g, mods, "types");
	d = m == MT_NO_ID ? MT_NO_ID : mt_graph_attr(g, m, "__dict__");
	if (d != MT_NO_ID &&
	    is_qualname(g, mt_graph_type(g, d), "builtins", "dict")) {
		c->have_types = 1;
		if (scan(c, d, 1))
			goto nomem;
	}
	b = root(g, "i0_builtins");
	if (b != MT_NO_ID &&
	    is_qualname(g, mt_graph_type(g, b), "builtins", "dict")) {
		c->have_builtins = 1;
		if (scan(c, b, 0))
			goto nomem;
	}
	*out = c;
	return MT_OK;
nomem:
	mt_tlctx_free(c);
	return MT_NOMEM;
}

void mt_tlctx_free(mt_tlctx *c)
{
	if (c) {
		free(c->sp);
		free(c);
	}
}

/* The module of a class with an empty one whose dict's __module__ is not
 * a str: that of the nearest Python class (one with a __name__ edge) of its
 * MRO that has one, as the capture finds it (kinds.c, type_module). */
static int mro_module(const mt_graph *g, uint32_t t, mt_value *mv)
{
	uint32_t mro = mt_graph_attr(g, t, "__mro__"),
		 d = mt_graph_attr(g, t, "__dict__"),
		 m = d == MT_NO_ID ? MT_NO_ID : dict_get(g, d, "__module__"),
		 first, n, e;
	if (mro == MT_NO_ID || m == MT_NO_ID)
		return 0; /* no __module__ at all: heapy's <unknown module> */
	mt_graph_value(g, m, mv);
	if (mv->kind == MT_VAL_STR)
		return 0;
	mt_graph_out(g, mro, &first, &n);
	for (e = first; e < first + n; e++) {
		uint32_t b = mt_graph_edge_target(g, e);
		if (mt_graph_edge_rel(g, e) != MT_REL_INDEX || b == t ||
		    mt_graph_attr(g, b, "__name__") == MT_NO_ID)
			continue;
		mt_graph_value(g, b, mv);
		if (mv->kind == MT_VAL_QUALNAME && mv->slen)
			return 1;
	}
	return 0;
}

/* Whether the first Python class of t's metaclass MRO to have __module__
 * has something else than a str there (a property heapy would run). */
static int meta_module(const mt_graph *g, uint32_t t)
{
	uint32_t mro = mt_graph_attr(g, mt_graph_type(g, t), "__mro__"), first,
		 n, e;
	if (mro == MT_NO_ID)
		return 0;
	mt_graph_out(g, mro, &first, &n);
	for (e = first; e < first + n; e++) {
		uint32_t b = mt_graph_edge_target(g, e), d, m;
		mt_value v;
		if (mt_graph_edge_rel(g, e) != MT_REL_INDEX ||
		    mt_graph_attr(g, b, "__name__") == MT_NO_ID ||
		    (d = mt_graph_attr(g, b, "__dict__")) == MT_NO_ID ||
		    (m = dict_get(g, d, "__module__")) == MT_NO_ID)
			continue;
		mt_graph_value(g, m, &v);
		return v.kind != MT_VAL_STR;
	}
	return 0;
}

/* The default repr of object o, `<qualname object at 0xADDR>`, into buf
 * at n, when no class of its type's MRO but object defines __repr__;
 * returns the new length, or n. */
static size_t default_repr(const mt_graph *g, uint32_t o, char *buf, size_t cap,
			   size_t n)
{
	uint32_t t = mt_graph_type(g, o), mro = mt_graph_attr(g, t, "__mro__"),
		 first, cnt, e;
	mt_value tv;
	char addr[32];
	if (mro == MT_NO_ID || mt_graph_virtual(g, o))
		return n;
	mt_graph_out(g, mro, &first, &cnt);
	for (e = first; e + 1 < first + cnt; e++) {
		uint32_t d =
		    mt_graph_attr(g, mt_graph_edge_target(g, e), "__dict__");
		if (d == MT_NO_ID || dict_get(g, d, "__repr__") != MT_NO_ID)
			return n;
	}
	mt_graph_value(g, t, &tv);
	if (tv.kind != MT_VAL_QUALNAME)
		return n;
	n = put(buf, cap, n, "<", 1);
	if (tv.slen && !(tv.slen == 8 && !memcmp(tv.s, "builtins", 8))) {
		n = put(buf, cap, n, tv.s, tv.slen);
		n = put(buf, cap, n, ".", 1);
	}
	n = put(buf, cap, n, tv.s2, tv.s2len);
	snprintf(addr, sizeof addr, " object at 0x%llx>",
		 (unsigned long long)mt_graph_addr(g, o));
	return put(buf, cap, n, addr, strlen(addr));
}

/* The module part of a class whose dump value has none: heapy's
 * `<unknown module>` when its dict has no __module__; when the entry is
 * not a str, the nearest MRO module if the metaclass has a property for
 * __module__ (or the entry's repr is unknown), else the entry's repr, as
 * heapy formats it. */
static size_t odd_module(const mt_graph *g, uint32_t id, char *buf, size_t cap)
{
	uint32_t d = mt_graph_attr(g, id, "__dict__"),
		 m = d == MT_NO_ID ? MT_NO_ID : dict_get(g, d, "__module__");
	mt_value mv;
	size_t n;
	if (m == MT_NO_ID)
		return put(buf, cap, 0, "<unknown module>", 16);
	if (!meta_module(g, id) && (n = default_repr(g, m, buf, cap, 0)))
		return n;
	if (mro_module(g, id, &mv))
		return put(buf, cap, 0, mv.s, mv.slen);
	return put(buf, cap, 0, "<unknown module>", 16);
}

size_t mt_type_label_make(const mt_tlctx *c, uint32_t id, char *buf, size_t cap)
{
	const mt_graph *g = c->g;
	const struct special *s = find(c, id);
	mt_value v, nv;
	const char *name;
	size_t n = 0, i, namelen;
	uint32_t nm;

	mt_graph_value(g, id, &v);
	if (v.kind != MT_VAL_QUALNAME)
		return finish_buf(buf, cap, put(buf, cap, 0, "?", 1));
	if (is_qualname(g, id, "builtins", "module") ||
	    is_qualname(g, id, "builtins", "function"))
		return finish_buf(buf, cap, put(buf, cap, 0, v.s2, v.s2len));
	if (s) {
		if (s->types)
			n = put(buf, cap, 0, "types.", 6);
		return finish_buf(buf, cap,
				  put(buf, cap, n, s->key, s->keylen));
	}
	name = v.s2, namelen = v.s2len;
	for (i = namelen; i > 0; i--)
		if (name[i - 1] == '.') {
			name += i, namelen -= i;
			break;
		}
	nm = mt_graph_attr(g, id, "__name__");
	if (nm != MT_NO_ID) {
		mt_graph_value(g, nm, &nv);
		if (nv.kind == MT_VAL_STR)
			name = nv.s, namelen = nv.slen;
	}
	if (v.slen == 8 && !memcmp(v.s, "builtins", 8)) {
		if (!c->have_types) {
			for (i = 0;
			     i < sizeof types_names / sizeof types_names[0];
			     i++) {
				const char *q = types_names[i].qualname;
				if (c->minor >= types_names[i].since &&
				    strlen(q) == namelen &&
				    !memcmp(q, name, namelen)) {
					const char *l = types_names[i].label;
					n = put(buf, cap, 0, l, strlen(l));
					return finish_buf(buf, cap, n);
				}
			}
		}
		if (!c->have_builtins)
			return finish_buf(buf, cap,
					  put(buf, cap, 0, name, namelen));
	}
	if (v.slen)
		n = put(buf, cap, 0, v.s, v.slen);
	else
		n = odd_module(g, id, buf, cap);
	n = put(buf, cap, n, ".", 1);
	n = put(buf, cap, n, name, namelen);
	return finish_buf(buf, cap, n);
}
