"""memtrack.mark() benchmark: what a mark costs on a big heap.

    python3 bench/bench_mark.py MODULE_DIR OBJECTS [REPEAT]

The heap is bench_capture.py's (heapy's benchmark shape): OBJECTS/4
instances of `Rec` with a unique str and a unique int attribute, in one
list; on 3.11+ every instance's attributes are inline values, written as a
virtual dict (so a quarter of the dumped objects are virtual and not in the
mark). Without collection (collect=False), best of REPEAT (default 3) runs
of mark(), of dump() with the mark set and of dump() without one; then one
mark() with its default gc.collect().

Prints one "name: value" line per figure:
  dump_objects, marked_objects, mark_bytes, mark_bytes_per_object (the C
  memory the mark holds per marked object), mark_seconds,
  mark_seconds_collect (with gc.collect()), dump_marked_seconds,
  dump_seconds, dump_marked_ratio, marked_file_extra_bytes (the MARK
  record), load (/proc/loadavg's first figure at the end).
"""

import os
import sys
import tempfile


class Rec:
    def __init__(self, i):
        self.name = "rec-%09d" % i
        self.value = i * 1000003 + 2**40


def main():
    moddir, n = sys.argv[1], int(sys.argv[2])
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    sys.path.insert(0, moddir)
    import gc

    import memtrack

    keep = [Rec(i) for i in range(n // 4)]
    gc.collect()
    path = os.path.join(tempfile.mkdtemp(prefix="bench-mark-"), "b.mp")
    marks, dumps_marked, dumps = [], [], []
    for _ in range(repeat):
        m = memtrack.mark(collect=False)
        marks.append(m.seconds)
        s1 = memtrack.dump(path, collect=False)
        dumps_marked.append(s1.seconds)
        memtrack.mark(None)
        s0 = memtrack.dump(path, collect=False)
        dumps.append(s0.seconds)
    mc = memtrack.mark()
    memtrack.mark(None)
    os.unlink(path)
    os.rmdir(os.path.dirname(path))
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    figures = [
        ("dump_objects", s0.objects),
        ("marked_objects", m.objects),
        ("mark_bytes", m.bytes),
        ("mark_bytes_per_object", "%.2f" % (m.bytes / m.objects)),
        ("mark_seconds", "%.2f" % min(marks)),
        ("mark_seconds_collect", "%.2f" % mc.seconds),
        ("dump_marked_seconds", "%.2f" % min(dumps_marked)),
        ("dump_seconds", "%.2f" % min(dumps)),
        ("dump_marked_ratio", "%.2f" % (min(dumps_marked) / min(dumps))),
        ("marked_file_extra_bytes", s1.file_bytes - s0.file_bytes),
        ("load", load),
    ]
    for k, v in figures:
        print("%s: %s" % (k, v))
    del keep


if __name__ == "__main__":
    main()
