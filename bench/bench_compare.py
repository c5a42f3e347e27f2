"""Two dumps of one process for bench/bench_compare: the heap of
bench_capture.py (N/4 instances of `Rec`, each with a unique str and a
unique int attribute, in one list: 4 objects each in the dump), dumped;
then a tenth of the instances dropped and as many new ones made (a leak
and some churn: same object count), dumped again.

    python3 bench/bench_compare.py MODULE_DIR OBJECTS OLD.mp NEW.mp

Prints one "name: value" line per figure: python, objects_old,
objects_new, capture_seconds_old, capture_seconds_new.
"""

import gc
import sys


class Rec:
    def __init__(self, i):
        self.name = "rec-%09d" % i
        self.value = i * 1000003 + 2**40


def main():
    moddir, n, old, new = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    sys.path.insert(0, moddir)
    import memtrack

    recs = [Rec(i) for i in range(n // 4)]
    gc.collect()
    a = memtrack.dump(old, collect=False)
    base = len(recs)
    k = base // 10
    del recs[:k]  # gone
    recs.extend([Rec(base + i) for i in range(k)])  # new
    gc.collect()
    b = memtrack.dump(new, collect=False)
    print("python: %s" % sys.version.split()[0])
    print("objects_old: %d" % a["objects"])
    print("objects_new: %d" % b["objects"])
    print("capture_seconds_old: %.3f" % a["seconds"])
    print("capture_seconds_new: %.3f" % b["seconds"])


if __name__ == "__main__":
    main()
