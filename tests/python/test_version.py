"""Interpreters whose memory layout memtrack does not know are refused at
import (doc/capture.md, "Supported interpreters").

The refusal is decided once, in PyInit_memtrack (py_internals.c:
mt_py_refusal).  The environment variable MEMTRACK_TEST_REFUSE pretends
another build or running interpreter; it can add a refusal, never remove one.
"""
import os
import subprocess
import sys
import unittest

import memtrack
from mtutil import MODULE_DIR

IMPORT = "import sys; sys.path.insert(0, %r); import memtrack; print('imported', memtrack.layout)"


def try_import(hook):
    env = dict(os.environ)
    env.pop("MEMTRACK_TEST_REFUSE", None)
    if hook is not None:
        env["MEMTRACK_TEST_REFUSE"] = hook
    p = subprocess.run([sys.executable, "-c", IMPORT % MODULE_DIR], env=env,
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


class Refusal(unittest.TestCase):
    def refused(self, hook, *words):
        rc, out, err = try_import(hook)
        self.assertNotEqual(rc, 0, "%s: imported: %s" % (hook, out))
        last = err.strip().splitlines()[-1]
        self.assertTrue(last.startswith("ImportError: memtrack "), err)
        # one line: the traceback's last line is the whole message
        self.assertNotIn("\n", last)
        for w in words:
            self.assertIn(w, last)
        return last

    def test_layout_is_the_running_version(self):
        # a 3.14 build that took 3.13's layout said "3.13" here
        self.assertEqual(memtrack.layout, "%d.%d" % sys.version_info[:2])

    def test_imports_without_hook(self):
        rc, out, err = try_import(None)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.split(), ["imported", "%d.%d" % sys.version_info[:2]])

    def test_unknown_hook_value_refuses_nothing(self):
        rc, out, err = try_import("no-such-test")
        self.assertEqual(rc, 0, err)

    def test_built_for_a_newer_version(self):
        self.refused("built=0x030F00A1", "CPython 3.15", "does not know", "3.9 to 3.14")

    def test_built_for_an_older_version(self):
        self.refused("built=0x030800F0", "CPython 3.8", "does not know")

    def test_running_another_minor_version(self):
        built = "%d.%d" % sys.version_info[:2]
        self.refused("running=3.99.0 (main, Jan 1 2030)",
                     "built for CPython %s" % built, "runs on 3.99.0", "rebuild")

    def test_running_another_patch_release(self):
        # same minor version: accepted here; 3.13+ compares the layout itself
        rc, out, err = try_import("running=%d.%d.99 (main)" % sys.version_info[:2])
        self.assertEqual(rc, 0, err)

    def test_free_threaded(self):
        self.refused("free-threaded", "free-threaded", "%d.%d" % sys.version_info[:2])

    def test_moved_field(self):
        if sys.version_info >= (3, 13):
            self.refused("layout", "headers of CPython", "debug offset", "rebuild")
        else:
            # no debug offsets before 3.13: nothing to compare
            rc, out, err = try_import("layout")
            self.assertEqual(rc, 0, err)


if __name__ == "__main__":
    unittest.main()
