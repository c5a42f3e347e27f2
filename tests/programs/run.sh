#!/usr/bin/env bash
# The real-program corpus (doc/corpus.md), from the source root:
#   tests/programs/run.sh [jobs] [PROGRAM...]
# The programs use Debian's python3 libraries, so they run on
# /usr/bin/python3: the capture module is built for it in
# _build/py-debian-X.Y.Z (the directory tests/run-all.sh step 3 uses), heapy
# (guppy3, from ../shared/thirdparty or $MEMTRACK_GUPPY3) in
# _build/heapy-deb, outside the source tree.  The queries run with
# _build/check/memtrack-tui and again with _build/asan/memtrack-tui (built by
# run-all.sh steps 1 and 2; $MEMTRACK_TUI and $MEMTRACK_ASAN_TUI override).
# Ends with "N passed, N failed", one per program.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
jobs=${1:-2}
shift || true
py=/usr/bin/python3
log() { printf '==> %s\n' "$*" >&2; }

if [ ! -x "$py" ]; then
    echo "programs: $py not found"
    echo "0 passed, 1 failed"
    exit 1
fi
ver=$("$py" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
dir=_build/py-debian-$ver
mkdir -p "$dir"
if [ ! -f "$dir/Makefile" ] || [ configure -nt "$dir/config.status" ]; then
    (cd "$dir" && "$top/configure" -q PYTHON="$py") || {
        echo "0 passed, 1 failed (configure for $py failed)"
        exit 1
    }
fi
make -s -C "$dir" -j"$jobs" python/memtrack/.stamp >/dev/null || {
    echo "0 passed, 1 failed (module build for $py failed)"
    exit 1
}

# heapy for the same interpreter (an oracle only; the corpus runs without it)
heapy=""
tarball=${MEMTRACK_GUPPY3:-$top/../shared/thirdparty/guppy3-3.1.7.tar.gz}
hdir=$top/_build/heapy-deb
if [ -d "$hdir/guppy3-3.1.7/guppy" ] || { [ -f "$tarball" ] && mkdir -p "$hdir" && tar -xzf "$tarball" -C "$hdir"; }; then
    ext=$("$py" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
    if (cd "$hdir/guppy3-3.1.7" && { [ -f "guppy/heapy/heapyc$ext" ] ||
        "$py" setup.py -q build_ext --inplace >"$hdir/build.log" 2>&1; }); then
        heapy=$hdir/guppy3-3.1.7
    else
        log "programs: heapy did not build for $py (see $hdir/build.log); comparing without it"
    fi
else
    log "programs: no guppy3 tarball at $tarball; comparing without heapy"
fi

tui=${MEMTRACK_TUI:-$top/_build/check/memtrack-tui}
asan=${MEMTRACK_ASAN_TUI:-$top/_build/asan/memtrack-tui}
args=(--module-dir "$dir/python" --tui "$tui" --jobs "$jobs" --out "$top/_build/programs")
[ -x "$asan" ] && args+=(--asan-tui "$asan") || log "programs: no ASan memtrack-tui at $asan"
[ -n "$heapy" ] && args+=(--heapy-dir "$heapy")
exec "$py" tests/programs/run.py "${args[@]}" "$@"
