/* Series files: memory over time, loaded into flat arrays.
 *
 * Two JSON files describe a process over time (doc/report.md, "Formats"):
 * a process log (JSON lines written by memtrack.ProcessLog: one sample per
 * line, the first line carrying "memtrack_log": 1) and a tracker stats
 * document (one JSON object written by Stats.dump_stats, "memtrack_stats":
 * 1, with snapshots, tracked objects and optionally process samples).  An
 * mt_series holds either, parsed once into arrays of plain structs indexed
 * by uint32_t; every string it points to lives in the series' own arena
 * and is freed with it.  Nothing here prints: a parse error is an mt_err
 * whose offset is the byte and whose detail starts with "line N" (the
 * file's line, 1-based); a log whose last line is incomplete (a killed
 * writer) loads without it and says so in the series' warning.
 *
 * Numbers absent from the file (null, or a key the writer left out) are
 * MT_SERIES_NA (sizes, counts) or a negative time/CPU value: sizes, counts
 * and times in these files are never negative.
 */
#ifndef MEMTRACK_SERIES_H
#define MEMTRACK_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtrack/error.h"

/* An absent integer (null or missing in the file). */
#define MT_SERIES_NA INT64_MIN

/* What a file is, from its first bytes (mt_series_sniff). */
typedef enum {
	MT_FILE_UNKNOWN = 0, /* none of these */
	MT_FILE_DUMP,	     /* a memtrack heap dump (reader.h) */
	MT_FILE_LOG,	     /* a process log (JSON lines) */
	MT_FILE_STATS,	     /* a tracker stats document */
} mt_file_kind;

/* One process sample: a log line, or an element of a stats "log". */
typedef struct mt_series_sample {
	double t;	   /* Unix time, seconds */
	int64_t rss;	   /* bytes, or MT_SERIES_NA */
	int64_t vms;	   /* bytes, or MT_SERIES_NA */
	int64_t peak_rss;  /* bytes (VmHWM), or MT_SERIES_NA */
	int64_t minflt;	   /* minor page faults so far, or MT_SERIES_NA */
	int64_t majflt;	   /* major page faults so far, or MT_SERIES_NA */
	double cpu_user;   /* seconds of user CPU so far, or -1 */
	double cpu_sys;	   /* seconds of system CPU so far, or -1 */
	const char *label; /* log.label(text), or NULL */
	const char *dump;  /* path of a dump taken here, or NULL */
	uint32_t line;	   /* line of the log (1-based), 0 in a stats file */
} mt_series_sample;

/* One class in one snapshot (the stats document's classes[name]). */
typedef struct mt_series_cstat {
	uint32_t cls;	/* index into mt_series.classes */
	int64_t sum;	/* bytes of its instances at the snapshot */
	double avg;	/* sum / active (0 when none active) */
	int64_t active; /* instances alive at the snapshot */
	double pct;	/* percent, as pympler's annotate computes it */
} mt_series_cstat;

/* One snapshot of a tracker. */
typedef struct mt_series_snapshot {
	double t;
	const char *desc;      /* "" when none */
	int64_t tracked_total; /* bytes */
	int64_t asizeof_total; /* bytes, or MT_SERIES_NA (null) */
	int64_t rss, vms;      /* bytes, or MT_SERIES_NA */
	uint32_t first_cstat;  /* its classes: cstats[first_cstat..+ncstats) */
	uint32_t ncstats;      /* sorted by class index */
} mt_series_snapshot;

/* A frame of an instantiation trace (oldest first). */
typedef struct mt_series_frame {
	const char *file;
	int64_t line;
	const char *func;
} mt_series_frame;

/* An object's size at one time. */
typedef struct mt_series_size {
	double t;
	int64_t size; /* deep size, bytes */
	int64_t flat; /* flat size, bytes */
} mt_series_size;

/* A node of a referents tree (pympler's Asized), stored in preorder:
 * node i's children are i + 1 .. end - 1 at depth + 1 (the next sibling
 * of a child c is nodes[c].end). */
typedef struct mt_series_node {
	const char *name;
	int64_t size, flat;
	uint32_t depth; /* 0 for the tree's top level */
	uint32_t end;	/* index past this node's subtree */
} mt_series_node;

/* The referents of an object at one time: the forest
 * nodes[first_node .. first_node + nnodes), top-level nodes at depth 0. */
typedef struct mt_series_refs {
	double t;
	uint32_t first_node, nnodes;
} mt_series_refs;

/* A tracked object. */
typedef struct mt_series_object {
	uint64_t id;		       /* its address in the process */
	uint32_t cls;		       /* index into mt_series.classes */
	const char *name;	       /* "" when none */
	const char *repr;	       /* "" when none */
	double birth;		       /* Unix time */
	double death;		       /* Unix time, or -1 while alive (null) */
	int64_t level;		       /* resolution level */
	bool has_trace;		       /* false: "trace" was null or absent */
	uint32_t first_frame, nframes; /* frames[first..+n), oldest first */
	uint32_t first_size, nsizes;   /* sizes[first..+n), file order */
	uint32_t first_refs, nrefs;    /* refs[first..+n), file order */
} mt_series_object;

typedef struct mt_series {
	mt_file_kind kind; /* MT_FILE_LOG or MT_FILE_STATS */
	/* Header: the log's first line, or the stats document's keys. */
	int64_t pid;	   /* or MT_SERIES_NA */
	double interval;   /* the log's sampling interval, or -1 */
	const char **argv; /* argv[0..argc) */
	uint32_t argc;

	/* Process samples (a log's lines, a stats file's "log"). */
	mt_series_sample *samples;
	uint32_t nsamples;

	/* Tracker stats (empty for a log). */
	const char **classes; /* class names, sorted (strcmp), unique */
	uint32_t nclasses;
	mt_series_snapshot *snapshots; /* file order */
	uint32_t nsnapshots;
	mt_series_cstat *cstats;
	uint32_t ncstats;
	mt_series_object *objects; /* file order */
	uint32_t nobjects;
	mt_series_frame *frames;
	uint32_t nframes;
	mt_series_size *sizes;
	uint32_t nsizes;
	mt_series_refs *refs;
	uint32_t nrefs;
	mt_series_node *nodes;
	uint32_t nnodes;

	/* A warning about what was skipped ("line 12: incomplete last line
	 * ignored"), or "" */
	char warning[200];

	void *priv_; /* the string arena */
} mt_series;

/* Reads the first bytes of path and says what it is: a dump (its magic),
 * a log (the first line is a JSON object with "memtrack_log"), a stats
 * document (a JSON object whose first key is "memtrack_stats"), or
 * MT_FILE_UNKNOWN.  MT_IO (with sys_errno) when it cannot be read; MT_IO
 * without waiting when it is not a regular file (a FIFO, a directory...:
 * "PATH is a FIFO, not a regular file"). */
mt_status mt_series_sniff(const char *path, mt_file_kind *kind, mt_err *err);

/* The same on bytes already read (the file's first n bytes, or all of it). */
mt_file_kind mt_series_sniff_mem(const char *buf, size_t n);

/* Loads a log or a stats file into *out (caller's storage; on failure it
 * is left empty, nothing to free).  MT_MAGIC for any other file. */
mt_status mt_series_load(const char *path, mt_series *out, mt_err *err);

/* The same on a buffer (borrowed for the call only); kind says which
 * parser to use (MT_FILE_UNKNOWN: sniff it). */
mt_status mt_series_parse(const char *buf, size_t n, mt_file_kind kind,
			  mt_series *out, mt_err *err);

/* Frees what mt_series_load/parse allocated; s may be NULL or empty. */
void mt_series_destroy(mt_series *s);

/* Index of class name in s->classes, or UINT32_MAX. */
uint32_t mt_series_class(const mt_series *s, const char *name);

/* The class's stat in snapshot k, or NULL when the snapshot does not
 * list it. */
const mt_series_cstat *mt_series_cstat_of(const mt_series *s, uint32_t snap,
					  uint32_t cls);

/* ---- summaries (text, for --batch; written into a caller's buffer) ---- */

/* pympler's ConsoleStats.print_summary of a stats series, byte for byte:
 * "---- SUMMARY ---...", per snapshot a header line and a line per class
 * (all classes of the file, sorted), then 79 dashes.  The text is
 * malloc'd NUL-terminated into *text (caller frees). */
mt_status mt_series_print_summary(const mt_series *s, char **text, mt_err *err);

/* A log's (or a stats file's samples') summary: samples, duration,
 * min/peak/final RSS, a line per label and per dump marker with the RSS
 * there (doc/report.md shows it).  Malloc'd into *text. */
mt_status mt_series_log_summary(const mt_series *s, char **text, mt_err *err);

/* ---- the HTML report ---- */

/* Writes one self-contained HTML page on series[0..n) (logs and stats in
 * any mix) to path out: summary tables, each tracked class over time, the
 * per-snapshot distribution, the RSS timeline with its labels and dump
 * markers, as inline SVG (no script, no network, no external file).
 * names[i] is how the page names series[i] (a path; names or names[i] may
 * be NULL: not named).  Written to a temporary file in out's directory
 * (mode 0600: it holds reprs, like the stats file) and renamed over out;
 * on failure out is untouched and the temporary removed.  MT_IO with
 * sys_errno and the path in the detail. */
mt_status mt_report_html(const char *out, const mt_series *const *series,
			 const char *const *names, size_t n, mt_err *err);

/* The same page into a malloc'd NUL-terminated *html (caller frees). */
mt_status mt_report_html_text(const mt_series *const *series,
			      const char *const *names, size_t n, char **html,
			      mt_err *err);

/* pympler's pp(): "%4d     B" up to 1024, else "%7.2f KB" (MB, GB...)
 * in powers of 1024.  buf holds at least 16 bytes; returns buf. */
char *mt_series_pp(char *buf, size_t n, double bytes);

#endif
