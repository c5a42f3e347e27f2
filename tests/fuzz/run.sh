#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS]: builds the libFuzzer targets with clang
# (./configure --enable-fuzzing CC=clang, in $MEMTRACK_FUZZ_BUILDDIR,
# default _build/fuzz) and runs each for SECONDS (default
# $MEMTRACK_FUZZ_SECONDS, else 75) on a scratch copy of its committed seed
# corpus, tests/fuzz/corpus/<target>/ (doc/fuzzing.md):
#
#   fuzz_load      the loader on raw bytes
#   fuzz_analysis  the loader and the analysis on inputs whose END record
#                  is repaired (counts, checksum) so they pass the reader
#   fuzz_query     query expressions on a small fixed heap
#   fuzz_series    process logs and tracker stats: parse, summaries, HTML
#
# Two results per target: "corpus" (every committed input, the crash
# inputs kept as regression tests included, runs clean) and "fuzz" (no
# crash, sanitizer report, leak or timeout in the time given).  A failing
# input is copied to _build/fuzz-artifacts/; the last line is
# "N passed, N failed" (tests/run-all.sh counts it).  Needs clang and
# libFuzzer (Debian: clang, libclang-rt-14-dev).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
secs=${1:-${MEMTRACK_FUZZ_SECONDS:-75}}
build=${MEMTRACK_FUZZ_BUILDDIR:-_build/fuzz}
jobs=${MEMTRACK_JOBS:-2}
targets=(fuzz_load fuzz_analysis fuzz_query fuzz_series)
passed=0
failed=0
log() { printf '==> %s\n' "$*" >&2; }
result() { # result OK WHAT
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1))
		log "PASS: $2"
	else
		failed=$((failed + 1))
		log "FAIL: $2"
	fi
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

if ! command -v clang >/dev/null 2>&1; then
	log "clang not found (Debian: apt-get install clang libclang-rt-14-dev)"
	result 1 "build"
	finish
fi
[ -x configure ] || autoreconf -fi >/dev/null 2>&1
mkdir -p "$build"
if [ ! -f "$build/Makefile" ] || [ configure -nt "$build/config.status" ]; then
	if ! (cd "$build" && "$top/configure" -q CC=clang --enable-fuzzing); then
		result 1 "configure --enable-fuzzing CC=clang (is libFuzzer installed?)"
		finish
	fi
fi
if ! make -s -C "$build" -j"$jobs" "${targets[@]/#/tests/fuzz/}" >/dev/null; then
	result 1 "build of the fuzzers"
	finish
fi

arts=$top/_build/fuzz-artifacts
work=$(mktemp -d "${TMPDIR:-/tmp}/mt_fuzz.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
mkdir -p "$arts"
for t in "${targets[@]}"; do
	bin=$build/tests/fuzz/$t
	seeds=tests/fuzz/corpus/${t#fuzz_}
	opts=(-timeout=30 -rss_limit_mb=2560 -max_len=65536 -print_final_stats=1
		-artifact_prefix="$work/$t-")
	dict=tests/fuzz/${t#fuzz_}.dict
	[ -f "$dict" ] && opts+=(-dict="$dict")
	# 1. the committed inputs, each once
	if "$bin" "${opts[@]}" -runs=0 "$seeds" >"$work/$t.corpus.log" 2>&1; then
		result 0 "$t corpus ($(ls "$seeds" | wc -l) inputs)"
	else
		tail -n 40 "$work/$t.corpus.log" >&2
		result 1 "$t corpus"
	fi
	# 2. fuzzing from a scratch copy (new inputs do not touch the tree)
	mkdir -p "$work/$t"
	cp "$seeds"/* "$work/$t/"
	if "$bin" "${opts[@]}" -max_total_time="$secs" "$work/$t" \
		>"$work/$t.log" 2>&1; then
		n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
		result 0 "$t fuzz (${secs} s, ${n:-?} executions)"
	else
		grep -E '^==[0-9]+==|^SUMMARY|^ +#[0-9]+ |runtime error|^Test unit written' \
			"$work/$t.log" | head -n 40 >&2
		for a in "$work/$t-"*; do
			[ -f "$a" ] || continue
			cp "$a" "$arts/"
			log "failing input: $arts/$(basename "$a")"
		done
		result 1 "$t fuzz"
	fi
done
finish
