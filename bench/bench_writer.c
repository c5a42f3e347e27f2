/* The dump writer alone, with and without its output thread.
 *
 *     bench_writer DUMP.mp OUT.mp [ROUNDS]
 *
 * Reads DUMP.mp (a real dump: bench_capture.py makes one) into memory,
 * then writes the same records again through mt_writer ROUNDS times
 * (default 5) with the output thread on, then off, alternating, to OUT.mp.
 * Prints, per mode, the best and median of: wall seconds of the writer's
 * calls, CPU seconds of the calling thread (what the walker would spend)
 * and CPU seconds of the process (both threads), then whether the two
 * modes wrote the same bytes.  Only the writer's calls are timed; the
 * records are decoded beforehand. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "memtrack/reader.h"
#include "memtrack/writer.h"

typedef struct {
	mt_record_kind kind;
	uint32_t id; /* OBJECT */
	mt_obj obj;
	size_t edge0, nedges;
	const char *name;
	uint32_t name_len;
} rec;

typedef struct {
	rec *recs;
	size_t nrecs;
	mt_edge *edges;
	size_t nedges;
	const uint8_t *mark;
	uint64_t nbits;
	bool have_sites;
	mt_sites_rec sites;
	uint32_t *obj_site;
	uint32_t *file_lens;
	uint64_t objects, reachable;
} replay;

static void die(const char *what, const mt_err *err)
{
	char line[300];
	if (err) {
		mt_err_format(err, line, sizeof line);
		fprintf(stderr, "bench_writer: %s: %s\n", what, line);
	} else {
		fprintf(stderr, "bench_writer: %s\n", what);
	}
	exit(1);
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 1024;
	while (c < need)
		c *= 2;
	void *q = realloc(p, c * size);
	if (!q) {
		die("out of memory", NULL);
	}
	p = q;
	*cap = c;
	return p;
}

static double cpu(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Writes the replay to out; fills wall/thread/process seconds. */
static void write_once(const replay *rp, const mt_reader *rd, const char *out,
		       bool thread, double t[3])
{
	mt_writer *w;
	mt_err err;
	double w0 = bench_now(), c0 = cpu(CLOCK_THREAD_CPUTIME_ID),
	       p0 = cpu(CLOCK_PROCESS_CPUTIME_ID);
	if (mt_writer_new(&w, out, &err))
		die("creating the output", &err);
	mt_writer_set_thread(w, thread);
	mt_status st = mt_writer_header(w, mt_reader_header(rd), &err);
	for (size_t i = 0; i < rp->nrecs && !st; i++) {
		const rec *r = &rp->recs[i];
		uint32_t idx;
		switch (r->kind) {
		case MT_RECORD_NAME:
			st =
			    mt_writer_name(w, r->name, r->name_len, &idx, &err);
			break;
		case MT_RECORD_ROOTS:
			st = mt_writer_roots(w, rp->edges + r->edge0, r->nedges,
					     &err);
			break;
		case MT_RECORD_OBJECT:
			st = mt_writer_object(w, r->id, &r->obj,
					      rp->edges + r->edge0, r->nedges,
					      &err);
			break;
		}
	}
	if (!st && rp->mark)
		st = mt_writer_mark(w, rp->mark, rp->nbits, &err);
	if (!st && rp->have_sites) {
		const mt_sites_rec *s = &rp->sites;
		st = mt_writer_sites(w, s->files, rp->file_lens, s->nfiles,
				     s->site_file, s->site_line, s->nsites,
				     rp->obj_site, rp->objects, &err);
	}
	if (st) {
		mt_writer_abort(w);
		die("writing", &err);
	}
	if (mt_writer_finish(w, rp->reachable, &err))
		die("finishing", &err);
	t[0] = bench_now() - w0;
	t[1] = cpu(CLOCK_THREAD_CPUTIME_ID) - c0;
	t[2] = cpu(CLOCK_PROCESS_CPUTIME_ID) - p0;
}

static bool same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	bool same = fa && fb;
	char x[65536], y[65536];
	while (same) {
		size_t n = fread(x, 1, sizeof x, fa),
		       m = fread(y, 1, sizeof y, fb);
		same = n == m && !memcmp(x, y, n);
		if (!n)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr,
			"usage: bench_writer DUMP.mp OUT.mp [ROUNDS]\n");
		return 2;
	}
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	if (rounds < 1 || rounds > 100)
		die("ROUNDS must be 1..100", NULL);
	int fd = open(argv[1], O_RDONLY);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0)
		die("cannot open the dump", NULL);
	const uint8_t *buf =
	    mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (buf == MAP_FAILED)
		die("cannot map the dump", NULL);
	mt_reader *rd;
	mt_err err;
	if (mt_reader_new(&rd, buf, (size_t)sb.st_size, &err))
		die("reading the dump", &err);
	replay rp = {0};
	size_t rcap = 0, ecap = 0;
	mt_record r;
	mt_status st;
	while ((st = mt_reader_next(rd, &r, &err)) == MT_OK) {
		rp.recs = grow(rp.recs, &rcap, rp.nrecs + 1, sizeof *rp.recs);
		rec *x = &rp.recs[rp.nrecs++];
		memset(x, 0, sizeof *x);
		x->kind = r.kind;
		x->id = r.id;
		x->obj = r.obj; /* strings point into the mapped file */
		x->name = r.name;
		x->name_len = r.name_len;
		if (r.kind == MT_RECORD_NAME)
			continue; /* r.edges and r.nedges are not set */
		x->edge0 = rp.nedges;
		x->nedges = r.nedges;
		rp.edges = grow(rp.edges, &ecap, rp.nedges + r.nedges,
				sizeof *rp.edges);
		if (r.nedges)
			memcpy(rp.edges + rp.nedges, r.edges,
			       r.nedges * sizeof *r.edges);
		rp.nedges += r.nedges;
		rp.objects += r.kind == MT_RECORD_OBJECT;
	}
	if (st != MT_END)
		die("reading the dump", &err);
	rp.reachable = mt_reader_trailer(rd)->reachable;
	if (!mt_reader_mark(rd, &rp.mark, &rp.nbits))
		rp.mark = NULL;
	rp.have_sites = mt_reader_sites(rd, &rp.sites);
	if (rp.have_sites) {
		rp.obj_site = malloc(rp.objects * sizeof *rp.obj_site);
		rp.file_lens = malloc((rp.sites.nfiles + 1) * sizeof(uint32_t));
		if (!rp.obj_site || !rp.file_lens)
			die("out of memory", NULL);
		const uint8_t *p = rp.sites.codes;
		for (uint64_t i = 0; i < rp.objects; i++)
			rp.obj_site[i] = mt_sites_next(&p);
		for (uint32_t i = 0; i < rp.sites.nfiles; i++)
			rp.file_lens[i] = (uint32_t)strlen(rp.sites.files[i]);
	}
	printf("objects: %llu\n", (unsigned long long)rp.objects);
	printf("dump_bytes: %lld\n", (long long)sb.st_size);

	size_t olen = strlen(argv[2]);
	char *out_off = malloc(olen + 5);
	if (!out_off)
		die("out of memory", NULL);
	snprintf(out_off, olen + 5, "%s.off", argv[2]);
	double t[2][3][100];
	for (int k = 0; k < rounds; k++)
		for (int m = 0; m < 2; m++) {
			double x[3];
			write_once(&rp, rd, m ? out_off : argv[2], m == 0, x);
			for (int j = 0; j < 3; j++)
				t[m][j][k] = x[j];
		}
	static const char *const mode[] = {"thread", "no_thread"};
	static const char *const what[] = {"wall", "caller_cpu", "process_cpu"};
	for (int m = 0; m < 2; m++)
		for (int j = 0; j < 3; j++) {
			qsort(t[m][j], (size_t)rounds, sizeof(double),
			      cmp_double);
			printf("%s_%s_seconds: best %.3f median %.3f\n",
			       mode[m], what[j], t[m][j][0],
			       t[m][j][rounds / 2]);
		}
	printf("same_bytes: %s\n", same_file(argv[2], out_off) ? "yes" : "no");
	unlink(out_off);
	free(out_off);
	mt_reader_free(rd);
	return 0;
}
