## src/capture: the `memtrack` Python package: the CPython extension module
## `memtrack._memtrack` and the package's Python files
## (src/capture/memtrack/).  The extension links the format library only
## (never libpython, never -no-undefined, never the graph lib).
memtrackpkgdir = $(pyexecdir)/memtrack
memtrackpkg_LTLIBRARIES = _memtrack.la
_memtrack_la_SOURCES = \
	src/capture/module.c src/capture/modhooks.h \
	src/capture/tracker.c src/capture/proclog.c src/capture/report_py.c \
	src/capture/bgdump.c src/capture/bgdump.h src/capture/trigger.c \
	src/capture/walk.c src/capture/walk.h src/capture/walkpriv.h \
	src/capture/kinds.c src/capture/plugin.c src/capture/plugsink.c \
	src/capture/objtable.c src/capture/objtable.h src/capture/prefetch.h \
	src/capture/mark.c src/capture/mark.h \
	src/capture/allocsite.c src/capture/allocsite.h \
	src/capture/py_internals.c src/capture/pyint.h \
	src/capture/greenlet.c src/capture/greenlet.h
# Bundled plugins (plugins/capture.def) are compiled into the extension with
# MT_PLUGIN_BUNDLED: their plugins/<name>/local.mk add their sources to
# _memtrack_la_SOURCES.
_memtrack_la_CPPFLAGS = $(AM_CPPFLAGS) $(PYTHON_CPPFLAGS) -DMT_PLUGIN_BUNDLED
_memtrack_la_CFLAGS = $(AM_CFLAGS) -fno-strict-aliasing
_memtrack_la_LDFLAGS = -module -avoid-version -shared $(AM_LDFLAGS)
_memtrack_la_LIBADD = libmtformat.la

# The package's Python files: installed beside _memtrack.so, and copied with
# a link to .libs/_memtrack.so into the build tree's python/memtrack/, the
# directory tests put first on sys.path (tests/python/check.sh).  A new
# Python file of the package: one more name here.
memtrack_py = \
	src/capture/memtrack/__init__.py src/capture/memtrack/__main__.py \
	src/capture/memtrack/classtracker.py src/capture/memtrack/stats.py \
	src/capture/memtrack/proclog.py \
	src/capture/memtrack/_logcli.py \
	src/capture/memtrack/_runcli.py \
	src/capture/memtrack/_dumpcli.py src/capture/memtrack/_attach.py
dist_memtrackpkg_DATA = $(memtrack_py)
python/memtrack/.stamp: $(memtrack_py) _memtrack.la
	$(AM_V_GEN)$(MKDIR_P) python/memtrack && \
	for f in $(memtrack_py); do \
	  cp "$(srcdir)/$$f" python/memtrack/ || exit 1; \
	done && \
	ln -sf ../../.libs/_memtrack.so python/memtrack/_memtrack.so && \
	touch $@
all-local: python/memtrack/.stamp
clean-local: clean-local-python
clean-local-python:
	-rm -rf python

# The misbehaving capture plugin of tests/python/test_plugins.py, loaded by
# path (tests/python/.libs/mt_testplugin.so).  Other test plugins: +=.
check_LTLIBRARIES = tests/python/mt_testplugin.la
tests_python_mt_testplugin_la_SOURCES = tests/python/mt_testplugin.c
tests_python_mt_testplugin_la_CPPFLAGS = $(AM_CPPFLAGS) $(PYTHON_CPPFLAGS)
tests_python_mt_testplugin_la_LDFLAGS = -module -avoid-version -shared \
	-rpath /nowhere $(AM_LDFLAGS)

# tests/python (run by tests/python/check.sh) is listed in tests/local.mk.
EXTRA_DIST += doc/capture.md plugins/capture.def tests/python/test_plugins.py
EXTRA_DIST += doc/proclog.md
EXTRA_DIST += doc/tracker.md
noinst_HEADERS += include/memtrack/plugin.h

# The mark's set (mark.c has no Python): a unit test of its own.
check_PROGRAMS += tests/unit/test_mark
TESTS += tests/unit/test_mark
tests_unit_test_mark_SOURCES = tests/unit/test_mark.c src/capture/mark.c
tests_unit_test_mark_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_mark_LDADD = $(CMOCKA_LIBS)

# The walker's identity table (objtable.c has no Python): a unit test.
check_PROGRAMS += tests/unit/test_objtable
TESTS += tests/unit/test_objtable
tests_unit_test_objtable_SOURCES = tests/unit/test_objtable.c \
	src/capture/objtable.c
tests_unit_test_objtable_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_objtable_LDADD = $(CMOCKA_LIBS)
