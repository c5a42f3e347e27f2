/* Allocation sites (allocsite.h): one pass over the walk's table after the
 * walk, asking tracemalloc for each object's block.
 *
 * Data: two open-addressing tables in C memory, files by str address
 * (tracemalloc interns its file names, so one file is one str) and sites
 * by (file index, line), and one uint32_t per object (its site, 0 = none)
 * handed to the writer.  The file strs are held (a reference each) until
 * their text is copied at the end.
 *
 * The block of an object starts before it: the GC header and, 3.11+, the
 * pre-header (mt_py_presize, what sys.getsizeof adds; the address
 * tracemalloc's own get_object_traceback computes).  Objects allocated
 * before tracemalloc started, static objects and the walk's virtual objects
 * have no trace: site 0.
 */
#include "config.h"

#include "allocsite.h"
#include "pyint.h"

#if MT_PY_LAYOUT_KNOWN

#include <stdlib.h>
#include <string.h>

#if PY_VERSION_HEX >= 0x030D0000
/* 3.13 moved the declaration to the internal headers; still exported. */
PyAPI_FUNC(PyObject *)
    _PyTraceMalloc_GetTraceback(unsigned int domain, uintptr_t ptr);
#endif

/* A tracemalloc domain no allocator uses ('memt'), for the tracing probe. */
#define PROBE_DOMAIN 0x6d656d74u
static char g_probe;

int mt_allocsite_tracing(void)
{
	return PyTraceMalloc_Untrack(PROBE_DOMAIN, (uintptr_t)&g_probe) != -2;
}

typedef struct {
	PyObject *file; /* NULL: empty slot */
	uint32_t line;
	uint32_t index; /* site number, 1-based */
	uint32_t fidx;	/* file index of the site, or of the file entry */
} slot;

typedef struct {
	slot *s;
	size_t cap, n; /* cap: power of two */
} table;

static size_t hash2(const void *p, uint32_t line)
{
	uint64_t h = ((uint64_t)(uintptr_t)p ^ ((uint64_t)line << 48)) *
		     UINT64_C(0x9e3779b97f4a7c15);
	return (size_t)(h >> 17);
}

/* The slot of (file, line), empty when absent; grows first when needed.
 * NULL when out of memory. */
static slot *find(table *t, PyObject *file, uint32_t line)
{
	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		slot *ns = calloc(cap, sizeof *ns);
		if (!ns)
			return NULL;
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->s[i].file)
				continue;
			size_t j = hash2(t->s[i].file, t->s[i].line) &
				   (cap - 1);
			while (ns[j].file)
				j = (j + 1) & (cap - 1);
			ns[j] = t->s[i];
		}
		free(t->s);
		t->s = ns;
		t->cap = cap;
	}
	size_t i = hash2(file, line) & (t->cap - 1);
	while (t->s[i].file && (t->s[i].file != file || t->s[i].line != line))
		i = (i + 1) & (t->cap - 1);
	return &t->s[i];
}

typedef struct {
	table files, sites;
	PyObject **file_obj; /* by file index, each held */
	uint32_t nfiles, files_cap;
	uint32_t *site_file, *site_line;
	uint32_t nsites, sites_cap;
} sites;

/* Resizes *a to c entries. */
static int grow(uint32_t **a, uint32_t c)
{
	uint32_t *n = realloc(*a, (size_t)c * sizeof *n);
	if (!n)
		return -1;
	*a = n;
	return 0;
}

/* Site number of (file, line), interned.  0 when out of memory (*nomem). */
static uint32_t intern(sites *s, PyObject *file, uint32_t line, int *nomem)
{
	slot *e = find(&s->sites, file, line);
	if (!e)
		goto nomem;
	if (e->file)
		return e->index;
	slot *f = find(&s->files, file, 0);
	if (!f)
		goto nomem;
	if (!f->file) {
		if (s->nfiles == s->files_cap) {
			uint32_t c = s->files_cap ? s->files_cap * 2 : 64;
			PyObject **n =
			    realloc(s->file_obj, (size_t)c * sizeof *n);
			if (!n)
				goto nomem;
			s->file_obj = n;
			s->files_cap = c;
		}
		Py_INCREF(file);
		s->file_obj[s->nfiles] = file;
		f->file = file;
		f->fidx = s->nfiles++;
		s->files.n++;
	}
	if (s->nsites == s->sites_cap) {
		uint32_t c = s->sites_cap ? s->sites_cap * 2 : 64;
		if (grow(&s->site_file, c) || grow(&s->site_line, c))
			goto nomem;
		s->sites_cap = c;
	}
	s->site_file[s->nsites] = f->fidx;
	s->site_line[s->nsites] = line;
	e->file = file;
	e->line = line;
	e->index = ++s->nsites;
	s->sites.n++;
	return e->index;
nomem:
	*nomem = 1;
	return 0;
}

/* The site of object o: the innermost frame of its block's traceback. */
static uint32_t object_site(sites *s, PyObject *o, int *nomem)
{
	uintptr_t ptr = (uintptr_t)o - mt_py_presize(o);
	PyObject *tb = _PyTraceMalloc_GetTraceback(0, ptr);
	uint32_t site = 0;
	if (!tb) {
		PyErr_Clear();
		return 0;
	}
	if (PyTuple_Check(tb) && PyTuple_GET_SIZE(tb) > 0) {
		PyObject *fr = PyTuple_GET_ITEM(tb, 0);
		if (PyTuple_Check(fr) && PyTuple_GET_SIZE(fr) == 2 &&
		    PyUnicode_Check(PyTuple_GET_ITEM(fr, 0)) &&
		    PyLong_Check(PyTuple_GET_ITEM(fr, 1))) {
			unsigned long line =
			    PyLong_AsUnsignedLong(PyTuple_GET_ITEM(fr, 1));
			if (line == (unsigned long)-1 && PyErr_Occurred())
				PyErr_Clear();
			else if (line <= UINT32_MAX)
				site = intern(s, PyTuple_GET_ITEM(fr, 0),
					      (uint32_t)line, nomem);
		}
	}
	Py_DECREF(tb);
	return site;
}

static void sites_free(sites *s)
{
	for (uint32_t i = 0; i < s->nfiles; i++)
		Py_DECREF(s->file_obj[i]);
	free(s->file_obj);
	free(s->files.s);
	free(s->sites.s);
	free(s->site_file);
	free(s->site_line);
}

mt_status mt_allocsite_write(mt_writer *wr, const mt_objtable *tab,
			     const volatile sig_atomic_t *cancel, mt_err *err)
{
	sites s;
	uint32_t n = tab->count;
	mt_status st = MT_OK;
	int nomem = 0;
	char **texts = NULL;
	uint32_t *lens = NULL;
	memset(&s, 0, sizeof s);
	uint32_t *obj_site = malloc((n ? n : 1) * sizeof *obj_site);
	if (!obj_site)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "allocation sites of %u objects", n);
	for (uint32_t id = 0; id < n && !nomem; id++) {
		mt_ref r = mt_objtable_key(tab, id);
		obj_site[id] =
		    MT_REF_TAG(r) == MT_REF_OBJ
			? object_site(&s, (PyObject *)MT_REF_PTR(r), &nomem)
			: 0;
		if ((id & 4095) == 0 && cancel && *cancel) {
			st = mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
					MT_NO_OFFSET,
					"interrupted by a signal");
			goto out;
		}
	}
	if (nomem)
		goto nomem;
	/* the file names' UTF-8 text (lone surrogates as U+FFFD) */
	texts = calloc(s.nfiles ? s.nfiles : 1, sizeof *texts);
	lens = calloc(s.nfiles ? s.nfiles : 1, sizeof *lens);
	if (!texts || !lens)
		goto nomem;
	for (uint32_t i = 0; i < s.nfiles; i++) {
		size_t max = (size_t)PyUnicode_GET_LENGTH(s.file_obj[i]) * 4;
		if (max > UINT32_MAX)
			max = UINT32_MAX;
		if (!(texts[i] = malloc(max ? max : 1)))
			goto nomem;
		lens[i] = (uint32_t)mt_str_utf8(s.file_obj[i], texts[i], max);
	}
	st = mt_writer_sites(wr, (const char *const *)texts, lens, s.nfiles,
			     s.site_file, s.site_line, s.nsites, obj_site, n,
			     err);
	goto out;
nomem:
	st = mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			"allocation sites");
out:
	for (uint32_t i = 0; texts && i < s.nfiles; i++)
		free(texts[i]);
	free(texts);
	free(lens);
	free(obj_site);
	sites_free(&s);
	return st;
}

#endif /* MT_PY_LAYOUT_KNOWN */
