"""Paths that name code on real threaded programs: thread names read by the
capture (header `threads`), frames by function and file:line, module
globals as module.name, identical paths grouped (memtrack-tui's P view)."""
import re
import subprocess
import unittest

from mtutil import run_child, tui

CHILD = """
import threading, _thread
class Marker:
    pass
class Loose:
    pass
class Odd:
    pass
class Mine:
    pass
class WeirdStr(str):
    def __eq__(self, other):
        raise RuntimeError("no Python code may run during a dump")
    __hash__ = str.__hash__
held = [Marker() for _ in range(40)]          # module global, 40 near-identical paths
ready, release = threading.Event(), threading.Event()
lines = {}
def worker():
    only_here = Loose()
    lines["worker"] = sys._getframe().f_lineno + 1
    ready.set(); release.wait()
    return only_here
t = threading.Thread(target=worker, name="named-worker")
t.start()
ready.wait()
raw_ready = threading.Event()
raw_tid = []
def raw():
    odd_local = Odd()
    raw_tid.append(threading.get_ident())
    raw_ready.set(); release.wait()
    return odd_local
_thread.start_new_thread(raw, ())
raw_ready.wait()
# the main thread's name as a str subclass: not read (no __eq__ may run)
threading.main_thread()._name = WeirdStr("main-weird")
def caller():
    mine = Mine()
    path = os.path.join(tmpdir, "p.mp")
    memtrack.dump(path)
    return path
path = caller()
release.set()
t.join()
report({"path": path, "tid": t.ident, "raw_tid": raw_tid[0],
        "main_tid": threading.get_ident(), "line": lines["worker"]})
"""


class CodePaths(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.res = run_child(CHILD)

    def paths_screen(self, expr):
        p = subprocess.run([tui(), "--headless", "--size", "200x30", "--keys",
                            ":%s<Enter>P" % expr, self.res["path"]],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def test_named_thread_and_frame(self):
        out = self.paths_screen("h & hp.Type('__main__.Loose')")
        want = "thread 'named-worker' (%d) > worker() <string>:%d > only_here" % (
            self.res["tid"], self.res["line"])
        self.assertIn(want, out)
        # the steps: the innermost frame is threading's wait(), then f_back
        self.assertIn(".f_back", out)
        self.assertIn(".f_locals['only_here']", out)

    def test_thread_without_thread_object(self):
        out = self.paths_screen("h & hp.Type('__main__.Odd')")
        self.assertRegex(out, r"thread %d > raw\(\) <string>:\d+ > odd_local"
                         % self.res["raw_tid"])
        self.assertNotRegex(out, r"thread '[^']*' \(%d\)" % self.res["raw_tid"])

    def test_str_subclass_name_is_not_read(self):
        out = self.paths_screen("h & hp.Type('__main__.Mine')")
        self.assertNotIn("main-weird", out)
        self.assertRegex(out, r"thread %d > caller\(\) <string>:\d+ > mine\n"
                         % self.res["main_tid"])

    def test_module_global_grouped(self):
        out = self.paths_screen("h & hp.Type('__main__.Marker')")
        # 40 paths through the caller's f_globals: one group, the index starred
        self.assertRegex(out, r"\n>? *40  __main__\.held\[\*\]\n")
        self.assertIn("40 paths of length", out)
        self.assertIn("in 1 group", out)


if __name__ == "__main__":
    unittest.main()
