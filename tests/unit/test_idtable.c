/* Tests of idtable.h: heapy's byid text (heapy.md sections 2 and 8). */
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
#include "memtrack/idtable.h"
#include "memtrack/table.h"

static mt_graph *G;
static uint32_t DICTS[1000], STRS[4], LIST;

static int setup(void **state)
{
	fx *f = fx_new();
	uint32_t tt, tdict, tstr, tlist, list, d[1000], s[4], *map, i;
	static const char *const sv[] = {"zeta", "alpha",
					 "abcdefghijklmnopqrstuvwxyz0123456789",
					 "mid"};
	char path[] = "/tmp/mt_test_idtable_XXXXXX";
	int fd = mkstemp(path);
	mt_err err;
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	tt = fx_node(f, FX_SELF, 900, 0x1000, 100, MT_NO_LENGTH);
	fx_qual(f, tt, "builtins", "type");
	tdict = fx_node(f, tt, 400, 0x2000, 100, MT_NO_LENGTH);
	fx_qual(f, tdict, "builtins", "dict");
	tstr = fx_node(f, tt, 400, 0x3000, 100, MT_NO_LENGTH);
	fx_qual(f, tstr, "builtins", "str");
	tlist = fx_node(f, tt, 400, 0x4000, 100, MT_NO_LENGTH);
	fx_qual(f, tlist, "builtins", "list");
	list = fx_node(f, tlist, 8056, 0x5000, 1, 1004);
	fx_root(f, "i0_modules", list);
	/* in reverse address order: the table sorts by address */
	for (i = 0; i < 1000; i++) {
		d[i] = fx_node(f, tdict, 184,
			       0x7f001100c080ULL + 0xc0ULL * (999 - i), 1, 1);
		fx_edge_int(f, list, MT_REL_INDEX, i, d[i]);
	}
	for (i = 0; i < 4; i++) {
		s[i] = fx_node(f, tstr, i == 2 ? 85 : 53, 0x9000 - 0x100 * i, 1,
			       (int64_t)strlen(sv[i]));
		fx_str(f, s[i], sv[i]);
		fx_edge_int(f, list, MT_REL_INDEX, 1000 + i, s[i]);
	}
	map = malloc((f ? 1100 : 1) * sizeof *map);
	assert_int_equal(fx_write(f, path, map, NULL, &err), MT_OK);
	for (i = 0; i < 1000; i++)
		DICTS[i] = map[d[i]];
	for (i = 0; i < 4; i++)
		STRS[i] = map[s[i]];
	LIST = map[list];
	free(map);
	fx_free(f);
	assert_int_equal(mt_graph_load(&G, path, NULL, NULL, &err), MT_OK);
	unlink(path);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mt_graph_free(G);
	return 0;
}

static void test_heapy_dicts(void **state)
{
	mt_set *s;
	mt_strbuf sb;
	mt_err err;
	size_t next;
	uint32_t *order;
	(void)state;
	assert_int_equal(mt_set_from_ids(&s, DICTS, 1000, &err), MT_OK);
	mt_strbuf_init(&sb);
	assert_int_equal(
	    mt_idtable_format(G, s, 0, MT_TABLE_TITLE, &sb, &next, &err),
	    MT_OK);
	assert_int_equal(next, 10);
	assert_true(sb.len > 0);
	assert_memory_equal(
	    sb.s,
	    "Set of 1000 <dict (no owner)> objects. Total size = 184000 "
	    "bytes.\n"
	    " Index     Size   %   Cumulative  %   Address*Length\n"
	    "     0      184   0.1       184   0.1 0x7f001100c080*1\n"
	    "     1      184   0.1       368   0.2 0x7f001100c140*1\n",
	    186);
	assert_non_null(
	    strstr(sb.s, "\n     9      184   0.1      1840   1.0 "
			 "0x7f001100c740*1\n<990 more rows. Type e.g. '_.more' "
			 "to view.>\n"));
	/* the next page: no title, cumulative sizes carry on */
	mt_strbuf_reset(&sb);
	assert_int_equal(mt_idtable_format(G, s, 990, 0, &sb, &next, &err),
			 MT_OK);
	assert_int_equal(next, 1000);
	assert_true(!strncmp(sb.s,
			     " Index     Size   %   Cumulative  %   "
			     "Address*Length\n"
			     "   990      184   0.1    182344  99.1 ",
			     88));
	assert_non_null(strstr(sb.s, "   999      184   0.1    184000 100.0 "));
	assert_int_equal(mt_idtable_order(G, s, &order, &err), MT_OK);
	assert_int_equal(order[0], DICTS[999]);
	assert_int_equal(order[999], DICTS[0]);
	free(order);
	mt_strbuf_destroy(&sb);
	mt_set_unref(s);
}

static void test_strs_and_mixed(void **state)
{
	mt_set *s;
	mt_strbuf sb;
	mt_err err;
	uint32_t ids[2];
	(void)state;
	assert_int_equal(mt_set_from_ids(&s, STRS, 4, &err), MT_OK);
	mt_strbuf_init(&sb);
	assert_int_equal(
	    mt_idtable_format(G, s, 0, MT_TABLE_TITLE, &sb, NULL, &err),
	    MT_OK);
	/* size first, then by value */
	assert_string_equal(
	    sb.s, "Set of 4 <str> objects. Total size = 244 bytes.\n"
		  " Index     Size   %   Cumulative  %   Representation "
		  "(limited)\n"
		  "     0       85  34.8        85  34.8 "
		  "'abcdefghijkl...xyz0123456789'\n"
		  "     1       53  21.7       138  56.6 'alpha'\n"
		  "     2       53  21.7       191  78.3 'mid'\n"
		  "     3       53  21.7       244 100.0 'zeta'\n");
	mt_set_unref(s);
	ids[0] = STRS[0];
	ids[1] = DICTS[0]; /* the highest address */
	assert_int_equal(mt_set_from_ids(&s, ids, 2, &err), MT_OK);
	mt_strbuf_reset(&sb);
	assert_int_equal(
	    mt_idtable_format(G, s, 0, MT_TABLE_TITLE, &sb, NULL, &err),
	    MT_OK);
	assert_string_equal(
	    sb.s, "Set of 2 <mixed> objects. Total size = 237 bytes.\n"
		  " Index     Size   %   Cumulative  %   Brief\n"
		  "     0      184  77.6       184  77.6 <1 dict (no owner): "
		  "0x7f001103adc0*1>\n"
		  "     1       53  22.4       237 100.0 <1 str: 'zeta'>\n");
	mt_set_unref(s);
	/* empty */
	assert_int_equal(mt_set_empty(&s, &err), MT_OK);
	mt_strbuf_reset(&sb);
	assert_int_equal(
	    mt_idtable_format(G, s, 0, MT_TABLE_TITLE, &sb, NULL, &err),
	    MT_OK);
	assert_string_equal(
	    sb.s, "Set of 0 <Nothing> objects. Total size = 0 bytes.\n");
	mt_set_unref(s);
	mt_strbuf_destroy(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_heapy_dicts),
	    cmocka_unit_test(test_strs_and_mixed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
