"""The series files between Python and memtrack-tui (doc/report.md):
memtrack-tui --batch on a Stats.dump_stats file prints what
Stats.print_summary prints (pympler's layout), byte for byte; a ProcessLog
file's summary; memtrack._memtrack._html_report writes the very page of
memtrack-tui --html; HtmlStats.create_html with a log; the errors of
_html_report."""
import io
import os
import stat
import subprocess
import tempfile
import time
import unittest

import memtrack
from memtrack import _memtrack

import mtutil


class Employee:
    def __init__(self, name):
        self.name = name
        self.assigned = None


class Factory:
    def __init__(self):
        self.employees = []

    def populate(self, n):
        for i in range(n):
            self.employees.append(Employee("e%d" % i))


class ALongClassNameThatPymplerCutsShortInItsSummary:
    pass


def tui(*args):
    p = subprocess.run([mtutil.tui()] + list(args), capture_output=True,
                       timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), \
        p.stderr.decode("utf-8", "replace")


class SeriesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mt-report-")
        cls.log = os.path.join(cls.dir, "run.jsonl")
        cls.stats = os.path.join(cls.dir, "run.stats")
        tracker = memtrack.ClassTracker()
        with memtrack.ProcessLog(cls.log, interval=0.05) as log:
            f = Factory()
            tracker.track_object(f, resolution_level=2)
            tracker.track_class(Employee, trace=True)
            tracker.track_class(ALongClassNameThatPymplerCutsShortInItsSummary)
            tracker.create_snapshot()
            f.populate(300)
            keep = ALongClassNameThatPymplerCutsShortInItsSummary()
            log.label("populated")
            tracker.create_snapshot("after populate: caf\u00e9 \u2615 and more text")
            del f.employees[100:]
            time.sleep(0.12)
            tracker.create_snapshot("after dropping 200", compute_total=True)
            log.label("dropped")
        out = io.StringIO()
        stats = memtrack.ConsoleStats(tracker=tracker, stream=out)
        stats.print_summary()
        cls.summary = out.getvalue()
        stats.dump_stats(cls.stats)
        tracker.close()
        del keep

    def test_batch_stats_is_print_summary(self):
        rc, out, err = tui("--batch", self.stats)
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out, self.summary)
        self.assertIn("\n  test_report.ALongClassNameThat...     ", out)
        # the file loaded back prints the same
        again = io.StringIO()
        memtrack.ConsoleStats(filename=self.stats, stream=again).print_summary()
        self.assertEqual(again.getvalue(), out)

    def test_batch_log(self):
        rc, out, err = tui("--batch", self.log)
        self.assertEqual((rc, err), (0, ""))
        lines = out.splitlines()
        self.assertTrue(lines[0].startswith("process      pid %d" % os.getpid()), out)
        with open(self.log) as f:
            n = sum(1 for _ in f)
        self.assertTrue(lines[1].startswith("samples      %d over " % n), out)
        self.assertRegex(out, r"\n +\+[0-9.]+ s +[0-9.]+ [kMG]B  label  populated\n")
        self.assertRegex(out, r"\n +\+[0-9.]+ s +[0-9.]+ [kMG]B  label  dropped\n")

    def test_one_writer(self):
        """_html_report and memtrack-tui --html write the same bytes."""
        a = os.path.join(self.dir, "a.html")
        b = os.path.join(self.dir, "b.html")
        _memtrack._html_report(a, [self.stats, self.log])
        rc, out, err = tui("--html", b, self.stats, self.log)
        self.assertEqual((rc, out, err), (0, "", ""))
        with open(a, "rb") as fa, open(b, "rb") as fb:
            self.assertEqual(fa.read(), fb.read())
        self.assertEqual(stat.S_IMODE(os.stat(a).st_mode), 0o600)

    def test_html_stats(self):
        page = os.path.join(self.dir, "stats.html")
        memtrack.HtmlStats(filename=self.stats).create_html(page, logs=[self.log])
        with open(page, encoding="utf-8") as f:
            html = f.read()
        for want in ('<svg id="classes-0"', '<svg id="distribution-0"',
                     '<svg id="rss-1"', "ClassTracker Statistics",
                     "test_report.Employee", "after populate: caf\u00e9 \u2615",
                     "<td>label</td><td>populated</td>"):
            self.assertIn(want, html)
        self.assertNotIn("<script", html)
        self.assertEqual(os.listdir(self.dir).count("stats.html"), 1)
        # 300 employees, 100 listed, then a count
        self.assertIn("<caption>300 instances</caption>", html)
        self.assertIn("<p>and 200 more.</p>", html)

    def test_html_report_errors(self):
        out = os.path.join(self.dir, "e.html")
        with self.assertRaises(OSError) as cm:
            _memtrack._html_report(out, [os.path.join(self.dir, "none")])
        self.assertEqual(cm.exception.filename, os.path.join(self.dir, "none"))
        bad = os.path.join(self.dir, "bad.jsonl")
        with open(bad, "w") as f:
            f.write('{"memtrack_log": 1, "t": 1}\n{"t": 2, "rss": "x"}\n')
        with self.assertRaisesRegex(ValueError, r"bad\.jsonl: unexpected value type "
                                    r"at byte 44: line 2, column 17: \"rss\" is not "
                                    r"an integer"):
            _memtrack._html_report(out, [bad])
        with self.assertRaisesRegex(ValueError, "no file"):
            _memtrack._html_report(out, [])
        with self.assertRaisesRegex(ValueError, "differ in length"):
            _memtrack._html_report(out, [self.log], names=[])
        with self.assertRaises(OSError):
            _memtrack._html_report(os.path.join(self.dir, "no", "x.html"), [self.log])
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
