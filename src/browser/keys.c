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
	S_COUNT
};

static const char *const section_title[S_COUNT] = {
	[S_MOVE] = "Moving",
	[S_OPEN] = "Opening and going back",
	[S_BY] = "Partition the current set by",
	[S_FOLLOW] = "Following references",
	[S_SORT] = "Sorting (again: reverse)",
	[S_FIND] = "Search and filter",
	[S_MARK] = "Marks and sets",
	[S_PROMPT] = "Prompt",
	[S_HELP] = "Help",
};

/* Status-line hint groups, in the order the status line shows them; a
 * group is its rows' hint keys, then its word. */
enum {
	H_NONE,
	H_ENTER, /* word: the view's own (view_ops.hint) */
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
	[H_BY] = "by",	     [H_SORT] = "sort",
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
	v->cur = (size_t)c;
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

static void k_open(mt_browser *b, bview *v, int arg)
{
	(void)arg;
	if (!v->nvis) {
		beep(b);
		return;
	}
	brow *r = &v->rows[v->vis[v->cur]];
	if (!r->nav || !v->ops->enter(b, v, r))
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

/* The current set by classifier cls (a row of the classifier table). */
static void by(mt_browser *b, bview *v, const char *cls)
{
	if (!v->set) {
		beep(b);
		return;
	}
	if ((v->ops->caps & BV_BY) && strcmp(v->res.er, cls) == 0) {
		char *m = bv_printf("already by %s", cls);
		bv_msg(b, false, m);
		free(m);
		return;
	}
	mt_err err;
	mt_err_clear(&err);
	mt_qresult r;
	char *crumb = bv_printf("by %s", cls);
	mt_status st = mt_query_by(b->q, &v->res, cls, &r, &err);
	if (st == MT_OK) {
		st = bv_open_set(b, &r, v->expr, crumb, false, &err);
		mt_qresult_destroy(&r);
	}
	if (st != MT_OK)
		bv_err(b, NULL, &err);
	free(crumb);
}

enum { F_REFERRERS, F_REFERENTS, F_DOMINOS, F_PATHS };
static const char *const follow_attr[] = {
	[F_REFERRERS] = "referrers",
	[F_REFERENTS] = "referents",
	[F_DOMINOS] = "dominos",
	[F_PATHS] = "sp",
};

/* R F D P: the attribute of the current set as the query layer derives it
 * (`expr.referrers`): a set opens by its classifier, text (P's paths) as
 * a text view. */
/* P: the shortest paths from the roots to the current set, as text (up
 * to 200 paths: more than the query's `sp` shows), named as the query
 * layer names `sp` of the set (r). */
static mt_status open_paths(mt_browser *b, bview *v, const mt_qresult *r,
			    mt_err *err)
{
	mt_paths *p = NULL;
	mt_strbuf t;
	mt_strbuf_init(&t);
	mt_status st = mt_paths_sp(&p, b->g, v->set, err);
	if (st == MT_OK)
		st = mt_paths_format(p, 0, 200, &t, NULL, err);
	if (st == MT_OK) {
		char *title = bv_printf(
		    "Shortest paths from the roots (%llu path%s of length %u)",
		    (unsigned long long)mt_paths_count(p),
		    mt_paths_count(p) == 1 ? "" : "s", mt_paths_length(p));
		st = bv_open_text(b, t.s ? t.s : "", title, r->expr, "paths",
				  err);
		free(title);
	}
	mt_paths_free(p);
	mt_strbuf_destroy(&t);
	return st;
}

static void k_follow(mt_browser *b, bview *v, int what)
{
	if (!v->set) {
		beep(b);
		return;
	}
	if (what == F_DOMINOS && !bv_dominance(b)) {
		bv_msg(b, true, "error: no dominator tree (cancelled or failed)");
		return;
	}
	mt_err err;
	mt_err_clear(&err);
	mt_qresult r;
	const char *attr = follow_attr[what];
	mt_status st = mt_query_attr(b->q, &v->res, attr, &r, &err);
	if (st != MT_OK) {
		bv_err(b, NULL, &err);
		return;
	}
	if (what == F_PATHS)
		st = open_paths(b, v, &r, &err);
	else
		st = bv_open_set(b, &r, NULL, attr, false, &err);
	if (st != MT_OK)
		bv_err(b, NULL, &err);
	mt_qresult_destroy(&r);
}

/* r: the Retained figure of every row, in the view's own order; false
 * when cancelled or failed. */
static bool all_retained(mt_browser *b, bview *v)
{
	b->ret_paused = false;
	if (b->dom_state == 2)
		b->dom_state = 0; /* asked again after a cancel */
	if (bv_missing_retained(b, v, 0, v->nrows)) {
		size_t *save = v->vis, nsave = v->nvis;
		size_t *all = mt_xmalloc(v->nrows * sizeof *all);
		for (size_t i = 0; i < v->nrows; i++)
			all[i] = i;
		v->vis = all;
		v->nvis = v->nrows;
		bool ok = bv_compute_retained(b, v, 0, v->nrows);
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

/* The union of the marked rows' sets (NULL when none is marked). */
static mt_status marked_set(mt_browser *b, bview *v, mt_set **out,
			    size_t *marked, mt_err *err)
{
	mt_set *s = NULL;
	mt_status st = MT_OK;
	*marked = 0;
	for (size_t i = 0; i < v->nrows && st == MT_OK; i++) {
		if (!v->rows[i].marked)
			continue;
		mt_set *rs = NULL, *u = NULL;
		st = bv_row_set(b, v, &v->rows[i], &rs, err);
		if (st == MT_OK && s)
			st = mt_set_op(&u, MT_SETOP_OR, s, rs, err);
		if (st == MT_OK && s) {
			mt_set_unref(s);
			mt_set_unref(rs);
			s = u;
		} else if (st == MT_OK) {
			s = rs;
		} else {
			mt_set_unref(rs);
		}
		++*marked;
	}
	if (st != MT_OK) {
		mt_set_unref(s);
		s = NULL;
	}
	*out = s;
	return st;
}

/* m LETTER: the marked rows' sets (or the current set) as LETTER */
static void save_mark(mt_browser *b, bview *v, int letter)
{
	mt_err err;
	mt_err_clear(&err);
	mt_set *s = NULL;
	size_t marked = 0;
	mt_status st = marked_set(b, v, &s, &marked, &err);
	if (st == MT_OK && !s) {
		if (!v->set) {
			beep(b);
			return;
		}
		s = mt_set_ref(v->set);
	}
	char name[2] = {(char)letter, 0};
	if (st == MT_OK)
		st = mt_query_bind_set(b->q, name, s, &err);
	if (st == MT_OK) {
		char *m = bv_printf("%s: %zu object%s saved (%s)", name,
				    mt_set_count(s),
				    mt_set_count(s) == 1 ? "" : "s",
				    marked ? "marked rows" : "current set");
		bv_msg(b, false, m);
		free(m);
	} else {
		bv_err(b, "mark", &err);
	}
	mt_set_unref(s);
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
	 "referrers of the current set", H_FOLLOW, "R", 0, 0, k_follow,
	 F_REFERRERS},
	{"referents", {'F'}, BV_SET, S_FOLLOW, "F",
	 "referents of the current set", H_FOLLOW, "F", 0, 0, k_follow,
	 F_REFERENTS},
	{"dominated", {'D'}, BV_SET, S_FOLLOW, "D",
	 "dominated set (what deleting the set frees)", H_FOLLOW, "D", 0, 0,
	 k_follow, F_DOMINOS},
	{"paths", {'P'}, BV_SET, S_FOLLOW, "P",
	 "shortest paths from the roots to the current set", H_FOLLOW, "P",
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
	 "mark / unmark the row ('*' in the second column)", H_NONE, NULL, 0,
	 0, k_mark, 0},
	{"save-set", {'m'}, BV_SET, S_MARK, "m LETTER",
	 "save the current set (or the marked rows) as LETTER\n"
	 "for expressions: a & b, a - b, a.referrers",
	 H_NONE, NULL, 0, 0, k_mark_prefix, 0},

	{"query", {':'}, 0, S_PROMPT, ":",
	 "a query expression (doc/query.md); Tab completes;\n"
	 ":save-screen PATH writes the screen as text",
	 H_QUERY, ":", BV_SET, 0, bk_prompt, 0},

	{"help", {'?', MT_KEY_F1}, 0, S_HELP, "?, F1", "this help", H_HELP,
	 "?", 0, 0, k_help, 0},
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
	const bkey *k = find_key(key);
	bycls c;
	if (k && (k->needs & ~caps) == 0)
		k->run(b, v, k->arg);
	else if (!k && find_classifier(key, &c) && (caps & BV_SET))
		by(b, v, c.name);
	else
		beep(b);
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
	(void)b;
	(void)v;
	(void)o; /* filled by the row-targeting work (issue 9) */
}
