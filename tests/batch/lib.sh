# Shared setup for the shell tests of memtrack-tui (sourced).
# Finds the binary and the fixture writer in $MEMTRACK_BUILDDIR (set by
# AM_TESTS_ENVIRONMENT), makes a scratch directory and counts failures.
: "${MEMTRACK_BUILDDIR:?run through make check (MEMTRACK_BUILDDIR unset)}"
: "${MEMTRACK_SRCDIR:?run through make check (MEMTRACK_SRCDIR unset)}"
TUI="$MEMTRACK_BUILDDIR/memtrack-tui"
MKDUMP="$MEMTRACK_BUILDDIR/tests/unit/mkdump"
GOLDEN="$MEMTRACK_SRCDIR/tests/golden"
for p in "$TUI" "$MKDUMP"; do
	if [ ! -x "$p" ]; then
		echo "missing $p (make check builds it)" >&2
		exit 99
	fi
done
# A sanitized build needs the ASan runtime only for Python; the binary
# links it itself.  Keep leak checks on.
T=$(mktemp -d "${TMPDIR:-/tmp}/mt_batch.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# run ARGS...: runs the binary, leaving stdout, stderr and status in
# $T/out, $T/err and $rc.
run() {
	rc=0
	"$TUI" "$@" >"$T/out" 2>"$T/err" || rc=$?
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures failure(s)" >&2
		exit 1
	fi
	exit 0
}
