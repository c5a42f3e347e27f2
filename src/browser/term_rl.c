/* The readline prompt of the terminal front end (termpriv.h) and its
 * per-name histories.
 *
 * Readline runs through its callback interface: curses reads every key,
 * special keys become the escape sequences readline binds by default, and
 * readline never touches the terminal itself (no prep/deprep, output to
 * /dev/null, a redisplay function that draws with curses).  In a live
 * prompt (the `/` search) every rl_callback_read_char that changes the
 * line calls the core's changed(), which draws a new screen; term_draw
 * then repaints through term_redisplay, so the prompt line stays on top
 * of the core's screen.  Histories live in $XDG_STATE_HOME/memtrack/
 * history-NAME, the last HIST_MAX lines each.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "memtrack/util.h"
#include "termpriv.h"

#include <readline/history.h>
#include <readline/readline.h>

#define HIST_MAX 1000

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
void term_redisplay(void)
{
	term *t = g_term;
	if (!t)
		return;
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	term_paint(t);
	if (t->matches && rows >= 2)
		term_draw_text(t, rows - 2, t->matches, MT_LINE_NORMAL, 0, 0, cols);

	const char *prompt = rl_display_prompt ? rl_display_prompt : t->prompt;
	const char *buf = rl_line_buffer ? rl_line_buffer : "";
	size_t point = (size_t)(rl_point > 0 ? rl_point : 0);
	if (point > strlen(buf))
		point = strlen(buf);
	int pw = term_text_cells(prompt, strlen(prompt));
	if (pw > cols / 2) /* keep half the row for the text */
		pw = cols / 2;
	int avail = cols - pw - 1; /* one cell for the cursor at the end */

	/* first byte shown: the point must fit, after a '<' if cut */
	size_t from = 0;
	if (term_text_cells(buf, point) > avail) {
		while (from < point &&
		       term_text_cells(buf + from, point - from) > avail - 1) {
			wchar_t wc;
			from +=
			    term_utf8_decode((const unsigned char *)buf + from, &wc);
		}
	}
	int row = rows - 1;
	term_draw_text(t, row, prompt, MT_LINE_NORMAL, 0, 0, pw);
	move(row, pw);
	clrtoeol();
	int x = pw;
	if (from > 0 && cols - x > 0) {
		mvaddch(row, x, '<');
		x++;
	}
	int cx = x + term_text_cells(buf + from, point - from);
	const unsigned char *p = (const unsigned char *)buf + from;
	while (*p) {
		wchar_t wc;
		size_t n = term_utf8_decode(p, &wc);
		int cw = term_cell_width(&wc);
		if (cw > 0 && x + cw > cols)
			break;
		term_put_cell(wc, A_NORMAL, 0);
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
	term_redisplay();
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
	rl_redisplay_function = term_redisplay;
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

char *term_readline(mt_ui *ui, const char *prompt, const char *histname,
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
		int rc = term_read_key(t, &wc);
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
				term_redisplay();
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
			term_redisplay();
			continue;
		} else if (wc == 4 && rl_end > 0 && rl_point >= rl_end) {
			continue; /* ^D at the end of a line: nothing */
		} else if (!t->multibyte && wc < 0x100) {
			b[0] = (unsigned char)wc; /* the locale's own byte */
			n = 1;
		} else {
			n = mt_utf8_encode((uint32_t)wc, (char *)b);
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
	term_paint(t);
	refresh();
	return line;
}

void term_rl_free(term *t)
{
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
}
