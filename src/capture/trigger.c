/* Dumps that the program does not call for itself: on a signal
 * (dump_on_signal), when the resident set first crosses a bound (dump_when),
 * and the file names they make (_dump_name).  doc/capture.md, "Dumps on a
 * signal, a memory bound, or at exit".
 *
 * File names follow Node's heapsnapshot convention:
 * DIRECTORY/PROG.PID.YYYYMMDD-HHMMSS.SEQ.mp (local time; SEQ from one
 * process-wide counter, the first number whose file does not exist yet,
 * never reused in one process: the GIL protects it).
 */
#include "config.h"

#include "modhooks.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
    {NULL, NULL, 0, NULL}};

int mt_trigger_init_module(PyObject *m)
{
	return PyModule_AddFunctions(m, trigger_methods);
}
