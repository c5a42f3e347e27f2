/* Tests of pyrepr.h: repr() and reprlib.repr() texts, byte for byte
 * against CPython 3.11 (expected strings produced by python3). */
#include "config.h"

#include <math.h>
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
#include "memtrack/pyrepr.h"

static mt_strbuf sb;

static const char *rs(const char *s)
{
	mt_strbuf_reset(&sb);
	assert_int_equal(mt_pyrepr_str(&sb, s, strlen(s)), MT_OK);
	return sb.s;
}

static const char *rsl(const char *s)
{
	mt_strbuf_reset(&sb);
	assert_int_equal(mt_pyrepr_str_limited(&sb, s, strlen(s)), MT_OK);
	return sb.s;
}

static const char *rb(const char *s, size_t n)
{
	mt_strbuf_reset(&sb);
	assert_int_equal(mt_pyrepr_bytes(&sb, s, n), MT_OK);
	return sb.s;
}

static const char *rbl(const char *s, size_t n)
{
	mt_strbuf_reset(&sb);
	assert_int_equal(mt_pyrepr_bytes_limited(&sb, s, n), MT_OK);
	return sb.s;
}

static const char *rf(double d)
{
	mt_strbuf_reset(&sb);
	assert_int_equal(mt_pyrepr_float(&sb, d), MT_OK);
	return sb.s;
}

static void test_str(void **state)
{
	(void)state;
	assert_string_equal(rs("abc"), "'abc'");
	assert_string_equal(rs(""), "''");
	assert_string_equal(rs("it's"), "\"it's\"");
	assert_string_equal(rs("say \"hi\""), "'say \"hi\"'");
	assert_string_equal(rs("both ' and \""), "'both \\' and \"'");
	assert_string_equal(rs("tab\tnl\nret\r\\"),
			    "'tab\\tnl\\nret\\r\\\\'");
	/* controls, DEL, C1, NBSP and soft hyphen are escaped */
	assert_string_equal(rs("\x01\x1f\x7f\xc2\x80\xc2\xa0\xc2\xad"),
			    "'\\x01\\x1f\\x7f\\x80\\xa0\\xad'");
	/* printable non-ASCII is kept */
	assert_string_equal(rs("\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80"),
			    "'\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80'");
	/* Cf, Zl, BOM and a tag character: \u and \U escapes */
	assert_string_equal(
	    rs("\xe2\x80\x8b\xe2\x80\xa8\xef\xbb\xbf\xf3\xa0\x80\x81"),
	    "'\\u200b\\u2028\\ufeff\\U000e0001'");
	/* invalid UTF-8 bytes come out as \xNN */
	assert_string_equal(rs("a\xffz"), "'a\\xffz'");
	/* a NUL inside the text */
	mt_strbuf_reset(&sb);
	mt_pyrepr_str(&sb, "a\0b", 3);
	assert_string_equal(sb.s, "'a\\x00b'");
}

static void test_str_limited(void **state)
{
	(void)state;
	assert_string_equal(rsl("xxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
			    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxx'");
	assert_string_equal(rsl("xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
			    "'xxxxxxxxxxxx...xxxxxxxxxxxxx'");
	assert_string_equal(rsl("abcdefghijklmnopqrstuvwxyz0123456789"),
			    "'abcdefghijkl...xyz0123456789'");
	assert_string_equal(
	    rsl("a'a'a'a'a'a'a'a'a'a'a'a'a'a'a'a'a'a'a'a'"),
	    "\"a'a'a'a'a'a'...'a'a'a'a'a'a'\"");
	/* escapes inflate the repr: a short text is cut too, and the cut
	 * may split an escape (Python slices the repr text) */
	assert_string_equal(rsl("\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"),
			    "'\\n\\n\\n\\n\\n\\n...n\\n\\n\\n\\n\\n\\n'");
	assert_string_equal(rsl(""), "''");
}

static void test_bytes(void **state)
{
	(void)state;
	assert_string_equal(rb("abc", 3), "b'abc'");
	assert_string_equal(rb("it's", 4), "b\"it's\"");
	assert_string_equal(rb("\x00\xff\t\n\\", 5), "b'\\x00\\xff\\t\\n\\\\'");
	assert_string_equal(rb("a\"'", 3), "b'a\"\\''");
	assert_string_equal(rbl("abc", 3), "b'abc'");
	assert_string_equal(
	    rbl("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 40),
	    "b'xxxxxxxxxxx...xxxxxxxxxxxxx'");
}

static void test_float(void **state)
{
	(void)state;
	assert_string_equal(rf(1.5), "1.5");
	assert_string_equal(rf(0.1), "0.1");
	assert_string_equal(rf(1e16), "1e+16");
	assert_string_equal(rf(1e15), "1000000000000000.0");
	assert_string_equal(rf(1e-5), "1e-05");
	assert_string_equal(rf(1e-4), "0.0001");
	assert_string_equal(rf(123456789012345678.0), "1.2345678901234568e+17");
	assert_string_equal(rf(1.5e-7), "1.5e-07");
	assert_string_equal(rf(-2.5), "-2.5");
	assert_string_equal(rf(1.0 / 3), "0.3333333333333333");
	assert_string_equal(rf(5e-324), "5e-324");
	assert_string_equal(rf(1.7976931348623157e308),
			    "1.7976931348623157e+308");
	assert_string_equal(rf(100.0), "100.0");
	assert_string_equal(rf(12345.678), "12345.678");
	assert_string_equal(rf(0.0), "0.0");
	assert_string_equal(rf(-0.0), "-0.0");
	assert_string_equal(rf(INFINITY), "inf");
	assert_string_equal(rf(-INFINITY), "-inf");
	assert_string_equal(rf(NAN), "nan");
}

/* ---- objects of a dump ---------------------------------------------------- */

#define A(i) (0x7f0011000000ULL + 0x40ULL * (i))

enum {
	O_STR, O_LONGSTR, O_TRUNC, O_INT, O_BIG, O_BIGTRUNC, O_NEG, O_TRUE,
	O_NONE, O_FLOAT, O_BYTES, O_BYTEARRAY, O_DICT, O_LIST, O_TUPLE, O_MOD,
	O_FUNC, O_CODE, O_FRAME, O_OBJ, O_VIRT, O_TYPE, O_BFUNC, O_COUNT
};

static mt_graph *G;
static uint32_t M[64];

static uint32_t tnode(fx *f, uint32_t meta, const char *mod, const char *q)
{
	uint32_t t = fx_node(f, meta, 416, A(100 + meta + 1) + 0x10000 *
					       strlen(q) + (uint64_t)q[0],
			     1000, MT_NO_LENGTH);
	fx_qual(f, t, mod, q);
	return t;
}

static int setup(void **state)
{
	fx *f = fx_new();
	char path[] = "/tmp/mt_test_pyrepr_XXXXXX";
	int fd = mkstemp(path);
	uint32_t ttype, tstr, tint, tbool, tnone, tfloat, tbytes, tba, tdict,
	    tlist, ttuple, tmod, tfunc, tcode, tframe, tobj, tbf, n[O_COUNT];
	uint32_t modname;
	mt_err err;
	mt_value v;
	static const char big[] = "-1606938044258990275541962092341162602522"
				  "202993782792835301376";
	static const char longs[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	ttype = fx_node(f, FX_SELF, 928, A(1), 1000, MT_NO_LENGTH);
	fx_qual(f, ttype, "builtins", "type");
	tstr = tnode(f, ttype, "builtins", "str");
	tint = tnode(f, ttype, "builtins", "int");
	tbool = tnode(f, ttype, "builtins", "bool");
	tnone = tnode(f, ttype, "builtins", "NoneType");
	tfloat = tnode(f, ttype, "builtins", "float");
	tbytes = tnode(f, ttype, "builtins", "bytes");
	tba = tnode(f, ttype, "builtins", "bytearray");
	tdict = tnode(f, ttype, "builtins", "dict");
	tlist = tnode(f, ttype, "builtins", "list");
	ttuple = tnode(f, ttype, "builtins", "tuple");
	tmod = tnode(f, ttype, "builtins", "module");
	tfunc = tnode(f, ttype, "builtins", "function");
	tcode = tnode(f, ttype, "builtins", "code");
	tframe = tnode(f, ttype, "builtins", "frame");
	tobj = tnode(f, ttype, "__main__", "Obj");
	tbf = tnode(f, ttype, "builtins", "builtin_function_or_method");

	n[O_STR] = fx_node(f, tstr, 53, A(2), 1, 4);
	fx_str(f, n[O_STR], "it's");
	mt_value s4 = {.kind = MT_VAL_STR, .s = "it's", .slen = 4};
	fx_set_value(f, n[O_STR], &s4);
	n[O_LONGSTR] = fx_node(f, tstr, 85, A(3), 1, 36);
	fx_str(f, n[O_LONGSTR], longs);
	n[O_TRUNC] = fx_node(f, tstr, 1049, A(4), 1, 1000);
	fx_str(f, n[O_TRUNC], longs); /* only a preview of 1000 chars */
	n[O_INT] = fx_node(f, tint, 28, A(5), 1, MT_NO_LENGTH);
	fx_int(f, n[O_INT], -42);
	n[O_BIG] = fx_node(f, tint, 52, A(6), 1, 61);
	v = (mt_value){.kind = MT_VAL_STR, .s = big, .slen = sizeof big - 1};
	fx_set_value(f, n[O_BIG], &v);
	n[O_BIGTRUNC] = fx_node(f, tint, 152, A(7), 1, 300);
	fx_set_value(f, n[O_BIGTRUNC], &v);
	n[O_NEG] = fx_node(f, tint, 28, A(8), 1, MT_NO_LENGTH);
	fx_int(f, n[O_NEG], INT64_MIN);
	n[O_TRUE] = fx_node(f, tbool, 28, A(9), 1, MT_NO_LENGTH);
	v = (mt_value){.kind = MT_VAL_BOOL, .i = 1};
	fx_set_value(f, n[O_TRUE], &v);
	n[O_NONE] = fx_node(f, tnone, 16, A(10), 1, MT_NO_LENGTH);
	n[O_FLOAT] = fx_node(f, tfloat, 24, A(11), 1, MT_NO_LENGTH);
	v = (mt_value){.kind = MT_VAL_FLOAT, .d = 0.1};
	fx_set_value(f, n[O_FLOAT], &v);
	n[O_BYTES] = fx_node(f, tbytes, 36, A(12), 1, 3);
	v = (mt_value){.kind = MT_VAL_BYTES, .s = "a\0'", .slen = 3};
	fx_set_value(f, n[O_BYTES], &v);
	n[O_BYTEARRAY] = fx_node(f, tba, 60, A(13), 1, 2);
	v = (mt_value){.kind = MT_VAL_BYTES, .s = "hi", .slen = 2};
	fx_set_value(f, n[O_BYTEARRAY], &v);
	n[O_DICT] = fx_node(f, tdict, 64, A(14), 1, 0);
	n[O_LIST] = fx_node(f, tlist, 56, A(15), 1, 5);
	n[O_TUPLE] = fx_node(f, ttuple, 40, A(16), 1, 1);
	n[O_MOD] = fx_node(f, tmod, 72, A(17), 1, MT_NO_LENGTH);
	fx_str(f, n[O_MOD], "os.path");
	n[O_FUNC] = fx_node(f, tfunc, 136, A(18), 1, MT_NO_LENGTH);
	fx_str(f, n[O_FUNC], "Obj.method.<locals>.inner");
	modname = fx_node(f, tstr, 57, A(19), 1, 8);
	fx_str(f, modname, "__main__");
	fx_edge_name(f, n[O_FUNC], MT_REL_ATTR, "__module__", modname);
	n[O_CODE] = fx_node(f, tcode, 200, A(20), 1, MT_NO_LENGTH);
	v = (mt_value){.kind = MT_VAL_CODE, .s = "/usr/lib/demo.py",
		       .slen = 16, .s2 = "main", .s2len = 4, .i = 12};
	fx_set_value(f, n[O_CODE], &v);
	n[O_FRAME] = fx_node(f, tframe, 400, A(21), 1, MT_NO_LENGTH);
	fx_set_value(f, n[O_FRAME], &v);
	n[O_OBJ] = fx_node(f, tobj, 48, A(22), 1, MT_NO_LENGTH);
	n[O_VIRT] = fx_node(f, tdict, 32, 0, 0, 2);
	n[O_TYPE] = tobj;
	n[O_BFUNC] = fx_node(f, tbf, 72, A(23), 1, MT_NO_LENGTH);
	fx_str(f, n[O_BFUNC], "len");
	for (int i = 0; i < O_COUNT; i++)
		if (i != O_TYPE)
			fx_edge_int(f, n[O_LIST], MT_REL_INDEX, (uint64_t)i,
				    n[i]);
	fx_root(f, "i0_modules", n[O_LIST]);
	{
		uint32_t map[64];
		assert_int_equal(fx_write(f, path, map, NULL, &err), MT_OK);
		for (int i = 0; i < O_COUNT; i++)
			M[i] = map[n[i]];
	}
	fx_free(f);
	assert_int_equal(mt_graph_load(&G, path, NULL, NULL, &err), MT_OK);
	unlink(path);
	mt_strbuf_init(&sb);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mt_graph_free(G);
	mt_strbuf_destroy(&sb);
	return 0;
}

static const char *obj(int which)
{
	mt_strbuf_reset(&sb);
	assert_int_equal(mt_pyrepr_object(G, M[which], &sb), MT_OK);
	return sb.s;
}

static const char *lim(int which)
{
	mt_strbuf_reset(&sb);
	assert_int_equal(mt_pyrepr_limited(G, M[which], &sb), MT_OK);
	return sb.s;
}

static void test_object(void **state)
{
	(void)state;
	assert_string_equal(obj(O_STR), "\"it's\"");
	assert_string_equal(obj(O_LONGSTR),
			    "'abcdefghijklmnopqrstuvwxyz0123456789'");
	/* preview shorter than the str: "..." after the quote */
	assert_string_equal(obj(O_TRUNC),
			    "'abcdefghijklmnopqrstuvwxyz0123456789'...");
	assert_string_equal(obj(O_INT), "-42");
	assert_string_equal(obj(O_NEG), "-9223372036854775808");
	assert_string_equal(
	    obj(O_BIG),
	    "-1606938044258990275541962092341162602522202993782792835301376");
	assert_string_equal(
	    obj(O_BIGTRUNC),
	    "-1606938044258990275541962092341162602522202993782792835301376"
	    "...");
	assert_string_equal(obj(O_TRUE), "True");
	assert_string_equal(obj(O_NONE), "None");
	assert_string_equal(obj(O_FLOAT), "0.1");
	assert_string_equal(obj(O_BYTES), "b\"a\\x00'\"");
	assert_string_equal(obj(O_BYTEARRAY), "bytearray(b'hi')");
	assert_string_equal(obj(O_MOD), "<module 'os.path'>");
	assert_string_equal(obj(O_TYPE), "<class '__main__.Obj'>");
	assert_string_equal(obj(O_DICT), "0x7f0011000380*0");
}

static void test_limited(void **state)
{
	(void)state;
	assert_string_equal(lim(O_STR), "\"it's\"");
	assert_string_equal(lim(O_LONGSTR), "'abcdefghijkl...xyz0123456789'");
	/* the tail of a truncated str is unknown */
	assert_string_equal(lim(O_TRUNC), "'abcdefghijkl...'");
	assert_string_equal(lim(O_INT), "-42");
	assert_string_equal(lim(O_BIG),
			    "-16069380442589902...2993782792835301376");
	assert_string_equal(lim(O_BIGTRUNC), "-16069380442589902...");
	assert_string_equal(lim(O_TRUE), "True");
	assert_string_equal(lim(O_NONE), "None");
	assert_string_equal(lim(O_FLOAT), "0.1");
	assert_string_equal(lim(O_DICT), "0x7f0011000380*0");
	assert_string_equal(lim(O_LIST), "0x7f00110003c0*5");
	assert_string_equal(lim(O_TUPLE), "0x7f0011000400*1");
	assert_string_equal(lim(O_MOD), "os.path");
	assert_string_equal(lim(O_FUNC), "__main__.inner");
	assert_string_equal(lim(O_BFUNC), "len");
	assert_string_equal(lim(O_CODE), "demo.py:12:main");
	assert_string_equal(lim(O_FRAME), "<main at 0x7f0011000540>");
	assert_string_equal(lim(O_OBJ), "0x7f0011000580");
	assert_string_equal(lim(O_VIRT), "<virtual>*2" /* no owner: no address to show */);
	assert_string_equal(lim(O_TYPE), "__main__.Obj");
}

static void test_styles(void **state)
{
	(void)state;
	assert_int_equal(mt_pyrepr_style_of(G, M[O_STR]), MT_PYREPR_LIMREPR);
	assert_int_equal(mt_pyrepr_style_of(G, M[O_INT]), MT_PYREPR_LIMREPR);
	assert_int_equal(mt_pyrepr_style_of(G, M[O_FLOAT]), MT_PYREPR_VALUE);
	assert_int_equal(mt_pyrepr_style_of(G, M[O_NONE]), MT_PYREPR_VALUE);
	assert_int_equal(mt_pyrepr_style_of(G, M[O_DICT]), MT_PYREPR_ADDRLEN);
	assert_int_equal(mt_pyrepr_style_of(G, M[O_MOD]), MT_PYREPR_NAME);
	assert_int_equal(mt_pyrepr_style_of(G, M[O_CODE]), MT_PYREPR_CODE);
	assert_int_equal(mt_pyrepr_style_of(G, M[O_FRAME]), MT_PYREPR_FRAME);
	assert_int_equal(mt_pyrepr_style_of(G, M[O_OBJ]), MT_PYREPR_ADDRESS);
	assert_string_equal(mt_pyrepr_style_header(MT_PYREPR_ADDRLEN),
			    "Address*Length");
	assert_string_equal(mt_pyrepr_style_header(MT_PYREPR_LIMREPR),
			    "Representation (limited)");
	assert_string_equal(mt_pyrepr_style_header(MT_PYREPR_CODE),
			    "File:Line:Name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_str),	    cmocka_unit_test(test_str_limited),
	    cmocka_unit_test(test_bytes),   cmocka_unit_test(test_float),
	    cmocka_unit_test(test_object),  cmocka_unit_test(test_limited),
	    cmocka_unit_test(test_styles),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
