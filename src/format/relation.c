/* The relation table of dump.h (MT_RELATION_LIST) as rows indexed by
 * code: name, label kind, path order and text template. */
#include "config.h"

#include <stddef.h>

#include "memtrack/dump.h"

typedef struct rel_row {
	const char *name;
	int label_kind;
	int order;
	const char *text;
} rel_row;

/* The codes are dense: 1..MT_REL_MAX_, one per row. */
#define MT_REL_CHECK_(id, c, ...)                                              \
	_Static_assert((c) >= 1 && (c) <= MT_REL_MAX_,                         \
		       "relation codes are 1..MT_REL_MAX_, one per row");
MT_RELATION_LIST(MT_REL_CHECK_)
#undef MT_REL_CHECK_

static const rel_row rows[MT_REL_MAX_ + 1] = {
#define MT_REL_ROW_(id, c, str, lk, ord, txt) [c] = {str, lk, ord, txt},
    MT_RELATION_LIST(MT_REL_ROW_)
#undef MT_REL_ROW_
};

static const rel_row *row(unsigned code)
{
	return code <= MT_REL_MAX_ && rows[code].name ? &rows[code] : NULL;
}

const char *mt_relation_name(unsigned code)
{
	const rel_row *r = row(code);
	return r ? r->name : NULL;
}

int mt_relation_label_kind(unsigned code)
{
	const rel_row *r = row(code);
	return r ? r->label_kind : -1;
}

int mt_relation_order(unsigned code)
{
	const rel_row *r = row(code);
	return r ? r->order : -1;
}

const char *mt_relation_text(unsigned code)
{
	const rel_row *r = row(code);
	return r ? r->text : NULL;
}
