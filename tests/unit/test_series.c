/* Tests of the JSON reader (src/format/json.c) and the series files
 * (series.h): values, escapes and errors with their line and column;
 * sniffing; a process log (fields, absent values, markers, a killed
 * writer's last line, a bad line); a tracker stats document (classes,
 * snapshots, objects, traces, sizes, referents trees); pympler's pp and
 * print_summary (the expected text made by pympler's own pp and trunc
 * with print_summary's format strings); a log's summary; the HTML page's
 * text (escaping, its policy, its charts). */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/format/json.h"
#include "memtrack/dump.h"
#include "memtrack/series.h"

static mt_status jparse(mt_json *j, const char *t, mt_err *err)
{
	return mt_json_parse(j, t, strlen(t), 0, 1, err);
}

static void test_json_values(void **state)
{
	mt_json j;
	mt_err err;
	int64_t i;
	double d;
	size_t len;
	(void)state;
	mt_json_init(&j);
	assert_int_equal(jparse(&j,
				" {\"a\": [1, -2, 3.5, 1e3, true, false, null],"
				" \"b\": {\"c\": \"x\\ty\\u00e9\\ud83d\\ude00"
				"\\udcff\\\"\"}, \"a\": [],"
				" \"big\": 18446744073709551616,"
				" \"min\": -9223372036854775808, \"n\": NaN,"
				" \"inf\": -Infinity}\n",
				&err),
			 MT_OK);
	assert_int_equal(j.nodes[0].type, MT_JSON_OBJ);
	assert_int_equal(j.nodes[0].count, 7);
	assert_int_equal(j.nodes[0].end, j.n);
	uint32_t a = 1; /* the first "a" */
	assert_int_equal(j.nodes[a].type, MT_JSON_ARR);
	assert_int_equal(j.nodes[a].count, 7);
	assert_true(mt_json_int(&j, a + 1, &i) && i == 1);
	assert_true(mt_json_int(&j, a + 2, &i) && i == -2);
	assert_false(mt_json_int(&j, a + 3, &i));
	assert_true(mt_json_num(&j, a + 3, &d) && d == 3.5);
	assert_true(mt_json_int(&j, a + 4, &i) && i == 1000);
	assert_int_equal(j.nodes[a + 5].type, MT_JSON_TRUE);
	assert_int_equal(j.nodes[a + 7].type, MT_JSON_NULL);
	/* a repeated key: the last one */
	uint32_t a2 = mt_json_get(&j, 0, "a");
	assert_int_not_equal(a2, a);
	assert_int_equal(j.nodes[a2].count, 0);
	assert_int_equal(j.nodes[a2].end, a2 + 1);
	uint32_t b = mt_json_get(&j, 0, "b");
	uint32_t c = mt_json_get(&j, b, "c");
	const char *s = mt_json_str(&j, c, &len);
	assert_non_null(s);
	assert_int_equal(len, 13);
	assert_memory_equal(s, "x\ty\xc3\xa9\xf0\x9f\x98\x80\xed\xb3\xbf\"",
			    14);
	assert_string_equal(mt_json_key(&j, c), "c");
	assert_null(mt_json_str(&j, b, NULL));
	assert_int_equal(mt_json_get(&j, 0, "nope"), MT_JSON_NONE);
	assert_int_equal(mt_json_get(&j, c, "c"), MT_JSON_NONE);
	uint32_t big = mt_json_get(&j, 0, "big");
	assert_int_equal(j.nodes[big].type, MT_JSON_NUM);
	assert_true(j.nodes[big].v.d == 18446744073709551616.0);
	assert_true(mt_json_int(&j, mt_json_get(&j, 0, "min"), &i) &&
		    i == INT64_MIN);
	assert_true(mt_json_num(&j, mt_json_get(&j, 0, "n"), &d) && d != d);
	assert_true(mt_json_num(&j, mt_json_get(&j, 0, "inf"), &d) &&
		    isinf(d) && d < 0);
	/* positions */
	assert_int_equal(j.nodes[0].pos, 1);
	assert_int_equal(j.nodes[a].pos, 7);
	/* deep nesting is iterative */
	size_t deep = 200000;
	char *t = malloc(2 * deep + 1);
	memset(t, '[', deep);
	memset(t + deep, ']', deep);
	t[2 * deep] = '\0';
	assert_int_equal(jparse(&j, t, &err), MT_OK);
	assert_int_equal(j.n, deep);
	assert_int_equal(j.nodes[0].end, deep);
	assert_int_equal(j.nodes[deep - 1].count, 0);
	free(t);
	mt_json_destroy(&j);
}

static void jerr(const char *t, mt_status code, uint64_t off,
		 const char *detail)
{
	mt_json j;
	mt_err err;
	mt_json_init(&j);
	mt_err_clear(&err);
	assert_int_equal(mt_json_parse(&j, t, strlen(t), 100, 7, &err), code);
	assert_int_equal(err.offset, 100 + off);
	if (strcmp(err.detail, detail) != 0)
		fail_msg("%s: got \"%s\", expected \"%s\"", t, err.detail,
			 detail);
	mt_json_destroy(&j);
}

static void test_json_errors(void **state)
{
	(void)state;
	jerr("", MT_TRUNCATED, 0, "line 7, column 1: expected a value");
	jerr("{\"a\": 1,\n \"b\" 2}", MT_SYNTAX, 14,
	     "line 8, column 6: expected ':' after the key");
	jerr("[1, 2", MT_TRUNCATED, 5, "line 7, column 6: expected ',' or ']'");
	jerr("[1 2]", MT_SYNTAX, 3, "line 7, column 4: expected ',' or ']'");
	jerr("{\"a\": 1} x", MT_SYNTAX, 9,
	     "line 7, column 10: expected the end of the text after the "
	     "value");
	jerr("{\"a\":\"\xc3\xa9\x01\"}", MT_SYNTAX, 8,
	     "line 7, column 8: control character in a string");
	jerr("\"\\x\"", MT_SYNTAX, 1, "line 7, column 2: unknown escape");
	jerr("\"\\u12g4\"", MT_SYNTAX, 1,
	     "line 7, column 2: expected 4 hex digits after \\u");
	jerr("\"abc", MT_TRUNCATED, 4,
	     "line 7, column 5: expected '\"' closing the string");
	jerr("[01]", MT_SYNTAX, 2, "line 7, column 3: expected ',' or ']'");
	jerr("[1.]", MT_SYNTAX, 3,
	     "line 7, column 4: expected a digit after '.'");
	jerr("[-]", MT_SYNTAX, 2, "line 7, column 3: expected a digit");
	jerr("{1: 2}", MT_SYNTAX, 1, "line 7, column 2: expected a string key");
	jerr("[tru]", MT_SYNTAX, 1, "line 7, column 2: expected a value");
	jerr("[1,]", MT_SYNTAX, 3, "line 7, column 4: expected a value");
}

static const char LOG[] =
    "{\"t\": 1764750000.0, \"rss\": 10000000, \"vms\": 50000000, "
    "\"peak_rss\": 10000000, \"minflt\": 100, \"majflt\": 0, "
    "\"cpu_user\": 0.5, \"cpu_sys\": 0.25, \"memtrack_log\": 1, \"pid\": "
    "4242, \"interval\": 0.5, \"argv\": [\"app.py\", \"--n\", \"3\"], "
    "\"future\": {\"x\": [1]}}\n"
    "{\"t\": 1764750000.5, \"rss\": 30000000, \"vms\": 70000000, "
    "\"peak_rss\": 30000000, \"minflt\": 900, \"majflt\": 2, "
    "\"cpu_user\": 0.75, \"cpu_sys\": 0.25, \"label\": \"loaded\"}\n"
    "\n"
    "{\"t\": 1764750001.0, \"rss\": 20000000, \"vms\": 60000000, "
    "\"peak_rss\": 30000000, \"minflt\": 950, \"majflt\": 2, "
    "\"cpu_user\": 1.0, \"cpu_sys\": 0.5, \"dump\": \"/tmp/a.mp\"}\n"
    "{\"t\": 1764750001.5, \"rss\": 25000000}";

static void test_sniff(void **state)
{
	static const char dump[] = "\xad" MT_DUMP_MAGIC "\x01";
	(void)state;
	assert_int_equal(mt_series_sniff_mem(dump, sizeof dump - 1),
			 MT_FILE_DUMP);
	assert_int_equal(mt_series_sniff_mem(LOG, sizeof LOG - 1), MT_FILE_LOG);
	/* only the first line is read: a log with a bad later line is a
	 * log (the load says what is wrong) */
	assert_int_equal(
	    mt_series_sniff_mem("{\"memtrack_log\": 1, \"t\": 1}\n{", 30),
	    MT_FILE_LOG);
	assert_int_equal(mt_series_sniff_mem("\n {\"memtrack_stats\": 1, ", 24),
			 MT_FILE_STATS);
	assert_int_equal(mt_series_sniff_mem("{\"t\": 1}\n", 9),
			 MT_FILE_UNKNOWN);
	assert_int_equal(
	    mt_series_sniff_mem("{\"a\": 1, \"memtrack_stats\": 1}", 29),
	    MT_FILE_UNKNOWN);
	assert_int_equal(mt_series_sniff_mem("", 0), MT_FILE_UNKNOWN);
	assert_int_equal(mt_series_sniff_mem("hello", 5), MT_FILE_UNKNOWN);
}

static void test_log(void **state)
{
	mt_series s;
	mt_err err;
	(void)state;
	assert_int_equal(mt_series_parse(LOG, sizeof LOG - 1, MT_FILE_UNKNOWN,
					 &s, &err),
			 MT_OK);
	assert_int_equal(s.kind, MT_FILE_LOG);
	assert_int_equal(s.pid, 4242);
	assert_true(s.interval == 0.5);
	assert_int_equal(s.argc, 3);
	assert_string_equal(s.argv[1], "--n");
	assert_int_equal(s.nsamples, 4);
	assert_string_equal(s.warning, "");
	const mt_series_sample *x = s.samples;
	assert_true(x[0].t == 1764750000.0);
	assert_int_equal(x[0].rss, 10000000);
	assert_int_equal(x[0].vms, 50000000);
	assert_int_equal(x[0].minflt, 100);
	assert_true(x[0].cpu_sys == 0.25);
	assert_null(x[0].label);
	assert_int_equal(x[0].line, 1);
	assert_string_equal(x[1].label, "loaded");
	assert_null(x[1].dump);
	assert_string_equal(x[2].dump, "/tmp/a.mp");
	assert_int_equal(x[2].line, 4); /* the blank line counts */
	/* the last line, complete without its newline */
	assert_int_equal(x[3].rss, 25000000);
	assert_int_equal(x[3].vms, MT_SERIES_NA);
	assert_int_equal(x[3].peak_rss, MT_SERIES_NA);
	assert_true(x[3].cpu_user < 0);
	assert_int_equal(s.nsnapshots, 0);
	assert_int_equal(s.nclasses, 0);
	mt_series_destroy(&s);
	mt_series_destroy(&s); /* twice is fine */
}

static void test_log_broken(void **state)
{
	mt_series s;
	mt_err err;
	char buf[sizeof LOG + 64];
	(void)state;
	/* a killed writer: the last line cut short */
	size_t n = sizeof LOG - 1 - 5;
	assert_int_equal(mt_series_parse(LOG, n, MT_FILE_LOG, &s, &err), MT_OK);
	assert_int_equal(s.nsamples, 3);
	assert_string_equal(s.warning, "line 5: incomplete last line ignored");
	mt_series_destroy(&s);
	/* the same cut on a line with its newline: an error */
	snprintf(buf, sizeof buf, "%.*s\n", (int)n, LOG);
	assert_int_equal(mt_series_parse(buf, n + 1, MT_FILE_LOG, &s, &err),
			 MT_SYNTAX);
	assert_int_equal(err.code, MT_SYNTAX);
	assert_string_equal(err.detail,
			    "line 5, column 32: expected ',' or '}'");
	assert_int_equal(s.nsamples, 0);
	assert_null(s.samples);
	/* a bad value in the middle */
	const char *bad = "{\"memtrack_log\": 1, \"t\": 1}\n"
			  "{\"t\": 2, \"rss\": \"big\"}\n"
			  "{\"t\": 3}\n";
	assert_int_equal(
	    mt_series_parse(bad, strlen(bad), MT_FILE_LOG, &s, &err), MT_TYPE);
	assert_int_equal(err.offset, 28 + 16);
	assert_string_equal(err.detail,
			    "line 2, column 17: \"rss\" is not an integer");
	bad = "{\"memtrack_log\": 1, \"t\": 1}\n[1]\n";
	assert_int_equal(
	    mt_series_parse(bad, strlen(bad), MT_FILE_LOG, &s, &err), MT_TYPE);
	assert_string_equal(err.detail,
			    "line 2, column 1: expected a sample (an object)");
	bad = "{\"memtrack_log\": 1, \"t\": 1}\n{\"rss\": 1}\n";
	assert_int_equal(
	    mt_series_parse(bad, strlen(bad), MT_FILE_LOG, &s, &err), MT_RANGE);
	assert_string_equal(err.detail, "line 2, column 1: \"t\" is missing");
	bad = "{\"memtrack_log\": 1, \"t\": NaN}\n";
	assert_int_equal(
	    mt_series_parse(bad, strlen(bad), MT_FILE_LOG, &s, &err), MT_RANGE);
	assert_string_equal(err.detail,
			    "line 1, column 26: \"t\" is out of range");
	bad = "{\"memtrack_log\": 1, \"t\": 1e300}\n";
	assert_int_equal(
	    mt_series_parse(bad, strlen(bad), MT_FILE_LOG, &s, &err), MT_RANGE);
	bad = "{\"t\": 1}\n";
	assert_int_equal(
	    mt_series_parse(bad, strlen(bad), MT_FILE_LOG, &s, &err), MT_MAGIC);
	bad = "{\"memtrack_log\": 1, \"t\"";
	assert_int_equal(mt_series_parse(bad, strlen(bad), MT_FILE_LOG, &s,
					 &err),
			 MT_TRUNCATED);
	assert_int_equal(mt_series_parse("", 0, MT_FILE_LOG, &s, &err),
			 MT_TRUNCATED);
	assert_int_equal(mt_series_parse("x", 1, MT_FILE_UNKNOWN, &s, &err),
			 MT_MAGIC);
}

static const char STATS[] =
    "{\"memtrack_stats\": 1, \"pid\": 42, \"argv\": [\"prog.py\"],\n"
    " \"snapshots\": [\n"
    "  {\"t\": 1000.5, \"desc\": \"\", \"tracked_total\": 600,"
    " \"asizeof_total\": null, \"rss\": 1000000, \"vms\": 2000000,"
    " \"classes\": {\"__main__.Factory\": {\"sum\": 600, \"avg\": 600.0,"
    " \"active\": 1, \"pct\": 0.03}, \"__main__.Employee\": {\"sum\": 0,"
    " \"avg\": 0, \"active\": 0, \"pct\": 0}}},\n"
    "  {\"t\": 1001.5, \"desc\": \"after populate, with a description "
    "longer than thirty five\", \"tracked_total\": 145000,"
    " \"asizeof_total\": 7098859, \"rss\": null, \"vms\": null,"
    " \"classes\": {\"__main__.Factory\": {\"sum\": 9400, \"avg\": 9400.0,"
    " \"active\": 1, \"pct\": 0.46}, \"__main__.Employee\": {\"sum\":"
    " 136072, \"avg\": 136.072, \"active\": 1000, \"pct\": 6.7}}}],\n"
    " \"objects\": [\n"
    "  {\"id\": 140000000000000, \"class\": \"__main__.Factory\", \"name\":"
    " \"Factory\", \"repr\": \"<__main__.Factory object at 0x7f5>\","
    " \"birth\": 1000.1, \"death\": null, \"level\": 2,"
    " \"trace\": [[\"prog.py\", 10, \"<module>\"], [\"prog.py\", 5, "
    "\"make\"]],"
    " \"sizes\": [[1000.5, 600, 48], [1001.5, 9400, 48]],"
    " \"refs\": [[1000.5, []], [1001.5, [[\"__dict__\", 9352, 104,"
    " [[\"[V] employees: [...]\", 8856, 8856, [[\"x\", 1, 1, []]]],"
    " [\"[K] employees\", 60, 60, []]]], [\"__class__\", 0, 0, []]]]]},\n"
    "  {\"id\": 2, \"class\": \"mod.Gone\", \"name\": \"Gone\", \"repr\":"
    " \"g\", \"birth\": 1001.0, \"death\": 1001.2, \"trace\": null,"
    " \"sizes\": [], \"refs\": []}],\n"
    " \"log\": [{\"t\": 1000.0, \"rss\": 900000}, {\"t\": 1001.5, \"rss\":"
    " 1000000, \"label\": \"x\"}]}\n";

static void test_stats(void **state)
{
	mt_series s;
	mt_err err;
	(void)state;
	assert_int_equal(mt_series_parse(STATS, sizeof STATS - 1,
					 MT_FILE_UNKNOWN, &s, &err),
			 MT_OK);
	assert_int_equal(s.kind, MT_FILE_STATS);
	assert_int_equal(s.pid, 42);
	assert_int_equal(s.argc, 1);
	assert_int_equal(s.nclasses, 3);
	assert_string_equal(s.classes[0], "__main__.Employee");
	assert_string_equal(s.classes[1], "__main__.Factory");
	assert_string_equal(s.classes[2], "mod.Gone");
	assert_int_equal(mt_series_class(&s, "mod.Gone"), 2);
	assert_int_equal(mt_series_class(&s, "nope"), UINT32_MAX);
	assert_int_equal(s.nsnapshots, 2);
	assert_true(s.snapshots[0].t == 1000.5);
	assert_string_equal(s.snapshots[0].desc, "");
	assert_int_equal(s.snapshots[0].asizeof_total, MT_SERIES_NA);
	assert_int_equal(s.snapshots[0].rss, 1000000);
	assert_int_equal(s.snapshots[1].rss, MT_SERIES_NA);
	assert_int_equal(s.snapshots[1].asizeof_total, 7098859);
	assert_int_equal(s.snapshots[1].ncstats, 2);
	const mt_series_cstat *cs = mt_series_cstat_of(&s, 1, 0);
	assert_non_null(cs);
	assert_int_equal(cs->active, 1000);
	assert_int_equal(cs->sum, 136072);
	assert_true(cs->avg == 136.072);
	assert_null(mt_series_cstat_of(&s, 1, 2));
	assert_null(mt_series_cstat_of(&s, 2, 0));
	assert_int_equal(s.nobjects, 2);
	const mt_series_object *o = &s.objects[0];
	assert_true(o->id == 140000000000000ull);
	assert_int_equal(o->cls, 1);
	assert_string_equal(o->name, "Factory");
	assert_true(o->death < 0);
	assert_int_equal(o->level, 2);
	assert_true(o->has_trace);
	assert_int_equal(o->nframes, 2);
	assert_string_equal(s.frames[o->first_frame + 1].func, "make");
	assert_int_equal(s.frames[o->first_frame + 1].line, 5);
	assert_int_equal(o->nsizes, 2);
	assert_int_equal(s.sizes[o->first_size + 1].size, 9400);
	assert_int_equal(s.sizes[o->first_size + 1].flat, 48);
	assert_int_equal(o->nrefs, 2);
	assert_int_equal(s.refs[o->first_refs].nnodes, 0);
	const mt_series_refs *r = &s.refs[o->first_refs + 1];
	assert_int_equal(r->nnodes, 5);
	const mt_series_node *nd = &s.nodes[r->first_node];
	uint32_t b = r->first_node;
	assert_string_equal(nd[0].name, "__dict__");
	assert_int_equal(nd[0].depth, 0);
	assert_int_equal(nd[0].end, b + 4);
	assert_string_equal(nd[1].name, "[V] employees: [...]");
	assert_int_equal(nd[1].depth, 1);
	assert_int_equal(nd[1].end, b + 3);
	assert_int_equal(nd[2].depth, 2);
	assert_int_equal(nd[2].end, b + 3);
	assert_string_equal(nd[3].name, "[K] employees");
	assert_int_equal(nd[3].depth, 1);
	assert_int_equal(nd[3].end, b + 4);
	assert_string_equal(nd[4].name, "__class__");
	assert_int_equal(nd[4].depth, 0);
	assert_int_equal(nd[4].end, b + 5);
	o = &s.objects[1];
	assert_false(o->has_trace);
	assert_true(o->death == 1001.2);
	assert_int_equal(o->cls, 2);
	assert_int_equal(s.nsamples, 2);
	assert_string_equal(s.samples[1].label, "x");
	assert_int_equal(s.samples[1].line, 0);
	mt_series_destroy(&s);
}

static void serr(const char *t, mt_status code, const char *detail)
{
	mt_series s;
	mt_err err;
	assert_int_equal(mt_series_parse(t, strlen(t), MT_FILE_STATS, &s, &err),
			 code);
	if (strcmp(err.detail, detail) != 0)
		fail_msg("%s: got \"%s\", expected \"%s\"", t, err.detail,
			 detail);
	assert_null(s.snapshots);
}

static void test_stats_errors(void **state)
{
	(void)state;
	serr("{\"memtrack_stats\": 1}", MT_RANGE,
	     "line 1, column 1: \"snapshots\" is missing");
	serr("{\"snapshots\": []}", MT_MAGIC,
	     "line 1, column 1: no \"memtrack_stats\" key: not a memtrack "
	     "tracker stats file");
	serr("{\"memtrack_stats\": 1, \"snapshots\": {}}", MT_TYPE,
	     "line 1, column 36: \"snapshots\" is not an array");
	serr("{\"memtrack_stats\": 1, \"snapshots\": [{\"t\": 1,\n"
	     "\"classes\": {\"a\": 3}}]}",
	     MT_TYPE, "line 2, column 18: \"a\" is not an object");
	serr("{\"memtrack_stats\": 1, \"snapshots\": [], \"objects\": [{\"id\":"
	     " 1, \"class\": \"a\", \"birth\": 1, \"refs\": [[1, [[\"x\", 1, "
	     "1]]]]}]}",
	     MT_TYPE,
	     "line 1, column 102: expected a referent [name, size, flat, "
	     "[referents...]]");
	serr("{\"memtrack_stats\": 1, \"snapshots\": [], \"objects\": [{\"id\":"
	     " 1, \"birth\": 1}]}",
	     MT_RANGE, "line 1, column 52: \"class\" is missing");
}

static void test_pp(void **state)
{
	char b[32];
	(void)state;
	/* pympler's own pp() of these values (tests/unit/test_series.c
	 * header) */
	assert_string_equal(mt_series_pp(b, sizeof b, 0), "   0     B");
	assert_string_equal(mt_series_pp(b, sizeof b, 1023), "1023     B");
	assert_string_equal(mt_series_pp(b, sizeof b, 1024), "1024     B");
	assert_string_equal(mt_series_pp(b, sizeof b, 1025), "   1.00 KB");
	assert_string_equal(mt_series_pp(b, sizeof b, 9400), "   9.18 KB");
	assert_string_equal(mt_series_pp(b, sizeof b, 136.9), " 136     B");
	assert_string_equal(mt_series_pp(b, sizeof b, 1536), "   1.50 KB");
	assert_string_equal(mt_series_pp(b, sizeof b, 5242883), "   5.00 MB");
	assert_string_equal(mt_series_pp(b, sizeof b, 7696581394432.0),
			    "   7.00 TB");
}

static void test_print_summary(void **state)
{
	mt_series s;
	mt_err err;
	char *text;
	(void)state;
	assert_int_equal(mt_series_parse(STATS, sizeof STATS - 1, MT_FILE_STATS,
					 &s, &err),
			 MT_OK);
	assert_int_equal(mt_series_print_summary(&s, &text, &err), MT_OK);
	/* Made by pympler 1.1's pp and trunc with print_summary's format
	 * strings; mod.Gone is in no snapshot's classes: zeros. */
	assert_string_equal(
	    text,
	    "---- SUMMARY "
	    "------------------------------------------------------------------"
	    "\n"
	    "                                         active      0     B      "
	    "average   pct\n"
	    "  __main__.Employee                           0      0     B      "
	    "0     B    0%\n"
	    "  __main__.Factory                            1    600     B    "
	    "600     B    0%\n"
	    "  mod.Gone                                    0      0     B      "
	    "0     B    0%\n"
	    "after populate, with a descripti...      active      6.77 MB      "
	    "average   pct\n"
	    "  __main__.Employee                        1000    132.88 KB    "
	    "136     B    6%\n"
	    "  __main__.Factory                            1      9.18 KB      "
	    "9.18 KB    0%\n"
	    "  mod.Gone                                    0      0     B      "
	    "0     B    0%\n"
	    "------------------------------------------------------------------"
	    "-------------\n");
	free(text);
	mt_series_destroy(&s);
}

static void test_log_summary(void **state)
{
	mt_series s;
	mt_err err;
	char *text;
	(void)state;
	assert_int_equal(
	    mt_series_parse(LOG, sizeof LOG - 1, MT_FILE_LOG, &s, &err), MT_OK);
	assert_int_equal(mt_series_log_summary(&s, &text, &err), MT_OK);
	assert_string_equal(
	    text, "process      pid 4242, interval 0.5 s: app.py --n 3\n"
		  "samples      4 over 1.50 s (2025-12-03 08:20:00.000 to "
		  "08:20:01.500 UTC)\n"
		  "RSS min      10.0 MB (10,000,000 B) at +0.00 s\n"
		  "RSS peak     30.0 MB (30,000,000 B) at +0.50 s\n"
		  "RSS final    25.0 MB (25,000,000 B) at +1.50 s\n"
		  "VmHWM        30.0 MB (30,000,000 B) (the kernel's peak "
		  "RSS)\n"
		  "VMS peak     70.0 MB (70,000,000 B) at +0.50 s\n"
		  "CPU          user 1.00 s, system 0.50 s at +1.00 s\n"
		  "page faults  minor 950, major 2 at +1.00 s\n"
		  "\n"
		  "        time       RSS  marker\n"
		  "       +0.50 s   30.0 MB  label  loaded\n"
		  "       +1.00 s   20.0 MB  dump   /tmp/a.mp\n");
	free(text);
	mt_series_destroy(&s);
}

static void test_html_text(void **state)
{
	static const char log[] =
	    "{\"memtrack_log\": 1, \"t\": 10, \"rss\": 1000, \"argv\": "
	    "[\"a<b>\"]}\n"
	    "{\"t\": 11, \"rss\": 3000, \"label\": "
	    "\"<script>alert('x')</script> \\u0001 \xff\"}\n"
	    "{\"t\": 12, \"rss\": 2000, \"dump\": \"/tmp/a&b.mp\"}\n";
	mt_series a, b;
	mt_err err;
	char *html;
	(void)state;
	assert_int_equal(
	    mt_series_parse(log, sizeof log - 1, MT_FILE_LOG, &a, &err), MT_OK);
	assert_int_equal(mt_series_parse(STATS, sizeof STATS - 1, MT_FILE_STATS,
					 &b, &err),
			 MT_OK);
	const mt_series *v[] = {&b, &a};
	const char *names[] = {"stats <1>", NULL};
	assert_int_equal(mt_report_html_text(v, names, 2, &html, &err), MT_OK);
	/* no script, no load: the policy says so and the text has none */
	assert_non_null(strstr(html, "<meta http-equiv=\"Content-Security-"
				     "Policy\" content=\"default-src 'none'; "
				     "style-src 'unsafe-inline'\">"));
	assert_null(strstr(html, "<script"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/"
				     "script&gt; \xef\xbf\xbd \xef\xbf\xbd"));
	assert_non_null(strstr(html, "<code>a&lt;b&gt;</code>"));
	assert_non_null(strstr(html, "<td>/tmp/a&amp;b.mp</td>"));
	assert_non_null(strstr(html, "Tracked classes <code>stats &lt;1&gt;"
				     "</code>"));
	/* the charts of both, by their ids */
	const char *ids[] = {"classes-0", "distribution-0", "class-0-0",
			     "class-0-1", "class-0-2",	    "rss-0",
			     "rss-1"};
	for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
		char want[64];
		snprintf(want, sizeof want, "<svg id=\"%s\"", ids[i]);
		if (!strstr(html, want))
			fail_msg("no %s in the page", want);
	}
	/* the stats file's samples (its "log") chart as a log's, and neither
	 * has a VMS */
	assert_null(strstr(html, "<svg id=\"vms-"));
	/* each section counts from its own first time */
	assert_non_null(strstr(html, "Times are seconds from 1970-01-01 "
				     "00:00:10.000 UTC."));
	assert_non_null(strstr(html, "Times are seconds from 1970-01-01 "
				     "00:16:40.000 UTC."));
	/* the instance table: the Factory's trace's innermost frame */
	assert_non_null(strstr(html, "<code>prog.py:5</code> in "
				     "<code>make</code>"));
	free(html);
	mt_series_destroy(&a);
	mt_series_destroy(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_values),
	    cmocka_unit_test(test_json_errors),
	    cmocka_unit_test(test_sniff),
	    cmocka_unit_test(test_log),
	    cmocka_unit_test(test_log_broken),
	    cmocka_unit_test(test_stats),
	    cmocka_unit_test(test_stats_errors),
	    cmocka_unit_test(test_pp),
	    cmocka_unit_test(test_print_summary),
	    cmocka_unit_test(test_log_summary),
	    cmocka_unit_test(test_html_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
