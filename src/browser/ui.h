/* The seam between the browser core and its front ends.
 *
 * The core (browser.c and the views) knows nothing of curses or readline:
 * it lays the screen out as an mt_screen (lines of UTF-8 text, one line
 * attribute each, plus one optional highlighted span), reads keys as
 * mt_key codes, and asks its front end, through mt_ui, for a line of
 * input, for progress display and for polling a cancel key.  Two front
 * ends implement mt_ui:
 *   - term.c: ncurses rendering + readline prompt (the real terminal);
 *   - headless.c: keys from a script, the screen written out as text,
 *     for tests (memtrack-tui --headless).
 * Meaning is never carried by an attribute alone: the cursor row also has
 * a '>' in column 0 and marked rows a '*' in column 1, drawn by the core
 * into the text itself.
 */
#ifndef MT_BROWSER_UI_H
#define MT_BROWSER_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Keys: printable characters are their Unicode code point; the rest: */
enum {
	MT_KEY_NONE = 0,
	MT_KEY_ENTER = '\n',
	MT_KEY_ESC = 27,
	MT_KEY_BACKSPACE = 127,
	MT_KEY_TAB = '\t',
	MT_KEY_CTRL_L = 12,
	MT_KEY_CTRL_F = 6,
	MT_KEY_CTRL_B = 2,
	MT_KEY_CTRL_D = 4,
	MT_KEY_CTRL_U = 21,
	MT_KEY_SPECIAL = 0x110000, /* above Unicode */
	MT_KEY_UP,
	MT_KEY_DOWN,
	MT_KEY_LEFT,
	MT_KEY_RIGHT,
	MT_KEY_PGUP,
	MT_KEY_PGDN,
	MT_KEY_HOME,
	MT_KEY_END,
	MT_KEY_F1,
	MT_KEY_RESIZE,     /* the terminal changed size */
	MT_KEY_WHEEL_UP,   /* mouse wheel */
	MT_KEY_WHEEL_DOWN,
	MT_KEY_EOF         /* no more input (headless script ended) */
};

/* Line attributes (roles, not colours: a front end maps them). */
typedef enum {
	MT_LINE_NORMAL = 0,
	MT_LINE_TITLE,   /* the header line naming the dump      */
	MT_LINE_CRUMB,   /* the breadcrumb line                   */
	MT_LINE_COLUMNS, /* column headers                        */
	MT_LINE_CURSOR,  /* the selected row (reverse video)      */
	MT_LINE_MARKED,  /* a marked row (bold)                   */
	MT_LINE_STATUS,  /* the status line                       */
	MT_LINE_ERROR    /* an error in the status line (bold)    */
} mt_line_attr;

typedef struct mt_screen_line {
	char *text;        /* UTF-8, at most `cols` display cells; owned */
	mt_line_attr attr;
	int hl_start, hl_len; /* a span to underline (sort column), in
				 display cells; hl_len 0 = none */
} mt_screen_line;

typedef struct mt_screen {
	int rows, cols;
	mt_screen_line *lines; /* rows entries */
	int cursor_row, cursor_col; /* where the terminal cursor goes, or -1 */
} mt_screen;

typedef struct mt_ui mt_ui;
struct mt_ui {
	/* Size of the screen now. */
	void (*size)(mt_ui *ui, int *rows, int *cols);
	/* Shows the screen (all lines). */
	void (*draw)(mt_ui *ui, const mt_screen *s);
	/* Waits for the next key. */
	int (*getkey)(mt_ui *ui);
	/* Reads one line at the bottom of the screen after `prompt`, with
	 * history `histname` ("query", "search", ...) and, when complete is
	 * not NULL, tab completion: complete(data, text, i) gets the whole
	 * text left of the cursor and returns the i-th candidate (malloc'd)
	 * as the whole word it completes, or NULL past the last (this is
	 * mt_query_complete's contract).  When changed is not NULL the
	 * prompt is live (incremental search): after every edit that changes
	 * the line (a typed or deleted character, a history recall, ...) the
	 * front end calls changed(data, line) with the whole line; the core
	 * then moves its cursor and draws the screen through draw(), and the
	 * front end shows that screen with the prompt line over its last row
	 * (the core leaves that row empty while it is in a live prompt, and
	 * draws the screen so laid out before it calls readline).  Not
	 * called for Enter or a cancel.  Returns a malloc'd line, or NULL
	 * when cancelled (Esc / ^G / EOF). */
	char *(*readline)(mt_ui *ui, const char *prompt, const char *histname,
			  char *(*complete)(void *data, const char *text, int i),
			  void *data,
			  void (*changed)(void *data, const char *text));
	/* Progress of long work: label, done of total (total 0: unknown).
	 * Returns true if the user asked to cancel (q or Esc pressed).  Called
	 * often; a front end redraws at most every ~50 ms. */
	bool (*progress)(mt_ui *ui, const char *label, uint64_t done,
			 uint64_t total);
	/* Rings the bell / flashes on a refused key. */
	void (*beep)(mt_ui *ui);
	void *priv;
	/* Optional (NULL: progress() instead, never stopping for a key).
	 * Work the user need not wait for (the exact Retained figures after
	 * their bounds): shows its progress as progress() does and returns
	 * true as soon as a key waits, which stays queued for getkey (q and
	 * Esc too: they are keys here, not a cancel).  The headless front
	 * end says a key waits while its script has keys left. */
	bool (*idle)(mt_ui *ui, const char *label, uint64_t done,
		     uint64_t total);
	/* Optional (NULL: no): whether the next key is there already (typed
	 * ahead, or a script's), so no one is reading the screen now. */
	bool (*key_waits)(mt_ui *ui);
};

#endif
