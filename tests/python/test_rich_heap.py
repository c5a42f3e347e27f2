"""A varied heap (much of the stdlib, asyncio with suspended coroutines,
async generators, tracebacks, weak containers, deep recursion) dumps without
error, and every object the heap exposes is in the dump."""
import unittest

from mtutil import PY, Dump, run_child

CHILD = """
import asyncio, collections, contextvars, decimal, email.parser, enum, fractions
import functools, io, itertools, json, logging, operator, pathlib, pickle, queue
import re, sqlite3, string, textwrap, threading, typing, unittest, uuid, weakref
import xml.etree.ElementTree as ET, dataclasses, array, heapq, socket, ssl, zipfile

@dataclasses.dataclass
class DC:
    a: int
    b: str = "dc"

class Color(enum.Enum):
    RED = 1

cv = contextvars.ContextVar("cv", default=None)
wvd = weakref.WeakValueDictionary()
class W: pass
wkeep = [W() for _ in range(10)]
for i, o in enumerate(wkeep):
    wvd[i] = o
ws = weakref.WeakSet(wkeep)
tree = ET.fromstring("<a><b x='1'>t</b></a>")
db = sqlite3.connect(":memory:")
dq = collections.deque(range(10))
cnt = collections.Counter("abracadabra")
chain = collections.ChainMap({}, {"x": 1})
fr = fractions.Fraction(3, 7)
dec = decimal.Decimal("1.25")
rx = re.compile(r"(a+)b")
part = functools.partial(max, 1)
cyc = itertools.cycle([1, 2])
lg = logging.getLogger("mt")
q = queue.Queue(); q.put("item")
def deep(n):
    if n == 0:
        try:
            raise KeyError("deep")
        except KeyError as e:
            return e
    return deep(n - 1)
exc = deep(300)

async def agen():
    yield 1
    yield 2

result = {}
async def sleeper(tag):
    local_tag = [tag]
    await asyncio.sleep(3600)

async def main():
    tasks = [asyncio.ensure_future(sleeper("t%d" % i)) for i in range(5)]
    ag = agen()
    await ag.__anext__()
    await asyncio.sleep(0)
    cv.set("context-value")
    path = os.path.join(tmpdir, "rich.mp")
    res = memtrack.dump(path)
    everything = gc.get_objects()
    result.update(path=path, res=res, ids=[id(o) for o in everything])
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await ag.aclose()

asyncio.run(main())
report(result)
"""


class RichHeap(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.r = run_child(CHILD)
        cls.d = Dump(cls.r["path"])

    def test_all_gc_objects_present(self):
        d = self.d
        # objects gc.get_objects() reported after the dump and that existed
        # at dump time: every one of them must be in it (the list itself and
        # objects created after the dump are not; they are few)
        missing = [a for a in self.r["ids"] if d.id_of(a) is None]
        self.assertLess(len(missing), 50, "%d GC objects missing" % len(missing))

    def test_counts(self):
        d = self.d
        self.assertEqual(self.r["res"]["objects"], len(d.objects))
        self.assertGreater(len(d.objects), 50000)

    def test_coroutine_frames(self):
        d = self.d
        coros = d.of_type("builtins.coroutine")
        tags = set()
        for c in coros:
            for f in d.targets(c, "attr", "cr_frame"):
                for loc in d.targets(f, "local", "local_tag"):
                    tags.add(d.value(d.one(loc, "index", 0)))
        self.assertEqual(tags, {"t0", "t1", "t2", "t3", "t4"})

    def test_no_other_edges_for_modelled_types(self):
        d = self.d
        modelled = {"builtins.dict", "builtins.list", "builtins.tuple", "builtins.function",
                    "builtins.type", "builtins.code", "builtins.frame", "builtins.cell",
                    "builtins.set", "builtins.method"}
        bad = [(d.type_name(i), e) for i, o in enumerate(d.objects)
               if d.type_name(i) in modelled for e in o[6] if e[0] == "other"]
        self.assertEqual(bad[:5], [])


if __name__ == "__main__":
    unittest.main()
