/* cmocka tests of the loader's prefault thread (src/graph/prefault.c): the
 * pages asked for become resident, their contents stay as they were, and
 * after mt_prefault_sync nothing more of a dropped request is mapped in
 * (the loader calls it before it moves an array).  Also a load big enough
 * to cross many of the loader's prefault windows and to grow its arrays
 * while the thread runs (objects with neither edges nor values: fewer
 * bytes per object than the loader's first estimate), checked object by
 * object. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/graph/prefault.h"
#include "graphgen.h"
#include "memtrack/graph.h"

static size_t resident_pages(void *base, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t np = len / (size_t)page, n = 0;
	unsigned char *vec = malloc(np);
	assert_non_null(vec);
	assert_int_equal(mincore(base, len, vec), 0);
	for (size_t i = 0; i < np; i++)
		n += vec[i] & 1;
	free(vec);
	return n;
}

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void test_populates_and_keeps_contents(void **state)
{
	(void)state;
	mt_prefault *p = mt_prefault_start();
	if (!p)
		skip(); /* a kernel before 5.14: the loader goes without */
	long page = sysconf(_SC_PAGESIZE);
	size_t len = 16u << 20;
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	/* the first page written: a populate must not clear it */
	memset(m, 0x5a, (size_t)page);
	assert_int_equal(resident_pages(m, len), 1);
	/* unaligned bounds round out to whole pages */
	mt_prefault_want(p, m, 100, len - 100);
	size_t n = 0;
	for (int i = 0; i < 400 && (n = resident_pages(m, len)) <
				       len / (size_t)page; i++)
		nap_ms(5);
	assert_int_equal(n, len / (size_t)page);
	for (long i = 0; i < page; i++)
		assert_int_equal(m[i], 0x5a);
	for (size_t i = (size_t)page; i < len; i += 4096)
		assert_int_equal(m[i], 0);
	mt_prefault_stop(p);
	munmap(m, len);
}

static void test_sync_drops_requests(void **state)
{
	(void)state;
	mt_prefault *p = mt_prefault_start();
	if (!p)
		skip();
	long page = sysconf(_SC_PAGESIZE);
	size_t len = 512u << 20; /* far more than the thread maps before
				    sync: it goes 2 MB at a time */
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(m != MAP_FAILED);
	for (int k = 0; k < 8; k++)
		mt_prefault_want(p, m, (size_t)k * (len / 8),
				 (size_t)(k + 1) * (len / 8));
	mt_prefault_sync(p);
	size_t after_sync = resident_pages(m, len);
	nap_ms(200);
	/* nothing after sync returned */
	assert_int_equal(resident_pages(m, len), after_sync);
	assert_true(after_sync < len / (size_t)page);
	mt_prefault_stop(p);
	munmap(m, len);
	/* NULL is accepted everywhere */
	mt_prefault_want(NULL, m, 0, 10);
	mt_prefault_sync(NULL);
	mt_prefault_stop(NULL);
}

#define NOBJ 3000000u

static void test_load_across_windows(void **state)
{
	(void)state;
	char dir[] = "/tmp/mt_test_prefault.XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/d.mp", dir);
	/* no roots: the dump ids are the node numbers; every tenth node
	 * refers to the one before it */
	uint64_t *sizes = malloc(NOBJ * sizeof *sizes);
	tg_edge *edges = calloc(NOBJ / 10, sizeof *edges);
	uint32_t *map = malloc((NOBJ + 1) * sizeof *map);
	assert_non_null(sizes);
	assert_non_null(edges);
	assert_non_null(map);
	size_t ne = 0;
	for (uint32_t i = 0; i < NOBJ; i++) {
		sizes[i] = 16 + i % 7;
		if (i && i % 10 == 0)
			edges[ne++] = (tg_edge){i, i - 1, 0, 0};
	}
	tg_graph tg = {.n = NOBJ, .sizes = sizes, .edges = edges,
		       .nedges = ne};
	tg_write(path, &tg, map);
	/* under the 16 bytes an object the loader first sizes its arrays
	 * for: they grow (and the prefault thread is synced) on the way */
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_size < 16 * (off_t)NOBJ);
	mt_graph *g = tg_load(path);
	assert_int_equal(mt_graph_count(g), NOBJ + 1);
	for (uint32_t i = 0; i < NOBJ; i++) {
		uint32_t id = map[i], first, n;
		if (mt_graph_size(g, id) != 16 + i % 7 ||
		    mt_graph_type(g, id) != map[NOBJ])
			fail_msg("node %u (object %u) differs", i, id);
		mt_graph_out(g, id, &first, &n);
		if (n != (i && i % 10 == 0) ||
		    (n && mt_graph_edge_target(g, first) != map[i - 1]))
			fail_msg("edges of node %u (object %u) differ", i, id);
	}
	mt_graph_free(g);
	free(sizes);
	free(edges);
	free(map);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_populates_and_keeps_contents),
	    cmocka_unit_test(test_sync_drops_requests),
	    cmocka_unit_test(test_load_across_windows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
