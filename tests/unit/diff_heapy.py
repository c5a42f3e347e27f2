"""Prints the expected texts of tests/unit/test_diff.c: heapy's difference
table (guppy3 3.1.7's `a.stat - b.stat`, DiffFormat) for the row lists the
test builds as fixture heaps.

    python3 tests/unit/diff_heapy.py > /tmp/expected.h

heapy is built from ../shared/thirdparty as tests/python/test_heapy_labels.py
does (build_guppy); the row lists here and in test_diff.c must agree.  Both
sides get a `type` row of size 0 (the fixture's type objects).
"""
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
sys.modules.setdefault("memtrack", types.ModuleType("memtrack"))  # mtutil
import test_heapy_labels  # noqa: E402

guppy = test_heapy_labels.build_guppy()
if not guppy:
    sys.exit("heapy (guppy3) does not build for this interpreter")
sys.path.insert(0, guppy)
from guppy import hpy  # noqa: E402

hp = hpy()


def stat(rows):
    """A partition's Stat with these (count, size, label) rows, in the
    partition's order (size descending, then label)."""
    rows = sorted(rows, key=lambda r: (-r[1], r[2]))
    trows = ['.loader: _load_stat', '.format: SetFormat', '.timemade: 0.0',
             '.count: %d' % sum(r[0] for r in rows),
             '.size: %d' % sum(r[1] for r in rows),
             '.kindheader: Kind (class / dict of class)', '.kindname: ',
             '.numrows: %d' % len(rows)]
    trows += ['.r: %d %d %s' % r for r in rows]
    return hp.load(trows)


def cstr(name, text):
    print('static const char %s[] =' % name)
    for line in text.split('\n'):
        print('    "%s\\n"' % line.replace('\\', '\\\\').replace('"', '\\"'))
    print('    ;')


CASES = {
    'MAIN': ([(10, 1000, 'str'), (5, 500, 'list'), (3, 300, 'tuple'),
              (2, 64, 'gone1'), (2, 64, 'gone2'), (1, 1, 'same')],
             [(10, 1100, 'str'), (6, 600, 'list'), (4, 400, 'tuple'),
              (1, 64, 'new1'), (1, 1, 'same'), (1, 100, '__main__.A')]
             + [(1, 7, 'k%02d' % i) for i in range(12)]),
    'SAME': ([(3, 30, 'a'), (1, 10, 'b')], [(3, 30, 'a'), (1, 10, 'b')]),
    'ZERO': ([(1, 10, 'b')], [(1, 10, 'a')]),
    'FROMEMPTY': ([], [(1, 10, 'a')]),
    'TOEMPTY': ([(1, 10, 'a')], []),
    'ELEVEN': ([], [(1, 10 + i, 'r%02d' % i) for i in range(11)]),
    'TWELVE': ([], [(1, 10 + i, 'r%02d' % i) for i in range(12)]),
    'TIES': ([(1, 50, 'y'), (2, 100, 'x'), (1, 40, 'z'), (1, 30, 'w')],
             [(3, 150, 'x'), (1, 10, 'z'), (2, 30, 'w'), (1, 50, 'v')]),
}

for name, (old, new) in CASES.items():
    t = (len({r[2] for r in old + new}) + 1, 0, 'type')
    d = stat(new + [t]) - stat(old + [t])
    cstr('HEAPY_' + name, repr(d))
    if name == 'MAIN':
        cstr('HEAPY_MAIN_ALL', repr(d.all))
        cstr('HEAPY_MAIN_MORE', repr(d.more))
