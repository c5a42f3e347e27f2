## tests/: the Python capture tests for the configured interpreter (the
## other interpreters are covered by tests/run-all.sh).  Unit and batch tests
## are declared next to the code they test, in each layer's local.mk.
TESTS += tests/python/check.sh
# Files, not directories: automake would copy a directory from the build
# tree when it exists there, with the build's test logs in it.
EXTRA_DIST += tests/run-all.sh \
	tests/python/mtutil.py tests/python/run.py \
	tests/python/test_errors.py tests/python/test_frames.py \
	tests/python/test_heapy_golden.py tests/python/test_heapy_heap.py \
	tests/python/test_perturb.py tests/python/test_reach.py \
	tests/python/test_rich_heap.py tests/python/test_sizes.py \
	tests/python/test_structure.py tests/python/test_values.py \
	tests/python/check.sh tests/golden/heapy-3.10.13.txt \
	tests/golden/heapy-3.11.2.txt tests/golden/heapy-3.11.7.txt \
	tests/golden/heapy-3.12.1.txt tests/golden/heapy-3.13.0.txt \
	tests/golden/heapy-3.9.18.txt

if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_load
tests_fuzz_fuzz_load_SOURCES = tests/fuzz/fuzz_load.c
tests_fuzz_fuzz_load_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer,address,undefined
tests_fuzz_fuzz_load_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer,address,undefined
tests_fuzz_fuzz_load_LDADD = libmtgraph.la
endif
