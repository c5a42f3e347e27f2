/* The start screen of a dump, saved beside it: HEAP.mp.mtview.
 *
 * When the browser's start view (the whole heap by class / dict owner,
 * its first page, the cursor on the "all" row, no filter, no message) has
 * every Retained figure on screen exact, it saves that screen's text and
 * the figures (by the classifier's kind) beside the dump, with the dump's
 * key (savedidx.h: size, END checksum, device, inode, mtime) and
 * memtrack's version.  The next open of the same dump in a terminal of
 * the same size shows that screen at once, the load's progress in its
 * status line (keys typed meanwhile wait for the browser), and the
 * browser then starts with those figures instead of computing them.
 * Anything that does not match (another dump or version, another
 * terminal size, a damaged file) means no preview; the file is written
 * like the saved index (0600, a temporary file renamed; a file of that
 * name that is not ours is left alone), and a failure to write it only
 * means none.  --no-index turns both off.
 */
#ifndef MT_BROWSER_PREVIEW_H
#define MT_BROWSER_PREVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "memtrack/error.h"
#include "memtrack/savedidx.h"
#include "ui.h"

/* A row's Retained figure, with what identifies the row: its kind
 * (MT_NO_ID: the "all" row), count and size, all three checked before
 * the figure is taken. */
typedef struct mt_preview_row {
	uint32_t kind;
	uint64_t count, size, retained;
} mt_preview_row;

typedef struct mt_preview {
	mt_screen screen;    /* the lines, owned */
	size_t n;	     /* the rows' figures */
	mt_preview_row *rows;
} mt_preview;

/* The file's name for a dump (malloc'd). */
char *mt_preview_path(const char *dump);

/* Writes the preview of the dump at `dump` (key taken before its load). */
mt_status mt_preview_save(const char *dump, const mt_savedidx_key *key,
			  const mt_screen *s, const mt_preview_row *rows,
			  size_t n, mt_err *err);

/* Reads it: MT_OK with *p filled (mt_preview_free), or an error (no
 * file, another dump or version, a damaged file: no preview). */
mt_status mt_preview_load(const char *dump, const mt_savedidx_key *key,
			  mt_preview *p, mt_err *err);
void mt_preview_free(mt_preview *p);

#endif
