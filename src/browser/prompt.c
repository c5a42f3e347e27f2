/* The prompts of the browser: the live search (`/`, then n N), the
 * filter (`\\`) and the query prompt (`:`), each read through
 * ui->readline.  The search moves the cursor as the line is typed
 * (readline's changed callback) from the row where it started; Esc goes
 * back there.  The query prompt evaluates with the query layer: a set
 * opens as a view, any other value as text, an error lands in the status
 * line as `error: <reason> at column N`.  `:save-screen PATH` is the one
 * command that is not an expression.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bpriv.h"

/* Row k's label contains text, case-insensitively (never the "all"
 * row's). */
static bool row_matches(mt_browser *b, bview *v, size_t k, const char *text)
{
	if (v->rows[v->vis[k]].all)
		return false;
	const char *l = bv_label(b, v, &v->rows[v->vis[k]]);
	size_t n = strlen(text);
	for (; *l; l++)
		if (strncasecmp(l, text, n) == 0)
			return true;
	return false;
}

/* Finds the next (dir 1) or previous (-1) row matching the search,
 * starting after the cursor and wrapping around. */
void bk_search_next(mt_browser *b, bview *v, int dir)
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
				bv_msg(b, false, "search wrapped");
			v->cur = k;
			return;
		}
	}
	char *m = bv_printf("not found: %s", b->search);
	bv_msg(b, true, m);
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
				bv_msg(b, false, "search wrapped");
			v->cur = k;
			return;
		}
	}
none:
	if (*text) {
		char *m = bv_printf("not found: %s", text);
		bv_msg(b, true, m);
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

void bk_search(mt_browser *b, bview *v, int arg)
{
	(void)arg;
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

void bk_filter(mt_browser *b, bview *v, int arg)
{
	(void)arg;
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
		bv_err(b, "filter", &err);
		free(v->filter);
		v->filter = old;
		bv_refresh(b, v, &err);
		return;
	}
	bv_all_reset(v); /* the "all" row: the rows shown now */
	free(old);
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
	bv_msg(b, !ok, m);
	free(m);
}

/* The status line's text for a failed expression: the reason of
 * mt_query_error_text, with its column. */
static char *query_error(const char *e, const mt_err *err)
{
	mt_strbuf t;
	mt_strbuf_init(&t);
	mt_query_error_text(e, err, &t);
	const char *p = strstr(t.s ? t.s : "", "error: ");
	char *m;
	if (p) {
		size_t len = strcspn(p, "\n");
		static const char see[] = " (see doc/query.md)";
		if (len >= sizeof see - 1 &&
		    strncmp(p + len - (sizeof see - 1), see, sizeof see - 1) ==
			0)
			len -= sizeof see - 1;
		m = err->offset != MT_NO_OFFSET
			? bv_printf("%.*s at column %llu", (int)len, p,
				    (unsigned long long)err->offset + 1)
			: bv_printf("%.*s", (int)len, p);
	} else {
		char buf[300];
		mt_err_format(err, buf, sizeof buf);
		m = bv_printf("error: %s", buf);
	}
	mt_strbuf_destroy(&t);
	return m;
}

/* Evaluates expression e and opens its value as a view. */
static void eval(mt_browser *b, const char *e)
{
	mt_qresult r;
	mt_err err;
	mt_err_clear(&err);
	mt_status st = mt_query_eval(b->q, e, &r, &err);
	if (st != MT_OK) {
		char *m = query_error(e, &err);
		bv_msg(b, true, m);
		free(m);
		return;
	}
	char *crumb = bv_printf(":%s", e);
	if (r.kind == MT_QRESULT_SET)
		st = bv_open_set(b, &r, NULL, crumb, false, &err);
	else
		st = bv_open_text(b, r.text ? r.text : "", e, r.expr, crumb,
				  &err);
	if (st != MT_OK)
		bv_err(b, NULL, &err);
	free(crumb);
	mt_qresult_destroy(&r);
}

void bk_prompt(mt_browser *b, bview *v, int arg)
{
	(void)v;
	(void)arg;
	/* a series file has no dump: :save-screen only */
	char *line = b->ui->readline(b->ui, ":", "query",
				     b->q ? complete : NULL, b, NULL);
	if (!line)
		return;
	char *e = line;
	while (isspace((unsigned char)*e))
		e++;
	size_t n = strlen(e);
	while (n && isspace((unsigned char)e[n - 1]))
		e[--n] = '\0';
	if (n && strncmp(e, "save-screen", 11) == 0 &&
	    (e[11] == '\0' || isspace((unsigned char)e[11]))) {
		const char *p = e + 11;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			bv_msg(b, true, "error: save-screen needs a path");
		else
			save_screen(b, p);
	} else if (n && !b->q) {
		bv_msg(b, true, "error: no heap dump here: the query language "
				"works on dumps");
	} else if (n) {
		eval(b, e);
	}
	free(line);
}
