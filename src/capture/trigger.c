/* Dumps that the program does not call for itself: on a signal
 * (dump_on_signal), when the resident set first crosses a bound (dump_when),
 * and the file names they make (_dump_name).  doc/capture.md, "Dumps on a
 * signal, a memory bound, or at exit".
 *
 * Both triggers dump at a safe point of the interpreter: the main thread,
 * holding the GIL, where Python code may run (a signal handler's call, a
 * pending call of the eval loop), never inside a signal handler of C.
 * They call the module's own dump builtin (found at init: calling it runs
 * no Python-level code) with collect=False (a trigger must not run the
 * program's finalizers at an odd moment) and, for a background dump,
 * _report=True (the child reports its own failure on fd 2).  A failure
 * never raises into the program: one line on fd 2, kept for
 * trigger_errors().  At most one background dump of the triggers runs at
 * a time (g_bg): a signal meanwhile is skipped (one line), an RSS trigger
 * waits for it.
 *
 * File names follow Node's heapsnapshot convention:
 * DIRECTORY/PROG.PID.YYYYMMDD-HHMMSS.SEQ.mp (local time; SEQ from one
 * process-wide counter, the first number whose file does not exist yet,
 * never reused in one process).  The GIL protects every global here but
 * the watchers' own fields, which their mutex does.
 */
#include "config.h"

#include "modhooks.h"

#include <pythread.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *tr_newref(PyObject *o)
{
	Py_INCREF(o);
	return o;
}
#define Py_NewRef tr_newref
#endif

/* ---- file names ---------------------------------------------------------- */

#define PROG_MAX 64

static unsigned g_seq; /* the last sequence number given (GIL) */

/* The program's name for file names, from prog (a str) or, when prog is
 * NULL or None, sys.argv[0]: its basename without ".py", "python" when that
 * is empty or an interpreter option ("-c", "-m"), every character outside
 * [A-Za-z0-9_.-] replaced by '_', at most PROG_MAX characters.  out holds
 * PROG_MAX + 1 bytes.  0, or -1 with an exception (prog not a str). */
static int prog_name(PyObject *prog, char *out)
{
	if (!prog || prog == Py_None) {
		PyObject *argv = PySys_GetObject("argv"); /* borrowed */
		prog = NULL;
		if (argv && PyList_Check(argv) && PyList_GET_SIZE(argv) > 0 &&
		    PyUnicode_Check(PyList_GET_ITEM(argv, 0)))
			prog = PyList_GET_ITEM(argv, 0);
	} else if (!PyUnicode_Check(prog)) {
		PyErr_Format(PyExc_TypeError,
			     "_dump_name: prog must be a str or None, not "
			     "%.100s",
			     Py_TYPE(prog)->tp_name);
		return -1;
	}
	Py_ssize_t n = prog ? PyUnicode_GET_LENGTH(prog) : 0;
	Py_ssize_t start = 0, end = n;
	for (Py_ssize_t i = 0; i < n; i++)
		if (PyUnicode_READ_CHAR(prog, i) == '/')
			start = i + 1;
	if (end - start > 3 && PyUnicode_READ_CHAR(prog, end - 3) == '.' &&
	    PyUnicode_READ_CHAR(prog, end - 2) == 'p' &&
	    PyUnicode_READ_CHAR(prog, end - 1) == 'y')
		end -= 3;
	size_t k = 0;
	for (Py_ssize_t i = start; i < end && k < PROG_MAX; i++) {
		Py_UCS4 c = PyUnicode_READ_CHAR(prog, i);
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '.' ||
			  c == '-';
		out[k++] = ok ? (char)c : '_';
	}
	out[k] = '\0';
	if (k == 0 || !strcmp(out, "-c") || !strcmp(out, "-m"))
		strcpy(out, "python");
	return 0;
}

/* Writes DIR/PROG.PID.YYYYMMDD-HHMMSS.SEQ.mp into out (cap bytes), taking
 * the next free sequence number.  dir may be "" (no directory part).
 * 0, or -1 with an exception. */
static int make_name(const char *dir, const char *prog, long pid, time_t when,
		     char *out, size_t cap)
{
	struct tm tm;
	if (!localtime_r(&when, &tm)) {
		PyErr_SetString(PyExc_OverflowError,
				"_dump_name: time out of range");
		return -1;
	}
	size_t dl = strlen(dir);
	const char *sep = dl && dir[dl - 1] != '/' ? "/" : "";
	for (;;) {
		if (g_seq == UINT_MAX) {
			PyErr_SetString(PyExc_OverflowError,
					"_dump_name: no sequence number left");
			return -1;
		}
		unsigned seq = ++g_seq;
		int n = snprintf(out, cap,
				 "%s%s%s.%ld.%04d%02d%02d-%02d%02d%02d.%03u.mp",
				 dir, sep, prog, pid, tm.tm_year + 1900,
				 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
				 tm.tm_min, tm.tm_sec, seq);
		if (n < 0 || (size_t)n >= cap) {
			PyErr_SetString(PyExc_ValueError,
					"_dump_name: directory name too long");
			return -1;
		}
		struct stat st;
		/* taken: the next number; any other answer (ENOENT, or a
		 * directory that cannot be searched) ends the search, and
		 * the dump reports what is wrong */
		if (lstat(out, &st) != 0)
			return 0;
	}
}

/* _dump_name(directory, prog=None, pid=None, when=None) -> str */
static PyObject *py_dump_name(PyObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"directory", "prog", "pid", "when", NULL};
	PyObject *dirb = NULL, *prog = Py_None, *pidobj = Py_None,
		 *whenobj = Py_None;
	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O&|OOO:_dump_name",
					 kwlist, PyUnicode_FSConverter, &dirb,
					 &prog, &pidobj, &whenobj))
		return NULL;
	PyObject *result = NULL;
	char name[PROG_MAX + 1];
	long pid = (long)getpid();
	time_t when = time(NULL);
	if (prog_name(prog, name) < 0)
		goto out;
	if (pidobj != Py_None) {
		pid = PyLong_AsLong(pidobj);
		if (pid == -1 && PyErr_Occurred())
			goto out;
		if (pid <= 0) {
			PyErr_Format(PyExc_ValueError,
				     "_dump_name: bad pid %ld", pid);
			goto out;
		}
	}
	if (whenobj != Py_None) {
		double w = PyFloat_AsDouble(whenobj);
		if (w == -1 && PyErr_Occurred())
			goto out;
		if (!(w >= 0 && w < 1e15)) {
			PyErr_SetString(PyExc_ValueError,
					"_dump_name: when must be seconds "
					"since the epoch");
			goto out;
		}
		when = (time_t)w;
	}
	char path[PATH_MAX];
	if (make_name(PyBytes_AS_STRING(dirb), name, pid, when, path,
		      sizeof path) < 0)
		goto out;
	result = PyUnicode_DecodeFSDefault(path);
out:
	Py_DECREF(dirb);
	return result;
}

/* ---- calling dump -------------------------------------------------------- */

#define ERRORS_MAX 32

static PyObject *g_dump;   /* the module's dump builtin */
static PyObject *g_bg;	   /* our last background dump's handle, or NULL */
static bool g_busy;	   /* a trigger's dump() call is running */
static PyObject *g_errors; /* list of str: the last ERRORS_MAX lines */

/* "memtrack: " + text + "\n" on fd 2 at once (not through sys.stderr,
 * which may be a Python object), and kept for trigger_errors().  Called
 * with no exception set; leaves none. */
static void report_line(PyObject *text)
{
	PyObject *line = PyUnicode_FromFormat("memtrack: %U", text);
	PyObject *b =
	    line ? PyUnicode_AsEncodedString(line, "utf-8", "backslashreplace")
		 : NULL;
	if (b) {
		const char *p = PyBytes_AS_STRING(b);
		size_t n = (size_t)PyBytes_GET_SIZE(b);
		char *buf = malloc(n + 1);
		if (buf) {
			memcpy(buf, p, n);
			buf[n++] = '\n';
			size_t off = 0;
			while (off < n) {
				ssize_t k = write(2, buf + off, n - off);
				if (k < 0 && errno == EINTR)
					continue;
				if (k <= 0)
					break;
				off += (size_t)k;
			}
			free(buf);
		}
	}
	if (line && g_errors && PyList_Append(g_errors, line) == 0 &&
	    PyList_GET_SIZE(g_errors) > ERRORS_MAX)
		PyList_SetSlice(g_errors, 0, 1, NULL);
	Py_XDECREF(b);
	Py_XDECREF(line);
	PyErr_Clear();
}

/* Our last background dump is still running (its handle's done() is
 * false, a C method that never blocks).  Forgets a finished one. */
static bool bg_running(void)
{
	if (!g_bg)
		return false;
	PyObject *r = PyObject_CallMethod(g_bg, "done", NULL);
	int done = r ? PyObject_IsTrue(r) : 1;
	Py_XDECREF(r);
	PyErr_Clear();
	if (done)
		Py_CLEAR(g_bg);
	return !done;
}

typedef struct {
	PyObject *path;	  /* the file name (str), or NULL */
	PyObject *result; /* dump()'s return value, or NULL */
	PyObject *error;  /* the line reported, or NULL */
} dump_out;

static void dump_out_clear(dump_out *o)
{
	Py_CLEAR(o->path);
	Py_CLEAR(o->result);
	Py_CLEAR(o->error);
}

/* The trigger `what` (a signal's name, "RSS above N bytes") dumps into
 * dir: dump(NAME, collect=False), with background=True, _report=True for
 * a background dump (the child reports its own failure on fd 2).  Returns
 * 0 when the dump was made or failed (a failure is reported: one line,
 * o->error), 1 when skipped because our background dump is still running
 * (reported when report_skip), or -1 with an exception that belongs to the
 * program: a BaseException that is not an Exception (KeyboardInterrupt,
 * SystemExit) raised by its own signal handlers while dump() checked for
 * signals.  o is filled with new references. */
static int trigger_dump(const char *what, PyObject *dirb, bool background,
			bool report_skip, dump_out *o)
{
	memset(o, 0, sizeof *o);
	if (background && bg_running()) {
		if (!report_skip)
			return 1;
		PyObject *p = PyObject_GetAttrString(g_bg, "path");
		PyObject *pid = p ? PyObject_GetAttrString(g_bg, "pid") : NULL;
		if (pid)
			o->error = PyUnicode_FromFormat(
			    "dump on %s skipped: the background dump to %S "
			    "(pid %S) is still running",
			    what, p, pid);
		Py_XDECREF(p);
		Py_XDECREF(pid);
		if (!o->error) {
			PyErr_Clear();
			o->error = PyUnicode_FromFormat(
			    "dump on %s skipped: the background dump is "
			    "still running",
			    what);
		}
		if (o->error)
			report_line(o->error);
		PyErr_Clear();
		return 1;
	}
	char prog[PROG_MAX + 1], name[PATH_MAX];
	PyObject *args = NULL, *kw = NULL;
	if (prog_name(NULL, prog) < 0 ||
	    make_name(PyBytes_AS_STRING(dirb), prog, (long)getpid(), time(NULL),
		      name, sizeof name) < 0)
		goto fail;
	o->path = PyUnicode_DecodeFSDefault(name);
	args = o->path ? PyTuple_Pack(1, o->path) : NULL;
	kw = args ? Py_BuildValue("{s:O}", "collect", Py_False) : NULL;
	if (!kw)
		goto fail;
	if (background &&
	    (PyDict_SetItemString(kw, "background", Py_True) < 0 ||
	     PyDict_SetItemString(kw, "_report", Py_True) < 0))
		goto fail;
	g_busy = true;
	o->result = PyObject_Call(g_dump, args, kw);
	g_busy = false;
	if (!o->result)
		goto fail;
	if (background)
		Py_XSETREF(g_bg, Py_NewRef(o->result));
	Py_DECREF(args);
	Py_DECREF(kw);
	return 0;
fail:
	Py_XDECREF(args);
	Py_XDECREF(kw);
	if (!PyErr_ExceptionMatches(PyExc_Exception))
		return -1;
	PyObject *et, *ev, *tb;
	PyErr_Fetch(&et, &ev, &tb);
	PyErr_NormalizeException(&et, &ev, &tb);
	PyObject *why = ev ? PyObject_Str(ev) : NULL;
	if (why)
		o->error =
		    PyUnicode_FromFormat("dump on %s failed: %U", what, why);
	else {
		PyErr_Clear();
		o->error = PyUnicode_FromFormat(
		    "dump on %s failed: %s", what,
		    et ? ((PyTypeObject *)et)->tp_name : "?");
	}
	Py_XDECREF(why);
	Py_XDECREF(et);
	Py_XDECREF(ev);
	Py_XDECREF(tb);
	if (o->error)
		report_line(o->error);
	PyErr_Clear();
	return 0;
}

/* ---- checks at installation ---------------------------------------------- */

/* OSError(e, "memtrack.WHO: cannot write dumps into this directory: "
 * strerror, dirobj) of the subclass e names. */
static void dir_error(int e, const char *who, PyObject *dirobj)
{
	PyObject *a = Py_BuildValue(
	    "(iNO)", e,
	    PyUnicode_FromFormat("memtrack.%s: cannot write dumps into "
				 "this directory: %s",
				 who, strerror(e)),
	    dirobj);
	if (a)
		mt_py_set_oserror(a);
	Py_XDECREF(a);
}

/* The directory dumps go to, made absolute now (the program may change
 * its working directory later) and checked: it exists, is a directory and
 * this process may create files in it.  A new bytes, or NULL with an
 * exception. */
static PyObject *checked_dir(PyObject *dirobj, const char *who)
{
	PyObject *b = NULL, *dflt = NULL, *res = NULL;
	if (!dirobj)
		dirobj = dflt = PyUnicode_FromString(".");
	if (!dirobj || !PyUnicode_FSConverter(dirobj, &b))
		goto out;
	const char *d = PyBytes_AS_STRING(b);
	char abs[PATH_MAX];
	if (d[0] == '/') {
		if (strlen(d) >= sizeof abs) {
			dir_error(ENAMETOOLONG, who, dirobj);
			goto out;
		}
		strcpy(abs, d);
	} else {
		if (!getcwd(abs, sizeof abs)) {
			dir_error(errno, who, dirobj);
			goto out;
		}
		if (strcmp(d, ".") && strcmp(d, "")) {
			size_t n = strlen(abs);
			int k = snprintf(abs + n, sizeof abs - n, "%s%s",
					 n && abs[n - 1] == '/' ? "" : "/", d);
			if (k < 0 || (size_t)k >= sizeof abs - n) {
				dir_error(ENAMETOOLONG, who, dirobj);
				goto out;
			}
		}
	}
	struct stat st;
	if (stat(abs, &st) != 0) {
		dir_error(errno, who, dirobj);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		dir_error(ENOTDIR, who, dirobj);
		goto out;
	}
	if (access(abs, W_OK | X_OK) != 0) {
		dir_error(errno, who, dirobj);
		goto out;
	}
	res = PyBytes_FromString(abs);
out:
	Py_XDECREF(b);
	Py_XDECREF(dflt);
	return res;
}

/* 0 in the main thread of the main interpreter (where Python runs signal
 * handlers), else -1 with ValueError. */
static int need_main_thread(const char *who)
{
	int ok = PyInterpreterState_Get() == PyInterpreterState_Main();
	if (ok) {
		PyObject *th = PyImport_ImportModule("threading");
		PyObject *mt = th ? PyObject_CallMethod(th, "main_thread", NULL)
				  : NULL;
		PyObject *id = mt ? PyObject_GetAttrString(mt, "ident") : NULL;
		Py_XDECREF(th);
		Py_XDECREF(mt);
		if (!id)
			return -1;
		unsigned long v = PyLong_AsUnsignedLong(id);
		Py_DECREF(id);
		if (v == (unsigned long)-1 && PyErr_Occurred())
			return -1;
		ok = v == PyThread_get_thread_ident();
	}
	if (!ok) {
		PyErr_Format(PyExc_ValueError,
			     "memtrack.%s must be called from the main thread "
			     "of the main interpreter: Python runs signal "
			     "handlers only there",
			     who);
		return -1;
	}
	return 0;
}

/* ---- dump_on_signal ------------------------------------------------------ */

/* One signal trigger per process (the GIL protects all this).  The handler
 * is g_handler, a C builtin given to signal.signal(): Python's own C
 * handler only notes the signal, and the eval loop of the main thread
 * calls ours at its next check (between bytecodes, or in a blocking call
 * that checks for signals, such as time.sleep). */
static int g_sig;	     /* the signal, 0 when none */
static char g_signame[32];   /* "SIGUSR2" */
static PyObject *g_sig_dirb; /* the directory (absolute, bytes) */
static bool g_sig_bg;
static PyObject *g_sig_prev; /* the handler ours replaced */
static PyObject *g_handler;  /* our handler */
static bool g_again;	     /* a signal came during our own dump */

static PyObject *py_signal_handler(PyObject *self, PyObject *args)
{
	(void)self;
	(void)args;
	if (!g_sig)
		Py_RETURN_NONE;
	if (g_busy) {
		/* dump() checks for signals while it prepares: this is that
		 * check, inside our dump; one more dump after it */
		g_again = true;
		Py_RETURN_NONE;
	}
	do {
		g_again = false;
		/* the settings may change meanwhile (a Python handler that
		 * dump() runs may call dump_on_signal) */
		char what[sizeof g_signame];
		memcpy(what, g_signame, sizeof what);
		PyObject *dirb = Py_NewRef(g_sig_dirb);
		dump_out o;
		int rc = trigger_dump(what, dirb, g_sig_bg, true, &o);
		dump_out_clear(&o);
		Py_DECREF(dirb);
		if (rc < 0)
			return NULL;
	} while (g_again && g_sig);
	Py_RETURN_NONE;
}

static PyMethodDef g_handler_def = {
    "_signal_dump", py_signal_handler, METH_VARARGS,
    "_signal_dump(signum, frame, /)\n--\n\n"
    "memtrack.dump_on_signal's handler: a dump into its directory."};

/* signal.signal(sig, handler); a new reference to the previous one. */
static PyObject *set_handler(int sig, PyObject *handler)
{
	PyObject *mod = PyImport_ImportModule("signal");
	PyObject *r =
	    mod ? PyObject_CallMethod(mod, "signal", "iO", sig, handler) : NULL;
	Py_XDECREF(mod);
	return r;
}

/* Puts back the handler ours replaced on g_sig, unless the program has
 * replaced ours meanwhile.  0 or -1 with an exception. */
static int restore_handler(void)
{
	if (!g_sig)
		return 0;
	PyObject *mod = PyImport_ImportModule("signal");
	PyObject *cur = mod ? PyObject_CallMethod(mod, "getsignal", "i", g_sig)
			    : NULL;
	int rc = -1;
	if (cur) {
		rc = 0;
		if (cur == g_handler) {
			PyObject *prev =
			    g_sig_prev ? g_sig_prev
				       : PyObject_GetAttrString(mod, "SIG_DFL");
			PyObject *r = prev ? PyObject_CallMethod(mod, "signal",
								 "iO", g_sig,
								 prev)
					   : NULL;
			if (!g_sig_prev)
				Py_XDECREF(prev);
			rc = r ? 0 : -1;
			Py_XDECREF(r);
		}
	}
	Py_XDECREF(cur);
	Py_XDECREF(mod);
	if (rc == 0) {
		g_sig = 0;
		Py_CLEAR(g_sig_prev);
		Py_CLEAR(g_sig_dirb);
	}
	return rc;
}

static PyObject *py_dump_on_signal(PyObject *self, PyObject *args,
				   PyObject *kwds)
{
	static char *kwlist[] = {"signum", "directory", "background", NULL};
	PyObject *sigobj = NULL, *dirobj = NULL;
	int bg = 1;
	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOp:dump_on_signal",
					 kwlist, &sigobj, &dirobj, &bg))
		return NULL;
	if (need_main_thread("dump_on_signal") < 0)
		return NULL;
	if (sigobj == Py_None) {
		if (restore_handler() < 0)
			return NULL;
		Py_RETURN_NONE;
	}
	int sig = SIGUSR2;
	if (sigobj) {
		long v = PyLong_AsLong(sigobj);
		if (v == -1 && PyErr_Occurred())
			return NULL;
		if (v <= 0 || v >= NSIG) {
			PyErr_Format(PyExc_ValueError,
				     "memtrack.dump_on_signal: signal number "
				     "out of range: %ld",
				     v);
			return NULL;
		}
		sig = (int)v;
	}
	PyObject *dirb = checked_dir(dirobj, "dump_on_signal");
	if (!dirb)
		return NULL;
	char name[sizeof g_signame];
	snprintf(name, sizeof name, "signal %d", sig);
	PyObject *mod = PyImport_ImportModule("signal");
	PyObject *e = mod ? PyObject_CallMethod(mod, "Signals", "i", sig)
			  : NULL;
	PyObject *en = e ? PyObject_GetAttrString(e, "name") : NULL;
	const char *s = en && PyUnicode_Check(en) ? PyUnicode_AsUTF8(en) : NULL;
	if (s)
		snprintf(name, sizeof name, "%s", s);
	Py_XDECREF(en);
	Py_XDECREF(e);
	Py_XDECREF(mod);
	PyErr_Clear();
	PyObject *prev = set_handler(sig, g_handler);
	if (!prev) {
		Py_DECREF(dirb);
		return NULL;
	}
	if (g_sig && g_sig != sig) {
		/* the new one is in place: put the old signal's back */
		if (restore_handler() < 0) {
			Py_DECREF(prev);
			Py_DECREF(dirb);
			return NULL;
		}
	}
	if (prev == g_handler && g_sig == sig)
		Py_DECREF(prev); /* the same signal again: keep its first */
	else if (prev == g_handler) {
		Py_DECREF(prev); /* ours was left there: the default after */
		Py_CLEAR(g_sig_prev);
	} else
		Py_XSETREF(g_sig_prev, prev);
	g_sig = sig;
	memcpy(g_signame, name, sizeof g_signame);
	Py_XSETREF(g_sig_dirb, dirb);
	g_sig_bg = bg != 0;
	Py_RETURN_NONE;
}

static PyObject *py_trigger_errors(PyObject *self, PyObject *noargs)
{
	(void)self;
	(void)noargs;
	return PyList_GetSlice(g_errors, 0, PyList_GET_SIZE(g_errors));
}

/* ---- dump_when: the RSS bound -------------------------------------------- */

/* A watcher: a thread (all signals blocked, never the GIL, never Python)
 * reads /proc/self/statm every interval; the first time the resident set
 * is above the bound it asks the main thread, through Py_AddPendingCall,
 * to run rt_pending at its next check of the eval loop, which dumps.
 * Phases (mu): WATCH -> ASK (the thread queues a call: ASKED) -> the call
 * dumps (DONE) or finds a dump of ours still running (ASK again one
 * interval later).  The state is freed when its last owner lets go: the
 * RssTrigger object and a queued call each own a reference (refs, mu);
 * both let go under the GIL.  The thread is joined by cancel(), by the
 * object's deallocation and at exit (atexit), always under the GIL. */
enum { RT_WATCH, RT_ASK, RT_ASKED, RT_DONE };

typedef struct rt_state rt_state;
struct rt_state {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool started; /* created, not joined (GIL) */
	bool stop;    /* mu: cancelled */
	int phase;    /* mu */
	bool fired;   /* mu: the resident set went above the bound */
	uint64_t rss; /* mu: that resident set, bytes */
	int refs;     /* mu */
	pid_t owner;  /* the process that runs the thread */
	int fd;	      /* /proc/self/statm */
	uint64_t bound;
	int64_t interval_ns;
	bool bg;
	char what[64];
	/* the GIL: */
	PyObject *dirb, *path, *result, *error;
	rt_state *next, *prev; /* g_watchers */
};

static rt_state *g_watchers; /* live states (GIL) */
static uint64_t g_page = 4096;

static void rt_free(rt_state *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else if (g_watchers == s)
		g_watchers = s->next;
	if (s->next)
		s->next->prev = s->prev;
	if (s->fd >= 0)
		close(s->fd);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	Py_XDECREF(s->dirb);
	Py_XDECREF(s->path);
	Py_XDECREF(s->result);
	Py_XDECREF(s->error);
	free(s);
}

/* Lets go of one reference (the GIL held). */
static void rt_unref(rt_state *s)
{
	pthread_mutex_lock(&s->mu);
	bool last = --s->refs == 0;
	pthread_mutex_unlock(&s->mu);
	if (last)
		rt_free(s);
}

/* The resident set in bytes, 0 if unreadable. */
static uint64_t read_rss(int fd)
{
	char buf[128];
	ssize_t n;
	do
		n = pread(fd, buf, sizeof buf - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	unsigned long long size, res;
	if (sscanf(buf, "%llu %llu", &size, &res) != 2)
		return 0;
	return (uint64_t)res * g_page;
}

/* The main thread, at a check of its eval loop, the GIL held. */
static int rt_pending(void *arg)
{
	rt_state *s = arg;
	int rc = 0, phase = RT_DONE;
	pthread_mutex_lock(&s->mu);
	bool stop = s->stop;
	pthread_mutex_unlock(&s->mu);
	if (!stop && g_busy) {
		phase = RT_ASK; /* inside a dump of ours: later */
	} else if (!stop) {
		dump_out o;
		int r = trigger_dump(s->what, s->dirb, s->bg, false, &o);
		if (r == 1) {
			phase = RT_ASK;
		} else {
			Py_XSETREF(s->path, o.path);
			Py_XSETREF(s->result, o.result);
			Py_XSETREF(s->error, o.error);
			if (r < 0) {
				rc = -1;
				if (!s->error)
					s->error =
					    PyUnicode_FromString("interrupted");
			}
		}
	}
	pthread_mutex_lock(&s->mu);
	if (s->phase == RT_ASKED)
		s->phase = s->stop ? RT_DONE : phase;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	/* keeps an exception raised by trigger_dump (rc -1) */
	PyObject *et, *ev, *tb;
	PyErr_Fetch(&et, &ev, &tb);
	rt_unref(s);
	PyErr_Restore(et, ev, tb);
	return rc;
}

static void ts_add_ns(struct timespec *t, int64_t ns)
{
	int64_t n = t->tv_nsec + ns % 1000000000;
	t->tv_sec += (time_t)(ns / 1000000000 + n / 1000000000);
	t->tv_nsec = (long)(n % 1000000000);
}

static void *rt_main(void *arg)
{
	rt_state *s = arg;
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	pthread_mutex_lock(&s->mu);
	while (!s->stop && s->phase != RT_DONE) {
		if (s->phase == RT_WATCH) {
			pthread_mutex_unlock(&s->mu);
			uint64_t rss = read_rss(s->fd);
			pthread_mutex_lock(&s->mu);
			if (!s->stop && rss > s->bound) {
				s->fired = true;
				s->rss = rss;
				s->phase = RT_ASK;
			}
		}
		if (s->phase == RT_ASK && !s->stop) {
			s->refs++;
			s->phase = RT_ASKED;
			pthread_mutex_unlock(&s->mu);
			/* the queue may be full: again next time */
			int e = Py_AddPendingCall(rt_pending, s);
			pthread_mutex_lock(&s->mu);
			if (e != 0) {
				s->refs--;
				if (s->phase == RT_ASKED)
					s->phase = RT_ASK;
			}
		}
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ts_add_ns(&next, s->interval_ns);
		if (next.tv_sec < now.tv_sec ||
		    (next.tv_sec == now.tv_sec && next.tv_nsec < now.tv_nsec))
			next = now; /* late: no burst to catch up */
		while (!s->stop && s->phase != RT_DONE &&
		       pthread_cond_timedwait(&s->cv, &s->mu, &next) == 0)
			;
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Stops and joins the thread (the GIL held; released while joining). */
static void rt_stop(rt_state *s)
{
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (!s->started)
		return;
	s->started = false;
	if (s->owner != getpid())
		return; /* a fork() child: the thread is not here */
	Py_BEGIN_ALLOW_THREADS pthread_join(s->thread, NULL);
	Py_END_ALLOW_THREADS
}

/* A fork() child has no watcher thread; a mutex the thread held at the
 * fork would stay locked: fresh ones, and the child's copies stopped. */
static void rt_atfork_child(void)
{
	for (rt_state *s = g_watchers; s; s = s->next) {
		pthread_mutex_init(&s->mu, NULL);
		pthread_cond_init(&s->cv, NULL);
		s->stop = true;
	}
}

typedef struct {
	PyObject_HEAD rt_state *s;
} RssTrigger;

static void rss_dealloc(PyObject *self_)
{
	RssTrigger *self = (RssTrigger *)self_;
	if (self->s) {
		rt_stop(self->s);
		rt_unref(self->s);
		self->s = NULL;
	}
	Py_TYPE(self_)->tp_free(self_);
}

static PyObject *rss_cancel(PyObject *self_, PyObject *noargs)
{
	(void)noargs;
	rt_stop(((RssTrigger *)self_)->s);
	Py_RETURN_NONE;
}

static PyObject *rss_repr(PyObject *self_)
{
	rt_state *s = ((RssTrigger *)self_)->s;
	pthread_mutex_lock(&s->mu);
	const char *state = s->stop		  ? "cancelled"
			    : s->phase == RT_DONE ? "done"
			    : s->fired		  ? "fired"
						  : "watching";
	pthread_mutex_unlock(&s->mu);
	return PyUnicode_FromFormat("<memtrack.RssTrigger rss_above=%llu %s>",
				    (unsigned long long)s->bound, state);
}

static PyObject *get_fired(PyObject *self_, void *c)
{
	(void)c;
	rt_state *s = ((RssTrigger *)self_)->s;
	pthread_mutex_lock(&s->mu);
	bool v = s->fired;
	pthread_mutex_unlock(&s->mu);
	return PyBool_FromLong(v);
}

static PyObject *get_active(PyObject *self_, void *c)
{
	(void)c;
	rt_state *s = ((RssTrigger *)self_)->s;
	pthread_mutex_lock(&s->mu);
	bool v = !s->stop && s->phase != RT_DONE;
	pthread_mutex_unlock(&s->mu);
	return PyBool_FromLong(v);
}

static PyObject *get_rss(PyObject *self_, void *c)
{
	(void)c;
	rt_state *s = ((RssTrigger *)self_)->s;
	pthread_mutex_lock(&s->mu);
	bool f = s->fired;
	uint64_t v = s->rss;
	pthread_mutex_unlock(&s->mu);
	if (!f)
		Py_RETURN_NONE;
	return PyLong_FromUnsignedLongLong(v);
}

static PyObject *or_none(PyObject *o) { return Py_NewRef(o ? o : Py_None); }

static PyObject *get_path(PyObject *self_, void *c)
{
	(void)c;
	return or_none(((RssTrigger *)self_)->s->path);
}

static PyObject *get_result(PyObject *self_, void *c)
{
	(void)c;
	return or_none(((RssTrigger *)self_)->s->result);
}

static PyObject *get_error(PyObject *self_, void *c)
{
	(void)c;
	return or_none(((RssTrigger *)self_)->s->error);
}

static PyObject *get_bound(PyObject *self_, void *c)
{
	(void)c;
	return PyLong_FromUnsignedLongLong(((RssTrigger *)self_)->s->bound);
}

static PyObject *get_interval(PyObject *self_, void *c)
{
	(void)c;
	return PyFloat_FromDouble(
	    (double)((RssTrigger *)self_)->s->interval_ns / 1e9);
}

static PyObject *get_directory(PyObject *self_, void *c)
{
	(void)c;
	return PyUnicode_DecodeFSDefault(
	    PyBytes_AS_STRING(((RssTrigger *)self_)->s->dirb));
}

static PyObject *get_background(PyObject *self_, void *c)
{
	(void)c;
	return PyBool_FromLong(((RssTrigger *)self_)->s->bg);
}

static PyGetSetDef rss_getset[] = {
    {"fired", get_fired, NULL,
     "True once the resident set was seen above rss_above", NULL},
    {"rss", get_rss, NULL,
     "the resident set (bytes) that fired the trigger, or None", NULL},
    {"active", get_active, NULL,
     "still watching or about to dump: not cancelled, not done", NULL},
    {"path", get_path, NULL, "the dump's file name once it started, or None",
     NULL},
    {"result", get_result, NULL,
     "what dump() returned: a BackgroundDump handle, or the summary of a "
     "foreground dump; None before, or when it failed",
     NULL},
    {"error", get_error, NULL,
     "the line reported when the dump failed, or None", NULL},
    {"rss_above", get_bound, NULL, "the bound, bytes", NULL},
    {"interval", get_interval, NULL, "seconds between two reads", NULL},
    {"directory", get_directory, NULL, "where the dump goes (absolute)", NULL},
    {"background", get_background, NULL, "a background dump (forked)", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyMethodDef rss_methods[] = {
    {"cancel", rss_cancel, METH_NOARGS,
     "cancel($self, /)\n--\n\n"
     "Stop watching (the thread is joined before it returns); a dump asked\n"
     "for and not started yet is not made.  A dump already running goes\n"
     "on.  Idempotent."},
    {NULL, NULL, 0, NULL}};

static PyTypeObject rss_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "memtrack._memtrack.RssTrigger",
    .tp_basicsize = sizeof(RssTrigger),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "What memtrack.dump_when() returns: one dump when the resident\n"
	      "set first crosses a bound (doc/capture.md).",
    .tp_dealloc = rss_dealloc,
    .tp_repr = rss_repr,
    .tp_methods = rss_methods,
    .tp_getset = rss_getset,
};

/* atexit: every watcher stops before finalisation starts. */
static PyObject *py_trigger_atexit(PyObject *self, PyObject *noargs)
{
	(void)self;
	(void)noargs;
	/* rt_stop releases the GIL while it joins: another thread may free
	 * a state meanwhile, so the list is walked again from its head */
	for (;;) {
		rt_state *s = g_watchers;
		while (s && !s->started)
			s = s->next;
		if (!s)
			break;
		rt_stop(s);
	}
	Py_RETURN_NONE;
}

static PyMethodDef g_atexit_def = {"_trigger_atexit", py_trigger_atexit,
				   METH_NOARGS, "stops dump_when's threads"};

static PyObject *py_dump_when(PyObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"rss_above", "directory", "background",
				 "interval", NULL};
	PyObject *bound = NULL, *dirobj = NULL;
	int bg = 1;
	double interval = 0.1;
	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|$OOpd:dump_when", kwlist,
					 &bound, &dirobj, &bg, &interval))
		return NULL;
	if (!bound) {
		PyErr_SetString(PyExc_TypeError,
				"memtrack.dump_when: rss_above=BYTES is "
				"required");
		return NULL;
	}
	unsigned long long b = 0;
	if (PyLong_Check(bound)) {
		b = PyLong_AsUnsignedLongLong(bound);
		if (b == (unsigned long long)-1 && PyErr_Occurred())
			PyErr_Clear();
	}
	if (b == 0 || b == (unsigned long long)-1) {
		PyErr_SetString(PyExc_ValueError,
				"memtrack.dump_when: rss_above must be a "
				"positive int (bytes)");
		return NULL;
	}
	if (!(interval >= 0.001 && interval <= 86400.0)) {
		PyErr_SetString(PyExc_ValueError,
				"memtrack.dump_when: interval must be from "
				"0.001 to 86400 seconds");
		return NULL;
	}
	PyObject *dirb = checked_dir(dirobj, "dump_when");
	if (!dirb)
		return NULL;
	static bool atexit_done;
	if (!atexit_done) {
		PyObject *fn = PyCFunction_New(&g_atexit_def, NULL);
		PyObject *ax = fn ? PyImport_ImportModule("atexit") : NULL;
		PyObject *r = ax ? PyObject_CallMethod(ax, "register", "O", fn)
				 : NULL;
		Py_XDECREF(ax);
		Py_XDECREF(fn);
		if (!r) {
			Py_DECREF(dirb);
			return NULL;
		}
		Py_DECREF(r);
		atexit_done = true;
	}
	rt_state *s = calloc(1, sizeof *s);
	if (!s) {
		Py_DECREF(dirb);
		return PyErr_NoMemory();
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	s->refs = 1;
	s->owner = getpid();
	s->bound = b;
	s->interval_ns = (int64_t)(interval * 1e9);
	s->bg = bg != 0;
	s->dirb = dirb;
	snprintf(s->what, sizeof s->what, "RSS above %llu bytes", b);
	s->next = g_watchers;
	if (g_watchers)
		g_watchers->prev = s;
	g_watchers = s;
	s->fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		PyErr_SetFromErrnoWithFilename(PyExc_OSError,
					       "/proc/self/statm");
		rt_unref(s);
		return NULL;
	}
	RssTrigger *obj = PyObject_New(RssTrigger, &rss_type);
	if (!obj) {
		rt_unref(s);
		return NULL;
	}
	obj->s = s;
	/* the thread takes no signal: Python handles them in the main one */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = pthread_create(&s->thread, NULL, rt_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		Py_DECREF(obj);
		errno = e;
		return PyErr_SetFromErrno(PyExc_OSError);
	}
	s->started = true;
	pthread_setname_np(s->thread, "memtrack-rss");
	return (PyObject *)obj;
}

/* ---- the module hook ----------------------------------------------------- */

static PyMethodDef trigger_methods[] = {
    {"_dump_name", (PyCFunction)(void (*)(void))py_dump_name,
     METH_VARARGS | METH_KEYWORDS,
     "_dump_name($module, /, directory, prog=None, pid=None, when=None)\n"
     "--\n\n"
     "A new dump file name: directory/PROG.PID.YYYYMMDD-HHMMSS.SEQ.mp.\n"
     "PROG: the basename of prog (default sys.argv[0]) without '.py',\n"
     "characters outside [A-Za-z0-9_.-] replaced by '_', 'python' when\n"
     "empty; PID: pid (default this process's); the local date and time\n"
     "of when (seconds since the epoch, default now); SEQ: the first\n"
     "number of this process's counter (from 1, at least 3 digits) whose\n"
     "file does not exist yet.  Each call takes a new number."},
    {"dump_on_signal", (PyCFunction)(void (*)(void))py_dump_on_signal,
     METH_VARARGS | METH_KEYWORDS,
     "dump_on_signal($module, /, signum=signal.SIGUSR2, directory='.', "
     "background=True)\n--\n\n"
     "From now on, each signum makes a dump into directory, named\n"
     "PROG.PID.YYYYMMDD-HHMMSS.SEQ.mp, at the interpreter's next safe\n"
     "point (Python's own signal handling: the main thread, between\n"
     "bytecodes).  background: a forked dump (dump(background=True));\n"
     "a signal while the previous one still runs is skipped.  The\n"
     "directory is made absolute and checked now (OSError).  A second\n"
     "call replaces the settings (and the signal); dump_on_signal(None)\n"
     "puts back the handler ours replaced.  Call it from the main\n"
     "thread.  A failed dump never raises into the program: one line on\n"
     "standard error, kept by trigger_errors()."},
    {"dump_when", (PyCFunction)(void (*)(void))py_dump_when,
     METH_VARARGS | METH_KEYWORDS,
     "dump_when($module, /, *, rss_above, directory='.', background=True,\n"
     "          interval=0.1)\n--\n\n"
     "One dump into directory when the resident set first goes above\n"
     "rss_above bytes, read from /proc/self/statm every interval seconds\n"
     "by a C thread; the dump runs in the main thread at its next check\n"
     "of the eval loop.  Returns an RssTrigger: .fired, .rss, .path,\n"
     ".result, .error, .active, .cancel()."},
    {"trigger_errors", py_trigger_errors, METH_NOARGS,
     "trigger_errors($module, /)\n--\n\n"
     "The lines the triggers (dump_on_signal, dump_when) printed on\n"
     "standard error for dumps that failed or were skipped, oldest first (the\n"
     "last 32)."},
    {NULL, NULL, 0, NULL}};

int mt_trigger_init_module(PyObject *m)
{
	static bool once;
	if (!once) {
		if (pthread_atfork(NULL, NULL, rt_atfork_child) != 0) {
			PyErr_SetString(PyExc_ImportError,
					"memtrack: pthread_atfork failed");
			return -1;
		}
		long pg = sysconf(_SC_PAGESIZE);
		if (pg > 0)
			g_page = (uint64_t)pg;
		once = true;
	}
	if (PyType_Ready(&rss_type) < 0)
		return -1;
	Py_XSETREF(g_dump, PyObject_GetAttrString(m, "dump"));
	if (!g_dump)
		return -1;
	if (!g_errors && !(g_errors = PyList_New(0)))
		return -1;
	if (!g_handler && !(g_handler = PyCFunction_New(&g_handler_def, NULL)))
		return -1;
	if (PyModule_AddObject(m, "RssTrigger",
			       Py_NewRef((PyObject *)&rss_type)) < 0)
		return -1;
	return PyModule_AddFunctions(m, trigger_methods);
}
