/* The process memory log: `memtrack._memtrack._ProcLog`, the C core of
 * memtrack.ProcessLog (src/capture/memtrack/proclog.py) and of
 * `python3 -m memtrack log --pid` (doc/proclog.md).
 *
 * A log owns one pl_log: an output file descriptor, descriptors on the
 * sampled process's /proc/PID/stat and /proc/PID/status, and a sampler
 * thread (POSIX, all signals blocked) that wakes every interval on
 * CLOCK_MONOTONIC, reads the two files (pread at offset 0: no open per
 * sample) and appends one JSON line with one write().  The thread never
 * touches Python and never takes the GIL.  The log's mutex serialises
 * every line (the thread's samples, label(), dump markers, close()'s final
 * sample), so lines are whole and in time order; each line is written by
 * the time the call returns (no stdio buffer), so `tail -f` sees it.
 *
 * The file is a new one, made as a dump's is (safefile.h): a private
 * temporary file beside path (O_EXCL|O_NOFOLLOW, mode 0600 whatever the
 * umask) gets the first line and is renamed onto path at once; a regular
 * file there is replaced (the caller named it), anything else (a
 * directory, a symbolic link, a device, a FIFO, a socket) is refused.
 *
 * Running logs are in one list (g_mu) so that mt_proclog_dump_marker can
 * write a "dump" line in each log of this process.  A fork() child has no
 * sampler thread: the pthread_atfork handlers hold every log's mutex across
 * the fork (so the child never inherits a half-written line's lock) and
 * mark the child's copies dead: in the child, label() and dump markers
 * write nothing and close() only closes the descriptors.
 *
 * Lock order: g_mu, then a log's mu.  Numbers are formatted with integer
 * arithmetic only (never %f: LC_NUMERIC may use a comma).
 */
#include "config.h"

#include "modhooks.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "memtrack/safefile.h"
#include "memtrack/util.h"

#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *pl_newref(PyObject *o)
{
	Py_INCREF(o);
	return o;
}
#define Py_NewRef pl_newref
#endif

/* ---- the C state --------------------------------------------------------- */

typedef struct pl_sample {
	int64_t t_us;  /* CLOCK_REALTIME, microseconds */
	uint64_t rss;  /* bytes */
	uint64_t vms;  /* bytes */
	uint64_t peak; /* VmHWM, bytes */
	uint64_t minflt, majflt;
	uint64_t utime, stime; /* clock ticks */
} pl_sample;

typedef struct pl_log pl_log;
struct pl_log {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* the thread's sleep; wait()'s wake-up */
	pthread_t thread;
	bool started; /* thread created and not joined yet */
	bool stop;    /* close() asks the thread to end */
	bool ended;   /* the process is gone or a write failed */
	bool dead;    /* this is a fork() child's copy */
	bool closed;
	bool listed;		/* in g_logs */
	int err;		/* errno of the first failed write, or 0 */
	int fd;			/* the log file */
	int stat_fd, status_fd; /* /proc/PID/stat, /proc/PID/status */
	pid_t pid;		/* the sampled process */
	pid_t owner;		/* the process writing the log */
	bool self;		/* pid == owner at creation */
	int64_t interval_ns;
	uint64_t lines;	       /* lines written */
	uint64_t peak;	       /* the largest peak_rss taken so far */
	struct timespec start; /* CLOCK_MONOTONIC of the first line's sample */
	pid_t tid;	       /* the sampler's thread id while it runs */
	char *path;	       /* as given */
	char *buf;	       /* the line being built */
	size_t len, cap;
	bool nomem;
	pl_log *next, *prev;
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pl_log *g_logs;
static long g_tck = 100;       /* sysconf(_SC_CLK_TCK) */
static uint64_t g_page = 4096; /* sysconf(_SC_PAGESIZE) */

/* ---- fork ---------------------------------------------------------------- */

static void atfork_prepare(void)
{
	pthread_mutex_lock(&g_mu);
	for (pl_log *l = g_logs; l; l = l->next)
		pthread_mutex_lock(&l->mu);
}

static void atfork_parent(void)
{
	for (pl_log *l = g_logs; l; l = l->next)
		pthread_mutex_unlock(&l->mu);
	pthread_mutex_unlock(&g_mu);
}

/* The child: no sampler thread exists; its copies are dead and unlisted. */
static void atfork_child(void)
{
	pl_log *l = g_logs;
	while (l) {
		pl_log *n = l->next;
		l->dead = true;
		l->started = false;
		l->listed = false;
		l->next = l->prev = NULL;
		pthread_mutex_unlock(&l->mu);
		l = n;
	}
	g_logs = NULL;
	pthread_mutex_unlock(&g_mu);
}

static void list_add(pl_log *l)
{
	pthread_mutex_lock(&g_mu);
	l->prev = NULL;
	l->next = g_logs;
	if (g_logs)
		g_logs->prev = l;
	g_logs = l;
	l->listed = true;
	pthread_mutex_unlock(&g_mu);
}

static void list_remove(pl_log *l)
{
	pthread_mutex_lock(&g_mu);
	if (l->listed) {
		if (l->prev)
			l->prev->next = l->next;
		else
			g_logs = l->next;
		if (l->next)
			l->next->prev = l->prev;
		l->next = l->prev = NULL;
		l->listed = false;
	}
	pthread_mutex_unlock(&g_mu);
}

/* ---- sampling ------------------------------------------------------------ */

/* Reads a /proc file from its start into buf (NUL-terminated); the length,
 * or -1 with errno set. */
static ssize_t pread_all(int fd, char *buf, size_t cap)
{
	size_t got = 0;
	while (got < cap - 1) {
		ssize_t k = pread(fd, buf + got, cap - 1 - got, (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	buf[got] = '\0';
	return (ssize_t)got;
}

/* The next space-separated unsigned number at *p; false at the end. */
static bool next_u64(const char **p, uint64_t *v)
{
	const char *s = *p;
	while (*s == ' ')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	uint64_t x = 0;
	while (*s >= '0' && *s <= '9')
		x = x * 10 + (uint64_t)(*s++ - '0');
	*v = x;
	*p = s;
	return true;
}

/* One sample of l's process (l->mu held, or l not shared yet).  0, ESRCH when the process is gone (a read
 * error, or a zombie), or another errno. */
static int take_sample(pl_log *l, pl_sample *s)
{
	char buf[4096];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	s->t_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	if (pread_all(l->stat_fd, buf, sizeof buf) < 0)
		return errno == ENOENT ? ESRCH : errno;
	/* the command name (field 2) may hold spaces and parentheses: the
	 * fields restart after the last ')' */
	const char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return ESRCH; /* empty: the process was reaped */
	p += 2;
	char state = *p++;
	if (state == 'Z' || state == 'X' || state == 'x')
		return ESRCH;
	/* fields 4.. after the state; keep 10, 12, 14, 15, 23, 24 */
	uint64_t v[22];
	for (int i = 0; i < 22; i++) {
		if (*p == ' ' && p[1] == '-')
			p += 2; /* a negative field (nice, priority) */
		if (!next_u64(&p, &v[i]))
			return EINVAL;
	}
	s->minflt = v[10 - 4];
	s->majflt = v[12 - 4];
	s->utime = v[14 - 4];
	s->stime = v[15 - 4];
	s->vms = v[23 - 4];
	s->rss = v[24 - 4] * g_page;
	s->peak = 0;
	char sbuf[8192];
	if (pread_all(l->status_fd, sbuf, sizeof sbuf) < 0)
		return errno == ENOENT ? ESRCH : errno;
	const char *h = strstr(sbuf, "\nVmHWM:");
	uint64_t kb;
	if (h) {
		h += 7;
		while (*h == '\t')
			h++;
		if (next_u64(&h, &kb))
			s->peak = kb * 1024;
	}
	/* The kernel's RSS counters are sums of per-CPU counters read
	 * without synchronisation: its VmHWM can read a few pages below an
	 * RSS or a VmHWM read a moment before.  The peak written is the
	 * largest of both this log has read, so it never falls and is never
	 * below the RSS on its line. */
	if (s->peak < s->rss)
		s->peak = s->rss;
	if (s->peak < l->peak)
		s->peak = l->peak;
	l->peak = s->peak;
	return 0;
}

/* ---- one JSON line ------------------------------------------------------- */

static void put(pl_log *l, const char *s, size_t n)
{
	if (l->nomem)
		return;
	if (l->len + n + 1 > l->cap) {
		size_t cap = l->cap ? l->cap : 256;
		while (l->len + n + 1 > cap)
			cap *= 2;
		char *b = realloc(l->buf, cap);
		if (!b) {
			l->nomem = true;
			return;
		}
		l->buf = b;
		l->cap = cap;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void puts_(pl_log *l, const char *s) { put(l, s, strlen(s)); }

static void put_u64(pl_log *l, uint64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof b, "%llu", (unsigned long long)v);
	put(l, b, (size_t)n);
}

/* A non-negative fixed-point number: whole + frac / 10^digits, trailing
 * zeros of the fraction dropped ("1.5", "2", "0.25"). */
static void put_fixed(pl_log *l, uint64_t whole, uint64_t frac, int digits)
{
	char b[48];
	int n = snprintf(b, sizeof b, "%llu", (unsigned long long)whole);
	if (digits > 0) {
		char f[24];
		snprintf(f, sizeof f, "%0*llu", digits,
			 (unsigned long long)frac);
		int k = digits;
		while (k > 1 && f[k - 1] == '0')
			k--;
		n += snprintf(b + n, sizeof b - (size_t)n, ".%.*s", k, f);
	}
	put(l, b, (size_t)n);
}

/* Seconds of CPU from clock ticks. */
static void put_ticks(pl_log *l, uint64_t ticks)
{
	uint64_t tck = (uint64_t)g_tck;
	/* as microseconds: exact for 100 and 1000 ticks a second */
	uint64_t us = (ticks % tck) * 1000000 / tck;
	put_fixed(l, ticks / tck, us, 6);
}

/* A JSON string from bytes: UTF-8 copied, controls, '"' and '\\'
 * escaped, a byte that is not well-formed UTF-8 becomes U+FFFD. */
static void put_jstr(pl_log *l, const char *s, size_t n)
{
	put(l, "\"", 1);
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t k = mt_utf8_decode(s + i, n - i, &cp);
		if (k == 0) {
			put(l, "\\ufffd", 6);
			i++;
			continue;
		}
		if (cp == '"' || cp == '\\') {
			char e[2] = {'\\', (char)cp};
			put(l, e, 2);
		} else if (cp == '\n') {
			put(l, "\\n", 2);
		} else if (cp == '\t') {
			put(l, "\\t", 2);
		} else if (cp == '\r') {
			put(l, "\\r", 2);
		} else if (cp < 0x20 || cp == 0x7f) {
			char e[8];
			snprintf(e, sizeof e, "\\u%04x", (unsigned)cp);
			put(l, e, 6);
		} else {
			put(l, s + i, k);
		}
		i += k;
	}
	put(l, "\"", 1);
}

/* The sample's keys (the line's body after "{" and any header keys). */
static void put_sample(pl_log *l, const pl_sample *s)
{
	puts_(l, "\"t\": ");
	put_fixed(l, (uint64_t)(s->t_us / 1000000),
		  (uint64_t)(s->t_us % 1000000), 6);
	puts_(l, ", \"rss\": ");
	put_u64(l, s->rss);
	puts_(l, ", \"vms\": ");
	put_u64(l, s->vms);
	puts_(l, ", \"peak_rss\": ");
	put_u64(l, s->peak);
	puts_(l, ", \"minflt\": ");
	put_u64(l, s->minflt);
	puts_(l, ", \"majflt\": ");
	put_u64(l, s->majflt);
	puts_(l, ", \"cpu_user\": ");
	put_ticks(l, s->utime);
	puts_(l, ", \"cpu_sys\": ");
	put_ticks(l, s->stime);
}

/* Writes buf[0..len) at the end of the file; 0 or errno. */
static int write_all(int fd, const char *b, size_t n)
{
	while (n) {
		ssize_t k = write(fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return errno;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Samples now and writes one line, with `key: value` (a string) when key
 * is given.  Called with l->mu held.  0, ESRCH (the process is gone: the
 * log ends, nothing written) or the errno of a failed write (kept in
 * l->err; the log ends). */
static int write_line(pl_log *l, const char *key, const char *val, size_t vlen)
{
	if (l->ended)
		return l->err ? l->err : ESRCH;
	pl_sample s;
	int e = take_sample(l, &s);
	if (e) {
		l->ended = true;
		if (e != ESRCH)
			l->err = e;
		pthread_cond_broadcast(&l->cv);
		return e;
	}
	l->len = 0;
	l->nomem = false;
	put(l, "{", 1);
	put_sample(l, &s);
	if (key) {
		puts_(l, ", \"");
		puts_(l, key);
		puts_(l, "\": ");
		put_jstr(l, val, vlen);
	}
	put(l, "}\n", 2);
	if (l->nomem)
		return ENOMEM; /* this line only: the log goes on */
	e = write_all(l->fd, l->buf, l->len);
	if (e) {
		l->ended = true;
		l->err = e;
		pthread_cond_broadcast(&l->cv);
		return e;
	}
	l->lines++;
	return 0;
}

/* ---- the thread ---------------------------------------------------------- */

static void ts_add_ns(struct timespec *t, int64_t ns)
{
	int64_t x = (int64_t)t->tv_nsec + ns % 1000000000;
	t->tv_sec += (time_t)(ns / 1000000000 + x / 1000000000);
	t->tv_nsec = (long)(x % 1000000000);
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Samples at start + k * interval (start: the first line's sample; no
 * drift); a slot missed (the machine was busy) is skipped, not written
 * late twice. */
static void *sampler(void *arg)
{
	pl_log *l = arg;
	struct timespec next = l->start;
	pthread_mutex_lock(&l->mu);
	l->tid = gettid();
	while (!l->stop && !l->ended) {
		ts_add_ns(&next, l->interval_ns);
		int rc = 0;
		while (!l->stop && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&l->cv, &l->mu, &next);
		if (l->stop)
			break;
		write_line(l, NULL, NULL, 0);
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		while (ts_before(&next, &now)) {
			struct timespec n2 = next;
			ts_add_ns(&n2, l->interval_ns);
			if (!ts_before(&n2, &now))
				break;
			next = n2;
		}
	}
	l->tid = 0;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

/* ---- the file ------------------------------------------------------------ */

/* Creates the log file at path holding first[0..n): a private temporary
 * file beside it (safefile.h), renamed onto it at once, so the log is
 * there while the program runs.  Returns the descriptor (open for
 * appending), or -1 with *err filled. */
static int create_file(const char *path, const char *first, size_t n,
		       mt_err *err)
{
	mt_safefile f;
	if (mt_safefile_open(&f, path, "a process log", O_APPEND, err))
		return -1;
	if (mt_safefile_write(&f, first, n, err) ||
	    mt_safefile_rename(&f, err)) {
		mt_safefile_abort(&f);
		return -1;
	}
	int fd = f.fd;
	f.fd = -1;
	mt_safefile_release(&f);
	return fd;
}

/* ---- the log ------------------------------------------------------------- */

static void log_close_fds(pl_log *l)
{
	if (l->fd >= 0)
		close(l->fd);
	if (l->stat_fd >= 0)
		close(l->stat_fd);
	if (l->status_fd >= 0)
		close(l->status_fd);
	l->fd = l->stat_fd = l->status_fd = -1;
}

static void log_free(pl_log *l)
{
	if (!l)
		return;
	log_close_fds(l);
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
	free(l->path);
	free(l->buf);
	free(l);
}

/* Opens /proc/PID/stat and status: 0 or errno (ESRCH: no such process). */
static int open_proc(pl_log *l)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%ld", (long)l->pid);
	int d = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return errno == ENOENT ? ESRCH : errno;
	l->stat_fd = openat(d, "stat", O_RDONLY | O_CLOEXEC);
	int e = errno;
	if (l->stat_fd >= 0) {
		l->status_fd = openat(d, "status", O_RDONLY | O_CLOEXEC);
		e = errno;
	}
	close(d);
	if (l->stat_fd < 0 || l->status_fd < 0)
		return e == ENOENT ? ESRCH : e;
	return 0;
}

/* Stops the thread (if this process runs it), joins it, writes the final
 * sample and unlists the log.  Called without the GIL. */
static void log_stop(pl_log *l)
{
	pthread_mutex_lock(&l->mu);
	/* one caller joins (two threads may close at once) */
	bool join = l->started && !l->dead;
	l->started = false;
	l->stop = true;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	if (join)
		pthread_join(l->thread, NULL);
	list_remove(l);
	pthread_mutex_lock(&l->mu);
	if (!l->dead && !l->closed)
		write_line(l, NULL, NULL, 0);
	l->closed = true;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

/* ---- the Python type ----------------------------------------------------- */

typedef struct {
	PyObject_HEAD pl_log *log;
	PyObject *path; /* the path, decoded to str */
	PyObject *weakrefs;
} ProcLog;

/* OSError(e, text, path) as the subclass e selects; text is strerror(e),
 * or says why the target was refused. */
/* OSError(e, why or strerror(e), path), of the subclass e names. */
static PyObject *oserror(int e, const char *why, PyObject *path)
{
	PyObject *text = why ? PyUnicode_DecodeFSDefault(why)
			     : PyUnicode_FromString(strerror(e));
	PyObject *a = text ? (path ? Py_BuildValue("(iOO)", e, text, path)
				   : Py_BuildValue("(iO)", e, text))
			   : NULL;
	if (a)
		mt_py_set_oserror(a);
	Py_XDECREF(a);
	Py_XDECREF(text);
	return NULL;
}

static int proclog_init(PyObject *self_, PyObject *args, PyObject *kwds)
{
	ProcLog *self = (ProcLog *)self_;
	static char *kwlist[] = {"path", "interval", "pid", "argv", NULL};
	PyObject *pathb = NULL, *argv = Py_None, *seq = NULL;
	double interval = 1.0;
	long pid = 0;
	pl_log *l = NULL;
	int rc = -1;
	if (self->log) {
		PyErr_SetString(PyExc_RuntimeError,
				"memtrack.ProcessLog: already started");
		return -1;
	}
	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O&|d$lO:ProcessLog",
					 kwlist, PyUnicode_FSConverter, &pathb,
					 &interval, &pid, &argv))
		return -1;
	Py_XSETREF(self->path,
		   PyUnicode_DecodeFSDefault(PyBytes_AS_STRING(pathb)));
	if (!self->path)
		goto out;
	if (!isfinite(interval) || interval < 0.001 ||
	    interval > 86400.0 * 365) {
		PyErr_SetString(
		    PyExc_ValueError,
		    "memtrack.ProcessLog: interval must be a number "
		    "of seconds from 0.001 to one year");
		goto out;
	}
	if (pid < 0 || pid > INT_MAX) {
		PyErr_Format(PyExc_ValueError,
			     "memtrack.ProcessLog: bad pid %ld", pid);
		goto out;
	}
	if (argv != Py_None) {
		seq = PySequence_Fast(argv, "argv must be a sequence of str "
					    "or bytes");
		if (!seq)
			goto out;
	}
	l = calloc(1, sizeof *l);
	if (!l) {
		PyErr_NoMemory();
		goto out;
	}
	pthread_mutex_init(&l->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cv, &ca);
	pthread_condattr_destroy(&ca);
	l->fd = l->stat_fd = l->status_fd = -1;
	l->owner = getpid();
	l->pid = pid ? (pid_t)pid : l->owner;
	l->self = l->pid == l->owner;
	l->interval_ns = (int64_t)llround(interval * 1e9);
	l->path = strdup(PyBytes_AS_STRING(pathb));
	if (!l->path) {
		PyErr_NoMemory();
		goto out;
	}
	int e = open_proc(l);
	pl_sample s;
	clock_gettime(CLOCK_MONOTONIC, &l->start);
	if (!e)
		e = take_sample(l, &s);
	if (e) {
		if (e == ESRCH)
			PyErr_Format(PyExc_ProcessLookupError,
				     "memtrack.ProcessLog: no process %ld",
				     (long)l->pid);
		else {
			char p[64];
			snprintf(p, sizeof p, "/proc/%ld", (long)l->pid);
			PyObject *pp = PyUnicode_FromString(p);
			if (pp)
				oserror(e, NULL, pp);
			Py_XDECREF(pp);
		}
		goto out;
	}
	/* the first line: the header keys, then the sample */
	puts_(l, "{\"memtrack_log\": 1, \"pid\": ");
	put_u64(l, (uint64_t)l->pid);
	puts_(l, ", \"interval\": ");
	put_fixed(l, (uint64_t)(l->interval_ns / 1000000000),
		  (uint64_t)(l->interval_ns % 1000000000), 9);
	puts_(l, ", \"argv\": [");
	Py_ssize_t na = seq ? PySequence_Fast_GET_SIZE(seq) : 0;
	for (Py_ssize_t i = 0; i < na; i++) {
		PyObject *b = NULL;
		if (!PyUnicode_FSConverter(PySequence_Fast_GET_ITEM(seq, i),
					   &b))
			goto out;
		if (i)
			puts_(l, ", ");
		put_jstr(l, PyBytes_AS_STRING(b), (size_t)PyBytes_GET_SIZE(b));
		Py_DECREF(b);
	}
	puts_(l, "], ");
	put_sample(l, &s);
	put(l, "}\n", 2);
	if (l->nomem) {
		PyErr_NoMemory();
		goto out;
	}
	mt_err ferr;
	mt_err_clear(&ferr);
	PyThreadState *ts = PyEval_SaveThread();
	l->fd = create_file(l->path, l->buf, l->len, &ferr);
	PyEval_RestoreThread(ts);
	if (l->fd < 0) {
		if (ferr.code == MT_NOMEM)
			PyErr_NoMemory();
		else
			oserror(ferr.sys_errno ? ferr.sys_errno : EINVAL,
				ferr.detail, self->path);
		goto out;
	}
	l->lines = 1;
	/* the thread takes no signal: Python handles them in the main one */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&l->thread, NULL, sampler, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		/* the file holds only its first line: not a log of anything */
		unlink(l->path);
		oserror(e, NULL, self->path);
		goto out;
	}
	pthread_setname_np(l->thread, "memtrack-log");
	pthread_mutex_lock(&l->mu);
	l->started = true;
	pthread_mutex_unlock(&l->mu);
	list_add(l);
	self->log = l;
	l = NULL;
	rc = 0;
out:
	log_free(l);
	Py_XDECREF(seq);
	Py_XDECREF(pathb);
	return rc;
}

static PyObject *proclog_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
	(void)args;
	(void)kwds;
	ProcLog *self = (ProcLog *)type->tp_alloc(type, 0);
	return (PyObject *)self;
}

static void proclog_dealloc(PyObject *self_)
{
	ProcLog *self = (ProcLog *)self_;
	if (self->weakrefs)
		PyObject_ClearWeakRefs(self_);
	if (self->log) {
		/* the thread never needs the GIL: joining it here is safe */
		log_stop(self->log);
		log_free(self->log);
		self->log = NULL;
	}
	Py_CLEAR(self->path);
	Py_TYPE(self_)->tp_free(self_);
}

static pl_log *need_log(ProcLog *self)
{
	if (!self->log)
		PyErr_SetString(PyExc_ValueError,
				"memtrack.ProcessLog: not started");
	return self->log;
}

static PyObject *proclog_label(PyObject *self_, PyObject *arg)
{
	ProcLog *self = (ProcLog *)self_;
	pl_log *l = need_log(self);
	if (!l)
		return NULL;
	if (!PyUnicode_Check(arg))
		return PyErr_Format(PyExc_TypeError,
				    "label() takes a str, not %.100s",
				    Py_TYPE(arg)->tp_name);
	PyObject *b =
	    PyUnicode_AsEncodedString(arg, "utf-8", "backslashreplace");
	if (!b)
		return NULL;
	int e = 0;
	bool closed;
	PyThreadState *ts = PyEval_SaveThread();
	pthread_mutex_lock(&l->mu);
	closed = l->closed;
	if (!closed && !l->dead)
		e = write_line(l, "label", PyBytes_AS_STRING(b),
			       (size_t)PyBytes_GET_SIZE(b));
	pthread_mutex_unlock(&l->mu);
	PyEval_RestoreThread(ts);
	Py_DECREF(b);
	if (closed) {
		PyErr_SetString(PyExc_ValueError,
				"memtrack.ProcessLog: label() on a closed log");
		return NULL;
	}
	if (e == ENOMEM)
		return PyErr_NoMemory();
	if (e && e != ESRCH)
		return oserror(e, NULL, self->path);
	return Py_NewRef(Py_None);
}

static PyObject *proclog_close(PyObject *self_, PyObject *noargs)
{
	(void)noargs;
	ProcLog *self = (ProcLog *)self_;
	pl_log *l = self->log;
	if (!l)
		Py_RETURN_NONE;
	if (l->dead) {
		log_close_fds(l);
		l->closed = true;
		Py_RETURN_NONE;
	}
	PyThreadState *ts = PyEval_SaveThread();
	log_stop(l);
	PyEval_RestoreThread(ts);
	int e = l->err;
	if (l->fd >= 0 && close(l->fd) != 0 && errno != EINTR && !e)
		e = errno;
	l->fd = -1;
	log_close_fds(l);
	if (e) {
		l->err = 0; /* reported once */
		return oserror(e, NULL, self->path);
	}
	Py_RETURN_NONE;
}

/* wait(timeout=None): until the sampled process is gone, the log failed,
 * or it was closed; False when the timeout came first.  Ctrl-C works. */
static PyObject *proclog_wait(PyObject *self_, PyObject *args, PyObject *kwds)
{
	ProcLog *self = (ProcLog *)self_;
	static char *kwlist[] = {"timeout", NULL};
	PyObject *tmo = Py_None;
	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:wait", kwlist, &tmo))
		return NULL;
	pl_log *l = need_log(self);
	if (!l)
		return NULL;
	double limit = -1;
	if (tmo != Py_None) {
		limit = PyFloat_AsDouble(tmo);
		if (limit == -1 && PyErr_Occurred())
			return NULL;
		if (!(limit >= 0))
			limit = 0;
	}
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		bool done;
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		double elapsed = (double)(until.tv_sec - t0.tv_sec) +
				 (double)(until.tv_nsec - t0.tv_nsec) / 1e9;
		double slice = 0.1;
		if (limit >= 0 && limit - elapsed < slice)
			slice = limit - elapsed > 0 ? limit - elapsed : 0;
		ts_add_ns(&until, (int64_t)(slice * 1e9));
		PyThreadState *ts = PyEval_SaveThread();
		pthread_mutex_lock(&l->mu);
		done = l->ended || l->closed || l->dead;
		if (!done && slice > 0) {
			pthread_cond_timedwait(&l->cv, &l->mu, &until);
			done = l->ended || l->closed || l->dead;
		}
		pthread_mutex_unlock(&l->mu);
		PyEval_RestoreThread(ts);
		if (done)
			Py_RETURN_TRUE;
		if (PyErr_CheckSignals() < 0)
			return NULL;
		if (limit >= 0 && elapsed + slice >= limit)
			Py_RETURN_FALSE;
	}
}

static PyObject *get_path(PyObject *self_, void *c)
{
	(void)c;
	ProcLog *self = (ProcLog *)self_;
	return Py_NewRef(self->path ? self->path : Py_None);
}

static PyObject *get_interval(PyObject *self_, void *c)
{
	(void)c;
	pl_log *l = ((ProcLog *)self_)->log;
	return l ? PyFloat_FromDouble((double)l->interval_ns / 1e9)
		 : Py_NewRef(Py_None);
}

static PyObject *get_pid(PyObject *self_, void *c)
{
	(void)c;
	pl_log *l = ((ProcLog *)self_)->log;
	return l ? PyLong_FromLong((long)l->pid) : Py_NewRef(Py_None);
}

static PyObject *get_lines(PyObject *self_, void *c)
{
	(void)c;
	pl_log *l = ((ProcLog *)self_)->log;
	if (!l)
		return PyLong_FromLong(0);
	/* the lock is held only for a sample and a write, never by a thread
	 * that waits for the GIL */
	pthread_mutex_lock(&l->mu);
	uint64_t n = l->lines;
	pthread_mutex_unlock(&l->mu);
	return PyLong_FromUnsignedLongLong(n);
}

static PyObject *get_closed(PyObject *self_, void *c)
{
	(void)c;
	pl_log *l = ((ProcLog *)self_)->log;
	if (!l)
		Py_RETURN_TRUE;
	pthread_mutex_lock(&l->mu);
	bool closed = l->closed;
	pthread_mutex_unlock(&l->mu);
	return PyBool_FromLong(closed);
}

static PyObject *get_running(PyObject *self_, void *c)
{
	(void)c;
	pl_log *l = ((ProcLog *)self_)->log;
	if (!l)
		Py_RETURN_FALSE;
	pthread_mutex_lock(&l->mu);
	bool r = !l->closed && !l->ended && !l->dead;
	pthread_mutex_unlock(&l->mu);
	return PyBool_FromLong(r);
}

static PyObject *get_thread_id(PyObject *self_, void *c)
{
	(void)c;
	pl_log *l = ((ProcLog *)self_)->log;
	if (!l)
		Py_RETURN_NONE;
	pthread_mutex_lock(&l->mu);
	pid_t t = l->tid;
	pthread_mutex_unlock(&l->mu);
	if (!t)
		Py_RETURN_NONE;
	return PyLong_FromLong((long)t);
}

static PyGetSetDef proclog_getset[] = {
    {"path", get_path, NULL, "the path given", NULL},
    {"interval", get_interval, NULL, "seconds between samples", NULL},
    {"pid", get_pid, NULL, "the process sampled", NULL},
    {"lines", get_lines, NULL, "lines written so far (the first included)",
     NULL},
    {"thread_id", get_thread_id, NULL,
     "the sampler thread's kernel thread id (/proc/self/task/ID), or None "
     "before it started or after it ended",
     NULL},
    {"closed", get_closed, NULL, "close() was called", NULL},
    {"running", get_running, NULL,
     "samples are being taken: not closed, the process alive, no write "
     "error, not a fork() child's copy",
     NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyMethodDef proclog_methods[] = {
    {"label", proclog_label, METH_O,
     "label($self, text, /)\n--\n\n"
     "Write a sample taken now with \"label\": text."},
    {"close", proclog_close, METH_NOARGS,
     "close($self, /)\n--\n\n"
     "Stop sampling: join the thread, write a final sample, close the\n"
     "file.  Raises OSError if a write failed.  Idempotent."},
    {"wait", (PyCFunction)(void (*)(void))proclog_wait,
     METH_VARARGS | METH_KEYWORDS,
     "wait($self, /, timeout=None)\n--\n\n"
     "Block until the sampled process is gone, a write failed or the log\n"
     "is closed (True), or until timeout seconds have passed (False)."},
    {NULL, NULL, 0, NULL}};

static PyTypeObject proclog_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "memtrack._memtrack._ProcLog",
    .tp_basicsize = sizeof(ProcLog),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "_ProcLog(path, interval=1.0, *, pid=0, argv=None)\n--\n\n"
	      "The C core of memtrack.ProcessLog (doc/proclog.md): starts "
	      "sampling\nat once; pid 0 is this process.",
    .tp_new = proclog_new,
    .tp_init = proclog_init,
    .tp_dealloc = proclog_dealloc,
    .tp_weaklistoffset = offsetof(ProcLog, weakrefs),
    .tp_methods = proclog_methods,
    .tp_getset = proclog_getset,
};

/* ---- the module hooks ---------------------------------------------------- */

void mt_proclog_dump_marker(const char *path)
{
	char *abs = realpath(path, NULL);
	const char *p = abs ? abs : path;
	pid_t me = getpid();
	pthread_mutex_lock(&g_mu);
	for (pl_log *l = g_logs; l; l = l->next) {
		if (!l->self || l->owner != me)
			continue;
		pthread_mutex_lock(&l->mu);
		if (!l->closed && !l->dead && !l->stop)
			write_line(l, "dump", p, strlen(p));
		pthread_mutex_unlock(&l->mu);
	}
	pthread_mutex_unlock(&g_mu);
	free(abs);
}

int mt_proclog_init_module(PyObject *m)
{
	static bool atfork_done;
	if (!atfork_done) {
		if (pthread_atfork(atfork_prepare, atfork_parent,
				   atfork_child) != 0) {
			PyErr_SetString(PyExc_ImportError,
					"memtrack: pthread_atfork failed");
			return -1;
		}
		atfork_done = true;
		long t = sysconf(_SC_CLK_TCK);
		long pg = sysconf(_SC_PAGESIZE);
		if (t > 0)
			g_tck = t;
		if (pg > 0)
			g_page = (uint64_t)pg;
	}
	if (PyType_Ready(&proclog_type) < 0)
		return -1;
	Py_INCREF(&proclog_type);
	if (PyModule_AddObject(m, "_ProcLog", (PyObject *)&proclog_type) < 0) {
		Py_DECREF(&proclog_type);
		return -1;
	}
	return 0;
}
