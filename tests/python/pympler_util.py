"""pympler 1.1, the oracle of the ClassTracker tests, for this interpreter.

The tarball is $MEMTRACK_PYMPLER, else ../shared/thirdparty/pympler-1.1.tar.gz
beside the source tree.  It is pure Python: unpacked once per test run into a
temporary directory (removed at exit), whose path goes on sys.path (or a
child's, through pympler_dir()).  Tests skip with the reason when the tarball
is absent or pympler does not import here.
"""
import atexit
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

SRCDIR = os.environ.get("MEMTRACK_SRCDIR") or os.path.join(os.path.dirname(__file__), "..", "..")
TARBALL = os.environ.get("MEMTRACK_PYMPLER") or os.path.join(
    SRCDIR, "..", "shared", "thirdparty", "pympler-1.1.tar.gz")

_state = {}


def pympler_dir():
    """The directory to put on sys.path for `import pympler`, or None (the
    reason in skip_reason())."""
    if "dir" in _state:
        return _state["dir"]
    _state["dir"] = None
    if not os.path.exists(TARBALL):
        _state["why"] = "pympler's tarball not found (%s; set MEMTRACK_PYMPLER)" % TARBALL
        return None
    work = tempfile.mkdtemp(prefix="mt-pympler-")
    atexit.register(shutil.rmtree, work, True)
    with tarfile.open(TARBALL) as t:
        if hasattr(tarfile, "data_filter"):
            t.extractall(work, filter="data")
        else:
            t.extractall(work)
    tops = [d for d in os.listdir(work) if os.path.isdir(os.path.join(work, d, "pympler"))]
    if len(tops) != 1:
        _state["why"] = "%s: no pympler package inside" % TARBALL
        return None
    path = os.path.join(work, tops[0])
    p = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                        "import pympler.classtracker, pympler.classtracker_stats", path],
                       capture_output=True, text=True)
    if p.returncode:
        last = (p.stderr.strip().splitlines() or ["?"])[-1]
        _state["why"] = "pympler does not import on Python %d.%d: %s" % (
            sys.version_info[0], sys.version_info[1], last)
        return None
    _state["dir"] = path
    return path


def skip_reason():
    pympler_dir()
    return _state.get("why")


def require(test):
    """The pympler directory, put on sys.path; skips `test` when there is none."""
    path = pympler_dir()
    if path is None:
        raise unittest.SkipTest(skip_reason())
    if path not in sys.path:
        sys.path.insert(0, path)
    return path
