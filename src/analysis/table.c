/* heapy's partition table as text (include/memtrack/table.h).
 *
 * Owns the layout of the table and a re-implementation of the parts of
 * Python's textwrap that heapy's rows go through (guppy's Part.py wraps
 * `prefix + label` with textwrap.wrap(width=100, subsequent_indent=45
 * spaces)): tab expansion and whitespace replacement, splitting into
 * whitespace and word chunks (words also split after a hyphen between
 * letters, as textwrap's wordsep_re does; its em-dash rule is not copied),
 * greedy filling, dropping whitespace at line ends and at the start of
 * continuation lines, and breaking words longer than a line.  Column counts
 * are UTF-8 characters, as Python's len() counts code points.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/table.h"
#include "memtrack/util.h"

int mt_table_percent(uint64_t part, uint64_t total)
{
	if (!total)
		return 0;
	/* int('%.0f' % x): round half to even, like nearbyint's default. */
	return (int)nearbyint((double)part * 100.0 / (double)total);
}

/* ---- textwrap ------------------------------------------------------------ */

struct chunk {
	size_t off, len, nch;
	bool ws;
};

static bool is_cont(unsigned char c) { return (c & 0xc0) == 0x80; }

static size_t nchars(const char *s, size_t n)
{
	size_t i, k = 0;
	/* A stray continuation byte at the start counts as a character, so
	 * that every non-empty chunk has at least one. */
	for (i = 0; i < n; i++)
		k += i == 0 || !is_cont((unsigned char)s[i]);
	return k;
}

/* Byte length of the first k characters of s[0..n). */
static size_t char_bytes(const char *s, size_t n, size_t k)
{
	size_t i = 0;
	while (i < n && k) {
		i++;
		while (i < n && is_cont((unsigned char)s[i]))
			i++;
		k--;
	}
	return i;
}

/* textwrap's `letter`: [^\d\W], i.e. letters and '_' (non-ASCII counted
 * as letters). */
static bool is_letter(const char *t, size_t n, size_t i)
{
	unsigned char c;
	if (i >= n)
		return false;
	c = (unsigned char)t[i];
	return c >= 0x80 || c == '_' || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

static bool hyphen_break(const char *t, size_t n, size_t start, size_t i)
{
	if (t[i] != '-' || i < start + 1)
		return false;
	if (!((i >= 2 && is_letter(t, n, i - 2) && is_letter(t, n, i - 1)) ||
	      (i >= 3 && is_letter(t, n, i - 3) && t[i - 2] == '-' &&
	       is_letter(t, n, i - 1))))
		return false;
	if (!is_letter(t, n, i + 1))
		return false;
	return is_letter(t, n, i + 2) ||
	       (i + 2 < n && t[i + 2] == '-' && is_letter(t, n, i + 3));
}

static int push_chunk(struct chunk **ch, size_t *nch, size_t *cap,
		      const char *t, size_t off, size_t len, bool ws)
{
	if (*nch == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		struct chunk *p = realloc(*ch, nc * sizeof *p);
		if (!p)
			return -1;
		*ch = p;
		*cap = nc;
	}
	(*ch)[*nch].off = off;
	(*ch)[*nch].len = len;
	(*ch)[*nch].nch = nchars(t + off, len);
	(*ch)[*nch].ws = ws;
	(*nch)++;
	return 0;
}

/* Expands tabs (columns of 8, reset at \n and \r) and turns every
 * whitespace character into a space, like textwrap's _munge_whitespace. */
static char *munge(const char *s, size_t n, size_t *outlen)
{
	size_t i, tabs = 0, col = 0, k = 0;
	char *t;
	for (i = 0; i < n; i++)
		tabs += s[i] == '\t';
	t = malloc(n + tabs * 8 + 1);
	if (!t)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\t') {
			size_t sp = 8 - col % 8;
			memset(t + k, ' ', sp);
			k += sp;
			col += sp;
			continue;
		}
		if (c == '\n' || c == '\r')
			col = 0;
		else if (!is_cont(c))
			col++;
		t[k++] = (c == '\n' || c == '\v' || c == '\f' || c == '\r')
			     ? ' '
			     : (char)c;
	}
	t[k] = '\0';
	*outlen = k;
	return t;
}

mt_status mt_table_wrap(mt_strbuf *out, const char *text, size_t len,
			size_t width, size_t ind1, size_t ind2)
{
	struct chunk *ch = NULL;
	size_t nch = 0, cap = 0, tl, i, ci = 0, nlines = 0;
	char *t = munge(text, len, &tl);
	mt_status st = MT_OK;

	if (!t)
		return MT_NOMEM;
	for (i = 0; i < tl;) {
		size_t j = i;
		if (t[i] == ' ') {
			while (j < tl && t[j] == ' ')
				j++;
			if (push_chunk(&ch, &nch, &cap, t, i, j - i, true))
				goto nomem;
		} else {
			size_t start = i;
			while (j < tl && t[j] != ' ') {
				if (hyphen_break(t, tl, start, j)) {
					if (push_chunk(&ch, &nch, &cap, t,
						       start, j + 1 - start,
						       false))
						goto nomem;
					start = j + 1;
				}
				j++;
			}
			if (push_chunk(&ch, &nch, &cap, t, start, j - start,
				       false))
				goto nomem;
		}
		i = j;
	}

	while (ci < nch) {
		size_t indent = nlines ? ind2 : ind1;
		long w = (long)width - (long)indent;
		size_t ls = 0, le = 0, cur = 0, npieces = 0, last_start = 0;
		bool last_ws = false;

		if (nlines && ch[ci].ws && ++ci >= nch)
			break;
		while (ci < nch && (long)(cur + ch[ci].nch) <= w) {
			if (!npieces)
				ls = ch[ci].off;
			last_start = ch[ci].off;
			last_ws = ch[ci].ws;
			le = ch[ci].off + ch[ci].len;
			cur += ch[ci].nch;
			npieces++;
			ci++;
		}
		if (ci < nch && (long)ch[ci].nch > w) {
			/* A chunk longer than a whole line: break it. */
			struct chunk *c = &ch[ci];
			size_t space_left = w < 1 ? 1 : (size_t)w - cur;
			size_t end = space_left, bend;
			if (c->nch > space_left) {
				size_t lim =
				    char_bytes(t + c->off, c->len, space_left);
				size_t h, found = 0;
				bool any = false;
				for (h = lim; h-- > 0;)
					if (t[c->off + h] == '-') {
						found = h;
						break;
					}
				for (h = 0; h < found; h++)
					any |= t[c->off + h] != '-';
				if (found > 0 && any)
					end = nchars(t + c->off, found) + 1;
			}
			if (end > c->nch)
				end = c->nch;
			bend = char_bytes(t + c->off, c->len, end);
			if (!npieces)
				ls = c->off;
			last_start = c->off;
			last_ws = c->ws;
			le = c->off + bend;
			npieces++;
			c->off += bend;
			c->len -= bend;
			c->nch = nchars(t + c->off, c->len);
			if (!c->len)
				ci++;
		}
		if (npieces && last_ws) {
			le = last_start;
			npieces--;
		}
		if (npieces) {
			if (mt_strbuf_addc(out, ' ', indent) ||
			    mt_strbuf_add(out, t + ls, le - ls) ||
			    mt_strbuf_addc(out, '\n', 1))
				goto nomem;
			nlines++;
		}
	}
	goto done;
nomem:
	st = MT_NOMEM;
done:
	free(ch);
	free(t);
	return st;
}

/* ---- the table ----------------------------------------------------------- */

static size_t row_prefix(const mt_partition *p, size_t i, char *buf,
			 size_t n, bool human)
{
	const mt_partition_row *r = mt_partition_row_at(p, i);
	uint64_t count = mt_partition_count(p), size = mt_partition_size(p);
	int k;
	if (human) {
		char sz[MT_FMT_SIZE_MAX], cu[MT_FMT_SIZE_MAX];
		k = snprintf(buf, n, "%6zu %6llu %3d %8s %3d %9s %3d ", i,
			     (unsigned long long)r->count,
			     mt_table_percent(r->count, count),
			     mt_fmt_size(sz, sizeof sz, r->size),
			     mt_table_percent(r->size, size),
			     mt_fmt_size(cu, sizeof cu, r->cumul),
			     mt_table_percent(r->cumul, size));
	} else {
		k = snprintf(buf, n, "%6zu %6llu %3d %8llu %3d %9llu %3d ", i,
			     (unsigned long long)r->count,
			     mt_table_percent(r->count, count),
			     (unsigned long long)r->size,
			     mt_table_percent(r->size, size),
			     (unsigned long long)r->cumul,
			     mt_table_percent(r->cumul, size));
	}
	return k < 0 ? 0 : (size_t)k;
}

size_t mt_table_row_prefix(const mt_partition *p, size_t i, char *buf, size_t n)
{
	return row_prefix(p, i, buf, n, false);
}

mt_status mt_table_row(mt_strbuf *out, const char *prefix, size_t plen,
		       const char *label)
{
	const char *nl = strchr(label, '\n');
	size_t first = nl ? (size_t)(nl - label) : strlen(label);
	mt_strbuf line;
	mt_status st;

	mt_strbuf_init(&line);
	mt_strbuf_add(&line, prefix, plen);
	mt_strbuf_add(&line, label, first);
	if (line.nomem)
		st = MT_NOMEM;
	else
		st = mt_table_wrap(out, line.s, line.len, MT_TABLE_WIDTH, 0,
				   plen);
	mt_strbuf_destroy(&line);
	while (st == MT_OK && nl) {
		const char *piece = nl + 1;
		nl = strchr(piece, '\n');
		st = mt_table_wrap(out, piece,
				   nl ? (size_t)(nl - piece) : strlen(piece),
				   MT_TABLE_WIDTH, plen, plen);
	}
	return st;
}

static mt_status format_row(const mt_partition *p, size_t i, mt_strbuf *out,
			    bool human)
{
	char prefix[160];
	size_t plen = row_prefix(p, i, prefix, sizeof prefix, human);
	return mt_table_row(out, prefix, plen,
			    mt_partition_row_at(p, i)->label);
}

mt_status mt_table_format(const mt_partition *p, size_t first, unsigned flags,
			  mt_strbuf *out, size_t *next, mt_err *err)
{
	static const char stat_header[] =
	    " Index  Count   %     Size   % Cumulative  % ";
	uint64_t count = mt_partition_count(p), size = mt_partition_size(p);
	size_t nrows = mt_partition_nrows(p), i, shown = 0;
	mt_status st = MT_OK;

	if (next)
		*next = nrows;
	if ((flags & MT_TABLE_TITLE) && (flags & MT_TABLE_HUMAN)) {
		char c[MT_FMT_COUNT_MAX], sz[MT_FMT_SIZE_MAX];
		mt_strbuf_printf(out,
				 "Partition of a set of %s object%s. Total "
				 "size = %s.\n",
				 mt_fmt_count(c, sizeof c, count),
				 count != 1 ? "s" : "",
				 mt_fmt_size(sz, sizeof sz, size));
	} else if (flags & MT_TABLE_TITLE)
		mt_strbuf_printf(out,
				 "Partition of a set of %llu object%s. Total "
				 "size = %llu bytes.\n",
				 (unsigned long long)count,
				 count != 1 ? "s" : "",
				 (unsigned long long)size);
	if (count || size) {
		mt_strbuf hdr;
		mt_strbuf_init(&hdr);
		mt_strbuf_add(&hdr, stat_header, sizeof stat_header - 1);
		mt_strbuf_add(&hdr, mt_partition_header(p),
			      strlen(mt_partition_header(p)));
		st = hdr.nomem
			 ? MT_NOMEM
			 : mt_table_wrap(out, hdr.s, hdr.len, MT_TABLE_WIDTH, 0,
					 sizeof stat_header - 1);
		mt_strbuf_destroy(&hdr);
	}
	for (i = first; st == MT_OK && i < nrows; i++) {
		st = format_row(p, i, out, flags & MT_TABLE_HUMAN);
		if (++shown >= MT_TABLE_PAGE && !(flags & MT_TABLE_ALL)) {
			size_t more = nrows - 1 - i;
			if (more > 1) {
				mt_strbuf_printf(out,
						 "<%zu more rows. Type e.g. "
						 "'_.more' to view.>\n",
						 more);
				if (next)
					*next = i + 1;
				break;
			}
		}
	}
	if (st == MT_OK && out->nomem)
		st = MT_NOMEM;
	if (st != MT_OK)
		return mt_err_set(err, st, MT_NO_OFFSET, MT_NO_OFFSET,
				  "table text");
	return MT_OK;
}
