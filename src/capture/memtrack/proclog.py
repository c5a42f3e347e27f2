"""memtrack.ProcessLog: a process's memory over time, as JSON lines.

A C thread (memtrack._memtrack._ProcLog, src/capture/proclog.c) samples
/proc/PID every `interval` seconds without the GIL and appends one line
per sample to a new file (mode 0600); label(text) adds a sample at once
with "label", and memtrack.dump() adds one with "dump" (the dump's
absolute path) to every running log of this process.  The file format
and the rules are in doc/proclog.md.

    with memtrack.ProcessLog("run.log", interval=0.5) as log:
        load()
        log.label("loaded")
        compute()

`memtrack-tui run.log` shows the timeline; `python3 -m memtrack log --pid
PID OUT` logs another process from outside.
"""

import atexit
import os
import sys
import weakref

from . import _memtrack

__all__ = ["ProcessLog"]

# The logs this process runs, closed at interpreter exit so that each ends
# with a final sample (a log collected earlier is closed by its dealloc).
_running = weakref.WeakSet()


class ProcessLog(_memtrack._ProcLog):
    """ProcessLog(path, interval=1.0, *, pid=None, argv=None)

    Start logging at once: the file at path is created (a regular file
    there is replaced; a directory, a symbolic link, a FIFO or a device
    is refused with OSError) and holds its first sample before this
    returns.

    interval: seconds between samples (0.001 to a year).
    pid: the process to sample; None is this process (only the logs of
        this process get dump markers).
    argv: the command line recorded in the first line (default: sys.argv
        when the log is of this process, [] for another).

    Each line is one JSON object: t (Unix time), rss, vms, peak_rss
    (the kernel's VmHWM), minflt, majflt (bytes and counts), cpu_user,
    cpu_sys (seconds), plus "label" or "dump" on the lines they wrote;
    the first line also has memtrack_log (1), pid, interval and argv.

    label(text) writes a sample with "label": text.  close() (or the end
    of a `with` block, or the end of the interpreter) joins the thread and
    writes a final sample; wait(timeout=None) blocks until the sampled
    process is gone (True).  Attributes: path, interval, pid, lines
    (written so far), running, closed, thread_id (the sampler's kernel
    thread id).

    After os.fork() the child's copy writes nothing: its label() does
    nothing and its close() only closes the file.
    """

    def __init__(self, path, interval=1.0, *, pid=None, argv=None):
        if argv is None:
            argv = list(sys.argv) if pid in (None, 0, os.getpid()) else []
        super().__init__(path, interval, pid=pid or 0, argv=argv)
        _running.add(self)

    def close(self):
        _running.discard(self)
        super().close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        state = "running" if self.running else (
            "closed" if self.closed else "ended")
        return "<memtrack.ProcessLog %r pid=%s interval=%g %s, %d lines>" % (
            self.path, self.pid, self.interval, state, self.lines)


@atexit.register
def _close_all():
    for log in list(_running):
        try:
            log.close()
        except OSError:
            pass
