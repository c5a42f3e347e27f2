/* The classifier table (include/memtrack/classifier.h): the built-in rows
 * of classifiers.def, then the rows of plugins/classifiers.def. */
#include "config.h"

#include <strings.h>

#include "memtrack/classifier.h"

#define MT_CLASSIFIER(name) extern const mt_classifier_def mt_classifier_def_##name;
#include "classifiers.def"
#include "../../plugins/classifiers.def"
#undef MT_CLASSIFIER

static const mt_classifier_def *const table[] = {
#define MT_CLASSIFIER(name) &mt_classifier_def_##name,
#include "classifiers.def"
#include "../../plugins/classifiers.def"
#undef MT_CLASSIFIER
};

const mt_classifier_def *const *mt_classifier_defs(size_t *n)
{
	*n = sizeof table / sizeof table[0];
	return table;
}

const mt_classifier_def *mt_classifier_def_find(const char *name)
{
	size_t i;
	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		if (!strcasecmp(name, table[i]->name) ||
		    (table[i]->alias && !strcasecmp(name, table[i]->alias)))
			return table[i];
	return NULL;
}
