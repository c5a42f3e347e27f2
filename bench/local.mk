## bench/: benchmark programs (figures, not tests).  Built on demand:
##   make bench/bench_load; bench/run.sh runs everything (doc/benchmarks.md).
EXTRA_PROGRAMS = bench/bench_load bench/bench_analysis bench/bench_browser
bench_bench_load_SOURCES = bench/bench_load.c
bench_bench_load_LDADD = libmtgraph.la
bench_bench_analysis_SOURCES = bench/bench_analysis.c
bench_bench_analysis_LDADD = libmtanalysis.la
bench_bench_browser_SOURCES = bench/bench_browser.c
bench_bench_browser_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/browser
bench_bench_browser_LDADD = libmtbrowser.la
CLEANFILES += bench/bench_load bench/bench_analysis bench/bench_browser
EXTRA_DIST += bench/run.sh bench/bench_capture.py bench/benchutil.h
