#!/usr/bin/env bash
# memtrack quick start.  Two modes, both runnable as root on a fresh Debian
# (bookworm) machine:
#
#   ./quickstart.sh example   install what is missing, build, install memtrack
#                             (memtrack-tui, its man page, the module for
#                             $PYTHON, default the python3 on PATH: see
#                             "install" below for where), dump the bundled
#                             example program's heap and open it in memtrack-tui
#   ./quickstart.sh test      install what is missing, build with -Werror, run
#                             every test: unit (cmocka), batch, Python capture
#                             tests on every CPython 3.9+ found (pyenv and
#                             Debian's), the unit tests again under
#                             ASan+UBSan, and the fuzzers for a bounded
#                             time.  Ends with "N passed, N failed".
#
# Builds go to _build/ (one directory per configuration); the source tree
# stays clean.  MEMTRACK_JOBS sets make's -j (default: number of cores).
set -euo pipefail

mode=${1:-}
case "$mode" in
example | test) ;;
*)
    echo "usage: $0 example|test" >&2
    exit 2
    ;;
esac

top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
jobs=${MEMTRACK_JOBS:-$(nproc 2>/dev/null || echo 2)}
log() { printf '==> %s\n' "$*" >&2; }

# ---- 1. Debian packages --------------------------------------------------
packages=(build-essential autoconf automake libtool autoconf-archive pkg-config
    libmsgpack-dev libcmocka-dev libncurses-dev libreadline-dev python3-dev tmux
    clang libclang-rt-14-dev)
# test mode also runs the real-program corpus (tests/programs, doc/corpus.md)
[ "$mode" = test ] && packages+=(mypy python3-pandas python3-numpy python3-lxml
    python3-gevent python3-greenlet python3-sqlalchemy python3-sympy
    python3-twisted python3-docutils)
# and memtrack-tui under valgrind (tests/query/test_valgrind.sh)
[ "$mode" = test ] && packages+=(valgrind)
# and the HTML report in headless Chromium (tests/report/test_html.sh)
[ "$mode" = test ] && packages+=(chromium)
# gdb: python3 -m memtrack dump --pid and memtrack-tui --attach (doc/attach.md)
packages+=(gdb)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- 2. configure and build ------------------------------------------------
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
    log "autoreconf"
    autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi

# build DIR [configure args...]: configures DIR once (again when configure
# or the arguments changed), then runs make there.
build() {
    local dir=$1
    shift
    mkdir -p "$dir"
    if [ ! -f "$dir/Makefile" ] || [ configure -nt "$dir/config.status" ] ||
        [ "$*" != "$(cat "$dir/.quickstart-args" 2>/dev/null)" ]; then
        log "configure $dir $*"
        (cd "$dir" && "$top/configure" -q "$@")
        printf '%s' "$*" >"$dir/.quickstart-args"
    fi
    log "make in $dir"
    make -s -C "$dir" -j"$jobs" >/dev/null
}

# install: memtrack-tui, its man page and the module for $PYTHON, where that
# interpreter imports it from without PYTHONPATH (README.md, Install):
#   - $PYTHON in a virtualenv: into the venv (bin/memtrack-tui, its
#     site-packages), no root needed;
#   - root, or a user with sudo: /usr/local (bin, share/man) and the
#     interpreter's own platlib (/usr/local/lib/python3.X/dist-packages for
#     Debian's python3);
#   - anyone else: ~/.local (bin, share/man, and the user site
#     ~/.local/lib/python3.X/site-packages).
if [ "$mode" = example ]; then
    py=${PYTHON:-$(command -v python3)}
    venv=$("$py" -c 'import sys; print(sys.prefix if sys.prefix != sys.base_prefix else "")')
    sudo=""
    if [ -n "$venv" ]; then
        prefix=$venv
        args=(--prefix="$prefix" --with-python-platlib)
    elif [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null; then
        prefix=/usr/local
        args=(--with-python-platlib)
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
    else
        prefix=$HOME/.local
        args=(--prefix="$prefix")
    fi
    build _build/main PYTHON="$py" "${args[@]}"
    log "installing memtrack-tui, its man page and the module for $py under $prefix"
    $sudo make -s -C _build/main install >/dev/null
    log "running examples/webcache.py and dumping its heap"
    "$py" examples/webcache.py "$top/_build/webcache.mp"
    case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) log "$prefix/bin is not on your PATH: add it to run memtrack-tui by name" ;;
    esac
    exec "$prefix/bin/memtrack-tui" "$top/_build/webcache.mp"
fi

# ---- 3. tests ------------------------------------------------------------
exec "$top/tests/run-all.sh" "$jobs"
