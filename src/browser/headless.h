/* The headless front end: an mt_ui that reads keys from a script and writes
 * screens as text, so the browser is tested like any other program.
 *
 * Script syntax: plain characters are keys (newlines are ignored); names in
 * angle brackets are the others: <Enter> <Esc> <Up> <Down> <Left> <Right>
 * <PgUp> <PgDn> <Home> <End> <Backspace> <Tab> <F1> <Space> <C-l> <C-f>
 * <C-b> <C-d> <C-u> <WheelUp> <WheelDown> <lt> (a literal '<'),
 * <Resize:COLSxROWS> (the terminal changes size, the browser gets
 * MT_KEY_RESIZE) and <save> (writes the current screen now; not a key).
 * A '<' that does not start a known name is the '<' key.  readline reads
 * characters up to <Enter> (<Esc> cancels, <Backspace> deletes, <Tab>
 * completes the last word with the first candidate).  A live prompt
 * (readline's changed callback, the `/` search) calls changed after each
 * edit, and with each_step each key it reads is a step whose screen has
 * the prompt and its text as the last line.
 *
 * Output: with each_step, the first screen and the screen after every key,
 * each after a line `--- step N: KEY` (` (beep)` appended when the key was
 * refused); otherwise the screen at each <save> after `--- save N`, and the
 * last screen at the end when there was no <save>.
 */
#ifndef MT_BROWSER_HEADLESS_H
#define MT_BROWSER_HEADLESS_H

#include <stdbool.h>
#include <stdio.h>

#include "memtrack/error.h"
#include "ui.h"

typedef struct mt_headless mt_headless;

/* Parses script (borrowed for the call); out (borrowed until free) gets the
 * screens.  MT_SYNTAX with err->offset at a bad <...> name. */
mt_status mt_headless_new(mt_headless **out, const char *script, int cols,
			  int rows, FILE *screens, bool each_step,
			  mt_err *err);
mt_ui *mt_headless_ui(mt_headless *h);
/* Writes what is still due (the last step or the final screen).  Returns
 * false on a write error. */
bool mt_headless_finish(mt_headless *h);
void mt_headless_free(mt_headless *h);

/* Parses "COLSxROWS"; false when malformed. */
bool mt_headless_parse_size(const char *s, int *cols, int *rows);

#endif
