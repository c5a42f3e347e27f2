"""Object sizes in the dump equal sys.getsizeof for builtin objects."""
import unittest

from mtutil import PY, Dump, run_child

CHILD = """
import types, collections, array, enum, io, functools
class S(str): pass
class I(int): pass
class E(enum.IntEnum):
    A = 1
def g():
    yield 1
gen = g(); next(gen)
dd = {i: i for i in range(100)}
for i in range(90): del dd[i]
st = set(range(100))
for i in range(90): st.discard(i)
class Plain:
    def __init__(self):
        self.x = 1
class Split:
    def __init__(self):
        self.a = 1; self.b = 2
class Slotted:
    __slots__ = ("a", "b")
def func(x, y=2):
    return x + y
def make_closure():
    v = [1]
    return lambda: v
over = []
for i in range(5):
    over.append(i)
split_owner = Split()
split_dict = split_owner.__dict__          # a real split-table dict
big = {("k%d" % i): i for i in range(1000)}
probe = {
    "int0": 0, "int_small": 7, "int_neg": -12345, "int_big": 2**200, "int_bigneg": -(3**150),
    "bool": True, "float": 3.25,
    "str_ascii": "hello world" * 3, "str_latin1": "caf\\xe9 \\xff" * 5,
    "str_ucs2": "\\u20ac\\u4e2d" * 7, "str_ucs4": "\\U0001f600\\U00010348" * 9, "str_empty": "",
    "bytes": b"abc" * 20, "bytes_empty": b"", "bytearray": bytearray(b"x" * 100),
    "bytearray_empty": bytearray(),
    "list_empty": [], "list": [1, 2, 3], "list_over": over, "tuple": (1, "a", None),
    "tuple_empty": (), "dict_empty": {}, "dict_small": {"a": 1, 1: 2}, "dict_big": big,
    "dict_split": split_dict, "set": {1, 2, 3}, "set_big": set(range(100)),
    "frozenset": frozenset("abcdefgh"), "instance": Plain(), "slotted": Slotted(),
    "module": types, "function": func, "code": func.__code__, "type": Plain,
    "static_type": int, "cell": make_closure().__closure__[0],
    "method": Plain().__init__, "builtin": len, "range": range(10), "none": None,
    "deque": collections.deque(range(100)), "odict": collections.OrderedDict(a=1),
    "array": array.array("i", range(100)), "bytesio": io.BytesIO(b"x" * 1000),
    "str_sub": S("hello"), "int_sub": I(5), "enum": E.A, "exception": ValueError("x"),
    "generator": gen, "frame": sys._getframe(), "dict_deleted": dd, "set_deleted": st,
    "slotted_type": Slotted, "defaultdict": collections.defaultdict(list),
    "partial": functools.partial(len), "property": property(len), "complex": 1j,
    "memoryview": memoryview(b"abc"),
}
keep = list(probe.values())
path = os.path.join(tmpdir, "sizes.mp")
memtrack.dump(path)
report({"path": path, "probe": {k: [id(v), sys.getsizeof(v)] for k, v in probe.items()}})
"""

# Sizes allowed to deviate from sys.getsizeof, per version (doc/capture.md).
DEVIATES = set()


class Sizes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.r = run_child(CHILD)
        cls.d = Dump(cls.r["path"])

    def test_each(self):
        d = self.d
        bad = []
        for name, (addr, size) in sorted(self.r["probe"].items()):
            i = d.id_of(addr)
            self.assertIsNotNone(i, name)
            if name in DEVIATES:
                continue
            if d.size(i) != size:
                bad.append("%s: dump %d, getsizeof %d" % (name, d.size(i), size))
        self.assertEqual(bad, [], "\n".join(bad))

    def test_virtual_dict_size(self):
        """A 3.11+ inline-values dict has the size of its values storage."""
        d = self.d
        i = d.id_of(self.r["probe"]["instance"][0])
        dct = d.one(i, "attr", "__dict__")
        if PY >= (3, 11):
            self.assertTrue(d.is_virtual(dct))
            self.assertGreater(d.size(dct), 0)
            self.assertEqual(d.size(dct) % 8, 0)


if __name__ == "__main__":
    unittest.main()
