/* Tab completion and help of the query language, both generated from the
 * attribute/method table (table.c) and the classifier table
 * (classifier.h): a row added there is completed and listed here with no
 * change in this file.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/classifier.h"
#include "qval.h"

bool q_name_char(int ch) { return isalnum(ch) || ch == '_'; }

static const char *const names[] = {"h", "hp", "_", "help", NULL};

/* Candidate k of the list for `what` (0 names, 1 after "hp.", 2 after
 * another '.'), written into buf; false past the last. */
static bool candidate(int what, size_t k, char *buf, size_t n)
{
	if (what == 0) {
		if (k >= sizeof names / sizeof names[0] - 1)
			return false;
		snprintf(buf, n, "%s", names[k]);
		return true;
	}
	size_t ncls = 0;
	const mt_classifier_def *const *cls =
	    what == 2 ? mt_classifier_defs(&ncls) : NULL;
	if (k < ncls) {
		snprintf(buf, n, "by%s", cls[k]->name);
		return true;
	}
	k -= ncls;
	unsigned on = what == 1 ? Q_ON_HP : Q_ON_SET | Q_ON_KIND;
	for (size_t i = 0; i < q_ndefs; i++) {
		const q_def *d = &q_defs[i];
		if (!(d->on & on) || k--)
			continue;
		snprintf(buf, n, "%s%s", d->name,
			 d->min_args < 0    ? ""
			 : d->max_args == 0 ? "()"
					    : "(");
		return true;
	}
	return false;
}

char *mt_query_complete(const mt_query *q, const char *line, int i)
{
	size_t len = strlen(line), w = len;
	while (w > 0 && q_name_char((unsigned char)line[w - 1]))
		w--;
	const char *word = line + w;
	size_t wl = len - w;
	bool after_dot = w > 0 && line[w - 1] == '.';
	int what = 0;
	if (after_dot && w >= 3 && !strncmp(line + w - 3, "hp.", 3) &&
	    (w == 3 || !q_name_char((unsigned char)line[w - 4])))
		what = 1;
	else if (after_dot)
		what = 2;
	int seen = 0;
	char buf[80];
	for (size_t k = 0; candidate(what, k, buf, sizeof buf); k++)
		if (!strncmp(buf, word, wl) && seen++ == i)
			return strdup(buf);
	if (what == 0) /* the other dumps' heaps, then the marks */
		for (size_t k = 0; k < q->ndumps; k++)
			if (!strncmp(q->dumps[k].name, word, wl) && seen++ == i)
				return strdup(q->dumps[k].name);
	if (what == 0)
		for (size_t k = 0; k < q->nbind; k++)
			if (!strncmp(q->bind[k].name, word, wl) && seen++ == i)
				return strdup(q->bind[k].name);
	return NULL;
}

/* The rows of `on`, one line each: "  <prefix>name(args)  help". */
static void help_rows(mt_strbuf *out, unsigned on, const char *prefix)
{
	for (size_t i = 0; i < q_ndefs; i++) {
		const q_def *d = &q_defs[i];
		if (!(d->on & on))
			continue;
		char sig[96];
		if (d->min_args < 0)
			snprintf(sig, sizeof sig, "%s%s", prefix, d->name);
		else
			snprintf(sig, sizeof sig, "%s%s(%s)", prefix, d->name,
				 d->args ? d->args : "");
		mt_strbuf_printf(out, "  %-24s %s\n", sig, d->help);
	}
}

mt_status mt_query_help(mt_strbuf *out)
{
	size_t ncls;
	const mt_classifier_def *const *cls = mt_classifier_defs(&ncls);
	mt_strbuf_printf(
	    out, "Names: h (the whole heap), hp (kinds), _ (the last "
		 "result), help (this text), and the marks;\n"
		 "  comparing dumps, h0, h1 (the older dumps' heaps: "
		 "memtrack-tui OLD NEW, h is NEW)\n"
		 "Operators: s & t, s | t, s ^ t, s - t (sets; a kind "
		 "selects: h & hp.Type('dict')), ~s,\n"
		 "  s <= t (subset; s <= K: every member is of kind K), "
		 "s[i] (row i), s[i:j] (rows)\n"
		 "Across dumps (by identity, one process): h - h0 (new "
		 "objects), h0 - h (gone),\n"
		 "  h & h0 (survivors, as h's objects); h.diff(h0) "
		 "(heapy's difference table, any two dumps)\n"
		 "Set views (s.byX: the set shown by classifier X; "
		 "s.by('X&Y') combines):\n");
	for (size_t i = 0; i < ncls; i++) {
		char sig[64];
		snprintf(sig, sizeof sig, "s.by%s", cls[i]->name);
		mt_strbuf_printf(out, "  %-24s %s\n", sig,
				 !strcmp(cls[i]->name, "id")
				     ? "one row per object (identity table)"
				 : cls[i]->help ? cls[i]->help
						: "");
	}
	mt_strbuf_printf(out, "Set attributes and methods:\n");
	help_rows(out, Q_ON_SET, "s.");
	mt_strbuf_printf(out, "Kinds (K):\n");
	help_rows(out, Q_ON_HP, "hp.");
	help_rows(out, Q_ON_KIND, "K.");
	mt_strbuf_printf(out, "More: doc/query.md\n");
	return out->nomem ? MT_NOMEM : MT_OK;
}
