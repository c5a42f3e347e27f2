## bench/: benchmark programs (figures, not tests).  `make check` builds
## them so that a change that breaks one is caught, and runs none;
## bench/run.sh runs everything (doc/benchmarks.md).
check_PROGRAMS += bench/bench_load bench/bench_analysis bench/bench_browser \
	bench/bench_compare bench/bench_writer bench/gen_bigdump
bench_bench_load_SOURCES = bench/bench_load.c
bench_bench_load_LDADD = libmtgraph.la
bench_bench_analysis_SOURCES = bench/bench_analysis.c
bench_bench_analysis_LDADD = libmtanalysis.la
bench_bench_browser_SOURCES = bench/bench_browser.c
bench_bench_browser_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/browser
bench_bench_browser_LDADD = libmtbrowser.la
bench_bench_compare_SOURCES = bench/bench_compare.c
bench_bench_compare_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/browser
bench_bench_compare_LDADD = libmtbrowser.la
bench_bench_writer_SOURCES = bench/bench_writer.c
bench_bench_writer_LDADD = libmtformat.la
bench_gen_bigdump_SOURCES = bench/gen_bigdump.c
bench_gen_bigdump_LDADD = libmtformat.la
EXTRA_DIST += bench/run.sh bench/bench_capture.py bench/bench_cliff.py \
	bench/benchutil.h bench/bench_compare.py
EXTRA_DIST += bench/bench_mark.py
EXTRA_DIST += bench/bench_byprod.py
EXTRA_DIST += bench/bench_proclog.py
EXTRA_DIST += bench/bench_tracker.py
EXTRA_DIST += bench/bench_gaps.py
# gen_bigdump writes the synthetic dumps of the big-heap benchmarks; its
# test loads a small one.
TESTS += tests/batch/test_bigdump.sh
EXTRA_DIST += tests/batch/test_bigdump.sh
# saved indexes (savedidx.h): build, save and reuse of the dominator tree
check_PROGRAMS += bench/bench_savedidx
bench_bench_savedidx_SOURCES = bench/bench_savedidx.c
bench_bench_savedidx_LDADD = libmtanalysis.la
