"""Value previews and lengths (doc/format.md, OBJECT fields)."""
import unittest

from mtutil import Dump, run_child

CHILD = """
import collections
probe = {
    "ascii": "x" * 100,
    "latin": "\\xe9" * 40,           # 2 bytes each in UTF-8: cut at 64
    "euro": "ab" + "\\u20ac" * 30,    # 3 bytes each: 2 + 20*3 = 62
    "emoji": "\\U0001f600" * 20,      # 4 bytes each: 16 fit
    "surrogate": "a\\ud800b",
    "short": "hi",
    "empty": "",
    "bytes": bytes(range(100)),
    "bytearray": bytearray(b"ba" * 40),
    "int": 123456789,
    "neg": -42,
    "max64": 2**63 - 1,
    "min64": -2**63,
    "big": 2**64,
    "huge": 7**200,
    "hugeneg": -(10**70),
    "true": True,
    "false": False,
    "float": -1.5e300,
    "odict_type": collections.OrderedDict,
    "node_type": None,
    "method_descr": str.join,
    "bound_builtin": {}.get,
    "module": collections,
}
class Node:
    pass
probe["node_type"] = Node
keep = list(probe.values())
path = os.path.join(tmpdir, "v.mp")
memtrack.dump(path)
report({"path": path, "ids": {k: id(v) for k, v in probe.items()},
        "huge_digits": len(str(7**200)), "huge_head": str(7**200)[:64]})
"""


class Values(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.r = run_child(CHILD)
        cls.d = Dump(cls.r["path"])

    def v(self, key):
        i = self.d.id_of(self.r["ids"][key])
        self.assertIsNotNone(i, key)
        return self.d.value(i), self.d.length(i)

    def test_strings(self):
        self.assertEqual(self.v("ascii"), ("x" * 64, 100))
        self.assertEqual(self.v("latin"), ("\xe9" * 32, 40))
        self.assertEqual(self.v("euro"), ("ab" + "\u20ac" * 20, 32))
        self.assertEqual(self.v("emoji"), ("\U0001f600" * 16, 20))
        self.assertEqual(self.v("surrogate"), ("a\ufffdb", 3))
        self.assertEqual(self.v("short"), ("hi", 2))
        self.assertEqual(self.v("empty"), ("", 0))

    def test_bytes(self):
        self.assertEqual(self.v("bytes"), (bytes(range(64)), 100))
        self.assertEqual(self.v("bytearray"), ((b"ba" * 40)[:64], 80))

    def test_ints(self):
        self.assertEqual(self.v("int"), (123456789, None))
        self.assertEqual(self.v("neg"), (-42, None))
        self.assertEqual(self.v("max64"), (2**63 - 1, None))
        self.assertEqual(self.v("min64"), (-2**63, None))
        self.assertEqual(self.v("big"), (str(2**64), 20))
        self.assertEqual(self.v("huge"), (self.r["huge_head"], self.r["huge_digits"]))
        self.assertEqual(self.v("hugeneg"), ("-1" + "0" * 63, 71))
        self.assertEqual(self.v("true"), (True, None))
        self.assertEqual(self.v("false"), (False, None))
        self.assertEqual(self.v("float"), (-1.5e300, None))

    def test_names(self):
        self.assertEqual(self.v("odict_type")[0], ("collections", "OrderedDict"))
        self.assertEqual(self.v("node_type")[0], ("__main__", "Node"))
        self.assertEqual(self.v("method_descr")[0], "str.join")
        self.assertEqual(self.v("bound_builtin")[0], "dict.get")
        self.assertEqual(self.v("module")[0], "collections")


if __name__ == "__main__":
    unittest.main()
