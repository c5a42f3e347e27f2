"""Capture benchmark: build a synthetic heap, dump it, print figures.

    python3 bench/bench_capture.py MODULE_DIR OBJECTS OUT.mp

The heap is heapy's benchmark shape (reference/heapy.md section 8): OBJECTS/4
instances of `Rec`, each with a unique str and a unique int attribute, held
in one list; on 3.11+ each instance's attributes are inline values, which
memtrack writes as a virtual dict, so every Rec is 4 objects in the dump
(instance, dict, str, int) as it is for heapy after materialisation.

Prints one "name: value" line per figure:
  objects, capture_seconds (the pause), capture_objects_per_s,
  capture_extra_peak_bytes_per_object (peak RSS during the dump minus RSS
  before it, per dumped object), dump_bytes_per_object.
"""

import gc
import os
import sys


def rss_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Rec:
    def __init__(self, i):
        self.name = "rec-%09d" % i
        self.value = i * 1000003 + 2**40


def main():
    moddir, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    sys.path.insert(0, moddir)
    import memtrack

    recs = [Rec(i) for i in range(n // 4)]
    gc.collect()
    # Reset the peak-RSS counter so VmHWM measures the dump alone.
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    before = rss_kib("VmRSS")
    summary = memtrack.dump(out, collect=False)
    peak = rss_kib("VmHWM")
    objs = summary["objects"]
    size = os.path.getsize(out)
    print("python: %s" % sys.version.split()[0])
    print("objects: %d" % objs)
    print("edges: %d" % summary["edges"])
    print("capture_seconds: %.3f" % summary["seconds"])
    print("capture_objects_per_s: %.0f" % (objs / summary["seconds"]))
    print("capture_extra_peak_bytes_per_object: %.1f"
          % (max(0, peak - before) * 1024 / objs))
    print("dump_bytes: %d" % size)
    print("dump_bytes_per_object: %.1f" % (size / objs))
    del recs


if __name__ == "__main__":
    main()
