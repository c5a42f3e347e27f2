## tests/: the Python capture tests for the configured interpreter (the
## other interpreters are covered by tests/run-all.sh).  Unit and batch tests
## are declared next to the code they test, in each layer's local.mk.
TESTS += tests/python/check.sh
EXTRA_DIST += tests/run-all.sh tests/python

if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_load
tests_fuzz_fuzz_load_SOURCES = tests/fuzz/fuzz_load.c
tests_fuzz_fuzz_load_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer,address,undefined
tests_fuzz_fuzz_load_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer,address,undefined
tests_fuzz_fuzz_load_LDADD = libmtgraph.la
endif
