## plugins/: bundled plugins.  Capture plugins (include/memtrack/plugin.h)
## are compiled into the `memtrack` extension and listed in
## plugins/capture.def; analysis classifiers (include/memtrack/classifier.h)
## go into the analysis library and are listed in plugins/classifiers.def.
## Each plugin's local.mk appends its sources to _memtrack_la_SOURCES and/or
## libmtanalysis_la_SOURCES, so this file is included from Makefile.am after
## src/capture/local.mk and src/analysis/local.mk.  doc/plugins.md.
include $(srcdir)/plugins/numpy/local.mk
include $(srcdir)/plugins/lxml/local.mk
EXTRA_DIST += doc/plugins.md tests/python/test_plugin_numpy.py \
	tests/python/test_plugin_lxml.py
