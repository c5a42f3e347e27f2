/* The host side of the capture plugin API (include/memtrack/plugin.h): what
 * a visit function reports, checked and staged, then written into the walk
 * only if the whole visit was valid.
 *
 * Nothing a plugin hands over is trusted: an edge target must look like a
 * live object before the walk touches it (aligned; its header, its type and
 * its type's type in readable memory, probed by a system call rather than
 * read; its type's type a type; a positive reference count), sizes and
 * buffers must be below MT_PLUGIN_SIZE_MAX, names short, values UTF-8.  The
 * first report that is not disables the plugin for the rest of the dump (a
 * warning says why) and the object falls back to the walker's own rules.
 *
 * Owned buffers become virtual objects (mt_vrec, ref tag MT_REF_VREC): one
 * per identity for the whole dump, typed by one virtual type per kind text.
 */
#include "config.h"

#include "pyint.h"
#include "walkpriv.h"

#if MT_PY_LAYOUT_KNOWN /* else the module refuses to import: see pyint.h */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define PAGE_BITS 12

/* ---- readable memory ------------------------------------------------------ */

static inline size_t mix(uintptr_t p)
{
	return (size_t)(((uint64_t)p * UINT64_C(0x9e3779b97f4a7c15)) >> 32);
}

static int page_known(const mt_plugin_sink *s, uintptr_t page)
{
	if (!s->pages_cap)
		return 0;
	size_t i = mix(page) & (s->pages_cap - 1);
	for (; s->pages[i]; i = (i + 1) & (s->pages_cap - 1))
		if (s->pages[i] == page)
			return 1;
	return 0;
}

/* Remembers a readable page (out of memory: not remembered, probed again). */
static void page_add(mt_plugin_sink *s, uintptr_t page)
{
	if ((s->npages + 1) * 2 > s->pages_cap) {
		size_t cap = s->pages_cap ? s->pages_cap * 2 : 256;
		uintptr_t *t = calloc(cap, sizeof(*t));
		if (!t)
			return;
		for (size_t k = 0; k < s->pages_cap; k++) {
			if (!s->pages[k])
				continue;
			size_t j = mix(s->pages[k]) & (cap - 1);
			while (t[j])
				j = (j + 1) & (cap - 1);
			t[j] = s->pages[k];
		}
		free(s->pages);
		s->pages = t;
		s->pages_cap = cap;
	}
	size_t i = mix(page) & (s->pages_cap - 1);
	while (s->pages[i])
		i = (i + 1) & (s->pages_cap - 1);
	s->pages[i] = page;
	s->npages++;
}

/* Whether the byte at p can be read, without reading it here: the kernel
 * copies it (process_vm_readv on ourselves, or, where that is not allowed,
 * a write of it into a pipe) and says EFAULT if it cannot. */
static int probe_byte(mt_plugin_sink *s, const void *p)
{
	char c;
	struct iovec local = {&c, 1}, remote = {(void *)(uintptr_t)p, 1};
	ssize_t k = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	if (k == 1)
		return 1;
	if (k < 0 && errno == EFAULT)
		return 0;
	if (s->probe_fd[0] < 0 && pipe2(s->probe_fd, O_CLOEXEC | O_NONBLOCK))
		return 0; /* cannot tell: not readable */
	k = write(s->probe_fd[1], p, 1);
	if (k == 1) {
		while (read(s->probe_fd[0], &c, 1) == 1)
			;
		return 1;
	}
	return 0;
}

static int readable(mt_plugin_sink *s, const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p;
	if (!a || n == 0 || a + n < a)
		return a != 0 && n == 0;
	for (uintptr_t pg = a >> PAGE_BITS; pg <= (a + n - 1) >> PAGE_BITS;
	     pg++) {
		if (page_known(s, pg + 1))
			continue;
		uintptr_t at = pg << PAGE_BITS;
		if (!probe_byte(s, (const void *)(at > a ? at : a)))
			return 0;
		page_add(s, pg + 1); /* +1: page 0 would be the empty slot */
	}
	return 1;
}

/* NULL if p looks like a live object, else why not. */
static const char *not_object(mt_plugin_sink *s, PyObject *p)
{
	uint32_t id;
	if ((uintptr_t)p % sizeof(void *))
		return "not aligned";
	if (mt_objtable_find(&s->w->tab, (uintptr_t)p, &id))
		return NULL; /* already in the dump: a live object */
	if (!readable(s, p, sizeof(PyObject)))
		return "not readable memory";
	PyTypeObject *t = Py_TYPE(p);
	if ((uintptr_t)t % sizeof(void *) || !readable(s, t, sizeof(*t)))
		return "its type pointer does not point to readable memory";
	PyTypeObject *m = Py_TYPE((PyObject *)t);
	if ((uintptr_t)m % sizeof(void *) || !readable(s, m, sizeof(*m)))
		return "its type's type pointer does not point to readable "
		       "memory";
	if (!(m->tp_flags & Py_TPFLAGS_TYPE_SUBCLASS))
		return "its type is not a type";
	if (Py_REFCNT(p) <= 0)
		return "its reference count is not positive";
	return NULL;
}

/* ---- staging -------------------------------------------------------------- */

static void sink_fail(mt_plugin_sink *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sink_fail(mt_plugin_sink *s, const char *fmt, ...)
{
	va_list ap;
	if (s->failed)
		return;
	s->failed = 1;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
}

/* Length of a name, or -1 when it is NULL, empty or too long. */
static long name_len(const char *name)
{
	if (!name)
		return -1;
	size_t n = strnlen(name, MT_PLUGIN_NAME_MAX + 1);
	return n == 0 || n > MT_PLUGIN_NAME_MAX ? -1 : (long)n;
}

static mt_pedge *stage_edge(mt_plugin_sink *s, int rel, const char *name,
			    long nlen)
{
	if (s->nedges == s->edges_cap) {
		size_t cap = s->edges_cap ? s->edges_cap * 2 : 64;
		mt_pedge *e = realloc(s->edges, cap * sizeof(*e));
		if (!e) {
			sink_fail(s, "out of memory");
			return NULL;
		}
		s->edges = e;
		s->edges_cap = cap;
	}
	mt_pedge *e = &s->edges[s->nedges];
	memset(e, 0, sizeof(*e));
	e->rel = rel;
	if (nlen > 0) {
		if (s->names_len + (size_t)nlen > s->names_cap) {
			size_t cap = s->names_cap ? s->names_cap * 2 : 4096;
			while (cap < s->names_len + (size_t)nlen)
				cap *= 2;
			char *n = realloc(s->names, cap);
			if (!n) {
				sink_fail(s, "out of memory");
				return NULL;
			}
			s->names = n;
			s->names_cap = cap;
		}
		memcpy(s->names + s->names_len, name, (size_t)nlen);
		e->name_off = (uint32_t)s->names_len;
		e->name_len = (uint32_t)nlen;
		s->names_len += (size_t)nlen;
	}
	s->nedges++;
	return e;
}

/* ---- buffers and their kinds ---------------------------------------------- */

/* The record of key (hash h) in the set (*set, *n, *cap); a new one, with
 * `extra` bytes of text and *added set, if absent.  eq compares a record
 * with the key.  NULL when out of memory. */
static mt_vrec *vrec_get(mt_vrec ***set, size_t *n, size_t *cap, size_t h,
			 int (*eq)(const mt_vrec *, const void *),
			 const void *key, size_t extra, int *added)
{
	*added = 0;
	if ((*n + 1) * 2 > *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		mt_vrec **t = calloc(nc, sizeof(*t));
		if (!t)
			return NULL;
		for (size_t k = 0; k < *cap; k++) {
			mt_vrec *v = (*set)[k];
			if (!v)
				continue;
			size_t j = v->hash & (nc - 1);
			while (t[j])
				j = (j + 1) & (nc - 1);
			t[j] = v;
		}
		free(*set);
		*set = t;
		*cap = nc;
	}
	size_t i = h & (*cap - 1);
	for (; (*set)[i]; i = (i + 1) & (*cap - 1))
		if ((*set)[i]->hash == h && eq((*set)[i], key))
			return (*set)[i];
	mt_vrec *v = calloc(1, sizeof(*v) + extra);
	if (!v)
		return NULL;
	v->hash = h;
	(*set)[i] = v;
	(*n)++;
	*added = 1;
	return v;
}

static int eq_identity(const mt_vrec *v, const void *key)
{
	return v->identity == key;
}

static int eq_kind(const mt_vrec *v, const void *key)
{
	return strcmp(v->text, (const char *)key) == 0;
}

static size_t str_hash(const char *s)
{
	uint64_t h = UINT64_C(1469598103934665603);
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return (size_t)h;
}

/* The virtual type of a kind "module.name" (checked by the caller). */
static mt_vrec *kind_rec(mt_plugin_sink *s, const char *kind, size_t n)
{
	int added;
	mt_vrec *v = vrec_get(&s->kinds, &s->nkinds, &s->kinds_cap,
			      str_hash(kind), eq_kind, kind, n + 1, &added);
	if (added) {
		memcpy(v->text, kind, n + 1);
		v->modlen = (uint16_t)(strrchr(kind, '.') - kind);
	}
	return v;
}

/* ---- the host functions --------------------------------------------------- */

static void host_size(mt_plugin_sink *s, uint64_t bytes)
{
	if (s->failed)
		return;
	if (bytes > MT_PLUGIN_SIZE_MAX) {
		sink_fail(s, "size %lld is negative or absurd",
			  (long long)bytes);
		return;
	}
	s->size = bytes;
	s->has_size = 1;
}

static void host_length(mt_plugin_sink *s, int64_t len)
{
	if (s->failed)
		return;
	if (len < 0) {
		sink_fail(s, "length %lld is negative", (long long)len);
		return;
	}
	s->length = len;
	s->has_length = 1;
}

static void host_edge(mt_plugin_sink *s, int rel, const char *name,
		      uint64_t index, PyObject *target)
{
	if (s->failed || !target)
		return;
	long n = 0;
	if (rel != MT_PLUGIN_ATTR && rel != MT_PLUGIN_INDEX &&
	    rel != MT_PLUGIN_INTERATTR) {
		sink_fail(s, "edge with unknown relation %d", rel);
		return;
	}
	if (rel != MT_PLUGIN_INDEX && (n = name_len(name)) < 0) {
		sink_fail(s, "edge name missing, empty or over %d bytes",
			  MT_PLUGIN_NAME_MAX);
		return;
	}
	const char *why = not_object(s, target);
	if (why) {
		sink_fail(s, "edge %.*s to %p, not an object: %s",
			  rel == MT_PLUGIN_INDEX ? 5 : (int)(n > 64 ? 64 : n),
			  rel == MT_PLUGIN_INDEX ? "[...]" : name,
			  (void *)target, why);
		return;
	}
	mt_pedge *e = stage_edge(s, rel, name, n);
	if (e) {
		e->index = index;
		e->target = target;
	}
}

static void host_buffer(mt_plugin_sink *s, const char *kind, const char *name,
			const void *identity, uint64_t bytes)
{
	if (s->failed)
		return;
	long kn = name_len(kind), n = name_len(name);
	const char *dot = kn > 0 ? strrchr(kind, '.') : NULL;
	if (kn < 0 || !dot || dot == kind || !dot[1]) {
		sink_fail(s, "buffer kind is not a short \"module.name\"");
		return;
	}
	if (n < 0) {
		sink_fail(s, "buffer name missing, empty or over %d bytes",
			  MT_PLUGIN_NAME_MAX);
		return;
	}
	if (!identity || bytes > MT_PLUGIN_SIZE_MAX) {
		sink_fail(s, "buffer %s of %llu bytes at %p is absurd", name,
			  (unsigned long long)bytes, identity);
		return;
	}
	int added;
	mt_vrec *b = vrec_get(&s->bufs, &s->nbufs, &s->bufs_cap,
			      mix((uintptr_t)identity), eq_identity, identity,
			      0, &added);
	mt_vrec *k = b && added ? kind_rec(s, kind, (size_t)kn) : NULL;
	if (!b || (added && !k)) {
		sink_fail(s, "out of memory");
		return;
	}
	if (added) {
		b->identity = identity;
		b->kind = k;
		b->bytes = bytes; /* the first report's */
	}
	mt_pedge *e = stage_edge(s, MT_PLUGIN_INTERATTR, name, n);
	if (e)
		e->buf = b;
}

/* Length of the longest prefix of t[0..n) of whole, valid UTF-8 characters,
 * or -1 if t is not UTF-8 before that point. */
static long utf8_prefix(const unsigned char *t, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = t[i];
		size_t k = c < 0x80	    ? 1
			   : (c >> 5) == 6  ? 2
			   : (c >> 4) == 14 ? 3
			   : (c >> 3) == 30 ? 4
					    : 0;
		if (!k)
			return -1;
		if (i + k > n)
			break;
		for (size_t j = 1; j < k; j++)
			if ((t[i + j] & 0xC0) != 0x80)
				return -1;
		i += k;
	}
	return (long)i;
}

static void host_value(mt_plugin_sink *s, const char *text, size_t len)
{
	if (s->failed || !text)
		return;
	size_t n = len < MT_PREVIEW_MAX ? len : MT_PREVIEW_MAX;
	long k = utf8_prefix((const unsigned char *)text, n);
	if (k < 0) {
		sink_fail(s, "value text is not UTF-8");
		return;
	}
	memcpy(s->value, text, (size_t)k);
	s->value_len = (size_t)k;
	s->has_value = 1;
}

static int host_readable(mt_plugin_sink *s, const void *p, size_t n)
{
	return readable(s, p, n);
}

static void host_fail(mt_plugin_sink *s, const char *reason)
{
	sink_fail(s, "%.150s", reason ? reason : "failed");
}

static const mt_plugin_host g_host = {
    MT_PLUGIN_API_VERSION, host_size,  host_length,   host_edge,
    host_buffer,	   host_value, host_readable, host_fail,
};

/* ---- a visit ---------------------------------------------------------------- */

void mt_sink_init(mt_plugin_sink *s, mt_walk *w)
{
	memset(s, 0, sizeof(*s));
	s->w = w;
	s->probe_fd[0] = s->probe_fd[1] = -1;
}

void mt_sink_destroy(mt_plugin_sink *s)
{
	for (size_t i = 0; i < s->bufs_cap; i++)
		free(s->bufs[i]);
	for (size_t i = 0; i < s->kinds_cap; i++)
		free(s->kinds[i]);
	free(s->bufs);
	free(s->kinds);
	free(s->edges);
	free(s->names);
	free(s->pages);
	if (s->probe_fd[0] >= 0) {
		close(s->probe_fd[0]);
		close(s->probe_fd[1]);
	}
}

/* Writes the staged edges into the walk, in order. */
static void commit_edges(mt_plugin_sink *s)
{
	mt_walk *w = s->w;
	for (size_t i = 0; i < s->nedges && w->st == MT_OK; i++) {
		const mt_pedge *e = &s->edges[i];
		const char *name = s->names + e->name_off;
		if (e->buf) {
			uint32_t idx = 0;
			mt_status st = mt_walk_name(w, name, e->name_len, &idx);
			if (st != MT_OK) {
				w->st = st;
				return;
			}
			mt_walk_push_edge(w, mt_walk_vrec_id(w, e->buf),
					  MT_REL_INTERATTR, idx);
		} else if (e->rel == MT_PLUGIN_INDEX) {
			mt_edge_int(w, MT_REL_INDEX, e->index,
				    (mt_ref)(uintptr_t)e->target);
		} else {
			mt_walk_edge_name_n(w, (mt_relation)e->rel, name,
					    e->name_len,
					    (mt_ref)(uintptr_t)e->target);
		}
	}
}

int mt_sink_visit(mt_plugin_sink *s, const mt_prow *r, PyObject *o, mt_obj *ob,
		  size_t *size, int *has_size)
{
	mt_walk *w = s->w;
	s->plugin = r->plugin->p;
	s->failed = 0;
	s->has_size = s->has_length = s->has_value = 0;
	s->nedges = 0;
	s->names_len = 0;
	int rc = r->def->visit(&g_host, s, o);
	if (PyErr_Occurred()) {
		PyErr_Clear();
		sink_fail(s, "visit left a Python exception set");
	}
	if (rc != 0)
		sink_fail(s, "visit returned %d", rc);
	if (s->failed) {
		r->plugin->disabled = 1;
		mt_dp_warn(w->plugins,
			   "plugin %s disabled for this dump: %s (visiting a "
			   "%.100s at %p); its types were captured as without "
			   "it",
			   r->plugin->p->name, s->why, Py_TYPE(o)->tp_name,
			   (void *)o);
		return 0;
	}
	commit_edges(s);
	if (s->has_length)
		ob->length = s->length;
	if (s->has_value) {
		memcpy(w->v1, s->value, s->value_len);
		ob->value.kind = MT_VAL_STR;
		ob->value.s = w->v1;
		ob->value.slen = (uint32_t)s->value_len;
	}
	*has_size = s->has_size;
	if (s->has_size)
		*size = (size_t)s->size;
	return 1;
}

void mt_sink_vobject(mt_plugin_sink *s, mt_vrec *v, mt_obj *ob)
{
	mt_walk *w = s->w;
	ob->addr = 0;
	ob->refcnt = 0;
	ob->length = MT_NO_LENGTH;
	if (v->kind) { /* a buffer */
		ob->type = mt_walk_vrec_id(w, v->kind);
		ob->size = v->bytes;
		return;
	}
	ob->type = mt_walk_ref_id(w, (mt_ref)(uintptr_t)&PyType_Type);
	ob->size = 0;
	ob->value.kind = MT_VAL_QUALNAME;
	ob->value.s = v->text;
	ob->value.slen = v->modlen;
	ob->value.s2 = v->text + v->modlen + 1;
	ob->value.s2len = (uint32_t)strlen(v->text + v->modlen + 1);
}

#endif /* MT_PY_LAYOUT_KNOWN */
