#!/bin/sh
# memtrack-tui --attach PID (doc/attach.md): dumps a sleeping Python
# process that never imported memtrack into the current directory (named
# PROG.PID.DATE-TIME.SEQ.mp), says where on stderr and opens it (--batch,
# -e, --headless); errors: one line, status 1.  Skips without gdb.
. "$MEMTRACK_SRCDIR/tests/batch/lib.sh"

command -v gdb >/dev/null 2>&1 || {
	echo "skip: gdb is not installed" >&2
	exit 77
}
: "${MEMTRACK_PYTHON:?run through make check}"
# a sanitized build: its module loads only where ASan's runtime comes
# first (the target and the dump command memtrack-tui runs)
if [ -n "${MEMTRACK_ASAN_RUNTIME:-}" ]; then
	LD_PRELOAD=$MEMTRACK_ASAN_RUNTIME
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
	export LD_PRELOAD ASAN_OPTIONS
fi
MEMTRACK_PYTHONPATH="$MEMTRACK_BUILDDIR/python"
export MEMTRACK_PYTHONPATH

"$MEMTRACK_PYTHON" -c '
import sys, time
class AttachSentinel:
    pass
keep = AttachSentinel()
sys.stdout.write("ready\n")
sys.stdout.flush()
while True:
    time.sleep(3600)
' >"$T/target.out" &
target=$!
trap 'kill $target 2>/dev/null; rm -rf "$T"' EXIT
i=0
until [ -s "$T/target.out" ] || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done

mkdir "$T/here"
cd "$T/here" || exit 99
run --attach "$target" --batch --all
[ "$rc" -eq 0 ] || fail "--batch: status $rc: $(cat "$T/err")"
grep -q ' __main__\.AttachSentinel$' "$T/out" ||
	fail "--batch: no sentinel row: $(head -5 "$T/out")"
f=$(ls)
case "$f" in
python.$target.[0-9]*-[0-9]*.001.mp) ;;
*) fail "--batch: the file is '$f'" ;;
esac
grep -q "^memtrack-tui: the dump of pid $target: $T/here/$f\$" "$T/err" ||
	fail "--batch: the path is not said: $(cat "$T/err")"

# a second dump: another file; -e on it
run --attach "$target" -e 'h.byclodo'
[ "$rc" -eq 0 ] || fail "-e: status $rc: $(cat "$T/err")"
[ "$(ls | wc -l)" -eq 2 ] || fail "-e: files: $(ls)"

# headless: the browser opens on it
rm -f ./*.mp
run --attach "$target" --headless --keys 'q'
[ "$rc" -eq 0 ] || fail "--headless: status $rc: $(cat "$T/err")"
grep -q 'objects' "$T/out" || fail "--headless: $(head -3 "$T/out")"

# the target still runs
kill -0 "$target" || fail "the target is gone"
grep -q '^State:.*[RS]' "/proc/$target/status" ||
	fail "the target: $(grep State "/proc/$target/status")"

# errors: one line, status 1, no file
rm -f ./*.mp ./*.mp.mtidx ./*.mp.mtview # the dumps, saved indexes, start screens
one_line() {
	[ "$rc" -eq 1 ] || fail "$1: exit status $rc"
	[ -s "$T/out" ] && fail "$1: something on stdout: $(head -c 200 "$T/out")"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "$1: stderr not one line: $(cat "$T/err")"
	[ -z "$(ls -A)" ] || fail "$1: files left: $(ls -A)"
}
sleep 100 &
notpy=$!
run --attach "$notpy" --batch
kill $notpy
one_line "not python"
grep -q "^memtrack dump: pid $notpy is not a CPython process" "$T/err" ||
	fail "not python: $(cat "$T/err")"
run --attach 0 --batch
one_line "pid 0"
grep -q "^memtrack-tui: bad process id '0' for --attach" "$T/err" ||
	fail "pid 0: $(cat "$T/err")"
run --attach "$target" "$T/x.mp"
one_line "with a file"
MEMTRACK_PYTHON="$T/nonexistent" run --attach "$target" --batch
one_line "no python"
grep -q "^memtrack-tui: --attach: cannot run $T/nonexistent" "$T/err" ||
	fail "no python: $(cat "$T/err")"
cd / || exit 99
finish
