"""heapy (guppy3) built for the running interpreter, for benchmarks.

    from heapy_util import build_heapy
    path = build_heapy()          # folder to put on sys.path, or None

Unlike the tests' build (tests/python/test_heapy_labels.py, -O1 to build
fast), this one compiles heapy's two extensions with the interpreter's own
optimisation flags (sysconfig CFLAGS: -O3 on pyenv's builds, -O2 on
Debian's), as `pip install guppy3` would, so the timings compare release
builds.  The build is cached per interpreter under the temp dir
(memtrack-heapy-opt-TAG); the tarball is ../shared/thirdparty's
guppy3-3.1.7 (HEAPY_TARBALL overrides).
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TARBALL = os.environ.get("HEAPY_TARBALL") or os.path.join(
    HERE, "..", "..", "shared", "thirdparty", "guppy3-3.1.7.tar.gz")


def opt_flags():
    """The interpreter's compile flags, warnings dropped."""
    flags = (sysconfig.get_config_var("CFLAGS") or "-O2").split()
    keep = [f for f in flags if not f.startswith("-W")]
    if not any(f.startswith("-O") for f in keep):
        keep.append("-O2")
    return keep


def build_heapy(tarball=TARBALL):
    """Returns the folder holding the `guppy` package built for this
    interpreter with normal optimisation, or None (no tarball, build
    failed)."""
    if not os.path.exists(tarball):
        return None
    ext = sysconfig.get_config_var("EXT_SUFFIX")
    final = os.path.join(tempfile.gettempdir(), "memtrack-heapy-opt-%s%s"
                         % (sys.implementation.cache_tag, ext))
    if os.path.exists(os.path.join(final, "guppy", "heapy", "heapyc" + ext)):
        return final
    work = tempfile.mkdtemp(prefix="memtrack-heapy-")
    try:
        with tarfile.open(tarball) as t:
            if hasattr(tarfile, "data_filter"):
                t.extractall(work, filter="data")
            else:
                t.extractall(work)
        src = os.path.join(work, "guppy3-3.1.7")
        cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
        inc = sysconfig.get_paths()["include"]
        for out, d, files in (("guppy/sets/setsc", "src/sets/",
                               ["sets", "bitset", "nodeset"]),
                              ("guppy/heapy/heapyc", "src/heapy/",
                               ["heapyc", "stdtypes"])):
            cmd = ([cc, "-shared", "-fPIC"] + opt_flags() + ["-w", "-I", inc]
                   + [d + f + ".c" for f in files] + ["-o", out + ext])
            r = subprocess.run(cmd, cwd=src, capture_output=True, text=True)
            if r.returncode:
                sys.stderr.write("heapy build failed: %s\n%s" % (" ".join(cmd), r.stderr))
                return None
        try:
            os.rename(src, final)
        except OSError:  # built by a concurrent run meanwhile
            pass
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return final if os.path.isdir(final) else None


if __name__ == "__main__":
    print(build_heapy())
