/* Rendering of query values as the text heapy prints (query.h): partition
 * tables by the set's classifier, identity tables, numbers, strings with
 * Python's repr, kinds by their brief form, text as is. */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "memtrack/idtable.h"
#include "memtrack/pyrepr.h"
#include "memtrack/table.h"
#include "qval.h"

static mt_status render_set(mt_query *q, val *v, mt_strbuf *out, mt_err *err)
{
	unsigned flags = (v->page == 0 ? MT_TABLE_TITLE : 0) |
			 (v->all ? MT_TABLE_ALL : 0);
	size_t next = 0;
	mt_status st;
	if (!strcmp(v->er, "id")) {
		st = mt_idtable_format(q->g, v->set, v->page, flags, out, &next,
				       err);
	} else {
		mt_partition *p;
		if ((st = q_partition(q, v, 0, &p, err)))
			return st;
		st = mt_table_format(p, v->page, flags, out, &next, err);
		mt_partition_free(p);
	}
	if (!st)
		v->next = next;
	return st;
}

mt_status q_render(mt_query *q, val *v, mt_strbuf *out, mt_err *err)
{
	mt_status st = MT_OK;
	switch (v->k) {
	case V_NONE:
		st = mt_strbuf_add(out, "None\n", 5);
		break;
	case V_INT:
		st = mt_strbuf_printf(out, "%" PRId64 "\n", v->i);
		break;
	case V_BOOL:
		st = mt_strbuf_printf(out, "%s\n", v->i ? "True" : "False");
		break;
	case V_STR:
		if (!(st = mt_pyrepr_str(out, v->s, v->n)))
			st = mt_strbuf_add(out, "\n", 1);
		break;
	case V_TEXT:
		if (v->pg) {
			st = q_pager_render(v, out, err);
			break;
		}
		st = mt_strbuf_add(out, v->s, v->n);
		if (!st && (v->n == 0 || v->s[v->n - 1] != '\n'))
			st = mt_strbuf_add(out, "\n", 1);
		break;
	case V_SET: /* by the session of its dump */
		st = render_set(q_sess(q, v), v, out, err);
		break;
	case V_KIND:
		if (!(st = q_kind_render(q, v, out, err)))
			st = mt_strbuf_add(out, "\n", 1);
		break;
	case V_HP:
		st = mt_strbuf_add(out, "<hp:", 4);
		for (size_t i = 0; i < q_ndefs && !st; i++)
			if (q_defs[i].on & Q_ON_HP)
				st = mt_strbuf_printf(out, " %s",
						      q_defs[i].name);
		if (!st)
			st = mt_strbuf_add(out, ">\n", 2);
		break;
	case V_METHOD:
		st = mt_strbuf_printf(out, "<method %s>\n", v->def->name);
		break;
	}
	if (st && err && err->code == MT_OK)
		mt_err_set(err, st, MT_NO_OFFSET, MT_NO_OFFSET, NULL);
	return st;
}
