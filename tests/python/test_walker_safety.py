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
