"""memtrack.stats (Stats, ConsoleStats, HtmlStats) on hand-built records.

A tracker here is a plain object with pympler's attribute names (index,
snapshots, history, stop_periodic_snapshots), its tracked objects and
snapshots too, with Unix times as memtrack's ClassTracker records them:
the figures of each table are worked out by hand in the comments.  The
same Stats on pympler's and on memtrack's real trackers:
test_pympler_side.py.
"""
import io
import json
import os
import shutil
import stat
import tempfile
import unittest

from memtrack import stats as mstats
from memtrack.stats import Asized, ConsoleStats, HtmlStats, Stats

T0 = 1764750000.0


class Rec(object):
    """A tracked object as a tracker records it (pympler's names)."""

    def __init__(self, oid, name, birth, death, sizes, trace=None, level=0, repr_=None):
        self.id = oid
        self.name = name
        self.repr = repr_ or "<%s object at 0x%x>" % (name, oid)
        self.birth = birth
        self.death = death
        self.trace = trace
        self._resolution_level = level
        self.snapshots = sizes

    def get_max_size(self):
        return max(a.size for (_, a) in self.snapshots)

    def get_size_at_time(self, t):
        return ([a.size for (u, a) in self.snapshots if u == t] or [0])[-1]


class Proc(object):
    def __init__(self, rss, vsz):
        self.rss, self.vsz, self.available = rss, vsz, True


class Snap(object):
    def __init__(self, t, desc, tracked_total, asizeof_total=0, vsz=10000):
        self.timestamp = t
        self.desc = desc
        self.tracked_total = tracked_total
        self.asizeof_total = asizeof_total
        self.system_total = Proc(vsz // 2, vsz)
        self.classes = None

    @property
    def total(self):
        return self.system_total.vsz


class Tracker(object):
    def __init__(self, index, snapshots):
        self.index = index
        self.snapshots = snapshots
        self.history = {}
        self.stopped = 0

    def stop_periodic_snapshots(self):
        self.stopped += 1


def tree():
    # A1's referents at the third snapshot (resolution level 2)
    return (Asized(2900, 200, [Asized(2800, 2000, [Asized(800, 800, name="[V] big: 'x...'"),
                                                   Asized(1, 1, name="[K] tiny")],
                                      name="[V] items: [1, 2]")], name="__dict__"),
            Asized(0, 0, name="__class__"))


def sample():
    """Classes mod.A (A1 alive, A2 born at 1.5 and dead at 2.5) and mod.B
    (B1 dead at 1.8); snapshots at 1 ('first') and 2 ('second', with an
    asizeof_total of 2 MiB), vsz 10000 (pct = sum / 100)."""
    a1 = Rec(0x1000, "mod.A", T0 + 0.5, None,
             [(T0 + 0.5, Asized(56, 56)), (T0 + 1, Asized(200, 56)),
              (T0 + 2, Asized(3000, 56, tree()))],
             trace=[("prog.py", 10, "<module>"), ("prog.py", 4, "make")], level=2)
    a2 = Rec(0x2000, "mod.A", T0 + 1.5, T0 + 2.5, [(T0 + 1.5, Asized(56, 56)),
                                                  (T0 + 2, Asized(100, 56))])
    b1 = Rec(0x3000, "mod.B", T0 + 0.2, T0 + 1.8, [(T0 + 0.2, Asized(48, 48)),
                                                  (T0 + 1, Asized(1000, 48))])
    snaps = [Snap(T0 + 1, "first", 1200), Snap(T0 + 2, "second", 3100, 2048 * 1024)]
    return Tracker({"mod.A": [a1, a2], "mod.B": [b1]}, snaps)


SUMMARY = (
    "---- SUMMARY " + "-" * 66 + "\n"
    # at 1: A1 active (200 B), A2 not born; B1 active (1000 B); pct of 10000
    "first                                    active      0     B      average   pct\n"
    "  mod.A                                       1    200     B    200     B    2%\n"
    "  mod.B                                       1   1000     B   1000     B   10%\n"
    # at 2: A1 3000 + A2 100 = 3100 B (3.03 KB), average 1550 B (1.51 KB);
    # B1 dead at 1.8
    "second                                   active      2.00 MB      average   pct\n"
    "  mod.A                                       2      3.03 KB      1.51 KB   31%\n"
    "  mod.B                                       0      0     B      0     B    0%\n"
    + "-" * 79 + "\n")

# print_object of A1: times relative to the earliest record (B1's birth, 0.2);
# referents above 0.1 % of 3000 B ('[K] tiny', 1 B, is not)
A1_TEXT = (
    "mod.A                            0x00001000 <mod.A object at 0x1000>           \n"
    "  prog.py:  10 in <module>\n"
    "  prog.py:   4 in make\n"
    "  00:00:00.30                      56     B\n"
    "  00:00:00.80                     200     B\n"
    "  00:00:01.80                       2.93 KB\n"
    "    __dict__                                          2.83 KB      96% [1]\n"
    "      [V] items: [1, 2]                               2.73 KB      93% [2]\n"
    "        [V] big: 'x...'                             800     B      26% [3]\n")
A2_TEXT = (
    "mod.A                            ( free )   <mod.A object at 0x2000>           \n"
    "  00:00:01.30                      56     B\n"
    "  00:00:01.80                     100     B\n"
    "  00:00:02.30                    finalize\n")


def printed(st, fn, *args, **kw):
    st.stream = io.StringIO()
    getattr(st, fn)(*args, **kw)
    return st.stream.getvalue()


def ids(st):
    return [t.id for t in st.sorted]


class Text(unittest.TestCase):
    def test_pp(self):
        self.assertEqual(mstats.pp(0), "   0     B")
        self.assertEqual(mstats.pp(None), "   0     B")
        self.assertEqual(mstats.pp(136.064), " 136     B")
        self.assertEqual(mstats.pp(1024), "1024     B")
        self.assertEqual(mstats.pp(1025), "   1.00 KB")
        self.assertEqual(mstats.pp(1536 * 1024), "   1.50 MB")
        self.assertEqual(mstats.pp(3 * 1024 ** 4), "   3.00 TB")

    def test_trunc_and_time(self):
        self.assertEqual(mstats.trunc("a\nb", 5), "a|b")
        self.assertEqual(mstats.trunc("abcdefghij", 8), "abcde...")
        self.assertEqual(mstats.trunc("abcdefghij", 8, left=True), "...fghij")
        self.assertEqual(mstats.pp_timestamp(3723.456), "01:02:03.46")
        self.assertEqual(mstats.pp_timestamp(None), "")


class Summary(unittest.TestCase):
    def test_print_summary(self):
        st = ConsoleStats(tracker=sample())
        self.assertEqual(printed(st, "print_summary"), SUMMARY)

    def test_annotate(self):
        tr = sample()
        st = Stats(tracker=tr)
        st.annotate()
        a = tr.snapshots[1].classes["mod.A"]
        self.assertEqual((a["sum"], a["active"], a["avg"], a["pct"]), (3100, 2, 1550.0, 31.0))
        # A1's and A2's trees merged by referent name (A2 has none)
        m = a["merged"]
        self.assertEqual((m.size, m.flat), (3100, 112))
        self.assertEqual([r.name for r in m.refs], ["__dict__", "__class__"])
        self.assertEqual([r.name for r in m.refs[0].refs[0].refs], ["[V] big", "[K] tiny"])
        # the tracked objects' own trees are left as they were
        self.assertEqual(tr.index["mod.A"][0].snapshots[2][1].refs[0].refs[0].refs[0].name,
                         "[V] big: 'x...'")

    def test_class_tracked_after_annotation(self):
        # pympler raises KeyError here (the snapshot's classes were
        # computed before mod.C existed)
        tr = sample()
        st = ConsoleStats(tracker=tr)
        printed(st, "print_summary")
        tr.index["mod.C"] = [Rec(0x4000, "mod.C", T0 + 0.1, None, [(T0 + 1, Asized(10, 10))])]
        text = printed(st, "print_summary")
        self.assertIn("  mod.C                                       1     10     B     10     B"
                      "    0%\n", text)


class Sorting(unittest.TestCase):
    def test_keys(self):
        st = Stats(tracker=sample())
        self.assertIs(st.sort_stats("size"), st)
        self.assertEqual(ids(st), [0x1000, 0x3000, 0x2000])  # 3000, 1000, 100
        self.assertEqual(ids(st.reverse_order()), [0x2000, 0x3000, 0x1000])
        self.assertEqual(ids(st.sort_stats("birth")), [0x3000, 0x1000, 0x2000])
        # alive after every death
        self.assertEqual(ids(st.sort_stats("death")), [0x3000, 0x2000, 0x1000])
        # tsize: the size in the snapshot that tracked the most (the second)
        self.assertEqual(ids(st.sort_stats("tsize", "birth")), [0x1000, 0x2000, 0x3000])
        self.assertEqual(ids(st.sort_stats("classname", "size")), [0x1000, 0x2000, 0x3000])
        self.assertEqual(ids(st.sort_stats()), [0x1000, 0x2000, 0x3000])
        with self.assertRaisesRegex(ValueError, "'bogus'"):
            st.sort_stats("name", "bogus")
        a1 = st.index["mod.A"][0]
        self.assertEqual((a1.classname, a1.size, a1.tsize), ("mod.A", 3000, 3000))


class PrintStats(unittest.TestCase):
    def test_objects(self):
        tr = sample()
        st = ConsoleStats(tracker=tr)
        text = printed(st.sort_stats("classname", "birth"), "print_stats", clsname="A")
        self.assertEqual(text, A1_TEXT + A2_TEXT)
        self.assertEqual(tr.stopped, 1)

    def test_limit(self):
        st = ConsoleStats(tracker=sample())
        self.assertEqual(printed(st, "print_stats").count("\n  00:"), 9)  # all (pympler: one)
        self.assertEqual(printed(st.sort_stats("size"), "print_stats", limit=1), A1_TEXT)
        self.assertEqual(printed(st, "print_stats", limit=2).count(" object at "), 2)
        self.assertEqual(printed(st, "print_stats", limit=0.5).count(" object at "), 1)
        self.assertEqual(printed(st, "print_stats", limit=0.7).count(" object at "), 2)

    def test_relative_times_stay(self):
        # pympler's times are relative already: printed as they are
        a = Rec(0x10, "X", 5.0, 7.25, [(5.0, Asized(16, 16)), (6.0, Asized(32, 16))])
        st = ConsoleStats(tracker=Tracker({"X": [a]}, [Snap(6.0, "", 32)]))
        self.assertEqual(printed(st, "print_stats"),
                         "X                                ( free )   <X object at 0x10>"
                         "                 \n"
                         "  00:00:05.00                      16     B\n"
                         "  00:00:06.00                      32     B\n"
                         "  00:00:07.25                    finalize\n")


class Files(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mt-stats-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def test_document(self):
        tr = sample()
        p = self.path("s.json")
        Stats(tracker=tr).dump_stats(p)
        self.assertEqual(tr.stopped, 1)
        self.assertEqual(stat.S_IMODE(os.stat(p).st_mode), 0o600)
        self.assertEqual(os.listdir(self.dir), ["s.json"])
        with open(p, encoding="utf-8") as f:
            doc = json.load(f)
        self.assertEqual(doc["memtrack_stats"], 1)
        self.assertEqual(doc["pid"], os.getpid())
        self.assertNotIn("log", doc)
        s0, s1 = doc["snapshots"]
        self.assertEqual(s0, {"t": T0 + 1, "desc": "first", "tracked_total": 1200,
                              "asizeof_total": None, "rss": 5000, "vms": 10000,
                              "classes": {"mod.A": {"sum": 200, "avg": 200.0, "active": 1,
                                                    "pct": 2.0},
                                          "mod.B": {"sum": 1000, "avg": 1000.0, "active": 1,
                                                    "pct": 10.0}}})
        self.assertEqual(s1["asizeof_total"], 2048 * 1024)
        a1, a2, b1 = doc["objects"]
        self.assertEqual(a1["class"], "mod.A")
        self.assertEqual(a1["trace"], [["prog.py", 10, "<module>"], ["prog.py", 4, "make"]])
        self.assertEqual(a1["level"], 2)
        self.assertEqual(a1["sizes"], [[T0 + 0.5, 56, 56], [T0 + 1, 200, 56], [T0 + 2, 3000, 56]])
        self.assertEqual(a1["refs"], [[T0 + 2, [
            ["__dict__", 2900, 200, [["[V] items: [1, 2]", 2800, 2000,
                                      [["[V] big: 'x...'", 800, 800, []],
                                       ["[K] tiny", 1, 1, []]]]]],
            ["__class__", 0, 0, []]]]])
        self.assertEqual((a2["death"], a2["trace"], a2["refs"]), (T0 + 2.5, None, []))
        self.assertIsNone(a1["death"])
        self.assertEqual(b1["repr"], "<mod.B object at 0x3000>")

    def test_load_prints_the_same(self):
        tr = sample()
        p = self.path("s.json")
        live = ConsoleStats(tracker=tr)
        Stats(tracker=tr).dump_stats(p)
        st = ConsoleStats(filename=p)
        self.assertEqual(printed(st, "print_summary"), SUMMARY)
        self.assertEqual(printed(st.sort_stats("size"), "print_stats"),
                         printed(live.sort_stats("size"), "print_stats"))
        self.assertEqual(st.tracked_classes, ["mod.A", "mod.B"])
        m = st.annotate_snapshot(st.snapshots[1])["mod.A"]["merged"]
        self.assertEqual((m.size, m.refs[0].refs[0].refs[0].name), (3100, "[V] big"))
        # written again: the same document
        st.dump_stats(self.path("t.json"))
        with open(p) as f, open(self.path("t.json")) as g:
            self.assertEqual(json.load(f), json.load(g))

    def test_text_is_utf8(self):
        # a lone surrogate (a file name's undecodable byte) becomes '?'
        tr = sample()
        tr.index["mod.A"][0].repr = "<caf\u00e9 \udc80>"
        p = self.path("s.json")
        Stats(tracker=tr).dump_stats(p)
        with open(p, "rb") as f:
            self.assertIn("<caf\u00e9 ?>".encode("utf-8"), f.read())
        self.assertEqual(Stats(filename=p).index["mod.A"][0].repr, "<caf\u00e9 ?>")

    def test_log_kept(self):
        p = self.path("s.json")
        st = Stats(tracker=sample())
        st.log = [{"t": T0, "rss": 1, "vms": 2, "label": "x"}]
        st.dump_stats(p)
        st = Stats(filename=p)
        self.assertEqual(st.log, [{"t": T0, "rss": 1, "vms": 2, "label": "x"}])

    def test_open_files(self):
        b = io.BytesIO()
        Stats(tracker=sample()).dump_stats(b, close=False)
        t = io.StringIO()
        Stats(tracker=sample()).dump_stats(t, close=False)
        self.assertEqual(json.loads(b.getvalue()), json.loads(t.getvalue()))
        b.seek(0)
        st = ConsoleStats()
        st.load_stats(b)
        self.assertEqual(printed(st, "print_summary"), SUMMARY)
        Stats(tracker=sample()).dump_stats(b)
        self.assertTrue(b.closed)

    def test_replaces_a_file_refuses_the_rest(self):
        p = self.path("s.json")
        with open(p, "w") as f:
            f.write("old")
        os.chmod(p, 0o644)
        Stats(tracker=sample()).dump_stats(p)
        self.assertEqual(stat.S_IMODE(os.stat(p).st_mode), 0o600)
        self.assertEqual(Stats(filename=p).tracked_classes, ["mod.A", "mod.B"])
        os.symlink(p, self.path("link"))
        os.mkdir(self.path("dir"))
        for name, what in (("link", "symbolic link"), ("dir", "directory")):
            with self.assertRaisesRegex(OSError, what) as cm:
                Stats(tracker=sample()).dump_stats(self.path(name))
            self.assertEqual(cm.exception.filename, self.path(name))
        with self.assertRaises(FileNotFoundError):
            Stats(tracker=sample()).dump_stats(self.path("no/such.json"))
        self.assertEqual(sorted(os.listdir(self.dir)), ["dir", "link", "s.json"])

    def test_bad_documents(self):
        cases = [
            (b"\x80\x05\x95pickle", "not a memtrack stats document \\(not JSON"),
            (b"[1, 2]", "no \"memtrack_stats\""),
            (b'{"memtrack_stats": 2}', "version 2, this memtrack reads 1"),
            (b'{"memtrack_stats": 1, "objects": []}', "KeyError: 'snapshots'"),
            (b'{"memtrack_stats": 1, "snapshots": [], "objects": [{"id": 1, "class": "A",'
             b' "birth": "x", "sizes": []}]}', "objects\\[0\\] birth is not a number"),
            (b'{"memtrack_stats": 1, "snapshots": [], "objects": [{"id": 1, "class": "A",'
             b' "birth": 1, "sizes": [[1, 2, 3]], "refs": [[1, [["n", 1]]]]}]}',
             "objects\\[0\\]: a referent is not"),
        ]
        p = self.path("bad.json")
        for data, msg in cases:
            with open(p, "wb") as f:
                f.write(data)
            with self.assertRaisesRegex(ValueError, "^" + p + ": .*" + msg):
                Stats(filename=p)


class Html(unittest.TestCase):
    def test_create_html(self):
        from memtrack import _memtrack

        real = getattr(_memtrack, "_html_report", None)
        if real is None:
            self.skipTest("this build has no _memtrack._html_report (doc/report.md)")
        seen = []

        def spy(out, paths, names):
            seen.append(list(paths))
            with open(paths[0], encoding="utf-8") as f:
                seen.append(json.load(f))
            seen.append(list(names))
            return real(out, paths, names)

        d = tempfile.mkdtemp(prefix="mt-html-")
        try:
            _memtrack._html_report = spy
            out = os.path.join(d, "report.html")
            HtmlStats(tracker=sample()).create_html(out, title="Sample & co")
            self.assertEqual(len(seen[0]), 1)
            self.assertFalse(os.path.exists(seen[0][0]))
            self.assertEqual(seen[1]["objects"][0]["class"], "mod.A")
            self.assertEqual(seen[2], ["Sample & co"])
            self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)
            with open(out, encoding="utf-8") as f:
                page = f.read()
            self.assertIn("mod.A", page)
            self.assertIn("Sample &amp; co", page)
            self.assertIn("<svg", page)
            # a process log beside the statistics
            log = os.path.join(d, "run.log")
            with open(log, "w") as f:
                f.write('{"t": %r, "rss": 1000, "vms": 2000, "memtrack_log": 1, "pid": 1, '
                        '"interval": 1.0, "argv": []}\n{"t": %r, "rss": 3000, "vms": 4000, '
                        '"label": "warm"}\n' % (T0, T0 + 1))
            HtmlStats(tracker=sample()).create_html(out, logs=[log])
            self.assertEqual(seen[3][1:], [log])
            self.assertEqual(seen[5], ["ClassTracker Statistics", log])
            with open(out, encoding="utf-8") as f:
                self.assertIn("warm", f.read())
            with self.assertRaises(FileNotFoundError):
                HtmlStats(tracker=sample()).create_html(out, logs=[log + ".none"])
        finally:
            _memtrack._html_report = real
            shutil.rmtree(d, ignore_errors=True)


REAL = r"""
import io
from memtrack import ClassTracker, ConsoleStats

class Node(object):
    def __init__(self, n):
        self.items = list(range(n))

class Slotted(object):
    __slots__ = ("a", "b")
    def __init__(self):
        self.a = "x" * 100
        self.b = None

def make():
    return [Node(n) for n in (10, 100)], [Slotted() for _ in range(3)]

tracker = ClassTracker()
tracker.track_class(Node, trace=True, resolution_level=2)
tracker.track_class(Slotted)
tracker.create_snapshot("empty")
nodes, slotted = make()
tracker.create_snapshot("made")
del nodes[0], slotted[1:]
tracker.create_snapshot("freed")
path = os.path.join(tmpdir, "stats.json")
tracker.stats.dump_stats(path)

def text(st):
    st.stream = io.StringIO()
    st.print_summary()
    st.sort_stats("classname", "birth").print_stats()
    return st.stream.getvalue()

with open(path) as f:
    doc = json.load(f)
report({"live": text(tracker.stats), "loaded": text(ConsoleStats(filename=path)),
        "doc": doc})
"""


class RealTracker(unittest.TestCase):
    """memtrack's own ClassTracker through Stats, live and from its file."""

    def test_live_and_loaded(self):
        from mtutil import run_child

        res = run_child(REAL)
        self.assertEqual(res["loaded"], res["live"])
        live = res["live"]
        self.assertRegex(live, r"\nmade +active +0     B +average +pct\n"
                               r"  __main__\.Node +2 .*\n  __main__\.Slotted +3 ")
        self.assertRegex(live, r"\nfreed +active .*\n  __main__\.Node +1 .*\n"
                               r"  __main__\.Slotted +1 ")
        self.assertEqual(live.count("( free )"), 3)
        self.assertIn(" in make\n", live)
        self.assertIn("[V] items: <list object at 0x", live)
        doc = res["doc"]
        self.assertEqual([s["desc"] for s in doc["snapshots"]], ["empty", "made", "freed"])
        node = [o for o in doc["objects"] if o["class"] == "__main__.Node"][1]
        self.assertEqual((node["level"], node["death"], len(node["sizes"])), (2, None, 3))
        self.assertIn("make", [f[2] for f in node["trace"]])  # then <listcomp> before 3.12
        self.assertEqual([r[1][0][0] for r in node["refs"]], ["__dict__", "__dict__"])
        t = doc["snapshots"][1]
        self.assertEqual(t["tracked_total"], sum(c["sum"] for c in t["classes"].values()))
        self.assertGreater(t["rss"], 0)


if __name__ == "__main__":
    unittest.main()
