"""Capture plugins (include/memtrack/plugin.h, doc/capture.md "Plugins"):
loading by name and path, the automatic rule, memtrack.plugins(), and a
plugin that misbehaves on purpose (tests/python/mt_testplugin.c) being
disabled for the dump with a warning in it, never crashing the process."""
import os
import sys
import unittest

from mtutil import MODULE_DIR, Dump, run_child

import memtrack


def testplugin_path():
    """tests/python/.libs/mt_testplugin.so of the build (make check builds
    it); None when this build has not built it."""
    build = os.environ.get("MEMTRACK_BUILDDIR") or os.path.dirname(
        os.path.abspath(MODULE_DIR or "."))
    p = os.path.join(build, "tests", "python", ".libs", "mt_testplugin.so")
    return p if os.path.exists(p) else None


PLUGIN = testplugin_path()


def need_plugin(test):
    """Skip when the test plugin is not built, except under make check
    (MEMTRACK_BUILDDIR set), where it must be."""
    if PLUGIN is None and not os.environ.get("MEMTRACK_BUILDDIR"):
        return unittest.skip("tests/python/mt_testplugin.so not built "
                             "(make check or make tests/python/mt_testplugin.la)")(test)
    return test


# A child that dumps a heap with deques (one subclass instance) through the
# test plugin in MODE, and reports what the dump holds about them.
CHILD = """
import collections
os.environ["MT_TESTPLUGIN_MODE"] = %(mode)r
class Sub(collections.deque):
    pass
held = [collections.deque(range(10)), collections.deque(), Sub([1, 2])]
path = os.path.join(tmpdir, "p.mp")
res = memtrack.dump(path, plugins=%(plugins)r)
d = memtrack.read(path)
objs = d["objects"]
names = d["names"]
deques = []
for x in held:
    for i, o in enumerate(objs):
        if o[2] == id(x):
            edges = []
            for rel, tgt, label in o[6]:
                t = objs[tgt]
                edges.append([rel, label if isinstance(label, str) else None,
                              t[2] is None, t[1], objs[t[0]][5]])
            deques.append({"size": o[1], "length": o[4], "value": o[5],
                           "edges": edges, "getsizeof": sys.getsizeof(x),
                           "pre": sys.getsizeof(x) - x.__sizeof__()})
virtual = [[o[1], objs[o[0]][5]] for o in objs if o[2] is None
           and isinstance(objs[o[0]][5], (list, tuple))
           and objs[o[0]][5][0] == "mt_testplugin"]
ndeques = sum(1 for o in objs if o[2] is not None
              and objs[o[0]][5] in (("collections", "deque"), ("__main__", "Sub")))
report({"ndeques": ndeques, "res_plugins": res["plugins"], "res_warnings": res["warnings"],
        "header_warnings": d["header"]["warnings"], "deques": deques,
        "virtual": virtual})
"""


def child(mode, plugins):
    return run_child(CHILD % {"mode": mode, "plugins": plugins})


@need_plugin
class Misbehaving(unittest.TestCase):
    """Each way of reporting nonsense disables the plugin for the dump: the
    deques are captured as without it (sizes equal to sys.getsizeof, no
    plugin edge, no virtual buffer) and the dump says why."""

    def check_disabled(self, mode, words):
        r = child(mode, [PLUGIN])
        self.assertEqual(r["res_plugins"], [], r)
        self.assertEqual(len(r["header_warnings"]), 1, r)
        self.assertEqual(r["header_warnings"], r["res_warnings"])
        w = r["header_warnings"][0]
        self.assertIn("plugin testplugin disabled for this dump", w)
        for word in words:
            self.assertIn(word, w)
        self.assertEqual(len(r["deques"]), 3)
        for dq in r["deques"]:
            self.assertEqual(dq["size"], dq["getsizeof"], dq)
            self.assertIsNone(dq["value"], dq)
            for e in dq["edges"]:
                self.assertNotEqual(e[1], "plugin_type", dq)
                if e[1] != "__dict__":  # Sub's may be a virtual dict
                    self.assertFalse(e[2], "no virtual object: %r" % dq)
        self.assertEqual(r["virtual"], [])
        return w

    def test_edge_to_unmapped_memory(self):
        self.check_disabled("garbage", ["edge garbage", "not readable memory"])

    def test_edge_to_unaligned_address(self):
        self.check_disabled("unaligned", ["not aligned"])

    def test_edge_to_readable_non_object(self):
        self.check_disabled("nonobject", ["not an object", "type pointer"])

    def test_negative_size(self):
        self.check_disabled("size", ["negative or absurd"])

    def test_absurd_buffer(self):
        self.check_disabled("buffer", ["buffer huge", "absurd"])

    def test_visit_fails(self):
        self.check_disabled("fail", ["deliberate failure"])

    def test_unknown_relation(self):
        self.check_disabled("relation", ["unknown relation 7"])

    def test_prepare_fails(self):
        self.check_disabled("prepare", ["prepare function failed"])

    def test_wrong_api_version(self):
        r = child("version", [PLUGIN])
        self.assertEqual(r["res_plugins"], [])
        self.assertEqual(len(r["header_warnings"]), 1, r)
        w = r["header_warnings"][0]
        self.assertIn("not used", w)
        self.assertIn("plugin API 99", w)
        for dq in r["deques"]:
            self.assertEqual(dq["size"], dq["getsizeof"])


@need_plugin
class ByPath(unittest.TestCase):
    def test_good_plugin_figures(self):
        """What a valid visit reports is in the dump: size (plus the GC
        header), length, value, a named edge, one virtual object per buffer
        identity typed by a virtual type per kind, a shared buffer once."""
        r = child("good", [PLUGIN])
        self.assertEqual(r["res_plugins"], ["testplugin"])
        self.assertEqual(r["header_warnings"], [])
        self.assertEqual(len(r["deques"]), 3)
        for dq, n in zip(r["deques"], (10, 0, 2)):
            self.assertEqual(dq["size"], 4242 + dq["pre"])
            self.assertEqual(dq["length"], n)
            self.assertEqual(dq["value"], "deque-plugin")
            by = {e[1]: e for e in dq["edges"] if e[0] == "interattr"}
            self.assertIn("plugin_type", by)
            self.assertEqual(by["blocks"][2:], [True, 1000, ["mt_testplugin", "block"]])
            self.assertEqual(by["shared"][2:], [True, 500, ["mt_testplugin", "shared"]])
            # COMPLETE: no tp_traverse pass, so no `other` edges
            self.assertEqual([e for e in dq["edges"] if e[0] == "other"], [])
        # one block per deque (the process has a few of its own), the
        # shared one once
        self.assertGreaterEqual(r["ndeques"], 3)
        self.assertEqual(sorted(v[0] for v in r["virtual"]),
                         [500] + [1000] * r["ndeques"])

    def test_no_plugin_by_default(self):
        """An external plugin is used only when asked for."""
        r = child("good", None)
        self.assertNotIn("testplugin", r["res_plugins"])
        for dq in r["deques"]:
            self.assertEqual(dq["size"], dq["getsizeof"])

    def test_empty_list_disables_plugins(self):
        r = child("good", [])
        self.assertEqual(r["res_plugins"], [])
        self.assertEqual(r["header_warnings"], [])
        for dq in r["deques"]:
            self.assertEqual(dq["size"], dq["getsizeof"])

    def test_listed_once_loaded(self):
        r = run_child("""
            import collections
            before = memtrack.plugins()
            memtrack.dump(os.path.join(tmpdir, "a.mp"), plugins=[%r])
            report([before, memtrack.plugins()])
        """ % PLUGIN)
        before, after = r
        self.assertNotIn(PLUGIN, [p["origin"] for p in before])
        mine = [p for p in after if p["origin"] == PLUGIN]
        self.assertEqual(mine, [{"name": "testplugin", "module": "_collections",
                                 "description": "collections.deque, misbehaving on "
                                                "request (tests)",
                                 "origin": PLUGIN, "active": False}])


class Selection(unittest.TestCase):
    def test_plugins_listing(self):
        ps = memtrack.plugins()
        self.assertIsInstance(ps, list)
        for p in ps:
            self.assertEqual(set(p), {"name", "module", "description", "origin", "active"})
            if p["origin"] == "bundled":
                self.assertEqual(p["active"], p["module"] in sys.modules)

    def test_automatic_rule(self):
        """Automatic = every bundled plugin whose module is imported at dump
        time; memtrack imports none of them."""
        bundled = [p for p in memtrack.plugins() if p["origin"] == "bundled"]
        if not bundled:
            self.skipTest("no bundled plugin in this build")
        r = run_child("""
            res = memtrack.dump(os.path.join(tmpdir, "a.mp"))
            ps = memtrack.plugins()
            report([res["plugins"], [p["name"] for p in ps
                                     if p["origin"] == "bundled" and p["active"]],
                    [p["module"] for p in ps if p["origin"] == "bundled"
                     and p["module"] in sys.modules]])
        """)
        used, active, imported = r
        self.assertEqual(sorted(used), sorted(active))
        self.assertEqual(imported, [], "a dump imported a plugin's module")

    def test_unknown_name(self):
        with self.assertRaisesRegex(ValueError, "no bundled plugin named 'nosuch'"):
            memtrack.dump("/tmp/never-written.mp", plugins=["nosuch"])
        self.assertFalse(os.path.exists("/tmp/never-written.mp"))

    def test_str_is_not_a_list(self):
        with self.assertRaises(TypeError):
            memtrack.dump("/tmp/never-written.mp", plugins="numpy")
        with self.assertRaises(TypeError):
            memtrack.dump("/tmp/never-written.mp", plugins=[3])

    def test_unloadable_path_is_a_warning(self):
        r = run_child("""
            res = memtrack.dump(os.path.join(tmpdir, "a.mp"),
                                plugins=["/nonexistent/plugin.so"])
            d = memtrack.read(os.path.join(tmpdir, "a.mp"))
            report([res["warnings"], d["header"]["warnings"]])
        """)
        self.assertEqual(len(r[0]), 1)
        self.assertEqual(r[0], r[1])
        self.assertIn("plugin /nonexistent/plugin.so not used: cannot load it", r[0][0])


if __name__ == "__main__":
    unittest.main()
