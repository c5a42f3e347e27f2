"""The numpy capture plugin (plugins/numpy) and the `dtype` classifier, on
the real numpy (Debian's python3-numpy on /usr/bin/python3).

The figures are checked against numpy and sys.getsizeof in the child that
built the heap (nbytes, getsizeof, id(), dtype.name, shape, .flat), never
against memtrack's own output; a second dump of the same heap with
plugins=[] shows what the plugin changes (the base array held only through
a view is missing there, and its holder's dominated size lacks it).
"""
import importlib.util
import os
import re
import subprocess
import sys
import unittest

from mtutil import Dump, run_child, tui

# installed and importable (sid ships numpy with no build for its 3.13)
HAVE_NUMPY = (importlib.util.find_spec("numpy") is not None and
              subprocess.run([sys.executable, "-c", "import numpy"],
                             capture_output=True).returncode == 0)
SKIP_WHY = ("numpy is not installed for this interpreter (tests/run-all.sh runs "
            "this test with Debian's /usr/bin/python3 and python3-numpy, and with "
            "sid's CPython 3.13 and 3.14 in tests/sid-chroot.sh)")

CHILD = r"""
import numpy as np

class OwnHolder:
    __slots__ = ("a",)
class ViewHolder:
    __slots__ = ("a",)
class SharedA:
    __slots__ = ("a",)
class SharedB:
    __slots__ = ("a",)
class ObjHolder:
    __slots__ = ("a",)
class GridHolder:
    __slots__ = ("a",)
class Elem:
    __slots__ = ("i",)
    def __init__(self, i):
        self.i = i

out = {}
own = OwnHolder(); own.a = np.zeros((1000, 3))
out["own"] = [id(own), id(own.a), sys.getsizeof(own), sys.getsizeof(own.a),
              own.a.nbytes, id(own.a.dtype), id(np.float64)]

base = np.arange(512 * 1024, dtype=np.float64)          # 4 MiB
assert base.nbytes == 4 * 1024 * 1024
vh = ViewHolder(); vh.a = base[10:20]
assert vh.a.base is base
out["view"] = [id(vh), id(vh.a), sys.getsizeof(vh), sys.getsizeof(vh.a),
               id(base), sys.getsizeof(base), base.nbytes]
del base

shared = np.ones(100000)
sa = SharedA(); sa.a = shared[:10]
sb = SharedB(); sb.a = shared[10:]
out["shared"] = [id(shared), sys.getsizeof(shared), sys.getsizeof(sa),
                 sys.getsizeof(sa.a), sys.getsizeof(sb), sys.getsizeof(sb.a)]
del shared

oa = np.empty(50, dtype=object)
for i in range(50):
    oa[i] = Elem(i)
oh = ObjHolder(); oh.a = oa
out["objects"] = [id(oh), id(oa), sys.getsizeof(oh), sys.getsizeof(oa),
                  [id(x) for x in oa], [sys.getsizeof(x) for x in oa]]
del oa

grid = np.empty((4, 6), dtype=object)
for i in range(24):
    grid.flat[i] = Elem(100 + i)
gh = GridHolder(); gh.a = grid[:, ::2].T                 # strided, transposed
assert gh.a.base is grid and not gh.a.flags.owndata
out["grid"] = [id(gh), id(gh.a), sys.getsizeof(gh), sys.getsizeof(gh.a),
               sys.getsizeof(grid), [id(x) for x in gh.a.flat],
               [sys.getsizeof(x) for x in grid.flat]]
del grid

samples = [np.zeros(5, dtype=np.int32), np.array(["abc", "de"]),
           np.array([b"xy"]), np.zeros((2, 3, 4), dtype=np.complex128),
           np.array(3.5), np.zeros(3, dtype="datetime64[ns]"),
           np.zeros(4, dtype=[("x", "f8"), ("y", "i4")]), np.zeros(2, dtype=bool),
           np.matrix([[1.0, 2.0], [3.0, 4.0]])]
out["samples"] = [[id(a), "%s %s" % (a.dtype.name, a.shape), sys.getsizeof(a),
                   id(a.dtype), a.dtype.name] for a in samples]
rec = samples[6].dtype
out["rec_dtype"] = [id(rec), id(rec.names), sorted(rec.fields)]

out["plugins"] = [p for p in memtrack.plugins() if p["name"] == "numpy"]
out["with"] = os.path.join(tmpdir, "with.mp")
out["without"] = os.path.join(tmpdir, "without.mp")
memtrack.dump(out["with"])
memtrack.dump(out["without"], plugins=[])
report(out)
"""


def query(path, expr):
    p = subprocess.run([tui(), "--batch", "-e", expr, path], capture_output=True,
                       text=True, timeout=300)
    if p.returncode != 0 or p.stderr:
        raise AssertionError("memtrack-tui -e %r: rc %d\n%s%s" % (expr, p.returncode,
                                                                 p.stdout, p.stderr))
    return p.stdout


def domisize(path, classes):
    expr = "(h & (%s)).domisize" % " | ".join('hp.Type("__main__.%s")' % c for c in classes)
    return int(query(path, expr).strip())


@unittest.skipUnless(HAVE_NUMPY, SKIP_WHY)
class NumpyPlugin(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.r = run_child("import os\n" + CHILD)
        cls.d = Dump(cls.r["with"])
        cls.bare = Dump(cls.r["without"])

    def obj(self, addr, d=None):
        d = d or self.d
        i = d.id_of(addr)
        self.assertIsNotNone(i, "object at %#x not in the dump" % addr)
        return i

    def headless(self, keys, size="120x10"):
        p = subprocess.run([tui(), "--headless", "--keys", keys, "--size", size,
                            self.r["with"]], capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def test_plugin_listed_and_used(self):
        self.assertEqual([(p["name"], p["active"]) for p in self.r["plugins"]],
                         [("numpy", True)])
        self.assertFalse(self.d.header.get("warnings"), self.d.header.get("warnings"))

    def test_owning_array_counts_its_data(self):
        hid, aid, hsize, asize, nbytes, dtid, f64 = self.r["own"]
        i = self.obj(aid)
        self.assertEqual(self.d.size(i), asize)          # sys.getsizeof
        self.assertGreaterEqual(asize, nbytes)            # data included once
        self.assertEqual(self.d.value(i), "float64 (1000, 3)")
        self.assertEqual(self.d.length(i), 1000)
        self.assertEqual(self.d.one(i, "attr", "dtype"), self.obj(dtid))
        self.assertEqual(self.d.targets(i, "attr", "base"), [])
        dt = self.obj(dtid)
        self.assertEqual(self.d.value(dt), "float64")
        self.assertEqual(self.d.one(dt, "attr", "type"), self.obj(f64))
        self.assertEqual(domisize(self.r["with"], ["OwnHolder"]), hsize + asize)

    def test_view_counts_its_header_and_has_base(self):
        hid, vid, hsize, vsize, bid, bsize, nbytes = self.r["view"]
        self.assertEqual(nbytes, 4 << 20)
        v = self.obj(vid)
        self.assertEqual(self.d.size(v), vsize)
        self.assertLess(vsize, 200)                        # no data
        self.assertEqual(self.d.value(v), "float64 (10,)")
        b = self.d.one(v, "attr", "base")
        self.assertEqual(self.d.objects[b][2], bid)
        self.assertEqual(self.d.size(b), bsize)
        self.assertEqual(self.d.value(b), "float64 (524288,)")

    def test_base_held_only_through_view(self):
        hid, vid, hsize, vsize, bid, bsize, nbytes = self.r["view"]
        # without the plugin the base is not in the dump at all ...
        self.assertIsNone(self.bare.id_of(bid))
        self.assertEqual(domisize(self.r["without"], ["ViewHolder"]), hsize + vsize)
        # ... with it, the holder dominates the view and the 4 MiB base
        self.assertIsNotNone(self.d.id_of(bid))
        self.assertEqual(domisize(self.r["with"], ["ViewHolder"]), hsize + vsize + bsize)

    def test_shared_base_counted_once(self):
        bid, bsize, asz, avsz, bsz, bvsz = self.r["shared"]
        self.assertEqual(sum(1 for o in self.d.objects if o[2] == bid), 1)
        self.assertEqual(domisize(self.r["with"], ["SharedA"]), asz + avsz)
        self.assertEqual(domisize(self.r["with"], ["SharedB"]), bsz + bvsz)
        self.assertEqual(domisize(self.r["with"], ["SharedA", "SharedB"]),
                         asz + avsz + bsz + bvsz + bsize)

    def test_object_array_elements(self):
        hid, aid, hsize, asize, elem_ids, elem_sizes = self.r["objects"]
        a = self.obj(aid)
        self.assertEqual(self.d.size(a), asize)
        self.assertEqual(self.d.value(a), "object (50,)")
        idx = [(lab, t) for (r, t, lab) in self.d.edges(a) if r == "index"]
        self.assertEqual(idx, [(k, self.obj(e)) for k, e in enumerate(elem_ids)])
        self.assertEqual(domisize(self.r["with"], ["ObjHolder"]),
                         hsize + asize + sum(elem_sizes))
        # without the plugin the array holds nothing
        self.assertEqual(domisize(self.r["without"], ["ObjHolder"]), hsize + asize)

    def test_strided_object_view(self):
        hid, vid, hsize, vsize, gsize, flat_ids, elem_sizes = self.r["grid"]
        v = self.obj(vid)
        self.assertEqual(self.d.value(v), "object (3, 4)")
        idx = [(lab, t) for (r, t, lab) in self.d.edges(v) if r == "index"]
        self.assertEqual(idx, [(k, self.obj(e)) for k, e in enumerate(flat_ids)])
        self.assertEqual(domisize(self.r["with"], ["GridHolder"]),
                         hsize + vsize + gsize + sum(elem_sizes))

    def test_value_texts_and_sizes(self):
        for aid, text, size, dtid, dtname in self.r["samples"]:
            with self.subTest(text=text):
                i = self.obj(aid)
                self.assertEqual(self.d.value(i), text)
                self.assertEqual(self.d.size(i), size)
                self.assertEqual(self.d.one(i, "attr", "dtype"), self.obj(dtid))
                self.assertEqual(self.d.value(self.obj(dtid)), dtname)

    def test_structured_dtype_edges(self):
        dtid, nid, fields = self.r["rec_dtype"]
        dt = self.obj(dtid)
        self.assertEqual(self.d.one(dt, "attr", "names"), self.obj(nid))
        # dtype.fields is a fresh mappingproxy of the dict the edge is to
        f = self.d.one(dt, "attr", "fields")
        self.assertEqual(self.d.type_name(f), "builtins.dict")
        self.assertEqual(sorted(self.d.keyvals(f)), fields)

    def test_dtype_classifier(self):
        hid, aid, hsize, asize = self.r["own"][:4]
        out = query(self.r["with"], "h.bydtype.all")
        self.assertIn("Array (dtype shape) / type", out)
        row = [l for l in out.splitlines() if l.endswith(" float64 (1000, 3)")]
        self.assertEqual(len(row), 1, out)
        self.assertEqual(row[0].split()[1:4:2], ["1", str(asize)])
        row = [l for l in out.splitlines() if l.endswith(" object (50,)")]
        self.assertEqual(len(row), 1, out)
        # the same classifier through by(), and in a combination
        self.assertEqual(query(self.r["with"], "h.by('dtype').all"), out)
        both = query(self.r["with"], "(h & hp.Type('__main__.OwnHolder')).referents"
                                     ".by('DType & size')")
        self.assertIn("Array / type & Individual Size", both)
        self.assertRegex(both, r"\n +\d+ +1 +\d+ +%d +.* float64 \(1000, 3\) & %d\n"
                         % (asize, asize))
        # the query language's help lists it, from the classifier table
        self.assertRegex(query(self.r["with"], "help"),
                         r"\n +s\.bydtype +numpy arrays by dtype and shape, other objects by type\n")
        # the browser opens it from its query prompt
        screen = self.headless(":h.bydtype<Enter>")
        self.assertRegex(screen, r"Retained Array \(dtype shape\) / type\n")
        self.assertRegex(screen, r"\n> +all +\d.*\n +0 +1 .* float64 \(524288,\)\n")
        # ... and under its key `d`, listed in the help view
        screen = self.headless("d")
        self.assertIn(" by dtype\n", screen)
        self.assertRegex(screen, r"Retained Array \(dtype shape\) / type\n")
        self.assertRegex(self.headless("?", "100x70"),
                         r"\n +d +numpy arrays by dtype and shape, other objects by type\n")
        # a dump without the plugin: arrays by type
        bare = query(self.r["without"], "h.bydtype.all")
        self.assertNotIn("float64 (", bare)
        self.assertTrue(re.search(r" numpy\.ndarray\n", bare), bare)

    def test_unknown_numpy_version_refused(self):
        # a numpy whose PyArray_Descr layout the plugin was not written for
        r = run_child(r"""
import numpy as np
keep = np.arange(10)[2:5]
np.__version__ = "3.0.0"
path = os.path.join(tmpdir, "v3.mp")
s = memtrack.dump(path)
report({"path": path, "plugins": s["plugins"], "warnings": s["warnings"],
        "base": id(keep.base)})
""")
        self.assertNotIn("numpy", r["plugins"])
        self.assertEqual(len(r["warnings"]), 1, r["warnings"])
        self.assertRegex(r["warnings"][0], r"^plugin numpy disabled for this dump")
        d = Dump(r["path"])
        self.assertEqual(d.header["warnings"], r["warnings"])
        self.assertIsNone(d.id_of(r["base"]))        # captured as without it

    def test_corrupt_array_disables_plugin(self):
        # nd and a dimension overwritten in numpy's struct (offsets of
        # PyArrayObject_fields on 64-bit: nd at 24, dimensions at 32):
        # the visit refuses, the dump goes on as without the plugin
        r = run_child(r"""
import ctypes
import numpy as np
a = np.zeros((3, 4))
res = {"a": id(a)}
nd = ctypes.c_int.from_address(id(a) + 24)
dims = ctypes.cast(ctypes.c_void_p.from_address(id(a) + 32).value,
                   ctypes.POINTER(ctypes.c_ssize_t))
assert nd.value == 2 and dims[0] == 3
for what in ("nd", "dim"):
    if what == "nd":
        nd.value = 99
    else:
        dims[0] = -5
    path = os.path.join(tmpdir, what + ".mp")
    s = memtrack.dump(path)
    nd.value, dims[0] = 2, 3
    res[what] = {"path": path, "plugins": s["plugins"], "warnings": s["warnings"]}
report(res)
""")
        for what, reason in (("nd", "nd outside 0..64"), ("dim", "negative dimension")):
            with self.subTest(what=what):
                w = r[what]
                self.assertNotIn("numpy", w["plugins"])
                self.assertEqual(len(w["warnings"]), 1, w["warnings"])
                self.assertIn("plugin numpy disabled for this dump", w["warnings"][0])
                self.assertIn(reason, w["warnings"][0])
                d = Dump(w["path"])          # the array is there, as without the plugin
                self.assertIsNone(d.value(d.id_of(r["a"])))


if __name__ == "__main__":
    unittest.main()
