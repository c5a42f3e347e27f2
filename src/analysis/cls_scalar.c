/* Classifier rows by a number of the object: SIZE, ID, IDSET, UNITY
 * (classifier.h).  The key is the number itself: the size, the object id,
 * 0 for UNITY. */
#include "config.h"

#include "clspriv.h"
#include "memtrack/classifier.h"
#include "memtrack/ctx.h"
#include "memtrack/pyrepr.h"

static int64_t key_value(const mt_classifier *c, uint64_t key)
{
	(void)c;
	return (int64_t)key;
}

/* ---- SIZE ---- */

static mt_status size_classify(mt_classifier *c, uint32_t id, uint64_t *key,
			       mt_err *err)
{
	(void)err;
	*key = mt_graph_size(mt_classifier_graph(c), id);
	return MT_OK;
}

static const char *size_label(mt_classifier *c, uint64_t key, uint32_t id,
			      mt_strbuf *b)
{
	(void)c;
	(void)id;
	mt_strbuf_printf(b, "%9llu", (unsigned long long)key);
	return NULL;
}

/* Inside a combination the size is not padded: `list & 64`. */
static void size_and_label(const mt_classifier *c, uint64_t key,
			   const char *label, mt_strbuf *b)
{
	(void)c;
	(void)label;
	mt_strbuf_printf(b, "%llu", (unsigned long long)key);
}

const mt_classifier_def mt_classifier_def_size = {
    .name = "size",
    .alias = "indisize",
    .header = "Individual Size",
    .key = 'z',
    .help = "individual size in bytes",
    .by = MT_CLASSIFY_SIZE,
    .classify = size_classify,
    .label = size_label,
    .and_label = size_and_label,
    .value = key_value,
};

/* ---- ID, IDSET ---- */

static mt_status id_classify(mt_classifier *c, uint32_t id, uint64_t *key,
			     mt_err *err)
{
	(void)c;
	(void)err;
	*key = id;
	return MT_OK;
}

static const char *id_label(mt_classifier *c, uint64_t key, uint32_t id,
			    mt_strbuf *b)
{
	(void)key;
	mt_pyrepr_limited(mt_classifier_graph(c), id, b);
	return NULL;
}

const mt_classifier_def mt_classifier_def_id = {
    .name = "id",
    .header = "Identity",
    .key = 'i',
    .help = "identity: one row per object",
    .by = MT_CLASSIFY_ID,
    .classify = id_classify,
    .label = id_label,
    .value = key_value,
};

struct idset_state {
	mt_classifier *clodo;
};

static mt_status idset_prepare(mt_classifier *c, mt_err *err)
{
	struct idset_state *s = mt_classifier_state(c);
	return mt_ctx_classifier(mt_classifier_ctx(c), "clodo", &s->clodo,
				 err);
}

static void idset_release(mt_classifier *c)
{
	struct idset_state *s = mt_classifier_state(c);
	mt_classifier_unref(s->clodo);
}

/* `<1 list: 0x7f..*1>` */
static const char *idset_label(mt_classifier *c, uint64_t key, uint32_t id,
			       mt_strbuf *b)
{
	struct idset_state *s = mt_classifier_state(c);
	uint32_t k;
	mt_err e;
	(void)key;
	if (mt_classifier_classify(s->clodo, id, &k, &e) != MT_OK) {
		b->nomem = true;
		return NULL;
	}
	mt_strbuf_printf(b, "<1 %s: ", mt_classifier_label(s->clodo, k));
	mt_pyrepr_limited(mt_classifier_graph(c), id, b);
	mt_strbuf_addc(b, '>', 1);
	return NULL;
}

const mt_classifier_def mt_classifier_def_idset = {
    .name = "idset",
    .header = "by identity set",
    .help = "identity set: one row per object, with its kind",
    .by = MT_CLASSIFY_IDSET,
    .state_size = sizeof(struct idset_state),
    .prepare = idset_prepare,
    .release = idset_release,
    .classify = id_classify,
    .label = idset_label,
    .value = key_value,
};

/* ---- UNITY ---- */

static mt_status unity_classify(mt_classifier *c, uint32_t id, uint64_t *key,
				mt_err *err)
{
	(void)c;
	(void)id;
	(void)err;
	*key = 0;
	return MT_OK;
}

static const char *unity_label(mt_classifier *c, uint64_t key, uint32_t id,
			       mt_strbuf *b)
{
	(void)c;
	(void)key;
	(void)id;
	(void)b;
	return "<Anything>";
}

const mt_classifier_def mt_classifier_def_unity = {
    .name = "unity",
    .header = "<unclassified>",
    .help = "everything in one row",
    .by = MT_CLASSIFY_UNITY,
    .classify = unity_classify,
    .label = unity_label,
};
