/* memtrack-tui: the heap browser program.
 *
 * Owns the command line and the process: parses options, loads the dumps
 * (src/graph: one, or two or three to compare), then either prints a report
 * (--batch: the partition table of the whole heap; with two dumps heapy's
 * difference table, diff.h; with three C - A and memlab's leak candidates),
 * evaluates each -e expression with the query
 * language (src/query; with several dumps `h` is the last, `h0` the first,
 * `h1` the second of three) and prints its result, or runs the browser
 * (browser.h) on the terminal (term.h) or headless (headless.h: keys from a
 * script, screens as text).  Every dump is loaded before the terminal is
 * taken over, so a load error is always one line on stderr naming the file
 * and exit status 1; a query error prints the expression, a caret and the
 * reason, also with status 1.  --fail-on-growth: status 3 after the table
 * when the heap grew by more than the limit.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <locale.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "browser.h"
#include "detach.h"
#include "headless.h"
#include "preview.h"
#include "series_main.h"
#include "term.h"

#include "memtrack/ctx.h"
#include "memtrack/diff.h"
#include "memtrack/graph.h"
#include "memtrack/partition.h"
#include "memtrack/query.h"
#include "memtrack/savedidx.h"
#include "memtrack/series.h"
#include "memtrack/table.h"
#include "memtrack/util.h"

static const char *progname = "memtrack-tui";

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: %s [OPTION]... HEAP.mp\n"
	    "  or:  %s [OPTION]... OLD.mp NEW.mp\n"
	    "  or:  %s [OPTION]... A.mp B.mp C.mp\n"
	    "  or:  %s [OPTION]... LOG | STATS\n"
	    "  or:  %s [OPTION]... --attach=PID\n"
	    "Explore a memtrack heap dump: an interactive browser on the "
	    "terminal,\n"
	    "or a report with --batch / -e.  Two dumps are compared (what "
	    "NEW has\n"
	    "more or less than OLD); three give the leak candidates "
	    "(objects of B\n"
	    "still alive in C that were not in A) and A against C.  A "
	    "process log\n"
	    "(memtrack.ProcessLog) opens on its RSS timeline, tracker stats\n"
	    "(Stats.dump_stats) on pympler's print_summary per snapshot.\n"
	    "\n"
	    "      --attach=PID dump the running Python process PID first "
	    "(python3 -m\n"
	    "                   memtrack dump --pid: gdb; the file goes to "
	    "the current\n"
	    "                   directory) and open that dump\n"
	    "  -b, --batch      print results to standard output and exit "
	    "(two dumps:\n"
	    "                   heapy's difference table NEW - OLD)\n"
	    "  -a, --all        print every row (default: 10, then a "
	    "count of the rest)\n"
	    "  -B, --by=KIND    partition the whole heap by KIND: clodo "
	    "(class / dict of\n"
	    "                   class, the default), type, rcs, via, "
	    "size, module, ...\n"
	    "  -e, --expr=EXPR  evaluate a query expression, e.g. "
	    "'h.byrcs[0].referrers'\n"
	    "                   (repeatable, implies --batch; with several "
	    "dumps h is\n"
	    "                   the last, h0 the first, h1 the second; see "
	    "memtrack-tui(1))\n"
	    "      --fail-on-growth=SIZE  with --batch OLD NEW: exit status "
	    "3 when NEW's\n"
	    "                   total size exceeds OLD's by more than SIZE "
	    "(bytes; k, M, G\n"
	    "                   are 1000s, KiB, MiB, GiB 1024s: 1M, "
	    "500k, 2MiB)\n"
	    "      --bytes      sizes in exact bytes (default: kB, MB, GB;"
	    " key B)\n"
	    "      --html=OUT   write the HTML report of process logs and "
	    "tracker stats\n"
	    "                   files to OUT (--batch on them prints their "
	    "summaries)\n"
	    "      --human      with --batch on one dump: sizes in kB, MB, "
	    "GB and a first\n"
	    "                   line with the RSS share (not heapy's exact "
	    "layout)\n"
	    "      --mine       with --batch/-e: only the program's objects"
	    " (h is hp.Mine:\n"
	    "                   not the interpreter's, the standard "
	    "library's, site-packages')\n"
	    "      --no-index   neither read nor write the saved index "
	    "beside the dump\n"
	    "                   (HEAP.mp.mtidx: the dominator tree and "
	    "retained sizes;\n"
	    "                   also when MEMTRACK_NO_INDEX is set and not "
	    "empty)\n"
	    "      --retained=MODE  a partition's Retained column: exact "
	    "(each page's\n"
	    "                   exact figures at once), bounds (first a "
	    "lower bound, >=,\n"
	    "                   then the exact figures while no key "
	    "waits), auto (the\n"
	    "                   default: bounds from 10 million objects "
	    "on)\n"
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
	    "Exit status: 0, 1 on an error, 3 when --fail-on-growth's limit "
	    "is passed.\n"
	    "In the browser, ? shows every key.  See memtrack-tui(1).\n",
	    progname, progname, progname, progname, progname);
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

/* At most this many dumps on the command line: HEAP, OLD NEW, A B C. */
#define MAX_DUMPS 3

/* The dumps of the command line, loaded, in its order: the last is NEW
 * (`h`), the first OLD (`h0`), with three the second is `h1`. */
typedef struct dumps {
	size_t n;
	char *const *paths;
	mt_graph *g[MAX_DUMPS];
	mt_series *series; /* instead: a process log or tracker stats (the
			      browser on paths[0]; n is 0) */
	/* saved indexes (savedidx.h): idx[i] is paths[i] when dump i has
	 * one (its key taken before the load), NULL when not (--no-index,
	 * MEMTRACK_NO_INDEX, or a dump whose end could not be read) */
	const char *idx[MAX_DUMPS];
	mt_savedidx_key key[MAX_DUMPS];
	/* one dump with a saved start screen (preview.h): shown during the
	 * load in the terminal taken for it (ui), its figures then given to
	 * the browser */
	mt_preview preview;
	bool have_preview;
	mt_ui *ui;
} dumps;

/* The query sessions over the dumps (one each) and, for each earlier dump
 * of the same process as the last, its match to the last (diff.h). */
typedef struct sessions {
	size_t n;
	const char *path[MAX_DUMPS]; /* the dumps' */
	mt_ctx *ctx[MAX_DUMPS];
	mt_query *q[MAX_DUMPS];
	mt_match *m[MAX_DUMPS];
} sessions;

/* Frees the sessions, after one line on stderr for each dump whose saved
 * index was ignored or could not be saved (mt_ctx_index's note): batch
 * runs say so too, nothing when an index was reused or saved. */
static void sessions_free(sessions *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const char *note = NULL;
		if (s->ctx[i])
			mt_ctx_index(s->ctx[i], &note);
		if (note) {
			fprintf(stderr, "%s: ", progname);
			put_text(stderr, s->path[i], strlen(s->path[i]), "");
			fputs(": ", stderr);
			put_text(stderr, note, strlen(note), "");
			fputc('\n', stderr);
		}
	}
	/* the last session borrows the others and the matches */
	if (s->n)
		mt_query_free(s->q[s->n - 1]);
	for (size_t i = 0; i + 1 < s->n; i++) {
		mt_match_free(s->m[i]);
		mt_query_free(s->q[i]);
	}
	for (size_t i = 0; i < s->n; i++)
		mt_ctx_free(s->ctx[i]);
	memset(s, 0, sizeof *s);
}

/* The big arrays a view frees (the retained pass's 4 to 9 bytes an
 * object, a partition's kinds) are kept for the next one, whose pages would be
 * fresh (util.h, "big arrays kept warm"): up to MT_BROWSER_WARM bytes an
 * object (browser.c, prepare_memory). */
static void keep_warm(const dumps *d)
{
	size_t keep = 0;
	for (size_t i = 0; i < d->n; i++)
		keep += MT_BROWSER_WARM * (size_t)mt_graph_count(d->g[i]);
	mt_big_keep(keep);
}

/* One session per dump (`h` is hp.Mine in each with mine); with names, the
 * last session gets the others as `h0` and `h1`, matched object by object
 * to them when they come from the same process (mt_same_process).
 * Returns 0, or the exit status after a one-line message. */
static int sessions_open(sessions *s, const dumps *d, bool mine, bool names)
{
	mt_err err;
	mt_err_clear(&err);
	memset(s, 0, sizeof *s);
	keep_warm(d);
	for (size_t i = 0; i < d->n; i++) {
		s->path[i] = d->paths[i];
		if (mt_ctx_new(&s->ctx[i], d->g[i], &err) != MT_OK ||
		    mt_query_new(&s->q[i], s->ctx[i], &err) != MT_OK) {
			s->n = i + 1;
			return fail_err(d->paths[i], &err);
		}
		if (d->idx[i])
			mt_ctx_use_saved_index(s->ctx[i], d->idx[i],
					       &d->key[i]);
		s->n = i + 1;
		mt_query_set_mine(s->q[i], mine);
	}
	size_t last = d->n - 1;
	for (size_t i = 0; names && i < last; i++) {
		const char *name = i == 0 ? "h0" : "h1";
		if (mt_same_process(mt_graph_header(d->g[i]),
				    mt_graph_header(d->g[last]), NULL) &&
		    mt_match_new(&s->m[i], d->g[i], d->g[last], &err) != MT_OK)
			return fail_err(d->paths[i], &err);
		if (mt_query_add_dump(s->q[last], name, s->q[i], s->m[i],
				      &err) != MT_OK)
			return fail_err(d->paths[i], &err);
	}
	return 0;
}

/* Evaluates each expression in order; stops at the first error.  mine:
 * `h` stands for hp.Mine (--mine).  With several dumps, in the session of
 * the last, the others bound to h0 (and h1). */
static int run_exprs(const dumps *d, char **exprs, size_t nexprs, int all,
		     int mine)
{
	sessions ss;
	mt_strbuf out;
	mt_err err;
	int rc;
	mt_strbuf_init(&out);
	mt_err_clear(&err);
	if ((rc = sessions_open(&ss, d, mine != 0, true)) != 0)
		goto done;
	mt_query *q = ss.q[d->n - 1];
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
			size_t first = nl ? (size_t)(nl - text) + 1
					  : strlen(text);
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
	sessions_free(&ss);
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
	    (human &&
	     (mt_browser_title(g, mt_partition_size(p), false, &out) != MT_OK ||
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

/* --batch A B C, after the difference table: memlab's leak candidates
 * (mt_leak_candidates: objects of B still alive in C that were not in A;
 * of hp.Mine with mine) partitioned by er, titled.  The three dumps are
 * known to come from one process. */
static mt_status leak_table(const dumps *d, const mt_set *mine, const char *er,
			    bool all, mt_strbuf *out, mt_err *err)
{
	mt_match *ab = NULL, *bc = NULL;
	mt_set *leaks = NULL, *cut = NULL;
	mt_classifier *c = NULL;
	mt_partition *p = NULL;
	mt_status st;
	if ((st = mt_match_new(&ab, d->g[0], d->g[1], err)) != MT_OK ||
	    (st = mt_match_new(&bc, d->g[1], d->g[2], err)) != MT_OK ||
	    (st = mt_leak_candidates(ab, bc, &leaks, err)) != MT_OK)
		goto done;
	if (mine &&
	    (st = mt_set_op(&cut, MT_SETOP_AND, leaks, mine, err)) != MT_OK)
		goto done;
	const mt_set *set = cut ? cut : leaks;
	static const char intro[] =
	    "\nLeak candidates: objects of B still alive in C that were "
	    "not in A.\n";
	if ((st = mt_strbuf_add(out, intro, sizeof intro - 1)) != MT_OK ||
	    (st = mt_classifier_new_named(&c, d->g[2], er, err)) != MT_OK ||
	    (st = mt_partition_new(&p, c, mt_set_ids(set), mt_set_count(set),
				   err)) != MT_OK ||
	    (st = mt_table_format(p, 0,
				  MT_TABLE_TITLE | (all ? MT_TABLE_ALL : 0),
				  out, NULL, err)) != MT_OK)
		goto done;
done:
	mt_partition_free(p);
	mt_classifier_free(c);
	mt_set_unref(cut);
	mt_set_unref(leaks);
	mt_match_free(bc);
	mt_match_free(ab);
	return st;
}

/* --batch OLD NEW: heapy's difference table NEW - OLD (h.diff(h0)) of the
 * whole heaps (hp.Mine with mine) by er; with A B C, C - A then the leak
 * candidates.  growth (>= 0): exit status 3 when the last dump's total
 * size exceeds the first's by more than growth bytes. */
static int report_diff(const dumps *d, const char *er, int all, int mine,
		       int64_t growth)
{
	sessions ss;
	mt_qresult heap[MAX_DUMPS];
	mt_diff *df = NULL;
	mt_strbuf out;
	mt_err err;
	size_t last = d->n - 1;
	int rc;
	memset(heap, 0, sizeof heap);
	mt_strbuf_init(&out);
	mt_err_clear(&err);
	if (d->n == 3) {
		/* the leak rule needs identity: say why not before printing */
		const char *why = NULL;
		for (size_t i = 0; i < 2; i++)
			if (!mt_same_process(mt_graph_header(d->g[i]),
					     mt_graph_header(d->g[i + 1]),
					     &why)) {
				fprintf(stderr,
					"%s: %s, %s: no leak candidates: %s\n",
					progname, d->paths[i], d->paths[i + 1],
					why);
				return 1;
			}
	}
	if ((rc = sessions_open(&ss, d, mine != 0, false)) != 0)
		goto done;
	if (mine)
		for (size_t i = 0; i < d->n; i++)
			if (mt_query_heap(ss.q[i], &heap[i], &err) != MT_OK) {
				rc = fail_err(d->paths[i], &err);
				goto done;
			}
	rc = 1;
	if (mt_diff_new(&df, ss.ctx[0], heap[0].set, ss.ctx[last],
			heap[last].set, er, NULL, &err) != MT_OK ||
	    mt_diff_format(df, all ? MT_TABLE_ALL : 0, &out, &err) != MT_OK) {
		rc = fail_err(d->paths[last], &err);
		goto done;
	}
	if (d->n == 3 &&
	    leak_table(d, heap[last].set, er, all != 0, &out, &err) != MT_OK) {
		rc = fail_err(d->paths[last], &err);
		goto done;
	}
	if ((rc = write_out(&out)) != 0 || growth < 0)
		goto done;
	uint64_t oc, os, nc, ns;
	mt_diff_totals(df, &oc, &os, &nc, &ns);
	if (ns > os && ns - os > (uint64_t)growth) {
		fprintf(stderr,
			"%s: the heap grew by %" PRIu64 " bytes, more than "
			"--fail-on-growth's %" PRId64 "\n",
			progname, ns - os, growth);
		rc = 3;
	}
done:
	mt_diff_free(df);
	for (size_t i = 0; i < d->n; i++)
		if (heap[i].set)
			mt_qresult_destroy(&heap[i]);
	sessions_free(&ss);
	mt_strbuf_destroy(&out);
	return rc;
}

/* --fail-on-growth's SIZE: a number of bytes, a decimal point allowed,
 * with an optional unit: B; k or K, M, G (1000s, the browser's units,
 * with or without B: kB, MB, GB); KiB, MiB, GiB (1024s).  Returns false
 * for anything else (signs, spaces, other suffixes, more than 2^62). */
static bool parse_size(const char *s, int64_t *out)
{
	static const struct {
		const char *unit;
		double mul;
	} units[] = {
	    {"", 1},
	    {"B", 1},
	    {"k", 1e3},
	    {"K", 1e3},
	    {"kB", 1e3},
	    {"KB", 1e3},
	    {"M", 1e6},
	    {"MB", 1e6},
	    {"G", 1e9},
	    {"GB", 1e9},
	    {"KiB", 1024.0},
	    {"MiB", 1048576.0},
	    {"GiB", 1073741824.0},
	};
	size_t n = 0, digits = 0;
	while (s[n] >= '0' && s[n] <= '9')
		n++, digits++;
	if (s[n] == '.')
		for (n++; s[n] >= '0' && s[n] <= '9'; n++)
			digits++;
	if (!digits || n > 40)
		return false;
	char num[48];
	memcpy(num, s, n);
	num[n] = '\0';
	double v = strtod(num, NULL);
	for (size_t i = 0; i < sizeof units / sizeof *units; i++)
		if (!strcmp(s + n, units[i].unit)) {
			double b = v * units[i].mul;
			if (!(b <= 4611686018427387904.0))
				return false;
			*out = (int64_t)(b + 0.5);
			return true;
		}
	return false;
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
	int retained; /* --retained: MT_RET_* */
} tui_opts;

/* The browser over the dumps: the single-dump one, or the comparison
 * (browser.h) of two or three. */
static mt_status browser_open(mt_browser **b, const dumps *d, mt_ui *ui,
			      mt_browser_opts *bo, mt_err *err)
{
	if (d->series)
		return mt_browser_new_series(b, d->series, d->paths[0], ui, bo,
					     err);
	bo->index_dumps = d->idx;
	bo->index_keys = d->key;
	keep_warm(d);
	if (d->n == 1)
		return mt_browser_new(b, d->g[0], ui, bo, err);
	bo->files = (const char *const *)d->paths;
	return mt_browser_new_multi(b, (const mt_graph *const *)d->g, d->n, ui,
				    bo, err);
}

/* One dump with a saved index: the browser saves its start screen, and
 * takes the figures of the one shown during the load. */
static void preview_opts(const dumps *d, mt_browser_opts *bo)
{
	if (d->n != 1 || !d->idx[0])
		return;
	bo->preview_dump = d->paths[0];
	bo->preview_key = &d->key[0];
	bo->seed = d->have_preview ? &d->preview : NULL;
}

static int run_headless(const dumps *d, const tui_opts *o)
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
	if (mt_headless_new(&h,
			    script    ? script
			    : o->keys ? o->keys
				      : "",
			    o->cols, o->rows, out, o->each_step,
			    &err) != MT_OK) {
		fail_err(o->keys_file ? o->keys_file : "--keys", &err);
		goto done;
	}
	mt_browser_opts bo = {.ascii = o->ascii, .bytes = o->bytes,
			      .retained = o->retained};
	preview_opts(d, &bo);
	if (browser_open(&b, d, mt_headless_ui(h), &bo, &err) != MT_OK) {
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

/* The descriptor of mt_detach_done when the browser runs in a child of
 * the process the shell waits for (want_detach), else -1. */
static int detach_fd = -1;

static int run_terminal(dumps *d, const tui_opts *o)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr,
			"%s: not a terminal (use --batch, -e or --headless)\n",
			progname);
		return 1;
	}
	/* the terminal the preview was shown in (load_dumps), else a new one */
	mt_ui *ui = d->ui ? d->ui : mt_term_new(o->mouse, o->ascii, o->color);
	if (!ui) {
		fprintf(stderr, "%s: cannot start the terminal (TERM=%s)\n",
			progname, getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	mt_browser_opts bo = {.ascii = o->ascii || !mt_term_utf8(ui),
			      .bytes = o->bytes, .retained = o->retained};
	preview_opts(d, &bo);
	mt_browser *b = NULL;
	mt_err err;
	mt_err_clear(&err);
	mt_status st = browser_open(&b, d, ui, &bo, &err);
	if (st == MT_OK)
		mt_browser_run(b);
	/* the terminal back first: freeing an 80M-object heap's analysis
	 * takes most of a second, with the last screen still showing */
	mt_term_free(ui);
	d->ui = NULL;
	int rc = st != MT_OK ? fail_err("browser", &err) : 0;
	/* the shell's prompt now; the freeing goes on in the child */
	mt_detach_done(&detach_fd, rc);
	mt_browser_free(b);
	return rc;
}

enum {
	OPT_HEADLESS = 256,
	OPT_HTML,
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
	OPT_MINE,
	OPT_FAIL_ON_GROWTH,
	OPT_ATTACH,
	OPT_NO_INDEX,
	OPT_RETAINED
};

/* The loading progress line: "memtrack-tui: loading heap.mp [####    ]
 * 45.3%", erased when done.  Redrawn when its tenth of a percent changes,
 * at most every 50 ms unless the whole percentage changes: at 80M objects a
 * whole percent can take over a second near the end of the load, and a
 * line that stands still that long looks hung. */
struct load_progress {
	const char *path;
	int last;	     /* tenths of a percent drawn, -1 before the first */
	struct timespec at;  /* when it was drawn */
	bool shown;
};

#define LOAD_REDRAW_NS 50000000L

static int load_progress(void *data, uint64_t done, uint64_t total)
{
	struct load_progress *lp = data;
	int pm = total ? (int)(done * 1000 / total) : 0;
	if (pm > 1000)
		pm = 1000;
	if (pm == lp->last)
		return 0;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ns = (now.tv_sec - lp->at.tv_sec) * 1000000000L +
		  (now.tv_nsec - lp->at.tv_nsec);
	if (lp->last >= 0 && pm / 10 == lp->last / 10 && ns < LOAD_REDRAW_NS)
		return 0;
	lp->last = pm;
	lp->at = now;
	lp->shown = true;
	char bar[21];
	memset(bar, '#', (size_t)pm / 50);
	memset(bar + pm / 50, ' ', 20 - (size_t)pm / 50);
	bar[20] = '\0';
	fprintf(stderr, "\r%s: loading %s [%s] %3d.%d%%", progname, lp->path,
		bar, pm / 10, pm % 10);
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
	int64_t growth;	    /* --fail-on-growth's bytes, or -1 */
	const char *html;   /* --html OUT (series_main.c), or NULL */
	const char *attach; /* --attach PID, or NULL */
	bool no_index;	    /* --no-index or MEMTRACK_NO_INDEX */
	tui_opts to;
	char *const *paths; /* the dumps, npaths of them */
	size_t npaths;
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
	case OPT_NO_INDEX:
		c->no_index = true;
		return -1;
	case OPT_RETAINED:
		if (!strcmp(optarg, "auto"))
			c->to.retained = MT_RET_AUTO;
		else if (!strcmp(optarg, "exact"))
			c->to.retained = MT_RET_EXACT;
		else if (!strcmp(optarg, "bounds"))
			c->to.retained = MT_RET_BOUNDS;
		else {
			fprintf(stderr,
				"%s: bad --retained '%s' (auto, exact or "
				"bounds)\n",
				progname, optarg);
			return 1;
		}
		return -1;
	case OPT_HTML:
		c->html = optarg;
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
	case OPT_FAIL_ON_GROWTH:
		if (parse_size(optarg, &c->growth))
			return -1;
		fprintf(stderr,
			"%s: bad size '%s' for --fail-on-growth (bytes, or "
			"with k, M, G, KiB, MiB, GiB: 1M, 500k)\n",
			progname, optarg);
		return 1;
	case OPT_ATTACH:
		if (mt_attach_valid_pid(optarg)) {
			c->attach = optarg;
			return -1;
		}
		fprintf(stderr, "%s: bad process id '%s' for --attach\n",
			progname, optarg);
		return 1;
	case ':':
		fprintf(stderr,
			"%s: option '%s' needs an argument (try --help)\n",
			progname, argv[optind - 1]);
		return 1;
	default:
		if (optopt > 0 && optopt < 256)
			fprintf(stderr,
				"%s: unknown option '-%c' (try --help)\n",
				progname, optopt);
		else
			fprintf(stderr,
				"%s: unknown option '%s' (try --help)\n",
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
	    {"html", required_argument, NULL, OPT_HTML},
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
	    {"fail-on-growth", required_argument, NULL, OPT_FAIL_ON_GROWTH},
	    {"attach", required_argument, NULL, OPT_ATTACH},
	    {"no-index", no_argument, NULL, OPT_NO_INDEX},
	    {"retained", required_argument, NULL, OPT_RETAINED},
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":baB:e:hV", opts, NULL)) != -1)
		if ((rc = option(c, ch, argv)) >= 0)
			return rc;
	c->paths = argv + optind;
	c->npaths = (size_t)(argc - optind);
	if (c->attach && c->npaths) {
		fprintf(stderr,
			"%s: --attach opens the dump it makes: no heap file "
			"with it\n",
			progname);
		return 1;
	}
	if (c->attach)
		c->npaths = 1; /* its dump: paths set once it is made */
	if (c->npaths == 0 || c->npaths > MAX_DUMPS) {
		fprintf(stderr, "%s: %s (try --help)\n", progname,
			c->npaths ? "more than three heap files given (HEAP, "
				    "OLD NEW or A B C)"
				  : "no heap file given");
		return 1;
	}
	if (c->mine && !c->batch && !c->nexprs) {
		fprintf(stderr,
			"%s: --mine goes with --batch or -e (in the "
			"browser, the key M)\n",
			progname);
		return 1;
	}
	if (c->mine && c->nexprs && c->npaths > 1) {
		fprintf(stderr,
			"%s: --mine with several dumps goes with "
			"--batch alone (in -e, h0 is OLD's whole heap)\n",
			progname);
		return 1;
	}
	if (c->to.human && c->npaths > 1) {
		fprintf(stderr,
			"%s: --human goes with one dump (the "
			"difference table is heapy's)\n",
			progname);
		return 1;
	}
	if (c->growth >= 0 && (c->npaths < 2 || !c->batch || c->nexprs)) {
		fprintf(stderr,
			"%s: --fail-on-growth goes with --batch OLD NEW "
			"(or A B C), without -e\n",
			progname);
		return 1;
	}
	if (c->to.human && (!c->batch || c->nexprs)) {
		fprintf(stderr,
			"%s: --human goes with --batch (the browser "
			"shows kB, MB by default)\n",
			progname);
		return 1;
	}
	if (c->to.headless && (c->batch || c->nexprs)) {
		fprintf(stderr,
			"%s: --headless does not go with --batch or -e\n",
			progname);
		return 1;
	}
	if ((c->to.keys || c->to.keys_file || c->to.screen_out ||
	     c->to.each_step) &&
	    !c->to.headless) {
		fprintf(stderr,
			"%s: --keys, --keys-file, --screen-out and "
			"--each-step need --headless\n",
			progname);
		return 1;
	}
	return -1;
}

/* The application dies on OOM (util.h): one line, then abort. */
static void out_of_memory(void)
{
	fprintf(stderr, "%s: out of memory\n", progname);
	abort();
}

/* The load's progress in the status line of the preview's screen; q or
 * Esc cancel it. */
static int ui_load_progress(void *data, uint64_t done, uint64_t total)
{
	mt_ui *ui = data;
	return ui->progress(ui, "loading", done, total) ? 1 : 0;
}

/* Takes the terminal before the load to show the dump's saved start
 * screen (preview.h), when it was saved at this terminal's size and can
 * be shown as it was (UTF-8 text needs a UTF-8 terminal; --bytes and
 * --ascii change what the browser draws): the load's progress then goes
 * to its status line.  Otherwise nothing: the load runs as usual, and
 * the browser still takes the preview's figures. */
static void show_preview(dumps *d, const tui_opts *o)
{
	struct winsize ws;
	const mt_screen *s = &d->preview.screen;
	if (o->bytes || o->ascii || !isatty(STDIN_FILENO) ||
	    !isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) ||
	    ws.ws_row != s->rows || ws.ws_col != s->cols)
		return;
	mt_ui *ui = mt_term_new(o->mouse, o->ascii, o->color);
	if (!ui)
		return; /* run_terminal says why */
	d->ui = ui;
	bool ascii = true;
	for (int i = 0; i < s->rows; i++)
		for (const char *t = s->lines[i].text; t && *t; t++)
			ascii &= (unsigned char)*t < 0x80;
	if (!ascii && !mt_term_utf8(ui))
		return; /* a blank screen and the load's bar */
	mt_screen shown = *s;
	mt_screen_line *lines = mt_xmalloc((size_t)s->rows * sizeof *lines);
	memcpy(lines, s->lines, (size_t)s->rows * sizeof *lines);
	lines[s->rows - 1] = (mt_screen_line){NULL, MT_LINE_STATUS, 0, 0};
	shown.lines = lines;
	ui->draw(ui, &shown); /* the last line is the load's */
	free(lines);
}

/* One dump loaded by a thread of its own (load_dumps). */
struct load_job {
	const char *path;
	mt_graph *g;
	mt_status st;
	mt_err err;
	bool started;
	pthread_t tid;
};

static void *load_thread(void *arg)
{
	struct load_job *j = arg;
	j->st = mt_graph_load(&j->g, j->path, NULL, NULL, &j->err);
	return NULL;
}

/* The browser on a process log or tracker stats file (their --batch and
 * --html are series_main's): the file loaded into d->series before
 * anything is shown.  Returns -1 when the command line names no such
 * file (or one that cannot be read: the dump loader says why), else 0,
 * or 1 after a one-line error. */
static int load_series(dumps *d, const cli *c)
{
	mt_file_kind kind = MT_FILE_UNKNOWN;
	mt_err err;
	mt_err_clear(&err);
	if (c->batch || c->nexprs)
		return -1;
	for (size_t i = 0; i < c->npaths; i++) {
		struct stat st;
		/* a FIFO or a device is the dump loader's to refuse: reading
		 * its first bytes could block */
		if (stat(c->paths[i], &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (mt_series_sniff(c->paths[i], &kind, &err) != MT_OK) {
			mt_err_clear(&err);
			continue;
		}
		if (kind != MT_FILE_LOG && kind != MT_FILE_STATS)
			continue;
		if (c->npaths > 1) {
			fprintf(stderr,
				"%s: %s: a %s opens alone (only dumps "
				"compare)\n",
				progname, c->paths[i],
				kind == MT_FILE_LOG ? "process log"
						    : "tracker stats file");
			return 1;
		}
		d->paths = c->paths;
		d->series = mt_xcalloc(1, sizeof *d->series);
		if (mt_series_load(c->paths[i], d->series, &err) != MT_OK)
			return fail_err(c->paths[i], &err);
		return 0;
	}
	return -1;
}

/* Bytes of dump from which the browser runs detached: the kernel then
 * takes a noticeable time to free its memory at the end (about 0.1 s
 * per GB of dump here).  MEMTRACK_DETACH_FROM=BYTES sets it (0: always),
 * any other value (`off`) turns it off. */
#define DETACH_FROM ((uint64_t)256 << 20)

static bool want_detach(const cli *c)
{
	const char *e = getenv("MEMTRACK_DETACH_FROM");
	uint64_t from = DETACH_FROM, bytes = 0;
	if (c->nexprs || c->batch || c->to.headless || c->mine ||
	    !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return false;
	if (e && *e) {
		char *end;
		errno = 0;
		from = strtoull(e, &end, 10);
		if (errno || *end || *e == '-')
			return false;
	}
	for (size_t i = 0; i < c->npaths; i++) {
		struct stat sb;
		if (stat(c->paths[i], &sb) == 0 && sb.st_size > 0)
			bytes += (uint64_t)sb.st_size;
	}
	return bytes >= from;
}

/* Loads the dumps of the command line, all before anything is shown: the
 * first here with its progress on stderr (for a person waiting for the
 * browser), the others at the same time by threads of their own (a
 * comparison waits for the slowest load, not for their sum).  Returns 0,
 * or 1 after a one-line error naming the first file (in command-line
 * order) that failed; d->g[i] of the others are freed with d. */
static int load_dumps(dumps *d, const cli *c)
{
	bool show = !c->batch && !c->nexprs && !c->to.headless && isatty(2);
	struct load_job job[MAX_DUMPS];
	memset(job, 0, sizeof job);
	d->paths = c->paths;
	/* each dump's key before its load: its saved index is used only if
	 * the dump still has it afterwards (mt_ctx_use_saved_index) */
	for (size_t i = 0; i < c->npaths && !c->no_index; i++) {
		mt_err kerr;
		if (mt_savedidx_probe(c->paths[i], &d->key[i], &kerr) == MT_OK)
			d->idx[i] = c->paths[i];
	}
	if (c->npaths == 1 && d->idx[0] && !c->batch && !c->nexprs) {
		mt_err perr;
		d->have_preview = mt_preview_load(c->paths[0], &d->key[0],
						  &d->preview, &perr) == MT_OK;
	}
	if (d->have_preview && show && !c->attach)
		show_preview(d, &c->to);
	for (size_t i = 1; i < c->npaths; i++) {
		job[i].path = c->paths[i];
		mt_err_clear(&job[i].err);
		job[i].started = pthread_create(&job[i].tid, NULL, load_thread,
						&job[i]) == 0;
	}
	struct load_progress lp = {c->paths[0], -1, {0, 0}, false};
	mt_err_clear(&job[0].err);
	/* under the preview: in its status line */
	job[0].st = mt_graph_load(&job[0].g, c->paths[0],
				  d->ui	 ? ui_load_progress
				  : show ? load_progress
					 : NULL,
				  d->ui ? (void *)d->ui : &lp, &job[0].err);
	if (lp.shown)
		fprintf(stderr, "\r\033[K");
	if (job[0].st != MT_OK && d->ui) { /* the error goes to the shell */
		mt_term_free(d->ui);
		d->ui = NULL;
	}
	for (size_t i = 1; i < c->npaths; i++) {
		if (job[i].started)
			pthread_join(job[i].tid, NULL);
		else /* no thread: load it here */
			load_thread(&job[i]);
	}
	int rc = 0;
	for (size_t i = 0; i < c->npaths; i++) {
		d->g[i] = job[i].g;
		if (job[i].st != MT_OK && !rc)
			rc = fail_err(c->paths[i], &job[i].err);
	}
	d->n = c->npaths;
	return rc;
}

int main(int argc, char **argv)
{
	cli c = {.by = MT_CLASSIFY_CLODO,
		 .growth = -1,
		 .to = {.mouse = true, .color = true, .cols = 80, .rows = 24}};
	dumps d = {0};
	int rc;
	mt_oom_set_handler(out_of_memory);
	c.exprs = calloc((size_t)argc + 1, sizeof *c.exprs);
	if (!c.exprs) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return 1;
	}
	const char *noidx = getenv("MEMTRACK_NO_INDEX");
	c.no_index = noidx && *noidx;
	if ((rc = parse_args(&c, argc, argv)) >= 0) {
		free(c.exprs);
		return rc;
	}
	char *attached[2] = {NULL, NULL};
	if (c.attach) {
		if (mt_attach_dump(progname, c.attach, &attached[0]) != 0) {
			free(c.exprs);
			return 1;
		}
		fprintf(stderr, "%s: the dump of pid %s: ", progname, c.attach);
		put_text(stderr, attached[0], strlen(attached[0]), "");
		fputc('\n', stderr);
		c.paths = attached;
	}
	if (c.to.headless) {
		/* display widths must not depend on the caller's locale */
		if (!setlocale(LC_CTYPE, "C.UTF-8"))
			setlocale(LC_CTYPE, "");
	}
	/* process logs and tracker stats: --batch, --html (series_main.c) */
	series_cli sc = {progname, c.paths, c.npaths, c.batch,
			 c.nexprs, c.html,  stdout,   stderr};
	if ((rc = series_main(&sc)) >= 0) {
		free(c.exprs);
		return rc;
	}
	/* loaded before the terminal is taken over: errors stay one line */
	if ((rc = load_series(&d, &c)) >= 0) {
		if (rc == 0)
			rc = c.to.headless ? run_headless(&d, &c.to)
					   : run_terminal(&d, &c.to);
		goto done;
	}
	if (want_detach(&c))
		detach_fd = mt_detach_start();
	if ((rc = load_dumps(&d, &c)) != 0)
		goto done;
	if (c.mine && !c.nexprs && d.n == 1) {
		/* the report of the program's objects: h (hp.Mine) by -B */
		char *e = mt_xmalloc(strlen(c.by_name ? c.by_name : "") + 16);
		if (c.by_name)
			sprintf(e, "h.by('%s')", c.by_name);
		else
			strcpy(e, "h");
		c.exprs[c.nexprs++] = e;
		rc = run_exprs(&d, c.exprs, c.nexprs, c.all, c.mine);
		free(e);
	} else if (c.nexprs)
		rc = run_exprs(&d, c.exprs, c.nexprs, c.all, c.mine);
	else if (c.batch && d.n > 1)
		rc = report_diff(&d, c.by_name ? c.by_name : "clodo", c.all,
				 c.mine, c.growth);
	else if (c.batch)
		rc = report(d.g[0], d.paths[0], c.by, c.all, c.to.human);
	else if (c.to.headless)
		rc = run_headless(&d, &c.to);
	else
		rc = run_terminal(&d, &c.to);
done:
	mt_detach_done(&detach_fd, rc);
	for (size_t i = 0; i < d.n; i++)
		mt_graph_free(d.g[i]);
	if (d.ui)
		mt_term_free(d.ui);
	mt_preview_free(&d.preview);
	mt_series_destroy(d.series);
	free(d.series);
	free(c.exprs);
	free(attached[0]);
	return rc;
}
