#!/usr/bin/env bash
# Runs every benchmark (capture, load, analysis, browser, comparison) and
# prints figures.
#
#   bench/run.sh [BUILD_DIR] [OBJECTS...]     (default: _build/main, 1000000 5000000)
#
# BUILD_DIR is a configured memtrack build (./quickstart.sh example makes
# _build/main).  For each size: bench_capture.py builds the synthetic heap in
# that build's Python and dumps it; bench_load loads the dump, bench_writer
# writes its records again with the writer's output thread on and off,
# bench_analysis times the heavy queries on it and bench_browser the
# browser's keys; bench_compare.py dumps two heaps of one process (a tenth
# of the objects replaced) and bench_compare opens them as a comparison.
# Then bench_cliff.py compares a heap of many objects the
# walker runs tp_traverse on, after a big one, with a plain heap, and
# bench_vs_heapy.py times dump() against heapy's hp.heap() on one heap.  Dumps go to
# $TMPDIR (default /tmp) and are removed afterwards.  With
# MEMTRACK_BENCH_BIG set to object counts (e.g. "80000000 200000000"),
# gen_bigdump writes a synthetic dump of each size to /var/tmp/memtrack-big
# and bench_load loads it holding /tmp/memtrack-big.lock, so that two runs
# of several GiB never overlap; the dump is removed afterwards.  See
# doc/benchmarks.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build/main}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 5000000)
py=$(sed -n 's/^PYTHON = //p' "$build/Makefile")
make -s -C "$build" python/memtrack/.stamp bench/bench_load bench/bench_analysis bench/bench_browser \
    bench/bench_compare bench/bench_writer bench/gen_bigdump >/dev/null
tmp=${TMPDIR:-/tmp}
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -n1)"
echo "date: $(date -u +%Y-%m-%d)"
for n in "${sizes[@]}"; do
    out="$tmp/memtrack-bench-$n.mp"
    echo "--- $n objects"
    "$py" "$top/bench/bench_capture.py" "$build/python" "$n" "$out"
    "$build/bench/bench_load" "$out" | grep -v '^objects:\|^edges:'
    "$build/bench/bench_writer" "$out" "$out.w" 3 | grep -v '^objects:\|^dump_bytes:'
    rm -f "$out.w"
    "$build/bench/bench_analysis" "$out"
    "$build/bench/bench_browser" "$out"
    rm -f "$out"
    "$py" "$top/bench/bench_compare.py" "$build/python" "$n" "$out.old" "$out.new" |
        grep -v '^python:'
    "$build/bench/bench_compare" "$out.old" "$out.new"
    rm -f "$out.old" "$out.new"
done
for n in ${MEMTRACK_BENCH_BIG:-}; do
    big=/var/tmp/memtrack-big
    mkdir -p "$big"
    echo "--- big heap: $n objects (gen_bigdump, then bench_load)"
    "$build/bench/gen_bigdump" "$n" "$big/bench-$n.mp"
    flock /tmp/memtrack-big.lock "$build/bench/bench_load" "$big/bench-$n.mp"
    rm -f "$big/bench-$n.mp"
done
echo "--- cliff (deques after a big defaultdict, against lists and a dict)"
"$py" "$top/bench/bench_cliff.py" "$build/python" 100000 1000000 "$tmp"
echo "--- against heapy (warm hp.heap(), side by side: benchmark heap and docutils)"
"$py" "$top/bench/bench_vs_heapy.py" "$build/python"
echo "--- background dump (the pause against warm hp.heap(), copy-on-write)"
"$py" "$top/bench/bench_background.py" "$build/python"
echo "--- process log (a ProcessLog at 10 samples/s for 20 s)"
"$py" "$top/bench/bench_proclog.py" "$build/python" 20 0.1
echo "--- ClassTracker (200k instantiations: plain, tracked by memtrack, by pympler)"
"$py" "$top/bench/bench_tracker.py" "$build/python" 200000 "$top/../shared/thirdparty/pympler-1.1.tar.gz"
