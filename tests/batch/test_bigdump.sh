#!/bin/sh
# bench/gen_bigdump: a synthetic dump of about N objects that the reader
# accepts (memtrack-tui --batch loads it), with the counts it promises
# (N/60 nodes in each of two chains, a full binary tree, the records), the
# same bytes for the same seed and other bytes for another.
. "$MEMTRACK_SRCDIR/tests/batch/lib.sh"

GEN="$MEMTRACK_BUILDDIR/bench/gen_bigdump"
[ -x "$GEN" ] || { echo "missing $GEN (make check builds it)" >&2; exit 99; }

n=100000
"$GEN" $n "$T/a.mp" 7 >"$T/gen" 2>"$T/generr" || fail "gen_bigdump: $(cat "$T/generr")"
objects=$(sed -n 's/^objects: //p' "$T/gen")
[ -n "$objects" ] && [ "$objects" -ge $((n * 95 / 100)) ] &&
	[ "$objects" -le $((n * 105 / 100)) ] ||
	fail "objects: '$objects', expected $n within 5%"

run --batch -a -B type "$T/a.mp"
[ "$rc" -eq 0 ] || fail "--batch: status $rc: $(cat "$T/err")"
head -n 1 "$T/out" | grep -q "^Partition of a set of $objects objects\." ||
	fail "loaded count differs from the generator's $objects: $(head -n 1 "$T/out")"
# count TYPE: the Count column of the type's row
count() {
	awk -v t="$1" '$NF == t { print $2 }' "$T/out"
}
[ "$(count __main__.Node)" = $((2 * (n / 60))) ] ||
	fail "Node instances: '$(count __main__.Node)', expected $((2 * (n / 60)))"
tree=$(count __main__.TreeNode)
# a full binary tree: 2^d - 1 nodes, and 3 objects each are 4-8% of N
[ -n "$tree" ] && [ $(((tree + 1) & tree)) -eq 0 ] &&
	[ $((tree * 3)) -ge $((n * 4 / 100)) ] &&
	[ $((tree * 3)) -le $((n * 8 / 100)) ] ||
	fail "TreeNode instances: '$tree', expected 2^d - 1 near 2% of N"
for t in str int float list tuple dict type module frame code function \
	__main__.User __main__.Request __main__.Response __main__.Entry \
	__main__.Segment NoneType; do
	[ -n "$(count $t)" ] || fail "no $t row"
done
# strs are the largest group, as in a real heap
[ "$(sed -n 3p "$T/out" | awk '{ print $NF }')" = str ] ||
	fail "first row is not str: $(sed -n 3p "$T/out")"

# deterministic for a seed
"$GEN" $n "$T/b.mp" 7 >/dev/null 2>&1 || fail "second run failed"
cmp -s "$T/a.mp" "$T/b.mp" || fail "seed 7 twice: different bytes"
"$GEN" $n "$T/c.mp" 8 >/dev/null 2>&1 || fail "seed 8 failed"
cmp -s "$T/a.mp" "$T/c.mp" && fail "seeds 7 and 8: same bytes"

# usage errors
"$GEN" 12 "$T/d.mp" >/dev/null 2>&1 && fail "N = 12 accepted"
[ -e "$T/d.mp" ] && fail "N = 12 left a file"
finish
