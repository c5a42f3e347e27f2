/* The browser core: a stack of views over one loaded graph, driven by keys.
 *
 * An mt_browser owns the view stack (the back stack: each view keeps its
 * cursor, scroll, sort and filter), the query session (mt_query: `:`
 * expressions and the marks a..z), the dominance context built once per
 * session for the Retained column, and the last laid-out mt_screen.  It
 * talks to the terminal only through an mt_ui (ui.h): it never includes
 * curses or readline, so tests drive it with the headless ui.
 */
#ifndef MT_BROWSER_BROWSER_H
#define MT_BROWSER_BROWSER_H

#include <stdbool.h>

#include "memtrack/error.h"
#include "memtrack/graph.h"
#include "memtrack/savedidx.h"
#include "memtrack/strbuf.h"
#include "ui.h"

typedef struct mt_browser mt_browser;

enum { MT_RET_AUTO = 0, MT_RET_EXACT, MT_RET_BOUNDS };
/* MT_RET_AUTO's threshold: at 10M objects a page's exact figures take
 * about 0.3 s here, at 80M 1.2-4.5 s */
#define MT_RET_BOUNDS_FROM 10000000u
/* Bytes an object of freed big arrays kept for the next view's
 * (mt_big_keep), and made ahead while the user reads (browser.c,
 * prepare_memory): a whole heap's kinds and the page pass's masks at
 * most: 2 and 8 (2 and 4 for a page of at most 31 rows), or 4 and 8
 * past 65535 kinds, when 2 more are made fresh. */
#define MT_BROWSER_WARM 10u
/* Of those, bytes an object still kept while a new view's set is made
 * (view.c, trim_retained): its first page pass's masks (4 bytes an
 * object for at most 31 rows), whose pages would otherwise be zeroed by
 * the kernel inside the pass (0.35 s at 80M objects: a still screen
 * after `R`); the rest goes back, as the set's arrays come on top. */
#define MT_BROWSER_KEEP_NEW 4u

typedef struct mt_browser_opts {
	bool ascii;	  /* ASCII line drawing instead of UTF-8      */
	bool no_retained; /* never build the dominator tree (benches) */
	bool bytes;	  /* sizes in exact bytes, not kB MB (key B) */
	/* the Retained column of a partition (--retained): MT_RET_AUTO
	 * bounds first from MT_RET_BOUNDS_FROM objects on, else exact
	 * figures at once; MT_RET_BOUNDS: first every row's minimum
	 * retained size (a lower bound, shown with a ≥), then the exact
	 * figures while no key waits; MT_RET_EXACT: exact at once */
	int retained;
	/* The start screen's preview (preview.h): with preview_dump, the
	 * browser saves it beside that dump once its start view is complete,
	 * before any key (preview_key: the dump's key taken before its load;
	 * a failure only means no preview).  seed: a preview of this dump,
	 * whose Retained figures the start view's rows take instead of
	 * computing them (NULL: none). */
	const char *preview_dump;
	const mt_savedidx_key *preview_key;
	const struct mt_preview *seed;
	/* mt_browser_new_multi: the dumps' file names as given (borrowed
	 * until mt_browser_free; one per dump), for the comparison's
	 * header; NULL: none shown. */
	const char *const *files;
	/* Saved indexes (mt_ctx_use_saved_index): per dump in the order of
	 * the graphs, its path (NULL: none for that dump) and its key taken
	 * before the load (both borrowed for the constructor's call); NULL:
	 * no saved index. */
	const char *const *index_dumps;
	const mt_savedidx_key *index_keys;
} mt_browser_opts;

/* A browser over g (borrowed until mt_browser_free) drawing through ui
 * (borrowed too), opened on the whole heap partitioned by class / dict
 * owner.  opts may be NULL.  Caller frees. */
mt_status mt_browser_new(mt_browser **out, const mt_graph *g, mt_ui *ui,
			 const mt_browser_opts *opts, mt_err *err);
void mt_browser_free(mt_browser *b); /* b may be NULL */
/* A browser comparing dumps gs[0..n) (borrowed), in the order given on
 * the command line: n == 2 OLD NEW (side by side), n == 3 A B C (the leak
 * candidates of memlab's rule, and A against C).  n == 1 is
 * mt_browser_new. */
mt_status mt_browser_new_multi(mt_browser **out, const mt_graph *const *gs,
			       size_t n, mt_ui *ui,
			       const mt_browser_opts *opts, mt_err *err);

/* A browser over a series file s (series.h: a process log or a tracker
 * stats document; s and path borrowed until mt_browser_free): a log
 * opens on its timeline, stats on print_summary per snapshot.  path:
 * the file as given (its name in the header; a dump marker's relative
 * path is relative to its directory).  No dump, no query session: `:`
 * only saves the screen.  Caller frees. */
struct mt_series;
mt_status mt_browser_new_series(mt_browser **out, const struct mt_series *s,
				const char *path, mt_ui *ui,
				const mt_browser_opts *opts, mt_err *err);

/* Lays the screen out and draws it; then computes the Retained sizes still
 * missing on screen (long work through ui->progress) and draws again. */
void mt_browser_draw(mt_browser *b);
/* Handles one key.  Returns false once the browser wants to quit. */
bool mt_browser_key(mt_browser *b, int key);
/* draw, then getkey/key/draw until quit or MT_KEY_EOF. */
void mt_browser_run(mt_browser *b);

/* The screen last drawn, borrowed until the next draw. */
const mt_screen *mt_browser_screen(const mt_browser *b);
/* The screen as text: each line with trailing blanks removed and '\n'. */
mt_status mt_screen_text(const mt_screen *s, mt_strbuf *out);

/* Appends s[0..n) to out as the browser shows text from a dump: every
 * control character (C0, DEL, C1: ESC, BEL, CSI...) and every byte that is
 * not valid UTF-8 becomes '?', except the single-byte characters listed in
 * keep (e.g. "\n").  For every front end that prints dump text to a
 * terminal (the browser's screens, memtrack-tui --batch).  MT_NOMEM when
 * out could not grow. */
mt_status mt_browser_escape(mt_strbuf *out, const char *s, size_t n,
			    const char *keep);

/* The browser's title line for dump g whose objects total `total` bytes:
 * "prog  pid N  54,339 objects  6.60 MB (17% of RSS 38.5 MB)  Python
 * 3.11.7  2026-11-22 03:39Z" (the RSS share when the dump has an RSS;
 * exact bytes when bytes); no newline.  Also --batch --human's first
 * line. */
mt_status mt_browser_title(const mt_graph *g, uint64_t total, bool bytes,
			   mt_strbuf *out);

/* Number of views on the stack (1 at start). */
size_t mt_browser_depth(const mt_browser *b);

#endif
