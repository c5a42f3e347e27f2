## src/browser: memtrack-tui.  Curses and readline live only here, in the
## terminal front end (term.c, term_rl.c); nothing else links them.
bin_PROGRAMS += memtrack-tui
memtrack_tui_SOURCES = src/browser/main.c \
	src/browser/series_main.c src/browser/series_main.h
## --attach PID (attach.c): the configured interpreter and the package's
## directory run `python3 -m memtrack dump --pid`.
memtrack_tui_SOURCES += src/browser/attach.c src/browser/attach.h
## A big dump's browser runs in a child (detach.c): the shell's prompt
## comes back before the kernel has freed its memory.
memtrack_tui_SOURCES += src/browser/detach.c src/browser/detach.h
EXTRA_DIST += doc/attach.md tests/browser/test_attach.sh
TESTS += tests/browser/test_attach.sh
memtrack_tui_LDADD = libmtbrowser.la libmtquery.la libmtanalysis.la \
	libmtgraph.la
## The browser core (no curses, no readline): views, layout, key dispatch,
## and the headless front end; shared by the program, tests and benches.
noinst_LTLIBRARIES += libmtbrowser.la
libmtbrowser_la_SOURCES = src/browser/browser.c src/browser/browser.h \
	src/browser/keys.c src/browser/prompt.c src/browser/view.c \
	src/browser/view_partition.c src/browser/view_identity.c \
	src/browser/view_inspector.c src/browser/view_text.c \
	src/browser/view_paths.c \
	src/browser/focus.c \
	src/browser/view_compare.c \
	src/browser/view_cpaths.c \
	src/browser/view_timeline.c src/browser/view_tracker.c \
	src/browser/layout.c src/browser/bpriv.h \
	src/browser/preview.c src/browser/preview.h \
	src/browser/headless.c src/browser/headless.h src/browser/ui.h
libmtbrowser_la_LIBADD = libmtquery.la
## Headless screen tests (goldens in tests/golden/screens), load errors,
## patterns on a dump of examples/webcache.py; cmocka tests of the core.
TESTS += tests/browser/test_screens.sh tests/browser/test_errors.sh \
	tests/browser/test_webcache.sh
EXTRA_DIST += tests/browser/test_screens.sh tests/browser/test_errors.sh \
	tests/browser/test_webcache.sh tests/golden/screens doc/browser.md
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_browser
TESTS += tests/unit/test_browser
tests_unit_test_browser_SOURCES = tests/unit/test_browser.c \
	tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_browser_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/browser
tests_unit_test_browser_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_browser_LDADD = libmtbrowser.la libmtformat.la $(CMOCKA_LIBS)
endif
## The terminal front end: ncursesw rendering and the readline prompt.
memtrack_tui_SOURCES += src/browser/term.c src/browser/term.h \
	src/browser/term_rl.c src/browser/termpriv.h
memtrack_tui_CPPFLAGS = $(AM_CPPFLAGS) $(NCURSES_CFLAGS) $(READLINE_CFLAGS)
memtrack_tui_CPPFLAGS += -DMT_PYTHON='"$(PYTHON)"' -DMT_PKGDIR='"$(pyexecdir)"'
# main.c loads the dumps of a comparison at the same time
memtrack_tui_CFLAGS = $(AM_CFLAGS) -pthread
memtrack_tui_LDFLAGS = $(AM_LDFLAGS) -pthread
memtrack_tui_LDADD += $(NCURSES_LIBS) $(READLINE_LIBS)
## Smoke test of the terminal front end in tmux (skips without tmux).
TESTS += tests/browser/test_tmux.sh
EXTRA_DIST += tests/browser/test_tmux.sh
## bench/bench_gaps.py's scenario on a small dump (skips without tmux).
TESTS += tests/browser/test_gaps.sh tests/browser/test_loadline.sh
EXTRA_DIST += tests/browser/test_gaps.sh tests/browser/test_loadline.sh
dist_man1_MANS += doc/memtrack-tui.1
EXTRA_DIST += doc/loader.md

## Shell tests of the binary (tests/batch); mkdump writes their fixtures.
TESTS += tests/batch/test_errors.sh tests/batch/test_golden.sh \
	tests/batch/test_escape.sh
EXTRA_DIST += tests/batch/test_errors.sh tests/batch/test_golden.sh \
	tests/batch/test_escape.sh \
	tests/batch/lib.sh tests/golden/clodo.txt tests/golden/type.txt \
	tests/golden/many.txt tests/golden/many-all.txt tests/golden/empty.txt \
	tests/golden/query-bytype.txt tests/golden/query-chain.txt \
	tests/golden/query-more.txt tests/golden/query-all.txt \
	tests/golden/human.txt tests/golden/human-many.txt
## Comparing dumps on the command line (--batch OLD NEW, -e h h0, the leak
## gate); its goldens are listed here too.
TESTS += tests/batch/test_diff.sh
EXTRA_DIST += tests/batch/test_diff.sh tests/golden/diff-clodo.txt \
	tests/golden/diff-grow.txt tests/golden/diff-all.txt \
	tests/golden/diff-type.txt tests/golden/diff-rcs.txt \
	tests/golden/diff-same.txt tests/golden/diff-from-empty.txt \
	tests/golden/diff-mine.txt
## Series files: --batch summaries and --html (series_main.c), and the
## page in headless Chromium (skipped without chromium).
TESTS += tests/batch/test_series.sh tests/report/test_html.sh
EXTRA_DIST += tests/batch/test_series.sh tests/report/test_html.sh \
	tests/report/pixels.py tests/batch/series/app.jsonl \
	tests/batch/series/proc.jsonl tests/batch/series/tracker.stats \
	tests/batch/series/tracker-pympler.txt tests/golden/series-log.txt \
	tests/golden/series-proc.txt tests/golden/series-stats.txt \
	tests/golden/series-both.txt
check_PROGRAMS += tests/unit/mkdump
tests_unit_mkdump_SOURCES = tests/unit/mkdump.c tests/unit/fixture.c \
	tests/unit/fixture.h
tests_unit_mkdump_LDADD = libmtformat.la
