/* memtrack-tui: the heap browser program.
 *
 * Owns the command line and the process: parses options, loads the dump
 * (src/graph), then either prints the partition table of the whole heap
 * (--batch), evaluates each -e expression with the query language (src/query)
 * and prints its result, or runs the browser (browser.h) on the terminal
 * (term.h) or headless (headless.h: keys from a script, screens as text).
 * The dump is loaded before the terminal is taken over, so a load error is
 * always one line on stderr and exit status 1; a query error prints the
 * expression, a caret and the reason, also with status 1.
 */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "browser.h"
#include "headless.h"
#include "term.h"

#include "memtrack/ctx.h"
#include "memtrack/graph.h"
#include "memtrack/partition.h"
#include "memtrack/query.h"
#include "memtrack/table.h"
#include "memtrack/util.h"

static const char *progname = "memtrack-tui";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTION]... HEAP.mp\n"
		"Explore a memtrack heap dump: an interactive browser on the "
		"terminal,\n"
		"or a report with --batch / -e.\n"
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
		"                   (repeatable, implies --batch; see "
		"memtrack-tui(1))\n"
		"      --bytes      sizes in exact bytes (default: kB, MB, GB;"
		" key B)\n"
		"      --human      with --batch: sizes in kB, MB, GB and a first "
		"line with the\n"
		"                   RSS share (not heapy's exact layout)\n"
		"      --mine       with --batch/-e: only the program's objects"
		" (h is hp.Mine:\n"
		"                   not the interpreter's, the standard "
		"library's, site-packages')\n"
		"      --ascii      ASCII line drawing only\n"
		"      --no-mouse   do not take the mouse (wheel scrolling)\n"
		"      --no-color   no colours (also when NO_COLOR is set)\n"
		"      --headless   no terminal: keys from --keys/--keys-file,"
		" screens as text\n"
		"      --keys=STR   the key script (e.g. 'jj<Enter>R<save>q')\n"
		"      --keys-file=FILE  the key script from FILE\n"
		"      --size=COLSxROWS  the headless screen size (default "
		"80x24)\n"
		"      --screen-out=FILE where screens go (default: standard "
		"output)\n"
		"      --each-step  write the screen after every key\n"
		"  -h, --help       show this help and exit\n"
		"  -V, --version    show the version and exit\n"
		"\n"
		"In the browser, ? shows every key.  See memtrack-tui(1).\n",
		progname);
}

/* Writes s[0..n) to f as the browser shows text from a dump
 * (mt_browser_escape: control characters and bad UTF-8 become '?'), except
 * the characters in keep.  Everything printed here that may hold text from
 * a dump (class names, strings, error details) goes through it.  Returns 0,
 * or -1 on a write error or when out of memory. */
static int put_text(FILE *f, const char *s, size_t n, const char *keep)
{
	mt_strbuf b;
	mt_strbuf_init(&b);
	int rc = mt_browser_escape(&b, s, n, keep) != MT_OK ? -1 : 0;
	if (!rc && b.len && fwrite(b.s, 1, b.len, f) != b.len)
		rc = -1;
	mt_strbuf_destroy(&b);
	return rc;
}

/* One line on stderr: "memtrack-tui: PATH: TEXT". */
static int fail_err(const char *path, const mt_err *err)
{
	char buf[512];
	mt_err_format(err, buf, sizeof buf);
	fprintf(stderr, "%s: ", progname);
	put_text(stderr, path, strlen(path), "");
	fputs(": ", stderr);
	put_text(stderr, buf, strlen(buf), "");
	fputc('\n', stderr);
	return 1;
}

static int write_out(const mt_strbuf *out)
{
	if (put_text(stdout, out->s ? out->s : "", out->len, "\n") != 0) {
		fprintf(stderr, "%s: standard output: write error\n", progname);
		return 1;
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "%s: standard output: write error\n", progname);
		return 1;
	}
	return 0;
}

/* Evaluates each expression in order; stops at the first error.  mine:
 * `h` stands for hp.Mine (--mine). */
static int run_exprs(const mt_graph *g, char **exprs, size_t nexprs, int all,
		     int mine)
{
	mt_ctx *ctx = NULL;
	mt_query *q = NULL;
	mt_strbuf out;
	mt_err err;
	int rc = 0;
	mt_strbuf_init(&out);
	mt_err_clear(&err);
	if (mt_ctx_new(&ctx, g, &err) != MT_OK ||
	    mt_query_new(&q, ctx, &err) != MT_OK) {
		rc = fail_err("query", &err);
		goto done;
	}
	mt_query_set_mine(q, mine != 0);
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
			put_text(stderr, text, first, "\n\t");
			if (first < strlen(text)) {
				fprintf(stderr, "%*s", pre > 0 ? pre : 0, "");
				put_text(stderr, text + first,
					 strlen(text + first), "\n\t");
			}
			mt_strbuf_destroy(&msg);
			rc = 1;
			break;
		}
		/* --all: the same result again with every row (tables,
		 * paths, reference patterns) */
		if (all && mt_query_last_paged(q)) {
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
	mt_ctx_free(ctx);
	return rc;
}

/* --batch: heapy's table of the whole heap by `by`; human (--human):
 * the browser's title line first (with the RSS share), sizes in units. */
static int report(const mt_graph *g, const char *path, mt_classify_by by,
		  int all, bool human)
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
	    (human && (mt_browser_title(g, mt_partition_size(p), false,
					&out) != MT_OK ||
		       mt_strbuf_add(&out, "\n", 1) != MT_OK)) ||
	    mt_table_format(p, 0,
			    MT_TABLE_TITLE | (all ? MT_TABLE_ALL : 0) |
				(human ? MT_TABLE_HUMAN : 0),
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

/* Reads a whole file into a malloc'd NUL-terminated string, or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *s = malloc(cap);
	while (s) {
		size_t r = fread(s + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
		if (n + 1 == cap) {
			char *t = realloc(s, cap *= 2);
			if (!t) {
				free(s);
				s = NULL;
			}
			s = t;
		}
	}
	if (s && ferror(f)) {
		free(s);
		s = NULL;
	}
	fclose(f);
	if (s)
		s[n] = '\0';
	return s;
}

typedef struct tui_opts {
	bool headless, each_step, ascii, mouse, color, bytes, human;
	const char *keys, *keys_file, *screen_out;
	int cols, rows;
} tui_opts;

static int run_headless(const mt_graph *g, const tui_opts *o)
{
	char *script = NULL;
	mt_err err;
	mt_err_clear(&err);
	if (o->keys_file) {
		script = slurp(o->keys_file);
		if (!script) {
			fprintf(stderr, "%s: %s: cannot read the key script\n",
				progname, o->keys_file);
			return 1;
		}
	}
	FILE *out = stdout;
	if (o->screen_out && !(out = fopen(o->screen_out, "w"))) {
		fprintf(stderr, "%s: %s: cannot open for writing\n", progname,
			o->screen_out);
		free(script);
		return 1;
	}
	mt_headless *h = NULL;
	mt_browser *b = NULL;
	int rc = 1;
	if (mt_headless_new(&h, script ? script : o->keys ? o->keys : "",
			    o->cols, o->rows, out, o->each_step,
			    &err) != MT_OK) {
		fail_err(o->keys_file ? o->keys_file : "--keys", &err);
		goto done;
	}
	mt_browser_opts bo = {.ascii = o->ascii, .bytes = o->bytes};
	if (mt_browser_new(&b, g, mt_headless_ui(h), &bo, &err) != MT_OK) {
		fail_err("browser", &err);
		goto done;
	}
	mt_browser_run(b);
	rc = mt_headless_finish(h) ? 0 : 1;
	if (rc)
		fprintf(stderr, "%s: %s: write error\n", progname,
			o->screen_out ? o->screen_out : "standard output");
done:
	mt_browser_free(b);
	mt_headless_free(h);
	if (out != stdout && fclose(out) != 0 && rc == 0) {
		fprintf(stderr, "%s: %s: write error\n", progname,
			o->screen_out);
		rc = 1;
	}
	free(script);
	return rc;
}

static int run_terminal(const mt_graph *g, const tui_opts *o)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr,
			"%s: not a terminal (use --batch, -e or --headless)\n",
			progname);
		return 1;
	}
	mt_ui *ui = mt_term_new(o->mouse, o->ascii, o->color);
	if (!ui) {
		fprintf(stderr, "%s: cannot start the terminal (TERM=%s)\n",
			progname, getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	mt_browser_opts bo = {.ascii = o->ascii || !mt_term_utf8(ui),
			      .bytes = o->bytes};
	mt_browser *b = NULL;
	mt_err err;
	mt_err_clear(&err);
	mt_status st = mt_browser_new(&b, g, ui, &bo, &err);
	if (st == MT_OK)
		mt_browser_run(b);
	mt_browser_free(b);
	mt_term_free(ui);
	if (st != MT_OK)
		return fail_err("browser", &err);
	return 0;
}

enum {
	OPT_HEADLESS = 256,
	OPT_KEYS,
	OPT_KEYS_FILE,
	OPT_SIZE,
	OPT_SCREEN_OUT,
	OPT_EACH_STEP,
	OPT_ASCII,
	OPT_NO_MOUSE,
	OPT_NO_COLOR,
	OPT_HUMAN,
	OPT_BYTES,
	OPT_MINE
};

/* The loading progress line: "memtrack-tui: loading heap.mp [####    ]
 * 45%", redrawn when the percentage changes, erased when done. */
struct load_progress {
	const char *path;
	int last;
	bool shown;
};

static int load_progress(void *data, uint64_t done, uint64_t total)
{
	struct load_progress *lp = data;
	int pct = total ? (int)(done * 100 / total) : 0;
	if (pct == lp->last)
		return 0;
	lp->last = pct;
	lp->shown = true;
	char bar[21];
	memset(bar, '#', (size_t)pct / 5);
	memset(bar + pct / 5, ' ', 20 - (size_t)pct / 5);
	bar[20] = '\0';
	fprintf(stderr, "\r%s: loading %s [%s] %3d%%", progname, lp->path, bar,
		pct);
	fflush(stderr);
	return 0;
}

/* Everything the command line says. */
typedef struct cli {
	mt_classify_by by;
	const char *by_name; /* -B's argument, or NULL */
	int batch, all, mine;
	char **exprs; /* -e, in order */
	size_t nexprs;
	tui_opts to;
	const char *path;
} cli;

/* Handles option ch (getopt_long's); returns -1 to go on, else the exit
 * status (after --help, --version or an error message). */
static int option(cli *c, int ch, char **argv)
{
	switch (ch) {
	case 'b':
		c->batch = 1;
		return -1;
	case 'a':
		c->all = 1;
		return -1;
	case 'B':
		c->by_name = optarg;
		if (mt_classify_parse(optarg, &c->by) == MT_OK)
			return -1;
		fprintf(stderr, "%s: unknown classifier '%s' (try --help)\n",
			progname, optarg);
		return 1;
	case 'e':
		c->exprs[c->nexprs++] = optarg;
		return -1;
	case 'h':
		usage(stdout);
		return 0;
	case 'V':
		printf("%s (memtrack) %s\n", progname, PACKAGE_VERSION);
		return 0;
	case OPT_HEADLESS:
		c->to.headless = true;
		return -1;
	case OPT_KEYS:
		c->to.keys = optarg;
		return -1;
	case OPT_KEYS_FILE:
		c->to.keys_file = optarg;
		return -1;
	case OPT_SIZE:
		if (mt_headless_parse_size(optarg, &c->to.cols, &c->to.rows))
			return -1;
		fprintf(stderr, "%s: bad size '%s' (COLSxROWS, e.g. 80x24)\n",
			progname, optarg);
		return 1;
	case OPT_SCREEN_OUT:
		c->to.screen_out = optarg;
		return -1;
	case OPT_EACH_STEP:
		c->to.each_step = true;
		return -1;
	case OPT_ASCII:
		c->to.ascii = true;
		return -1;
	case OPT_NO_MOUSE:
		c->to.mouse = false;
		return -1;
	case OPT_NO_COLOR:
		c->to.color = false;
		return -1;
	case OPT_BYTES:
		c->to.bytes = true;
		return -1;
	case OPT_HUMAN:
		c->to.human = true;
		return -1;
	case OPT_MINE:
		c->mine = 1;
		return -1;
	case ':':
		fprintf(stderr, "%s: option '%s' needs an argument (try --help)\n",
			progname, argv[optind - 1]);
		return 1;
	default:
		if (optopt > 0 && optopt < 256)
			fprintf(stderr, "%s: unknown option '-%c' (try --help)\n",
				progname, optopt);
		else
			fprintf(stderr, "%s: unknown option '%s' (try --help)\n",
				progname, argv[optind - 1]);
		return 1;
	}
}

/* Parses the command line into c; -1 to go on, else the exit status. */
static int parse_args(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"batch", no_argument, NULL, 'b'},
	    {"all", no_argument, NULL, 'a'},
	    {"by", required_argument, NULL, 'B'},
	    {"expr", required_argument, NULL, 'e'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"headless", no_argument, NULL, OPT_HEADLESS},
	    {"keys", required_argument, NULL, OPT_KEYS},
	    {"keys-file", required_argument, NULL, OPT_KEYS_FILE},
	    {"size", required_argument, NULL, OPT_SIZE},
	    {"screen-out", required_argument, NULL, OPT_SCREEN_OUT},
	    {"each-step", no_argument, NULL, OPT_EACH_STEP},
	    {"ascii", no_argument, NULL, OPT_ASCII},
	    {"no-mouse", no_argument, NULL, OPT_NO_MOUSE},
	    {"no-color", no_argument, NULL, OPT_NO_COLOR},
	    {"bytes", no_argument, NULL, OPT_BYTES},
	    {"human", no_argument, NULL, OPT_HUMAN},
	    {"mine", no_argument, NULL, OPT_MINE},
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":baB:e:hV", opts, NULL)) != -1)
		if ((rc = option(c, ch, argv)) >= 0)
			return rc;
	if (argc - optind != 1) {
		fprintf(stderr, "%s: %s (try --help)\n", progname,
			argc - optind ? "more than one heap file given"
				      : "no heap file given");
		return 1;
	}
	if (c->mine && !c->batch && !c->nexprs) {
		fprintf(stderr, "%s: --mine goes with --batch or -e (in the "
				"browser, the key M)\n",
			progname);
		return 1;
	}
	if (c->to.human && (!c->batch || c->nexprs)) {
		fprintf(stderr, "%s: --human goes with --batch (the browser "
				"shows kB, MB by default)\n",
			progname);
		return 1;
	}
	if (c->to.headless && (c->batch || c->nexprs)) {
		fprintf(stderr, "%s: --headless does not go with --batch or -e\n",
			progname);
		return 1;
	}
	if ((c->to.keys || c->to.keys_file || c->to.screen_out ||
	     c->to.each_step) &&
	    !c->to.headless) {
		fprintf(stderr, "%s: --keys, --keys-file, --screen-out and "
				"--each-step need --headless\n",
			progname);
		return 1;
	}
	c->path = argv[optind];
	return -1;
}

/* The application dies on OOM (util.h): one line, then abort. */
static void out_of_memory(void)
{
	fprintf(stderr, "%s: out of memory\n", progname);
	abort();
}

int main(int argc, char **argv)
{
	cli c = {.by = MT_CLASSIFY_CLODO,
		 .to = {.mouse = true, .color = true, .cols = 80, .rows = 24}};
	int rc;
	mt_oom_set_handler(out_of_memory);
	c.exprs = calloc((size_t)argc + 1, sizeof *c.exprs);
	if (!c.exprs) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return 1;
	}
	if ((rc = parse_args(&c, argc, argv)) >= 0) {
		free(c.exprs);
		return rc;
	}
	if (c.to.headless) {
		/* display widths must not depend on the caller's locale */
		if (!setlocale(LC_CTYPE, "C.UTF-8"))
			setlocale(LC_CTYPE, "");
	}
	mt_graph *g = NULL;
	mt_err err;
	mt_err_clear(&err);
	/* loaded before the terminal is taken over: errors stay one line; a
	 * person waiting for the browser sees the progress on stderr */
	struct load_progress lp = {c.path, -1, false};
	bool show = !c.batch && !c.nexprs && !c.to.headless && isatty(2);
	mt_status lst = mt_graph_load(&g, c.path, show ? load_progress : NULL,
				      &lp, &err);
	if (lp.shown)
		fprintf(stderr, "\r\033[K");
	if (lst != MT_OK) {
		free(c.exprs);
		return fail_err(c.path, &err);
	}
	if (c.mine && !c.nexprs) {
		/* the report of the program's objects: h (hp.Mine) by -B */
		char *e = mt_xmalloc(strlen(c.by_name ? c.by_name : "") + 16);
		if (c.by_name)
			sprintf(e, "h.by('%s')", c.by_name);
		else
			strcpy(e, "h");
		c.exprs[c.nexprs++] = e;
		rc = run_exprs(g, c.exprs, c.nexprs, c.all, c.mine);
		free(e);
	} else if (c.nexprs)
		rc = run_exprs(g, c.exprs, c.nexprs, c.all, c.mine);
	else if (c.batch)
		rc = report(g, c.path, c.by, c.all, c.to.human);
	else if (c.to.headless)
		rc = run_headless(g, &c.to);
	else
		rc = run_terminal(g, &c.to);
	mt_graph_free(g);
	free(c.exprs);
	return rc;
}
