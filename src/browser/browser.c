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
#include "memtrack/diff.h"
#include "memtrack/dominator.h"
#include "memtrack/series.h"
#include "preview.h"

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

static uint64_t heap_size(const mt_graph *g)
{
	uint64_t n = 0;
	for (uint32_t i = 0, c = mt_graph_count(g); i < c; i++)
		n += mt_graph_size(g, i);
	return n;
}

/* The saved index of dump i of opts (index_dumps, index_keys), if any. */
static void use_index(mt_ctx *c, const mt_browser_opts *opts, size_t i)
{
	if (opts && opts->index_dumps && opts->index_keys &&
	    opts->index_dumps[i])
		mt_ctx_use_saved_index(c, opts->index_dumps[i],
				       &opts->index_keys[i]);
}

/* What became of the saved index of b->ctx, in the status line once per
 * context: only when there is none or one was ignored. */
static void index_note(mt_browser *b)
{
	const char *note = NULL;
	mt_ctx_index(b->ctx, &note);
	if (!note)
		return;
	for (size_t i = 0; i < sizeof b->idx_noted / sizeof *b->idx_noted; i++) {
		if (b->idx_noted[i] == b->ctx)
			return;
		if (!b->idx_noted[i]) {
			b->idx_noted[i] = b->ctx;
			if (b->msg) { /* after the message already there */
				char *m = bv_printf("%s; %s", b->msg, note);
				bv_msg(b, b->msg_err, m);
				free(m);
			} else
				bv_msg(b, false, note);
			return;
		}
	}
}

/* A browser without views: b->g, ctx, q over g. */
static mt_status browser_init(mt_browser **out, const mt_graph *g,
			      mt_ui *ui, const mt_browser_opts *opts,
			      mt_err *err)
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
	b->heap_size = heap_size(g);
	ui->size(ui, &b->rows, &b->cols);
	mt_status st = mt_ctx_new(&b->ctx, g, err);
	if (st == MT_OK) {
		mt_ctx_set_progress(b->ctx, ctx_progress, b);
		st = mt_query_new(&b->q, b->ctx, err);
	}
	if (st != MT_OK) {
		mt_browser_free(b);
		return st;
	}
	*out = b;
	return MT_OK;
}

/* A dump with a mark (memtrack.mark()) opens on the objects new since
 * the mark, `h - hp.Marked`; W: the whole heap. */
static mt_status open_heap(mt_browser *b, mt_err *err)
{
	mt_qresult heap = {0};
	mt_status st = mt_query_heap(b->q, &heap, err);
	if (st == MT_OK) {
		st = bv_open_partition(b, &heap, NULL, "heap", err);
		mt_qresult_destroy(&heap);
	}
	return st;
}

static mt_status open_since_mark(mt_browser *b, mt_err *err)
{
	mt_qresult r = {0};
	mt_status st = mt_query_eval(b->q, "h - hp.Marked", &r, err);
	if (st != MT_OK)
		return st;
	if (r.kind == MT_QRESULT_SET)
		st = bv_open_partition(b, &r, NULL, "new since the mark", err);
	else
		st = mt_err_set(err, MT_TYPE, MT_NO_OFFSET, MT_NO_OFFSET,
				"h - hp.Marked is not a set");
	mt_qresult_destroy(&r);
	return st;
}

/* The start view's rows take the Retained figures of the preview shown
 * before the load (the same dump, version and classifier: the same
 * kinds). */
static void seed_start(mt_browser *b, const mt_preview *p)
{
	bview *v = bv_top(b);
	if (!(v->ops->caps & BV_RETAINED))
		return;
	for (size_t i = 0; i < v->nrows; i++) {
		brow *r = &v->rows[i];
		uint32_t kind = r->all ? MT_NO_ID : r->obj;
		for (size_t j = 0; j < p->n; j++) {
			const mt_preview_row *pr = &p->rows[j];
			if (pr->kind != kind)
				continue;
			if (pr->count == r->count && pr->size == r->size) {
				r->retained = pr->retained;
				r->ret = RET_KNOWN;
				b->seeded = true;
			}
			break;
		}
	}
}

mt_status mt_browser_new(mt_browser **out, const mt_graph *g, mt_ui *ui,
			 const mt_browser_opts *opts, mt_err *err)
{
	mt_browser *b;
	mt_status st = browser_init(&b, g, ui, opts, err);
	if (st != MT_OK)
		return st;
	use_index(b->ctx, opts, 0);
	if (mt_graph_has_mark(g)) {
		st = open_since_mark(b, err);
		b->alt = open_heap;
		b->alt_crumb = "heap";
		if (st == MT_OK) {
			bv_msg(b, false, "the objects new since the mark "
					 "(W: the whole heap)");
		} else if (st != MT_NOMEM && st != MT_CANCELLED) {
			/* the whole heap then, with the reason */
			bv_err(b, "new since the mark", err);
			b->alt = NULL;
			mt_err_clear(err);
			st = open_heap(b, err);
		}
	} else {
		st = open_heap(b, err);
		if (st == MT_OK && opts && opts->seed)
			seed_start(b, opts->seed);
	}
	if (st != MT_OK) {
		mt_browser_free(b);
		return st;
	}
	b->preview_done = !opts || !opts->preview_dump || !opts->preview_key ||
			  mt_graph_has_mark(g) || (opts->seed != NULL);
	*out = b;
	return MT_OK;
}

/* ---- comparing dumps ---- */

void bv_use_side(mt_browser *b, int i)
{
	if (!b->nside || i == b->cur || i < 0 || (size_t)i >= b->nside)
		return;
	bside *o = &b->side[b->cur], *n = &b->side[i];
	o->clodo = b->clodo;
	o->dom_state = b->dom_state;
	b->g = n->g;
	b->ctx = n->ctx;
	b->clodo = n->clodo;
	b->dom_state = n->dom_state;
	b->heap_size = n->heap_size;
	b->cur = i;
}

int bv_side_of(const mt_browser *b, const mt_qresult *res)
{
	if (!b->nside)
		return 0;
	for (size_t i = 0; res && res->of && i < b->nside; i++)
		if (b->side[i].q == res->of)
			return (int)i;
	return (int)b->nside - 1;
}

mt_status mt_browser_new_multi(mt_browser **out, const mt_graph *const *gs,
			       size_t n, mt_ui *ui,
			       const mt_browser_opts *opts, mt_err *err)
{
	*out = NULL;
	if (n == 1)
		return mt_browser_new(out, gs[0], ui, opts, err);
	if (n < 1 || n > 3)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "%zu dumps: compare 2 or 3", n);
	mt_browser *b;
	mt_status st = browser_init(&b, gs[n - 1], ui, opts, err);
	if (st != MT_OK)
		return st;
	use_index(b->ctx, opts, n - 1);
	b->nside = n;
	b->cur = (int)n - 1;
	b->side[n - 1].ctx = b->ctx;
	b->side[n - 1].q = b->q;
	for (size_t i = 0; i < n && st == MT_OK; i++) {
		bside *s = &b->side[i];
		s->g = gs[i];
		s->heap_size = heap_size(gs[i]);
		s->file = opts && opts->files ? opts->files[i] : NULL;
		if (i == n - 1) {
			snprintf(s->name, sizeof s->name, "h");
			break;
		}
		snprintf(s->name, sizeof s->name, "h%zu", i);
		st = mt_ctx_new(&s->ctx, gs[i], err);
		if (st == MT_OK) {
			mt_ctx_set_progress(s->ctx, ctx_progress, b);
			use_index(s->ctx, opts, i);
			st = mt_query_new(&s->q, s->ctx, err);
		}
	}
	/* identity: each dump against the last, and A against B */
	const mt_header *last = mt_graph_header(gs[n - 1]);
	for (size_t i = 0; i + 1 < n && st == MT_OK; i++) {
		const char *why = NULL;
		if (mt_same_process(mt_graph_header(gs[i]), last, &why))
			st = mt_match_new(&b->match[i], gs[i], gs[n - 1], err);
		else if (!b->why)
			b->why = why;
	}
	if (st == MT_OK && n == 3 && b->match[0] && b->match[1])
		st = mt_match_new(&b->ab, gs[0], gs[1], err);
	for (size_t i = 0; i + 1 < n && st == MT_OK; i++)
		st = mt_query_add_dump(b->q, b->side[i].name, b->side[i].q,
				       b->match[i], err);
	if (st == MT_OK)
		st = bv_open_multi(b, err);
	if (st != MT_OK) {
		mt_browser_free(b);
		return st;
	}
	*out = b;
	return MT_OK;
}

mt_status mt_browser_new_series(mt_browser **out, const struct mt_series *s,
				const char *path, mt_ui *ui,
				const mt_browser_opts *opts, mt_err *err)
{
	*out = NULL;
	mt_browser *b = calloc(1, sizeof *b);
	if (!b)
		return mt_nomem(err);
	b->ui = ui;
	if (opts)
		b->opts = *opts;
	mt_strbuf_init(&b->tmp);
	ui->size(ui, &b->rows, &b->cols);
	b->title = mt_xstrdup("");
	mt_status st = s->kind == MT_FILE_STATS
			   ? bv_open_tracker(b, s, path, err)
			   : bv_open_timeline(b, s, path, err);
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
	mt_big_prepare_stop(); /* (mt_browser_draw may have started it) */
	while (b->depth)
		bv_free(b->stack[--b->depth]);
	free(b->stack);
	if (b->nside) {
		/* b's fields are side[cur]'s: the sides own them */
		b->side[b->cur].clodo = b->clodo;
		b->clodo = NULL;
		mt_query_free(b->q); /* first: it names the others */
		b->q = NULL;
		b->ctx = NULL;
		for (size_t i = 0; i < b->nside; i++) {
			bside *s = &b->side[i];
			mt_classifier_unref(s->clodo);
			if (i + 1 < b->nside) {
				mt_query_free(s->q);
				mt_ctx_free(s->ctx);
			}
		}
		mt_ctx_free(b->side[b->nside - 1].ctx);
		for (size_t i = 0; i < 3; i++)
			mt_match_free(b->match[i]);
		mt_match_free(b->ab);
	}
	mt_classifier_unref(b->clodo);
	mt_query_free(b->q);
	mt_ctx_free(b->ctx);
	bv_screen_free(&b->screen);
	free(b->title);
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

/* Whether row r lacks its Retained figure (RET_UNKNOWN), or with
 * bounds_too an exact one. */
static bool missing(const brow *r, bool bounds_too)
{
	return r->ret == RET_UNKNOWN || (bounds_too && r->ret == RET_BOUND);
}

/* How many rows of vis[from..to) lack it. */
static size_t count_missing(const bview *v, size_t from, size_t to,
			    bool bounds_too)
{
	size_t n = 0;
	for (size_t k = from; k < to && k < v->nvis; k++)
		n += missing(&v->rows[v->vis[k]], bounds_too);
	return n;
}

bool bv_missing_retained(mt_browser *b, bview *v, size_t from, size_t to)
{
	if (!(v->ops->caps & BV_RETAINED) || b->opts.no_retained ||
	    b->dom_state > 1)
		return false;
	return count_missing(v, from, to, true) > 0;
}

bool bv_use_bounds(const mt_browser *b, const bview *v)
{
	if (!v->ops->retained_page || b->opts.retained == MT_RET_EXACT)
		return false;
	return b->opts.retained == MT_RET_BOUNDS ||
	       mt_graph_count(b->g) >= MT_RET_BOUNDS_FROM;
}

bool bv_ret_progress(mt_browser *b, const char *label, uint64_t done,
		     uint64_t total)
{
	if (!b->ret_idle || !b->ui->idle)
		return b->ui->progress(b->ui, label, done, total);
	if (b->ui->idle(b->ui, label, done, total))
		b->ret_yielded = true;
	return b->ret_yielded;
}

/* A cancel (q, Esc): `...` stays until `r` asks again. */
static bool ret_cancelled(mt_browser *b)
{
	bv_msg(b, false, "retained sizes cancelled (r asks again)");
	b->pending = 0;
	return false;
}

/* Computes the Retained figures of rows from..to of the view (how: RC_*);
 * false if cancelled, stopped for a key or failed. */
bool bv_compute_retained(mt_browser *b, bview *v, size_t from, size_t to,
			 int how)
{
	bool bound = how == RC_BOUNDS;
	size_t n = count_missing(v, from, to, !bound), done = 0;
	if (!b->dom_state) /* the tree's build, the peak of a first open, */
		mt_big_release(0); /* would come on top of the kept pages */
	if (!bv_dominance(b))
		return false;
	index_note(b);
	b->ret_idle = how == RC_IDLE;
	b->ret_yielded = false;
	bool ok = true;
	if (v->ops->retained_page && n) { /* the rows at once */
		brow **rs = mt_xmalloc(n * sizeof *rs);
		size_t m = 0;
		for (size_t k = from; k < to && k < v->nvis; k++)
			if (missing(&v->rows[v->vis[k]], !bound))
				rs[m++] = &v->rows[v->vis[k]];
		mt_err err;
		mt_err_clear(&err);
		mt_status st = v->ops->retained_page(b, v, rs, m, bound, &err);
		free(rs);
		if (st == MT_CANCELLED)
			ok = b->ret_yielded ? false : ret_cancelled(b);
		else if (st != MT_OK) {
			bv_err(b, "retained", &err);
			ok = false;
		}
	}
	/* the rest one by one (a whole traversal each): after the bounds,
	 * with the exact figures */
	for (size_t k = from; ok && !bound && k < to && k < v->nvis; k++) {
		brow *r = &v->rows[v->vis[k]];
		if (!missing(r, true))
			continue;
		if (bv_ret_progress(b, "retained sizes", done, n)) {
			ok = b->ret_yielded ? false : ret_cancelled(b);
			break;
		}
		mt_err err;
		mt_err_clear(&err);
		if (r->ret == RET_BOUND)
			r->ret = RET_UNKNOWN;
		if (bv_retained(b, v, r, &err) != MT_OK) {
			bv_err(b, "retained", &err);
			ok = false;
		}
		done++;
	}
	b->ret_idle = false;
	return ok;
}

/* Saves the start screen beside the dump (preview.h) the first time it is
 * complete: the start view alone, as it opened (first page, cursor on the
 * "all" row, size order, no filter, no message) and no key handled yet,
 * every Retained figure on screen exact. */
static void save_preview(mt_browser *b)
{
	bview *v = bv_top(b);
	size_t page = (size_t)bv_page(b);
	if (b->preview_done || b->keys_seen || b->depth != 1 || b->nside ||
	    !v->ops->retained_page || v->top || v->cur || v->filter ||
	    v->sort != SORT_SIZE || b->msg || b->live || b->pending ||
	    count_missing(v, 0, page, true))
		return;
	b->preview_done = true;
	size_t n = v->nvis < page ? v->nvis : page, k = 0;
	mt_preview_row *rows = mt_xmalloc((n ? n : 1) * sizeof *rows);
	for (size_t i = 0; i < n; i++) {
		const brow *r = &v->rows[v->vis[i]];
		if (r->ret == RET_KNOWN)
			rows[k++] = (mt_preview_row){r->all ? MT_NO_ID : r->obj,
						     r->count, r->size,
						     r->retained};
	}
	mt_err err;
	mt_err_clear(&err);
	/* a failure only means no preview next time */
	(void)mt_preview_save(b->opts.preview_dump, b->opts.preview_key,
			      &b->screen, rows, k, &err);
	free(rows);
}

/* The Retained figures of rows top..top+page, drawn as they come: on a
 * big heap the bounds first (fast), then the exact figures for as long
 * as no key waits; a cancel pauses the column until `r`. */
static void fill_retained(mt_browser *b, bview *v, size_t top, size_t page)
{
	bool bounds = bv_use_bounds(b, v);
	if (count_missing(v, top, top + page, false)) {
		if (!bv_compute_retained(b, v, top, top + page,
					 bounds ? RC_BOUNDS : RC_EXACT))
			b->ret_paused = true;
		bv_layout(b);
		b->ui->draw(b->ui, &b->screen);
	}
	if (b->ret_paused || !bounds ||
	    !bv_missing_retained(b, v, top, top + page))
		return;
	if (bv_compute_retained(b, v, top, top + page, RC_IDLE)) {
		bv_layout(b);
		b->ui->draw(b->ui, &b->screen);
	} else if (!b->ret_yielded)
		b->ret_paused = true;
}

/* While the user reads the screen: pages for the next view's big arrays
 * made ahead on the second core (util.h, mt_big_prepare), so that a
 * re-partition after a second open, which finds no page pass's scratch
 * to reuse, does not wait for the kernel to zero 1 GB at 80M objects.
 * Only while no page pass's scratch is held (a second open's start,
 * whose figures were saved): MT_BROWSER_WARM bytes an object, what a
 * re-partition of the whole heap takes at most (its kinds, 2 bytes, or 4
 * past 65535 kinds, then the page pass's masks, 4 or 8), no more than
 * its page pass will hold.  A new view whose set is made first gives them
 * back (view.c, trim_retained).  After a second open's start they are
 * made while its dominance context is built (mt_browser_draw). */
static void prepare_pages(mt_browser *b, size_t held)
{
	if (b->nside || b->opts.no_retained ||
	    (b->ui->key_waits && b->ui->key_waits(b->ui)))
		return; /* (a key that waits: no one reads) */
	/* with the scratch held, its trim gives the next view's arrays
	 * most of their pages; more made here would only raise the peak */
	if (!held)
		mt_big_prepare(MT_BROWSER_WARM * (size_t)mt_graph_count(b->g));
}

static void prepare_memory(mt_browser *b)
{
	mt_dominance *dom = b->dom_state == 1 ? bv_dominance(b) : NULL;
	if (dom)
		prepare_pages(b, mt_dominance_scratch_bytes(dom));
}

void mt_browser_draw(mt_browser *b)
{
	bv_use_side(b, bv_top(b)->side);
	bv_layout(b);
	b->ui->draw(b->ui, &b->screen);
	bview *v = bv_top(b);
	size_t page = (size_t)bv_page(b), top = v->top;
	if (!b->ret_paused && bv_missing_retained(b, v, top, top + page))
		fill_retained(b, v, top, page);
	save_preview(b); /* when the start screen is complete */
	if (b->seeded && !b->dom_state && !b->opts.no_retained) {
		/* the start's figures came from the preview: the analysis
		 * the next keys need, now (as a first open makes it for the
		 * start) */
		b->seeded = false;
		prepare_pages(b, 0); /* made while the context is built */
		if (bv_dominance(b))
			index_note(b);
		bv_layout(b);
		b->ui->draw(b->ui, &b->screen);
	}
}

void mt_browser_run(mt_browser *b)
{
	mt_browser_draw(b);
	for (;;) {
		prepare_memory(b);
		int k = b->ui->getkey(b->ui);
		mt_big_prepare_stop(); /* the key's work may need the memory */
		if (k == MT_KEY_EOF)
			break;
		if (!mt_browser_key(b, k))
			break;
		mt_browser_draw(b);
	}
}
