#!/bin/sh
# memtrack-tui --batch on fixture dumps prints exactly the golden tables
# (tests/golden/*.txt).  To regenerate after an intended change:
#   MEMTRACK_REGEN=1 make check TESTS=tests/batch/test_golden.sh
. "$MEMTRACK_SRCDIR/tests/batch/lib.sh"

"$MKDUMP" demo "$T/demo.mp" || exit 99
"$MKDUMP" many "$T/many.mp" || exit 99
"$MKDUMP" empty "$T/empty.mp" || exit 99

# golden NAME ARGS...: stdout must equal tests/golden/NAME.txt, stderr empty.
golden() {
	name=$1
	shift
	run "$@"
	[ "$rc" -eq 0 ] || fail "$name: exit status $rc: $(cat "$T/err")"
	if [ -n "$MEMTRACK_REGEN" ]; then
		cp "$T/out" "$GOLDEN/$name.txt"
	fi
	diff -u "$GOLDEN/$name.txt" "$T/out" >&2 || fail "$name: output differs"
	[ -s "$T/err" ] && fail "$name: unexpected stderr: $(cat "$T/err")"
}

golden clodo --batch "$T/demo.mp"
golden type --batch --by type "$T/demo.mp"
golden many --batch "$T/many.mp"
golden many-all --batch --all "$T/many.mp"
golden empty --batch "$T/empty.mp"
# --human: sizes in kB, MB and the browser's title line first (the RSS
# share); without it heapy's exact layout (above)
golden human --batch --human "$T/demo.mp"
golden human-many --batch --human --all --by type "$T/many.mp"
run --human -e h "$T/demo.mp"
[ "$rc" -eq 1 ] && grep -q -e '--human goes with --batch' "$T/err" ||
	fail "--human with -e: status $rc, $(cat "$T/err")"

# -e: query results, several in order, _ is the previous one
golden query-bytype --batch -e 'h.bytype' "$T/demo.mp"
golden query-chain --batch -e 'h.byrcs' -e '_[5].referrers.byvia' \
	-e '(h & hp.Type("dict")).count' -e 'h[0].domisize' "$T/demo.mp"
golden query-more --batch -e 'h' -e '_.more' "$T/many.mp"
golden query-all --batch --all -e 'h' "$T/many.mp"
# paths and reference patterns page like tables: _.more, .all
golden query-sp-more --batch -e '(h & hp.Type("str")).sp' -e '_.more' \
	-e 'h.referents.pathsin.all' "$T/demo.mp"
golden query-rp-more --batch -e 'h.rp' -e '_.more' -e '_.all' "$T/demo.mp"
# --all lists every path / pattern line as .all does
run --batch -e '(h & hp.Type("str")).sp.all' -e 'h.rp.all' "$T/demo.mp"
cp "$T/out" "$T/all"
run --batch --all -e '(h & hp.Type("str")).sp' -e 'h.rp' "$T/demo.mp"
cmp -s "$T/out" "$T/all" || fail "--all -e X.sp differs from X.sp.all"
grep -q 'more paths' "$T/out" && fail "--all -e X.sp still pages"
# paths grouped and named as code (P's spelling; sp keeps heapy's): thread
# by name, frame by function and file:line, module globals as module.name
golden query-paths --batch -e '(h & hp.Type("__main__.Node")).paths' \
	-e '(h & hp.Type("str")).paths' -e 'h.paths.all' -e 'h.referents.paths' \
	"$T/demo.mp"
# --mine: the program's objects (h is hp.Mine); hp.Type without module
golden mine --batch --mine "$T/demo.mp"
golden query-mine --batch --mine -e 'h.bytype' -e 'hp.heap().count' \
	-e '(h & hp.Type("Node")).count' -e 'hp.Owned("__main__").count' \
	"$T/demo.mp"
run --batch -e 'hp.Mine' "$T/demo.mp"
cmp -s "$T/out" "$GOLDEN/mine.txt" || fail "-e hp.Mine differs from --mine"
run --batch --mine -B clodo "$T/demo.mp"
cmp -s "$T/out" "$GOLDEN/mine.txt" || fail "--mine -B clodo differs"
run --mine "$T/demo.mp" </dev/null
[ "$rc" -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
	grep -q 'key M' "$T/err" || fail "--mine without --batch: $rc $(cat "$T/err")"
cmp -s "$GOLDEN/query-all.txt" "$GOLDEN/many-all.txt" ||
	fail "-e h with --all differs from the --all report"

# --by clodo is the default; -B and --by=KIND spell the same
run --batch --by=clodo "$T/demo.mp"
cmp -s "$T/out" "$GOLDEN/clodo.txt" || fail "--by=clodo differs from default"
run -b -B type "$T/demo.mp"
cmp -s "$T/out" "$GOLDEN/type.txt" || fail "-B type differs from --by type"

# without --batch and -e: the browser, which needs a terminal (or
# --headless); with neither, one line on stderr and status 1
run "$T/demo.mp" </dev/null
[ "$rc" -eq 1 ] || fail "no --batch: exit status $rc"
[ -s "$T/out" ] && fail "no --batch: unexpected stdout"
grep -q 'not a terminal' "$T/err" || fail "no --batch: no one-line error"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "no --batch: stderr is not one line"
# -e alone still prints (it implies --batch)
run -e 'h.bytype' "$T/demo.mp"
cmp -s "$T/out" "$GOLDEN/query-bytype.txt" || fail "-e without --batch differs"

finish
