/* memtrack capture plugin API, version 1.
 *
 * A capture plugin makes an extension type's memory visible to the walk, the
 * way guppy3's NyHeapDef rows do for heapy: one row per type with its self
 * size, the external buffers it owns and its named references.  doc/plugins.md
 * walks through writing one; doc/capture.md says how plugins are chosen.
 *
 * Lifetimes and threads: everything here runs inside memtrack.dump() with the
 * GIL held, in the thread that called it.  The mt_plugin struct, its types
 * array and every string in them are static (they live as long as the
 * extension, or the plugin's shared object, which is never unloaded).
 * Pointers passed to the host functions are borrowed for the call only: the
 * walker copies what it keeps.
 *
 * Rules for a visit function: it must not call Python code (no attribute
 * lookup through the object protocol, no PyObject_Call, no __eq__/__hash__),
 * create, free, incref or decref any Python object, release the GIL or
 * block.  It reads the object it is given and memory that object owns, and
 * reports through the host functions only.  It may be called for many
 * objects of its type, in any order, once per object per dump.
 *
 * A plugin that fails (prepare or visit returns -1) or reports nonsense -- an
 * edge to something that is not a live object (checked without dereferencing
 * a bad pointer), a negative or absurd size, a buffer of absurd size, an
 * unknown relation -- is disabled for the rest of that dump: what it
 * reported for the object at hand is dropped, that object and the rest of
 * its type fall back to the walker's own rules (the type's layout size and
 * tp_traverse, as without the plugin), and the dump carries a warning naming
 * the plugin and the reason (the WARNING record, doc/format.md; readers:
 * mt_header.warnings).  It never crashes the host -- as long as the plugin
 * itself only reads valid memory (the readable() helper below lets it check
 * a pointer it does not trust).
 *
 * Building one:
 *  - bundled (plugins/<name>/ in the source tree, compiled into the
 *    extension): the sources are listed in the extension's sources and the
 *    plugin in plugins/capture.def (one line MT_CAPTURE_PLUGIN(name));
 *    MT_PLUGIN_BUNDLED is defined, so MT_PLUGIN_DEFINE(name) defines
 *    mt_capture_plugin_<name>().
 *  - external (a shared object given by path to memtrack.dump(plugins=[...])):
 *    the same source built without MT_PLUGIN_BUNDLED, so MT_PLUGIN_DEFINE
 *    defines the exported entry point memtrack_plugin_v1().
 */
#ifndef MEMTRACK_PLUGIN_H
#define MEMTRACK_PLUGIN_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <stdint.h>

#define MT_PLUGIN_API_VERSION 1

/* The walk, as seen by a visit function; opaque. */
typedef struct mt_plugin_sink mt_plugin_sink;

/* Relation kinds a plugin may use: the format's codes (dump.h) of the
 * relations that make sense for an extension type.  Any other value is
 * nonsense (the plugin is disabled). */
enum {
	MT_PLUGIN_ATTR = 1,     /* o.name   a Python-visible attribute      */
	MT_PLUGIN_INDEX = 2,    /* o[i]     an element                      */
	MT_PLUGIN_INTERATTR = 5 /* o->name  an internal C field             */
};

/* Limits past which a report is nonsense (the plugin is disabled). */
#define MT_PLUGIN_SIZE_MAX ((uint64_t)1 << 47)  /* a size or buffer, bytes */
#define MT_PLUGIN_NAME_MAX 256                  /* an edge or kind name    */

/* What the walker offers a visit function.  Each function takes the sink
 * the visit was given.  None of them runs Python code. */
typedef struct mt_plugin_host {
	unsigned api_version; /* MT_PLUGIN_API_VERSION of the walker */
	/* The object's own size in bytes, __sizeof__'s meaning (without the
	 * GC header and pre-header, which the walker adds): the struct and
	 * whatever it alone owns that is not reported as a buffer.  Not
	 * called: the walker's own size for the type's layout. */
	void (*size)(mt_plugin_sink *s, uint64_t bytes);
	/* len() of the object, if it has one (>= 0). */
	void (*length)(mt_plugin_sink *s, int64_t len);
	/* An edge to a Python object: rel MT_PLUGIN_ATTR or _INTERATTR use
	 * name (at most MT_PLUGIN_NAME_MAX bytes), MT_PLUGIN_INDEX uses
	 * index.  NULL targets are ignored.  The target must be a live
	 * object; it is checked (alignment, readable memory, its type's type
	 * being a type) before anything is written. */
	void (*edge)(mt_plugin_sink *s, int rel, const char *name,
		     uint64_t index, PyObject *target);
	/* A block of memory outside any Python object that this object owns
	 * or shares, named by its identity (usually its address, not NULL):
	 * it becomes one virtual object of `bytes` bytes in the dump (the
	 * size of the first report for that identity), whose type is a virtual
	 * type named `kind` ("numpy.ndarray data": module up to the last
	 * dot, then the name), with an edge `->name` (interattr) from every
	 * object that reports it.  So a buffer shared by several objects
	 * counts once, and is dominated by whoever holds all its owners. */
	void (*buffer)(mt_plugin_sink *s, const char *kind, const char *name,
		       const void *identity, uint64_t bytes);
	/* A short text shown as the object's value (e.g. "float64 (1000, 3)"),
	 * at most MT_PREVIEW_MAX (64) bytes kept, cut on a UTF-8 character
	 * boundary.  Classifiers may read it. */
	void (*value)(mt_plugin_sink *s, const char *text, size_t len);
	/* Whether [p, p + n) is mapped and readable right now (a system call
	 * the first time a page is asked about), for a plugin that follows
	 * a C pointer it does not trust.  1 or 0. */
	int (*readable)(mt_plugin_sink *s, const void *p, size_t n);
	/* Why the visit is about to return -1 (copied into the warning). */
	void (*fail)(mt_plugin_sink *s, const char *reason);
} mt_plugin_host;

/* Flags of a type row. */
enum {
	/* Also visit instances of subclasses (Python or C); the walker adds
	 * their own levels' member slots and instance dict. */
	MT_PLUGIN_SUBCLASSES = 1u << 0,
	/* The visit reports every reference the type's tp_traverse visits:
	 * tp_traverse is not called.  Without it, the walker calls
	 * tp_traverse after the visit (GC types only) and writes what no
	 * reported edge explains as `other` edges. */
	MT_PLUGIN_COMPLETE = 1u << 1
};

/* One row per extension type. */
typedef struct mt_plugin_type {
	const char *module;   /* "numpy": the module in sys.modules         */
	const char *qualname; /* "ndarray": found in the already-imported
				 module's dict (dots go through class
				 dicts), never imported by memtrack     */
	unsigned flags;       /* MT_PLUGIN_SUBCLASSES, MT_PLUGIN_COMPLETE  */
	/* Reports o's size, length, buffers, edges and value.  Returns 0,
	 * or -1 when o is not what the plugin expects (the plugin is
	 * disabled for this dump and nothing it reported for o is kept). */
	int (*visit)(const mt_plugin_host *h, mt_plugin_sink *s, PyObject *o);
} mt_plugin_type;

typedef struct mt_plugin mt_plugin;
struct mt_plugin {
	unsigned api_version;    /* MT_PLUGIN_API_VERSION it was built for */
	const char *name;        /* "numpy": memtrack.plugins(), dump()'s
				    plugins=[...] and the warnings use it  */
	const char *module;      /* automatic choice: active when this module
				    is in sys.modules at dump time        */
	const char *description; /* one line                                */
	/* Called once per dump before the walk, with the GIL held, after the
	 * types were resolved; may read module attributes through their
	 * dicts (no Python code).  May be NULL.  -1 skips the plugin for
	 * this dump (with a warning). */
	int (*prepare)(const mt_plugin *p);
	const mt_plugin_type *types;
	size_t ntypes;
};

/* The entry point of a plugin shared object, looked up with dlsym when a
 * path is given to memtrack.dump(plugins=[...]); its api_version must be
 * MT_PLUGIN_API_VERSION. */
typedef const mt_plugin *(*mt_plugin_entry_fn)(void);
#define MT_PLUGIN_ENTRY_NAME "memtrack_plugin_v1"

/* Opens the definition of a plugin's entry function, e.g.
 *   static const mt_plugin numpy_plugin = {MT_PLUGIN_API_VERSION, ...};
 *   MT_PLUGIN_DEFINE(numpy) { return &numpy_plugin; }
 */
#ifdef MT_PLUGIN_BUNDLED
#define MT_PLUGIN_DEFINE(name)                                                 \
	const mt_plugin *mt_capture_plugin_##name(void);                       \
	const mt_plugin *mt_capture_plugin_##name(void)
#else
const mt_plugin *memtrack_plugin_v1(void);
#define MT_PLUGIN_DEFINE(name)                                                 \
	__attribute__((visibility("default"))) const mt_plugin *               \
	memtrack_plugin_v1(void)
#endif

#endif
