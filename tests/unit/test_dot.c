/* cmocka tests of the DOT export (dot.h): a two-list reference cycle with a
 * string whose preview needs escaping, golden text with and without the
 * ring of referents, and the node limit's comment line. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "memtrack/dot.h"

static char path[256];

static int setup(void **state)
{
	snprintf(path, sizeof path, "/tmp/mt_test_dot.%ld.mp", (long)getpid());
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	return 0;
}

enum { TTYPE, TLIST, TSTR, L1, L2, S, NN };

static mt_graph *write_cycle(uint32_t *m)
{
	fx *f = fx_new();
	uint32_t n[NN];
	n[TTYPE] = fx_node(f, FX_SELF, 400, 0x100, 1, MT_NO_LENGTH);
	fx_qual(f, n[TTYPE], "builtins", "type");
	n[TLIST] = fx_node(f, n[TTYPE], 400, 0x200, 1, MT_NO_LENGTH);
	fx_qual(f, n[TLIST], "builtins", "list");
	n[TSTR] = fx_node(f, n[TTYPE], 400, 0x300, 1, MT_NO_LENGTH);
	fx_qual(f, n[TSTR], "builtins", "str");
	n[L1] = fx_node(f, n[TLIST], 72, 0x1000, 1, 2);
	n[L2] = fx_node(f, n[TLIST], 64, 0x2000, 1, 1);
	n[S] = fx_node(f, n[TSTR], 56, 0x3000, 1, 7);
	fx_str(f, n[S], "he\"l\\lo");
	fx_root(f, "i0_modules", n[L1]);
	fx_edge_int(f, n[L1], MT_REL_INDEX, 0, n[L2]);
	fx_edge_int(f, n[L1], MT_REL_INDEX, 1, n[S]);
	fx_edge_int(f, n[L2], MT_REL_INDEX, 0, n[L1]);
	mt_err err;
	assert_int_equal(fx_write(f, path, m, NULL, &err), MT_OK);
	fx_free(f);
	mt_graph *g;
	assert_int_equal(mt_graph_load(&g, path, NULL, NULL, &err), MT_OK);
	return g;
}

static void test_cycle(void **state)
{
	uint32_t m[NN];
	mt_graph *g = write_cycle(m);
	uint32_t ids[] = {m[L1], m[L2]};
	mt_set *s;
	mt_err err;
	assert_int_equal(mt_set_from_ids(&s, ids, 2, &err), MT_OK);
	mt_strbuf b;
	mt_strbuf_init(&b);
	assert_int_equal(mt_dot_format(g, s, NULL, &b, &err), MT_OK);
	char want[2048];
	snprintf(want, sizeof want,
		 "digraph memtrack {\n"
		 "  node [shape=box, fontname=\"monospace\"];\n"
		 "  edge [fontname=\"monospace\"];\n"
		 "  n%u [label=\"list\\n0x1000*2\\n72 B\"];\n"
		 "  n%u [label=\"list\\n0x2000*1\\n64 B\"];\n"
		 "  n%u -> n%u [label=\"[0]\"];\n"
		 "  n%u -> n%u [label=\"[0]\"];\n"
		 "}\n",
		 m[L1], m[L2], m[L1], m[L2], m[L2], m[L1]);
	assert_string_equal(b.s, want);

	/* with the referents' ring: the string, dashed, escaped */
	mt_strbuf_reset(&b);
	mt_dot_opts o = {.referents = true};
	assert_int_equal(mt_dot_format(g, s, &o, &b, &err), MT_OK);
	char line[256];
	snprintf(line, sizeof line,
		 "  n%u [label=\"str\\n'he\\\"l\\\\\\\\lo'\\n56 B\", "
		 "style=dashed];\n",
		 m[S]);
	assert_non_null(strstr(b.s, line));
	snprintf(line, sizeof line, "  n%u -> n%u [label=\"[1]\"];\n", m[L1],
		 m[S]);
	assert_non_null(strstr(b.s, line));
	assert_null(strstr(b.s, "left out"));

	/* node limit: one drawn, the rest counted */
	mt_strbuf_reset(&b);
	o.max_nodes = 1;
	assert_int_equal(mt_dot_format(g, s, &o, &b, &err), MT_OK);
	assert_non_null(strstr(b.s, "  // 2 objects left out (node limit 1)\n"));
	assert_null(strstr(b.s, "->"));
	mt_strbuf_destroy(&b);
	mt_set_unref(s);
	mt_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cycle),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
