/* libFuzzer target: the query language (src/query) on arbitrary text.
 *
 * The input is up to 8 expressions, one per line, evaluated in order in one
 * fresh session over a small fixed heap (the "demo" fixture of
 * tests/unit/fixture.c, written and loaded once), so `_`, `.more` and the
 * classifier cache carry from one line to the next as in the browser's
 * prompt.  Each line also goes through tab completion, and a failing one
 * through the error text with its caret; the last one through
 * mt_query_eval as the browser calls it.  The session compares dumps
 * as memtrack-tui A B C does (doc/query.md, "Comparing dumps"): `h` is the
 * fixture's "cmp-c", `h0` "cmp-old" (the demo heap) and `h1` "cmp-new",
 * later dumps of one process, with identity between h0 and h (h1 - h0 and
 * hp.Leaks make the other matches), so sets of three dumps mix in every
 * operator.  Any result or error value is
 * fine; a crash, a sanitizer report or a leak is a finding.  Built by
 * ./configure --enable-fuzzing CC=clang; tests/fuzz/run.sh runs it.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "memtrack/ctx.h"
#include "memtrack/diff.h"
#include "memtrack/graph.h"
#include "memtrack/query.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* h (cmp-c), h0 (cmp-old), h1 (cmp-new); h0 matched to h */
static const char *const heaps[3] = {"cmp-c", "cmp-old", "cmp-new"};
static mt_graph *g[3];
static mt_match *m0;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[64];
	mt_err err;
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "/tmp/mt_fuzz_query.%ld.mp",
			 (long)getpid());
		if (fx_write_canned(heaps[i], path, &err) != MT_OK ||
		    mt_graph_load(&g[i], path, NULL, NULL, &err) != MT_OK) {
			fprintf(stderr,
				"fuzz_query: cannot make the fixed heap: %s\n",
				err.detail);
			abort();
		}
		unlink(path);
	}
	if (mt_match_new(&m0, g[1], g[0], &err) != MT_OK) {
		fprintf(stderr, "fuzz_query: no identity: %s\n", err.detail);
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	mt_ctx *ctx[3] = {NULL, NULL, NULL};
	mt_query *qs[3] = {NULL, NULL, NULL}, *q;
	mt_err err;
	for (int i = 0; i < 3; i++)
		if (mt_ctx_new(&ctx[i], g[i], &err) != MT_OK ||
		    mt_query_new(&qs[i], ctx[i], &err) != MT_OK)
			goto done;
	q = qs[0];
	if (mt_query_add_dump(q, "h0", qs[1], m0, &err) != MT_OK ||
	    mt_query_add_dump(q, "h1", qs[2], NULL, &err) != MT_OK)
		goto done;
	mt_strbuf out;
	mt_strbuf_init(&out);
	char *line = text, *last = text;
	for (int n = 0; line && n < 8; n++) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		last = line;
		mt_strbuf_reset(&out);
		mt_err_clear(&err);
		if (mt_query_run(q, line, &out, &err) != MT_OK)
			mt_query_error_text(line, &err, &out);
		for (int i = 0; i < 4; i++) {
			char *c = mt_query_complete(q, line, i);
			if (!c)
				break;
			free(c);
		}
		line = nl ? nl + 1 : NULL;
	}
	mt_qresult r;
	if (mt_query_eval(q, last, &r, &err) == MT_OK) {
		if (r.kind == MT_QRESULT_SET) {
			(void)mt_query_bind_last(q, "m", &err);
			/* a front end deriving from it (the set may be of h0
			 * or h1: the result says) */
			mt_qresult d;
			if (mt_query_by(q, &r, "rcs", &d, &err) == MT_OK)
				mt_qresult_destroy(&d);
			if (mt_query_attr(q, &r, "referrers", &d, &err) ==
			    MT_OK)
				mt_qresult_destroy(&d);
		}
		mt_qresult_destroy(&r);
	}
	mt_strbuf_destroy(&out);
done:
	for (int i = 0; i < 3; i++) /* h's session first: it names the others */
		mt_query_free(qs[i]);
	for (int i = 0; i < 3; i++)
		mt_ctx_free(ctx[i]);
	free(text);
	return 0;
}
