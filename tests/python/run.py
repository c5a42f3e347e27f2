#!/usr/bin/env python3
"""Run the capture tests: tests/python/run.py MODULE_DIR [test_x.py ...]

Imports `memtrack` from MODULE_DIR (the directory holding the package
memtrack/: the build tree's python/), runs every tests/python/test_*.py (or
only the files named) with unittest, prints each failure, and
ends with exactly one line `N passed, N failed`; exits 1 if any failed.
Tests that need a heap of their own run it in a subprocess (mtutil.run_child),
which finds the module through MEMTRACK_MODULE_DIR.
"""
import os
import shutil
import sys
import tempfile
import time
import unittest


class Result(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.passed = 0
        self.failed = 0

    def startTest(self, test):
        super().startTest(test)
        self._t0 = time.monotonic()

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1
        print("ok   %-70s %.2fs" % (test.id(), time.monotonic() - self._t0), flush=True)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.passed += 1
        print("skip %-70s (%s)" % (test.id(), reason), flush=True)

    def _fail(self, test, err, what):
        self.failed += 1
        print("FAIL %-70s %s" % (test.id(), what), flush=True)
        print(self._exc_info_to_string(err, test), flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._fail(test, err, "failure")

    def addError(self, test, err):
        super().addError(test, err)
        self._fail(test, err, "error")

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.passed += 1

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.failed += 1
        print("FAIL %s unexpected success" % test.id(), flush=True)


def main(argv):
    if len(argv) < 2:
        print("usage: run.py MODULE_DIR [test_x.py ...]", file=sys.stderr)
        return 2
    moddir = os.path.abspath(argv[1])
    here = os.path.dirname(os.path.abspath(__file__))
    os.environ["MEMTRACK_MODULE_DIR"] = moddir
    sys.path.insert(0, moddir)
    sys.path.insert(0, here)
    import memtrack  # noqa: F401  (fail early with a clear ImportError)
    print("memtrack from %s on Python %s" % (memtrack.__file__, sys.version.split()[0]),
          flush=True)
    if len(argv) > 2:  # only these files
        suite = unittest.TestSuite(
            unittest.defaultTestLoader.loadTestsFromName(os.path.basename(f)[:-3])
            for f in argv[2:])
    else:
        suite = unittest.defaultTestLoader.discover(here, pattern="test_*.py",
                                                    top_level_dir=here)
    # Every temporary file and directory of the run, the tests' and their
    # child processes' (TMPDIR), goes under one directory removed at the
    # end: run_child's directories outlive their test on purpose (a test
    # reads the child's files), and thousands left behind by each run
    # once filled this machine's disk.
    root = tempfile.mkdtemp(prefix="mt-run-")
    os.chmod(root, 0o755)  # a target of another user enters its dir here
    os.environ["TMPDIR"] = root
    tempfile.tempdir = root
    try:
        result = Result()
        suite.run(result)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print("%d passed, %d failed" % (result.passed, result.failed))
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
