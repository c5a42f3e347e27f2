#!/usr/bin/env bash
# The capture tests on the CPythons of Debian unstable (the latest 3.13 patch
# release and 3.14), which no bookworm or pyenv package provides.
#
#   tests/sid-chroot.sh [setup|test]     (default: test; needs root)
#
# setup: makes (or reuses) a Debian sid chroot with python3.13-dev,
#        python3.14-dev and memtrack's build dependencies.
# test:  setup, then copies the source tree into the chroot, builds the
#        capture module for each interpreter (one out-of-tree build directory
#        each) and memtrack-tui, runs tests/python/run.py with each, and
#        prints one line per interpreter on stdout:
#            sid python3.14 (3.14.2): N passed, N failed
#        Exit status 0 when all passed, 1 when a test failed or a build broke
#        (its line then says so, with a count of 1 failed), 2 when the chroot
#        could not be set up (no line on stdout, the reason on stderr).
#
# The chroot lives outside the source tree so that every clone on the machine
# reuses it: MEMTRACK_SID_ROOT (default /var/tmp/memtrack-sid).  It is valid
# when debootstrap finished (.memtrack-base) and the package list it was made
# with is the current one (.memtrack-ready); an unfinished one is removed and
# made again.  Once a week its packages are brought up to date (a failure to
# reach the mirror then only warns).  MEMTRACK_SID_MIRROR (default
# http://deb.debian.org/debian) picks the mirror; every network step has a
# time limit, so an unreachable mirror fails in minutes, not never.
# MEMTRACK_SID_WORK (default /root/memtrack) is the work folder inside the
# chroot, so that two runs at once do not share one; MEMTRACK_SID_TESTS
# (default: all) names the Python tests to run (test_x.py ..., as for
# tests/python/run.py) and skips the corpus programs.
set -uo pipefail

mode=${1:-test}
case "$mode" in
setup | test) ;;
*)
    echo "usage: $0 [setup|test]" >&2
    exit 2
    ;;
esac

top=$(cd "$(dirname "$0")/.." && pwd)
root=${MEMTRACK_SID_ROOT:-/var/tmp/memtrack-sid}
mirror=${MEMTRACK_SID_MIRROR:-http://deb.debian.org/debian}
pythons=(3.13 3.14)
packages=(python3.13-dev python3.14-dev gcc libc6-dev make pkg-config autoconf
    automake libtool autoconf-archive libmsgpack-c-dev libcmocka-dev
    libncurses-dev libreadline-dev
    python3-numpy python3-lxml # the plugins' tests (numpy 2.x, lxml 6.x)
    gdb)                       # python3 -m memtrack dump --pid (attach)
# apt inside the chroot: the mirror's Release file may be past its
# Valid-Until date; no stalled connection may hang the run
apt_opts=(-o Acquire::Check-Valid-Until=false -o Acquire::http::Timeout=30
    -o Acquire::Retries=2 -o APT::Install-Recommends=false -o Dpkg::Use-Pty=0)

log() { printf 'sid-chroot: %s\n' "$*" >&2; }
die() { # die MESSAGE: a setup failure
    log "setup failed: $*"
    exit 2
}

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mount)"

# one run at a time per chroot (two CI clones may share it)
mkdir -p "$(dirname "$root")" || die "cannot create $(dirname "$root")"
exec 9>"$root.lock" || die "cannot open $root.lock"
flock -w 1800 9 || die "another run has held $root.lock for 30 min"

# ---- mounts ------------------------------------------------------------------
mounted=()
cleanup() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null ||
            log "could not unmount ${mounted[i]}"
    done
    mounted=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# mount_in DIR TYPE: mounts a TYPE file system on DIR unless one is there
# (left by a killed run: then it is reused and unmounted at the end).
mount_in() {
    local dir=$1 type=$2
    mkdir -p "$dir"
    if ! mountpoint -q "$dir"; then
        mount -t "$type" "$type" "$dir" || return 1
    fi
    mounted+=("$dir")
}

# unmount_all DIR: unmounts everything below DIR (deepest first); 1 if
# something stays mounted, so that DIR must not be removed.
unmount_all() {
    local dir m
    dir=$(readlink -f "$1")
    for m in $(awk -v d="$dir/" 'index($2 "/", d) == 1 { print $2 }' /proc/mounts | sort -r); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
    done
    ! awk -v d="$dir/" 'index($2 "/", d) == 1 { found = 1 } END { exit !found }' /proc/mounts
}

# in_chroot SECONDS CMD...: runs CMD in the chroot with a clean environment,
# killed after SECONDS
in_chroot() {
    local t=$1
    shift
    timeout -k 30 "$t" chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
        HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# apt_install: updates the package lists and installs (or upgrades) packages
apt_install() {
    { in_chroot 600 apt-get "${apt_opts[@]}" -q update &&
        in_chroot 1200 apt-get "${apt_opts[@]}" -q -y install "${packages[@]}"; } \
        >"$root/.memtrack-apt.log" 2>&1
}

# ---- setup -------------------------------------------------------------------
t0=$(date +%s)
base_ok() { [ -f "$root/.memtrack-base" ] && chroot "$root" /bin/true 2>/dev/null; }

if ! base_ok; then
    if ! command -v debootstrap >/dev/null 2>&1; then
        log "installing debootstrap on the host"
        { timeout 600 apt-get -q update && DEBIAN_FRONTEND=noninteractive timeout 600 \
            apt-get -q -y install debootstrap; } >&2 || die "cannot install debootstrap"
    fi
    for d in "$root" "$root.partial"; do
        if [ -e "$d" ]; then
            unmount_all "$d" || die "something stays mounted below $d; not removing it"
            rm -rf --one-file-system "$d" || die "cannot remove $d"
        fi
    done
    log "checking $mirror"
    if command -v curl >/dev/null 2>&1; then
        curl -fsS --max-time 30 -o /dev/null "$mirror/dists/sid/Release" ||
            die "mirror $mirror unreachable (set MEMTRACK_SID_MIRROR)"
    elif command -v wget >/dev/null 2>&1; then
        wget -q -T 30 -t 1 -O /dev/null "$mirror/dists/sid/Release" ||
            die "mirror $mirror unreachable (set MEMTRACK_SID_MIRROR)"
    fi
    log "debootstrap --variant=minbase sid $root.partial $mirror (about 2 minutes)"
    if ! timeout 1200 debootstrap --variant=minbase sid "$root.partial" "$mirror" \
        >"$root.debootstrap.log" 2>&1; then
        tail -n 15 "$root.debootstrap.log" >&2
        unmount_all "$root.partial"
        die "debootstrap failed or timed out (log: $root.debootstrap.log)"
    fi
    unmount_all "$root.partial" || die "debootstrap left mounts below $root.partial"
    mv "$root.partial" "$root" || die "cannot move $root.partial to $root"
    date -u +%FT%TZ >"$root/.memtrack-base"
fi

# a test that writes to /dev/null (or a bug that renames a file over it)
# must not leave the chroot with a regular file there
for dev in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
    IFS=: read -r name major minor <<<"$dev"
    if [ ! -c "$root/dev/$name" ]; then
        log "repairing $root/dev/$name"
        rm -f "$root/dev/$name" && mknod -m 666 "$root/dev/$name" c "$major" "$minor" ||
            die "cannot make $root/dev/$name"
    fi
done
mount_in "$root/proc" proc || die "cannot mount /proc in $root"
mount_in "$root/dev/pts" devpts 2>/dev/null || true

want="${packages[*]}"
stamp="$root/.memtrack-ready"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "installing ${packages[*]} in the chroot"
    # no fsync per file: a broken chroot is made again anyway
    echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/memtrack-unsafe-io"
    if ! apt_install; then
        tail -n 20 "$root/.memtrack-apt.log" >&2 2>/dev/null
        die "apt-get in the chroot failed or timed out (mirror $mirror)"
    fi
    printf '%s\n' "$want" >"$stamp"
elif [ -n "$(find "$stamp" -mtime +7)" ]; then
    log "refreshing the chroot's packages (a week old)"
    if apt_install; then
        printf '%s\n' "$want" >"$stamp"
    else
        log "warning: could not refresh the packages; testing with the ones there"
        touch "$stamp"
    fi
fi
for v in "${pythons[@]}"; do
    in_chroot 60 "python$v" -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(sysconfig.get_paths()["include"] + "/Python.h"))' ||
        die "python$v or its headers missing in $root (remove $stamp to reinstall)"
done
log "chroot ready in $(($(date +%s) - t0)) s: $root"
[ "$mode" = setup ] && exit 0

# ---- build and test ----------------------------------------------------------
t1=$(date +%s)
work=${MEMTRACK_SID_WORK:-/root/memtrack}
rm -rf --one-file-system "$root$work" || die "cannot remove $root$work"
rm -rf --one-file-system "$root"/tmp/mt-* 2>/dev/null # earlier runs' dumps
mkdir -p "$root$work/src" || die "cannot create $root$work"
# a copy, not a bind mount: nothing the chroot does can touch the real tree
tar -C "$top" --exclude=./_build --exclude=./.git --exclude=./autom4te.cache \
    -cf - . | tar -C "$root$work/src" -xf - || die "cannot copy the source tree"
# heapy, the oracle of test_heapy_labels.py, built there by the test itself
guppy=${MEMTRACK_GUPPY:-$top/../shared/thirdparty/guppy3-3.1.7.tar.gz}
guppy_env=()
if [ -f "$guppy" ]; then
    cp "$guppy" "$root$work/" && guppy_env=(MEMTRACK_GUPPY="$work/$(basename "$guppy")")
fi
# pympler, the oracle of test_pympler_side.py (pure Python, unpacked by the test)
pympler=${MEMTRACK_PYMPLER:-$top/../shared/thirdparty/pympler-1.1.tar.gz}
if [ -f "$pympler" ]; then
    cp "$pympler" "$root$work/" && guppy_env+=(MEMTRACK_PYMPLER="$work/$(basename "$pympler")")
fi
# the chroot's own autotools (sid's automake differs from bookworm's)
if ! in_chroot 600 sh -c "cd $work/src && autoreconf -fi" >"$root$work/autoreconf.log" 2>&1; then
    tail -n 20 "$root$work/autoreconf.log" >&2
    die "autoreconf failed in the chroot"
fi

status=0
tui=
for v in "${pythons[@]}"; do
    b=$work/build-$v
    full=$(in_chroot 60 "python$v" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
    what="sid python$v ($full)"
    mkdir -p "$root$b"
    if ! in_chroot 600 sh -c "cd $b && ../src/configure -q PYTHON=/usr/bin/python$v" \
        >"$root$b/build.log" 2>&1; then
        tail -n 20 "$root$b/build.log" >&2
        echo "$what (configure failed): 0 passed, 1 failed"
        status=1
        continue
    fi
    # memtrack-tui (for the golden tests) from the first build directory
    targets=python/memtrack/.stamp
    [ -n "$tui" ] || targets="python/memtrack/.stamp memtrack-tui"
    if ! in_chroot 1800 make -s -C "$b" -j"${MEMTRACK_JOBS:-2}" $targets >>"$root$b/build.log" 2>&1; then
        grep -E 'error|Error' "$root$b/build.log" | head -n 20 >&2
        echo "$what (build failed): 0 passed, 1 failed"
        status=1
        continue
    fi
    [ -n "$tui" ] || tui=$b/memtrack-tui
    out=$(in_chroot 1800 env MEMTRACK_TUI="$tui" "${guppy_env[@]}" "python$v" \
        "$work/src/tests/python/run.py" "$b/python" ${MEMTRACK_SID_TESTS:-} 2>&1)
    n=$(printf '%s\n' "$out" | grep -Eo '^[0-9]+ passed, [0-9]+ failed' | tail -n1)
    printf '%s\n' "$out" >"$root$b/test.log"
    if [ -z "$n" ]; then
        printf '%s\n' "$out" | tail -n 40 >&2
        echo "$what (runner crashed): 0 passed, 1 failed"
        status=1
        continue
    fi
    set -- $n
    if [ "$3" -ne 0 ]; then
        printf '%s\n' "$out" | grep -A 30 '^FAIL' | head -n 80 >&2
        status=1
    fi
    p=$1 f=$3
    if [ -n "${MEMTRACK_SID_TESTS:-}" ]; then
        echo "$what: $p passed, $f failed"
        continue
    fi
    # the corpus programs that need only the standard library
    out=$(in_chroot 1800 "python$v" "$work/src/tests/programs/run.py" \
        --python "/usr/bin/python$v" --module-dir "$b/python" --tui "$tui" \
        --out "$b/programs" --jobs "${MEMTRACK_JOBS:-2}" \
        prog_asyncio prog_generators prog_threads 2>&1)
    n=$(printf '%s\n' "$out" | grep -Eo '^[0-9]+ passed, [0-9]+ failed' | tail -n1)
    printf '%s\n' "$out" | grep -E '^prog_' >&2
    if [ -z "$n" ]; then
        printf '%s\n' "$out" | tail -n 40 >&2
        f=$((f + 1))
        status=1
    else
        set -- $n
        p=$((p + $1))
        f=$((f + $3))
        [ "$3" -eq 0 ] || status=1
    fi
    echo "$what: $p passed, $f failed"
done
log "built and tested in $(($(date +%s) - t1)) s (logs: $root$work/build-*/)"
exit $status
