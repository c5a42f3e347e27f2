#!/bin/sh
# memtrack-tui with two or three dumps (issue 10): the command line and its
# errors, heapy's difference table (--batch OLD NEW, --by, --all) against
# goldens, -e with h, h0 and h1, the CI gate (--fail-on-growth), memlab's
# leak candidates (--batch A B C), on fixture dumps and on real dumps of one
# Python process.  heapy's own text for the same two heaps is compared in
# tests/python/test_heapy_diff.py.  To regenerate the goldens:
#   MEMTRACK_REGEN=1 make check TESTS=tests/batch/test_diff.sh
. "$MEMTRACK_SRCDIR/tests/batch/lib.sh"

"$MKDUMP" demo "$T/demo.mp" || exit 99
"$MKDUMP" many "$T/many.mp" || exit 99
"$MKDUMP" empty "$T/empty.mp" || exit 99
D="$T/demo.mp"
M="$T/many.mp"

# golden NAME ARGS...: stdout must equal tests/golden/NAME.txt, stderr empty.
golden() {
	name=$1
	shift
	run "$@"
	[ "$rc" -eq 0 ] || fail "$name: exit status $rc: $(cat "$T/err")"
	if [ -n "$MEMTRACK_REGEN" ]; then
		cp "$T/out" "$GOLDEN/$name.txt"
	fi
	diff -u "$GOLDEN/$name.txt" "$T/out" >&2 || fail "$name: output differs"
	[ -s "$T/err" ] && fail "$name: unexpected stderr: $(cat "$T/err")"
}

# error WHAT PATTERN ARGS...: status 1, nothing on stdout, one line on
# stderr matching PATTERN (grep -E).
error() {
	what=$1
	pat=$2
	shift 2
	run "$@" </dev/null
	[ "$rc" -eq 1 ] || fail "$what: exit status $rc, not 1"
	[ -s "$T/out" ] && fail "$what: unexpected stdout: $(head -3 "$T/out")"
	[ "$(wc -l <"$T/err")" -eq 1 ] ||
		fail "$what: stderr is not one line: $(cat "$T/err")"
	grep -Eq -e "$pat" "$T/err" || fail "$what: stderr: $(cat "$T/err")"
}

## The command line: every dump loaded first, errors in one line naming
## the file.
error "four dumps" 'more than three heap files' "$D" "$M" "$D" "$M"
error "four dumps, --batch" 'more than three heap files' --batch "$D" "$M" \
	"$D" "$M"
error "missing NEW" "^memtrack-tui: $T/nope.mp: .*No such file" --batch \
	"$D" "$T/nope.mp"
error "missing OLD" "^memtrack-tui: $T/nope.mp: .*No such file" --batch \
	"$T/nope.mp" "$D"
error "missing B of three" "^memtrack-tui: $T/nope.mp: " -e h "$D" \
	"$T/nope.mp" "$M"
printf 'not a dump\n' >"$T/bad.mp"
error "corrupt NEW" "^memtrack-tui: $T/bad.mp: not a memtrack dump" --batch \
	"$D" "$T/bad.mp"
head -c 300 "$M" >"$T/cut.mp"
error "truncated NEW" "^memtrack-tui: $T/cut.mp: " --batch "$D" "$T/cut.mp"
# the browser too: the load error comes before the terminal is needed
error "missing NEW, browser" "^memtrack-tui: $T/nope.mp: " "$D" "$T/nope.mp"
error "corrupt, headless" "^memtrack-tui: $T/bad.mp: " --headless --keys q \
	"$T/bad.mp" "$D"
# options that do not go with several dumps
error "--human, two dumps" 'human goes with one dump' --batch --human \
	"$D" "$M"
error "--fail-on-growth, one dump" 'fail-on-growth goes with --batch OLD NEW' \
	--batch --fail-on-growth=1M "$D"
error "--fail-on-growth, -e" 'fail-on-growth goes with --batch OLD NEW' \
	--fail-on-growth=1M -e h "$D" "$M"
error "--fail-on-growth, browser" 'fail-on-growth goes with --batch' \
	--fail-on-growth=1M "$D" "$M"
error "--mine, browser" 'mine goes with --batch or -e' --mine "$D" "$M"
for bad in '' 1X -1 +1 ' 1M' 1M, 1.2.3 . 0x10 1e3 1m 1Mi 1KIB inf \
	99999999999999999999G; do
	error "--fail-on-growth='$bad'" "bad size '.*' for --fail-on-growth" \
		--batch "--fail-on-growth=$bad" "$D" "$M"
	grep -qF "'$bad'" "$T/err" || fail "--fail-on-growth='$bad': $(cat "$T/err")"
done
error "--fail-on-growth without a value" 'needs an argument' --batch "$D" \
	"$M" --fail-on-growth
error "-B unknown, two dumps" "unknown classifier 'nosuch'" --batch \
	-B nosuch "$D" "$M"
error "--mine, -e, two dumps" 'mine with several dumps goes with --batch' \
	--mine -e h "$D" "$M"

## heapy's difference table: NEW - OLD, rows that changed by absolute size
## difference, 10 then the count of the rest; --all, --by
golden diff-clodo --batch "$D" "$M"
golden diff-grow --batch "$M" "$D"
golden diff-all --batch --all "$M" "$D"
golden diff-type --batch --by type "$D" "$M"
golden diff-rcs --batch -B rcs --all "$D" "$M"
# nothing changed: the summary only; OLD empty: no percentages of B
golden diff-same --batch "$D" "$D"
golden diff-from-empty --batch "$T/empty.mp" "$D"
# --mine: the difference of the program's objects (hp.Mine of each dump)
golden diff-mine --batch --mine "$M" "$D"
run --batch -B type "$D" "$M"
cmp -s "$T/out" "$GOLDEN/diff-type.txt" || fail "-B type differs from --by type"
run --batch --by=clodo "$D" "$M"
cmp -s "$T/out" "$GOLDEN/diff-clodo.txt" || fail "--by=clodo differs from the default"
# options after the files, as everywhere
run "$D" "$M" --batch
cmp -s "$T/out" "$GOLDEN/diff-clodo.txt" || fail "--batch after the files differs"
# the summary's sizes are each heap's total (the single-dump title line)
for f in "$D" "$M"; do
	run --batch "$f"
	sed -n 's/^Partition of a set of \([0-9]*\) objects. Total size = \([0-9]*\) bytes.$/\1 \2/p' \
		"$T/out" >"$T/total.$(basename "$f")"
done
run --batch "$D" "$M"
[ "$(awk '$1 == "A" { print $2, $3 }' "$T/out")" = "$(cat "$T/total.many.mp")" ] ||
	fail "A (NEW) is not many's total: $(cat "$T/out")"
[ "$(awk '$1 == "B" { print $2, $3 }' "$T/out")" = "$(cat "$T/total.demo.mp")" ] ||
	fail "B (OLD) is not demo's total: $(cat "$T/out")"

## --fail-on-growth: exit 3 after the table when NEW's total size exceeds
## OLD's by more than SIZE (demo is 4155 bytes more than many)
# growth LIMIT STATUS: many -> demo with --fail-on-growth=LIMIT
growth() {
	run --batch "--fail-on-growth=$1" "$M" "$D"
	[ "$rc" -eq "$2" ] || fail "--fail-on-growth=$1: status $rc, not $2"
	cmp -s "$T/out" "$GOLDEN/diff-grow.txt" ||
		fail "--fail-on-growth=$1: the table differs"
	if [ "$2" -eq 3 ]; then
		[ "$(wc -l <"$T/err")" -eq 1 ] &&
			grep -q 'the heap grew by 4155 bytes, more than --fail-on-growth' \
				"$T/err" || fail "--fail-on-growth=$1: stderr $(cat "$T/err")"
	else
		[ -s "$T/err" ] && fail "--fail-on-growth=$1: stderr $(cat "$T/err")"
	fi
}
growth 0 3
growth 4154 3
growth 4155 0
growth 4155B 0
growth 4k 3
growth 4KB 3
growth 4.154k 3
growth 4.155kB 0
growth 4KiB 3
growth 5k 0
growth 1M 0
growth 0.000004G 3
growth 1MiB 0
# shrinking never fails the gate, nor does an unchanged heap
run --batch --fail-on-growth=0 "$D" "$M"
[ "$rc" -eq 0 ] || fail "shrinking heap: status $rc"
cmp -s "$T/out" "$GOLDEN/diff-clodo.txt" || fail "shrinking heap: the table differs"
run --batch --fail-on-growth=0 "$D" "$D"
[ "$rc" -eq 0 ] || fail "same heap: status $rc"
# with --mine the gate compares the program's objects (0 -> 10046 bytes;
# the whole heap grew by 4155 only)
run --batch --mine --fail-on-growth=10045 "$M" "$D"
[ "$rc" -eq 3 ] && cmp -s "$T/out" "$GOLDEN/diff-mine.txt" ||
	fail "--mine --fail-on-growth=10045: status $rc"
run --batch --mine --fail-on-growth=10046 "$M" "$D"
[ "$rc" -eq 0 ] || fail "--mine --fail-on-growth=10046: status $rc"
# --by does not change the totals the gate compares
run --batch --by type --fail-on-growth=4154 "$M" "$D"
[ "$rc" -eq 3 ] || fail "--by type --fail-on-growth: status $rc"

## -e with two dumps: h is NEW, h0 OLD; h.diff(h0) is --batch's table
run -e 'h.diff(h0)' "$D" "$M"
cmp -s "$T/out" "$GOLDEN/diff-clodo.txt" || fail "-e h.diff(h0) differs from --batch"
run --all -e 'h.diff(h0)' "$M" "$D"
cmp -s "$T/out" "$GOLDEN/diff-all.txt" || fail "--all -e h.diff(h0) differs from --batch --all"
run -e 'h0' "$D" "$M"
cmp -s "$T/out" "$GOLDEN/clodo.txt" || fail "-e h0 is not OLD's table"
run -e 'h' "$M" "$D"
cmp -s "$T/out" "$GOLDEN/clodo.txt" || fail "-e h is not NEW's table"
# fixtures record no process start time: no identity, the reason in one line
run -e 'h - h0' "$D" "$M"
[ "$rc" -eq 1 ] && [ ! -s "$T/out" ] && [ "$(wc -l <"$T/err")" -eq 3 ] &&
	sed -n 3p "$T/err" | grep -q '^error: .*process start time' ||
	fail "-e h - h0 on fixtures: $rc $(cat "$T/err")"

## the browser with two dumps: a terminal, or --headless (the comparison
## view's screens are tests/browser/test_screens.sh's)
error "two dumps, no terminal" 'not a terminal' "$D" "$M"

## three dumps: memlab's rule needs one process; fixtures are not
error "three processes" "^memtrack-tui: $D, $M: no leak candidates: .*process" \
	--batch "$D" "$M" "$D"

## Real dumps of one Python process, so object identity holds: A; then 300
## Leak objects (B); then 200 more made and 100 of the first freed (C).  E comes
## from another process.
PY=${MEMTRACK_PYTHON:-python3}
pyrun() {
	if [ -n "${MEMTRACK_ASAN_RUNTIME:-}" ]; then
		LD_PRELOAD="$MEMTRACK_ASAN_RUNTIME" \
			ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
			"$PY" "$@"
	else
		"$PY" "$@"
	fi
}
cat >"$T/prog.py" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import memtrack

out = sys.argv[2]


class Leak:
    __slots__ = ("n", "pad")

    def __init__(self, n):
        self.n = n
        self.pad = None


keep = []
memtrack.dump(out + "/a.mp")
if len(sys.argv) > 3:
    sys.exit(0)
keep.extend([Leak(i) for i in range(300)])
memtrack.dump(out + "/b.mp")
# the 200 made before the 100 are freed: no new Leak takes the address of
# a freed one (it would count as a survivor, doc/analysis.md)
keep.extend([Leak(i) for i in range(1000, 1200)])
del keep[:100]
memtrack.dump(out + "/c.mp")
EOF
mkdir "$T/other"
pyrun "$T/prog.py" "$MEMTRACK_BUILDDIR/python" "$T" >&2 &&
	pyrun "$T/prog.py" "$MEMTRACK_BUILDDIR/python" "$T/other" once >&2 || exit 99
A="$T/a.mp"
B="$T/b.mp"
C="$T/c.mp"
E="$T/other/a.mp"
# row LABEL: "count size" of LABEL's row in $T/out
row() {
	awk -v k="$1" '$NF == k && $1 ~ /^[0-9]+$/ { print $2, $3; exit }' "$T/out"
}
leak=$(run -e '(h & hp.Type("__main__.Leak")).size' "$B"; cat "$T/out")
each=$((leak / 300))
[ "$leak" -eq $((each * 300)) ] && [ "$each" -gt 0 ] ||
	fail "300 Leaks of $leak bytes"
run --batch "$A" "$B"
[ "$rc" -eq 0 ] || fail "--batch A B: status $rc $(cat "$T/err")"
[ "$(row __main__.Leak)" = "300 $leak" ] ||
	fail "--batch A B: the Leak row: $(cat "$T/out")"
run --batch --all "$B" "$C"
[ "$(row __main__.Leak)" = "100 $((each * 100))" ] ||
	fail "--batch B C: the Leak row: $(cat "$T/out")"
run --batch --all "$C" "$B"
[ "$(row __main__.Leak)" = "-100 -$((each * 100))" ] ||
	fail "--batch C B: the Leak row: $(cat "$T/out")"
# the gate on a real heap: it grew by at least the Leaks
run --batch --fail-on-growth="$((leak - 1))" "$A" "$B"
[ "$rc" -eq 3 ] || fail "--fail-on-growth below the Leaks: status $rc"
run --batch --fail-on-growth=1G "$A" "$B"
[ "$rc" -eq 0 ] || fail "--fail-on-growth=1G: status $rc"
# memlab's rule, A B C: the Leaks of B still alive in C are candidates
# (200), not those freed (100) nor those made after B (200); before them
# the difference C - A, then an empty line
run --batch --all "$A" "$B" "$C"
[ "$rc" -eq 0 ] || fail "--batch A B C: status $rc $(cat "$T/err")"
grep -q '^Leak candidates: objects of B still alive in C that were not in A.$' \
	"$T/out" || fail "--batch A B C: no leak candidates: $(cat "$T/out")"
sed -n '/^Leak candidates/,$p' "$T/out" >"$T/leaks"
sed '/^Leak candidates/,$d' "$T/out" >"$T/ac"
[ "$(awk '$NF == "__main__.Leak" { print $2, $4 }' "$T/leaks")" = \
	"200 $((each * 200))" ] ||
	fail "--batch A B C: the Leak candidates: $(cat "$T/leaks")"
run --batch --all "$A" "$C"
echo >>"$T/out"
cmp -s "$T/out" "$T/ac" || fail "--batch A B C does not start with A C's table"
# the gate with three dumps compares C with A
run --batch --fail-on-growth="$((leak * 4 / 3 - 1))" "$A" "$B" "$C"
[ "$rc" -eq 3 ] || fail "--fail-on-growth A B C below C's Leaks: status $rc"
run --batch --fail-on-growth=1G "$A" "$B" "$C"
[ "$rc" -eq 0 ] || fail "--fail-on-growth=1G A B C: status $rc"
# the same set as the query's hp.Leaks (h0 = A, h1 = B, h = C)
run --all -e 'hp.Leaks' "$A" "$B" "$C"
sed 1d "$T/leaks" | cmp -s - "$T/out" || fail "--batch A B C's candidates are not hp.Leaks"

## -e: h is NEW (the last dump), h0 OLD (the first), h1 the second of
## three; h - h0 the objects new in NEW, h0 - h those gone
run -e "((h - h0) & hp.Type('__main__.Leak')).count" \
	-e "((h0 - h) & hp.Type('__main__.Leak')).count" \
	-e "(h0 & hp.Type('__main__.Leak')).count" "$B" "$C"
[ "$rc" -eq 0 ] && [ "$(cat "$T/out" | tr '\n' ' ')" = "200 100 300 " ] ||
	fail "-e B C: new, gone, OLD's Leaks: $(cat "$T/out" "$T/err")"
run -e "(h1 & hp.Type('__main__.Leak')).count" \
	-e "((h - h0) & hp.Type('__main__.Leak')).count" \
	-e "((h - h1) & hp.Type('__main__.Leak')).count" \
	-e "(h0 & hp.Type('__main__.Leak')).count" "$A" "$B" "$C"
[ "$rc" -eq 0 ] && [ "$(cat "$T/out" | tr '\n' ' ')" = "300 400 200 0 " ] ||
	fail "-e A B C: h1, h - h0, h - h1, h0: $(cat "$T/out" "$T/err")"
# h.diff(h0) is the --batch table
run -e 'h.diff(h0)' "$A" "$B"
cp "$T/out" "$T/ediff"
run --batch "$A" "$B"
cmp -s "$T/out" "$T/ediff" || fail "-e h.diff(h0) differs from --batch A B"
# across processes h - h0 says why in one reason line; aggregates still work
run -e 'h - h0' "$A" "$E"
[ "$rc" -eq 1 ] && [ ! -s "$T/out" ] &&
	sed -n 3p "$T/err" | grep -q '^error: .*different processes' ||
	fail "-e h - h0 across processes: $rc $(cat "$T/err")"
run -e 'h.diff(h0)' "$A" "$E"
[ "$rc" -eq 0 ] && grep -q '^Summary of difference operation' "$T/out" ||
	fail "-e h.diff(h0) across processes: $rc $(cat "$T/err")"
# the browser, headless: opened on the comparison, the files named as given
run --headless --keys q "$A" "$C"
[ "$rc" -eq 0 ] && grep -q "^ OLD a.mp " "$T/out" && grep -q "^ NEW c.mp " "$T/out" ||
	fail "--headless A C: $rc $(cat "$T/out" "$T/err")"
grep -q ' +400 .* __main__.Leak$' "$T/out" || fail "--headless A C: no Leak row"
run --headless --size 100x20 --keys q "$A" "$B" "$C"
[ "$rc" -eq 0 ] && grep -q "^leak candidates" "$T/out" &&
	grep -q ' 200 .* __main__.Leak$' "$T/out" ||
	fail "--headless A B C: $rc $(cat "$T/out" "$T/err")"
# three dumps, one from another process
error "A B E" "^memtrack-tui: $B, $E: no leak candidates: .*different processes" \
	--batch "$A" "$B" "$E"

finish
