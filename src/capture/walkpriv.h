/* The walker's insides, shared by walk.c (the walk), kinds.c (the per-type
 * table of built-in kinds) and plugsink.c (what capture plugins report).
 *
 * Per object the walk looks its type up in a per-dump type cache (one probe
 * by address) that says which row describes it: a built-in kind row (the
 * nearest modelled builtin in the type's tp_base chain), maybe a plugin row
 * nearer to the type, whether tp_traverse must still run, whether the type
 * is greenlet's.  So the per-object cost does not depend on the number of
 * rows, and adding a Python type is one row in kinds.c.
 */
#ifndef MT_CAPTURE_WALKPRIV_H
#define MT_CAPTURE_WALKPRIV_H

#include "memtrack/plugin.h"
#include "memtrack/writer.h"
#include "objtable.h"
#include "walk.h"

/* Third ref tag (walk.h has OBJ, VDICT, VFRAME): a plugin's virtual object,
 * an mt_vrec (an owned buffer, or the virtual type of a buffer kind).  Bit 0
 * set: appended to the table, never hashed (the records dedupe). */
#define MT_REF_VREC 3u

/* ---- the built-in kinds (kinds.c) ---------------------------------------- */

/* Flags of a kind row. */
enum {
	/* the visitor names every reference tp_traverse visits for this
	 * level: tp_traverse runs only for C levels below it */
	MT_KF_COMPLETE = 1u << 0,
	/* the visitor reports the instance dict itself (`__dict__`) */
	MT_KF_DICT = 1u << 1,
	/* an allowlisted C __sizeof__ never replaces the row's size */
	MT_KF_OWN_SIZE = 1u << 2
};

/* One row per built-in type the walker models.  `visit` reports the edges
 * and sets the value and length in *ob; `size` is __sizeof__'s (without
 * the GC header and pre-header); both are given the object (an instance of
 * `type` or of a subclass). */
typedef struct mt_kind {
	const char *name;
	PyTypeObject *type; /* NULL in the static table: set by init */
	void (*visit)(mt_walk *w, PyObject *o, mt_obj *ob);
	size_t (*size)(PyObject *o);
	unsigned flags;
} mt_kind;

/* Sets up the rows (types that are not address constants) once.  Returns 0,
 * or -1 with a Python exception set. */
int mt_kinds_init(void);
/* The row whose type is exactly t, or NULL. */
const mt_kind *mt_kind_exact(PyTypeObject *t);
/* The row for objects with no modelled base (object's visitor, not
 * complete). */
extern const mt_kind mt_kind_other;

/* Values, for the walk's virtual objects. */
void mt_value_code(mt_walk *w, PyObject *code, int64_t line, mt_value *v);
size_t mt_basic_size(PyObject *o);

/* ---- plugins (plugin.c: selection; plugsink.c: the host) ----------------- */

/* One resolved plugin type row of a dump. */
typedef struct mt_prow {
	PyTypeObject *type;
	const mt_plugin_type *def;
	struct mt_pactive *plugin;
} mt_prow;

/* A plugin taking part in a dump. */
typedef struct mt_pactive {
	const mt_plugin *p;
	int disabled; /* for the rest of this dump */
} mt_pactive;

/* The plugins of one dump and the warnings gathered so far (built before
 * the walk by mt_plugins_select, read by the walk, freed afterwards). */
typedef struct mt_dumpplugins {
	mt_pactive *act;
	size_t nact;
	mt_prow *rows;
	size_t nrows;
	char **warnings;
	size_t nwarnings;
} mt_dumpplugins;

/* Chooses the plugins of a dump (before the walk; may run Python code):
 * arg NULL or None = automatic (every bundled plugin whose module is in
 * sys.modules), else a sequence of bundled plugin names and paths of
 * shared objects (a str with a '/'); [] = none.  Resolves their types from
 * modules already imported and calls their prepare functions.  A path that
 * cannot be loaded or a prepare that fails is a warning.  Returns 0, or -1
 * with a Python exception (not a sequence of str, an unknown name, out of
 * memory; *dp is then empty). */
int mt_plugins_select(PyObject *arg, mt_dumpplugins *dp);
void mt_plugins_release(mt_dumpplugins *dp);
/* memtrack.plugins(): a new list of dicts {name, module, description,
 * origin ('bundled' or the path), active (an automatic dump now would use
 * it)}, or NULL with an exception. */
PyObject *mt_plugins_list(void);

/* Adds a warning (printf format, one line).  Out of memory: dropped. */
void mt_dp_warn(mt_dumpplugins *dp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A virtual object of a plugin: a buffer (kind = the record of its virtual
 * type) or a virtual type (kind NULL; text "module.qualname", the module
 * being its first modlen bytes). */
typedef struct mt_vrec {
	struct mt_vrec *kind;
	const void *identity;
	uint64_t bytes;
	size_t hash;
	uint32_t id1; /* id + 1 once referenced, 0 before */
	uint16_t modlen;
	char text[]; /* virtual types only */
} mt_vrec;

/* The sink a visit function reports to: what it reported for the current
 * object, staged, so that nothing is written unless the whole visit was
 * valid (an id introduced must be written, so targets are interned only at
 * commit). */
typedef struct mt_pedge {
	int rel;
	uint64_t index;
	uint32_t name_off; /* in names, for ATTR/INTERATTR */
	uint32_t name_len;
	PyObject *target;
	mt_vrec *buf; /* a buffer edge instead of target */
} mt_pedge;

struct mt_plugin_sink {
	mt_walk *w;
	const mt_plugin *plugin;
	int failed;
	char why[200];
	int has_size, has_length, has_value;
	uint64_t size;
	int64_t length;
	char value[MT_PREVIEW_MAX];
	size_t value_len;
	mt_pedge *edges;
	size_t nedges, edges_cap;
	char *names;
	size_t names_len, names_cap;
	/* buffers by identity, and the virtual types by kind text */
	mt_vrec **bufs; /* open addressing, power of two */
	size_t nbufs, bufs_cap;
	mt_vrec **kinds;
	size_t nkinds, kinds_cap;
	/* pages known readable (probe cache), open addressing */
	uintptr_t *pages;
	size_t npages, pages_cap;
	int probe_fd[2]; /* pipe for the fallback probe, -1 if none */
};

/* Initialises / frees a sink for one dump. */
void mt_sink_init(mt_plugin_sink *s, mt_walk *w);
void mt_sink_destroy(mt_plugin_sink *s);
/* Runs plugin row r on o: returns 1 when the visit was valid (its edges
 * are in the walk, *ob and *size set from what it reported), 0 when the
 * plugin failed (it is disabled, with a warning; nothing was written). */
int mt_sink_visit(mt_plugin_sink *s, const mt_prow *r, PyObject *o, mt_obj *ob,
		  size_t *size, int *has_size);
/* Fills the record of a virtual object (tag MT_REF_VREC). */
void mt_sink_vobject(mt_plugin_sink *s, mt_vrec *v, mt_obj *ob);

/* ---- the walk's shared state --------------------------------------------- */

/* What the walk knows about one type (per dump, by address). */
typedef struct mt_typeinfo {
	PyTypeObject *tp;
	const mt_kind *row;  /* built-in kind of the nearest modelled base */
	PyTypeObject *base;  /* that base (NULL: no modelled base)         */
	const mt_prow *prow; /* plugin row of a nearer level, or NULL      */
	uint8_t complete;    /* with row: no tp_traverse needed            */
	uint8_t pcomplete;   /* with prow: no tp_traverse needed           */
	uint8_t greenlet;    /* greenlet.greenlet or a subclass            */
	uint32_t mtype;	     /* mark walk: index in the builder's types;
				 dump with a mark: mt_mark_type */
	uint32_t tid1;	     /* the type object's id + 1 once interned */
	uint8_t gc;	     /* PyType_IS_GC(tp)                           */
	PyCFunction sizeof_fn; /* allowed C __sizeof__ to call, or NULL  */
} mt_typeinfo;

struct mt_walk {
	mt_writer *wr; /* NULL: a mark walk (mt_walk_mark), nothing written */
	mt_err *err;
	mt_status st;
	mt_objtable tab;
	mt_edge *edges;
	size_t nedges, edges_cap;
	uint64_t total_edges;
	uint64_t total_size; /* sum of the sizes of the objects written */
	uint32_t dict_name1; /* name index of "__dict__" + 1, 0: not yet  */
	/* cover set: PyObject addresses explained by named edges */
	uintptr_t *cover;
	size_t cover_cap; /* slots, power of two */
	size_t ncover;
	uint32_t *cover_log; /* the ncover used slots, to clear only them */
	uintptr_t *extra;    /* extra covers (inline values of a vdict) */
	size_t nextra, extra_cap;
	PyObject *vdict_owner; /* object whose inline values are covers */
	int traverse_ordinal;
	PyObject *traverse_self;
	const volatile sig_atomic_t *cancel; /* NULL: not cancellable */
	/* type cache: open addressing by type address, power of two */
	mt_typeinfo *types;
	size_t ntypes, types_cap;
	mt_dumpplugins *plugins; /* NULL: none */
	mt_plugin_sink sink;
	/* memtrack.mark(): a mark walk gathers into mb; a dump with a mark
	 * sets bit id of mbits for each object the mark has */
	struct mt_mark_builder *mb;
	const struct mt_mark *mark;
	uint8_t *mbits;
	size_t mbits_cap;
	/* bit id: a real object tracked by the GC (walk_rest's pass over the
	 * GC lists' links) */
	uint8_t *gcbits;
	size_t gcbits_cap;
	uint32_t cur_mtype; /* mtype of the object process_real did */
	char name[512];
	char v1[320], v2[320];
};

/* Edge helpers of walk.c used by kinds.c and plugsink.c. */
/* The name index of s[0..n) (interned by the writer; 0 in a mark walk). */
mt_status mt_walk_name(mt_walk *w, const char *s, size_t n, uint32_t *idx);
void mt_walk_fail(mt_walk *w, mt_status st, const char *what);
uint32_t mt_walk_ref_id(mt_walk *w, mt_ref r);
void mt_walk_push_edge(mt_walk *w, uint32_t target, mt_relation rel,
		       uint64_t label);
void mt_walk_edge_name_n(mt_walk *w, mt_relation rel, const char *name,
			 size_t n, mt_ref target);
/* The id of a virtual record, appended to the table when first referenced. */
uint32_t mt_walk_vrec_id(mt_walk *w, mt_vrec *v);

#endif
