/* Relation texts (include/memtrack/reltext.h): the text templates of
 * dump.h's relation table, with labels rendered by pyrepr.h. */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "memtrack/dump.h"
#include "memtrack/pyrepr.h"
#include "memtrack/reltext.h"

static void name_repr(mt_strbuf *out, const mt_graph *g, uint64_t label)
{
	const char *nm = mt_graph_name(g, label);
	if (!nm)
		nm = "?";
	mt_pyrepr_str(out, nm, strlen(nm));
}

static void name_plain(mt_strbuf *out, const mt_graph *g, uint64_t label)
{
	const char *nm = mt_graph_name(g, label);
	if (!nm)
		nm = "?";
	mt_strbuf_add(out, nm, strlen(nm));
}

/* Appends the label of an edge of relation rel: an integer, a name (with
 * repr() when quoted), or a key (REF) with repr() when full, else
 * reprlib.repr(). */
static void label_text(const mt_graph *g, unsigned rel, uint64_t label,
		       bool quoted, bool full, mt_strbuf *out)
{
	switch (mt_relation_label_kind(rel)) {
	case MT_LABEL_NAME:
		if (quoted)
			name_repr(out, g, label);
		else
			name_plain(out, g, label);
		break;
	case MT_LABEL_REF:
		if (label < mt_graph_count(g))
			mt_pyrepr_key(g, (uint32_t)label, !full, out);
		else
			mt_strbuf_addc(out, '?', 1);
		break;
	default:
		mt_strbuf_printf(out, "%llu", (unsigned long long)label);
		break;
	}
}

/* Renders the relation's text template (dump.h): %s the source, %l the
 * label, %r the label quoted; codes of newer writers print "%s.??". */
static mt_status edge_text(const mt_graph *g, uint32_t edge, const char *src,
			   bool full, mt_strbuf *out)
{
	unsigned rel = mt_graph_edge_rel(g, edge);
	uint64_t label = mt_graph_edge_label(g, edge);
	const char *t = mt_relation_text(rel);
	if (!t)
		t = "%s.??";
	for (const char *p = t; *p; p++) {
		const char *q = strchr(p, '%');
		if (!q) {
			mt_strbuf_add(out, p, strlen(p));
			break;
		}
		mt_strbuf_add(out, p, (size_t)(q - p));
		p = q + 1;
		if (*p == 's')
			mt_strbuf_add(out, src, strlen(src));
		else if (*p == 'l' || *p == 'r')
			label_text(g, rel, label, *p == 'r', full, out);
		else
			break; /* a bad template: stop at it */
	}
	return out->nomem ? MT_NOMEM : MT_OK;
}

mt_status mt_reltext_edge(const mt_graph *g, uint32_t edge, const char *src,
			  mt_strbuf *out)
{
	return edge_text(g, edge, src, false, out);
}

mt_status mt_reltext_root(const mt_graph *g, size_t i, mt_strbuf *out)
{
	const mt_edge *e;
	size_t n;
	mt_graph_roots(g, &e, &n);
	mt_strbuf_add(out, "hp.Root.", 8);
	if (i < n)
		name_plain(out, g, e[i].label);
	else
		mt_strbuf_addc(out, '?', 1);
	return out->nomem ? MT_NOMEM : MT_OK;
}

mt_status mt_reltext_via_raw(const mt_graph *g, uint32_t edge, mt_strbuf *out)
{
	size_t at = out->len;
	mt_status st = edge_text(g, edge, "_", true, out);
	if (st == MT_OK && out->len > at && out->s[at] == '_') {
		memmove(out->s + at, out->s + at + 1, out->len - at);
		out->len--;
	}
	return st;
}

mt_status mt_reltext_via(const mt_graph *g, uint32_t edge, mt_strbuf *out)
{
	mt_strbuf t;
	mt_status st;
	mt_strbuf_init(&t);
	st = mt_reltext_via_raw(g, edge, &t);
	if (st == MT_OK)
		st = mt_pyrepr_str(out, t.s ? t.s : "", t.len);
	mt_strbuf_destroy(&t);
	return st;
}
