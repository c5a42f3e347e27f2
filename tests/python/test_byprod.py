"""Allocation sites (heapy's byprod) against heapy's, on the same objects.

A child interpreter starts tracemalloc after making a few objects, imports a
module of its own (so the file name and lines are known), makes objects at
known lines of that module, of the child's own code and of eval(), dumps
with memtrack and asks heapy (guppy3 3.1.7 built for it, as in
test_heapy_labels) for each object's `byprod` label.  memtrack-tui's
`(h & hp.Id(addr)).byprod` must give heapy's label for every one of them,
and the module's lines must be what the source says.  Then: dumps taken
without tracemalloc, after tracemalloc.stop(), and with sites=False have no
sites, and byprod says why in one row; objects from before tracing are
`unknown`; recording sites leaves no object behind.  heapy's comparison
is skipped where heapy does not build (3.9); the rest runs everywhere.
"""
import os
import subprocess
import unittest

from mtutil import run_child, tui
from test_heapy_labels import build_guppy, row_label, tables

MOD = '''\
class C:
    pass
def make():
    return [C() for _ in range(50)]
def make_str(n):
    return "x" * n
def make_dict():
    return {"k%d" % i: i for i in range(3)}
def make_tuple(a, b):
    return (a, b, a)
def make_lists():
    return [[i] for i in range(500)]
def make_dicts():
    return [{"a": i} for i in range(500)]
'''

CHILD = """
import tracemalloc
early = [object() for _ in range(3)]         # before tracing: no site
early_list = [1.5, 2.5]
tracemalloc.start()
mod = os.path.join(tmpdir, "prodmod.py")
with open(mod, "w") as f:
    f.write(%(mod)r)
sys.path.insert(0, tmpdir)
import prodmod
objs = prodmod.make()
s = prodmod.make_str(1000)
d = prodmod.make_dict()
t = prodmod.make_tuple(s, d)
e = eval("prodmod.C()")
mine = [1, 2, 3]
lists = prodmod.make_lists()
dicts = prodmod.make_dicts()
sample = [objs, objs[0], objs[49], s, d, t, e, mine, lists[-1], dicts[-1]] + \
    early + [early_list]
path = os.path.join(tmpdir, "prod.mp")
r = memtrack.dump(path)
out = {"path": path, "mod": mod, "ids": [id(o) for o in sample]}
if %(guppy)r:
    sys.path.insert(0, %(guppy)r)
    from guppy import hpy
    hp = hpy()
    out["heapy"] = [str(hp.iso(o).byprod) for o in sample]
    out["heapy_objs"] = str(hp.iso(*objs).byprod)
    isod = hp.iso(*sample)
    dirn = os.path.dirname(mod)
    out["heapy_kinds"] = [(isod & k).count for k in (
        hp.Prod(), hp.Prod(mod, 4), hp.Prod(mod), hp.Prod(dirn),
        hp.Prod("<string>", 1),
        hp.Prod(None, 4).alt(">=") & hp.Prod(None, 8).alt("<="),
        hp.Prod(mod, None))]
report(out)
"""

NO_SITES = "<no allocation sites: the program did not run with tracemalloc>"

PLAIN = """
import tracemalloc
how = %(how)r
if how == "stopped":
    tracemalloc.start()
    tracemalloc.stop()
if how == "nosites":
    tracemalloc.start()
x = [object() for _ in range(10)]
path = os.path.join(tmpdir, "plain.mp")
memtrack.dump(path, sites=how != "nosites")
report({"path": path})
"""

# recording sites leaves nothing behind: the allocated blocks and the
# traced memory after a dump with sites are those after one without
PERTURB = """
import tracemalloc
tracemalloc.start()
heap = [[i] for i in range(20000)]
p = os.path.join(tmpdir, "x.mp")
memtrack.dump(p)                     # warm up (plugins, first dump)
memtrack.dump(p, sites=False)
out = {}
for sites in (True, False, True, False):
    b0, t0 = sys.getallocatedblocks(), tracemalloc.get_traced_memory()[0]
    memtrack.dump(p, sites=sites)
    out.setdefault(str(sites), []).append(
        [sys.getallocatedblocks() - b0,
         tracemalloc.get_traced_memory()[0] - t0])
report(out)
"""


def batch(path, exprs):
    cmd = [tui(), "--batch"]
    for e in exprs:
        cmd += ["-e", e]
    p = subprocess.run(cmd + [path], capture_output=True, text=True,
                       timeout=300)
    if p.returncode:
        raise AssertionError(p.stderr)
    return p.stdout


class ByProd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.guppy = build_guppy()
        cls.r = run_child(CHILD % {"mod": MOD, "guppy": cls.guppy or ""})
        cls.out = tables(batch(cls.r["path"], ["(h & hp.Id(%#x)).byprod" % a
                                               for a in cls.r["ids"]]))
        cls.got = [row_label(t) for t in cls.out]

    def test_header(self):
        self.assertEqual(len(self.out), len(self.r["ids"]))
        for t in self.out:
            self.assertIn("Producer (line of allocation)", t.splitlines()[1])

    def test_known_lines(self):
        mod = self.r["mod"]
        got = self.got
        # C's instances: make()'s line; the str: make_str's
        self.assertEqual(got[1], "%s:4" % mod)
        self.assertEqual(got[2], "%s:4" % mod)
        self.assertEqual(got[3], "%s:6" % mod)
        self.assertEqual(got[6], "<string>:1")      # eval's code
        # lists, dicts and tuples come from CPython's free lists when
        # there are some: the memory's first allocation is the site
        # (often before tracing: unknown, heapy's too); the 500th list and
        # dict of a run are new memory
        self.assertEqual(got[8], "%s:12" % mod)
        self.assertEqual(got[9], "%s:14" % mod)
        # made before tracemalloc started
        self.assertEqual(got[10:], ["unknown"] * 4)

    def test_same_as_heapy(self):
        if not self.guppy:
            self.skipTest("heapy (guppy3) not available for this interpreter")
        want = [row_label(t) for t in tables("\n".join(self.r["heapy"]))]
        self.assertEqual(self.got, want)

    def test_partition_as_heapy(self):
        # the 50 instances of C: one row, heapy's numbers and label
        ids = self.r["ids"]
        text = batch(self.r["path"],
                     ["(h & hp.Type('prodmod.C') & hp.Id(%#x)).count" % ids[1],
                      "(h & hp.Type('prodmod.C')).byprod"])
        lines = text.splitlines()
        self.assertEqual(lines[0], "1")
        table = "\n".join(lines[1:])
        self.assertIn("%s:4" % self.r["mod"], table)
        self.assertIn("Partition of a set of 51 objects", table)  # and e
        if self.guppy:
            mine = [l for l in table.splitlines() if l.endswith(":4")]
            heapy = [l for l in self.r["heapy_objs"].splitlines()
                     if l.endswith(":4")]
            self.assertEqual([l.split()[1] for l in mine], ["50"])
            self.assertEqual([l.split()[1] for l in heapy], ["50"])

    def test_prod_kinds(self):
        # hp.Prod over the sample, as heapy selects
        mod = self.r["mod"]
        ids = " | ".join("hp.Id(%#x)" % a for a in self.r["ids"])
        kinds = ["hp.Prod()", "hp.Prod(%r, 4)" % mod, "hp.Prod(%r)" % mod,
                 "hp.Prod(%r)" % os.path.dirname(mod), "hp.Prod('<string>', 1)",
                 "hp.Prod(None, 4).alt('>=') & hp.Prod(None, 8).alt('<=')",
                 "hp.Prod(%r, None)" % mod]
        got = [int(x) for x in batch(self.r["path"], [
            "(h & (%s) & %s).count" % (ids, k) for k in kinds]).split()]
        # each kind selects the sample objects whose byprod label (heapy's,
        # test_same_as_heapy) says so
        labels = self.got
        lines = [int(l.rsplit(":", 1)[1]) if l != "unknown" else None
                 for l in labels]
        self.assertEqual(got[0], labels.count("unknown"))
        self.assertEqual(got[1], labels.count("%s:4" % mod))
        self.assertEqual(got[1], 2)
        self.assertEqual(got[2], sum(l.startswith(mod + ":") for l in labels))
        self.assertEqual(got[3], got[2])
        self.assertEqual(got[4], 1)
        self.assertEqual(got[5], sum(n is not None and 4 <= n <= 8 for n in lines))
        self.assertEqual(got[6], 0)   # a None never matches with ==
        if self.guppy:
            self.assertEqual(got, self.r["heapy_kinds"])

    def test_without_sites(self):
        for how in ("never", "stopped", "nosites"):
            with self.subTest(how=how):
                r = run_child(PLAIN % {"how": how})
                t = tables(batch(r["path"], ["h.byprod"]))[0].splitlines()
                self.assertEqual(len(t), 4, t)  # title, header, one row, 2 lines
                self.assertEqual(row_label("\n".join(t)), NO_SITES)

    def test_no_perturbation(self):
        r = run_child(PERTURB)
        for with_sites, without in zip(r["True"], r["False"]):
            # a few blocks and bytes either way (the summary Record, the
            # interpreter's caches: they vary from dump to dump); anything
            # kept per object would be 20000 blocks
            self.assertLessEqual(abs(with_sites[0] - without[0]), 16, r)
            self.assertLessEqual(abs(with_sites[1] - without[1]), 2048, r)


if __name__ == "__main__":
    unittest.main()
