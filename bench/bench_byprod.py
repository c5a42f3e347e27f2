"""Allocation sites (heapy's byprod): what recording them costs a dump.

    python3 bench/bench_byprod.py MODULE_DIR OBJECTS [REPEAT]

The heap is bench_capture.py's shape: OBJECTS/4 instances of `Rec` with a
unique str and a unique int attribute, in one list, all made while
tracemalloc traces (1 frame, its default), so nearly every object has a
site.  Best of REPEAT (default 3) runs, collect=False, of dump() with its
SITES record (sites=True, the default) and without (sites=False); and what
the dump leaves behind: sys.getallocatedblocks() and tracemalloc's traced
memory before and after a dump with sites, against the same for a dump
without (recording must not perturb the heap beyond tracemalloc itself).

Prints one "name: value" line per figure:
  dump_objects, dump_seconds_sites, dump_seconds_nosites, sites_seconds (the
  difference), sites_us_per_object, sites_ratio, file_bytes_sites,
  file_bytes_nosites, sites_file_extra_bytes, blocks_delta_sites,
  blocks_delta_nosites, traced_delta_sites, traced_delta_nosites,
  load (/proc/loadavg's first figure at the end).
"""

import os
import sys
import tempfile
import time
import tracemalloc


class Rec:
    def __init__(self, i):
        self.name = "rec-%09d" % i
        self.value = i * 1000003 + 2**40


def main():
    sys.path.insert(0, sys.argv[1])
    import memtrack
    n = int(sys.argv[2])
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    tracemalloc.start()
    heap = [Rec(i) for i in range(n // 4)]
    d = tempfile.mkdtemp(prefix="mt-bench-byprod-")
    p = os.path.join(d, "heap.mp")
    best = {}
    size = {}
    res = None
    for _ in range(repeat):
        for sites in (True, False):
            t = time.perf_counter()
            r = memtrack.dump(p, collect=False, sites=sites)
            dt = time.perf_counter() - t
            best[sites] = min(best.get(sites, dt), dt)
            size[sites] = r["file_bytes"]
            if sites:
                res = r
    # what a dump leaves behind
    delta = {}
    for sites in (True, False):
        b0, t0 = sys.getallocatedblocks(), tracemalloc.get_traced_memory()[0]
        memtrack.dump(p, collect=False, sites=sites)
        delta[sites] = (sys.getallocatedblocks() - b0,
                        tracemalloc.get_traced_memory()[0] - t0)
    tracemalloc.stop()
    del heap
    os.unlink(p)
    os.rmdir(d)
    cost = best[True] - best[False]
    print("dump_objects: %d" % res["objects"])
    print("dump_seconds_sites: %.3f" % best[True])
    print("dump_seconds_nosites: %.3f" % best[False])
    print("sites_seconds: %.3f" % cost)
    print("sites_us_per_object: %.3f" % (cost * 1e6 / res["objects"]))
    print("sites_ratio: %.2f" % (best[True] / best[False]))
    print("file_bytes_sites: %d" % size[True])
    print("file_bytes_nosites: %d" % size[False])
    print("sites_file_extra_bytes: %d" % (size[True] - size[False]))
    print("blocks_delta_sites: %d" % delta[True][0])
    print("blocks_delta_nosites: %d" % delta[False][0])
    print("traced_delta_sites: %d" % delta[True][1])
    print("traced_delta_nosites: %d" % delta[False][1])
    with open("/proc/loadavg") as f:
        print("load: %s" % f.read().split()[0])


if __name__ == "__main__":
    main()
