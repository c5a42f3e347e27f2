"""The in-tree PEP 517 build backend of memtrack (pyproject.toml).

`pip install .` calls build_wheel(), which runs the same build as
`./configure && make`: ./configure (autoreconf -fi first when the tree has
none) for the interpreter running pip (PYTHON=sys.executable) in a fresh
temporary directory, `make python/memtrack/.stamp` (the extension and the
build tree's copy of the package), and packs the package (memtrack/: its
Python files and _memtrack<EXT_SUFFIX>) into a wheel tagged for that
interpreter.  Only the
standard library is used and nothing is downloaded.  The source tree gets
nothing but what autoreconf writes when ./configure is missing.

config_settings (pip install -C key=value .):
  builddir=DIR   build in DIR (kept) instead of a temporary directory
  configure=ARGS more ./configure arguments (split on blanks)
  jobs=N         make -jN (default: the number of CPUs)

memtrack-tui and its man page are not in the wheel: `make install` or
./quickstart.sh install them (README.md, Install).
"""
import base64
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

NAME = "memtrack"
SRCDIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _version():
    """AC_INIT's version in configure.ac (the one truth)."""
    with open(os.path.join(SRCDIR, "configure.ac"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("AC_INIT("):
                return line.split(",")[1].strip(" []")
    raise RuntimeError("memtrack_backend: no AC_INIT in configure.ac")


def _metadata():
    return ("Metadata-Version: 2.1\n"
            "Name: %s\n"
            "Version: %s\n"
            "Summary: Heap explorer for Python: capture the heap into a dump "
            "(the memtrack module)\n"
            "Requires-Python: >=3.9\n" % (NAME, _version()))


def _tag():
    """cp311-cp311-linux_x86_64: this interpreter, its ABI and platform."""
    impl = "cp%d%d" % sys.version_info[:2]
    abi = impl + getattr(sys, "abiflags", "")
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return "%s-%s-%s" % (impl, abi, plat)


def _dist_info():
    return "%s-%s.dist-info" % (NAME, _version())


def _run(cmd, cwd):
    print("memtrack_backend: %s" % " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, cwd=cwd, check=True, stdout=sys.stderr)


def _build_module(config_settings):
    """Configures and builds; returns (the built package directory, builddir,
    whether builddir is temporary)."""
    cs = config_settings or {}
    configure = os.path.join(SRCDIR, "configure")
    if not os.access(configure, os.X_OK):
        _run(["autoreconf", "-fi"], SRCDIR)
    builddir = cs.get("builddir")
    temporary = not builddir
    builddir = os.path.abspath(builddir) if builddir else tempfile.mkdtemp(
        prefix="memtrack-build-")
    os.makedirs(builddir, exist_ok=True)
    if not os.path.exists(os.path.join(builddir, "Makefile")):
        _run([configure, "-q", "PYTHON=" + sys.executable]
             + cs.get("configure", "").split(), builddir)
    _run(["make", "-s", "-j%s" % cs.get("jobs", os.cpu_count() or 1),
          "python/memtrack/.stamp"], builddir)
    built = os.path.join(builddir, "python", "memtrack")
    if not os.path.exists(os.path.join(built, "_memtrack.so")):
        raise RuntimeError("memtrack_backend: make did not build %s" % built)
    return built, builddir, temporary


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "%s,sha256=%s,%d\n" % (arcname, digest.decode(), len(data))


# ---- the PEP 517 hooks ------------------------------------------------------

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    d = os.path.join(metadata_directory, _dist_info())
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata())
    return _dist_info()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    built, builddir, temporary = _build_module(config_settings)
    files = []
    try:
        for fn in sorted(os.listdir(built)):
            if fn.startswith("."):
                continue
            with open(os.path.join(built, fn), "rb") as f:  # follows the link
                data = f.read()
            if fn == "_memtrack.so":
                fn = "_memtrack" + sysconfig.get_config_var("EXT_SUFFIX")
            files.append((NAME + "/" + fn, data))
    finally:
        if temporary:
            shutil.rmtree(builddir, ignore_errors=True)
    tag = _tag()
    info = _dist_info()
    files += [
        (info + "/METADATA", _metadata().encode()),
        (info + "/WHEEL", ("Wheel-Version: 1.0\nGenerator: memtrack_backend\n"
                           "Root-Is-Purelib: false\nTag: %s\n" % tag).encode()),
    ]
    name = "%s-%s-%s.whl" % (NAME, _version(), tag)
    path = os.path.join(wheel_directory, name)
    record = ""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for arcname, data in files:
            zi = zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0))
            zi.external_attr = (0o755 if arcname.endswith(".so") else 0o644) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
            record += _record_line(arcname, data)
        record += info + "/RECORD,,\n"
        z.writestr(zipfile.ZipInfo(info + "/RECORD", date_time=(1980, 1, 1, 0, 0, 0)),
                   record)
    return name


def build_sdist(sdist_directory, config_settings=None):
    """`make dist`'s tarball (the automake distribution) as the sdist."""
    builddir = tempfile.mkdtemp(prefix="memtrack-sdist-")
    try:
        configure = os.path.join(SRCDIR, "configure")
        if not os.access(configure, os.X_OK):
            _run(["autoreconf", "-fi"], SRCDIR)
        _run([configure, "-q", "PYTHON=" + sys.executable], builddir)
        _run(["make", "-s", "dist-gzip"], builddir)
        name = "%s-%s.tar.gz" % (NAME, _version())
        shutil.copy(os.path.join(builddir, name), os.path.join(sdist_directory, name))
        return name
    finally:
        shutil.rmtree(builddir, ignore_errors=True)
