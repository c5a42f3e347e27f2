"""Dumps the program does not call for itself (doc/capture.md, "Dumps on a
signal, a memory bound, or at exit"): memtrack.dump_on_signal (a signal
from another process, two signals, a failing dump, a signal during a
running background dump, the main-thread rule, replacing and removing the
handler), memtrack.dump_when (fires once past the bound and not before,
cancel, the end of the interpreter) and the file names (_dump_name)."""
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

import memtrack
from mtutil import MODULE_DIR, run_child

NAME_RE = r"(?P<prog>[A-Za-z0-9_.-]+)\.(?P<pid>\d+)\.(?P<date>\d{8}-\d{6})\.(?P<seq>\d{3,})\.mp"


def dumps_in(d):
    return sorted(f for f in os.listdir(d) if f.endswith(".mp"))


def wait_for(cond, timeout=120, step=0.02):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timed out after %ss" % timeout)


def has_str(path, text):
    d = memtrack.read(path)
    return any(o.value == text for o in d.objects)


class Target:
    """A program of its own (a script file, run by this interpreter) that
    answers 'sum N' lines on its stdin with the sum of range(N) and exits
    at the end of its input; `setup` runs first."""

    def __init__(self, tmp, setup, name="target.py"):
        self.script = os.path.join(tmp, name)
        src = textwrap.dedent("""
            import os, signal, sys
            sys.path.insert(0, %r)
            import memtrack
            SENTINEL = "sentinel-" + str(os.getpid())
        """) % MODULE_DIR + textwrap.dedent(setup) + textwrap.dedent("""
            print("ready", flush=True)
            for line in sys.stdin:
                if line.startswith("sum "):
                    print(sum(range(int(line.split()[1]))), flush=True)
                elif line.startswith("errors"):
                    print(repr(memtrack.trigger_errors()), flush=True)
            print("bye", flush=True)
        """)
        with open(self.script, "w") as f:
            f.write(src)
        self.p = subprocess.Popen([sys.executable, self.script],
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True,
                                  cwd=tmp)
        line = self.readline()
        if line != "ready":
            raise AssertionError("target did not start: %r %s" %
                                 (line, self.p.stderr.read()))

    def readline(self, timeout=120):
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        if not r:
            raise AssertionError("target silent for %ss" % timeout)
        return self.p.stdout.readline().strip()

    def ask(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        return self.readline()

    def finish(self):
        out, err = self.p.communicate(timeout=120)
        return self.p.returncode, out, err


class Signal(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mt-trig-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def check_name(self, f, pid, seq):
        m = re.fullmatch(NAME_RE, f)
        self.assertTrue(m, f)
        self.assertEqual(m["prog"], "target")
        self.assertEqual(int(m["pid"]), pid)
        self.assertEqual(int(m["seq"]), seq)
        t = time.mktime(time.strptime(m["date"], "%Y%m%d-%H%M%S"))
        self.assertLess(abs(time.time() - t), 600)

    def signalled(self, background):
        t = Target(self.tmp, """
            memtrack.dump_on_signal(directory=%r, background=%r)
        """ % (self.tmp, background))
        self.assertEqual(t.ask("sum 10"), "45")
        for seq in (1, 2):
            os.kill(t.p.pid, signal.SIGUSR2)
            files = wait_for(lambda: len(dumps_in(self.tmp)) >= seq and
                             dumps_in(self.tmp))
            self.assertEqual(len(files), seq)
            self.check_name(files[-1], t.p.pid, seq)
            # the program answers, and right
            self.assertEqual(t.ask("sum 1000"), str(sum(range(1000))))
            path = os.path.join(self.tmp, files[-1])
            d = memtrack.read(path)
            self.assertEqual(d.header.pid, t.p.pid)
            self.assertTrue(has_str(path, "sentinel-%d" % t.p.pid))
            # a complete dump: its objects reach the module's globals
            self.assertGreater(d.reachable, 1000)
        self.assertEqual(t.ask("errors"), "[]")
        rc, out, err = t.finish()
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.strip(), "bye")
        self.assertEqual(err, "")

    def test_background_signal_from_another_process(self):
        self.signalled(True)

    def test_foreground_signal_from_another_process(self):
        self.signalled(False)

    def test_failing_dump_one_line_and_the_program_goes_on(self):
        for bg in (False, True):
            sub = os.path.join(self.tmp, "gone-%s" % bg)
            os.mkdir(sub)
            t = Target(self.tmp, """
                memtrack.dump_on_signal(directory=%r, background=%r)
            """ % (sub, bg))
            os.rmdir(sub)
            os.kill(t.p.pid, signal.SIGUSR2)
            self.assertEqual(t.ask("sum 5"), "10")
            time.sleep(0.5)  # a background child reports by itself
            errs = t.ask("errors")
            rc, out, err = t.finish()
            self.assertEqual(rc, 0, err)
            lines = err.splitlines()
            self.assertEqual(len(lines), 1, err)
            self.assertTrue(lines[0].startswith("memtrack: "), err)
            self.assertIn("failed", lines[0])
            self.assertIn(sub, lines[0])
            if not bg:
                self.assertTrue(lines[0].startswith(
                    "memtrack: dump on SIGUSR2 failed: "), err)
                self.assertEqual(errs, repr([lines[0]]))

    def test_signal_during_running_background_dump_is_skipped(self):
        r = run_child("""
            import signal, time
            heap = [[i] for i in range(1500000)]
            os.makedirs(tmpdir, exist_ok=True)
            memtrack.dump_on_signal(directory=tmpdir)
            os.kill(os.getpid(), signal.SIGUSR2)
            for i in range(100): pass
            os.kill(os.getpid(), signal.SIGUSR2)
            for i in range(100): pass
            report({"errs": memtrack.trigger_errors(), "n": len(heap)})
        """)
        self.assertEqual(len(r["errs"]), 1, r)
        self.assertRegex(r["errs"][0],
                         r"^memtrack: dump on SIGUSR2 skipped: the background "
                         r"dump to .*\.001\.mp \(pid \d+\) is still running$")

    def test_main_thread_only(self):
        r = run_child("""
            import threading
            out = []
            def f():
                try:
                    memtrack.dump_on_signal()
                    out.append("installed")
                except ValueError as e:
                    out.append(str(e))
            t = threading.Thread(target=f)
            t.start(); t.join()
            report(out)
        """)
        self.assertEqual(len(r), 1)
        self.assertIn("must be called from the main thread", r[0])

    def test_directory_checked_at_installation(self):
        f = os.path.join(self.tmp, "file")
        open(f, "w").close()
        with self.assertRaises(FileNotFoundError) as c:
            memtrack.dump_on_signal(directory=os.path.join(self.tmp, "no"))
        self.assertIn("cannot write dumps into this directory", str(c.exception))
        with self.assertRaises(NotADirectoryError):
            memtrack.dump_on_signal(directory=f)
        with self.assertRaises(ValueError):
            memtrack.dump_on_signal(0)
        # nothing was installed
        self.assertNotEqual(getattr(signal.getsignal(signal.SIGUSR2),
                                    "__name__", ""), "_signal_dump")

    def test_replace_and_remove(self):
        r = run_child("""
            import signal
            def mine(s, f): pass
            signal.signal(signal.SIGUSR1, mine)
            name = lambda s: getattr(signal.getsignal(s), "__name__", str(signal.getsignal(s)))
            out = []
            memtrack.dump_on_signal(signal.SIGUSR1, directory=".")
            out.append(name(signal.SIGUSR1))
            memtrack.dump_on_signal(signal.SIGUSR1, directory="/")
            out.append(name(signal.SIGUSR1))
            memtrack.dump_on_signal(directory=".")   # another signal
            out += [name(signal.SIGUSR1), name(signal.SIGUSR2)]
            memtrack.dump_on_signal(None)
            out.append(name(signal.SIGUSR2))
            memtrack.dump_on_signal(None)   # nothing installed: no-op
            report(out)
        """)
        self.assertEqual(r[:4], ["_signal_dump", "_signal_dump", "mine",
                                 "_signal_dump"])
        self.assertIn(r[4], ("Handlers.SIG_DFL", "0", "SIG_DFL"))


class RssBound(unittest.TestCase):
    def test_fires_once_past_the_bound_and_not_before(self):
        r = run_child("""
            import time
            os.makedirs(tmpdir, exist_ok=True)
            def rss():
                with open("/proc/self/statm") as f:
                    return int(f.read().split()[1]) * os.sysconf("SC_PAGESIZE")
            bound = rss() + (48 << 20)
            t = memtrack.dump_when(rss_above=bound, directory=tmpdir,
                                   interval=0.01)
            out = {"early": [], "bound": bound}
            grow = []
            time.sleep(0.2)
            out["start"] = [t.fired, t.path, t.active]
            while rss() < bound + (24 << 20):
                grow.append(bytearray(1 << 20))
                for b in grow[-1:]:
                    b[::4096] = b"x" * len(b[::4096])
                if rss() < bound - (8 << 20):
                    time.sleep(0.02)
                    if t.fired:
                        out["early"].append(rss())
            wait = time.monotonic()
            while t.result is None and t.error is None and time.monotonic() - wait < 60:
                time.sleep(0.01)
            res = t.result.wait(120)
            more = [bytearray(1 << 20) for i in range(32)]
            time.sleep(0.3)
            out.update(fired=t.fired, rss=t.rss, path=t.path, active=t.active,
                       error=t.error, objects=res["objects"],
                       files=sorted(os.listdir(tmpdir)),
                       repr=repr(t))
            report(out)
        """)
        self.assertEqual(r["start"], [False, None, True])
        self.assertEqual(r["early"], [])
        self.assertTrue(r["fired"])
        self.assertGreater(r["rss"], r["bound"])
        self.assertFalse(r["active"])
        self.assertIsNone(r["error"])
        self.assertEqual(len(r["files"]), 1, r["files"])
        self.assertTrue(re.fullmatch(NAME_RE, r["files"][0]), r["files"])
        self.assertEqual(os.path.basename(r["path"]), r["files"][0])
        self.assertGreater(r["objects"], 1000)
        self.assertIn("done", r["repr"])
        d = memtrack.read(r["path"])
        self.assertGreater(d.header.rss, r["bound"])

    def test_foreground_and_cancel(self):
        r = run_child("""
            import time
            os.makedirs(tmpdir, exist_ok=True)
            def rss():
                with open("/proc/self/statm") as f:
                    return int(f.read().split()[1]) * os.sysconf("SC_PAGESIZE")
            def threads():
                names = []
                for t in os.listdir("/proc/self/task"):
                    with open("/proc/self/task/%s/comm" % t) as f:
                        names.append(f.read().strip())
                return names
            bound = rss() + (32 << 20)
            c = memtrack.dump_when(rss_above=bound, directory=tmpdir,
                                   interval=0.01, background=False)
            running = "memtrack-rss" in threads()
            c.cancel()
            c.cancel()
            # cancel() joins the thread; its /proc entry may outlive the
            # join by a moment (the kernel wakes the joiner before it
            # reaps the task), so look again for up to a second
            t0 = time.monotonic()
            after = "memtrack-rss" in threads()
            while after and time.monotonic() - t0 < 1:
                time.sleep(0.01)
                after = "memtrack-rss" in threads()
            f = memtrack.dump_when(rss_above=bound, directory=tmpdir,
                                   interval=0.01, background=False)
            grow = [bytearray(1 << 20) for i in range(64)]
            for b in grow:
                b[::4096] = b"x" * len(b[::4096])
            t0 = time.monotonic()
            while f.result is None and time.monotonic() - t0 < 60:
                time.sleep(0.01)
            report({"running": running, "after": after,
                    "c": [c.fired, c.active, c.path],
                    "f": [f.fired, f.active, f.path,
                          f.result and f.result["path"]],
                    "files": sorted(os.listdir(tmpdir)),
                    "background": f.background, "interval": f.interval,
                    "rss_above": f.rss_above == bound,
                    "directory": f.directory == tmpdir})
        """)
        self.assertTrue(r["running"])
        self.assertFalse(r["after"])
        self.assertEqual(r["c"], [False, False, None])
        fired, active, path, rpath = r["f"]
        self.assertTrue(fired)
        self.assertFalse(active)
        self.assertEqual(path, rpath)
        self.assertEqual(r["files"], [os.path.basename(path)])
        self.assertEqual([r["background"], r["interval"], r["rss_above"],
                          r["directory"]], [False, 0.01, True, True])

    def test_waits_for_a_running_background_dump(self):
        # a signal's background dump runs: the RSS trigger's dump is asked
        # for again each interval, made once that one ended, never skipped
        r = run_child("""
            import signal, time
            heap = [[i] for i in range(1500000)]
            os.makedirs(tmpdir, exist_ok=True)
            memtrack.dump_on_signal(directory=tmpdir)
            os.kill(os.getpid(), signal.SIGUSR2)
            for i in range(100): pass
            t = memtrack.dump_when(rss_above=1, directory=tmpdir, interval=0.01)
            t0 = time.monotonic()
            while t.result is None and time.monotonic() - t0 < 120:
                time.sleep(0.01)
            res = t.result.wait(120)
            report({"errs": memtrack.trigger_errors(), "path": t.path,
                    "objects": res["objects"], "files": sorted(os.listdir(tmpdir))})
        """)
        self.assertEqual(r["errs"], [])
        self.assertTrue(r["path"].endswith(".002.mp"), r["path"])
        self.assertEqual(len(r["files"]), 2, r["files"])
        self.assertGreater(r["objects"], 1500000)

    def test_fork_child_with_a_watcher(self):
        # the child has no watcher thread: its copy is stopped, and its exit
        # (atexit) does not wait for a thread that is not there
        r = run_child("""
            import time
            t = memtrack.dump_when(rss_above=1 << 50, interval=0.01)
            pid = os.fork()
            if pid == 0:
                ok = (not t.active) and not t.fired
                t.cancel()
                os._exit(0 if ok else 3)
            _, st = os.waitpid(pid, 0)
            p2 = os.fork()
            if p2 == 0:
                sys.exit(0)   # atexit runs in the child
            _, st2 = os.waitpid(p2, 0)
            report({"st": os.WEXITSTATUS(st), "st2": os.WEXITSTATUS(st2),
                    "active": t.active})
        """, timeout=60)
        self.assertEqual(r, {"st": 0, "st2": 0, "active": True,
                             "_tmpdir": r["_tmpdir"]})

    def test_bad_arguments(self):
        with self.assertRaises(TypeError):
            memtrack.dump_when()
        with self.assertRaises(ValueError):
            memtrack.dump_when(rss_above=0)
        with self.assertRaises(ValueError):
            memtrack.dump_when(rss_above=-5)
        with self.assertRaises(ValueError):
            memtrack.dump_when(rss_above=1 << 40, interval=0)
        with self.assertRaises(FileNotFoundError):
            memtrack.dump_when(rss_above=1 << 40, directory="/nonexistent/x")

    def test_interpreter_exits_with_a_watcher(self):
        # the thread is stopped by atexit: the process ends at once and
        # cleanly, also with a dump asked for and not run
        tmp = tempfile.mkdtemp(prefix="mt-trig-")
        self.addCleanup(shutil.rmtree, tmp, True)
        for code in ("t = memtrack.dump_when(rss_above=1 << 50, interval=0.001)",
                     "t = memtrack.dump_when(rss_above=1, interval=0.001)\n"
                     "import time\ntime.sleep(0)"):
            p = subprocess.run([sys.executable, "-c",
                                "import sys; sys.path.insert(0, %r)\n"
                                "import memtrack\n%s\n" % (MODULE_DIR, code)],
                               capture_output=True, text=True, timeout=60,
                               cwd=tmp)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertNotIn("Fatal", p.stderr)


class Names(unittest.TestCase):
    def test_pattern_and_sequence(self):
        r = run_child("""
            import time
            os.makedirs(tmpdir, exist_ok=True)
            a = memtrack._memtrack._dump_name(tmpdir, "my prog.py", 42, 0)
            b = memtrack._memtrack._dump_name(tmpdir + "/", "/x/y/srv.py", None, None)
            open(memtrack._memtrack._dump_name(tmpdir, "p", 1, 0).replace(
                ".003.", ".004."), "w").close()
            c = memtrack._memtrack._dump_name(tmpdir, "p", 1, 0)
            d = memtrack._memtrack._dump_name("", "", 7, 86400 * 365)
            sys.argv[0] = "/usr/bin/tool.py"
            e = memtrack._memtrack._dump_name(".")
            sys.argv[0] = "-c"
            f = memtrack._memtrack._dump_name(".")
            report({"a": a, "b": b, "c": c, "d": d, "e": e, "f": f,
                    "pid": os.getpid(), "tmpdir": tmpdir,
                    "epoch": time.strftime("%Y%m%d-%H%M%S", time.localtime(0)),
                    "year": time.strftime("%Y%m%d-%H%M%S",
                                          time.localtime(86400 * 365))})
        """)
        td, pid = r["tmpdir"], r["pid"]
        self.assertEqual(r["a"], "%s/my_prog.42.%s.001.mp" % (td, r["epoch"]))
        self.assertRegex(r["b"], r"^%s/srv\.%d\.\d{8}-\d{6}\.002\.mp$"
                         % (re.escape(td), pid))
        # 4 exists: the next free number
        self.assertEqual(r["c"], "%s/p.1.%s.005.mp" % (td, r["epoch"]))
        self.assertEqual(r["d"], "python.7.%s.006.mp" % r["year"])
        self.assertRegex(r["e"], r"^\./tool\.%d\.\d{8}-\d{6}\.007\.mp$" % pid)
        self.assertRegex(r["f"], r"^\./python\.%d\.\d{8}-\d{6}\.008\.mp$" % pid)

    def test_signatures(self):
        import inspect
        self.assertEqual(str(inspect.signature(memtrack._memtrack._dump_name)),
                         "(directory, prog=None, pid=None, when=None)")
        self.assertEqual(str(inspect.signature(memtrack.dump_on_signal)),
                         "(signum=<Signals.SIGUSR2: %d>, directory='.', "
                         "background=True)" % signal.SIGUSR2)
        self.assertEqual(str(inspect.signature(memtrack.dump_when)),
                         "(*, rss_above, directory='.', background=True, "
                         "interval=0.1)")
        self.assertEqual(str(inspect.signature(memtrack.trigger_errors)), "()")

    def test_bad_arguments(self):
        n = memtrack._memtrack._dump_name
        self.assertRaises(TypeError, n, ".", 5)
        self.assertRaises(ValueError, n, ".", "p", 0)
        self.assertRaises(ValueError, n, ".", "p", None, -1.0)


if __name__ == "__main__":
    unittest.main()
