"""Frames of every thread are roots; locals and cells are named edges."""
import unittest

from mtutil import PY, Dump, run_child

CHILD = """
import threading
class Marker:
    pass
ready = threading.Event()
release = threading.Event()
def worker():
    only_here = Marker()          # held by this frame only
    kept_cell = ["cell-value"]
    def uses_cell():
        return kept_cell
    ready.set()
    release.wait()
    return only_here, uses_cell
def waiter_outer():
    return worker()
t = threading.Thread(target=waiter_outer)
t.start()
ready.wait()
marker_ids = [id(o) for o in gc.get_objects() if type(o) is Marker]
def caller_frame():
    here_local = ("main-thread-local",)
    path = os.path.join(tmpdir, "f.mp")
    memtrack.dump(path)
    return path, id(here_local)
path, main_local = caller_frame()
release.set()
t.join()
report({"path": path, "tid": t.ident, "main_tid": threading.get_ident(),
        "marker": marker_ids[0], "main_local": main_local})
"""


def frame_chain(d, f):
    out = []
    while f is not None:
        out.append(f)
        back = d.targets(f, "attr", "f_back")
        f = back[0] if back else None
    return out


STACK = """
class OnStack:
    pass
def consume(a, b):
    return a
def gen():
    consume(OnStack(), (yield 1))
g = gen()
next(g)
path = os.path.join(tmpdir, "st.mp")
memtrack.dump(path)
report({"path": path, "g": id(g)})
"""


THREAD_STACK = """
import threading
class OnStack:
    pass
ready, release = threading.Event(), threading.Event()
def consume(a, b):
    return a
def inner():
    ready.set()
    release.wait()
    return 1
def outer():
    return consume(OnStack(), inner())   # OnStack() waits on outer's stack
t = threading.Thread(target=outer)
t.start()
ready.wait()
path = os.path.join(tmpdir, "ts.mp")
memtrack.dump(path)
release.set()
t.join()
report({"path": path, "tid": t.ident})
"""


class Stack(unittest.TestCase):
    def test_thread_caller_stack(self):
        r = run_child(THREAD_STACK)
        d = Dump(r["path"])
        f = d.root("i0_t%d_f0" % r["tid"])
        names = []
        while f is not None:
            names.append(d.value(f)[2])
            if names[-1] == "outer":
                break
            back = d.targets(f, "attr", "f_back")
            f = back[0] if back else None
        self.assertEqual(names[-1], "outer", names)
        on_stack = [d.type_name(t) for (rel, t, lab) in d.edges(f) if rel == "stack"]
        if PY >= (3, 11):
            # the caller of a Python-to-Python call has a saved stack pointer
            self.assertIn("__main__.OnStack", on_stack)
        self.assertEqual(len(d.of_type("__main__.OnStack")), 1)

    def test_suspended_generator_stack(self):
        r = run_child(STACK)
        d = Dump(r["path"])
        g = d.id_of(r["g"])
        fr = d.one(g, "attr", "gi_frame")
        on_stack = [t for (rel, t, lab) in d.edges(fr) if rel == "stack"]
        self.assertIn("__main__.OnStack", [d.type_name(t) for t in on_stack])
        self.assertEqual(len(d.of_type("__main__.OnStack")), 1)


class Frames(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.r = run_child(CHILD)
        cls.d = Dump(cls.r["path"])

    def test_other_thread_local_via_root(self):
        d = self.d
        f0 = d.root("i0_t%d_f0" % self.r["tid"])
        self.assertIsNotNone(f0, "no frame root for the worker thread")
        chain = frame_chain(d, f0)
        names = [d.value(f)[2] for f in chain]
        self.assertIn("worker", names)
        self.assertIn("waiter_outer", names)
        self.assertLess(names.index("worker"), names.index("waiter_outer"))
        wf = chain[names.index("worker")]
        marker = d.one(wf, "local", "only_here")
        self.assertEqual(marker, d.id_of(self.r["marker"]))
        self.assertLess(marker, d.reachable)
        self.assertEqual(d.type_name(marker), "__main__.Marker")
        cell = d.one(wf, "cell", "kept_cell")
        self.assertEqual(d.type_name(cell), "builtins.cell")
        lst = d.one(cell, "attr", "cell_contents")
        self.assertEqual(d.value(d.one(lst, "index", 0)), "cell-value")
        fn, line, name = d.value(wf)
        self.assertEqual((fn, name), ("<string>", "worker"))
        self.assertGreater(line, 1)
        self.assertEqual(d.value(d.one(wf, "attr", "f_code"))[2], "worker")
        self.assertEqual(d.type_name(d.one(wf, "attr", "f_globals")), "builtins.dict")
        if PY >= (3, 11):
            self.assertTrue(d.is_virtual(wf), "3.11+ frames without a frame object stay virtual")

    def test_calling_thread_frames(self):
        d = self.d
        f0 = d.root("i0_t%d_f0" % self.r["main_tid"])
        self.assertIsNotNone(f0)
        chain = frame_chain(d, f0)
        names = [d.value(f)[2] for f in chain]
        self.assertEqual(names[0], "caller_frame")
        self.assertEqual(d.one(chain[0], "local", "here_local"), d.id_of(self.r["main_local"]))
        self.assertEqual(names[-1], "<module>")


if __name__ == "__main__":
    unittest.main()
