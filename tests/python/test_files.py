"""Files and signals: where and how dump() writes, what it refuses to
replace, what SIGINT/SIGTERM do to a dump in progress, and what read()
refuses to open (doc/capture.md, "Files and signals")."""
import errno
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

import memtrack
from mtutil import MODULE_DIR, child_source, run_child

# Objects in the heap of the signal tests: (int, float) tuples, 3 objects
# each.  At ~5 M objects/s the walk lasts about a second, long enough to be
# hit by a signal sent when its temporary file appears.
BIG = 1500000


def tmp_names(d):
    return [n for n in os.listdir(d) if ".tmp." in n]


def default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Child:
    """A child interpreter running `code` (with memtrack, `tmpdir` and
    `report(obj)` as in mtutil.run_child), which the test can signal."""

    def __init__(self, code):
        self.dir = tempfile.mkdtemp(prefix="mt-files-")
        src = child_source(code, self.dir, "sys, os, json, gc, signal, time")
        # SIGINT at its default, as in a terminal: a test run started in the
        # background of a non-interactive shell inherits it ignored, and
        # Python then installs no KeyboardInterrupt handler
        self.p = subprocess.Popen([sys.executable, "-c", src],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  preexec_fn=default_sigint)

    def signal_when_tmp(self, sig, timeout=120):
        """Sends sig as soon as a temporary dump file appears (the walk is
        about to start).  The child is stopped meanwhile, so that the signal
        comes before the walk ends however busy the machine is.  Returns
        the time it was sent."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if tmp_names(self.dir):
                os.kill(self.p.pid, signal.SIGSTOP)
                os.kill(self.p.pid, sig)
                t = time.time()
                os.kill(self.p.pid, signal.SIGCONT)
                return t
            if self.p.poll() is not None:
                break
            time.sleep(0.002)
        out, err = self.p.communicate()
        raise AssertionError("no temporary file seen (rc %r):\n%s\n%s"
                             % (self.p.returncode, out[-2000:], err[-2000:]))

    def finish(self, timeout=300):
        out, err = self.p.communicate(timeout=timeout)
        self.out, self.err = out, err
        for line in out.splitlines():
            if line.startswith("RESULT:"):
                return json.loads(line[7:])
        return None

    def cleanup(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class TempFile(unittest.TestCase):
    """Item: the temporary file is unpredictable, exclusive, private."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mt-files-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_planted_symlink_at_old_name(self):
        # <path>.tmp.<pid> was the name; a symlink planted there made the
        # dump (as root) overwrite the file it points to.
        victim = os.path.join(self.dir, "victim")
        with open(victim, "w") as f:
            f.write("precious\n")
        p = os.path.join(self.dir, "x.mp")
        planted = []
        for pid in {os.getpid(), os.getppid()}:
            for form in ("%s.tmp.%d", "%s.tmp%d", "%s.%d.tmp"):
                link = form % (p, pid)
                os.symlink(victim, link)
                planted.append(link)
        memtrack.dump(p, collect=False)
        with open(victim) as f:
            self.assertEqual(f.read(), "precious\n")
        st = os.lstat(p)
        self.assertTrue(stat.S_ISREG(st.st_mode))
        for link in planted:
            self.assertTrue(os.path.islink(link), link)
            self.assertEqual(os.readlink(link), victim)
        memtrack.read(p)
        self.assertEqual(sorted(os.listdir(self.dir)),
                         sorted(["victim", "x.mp"] + [os.path.basename(l) for l in planted]))

    def test_mode_0600_whatever_the_umask(self):
        r = run_child("""
            out = {}
            for um in (0, 0o022, 0o077, 0o277):
                os.umask(um)
                p = os.path.join(tmpdir, "u%o.mp" % um)
                memtrack.dump(p, collect=False)
                out["%o" % um] = os.stat(p).st_mode & 0o7777
            # an existing dump readable by others does not stay so
            p = os.path.join(tmpdir, "old.mp")
            open(p, "w").close()
            os.chmod(p, 0o644)
            os.umask(0o022)
            memtrack.dump(p, collect=False)
            out["existing"] = os.stat(p).st_mode & 0o7777
            report(out)
        """)
        for k, mode in r.items():
            if k.startswith("_"):
                continue
            self.assertEqual(mode, 0o600, "%s: mode %o" % (k, mode))


class Targets(unittest.TestCase):
    """Item: a target that is not a regular file is refused before the walk
    (and before gc.collect), with an OSError naming it."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mt-files-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def refused(self, p, errnos=None):
        before = os.lstat(p)
        with self.assertRaises(OSError) as cm:
            memtrack.dump(p, collect=False)
        e = cm.exception
        self.assertIn(p, str(e))
        self.assertEqual(e.filename, p)
        if errnos:
            self.assertIn(e.errno, errnos, str(e))
        after = os.lstat(p)
        self.assertEqual((before.st_ino, before.st_mode, before.st_rdev),
                         (after.st_ino, after.st_mode, after.st_rdev))
        self.assertEqual(tmp_names(self.dir), [])
        return e

    def test_directory(self):
        p = os.path.join(self.dir, "adir")
        os.mkdir(p)
        e = self.refused(p, (errno.EISDIR,))
        self.assertIsInstance(e, IsADirectoryError)
        self.assertIn("directory", str(e))
        self.assertEqual(os.listdir(p), [])
        # a trailing slash or "." names the directory too
        for q in (p + "/", p + "/."):
            with self.assertRaises(IsADirectoryError):
                memtrack.dump(q, collect=False)
        self.assertEqual(os.listdir(p), [])

    def test_fifo(self):
        p = os.path.join(self.dir, "fifo")
        os.mkfifo(p)
        self.assertIn("FIFO", str(self.refused(p)))

    def test_socket(self):
        p = os.path.join(self.dir, "sock")
        s = socket.socket(socket.AF_UNIX)
        try:
            s.bind(p)
            self.assertIn("socket", str(self.refused(p)))
        finally:
            s.close()

    def test_symlinks(self):
        real = os.path.join(self.dir, "real.mp")
        with open(real, "w") as f:
            f.write("x")
        for name, to in (("tofile", real), ("todir", self.dir),
                         ("dangling", os.path.join(self.dir, "nothing")),
                         ("tonull", "/dev/null")):
            p = os.path.join(self.dir, name)
            os.symlink(to, p)
            self.assertIn("symbolic link", str(self.refused(p)))
            self.assertEqual(os.readlink(p), to)
        with open(real) as f:
            self.assertEqual(f.read(), "x")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "nothing")))

    @unittest.skipIf(os.geteuid() != 0, "mknod needs root")
    def test_character_device(self):
        # a private copy of /dev/null: as root, the old rename replaced it
        p = os.path.join(self.dir, "null")
        try:
            os.mknod(p, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            self.skipTest("mknod not permitted here")
        self.assertIn("character device", str(self.refused(p)))
        self.assertTrue(stat.S_ISCHR(os.lstat(p).st_mode))

    def test_dev_null_and_full(self):
        # never replaced, root or not (read-only check: /dev itself)
        for p in ("/dev/null", "/dev/full"):
            st = os.lstat(p)
            with self.assertRaises(OSError) as cm:
                memtrack.dump(p, collect=False)
            self.assertEqual(cm.exception.filename, p)
            st2 = os.lstat(p)
            self.assertEqual((st.st_ino, st.st_rdev), (st2.st_ino, st2.st_rdev))
            self.assertTrue(stat.S_ISCHR(st2.st_mode))
        self.assertEqual([n for n in os.listdir("/dev") if ".tmp." in n], [])

    def test_refused_before_collect(self):
        # gc.collect() (finalizers run) is part of the dump: a bad target
        # must fail before it, i.e. at once, with no side effect.
        r = run_child("""
            ran = []
            class Fin:
                def __init__(self):
                    self.me = self
                def __del__(self):
                    ran.append(1)
            Fin()
            d = os.path.join(tmpdir, "d")
            os.mkdir(d)
            try:
                memtrack.dump(d)
                err = None
            except OSError as e:
                err = [e.errno, e.filename]
            report({"err": err, "ran": len(ran)})
        """)
        self.assertEqual(r["err"][0], errno.EISDIR)
        self.assertEqual(r["ran"], 0)

    def test_regular_file_replaced(self):
        p = os.path.join(self.dir, "old.mp")
        with open(p, "w") as f:
            f.write("old")
        res = memtrack.dump(p, collect=False)
        self.assertEqual(res["bytes"], os.path.getsize(p))
        memtrack.read(p)
        self.assertEqual(os.listdir(self.dir), ["old.mp"])

    def test_relative_path(self):
        cwd = os.getcwd()
        os.chdir(self.dir)
        try:
            memtrack.dump("rel.mp", collect=False)
        finally:
            os.chdir(cwd)
        self.assertEqual(os.listdir(self.dir), ["rel.mp"])

    def test_file_too_large_errno(self):
        # RLIMIT_FSIZE: write() first writes part of a buffer, then fails
        # with EFBIG, as on a full disk.  The OSError carries the errno.
        r = run_child("""
            import resource, signal
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            junk = [str(i) * 20 for i in range(200000)]
            p = os.path.join(tmpdir, "big.mp")
            resource.setrlimit(resource.RLIMIT_FSIZE, (1500000, resource.RLIM_INFINITY))
            try:
                memtrack.dump(p)
                err = None
            except OSError as e:
                err = [e.errno, e.filename, str(e)]
            report({"err": err, "p": p, "left": os.listdir(tmpdir)})
        """)
        self.assertIsNotNone(r["err"], "dump did not fail")
        self.assertEqual(r["err"][0], errno.EFBIG, r["err"])
        self.assertEqual(r["err"][1], r["p"])
        self.assertEqual(r["left"], [])

    def test_missing_directory_errno(self):
        p = os.path.join(self.dir, "no", "x.mp")
        with self.assertRaises(FileNotFoundError) as cm:
            memtrack.dump(p, collect=False)
        self.assertEqual(cm.exception.filename, p)


class Signals(unittest.TestCase):
    """Item: SIGINT/SIGTERM during the walk."""

    HEAP = """
        big = [(i, float(i)) for i in range(%d)]
        p = os.path.join(tmpdir, "big.mp")
    """ % BIG

    def run_signalled(self, code, sig):
        c = Child(textwrap.dedent(self.HEAP) + textwrap.dedent(code))
        self.addCleanup(c.cleanup)
        sent = c.signal_when_tmp(sig)
        r = c.finish()
        return c, r, sent

    def test_sigint_cancels(self):
        c, r, sent = self.run_signalled("""
            t0 = time.time()
            try:
                memtrack.dump(p, collect=False)
                out = "completed"
            except KeyboardInterrupt:
                out = "KeyboardInterrupt"
            t1 = time.time()
            left = sorted(os.listdir(tmpdir))
            res = memtrack.dump(p, collect=False)
            with open(p, "rb") as f:
                magic = f.read(14)
            report({"out": out, "left": left, "t1": t1, "again": res["objects"],
                    "bytes": res["bytes"] == os.path.getsize(p),
                    "magic": magic.hex(), "after": sorted(os.listdir(tmpdir))})
        """, signal.SIGINT)
        self.assertIsNotNone(r, c.err)
        self.assertEqual(c.p.returncode, 0, c.err)
        self.assertEqual(r["out"], "KeyboardInterrupt")
        self.assertEqual(r["left"], [])
        self.assertGreater(r["again"], 3 * BIG)
        self.assertTrue(r["bytes"])
        self.assertEqual(bytes.fromhex(r["magic"]), b"\xadmemtrack-dump")
        self.assertEqual(r["after"], ["big.mp"])
        self.assertLess(r["t1"] - sent, 5.0, "cancel took %.2fs" % (r["t1"] - sent))

    def test_sigterm_default_dies(self):
        c, r, sent = self.run_signalled("""
            memtrack.dump(p, collect=False)
            report({"out": "completed"})
        """, signal.SIGTERM)
        self.assertEqual(c.p.returncode, -signal.SIGTERM, (r, c.err))
        self.assertIsNone(r)
        self.assertEqual(os.listdir(c.dir), [])

    def test_sigterm_python_handler_runs(self):
        c, r, sent = self.run_signalled("""
            hits = []
            signal.signal(signal.SIGTERM, lambda s, f: hits.append(s))
            try:
                memtrack.dump(p, collect=False)
                out = "completed"
            except InterruptedError as e:
                out = ["InterruptedError", e.errno, e.filename]
            left = sorted(os.listdir(tmpdir))
            h = list(hits)
            res = memtrack.dump(p, collect=False)
            report({"out": out, "hits": h, "left": left, "again": res["objects"],
                    "handler_kept": signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL})
        """, signal.SIGTERM)
        self.assertIsNotNone(r, c.err)
        self.assertEqual(r["hits"], [signal.SIGTERM])
        self.assertEqual(r["out"], ["InterruptedError", errno.EINTR,
                                    os.path.join(c.dir, "big.mp")])
        self.assertEqual(r["left"], [])
        self.assertGreater(r["again"], 3 * BIG)
        self.assertTrue(r["handler_kept"])

    def test_sigint_ignored_is_ignored(self):
        c, r, sent = self.run_signalled("""
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            res = memtrack.dump(p, collect=False)
            report({"objects": res["objects"], "left": os.listdir(tmpdir),
                    "ign": signal.getsignal(signal.SIGINT) == signal.SIG_IGN})
        """, signal.SIGINT)
        self.assertIsNotNone(r, c.err)
        self.assertGreater(r["objects"], 3 * BIG)
        self.assertEqual(r["left"], ["big.mp"])
        self.assertTrue(r["ign"])

    def test_handlers_restored(self):
        # after a dump, the C-level dispositions are what they were: a
        # second SIGTERM with no Python handler kills, SIGINT raises.
        r = run_child("""
            import signal, time
            # Python's handler, even when started with SIGINT ignored
            signal.signal(signal.SIGINT, signal.default_int_handler)
            memtrack.dump(os.path.join(tmpdir, "a.mp"), collect=False)
            try:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(1)
                out = "nothing"
            except KeyboardInterrupt:
                out = "KeyboardInterrupt"
            report({"out": out, "term": signal.getsignal(signal.SIGTERM) == signal.SIG_DFL})
        """)
        self.assertEqual(r["out"], "KeyboardInterrupt")
        self.assertTrue(r["term"])

    def test_sigint_in_a_thread(self):
        # dump() in a non-main thread: the walk is cancelled all the same,
        # the thread gets InterruptedError, and the main thread (which runs
        # Python's handlers) gets KeyboardInterrupt.
        c, r, sent = self.run_signalled("""
            import threading
            out = []
            def work():
                try:
                    memtrack.dump(p, collect=False)
                    out.append("completed")
                except BaseException as e:
                    out.append(type(e).__name__)
            t = threading.Thread(target=work)
            main = "nothing"
            try:
                t.start()
                while t.is_alive():
                    t.join(0.05)
                time.sleep(0.2)
            except KeyboardInterrupt:
                main = "KeyboardInterrupt"
            t.join()
            report({"thread": out, "main": main, "left": sorted(os.listdir(tmpdir))})
        """, signal.SIGINT)
        self.assertIsNotNone(r, c.err)
        self.assertEqual(r["thread"], ["InterruptedError"])
        self.assertEqual(r["main"], "KeyboardInterrupt")
        self.assertEqual(r["left"], [])


class Header(unittest.TestCase):
    def test_version_not_from_sys(self):
        r = run_child("""
            real = list(sys.version_info[:3])
            sys.version_info = (99, "x")
            p = os.path.join(tmpdir, "v.mp")
            memtrack.dump(p, collect=False)
            h = memtrack.read(p)["header"]
            report({"real": real, "got": list(h["python_version"]),
                    "python": h["python"], "version": sys.version})
        """)
        self.assertEqual(r["got"], r["real"])
        self.assertTrue(r["python"].startswith("%d.%d.%d" % tuple(r["real"])))


class Read(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mt-files-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_fifo_refused_not_hung(self):
        # in a child, so that the old behaviour (blocking in open()) fails
        # the test instead of hanging the suite
        f = os.path.join(self.dir, "fifo")
        os.mkfifo(f)
        code = textwrap.dedent("""
            import sys
            sys.path.insert(0, %r)
            import memtrack
            try:
                memtrack.read(%r)
                print("read")
            except OSError as e:
                print("OSError", e.errno, e.filename, str(e))
        """) % (MODULE_DIR, f)
        try:
            p = subprocess.run([sys.executable, "-c", code], capture_output=True,
                               text=True, timeout=20)
        except subprocess.TimeoutExpired:
            self.fail("memtrack.read() hangs on a FIFO")
        self.assertTrue(p.stdout.startswith("OSError"), p.stdout + p.stderr)
        self.assertIn(f, p.stdout)
        self.assertIn("FIFO", p.stdout)

    def test_directory_refused(self):
        with self.assertRaises(IsADirectoryError) as cm:
            memtrack.read(self.dir)
        self.assertEqual(cm.exception.filename, self.dir)

    def test_dev_null_refused(self):
        with self.assertRaises(OSError) as cm:
            memtrack.read("/dev/null")
        self.assertIn("character device", str(cm.exception))

    def test_truncated_while_read(self):
        # read() mapped the file: truncating it during the decoding (the
        # file rewritten in place) killed the process with SIGBUS
        code = textwrap.dedent("""
            import sys, os
            sys.path.insert(0, %r)
            import memtrack
            p = %r
            big = [(str(i), i) for i in range(100000)]
            memtrack.dump(p, collect=False)
            del big
            print("DUMPED", flush=True)
            sys.stdin.readline()
            try:
                memtrack.read(p)
                print("read")
            except ValueError as e:
                print("ValueError", e)
        """) % (MODULE_DIR, os.path.join(self.dir, "t.mp"))
        p = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.assertEqual(p.stdout.readline().strip(), "DUMPED")
            p.stdin.write("go\n")
            p.stdin.flush()
            time.sleep(0.5)
            os.truncate(os.path.join(self.dir, "t.mp"), 0)
            out, err = p.communicate(timeout=300)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertEqual(p.returncode, 0, err[-2000:])
        self.assertTrue(out.startswith(("read", "ValueError")), out)

    def test_through_symlink(self):
        p = os.path.join(self.dir, "a.mp")
        memtrack.dump(p, collect=False)
        link = os.path.join(self.dir, "link.mp")
        os.symlink(p, link)
        self.assertEqual(len(memtrack.read(link)["objects"]),
                         len(memtrack.read(p)["objects"]))


if __name__ == "__main__":
    unittest.main()
