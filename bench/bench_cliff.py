"""Cliff benchmark: a heap where the walker's per-object work once scaled
with the biggest object seen, against a same-size heap without that shape.

    python3 bench/bench_cliff.py MODULE_DIR [DEQUES [ITEMS]] [OUT_DIR]

Heap "cliff": DEQUES one-item collections.deque objects and one
collections.defaultdict of ITEMS int -> int items (defaults 100000 and
1000000).  Both types have their own tp_traverse, so the walker runs its
tp_traverse pass (with the cover set) on each; the defaultdict makes that
set big.  Heap "plain": the same counts with one-item lists and a plain
dict, which need no tp_traverse pass.  Both are dumped in this process,
one after the other (each heap freed before the next is built), each
three times (the best figures are kept).

Prints one "name: value" line per figure: cliff_objects, cliff_seconds
(the pause), plain_objects, plain_seconds, the process CPU time of each dump
(cliff_cpu_seconds, plain_cpu_seconds: steadier than the pause on a shared
machine), and cliff_ratio, cliff_cpu_ratio (cliff per object over plain per
object; the target is below 2).  Before the cover set was cleared slot by
slot the ratio was above 200.
"""

import collections
import gc
import os
import sys
import tempfile
import time


def dump(memtrack, out):
    """Best of three dumps: objects, pause, CPU seconds."""
    gc.collect()
    best = None
    for _ in range(3):
        t = time.process_time()
        s = memtrack.dump(out, collect=False)
        cpu = time.process_time() - t
        os.unlink(out)
        if best is None or s["seconds"] < best[1]:
            best = (s["objects"], s["seconds"], best[2] if best else cpu)
        best = (best[0], best[1], min(best[2], cpu))
    return best


def main():
    moddir = sys.argv[1]
    ndeq = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    nitems = int(sys.argv[3]) if len(sys.argv) > 3 else 1000000
    outdir = sys.argv[4] if len(sys.argv) > 4 else tempfile.gettempdir()
    sys.path.insert(0, moddir)
    import memtrack

    out = os.path.join(outdir, "memtrack-bench-cliff-%d.mp" % os.getpid())
    base = 10 ** 9  # ints outside the small-int cache: one object each
    # the big object first: the walk reaches it before the deques
    dd = collections.defaultdict(int)
    for i in range(nitems):
        dd[base + i] = base + nitems + i
    heap = [dd] + [collections.deque([base + i]) for i in range(ndeq)]
    cliff_n, cliff_s, cliff_cpu = dump(memtrack, out)
    del heap, dd

    d = {}
    for i in range(nitems):
        d[base + i] = base + nitems + i
    heap = [d] + [[base + i] for i in range(ndeq)]
    plain_n, plain_s, plain_cpu = dump(memtrack, out)
    del heap, d

    print("python: %s" % sys.version.split()[0])
    print("cliff_objects: %d" % cliff_n)
    print("cliff_seconds: %.3f" % cliff_s)
    print("plain_objects: %d" % plain_n)
    print("plain_seconds: %.3f" % plain_s)
    print("cliff_cpu_seconds: %.3f" % cliff_cpu)
    print("plain_cpu_seconds: %.3f" % plain_cpu)
    print("cliff_ratio: %.2f" % ((cliff_s / cliff_n) / (plain_s / plain_n)))
    print("cliff_cpu_ratio: %.2f"
          % ((cliff_cpu / cliff_n) / (plain_cpu / plain_n)))


if __name__ == "__main__":
    main()
