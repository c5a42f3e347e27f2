"""heapy's difference table against memtrack's, on the same two heaps.

A child interpreter with heapy (guppy3 3.1.7 built for it, as in
test_heapy_labels) grows and shrinks a heap held by one global list: it
dumps with memtrack, takes heapy's statistics of what the list dominates,
changes the heap (frees some objects, makes others, kinds that appear and
disappear, ties in size), dumps again and takes heapy's statistics again.
heapy's `h2.diff(h1)` text (`st2 - st1`: UniSet.diff is `self.stat -
other.by(self.er).stat`), its `.all` and its diff by type must equal what
memtrack-tui prints for the same sets of the two dumps (`X.diff(X0)` with X
in NEW and X0 in OLD, `_.all`, `X.bytype.diff(X0)`).  The whole heaps
cannot be compared this way (heapy's heap leaves out heapy's own objects,
memtrack's dump does not), so `--batch OLD NEW` is tied to heapy through
`h.diff(h0)`: the same table (tests/batch/test_diff.sh checks that).
Skipped where heapy does not build (3.9: guppy3 3.1.7 needs 3.10).
"""
import subprocess
import unittest

from mtutil import run_child, tui
from test_heapy_labels import build_guppy

CHILD = """
sys.path.insert(0, %(guppy)r)
from guppy import hpy
hp = hpy()

# classes of several sizes (slots: no dicts, whose layout heapy and memtrack
# see differently on 3.11+); some grow, some shrink, some vanish
classes = []
for k in range(14):
    classes.append(type("C%%02d" %% k, (),
                        {"__slots__": tuple("a%%d" %% j for j in range(k %% 5 + 1))}))

class Node:
    # no int attribute: 3.13's small ints are static, and heapy counts some
    # in a set's dominos where memtrack does not
    __slots__ = ("name", "peer")
    def __init__(self, i):
        self.name = "n%%d" %% i
        self.peer = None

mt_diff_root = [Node(i) for i in range(300)]
mt_diff_root.append([b"x%%d" %% i for i in range(10)])
olds = []
for k, c in enumerate(classes):
    olds.append([c() for _ in range(k %% 7 + 1)])
mt_diff_root.extend(olds)
del olds                       # the lists are the root's alone
old = os.path.join(tmpdir, "old.mp")
memtrack.dump(old)
X = hp.iso(mt_diff_root).dominos
st1, st1t = X.stat, X.bytype.stat
del X

del mt_diff_root[:50]          # 50 Nodes (and their names) freed
del mt_diff_root[250]          # the bytes: a kind only in OLD
olds = mt_diff_root[250:]
for k in range(4):             # C00..C03 shrink to one instance
    del olds[k][1:]
mt_diff_root.extend(Node(i) for i in range(1000, 1200))
for k, c in enumerate(classes[4:], 4):
    olds[k].extend(c() for _ in range((k * 5) %% 4))
del olds
mt_diff_root.append(tuple("s%%d" %% i for i in range(40)))
mt_diff_root.append([1.5 * i for i in range(25)])   # float: only in NEW
new = os.path.join(tmpdir, "new.mp")
memtrack.dump(new)
X = hp.iso(mt_diff_root).dominos
st2, st2t = X.stat, X.bytype.stat
del X
d = st2 - st1
report({"old": old, "new": new, "diff": str(d) + "\\n",
        "all": str(d.all) + "\\n", "type": str(st2t - st1t) + "\\n"})
"""

ROOT = """(%s & hp.Via("['mt_diff_root']")).dominos"""


class HeapyDiff(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        guppy = build_guppy()
        if not guppy:
            raise unittest.SkipTest("heapy (guppy3) not available for this interpreter")
        cls.r = run_child(CHILD % {"guppy": guppy})

    def tui(self, *args):
        p = subprocess.run([tui()] + list(args), capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        return p.stdout

    def test_diff_is_heapys(self):
        r = self.r
        new, old = ROOT % "h", ROOT % "h0"
        out = self.tui("-e", "%s.diff(%s)" % (new, old), r["old"], r["new"])
        self.assertEqual(out, r["diff"])
        # the case is not trivial: shrinking and growing rows, a kind on
        # each side only, more than a page
        for kind in ("__main__.C01", "bytes", "float", "__main__.Node"):
            self.assertIn(" %s\n" % kind, r["all"])
        self.assertNotIn(" __main__.C00\n", r["all"])  # did not change
        self.assertRegex(r["all"], r"\n +\d+ +-\d+ +-\d+ .* __main__\.C0[1-3]\n")
        self.assertRegex(r["all"], r"\n +\d+ +-10 +-\d+ .* bytes\n")
        self.assertRegex(r["diff"], r"<\d+ more rows\. ")

    def test_all_is_heapys(self):
        r = self.r
        new, old = ROOT % "h", ROOT % "h0"
        out = self.tui("-e", "%s.diff(%s)" % (new, old), "-e", "_.all",
                       r["old"], r["new"])
        self.assertEqual(out, r["diff"] + r["all"])
        # --all prints every row at once
        out = self.tui("--all", "-e", "%s.diff(%s)" % (new, old), r["old"], r["new"])
        self.assertEqual(out, r["all"])

    def test_bytype_is_heapys(self):
        r = self.r
        new, old = ROOT % "h", ROOT % "h0"
        out = self.tui("-e", "%s.bytype.diff(%s)" % (new, old), r["old"], r["new"])
        self.assertEqual(out, r["type"])

    def test_batch_is_h_diff_h0(self):
        r = self.r
        for extra in ([], ["--all"], ["--by", "type"]):
            batch = self.tui("--batch", *(extra + [r["old"], r["new"]]))
            by = ".bytype" if extra[-1:] == ["type"] else ""
            q = self.tui(*([a for a in extra if a == "--all"] +
                           ["-e", "h%s.diff(h0)" % by, r["old"], r["new"]]))
            self.assertEqual(batch, q)
            self.assertTrue(batch.startswith("Summary of difference operation (A-B).\n"))


if __name__ == "__main__":
    unittest.main()
