## src/graph: the loader and graph library (links src/format only).
noinst_LTLIBRARIES += libmtgraph.la
libmtgraph_la_SOURCES = \
	src/graph/graph.c \
	src/graph/typelabel.c src/graph/typelabel.h \
	src/graph/prefault.c src/graph/prefault.h \
	include/memtrack/graph.h
libmtgraph_la_LIBADD = libmtformat.la


if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_loader
TESTS += tests/unit/test_loader
tests_unit_test_loader_SOURCES = tests/unit/test_loader.c \
	tests/unit/fixture.c tests/unit/fixture.h \
	tests/unit/graphgen.c tests/unit/graphgen.h
tests_unit_test_loader_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_loader_LDADD = libmtanalysis.la libmtgraph.la $(CMOCKA_LIBS)
# the loader's prefault thread, and a load across its windows
check_PROGRAMS += tests/unit/test_prefault
TESTS += tests/unit/test_prefault
tests_unit_test_prefault_SOURCES = tests/unit/test_prefault.c \
	tests/unit/graphgen.c tests/unit/graphgen.h
tests_unit_test_prefault_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_prefault_LDADD = libmtanalysis.la libmtgraph.la $(CMOCKA_LIBS)
# the reader's direct decoder against its general path; the loader's page
# release
check_PROGRAMS += tests/unit/test_direct
TESTS += tests/unit/test_direct
tests_unit_test_direct_SOURCES = tests/unit/test_direct.c
tests_unit_test_direct_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_direct_LDADD = libmtgraph.la $(CMOCKA_LIBS)
endif
