"""memtrack.ClassTracker: pympler's ClassTracker API over memtrack's C core.

The tracked objects, their sizes and the snapshots live in a C Registry
(memtrack._memtrack._Registry): instances are recorded by a C `__init__`
hook without a Python object per instance, their deaths are seen exactly by
a hook on the object allocator (no weak references: `__slots__` classes
without `__weakref__` are tracked), sizes are computed in C without running
Python code.  This module only presents that data with pympler's names:
TrackedObject, Snapshot and Asized objects built on demand, so that
memtrack.Stats (and pympler's own Stats) read a memtrack tracker as they
read pympler's.

Differences from pympler (doc/tracker.md): times are Unix times
(time.time()), not seconds since pympler was imported; `repr` is
memtrack's own text `<module.Class object at 0x...>` (no Python repr runs);
sizes differ where doc/tracker.md says.
"""

import sys
from collections import defaultdict
from inspect import isclass

from memtrack._memtrack import _Registry as Registry

__all__ = ["ClassTracker", "TrackedObject", "Snapshot", "Asized"]


class Asized(object):
    """Size of an object with its referents (pympler.asizeof.Asized):
    size (total), flat (the object alone), name, refs (an Asized per
    referent, at resolution levels >= 1)."""

    __slots__ = ("flat", "name", "refs", "size")

    def __init__(self, size, flat, refs=(), name=None):
        self.size = size
        self.flat = flat
        self.name = name
        self.refs = tuple(refs)

    def __str__(self):
        return "size %r, flat %r, refs[%d], name %r" % (
            self.size,
            self.flat,
            len(self.refs),
            self.name,
        )

    def format(
        self,
        format="%(name)s size=%(size)d flat=%(flat)d",
        depth=-1,
        order_by="size",
        indent="",
    ):
        """The sizes of the object and of its sized referents as text (one
        line each, referents indented), as pympler's Asized.format."""
        t = indent + (format % dict(size=self.size, flat=self.flat, name=self.name))
        if depth and self.refs:
            rs = sorted(
                self.refs,
                key=lambda x: getattr(x, order_by),
                reverse=order_by in ("size", "flat"),
            )
            rs = [
                r.format(
                    format=format,
                    depth=depth - 1,
                    order_by=order_by,
                    indent=indent + "    ",
                )
                for r in rs
            ]
            t = "\n".join([t] + rs)
        return t

    def get(self, name, dflt=None):
        """The named referent, or dflt."""
        for ref in self.refs:
            if name == ref.name:
                return ref
        return dflt


def _asized(tree, name=None):
    """An Asized from the Registry's (name, size, flat, (children...))."""
    n, size, flat, kids = tree
    return Asized(size, flat, [_asized(k) for k in kids], n if name is None else name)


class SystemTotal(object):
    """The process's memory at a snapshot (the part of pympler's
    ProcessMemoryInfo that Stats reads): rss and vsz in bytes, available
    whether they were read (/proc/self/statm)."""

    def __init__(self, rss, vms):
        self.available = rss >= 0 and vms >= 0
        self.rss = max(rss, 0)
        self.vsz = max(vms, 0)

    def __repr__(self):
        return "SystemTotal(rss=%d, vsz=%d)" % (self.rss, self.vsz)


class Snapshot(object):
    """Sizes of the tracked objects and of the process at one instant
    (pympler's Snapshot)."""

    def __init__(self, timestamp, desc, tracked_total, asizeof_total, rss, vms):
        self.timestamp = timestamp
        self.desc = desc
        self.tracked_total = tracked_total
        # pympler: 0 unless create_snapshot(compute_total=True)
        self.asizeof_total = asizeof_total if asizeof_total >= 0 else 0
        self.overhead = 0
        self.system_total = SystemTotal(rss, vms)
        self.classes = None

    @property
    def total(self):
        """The process's virtual size, or the best number known."""
        if self.system_total.available:
            return self.system_total.vsz
        if self.asizeof_total:
            return self.asizeof_total
        return self.tracked_total

    @property
    def label(self):
        """The description with the time, or the time."""
        if not self.desc:
            return "%.3fs" % self.timestamp
        return "%s (%.3fs)" % (self.desc, self.timestamp)


class TrackedObject(object):
    """One tracked object (pympler's TrackedObject): id, name (the tracked
    name), repr, birth, death (None while alive), trace (oldest frame
    first, each (file, line, function, None, None) as pympler's frame
    records), snapshots [(time, Asized)] starting with its flat size at
    birth."""

    def __init__(self, tracker, index):
        (oid, name, tp, birth, _death, _level, trace, basic, _keep, _alive, _lost) = (
            tracker._reg.entry(index)
        )
        self._tracker = tracker
        self._index = index
        self.id = oid
        self.name = name
        self.birth = birth
        self._type = tp
        self._trace = trace
        self._basic = basic
        self._snapshots = None
        self._snapshots_gen = None

    # repr and trace are made when first read (Stats reads them for few
    # objects; an index of 1e5 objects need not format 1e5 texts)
    @property
    def repr(self):
        r = self.__dict__.get("_repr")
        if r is None:
            tp, oid = self._type, self.id
            mod = getattr(tp, "__module__", None)
            qual = getattr(tp, "__qualname__", None) or tp.__name__
            if not isinstance(mod, str) or mod == "builtins":
                r = "<%s object at 0x%x>" % (qual, oid)
            else:
                r = "<%s.%s object at 0x%x>" % (mod, qual, oid)
            self._repr = r
        return r

    @repr.setter
    def repr(self, value):
        self._repr = value

    @property
    def trace(self):
        t = self.__dict__.get("_trace_list", False)
        if t is False:
            t = [tuple(f) + (None, None) for f in self._trace] if self._trace else None
            self._trace_list = t
        return t

    @trace.setter
    def trace(self, value):
        self._trace_list = value

    def ref(self):
        """The object while it is alive, else None (like a weakref)."""
        return self._tracker._reg.obj(self._index)

    @property
    def death(self):
        return self._tracker._reg.death(self._index)

    @property
    def _resolution_level(self):
        """The resolution level of the next snapshots (pympler's
        attribute name)."""
        return self._tracker._reg.entry(self._index)[5]

    resolution_level = _resolution_level

    @property
    def lost(self):
        """True when the object's release was not seen (another allocator
        hook had removed memtrack's for a while): death is then the time
        memtrack noticed."""
        return bool(self._tracker._reg.entry(self._index)[10])

    @property
    def snapshots(self):
        gen = self._tracker._sample_gen()
        if self._snapshots is None or self._snapshots_gen != gen:
            s = [(self.birth, Asized(self._basic, self._basic, name=self.repr))]
            for t, size, flat, tree in self._tracker._reg.samples(self._index):
                if tree is None:
                    s.append((t, Asized(size, flat, name=self.repr)))
                else:
                    s.append((t, _asized(tree, self.repr)))
            self._snapshots = s
            self._snapshots_gen = gen
        return self._snapshots

    def get_max_size(self):
        """The largest size sampled."""
        return max([s.size for (_, s) in self.snapshots])

    def get_size_at_time(self, timestamp):
        """The size at the snapshot taken at timestamp, or 0."""
        size = 0
        for t, s in self.snapshots:
            if t == timestamp:
                size = s.size
        return size

    def set_resolution_level(self, resolution_level):
        """Sizes the object to this level from the next snapshot on."""
        o = self.ref()
        if o is not None:
            self._tracker._reg.track_change(o, resolution_level)

    def __repr__(self):
        return "<TrackedObject %s %s>" % (self.name, self.repr)


class ClassTracker(object):
    """Tracks chosen objects and every instance of chosen classes, and sizes
    them at snapshots (pympler's ClassTracker)."""

    def __init__(self, stream=None):
        self._reg = Registry()
        self._stream = stream
        self._observers = {}  # tracked class -> True
        self._tobjs = []  # TrackedObject per Registry entry
        self._index = defaultdict(list)
        self._objects = {}
        self._snaps = []
        self._gen = 0  # +1 at each clear of the samples
        self._hist_base = {}  # history before the last detach_all

    # ---- the Registry's data with pympler's names ------------------------

    def _sample_gen(self):
        return (self._gen, self._reg.counts()[2])

    def _sync(self):
        n = self._reg.counts()[0]
        for i in range(len(self._tobjs), n):
            t = TrackedObject(self, i)
            self._tobjs.append(t)
            self._index[t.name].append(t)
            self._objects[t.id] = t

    @property
    def index(self):
        """{name: [TrackedObject...]}: every tracked object, dead ones too."""
        self._sync()
        return self._index

    @property
    def objects(self):
        """{id: TrackedObject}: the latest object tracked at each id."""
        self._sync()
        return self._objects

    @property
    def snapshots(self):
        """[Snapshot...] in the order taken (periodic ones included)."""
        n = self._reg.counts()[2]
        for j in range(len(self._snaps), n):
            self._snaps.append(Snapshot(*self._reg.snap(j)))
        return self._snaps

    @property
    def history(self):
        """{name: [(time, instances alive)...]}: one step per creation and
        per death."""
        h = defaultdict(list)
        for name, steps in self._hist_base.items():
            h[name] = list(steps)
        names, which, births, deaths = self._reg.lifetimes()
        ev = defaultdict(list)
        for k, b, d in zip(which, births, deaths):
            if b != b:  # a record cleared meanwhile
                continue
            e = ev[names[k]]
            e.append((b, 1))
            if d is not None:
                e.append((d, -1))
        for name, e in ev.items():
            e.sort(key=lambda x: x[0])
            series = h[name]
            n = series[-1][1] if series else 0
            for when, step in e:
                n += step
                series.append((when, n))
        return h

    @property
    def stats(self):
        """A ConsoleStats on the tracker's data now."""
        from memtrack.stats import ConsoleStats

        if self._stream is None:
            return ConsoleStats(tracker=self)
        return ConsoleStats(tracker=self, stream=self._stream)

    # ---- tracking ----------------------------------------------------------

    def track_object(
        self, instance, name=None, resolution_level=0, keep=False, trace=False
    ):
        """Tracks one object (its size and lifetime).  Tracking an object
        already tracked does nothing.  keep: hold a strong reference.
        TypeError for objects whose release memtrack cannot see (instances
        of built-in types without weak reference support, as in pympler)."""
        if name is None:
            name = instance.__class__.__name__
        self._reg.track_object(
            instance, str(name), int(resolution_level), keep, trace, 1
        )

    def track_class(self, cls, name=None, resolution_level=0, keep=False, trace=False):
        """Tracks every instance of cls and of its subclasses created from
        now on (existing ones are not); again on a tracked class: changes
        its options.  trace: record each instance's creation stack."""
        if not isclass(cls):
            raise TypeError("only class objects can be tracked")
        if name is None:
            name = cls.__module__ + "." + cls.__name__
        self._reg.track_class(cls, str(name), int(resolution_level), keep, trace)
        self._observers[cls] = True

    def track_change(self, instance, resolution_level=0):
        """Changes the resolution level of a tracked object (KeyError when
        it is not tracked)."""
        self._reg.track_change(instance, resolution_level)

    def detach_class(self, cls):
        """Stops tracking new instances of cls (its own __init__ is back);
        tracked instances stay tracked.  KeyError when not tracked."""
        self._reg.detach_class(cls)
        self._observers.pop(cls, None)

    def detach_all_classes(self):
        """detach_class for every tracked class."""
        for cls in list(self._observers):
            if self._reg.is_tracked_class(cls):
                self._reg.detach_class(cls)
            del self._observers[cls]

    def detach_all(self):
        """Detaches every class and forgets every tracked object (and the
        references kept with keep=True)."""
        self.detach_all_classes()
        self._hist_base = dict(self.history)
        self._reg.clear_objects()
        self._tobjs = []
        self._index.clear()
        self._objects.clear()

    def clear(self):
        """detach_all, and forgets the snapshots."""
        self.detach_all()
        self._reg.clear_snapshots()
        self._snaps[:] = []
        self._gen += 1

    def close(self):
        """Detaches every class (for contextlib.closing)."""
        self.detach_all_classes()

    # ---- snapshots -----------------------------------------------------------

    def start_periodic_snapshots(self, interval=1.0):
        """Takes a snapshot now and every interval seconds from a C thread
        (it holds the GIL only while sizing).  Already running: sets the
        interval."""
        self._reg.start_periodic(float(interval))

    def stop_periodic_snapshots(self):
        """Stops the periodic snapshots and waits for the thread."""
        self._reg.stop_periodic()

    def create_snapshot(self, description="", compute_total=False):
        """Sizes every tracked object alive; compute_total also sizes every
        object reachable from the garbage collector's lists
        (asizeof_total)."""
        self._reg.snapshot(str(description), bool(compute_total))
