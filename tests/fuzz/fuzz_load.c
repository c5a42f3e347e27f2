/* libFuzzer target: any byte string given to the loader (format reader +
 * graph builder) must give MT_OK or an error value, never a crash, a
 * sanitizer report or a leak.  Built with ./configure --enable-fuzzing
 * CC=clang; run:  tests/fuzz/fuzz_load -max_total_time=60 CORPUS_DIR
 * (seed the corpus with small dumps, e.g. those of tests/unit/mkdump). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "memtrack/graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mt_graph *g = NULL;
	mt_err err;
	if (mt_graph_load_buffer(&g, data, size, NULL, NULL, &err) == MT_OK) {
		/* touch what a browser touches first */
		for (uint32_t i = 0; i < mt_graph_count(g); i++)
			(void)mt_graph_type_label(g, mt_graph_type(g, i));
		mt_graph_free(g);
	}
	return 0;
}
