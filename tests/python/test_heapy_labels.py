"""Class labels and via texts against heapy itself, on one heap.

A child interpreter builds a heap with the classes heapy names in unusual
ways (nested, local and renamed classes, builtins the `types` module names,
zope.interface's InterfaceClass whose `__module__` is a descriptor) and a
dict keyed by classes, tuples and other hashables; it dumps the heap with
memtrack, then asks heapy (guppy3 3.1.7, built for the running interpreter
from ../shared/thirdparty) for each object's Type label and each dict
value's byvia table and shortest path.  memtrack-tui must print the same.

Skipped when the guppy3 archive is not there (a distribution tarball) or
heapy does not build for this interpreter (3.9: guppy3 3.1.7 needs 3.10).
"""
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import unittest

from mtutil import run_child, tui

HERE = os.path.dirname(os.path.abspath(__file__))
GUPPY = os.environ.get("MEMTRACK_GUPPY") or os.path.join(
    HERE, "..", "..", "..", "shared", "thirdparty", "guppy3-3.1.7.tar.gz")


def build_guppy():
    """heapy built in place for this interpreter, cached in the temp dir;
    returns the folder to put on sys.path, or None."""
    if not os.path.exists(GUPPY):
        return None
    tag = "%s-%s" % (sys.implementation.cache_tag, sysconfig.get_config_var("EXT_SUFFIX"))
    final = os.path.join(tempfile.gettempdir(), "memtrack-guppy3-3.1.7-%s" % tag)
    ext = sysconfig.get_config_var("EXT_SUFFIX")
    if os.path.exists(os.path.join(final, "guppy", "heapy", "heapyc" + ext)):
        return final
    work = tempfile.mkdtemp(prefix="memtrack-guppy-")
    with tarfile.open(GUPPY) as t:
        if hasattr(tarfile, "data_filter"):
            t.extractall(work, filter="data")
        else:
            t.extractall(work)
    src = os.path.join(work, "guppy3-3.1.7")
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    inc = sysconfig.get_paths()["include"]
    for out, files in (("guppy/sets/setsc", ["sets", "bitset", "nodeset"]),
                       ("guppy/heapy/heapyc", ["heapyc", "stdtypes"])):
        d = "src/sets/" if "sets" in out else "src/heapy/"
        cmd = [cc, "-shared", "-fPIC", "-O1", "-w", "-I", inc] + \
              [d + f + ".c" for f in files] + ["-o", out + ext]
        if subprocess.run(cmd, cwd=src, capture_output=True).returncode:
            shutil.rmtree(work, ignore_errors=True)
            return None
    try:
        os.rename(src, final)
    except OSError:  # built by a concurrent run meanwhile
        pass
    shutil.rmtree(work, ignore_errors=True)
    return final if os.path.isdir(final) else None


CHILD = """
import types
sys.path.insert(0, %(guppy)r)

class Outer:
    class Inner:
        pass
class Ren:
    pass
Ren.__name__ = "Renamed"
class Qual:
    pass
Qual.__qualname__ = "Else.Where"
def make():
    class Local:
        pass
    return Local
Local = make()
class K:
    pass
class WithRepr:
    def __repr__(self):
        return "custom"
def fn():
    pass
def gen():
    yield 1

objs = [Outer.Inner(), Ren(), Qual(), Local(), K(), len, [].append, (1).__add__,
        object.__init__, str.join, dict.fromkeys, types.SimpleNamespace(), gen(),
        fn.__code__, {}.keys(), iter([]), None, Ellipsis, NotImplemented,
        property(), staticmethod(fn), Outer.__dict__, 1j, range(3), slice(1),
        memoryview(b"x"), frozenset()]
# heapy names a class bound in builtins by its key there
import builtins
class Mine:
    pass
builtins.MyAlias = Mine
objs.append(Mine())
try:
    import zope.interface
    class IFoo(zope.interface.Interface):
        pass
    from zope.interface.interface import InterfaceClass
    objs += [IFoo, InterfaceClass]
    zope_ok = True
except ImportError:
    zope_ok = False

keys = [K, Outer.Inner, Ren, Qual, int, type(None), (1, 'a'),
        (K, (2.5, None), True), ('x',), (), (Outer.Inner,), (Ren, Qual),
        (None, Ellipsis, NotImplemented), (1, 2, 3, 4, 5, 6, 7, 8),
        ("y" * 40, 10 ** 50), ((((((((1,),),),),),),),), "L" * 40, b"bb",
        1.5, -7, True, fn, len, K(), dict.fromkeys]
d = {}
for i, key in enumerate(keys):
    d[key] = ["v%%d" %% i]
del i, key
path = os.path.join(tmpdir, "labels.mp")
memtrack.dump(path)

def ask():
    from guppy import hpy
    hp = hpy()
    hp.heap()
    labels = [(id(o), str(hp.iso(o).bytype)) for o in objs]
    vias = []
    for key in keys:
        x = hp.iso(d[key])  # no local may refer to the value
        vias.append((id(d[key]), str(x.byvia), str(x.sp).splitlines()[0]))
    return labels, vias
labels, vias = ask()
report({"path": path, "labels": labels, "vias": vias, "zope": zope_ok})
"""


def tables(text):
    """The tables of a --batch output, split at their title lines."""
    out = []
    for line in text.splitlines():
        if line.startswith("Partition of a set of"):
            out.append([])
        if out:
            out[-1].append(line)
    return ["\n".join(t) for t in out]


def row_label(table):
    """The label of a one-row partition table (its wrapped lines joined)."""
    lines = table.splitlines()[2:]
    return " ".join(l[45:].strip() for l in lines)


def after_d(path):
    """A path's steps after the dict `d`."""
    i = path.rfind("['d']")
    return path[i + 5:] if i >= 0 else path


class HeapyLabels(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        guppy = build_guppy()
        if not guppy:
            raise unittest.SkipTest("heapy (guppy3) not available for this interpreter")
        cls.r = run_child(CHILD % {"guppy": guppy})

    def batch(self, exprs):
        cmd = [tui(), "--batch"]
        for e in exprs:
            cmd += ["-e", e]
        p = subprocess.run(cmd + [self.r["path"]], capture_output=True, text=True,
                           timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def test_type_labels(self):
        labels = self.r["labels"]
        out = tables(self.batch(["(h & hp.Id(%#x)).bytype" % a for a, _ in labels]))
        self.assertEqual(len(out), len(labels))
        got = [row_label(t) for t in out]
        want = [row_label(t) for _, t in labels]
        self.assertEqual(got, want)
        # spot checks that pin heapy's rules
        for lab in ("__main__.Inner", "__main__.Renamed", "__main__.Qual",
                    "__main__.Local", "types.BuiltinMethodType",
                    "types.MethodWrapperType", "builtins.dict_keys", "MyAlias"):
            self.assertIn(lab, want)
        if self.r["zope"]:
            self.assertIn("zope.interface.interface.InterfaceClass", got)

    def test_type_kind_by_heapy_label(self):
        out = self.batch(["(h & hp.Type('__main__.Inner')).count",
                          "(h & hp.Type('__main__.Renamed')).count"])
        self.assertEqual(out.split()[:2], ["1", "1"])

    def test_via_tables(self):
        vias = self.r["vias"]
        out = tables(self.batch(["(h & hp.Id(%#x)).byvia" % a for a, _, _ in vias]))
        self.assertEqual(len(out), len(vias))
        for (addr, want, _), got in zip(vias, out):
            self.assertEqual(got.rstrip("\n"), want.rstrip("\n"))

    def test_path_keys(self):
        """Paths print keys with reprlib.repr (heapy's safe repr)."""
        vias = self.r["vias"]
        out = self.batch(["(h & hp.Id(%#x)).sp" % a for a, _, _ in vias])
        firsts = [l for l in out.splitlines() if l.startswith(" 0: ")]
        self.assertEqual(len(firsts), len(vias))
        got = [after_d(l) for l in firsts]
        want = [after_d(sp) for _, _, sp in vias]
        self.assertEqual(got, want)


if __name__ == "__main__":
    unittest.main()
