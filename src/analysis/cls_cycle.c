/* Classifier row CYCLE (classifier.h): the reference cycle (strongly
 * connected component, scc.h) an object is in.  The cycles are the
 * context's (mt_ctx_cycles), computed once per dump whoever asks, and
 * shared by reference.  Keys: the cycle number, MT_CLS_NONE for none. */
#include "config.h"

#include "clspriv.h"
#include "memtrack/classifier.h"

struct cycle_state {
	struct mt_cycles *cy;
};

static mt_status cycle_prepare(mt_classifier *c, mt_err *err)
{
	struct cycle_state *s = mt_classifier_state(c);
	return mt_ctx_cycles_ref_(mt_classifier_ctx(c), &s->cy, err);
}

static void cycle_release(mt_classifier *c)
{
	struct cycle_state *s = mt_classifier_state(c);
	mt_cycles_unref_(s->cy);
}

static mt_status cycle_classify(mt_classifier *c, uint32_t id, uint64_t *key,
				mt_err *err)
{
	const struct cycle_state *s = mt_classifier_state(c);
	(void)err;
	*key = s->cy->comp[id];
	return MT_OK;
}

static const char *cycle_label(mt_classifier *c, uint64_t key, uint32_t id,
			       mt_strbuf *b)
{
	const struct cycle_state *s = mt_classifier_state(c);
	(void)id;
	if (key == MT_CLS_NONE)
		return "<no cycle>";
	mt_strbuf_printf(b, "cycle #%llu (%u object%s)",
			 (unsigned long long)key, s->cy->sizes[key],
			 s->cy->sizes[key] == 1 ? "" : "s");
	return NULL;
}

static int64_t cycle_value(const mt_classifier *c, uint64_t key)
{
	(void)c;
	return key == MT_CLS_NONE ? -1 : (int64_t)key;
}

const mt_classifier_def mt_classifier_def_cycle = {
    .name = "cycle",
    .header = "Reference cycle",
    .key = 'y',
    .help = "reference cycle (strongly connected component)",
    .flags = MT_CLS_SLOW,
    .by = MT_CLASSIFY_CYCLE,
    .state_size = sizeof(struct cycle_state),
    .prepare = cycle_prepare,
    .release = cycle_release,
    .classify = cycle_classify,
    .label = cycle_label,
    .value = cycle_value,
};
