"""memtrack: capture the Python heap into a dump file, and watch memory over
time.

dump(path) writes this process's whole object graph to a file that
memtrack-tui browses and queries; mark() remembers the objects alive now, so
that later dumps say which objects are new since (mark(None) forgets);
read(path) decodes a dump into Python data; plugins() lists the capture
plugins.  ClassTracker (pympler's) watches chosen classes' instances over
time, Stats/ConsoleStats/HtmlStats report on it, ProcessLog (pymemtrace's
process logger) samples the process's memory into a JSON-lines file.
__version__ is the memtrack version, layout the interpreter layout the
module reads.  `python3 -m memtrack --help` lists the command-line tools.

The capture itself is the C extension memtrack._memtrack; this file only
re-exports it and imports the Python parts when first used.
"""

from memtrack._memtrack import *  # noqa: F401,F403 (the public API)
from memtrack._memtrack import __version__, layout  # noqa: F401

# Names served by the package's Python modules, imported on first use so
# that `import memtrack` costs one extension module and nothing else.
_LAZY = {
    "ClassTracker": "classtracker",
    "Stats": "stats",
    "ConsoleStats": "stats",
    "HtmlStats": "stats",
    "ProcessLog": "proclog",
}


def __getattr__(name):
    sub = _LAZY.get(name)
    if sub is None:
        raise AttributeError("module 'memtrack' has no attribute %r" % name)
    import importlib

    value = getattr(importlib.import_module("memtrack." + sub), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
