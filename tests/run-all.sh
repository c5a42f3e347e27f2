#!/usr/bin/env bash
# Runs every memtrack test and ends with one line "N passed, N failed".
# Called by ./quickstart.sh test (which installs packages and runs
# autoreconf first); usable alone from the source root: tests/run-all.sh [jobs]
#
#   1. _build/check: -Werror build, `make check` (cmocka unit tests, batch
#      tests of memtrack-tui, Python capture tests for the default python3)
#   2. _build/asan: ASan+UBSan build, `make check` again
#   3. _build/py-X.Y.Z: the capture module built for every other CPython 3.9+
#      (pyenv versions and Debian's /usr/bin/python3), Python tests on each
#   4. tests/sid-chroot.sh: the capture module built and tested for the
#      latest CPython 3.13 and 3.14 in a Debian unstable chroot (made once in
#      /var/tmp/memtrack-sid: about 4 min; then about 15 min per run on a
#      busy 2-core machine, 4 min of CPU; root and the Debian mirror
#      needed; MEMTRACK_SID=0 skips this step)
#   4b. tests/programs/run.sh: real programs from Debian packages (mypy,
#      pandas, numpy, lxml, gevent, SQLAlchemy, sympy, twisted, docutils,
#      threads, asyncio, generators) dumped, queried with both builds'
#      memtrack-tui and compared with heapy (doc/corpus.md; about 4 min;
#      MEMTRACK_PROGRAMS=0 skips this step)
#   5. make distcheck (tarball builds, installs and passes its own checks)
#   6. tests/fuzz/run.sh: the libFuzzer targets (clang), a bounded time each
#      on their committed seed corpora (MEMTRACK_FUZZ_SECONDS, default 75;
#      MEMTRACK_FUZZ=0 skips this step)
# Counts are individual test cases where the runner reports them (cmocka,
# tests/python/run.py), else one per test program.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=${1:-2}
passed=0
failed=0
log() { printf '==> %s\n' "$*" >&2; }

add() { # add PASSED FAILED WHAT
    passed=$((passed + $1))
    failed=$((failed + $2))
    log "$3: $1 passed, $2 failed"
}

# count_check DIR WHAT: sums the results of the automake tests run in DIR.
count_check() {
    local dir=$1 what=$2 p=0 f=0 trs logf res n ran ok
    while IFS= read -r trs; do
        logf=${trs%.trs}.log
        res=$(sed -n 's/^:test-result: //p' "$trs" | head -n1)
        if n=$(grep -Eo '^[0-9]+ passed, [0-9]+ failed' "$logf" | tail -n1) && [ -n "$n" ]; then
            set -- $n
            p=$((p + $1))
            f=$((f + $3))
            [ "$res" = PASS ] || [ "$3" -gt 0 ] || f=$((f + 1))
        elif ran=$(sed -n 's/^\[==========\] \([0-9]*\) test(s) run\./\1/p' "$logf" | tail -n1) && [ -n "$ran" ]; then
            ok=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$logf" | tail -n1)
            ok=${ok:-0}
            p=$((p + ok))
            f=$((f + ran - ok))
            [ "$res" = PASS ] || [ $((ran - ok)) -gt 0 ] || f=$((f + 1))
        else
            case "$res" in
            PASS | XFAIL) p=$((p + 1)) ;;
            SKIP) ;;
            *) f=$((f + 1)) ;;
            esac
        fi
    done < <(find "$dir" -name '*.trs' | sort)
    add "$p" "$f" "$what"
}

# configure_build DIR ARGS...: (re)configures DIR and builds it; 1 on failure.
configure_build() {
    local dir=$1
    shift
    mkdir -p "$dir"
    if [ ! -f "$dir/Makefile" ] || [ configure -nt "$dir/config.status" ]; then
        (cd "$dir" && "$top/configure" -q "$@") || return 1
    fi
    make -s -C "$dir" -j"$jobs" >/dev/null
}

# 1 and 2: full check in a -Werror build and in a sanitized build
for cfg in check:--enable-werror asan:--enable-sanitizers; do
    name=${cfg%%:*}
    dir=_build/$name
    log "build and check: $dir (${cfg#*:})"
    find "$dir" -name '*.trs' -delete 2>/dev/null
    if configure_build "$dir" "${cfg#*:}"; then
        make -s -C "$dir" -j"$jobs" -k check >/dev/null 2>&1
        count_check "$dir" "$name"
        for l in $(grep -l -E '^:test-result: (FAIL|ERROR)' $(find "$dir" -name '*.trs') 2>/dev/null); do
            log "failed: ${l%.trs}.log"
            tail -n 30 "${l%.trs}.log" >&2
        done
    else
        add 0 1 "$name (build failed)"
    fi
done

# stdlib_programs PY MODULE_DIR TAG: the corpus programs that need nothing
# but the standard library (tests/programs; threads mutating during the
# dump, asyncio, generators), on one more interpreter, queried with the
# -Werror build's memtrack-tui.  One count per program.
stdlib_programs() {
    local out n what="stdlib programs on python $3"
    out=$("$1" tests/programs/run.py --python "$1" --module-dir "$2" \
        --tui "$top/_build/check/memtrack-tui" --out "$top/_build/programs-$3" \
        --jobs "$jobs" prog_asyncio prog_generators prog_threads 2>&1)
    n=$(printf '%s\n' "$out" | grep -Eo '^[0-9]+ passed, [0-9]+ failed' | tail -n1)
    if [ -n "$n" ]; then
        set -- $n
        printf '%s\n' "$out" | grep -E '^prog_' >&2
        add "$1" "$3" "$what"
    else
        printf '%s\n' "$out" | tail -n 40 >&2
        add 0 1 "$what (runner crashed)"
    fi
}
tag=$(python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
log "stdlib programs on the default python3 ($tag)"
stdlib_programs python3 "$top/_build/check/python" "$tag"

# 3: the capture module on every other CPython 3.9+
# the interpreter `make check` already covered (python3 may be a pyenv shim)
default_py=$(readlink -f "$(python3 -c 'import sys; print(sys.executable)')")
pythons=()
if command -v pyenv >/dev/null 2>&1; then
    for v in $(pyenv versions --bare 2>/dev/null); do
        p="$(pyenv root)/versions/$v/bin/python3"
        [ -x "$p" ] && pythons+=("$p")
    done
fi
[ -x /usr/bin/python3 ] && pythons+=(/usr/bin/python3)
for py in "${pythons[@]}"; do
    # only CPython 3.9+ (pyenv may also hold 2.7 and 3.6-3.8)
    ver=$("$py" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3] if sys.version_info >= (3, 9) else "old")' 2>/dev/null) || continue
    case "$ver" in 3.*) ;; *) continue ;; esac
    [ "$(readlink -f "$py")" = "$default_py" ] && continue
    case "$py" in /usr/bin/*) tag=debian-$ver ;; *) tag=$ver ;; esac
    dir=_build/py-$tag
    log "capture tests on $py ($tag)"
    mkdir -p "$dir"
    if { [ -f "$dir/Makefile" ] && [ ! configure -nt "$dir/config.status" ]; } ||
        (cd "$dir" && "$top/configure" -q PYTHON="$py"); then
        if make -s -C "$dir" -j"$jobs" python/memtrack/.stamp >/dev/null; then
            # the golden tests query dumps with the -Werror build's binary
            out=$(MEMTRACK_TUI="$top/_build/check/memtrack-tui" "$py" tests/python/run.py "$dir/python" 2>&1)
            n=$(printf '%s\n' "$out" | grep -Eo '^[0-9]+ passed, [0-9]+ failed' | tail -n1)
            if [ -n "$n" ]; then
                set -- $n
                add "$1" "$3" "python $tag"
                [ "$3" -eq 0 ] || printf '%s\n' "$out" | grep -A 30 '^FAIL' | head -n 120 >&2
                stdlib_programs "$py" "$dir/python" "$tag"
            else
                printf '%s\n' "$out" | tail -n 40 >&2
                add 0 1 "python $tag (runner crashed)"
            fi
        else
            add 0 1 "python $tag (build failed)"
        fi
    else
        add 0 1 "python $tag (configure failed)"
    fi
done

# 4: the latest CPython 3.13 and 3.14, from Debian unstable (a chroot)
if [ "${MEMTRACK_SID:-1}" != 0 ]; then
    log "capture tests in the Debian sid chroot (CPython 3.13, 3.14)"
    out=$(MEMTRACK_JOBS=$jobs tests/sid-chroot.sh test)
    rc=$?
    n=0
    while IFS= read -r line; do
        case "$line" in
        "sid "*": "*" passed, "*" failed")
            set -- ${line##*: }
            add "$1" "$3" "${line%: *}"
            n=$((n + 1))
            ;;
        esac
    done <<<"$out"
    if [ "$n" -eq 0 ]; then
        add 0 1 "sid chroot (rc $rc: could not be set up or built, see sid-chroot: lines above)"
    elif [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        add 0 1 "sid chroot (rc $rc)"
    fi
fi

# 4b: the real-program corpus (doc/corpus.md), one count per program
if [ "${MEMTRACK_PROGRAMS:-1}" != 0 ]; then
    log "real programs (tests/programs/run.sh)"
    out=$(tests/programs/run.sh "$jobs" 2>&1)
    n=$(printf '%s\n' "$out" | grep -Eo '^[0-9]+ passed, [0-9]+ failed' | tail -n1)
    if [ -n "$n" ]; then
        set -- $n
        printf '%s\n' "$out" | grep -E '^prog_[a-z0-9_]+: PASS' >&2
        [ "$3" -eq 0 ] || printf '%s\n' "$out" | grep -v ': PASS ' | tail -n 80 >&2
        add "$1" "$3" "programs"
    else
        printf '%s\n' "$out" | tail -n 40 >&2
        add 0 1 "programs (runner crashed)"
    fi
fi

# 5: distcheck
log "make distcheck"
if make -s -C _build/check -j"$jobs" distcheck >_build/distcheck.log 2>&1; then
    add 1 0 "distcheck"
else
    tail -n 40 _build/distcheck.log >&2
    add 0 1 "distcheck"
fi

# 6: the fuzzers (doc/fuzzing.md)
if [ "${MEMTRACK_FUZZ:-1}" != 0 ]; then
    log "fuzzers (tests/fuzz/run.sh)"
    out=$(MEMTRACK_JOBS=$jobs tests/fuzz/run.sh 2>&1)
    rc=$?
    n=$(printf '%s\n' "$out" | grep -Eo '^[0-9]+ passed, [0-9]+ failed' | tail -n1)
    if [ -n "$n" ]; then
        set -- $n
        add "$1" "$3" "fuzz"
        [ "$3" -eq 0 ] || printf '%s\n' "$out" | tail -n 60 >&2
    else
        printf '%s\n' "$out" | tail -n 40 >&2
        add 0 1 "fuzz (rc $rc)"
    fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
