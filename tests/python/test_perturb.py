"""A dump does not change the heap it measures (no dicts, frames or other
objects materialised), at 10k and at 1M instances."""
import unittest

from mtutil import PY, Dump, run_child

CHILD = """
N = %d
class Rec:
    def __init__(self, i):
        self.i = i
        self.s = "r%%d" %% i
recs = [Rec(i) for i in range(N)]
def measure():
    gc.collect()
    return len(gc.get_objects()), sys.getallocatedblocks()
path = os.path.join(tmpdir, "p.mp")
memtrack.dump(path)               # warm-up: imports, interned names, caches
os.unlink(path)
g0, b0 = measure()
res = memtrack.dump(path)
g1, b1 = measure()
res2 = memtrack.dump(path)
g2, b2 = measure()
report({"path": path, "dg": g1 - g0, "db": b1 - b0, "dg2": g2 - g1, "db2": b2 - b1,
        "objects": res["objects"], "first": id(recs[0])})
"""


class Perturb(unittest.TestCase):
    def check(self, n):
        r = run_child(CHILD % n, timeout=600)
        for k in ("dg", "db", "dg2", "db2"):
            self.assertLessEqual(abs(r[k]), 50, "%s = %d at N=%d" % (k, r[k], n))
        self.assertGreater(r["objects"], 3 * n)
        return r

    def test_10k(self):
        r = self.check(10000)
        d = Dump(r["path"])
        i = d.id_of(r["first"])
        dct = d.one(i, "attr", "__dict__")
        if PY >= (3, 11):
            # the second dump still sees inline values: the first did not
            # materialise the dict
            self.assertTrue(d.is_virtual(dct))
        self.assertEqual(sorted(d.keyvals(dct)), ["i", "s"])

    def test_1m(self):
        self.check(1000000)


if __name__ == "__main__":
    unittest.main()
