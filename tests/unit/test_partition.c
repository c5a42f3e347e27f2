/* Tests of src/analysis: classifiers, partitions and heapy's table text,
 * byte for byte against heapy's output (doc: reference heapy.md, sec. 2
 * and 8) and Python's textwrap. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "memtrack/graph.h"
#include "memtrack/partition.h"
#include "memtrack/table.h"

/* heapy.md section 8, `str(h)` of the test heap (clodo). */
static const char heapy_clodo[] =
    "Partition of a set of 5248 objects. Total size = 450586 bytes.\n"
    " Index  Count   %     Size   % Cumulative  % Kind (class / dict of "
    "class)\n"
    "     0   1000  19   184000  41    184000  41 dict (no owner)\n"
    "     1   1000  19    96000  21    280000  62 dict of __main__.Node\n"
    "     2   1500  29    80390  18    360390  80 str\n"
    "     3   1000  19    56000  12    416390  92 __main__.Node\n"
    "     4    743  14    20804   5    437194  97 int\n"
    "     5      4   0    13224   3    450418 100 list\n"
    "     6      1   0      168   0    450586 100 types.FrameType\n";

/* heapy.md section 8, `h.bytype` (the title is elided there). */
static const char heapy_bytype[] =
    " Index  Count   %     Size   % Cumulative  % Type\n"
    "     0   2000  38   280000  62    280000  62 dict\n"
    "     1   1500  29    80390  18    360390  80 str\n"
    "     2   1000  19    56000  12    416390  92 __main__.Node\n"
    "     3    743  14    20804   5    437194  97 int\n"
    "     4      4   0    13224   3    450418 100 list\n"
    "     5      1   0      168   0    450586 100 types.FrameType\n";

static void test_heapy_clodo_table(void **state)
{
	/* Given in a scrambled order: the partition sorts them. */
	mt_partition_row rows[] = {
	    {.label = "list", .count = 4, .size = 13224},
	    {.label = "str", .count = 1500, .size = 80390},
	    {.label = "types.FrameType", .count = 1, .size = 168},
	    {.label = "dict of __main__.Node", .count = 1000, .size = 96000},
	    {.label = "int", .count = 743, .size = 20804},
	    {.label = "dict (no owner)", .count = 1000, .size = 184000},
	    {.label = "__main__.Node", .count = 1000, .size = 56000},
	};
	mt_partition *p;
	mt_strbuf sb;
	mt_err err;
	size_t next;
	(void)state;
	assert_int_equal(mt_partition_from_rows(
			     &p, "Kind (class / dict of class)", rows, 7, &err),
			 MT_OK);
	assert_int_equal(mt_partition_count(p), 5248);
	assert_int_equal(mt_partition_size(p), 450586);
	mt_strbuf_init(&sb);
	assert_int_equal(
	    mt_table_format(p, 0, MT_TABLE_TITLE, &sb, &next, &err), MT_OK);
	assert_string_equal(sb.s, heapy_clodo);
	assert_int_equal(next, 7);
	mt_strbuf_destroy(&sb);
	mt_partition_free(p);
}

static void test_heapy_bytype_table(void **state)
{
	mt_partition_row rows[] = {
	    {.label = "str", .count = 1500, .size = 80390},
	    {.label = "dict", .count = 2000, .size = 280000},
	    {.label = "types.FrameType", .count = 1, .size = 168},
	    {.label = "__main__.Node", .count = 1000, .size = 56000},
	    {.label = "list", .count = 4, .size = 13224},
	    {.label = "int", .count = 743, .size = 20804},
	};
	mt_partition *p;
	mt_strbuf sb;
	mt_err err;
	(void)state;
	assert_int_equal(mt_partition_from_rows(&p, "Type", rows, 6, &err),
			 MT_OK);
	mt_strbuf_init(&sb);
	assert_int_equal(mt_table_format(p, 0, 0, &sb, NULL, &err), MT_OK);
	assert_string_equal(sb.s, heapy_bytype);
	mt_strbuf_destroy(&sb);
	mt_partition_free(p);
}

/* n rows of 1 object each, sizes n..1. */
static mt_partition *rows_partition(size_t n)
{
	mt_partition_row rows[40];
	char labels[40][16];
	mt_partition *p;
	mt_err err;
	size_t i;
	for (i = 0; i < n; i++) {
		snprintf(labels[i], sizeof labels[i], "k%02zu", i);
		rows[i] = (mt_partition_row){
		    .label = labels[i], .count = 1, .size = 100 - i};
	}
	assert_int_equal(mt_partition_from_rows(&p, "Type", rows, n, &err),
			 MT_OK);
	return p;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_more_rows(void **state)
{
	mt_partition *p;
	mt_strbuf sb;
	mt_err err;
	size_t next;
	(void)state;
	mt_strbuf_init(&sb);

	/* 12 rows: a page of 10, then "<2 more rows". */
	p = rows_partition(12);
	assert_int_equal(
	    mt_table_format(p, 0, MT_TABLE_TITLE, &sb, &next, &err), MT_OK);
	assert_int_equal(next, 10);
	assert_int_equal(count_lines(sb.s), 1 + 1 + 10 + 1);
	assert_non_null(strstr(sb.s, "     9      1   8       91   8       "
				     "955  84 k09\n"
				     "<2 more rows. Type e.g. '_.more' to "
				     "view.>\n"));
	/* the next page: header, no title, the two rows */
	mt_strbuf_reset(&sb);
	assert_int_equal(mt_table_format(p, next, 0, &sb, &next, &err), MT_OK);
	assert_int_equal(next, 12);
	assert_string_equal(
	    sb.s, " Index  Count   %     Size   % Cumulative  % Type\n"
		  "    10      1   8       90   8      1045  92 k10\n"
		  "    11      1   8       89   8      1134 100 k11\n");
	/* all */
	mt_strbuf_reset(&sb);
	assert_int_equal(mt_table_format(p, 0, MT_TABLE_TITLE | MT_TABLE_ALL,
					 &sb, &next, &err),
			 MT_OK);
	assert_int_equal(count_lines(sb.s), 2 + 12);
	assert_null(strstr(sb.s, "more rows"));
	mt_partition_free(p);

	/* 11 rows: the one left over is shown instead of "<1 more rows" */
	p = rows_partition(11);
	mt_strbuf_reset(&sb);
	assert_int_equal(
	    mt_table_format(p, 0, MT_TABLE_TITLE, &sb, &next, &err), MT_OK);
	assert_int_equal(next, 11);
	assert_int_equal(count_lines(sb.s), 2 + 11);
	assert_null(strstr(sb.s, "more rows"));
	mt_partition_free(p);

	/* 1 object: singular title; empty set: the title alone */
	p = rows_partition(1);
	mt_strbuf_reset(&sb);
	assert_int_equal(mt_table_format(p, 0, MT_TABLE_TITLE, &sb, NULL, &err),
			 MT_OK);
	assert_non_null(strstr(sb.s, "Partition of a set of 1 object. Total "
				     "size = 100 bytes.\n"));
	mt_partition_free(p);
	p = rows_partition(0);
	mt_strbuf_reset(&sb);
	assert_int_equal(mt_table_format(p, 0, MT_TABLE_TITLE, &sb, NULL, &err),
			 MT_OK);
	assert_string_equal(sb.s, "Partition of a set of 0 objects. Total "
				  "size = 0 bytes.\n");
	mt_partition_free(p);
	mt_strbuf_destroy(&sb);
}

static void test_sort_ties(void **state)
{
	/* equal sizes sort by label, bytewise (Python's code point order) */
	mt_partition_row rows[] = {
	    {.label = "b", .count = 1, .size = 8},
	    {.label = "\xc3\xa9", .count = 1, .size = 8},
	    {.label = "B", .count = 5, .size = 8},
	    {.label = "a", .count = 1, .size = 9},
	};
	mt_partition *p;
	mt_err err;
	(void)state;
	assert_int_equal(mt_partition_from_rows(&p, "Type", rows, 4, &err),
			 MT_OK);
	assert_string_equal(mt_partition_row_at(p, 0)->label, "a");
	assert_string_equal(mt_partition_row_at(p, 1)->label, "B");
	assert_string_equal(mt_partition_row_at(p, 2)->label, "b");
	assert_string_equal(mt_partition_row_at(p, 3)->label, "\xc3\xa9");
	assert_int_equal(mt_partition_row_at(p, 3)->cumul, 33);
	mt_partition_free(p);
}

static void test_percent(void **state)
{
	(void)state;
	assert_int_equal(mt_table_percent(1, 8), 12);  /* 12.5 -> 12 */
	assert_int_equal(mt_table_percent(3, 8), 38);  /* 37.5 -> 38 */
	assert_int_equal(mt_table_percent(1, 200), 0); /* 0.5 -> 0 */
	assert_int_equal(mt_table_percent(3, 200), 2); /* 1.5 -> 2 */
	assert_int_equal(mt_table_percent(5, 5), 100);
	assert_int_equal(mt_table_percent(0, 0), 0);
	assert_int_equal(mt_table_percent(743, 5248), 14);
}

/* Expected texts are Python 3.11's textwrap.wrap(text, width=100,
 * subsequent_indent=' '*45), joined with newlines. */
static const struct {
	const char *in, *out;
} wrap_cases[] = {
    {"     7      1   0     1064   0      9999 100 "
     "some.deeply.nested.package.with.a.long.module.name."
     "AVeryLongClassNameThatGoesOn.AndOnAndOn-Hyphenated.Thing7",
     "     7      1   0     1064   0      9999 100\n                           "
     "                  "
     "some.deeply.nested.package.with.a.long.module.name.AVer\n                "
     "                             "
     "yLongClassNameThatGoesOn.AndOnAndOn-Hyphenated.Thing7\n"},
    {"     7      1   0     1064   0      9999 100 dict of "
     "some.deeply.nested.package.with.a.long.module.name."
     "AVeryLongClassNameThatGoesOn.AndOnAndOn-Hyphenated.Thing7",
     "     7      1   0     1064   0      9999 100 dict of\n                   "
     "                          "
     "some.deeply.nested.package.with.a.long.module.name.AVer\n                "
     "                             "
     "yLongClassNameThatGoesOn.AndOnAndOn-Hyphenated.Thing7\n"},
    {"     7      1   0     1064   0      9999 100 a b c d e f g h i j k l m n "
     "o p q r s t u v w x y z aa bb cc dd ee ff gg hh ii jj kk ll mm nn oo pp "
     "qq rr",
     "     7      1   0     1064   0      9999 100 a b c d e f g h i j k l m n "
     "o p q r s t u v w x y z aa\n                                             "
     "bb cc dd ee ff gg hh ii jj kk ll mm nn oo pp qq rr\n"},
    {"     7      1   0     1064   0      9999 100 "
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
     "     7      1   0     1064   0      9999 100 "
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n                "
     "                             "
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n                "
     "                             xxxxxxxxxxxxxxxxxxxx\n"},
    {"     7      1   0     1064   0      9999 100 "
     "long-hyphenated-word-that-exceeds-the-whole-width-of-the-line-by-a-fair-"
     "margin-yes-indeed-it-does-so",
     "     7      1   0     1064   0      9999 100 "
     "long-hyphenated-word-that-exceeds-the-whole-width-of-\n                  "
     "                           "
     "the-line-by-a-fair-margin-yes-indeed-it-does-so\n"},
    {"     7      1   0     1064   0      9999 100 tab\there and  two  spaces "
     "\xc3"
     "\xa9"
     "\xc3"
     "\xa9"
     "\xc3"
     "\xa9"
     "\xc3"
     "\xa9"
     " \xc3"
     "\xbc"
     "n\xc3"
     "\xaf"
     "c\xc3"
     "\xb6"
     "d\xc3"
     "\xa9"
     " \xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "",
     "     7      1   0     1064   0      9999 100 tab        here and  two  "
     "spaces \xc3"
     "\xa9"
     "\xc3"
     "\xa9"
     "\xc3"
     "\xa9"
     "\xc3"
     "\xa9"
     " \xc3"
     "\xbc"
     "n\xc3"
     "\xaf"
     "c\xc3"
     "\xb6"
     "d\xc3"
     "\xa9"
     "\n                                             \xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\n                                             \xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\xc3"
     "\xbc"
     "\n"},
    {"     7      1   0     1064   0      9999 100 trailing spaces at the end "
     "of a long line that needs wrapping right about here ok      then more "
     "words",
     "     7      1   0     1064   0      9999 100 trailing spaces at the end "
     "of a long line that needs\n                                             "
     "wrapping right about here ok      then more words\n"},
    {"     7      1   0     1064   0      9999 100 under_score-words ab-cd a-b "
     "abc-d-ef x--y 12-34 ab-12 "
     "words-with-hyphens-everywhere-in-the-long-label-text",
     "     7      1   0     1064   0      9999 100 under_score-words ab-cd a-b "
     "abc-d-ef x--y 12-34 ab-12\n                                             "
     "words-with-hyphens-everywhere-in-the-long-label-text\n"},
    {"     7      1   0     1064   0      9999 100 dict of __main__.Node",
     "     7      1   0     1064   0      9999 100 dict of __main__.Node\n"},
};

static void test_wrap(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < sizeof wrap_cases / sizeof wrap_cases[0]; i++) {
		mt_strbuf sb;
		mt_strbuf_init(&sb);
		assert_int_equal(mt_table_wrap(&sb, wrap_cases[i].in,
					       strlen(wrap_cases[i].in), 100, 0,
					       45),
				 MT_OK);
		assert_string_equal(sb.s, wrap_cases[i].out);
		mt_strbuf_destroy(&sb);
	}
}

static void test_wrap_edges(void **state)
{
	mt_strbuf sb;
	(void)state;
	mt_strbuf_init(&sb);
	/* nothing, whitespace only: no lines, as textwrap.wrap gives [] */
	assert_int_equal(mt_table_wrap(&sb, "", 0, 100, 0, 45), MT_OK);
	assert_int_equal(mt_table_wrap(&sb, "   ", 3, 100, 0, 45), MT_OK);
	assert_int_equal(sb.len, 0);
	/* indent wider than the line: one character per line, no hang */
	assert_int_equal(mt_table_wrap(&sb, "abc", 3, 4, 5, 5), MT_OK);
	assert_string_equal(sb.s, "     a\n     b\n     c\n");
	/* stray UTF-8 continuation bytes do not stall the wrapper */
	mt_strbuf_reset(&sb);
	assert_int_equal(mt_table_wrap(&sb, "\x80\x80\x80", 3, 2, 1, 1), MT_OK);
	assert_true(sb.len > 0);
	mt_strbuf_destroy(&sb);
}

static void test_classify_parse(void **state)
{
	mt_classify_by by;
	(void)state;
	assert_int_equal(mt_classify_parse("clodo", &by), MT_OK);
	assert_int_equal(by, MT_CLASSIFY_CLODO);
	assert_int_equal(mt_classify_parse("type", &by), MT_OK);
	assert_int_equal(by, MT_CLASSIFY_TYPE);
	assert_int_equal(mt_classify_parse("nosuch", &by), MT_ARG);
}

static mt_graph *load_canned(const char *name)
{
	char path[] = "/tmp/mt_test_partition_XXXXXX";
	int fd = mkstemp(path);
	mt_graph *g = NULL;
	mt_err err;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(fx_write_canned(name, path, &err), MT_OK);
	assert_int_equal(mt_graph_load(&g, path, NULL, NULL, &err), MT_OK);
	unlink(path);
	return g;
}

static const mt_partition_row *find_row(const mt_partition *p,
					const char *label)
{
	size_t i;
	for (i = 0; i < mt_partition_nrows(p); i++)
		if (!strcmp(mt_partition_row_at(p, i)->label, label))
			return mt_partition_row_at(p, i);
	fail_msg("no row %s", label);
	return NULL;
}

static void test_clodo_on_demo(void **state)
{
	mt_graph *g = load_canned("demo");
	mt_classifier *c;
	mt_partition *p;
	mt_err err;
	uint64_t total = 0;
	uint32_t i;
	(void)state;
	assert_int_equal(mt_classifier_new(&c, g, MT_CLASSIFY_CLODO, &err),
			 MT_OK);
	assert_string_equal(mt_classifier_header(c),
			    "Kind (class / dict of class)");
	assert_int_equal(mt_partition_new(&p, c, NULL, 0, &err), MT_OK);
	for (i = 0; i < mt_graph_count(g); i++)
		total += mt_graph_size(g, i);
	assert_int_equal(mt_partition_count(p), mt_graph_count(g));
	assert_int_equal(mt_partition_size(p), total);
	/* 4 inline dicts of Node; 4 tags dicts and sys.modules unowned */
	assert_int_equal(find_row(p, "dict of __main__.Node")->count, 4);
	assert_int_equal(find_row(p, "dict of __main__.Node")->size, 4 * 96);
	assert_int_equal(find_row(p, "dict (no owner)")->count, 5);
	assert_int_equal(find_row(p, "dict (no owner)")->size, 4 * 184 + 2264);
	assert_int_equal(find_row(p, "dict of module")->count, 2);
	assert_int_equal(find_row(p, "dict of type")->count, 1);
	assert_int_equal(find_row(p, "dict of function")->count, 1);
	assert_int_equal(find_row(p, "__main__.Node")->count, 4);
	assert_int_equal(find_row(p, "types.FrameType")->count, 1);
	assert_int_equal(find_row(p, "types.CodeType")->count, 1);
	assert_int_equal(find_row(p, "types.CellType")->count, 1);
	assert_int_equal(find_row(p, "types.BuiltinMethodType")->count, 1);
	assert_int_equal(find_row(p, "types.SimpleNamespace")->count, 1);
	assert_int_equal(find_row(p, "module")->count, 2);
	assert_int_equal(find_row(p, "function")->count, 1);
	assert_int_equal(find_row(p, "type")->count, 18);
	mt_partition_free(p);
	mt_classifier_free(c);

	/* by type: all 13 dicts in one row */
	assert_int_equal(mt_classifier_new(&c, g, MT_CLASSIFY_TYPE, &err),
			 MT_OK);
	assert_string_equal(mt_classifier_header(c), "Type");
	assert_int_equal(mt_partition_new(&p, c, NULL, 0, &err), MT_OK);
	assert_int_equal(find_row(p, "dict")->count, 13);
	mt_partition_free(p);

	/* a subset: just the first three ids */
	{
		uint32_t ids[] = {0, 1, 2};
		assert_int_equal(mt_partition_new(&p, c, ids, 3, &err), MT_OK);
		assert_int_equal(mt_partition_count(p), 3);
		mt_partition_free(p);
	}
	mt_classifier_free(c);
	mt_graph_free(g);
}

/* Rows from kinds as uint32 and as uint16 are the rows a classification
 * gives, for the whole heap and for a subset. */
/* Counts its calls in *data and cancels. */
static int cancel_first(void *data, uint64_t done, uint64_t total)
{
	(void)done;
	(void)total;
	++*(int *)data;
	return 1;
}

static void test_from_kinds16(void **state)
{
	mt_graph *g = load_canned("demo");
	mt_classifier *c;
	mt_partition *p[3];
	uint32_t *kinds, n = mt_graph_count(g), ids[] = {0, 2, 3, 7};
	mt_err err;
	(void)state;
	assert_int_equal(mt_classifier_new(&c, g, MT_CLASSIFY_CLODO, &err),
			 MT_OK);
	assert_int_equal(mt_classifier_classify_all(c, &kinds, &err), MT_OK);
	uint16_t *k16 = malloc(n * sizeof *k16), sub16[4];
	uint32_t sub[4];
	for (uint32_t j = 0; j < n; j++)
		k16[j] = (uint16_t)kinds[j];
	for (int j = 0; j < 4; j++)
		sub16[j] = (uint16_t)(sub[j] = kinds[ids[j]]);
	for (int pass = 0; pass < 2; pass++) {
		const uint32_t *in = pass ? ids : NULL;
		size_t m = pass ? 4 : n;
		assert_int_equal(mt_partition_new(&p[0], c, in, m, &err),
				 MT_OK);
		assert_int_equal(mt_partition_from_kinds(
				     &p[1], c, in, pass ? sub : kinds, m, NULL,
				     NULL, &err),
				 MT_OK);
		assert_int_equal(mt_partition_from_kinds16(
				     &p[2], c, in, pass ? sub16 : k16, m, NULL,
				     NULL, &err),
				 MT_OK);
		/* progress from the first member on, and a cancel */
		int calls = 0;
		mt_partition *none = (mt_partition *)1;
		assert_int_equal(mt_partition_from_kinds16(
				     &none, c, in, pass ? sub16 : k16, m,
				     cancel_first, &calls, &err),
				 MT_CANCELLED);
		assert_null(none);
		assert_int_equal(calls, 1);
		for (int q = 1; q < 3; q++) {
			assert_int_equal(mt_partition_nrows(p[q]),
					 mt_partition_nrows(p[0]));
			for (size_t i = 0; i < mt_partition_nrows(p[0]); i++) {
				const mt_partition_row *a = mt_partition_row_at(
							   p[0], i),
						       *b = mt_partition_row_at(
							   p[q], i);
				assert_string_equal(a->label, b->label);
				assert_int_equal(a->count, b->count);
				assert_int_equal(a->size, b->size);
			}
			mt_partition_free(p[q]);
		}
		assert_true(mt_partition_nrows(p[0]) >= 2);
		mt_partition_free(p[0]);
	}
	free(k16);
	mt_big_free(kinds);
	mt_classifier_free(c);
	mt_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_heapy_clodo_table),
	    cmocka_unit_test(test_heapy_bytype_table),
	    cmocka_unit_test(test_more_rows),
	    cmocka_unit_test(test_sort_ties),
	    cmocka_unit_test(test_percent),
	    cmocka_unit_test(test_wrap),
	    cmocka_unit_test(test_wrap_edges),
	    cmocka_unit_test(test_classify_parse),
	    cmocka_unit_test(test_clodo_on_demo),
	    cmocka_unit_test(test_from_kinds16),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
