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
if ! PYTHONPATH="$MEMTRACK_BUILDDIR/.libs" "$python" \
	"$MEMTRACK_SRCDIR/examples/webcache.py" "$T/web.mp" >"$T/py.out" 2>&1; then
	echo "skip: cannot capture the example: $(tail -1 "$T/py.out")"
	exit 77
fi
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

finish
