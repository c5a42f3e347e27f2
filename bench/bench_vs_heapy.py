"""memtrack's foreground dump against heapy's hp.heap(), side by side.

    python3 bench/bench_vs_heapy.py MODULE_DIR [--objects N] [--rounds R]
                                    [--heap bench|docutils|both] [--docs K]
                                    [--dir DIR]

One process, one heap, the two tools taking turns (R rounds, default 5:
dump, hp.heap(), dump, hp.heap(), ...); heapy is warm (one hp.heap() first,
not counted: the first call materialises the inline-values dicts of 3.11+
and imports what it needs).  Both are timed as the caller sees them (wall
time of the call).  heapy's heap() runs gc.collect() first, so the ratio
line compares it with dump() as called by default (collect=True); the
pause without the collection (collect=False) is printed beside it.
Absolute times on a shared machine vary by half; the ratio, measured in one
run with the tools taking turns, is the figure.  Every dump writes a new
file in DIR (default $TMPDIR or /tmp): the previous round's is removed
first, outside the timing.  The dump's own fsync and rename are timed.

Heaps:
  bench     heapy's benchmark heap (bench_capture.py): N/4 `Rec` instances
            with a unique str and int each, in one list (N default 5M);
  docutils  a real program's heap: Debian's docutils (pure Python, from
            /usr/lib/python3/dist-packages, on any interpreter) parses K
            reStructuredText documents (default 400: CMake's manual,
            /usr/share/cmake-*/Help, else the standard library's module
            docstrings) and keeps every doctree.

Prints "name: value" lines; per heap: objects (memtrack's count),
memtrack_seconds and memtrack_nocollect_seconds (best of R), heapy_seconds
(best of R), heapy_cold_seconds (the warm-up call), ratio = heapy /
memtrack (> 1: memtrack faster; target >= 2), then the same from the CPU
time of the process (time.process_time: every thread's; steadier than the
wall time on a loaded machine, where a call may wait for a core);
collect_seconds (gc.collect() alone, best of R: part of both heap() and
dump()) and walk_ratio, heapy's heap() less one collection against
dump(collect=False): the walks alone.  heapy is built with the
interpreter's normal optimisation (heapy_util.py, cached in the temp dir).
"""

import argparse
import gc
import glob
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from heapy_util import build_heapy  # noqa: E402


DATA = None


class Rec:
    def __init__(self, i):
        self.name = "rec-%09d" % i
        self.value = i * 1000003 + 2**40


def heap_bench(n):
    return [Rec(i) for i in range(n // 4)]


def rest_sources(k):
    """Up to k (name, text) reST documents."""
    files = sorted(glob.glob("/usr/share/cmake-*/Help/**/*.rst", recursive=True))
    out = []
    for f in files[:k]:
        with open(f, encoding="utf-8", errors="replace") as fh:
            out.append((f, fh.read()))
    if out:
        return out, "CMake's Help (%d files)" % len(out)
    import pkgutil
    import importlib
    for m in pkgutil.iter_modules():
        if len(out) >= k:
            break
        try:
            mod = importlib.import_module(m.name)
        except Exception:
            continue
        if mod.__doc__:
            out.append((m.name, mod.__doc__))
    return out, "module docstrings (%d)" % len(out)


def heap_docutils(k):
    sys.path.append("/usr/lib/python3/dist-packages")
    import docutils.core
    import docutils.utils
    docs, what = rest_sources(k)
    settings = {"report_level": 5, "halt_level": 5, "warning_stream": False,
                "file_insertion_enabled": False, "raw_enabled": False,
                "input_encoding": "unicode"}
    trees = []
    for name, text in docs:
        try:
            trees.append(docutils.core.publish_doctree(
                text, source_path=name, settings_overrides=settings))
        except Exception:  # a document docutils rejects: skipped
            pass
    print("docutils_source: %s, %d doctrees" % (what, len(trees)))
    return trees


def timed(fn, cpu=None):
    c = time.process_time()
    t = time.perf_counter()
    r = fn()
    if cpu is not None:
        cpu.append(time.process_time() - c)
    return time.perf_counter() - t, r


def fresh(out):
    """out removed, outside the timing: every dump makes a new file.  A
    rename onto the previous round's 100 MB dump frees its blocks inside
    the call (50 ms on ext4 here), which is the file system's work for
    the file replaced, not the walk's."""
    try:
        os.unlink(out)
    except FileNotFoundError:
        pass
    return out


def compare(label, memtrack, hp, out, rounds):
    gc.collect()
    cold, _ = timed(hp.heap)  # warm-up, not counted
    mt, mtn, hs, gcs = [], [], [], []
    mtc, mtnc, hsc, gcc = [], [], [], []
    objects = 0
    for _ in range(rounds):
        fresh(out)
        s, summ = timed(lambda: memtrack.dump(out, collect=True), mtc)
        mt.append(s)
        objects = summ["objects"]
        fresh(out)
        s, _ = timed(lambda: memtrack.dump(out, collect=False), mtnc)
        mtn.append(s)
        s, h = timed(hp.heap, hsc)
        hs.append(s)
        heapy_count = h.count
        del h
        s, _ = timed(gc.collect, gcc)
        gcs.append(s)
    os.unlink(out)
    print("--- %s" % label)
    print("objects: %d (heapy: %d)" % (objects, heapy_count))
    print("memtrack_seconds: %.3f (runs %s)" % (min(mt), " ".join("%.3f" % x for x in mt)))
    print("memtrack_nocollect_seconds: %.3f (runs %s)"
          % (min(mtn), " ".join("%.3f" % x for x in mtn)))
    print("heapy_seconds: %.3f (runs %s)" % (min(hs), " ".join("%.3f" % x for x in hs)))
    print("heapy_cold_seconds: %.3f" % cold)
    print("collect_seconds: %.3f (gc.collect() alone, which both heap() and "
          "dump() run first; CPU %.3f)" % (min(gcs), min(gcc)))
    print("ratio: %.2f (heapy / memtrack; without the collection: %.2f)"
          % (min(hs) / min(mt), min(hs) / min(mtn)))
    print("cpu_seconds: memtrack %.3f, without the collection %.3f, heapy %.3f"
          % (min(mtc), min(mtnc), min(hsc)))
    print("cpu_ratio: %.2f (without the collection: %.2f)"
          % (min(hsc) / min(mtc), min(hsc) / min(mtnc)))
    print("walk_ratio: %.2f (heap() less one gc.collect() / dump(collect=False), "
          "CPU %.2f)" % ((min(hs) - min(gcs)) / min(mtn),
                         (min(hsc) - min(gcc)) / min(mtnc)))
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("moddir")
    ap.add_argument("--objects", type=int, default=5000000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--heap", choices=("bench", "docutils", "both"), default="both")
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--dir", default=os.environ.get("TMPDIR", "/tmp"))
    a = ap.parse_args()
    sys.path.insert(0, a.moddir)
    import memtrack
    guppy = build_heapy()
    if not guppy:
        sys.exit("bench_vs_heapy: heapy could not be built for this interpreter")
    sys.path.insert(0, guppy)
    from guppy import hpy
    hp = hpy()
    out = os.path.join(a.dir, "memtrack-vs-heapy-%d.mp" % os.getpid())
    print("python: %s" % sys.version.split()[0])
    # The heap is held by a module global: heapy hides the objects only the
    # calling frames reach (hv.limitframe), memtrack does not.
    global DATA
    if a.heap in ("bench", "both"):
        DATA = heap_bench(a.objects)
        compare("bench heap (%d Rec)" % (a.objects // 4), memtrack, hp, out, a.rounds)
        DATA = None
        gc.collect()
    if a.heap in ("docutils", "both"):
        DATA = heap_docutils(a.docs)
        compare("docutils heap", memtrack, hp, out, a.rounds)
        DATA = None


if __name__ == "__main__":
    main()
