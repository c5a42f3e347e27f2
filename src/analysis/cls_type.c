/* Classifier rows by type: CLODO, TYPE, MODULE (classifier.h).
 *
 * CLODO/TYPE keys: (tag << 32) | type id, tag TYPE, DICTOF (an exact dict
 * whose owner has that type) or NOOWNER; so kinds follow heapy's identity
 * of type objects: two distinct types that print the same stay two kinds.
 * MODULE keys: the module object's id, MT_CLS_NONE for other objects.
 */
#include "config.h"

#include <string.h>

#include "clspriv.h"
#include "memtrack/classifier.h"
#include "memtrack/pyrepr.h"

enum { TAG_TYPE = 0, TAG_DICTOF = 1, TAG_NOOWNER = 2 };

struct type_state {
	uint32_t dict_type;
};

static mt_status type_prepare(mt_classifier *c, mt_err *err)
{
	struct type_state *s = mt_classifier_state(c);
	(void)err;
	s->dict_type = mt_graph_dict_type(mt_classifier_graph(c));
	return MT_OK;
}

static mt_status type_classify(mt_classifier *c, uint32_t id, uint64_t *key,
			       mt_err *err)
{
	(void)err;
	*key = mt_graph_type(mt_classifier_graph(c), id);
	return MT_OK;
}

static void type_keys32(mt_classifier *c, uint32_t from, uint32_t count,
			uint32_t *keys)
{
	mt_graph_types(mt_classifier_graph(c), from, count, keys);
}

static mt_status clodo_classify(mt_classifier *c, uint32_t id, uint64_t *key,
				mt_err *err)
{
	const struct type_state *s = mt_classifier_state(c);
	const mt_graph *g = mt_classifier_graph(c);
	uint32_t t = mt_graph_type(g, id);
	(void)err;
	*key = t;
	if (t == s->dict_type) {
		uint32_t owner = mt_graph_dict_owner(g, id);
		*key = owner == MT_NO_ID ? (uint64_t)TAG_NOOWNER << 32
					 : ((uint64_t)TAG_DICTOF << 32 |
					    mt_graph_type(g, owner));
	}
	return MT_OK;
}

static const char *type_label(mt_classifier *c, uint64_t key, uint32_t id,
			      mt_strbuf *b)
{
	const char *tl = mt_graph_type_label(mt_classifier_graph(c),
					     (uint32_t)key);
	(void)id;
	switch (key >> 32) {
	case TAG_DICTOF:
		mt_strbuf_printf(b, "dict of %s", tl);
		return NULL;
	case TAG_NOOWNER:
		return "dict (no owner)";
	default:
		mt_strbuf_add(b, tl, strlen(tl));
		return NULL;
	}
}

const mt_classifier_def mt_classifier_def_clodo = {
    .name = "clodo",
    .header = "Kind (class / dict of class)",
    .key = 'c',
    .help = "class, or dict of its owner's class",
    .by = MT_CLASSIFY_CLODO,
    .state_size = sizeof(struct type_state),
    .prepare = type_prepare,
    .classify = clodo_classify,
    .label = type_label,
};

const mt_classifier_def mt_classifier_def_type = {
    .name = "type",
    .header = "Type",
    .key = 't',
    .help = "type",
    .by = MT_CLASSIFY_TYPE,
    .classify = type_classify,
    .label = type_label,
    .keys32 = type_keys32,
};

/* ---- MODULE ---- */

static mt_status module_classify(mt_classifier *c, uint32_t id, uint64_t *key,
				 mt_err *err)
{
	const mt_graph *g = mt_classifier_graph(c);
	mt_value v;
	(void)err;
	mt_graph_value(g, id, &v);
	*key = v.kind == MT_VAL_STR &&
		       mt_pyrepr_type_is(g, mt_graph_type(g, id), "module")
		   ? id
		   : MT_CLS_NONE;
	return MT_OK;
}

static const char *module_label(mt_classifier *c, uint64_t key, uint32_t id,
				mt_strbuf *b)
{
	mt_value v;
	(void)id;
	if (key == MT_CLS_NONE)
		return "~module";
	mt_graph_value(mt_classifier_graph(c), (uint32_t)key, &v);
	mt_strbuf_add(b, v.s, v.slen);
	return NULL;
}

static int64_t module_value(const mt_classifier *c, uint64_t key)
{
	(void)c;
	return key == MT_CLS_NONE ? -1 : (int64_t)key;
}

const mt_classifier_def mt_classifier_def_module = {
    .name = "module",
    .header = "Module",
    .key = 'o',
    .help = "module name; other objects are ~module",
    .by = MT_CLASSIFY_MODULE,
    .classify = module_classify,
    .label = module_label,
    .value = module_value,
};
