/* plugins/lxml: the libxml2 trees behind lxml's documents.
 *
 * An lxml document is a small Python object (_Document, 72 bytes) holding
 * a libxml2 xmlDoc: the whole tree (nodes, attributes, namespaces, text)
 * lives in C memory that no Python tool sees, and lxml creates element
 * proxies (_Element, 56 bytes) only on demand.  So a 50000-element tree
 * held by one element looked like 130 bytes.  This plugin reports:
 *
 *  - _Document: a buffer `->_c_doc` of kind "lxml.etree.xmlDoc", identity
 *    the xmlDoc, whose size is the tree's approximate malloc'ed bytes; edges
 *    `->_parser` and `->_prefix_tail`; value "N nodes";
 *  - _Element (and subclasses): the edges `->_doc` and `->_tag`; value the
 *    tag name; and, for an element of a subtree detached from its
 *    document (lxml keeps a removed subtree alive, unlinked, as long as a
 *    proxy of one of its nodes exists), a buffer `->_c_node` of kind
 *    "lxml.etree.xmlNode subtree" whose identity is the subtree's top node
 *    (so every proxy of it reports the same one), sized the same way.
 * So the tree is one node of the dump, dominated by whatever holds its
 * document: the root element's holder, when nothing else does.
 *
 * Approximate bytes: each allocation counted as glibc's malloc chunk
 * (request + 8 rounded up to 16, at least 32): the xmlDoc and its
 * version/encoding/URL strings; per node an xmlNode, its text content
 * unless stored inside the node (libxml2's compact text, in the properties
 * field) and its attributes (xmlAttr + value nodes) and namespace
 * definitions (xmlNs + href + prefix).  Not counted: names (interned in
 * the parser's dictionary, shared by every document of the thread), the
 * DTD's declarations (a DTD counts as its struct), ID tables, psvi data.
 * Whitespace-only text that libxml2 interns in the dictionary is counted
 * (slightly high).  The walk is iterative (child, next and parent links:
 * no stack), every node is checked readable before it is read, and it
 * stops after LX_NODES_MAX nodes (the size is then a lower bound).
 *
 * ABI assumptions (checked in prepare(), else the plugin refuses the dump
 * with a warning): lxml 4.x to 6.x, whose public cdef classes are
 *   struct LxmlDocument { PyObject_HEAD; vtab; int _ns_counter;
 *                         PyObject *_prefix_tail; xmlDoc *_c_doc;
 *                         PyObject *_parser; }
 *   struct LxmlElement  { PyObject_HEAD; LxmlDocument *_doc;
 *                         xmlNode *_c_node; PyObject *_tag; }
 * (lxml.etree.h; the types' basic sizes must be those structs'), and
 * libxml2 2.9 to 2.15 (lxml.etree.LIBXML_VERSION, the library actually
 * loaded), whose xmlNode, xmlAttr, xmlNs and xmlDoc start as in tree.h
 * below (the same in 2.9.14's and 2.15.4's headers; a later 2.x appended an `id`
 * field to xmlAttr, which does not change its malloc chunk).  Run against
 * lxml 4.9.2 with libxml2 2.9.14 (Debian bookworm) and lxml 6.1.3 with
 * libxml2 2.15.4 (Debian sid, CPython 3.14).
 * The plugin does not link libxml2: it reads the structs.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "memtrack/plugin.h"

#include <stdio.h>
#include <string.h>

/* libxml2 tree.h, the parts read here. */
typedef struct lx_node lx_node;
struct lx_node { /* xmlNode; its first nine fields are every node's */
	void *private_;
	int type;
	const char *name;
	lx_node *children, *last, *parent, *next, *prev;
	void *doc;
	void *ns;
	char *content;
	void *properties; /* lx_attr *, or compact text */
	void *nsDef;	  /* lx_ns * */
	void *psvi;
	unsigned short line, extra;
};

typedef struct lx_attr lx_attr;
struct lx_attr { /* xmlAttr */
	void *private_;
	int type;
	const char *name;
	lx_node *children, *last, *parent;
	lx_attr *next, *prev;
	void *doc, *ns;
	int atype;
	void *psvi;
};

typedef struct lx_ns lx_ns;
struct lx_ns { /* xmlNs */
	lx_ns *next;
	int type;
	const char *href, *prefix;
	void *private_, *context;
};

typedef struct lx_doc { /* xmlDoc */
	void *private_;
	int type;
	char *name;
	lx_node *children, *last, *parent, *next, *prev;
	void *doc;
	int compression, standalone;
	void *intSubset, *extSubset, *oldNs;
	const char *version, *encoding;
	void *ids, *refs;
	const char *URL;
	int charset;
	void *dict, *psvi;
	int parseFlags, properties;
} lx_doc;

#define LX_DTD_NODE 14	     /* a DTD: its struct only */
#define LX_ENTITY_REF_NODE 5 /* children are the entity's: not owned */
#define LX_ELEMENT_NODE 1
#define LX_DOCUMENT_NODE 9
#define LX_HTML_DOCUMENT_NODE 13
#define LX_DTD_SIZE 128 /* sizeof(xmlDtd) */
#define LX_NODES_MAX (1u << 26)
#define LX_STR_MAX (1u << 30)
#define LX_PAGE 4096u

/* lxml's public structs (lxml.etree.h). */
typedef struct lx_document {
	PyObject_HEAD void *vtab;
	int ns_counter;
	PyObject *prefix_tail;
	lx_doc *c_doc;
	PyObject *parser;
} lx_document;

typedef struct lx_element {
	PyObject_HEAD lx_document *doc;
	lx_node *c_node;
	PyObject *tag;
} lx_element;

/* One tree measurement. */
typedef struct lx_count {
	const mt_plugin_host *h;
	mt_plugin_sink *s;
	uint64_t bytes;
	uint64_t nodes;
	uint64_t steps;
} lx_count;

/* glibc's chunk for a request of n bytes. */
static uint64_t lx_chunk(uint64_t n)
{
	uint64_t c = (n + 8 + 15) & ~(uint64_t)15;
	return c < 32 ? 32 : c;
}

/* strlen of a C string the plugin does not trust, a page at a time.
 * 0 if some byte before its end is not readable. */
static int lx_strlen(lx_count *c, const char *p, size_t *len)
{
	size_t n = 0;
	while (n < LX_STR_MAX) {
		size_t room = LX_PAGE - (((uintptr_t)p + n) & (LX_PAGE - 1));
		const char *z;
		if (!c->h->readable(c->s, p + n, room))
			return 0;
		z = memchr(p + n, 0, room);
		if (z) {
			*len = (size_t)(z - p);
			return 1;
		}
		n += room;
	}
	return 0;
}

/* Adds the chunk of a malloc'ed string (NULL: nothing). */
static int lx_add_str(lx_count *c, const char *p)
{
	size_t n;
	if (p == NULL)
		return 1;
	if (!lx_strlen(c, p, &n))
		return 0;
	c->bytes += lx_chunk(n + 1);
	return 1;
}

/* A text-bearing node's content: not allocated when stored in the node. */
static int lx_add_content(lx_count *c, const lx_node *n)
{
	if (n->content == NULL || n->content == (const char *)&n->properties)
		return 1;
	return lx_add_str(c, n->content);
}

/* An attribute list or a namespace list hanging off an element. */
static int lx_add_attrs(lx_count *c, const lx_node *el)
{
	for (const lx_attr *a = el->properties; a; a = a->next) {
		if (++c->steps > LX_NODES_MAX ||
		    !c->h->readable(c->s, a, sizeof *a))
			return 0;
		c->bytes += lx_chunk(sizeof *a);
		for (const lx_node *t = a->children; t; t = t->next) {
			if (++c->steps > LX_NODES_MAX ||
			    !c->h->readable(c->s, t, sizeof *t))
				return 0;
			c->bytes += lx_chunk(sizeof *t);
			if (!lx_add_content(c, t))
				return 0;
		}
	}
	for (const lx_ns *ns = el->nsDef; ns; ns = ns->next) {
		if (++c->steps > LX_NODES_MAX ||
		    !c->h->readable(c->s, ns, sizeof *ns))
			return 0;
		c->bytes += lx_chunk(sizeof *ns);
		if (!lx_add_str(c, ns->href) || !lx_add_str(c, ns->prefix))
			return 0;
	}
	return 1;
}

/* One node (not its children). */
static int lx_add_node(lx_count *c, const lx_node *n)
{
	c->nodes++;
	if (n->type == LX_DTD_NODE) {
		c->bytes += lx_chunk(LX_DTD_SIZE);
		return 1;
	}
	c->bytes += lx_chunk(sizeof *n);
	if (n->type == LX_ELEMENT_NODE)
		return lx_add_attrs(c, n);
	if (n->type == LX_ENTITY_REF_NODE)
		return 1;
	return lx_add_content(c, n);
}

/* The descendants of top (not top itself), iteratively: down through
 * children, across through next, up through parent.  0 when a node is not
 * readable; stops quietly after LX_NODES_MAX steps. */
static int lx_add_tree(lx_count *c, const lx_node *top)
{
	const lx_node *cur = top->children;
	while (cur != NULL) {
		if (++c->steps > LX_NODES_MAX)
			return 1;
		if (!c->h->readable(c->s, cur, sizeof *cur) ||
		    !lx_add_node(c, cur))
			return 0;
		if (cur->children && cur->type != LX_ENTITY_REF_NODE &&
		    cur->type != LX_DTD_NODE) {
			cur = cur->children;
			continue;
		}
		while (cur != top && cur != NULL && cur->next == NULL) {
			if (++c->steps > LX_NODES_MAX)
				return 1;
			cur = cur->parent;
		}
		if (cur == top || cur == NULL)
			return 1;
		cur = cur->next;
	}
	return 1;
}

static int lx_visit_document(const mt_plugin_host *h, mt_plugin_sink *s,
			     PyObject *o)
{
	const lx_document *d = (const lx_document *)o;
	const lx_doc *doc = d->c_doc;
	lx_count c = {h, s, 0, 0, 0};
	char text[64];
	int n;

	h->edge(s, MT_PLUGIN_INTERATTR, "_parser", 0, d->parser);
	h->edge(s, MT_PLUGIN_INTERATTR, "_prefix_tail", 0, d->prefix_tail);
	if (doc == NULL)
		return 0;
	if (!h->readable(s, doc, sizeof *doc)) {
		h->fail(s, "_Document._c_doc not readable");
		return -1;
	}
	c.bytes = lx_chunk(sizeof *doc);
	if (!lx_add_str(&c, doc->version) || !lx_add_str(&c, doc->encoding) ||
	    !lx_add_str(&c, doc->URL) ||
	    !lx_add_tree(&c, (const lx_node *)doc)) {
		h->fail(s, "libxml2 document tree not readable");
		return -1;
	}
	h->buffer(s, "lxml.etree.xmlDoc", "_c_doc", doc, c.bytes);
	n = snprintf(text, sizeof text, "%llu nodes",
		     (unsigned long long)c.nodes);
	h->value(s, text, (size_t)n);
	return 0;
}

/* Detached subtrees measured in this dump, by top node (a proxy of any node
 * of the subtree keeps all of it alive, and each of them reports it). */
#define LX_TOPS 64
static struct {
	const lx_node *top;
	uint64_t bytes;
} lx_tops[LX_TOPS];

/* The bytes of the detached subtree under top (cached), or 0 and fail(). */
static int lx_subtree(lx_count *c, const lx_node *top, uint64_t *bytes)
{
	size_t slot = ((uintptr_t)top >> 4) % LX_TOPS;
	if (lx_tops[slot].top == top) {
		*bytes = lx_tops[slot].bytes;
		return 1;
	}
	if (!lx_add_node(c, top) || !lx_add_tree(c, top))
		return 0;
	lx_tops[slot].top = top;
	lx_tops[slot].bytes = c->bytes;
	*bytes = c->bytes;
	return 1;
}

static int lx_visit_element(const mt_plugin_host *h, mt_plugin_sink *s,
			    PyObject *o)
{
	const lx_element *e = (const lx_element *)o;
	const lx_node *n = e->c_node, *top;
	lx_count c = {h, s, 0, 0, 0};
	uint64_t bytes;
	size_t len;

	h->edge(s, MT_PLUGIN_INTERATTR, "_doc", 0, (PyObject *)e->doc);
	h->edge(s, MT_PLUGIN_INTERATTR, "_tag", 0, e->tag);
	if (n == NULL)
		return 0;
	if (!h->readable(s, n, sizeof *n)) {
		h->fail(s, "_Element._c_node not readable");
		return -1;
	}
	if (n->type == LX_ELEMENT_NODE && n->name &&
	    lx_strlen(&c, n->name, &len))
		h->value(s, n->name, len);
	/* the top of its tree: the document node, or a detached subtree */
	for (top = n; top->parent != NULL; top = top->parent) {
		if (++c.steps > LX_NODES_MAX ||
		    !h->readable(s, top->parent, sizeof *top)) {
			h->fail(s, "_Element's ancestors not readable");
			return -1;
		}
	}
	if (top->type == LX_DOCUMENT_NODE || top->type == LX_HTML_DOCUMENT_NODE)
		return 0;
	c.steps = 0;
	if (!lx_subtree(&c, top, &bytes)) {
		h->fail(s, "libxml2 subtree not readable");
		return -1;
	}
	h->buffer(s, "lxml.etree.xmlNode subtree", "_c_node", top, bytes);
	return 0;
}

/* A (major, minor, ...) tuple of ints in the module dict; 0 if absent. */
static int lx_version(PyObject *dict, const char *name, long *major,
		      long *minor)
{
	PyObject *t = PyDict_GetItemString(dict, name);
	if (t == NULL || !PyTuple_CheckExact(t) || PyTuple_GET_SIZE(t) < 2 ||
	    !PyLong_CheckExact(PyTuple_GET_ITEM(t, 0)) ||
	    !PyLong_CheckExact(PyTuple_GET_ITEM(t, 1)))
		return 0;
	*major = PyLong_AsLong(PyTuple_GET_ITEM(t, 0));
	*minor = PyLong_AsLong(PyTuple_GET_ITEM(t, 1));
	if (PyErr_Occurred()) {
		PyErr_Clear();
		return 0;
	}
	return 1;
}

/* Whether dict[name] is a type of exactly `size` basic bytes. */
static int lx_type_size(PyObject *dict, const char *name, size_t size)
{
	PyObject *t = PyDict_GetItemString(dict, name);
	return t != NULL && PyType_Check(t) &&
	       (size_t)((PyTypeObject *)t)->tp_basicsize == size;
}

/* The versions and layouts this plugin was checked against. */
static int lx_prepare(const mt_plugin *p)
{
	PyObject *mods = PyImport_GetModuleDict();
	PyObject *mod, *dict;
	long lmaj, lmin, xmaj, xmin;

	(void)p;
	memset(lx_tops, 0, sizeof lx_tops);
	mod = mods ? PyDict_GetItemString(mods, "lxml.etree") : NULL;
	if (mod == NULL)
		return 0; /* not imported: its types were not found either */
	if (!PyModule_Check(mod))
		return -1;
	dict = PyModule_GetDict(mod);
	if (!lx_version(dict, "LXML_VERSION", &lmaj, &lmin) ||
	    !lx_version(dict, "LIBXML_VERSION", &xmaj, &xmin))
		return -1;
	if (lmaj < 4 || lmaj > 6)
		return -1;
	if (xmaj != 2 || xmin < 9 || xmin > 15)
		return -1;
	if (!lx_type_size(dict, "_Document", sizeof(lx_document)) ||
	    !lx_type_size(dict, "_Element", sizeof(lx_element)))
		return -1;
	return 0;
}

static const mt_plugin_type lx_types[] = {
    {"lxml.etree", "_Document", 0, lx_visit_document},
    {"lxml.etree", "_Element", MT_PLUGIN_SUBCLASSES, lx_visit_element},
};

static const mt_plugin lx_plugin = {
    MT_PLUGIN_API_VERSION,
    "lxml",
    "lxml.etree",
    "lxml 4.x-6.x on libxml2 2.9-2.15: the C tree behind each document, "
    "element -> document edges",
    lx_prepare,
    lx_types,
    sizeof lx_types / sizeof *lx_types,
};

MT_PLUGIN_DEFINE(lxml) { return &lx_plugin; }
