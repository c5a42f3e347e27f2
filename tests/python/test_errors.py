"""Failures: unwritable targets, bad dumps, bad arguments."""
import os
import re
import shutil
import stat
import tempfile
import unittest

import memtrack
from mtutil import run_child


class Errors(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mt-err-")

    def tearDown(self):
        os.chmod(self.dir, 0o755)
        shutil.rmtree(self.dir, ignore_errors=True)

    def good_dump(self):
        p = os.path.join(self.dir, "good.mp")
        memtrack.dump(p, collect=False)
        with open(p, "rb") as f:
            return p, f.read()

    def test_missing_directory(self):
        p = os.path.join(self.dir, "no", "such", "dir", "x.mp")
        with self.assertRaises(OSError) as cm:
            memtrack.dump(p)
        self.assertIn(p, str(cm.exception))
        self.assertFalse(os.path.exists(p))

    @unittest.skipIf(os.geteuid() == 0, "root ignores directory permissions")
    def test_unwritable_directory(self):
        os.chmod(self.dir, stat.S_IRUSR | stat.S_IXUSR)
        p = os.path.join(self.dir, "x.mp")
        with self.assertRaises(OSError) as cm:
            memtrack.dump(p)
        self.assertIn(p, str(cm.exception))
        self.assertEqual(os.listdir(self.dir), [])

    def test_unwritable_location(self):
        # /proc refuses new files even to root
        p = "/proc/self/memtrack-test.mp"
        with self.assertRaises(OSError) as cm:
            memtrack.dump(p)
        self.assertIn(p, str(cm.exception))
        self.assertFalse(os.path.exists(p))

    def test_target_is_a_directory(self):
        # works as root too: refused before anything is written
        # (test_files.Targets has the details)
        p = os.path.join(self.dir, "adir")
        os.mkdir(p)
        with self.assertRaises(OSError) as cm:
            memtrack.dump(p)
        self.assertIn(p, str(cm.exception))
        self.assertEqual(sorted(os.listdir(self.dir)), ["adir"])
        self.assertEqual(os.listdir(p), [])

    def test_disk_full(self):
        # RLIMIT_FSIZE makes write() fail with EFBIG part way, like a full disk
        r = run_child("""
            import resource, signal
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            junk = [str(i) * 20 for i in range(200000)]
            p = os.path.join(tmpdir, "full.mp")
            resource.setrlimit(resource.RLIMIT_FSIZE, (200000, resource.RLIM_INFINITY))
            try:
                memtrack.dump(p)
                msg = None
            except OSError as e:
                msg = str(e)
            report({"msg": msg, "p": p, "left": os.listdir(tmpdir)})
        """)
        self.assertIsNotNone(r["msg"], "dump did not fail")
        self.assertIn(r["p"], r["msg"])
        self.assertEqual(r["left"], [])

    def test_truncated(self):
        p, data = self.good_dump()
        for cut in (5, 20, len(data) // 2, len(data) - 1):
            q = os.path.join(self.dir, "cut%d.mp" % cut)
            with open(q, "wb") as f:
                f.write(data[:cut])
            with self.assertRaises(ValueError) as cm:
                memtrack.read(q)
            msg = str(cm.exception)
            self.assertRegex(msg, r"at byte \d+", msg)
            self.assertIn(q, msg)

    def test_garbled(self):
        p, data = self.good_dump()
        mid = len(data) // 2
        bad = data[:mid] + bytes([data[mid] ^ 0x5A]) + data[mid + 1:]
        q = os.path.join(self.dir, "garbled.mp")
        with open(q, "wb") as f:
            f.write(bad)
        with self.assertRaises(ValueError) as cm:
            memtrack.read(q)
        self.assertRegex(str(cm.exception), r"at byte \d+")

    def test_not_a_dump(self):
        q = os.path.join(self.dir, "text.mp")
        with open(q, "w") as f:
            f.write("hello, world\n")
        with self.assertRaises(ValueError) as cm:
            memtrack.read(q)
        self.assertIn("not a memtrack dump", str(cm.exception))

    def test_read_missing_file(self):
        with self.assertRaises(OSError):
            memtrack.read(os.path.join(self.dir, "nothing.mp"))

    def test_trailing_garbage(self):
        p, data = self.good_dump()
        q = os.path.join(self.dir, "trail.mp")
        with open(q, "wb") as f:
            f.write(data + b"\x00")
        with self.assertRaises(ValueError):
            memtrack.read(q)

    def test_bad_arguments(self):
        with self.assertRaises(TypeError):
            memtrack.dump()
        with self.assertRaises(TypeError):
            memtrack.dump(os.path.join(self.dir, "x.mp"), False)  # collect is keyword-only
        with self.assertRaises(TypeError):
            memtrack.dump(42)

    def test_summary_and_pathlike(self):
        import pathlib
        p = pathlib.Path(self.dir) / "ok.mp"
        import gc
        self.assertTrue(gc.isenabled())
        res = memtrack.dump(p)
        self.assertTrue(gc.isenabled(), "dump must restore the collector")
        self.assertEqual(set(res), {"objects", "edges", "file_bytes", "heap_bytes", "bytes",
                                    "seconds", "reachable", "path", "plugins", "warnings"})
        self.assertEqual(res["path"], str(p))
        self.assertEqual(res["bytes"], os.path.getsize(p))
        self.assertEqual(os.listdir(self.dir), ["ok.mp"])
        d = memtrack.read(str(p))
        self.assertEqual(len(d["objects"]), res["objects"])
        self.assertEqual(d["reachable"], res["reachable"])
        h = d["header"]
        self.assertEqual(h["pid"], os.getpid())
        self.assertEqual(h["ptr_size"], 8)
        self.assertEqual(h["gc_header"], 16)
        self.assertTrue(h["collected"])
        self.assertEqual(h["implementation"], "cpython")
        self.assertEqual(tuple(h["python_version"]), tuple(__import__("sys").version_info[:3]))
        self.assertGreater(h["rss"], 0)
        self.assertGreater(h["vms"], h["rss"])
        self.assertTrue(re.match(r"\d+\.\d+", h["memtrack"]))


if __name__ == "__main__":
    unittest.main()
