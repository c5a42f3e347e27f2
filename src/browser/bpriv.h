/* Private to the browser core (browser.c, keys.c, prompt.c, view*.c,
 * layout.c): the view stack and the rows views fill.
 *
 * A view is a struct bview: a set of objects (or none, for text views), the
 * expression that names it, and an array of rows (struct brow) filled by
 * its ops table (one file per view, view_*.c; view.c is what they share),
 * the way tig's views fill lines.  `vis` lists the
 * rows that pass the filter, in display order; `cur` and `top` index `vis`.
 * Invariants: cur < nvis unless nvis == 0 (then cur == 0); top <= cur.
 * Row labels may be rendered lazily (label == NULL until needed); retained
 * sizes are computed for the rows on screen only and cached in the row.
 * No curses here: layout.c turns a view into an mt_screen.
 */
#ifndef MT_BROWSER_BPRIV_H
#define MT_BROWSER_BPRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "browser.h"
#include "memtrack/ctx.h"
#include "memtrack/dominance.h"
#include "memtrack/partition.h"
#include "memtrack/query.h"
#include "memtrack/set.h"
#include "memtrack/strbuf.h"
#include "memtrack/util.h"
#include "ui.h"

enum { RET_UNKNOWN = 0, RET_KNOWN, RET_NONE, RET_BOUND };
enum { SORT_NATURAL = 0, SORT_SIZE, SORT_RETAINED, SORT_COUNT, SORT_LABEL };

typedef struct brow {
	char *label;	   /* malloc'd; NULL until rendered (lazy views) */
	uint64_t count, size, cumul, retained;
	uint32_t index;	   /* position in the natural order (expressions) */
	uint32_t obj;	   /* partition: kind; identity/inspector: object id
			      (MT_NO_ID: not an object) */
	unsigned ret : 2;  /* RET_* */
	unsigned marked : 1;
	unsigned nav : 1;  /* Enter opens something */
	unsigned all : 1;  /* the "all" row of a BV_ALL view: the whole view
			      (the rows shown, with a filter); always first */
} brow;

/* What a view can do: the key table (keys.c) offers a key, and its
 * status-line hint, only to views whose caps include the key's needs, so
 * no code tells views apart by name. */
enum {
	BV_SET = 1 << 0,      /* shows a set: re-partition, R F D P, marks  */
	BV_SORT = 1 << 1,     /* rows sort: s r a                          */
	BV_COUNT = 1 << 2,    /* rows have a Count column: #               */
	BV_RETAINED = 1 << 3, /* rows have a Retained column               */
	BV_KINDS = 1 << 4,    /* rows are the kinds of a classifier: a
				 row's set is its kind's members, Retained
				 is that set's dominated size              */
	BV_KEYS = 1 << 5,     /* the view lists the keys: ? and F1 stay    */
	BV_BY = 1 << 6,	      /* shows its set by res.er: that classifier's
				 key again is "already by"; row i is
				 mt_query_row(res, i)                      */
	BV_ALL = 1 << 7,      /* a first row "all" (brow.all) stands for the
				 whole view; the cursor starts on it       */
	BV_STOPS = 1 << 8,    /* the cursor stops only on the first row and
				 on rows that open something (Up, Down)    */
	BV_CMP = 1 << 9,      /* compares dumps (view_compare.c): the sort
				 keys sort by the absolute differences, the
				 row keys act on both sides (ops->by,
				 ops->follow), w x Tab apply             */
	BV_TIME = 1 << 10     /* a timeline (view_timeline.c): Left Right
				 move in time, V, Space marks a dump
				 marker (keys.c prefers such a row to
				 one of the same key the view cannot
				 take)                                   */
};

struct bview;
typedef struct view_ops {
	const char *name;  /* "partition", "identity", ...: for people
			      (doc, debugging), never compared */
	unsigned caps;	   /* BV_*                                   */
	const char *hint;  /* what Enter does, for the status line
			      ("open"); NULL: Enter opens nothing    */
	/* Renders row i's label when it is NULL (lazy views); may be NULL. */
	mt_status (*label)(mt_browser *b, struct bview *v, brow *r);
	/* The column header line after the 2-column gutter, and where the
	 * sort column's title is in it. */
	void (*columns)(mt_browser *b, struct bview *v, mt_strbuf *out,
			int sort, int *hl_start, int *hl_len);
	/* The text of a row after the gutter. */
	void (*row)(mt_browser *b, struct bview *v, brow *r, mt_strbuf *out);
	/* Enter on row r: opens a view or returns false (beep). */
	bool (*enter)(mt_browser *b, struct bview *v, brow *r);
	void (*destroy)(struct bview *v);
	/* Optional (NULL: the generic behaviour of view.c and keys.c), for
	 * views whose rows are not one set's (the comparison): */
	/* the row order of sort key `sort` (< 0: a first), 0 when equal */
	int (*cmp)(const struct bview *v, const brow *a, const brow *b,
		   int sort);
	/* whether row r passes the view's own filter (bv_refresh) */
	bool (*keep)(const struct bview *v, const brow *r);
	/* r's Retained figure (bv_retained) */
	mt_status (*retained)(mt_browser *b, struct bview *v, brow *r,
			      mt_err *err);
	/* the Retained figures of rows rs[0..n) (RET_UNKNOWN or RET_BOUND
	 * ones) at once, with the progress of bv_ret_progress; the rows it
	 * leaves RET_UNKNOWN go one by one (bv_retained).  With bound, lower
	 * bounds (RET_BOUND; RET_KNOWN where the bound is exact) of
	 * RET_UNKNOWN rows instead.  MT_CANCELLED when the progress was
	 * cancelled. */
	mt_status (*retained_page)(mt_browser *b, struct bview *v, brow **rs,
				   size_t n, bool bound, mt_err *err);
	/* the target by classifier cls (a partition key) */
	void (*by)(mt_browser *b, struct bview *v, const char *cls);
	/* attribute attr of the target (R F D P: "referrers", "referents",
	 * "dominos", "paths"), or of the whole view ("mine", key M) */
	void (*follow)(mt_browser *b, struct bview *v, const char *attr);
	/* the target as one set of the dump the view shows (m LETTER) */
	mt_status (*target)(mt_browser *b, struct bview *v, mt_qresult *out,
			    size_t *nmarked, mt_err *err);
	/* the title lines (ntitle of them, instead of the dump's title),
	 * then the expression line (i == ntitle), line i written to out */
	int ntitle;
	void (*title)(mt_browser *b, struct bview *v, int i, mt_strbuf *out);
} view_ops;

typedef struct bview {
	const view_ops *ops;
	mt_set *set;	    /* reference, or NULL (text views) */
	/* What the view shows, as the query layer gave it (kind SET; unset,
	 * kind 0, for text views): the set, its classifier res.er ("clodo",
	 * "id" for the identity table, "" for the inspector) and its
	 * expression ("h.byrcs"), from which rows, re-partitions and R F D
	 * P derive with mt_query_row / _by / _attr: the browser never
	 * spells query text. */
	mt_qresult res;
	char *expr;	    /* the set as line 1 shows it ("h.byrcs[0]") */
	char *crumb;	    /* this step of the breadcrumb */
	char *title;	    /* column title for the label column */
	mt_classifier *cls; /* partition: res.er's classifier (a reference:
			       the kinds below are its numbers) */
	uint32_t *kinds;    /* partition: kind of member j of set, made on
			       the first need of a row's set */
	uint16_t *kinds16;  /* the same as uint16 when every kind is below
			       65536 (kinds NULL then: half the memory) */
	brow *rows;
	size_t nrows;
	size_t *vis, nvis;
	size_t cur, top;
	int sort;
	bool rev;
	char *filter;
	uint64_t total_count, total_size;
	uint32_t obj;	    /* inspector: the object */
	size_t split;	    /* inspector: first row of the referrers */
	void *priv;	    /* the view's own data (view_paths.c), freed by
			       its ops->destroy */
	int side;	    /* the dump it shows: b->side[side] (0 with one
			       dump) */
} bview;

/* A dump of a comparison (mt_browser_new_multi): side[0..nside) in the
 * command line's order; the last is the browser's own (its session b->q
 * names it `h`, the others `h0`, `h1`).  The fields the browser's views
 * read of their dump (g, ctx, clodo, dom_state, heap_size) are copied in
 * and out of mt_browser by bv_use_side. */
typedef struct bside {
	const mt_graph *g;
	mt_ctx *ctx;
	mt_query *q;	      /* its own session (h0's for b->q)         */
	mt_classifier *clodo; /* reference, or NULL                      */
	int dom_state;
	uint64_t heap_size;
	const char *file;     /* as given, or NULL                       */
	char name[8];	      /* "h0", "h1", "h": in b->q's expressions  */
} bside;

struct mt_browser {
	const mt_graph *g;
	mt_ui *ui;
	mt_browser_opts opts;
	mt_ctx *ctx; /* the dump's context: classifiers, dominator tree,
			dominance; its progress is the ui's */
	mt_query *q; /* the query session over ctx (marks, `:`) */
	mt_classifier *clodo; /* for kind labels (a reference) */
	int dom_state; /* 0 not asked, 1 built, 2 cancelled, 3 failed */
	bool quiet;    /* work on a small set: no progress (bv_quiet) */
	bview **stack;
	size_t depth, cap;
	char *search;
	bool live;	  /* in the live search prompt: the last row is the
			     prompt's, the status line goes above it */
	char *msg;	  /* one-shot status message */
	bool msg_err;
	/* the contexts whose saved-index note was shown (browser.c) */
	const mt_ctx *idx_noted[3];
	bool quit;
	bool ret_paused;  /* Retained cancelled: wait for `r` */
	size_t keys_seen; /* keys handled so far */
	bool preview_done; /* the start screen saved, or not to be */
	bool seeded;	   /* the start's figures from a preview */
	bool ret_idle;	  /* the exact figures after bounds: ui->idle */
	bool ret_yielded; /* ... which stopped for a key */
	int pending;	  /* a prefix key waiting for its argument ('m') */
	mt_screen screen; /* the last laid-out screen */
	int rows, cols;
	uint64_t heap_size; /* sum of all sizes */
	mt_strbuf tmp;
	/* comparing dumps (nside 0: one dump) */
	bside side[3];
	size_t nside;
	int cur;	       /* the side whose fields g, ctx... are in b   */
	struct mt_match *match[3]; /* side i (i < nside - 1) to the last;
				     NULL without identity                   */
	struct mt_match *ab;	   /* three dumps: A to B                    */
	const char *why;	   /* why there is no identity (static)      */
	/* W: the other view to start from (three dumps: A against C; a
	 * mark: the whole heap); NULL: none */
	mt_status (*alt)(mt_browser *b, mt_err *err);
	const char *alt_crumb;
	int cmp_layout; /* w: 0 by the width (two panes at 120 columns or
			   more), 1 two panes, 2 one table */
	/* a browser of a series file (mt_browser_new_series: g, ctx and q
	 * are NULL): line 0 of the views without title lines of their own
	 * (malloc'd); NULL for dumps */
	char *title;
};

/* browser.c */
/* Makes side i's dump the one b's views read (g, ctx, clodo...); nothing
 * with one dump.  bv_side_of: the side of a result (its `of` session). */
void bv_use_side(mt_browser *b, int i);
int bv_side_of(const mt_browser *b, const mt_qresult *res);
/* The one-shot status message; an error is drawn as one. */
void bv_msg(mt_browser *b, bool error, const char *text);
/* "error: [what: ]reason" from a failed action ("cancelled" for
 * MT_CANCELLED). */
void bv_err(mt_browser *b, const char *what, const mt_err *err);
/* Whether a row of vis[from..to) still lacks its Retained figure (and
 * one can be had); computing them (long work): false if cancelled or
 * failed. */
bool bv_missing_retained(mt_browser *b, bview *v, size_t from, size_t to);
/* How: RC_EXACT every missing figure, bounds replaced; RC_BOUNDS bounds
 * for the views that make them (retained_page), nothing for the rest
 * yet; RC_IDLE as RC_EXACT but stopping quietly for a key (false then,
 * with b->ret_yielded). */
enum { RC_EXACT, RC_BOUNDS, RC_IDLE };
bool bv_compute_retained(mt_browser *b, bview *v, size_t from, size_t to,
			 int how);
/* Whether the Retained column of view v starts with bounds (the
 * --retained mode, the dump's size). */
bool bv_use_bounds(const mt_browser *b, const bview *v);
/* The progress of the Retained figures (label), ui->idle under
 * RC_IDLE: true to stop. */
bool bv_ret_progress(mt_browser *b, const char *label, uint64_t done,
		     uint64_t total);

/* No progress for the context's work on a set of n objects when n is
 * small (0: progress again). */
void bv_quiet(mt_browser *b, size_t n);

/* keys.c: the key table */
/* The help view's text (malloc'd): every key by section. */
char *bk_help_text(void);
/* The request key runs ("move-down"; "by-NAME" for a partition key,
 * written into buf[0..n)), or NULL when the key is unbound. */
const char *bk_request(int key, char *buf, size_t n);
/* Appends the status-line hints of view v: the keys that matter there. */
void bk_hints(const bview *v, mt_strbuf *out);
/* Appends what the row keys (re-partition, R F D P, ...) act on now in
 * view v, for the status line: e.g. "on row 3: dict of Foo", "on 2 marked
 * rows", "on the whole view"; appends nothing for views without a set. */
void bk_target(mt_browser *b, bview *v, mt_strbuf *out);

/* prompt.c: handlers of the key table that read a line */
void bk_search(mt_browser *b, bview *v, int arg);
void bk_search_next(mt_browser *b, bview *v, int dir);
void bk_filter(mt_browser *b, bview *v, int arg);
void bk_prompt(mt_browser *b, bview *v, int arg);

/* focus.c: M, the view's set restricted to the program's objects
 * (`expr.mine`); M on such a view goes back. */
void bk_mine(mt_browser *b, bview *v, int arg);

/* view.c: the view infrastructure */
bview *bv_top(mt_browser *b);
/* A new view of result res (copied: its references are taken; NULL for
 * a text view) shown as expr; bv_push puts it on the stack (the browser
 * owns it then). */
bview *bv_new(const view_ops *ops, const mt_qresult *res, const char *expr,
	      const char *crumb);
void bv_push(mt_browser *b, bview *v);
void bv_free(bview *v);
/* Rebuilds vis from the filter and the sort; keeps the selected row. */
mt_status bv_refresh(mt_browser *b, bview *v, mt_err *err);
/* The set of row r of a partition view / the object of other views; of
 * the "all" row, the whole view (the union of the rows shown). */
mt_status bv_row_set(mt_browser *b, bview *v, const brow *r, mt_set **out,
		     mt_err *err);
/* What the row keys (re-partition, R F D P, m) act on in view v: the
 * union of the marked rows when some are marked, else the row under the
 * cursor, else (the "all" row, an information row) the whole view: the
 * rows shown when a filter hides some.  *out as the query layer derives
 * it (set, classifier, expression; several rows: `A | B`); *nmarked: the
 * marked rows taken (0: none).  Caller destroys *out on MT_OK. */
mt_status bv_target(mt_browser *b, bview *v, mt_qresult *out,
		    size_t *nmarked, mt_err *err);
/* The union of the rows shown (not the "all" row) as bv_target makes
 * it; MT_RANGE when none is. */
mt_status bv_shown(mt_browser *b, bview *v, mt_qresult *out, mt_err *err);
/* Object id of the dump b shows now, alone, as the query layer names it:
 * `h & hp.Id(A)` (`h0 & hp.Id(A)` for an object of OLD: of set). */
mt_status bv_query_object(mt_browser *b, uint32_t id, mt_qresult *out,
			  mt_err *err);
/* ids[0..n) of the dump b shows now bound to `name` in b->q (with
 * their dump: mt_query_bind_set_of) and evaluated there: views that open
 * objects they found (paths) name them so the prompt can use them. */
mt_status bv_bind_ids(mt_browser *b, const char *name, const uint32_t *ids,
		      size_t n, mt_qresult *out, mt_err *err);
/* Opens ids[0..n) (n >= 1) of the dump b shows now: one object in the
 * inspector, several as a set bound to `name` (bv_bind_ids), saying so
 * on the status line. */
mt_status bv_open_ids(mt_browser *b, const char *name, const uint32_t *ids,
		      size_t n, const char *crumb, mt_err *err);
/* The row bv_target takes when nothing is marked (NULL: the whole view
 * as it opened, no row and no filter). */
brow *bv_target_row(bview *v);
/* The "all" row's Retained figure is stale (the filter changed). */
void bv_all_reset(bview *v);
/* The Index cell of row r: "%6u", or "all" for the "all" row. */
void bv_fmt_index(const brow *r, char *buf, size_t n);
/* Renders r's label if it is still NULL. */
const char *bv_label(mt_browser *b, bview *v, brow *r);
/* v->kinds (partition views) when not made yet: the kind of every member
 * of v->set by v->cls, with the context's progress unless the set is
 * small. */
mt_status bv_kinds(mt_browser *b, bview *v, mt_err *err);
/* Computes the retained size of r when possible (dominance built). */
mt_status bv_retained(mt_browser *b, bview *v, brow *r, mt_err *err);
/* The retained size of one object; false when there is no dominator tree
 * (cancelled, failed, or --no-retained). */
bool bv_obj_retained(mt_browser *b, uint32_t obj, uint64_t *out);
/* The dominance context of the dump (borrowed), built on first need
 * (long work); NULL when cancelled (until `r` asks again), failed or
 * --no-retained. */
mt_dominance *bv_dominance(mt_browser *b);
/* The clodo label of object id ("" when it cannot be had); borrowed until
 * the next call. */
const char *bv_kind_label(mt_browser *b, uint32_t id);
/* Appends "kind representation" of object id. */
mt_status bv_brief(mt_browser *b, uint32_t id, mt_strbuf *out);
/* Column pieces: underlines the column of `sort` in the header written
 * from byte `from` of out (the label column: title); the Retained cell. */
void bv_hl_sort(const mt_strbuf *out, size_t from, int sort,
		const char *title, int *hs, int *hl);
void bv_fmt_retained(const brow *r, char *buf, size_t n);
/* A new zeroed row at the end of v->rows (capacity *cap), not an object
 * (obj MT_NO_ID, Retained none); bv_info_row: one with text only. */
brow *bv_add_row(bview *v, size_t *cap);
void bv_info_row(bview *v, size_t *cap, const char *text);
/* The application dies on OOM (util.h, mt_x*): never NULL. */
char *bv_printf(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* one file per view: each opens its view on top of the stack */
/* bv_open_set: result res (borrowed for the call) as its classifier
 * shows it: the identity table for "id", else a partition; a single
 * object in the inspector when inspect.  expr: line 1 (NULL: res.expr). */
mt_status bv_open_set(mt_browser *b, const mt_qresult *res, const char *expr,
		      const char *crumb, bool inspect, mt_err *err);
/* view_partition.c */
mt_status bv_open_partition(mt_browser *b, const mt_qresult *res,
			    const char *expr, const char *crumb, mt_err *err);
/* view_identity.c */
mt_status bv_open_identity(mt_browser *b, const mt_qresult *res,
			   const char *expr, const char *crumb, mt_err *err);
/* view_inspector.c: object obj; res (may be NULL) names it */
mt_status bv_open_inspector(mt_browser *b, uint32_t obj,
			    const mt_qresult *res, const char *crumb,
			    mt_err *err);
/* view_paths.c: the shortest paths from the roots to set (borrowed for
 * the call), named expr (line 1: "h.byrcs[3].sp"), one row per group of
 * identical paths, each followed by a row per step; Enter opens the
 * objects at the end of a group's paths or at the step under the cursor.
 * crumb: this step of the breadcrumb. */
mt_status bv_open_paths(mt_browser *b, const mt_set *set, const char *expr,
			const char *crumb, mt_err *err);
/* view_cpaths.c: key P in a comparison: the shortest paths from the
 * roots to old_set (a set of session oq's dump, OLD) and to new_set (b's
 * own dump, NEW), one row per group of identical paths as view_paths.c
 * shows them, each group marked new, grew, shrank or gone (memlab).
 * expr: line 1; crumb: this step of the breadcrumb. */
mt_status bv_open_cpaths(mt_browser *b, mt_query *oq, const mt_set *old_set,
			 const mt_set *new_set, const char *expr,
			 const char *crumb, mt_err *err);
/* view_compare.c: the comparison of old (a result of side `oside`) and
 * new_ (b's own dump), aligned by the classifier of new_ (res.er), as a
 * view (two panes OLD | NEW at 120 columns or more, else one table);
 * either may have kind 0 (an empty side: the kind is absent there).
 * expr: line 1 (NULL: "OLD ⇄ NEW" of their expressions). */
mt_status bv_open_compare(mt_browser *b, int oside, const mt_qresult *old,
			  const mt_qresult *new_, const char *expr,
			  const char *crumb, mt_err *err);
/* keys of the comparison: w layout, x hide unchanged rows, Tab focus */
void bk_cmp_layout(mt_browser *b, bview *v, int arg);
void bk_cmp_hide(mt_browser *b, bview *v, int arg);
void bk_cmp_focus(mt_browser *b, bview *v, int arg);
/* W: the other start view (b->alt); W on it goes back */
void bk_whole(mt_browser *b, bview *v, int arg);
/* Opens the first view of a comparison browser (browser.c). */
mt_status bv_open_multi(mt_browser *b, mt_err *err);
/* view_timeline.c: a process log (s and file borrowed until the browser
 * is freed): the chart of RSS over time above its samples; Enter on dump
 * markers opens them (one; two or three: their comparison). */
struct mt_series;
mt_status bv_open_timeline(mt_browser *b, const struct mt_series *s,
			   const char *file, mt_err *err);
/* keys of the timeline (BV_TIME): Left Right a column of the chart back
 * or on (arg -1, 1), V RSS / VMS, Space marks a dump marker */
void bk_time_move(mt_browser *b, bview *v, int dir);
void bk_chart_vms(mt_browser *b, bview *v, int arg);
void bk_mark_dump(mt_browser *b, bview *v, int arg);
/* view_tracker.c: a tracker stats document (borrowed as above):
 * print_summary per snapshot under the chart of the class under the
 * cursor and the RSS; Enter: a class's instances, then one instance. */
mt_status bv_open_tracker(mt_browser *b, const struct mt_series *s,
			  const char *file, mt_err *err);
/* The chart pieces (view_timeline.c) of the series views: a step chart
 * of values v[0..n) (MT_SERIES_NA: none) at times t[0..n) (ascending)
 * over the time axis t0..t1, the whole width after an 8-cell label and
 * the axis; block cells (eighths of a cell), ASCII with b->opts.ascii. */
typedef struct bchart {
	double t0, t1;
	const double *t;
	const int64_t *v;
	size_t n;
	int height;	   /* rows of the area */
	bool has_cursor;   /* a cursor at cursor_t (^ under the axis) */
	double cursor_t;
	const char *marks; /* n chars or NULL: 'L' label, 'D' dump, 'S'
			      snapshot (a tick), 0 none, on the axis */
	const char *name;  /* the series ("RSS"): the area's last label */
} bchart;
int bv_chart_width(const mt_browser *b); /* cells of the area */
int bv_chart_col(const mt_browser *b, const bchart *c, double t);
/* row 0..height-1 of the area; the axis with the marks; the line of the
 * start, the end and the cursor; one line of levels (c->name first) */
void bv_chart_area(mt_browser *b, const bchart *c, int row, mt_strbuf *o);
void bv_chart_axis(mt_browser *b, const bchart *c, mt_strbuf *o);
void bv_chart_times(mt_browser *b, const bchart *c, mt_strbuf *o);
void bv_chart_strip(mt_browser *b, const bchart *c, mt_strbuf *o);
/* The last `cells` values of v[0..n) as one line of levels, padded. */
void bv_spark(mt_browser *b, const int64_t *v, size_t n, size_t cells,
	      mt_strbuf *o);
/* "25.0ms" (under 0.1 s), "1.25s", "12.5s", "3m05s", "2h10m"
 * (negative: "-1.00s"). */
void bv_fmt_dur(char *buf, size_t n, double seconds);
/* A signed size difference: "+1.20 MB", "-48 B", "0 B" (B: bytes). */
void bv_fmt_delta(const mt_browser *b, char *buf, size_t n, int64_t d);
/* "prog  pid N" of a series file. */
void bv_series_who(const struct mt_series *s, mt_strbuf *o);

/* view_text.c */
mt_status bv_open_text(mt_browser *b, const char *text, const char *title,
		       const char *expr, const char *crumb, mt_err *err);
mt_status bv_open_help(mt_browser *b, mt_err *err);

/* layout.c */
int bv_page(const mt_browser *b); /* rows of the list area */
void bv_layout(mt_browser *b);
/* Display cells of UTF-8 text; appends text cut to at most `cells` cells
 * (padded with spaces to exactly `cells` when pad). */
size_t bv_width(const char *s);
void bv_fit(mt_strbuf *out, const char *s, size_t cells, bool pad);
void bv_screen_free(mt_screen *s);
/* A size as the browser shows it now: "16.1 MB" (mt_fmt_size), or the
 * exact bytes "16140000" with --bytes / key B (b->opts.bytes); the
 * Retained cell of r the same way (9 cells: the size, "-" or "..."). */
const char *bv_size(const mt_browser *b, char *buf, size_t n,
		    uint64_t bytes);
void bv_fmt_ret(const mt_browser *b, const brow *r, char *buf, size_t n);
/* A total for the header lines: "16.1 MB", or "16,140,000 bytes". */
const char *bv_total(const mt_browser *b, char *buf, size_t n,
		     uint64_t bytes);
/* Narrow terminals: the first of the view's n column layouts (widest
 * first; prefix[i]: cells before the label, gutter excluded) that leaves
 * the label column the view's longest label (at most 40 cells), else the
 * last.  bv_put_label appends r's label cut to avail cells with an
 * ellipsis in the middle, never to the text of another row on screen. */
int bv_narrow(mt_browser *b, bview *v, const size_t *prefix, int n);
void bv_put_label(mt_browser *b, bview *v, brow *r, mt_strbuf *out,
		  size_t avail);
/* Key B: exact bytes <-> human units. */
void bk_units(mt_browser *b, bview *v, int arg);

#endif
