/* Capture plugins: which exist, which a dump uses (include/memtrack/plugin.h,
 * doc/capture.md "Plugins").
 *
 * Bundled plugins are compiled into the extension and listed in
 * plugins/capture.def; external ones are shared objects loaded by path
 * (dlopen, entry point memtrack_plugin_v1, API version checked) and kept
 * loaded for the life of the process.  Before each walk mt_plugins_select
 * picks the dump's plugins (the automatic rule, or the caller's list),
 * resolves their types from modules already in sys.modules (never importing
 * anything) and calls their prepare functions; this runs while Python code
 * may still run, the walk itself only reads the result.
 */
#include "config.h"

#include "pyint.h"
#include "walkpriv.h"

#if MT_PY_LAYOUT_KNOWN /* else the module refuses to import: see pyint.h */

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the registry ---------------------------------------------------------- */

#define MT_CAPTURE_PLUGIN(name) const mt_plugin *mt_capture_plugin_##name(void);
#include "../../plugins/capture.def"
#undef MT_CAPTURE_PLUGIN

static mt_plugin_entry_fn const g_bundled[] = {
#define MT_CAPTURE_PLUGIN(name) mt_capture_plugin_##name,
#include "../../plugins/capture.def"
#undef MT_CAPTURE_PLUGIN
    NULL};

/* External plugins loaded so far (never unloaded: their code may be in
 * this process's stack traces, their strings in earlier results). */
typedef struct {
	char *path;
	const mt_plugin *p;
} ext_plugin;
static ext_plugin *g_ext;
static size_t g_next;

/* ---- warnings -------------------------------------------------------------- */

void mt_dp_warn(mt_dumpplugins *dp, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	if (!dp)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	char **w = realloc(dp->warnings, (dp->nwarnings + 1) * sizeof(*w));
	if (!w)
		return;
	dp->warnings = w;
	if ((w[dp->nwarnings] = strdup(buf)))
		dp->nwarnings++;
}

/* ---- loading ----------------------------------------------------------------- */

/* Why p cannot be used, or NULL. */
static const char *plugin_invalid(const mt_plugin *p, char *buf, size_t n)
{
	if (!p)
		return "its entry point returned NULL";
	if (p->api_version != MT_PLUGIN_API_VERSION) {
		snprintf(buf, n, "it was built for plugin API %u, this memtrack "
				 "has %u",
			 p->api_version, MT_PLUGIN_API_VERSION);
		return buf;
	}
	if (!p->name || !*p->name || !p->module || (p->ntypes && !p->types))
		return "its name, module or types are missing";
	for (size_t i = 0; i < p->ntypes; i++)
		if (!p->types[i].module || !p->types[i].qualname ||
		    !p->types[i].visit)
			return "a type row lacks its module, qualname or visit";
	return NULL;
}

/* The plugin of a shared object: loaded once per path.  NULL with *why. */
static const mt_plugin *load_path(const char *path, char *why, size_t n)
{
	for (size_t i = 0; i < g_next; i++)
		if (!strcmp(g_ext[i].path, path))
			return g_ext[i].p;
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(why, n, "cannot load it: %s", e ? e : "dlopen failed");
		return NULL;
	}
	mt_plugin_entry_fn entry;
	*(void **)&entry = dlsym(h, MT_PLUGIN_ENTRY_NAME);
	if (!entry) {
		snprintf(why, n, "it has no " MT_PLUGIN_ENTRY_NAME " function");
		dlclose(h);
		return NULL;
	}
	const mt_plugin *p = entry();
	char buf[128];
	const char *bad = plugin_invalid(p, buf, sizeof(buf));
	if (bad) {
		snprintf(why, n, "%s", bad);
		dlclose(h);
		return NULL;
	}
	ext_plugin *e = realloc(g_ext, (g_next + 1) * sizeof(*e));
	char *copy = strdup(path);
	if (!e || !copy) {
		free(copy);
		if (e)
			g_ext = e;
		snprintf(why, n, "out of memory");
		return NULL; /* h stays loaded: harmless */
	}
	g_ext = e;
	g_ext[g_next].path = copy;
	g_ext[g_next++].p = p;
	return p;
}

static const mt_plugin *bundled_named(const char *name)
{
	for (size_t i = 0; g_bundled[i]; i++) {
		const mt_plugin *p = g_bundled[i]();
		if (p && p->name && !strcmp(p->name, name))
			return p;
	}
	return NULL;
}

/* ---- types ----------------------------------------------------------------- */

/* sys.modules[name] if it is a module; borrowed or NULL.  Imports nothing. */
static PyObject *imported(const char *name)
{
	PyObject *mods = PyImport_GetModuleDict();
	PyObject *m = mods && PyDict_Check(mods)
			  ? PyDict_GetItemString(mods, name)
			  : NULL;
	return m && PyModule_Check(m) ? m : NULL;
}

/* module.qualname as a type (dots go through class dicts), or NULL. */
static PyTypeObject *resolve(const char *module, const char *qualname)
{
	PyObject *m = imported(module);
	PyObject *d = m ? PyModule_GetDict(m) : NULL;
	char part[MT_PLUGIN_NAME_MAX + 1];
	const char *q = qualname;
	PyObject *t = NULL;
	while (d && PyDict_Check(d) && *q) {
		const char *dot = strchr(q, '.');
		size_t n = dot ? (size_t)(dot - q) : strlen(q);
		if (n > MT_PLUGIN_NAME_MAX)
			return NULL;
		memcpy(part, q, n);
		part[n] = 0;
		t = PyDict_GetItemString(d, part);
		if (!t || !PyType_Check(t))
			return NULL;
		q = dot ? dot + 1 : q + n;
		d = dot ? ((PyTypeObject *)t)->tp_dict : NULL;
	}
	if (PyErr_Occurred())
		PyErr_Clear();
	return t && PyType_Check(t) && !*q ? (PyTypeObject *)t : NULL;
}

/* Adds p to the dump (once), resolving its types. */
static int add_plugin(mt_dumpplugins *dp, const mt_plugin *p)
{
	for (size_t i = 0; i < dp->nact; i++)
		if (dp->act[i].p == p)
			return 0;
	mt_pactive *a = realloc(dp->act, (dp->nact + 1) * sizeof(*a));
	if (!a)
		return -1;
	dp->act = a;
	a[dp->nact].p = p;
	a[dp->nact].disabled = 0;
	dp->nact++;
	return 0;
}

/* The rows of every active plugin whose type is imported, then prepare. */
static int resolve_rows(mt_dumpplugins *dp)
{
	size_t total = 0;
	for (size_t i = 0; i < dp->nact; i++)
		total += dp->act[i].p->ntypes;
	dp->rows = calloc(total ? total : 1, sizeof(*dp->rows));
	if (!dp->rows)
		return -1;
	for (size_t i = 0; i < dp->nact; i++) {
		mt_pactive *a = &dp->act[i];
		const mt_plugin *p = a->p;
		size_t first = dp->nrows;
		for (size_t k = 0; k < p->ntypes; k++) {
			PyTypeObject *t = resolve(p->types[k].module,
						  p->types[k].qualname);
			if (t)
				dp->rows[dp->nrows++] =
				    (mt_prow){t, &p->types[k], a};
		}
		if (p->prepare && p->prepare(p) != 0) {
			if (PyErr_Occurred())
				PyErr_Clear();
			a->disabled = 1;
			dp->nrows = first;
			mt_dp_warn(dp,
				   "plugin %s disabled for this dump: its "
				   "prepare function failed",
				   p->name);
		}
	}
	return 0;
}

/* One element of dump(plugins=[...]): a bundled plugin's name, or a path
 * (anything with a '/') to a shared object. */
static int select_one(mt_dumpplugins *dp, PyObject *item)
{
	const char *s = PyUnicode_Check(item) ? PyUnicode_AsUTF8(item) : NULL;
	if (!s) {
		if (!PyErr_Occurred())
			PyErr_Format(PyExc_TypeError,
				     "plugins: expected names or paths (str), "
				     "got %.100s",
				     Py_TYPE(item)->tp_name);
		return -1;
	}
	const mt_plugin *p;
	if (strchr(s, '/')) {
		char why[400];
		p = load_path(s, why, sizeof(why));
		if (!p) {
			mt_dp_warn(dp, "plugin %s not used: %s", s, why);
			return 0;
		}
	} else if (!(p = bundled_named(s))) {
		PyErr_Format(PyExc_ValueError,
			     "plugins: no bundled plugin named '%s' (see "
			     "memtrack.plugins(); a shared object is given by "
			     "a path containing '/')",
			     s);
		return -1;
	}
	if (add_plugin(dp, p) < 0) {
		PyErr_NoMemory();
		return -1;
	}
	return 0;
}

int mt_plugins_select(PyObject *arg, mt_dumpplugins *dp)
{
	memset(dp, 0, sizeof(*dp));
	if (!arg || arg == Py_None) {
		for (size_t i = 0; g_bundled[i]; i++) {
			const mt_plugin *p = g_bundled[i]();
			char buf[128];
			const char *bad = plugin_invalid(p, buf, sizeof(buf));
			if (bad)
				mt_dp_warn(dp, "bundled plugin %zu not used: %s",
					   i, bad);
			else if (imported(p->module) && add_plugin(dp, p) < 0)
				goto nomem;
		}
	} else {
		PyObject *seq = PySequence_Fast(
		    arg, "plugins: expected a list of names or paths");
		if (!seq || PyUnicode_Check(arg)) {
			if (seq && !PyErr_Occurred())
				PyErr_SetString(PyExc_TypeError,
						"plugins: expected a list of "
						"names or paths, not a str");
			Py_XDECREF(seq);
			return -1;
		}
		for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++)
			if (select_one(dp, PySequence_Fast_GET_ITEM(seq, i)) <
			    0) {
				Py_DECREF(seq);
				mt_plugins_release(dp);
				return -1;
			}
		Py_DECREF(seq);
	}
	if (resolve_rows(dp) == 0)
		return 0;
nomem:
	mt_plugins_release(dp);
	PyErr_NoMemory();
	return -1;
}

void mt_plugins_release(mt_dumpplugins *dp)
{
	for (size_t i = 0; i < dp->nwarnings; i++)
		free(dp->warnings[i]);
	free(dp->warnings);
	free(dp->act);
	free(dp->rows);
	memset(dp, 0, sizeof(*dp));
}

/* ---- memtrack.plugins() ------------------------------------------------------ */

static int list_add(PyObject *l, const mt_plugin *p, const char *origin,
		    int active)
{
	PyObject *d = Py_BuildValue(
	    "{s:s,s:s,s:s,s:s,s:O}", "name", p->name, "module", p->module,
	    "description", p->description ? p->description : "", "origin",
	    origin, "active", active ? Py_True : Py_False);
	int rc = d ? PyList_Append(l, d) : -1;
	Py_XDECREF(d);
	return rc;
}

PyObject *mt_plugins_list(void)
{
	PyObject *l = PyList_New(0);
	char buf[128];
	for (size_t i = 0; l && g_bundled[i]; i++) {
		const mt_plugin *p = g_bundled[i]();
		if (!plugin_invalid(p, buf, sizeof(buf)) &&
		    list_add(l, p, "bundled", imported(p->module) != NULL) < 0)
			Py_CLEAR(l);
	}
	for (size_t i = 0; l && i < g_next; i++)
		if (list_add(l, g_ext[i].p, g_ext[i].path, 0) < 0)
			Py_CLEAR(l);
	return l;
}

#endif /* MT_PY_LAYOUT_KNOWN */
