"""The query language over two dumps of a real interpreter (doc/query.md,
"Comparing dumps"): h - h0, h0 - h and h & h0 count exactly the objects a
program made, freed and kept between its dumps; h - hp.Marked the objects
made since memtrack.mark(); across two processes the operators refuse in
one line and the difference table still prints."""
import os
import subprocess
import unittest

from mtutil import run_child, tui

# Made before the first dump: Kept (all survive), Gone (freed before the
# second dump); made between the dumps: Fresh.  Each with a __dict__ (the
# dicts count too: dict of Kept ...).
PROGRAM = """
    class Kept: pass
    class Gone: pass
    class Fresh: pass
    kept = [Kept() for i in range(300)]
    gone = [Gone() for i in range(200)]
    a = os.path.join(tmpdir, "a.mp"); b = os.path.join(tmpdir, "b.mp")
    memtrack.dump(a)
    del gone[:]
    fresh = [Fresh() for i in range(150)]
    memtrack.dump(b)
    report({"a": a, "b": b})
"""


def query(*args):
    p = subprocess.run([tui(), "--batch"] + list(args), capture_output=True,
                       text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


class TwoDumps(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        r = run_child(PROGRAM)
        cls.a, cls.b = r["a"], r["b"]

    def count(self, expr, *dumps):
        rc, out, err = query("-e", expr, *(dumps or (self.a, self.b)))
        self.assertEqual(rc, 0, "%s: %s" % (expr, err))
        return int(out)

    def test_new_gone_kept(self):
        T = "hp.Type('__main__.%s')"
        self.assertEqual(self.count("((h - h0) & %s).count" % (T % "Fresh")), 150)
        self.assertEqual(self.count("((h0 - h) & %s).count" % (T % "Gone")), 200)
        self.assertEqual(self.count("((h & h0) & %s).count" % (T % "Kept")), 300)
        self.assertEqual(self.count("((h0 & h) & %s).count" % (T % "Kept")), 300)
        # nothing of Kept is new or gone, nothing of Fresh existed before
        self.assertEqual(self.count("((h - h0) & %s).count" % (T % "Kept")), 0)
        self.assertEqual(self.count("((h0 - h) & %s).count" % (T % "Kept")), 0)
        self.assertEqual(self.count("((h & h0) & %s).count" % (T % "Fresh")), 0)
        # the gone objects are OLD's: their referrers then (the list)
        rc, out, err = query("-e", "((h0 - h) & %s).referrers.bytype" % (T % "Gone"),
                             self.a, self.b)
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"\n     0      1 100 .* list\n")
        # and the totals add up
        self.assertEqual(self.count("h.count - (h - h0).count - (h & h0).count"), 0)

    def test_diff_is_the_batch_table(self):
        rc, table, err = query(self.a, self.b)
        self.assertEqual(rc, 0, err)
        rc, out, err = query("-e", "h.diff(h0)", self.a, self.b)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, table)
        self.assertIn("Summary of difference operation (A-B).", out)

    def test_other_process(self):
        c = run_child("""
            p = os.path.join(tmpdir, "c.mp")
            memtrack.dump(p)
            report(p)
        """)
        rc, out, err = query("-e", "h - h0", self.a, c)
        self.assertEqual(rc, 1)
        self.assertIn("error: value error: h vs h0: the dumps come from "
                      "different processes (pid", err)
        rc, out, err = query("-e", "h.diff(h0)", self.a, c)
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith("Summary of difference operation (A-B).\n"))


class Mark(unittest.TestCase):
    def test_new_since_the_mark(self):
        r = run_child("""
            class Before: pass
            class After: pass
            before = [Before() for i in range(120)]
            memtrack.mark()
            after = [After() for i in range(80)]
            p = os.path.join(tmpdir, "m.mp")
            memtrack.dump(p)
            report(p)
        """)
        T = "hp.Type('__main__.%s')"
        rc, out, err = query("-e", "((h - hp.Marked) & %s).count" % (T % "After"),
                             "-e", "((h - hp.Marked) & %s).count" % (T % "Before"),
                             "-e", "(hp.Marked & %s).count" % (T % "Before"),
                             "-e", "(h.marked & %s).count" % (T % "After"), r)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.split(), ["80", "0", "120", "0"])

    def test_no_mark(self):
        p = run_child("""
            p = os.path.join(tmpdir, "n.mp")
            memtrack.dump(p)
            report(p)
        """)
        rc, out, err = query("-e", "h - hp.Marked", p)
        self.assertEqual(rc, 1)
        self.assertIn("this dump has no mark", err)


if __name__ == "__main__":
    unittest.main()
