## src/analysis: classifiers, partitions and heapy's tables (no curses).
noinst_LTLIBRARIES += libmtanalysis.la
libmtanalysis_la_SOURCES = \
	src/analysis/strbuf.c \
	src/analysis/classifier.c \
	src/analysis/partition.c \
	src/analysis/table.c \
	src/analysis/set.c \
	src/analysis/dominator.c \
	include/memtrack/partition.h include/memtrack/table.h \
	include/memtrack/strbuf.h include/memtrack/set.h \
	include/memtrack/dominator.h
libmtanalysis_la_LIBADD = libmtgraph.la

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_partition
TESTS += tests/unit/test_partition
tests_unit_test_partition_SOURCES = tests/unit/test_partition.c \
	tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_partition_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_partition_LDADD = libmtanalysis.la $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_set tests/unit/test_dominator
TESTS += tests/unit/test_set tests/unit/test_dominator
tests_unit_test_set_SOURCES = tests/unit/test_set.c tests/unit/graphgen.c \
	tests/unit/graphgen.h
tests_unit_test_set_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_set_LDADD = libmtanalysis.la $(CMOCKA_LIBS)
tests_unit_test_dominator_SOURCES = tests/unit/test_dominator.c \
	tests/unit/graphgen.c tests/unit/graphgen.h
tests_unit_test_dominator_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_dominator_LDADD = libmtanalysis.la $(CMOCKA_LIBS)
endif
