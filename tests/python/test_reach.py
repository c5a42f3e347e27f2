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

# Objects only the GC lists hold, one after the other in the youngest list:
# self-cycles, so nothing but its list predecessor leads to each.  Each
# has 1 to 3 fresh non-GC referents (str, int, float), so the ids of the
# GC objects in the tail fall at every place in a byte of the walk's bit
# arrays; each round dumps the tail again with more of them.
TAIL = """
class G:
    __slots__ = ("me", "s", "i", "f")
def make(n, extra):
    for j in range(n):
        g = G()
        g.me = g
        g.s = "tail-%d-%d" % (n, j)
        if extra > 1:
            g.i = 2**40 + n * 1000 + j
        if extra > 2:
            g.f = n + j / 1000.0
gc.collect()
gc.disable()
made, rounds = 0, []
for r in range(16):
    n, extra = 1 + r * 7, 1 + r % 3
    make(n, extra)
    made += n
    p = os.path.join(tmpdir, "t%d.mp" % r)
    res = memtrack.dump(p, collect=False)
    rounds.append([p, made, res["objects"], res["reachable"]])
report({"rounds": rounds})
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

    def test_tail_of_self_cycles_complete(self):
        r = run_child(TAIL)
        for path, made, objects, reachable in r["rounds"]:
            d = Dump(path)
            g = d.of_type("__main__.G")
            self.assertEqual(len(g), made, path)
            self.assertGreaterEqual(min(g), reachable)
            self.assertGreaterEqual(objects - reachable, made)


if __name__ == "__main__":
    unittest.main()
