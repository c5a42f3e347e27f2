/* "My objects" (mine.h): which modules are the program's, and the objects
 * those modules own through the dominator tree.
 *
 * Everything comes from the dump: module objects (type `module`, their
 * name as value), their dicts' `__file__` strings, the sys module's
 * prefixes and `os.__file__` for the standard library's directory.  String
 * previews are at most MT_PREVIEW_MAX bytes, so paths are matched by
 * their start (prefixes) or by a `/site-packages` segment that may end
 * the preview.  One pass marks the anchors (modules, their dicts, their
 * classes and instances, functions and frames whose globals are their
 * dicts), one pass up the dominator tree (memoised, an explicit stack)
 * gives each object the answer of its nearest anchor.
 */
#include "config.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/mine.h"
#include "memtrack/pyrepr.h"

enum { MAX_LIBDIRS = 16 };

/* Where the library lives: path prefixes. */
typedef struct libdirs {
	char *dir[MAX_LIBDIRS];
	size_t n;
} libdirs;

static bool is_module(const mt_graph *g, uint32_t id)
{
	mt_value v;
	mt_graph_value(g, id, &v);
	return v.kind == MT_VAL_STR &&
	       mt_pyrepr_type_is(g, mt_graph_type(g, id), "module");
}

/* The str value of object id (not NUL-terminated), or NULL. */
static const char *str_value(const mt_graph *g, uint32_t id, size_t *n)
{
	mt_value v;
	if (id == MT_NO_ID)
		return NULL;
	mt_graph_value(g, id, &v);
	if (v.kind != MT_VAL_STR)
		return NULL;
	*n = v.slen;
	return v.s;
}

static bool str_is(const char *s, size_t n, const char *lit)
{
	return s && n == strlen(lit) && !memcmp(s, lit, n);
}

/* dict[key] for a str key (the KEYVAL edge whose key object is that
 * str), or MT_NO_ID. */
static uint32_t dict_item(const mt_graph *g, uint32_t dict, const char *key)
{
	uint32_t first, n;
	if (dict == MT_NO_ID)
		return MT_NO_ID;
	mt_graph_out(g, dict, &first, &n);
	for (uint32_t e = first; e < first + n; e++) {
		size_t kn = 0;
		if (mt_graph_edge_rel(g, e) != MT_REL_KEYVAL)
			continue;
		uint64_t k = mt_graph_edge_label(g, e);
		if (k >= mt_graph_count(g))
			continue;
		const char *ks = str_value(g, (uint32_t)k, &kn);
		if (str_is(ks, kn, key))
			return mt_graph_edge_target(g, e);
	}
	return MT_NO_ID;
}

/* A module's `__file__`, NUL-terminated in a malloc'd copy, or NULL. */
static char *module_file(const mt_graph *g, uint32_t mod)
{
	size_t n = 0;
	if (mod == MT_NO_ID)
		return NULL;
	uint32_t d = mt_graph_attr(g, mod, "__dict__");
	const char *s = str_value(g, dict_item(g, d, "__file__"), &n);
	return s ? strndup(s, n) : NULL;
}

static char *module_name(const mt_graph *g, uint32_t mod)
{
	size_t n = 0;
	const char *s = str_value(g, mod, &n);
	return s ? strndup(s, n) : NULL;
}

/* The first module object named name, or MT_NO_ID. */
static uint32_t find_module(const mt_graph *g, const char *name)
{
	uint32_t count = mt_graph_count(g);
	for (uint32_t id = 0; id < count; id++) {
		size_t n = 0;
		const char *s = str_value(g, id, &n);
		if (str_is(s, n, name) && is_module(g, id))
			return id;
	}
	return MT_NO_ID;
}

static void add_dir(libdirs *l, const char *s, size_t n, const char *tail)
{
	if (l->n == MAX_LIBDIRS || !n)
		return;
	size_t tn = strlen(tail);
	char *d = malloc(n + tn + 1);
	if (!d)
		return;
	memcpy(d, s, n);
	memcpy(d + n, tail, tn + 1);
	l->dir[l->n++] = d;
}

static void find_libdirs(const mt_graph *g, libdirs *l)
{
	static const char *const prefixes[] = {"prefix", "base_prefix",
					       "exec_prefix",
					       "base_exec_prefix"};
	memset(l, 0, sizeof *l);
	char *os = module_file(g, find_module(g, "os"));
	if (os) {
		char *slash = strrchr(os, '/');
		if (slash && slash != os)
			add_dir(l, os, (size_t)(slash - os) + 1, "");
		free(os);
	}
	uint32_t sys = find_module(g, "sys");
	uint32_t sysd =
	    sys == MT_NO_ID ? MT_NO_ID : mt_graph_attr(g, sys, "__dict__");
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
		size_t n = 0;
		const char *p = str_value(g, dict_item(g, sysd, prefixes[i]),
					  &n);
		while (p && n > 1 && p[n - 1] == '/')
			n--;
		if (p && n >= MT_PREVIEW_MAX)
			continue; /* cut: not a whole prefix */
		add_dir(l, p, n, "/lib/python");
		add_dir(l, p, n, "/lib64/python");
	}
}

static void free_libdirs(libdirs *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->dir[i]);
}

/* A `/NAME` segment: followed by '/' or the end of the (cut) preview. */
static bool has_segment(const char *path, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = strstr(path, name); p; p = strstr(p + 1, name))
		if (p > path && p[-1] == '/' && (p[n] == '/' || !p[n]))
			return true;
	return false;
}

static bool library_file(const libdirs *l, const char *file)
{
	if (file[0] == '<') /* <frozen ...>, <string> */
		return true;
	if (has_segment(file, "site-packages") ||
	    has_segment(file, "dist-packages"))
		return true;
	for (size_t i = 0; i < l->n; i++)
		if (!strncmp(file, l->dir[i], strlen(l->dir[i])))
			return true;
	return false;
}

static bool rule_mine(const mt_graph *g, const libdirs *l, uint32_t mod)
{
	char *name = module_name(g, mod);
	char *file = module_file(g, mod);
	bool mine;
	if (!name || !strcmp(name, "memtrack") ||
	    !strncmp(name, "memtrack.", 9)) /* the tool, not the program */
		mine = false;
	else if (!file)
		mine = !strcmp(name, "__main__");
	else
		mine = !library_file(l, file);
	free(name);
	free(file);
	return mine;
}

static bool filter_match(const mt_graph *g, const mt_mine_filter *f,
			 uint32_t mod)
{
	bool ok = true;
	if (f->module) {
		char *name = module_name(g, mod);
		ok = name && fnmatch(f->module, name, 0) == 0;
		free(name);
	}
	if (ok && f->file) {
		char *file = module_file(g, mod);
		ok = file && fnmatch(f->file, file, 0) == 0;
		free(file);
	}
	return ok;
}

bool mt_mine_module_is_mine(const mt_graph *g, uint32_t mod)
{
	if (mod >= mt_graph_count(g) || !is_module(g, mod))
		return false;
	libdirs l;
	find_libdirs(g, &l);
	bool mine = rule_mine(g, &l, mod);
	free_libdirs(&l);
	return mine;
}

mt_status mt_mine_modules(const mt_graph *g, const mt_mine_filter *f,
			  uint32_t **ids, size_t *n, mt_err *err)
{
	bool rule = !f || (!f->module && !f->file);
	uint32_t count = mt_graph_count(g);
	size_t k = 0, cap = 0;
	uint32_t *out = NULL;
	libdirs l;
	*ids = NULL;
	*n = 0;
	if (rule)
		find_libdirs(g, &l);
	for (uint32_t id = 0; id < count; id++) {
		if (!is_module(g, id))
			continue;
		if (rule ? !rule_mine(g, &l, id) : !filter_match(g, f, id))
			continue;
		if (k == cap) {
			cap = cap ? 2 * cap : 64;
			uint32_t *t = realloc(out, cap * sizeof *t);
			if (!t) {
				free(out);
				if (rule)
					free_libdirs(&l);
				return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET,
						  MT_NO_OFFSET, NULL);
			}
			out = t;
		}
		out[k++] = id;
	}
	if (rule)
		free_libdirs(&l);
	*ids = out;
	*n = k;
	return MT_OK;
}

enum { T_CLASS = 1, T_FUNCTION, T_FRAME }; /* what a type id is */

/* anchor[x] = 1 for the anchors of modules mods[0..n). */
static mt_status mark_anchors(const mt_graph *g, const uint32_t *mods,
			      size_t n, uint8_t *anchor, mt_err *err)
{
	uint32_t count = mt_graph_count(g);
	uint8_t *tflag = calloc(count ? count : 1, 1);
	uint8_t *gdict = calloc(count ? count : 1, 1); /* their dicts */
	char **names = calloc(n ? n : 1, sizeof *names);
	mt_status st = MT_OK;
	if (!tflag || !gdict || !names) {
		st = mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				NULL);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t d = mt_graph_attr(g, mods[i], "__dict__");
		anchor[mods[i]] = 1;
		if (d != MT_NO_ID)
			anchor[d] = gdict[d] = 1;
		names[i] = module_name(g, mods[i]);
	}
	/* types: the classes of those modules, function, frame */
	for (uint32_t id = 0; id < count; id++) {
		mt_value v;
		mt_graph_value(g, id, &v);
		if (v.kind != MT_VAL_QUALNAME)
			continue;
		for (size_t i = 0; i < n && !tflag[id]; i++)
			if (names[i] && str_is(v.s, v.slen, names[i]))
				tflag[id] = T_CLASS;
		if (tflag[id])
			anchor[id] = 1;
		else if (mt_pyrepr_type_is(g, id, "function"))
			tflag[id] = T_FUNCTION;
		else if (!strcmp(mt_graph_type_label(g, id), "types.FrameType"))
			tflag[id] = T_FRAME;
	}
	for (uint32_t id = 0; id < count; id++) {
		uint32_t gl;
		switch (tflag[mt_graph_type(g, id)]) {
		case T_CLASS:
			anchor[id] = 1;
			break;
		case T_FUNCTION:
			gl = mt_graph_attr(g, id, "__globals__");
			anchor[id] |= gl != MT_NO_ID && gdict[gl];
			break;
		case T_FRAME:
			gl = mt_graph_attr(g, id, "f_globals");
			anchor[id] |= gl != MT_NO_ID && gdict[gl];
			break;
		default:
			break;
		}
	}
done:
	if (names)
		for (size_t i = 0; i < n; i++)
			free(names[i]);
	free(names);
	free(tflag);
	free(gdict);
	return st;
}

/* The objects an anchor dominates (anchors included), ascending. */
static mt_status owned(const mt_graph *g, const mt_domtree *t,
		       const uint8_t *anchor, mt_set **out, mt_err *err)
{
	uint32_t count = mt_graph_count(g);
	uint8_t *state = calloc(count ? count : 1, 1); /* 1 mine, 2 not */
	uint32_t *chain = malloc((count ? count : 1) * sizeof *chain);
	uint32_t *ids = NULL;
	size_t k = 0;
	if (!state || !chain)
		goto nomem;
	for (uint32_t x = 0; x < count; x++) {
		size_t n = 0;
		uint8_t res = 2;
		for (uint32_t y = x; y != MT_NO_ID; y = mt_domtree_idom(t, y)) {
			if (state[y]) {
				res = state[y];
				break;
			}
			chain[n++] = y;
			if (anchor[y]) {
				res = 1;
				break;
			}
		}
		for (size_t i = 0; i < n; i++)
			state[chain[i]] = res;
		k += res == 1;
	}
	if (!(ids = malloc((k ? k : 1) * sizeof *ids)))
		goto nomem;
	k = 0;
	for (uint32_t x = 0; x < count; x++)
		if (state[x] == 1)
			ids[k++] = x;
	free(state);
	free(chain);
	return mt_set_adopt(out, ids, k, err);
nomem:
	free(state);
	free(chain);
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, NULL);
}

mt_status mt_mine_set(mt_ctx *ctx, const mt_mine_filter *f, mt_set **out,
		      mt_err *err)
{
	const mt_graph *g = mt_ctx_graph(ctx);
	const mt_domtree *t;
	uint32_t *mods;
	size_t n;
	*out = NULL;
	mt_status st = mt_ctx_domtree(ctx, &t, err);
	if (st || (st = mt_mine_modules(g, f, &mods, &n, err)))
		return st;
	uint32_t count = mt_graph_count(g);
	uint8_t *anchor = calloc(count ? count : 1, 1);
	if (!anchor)
		st = mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, NULL);
	else if (!(st = mark_anchors(g, mods, n, anchor, err)))
		st = owned(g, t, anchor, out, err);
	free(anchor);
	free(mods);
	return st;
}
