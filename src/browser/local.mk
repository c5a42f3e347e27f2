## src/browser: memtrack-tui.  Curses and readline will live only here; the
## batch report needs neither yet, so neither is linked.
bin_PROGRAMS += memtrack-tui
memtrack_tui_SOURCES = src/browser/main.c
memtrack_tui_LDADD = libmtquery.la libmtanalysis.la libmtgraph.la
dist_man1_MANS += doc/memtrack-tui.1
EXTRA_DIST += doc/loader.md

## Shell tests of the binary (tests/batch); mkdump writes their fixtures.
TESTS += tests/batch/test_errors.sh tests/batch/test_golden.sh
EXTRA_DIST += tests/batch/test_errors.sh tests/batch/test_golden.sh \
	tests/batch/lib.sh tests/golden/clodo.txt tests/golden/type.txt \
	tests/golden/many.txt tests/golden/many-all.txt tests/golden/empty.txt \
	tests/golden/query-bytype.txt tests/golden/query-chain.txt \
	tests/golden/query-more.txt tests/golden/query-all.txt
check_PROGRAMS += tests/unit/mkdump
tests_unit_mkdump_SOURCES = tests/unit/mkdump.c tests/unit/fixture.c \
	tests/unit/fixture.h
tests_unit_mkdump_LDADD = libmtformat.la
