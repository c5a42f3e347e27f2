## src/query: the query language (parser, evaluator, rendering) over the
## analysis library.  No curses, no readline.
noinst_LTLIBRARIES += libmtquery.la
libmtquery_la_SOURCES = \
	src/query/parse.c \
	src/query/val.c \
	src/query/session.c \
	src/query/eval.c \
	src/query/table.c \
	src/query/attrs.c \
	src/query/ctors.c \
	src/query/complete.c \
	src/query/kinds.c \
	src/query/render.c \
	src/query/pager.c \
	src/query/dumps.c \
	src/query/qval.h \
	include/memtrack/qast.h include/memtrack/query.h
libmtquery_la_LIBADD = libmtanalysis.la

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_query
TESTS += tests/unit/test_query
tests_unit_test_query_SOURCES = tests/unit/test_query.c \
	tests/unit/graphgen.c tests/unit/graphgen.h
tests_unit_test_query_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/query
tests_unit_test_query_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_query_LDADD = libmtquery.la $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/test_query_dumps
TESTS += tests/unit/test_query_dumps
tests_unit_test_query_dumps_SOURCES = tests/unit/test_query_dumps.c \
	tests/unit/graphgen.c tests/unit/graphgen.h
tests_unit_test_query_dumps_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_query_dumps_LDADD = libmtquery.la $(CMOCKA_LIBS)
endif
EXTRA_DIST += doc/query.md
## memtrack-tui under valgrind on issue 8's use-after-free scenarios
## (skips without valgrind).
TESTS += tests/query/test_valgrind.sh
EXTRA_DIST += tests/query/test_valgrind.sh
## h, h0, h1 over several dumps through memtrack-tui -e.
TESTS += tests/query/test_dumps.sh
EXTRA_DIST += tests/query/test_dumps.sh
