"""The Python API as documented (doc/capture.md, dump() and read()):
named fields on read()'s objects, edges, type and code values and header,
the summary's keys and what they count, text signatures and docstrings."""
import inspect
import os
import pickle
import re
import shutil
import tempfile
import threading
import unittest

import memtrack

SRCDIR = os.environ.get("MEMTRACK_SRCDIR") or os.path.join(os.path.dirname(__file__), "..", "..")


class Node:
    def __init__(self, name):
        self.name = name


def some_function():
    return 1


class TestApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mt-api-")
        cls.path = os.path.join(cls.dir, "api.mp")
        cls.keep = [Node("n%d" % i) for i in range(5)]
        ready, done = threading.Event(), threading.Event()

        def work():
            ready.set()
            done.wait()
        cls.worker = threading.Thread(target=work, name="api-worker")
        cls.worker.start()
        ready.wait()
        try:
            cls.summary = memtrack.dump(cls.path)
        finally:
            done.set()
            cls.worker.join()
        cls.d = memtrack.read(cls.path)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_summary_keys_say_what_they_count(self):
        s = self.summary
        self.assertIsInstance(s, dict)
        self.assertEqual(s.file_bytes, os.path.getsize(self.path))
        self.assertEqual(s["file_bytes"], s.file_bytes)
        self.assertEqual(s.bytes, s.file_bytes, "bytes: the former name of file_bytes")
        self.assertEqual(s.heap_bytes, sum(o.size for o in self.d.objects))
        self.assertGreater(s.heap_bytes, s.file_bytes / 10)
        self.assertEqual(s.objects, len(self.d.objects))
        self.assertEqual(s.edges, len(self.d.roots) + sum(len(o.edges) for o in self.d.objects))
        self.assertEqual(s.reachable, self.d.reachable)
        self.assertEqual(s.path, self.path)
        self.assertIsInstance(s.seconds, float)

    def test_heap_bytes_is_memtrack_tui_total(self):
        import subprocess
        from mtutil import tui
        out = subprocess.run([tui(), "--batch", self.path], capture_output=True, text=True,
                             check=True).stdout
        m = re.search(r"Total size = (\d+) bytes", out)
        self.assertEqual(int(m.group(1)), self.summary.heap_bytes)

    def test_read_record(self):
        d = self.d
        self.assertIsInstance(d, memtrack.Record)
        self.assertIsInstance(d, dict)
        self.assertEqual(set(d), {"header", "names", "roots", "objects", "reachable", "marked"})
        for k in d:
            self.assertIs(getattr(d, k), d[k])
        with self.assertRaises(AttributeError):
            d.nonexistent
        self.assertIn("objects", dir(d))
        self.assertIn("keys", dir(d))
        self.assertEqual(list(d.keys()), ["header", "names", "roots", "objects", "reachable", "marked"])

    def test_header_fields(self):
        h = self.d.header
        self.assertIsInstance(h, memtrack.Record)
        self.assertEqual(h.pid, os.getpid())
        self.assertEqual(h.rss, h["rss"])
        self.assertGreater(h.rss, 0)
        self.assertEqual(tuple(h.python_version), tuple(__import__("sys").version_info[:3]))
        self.assertIn((threading.main_thread().ident, "MainThread"), h.threads)
        self.assertIn((self.worker.ident, "api-worker"), h.threads)
        # every key of doc/format.md's Header map that read() returns is
        # there under the same name (fields and relations are the reader's)
        with open(os.path.join(SRCDIR, "doc", "format.md")) as f:
            doc = f.read()
        sect = doc.split("## Header map", 1)[1].split("\n## ", 1)[0]
        documented = set()
        for line in sect.splitlines():
            if line.startswith("| `"):
                documented.update(re.findall(r"`(\w+)`", line.split("|")[1]))
        self.assertIn("rss", documented)
        self.assertEqual(documented - {"fields", "relations"} - set(h), set())
        self.assertEqual(set(h) - documented, {"format_version", "warnings"})

    def test_objects_named_fields(self):
        objs = self.d.objects
        names = ("type", "size", "addr", "refcnt", "length", "value", "edges")
        self.assertEqual(memtrack.Object.n_fields, len(names))
        for n in names:
            self.assertTrue(hasattr(memtrack.Object, n), n)
        for o in objs[:2000]:
            self.assertIsInstance(o, memtrack.Object)
            self.assertIsInstance(o, tuple)
            self.assertEqual(tuple(getattr(o, n) for n in names), tuple(o))
            for e in o.edges:
                self.assertIsInstance(e, memtrack.Edge)
                self.assertEqual((e.rel, e.target, e.label), tuple(e))
        # old code: plain tuples compare equal, unpack, index
        t, size, addr, refcnt, length, value, edges = objs[0]
        self.assertEqual(objs[0], (t, size, addr, refcnt, length, value, edges))
        self.assertEqual(pickle.loads(pickle.dumps(objs[0])), objs[0])

    def test_type_and_code_values(self):
        objs = self.d.objects
        node = [i for i, o in enumerate(objs)
                if isinstance(o.value, memtrack.TypeName) and o.value.qualname == "Node"]
        self.assertEqual(len(node), 1)
        tv = objs[node[0]].value
        self.assertEqual(tv, (tv.module, "Node"))
        self.assertEqual("%s.%s" % tv, tv.module + ".Node")
        self.assertEqual(len([o for o in objs if o.type == node[0]]), 5)
        # the type of a type is `type`
        self.assertEqual(objs[objs[node[0]].type].value, ("builtins", "type"))
        code = [o.value for o in objs if isinstance(o.value, memtrack.Location)
                and o.value.name == "some_function"]
        self.assertTrue(code)
        self.assertEqual(code[0].filename, __file__)
        self.assertEqual(code[0].line, some_function.__code__.co_firstlineno)
        self.assertEqual(code[0], (code[0].filename, code[0].line, "some_function"))

    def test_roots_are_edges(self):
        self.assertTrue(self.d.roots)
        for e in self.d.roots:
            self.assertIsInstance(e, memtrack.Edge)
            self.assertEqual(e.rel, "root")

    def test_signatures(self):
        self.assertEqual(str(inspect.signature(memtrack.dump)),
                         "(path, *, collect=True, plugins=None, sites=True, background=False)")
        self.assertEqual(str(inspect.signature(memtrack.read)), "(path)")
        self.assertEqual(str(inspect.signature(memtrack.plugins)), "()")
        self.assertEqual(str(inspect.signature(memtrack.mark)),
                         "(what=True, /, *, collect=True)")
        # read takes its path by keyword too, as the signature says
        self.assertEqual(len(memtrack.read(path=self.path).objects), len(self.d.objects))

    def test_docstrings(self):
        self.assertGreater(len(memtrack.__doc__), 100)
        public = [n for n in dir(memtrack) if not n.startswith("_")]
        self.assertEqual(sorted(n for n in public if callable(getattr(memtrack, n))),
                         ["BackgroundDump", "ClassTracker", "ConsoleStats", "Edge",
                          "HtmlStats", "Location", "Object", "ProcessLog", "Record",
                          "RssTrigger", "Stats", "TypeName", "dump", "dump_on_signal",
                          "dump_when", "mark", "plugins", "read", "trigger_errors"])
        for n in public:
            f = getattr(memtrack, n)
            if callable(f):
                doc = inspect.getdoc(f) or ""
                self.assertGreater(len(doc), 40, n)
                self.assertNotIn("$module", doc, n)
        for key in ("file_bytes", "heap_bytes"):
            self.assertIn(key, memtrack.dump.__doc__)
        for t in (memtrack.Object, memtrack.Edge, memtrack.TypeName, memtrack.Location):
            for f in t.__dict__.values():
                if type(f).__name__ == "member_descriptor":
                    self.assertTrue(f.__doc__, "%s.%s" % (t.__name__, f.__name__))

    def test_documented_in_capture_md(self):
        with open(os.path.join(SRCDIR, "doc", "capture.md")) as f:
            doc = f.read()
        for word in ("file_bytes", "heap_bytes", "memtrack.Object", "memtrack.Edge",
                     "memtrack.TypeName", "memtrack.Location", "memtrack.Record"):
            self.assertIn(word, doc)


if __name__ == "__main__":
    unittest.main()
