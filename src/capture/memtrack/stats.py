"""ClassTracker statistics: pympler's Stats, ConsoleStats and HtmlStats.

A `Stats` reads a tracker's records (its `index`: tracked objects by class
name, and its `snapshots`) or a stats document written by `dump_stats`
(JSON, doc/tracker.md "Statistics"), sorts the tracked objects with
pympler's keys and prints them (`ConsoleStats`) or hands the document to
the HTML report writer (`HtmlStats`).  It works on any tracker whose
records have pympler's attribute names: memtrack's ClassTracker and
pympler's own (tests/python/test_pympler_side.py runs both).

Records, read by attribute (pympler's names):
  tracked object: id, name, repr, birth, death (None while alive), trace
    (a list of (file, line, function[, source lines, index]) oldest
    first, or None), snapshots (a list of (time, Asized)), and the
    resolution level as `_resolution_level` (or `resolution_level`);
  snapshot: timestamp, desc, tracked_total, asizeof_total (0 or None when
    not computed), system_total (rss, vsz, available), total, classes.
Times are seconds; printed times are relative to the earliest time the
statistics hold (a birth or a snapshot) when the times are Unix times
(memtrack's), as they are (pympler's, relative to its import) otherwise.
"""

import bisect
import contextlib
import gc
import io
import json
import os
import shutil
import sys
import tempfile

__all__ = ["Asized", "Stats", "ConsoleStats", "HtmlStats"]

#: "memtrack_stats" of the documents this module writes and reads.
FORMAT_VERSION = 1

#: The sort keys of sort_stats, in the order used when none is given.
SORT_KEYS = ("classname", "tsize", "birth", "death", "name", "repr", "size")

# Times below this are relative (pympler's: seconds since its import), at
# or above it Unix times (memtrack's: 1973 and later).
_EPOCH_TIMES = 1e8


class Asized(object):
    """The size of an object and of its referents: `size` (deep, bytes),
    `flat` (the object alone), `name` (the referent's name, e.g.
    ``__dict__`` or ``[V] key: repr``) and `refs` (a tuple of Asized, the
    referents sized one by one to the resolution level).  pympler's
    asizeof.Asized, attribute for attribute."""

    __slots__ = ("size", "flat", "name", "refs")

    def __init__(self, size, flat, refs=(), name=None):
        self.size = size
        self.flat = flat
        self.name = name
        self.refs = tuple(refs)

    def __repr__(self):
        return "Asized(size=%r, flat=%r, name=%r, refs=<%d>)" % (self.size, self.flat, self.name,
                                                                len(self.refs))


class _Process(object):
    """A snapshot's process figures (pympler's ProcessMemoryInfo names)."""

    __slots__ = ("rss", "vsz", "available")

    def __init__(self, rss, vsz):
        self.rss = rss or 0
        self.vsz = vsz or 0
        self.available = rss is not None or vsz is not None


class _Snapshot(object):
    """A snapshot read from a stats document."""

    def __init__(self, timestamp, desc, tracked_total, asizeof_total, rss, vms, classes):
        self.timestamp = timestamp
        self.desc = desc
        self.tracked_total = tracked_total
        self.asizeof_total = asizeof_total or 0
        self.overhead = 0
        self.system_total = _Process(rss, vms)
        self.classes = classes

    @property
    def total(self):
        """pympler's choice: the virtual size, else asizeof_total, else
        tracked_total."""
        if self.system_total.available:
            return self.system_total.vsz
        return self.asizeof_total or self.tracked_total

    @property
    def label(self):
        if not self.desc:
            return "%.3fs" % self.timestamp
        return "%s (%.3fs)" % (self.desc, self.timestamp)


class _Object(object):
    """A tracked object read from a stats document."""

    def __init__(self, oid, classname, name, repr_, birth, death, level, trace, snapshots):
        self.id = oid
        self.classname = classname
        self.name = name
        self.repr = repr_
        self.birth = birth
        self.death = death
        self._resolution_level = level
        self.trace = trace
        self.snapshots = snapshots

    def get_max_size(self):
        return _max_size(self)

    def get_size_at_time(self, timestamp):
        return _size_at(self, timestamp)


def _max_size(tobj):
    return max([a.size for (_, a) in tobj.snapshots] or [0])


def _size_at(tobj, timestamp):
    """The size sampled at `timestamp` (a snapshot's), 0 if none was."""
    size = 0
    for (t, a) in tobj.snapshots:
        if t == timestamp:
            size = a.size
    return size


def _level(tobj):
    level = getattr(tobj, "_resolution_level", None)
    if level is None:
        level = getattr(tobj, "resolution_level", 0)
    return int(level or 0)


# ---- text helpers: pympler's formats (pympler.util.stringutils) ----------

_UNITS = ("B", "KB", "MB", "GB", "TB", "EB")  # pympler's list (no PB)


def pp(n):
    """A size as pympler prints it: ``'%4d     B'`` up to 1024 bytes, else
    ``'%7.2f KB'`` (MB, GB...) with the largest unit that leaves more than
    1 (1024 B is ``1024     B``, 1025 B ``   1.00 KB``)."""
    if n is None:
        n = 0
    if n <= 1024:
        return "%4d     B" % n
    value, unit = float(n), 0
    while value > 1024:
        value /= 1024.0
        unit += 1
    return "%7.2f %s" % (value, _UNITS[unit])


def trunc(text, width, left=False):
    """`text` on one line (newlines as ``|``), cut to `width` characters
    with ``...`` at the end (at the start with left=True)."""
    s = str(text).replace("\n", "|")
    if len(s) <= width:
        return s
    if left:
        return "..." + s[len(s) - width + 3:]
    return s[:width - 3] + "..."


def pp_timestamp(t):
    """``HH:MM:SS.ss`` of `t` seconds; '' for None."""
    if t is None:
        return ""
    return "%02d:%02d:%05.2f" % (int(t / 3600), int(t / 60 % 60), t % 60)


def _format_trace(trace):
    """The instantiation stack, oldest frame first: each frame's source
    lines when recorded (pympler's traces have them), then
    ``  file:line in function``."""
    out = []
    for frame in trace:
        fname, lineno, func = frame[0], frame[1], frame[2]
        src = frame[3] if len(frame) > 3 else None
        for line in src or ():
            out.append("    %s\n" % line.strip())
        out.append("  %s:%4d in %s\n" % (fname, lineno, func))
    return "".join(out)


# ---- merged referent trees (snapshot.classes[cls]['merged']) -------------


def _ref_key(a):
    """A referent's name without what follows ':' (``[V] key: repr`` ->
    ``[V] key``): instances' referents merge by it."""
    return str(a.name).split(":")[0]


def _copy_tree(a, name):
    return Asized(a.size, a.flat, [_copy_tree(r, _ref_key(r)) for r in a.refs], name)


def _merge_into(base, other, level):
    """Adds `other`'s sizes to `base`, referents matched by _ref_key (new
    ones appended as copies: `other` is never modified nor shared).
    Recursion depth is the trees' depth: the resolution level."""
    base.size += other.size
    base.flat += other.flat
    if not other.refs and level == 0:
        return
    if level > 0:
        base.name = _ref_key(base)
    refs = list(base.refs)
    by_key = {}
    for r in refs:
        by_key[_ref_key(r)] = r
    for r in other.refs:
        key = _ref_key(r)
        if key in by_key:
            _merge_into(by_key[key], r, level + 1)
        else:
            copy = _copy_tree(r, key)
            refs.append(copy)
            by_key[key] = copy
    base.refs = tuple(refs)


@contextlib.contextmanager
def _no_gc():
    """The cyclic GC off while records are read and made: they are many
    small acyclic objects (a tracker's TrackedObjects and Asized, built on
    first use; parsed JSON), and the collections they would trigger only
    cost time (1e5 objects x 4 snapshots: print_summary 5 s -> 2 s here)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# ---- the document ----------------------------------------------------------


def _node(a):
    return [str(a.name if a.name is not None else ""), int(a.size), int(a.flat),
            [_node(r) for r in a.refs]]


def _asized(node, where):
    if not (isinstance(node, list) and len(node) == 4 and isinstance(node[3], list)):
        raise ValueError("%s: a referent is not [name, size, flat, [referents]]" % where)
    return Asized(node[1], node[2], [_asized(r, where) for r in node[3]], node[0])


def _num(v, what, null=False):
    if v is None and null:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError("%s is not a number" % what)
    return v


class Stats(object):
    """Statistics of a ClassTracker (`tracker`) or of a stats document
    (`filename`: a path or an open file), printed to `stream` (default
    sys.stdout).  pympler's classtracker_stats.Stats.

    `log` is a list of process-log samples (dicts, doc/proclog.md) that
    dump_stats writes as the document's "log" (left out when empty): a
    loaded document's, or set by the caller."""

    def __init__(self, tracker=None, filename=None, stream=None):
        self.stream = stream if stream else sys.stdout
        self.tracker = tracker
        self.index = {}
        self.snapshots = []
        self.history = {}
        self.sorted = []
        self.pid = os.getpid()
        self.argv = list(sys.argv)
        self.log = []
        self._annotations = {}
        self._derived = {}
        if tracker is not None:
            self.index = tracker.index
            self.snapshots = tracker.snapshots
            self.history = getattr(tracker, "history", {})
        if filename:
            self.load_stats(filename)

    # -- files --

    def load_stats(self, fdump):
        """Reads a stats document (doc/tracker.md): `fdump` is a path or an
        open file (binary or text).  Raises ValueError for a file that is not
        one (pympler's pickled dumps included), with where it went wrong."""
        what = fdump if isinstance(fdump, (str, bytes, os.PathLike)) else getattr(
            fdump, "name", "stats")
        if isinstance(fdump, (str, bytes, os.PathLike)):
            with open(fdump, "rb") as f:
                data = f.read()
        else:
            data = fdump.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        try:
            with _no_gc():
                doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise ValueError("%s: not a memtrack stats document (not JSON: %s)" % (what, e))
        if not isinstance(doc, dict) or "memtrack_stats" not in doc:
            raise ValueError("%s: not a memtrack stats document (no \"memtrack_stats\")" % what)
        if doc["memtrack_stats"] != FORMAT_VERSION:
            raise ValueError("%s: stats document version %r, this memtrack reads %d" %
                             (what, doc["memtrack_stats"], FORMAT_VERSION))
        try:
            with _no_gc():
                self._load(doc)
        except (KeyError, TypeError, IndexError) as e:
            raise ValueError("%s: malformed stats document (%s: %s)" % (what, type(e).__name__, e))
        except ValueError as e:
            raise ValueError("%s: malformed stats document: %s" % (what, e))

    def _load(self, doc):
        index = {}
        for i, o in enumerate(doc["objects"]):
            where = "objects[%d]" % i
            refs = {}
            for t, nodes in o.get("refs") or ():
                refs[t] = [_asized(n, where) for n in nodes]
            snaps = []
            for t, size, flat in o["sizes"]:
                snaps.append((_num(t, where + " time"),
                              Asized(_num(size, where + " size"), _num(flat, where + " flat"),
                                     refs.get(t, ()))))
            trace = o.get("trace")
            if trace is not None:
                trace = [(f[0], f[1], f[2]) for f in trace]
            cls = o["class"]
            if not isinstance(cls, str):
                raise ValueError(where + ": class is not a string")
            index.setdefault(cls, []).append(
                _Object(o["id"], cls, o.get("name", cls), o.get("repr", ""),
                        _num(o["birth"], where + " birth"),
                        _num(o.get("death"), where + " death", null=True),
                        o.get("level", 0), trace, snaps))
        snapshots = []
        for i, s in enumerate(doc["snapshots"]):
            where = "snapshots[%d]" % i
            classes = {}
            for cls, c in (s.get("classes") or {}).items():
                classes[cls] = dict(sum=c["sum"], avg=c["avg"], pct=c["pct"], active=c["active"])
            snapshots.append(
                _Snapshot(_num(s["t"], where + " t"), s.get("desc", ""),
                          _num(s["tracked_total"], where + " tracked_total"),
                          _num(s.get("asizeof_total"), where + " asizeof_total", null=True),
                          _num(s.get("rss"), where + " rss", null=True),
                          _num(s.get("vms"), where + " vms", null=True), classes or None))
        self.index = index
        self.snapshots = snapshots
        self.history = {}
        self.pid = doc.get("pid")
        self.argv = doc.get("argv") or []
        self.log = doc.get("log") or []
        self.sorted = []
        self._annotations = {}
        self._derived = {}
        # the merged referent trees are not in the document: from the objects
        annotated = [snap for snap in snapshots if snap.classes is not None]
        for snap in annotated:
            self._annotations[id(snap)] = (snap, snap.classes)
        for cls in index:
            mine = [snap for snap in annotated if cls in snap.classes]
            for snap, info in zip(mine, self._figures(cls, mine)):
                snap.classes[cls]["merged"] = info["merged"]

    def document(self):
        """The stats document (doc/tracker.md) as a dict of JSON values;
        annotates every snapshot first."""
        with _no_gc():
            return self._document()

    def _document(self):
        self.annotate()
        snapshots = []
        for snap in self.snapshots:
            proc = getattr(snap, "system_total", None)
            ok = proc is not None and getattr(proc, "available", True)
            classes = {}
            for cls, info in sorted(self.annotate_snapshot(snap).items()):
                classes[str(cls)] = {"sum": int(info["sum"]), "avg": info["avg"],
                                     "active": int(info["active"]), "pct": info["pct"]}
            snapshots.append({
                "t": snap.timestamp,
                "desc": str(snap.desc or ""),
                "tracked_total": int(snap.tracked_total or 0),
                "asizeof_total": int(snap.asizeof_total) if snap.asizeof_total else None,
                "rss": int(proc.rss) if ok and getattr(proc, "rss", None) is not None else None,
                "vms": int(proc.vsz) if ok and getattr(proc, "vsz", None) is not None else None,
                "classes": classes,
            })
        objects = []
        for cls in sorted(self.index):
            for tobj in self.index[cls]:
                trace = getattr(tobj, "trace", None)
                snaps = tobj.snapshots
                objects.append({
                    "id": int(tobj.id),
                    "class": str(cls),
                    "name": str(tobj.name),
                    "repr": str(tobj.repr or ""),
                    "birth": tobj.birth,
                    "death": tobj.death,
                    "level": _level(tobj),
                    "trace": None if trace is None else
                    [[str(f[0]), int(f[1]), str(f[2])] for f in trace],
                    "sizes": [[t, int(a.size), int(a.flat)] for (t, a) in snaps],
                    "refs": [[t, [_node(r) for r in a.refs]] for (t, a) in snaps if a.refs],
                })
        doc = {"memtrack_stats": FORMAT_VERSION, "pid": self.pid, "argv":
               [str(a) for a in self.argv], "snapshots": snapshots, "objects": objects}
        if self.log:
            doc["log"] = list(self.log)
        return doc

    def dump_stats(self, fdump, close=True):
        """Writes the stats document (JSON, doc/tracker.md) to `fdump`: a
        path, written through a private temporary file (mode 0600) renamed
        at the end, or an open file (binary or text; closed unless
        close=False).  Stops the tracker's periodic snapshots first
        (pympler)."""
        if self.tracker is not None:
            self.tracker.stop_periodic_snapshots()
        # a lone surrogate (from a name, a repr...) is written as '?'
        with _no_gc():
            data = json.dumps(self.document(), ensure_ascii=False, allow_nan=False,
                              separators=(",", ":")).encode("utf-8", "replace") + b"\n"
        if isinstance(fdump, (str, bytes, os.PathLike)):
            _write_file(os.fsdecode(fdump), data)
            return
        if isinstance(fdump, io.TextIOBase):
            fdump.write(data.decode("utf-8"))
        else:
            fdump.write(data)
        if close:
            fdump.close()

    # -- sorting --

    def _init_sort(self):
        """Fills `sorted` (all tracked objects) and each one's sort values
        (pympler also sets them as attributes: classname, size, tsize)."""
        if self.sorted:
            return
        with _no_gc():
            self._fill_sorted()

    def _fill_sorted(self):
        tmax, largest = None, None
        for snap in self.snapshots:
            if largest is None or snap.tracked_total > largest:
                tmax, largest = snap.timestamp, snap.tracked_total
        for cls in list(self.index):
            for tobj in self.index[cls]:
                size, tsize = 0, 0
                for (t, a) in tobj.snapshots:  # get_max_size, get_size_at_time(tmax)
                    size = max(size, a.size)
                    if t == tmax:
                        tsize = a.size
                self._derived[id(tobj)] = (cls, size, tsize)
                for attr, value in (("classname", cls), ("size", size), ("tsize", tsize)):
                    try:
                        setattr(tobj, attr, value)
                    except AttributeError:
                        pass
                self.sorted.append(tobj)

    def _value(self, tobj, key):
        cls, size, tsize = self._derived[id(tobj)]
        if key == "classname":
            return cls
        if key == "size":
            return -int(size)
        if key == "tsize":
            return -int(tsize)
        if key == "death":  # alive (None) after every death
            return (tobj.death is None, tobj.death or 0.0)
        if key == "birth":
            return tobj.birth
        return str(getattr(tobj, key, "") or "")

    def sort_stats(self, *keys):
        """Sorts the tracked objects (`sorted`) by `keys` (SORT_KEYS; each
        next key breaks the ties of those before it; all seven when none):
        'size' (largest sampled size) and 'tsize' (size in the snapshot
        that tracked the most) descending, the others ascending; objects
        still alive sort after every 'death'.  ValueError for another key.
        Returns self."""
        if not set(SORT_KEYS).issuperset(keys):
            raise ValueError("Invalid sort criteria: %s (the keys are %s)" %
                             (", ".join(repr(k) for k in keys if k not in SORT_KEYS),
                              ", ".join(SORT_KEYS)))
        keys = keys or SORT_KEYS
        self._init_sort()
        with _no_gc():
            self.sorted.sort(key=lambda tobj: tuple([self._value(tobj, k) for k in keys]))
        return self

    def reverse_order(self):
        """Reverses `sorted`; returns self."""
        self._init_sort()
        self.sorted.reverse()
        return self

    # -- per-class summaries --

    def _figures(self, cls, snaps):
        """[{'sum', 'avg', 'pct', 'active', 'merged'}] of class `cls` at each
        snapshot of `snaps`, in one pass over its objects: each object's
        size records are read once (the last one at a snapshot's time
        counts, as get_size_at_time), the active counts come from the
        sorted births and deaths (born before, not dead at the time)."""
        pos = {}
        for j, snap in enumerate(snaps):
            pos.setdefault(snap.timestamp, []).append(j)
        sums = [0] * len(snaps)
        merged = [Asized(0, 0) for _ in snaps]
        births, deaths = [], []
        for tobj in self.index.get(cls, ()):
            at = {}
            for (t, a) in tobj.snapshots:
                if t in pos:
                    at[t] = a
            for t, a in at.items():
                for j in pos[t]:
                    sums[j] += a.size
                    _merge_into(merged[j], a, 0)
            birth, death = tobj.birth, tobj.death
            if death is None or death > birth:  # else never alive at a snapshot
                births.append(birth)
                if death is not None:
                    deaths.append(death)
        births.sort()
        deaths.sort()
        out = []
        for j, snap in enumerate(snaps):
            ts = snap.timestamp
            # a death at or before ts follows a birth before ts
            active = bisect.bisect_left(births, ts) - bisect.bisect_right(deaths, ts)
            whole = snap.total or 0
            out.append({"sum": sums[j], "avg": sums[j] / active if active else 0,
                        "pct": sums[j] * 100.0 / whole if whole else 0, "active": active,
                        "merged": merged[j]})
        return out

    def _classes_of(self, snapshot):
        """The classes dict of `snapshot` (created empty where the snapshot
        has none), remembered."""
        entry = self._annotations.get(id(snapshot))
        if entry is not None and entry[0] is snapshot:
            return entry[1]
        classes = getattr(snapshot, "classes", None)
        if classes is None:
            classes = {}
            try:
                snapshot.classes = classes
            except AttributeError:
                pass
        self._annotations[id(snapshot)] = (snapshot, classes)
        return classes

    def annotate(self):
        """Annotates every snapshot (annotate_snapshot), all at once."""
        with _no_gc():
            self._annotate(self.snapshots)

    def _annotate(self, snaps):
        tables = [self._classes_of(s) for s in snaps]
        for cls in list(self.index):
            todo = [j for j, t in enumerate(tables) if cls not in t]
            if todo:
                for j, info in zip(todo, self._figures(cls, [snaps[j] for j in todo])):
                    tables[j][cls] = info

    def annotate_snapshot(self, snapshot):
        """The per-class figures of `snapshot`, computed once (also set as
        snapshot.classes where the snapshot allows it): {class: {'sum':
        bytes of its instances sized then, 'active': instances born before
        and not dead at the snapshot, 'avg': sum / active, 'pct': sum in
        % of snapshot.total, 'merged': their referent trees merged by
        name (an Asized)}}.  A class tracked after the first annotation is
        added then."""
        self._annotate([snapshot])
        return self._classes_of(snapshot)

    @property
    def tracked_classes(self):
        """The names of the tracked classes, sorted."""
        return sorted(self.index)

    # -- times --

    def _origin(self):
        """What printed times are relative to: the earliest recorded time
        when times are Unix times, else 0 (times already relative)."""
        times = [s.timestamp for s in self.snapshots]
        for objs in self.index.values():
            times.extend(t.birth for t in objs)
        first = min(times) if times else 0.0
        return first if first >= _EPOCH_TIMES else 0.0


class ConsoleStats(Stats):
    """Stats printed as text (pympler's layouts)."""

    def _print_refs(self, refs, total, prefix="    ", level=1, minsize=0, minpct=0.1):
        """The referent trees, largest first, those above `minsize` bytes
        and `minpct` % of `total`, two more spaces a level."""
        if not total:
            return
        # pympler's order: ascending by size, then reversed (ties reversed too)
        for ref in sorted(refs, key=lambda r: r.size)[::-1]:
            if ref.size > minsize and ref.size * 100.0 / total > minpct:
                self.stream.write("%-50s %-14s %3d%% [%d]\n" % (
                    trunc(prefix + str(ref.name), 50), pp(ref.size), int(ref.size * 100.0 / total),
                    level))
                self._print_refs(ref.refs, total, prefix + "  ", level + 1)

    def print_object(self, tobj, _origin=None):
        """One tracked object: name, address (``( free )`` once dead) and
        repr, its trace, its size at each snapshot with the referents, its
        death time."""
        origin = self._origin() if _origin is None else _origin
        w = self.stream.write
        if tobj.death is not None:
            w("%-32s ( free )   %-35s\n" % (trunc(tobj.name, 32, left=True),
                                            trunc(tobj.repr or "", 35)))
        else:
            w("%-32s 0x%08x %-35s\n" % (trunc(tobj.name, 32, left=True), tobj.id,
                                        trunc(tobj.repr or "", 35)))
        if tobj.trace:
            w(_format_trace(tobj.trace))
        for (t, a) in tobj.snapshots:
            w("  %-30s %s\n" % (pp_timestamp(t - origin), pp(a.size)))
            self._print_refs(a.refs, a.size)
        if tobj.death is not None:
            w("  %-30s finalize\n" % (pp_timestamp(tobj.death - origin),))

    def print_stats(self, clsname=None, limit=1.0):
        """Prints the tracked objects in `sorted` order (sort_stats() with
        every key unless sorted before): those whose class name contains
        `clsname`, then at most `limit` of them: a float up to 1.0 is a
        fraction of all tracked objects (at least one; 1.0, the default,
        prints every object), an int or a larger float a count.  Stops the
        tracker's periodic snapshots first (pympler)."""
        if self.tracker is not None:
            self.tracker.stop_periodic_snapshots()
        if not self.sorted:
            self.sort_stats()
        chosen = self.sorted
        if clsname:
            chosen = [t for t in chosen if clsname in self._derived[id(t)][0]]
        if isinstance(limit, float) and limit <= 1.0:
            limit = max(1, int(len(self.sorted) * limit))
        origin = self._origin()
        for tobj in chosen[:int(limit)]:
            self.print_object(tobj, origin)

    def print_summary(self):
        """Prints each snapshot's per-class table (pympler's layout: the
        description, 'active', the snapshot's asizeof_total (0 B unless
        create_snapshot(compute_total=True)), then per class the active
        instances, their total and average size and their share of the
        snapshot's total)."""
        self.annotate()
        classlist = self.tracked_classes
        w = self.stream.write
        w("---- SUMMARY " + "-" * 66 + "\n")
        for snap in self.snapshots:
            classes = self.annotate_snapshot(snap)
            w("%-35s %11s %12s %12s %5s\n" % (trunc(snap.desc or "", 35), "active",
                                              pp(snap.asizeof_total), "average", "pct"))
            for cls in classlist:
                info = classes[cls]
                w("  %-33s %11d %12s %12s %4d%%\n" % (trunc(cls, 33), info["active"],
                                                      pp(info["sum"]), pp(info["avg"]),
                                                      info["pct"]))
        w("-" * 79 + "\n")


class HtmlStats(Stats):
    """Stats as one self-contained HTML page (memtrack's report writer,
    doc/report.md; the same page as `memtrack-tui --html`)."""

    def create_html(self, fname, title="ClassTracker Statistics", logs=()):
        """Writes the page to `fname` (atomically, mode 0600): the stats
        document goes to a private temporary file that
        memtrack._memtrack._html_report reads together with the process
        logs `logs` (paths), then is removed.  The page names the
        statistics `title` and each log by its path."""
        from . import _memtrack

        logs = [os.fspath(p) for p in logs]
        tmpdir = tempfile.mkdtemp(prefix="memtrack-stats-")
        try:
            path = os.path.join(tmpdir, "stats.json")
            self.dump_stats(path)
            _memtrack._html_report(os.fspath(fname), [path] + logs, [str(title)] + logs)
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)


# ---- writing a file safely (the rules of memtrack.dump, doc/capture.md) ----


def _write_file(path, data):
    """`data` to `path` through a private temporary file (O_EXCL, mode
    0600) renamed onto it, by the C code that writes dumps and logs
    (include/memtrack/safefile.h): only an absent path or a regular file
    is replaced; nothing is left behind on an error."""
    from . import _memtrack

    _memtrack._write_private(path, data, "a stats file")
