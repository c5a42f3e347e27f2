"""`python3 -m memtrack run` (doc/capture.md, "Dumps on a signal, a memory
bound, or at exit"): the program runs as `python3 script.py args` runs it
(argv, __main__, sys.path[0], exit status, the traceback Python prints),
--dump-at-exit holds the program's globals (normal end, sys.exit, an
exception), --signal and --directory, -m MODULE, and the one-line errors."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

import memtrack
from mtutil import MODULE_DIR

NAME_RE = r"prog\.\d+\.\d{8}-\d{6}\.\d{3}\.mp"

PROG = """
import os, signal, sys, time
G_SENTINEL = ["run-sentinel-" + sys.argv[-1]]
print("argv=%r" % (sys.argv,))
print("name=%s file=%s path0=%s" % (__name__, __file__, sys.path[0]))
print("main=%s" % (sys.modules["__main__"].__dict__ is globals()))
mode = sys.argv[1] if len(sys.argv) > 1 else ""
if mode == "exit3":
    sys.exit(3)
if mode == "exitmsg":
    sys.exit("bad things")
if mode == "raise":
    def inner():
        raise ValueError("boom")
    inner()
if mode == "kill":
    raise KeyboardInterrupt
if mode == "signal":
    print("handler=%s" % getattr(signal.getsignal(int(sys.argv[2])), "__name__", "?"),
          flush=True)
    d = sys.argv[3]
    os.kill(os.getpid(), int(sys.argv[2]))
    t0 = time.monotonic()
    while not [f for f in os.listdir(d) if f.endswith(".mp")] and time.monotonic() - t0 < 60:
        time.sleep(0.01)
    print("files=%d" % len([f for f in os.listdir(d) if f.endswith(".mp")]))
"""


def run(args, cwd, python_args=()):
    env = dict(os.environ, PYTHONPATH=MODULE_DIR)
    return subprocess.run([sys.executable] + list(python_args)
                          + ["-m", "memtrack", "run"] + args,
                          capture_output=True, text=True, timeout=120,
                          cwd=cwd, env=env)


def plain(args, cwd):
    return subprocess.run([sys.executable] + args, capture_output=True,
                          text=True, timeout=120, cwd=cwd)


def has_str(path, text):
    return any(o.value == text for o in memtrack.read(path).objects)


class Run(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mt-run-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        os.mkdir(os.path.join(self.tmp, "sub"))
        self.script = os.path.join(self.tmp, "sub", "prog.py")
        with open(self.script, "w") as f:
            f.write(PROG)

    def same_as_python(self, args):
        """memtrack run and python3 on the same arguments: the same
        status, stdout and stderr."""
        a = run(args, self.tmp)
        b = plain(args, self.tmp)
        self.assertEqual(a.returncode, b.returncode, a.stderr)
        self.assertEqual(a.stdout, b.stdout)
        self.assertEqual(a.stderr, b.stderr)
        return a

    def test_like_python(self):
        a = self.same_as_python(["sub/prog.py", "x", "--y", "z"])
        self.assertEqual(a.returncode, 0)
        self.assertIn("argv=['sub/prog.py', 'x', '--y', 'z']", a.stdout)
        self.assertIn("name=__main__ file=%s path0=%s"
                      % (self.script, os.path.dirname(self.script)), a.stdout)
        self.assertIn("main=True", a.stdout)

    def test_exit_status_and_exceptions(self):
        self.assertEqual(self.same_as_python(["sub/prog.py", "exit3"]).returncode, 3)
        a = self.same_as_python(["sub/prog.py", "exitmsg"])
        self.assertEqual((a.returncode, a.stderr), (1, "bad things\n"))
        a = self.same_as_python(["sub/prog.py", "raise"])
        self.assertEqual(a.returncode, 1)
        self.assertTrue(a.stderr.startswith(
            'Traceback (most recent call last):\n  File "%s"' % self.script), a.stderr)
        self.assertNotIn("_runcli", a.stderr)
        self.assertTrue(a.stderr.endswith("ValueError: boom\n"))
        with open(os.path.join(self.tmp, "bad.py"), "w") as f:
            # not at the end of the file: there 3.9's file parser and
            # compile() name another line (doc/capture.md)
            f.write("x = 1\ny = = 2\n")
        a = self.same_as_python(["bad.py"])
        self.assertEqual(a.returncode, 1)
        self.assertIn("SyntaxError", a.stderr)
        # an uncaught KeyboardInterrupt: death by SIGINT, as python3
        a = self.same_as_python(["sub/prog.py", "kill"])
        self.assertEqual(a.returncode, -signal.SIGINT)

    def test_dump_at_exit_holds_the_globals(self):
        for mode, status in (("end", 0), ("exit3", 3), ("raise", 1)):
            out = os.path.join(self.tmp, "exit-%s.mp" % mode)
            # relative to where memtrack run started, whatever the program does
            a = run(["--dump-at-exit", os.path.basename(out), "sub/prog.py",
                     mode, "tag" + mode], self.tmp)
            self.assertEqual(a.returncode, status, a.stderr)
            self.assertTrue(has_str(out, "run-sentinel-tag" + mode), mode)
            d = memtrack.read(out)
            self.assertEqual(d.header.argv[-2:], [mode, "tag" + mode])
            self.assertTrue(d.header.collected)
        # a dump that fails: one line, the program's status kept
        a = run(["--dump-at-exit", "/nonexistent/x.mp", "sub/prog.py"], self.tmp)
        self.assertEqual(a.returncode, 0)
        self.assertEqual(len(a.stderr.splitlines()), 1, a.stderr)
        self.assertTrue(a.stderr.startswith(
            "memtrack run: dump at exit to /nonexistent/x.mp failed: "), a.stderr)

    def test_signal_and_directory(self):
        d = os.path.join(self.tmp, "dumps")
        os.mkdir(d)
        for sig, spec, extra in ((signal.SIGUSR2, None, []),
                                 (signal.SIGUSR1, "USR1", ["--foreground"]),
                                 (signal.SIGHUP, "SIGHUP", []),
                                 (signal.SIGUSR1, str(int(signal.SIGUSR1)), [])):
            for f in os.listdir(d):
                os.unlink(os.path.join(d, f))
            opts = ["--directory", d] + extra
            if spec:
                opts += ["--signal", spec]
            a = run(opts + ["sub/prog.py", "signal", str(int(sig)), d], self.tmp)
            self.assertEqual(a.returncode, 0, a.stderr)
            self.assertIn("handler=_signal_dump", a.stdout)
            self.assertIn("files=1", a.stdout)
            files = os.listdir(d)
            self.assertEqual(len(files), 1)
            self.assertTrue(re.fullmatch(NAME_RE, files[0]), files)
            # a background dump may still be writing when the parent ends
            # (its temporary file is never .mp): the file is whole
            self.assertTrue(has_str(os.path.join(d, files[0]),
                                    "run-sentinel-" + d))

    def test_no_signal(self):
        a = run(["--signal", "none", "sub/prog.py", "signal",
                 str(int(signal.SIGUSR2)), self.tmp], self.tmp)
        self.assertEqual(a.returncode, -signal.SIGUSR2, a.stderr)
        self.assertIn("handler=?", a.stdout)

    def test_module(self):
        with open(os.path.join(self.tmp, "mymod.py"), "w") as f:
            f.write(PROG)
        out = os.path.join(self.tmp, "m.mp")
        a = run(["--dump-at-exit", out, "-m", "mymod", "a", "b"], self.tmp)
        self.assertEqual(a.returncode, 0, a.stderr)
        self.assertIn("argv=[%r, 'a', 'b']" % os.path.join(self.tmp, "mymod.py"),
                      a.stdout)
        self.assertIn("name=__main__", a.stdout)
        self.assertTrue(has_str(out, "run-sentinel-b"))
        a = run(["-m", "mymod", "raise"], self.tmp)
        self.assertEqual(a.returncode, 1)
        self.assertTrue(a.stderr.startswith(
            'Traceback (most recent call last):\n  File "%s"'
            % os.path.join(self.tmp, "mymod.py")), a.stderr)

    def test_errors_one_line_status_2(self):
        for args, text in (
                (["nope.py"], "can't open file"),
                (["--signal", "FOO", "sub/prog.py"], "unknown signal 'FOO'"),
                (["--signal", "99999", "sub/prog.py"], "unknown signal"),
                (["--directory", "/nonexistent", "sub/prog.py"],
                 "cannot write dumps into this directory"),
                (["--bogus", "sub/prog.py"], "unknown option"),
                ([], "no script"),
                (["-m", "no_such_module_x"], "No module named")):
            a = run(args, self.tmp)
            self.assertEqual(a.returncode, 2, (args, a.stderr))
            self.assertEqual(len(a.stderr.splitlines()), 1, (args, a.stderr))
            self.assertTrue(a.stderr.startswith("memtrack run: "), a.stderr)
            self.assertIn(text, a.stderr)
            self.assertEqual(a.stdout, "")


if __name__ == "__main__":
    unittest.main()
