"""README.md's sample output is memtrack's own: the example program of the
Quick start (examples/webcache.py) is run and dumped, the command the
README shows is run with memtrack-tui, and its output must be the README's
block line for line.  Sizes are per CPython minor version: the README's
figures are 3.11's (it says so), so another version skips the comparison
but still checks that the command works.  MEMTRACK_REGEN=1 (on 3.11)
rewrites the block."""
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
VERSION = (3, 11)  # the README says "CPython 3.11"
BLOCK = re.compile(r"```\n\$ memtrack-tui (?P<args>[^\n]*) _build/webcache\.mp\n(?P<out>.*?)```\n",
                   re.S)


class Readme(unittest.TestCase):
    def test_sample_output_is_memtracks(self):
        with open(README, encoding="utf-8") as f:
            text = f.read()
        m = BLOCK.search(text)
        self.assertIsNotNone(m, "README.md has no '$ memtrack-tui ... _build/webcache.mp' block")
        self.assertIn("CPython %d.%d" % VERSION, text[max(0, m.start() - 400):m.start()])
        d = tempfile.mkdtemp(prefix="mt-readme-")
        try:
            os.mkdir(os.path.join(d, "_build"))
            env = dict(os.environ, PYTHONPATH=MODULE_DIR)
            # the dump path is the only argument; the table does not depend on it
            subprocess.run([sys.executable, os.path.join(SRCDIR, "examples", "webcache.py"),
                            os.path.join(d, "_build", "webcache.mp")],
                           check=True, env=env, capture_output=True, cwd=d)
            args = re.findall(r"'[^']*'|\S+", m.group("args"))
            args = [a[1:-1] if a.startswith("'") else a for a in args]
            p = subprocess.run([tui()] + args + ["_build/webcache.mp"], cwd=d,
                               capture_output=True, text=True)
            self.assertEqual((p.returncode, p.stderr), (0, ""))
            self.assertTrue(p.stdout.startswith("Partition of a set of"), p.stdout)
        finally:
            shutil.rmtree(d, ignore_errors=True)
        if sys.version_info[:2] != VERSION:
            self.skipTest("the README's figures are CPython %d.%d's" % VERSION)
        if os.environ.get("MEMTRACK_REGEN") or "@README-SAMPLE@" in m.group("out"):
            if not os.environ.get("MEMTRACK_REGEN"):
                self.fail("README.md: the sample is a placeholder (MEMTRACK_REGEN=1 fills it)")
            text = text[:m.start("out")] + p.stdout + text[m.end("out"):]
            with open(README, "w", encoding="utf-8") as f:
                f.write(text)
            return
        self.assertEqual(m.group("out"), p.stdout)


if __name__ == "__main__":
    unittest.main()
