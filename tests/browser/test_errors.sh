#!/bin/sh
# A missing file or a corrupt dump gives one line on stderr and status 1
# before any screen is drawn: headless, and interactive too (the dump is
# loaded before the terminal is taken over; with script(1) the program
# runs on a real pseudo-terminal and must not have written anything).
. "$MEMTRACK_SRCDIR/tests/batch/lib.sh"

"$MKDUMP" demo "$T/demo.mp" || exit 99
head -c 300 "$T/demo.mp" >"$T/cut.mp"
printf 'this is not a dump' >"$T/junk.mp"

# one_line NAME: status 1, nothing on stdout, one line on stderr
one_line() {
	[ "$rc" -eq 1 ] || fail "$1: exit status $rc"
	[ -s "$T/out" ] && fail "$1: something on stdout: $(head -c 200 "$T/out")"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "$1: stderr not one line: $(cat "$T/err")"
}

for f in missing.mp cut.mp junk.mp; do
	run "$T/$f" </dev/null
	one_line "interactive $f"
	grep -q "^memtrack-tui: $T/$f: " "$T/err" || fail "interactive $f: $(cat "$T/err")"
	run --headless --keys 'jj' "$T/$f"
	one_line "headless $f"
done

# a good dump without a terminal: one line, status 1
run "$T/demo.mp" </dev/null
one_line "no terminal"
grep -q 'not a terminal' "$T/err" || fail "no terminal: $(cat "$T/err")"

# on a real pseudo-terminal (util-linux script), still no screen
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
	for f in missing.mp junk.mp; do
		rc=0
		TERM=xterm script -qec "'$TUI' '$T/$f'" /dev/null >"$T/out" 2>&1 </dev/null || rc=$?
		[ "$rc" -eq 1 ] || fail "pty $f: exit status $rc"
		# no escape sequence: curses never started
		if grep -q "$(printf '\033')" "$T/out"; then
			fail "pty $f: the terminal was taken over"
		fi
		[ "$(grep -c . "$T/out")" -eq 1 ] || fail "pty $f: not one line: $(cat "$T/out")"
	done
fi

finish
