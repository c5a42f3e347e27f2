/* Classifier row PROD (classifier.h): heapy's Prod, the producer of an
 * object, i.e. the line that allocated it: the innermost frame of its
 * block's tracemalloc traceback, which the capture records when the
 * program runs with tracemalloc (the dump's SITES record, graph.h
 * mt_graph_site).  Keys: the site number; 0 for an object without a known
 * site (allocated before tracemalloc started, static, or virtual), labelled
 * `unknown` as heapy does; NO_SITES for every object of a dump without
 * sites, labelled with the reason. */
#include "config.h"

#include "memtrack/classifier.h"

#define NO_SITES UINT64_MAX

static mt_status prod_classify(mt_classifier *c, uint32_t id, uint64_t *key,
			       mt_err *err)
{
	const mt_graph *g = mt_classifier_graph(c);
	(void)err;
	*key = mt_graph_has_sites(g) ? mt_graph_site(g, id) : NO_SITES;
	return MT_OK;
}

static const char *prod_label(mt_classifier *c, uint64_t key, uint32_t id,
			      mt_strbuf *b)
{
	uint32_t line;
	(void)id;
	if (key == NO_SITES)
		return "<no allocation sites: the program did not run with "
		       "tracemalloc>";
	const char *file =
	    mt_graph_site_file(mt_classifier_graph(c), (uint32_t)key, &line);
	if (!file)
		return "unknown";
	mt_strbuf_printf(b, "%s:%u", file, line);
	return NULL;
}

const mt_classifier_def mt_classifier_def_prod = {
    .name = "prod",
    .header = "Producer (line of allocation)",
    .key = 'p',
    .help = "producer: the file:line that allocated the object "
	    "(tracemalloc)",
    .by = MT_CLASSIFY_OTHER,
    .classify = prod_classify,
    .label = prod_label,
};
