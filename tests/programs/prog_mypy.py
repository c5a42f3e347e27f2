"""Debian's mypy (mypyc-compiled) type-checks, in-process, a module that
imports 44 standard library modules; the build result (every parsed and
analysed file, symbol tables, types) stays alive for the dump."""
import os

from mypy import build
from mypy.modulefinder import BuildSource
from mypy.options import Options

PREFIXES = ("mypy.",)
CLASS = "mypy.nodes.NameExpr"

MODULES = """os sys re json collections itertools functools typing dataclasses
pathlib subprocess threading asyncio socket logging argparse datetime decimal
fractions math random statistics string textwrap io csv sqlite3 hashlib hmac
base64 struct heapq bisect enum abc contextlib tempfile shutil glob
urllib.request http.client email.message xml.etree.ElementTree unittest""".split()

TEXT = "".join("import %s\n" % m for m in MODULES) + """
def f(x: int) -> str:
    return str(x) + os.sep
"""


def main(checkpoint):
    opts = Options()
    opts.incremental = False
    opts.cache_dir = os.devnull
    res = build.build([BuildSource(None, "prog", TEXT)], opts)
    if res.errors:
        raise RuntimeError("mypy reported errors: %r" % res.errors[:5])
    checkpoint()
    return {"files": len(res.files), "modules": len(MODULES)}
