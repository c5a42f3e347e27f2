/* Test utility: writes an arbitrary directed graph as a real dump.
 *
 * Nodes 0..n-1 with sizes; edges (src, dst, rel, label) in any order; root
 * edges to some nodes.  Dumps need ids in the order the relative reference
 * encoding introduces them, so nodes are renumbered breadth-first from the
 * roots (then the unreached nodes in ascending order); map[orig] gives the
 * dump id.  All nodes share one type object (an extra node) labelled
 * builtins.object unless a node's type is set in `types` (a node index or
 * -1).  Used by the analysis tests to build graphs for oracles. */
#ifndef MT_TEST_GRAPHGEN_H
#define MT_TEST_GRAPHGEN_H

#include <stddef.h>
#include <stdint.h>

typedef struct tg_edge {
	uint32_t src, dst;
	uint8_t rel;    /* 0 = MT_REL_INDEX */
	uint64_t label; /* int label; for KEYVAL the node index of the key */
} tg_edge;

typedef struct tg_graph {
	uint32_t n;
	const uint64_t *sizes; /* n entries, NULL = 16 each */
	const tg_edge *edges;
	size_t nedges;
	const uint32_t *roots; /* node indices */
	size_t nroots;
	/* optional per-node values: QUALNAME [module, name] marks a type */
	const char *const *qualname_module; /* n entries or NULL */
	const char *const *qualname_name;
	const int32_t *types; /* n entries or NULL: node index of the type */
	const char *const *str_values; /* n entries or NULL */
	/* extra names: name index 0 is "i0_modules" (root edges), then
	 * attr_names[0] is index 1, ... (labels of ATTR/LOCAL... edges) */
	const char *const *attr_names;
	size_t nattr_names;
} tg_graph;

/* Writes g to path; map (n+1 entries, may be NULL) receives the dump ids,
 * map[n] being the shared type object's.  Fails the test on error. */
void tg_write(const char *path, const tg_graph *g, uint32_t *map);

/* A set of the given ids (fails the test on error); caller unrefs. */
struct mt_set;
struct mt_set *tg_set(const uint32_t *ids, size_t n);

/* Loads the dump at path (fails the test on error); caller frees. */
struct mt_graph;
struct mt_graph *tg_load(const char *path);

/* The virtual root's children as dominator.h defines them, for oracles:
 * child[v] = 1 for every root-edge target and, for what they do not reach,
 * the smallest unreached id, repeatedly (child has count(g) bytes). */
void tg_vroot_children(const struct mt_graph *g, uint8_t *child);

/* The random graphs of the analysis oracles: `count` graphs of 1..maxn
 * nodes with sizes 1..1000, about n*density/4 random edges, with `chains`
 * a chain 0->1->... with gaps plus back edges (cycles, deep paths), 1-3
 * roots.  Each is written to path, loaded, and given to check(g, seed,
 * data), which may draw more numbers from *seed. */
void tg_for_random_graphs(unsigned seed, int count, uint32_t maxn,
			  unsigned density, int chains, const char *path,
			  void (*check)(struct mt_graph *g, unsigned *seed,
					void *data),
			  void *data);

#endif
