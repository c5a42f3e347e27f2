"""python3 -m memtrack log --pid PID [--interval S] [--duration S] OUT

Logs another process's memory from outside (doc/proclog.md): the same
JSON lines as memtrack.ProcessLog, sampled by its C thread, until the
process exits, the duration ends or Ctrl-C.  Errors are one line on
stderr and exit status 1.
"""

import argparse
import math
import sys

PROG = "python3 -m memtrack log"


def _fail(msg):
    sys.stderr.write("memtrack log: %s\n" % msg)
    return 1


def _seconds(text):
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not a number of seconds: %r" % text)
    if not math.isfinite(v) or v <= 0:
        raise argparse.ArgumentTypeError("not a positive number of seconds: "
                                         "%r" % text)
    return v


def _parser():
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Sample another process's memory (RSS, VMS, peak RSS, "
        "page faults, CPU) into a JSON-lines log until it exits.")
    p.add_argument("--pid", type=int, required=True,
                   help="the process to log")
    p.add_argument("--interval", type=_seconds, default=1.0, metavar="S",
                   help="seconds between samples (default 1)")
    p.add_argument("--duration", type=_seconds, default=None, metavar="S",
                   help="stop after S seconds (default: when the process "
                   "exits)")
    p.add_argument("out", metavar="OUT", help="the log file to write")
    return p


def _cmdline(pid):
    """The process's argv from /proc (bytes), or None when unreadable."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            raw = f.read()
    except OSError:
        return None
    if raw.endswith(b"\0"):
        raw = raw[:-1]
    return raw.split(b"\0") if raw else []


def main(argv):
    args = _parser().parse_args(argv)
    from .proclog import ProcessLog

    if args.pid <= 0:
        return _fail("no process %d" % args.pid)
    if args.interval < 0.001:
        return _fail("--interval must be at least 0.001 seconds")
    argv_ = _cmdline(args.pid) or []
    try:
        log = ProcessLog(args.out, args.interval, pid=args.pid, argv=argv_)
    except ProcessLookupError:
        return _fail("no process %d" % args.pid)
    except OSError as e:
        where = e.filename if e.filename is not None else args.out
        return _fail("%s: %s" % (where, e.strerror or e))
    except ValueError as e:
        return _fail(str(e))
    why = "the duration ended"
    try:
        if log.wait(args.duration):
            why = "the process exited"
    except KeyboardInterrupt:
        why = "interrupted"
    try:
        log.close()
    except OSError as e:
        return _fail("%s: %s" % (args.out, e.strerror or e))
    sys.stderr.write("memtrack log: %d lines of pid %d in %s (%s)\n"
                     % (log.lines, args.pid, args.out, why))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
