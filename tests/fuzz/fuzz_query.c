/* libFuzzer target: the query language (src/query) on arbitrary text.
 *
 * The input is up to 8 expressions, one per line, evaluated in order in one
 * fresh session over a small fixed heap (the "demo" fixture of
 * tests/unit/fixture.c, written and loaded once), so `_`, `.more` and the
 * classifier cache carry from one line to the next as in the browser's
 * prompt.  Each line also goes through tab completion, and a failing one
 * through the error text with its caret; the last one through
 * mt_query_eval as the browser calls it.  Any result or error value is
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
#include "memtrack/graph.h"
#include "memtrack/query.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mt_graph *g;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[64];
	mt_err err;
	snprintf(path, sizeof path, "/tmp/mt_fuzz_query.%ld.mp",
		 (long)getpid());
	if (fx_write_canned("demo", path, &err) != MT_OK ||
	    mt_graph_load(&g, path, NULL, NULL, &err) != MT_OK) {
		fprintf(stderr, "fuzz_query: cannot make the fixed heap: %s\n",
			err.detail);
		abort();
	}
	unlink(path);
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
	mt_ctx *ctx = NULL;
	mt_query *q = NULL;
	mt_err err;
	if (mt_ctx_new(&ctx, g, &err) != MT_OK ||
	    mt_query_new(&q, ctx, &err) != MT_OK) {
		mt_ctx_free(ctx);
		free(text);
		return 0;
	}
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
		if (r.kind == MT_QRESULT_SET)
			(void)mt_query_bind_last(q, "m", &err);
		mt_qresult_destroy(&r);
	}
	mt_strbuf_destroy(&out);
	mt_query_free(q);
	mt_ctx_free(ctx);
	free(text);
	return 0;
}
