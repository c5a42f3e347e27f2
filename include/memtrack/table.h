/* heapy's partition table as text (the layout users of `hp.heap()` know).
 *
 *   Partition of a set of 5248 objects. Total size = 450586 bytes.
 *    Index  Count   %     Size   % Cumulative  % Kind (class / dict of class)
 *        0   1000  19   184000  41    184000  41 dict (no owner)
 *
 * Rows are '%6d %6d %3d %8d %3d %9d %3d ' and the label, wrapped like
 * Python's textwrap at 100 columns with a 45-space indent; percentages are
 * rounded half to even like int('%.0f' % x).  A page shows 10 rows, then
 * "<N more rows. Type e.g. '_.more' to view.>" unless exactly one row is
 * left, which is shown instead.  Text goes into an mt_strbuf; nothing is
 * printed here.
 */
#ifndef MEMTRACK_TABLE_H
#define MEMTRACK_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "memtrack/partition.h"
#include "memtrack/strbuf.h"

#define MT_TABLE_PAGE 10   /* rows per page                        */
#define MT_TABLE_WIDTH 100 /* heapy's line length                  */
#define MT_TABLE_PREFIX 45 /* width of the numeric columns of a row */

enum {
	MT_TABLE_TITLE = 1, /* start with the "Partition of ..." line */
	MT_TABLE_ALL = 2,   /* every row from `first`, no "more" line  */
	MT_TABLE_HUMAN = 4  /* sizes as mt_fmt_size ("16.1 MB", same
			       widths), counts in the title with commas:
			       not heapy's layout any more (--human) */
};

/* Percentage of part in total as heapy prints it (0 when total is 0). */
int mt_table_percent(uint64_t part, uint64_t total);

/* The 45 characters of numeric columns of row i, NUL-terminated (buf has
 * room for MT_TABLE_PREFIX + 1 bytes; wider numbers make it longer, as in
 * heapy, so give 128).  Returns the length. */
size_t mt_table_row_prefix(const mt_partition *p, size_t i, char *buf,
			   size_t n);

/* Appends the table from row `first` (0 for the first page) to out: the
 * title if MT_TABLE_TITLE, the column header, one page of rows (or all with
 * MT_TABLE_ALL) and the "more rows" line.  *next (may be NULL) is the first
 * row not shown, nrows when all were.  Every line ends with '\n'. */
mt_status mt_table_format(const mt_partition *p, size_t first, unsigned flags,
			  mt_strbuf *out, size_t *next, mt_err *err);

/* Appends text wrapped like Python's textwrap.wrap(text, width,
 * initial_indent=' '*ind1, subsequent_indent=' '*ind2), one '\n' after each
 * line.  Widths count UTF-8 characters. */
mt_status mt_table_wrap(mt_strbuf *out, const char *text, size_t len,
			size_t width, size_t ind1, size_t ind2);

/* Appends one row of a heapy table: prefix[0..plen) (the numbers) and
 * the label, wrapped to MT_TABLE_WIDTH under the label column; a label's
 * further lines ('\n'-separated) each wrapped the same way. */
mt_status mt_table_row(mt_strbuf *out, const char *prefix, size_t plen,
		       const char *label);

#endif
