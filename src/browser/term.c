/* The terminal front end (term.h): mt_ui over ncursesw; the readline
 * prompt is term_rl.c.
 *
 * Owns the terminal while it lives: curses state and the signal handlers
 * that give the terminal back on SIGINT/SIGTERM/SIGHUP.  It keeps a deep
 * copy of the last screen the core drew so it can repaint it on its own
 * while the core is blocked in a prompt or in long work (a resize, a
 * completion list, ^L); such a resize is remembered and handed to the core
 * as MT_KEY_RESIZE by the next getkey(), and keys typed during progress
 * are queued for it.  Text arriving from the core is UTF-8 whatever the
 * locale: it is decoded here and clipped by display cells (wcwidth), and a
 * character the locale cannot show becomes '?'.  Curses state is a process
 * global, so only one mt_term exists at a time (g_term).
 */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include <curses.h>

#include "memtrack/util.h"
#include "termpriv.h"

#define PROGRESS_NS 50000000L /* redraw progress at most every 50 ms */

term *g_term;
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

size_t term_utf8_decode(const unsigned char *p, wchar_t *out)
{
	uint32_t cp;
	size_t n = mt_utf8_decode((const char *)p, MT_UTF8_MAX, &cp);
	*out = n ? (wchar_t)cp : 0xfffd;
	return n ? n : 1;
}

int term_cell_width(wchar_t *wc)
{
	int w = mt_cp_width((uint32_t)*wc);
	if (w < 0) {
		*wc = L'?';
		w = 1;
	}
	return w;
}

/* Cells of the first `len` bytes of s. */
int term_text_cells(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;
	int cells = 0;
	while (p < end && *p) {
		wchar_t wc;
		p += term_utf8_decode(p, &wc);
		cells += term_cell_width(&wc);
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

void term_put_cell(wchar_t wc, attr_t a, short pair)
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
int term_draw_text(const term *t, int row, const char *text,
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
		size_t n = term_utf8_decode(p, &wc);
		int w = term_cell_width(&wc);
		if (w == 0) { /* combining: joins the previous cell */
			if (col > 0)
				term_put_cell(wc, a, pair);
			p += n;
			continue;
		}
		if (col + w > cols)
			break;
		term_put_cell(wc, hl > 0 && col >= hs && col < hs + hl ? span : a,
			 pair);
		col += w;
		p += n;
	}
	int used = col;
	for (; col < cols; col++)
		term_put_cell(L' ', hl > 0 && col >= hs && col < hs + hl ? span : a,
			 pair);
	return used;
}

/* Repaints the last screen at the terminal's present size (not refreshed). */
void term_paint(term *t)
{
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	erase();
	for (int r = 0; r < t->last.rows && r < rows; r++) {
		const mt_screen_line *l = &t->last.lines[r];
		term_draw_text(t, r, l->text, l->attr, l->hl_start, l->hl_len, cols);
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
		term_paint(t);
	} else { /* draw straight from s */
		mt_screen tmp = *s;
		mt_screen keep = t->last;
		t->last = tmp;
		term_paint(t);
		t->last = keep;
	}
	if (t->live) /* drawn from changed(): the prompt line goes on top */
		term_redisplay();
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
int term_read_key(const term *t, wint_t *wc)
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
		int rc = term_read_key(t, &wc);
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

/* progress() and, with idle, idle(): the keyboard is polled and the bar
 * drawn at most every PROGRESS_NS; q and Esc cancel unless idle, where
 * every key is queued and any waiting key ends the work. */
static bool poll_progress(term *t, const char *label, uint64_t done,
			  uint64_t total, bool idle)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (t->prog_drawn && elapsed_ns(&t->prog_at, &now) < PROGRESS_NS)
		return idle && (t->npending > 0 || t->resized);
	t->prog_at = now;
	t->prog_drawn = true;

	/* poll the keyboard: q / Esc cancel, a resize is kept for the core,
	 * other keys wait in the queue for getkey */
	bool cancel = false;
	nodelay(stdscr, TRUE);
	for (int i = 0; i < 64; i++) {
		wint_t wc;
		int rc = term_read_key(t, &wc);
		if (rc == ERR)
			break;
		int k = map_key(t, rc, wc);
		if (!idle && (k == 'q' || k == MT_KEY_ESC))
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
		term_paint(t); /* the core lays out again when this work ends */
	char counts[64], buf[512];
	if (!label)
		label = "";
	if (total > 0) {
		snprintf(counts, sizeof counts, "%llu/%llu",
			 (unsigned long long)done, (unsigned long long)total);
		int bw = cols - term_text_cells(label, strlen(label)) -
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
	term_draw_text(t, rows - 1, buf, MT_LINE_STATUS, 0, 0, cols);
	refresh();
	return idle ? t->npending > 0 || t->resized : cancel;
}

static bool term_progress(mt_ui *ui, const char *label, uint64_t done,
			  uint64_t total)
{
	return poll_progress((term *)ui, label, done, total, false);
}

static bool term_idle(mt_ui *ui, const char *label, uint64_t done,
		      uint64_t total)
{
	return poll_progress((term *)ui, label, done, total, true);
}

static bool term_key_waits(mt_ui *ui)
{
	return ((term *)ui)->npending > 0;
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
	t->ui.idle = term_idle;
	t->ui.key_waits = term_key_waits;
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
	term_rl_free(t);
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

