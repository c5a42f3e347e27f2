#!/bin/sh
# memtrack-tui --headless on fixture dumps: the screen after a key script
# must equal tests/golden/screens/NAME.txt.  One golden per key (or per
# short key sequence) of the browser.  To regenerate after an intended
# change:  MEMTRACK_REGEN=1 make check TESTS=tests/browser/test_screens.sh
. "$MEMTRACK_SRCDIR/tests/batch/lib.sh"
SCREENS="$GOLDEN/screens"
# every run from the dump alone: a saved start screen (HEAP.mp.mtview) of
# an earlier run would fill Retained cells the goldens show as `...`
# (tests/batch/test_savedidx.sh tests the saved files)
MEMTRACK_NO_INDEX=1
export MEMTRACK_NO_INDEX

"$MKDUMP" demo "$T/demo.mp" || exit 99
"$MKDUMP" many "$T/many.mp" || exit 99
"$MKDUMP" empty "$T/empty.mp" || exit 99

# screen NAME DUMP KEYS [ARGS...]: the headless output must be the golden.
screen() {
	name=$1 dump=$2 keys=$3
	shift 3
	run --headless --keys "$keys" "$@" "$T/$dump.mp"
	[ "$rc" -eq 0 ] || fail "$name: exit status $rc: $(cat "$T/err")"
	[ -s "$T/err" ] && fail "$name: unexpected stderr: $(cat "$T/err")"
	if [ -n "$MEMTRACK_REGEN" ]; then
		cp "$T/out" "$SCREENS/$name.txt"
	fi
	diff -u "$SCREENS/$name.txt" "$T/out" >&2 || fail "$name: screen differs"
}

# start view and moving
screen start demo ''
screen start-empty empty ''
screen key-j demo 'jj'
screen key-k demo 'jjjk'
screen key-down-up demo '<Down><Down><Down><Up>'
screen key-pgdn many '<PgDn>'
screen key-pgup many '<PgDn><PgDn><PgUp>'
screen key-ctrl-f-b many '<C-f><C-f><C-b>'
screen key-ctrl-d many '<C-d>'
screen key-ctrl-u many '<C-d><C-d><C-u>'
screen key-end many '<End>'
screen key-G many 'G'
screen key-home many 'G<Home>'
screen key-g many 'Gg'
screen key-wheel many '<WheelDown><WheelDown><WheelUp>'
# opening and going back
screen key-enter demo 'jj<Enter>'
screen key-right demo 'jj<Right>'
screen key-l demo 'jjl'
screen key-enter-single demo 'jjjjj<Enter>'
screen key-backspace demo 'jjjjjjjjjjjjjjjjjjjjj<Enter><Backspace>'
screen key-left demo 'jj<Enter><Left>'
screen key-h demo 'jjjjj<Enter>h'
screen key-lt demo 'jjjjj<Enter><lt>'
screen key-q-close demo 'jjR<Enter>q'
screen key-back-first demo 'h' --each-step
screen key-Q demo 'jjQx' --each-step
screen key-ctrl-l demo 'j<C-l>'
screen key-resize demo 'jjj<Resize:100x12>'
screen key-resize-narrow demo 'jjj<Resize:50x10>'
screen key-ascii demo 'jjR' --ascii --size 60x10
# re-partition the current set
screen key-c demo 'tjjc'
screen key-t demo 't'
screen key-e demo 'e'
screen key-v demo 'v'
screen key-z demo 'z'
screen key-o demo 'o'
screen key-i demo 'i'
screen key-u demo 'u'
screen key-y demo 'y'
screen key-p demo 'p'
screen key-c-again demo 'c'
# following references
screen key-R demo 'jjR'
screen key-F demo 'jjjjjF'
screen key-D demo 'jjjjjjjjjjjjD'
screen key-P demo 'jjjjjjjjP'
screen key-breadcrumb demo 'jjRjFtjj<Enter>'
# the inspector
screen inspector demo 'ij<Enter>'
screen inspector-referent demo 'ij<Enter>j<Enter>'
screen inspector-referrer demo 'ijjjjj<Enter>G<Enter>'
screen inspector-back demo 'ij<Enter>j<Enter>hh'
# sorting
screen key-s demo 's'
screen key-r demo 'r'
screen key-rr demo 'rr'
screen key-hash demo '#'
screen key-a demo 'a'
screen key-aa demo 'aa'
screen key-sort-id demo 'ir'
# search and filter
screen search demo '/node<Enter>'
screen search-n demo '/node<Enter>n'
screen search-N demo '/node<Enter>nN'
screen search-none demo '/zzz<Enter>'
# incremental: the cursor follows the text as it is typed
screen search-live demo '/nod<Backspace>d<Enter>' --each-step --size 80x12
screen search-live-none demo 'j/dictx<Backspace>' --each-step --size 80x12
screen search-live-esc demo 'jjj/node<Esc>' --each-step --size 80x12
screen search-live-n-N demo '/node<Enter>nNN' --each-step --size 80x12
screen search-live-wrap demo 'G/dict<Enter>'
screen search-live-scroll many 'G/1<Backspace><Esc>' --each-step --size 80x8
screen filter demo '\DICT<Enter>'
screen filter-regex demo '\/^(str|int)$/<Enter>'
screen filter-clear demo '\dict<Enter>\<Enter>'
screen filter-bad-regex demo '\/(/<Enter>'
screen filter-kept demo '\dict<Enter>j<Enter>h'
# marks and algebra
screen mark demo 'j<Space>j<Space>'
screen mark-unmark demo 'j<Space>k<Space>'
screen mark-save demo 'j<Space>j<Space>ma'
screen mark-and demo 'maR<Esc>mb:a & b<Enter>'
screen mark-sub demo 'jj<Space><Space>mxkk<Space>my:x - y<Enter>'
screen mark-bad demo 'm1'
# the prompt
screen prompt-set demo ':h.byrcs[0].referrers<Enter>'
screen prompt-text demo ':h.count<Enter>'
screen prompt-error demo ':h.byrcs[0].referers<Enter>'
screen prompt-syntax demo ':h &<Enter>'
screen prompt-complete demo ':h.byt<Tab><Enter>'
screen prompt-cancel demo ':h.bytype<Esc>'
screen prompt-id demo ':h.byid<Enter>'
# help
screen help demo '?'
screen help-F1 demo '<F1><PgDn>'
screen help-back demo '?h'
# several steps in one output
screen each-step demo 'j<Enter>h' --each-step --size 80x10
screen save-key demo 'j<save>R<save>'
# the target: row keys act on the highlighted row, on the whole view on
# the first row "all" (where the cursor starts), on the rows shown under a
# filter, on the marked rows together; the status line names it
for size in 120x16 80x16 60x16; do
	w=${size%x*}
	screen target-start-$w demo '' --size $size
	screen target-all-e-$w demo 'e' --size $size
	screen target-row-e-$w demo '/dict of __main__.Node<Enter>e' --size $size
	screen target-filter-P-$w demo '\Node<Enter>P' --size $size
	screen target-filter-row-P-$w demo '\Node<Enter>jP' --size $size
	screen target-marked-R-$w demo 'j<Space>jj<Space>R' --size $size
	screen target-inspector-$w demo 'ij<Enter>' --size $size
done
screen target-row-t demo 'jjt'
screen target-row-D demo '\/^__main__.Node$/<Enter>jD'
screen target-row-i demo '/dict of __main__.Node<Enter>i'
screen target-row-R-by demo 'tjjjR'
screen target-row-same-by demo 'tjjt'
screen target-all-same-by demo 'tt'
screen target-filter-all demo '\dict<Enter>'
screen target-filter-e demo '\dict<Enter>e'
screen target-marked-run demo 'j<Space><Space><Space>F'
screen target-marked-save demo 'j<Space>jj<Space>ma:a<Enter>'
screen target-row-save demo 'jjmb:b<Enter>'
screen target-enter-all demo '<Enter>' --each-step --size 80x8
screen target-mark-all demo '<Space>' --each-step --size 80x8
screen target-identity-row demo 'ijjF'
screen target-inspector-object demo 'ij<Enter>R'
screen target-inspector-referent demo 'ij<Enter>jR'
screen target-inspector-move demo 'ij<Enter>jjkk' --each-step --size 80x16
screen target-search-skips-all demo '/all<Enter>'

# :save-screen PATH writes the current screen
run --headless --keys ":save-screen $T/saved.txt<Enter>" "$T/demo.mp"
[ "$rc" -eq 0 ] || fail "save-screen: exit status $rc"
grep -q '^ *0 .*dict of module' "$T/saved.txt" ||
	fail "save-screen: no screen in the file"
grep -q "screen saved to" "$T/out" || fail "save-screen: no message"

# --screen-out and --keys-file
printf 'jj\n<Enter>\n' >"$T/keys"
run --headless --keys-file "$T/keys" --screen-out "$T/scr.txt" "$T/demo.mp"
[ "$rc" -eq 0 ] || fail "keys-file: exit status $rc"
[ -s "$T/out" ] && fail "screen-out: standard output is not empty"
cmp -s "$T/scr.txt" "$SCREENS/key-enter.txt" ||
	fail "keys-file/screen-out: differs from key-enter"

# bad options
run --headless --size 80 "$T/demo.mp"
[ "$rc" -eq 1 ] || fail "--size 80: status $rc"
run --headless --keys '<Resize:1>' "$T/demo.mp"
[ "$rc" -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] ||
	fail "bad <Resize>: status $rc, $(cat "$T/err")"
run --keys j "$T/demo.mp"
[ "$rc" -eq 1 ] || fail "--keys without --headless: status $rc"

# sizes in kB, MB by default; --bytes and key B for exact bytes; the RSS
# share in the title; narrow terminals drop the percentages, then
# Cumulative (issue 9)
for size in 120x16 80x16 60x16; do
	w=${size%x*}
	screen units-$w demo 'jjj' --size $size
	screen units-bytes-$w demo 'jjj' --bytes --size $size
	screen units-identity-$w demo 'i' --size $size
	screen units-inspector-$w demo 'ij<Enter>' --size $size
done
screen key-B demo 'jjjB' --size 80x16
screen key-BB demo 'jjjBB' --size 80x16
screen units-bytes-inspector demo 'ij<Enter>' --bytes --size 80x16

# narrow terminals: long labels lose their middle, never to another row's
# text; the highlighted row's whole label is on the status line
"$MKDUMP" long "$T/long.mp" || exit 99
for size in 120x14 80x14 60x14 50x14; do
	w=${size%x*}
	screen narrow-$w long 'jjj' --size $size
	screen narrow-row-$w long 'jjjjjjj' --size $size
	# the labels on screen (after the Retained cell) are all different
	dups=$(sed -n '5,13p' "$T/out" | cut -c36- | sort | uniq -d)
	[ -z "$dups" ] || fail "narrow-row-$w: two rows read '$dups'"
	grep -q 'app\.services\.shipping\.handlers\.ResponseEnvelope' "$T/out" ||
		fail "narrow-row-$w: the whole label is nowhere on the screen"
done
screen narrow-ascii long 'jjjjjjj' --size 60x14 --ascii
screen narrow-identity long 'i' --size 60x14
screen narrow-inspector long 'ijjj<Enter>' --size 60x14
# P: paths grouped and spelled as code (thread by name, frame by function
# and file:line, module globals as module.name), one row per step; Enter
# on a group opens the objects its paths end at, on a step the object there
for size in 120x14 80x14 60x14; do
	w=${size%x*}
	screen paths-$w demo ":h & hp.Type('__main__.Node')<Enter>P" --size $size
	grep -q '^>  *4  __main__\.nodes\[\*\]' "$T/out" ||
		fail "paths-$w: no group of 4 paths __main__.nodes[*]"
	screen paths-roots-$w demo 'P' --size $size
done
grep -q "thread 'MainThread' (1) > main() demo.py:20" \
	"$SCREENS/paths-roots-120.txt" || fail "paths-roots-120: no thread name"
screen paths-enter-group demo ":h & hp.Type('__main__.Node')<Enter>P<Enter>"
grep -q 'bound to paths1' "$T/out" || fail "paths-enter-group: no set paths1"
screen paths-enter-step demo ":h & hp.Type('__main__.Node')<Enter>Pjjj<Enter>"
# a second paths view binds a new name: the first set keeps its own
run --headless --keys ":h & hp.Type('__main__.Node')<Enter>P<Enter>hhP<Enter>" \
	"$T/demo.mp"
grep -q 'bound to paths2' "$T/out" || fail "paths: a second set reused paths1"
# M: the view's set restricted to the program's objects (h.mine), by the
# same classifier; M again goes back; a query result's text pages (.more)
for size in 120x16 80x16 60x16; do
	w=${size%x*}
	screen mine-$w demo 'M' --size $size
	grep -q '^h\.mine ' "$T/out" || fail "mine-$w: line 2 is not h.mine"
	grep -q "the program's objects: 45 of 85" "$T/out" ||
		fail "mine-$w: no count in the status line"
	screen mine-back-$w demo 'MM' --size $size
	cp "$T/out" "$T/back"
	run --headless --keys '' --size $size "$T/demo.mp"
	cmp -s "$T/out" "$T/back" ||
		fail "mine-back-$w: M again is not the start view"
	screen mine-bytype-$w demo 'tM' --size $size
	grep -q '^h\.bytype\.mine ' "$T/out" ||
		fail "mine-bytype-$w: not shown by type"
done
screen more-prompt demo ":h.rp<Enter>:_.more<Enter>" --size 80x16
grep -q '^> *10: ' "$T/out" || fail "more-prompt: _.more does not show line 10"

# comparing dumps (memtrack-tui OLD NEW, A B C): cmp-old and cmp-new are
# two dumps of one process (identity: New and Deleted), cmp-other the
# later one from another process, cmp-c a third dump of the process
for d in cmp-old cmp-new cmp-c cmp-other; do
	"$MKDUMP" $d "$T/$d.mp" || exit 99
done
# cscreen NAME "DUMP..." KEYS [ARGS...]: as screen, with several dumps
cscreen() {
	name=$1 dumps=$2 keys=$3
	shift 3
	set -- "$@"
	for d in $dumps; do
		set -- "$@" "$T/$d.mp"
	done
	run --headless --keys "$keys" "$@"
	[ "$rc" -eq 0 ] || fail "$name: exit status $rc: $(cat "$T/err")"
	[ -s "$T/err" ] && fail "$name: unexpected stderr: $(cat "$T/err")"
	if [ -n "$MEMTRACK_REGEN" ]; then
		cp "$T/out" "$SCREENS/$name.txt"
	fi
	diff -u "$SCREENS/$name.txt" "$T/out" >&2 || fail "$name: screen differs"
}
P2="cmp-old cmp-new"
# two panes at 120 columns and more, one table below; w switches
for size in 160x30 140x30 120x30 80x30 60x20; do
	w=${size%x*}
	cscreen compare-$w "$P2" '' --size $size
done
grep -q '^ *+ .* dict of __main__\.Session$' "$SCREENS/compare-120.txt" ||
	fail "compare-120: no + marker on a kind only in NEW"
grep -q '^ *- .*-48 B .* types\.SimpleNamespace$' "$SCREENS/compare-120.txt" ||
	fail "compare-120: no - marker and signed delta on a kind only in OLD"
cscreen compare-w-120 "$P2" 'w' --size 120x16
cscreen compare-w-80 "$P2" 'w' --size 80x16
cscreen compare-ascii "$P2" 'jj' --size 120x12 --ascii
cscreen compare-bytes "$P2" 'jj' --size 80x12 --bytes
# Enter: the kind on both sides (a kind only in NEW: OLD empty); back
cscreen compare-enter "$P2" 'jjj<Enter>' --size 120x12
cscreen compare-enter-new-only "$P2" 'jj<Enter>' --size 80x12
cscreen compare-back "$P2" 'jjj<Enter>h' --size 80x12
# re-partition and R F D M on both sides
cscreen compare-t "$P2" 't' --size 120x16
cscreen compare-row-e "$P2" 'jjje' --size 120x12
cscreen compare-R "$P2" 'jjjjjjjR' --size 80x12
cscreen compare-F "$P2" 'jjjjF' --size 80x12
cscreen compare-D "$P2" 'jjjjjD' --size 80x12
cscreen compare-M "$P2" 'M' --size 80x12
cscreen compare-marked-t "$P2" 'jj<Space>jj<Space>t' --size 80x12
# Tab: the focus on one side; Enter opens that side's row alone, with
# its dump on line 0 (OLD: 85 objects)
cscreen compare-tab "$P2" '<Tab>jjjj' --size 120x12
cscreen compare-tab-old-enter "$P2" '<Tab>jjjj<Enter>' --size 100x10
grep -q '^OLD cmp-old.mp  fixture.py  pid 4242  85 objects' "$T/out" ||
	fail "compare-tab-old-enter: not OLD's dump on line 0"
grep -q '^h0\[' "$T/out" || fail "compare-tab-old-enter: not h0's row"
cscreen compare-tab-new-enter "$P2" '<Tab><Tab>jjjj<Enter>' --size 100x10
cscreen compare-tab-old-missing "$P2" '<Tab>jj<Enter>' --size 100x10
# a mark on OLD's side names OLD's objects in the prompt
cscreen compare-old-mark "$P2" '<Tab>jjjj<Enter>jmq:q<Enter>' --size 100x10
grep -q '^OLD cmp-old.mp  fixture.py  pid 4242  85 objects' "$T/out" ||
	fail "compare-old-mark: q is not a set of OLD"
# the prompt: h is NEW, h0 OLD; a set of OLD opens on OLD's side
cscreen compare-prompt-new "$P2" ':h - h0<Enter>' --size 100x12
cscreen compare-prompt-gone "$P2" ':h0 - h<Enter>' --size 100x12
grep -q '^OLD cmp-old.mp ' "$T/out" || fail "compare-prompt-gone: not on OLD"
# sorting by the absolute differences; hiding the unchanged rows;
# filter and search as in one dump
cscreen compare-sort-count "$P2" '#' --size 80x16
cscreen compare-sort-kind "$P2" 'a' --size 80x16
cscreen compare-sort-retained "$P2" 'r' --size 80x16
cscreen compare-hide "$P2" 'x' --size 80x16
cscreen compare-hide-again "$P2" 'xx' --size 80x16
cscreen compare-filter "$P2" '\Session<Enter>' --size 80x12
cscreen compare-search "$P2" '/float<Enter>' --size 80x12
cscreen compare-help "$P2" '?G' --size 80x16
# across processes: aggregate deltas, no identity, the reason
cscreen compare-other "cmp-old cmp-other" '' --size 120x12
grep -q 'no identity: the dumps come from different processes' "$T/out" ||
	fail "compare-other: no reason for the missing identity"
cscreen compare-other-tab "cmp-old cmp-other" '<Tab>jjjj<Enter>' --size 100x10
# three dumps: memlab's leak candidates (hp.Leaks), W: A against C
cscreen compare-three "cmp-old cmp-new cmp-c" '' --size 100x14
grep -q '^C cmp-c.mp  fixture.py  pid 4242  112 objects' "$T/out" ||
	fail "compare-three: line 0 does not name C"
grep -q '^hp\.Leaks  (18 objects' "$T/out" ||
	fail "compare-three: not the 18 leak candidates"
cscreen compare-three-W "cmp-old cmp-new cmp-c" 'W' --size 120x14
cscreen compare-three-enter "cmp-old cmp-new cmp-c" 'j<Enter>' --size 100x10
run --headless --keys 'W' "$T/demo.mp"
grep -q 'W: no other start view' "$T/out" || fail "W on one dump: no message"
# P: the paths of both sides, each group marked (view_cpaths.c)
cscreen compare-P "$P2" 'jjjjjP' --size 100x14
# a dump with a mark opens on the objects new since it; W: the whole heap
"$MKDUMP" cmp-mark "$T/cmp-mark.mp" || exit 99
cscreen mark-start cmp-mark '' --size 100x14
grep -q '^h - hp\.Marked  (21 objects' "$T/out" ||
	fail "mark-start: not the 21 objects new since the mark"
cscreen mark-W cmp-mark 'W' --size 100x10
cscreen mark-WW cmp-mark 'WW' --size 100x10
sed -n 3p "$T/out" | grep -q '^new since the mark$' || fail "mark-WW: W again is not back"
cscreen compare-three-WW "cmp-old cmp-new cmp-c" 'WW' --size 100x14
sed -n 3p "$T/out" | grep -q '^leak candidates$' ||
	fail "compare-three-WW: W again is not back"
cscreen mark-enter cmp-mark 'jj<Enter>' --size 100x10

# series files (issue 11): a process log opens on its timeline (the chart
# of RSS over time above its samples), tracker stats on print_summary per
# snapshot under the chart of the class under the cursor and the RSS.
# The log's dump markers name the fixture dumps (relative to the log).
awk 'BEGIN {
	for (i = 0; i < 40; i++) {
		rss = i < 20 ? 20000000 + i * i * 80000 : 52000000 - (i - 20) * 900000
		line = sprintf("{\"t\": %.2f, \"rss\": %d, \"vms\": %d, \"peak_rss\": %d, \"minflt\": %d, \"majflt\": 0, \"cpu_user\": %.2f, \"cpu_sys\": %.2f", 1764750000 + i * 0.5, rss, 90000000 + i * 1000000, rss, 100 + i * 37, i * 0.05, i * 0.01)
		if (i == 0)
			line = line ", \"memtrack_log\": 1, \"pid\": 4242, \"interval\": 0.5, \"argv\": [\"app.py\", \"--n\", \"3\"]"
		if (i == 8)
			line = line ", \"label\": \"cache warm\""
		if (i == 14)
			line = line ", \"dump\": \"cmp-old.mp\""
		if (i == 30)
			line = line ", \"label\": \"after \\u2615 cleanup\", \"dump\": \"cmp-new.mp\""
		print line "}"
	}
}' >"$T/app.log"
cat >"$T/track.stats" <<'END'
{"memtrack_stats": 1, "pid": 4242, "argv": ["track.py"], "snapshots": [
 {"t": 1764750001.0, "desc": "start", "tracked_total": 440, "asizeof_total": null, "rss": 20000000, "vms": null,
  "classes": {"app.Factory": {"sum": 440, "avg": 440, "active": 1, "pct": 0.0}, "app.models.AVeryLongClassNameThatPymplerTruncates": {"sum": 0, "avg": 0, "active": 0, "pct": 0.0}, "app.Employee": {"sum": 0, "avg": 0, "active": 0, "pct": 0.0}}},
 {"t": 1764750003.0, "desc": "after populate: caf\u00e9 \u2615 and a long description", "tracked_total": 9504, "asizeof_total": 2000000, "rss": 26000000, "vms": null,
  "classes": {"app.Factory": {"sum": 504, "avg": 504, "active": 1, "pct": 0.02}, "app.models.AVeryLongClassNameThatPymplerTruncates": {"sum": 1000, "avg": 1000, "active": 1, "pct": 0.05}, "app.Employee": {"sum": 8000, "avg": 1600, "active": 5, "pct": 0.4}}},
 {"t": 1764750006.0, "desc": "after dropping three", "tracked_total": 4704, "asizeof_total": 1980000, "rss": 24000000, "vms": null,
  "classes": {"app.Factory": {"sum": 504, "avg": 504, "active": 1, "pct": 0.02}, "app.models.AVeryLongClassNameThatPymplerTruncates": {"sum": 1000, "avg": 1000, "active": 1, "pct": 0.05}, "app.Employee": {"sum": 3200, "avg": 1600, "active": 2, "pct": 0.16}}}],
 "objects": [
  {"id": 139872000000000, "class": "app.Employee", "name": "Employee", "repr": "<app.Employee object at 0x7f3618a1c000>", "birth": 1764750002.0, "death": null, "level": 2,
   "trace": [["track.py", 40, "<module>"], ["track.py", 22, "populate"], ["app.py", 7, "__init__"]],
   "sizes": [[1764750003.0, 1600, 56], [1764750006.0, 1600, 56]],
   "refs": [[1764750006.0, [["__dict__", 1400, 104, [["[V] name: 'Ada'", 56, 56, []], ["[V] tasks: [...]", 1200, 88, [["[0] 'design'", 60, 60, []]]]]], ["__class__", 0, 0, []]]]]},
  {"id": 139872000000064, "class": "app.Employee", "name": "Employee", "repr": "<app.Employee object at 0x7f3618a1c040>", "birth": 1764750002.5, "death": 1764750005.0, "level": 0,
   "trace": null, "sizes": [[1764750003.0, 1600, 56]], "refs": []},
  {"id": 139872000000128, "class": "app.Factory", "name": "Factory", "repr": "<app.Factory object at 0x7f3618a1c080>", "birth": 1764750000.5, "death": null, "level": 0,
   "trace": null, "sizes": [[1764750001.0, 440, 440], [1764750003.0, 504, 504]], "refs": []}],
 "log": []}
END
# sscreen NAME FILE KEYS [ARGS...]: as screen, on $T/FILE
sscreen() {
	name=$1 file=$2 keys=$3
	shift 3
	run --headless --keys "$keys" "$@" "$T/$file"
	[ "$rc" -eq 0 ] || fail "$name: exit status $rc: $(cat "$T/err")"
	[ -s "$T/err" ] && fail "$name: unexpected stderr: $(cat "$T/err")"
	if [ -n "$MEMTRACK_REGEN" ]; then
		cp "$T/out" "$SCREENS/$name.txt"
	fi
	diff -u "$SCREENS/$name.txt" "$T/out" >&2 || fail "$name: screen differs"
}
for size in 120x30 80x24; do
	w=${size%x*}
	sscreen timeline-start-$w app.log '' --size $size
	sscreen tracker-start-$w track.stats '' --size $size
done
grep -q '^LOG app.log  app.py  pid 4242  RSS min 20.0 MB  peak 52.0 MB  final 34.9 MB  40 samples over 19.5s every 0.5s$' \
	"$SCREENS/timeline-start-120.txt" || fail "timeline-start-120: header"
sed -n 10p "$SCREENS/timeline-start-120.txt" | grep -q '^       0└.*L.*D.*D' ||
	fail "timeline-start-120: no label and dump markers on the axis"
# the cursor in time: Right and Left a column, End the last sample
sscreen timeline-right app.log '<Right><Right><Right>'
grep -q '^sample 4 of 40 ' "$T/out" || fail "timeline-right: not sample 4"
sscreen timeline-end-left app.log '<End><Left><Left>'
sscreen timeline-vms app.log 'V'
sscreen timeline-ascii app.log 'jjjjjjjj' --ascii
sscreen timeline-small app.log 'jj' --size 80x12
sscreen timeline-search app.log '/cache<Enter>'
grep -q 'label: cache warm' "$T/out" || fail "timeline-search: no label"
# two dump markers: Space on one, Enter on the other opens their
# comparison (OLD the earlier); q there is back on the timeline
sscreen timeline-mark app.log '/dump<Enter><Space>'
sscreen timeline-compare app.log '/dump<Enter><Space>n<Enter>' --size 120x16
grep -q '^ OLD cmp-old.mp ' "$T/out" || fail "timeline-compare: OLD is not cmp-old"
grep -q '^ NEW cmp-new.mp ' "$T/out" || fail "timeline-compare: NEW is not cmp-new"
sscreen timeline-compare-back app.log '/dump<Enter><Space>n<Enter>q'
grep -q '^LOG app.log' "$T/out" || fail "timeline-compare-back: not the timeline"
sscreen timeline-one-dump app.log '/dump<Enter><Enter>' --size 100x14
sscreen timeline-query app.log ':h<Enter>'
sscreen timeline-help app.log '?'
# tracker stats: the class under the cursor over time; Enter: its
# instances, then one instance (sizes, referents, trace)
sscreen tracker-class track.stats 'jjjjj' --size 100x30
grep -q '^app.Employee: 8.00 kB in 5 at snapshot 2' "$T/out" ||
	fail "tracker-class: not app.Employee at snapshot 2"
sscreen tracker-instances track.stats 'jjjjj<Enter>' --size 100x16
sscreen tracker-instance track.stats 'jjjjj<Enter><Enter>' --size 100x40
grep -q 'track.py:22 in populate' "$T/out" || fail "tracker-instance: no trace"
sscreen tracker-instance-dead track.stats 'jjjjj<Enter>j<Enter>' --size 100x30
sscreen tracker-ascii track.stats 'jjj' --ascii --size 100x24
sscreen tracker-filter track.stats '\Employee<Enter>' --size 100x24

finish
