/* The key M: focus on the program's objects.
 *
 * M opens the current view's set restricted to what the program owns
 * (`expr.mine`, hp.Mine: doc/analysis.md "My objects"), shown by the same
 * classifier, as a view of its own; M on a view M opened goes back to the
 * whole set.  Like the filter (\), it acts on the whole view, not on the
 * row under the cursor.  The rule needs the dominator tree, which the
 * Retained column shares (its progress, its cancel).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bpriv.h"

static const char crumb_mine[] = "mine";

void bk_mine(mt_browser *b, bview *v, int arg)
{
	(void)arg;
	if (v->ops->follow && !(v->crumb && !strcmp(v->crumb, crumb_mine))) {
		v->ops->follow(b, v, "mine"); /* both sides */
		return;
	}
	if (!v->set || !v->res.kind) {
		b->ui->beep(b->ui);
		return;
	}
	if (v->crumb && !strcmp(v->crumb, crumb_mine) && b->depth > 1) {
		bv_free(b->stack[--b->depth]); /* M again: the whole set */
		return;
	}
	mt_err err;
	mt_err_clear(&err);
	mt_qresult r;
	mt_status st = mt_query_attr(b->q, &v->res, "mine", &r, &err);
	if (st != MT_OK) {
		bv_err(b, "mine", &err);
		return;
	}
	char n[MT_FMT_COUNT_MAX], all[MT_FMT_COUNT_MAX];
	mt_fmt_count(n, sizeof n, mt_set_count(r.set));
	mt_fmt_count(all, sizeof all, mt_set_count(v->set));
	st = bv_open_set(b, &r, NULL, crumb_mine, false, &err);
	mt_qresult_destroy(&r);
	if (st != MT_OK) {
		bv_err(b, NULL, &err);
		return;
	}
	char *m = bv_printf("the program's objects: %s of %s (M again: all)",
			    n, all);
	bv_msg(b, false, m);
	free(m);
}
