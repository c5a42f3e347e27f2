/* memtrack._memtrack._html_report: the HTML report writer (series.h,
 * src/format/report.c) for Python, so that HtmlStats.create_html and
 * memtrack-tui --html write the same page from one writer.  The files are
 * loaded and the page written without the GIL.  _write_private: bytes to
 * a file by the rules of a dump (safefile.h), for Stats.dump_stats. */
#include "config.h"

#include "modhooks.h"

#include "memtrack/safefile.h"
#include "memtrack/series.h"

/* Raises the error of a failed load or write: OSError (errno, text, path)
 * for MT_IO, MemoryError, else ValueError("PATH: text"). */
static void raise_err(const char *path, const mt_err *err)
{
	char buf[512];
	if (err->code == MT_NOMEM) {
		PyErr_NoMemory();
		return;
	}
	if (err->code == MT_IO && err->sys_errno) {
		/* OSError(errno, "No such file or directory", path) */
		PyObject *args = Py_BuildValue("(iO&O&)", err->sys_errno,
					       PyUnicode_DecodeFSDefault,
					       err->detail,
					       PyUnicode_DecodeFSDefault, path);
		if (args) {
			mt_py_set_oserror(args);
			Py_DECREF(args);
		}
		return;
	}
	mt_err_format(err, buf, sizeof buf);
	PyErr_Format(PyExc_ValueError, "%s: %s", path, buf);
}

/* A str or os.PathLike into a bytes object (caller's reference), or NULL
 * with an exception. */
static PyObject *fs_bytes(PyObject *o)
{
	PyObject *b = NULL;
	if (!PyUnicode_FSConverter(o, &b))
		return NULL;
	return b;
}

PyDoc_STRVAR(html_report_doc,
	     "_html_report(out, paths, names=None)\n--\n\n"
	     "Write the HTML report (memtrack-tui --html) of the process logs "
	     "and tracker\nstats files `paths` to `out` (atomically, mode "
	     "0600).  `names`, if given,\nis how the page names each file "
	     "(None: not named; default: the paths).\nRaises OSError when a "
	     "file cannot be read or out written, ValueError\nwhen a file is "
	     "not a log or stats file or is malformed.");

static PyObject *html_report(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"out", "paths", "names", NULL};
	PyObject *out_o, *paths_o, *names_o = Py_None;
	PyObject *out_b = NULL, *seq = NULL, *nseq = NULL, *ret = NULL;
	PyObject **pb = NULL, **nb = NULL;
	mt_series *s = NULL;
	const mt_series **v = NULL;
	const char **paths = NULL, **names = NULL;
	Py_ssize_t n = 0, loaded = 0, i;
	mt_err err;
	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|O:_html_report", kwlist,
					 &out_o, &paths_o, &names_o))
		return NULL;
	if (!(out_b = fs_bytes(out_o)))
		return NULL;
	if (!(seq = PySequence_Fast(paths_o, "paths must be a sequence")))
		goto done;
	n = PySequence_Fast_GET_SIZE(seq);
	if (n == 0) {
		PyErr_SetString(PyExc_ValueError, "no file to report on");
		goto done;
	}
	if (names_o != Py_None) {
		if (!(nseq =
			  PySequence_Fast(names_o, "names must be a sequence")))
			goto done;
		if (PySequence_Fast_GET_SIZE(nseq) != n) {
			PyErr_SetString(PyExc_ValueError,
					"names and paths differ in length");
			goto done;
		}
	}
	pb = PyMem_Calloc((size_t)n, sizeof *pb);
	nb = PyMem_Calloc((size_t)n, sizeof *nb);
	s = PyMem_Calloc((size_t)n, sizeof *s);
	v = PyMem_Calloc((size_t)n, sizeof *v);
	paths = PyMem_Calloc((size_t)n, sizeof *paths);
	names = PyMem_Calloc((size_t)n, sizeof *names);
	if (!pb || !nb || !s || !v || !paths || !names) {
		PyErr_NoMemory();
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (!(pb[i] = fs_bytes(PySequence_Fast_GET_ITEM(seq, i))))
			goto done;
		paths[i] = PyBytes_AS_STRING(pb[i]);
		names[i] = paths[i];
		if (nseq) {
			PyObject *nm = PySequence_Fast_GET_ITEM(nseq, i);
			if (nm == Py_None) {
				names[i] = NULL;
			} else if (!PyUnicode_Check(nm)) {
				PyErr_SetString(PyExc_TypeError,
						"names must be str or None");
				goto done;
			} else {
				Py_INCREF(nm);
				nb[i] = nm;
				if (!(names[i] = PyUnicode_AsUTF8(nm)))
					goto done;
			}
		}
	}
	{
		mt_status st = MT_OK;
		const char *failed = NULL;
		mt_err_clear(&err);
		Py_BEGIN_ALLOW_THREADS;
		for (loaded = 0; loaded < n; loaded++) {
			if ((st = mt_series_load(paths[loaded], &s[loaded],
						 &err))) {
				failed = paths[loaded];
				break;
			}
			v[loaded] = &s[loaded];
		}
		if (!st && (st = mt_report_html(PyBytes_AS_STRING(out_b), v,
						names, (size_t)n, &err)))
			failed = PyBytes_AS_STRING(out_b);
		Py_END_ALLOW_THREADS;
		if (st) {
			raise_err(failed, &err);
			goto done;
		}
	}
	Py_INCREF(Py_None);
	ret = Py_None;
done:
	for (i = 0; s && i < loaded; i++)
		mt_series_destroy(&s[i]);
	for (i = 0; i < n; i++) {
		if (pb)
			Py_XDECREF(pb[i]);
		if (nb)
			Py_XDECREF(nb[i]);
	}
	PyMem_Free(pb);
	PyMem_Free(nb);
	PyMem_Free(s);
	PyMem_Free(v);
	PyMem_Free(paths);
	PyMem_Free(names);
	Py_XDECREF(seq);
	Py_XDECREF(nseq);
	Py_XDECREF(out_b);
	return ret;
}

PyDoc_STRVAR(write_private_doc,
	     "_write_private(path, data, what)\n--\n\n"
	     "Write the bytes `data` to `path` as memtrack writes a dump "
	     "(include/memtrack/safefile.h):\nthrough a private temporary "
	     "file beside it (mode 0600) renamed onto it; only\nan absent "
	     "path or a regular file is replaced (`what`, e.g. 'a stats "
	     "file',\nnames the file in the refusal).  Nothing is left "
	     "behind on an error.\nRaises OSError.");

static PyObject *write_private(PyObject *self, PyObject *args)
{
	PyObject *path_b = NULL;
	Py_buffer data;
	const char *what;
	(void)self;
	if (!PyArg_ParseTuple(args, "O&y*s:_write_private",
			      PyUnicode_FSConverter, &path_b, &data, &what))
		return NULL;
	const char *path = PyBytes_AS_STRING(path_b);
	mt_err err;
	mt_err_clear(&err);
	mt_safefile f;
	mt_status st;
	Py_BEGIN_ALLOW_THREADS
	st = mt_safefile_open(&f, path, what, 0, &err);
	if (st == MT_OK) {
		st = mt_safefile_write(&f, data.buf, (size_t)data.len, &err);
		if (st == MT_OK)
			st = mt_safefile_commit(&f, &err);
		else
			mt_safefile_abort(&f);
	}
	Py_END_ALLOW_THREADS
	PyBuffer_Release(&data);
	if (st != MT_OK) {
		raise_err(path, &err);
		Py_DECREF(path_b);
		return NULL;
	}
	Py_DECREF(path_b);
	Py_RETURN_NONE;
}

static PyMethodDef report_methods[] = {
    {"_write_private", write_private, METH_VARARGS, write_private_doc},
    {"_html_report", (PyCFunction)(void (*)(void))html_report,
     METH_VARARGS | METH_KEYWORDS, html_report_doc},
    {NULL, NULL, 0, NULL},
};

int mt_report_init_module(PyObject *m)
{
	return PyModule_AddFunctions(m, report_methods);
}
