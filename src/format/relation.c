/* The relation table of dump.h: names and label kinds by code. */
#include "config.h"

#include "memtrack/dump.h"

const char *mt_relation_name(unsigned code)
{
	switch (code) {
#define MT_REL_NAME_(name, c, str, lk)                                         \
	case c:                                                                \
		return str;
		MT_RELATION_LIST(MT_REL_NAME_)
#undef MT_REL_NAME_
	}
	return NULL;
}

int mt_relation_label_kind(unsigned code)
{
	switch (code) {
#define MT_REL_LK_(name, c, str, lk)                                           \
	case c:                                                                \
		return lk;
		MT_RELATION_LIST(MT_REL_LK_)
#undef MT_REL_LK_
	}
	return -1;
}
