#!/bin/sh
# memtrack-tui on series files (process logs, tracker stats): --batch
# summaries against goldens (tests/golden/series-*.txt), the stats summary
# against print_summary's text from the same run (tracker-pympler.txt, made
# by memtrack.Stats.print_summary when tracker.stats was dumped), a killed
# writer's last line (a warning), errors (one line, status 1), and --html
# (written atomically, mode 0600, self-contained).  MEMTRACK_REGEN=1
# rewrites the goldens.
#
# Fixtures (tests/batch/series): app.jsonl, a made-up log with labels and
# dump markers; proc.jsonl, a real memtrack.ProcessLog of a program that
# allocates, labels and dumps; tracker.stats, a real Stats.dump_stats of
# pympler's Factory/Employee example with a long class name and a UTF-8
# description.
. "$MEMTRACK_SRCDIR/tests/batch/lib.sh"
S="$MEMTRACK_SRCDIR/tests/batch/series"

# golden NAME ARGS...: --batch ARGS against tests/golden/NAME.txt
golden() {
	name=$1
	shift
	(cd "$S" && "$TUI" --batch "$@") >"$T/out" 2>"$T/err" && rc=0 || rc=$?
	[ "$rc" -eq 0 ] || fail "$name: exit status $rc: $(cat "$T/err")"
	[ -s "$T/err" ] && fail "$name: stderr: $(cat "$T/err")"
	if [ -n "${MEMTRACK_REGEN:-}" ]; then
		cp "$T/out" "$GOLDEN/$name.txt"
	elif ! diff -u "$GOLDEN/$name.txt" "$T/out" >"$T/diff"; then
		fail "$name: output differs from the golden:"
		cat "$T/diff" >&2
	fi
}

# expect_error WHAT PATTERN ARGS...: status 1, one stderr line matching
# PATTERN (extended regex), nothing on stdout.
expect_error() {
	what=$1
	pattern=$2
	shift 2
	run "$@"
	[ "$rc" -eq 1 ] || fail "$what: exit status $rc, expected 1"
	[ -s "$T/out" ] && fail "$what: output on stdout: $(head -c 200 "$T/out")"
	lines=$(wc -l <"$T/err")
	[ "$lines" -eq 1 ] || fail "$what: $lines lines on stderr: $(cat "$T/err")"
	grep -Eq "$pattern" "$T/err" ||
		fail "$what: stderr does not match /$pattern/: $(cat "$T/err")"
}

golden series-log app.jsonl
golden series-proc proc.jsonl
golden series-stats tracker.stats
golden series-both tracker.stats app.jsonl

# the stats summary is print_summary's text, byte for byte
run --batch "$S/tracker.stats"
diff -u "$S/tracker-pympler.txt" "$T/out" >"$T/diff" ||
	{ fail "--batch differs from Stats.print_summary:"; cat "$T/diff" >&2; }

# a killed writer: the last line cut short is ignored with a warning
size=$(wc -c <"$S/app.jsonl")
head -c $((size - 20)) "$S/app.jsonl" >"$T/cut.log"
run --batch "$T/cut.log"
[ "$rc" -eq 0 ] || fail "cut log: exit status $rc"
grep -q '^samples      39 over' "$T/out" || fail "cut log: not 39 samples: $(cat "$T/out")"
[ "$(cat "$T/err")" = "memtrack-tui: $T/cut.log: warning: line 40: incomplete last line ignored" ] ||
	fail "cut log: stderr: $(cat "$T/err")"

# a bad line in the middle: its line and column
sed '7s/"rss": [0-9]*/"rss": "x"/' "$S/app.jsonl" >"$T/bad.log"
expect_error "bad line" \
	"^memtrack-tui: $T/bad\\.log: unexpected value type at byte [0-9]+: line 7, column 28: \"rss\" is not an integer\$" \
	--batch "$T/bad.log"
sed '3s/}$//' "$S/app.jsonl" >"$T/bad.log"
expect_error "unclosed line" \
	"^memtrack-tui: $T/bad\\.log: syntax error at byte [0-9]+: line 3, column [0-9]+: expected ',' or '}'\$" \
	--batch "$T/bad.log"
printf '{"memtrack_stats": 1, "snapshots": [{"t": 1, "classes": []}]}' >"$T/bad.stats"
expect_error "bad stats" \
	"^memtrack-tui: $T/bad\\.stats: unexpected value type at byte 56: line 1, column 57: \"classes\" is not an object\$" \
	--batch "$T/bad.stats"

"$MKDUMP" demo "$T/demo.mp" || exit 99
expect_error "--batch log and dump" \
	"^memtrack-tui: $T/demo\\.mp: --batch on a process log or tracker stats file does not take heap dumps too\$" \
	--batch "$S/app.jsonl" "$T/demo.mp"
expect_error "-e on a log" \
	"^memtrack-tui: -e goes with heap dumps, not with process logs or tracker stats\$" \
	-e h "$S/app.jsonl"
expect_error "--html on a dump" \
	"^memtrack-tui: $T/demo\\.mp: --html takes process logs and tracker stats files, not heap dumps\$" \
	--html "$T/r.html" "$T/demo.mp"
expect_error "--html missing file" \
	"^memtrack-tui: $T/none\\.log: input/output error: No such file or directory\$" \
	--html "$T/r.html" "$T/none.log"
expect_error "--html unwritable" \
	"^memtrack-tui: $T/no/r\\.html: input/output error: cannot create $T/no/r\\.html: No such file or directory\$" \
	--html "$T/no/r.html" "$S/app.jsonl"
ln -s "$T/kept.html" "$T/link.html" || exit 99
expect_error "--html onto a symbolic link (refused, as for a dump)" \
	"^memtrack-tui: $T/link\\.html: input/output error: refusing to replace $T/link\\.html: it is a symbolic link \\(a report replaces only a regular file\\)\$" \
	--html "$T/link.html" "$S/app.jsonl"
[ -L "$T/link.html" ] && [ ! -e "$T/kept.html" ] ||
	fail "--html onto a symbolic link changed it"
mkfifo "$T/fifo.jsonl" || exit 99
expect_error "--html on a FIFO (at once, no wait)" \
	"^memtrack-tui: $T/fifo\\.jsonl: input/output error: $T/fifo\\.jsonl is a FIFO, not a regular file\$" \
	--html "$T/r.html" "$T/fifo.jsonl"
[ -e "$T/r.html" ] && fail "--html wrote a page after an error"
# a dump still goes to the dump's report
run --batch "$T/demo.mp"
[ "$rc" -eq 0 ] && grep -q '^Partition of a set of' "$T/out" ||
	fail "--batch on a dump: $rc $(cat "$T/err")"

# --html: the page, atomically, 0600, self-contained
echo old >"$T/r.html"
run --html "$T/r.html" "$S/tracker.stats" "$S/proc.jsonl"
[ "$rc" -eq 0 ] || fail "--html: exit status $rc: $(cat "$T/err")"
[ -s "$T/out" ] && fail "--html: stdout: $(cat "$T/out")"
[ -s "$T/err" ] && fail "--html: stderr: $(cat "$T/err")"
[ "$(ls "$T" | grep -c 'r\.html')" -eq 1 ] || fail "--html: left a temporary: $(ls "$T")"
mode=$(stat -c %a "$T/r.html")
[ "$mode" = 600 ] || fail "--html: mode $mode, expected 600"
for want in '<!DOCTYPE html>' '<svg id="classes-0"' '<svg id="distribution-0"' \
	'<svg id="class-0-0"' '<svg id="snaprss-0"' '<svg id="rss-1"' \
	'<svg id="vms-1"' '__main__.Employee' 'after populate: café ☕' \
	'<td>label</td><td>allocated</td>' '<td>dump</td><td>/tmp/h5/real.mp</td>' \
	'</html>'; do
	grep -qF "$want" "$T/r.html" || fail "--html: no '$want' in the page"
done
for bad in '<script' 'src=' 'href="http' '@import' 'url('; do
	grep -qiF "$bad" "$T/r.html" && fail "--html: the page has '$bad'"
done
# the escaping of a label with markup
run --html "$T/r.html" "$S/app.jsonl"
grep -qF 'loaded &lt;config&gt; &amp; &quot;data&quot;' "$T/r.html" ||
	fail "--html: the label is not escaped"
finish
