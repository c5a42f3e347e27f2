"""The heapy reference test heap (reference/heapy.md section 8)."""
import os
import unittest

from mtutil import PY, Dump, run_child

CHILD = """
class Node:
    def __init__(self, i):
        self.i = i
        self.name = "node-%d" % i
        self.tags = {"k": i}

nodes = [Node(i) for i in range(1000)]
strs = ["s%05d" % i for i in range(500)]
a, b = [], []
a.append(b); b.append(a)
a.append("cycle-a"); b.append("cycle-b")
path = os.path.join(tmpdir, "heap.mp")
res = memtrack.dump(path)
sizes = {}
for n in nodes[:50]:
    sizes[id(n)] = sys.getsizeof(n)
    sizes[id(n.tags)] = sys.getsizeof(n.tags)
    sizes[id(n.name)] = sys.getsizeof(n.name)
for s in strs[:50]:
    sizes[id(s)] = sys.getsizeof(s)
sizes[id(nodes)] = sys.getsizeof(nodes)
sizes[id(strs)] = sys.getsizeof(strs)
sizes[id(a)] = sys.getsizeof(a)
sizes[id(Node)] = sys.getsizeof(Node)
report({"path": path, "res": res, "nodes": [id(n) for n in nodes],
        "strs": [id(s) for s in strs], "a": id(a), "b": id(b),
        "sizes": {str(k): v for k, v in sizes.items()}, "node_type": id(Node)})
"""


class HeapyHeap(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.r = run_child(CHILD)
        cls.d = Dump(cls.r["path"])

    def test_summary_matches_dump(self):
        res, d = self.r["res"], self.d
        self.assertEqual(res["objects"], len(d.objects))
        self.assertEqual(res["reachable"], d.reachable)
        self.assertEqual(res["bytes"], os.path.getsize(self.r["path"]))
        self.assertEqual(res["edges"], len(d.roots) + sum(len(o[6]) for o in d.objects))
        self.assertLessEqual(res["reachable"], res["objects"])
        self.assertGreater(res["seconds"], 0)

    def test_counts_by_type(self):
        d = self.d
        self.assertEqual(len(d.of_type("__main__.Node")), 1000)
        for addr in self.r["nodes"] + self.r["strs"] + [self.r["a"], self.r["b"]]:
            i = d.id_of(addr)
            self.assertIsNotNone(i, "object at %#x missing" % addr)
            self.assertLess(i, d.reachable)
        strs = [d.value(d.id_of(a)) for a in self.r["strs"]]
        self.assertEqual(strs, ["s%05d" % i for i in range(500)])

    def test_node_dicts(self):
        d = self.d
        for addr in self.r["nodes"]:
            n = d.id_of(addr)
            dct = d.one(n, "attr", "__dict__")
            self.assertEqual(d.type_name(dct), "builtins.dict")
            if PY >= (3, 11):
                self.assertTrue(d.is_virtual(dct), "3.11+ inline values must stay virtual")
            kv = d.keyvals(dct)
            self.assertEqual(sorted(kv), ["i", "name", "tags"])
            self.assertEqual(d.type_name(kv["tags"]), "builtins.dict")
            self.assertEqual(d.keyvals(kv["tags"]).keys(), {"k"})
            self.assertTrue(d.value(kv["name"]).startswith("node-"))
            self.assertEqual(d.length(dct), 3)

    def test_cycle(self):
        d = self.d
        a, b = d.id_of(self.r["a"]), d.id_of(self.r["b"])
        self.assertEqual(d.one(a, "index", 0), b)
        self.assertEqual(d.one(b, "index", 0), a)
        self.assertEqual(d.value(d.one(a, "index", 1)), "cycle-a")

    def test_sizes_equal_getsizeof(self):
        d = self.d
        bad = []
        for addr, size in self.r["sizes"].items():
            i = d.id_of(int(addr))
            if d.size(i) != size:
                bad.append((d.type_name(i), d.size(i), size))
        self.assertEqual(bad, [])

    def test_shared_keys_from_class(self):
        d = self.d
        t = d.id_of(self.r["node_type"])
        keys = sorted(d.value(k) for k in d.targets(t, "interattr", "ht_cached_keys"))
        self.assertEqual(keys, ["i", "name", "tags"])

    def test_root_path_to_nodes(self):
        d = self.d
        mods = d.root("i0_modules")
        self.assertIsNotNone(mods)
        main = d.keyvals(mods)["__main__"]
        self.assertEqual(d.value(main), "__main__")
        g = d.one(main, "attr", "__dict__")
        nodes = d.keyvals(g)["nodes"]
        self.assertEqual(d.length(nodes), 1000)
        self.assertEqual(d.one(nodes, "index", 5), d.id_of(self.r["nodes"][5]))


if __name__ == "__main__":
    unittest.main()
