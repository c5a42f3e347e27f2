#!/bin/sh
# The browser on a dump of the bundled example program: pattern checks, not
# exact goldens (sizes vary by interpreter and environment).  Skips (77)
# when the capture module cannot be imported.
. "$MEMTRACK_SRCDIR/tests/batch/lib.sh"
python=${MEMTRACK_PYTHON:-python3}
if [ -n "$MEMTRACK_ASAN_RUNTIME" ]; then
	LD_PRELOAD=$MEMTRACK_ASAN_RUNTIME
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
	export LD_PRELOAD ASAN_OPTIONS
fi
if ! PYTHONPATH="$MEMTRACK_BUILDDIR/python" "$python" \
	"$MEMTRACK_SRCDIR/examples/webcache.py" "$T/web.mp" >"$T/py.out" 2>&1; then
	echo "skip: cannot capture the example: $(tail -1 "$T/py.out")"
	exit 77
fi
# two dumps of one run, 3000 requests apart: the response cache grew
PYTHONPATH="$MEMTRACK_BUILDDIR/python" "$python" \
	"$MEMTRACK_SRCDIR/examples/webcache.py" "$T/old.mp" --later "$T/new.mp" \
	>"$T/py2.out" 2>&1 || fail "webcache.py --later: $(tail -1 "$T/py2.out")"
unset LD_PRELOAD

# expect NAME KEYS REGEX...: every extended regex matches a line of the
# final screen.
expect() {
	name=$1 keys=$2
	shift 2
	run --headless --size 120x24 --keys "$keys" "$T/web.mp"
	[ "$rc" -eq 0 ] || fail "$name: exit status $rc: $(cat "$T/err")"
	for re in "$@"; do
		grep -Eq -- "$re" "$T/out" || {
			fail "$name: no line matches /$re/"
			cat "$T/out" >&2
		}
	done
}

n='[0-9]+'
c='[0-9,]+'                # a count with thousands separators
s='[0-9.]+ (B|kB|MB|GB)'   # a size in units
expect start '' \
	"^webcache\.py  pid $n  $c objects  $s \((<1|$n)% of RSS $s\)  Python 3\.$n\.$n  [0-9-]+ [0-9:]+Z" \
	"^h  \($c objects, $s\)$" '^heap$' \
	'^   Index  Count   %     Size   % Cumulative  %  Retained Kind' \
	"^> +all +$n +100 .* \(all $n rows\)$" "^  +0 +$n +$n " \
	"^on all rows . all $n rows . sort: size desc"
# no "..." is left on the first page once the Retained column is computed
run --headless --keys '' "$T/web.mp"
grep -q '\.\.\. ' "$T/out" && fail "start: Retained not computed"
expect filter '\__main__.Response<Enter>' \
	"^> +all +$n .* \(all $n rows shown, of $n\)$" \
	"^  +$n +1500 .* __main__\.Response$" 'filter: __main__\.Response'
# the row keys act on the rows shown (the "all" row), on a row
expect filter-P '\/^__main__.Response$/<Enter>P' '^h\[[0-9]+\]\.paths$' \
	"^> +1,500  thread 'MainThread' \([0-9]+\) > main\(\) webcache\.py:[0-9]+ > state\[2\]\.entries\[\*\]$"
expect row-R '\/^__main__.Response$/<Enter>jR' \
	"^h\[$n\]\.referrers  \($c object" '› \[[0-9]+\] __main__\.Response › referrers'
expect open-row '\/^__main__.Response$/<Enter><Enter>' \
	"^h\[$n\]  \(1,500 objects, $s\)" '› \[[0-9]+\] __main__\.Response'
expect referrers '\/^__main__.Response$/<Enter><Enter>R' \
	"^h\[$n\]\.referrers  \($c object" 'dict of __main__\.ResponseCache|dict \(no owner\)|list'
expect identity '\/^__main__.Session$/<Enter><Enter>i' \
	'^   Index     Size   %   Cumulative  %   Retained' "^> +all +$n" "^  +0 +$n"
expect inspector '\/^__main__.Session$/<Enter><Enter>ij<Enter>' \
	'^> address   0x[0-9a-f]+$' '^  type      __main__\.Session' \
	"^  retained  ($s \($c bytes\)|$n bytes)$" '^  Referents \(' '^  Referrers \(' \
	'\.token|\.user|\.hits'
expect paths '\/^__main__.ResponseCache$/<Enter><Enter>P' \
	'1 path of length 3 from the roots in 1 group' \
	"^> +1  thread 'MainThread' \([0-9]+\) > main\(\) webcache\.py:[0-9]+ > state\[2\]$"
expect dominos '\/^__main__.ResponseCache$/<Enter><Enter>D' \
	'\.dominos  \(' '__main__\.Response'
expect cycle 'y' 'Reference cycle' 'cycle #'
expect sort-retained 'r' 'sort: retained desc'
expect query ':h.bytype[0]<Enter>' "^h\.bytype\[0\]  \($c objects"
expect query-error ':h.bytypo<Enter>' '^error: .* at column 3'
expect help '?' '^> The target: ' '^  Moving$'

# Comparing the two dumps (memtrack-tui OLD NEW): the leak found.
# expect2 NAME KEYS REGEX... [-- ARGS]: as expect, on old.mp new.mp.
expect2() {
	name=$1 keys=$2
	shift 2
	run --headless --size 120x24 --keys "$keys" "$T/old.mp" "$T/new.mp"
	[ "$rc" -eq 0 ] || fail "$name: exit status $rc: $(cat "$T/err")"
	for re in "$@"; do
		grep -Eq -- "$re" "$T/out" || {
			fail "$name: no line matches /$re/"
			cat "$T/out" >&2
		}
	done
}
d='[+-][0-9.]+ (B|kB|MB|GB)' # a signed size
run --batch "$T/old.mp" "$T/new.mp"
[ "$rc" -eq 0 ] || fail "batch: exit status $rc: $(cat "$T/err")"
for re in '^Summary of difference operation \(A-B\)\.$' \
	"^ +$n +1500 +$n +$n +[0-9.]+ __main__\.Response\$" \
	"^ +$n +1500 +$n +$n +[0-9.]+ dict of __main__\.Response\$"; do
	grep -Eq -- "$re" "$T/out" || fail "batch: no line matches /$re/"
done
grep -q 'ResponseCache$' "$T/out" && fail "batch: the cache itself did not change"
# README.md's "Finding a leak with two dumps" shows this table (CPython
# 3.11's sizes); the totals of A and B, so the percentages of B, vary a
# little with the environment
if "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
	mask='s/^  \([AB]\) \{1,\}[0-9]\{1,\} \{1,\}[0-9]\{1,\}$/  \1 TOTALS/
s/ \{1,\}[0-9.]\{1,\} % of B$/ P % of B/
s/^\( \{1,\}[0-9]\{1,\} \{1,\}[0-9]\{1,\} \{1,\}[0-9]\{1,\} \{1,\}[0-9]\{1,\}\) \{1,\}[0-9.]\{1,\} /\1 P /'
	sed -n '/^\$ memtrack-tui --batch old\.mp new\.mp$/,/^```$/p' \
		"$MEMTRACK_SRCDIR/README.md" | sed '1d;$d' | sed "$mask" >"$T/readme"
	sed "$mask" "$T/out" >"$T/batch"
	[ -s "$T/readme" ] || fail "README.md: no '\$ memtrack-tui --batch old.mp new.mp' block"
	diff -u "$T/readme" "$T/batch" >&2 ||
		fail "README.md's two-dump table differs from memtrack-tui's"
fi
expect2 compare-start '' "^ OLD .*old\.mp  webcache\.py  pid $n " \
	"^ NEW .*new\.mp  webcache\.py  pid $n " \
	"^ +1500 +$s . +3000 +$s . +\+$s .* __main__\.Response\$"
# P on the Response row: the paths to the responses on both sides, one
# group that grew by the new pages
expect2 compare-paths '\/^__main__.Response$/<Enter>jP' \
	'^h0\[[0-9]+\]\.paths ⇄ h\[[0-9]+\]\.paths$' \
	'^  Change +OLD +NEW +Δ  OLD 1,500 paths of length [0-9]+, NEW 3,000 paths of length [0-9]+; 1 group: 1 grew$' \
	"^> grew +1,500 +3,000 +\+1,500  thread 'MainThread' \($n\) > main\(\) webcache\.py:$n > state\[2\]\.entries\[\*\]\$" \
	"^ +\['entries'\]   dict \(no owner\) 0x[0-9a-f]+\*3000\$" \
	"^ +\[.*\]   __main__\.Response \(3,000 objects\)\$"
# Enter on the group: its objects on both sides, compared (all 1500 new)
expect2 compare-paths-enter '\/^__main__.Response$/<Enter>jP<Enter>' \
	'^cpaths1_h0 ⇄ cpaths1  \(\+1500 objects, \+[0-9.]+ kB; 1500 new, 0 gone\)$' \
	'› paths › grew group 0$' \
	'^1,500 \+ 3,000 objects, bound to cpaths1_h0 and cpaths1 '
# the names evaluate to each side's objects (OLD's 1500 responses)
expect2 compare-paths-names '\/^__main__.Response$/<Enter>jP<Enter>:cpaths1_h0<Enter>' \
	'^cpaths1_h0  \(1,500 objects, '
# Enter on the last step: NEW's objects there, alone
expect2 compare-paths-step '\/^__main__.Response$/<Enter>jP<End><Enter>' \
	'^cpaths1  \(3,000 objects, ' '› grew group 0 step [0-9]+$' \
	'^3,000 objects, bound to cpaths1 '

# Paths only on one side, on fixture dumps: "many" has no thread, "demo"
# a frame of main(); the marks are words, Enter opens the side that has it.
"$MKDUMP" demo "$T/demo.mp" || exit 99
"$MKDUMP" many "$T/many.mp" || exit 99
run --headless --size 120x10 --keys 'P' "$T/demo.mp" "$T/many.mp"
for re in '^> gone +1 +0 +-1  thread .MainThread. \(1\) > main\(\) demo\.py:20$' \
	'^  same +1 +1 +0  sys\.modules$' \
	'OLD 2 paths of length 1, NEW 1 path of length 1; 2 groups: 1 gone, 1 same$'; do
	grep -Eq -- "$re" "$T/out" || fail "paths gone: no line matches /$re/"
done
run --headless --size 100x10 --keys 'P' "$T/many.mp" "$T/demo.mp"
grep -Eq '^> new +0 +1 +\+1  thread .MainThread. \(1\) > main\(\) demo\.py:20$' \
	"$T/out" || fail "paths new: $(cat "$T/out")"
# Enter on the gone group: OLD's frame in the inspector (OLD's header)
run --headless --size 100x14 --keys 'P<Enter>' "$T/demo.mp" "$T/many.mp"
grep -q '^  value     <main at <virtual>>$' "$T/out" &&
	grep -q ' 85 objects ' "$T/out" || fail "paths gone Enter: $(cat "$T/out")"

finish
