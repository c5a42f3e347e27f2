/* Reference cycles (include/memtrack/scc.h): Tarjan's algorithm with an
 * explicit call stack of (object, next out-edge) frames, so that a list of
 * millions of nodes cannot overflow the C stack. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>

#include "memtrack/scc.h"

struct frame {
	uint32_t v, next, end;
};

struct cyc {
	uint32_t size, minid, old;
};

static int cmp_cyc(const void *a, const void *b)
{
	const struct cyc *x = a, *y = b;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return (x->minid > y->minid) - (x->minid < y->minid);
}

/* Numbers the cycles by descending size, then smallest id: comp[v] (a
 * discovery number, or UINT32_MAX - 1 for no cycle) becomes the cycle's
 * number or MT_NO_ID.  Returns the new array of the cycles' sizes, NULL
 * when out of memory (comp untouched). */
static uint32_t *renumber(uint32_t *comp, uint32_t n, struct cyc *cyc,
			  uint32_t ncyc)
{
	uint32_t *remap = malloc((ncyc ? ncyc : 1) * sizeof *remap);
	uint32_t *sizes = malloc((ncyc ? ncyc : 1) * sizeof *sizes), i;
	if (!remap || !sizes) {
		free(remap);
		free(sizes);
		return NULL;
	}
	if (ncyc > 1) /* qsort(NULL, 0) is undefined */
		qsort(cyc, ncyc, sizeof *cyc, cmp_cyc);
	for (i = 0; i < ncyc; i++) {
		remap[cyc[i].old] = i;
		sizes[i] = cyc[i].size;
	}
	for (i = 0; i < n; i++)
		comp[i] = comp[i] == UINT32_MAX - 1 ? MT_NO_ID : remap[comp[i]];
	free(remap);
	return sizes;
}

mt_status mt_scc_cycles(const mt_graph *g, uint32_t **comp_out,
			uint32_t **sizes_out, uint32_t *ncycles, mt_err *err)
{
	return mt_scc_cycles_progress(g, NULL, NULL, comp_out, sizes_out,
				      ncycles, err);
}

mt_status mt_scc_cycles_progress(const mt_graph *g, mt_progress_fn cb,
				 void *cbdata, uint32_t **comp_out,
				 uint32_t **sizes_out, uint32_t *ncycles,
				 mt_err *err)
{
	uint32_t n = mt_graph_count(g), counter = 0, sp = 0, fp = 0, ncyc = 0;
	uint32_t next_report = 0;
	bool cancelled = true; /* until a goto nomem */
	uint32_t *index = malloc((n ? n : 1) * sizeof *index);
	uint32_t *low = malloc((n ? n : 1) * sizeof *low);
	uint32_t *stack = malloc((n ? n : 1) * sizeof *stack);
	struct frame *fr = malloc((n ? n : 1) * sizeof *fr);
	struct cyc *cyc = NULL;
	uint32_t cyccap = 0, *sizes = NULL, r, i;
	const uint32_t UNSEEN = UINT32_MAX;

	*comp_out = NULL;
	*sizes_out = NULL;
	*ncycles = 0;
	if (!index || !low || !stack || !fr)
		goto nomem;
	for (i = 0; i < n; i++)
		index[i] = UNSEEN;
	/* low[] doubles as the on-stack flag: an object popped into a
	 * component gets low = UNSEEN - 1 ("done"), and its final cycle
	 * number is written into index[] afterwards. */
	for (r = 0; r < n; r++) {
		uint32_t first, cnt;
		if (index[r] != UNSEEN)
			continue;
		index[r] = low[r] = counter++;
		stack[sp++] = r;
		mt_graph_out(g, r, &first, &cnt);
		fr[fp++] = (struct frame){r, first, first + cnt};
		while (fp) {
			struct frame *f = &fr[fp - 1];
			uint32_t v = f->v;
			if (cb && counter >= next_report) {
				next_report = counter + (1u << 16);
				if (cb(cbdata, counter, n))
					goto cancel;
			}
			if (f->next < f->end) {
				uint32_t w = mt_graph_edge_target(g, f->next++);
				if (index[w] == UNSEEN) {
					index[w] = low[w] = counter++;
					stack[sp++] = w;
					mt_graph_out(g, w, &first, &cnt);
					fr[fp++] = (struct frame){w, first,
								  first + cnt};
				} else if (low[w] != UNSEEN - 1 &&
					   index[w] < low[v]) {
					low[v] = index[w];
				}
				continue;
			}
			fp--;
			if (fp && low[v] < low[fr[fp - 1].v])
				low[fr[fp - 1].v] = low[v];
			if (low[v] == index[v]) {
				uint32_t size = 0, minid = v, w;
				bool cyclic;
				size_t k = sp;
				do {
					w = stack[--k];
					size++;
					if (w < minid)
						minid = w;
				} while (w != v);
				cyclic = size > 1;
				if (!cyclic) {
					uint32_t e;
					mt_graph_out(g, v, &first, &cnt);
					for (e = first; e < first + cnt; e++)
						cyclic |=
						    mt_graph_edge_target(g, e) == v;
				}
				if (cyclic && ncyc == cyccap) {
					uint32_t nc = cyccap ? cyccap * 2 : 64;
					struct cyc *p =
					    realloc(cyc, nc * sizeof *p);
					if (!p)
						goto nomem;
					cyc = p;
					cyccap = nc;
				}
				if (cyclic)
					cyc[ncyc] = (struct cyc){size, minid,
								 ncyc};
				while (sp > k) {
					w = stack[--sp];
					low[w] = UNSEEN - 1;
					/* index[] now holds the component */
					index[w] = cyclic ? ncyc : UNSEEN - 1;
				}
				ncyc += cyclic;
			}
		}
	}
	/* index[v] is a cycle's discovery number or UNSEEN - 1: renumber. */
	free(low);
	low = NULL;
	free(stack);
	stack = NULL;
	free(fr);
	fr = NULL;
	if (!(sizes = renumber(index, n, cyc, ncyc)))
		goto nomem;
	free(cyc);
	*comp_out = index;
	*sizes_out = sizes;
	*ncycles = ncyc;
	return MT_OK;
nomem:
	cancelled = false;
cancel:
	free(index);
	free(low);
	free(stack);
	free(fr);
	free(cyc);
	if (cancelled)
		return mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
				  MT_NO_OFFSET, "reference cycles");
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
			  "reference cycles of %u objects", n);
}
