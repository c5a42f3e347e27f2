#!/bin/sh
# The query language over several dumps through memtrack-tui -e (doc/query.md,
# "Comparing dumps"): h is the last dump, h0 (h1) the earlier ones.  On the
# fixture's comparison dumps (tests/unit/fixture.c: cmp-new is cmp-old's
# process later, with objects new and gone, an address reused by another
# type and a new class; cmp-c later still; cmp-other another process):
# the new, gone and surviving objects add up, h.diff(h0) is the table
# --batch OLD NEW prints, hp.Leaks is memlab's rule spelled with operators,
# and the errors are one line with exit status 1.
. "$MEMTRACK_SRCDIR/tests/batch/lib.sh"

for n in cmp-old cmp-new cmp-c cmp-other; do
	"$MKDUMP" "$n" "$T/$n.mp" || exit 99
done
OLD=$T/cmp-old.mp
NEW=$T/cmp-new.mp

# expect WANT ARGS...: memtrack-tui --batch ARGS prints WANT, exits 0
expect() {
	want=$1
	shift
	run --batch "$@"
	if [ "$rc" -ne 0 ] || [ "$(cat "$T/out")" != "$want" ]; then
		fail "$*: exit $rc, got '$(cat "$T/out")', want '$want': $(cat "$T/err")"
	fi
}

# new + survivors = NEW, gone + survivors = OLD, survivors on each side
expect True -e 'h.count == (h - h0).count + (h & h0).count' "$OLD" "$NEW"
expect True -e 'h0.count == (h0 - h).count + (h0 & h).count' "$OLD" "$NEW"
expect True -e '(h & h0).count == (h0 & h).count' "$OLD" "$NEW"
expect True -e 'h.size == (h - h0).size + (h & h0).size' "$OLD" "$NEW"
# something is new and something is gone, and they are not all of it
expect True -e '0 < (h - h0).count < h.count' "$OLD" "$NEW"
expect True -e '0 < (h0 - h).count < h0.count' "$OLD" "$NEW"
# what is derived from h0 is OLD's: the same as OLD alone says
run --batch -e 'h.byrcs[1].referrers.byvia' "$OLD"
cp "$T/out" "$T/alone"
run --batch -e 'h0.byrcs[1].referrers.byvia' "$OLD" "$NEW"
cmp -s "$T/out" "$T/alone" || fail "h0.byrcs[1].referrers.byvia differs from OLD's own"
# the new objects' table by type, and gone objects one by one
run --batch -e '(h - h0).bytype' -e '(h0 - h).byid' "$OLD" "$NEW"
[ "$rc" -eq 0 ] || fail "(h - h0).bytype: exit $rc: $(cat "$T/err")"
grep -q '^Partition of a set of [0-9]* objects' "$T/out" ||
	fail "(h - h0).bytype: no table"
grep -q '^Set of [0-9]* <mixed> objects' "$T/out" ||
	fail "(h0 - h).byid: no identity table"

# h.diff(h0) is the table --batch OLD NEW prints (by --by, --all too)
for args in ":h.diff(h0)" "--by type:h.bytype.diff(h0)" \
	"--all:h.diff(h0).all"; do
	opt=${args%%:*}
	e=${args#*:}
	# shellcheck disable=SC2086 # $opt is empty or two words
	run --batch $opt "$OLD" "$NEW"
	cp "$T/out" "$T/table"
	run --batch -e "$e" "$OLD" "$NEW"
	if [ "$rc" -ne 0 ] || ! cmp -s "$T/out" "$T/table"; then
		fail "-e '$e' differs from --batch $opt OLD NEW"
		diff "$T/table" "$T/out" >&2
	fi
done
grep -q '^Summary of difference operation (A-B)\.$' "$T/table" ||
	fail "no difference table"

# three dumps: h0 = A, h1 = B, h = C; memlab's leak candidates
C=$T/cmp-c.mp
expect True -e 'hp.Leaks == (h & h1) - h0' "$OLD" "$NEW" "$C"
expect True -e '0 < hp.Leaks.count' "$OLD" "$NEW" "$C"
expect True -e '(h1 - h0).count == (h - h0).count' "$OLD" "$NEW" "$NEW"

# errors: one line of reason under the caret, exit status 1
# experr NEEDLE ARGS...
experr() {
	needle=$1
	shift
	run --batch "$@"
	if [ "$rc" -ne 1 ] || ! grep -q "$needle" "$T/err"; then
		fail "$*: exit $rc, stderr: $(cat "$T/err"), want '$needle'"
	fi
}
experr 'error: value error: h vs h0: the dumps come from different processes (pid' \
	-e 'h - h0' "$OLD" "$T/cmp-other.mp"
experr "error: type error: h and h0 are sets of different dumps: '|'" \
	-e 'h | h0' "$OLD" "$NEW"
experr "compare them with - and &" -e 'h0 == h' "$OLD" "$NEW"
experr 'hp.Leaks needs three dumps' -e 'hp.Leaks' "$OLD" "$NEW"
experr 'this dump has no mark' -e 'h - hp.Marked' "$NEW"
experr "name 'h0' is not defined" -e 'h0' "$NEW"
# across processes the difference table still works
run --batch -e 'h.diff(h0)' "$OLD" "$T/cmp-other.mp"
[ "$rc" -eq 0 ] || fail "h.diff(h0) across processes: exit $rc"
finish
