/* memtrack-tui: the heap browser program.
 *
 * Owns the command line and the process: parses options, loads the dump
 * (src/graph), then either prints the partition table of the whole heap
 * (src/analysis) or evaluates each -e expression with the query language
 * (src/query) and prints its result.  A load error becomes one line on
 * stderr; a query error the expression, a caret and the reason; both exit
 * with status 1.  The interactive browser is not built yet: without --batch
 * the program prints the batch report and says so on stderr.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/graph.h"
#include "memtrack/partition.h"
#include "memtrack/query.h"
#include "memtrack/table.h"

static const char *progname = "memtrack-tui";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--batch] [--all] [--by KIND] [-e EXPR]... HEAP.mp\n"
		"Explore a memtrack heap dump.\n"
		"\n"
		"  -b, --batch      print results to standard output and exit\n"
		"  -a, --all        print every row (default: 10, then a "
		"count of the rest)\n"
		"  -B, --by=KIND    partition the whole heap by KIND: clodo "
		"(class / dict of\n"
		"                   class, the default), type, rcs, via, "
		"size, module, ...\n"
		"  -e, --expr=EXPR  evaluate a query expression, e.g. "
		"'h.byrcs[0].referrers'\n"
		"                   (repeatable; see memtrack-tui(1))\n"
		"  -h, --help       show this help and exit\n"
		"  -V, --version    show the version and exit\n"
		"\n"
		"The interactive browser is not implemented yet; without "
		"--batch the batch\nreport is printed.  See memtrack-tui(1).\n",
		progname);
}

/* One line on stderr: "memtrack-tui: PATH: TEXT". */
static int fail_err(const char *path, const mt_err *err)
{
	char buf[512];
	mt_err_format(err, buf, sizeof buf);
	fprintf(stderr, "%s: %s: %s\n", progname, path, buf);
	return 1;
}

static int write_out(const mt_strbuf *out)
{
	if (out->len && fwrite(out->s, 1, out->len, stdout) != out->len) {
		fprintf(stderr, "%s: standard output: write error\n", progname);
		return 1;
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "%s: standard output: write error\n", progname);
		return 1;
	}
	return 0;
}

/* Evaluates each expression in order; stops at the first error. */
static int run_exprs(const mt_graph *g, char **exprs, size_t nexprs, int all)
{
	mt_query *q = NULL;
	mt_strbuf out;
	mt_err err;
	int rc = 0;
	mt_strbuf_init(&out);
	mt_err_clear(&err);
	if (mt_query_new(&q, g, &err) != MT_OK) {
		rc = fail_err("query", &err);
		goto done;
	}
	for (size_t i = 0; i < nexprs && !rc; i++) {
		mt_strbuf_reset(&out);
		const char *e = exprs[i];
		if (mt_query_run(q, e, &out, &err) != MT_OK) {
			mt_strbuf msg;
			mt_strbuf_init(&msg);
			mt_query_error_text(e, &err, &msg);
			/* "prog: -e: EXPR", then the caret line shifted by
			 * the prefix so it stays under the position */
			int pre = fprintf(stderr, "%s: -e: ", progname);
			const char *text = msg.s ? msg.s : "\n\n";
			const char *nl = strchr(text, '\n');
			size_t first = nl ? (size_t)(nl - text) + 1 : strlen(text);
			fwrite(text, 1, first, stderr);
			if (first < strlen(text))
				fprintf(stderr, "%*s%s", pre > 0 ? pre : 0, "",
					text + first);
			mt_strbuf_destroy(&msg);
			rc = 1;
			break;
		}
		/* --all: the same result again with every row */
		if (all && mt_query_last_set(q)) {
			mt_strbuf_reset(&out);
			if (mt_query_run(q, "_.all", &out, &err) != MT_OK) {
				rc = fail_err("-e", &err);
				break;
			}
		}
		rc = write_out(&out);
	}
done:
	mt_strbuf_destroy(&out);
	mt_query_free(q);
	return rc;
}

static int report(const mt_graph *g, const char *path, mt_classify_by by,
		  int all)
{
	mt_classifier *c = NULL;
	mt_partition *p = NULL;
	mt_strbuf out;
	mt_err err;
	int rc = 1;

	mt_err_clear(&err);
	mt_strbuf_init(&out);
	if (mt_classifier_new(&c, g, by, &err) != MT_OK ||
	    mt_partition_new(&p, c, NULL, 0, &err) != MT_OK ||
	    mt_table_format(p, 0, MT_TABLE_TITLE | (all ? MT_TABLE_ALL : 0),
			    &out, NULL, &err) != MT_OK) {
		rc = fail_err(path, &err);
		goto done;
	}
	rc = write_out(&out);
done:
	mt_strbuf_destroy(&out);
	mt_partition_free(p);
	mt_classifier_free(c);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"batch", no_argument, NULL, 'b'},
	    {"all", no_argument, NULL, 'a'},
	    {"by", required_argument, NULL, 'B'},
	    {"expr", required_argument, NULL, 'e'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	mt_classify_by by = MT_CLASSIFY_CLODO;
	int batch = 0, all = 0, ch, rc;
	char **exprs = calloc((size_t)argc + 1, sizeof *exprs);
	size_t nexprs = 0;

	if (!exprs) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return 1;
	}
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":baB:e:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			batch = 1;
			break;
		case 'a':
			all = 1;
			break;
		case 'B':
			if (mt_classify_parse(optarg, &by) != MT_OK) {
				fprintf(stderr,
					"%s: unknown classifier '%s' "
					"(try --help)\n",
					progname, optarg);
				free(exprs);
				return 1;
			}
			break;
		case 'e':
			exprs[nexprs++] = optarg;
			break;
		case 'h':
			usage(stdout);
			free(exprs);
			return 0;
		case 'V':
			printf("%s (memtrack) %s\n", progname, PACKAGE_VERSION);
			free(exprs);
			return 0;
		case ':':
			fprintf(stderr,
				"%s: option '%s' needs an argument "
				"(try --help)\n",
				progname, argv[optind - 1]);
			free(exprs);
			return 1;
		default:
			if (optopt)
				fprintf(stderr,
					"%s: unknown option '-%c' (try "
					"--help)\n",
					progname, optopt);
			else
				fprintf(stderr,
					"%s: unknown option '%s' (try "
					"--help)\n",
					progname, argv[optind - 1]);
			free(exprs);
			return 1;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "%s: %s (try --help)\n", progname,
			argc - optind ? "more than one heap file given"
				      : "no heap file given");
		free(exprs);
		return 1;
	}
	const char *path = argv[optind];
	mt_graph *g = NULL;
	mt_err err;
	mt_err_clear(&err);
	if (mt_graph_load(&g, path, NULL, NULL, &err) != MT_OK) {
		free(exprs);
		return fail_err(path, &err);
	}
	if (nexprs)
		rc = run_exprs(g, exprs, nexprs, all);
	else
		rc = report(g, path, by, all);
	mt_graph_free(g);
	free(exprs);
	if (rc == 0 && !batch)
		fprintf(stderr,
			"%s: the interactive browser is not "
			"implemented yet; printed the batch report\n",
			progname);
	return rc;
}
