"""pandas 1.5: frames, a grouped result, a MultiIndex, categoricals, and
index engines of a Python subclass that overrides `sizeof()`: the engine's
Cython `__sizeof__` calls it, so anything that asks the engine for
`__sizeof__` runs Python code (here, code that mutates the heap).  The
capture must never run it: `python_calls_during_dump` must stay 0."""
import numpy as np
import pandas as pd
from pandas._libs import index as libindex

PREFIXES = ("pandas.", "prog_pandas.")
CLASS = "pandas.core.frame.DataFrame"
MIN_COUNT = 203
# heapy's size is sys.getsizeof(o): these classes' __sizeof__ is Python code
# (PandasObject: deep memory_usage) or Cython calling back into Python (the
# index engines' sizeof(), here overridden); memtrack never runs them and
# gives the instance's own bytes
HEAPY_DIFFS = {
    r"pandas\._libs\.index\.\w+Engine|pandas\.core\.indexes\.multi\.MultiIndexUIntEngine|"
    r"prog_pandas\.CountingEngine":
        "size: heapy calls the engine's Cython __sizeof__ (its hash table), memtrack does not",
    r"pandas\.core\.(frame\.DataFrame|series\.Series|arrays\.categorical\.Categorical|"
    r"indexes\.\w+\.\w*Index)":
        "size: heapy calls PandasObject.__sizeof__ (Python: deep memory_usage), memtrack does not",
    r"(dict of )?prog_pandas\.Box":
        "held only by an object column's ndarray: plugins/numpy follows its elements, heapy "
        "cannot (ndarray has no tp_traverse)",
}

calls = []
junk = []


class CountingEngine(libindex.ObjectEngine):
    def sizeof(self, deep=False):
        calls.append(1)
        junk.append({"allocated": [object() for _ in range(10)]})
        return 1000


class Box:
    def __init__(self, i):
        self.i = i
        self.label = "box-%d" % i


_sizeof = pd.core.base.PandasObject.__sizeof__


def counting_sizeof(self):
    calls.append(1)
    return _sizeof(self)


def main(checkpoint):
    pd.core.base.PandasObject.__sizeof__ = counting_sizeof
    rng = np.random.default_rng(1)
    n = 50000
    df = pd.DataFrame({
        "a": rng.integers(0, 100, n),
        "b": rng.random(n),
        "name": ["row-%d" % (i % 5000) for i in range(n)],
        "cat": pd.Categorical(rng.choice(["x", "y", "z"], n)),
        "box": [Box(i) for i in range(n // 10)] * 10,
    }, index=pd.date_range("2020-01-01", periods=n, freq="min"))
    grouped = df.groupby("a").agg({"b": "mean", "name": "first"})
    mi = pd.MultiIndex.from_product([range(100), ["p", "q", "r"]])
    wide = pd.DataFrame(rng.random((300, 20)), index=mi)
    frames = [pd.DataFrame({"k": ["k%d" % j for j in range(50)], "v": range(50)})
              .set_index("k") for _ in range(200)]
    for f in frames:
        f.loc["k7", "v"]          # populates each index's engine
    engines = [CountingEngine(np.array(["e%d-%d" % (e, j) for j in range(40)],
                                       dtype=object)) for e in range(300)]
    for e in engines:
        e.get_loc(e.values[3])
    keep = [df, grouped, wide, frames, engines]
    before = len(calls)
    after = []
    checkpoint(quiesce=lambda: after.append(len(calls)))
    del keep
    return {"python_calls_during_dump": after[0] - before,
            "engines": len(engines)}
