## src/format: the dump format library (msgpack; no Python, no curses).
noinst_LTLIBRARIES += libmtformat.la
libmtformat_la_SOURCES = \
	src/format/error.c \
	src/format/checksum.c \
	src/format/relation.c \
	src/format/util.c include/memtrack/util.h \
	src/format/bigmem.c \
	src/format/mpk.c src/format/mpk.h \
	src/format/writer.c src/format/safefile.c \
	src/format/reader.c \
	src/format/json.c src/format/json.h \
	src/format/series.c src/format/report.c \
	include/memtrack/series.h \
	include/memtrack/error.h include/memtrack/dump.h \
	include/memtrack/writer.h include/memtrack/reader.h \
	include/memtrack/safefile.h \
	include/memtrack/checksum.h
libmtformat_la_CFLAGS = $(AM_CFLAGS) $(MSGPACK_CFLAGS)
EXTRA_DIST += doc/report.md
libmtformat_la_LIBADD = $(MSGPACK_LIBS)

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_format
TESTS += tests/unit/test_format
tests_unit_test_format_SOURCES = tests/unit/test_format.c
tests_unit_test_format_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_format_LDADD = libmtformat.la $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/test_writer
TESTS += tests/unit/test_writer
tests_unit_test_writer_SOURCES = tests/unit/test_writer.c
tests_unit_test_writer_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_writer_LDADD = libmtformat.la $(CMOCKA_LIBS)
tests_unit_test_writer_LDFLAGS = -Wl,--wrap=fdatasync
check_PROGRAMS += tests/unit/test_util
TESTS += tests/unit/test_util
tests_unit_test_util_SOURCES = tests/unit/test_util.c
tests_unit_test_util_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_util_LDADD = libmtformat.la $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/test_series
TESTS += tests/unit/test_series
tests_unit_test_series_SOURCES = tests/unit/test_series.c
tests_unit_test_series_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_series_LDADD = libmtformat.la $(CMOCKA_LIBS)
endif
