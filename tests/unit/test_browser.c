/* cmocka tests of the browser core through a scripted mt_ui: the start
 * view, moving and its bounds, the back stack restoring cursor and scroll,
 * q / Q, sorting (reverse, underlined column), filter, marks and the
 * query prompt, the live search, cancelling long work through progress, the headless
 * script parser and the width handling of the layout. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "bpriv.h"
#include "browser.h"
#include "memtrack/classifier.h"
#include "memtrack/series.h"
#include "fixture.h"
#include "headless.h"
#include "preview.h"

static char path[64];
static mt_graph *g;

/* A test ui: keys from an array, lines for readline from another. */
typedef struct tui {
	mt_ui ui;
	const int *keys;
	size_t nkeys, pos;
	const char *const *lines;
	size_t nlines, lpos;
	int beeps, draws, progress_calls;
	int tree_calls;	     /* progress of a dominator tree */
	mt_browser *b;	     /* set: readline types its line live */
	size_t live_cur[16]; /* the cursor after each character */
	bool live_err[16];   /* the status line was an error then */
	bool live_cancel;    /* then Esc */
	bool cancel;
	int rows, cols;
	char line0[256]; /* line 0 of the last screen drawn */
	int dots;	 /* screens drawn with a Retained cell `...` */
} tui;

static void t_size(mt_ui *ui, int *r, int *c)
{
	tui *t = ui->priv;
	*r = t->rows;
	*c = t->cols;
}
static void t_draw(mt_ui *ui, const mt_screen *s)
{
	tui *t = ui->priv;
	t->draws++;
	snprintf(t->line0, sizeof t->line0, "%s",
		 s->rows ? s->lines[0].text : "");
	for (int i = 0; i < s->rows; i++)
		if (s->lines[i].text && strstr(s->lines[i].text, "      ... ")) {
			t->dots++;
			break;
		}
}
static int t_getkey(mt_ui *ui)
{
	tui *t = ui->priv;
	return t->pos < t->nkeys ? t->keys[t->pos++] : MT_KEY_EOF;
}
static char *t_readline(mt_ui *ui, const char *p, const char *h,
			char *(*c)(void *, const char *, int), void *d,
			void (*changed)(void *, const char *))
{
	tui *t = ui->priv;
	(void)p;
	(void)h;
	if (changed && t->b) { /* types the line key by key */
		const char *l = t->lpos < t->nlines ? t->lines[t->lpos] : "";
		for (size_t n = 1; n <= strlen(l) && n <= 16; n++) {
			char *part = strndup(l, n);
			assert_non_null(part);
			int before = t->draws;
			changed(d, part);
			free(part);
			assert_int_equal(t->draws, before + 1);
			t->live_cur[n - 1] = bv_top(t->b)->cur;
			/* the last row is left to the prompt */
			const mt_screen *s = mt_browser_screen(t->b);
			assert_string_equal(s->lines[s->rows - 1].text, "");
			t->live_err[n - 1] =
			    s->lines[s->rows - 2].attr == MT_LINE_ERROR;
		}
		if (t->live_cancel) {
			t->lpos++;
			return NULL;
		}
	}
	if (c) { /* completion works on the query's names */
		char *x = c(d, "h.byt", 0);
		assert_non_null(x);
		assert_string_equal(x, "bytype");
		free(x);
	}
	return t->lpos < t->nlines ? strdup(t->lines[t->lpos++]) : NULL;
}
static bool t_progress(mt_ui *ui, const char *l, uint64_t d, uint64_t n)
{
	tui *t = ui->priv;
	(void)d;
	(void)n;
	t->progress_calls++;
	if (strstr(l, "dominator"))
		t->tree_calls++;
	return t->cancel;
}
static void t_beep(mt_ui *ui)
{
	tui *t = ui->priv;
	t->beeps++;
}

static void tui_init(tui *t)
{
	memset(t, 0, sizeof *t);
	t->ui = (mt_ui){t_size, t_draw, t_getkey, t_readline, t_progress,
			t_beep, t};
	t->rows = 24;
	t->cols = 80;
}

static mt_browser *start(tui *t)
{
	mt_browser *b = NULL;
	mt_err err;
	assert_int_equal(mt_browser_new(&b, g, &t->ui, NULL, &err), MT_OK);
	mt_browser_draw(b);
	return b;
}

static const char *line(mt_browser *b, int i)
{
	return mt_browser_screen(b)->lines[i].text;
}

static void keys(mt_browser *b, const char *s)
{
	for (; *s; s++) {
		assert_true(mt_browser_key(b, (unsigned char)*s));
		mt_browser_draw(b);
	}
}

static int setup(void **state)
{
	(void)state;
	mt_err err;
	snprintf(path, sizeof path, "/tmp/mt_test_browser.%ld.mp",
		 (long)getpid());
	if (fx_write_canned("many", path, &err) != MT_OK)
		return -1;
	return mt_graph_load(&g, path, NULL, NULL, &err) == MT_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	mt_graph_free(g);
	unlink(path);
	return 0;
}

static void test_start(void **state)
{
	(void)state;
	tui t;
	tui_init(&t);
	mt_browser *b = start(&t);
	assert_non_null(strstr(line(b, 0), "pid 4242"));
	assert_string_equal(line(b, 1) + 0, strstr(line(b, 1), "h  ("));
	assert_string_equal(line(b, 2), "heap");
	assert_non_null(strstr(line(b, 3), "Retained Kind"));
	assert_int_equal(line(b, 4)[0], '>');
	assert_null(strstr(line(b, 4), "..."));
	assert_int_equal(mt_browser_screen(b)->lines[4].attr,
			 MT_LINE_CURSOR);
	assert_int_equal(mt_browser_screen(b)->lines[23].attr,
			 MT_LINE_STATUS);
	char want[32]; /* on the "all" row, which is not counted */
	snprintf(want, sizeof want, "all %zu rows", bv_top(b)->nvis - 1);
	assert_non_null(strstr(line(b, 23), want));
	keys(b, "j");
	snprintf(want, sizeof want, "row 1 of %zu", bv_top(b)->nvis - 1);
	assert_non_null(strstr(line(b, 23), want));
	/* the sort column (Size) is underlined */
	const mt_screen_line *h = &mt_browser_screen(b)->lines[3];
	assert_int_equal(h->hl_len, 4);
	assert_memory_equal(h->text + h->hl_start, "Size", 4);
	mt_browser_free(b);
}

static void test_move_bounds(void **state)
{
	(void)state;
	tui t;
	tui_init(&t);
	mt_browser *b = start(&t);
	keys(b, "k");
	assert_int_equal(bv_top(b)->cur, 0);
	assert_true(mt_browser_key(b, MT_KEY_END));
	mt_browser_draw(b);
	size_t last = bv_top(b)->nvis - 1;
	assert_int_equal(bv_top(b)->cur, last);
	keys(b, "j");
	assert_int_equal(bv_top(b)->cur, last);
	assert_true(bv_top(b)->top + (size_t)bv_page(b) > last);
	assert_true(mt_browser_key(b, MT_KEY_PGUP));
	assert_int_equal(bv_top(b)->cur, last - (size_t)bv_page(b));
	mt_browser_free(b);
}

static void test_back_stack(void **state)
{
	(void)state;
	tui t;
	tui_init(&t);
	mt_browser *b = start(&t);
	assert_true(mt_browser_key(b, MT_KEY_PGDN));
	keys(b, "jj");
	size_t cur = bv_top(b)->cur, top = bv_top(b)->top;
	keys(b, "l");
	assert_int_equal(mt_browser_depth(b), 2);
	keys(b, "R");
	assert_int_equal(mt_browser_depth(b), 3);
	assert_non_null(strstr(line(b, 2), "referrers"));
	keys(b, "h<");
	assert_int_equal(mt_browser_depth(b), 1);
	assert_int_equal(bv_top(b)->cur, cur);
	assert_int_equal(bv_top(b)->top, top);
	/* back at the first view beeps, q there quits */
	keys(b, "h");
	assert_int_equal(t.beeps, 1);
	assert_false(mt_browser_key(b, 'q'));
	mt_browser_free(b);
}

static void test_Q_and_run(void **state)
{
	(void)state;
	tui t;
	tui_init(&t);
	static const int k[] = {'j', MT_KEY_ENTER, 'Q', 'j'};
	t.keys = k;
	t.nkeys = 4;
	mt_browser *b = start(&t);
	mt_browser_run(b);
	assert_int_equal(t.pos, 3); /* stopped at Q */
	mt_browser_free(b);
}

static void test_sort(void **state)
{
	(void)state;
	tui t;
	tui_init(&t);
	mt_browser *b = start(&t);
	bview *v = bv_top(b);
	keys(b, "a");
	assert_int_equal(v->sort, SORT_LABEL);
	assert_false(v->rev);
	const char *first = v->rows[v->vis[0]].label;
	for (size_t i = 1; i < v->nvis; i++)
		assert_true(strcasecmp(first, v->rows[v->vis[i]].label) <= 0);
	keys(b, "a");
	assert_true(v->rev);
	assert_non_null(strstr(line(b, 23), "sort: kind desc"));
	const mt_screen_line *h = &mt_browser_screen(b)->lines[3];
	assert_memory_equal(h->text + h->hl_start, "Kind", 4);
	keys(b, "#");
	for (size_t i = 1; i < v->nvis; i++)
		assert_true(v->rows[v->vis[i - 1]].count >=
			    v->rows[v->vis[i]].count);
	keys(b, "r");
	for (size_t i = 1; i < v->nvis; i++)
		assert_true(v->rows[v->vis[i - 1]].retained >=
			    v->rows[v->vis[i]].retained);
	h = &mt_browser_screen(b)->lines[3];
	assert_memory_equal(h->text + h->hl_start, "Retained", 8);
	mt_browser_free(b);
}

static void test_filter_marks_query(void **state)
{
	(void)state;
	tui t;
	tui_init(&t);
	static const char *const lines[] = {"/^dict/", "a & b", "h.nope",
					    "a - b", ""};
	t.lines = lines;
	t.nlines = 5;
	mt_browser *b = start(&t);
	bview *v = bv_top(b);
	keys(b, "\\");
	assert_true(v->nvis > 0 && v->nvis < v->nrows);
	/* the "all" row first, the rows shown after it */
	assert_true(v->rows[v->vis[0]].all);
	for (size_t i = 1; i < v->nvis; i++)
		assert_int_equal(strncmp(v->rows[v->vis[i]].label, "dict", 4),
				 0);
	/* mark two rows (not the "all" row: a beep), save as a; b is the
	 * whole first row */
	keys(b, " j  ma");
	assert_int_equal(t.beeps, 1);
	assert_non_null(strstr(line(b, 23), "a: "));
	assert_non_null(strstr(line(b, 23), "(2 marked rows)"));
	assert_int_equal(line(b, 4)[1], ' ');
	assert_int_equal(line(b, 5)[1], '*');
	keys(b, "gjl");
	keys(b, "mb");
	keys(b, "h:");
	assert_int_equal(mt_browser_depth(b), 2);
	assert_non_null(strstr(line(b, 1), "a & b"));
	keys(b, "h:");
	assert_int_equal(mt_browser_depth(b), 1);
	assert_int_equal(mt_browser_screen(b)->lines[23].attr, MT_LINE_ERROR);
	assert_non_null(strstr(line(b, 23), "at column 3"));
	keys(b, ":");
	assert_int_equal(mt_browser_depth(b), 2);
	keys(b, "h\\"); /* empty filter clears */
	assert_int_equal(v->nvis, v->nrows);
	mt_browser_free(b);
}

/* `/` searches as the line is typed, from the row where it started. */
static void test_live_search(void **state)
{
	(void)state;
	tui t;
	tui_init(&t);
	static const char *const lines[] = {"deepx", "deep"};
	t.lines = lines;
	t.nlines = 2;
	mt_browser *b = start(&t);
	t.b = b;
	bview *v = bv_top(b);
	/* d: dict of app.C03, de: dict of some.deeply..., deepx: none */
	t.live_cancel = true;
	keys(b, "/");
	static const size_t want[] = {5, 7, 7, 7, 0}; /* 0: the "all" row */
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(t.live_cur[i], want[i]);
		assert_int_equal(t.live_err[i], i == 4);
	}
	assert_int_equal(v->cur, 0); /* Esc: back at the start */
	assert_null(b->search);
	assert_int_equal(mt_browser_screen(b)->lines[23].attr,
			 MT_LINE_STATUS);
	/* Enter keeps the row and the text for n / N */
	t.live_cancel = false;
	keys(b, "j/");
	assert_int_equal(v->cur, 7);
	assert_string_equal(b->search, "deep");
	assert_non_null(strstr(line(b, 23), "search: deep"));
	keys(b, "n");
	assert_int_equal(v->cur, 8);
	keys(b, "N");
	assert_int_equal(v->cur, 7);
	mt_browser_free(b);
}

static void test_cancel(void **state)
{
	(void)state;
	tui t;
	tui_init(&t);
	t.cancel = true; /* every progress call asks to cancel */
	mt_browser *b = start(&t);
	assert_true(t.progress_calls > 0);
	assert_non_null(strstr(line(b, 4), "..."));
	assert_non_null(strstr(line(b, 23), "cancelled"));
	/* the browser goes on; r asks again and succeeds without cancel */
	t.cancel = false;
	keys(b, "r");
	assert_null(strstr(line(b, 4), "..."));
	mt_browser_free(b);
}

/* ui->idle of the test ui: a key waits while idle_key is set. */
static int idle_calls;
static bool idle_key;
static bool t_idle(mt_ui *ui, const char *l, uint64_t d, uint64_t n)
{
	(void)ui;
	(void)d;
	(void)n;
	assert_non_null(strstr(l, "retained sizes"));
	idle_calls++;
	return idle_key;
}

static mt_browser *start_opts(tui *t, const mt_browser_opts *o)
{
	mt_browser *b = NULL;
	mt_err err;
	t->ui.idle = t_idle;
	assert_int_equal(mt_browser_new(&b, g, &t->ui, o, &err), MT_OK);
	mt_browser_draw(b);
	return b;
}

/* --retained=bounds: while a key waits, the page shows lower bounds (a ≥
 * before the figure, > in ASCII) no more than the exact figures, exact
 * for a row of one object and the whole heap's "all" row; once no key
 * waits, the exact figures, the same as --retained=exact's.  exact and
 * auto on a small heap never show bounds nor ask ui->idle.  A cancel of
 * the bounds leaves `...` and says so. */
static void test_retained_bounds(void **state)
{
	(void)state;
	tui te, tb;
	tui_init(&te);
	tui_init(&tb);
	te.rows = tb.rows = 60; /* every row on one page */
	mt_browser_opts oe = {.retained = MT_RET_EXACT},
			ob = {.retained = MT_RET_BOUNDS};
	idle_calls = 0;
	mt_browser *be = start_opts(&te, &oe);
	assert_int_equal(idle_calls, 0);
	idle_key = true;
	mt_browser *bb = start_opts(&tb, &ob);
	bview *ve = bv_top(be), *vb = bv_top(bb);
	assert_int_equal(ve->nrows, vb->nrows);
	assert_true(idle_calls > 0); /* the exact pass began, then stopped */
	size_t nbound = 0, nless = 0;
	for (size_t i = 0; i < vb->nrows; i++) {
		brow *x = &ve->rows[i], *y = &vb->rows[i];
		assert_int_equal(x->ret, RET_KNOWN);
		assert_true(y->ret == RET_KNOWN || y->ret == RET_BOUND);
		assert_true(y->retained <= x->retained);
		if (y->all || y->count == 1) {
			assert_int_equal(y->ret, RET_KNOWN);
			assert_true(y->retained == x->retained);
		}
		nbound += y->ret == RET_BOUND;
		nless += y->retained < x->retained;
	}
	assert_true(nbound > 0);
	(void)nless;
	int with_ge = 0;
	for (int i = 4; i < tb.rows - 1; i++)
		with_ge += strstr(line(bb, i), "\xe2\x89\xa5") != NULL;
	assert_int_equal(with_ge, (int)nbound);
	assert_null(strstr(line(bb, tb.rows - 1), "cancelled"));
	/* no key waits any more: the exact figures, as exact mode's */
	idle_key = false;
	keys(bb, "j");
	for (size_t i = 0; i < vb->nrows; i++) {
		assert_int_equal(vb->rows[i].ret, RET_KNOWN);
		assert_true(vb->rows[i].retained == ve->rows[i].retained);
	}
	for (int i = 4; i < tb.rows - 1; i++)
		assert_null(strstr(line(bb, i), "\xe2\x89\xa5"));
	mt_browser_free(bb);
	mt_browser_free(be);

	/* ASCII: > instead */
	idle_key = true;
	tui_init(&tb);
	ob.ascii = true;
	bb = start_opts(&tb, &ob);
	int with_gt = 0;
	for (int i = 4; i < tb.rows - 1; i++)
		with_gt += strstr(line(bb, i), " >") != NULL;
	assert_true(with_gt > 0);
	mt_browser_free(bb);

	/* auto on a heap below MT_RET_BOUNDS_FROM: exact at once */
	idle_calls = 0;
	tui_init(&tb);
	mt_browser_opts oa = {.retained = MT_RET_AUTO};
	bb = start_opts(&tb, &oa);
	assert_int_equal(idle_calls, 0);
	for (size_t i = 0; i < bv_top(bb)->nrows; i++)
		assert_int_not_equal(bv_top(bb)->rows[i].ret, RET_BOUND);
	mt_browser_free(bb);

	/* the bounds cancelled: `...` and a message; r asks again */
	tui_init(&tb);
	tb.cancel = true;
	ob.ascii = false;
	bb = start_opts(&tb, &ob);
	assert_non_null(strstr(line(bb, 5), "..."));
	assert_non_null(strstr(line(bb, 23), "cancelled"));
	tb.cancel = false;
	idle_key = false;
	keys(bb, "r");
	assert_null(strstr(line(bb, 5), "..."));
	mt_browser_free(bb);
	idle_key = false;
}

/* The preview file (preview.h): what is saved is read back; another
 * key, a damaged or truncated file, a missing one: an error (no
 * preview); a file of that name that is not ours, or a symbolic link,
 * is left alone; mode 0600. */
static void test_preview_file(void **state)
{
	(void)state;
	mt_savedidx_key key, other;
	mt_err err;
	assert_int_equal(mt_savedidx_probe(path, &key, &err), MT_OK);
	char *pv = mt_preview_path(path);
	unlink(pv);
	mt_screen_line lines[3] = {
	    {"title \xe2\x94\x82 x", MT_LINE_TITLE, 0, 0},
	    {"", MT_LINE_NORMAL, 0, 0},
	    {"status", MT_LINE_STATUS, 2, 3}};
	mt_screen s = {3, 20, lines, -1, -1};
	mt_preview_row rows[2] = {{7, 3, 96, 123},
				  {MT_NO_ID, 10, 500, 1ull << 40}};
	mt_preview p;
	assert_int_equal(mt_preview_load(path, &key, &p, &err), MT_IO);
	assert_int_equal(mt_preview_save(path, &key, &s, rows, 2, &err),
			 MT_OK);
	struct stat sb;
	assert_int_equal(stat(pv, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(mt_preview_load(path, &key, &p, &err), MT_OK);
	assert_int_equal(p.screen.rows, 3);
	assert_int_equal(p.screen.cols, 20);
	for (int i = 0; i < 3; i++) {
		assert_string_equal(p.screen.lines[i].text, lines[i].text);
		assert_int_equal(p.screen.lines[i].attr, lines[i].attr);
		assert_int_equal(p.screen.lines[i].hl_start,
				 lines[i].hl_start);
		assert_int_equal(p.screen.lines[i].hl_len, lines[i].hl_len);
	}
	assert_int_equal(p.n, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(p.rows[i].kind, rows[i].kind);
		assert_true(p.rows[i].count == rows[i].count &&
			    p.rows[i].size == rows[i].size &&
			    p.rows[i].retained == rows[i].retained);
	}
	mt_preview_free(&p);
	other = key;
	other.checksum ^= 1;
	assert_int_equal(mt_preview_load(path, &other, &p, &err), MT_ARG);
	assert_null(p.screen.lines);
	other = key;
	other.mtime_nsec++;
	assert_int_equal(mt_preview_load(path, &other, &p, &err), MT_ARG);
	/* truncated by one byte, then a byte of the text changed into a
	 * line's end */
	assert_int_equal(truncate(pv, sb.st_size - 1), 0);
	assert_int_equal(mt_preview_load(path, &key, &p, &err), MT_MSGPACK);
	assert_non_null(strstr(err.detail, "damaged preview"));
	assert_int_equal(mt_preview_save(path, &key, &s, rows, 2, &err),
			 MT_OK);
	FILE *f = fopen(pv, "r+");
	assert_non_null(f);
	char buf[4096];
	size_t n = fread(buf, 1, sizeof buf, f);
	char *at = memmem(buf, n, "status", 6);
	assert_non_null(at);
	at[2] = '\n';
	rewind(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	fclose(f);
	assert_int_equal(mt_preview_load(path, &key, &p, &err), MT_MSGPACK);
	/* not ours: left alone */
	f = fopen(pv, "w");
	fputs("my notes\n", f);
	fclose(f);
	assert_int_equal(mt_preview_save(path, &key, &s, rows, 2, &err),
			 MT_MAGIC);
	f = fopen(pv, "r");
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, "my notes\n");
	unlink(pv);
	assert_int_equal(symlink("/tmp/nowhere-memtrack", pv), 0);
	assert_int_equal(mt_preview_save(path, &key, &s, rows, 2, &err),
			 MT_MAGIC);
	assert_non_null(strstr(err.detail, "symbolic link, left alone"));
	assert_int_equal(lstat(pv, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	assert_int_equal(mt_preview_load(path, &key, &p, &err), MT_IO);
	unlink(pv);
	free(pv);
}

/* The browser saves its start screen once complete and before any key;
 * a browser given that preview draws its start with those figures at once
 * (never a `...`; the analysis is made after that first screen) and the
 * same screen, and does not save it again; a key before the figures are
 * complete means no preview. */
static void test_preview_browser(void **state)
{
	(void)state;
	mt_savedidx_key key;
	mt_err err;
	assert_int_equal(mt_savedidx_probe(path, &key, &err), MT_OK);
	char *pv = mt_preview_path(path);
	unlink(pv);
	tui t;
	tui_init(&t);
	mt_browser_opts o = {.preview_dump = path, .preview_key = &key};
	mt_browser *b = start_opts(&t, &o);
	mt_preview p;
	assert_int_equal(mt_preview_load(path, &key, &p, &err), MT_OK);
	const mt_screen *s = mt_browser_screen(b);
	assert_int_equal(p.screen.rows, s->rows);
	for (int i = 0; i < s->rows; i++)
		assert_string_equal(p.screen.lines[i].text, s->lines[i].text);
	bview *v = bv_top(b);
	size_t page = (size_t)(s->rows - 5), want = 0;
	assert_true(p.n > 1);
	for (size_t i = 0; i < v->nvis && i < page; i++)
		want += v->rows[v->vis[i]].ret == RET_KNOWN;
	assert_int_equal(p.n, want);
	/* given the preview: the same screen, no work, no new file */
	unlink(pv);
	tui t2;
	tui_init(&t2);
	mt_browser_opts o2 = {.preview_dump = path, .preview_key = &key,
			      .seed = &p};
	mt_browser *b2 = start_opts(&t2, &o2);
	assert_true(t.dots > 0);
	assert_int_equal(t2.dots, 0);
	assert_true(t2.draws >= 1);
	const mt_screen *s2 = mt_browser_screen(b2);
	for (int i = 0; i < s->rows; i++)
		assert_string_equal(s2->lines[i].text, s->lines[i].text);
	assert_int_not_equal(access(pv, F_OK), 0);
	mt_browser_free(b2);
	/* a figure whose row does not have that count (not this dump's):
	 * not taken, that row computed (a `...` drawn first) */
	p.rows[0].count++;
	tui_init(&t2);
	b2 = start_opts(&t2, &o2);
	assert_true(t2.dots > 0);
	for (int i = 0; i < s->rows; i++)
		assert_string_equal(mt_browser_screen(b2)->lines[i].text,
				    s->lines[i].text);
	mt_browser_free(b2);
	mt_browser_free(b);
	mt_preview_free(&p);
	/* cancelled first, complete only after a key: none */
	tui_init(&t);
	t.cancel = true;
	b = start_opts(&t, &o);
	assert_non_null(strstr(line(b, 5), "..."));
	t.cancel = false;
	keys(b, "r");
	assert_null(strstr(line(b, 5), "..."));
	assert_int_not_equal(access(pv, F_OK), 0);
	mt_browser_free(b);
	free(pv);
}

static void test_inspector(void **state)
{
	(void)state;
	tui t;
	tui_init(&t);
	mt_browser *b = start(&t);
	keys(b, "i");
	assert_non_null(strstr(line(b, 2), "by id"));
	keys(b, "jl");
	assert_non_null(strstr(line(b, 3), "Relation and object"));
	assert_non_null(strstr(line(b, 4), "address   0x"));
	mt_browser_free(b);
}

/* The target's words for the status line (bk_target). */
static void target_is(mt_browser *b, const char *want)
{
	mt_strbuf o;
	mt_strbuf_init(&o);
	bk_target(b, bv_top(b), &o);
	assert_string_equal(o.s ? o.s : "", want);
	mt_strbuf_destroy(&o);
}

/* The row keys act on the target (issue 9): the whole view on the "all"
 * row where the cursor starts, the row under the cursor, the marked rows
 * together, the rows shown under a filter. */
static void test_target(void **state)
{
	(void)state;
	tui t;
	tui_init(&t);
	static const char *const lines[] = {"/^dict/"};
	t.lines = lines;
	t.nlines = 1;
	mt_browser *b = start(&t);
	bview *v = bv_top(b);
	assert_int_equal(v->cur, 0);
	assert_true(v->rows[v->vis[0]].all);
	assert_int_equal(v->rows[v->vis[0]].count, mt_set_count(v->set));
	target_is(b, "on all rows");
	keys(b, "R");
	assert_non_null(strstr(line(b, 1), "h.referrers  ("));
	/* the row under the cursor: its set, its expression */
	keys(b, "hj");
	brow *r = &v->rows[v->vis[1]];
	char want[64];
	snprintf(want, sizeof want, "on [%u] %s", r->index, r->label);
	target_is(b, want);
	keys(b, "e");
	snprintf(want, sizeof want, "h[%u]  (", r->index);
	assert_int_equal(strncmp(line(b, 1), want, strlen(want)), 0);
	assert_int_equal(mt_set_count(bv_top(b)->set), r->count);
	/* (the row's objects come from the view's kinds, its expression
	 * from the query layer: the two agree) */
	mt_qresult rq;
	mt_err rerr;
	assert_int_equal(mt_query_eval(b->q, bv_top(b)->expr, &rq, &rerr),
			 MT_OK);
	assert_true(mt_set_equal(rq.set, bv_top(b)->set));
	mt_qresult_destroy(&rq);
	for (size_t i = 0; i < v->nrows; i++) {
		mt_set *rs;
		if (v->rows[i].all)
			continue;
		assert_int_equal(mt_query_row(b->q, &v->res, v->rows[i].index,
					      &rq, &rerr),
				 MT_OK);
		assert_int_equal(bv_row_set(b, v, &v->rows[i], &rs, &rerr),
				 MT_OK);
		assert_true(mt_set_equal(rq.set, rs));
		mt_set_unref(rs);
		mt_qresult_destroy(&rq);
	}
	keys(b, "h");
	/* two marked rows: their union */
	keys(b, "j j ");
	target_is(b, "on 2 marked rows");
	brow *m1 = &v->rows[v->vis[2]], *m2 = &v->rows[v->vis[4]];
	keys(b, "F");
	mt_set *s1, *s2, *u, *ref;
	mt_err err;
	assert_int_equal(bv_row_set(b, v, m1, &s1, &err), MT_OK);
	assert_int_equal(bv_row_set(b, v, m2, &s2, &err), MT_OK);
	assert_int_equal(mt_set_op(&u, MT_SETOP_OR, s1, s2, &err), MT_OK);
	mt_qresult q;
	assert_int_equal(mt_query_eval(b->q, bv_top(b)->expr, &q, &err),
			 MT_OK);
	assert_non_null(strstr(bv_top(b)->expr, " | "));
	assert_non_null(strstr(bv_top(b)->expr, ").referents"));
	/* the expression on line 1 evaluates to the set shown */
	assert_true(mt_set_equal(q.set, bv_top(b)->set));
	mt_qresult_destroy(&q);
	/* referents of the union */
	mt_qresult ur = {
	    .kind = MT_QRESULT_SET, .set = u, .er = "clodo", .expr = (char *)"u"};
	assert_int_equal(mt_query_attr(b->q, &ur, "referents", &q, &err),
			 MT_OK);
	assert_true(mt_set_equal(q.set, bv_top(b)->set));
	mt_qresult_destroy(&q);
	mt_set_unref(s1);
	mt_set_unref(s2);
	mt_set_unref(u);
	keys(b, "h");
	/* unmarked again: the row under the cursor */
	keys(b, "k kkk ");
	assert_false(m1->marked || m2->marked);
	/* a filter: the "all" row stands for the rows shown */
	keys(b, "g\\");
	assert_int_equal(v->cur, 0);
	uint64_t count = 0;
	for (size_t i = 1; i < v->nvis; i++)
		count += v->rows[v->vis[i]].count;
	assert_int_equal(v->rows[v->vis[0]].count, count);
	snprintf(want, sizeof want, "on the %zu rows shown", v->nvis - 1);
	target_is(b, want);
	assert_int_equal(bv_row_set(b, v, &v->rows[v->vis[0]], &ref, &err),
			 MT_OK);
	assert_int_equal(mt_set_count(ref), count);
	keys(b, "P");
	assert_int_equal(strncmp(line(b, 1), "(h[", 3), 0); /* (A | B).paths */
	assert_non_null(strstr(line(b, 1), " | "));
	assert_non_null(strstr(line(b, 2), "rows shown"));
	mt_set_unref(ref);
	/* Enter on the "all" row opens the rows shown as one set; Space
	 * beeps there */
	keys(b, "h");
	size_t depth = mt_browser_depth(b), beeps = (size_t)t.beeps;
	keys(b, "l");
	assert_int_equal(mt_browser_depth(b), depth + 1);
	assert_int_equal(mt_set_count(bv_top(b)->set), count);
	assert_non_null(strstr(line(b, 1), " | "));
	keys(b, "h ");
	assert_int_equal(mt_browser_depth(b), depth);
	assert_int_equal((size_t)t.beeps, beeps + 1);
	mt_browser_free(b);
}

/* The status line's hints of each view, from the key table and the
 * view's caps: sort keys only where rows sort (# where there is a Count
 * column), partition keys where rows are kinds, / and q where there is
 * no set. */
static void test_hints(void **state)
{
	(void)state;
	tui t;
	tui_init(&t);
	t.cols = 200;
	mt_browser *b = start(&t);
	const char *l = strstr(line(b, 23), "Enter open  h back  ? help  : "
					     "query  R F D P  c t e v ");
	assert_non_null(l);
	assert_non_null(strstr(l, " by  s r # a sort"));
	keys(b, "i");
	assert_non_null(strstr(line(b, 23), "\xe2\x94\x82 Enter inspect  h back  "
					    "? help  : query  R F D P  s r a "
					    "sort"));
	keys(b, "jl");
	assert_non_null(strstr(line(b, 23), "\xe2\x94\x82 Enter open object  h "
					    "back  ? help  : query  R F D P"));
	assert_null(strstr(line(b, 23), "sort"));
	keys(b, "P"); /* the paths view: Enter opens a group's objects */
	assert_non_null(strstr(line(b, 23), "\xe2\x94\x82 Enter open  h back  "
					    "/ search  q close  ? help"));
	mt_browser_free(b);
}

/* A key beeps in a view without the caps it needs; ? in the help stays. */
static void test_key_caps(void **state)
{
	(void)state;
	tui t;
	tui_init(&t);
	mt_browser *b = start(&t);
	keys(b, "i#"); /* the identity table has no Count column */
	assert_int_equal(t.beeps, 1);
	assert_int_equal(bv_top(b)->sort, SORT_SIZE);
	keys(b, "jl");
	keys(b, "s"); /* the inspector keeps the object's order */
	assert_int_equal(t.beeps, 2);
	keys(b, "?");
	size_t depth = mt_browser_depth(b);
	keys(b, "?RFDPcm ");
	assert_int_equal(mt_browser_depth(b), depth);
	assert_int_equal(t.beeps, 2 + 7);
	assert_true(mt_browser_key(b, MT_KEY_F1));
	assert_int_equal(mt_browser_depth(b), depth);
	mt_browser_free(b);
}

/* Every key of the table is one request; the partition keys are the
 * classifiers' and none is shadowed by a key of the table; the help lists
 * each of them with its help line. */
static void test_key_table(void **state)
{
	(void)state;
	char buf[64];
	static const struct {
		int key;
		const char *request;
	} want[] = {
	    {'j', "move-down"},	 {MT_KEY_DOWN, "move-down"},
	    {'h', "back"},	 {'<', "back"},
	    {MT_KEY_F1, "help"}, {'c', "by-clodo"},
	    {'t', "by-type"},	 {'e', "by-rcs"},
	    {'i', "by-id"},	 {'y', "by-cycle"},
	    {'x', "compare-hide"},	 {MT_KEY_TAB, "compare-focus"},
	    {'w', "compare-layout"},	 {'W', "whole"},
	    {'X', NULL},	 {MT_KEY_LEFT, "back"},
	    {MT_KEY_RIGHT, "open"},	 {' ', "mark"},
	    {'V', "chart-vms"},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const char *r = bk_request(want[i].key, buf, sizeof buf);
		if (!want[i].request)
			assert_null(r);
		else
			assert_string_equal(r, want[i].request);
	}
	char *help = bk_help_text();
	/* every classifier with a key: its key, its help line */
	size_t n;
	const mt_classifier_def *const *defs = mt_classifier_defs(&n);
	assert_true(n >= 11);
	for (size_t i = 0; i < n; i++) {
		if (!defs[i]->key)
			continue;
		char req[64], line[256];
		snprintf(req, sizeof req, "by-%s", defs[i]->name);
		const char *r = bk_request(defs[i]->key, buf, sizeof buf);
		assert_non_null(r);
		assert_string_equal(r, req);
		snprintf(line, sizeof line, "\n  %c  %s\n", defs[i]->key,
			 defs[i]->help);
		assert_non_null(strstr(help, line));
	}
	assert_non_null(strstr(help, "Partition the target by\n"
				     "  c  "));
	assert_non_null(strstr(help, "\n  ?, F1  this help\n"));
	assert_non_null(strstr(help, "\n  :  a query expression"));
	/* a continuation line is indented under the help column */
	assert_non_null(strstr(help, "\n     :save-screen PATH"));
	free(help);
}

/* One owner per dump: the Retained column builds the context's dominator
 * tree (its progress is the ui's), and the query prompt then uses that
 * tree instead of building a second one. */
static void test_ctx_shared(void **state)
{
	(void)state;
	tui t;
	tui_init(&t);
	static const char *const lines[] = {"h.domisize", "h.byrcs[0].dominos"};
	t.lines = lines;
	t.nlines = 2;
	mt_browser *b = start(&t);
	assert_true(mt_ctx_has_domtree(b->ctx));
	int calls = t.tree_calls;
	assert_true(calls > 0);
	keys(b, ":");
	assert_int_equal(mt_browser_depth(b), 2); /* a text view */
	assert_int_not_equal(mt_browser_screen(b)->lines[23].attr,
			     MT_LINE_ERROR);
	keys(b, ":");
	assert_int_equal(mt_browser_depth(b), 3);
	assert_int_equal(t.tree_calls, calls);
	mt_browser_free(b);
}

static void test_headless_script(void **state)
{
	(void)state;
	mt_headless *h = NULL;
	mt_err err;
	FILE *f = tmpfile();
	assert_int_equal(mt_headless_new(&h, "a<Enter><x<lt><Resize:9x4>",
					 80, 24, f, false, &err),
			 MT_OK);
	mt_ui *ui = mt_headless_ui(h);
	assert_int_equal(ui->getkey(ui), 'a');
	assert_int_equal(ui->getkey(ui), MT_KEY_ENTER);
	assert_int_equal(ui->getkey(ui), '<');
	assert_int_equal(ui->getkey(ui), 'x');
	assert_int_equal(ui->getkey(ui), '<');
	assert_int_equal(ui->getkey(ui), MT_KEY_RESIZE);
	int r, c;
	ui->size(ui, &r, &c);
	assert_int_equal(r, 4);
	assert_int_equal(c, 9);
	assert_int_equal(ui->getkey(ui), MT_KEY_EOF);
	mt_headless_free(h);
	assert_int_equal(mt_headless_new(&h, "ab<Resize:0x1>", 80, 24, f,
					 false, &err),
			 MT_SYNTAX);
	assert_int_equal(err.offset, 2);
	fclose(f);
}

static void test_width(void **state)
{
	(void)state;
	mt_strbuf o;
	mt_strbuf_init(&o);
	assert_int_equal(bv_width("abc"), 3);
	assert_int_equal(bv_width("\xe2\x80\xba"), 1); /* › */
	bv_fit(&o, "abcdef", 4, false);
	assert_string_equal(o.s, "abcd");
	mt_strbuf_reset(&o);
	bv_fit(&o, "a\tb", 5, true);
	assert_string_equal(o.s, "a?b  ");
	mt_strbuf_destroy(&o);
	/* a tiny screen still lays out: rows and status only */
	tui t;
	tui_init(&t);
	t.rows = 3;
	t.cols = 12;
	mt_browser *b = start(&t);
	assert_int_equal(mt_browser_screen(b)->rows, 3);
	assert_true(strlen(line(b, 0)) <= 12);
	assert_int_equal(line(b, 1)[0], '>');
	mt_browser_free(b);
}

/* The one rule for dump text on a terminal, as the batch mode uses it:
 * C0, DEL and C1 controls and bytes that are not UTF-8 (truncated,
 * overlong, surrogates) become '?', one per byte of a bad sequence;
 * printable UTF-8 stays; the characters of `keep` stay. */
static void test_escape(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t n;
		const char *keep, *out;
	} cases[] = {
	    {"\x1b[2Jevil\a", 0, "", "?[2Jevil?"},
	    {"a\nb\tc", 0, "\n", "a\nb?c"},
	    {"a\nb\tc", 0, "\n\t", "a\nb\tc"},
	    {"csi\xc2\x9b" "31m", 0, "\n", "csi?31m"}, /* U+009B */
	    {"\xc2\xa0\xe2\x80\xba", 0, "", "\xc2\xa0\xe2\x80\xba"},
	    {"\xff\xfe", 0, "", "??"},
	    {"\xc0\x9b", 0, "", "??"},	     /* overlong ESC */
	    {"\xed\xa0\x80", 0, "", "???"},     /* a surrogate */
	    {"\xe2\x80", 0, "", "??"},	     /* cut short */
	    {"a\0b", 3, "\n", "a?b"},	     /* NUL inside the text */
	    {"\x7f\xf0\x9f\x98\x80", 0, "", "?\xf0\x9f\x98\x80"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		mt_strbuf o;
		mt_strbuf_init(&o);
		size_t n = cases[i].n ? cases[i].n : strlen(cases[i].in);
		assert_int_equal(
			mt_browser_escape(&o, cases[i].in, n, cases[i].keep),
			MT_OK);
		if (strcmp(o.s ? o.s : "", cases[i].out))
			fail_msg("case %zu: got '%s', want '%s'", i,
				 o.s ? o.s : "", cases[i].out);
		mt_strbuf_destroy(&o);
	}
	/* the browser's screens follow the same rule */
	mt_strbuf o;
	mt_strbuf_init(&o);
	bv_fit(&o, "x\xc2\x9by\x1b", 10, false);
	assert_string_equal(o.s, "x?y?");
	mt_strbuf_destroy(&o);
}

/* ---- comparing dumps (view_compare.c) ---- */

/* Dumps n canned fixtures and loads them. */
static void load_canned(const char *const *names, size_t n, mt_graph **gs,
			char paths[][64])
{
	mt_err err;
	for (size_t i = 0; i < n; i++) {
		snprintf(paths[i], 64, "/tmp/mt_test_browser.%ld.%zu.mp",
			 (long)getpid(), i);
		assert_int_equal(fx_write_canned(names[i], paths[i], &err),
				 MT_OK);
		assert_int_equal(mt_graph_load(&gs[i], paths[i], NULL, NULL,
					       &err),
				 MT_OK);
	}
}

static void free_canned(mt_graph **gs, char paths[][64], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		mt_graph_free(gs[i]);
		unlink(paths[i]);
	}
}

/* The row of view v whose label is `label` (NULL: none). */
static brow *row_labelled(bview *v, const char *label)
{
	for (size_t i = 0; i < v->nrows; i++)
		if (v->rows[i].label && !strcmp(v->rows[i].label, label))
			return &v->rows[i];
	return NULL;
}

/* The screen line whose text ends with `label` (NULL: none). */
static const char *screen_row(mt_browser *b, const char *label)
{
	const mt_screen *s = mt_browser_screen(b);
	size_t n = strlen(label);
	for (int i = 0; i < s->rows; i++) {
		const char *t = s->lines[i].text;
		size_t m = strlen(t);
		if (m > n && !strcmp(t + m - n, label) && t[m - n - 1] == ' ')
			return t;
	}
	return NULL;
}

/* Two dumps of one process: rows of the difference table in |ΔSize|
 * order, signed deltas, the one-side markers, New/Deleted, x, #, Enter
 * on both sides, a partition key on both, Tab and Enter on OLD alone. */
static void test_compare(void **state)
{
	(void)state;
	static const char *const names[] = {"cmp-old", "cmp-new"};
	mt_graph *gs[2];
	char paths[2][64];
	load_canned(names, 2, gs, paths);
	tui t;
	tui_init(&t);
	t.cols = 140;
	t.rows = 40;
	mt_browser *b = NULL;
	mt_err err;
	const char *files[] = {"old.mp", "new.mp"};
	mt_browser_opts o = {.files = files};
	assert_int_equal(mt_browser_new_multi(&b, (const mt_graph *const *)gs,
					      2, &t.ui, &o, &err),
			 MT_OK);
	mt_browser_draw(b);
	assert_int_equal(mt_browser_depth(b), 1);
	bview *v = bv_top(b);
	assert_true(v->ops->caps & BV_CMP);
	assert_non_null(b->match[0]); /* one process: identity */
	assert_ptr_equal(b->g, gs[1]);
	assert_non_null(strstr(line(b, 0), "OLD old.mp  fixture.py"));
	assert_non_null(strstr(line(b, 1), "NEW new.mp  fixture.py"));
	assert_non_null(strstr(line(b, 2), "h0 \xe2\x87\x84 h  (+21 objects"));
	assert_non_null(strstr(line(b, 4), "New Deleted"));
	/* the "all" row first */
	assert_true(v->rows[v->vis[0]].all);
	/* signs and markers, on screen */
	const char *l = screen_row(b, "dict of __main__.Session");
	assert_non_null(l);
	assert_int_equal(l[2], '+');
	assert_non_null(strstr(l, " +696 B "));
	l = screen_row(b, "types.SimpleNamespace");
	assert_non_null(l);
	assert_int_equal(l[2], '-');
	assert_non_null(strstr(l, " -48 B "));
	l = screen_row(b, "int");
	assert_non_null(l);
	assert_int_equal(l[2], ' ');
	/* |ΔSize| order: sizes of the rows as the screen shows them */
	brow *sess = row_labelled(v, "dict of __main__.Session");
	brow *ns = row_labelled(v, "types.SimpleNamespace");
	brow *str = row_labelled(v, "str");
	assert_non_null(sess);
	assert_non_null(ns);
	assert_non_null(str);
	size_t ksess = 0, kns = 0, kstr = 0;
	for (size_t k = 0; k < v->nvis; k++) {
		if (&v->rows[v->vis[k]] == sess)
			ksess = k;
		if (&v->rows[v->vis[k]] == ns)
			kns = k;
		if (&v->rows[v->vis[k]] == str)
			kstr = k;
	}
	assert_true(ksess < kstr && kstr < kns); /* 696 > 670 > 48 */
	/* x: only changed rows; again: all */
	size_t all = v->nvis;
	keys(b, "x");
	assert_true(v->nvis < all);
	assert_null(screen_row(b, "int"));
	assert_non_null(screen_row(b, "types.SimpleNamespace"));
	keys(b, "x");
	assert_int_equal(v->nvis, all);
	/* #: by |ΔCount|: str (+12) first */
	keys(b, "#");
	assert_ptr_equal(&v->rows[v->vis[1]], str);
	assert_non_null(strstr(line(b, t.rows - 1), "|\xce\x94" "count|"));
	keys(b, "s");
	/* Enter on str: a comparison of str on both sides */
	v->cur = kstr;
	keys(b, "\n");
	assert_int_equal(mt_browser_depth(b), 2);
	bview *e = bv_top(b);
	assert_true(e->ops->caps & BV_CMP);
	assert_non_null(strstr(line(b, 2), "h0["));
	assert_non_null(strstr(line(b, 2), "(+12 objects"));
	assert_int_equal(mt_set_count(e->set), str->count);
	/* t on both sides: still a comparison, by type */
	keys(b, "t");
	assert_int_equal(mt_browser_depth(b), 3);
	assert_true(bv_top(b)->ops->caps & BV_CMP);
	assert_non_null(strstr(line(b, 2), ".bytype"));
	keys(b, "hh");
	assert_ptr_equal(bv_top(b), v);
	/* Tab: OLD; Enter opens OLD's row alone, on OLD's dump */
	v->cur = kns;
	keys(b, "\t");
	assert_non_null(strstr(line(b, 0), ">OLD"));
	keys(b, "\n");
	assert_int_equal(mt_browser_depth(b), 2);
	assert_false(bv_top(b)->ops->caps & BV_CMP);
	assert_ptr_equal(b->g, gs[0]);
	assert_int_equal(bv_top(b)->side, 0);
	assert_non_null(strstr(line(b, 0), "85 objects"));
	keys(b, "h");
	assert_ptr_equal(b->g, gs[1]);
	/* Tab again: NEW; a kind NEW lacks beeps with a message */
	keys(b, "\t");
	assert_non_null(strstr(line(b, 1), ">NEW"));
	keys(b, "\n");
	assert_int_equal(mt_browser_depth(b), 1);
	assert_non_null(strstr(line(b, t.rows - 1), "error: not in NEW"));
	mt_browser_free(b);
	free_canned(gs, paths, 2);
}

/* Across processes: no identity (no New/Deleted, the reason on line 2);
 * three dumps: the leak candidates are hp.Leaks, W: A against C; more
 * than three refused. */
static void test_compare_other_three(void **state)
{
	(void)state;
	static const char *const names[] = {"cmp-old", "cmp-other", "cmp-new",
					    "cmp-c"};
	mt_graph *gs[4];
	char paths[4][64];
	load_canned(names, 4, gs, paths);
	tui t;
	tui_init(&t);
	t.cols = 120;
	mt_browser *b = NULL;
	mt_err err;
	assert_int_equal(mt_browser_new_multi(&b, (const mt_graph *const *)gs,
					      2, &t.ui, NULL, &err),
			 MT_OK);
	mt_browser_draw(b);
	assert_null(b->match[0]);
	assert_non_null(strstr(line(b, 2), "no identity: "));
	assert_null(strstr(line(b, 4), "New"));
	mt_browser_free(b);
	/* A B C */
	const mt_graph *abc[3] = {gs[0], gs[2], gs[3]};
	assert_int_equal(mt_browser_new_multi(&b, abc, 3, &t.ui, NULL, &err),
			 MT_OK);
	mt_browser_draw(b);
	bview *v = bv_top(b);
	assert_false(v->ops->caps & BV_CMP);
	assert_string_equal(v->expr, "hp.Leaks");
	mt_qresult q;
	assert_int_equal(mt_query_eval(b->q, "h & h1 - h0", &q, &err), MT_OK);
	assert_true(mt_set_equal(q.set, v->set));
	mt_qresult_destroy(&q);
	assert_int_equal(mt_set_count(v->set), 18);
	keys(b, "W");
	assert_int_equal(mt_browser_depth(b), 2);
	assert_true(bv_top(b)->ops->caps & BV_CMP);
	assert_non_null(strstr(line(b, 1), "NEW"));
	keys(b, "W");
	assert_int_equal(mt_browser_depth(b), 1);
	mt_browser_free(b);
	b = NULL;
	assert_int_equal(mt_browser_new_multi(&b, (const mt_graph *const *)gs,
					      4, &t.ui, NULL, &err),
			 MT_ARG);
	assert_null(b);
	free_canned(gs, paths, 4);
}

/* Cancelling the dominator trees of a comparison leaves `...`; `r` asks
 * both dumps again. */
static void test_compare_cancel(void **state)
{
	(void)state;
	static const char *const names[] = {"cmp-old", "cmp-new"};
	mt_graph *gs[2];
	char paths[2][64];
	load_canned(names, 2, gs, paths);
	tui t;
	tui_init(&t);
	t.cancel = true;
	mt_browser *b = NULL;
	mt_err err;
	assert_int_equal(mt_browser_new_multi(&b, (const mt_graph *const *)gs,
					      2, &t.ui, NULL, &err),
			 MT_OK);
	mt_browser_draw(b);
	const char *l = screen_row(b, "types.SimpleNamespace");
	assert_non_null(l);
	assert_non_null(strstr(l, "..."));
	t.cancel = false;
	keys(b, "r");
	l = screen_row(b, "types.SimpleNamespace");
	assert_non_null(l);
	assert_null(strstr(l, "..."));
	assert_non_null(strstr(l, "-48 B"));
	mt_browser_free(b);
	free_canned(gs, paths, 2);
}


/* ---- series files: the timeline of a process log, tracker stats ---- */

static const char LOG5[] =
    "{\"memtrack_log\": 1, \"pid\": 77, \"interval\": 1.0, \"argv\": "
    "[\"/srv/app.py\"], \"t\": 1000.0, \"rss\": 10000000, \"vms\": "
    "100000000}\n"
    "{\"t\": 1001.0, \"rss\": 20000000, \"vms\": 110000000, \"label\": "
    "\"warm\"}\n"
    "{\"t\": 1002.0, \"rss\": 40000000, \"vms\": 120000000}\n"
    "{\"t\": 1003.0, \"rss\": 30000000, \"vms\": 130000000, \"dump\": "
    "\"%s\"}\n"
    "{\"t\": 1004.0, \"rss\": 25000000, \"vms\": 400000000, \"dump\": "
    "\"%s\"}\n";

static mt_browser *start_series(tui *t, mt_series *s, const char *json,
				bool ascii)
{
	mt_err err;
	mt_browser *b = NULL;
	mt_browser_opts o = {.ascii = ascii};
	assert_int_equal(mt_series_parse(json, strlen(json), MT_FILE_UNKNOWN,
					 s, &err),
			 MT_OK);
	assert_int_equal(mt_browser_new_series(&b, s, "/logs/run.log", &t->ui,
					       &o, &err),
			 MT_OK);
	mt_browser_draw(b);
	return b;
}

/* The sample under the cursor of the timeline. */
static uint32_t cur_sample(mt_browser *b)
{
	bview *v = bv_top(b);
	return v->rows[v->vis[v->cur]].index;
}

static void test_timeline(void **state)
{
	(void)state;
	char json[2048];
	snprintf(json, sizeof json, LOG5, "/nonexistent/a.mp",
		 "/nonexistent/b.mp");
	tui t;
	tui_init(&t);
	mt_series s;
	mt_browser *b = start_series(&t, &s, json, false);
	/* the header: the log, min / peak / final RSS, the samples */
	assert_string_equal(line(b, 0),
			    "LOG run.log  app.py  pid 77  RSS min 10.0 MB  peak "
			    "40.0 MB  final 25.0 MB  5 sam");
	assert_string_equal(b->title, "LOG run.log  app.py  pid 77  RSS min "
				      "10.0 MB  peak 40.0 MB  final 25.0 MB  5 "
				      "samples over 4.00s every 1s");
	/* the area: the peak's column is full on the top row, the first
	 * sample's on the bottom row named after the series */
	assert_non_null(strstr(line(b, 1), " 40.0 MB\xe2\x94\xa4"));
	assert_non_null(strstr(line(b, 1), "\xe2\x96\x88"));
	assert_true(strncmp(line(b, 8), "     RSS\xe2\x94\x82\xe2\x96\x88", 14) ==
		    0);
	/* the axis: the label before the dump markers */
	const char *ax = line(b, 9), *L = strchr(ax, 'L'), *D = strchr(ax, 'D');
	assert_non_null(L);
	assert_non_null(D);
	assert_true(L < D);
	assert_non_null(strstr(line(b, 10), "\xe2\x96\xb2"));
	assert_non_null(strstr(line(b, 10), "+4.00s"));
	assert_true(strncmp(line(b, 11), "sample 1 of 5  ", 15) == 0);
	assert_non_null(strstr(line(b, 23), "Left Right time"));
	/* Left Right: a column of the chart at a time; beeps at the ends */
	assert_true(mt_browser_key(b, MT_KEY_LEFT));
	assert_int_equal(t.beeps, 1);
	assert_int_equal(mt_browser_depth(b), 1);
	assert_true(mt_browser_key(b, MT_KEY_RIGHT));
	mt_browser_draw(b);
	assert_int_equal(cur_sample(b), 1);
	assert_non_null(strstr(line(b, 11), "sample 2 of 5"));
	assert_non_null(strstr(line(b, 11), "label: warm"));
	assert_true(mt_browser_key(b, MT_KEY_END));
	assert_true(mt_browser_key(b, MT_KEY_RIGHT));
	assert_int_equal(t.beeps, 2);
	assert_true(mt_browser_key(b, MT_KEY_LEFT));
	assert_int_equal(cur_sample(b), 3);
	/* V: VMS */
	keys(b, "V");
	assert_true(strncmp(line(b, 8), "     VMS", 8) == 0);
	assert_non_null(strstr(line(b, 1), "400 MB"));
	keys(b, "V");
	assert_true(strncmp(line(b, 8), "     RSS", 8) == 0);
	/* Space marks dump markers only */
	keys(b, "g ");
	assert_int_equal(t.beeps, 3);
	keys(b, "jjj ");
	assert_true(bv_top(b)->rows[3].marked);
	assert_non_null(strstr(line(b, 23), "1 dump marked"));
	/* Enter on the other: their comparison; a dump that cannot be
	 * read says so, and the timeline stays */
	keys(b, "j");
	assert_true(mt_browser_key(b, MT_KEY_ENTER));
	mt_browser_draw(b);
	assert_int_equal(mt_browser_depth(b), 1);
	assert_non_null(strstr(line(b, 23), "error: a.mp: "));
	/* a row without a dump opens nothing */
	int beeps = t.beeps;
	keys(b, "g\n");
	assert_int_equal(t.beeps, beeps + 1);
	/* no dump, no queries: `:` says so */
	static const char *const lines[] = {"h"};
	t.lines = lines;
	t.nlines = 1;
	keys(b, ":");
	assert_non_null(strstr(line(b, 23), "error: no heap dump here"));
	/* the help's line 0 is the log's */
	keys(b, "?");
	assert_int_equal(mt_browser_depth(b), 2);
	assert_true(strncmp(line(b, 0), "LOG run.log  app.py", 19) == 0);
	mt_browser_free(b);
	mt_series_destroy(&s);
}

/* --ascii: no byte above 0x7f in the chart; a too small screen keeps
 * the rows. */
static void test_timeline_ascii(void **state)
{
	(void)state;
	char json[2048];
	snprintf(json, sizeof json, LOG5, "a.mp", "b.mp");
	tui t;
	tui_init(&t);
	mt_series s;
	mt_browser *b = start_series(&t, &s, json, true);
	for (int i = 1; i <= 10; i++)
		for (const char *p = line(b, i); *p; p++)
			assert_true((unsigned char)*p < 0x80);
	assert_non_null(strchr(line(b, 1), '#'));
	assert_non_null(strchr(line(b, 10), '^'));
	t.rows = 8;
	keys(b, "\x0c");
	assert_non_null(strstr(line(b, 0), "Index     Time       RSS"));
	assert_non_null(strstr(line(b, 1), "     0   +0.00s"));
	mt_browser_free(b);
	mt_series_destroy(&s);
}

/* Two dump markers open their comparison (OLD the earlier) in a browser
 * of its own; the end of the input there ends the timeline too. */
static void test_timeline_compare(void **state)
{
	(void)state;
	static const char *const names[] = {"cmp-old", "cmp-new"};
	char paths[2][64];
	mt_err err;
	for (size_t i = 0; i < 2; i++) {
		snprintf(paths[i], 64, "/tmp/mt_test_browser.%ld.tl%zu.mp",
			 (long)getpid(), i);
		assert_int_equal(fx_write_canned(names[i], paths[i], &err),
				 MT_OK);
	}
	char json[2048];
	snprintf(json, sizeof json, LOG5, paths[0], paths[1]);
	tui t;
	tui_init(&t);
	t.cols = 140;
	mt_series s;
	mt_browser *b = start_series(&t, &s, json, false);
	static const int script[] = {'q'};
	t.keys = script;
	t.nkeys = 1;
	keys(b, "jjj j");
	/* q on the comparison's first view: back to the timeline */
	assert_true(mt_browser_key(b, MT_KEY_ENTER));
	assert_int_equal(t.pos, 1);
	assert_true(strncmp(t.line0, " OLD ", 5) == 0);
	assert_non_null(strstr(t.line0, ".tl0.mp"));
	assert_int_equal(mt_browser_depth(b), 1);
	/* one dump marker alone opens that dump */
	bv_top(b)->rows[3].marked = 0;
	t.pos = 0;
	assert_true(mt_browser_key(b, MT_KEY_ENTER));
	assert_true(strncmp(t.line0, "fixture.py  pid 4242  106 objects", 33) ==
		    0);
	/* the script ends in the comparison: the browser ends */
	keys(b, "k j");
	t.nkeys = 0;
	assert_false(mt_browser_key(b, MT_KEY_ENTER));
	assert_true(strncmp(t.line0, " OLD ", 5) == 0);
	mt_browser_free(b);
	mt_series_destroy(&s);
	unlink(paths[0]);
	unlink(paths[1]);
}

static const char STATS2[] =
    "{\"memtrack_stats\": 1, \"pid\": 9, \"argv\": [\"track.py\"], "
    "\"snapshots\": ["
    "{\"t\": 50.0, \"desc\": \"first\", \"tracked_total\": 300, "
    "\"asizeof_total\": 4000, \"rss\": 1000000, \"vms\": null, "
    "\"classes\": {\"m.A\": {\"sum\": 100, \"avg\": 100, \"active\": 1, "
    "\"pct\": 2.5}, \"m.B\": {\"sum\": 200, \"avg\": 100, \"active\": 2, "
    "\"pct\": 5.0}}},"
    "{\"t\": 52.0, \"desc\": \"second\", \"tracked_total\": 5300, "
    "\"asizeof_total\": 9000, \"rss\": 3000000, \"vms\": null, "
    "\"classes\": {\"m.A\": {\"sum\": 5100, \"avg\": 1700, \"active\": 3, "
    "\"pct\": 56.7}, \"m.B\": {\"sum\": 200, \"avg\": 100, \"active\": 2, "
    "\"pct\": 2.2}}}],"
    "\"objects\": ["
    "{\"id\": 4096, \"class\": \"m.A\", \"name\": \"A\", \"repr\": \"<m.A "
    "object at 0x1000>\", \"birth\": 49.0, \"death\": null, \"level\": 1, "
    "\"trace\": [[\"app.py\", 10, \"<module>\"], [\"app.py\", 42, "
    "\"make\"]], \"sizes\": [[50.0, 100, 56], [52.0, 1700, 56]], \"refs\": "
    "[[52.0, [[\"__dict__\", 1600, 104, [[\"[V] data: [...]\", 1496, 88, "
    "[]]]]]]]},"
    "{\"id\": 8192, \"class\": \"m.A\", \"name\": \"A\", \"repr\": \"<m.A "
    "object at 0x2000>\", \"birth\": 51.0, \"death\": 51.5, \"level\": 0, "
    "\"trace\": null, \"sizes\": [[51.0, 64, 64]], \"refs\": []},"
    "{\"id\": 12288, \"class\": \"m.B\", \"name\": \"B\", \"repr\": \"<m.B "
    "object at 0x3000>\", \"birth\": 49.5, \"death\": null, \"level\": 0, "
    "\"trace\": null, \"sizes\": [[50.0, 100, 100]], \"refs\": []}]}";

static void test_tracker(void **state)
{
	(void)state;
	tui t;
	tui_init(&t);
	t.cols = 110;
	mt_series s;
	mt_browser *b = start_series(&t, &s, STATS2, false);
	assert_string_equal(line(b, 0), "STATS run.log  track.py  pid 9  2 "
					"snapshots over 2.00s  2 classes  3 "
					"objects");
	/* the rows are print_summary's lines (--batch's), then a
	 * sparkline on the class rows */
	char *sum = NULL;
	mt_err err;
	assert_int_equal(mt_series_print_summary(&s, &sum, &err), MT_OK);
	int first = 3 + 9; /* title lines, line 1, crumb, columns */
	const char *p = strchr(sum, '\n') + 1;
	for (int i = 0; i < 6; i++) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true(strlen(line(b, first + i)) >= (size_t)(nl - p) + 2);
		assert_memory_equal(line(b, first + i) + 2, p, (size_t)(nl - p));
		p = nl + 1;
	}
	free(sum);
	/* the chart: the snapshot's tracked total, then the class under the
	 * cursor; its figures on the expression line */
	assert_non_null(strstr(line(b, 1), "5.30 kB"));
	assert_non_null(strstr(line(b, 7), "     RSS\xe2\x94\x82"));
	assert_true(strncmp(line(b, 9), "snapshot 1 of 2 (+0.00s) first", 29) ==
		    0);
	keys(b, "j");
	assert_non_null(strstr(line(b, 1), "5.10 kB"));
	assert_string_equal(line(b, 9), "m.A: 100 B in 1 at snapshot 1 (+0.00s)"
					"  peak 5.10 kB");
	/* a snapshot's line opens nothing; a class its instances */
	int beeps = t.beeps;
	keys(b, "k\n");
	assert_int_equal(t.beeps, beeps + 1);
	keys(b, "jjjj\n"); /* m.A at the second snapshot */
	assert_int_equal(mt_browser_depth(b), 2);
	assert_int_equal(bv_top(b)->nrows, 2);
	assert_non_null(strstr(line(b, 1), "m.A: 2 instances tracked, 1 at "
					   "snapshot 2"));
	assert_non_null(strstr(line(b, 4), "  -1.00s    alive   1.70 kB "));
	assert_non_null(strstr(line(b, 5), "  +1.00s   +1.50s         - "));
	assert_non_null(strstr(line(b, 5), "<m.A object at 0x2000>"));
	/* an instance: sizes, referents, trace */
	keys(b, "\n");
	assert_int_equal(mt_browser_depth(b), 3);
	bview *v = bv_top(b);
	mt_strbuf all;
	mt_strbuf_init(&all);
	for (size_t i = 0; i < v->nrows; i++)
		mt_strbuf_printf(&all, "%s\n", v->rows[i].label);
	assert_non_null(strstr(all.s, "\nReferents at +2.00s (size, flat "
				      "size)\n  __dict__  1.60 kB  (flat 104 "
				      "B)\n    [V] data: [...]  1.50 kB  (flat "
				      "88 B)\n"));
	assert_non_null(strstr(all.s, "\n  app.py:10 in <module>\n  app.py:42 "
				      "in make\n"));
	assert_non_null(strstr(all.s, "\n   1    +0.00s     100 B  first\n"
				      "   2    +2.00s   1.70 kB  second\n"));
	mt_strbuf_destroy(&all);
	keys(b, "hhG");
	assert_non_null(strstr(line(b, 9), "m.B: 200 B in 2 at snapshot 2"));
	mt_browser_free(b);
	mt_series_destroy(&s);
	/* the RSS beneath: the file's process samples when it has them
	 * (the peak between the snapshots), else the snapshots' */
	char with_log[sizeof STATS2 + 256];
	snprintf(with_log, sizeof with_log,
		 "%.*s, \"log\": [{\"t\": 50.0, \"rss\": 1000000}, {\"t\": "
		 "51.0, \"rss\": 9000000}, {\"t\": 52.0, \"rss\": 1000000}]}",
		 (int)strlen(STATS2) - 1, STATS2);
	t.cols = 80;
	b = start_series(&t, &s, with_log, false);
	assert_int_equal(s.nsamples, 3);
	const char *strip = line(b, 7), *full = strstr(strip, "\xe2\x96\x88");
	assert_true(strncmp(strip, "     RSS\xe2\x94\x82\xe2\x96\x81", 14) == 0);
	assert_non_null(full);
	/* the full cell is in the middle of the strip */
	assert_true(full - strip > 40 && full - strip < 14 + 3 * 60);
	mt_browser_free(b);
	mt_series_destroy(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_start),
	    cmocka_unit_test(test_move_bounds),
	    cmocka_unit_test(test_back_stack),
	    cmocka_unit_test(test_Q_and_run),
	    cmocka_unit_test(test_sort),
	    cmocka_unit_test(test_filter_marks_query),
	    cmocka_unit_test(test_live_search),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_retained_bounds),
	    cmocka_unit_test(test_preview_file),
	    cmocka_unit_test(test_preview_browser),
	    cmocka_unit_test(test_inspector),
	    cmocka_unit_test(test_target),
	    cmocka_unit_test(test_hints),
	    cmocka_unit_test(test_key_caps),
	    cmocka_unit_test(test_key_table),
	    cmocka_unit_test(test_ctx_shared),
	    cmocka_unit_test(test_headless_script),
	    cmocka_unit_test(test_width),
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_compare),
	    cmocka_unit_test(test_compare_other_three),
	    cmocka_unit_test(test_compare_cancel),
	    cmocka_unit_test(test_timeline),
	    cmocka_unit_test(test_timeline_ascii),
	    cmocka_unit_test(test_timeline_compare),
	    cmocka_unit_test(test_tracker),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
