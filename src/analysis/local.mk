## src/analysis: classifiers, partitions and heapy's tables (no curses).
noinst_LTLIBRARIES += libmtanalysis.la
libmtanalysis_la_SOURCES = \
	src/analysis/strbuf.c \
	src/analysis/classifier.c \
	src/analysis/clsutil.c src/analysis/clspriv.h \
	src/analysis/cls_table.c src/analysis/classifiers.def \
	src/analysis/cls_type.c src/analysis/cls_scalar.c \
	src/analysis/cls_sets.c src/analysis/cls_surplus.c \
	src/analysis/cls_cycle.c src/analysis/cls_prod.c \
	src/analysis/ctx.c \
	src/analysis/partition.c \
	src/analysis/table.c \
	src/analysis/set.c \
	src/analysis/dominator.c \
	src/analysis/savedidx.c include/memtrack/savedidx.h \
	include/memtrack/partition.h include/memtrack/table.h \
	include/memtrack/classifier.h include/memtrack/ctx.h \
	include/memtrack/strbuf.h include/memtrack/set.h \
	include/memtrack/dominator.h
libmtanalysis_la_LIBADD = libmtgraph.la
# "my objects": the program's modules and what they own (mine.h)
libmtanalysis_la_SOURCES += src/analysis/mine.c include/memtrack/mine.h
# comparing dumps: identity across dumps, difference tables (diff.h)
libmtanalysis_la_SOURCES += src/analysis/diff.c include/memtrack/diff.h
# the plugins' rows of the classifier table (cls_table.c includes it)
EXTRA_DIST += plugins/classifiers.def
# classifiers, kinds, Python texts (pyrepr, reltext), SCCs, identity tables
libmtanalysis_la_SOURCES += \
	src/analysis/pyrepr.c src/analysis/reltext.c src/analysis/scc.c \
	src/analysis/idtable.c src/analysis/kind.c \
	include/memtrack/pyrepr.h include/memtrack/reltext.h \
	include/memtrack/scc.h include/memtrack/idtable.h \
	include/memtrack/kind.h

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

# the context of a loaded dump and the classifier table
check_PROGRAMS += tests/unit/test_ctx
TESTS += tests/unit/test_ctx
tests_unit_test_ctx_SOURCES = tests/unit/test_ctx.c tests/unit/graphgen.c \
	tests/unit/graphgen.h
tests_unit_test_ctx_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_ctx_LDADD = libmtanalysis.la $(CMOCKA_LIBS)

# saved indexes beside the dump (savedidx.h) and the context's use of them
check_PROGRAMS += tests/unit/test_savedidx
TESTS += tests/unit/test_savedidx
tests_unit_test_savedidx_SOURCES = tests/unit/test_savedidx.c \
	tests/unit/graphgen.c tests/unit/graphgen.h
tests_unit_test_savedidx_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_savedidx_LDADD = libmtanalysis.la $(CMOCKA_LIBS)
endif
TESTS += tests/batch/test_savedidx.sh
EXTRA_DIST += tests/batch/test_savedidx.sh

# tests of classifiers, kinds and Python texts
if HAVE_CMOCKA
MT_CLASSIFY_TESTS = tests/unit/test_pyrepr tests/unit/test_reltext \
	tests/unit/test_classify tests/unit/test_idtable tests/unit/test_kind
check_PROGRAMS += $(MT_CLASSIFY_TESTS)
TESTS += $(MT_CLASSIFY_TESTS)
tests_unit_test_pyrepr_SOURCES = tests/unit/test_pyrepr.c \
	tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_pyrepr_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_pyrepr_LDADD = libmtanalysis.la $(CMOCKA_LIBS)
tests_unit_test_reltext_SOURCES = tests/unit/test_reltext.c \
	tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_reltext_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_reltext_LDADD = libmtanalysis.la $(CMOCKA_LIBS)
tests_unit_test_classify_SOURCES = tests/unit/test_classify.c \
	tests/unit/fixture.c tests/unit/fixture.h tests/unit/graphgen.c \
	tests/unit/graphgen.h
tests_unit_test_classify_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_classify_LDADD = libmtanalysis.la $(CMOCKA_LIBS)
tests_unit_test_idtable_SOURCES = tests/unit/test_idtable.c \
	tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_idtable_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_idtable_LDADD = libmtanalysis.la $(CMOCKA_LIBS)
tests_unit_test_kind_SOURCES = tests/unit/test_kind.c \
	tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_kind_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_kind_LDADD = libmtanalysis.la $(CMOCKA_LIBS)
# allocation sites: SITES record, graph, the prod classifier
check_PROGRAMS += tests/unit/test_prod
TESTS += tests/unit/test_prod
tests_unit_test_prod_SOURCES = tests/unit/test_prod.c
tests_unit_test_prod_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_prod_LDADD = libmtanalysis.la $(CMOCKA_LIBS)
endif

# dominance of sets, navigation, shortest paths, reference patterns, DOT
libmtanalysis_la_SOURCES += \
	src/analysis/navigate.c src/analysis/dominance.c \
	src/analysis/paths.c src/analysis/pathtext.c src/analysis/dot.c src/analysis/refpat.c \
	include/memtrack/navigate.h include/memtrack/dominance.h \
	include/memtrack/paths.h include/memtrack/dot.h \
	include/memtrack/refpat.h
if HAVE_CMOCKA
MT_DOMINANCE_TESTS = tests/unit/test_dominance tests/unit/test_navigate \
	tests/unit/test_paths tests/unit/test_dot tests/unit/test_refpat \
	tests/unit/test_fidelity
check_PROGRAMS += $(MT_DOMINANCE_TESTS)
TESTS += $(MT_DOMINANCE_TESTS)
tests_unit_test_dominance_SOURCES = tests/unit/test_dominance.c \
	tests/unit/graphgen.c tests/unit/graphgen.h \
	tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_dominance_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_dominance_LDADD = libmtanalysis.la $(CMOCKA_LIBS)
tests_unit_test_navigate_SOURCES = tests/unit/test_navigate.c \
	tests/unit/graphgen.c tests/unit/graphgen.h
tests_unit_test_navigate_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_navigate_LDADD = libmtanalysis.la $(CMOCKA_LIBS)
tests_unit_test_paths_SOURCES = tests/unit/test_paths.c \
	tests/unit/graphgen.c tests/unit/graphgen.h \
	tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_paths_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_paths_LDADD = libmtanalysis.la $(CMOCKA_LIBS)
tests_unit_test_dot_SOURCES = tests/unit/test_dot.c \
	tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_dot_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_dot_LDADD = libmtanalysis.la $(CMOCKA_LIBS)
tests_unit_test_refpat_SOURCES = tests/unit/test_refpat.c \
	tests/unit/graphgen.c tests/unit/graphgen.h \
	tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_refpat_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_refpat_LDADD = libmtanalysis.la $(CMOCKA_LIBS)
tests_unit_test_fidelity_SOURCES = tests/unit/test_fidelity.c \
	tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_fidelity_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_fidelity_LDADD = libmtanalysis.la $(CMOCKA_LIBS)
endif

# comparing dumps: identity, leak rule, heapy's difference table (the
# expected texts of test_diff.c are made by real heapy: diff_heapy.py)
EXTRA_DIST += tests/unit/diff_heapy.py
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_diff
TESTS += tests/unit/test_diff
tests_unit_test_diff_SOURCES = tests/unit/test_diff.c \
	tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_diff_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_diff_LDADD = libmtanalysis.la $(CMOCKA_LIBS)
endif
