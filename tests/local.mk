## tests/: the Python capture tests for the configured interpreter (the
## other interpreters are covered by tests/run-all.sh).  Unit and batch tests
## are declared next to the code they test, in each layer's local.mk.
TESTS += tests/python/check.sh
EXTRA_DIST += tests/run-all.sh tests/python
