"""numpy: many small and a few large arrays, views sharing a base, object
arrays holding Python objects, structured and masked arrays (a Python
subclass of ndarray), a random Generator and ufunc results."""
import numpy as np

PREFIXES = ("numpy.", "prog_numpy.")
CLASS = "numpy.ndarray"
MIN_COUNT = 20600
# heapy's size is sys.getsizeof(o), which calls numpy's C __sizeof__ (an
# array's own data buffer, a scalar's extra bytes); memtrack calls only the
# allowlisted leaf __sizeof__ functions of doc/capture.md, not numpy's
HEAPY_DIFFS = {
    r"numpy\.(bool_|datetime64|timedelta64|"
    r"float\d+|u?int\d+|u?longlong|complex\d+|str_|bytes_|void)":
        "size: heapy calls the numpy scalars' C __sizeof__ (it looks up a "
        "dtype), memtrack does not",
    # plugins/numpy gives arrays the edges their missing tp_traverse hides
    # from heapy (doc/plugins.md): a view's base, the dtype, an object
    # array's elements; memtrack reaches what only those hold
    r"numpy\.ndarray|(dict of )?numpy\.ma\.core\.MaskedArray":
        "bases held only through views (plugins/numpy: the .base edge)",
    r"numpy\.dtype\[\w+\]":
        "dtypes held only by arrays (plugins/numpy: the .dtype edge)",
    r"(dict of )?prog_numpy\.Point":
        "held only by an object array (plugins/numpy: its elements' edges)",
}


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


def main(checkpoint):
    rng = np.random.default_rng(7)
    small = [np.arange(i % 64) for i in range(20000)]
    big = rng.random((500, 500))
    views = [big[i:i + 10, ::2] for i in range(0, 500, 5)]
    objs = np.empty(20000, dtype=object)
    for i in range(20000):
        objs[i] = Point(i, -i) if i % 2 else ("s%d" % i)
    rec = np.zeros(5000, dtype=[("id", "i8"), ("name", "U16"), ("w", "f4", (3,))])
    masked = [np.ma.masked_less(rng.random(100), 0.3) for _ in range(500)]
    scalars = [np.float64(i) / 3 for i in range(5000)]
    derived = np.sqrt(big) + np.sin(big)
    keep = [small, big, views, objs, rec, masked, scalars, derived, rng]
    checkpoint()
    del keep
    return {"arrays": len(small) + len(views) + len(masked)}
