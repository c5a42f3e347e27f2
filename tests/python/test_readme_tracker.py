"""README.md's "Watching classes over time" is memtrack's own output: its
Python block runs (examples/webcache.py on the path, in a fresh directory)
and prints the README's table, which memtrack-tui --batch prints again
from the file the block writes, and ConsoleStats reads back.  `pct` (a
share of the process's virtual size) is masked: it depends on the
process.  The sizes are CPython 3.11's (the README says so): another
version compares the table with the sizes masked too (the classes, the
active counts, the layout).  MEMTRACK_REGEN=1 (on 3.11) rewrites the
block."""
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
SECTION = re.compile(r"\n## Watching classes over time\n.*?```python\n(?P<code>.*?)```\n\n"
                     r"```\n(?P<out>.*?)```\n(?P<rest>.*?)\n## ", re.S)


def no_pct(text):
    return re.sub(r"(?m) +\d+%$", " <pct>", text)


def no_sizes(text):
    return re.sub(r"[ \d]{3}\d     B|[ \d]{3}\d\.\d\d [KMGTE]B", "<  size  >", no_pct(text))


class ReadmeTracker(unittest.TestCase):
    def test_sample_is_memtracks(self):
        with open(README, encoding="utf-8") as f:
            text = f.read()
        m = SECTION.search(text)
        self.assertIsNotNone(m, "README.md has no 'Watching classes over time' sample")
        self.assertIn("CPython %d.%d" % VERSION, m.group("rest"))
        d = tempfile.mkdtemp(prefix="mt-readme-tracker-")
        try:
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(
                [MODULE_DIR, os.path.join(SRCDIR, "examples")]))
            p = subprocess.run([sys.executable, "-c", m.group("code")], cwd=d, env=env,
                               capture_output=True, text=True, timeout=300)
            self.assertEqual((p.returncode, p.stderr), (0, ""))
            got = p.stdout
            b = subprocess.run([tui(), "--batch", "webcache.stats"], cwd=d, capture_output=True,
                               text=True)
            self.assertEqual((b.returncode, b.stderr, b.stdout), (0, "", got))
            c = subprocess.run([sys.executable, "-c", "import memtrack; memtrack.ConsoleStats("
                                "filename='webcache.stats').sort_stats('size').print_stats("
                                "limit=10)"], cwd=d, env=env, capture_output=True, text=True)
            self.assertEqual((c.returncode, c.stderr), (0, ""))
            self.assertEqual(len(re.findall(r"(?m)^webcache\.\w+ +0x", c.stdout)), 10)
        finally:
            shutil.rmtree(d, ignore_errors=True)
        self.assertEqual(no_sizes(got), no_sizes(m.group("out")))
        if sys.version_info[:2] != VERSION:
            self.skipTest("the README's sizes are CPython %d.%d's" % VERSION)
        if os.environ.get("MEMTRACK_REGEN"):
            text = text[:m.start("out")] + got + text[m.end("out"):]
            with open(README, "w", encoding="utf-8") as f:
                f.write(text)
            return
        self.assertEqual(no_pct(got), no_pct(m.group("out")))


if __name__ == "__main__":
    unittest.main()
