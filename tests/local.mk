## tests/: the Python capture tests for the configured interpreter (the
## other interpreters are covered by tests/run-all.sh).  Unit and batch tests
## are declared next to the code they test, in each layer's local.mk.
TESTS += tests/python/check.sh
# Installing: pip install . into a venv (offline), make install prefix=,
# --with-python-platlib (README.md, Install).
TESTS += tests/test_install.sh
EXTRA_DIST += tests/test_install.sh
# The layering rules of doc/hacking.md, checked on the sources.
TESTS += tests/layers.sh
EXTRA_DIST += tests/layers.sh
# Files, not directories: automake would copy a directory from the build
# tree when it exists there, with the build's test logs in it.
EXTRA_DIST += tests/run-all.sh tests/sid-chroot.sh \
	tests/programs/run.sh tests/programs/run.py tests/programs/driver.py \
	tests/programs/prog_asyncio.py tests/programs/prog_docutils.py \
	tests/programs/prog_generators.py tests/programs/prog_gevent.py \
	tests/programs/prog_lxml.py tests/programs/prog_mypy.py \
	tests/programs/prog_numpy.py tests/programs/prog_pandas.py \
	tests/programs/prog_sqlalchemy.py tests/programs/prog_sympy.py \
	tests/programs/prog_threads.py tests/programs/prog_twisted.py \
	doc/corpus.md \
	tests/python/mtutil.py tests/python/run.py tests/python/test_api.py \
	tests/python/test_readme.py tests/python/test_readme_gate.py \
	tests/python/test_errors.py tests/python/test_fidelity.py \
	tests/python/test_files.py \
	tests/python/test_frames.py \
	tests/python/test_heapy_golden.py tests/python/test_heapy_heap.py \
	tests/python/test_heapy_labels.py tests/python/test_heapy_diff.py \
	tests/python/test_perturb.py tests/python/test_reach.py \
	tests/python/test_proclog.py \
	tests/python/test_background.py \
	tests/python/test_triggers.py tests/python/test_run.py \
	tests/python/test_attach.py \
	tests/python/test_byprod.py \
	tests/python/test_report.py \
	tests/python/test_stats.py tests/python/test_pympler_side.py tests/python/pympler_util.py \
	tests/python/test_readme_tracker.py \
	tests/python/test_classtracker.py \
	tests/python/test_query_compare.py \
	tests/python/test_rich_heap.py tests/python/test_sizes.py \
	tests/python/test_structure.py tests/python/test_values.py \
	tests/python/test_version.py \
	tests/python/test_walker_safety.py \
	tests/python/check.sh tests/golden/heapy-3.10.13.txt \
	tests/golden/heapy-3.11.2.txt tests/golden/heapy-3.11.7.txt \
	tests/golden/heapy-3.12.1.txt tests/golden/heapy-3.13.0.txt \
	tests/golden/heapy-3.13.18.txt tests/golden/heapy-3.14.10.txt \
	tests/golden/heapy-3.9.18.txt

## Fuzzers (doc/fuzzing.md): built with --enable-fuzzing CC=clang, run by
## tests/fuzz/run.sh on the seed corpora of tests/fuzz/corpus/<target>.
FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined
if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_load tests/fuzz/fuzz_analysis \
	tests/fuzz/fuzz_query tests/fuzz/fuzz_series
tests_fuzz_fuzz_load_SOURCES = tests/fuzz/fuzz_load.c
tests_fuzz_fuzz_load_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_load_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_load_LDADD = libmtgraph.la
tests_fuzz_fuzz_analysis_SOURCES = tests/fuzz/fuzz_analysis.c
tests_fuzz_fuzz_analysis_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_analysis_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_analysis_LDADD = libmtquery.la
tests_fuzz_fuzz_query_SOURCES = tests/fuzz/fuzz_query.c \
	tests/unit/fixture.c tests/unit/fixture.h
tests_fuzz_fuzz_query_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_fuzz_fuzz_query_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_query_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_query_LDADD = libmtquery.la
tests_fuzz_fuzz_series_SOURCES = tests/fuzz/fuzz_series.c
tests_fuzz_fuzz_series_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_series_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_series_LDADD = libmtformat.la
endif
EXTRA_DIST += tests/fuzz/fuzz_load.c tests/fuzz/fuzz_analysis.c \
	tests/fuzz/fuzz_query.c tests/fuzz/fuzz_series.c \
	tests/fuzz/run.sh tests/fuzz/mkcorpus.sh \
	tests/fuzz/query.dict doc/fuzzing.md
# The seed corpora are many small files: copied from the source tree (never
# the build tree) into the tarball as a whole.
dist-hook: dist-fuzz-corpus
dist-fuzz-corpus:
	mkdir -p $(distdir)/tests/fuzz/corpus
	cp -pR $(srcdir)/tests/fuzz/corpus/. $(distdir)/tests/fuzz/corpus/
	chmod -R u+w $(distdir)/tests/fuzz/corpus
.PHONY: dist-fuzz-corpus
## goldens of tests/batch/test_golden.sh: paths and patterns that page
EXTRA_DIST += tests/golden/query-sp-more.txt tests/golden/query-rp-more.txt \
	tests/golden/mine.txt tests/golden/query-mine.txt \
	tests/python/test_mine.py \
	tests/golden/query-paths.txt tests/python/test_paths.py \
	tests/python/test_mark.py
