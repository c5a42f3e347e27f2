"""The lxml capture plugin (plugins/lxml), on the real lxml and libxml2
(Debian's python3-lxml on /usr/bin/python3).

The tree's size is checked against the C heap the parse really took
(glibc's mallinfo2().uordblks before and after, in the child) and its node
count against the document's structure; a dump with plugins=[] shows what
the plugin changes (the tree is invisible there).
"""
import importlib.util
import subprocess
import unittest

from mtutil import Dump, run_child, tui



def have_etree():
    """lxml.etree importable (sid's python3-lxml has no 3.13 build of it)."""
    try:
        return importlib.util.find_spec("lxml.etree") is not None
    except ImportError:
        return False


HAVE_LXML = have_etree()
SKIP_WHY = ("lxml.etree is not installed for this interpreter (tests/run-all.sh "
            "runs this test with Debian's /usr/bin/python3 and python3-lxml, and "
            "with sid's CPython 3.14 in tests/sid-chroot.sh)")

CHILD = r"""
import ctypes
from lxml import etree

class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks "
                "fordblks keepcost".split()]
libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2

class Holder:
    __slots__ = ("root",)
class SubHolder:
    __slots__ = ("e",)

N = 50000
xml = ("<root>" + "".join('<item id="%d">text %d</item>' % (i, i) for i in range(N))
       + "</root>").encode()
gc.collect()
before = libc.mallinfo2().uordblks
h = Holder(); h.root = etree.fromstring(xml)
gc.collect()
after = libc.mallinfo2().uordblks
del xml
root = h.root
nodes = sum(1 + (e.text is not None) + (e.tail is not None) for e in root.iter())
out = {"holder": [id(h), sys.getsizeof(h), id(root), sys.getsizeof(root)],
       "malloc": after - before, "nodes": nodes}
del root

# a second document: one subtree removed from it, held by its own proxy
r2 = etree.fromstring(b"<a>" + b"<b x='1'><c>t</c><d/></b>" * 10 + b"</a>")
sub = r2[3]
r2.remove(sub)
sub.tail = None
out["doc2_nodes"] = sum(1 + (e.text is not None) + (e.tail is not None) for e in r2.iter())
out["sub_nodes"] = sum(1 + (e.text is not None) + (e.tail is not None) for e in sub.iter())
sh = SubHolder(); sh.e = sub
out["sub"] = [id(sh), id(sub), id(r2)]
del r2, sub

out["plugins"] = [p for p in memtrack.plugins() if p["name"] == "lxml"]
out["with"] = os.path.join(tmpdir, "with.mp")
out["without"] = os.path.join(tmpdir, "without.mp")
memtrack.dump(out["with"])
memtrack.dump(out["without"], plugins=[])
report(out)
"""


def domisize(path, cls):
    expr = '(h & hp.Type("__main__.%s")).domisize' % cls
    p = subprocess.run([tui(), "--batch", "-e", expr, path], capture_output=True,
                       text=True, timeout=300)
    if p.returncode != 0 or p.stderr:
        raise AssertionError("memtrack-tui -e %r: rc %d\n%s%s" % (expr, p.returncode,
                                                                 p.stdout, p.stderr))
    return int(p.stdout.strip())


@unittest.skipUnless(HAVE_LXML, SKIP_WHY)
class LxmlPlugin(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.r = run_child(CHILD)
        cls.d = Dump(cls.r["with"])

    def document_of(self, element_addr):
        e = self.d.id_of(element_addr)
        self.assertIsNotNone(e)
        doc = self.d.one(e, "interattr", "_doc")
        self.assertEqual(self.d.type_name(doc), "lxml.etree._Document")
        return doc

    def test_plugin_listed_and_used(self):
        self.assertEqual([(p["name"], p["active"]) for p in self.r["plugins"]],
                         [("lxml", True)])
        self.assertFalse(self.d.header.get("warnings"), self.d.header.get("warnings"))

    def test_document_tree_is_visible(self):
        hid, hsize, rid, rsize = self.r["holder"]
        doc = self.document_of(rid)
        self.assertEqual(self.d.value(doc), "%d nodes" % self.r["nodes"])
        self.assertEqual(self.r["nodes"], 2 * 50000 + 1)
        tree = self.d.one(doc, "interattr", "_c_doc")
        self.assertTrue(self.d.is_virtual(tree))
        self.assertEqual(self.d.type_name(tree), "lxml.etree.xmlDoc")
        self.assertGreater(self.d.size(tree), 50000 * 2 * 120)   # 100000 xmlNodes at least
        # the parse's real C heap, within 10% (glibc's statistics: none
        # under ASan's allocator)
        if self.r["malloc"] > 0:
            self.assertAlmostEqual(self.d.size(tree) / self.r["malloc"], 1.0, delta=0.10)

    def test_tree_dominated_by_root_holder(self):
        hid, hsize, rid, rsize = self.r["holder"]
        doc = self.document_of(rid)
        tree = self.d.one(doc, "interattr", "_c_doc")
        expect = hsize + rsize + self.d.size(doc) + self.d.size(tree)
        self.assertEqual(domisize(self.r["with"], "Holder"), expect)
        self.assertGreater(expect, 0.9 * self.r["malloc"])
        # without the plugin the 50000-element tree does not show
        self.assertEqual(domisize(self.r["without"], "Holder"),
                         hsize + rsize + self.d.size(doc))

    def test_detached_subtree(self):
        shid, subid, r2id = self.r["sub"]
        sub = self.d.id_of(subid)
        doc = self.document_of(subid)
        self.assertEqual(self.d.value(sub), "b")
        self.assertEqual(self.d.value(doc), "%d nodes" % self.r["doc2_nodes"])
        self.assertEqual(self.r["sub_nodes"], 4)  # b, c, its text, d
        st = self.d.one(sub, "interattr", "_c_node")
        self.assertEqual(self.d.type_name(st), "lxml.etree.xmlNode subtree")
        # b with an attribute (xmlAttr + its text node), c + text, d: seven
        # blocks of at least 32 bytes
        self.assertGreaterEqual(self.d.size(st), 7 * 32)
        self.assertIsNone(self.d.id_of(r2id))    # the old root proxy is gone
        self.assertGreaterEqual(domisize(self.r["with"], "SubHolder"),
                                self.d.size(st) + self.d.size(doc))

    def test_unchecked_versions_refused(self):
        for attr, value in (("LXML_VERSION", (7, 0, 0, 0)),
                            ("LIBXML_VERSION", (2, 16, 0))):
            with self.subTest(attr=attr):
                r = run_child(r"""
from lxml import etree
root = etree.fromstring(b"<a><b/></a>")
etree.%s = %r
path = os.path.join(tmpdir, "v.mp")
s = memtrack.dump(path)
report({"path": path, "plugins": s["plugins"], "warnings": s["warnings"]})
""" % (attr, value))
                self.assertNotIn("lxml", r["plugins"])
                self.assertEqual(len(r["warnings"]), 1, r["warnings"])
                self.assertRegex(r["warnings"][0], r"^plugin lxml disabled for this dump")
                d = Dump(r["path"])
                self.assertFalse([o for o in d.objects
                                  if d.objects[o[0]][5] == ("lxml.etree", "xmlDoc")])


if __name__ == "__main__":
    unittest.main()
