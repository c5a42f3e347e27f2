/* memtrack-tui on series files (process logs, tracker stats): --batch
 * (their summaries) and --html OUT (the report page), for main.c. */
#ifndef MEMTRACK_SERIES_MAIN_H
#define MEMTRACK_SERIES_MAIN_H

#include <stddef.h>
#include <stdio.h>

/* What main.c's command line says that concerns series files. */
typedef struct series_cli {
	const char *progname;
	char *const *paths; /* the files of the command line */
	size_t npaths;
	int batch;	  /* --batch */
	size_t nexprs;	  /* -e count */
	const char *html; /* --html OUT, or NULL */
	FILE *out, *err;  /* where the summaries and the errors go */
} series_cli;

/* Runs --html, or --batch on series files.  Returns -1 when it is none of
 * its business (no --html, and not --batch on a log or stats file: dumps,
 * or the browser, go on as before; a file that cannot be read is left to
 * the dump loader's message), else the exit status: 0, or 1 after one
 * line on c->err ("memtrack-tui: PATH: what is wrong"). */
int series_main(const series_cli *c);

#endif
