"""Reachability: long chains, the unreachable tail, collect=True/False."""
import unittest

from mtutil import Dump, run_child

LINKED = """
class Link:
    __slots__ = ("next", "val")
head = None
for i in range(100000):
    l = Link(); l.next = head; l.val = i; head = l
path = os.path.join(tmpdir, "l.mp")
memtrack.dump(path)
report({"path": path, "head": id(head)})
"""

UNREACH = """
class Cyc:
    pass
ids_seed = [1, 2, 3]
def make():
    a, b = Cyc(), Cyc()
    a.other = b; b.other = a
    a.tag = "cycle-tag-" + str(len(ids_seed))
    return id(a), id(b)
gc.collect()
gc.disable()
ids = make()
p1 = os.path.join(tmpdir, "nocollect.mp")
memtrack.dump(p1, collect=False)
p2 = os.path.join(tmpdir, "collect.mp")
memtrack.dump(p2, collect=True)
report({"p1": p1, "p2": p2, "ids": ids})
"""


class Reach(unittest.TestCase):
    def test_linked_list_100k(self):
        r = run_child(LINKED)
        d = Dump(r["path"])
        self.assertEqual(len(d.of_type("__main__.Link")), 100000)
        i, n, seen = d.id_of(r["head"]), 0, set()
        while True:
            self.assertLess(i, d.reachable)
            seen.add(d.value(d.one(i, "attr", "val")))
            n += 1
            nxt = d.targets(i, "attr", "next")
            if not nxt or d.type_name(nxt[0]) != "__main__.Link":
                break
            i = nxt[0]
        self.assertEqual(n, 100000)
        self.assertEqual(seen, set(range(100000)))

    def test_unreachable_cycle(self):
        r = run_child(UNREACH)
        d1 = Dump(r["p1"])
        a, b = (d1.id_of(x) for x in r["ids"])
        self.assertIsNotNone(a)
        self.assertIsNotNone(b)
        self.assertGreaterEqual(a, d1.reachable)
        self.assertGreaterEqual(b, d1.reachable)
        self.assertFalse(d1.header["collected"])
        da = d1.one(a, "attr", "__dict__")
        self.assertEqual(d1.keyvals(da)["other"], b)
        # the tail is closed over referents: the tag string is there too
        self.assertGreaterEqual(d1.keyvals(da)["tag"], d1.reachable)
        d2 = Dump(r["p2"])
        self.assertTrue(d2.header["collected"])
        self.assertEqual(d2.of_type("__main__.Cyc"), [])


if __name__ == "__main__":
    unittest.main()
