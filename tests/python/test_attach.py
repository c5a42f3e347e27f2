"""`python3 -m memtrack dump --pid` (doc/attach.md): gdb makes a process
that never imported memtrack dump itself at a safe point.

Each test starts its own target with this interpreter (it never imports
memtrack; it answers on its stdout when sent SIGUSR1, from a Python
handler that runs in its main thread) and runs the CLI with this
interpreter.  A target: sleeping, busy in a pure-Python loop, blocked in
recv() or reading a pipe, waiting in join() for a worker thread.  Each
dump must hold the target's sentinel (and the worker's local); afterwards
the target still runs, answers, has its sys.path and its __main__'s
names as before, and wrote nothing else on stdout or stderr.  Errors: no
such pid, not Python (`sleep`), gdb missing, ptrace refused (a
non-dumpable target and the CLI without CAP_SYS_PTRACE), another Python
version, no safe point (a timeout that leaves the target running)."""
import glob
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import memtrack
from mtutil import MODULE_DIR, Dump

TARGET = r'''
import json, os, signal, sys, threading, time
class AttachSentinel:
    pass
keep = AttachSentinel()
data = [str(i) for i in range(1000)]
PATH0 = list(sys.path)
def answer(signum, frame):
    names = sorted(k for k in globals() if not k.startswith("__"))
    sys.stdout.write(json.dumps({"path_same": sys.path == PATH0,
                                 "names": names, "n": len(data),
                                 "memtrack": "memtrack" in sys.modules})
                     + "\n")
    sys.stdout.flush()
signal.signal(signal.SIGUSR1, answer)
mode = sys.argv[1]
if mode == "nodump":
    import ctypes
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)   # PR_SET_DUMPABLE 0
    del ctypes
def ready():
    sys.stdout.write("ready\n")
    sys.stdout.flush()
if mode in ("sleep", "nodump"):
    ready()
    while True:
        time.sleep(3600)
elif mode == "busy":
    ready()
    n = 0
    while True:
        n += 1
elif mode == "recv":
    import socket
    a, b = socket.socketpair()
    ready()
    while True:
        a.recv(10)
elif mode == "pipe":
    r, w = os.pipe()
    ready()
    while True:
        os.read(r, 10)
elif mode == "thread":
    go = threading.Event()
    def work():
        class WorkerSentinel:
            pass
        mine = WorkerSentinel()
        go.set()
        x = 0
        while True:
            x += 1
    t = threading.Thread(target=work, daemon=True)
    t.start()
    go.wait()
    ready()
    t.join()
elif mode == "cloop":
    import itertools
    ready()
    sum(itertools.repeat(1))
'''

NAMES = ["AttachSentinel", "PATH0", "answer", "data", "json", "keep",
         "mode", "os", "ready", "signal", "sys", "threading", "time"]

HAVE_GDB = shutil.which("gdb") is not None


def cli_env(**extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = MODULE_DIR
    env.update(extra)
    return env


def run_cli(args, env=None, prefix=(), timeout=180):
    return subprocess.run(list(prefix) + [sys.executable, "-m", "memtrack",
                                          "dump"] + list(args),
                          capture_output=True, text=True, timeout=timeout,
                          env=env or cli_env())


def state(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("State:"):
                return line.split()[1]
    return "?"


class Target:
    """A target process in one of TARGET's modes, ready when made."""

    def __init__(self, mode, python=None, env=None, pre="", prefix=()):
        e = dict(os.environ)
        e.pop("PYTHONPATH", None)
        e.update(env or {})
        self.p = subprocess.Popen(list(prefix) + [python or sys.executable, "-c",
                                   pre + "\n" + TARGET, mode],
                                  stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=e)
        line = self._line(30)
        if line != "ready":
            self.close()
            raise AssertionError("target %s did not start: %r %r" % (
                mode, line, self.p.stderr.read()))
        self.pid = self.p.pid

    def _line(self, timeout):
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        if not r:
            return None
        return self.p.stdout.readline().decode().rstrip("\n")

    def ask(self):
        """The target's answer to SIGUSR1 (its main thread runs Python)."""
        os.kill(self.pid, signal.SIGUSR1)
        line = self._line(30)
        if line is None:
            raise AssertionError("the target did not answer (state %s)"
                                 % state(self.pid))
        return json.loads(line)

    def close(self):
        """Kills the target; returns what else it wrote (stdout, stderr)."""
        if self.p.poll() is None:
            self.p.kill()
        out, err = self.p.communicate(timeout=30)
        return out.decode(), err.decode()


@unittest.skipUnless(HAVE_GDB, "gdb is not installed")
class AttachTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mt-attach-")
        self.targets = []

    def tearDown(self):
        for t in self.targets:
            t.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def target(self, mode, python=None):
        t = Target(mode, python)
        self.targets.append(t)
        return t

    def dump_ok(self, mode, *extra, python=None):
        """Dumps a target of this mode; checks the dump and the target
        afterwards; returns (Dump, target, the CLI's result)."""
        t = self.target(mode, python)
        out = os.path.join(self.tmp, "t.mp")
        p = run_cli(["--pid", str(t.pid), out] + list(extra))
        if p.returncode != 0:
            self.fail("%s\ntarget: %r" % (p.stderr, t.close()))
        self.assertEqual(p.stdout, out + "\n")
        self.assertRegex(p.stderr, r"^memtrack dump: pid %d: \d+ objects"
                         % t.pid)
        d = Dump(out)
        self.assertEqual(d.count_type("__main__.AttachSentinel"), 1)
        self.assertEqual(d.header["pid"], t.pid)
        # the target runs on, unchanged
        self.assertNotEqual(state(t.pid), "T")
        a = t.ask()
        self.assertTrue(a["path_same"], "the target's sys.path changed")
        self.assertEqual(a["n"], 1000)
        self.assertTrue(a["memtrack"])
        names = set(NAMES) | {"a", "b", "socket", "r", "w", "n", "go",
                              "work", "t", "itertools", "memtrack"}
        self.assertLessEqual(set(a["names"]), names, a["names"])
        out_, err_ = t.close()
        self.assertEqual(out_, "")
        self.assertEqual(err_, "")
        self.assertEqual(os.listdir(self.tmp), ["t.mp"])
        return d, t, p

    def test_sleeping(self):
        _, _, p = self.dump_ok("sleep")
        # time.sleep(3600) never reaches the eval loop
        self.assertIn("system call", p.stderr)

    def test_busy_loop(self):
        _, _, p = self.dump_ok("busy")
        self.assertIn("at a pending call", p.stderr)

    def test_recv(self):
        self.dump_ok("recv")

    def test_pipe_read(self):
        self.dump_ok("pipe")

    def test_worker_thread(self):
        d, _, _ = self.dump_ok("thread")
        ws = d.of_type("__main__.work.<locals>.WorkerSentinel")
        self.assertEqual(len(ws), 1)
        self.assertLess(ws[0], d.reachable, "the worker's local is reached "
                        "from its frame")

    def test_distribution_python(self):
        # the same X.Y built by the distribution (no debug information:
        # gdb has only the exported symbols), when it is not this one
        mine = "/usr/bin/python%d.%d" % sys.version_info[:2]
        if not os.path.exists(mine) or \
                os.path.realpath(mine) == os.path.realpath(sys.executable):
            self.skipTest("no other build of Python %d.%d here"
                          % sys.version_info[:2])
        for mode in ("sleep", "busy"):
            self.dump_ok(mode, python=mine)

    def test_no_collect(self):
        self.dump_ok("busy", "--no-collect")

    def test_background(self):
        if "background" not in (memtrack.dump.__doc__ or "") and \
                not hasattr(memtrack, "BackgroundDump"):
            self.skipTest("dump(background=True) is not in this build")
        self.dump_ok("busy", "--background")

    def test_default_name(self):
        if not hasattr(memtrack._memtrack, "_dump_name"):
            self.skipTest("_memtrack._dump_name is not in this build")
        t = self.target("busy")
        p = run_cli(["--pid", str(t.pid), "--directory", self.tmp])
        self.assertEqual(p.returncode, 0, p.stderr)
        path = p.stdout.strip()
        self.assertEqual(os.path.dirname(path), self.tmp)
        # sys.argv[0] of `python3 -c` is '-c'
        self.assertRegex(os.path.basename(path),
                         r"^.*\.%d\.\d{8}-\d{6}\.001\.mp$" % t.pid)
        self.assertEqual(os.listdir(self.tmp), [os.path.basename(path)])
        self.assertEqual(Dump(path).count_type("__main__.AttachSentinel"), 1)

    def test_twice(self):
        # the second attach finds memtrack imported (from here) and reuses it
        t = self.target("sleep")
        for name in ("1.mp", "2.mp"):
            out = os.path.join(self.tmp, name)
            p = run_cli(["--pid", str(t.pid), out])
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(Dump(out).count_type("__main__.AttachSentinel"),
                             1)
        self.assertTrue(t.ask()["path_same"])
        self.assertEqual(t.close(), ("", ""))

    def test_another_memtrack_in_the_target(self):
        # the target imported a module named memtrack from elsewhere: it is
        # not replaced, and the command says so
        fake = os.path.join(self.tmp, "fake")
        os.makedirs(os.path.join(fake, "memtrack"))
        open(os.path.join(fake, "memtrack", "__init__.py"), "w").close()
        t = Target("sleep", env={"PYTHONPATH": fake}, pre="import memtrack")
        self.targets.append(t)
        p = run_cli(["--pid", str(t.pid), os.path.join(self.tmp, "x.mp")])
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertRegex(p.stderr, r"^memtrack dump: pid %d could not import "
                         r"memtrack from .*: the target already "
                         r"imported another memtrack \(%s" % (t.pid, fake))
        self.assertEqual(t.close(), ("", ""))

    def test_target_of_another_user(self):
        # as root, the private directory is given to the target's user and
        # the dump made ours; a directory that user cannot enter is named
        setpriv = shutil.which("setpriv")
        if os.geteuid() != 0 or not setpriv:
            self.skipTest("needs root and setpriv")
        nobody = [setpriv, "--reuid=65534", "--regid=65534",
                  "--clear-groups"]
        probe = subprocess.run(nobody + [sys.executable, "-c", "open(%r)" % (
            os.path.join(MODULE_DIR, "memtrack", "__init__.py"))],
                               capture_output=True)
        if probe.returncode != 0:
            self.skipTest("nobody cannot run this Python or read the "
                          "package here")
        t = Target("sleep", prefix=nobody)
        self.targets.append(t)
        os.chmod(self.tmp, 0o700)
        out = os.path.join(self.tmp, "x.mp")
        p = run_cli(["--pid", str(t.pid), out])
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("the target's user (uid 65534) cannot enter %s"
                      % self.tmp, p.stderr)
        self.assertEqual(os.listdir(self.tmp), [])
        os.chmod(self.tmp, 0o755)
        p = run_cli(["--pid", str(t.pid), out])
        self.assertEqual(p.returncode, 0, p.stderr)
        st = os.stat(out)
        self.assertEqual((st.st_uid, st.st_mode & 0o777), (0, 0o600))
        self.assertEqual(Dump(out).count_type("__main__.AttachSentinel"), 1)
        self.assertEqual(os.listdir(self.tmp), ["x.mp"])
        self.assertTrue(t.ask()["memtrack"])
        self.assertEqual(t.close(), ("", ""))

    # -- errors: one line, exit status 1, the target left running -------

    def test_already_traced(self):
        strace = shutil.which("strace")
        if not strace:
            self.skipTest("no strace to trace the target")
        t = self.target("sleep")
        s = subprocess.Popen([strace, "-o", "/dev/null", "-p", str(t.pid)],
                             stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                with open("/proc/%d/status" % t.pid) as f:
                    if "TracerPid:\t0\n" not in f.read():
                        break
                time.sleep(0.05)
            p = run_cli(["--pid", str(t.pid), os.path.join(self.tmp,
                                                           "x.mp")])
            self.assert_fails(p, "pid %d is already traced by pid %d"
                              % (t.pid, s.pid))
        finally:
            s.terminate()
            s.wait()
        self.assertFalse(t.ask()["memtrack"])

    def assert_fails(self, p, pattern):
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        self.assertRegex(p.stderr, "^memtrack dump: " + pattern)
        self.assertEqual([n for n in os.listdir(self.tmp)], [])

    def test_no_such_pid(self):
        q = subprocess.Popen(["true"])
        q.wait()
        p = run_cli(["--pid", str(q.pid), os.path.join(self.tmp, "x.mp")])
        self.assert_fails(p, "no process %d$" % q.pid)

    def test_not_python(self):
        s = subprocess.Popen(["sleep", "100"])
        try:
            time.sleep(0.2)
            p = run_cli(["--pid", str(s.pid), os.path.join(self.tmp,
                                                           "x.mp")])
            self.assert_fails(p, "pid %d is not a CPython process" % s.pid)
            self.assertEqual(state(s.pid), "S")
        finally:
            s.kill()
            s.wait()

    def test_gdb_missing(self):
        t = self.target("busy")
        empty = os.path.join(self.tmp, "bin")
        os.mkdir(empty)
        p = run_cli(["--pid", str(t.pid), os.path.join(self.tmp, "x.mp")],
                    env=cli_env(PATH=empty))
        os.rmdir(empty)
        self.assert_fails(p, r"gdb not found \(gdb\): install it")
        t.ask()

    def test_ptrace_refused(self):
        setpriv = shutil.which("setpriv")
        if not setpriv:
            self.skipTest("no setpriv (util-linux) to drop CAP_SYS_PTRACE")
        probe = subprocess.run([setpriv, "--inh-caps=-sys_ptrace",
                                "--bounding-set=-sys_ptrace", "true"],
                               capture_output=True)
        if probe.returncode != 0:
            self.skipTest("setpriv cannot drop CAP_SYS_PTRACE here: %s"
                          % probe.stderr.decode().strip())
        t = self.target("nodump")
        p = run_cli(["--pid", str(t.pid), os.path.join(self.tmp, "x.mp")],
                    prefix=[setpriv, "--inh-caps=-sys_ptrace",
                            "--bounding-set=-sys_ptrace"])
        self.assert_fails(p, "ptrace refused attaching to pid %d: run as "
                          "root or with CAP_SYS_PTRACE" % t.pid)
        self.assertFalse(t.ask()["memtrack"])
        self.assertEqual(t.close(), ("", ""))

    def test_other_version(self):
        mine = "%d.%d" % sys.version_info[:2]
        others = sorted(glob.glob("/root/.pyenv/versions/3.*/bin/python3"))
        others = [o for o in others if "/%s." % mine not in o
                  and re.search(r"/3\.(9|1\d)\.", o)]
        others += [o for o in sorted(glob.glob("/usr/bin/python3.*"))
                   if re.search(r"/python3\.\d+$", o)
                   and not o.endswith("/python" + mine)]
        if not others:
            self.skipTest("no other Python 3 interpreter here")
        t = self.target("busy", python=others[0])
        p = run_cli(["--pid", str(t.pid), os.path.join(self.tmp, "x.mp")])
        self.assert_fails(p, r"pid %d runs Python 3\.\d+; this memtrack is "
                          "built for %s" % (t.pid, re.escape(mine)))
        self.assertFalse(t.ask()["memtrack"])

    def test_other_mount_namespace(self):
        unshare = shutil.which("unshare")
        if not unshare or subprocess.run([unshare, "-m", "true"],
                                          capture_output=True).returncode:
            self.skipTest("unshare -m cannot make a mount namespace here")
        t = Target("sleep", prefix=[unshare, "-m"])
        self.targets.append(t)
        p = run_cli(["--pid", str(t.pid), os.path.join(self.tmp, "x.mp")])
        self.assert_fails(p, "pid %d is in another mount namespace "
                          r"\(a container\): run this command inside it"
                          % t.pid)
        self.assertFalse(t.ask()["memtrack"])

    def test_timeout_leaves_target_running(self):
        # sum() over an endless C iterator holds the GIL and never
        # reaches the eval loop: no safe point
        t = self.target("cloop")
        t0 = time.monotonic()
        p = run_cli(["--pid", str(t.pid), "--timeout", "2",
                     os.path.join(self.tmp, "x.mp")])
        self.assertLess(time.monotonic() - t0, 60)
        self.assert_fails(p, r"timeout: no safe point in pid %d within 2 s "
                          r"\(the main thread holds the GIL" % t.pid)
        time.sleep(0.3)
        self.assertEqual(state(t.pid), "R")
        self.assertEqual(t.close(), ("", ""))


if __name__ == "__main__":
    unittest.main()
