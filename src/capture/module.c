/* The `memtrack._memtrack` extension module: dump(), mark() and read().
 * The package `memtrack` (src/capture/memtrack/__init__.py) re-exports it.
 *
 * dump() gathers the header (before the walk, while creating Python objects
 * is still harmless), optionally runs gc.collect(), and hands over to the
 * walker (walk.c), which runs without creating any Python object.  mark()
 * runs the same walk writing nothing and keeps the objects' addresses and
 * types in C memory (mark.c) for the dumps after it.  read()
 * decodes a dump with the validating reader into plain Python data for tests
 * and scripts; its shape is documented in doc/capture.md.
 */
#include "config.h"

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "allocsite.h"
#include "bgdump.h"
#include "mark.h"
#include "memtrack/reader.h"
#include "memtrack/writer.h"
#include "modhooks.h"
#include "pyint.h"
#include "walk.h"
#include "walkpriv.h"

/* An interpreter whose layout memtrack does not know (pyint.h): only
 * PyInit__memtrack is compiled, and it refuses to import. */
#if !MT_PY_LAYOUT_KNOWN
#define MT_FREE_THREADED 1
#else
#define MT_FREE_THREADED 0
#endif

#if !MT_FREE_THREADED
static double now_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void read_statm(uint64_t *rss, uint64_t *vms)
{
	unsigned long long size = 0, res = 0;
	*rss = *vms = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return;
	if (fscanf(f, "%llu %llu", &size, &res) == 2) {
		long page = sysconf(_SC_PAGESIZE);
		if (page > 0) {
			*vms = size * (uint64_t)page;
			*rss = res * (uint64_t)page;
		}
	}
	fclose(f);
}

/* Which process this is, for telling two dumps of one process from dumps
 * of two (header keys start_time and boot_id, doc/format.md).  The start
 * time is the boot time (btime of /proc/stat) plus the process's start
 * ticks (field 22 of /proc/self/stat) / _SC_CLK_TCK.  btime moves by a
 * second now and then (the kernel derives it from the wall clock), so the
 * value is computed once per process (per pid: a forked child computes
 * its own) and every dump of the process writes the same one.  0 and no
 * boot id (NULL) when /proc cannot tell. */
static double g_start_time;
static pid_t g_start_pid;
static char g_boot_id[64];

static double proc_btime(void)
{
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		return 0;
	char line[256];
	unsigned long long bt = 0;
	bool found = false;
	while (!found && fgets(line, sizeof line, f))
		found = sscanf(line, "btime %llu", &bt) == 1;
	fclose(f);
	return found ? (double)bt : 0;
}

static double proc_start_ticks(void)
{
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the command name (field 2) is in parentheses and may hold spaces
	 * and parentheses: the fields restart after the last ')' */
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	p++;
	/* after ')': field 3 (state) ... field 22 (starttime) */
	for (int field = 3; field < 22; field++) {
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')
			p++;
	}
	unsigned long long ticks;
	if (sscanf(p, " %llu", &ticks) != 1)
		return -1;
	return (double)ticks;
}

static void process_identity(double *start_time, const char **boot_id)
{
	pid_t pid = getpid();
	if (g_start_pid != pid) {
		double bt = proc_btime(), ticks = proc_start_ticks();
		long hz = sysconf(_SC_CLK_TCK);
		g_start_time = bt > 0 && ticks >= 0 && hz > 0
				   ? bt + ticks / (double)hz
				   : 0;
		g_boot_id[0] = '\0';
		FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
		if (f) {
			if (!fgets(g_boot_id, sizeof g_boot_id, f))
				g_boot_id[0] = '\0';
			fclose(f);
			g_boot_id[strcspn(g_boot_id, "\n")] = '\0';
		}
		g_start_pid = pid;
	}
	*start_time = g_start_time;
	*boot_id = g_boot_id[0] ? g_boot_id : NULL;
}

/* C copy of a str (UTF-8), or of "" if o is not a str.  Caller frees. */
static char *c_string(PyObject *o)
{
	if (o && PyUnicode_Check(o)) {
		PyObject *b =
		    PyUnicode_AsEncodedString(o, "utf-8", "surrogateescape");
		if (!b) {
			PyErr_Clear();
			b = PyUnicode_AsEncodedString(o, "utf-8", "replace");
		}
		if (b) {
			char *s = strdup(PyBytes_AS_STRING(b));
			Py_DECREF(b);
			return s;
		}
		PyErr_Clear();
	}
	return strdup("");
}

typedef struct {
	mt_header h;
	char *version, *executable;
	char **argv;
	size_t argc;
} header_buf;

static void header_free(header_buf *hb)
{
	free(hb->version);
	free(hb->executable);
	for (size_t i = 0; i < hb->argc; i++)
		free(hb->argv[i]);
	free(hb->argv);
}

static int header_fill(header_buf *hb, int collected)
{
	memset(hb, 0, sizeof(*hb));
	mt_header *h = &hb->h;
	h->format_version = MT_DUMP_VERSION;
	h->memtrack_version = PACKAGE_VERSION;
	hb->version = strdup(Py_GetVersion());
	h->python_version = hb->version;
	/* The interpreter's own version, not sys.version_info: a program
	 * may replace that, and the reader checks these numbers. */
#if PY_VERSION_HEX >= 0x030B0000
	h->py_major = (unsigned)(Py_Version >> 24) & 0xff;
	h->py_minor = (unsigned)(Py_Version >> 16) & 0xff;
	h->py_micro = (unsigned)(Py_Version >> 8) & 0xff;
#else
	if (sscanf(Py_GetVersion(), "%u.%u.%u", &h->py_major, &h->py_minor,
		   &h->py_micro) != 3)
		h->py_major = h->py_minor = h->py_micro = 0;
#endif
	h->implementation = "cpython";
#ifdef Py_DEBUG
	h->build = "debug";
#else
	h->build = "release";
#endif
	hb->executable = c_string(PySys_GetObject("executable"));
	h->executable = hb->executable;
	h->pid = (uint64_t)getpid();
	PyObject *argv = PySys_GetObject("argv");
	if (argv && PyList_Check(argv)) {
		Py_ssize_t n = PyList_GET_SIZE(argv);
		hb->argv = calloc((size_t)n + 1, sizeof(char *));
		if (!hb->argv)
			return -1;
		for (Py_ssize_t i = 0; i < n; i++) {
			hb->argv[i] = c_string(PyList_GET_ITEM(argv, i));
			if (!hb->argv[i])
				return -1;
			hb->argc++;
		}
	}
	h->argc = hb->argc;
	h->argv = (const char **)hb->argv;
	h->time = now_real();
	read_statm(&h->rss, &h->vms);
	process_identity(&h->start_time, &h->boot_id);
	h->ptr_size = (unsigned)sizeof(void *);
	h->gc_header = (unsigned)mt_py_gc_head_size();
	h->collected = collected != 0;
	if (!hb->version || !hb->executable)
		return -1;
	return 0;
}

static size_t allocated_blocks(void)
{
	PyObject *f = PySys_GetObject("getallocatedblocks");
	size_t n = 0;
	if (f) {
		PyObject *r = PyObject_CallNoArgs(f);
		if (r) {
			Py_ssize_t v = PyLong_AsSsize_t(r);
			if (v > 0)
				n = (size_t)v;
			Py_DECREF(r);
		}
	}
	PyErr_Clear();
	return n ? n : 100000;
}

/* Calls gc.<name>(); returns its truth value, or -1 with an exception. */
static int gc_call(const char *name)
{
	PyObject *gc = PyImport_ImportModule("gc");
	if (!gc)
		return -1;
	PyObject *r = PyObject_CallMethod(gc, name, NULL);
	Py_DECREF(gc);
	if (!r)
		return -1;
	int t = PyObject_IsTrue(r);
	Py_DECREF(r);
	return t;
}

/* ---- signals during the walk -----------------------------------------------
 * The walk runs no Python code, so Python's own handlers (which only note a
 * signal for the eval loop) cannot stop it: Ctrl-C would wait for the whole
 * walk, and SIGTERM would kill the process with the temporary file left.
 * So for the walk only, C handlers for SIGINT and SIGTERM are installed
 * (sigaction, process-wide, from the thread that calls dump; the GIL held
 * throughout serialises dumps) and the previous ones restored exactly
 * afterwards.  Our handler asks the walk to stop (g_cancel, polled every
 * 4096 objects) and then does what the previous disposition would have:
 *   - a handler (Python's, or a C library's): call it, so Python still sees
 *     the signal; after the walk, PyErr_CheckSignals() runs the Python
 *     handler (KeyboardInterrupt for the default SIGINT one);
 *   - SIG_DFL: the process would have died: remove the temporary file
 *     (unlink, async-signal-safe, path copied in beforehand), restore
 *     SIG_DFL and re-raise, so it dies of the same signal; when the path is
 *     not published yet, the death is deferred to the end of the walk;
 *   - SIG_IGN: nothing is installed, the dump goes on. */

typedef struct {
	int sig;
	bool installed;
	struct sigaction prev;
} sig_slot;

static sig_slot g_sigs[] = {{.sig = SIGINT}, {.sig = SIGTERM}};
#define N_SIGS (sizeof g_sigs / sizeof g_sigs[0])
static volatile sig_atomic_t g_cancel; /* the walk stops when set */
static volatile sig_atomic_t g_die;    /* die of this signal after the walk */
static volatile sig_atomic_t g_tmp_ready; /* g_tmp holds the path */
static char g_tmp[4096];
static bool g_active; /* handlers installed (the GIL protects it) */

static void on_signal(int sig, siginfo_t *info, void *uctx)
{
	int saved = errno;
	const struct sigaction *prev = NULL;
	for (size_t i = 0; i < N_SIGS; i++)
		if (g_sigs[i].sig == sig)
			prev = &g_sigs[i].prev;
	if (!prev) {
		errno = saved;
		return;
	}
	if (prev->sa_flags & SA_SIGINFO) {
		g_cancel = 1;
		prev->sa_sigaction(sig, info, uctx);
	} else if (prev->sa_handler == SIG_DFL) {
		g_cancel = 1;
		if (g_tmp_ready) {
			struct sigaction dfl;
			memset(&dfl, 0, sizeof dfl);
			dfl.sa_handler = SIG_DFL;
			sigemptyset(&dfl.sa_mask);
			unlink(g_tmp);
			sigaction(sig, &dfl, NULL);
			/* blocked while this handler runs: delivered, with the
			 * default action, as soon as it returns */
			raise(sig);
		} else {
			g_die = sig;
		}
	} else if (prev->sa_handler != SIG_IGN) {
		g_cancel = 1;
		prev->sa_handler(sig);
	}
	errno = saved;
}

/* Publishes the temporary file for the handler: from now on a fatal signal
 * removes it at once.  (Before, the death waits for the end of the walk.) */
static void signals_publish(const char *tmp)
{
	if (strlen(tmp) < sizeof g_tmp) {
		strcpy(g_tmp, tmp);
		atomic_signal_fence(memory_order_seq_cst);
		g_tmp_ready = 1;
	}
}

/* Installs the handlers (before the temporary file exists, so that no
 * window leaves it behind). */
static void signals_install(void)
{
	g_cancel = 0;
	g_die = 0;
	g_tmp_ready = 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < N_SIGS; i++)
		sigaddset(&sa.sa_mask, g_sigs[i].sig);
	for (size_t i = 0; i < N_SIGS; i++) {
		sig_slot *s = &g_sigs[i];
		s->installed = false;
		/* prev first: the handler reads it as soon as it is in place */
		if (sigaction(s->sig, NULL, &s->prev) != 0)
			continue;
		if (!(s->prev.sa_flags & SA_SIGINFO) &&
		    s->prev.sa_handler == SIG_IGN)
			continue;
		s->installed = sigaction(s->sig, &sa, NULL) == 0;
	}
	g_active = true;
}

/* Puts the previous dispositions back (unless someone replaced ours
 * meanwhile), then dies of a signal that arrived when the temporary file
 * was not known yet. */
static void signals_restore(void)
{
	g_tmp_ready = 0;
	for (size_t i = 0; i < N_SIGS; i++) {
		sig_slot *s = &g_sigs[i];
		struct sigaction cur;
		if (s->installed && sigaction(s->sig, NULL, &cur) == 0 &&
		    (cur.sa_flags & SA_SIGINFO) &&
		    cur.sa_sigaction == on_signal)
			sigaction(s->sig, &s->prev, NULL);
		s->installed = false;
	}
	g_active = false;
	if (g_die) {
		/* its previous disposition (now back) is SIG_DFL */
		int sig = g_die;
		g_die = 0;
		raise(sig);
	}
}

/* Raises OSError(*args) as the subclass its errno selects
 * (IsADirectoryError, InterruptedError...), built at once: an exception
 * left for the interpreter to normalise reaches a `with` block's __exit__
 * as plain OSError on 3.9 and 3.10. */
void mt_py_set_oserror(PyObject *args)
{
	PyObject *e = PyObject_Call(PyExc_OSError, args, NULL);
	if (e) {
		PyErr_SetObject((PyObject *)Py_TYPE(e), e);
		Py_DECREF(e);
	}
}

/* The OSError (with errno and filename when the writer knows the cause),
 * MemoryError or RuntimeError of a failed dump. */
static PyObject *dump_error(mt_status st, const mt_err *err, const char *path)
{
	char msg[400];
	mt_err_format(err, msg, sizeof(msg));
	return mt_py_dump_failure((int)st, err->sys_errno, msg, path);
}

/* bgdump.h: the same exceptions from a background child's report (status
 * -1: the child refused to walk, RuntimeError with its reason). */
PyObject *mt_py_dump_failure(int status, int sys_errno, const char *reason,
			     const char *path)
{
	if (status == MT_IO && sys_errno) {
		PyObject *fn = PyUnicode_DecodeFSDefault(path);
		PyObject *text = fn ? PyUnicode_FromFormat(
					  "memtrack.dump failed: %s", reason)
				    : NULL;
		PyObject *a = text ? Py_BuildValue("(iOO)", sys_errno, text, fn)
				   : NULL;
		if (a)
			mt_py_set_oserror(a);
		Py_XDECREF(a);
		Py_XDECREF(text);
		Py_XDECREF(fn);
		return NULL;
	}
	PyErr_Format(status == MT_IO	  ? PyExc_OSError
		     : status == MT_NOMEM ? PyExc_MemoryError
					  : PyExc_RuntimeError,
		     "memtrack.dump('%s') failed: %s", path, reason);
	return NULL;
}

void mt_py_dump_done(const char *path) { mt_proclog_dump_marker(path); }

/* ---- the named results ------------------------------------------------------
 * read() and dump() return named data: a Record is a dict whose keys are
 * also attributes (d.header.rss == d["header"]["rss"]), Object, Edge,
 * TypeName and Location are struct sequences (named tuples: o.size ==
 * o[1], and they compare equal to plain tuples), so code written for the
 * bare tuples keeps working.  The types are created once, at the first
 * import, and live as long as the process (re-importing reuses them). */

static PyTypeObject *g_object_t, *g_edge_t, *g_typename_t, *g_location_t;
static PyTypeObject *g_record_t;

static PyStructSequence_Field object_fields[] = {
    {"type", "id of the object's type (an index into objects)"},
    {"size", "bytes, with sys.getsizeof semantics (doc/capture.md, Sizes)"},
    {"addr", "address in the captured process; None for a virtual object"},
    {"refcnt", "reference count at capture; None for a virtual object"},
    {"length", "len() or number of items; None when it has none"},
    {"value", "preview or name: None, str, bytes, int, float, bool, "
	      "TypeName or Location"},
    {"edges", "list of Edge: the object's references"},
    {NULL, NULL}};
static PyStructSequence_Desc object_desc = {
    "memtrack.Object",
    "Object(type, size, addr, refcnt, length, value, edges): one OBJECT\n"
    "record of a dump (doc/format.md, OBJECT fields); its id is its index\n"
    "in read()'s objects list.",
    object_fields, 7};

static PyStructSequence_Field edge_fields[] = {
    {"rel", "relation name: 'attr', 'index', 'keyval', 'key', 'interattr', "
	    "'local', 'cell', 'stack', 'inset', 'root' or 'other'"},
    {"target", "id of the object referred to"},
    {"label", "the name (str) for a named relation, the key object's id for "
	      "'keyval', an int otherwise"},
    {NULL, NULL}};
static PyStructSequence_Desc edge_desc = {
    "memtrack.Edge",
    "Edge(rel, target, label): one reference of a dump (doc/format.md,\n"
    "Relations).",
    edge_fields, 3};

static PyStructSequence_Field typename_fields[] = {
    {"module", "the class's __module__ ('' when it has no str one)"},
    {"qualname", "the class's __qualname__"},
    {NULL, NULL}};
static PyStructSequence_Desc typename_desc = {
    "memtrack.TypeName",
    "TypeName(module, qualname): the value of a type object\n"
    "(('builtins', 'dict'), ('__main__', 'Node')).",
    typename_fields, 2};

static PyStructSequence_Field location_fields[] = {
    {"filename", "co_filename of the code"},
    {"line", "first line of a code object; current line of a frame"},
    {"name", "co_name of the code"},
    {NULL, NULL}};
static PyStructSequence_Desc location_desc = {
    "memtrack.Location",
    "Location(filename, line, name): the value of a code object or a\n"
    "frame.",
    location_fields, 3};

/* A Record's attribute: the dict's own attributes first (keys(), get()...),
 * then its str keys. */
static PyObject *record_getattro(PyObject *self, PyObject *name)
{
	PyObject *r = PyObject_GenericGetAttr(self, name);
	if (r || !PyErr_ExceptionMatches(PyExc_AttributeError))
		return r;
	/* the AttributeError is kept aside while the dict is asked, and
	 * raised again when the key is not there either */
	PyObject *et, *ev, *tb;
	PyErr_Fetch(&et, &ev, &tb);
	PyObject *v = PyDict_GetItemWithError(self, name);
	if (v) {
		Py_XDECREF(et);
		Py_XDECREF(ev);
		Py_XDECREF(tb);
		return Py_NewRef(v);
	}
	if (PyErr_Occurred()) {
		Py_XDECREF(et);
		Py_XDECREF(ev);
		Py_XDECREF(tb);
		return NULL;
	}
	PyErr_Restore(et, ev, tb);
	return NULL;
}

/* dir(): the dict's attributes and the str keys (tab completion). */
static PyObject *record_dir(PyObject *self, PyObject *noargs)
{
	(void)noargs;
	PyObject *l = PyObject_Dir((PyObject *)Py_TYPE(self));
	PyObject *k, *v;
	Py_ssize_t pos = 0;
	while (l && PyDict_Next(self, &pos, &k, &v))
		if (PyUnicode_Check(k) && PyList_Append(l, k) < 0)
			Py_CLEAR(l);
	if (l && PyList_Sort(l) < 0)
		Py_CLEAR(l);
	return l;
}

static PyMethodDef record_methods[] = {
    {"__dir__", record_dir, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};

static PyType_Slot record_slots[] = {
    {Py_tp_getattro, (void *)record_getattro},
    {Py_tp_methods, record_methods},
    {Py_tp_doc, (void *)"Record: a dict whose str keys are also attributes\n"
			"(r.rss is r['rss']); read() and dump() return them."},
    {0, NULL}};

static PyType_Spec record_spec = {"memtrack.Record", 0, 0, Py_TPFLAGS_DEFAULT,
				  record_slots};

/* Creates the types (once per process); 0, or -1 with an exception. */
static int named_types_init(void)
{
	if (g_record_t)
		return 0;
	g_object_t = PyStructSequence_NewType(&object_desc);
	g_edge_t = g_object_t ? PyStructSequence_NewType(&edge_desc) : NULL;
	g_typename_t = g_edge_t ? PyStructSequence_NewType(&typename_desc)
				: NULL;
	g_location_t = g_typename_t ? PyStructSequence_NewType(&location_desc)
				    : NULL;
	PyObject *bases = g_location_t ? PyTuple_Pack(1, &PyDict_Type) : NULL;
	g_record_t =
	    bases
		? (PyTypeObject *)PyType_FromSpecWithBases(&record_spec, bases)
		: NULL;
	Py_XDECREF(bases);
	if (g_record_t)
		return 0;
	Py_CLEAR(g_object_t);
	Py_CLEAR(g_edge_t);
	Py_CLEAR(g_typename_t);
	Py_CLEAR(g_location_t);
	return -1;
}

/* A new Record, empty. */
static PyObject *record_new(void)
{
	return PyObject_CallNoArgs((PyObject *)g_record_t);
}

/* A Record of (key, value) pairs: keys are C strings, values new
 * references (NULL: the whole call fails, every value is released). */
static PyObject *record_of(size_t n, const char *const *keys, PyObject **vals)
{
	PyObject *d = NULL;
	for (size_t i = 0; i < n; i++)
		if (!vals[i])
			goto out;
	d = record_new();
	for (size_t i = 0; d && i < n; i++)
		if (PyDict_SetItemString(d, keys[i], vals[i]) < 0)
			Py_CLEAR(d);
out:
	for (size_t i = 0; i < n; i++)
		Py_XDECREF(vals[i]);
	return d;
}

PyObject *mt_py_record_of(size_t n, const char *const *keys, PyObject **vals)
{
	return record_of(n, keys, vals);
}

/* A struct sequence of type t from n new references (NULL: fails, every
 * item is released). */
static PyObject *seq_of(PyTypeObject *t, size_t n, PyObject **items)
{
	PyObject *s = NULL;
	for (size_t i = 0; i < n; i++)
		if (!items[i])
			goto out;
	s = PyStructSequence_New(t);
	if (!s)
		goto out;
	for (size_t i = 0; i < n; i++) {
		PyStructSequence_SetItem(s, (Py_ssize_t)i, items[i]);
		items[i] = NULL;
	}
out:
	for (size_t i = 0; i < n; i++)
		Py_XDECREF(items[i]);
	return s;
}

/* (plugins, warnings) of a finished dump: the names of the plugins that
 * stayed enabled, and the warnings written into the dump. */
static PyObject *plugin_summary(const mt_dumpplugins *dp)
{
	PyObject *names = PyList_New(0), *warns = PyList_New(0);
	for (size_t i = 0; names && i < dp->nact; i++) {
		PyObject *s = dp->act[i].disabled
				  ? NULL
				  : PyUnicode_FromString(dp->act[i].p->name);
		if (s && PyList_Append(names, s) < 0)
			Py_CLEAR(names);
		Py_XDECREF(s);
	}
	for (size_t i = 0; warns && i < dp->nwarnings; i++) {
		PyObject *s =
		    PyUnicode_DecodeUTF8(dp->warnings[i],
					 (Py_ssize_t)strlen(dp->warnings[i]),
					 "replace");
		if (!s || PyList_Append(warns, s) < 0)
			Py_CLEAR(warns);
		Py_XDECREF(s);
	}
	if (!names || !warns) {
		Py_XDECREF(names);
		Py_XDECREF(warns);
		return NULL;
	}
	return Py_BuildValue("(NN)", names, warns);
}

/* memtrack.mark()'s objects (below, mark), NULL: none. */
static mt_mark *g_mark;

/* ---- background dumps (bgdump.h) -------------------------------------------
 * The child of dump(background=True): it runs no Python code.  It inherits
 * the prepared header and plugins, the mark and the disabled collector from
 * the parent, and walks with the same code as a foreground dump.
 *
 * Locks another thread may have held at the fork, and what the child does
 * about each:
 *   - glibc's malloc: fork() takes every arena lock around the fork (the
 *     child's are free); C libraries' pthread_atfork handlers run too;
 *   - obmalloc, the type cache, the GC lists, the thread list: protected by
 *     the GIL, which the forking thread holds;
 *   - tracemalloc's table lock: taken without the GIL by raw frees
 *     (PyMem_RawFree of any thread) and needed by the walk's allocations
 *     (an allowed C __sizeof__ returns an int) and by the site lookup.  The
 *     child is single-threaded, so the lock is either free for the whole
 *     walk or held forever: the child takes it once first (the probe of
 *     mt_allocsite_tracing) under a 2 s alarm; when the alarm rings, the
 *     child reports that and exits (RuntimeError from wait());
 *   - stdio: the child writes only with write(2) (walk.c's message about a
 *     bad reference, a memtrack bug, is the one fprintf). */

typedef struct {
	const char *path;
	size_t expected;
	header_buf *hb;
	mt_dumpplugins *dp;
	int sites, report;
} bg_args;

static int g_child_fd = -1;
static mt_bgdump_out g_child_out; /* a report made before it is needed */
static char g_child_line[4608];	  /* the _report line, ready to write */
static const char *g_child_path;

static void child_line(const char *reason)
{
	snprintf(g_child_line, sizeof g_child_line,
		 "memtrack: background dump to %s failed: %s\n", g_child_path,
		 reason);
}

static void child_fail_now(void)
{
	mt_bgdump_send_result(g_child_fd, &g_child_out, NULL, 0);
	if (g_child_line[0]) {
		ssize_t k = write(2, g_child_line, strlen(g_child_line));
		(void)k;
	}
	mt_bgdump_child_exit(1);
}

static void on_probe_alarm(int sig)
{
	(void)sig;
	child_fail_now();
}

/* The text after a report: plugin names, then warnings, NUL-ended. */
static char *child_text(const mt_dumpplugins *dp, mt_bgdump_out *o, size_t *len)
{
	size_t n = 0;
	for (size_t i = 0; i < dp->nact; i++)
		if (!dp->act[i].disabled)
			n += strlen(dp->act[i].p->name) + 1;
	for (size_t i = 0; i < dp->nwarnings; i++)
		n += strlen(dp->warnings[i]) + 1;
	char *t = malloc(n ? n : 1), *p = t;
	*len = 0;
	if (!t)
		return NULL;
	for (size_t i = 0; i < dp->nact; i++)
		if (!dp->act[i].disabled) {
			size_t k = strlen(dp->act[i].p->name) + 1;
			memcpy(p, dp->act[i].p->name, k);
			p += k;
			o->nplugins++;
		}
	for (size_t i = 0; i < dp->nwarnings; i++) {
		size_t k = strlen(dp->warnings[i]) + 1;
		memcpy(p, dp->warnings[i], k);
		p += k;
		o->nwarnings++;
	}
	*len = n;
	return t;
}

static void bg_child(void *arg, int fd)
{
	bg_args *a = arg;
	double t0 = now_mono();
	g_child_fd = fd;
	g_child_path = a->path;
	g_child_line[0] = '\0';
	memset(&g_child_out, 0, sizeof g_child_out);
	g_child_out.status = -1;
	snprintf(g_child_out.reason, sizeof g_child_out.reason,
		 "tracemalloc's lock was held by another thread when the "
		 "process forked (the child cannot take it); try again");
	if (a->report)
		child_line(g_child_out.reason);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_probe_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm(2);
	(void)mt_allocsite_tracing();
	alarm(0);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGALRM, &sa, NULL);

	mt_walk_result res;
	memset(&res, 0, sizeof res);
	mt_err err;
	mt_err_clear(&err);
	/* SIGINT and SIGTERM are SIG_DFL here (bgdump.c): the handlers remove
	 * the temporary file and the child dies of the signal */
	signals_install();
	mt_writer *wr = NULL;
	mt_status st = mt_writer_new(&wr, a->path, &err);
	if (st == MT_OK) {
		/* no output thread here: a thread started after fork() in a
		 * copy of a threaded program can wait forever on a lock that
		 * another thread held at the fork (ASan's allocator did), and
		 * the child's writing pauses nobody */
		mt_writer_set_thread(wr, false);
		signals_publish(mt_writer_tmp_path(wr));
		mt_bgdump_send_tmp(fd, mt_writer_tmp_path(wr));
		st = mt_walk_dump(wr, a->expected, &a->hb->h, a->dp, g_mark,
				  a->sites, &g_cancel, &res, &err);
	}
	signals_restore(); /* dies here of a signal met before the file */
	mt_bgdump_out *o = &g_child_out;
	memset(o, 0, sizeof *o);
	o->status = (int32_t)st;
	o->sys_errno = st == MT_IO ? err.sys_errno : 0;
	if (st == MT_OK) {
		struct stat sb;
		if (stat(a->path, &sb) == 0 && S_ISREG(sb.st_mode))
			res.bytes = (uint64_t)sb.st_size;
	} else {
		mt_err_format(&err, o->reason, sizeof o->reason);
		if (a->report)
			child_line(o->reason);
	}
	o->objects = res.objects;
	o->edges = res.edges;
	o->bytes = res.bytes;
	o->heap_bytes = res.heap_bytes;
	o->reachable = res.reachable;
	o->seconds = now_mono() - t0;
	size_t len = 0;
	char *text = st == MT_OK ? child_text(a->dp, o, &len) : NULL;
	if (st != MT_OK)
		child_fail_now();
	mt_bgdump_send_result(fd, o, text, len);
	mt_bgdump_child_exit(0);
}

static PyObject *mt_dump(PyObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"path",       "collect", "plugins", "sites",
				 "background", "_report", NULL};
	PyObject *pathb = NULL, *plugins = Py_None;
	int collect = 1, sites = 1, background = 0, report = 0;
	(void)self;
	if (!PyArg_ParseTupleAndKeywords(
		args, kwds, "O&|$pOppp:dump", kwlist, PyUnicode_FSConverter,
		&pathb, &collect, &plugins, &sites, &background, &report))
		return NULL;
	const char *path = PyBytes_AS_STRING(pathb);
	double t0 = now_mono();
	mt_err err;
	mt_err_clear(&err);
	const char *why = background ? mt_bgdump_refusal() : NULL;
	if (why) {
		PyErr_Format(PyExc_RuntimeError,
			     "memtrack.dump(background=True) is not possible "
			     "here: %s",
			     why);
		Py_DECREF(pathb);
		return NULL;
	}
	/* A target that will be refused fails now, before the collection
	 * (which runs finalizers) and before the walk. */
	mt_status st = mt_writer_check_target(path, &err);
	if (st != MT_OK) {
		dump_error(st, &err, path);
		Py_DECREF(pathb);
		return NULL;
	}
	/* gc.collect(), not PyGC_Collect(): the latter does nothing while the
	 * collector is disabled (gc.disable()). */
	if (collect && gc_call("collect") < 0) {
		Py_DECREF(pathb);
		return NULL;
	}
	size_t expected = allocated_blocks();
	/* the plugins before the header: a bad argument fails early */
	mt_dumpplugins dp;
	if (mt_plugins_select(plugins, &dp) < 0) {
		Py_DECREF(pathb);
		return NULL;
	}
	header_buf hb;
	if (header_fill(&hb, collect) < 0) {
		header_free(&hb);
		mt_plugins_release(&dp);
		Py_DECREF(pathb);
		return PyErr_NoMemory();
	}
	/* A signal during the preparation (Ctrl-C in a long collection) is
	 * handled before anything is written. */
	if (PyErr_CheckSignals() < 0) {
		header_free(&hb);
		mt_plugins_release(&dp);
		Py_DECREF(pathb);
		return NULL;
	}
	/* The walk may call a C __sizeof__ (walk.c, c_sizeof) that allocates;
	 * no collection may free objects while the walk holds their
	 * addresses, so the collector is off for the walk. */
	int was_enabled = gc_call("isenabled");
	if (was_enabled < 0 || gc_call("disable") < 0) {
		header_free(&hb);
		mt_plugins_release(&dp);
		Py_DECREF(pathb);
		return NULL;
	}
	if (background) {
		if (g_mark)
			hb.h.mark_time = mt_mark_time(g_mark);
		bg_args a = {.path = path,
			     .expected = expected,
			     .hb = &hb,
			     .dp = &dp,
			     .sites = sites,
			     .report = report};
		PyObject *h = mt_bgdump_start(path, report, t0, bg_child, &a);
		/* the failure's exception aside while the collector is
		 * switched back on (a Python call) */
		PyObject *et, *ev, *tb;
		PyErr_Fetch(&et, &ev, &tb);
		if (was_enabled && gc_call("enable") < 0)
			PyErr_Clear();
		PyErr_Restore(et, ev, tb);
		header_free(&hb);
		mt_plugins_release(&dp);
		Py_DECREF(pathb);
		mt_bgdump_set_pause(h, now_mono() - t0);
		return h;
	}
	mt_walk_result res;
	memset(&res, 0, sizeof res);
	/* never nested (no Python code runs during a walk), but a second
	 * installation would lose the first's saved handlers */
	bool sigs = !g_active;
	if (sigs)
		signals_install();
	mt_writer *wr = NULL;
	st = mt_writer_new(&wr, path, &err);
	if (st == MT_OK) {
		if (sigs)
			signals_publish(mt_writer_tmp_path(wr));
		if (g_mark)
			hb.h.mark_time = mt_mark_time(g_mark);
		st = mt_walk_dump(wr, expected, &hb.h, &dp, g_mark, sites,
				  sigs ? &g_cancel : NULL, &res, &err);
	}
	if (sigs)
		signals_restore();
	if (was_enabled && gc_call("enable") < 0)
		PyErr_Clear();
	header_free(&hb);
	PyObject *summary = st == MT_OK ? plugin_summary(&dp) : NULL;
	mt_plugins_release(&dp);
	if (st == MT_CANCELLED) {
		/* runs the Python handlers now: KeyboardInterrupt for
		 * Ctrl-C, or whatever the program's handler raises */
		if (PyErr_CheckSignals() == 0) {
			/* a handler that returned, or a thread that is not the
			 * main one (whose handlers run later) */
			PyObject *fn = PyUnicode_DecodeFSDefault(path);
			PyObject *a =
			    fn ? Py_BuildValue(
				     "(isO)", EINTR,
				     "memtrack.dump was interrupted by a "
				     "signal; no file was written",
				     fn)
			       : NULL;
			if (a)
				mt_py_set_oserror(a);
			Py_XDECREF(a);
			Py_XDECREF(fn);
		}
		Py_DECREF(pathb);
		return NULL;
	}
	if (st != MT_OK) {
		dump_error(st, &err, path);
		Py_DECREF(pathb);
		return NULL;
	}
	if (!summary) {
		Py_DECREF(pathb);
		return NULL;
	}
	/* the walk counted the bytes before the END record */
	struct stat sb;
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
		res.bytes = (uint64_t)sb.st_size;
	mt_proclog_dump_marker(path);
	double secs = now_mono() - t0;
	PyObject *pstr = PyUnicode_DecodeFSDefault(path);
	Py_DECREF(pathb);
	if (!pstr) {
		Py_DECREF(summary);
		return NULL;
	}
	/* `bytes` is file_bytes under its first name, kept for older
	 * scripts (doc/capture.md) */
	static const char *const keys[] = {
	    "objects",	 "edges", "file_bytes", "heap_bytes", "seconds",
	    "reachable", "path",  "plugins",	"warnings",   "bytes"};
	PyObject *vals[] = {PyLong_FromUnsignedLongLong(res.objects),
			    PyLong_FromUnsignedLongLong(res.edges),
			    PyLong_FromUnsignedLongLong(res.bytes),
			    PyLong_FromUnsignedLongLong(res.heap_bytes),
			    PyFloat_FromDouble(secs),
			    PyLong_FromUnsignedLongLong(res.reachable),
			    pstr,
			    Py_NewRef(PyTuple_GET_ITEM(summary, 0)),
			    Py_NewRef(PyTuple_GET_ITEM(summary, 1)),
			    PyLong_FromUnsignedLongLong(res.bytes)};
	Py_DECREF(summary);
	return record_of(sizeof keys / sizeof keys[0], keys, vals);
}

/* ---- mark -------------------------------------------------------------------
 * memtrack.mark(): the objects alive now, as (address, type) pairs in C
 * memory (mark.h), found by the dump's own walk writing nothing
 * (mt_walk_mark: same roots, referents and unreachable tail, the same
 * rules: no Python code runs during it).  A later dump writes which of its
 * objects the mark has (MARK record, header mark_time).  One mark per
 * process; the GIL serialises mark() and dump(). */

static PyObject *mt_mark_fn(PyObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"", "collect", NULL};
	PyObject *what = NULL;
	int collect = 1;
	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O$p:mark", kwlist, &what,
					 &collect))
		return NULL;
	if (what == Py_None) {
		mt_mark_free(g_mark);
		g_mark = NULL;
		Py_RETURN_NONE;
	}
	if (what && what != Py_True) {
		PyErr_Format(PyExc_TypeError,
			     "mark() argument must be True (mark) or None "
			     "(forget the mark), not %.100s",
			     Py_TYPE(what)->tp_name);
		return NULL;
	}
	double t0 = now_mono(), when = now_real();
	if (collect && gc_call("collect") < 0)
		return NULL;
	size_t expected = allocated_blocks();
	/* the plugins of an automatic dump: they may reach objects */
	mt_dumpplugins dp;
	if (mt_plugins_select(Py_None, &dp) < 0)
		return NULL;
	if (PyErr_CheckSignals() < 0) {
		mt_plugins_release(&dp);
		return NULL;
	}
	int was_enabled = gc_call("isenabled");
	if (was_enabled < 0 || gc_call("disable") < 0) {
		mt_plugins_release(&dp);
		return NULL;
	}
	bool sigs = !g_active;
	if (sigs)
		signals_install();
	mt_err err;
	mt_err_clear(&err);
	mt_mark *m = NULL;
	size_t walked = 0;
	mt_status st = mt_walk_mark(expected, &dp, when,
				    sigs ? &g_cancel : NULL, &m, &walked, &err);
	if (sigs)
		signals_restore();
	if (was_enabled && gc_call("enable") < 0)
		PyErr_Clear();
	mt_plugins_release(&dp);
	if (st == MT_CANCELLED) {
		/* the Python handler runs now (KeyboardInterrupt) */
		if (PyErr_CheckSignals() == 0)
			PyErr_SetString(PyExc_InterruptedError,
					"memtrack.mark was interrupted by a "
					"signal; the previous mark is kept");
		return NULL;
	}
	if (st == MT_NOMEM)
		return PyErr_Format(PyExc_MemoryError,
				    "memtrack.mark: out of memory (%s); the "
				    "previous mark is kept",
				    err.detail[0] ? err.detail : "walk");
	if (st != MT_OK)
		return PyErr_Format(PyExc_RuntimeError, "memtrack.mark: %s",
				    err.detail);
	mt_mark_free(g_mark);
	g_mark = m;
	static const char *const keys[] = {"objects", "bytes", "seconds",
					   "time"};
	PyObject *vals[] = {
	    PyLong_FromSize_t(mt_mark_count(m)),
	    PyLong_FromSize_t(mt_mark_bytes(m)),
	    PyFloat_FromDouble(now_mono() - t0),
	    PyFloat_FromDouble(mt_mark_time(m)),
	};
	(void)walked;
	return record_of(sizeof keys / sizeof keys[0], keys, vals);
}

/* ---- read ------------------------------------------------------------------
 */

static PyObject *utf8(const char *s, size_t n)
{
	return PyUnicode_DecodeUTF8(s ? s : "", (Py_ssize_t)(s ? n : 0),
				    "replace");
}

static PyObject *header_dict(const mt_header *h)
{
	PyObject *argv = PyList_New(0), *warns = PyList_New(0);
	PyObject *threads = PyList_New((Py_ssize_t)h->nthreads);
	if (!argv || !warns || !threads) {
		Py_XDECREF(argv);
		Py_XDECREF(warns);
		Py_XDECREF(threads);
		return NULL;
	}
	/* [(id, name or None)] in the interpreter's order; on failure the
	 * list stays partly NULL until record_of releases it */
	for (size_t i = 0; threads && i < h->nthreads; i++) {
		const mt_thread_name *t = &h->threads[i];
		PyObject *tt =
		    t->name ? Py_BuildValue("(KN)", (unsigned long long)t->id,
					    utf8(t->name, strlen(t->name)))
			    : Py_BuildValue("(KO)", (unsigned long long)t->id,
					    Py_None);
		if (!tt)
			Py_CLEAR(threads);
		else
			PyList_SET_ITEM(threads, (Py_ssize_t)i, tt);
	}
	for (size_t i = 0; i < h->nwarnings; i++) {
		PyObject *a = utf8(h->warnings[i], strlen(h->warnings[i]));
		if (!a || PyList_Append(warns, a) < 0) {
			Py_XDECREF(a);
			Py_DECREF(argv);
			Py_DECREF(warns);
			Py_XDECREF(threads);
			return NULL;
		}
		Py_DECREF(a);
	}
	for (size_t i = 0; i < h->argc; i++) {
		PyObject *a = utf8(h->argv[i], strlen(h->argv[i]));
		if (!a || PyList_Append(argv, a) < 0) {
			Py_XDECREF(a);
			Py_DECREF(argv);
			Py_DECREF(warns);
			Py_XDECREF(threads);
			return NULL;
		}
		Py_DECREF(a);
	}
#define S(x) utf8((x), (x) ? strlen(x) : 0)
	static const char *const keys[] = {
	    "format_version", "memtrack",   "python",	  "python_version",
	    "implementation", "build",	    "executable", "pid",
	    "argv",	      "time",	    "rss",	  "vms",
	    "ptr_size",	      "gc_header",  "collected",  "threads",
	    "warnings",	      "start_time", "boot_id",	  "mark_time"};
	PyObject *vals[] = {PyLong_FromUnsignedLong(h->format_version),
			    S(h->memtrack_version),
			    S(h->python_version),
			    Py_BuildValue("(III)", h->py_major, h->py_minor,
					  h->py_micro),
			    S(h->implementation),
			    S(h->build),
			    S(h->executable),
			    PyLong_FromUnsignedLongLong(h->pid),
			    argv,
			    PyFloat_FromDouble(h->time),
			    PyLong_FromUnsignedLongLong(h->rss),
			    PyLong_FromUnsignedLongLong(h->vms),
			    PyLong_FromUnsignedLong(h->ptr_size),
			    PyLong_FromUnsignedLong(h->gc_header),
			    PyBool_FromLong(h->collected),
			    threads,
			    warns,
			    PyFloat_FromDouble(h->start_time),
			    h->boot_id ? S(h->boot_id) : Py_NewRef(Py_None),
			    PyFloat_FromDouble(h->mark_time)};
#undef S
	return record_of(sizeof keys / sizeof keys[0], keys, vals);
}

static PyObject *edge_list(const mt_edge *e, size_t n, PyObject *names)
{
	PyObject *l = PyList_New((Py_ssize_t)n);
	if (!l)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *rn = mt_relation_name(e[i].rel);
		PyObject *label;
		if (mt_relation_label_kind(e[i].rel) == MT_LABEL_NAME &&
		    e[i].label < (uint64_t)PyList_GET_SIZE(names)) {
			label = PyList_GET_ITEM(names, (Py_ssize_t)e[i].label);
			Py_INCREF(label);
		} else {
			label = PyLong_FromUnsignedLongLong(e[i].label);
		}
		PyObject *items[] = {
		    PyUnicode_FromString(rn ? rn : "?"),
		    PyLong_FromUnsignedLong((unsigned long)e[i].target), label};
		PyObject *t = seq_of(g_edge_t, 3, items);
		if (!t) {
			Py_DECREF(l);
			return NULL;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, t);
	}
	return l;
}

static PyObject *value_obj(const mt_value *v)
{
	switch (v->kind) {
	case MT_VAL_STR:
		return utf8(v->s, v->slen);
	case MT_VAL_BYTES:
		return PyBytes_FromStringAndSize(v->s ? v->s : "",
						 (Py_ssize_t)v->slen);
	case MT_VAL_INT:
		return PyLong_FromLongLong(v->i);
	case MT_VAL_FLOAT:
		return PyFloat_FromDouble(v->d);
	case MT_VAL_BOOL:
		return PyBool_FromLong(v->i != 0);
	case MT_VAL_QUALNAME: {
		PyObject *items[] = {utf8(v->s, v->slen),
				     utf8(v->s2, v->s2len)};
		return seq_of(g_typename_t, 2, items);
	}
	case MT_VAL_CODE: {
		PyObject *items[] = {utf8(v->s, v->slen),
				     PyLong_FromLongLong(v->i),
				     utf8(v->s2, v->s2len)};
		return seq_of(g_location_t, 3, items);
	}
	default:
		Py_RETURN_NONE;
	}
}

static PyObject *object_tuple(const mt_record *rec, PyObject *names)
{
	const mt_obj *o = &rec->obj;
	PyObject *addr, *refcnt, *length;
	if (o->addr) {
		addr = PyLong_FromUnsignedLongLong(o->addr);
		refcnt = PyLong_FromUnsignedLongLong(o->refcnt);
	} else {
		addr = Py_NewRef(Py_None);
		refcnt = Py_NewRef(Py_None);
	}
	length = o->length == MT_NO_LENGTH ? Py_NewRef(Py_None)
					   : PyLong_FromLongLong(o->length);
	PyObject *items[] = {PyLong_FromUnsignedLong((unsigned long)o->type),
			     PyLong_FromUnsignedLongLong(o->size),
			     addr,
			     refcnt,
			     length,
			     value_obj(&o->value),
			     edge_list(rec->edges, rec->nedges, names)};
	return seq_of(g_object_t, 7, items);
}

static PyObject *reader_error(PyObject *path, const mt_err *err)
{
	char msg[400];
	mt_err_format(err, msg, sizeof(msg));
	PyErr_Format(PyExc_ValueError, "%S: %s", path, msg);
	return NULL;
}

/* OSError(EISDIR or EINVAL, "... not a dump: a FIFO", path). */
static void not_regular(mode_t m, PyObject *path)
{
	const char *kind = S_ISDIR(m)	 ? "a directory"
			   : S_ISCHR(m)	 ? "a character device"
			   : S_ISBLK(m)	 ? "a block device"
			   : S_ISFIFO(m) ? "a FIFO"
			   : S_ISSOCK(m) ? "a socket"
					 : "not a regular file";
	PyObject *text =
	    PyUnicode_FromFormat("memtrack.read: not a dump file but %s", kind);
	PyObject *a = text
			  ? Py_BuildValue("(iOO)", S_ISDIR(m) ? EISDIR : EINVAL,
					  text, path)
			  : NULL;
	if (a)
		mt_py_set_oserror(a);
	Py_XDECREF(a);
	Py_XDECREF(text);
}

static PyObject *mt_read(PyObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"path", NULL};
	PyObject *pathb = NULL, *pathstr = NULL;
	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O&:read", kwlist,
					 PyUnicode_FSConverter, &pathb))
		return NULL;
	pathstr = PyUnicode_DecodeFSDefault(PyBytes_AS_STRING(pathb));
	PyObject *result = NULL, *names = NULL, *roots = NULL, *objects = NULL;
	mt_reader *r = NULL;
	void *map = NULL;
	size_t len = 0;
	if (!pathstr)
		goto err;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; only a
	 * regular file is read */
	int fd =
	    open(PyBytes_AS_STRING(pathb), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, pathstr);
		goto err;
	}
	struct stat stbuf;
	if (fstat(fd, &stbuf) < 0) {
		PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, pathstr);
		close(fd);
		goto err;
	}
	if (!S_ISREG(stbuf.st_mode)) {
		not_regular(stbuf.st_mode, pathstr);
		close(fd);
		goto err;
	}
	/* Read, not mmap: a file truncated meanwhile (someone rewriting it
	 * in place) would kill the process with SIGBUS on a mapping; here
	 * it just reads short and the reader says where it ends. */
	len = (size_t)stbuf.st_size;
	map = malloc(len ? len : 1);
	if (!map) {
		PyErr_NoMemory();
		close(fd);
		goto err;
	}
	size_t got = 0;
	while (got < len) {
		ssize_t k;
		Py_BEGIN_ALLOW_THREADS k =
		    read(fd, (char *)map + got, len - got);
		Py_END_ALLOW_THREADS if (k < 0 && errno == EINTR)
		{
			if (PyErr_CheckSignals() < 0) { /* PEP 475 */
				close(fd);
				goto err;
			}
			continue;
		}
		if (k < 0) {
			PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError,
							     pathstr);
			close(fd);
			goto err;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	len = got;
	close(fd);
	mt_err err;
	mt_err_clear(&err);
	if (mt_reader_new(&r, map, len, &err) != MT_OK) {
		reader_error(pathstr, &err);
		goto err;
	}
	names = PyList_New(0);
	roots = PyList_New(0);
	objects = PyList_New(0);
	if (!names || !roots || !objects)
		goto err;
	for (;;) {
		mt_record rec;
		mt_status st = mt_reader_next(r, &rec, &err);
		if (st == MT_END)
			break;
		if (st != MT_OK) {
			reader_error(pathstr, &err);
			goto err;
		}
		if (rec.kind == MT_RECORD_NAME) {
			PyObject *s = utf8(rec.name, rec.name_len);
			if (!s || PyList_Append(names, s) < 0) {
				Py_XDECREF(s);
				goto err;
			}
			Py_DECREF(s);
		} else if (rec.kind == MT_RECORD_ROOTS) {
			Py_DECREF(roots);
			roots = edge_list(rec.edges, rec.nedges, names);
			if (!roots)
				goto err;
		} else {
			PyObject *t = object_tuple(&rec, names);
			if (!t || PyList_Append(objects, t) < 0) {
				Py_XDECREF(t);
				goto err;
			}
			Py_DECREF(t);
		}
	}
	const mt_trailer *tr = mt_reader_trailer(r);
	const uint8_t *mbits;
	uint64_t mnbits;
	PyObject *marked =
	    mt_reader_mark(r, &mbits, &mnbits)
		? PyBytes_FromStringAndSize((const char *)mbits,
					    (Py_ssize_t)((mnbits + 7) / 8))
		: Py_NewRef(Py_None);
	static const char *const keys[] = {"header",  "names",	   "roots",
					   "objects", "reachable", "marked"};
	PyObject *vals[] = {
	    header_dict(mt_reader_header(r)),		names, roots, objects,
	    PyLong_FromUnsignedLongLong(tr->reachable), marked};
	names = roots = objects = NULL; /* record_of releases them */
	result = record_of(6, keys, vals);
err:
	Py_XDECREF(names);
	Py_XDECREF(roots);
	Py_XDECREF(objects);
	if (r)
		mt_reader_free(r);
	free(map);
	Py_XDECREF(pathb);
	Py_XDECREF(pathstr);
	return result;
}

static PyObject *mt_plugins(PyObject *self, PyObject *noargs)
{
	(void)self;
	(void)noargs;
	return mt_plugins_list();
}

/* The docstrings start with the text signature (`name($module, ...)` and
 * `--`), which inspect.signature() and help() read. */
static PyMethodDef methods[] = {
    {"dump", (PyCFunction)(void (*)(void))mt_dump, METH_VARARGS | METH_KEYWORDS,
     "dump($module, /, path, *, collect=True, plugins=None, sites=True,\n"
     "     background=False)\n"
     "--\n\n"
     "Write the whole object graph of this process to path (a memtrack\n"
     "dump, doc/format.md), through a private temporary file renamed at\n"
     "the end: an error, Ctrl-C or SIGTERM never leaves a partial file.\n\n"
     "collect: run gc.collect() first.\n"
     "plugins: None = every bundled capture plugin whose module is\n"
     "imported; else a list of plugin names and shared-object paths\n"
     "([] = none).\n"
     "sites: when tracemalloc traces, record each object's allocation\n"
     "site (its SITES record: memtrack-tui's byprod).\n\n"
     "Returns a Record (a dict whose keys are also attributes):\n"
     "  objects     number of objects written\n"
     "  edges       number of references written (roots included)\n"
     "  file_bytes  size of the dump file\n"
     "  heap_bytes  total size of the objects written (what memtrack-tui\n"
     "              shows as the whole heap's Total size)\n"
     "  seconds     wall time of the call, collection included\n"
     "  reachable   objects reachable from the roots\n"
     "  path        the path written, as a str\n"
     "  plugins     names of the capture plugins used\n"
     "  warnings    the dump's warnings, as str\n"
     "  bytes       the same as file_bytes (its former name)\n"
     "Raises OSError (a refused or unwritable target), MemoryError or\n"
     "RuntimeError.\n\n"
     "background: prepare here (collection, plugins, header), then walk\n"
     "and write in a forked child while the program goes on; returns a\n"
     "BackgroundDump at once (pid, path, pause, done(), wait(timeout)):\n"
     "its wait() returns the Record above (seconds: the child's walk;\n"
     "pause: this call's time) or raises the child's failure.  Refused\n"
     "(RuntimeError) in a subinterpreter or a free-threaded build; a\n"
     "failed fork() raises OSError.  doc/capture.md, Background dumps."},
    {"mark", (PyCFunction)(void (*)(void))mt_mark_fn,
     METH_VARARGS | METH_KEYWORDS,
     "mark($module, what=True, /, *, collect=True)\n--\n\n"
     "Remember which objects are alive now (heapy's setrelheap): the\n"
     "address and type of every object a dump would write, kept in C\n"
     "memory (about 9 bytes per object; no Python object is created or\n"
     "kept).  Every later dump() records which of its objects existed at\n"
     "the mark (same address, same type: its MARK record) and the mark's\n"
     "time (header mark_time); memtrack-tui then opens on the objects new\n"
     "since the mark.  A second mark() replaces the first; mark(None)\n"
     "forgets it (what: True to mark, None to forget).  No Python code runs "
     "while it walks (the rules of\n"
     "dump(), doc/capture.md).\n\n"
     "collect: run gc.collect() first.\n\n"
     "Returns a Record: objects (marked), bytes (C memory the mark\n"
     "holds), seconds (wall time of the call), time (the mark's time,\n"
     "seconds since the epoch); mark(None) returns None.  Raises\n"
     "MemoryError (the previous mark is kept) or KeyboardInterrupt."},
    {"plugins", mt_plugins, METH_NOARGS,
     "plugins($module, /)\n--\n\n"
     "The capture plugins this memtrack knows: one dict per plugin with\n"
     "'name', 'module', 'description', 'origin' ('bundled' or the path it\n"
     "was loaded from) and 'active' (an automatic dump now would use it:\n"
     "a bundled plugin whose module is in sys.modules)."},
    {"read", (PyCFunction)(void (*)(void))mt_read, METH_VARARGS | METH_KEYWORDS,
     "read($module, /, path)\n--\n\n"
     "Decode the dump at path into a Record (a dict whose keys are also\n"
     "attributes):\n"
     "  header     a Record: format_version, memtrack, python,\n"
     "             python_version, implementation, build, executable, pid,\n"
     "             argv, time, rss, vms, ptr_size, gc_header, collected,\n"
     "             threads ([(id, name or None)]), warnings,\n"
     "             start_time, boot_id (None when unknown), mark_time\n"
     "             (memtrack.mark()'s time, 0.0 without a mark)\n"
     "  marked     None, or for a dump taken with a mark set a bytes\n"
     "             bitmap: object i existed at the mark when bit i % 8\n"
     "             of marked[i // 8] is set\n"
     "             (doc/format.md, Header map)\n"
     "  names      the name table (list of str)\n"
     "  roots      the ROOTS edges (list of Edge)\n"
     "  objects    list of Object(type, size, addr, refcnt, length, value,\n"
     "             edges), indexed by object id; edges is a list of\n"
     "             Edge(rel, target, label); a type's value is a\n"
     "             TypeName(module, qualname), a code object's or a\n"
     "             frame's a Location(filename, line, name)\n"
     "  reachable  number of objects reachable from the roots (ids below)\n"
     "Object, Edge, TypeName and Location are named tuples: o.size is\n"
     "o[1].  See doc/capture.md, read().  Raises ValueError on a bad dump\n"
     "(with the byte offset), OSError on a file that cannot be read."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moddef = {
    PyModuleDef_HEAD_INIT,
    "memtrack._memtrack",
    "memtrack: capture the Python heap into a dump file.\n\n"
    "dump(path) writes this process's whole object graph to a file that\n"
    "memtrack-tui browses and queries; mark() remembers the objects alive\n"
    "now, so that later dumps say which objects are new since (mark(None)\n"
    "forgets); read(path) decodes a dump into Python data; plugins() lists\n"
    "the capture plugins.  __version__ is the memtrack version, layout\n"
    "the interpreter layout the module reads.",
    -1,
    methods,
    NULL,
    NULL,
    NULL,
    NULL};

#endif /* !MT_FREE_THREADED */

PyMODINIT_FUNC PyInit__memtrack(void);
PyMODINIT_FUNC PyInit__memtrack(void)
{
	/* Never misread a heap: an interpreter whose layout this build does
	 * not know (another version, a free-threaded build, a patch release
	 * that moved a field) is refused with a one-line reason. */
	const char *why = mt_py_refusal();
	if (why) {
		PyErr_SetString(PyExc_ImportError, why);
		return NULL;
	}
#if MT_FREE_THREADED
	/* not reached: mt_py_refusal refuses what this build cannot walk */
	PyErr_SetString(PyExc_ImportError,
			"memtrack does not know this interpreter's layout");
	return NULL;
#else
	if (mt_walk_init_module() < 0 || named_types_init() < 0)
		return NULL;
	PyObject *m = PyModule_Create(&moddef);
	if (!m)
		return NULL;
	if (PyModule_AddStringConstant(m, "__version__", PACKAGE_VERSION) < 0 ||
	    PyModule_AddStringConstant(m, "layout", mt_py_layout()) < 0 ||
	    PyModule_AddObject(m, "Object", Py_NewRef((PyObject *)g_object_t)) <
		0 ||
	    PyModule_AddObject(m, "Edge", Py_NewRef((PyObject *)g_edge_t)) <
		0 ||
	    PyModule_AddObject(m, "TypeName",
			       Py_NewRef((PyObject *)g_typename_t)) < 0 ||
	    PyModule_AddObject(m, "Location",
			       Py_NewRef((PyObject *)g_location_t)) < 0 ||
	    PyModule_AddObject(m, "Record", Py_NewRef((PyObject *)g_record_t)) <
		0 ||
	    mt_tracker_init_module(m) < 0 || mt_proclog_init_module(m) < 0 ||
	    mt_report_init_module(m) < 0 || mt_bgdump_init_module(m) < 0 ||
	    mt_trigger_init_module(m) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
#endif
}
