"""The corpus of real programs (doc/corpus.md): each prog_*.py of this folder
builds a big live heap with Debian-packaged libraries and dumps it
(driver.py); this runner checks, per program,

1. capture: the child exits normally (a signal is named) and reports its
   facts; `python_calls_during_dump`, when a program counts it, is 0;
2. queries: memtrack-tui --batch answers a fixed set of expressions on the
   dump with sane values (totals equal the dump's, the program's own class
   is there, its domisize covers its size, a shortest path from the roots);
3. asan: the ASan build of memtrack-tui gives the same output, exit 0, no
   sanitizer report;
4. heapy: the rows of the program's library classes (labels starting with
   the program's PREFIXES, `dict of` included) in memtrack's table of the
   second, quiet dump equal heapy's table taken just before it in count and
   size, except the rows the program lists in HEAPY_DIFFS (label regex:
   reason; a reason starting "size:" excuses the size only).  Rows equal
   once memtrack's unreachable tail is taken off count as equal.

    python3 run.py --module-dir DIR --tui BIN [--asan-tui BIN]
                   [--heapy-dir DIR] [--out DIR] [--jobs N] [PROGRAM...]

Prints one line per program and ends with `N passed, N failed` (one per
program).  Dumps are deleted when a program passes.
"""
import argparse
import ast
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROW = re.compile(r"^\s*\d+\s+(\d+)\s+\d+\s+(\d+)\s+\d+\s+\d+\s+\d+(?: (.*))?$")
TITLE = re.compile(r"^Partition of a set of (\d+) objects?\. Total size = (\d+) bytes\.$")


class Failure(Exception):
    pass


def programs():
    return sorted(f[:-3] for f in os.listdir(HERE)
                  if f.startswith("prog_") and f.endswith(".py"))


def load_spec(name):
    """The program's module-level constants (literals), read with ast
    without importing the program's libraries."""
    with open(os.path.join(HERE, name + ".py")) as f:
        tree = ast.parse(f.read())
    spec = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], ast.Name) and \
                node.targets[0].id in ("PREFIXES", "CLASS", "MIN_COUNT", "HEAPY_DIFFS", "NO_HEAPY"):
            spec[node.targets[0].id] = ast.literal_eval(node.value)
    return spec


def signame(rc):
    try:
        return signal.Signals(-rc).name
    except ValueError:
        return "signal %d" % -rc


def tui_run(tui, exprs, path, all_rows=False, timeout=300):
    cmd = [tui, "--batch"] + (["--all"] if all_rows else [])
    for e in exprs:
        cmd += ["-e", e]
    cmd.append(path)
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0" + (
        ":" + env["ASAN_OPTIONS"] if env.get("ASAN_OPTIONS") else "")
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    secs = time.perf_counter() - t
    if p.returncode < 0:
        raise Failure("%s crashed (%s) on %s\n%s" % (os.path.basename(tui), signame(p.returncode),
                                                     " ".join(exprs), p.stderr[-2000:]))
    if p.returncode != 0:
        raise Failure("%s exit %d on %s\n%s" % (tui, p.returncode, exprs, p.stderr[-2000:]))
    return p.stdout, p.stderr, secs


def tables(text):
    """Splits batch output into tables: [(count, size, [(count, size, label)])].
    Labels longer than the table's 100 columns are wrapped like heapy's
    (textwrap, continuation lines indented by 45): a full line was cut
    inside a word, a shorter one at a space."""
    out = []
    prev = ""
    for line in text.splitlines():
        m = TITLE.match(line)
        if m:
            out.append((int(m.group(1)), int(m.group(2)), []))
        elif line.startswith(" " * 45) and line.strip() and out and out[-1][2]:
            c, s, lab = out[-1][2][-1]
            lab += ("" if not lab or len(prev) >= 100 else " ") + line.strip()
            out[-1][2][-1] = (c, s, lab)
        else:
            m = ROW.match(line)
            if m and out:
                out[-1][2].append((int(m.group(1)), int(m.group(2)), (m.group(3) or "").strip()))
        prev = line
    return out


def expressions(cls):
    k = 'h & hp.Type("%s")' % cls
    return ["h.all", "h.bytype", "h.byrcs", "h[0].referrers.byvia",
            "(%s).count" % k, "(%s).size" % k, "(%s).domisize" % k,
            "(%s).byid[0].sp" % k]


def check_queries(out, res, spec):
    """Sanity of the fixed expressions' answers; returns a short summary."""
    objects = res["dump"]["objects"]
    tabs = tables(out)
    if len(tabs) != 4:
        raise Failure("expected 4 tables, got %d:\n%s" % (len(tabs), out[:3000]))
    (n, size, rows), (n2, size2, _), (n3, size3, _), (nv, _, vrows) = tabs
    if n != objects:
        raise Failure("h has %d objects, the dump %d" % (n, objects))
    if sum(r[0] for r in rows) != n or sum(r[1] for r in rows) != size:
        raise Failure("h.all's rows do not add up to its title (%d, %d)" % (n, size))
    if (n2, size2) != (n, size) or (n3, size3) != (n, size):
        raise Failure("bytype / byrcs totals %r %r differ from h's %r"
                      % ((n2, size2), (n3, size3), (n, size)))
    if nv <= 0 or not vrows:
        raise Failure("the top row's referrers are empty")
    # the scalars follow the 4th table: count, size, domisize, then the path
    nums = [line for line in out.split("\n") if re.fullmatch(r"\d+", line)]
    if len(nums) != 3:
        raise Failure("expected count, size and domisize, got %r" % nums)
    count, csize, domisize = map(int, nums)
    if count < spec.get("MIN_COUNT", 1):
        raise Failure("%d objects of %s, expected at least %d"
                      % (count, spec["CLASS"], spec.get("MIN_COUNT", 1)))
    if csize <= 0 or domisize < csize:
        raise Failure("%s: size %d, domisize %d (domisize must cover size)"
                      % (spec["CLASS"], csize, domisize))
    if not re.search(r"^ ?0: hp\.Root\.\S", out, re.M):
        raise Failure("no shortest path from the roots in:\n" + out[-1000:])
    return "%d %s, domisize %d" % (count, spec["CLASS"], domisize)


def in_library(label, prefixes):
    if label.startswith("dict of "):
        label = label[8:]
    return label.startswith(tuple(prefixes))


def tail_rows(args, path, prefixes):
    """The library rows of the dump's unreachable tail (driver.py --tail)."""
    p = subprocess.run([args.python, os.path.join(HERE, "driver.py"), "--tail", path,
                        args.module_dir] + list(prefixes),
                       capture_output=True, text=True, timeout=args.timeout)
    if p.returncode != 0:
        raise Failure("reading the tail of %s failed:\n%s" % (path, p.stderr[-2000:]))
    return {k: tuple(v) for k, v in json.loads(p.stdout).items()}


def compare_heapy(args, text, res, spec):
    """Library rows of memtrack's table against heapy's; returns
    (equal, differing, report lines), raising on an undocumented row.
    heapy's heap() holds only what its root reaches, memtrack's h also the
    unreachable tail (objects only C code holds: C statics, containers
    without tp_traverse): a row that is equal once the tail is taken off
    counts as equal, and is reported as such."""
    tabs = tables(text)
    if len(tabs) != 1:
        raise Failure("heapy dump: expected one table")
    prefixes = spec["PREFIXES"]
    mine = {lab: (c, s) for c, s, lab in tabs[0][2] if in_library(lab, prefixes)}
    theirs = {lab: (c, s) for lab, c, s in res["heapy_rows"] if in_library(lab, prefixes)}
    known = spec.get("HEAPY_DIFFS", {})
    equal, differ, bad, lines = 0, 0, [], []
    tail = None
    for lab in sorted(set(mine) | set(theirs)):
        a, b = mine.get(lab, (0, 0)), theirs.get(lab, (0, 0))
        if a == b:
            equal += 1
            continue
        if tail is None:
            tail = tail_rows(args, res["heapy_path"], prefixes)
        t = tail.get(lab, (0, 0))
        r = (a[0] - t[0], a[1] - t[1])
        line = "%s: memtrack %d objects %d bytes (%d, %d unreachable), heapy %d objects %d bytes" % (
            lab, a[0], a[1], t[0], t[1], b[0], b[1])
        if r == b:
            equal += 1
            lines.append(line + " (equal without the unreachable tail)")
            continue
        differ += 1
        why = None
        for pat, reason in known.items():
            # "size: ..." documents a size difference only: counts must agree
            if re.fullmatch(pat, lab) and (not reason.startswith("size:") or r[0] == b[0]):
                why = reason
                break
        if why is None:
            bad.append(line)
        else:
            lines.append(line + " (" + why + ")")
    if not mine:
        bad.append("no library rows in memtrack's table (prefixes %r)" % (prefixes,))
    if bad:
        raise Failure("rows differing from heapy's, undocumented in HEAPY_DIFFS:\n  "
                      + "\n  ".join(bad))
    return equal, differ, lines


def run_one(name, args):
    spec = load_spec(name)
    outdir = os.path.join(args.out, name)
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    heapy = args.heapy_dir if args.heapy_dir and not spec.get("NO_HEAPY") else ""
    cmd = [args.python, os.path.join(HERE, "driver.py"), name, outdir, args.module_dir, heapy]
    notes = []
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, cwd=outdir)
        if p.returncode < 0:
            raise Failure("capture crashed: %s\n%s" % (signame(p.returncode), p.stderr[-2000:]))
        if p.returncode != 0:
            raise Failure("program failed (exit %d):\n%s" % (p.returncode, p.stderr[-2000:]))
        lines = [l for l in p.stdout.splitlines() if l.startswith("RESULT:")]
        if not lines:
            raise Failure("program reported nothing:\n" + p.stderr[-2000:])
        res = json.loads(lines[-1][7:])
        calls = res["facts"].get("python_calls_during_dump")
        if calls:
            raise Failure("the capture ran Python code: %d calls during the dump" % calls)
        d = res["dump"]
        notes.append("%d objects, dump %.2f s, %.1f MB" % (d["objects"], d["seconds"],
                                                           d["bytes"] / 1e6))
        exprs = expressions(spec["CLASS"])
        out, err, qsecs = tui_run(args.tui, exprs, res["path"])
        if err:
            raise Failure("memtrack-tui wrote to stderr:\n" + err[-2000:])
        notes.append(check_queries(out, res, spec))
        notes.append("queries %.1f s" % qsecs)
        if args.asan_tui:
            aout, aerr, asecs = tui_run(args.asan_tui, exprs, res["path"])
            if "Sanitizer" in aerr or "runtime error" in aerr:
                raise Failure("ASan memtrack-tui reported:\n" + aerr[-3000:])
            if aout != out:
                raise Failure("ASan memtrack-tui's output differs from the normal build's")
            notes.append("asan %.1f s" % asecs)
        if heapy:
            text, _, _ = tui_run(args.tui, ["h"], res["heapy_path"], all_rows=True)
            eq, df, why = compare_heapy(args, text, res, spec)
            notes.append("heapy: %d rows equal, %d differ" % (eq, df))
            res["heapy_compare"] = {"equal": eq, "differ": df, "lines": why}
        res["notes"] = notes
        with open(os.path.join(args.out, name + ".json"), "w") as f:
            json.dump({k: v for k, v in res.items() if k != "heapy_rows"}, f, indent=1)
        shutil.rmtree(outdir, ignore_errors=True)
        return True, "%s: PASS (%s; %.0f s)" % (name, "; ".join(notes), time.perf_counter() - t0)
    except subprocess.TimeoutExpired as e:
        return False, "%s: FAIL: timed out after %s s (%s)" % (name, e.timeout, e.cmd[0])
    except Failure as e:
        return False, "%s: FAIL: %s%s" % (name, e, ("\n  (" + "; ".join(notes) + ")") if notes else "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--module-dir", required=True)
    ap.add_argument("--tui", required=True)
    ap.add_argument("--asan-tui")
    ap.add_argument("--heapy-dir")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--out", default=os.path.abspath("programs-out"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    for k in ("out", "module_dir", "tui", "asan_tui", "heapy_dir"):
        if getattr(args, k):
            setattr(args, k, os.path.abspath(getattr(args, k)))
    os.makedirs(args.out, exist_ok=True)
    names = args.names or programs()
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        for ok, line in ex.map(lambda n: run_one(n, args), names):
            print(line, flush=True)
            if ok:
                passed += 1
            else:
                failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
