"""python3 -m memtrack dump --pid PID [OUT] [--directory DIR] [--timeout S]
[--foreground|--background] [--no-collect]

Dumps a running CPython process that never imported memtrack
(doc/attach.md): gdb attaches to it and makes it import memtrack from this
installation and dump at a safe point of the interpreter (_attach.py has
both halves: the payload that runs in the target and gdb's script).  The
target writes the dump into a private directory the CLI made beside OUT
(owned by the target's user, mode 0700) and reports there; the CLI moves
the dump to OUT (default: DIR/PROG.PID.DATE-TIME.SEQ.mp, named by
_memtrack._dump_name), prints its path on stdout and a summary on stderr.
Errors are one line on stderr and exit status 1; the target is always
left running.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from memtrack._logcli import _seconds  # one reading of a number of seconds

PROG = "python3 -m memtrack dump"
# The package directory: the target imports memtrack from it by path.
PKG = os.path.dirname(os.path.abspath(__file__))
PYTHON = "%d.%d%s" % (sys.version_info[0], sys.version_info[1],
                      getattr(sys, "abiflags", ""))


class Failure(Exception):
    """One line for stderr; the exit status is 1."""


def _parser():
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Dump a running CPython process that never imported "
        "memtrack: gdb makes it import memtrack from this installation and "
        "dump at a safe point of the interpreter.  The path of the dump is "
        "printed on standard output.")
    p.add_argument("--pid", type=int, required=True,
                   help="the process to dump")
    p.add_argument("out", metavar="OUT", nargs="?",
                   help="the dump to write (default: DIR/PROG.PID."
                   "YYYYMMDD-HHMMSS.SEQ.mp)")
    p.add_argument("--directory", metavar="DIR", default=None,
                   help="where the dump goes when OUT is not given "
                   "(default: the current directory)")
    p.add_argument("--timeout", type=_seconds, default=10.0, metavar="S",
                   help="seconds to reach a safe point in the target "
                   "(default 10); the dump itself is never cut short")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--foreground", dest="background", action="store_false",
                   help="the target stops for the whole walk (default)")
    g.add_argument("--background", dest="background", action="store_true",
                   help="the target forks and a child walks "
                   "(dump(background=True)); the target stops for the fork")
    p.set_defaults(background=False)
    p.add_argument("--no-collect", dest="collect", action="store_false",
                   help="no gc.collect() in the target first")
    return p


def _status(pid):
    """The fields of /proc/PID/status, or None when there is no process."""
    try:
        with open("/proc/%d/status" % pid) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return None
    except ProcessLookupError:
        return None
    out = {}
    for line in lines:
        k, _, v = line.partition(":")
        out[k] = v.strip()
    return out


def _python_names(pid):
    """The X.Y[t] versions that the target's executable and libraries name
    (python3.11, libpython3.13t.so...): empty when nothing says."""
    names = []
    try:
        names.append(os.readlink("/proc/%d/exe" % pid))
    except OSError:
        pass
    try:
        with open("/proc/%d/maps" % pid) as f:
            names += [ln.split()[-1] for ln in f if "python" in ln]
    except OSError:
        pass
    found = set()
    for n in names:
        m = re.search(r"python(\d)\.(\d+)(t?)(?:[d]?)(?:\.so|$|[-_.])",
                      os.path.basename(n))
        if m:
            found.add("%s.%s%s" % m.groups())
    return found


def _precheck(pid):
    """Raises Failure for what is known before gdb runs.  Returns the
    target's (uid, gid)."""
    if pid <= 0:
        raise Failure("no process %d" % pid)
    if pid == os.getpid():
        raise Failure("pid %d is this command itself" % pid)
    st = _status(pid)
    if st is None:
        raise Failure("no process %d" % pid)
    if st.get("State", "").startswith(("Z", "X")):
        raise Failure("pid %d has exited (a zombie)" % pid)
    if st.get("State", "").startswith(("T", "t")):
        raise Failure("pid %d is stopped (%s): continue it first "
                      "(kill -CONT %d)" % (pid, st.get("State"), pid))
    tracer = st.get("TracerPid", "0")
    if tracer != "0":
        raise Failure("pid %d is already traced by pid %s (a debugger?): "
                      "only one tracer at a time" % (pid, tracer))
    try:
        theirs = os.readlink("/proc/%d/ns/mnt" % pid)
        ours = os.readlink("/proc/self/ns/mnt")
    except PermissionError:
        theirs = ours = None  # ptrace access refused: gdb will say
    except OSError:
        theirs = ours = None
    if theirs != ours:
        raise Failure("pid %d is in another mount namespace (a container): "
                      "run this command inside it (doc/attach.md)" % pid)
    try:
        root = os.stat("/proc/%d/root/" % pid)
        here = os.stat("/")
        if (root.st_dev, root.st_ino) != (here.st_dev, here.st_ino):
            raise Failure("pid %d has another root directory (chroot): run "
                          "this command inside it (doc/attach.md)" % pid)
    except OSError:
        pass
    vers = _python_names(pid)
    if any(v.endswith("t") for v in vers) and not PYTHON.endswith("t"):
        raise Failure("pid %d runs a free-threaded Python (%s): attach "
                      "supports builds with the GIL only"
                      % (pid, ", ".join(sorted(vers))))
    plain = {v.rstrip("t") for v in vers}
    if plain and PYTHON.split("d")[0].rstrip("t") not in plain:
        raise Failure("pid %d runs Python %s; this memtrack is built for %s "
                      "(run the dump command of a memtrack built for the "
                      "target's Python)" % (pid, "/".join(sorted(plain)),
                                            PYTHON))
    uid = gid = None
    try:
        uid = int(st["Uid"].split()[1])
        gid = int(st["Gid"].split()[1])
    except (KeyError, ValueError, IndexError):
        pass
    return uid, gid


def _gdb():
    gdb = os.environ.get("MEMTRACK_GDB", "gdb")
    path = shutil.which(gdb)
    if not path:
        raise Failure("gdb not found (%s): install it (Debian: apt-get "
                      "install gdb) or set MEMTRACK_GDB" % gdb)
    return path


def _check_out(out):
    """OUT must be absent or a regular file (as dump() requires)."""
    try:
        st = os.lstat(out)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise Failure("%s: %s" % (out, e.strerror))
    if st is not None and not (st.st_mode & 0o170000 == 0o100000):
        raise Failure("%s: exists and is not a regular file" % out)
    d = os.path.dirname(out)
    if not os.path.isdir(d):
        raise Failure("%s: no such directory" % d)


def _private_dir(where, uid, gid):
    """A directory of our own in `where` that the target's user may write
    (mode 0700, given to that user when it is another)."""
    try:
        priv = tempfile.mkdtemp(prefix=".memtrack-attach.", dir=where)
    except OSError as e:
        raise Failure("%s: cannot create a directory there: %s"
                      % (where, e.strerror))
    if uid is not None and uid != os.geteuid():
        try:
            os.chown(priv, uid, gid if gid is not None else -1)
        except OSError as e:
            shutil.rmtree(priv, ignore_errors=True)
            raise Failure("cannot give the target's user (uid %d) a "
                          "directory in %s: %s" % (uid, where, e.strerror))
    return priv


class _Gdb:
    """gdb running _attach.py's gdb_main, in a session of its own (a
    Ctrl-C at the terminal never reaches it: interrupting gdb during a call
    into the target would kill the target).  Its MEMTRACK-ATTACH lines are
    read by a thread; `in_call` says whether gdb is inside a call into the
    target now."""

    def __init__(self, gdb, params):
        env = dict(os.environ)
        env["MEMTRACK_ATTACH"] = json.dumps(params)
        # a preload meant for Python processes is not gdb's (ASan's
        # runtime, preloaded for a sanitized build of the module, makes
        # gdb hang); gdb attaches to the target, which keeps its own
        env.pop("LD_PRELOAD", None)
        script = os.path.join(PKG, "_attach.py")
        self.proc = subprocess.Popen(
            [gdb, "-nx", "-batch", "-q", "-ex", "source " + script],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=env, start_new_session=True)
        self.lines = []
        self.in_call = False
        self.stderr = b""
        self._t1 = threading.Thread(target=self._read, daemon=True)
        self._t2 = threading.Thread(target=self._err, daemon=True)
        self._t1.start()
        self._t2.start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if not line.startswith("MEMTRACK-ATTACH "):
                continue
            key, _, text = line[16:].partition(" ")
            if key == "CALL":
                self.in_call = True
            elif key == "CALLED":
                self.in_call = False
            self.lines.append((key, text))

    def _err(self):
        self.stderr = self.proc.stderr.read()

    def get(self, key):
        for k, text in self.lines:
            if k == key:
                return text
        return None

    def wait(self, deadline, abort_file):
        """Waits for gdb; past deadline (or on Ctrl-C) asks it to stop at
        its next round (abort_file), and kills it only outside a call."""
        asked = None
        while True:
            try:
                self.proc.wait(0.1)
                break
            except subprocess.TimeoutExpired:
                pass
            except KeyboardInterrupt:
                deadline = 0
                sys.stderr.write("memtrack dump: interrupted: detaching "
                                 "from the target\n")
            now = time.monotonic()
            if now < deadline:
                continue
            if asked is None:
                open(abort_file, "w").close()
                asked = now
            elif now - asked > 10 and not self.in_call:
                self.proc.kill()
        self._t1.join(5)
        self._t2.join(5)
        return self.proc.returncode


def _leave_running(pid):
    """SIGCONT when the target is left stopped (a stop gdb sent and did not
    see before it detached, or a gdb that died)."""
    for _ in range(5):
        st = _status(pid)
        if st is None:
            return
        if st.get("State", "").startswith("T"):
            try:
                os.kill(pid, signal.SIGCONT)
            except OSError:
                pass
            return
        time.sleep(0.02)


def _reach_hint(where, uid, gid):
    """Why a target of another user may not have written into where: the
    first directory on the way it may not search (its owner, group and
    other bits against the target's uid and gid; supplementary groups
    are not looked at), as a clause for the message, or ''."""
    if uid is None or uid == os.geteuid() or uid == 0:
        return ""
    d = where
    while True:
        try:
            st = os.stat(d)
        except OSError:
            return ""
        if st.st_uid == uid:
            ok = st.st_mode & 0o100
        elif st.st_gid == gid:
            ok = st.st_mode & 0o010
        else:
            ok = st.st_mode & 0o001
        if not ok:
            return ("; the target's user (uid %d) cannot enter %s: write "
                    "the dump where it can (e.g. under /tmp)" % (uid, d))
        if d == "/":
            return ""
        d = os.path.dirname(d)


def _gdb_error(pid, text, timeout):
    kind, _, rest = text.partition(": ")
    if kind == "attach":
        if "not permitted" in rest:
            st = _status(pid) or {}
            if st.get("TracerPid", "0") != "0":
                return ("pid %d is already traced by pid %s (a debugger?)"
                        % (pid, st["TracerPid"]))
            return ("ptrace refused attaching to pid %d: run as root or "
                    "with CAP_SYS_PTRACE (a container: --cap-add=SYS_PTRACE)"
                    ", or as the target's user with kernel.yama.ptrace_scope"
                    " = 0 and a dumpable target (doc/attach.md)" % pid)
        if "No such process" in rest:
            return "no process %d" % pid
        return "gdb could not attach to pid %d: %s" % (pid, rest)
    if kind == "notpython":
        return "pid %d is not a CPython process (%s)" % (pid, rest)
    if kind == "timeout":
        return ("timeout: no safe point in pid %d within %g s (%s); the "
                "target runs on, unchanged" % (pid, timeout, rest))
    if kind == "exited":
        return "pid %d exited during the attach" % pid
    if kind == "aborted":
        return "interrupted: the target runs on, unchanged"
    return "gdb: %s" % text


def _place(src, out, directory, pid, argv0):
    """Moves the finished dump to out, or to a new name in directory."""
    if out is not None:
        _check_out(out)
        os.replace(src, out)
        return out
    from . import _memtrack

    for _ in range(100):
        # the target's sys.argv[0]: _dump_name takes its basename
        # without .py ('python' when empty)
        dst = _memtrack._dump_name(directory, argv0 or "", pid)
        try:
            os.link(src, dst)
        except FileExistsError:
            continue
        os.unlink(src)
        return dst
    raise Failure("%s: no free name for the dump" % directory)


def _wait_status(path, pid, priv):
    """Background: waits for the final status the target's thread writes
    (the child's walk takes its time; Ctrl-C stops waiting)."""
    while not os.path.exists(path):
        if _status(pid) is None:
            raise Failure("pid %d exited before its background dump ended"
                          % pid)
        try:
            time.sleep(0.05)
        except KeyboardInterrupt:
            raise Failure("interrupted; the target's child goes on writing "
                          "into %s, removed now" % priv)


def attach(args):
    """The whole command; returns (path, summary, how) or raises
    Failure."""
    if args.out is not None and args.directory is not None:
        raise Failure("OUT and --directory: give one or the other")
    uid, gid = _precheck(args.pid)
    gdb = _gdb()
    out = os.path.abspath(args.out) if args.out else None
    if out is not None:
        _check_out(out)
        where = os.path.dirname(out)
    else:
        where = os.path.abspath(args.directory or ".")
        if not os.path.isdir(where):
            raise Failure("%s: no such directory" % args.directory)
    priv = _private_dir(where, uid, gid)
    try:
        status = os.path.join(priv, "status.json")
        params = {
            "pid": args.pid,
            "timeout": args.timeout,
            "abort": os.path.join(priv, "abort"),
            "payload": {
                "status": status,
                "out": os.path.join(priv, "dump.mp"),
                "pkg": PKG,
                "python": PYTHON,
                "background": args.background,
                "collect": args.collect,
            },
        }
        g = _Gdb(gdb, params)
        try:
            g.wait(time.monotonic() + args.timeout + 30, params["abort"])
        finally:
            _leave_running(args.pid)
        err = g.get("ERROR")
        if err is not None:
            raise Failure(_gdb_error(args.pid, err, args.timeout))
        ran = g.get("RAN")
        if ran is None:
            last = g.stderr.decode("utf-8", "replace").strip().splitlines()
            raise Failure("gdb failed (status %s)%s" % (
                g.proc.returncode, ": " + last[-1] if last else ""))
        if args.background and not os.path.exists(status):
            _wait_status(status, args.pid, priv)
        try:
            with open(status) as f:
                res = json.load(f)
        except (OSError, ValueError):
            raise Failure("the target did not report (PyRun_SimpleString "
                          "returned %s)%s" % (ran, _reach_hint(where, uid,
                                                               gid)))
        if not res.get("ok"):
            text = res.get("error", "?")
            kind, _, rest = text.partition(": ")
            if res.get("early") and kind == "version":
                raise Failure("pid %d: %s" % (args.pid, rest))
            if res.get("early"):
                raise Failure("pid %d could not import memtrack from %s: %s"
                              % (args.pid, PKG, rest))
            raise Failure("pid %d: the dump failed: %s" % (args.pid, text))
        path = _place(os.path.join(priv, "dump.mp"), out, where, args.pid,
                      res.get("argv0"))
        if os.geteuid() == 0:
            try:
                os.chown(path, os.geteuid(), os.getegid())
            except OSError:
                pass
        return path, res.get("summary", {}), g.get("SAFE")
    finally:
        shutil.rmtree(priv, ignore_errors=True)


def main(argv):
    args = _parser().parse_args(argv)
    try:
        path, s, how = attach(args)
    except Failure as e:
        sys.stderr.write("memtrack dump: %s\n" % e)
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("memtrack dump: interrupted\n")
        return 1
    sys.stdout.write(path + "\n")
    sys.stdout.flush()
    sys.stderr.write(
        "memtrack dump: pid %d: %s objects, %.1f MB heap in %.2f s (%s)\n"
        % (args.pid, s.get("objects", "?"), s.get("heap_bytes", 0) / 1e6,
           s.get("seconds", 0.0),
           "at a pending call" if how == "pending call"
           else "while the main thread waited in a system call"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
