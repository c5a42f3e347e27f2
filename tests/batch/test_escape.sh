#!/bin/sh
# Text from a dump never reaches the terminal raw: class and module names,
# attribute names and strings holding ESC [2J, BEL, an OSC title, a C1 CSI
# or bytes that are not UTF-8 come out of --batch, -e and --headless with
# each such character as '?' (mt_browser_escape, the browser's rule).
. "$MEMTRACK_SRCDIR/tests/batch/lib.sh"

"$MKDUMP" evil "$T/evil.mp" || exit 99

# the fixture really holds the sequences the output must not
grep -q "$(printf '\033\\[2Jevil')" "$T/evil.mp" || exit 99

# raw FILE WHAT: FILE holds no control character but '\n', no C1 control
# (UTF-8 C2 80..C2 9F) and no byte that is not valid UTF-8
raw() {
	if LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$1"; then
		fail "$2: a control character: $(LC_ALL=C grep -m3 "$(printf '[\001-\011\013-\037\177]')" "$1" | cat -v)"
	fi
	if od -An -tx1 -v "$1" | tr -s ' \n' '\n\n' | grep -qx '9b'; then
		fail "$2: a C1 CSI byte"
	fi
	if ! iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1; then
		fail "$2: not valid UTF-8"
	fi
}

# batch: the table of the whole heap, by class and by type
run --batch --all "$T/evil.mp"
[ "$rc" -eq 0 ] || fail "batch: status $rc: $(cat "$T/err")"
raw "$T/out" "batch"
grep -q '?\[2Jevil' "$T/out" || fail "batch: no '?[2Jevil': $(cat "$T/out")"
grep -q 'bell?' "$T/out" || fail "batch: no 'bell?'"
grep -q 'csi?31mred' "$T/out" || fail "batch: no 'csi?31mred'"
grep -q 'bad??byte' "$T/out" || fail "batch: no 'bad??byte'"
grep -q 'app?\]0;pwned?\.bell?' "$T/out" || fail "batch: no escaped module name"
run --batch --by type "$T/evil.mp"
raw "$T/out" "batch --by type"

# every kind of query result that prints dump text: partitions, identity
# tables (reprs), referrer kinds, vias (attribute names), paths, reference
# patterns, DOT
for e in 'h.byid' 'h.byrcs' 'h.byvia' 'h.bymodule' \
	"(h & hp.Type('str')).sp" "(h & hp.Type('str')).pathsin" 'h[0].rp' \
	'h.dot' "h.by('Type&Via')"; do
	run --batch -e "$e" "$T/evil.mp"
	[ "$rc" -eq 0 ] || fail "-e $e: status $rc: $(cat "$T/err")"
	[ -s "$T/out" ] || fail "-e $e: no output"
	raw "$T/out" "-e $e"
	raw "$T/err" "-e $e (stderr)"
done
run --batch -e 'h.byvia' "$T/evil.mp"
grep -q "31mattr" "$T/out" || fail "byvia: no '31mattr': $(cat "$T/out")"

# an error whose reason quotes dump text, and an expression with a tab: the
# caret still lines up (the tab is kept), control characters are '?'
run --batch -e "$(printf "h.by('\033[2J')")" "$T/evil.mp"
[ "$rc" -eq 1 ] || fail "bad classifier: status $rc"
raw "$T/err" "bad classifier (stderr)"
grep -q "?\[2J" "$T/err" || fail "bad classifier: $(cat "$T/err")"

run --batch -e "$(printf '\th\033')" "$T/evil.mp"
[ "$rc" -eq 1 ] || fail "ESC in an expression: status $rc"
[ "$(sed -n 1p "$T/err")" = "$(printf 'memtrack-tui: -e: \th?')" ] ||
	fail "ESC in an expression: $(sed -n 1p "$T/err" | od -c)"
[ "$(sed -n 2p "$T/err")" = "$(printf '%18s\t ^' '')" ] ||
	fail "ESC in an expression: caret line $(sed -n 2p "$T/err" | od -c)"

# the browser (headless) already showed them escaped: same rule
run --headless --keys 'jjj<save>q' --size 120x20 "$T/evil.mp"
[ "$rc" -eq 0 ] || fail "headless: status $rc: $(cat "$T/err")"
raw "$T/out" "headless"
grep -q '?\[2Jevil' "$T/out" || fail "headless: no '?[2Jevil'"

finish
