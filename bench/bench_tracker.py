"""memtrack.ClassTracker benchmark: what tracking costs an instantiation.

    python3 bench/bench_tracker.py MODULE_DIR [N [PYMPLER]]

Creates N instances (default 200000) of a small class (an __init__ setting
two attributes) into a list, then drops the list, three times, the runs
taking turns; the best time per instance of each phase is kept.  Side by
side: the class not tracked ("plain"), tracked by memtrack's ClassTracker
(trace=False, and trace=True), and tracked by pympler's ClassTracker when
PYMPLER is given: a directory holding the `pympler` package, or pympler's
source tarball (unpacked into a temporary directory); absent, the line
"pympler: not found" says so.  Each run uses a class of its own, so one
tracker's hook never sees another's instances; the trackers forget their
records between rounds.  Then one snapshot of N memtrack-tracked
instances (level 0) is timed.

Prints one "name: value" line per figure:
  n, create_ns_<run>, free_ns_<run> (per instance), create_ratio_<run> and
  free_ratio_<run> (against plain; target: create_ratio_memtrack <= 2),
  snapshot_ns_per_object, python (version), load (/proc/loadavg).
"""

import gc
import os
import shutil
import sys
import tarfile
import tempfile
import time

REPEAT = 3


def make_class(name):
    def __init__(self, i):
        self.i = i
        self.s = None

    return type(name, (), {"__init__": __init__})


def measure_once(cls, n):
    """(create, free) seconds of n instances."""
    gc.collect()
    gc.disable()
    t0 = time.perf_counter()
    objs = [cls(i) for i in range(n)]
    t1 = time.perf_counter()
    del objs
    t2 = time.perf_counter()
    gc.enable()
    return t1 - t0, t2 - t1


def main():
    moddir = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
    pympler_dir = sys.argv[3] if len(sys.argv) > 3 else None
    sys.path.insert(0, moddir)
    from memtrack import ClassTracker

    runs = [("plain", None)]
    mt = ClassTracker()
    runs.append(("memtrack", lambda c: mt.track_class(c)))
    mt_trace = ClassTracker()
    runs.append(("memtrack_trace", lambda c: mt_trace.track_class(c, trace=True)))
    if pympler_dir and not os.path.exists(pympler_dir):
        print("pympler: not found (%s)" % pympler_dir)
        pympler_dir = None
    if pympler_dir and pympler_dir.endswith(".tar.gz"):
        work = tempfile.mkdtemp(prefix="bench-pympler-")
        with tarfile.open(pympler_dir) as t:
            t.extractall(work)
        (top,) = os.listdir(work)
        pympler_dir = os.path.join(work, top)
        import atexit

        atexit.register(shutil.rmtree, work, True)
    if pympler_dir:
        sys.path.insert(0, pympler_dir)
        from pympler.classtracker import ClassTracker as PT

        pt = PT()
        runs.append(("pympler", lambda c: pt.track_class(c)))

    print("n: %d" % n)
    trackers = [mt, mt_trace] + ([pt] if pympler_dir else [])
    classes = []
    for name, track in runs:
        cls = make_class("C_" + name)
        if track:
            track(cls)
        classes.append((name, cls))
    # the runs take turns, so that a busy moment of the machine does not
    # fall on one of them only; the best of REPEAT is kept
    res = {name: (float("inf"), float("inf")) for name, _ in classes}
    for _ in range(REPEAT):
        for name, cls in classes:
            c, f = measure_once(cls, n)
            res[name] = (min(res[name][0], c), min(res[name][1], f))
            # forget the dead objects' entries, keep tracking the classes
            for t in trackers:
                t.detach_all()
            for k_name, k in classes:
                if k_name == "memtrack":
                    mt.track_class(k)
                elif k_name == "memtrack_trace":
                    mt_trace.track_class(k, trace=True)
                elif k_name == "pympler":
                    pt.track_class(k)
    for name, (c, f) in res.items():
        print("create_ns_%s: %.0f" % (name, c / n * 1e9))
        print("free_ns_%s: %.0f" % (name, f / n * 1e9))
    pc, pf = res["plain"]
    for name, (c, f) in res.items():
        if name != "plain":
            print("create_ratio_%s: %.2f" % (name, c / pc))
            print("free_ratio_%s: %.2f" % (name, f / pf))

    cls = make_class("C_snapshot")
    mt.track_class(cls)
    objs = [cls(i) for i in range(n)]
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        mt.create_snapshot()
        best = min(best, time.perf_counter() - t0)
    print("snapshot_ns_per_object: %.0f" % (best / n * 1e9))
    del objs
    mt.clear()
    print("python: %s" % sys.version.split()[0])
    try:
        with open("/proc/loadavg") as f:
            print("load: %s" % f.read().split()[0])
    except OSError:
        pass


if __name__ == "__main__":
    main()
