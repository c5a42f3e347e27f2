#!/bin/sh
# Installing memtrack (README.md, Install):
#  1. `pip install .` from the source tree into a fresh virtualenv, offline
#     (--no-index: the in-tree backend pep517/memtrack_backend.py needs
#     nothing from an index), then the venv's python imports memtrack from
#     its site-packages, dumps and reads; `pip uninstall` removes it;
#  2. `make install prefix=DIR` puts memtrack-tui, its man page and the
#     module under DIR (automake's pyexecdir: DIR/lib/pythonX.Y/site-packages),
#     and the interpreter imports the module from there;
#  3. ./configure --with-python-platlib makes pyexecdir the interpreter's own
#     directory (the venv's site-packages for the venv's python).
# Skipped (77) in a sanitized build (the same install, and the module would
# need the ASan runtime) and where `python -m venv` cannot make a venv
# with pip (Debian: apt-get install python3-venv).
set -u
: "${MEMTRACK_SRCDIR:?}" "${MEMTRACK_BUILDDIR:?}" "${MEMTRACK_PYTHON:?}"
if [ -n "${MEMTRACK_ASAN_RUNTIME:-}" ]; then
	echo "skip: sanitized build"
	exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/mt-install.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
src=$(cd "$MEMTRACK_SRCDIR" && pwd)

# ---- 1. pip install . into a venv, offline ---------------------------------
if ! "$MEMTRACK_PYTHON" -m venv "$T/venv" >"$T/venv.log" 2>&1 ||
	! [ -x "$T/venv/bin/pip" ]; then
	echo "skip: $MEMTRACK_PYTHON -m venv cannot make a venv with pip: $(tail -n 3 "$T/venv.log")"
	exit 77
fi
vpy=$T/venv/bin/python
site=$("$vpy" -c 'import sysconfig; print(sysconfig.get_path("platlib"))')
# pip builds from the tree itself; the backend writes nothing there (it runs
# autoreconf only when ./configure is missing) and builds in a temporary dir
PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 "$T/venv/bin/pip" install \
	--no-index "$src" >"$T/pip.log" 2>&1 ||
	fail "pip install . failed: $(tail -n 20 "$T/pip.log")"
ls "$site"/memtrack/_memtrack*.so "$site"/memtrack/__init__.py >/dev/null 2>&1 ||
	fail "no package memtrack (__init__.py, _memtrack*.so) in $site"
(cd "$T" && "$vpy" -c '
import sys, memtrack
site = sys.argv[1]
assert memtrack.__file__.startswith(site + "/"), memtrack.__file__
s = memtrack.dump("venv.mp")
d = memtrack.read("venv.mp")
assert len(d.objects) == s.objects and s.heap_bytes > 0
import memtrack.__main__, memtrack.classtracker, memtrack.stats, memtrack.proclog
print("venv ok", memtrack.__version__, s.objects)
' "$site") || fail "the venv's memtrack does not work"
"$T/venv/bin/pip" uninstall -y memtrack >"$T/un.log" 2>&1 ||
	fail "pip uninstall: $(cat "$T/un.log")"
ls "$site"/memtrack* >/dev/null 2>&1 && fail "pip uninstall left $(ls -d "$site"/memtrack*)"

# ---- 2. make install prefix=DIR ------------------------------------------------
# (unless this build was configured with a module directory of its own)
if ! grep '^ac_cs_config=' "$MEMTRACK_BUILDDIR/config.status" |
	grep -q -e '--with-pyexecdir' -e '--with-python-platlib'; then
	grep -q '^pyexecdir = \${PYTHON_EXEC_PREFIX}/' "$MEMTRACK_BUILDDIR/Makefile" ||
		fail "pyexecdir is not under the prefix: $(grep '^pyexecdir =' "$MEMTRACK_BUILDDIR/Makefile")"
	p=$T/prefix
	make -s -C "$MEMTRACK_BUILDDIR" install prefix="$p" >"$T/make.log" 2>&1 ||
		fail "make install prefix=$p: $(tail -n 20 "$T/make.log")"
	[ -x "$p/bin/memtrack-tui" ] || fail "no $p/bin/memtrack-tui"
	[ -f "$p/share/man/man1/memtrack-tui.1" ] || fail "no man page under $p"
	pydir=$("$MEMTRACK_PYTHON" -c 'import sys; print("lib/python%d.%d/site-packages" % sys.version_info[:2])')
	ls "$p/$pydir"/memtrack/_memtrack*.so "$p/$pydir"/memtrack/__main__.py >/dev/null 2>&1 ||
		fail "module not in $p/$pydir: $(cd "$p" && find . -name 'memtrack*')"
	PYTHONPATH=$p/$pydir "$MEMTRACK_PYTHON" -c '
import sys, memtrack, memtrack._memtrack
assert memtrack.__file__.startswith(sys.argv[1]), memtrack.__file__
assert memtrack._memtrack.__file__.startswith(sys.argv[1]), memtrack._memtrack.__file__' "$p/$pydir" ||
		fail "the installed module does not import"
	"$p/bin/memtrack-tui" --version >/dev/null || fail "installed memtrack-tui does not run"
	echo "make install prefix ok"
else
	echo "make install: $MEMTRACK_BUILDDIR was configured with an explicit module directory; not checked"
fi

# ---- 3. --with-python-platlib: the interpreter's own directory -----------------
mkdir "$T/cfg"
(cd "$T/cfg" && "$src/configure" -q PYTHON="$vpy" --with-python-platlib \
	>"$T/cfg.log" 2>&1) || fail "configure --with-python-platlib: $(tail -n 20 "$T/cfg.log")"
got=$(sed -n 's/^pyexecdir = //p' "$T/cfg/Makefile")
[ "$got" = "$site" ] || fail "--with-python-platlib: pyexecdir '$got', want '$site'"
echo "platlib ok"
echo "1 passed, 0 failed"
