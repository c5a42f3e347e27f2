"""Which process a dump comes from: the header keys start_time and boot_id
(doc/format.md, Header map)."""
import unittest

from mtutil import run_child


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


if __name__ == "__main__":
    unittest.main()
