#!/bin/sh
# Saved indexes (doc/analysis.md, "Saved indexes"): the first run that
# needs the dominator tree saves HEAP.mp.mtidx (0600), the next reuses it
# untouched, a damaged one is ignored with one line on stderr and saved
# again, one that is not ours is left alone, --no-index and
# MEMTRACK_NO_INDEX read and write none; the answers never change.  The
# browser says it in its status line, and saves its start screen beside
# it (HEAP.mp.mtview).
. "$MEMTRACK_SRCDIR/tests/batch/lib.sh"

"$MKDUMP" demo "$T/d.mp" || exit 99
X="$T/d.mp.mtidx"
expr='h[0].domisize'

# no index needed (no dominator tree): none written
run --batch "$T/d.mp"
[ "$rc" -eq 0 ] || fail "--batch: status $rc"
[ ! -e "$X" ] || fail "--batch without retained sizes wrote an index"

# --no-index and MEMTRACK_NO_INDEX: none written
run --no-index -e "$expr" "$T/d.mp"
[ "$rc" -eq 0 ] && [ ! -s "$T/err" ] || fail "--no-index: $rc $(cat "$T/err")"
want=$(cat "$T/out")
[ ! -e "$X" ] || fail "--no-index wrote an index"
MEMTRACK_NO_INDEX=1 run -e "$expr" "$T/d.mp"
[ ! -e "$X" ] || fail "MEMTRACK_NO_INDEX=1 wrote an index"
[ "$(cat "$T/out")" = "$want" ] || fail "MEMTRACK_NO_INDEX: other answer"

# first run: saved, quietly, mode 0600
run -e "$expr" "$T/d.mp"
[ "$rc" -eq 0 ] && [ ! -s "$T/err" ] || fail "first run: $rc $(cat "$T/err")"
[ "$(cat "$T/out")" = "$want" ] || fail "first run: other answer"
[ -f "$X" ] || fail "no index saved"
[ "$(stat -c %a "$X")" = 600 ] || fail "index mode $(stat -c %a "$X")"
before=$(stat -c '%i %Y %s' "$X")
cp "$X" "$T/good"

# second run: reused, not written again
sleep 1
run -e "$expr" "$T/d.mp"
[ "$rc" -eq 0 ] && [ ! -s "$T/err" ] || fail "second run: $rc $(cat "$T/err")"
[ "$(cat "$T/out")" = "$want" ] || fail "second run: other answer"
[ "$(stat -c '%i %Y %s' "$X")" = "$before" ] || fail "index written again"

# damaged (a byte of the body, then truncated): one line, saved again
printf 'XYZ' | dd of="$X" bs=1 seek=128 conv=notrunc 2>/dev/null
cmp -s "$X" "$T/good" && fail "damaged: the same bytes"
run -e "$expr" "$T/d.mp"
[ "$rc" -eq 0 ] || fail "damaged: status $rc"
[ "$(cat "$T/out")" = "$want" ] || fail "damaged: other answer"
grep -q "d.mp: saved index ignored (index content damaged): saved again" \
	"$T/err" || fail "damaged: stderr $(cat "$T/err")"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "damaged: $(cat "$T/err")"
cmp -s "$X" "$T/good" || fail "damaged: not saved again"
head -c 100 "$T/good" >"$X"
run -e "$expr" "$T/d.mp"
[ "$(cat "$T/out")" = "$want" ] || fail "truncated: other answer"
grep -q "saved index ignored" "$T/err" || fail "truncated: $(cat "$T/err")"
cmp -s "$X" "$T/good" || fail "truncated: not saved again"

# not ours: left alone, said
echo "my notes" >"$X"
run -e "$expr" "$T/d.mp"
[ "$rc" -eq 0 ] || fail "not ours: status $rc"
[ "$(cat "$T/out")" = "$want" ] || fail "not ours: other answer"
grep -q "not a memtrack index, left alone" "$T/err" ||
	fail "not ours: stderr $(cat "$T/err")"
[ "$(cat "$X")" = "my notes" ] || fail "not ours: replaced"

# the browser: the note in the status line, the same figures
"$TUI" --headless --size=160x12 "$T/d.mp" >"$T/screen" 2>"$T/err" ||
	fail "browser: $(cat "$T/err")"
tail -n 1 "$T/screen" | grep -q "left alone" ||
	fail "browser: no note: $(tail -n 1 "$T/screen")"
rm -f "$X"
"$TUI" --headless --size=160x12 "$T/d.mp" >"$T/screen2" 2>"$T/err" ||
	fail "browser: $(cat "$T/err")"
[ -f "$X" ] || fail "browser: no index saved"
"$TUI" --headless --size=160x12 "$T/d.mp" >"$T/screen3" 2>"$T/err" ||
	fail "browser: $(cat "$T/err")"
cmp -s "$T/screen2" "$T/screen3" || fail "browser: the reused index shows another screen"
head -n 11 "$T/screen" >"$T/s1h"
head -n 11 "$T/screen2" >"$T/s2h"
cmp -s "$T/s1h" "$T/s2h" || fail "browser: other rows with and without an index"

# the browser's start screen (src/browser/preview.h): saved 0600 beside
# the index; a damaged one is ignored (the same screen) and saved again,
# one not ours is left alone, --no-index writes none
V="$T/d.mp.mtview"
[ -f "$V" ] || fail "browser: no start screen saved"
[ "$(stat -c %a "$V")" = 600 ] || fail "start screen mode $(stat -c %a "$V")"
grep -q '^memtrack-view 1$' "$V" || fail "start screen: $(head -1 "$V")"
cp "$V" "$T/goodview"
printf 'garbage' | dd of="$V" bs=1 seek=40 conv=notrunc 2>/dev/null
"$TUI" --headless --size=160x12 "$T/d.mp" >"$T/screen4" 2>"$T/err" ||
	fail "damaged start screen: $(cat "$T/err")"
cmp -s "$T/screen2" "$T/screen4" || fail "damaged start screen: another screen"
cmp -s "$V" "$T/goodview" || fail "damaged start screen: not saved again"
echo "my notes" >"$V"
"$TUI" --headless --size=160x12 "$T/d.mp" >"$T/screen5" 2>"$T/err" ||
	fail "start screen not ours: $(cat "$T/err")"
cmp -s "$T/screen2" "$T/screen5" || fail "start screen not ours: another screen"
[ "$(cat "$V")" = "my notes" ] || fail "start screen not ours: replaced"
rm -f "$V"
"$TUI" --headless --no-index --size=160x12 "$T/d.mp" >/dev/null 2>&1
[ ! -e "$V" ] || fail "--no-index wrote a start screen"

# a read-only directory: no index, one line (root writes anyway)
if [ "$(id -u)" -ne 0 ]; then
	rm -f "$X"
	chmod 555 "$T"
	run -e "$expr" "$T/d.mp"
	chmod 755 "$T"
	[ "$rc" -eq 0 ] || fail "read-only: status $rc"
	[ "$(cat "$T/out")" = "$want" ] || fail "read-only: other answer"
	grep -q "no saved index" "$T/err" || fail "read-only: $(cat "$T/err")"
	[ ! -e "$X" ] || fail "read-only: an index"
fi
finish
