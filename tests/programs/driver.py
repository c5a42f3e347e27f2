"""Runs one corpus program and dumps its heap (run by tests/programs/run.py).

    python3 driver.py PROGRAM OUTDIR MODULE_DIR [HEAPY_DIR]

PROGRAM is a module of this folder (`prog_mypy` ...) with a function
`main(checkpoint)`: it builds its heap and calls `checkpoint(quiesce=None)`
once, while the heap is live (from inside an event loop, a greenlet or with
threads running, as the program needs).  The checkpoint

1. dumps the heap with memtrack.dump() to OUTDIR/PROGRAM.mp (timed);
2. calls quiesce() if given (stop the threads that mutate the heap);
3. with HEAPY_DIR: imports heapy, takes hp.heap()'s table once (on 3.11+
   it materialises the instance dicts; the __sizeof__ methods it calls may
   fill caches), collects, takes hp.heap()'s table by
   class / dict owner and right after it a second dump, OUTDIR/PROGRAM-heapy.mp,
   of the same quiet heap.

The result is one JSON line `RESULT:{...}` on stdout: the dump summary, the
program's own facts (`facts`, a dict the program may fill), and heapy's rows.
"""
import gc
import importlib
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    prog, outdir, module_dir = sys.argv[1:4]
    heapy_dir = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None
    sys.path.insert(0, module_dir)
    sys.path.insert(0, HERE)
    import memtrack

    result = {"program": prog}
    mod = importlib.import_module(prog)
    called = []

    def checkpoint(quiesce=None):
        if called:
            raise RuntimeError("checkpoint called twice")
        called.append(1)
        path = os.path.join(outdir, prog + ".mp")
        t = time.perf_counter()
        summary = memtrack.dump(path)
        result["wall"] = time.perf_counter() - t
        result["dump"] = summary
        result["path"] = path
        if quiesce is not None:
            quiesce()
        if heapy_dir:
            sys.path.insert(0, heapy_dir)
            from guppy import hpy
            hp = hpy()
            # a first full table: materialises the 3.11+ instance dicts and
            # runs the __sizeof__ methods heapy calls (pandas' fill caches)
            for _ in hp.heap().partition.get_rows():
                pass
            gc.collect()
            t = time.perf_counter()
            rows = [(r.name, r.count, r.size) for r in hp.heap().partition.get_rows()]
            result["heapy_seconds"] = time.perf_counter() - t
            # right after heapy's table: the same objects, nothing run between
            hpath = os.path.join(outdir, prog + "-heapy.mp")
            result["heapy_dump"] = memtrack.dump(hpath)
            result["heapy_path"] = hpath
            result["heapy_rows"] = rows
            del hp

    t = time.perf_counter()
    facts = mod.main(checkpoint)
    result["seconds"] = time.perf_counter() - t
    if not called:
        raise RuntimeError("%s never called checkpoint()" % prog)
    result["facts"] = facts or {}
    sys.stdout.write("RESULT:" + json.dumps(result) + "\n")
    sys.stdout.flush()


def tail():
    """driver.py --tail DUMP MODULE_DIR PREFIX...: the objects no root
    reaches along the dump's edges (the type field is not an edge, as in
    memtrack-tui's sp; the dump's `reachable` prefix also counts types
    reached through it) whose class / dict owner label starts with a
    PREFIX, as JSON {label: [count, size]}.  A dict's owner is the object
    that refers to it through its `__dict__` attribute."""
    path, module_dir = sys.argv[2:4]
    prefixes = tuple(sys.argv[4:])
    sys.path.insert(0, module_dir)
    import memtrack
    d = memtrack.read(path)
    objs = d["objects"]
    seen = bytearray(len(objs))
    stack = [t for _, t, _ in d["roots"]]
    while stack:
        i = stack.pop()
        if seen[i]:
            continue
        seen[i] = 1
        stack.extend(t for _, t, _ in objs[i][6] if not seen[t])

    def label(i):
        v = objs[objs[i][0]][5]
        return "%s.%s" % v if isinstance(v, tuple) and len(v) == 2 else "?"
    rows = {}
    owner = {}
    for i, o in enumerate(objs):
        for rel, t, lab in o[6]:
            if not seen[t] and rel == "attr" and lab == "__dict__":
                owner[t] = i
    for i in range(len(objs)):
        if seen[i]:
            continue
        lab = label(i)
        if lab == "builtins.dict" and i in owner:
            lab = "dict of " + label(owner[i])
        if lab.startswith(prefixes) or (lab.startswith("dict of ") and lab[8:].startswith(prefixes)):
            r = rows.setdefault(lab, [0, 0])
            r[0] += 1
            r[1] += objs[i][1]
    sys.stdout.write(json.dumps(rows) + "\n")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--tail"]:
        tail()
    else:
        main()
