/* A synthetic dump of about N objects, for the big-heap benchmarks.
 *
 *     gen_bigdump N OUT.mp [SEED]
 *
 * Writes, through the format library's writer (writer.h), a dump shaped
 * like the heap of a Python 3.11 service that holds a lot of data: the
 * root edges of the interpreter (sys.modules, builtins, the main thread's
 * frame), modules and their dicts, the builtin types, a few classes
 * written in Python (each with __name__, __dict__, __mro__ and a method),
 * then the data: a chain of Segment instances, each holding a list or a
 * str-keyed dict of records (User, Request, Response, Entry instances,
 * every one with a __dict__ whose keys are shared strs and whose values
 * are strs, ints, floats, lists, tuples, header dicts and references back
 * to earlier objects, which make cycles), two linked lists of Node
 * instances (N/60 nodes each: 100k+ nodes from N = 6M on) and a balanced
 * binary tree of TreeNode instances (about 8% of the objects).  Small
 * ints, None, True, False, the key strs and the types are shared, as in
 * CPython.  The same N and SEED give the same bytes.
 *
 * The format wants objects in breadth-first order (doc/format.md: a
 * reference is either to an object already introduced or introduces the
 * next id), so the generator is a breadth-first walk of a heap it invents
 * as it goes: introducing an id queues a small description of the object
 * (struct pending, 12 bytes) and writing the object at the head of the
 * queue invents its edges, introducing its children.  Memory is the queue
 * (the objects introduced but not written yet: the walk's frontier, which
 * the chain of segments keeps to a few segments' worth) plus the writer's
 * buffers; nothing else grows with N.
 *
 * Prints "objects: N", "edges: E", "bytes: B", "seconds: S" (wall, the
 * writer's final fsync included), "objects_per_s: R", "cpu_seconds: C"
 * (both threads) and "queue_max_entries: Q" (the queue's capacity) on
 * standard output.  A benchmark tool, not a test.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"
#include "memtrack/writer.h"

/* ---- what an introduced object will be ---- */

enum {
	P_SHARED,    /* a = shared slot (below) */
	P_INST,	     /* sub = class, a = context (per class) */
	P_IDICT,     /* an instance's __dict__: sub = class, a = context */
	P_STR,	     /* sub = flavour, a = number */
	P_INT,	     /* a = value (above the cached small ints) */
	P_FLOAT,     /* a = seed of the value */
	P_LIST_STR,  /* a = length; items are fresh strs */
	P_LIST_INT,  /* a = length; items are ints */
	P_LIST_REC,  /* a = length, b = segment instance id: the records */
	P_DICT_REC,  /* a = length, b = segment instance id: str -> record */
	P_LIST_ROLE, /* a = length: shared role strs */
	P_TUPLE_2,   /* (str, str) query pair */
	P_TUPLE_TAG, /* a = length: shared tag strs */
	P_HDRDICT,   /* a = number of headers: shared str -> fresh str */
	P_CLASSDICT, /* sub = class: the class's __dict__ */
	P_MRO,	     /* sub = class: (class, object) */
	P_FUNC,	     /* sub = class: its __init__ */
	P_CODE,	     /* sub = class: the code of its __init__, or main's */
	P_FRAME,     /* the main thread's frame */
};

typedef struct pending {
	uint32_t a, b;
	uint8_t kind, sub;
} pending;

/* Builtin types, classes, and shared slots. */
enum { T_TYPE, T_OBJECT, T_MODULE, T_DICT, T_STR, T_INT, T_FLOAT, T_LIST,
       T_TUPLE, T_NONE, T_BOOL, T_FUNCTION, T_CODE, T_FRAME, NTYPES };
static const char *const type_names[NTYPES] = {
    "type",  "object", "module", "dict",     "str",  "int",   "float",
    "list",  "tuple",  "NoneType", "bool",   "function", "code", "frame"};

enum { C_SEGMENT, C_USER, C_REQUEST, C_RESPONSE, C_ENTRY, C_NODE, C_TREE,
       NCLASSES };
static const char *const class_names[NCLASSES] = {
    "Segment", "User", "Request", "Response", "Entry", "Node", "TreeNode"};

/* Instance dict keys of each class, in insertion order. */
static const char *const class_keys[NCLASSES][6] = {
    {"index", "items", "next", NULL},
    {"uid", "name", "roles", "segment", NULL},
    {"path", "query", "headers", "user", NULL},
    {"status", "body", "headers", "elapsed", "request", NULL},
    {"key", "value", "created", "tags", NULL},
    {"value", "next", NULL},
    {"key", "left", "right", NULL},
};

static const char *const header_names[] = {"content-type", "content-length",
					   "accept", "user-agent", "host",
					   "cookie"};
static const char *const role_names[] = {"reader", "admin", "editor"};
static const char *const tag_names[] = {"hot", "cold", "new", "stale",
					"gzip", "html", "json", "draft"};
#define NHDR 6
#define NROLE 3
#define NTAG 8
#define NSMALL 262 /* ints -5 .. 256 */

/* Shared slots: objects with one id, introduced when first referred to. */
enum {
	S_TYPE0 = 0,
	S_CLASS0 = S_TYPE0 + NTYPES,
	S_CLASSNAME0 = S_CLASS0 + NCLASSES,
	S_KEY0 = S_CLASSNAME0 + NCLASSES, /* class_keys, 6 per class */
	S_HDR0 = S_KEY0 + NCLASSES * 6,
	S_ROLE0 = S_HDR0 + NHDR,
	S_TAG0 = S_ROLE0 + NROLE,
	S_SMALL0 = S_TAG0 + NTAG,
	S_NONE = S_SMALL0 + NSMALL,
	S_TRUE,
	S_FALSE,
	S_MODULES,   /* sys.modules */
	S_MOD_BI,    /* module builtins */
	S_MOD_MAIN,  /* module __main__ */
	S_DICT_BI,   /* builtins.__dict__ */
	S_DICT_MAIN, /* __main__.__dict__ */
	S_STR_BI,    /* "builtins" */
	S_STR_MAIN,  /* "__main__" */
	S_TYPENAME0, /* the builtin types' names, keys of builtins.__dict__ */
	S_GLOBNAME0 = S_TYPENAME0 + NTYPES, /* keys of __main__.__dict__ */
	NSHARED = S_GLOBNAME0 + NCLASSES + 4
};
static const char *const glob_names[4] = {"segments", "chain_a", "chain_b",
					  "tree"};

/* ---- generator state ---- */

typedef struct gen {
	mt_writer *w;
	uint64_t target; /* N */
	uint64_t rng;
	uint32_t hi;   /* ids introduced (mirrors the writer's counter) */
	uint32_t next; /* next id to write */
	pending *q;    /* ring: ids next .. hi-1 */
	uint32_t qcap; /* power of two */
	uint32_t shared[NSHARED];
	uint32_t names[64]; /* name table indices, see name_list */
	uint64_t addr;
	uint64_t chain_len, tree_depth;
	/* for the end of the chain of segments, estimates of what is still
	 * to come: chain and tree nodes not introduced yet (about 2.5
	 * objects each), records whose dict is not written yet (about 5) */
	uint64_t planned_nodes, future_rec;
	uint32_t segments;     /* Segment instances introduced */
	bool segments_done;
	uint32_t last_user, last_request; /* MT_NO_ID-like: UINT32_MAX */
	mt_edge *edges;
	size_t ecap;
	uint64_t strno;
	char text[128];
	mt_err err;
} gen;

enum { N_DICT, N_NAME, N_MRO, N_CODE, N_GLOBALS, N_BUILTINS, N_INIT, N_SELF,
       N_ROOT_MODULES, N_ROOT_BUILTINS, N_ROOT_F0, N_FCODE, N_FGLOBALS,
       N_FBUILTINS, N_LOCAL_CACHE, NNAMES };
static const char *const name_list[NNAMES] = {
    "__dict__",	  "__name__",	 "__mro__",	  "__code__",
    "__globals__", "__builtins__", "__init__",	  "self",
    "i0_modules", "i0_builtins",  "i0_t140234567_f0", "f_code",
    "f_globals",  "f_builtins",   "cache"};

#define NO_ID UINT32_MAX

static void die(gen *g, const char *what)
{
	char line[400];
	if (g && g->err.code) {
		mt_err_format(&g->err, line, sizeof line);
		fprintf(stderr, "gen_bigdump: %s (object %u): %s\n", what,
			g->next, line);
	} else {
		fprintf(stderr, "gen_bigdump: %s\n", what);
	}
	if (g && g->w)
		mt_writer_abort(g->w);
	exit(1);
}

/* splitmix64 */
static inline uint64_t rnd(gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static inline uint32_t below(gen *g, uint32_t n)
{
	return (uint32_t)(((rnd(g) >> 32) * (uint64_t)n) >> 32);
}

/* Introduces the next id as the object p; returns the id. */
static uint32_t intro(gen *g, pending p)
{
	uint32_t n = g->hi - g->next;
	if (n == g->qcap) {
		uint32_t cap = g->qcap * 2;
		pending *q = malloc((size_t)cap * sizeof *q);
		if (!q)
			die(g, "out of memory (queue)");
		for (uint32_t i = 0; i < n; i++)
			q[i] = g->q[(g->next + i) & (g->qcap - 1)];
		free(g->q);
		/* re-base: entry of id x at (x - next) in the new ring, i.e.
		 * at x & (cap-1) only if next % cap == 0; keep it simple and
		 * rotate so that the mapping id -> id & (cap-1) holds */
		g->q = malloc((size_t)cap * sizeof *q);
		if (!g->q)
			die(g, "out of memory (queue)");
		for (uint32_t i = 0; i < n; i++)
			g->q[(g->next + i) & (cap - 1)] = q[i];
		free(q);
		g->qcap = cap;
	}
	g->q[g->hi & (g->qcap - 1)] = p;
	if (g->hi == UINT32_MAX - 1)
		die(g, "too many objects for uint32 ids");
	return g->hi++;
}

static inline uint32_t intro_k(gen *g, int kind, unsigned sub, uint32_t a,
			       uint32_t b)
{
	pending p = {.a = a, .b = b, .kind = (uint8_t)kind,
		     .sub = (uint8_t)sub};
	return intro(g, p);
}

/* The id of shared slot s, introducing it on first use. */
static inline uint32_t shared(gen *g, unsigned s)
{
	if (g->shared[s] == NO_ID)
		g->shared[s] = intro_k(g, P_SHARED, 0, s, 0);
	return g->shared[s];
}

static inline uint32_t small_int(gen *g, int v)
{
	assert(v >= -5 && v <= 256);
	return shared(g, S_SMALL0 + (unsigned)(v + 5));
}

/* An int value: mostly small cached ones, else a fresh int object. */
static uint32_t some_int(gen *g)
{
	uint32_t r = below(g, 100);
	if (r < 55)
		return small_int(g, (int)below(g, 257));
	return intro_k(g, P_INT, 0, 257 + (uint32_t)(rnd(g) >> 40), 0);
}

static void edges_room(gen *g, size_t n)
{
	if (n <= g->ecap)
		return;
	size_t c = g->ecap ? g->ecap : 64;
	while (c < n)
		c *= 2;
	mt_edge *e = realloc(g->edges, c * sizeof *e);
	if (!e)
		die(g, "out of memory (edges)");
	g->edges = e;
	g->ecap = c;
}

static inline void edge(gen *g, size_t *n, unsigned rel, uint32_t target,
			uint64_t label)
{
	edges_room(g, *n + 1);
	g->edges[*n] = (mt_edge){.target = target, .rel = (uint8_t)rel,
				 .label = label};
	++*n;
}

/* keyval edge: the target is introduced before the key, as the format
 * decodes them (target first, then label). */
static inline void kv_shared_key(gen *g, size_t *n, uint32_t target,
				 unsigned keyslot)
{
	uint32_t key = shared(g, keyslot);
	edge(g, n, MT_REL_KEYVAL, target, key);
}

/* Writes decimal v at p; returns the end. */
static char *put_dec(char *p, uint64_t v)
{
	char tmp[24];
	int k = 0;
	do {
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		*p++ = tmp[--k];
	return p;
}

/* Starts an object of type id `type_id` (already introduced, or
 * introduced by this call first thing, as the writer encodes the type
 * before the edges). */
static void obj_init_id(gen *g, mt_obj *o, uint32_t type_id, uint64_t size)
{
	memset(o, 0, sizeof *o);
	o->type = type_id;
	o->size = size;
	g->addr += 16 * (1 + (size + 15) / 16) + 16 * below(g, 4);
	o->addr = g->addr;
	o->refcnt = 1;
	o->length = MT_NO_LENGTH;
}

static void obj_init(gen *g, mt_obj *o, unsigned type, uint64_t size)
{
	obj_init_id(g, o, shared(g, S_TYPE0 + type), size);
}

static void set_text(mt_obj *o, const char *s, size_t len, size_t full)
{
	o->value.kind = MT_VAL_STR;
	o->value.s = s;
	o->value.slen = (uint32_t)(len > MT_PREVIEW_MAX ? MT_PREVIEW_MAX : len);
	o->length = (int64_t)full;
	o->size = 49 + full;
}

/* ---- writing one object ---- */

static void write_obj(gen *g, uint32_t id, const mt_obj *o, size_t n)
{
	if (mt_writer_object(g->w, id, o, g->edges, n, &g->err) != MT_OK)
		die(g, "writing an object");
}

static void write_shared(gen *g, uint32_t id, unsigned s)
{
	mt_obj o;
	size_t n = 0;
	if (s < S_CLASS0) { /* builtin type */
		unsigned t = s - S_TYPE0;
		obj_init(g, &o, T_TYPE, 416);
		o.refcnt = 1000 + below(g, 100000);
		o.value.kind = MT_VAL_QUALNAME;
		o.value.s = "builtins";
		o.value.slen = 8;
		o.value.s2 = type_names[t];
		o.value.s2len = (uint32_t)strlen(type_names[t]);
	} else if (s < S_CLASSNAME0) { /* a class written in Python */
		unsigned c = s - S_CLASS0;
		obj_init(g, &o, T_TYPE, 1072);
		o.refcnt = 8 + below(g, 20);
		o.value.kind = MT_VAL_QUALNAME;
		o.value.s = "__main__";
		o.value.slen = 8;
		o.value.s2 = class_names[c];
		o.value.s2len = (uint32_t)strlen(class_names[c]);
		edge(g, &n, MT_REL_ATTR, shared(g, S_CLASSNAME0 + c),
		     g->names[N_NAME]);
		edge(g, &n, MT_REL_ATTR, intro_k(g, P_CLASSDICT, c, 0, 0),
		     g->names[N_DICT]);
		edge(g, &n, MT_REL_ATTR, intro_k(g, P_MRO, c, 0, 0),
		     g->names[N_MRO]);
	} else if (s < S_KEY0 || (s >= S_HDR0 && s < S_SMALL0) ||
		   s == S_STR_BI || s == S_STR_MAIN ||
		   (s >= S_TYPENAME0 && s < NSHARED)) { /* interned strs */
		const char *t;
		if (s < S_KEY0)
			t = class_names[s - S_CLASSNAME0];
		else if (s < S_ROLE0)
			t = header_names[s - S_HDR0];
		else if (s < S_TAG0)
			t = role_names[s - S_ROLE0];
		else if (s < S_SMALL0)
			t = tag_names[s - S_TAG0];
		else if (s == S_STR_BI)
			t = "builtins";
		else if (s == S_STR_MAIN)
			t = "__main__";
		else if (s < S_GLOBNAME0)
			t = type_names[s - S_TYPENAME0];
		else if (s < S_GLOBNAME0 + NCLASSES)
			t = class_names[s - S_GLOBNAME0];
		else
			t = glob_names[s - S_GLOBNAME0 - NCLASSES];
		obj_init(g, &o, T_STR, 0);
		set_text(&o, t, strlen(t), strlen(t));
		o.refcnt = 3 + below(g, 1000);
	} else if (s < S_HDR0) { /* instance dict key */
		unsigned k = s - S_KEY0;
		const char *t = class_keys[k / 6][k % 6];
		obj_init(g, &o, T_STR, 0);
		set_text(&o, t, strlen(t), strlen(t));
		o.refcnt = 100 + below(g, 1000);
	} else if (s < S_NONE) { /* small int */
		obj_init(g, &o, T_INT, 28);
		o.value.kind = MT_VAL_INT;
		o.value.i = (int64_t)(s - S_SMALL0) - 5;
		o.refcnt = 1000000000u; /* immortal-ish */
	} else if (s == S_NONE) {
		obj_init(g, &o, T_NONE, 16);
		o.refcnt = 4294967295u;
	} else if (s == S_TRUE || s == S_FALSE) {
		obj_init(g, &o, T_BOOL, 28);
		o.value.kind = MT_VAL_BOOL;
		o.value.i = s == S_TRUE;
		o.refcnt = 4294967295u;
	} else if (s == S_MODULES) {
		obj_init(g, &o, T_DICT, 2272);
		o.length = 2;
		kv_shared_key(g, &n, shared(g, S_MOD_BI), S_STR_BI);
		kv_shared_key(g, &n, shared(g, S_MOD_MAIN), S_STR_MAIN);
	} else if (s == S_MOD_BI || s == S_MOD_MAIN) {
		bool bi = s == S_MOD_BI;
		obj_init(g, &o, T_MODULE, 72);
		o.refcnt = 5;
		o.value.kind = MT_VAL_STR;
		o.value.s = bi ? "builtins" : "__main__";
		o.value.slen = 8;
		edge(g, &n, MT_REL_ATTR,
		     shared(g, bi ? S_DICT_BI : S_DICT_MAIN), g->names[N_DICT]);
	} else if (s == S_DICT_BI) {
		obj_init(g, &o, T_DICT, 4696);
		o.length = NTYPES;
		for (unsigned t = 0; t < NTYPES; t++)
			kv_shared_key(g, &n, shared(g, S_TYPE0 + t),
				      S_TYPENAME0 + t);
	} else if (s == S_DICT_MAIN) {
		obj_init(g, &o, T_DICT, 1192);
		o.length = NCLASSES + 4;
		for (unsigned c = 0; c < NCLASSES; c++)
			kv_shared_key(g, &n, shared(g, S_CLASS0 + c),
				      S_GLOBNAME0 + c);
		/* the data: the first segment, two chains and the tree */
		kv_shared_key(g, &n, intro_k(g, P_INST, C_SEGMENT, 0, 0),
			      S_GLOBNAME0 + NCLASSES);
		g->segments = 1;
		for (int i = 0; i < 2; i++) {
			uint32_t head = NO_ID;
			if (g->chain_len) {
				g->planned_nodes--;
				head = intro_k(g, P_INST, C_NODE,
					       (uint32_t)g->chain_len - 1, 0);
			}
			kv_shared_key(g, &n, head == NO_ID ? shared(g, S_NONE)
							   : head,
				      S_GLOBNAME0 + NCLASSES + 1 + i);
		}
		uint32_t root;
		if (g->tree_depth) {
			g->planned_nodes--;
			root = intro_k(g, P_INST, C_TREE,
				       (uint32_t)g->tree_depth - 1, 0);
		} else {
			root = shared(g, S_NONE);
		}
		kv_shared_key(g, &n, root, S_GLOBNAME0 + NCLASSES + 3);
	} else {
		die(g, "bug: unknown shared slot");
	}
	write_obj(g, id, &o, n);
}

/* A fresh str of the given flavour. */
static void write_str(gen *g, uint32_t id, unsigned flavour, uint32_t num)
{
	static const char *const pre[] = {"user-", "/articles/", "session:",
					  "<html><body><h1>Article ",
					  "q=", "text/html; v=", "key:"};
	mt_obj o;
	obj_init(g, &o, T_STR, 0);
	const char *p0 = pre[flavour % 7];
	size_t pl = strlen(p0);
	memcpy(g->text, p0, pl);
	char *e = put_dec(g->text + pl, num);
	size_t len = (size_t)(e - g->text);
	size_t full = len;
	if (flavour == 3) { /* a body: long text, the preview cut at 64 */
		while (e - g->text < 80)
			*e++ = 'x';
		len = (size_t)(e - g->text);
		full = 200 + (num % 4000);
	}
	set_text(&o, g->text, len, full);
	write_obj(g, id, &o, 0);
}

/* The records of a segment: one of four classes. */
static uint32_t intro_record(gen *g, uint32_t segment)
{
	uint32_t r = below(g, 100);
	unsigned c = r < 25 ? C_USER : r < 55 ? C_REQUEST : r < 75 ? C_RESPONSE
								  : C_ENTRY;
	uint32_t id = intro_k(g, P_INST, c, segment, 0);
	if (c == C_USER)
		g->last_user = id;
	else if (c == C_REQUEST)
		g->last_request = id;
	return id;
}

static void write_inst(gen *g, uint32_t id, unsigned c, uint32_t a)
{
	mt_obj o;
	size_t n = 0;
	obj_init_id(g, &o, shared(g, S_CLASS0 + c), 56);
	o.refcnt = 1 + below(g, 3);
	edge(g, &n, MT_REL_ATTR, intro_k(g, P_IDICT, c, a, id),
	     g->names[N_DICT]);
	write_obj(g, id, &o, n);
}

static void write_idict(gen *g, uint32_t id, unsigned c, uint32_t a,
			uint32_t owner)
{
	mt_obj o;
	size_t n = 0;
	obj_init(g, &o, T_DICT, 104);
	unsigned ks = S_KEY0 + c * 6;
	if (c != C_SEGMENT && c != C_NODE && c != C_TREE && g->future_rec)
		g->future_rec--;
	switch (c) {
	case C_SEGMENT: {
		kv_shared_key(g, &n, a <= 256 ? small_int(g, (int)a)
					      : intro_k(g, P_INT, 0, a, 0),
			      ks);
		uint32_t len = 50 + below(g, 450);
		if (g->target >= 4000000 && below(g, 32) == 0)
			len = 5000 + below(g, 20000);
		g->future_rec += len;
		uint32_t items =
		    intro_k(g, below(g, 4) ? P_LIST_REC : P_DICT_REC, 0, len,
			    owner);
		kv_shared_key(g, &n, items, ks + 1);
		uint32_t next;
		if (!g->segments_done &&
		    (uint64_t)g->hi + g->planned_nodes * 5 / 2 +
				    g->future_rec * 5 <
			g->target) {
			next = intro_k(g, P_INST, C_SEGMENT, a + 1, 0);
			g->segments++;
		} else {
			g->segments_done = true;
			next = shared(g, S_NONE);
		}
		kv_shared_key(g, &n, next, ks + 2);
		break;
	}
	case C_USER:
		kv_shared_key(g, &n, some_int(g), ks);
		kv_shared_key(g, &n, intro_k(g, P_STR, 0, (uint32_t)g->strno++, 0),
			      ks + 1);
		kv_shared_key(g, &n,
			      intro_k(g, P_LIST_ROLE, 0, 1 + below(g, 2), 0),
			      ks + 2);
		kv_shared_key(g, &n, a, ks + 3); /* back to the segment */
		break;
	case C_REQUEST:
		kv_shared_key(g, &n, intro_k(g, P_STR, 1, below(g, 5000), 0),
			      ks);
		kv_shared_key(g, &n, intro_k(g, P_TUPLE_2, 0, 0, 0), ks + 1);
		kv_shared_key(g, &n, intro_k(g, P_HDRDICT, 0, 2 + below(g, 4), 0),
			      ks + 2);
		kv_shared_key(g, &n,
			      g->last_user != NO_ID ? g->last_user
						    : shared(g, S_NONE),
			      ks + 3);
		break;
	case C_RESPONSE:
		/* 404 is no cached small int: a fresh int object */
		kv_shared_key(g, &n,
			      below(g, 8) ? small_int(g, 200)
					  : intro_k(g, P_INT, 0, 404, 0),
			      ks);
		kv_shared_key(g, &n, intro_k(g, P_STR, 3, (uint32_t)g->strno++, 0),
			      ks + 1);
		kv_shared_key(g, &n, intro_k(g, P_HDRDICT, 0, 2, 0), ks + 2);
		kv_shared_key(g, &n, intro_k(g, P_FLOAT, 0, (uint32_t)rnd(g), 0),
			      ks + 3);
		kv_shared_key(g, &n,
			      g->last_request != NO_ID ? g->last_request
						       : shared(g, S_NONE),
			      ks + 4);
		break;
	case C_ENTRY:
		kv_shared_key(g, &n, intro_k(g, P_STR, 6, (uint32_t)g->strno++, 0),
			      ks);
		kv_shared_key(g, &n, intro_k(g, P_LIST_INT, 0, below(g, 12), 0),
			      ks + 1);
		kv_shared_key(g, &n, intro_k(g, P_FLOAT, 0, (uint32_t)rnd(g), 0),
			      ks + 2);
		kv_shared_key(g, &n, intro_k(g, P_TUPLE_TAG, 0, 1 + below(g, 3), 0),
			      ks + 3);
		break;
	case C_NODE: /* a = nodes still to come after this one */
		kv_shared_key(g, &n, some_int(g), ks);
		if (a) {
			g->planned_nodes -= !!g->planned_nodes;
			kv_shared_key(g, &n, intro_k(g, P_INST, C_NODE, a - 1, 0),
				      ks + 1);
		} else {
			kv_shared_key(g, &n, shared(g, S_NONE), ks + 1);
		}
		break;
	case C_TREE: /* a = levels below */
		kv_shared_key(g, &n, some_int(g), ks);
		for (int i = 0; i < 2; i++) {
			uint32_t child;
			if (a) {
				g->planned_nodes -= !!g->planned_nodes;
				child = intro_k(g, P_INST, C_TREE, a - 1, 0);
			} else {
				child = shared(g, S_NONE);
			}
			kv_shared_key(g, &n, child, ks + 1 + i);
		}
		break;
	}
	o.length = (int64_t)n;
	o.size = n <= 5 ? 104 : 184;
	write_obj(g, id, &o, n);
}

static void write_container(gen *g, uint32_t id, const pending *p)
{
	mt_obj o;
	size_t n = 0;
	switch (p->kind) {
	case P_LIST_STR:
	case P_LIST_INT:
	case P_LIST_REC:
	case P_LIST_ROLE:
		obj_init(g, &o, T_LIST, 56 + 8 * p->a + 16);
		for (uint32_t i = 0; i < p->a; i++) {
			uint32_t t;
			if (p->kind == P_LIST_STR)
				t = intro_k(g, P_STR, 4, (uint32_t)g->strno++, 0);
			else if (p->kind == P_LIST_INT)
				t = some_int(g);
			else if (p->kind == P_LIST_ROLE)
				t = shared(g, S_ROLE0 + (i ? 1 + below(g, 2) : 0));
			else
				t = intro_record(g, p->b);
			edge(g, &n, MT_REL_INDEX, t, i);
		}
		break;
	case P_DICT_REC:
		obj_init(g, &o, T_DICT, 0);
		for (uint32_t i = 0; i < p->a; i++) {
			uint32_t t = intro_record(g, p->b);
			uint32_t k = intro_k(g, P_STR, 2, (uint32_t)g->strno++, 0);
			edge(g, &n, MT_REL_KEYVAL, t, k);
		}
		o.size = 64 + 42 * p->a;
		break;
	case P_TUPLE_2:
		obj_init(g, &o, T_TUPLE, 56);
		edge(g, &n, MT_REL_INDEX, intro_k(g, P_STR, 4, below(g, 900), 0), 0);
		edge(g, &n, MT_REL_INDEX, intro_k(g, P_STR, 5, below(g, 9), 0), 1);
		break;
	case P_TUPLE_TAG:
		obj_init(g, &o, T_TUPLE, 40 + 8 * p->a);
		for (uint32_t i = 0; i < p->a; i++)
			edge(g, &n, MT_REL_INDEX,
			     shared(g, S_TAG0 + below(g, NTAG)), i);
		break;
	case P_HDRDICT:
		obj_init(g, &o, T_DICT, 232);
		for (uint32_t i = 0; i < p->a; i++)
			kv_shared_key(g, &n,
				      intro_k(g, P_STR, 5, below(g, 50), 0),
				      S_HDR0 + i);
		break;
	default:
		die(g, "bug: container kind");
	}
	o.length = (int64_t)p->a;
	write_obj(g, id, &o, n);
}

static void write_class_part(gen *g, uint32_t id, const pending *p)
{
	mt_obj o;
	size_t n = 0;
	unsigned c = p->sub;
	static char qual[64];
	switch (p->kind) {
	case P_CLASSDICT:
		obj_init(g, &o, T_DICT, 1192);
		kv_shared_key(g, &n, shared(g, S_STR_MAIN), S_STR_MAIN);
		kv_shared_key(g, &n, intro_k(g, P_FUNC, c, 0, 0),
			      S_CLASSNAME0 + c);
		o.length = 2;
		break;
	case P_MRO:
		obj_init(g, &o, T_TUPLE, 56);
		edge(g, &n, MT_REL_INDEX, shared(g, S_CLASS0 + c), 0);
		edge(g, &n, MT_REL_INDEX, shared(g, S_TYPE0 + T_OBJECT), 1);
		o.length = 2;
		break;
	case P_FUNC:
		obj_init(g, &o, T_FUNCTION, 152);
		snprintf(qual, sizeof qual, "%s.__init__", class_names[c]);
		o.value.kind = MT_VAL_STR;
		o.value.s = qual;
		o.value.slen = (uint32_t)strlen(qual);
		edge(g, &n, MT_REL_ATTR, intro_k(g, P_CODE, c, 0, 0),
		     g->names[N_CODE]);
		edge(g, &n, MT_REL_ATTR, shared(g, S_DICT_MAIN),
		     g->names[N_GLOBALS]);
		break;
	case P_CODE:
		obj_init(g, &o, T_CODE, 200);
		o.value.kind = MT_VAL_CODE;
		o.value.s = "service.py";
		o.value.slen = 10;
		o.value.i = 10 + 20 * c;
		o.value.s2 = c < NCLASSES ? "__init__" : "main";
		o.value.s2len = (uint32_t)strlen(o.value.s2);
		break;
	case P_FRAME:
		obj_init(g, &o, T_FRAME, 432);
		o.value.kind = MT_VAL_CODE;
		o.value.s = "service.py";
		o.value.slen = 10;
		o.value.i = 400;
		o.value.s2 = "main";
		o.value.s2len = 4;
		edge(g, &n, MT_REL_ATTR, intro_k(g, P_CODE, NCLASSES, 0, 0),
		     g->names[N_FCODE]);
		edge(g, &n, MT_REL_ATTR, shared(g, S_DICT_MAIN),
		     g->names[N_FGLOBALS]);
		edge(g, &n, MT_REL_ATTR, shared(g, S_DICT_BI),
		     g->names[N_FBUILTINS]);
		edge(g, &n, MT_REL_LOCAL, intro_k(g, P_LIST_STR, 0, 100, 0),
		     g->names[N_LOCAL_CACHE]);
		break;
	default:
		die(g, "bug: class part kind");
	}
	write_obj(g, id, &o, n);
}

static void write_next(gen *g)
{
	uint32_t id = g->next;
	pending p = g->q[id & (g->qcap - 1)];
	switch (p.kind) {
	case P_SHARED:
		write_shared(g, id, p.a);
		break;
	case P_INST:
		write_inst(g, id, p.sub, p.a);
		break;
	case P_IDICT:
		write_idict(g, id, p.sub, p.a, p.b);
		break;
	case P_STR:
		write_str(g, id, p.sub, p.a);
		break;
	case P_INT: {
		mt_obj o;
		obj_init(g, &o, T_INT, 28);
		o.value.kind = MT_VAL_INT;
		o.value.i = p.a;
		write_obj(g, id, &o, 0);
		break;
	}
	case P_FLOAT: {
		mt_obj o;
		obj_init(g, &o, T_FLOAT, 24);
		o.value.kind = MT_VAL_FLOAT;
		o.value.d = p.a / 1e6;
		write_obj(g, id, &o, 0);
		break;
	}
	case P_CLASSDICT:
	case P_MRO:
	case P_FUNC:
	case P_CODE:
	case P_FRAME:
		write_class_part(g, id, &p);
		break;
	default:
		write_container(g, id, &p);
		break;
	}
	g->next++;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s N OUT.mp [SEED]\n", argv[0]);
		return 2;
	}
	char *end;
	errno = 0;
	unsigned long long n = strtoull(argv[1], &end, 10);
	if (errno || *end || n < 1000 || n > 4000000000ull) {
		fprintf(stderr, "gen_bigdump: N must be 1000 .. 4000000000\n");
		return 2;
	}
	unsigned long long seed = 1;
	if (argc == 4) {
		seed = strtoull(argv[3], &end, 10);
		if (*end) {
			fprintf(stderr, "gen_bigdump: bad SEED\n");
			return 2;
		}
	}
	static gen G;
	gen *g = &G;
	g->target = n;
	g->rng = seed * 0x2545f4914f6cdd1du + 12345;
	g->qcap = 1u << 16;
	g->q = malloc(g->qcap * sizeof *g->q);
	if (!g->q)
		die(g, "out of memory");
	for (unsigned i = 0; i < NSHARED; i++)
		g->shared[i] = NO_ID;
	g->addr = 0x7f0000000000u;
	g->last_user = g->last_request = NO_ID;
	g->chain_len = n / 60;
	g->tree_depth = 1;
	while (3 * ((2ull << g->tree_depth) - 1) <= n * 8 / 100)
		g->tree_depth++;
	g->planned_nodes = 2 * g->chain_len + ((1ull << g->tree_depth) - 1);

	double t0 = bench_now();
	if (mt_writer_new(&g->w, argv[2], &g->err) != MT_OK)
		die(g, "creating the output");
	static const mt_thread_name thr[] = {{140234567, "MainThread"}};
	const char *hargv[] = {"service.py", "--synthetic"};
	mt_header h = {
	    .format_version = MT_DUMP_VERSION,
	    .memtrack_version = PACKAGE_VERSION,
	    .python_version = "3.11.2 (synthetic heap of gen_bigdump)",
	    .py_major = 3,
	    .py_minor = 11,
	    .py_micro = 2,
	    .implementation = "cpython",
	    .build = "release",
	    .executable = "/usr/bin/python3",
	    .pid = 4242,
	    .argc = 2,
	    .argv = hargv,
	    .time = 1764720000.0 + (double)seed,
	    .start_time = 1764719000.0 + (double)seed,
	    .boot_id = NULL,
	    .rss = n * 100,
	    .vms = n * 120,
	    .ptr_size = 8,
	    .gc_header = 16,
	    .collected = true,
	    .nthreads = 1,
	    .threads = thr,
	};
	if (mt_writer_header(g->w, &h, &g->err) != MT_OK)
		die(g, "writing the header");
	for (unsigned i = 0; i < NNAMES; i++)
		if (mt_writer_name(g->w, name_list[i], strlen(name_list[i]),
				   &g->names[i], &g->err) != MT_OK)
			die(g, "writing a name");
	/* the root: sys.modules, builtins, the main thread's frame */
	size_t ne = 0;
	edge(g, &ne, MT_REL_ROOT, shared(g, S_MODULES),
	     g->names[N_ROOT_MODULES]);
	edge(g, &ne, MT_REL_ROOT, shared(g, S_DICT_BI),
	     g->names[N_ROOT_BUILTINS]);
	edge(g, &ne, MT_REL_ROOT, intro_k(g, P_FRAME, 0, 0, 0),
	     g->names[N_ROOT_F0]);
	if (mt_writer_roots(g->w, g->edges, ne, &g->err) != MT_OK)
		die(g, "writing the roots");
	while (g->next < g->hi)
		write_next(g);
	uint64_t objects = mt_writer_objects(g->w),
		 edges = mt_writer_edges(g->w), bytes = mt_writer_bytes(g->w);
	if (mt_writer_finish(g->w, objects, &g->err) != MT_OK) {
		g->w = NULL;
		die(g, "finishing the dump");
	}
	g->w = NULL;
	double t = bench_now() - t0;
	struct timespec cpu;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	printf("objects: %" PRIu64 "\n", objects);
	printf("edges: %" PRIu64 "\n", edges);
	printf("bytes: %" PRIu64 "\n", bytes);
	printf("seconds: %.3f\n", t);
	printf("objects_per_s: %.0f\n", (double)objects / t);
	printf("cpu_seconds: %.3f\n",
	       (double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9);
	printf("queue_max_entries: %u\n", g->qcap);
	free(g->q);
	free(g->edges);
	return 0;
}
