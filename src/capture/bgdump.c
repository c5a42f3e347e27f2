/* Background dumps (bgdump.h): the fork, the pipe between child and parent,
 * the reaper thread and the BackgroundDump handle.
 *
 * One bg_job is shared by the handle and the reaper thread (two
 * references, under its mutex).  The reaper is created before the fork,
 * waits for the pid, reads the pipe to its end (the child's messages: 'T'
 * + the temporary file's path, then 'R' + mt_bgdump_out + text), then
 * waitpid()s the child and marks the job finished.  It never touches
 * Python.  The handle reads the job only once it is finished (done(),
 * wait()), decodes the messages under the GIL and keeps the outcome: the
 * same Record or the same exception for every later wait().
 */
#include "config.h"

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bgdump.h"
#include "memtrack/error.h"
#include "modhooks.h"

#define BG_BUF_MAX (64 * 1024)

typedef struct bg_job {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs;     /* the handle and the reaper */
	pid_t pid;    /* 0 until forked; -1: no child (the reaper leaves) */
	int fd;	      /* read end of the pipe (the reaper's) */
	int report;   /* dump(_report=True): the reaper reports a death */
	int finished; /* the reaper is done: the fields below are final */
	int waiting;  /* the reaper runs and waits for the pid */
	int reaped;   /* waitpid gave wstatus (else: ECHILD) */
	int wstatus;
	char *buf; /* the child's messages */
	size_t len;
	char path[];
} bg_job;

static atomic_int g_active;

int mt_bgdump_active(void) { return atomic_load(&g_active); }

static void job_release(bg_job *j)
{
	pthread_mutex_lock(&j->mu);
	int left = --j->refs;
	pthread_mutex_unlock(&j->mu);
	if (left)
		return;
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	free(j->buf);
	free(j);
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const struct {
	int sig;
	const char *name;
} g_signames[] = {
    {SIGHUP, "SIGHUP"},	  {SIGINT, "SIGINT"},	{SIGQUIT, "SIGQUIT"},
    {SIGILL, "SIGILL"},	  {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"},
    {SIGBUS, "SIGBUS"},	  {SIGFPE, "SIGFPE"},	{SIGKILL, "SIGKILL"},
    {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
    {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"},
    {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"}, {SIGSYS, "SIGSYS"},
};

/* "SIGKILL", or "signal 40" in buf. */
static const char *sig_name(int sig, char *buf, size_t n)
{
	for (size_t i = 0; i < sizeof g_signames / sizeof g_signames[0]; i++)
		if (g_signames[i].sig == sig)
			return g_signames[i].name;
	snprintf(buf, n, "signal %d", sig);
	return buf;
}

/* Finds the child's message of kind k in the buffer: its payload and
 * length, or NULL.  Messages: kind (1 byte), length (uint32), payload. */
static const char *find_msg(const bg_job *j, char k, uint32_t *len)
{
	size_t p = 0;
	while (j->buf && p + 5 <= j->len) {
		uint32_t n;
		memcpy(&n, j->buf + p + 1, 4);
		if (n > j->len - p - 5)
			return NULL;
		if (j->buf[p] == k) {
			*len = n;
			return j->buf + p + 5;
		}
		p += 5 + (size_t)n;
	}
	return NULL;
}

static void write_all(int fd, const void *b, size_t n)
{
	const char *p = b;
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		p += k;
		n -= (size_t)k;
	}
}

static void send_msg(int fd, char kind, const void *a, size_t alen,
		     const void *b, size_t blen)
{
	char head[5];
	uint32_t n = (uint32_t)(alen + blen);
	head[0] = kind;
	memcpy(head + 1, &n, 4);
	write_all(fd, head, 5);
	write_all(fd, a, alen);
	if (blen)
		write_all(fd, b, blen);
}

void mt_bgdump_child_exit(int status) { _exit(status); }

void mt_bgdump_send_tmp(int fd, const char *tmp)
{
	send_msg(fd, 'T', tmp, strlen(tmp) + 1, NULL, 0);
}

void mt_bgdump_send_result(int fd, mt_bgdump_out *o, const char *text,
			   size_t len)
{
	if (len > MT_BGDUMP_TEXT_MAX) {
		/* cut after the last whole string that fits */
		size_t keep = 0;
		uint32_t strings = 0;
		for (size_t i = 0; i < MT_BGDUMP_TEXT_MAX; i++)
			if (text[i] == '\0') {
				keep = i + 1;
				strings++;
			}
		len = keep;
		if (strings < o->nplugins) {
			o->nplugins = strings;
			o->nwarnings = 0;
		} else {
			o->nwarnings = strings - o->nplugins;
		}
	}
	o->magic = MT_BGDUMP_MAGIC;
	o->text_len = (uint32_t)len;
	send_msg(fd, 'R', o, sizeof *o, text, len);
}

/* The reaper: see the file's comment.  All signals are blocked in it. */
static void *reaper(void *arg)
{
	bg_job *j = arg;
	pthread_mutex_lock(&j->mu);
	j->waiting = 1;
	pthread_cond_broadcast(&j->cv);
	while (j->pid == 0)
		pthread_cond_wait(&j->cv, &j->mu);
	pid_t pid = j->pid;
	pthread_mutex_unlock(&j->mu);
	if (pid < 0) {
		close(j->fd);
		job_release(j);
		return NULL;
	}
	char chunk[4096];
	for (;;) {
		ssize_t k = read(j->fd, chunk, sizeof chunk);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (j->len + (size_t)k > BG_BUF_MAX)
			continue; /* not ours to keep: drained only */
		char *b = realloc(j->buf, j->len + (size_t)k);
		if (!b)
			continue;
		memcpy(b + j->len, chunk, (size_t)k);
		j->buf = b;
		j->len += (size_t)k;
	}
	close(j->fd);
	int st = 0;
	pid_t r;
	do
		r = waitpid(pid, &st, 0);
	while (r < 0 && errno == EINTR);
	uint32_t n;
	bool result = find_msg(j, 'R', &n) && n >= sizeof(mt_bgdump_out);
	/* a child killed before it could remove its temporary file */
	const char *tmp = find_msg(j, 'T', &n);
	if (r == pid && WIFSIGNALED(st) && !result && tmp && n > 1 &&
	    tmp[n - 1] == '\0')
		unlink(tmp);
	if (j->report && !result) {
		/* the child reports its own failures; not its death */
		char line[4400], sb[32];
		if (r == pid && WIFSIGNALED(st))
			snprintf(line, sizeof line,
				 "memtrack: background dump to %s failed: its "
				 "process (pid %ld) was killed by %s\n",
				 j->path, (long)pid,
				 sig_name(WTERMSIG(st), sb, sizeof sb));
		else
			snprintf(line, sizeof line,
				 "memtrack: background dump to %s failed: its "
				 "process (pid %ld) ended without a report\n",
				 j->path, (long)pid);
		write_all(2, line, strlen(line));
	}
	pthread_mutex_lock(&j->mu);
	j->reaped = r == pid;
	j->wstatus = st;
	j->finished = 1;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
	atomic_fetch_sub(&g_active, 1);
	job_release(j);
	return NULL;
}

/* ---- the handle ------------------------------------------------------- */

typedef struct {
	PyObject_HEAD bg_job *job;
	long pid;
	pid_t owner; /* the process that forked the child (os.fork copies) */
	double pause;
	PyObject *path;	  /* str */
	PyObject *result; /* the Record, once decoded */
	PyObject *exc;	  /* or the exception */
} BgHandle;

static PyTypeObject *g_handle_t;

static void handle_dealloc(PyObject *o)
{
	BgHandle *h = (BgHandle *)o;
	/* in a copy made by os.fork() the job's mutex may be copied held:
	 * the job is left alone there */
	if (h->job && h->owner == getpid())
		job_release(h->job);
	Py_XDECREF(h->path);
	Py_XDECREF(h->result);
	Py_XDECREF(h->exc);
	PyTypeObject *t = Py_TYPE(o);
	PyObject_Free(o);
	Py_DECREF(t);
}

static int job_finished(bg_job *j)
{
	pthread_mutex_lock(&j->mu);
	int f = j->finished;
	pthread_mutex_unlock(&j->mu);
	return f;
}

/* OSError(errno, text, path) as its errno's subclass. */
static void set_oserror(int e, PyObject *text, PyObject *path)
{
	PyObject *a = text ? Py_BuildValue("(iOO)", e, text, path) : NULL;
	if (a)
		mt_py_set_oserror(a);
	Py_XDECREF(a);
}

static PyObject *text_list(const char **p, const char *end, uint32_t n)
{
	PyObject *l = PyList_New(0);
	for (uint32_t i = 0; l && i < n && *p < end; i++) {
		size_t len = strnlen(*p, (size_t)(end - *p));
		PyObject *s =
		    PyUnicode_DecodeUTF8(*p, (Py_ssize_t)len, "replace");
		if (!s || PyList_Append(l, s) < 0)
			Py_CLEAR(l);
		Py_XDECREF(s);
		*p += len + 1;
	}
	return l;
}

/* The Record of a successful report. */
static PyObject *result_record(BgHandle *h, const mt_bgdump_out *o,
			       const char *text)
{
	const char *p = text, *end = text + o->text_len;
	PyObject *plugins = text_list(&p, end, o->nplugins);
	PyObject *warnings = plugins ? text_list(&p, end, o->nwarnings) : NULL;
	static const char *const keys[] = {
	    "objects",	"edges",     "file_bytes", "heap_bytes",
	    "seconds",	"reachable", "path",	   "plugins",
	    "warnings", "bytes",     "pause"};
	PyObject *vals[] = {PyLong_FromUnsignedLongLong(o->objects),
			    PyLong_FromUnsignedLongLong(o->edges),
			    PyLong_FromUnsignedLongLong(o->bytes),
			    PyLong_FromUnsignedLongLong(o->heap_bytes),
			    PyFloat_FromDouble(o->seconds),
			    PyLong_FromUnsignedLongLong(o->reachable),
			    Py_NewRef(h->path),
			    plugins,
			    warnings,
			    PyLong_FromUnsignedLongLong(o->bytes),
			    PyFloat_FromDouble(h->pause)};
	return mt_py_record_of(sizeof keys / sizeof keys[0], keys, vals);
}

/* Decodes a finished job into h->result or h->exc (once).  0, or -1 with
 * an exception that is not the dump's outcome (out of memory). */
static int decode(BgHandle *h)
{
	if (h->result || h->exc)
		return 0;
	bg_job *j = h->job;
	uint32_t n;
	const char *r = find_msg(j, 'R', &n);
	mt_bgdump_out o;
	PyObject *pathb = PyUnicode_EncodeFSDefault(h->path);
	if (!pathb)
		return -1;
	const char *path = PyBytes_AS_STRING(pathb);
	if (r && n >= sizeof o) {
		memcpy(&o, r, sizeof o);
		o.reason[sizeof o.reason - 1] = '\0';
	}
	if (r && n >= sizeof o && o.magic == MT_BGDUMP_MAGIC &&
	    o.text_len <= n - sizeof o) {
		if (o.status == MT_OK) {
			h->result = result_record(h, &o, r + sizeof o);
			if (h->result)
				mt_py_dump_done(path);
			Py_DECREF(pathb);
			return h->result ? 0 : -1;
		}
		mt_py_dump_failure(o.status, o.sys_errno, o.reason, path);
	} else if (j->reaped && WIFSIGNALED(j->wstatus)) {
		char sb[32];
		PyObject *text = PyUnicode_FromFormat(
		    "memtrack.dump: the background dump's process (pid %ld) "
		    "was killed by %s; no file was written",
		    h->pid, sig_name(WTERMSIG(j->wstatus), sb, sizeof sb));
		set_oserror(EINTR, text, h->path);
		Py_XDECREF(text);
	} else if (j->reaped) {
		PyErr_Format(PyExc_RuntimeError,
			     "memtrack.dump('%s'): the background dump's "
			     "process (pid %ld) ended with status %d and no "
			     "report",
			     path, h->pid,
			     WIFEXITED(j->wstatus) ? WEXITSTATUS(j->wstatus)
						   : -1);
	} else {
		PyErr_Format(PyExc_RuntimeError,
			     "memtrack.dump('%s'): the background dump's "
			     "process (pid %ld) sent no report and its exit "
			     "status was lost (reaped by another waitpid(), or "
			     "SIGCHLD ignored)",
			     path, h->pid);
	}
	Py_DECREF(pathb);
	/* keep the exception, normalised, for every wait() */
	PyObject *et, *ev, *tb;
	PyErr_Fetch(&et, &ev, &tb);
	PyErr_NormalizeException(&et, &ev, &tb);
	Py_XDECREF(et);
	Py_XDECREF(tb);
	if (!ev)
		return -1;
	h->exc = ev;
	return 0;
}

/* The outcome of a decoded job: the Record, or NULL with its exception. */
static PyObject *outcome(BgHandle *h)
{
	if (decode(h) < 0)
		return NULL;
	if (h->result)
		return Py_NewRef(h->result);
	PyErr_SetObject((PyObject *)Py_TYPE(h->exc), h->exc);
	return NULL;
}

/* A handle copied into a child by os.fork(): the reaper stayed in the
 * parent.  Raises RuntimeError and returns true there. */
static bool foreign(const BgHandle *h)
{
	if (h->owner == getpid())
		return false;
	PyErr_Format(PyExc_RuntimeError,
		     "memtrack: the background dump to %R (pid %ld) "
		     "belongs to process %ld, not this one",
		     h->path, h->pid, (long)h->owner);
	return true;
}

static PyObject *handle_done(PyObject *o, PyObject *noargs)
{
	BgHandle *h = (BgHandle *)o;
	(void)noargs;
	if (!h->job)
		Py_RETURN_TRUE;
	if (foreign(h))
		return NULL;
	return PyBool_FromLong(job_finished(h->job));
}

/* wait(timeout=None): slices of at most 0.1 s without the GIL, the
 * signals handled between them (Ctrl-C: KeyboardInterrupt here, the
 * child goes on). */
static PyObject *handle_wait(PyObject *o, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"timeout", NULL};
	BgHandle *h = (BgHandle *)o;
	PyObject *tobj = Py_None;
	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:wait", kwlist, &tobj))
		return NULL;
	double timeout = -1;
	if (tobj != Py_None) {
		timeout = PyFloat_AsDouble(tobj);
		if (timeout == -1 && PyErr_Occurred())
			return NULL;
		if (!(timeout >= 0)) {
			PyErr_SetString(PyExc_ValueError,
					"timeout must be a non-negative number "
					"or None");
			return NULL;
		}
	}
	double deadline = timeout < 0 ? 0 : mono() + timeout;
	bg_job *j = h->job;
	if (!j) {
		PyErr_SetString(PyExc_RuntimeError, "not a started dump");
		return NULL;
	}
	if (foreign(h))
		return NULL;
	for (;;) {
		int fin;
		Py_BEGIN_ALLOW_THREADS;
		double slice = 0.1;
		if (timeout >= 0 && deadline - mono() < slice)
			slice = deadline - mono();
		pthread_mutex_lock(&j->mu);
		if (!j->finished && slice > 0) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			long ns = ts.tv_nsec + (long)(slice * 1e9);
			ts.tv_sec += ns / 1000000000L;
			ts.tv_nsec = ns % 1000000000L;
			pthread_cond_timedwait(&j->cv, &j->mu, &ts);
		}
		fin = j->finished;
		pthread_mutex_unlock(&j->mu);
		Py_END_ALLOW_THREADS;
		if (fin)
			break;
		if (PyErr_CheckSignals() < 0)
			return NULL;
		if (timeout >= 0 && mono() >= deadline) {
			char secs[32]; /* PyErr_Format has no %g */
			snprintf(secs, sizeof secs, "%g", timeout);
			PyErr_Format(PyExc_TimeoutError,
				     "memtrack: the background dump to %R "
				     "(pid %ld) is still running after %s s",
				     h->path, h->pid, secs);
			return NULL;
		}
	}
	return outcome(h);
}

static PyObject *handle_repr(PyObject *o)
{
	BgHandle *h = (BgHandle *)o;
	return PyUnicode_FromFormat("<BackgroundDump pid=%ld path=%R %s>",
				    h->pid, h->path,
				    h->owner != getpid() ? "of another process"
				    : !h->job || job_finished(h->job)
					? "finished"
					: "running");
}

static PyObject *get_pid(PyObject *o, void *c)
{
	(void)c;
	return PyLong_FromLong(((BgHandle *)o)->pid);
}

static PyObject *get_path(PyObject *o, void *c)
{
	(void)c;
	return Py_NewRef(((BgHandle *)o)->path);
}

static PyObject *get_pause(PyObject *o, void *c)
{
	(void)c;
	return PyFloat_FromDouble(((BgHandle *)o)->pause);
}

static PyGetSetDef handle_getset[] = {
    {"pid", get_pid, NULL, "process id of the child that writes the dump",
     NULL},
    {"path", get_path, NULL, "the dump's path, as a str", NULL},
    {"pause", get_pause, NULL,
     "seconds dump(background=True) took to return (the program's pause)",
     NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyMethodDef handle_methods[] = {
    {"done", handle_done, METH_NOARGS,
     "done($self, /)\n--\n\n"
     "True once the child has ended and been reaped (never blocks)."},
    {"wait", (PyCFunction)(void (*)(void))handle_wait,
     METH_VARARGS | METH_KEYWORDS,
     "wait($self, /, timeout=None)\n--\n\n"
     "Wait for the child; return the Record a foreground dump returns\n"
     "(seconds: the child's walk; pause: the parent's pause), or raise\n"
     "the dump's failure as a foreground dump would (OSError with errno\n"
     "and path...; InterruptedError when the child was killed).  Raises\n"
     "TimeoutError after timeout seconds (the child goes on).  Every\n"
     "later wait() gives the same outcome."},
    {NULL, NULL, 0, NULL}};

static PyType_Slot handle_slots[] = {
    {Py_tp_dealloc, (void *)handle_dealloc},
    {Py_tp_repr, (void *)handle_repr},
    {Py_tp_methods, handle_methods},
    {Py_tp_getset, handle_getset},
    {Py_tp_doc,
     (void *)"A dump written by a forked child (dump(path, background=True)):\n"
	     "pid, path, pause, done(), wait(timeout=None).  Dropped without\n"
	     "wait(), the child is still reaped (no zombie)."},
    {0, NULL}};

static PyType_Spec handle_spec = {"memtrack._memtrack.BackgroundDump",
				  sizeof(BgHandle), 0, Py_TPFLAGS_DEFAULT,
				  handle_slots};

/* ---- fork --------------------------------------------------------------- */

const char *mt_bgdump_refusal(void)
{
#ifdef Py_GIL_DISABLED
	return "a free-threaded build: other threads run Python code while "
	       "the process forks";
#endif
	if (PyInterpreterState_Get() != PyInterpreterState_Main())
		return "a subinterpreter: only the main interpreter may fork a "
		       "dump";
	return NULL;
}

static void close_from(unsigned lo, unsigned hi)
{
	if (lo > hi)
		return;
#ifdef SYS_close_range
	if (syscall(SYS_close_range, lo, hi, 0) == 0)
		return;
#endif
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (long fd = lo; fd < max && fd <= (long)hi; fd++)
		close((int)fd);
}

static void child_setup(int keep)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGALRM);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	/* the program's sockets and pipes: a connection it closes must not
	 * stay open in the child */
	if (keep > 3)
		close_from(3, (unsigned)keep - 1);
	close_from(keep < 3 ? 3u : (unsigned)keep + 1, ~0u);
}

PyObject *mt_bgdump_start(const char *path, int report, double t0,
			  mt_bgdump_child_fn fn, void *arg)
{
	const char *why = mt_bgdump_refusal();
	if (why) {
		PyErr_Format(PyExc_RuntimeError,
			     "memtrack.dump(background=True) is not possible "
			     "here: %s",
			     why);
		return NULL;
	}
	if (!g_handle_t) {
		PyErr_SetString(PyExc_RuntimeError, "memtrack not initialised");
		return NULL;
	}
	BgHandle *h = PyObject_New(BgHandle, g_handle_t);
	if (!h)
		return NULL;
	h->job = NULL;
	h->owner = getpid();
	h->result = h->exc = NULL;
	h->pid = 0;
	h->pause = 0;
	h->path = PyUnicode_DecodeFSDefault(path);
	size_t plen = strlen(path);
	bg_job *j = h->path ? calloc(1, sizeof *j + plen + 1) : NULL;
	if (!j) {
		if (h->path)
			PyErr_NoMemory();
		Py_DECREF(h);
		return NULL;
	}
	memcpy(j->path, path, plen + 1);
	j->report = report;
	j->refs = 2;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, &ca);
	pthread_condattr_destroy(&ca);
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		int e = errno;
		j->refs = 1;
		job_release(j);
		Py_DECREF(h);
		errno = e;
		return PyErr_SetFromErrno(PyExc_OSError);
	}
	j->fd = p[0];
	/* the reaper is started before the fork: once the child exists, it
	 * is always reaped; every signal is blocked in it */
	pthread_t th;
	pthread_attr_t ta;
	pthread_attr_init(&ta);
	pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&ta, 64 * 1024);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int e = pthread_create(&th, &ta, reaper, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&ta);
	if (e) {
		close(p[0]);
		close(p[1]);
		j->refs = 1;
		job_release(j);
		PyObject *text = PyUnicode_FromFormat(
		    "memtrack.dump(background=True): cannot start its reaper "
		    "thread: %s",
		    strerror(e));
		if (text)
			set_oserror(e, text, h->path);
		Py_XDECREF(text);
		Py_DECREF(h);
		return NULL;
	}
	h->job = j;
	/* fork only once the reaper waits: a thread still starting (its
	 * runtime's bookkeeping: ASan's allocator, say) may hold a lock the
	 * child would then find held for good */
	pthread_mutex_lock(&j->mu);
	while (!j->waiting)
		pthread_cond_wait(&j->cv, &j->mu);
	pthread_mutex_unlock(&j->mu);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		child_setup(p[1]);
		fn(arg, p[1]);
		mt_bgdump_child_exit(127);
	}
	e = errno;
	close(p[1]);
	if (pid > 0)
		atomic_fetch_add(&g_active, 1);
	pthread_mutex_lock(&j->mu);
	j->pid = pid > 0 ? pid : -1;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
	if (pid < 0) {
		Py_DECREF(h);
		PyObject *text = PyUnicode_FromFormat(
		    "memtrack.dump(background=True): fork() failed: %s",
		    strerror(e));
		PyObject *fn_ = PyUnicode_DecodeFSDefault(path);
		if (text && fn_)
			set_oserror(e, text, fn_);
		Py_XDECREF(text);
		Py_XDECREF(fn_);
		return NULL;
	}
	h->pid = (long)pid;
	h->pause = mono() - t0;
	return (PyObject *)h;
}

static PyObject *py_active(PyObject *self, PyObject *noargs)
{
	(void)self;
	(void)noargs;
	return PyLong_FromLong(mt_bgdump_active());
}

static PyMethodDef bg_functions[] = {
    {"_background_active", py_active, METH_NOARGS,
     "_background_active($module, /)\n--\n\n"
     "Background dumps of this process whose child is not reaped yet."},
    {NULL, NULL, 0, NULL}};

void mt_bgdump_set_pause(PyObject *handle, double pause)
{
	if (handle && Py_TYPE(handle) == g_handle_t)
		((BgHandle *)handle)->pause = pause;
}

int mt_bgdump_init_module(PyObject *m)
{
	if (PyModule_AddFunctions(m, bg_functions) < 0)
		return -1;
	if (!g_handle_t) {
		g_handle_t = (PyTypeObject *)PyType_FromSpec(&handle_spec);
		if (!g_handle_t)
			return -1;
		/* made by dump() only */
		g_handle_t->tp_new = NULL;
	}
	return PyModule_AddObject(m, "BackgroundDump",
				  Py_NewRef((PyObject *)g_handle_t));
}
