/* heapy's identity table (`byid`) of a set of objects, as text.
 *
 *   Set of 1000 <dict (no owner)> objects. Total size = 184000 bytes.
 *    Index     Size   %   Cumulative  %   Address*Length
 *        0      184   0.1       184   0.1 0x7f001100c080*1
 *
 * One row per object: '%6d %8d %5.1f %9d %5.1f ' and its rendering
 * (pyrepr.h, mt_pyrepr_limited), wrapped like partition rows (table.h).
 * The kind in the title is the CLODO label of the objects in <>, or
 * <mixed> when they have several; the column header is the rendering's
 * (mt_pyrepr_style_header) when all objects render one way, else "Brief",
 * and then each row shows `<1 clodo-label: rendering>`.  Rows are ordered
 * by size descending, then by value for strings, bytes and numbers
 * (rendered "Representation (limited)" or "Value"), else by address.
 * Paging is the partition table's: 10 rows, then "<N more rows. Type e.g.
 * '_.more' to view.>" unless one row is left.  Flags are table.h's
 * MT_TABLE_TITLE and MT_TABLE_ALL.
 */
#ifndef MEMTRACK_IDTABLE_H
#define MEMTRACK_IDTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "memtrack/error.h"
#include "memtrack/graph.h"
#include "memtrack/set.h"
#include "memtrack/strbuf.h"

/* The objects of s in table order: *ids (mt_set_count(s) entries, caller
 * frees with free()); row i of the table is (*ids)[i] (heapy's byid[i]). */
mt_status mt_idtable_order(const mt_graph *g, const mt_set *s, uint32_t **ids,
			   mt_err *err);

/* Appends the table from row `first`; *next (may be NULL) gets the first
 * row not shown (the count when all were).  s and g are borrowed for the
 * call. */
mt_status mt_idtable_format(const mt_graph *g, const mt_set *s, size_t first,
			    unsigned flags, mt_strbuf *out, size_t *next,
			    mt_err *err);

#endif
