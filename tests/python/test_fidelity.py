"""Referrers, retained sizes and greenlet stacks against heapy on real heaps.

- A class's referrers include its instances: heapy's traversal sees the
  ob_type reference that subtype_traverse visits (doc/loader.md, "The
  ob_type edge"); hp.iso(C).referrers of a class with 100 instances is the
  referrers of a class without instances plus those 100 (heapy 3.1.7 on
  Debian's 3.11.2: 104 and 4).  Classes of a metaclass are not referrers of
  the metaclass (heapy's own type traversal skips ob_type), and byvia never
  shows ->ob_type.
- Retained sizes leave out what the interpreter owns (doc/analysis.md,
  "Interpreter-owned objects"): a small int, None or a static type held
  only by a user object is not in its dominos.
- Objects held only by suspended greenlets' locals (gevent) reach the root
  through the greenlet's `gr_frame` edge (doc/capture.md, "Greenlets");
  skipped where gevent is not installed (Debian: python3-gevent).
"""
import os
import subprocess
import sys
import unittest

from mtutil import run_child, tui


class Tui:
    def __init__(self, case, path):
        self.case = case
        self.path = path

    def q(self, expr):
        p = subprocess.run([tui(), "--batch", "-e", expr, self.path],
                           capture_output=True, text=True, timeout=120)
        self.case.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def count(self, expr):
        return int(self.q("(%s).count" % expr))


def cls(name):
    """The class object bound to module global `name`."""
    return "(h & hp.Type('type') & hp.Via(\"['%s']\").alt('>='))" % name


CLASSES = """
class C: pass
class E: pass           # same shape as C, no instances
class D(dict): pass     # heapy's dict traversal calls tp_traverse: has it
class L(list): pass
class Meta(type): pass  # heapy's type traversal has no ob_type
class A(metaclass=Meta): pass
class B(metaclass=Meta): pass
cs = [C() for i in range(100)]
ds = [D() for i in range(7)]
ls = [L() for i in range(5)]
path = os.path.join(tmpdir, 'classes.mp')
memtrack.dump(path)
report({'path': path})
"""


class ClassReferrers(unittest.TestCase):
    @classmethod
    def setUpClass(cls_):
        cls_.res = run_child(CLASSES)

    def setUp(self):
        self.t = Tui(self, self.res["path"])

    def test_instances_are_referrers(self):
        t = self.t
        base = t.count(cls("E") + ".referrers")
        self.assertEqual(t.count(cls("C") + ".referrers"), base + 100)
        self.assertEqual(t.count(cls("C") + ".referrers & hp.Type('__main__.C')"), 100)
        self.assertEqual(t.count(cls("D") + ".referrers & hp.Type('__main__.D')"), 7)
        self.assertEqual(t.count(cls("L") + ".referrers & hp.Type('__main__.L')"), 5)
        # A and B are instances of Meta, but heapy does not count them
        self.assertEqual(t.count(cls("Meta") + ".referrers & hp.Type('__main__.Meta')"), 0)

    def test_referents_and_paths(self):
        t = self.t
        # an instance's referents hold its class, as heapy's do
        self.assertEqual(t.count("(h & hp.Type('__main__.C')).referents & hp.Type('type')"), 1)
        out = t.q("(h & hp.Type('__main__.C') & hp.Via('[3]')).referents.byid")
        self.assertIn("type", out)

    def test_byrcs_and_byvia(self):
        t = self.t
        rcs = t.q(cls("C") + ".byrcs")
        self.assertIn("__main__.C, ", rcs)
        via = t.q(cls("C") + ".byvia")
        self.assertIn("\"['C']\"", via)
        self.assertNotIn("ob_type", via)
        self.assertNotIn("__main__.C", t.q(cls("E") + ".byrcs"))

    def test_class_held_by_instances_only(self):
        """A class whose only holders are its instances is kept alive by
        them: the instance list dominates it, as in heapy."""
        res = run_child("""
def make():
    class Local: pass
    return [Local() for i in range(3)]
objs = make()
path = os.path.join(tmpdir, 'local.mp')
memtrack.dump(path)
report({'path': path})
""")
        t = Tui(self, res["path"])
        lst = "(h & hp.Type('list') & hp.Via(\"['objs']\").alt('>='))"
        dom = t.q(lst + ".dominos.bytype")
        self.assertIn("__main__.Local", dom)
        self.assertRegex(dom, r"\n +\d+ +1 +\d+ +\d+ +\d+ +\d+ +\d+ +type\n")
        sp = t.q("(h & hp.Type('type') & hp.Rcs('__main__.Local')"
                 ".alt('>=')).sp")
        self.assertIn("->ob_type", sp)


HOLDER = """
class Holder: pass
x = Holder()
x.__dict__                     # a real dict, so the sizes are plain
x.small = int('200')           # the small-int cache's 200
x.big = int('9' * 30)          # a new int only x holds
x.none = None
x.ell = Ellipsis
path = os.path.join(tmpdir, 'holder.mp')
memtrack.dump(path)
report({'path': path, 'x': sys.getsizeof(x), 'd': sys.getsizeof(x.__dict__),
        'big': sys.getsizeof(x.big)})
"""


class InterpreterOwned(unittest.TestCase):
    def test_small_ints_and_singletons_are_not_retained(self):
        res = run_child(HOLDER)
        t = Tui(self, res["path"])
        x = "(h & hp.Type('__main__.Holder'))"
        self.assertEqual(int(t.q(x + ".domisize")),
                         res["x"] + res["d"] + res["big"])
        dom = t.q(x + ".dominos.bytype")
        self.assertNotIn("NoneType", dom)
        self.assertNotIn("ellipsis", dom)
        self.assertEqual(t.count(x + ".dominos & hp.Type('int')"), 1)


GEVENT = """
import gevent, greenlet, threading
N = 20
def worker(i):
    held = [i, 'held-%d' % i]        # only this local holds the list
    gevent.sleep(1000)
    return held
gs = [gevent.spawn(worker, i) for i in range(N)]
gevent.sleep(0)                      # every worker runs, then waits
# plain greenlets: suspended, never started, finished
def raw():
    kept = ['raw-held']
    greenlet.getcurrent().parent.switch()
    return kept
r1 = greenlet.greenlet(raw); r1.switch()
r2 = greenlet.greenlet(raw)
r3 = greenlet.greenlet(lambda: None); r3.switch()
# a greenlet suspended in another thread that waits
ev, done = threading.Event(), threading.Event()
def other():
    g = greenlet.greenlet(raw); g.switch()
    ev.set(); done.wait()
t = threading.Thread(target=other); t.start(); ev.wait()
path = os.path.join(tmpdir, 'gevent.mp')
memtrack.dump(path)
done.set(); t.join()
report({'path': path, 'n': N})
"""


def have(mod):
    try:
        __import__(mod)
        return True
    except ImportError:
        return False


@unittest.skipUnless(have("gevent") and have("greenlet"),
                     "gevent and greenlet are not installed for this Python "
                     "(Debian: python3-gevent python3-greenlet)")
class Greenlets(unittest.TestCase):
    def test_suspended_locals_have_referrers_and_paths(self):
        import greenlet
        if sys.version_info >= (3, 12) or not greenlet.__version__[0] in "23":
            self.skipTest("greenlet frames are not walked here (doc/capture.md)")
        res = run_child(GEVENT)
        t = Tui(self, res["path"])
        held = "(h & hp.Type('list') & hp.Via(\".f_locals['held']\"))"
        n = res["n"]
        self.assertEqual(t.count(held), n)
        self.assertEqual(t.count(held + ".referrers & hp.Type('types.FrameType')"), n)
        sp = t.q(held + ".byid[0].sp")
        self.assertRegex(sp, r"\.gr_frame(\.f_back)*\.f_locals\['held'\]")
        self.assertIn("hp.Root.", sp)
        # the raw greenlets suspended here and in the other thread
        kept = "(h & hp.Type('list') & hp.Via(\".f_locals['kept']\"))"
        self.assertEqual(t.count(kept), 2)
        self.assertIn(".gr_frame", t.q(kept + ".byid[0].sp"))
        # and every gr_frame edge goes to a frame
        self.assertEqual(t.count("h & hp.Via('.gr_frame')"),
                         t.count("h & hp.Via('.gr_frame') & hp.Type('types.FrameType')"))


if __name__ == "__main__":
    unittest.main()
