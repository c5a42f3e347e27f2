## bench/: benchmark programs (figures, not tests).  Built on demand:
##   make bench/bench_load; bench/run.sh runs everything (doc/benchmarks.md).
EXTRA_PROGRAMS = bench/bench_load
bench_bench_load_SOURCES = bench/bench_load.c
bench_bench_load_LDADD = libmtgraph.la
CLEANFILES += bench/bench_load
EXTRA_DIST += bench/run.sh bench/bench_capture.py
