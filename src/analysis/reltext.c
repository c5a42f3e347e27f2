/* Relation texts (include/memtrack/reltext.h): one switch over the
 * relation codes of dump.h, rendering labels with pyrepr.h. */
#include "config.h"

#include <stdbool.h>
#include <string.h>

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

/* full: a KEYVAL key with repr() (via texts), else reprlib.repr(). */
static mt_status edge_text(const mt_graph *g, uint32_t edge, const char *src,
			   bool full, mt_strbuf *out)
{
	uint64_t label = mt_graph_edge_label(g, edge);
	size_t sl = strlen(src);
	unsigned long long ll = (unsigned long long)label;

	switch (mt_graph_edge_rel(g, edge)) {
	case MT_REL_ATTR:
		mt_strbuf_add(out, src, sl);
		mt_strbuf_addc(out, '.', 1);
		name_plain(out, g, label);
		break;
	case MT_REL_INDEX:
		mt_strbuf_printf(out, "%s[%llu]", src, ll);
		break;
	case MT_REL_KEYVAL:
		mt_strbuf_add(out, src, sl);
		mt_strbuf_addc(out, '[', 1);
		if (label < mt_graph_count(g))
			mt_pyrepr_key(g, (uint32_t)label, !full, out);
		else
			mt_strbuf_addc(out, '?', 1);
		mt_strbuf_addc(out, ']', 1);
		break;
	case MT_REL_KEY:
		mt_strbuf_printf(out, "%s.keys()[%llu]", src, ll);
		break;
	case MT_REL_INTERATTR:
		mt_strbuf_add(out, src, sl);
		mt_strbuf_add(out, "->", 2);
		name_plain(out, g, label);
		break;
	case MT_REL_LOCAL:
	case MT_REL_CELL:
		mt_strbuf_add(out, src, sl);
		mt_strbuf_add(out, ".f_locals", 9);
		if (mt_graph_edge_rel(g, edge) == MT_REL_CELL)
			mt_strbuf_addc(out, ' ', 1);
		mt_strbuf_addc(out, '[', 1);
		name_repr(out, g, label);
		mt_strbuf_addc(out, ']', 1);
		break;
	case MT_REL_STACK:
		mt_strbuf_printf(out, "%s->f_valuestack[%llu]", src, ll);
		break;
	case MT_REL_INSET:
		mt_strbuf_printf(out, "list(%s)[%llu]", src, ll);
		break;
	case MT_REL_ROOT:
		mt_strbuf_add(out, "hp.Root.", 8);
		name_plain(out, g, label);
		break;
	default: /* OTHER and codes of newer writers */
		mt_strbuf_add(out, src, sl);
		mt_strbuf_add(out, ".??", 3);
		break;
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
