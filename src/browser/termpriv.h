/* Private to the terminal front end (term.c: curses; term_rl.c: the
 * readline prompt and its histories): the one mt_term (g_term) and the
 * drawing and key reading the prompt shares with the screen.  Curses and
 * readline state are process globals, so there is one term at a time.
 */
#ifndef MT_BROWSER_TERMPRIV_H
#define MT_BROWSER_TERMPRIV_H

#define NCURSES_WIDECHAR 1

#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <wchar.h>

#include <curses.h>

#include "term.h"

#define PENDING_MAX 32

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

extern term *g_term;

/* term.c */
/* UTF-8 text: one character's length and code point (a malformed byte:
 * U+FFFD, one byte); the cells *wc takes (a character that cannot be
 * shown becomes '?'); the cells of s[0..len). */
size_t term_utf8_decode(const unsigned char *p, wchar_t *out);
int term_cell_width(wchar_t *wc);
int term_text_cells(const char *s, size_t len);
void term_put_cell(wchar_t wc, attr_t a, short pair);
/* Draws UTF-8 text at row in role, clipped to cols cells, the rest of
 * the row blank; cells [hs, hs + hl) underlined.  Returns the cells the
 * text took. */
int term_draw_text(const term *t, int row, const char *text,
		   mt_line_attr role, int hs, int hl, int cols);
/* Repaints the last screen (not refreshed). */
void term_paint(term *t);
/* get_wch (getch in a single-byte locale). */
int term_read_key(const term *t, wint_t *wc);

/* term_rl.c */
char *term_readline(mt_ui *ui, const char *prompt, const char *histname,
		    char *(*complete)(void *data, const char *text, int i),
		    void *data, void (*changed)(void *data, const char *text));
/* Draws the screen with the prompt line on top (a live prompt). */
void term_redisplay(void);
/* Frees the histories and readline's hold on the term. */
void term_rl_free(term *t);

#endif
