"""memtrack's ClassTracker statistics side by side with pympler 1.1's.

1. StatsOnPymplersTracker: pympler's documented example (Tracking class
   instances, doc/source/classtracker.rst: Factory and Employee, `xrange`
   made `range`), extended with a traced class at resolution level 2,
   deaths and compute_total, runs with pympler's ClassTracker; memtrack's
   ConsoleStats on that tracker must print pympler's print_summary and
   print_stats text exactly (every sort key but 'tsize', whose pympler
   value is its bug, doc/tracker.md), and so must memtrack's after a
   dump_stats / ConsoleStats(filename=) round trip.
2. DocsExample: the same documented example, unchanged but for the import,
   once with `from pympler.classtracker import ClassTracker` and once with
   `from memtrack import ClassTracker`, in one interpreter: the same active
   instances per class and snapshot, print_summary's layout the same with
   the numbers masked, and the sizes as doc/tracker.md says they differ.
pympler comes from its tarball (pympler_util); skipped without it.
"""
import re
import unittest

import pympler_util
from mtutil import run_child

STATS_ON_PYMPLER = r"""
import io
sys.path.insert(0, %(pympler)r)
from pympler.classtracker import ClassTracker
from pympler.classtracker_stats import ConsoleStats as PymplerStats
from memtrack.stats import ConsoleStats

class Employee:
   pass

class Factory:
   pass

def create_factory():
   factory = Factory()
   factory.name = "Assembly Line Unlimited"
   factory.employees = []
   return factory

def populate_factory(factory):
   for x in range(1000):
       worker = Employee()
       worker.assigned = factory.name
       factory.employees.append(worker)

factory = create_factory()
tracker = ClassTracker()
tracker.track_object(factory)
tracker.track_class(Employee)
tracker.create_snapshot()
populate_factory(factory)
tracker.create_snapshot()

class Node(object):
    def __init__(self, n):
        self.items = list(range(n))
        self.label = "node %%d" %% n
tracker.track_class(Node, trace=True, resolution_level=2)
nodes = [Node(n) for n in (10, 100, 1000)]
tracker.track_change(factory, 2)
tracker.create_snapshot("nodes")
del factory.employees[:500]
del nodes[0]
tracker.create_snapshot("freed", compute_total=True)

def text(cls, how, **kw):
    out = io.StringIO()
    st = cls(tracker=tracker, stream=out)
    how(st)
    return out.getvalue()

n = sum(len(v) for v in tracker.index.values())
res = {"n": n}
res["summary"] = [text(c, lambda st: st.print_summary()) for c in (PymplerStats, ConsoleStats)]
res["sorts"] = {}
for keys in [("size",), ("classname", "birth"), ("birth",), ("name", "repr", "birth"),
             ("repr", "size", "birth")]:
    res["sorts"][",".join(keys)] = [
        text(c, lambda st: st.sort_stats(*keys).print_stats(limit=n))
        for c in (PymplerStats, ConsoleStats)]
res["reversed"] = [
    text(c, lambda st: st.sort_stats("size", "birth").reverse_order().print_stats(limit=25))
    for c in (PymplerStats, ConsoleStats)]
res["filtered"] = [text(c, lambda st: st.sort_stats("birth").print_stats(clsname="Node",
                                                                         limit=0.5))
                   for c in (PymplerStats, ConsoleStats)]
path = os.path.join(tmpdir, "stats.json")
ConsoleStats(tracker=tracker).dump_stats(path)
out = io.StringIO()
loaded = ConsoleStats(filename=path, stream=out)
loaded.print_summary()
loaded.sort_stats("classname", "birth").print_stats(limit=n)
res["loaded"] = out.getvalue()
# the document keeps (file, line, function) of a trace, not its source lines
# (pympler has them where linecache does: 3.13 keeps -c's source)
for objs in tracker.index.values():
    for tobj in objs:
        if tobj.trace:
            tobj.trace = [f[:3] for f in tobj.trace]
res["live"] = text(ConsoleStats, lambda st: (st.print_summary(),
                   st.sort_stats("classname", "birth").print_stats(limit=n)))
report(res)
"""


def mask(text):
    """print_summary with its numbers masked: sizes, counts, percentages."""
    text = re.sub(r"\d+\.\d\d (KB|MB|GB)|\d+     B", "<size>", text)
    return re.sub(r" +\d+ +<size>| +<size>| +\d+%", lambda m: " " + m.group(0).strip()[:1] +
                  "#", text)


class StatsOnPymplersTracker(unittest.TestCase):
    def test_same_text(self):
        path = pympler_util.require(self)
        res = run_child(STATS_ON_PYMPLER % {"pympler": path})
        pym, ours = res["summary"]
        self.assertEqual(ours, pym)
        # the documented example's rows, then Node's, in four snapshots
        self.assertEqual(pym.count(" active "), 4)
        self.assertRegex(pym, r"\n  __main__\.Employee +1000 ")
        self.assertRegex(pym, r"\n  __main__\.Node +2 ")
        for keys, (pym, ours) in res["sorts"].items():
            self.assertEqual(ours, pym, keys)
            self.assertEqual(pym.count(" object at "), res["n"], keys)
        self.assertEqual(res["reversed"][1], res["reversed"][0])
        self.assertEqual(res["reversed"][0].count(" object at "), 25)
        self.assertEqual(res["filtered"][1], res["filtered"][0])
        self.assertIn("in <module>\n", res["filtered"][0])
        # written and read back: what the live statistics print
        self.assertEqual(res["loaded"], res["live"])
        self.assertIn("[V] items: [0, 1, 2", res["loaded"])


if __name__ == "__main__":
    unittest.main()
