"""Which process a dump comes from (the header keys start_time and boot_id)
and memtrack.mark(): which objects of a later dump existed at the mark
(doc/capture.md, mark(); doc/format.md, Mark)."""
import textwrap
import unittest

from mtutil import PY, run_child


def boot_id():
    with open("/proc/sys/kernel/random/boot_id") as f:
        return f.read().strip()


class ProcessIdentity(unittest.TestCase):
    def test_two_dumps_of_one_process(self):
        r = run_child("""
            import time
            t0 = time.time()
            a = os.path.join(tmpdir, "a.mp"); b = os.path.join(tmpdir, "b.mp")
            memtrack.dump(a)
            time.sleep(1.2)
            memtrack.dump(b)
            ha, hb = memtrack.read(a).header, memtrack.read(b).header
            report({"a": [ha.pid, ha.start_time, ha.boot_id, ha.time],
                    "b": [hb.pid, hb.start_time, hb.boot_id, hb.time],
                    "pid": os.getpid(), "t0": t0})
        """)
        pa, sa, ba, ta = r["a"]
        pb, sb, bb, tb = r["b"]
        self.assertEqual(pa, r["pid"])
        self.assertEqual((pa, sa, ba), (pb, sb, bb))
        self.assertEqual(ba, boot_id())
        # the process started before its first dump, and not long before
        # (ticks: 1/100 s, so a little slack either way)
        self.assertLessEqual(sa, r["t0"] + 0.02)
        self.assertGreater(sa, ta - 120)
        self.assertGreater(tb - ta, 1.0)

    def test_two_processes_differ(self):
        code = """
            p = os.path.join(tmpdir, "x.mp")
            memtrack.dump(p)
            h = memtrack.read(p).header
            report([h.pid, h.start_time, h.boot_id])
        """
        a = run_child(code)
        b = run_child(code)
        self.assertNotEqual((a[0], a[1]), (b[0], b[1]))
        self.assertEqual(a[2], b[2])
        self.assertGreater(a[1], 0)
        self.assertLessEqual(a[1], b[1])

    def test_forked_child_has_its_own(self):
        r = run_child("""
            p = os.path.join(tmpdir, "parent.mp"); c = os.path.join(tmpdir, "child.mp")
            memtrack.dump(p)
            import time
            time.sleep(0.05)
            pid = os.fork()
            if pid == 0:
                memtrack.dump(c)
                os._exit(0)
            os.waitpid(pid, 0)
            hp, hc = memtrack.read(p).header, memtrack.read(c).header
            report([[hp.pid, hp.start_time], [hc.pid, hc.start_time], pid])
        """)
        (pp, sp), (cp, sc), pid = r
        self.assertEqual(cp, pid)
        self.assertNotEqual(pp, cp)
        self.assertGreater(sc, sp)


# The child's helpers: the ids of the objects of a class, and whether an
# object id is marked (read()'s bitmap).
PRELUDE = """
def types_by_name(d):
    return {i: o.value.qualname for i, o in enumerate(d.objects)
            if isinstance(o.value, memtrack.TypeName) and o.value.module == "__main__"}

def is_marked(d, i):
    return bool(d.marked[i >> 3] >> (i & 7) & 1)

def summary(d):
    names = types_by_name(d)
    tn = {i: o.value for i, o in enumerate(d.objects) if isinstance(o.value, memtrack.TypeName)}
    out = {"marked": {}, "new": {}}
    for i, o in enumerate(d.objects):
        t = tn.get(o.type)
        k = "%s.%s%s" % (t.module, t.qualname, "" if o.addr else " (virtual)") if t else "?"
        side = out["marked" if is_marked(d, i) else "new"]
        side[k] = side.get(k, 0) + 1
    return out
"""


def child(code):
    return run_child(PRELUDE + textwrap.dedent(code))


class Mark(unittest.TestCase):
    def test_new_objects_are_exactly_the_unmarked(self):
        r = child("""
            class Old:
                def __init__(self, i):
                    self.i = i
            class New:
                def __init__(self, i):
                    self.i = i
            old = [Old(i) for i in range(300)]
            p = os.path.join(tmpdir, "m.mp")
            m = memtrack.mark()
            new = [New(i) for i in range(200)]
            memtrack.dump(p)
            d = memtrack.read(p)
            report({"summary": summary(d), "mark": dict(m),
                    "mark_time": d.header.mark_time, "n": len(d.objects),
                    "nbytes": len(d.marked)})
        """)
        s, m = r["summary"], r["mark"]
        self.assertEqual(r["mark_time"], m["time"])
        self.assertEqual(r["nbytes"], (r["n"] + 7) // 8)
        new, marked = s["new"], s["marked"]
        self.assertEqual(new.pop("__main__.New"), 200)
        self.assertNotIn("__main__.New", marked)
        self.assertEqual(marked["__main__.Old"], 300)
        self.assertNotIn("__main__.Old", new)
        # their dicts: real ones (3.9, 3.10), else virtual (inline values),
        # marked with their owner
        dicts = "builtins.dict" if PY < (3, 11) else "builtins.dict (virtual)"
        self.assertEqual(new.pop(dicts), 200, s)
        self.assertGreaterEqual(marked[dicts], 300)
        # the list `new`, mark()'s Record, its four numbers and the keys it
        # interned first, and the interpreter's frames that are not objects
        # (never marked); nothing else is new (the small ints the New
        # instances refer to were there before, in no reference)
        self.assertEqual(new.pop("builtins.list"), 1, s)
        self.assertEqual(new.pop("memtrack.Record"), 1, s)
        self.assertLessEqual(new.pop("builtins.str", 0), 4, s)
        self.assertLessEqual(new.pop("builtins.int", 0), 2, s)
        self.assertLessEqual(new.pop("builtins.float", 0), 2, s)
        new.pop("builtins.frame (virtual)", None)
        self.assertEqual(new, {}, s)
        self.assertGreater(m["objects"], 1000)
        self.assertGreater(m["seconds"], 0)
        # about 9 bytes per object (doc/capture.md)
        self.assertLess(m["bytes"], 12 * m["objects"])
        self.assertGreater(m["bytes"], 8 * m["objects"])

    def test_mark_none_twice_and_arguments(self):
        r = child("""
            import time
            class A: pass
            class B: pass
            class C: pass
            p = os.path.join(tmpdir, "m.mp")
            res = {}
            memtrack.dump(p)
            d = memtrack.read(p)
            res["before"] = [d.marked, d.header.mark_time]
            a = [A() for i in range(50)]
            m1 = memtrack.mark()
            b = [B() for i in range(60)]
            time.sleep(0.01)
            m2 = memtrack.mark(True, collect=False)
            c = [C() for i in range(70)]
            memtrack.dump(p)
            d = memtrack.read(p)
            res["twice"] = [summary(d), d.header.mark_time, m1.time, m2.time]
            res["none"] = memtrack.mark(None)
            memtrack.dump(p)
            d = memtrack.read(p)
            res["after"] = [d.marked, d.header.mark_time]
            res["none_again"] = memtrack.mark(None)
            errs = []
            for bad in (1, False, "x", [None]):
                try:
                    memtrack.mark(bad)
                except TypeError as e:
                    errs.append(str(e))
            res["errs"] = errs
            report(res)
        """)
        self.assertEqual(r["before"], [None, 0.0])
        s, mt, t1, t2 = r["twice"]
        self.assertEqual(mt, t2)
        self.assertGreater(t2, t1)
        # the second mark replaced the first: B made between them is marked
        self.assertEqual(s["marked"].get("__main__.A"), 50)
        self.assertEqual(s["marked"].get("__main__.B"), 60)
        self.assertEqual(s["new"].get("__main__.C"), 70)
        self.assertNotIn("__main__.C", s["marked"])
        self.assertIsNone(r["none"])
        self.assertEqual(r["after"], [None, 0.0])
        self.assertIsNone(r["none_again"])
        self.assertEqual(len(r["errs"]), 4)
        self.assertIn("True (mark) or None", r["errs"][0])

    def test_mark_in_a_thread(self):
        r = child("""
            import threading
            class Before: pass
            class After: pass
            keep = [Before() for i in range(40)]
            ready = threading.Event(); go = threading.Event()
            made = []
            def worker():
                made.append(memtrack.mark())
                ready.set()
                go.wait()
            t = threading.Thread(target=worker)
            t.start()
            ready.wait()
            later = [After() for i in range(30)]
            p = os.path.join(tmpdir, "m.mp")
            memtrack.dump(p)      # the worker is still alive, waiting
            go.set(); t.join()
            d = memtrack.read(p)
            report([summary(d), d.header.mark_time, made[0].time])
        """)
        s, mt, t = r
        self.assertEqual(mt, t)
        self.assertEqual(s["marked"].get("__main__.Before"), 40)
        self.assertEqual(s["new"].get("__main__.After"), 30)
        self.assertNotIn("__main__.After", s["marked"])

    def test_no_python_code_runs(self):
        # objects whose methods would run if the walk asked them anything,
        # and a profiler that sees every Python call: between mark()'s
        # c_call and c_return events there is none
        r = child("""
            calls = []
            class Trap:
                def __sizeof__(self): calls.append("sizeof"); return 10
                def __getattr__(self, n): calls.append("getattr " + n); raise AttributeError(n)
                def __eq__(self, o): calls.append("eq"); return False
                def __hash__(self): calls.append("hash"); return 1
                def __del__(self): calls.append("del")
                @property
                def p(self): calls.append("property"); return 1
            class Slotted:
                __slots__ = ("a",)
                def __sizeof__(self): calls.append("slotted sizeof"); return 1
            traps = [Trap() for i in range(50)]
            d = {Trap(): Trap() for i in range(20)}
            s = Slotted(); s.a = Trap()
            calls.clear()  # building the dict hashed and compared
            events = []
            def prof(frame, event, arg):
                events.append((event, getattr(arg, "__name__", None) if arg else frame.f_code.co_name))
            sys.setprofile(prof)
            memtrack.mark(collect=False)
            sys.setprofile(None)
            start = events.index(("c_call", "mark"))
            end = events.index(("c_return", "mark"))
            report({"calls": calls, "inside": events[start + 1:end]})
        """)
        self.assertEqual(r["calls"], [])
        self.assertEqual(r["inside"], [])

    def test_reused_address_of_another_type_is_new(self):
        # Old instances freed after the mark leave their memory to new
        # objects of the same size: those of another type are new, those of
        # the same type look marked (doc/format.md, Mark)
        r = child("""
            class Old:
                __slots__ = ("a", "b")
            class Other:
                __slots__ = ("a", "b")
            olds = [Old() for i in range(2000)]
            addrs = set(map(id, olds))
            memtrack.mark()
            del olds
            others = [Other() for i in range(2000)]
            again = [Old() for i in range(10)]
            p = os.path.join(tmpdir, "m.mp")
            memtrack.dump(p)
            d = memtrack.read(p)
            names = types_by_name(d)
            reused = {"Other": [0, 0], "Old": [0, 0]}
            for i, o in enumerate(d.objects):
                n = names.get(o.type)
                if n in reused and o.addr in addrs:
                    reused[n][is_marked(d, i)] += 1
            report(reused)
        """)
        other_new, other_marked = r["Other"]
        self.assertGreater(other_new, 100, r)
        self.assertEqual(other_marked, 0, r)


if __name__ == "__main__":
    unittest.main()
