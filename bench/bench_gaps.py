"""Waits in the real browser, driven through tmux: every gap the user sees.

    python3 bench/bench_gaps.py MEMTRACK_TUI DUMP [--keys K,K,...]
                                [--size 120x40] [--settle 1.5]
                                [--timeout 900] [--no-index]
                                [--retained auto|exact|bounds] [--poll 0.01]
                                [--trace FILE]

Runs `MEMTRACK_TUI DUMP` in a private tmux server (a terminal of the given
size), sends keys one step at a time and watches the screen with tmux's
capture-pane every --poll seconds (0.01; each look runs a tmux client).  A step is
the start (from launching the program) or one key; it ends when the screen
has not changed for --settle seconds and shows no progress bar.  Per step
it prints one line:

    step  KEY  response_ms R  filled_ms F  done_ms D  longest_still_ms S
          changes N

response_ms: from the key (or the launch) to the first change of the
screen; filled_ms: to the first screen with a table whose every Retained
figure is shown (no `...` cell; bounds marked ≥ count) and no progress bar but
the exact figures' own (`retained sizes`, which a key stops) or the load's
under a saved start screen (`loading`, a second open); done_ms:
to the last change; longest_still_ms: the longest time
the screen stayed the same between the key and the last change (a blank
wait, or a progress bar whose count did not move).  Then one line per gap
against issue 13's targets:

    gap  KEY  response R ms > 300       (a key that changed nothing for
                                         more than 300 ms)
    gap  KEY  still S ms > 250 at T ms: TEXT
                                        (the screen frozen for more than
                                         250 ms before the step ended;
                                         TEXT: its progress line, else its
                                         status line)

and a summary line `gaps: N`.  The start's response includes the
program's own start; its loading line is on standard error, which the
browser's terminal shows, so it counts as a change.

--trace FILE writes one line per new screen: the step, the time from its
key in seconds, and what it showed (as in a gap's TEXT), to see where a
step's time goes.

Default keys (tmux key names): the start, then NPage (the next page of
rows and its Retained column), t (re-partition the page's target by type),
q (back), R (referrers of the first, biggest row), q, then q to quit.

Exit status 0 when it ran (whatever the gaps), 2 on bad arguments, 1 when
tmux or the program failed.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

# The browser's progress bar (term.c: "label [###...] done/total") and the
# loader's line on standard error ("loading PATH [###   ]  42%").
BUSY = re.compile(r"\[[#. ]+\]\s+(\d+/\d+|\d+%)")


class Tmux:
    def __init__(self, size):
        self.dir = tempfile.mkdtemp(prefix="mt-gaps-")
        self.sock = os.path.join(self.dir, "sock")
        self.cols, self.rows = size

    def run(self, *args, check=True):
        p = subprocess.run(["tmux", "-S", self.sock, "-f", "/dev/null"]
                           + list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if check and p.returncode != 0:
            raise RuntimeError("tmux %s: %s" % (args[0],
                               p.stderr.decode(errors="replace").strip()))
        return p.stdout.decode("utf-8", "replace")

    def start(self, argv):
        env = ["env", "TERM=xterm-256color", "LANG=C.UTF-8"]
        cmd = " ".join(_quote(a) for a in env + argv)
        # the shell keeps the pane open after the program ends, so that
        # its last screen can be read
        self.run("new-session", "-d", "-s", "mt", "-x", str(self.cols),
                 "-y", str(self.rows), cmd + "; echo EXITED $?; sleep 3600")

    def screen(self):
        return self.run("capture-pane", "-p", "-t", "mt", check=False)

    def keys(self, k):
        self.run("send-keys", "-t", "mt", k)

    def close(self):
        self.run("kill-server", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


def _quote(s):
    if re.fullmatch(r"[\w./=:,+-]+", s):
        return s
    return "'" + s.replace("'", "'\\''") + "'"


def shown(screen, width=70):
    """What a frozen screen showed: its progress line, else its last
    non-empty line (the status line), cut to width characters."""
    lines = [l.strip() for l in screen.splitlines() if l.strip()]
    busy = [l for l in lines if BUSY.search(l)]
    text = (busy or lines or [""])[-1]
    return text[:width]


# a Retained cell still to come (the column's "%9s" of "...")
PENDING = re.compile(r" {6}\.\.\. ")


def filled(screen):
    """Every Retained figure of the page shown (a bound or exact), and no
    progress bar but the exact figures' (`retained sizes`)."""
    if PENDING.search(screen) or " Retained " not in screen:
        return False
    for line in screen.splitlines():
        if BUSY.search(line) and not (
                ("retained sizes [" in line
                 and "minimum retained sizes" not in line)
                or " loading [" in line):
            return False
    return True


def watch(tm, key, before, t0, settle, timeout, poll, trace=None):
    """Polls until the screen is still for `settle` s without a progress
    bar; `before` is the screen before the key (a fast answer may come
    before the first look).  Returns (response, filled, done,
    longest_still, changes, still_gaps) in seconds from t0; still_gaps:
    [(length, at)] of stills over 0.25 s."""
    last = before
    last_change = t0
    first = None
    full = None
    longest = 0.0
    still = []
    changes = 0
    while True:
        now = time.monotonic()
        s = tm.screen()
        if s != last:
            gap = now - last_change
            if first is None:
                first = now - t0
            else:
                longest = max(longest, gap)
                if gap > 0.25:
                    still.append((gap, last_change - t0, shown(last)))
            last, last_change = s, now
            changes += 1
            if trace:
                trace.write("%s %9.3f %s\n" % (key, now - t0, shown(s, 200)))
            if full is None and filled(s):
                full = now - t0
        elif now - last_change >= settle and not BUSY.search(s):
            break
        if "EXITED" in s and key != "q":
            raise RuntimeError("the browser ended: %s" % s.strip()[-200:])
        if now - t0 > timeout:
            raise RuntimeError("step %s: no end within %d s" % (key, timeout))
        if "EXITED" in s:
            break
        time.sleep(poll)
    resp = first if first is not None else float("nan")
    full = full if full is not None else last_change - t0
    return resp, full, last_change - t0, longest, changes, still


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tui")
    ap.add_argument("dump")
    ap.add_argument("--keys", default="NPage,t,q,R,q,q")
    ap.add_argument("--size", default="120x40")
    ap.add_argument("--settle", type=float, default=1.5)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--poll", type=float, default=0.01,
                    help="seconds between two looks at the screen (each "
                    "runs a tmux client: at 0.002 the looks took about a "
                    "core of the two)")
    ap.add_argument("--no-index", action="store_true",
                    help="pass --no-index (no saved index read or written)")
    ap.add_argument("--retained", choices=["auto", "exact", "bounds"],
                    help="pass --retained=MODE (default: the browser's)")
    ap.add_argument("--trace", metavar="FILE",
                    help="write each new screen's step, time from the key "
                    "(s) and progress or status line to FILE")
    a = ap.parse_args()
    m = re.fullmatch(r"(\d+)x(\d+)", a.size)
    if not m:
        ap.error("--size: COLSxROWS, not %r" % a.size)
    if not shutil.which("tmux"):
        sys.exit("bench_gaps: tmux is not installed (apt-get install tmux)")
    if not os.path.isfile(a.dump):
        print("bench_gaps: %s: no such file" % a.dump, file=sys.stderr)
        sys.exit(2)
    tm = Tmux((int(m.group(1)), int(m.group(2))))
    argv = ([a.tui] + (["--no-index"] if a.no_index else [])
            + (["--retained=" + a.retained] if a.retained else []) + [a.dump])
    print("dump: %s (%d bytes)" % (a.dump, os.path.getsize(a.dump)))
    print("terminal: %s, settle %.1f s" % (a.size, a.settle))
    gaps = []
    trace = open(a.trace, "w") if a.trace else None
    try:
        t0 = time.monotonic()
        tm.start(argv)
        before = ""
        steps = [("start", None)] + [(k, k) for k in a.keys.split(",") if k]
        for name, key in steps:
            if key is not None:
                before = tm.screen()
                t0 = time.monotonic()
                tm.keys(key)
            r, f, d, s, n, still = watch(tm, name, before, t0,
                                         a.settle, a.timeout, a.poll, trace)
            print("step  %-6s response_ms %7.0f  filled_ms %7.0f  "
                  "done_ms %7.0f  longest_still_ms %6.0f  changes %d"
                  % (name, r * 1000, f * 1000, d * 1000, s * 1000, n))
            sys.stdout.flush()
            if name != "start" and not (r <= 0.3):
                gaps.append("gap  %-6s response %.0f ms > 300" % (name, r * 1000))
            for length, at, text in still:
                gaps.append("gap  %-6s still %.0f ms > 250 at %.0f ms: %s"
                            % (name, length * 1000, at * 1000, text))
    except RuntimeError as e:
        print("bench_gaps: %s" % e, file=sys.stderr)
        tm.close()
        sys.exit(1)
    tm.close()
    if trace:
        trace.close()
    for g in gaps:
        print(g)
    print("gaps: %d" % len(gaps))


if __name__ == "__main__":
    main()
