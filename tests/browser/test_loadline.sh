#!/bin/sh
# The loading line (doc/browser.md, "Loading"): on a terminal, while a dump
# loads, standard error shows "memtrack-tui: loading PATH [####  ]  45.3%",
# the percentage with its tenth, redrawn as it moves (so the line keeps
# moving where a whole percent takes long), and erased once the dump is
# loaded.  Driven in tmux on a 3M-object dump from bench/gen_bigdump.
# Skipped (77) without tmux.
. "${MEMTRACK_SRCDIR:?run through make check}/tests/batch/lib.sh"

command -v tmux >/dev/null 2>&1 || {
	echo "skip: tmux is not installed" >&2
	exit 77
}
unset TMUX
GEN="$MEMTRACK_BUILDDIR/bench/gen_bigdump"
[ -x "$GEN" ] || { echo "missing $GEN (make check builds it)" >&2; exit 99; }
"$GEN" 3000000 "$T/big.mp" 3 >/dev/null 2>"$T/generr" ||
	{ echo "gen_bigdump: $(cat "$T/generr")" >&2; exit 99; }

S="mtload$$"
tmux -L "$S" -f /dev/null new-session -d -x 120 -y 12 \
	"'$TUI' --no-index '$T/big.mp'" || { echo "tmux failed" >&2; exit 99; }
trap 'tmux -L "$S" kill-server 2>/dev/null; rm -rf "$T"' EXIT
# poll the screen until the browser shows its table (the status line's
# "objects"), collecting every loading line seen
i=0
: >"$T/lines"
while [ $i -lt 3000 ]; do
	tmux -L "$S" capture-pane -p >"$T/screen" 2>/dev/null || break
	grep -o 'loading .*' "$T/screen" >>"$T/lines"
	if ! grep -q 'loading ' "$T/screen" && grep -q 'objects' "$T/screen"
	then
		break
	fi
	sleep 0.01
	i=$((i + 1))
done
grep -q 'objects' "$T/screen" || fail "no table after the load: $(cat "$T/screen")"
grep -q 'loading ' "$T/screen" && fail "loading line left on the screen"
sort -u "$T/lines" >"$T/distinct"
[ -s "$T/distinct" ] || fail "no loading line seen"
bad=$(grep -Ev '^loading .*/big\.mp \[[# ]{20}\] +[0-9]{1,3}\.[0-9]%$' \
	"$T/distinct")
[ -z "$bad" ] || fail "loading line not in the form expected: $bad"
n=$(wc -l <"$T/distinct")
[ "$n" -ge 2 ] || fail "the loading line never moved: $(cat "$T/distinct")"
tmux -L "$S" send-keys q
finish
