"""README.md's leak gate sample (section "A leak gate for CI") is
memtrack's own output: the example program writes its two dumps 3000
requests apart (examples/webcache.py before.mp --later after.mp), the
README's command runs, and its standard output, its standard error and the
exit status line must be the README's block line for line, except each
heap's total (the A and B lines: os.environ is in the heap) and the
percentages of B that follow from it.  The figures
are CPython 3.11's (the README says so): another version only checks that
the gate fails (status 3, one line on stderr) after heapy's table.
MEMTRACK_REGEN=1 (on 3.11) rewrites the block."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from mtutil import MODULE_DIR, tui

SRCDIR = os.environ.get("MEMTRACK_SRCDIR") or os.path.join(os.path.dirname(__file__), "..", "..")
README = os.path.join(SRCDIR, "README.md")
VERSION = (3, 11)
BLOCK = re.compile(r"```\n\$ memtrack-tui (?P<args>[^\n]*) before\.mp after\.mp; "
                   r"echo \"exit status \$\?\"\n(?P<out>.*?)```\n", re.S)


class ReadmeGate(unittest.TestCase):
    def test_gate_sample_is_memtracks(self):
        with open(README, encoding="utf-8") as f:
            text = f.read()
        m = BLOCK.search(text)
        self.assertIsNotNone(m, "README.md has no leak gate block")
        self.assertIn("CPython %d.%d" % VERSION, text[max(0, m.start() - 300):m.start()])
        d = tempfile.mkdtemp(prefix="mt-gate-")
        try:
            env = dict(os.environ, PYTHONPATH=MODULE_DIR)
            subprocess.run([sys.executable, os.path.join(SRCDIR, "examples", "webcache.py"),
                            "before.mp", "--later", "after.mp"],
                           check=True, env=env, capture_output=True, cwd=d)
            p = subprocess.run([tui()] + m.group("args").split() + ["before.mp", "after.mp"],
                               cwd=d, capture_output=True, text=True)
        finally:
            shutil.rmtree(d, ignore_errors=True)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertTrue(p.stdout.startswith("Summary of difference operation (A-B).\n"))
        self.assertRegex(p.stderr, r"^memtrack-tui: the heap grew by \d+ bytes, more than "
                                   r"--fail-on-growth's 1000000\n$")
        got = p.stdout + p.stderr + "exit status %d\n" % p.returncode
        if sys.version_info[:2] != VERSION:
            self.skipTest("the README's figures are CPython %d.%d's" % VERSION)
        if os.environ.get("MEMTRACK_REGEN") or "@README-GATE@" in m.group("out"):
            if not os.environ.get("MEMTRACK_REGEN"):
                self.fail("README.md: the gate sample is a placeholder (MEMTRACK_REGEN=1 fills it)")
            text = text[:m.start("out")] + got + text[m.end("out"):]
            with open(README, "w", encoding="utf-8") as f:
                f.write(text)
            return
        # the totals of each heap hold os.environ (a test run's differs
        # from the README's): compared are the difference, its rows, the
        # message and the status
        self.assertEqual(totals(m.group("out")), totals(got))


def totals(text):
    """text with each heap's total and the percentages of B (which follow
    from B's total) masked: what is left does not depend on the rest of
    the interpreter's heap (pyenv's 3.11.7 and Debian's 3.11.2 differ)."""
    text = re.sub(r"(?m)^  ([AB])  +\d+ +\d+$", r"  \1 <total>", text)
    text = re.sub(r"(?m)=  *\S+ % of B$", "= <pct> % of B", text)
    return re.sub(r"(?m)^( *\d+ +-?\d+ +-?\d+ +-?\d+) +\S+ ", r"\1 <pct> ", text)


if __name__ == "__main__":
    unittest.main()
