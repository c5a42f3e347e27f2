/* memtrack-tui's --batch and --html on series files (series.h): sniffs
 * the command line's files, loads the logs and tracker stats, and writes
 * their text summaries or the HTML report.  Like headless.c it writes only
 * to the FILEs its caller (main.c) gives. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "browser.h"
#include "series_main.h"

#include "memtrack/series.h"
#include "memtrack/strbuf.h"
#include "memtrack/util.h"

/* s[0..n) to f through mt_browser_escape (keep: characters left as they
 * are); 0, or -1 on a write error. */
static int put(FILE *f, const char *s, size_t n, const char *keep)
{
	mt_strbuf b;
	mt_strbuf_init(&b);
	int rc = mt_browser_escape(&b, s, n, keep) != MT_OK ? -1 : 0;
	if (!rc && b.len && fwrite(b.s, 1, b.len, f) != b.len)
		rc = -1;
	mt_strbuf_destroy(&b);
	return rc;
}

static void puts_to(FILE *f, const char *s) { fwrite(s, 1, strlen(s), f); }

/* "memtrack-tui: PATH: TEXT\n" on c->err; returns 1. */
static int fail(const series_cli *c, const char *path, const char *text)
{
	puts_to(c->err, c->progname);
	puts_to(c->err, ": ");
	if (path) {
		put(c->err, path, strlen(path), "");
		puts_to(c->err, ": ");
	}
	put(c->err, text, strlen(text), "");
	puts_to(c->err, "\n");
	return 1;
}

static int fail_err(const series_cli *c, const char *path, const mt_err *err)
{
	char buf[512];
	mt_err_format(err, buf, sizeof buf);
	return fail(c, path, buf);
}

/* A warning of a loaded series ("line 9: incomplete last line ignored")
 * as "memtrack-tui: PATH: warning: ..." */
static void warn(const series_cli *c, const char *path, const mt_series *s)
{
	if (!s->warning[0])
		return;
	char buf[256];
	snprintf(buf, sizeof buf, "warning: %s", s->warning);
	fail(c, path, buf);
}

static int batch(const series_cli *c, mt_series *s)
{
	for (size_t i = 0; i < c->npaths; i++) {
		char *text = NULL;
		mt_err err;
		mt_status st;
		mt_err_clear(&err);
		if (c->npaths > 1) {
			puts_to(c->out, i ? "\n==> " : "==> ");
			put(c->out, c->paths[i], strlen(c->paths[i]), "");
			puts_to(c->out, " <==\n");
		}
		if (s[i].kind == MT_FILE_STATS) {
			if ((st = mt_series_print_summary(&s[i], &text, &err)))
				return fail_err(c, c->paths[i], &err);
			put(c->out, text, strlen(text), "\n");
			free(text);
			if (!s[i].nsamples)
				continue;
			puts_to(c->out, "\n");
		}
		if ((st = mt_series_log_summary(&s[i], &text, &err)))
			return fail_err(c, c->paths[i], &err);
		put(c->out, text, strlen(text), "\n");
		free(text);
	}
	if (fflush(c->out) != 0 || ferror(c->out))
		return fail(c, NULL, "standard output: write error");
	return 0;
}

int series_main(const series_cli *c)
{
	mt_file_kind kind[8];
	size_t nseries = 0;
	mt_err err;
	if (c->npaths > sizeof kind / sizeof *kind)
		return c->html ? fail(c, NULL, "too many files for --html")
			       : -1;
	for (size_t i = 0; i < c->npaths; i++) {
		mt_err_clear(&err);
		if (mt_series_sniff(c->paths[i], &kind[i], &err) != MT_OK) {
			if (!c->html)
				return -1; /* the dump loader says it */
			return fail_err(c, c->paths[i], &err);
		}
		nseries += kind[i] == MT_FILE_LOG || kind[i] == MT_FILE_STATS;
	}
	if (!c->html && (!c->batch || !nseries) && !(nseries && c->nexprs))
		return -1;
	if (c->nexprs)
		return fail(c, NULL,
			    "-e goes with heap dumps, not with process logs "
			    "or tracker stats");
	for (size_t i = 0; i < c->npaths; i++)
		if (kind[i] != MT_FILE_LOG && kind[i] != MT_FILE_STATS)
			return fail(c, c->paths[i],
				    kind[i] == MT_FILE_DUMP
					? (c->html
					       ? "--html takes process logs "
						 "and tracker stats files, "
						 "not heap dumps"
					       : "--batch on a process log or "
						 "tracker stats file does not "
						 "take heap dumps too")
					: "not a memtrack dump, process log "
					  "or tracker stats file");
	mt_series *s = calloc(c->npaths, sizeof *s);
	int rc = 0;
	if (!s)
		return fail(c, NULL, "out of memory");
	size_t loaded = 0;
	for (; loaded < c->npaths; loaded++) {
		mt_err_clear(&err);
		if (mt_series_load(c->paths[loaded], &s[loaded], &err)) {
			rc = fail_err(c, c->paths[loaded], &err);
			break;
		}
		warn(c, c->paths[loaded], &s[loaded]);
	}
	if (!rc && c->html) {
		const mt_series **v = calloc(c->npaths, sizeof *v);
		if (!v) {
			rc = fail(c, NULL, "out of memory");
		} else {
			for (size_t i = 0; i < c->npaths; i++)
				v[i] = &s[i];
			mt_err_clear(&err);
			if (mt_report_html(c->html, v,
					   (const char *const *)c->paths,
					   c->npaths, &err))
				rc = fail_err(c, c->html, &err);
			free(v);
		}
	} else if (!rc) {
		rc = batch(c, s);
	}
	for (size_t i = 0; i < loaded; i++)
		mt_series_destroy(&s[i]);
	free(s);
	return rc;
}
