"""The walker on hostile heaps: foreign layouts (mypyc), __sizeof__ that
would run Python code, out of memory, and pathological shapes.  Each test
here failed (crash, Python code run during the walk, hang) before the fix
it guards; see doc/capture.md, "The walker's rules"."""
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

from mtutil import MODULE_DIR, Dump, run_child


def have(module):
    try:
        __import__(module)
        return True
    except Exception:
        return False


class ForeignLayouts(unittest.TestCase):
    @unittest.skipUnless(have("mypy"), "needs mypy (Debian python3-mypy)")
    def test_mypyc_classes(self):
        # mypyc native classes whose tp_base is a trait keep their vtable
        # where the trait's "__dict__" member points: reading it as an
        # object pointer killed the process (SIGBUS/SIGSEGV in process_real)
        res = run_child("""
            from mypy import build
            from mypy.options import Options
            from mypy.modulefinder import BuildSource
            mods = ["os", "sys", "re", "json", "collections", "itertools",
                    "functools", "typing", "dataclasses", "enum", "abc", "io",
                    "pathlib", "subprocess", "threading", "logging", "argparse",
                    "datetime", "time", "random", "math", "decimal",
                    "fractions", "string", "textwrap", "struct", "socket",
                    "select", "shutil", "tempfile", "glob", "fnmatch",
                    "hashlib", "base64", "copy", "pickle", "heapq", "bisect",
                    "contextlib", "weakref"]
            src = "\\n".join("import %s" % m for m in mods) + "\\nx: int = 1\\n"
            opts = Options()
            opts.incremental = False
            result = build.build([BuildSource("m.py", "m", src)], opts)
            # a mypyc class whose base level's layout is not its prefix
            import mypy.types as T
            inst = [o for o in gc.get_objects()
                    if type(o).__name__ == "HasRecursiveType"]
            p = os.path.join(tmpdir, "mypy.mp")
            r = memtrack.dump(p)
            report({"objects": r["objects"], "path": p,
                    "addrs": [id(o) for o in inst[:5]]})
        """, timeout=600)
        self.assertGreater(res["objects"], 100000)
        d = Dump(res["path"])
        for a in res["addrs"]:
            i = d.id_of(a)
            self.assertIsNotNone(i)
            # its own __dict__ slot only (not the trait's offset), a dict
            for t in d.targets(i, "attr", "__dict__"):
                self.assertEqual(d.type_name(t), "builtins.dict")
            self.assertLessEqual(len(d.targets(i, "attr", "__dict__")), 1)


class NoPythonCode(unittest.TestCase):
    """Only allowlisted C __sizeof__ functions run during a walk."""

    def test_python_sizeof_not_called(self):
        res = run_child("""
            calls = []
            class S:
                def __sizeof__(self):
                    calls.append(1)
                    return 10 ** 6
            keep = [S() for _ in range(10)]
            memtrack.dump(os.path.join(tmpdir, "d.mp"))
            report({"calls": len(calls)})
        """)
        self.assertEqual(res["calls"], 0)

    def test_foreign_c_method_as_sizeof(self):
        # OrderedDict.copy is a C METH_NOARGS method: called as __sizeof__
        # it constructs type(self)(), which runs this __init__
        res = run_child("""
            import collections
            calls = []
            class X(collections.OrderedDict):
                __sizeof__ = collections.OrderedDict.copy
                def __init__(self, *a, **k):
                    calls.append(1)
                    super().__init__(*a, **k)
            keep = [X(a=i) for i in range(10)]
            del calls[:]
            memtrack.dump(os.path.join(tmpdir, "d.mp"))
            report({"calls": len(calls)})
        """)
        self.assertEqual(res["calls"], 0)

    def test_allowed_sizeof_on_foreign_layout(self):
        # deque's own __sizeof__ borrowed by an unrelated class: it would
        # read a deque's fields (ob_size, leftindex) out of a slots object
        # (object addresses: a size of petabytes); the size must stay the
        # one of the object's layout
        res = run_child("""
            import collections
            class Y:
                __slots__ = ("a", "b", "c", "d", "e")
                __sizeof__ = collections.deque.__sizeof__
            class Z:
                __slots__ = ("a", "b", "c", "d", "e")
            y, z = Y(), Z()
            for o in (y, z):
                o.a, o.b, o.c, o.d, o.e = 1, "x" * 100, 3, [1, 2], 5
            p = os.path.join(tmpdir, "d.mp")
            memtrack.dump(p)
            report({"path": p, "y": id(y), "z": id(z)})
        """)
        d = Dump(res["path"])
        self.assertEqual(d.size(d.id_of(res["y"])), d.size(d.id_of(res["z"])))

    @unittest.skipUnless(have("pandas"), "needs pandas (Debian python3-pandas)")
    def test_pandas_engine_sizeof(self):
        # IndexEngine.__sizeof__ (Cython, C level) calls self.sizeof(), a
        # cpdef method a Python subclass overrides: here with one that frees
        # objects, re-enters memtrack.dump and records that it ran
        res = run_child("""
            import numpy as np
            import pandas._libs.index as libindex
            ran = []
            victims = [object() for _ in range(1000)]
            class Engine(libindex.ObjectEngine):
                def sizeof(self, deep=False):
                    ran.append(1)
                    victims.clear()
                    try:
                        memtrack.dump(os.path.join(tmpdir, "inner.mp"))
                    except Exception as e:
                        ran.append(repr(e))
                    return 0
            engines = [Engine(np.array(["a", "b", str(i)], dtype=object))
                       for i in range(5)]
            engines[0].get_loc("a")      # populate a mapping
            assert engines[0].__sizeof__() == 0 and ran
            del ran[:]
            os.unlink(os.path.join(tmpdir, "inner.mp"))
            victims = [object() for _ in range(1000)]
            memtrack.dump(os.path.join(tmpdir, "d.mp"))
            report({"ran": ran, "victims": len(victims),
                    "files": sorted(os.listdir(tmpdir))})
        """)
        self.assertEqual(res["ran"], [])
        self.assertEqual(res["victims"], 1000)
        self.assertEqual(res["files"], ["d.mp"])


class OutOfMemory(unittest.TestCase):
    @unittest.skipUnless(sys.platform.startswith("linux"), "needs /proc and RLIMIT_AS")
    @unittest.skipIf("asan" in os.environ.get("LD_PRELOAD", ""),
                     "ASan reserves terabytes of shadow memory: an address-space "
                     "limit near the heap's size cannot hold")
    def test_table_cannot_grow(self):
        # PYTHONMALLOC=malloc: sys.getallocatedblocks() is 0, so the object
        # table starts small and must grow; under an address-space limit
        # just above the heap some growth fails.  That used to free the old
        # slots first and crash on the next lookup (and leave the .tmp file)
        old = os.environ.get("PYTHONMALLOC")
        os.environ["PYTHONMALLOC"] = "malloc"
        try:
            res = run_child("""
                import resource
                def vmsize():
                    with open("/proc/self/status") as f:
                        for line in f:
                            if line.startswith("VmSize:"):
                                return int(line.split()[1]) * 1024
                # dict keys are new objects: a failed growth while interning
                # one is followed by the value's lookup (mt_edge_item)
                data = [[{str(i * 1000 + j): None} for j in range(1000)]
                        for i in range(1000)]
                soft, hard = resource.getrlimit(resource.RLIMIT_AS)
                out, left = [], []
                for mb in range(2, 40, 4):
                    gc.collect()
                    resource.setrlimit(resource.RLIMIT_AS,
                                       (vmsize() + (mb << 20), hard))
                    try:
                        memtrack.dump(os.path.join(tmpdir, "oom.mp"))
                        out.append("ok")
                    except MemoryError as e:
                        out.append("MemoryError")
                    finally:
                        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
                    if out[-1] != "ok":
                        left += os.listdir(tmpdir)
                    for f in os.listdir(tmpdir):
                        os.unlink(os.path.join(tmpdir, f))
                r = memtrack.dump(os.path.join(tmpdir, "after.mp"))
                report({"blocks": sys.getallocatedblocks(), "out": out,
                        "left": left, "after": r["objects"]})
            """, timeout=900)
        finally:
            if old is None:
                del os.environ["PYTHONMALLOC"]
            else:
                os.environ["PYTHONMALLOC"] = old
        self.assertEqual(res["blocks"], 0)
        self.assertIn("MemoryError", res["out"])
        self.assertEqual(res["left"], [])
        self.assertGreater(res["after"], 2000000)


class Shapes(unittest.TestCase):
    def test_many_traversed_objects_after_a_big_one(self):
        # every deque has its own tp_traverse, so the walker runs its
        # tp_traverse pass on each; a big defaultdict walked before them used
        # to make each of those passes clear a cover set of 2^20 slots
        # (20k deques + a 300k-item defaultdict: ~50 s instead of ~1 s).
        # Compared with the same counts of lists and a plain dict.
        res = run_child("""
            import collections, time
            def timed(heap):
                gc.collect()
                t = time.perf_counter()
                r = memtrack.dump(os.path.join(tmpdir, "s.mp"), collect=False)
                return r["objects"], time.perf_counter() - t
            big = 10 ** 9
            dd = collections.defaultdict(int)
            for i in range(300000):
                dd[big + i] = i
            heap = [dd] + [collections.deque([big + i]) for i in range(20000)]
            n1, t1 = timed(heap)
            del heap, dd
            d = {}
            for i in range(300000):
                d[big + i] = i
            heap = [d] + [[big + i] for i in range(20000)]
            n2, t2 = timed(heap)
            report({"cliff": [n1, t1], "plain": [n2, t2]})
        """, timeout=600)
        (n1, t1), (n2, t2) = res["cliff"], res["plain"]
        self.assertAlmostEqual(n1 / n2, 1.0, delta=0.01)
        self.assertLess(t1, max(8 * t2, 2.0), res)
        self.assertLess(t1, 20.0, res)
