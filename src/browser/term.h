/* The terminal front end of the browser (see ui.h): ncurses rendering of an
 * mt_screen and a GNU readline prompt on the last line.  The only module
 * that includes curses or readline.
 */
#ifndef MT_BROWSER_TERM_H
#define MT_BROWSER_TERM_H

#include <stdbool.h>

#include "ui.h"

/* Takes over the terminal (stdin/stdout): sets the locale from the
 * environment, starts curses, and installs SIGINT/SIGTERM/SIGHUP handlers
 * that restore the terminal before the signal's default action.
 *   mouse: report the mouse wheel as MT_KEY_WHEEL_UP/DOWN;
 *   ascii: never draw UTF-8 or ACS line drawing (the front end draws none
 *          of its own; mt_term_utf8 then answers false);
 *   color: colour as an extra to the attributes, when the terminal has
 *          colours and NO_COLOR is unset or empty.
 * Returns NULL, with the terminal untouched, when curses cannot start
 * (unknown TERM, ...); the caller reports it.  Only one at a time.
 *
 * Completion: the `complete` callback of readline() receives the whole
 * text left of the cursor (not only the word) and returns whole words,
 * which replace the word before the cursor (the identifier characters
 * after the last other character), as mt_query_complete() does.
 * Cancelling: Esc, ^G, or ^D on an empty line return NULL.  A resize
 * while prompting or during progress is reported by the next getkey()
 * as MT_KEY_RESIZE, so the core lays the screen out again.  */
mt_ui *mt_term_new(bool mouse, bool ascii, bool color);

/* Restores the terminal (endwin), the signal handlers, and frees ui.
 * NULL is a no-op. */
void mt_term_free(mt_ui *ui);

/* True when the core may draw UTF-8 line drawing and symbols: the locale's
 * codeset is UTF-8 and ascii was not asked for. */
bool mt_term_utf8(const mt_ui *ui);

#endif
