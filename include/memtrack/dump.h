/* The memtrack dump format, version 1: shared definitions.
 *
 * A dump is a sequence of msgpack values (see doc/format.md for the full
 * specification): magic string, format version, header map, then records
 * (NAME, ROOTS, OBJECT ...), then one END record with counts and a checksum.
 *
 * Objects have dense uint32 ids 0..N-1 in record order.  References (an
 * object's type, edge targets, dict-key labels) are written relative to a
 * running counter `hi` (one past the highest id introduced so far): code 0
 * introduces the id `hi` (then hi++), code c >= 1 means the id hi - c.  An
 * object record whose id equals hi introduces itself.  So every id is known
 * to exist by the time it is used, and a reader checks that each reference
 * is below hi and that the END record's count equals hi.
 *
 * This header holds only plain data (no Python, no curses): relation codes,
 * value kinds, object/edge structs and the header struct used by both the
 * writer (capture) and the reader (loader).
 */
#ifndef MEMTRACK_DUMP_H
#define MEMTRACK_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MT_DUMP_MAGIC "memtrack-dump"
#define MT_DUMP_MAGIC_LEN 13
#define MT_DUMP_VERSION 1

/* Record tags (first element of every record array). */
enum {
	MT_REC_NAME = 1,   /* [1, str]                  appends to name table */
	MT_REC_ROOTS = 2,  /* [2, edges...]             edges of the root     */
	MT_REC_OBJECT = 3, /* [3, type, size, addr, refcnt, length, value,
			      edges...]; type nil = the previous object's */
	MT_REC_END = 4,	   /* [4, objects, edges, names, reachable, checksum] */
	MT_REC_WARNING = 5, /* [5, str]  something the capture could not do
			      (e.g. a plugin it disabled); any number, after
			      the header and before END */
	MT_REC_MARK = 6,    /* [6, nbits, bin]  memtrack.mark(): bit i (byte
			      i / 8, bit i % 8) set when object i existed at
			      the mark; at most once, after the last OBJECT,
			      nbits = the object count; with header mark_time */
	MT_REC_SITES = 7    /* [7, files, sites, bin]  allocation sites
			      (tracemalloc): files = array of str, sites =
			      array of uint, (file index, line) per site,
			      bin = one unsigned LEB128 per object, 0 = no
			      known site, k = site k (1-based); at most once,
			      after the last OBJECT */
};

/* Relation (edge kind): the one table of relations.  Adding one is a row
 * here (with its tests, doc/hacking.md "Add a relation kind"); the writer,
 * the reader, the path texts (reltext.c) and the path order read it.
 *   X(NAME, code, name, label kind, order, text)
 * code: written in dumps, part of the format; never renumber.
 * label kind: what the edge's label is (MT_LABEL_*).
 * order: heapy's relation code, which orders the steps of shortest paths
 *   (-1: after every known one).
 * text: how the edge prints, heapy style: %s is the source expression,
 *   %l the label (an integer, a name, or the key's repr for a REF), %r a
 *   NAME label with repr().  OTHER: an edge that a type's tp_traverse
 *   visited but that memtrack cannot name (label: its ordinal); ROOT: only
 *   from the root. */
#define MT_RELATION_LIST(X)                                                    \
	X(ATTR, 1, "attr", MT_LABEL_NAME, 1, "%s.%l")                          \
	X(INDEX, 2, "index", MT_LABEL_INT, 2, "%s[%l]")                        \
	X(KEYVAL, 3, "keyval", MT_LABEL_REF, 2, "%s[%l]")                      \
	X(KEY, 4, "key", MT_LABEL_INT, 3, "%s.keys()[%l]")                     \
	X(INTERATTR, 5, "interattr", MT_LABEL_NAME, 4, "%s->%l")               \
	X(LOCAL, 6, "local", MT_LABEL_NAME, 6, "%s.f_locals[%r]")              \
	X(CELL, 7, "cell", MT_LABEL_NAME, 7, "%s.f_locals [%r]")               \
	X(STACK, 8, "stack", MT_LABEL_INT, 8, "%s->f_valuestack[%l]")          \
	X(INSET, 9, "inset", MT_LABEL_INT, 9, "list(%s)[%l]")                  \
	X(ROOT, 10, "root", MT_LABEL_NAME, 1, "hp.Root.%l")                    \
	X(OTHER, 11, "other", MT_LABEL_INT, -1, "%s.??")

typedef enum {
	MT_LABEL_INT = 0,  /* label is a non-negative integer            */
	MT_LABEL_NAME = 1, /* label is an index into the name table      */
	MT_LABEL_REF = 2   /* label is an object id (written as a ref)   */
} mt_label_kind;

typedef enum {
#define MT_REL_ENUM_(name, code, ...) MT_REL_##name = code,
	MT_RELATION_LIST(MT_REL_ENUM_)
#undef MT_REL_ENUM_
/* the codes are 1..MT_REL_MAX_, one per row */
#define MT_REL_ONE_(...) +1
	MT_REL_MAX_ = 0 MT_RELATION_LIST(MT_REL_ONE_)
#undef MT_REL_ONE_
} mt_relation;

/* Name of a relation ("attr"...), or NULL for an unknown code. */
const char *mt_relation_name(unsigned code);
/* Label kind of a relation code; returns -1 for an unknown code. */
int mt_relation_label_kind(unsigned code);
/* Heapy's order of a relation in paths; -1 for OTHER and unknown codes. */
int mt_relation_order(unsigned code);
/* The text template of a relation (MT_RELATION_LIST), or NULL for an
 * unknown code (a reader prints those "%s.??"). */
const char *mt_relation_text(unsigned code);

typedef struct mt_edge {
	uint32_t target; /* object id                                        */
	uint8_t rel;     /* mt_relation                                      */
	uint64_t label;  /* integer, name index or object id, per relation   */
} mt_edge;

/* Kinds of the `value` field of an object record. */
typedef enum {
	MT_VAL_NONE = 0,  /* nil                                             */
	MT_VAL_STR,       /* str: utf-8 text (maybe truncated, see length)   */
	MT_VAL_BYTES,     /* bin: raw bytes (maybe truncated)                */
	MT_VAL_INT,       /* int: i                                          */
	MT_VAL_FLOAT,     /* float64: d                                      */
	MT_VAL_BOOL,      /* true/false: i                                   */
	MT_VAL_QUALNAME,  /* [module str, qualname str]: types               */
	MT_VAL_CODE       /* [filename str, firstlineno int, name str]       */
} mt_value_kind;

/* Longest value preview the capture writes, in bytes. */
#define MT_PREVIEW_MAX 64

typedef struct mt_value {
	mt_value_kind kind;
	const char *s; /* STR/BYTES text, QUALNAME module, CODE filename   */
	uint32_t slen;
	const char *s2; /* QUALNAME qualname, CODE name                     */
	uint32_t s2len;
	int64_t i; /* INT value, BOOL 0/1, CODE firstlineno            */
	double d;  /* FLOAT value                                      */
} mt_value;

/* MT_NO_LENGTH in mt_obj.length: the object has no length. */
#define MT_NO_LENGTH INT64_MIN

typedef struct mt_obj {
	uint32_t type;   /* object id of the object's type                  */
	uint64_t size;   /* bytes, sys.getsizeof semantics (doc/format.md)  */
	uint64_t addr;   /* address; 0 = virtual object (no PyObject)       */
	uint64_t refcnt; /* ob_refcnt; 0 for virtual objects                */
	int64_t length;  /* len() for containers/str/bytes, or MT_NO_LENGTH */
	mt_value value;
} mt_obj;

/* One thread of the captured interpreter (header key `threads`): its id
 * (threading.get_ident()) and the name of its threading.Thread, NULL when
 * it has none (a thread started by _thread or C code) or the dump is older
 * than the key. */
typedef struct mt_thread_name {
	uint64_t id;
	const char *name;
} mt_thread_name;

/* The header map, decoded.  Strings are NUL-terminated; who owns them is
 * said by the function that fills the struct. */
typedef struct mt_header {
	unsigned format_version;
	const char *memtrack_version;
	const char *python_version; /* sys.version                         */
	unsigned py_major, py_minor, py_micro;
	const char *implementation; /* "cpython"                           */
	const char *build;          /* e.g. "release" or "debug"           */
	const char *executable;     /* sys.executable                      */
	uint64_t pid;
	size_t argc;
	const char **argv;
	double time; /* seconds since the epoch, capture start */
	uint64_t rss, vms;   /* process memory at capture, bytes, 0 unknown */
	unsigned ptr_size;   /* sizeof(void *) of the captured process  */
	unsigned gc_header;  /* sizeof(PyGC_Head) added to GC objects    */
	bool collected;      /* gc.collect() ran before the walk         */
	/* Which process: the process start time (seconds since the epoch,
	 * from /proc: boot time + start ticks) and the kernel's boot id;
	 * with pid they tell two dumps of one process (diff.h).  0 / NULL
	 * in dumps written before these keys. */
	double start_time;
	const char *boot_id;
	/* memtrack.mark(): when the mark was set (seconds since the epoch),
	 * 0 when the dump has no mark; which objects existed then is the
	 * MARK record (mt_graph_marked). */
	double mark_time;
	size_t nthreads;     /* thread states, in the interpreter's order;
				0 in dumps written before `threads`    */
	const mt_thread_name *threads;
	/* WARNING records, in file order.  The reader fills them as it reads
	 * them (all are there once mt_reader_next returned MT_END). */
	size_t nwarnings;
	const char **warnings;
} mt_header;

#endif
