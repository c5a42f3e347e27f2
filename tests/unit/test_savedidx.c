/* Tests of saved indexes (savedidx.h) and of the context's use of them
 * (mt_ctx_use_saved_index, ctx.h): the tree read back equals the tree
 * built (random graphs, large and small END counts); a second context
 * reuses the index; every truncation and every flipped byte of an index is
 * refused (never a crash, never a tree) and the context then rebuilds and
 * saves again with a note; an index of another dump, format version or
 * memtrack version is refused; a file that is not an index, a symbolic
 * link and a directory are left alone; a dump changed after its load, a
 * missing directory and (not as root) a read-only directory only mean no
 * index, with a note; a cancel while checking loses nothing. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "graphgen.h"
#include "memtrack/checksum.h"
#include "memtrack/ctx.h"
#include "memtrack/dominance.h"
#include "memtrack/dominator.h"
#include "memtrack/savedidx.h"

static char dir[256], dump[300], idx[320];

static int setup(void **state)
{
	(void)state;
	const char *t = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/mt_test_savedidx.XXXXXX",
		 t && *t ? t : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(dump, sizeof dump, "%s/h.mp", dir);
	snprintf(idx, sizeof idx, "%s/h.mp.mtidx", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[400];
	chmod(dir, 0700);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- helpers ---------------------------------------------------------- */

static unsigned char *slurp(const char *p, size_t *n)
{
	FILE *f = fopen(p, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *b = malloc(len ? (size_t)len : 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return b;
}

static void spit(const char *p, const void *b, size_t n)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, n), (ssize_t)n);
	close(fd);
}

static void assert_same_tree(const mt_graph *g, const mt_domtree *a,
			     const mt_domtree *b)
{
	assert_int_equal(mt_domtree_total(a), mt_domtree_total(b));
	for (uint32_t i = 0; i < mt_graph_count(g); i++) {
		assert_int_equal(mt_domtree_idom(a, i), mt_domtree_idom(b, i));
		assert_int_equal(mt_domtree_retained(a, i),
				 mt_domtree_retained(b, i));
	}
}

/* No temporary file of safefile.h left in dir. */
static void assert_no_tmp(void)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd, "ls '%s' | grep -q '\\.tmp\\.'", dir);
	assert_int_not_equal(system(cmd), 0);
}

/* A graph of n nodes: a chain with every third node also referring to
 * node 0 (cycles), roots 0 and n/2; the first n/4 nodes `extra` bytes
 * bigger. */
static mt_graph *chain_graph_of(uint32_t n, uint64_t extra)
{
	tg_edge *e = calloc(2 * (size_t)n, sizeof *e);
	uint64_t *sizes = calloc(n, sizeof *sizes);
	uint32_t roots[2] = {0, n / 2};
	size_t ne = 0;
	assert_non_null(e);
	assert_non_null(sizes);
	for (uint32_t i = 0; i < n; i++) {
		sizes[i] = 8 + i % 100 + (i < n / 4 ? extra : 0);
		if (i + 1 < n)
			e[ne++] = (tg_edge){i, i + 1, 0, 0};
		if (i % 3 == 2)
			e[ne++] = (tg_edge){i, 0, 0, 0};
	}
	tg_graph tg = {.n = n,
		       .sizes = sizes,
		       .edges = e,
		       .nedges = ne,
		       .roots = roots,
		       .nroots = 2};
	tg_write(dump, &tg, NULL);
	free(e);
	free(sizes);
	return tg_load(dump);
}

static mt_graph *chain_graph(uint32_t n) { return chain_graph_of(n, 0); }

static mt_savedidx_key probe(void)
{
	mt_savedidx_key k;
	mt_err err;
	assert_int_equal(mt_savedidx_probe(dump, &k, &err), MT_OK);
	return k;
}

/* ---- save and load ----------------------------------------------------- */

static void roundtrip(mt_graph *g, unsigned *seed, void *data)
{
	mt_domtree *t, *u;
	mt_err err;
	struct stat sb;
	(void)seed;
	(void)data;
	mt_savedidx_key k = probe();
	assert_true(mt_savedidx_key_fits(&k, g));
	assert_int_equal(k.objects, mt_graph_count(g));
	assert_int_equal(mt_domtree_build(&t, g, NULL, NULL, &err), MT_OK);
	assert_int_equal(mt_savedidx_save(idx, &k, g, t, NULL, NULL, &err),
			 MT_OK);
	assert_int_equal(stat(idx, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(sb.st_size, 128 + 12 * (off_t)mt_graph_count(g));
	assert_int_equal(mt_savedidx_load(idx, &k, g, &u, NULL, NULL, &err),
			 MT_OK);
	assert_same_tree(g, t, u);
	mt_domtree_free(u);
	mt_domtree_free(t);
	assert_no_tmp();
}

static void test_roundtrip_random(void **state)
{
	(void)state;
	tg_for_random_graphs(13, 40, 300, 6, 1, dump, roundtrip, NULL);
}

static void test_roundtrip_big_counts(void **state)
{
	(void)state;
	/* counts above 65535: the END record's integers take 5 bytes */
	mt_graph *g = chain_graph(70000);
	roundtrip(g, NULL, NULL);
	mt_graph_free(g);
}

static void test_roundtrip_big_sizes(void **state)
{
	(void)state;
	/* retained sizes of 2^32 bytes and more: the built tree keeps them
	 * apart from its 4-byte figures, the index as 8 bytes each */
	mt_graph *g = chain_graph_of(1000, 3000000000ULL);
	roundtrip(g, NULL, NULL);
	mt_graph_free(g);
}

/* Whether p lies in a mapping of the file at path (/proc/self/maps). */
static bool mapped_from(const void *p, const char *path)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[1024];
	bool yes = false;
	assert_non_null(f);
	while (!yes && fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    (uintptr_t)p >= lo && (uintptr_t)p < hi)
			yes = strstr(line, path) != NULL;
	}
	fclose(f);
	return yes;
}

/* The load reads the index into a tree of its own, not a mapping of the
 * file: cut short or removed afterwards, the file takes nothing from the
 * tree (a mapping's reads past a cut are SIGBUS).  Over 2^21 objects the
 * retained sizes take two of the load's 16 MiB chunks; those of the first
 * quarter are 2^32 bytes and more (the side table of the packed sizes).
 * The bounds of one row of every object are the same over either tree. */
static void test_load_owns_its_tree(void **state)
{
	(void)state;
	uint32_t n = (1u << 21) + 5000;
	mt_graph *g = chain_graph_of(n, 3000000000ULL);
	mt_domtree *t, *u;
	mt_err err;
	mt_savedidx_key k = probe();
	assert_int_equal(mt_domtree_build(&t, g, NULL, NULL, &err), MT_OK);
	assert_int_equal(mt_savedidx_save(idx, &k, g, t, NULL, NULL, &err),
			 MT_OK);
	assert_int_equal(mt_savedidx_load(idx, &k, g, &u, NULL, NULL, &err),
			 MT_OK);
	assert_false(mapped_from(mt_domtree_idoms_(u), idx));
	assert_int_equal(truncate(idx, 128), 0);
	assert_int_equal(unlink(idx), 0);
	assert_same_tree(g, t, u);
	assert_true(mt_domtree_retained(u, 0) > 3000000000ULL * (n / 4));
	mt_dominance *dt, *du;
	uint32_t zero = 0, m = mt_graph_count(g);
	uint32_t *kinds = calloc(m, sizeof *kinds);
	uint64_t bt, bu, ut, uu;
	assert_non_null(kinds);
	assert_int_equal(mt_dominance_new(&dt, g, t, &err), MT_OK);
	assert_int_equal(mt_dominance_new(&du, g, u, &err), MT_OK);
	assert_int_equal(mt_dominance_minretained_kinds(dt, NULL, kinds, NULL,
							m, &zero, 1, &bt, &ut,
							NULL, NULL, &err),
			 MT_OK);
	assert_int_equal(mt_dominance_minretained_kinds(du, NULL, kinds, NULL,
							m, &zero, 1, &bu, &uu,
							NULL, NULL, &err),
			 MT_OK);
	assert_true(bt == bu && ut == uu && bt == mt_domtree_total(t));
	mt_dominance_free(dt);
	mt_dominance_free(du);
	free(kinds);
	mt_domtree_free(u);
	mt_domtree_free(t);
	mt_graph_free(g);
}

static void test_probe(void **state)
{
	mt_savedidx_key k, k2;
	mt_err err;
	(void)state;
	mt_graph *g = chain_graph(50);
	k = probe();
	k2 = probe();
	assert_true(mt_savedidx_key_same(&k, &k2));
	assert_int_equal(k.objects, mt_graph_count(g));
	assert_int_equal(k.reachable, mt_graph_reachable(g));
	/* the file changed: another modification time */
	struct timeval tv[2] = {{1000000000, 0}, {1000000000, 0}};
	assert_int_equal(utimes(dump, tv), 0);
	k2 = probe();
	assert_false(mt_savedidx_key_same(&k, &k2));
	/* not a dump, a missing file */
	spit(dump, "hello world, no END record here", 31);
	assert_int_not_equal(mt_savedidx_probe(dump, &k, &err), MT_OK);
	spit(dump, "", 0);
	assert_int_not_equal(mt_savedidx_probe(dump, &k, &err), MT_OK);
	unlink(dump);
	assert_int_equal(mt_savedidx_probe(dump, &k, &err), MT_IO);
	assert_int_equal(err.sys_errno, ENOENT);
	mt_graph_free(g);
}

/* ---- nothing damaged is trusted ----------------------------------------- */

static void test_damaged(void **state)
{
	mt_domtree *t, *u;
	mt_err err;
	size_t n;
	(void)state;
	mt_graph *g = chain_graph(40);
	mt_savedidx_key k = probe();
	assert_int_equal(mt_domtree_build(&t, g, NULL, NULL, &err), MT_OK);
	assert_int_equal(mt_savedidx_save(idx, &k, g, t, NULL, NULL, &err),
			 MT_OK);
	unsigned char *good = slurp(idx, &n);
	assert_int_equal(n, 128 + 12 * 41); /* 40 nodes and the type */
	/* every truncation */
	for (size_t len = 0; len < n; len++) {
		spit(idx, good, len);
		u = (mt_domtree *)1;
		assert_int_not_equal(
		    mt_savedidx_load(idx, &k, g, &u, NULL, NULL, &err), MT_OK);
		assert_null(u);
	}
	/* one byte too many */
	unsigned char *more = malloc(n + 1);
	assert_non_null(more);
	memcpy(more, good, n);
	more[n] = 0;
	spit(idx, more, n + 1);
	assert_int_equal(mt_savedidx_load(idx, &k, g, &u, NULL, NULL, &err),
			 MT_TRUNCATED);
	free(more);
	/* every byte flipped, one bit or all of them */
	for (size_t i = 0; i < n; i++)
		for (int how = 0; how < 2; how++) {
			good[i] ^= how ? 0xff : 0x10;
			spit(idx, good, n);
			good[i] ^= how ? 0xff : 0x10;
			u = (mt_domtree *)1;
			mt_status st =
			    mt_savedidx_load(idx, &k, g, &u, NULL, NULL, &err);
			if (st == MT_OK)
				fail_msg("byte %zu flipped (%d) accepted", i,
					 how);
			assert_null(u);
		}
	/* intact again: accepted */
	spit(idx, good, n);
	assert_int_equal(mt_savedidx_load(idx, &k, g, &u, NULL, NULL, &err),
			 MT_OK);
	assert_same_tree(g, t, u);
	mt_domtree_free(u);
	free(good);
	mt_domtree_free(t);
	mt_graph_free(g);
}

/* Sets the header's field at off (n bytes) and its checksum again: a
 * well-formed index of another kind. */
static void patch_header(unsigned char *b, size_t off, const void *v, size_t n)
{
	mt_hash64 h;
	memcpy(b + off, v, n);
	mt_hash64_init(&h);
	mt_hash64_update(&h, b, 120);
	uint64_t sum = mt_hash64_final(&h);
	memcpy(b + 120, &sum, 8);
}

/* A forged index whose checksums match but an immediate dominator is out
 * of range or the object itself: MT_RANGE at that idom's offset, in the
 * first of the checked chunks (16 MiB) or in the second, where the idoms
 * cross from one to the next; a damaged checksum comes first. */
static void test_forged_idom(void **state)
{
	mt_domtree *t, *u;
	mt_err err;
	size_t len;
	(void)state;
	mt_graph *g = chain_graph(1500000); /* idoms at 12 .. 18 MB */
	uint32_t n = mt_graph_count(g);
	mt_savedidx_key k = probe();
	assert_int_equal(mt_domtree_build(&t, g, NULL, NULL, &err), MT_OK);
	assert_int_equal(mt_savedidx_save(idx, &k, g, t, NULL, NULL, &err),
			 MT_OK);
	unsigned char *good = slurp(idx, &len), *b = malloc(len);
	assert_non_null(b);
	/* the last idom of the first chunk, the first of the second:
	 * (2^24 - 8 n) / 4 */
	static const uint32_t which[] = {0, 1194303, 1194304, 1499999};
	for (size_t w = 0; w < 4; w++)
		for (int self = 0; self < 2; self++) {
			uint32_t i = which[w] < n ? which[w] : n - 1;
			uint32_t v = self ? i : n + 5;
			uint64_t off = 128 + 8 * (uint64_t)n + 4 * (uint64_t)i;
			memcpy(b, good, len);
			memcpy(b + off, &v, 4);
			mt_hash64 h;
			mt_hash64_init(&h);
			mt_hash64_update(&h, b + 128, len - 128);
			uint64_t sum = mt_hash64_final(&h);
			patch_header(b, 88, &sum, 8);
			spit(idx, b, len);
			assert_int_equal(mt_savedidx_load(idx, &k, g, &u, NULL,
							  NULL, &err),
					 MT_RANGE);
			assert_true(err.offset == off);
			/* the same without its body's checksum */
			memcpy(b, good, len);
			memcpy(b + off, &v, 4);
			spit(idx, b, len);
			assert_int_equal(mt_savedidx_load(idx, &k, g, &u, NULL,
							  NULL, &err),
					 MT_CHECKSUM);
		}
	spit(idx, good, len);
	assert_int_equal(mt_savedidx_load(idx, &k, g, &u, NULL, NULL, &err),
			 MT_OK);
	mt_domtree_free(u);
	free(b);
	free(good);
	mt_domtree_free(t);
	mt_graph_free(g);
}

static void test_foreign(void **state)
{
	mt_domtree *t, *u;
	mt_err err;
	size_t n;
	(void)state;
	mt_graph *g = chain_graph(30);
	mt_savedidx_key k = probe();
	assert_int_equal(mt_domtree_build(&t, g, NULL, NULL, &err), MT_OK);
	assert_int_equal(mt_savedidx_save(idx, &k, g, t, NULL, NULL, &err),
			 MT_OK);
	unsigned char *good = slurp(idx, &n), *b = malloc(n);
	assert_non_null(b);
	/* the same header and body, another dump's key */
	mt_savedidx_key other = k;
	other.checksum ^= 1;
	assert_int_equal(mt_savedidx_load(idx, &other, g, &u, NULL, NULL, &err),
			 MT_COUNT);
	other = k;
	other.size++;
	assert_int_equal(mt_savedidx_load(idx, &other, g, &u, NULL, NULL, &err),
			 MT_COUNT);
	/* another format version */
	uint32_t v = MT_SAVEDIDX_VERSION + 1;
	memcpy(b, good, n);
	patch_header(b, 8, &v, 4);
	spit(idx, b, n);
	assert_int_equal(mt_savedidx_load(idx, &k, g, &u, NULL, NULL, &err),
			 MT_VERSION);
	/* another memtrack */
	memcpy(b, good, n);
	patch_header(b, 16, "0.0.0-other\0", 12);
	spit(idx, b, n);
	assert_int_equal(mt_savedidx_load(idx, &k, g, &u, NULL, NULL, &err),
			 MT_VERSION);
	assert_non_null(strstr(err.detail, "0.0.0-other"));
	/* another byte order */
	memcpy(b, good, n);
	uint32_t swapped = 0x04030201u;
	patch_header(b, 12, &swapped, 4);
	spit(idx, b, n);
	assert_int_equal(mt_savedidx_load(idx, &k, g, &u, NULL, NULL, &err),
			 MT_VERSION);
	/* an index of another graph with the same key (a forged one): the
	 * counts differ */
	mt_graph *g2 = chain_graph(31);
	spit(idx, good, n);
	assert_int_not_equal(
	    mt_savedidx_load(idx, &k, g2, &u, NULL, NULL, &err), MT_OK);
	mt_graph_free(g2);
	free(b);
	free(good);
	mt_domtree_free(t);
	mt_graph_free(g);
}

/* ---- never replace what is not ours ------------------------------------- */

static void test_not_ours(void **state)
{
	mt_domtree *t;
	mt_err err;
	size_t n;
	char victim[340], cmd[400];
	(void)state;
	mt_graph *g = chain_graph(20);
	mt_savedidx_key k = probe();
	assert_int_equal(mt_domtree_build(&t, g, NULL, NULL, &err), MT_OK);
	/* a regular file of something else */
	spit(idx, "precious data", 13);
	assert_int_equal(mt_savedidx_save(idx, &k, g, t, NULL, NULL, &err),
			 MT_MAGIC);
	unsigned char *b = slurp(idx, &n);
	assert_int_equal(n, 13);
	assert_memory_equal(b, "precious data", 13);
	free(b);
	unlink(idx);
	/* a symbolic link, to a file of ours or not */
	snprintf(victim, sizeof victim, "%s/victim", dir);
	spit(victim, "victim", 6);
	assert_int_equal(symlink(victim, idx), 0);
	assert_int_equal(mt_savedidx_save(idx, &k, g, t, NULL, NULL, &err),
			 MT_MAGIC);
	b = slurp(victim, &n);
	assert_int_equal(n, 6);
	free(b);
	struct stat sb;
	assert_int_equal(lstat(idx, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	unlink(idx);
	/* a directory */
	assert_int_equal(mkdir(idx, 0700), 0);
	assert_int_not_equal(mt_savedidx_save(idx, &k, g, t, NULL, NULL, &err),
			     MT_OK);
	assert_int_equal(stat(idx, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	rmdir(idx);
	/* a missing directory: MT_IO, nothing made */
	snprintf(cmd, sizeof cmd, "%s/no/such/dir/h.mp.mtidx", dir);
	assert_int_equal(mt_savedidx_save(cmd, &k, g, t, NULL, NULL, &err),
			 MT_IO);
	assert_no_tmp();
	mt_domtree_free(t);
	mt_graph_free(g);
}

/* ---- through the context ------------------------------------------------ */

struct prog {
	int cancel_check; /* cancel the check of a saved index */
	int check, save, build;
};

static int progress(void *data, const char *what, uint64_t done, uint64_t total)
{
	struct prog *p = data;
	assert_true(done <= total);
	if (!strcmp(what, "saved index")) {
		p->check++;
		return p->cancel_check;
	}
	if (!strcmp(what, "saving index"))
		p->save++;
	else if (!strcmp(what, "dominator tree"))
		p->build++;
	return 0;
}

/* A context over g using the index, its tree, its state and note. */
static mt_ctx_index_state ctx_tree(mt_graph *g, const mt_savedidx_key *k,
				   struct prog *p, const mt_domtree *ref,
				   const char **note_out)
{
	mt_ctx *c;
	const mt_domtree *t;
	const char *note;
	mt_err err;
	assert_int_equal(mt_ctx_new(&c, g, &err), MT_OK);
	mt_ctx_set_progress(c, progress, p);
	mt_ctx_use_saved_index(c, dump, k);
	assert_int_equal(mt_ctx_index(c, &note), MT_CTX_INDEX_PENDING);
	assert_int_equal(mt_ctx_domtree(c, &t, &err), MT_OK);
	if (ref)
		assert_same_tree(g, ref, t);
	mt_ctx_index_state st = mt_ctx_index(c, &note);
	if (note_out) {
		static char copy[600];
		snprintf(copy, sizeof copy, "%s", note ? note : "");
		*note_out = copy;
	}
	mt_ctx_free(c);
	return st;
}

static void test_ctx_reuse(void **state)
{
	struct prog p = {0};
	mt_domtree *ref;
	mt_err err;
	const char *note;
	(void)state;
	mt_graph *g = chain_graph(500);
	mt_savedidx_key k = probe();
	assert_int_equal(mt_domtree_build(&ref, g, NULL, NULL, &err), MT_OK);
	/* without the call: nothing read or written */
	mt_ctx *c;
	const mt_domtree *t;
	assert_int_equal(mt_ctx_new(&c, g, &err), MT_OK);
	assert_int_equal(mt_ctx_domtree(c, &t, &err), MT_OK);
	assert_int_equal(mt_ctx_index(c, &note), MT_CTX_INDEX_OFF);
	assert_null(note);
	mt_ctx_free(c);
	assert_int_equal(access(idx, F_OK), -1);
	/* first: built and saved */
	assert_int_equal(ctx_tree(g, &k, &p, ref, &note), MT_CTX_INDEX_SAVED);
	assert_string_equal(note, "");
	assert_int_equal(p.build, 1);
	assert_true(p.save >= 1);
	assert_int_equal(access(idx, F_OK), 0);
	/* a first open keeps the tree it built (an index read is the same
	 * 8 bytes an object), not a mapping of the index */
	unlink(idx);
	assert_int_equal(mt_ctx_new(&c, g, &err), MT_OK);
	mt_ctx_use_saved_index(c, dump, &k);
	assert_int_equal(mt_ctx_domtree(c, &t, &err), MT_OK);
	assert_int_equal(mt_ctx_index(c, NULL), MT_CTX_INDEX_SAVED);
	assert_false(mapped_from(mt_domtree_idoms_(t), idx));
	assert_same_tree(g, ref, t);
	mt_ctx_free(c);
	/* second: reused, no build */
	memset(&p, 0, sizeof p);
	assert_int_equal(ctx_tree(g, &k, &p, ref, &note), MT_CTX_INDEX_REUSED);
	assert_string_equal(note, "");
	assert_int_equal(p.build, 0);
	assert_true(p.check >= 1);
	/* a cancel while checking: MT_CANCELLED, the retry reuses it */
	memset(&p, 0, sizeof p);
	p.cancel_check = 1;
	assert_int_equal(mt_ctx_new(&c, g, &err), MT_OK);
	mt_ctx_set_progress(c, progress, &p);
	mt_ctx_use_saved_index(c, dump, &k);
	assert_int_equal(mt_ctx_domtree(c, &t, &err), MT_CANCELLED);
	assert_false(mt_ctx_has_domtree(c));
	p.cancel_check = 0;
	assert_int_equal(mt_ctx_domtree(c, &t, &err), MT_OK);
	assert_int_equal(mt_ctx_index(c, NULL), MT_CTX_INDEX_REUSED);
	assert_same_tree(g, ref, t);
	mt_ctx_free(c);
	/* damaged: ignored with a note, built and saved again */
	size_t n;
	unsigned char *b = slurp(idx, &n);
	b[n - 1] ^= 1;
	spit(idx, b, n);
	free(b);
	memset(&p, 0, sizeof p);
	assert_int_equal(ctx_tree(g, &k, &p, ref, &note),
			 MT_CTX_INDEX_REPLACED);
	assert_non_null(strstr(note, "saved index ignored"));
	assert_non_null(strstr(note, "damaged"));
	assert_int_equal(p.build, 1);
	memset(&p, 0, sizeof p);
	assert_int_equal(ctx_tree(g, &k, &p, ref, &note), MT_CTX_INDEX_REUSED);
	/* truncated: the same */
	assert_int_equal(truncate(idx, 100), 0);
	assert_int_equal(ctx_tree(g, &k, &p, ref, &note),
			 MT_CTX_INDEX_REPLACED);
	/* not ours: ignored and left alone, no index */
	unlink(idx);
	spit(idx, "mine", 4);
	assert_int_equal(ctx_tree(g, &k, &p, ref, &note), MT_CTX_INDEX_UNSAVED);
	assert_non_null(strstr(note, "left alone"));
	assert_int_equal(unlink(idx), 0);
	mt_domtree_free(ref);
	mt_graph_free(g);
}

static void test_ctx_no_index(void **state)
{
	struct prog p = {0};
	mt_domtree *ref;
	mt_err err;
	const char *note;
	(void)state;
	mt_graph *g = chain_graph(200);
	mt_savedidx_key k = probe();
	assert_int_equal(mt_domtree_build(&ref, g, NULL, NULL, &err), MT_OK);
	/* the dump changed after its load: no index read or written */
	struct timeval tv[2] = {{1000000000, 0}, {1000000000, 0}};
	assert_int_equal(utimes(dump, tv), 0);
	assert_int_equal(ctx_tree(g, &k, &p, ref, &note), MT_CTX_INDEX_UNSAVED);
	assert_non_null(strstr(note, "changed"));
	assert_int_equal(access(idx, F_OK), -1);
	/* an index saved for the new key, then the dump gone */
	k = probe();
	assert_int_equal(ctx_tree(g, &k, &p, ref, &note), MT_CTX_INDEX_SAVED);
	char moved[340];
	snprintf(moved, sizeof moved, "%s/moved.mp", dir);
	assert_int_equal(rename(dump, moved), 0);
	assert_int_equal(ctx_tree(g, &k, &p, ref, &note), MT_CTX_INDEX_UNSAVED);
	assert_non_null(strstr(note, "no saved index"));
	assert_int_equal(rename(moved, dump), 0);
	unlink(idx);
	/* a read-only directory (root writes anyway: not checked then) */
	if (geteuid() != 0) {
		assert_int_equal(chmod(dir, 0500), 0);
		assert_int_equal(ctx_tree(g, &k, &p, ref, &note),
				 MT_CTX_INDEX_UNSAVED);
		assert_non_null(strstr(note, "no saved index"));
		assert_int_equal(chmod(dir, 0700), 0);
		assert_int_equal(access(idx, F_OK), -1);
		assert_no_tmp();
	}
	mt_domtree_free(ref);
	mt_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip_random),
	    cmocka_unit_test(test_roundtrip_big_counts),
	    cmocka_unit_test(test_roundtrip_big_sizes),
	    cmocka_unit_test(test_load_owns_its_tree),
	    cmocka_unit_test(test_probe),
	    cmocka_unit_test(test_damaged),
	    cmocka_unit_test(test_foreign),
	    cmocka_unit_test(test_forged_idom),
	    cmocka_unit_test(test_not_ours),
	    cmocka_unit_test(test_ctx_reuse),
	    cmocka_unit_test(test_ctx_no_index),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
