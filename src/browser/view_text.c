/* Text views: lines of text (query results that are not sets, shortest
 * paths) and the help, whose text the key table writes (keys.c,
 * bk_help_text) so it lists every key there is.  Tabs become spaces.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpriv.h"

static void text_columns(mt_browser *b, bview *v, mt_strbuf *out, int sort,
			 int *hs, int *hl)
{
	(void)b;
	(void)sort;
	mt_strbuf_printf(out, "%s", v->title ? v->title : "");
	*hs = *hl = 0;
}

static void text_row(mt_browser *b, bview *v, brow *r, mt_strbuf *out)
{
	mt_strbuf_printf(out, "%s", bv_label(b, v, r));
}

static bool text_enter(mt_browser *b, bview *v, brow *r)
{
	(void)b;
	(void)v;
	(void)r;
	return false;
}

static const view_ops text_ops = {
	.name = "text",
	.columns = text_columns,
	.row = text_row,
	.enter = text_enter,
};

static const view_ops help_ops = {
	.name = "help",
	.caps = BV_KEYS,
	.columns = text_columns,
	.row = text_row,
	.enter = text_enter,
};

static mt_status open_lines(mt_browser *b, const view_ops *ops,
			    const char *text, const char *title,
			    const char *expr, const char *crumb, mt_err *err)
{
	bview *v = bv_new(ops, NULL, expr, crumb);
	v->title = mt_xstrdup(title);
	size_t cap = 0;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		brow *r = bv_add_row(v, &cap);
		r->label = mt_xmalloc(len + 1);
		memcpy(r->label, p, len);
		r->label[len] = '\0';
		/* tabs become spaces: the screen has no tab stops */
		for (char *c = r->label; *c; c++)
			if (*c == '\t')
				*c = ' ';
		p += len + (nl ? 1 : 0);
	}
	v->sort = SORT_NATURAL;
	bv_push(b, v);
	return bv_refresh(b, v, err);
}

mt_status bv_open_text(mt_browser *b, const char *text, const char *title,
		       const char *expr, const char *crumb, mt_err *err)
{
	return open_lines(b, &text_ops, text, title, expr, crumb, err);
}

mt_status bv_open_help(mt_browser *b, mt_err *err)
{
	char *text = bk_help_text();
	mt_status st =
	    open_lines(b, &help_ops, text, "Keys", "help", "help", err);
	free(text);
	return st;
}
