/* DOT export (dot.h): chooses the drawn objects into a sorted id array,
 * then walks their out-edges and keeps those whose target is drawn (binary
 * search).  Labels are built in a scratch buffer and escaped on output. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "memtrack/dot.h"
#include "memtrack/navigate.h"
#include "memtrack/pyrepr.h"
#include "memtrack/reltext.h"
#include "memtrack/util.h"

#define VALUE_MAX 40

static int drawn(const uint32_t *ids, size_t n, uint32_t id)
{
	return bsearch(&id, ids, n, sizeof *ids, mt_cmp_u32) != NULL;
}

/* Appends s[0..n) escaped for a DOT quoted string; '\n' becomes the
 * two characters \n. */
static void escape(mt_strbuf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			mt_strbuf_addc(out, '\\', 1);
			mt_strbuf_addc(out, (char)c, 1);
		} else if (c == '\n') {
			mt_strbuf_add(out, "\\n", 2);
		} else if (c < 0x20 || c == 0x7f) {
			mt_strbuf_printf(out, "\\\\x%02x", c);
		} else {
			mt_strbuf_addc(out, (char)c, 1);
		}
	}
}

/* Cuts b to at most max (> 3) UTF-8 characters, ending in "..." when
 * cut. */
static void cut(mt_strbuf *b, size_t max)
{
	if (mt_utf8_chars(b->s, b->len) <= max)
		return;
	b->len = mt_utf8_offset(b->s, b->len, max - 3);
	b->s[b->len] = '\0';
	mt_strbuf_add(b, "...", 3);
}

mt_status mt_dot_format(const mt_graph *g, const mt_set *s,
			const mt_dot_opts *opts, mt_strbuf *out, mt_err *err)
{
	mt_dot_opts o = opts ? *opts : (mt_dot_opts){0};
	size_t limit = o.max_nodes ? o.max_nodes : MT_DOT_MAX_NODES;
	uint32_t N = mt_graph_count(g);
	size_t ns = mt_set_count(s);
	const uint32_t *sids = mt_set_ids(s);
	if (ns && sids[ns - 1] >= N)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "object %u is not in the graph",
				  sids[ns - 1]);
	mt_set *ring = NULL;
	mt_status st = MT_OK;
	if (o.referrers || o.referents) {
		mt_set *a = NULL, *b = NULL, *u = NULL;
		if (o.referrers)
			st = mt_nav_referrers(g, s, &a, err);
		if (!st && o.referents)
			st = mt_nav_referents(g, s, &b, err);
		if (!st && a && b)
			st = mt_set_op(&u, MT_SETOP_OR, a, b, err);
		else if (!st)
			u = mt_set_ref(a ? a : b);
		if (!st)
			st = mt_set_op(&ring, MT_SETOP_SUB, u, s, err);
		mt_set_unref(a);
		mt_set_unref(b);
		mt_set_unref(u);
		if (st)
			return st;
	}
	size_t nr = ring ? mt_set_count(ring) : 0;
	size_t total = ns + nr, nd = total < limit ? total : limit;
	size_t nin = ns < nd ? ns : nd; /* drawn set members */
	uint32_t *ids = malloc((nd ? nd : 1) * sizeof *ids);
	if (!ids) {
		mt_set_unref(ring);
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "DOT of %zu objects", nd);
	}
	memcpy(ids, sids, nin * sizeof *ids);
	if (nd > nin)
		memcpy(ids + nin, mt_set_ids(ring), (nd - nin) * sizeof *ids);
	mt_strbuf lab;
	mt_strbuf_init(&lab);
	mt_strbuf_add(out, "digraph memtrack {\n", 19);
	mt_strbuf_add(out, "  node [shape=box, fontname=\"monospace\"];\n", 42);
	mt_strbuf_add(out, "  edge [fontname=\"monospace\"];\n", 31);
	for (size_t i = 0; i < nd; i++) {
		uint32_t id = ids[i];
		const char *tl = mt_graph_type_label(g, mt_graph_type(g, id));
		mt_strbuf_reset(&lab);
		mt_pyrepr_limited(g, id, &lab);
		cut(&lab, VALUE_MAX);
		mt_strbuf_printf(out, "  n%u [label=\"", id);
		escape(out, tl, strlen(tl));
		mt_strbuf_add(out, "\\n", 2);
		escape(out, lab.s ? lab.s : "", lab.len);
		mt_strbuf_printf(out, "\\n%llu B\"%s];\n",
				 (unsigned long long)mt_graph_size(g, id),
				 i >= nin ? ", style=dashed" : "");
	}
	qsort(ids, nd, sizeof *ids, mt_cmp_u32);
	for (size_t i = 0; i < nd; i++) {
		uint32_t first, cnt;
		mt_graph_out(g, ids[i], &first, &cnt);
		for (uint32_t e = first; e < first + cnt; e++) {
			uint32_t t = mt_graph_edge_target(g, e);
			if (!drawn(ids, nd, t))
				continue;
			mt_strbuf_reset(&lab);
			mt_reltext_via_raw(g, e, &lab);
			mt_strbuf_printf(out, "  n%u -> n%u [label=\"", ids[i],
					 t);
			escape(out, lab.s ? lab.s : "", lab.len);
			mt_strbuf_add(out, "\"];\n", 4);
		}
	}
	if (total > nd)
		mt_strbuf_printf(out,
				 "  // %zu objects left out (node limit %zu)\n",
				 total - nd, limit);
	st = mt_strbuf_add(out, "}\n", 2);
	if (lab.nomem || out->nomem)
		st = mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				"DOT text");
	mt_strbuf_destroy(&lab);
	free(ids);
	mt_set_unref(ring);
	return st;
}
