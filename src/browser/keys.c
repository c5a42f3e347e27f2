/* The key table: one row per request, driving dispatch, the help view and
 * the status-line hints (tig's request table, tmux's cmd_entry).
 *
 * A row (struct bkey) names a request, lists its keys, says which views
 * it applies to by capability (BV_*, bpriv.h: the top view must have every
 * cap in `needs`, else the key beeps), gives one line of help in a help
 * section, its place in the status-line hints, and its handler.  The
 * partition keys (c t e v ...) are not rows here: they come from the
 * analysis layer's classifier table, one per classifier that has a key,
 * with its help line, so a classifier added under plugins/ gets a key and
 * a help line with no change here.  A classifier key that a row here
 * already uses is ignored (tests/unit/test_browser.c checks there is none).
 *
 * mt_browser_key looks the key up (a pending prefix `m` first) and runs
 * the handler; bk_help_text writes the help view's text from the rows in
 * section order; bk_hints writes the hints of the view on top.  The
 * handlers of the prompts (/ \ :) are in prompt.c.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpriv.h"
#include "memtrack/classifier.h"
#include "memtrack/paths.h"

/* Help sections, in the order the help shows them. */
enum {
	S_MOVE,
	S_OPEN,
	S_BY,
	S_FOLLOW,
	S_SORT,
	S_FIND,
	S_MARK,
	S_PROMPT,
	S_HELP,
	S_CMP,
	S_TIME,
	S_COUNT
};

static const char *const section_title[S_COUNT] = {
	[S_MOVE] = "Moving",
	[S_OPEN] = "Opening and going back",
	[S_BY] = "Partition the target by",
	[S_FOLLOW] = "Following references",
	[S_SORT] = "Sorting (again: reverse)",
	[S_FIND] = "Search and filter",
	[S_MARK] = "Marks and sets",
	[S_PROMPT] = "Prompt",
	[S_HELP] = "Help",
	[S_CMP] = "Comparing dumps (memtrack-tui OLD NEW, A B C)",
	[S_TIME] = "Timelines (memtrack-tui LOG: a process log)",
};

/* Status-line hint groups, in the order the status line shows them; a
 * group is its rows' hint keys, then its word. */
enum {
	H_NONE,
	H_ENTER, /* word: the view's own (view_ops.hint) */
	H_TIME,
	H_BACK,
	H_SEARCH,
	H_CLOSE,
	H_HELP,
	H_QUERY,
	H_FOLLOW,
	H_BY,
	H_SORT,
	H_COUNT
};

static const char *const hint_word[H_COUNT] = {
	[H_BACK] = "back",   [H_SEARCH] = "search", [H_CLOSE] = "close",
	[H_HELP] = "help",   [H_QUERY] = "query",   [H_FOLLOW] = "",
	[H_BY] = "by",	     [H_SORT] = "sort",   [H_TIME] = "time",
};

typedef struct bkey {
	const char *request; /* "move-down": unique, for people and tests */
	int keys[6];	     /* mt_key codes, 0-terminated */
	unsigned needs;	     /* BV_* the top view must have, else beep */
	int section;	     /* S_* */
	const char *keyhelp; /* the keys as the help shows them; NULL: the
				row is not in the help */
	const char *help;    /* one line ('\n': more, indented) */
	int hint;	     /* H_*: its hint group */
	const char *hintkey; /* the key as the hint shows it */
	unsigned hint_needs; /* BV_* the view must have for the hint */
	unsigned hint_not;   /* BV_* the view must not have for the hint */
	void (*run)(mt_browser *b, bview *v, int arg);
	int arg;
} bkey;

/* ---- handlers ---- */

static void beep(mt_browser *b)
{
	b->ui->beep(b->ui);
}

/* Whether the cursor stops on row k of v: every row, but in a BV_STOPS
 * view (the inspector) only its first row (the object itself) and the
 * rows that open something. */
static bool stop(const bview *v, long k)
{
	if (!(v->ops->caps & BV_STOPS) || k == 0)
		return true;
	return v->rows[v->vis[k]].nav;
}

static void move(mt_browser *b, bview *v, long d)
{
	(void)b;
	if (!v->nvis)
		return;
	long c = (long)v->cur + d;
	if (c < 0)
		c = 0;
	if (c >= (long)v->nvis)
		c = (long)v->nvis - 1;
	/* past the rows the cursor does not stop on, on in the direction of
	 * the move (back where it ends without one) */
	long step = d < 0 ? -1 : 1, k = c;
	while (k >= 0 && k < (long)v->nvis && !stop(v, k))
		k += step;
	if (k < 0 || k >= (long)v->nvis)
		for (k = c; k > 0 && !stop(v, k); k--)
			;
	v->cur = (size_t)k;
}

static void k_move(mt_browser *b, bview *v, int d)
{
	move(b, v, d);
}

#define PAGE 20000 /* k_scroll: a page */
#define HALF 10000 /* k_scroll: half a page */

/* Moves the cursor and the scroll by arg rows, or by (half) a page. */
static void k_scroll(mt_browser *b, bview *v, int arg)
{
	long page = bv_page(b), d = arg;
	if (arg == PAGE || arg == -PAGE)
		d = page;
	else if (arg == HALF || arg == -HALF)
		d = (page + 1) / 2;
	if (arg < 0 && d > 0)
		d = -d;
	long t = (long)v->top + d;
	move(b, v, d);
	if (t < 0)
		t = 0;
	v->top = (size_t)t; /* the layout clamps */
	if (v->top > v->cur)
		v->top = v->cur;
}

static void k_home(mt_browser *b, bview *v, int arg)
{
	(void)b;
	(void)arg;
	v->cur = v->top = 0;
}

static void k_end(mt_browser *b, bview *v, int arg)
{
	(void)b;
	(void)arg;
	v->cur = v->nvis ? v->nvis - 1 : 0;
}

static void open_shown(mt_browser *b, bview *v);

static void k_open(mt_browser *b, bview *v, int arg)
{
	(void)arg;
	if (!v->nvis) {
		beep(b);
		return;
	}
	brow *r = &v->rows[v->vis[v->cur]];
	if (r->all && bv_target_row(v) == r && !(v->ops->caps & BV_CMP))
		open_shown(b, v); /* the rows a filter shows, as one set */
	else if (!r->nav || !v->ops->enter(b, v, r))
		beep(b);
}

static void k_back(mt_browser *b, bview *v, int arg)
{
	(void)v;
	(void)arg;
	if (b->depth > 1)
		bv_free(b->stack[--b->depth]);
	else
		beep(b);
}

/* q: close the view, quit at the last; Q (arg 1): quit */
static void k_quit(mt_browser *b, bview *v, int all)
{
	(void)v;
	if (!all && b->depth > 1)
		bv_free(b->stack[--b->depth]);
	else
		b->quit = true;
}

static void k_redraw(mt_browser *b, bview *v, int arg)
{
	(void)b;
	(void)v;
	(void)arg; /* the next draw lays out and redraws everything */
}

/* What the row keys act on in v (bk_target's words, malloc'd): NULL for
 * the whole view as it opened. */
static char *target_text(mt_browser *b, bview *v)
{
	size_t marked = 0;
	for (size_t i = 0; i < v->nrows; i++)
		marked += v->rows[i].marked && !v->rows[i].all;
	if (marked)
		return bv_printf("%zu marked row%s", marked,
				 marked == 1 ? "" : "s");
	brow *r = bv_target_row(v);
	if (!r)
		return NULL;
	if (r->all)
		return bv_printf("the %zu row%s shown", v->nvis - 1,
				 v->nvis == 2 ? "" : "s");
	if (v->ops->caps & BV_BY)
		return bv_printf("[%u] %s", r->index, bv_label(b, v, r));
	return mt_xstrdup(bv_label(b, v, r));
}

/* The breadcrumb of an action on v's target: "ACTION" for the whole
 * view, else "TARGET > ACTION" (malloc'd). */
static char *target_crumb(mt_browser *b, bview *v, const char *action)
{
	char *t = target_text(b, v);
	if (!t)
		return mt_xstrdup(action);
	char *c = bv_printf("%s%s%s", t,
			    b->opts.ascii ? " > " : " \xe2\x80\xba ", action);
	free(t);
	return c;
}

/* The target of the row keys (bv_target); false (the error shown) when
 * there is none. */
static bool target(mt_browser *b, bview *v, mt_qresult *r, size_t *nmarked)
{
	mt_err err;
	mt_err_clear(&err);
	if (!v->set) {
		beep(b);
		return false;
	}
	if (bv_target(b, v, r, nmarked, &err) != MT_OK) {
		bv_err(b, NULL, &err);
		return false;
	}
	return true;
}

/* Enter on the "all" row under a filter: the rows shown as one set, by
 * the view's classifier; one object opens the inspector, as Enter on a
 * row does. */
static void open_shown(mt_browser *b, bview *v)
{
	mt_qresult t;
	mt_err err;
	mt_err_clear(&err);
	mt_status st = bv_shown(b, v, &t, &err);
	if (st == MT_OK) {
		brow *r = &v->rows[v->vis[1]];
		char *crumb = v->nvis == 2 ? bv_printf("[%u] %s", r->index,
						       bv_label(b, v, r))
					   : bv_printf("the %zu rows shown",
						       v->nvis - 1);
		st = bv_open_set(b, &t, NULL, crumb, true, &err);
		free(crumb);
		mt_qresult_destroy(&t);
	}
	if (st != MT_OK)
		bv_err(b, NULL, &err);
}

/* The target (bv_target) by classifier cls (a row of the classifier
 * table). */
static void by(mt_browser *b, bview *v, const char *cls)
{
	mt_qresult t, r;
	size_t nmarked;
	if (v->ops->by) {
		v->ops->by(b, v, cls);
		return;
	}
	if (!v->set) {
		beep(b);
		return;
	}
	bool whole = !bv_target_row(v);
	for (size_t i = 0; whole && i < v->nrows; i++)
		whole = !v->rows[i].marked;
	if (whole && (v->ops->caps & BV_BY) && strcmp(v->res.er, cls) == 0) {
		char *m = bv_printf("already by %s", cls);
		bv_msg(b, false, m);
		free(m);
		return;
	}
	if (!target(b, v, &t, &nmarked))
		return;
	mt_err err;
	mt_err_clear(&err);
	char *act = bv_printf("by %s", cls);
	char *crumb = target_crumb(b, v, act);
	mt_status st = mt_query_by(b->q, &t, cls, &r, &err);
	if (st == MT_OK) {
		st = bv_open_set(b, &r, whole ? v->expr : t.expr, crumb,
				 false, &err);
		mt_qresult_destroy(&r);
	}
	if (st != MT_OK)
		bv_err(b, NULL, &err);
	mt_qresult_destroy(&t);
	free(act);
	free(crumb);
}

enum { F_REFERRERS, F_REFERENTS, F_DOMINOS, F_PATHS };
static const char *const follow_attr[] = {
	[F_REFERRERS] = "referrers",
	[F_REFERENTS] = "referents",
	[F_DOMINOS] = "dominos",
	[F_PATHS] = "paths",
};

/* R F D P: the attribute of the target (bv_target) as the query layer
 * derives it (`expr.referrers`): a set opens by its classifier, text
 * (P's paths) as a text view. */
/* P: the shortest paths from the roots to set (the target's), grouped
 * and spelled as code in the paths view (view_paths.c), named as the
 * query layer names `sp` of the target (r). */
static mt_status open_paths(mt_browser *b, const mt_set *set,
			    const mt_qresult *r, const char *crumb,
			    mt_err *err)
{
	return bv_open_paths(b, set, r->expr, crumb, err);
}

static void k_follow(mt_browser *b, bview *v, int what)
{
	mt_qresult t, r;
	size_t nmarked;
	if (!v->set) {
		beep(b);
		return;
	}
	if (what == F_DOMINOS && !bv_dominance(b)) {
		bv_msg(b, true, "error: no dominator tree (cancelled or failed)");
		return;
	}
	if (v->ops->follow) {
		v->ops->follow(b, v, follow_attr[what]);
		return;
	}
	if (!target(b, v, &t, &nmarked))
		return;
	mt_err err;
	mt_err_clear(&err);
	const char *attr = follow_attr[what];
	char *crumb = target_crumb(b, v, what == F_PATHS ? "paths" : attr);
	mt_status st = mt_query_attr(b->q, &t, attr, &r, &err);
	if (st == MT_OK) {
		if (what == F_PATHS)
			st = open_paths(b, t.set, &r, crumb, &err);
		else
			st = bv_open_set(b, &r, NULL, crumb, false, &err);
		mt_qresult_destroy(&r);
	}
	if (st != MT_OK)
		bv_err(b, NULL, &err);
	mt_qresult_destroy(&t);
	free(crumb);
}

/* r: the Retained figure of every row, in the view's own order; false
 * when cancelled or failed. */
static bool all_retained(mt_browser *b, bview *v)
{
	b->ret_paused = false;
	if (b->dom_state == 2)
		b->dom_state = 0; /* asked again after a cancel */
	for (size_t i = 0; i < b->nside; i++) /* each dump's (a comparison) */
		if (b->side[i].dom_state == 2)
			b->side[i].dom_state = 0;
	if (bv_missing_retained(b, v, 0, v->nrows)) {
		size_t *save = v->vis, nsave = v->nvis;
		size_t *all = mt_xmalloc(v->nrows * sizeof *all);
		for (size_t i = 0; i < v->nrows; i++)
			all[i] = i;
		v->vis = all;
		v->nvis = v->nrows;
		bool ok = bv_compute_retained(b, v, 0, v->nrows, RC_EXACT);
		v->vis = save;
		v->nvis = nsave;
		free(all);
		if (!ok)
			return false;
	}
	return b->dom_state == 1;
}

static void k_sort(mt_browser *b, bview *v, int sort)
{
	if (sort == SORT_RETAINED && !all_retained(b, v))
		return;
	if (v->sort == sort)
		v->rev = !v->rev;
	else
		v->sort = sort, v->rev = false;
	mt_err err;
	if (bv_refresh(b, v, &err) != MT_OK)
		bv_err(b, NULL, &err);
}

static void k_mark(mt_browser *b, bview *v, int arg)
{
	(void)arg;
	if (!v->nvis) {
		beep(b);
		return;
	}
	brow *r = &v->rows[v->vis[v->cur]];
	if (!r->nav) {
		beep(b);
		return;
	}
	r->marked = !r->marked;
	move(b, v, 1);
}

/* m LETTER: the target (bv_target: the marked rows, the row under the
 * cursor, or the whole view) as LETTER */
static void save_mark(mt_browser *b, bview *v, int letter)
{
	mt_qresult t;
	size_t marked = 0;
	if (!target(b, v, &t, &marked))
		return;
	mt_err err;
	mt_err_clear(&err);
	char name[2] = {(char)letter, 0};
	/* a set of another dump (h0's) is bound with its dump */
	mt_status st = mt_query_bind_set_of(b->q, name, t.set, t.of, &err);
	if (st == MT_OK) {
		char *what = target_text(b, v);
		char *m = bv_printf("%s: %zu object%s saved (%s)", name,
				    mt_set_count(t.set),
				    mt_set_count(t.set) == 1 ? "" : "s",
				    what ? what : "current set");
		bv_msg(b, false, m);
		free(m);
		free(what);
	} else {
		bv_err(b, "mark", &err);
	}
	mt_qresult_destroy(&t);
}

static void k_mark_prefix(mt_browser *b, bview *v, int arg)
{
	(void)v;
	(void)arg;
	b->pending = 'm';
}

static void k_help(mt_browser *b, bview *v, int arg)
{
	(void)arg;
	mt_err err;
	if (v->ops->caps & BV_KEYS)
		return; /* the help is on screen */
	if (bv_open_help(b, &err) != MT_OK)
		bv_err(b, NULL, &err);
}

/* ---- the table ---- */

static const bkey key_table[] = {
	{"move-up", {MT_KEY_UP, 'k'}, 0, S_MOVE, "Up, k", "previous row",
	 H_NONE, NULL, 0, 0, k_move, -1},
	{"move-down", {MT_KEY_DOWN, 'j'}, 0, S_MOVE, "Down, j", "next row",
	 H_NONE, NULL, 0, 0, k_move, 1},
	{"page-up", {MT_KEY_PGUP, MT_KEY_CTRL_B}, 0, S_MOVE, "PgUp, ^B",
	 "page up", H_NONE, NULL, 0, 0, k_scroll, -PAGE},
	{"page-down", {MT_KEY_PGDN, MT_KEY_CTRL_F}, 0, S_MOVE, "PgDn, ^F",
	 "page down", H_NONE, NULL, 0, 0, k_scroll, PAGE},
	{"half-page-up", {MT_KEY_CTRL_U}, 0, S_MOVE, "^U", "half a page up",
	 H_NONE, NULL, 0, 0, k_scroll, -HALF},
	{"half-page-down", {MT_KEY_CTRL_D}, 0, S_MOVE, "^D",
	 "half a page down", H_NONE, NULL, 0, 0, k_scroll, HALF},
	{"first-row", {MT_KEY_HOME, 'g'}, 0, S_MOVE, "Home, g", "first row",
	 H_NONE, NULL, 0, 0, k_home, 0},
	{"last-row", {MT_KEY_END, 'G'}, 0, S_MOVE, "End, G", "last row",
	 H_NONE, NULL, 0, 0, k_end, 0},
	{"wheel-up", {MT_KEY_WHEEL_UP}, 0, S_MOVE, "wheel", "scroll", H_NONE,
	 NULL, 0, 0, k_scroll, -3},
	{"wheel-down", {MT_KEY_WHEEL_DOWN}, 0, S_MOVE, NULL, NULL, H_NONE,
	 NULL, 0, 0, k_scroll, 3},

	{"open", {MT_KEY_ENTER, '\r', MT_KEY_RIGHT, 'l'}, 0, S_OPEN,
	 "Enter, Right, l",
	 "open the row: its set (one object: the inspector)",
	 H_ENTER, "Enter", 0, 0, k_open, 0},
	{"back", {MT_KEY_BACKSPACE, 8, MT_KEY_LEFT, 'h', '<'}, 0, S_OPEN,
	 "Backspace, Left, h, <", "back to the previous view", H_BACK, "h",
	 0, 0, k_back, 0},
	{"close", {'q'}, 0, S_OPEN, "q", "close the view (quit at the last)",
	 H_CLOSE, "q", 0, BV_SET, k_quit, 0},
	{"quit", {'Q'}, 0, S_OPEN, "Q", "quit", H_NONE, NULL, 0, 0, k_quit,
	 1},
	{"redraw", {MT_KEY_CTRL_L, MT_KEY_ESC, MT_KEY_RESIZE}, 0, S_OPEN,
	 "^L", "redraw", H_NONE, NULL, 0, 0, k_redraw, 0},
	{"units", {'B'}, 0, S_OPEN, "B",
	 "sizes in exact bytes / in kB, MB, GB (1 kB = 1000 bytes)", H_NONE,
	 NULL, 0, 0, bk_units, 0},

	{"referrers", {'R'}, BV_SET, S_FOLLOW, "R",
	 "referrers of the target", H_FOLLOW, "R", 0, 0, k_follow,
	 F_REFERRERS},
	{"referents", {'F'}, BV_SET, S_FOLLOW, "F",
	 "referents of the target", H_FOLLOW, "F", 0, 0, k_follow,
	 F_REFERENTS},
	{"dominated", {'D'}, BV_SET, S_FOLLOW, "D",
	 "dominated set of the target (what deleting it frees)", H_FOLLOW,
	 "D", 0, 0,
	 k_follow, F_DOMINOS},
	{"paths", {'P'}, BV_SET, S_FOLLOW, "P",
	 "shortest paths from the roots to the target", H_FOLLOW, "P",
	 0, 0, k_follow, F_PATHS},

	{"sort-size", {'s'}, BV_SORT, S_SORT, "s", "size", H_SORT, "s", 0, 0,
	 k_sort, SORT_SIZE},
	{"sort-retained", {'r'}, BV_SORT, S_SORT, "r", "retained size",
	 H_SORT, "r", 0, 0, k_sort, SORT_RETAINED},
	{"sort-count", {'#'}, BV_SORT | BV_COUNT, S_SORT, "#", "count",
	 H_SORT, "#", 0, 0, k_sort, SORT_COUNT},
	{"sort-kind", {'a'}, BV_SORT, S_SORT, "a", "kind (label)", H_SORT,
	 "a", 0, 0, k_sort, SORT_LABEL},

	{"search", {'/'}, 0, S_FIND, "/",
	 "search rows as you type (Enter keeps, Esc goes back)", H_SEARCH,
	 "/", 0, BV_SET, bk_search, 0},
	{"search-next", {'n'}, 0, S_FIND, "n", "next row matching the search",
	 H_NONE, NULL, 0, 0, bk_search_next, 1},
	{"search-previous", {'N'}, 0, S_FIND, "N",
	 "previous row matching the search", H_NONE, NULL, 0, 0,
	 bk_search_next, -1},
	{"filter", {'\\'}, 0, S_FIND, "\\",
	 "filter rows: text (case-insensitive) or /regex/; empty clears",
	 H_NONE, NULL, 0, 0, bk_filter, 0},
	{"mine", {'M'}, BV_SET, S_FIND, "M",
	 "only the program's objects (the view's set .mine): not the\n"
	 "interpreter's, standard library's, site-packages'; M again: all",
	 H_NONE, NULL, 0, 0, bk_mine, 0},

	{"mark", {' '}, BV_SET, S_MARK, "Space",
	 "mark / unmark the row ('*' in the second column):\n"
	 "the target is then the marked rows together",
	 H_NONE, NULL, 0,
	 0, k_mark, 0},
	{"save-set", {'m'}, BV_SET, S_MARK, "m LETTER",
	 "save the target as LETTER\n"
	 "for expressions: a & b, a - b, a.referrers",
	 H_NONE, NULL, 0, 0, k_mark_prefix, 0},

	{"query", {':'}, 0, S_PROMPT, ":",
	 "a query expression (doc/query.md); Tab completes;\n"
	 ":save-screen PATH writes the screen as text",
	 H_QUERY, ":", BV_SET, 0, bk_prompt, 0},

	{"help", {'?', MT_KEY_F1}, 0, S_HELP, "?, F1", "this help", H_HELP,
	 "?", 0, 0, k_help, 0},

	{"compare-layout", {'w'}, BV_CMP, S_CMP, "w",
	 "two panes OLD | NEW / one table (Count, \xce\x94"
	 "Count, Size, ...)",
	 H_NONE, NULL, 0, 0, bk_cmp_layout, 0},
	{"compare-hide", {'x'}, BV_CMP, S_CMP, "x",
	 "hide the rows that did not change / show them again", H_NONE,
	 NULL, 0, 0, bk_cmp_hide, 0},
	{"compare-focus", {MT_KEY_TAB}, BV_CMP, S_CMP, "Tab",
	 "focus: OLD, NEW, both sides (Enter then opens the row of the\n"
	 "focused side alone)",
	 H_NONE, NULL, 0, 0, bk_cmp_focus, 0},
	{"whole", {'W'}, 0, S_CMP, "W",
	 "the other start view: A against C (three dumps), the whole\n"
	 "heap (a dump with a mark); W there: back",
	 H_NONE, NULL, 0, 0, bk_whole, 0},

	/* after "open" and "back": their keys in the other views */
	{"time-back", {MT_KEY_LEFT}, BV_TIME, S_TIME, "Left, Right",
	 "the cursor one column of the chart back / on in time",
	 H_TIME, "Left Right", 0, 0, bk_time_move, -1},
	{"time-on", {MT_KEY_RIGHT}, BV_TIME, S_TIME, NULL, NULL, H_NONE,
	 NULL, 0, 0, bk_time_move, 1},
	{"chart-vms", {'V'}, BV_TIME, S_TIME, "V",
	 "the chart shows VMS / RSS again", H_NONE, NULL, 0, 0,
	 bk_chart_vms, 0},
	{"mark-dump", {' '}, BV_TIME, S_TIME, "Space",
	 "mark / unmark a dump marker; Enter on a dump marker opens it\n"
	 "with the marked ones: their comparison in time order (q: back)",
	 H_NONE, NULL, 0, 0, bk_mark_dump, 0},
};

#define NKEYS (sizeof key_table / sizeof key_table[0])

/* ---- the partition keys, from the classifier table ---- */

typedef struct bycls {
	int key;
	const char *name, *help;
} bycls;

/* Partition key i (0, 1, ...) of the classifier table: false past the
 * last.  Rows without a key are skipped. */
static bool classifier_key(size_t i, bycls *out)
{
	size_t n;
	const mt_classifier_def *const *defs = mt_classifier_defs(&n);
	for (size_t j = 0; j < n; j++) {
		if (!defs[j]->key)
			continue;
		if (i-- == 0) {
			out->key = (unsigned char)defs[j]->key;
			out->name = defs[j]->name;
			out->help = defs[j]->help;
			return true;
		}
	}
	return false;
}

static const bkey *find_key(int key)
{
	for (size_t i = 0; i < NKEYS; i++)
		for (const int *k = key_table[i].keys; *k; k++)
			if (*k == key)
				return &key_table[i];
	return NULL;
}

/* The row of key `key` for a view with caps: of the rows the view can
 * take, the one that needs the most (a timeline's Left is "time-back",
 * not "back"), the first of those; else the first row (it beeps). */
static int nbits(unsigned x)
{
	int n = 0;
	for (; x; x &= x - 1)
		n++;
	return n;
}

static const bkey *find_key_for(int key, unsigned caps)
{
	const bkey *best = NULL;
	int most = -1;
	for (size_t i = 0; i < NKEYS; i++)
		for (const int *k = key_table[i].keys; *k; k++) {
			unsigned need = key_table[i].needs;
			if (*k != key || (need & ~caps) ||
			    nbits(need) <= most)
				continue;
			best = &key_table[i];
			most = nbits(need);
		}
	return best ? best : find_key(key);
}

/* The partition key `key`, unless a row of the table has it. */
static bool find_classifier(int key, bycls *out)
{
	if (find_key(key))
		return false;
	for (size_t i = 0; classifier_key(i, out); i++)
		if (out->key == key)
			return true;
	return false;
}

const char *bk_request(int key, char *buf, size_t n)
{
	const bkey *k = find_key(key);
	bycls c;
	if (k)
		return k->request;
	if (!find_classifier(key, &c))
		return NULL;
	snprintf(buf, n, "by-%s", c.name);
	return buf;
}

bool mt_browser_key(mt_browser *b, int key)
{
	bview *v = bv_top(b);
	b->keys_seen++;
	bv_use_side(b, v->side);
	free(b->msg);
	b->msg = NULL;
	b->msg_err = false;
	if (b->pending == 'm') {
		b->pending = 0;
		if (key < 128 && isalpha(key) && key != 'h')
			save_mark(b, v, key);
		else if (key != MT_KEY_ESC)
			beep(b);
		return true;
	}
	unsigned caps = v->ops->caps;
	const bkey *k = find_key_for(key, caps);
	bycls c;
	if (k && (k->needs & ~caps) == 0)
		k->run(b, v, k->arg);
	else if (!k && find_classifier(key, &c) && (caps & BV_SET))
		by(b, v, c.name);
	else
		beep(b);
	bv_use_side(b, bv_top(b)->side);
	return !b->quit;
}

/* ---- help and hints ---- */

/* Appends "  KEYS  help" lines, KEYS padded to width, continuation lines
 * of help indented under it. */
static void help_line(mt_strbuf *o, const char *keys, const char *help,
		      int width)
{
	mt_strbuf_printf(o, "  %-*s  ", width, keys);
	for (const char *p = help; *p; p++) {
		mt_strbuf_addc(o, *p, 1);
		if (*p == '\n')
			mt_strbuf_printf(o, "  %-*s  ", width, "");
	}
	mt_strbuf_addc(o, '\n', 1);
}

static void help_section(mt_strbuf *o, int s)
{
	int width = 1;
	bycls c;
	for (size_t i = 0; i < NKEYS; i++)
		if (key_table[i].section == s && key_table[i].keyhelp &&
		    (int)strlen(key_table[i].keyhelp) > width)
			width = (int)strlen(key_table[i].keyhelp);
	mt_strbuf_printf(o, "%s\n", section_title[s]);
	for (size_t i = 0; i < NKEYS; i++)
		if (key_table[i].section == s && key_table[i].keyhelp)
			help_line(o, key_table[i].keyhelp, key_table[i].help,
				  width);
	if (s != S_BY)
		return;
	for (size_t i = 0; classifier_key(i, &c); i++)
		if (c.key && !find_key(c.key)) {
			char k[2] = {(char)c.key, 0};
			help_line(o, k, c.help ? c.help : c.name, width);
		}
}

char *bk_help_text(void)
{
	mt_strbuf o;
	mt_strbuf_init(&o);
	mt_strbuf_printf(
	    &o, "The target: what the row keys (partition keys, R F D P, m)\n"
		"act on, as the status line says (\"on [3] dict of Foo\")\n"
		"  the highlighted row;\n"
		"  the whole view on the first row, \"all\" (where the\n"
		"  cursor starts): with a filter, the rows shown;\n"
		"  in the inspector, the object on its first row;\n"
		"  the marked rows together when rows are marked.\n\n");
	for (int s = 0; s < S_COUNT; s++) {
		if (s)
			mt_strbuf_addc(&o, '\n', 1);
		help_section(&o, s);
	}
	mt_strbuf_printf(&o, "\nLong work (dominator tree, big partitions) "
			     "shows progress;\nq or Esc cancels it.\n");
	if (o.nomem) {
		mt_strbuf_destroy(&o);
		return mt_xstrdup(NULL); /* an empty help rather than none */
	}
	return o.s ? o.s : mt_xstrdup("");
}

/* Appends group h of the hints for a view with caps; *first: nothing
 * written yet. */
static void hint_group(mt_strbuf *o, const bview *v, int h, bool *first)
{
	unsigned caps = v->ops->caps;
	const char *word = h == H_ENTER ? v->ops->hint : hint_word[h];
	size_t n = 0;
	if (!word)
		return;
	for (size_t i = 0; i < NKEYS; i++) {
		const bkey *k = &key_table[i];
		if (k->hint != h || (k->needs & ~caps) ||
		    (k->hint_needs & ~caps) || (k->hint_not & caps))
			continue;
		mt_strbuf_printf(o, "%s%s", *first ? "" : n ? " " : "  ",
				 k->hintkey);
		*first = false;
		n++;
	}
	bycls c;
	for (size_t i = 0; h == H_BY && (caps & BV_KINDS) &&
			   classifier_key(i, &c);
	     i++)
		if (c.key && !find_key(c.key)) {
			mt_strbuf_printf(o, "%s%c", *first ? "" : n ? " " : "  ",
					 c.key);
			*first = false;
			n++;
		}
	if (n && *word)
		mt_strbuf_printf(o, " %s", word);
}

void bk_hints(const bview *v, mt_strbuf *o)
{
	bool first = true;
	for (int h = H_ENTER; h < H_COUNT; h++)
		hint_group(o, v, h, &first);
}

void bk_target(mt_browser *b, bview *v, mt_strbuf *o)
{
	if (!v->set)
		return;
	char *t = target_text(b, v);
	if (!t && (v->ops->caps & BV_ALL))
		mt_strbuf_printf(o, "on all rows");
	else if (!t)
		mt_strbuf_printf(o, "on this object");
	else
		mt_strbuf_printf(o, "on %s", t);
	free(t);
}
