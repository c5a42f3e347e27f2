"""dump(path, background=True): the walk in a forked child (doc/capture.md,
Background dumps).

A quiet heap dumped in the background equals its foreground dump (same
objects at the same addresses, same types, sizes, values, edges, roots,
mark bits and allocation sites); another thread's locals are reached from
its frame; the child's failures (directory removed, disk full, killed)
come out of wait() as the foreground's exceptions and leave no file; a
parent that exits first still gets its dump; no child is left a zombie;
Ctrl-C in wait() and wait(timeout) leave the child running; refusals.
The tests that need the child to be slow stop it with SIGSTOP instead of
relying on the heap's size.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

from mtutil import MODULE_DIR, PY, Dump, child_source, run_child, tui


def unshare_refused():
    p = subprocess.run(["unshare", "-m", "true"], capture_output=True,
                       text=True)
    return None if p.returncode == 0 else "unshare -m: " + p.stderr.strip()


# A quiet heap dumped twice from the same line, background first (waited
# for), then foreground; two rounds, the first one only to create what the
# calls themselves create once (interned keys of the result, cache
# entries).  The dumps are renamed so both have the same path string.
EQUAL = """
import tracemalloc
tracemalloc.start()
class Rec:
    def __init__(self, i):
        self.i = i
        self.name = "r%d" % i
heap = [Rec(i) for i in range(3000)] + [{"k": [i, str(i)]} for i in range(2000)]
try:
    import numpy
    arrays = [numpy.arange(i + 10) for i in range(20)]
except ImportError:
    numpy = None
memtrack.mark()
P = os.path.join(tmpdir, "eq.mp")
gc.collect()
gc.disable()
def go(bg):
    h = memtrack.dump(P, collect=False, background=bg)
    r = h.wait() if bg else h
    suffix = ".bg" if bg else ".fg"
    os.rename(P, P + suffix)
    # kept in a file: an object kept would be in the next dump only
    # (repr, not json.dump: its closures make a cycle, never collected
    # here; os.write, not a text file: its encoder changes the shared
    # keys of the encoder class)
    fd = os.open(P + suffix + ".txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, repr(dict(r, kind=type(r).__name__)).encode())
    os.close(fd)
for rnd in range(2):
    for bg in (True, False):
        go(bg)
import ast
bgres = ast.literal_eval(open(P + ".bg.txt").read())
out = ast.literal_eval(open(P + ".fg.txt").read())
report({"bg": bgres, "fg": out, "numpy": numpy is not None,
        "bool": [id(True), id(False)]})
"""


def by_address(path):
    d = Dump(path)
    addr = [o.addr for o in d.objects]
    objs = {}
    for i, o in enumerate(d.objects):
        if o.addr is None:
            continue
        edges = sorted((e.rel, addr[e.target],
                        addr[e.label] if e.rel == "keyval" else repr(e.label))
                       for e in o.edges if addr[e.target] is not None)
        marked = bool(d.raw.marked[i // 8] >> (i % 8) & 1) if d.raw.marked else None
        objs[o.addr] = [addr[o.type], o.size, o.refcnt, o.length,
                        repr(o.value), edges, marked]
    roots = sorted((lab, addr[t]) for (r, t, lab) in d.roots)
    return d, objs, roots


class Equal(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.r = run_child(EQUAL)
        tmp = cls.r["_tmpdir"]
        cls.bgpath = os.path.join(tmp, "eq.mp.bg")
        cls.fgpath = os.path.join(tmp, "eq.mp.fg")
        cls.b = by_address(cls.bgpath)
        cls.f = by_address(cls.fgpath)

    @staticmethod
    def call_kwargs(d, addrs):
        """The dicts among addrs whose keys are dump()'s keyword arguments
        (the call's own kwargs dict: a new one per call, tracked by the
        collector on 3.14 only)."""
        out = []
        for a in addrs:
            i = d.id_of(a)
            keys = {d.value(lab) for (r, t, lab) in d.edges(i) if r == "keyval"}
            if d.type_name(i) == "builtins.dict" and keys == {"collect", "background"}:
                out.append(a)
        return out

    def test_same_objects_at_same_addresses(self):
        (bd, bo, broots), (fd, fo, froots) = self.b, self.f
        self.assertEqual(len(bd.objects), len(fd.objects))
        only_b, only_f = set(bo) - set(fo), set(fo) - set(bo)
        self.assertEqual(len(only_b), len(only_f))
        self.assertLessEqual(len(only_b), 1)
        self.assertEqual(self.call_kwargs(bd, only_b), list(only_b))
        self.assertEqual(self.call_kwargs(fd, only_f), list(only_f))
        self.assertEqual(bd.reachable, fd.reachable)
        self.assertGreater(len(bo), 10000)

    def test_same_records(self):
        (bd, bo, broots), (fd, fo, froots) = self.b, self.f
        bools = set(self.r["bool"])
        diffs = []
        for a, x in bo.items():
            if a not in fo:  # the call's kwargs dict (above)
                continue
            y = fo[a]
            # type, size, length, value, mark bit: all equal
            self.assertEqual([x[0], x[1], x[3], x[4], x[6]],
                             [y[0], y[1], y[3], y[4], y[6]], hex(a))
            # edges equal but for the loop variable `bg` (True / False)
            ex = [e for e in x[5] if e[1] not in bools]
            ey = [e for e in y[5] if e[1] not in bools]
            self.assertEqual(ex, ey, hex(a))
            if x[2] != y[2]:
                diffs.append(a)
        # refcounts: the bools, the BackgroundDump type (its handle
        # exists during the background walk) and a few names held by the
        # type cache (3.9-3.11) may differ; nothing else
        self.assertLessEqual(len(diffs), 8, [fo[a][4] for a in diffs])
        names = {fd.objects[i].value.qualname for i in range(len(fd.objects))
                 if fd.objects[i].addr in diffs and
                 hasattr(fd.objects[i].value, "qualname")}
        self.assertLessEqual(names, {"BackgroundDump"})

    def test_same_roots_and_header(self):
        (bd, bo, broots), (fd, fo, froots) = self.b, self.f
        self.assertEqual(broots, froots)
        hb, hf = dict(bd.header), dict(fd.header)
        for k in ("time", "rss", "vms"):
            hb.pop(k)
            hf.pop(k)
        self.assertEqual(hb, hf)
        self.assertEqual(hb["pid"], fd.header["pid"])
        self.assertGreater(bd.header["mark_time"], 0)
        self.assertIsNotNone(bd.raw.marked)

    def test_same_result(self):
        b, f = self.r["bg"], self.r["fg"]
        for k in ("objects", "edges", "heap_bytes", "reachable",
                  "plugins", "warnings", "kind"):
            self.assertEqual(b[k], f[k], k)
        # refcounts are encoded in fewer bytes when smaller
        self.assertLess(abs(b["file_bytes"] - f["file_bytes"]), 16)
        self.assertEqual(set(b) - set(f), {"pause"})
        self.assertEqual(b["kind"], "Record")
        self.assertEqual(b["file_bytes"], os.path.getsize(self.bgpath))
        self.assertGreater(b["seconds"], 0)
        self.assertGreater(b["pause"], 0)
        if self.r["numpy"]:
            self.assertEqual(b["plugins"], ["numpy"])

    def test_same_sites(self):
        # the SITES record (tracemalloc traced): byprod of both dumps
        outs = []
        for p in (self.bgpath, self.fgpath):
            q = subprocess.run([tui(), "--batch", "-e", "h.byprod", p],
                               capture_output=True, text=True, timeout=300)
            self.assertEqual(q.returncode, 0, q.stderr)
            outs.append(q.stdout)
        self.assertIn("<string>", outs[0])
        self.assertEqual(outs[0], outs[1])


THREAD = """
import threading
class Marker:
    pass
ready = threading.Event()
release = threading.Event()
def worker():
    only_here = Marker()
    ready.set()
    release.wait()
    return only_here
t = threading.Thread(target=worker)
t.start()
ready.wait()
marker = [id(o) for o in gc.get_objects() if type(o) is Marker][0]
path = os.path.join(tmpdir, "t.mp")
r = memtrack.dump(path, background=True).wait()
release.set()
t.join()
report({"path": path, "tid": t.ident, "marker": marker})
"""


class Threads(unittest.TestCase):
    def test_worker_locals_from_its_frame(self):
        r = run_child(THREAD)
        d = Dump(r["path"])
        f = d.root("i0_t%d_f0" % r["tid"])
        self.assertIsNotNone(f, "no frame root for the worker thread")
        chain = []
        while f is not None:
            chain.append(f)
            back = d.targets(f, "attr", "f_back")
            f = back[0] if back else None
        names = [d.value(x)[2] for x in chain]
        self.assertIn("worker", names)
        wf = chain[names.index("worker")]
        m = d.one(wf, "local", "only_here")
        self.assertEqual(m, d.id_of(r["marker"]))
        self.assertEqual(d.type_name(m), "__main__.Marker")
        self.assertLess(m, d.reachable)


def tmp_files(d):
    return [n for n in os.listdir(d) if n != "out.mp"] if os.path.isdir(d) else []


class Failures(unittest.TestCase):
    def test_directory_removed_after_fork(self):
        # the child is stopped before it can create its file, the
        # directory removed, the child continued: ENOENT as in the
        # foreground, with the path
        r = run_child("""
            import errno, shutil, signal
            heap = [[i] for i in range(100000)]
            d = os.path.join(tmpdir, "gone"); os.makedirs(d)
            p = os.path.join(d, "out.mp")
            h = memtrack.dump(p, background=True)
            os.kill(h.pid, signal.SIGSTOP)
            shutil.rmtree(d)
            os.kill(h.pid, signal.SIGCONT)
            out = []
            for i in range(2):
                try:
                    h.wait(60)
                    out.append("no error")
                except OSError as e:
                    out.append([type(e).__name__, errno.errorcode[e.errno],
                                e.filename, str(e)])
            report({"out": out, "p": p, "exists": os.path.exists(d)})
        """)
        a, b = r["out"]
        self.assertEqual(a, b)  # the same outcome every time
        self.assertEqual(a[:3], ["FileNotFoundError", "ENOENT", r["p"]])
        self.assertIn("memtrack.dump failed", a[3])
        self.assertFalse(r["exists"])

    def test_disk_full(self):
        if os.geteuid() != 0 or not shutil.which("unshare"):
            self.skipTest("needs root and unshare")
        why = unshare_refused()
        if why:
            self.skipTest(why)
        d = tempfile.mkdtemp(prefix="mt-bg-full-")
        code = child_source("""
            import errno
            heap = [str(i) * 3 for i in range(50000)]
            h = memtrack.dump(os.path.join(tmpdir, "out.mp"), background=True)
            try:
                h.wait(120)
                out = "no error"
            except OSError as e:
                out = [type(e).__name__, errno.errorcode[e.errno], e.filename]
            report({"out": out, "left": os.listdir(tmpdir)})
        """, d)
        try:
            p = subprocess.run(
                ["unshare", "-m", "sh", "-c",
                 "mount -t tmpfs -o size=64k none '%s' && exec '%s' -c '%s'"
                 % (d, sys.executable, code.replace("'", "'\\''"))],
                capture_output=True, text=True, timeout=180)
        finally:
            shutil.rmtree(d)
        if p.returncode != 0 and "mount" in p.stderr:
            self.skipTest("tmpfs: " + p.stderr.strip())
        self.assertEqual(p.returncode, 0, p.stderr)
        line = [x for x in p.stdout.splitlines() if x.startswith("RESULT:")][0]
        import json
        res = json.loads(line[7:])
        self.assertEqual(res["out"], ["OSError", "ENOSPC",
                                      os.path.join(d, "out.mp")])
        self.assertEqual(res["left"], [])

    KILL = """
        import signal
        heap = [[i] for i in range(600000)]
        d = os.path.join(tmpdir, "k"); os.makedirs(d)
        h = memtrack.dump(os.path.join(d, "out.mp"), background=True)
        # stopped once its temporary file exists and the child has had
        # time to name it to the parent (a SIGKILL between the two would
        # leave the file, as it would in a foreground dump)
        t0 = time.time()
        while not os.listdir(d) and time.time() - t0 < 60 and not h.done():
            time.sleep(0.001)
        time.sleep(0.1)
        os.kill(h.pid, signal.SIGSTOP)
        had_tmp = os.listdir(d)
        os.kill(h.pid, signal.%s)
        os.kill(h.pid, signal.SIGCONT)
        try:
            h.wait(60)
            out = "no error"
        except OSError as e:
            out = [type(e).__name__, e.errno, str(e)]
        report({"out": out, "had_tmp": had_tmp, "left": os.listdir(d),
                "pid": h.pid})
    """

    def killed(self, sig):
        r = run_child("import time\n" + textwrap.dedent(self.KILL % sig))
        self.assertEqual(len(r["had_tmp"]), 1, r)
        self.assertEqual(r["out"][:2], ["InterruptedError", 4])
        self.assertIn("(pid %d) was killed by %s" % (r["pid"], sig), r["out"][2])
        self.assertEqual(r["left"], [])

    def test_killed_child(self):
        # SIGKILL: the reaper removes the temporary file the child named
        self.killed("SIGKILL")

    def test_terminated_child(self):
        # SIGTERM: the child's own handler removes it and dies of it
        self.killed("SIGTERM")

    def test_report_line(self):
        # _report=True (the triggers): one line on stderr, nothing raised
        src = child_source("""
            import signal, shutil
            d = os.path.join(tmpdir, "gone"); os.makedirs(d)
            h = memtrack.dump(os.path.join(d, "x.mp"), background=True,
                              _report=True)
            os.kill(h.pid, signal.SIGSTOP)
            shutil.rmtree(d)
            os.kill(h.pid, signal.SIGCONT)
            t0 = time.time()
            while not h.done() and time.time() - t0 < 60:
                time.sleep(0.01)
            report({"done": h.done(), "p": os.path.join(d, "x.mp")})
        """, tempfile.mkdtemp(prefix="mt-bg-"), imports="sys, os, json, gc, time")
        p = subprocess.run([sys.executable, "-c", src], capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stderr.splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertTrue(lines[0].startswith("memtrack: background dump to "),
                        lines[0])
        self.assertIn("/gone/x.mp failed: ", lines[0])


class Lifetime(unittest.TestCase):
    def test_parent_exits_first(self):
        d = tempfile.mkdtemp(prefix="mt-bg-exit-")
        p = os.path.join(d, "late.mp")
        src = child_source("""
            import time
            class Sentinel:
                pass
            keep = Sentinel()
            heap = [[i] for i in range(300000)]
            h = memtrack.dump(%r, background=True)
            # still walking when this process is gone
            os.kill(h.pid, signal.SIGSTOP)
            report({"pid": h.pid, "me": os.getpid(), "keep": id(keep)})
        """ % p, d, imports="sys, os, json, gc, signal")
        # stdout is a file, not a pipe that the child would keep open
        with open(os.path.join(d, "out.txt"), "w+") as out:
            q = subprocess.run([sys.executable, "-c", src], stdout=out,
                               stderr=subprocess.STDOUT, timeout=120)
            out.seek(0)
            text = out.read()
        self.assertEqual(q.returncode, 0, text)
        import json
        r = json.loads(text.split("RESULT:")[1])
        self.assertFalse(os.path.exists(p))
        with open("/proc/%d/stat" % r["pid"]) as f:
            # its parent is gone: now the child of init or a subreaper
            self.assertNotEqual(int(f.read().rsplit(")", 1)[1].split()[2]),
                                r["me"])
        os.kill(r["pid"], signal.SIGCONT)
        t0 = time.time()
        while not os.path.exists(p) and time.time() - t0 < 120:
            time.sleep(0.05)
        dd = Dump(p)
        self.assertEqual(dd.header["pid"], r["me"])
        m = dd.id_of(r["keep"])
        self.assertIsNotNone(m)
        self.assertEqual(dd.type_name(m), "__main__.Sentinel")
        self.assertGreater(len(dd.objects), 300000)
        shutil.rmtree(d)

    def test_dropped_handle_leaves_no_zombie(self):
        r = run_child("""
            import time
            p = os.path.join(tmpdir, "d.mp")
            h = memtrack.dump(p, background=True)
            pid = h.pid
            del h
            # the reaper thread waits for the child, then ends
            t0 = time.time()
            while (not os.path.exists(p) or memtrack._memtrack._background_active()
                   or len(os.listdir("/proc/self/task")) > 1) and time.time() - t0 < 60:
                time.sleep(0.01)
            kids = []
            for t in os.listdir("/proc/self/task"):
                with open("/proc/self/task/%s/children" % t) as f:
                    kids += f.read().split()
            try:
                os.waitpid(-1, os.WNOHANG)
                w = "a child"
            except ChildProcessError:
                w = "none"
            report({"kids": kids, "w": w, "n": len(memtrack.read(p).objects),
                    "gone": not os.path.exists("/proc/%d" % pid),
                    "tasks": len(os.listdir("/proc/self/task"))})
        """)
        self.assertEqual(r["kids"], [])
        self.assertEqual(r["w"], "none")
        self.assertTrue(r["gone"])
        self.assertEqual(r["tasks"], 1)
        self.assertGreater(r["n"], 1000)

    def test_handle_in_os_fork_child(self):
        # os.fork() copies the handle, not its reaper: the copy refuses
        r = run_child("""
            h = memtrack.dump(os.path.join(tmpdir, "f.mp"), background=True)
            rd, wr = os.pipe()
            pid = os.fork()
            if pid == 0:
                out = []
                for f in (h.done, h.wait):
                    try:
                        f()
                        out.append("no error")
                    except RuntimeError as e:
                        out.append(str(e))
                os.write(wr, json.dumps([out, repr(h)]).encode())
                os._exit(0)
            os.close(wr)
            child = json.loads(os.read(rd, 65536))
            os.waitpid(pid, 0)
            report({"child": child, "objects": h.wait(60).objects,
                    "me": os.getpid(), "dumper": h.pid})
        """)
        (done, wait), rep = r["child"]
        msg = "(pid %d) belongs to process %d, not this one" % (r["dumper"], r["me"])
        self.assertIn(msg, done)
        self.assertIn(msg, wait)
        self.assertIn("of another process", rep)
        self.assertGreater(r["objects"], 1000)

    def test_wait_timeout_and_ctrl_c(self):
        r = run_child("""
            import signal, threading, time
            # Python's Ctrl-C handler, also where this test runs with
            # SIGINT ignored (started in the background, as CI is)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            p = os.path.join(tmpdir, "w.mp")
            h = memtrack.dump(p, background=True)
            os.kill(h.pid, signal.SIGSTOP)
            try:  # the stopped child keeps our stdout open: never leave it
                out = {"done": h.done()}
                t0 = time.monotonic()
                try:
                    h.wait(0.3)
                except TimeoutError as e:
                    out["timeout"] = [time.monotonic() - t0, str(e)]
                # Ctrl-C (SIGINT to this process only) while waiting
                threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
                t0 = time.monotonic()
                try:
                    h.wait()
                except KeyboardInterrupt:
                    out["kbd"] = time.monotonic() - t0
                out["done2"] = h.done()
            finally:
                os.kill(h.pid, signal.SIGCONT)
            res = h.wait(60)
            out["objects"] = res.objects
            out["same"] = h.wait() == res
            out["exists"] = os.path.exists(p)
            out["repr"] = repr(h)
            report(out)
        """)
        self.assertFalse(r["done"])
        self.assertFalse(r["done2"])
        self.assertGreaterEqual(r["timeout"][0], 0.29)
        self.assertIn("is still running after 0.3 s", r["timeout"][1])
        self.assertGreaterEqual(r["kbd"], 0.25)
        self.assertLess(r["kbd"], 5)
        self.assertGreater(r["objects"], 1000)
        self.assertTrue(r["same"])
        self.assertTrue(r["exists"])
        self.assertIn("finished", r["repr"])


class Refusals(unittest.TestCase):
    def test_subinterpreter(self):
        r = run_child("""
            try:
                import _testcapi
            except ImportError:
                _testcapi = None
            out = os.path.join(tmpdir, "sub.txt")
            if _testcapi and hasattr(_testcapi, "run_in_subinterp"):
                code = "\\n".join([
                    "import sys",
                    "sys.path.insert(0, %r)" % sys.path[0],
                    "try:",
                    "    import memtrack",
                    "    memtrack.dump(%r, background=True)" % os.path.join(tmpdir, "x.mp"),
                    "    res = 'no error'",
                    "except ImportError as e:",
                    "    res = 'import: ' + str(e)",
                    "except RuntimeError as e:",
                    "    res = str(e)",
                    "open(%r, 'w').write(res)" % out])
                _testcapi.run_in_subinterp(code)
                report({"res": open(out).read(),
                        "file": os.path.exists(os.path.join(tmpdir, "x.mp"))})
            else:
                report({"res": None})
        """)
        if r["res"] is None:
            self.skipTest("no _testcapi.run_in_subinterp")
        if r["res"].startswith("import: "):
            self.skipTest("memtrack does not import in a subinterpreter "
                          "here: " + r["res"])
        self.assertIn("not possible here: a subinterpreter", r["res"])
        self.assertFalse(r["file"])

    def test_refused_target_raises_at_once(self):
        r = run_child("""
            try:
                memtrack.dump(tmpdir, background=True)
                out = "no error"
            except OSError as e:
                out = type(e).__name__
            report({"out": out, "active": memtrack._memtrack._background_active()})
        """)
        self.assertEqual(r["out"], "IsADirectoryError")
        self.assertEqual(r["active"], 0)

    def test_fork_fails(self):
        # a process limit of 2 tasks: the interpreter and the reaper
        # thread take both, fork() fails with EAGAIN.  A pids cgroup of
        # its own (cgroup v1 or v2), else RLIMIT_NPROC as uid 65534 (root
        # is exempt from that limit).
        d = tempfile.mkdtemp(prefix="mt-bg-nproc-")
        os.chmod(d, 0o777)
        # a copy of the package another user can read (the build tree may
        # be in root's home)
        pkg = tempfile.mkdtemp(prefix="mt-bg-pkg-")
        os.chmod(pkg, 0o755)
        shutil.copytree(os.path.join(MODULE_DIR, "memtrack"),
                        os.path.join(pkg, "memtrack"))
        code = textwrap.dedent("""
            import errno, gc, resource, sys
            sys.path.insert(0, %r)
            import memtrack
            if sys.argv[1] == "nproc":
                resource.setrlimit(resource.RLIMIT_NPROC, (2, 2))
            try:
                memtrack.dump(%r, background=True)
                out = "no error"
            except OSError as e:
                out = [type(e).__name__, errno.errorcode[e.errno], e.filename]
            print(out, memtrack._memtrack._background_active(), gc.isenabled())
        """) % (pkg, os.path.join(d, "x.mp"))
        cg = None
        for root in ("/sys/fs/cgroup/pids", "/sys/fs/cgroup"):
            if os.geteuid() == 0 and os.path.exists(os.path.join(root, "cgroup.procs")):
                try:
                    cg = os.path.join(root, "mt-bg-test-%d" % os.getpid())
                    os.mkdir(cg)
                    with open(os.path.join(cg, "pids.max"), "w") as f:
                        f.write("2")
                    break
                except OSError:
                    if os.path.isdir(cg):
                        os.rmdir(cg)
                    cg = None
        try:
            if cg:
                cmd = ["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', cg,
                       sys.executable, "-c", code, "cgroup"]
            elif shutil.which("setpriv") and os.geteuid() == 0:
                cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                       sys.executable, "-c", code, "nproc"]
            else:
                self.skipTest("needs root and a pids cgroup or setpriv")
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            if not cg and p.returncode:
                self.skipTest("uid 65534 cannot run this interpreter and module: "
                              + (p.stderr.strip().splitlines() or ["?"])[-1])
            left = os.listdir(d)
        finally:
            shutil.rmtree(d)
            shutil.rmtree(pkg)
            if cg:
                os.rmdir(cg)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), "%r 0 True" % (
            ["BlockingIOError", "EAGAIN", os.path.join(d, "x.mp")],))
        self.assertEqual(left, [])

    def test_handle_not_constructible(self):
        import memtrack
        with self.assertRaises(TypeError):
            memtrack.BackgroundDump()


if __name__ == "__main__":
    unittest.main()
