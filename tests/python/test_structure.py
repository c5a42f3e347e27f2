"""Edges of specific kinds of objects: slots, closures, dict keys, types,
code, functions, modules, generators, weakrefs, descriptors, exceptions."""
import unittest

from mtutil import PY, Dump, run_child

CHILD = """
import weakref, threading
class Slotted:
    __slots__ = ("a", "b")
class SlotSub(Slotted):
    pass
class Target:
    pass
s = Slotted(); s.a = "slot-a-value"; s.b = ("slot", "b")
ss = SlotSub(); ss.a = "sub-a"; ss.x = "sub-x"
def outer():
    captured = ["captured-value"]
    def inner():
        return captured
    return inner
clo = outer()
keys = {1: "one", (2, "two"): "tuple-key", 3.5: "float-key", "s": "str-key"}
def gen():
    local_in_gen = ["gen-local"]
    yield 1
    yield local_in_gen
g = gen(); next(g)
tgt = Target()
mat = Target(); mat.x = "materialised"; mat.__dict__   # a real dict now
inl = Target(); inl.y = "inline"
wr = weakref.ref(tgt)
class P:
    @property
    def prop(self):
        "prop doc"
        return 1
    @classmethod
    def cm(cls):
        return 1
    @staticmethod
    def sm():
        return 1
try:
    raise ValueError("boom")
except ValueError as e:
    exc = e
proxy = P.__dict__
def f(a, b=("default",), *, c=1):
    "doc of f"
    return a
import collections, functools
dq = collections.deque(["dq-item-%d" % i for i in range(3)])
od = collections.OrderedDict([("odk", "od-value")])
part = functools.partial(len, "partial-arg")
path = os.path.join(tmpdir, "s.mp")
memtrack.dump(path)
report({"path": path, "s": id(s), "ss": id(ss), "clo": id(clo), "keys": id(keys),
        "g": id(g), "wr": id(wr), "tgt": id(tgt), "mat": id(mat), "inl": id(inl), "P": id(P), "exc": id(exc),
        "f": id(f), "main": id(sys.modules["__main__"]), "int": id(int),
        "object": id(object), "proxy": id(proxy), "len": id(len),
        "dq": id(dq), "od": id(od), "part": id(part),
        "gen_local": id(g.gi_frame.f_locals["local_in_gen"]) if sys.version_info < (3, 11) else None})
"""


class Structure(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.r = run_child(CHILD)
        cls.d = Dump(cls.r["path"])

    def obj(self, key):
        i = self.d.id_of(self.r[key])
        self.assertIsNotNone(i, key)
        return i

    def test_slots(self):
        d = self.d
        s = self.obj("s")
        self.assertEqual(d.value(d.one(s, "attr", "a")), "slot-a-value")
        self.assertEqual(d.type_name(d.one(s, "attr", "b")), "builtins.tuple")
        self.assertEqual(d.targets(s, "attr", "__dict__"), [])
        ss = self.obj("ss")
        self.assertEqual(d.value(d.one(ss, "attr", "a")), "sub-a")
        dct = d.one(ss, "attr", "__dict__")
        self.assertEqual(d.value(d.keyvals(dct)["x"]), "sub-x")

    def test_closure_cells(self):
        d = self.d
        clo = self.obj("clo")
        tup = d.one(clo, "attr", "__closure__")
        cell = d.one(tup, "index", 0)
        self.assertEqual(d.type_name(cell), "builtins.cell")
        lst = d.one(cell, "attr", "cell_contents")
        self.assertEqual(d.value(d.one(lst, "index", 0)), "captured-value")
        code = d.one(clo, "attr", "__code__")
        self.assertEqual(d.value(code)[2], "inner")

    def test_dict_non_str_keys(self):
        d = self.d
        k = self.obj("keys")
        edges = d.edges(k)
        keys = [t for (r, t, lab) in edges if r == "key"]
        self.assertEqual([lab for (r, t, lab) in edges if r == "key"], [0, 1, 2, 3])
        self.assertEqual([d.type_name(t) for t in keys],
                         ["builtins.int", "builtins.tuple", "builtins.float", "builtins.str"])
        vals = {lab: t for (r, t, lab) in edges if r == "keyval"}
        self.assertEqual(sorted(vals), sorted(keys))
        self.assertEqual(d.value(vals[keys[1]]), "tuple-key")
        self.assertEqual(d.value(d.one(keys[1], "index", 1)), "two")
        self.assertEqual(d.length(k), 4)

    def test_generator_frame(self):
        d = self.d
        g = self.obj("g")
        fr = d.one(g, "attr", "gi_frame")
        self.assertEqual(d.type_name(fr), "builtins.frame")
        if PY >= (3, 11):
            self.assertTrue(d.is_virtual(fr))
        self.assertEqual(d.value(fr)[2], "gen")
        loc = d.one(fr, "local", "local_in_gen")
        self.assertEqual(d.value(d.one(loc, "index", 0)), "gen-local")
        self.assertEqual(d.value(d.one(fr, "attr", "f_code"))[2], "gen")

    def test_instance_dicts(self):
        d = self.d
        mat = self.obj("mat")
        md = d.one(mat, "attr", "__dict__")
        self.assertFalse(d.is_virtual(md), "an existing dict object is real")
        self.assertEqual(d.value(d.keyvals(md)["x"]), "materialised")
        self.assertEqual(len(d.targets(md, "key")), 1)
        inl = self.obj("inl")
        idct = d.one(inl, "attr", "__dict__")
        self.assertEqual(d.is_virtual(idct), PY >= (3, 11))
        self.assertEqual(d.value(d.keyvals(idct)["y"]), "inline")
        if PY >= (3, 11):
            self.assertEqual(d.targets(idct, "key"), [])     # keys belong to the class
            self.assertIsNone(d.objects[idct][3])           # no refcnt

    def test_c_types(self):
        d = self.d
        # an unmodelled C container: tp_traverse referents as `other` edges
        dq = self.obj("dq")
        items = sorted(d.value(t) for t in d.targets(dq, "other"))
        self.assertEqual(items, ["dq-item-0", "dq-item-1", "dq-item-2"])
        # a C subclass of dict: the dict items are named, nothing repeated
        od = self.obj("od")
        self.assertEqual(d.value(d.keyvals(od)["odk"]), "od-value")
        vals = [t for (r, t, lab) in d.edges(od) if r != "key"]
        self.assertEqual(len(vals), len(set(vals)))
        # PyMemberDef T_OBJECT slots of a C type are named
        part = self.obj("part")
        self.assertEqual(d.value(d.one(part, "attr", "func")), "len")
        args = d.one(part, "attr", "args")
        self.assertEqual(d.value(d.one(args, "index", 0)), "partial-arg")

    def test_weakref_has_no_edge_to_target(self):
        d = self.d
        wr, tgt = self.obj("wr"), self.obj("tgt")
        self.assertNotIn(tgt, [t for (r, t, lab) in d.edges(wr)])

    def test_type_edges(self):
        d = self.d
        P = self.obj("P")
        self.assertEqual(d.value(P), ("__main__", "P"))
        pd = d.one(P, "attr", "__dict__")
        kv = d.keyvals(pd)
        self.assertEqual(d.value(d.one(kv["prop"], "attr", "__doc__")), "prop doc")
        self.assertEqual(d.value(d.one(d.one(kv["prop"], "attr", "fget"), "attr", "__code__"))[2],
                         "prop")
        self.assertEqual(d.type_name(d.one(kv["cm"], "attr", "__func__")), "builtins.function")
        self.assertEqual(d.type_name(d.one(kv["sm"], "attr", "__func__")), "builtins.function")
        self.assertEqual(d.one(P, "attr", "__base__"), self.obj("object"))
        self.assertEqual(d.value(d.one(P, "attr", "__name__")), "P")
        self.assertEqual(d.value(d.one(P, "attr", "__qualname__")), "P")
        mro = d.one(P, "attr", "__mro__")
        self.assertEqual(d.one(mro, "index", 0), P)

    def test_static_type_edges(self):
        d = self.d
        t = self.obj("int")
        self.assertEqual(d.value(t), ("builtins", "int"))
        td = d.one(t, "attr", "__dict__")
        self.assertIn("bit_length", d.keyvals(td))
        self.assertEqual(d.one(t, "attr", "__base__"), self.obj("object"))
        obj = self.obj("object")
        subs = d.one(obj, "interattr", "tp_subclasses")
        self.assertGreater(d.length(subs), 10)
        self.assertEqual(d.targets(obj, "attr", "__base__"), [])

    def test_mappingproxy(self):
        d = self.d
        self.assertEqual(d.one(self.obj("proxy"), "interattr", "mapping"),
                         d.one(self.obj("P"), "attr", "__dict__"))

    def test_function_fields(self):
        d = self.d
        f = self.obj("f")
        self.assertEqual(d.value(f), "f")
        self.assertEqual(d.value(d.one(f, "attr", "__doc__")), "doc of f")
        self.assertEqual(d.one(f, "attr", "__globals__"),
                         d.one(self.obj("main"), "attr", "__dict__"))
        self.assertEqual(d.type_name(d.one(f, "attr", "__defaults__")), "builtins.tuple")
        self.assertEqual(d.type_name(d.one(f, "attr", "__kwdefaults__")), "builtins.dict")
        self.assertEqual(d.value(d.one(f, "attr", "__name__")), "f")
        self.assertEqual(d.value(d.one(f, "attr", "__module__")), "__main__")
        code = d.one(f, "attr", "__code__")
        fn, line, name = d.value(code)
        self.assertEqual((fn, name), ("<string>", "f"))
        self.assertGreater(line, 1)
        self.assertEqual(d.value(d.one(code, "attr", "co_filename")), "<string>")
        self.assertEqual(d.value(d.one(code, "attr", "co_name")), "f")
        consts = d.one(code, "attr", "co_consts")
        self.assertIn("doc of f", [d.value(t) for t in d.targets(consts, "index")])

    def test_builtin_function(self):
        d = self.d
        b = self.obj("len")
        self.assertEqual(d.value(b), "len")
        self.assertEqual(d.type_name(d.one(b, "attr", "__self__")), "builtins.module")

    def test_exception(self):
        d = self.d
        e = self.obj("exc")
        args = d.one(e, "attr", "args")
        self.assertEqual(d.value(d.one(args, "index", 0)), "boom")
        tb = d.one(e, "attr", "__traceback__")
        self.assertEqual(d.type_name(tb), "builtins.traceback")
        self.assertEqual(d.type_name(d.one(tb, "attr", "tb_frame")), "builtins.frame")

    def test_module(self):
        d = self.d
        m = self.obj("main")
        self.assertEqual(d.value(m), "__main__")
        self.assertEqual(d.type_name(d.one(m, "attr", "__dict__")), "builtins.dict")

    def test_dense_ids_and_bfs(self):
        d = self.d
        # every reference points at an existing id; ids are discovered in BFS
        # order: the first reference to id k comes from an object < k
        # (or the root), so ids never skip ahead of the queue.
        first_ref = {}
        for (r, t, lab) in d.roots:
            first_ref.setdefault(t, -1)
        for i, o in enumerate(d.objects):
            first_ref.setdefault(o[0], i)
            for (r, t, lab) in o[6]:
                first_ref.setdefault(t, i)
        for k in range(len(d.objects)):
            if k >= d.reachable:
                break
            self.assertIn(k, first_ref)
            self.assertLess(first_ref[k], k)


if __name__ == "__main__":
    unittest.main()
