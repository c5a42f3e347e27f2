/* Screen layout: turns the top view of the browser into an mt_screen.
 *
 *   line 0        title: the dump (program, pid, Python, time, objects,
 *                 size)
 *   line 1        the current set as an expression, with its count and size
 *   line 2        breadcrumb of the views on the back stack
 *   line 3        column header (the sort column underlined: hl_start/len)
 *   lines 4..R-2  rows: '>' in column 0 for the cursor, '*' in column 1
 *                 for a marked row, then the view's row text
 *   line R-1      status: row N of M, sort, filter, search, the keys that
 *                 matter now, or a message / an error
 * In the live search prompt (b->live) the status line moves up to R-2 and
 * line R-1 stays empty for the front end's prompt.
 * Below 6 lines the title, expression and breadcrumb lines are dropped.
 * Widths are display cells (wcwidth on each code point); text is cut, never
 * wrapped.  UTF-8 separators unless the browser runs with ascii.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpriv.h"

/* The row under the cursor when the last layout showed its label cut (a
 * middle ellipsis, or the line past the screen's width), else NULL: the
 * status line then shows the whole label.  label_cut: bv_put_label cut
 * the row being laid out. */
static const brow *cut_row;
static bool label_cut;

/* The one rule for text from a dump on a terminal (the browser's screens
 * and the batch output): decodes the character at s[0..avail) into *cp,
 * returns its length in bytes, and whether it may be written as is.  C0
 * controls (ESC, BEL, ...), DEL, C1 controls (U+0080..U+009F: a CSI
 * introducer on some terminals) and bytes that are not valid UTF-8 may
 * not: they are shown as one '?' (a bad byte: *cp is the byte). */
static size_t text_char(const unsigned char *s, size_t avail, uint32_t *cp,
			bool *safe)
{
	size_t n = mt_utf8_decode((const char *)s, avail, cp);
	if (!n) {
		*cp = s[0];
		*safe = false;
		return 1;
	}
	*safe = !mt_cp_control(*cp);
	return n;
}

static int cells(uint32_t cp, bool safe)
{
	if (!safe || cp < 0x7f)
		return 1; /* unsafe ones are shown as '?' */
	int w = mt_cp_width(cp);
	return w < 0 ? 1 : w;
}

size_t bv_width(const char *s)
{
	size_t w = 0, len = strlen(s);
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		uint32_t cp;
		bool safe;
		p += text_char(p, (size_t)(end - p), &cp, &safe);
		w += (size_t)cells(cp, safe);
	}
	return w;
}

void bv_fit(mt_strbuf *out, const char *s, size_t max, bool pad)
{
	size_t w = 0, len = strlen(s);
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		uint32_t cp;
		bool safe;
		size_t n = text_char(p, (size_t)(end - p), &cp, &safe);
		int c = cells(cp, safe);
		if (w + (size_t)c > max)
			break;
		if (!safe)
			mt_strbuf_addc(out, '?', 1);
		else if (c == 0 && w == 0)
			; /* a combining mark with nothing to combine */
		else
			mt_strbuf_add(out, (const char *)p, n);
		w += (size_t)c;
		p += n;
	}
	if (pad && w < max)
		mt_strbuf_addc(out, ' ', max - w);
}

mt_status mt_browser_escape(mt_strbuf *out, const char *s, size_t n,
			    const char *keep)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		uint32_t cp;
		bool safe;
		size_t k = text_char(p, (size_t)(end - p), &cp, &safe);
		if (safe || (cp && k == 1 && strchr(keep, (int)cp)))
			mt_strbuf_add(out, (const char *)p, k);
		else
			mt_strbuf_addc(out, '?', 1);
		p += k;
	}
	return out->nomem ? MT_NOMEM : MT_OK;
}

void bv_screen_free(mt_screen *s)
{
	for (int i = 0; s->lines && i < s->rows; i++)
		free(s->lines[i].text);
	free(s->lines);
	s->lines = NULL;
	s->rows = 0;
}

/* The view's own title lines (a comparison names each dump). */
static int title_lines(const mt_browser *b)
{
	const bview *v = b->depth ? b->stack[b->depth - 1] : NULL;
	return v && v->ops->title ? v->ops->ntitle : 1;
}

static int header_lines(const mt_browser *b)
{
	return b->rows >= 6 + title_lines(b) - 1 ? 3 + title_lines(b) : 1;
}

/* Rows below the status line: the live prompt's (when there is room). */
static int prompt_lines(const mt_browser *b)
{
	return b->live && b->rows >= 4 ? 1 : 0;
}

int bv_page(const mt_browser *b)
{
	int n = b->rows - header_lines(b) - 1 - prompt_lines(b);
	return n < 1 ? 1 : n;
}

static void set_line(mt_browser *b, int i, const char *text, mt_line_attr a)
{
	mt_strbuf o;
	mt_strbuf_init(&o);
	bv_fit(&o, text, (size_t)b->cols, false);
	mt_screen_line *l = &b->screen.lines[i];
	free(l->text);
	l->text = mt_xstrdup(o.s ? o.s : "");
	l->attr = a;
	mt_strbuf_destroy(&o);
}

/* A total: "16.1 MB", or "16,140,000 bytes". */
static const char *total_text(bool exact, char *buf, size_t n,
			      uint64_t bytes)
{
	char c[MT_FMT_COUNT_MAX];
	if (exact)
		snprintf(buf, n, "%s bytes", mt_fmt_count(c, sizeof c, bytes));
	else
		mt_fmt_size(buf, n, bytes);
	return buf;
}

mt_status mt_browser_title(const mt_graph *g, uint64_t total, bool bytes,
			   mt_strbuf *o)
{
	const mt_header *h = mt_graph_header(g);
	const char *prog = h->argc && h->argv[0] && *h->argv[0]
				   ? h->argv[0]
				   : (h->executable ? h->executable : "?");
	const char *slash = strrchr(prog, '/');
	if (slash && slash[1])
		prog = slash + 1;
	char when[64] = "?";
	time_t t = (time_t)h->time;
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%d %H:%MZ", &tm);
	uint32_t n = mt_graph_count(g);
	char cnt[MT_FMT_COUNT_MAX], sz[MT_FMT_COUNT_MAX + 8],
	    rss[MT_FMT_COUNT_MAX + 8];
	mt_strbuf_printf(o, "%s  pid %llu  %s object%s  %s", prog,
			 (unsigned long long)h->pid,
			 mt_fmt_count(cnt, sizeof cnt, n), n == 1 ? "" : "s",
			 total_text(bytes, sz, sizeof sz, total));
	/* how much of the process the Python objects are (RSS at capture;
	 * 0: not recorded) */
	if (h->rss) {
		double pct = 100.0 * (double)total / (double)h->rss;
		if (total && pct < 0.5)
			mt_strbuf_printf(o, " (<1%%");
		else
			mt_strbuf_printf(o, " (%.0f%%", pct);
		mt_strbuf_printf(o, " of RSS %s)",
				 total_text(bytes, rss, sizeof rss, h->rss));
	}
	mt_strbuf_printf(o, "  Python %u.%u.%u  %s", h->py_major, h->py_minor,
			 h->py_micro, when);
	return o->nomem ? MT_NOMEM : MT_OK;
}

/* Comparing dumps, a view of one of them names it first: its role (OLD
 * NEW, or A B C) and its file. */
static void title_line(mt_browser *b, mt_strbuf *o)
{
	static const char *const roles[2][3] = {{"OLD", "NEW", ""},
						{"A", "B", "C"}};
	if (!b->g) { /* a series file (no dump): its own line */
		mt_strbuf_printf(o, "%s", b->title ? b->title : "");
		return;
	}
	if (b->nside == 2 || b->nside == 3) {
		const bside *s = &b->side[b->cur];
		mt_strbuf_printf(o, "%s ", roles[b->nside - 2][b->cur]);
		if (s->file) {
			const char *f = strrchr(s->file, '/');
			mt_strbuf_printf(o, "%s  ", f && f[1] ? f + 1 : s->file);
		}
	}
	mt_browser_title(b->g, b->heap_size, b->opts.bytes, o);
}

const char *bv_total(const mt_browser *b, char *buf, size_t n,
		     uint64_t bytes)
{
	return total_text(b->opts.bytes, buf, n, bytes);
}

const char *bv_size(const mt_browser *b, char *buf, size_t n,
		    uint64_t bytes)
{
	if (b->opts.bytes)
		snprintf(buf, n, "%llu", (unsigned long long)bytes);
	else
		mt_fmt_size(buf, n, bytes);
	return buf;
}

void bv_fmt_ret(const mt_browser *b, const brow *r, char *buf, size_t n)
{
	char sz[32];
	if (r->ret == RET_KNOWN)
		snprintf(buf, n, "%9s", bv_size(b, sz, sizeof sz, r->retained));
	else if (r->ret == RET_BOUND) { /* at least this: ≥ (> in ASCII) */
		char t[40];
		snprintf(t, sizeof t, "%s%s", b->opts.ascii ? ">" : "\xe2\x89\xa5",
			 bv_size(b, sz, sizeof sz, r->retained));
		/* %9s counts bytes: the ≥ is 3 of them and 1 cell */
		snprintf(buf, n, "%*s", b->opts.ascii ? 9 : 11, t);
	}
	else
		snprintf(buf, n, "%9s", r->ret == RET_NONE ? "-" : "...");
}

/* ---- narrow terminals ---- */

/* The label column wants the longest label of the view, up to this. */
#define LABEL_WANT 40

int bv_narrow(mt_browser *b, bview *v, const size_t *prefix, int n)
{
	/* the widest label, once per view (a partition's labels are made
	 * with it; called for every row drawn) */
	static const bview *last_v;
	static const brow *last_rows;
	static const char *last_label; /* a new view reusing the memory of
					  a closed one has new labels */
	static size_t last_n, last_nvis, last_w0, last_want;
	size_t want;
	/* the first row may be the "all" row, whose label follows the
	 * filter: its width is taken every time */
	const char *first = v->nrows ? v->rows[0].label : NULL;
	size_t w0 = first ? bv_width(first) : 0;
	if (v == last_v && v->rows == last_rows && v->nrows == last_n &&
	    v->nvis == last_nvis && first == last_label && first &&
	    w0 == last_w0) {
		want = last_want;
	} else {
		/* lazy labels (identity: representations) are long: want
		 * the most */
		want = v->ops->label ? LABEL_WANT : 0;
		for (size_t i = 0; i < v->nrows && want < LABEL_WANT; i++) {
			size_t w = bv_width(bv_label(b, v, &v->rows[i]));
			if (w > want)
				want = w;
		}
		if (want > LABEL_WANT)
			want = LABEL_WANT;
		last_v = v;
		last_rows = v->rows;
		last_n = v->nrows;
		last_nvis = v->nvis;
		last_label = v->nrows ? v->rows[0].label : NULL;
		last_w0 = last_label ? bv_width(last_label) : 0;
		last_want = want;
	}
	for (int i = 0; i < n; i++)
		if ((size_t)b->cols >= 2 + prefix[i] + want)
			return i;
	return n - 1;
}

/* Byte offset in s where its last `tail` cells start. */
static size_t tail_start(const char *s, size_t tail)
{
	size_t w = bv_width(s), acc = 0, len = strlen(s);
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end && w - acc > tail) {
		uint32_t cp;
		bool safe;
		size_t n = text_char(p, (size_t)(end - p), &cp, &safe);
		acc += (size_t)cells(cp, safe);
		p += n;
	}
	return (size_t)(p - (const unsigned char *)s);
}

/* l shortened to head cells, the ellipsis, its last tail cells. */
static void shorten(mt_strbuf *out, const char *l, size_t head, size_t tail,
		    const char *ell)
{
	bv_fit(out, l, head, false);
	mt_strbuf_add(out, ell, strlen(ell));
	const char *t = l + tail_start(l, tail);
	mt_strbuf_add(out, t, strlen(t));
}

/* Whether l's shortened form (head, tail) is also row o's: o's own label,
 * or o shortened the same way (the same head and tail). */
static bool clash(const char *l, const char *ol, const char *s,
		  size_t head, size_t tail, size_t avail)
{
	if (strcmp(ol, s) == 0)
		return true;
	if (bv_width(ol) <= avail)
		return false;
	mt_strbuf a, o;
	mt_strbuf_init(&a);
	mt_strbuf_init(&o);
	shorten(&a, l, head, tail, "");
	shorten(&o, ol, head, tail, "");
	bool same = a.s && o.s && strcmp(a.s, o.s) == 0;
	mt_strbuf_destroy(&a);
	mt_strbuf_destroy(&o);
	return same;
}

void bv_put_label(mt_browser *b, bview *v, brow *r, mt_strbuf *out,
		  size_t avail)
{
	const char *l = bv_label(b, v, r);
	const char *ell = b->opts.ascii ? "..." : "\xe2\x80\xa6";
	size_t ew = b->opts.ascii ? 3 : 1;
	if (bv_width(l) <= avail || avail < ew + 2) {
		mt_strbuf_add(out, l, strlen(l));
		return;
	}
	size_t keep = avail - ew, page = (size_t)bv_page(b);
	mt_strbuf s;
	mt_strbuf_init(&s);
	/* the middle goes: a head, the ellipsis, a longer tail (a class
	 * name's end says the most); another split when a row on screen
	 * would read the same */
	size_t h0 = keep / 3 ? keep / 3 : 1, d = SIZE_MAX;
	bool ok = false;
	for (size_t k = 0; k < 2 * keep && !ok; k++) {
		size_t head = k % 2 ? h0 + (k + 1) / 2 : h0 - k / 2;
		if (head < 1 || head >= keep)
			continue;
		mt_strbuf_reset(&s);
		shorten(&s, l, head, keep - head, ell);
		ok = true;
		for (size_t i = v->top; i < v->nvis && i < v->top + page;
		     i++) {
			brow *o = &v->rows[v->vis[i]];
			const char *ol = bv_label(b, v, o);
			if (o == r ||
			    !clash(l, ol, s.s, head, keep - head, avail))
				continue;
			ok = false;
			/* where the two differ first */
			size_t j = 0;
			while (l[j] && l[j] == ol[j])
				j++;
			if (j < d)
				d = j;
		}
	}
	/* no head and tail tell it apart (the difference is deep in the
	 * middle): a window on the first difference, "…ing.hand…" */
	if (!ok && avail > 2 * ew) {
		size_t mid = avail - 2 * ew;
		while (d && ((unsigned char)l[d] & 0xc0) == 0x80)
			d--;
		char *pre = mt_xstrdup(l);
		pre[d] = '\0';
		size_t at = bv_width(pre), skip = at > mid / 2 ? at - mid / 2 : 0;
		free(pre);
		mt_strbuf_reset(&s);
		mt_strbuf_add(&s, ell, strlen(ell));
		const char *from = l + tail_start(l, bv_width(l) - skip);
		bv_fit(&s, from, mid, false);
		mt_strbuf_add(&s, ell, strlen(ell));
	}
	if (s.s)
		mt_strbuf_add(out, s.s, s.len);
	mt_strbuf_destroy(&s);
	label_cut = true;
}

void bk_units(mt_browser *b, bview *v, int arg)
{
	(void)v;
	(void)arg;
	b->opts.bytes = !b->opts.bytes;
	bv_msg(b, false,
	       b->opts.bytes ? "sizes in bytes" : "sizes in kB, MB, GB (1 kB = "
						  "1000 bytes)");
}

/* The sort's name; in a comparison the absolute differences ("|Δsize|",
 * ASCII "|dsize|"). */
static const char *sort_name(int s, bool delta, bool ascii)
{
	static const char *const names[][3] = {
	    [SORT_SIZE] = {"size", "|\xce\x94size|", "|dsize|"},
	    [SORT_RETAINED] = {"retained", "|\xce\x94retained|",
			       "|dretained|"},
	    [SORT_COUNT] = {"count", "|\xce\x94" "count|", "|dcount|"},
	    [SORT_LABEL] = {"kind", "kind", "kind"},
	};
	if (s <= SORT_NATURAL || s > SORT_LABEL)
		return NULL;
	return names[s][delta ? ascii ? 2 : 1 : 0];
}

static void status_line(mt_browser *b, bview *v, mt_strbuf *o)
{
	const char *sep = b->opts.ascii ? " | " : " \xe2\x94\x82 ";
	if (b->msg) /* first: it must not be cut off */
		mt_strbuf_printf(o, "%s%s", b->msg, sep);
	/* the filter and the search the user typed: short, kept in sight */
	if (v->filter && *v->filter)
		mt_strbuf_printf(o, "filter: %s%s", v->filter, sep);
	if (b->search && *b->search && !b->live)
		mt_strbuf_printf(o, "search: %s%s", b->search, sep);
	/* then the highlighted row's whole label when its row shows it cut,
	 * and what the row keys act on (bk_target: "on [3] dict of Foo"):
	 * before the rest, which a narrow screen cuts */
	mt_strbuf t;
	mt_strbuf_init(&t);
	bk_target(b, v, &t);
	if (cut_row && v->nvis && cut_row == &v->rows[v->vis[v->cur]]) {
		/* first, whole, even where the target repeats it after
		 * ("on [6] LABEL" is wider than the label) */
		const char *l = cut_row->label ? cut_row->label : "";
		if (*l)
			mt_strbuf_printf(o, "%s%s", l, sep);
	}
	if (t.len)
		mt_strbuf_printf(o, "%s%s", t.s, sep);
	mt_strbuf_destroy(&t);
	char c1[MT_FMT_COUNT_MAX], c2[MT_FMT_COUNT_MAX];
	/* the "all" row (always first) is not counted: "all 21 rows" on
	 * it, "row 3 of 21" on the third row after it */
	size_t all = v->nvis && v->rows[v->vis[0]].all ? 1 : 0;
	if (all && v->cur == 0)
		mt_strbuf_printf(o, "all %s row%s",
				 mt_fmt_count(c2, sizeof c2, v->nvis - 1),
				 v->nvis == 2 ? "" : "s");
	else
		mt_strbuf_printf(o, "row %s of %s",
				 mt_fmt_count(c1, sizeof c1,
					      v->nvis ? v->cur + 1 - all : 0),
				 mt_fmt_count(c2, sizeof c2, v->nvis - all));
	if (v->nvis != v->nrows)
		mt_strbuf_printf(o, " (%s in all)",
				 mt_fmt_count(c1, sizeof c1, v->nrows - all));
	const char *sn = sort_name(v->sort, v->ops->caps & BV_CMP,
				   b->opts.ascii);
	if (sn && (v->ops->caps & BV_SORT)) {
		bool desc = v->sort != SORT_LABEL;
		if (v->rev)
			desc = !desc;
		mt_strbuf_printf(o, "%ssort: %s %s", sep, sn,
				 desc ? "desc" : "asc");
	}
	if (b->msg)
		return;
	mt_strbuf_add(o, sep, strlen(sep));
	if (b->live) {
		mt_strbuf_printf(o, "search: Enter keeps the row, %s",
				 "Esc goes back");
		return;
	}
	if (b->pending == 'm') {
		mt_strbuf_printf(o, "m: press a letter to name the %s",
				 "set (Esc cancels)");
		return;
	}
	bk_hints(v, o);
}

void bv_layout(mt_browser *b)
{
	int rows, cols;
	b->ui->size(b->ui, &rows, &cols);
	if (rows < 2)
		rows = 2;
	if (cols < 10)
		cols = 10;
	b->rows = rows;
	b->cols = cols;
	bv_screen_free(&b->screen);
	b->screen.rows = rows;
	b->screen.cols = cols;
	b->screen.lines = mt_xcalloc((size_t)rows, sizeof *b->screen.lines);
	b->screen.cursor_row = b->screen.cursor_col = -1;
	bview *v = bv_top(b);
	mt_strbuf o;
	mt_strbuf_init(&o);
	int hl = header_lines(b), page = bv_page(b);

	cut_row = NULL;
	/* keep the cursor on screen */
	if (v->cur < v->top)
		v->top = v->cur;
	if (v->cur >= v->top + (size_t)page)
		v->top = v->cur - (size_t)page + 1;
	if (v->top + (size_t)page > v->nvis)
		v->top = v->nvis > (size_t)page ? v->nvis - (size_t)page : 0;
	if (v->top > v->cur)
		v->top = v->cur;

	int tl = title_lines(b);
	if (hl > 1) {
		for (int i = 0; i < tl; i++) {
			if (v->ops->title)
				v->ops->title(b, v, i, &o);
			else
				title_line(b, &o);
			set_line(b, i, o.s ? o.s : "", MT_LINE_TITLE);
			mt_strbuf_reset(&o);
		}
		if (v->ops->title) {
			v->ops->title(b, v, tl, &o); /* its expression line */
		} else if (v->set) {
			char cnt[MT_FMT_COUNT_MAX], sz[MT_FMT_COUNT_MAX + 8];
			size_t n = mt_set_count(v->set);
			mt_strbuf_printf(&o, "%s  (%s object%s, %s)", v->expr,
					 mt_fmt_count(cnt, sizeof cnt, n),
					 n == 1 ? "" : "s",
					 bv_total(b, sz, sizeof sz,
						  v->total_size));
		} else
			mt_strbuf_printf(&o, "%s", v->expr);
		set_line(b, tl, o.s, MT_LINE_TITLE);
		mt_strbuf_reset(&o);
		const char *sep = b->opts.ascii ? " > " : " \xe2\x80\xba ";
		for (size_t i = 0; i < b->depth; i++) {
			if (i)
				mt_strbuf_add(&o, sep, strlen(sep));
			mt_strbuf_add(&o, b->stack[i]->crumb,
				      strlen(b->stack[i]->crumb));
		}
		/* too long: keep the end, where the user is */
		const char *c = o.s ? o.s : "";
		size_t w = bv_width(c);
		if (w > (size_t)cols) {
			const char *ell = b->opts.ascii ? "..." : "\xe2\x80\xa6";
			size_t ew = b->opts.ascii ? 3 : 1;
			while (*c && bv_width(c) + ew > (size_t)cols) {
				c++;
				while ((*c & 0xc0) == 0x80)
					c++;
			}
			char *t = bv_printf("%s%s", ell, c);
			set_line(b, tl + 1, t, MT_LINE_CRUMB);
			free(t);
		} else {
			set_line(b, tl + 1, c, MT_LINE_CRUMB);
		}
		mt_strbuf_reset(&o);
	}
	/* column header */
	int hs = 0, hlen = 0;
	mt_strbuf_add(&o, "  ", 2);
	v->ops->columns(b, v, &o, v->ops->caps & BV_SORT ? v->sort : SORT_NATURAL,
			&hs, &hlen);
	set_line(b, hl - 1, o.s, MT_LINE_COLUMNS);
	if (hlen && hs + 2 < cols) {
		b->screen.lines[hl - 1].hl_start = hs + 2;
		b->screen.lines[hl - 1].hl_len =
		    hs + 2 + hlen > cols ? cols - hs - 2 : hlen;
	}
	mt_strbuf_reset(&o);
	/* rows */
	for (int i = 0; i < page; i++) {
		size_t k = v->top + (size_t)i;
		mt_line_attr a = MT_LINE_NORMAL;
		mt_strbuf_reset(&o);
		if (k < v->nvis) {
			brow *r = &v->rows[v->vis[k]];
			mt_strbuf_addc(&o, k == v->cur ? '>' : ' ', 1);
			mt_strbuf_addc(&o, r->marked ? '*' : ' ', 1);
			label_cut = false;
			v->ops->row(b, v, r, &o);
			if (k == v->cur &&
			    (label_cut || bv_width(o.s ? o.s : "") > (size_t)cols))
				cut_row = r;
			a = k == v->cur ? MT_LINE_CURSOR
			    : r->marked ? MT_LINE_MARKED
					: MT_LINE_NORMAL;
		}
		set_line(b, hl + i, o.s ? o.s : "", a);
	}
	mt_strbuf_reset(&o);
	status_line(b, v, &o);
	set_line(b, rows - 1 - prompt_lines(b), o.s,
		 b->msg && b->msg_err ? MT_LINE_ERROR : MT_LINE_STATUS);
	mt_strbuf_destroy(&o);
	/* lines never set stay empty strings */
	for (int i = 0; i < rows; i++)
		if (!b->screen.lines[i].text)
			b->screen.lines[i].text = mt_xstrdup("");
}
