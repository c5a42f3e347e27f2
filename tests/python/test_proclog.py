"""memtrack.ProcessLog and `python3 -m memtrack log` (doc/proclog.md): the
samples at the interval, labels, dump markers, the peak against the
kernel's VmHWM, logging another process from outside, refused and
unwritable paths, fork, and the end of the interpreter."""
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

from mtutil import MODULE_DIR, run_child

SRCDIR = os.environ.get("MEMTRACK_SRCDIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..")
# Under AddressSanitizer (a --enable-sanitizers build, tests/python/check.sh
# preloads its runtime) freed memory stays in ASan's quarantine: the RSS
# does not fall after a free.
ASAN = "libasan" in os.environ.get("LD_PRELOAD", "")

SAMPLE_KEYS = {"t": float, "rss": int, "vms": int, "peak_rss": int,
               "minflt": int, "majflt": int, "cpu_user": (int, float),
               "cpu_sys": (int, float)}


def read_log(path):
    """The log's lines as dicts; every line must be whole JSON ending with
    a newline."""
    with open(path, "rb") as f:
        data = f.read()
    assert data.endswith(b"\n"), data[-200:]
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def vm_hwm(pid="self"):
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def cli(args, timeout=60, **kw):
    env = dict(os.environ, PYTHONPATH=MODULE_DIR)
    return subprocess.run([sys.executable, "-m", "memtrack", "log"] + args,
                          capture_output=True, text=True, timeout=timeout,
                          env=env, **kw)



def unshare_refused():
    """Why `unshare -m` cannot make a private mount namespace here (in a
    chroot, whose root is no mount point: 'cannot change root filesystem
    propagation'), or None."""
    p = subprocess.run(["unshare", "-m", "true"], capture_output=True,
                       text=True, timeout=60)
    return None if p.returncode == 0 else "unshare -m: " + p.stderr.strip()

class Format(unittest.TestCase):
    def check_sample(self, d):
        for k, ty in SAMPLE_KEYS.items():
            self.assertIn(k, d)
            self.assertIsInstance(d[k], ty, k)
            self.assertGreaterEqual(d[k], 0, k)
        self.assertGreater(d["rss"], 0)
        self.assertGreaterEqual(d["vms"], d["rss"])
        self.assertGreaterEqual(d["peak_rss"], d["rss"])

    def test_samples_at_the_interval(self):
        r = run_child("""
            import stat, time
            p = os.path.join(tmpdir, "run.log")
            t0 = time.time()
            log = memtrack.ProcessLog(p, interval=0.05)
            first = open(p).read()          # written before the call returns
            time.sleep(0.35)
            mid = open(p, "rb").read()      # lines so far, each whole
            time.sleep(0.35)
            log.close()
            t1 = time.time()
            report({"first": first, "mid": mid.decode(), "pid": os.getpid(),
                    "argv": sys.argv, "t0": t0, "t1": t1, "lines": log.lines,
                    "mode": stat.S_IMODE(os.stat(p).st_mode),
                    "closed": log.closed, "running": log.running,
                    "files": os.listdir(tmpdir), "path": p})
        """)
        lines = read_log(r["path"])
        self.assertEqual(r["files"], ["run.log"])   # no temporary left
        self.assertEqual(r["mode"], 0o600)
        self.assertEqual(r["lines"], len(lines))
        self.assertTrue(r["closed"])
        self.assertFalse(r["running"])
        # the first line: the header keys and a sample, on disk at once
        self.assertEqual(r["first"].count("\n"), 1)
        self.assertTrue(r["first"].startswith('{"memtrack_log": 1, '))
        h = lines[0]
        self.assertEqual(h["memtrack_log"], 1)
        self.assertEqual(h["pid"], r["pid"])
        self.assertEqual(h["interval"], 0.05)
        self.assertEqual(h["argv"], r["argv"])
        for d in lines:
            self.check_sample(d)
        for d in lines[1:]:
            self.assertNotIn("memtrack_log", d)
        # written line by line: the middle read has whole lines only
        self.assertTrue(r["mid"].endswith("\n"))
        self.assertGreaterEqual(r["mid"].count("\n"), 3)
        # about 14 samples in 0.7 s, plus the first and the final one; a
        # busy machine may skip slots but never writes more
        self.assertGreaterEqual(len(lines), 6)
        self.assertLessEqual(len(lines), 0.7 / 0.05 + 4)
        ts = [d["t"] for d in lines]
        self.assertEqual(ts, sorted(ts))
        self.assertGreaterEqual(ts[0], r["t0"] - 0.01)
        self.assertLessEqual(ts[-1], r["t1"] + 0.01)
        gaps = sorted(b - a for a, b in zip(ts[1:-2], ts[2:-1]))
        # (a slot the loaded machine missed is skipped: a gap of 0.1)
        median = gaps[len(gaps) // 2]
        self.assertGreater(median, 0.035)
        self.assertLess(median, 0.11)

    def test_labels(self):
        r = run_child("""
            import time
            p = os.path.join(tmpdir, "l.log")
            with memtrack.ProcessLog(p, interval=10) as log:
                log.label("start")
                log.label('quote " backslash \\\\ newline \\n tab \\t \\x01 é 😀')
                log.label("lone \\udcff surrogate")
                time.sleep(0.01)
                log.label("end")
            try:
                log.label("after")
                after = "no error"
            except ValueError as e:
                after = str(e)
            try:
                log.label(b"bytes")
                typ = "no error"
            except TypeError as e:
                typ = "TypeError"
            report({"path": p, "after": after, "typ": typ})
        """)
        lines = read_log(r["path"])
        # first line, 4 labels, the final sample (interval 10: no other)
        self.assertEqual(len(lines), 6)
        self.assertEqual([d.get("label") for d in lines],
                         [None, "start",
                          'quote " backslash \\ newline \n tab \t \x01 é 😀',
                          "lone \\udcff surrogate", "end", None])
        self.assertIn("closed log", r["after"])
        self.assertEqual(r["typ"], "TypeError")
        ts = [d["t"] for d in lines]
        self.assertEqual(ts, sorted(ts))

    def test_dump_markers(self):
        r = run_child("""
            p = os.path.join(tmpdir, "d.log")
            q = os.path.join(tmpdir, "other.log")
            os.chdir(tmpdir)
            log = memtrack.ProcessLog(p, interval=10)
            other = memtrack.ProcessLog(q, interval=10, pid=os.getppid())
            memtrack.dump("first.mp")          # relative: written absolute
            closed = memtrack.ProcessLog(os.path.join(tmpdir, "c.log"), 10)
            closed.close()
            memtrack.dump(os.path.join(tmpdir, "second.mp"))
            try:
                memtrack.dump(os.path.join(tmpdir, "nodir", "x.mp"))
            except OSError:
                pass
            log.close(); other.close()
            report({"p": p, "q": q, "c": os.path.join(tmpdir, "c.log"),
                    "dir": os.path.realpath(tmpdir)})
        """)
        lines = read_log(r["p"])
        dumps = [d["dump"] for d in lines if "dump" in d]
        self.assertEqual(dumps, [os.path.join(r["dir"], "first.mp"),
                                 os.path.join(r["dir"], "second.mp")])
        for d in lines:
            if "dump" in d:
                self.check_sample(d)
        # a log of another process and a closed log get no marker
        self.assertFalse([d for d in read_log(r["q"]) if "dump" in d])
        self.assertEqual(len(read_log(r["c"])), 2)

    def test_peak_against_vmhwm(self):
        r = run_child("""
            import time
            p = os.path.join(tmpdir, "peak.log")
            def hwm():
                for line in open("/proc/self/status"):
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) * 1024
            log = memtrack.ProcessLog(p, interval=0.02)
            before = hwm()
            big = bytearray(64 << 20)     # zero pages: touch them
            for i in range(0, len(big), 4096):
                big[i] = 1
            time.sleep(0.1)
            log.label("big")
            del big
            time.sleep(0.1)
            log.close()
            report({"p": p, "before": before, "after": hwm()})
        """)
        lines = read_log(r["p"])
        last = lines[-1]
        # the final sample's peak is the kernel's VmHWM at the end
        self.assertLess(abs(r["after"] - last["peak_rss"]), 1 << 20)
        self.assertGreater(last["peak_rss"], r["before"] + (60 << 20))
        big = [d for d in lines if d.get("label") == "big"][0]
        self.assertGreater(big["rss"], r["before"] + (60 << 20))
        # freed: the RSS fell, the peak stayed
        if not ASAN:
            self.assertLess(last["rss"], big["rss"] - (50 << 20))
        peaks = [d["peak_rss"] for d in lines]
        self.assertEqual(peaks, sorted(peaks))


class Files(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mt-proclog-")

    def tearDown(self):
        os.chmod(self.dir, 0o700)
        shutil.rmtree(self.dir)

    def child(self, code):
        return run_child("tmpdir = %r\n" % self.dir + textwrap.dedent(code))

    def test_refused_and_unwritable(self):
        d = self.dir
        os.mkdir(os.path.join(d, "sub"))
        with open(os.path.join(d, "victim"), "w") as f:
            f.write("keep me")
        os.symlink(os.path.join(d, "victim"), os.path.join(d, "link"))
        os.mkfifo(os.path.join(d, "fifo"))
        ro = os.path.join(d, "ro")
        os.mkdir(ro, 0o500)
        r = self.child("""
            import errno
            out = {}
            for name in ["sub", "link", "fifo", "nodir/x.log", "ro/x.log"]:
                try:
                    memtrack.ProcessLog(os.path.join(tmpdir, name), 1).close()
                    out[name] = "no error"
                except OSError as e:
                    out[name] = [errno.errorcode[e.errno], type(e).__name__,
                                 str(e)]
            try:
                memtrack.ProcessLog(os.path.join(tmpdir, "x.log"), 0)
            except ValueError as e:
                out["interval"] = str(e)
            out["ro_writable"] = os.access(os.path.join(tmpdir, "ro"), os.W_OK)
            report(out)
        """)
        self.assertEqual(r["sub"][:2], ["EISDIR", "IsADirectoryError"])
        self.assertIn("it is a directory (a process log replaces only a "
                      "regular file)", r["sub"][2])
        self.assertEqual(r["link"][0], "ELOOP")
        self.assertIn("a symbolic link", r["link"][2])
        self.assertEqual(r["fifo"][0], "EEXIST")
        self.assertIn("a FIFO", r["fifo"][2])
        self.assertEqual(r["nodir/x.log"][:2],
                         ["ENOENT", "FileNotFoundError"])
        if not r["ro_writable"]:   # root writes anywhere
            self.assertEqual(r["ro/x.log"][:2],
                             ["EACCES", "PermissionError"])
        self.assertIn("interval", r["interval"])
        # nothing replaced, nothing left behind
        with open(os.path.join(d, "victim")) as f:
            self.assertEqual(f.read(), "keep me")
        self.assertTrue(os.path.islink(os.path.join(d, "link")))
        self.assertEqual(sorted(os.listdir(d)),
                         ["fifo", "link", "ro", "sub", "victim"])
        self.assertEqual(os.listdir(ro), [] if not r["ro_writable"]
                         else ["x.log"])

    def test_replaces_a_regular_file(self):
        p = os.path.join(self.dir, "old.log")
        with open(p, "w") as f:
            f.write("old content\n")
        os.chmod(p, 0o644)
        ino = os.stat(p).st_ino
        r = self.child("""
            memtrack.ProcessLog(os.path.join(tmpdir, "old.log"), 5).close()
            report(0)
        """)
        self.assertEqual(r, 0)
        st = os.stat(p)
        self.assertNotEqual(st.st_ino, ino)           # a new file
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        self.assertEqual(len(read_log(p)), 2)
        self.assertEqual(os.listdir(self.dir), ["old.log"])


class Fork(unittest.TestCase):
    def test_child_writes_nothing(self):
        r = run_child("""
            import time
            p = os.path.join(tmpdir, "f.log")
            log = memtrack.ProcessLog(p, interval=0.02)
            time.sleep(0.06)
            t_fork = time.time()
            pid = os.fork()
            if pid == 0:
                ok = not log.running
                log.label("from the child")
                memtrack.dump(os.path.join(tmpdir, "child.mp"))
                log.close()
                time.sleep(0.1)
                os._exit(0 if ok else 3)
            _, st = os.waitpid(pid, 0)
            log.label("parent")
            time.sleep(0.06)
            log.close()
            report({"p": p, "status": st, "t_fork": t_fork, "pid": os.getpid()})
        """)
        self.assertEqual(r["status"], 0)
        lines = read_log(r["p"])
        self.assertEqual([d["label"] for d in lines if "label" in d],
                         ["parent"])
        self.assertFalse([d for d in lines if "dump" in d])
        # the parent's thread went on sampling after the fork
        after = [d for d in lines if d["t"] > r["t_fork"] and "label" not in d]
        self.assertGreaterEqual(len(after), 3)


class Lifetime(unittest.TestCase):
    def test_exit_without_close(self):
        r = run_child("""
            import time
            p = os.path.join(tmpdir, "x.log")
            log = memtrack.ProcessLog(p, interval=5)
            log.label("last words")
            report({"p": p, "t": time.time()})
        """)
        lines = read_log(r["p"])
        # first line, the label, and the final sample of the atexit close
        self.assertEqual(len(lines), 3)
        self.assertEqual(lines[1]["label"], "last words")
        self.assertGreaterEqual(lines[2]["t"], r["t"])

    def test_full_disk_ends_the_log(self):
        # a 16 KiB tmpfs in a private mount namespace fills up: the thread
        # stops, wait() returns, label() and close() raise ENOSPC
        if os.geteuid() != 0 or not shutil.which("unshare"):
            self.skipTest("needs root and unshare")
        why = unshare_refused()
        if why:
            self.skipTest(why)
        d = tempfile.mkdtemp(prefix="mt-proclog-full-")
        code = textwrap.dedent("""
            import errno, os, sys
            sys.path.insert(0, %r)
            import memtrack
            log = memtrack.ProcessLog(os.path.join(%r, "x.log"), 0.001)
            ended = log.wait(60)
            out = [ended, log.running]
            for f in (lambda: log.label("x"), log.close):
                try:
                    f()
                    out.append("no error")
                except OSError as e:
                    out.append(errno.errorcode[e.errno])
            log.close()                       # reported once
            print(out, os.path.getsize(os.path.join(%r, "x.log")))
        """) % (MODULE_DIR, d, d)
        try:
            p = subprocess.run(
                ["unshare", "-m", "sh", "-c",
                 "mount -t tmpfs -o size=16k none '%s' && exec '%s' -c '%s'"
                 % (d, sys.executable, code.replace("'", "'\\''"))],
                capture_output=True, text=True, timeout=120)
        finally:
            shutil.rmtree(d)
        if p.returncode != 0 and "mount" in p.stderr:
            self.skipTest("tmpfs: " + p.stderr.strip())
        self.assertEqual(p.returncode, 0, p.stderr)
        out, size = p.stdout.rsplit(" ", 1)
        self.assertEqual(out, "[True, False, 'ENOSPC', 'ENOSPC']")
        self.assertEqual(int(size), 16384)

    def test_collected_log_is_closed(self):
        r = run_child("""
            p = os.path.join(tmpdir, "x.log")
            memtrack._memtrack._ProcLog(p, 5).label("one")
            n = len(open(p).readlines())
            report({"n": n, "threads": os.listdir("/proc/self/task")})
        """)
        self.assertEqual(r["n"], 3)   # dealloc joined and wrote the final line
        self.assertEqual(len(r["threads"]), 1)


class Cli(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mt-proclog-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_pid_child_until_it_exits(self):
        out = os.path.join(self.dir, "child.log")
        # the child waits for the log to exist, grows by 40 MiB, exits
        code = ("import os, sys, time\n"
                "while not os.path.exists(sys.argv[1]): time.sleep(0.01)\n"
                "time.sleep(0.2); x = b'1' * (40 << 20); time.sleep(0.4)\n")
        child = subprocess.Popen([sys.executable, "-c", code, out, "arg two"])
        try:
            p = cli(["--pid", str(child.pid), "--interval", "0.05", out],
                    timeout=30)
        finally:
            child.wait()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertIn("the process exited", p.stderr)
        self.assertEqual(p.stderr.count("\n"), 1)
        lines = read_log(out)
        self.assertEqual(lines[0]["pid"], child.pid)
        self.assertEqual(lines[0]["interval"], 0.05)
        self.assertEqual(lines[0]["argv"],
                         [sys.executable, "-c", code, out, "arg two"])
        self.assertGreaterEqual(len(lines), 6)
        rss = [d["rss"] for d in lines]
        self.assertGreater(max(rss), min(rss) + (35 << 20))
        self.assertGreaterEqual(lines[-1]["peak_rss"], 40 << 20)

    def test_duration(self):
        out = os.path.join(self.dir, "d.log")
        child = subprocess.Popen(["sleep", "30"])
        try:
            t0 = time.monotonic()
            p = cli(["--pid", str(child.pid), "--interval", "0.1",
                     "--duration", "0.5", out])
            took = time.monotonic() - t0
        finally:
            child.kill()
            child.wait()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("the duration ended", p.stderr)
        self.assertLess(took, 10)
        lines = read_log(out)
        self.assertEqual(lines[0]["argv"], ["sleep", "30"])
        self.assertGreaterEqual(lines[-1]["t"] - lines[0]["t"], 0.45)

    def test_bad_pid(self):
        gone = subprocess.Popen(["true"])
        gone.wait()                      # reaped: the pid is free
        out = os.path.join(self.dir, "x.log")
        for pid in [str(gone.pid), "0", "-5"]:
            p = cli(["--pid", pid, out])
            self.assertEqual(p.returncode, 1, (pid, p.stderr))
            self.assertEqual(p.stderr, "memtrack log: no process %s\n" % pid)
        self.assertEqual(os.listdir(self.dir), [])

    def test_unwritable_out(self):
        p = cli(["--pid", str(os.getpid()),
                 os.path.join(self.dir, "nodir", "x.log")])
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        self.assertTrue(p.stderr.startswith("memtrack log: "), p.stderr)
        self.assertIn("No such file or directory", p.stderr)
        p = cli(["--pid", str(os.getpid()), self.dir])
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        self.assertIn("refusing to replace", p.stderr)
        # a directory without write permission (as root: without the
        # capabilities that override it)
        ro = os.path.join(self.dir, "ro")
        os.mkdir(ro, 0o500)
        args = ["--pid", str(os.getpid()), os.path.join(ro, "x.log")]
        if os.geteuid() == 0:
            if not shutil.which("setpriv"):
                return
            env = dict(os.environ, PYTHONPATH=MODULE_DIR)
            p = subprocess.run(["setpriv", "--bounding-set=-all",
                                "--inh-caps=-all", sys.executable, "-m",
                                "memtrack", "log"] + args,
                               capture_output=True, text=True, env=env,
                               timeout=60)
        else:
            p = cli(args)
        self.assertEqual(p.returncode, 1, p.stderr)
        out = os.path.join(ro, "x.log")
        self.assertRegex(p.stderr, r"\Amemtrack log: %s: cannot create %s\.tmp\."
                         r"\w+: Permission denied\n\Z" % (re.escape(out), re.escape(out)))
        self.assertEqual(os.listdir(ro), [])

    def test_unreadable_proc(self):
        # /proc/PID whose files cannot be read (a hidepid-like /proc): a
        # private mount namespace with a tmpfs on /proc, the files mode 000,
        # and no capability to override it
        if os.geteuid() != 0 or not shutil.which("unshare") \
                or not shutil.which("setpriv"):
            self.skipTest("needs root, unshare and setpriv")
        why = unshare_refused()
        if why:
            self.skipTest(why)
        if ASAN:
            self.skipTest("AddressSanitizer's runtime cannot run without "
                          "/proc")
        pid = os.getpid()
        out = os.path.join(self.dir, "x.log")
        script = (
            "mount -t tmpfs none /proc && mkdir /proc/{pid} && "
            "touch /proc/{pid}/stat /proc/{pid}/status && "
            "chmod 000 /proc/{pid}/stat /proc/{pid}/status && "
            "exec setpriv --bounding-set=-all --inh-caps=-all "
            "'{py}' -m memtrack log --pid {pid} '{out}'").format(
                pid=pid, py=sys.executable, out=out)
        env = dict(os.environ, PYTHONPATH=MODULE_DIR)
        p = subprocess.run(["unshare", "-m", "sh", "-c", script],
                           capture_output=True, text=True, env=env,
                           timeout=60)
        if p.returncode != 1 and "unshare" in p.stderr:
            self.skipTest("unshare: " + p.stderr.strip())
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(p.stderr,
                         "memtrack log: /proc/%d: Permission denied\n" % pid)
        self.assertEqual(os.listdir(self.dir), [])

    def test_ctrl_c(self):
        out = os.path.join(self.dir, "i.log")
        child = subprocess.Popen(["sleep", "30"])
        env = dict(os.environ, PYTHONPATH=MODULE_DIR)
        try:
            # a process started in the background inherits SIGINT
            # ignored (CI): Python then installs no KeyboardInterrupt
            p = subprocess.Popen([sys.executable, "-m", "memtrack", "log",
                                  "--pid", str(child.pid), "--interval",
                                  "0.05", out], stderr=subprocess.PIPE,
                                 text=True, env=env,
                                 preexec_fn=lambda: signal.signal(
                                     signal.SIGINT, signal.SIG_DFL))
            deadline = time.monotonic() + 30
            while not os.path.exists(out) and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.2)
            p.send_signal(signal.SIGINT)
            err = p.communicate(timeout=30)[1]
        finally:
            child.kill()
            child.wait()
        self.assertEqual(p.returncode, 0, err)
        self.assertIn("(interrupted)", err)
        self.assertEqual(err.count("\n"), 1, err)
        self.assertGreaterEqual(len(read_log(out)), 3)

    def test_usage(self):
        p = cli(["--help"])
        self.assertEqual(p.returncode, 0)
        self.assertIn("--pid", p.stdout)
        p = cli([os.path.join(self.dir, "x.log")])    # no --pid
        self.assertEqual(p.returncode, 2)
        env = dict(os.environ, PYTHONPATH=MODULE_DIR)
        p = subprocess.run([sys.executable, "-m", "memtrack", "--help"],
                           capture_output=True, text=True, env=env)
        self.assertIn("log", p.stdout)


class Readme(unittest.TestCase):
    """README.md's "A memory log over time": its job.py is run and the
    lines its sed command prints have the README's keys, label, argv and
    dump path, and tell the README's story."""

    def test_readme_example(self):
        with open(os.path.join(SRCDIR, "README.md"), encoding="utf-8") as f:
            text = f.read()
        sec = text[text.index("## A memory log over time"):]
        sec = sec[:sec.index("\n## ", 3)]
        code = re.search(r"```python\n(.*?)```", sec, re.S).group(1)
        block = re.search(r"```\n(\$ python3 job.py\n.*?)```", sec,
                          re.S).group(1).splitlines()
        self.assertEqual(block[0], "$ python3 job.py")
        self.assertTrue(block[1].startswith("$ "))
        want = [json.loads(x) for x in block[2:]]
        d = tempfile.mkdtemp(prefix="mt-proclog-readme-")
        try:
            with open(os.path.join(d, "job.py"), "w") as f:
                f.write(code)
            env = dict(os.environ, PYTHONPATH=MODULE_DIR)
            subprocess.run([sys.executable, "job.py"], cwd=d, env=env,
                           check=True, timeout=120)
            p = subprocess.run(["sh", "-c", block[1][2:]], cwd=d, check=True,
                               capture_output=True, text=True)
            got = [json.loads(x) for x in p.stdout.splitlines()]
            real = os.path.realpath(d)
        finally:
            shutil.rmtree(d)
        self.assertEqual([list(x) for x in got], [list(x) for x in want])
        first, label, dump, last = got
        self.assertEqual(first["argv"], want[0]["argv"])
        self.assertEqual(first["interval"], want[0]["interval"])
        self.assertEqual(label["label"], want[1]["label"])
        self.assertEqual(os.path.basename(want[2]["dump"]), "rows.mp")
        self.assertEqual(dump["dump"], os.path.join(real, "rows.mp"))
        # the story the README's numbers tell
        for g in (got, want):
            self.assertGreater(g[1]["rss"], g[0]["rss"] + (60 << 20))
            if g is want or not ASAN:
                self.assertLess(g[3]["rss"], g[1]["rss"] - (60 << 20))
            self.assertGreaterEqual(g[3]["peak_rss"], g[1]["rss"])


if __name__ == "__main__":
    unittest.main()
