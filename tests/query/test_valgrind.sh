#!/bin/sh
# memtrack-tui under valgrind on the scenarios of issue 8's use after free
# (and on several dumps' sessions, issue 10):
# classifiers handed out by a cache that may free them (an index whose
# expression asks for more classifiers than the cache holds, with many
# spellings of the one it is partitioned by), and `:h.domisize` in the
# browser after the Retained column, which built a second dominator tree.
# Any invalid read or write, use of uninitialised memory or definite leak
# fails the test.  Skips (status 77) when valgrind is not installed or
# memtrack-tui is an ASan build.
. "$MEMTRACK_SRCDIR/tests/batch/lib.sh"

if ! command -v valgrind >/dev/null 2>&1; then
	echo "SKIP: valgrind is not installed (apt-get install valgrind)"
	exit 77
fi

# valgrind cannot run a binary built with AddressSanitizer (the asan build
# of tests/run-all.sh checks the same scenarios with ASan instead)
if ldd "$TUI" 2>/dev/null | grep -q libasan; then
	echo "SKIP: $TUI is built with AddressSanitizer, which excludes valgrind"
	exit 77
fi

"$MKDUMP" demo "$T/demo.mp" || exit 99

# vg NAME ARGS...: memtrack-tui ARGS under valgrind must report no error
# (valgrind exits 86 then) and exit 0.
vg() {
	name=$1
	shift
	rc=0
	valgrind -q --error-exitcode=86 --leak-check=full \
		--errors-for-leak-kinds=definite --log-file="$T/vg.log" \
		"$TUI" "$@" >"$T/out" 2>"$T/err" || rc=$?
	if [ "$rc" -eq 86 ] || [ -s "$T/vg.log" ]; then
		fail "$name: valgrind found errors"
		head -40 "$T/vg.log" >&2
	elif [ "$rc" -ne 0 ]; then
		fail "$name: exit status $rc: $(head -5 "$T/err")"
	fi
}

# The classifier an index is partitioned by, asked again in the index in
# 16 spellings, then pushed out of the cache by 17 other classifiers.
spell=""
for s in byType byTYPE bytYpe byTyPe bytypE byTYpe bytyPE byTypE byTYPe \
	byTyPE bytYPE bytYPe byTYpE bytYpE "by('TYPE')" "by(' type')"; do
	spell="$spell + (h.$s.count & 0)"
done
evict=""
for a in clodo rcs via size module unity; do
	for b in clodo rcs via size module unity; do
		[ "$a" = "$b" ] || evict="$evict + (h.by('$a&$b').count & 0)"
	done
done
vg spellings -e "h.bytype[0$spell].count" -e "h.bytype[1$evict]" \
	-e '_' -e '_.referrers.byvia' "$T/demo.mp"
grep -q "^Partition of a set of" "$T/out" || fail "spellings: no table: $(head -3 "$T/out")"

# The dominator tree asked for by the query after other classifiers
vg domisize -e 'h.byrcs' -e '_[0].domisize' -e 'h.domisize' \
	-e 'h.bytype[0].dominos.byid' -e 'h.imdom.count' "$T/demo.mp"

# The browser: Retained column (sort by it), then :h.domisize, then more
# classifiers than the cache holds, rows opened and closed.
keys="r:h.domisize<Enter>h"
for c in t e v z o u y i c; do
	keys="$keys$c<Enter>hh"
done
for a in clodo rcs via size module unity; do
	for b in type surplus cycle; do
		keys="$keys:h.by('$a&$b')<Enter>j<Enter>h"
	done
done
keys="$keys:h.byrcs[0].referrers.byvia<Enter><Enter>hhrq"
vg browser --headless --keys "$keys" "$T/demo.mp"

# Several dumps (issue 10): h0 and h1 sessions, identity operators, a
# match made between the earlier dumps, the paged difference table, a
# mark bound to another dump's set, errors freeing their operands.
for n in cmp-old cmp-new cmp-c; do
	"$MKDUMP" "$n" "$T/$n.mp" || exit 99
done
vg dumps -e '(h - h0).byrcs' -e '_[0].referrers & h0' -e '(h0 - h).byid' \
	-e 'h1 - h0' -e 'hp.Leaks.bytype' -e 'h.diff(h0[0])' -e '_.more' \
	-e '_.all' -e 'h0.byrcs[0].sp' "$T/cmp-old.mp" "$T/cmp-new.mp" \
	"$T/cmp-c.mp"
grep -q "^Summary of difference operation" "$T/out" ||
	fail "dumps: no difference table: $(head -3 "$T/out")"
rc=0
valgrind -q --error-exitcode=86 --leak-check=full \
	--errors-for-leak-kinds=definite --log-file="$T/vg.log" \
	"$TUI" --batch -e 'h0 | h' "$T/cmp-old.mp" "$T/cmp-new.mp" \
	>"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 1 ] && [ ! -s "$T/vg.log" ] ||
	fail "dumps: h0 | h: exit $rc, valgrind: $(head -5 "$T/vg.log")"

finish
