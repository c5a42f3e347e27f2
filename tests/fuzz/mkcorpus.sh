#!/usr/bin/env bash
# tests/fuzz/mkcorpus.sh BUILDDIR: (re)writes the generated seed corpora of
# the fuzzers under tests/fuzz/corpus/<target>/ (doc/fuzzing.md).
#
#   load, analysis  the fixture dumps of tests/unit/mkdump (demo, many,
#                   empty, evil: written by the real writer), and cuts of
#                   the demo dump (header only, half, all but the END)
#   query           every expression in doc/query.md, README.md and
#                   doc/*.md (`-e '...'` arguments and code spans), each
#                   set attribute of doc/query.md on h and on a row, each
#                   kind constructor, and a few multi-line sessions
#                   (some over several dumps: h0, h1)
#
# Generated files are named seed-*; anything else in a corpus directory (a
# crash input kept as a regression test, crash-<what>) is left alone.
# BUILDDIR is any configured build with tests/unit/mkdump built (make
# tests/unit/mkdump).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: $0 BUILDDIR}
mkdump=$build/tests/unit/mkdump
[ -x "$mkdump" ] || { echo "$0: $mkdump missing (make tests/unit/mkdump)" >&2; exit 1; }
corpus=$top/tests/fuzz/corpus
mkdir -p "$corpus/load" "$corpus/analysis" "$corpus/query"
rm -f "$corpus"/*/seed-*

# ---- dumps ----------------------------------------------------------------
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in demo many empty evil; do
	"$mkdump" "$f" "$tmp/$f.mp"
	cp "$tmp/$f.mp" "$corpus/load/seed-$f.mp"
	cp "$tmp/$f.mp" "$corpus/analysis/seed-$f.mp"
done
size=$(wc -c <"$tmp/demo.mp")
for cut in 120 $((size / 2)) $((size - 12)); do
	head -c "$cut" "$tmp/demo.mp" >"$corpus/load/seed-demo-cut$cut.mp"
	cp "$corpus/load/seed-demo-cut$cut.mp" "$corpus/analysis/"
done

# ---- expressions ----------------------------------------------------------
# q TEXT: one seed file per distinct expression (named by its hash)
q() {
	local h
	h=$(printf '%s' "$1" | sha1sum | cut -c1-12)
	printf '%s' "$1" >"$corpus/query/seed-$h"
}
docs=("$top/README.md" "$top"/doc/*.md)
# -e 'EXPR' and -e EXPR in command lines
while IFS= read -r e; do
	q "$e"
done < <(grep -ho -- "-e '[^']*'\|-e [^ '][^ ]*" "${docs[@]}" |
	sed "s/^-e '\(.*\)'\$/\1/; s/^-e //" | sort -u)
# code spans of the query language's reference that are expressions
while IFS= read -r e; do
	case "$e" in *...* | *' N'* | *=N*) continue ;; esac
	q "$e"
done < <(grep -o '`[^`]*`' "$top/doc/query.md" | sed 's/^`//; s/`$//' |
	grep -E '^(h|_|hp\.|\(|~|[0-9])' | sort -u)
# every set attribute on h and on a row, every kind constructor
while IFS= read -r a; do
	q "h.$a"
	q "h[0].$a"
	q "(h & hp.Type('dict')).$a"
done < <(sed -n '/^## Set attributes/,/^## /p' "$top/doc/query.md" |
	grep -o '`[a-z]*`' | tr -d '`' | sort -u)
while IFS= read -r k; do
	q "h & hp.$k"
	q "(h - hp.$k).byrcs"
done < <(sed -n '/^## Kind constructors/,/^## /p' "$top/doc/query.md" |
	grep -o '`[A-Z][A-Za-z]*([^`]*)`\|`Anything`\|`Nothing`' | tr -d '`' |
	sort -u)
# sessions: one expression per line, `_` and paging carried over
q $'h.byrcs\n_.more\n_[0].referrers.byvia'
q $'h.bytype[1:3]\n_.byid\n_[0].sp'
q $'h.by(\'Type&Size\')\n_.all\n_[-1].domisize'
q $'h.bycycle[0]\n_.dot\n_[0].pathsin'
q $'hp.Size(100).alt(\'>=\')\n(h & _).bymodule\n~_'
# comparing dumps: h, h0 and h1 (fuzz_query's session has three)
q $'h - h0\n_.byrcs\n_[0].referrers & h0'
q $'h0 - h\n_.byid\n_[0].sp'
q $'h.diff(h0)\n_.more\n_.all'
q $'hp.Leaks\n(h & h1) - h0\nh1 | h'
q $'h1.bytype[0]\n_.referrers - h\nh.diff(_)'
chmod 644 "$corpus"/*/seed-*
ls "$corpus"/* | grep -c seed- | sed 's/^/seed files: /'
