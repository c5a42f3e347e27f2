"""Attach: the two halves of `python3 -m memtrack dump --pid` (doc/attach.md)
that run outside the CLI.

In the target: `run()`, called by the payload (`payload()`: a short
program the target runs through PyRun_SimpleStringFlags at a safe point,
in a fresh namespace, that checks the interpreter, imports memtrack from
this installation's package directory by its path (sys.path untouched),
calls run() and never lets anything escape or print).  run() dumps and writes the result as
JSON to a status file in the CLI's private directory (written to a
temporary name and renamed, so the CLI never reads half of it).

In gdb: `gdb_main()`, when gdb sources this file by path (gdb's own
Python, which need not be the target's or the CLI's: this file imports
nothing of memtrack at its top).  It attaches, asks the interpreter for a
pending call (`Py_AddPendingCall(PyCallable_Check, NULL)`), stops on
that call (main thread, GIL held, between bytecodes: a safe point) and
runs the payload there.  When the main thread does not get there (blocked
in a system call with the GIL released: sleep, recv, a lock), it stops
the process, and if the main thread is in a system call, does not hold
the GIL and is not inside the allocator, runs the payload between
PyGILState_Ensure and PyGILState_Release, as a C callback would.  It
reports to the CLI with lines `MEMTRACK-ATTACH KEY TEXT` on stdout.
"""

import json
import os
import sys

# ---------------------------------------------------------------------------
# The target's side


def _write_status(path, obj):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW,
                 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(obj, f)
    os.replace(tmp, path)


def _summary(rec):
    keep = ("objects", "edges", "file_bytes", "heap_bytes", "seconds",
            "reachable", "warnings", "pause")
    return {k: rec[k] for k in keep if k in rec}


def _error(e):
    return {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}


def run(status, out, background=False, collect=True):
    """Dumps this process to out and writes the result to the file status
    (JSON: ok, summary or error, argv0).  Called by the payload at a safe
    point of the target; never raises, never prints.  background: fork
    the walk (dump(background=True)); the result is written by a daemon
    thread that waits for the child."""
    argv0 = sys.argv[0] if getattr(sys, "argv", None) else ""
    try:
        import memtrack

        if not background:
            rec = memtrack.dump(out, collect=collect)
            _write_status(status, {"ok": True, "summary": _summary(rec),
                                   "argv0": argv0})
            return
        handle = memtrack.dump(out, collect=collect, background=True)
    except BaseException as e:  # nothing escapes into the target
        try:
            r = _error(e)
            r["argv0"] = argv0
            _write_status(status, r)
        except BaseException:
            pass
        return
    _write_status(status + ".started", {"child": handle.pid})

    def waiter():
        try:
            rec = handle.wait()
            r = {"ok": True, "summary": _summary(rec), "argv0": argv0}
        except BaseException as e:
            r = _error(e)
            r["argv0"] = argv0
        try:
            _write_status(status, r)
        except BaseException:
            pass

    import threading

    threading.Thread(target=waiter, name="memtrack-attach", daemon=True).start()


# The payload: a fresh namespace (nothing lands in __main__), every
# exception caught (PyRun_SimpleString would print it, and SystemExit
# would end the process).  Checks the interpreter first: only the one this
# installation's extension is built for may import it.
_PAYLOAD = r'''
def _memtrack_attach(P):
    import sys
    def fail(text):
        try:
            import json, os
            with open(P["status"] + ".tmp", "w") as f:
                json.dump({"ok": False, "error": text, "early": True}, f)
            os.replace(P["status"] + ".tmp", P["status"])
        except BaseException:
            pass
    try:
        have = "%d.%d%s" % (sys.version_info[0], sys.version_info[1],
                            getattr(sys, "abiflags", ""))
        if have != P["python"]:
            fail("version: the target runs Python %s; this memtrack is "
                 "built for %s" % (have, P["python"]))
            return
        old = sys.modules.get("memtrack")
        if old is not None:
            where = getattr(old, "__file__", None) or ""
            if not where.startswith(P["pkg"] + "/"):
                fail("another: the target already imported another "
                     "memtrack (%s)" % where)
                return
        if old is None:
            # the package from its directory, by its path: sys.path is
            # not touched (a module of the target's own path could
            # otherwise shadow memtrack, or one of ours its modules)
            import importlib.util
            spec = importlib.util.spec_from_file_location(
                "memtrack", P["pkg"] + "/__init__.py",
                submodule_search_locations=[P["pkg"]])
            mod = importlib.util.module_from_spec(spec)
            sys.modules["memtrack"] = mod
            try:
                spec.loader.exec_module(mod)
            except BaseException:
                del sys.modules["memtrack"]
                raise
        import memtrack._attach as A
        A.run(P["status"], P["out"], P["background"], P["collect"])
    except BaseException as e:
        fail("import: %s: %s" % (type(e).__name__, e))
_memtrack_attach(%r)
'''


def payload(params):
    """The program the target runs (a str: PyRun_SimpleStringFlags'
    argument): exec in a namespace of its own.  params: status, out, pkg
    (the package directory), python ('X.Y' + abiflags), background,
    collect."""
    inner = _PAYLOAD.replace("%r", repr(params))
    return "exec(%r, {'__name__': '_memtrack_attach'})" % inner


# ---------------------------------------------------------------------------
# gdb's side

# Names in the main thread's stack that mean "inside the allocator or the
# dynamic loader": a payload there could wait for a lock its own thread
# holds.
_UNSAFE = ("malloc", "calloc", "realloc", "free", "memalign", "_dl_",
           "dlopen", "dlclose", "fork", "PyMem_", "PyObject_Malloc",
           "PyObject_Free", "PyObject_Realloc", "_PyObject_GC")

_ARCH_ARG0 = {"i386:x86-64": "$rdi", "aarch64": "$x0"}


def _say(key, text=""):
    sys.stdout.write("MEMTRACK-ATTACH %s %s\n" % (key, text))
    sys.stdout.flush()


def gdb_main():  # pragma: no cover (runs inside gdb)
    import subprocess
    import time

    import gdb

    P = json.loads(os.environ["MEMTRACK_ATTACH"])
    pid = P["pid"]
    deadline = time.monotonic() + P["timeout"]
    abort_file = P["abort"]

    def ex(cmd):
        return gdb.execute(cmd, to_string=True)

    for cmd in ("set pagination off", "set confirm off",
                "set width 0", "set print thread-events off",
                "set print inferior-events off",
                "set breakpoint pending off", "set scheduler-locking off",
                "set unwindonsignal off", "handle all nostop noprint pass",
                "handle SIGINT nostop noprint pass",
                "handle SIGURG stop print nopass"):
        try:
            ex(cmd)
        except gdb.error:
            pass
    try:
        ex("set debuginfod enabled off")
    except gdb.error:
        pass
    try:
        ex("attach %d" % pid)
    except gdb.error as e:
        _say("ERROR", "attach: %s" % str(e).strip().replace("\n", " "))
        return
    attached = True
    bp = None
    try:
        addr = {}
        for name in ("Py_AddPendingCall", "PyCallable_Check",
                     "PyRun_SimpleStringFlags", "PyGILState_Ensure",
                     "PyGILState_Release", "PyGILState_Check",
                     "PyMem_RawMalloc", "PyMem_RawFree"):
            try:
                addr[name] = int(gdb.parse_and_eval("(long)&%s" % name))
            except gdb.error:
                _say("ERROR", "notpython: no %s in the process" % name)
                return
        main = None
        for t in gdb.selected_inferior().threads():
            if t.ptid[1] == pid:
                main = t
        if main is None:
            _say("ERROR", "notpython: no main thread")
            return
        main.switch()
        arch = gdb.selected_frame().architecture().name()
        arg0 = _ARCH_ARG0.get(arch)
        if arg0 is None:
            _say("ERROR", "arch: %s is not supported" % arch)
            return
        prog = payload(P["payload"])

        def call(expr):
            _say("CALL", expr.split("(")[2] if expr.startswith("(") else expr)
            v = gdb.parse_and_eval(expr)
            _say("CALLED")
            return int(v)

        if call("(int)Py_AddPendingCall((void*)%d, (void*)0)"
                % addr["PyCallable_Check"]) != 0:
            _say("ERROR", "pending: Py_AddPendingCall failed (queue full)")
            return
        bp = gdb.Breakpoint("*%d" % addr["PyCallable_Check"], internal=True)
        bp.thread = main.num
        bp.condition = "%s == 0" % arg0
        wait = 0.2
        how = None
        why = "no safe point reached"
        while how is None:
            if time.monotonic() >= deadline:
                _say("ERROR", "timeout: %s" % why)
                return
            if os.path.exists(abort_file):
                _say("ERROR", "aborted")
                return
            # stop the process after `wait` unless the breakpoint stops
            # it first: a SIGURG from a process of ours (gdb's Python
            # holds its GIL during `continue`: a thread would not run;
            # gdb ignores SIGSTOPs it did not send).  gdb stops on it and
            # does not pass it; one sent just after the breakpoint
            # stopped the process reaches the program after the detach,
            # where SIGURG's default action is to ignore it.
            hits = bp.hit_count
            killer = subprocess.Popen(
                ["/bin/sh", "-c", "sleep %.2f; exec kill -URG %d"
                 % (wait, pid)], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                ex("continue")
            finally:
                if killer.poll() is None:
                    killer.kill()
                killer.wait()
            wait = min(wait * 1.5, 1.0)
            if not gdb.selected_inferior().pid or not main.is_valid():
                attached = False
                bp = None
                _say("ERROR", "exited: the process exited meanwhile")
                return
            main.switch()
            if bp.hit_count > hits and \
                    int(gdb.parse_and_eval("$pc")) == addr["PyCallable_Check"]:
                how = "pending call"
                break
            why = "no safe point"
            if call("(int)PyGILState_Check()") != 0:
                why = ("the main thread holds the GIL and does not reach "
                       "the interpreter's eval loop (C code)")
                continue
            ok, why2 = _blocked_safely(gdb, arch)
            if not ok:
                why = why2
                continue
            how = "blocked"
        bp.delete()
        bp = None
        _say("SAFE", how)
        # the program's text, NUL-terminated, in memory of the target's
        # (PyMem_RawMalloc is malloc: no GIL needed; the main thread is
        # not inside the allocator here)
        text = prog.encode("utf-8") + b"\0"
        buf = call("(long)PyMem_RawMalloc(%d)" % len(text))
        if buf == 0:
            _say("ERROR", "memory: PyMem_RawMalloc(%d) failed" % len(text))
            return
        gdb.selected_inferior().write_memory(buf, text)
        run_it = "(int)PyRun_SimpleStringFlags((char*)%d, (void*)0)" % buf
        if how == "pending call":
            rc = call(run_it)
        else:
            st = call("(int)PyGILState_Ensure()")
            rc = call(run_it)
            _say("CALL", "PyGILState_Release")
            gdb.parse_and_eval("(void)PyGILState_Release(%d)" % st)
            _say("CALLED")
        _say("CALL", "PyMem_RawFree")
        gdb.parse_and_eval("(void)PyMem_RawFree((void*)%d)" % buf)
        _say("CALLED")
        _say("RAN", str(rc))
    except Exception as e:  # gdb.error, or a thread or process gone
        _say("ERROR", "gdb: %s" % str(e).strip().replace("\n", " "))
    finally:
        try:
            if bp is not None:
                bp.delete()
        except Exception:
            pass
        if attached:
            try:
                ex("detach")
            except gdb.error:
                pass


def _blocked_safely(gdb, arch):  # pragma: no cover (runs inside gdb)
    """Whether the main thread (selected) sits in a system call outside
    the allocator and the loader: (ok, why not)."""
    pc = int(gdb.parse_and_eval("$pc"))
    inf = gdb.selected_inferior()
    try:
        if arch == "aarch64":
            insn = bytes(inf.read_memory(pc - 4, 4))
            in_syscall = insn == b"\x01\x00\x00\xd4"
        else:
            insn = bytes(inf.read_memory(pc - 2, 2))
            in_syscall = insn == b"\x0f\x05"
    except gdb.MemoryError:
        in_syscall = False
    if not in_syscall:
        return False, ("the main thread runs C code without the GIL "
                       "(not in a system call)")
    f = gdb.newest_frame()
    n = 0
    while f is not None and n < 200:
        name = f.name() or ""
        for bad in _UNSAFE:
            if bad in name:
                return False, "the main thread is inside %s" % name
        try:
            f = f.older()
        except gdb.error:
            break
        n += 1
    return True, ""


if __name__ == "__main__" and "gdb" in sys.modules:
    gdb_main()
