/* The browser core: the view stack, drawing and the lazy work.
 *
 * The stack (mt_browser.stack) is the back stack: opening a row, a
 * re-partition, R/F/D/P, a query result and help each push a view; back
 * pops it, and the view below comes back with its own cursor, scroll, sort
 * and filter untouched.  Keys are mt_key codes (ui.h), dispatched by the
 * key table (keys.c); one prefix key (`m`) waits for its letter in
 * `pending`.  Long work goes through
 * ui->progress: building the dominator tree (once per session, on the
 * first need of a Retained figure), the Retained figures of the rows on
 * screen (computed after the screen is drawn with `...`, then drawn
 * again), big partitions.  A cancel there leaves `...` until `r` asks
 * again.  Errors of actions land in the status line, never end the
 * browser.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpriv.h"
#include "memtrack/dominator.h"

void bv_msg(mt_browser *b, bool error, const char *text)
{
	free(b->msg);
	b->msg = mt_xstrdup(text);
	b->msg_err = error;
}

/* "error: <reason> at column N" from a failed action. */
void bv_err(mt_browser *b, const char *what, const mt_err *err)
{
	char buf[320];
	if (err->code == MT_CANCELLED) {
		bv_msg(b, false, "cancelled");
		return;
	}
	mt_err_format(err, buf, sizeof buf);
	char *m = what ? bv_printf("error: %s: %s", what, buf)
		       : bv_printf("error: %s", buf);
	bv_msg(b, true, m);
	free(m);
}

/* The context's progress (every long computation, whoever asked) is the
 * ui's, except while b->quiet: the work on a small set then shows none. */
static int ctx_progress(void *data, const char *what, uint64_t done,
			uint64_t total)
{
	mt_browser *b = data;
	if (b->quiet)
		return 0;
	return b->ui->progress(b->ui, what, done, total) ? 1 : 0;
}

void bv_quiet(mt_browser *b, size_t n)
{
	b->quiet = n && n <= 200000;
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
	mt_qresult heap = {0};
	mt_status st = mt_ctx_new(&b->ctx, g, err);
	if (st == MT_OK) {
		mt_ctx_set_progress(b->ctx, ctx_progress, b);
		st = mt_query_new(&b->q, b->ctx, err);
	}
	if (st == MT_OK && (st = mt_query_heap(b->q, &heap, err)) == MT_OK) {
		st = bv_open_partition(b, &heap, NULL, "heap", err);
		mt_qresult_destroy(&heap);
	}
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
	mt_classifier_unref(b->clodo);
	mt_query_free(b->q);
	mt_ctx_free(b->ctx);
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

bool bv_missing_retained(mt_browser *b, bview *v, size_t from, size_t to)
{
	if (!(v->ops->caps & BV_RETAINED) || b->opts.no_retained ||
	    b->dom_state > 1)
		return false;
	for (size_t k = from; k < to && k < v->nvis; k++)
		if (v->rows[v->vis[k]].ret == RET_UNKNOWN)
			return true;
	return false;
}

/* Computes the Retained figures of rows from..to of the view; false if
 * cancelled or failed. */
bool bv_compute_retained(mt_browser *b, bview *v, size_t from, size_t to)
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
			bv_msg(b, false, "retained sizes cancelled (r asks "
					  "again)");
			b->dom_state = b->dom_state == 1 ? 1 : b->dom_state;
			b->pending = 0;
			return false;
		}
		mt_err err;
		mt_err_clear(&err);
		if (bv_retained(b, v, r, &err) != MT_OK) {
			bv_err(b, "retained", &err);
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
	if (!b->ret_paused && bv_missing_retained(b, v, v->top, v->top + page)) {
		if (!bv_compute_retained(b, v, v->top, v->top + page))
			b->ret_paused = true;
		bv_layout(b);
		b->ui->draw(b->ui, &b->screen);
	}
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
