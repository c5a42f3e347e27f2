"""Helpers for the capture tests: child processes and a dump index."""
import json
import os
import subprocess
import sys
import tempfile
import textwrap

import memtrack

MODULE_DIR = os.environ.get("MEMTRACK_MODULE_DIR", "")
PY = sys.version_info[:2]


def tui():
    """The memtrack-tui the tests query dumps with: $MEMTRACK_TUI, else
    $MEMTRACK_BUILDDIR/memtrack-tui."""
    path = os.environ.get("MEMTRACK_TUI") or os.path.join(
        os.environ.get("MEMTRACK_BUILDDIR", ""), "memtrack-tui")
    if not os.access(path, os.X_OK):
        raise AssertionError("memtrack-tui not found at %r (set MEMTRACK_TUI or "
                             "MEMTRACK_BUILDDIR)" % path)
    return path


def child_source(code, tmpdir, imports="sys, os, json, gc"):
    """`code` behind the prelude every child runs: `imports`, memtrack from
    MODULE_DIR, `tmpdir`, and `report(obj)` (one RESULT: line of JSON)."""
    prelude = textwrap.dedent("""
        import %s
        sys.path.insert(0, %r)
        import memtrack
        tmpdir = %r
        def report(obj):
            sys.stdout.write("RESULT:" + json.dumps(obj) + "\\n")
            sys.stdout.flush()
    """) % (imports, MODULE_DIR, tmpdir)
    return prelude + textwrap.dedent(code)


def run_child(code, timeout=300):
    """Runs `code` in a fresh interpreter with memtrack importable.  The
    child reports with `report(obj)` (JSON); returns that object.  `tmpdir`
    is a fresh directory name available to the child."""
    tmpdir = tempfile.mkdtemp(prefix="mt-test-")
    src = child_source(code, tmpdir)
    p = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True,
                       timeout=timeout)
    if p.returncode != 0:
        raise AssertionError("child failed (rc %d):\n%s\n%s" % (p.returncode, p.stdout[-3000:],
                                                                 p.stderr[-3000:]))
    for line in p.stdout.splitlines():
        if line.startswith("RESULT:"):
            res = json.loads(line[7:])
            if isinstance(res, dict):
                res.setdefault("_tmpdir", tmpdir)
            return res
    raise AssertionError("child reported nothing:\n" + p.stdout[-3000:] + p.stderr[-3000:])


class Dump:
    """memtrack.read() output with lookups by address, type and edge."""

    def __init__(self, path):
        self.path = path
        d = memtrack.read(path)
        self.raw = d
        self.header = d["header"]
        self.names = d["names"]
        self.roots = d["roots"]
        self.objects = d["objects"]
        self.reachable = d["reachable"]
        self.by_addr = {}
        for i, o in enumerate(self.objects):
            if o[2] is not None:
                self.by_addr[o[2]] = i

    def type_of(self, i):
        return self.objects[i][0]

    def type_name(self, i):
        """'module.qualname' of object i's type ('builtins.dict' ...)."""
        v = self.objects[self.type_of(i)][5]
        if isinstance(v, tuple) and len(v) == 2:
            return "%s.%s" % v
        return "?"

    def size(self, i):
        return self.objects[i][1]

    def value(self, i):
        return self.objects[i][5]

    def length(self, i):
        return self.objects[i][4]

    def edges(self, i):
        return self.objects[i][6]

    def is_virtual(self, i):
        return self.objects[i][2] is None

    def id_of(self, addr):
        return self.by_addr.get(addr)

    def targets(self, i, rel=None, label=None):
        return [t for (r, t, lab) in self.edges(i)
                if (rel is None or r == rel) and (label is None or lab == label)]

    def one(self, i, rel, label):
        ts = self.targets(i, rel, label)
        if len(ts) != 1:
            raise AssertionError("object %d (%s): %d edges %s %r, edges %r" % (
                i, self.type_name(i), len(ts), rel, label, self.edges(i)[:20]))
        return ts[0]

    def keyvals(self, i):
        """{key value preview: target} of a dict (real or virtual)."""
        out = {}
        for (r, t, lab) in self.edges(i):
            if r == "keyval":
                out[self.value(lab)] = t
        return out

    def count_type(self, name):
        tids = [i for i, o in enumerate(self.objects)
                if isinstance(o[5], tuple) and len(o[5]) == 2 and "%s.%s" % o[5] == name
                and self.type_name(i) in ("builtins.type", "abc.ABCMeta")]
        return sum(1 for o in self.objects if o[0] in tids)

    def of_type(self, name):
        return [i for i in range(len(self.objects)) if self.type_name(i) == name]

    def root(self, name):
        for (r, t, lab) in self.roots:
            if lab == name:
                return t
        return None
