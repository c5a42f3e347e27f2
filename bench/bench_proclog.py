"""memtrack.ProcessLog benchmark: what the sampler thread costs.

    python3 bench/bench_proclog.py MODULE_DIR [SECONDS [INTERVAL]]

Runs a ProcessLog of this process at INTERVAL seconds (default 0.1: 10
samples/s) for SECONDS (default 20) while the main thread sleeps, and
reads the sampler thread's own CPU time from the kernel
(/proc/self/task/TID/schedstat: nanoseconds on the CPU; stat's utime +
stime in clock ticks when schedstat is absent) before and after.  Then
times 2000 label() calls (a sample and a write each, from Python).

Prints one "name: value" line per figure:
  interval, seconds, lines (written), thread_cpu_seconds,
  cpu_percent_of_core (thread CPU / wall time * 100; target < 1),
  us_per_sample (thread CPU per sample), label_us (wall time per label()
  call), log_bytes_per_line, load (/proc/loadavg's first figure).
"""

import os
import sys
import tempfile
import time


def thread_cpu(tid):
    """Seconds of CPU the thread used so far."""
    try:
        with open("/proc/self/task/%d/schedstat" % tid) as f:
            return int(f.read().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        with open("/proc/self/task/%d/stat" % tid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    moddir = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
    interval = float(sys.argv[3]) if len(sys.argv) > 3 else 0.1
    sys.path.insert(0, moddir)
    import memtrack

    d = tempfile.mkdtemp(prefix="bench-proclog-")
    path = os.path.join(d, "run.log")
    log = memtrack.ProcessLog(path, interval=interval)
    while log.thread_id is None:        # the thread names itself at start
        time.sleep(0.001)
    tid = log.thread_id
    c0, t0, n0 = thread_cpu(tid), time.monotonic(), log.lines
    time.sleep(seconds)
    c1, t1, n1 = thread_cpu(tid), time.monotonic(), log.lines
    wall, cpu, samples = t1 - t0, c1 - c0, n1 - n0

    reps = 2000
    l0 = time.perf_counter()
    for i in range(reps):
        log.label("label %d" % i)
    label_us = (time.perf_counter() - l0) / reps * 1e6
    log.close()
    size = os.path.getsize(path)
    lines = log.lines
    os.unlink(path)
    os.rmdir(d)
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    figures = [
        ("interval", interval),
        ("seconds", "%.2f" % wall),
        ("lines", samples),
        ("thread_cpu_seconds", "%.4f" % cpu),
        ("cpu_percent_of_core", "%.3f" % (cpu / wall * 100)),
        ("us_per_sample", "%.1f" % (cpu / samples * 1e6 if samples else 0)),
        ("label_us", "%.1f" % label_us),
        ("log_bytes_per_line", "%.0f" % (size / lines)),
        ("load", load),
    ]
    for k, v in figures:
        print("%s: %s" % (k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
