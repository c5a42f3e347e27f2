/* Test fixtures (tests/unit/fixture.h): owns the abstract graph of a
 * builder and its breadth-first numbering into dump ids. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "memtrack/writer.h"

struct fx_edge {
	uint32_t src, tgt;
	unsigned rel;
	int kind; /* 0 int, 1 name, 2 node */
	uint64_t label;
	char *name;
};

struct fx_node {
	uint32_t type;
	mt_obj o;
	char *s, *s2;
};

struct fx {
	struct fx_node *nodes;
	size_t n, cap;
	struct fx_edge *edges; /* in insertion order; src UINT32_MAX: root */
	size_t ne, ecap;
	mt_thread_name threads[8]; /* the header's, names borrowed */
	size_t nthreads;
	uint64_t pid;	   /* 0: the default, 4242 */
	double start_time; /* the header's process identity (fx_process) */
	const char *boot_id;
	uint32_t mark_upto; /* fx_mark: nodes below it existed at the mark */
	double mark_time;
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fputs("fixture: out of memory\n", stderr);
		abort();
	}
	return q;
}

static char *xstrdup(const char *s)
{
	char *r = xrealloc(NULL, strlen(s) + 1);
	strcpy(r, s);
	return r;
}

fx *fx_new(void)
{
	fx *f = xrealloc(NULL, sizeof *f);
	memset(f, 0, sizeof *f);
	return f;
}

void fx_thread(fx *f, uint64_t id, const char *name)
{
	if (f->nthreads < sizeof f->threads / sizeof f->threads[0])
		f->threads[f->nthreads++] = (mt_thread_name){id, name};
}

void fx_process(fx *f, uint64_t pid, double start_time, const char *boot_id)
{
	f->pid = pid;
	f->start_time = start_time;
	f->boot_id = boot_id;
}

void fx_mark(fx *f, uint32_t upto, double mark_time)
{
	f->mark_upto = upto;
	f->mark_time = mark_time;
}

void fx_free(fx *f)
{
	size_t i;
	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->nodes[i].s);
		free(f->nodes[i].s2);
	}
	for (i = 0; i < f->ne; i++)
		free(f->edges[i].name);
	free(f->nodes);
	free(f->edges);
	free(f);
}

uint32_t fx_node(fx *f, uint32_t type, uint64_t size, uint64_t addr,
		 uint64_t refcnt, int64_t length)
{
	struct fx_node *n;
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->nodes = xrealloc(f->nodes, f->cap * sizeof *f->nodes);
	}
	n = &f->nodes[f->n];
	memset(n, 0, sizeof *n);
	n->type = type == FX_SELF ? (uint32_t)f->n : type;
	n->o.size = size;
	n->o.addr = addr;
	n->o.refcnt = addr ? refcnt : 0;
	n->o.length = length;
	n->o.value.kind = MT_VAL_NONE;
	return (uint32_t)f->n++;
}

void fx_set_value(fx *f, uint32_t node, const mt_value *v)
{
	struct fx_node *n = &f->nodes[node];
	n->o.value = *v;
	free(n->s); /* a value set again replaces the old one */
	free(n->s2);
	n->s = n->s2 = NULL;
	if (v->s) {
		n->s = xrealloc(NULL, v->slen + 1);
		memcpy(n->s, v->s, v->slen);
		n->o.value.s = n->s;
	}
	if (v->s2) {
		n->s2 = xrealloc(NULL, v->s2len + 1);
		memcpy(n->s2, v->s2, v->s2len);
		n->o.value.s2 = n->s2;
	}
}

void fx_str(fx *f, uint32_t node, const char *s)
{
	mt_value v = {.kind = MT_VAL_STR, .s = s, .slen = (uint32_t)strlen(s)};
	fx_set_value(f, node, &v);
}

void fx_int(fx *f, uint32_t node, int64_t i)
{
	mt_value v = {.kind = MT_VAL_INT, .i = i};
	fx_set_value(f, node, &v);
}

void fx_qual(fx *f, uint32_t node, const char *mod, const char *qual)
{
	mt_value v = {.kind = MT_VAL_QUALNAME,
		      .s = mod,
		      .slen = (uint32_t)strlen(mod),
		      .s2 = qual,
		      .s2len = (uint32_t)strlen(qual)};
	fx_set_value(f, node, &v);
}

static struct fx_edge *add_edge(fx *f, uint32_t src, unsigned rel, uint32_t tgt)
{
	struct fx_edge *e;
	if (f->ne == f->ecap) {
		f->ecap = f->ecap ? f->ecap * 2 : 64;
		f->edges = xrealloc(f->edges, f->ecap * sizeof *f->edges);
	}
	e = &f->edges[f->ne++];
	memset(e, 0, sizeof *e);
	e->src = src;
	e->rel = rel;
	e->tgt = tgt;
	return e;
}

void fx_edge_name(fx *f, uint32_t src, unsigned rel, const char *name,
		  uint32_t tgt)
{
	struct fx_edge *e = add_edge(f, src, rel, tgt);
	e->kind = 1;
	e->name = xstrdup(name);
}

void fx_edge_int(fx *f, uint32_t src, unsigned rel, uint64_t label,
		 uint32_t tgt)
{
	struct fx_edge *e = add_edge(f, src, rel, tgt);
	e->label = label;
}

void fx_edge_key(fx *f, uint32_t src, uint32_t key, uint32_t tgt)
{
	struct fx_edge *e = add_edge(f, src, MT_REL_KEYVAL, tgt);
	e->kind = 2;
	e->label = key;
}

void fx_root(fx *f, const char *name, uint32_t tgt)
{
	fx_edge_name(f, UINT32_MAX, MT_REL_ROOT, name, tgt);
}

/* Edges of src (or of the root) in insertion order, as edge indices. */
static size_t edges_of(const fx *f, uint32_t src, size_t *out)
{
	size_t i, k = 0;
	for (i = 0; i < f->ne; i++)
		if (f->edges[i].src == src)
			out[k++] = i;
	return k;
}

static void discover(uint32_t node, uint32_t *map, uint32_t *order,
		     uint32_t *next)
{
	if (map[node] == UINT32_MAX) {
		map[node] = *next;
		order[(*next)++] = node;
	}
}

static mt_status edges_out(fx *f, mt_writer *w, const size_t *ix, size_t k,
			   const uint32_t *map, mt_edge *out, mt_err *err)
{
	size_t i;
	mt_status st;
	for (i = 0; i < k; i++) {
		const struct fx_edge *e = &f->edges[ix[i]];
		uint32_t name;
		out[i].target = map[e->tgt];
		out[i].rel = (uint8_t)e->rel;
		out[i].label = e->label;
		if (e->kind == 1) {
			st = mt_writer_name(w, e->name, strlen(e->name), &name,
					    err);
			if (st != MT_OK)
				return st;
			out[i].label = name;
		} else if (e->kind == 2)
			out[i].label = map[e->label];
	}
	return MT_OK;
}

mt_status fx_write(fx *f, const char *path, uint32_t *map_out,
		   uint32_t *reachable_out, mt_err *err)
{
	static const char *argv[] = {"fixture.py", "--demo"};
	mt_header h = {
	    .format_version = MT_DUMP_VERSION,
	    .memtrack_version = "0.1.0",
	    .python_version = "3.11.2 (main, fixture) [GCC 12.2.0]",
	    .py_major = 3,
	    .py_minor = 11,
	    .py_micro = 2,
	    .implementation = "cpython",
	    .build = "release",
	    .executable = "/usr/bin/python3",
	    .pid = 4242,
	    .argc = 2,
	    .argv = argv,
	    .time = 1795314944.25,
	    .rss = 64 << 20,
	    .vms = 256 << 20,
	    .ptr_size = 8,
	    .gc_header = 16,
	    .collected = true,
	    .nthreads = f->nthreads,
	    .threads = f->threads,
	    .start_time = f->start_time,
	    .boot_id = f->boot_id,
	    .mark_time = f->mark_upto ? f->mark_time : 0,
	};
	uint32_t *map = xrealloc(NULL, (f->n + 1) * sizeof *map);
	uint32_t *order = xrealloc(NULL, (f->n + 1) * sizeof *order);
	size_t *ix = xrealloc(NULL, (f->ne + 1) * sizeof *ix);
	mt_edge *ed = xrealloc(NULL, (f->ne + 1) * sizeof *ed);
	uint32_t next = 0, reachable = 0, id;
	size_t i, k;
	mt_writer *w = NULL;
	mt_status st;

	for (i = 0; i < f->n; i++)
		map[i] = UINT32_MAX;
	/* Number the nodes in the order the reader will meet references. */
	k = edges_of(f, UINT32_MAX, ix);
	for (i = 0; i < k; i++)
		discover(f->edges[ix[i]].tgt, map, order, &next);
	reachable = UINT32_MAX;
	for (id = 0; id < f->n; id++) {
		uint32_t node;
		if (id == next) {
			/* Nothing left to reach: the rest is unreachable;
			 * go on from the first unnumbered node. */
			if (reachable == UINT32_MAX)
				reachable = id;
			for (node = 0; map[node] != UINT32_MAX; node++)
				;
			discover(node, map, order, &next);
		}
		node = order[id];
		discover(f->nodes[node].type, map, order, &next);
		k = edges_of(f, node, ix);
		for (i = 0; i < k; i++) {
			const struct fx_edge *e = &f->edges[ix[i]];
			discover(e->tgt, map, order, &next);
			if (e->kind == 2)
				discover((uint32_t)e->label, map, order, &next);
		}
	}
	if (reachable == UINT32_MAX)
		reachable = (uint32_t)f->n;

	if (f->pid)
		h.pid = f->pid;
	if ((st = mt_writer_new(&w, path, err)) != MT_OK)
		goto done;
	if ((st = mt_writer_header(w, &h, err)) != MT_OK)
		goto fail;
	k = edges_of(f, UINT32_MAX, ix);
	if (k) {
		if ((st = edges_out(f, w, ix, k, map, ed, err)) != MT_OK ||
		    (st = mt_writer_roots(w, ed, k, err)) != MT_OK)
			goto fail;
	}
	for (id = 0; id < f->n; id++) {
		uint32_t node = order[id];
		mt_obj o = f->nodes[node].o;
		o.type = map[f->nodes[node].type];
		k = edges_of(f, node, ix);
		if ((st = edges_out(f, w, ix, k, map, ed, err)) != MT_OK ||
		    (st = mt_writer_object(w, id, &o, ed, k, err)) != MT_OK)
			goto fail;
	}
	if (f->mark_upto) { /* the MARK record: a bit per object */
		uint8_t *bits = xrealloc(NULL, f->n / 8 + 1);
		memset(bits, 0, f->n / 8 + 1);
		for (id = 0; id < f->n; id++)
			if (order[id] < f->mark_upto)
				bits[id / 8] |= (uint8_t)(1u << (id % 8));
		st = mt_writer_mark(w, bits, f->n, err);
		free(bits);
		if (st != MT_OK)
			goto fail;
	}
	st = mt_writer_finish(w, reachable, err);
	w = NULL;
	if (st == MT_OK) {
		if (map_out)
			memcpy(map_out, map, f->n * sizeof *map);
		if (reachable_out)
			*reachable_out = reachable;
	}
	goto done;
fail:
	mt_writer_abort(w);
done:
	free(map);
	free(order);
	free(ix);
	free(ed);
	return st;
}

/* ---- canned heaps -------------------------------------------------------- */

#define ADDR(i) (0x7f0011000000ULL + 0x40ULL * (i))

static uint32_t type_node(fx *f, uint32_t meta, const char *mod,
			  const char *qual, uint64_t size)
{
	uint32_t t = fx_node(f, meta == FX_SELF ? FX_SELF : meta, size,
			     ADDR(f->n), 1000, MT_NO_LENGTH);
	fx_qual(f, t, mod, qual);
	return t;
}

static uint32_t str_node(fx *f, uint32_t tstr, const char *s)
{
	uint32_t n =
	    fx_node(f, tstr, 49 + strlen(s), ADDR(f->n), 1, (int64_t)strlen(s));
	fx_str(f, n, s);
	return n;
}

static uint32_t int_node(fx *f, uint32_t tint, int64_t i)
{
	uint32_t n = fx_node(f, tint, 28, ADDR(f->n), 3, MT_NO_LENGTH);
	fx_int(f, n, i);
	return n;
}

/* variant: 0 demo; 1 and 2 later dumps of the same process (cmp-new,
 * cmp-c): the SimpleNamespace's address reused by a float, then the
 * objects of add_sessions. */
static void build_demo(fx *f, int variant)
{
	uint32_t ttype = type_node(f, FX_SELF, "builtins", "type", 928);
	uint32_t tobject = type_node(f, ttype, "builtins", "object", 416);
	uint32_t tdict = type_node(f, ttype, "builtins", "dict", 416);
	uint32_t tstr = type_node(f, ttype, "builtins", "str", 416);
	uint32_t tint = type_node(f, ttype, "builtins", "int", 416);
	uint32_t tlist = type_node(f, ttype, "builtins", "list", 416);
	uint32_t ttuple = type_node(f, ttype, "builtins", "tuple", 416);
	uint32_t tmod = type_node(f, ttype, "builtins", "module", 416);
	uint32_t tfunc = type_node(f, ttype, "builtins", "function", 416);
	uint32_t tcode = type_node(f, ttype, "builtins", "code", 416);
	uint32_t tframe = type_node(f, ttype, "builtins", "frame", 416);
	uint32_t tbfunc =
	    type_node(f, ttype, "builtins", "builtin_function_or_method", 416);
	uint32_t tfloat = type_node(f, ttype, "builtins", "float", 416);
	uint32_t tbool = type_node(f, ttype, "builtins", "bool", 416);
	uint32_t tbytes = type_node(f, ttype, "builtins", "bytes", 416);
	uint32_t tcell = type_node(f, ttype, "builtins", "cell", 416);
	uint32_t tns = type_node(f, ttype, "types", "SimpleNamespace", 416);
	uint32_t tnode = type_node(f, ttype, "__main__", "Node", 1072);
	uint32_t nodedict, modules, mainmod, maindict, bmod, bdict, lenf;
	uint32_t nodes, strs, fn, fndict, code, frame, a, b, garbage, tup;
	uint32_t kname, ki, ktags, kk, v;
	const char *keys[] = {"nodes", "strs", "Node", "main",
			      "pi",    "flag", "big",  "blob"};
	uint32_t keyn[8];
	mt_value val;
	int i;

	fx_edge_name(f, tnode, MT_REL_ATTR, "__base__", tobject);
	nodedict = fx_node(f, tdict, 1200, ADDR(f->n), 1, 5);
	fx_edge_name(f, tnode, MT_REL_ATTR, "__dict__", nodedict);
	fx_edge_name(f, tnode, MT_REL_ATTR, "__name__",
		     str_node(f, tstr, "Node"));

	modules = fx_node(f, tdict, 2264, ADDR(f->n), 1, 2);
	fx_root(f, "i0_modules", modules);
	mainmod = fx_node(f, tmod, 72, ADDR(f->n), 3, MT_NO_LENGTH);
	fx_str(f, mainmod, "__main__");
	bmod = fx_node(f, tmod, 72, ADDR(f->n), 3, MT_NO_LENGTH);
	fx_str(f, bmod, "builtins");
	fx_edge_key(f, modules, str_node(f, tstr, "__main__"), mainmod);
	fx_edge_key(f, modules, str_node(f, tstr, "builtins"), bmod);
	maindict = fx_node(f, tdict, 4696, ADDR(f->n), 4, 8);
	fx_edge_name(f, mainmod, MT_REL_ATTR, "__dict__", maindict);
	bdict = fx_node(f, tdict, 9304, ADDR(f->n), 2, 1);
	fx_edge_name(f, bmod, MT_REL_ATTR, "__dict__", bdict);
	lenf = fx_node(f, tbfunc, 72, ADDR(f->n), 2, MT_NO_LENGTH);
	fx_str(f, lenf, "len");
	fx_edge_key(f, bdict, str_node(f, tstr, "len"), lenf);

	for (i = 0; i < 8; i++)
		keyn[i] = str_node(f, tstr, keys[i]);
	for (i = 0; i < 8; i++)
		fx_edge_int(f, maindict, MT_REL_KEY, (uint64_t)i, keyn[i]);

	/* nodes: 4 Node instances with inline (virtual) dicts */
	nodes = fx_node(f, tlist, 88, ADDR(f->n), 1, 4);
	fx_edge_key(f, maindict, keyn[0], nodes);
	kname = str_node(f, tstr, "name");
	ki = str_node(f, tstr, "i");
	ktags = str_node(f, tstr, "tags");
	kk = str_node(f, tstr, "k");
	fx_edge_name(f, tnode, MT_REL_INTERATTR, "ht_cached_keys", kname);
	for (i = 0; i < 4; i++) {
		char name[16];
		uint32_t n = fx_node(f, tnode, 56, ADDR(f->n), 1, MT_NO_LENGTH);
		uint32_t d = fx_node(f, tdict, 96, 0, 0, 3);
		uint32_t tags = fx_node(f, tdict, 184, ADDR(f->n), 1, 1);
		fx_edge_int(f, nodes, MT_REL_INDEX, (uint64_t)i, n);
		fx_edge_name(f, n, MT_REL_ATTR, "__dict__", d);
		fx_edge_key(f, d, ki, int_node(f, tint, 1000 + i));
		snprintf(name, sizeof name, "node-%d", i);
		fx_edge_key(f, d, kname, str_node(f, tstr, name));
		fx_edge_key(f, d, ktags, tags);
		fx_edge_key(f, tags, kk, int_node(f, tint, -i));
	}

	strs = fx_node(f, tlist, 88, ADDR(f->n), 1, 3);
	fx_edge_key(f, maindict, keyn[1], strs);
	fx_edge_int(f, strs, MT_REL_INDEX, 0,
		    str_node(f, tstr, "s00000 a preview string"));
	fx_edge_int(f, strs, MT_REL_INDEX, 1,
		    str_node(f, tstr, "s00001 \xc3\xa9t\xc3\xa9"));
	fx_edge_int(f, strs, MT_REL_INDEX, 2, str_node(f, tstr, ""));
	fx_edge_key(f, maindict, keyn[2], tnode);

	fn = fx_node(f, tfunc, 160, ADDR(f->n), 2, MT_NO_LENGTH);
	fx_str(f, fn, "main");
	fx_edge_key(f, maindict, keyn[3], fn);
	code = fx_node(f, tcode, 200, ADDR(f->n), 2, MT_NO_LENGTH);
	val = (mt_value){.kind = MT_VAL_CODE,
			 .s = "demo.py",
			 .slen = 7,
			 .i = 12,
			 .s2 = "main",
			 .s2len = 4};
	fx_set_value(f, code, &val);
	fx_edge_name(f, fn, MT_REL_ATTR, "__code__", code);
	fx_edge_name(f, fn, MT_REL_ATTR, "__globals__", maindict);
	fndict = fx_node(f, tdict, 64, ADDR(f->n), 1, 0);
	fx_edge_name(f, fn, MT_REL_ATTR, "__dict__", fndict);

	v = fx_node(f, tfloat, 24, ADDR(f->n), 1, MT_NO_LENGTH);
	val = (mt_value){.kind = MT_VAL_FLOAT, .d = 3.25};
	fx_set_value(f, v, &val);
	fx_edge_key(f, maindict, keyn[4], v);
	v = fx_node(f, tbool, 28, ADDR(f->n), 100, MT_NO_LENGTH);
	val = (mt_value){.kind = MT_VAL_BOOL, .i = 1};
	fx_set_value(f, v, &val);
	fx_edge_key(f, maindict, keyn[5], v);
	v = fx_node(f, tint, 44, ADDR(f->n), 1, 21);
	val = (mt_value){
	    .kind = MT_VAL_STR, .s = "-123456789012345678901", .slen = 22};
	fx_set_value(f, v, &val);
	fx_edge_key(f, maindict, keyn[6], v);
	v = fx_node(f, tbytes, 38, ADDR(f->n), 1, 5);
	val = (mt_value){.kind = MT_VAL_BYTES, .s = "\0\1\2\3\xff", .slen = 5};
	fx_set_value(f, v, &val);
	fx_edge_key(f, maindict, keyn[7], v);

	/* the innermost frame of thread 1: virtual, with a cell local */
	frame = fx_node(f, tframe, 168, 0, 0, MT_NO_LENGTH);
	val = (mt_value){.kind = MT_VAL_CODE,
			 .s = "demo.py",
			 .slen = 7,
			 .i = 20,
			 .s2 = "main",
			 .s2len = 4};
	fx_set_value(f, frame, &val);
	fx_root(f, "i0_t1_f0", frame);
	fx_thread(f, 1, "MainThread");
	fx_edge_name(f, frame, MT_REL_ATTR, "f_code", code);
	fx_edge_name(f, frame, MT_REL_ATTR, "f_globals", maindict);
	fx_edge_name(f, frame, MT_REL_LOCAL, "x", strs);
	v = fx_node(f, tcell, 40, ADDR(f->n), 1, MT_NO_LENGTH);
	fx_edge_name(f, frame, MT_REL_CELL, "y", v);
	fx_edge_name(f, v, MT_REL_ATTR, "cell_contents", kk);
	fx_edge_int(f, frame, MT_REL_STACK, 0, lenf);
	v = fx_node(f, variant ? tfloat : tns, 48, ADDR(f->n), 1,
		    MT_NO_LENGTH);
	fx_edge_int(f, frame, MT_REL_STACK, 1, v);

	/* a cycle between two lists, held by a set-like INSET edge */
	a = fx_node(f, tlist, 64, ADDR(f->n), 2, 1);
	b = fx_node(f, tlist, 64, ADDR(f->n), 2, 1);
	fx_edge_int(f, a, MT_REL_INDEX, 0, b);
	fx_edge_int(f, b, MT_REL_INDEX, 0, a);
	fx_edge_int(f, nodedict, MT_REL_OTHER, 0, a);

	/* garbage: a list and a tuple no root reaches */
	garbage = fx_node(f, tlist, 72, ADDR(f->n), 1, 2);
	tup = fx_node(f, ttuple, 56, ADDR(f->n), 1, 2);
	fx_edge_int(f, garbage, MT_REL_INDEX, 0, tup);
	fx_edge_int(f, garbage, MT_REL_INDEX, 1, garbage);
	fx_edge_int(f, tup, MT_REL_INDEX, 0, int_node(f, tint, 7));
	fx_edge_int(f, tup, MT_REL_INDEX, 1, kk);
}

/* The growth of the comparison fixtures: a class Session (n instances,
 * each with a dict holding a str) in a list, and nstr more strings in
 * another, both in __main__'s globals; the types and the key strings
 * first, so that a later dump's first objects keep their addresses. */
static void add_sessions(fx *f, int n, int nstr)
{
	uint32_t ttype = 0, tdict = 2, tstr = 3, tlist = 5;
	uint32_t maindict = UINT32_MAX;
	for (uint32_t i = 0; i < f->n; i++) /* __main__'s dict: 4696 bytes */
		if (f->nodes[i].o.size == 4696)
			maindict = i;
	uint32_t tsess = type_node(f, ttype, "__main__", "Session", 1072);
	uint32_t ksess = str_node(f, tstr, "sessions");
	uint32_t kmore = str_node(f, tstr, "more");
	uint32_t kuser = str_node(f, tstr, "user");
	uint32_t sessions = fx_node(f, tlist, 120, ADDR(f->n), 1, n);
	uint32_t more = fx_node(f, tlist, 88 + 8 * (uint64_t)nstr, ADDR(f->n),
				1, nstr);
	fx_edge_key(f, maindict, ksess, sessions);
	fx_edge_key(f, maindict, kmore, more);
	for (int i = 0; i < n; i++) {
		char name[32];
		uint32_t o = fx_node(f, tsess, 56, ADDR(f->n), 1, MT_NO_LENGTH);
		uint32_t d = fx_node(f, tdict, 232, ADDR(f->n), 1, 1);
		snprintf(name, sizeof name, "user-%d", i);
		fx_edge_int(f, sessions, MT_REL_INDEX, (uint64_t)i, o);
		fx_edge_name(f, o, MT_REL_ATTR, "__dict__", d);
		fx_edge_key(f, d, kuser, str_node(f, tstr, name));
	}
	for (int i = 0; i < nstr; i++) {
		char s[32];
		snprintf(s, sizeof s, "more-%03d", i);
		fx_edge_int(f, more, MT_REL_INDEX, (uint64_t)i,
			    str_node(f, tstr, s));
	}
}

static void build_many(fx *f)
{
	uint32_t ttype = type_node(f, FX_SELF, "builtins", "type", 928);
	uint32_t tlist = type_node(f, ttype, "builtins", "list", 416);
	uint32_t tdict = type_node(f, ttype, "builtins", "dict", 416);
	uint32_t top = fx_node(f, tlist, 1000, ADDR(f->n), 1, 15);
	uint32_t j = 0;
	int c, i;

	fx_root(f, "i0_modules", top);
	for (c = 0; c < 15; c++) {
		char qual[64];
		uint32_t t;
		/* One long class name, to show heapy's wrapping. */
		if (c == 7)
			snprintf(qual, sizeof qual,
				 "AVeryLongClassNameThatGoesOn.AndOnAndOn-"
				 "Hyphenated.Thing%d",
				 c);
		else
			snprintf(qual, sizeof qual, "C%02d", c);
		t = type_node(f, ttype,
			      c == 7 ? "some.deeply.nested.package"
				       ".with.a.long.module.name"
				     : "app",
			      qual, 1064);
		for (i = 0; i <= c % 4; i++) {
			uint32_t o = fx_node(f, t, 48 + 8 * (uint64_t)c,
					     ADDR(f->n), 1, MT_NO_LENGTH);
			uint32_t d = fx_node(f, tdict, 104, 0, 0, 1);
			fx_edge_int(f, top, MT_REL_INDEX, j++, o);
			fx_edge_name(f, o, MT_REL_ATTR, "__dict__", d);
		}
	}
}

/* Text that a terminal would obey: class and module names with ESC [2J
 * (clear screen), BEL, an OSC title, a C1 CSI (U+009B) and bytes that are
 * not UTF-8; an attribute name and a str value with escapes too. */
static void build_evil(fx *f)
{
	static const char *const mods[] = {"__main__", "app\x1b]0;pwned\a",
					   "app", "app"};
	static const char *const quals[] = {"\x1b[2Jevil", "bell\a",
					    "csi\xc2\x9b" "31mred",
					    "bad\xff\xfe" "byte"};
	uint32_t ttype = type_node(f, FX_SELF, "builtins", "type", 928);
	uint32_t tlist = type_node(f, ttype, "builtins", "list", 416);
	uint32_t tdict = type_node(f, ttype, "builtins", "dict", 416);
	uint32_t tstr = type_node(f, ttype, "builtins", "str", 416);
	uint32_t top = fx_node(f, tlist, 88, ADDR(f->n), 1, 4);
	fx_root(f, "i0_modules", top);
	for (uint32_t c = 0; c < 4; c++) {
		uint32_t t = type_node(f, ttype, mods[c], quals[c], 1064);
		uint32_t o = fx_node(f, t, 48, ADDR(f->n), 1, MT_NO_LENGTH);
		uint32_t d = fx_node(f, tdict, 104, 0, 0, 1);
		fx_edge_int(f, top, MT_REL_INDEX, c, o);
		fx_edge_name(f, o, MT_REL_ATTR, "__dict__", d);
		fx_edge_name(f, d, MT_REL_ATTR, "\x1b[31mattr",
			     str_node(f, tstr, "\x1b[2J\a"));
	}
}

/* Long class names that differ only in the middle (two modules with a
 * ResponseEnvelope), and one that is a prefix of another: labels a narrow
 * screen must shorten without making two rows read the same. */
static void build_long(fx *f)
{
	static const char *const mods[] = {
	    "app.services.billing.handlers", "app.services.shipping.handlers",
	    "app.services.billing.handlers", "app"};
	static const char *const quals[] = {"ResponseEnvelope",
					    "ResponseEnvelope", "Response",
					    "Response"};
	uint32_t ttype = type_node(f, FX_SELF, "builtins", "type", 928);
	uint32_t tlist = type_node(f, ttype, "builtins", "list", 416);
	uint32_t tdict = type_node(f, ttype, "builtins", "dict", 416);
	uint32_t top = fx_node(f, tlist, 120, ADDR(f->n), 1, 10);
	uint32_t j = 0;
	fx_root(f, "i0_modules", top);
	for (uint32_t c = 0; c < 4; c++) {
		uint32_t t = type_node(f, ttype, mods[c], quals[c], 1064);
		for (uint32_t i = 0; i <= c; i++) {
			uint32_t o = fx_node(f, t, 48 + 16 * (uint64_t)c,
					     ADDR(f->n), 1, MT_NO_LENGTH);
			uint32_t d = fx_node(f, tdict, 104 + 8 * (uint64_t)c,
					     0, 0, 1);
			fx_edge_int(f, top, MT_REL_INDEX, j++, o);
			fx_edge_name(f, o, MT_REL_ATTR, "__dict__", d);
		}
	}
}

mt_status fx_write_canned(const char *name, const char *path, mt_err *err)
{
	fx *f;
	mt_status st;
	if (strcmp(name, "demo") && strcmp(name, "many") &&
	    strcmp(name, "empty") && strcmp(name, "evil") &&
	    strcmp(name, "long") && strncmp(name, "cmp-", 4))
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "unknown fixture %s", name);
	f = fx_new();
	if (!strcmp(name, "demo"))
		build_demo(f, 0);
	else if (!strcmp(name, "cmp-old")) { /* demo, one process */
		build_demo(f, 0);
		fx_process(f, 4242, 1795314000.5, NULL);
	} else if (!strcmp(name, "cmp-new") || !strcmp(name, "cmp-other")) {
		/* later: 3 sessions, 6 strings; cmp-other: another process */
		build_demo(f, 1);
		add_sessions(f, 3, 6);
		fx_process(f, name[4] == 'n' ? 4242 : 5151, 1795314000.5, NULL);
	} else if (!strcmp(name, "cmp-mark")) { /* cmp-new, marked at
						    cmp-old's objects */
		build_demo(f, 0);
		uint32_t upto = (uint32_t)f->n;
		add_sessions(f, 3, 6);
		fx_process(f, 4242, 1795314000.5, NULL);
		fx_mark(f, upto, 1795314900.0);
	} else if (!strcmp(name, "cmp-c")) { /* later still: 5 sessions */
		build_demo(f, 1);
		add_sessions(f, 5, 6);
		fx_process(f, 4242, 1795314000.5, NULL);
	} else if (strncmp(name, "cmp-", 4) == 0) {
		fx_free(f);
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "unknown fixture %s", name);
	}
	else if (!strcmp(name, "many"))
		build_many(f);
	else if (!strcmp(name, "evil"))
		build_evil(f);
	else if (!strcmp(name, "long"))
		build_long(f);
	st = fx_write(f, path, NULL, NULL, err);
	fx_free(f);
	return st;
}
