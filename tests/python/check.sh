#!/bin/sh
# `make check` entry for the Python capture tests: runs tests/python/run.py
# with the configured interpreter on the module just built.  In a sanitized
# build the ASan runtime must be preloaded into the interpreter.
set -eu
if [ -n "${MEMTRACK_ASAN_RUNTIME:-}" ]; then
    LD_PRELOAD="$MEMTRACK_ASAN_RUNTIME"
    ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
    export LD_PRELOAD ASAN_OPTIONS
fi
exec "$MEMTRACK_PYTHON" "$MEMTRACK_SRCDIR/tests/python/run.py" "$MEMTRACK_BUILDDIR/python"
