/* The terminal front end (term.h): mt_ui over ncursesw and GNU readline.
 *
 * Owns the terminal while it lives: curses state, the signal handlers that
 * give the terminal back on SIGINT/SIGTERM/SIGHUP, readline's global state
 * and the per-name prompt histories.  It keeps a deep copy of the last
 * screen the core drew so it can repaint it on its own while the core is
 * blocked in a prompt or in long work (a resize, a completion list, ^L);
 * such a resize is remembered and handed to the core as MT_KEY_RESIZE by
 * the next getkey(), and keys typed during progress are queued for it.
 * Readline runs through its callback interface: curses reads every key,
 * special keys become the escape sequences readline binds by default, and
 * readline never touches the terminal itself (no prep/deprep, output to
 * /dev/null, a redisplay function that draws with curses).  In a live
 * prompt (the `/` search) every rl_callback_read_char that changes the
 * line calls the core's changed(), which draws a new screen; term_draw
 * then repaints through the redisplay function, so the prompt line stays
 * on top of the core's screen.  Text arriving
 * from the core is UTF-8 whatever the locale: it is decoded here and
 * clipped by display cells (wcwidth), and a character the locale cannot
 * show becomes '?'.  Readline and curses state are process globals, so
 * only one mt_term exists at a time (g_term).
 */
#include "config.h"

#define NCURSES_WIDECHAR 1

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <wchar.h>

#include <curses.h>
#include <readline/history.h>
#include <readline/readline.h>

#include "term.h"

#define HIST_MAX 1000
#define PROGRESS_NS 50000000L /* redraw progress at most every 50 ms */
#define PENDING_MAX 32

/* Readline's default bindings for these (see bind_arrow_keys_internal). */
#define SEQ_UP "\033[A"
#define SEQ_DOWN "\033[B"
#define SEQ_RIGHT "\033[C"
#define SEQ_LEFT "\033[D"
#define SEQ_HOME "\033[H"
#define SEQ_END "\033[F"

/* Word characters for completion are those of the query language's
 * identifiers; everything else ends a word ('.' included, so "h.byr"
 * completes "byr"). */
static const char word_breaks[] = " \t\n\"\\'`@$><=;|&{}()[].,:+-*/%~^!?#";

enum { P_TITLE = 1, P_MARKED, P_STATUS, P_ERROR };

/* One history list, loaded from its file on first use. */
typedef struct hist {
	char *name;
	char **lines;
	size_t n;
} hist;

typedef struct term {
	mt_ui ui; /* first: an mt_ui * is a term * */
	SCREEN *scr;
	bool mouse, ascii, utf8, colors;
	bool multibyte; /* the locale has multibyte characters */

	mt_screen last; /* deep copy of the last screen drawn */

	int pending[PENDING_MAX]; /* keys read during progress */
	int npending;
	bool resized; /* report MT_KEY_RESIZE next */

	struct timespec prog_at; /* last progress drawing */
	bool prog_drawn;
	unsigned spin;

	/* the prompt in progress */
	const char *prompt;
	char *(*complete)(void *data, const char *text, int i);
	void *cdata;
	void (*changed)(void *data, const char *text); /* live prompt */
	char *shown;   /* the line changed() was last told */
	bool live;     /* the handler is installed and the prompt live */
	char *left;    /* the line left of the cursor, while completing */
	char *matches; /* completion candidates shown above the prompt */
	bool done;
	char *result;
	unsigned char q[64]; /* bytes waiting for readline */
	int qh, qn;
	bool rl_ready;

	hist *hists;
	size_t nhists;
	FILE *devnull;
} term;

static term *g_term;
static volatile sig_atomic_t g_active; /* curses owns the terminal */

static const int caught[] = {SIGINT, SIGTERM, SIGHUP};
#define NCAUGHT (sizeof caught / sizeof caught[0])
static struct sigaction g_oldact[NCAUGHT];
static bool g_installed[NCAUGHT];

/* ---- signals ----------------------------------------------------------- */

static void on_fatal(int sig)
{
	if (g_active) {
		g_active = 0;
		curs_set(1);
		endwin();
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void at_exit(void)
{
	if (g_active) {
		g_active = 0;
		curs_set(1);
		endwin();
	}
}

/* Catches the signals whose default kills the process (when not ignored
 * by our parent), before curses starts so curses does not catch them. */
static void signals_install(void)
{
	for (size_t i = 0; i < NCAUGHT; i++) {
		struct sigaction sa;
		g_installed[i] = false;
		if (sigaction(caught[i], NULL, &g_oldact[i]) != 0 ||
		    g_oldact[i].sa_handler != SIG_DFL)
			continue;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_fatal;
		sigemptyset(&sa.sa_mask);
		if (sigaction(caught[i], &sa, NULL) == 0)
			g_installed[i] = true;
	}
}

static void signals_restore(void)
{
	for (size_t i = 0; i < NCAUGHT; i++)
		if (g_installed[i]) {
			sigaction(caught[i], &g_oldact[i], NULL);
			g_installed[i] = false;
		}
}

/* ---- UTF-8 and display cells ------------------------------------------- */

/* Decodes one character at p (not at NUL); returns its length in bytes.
 * A malformed byte decodes to U+FFFD, one byte long. */
static size_t utf8_decode(const unsigned char *p, wchar_t *out)
{
	unsigned c = p[0];
	size_t n;
	unsigned cp, min;
	if (c < 0x80) {
		*out = (wchar_t)c;
		return 1;
	} else if (c >= 0xc2 && c < 0xe0) {
		n = 2, cp = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c < 0xf0) {
		n = 3, cp = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c < 0xf5) {
		n = 4, cp = c & 0x07, min = 0x10000;
	} else {
		*out = 0xfffd;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*out = 0xfffd;
			return 1;
		}
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) {
		*out = 0xfffd;
		return 1;
	}
	*out = (wchar_t)cp;
	return n;
}

static size_t utf8_encode(unsigned cp, unsigned char *b)
{
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		return 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (unsigned char)(0xf0 | cp >> 18);
	b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	b[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The cells *wc takes; a character that cannot be shown becomes '?'. */
static int cell_width(wchar_t *wc)
{
	int w;
	if (*wc < 0x80)
		w = *wc >= 0x20 && *wc != 0x7f ? 1 : -1;
	else
		w = wcwidth(*wc);
	if (w < 0) {
		*wc = L'?';
		w = 1;
	}
	return w;
}

/* Cells of the first `len` bytes of s. */
static int text_cells(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;
	int cells = 0;
	while (p < end && *p) {
		wchar_t wc;
		p += utf8_decode(p, &wc);
		cells += cell_width(&wc);
	}
	return cells;
}

/* ---- drawing ----------------------------------------------------------- */

static void role_style(const term *t, mt_line_attr role, attr_t *a, short *pair)
{
	short p = 0;
	switch (role) {
	case MT_LINE_TITLE:
		*a = A_BOLD, p = P_TITLE;
		break;
	case MT_LINE_CRUMB:
		*a = A_DIM;
		break;
	case MT_LINE_COLUMNS:
		*a = A_BOLD | A_UNDERLINE;
		break;
	case MT_LINE_CURSOR:
		*a = A_REVERSE;
		break;
	case MT_LINE_MARKED:
		*a = A_BOLD, p = P_MARKED;
		break;
	case MT_LINE_STATUS:
		*a = A_REVERSE, p = P_STATUS;
		break;
	case MT_LINE_ERROR:
		*a = A_BOLD, p = P_ERROR;
		break;
	default:
		*a = A_NORMAL;
		break;
	}
	*pair = t->colors ? p : 0;
}

static void put_cell(wchar_t wc, attr_t a, short pair)
{
	wchar_t s[2] = {wc, 0};
	cchar_t cc;
	if (setcchar(&cc, s, a, pair, NULL) == OK)
		add_wch(&cc); /* ERR in the bottom-right cell: drawn anyway */
}

/* Draws UTF-8 `text` at `row` in `role`, clipped to `cols` cells without
 * splitting a character, the rest of the row filled with blanks in the
 * same attribute (so reverse video spans the row).  Cells [hs, hs + hl)
 * are underlined, or reversed on a row that is underlined already.
 * Returns the cells the text took. */
static int draw_text(const term *t, int row, const char *text,
		     mt_line_attr role, int hs, int hl, int cols)
{
	attr_t a, span;
	short pair;
	role_style(t, role, &a, &pair);
	span = a & A_UNDERLINE ? a ^ A_REVERSE : a | A_UNDERLINE;
	move(row, 0);
	const unsigned char *p = (const unsigned char *)(text ? text : "");
	int col = 0;
	while (*p && col < cols) {
		wchar_t wc;
		size_t n = utf8_decode(p, &wc);
		int w = cell_width(&wc);
		if (w == 0) { /* combining: joins the previous cell */
			if (col > 0)
				put_cell(wc, a, pair);
			p += n;
			continue;
		}
		if (col + w > cols)
			break;
		put_cell(wc, hl > 0 && col >= hs && col < hs + hl ? span : a,
			 pair);
		col += w;
		p += n;
	}
	int used = col;
	for (; col < cols; col++)
		put_cell(L' ', hl > 0 && col >= hs && col < hs + hl ? span : a,
			 pair);
	return used;
}

/* Repaints the last screen at the terminal's present size (not refreshed). */
static void paint(term *t)
{
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	erase();
	for (int r = 0; r < t->last.rows && r < rows; r++) {
		const mt_screen_line *l = &t->last.lines[r];
		draw_text(t, r, l->text, l->attr, l->hl_start, l->hl_len, cols);
	}
	if (t->last.cursor_row >= 0 && t->last.cursor_row < rows &&
	    t->last.cursor_col >= 0 && t->last.cursor_col < cols) {
		curs_set(1);
		move(t->last.cursor_row, t->last.cursor_col);
	} else {
		curs_set(0);
	}
}

static void screen_clear(mt_screen *s)
{
	for (int r = 0; r < s->rows; r++)
		free(s->lines[r].text);
	free(s->lines);
	s->lines = NULL;
	s->rows = 0;
}

static void redisplay_cb(void);

static void term_draw(mt_ui *ui, const mt_screen *s)
{
	term *t = (term *)ui;
	/* the copy is a convenience for repainting: when memory runs out the
	 * screen is still drawn, and the copy is simply shorter */
	mt_screen_line *lines =
	    s->rows > 0 ? calloc((size_t)s->rows, sizeof *lines) : NULL;
	screen_clear(&t->last);
	t->last.cols = s->cols;
	t->last.cursor_row = s->cursor_row;
	t->last.cursor_col = s->cursor_col;
	if (lines) {
		t->last.lines = lines;
		for (int r = 0; r < s->rows; r++) {
			lines[r] = s->lines[r];
			lines[r].text =
			    strdup(s->lines[r].text ? s->lines[r].text : "");
			if (!lines[r].text)
				break;
			t->last.rows = r + 1;
		}
	}
	if (t->last.rows == s->rows) {
		paint(t);
	} else { /* draw straight from s */
		mt_screen tmp = *s;
		mt_screen keep = t->last;
		t->last = tmp;
		paint(t);
		t->last = keep;
	}
	if (t->live) /* drawn from changed(): the prompt line goes on top */
		redisplay_cb();
	else
		refresh();
}

static void term_size(mt_ui *ui, int *rows, int *cols)
{
	(void)ui;
	getmaxyx(stdscr, *rows, *cols);
}

static void term_beep(mt_ui *ui)
{
	(void)ui;
	beep();
}

/* ---- keys -------------------------------------------------------------- */

/* get_wch, or in a single-byte locale getch: there get_wch would take a
 * byte above 0x7f (a UTF-8 terminal under LANG=C) for the start of a
 * character and swallow the keys after it. */
static int read_key(const term *t, wint_t *wc)
{
	if (t->multibyte)
		return get_wch(wc);
	int c = getch();
	if (c == ERR)
		return ERR;
	*wc = (wint_t)c;
	return c >= KEY_MIN ? KEY_CODE_YES : OK;
}

/* The mt key for what get_wch returned, or MT_KEY_NONE to ignore it.
 * KEY_RESIZE comes back after curses has learnt the new size. */
static int map_key(const term *t, int rc, wint_t wc)
{
	if (rc == OK) {
		switch (wc) {
		case '\r':
		case '\n':
			return MT_KEY_ENTER;
		case 127:
		case 8:
			return MT_KEY_BACKSPACE;
		default:
			return (int)wc;
		}
	}
	switch (wc) {
	case KEY_UP:
		return MT_KEY_UP;
	case KEY_DOWN:
		return MT_KEY_DOWN;
	case KEY_LEFT:
		return MT_KEY_LEFT;
	case KEY_RIGHT:
		return MT_KEY_RIGHT;
	case KEY_PPAGE:
		return MT_KEY_PGUP;
	case KEY_NPAGE:
		return MT_KEY_PGDN;
	case KEY_HOME:
	case KEY_A1:
		return MT_KEY_HOME;
	case KEY_END:
	case KEY_C1:
		return MT_KEY_END;
	case KEY_F(1):
		return MT_KEY_F1;
	case KEY_BACKSPACE:
		return MT_KEY_BACKSPACE;
	case KEY_ENTER:
		return MT_KEY_ENTER;
	case KEY_RESIZE:
		return MT_KEY_RESIZE;
	case KEY_MOUSE: {
		MEVENT ev;
		if (!t->mouse || getmouse(&ev) != OK)
			return MT_KEY_NONE;
		if (ev.bstate & BUTTON4_PRESSED)
			return MT_KEY_WHEEL_UP;
#ifdef BUTTON5_PRESSED
		if (ev.bstate & BUTTON5_PRESSED)
			return MT_KEY_WHEEL_DOWN;
#endif
		return MT_KEY_NONE;
	}
	default:
		return MT_KEY_NONE;
	}
}

static int term_getkey(mt_ui *ui)
{
	term *t = (term *)ui;
	if (t->resized) {
		t->resized = false;
		clearok(curscr, TRUE);
		return MT_KEY_RESIZE;
	}
	if (t->npending > 0) {
		int k = t->pending[0];
		memmove(t->pending, t->pending + 1,
			(size_t)--t->npending * sizeof t->pending[0]);
		return k;
	}
	/* get_wch fails at once, again and again, once stdin is gone */
	for (int errs = 0; errs < 100;) {
		wint_t wc;
		int rc = read_key(t, &wc);
		if (rc == ERR) {
			errs++;
			continue;
		}
		errs = 0;
		int k = map_key(t, rc, wc);
		if (k == MT_KEY_NONE)
			continue;
		if (k == MT_KEY_CTRL_L || k == MT_KEY_RESIZE)
			clearok(curscr, TRUE);
		return k;
	}
	return MT_KEY_EOF;
}

/* ---- progress ---------------------------------------------------------- */

static long elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000L +
	       (b->tv_nsec - a->tv_nsec);
}

static bool term_progress(mt_ui *ui, const char *label, uint64_t done,
			  uint64_t total)
{
	term *t = (term *)ui;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (t->prog_drawn && elapsed_ns(&t->prog_at, &now) < PROGRESS_NS)
		return false;
	t->prog_at = now;
	t->prog_drawn = true;

	/* poll the keyboard: q / Esc cancel, a resize is kept for the core,
	 * other keys wait in the queue for getkey */
	bool cancel = false;
	nodelay(stdscr, TRUE);
	for (int i = 0; i < 64; i++) {
		wint_t wc;
		int rc = read_key(t, &wc);
		if (rc == ERR)
			break;
		int k = map_key(t, rc, wc);
		if (k == 'q' || k == MT_KEY_ESC)
			cancel = true;
		else if (k == MT_KEY_RESIZE)
			t->resized = true;
		else if (k != MT_KEY_NONE && t->npending < PENDING_MAX)
			t->pending[t->npending++] = k;
	}
	nodelay(stdscr, FALSE);

	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	if (t->resized)
		paint(t); /* the core lays out again when this work ends */
	char counts[64], buf[512];
	if (!label)
		label = "";
	if (total > 0) {
		snprintf(counts, sizeof counts, "%llu/%llu",
			 (unsigned long long)done, (unsigned long long)total);
		int bw = cols - text_cells(label, strlen(label)) -
			 (int)strlen(counts) - 5;
		if (bw > 40)
			bw = 40;
		if (bw >= 5) {
			char bar[41];
			uint64_t d = done > total ? total : done;
			int full = (int)(d * (uint64_t)bw / total);
			memset(bar, '#', (size_t)full);
			memset(bar + full, '.', (size_t)(bw - full));
			bar[bw] = '\0';
			snprintf(buf, sizeof buf, " %s [%s] %s", label, bar,
				 counts);
		} else {
			snprintf(buf, sizeof buf, " %s %s", label, counts);
		}
	} else {
		snprintf(buf, sizeof buf, " %s %c %llu", label,
			 "|/-\\"[t->spin++ % 4], (unsigned long long)done);
	}
	curs_set(0);
	draw_text(t, rows - 1, buf, MT_LINE_STATUS, 0, 0, cols);
	refresh();
	return cancel;
}

/* ---- history ----------------------------------------------------------- */

static int mkdir_p(char *path)
{
	for (char *s = path + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			int rc = mkdir(path, 0700);
			*s = '/';
			if (rc != 0 && errno != EEXIST)
				return -1;
		}
	return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* $XDG_STATE_HOME/memtrack/history-NAME (default ~/.local/state), with its
 * directory made; malloc'd, or NULL when there is no such place. */
static char *hist_path(const char *name)
{
	const char *x = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char dir[4096];
	int n;
	if (x && x[0] == '/') /* the spec ignores relative paths */
		n = snprintf(dir, sizeof dir, "%s/memtrack", x);
	else if (home && home[0])
		n = snprintf(dir, sizeof dir, "%s/.local/state/memtrack", home);
	else
		return NULL;
	if (n < 0 || (size_t)n >= sizeof dir || mkdir_p(dir) != 0)
		return NULL;
	size_t len = strlen(dir) + strlen(name) + 10;
	char *p = malloc(len);
	if (!p)
		return NULL;
	snprintf(p, len, "%s/history-", dir);
	char *e = p + strlen(p);
	for (const char *s = name; *s; s++) /* keep the name a file name */
		*e++ = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			       (*s >= '0' && *s <= '9') || *s == '-'
			   ? *s
			   : '_';
	*e = '\0';
	return p;
}

/* The history list `name`, read from its file the first time; NULL only
 * when memory runs out. */
static hist *hist_get(term *t, const char *name)
{
	for (size_t i = 0; i < t->nhists; i++)
		if (!strcmp(t->hists[i].name, name))
			return &t->hists[i];
	hist *hs = realloc(t->hists, (t->nhists + 1) * sizeof *hs);
	if (!hs)
		return NULL;
	t->hists = hs;
	hist *h = &hs[t->nhists];
	memset(h, 0, sizeof *h);
	if (!(h->name = strdup(name)))
		return NULL;
	t->nhists++;
	char *path = hist_path(name);
	clear_history();
	if (path && read_history(path) == 0) {
		HIST_ENTRY **list = history_list();
		size_t n = 0;
		while (list && list[n])
			n++;
		size_t from = n > HIST_MAX ? n - HIST_MAX : 0;
		h->lines = calloc(n - from + 1, sizeof *h->lines);
		for (size_t i = from; h->lines && i < n; i++)
			if ((h->lines[h->n] = strdup(list[i]->line)))
				h->n++;
	}
	free(path);
	clear_history();
	return h;
}

/* Makes h readline's history, positioned after its last line. */
static void hist_use(const hist *h)
{
	clear_history();
	for (size_t i = 0; i < h->n; i++)
		add_history(h->lines[i]);
	using_history();
}

/* Adds line to h (not an empty line nor a repeat of the last one), keeps
 * the last HIST_MAX lines and writes the file; failures are silent. */
static void hist_add(hist *h, const char *line)
{
	if (!line[0] || (h->n > 0 && !strcmp(h->lines[h->n - 1], line)))
		return;
	char *copy = strdup(line);
	char **l = copy ? realloc(h->lines, (h->n + 1) * sizeof *l) : NULL;
	if (!l) {
		free(copy);
		return;
	}
	h->lines = l;
	h->lines[h->n++] = copy;
	if (h->n > HIST_MAX) {
		size_t drop = h->n - HIST_MAX;
		for (size_t i = 0; i < drop; i++)
			free(h->lines[i]);
		memmove(h->lines, h->lines + drop, HIST_MAX * sizeof *l);
		h->n = HIST_MAX;
	}
	char *path = hist_path(h->name);
	if (path) {
		hist_use(h);
		write_history(path);
		free(path);
	}
	clear_history();
}

/* ---- readline ---------------------------------------------------------- */

static int rl_getc_cb(FILE *f)
{
	(void)f;
	term *t = g_term;
	if (!t || t->qn == 0)
		return 7; /* ^G: readline only asks after we fed it */
	int c = t->q[t->qh];
	t->qh = (t->qh + 1) % (int)sizeof t->q;
	t->qn--;
	return c;
}

static int rl_avail_cb(void) { return g_term && g_term->qn > 0; }

static void feed(term *t, const char *bytes, size_t n)
{
	for (size_t i = 0; i < n && t->qn < (int)sizeof t->q; i++) {
		t->q[(t->qh + t->qn) % (int)sizeof t->q] =
		    (unsigned char)bytes[i];
		t->qn++;
	}
}

/* Draws the screen, the candidates and the prompt line, the terminal
 * cursor at rl_point (scrolling the line sideways when it is long). */
static void redisplay_cb(void)
{
	term *t = g_term;
	if (!t)
		return;
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	paint(t);
	if (t->matches && rows >= 2)
		draw_text(t, rows - 2, t->matches, MT_LINE_NORMAL, 0, 0, cols);

	const char *prompt = rl_display_prompt ? rl_display_prompt : t->prompt;
	const char *buf = rl_line_buffer ? rl_line_buffer : "";
	size_t point = (size_t)(rl_point > 0 ? rl_point : 0);
	if (point > strlen(buf))
		point = strlen(buf);
	int pw = text_cells(prompt, strlen(prompt));
	if (pw > cols / 2) /* keep half the row for the text */
		pw = cols / 2;
	int avail = cols - pw - 1; /* one cell for the cursor at the end */

	/* first byte shown: the point must fit, after a '<' if cut */
	size_t from = 0;
	if (text_cells(buf, point) > avail) {
		while (from < point &&
		       text_cells(buf + from, point - from) > avail - 1) {
			wchar_t wc;
			from +=
			    utf8_decode((const unsigned char *)buf + from, &wc);
		}
	}
	int row = rows - 1;
	draw_text(t, row, prompt, MT_LINE_NORMAL, 0, 0, pw);
	move(row, pw);
	clrtoeol();
	int x = pw;
	if (from > 0 && cols - x > 0) {
		mvaddch(row, x, '<');
		x++;
	}
	int cx = x + text_cells(buf + from, point - from);
	const unsigned char *p = (const unsigned char *)buf + from;
	while (*p) {
		wchar_t wc;
		size_t n = utf8_decode(p, &wc);
		int cw = cell_width(&wc);
		if (cw > 0 && x + cw > cols)
			break;
		put_cell(wc, A_NORMAL, 0);
		x += cw;
		p += n;
	}
	if (cx >= cols)
		cx = cols - 1;
	curs_set(1);
	move(row, cx);
	refresh();
}

static void on_line(char *line)
{
	term *t = g_term;
	rl_callback_handler_remove();
	t->done = true;
	t->result = line;
}

static char *complete_gen(const char *text, int state)
{
	static int i;
	term *t = g_term;
	(void)text;
	if (state == 0)
		i = 0;
	if (!t || !t->complete || !t->left)
		return NULL;
	return t->complete(t->cdata, t->left, i++);
}

static char **attempt_cb(const char *text, int start, int end)
{
	term *t = g_term;
	(void)start;
	rl_attempted_completion_over = 1;  /* never file names */
	rl_completion_suppress_append = 1; /* "by(" wants no space */
	if (!t || !t->complete)
		return NULL;
	free(t->left);
	t->left = strndup(rl_line_buffer, (size_t)end);
	if (!t->left)
		return NULL;
	char **m = rl_completion_matches(text, complete_gen);
	free(t->left);
	t->left = NULL;
	return m;
}

/* Readline's list of candidates: one row above the prompt. */
static void show_matches_cb(char **matches, int n, int maxlen)
{
	term *t = g_term;
	(void)maxlen;
	if (!t)
		return;
	size_t len = 1;
	for (int i = 1; i <= n; i++)
		len += strlen(matches[i]) + 2;
	free(t->matches);
	t->matches = malloc(len);
	if (t->matches) {
		t->matches[0] = '\0';
		for (int i = 1; i <= n; i++) {
			strcat(t->matches, matches[i]);
			if (i < n)
				strcat(t->matches, "  ");
		}
	}
	redisplay_cb();
}

/* Once per process: readline must never touch the terminal, signals or
 * the environment (LINES/COLUMNS would freeze curses' idea of the size). */
static void rl_setup(term *t)
{
	if (t->rl_ready)
		return;
	rl_readline_name = "memtrack";
	rl_change_environment = 0;
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_prep_term_function = NULL;
	rl_deprep_term_function = NULL;
	if (t->devnull)
		rl_outstream = t->devnull;
	rl_getc_function = rl_getc_cb;
	rl_input_available_hook = rl_avail_cb;
	rl_redisplay_function = redisplay_cb;
	rl_attempted_completion_function = attempt_cb;
	rl_completion_display_matches_hook = show_matches_cb;
	rl_basic_word_break_characters = word_breaks;
	rl_completer_word_break_characters = word_breaks;
	rl_completer_quote_characters = NULL;
	/* readline's tgetent() finds curses' terminal (same TERM and fd) and
	 * reuses it, so curses keeps its terminal */
	rl_initialize();
	rl_variable_bind("show-all-if-ambiguous", "on");
	rl_variable_bind("revert-all-at-newline", "on");
	rl_variable_bind("enable-bracketed-paste", "off");
	t->rl_ready = true;
}

/* After readline handled a byte: tells a live prompt's changed() of a
 * line that differs from the one it last saw (it redraws through
 * term_draw, which puts the prompt line back on top). */
static void tell_changed(term *t)
{
	if (!t->changed || t->done || !t->live)
		return;
	const char *buf = rl_line_buffer ? rl_line_buffer : "";
	if (t->shown && strcmp(buf, t->shown) == 0)
		return;
	char *copy = strdup(buf);
	if (!copy)
		return; /* no memory: the search waits for the next edit */
	free(t->shown);
	t->shown = copy;
	t->changed(t->cdata, copy);
}

static char *term_readline(mt_ui *ui, const char *prompt, const char *histname,
			   char *(*complete)(void *data, const char *text,
					     int i),
			   void *data, void (*changed)(void *data,
						       const char *text))
{
	term *t = (term *)ui;
	rl_setup(t);
	hist *h = hist_get(t, histname ? histname : "default");
	if (h)
		hist_use(h);
	else
		clear_history();
	t->prompt = prompt ? prompt : "";
	t->complete = complete;
	t->cdata = data;
	t->changed = changed;
	free(t->shown);
	t->shown = strdup("");
	t->done = false;
	t->result = NULL;
	t->qh = t->qn = 0;
	free(t->matches);
	t->matches = NULL;
	rl_callback_handler_install(t->prompt, on_line);
	t->live = changed != NULL;

	bool cancelled = false;
	int errs = 0;
	while (!t->done && !cancelled) {
		wint_t wc;
		int rc = read_key(t, &wc);
		if (rc == ERR) {
			if (++errs >= 100)
				cancelled = true;
			continue;
		}
		errs = 0;
		const char *seq = NULL;
		unsigned char b[4];
		size_t n = 0;
		if (rc == KEY_CODE_YES) {
			switch (wc) {
			case KEY_RESIZE:
				t->resized = true;
				clearok(curscr, TRUE);
				redisplay_cb();
				continue;
			case KEY_ENTER:
				seq = "\r";
				break;
			case KEY_BACKSPACE:
				seq = "\177";
				break;
			case KEY_LEFT:
				seq = SEQ_LEFT;
				break;
			case KEY_RIGHT:
				seq = SEQ_RIGHT;
				break;
			case KEY_UP:
				seq = SEQ_UP;
				break;
			case KEY_DOWN:
				seq = SEQ_DOWN;
				break;
			case KEY_HOME:
				seq = SEQ_HOME;
				break;
			case KEY_END:
				seq = SEQ_END;
				break;
			case KEY_DC:
				seq = "\004"; /* ^D deletes under the point */
				break;
			case KEY_MOUSE: {
				MEVENT ev;
				getmouse(&ev);
				continue;
			}
			default:
				continue;
			}
		} else if (wc == 27 || wc == 7) { /* Esc, ^G */
			cancelled = true;
			break;
		} else if (wc == 12) { /* ^L */
			clearok(curscr, TRUE);
			redisplay_cb();
			continue;
		} else if (wc == 4 && rl_end > 0 && rl_point >= rl_end) {
			continue; /* ^D at the end of a line: nothing */
		} else if (!t->multibyte && wc < 0x100) {
			b[0] = (unsigned char)wc; /* the locale's own byte */
			n = 1;
		} else {
			n = utf8_encode((unsigned)wc, b);
		}
		if (wc != '\t' && t->matches) {
			free(t->matches);
			t->matches = NULL;
		}
		if (seq)
			feed(t, seq, strlen(seq));
		else
			feed(t, (const char *)b, n);
		while (t->qn > 0 && !t->done) {
			rl_callback_read_char();
			tell_changed(t);
		}
	}
	t->live = false;
	if (!t->done) { /* cancelled: leave readline clean for next time */
		rl_callback_sigcleanup();
		rl_free_line_state();
		rl_callback_handler_remove();
	}
	free(t->matches);
	t->matches = NULL;
	t->complete = NULL;
	t->cdata = NULL;
	t->changed = NULL;
	free(t->shown);
	t->shown = NULL;
	t->qh = t->qn = 0;
	char *line = t->done ? t->result : NULL;
	t->result = NULL;
	if (line && h)
		hist_add(h, line);
	clear_history();
	paint(t);
	refresh();
	return line;
}

/* ---- life -------------------------------------------------------------- */

mt_ui *mt_term_new(bool mouse, bool ascii, bool color)
{
	static bool registered;
	if (g_term)
		return NULL;
	setlocale(LC_ALL, "");
	term *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->mouse = mouse;
	t->ascii = ascii;
	t->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	t->multibyte = MB_CUR_MAX > 1;
	t->last.cursor_row = t->last.cursor_col = -1;
	t->devnull = fopen("/dev/null", "w");

	signals_install();
	if (!registered) {
		atexit(at_exit);
		registered = true;
	}
	t->scr = newterm(NULL, stdout, stdin);
	if (!t->scr) {
		signals_restore();
		if (t->devnull)
			fclose(t->devnull);
		free(t);
		return NULL;
	}
	g_active = 1;
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	meta(stdscr, TRUE);
	curs_set(0);
	/* what terminals send beside what their terminfo says (tmux and
	 * screen with TERM=xterm*, rxvt, the linux console) */
	static const struct {
		const char *seq;
		int key;
	} extra[] = {{"\033[1~", KEY_HOME},  {"\033[4~", KEY_END},
		     {"\033[7~", KEY_HOME},  {"\033[8~", KEY_END},
		     {"\033[H", KEY_HOME},   {"\033[F", KEY_END},
		     {"\033OH", KEY_HOME},   {"\033OF", KEY_END},
		     {"\033[A", KEY_UP},     {"\033[B", KEY_DOWN},
		     {"\033[C", KEY_RIGHT},  {"\033[D", KEY_LEFT},
		     {"\033OA", KEY_UP},     {"\033OB", KEY_DOWN},
		     {"\033OC", KEY_RIGHT},  {"\033OD", KEY_LEFT},
		     {"\033[5~", KEY_PPAGE}, {"\033[6~", KEY_NPAGE},
		     {"\033[3~", KEY_DC},    {"\033OP", KEY_F(1)},
		     {"\033[11~", KEY_F(1)}};
	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
		if (key_defined(extra[i].seq) == 0)
			define_key(extra[i].seq, extra[i].key);
	if (mouse) {
		mmask_t m = BUTTON4_PRESSED;
#ifdef BUTTON5_PRESSED
		m |= BUTTON5_PRESSED;
#endif
		mousemask(m, NULL);
		mouseinterval(0);
	}
	const char *nc = getenv("NO_COLOR");
	if (color && !(nc && nc[0]) && has_colors() && start_color() == OK) {
		short bg = use_default_colors() == OK ? -1 : COLOR_BLACK;
		init_pair(P_TITLE, COLOR_CYAN, bg);
		init_pair(P_MARKED, COLOR_YELLOW, bg);
		init_pair(P_STATUS, COLOR_BLUE, bg == -1 ? COLOR_WHITE : bg);
		init_pair(P_ERROR, COLOR_RED, bg);
		t->colors = true;
	}
	t->ui.size = term_size;
	t->ui.draw = term_draw;
	t->ui.getkey = term_getkey;
	t->ui.readline = term_readline;
	t->ui.progress = term_progress;
	t->ui.beep = term_beep;
	t->ui.priv = t;
	g_term = t;
	return &t->ui;
}

void mt_term_free(mt_ui *ui)
{
	if (!ui)
		return;
	term *t = (term *)ui;
	if (g_active) {
		g_active = 0;
		if (t->mouse)
			mousemask(0, NULL);
		curs_set(1);
		endwin();
	}
	signals_restore();
	delscreen(t->scr);
	screen_clear(&t->last);
	for (size_t i = 0; i < t->nhists; i++) {
		for (size_t j = 0; j < t->hists[i].n; j++)
			free(t->hists[i].lines[j]);
		free(t->hists[i].lines);
		free(t->hists[i].name);
	}
	free(t->hists);
	free(t->matches);
	free(t->left);
	free(t->shown);
	if (t->rl_ready && t->devnull)
		rl_outstream = stdout;
	if (t->devnull)
		fclose(t->devnull);
	g_term = NULL;
	free(t);
}

bool mt_term_utf8(const mt_ui *ui)
{
	const term *t = (const term *)ui;
	return t && t->utf8 && !t->ascii;
}
