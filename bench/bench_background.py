"""Background dump benchmark: the program's pause against heapy's warm
hp.heap(), and the copy-on-write cost of the forked child.

    python3 bench/bench_background.py MODULE_DIR [OBJECTS] [ROUNDS]

(default 5000000 objects, 3 rounds).  The heap is heapy's benchmark shape
(bench_capture.py: OBJECTS/4 `Rec`).  heapy (guppy3) is built for the
running interpreter with its normal optimisation (heapy_util.py, shared
with bench_vs_heapy.py); one hp.heap() warms it up, uncounted.  Then, in
turns: dump(background=True, collect=False) (its pause: the time until it
returns; the child's walk time from wait()), and hp.heap().  Best of each
and the ratio are printed; absolute times vary a lot on shared machines,
the ratio less.

Copy-on-write (first, before heapy runs: its memory freed meanwhile
would count as the child's): two background dumps, one while the parent sleeps
(quiet) and one while it rewrites an attribute of every Rec in a loop until
the child is done (busy).  For each: the parent's private memory
(Private_Clean + Private_Dirty of /proc/self/smaps_rollup) just after the
fork and when the child ends (the largest value sampled every 20 ms while the child
lives: its growth is what the parent copied or newly allocated), the
child's peak private memory (sampled every 20 ms: its walk table, the
writer's buffers, and its own copies), and MemAvailable's largest drop.
Dumps go to $TMPDIR and are removed.  Prints "name: value" lines.
"""

import gc
import os
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class Rec:
    def __init__(self, i):
        self.name = "rec-%09d" % i
        self.value = i * 1000003 + 2**40


def rollup(pid="self"):
    """(private, shared) bytes of a process from smaps_rollup."""
    priv = shared = 0
    try:
        with open("/proc/%s/smaps_rollup" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("Private_Clean", "Private_Dirty"):
                    priv += int(v.split()[0]) * 1024
                elif k in ("Shared_Clean", "Shared_Dirty"):
                    shared += int(v.split()[0]) * 1024
    except OSError:
        pass
    return priv, shared


def mem_available():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def mib(n):
    return "%.1f MiB" % (n / 1048576)


def cow_run(memtrack, path, recs, busy):
    """One background dump with the parent quiet or rewriting every Rec;
    returns the figures.  The parent's private memory is sampled only
    while the child lives: when it exits, every page they shared becomes
    private to the parent again."""
    avail0 = mem_available()
    h = memtrack.dump(path, collect=False, background=True)
    p0, _ = rollup()
    peak = {"child": 0, "parent": p0, "avail": avail0}
    stop = threading.Event()

    def sampler():
        while not stop.is_set():
            parent = rollup()[0]
            child = rollup(h.pid)[0]
            if child and not h.done():  # alive after the parent's reading
                peak["child"] = max(peak["child"], child)
                peak["parent"] = max(peak["parent"], parent)
            peak["avail"] = min(peak["avail"], mem_available())
            stop.wait(0.02)

    t = threading.Thread(target=sampler)
    t.start()
    passes = 0
    if busy:
        while not h.done():
            for r in recs:
                r.value += 1
            passes += 1
    r = h.wait()
    stop.set()
    t.join()
    os.unlink(path)
    return {"walk": r.seconds, "pause": r.pause,
            "parent_copied": peak["parent"] - p0,
            "child_peak_private": peak["child"],
            "memavailable_drop": avail0 - peak["avail"], "passes": passes}


def main():
    moddir = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5000000
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    sys.path.insert(0, moddir)
    sys.path.insert(0, HERE)
    import memtrack
    from heapy_util import build_heapy

    hdir = build_heapy()
    hp = None
    if hdir:
        sys.path.insert(0, hdir)
        from guppy import hpy
        hp = hpy()
    recs = [Rec(i) for i in range(n // 4)]
    gc.collect()
    path = os.path.join(os.environ.get("TMPDIR", tempfile.gettempdir()),
                        "memtrack-bench-bg-%d.mp" % os.getpid())
    print("python: %s" % sys.version.split()[0])
    print("rss_before: %s" % mib(rollup()[0] + rollup()[1]))
    # copy-on-write first, before heapy's memory comes and goes
    for busy in (False, True):
        c = cow_run(memtrack, path, recs, busy)
        name = "busy" if busy else "quiet"
        print("cow_%s: parent private growth %s, child peak private %s, "
              "MemAvailable drop %s, walk %.3f s, pause %.4f s%s" % (
                  name, mib(c["parent_copied"]), mib(c["child_peak_private"]),
                  mib(c["memavailable_drop"]), c["walk"], c["pause"],
                  ", %d passes over the Recs" % c["passes"] if busy else ""),
              flush=True)
    if hp is not None:
        hp.heap()  # warm: heapy's first call builds its tables
    pauses, walks, heapy = [], [], []
    objects = 0
    for _ in range(rounds):
        h = memtrack.dump(path, collect=False, background=True)
        pauses.append(h.pause)
        r = h.wait()
        walks.append(r.seconds)
        objects = r.objects
        os.unlink(path)
        if hp is not None:
            t0 = time.perf_counter()
            hp.heap()
            heapy.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    fg = memtrack.dump(path, collect=False)
    fg_call = time.perf_counter() - t0
    os.unlink(path)
    print("objects: %d" % objects)
    print("background_pause_s: %.4f (best of %d: %s)" % (
        min(pauses), rounds, ", ".join("%.4f" % x for x in pauses)))
    print("background_child_walk_s: %.3f" % min(walks))
    print("foreground_dump_s: %.3f" % fg_call)
    if heapy:
        print("heapy_warm_heap_s: %.3f (best of %d: %s)" % (
            min(heapy), rounds, ", ".join("%.3f" % x for x in heapy)))
        print("heapy_over_pause: %.0f (target >= 20)"
              % (min(heapy) / min(pauses)))
    else:
        print("heapy_warm_heap_s: heapy did not build")
    del recs


if __name__ == "__main__":
    main()
