/* memtrack-tui: the heap browser program.
 *
 * Owns the command line and the process: parses options, loads the dump
 * (src/graph), builds the partition (src/analysis) and prints the table;
 * every error becomes one line on stderr and exit status 1.  The interactive
 * browser is not built yet: without --batch the program prints the batch
 * report and says so on stderr.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/graph.h"
#include "memtrack/partition.h"
#include "memtrack/table.h"

static const char *progname = "memtrack-tui";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--batch] [--all] [--by clodo|type] HEAP.mp\n"
		"Explore a memtrack heap dump.\n"
		"\n"
		"  -b, --batch     print the partition table of the whole heap "
		"and exit\n"
		"  -a, --all       print every row (default: 10, then a "
		"count of the rest)\n"
		"  -B, --by=KIND   classify by 'clodo' (class / dict of "
		"class, the default)\n"
		"                  or 'type'\n"
		"  -h, --help      show this help and exit\n"
		"  -V, --version   show the version and exit\n"
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

static int report(const char *path, mt_classify_by by, int all)
{
	mt_graph *g = NULL;
	mt_classifier *c = NULL;
	mt_partition *p = NULL;
	mt_strbuf out;
	mt_err err;
	int rc = 1;

	mt_err_clear(&err);
	mt_strbuf_init(&out);
	if (mt_graph_load(&g, path, NULL, NULL, &err) != MT_OK ||
	    mt_classifier_new(&c, g, by, &err) != MT_OK ||
	    mt_partition_new(&p, c, NULL, 0, &err) != MT_OK ||
	    mt_table_format(p, 0, MT_TABLE_TITLE | (all ? MT_TABLE_ALL : 0),
			    &out, NULL, &err) != MT_OK) {
		rc = fail_err(path, &err);
		goto done;
	}
	if (fwrite(out.s, 1, out.len, stdout) != out.len ||
	    fflush(stdout) != 0) {
		fprintf(stderr, "%s: standard output: write error\n", progname);
		goto done;
	}
	rc = 0;
done:
	mt_strbuf_destroy(&out);
	mt_partition_free(p);
	mt_classifier_free(c);
	mt_graph_free(g);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"batch", no_argument, NULL, 'b'},
	    {"all", no_argument, NULL, 'a'},
	    {"by", required_argument, NULL, 'B'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	mt_classify_by by = MT_CLASSIFY_CLODO;
	int batch = 0, all = 0, ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":baB:hV", opts, NULL)) != -1) {
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
					"(expected clodo or type)\n",
					progname, optarg);
				return 1;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("%s (memtrack) %s\n", progname, PACKAGE_VERSION);
			return 0;
		case ':':
			fprintf(stderr,
				"%s: option '%s' needs an argument "
				"(try --help)\n",
				progname, argv[optind - 1]);
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
			return 1;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "%s: %s (try --help)\n", progname,
			argc - optind ? "more than one heap file given"
				      : "no heap file given");
		return 1;
	}
	rc = report(argv[optind], by, all);
	if (rc == 0 && !batch)
		fprintf(stderr,
			"%s: the interactive browser is not "
			"implemented yet; printed the batch report\n",
			progname);
	return rc;
}
