#!/bin/sh
# memtrack-tui on bad input: exit status 1, exactly one line on stderr in
# the form "memtrack-tui: PATH: message", nothing on stdout.
. "$MEMTRACK_SRCDIR/tests/batch/lib.sh"

# expect_error WHAT PATTERN ARGS...: status 1, one stderr line matching the
# extended regex PATTERN, empty stdout.
expect_error() {
	what=$1
	pattern=$2
	shift 2
	run "$@"
	[ "$rc" -eq 1 ] || fail "$what: exit status $rc, expected 1"
	[ -s "$T/out" ] && fail "$what: output on stdout: $(head -c 200 "$T/out")"
	lines=$(wc -l <"$T/err")
	[ "$lines" -eq 1 ] || fail "$what: $lines lines on stderr: $(cat "$T/err")"
	grep -Eq "$pattern" "$T/err" ||
		fail "$what: stderr does not match /$pattern/: $(cat "$T/err")"
}

"$MKDUMP" demo "$T/demo.mp" || exit 99
size=$(wc -c <"$T/demo.mp")

# a file that does not exist
expect_error "missing file" \
	"^memtrack-tui: $T/none\\.mp: .*No such file or directory" \
	--batch "$T/none.mp"

# truncated dumps: cut in the header, in the middle, just before the end
for cut in 20 $((size / 2)) $((size - 1)); do
	head -c "$cut" "$T/demo.mp" >"$T/cut.mp"
	expect_error "truncated at $cut" \
		"^memtrack-tui: $T/cut\\.mp: unexpected end of file at byte [0-9]+" \
		--batch "$T/cut.mp"
	off=$(sed -n 's/.* at byte \([0-9]*\).*/\1/p' "$T/err")
	[ -n "$off" ] && [ "$off" -le "$cut" ] ||
		fail "truncated at $cut: offset '$off' beyond the cut"
done

# an empty file
: >"$T/empty.mp"
expect_error "empty file" "^memtrack-tui: $T/empty\\.mp: .* at byte 0" \
	--batch "$T/empty.mp"

# not a dump at all
echo "hello, world" >"$T/text.mp"
expect_error "text file" "^memtrack-tui: $T/text\\.mp: not a memtrack dump at byte 0" \
	--batch "$T/text.mp"

# garbage after the END record
cp "$T/demo.mp" "$T/trail.mp"
printf 'x' >>"$T/trail.mp"
expect_error "trailing byte" \
	"^memtrack-tui: $T/trail\\.mp: data after the end of the dump at byte $size" \
	--batch "$T/trail.mp"

# a directory
expect_error "directory" "^memtrack-tui: $T: " --batch "$T"

# a FIFO with no writer: refused at once (it used to block in open(2)),
# in batch mode and before the browser starts (headless or on a terminal)
mkfifo "$T/fifo.mp" || exit 99
for mode in --batch --headless --no-color; do
	rc=0
	timeout 20 "$TUI" $mode "$T/fifo.mp" >"$T/out" 2>"$T/err" </dev/null || rc=$?
	[ "$rc" -eq 124 ] && fail "fifo $mode: still waiting after 20 s"
	[ "$rc" -eq 1 ] || fail "fifo $mode: exit status $rc, expected 1"
	[ -s "$T/out" ] && fail "fifo $mode: output on stdout"
	[ "$(wc -l <"$T/err")" -eq 1 ] &&
		grep -q "^memtrack-tui: $T/fifo\.mp: .*$T/fifo\.mp is a FIFO, not a regular file" "$T/err" ||
		fail "fifo $mode: stderr: $(cat "$T/err")"
done

# bad command lines
expect_error "unknown option" "^memtrack-tui: unknown option '--frobnicate'" \
	--batch --frobnicate "$T/demo.mp"
expect_error "bad classifier" "^memtrack-tui: unknown classifier 'nosuch'" \
	--batch --by nosuch "$T/demo.mp"
expect_error "missing argument" "^memtrack-tui: option '--by' needs an argument" \
	--batch "$T/demo.mp" --by
expect_error "no file" "^memtrack-tui: no heap file given" --batch
expect_error "four files" "^memtrack-tui: more than three heap files given" \
	--batch "$T/demo.mp" "$T/demo.mp" "$T/demo.mp" "$T/demo.mp"

# a wrong expression: the expression, a caret, the reason; status 1; the
# results before it are printed, nothing after it
run --batch -e 'h.count' -e 'h.byrcs[0].referers' -e 'h.size' "$T/demo.mp"
[ "$rc" -eq 1 ] || fail "bad expression: status $rc"
[ "$(cat "$T/out")" = "$(run --batch -e h.count "$T/demo.mp"; cat "$T/out")" ] ||
	fail "bad expression: the first result is missing"
run --batch -e 'h.count' -e 'h.byrcs[0].referers' -e 'h.size' "$T/demo.mp"
[ "$(wc -l <"$T/out")" -eq 1 ] || fail "bad expression: later results printed"
[ "$(sed -n 1p "$T/err")" = "memtrack-tui: -e: h.byrcs[0].referers" ] ||
	fail "bad expression: first stderr line: $(sed -n 1p "$T/err")"
[ "$(sed -n 2p "$T/err")" = "                             ^" ] ||
	fail "bad expression: caret line: '$(sed -n 2p "$T/err")'"
sed -n 3p "$T/err" | grep -q "^error: .*no attribute 'referers'" ||
	fail "bad expression: reason: $(sed -n 3p "$T/err")"
run --batch -e 'h[' "$T/demo.mp"
[ "$rc" -eq 1 ] && grep -q '^error: syntax error: expected an expression' "$T/err" ||
	fail "syntax error: status $rc, $(cat "$T/err")"

# --help and --version succeed quietly on stdout
run --help
[ "$rc" -eq 0 ] && grep -q '^Usage: memtrack-tui' "$T/out" && [ ! -s "$T/err" ] ||
	fail "--help: status $rc"
run --version
[ "$rc" -eq 0 ] && grep -Eq '^memtrack-tui \(memtrack\) [0-9]' "$T/out" ||
	fail "--version: status $rc"

finish
