"""My objects on a real program (issue 9): the program's modules (a package
in a temporary directory, __main__ of `python -c`) against the standard
library's, what they own by the dominator tree (hp.Mine, --mine,
hp.Owned), and hp.Type without the module."""
import subprocess
import unittest

from mtutil import run_child, tui

CHILD = """
import logging
pkg = os.path.join(tmpdir, "myapp")
os.makedirs(pkg)
open(os.path.join(pkg, "__init__.py"), "w").close()
with open(os.path.join(pkg, "models.py"), "w") as f:
    f.write('''
class Response:
    def __init__(self, body):
        self.body = body
CACHE = {}
def remember(k, body):
    CACHE[k] = Response(body)
''')
sys.path.insert(0, tmpdir)
from myapp import models
for i in range(30):
    models.remember(i, bytes(2000 + i))
class Local:
    pass
local_held = [Local() for _ in range(7)]
handler = logging.NullHandler()       # the program's and logging's: shared
logging.getLogger("mt-test").addHandler(logging.NullHandler())  # logging's
json_cache = json.JSONDecoder()       # a library class, held by __main__
def caller():
    in_frame = bytearray(7777)
    path = os.path.join(tmpdir, "m.mp")
    memtrack.dump(path)
    return path
report({"path": caller()})
"""


class Mine(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.path = run_child(CHILD)["path"]

    def q(self, *exprs, mine=False):
        args = [tui(), "--batch"] + (["--mine"] if mine else [])
        for e in exprs:
            args += ["-e", e]
        p = subprocess.run(args + [self.path], capture_output=True, text=True,
                           timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def count(self, expr, mine=False):
        return int(self.q("(%s).count" % expr, mine=mine))

    def test_modules(self):
        # __main__ (python -c: no __file__), myapp, myapp.models
        out = self.q("(hp.Mine & hp.Type('module')).byid")
        names = sorted(l.split()[-1] for l in out.splitlines()[2:])
        self.assertEqual(names, ["__main__", "myapp", "myapp.models"], out)
        self.assertEqual(self.count("hp.Mine & hp.Module('json')"), 0)
        self.assertEqual(self.count("hp.Mine & hp.Module('memtrack')"), 0)

    def test_program_objects(self):
        self.assertEqual(self.count("hp.Mine & hp.Type('myapp.models.Response')"), 30)
        self.assertEqual(self.count("hp.Mine & hp.Type('__main__.Local')"), 7)
        # the cache's bytes: dominated by the class's instances
        big = "h & hp.Type('bytes') & hp.Via(\"['body']\")"
        self.assertEqual(self.count(big), 30)
        self.assertEqual(self.count("(%s) - hp.Mine" % big), 0)
        # a local of the program's frame
        arr = "h & hp.Type('bytearray') & hp.Size(7777).alt('>=')"
        self.assertGreaterEqual(self.count(arr), 1)
        self.assertEqual(self.count("(%s) - hp.Mine" % arr), 0)
        # a library class's instance that only __main__ holds
        self.assertEqual(self.count("hp.Mine & hp.Type('json.decoder.JSONDecoder')"), 1)

    def test_library_objects(self):
        # logging's handler is logging's; the library's code is not ours
        self.assertEqual(self.count("hp.Mine & hp.Type('logging.Manager')"), 0)
        all_handlers = self.count("h & hp.Type('logging.NullHandler')")
        self.assertEqual(all_handlers, 2)
        self.assertLessEqual(self.count("hp.Mine & hp.Type('logging.NullHandler')"), 1)
        code = self.count("h & hp.Type('types.CodeType')")
        self.assertLess(self.count("hp.Mine & hp.Type('types.CodeType')") * 10, code)
        # the program's objects are a small part of the heap
        self.assertLess(self.count("hp.Mine") * 3, self.count("h"))

    def test_owned_filters(self):
        self.assertGreaterEqual(self.count("hp.Owned('myapp*') & hp.Type('Response')"), 30)
        self.assertEqual(self.count("hp.Owned(file='*/myapp/models.py') & "
                                    "hp.Type('Response')"), 30)
        self.assertEqual(self.count("hp.Owned(file='*/myapp/models.py') & "
                                    "hp.Type('__main__.Local')"), 0)
        self.assertGreater(self.count("hp.Owned('json')"), 0)
        self.assertEqual(self.count("hp.Owned('json') & hp.Type('Response')"), 0)

    def test_batch_option(self):
        n = self.count("hp.Mine")
        out = self.q("h", mine=True)
        self.assertIn("Partition of a set of %d objects." % n, out.splitlines()[0])
        self.assertEqual(self.count("h", mine=True), n)
        self.assertEqual(self.count("hp.heap()", mine=True), self.count("h"))
        p = subprocess.run([tui(), "--batch", "--mine", self.path],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, out)
        # the browser's key M: the view's set .mine
        p = subprocess.run([tui(), "--headless", "--size", "120x20", "--keys", "M",
                            self.path], capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("h.mine", p.stdout)
        self.assertIn("the program's objects: {:,} of".format(n), p.stdout)

    def test_type_without_module(self):
        self.assertEqual(self.count("h & hp.Type('Response')"), 30)
        p = subprocess.run([tui(), "--batch", "-e", "hp.Type('NoSuchClassHere')",
                            self.path], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no type is named 'NoSuchClassHere'", p.stderr)


if __name__ == "__main__":
    unittest.main()
