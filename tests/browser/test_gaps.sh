#!/bin/sh
# bench/bench_gaps.py (doc/benchmarks.md, "Big heaps: waits in the
# browser") drives the real memtrack-tui in tmux: on a small dump every
# step of its default scenario gets a line with a measured response (a key
# whose answer was missed would show "nan"), the program quits at the last
# `q`, and the run ends with "gaps: N"; with --retained=bounds each step's
# page is filled (filled_ms) no later than it ends; a missing dump is one line and
# status 2.  Skipped (77) without tmux.
. "${MEMTRACK_SRCDIR:?run through make check}/tests/batch/lib.sh"

command -v tmux >/dev/null 2>&1 || {
	echo "skip: tmux is not installed" >&2
	exit 77
}
: "${MEMTRACK_PYTHON:?run through make check}"
unset TMUX
"$MKDUMP" demo "$T/demo.mp" || { echo "mkdump failed" >&2; exit 99; }
B="$MEMTRACK_SRCDIR/bench/bench_gaps.py"

rc=0
"$MEMTRACK_PYTHON" "$B" "$TUI" "$T/demo.mp" --settle 0.5 --timeout 60 \
	>"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 0 ] || fail "status $rc: $(cat "$T/err")"
n=$(grep -c '^step ' "$T/out")
[ "$n" -eq 7 ] || fail "$n step lines, not 7: $(cat "$T/out")"
grep '^step ' "$T/out" | grep -q 'nan' &&
	fail "a step with no response: $(grep nan "$T/out")"
grep -q '^step  start ' "$T/out" || fail "no start step"
grep -Eq '^gaps: [0-9]+$' "$T/out" || fail "no gaps line: $(tail -3 "$T/out")"

# --retained passes through; every step has its page filled no later
# than its end (filled_ms <= done_ms)
rc=0
"$MEMTRACK_PYTHON" "$B" "$TUI" "$T/demo.mp" --settle 0.5 --timeout 60 \
	--retained bounds --keys t,q,q >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 0 ] || fail "bounds: status $rc: $(cat "$T/err")"
n=$(grep -c '^step ' "$T/out")
[ "$n" -eq 4 ] || fail "bounds: $n step lines, not 4: $(cat "$T/out")"
awk '/^step / { for (i = 1; i < NF; i++) { if ($i == "filled_ms") f = $(i+1);
	if ($i == "done_ms") d = $(i+1) }
	if (f == "" || f + 0 > d + 0) { print; bad = 1 } }
	END { exit bad }' "$T/out" || fail "bounds: filled after done: $(cat "$T/out")"

rc=0
"$MEMTRACK_PYTHON" "$B" "$TUI" "$T/missing.mp" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 2 ] || fail "missing dump: status $rc"
grep -q "missing.mp: no such file" "$T/err" || fail "missing dump: $(cat "$T/err")"
finish
