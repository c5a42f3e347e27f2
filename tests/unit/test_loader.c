/* Tests of the loader (src/graph): round trips through the real writer,
 * every malformed input the reader knows with its code and byte offset, and
 * random corruption of a real dump.  Fixtures are built by code
 * (fixture.h), never stored as binary files. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "graphgen.h"
#include "memtrack/graph.h"
#include "memtrack/partition.h"
#include "memtrack/writer.h"

static char tmpdir[] = "/tmp/mt_test_loader_XXXXXX";

static char *tmp_path(const char *name)
{
	static char buf[256];
	snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
	return buf;
}

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	long n;
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static uint64_t file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

static void write_all(const char *path, const void *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
}

/* Loads buf[0..len) expecting failure with `code`; returns the error. */
static mt_err expect_fail(const void *buf, size_t len, mt_status code)
{
	mt_graph *g = (mt_graph *)1;
	mt_err err;
	mt_status st = mt_graph_load_buffer(&g, buf, len, NULL, NULL, &err);
	if (st != code) {
		char msg[512];
		mt_err_format(&err, msg, sizeof msg);
		fail_msg("expected %s, got %s (%s)", mt_status_str(code),
			 mt_status_str(st), msg);
	}
	assert_null(g);
	assert_int_equal(err.code, code);
	return err;
}

static unsigned char *canned(const char *name, size_t *len)
{
	mt_err err;
	char *path = tmp_path(name);
	assert_int_equal(fx_write_canned(name, path, &err), MT_OK);
	return read_all(path, len);
}

/* ---- round trip ---------------------------------------------------------- */

static int progress_calls;
static int count_progress(void *data, uint64_t done, uint64_t total)
{
	(void)data;
	assert_true(done <= total);
	progress_calls++;
	return 0;
}

static int cancel_progress(void *data, uint64_t done, uint64_t total)
{
	(void)data;
	(void)done;
	(void)total;
	return 1;
}

static uint32_t edge_to(const mt_graph *g, uint32_t src, unsigned rel,
			const char *name)
{
	uint32_t first, n, e;
	mt_graph_out(g, src, &first, &n);
	for (e = first; e < first + n; e++)
		if (mt_graph_edge_rel(g, e) == rel &&
		    !strcmp(mt_graph_name(g, mt_graph_edge_label(g, e)), name))
			return mt_graph_edge_target(g, e);
	fail_msg("no edge %s", name);
	return MT_NO_ID;
}

/* Addresses are kept as a 32-bit low half and a 16-bit high half, with
 * the ones from 0xffff << 32 up in a side table: every address comes back
 * exactly, 0 alone is virtual. */
static void test_addresses(void **state)
{
	static const uint64_t addrs[] = {
	    0x1000,	       0x7f0000001000ULL, 0x7fffffffffffULL,
	    0xfffe00000010ULL, 0xffff00000000ULL, 0xffff00000010ULL,
	    1ULL << 48,	       0x10000ffffffffULL, 0xffffffffffffff00ULL,
	    0x2000,	       0};
	enum { NA = sizeof addrs / sizeof *addrs };
	fx *f = fx_new();
	uint32_t node[NA], map[NA + 1], reach;
	mt_graph *g;
	mt_err err;
	(void)state;
	uint32_t t = fx_node(f, FX_SELF, 928, 0x500, 9, MT_NO_LENGTH);
	for (size_t i = 0; i < NA; i++) {
		node[i] = fx_node(f, t, 16, addrs[i], 1, MT_NO_LENGTH);
		fx_root(f, "x", node[i]);
	}
	assert_int_equal(fx_write(f, tmp_path("addr.mp"), map, &reach, &err),
			 MT_OK);
	fx_free(f);
	assert_int_equal(mt_graph_load(&g, tmp_path("addr.mp"), NULL, NULL,
				       &err),
			 MT_OK);
	for (size_t i = 0; i < NA; i++) {
		assert_true(mt_graph_addr(g, map[node[i]]) == addrs[i]);
		assert_int_equal(mt_graph_virtual(g, map[node[i]]),
				 addrs[i] == 0);
	}
	assert_true(mt_graph_addr(g, map[t]) == 0x500);
	mt_graph_free(g);
}

/* Types are kept as 16-bit indexes into a table of the types met while
 * there are at most 65535, as ids after: a dump with more types (here
 * every object its own, and a shared one before and after the switch)
 * gives every type back. */
static void test_many_types(void **state)
{
	enum { NT = 70000 };
	fx *f = fx_new();
	uint32_t *node = malloc(NT * sizeof *node), *map = malloc((NT + 4) *
								  sizeof *map);
	uint32_t reach, shared, a, b;
	mt_graph *g;
	mt_err err;
	(void)state;
	shared = fx_node(f, FX_SELF, 928, 0x500, 9, MT_NO_LENGTH);
	a = fx_node(f, shared, 16, 0x600, 1, MT_NO_LENGTH);
	for (uint32_t i = 0; i < NT; i++)
		node[i] = fx_node(f, FX_SELF, 16, 0x1000 + 16 * (uint64_t)i, 1,
				  MT_NO_LENGTH);
	b = fx_node(f, shared, 16, 0x700, 1, MT_NO_LENGTH);
	fx_root(f, "x", a);
	assert_int_equal(fx_write(f, tmp_path("types.mp"), map, &reach, &err),
			 MT_OK);
	fx_free(f);
	assert_int_equal(mt_graph_load(&g, tmp_path("types.mp"), NULL, NULL,
				       &err),
			 MT_OK);
	for (uint32_t i = 0; i < NT; i++)
		assert_int_equal(mt_graph_type(g, map[node[i]]), map[node[i]]);
	assert_int_equal(mt_graph_type(g, map[a]), map[shared]);
	assert_int_equal(mt_graph_type(g, map[b]), map[shared]);
	assert_int_equal(mt_graph_type(g, map[shared]), map[shared]);
	mt_graph_free(g);
	free(node);
	free(map);
}

static void test_round_trip(void **state)
{
	fx *f = fx_new();
	uint32_t map[16], reach, t_type, t_dict, t_str, t_int, t_c, c1, d1, s1,
	    s2, big, i1, fl, code, k, first, n, e, garbage;
	mt_graph *g;
	mt_err err;
	mt_value v;
	const mt_edge *roots;
	size_t nroots;
	const mt_header *h;
	(void)state;

	t_type = fx_node(f, FX_SELF, 928, 0x1000, 50, MT_NO_LENGTH);
	fx_qual(f, t_type, "builtins", "type");
	t_dict = fx_node(f, t_type, 416, 0x2000, 60, MT_NO_LENGTH);
	fx_qual(f, t_dict, "builtins", "dict");
	t_str = fx_node(f, t_type, 416, 0x3000, 70, MT_NO_LENGTH);
	fx_qual(f, t_str, "builtins", "str");
	t_int = fx_node(f, t_type, 416, 0x4000, 0xffffffffULL, MT_NO_LENGTH);
	fx_qual(f, t_int, "builtins", "int");
	t_c = fx_node(f, t_type, 1072, 0x5000, 5, MT_NO_LENGTH);
	fx_qual(f, t_c, "pkg.mod", "Outer.Inner");
	c1 = fx_node(f, t_c, 5ULL << 32, 0x7f0000001000ULL, 1ULL << 40,
		     MT_NO_LENGTH);	      /* wide size and refcnt */
	d1 = fx_node(f, t_dict, 96, 0, 0, 3); /* virtual */
	s1 = fx_node(f, t_str, 55, 0x6000, 1, 5);
	fx_str(f, s1, "hello");
	s2 = fx_node(f, t_str, 60, 0x6100, 2, 1ULL << 33); /* wide length */
	fx_str(f, s2, "key\xc3\xa9");
	big = fx_node(f, t_int, 44, 0x6200, 1, 25);
	{
		mt_value bv = {.kind = MT_VAL_STR,
			       .s = "-1234567890123456789012345",
			       .slen = 26};
		fx_set_value(f, big, &bv);
	}
	i1 = fx_node(f, t_int, 28, 0x6300, 3, MT_NO_LENGTH);
	fx_int(f, i1, INT64_MIN);
	fl = fx_node(f, t_type, 24, 0x6400, 1, MT_NO_LENGTH);
	{
		mt_value fv = {.kind = MT_VAL_FLOAT, .d = -2.5};
		fx_set_value(f, fl, &fv);
	}
	code = fx_node(f, t_type, 200, 0x6500, 1, MT_NO_LENGTH);
	{
		mt_value cv = {.kind = MT_VAL_CODE,
			       .s = "x.py",
			       .slen = 4,
			       .i = 77,
			       .s2 = "<module>",
			       .s2len = 8};
		fx_set_value(f, code, &cv);
	}
	garbage = fx_node(f, t_dict, 64, 0x9000, 1, 0);
	fx_root(f, "i0_modules", c1);
	fx_root(f, "i0_t7_f0", code);
	fx_edge_name(f, c1, MT_REL_ATTR, "__dict__", d1);
	fx_edge_key(f, d1, s2, s1);
	fx_edge_key(f, d1, s1, big);
	fx_edge_int(f, d1, MT_REL_KEY, 0, s2);
	fx_edge_int(f, c1, MT_REL_OTHER, 5ULL << 32, i1); /* wide label */
	fx_edge_int(f, c1, MT_REL_INDEX, 2, fl);
	fx_edge_name(f, fl, MT_REL_LOCAL, "x", i1);
	fx_edge_int(f, garbage, MT_REL_INDEX, 0, s1);
	assert_int_equal(fx_write(f, tmp_path("rt.mp"), map, &reach, &err),
			 MT_OK);
	fx_free(f);

	progress_calls = 0;
	assert_int_equal(
	    mt_graph_load(&g, tmp_path("rt.mp"), count_progress, NULL, &err),
	    MT_OK);
	assert_true(progress_calls >= 1);
	assert_int_equal(mt_graph_count(g), 14);
	assert_int_equal(mt_graph_edge_count(g), 8);
	assert_int_equal(mt_graph_reachable(g), reach);
	assert_int_equal(reach, 13); /* all but the garbage dict */
	assert_int_equal(map[garbage], 13);

	/* fields */
	assert_int_equal(mt_graph_type(g, map[c1]), map[t_c]);
	assert_int_equal(mt_graph_size(g, map[c1]), 5ULL << 32);
	assert_int_equal(mt_graph_refcnt(g, map[c1]), 1ULL << 40);
	assert_int_equal(mt_graph_addr(g, map[c1]), 0x7f0000001000ULL);
	assert_false(mt_graph_virtual(g, map[c1]));
	assert_true(mt_graph_virtual(g, map[d1]));
	assert_int_equal(mt_graph_addr(g, map[d1]), 0);
	assert_int_equal(mt_graph_refcnt(g, map[d1]), 0);
	assert_int_equal(mt_graph_refcnt(g, map[t_int]), 0xffffffffULL);
	assert_int_equal(mt_graph_length(g, map[d1]), 3);
	assert_int_equal(mt_graph_length(g, map[s2]), 1LL << 33);
	assert_true(mt_graph_length(g, map[c1]) == MT_NO_LENGTH);

	/* values */
	mt_graph_value(g, map[s1], &v);
	assert_int_equal(v.kind, MT_VAL_STR);
	assert_int_equal(v.slen, 5);
	assert_memory_equal(v.s, "hello", 5);
	mt_graph_value(g, map[s2], &v);
	assert_int_equal(v.slen, 5);
	assert_memory_equal(v.s, "key\xc3\xa9", 5);
	mt_graph_value(g, map[big], &v);
	assert_int_equal(v.kind, MT_VAL_STR);
	assert_int_equal(v.slen, 26);
	mt_graph_value(g, map[i1], &v);
	assert_int_equal(v.kind, MT_VAL_INT);
	assert_true(v.i == INT64_MIN);
	mt_graph_value(g, map[fl], &v);
	assert_int_equal(v.kind, MT_VAL_FLOAT);
	assert_true(v.d == -2.5);
	mt_graph_value(g, map[code], &v);
	assert_int_equal(v.kind, MT_VAL_CODE);
	assert_memory_equal(v.s, "x.py", 4);
	assert_int_equal(v.i, 77);
	assert_int_equal(v.s2len, 8);
	assert_memory_equal(v.s2, "<module>", 8);
	mt_graph_value(g, map[t_c], &v);
	assert_int_equal(v.kind, MT_VAL_QUALNAME);
	assert_memory_equal(v.s, "pkg.mod", 7);
	assert_memory_equal(v.s2, "Outer.Inner", 11);
	mt_graph_value(g, map[d1], &v);
	assert_int_equal(v.kind, MT_VAL_NONE);

	/* type labels: heapy's module + __name__, not the qualname */
	assert_string_equal(mt_graph_type_label(g, map[t_c]),
			    "pkg.mod.Inner");
	assert_string_equal(mt_graph_type_label(g, map[t_dict]), "dict");
	assert_string_equal(mt_graph_type_label(g, map[s1]), "?");
	assert_int_equal(mt_graph_dict_type(g), map[t_dict]);

	/* edges, names, roots */
	assert_int_equal(edge_to(g, map[c1], MT_REL_ATTR, "__dict__"), map[d1]);
	assert_int_equal(edge_to(g, map[fl], MT_REL_LOCAL, "x"), map[i1]);
	mt_graph_out(g, map[d1], &first, &n);
	assert_int_equal(n, 3);
	assert_int_equal(mt_graph_edge_rel(g, first), MT_REL_KEYVAL);
	assert_int_equal(mt_graph_edge_label(g, first), map[s2]);
	assert_int_equal(mt_graph_edge_target(g, first), map[s1]);
	assert_int_equal(mt_graph_edge_source(g, first), map[d1]);
	assert_int_equal(mt_graph_edge_rel(g, first + 2), MT_REL_KEY);
	mt_graph_out(g, map[c1], &first, &n);
	assert_int_equal(n, 3);
	assert_int_equal(mt_graph_edge_label(g, first + 1), 5ULL << 32);
	assert_int_equal(mt_graph_edge_source(g, first + 2), map[c1]);
	mt_graph_roots(g, &roots, &nroots);
	assert_int_equal(nroots, 2);
	assert_int_equal(roots[0].target, map[c1]);
	assert_int_equal(roots[0].rel, MT_REL_ROOT);
	assert_string_equal(mt_graph_name(g, roots[0].label), "i0_modules");
	assert_string_equal(mt_graph_name(g, roots[1].label), "i0_t7_f0");
	assert_null(mt_graph_name(g, mt_graph_name_count(g)));

	/* in-edges: s1 is referred to by d1 (keyval) and garbage (index) */
	mt_graph_in(g, map[s1], &first, &n);
	assert_int_equal(n, 2);
	assert_int_equal(mt_graph_in_source(g, first), map[d1]);
	e = mt_graph_in_edge(g, first);
	assert_int_equal(mt_graph_edge_rel(g, e), MT_REL_KEYVAL);
	assert_int_equal(mt_graph_in_source(g, first + 1), map[garbage]);
	assert_int_equal(mt_graph_edge_rel(g, mt_graph_in_edge(g, first + 1)),
			 MT_REL_INDEX);
	/* every out-edge appears once among the in-edges of its target */
	for (k = 0, e = 0; k < mt_graph_count(g); k++) {
		uint32_t p;
		mt_graph_in(g, k, &first, &n);
		for (p = first; p < first + n; p++) {
			uint32_t oe = mt_graph_in_edge(g, p);
			assert_int_equal(mt_graph_edge_target(g, oe), k);
			assert_int_equal(mt_graph_edge_source(g, oe),
					 mt_graph_in_source(g, p));
			e++;
		}
	}
	assert_int_equal(e, mt_graph_edge_count(g));

	/* dict owner: the virtual dict is owned by c1; the garbage dict is
	 * not; a non-dict has none */
	assert_int_equal(mt_graph_dict_owner(g, map[d1]), map[c1]);
	assert_int_equal(mt_graph_dict_owner(g, map[garbage]), MT_NO_ID);
	assert_int_equal(mt_graph_dict_owner(g, map[c1]), MT_NO_ID);

	/* header copy outlives the file */
	h = mt_graph_header(g);
	assert_int_equal(h->format_version, 1);
	assert_int_equal(h->py_minor, 11);
	assert_int_equal(h->pid, 4242);
	assert_int_equal(h->argc, 2);
	assert_string_equal(h->argv[1], "--demo");
	assert_string_equal(h->build, "release");
	assert_true(h->collected);
	assert_true(mt_graph_memory(g) > 0);
	mt_graph_free(g);
}

/* heapy's type labels from the dump itself (typelabel.c): the builtins
 * dict and types module the dump holds, runtime __name__, and the module
 * of a class whose __module__ is not a str, as an older capture wrote it
 * (module ""). */
static void test_type_labels(void **state)
{
	fx *f = fx_new();
	uint32_t map[128], addr = 0x1000, t_type, t_obj, t_dict, t_str, t_tuple,
	    t_mod, t_bfm, t_dk, t_ren, t_mine, t_meta, t_iface, t_spec, t_prop,
	    t_odd, t_lost, b, mods, tm, td, p1, p2, mro, d;
	mt_graph *g;
	mt_err err;
	(void)state;
#define NODE(t) fx_node(f, (t), 64, addr += 0x100, 1, MT_NO_LENGTH)
#define STR(s) (n_ = NODE(t_str), fx_str(f, n_, (s)), n_)
#define KEY(dct, k, v) fx_edge_key(f, (dct), STR(k), (v))
#define ATTR(o, nm, t) fx_edge_name(f, (o), MT_REL_ATTR, (nm), (t))
	uint32_t n_;
	t_type = fx_node(f, FX_SELF, 928, addr, 50, MT_NO_LENGTH);
	fx_qual(f, t_type, "builtins", "type");
	t_obj = NODE(t_type), fx_qual(f, t_obj, "builtins", "object");
	t_dict = NODE(t_type), fx_qual(f, t_dict, "builtins", "dict");
	t_str = NODE(t_type), fx_qual(f, t_str, "builtins", "str");
	t_tuple = NODE(t_type), fx_qual(f, t_tuple, "builtins", "tuple");
	t_mod = NODE(t_type), fx_qual(f, t_mod, "builtins", "module");
	t_bfm = NODE(t_type);
	fx_qual(f, t_bfm, "builtins", "builtin_function_or_method");
	t_dk = NODE(t_type), fx_qual(f, t_dk, "builtins", "dict_keys");
	t_ren = NODE(t_type), fx_qual(f, t_ren, "m", "Outer.Ren");
	ATTR(t_ren, "__name__", STR("X"));
	t_mine = NODE(t_type), fx_qual(f, t_mine, "m", "Mine");
	ATTR(t_mine, "__name__", STR("Mine"));
	/* builtins: dict, str and a program's alias */
	b = NODE(t_dict);
	KEY(b, "dict", t_dict), KEY(b, "str", t_str), KEY(b, "MyAlias", t_mine);
	fx_root(f, "i0_builtins", b);
	/* sys.modules['types'].__dict__: the greatest key wins */
	mods = NODE(t_dict);
	fx_root(f, "i0_modules", mods);
	tm = NODE(t_mod), fx_str(f, tm, "types");
	KEY(mods, "types", tm);
	td = NODE(t_dict);
	ATTR(tm, "__dict__", td);
	KEY(td, "BuiltinFunctionType", t_bfm);
	KEY(td, "BuiltinMethodType", t_bfm);
	/* zope.interface: InterfaceClass's __module__ is a descriptor and its
	 * metaclass has a property for it */
	t_prop = NODE(t_type), fx_qual(f, t_prop, "builtins", "property");
	mro = NODE(t_tuple), fx_edge_int(f, mro, MT_REL_INDEX, 0, t_prop);
	fx_edge_int(f, mro, MT_REL_INDEX, 1, t_obj);
	ATTR(t_prop, "__mro__", mro), ATTR(t_prop, "__dict__", NODE(t_dict));
	ATTR(t_obj, "__dict__", NODE(t_dict));
	t_meta = NODE(t_type);
	fx_qual(f, t_meta, "zope.interface.interface", "_InterfaceMetaClass");
	ATTR(t_meta, "__name__", STR("_InterfaceMetaClass"));
	mro = NODE(t_tuple), fx_edge_int(f, mro, MT_REL_INDEX, 0, t_meta);
	fx_edge_int(f, mro, MT_REL_INDEX, 1, t_type);
	ATTR(t_meta, "__mro__", mro);
	d = NODE(t_dict), ATTR(t_meta, "__dict__", d);
	p1 = NODE(t_prop), KEY(d, "__module__", p1);
	t_spec = NODE(t_type);
	fx_qual(f, t_spec, "zope.interface.interface", "Specification");
	ATTR(t_spec, "__name__", STR("Specification"));
	t_iface = NODE(t_meta), fx_qual(f, t_iface, "", "InterfaceClass");
	ATTR(t_iface, "__name__", STR("InterfaceClass"));
	mro = NODE(t_tuple), fx_edge_int(f, mro, MT_REL_INDEX, 0, t_iface);
	fx_edge_int(f, mro, MT_REL_INDEX, 1, t_spec);
	ATTR(t_iface, "__mro__", mro);
	d = NODE(t_dict), ATTR(t_iface, "__dict__", d);
	p1 = NODE(t_prop), KEY(d, "__module__", p1);
	/* a plain class whose __module__ is a property object: heapy prints
	 * the object; one with no __module__: <unknown module> */
	t_odd = NODE(t_type), fx_qual(f, t_odd, "", "Odd");
	ATTR(t_odd, "__name__", STR("Odd"));
	mro = NODE(t_tuple), fx_edge_int(f, mro, MT_REL_INDEX, 0, t_odd);
	ATTR(t_odd, "__mro__", mro);
	d = NODE(t_dict), ATTR(t_odd, "__dict__", d);
	p2 = NODE(t_prop), KEY(d, "__module__", p2);
	t_lost = NODE(t_type), fx_qual(f, t_lost, "", "Lost");
	ATTR(t_lost, "__name__", STR("Lost"));
	ATTR(t_lost, "__mro__", mro);
	ATTR(t_lost, "__dict__", NODE(t_dict));
#undef NODE
#undef STR
#undef KEY
#undef ATTR
	assert_true(addr < 0x1000 + 128 * 0x100); /* map has room */
	assert_int_equal(fx_write(f, tmp_path("tl.mp"), map, NULL, &err),
			 MT_OK);
	fx_free(f);
	assert_int_equal(mt_graph_load(&g, tmp_path("tl.mp"), NULL, NULL, &err),
			 MT_OK);
	assert_string_equal(mt_graph_type_label(g, map[t_dict]), "dict");
	assert_string_equal(mt_graph_type_label(g, map[t_mod]), "module");
	assert_string_equal(mt_graph_type_label(g, map[t_bfm]),
			    "types.BuiltinMethodType");
	assert_string_equal(mt_graph_type_label(g, map[t_dk]),
			    "builtins.dict_keys");
	assert_string_equal(mt_graph_type_label(g, map[t_ren]), "m.X");
	assert_string_equal(mt_graph_type_label(g, map[t_mine]), "MyAlias");
	assert_string_equal(mt_graph_type_label(g, map[t_iface]),
			    "zope.interface.interface.InterfaceClass");
	{
		char want[64];
		snprintf(want, sizeof want, "<property object at 0x%llx>.Odd",
			 (unsigned long long)mt_graph_addr(g, map[p2]));
		assert_string_equal(mt_graph_type_label(g, map[t_odd]), want);
	}
	assert_string_equal(mt_graph_type_label(g, map[t_lost]),
			    "<unknown module>.Lost");
	mt_graph_free(g);
}

static void test_canned_heaps(void **state)
{
	const char *names[] = {"demo", "many", "empty"};
	size_t i, len;
	(void)state;
	for (i = 0; i < 3; i++) {
		unsigned char *b = canned(names[i], &len);
		mt_graph *g;
		mt_err err;
		assert_int_equal(
		    mt_graph_load_buffer(&g, b, len, NULL, NULL, &err), MT_OK);
		if (i == 2) {
			assert_int_equal(mt_graph_count(g), 0);
			assert_int_equal(mt_graph_dict_type(g), MT_NO_ID);
		} else
			assert_true(mt_graph_count(g) > 10);
		mt_graph_free(g);
		free(b);
	}
}

static void test_cancel(void **state)
{
	size_t len;
	unsigned char *b = canned("demo", &len);
	mt_graph *g;
	mt_err err;
	(void)state;
	assert_int_equal(
	    mt_graph_load_buffer(&g, b, len, cancel_progress, NULL, &err),
	    MT_CANCELLED);
	assert_null(g);
	free(b);
}

/* The load's progress: done never above total and never back, the last
 * call (len, len); the passes after the last record (the referrer
 * index) report too: a 300k-object chain has more than 2^16 edges and
 * objects, so each of those passes calls at least 4 times past the
 * reading's last point (7/8 of the file); a cancel there stops the load. */
typedef struct {
	unsigned calls, cancel_at, after_read;
	uint64_t last, len;
} load_calls;

static int watch_load(void *data, uint64_t done, uint64_t total)
{
	load_calls *c = data;
	assert_true(done <= total);
	assert_true(done >= c->last);
	assert_int_equal(total, c->len);
	c->last = done;
	if (done > total - total / 8)
		c->after_read++;
	return ++c->calls == c->cancel_at;
}

static void test_progress_after_reading(void **state)
{
	(void)state;
	uint32_t n = 300000;
	tg_edge *e = malloc(n * sizeof *e);
	assert_non_null(e);
	for (uint32_t i = 0; i < n; i++)
		e[i] = (tg_edge){i, i + 1 < n ? i + 1 : 0, 0, 0};
	uint32_t roots[] = {0};
	tg_graph tg = {.n = n, .edges = e, .nedges = n, .roots = roots,
		       .nroots = 1};
	const char *p = tmp_path("progress.mp");
	tg_write(p, &tg, NULL);
	uint64_t len = file_size(p);
	mt_graph *g;
	mt_err err;
	load_calls all = {.len = len};
	assert_int_equal(mt_graph_load(&g, p, watch_load, &all, &err), MT_OK);
	mt_graph_free(g);
	assert_int_equal(all.last, len);
	/* three passes of at least 300k steps, a report every 2^16 */
	assert_true(all.after_read >= 3 * 4);
	load_calls c = {.len = len, .cancel_at = all.calls - 2};
	g = (mt_graph *)1;
	assert_int_equal(mt_graph_load(&g, p, watch_load, &c, &err),
			 MT_CANCELLED);
	assert_null(g);
	free(e);
}

/* The ob_type edges the loader adds (add_type_edges) report as well: a
 * class C with 300k instances gets 300k edges, two passes over the
 * objects (at 80M objects 1.3 s with no report before); the sixths of the
 * last eighth are the edges' and types' check, these two passes and the
 * three of the referrer index; a cancel in the second sixth (the first of
 * the two) stops the load. */
static void test_progress_type_edges(void **state)
{
	(void)state;
	uint32_t n = 300000;
	fx *f = fx_new();
	uint32_t tt = fx_node(f, FX_SELF, 400, 0x100, 1, MT_NO_LENGTH);
	fx_qual(f, tt, "builtins", "type");
	uint32_t ts = fx_node(f, tt, 400, 0x200, 1, MT_NO_LENGTH);
	fx_qual(f, ts, "builtins", "str");
	uint32_t c = fx_node(f, tt, 900, 0x1000, n + 1, MT_NO_LENGTH);
	fx_qual(f, c, "__main__", "C");
	uint32_t cname = fx_node(f, ts, 50, 0x1100, 1, 1);
	fx_str(f, cname, "C");
	fx_edge_name(f, c, MT_REL_ATTR, "__name__", cname);
	fx_root(f, "C", c);
	uint32_t prev = c;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t o = fx_node(f, c, 48, 0x100000 + 64 * (uint64_t)i, 1,
				     MT_NO_LENGTH);
		fx_edge_name(f, prev, MT_REL_ATTR, "next", o);
		prev = o;
	}
	const char *p = tmp_path("progress-types.mp");
	mt_err err;
	assert_int_equal(fx_write(f, p, NULL, NULL, &err), MT_OK);
	fx_free(f);
	uint64_t len = file_size(p);
	mt_graph *g;
	load_calls all = {.len = len};
	assert_int_equal(mt_graph_load(&g, p, watch_load, &all, &err), MT_OK);
	/* the ob_type edges are there: one per instance */
	assert_int_equal(mt_graph_edge_count(g), 1 + 2 * n);
	mt_graph_free(g);
	/* six passes with a report every 2^16 steps: the check of 600k edges
	 * and 300k objects (9), the two passes over the objects that add
	 * the ob_type edges (4 each), the in-edges' count over 600k edges
	 * (9), their starts and their placing (4 each); 25 calls without the
	 * ob_type edges' reports */
	assert_true(all.after_read >= 34);
	/* cancelled in the ob_type edges' first pass: 1/8 of the file past
	 * the reading, in its second sixth */
	load_calls cc = {.len = len, .cancel_at = all.calls};
	for (unsigned k = 1; k < all.calls; k++) {
		load_calls probe = {.len = len, .cancel_at = k};
		g = (mt_graph *)1;
		if (mt_graph_load(&g, p, watch_load, &probe, &err) ==
			MT_CANCELLED &&
		    probe.last > len - len / 8 + (len / 8) / 6 &&
		    probe.last < len - len / 8 + 2 * (len / 8) / 6) {
			cc.cancel_at = k;
			assert_null(g);
			break;
		}
		if (g != (mt_graph *)1)
			mt_graph_free(g);
	}
	assert_true(cc.cancel_at < all.calls);
}

/* ---- malformed input ----------------------------------------------------- */

static void test_missing_file(void **state)
{
	mt_graph *g;
	mt_err err;
	char msg[512];
	(void)state;
	assert_int_equal(
	    mt_graph_load(&g, tmp_path("nonexistent.mp"), NULL, NULL, &err),
	    MT_IO);
	assert_null(g);
	assert_non_null(strstr(err.detail, "nonexistent.mp"));
	assert_non_null(strstr(err.detail, "No such file"));
	mt_err_format(&err, msg, sizeof msg);
	assert_non_null(strstr(msg, "No such file"));
	/* a directory is not a dump either */
	assert_int_equal(mt_graph_load(&g, tmpdir, NULL, NULL, &err), MT_IO);
}

static void test_truncated_everywhere(void **state)
{
	size_t len, cut, bad = 0, shown = 0;
	unsigned char *b = canned("demo", &len);
	(void)state;
	/* Every proper prefix of a dump is "unexpected end of file" with an
	 * offset within the prefix (doc/format.md, Layout). */
	for (cut = 0; cut < len; cut++) {
		/* a private copy so ASan sees reads past the cut */
		unsigned char *c = malloc(cut ? cut : 1);
		mt_graph *g;
		mt_err err;
		mt_status st;
		memcpy(c, b, cut);
		st = mt_graph_load_buffer(&g, c, cut, NULL, NULL, &err);
		assert_true(st != MT_OK);
		assert_null(g);
		assert_true(err.offset != MT_NO_OFFSET);
		assert_true(err.offset <= cut);
		if (st != MT_TRUNCATED) {
			char msg[512];
			mt_err_format(&err, msg, sizeof msg);
			/* a sample: the first, and those past the magic */
			if ((bad++ == 0 || cut > MT_DUMP_MAGIC_LEN) &&
			    shown++ < 8)
				print_error("cut at %zu of %zu: %s\n", cut, len,
					    msg);
		}
		free(c);
	}
	/* and one through the file path */
	write_all(tmp_path("cut.mp"), b, len / 2);
	{
		mt_graph *g;
		mt_err err;
		assert_int_equal(
		    mt_graph_load(&g, tmp_path("cut.mp"), NULL, NULL, &err),
		    MT_TRUNCATED);
		assert_true(err.offset <= len / 2);
	}
	free(b);
	if (bad)
		fail_msg("%zu prefixes were not reported as truncated", bad);
}

static void test_bad_magic_and_version(void **state)
{
	size_t len;
	unsigned char *b = canned("demo", &len);
	mt_err err;
	(void)state;
	assert_int_equal(b[0], 0xad);
	b[1] = 'x'; /* "xemtrack-dump" */
	err = expect_fail(b, len, MT_MAGIC);
	assert_true(err.offset <= 1);
	b[1] = 'm';
	assert_int_equal(b[14], 1); /* the version after the 14-byte magic */
	b[14] = 2;
	err = expect_fail(b, len, MT_VERSION);
	assert_int_equal(err.offset, 14);
	free(b);
}

/* The bytes of an empty dump up to its END record. */
static unsigned char *empty_prefix(size_t *plen)
{
	size_t len, i;
	unsigned char *b = canned("empty", &len);
	static const unsigned char end[] = {0x96, 4, 0, 0, 0, 0};
	for (i = len - sizeof end; i > 0; i--)
		if (!memcmp(b + i, end, sizeof end))
			break;
	assert_true(i > 0);
	*plen = i;
	return b;
}

static void test_crafted_records(void **state)
{
	size_t plen;
	unsigned char *pre = empty_prefix(&plen);
	unsigned char *b = malloc(plen + 64);
	/* [3, type=self(1), size 16, nil, nil, nil, nil, INDEX, target, 0] */
	static const unsigned char obj[] = {0x9a, 3,	1, 16, 0xc0, 0xc0,
					    0xc0, 0xc0, 2, 5,  0};
	mt_err err;
	(void)state;
	memcpy(b, pre, plen);

	/* a byte msgpack never uses, where a record should start */
	b[plen] = 0xc1;
	err = expect_fail(b, plen + 1, MT_MSGPACK);
	assert_int_equal(err.offset, plen);

	/* an edge whose target code 5 is above hi (1): unknown object */
	memcpy(b + plen, obj, sizeof obj);
	err = expect_fail(b, plen + sizeof obj, MT_BADREF);
	assert_true(err.offset >= plen && err.offset < plen + sizeof obj);

	/* a type reference above hi */
	memcpy(b + plen, obj, sizeof obj);
	b[plen + 2] = 9;
	err = expect_fail(b, plen + sizeof obj, MT_BADREF);
	assert_true(err.offset >= plen && err.offset < plen + sizeof obj);
	free(b);
	free(pre);
}

static void test_checksum_and_trailing(void **state)
{
	size_t len;
	unsigned char *b = canned("demo", &len);
	unsigned char *p = memmem(b, len, "s00000 a preview", 16);
	unsigned char *t;
	mt_err err;
	(void)state;

	/* a flipped byte inside a str preview parses, but fails the sum */
	assert_non_null(p);
	p[3] ^= 0x01; /* '0' -> '1' */
	err = expect_fail(b, len, MT_CHECKSUM);
	assert_true(err.offset > (uint64_t)(p - b) && err.offset < len);
	p[3] ^= 0x01;

	/* anything after the END record */
	t = malloc(len + 1);
	memcpy(t, b, len);
	t[len] = 0xc0;
	err = expect_fail(t, len + 1, MT_TRAILING);
	assert_int_equal(err.offset, len);
	free(t);
	free(b);
}

/* ---- random corruption ----------------------------------------------------
 */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_random_corruption(void **state)
{
	size_t len, it;
	unsigned char *b = canned("demo", &len);
	unsigned ok = 0, failed = 0;
	(void)state;
	for (it = 0; it < 4000; it++) {
		size_t n = len, m, k;
		unsigned char *c = malloc(len + 8);
		mt_graph *g;
		mt_err err;
		memcpy(c, b, len);
		for (m = 1 + rnd() % 3, k = 0; k < m; k++) {
			size_t at = rnd() % n;
			switch (rnd() % 3) {
			case 0: /* flip bits */
				c[at] ^= (unsigned char)(1 + rnd() % 255);
				break;
			case 1: /* insert a byte */
				memmove(c + at + 1, c + at, n - at);
				c[at] = (unsigned char)rnd();
				n++;
				break;
			default: /* delete a byte */
				memmove(c + at, c + at + 1, n - at - 1);
				n--;
				break;
			}
		}
		if (mt_graph_load_buffer(&g, c, n, NULL, NULL, &err) == MT_OK) {
			/* survived (e.g. a flip the format cannot see):
			 * the graph must still be usable */
			mt_classifier *cl;
			mt_partition *p;
			assert_int_equal(
			    mt_classifier_new(&cl, g, MT_CLASSIFY_CLODO, &err),
			    MT_OK);
			assert_int_equal(
			    mt_partition_new(&p, cl, NULL, 0, &err), MT_OK);
			mt_partition_free(p);
			mt_classifier_free(cl);
			mt_graph_free(g);
			ok++;
		} else {
			assert_null(g);
			assert_true(err.code != MT_OK);
			failed++;
		}
		free(c);
	}
	assert_true(failed > 3900);
	free(b);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* memtrack.mark(): the MARK record's bits are the graph's marked ids; a
 * dump without one has no mark and no marked object. */
static void test_mark(void **state)
{
	mt_writer *w;
	mt_graph *g;
	mt_err err;
	(void)state;
	mt_header h = {.memtrack_version = "0.1.0",
		       .python_version = "3.11.7",
		       .py_major = 3,
		       .py_minor = 11,
		       .py_micro = 7,
		       .ptr_size = 8,
		       .gc_header = 16,
		       .pid = 77,
		       .start_time = 1795314000.5,
		       .boot_id = "b00t",
		       .mark_time = 1795314100.25};
	assert_int_equal(mt_writer_new(&w, tmp_path("mark.mp"), &err), MT_OK);
	assert_int_equal(mt_writer_header(w, &h, &err), MT_OK);
	for (uint32_t i = 0; i < 11; i++) {
		mt_obj o = {.type = 0, .size = 28, .addr = 0x9000 + 32 * i,
			    .refcnt = 1, .length = MT_NO_LENGTH};
		if (i == 0)
			o.value = (mt_value){.kind = MT_VAL_QUALNAME,
					     .s = "builtins",
					     .slen = 8,
					     .s2 = "type",
					     .s2len = 4};
		assert_int_equal(mt_writer_object(w, i, &o, NULL, 0, &err),
				 MT_OK);
	}
	uint8_t bits[2] = {0x85, 0x04}; /* 0, 2, 7, 10 */
	assert_int_equal(mt_writer_mark(w, bits, 11, &err), MT_OK);
	assert_int_equal(mt_writer_finish(w, 0, &err), MT_OK);
	assert_int_equal(mt_graph_load(&g, tmp_path("mark.mp"), NULL, NULL, &err),
			 MT_OK);
	const mt_header *gh = mt_graph_header(g);
	assert_true(gh->mark_time == 1795314100.25);
	assert_true(gh->start_time == 1795314000.5);
	assert_string_equal(gh->boot_id, "b00t");
	assert_true(mt_graph_has_mark(g));
	for (uint32_t i = 0; i < 11; i++)
		assert_int_equal(mt_graph_marked(g, i),
				 i == 0 || i == 2 || i == 7 || i == 10);
	assert_false(mt_graph_marked(g, 11));
	assert_false(mt_graph_marked(g, UINT32_MAX));
	mt_graph_free(g);

	/* the fixture writes no mark (and no process keys) */
	assert_int_equal(fx_write_canned("demo", tmp_path("nomark.mp"), &err),
			 MT_OK);
	assert_int_equal(
	    mt_graph_load(&g, tmp_path("nomark.mp"), NULL, NULL, &err), MT_OK);
	assert_false(mt_graph_has_mark(g));
	assert_false(mt_graph_marked(g, 0));
	assert_true(mt_graph_header(g)->mark_time == 0);
	mt_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_addresses),
	    cmocka_unit_test(test_many_types),
	    cmocka_unit_test(test_mark),
	    cmocka_unit_test(test_type_labels),
	    cmocka_unit_test(test_canned_heaps),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_progress_after_reading),
	    cmocka_unit_test(test_progress_type_edges),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_truncated_everywhere),
	    cmocka_unit_test(test_bad_magic_and_version),
	    cmocka_unit_test(test_crafted_records),
	    cmocka_unit_test(test_checksum_and_trailing),
	    cmocka_unit_test(test_random_corruption),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
