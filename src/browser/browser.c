/* The browser core: the view stack, key dispatch and the lazy work.
 *
 * The stack (mt_browser.stack) is the back stack: opening a row, a
 * re-partition, R/F/D/P, a query result and help each push a view; back
 * pops it, and the view below comes back with its own cursor, scroll, sort
 * and filter untouched.  Keys are mt_key codes (ui.h); one prefix key (`m`)
 * waits for its letter in `pending`.  Long work goes through
 * ui->progress: building the dominator tree (once per session, on the
 * first need of a Retained figure), the Retained figures of the rows on
 * screen (computed after the screen is drawn with `...`, then drawn
 * again), big partitions.  A cancel there leaves `...` until `r` asks
 * again.  Errors of actions land in the status line, never end the
 * browser.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpriv.h"
#include "memtrack/dominator.h"
#include "memtrack/navigate.h"
#include "memtrack/paths.h"

static void set_msg(mt_browser *b, bool error, const char *text)
{
	free(b->msg);
	b->msg = bv_strdup(text);
	b->msg_err = error;
}

/* "error: <reason> at column N" from a failed action. */
static void set_err(mt_browser *b, const char *what, const mt_err *err)
{
	char buf[320];
	if (err->code == MT_CANCELLED) {
		set_msg(b, false, "cancelled");
		return;
	}
	mt_err_format(err, buf, sizeof buf);
	char *m = what ? bv_printf("error: %s: %s", what, buf)
		       : bv_printf("error: %s", buf);
	set_msg(b, true, m);
	free(m);
}

mt_status mt_browser_new(mt_browser **out, const mt_graph *g, mt_ui *ui,
			 const mt_browser_opts *opts, mt_err *err)
{
	*out = NULL;
	mt_browser *b = calloc(1, sizeof *b);
	if (!b)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  NULL);
	b->g = g;
	b->ui = ui;
	if (opts)
		b->opts = *opts;
	mt_strbuf_init(&b->tmp);
	for (uint32_t i = 0, n = mt_graph_count(g); i < n; i++)
		b->heap_size += mt_graph_size(g, i);
	ui->size(ui, &b->rows, &b->cols);
	mt_set *all = NULL;
	mt_status st = mt_query_new(&b->q, g, err);
	if (st == MT_OK)
		st = mt_set_all(&all, g, err);
	if (st == MT_OK)
		st = bv_open_partition(b, all, "clodo", "h", "h", "heap", err);
	mt_set_unref(all);
	if (st != MT_OK) {
		mt_browser_free(b);
		return st;
	}
	*out = b;
	return MT_OK;
}

void mt_browser_free(mt_browser *b)
{
	if (!b)
		return;
	while (b->depth)
		bv_free(b->stack[--b->depth]);
	free(b->stack);
	for (size_t i = 0; i < b->ncls; i++)
		mt_classifier_free(b->cls[i].c);
	mt_dominance_free(b->dom);
	mt_domtree_free(b->dt);
	mt_query_free(b->q);
	bv_screen_free(&b->screen);
	free(b->search);
	free(b->msg);
	mt_strbuf_destroy(&b->tmp);
	free(b);
}

const mt_screen *mt_browser_screen(const mt_browser *b)
{
	return &b->screen;
}

size_t mt_browser_depth(const mt_browser *b)
{
	return b->depth;
}

mt_status mt_screen_text(const mt_screen *s, mt_strbuf *out)
{
	for (int i = 0; i < s->rows; i++) {
		const char *t = s->lines[i].text ? s->lines[i].text : "";
		size_t n = strlen(t);
		while (n && t[n - 1] == ' ')
			n--;
		mt_strbuf_add(out, t, n);
		mt_strbuf_addc(out, '\n', 1);
	}
	return out->nomem ? MT_NOMEM : MT_OK;
}

/* ---- drawing and the lazy Retained column ---- */

static bool missing_retained(mt_browser *b, bview *v, size_t from, size_t to)
{
	if (!v->ops->retained || b->opts.no_retained || b->dom_state > 1)
		return false;
	for (size_t k = from; k < to && k < v->nvis; k++)
		if (v->rows[v->vis[k]].ret == RET_UNKNOWN)
			return true;
	return false;
}

/* Computes the Retained figures of rows from..to of the view; false if
 * cancelled or failed. */
static bool compute_retained(mt_browser *b, bview *v, size_t from, size_t to)
{
	size_t n = 0, done = 0;
	for (size_t k = from; k < to && k < v->nvis; k++)
		n += v->rows[v->vis[k]].ret == RET_UNKNOWN;
	if (!bv_dominance(b))
		return false;
	for (size_t k = from; k < to && k < v->nvis; k++) {
		brow *r = &v->rows[v->vis[k]];
		if (r->ret != RET_UNKNOWN)
			continue;
		if (b->ui->progress(b->ui, "retained sizes", done, n)) {
			set_msg(b, false, "retained sizes cancelled (r asks "
					  "again)");
			b->dom_state = b->dom_state == 1 ? 1 : b->dom_state;
			b->pending = 0;
			return false;
		}
		mt_err err;
		mt_err_clear(&err);
		if (bv_retained(b, v, r, &err) != MT_OK) {
			set_err(b, "retained", &err);
			return false;
		}
		done++;
	}
	return true;
}

void mt_browser_draw(mt_browser *b)
{
	bv_layout(b);
	b->ui->draw(b->ui, &b->screen);
	bview *v = bv_top(b);
	size_t page = (size_t)bv_page(b);
	if (!b->ret_paused && missing_retained(b, v, v->top, v->top + page)) {
		if (!compute_retained(b, v, v->top, v->top + page))
			b->ret_paused = true;
		bv_layout(b);
		b->ui->draw(b->ui, &b->screen);
	}
}

/* ---- actions ---- */

static void pop(mt_browser *b)
{
	bv_free(b->stack[--b->depth]);
}

static void move(mt_browser *b, bview *v, long d)
{
	if (!v->nvis)
		return;
	long c = (long)v->cur + d;
	if (c < 0)
		c = 0;
	if (c >= (long)v->nvis)
		c = (long)v->nvis - 1;
	v->cur = (size_t)c;
}

static void page_move(mt_browser *b, bview *v, long d)
{
	long t = (long)v->top + d;
	move(b, v, d);
	if (t < 0)
		t = 0;
	v->top = (size_t)t; /* the layout clamps */
	if (v->top > v->cur)
		v->top = v->cur;
}

static void open_row(mt_browser *b, bview *v)
{
	if (!v->nvis) {
		b->ui->beep(b->ui);
		return;
	}
	brow *r = &v->rows[v->vis[v->cur]];
	if (!r->nav || !v->ops->enter(b, v, r))
		b->ui->beep(b->ui);
}

static void by(mt_browser *b, bview *v, const char *cls)
{
	if (!v->ops->has_set || !v->set) {
		b->ui->beep(b->ui);
		return;
	}
	if (strcmp(v->cls, cls) == 0 && strcmp(v->ops->name, "inspector")) {
		char *m = bv_printf("already by %s", cls);
		set_msg(b, false, m);
		free(m);
		return;
	}
	mt_err err;
	mt_err_clear(&err);
	char *w = bv_wrap_expr(v->expr);
	char *crumb = bv_printf("by %s", cls);
	mt_status st;
	if (strcmp(cls, "id") == 0) {
		st = bv_open_identity(b, v->set, v->expr, "by id", &err);
	} else {
		char *pexpr = bv_printf("%s.by%s", w, cls);
		st = bv_open_partition(b, v->set, cls, v->expr, pexpr, crumb,
				       &err);
		free(pexpr);
	}
	if (st != MT_OK)
		set_err(b, NULL, &err);
	free(w);
	free(crumb);
}

/* Opens set s (consumed) as a clodo partition named expr.attr. */
static void open_derived(mt_browser *b, bview *v, mt_set *s, const char *attr)
{
	mt_err err;
	mt_err_clear(&err);
	char *w = bv_wrap_expr(v->expr);
	char *expr = bv_printf("%s.%s", w, attr);
	if (bv_open_partition(b, s, "clodo", expr, NULL, attr, &err) != MT_OK)
		set_err(b, NULL, &err);
	free(w);
	free(expr);
	mt_set_unref(s);
}

static void follow(mt_browser *b, bview *v, int key)
{
	if (!v->ops->has_set || !v->set) {
		b->ui->beep(b->ui);
		return;
	}
	mt_err err;
	mt_err_clear(&err);
	mt_set *s = NULL;
	mt_status st = MT_OK;
	switch (key) {
	case 'R':
		if ((st = mt_nav_referrers(b->g, v->set, &s, &err)) == MT_OK)
			open_derived(b, v, s, "referrers");
		break;
	case 'F':
		if ((st = mt_nav_referents(b->g, v->set, &s, &err)) == MT_OK)
			open_derived(b, v, s, "referents");
		break;
	case 'D':
		if (!bv_dominance(b)) {
			set_msg(b, true, "error: no dominator tree "
					 "(cancelled or failed)");
			return;
		}
		if ((st = mt_dominance_dominos(b->dom, v->set, &s, &err)) ==
		    MT_OK)
			open_derived(b, v, s, "dominos");
		break;
	case 'P': {
		mt_paths *p = NULL;
		mt_strbuf t;
		mt_strbuf_init(&t);
		if ((st = mt_paths_sp(&p, b->g, v->set, &err)) == MT_OK &&
		    (st = mt_paths_format(p, 0, 200, &t, NULL, &err)) ==
			MT_OK) {
			char *w = bv_wrap_expr(v->expr);
			char *expr = bv_printf("%s.sp", w);
			char *title = bv_printf(
			    "Shortest paths from the roots (%llu path%s of "
			    "length %u)",
			    (unsigned long long)mt_paths_count(p),
			    mt_paths_count(p) == 1 ? "" : "s",
			    mt_paths_length(p));
			st = bv_open_text(b, t.s ? t.s : "", title, expr,
					  "paths", &err);
			free(w);
			free(expr);
			free(title);
		}
		mt_paths_free(p);
		mt_strbuf_destroy(&t);
		break;
	}
	}
	if (st != MT_OK)
		set_err(b, NULL, &err);
}

static void sort_by(mt_browser *b, bview *v, int sort)
{
	if (!v->ops->sortable || (sort == SORT_COUNT &&
				  strcmp(v->ops->name, "identity") == 0)) {
		b->ui->beep(b->ui);
		return;
	}
	if (sort == SORT_RETAINED) {
		b->ret_paused = false;
		if (b->dom_state == 2)
			b->dom_state = 0; /* asked again after a cancel */
		if (missing_retained(b, v, 0, v->nrows)) {
			/* every row, in the view's own order */
			size_t *save = v->vis, nsave = v->nvis;
			size_t *all = malloc(v->nrows * sizeof *all);
			if (!all) {
				set_msg(b, true, "error: out of memory");
				return;
			}
			for (size_t i = 0; i < v->nrows; i++)
				all[i] = i;
			v->vis = all;
			v->nvis = v->nrows;
			bool ok = compute_retained(b, v, 0, v->nrows);
			v->vis = save;
			v->nvis = nsave;
			free(all);
			if (!ok)
				return;
		}
		if (b->dom_state != 1)
			return;
	}
	if (v->sort == sort)
		v->rev = !v->rev;
	else
		v->sort = sort, v->rev = false;
	mt_err err;
	if (bv_refresh(b, v, &err) != MT_OK)
		set_err(b, NULL, &err);
}

/* Row k's label contains text, case-insensitively. */
static bool row_matches(mt_browser *b, bview *v, size_t k, const char *text)
{
	const char *l = bv_label(b, v, &v->rows[v->vis[k]]);
	size_t n = strlen(text);
	for (; *l; l++)
		if (strncasecmp(l, text, n) == 0)
			return true;
	return false;
}

/* Finds the next (dir 1) or previous (-1) row matching the search,
 * starting after the cursor and wrapping around. */
static void search_next(mt_browser *b, bview *v, int dir)
{
	if (!b->search || !*b->search) {
		b->ui->beep(b->ui);
		return;
	}
	for (size_t i = 1; i <= v->nvis; i++) {
		size_t k = dir > 0 ? (v->cur + i) % v->nvis
				   : (v->cur + v->nvis - i % v->nvis) %
					 v->nvis;
		if (row_matches(b, v, k, b->search)) {
			if ((dir > 0 && k <= v->cur) ||
			    (dir < 0 && k >= v->cur))
				set_msg(b, false, "search wrapped");
			v->cur = k;
			return;
		}
	}
	char *m = bv_printf("not found: %s", b->search);
	set_msg(b, true, m);
	free(m);
}

/* The live search: where it started, so that every edit searches from
 * there again and Esc goes back there. */
typedef struct live_search {
	mt_browser *b;
	size_t cur, top;
} live_search;

/* Puts the cursor on the first row from the start row on (wrapping
 * around) that matches text; none: back on the start row, and the status
 * line says so.  Empty text: the start row. */
static void search_from(live_search *ls, const char *text)
{
	mt_browser *b = ls->b;
	bview *v = bv_top(b);
	free(b->msg);
	b->msg = NULL;
	b->msg_err = false;
	v->cur = ls->cur;
	v->top = ls->top;
	if (!*text || !v->nvis)
		goto none;
	for (size_t i = 0; i < v->nvis; i++) {
		size_t k = (ls->cur + i) % v->nvis;
		if (row_matches(b, v, k, text)) {
			if (k < ls->cur)
				set_msg(b, false, "search wrapped");
			v->cur = k;
			return;
		}
	}
none:
	if (*text) {
		char *m = bv_printf("not found: %s", text);
		set_msg(b, true, m);
		free(m);
	}
}

/* readline's changed(): search again and show the screen (laid out with
 * the last row left to the prompt).  Only the layout: Retained figures of
 * rows that come on screen wait for the end of the prompt, since their
 * progress would read the keys meant for the prompt. */
static void search_changed(void *data, const char *text)
{
	live_search *ls = data;
	search_from(ls, text);
	bv_layout(ls->b);
	ls->b->ui->draw(ls->b->ui, &ls->b->screen);
}

static void search(mt_browser *b, bview *v)
{
	live_search ls = {b, v->cur, v->top};
	b->live = true;
	bv_layout(b); /* the last row is the prompt's from now on */
	b->ui->draw(b->ui, &b->screen);
	char *line =
	    b->ui->readline(b->ui, "/", "search", NULL, &ls, search_changed);
	b->live = false;
	if (!line) { /* cancelled: back where the search started */
		search_from(&ls, "");
		return;
	}
	/* again, for a front end that did not call changed() */
	search_from(&ls, line);
	free(b->search);
	b->search = *line ? line : NULL;
	if (!*line)
		free(line);
}

static void filter(mt_browser *b, bview *v)
{
	char *line =
	    b->ui->readline(b->ui, "\\", "filter", NULL, NULL, NULL);
	if (!line)
		return;
	char *old = v->filter;
	v->filter = *line ? line : NULL;
	if (!*line)
		free(line);
	mt_err err;
	mt_err_clear(&err);
	if (bv_refresh(b, v, &err) != MT_OK) {
		set_err(b, "filter", &err);
		free(v->filter);
		v->filter = old;
		bv_refresh(b, v, &err);
		return;
	}
	free(old);
}

static void toggle_mark(mt_browser *b, bview *v)
{
	if (!v->nvis || !v->ops->has_set) {
		b->ui->beep(b->ui);
		return;
	}
	brow *r = &v->rows[v->vis[v->cur]];
	if (!r->nav) {
		b->ui->beep(b->ui);
		return;
	}
	r->marked = !r->marked;
	move(b, v, 1);
}

static void save_mark(mt_browser *b, bview *v, int letter)
{
	mt_err err;
	mt_err_clear(&err);
	mt_set *s = NULL;
	size_t marked = 0;
	mt_status st = MT_OK;
	for (size_t i = 0; i < v->nrows && st == MT_OK; i++) {
		if (!v->rows[i].marked)
			continue;
		mt_set *rs = NULL, *u = NULL;
		st = bv_row_set(b, v, &v->rows[i], &rs, &err);
		if (st == MT_OK && s)
			st = mt_set_op(&u, MT_SETOP_OR, s, rs, &err);
		if (st == MT_OK) {
			if (s) {
				mt_set_unref(s);
				mt_set_unref(rs);
				s = u;
			} else {
				s = rs;
			}
		} else {
			mt_set_unref(rs);
		}
		marked++;
	}
	if (st == MT_OK && !s) {
		if (!v->set) {
			b->ui->beep(b->ui);
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
		set_msg(b, false, m);
		free(m);
	} else {
		set_err(b, "mark", &err);
	}
	mt_set_unref(s);
}

static char *complete(void *data, const char *text, int i)
{
	mt_browser *b = data;
	return mt_query_complete(b->q, text, i);
}

static void save_screen(mt_browser *b, const char *path)
{
	mt_strbuf t;
	mt_strbuf_init(&t);
	mt_screen_text(&b->screen, &t);
	FILE *f = fopen(path, "w");
	bool ok = f && fwrite(t.s ? t.s : "", 1, t.len, f) == t.len;
	if (f && fclose(f) != 0)
		ok = false;
	mt_strbuf_destroy(&t);
	char *m = ok ? bv_printf("screen saved to %s", path)
		     : bv_printf("error: cannot write %s", path);
	set_msg(b, !ok, m);
	free(m);
}

static void prompt(mt_browser *b)
{
	char *line = b->ui->readline(b->ui, ":", "query", complete, b, NULL);
	if (!line)
		return;
	char *e = line;
	while (isspace((unsigned char)*e))
		e++;
	size_t n = strlen(e);
	while (n && isspace((unsigned char)e[n - 1]))
		e[--n] = '\0';
	if (!n) {
		free(line);
		return;
	}
	if (strncmp(e, "save-screen", 11) == 0 &&
	    (e[11] == '\0' || isspace((unsigned char)e[11]))) {
		const char *p = e + 11;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			set_msg(b, true, "error: save-screen needs a path");
		else
			save_screen(b, p);
		free(line);
		return;
	}
	mt_qresult r;
	mt_err err;
	mt_err_clear(&err);
	mt_status st = mt_query_eval(b->q, e, &r, &err);
	if (st != MT_OK) {
		mt_strbuf t;
		mt_strbuf_init(&t);
		mt_query_error_text(e, &err, &t);
		const char *last = t.s ? t.s : "";
		const char *p = strstr(last, "error: ");
		char *m;
		if (p) {
			size_t len = strcspn(p, "\n");
			static const char see[] = " (see doc/query.md)";
			if (len >= sizeof see - 1 &&
			    strncmp(p + len - (sizeof see - 1), see,
				    sizeof see - 1) == 0)
				len -= sizeof see - 1;
			m = err.offset != MT_NO_OFFSET
				? bv_printf("%.*s at column %llu", (int)len, p,
					    (unsigned long long)err.offset + 1)
				: bv_printf("%.*s", (int)len, p);
		} else {
			char buf[300];
			mt_err_format(&err, buf, sizeof buf);
			m = bv_printf("error: %s", buf);
		}
		set_msg(b, true, m);
		free(m);
		mt_strbuf_destroy(&t);
		free(line);
		return;
	}
	char *crumb = bv_printf(":%s", e);
	if (r.kind == MT_QRESULT_SET) {
		if (strcmp(r.er, "id") == 0)
			st = bv_open_identity(b, r.set, e, crumb, &err);
		else
			st = bv_open_partition(b, r.set, r.er, e, e, crumb,
					       &err);
	} else {
		st = bv_open_text(b, r.text ? r.text : "", e, e, crumb, &err);
	}
	if (st != MT_OK)
		set_err(b, NULL, &err);
	free(crumb);
	mt_qresult_destroy(&r);
	free(line);
}

static const struct {
	int key;
	const char *cls;
} by_keys[] = {
	{'c', "clodo"}, {'t', "type"},	 {'e', "rcs"},	   {'v', "via"},
	{'z', "size"},	{'o', "module"}, {'u', "surplus"}, {'y', "cycle"},
	{'i', "id"},
};

bool mt_browser_key(mt_browser *b, int key)
{
	bview *v = bv_top(b);
	long page = bv_page(b);
	free(b->msg);
	b->msg = NULL;
	b->msg_err = false;
	if (b->pending == 'm') {
		b->pending = 0;
		if (key < 128 && isalpha(key) && key != 'h')
			save_mark(b, v, key);
		else if (key != MT_KEY_ESC)
			b->ui->beep(b->ui);
		return true;
	}
	for (size_t i = 0; i < sizeof by_keys / sizeof by_keys[0]; i++)
		if (key == by_keys[i].key) {
			by(b, v, by_keys[i].cls);
			return true;
		}
	switch (key) {
	case MT_KEY_UP:
	case 'k':
		move(b, v, -1);
		break;
	case MT_KEY_DOWN:
	case 'j':
		move(b, v, 1);
		break;
	case MT_KEY_WHEEL_UP:
		page_move(b, v, -3);
		break;
	case MT_KEY_WHEEL_DOWN:
		page_move(b, v, 3);
		break;
	case MT_KEY_PGUP:
	case MT_KEY_CTRL_B:
		page_move(b, v, -page);
		break;
	case MT_KEY_PGDN:
	case MT_KEY_CTRL_F:
		page_move(b, v, page);
		break;
	case MT_KEY_CTRL_U:
		page_move(b, v, -(page + 1) / 2);
		break;
	case MT_KEY_CTRL_D:
		page_move(b, v, (page + 1) / 2);
		break;
	case MT_KEY_HOME:
	case 'g':
		v->cur = v->top = 0;
		break;
	case MT_KEY_END:
	case 'G':
		v->cur = v->nvis ? v->nvis - 1 : 0;
		break;
	case MT_KEY_ENTER:
	case '\r':
	case MT_KEY_RIGHT:
	case 'l':
		open_row(b, v);
		break;
	case MT_KEY_BACKSPACE:
	case 8: /* ^H */
	case MT_KEY_LEFT:
	case 'h':
	case '<':
		if (b->depth > 1)
			pop(b);
		else
			b->ui->beep(b->ui);
		break;
	case 'q':
		if (b->depth > 1) {
			pop(b);
			break;
		}
		b->quit = true;
		return false;
	case 'Q':
		b->quit = true;
		return false;
	case MT_KEY_ESC:
	case MT_KEY_CTRL_L:
	case MT_KEY_RESIZE:
		break; /* the next draw lays out and redraws everything */
	case 'R':
	case 'F':
	case 'D':
	case 'P':
		follow(b, v, key);
		break;
	case 's':
		sort_by(b, v, SORT_SIZE);
		break;
	case 'r':
		sort_by(b, v, SORT_RETAINED);
		break;
	case '#':
		sort_by(b, v, SORT_COUNT);
		break;
	case 'a':
		sort_by(b, v, SORT_LABEL);
		break;
	case '/':
		search(b, v);
		break;
	case 'n':
		search_next(b, v, 1);
		break;
	case 'N':
		search_next(b, v, -1);
		break;
	case '\\':
		filter(b, v);
		break;
	case ' ':
		toggle_mark(b, v);
		break;
	case 'm':
		if (!v->ops->has_set)
			b->ui->beep(b->ui);
		else
			b->pending = 'm';
		break;
	case ':':
		prompt(b);
		break;
	case '?':
	case MT_KEY_F1: {
		mt_err err;
		if (strcmp(v->ops->name, "help") == 0)
			break;
		if (bv_open_help(b, &err) != MT_OK)
			set_err(b, NULL, &err);
		break;
	}
	default:
		b->ui->beep(b->ui);
		break;
	}
	return true;
}

void mt_browser_run(mt_browser *b)
{
	mt_browser_draw(b);
	for (;;) {
		int k = b->ui->getkey(b->ui);
		if (k == MT_KEY_EOF)
			break;
		if (!mt_browser_key(b, k))
			break;
		mt_browser_draw(b);
	}
}
