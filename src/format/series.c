/* Series files (series.h): sniffing a file, and parsing a process log
 * (JSON lines) or a tracker stats document (one JSON object) into the flat
 * arrays of an mt_series.  The JSON text goes through json.c's nodes; what
 * the series keeps (strings) is copied into its arena, a list of chunks
 * freed with it.  Unknown keys are ignored everywhere (the formats grow). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "memtrack/dump.h"
#include "memtrack/series.h"
#include "memtrack/util.h"

/* ---- the string arena ---- */

typedef struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
} chunk;

static void arena_free(chunk *c)
{
	while (c) {
		chunk *n = c->next;
		free(c);
		c = n;
	}
}

static const char *arena_dup(mt_series *s, const char *t, size_t n)
{
	chunk *c = s->priv_;
	if (!c || c->cap - c->used < n + 1) {
		size_t cap = n + 1 > 65536 ? n + 1 : 65536;
		chunk *nc = malloc(sizeof *nc + cap);
		if (!nc)
			return NULL;
		nc->next = c;
		nc->used = 0;
		nc->cap = cap;
		s->priv_ = nc;
		c = nc;
	}
	char *o = c->data + c->used;
	memcpy(o, t, n);
	o[n] = '\0';
	c->used += n + 1;
	return o;
}

/* ---- growable arrays ---- */

static int grow(void **p, uint32_t *cap, uint32_t n, size_t sz)
{
	if (n < *cap)
		return 1;
	if (*cap >= UINT32_MAX / 2)
		return 0;
	uint32_t nc = *cap ? *cap * 2 : 16;
	void *np = realloc(*p, (size_t)nc * sz);
	if (!np)
		return 0;
	*p = np;
	*cap = nc;
	return 1;
}

/* Room for one more element of p->s->arr (its count cnt, its capacity
 * p->cap_arr). */
#define GROW(p, arr, cnt)                                                      \
	grow((void **)&(p)->s->arr, &(p)->cap_##arr, (p)->s->cnt,              \
	     sizeof *(p)->s->arr)

/* The parse: the JSON of the text being read and where it came from. */
typedef struct {
	mt_json j;
	const char *buf; /* the text parsed into j */
	size_t n;
	uint64_t off0, line0;
	mt_series *s;
	mt_err *err;
	uint32_t cap_samples, cap_snapshots, cap_cstats, cap_objects,
	    cap_frames, cap_sizes, cap_refs, cap_nodes;
} sp;

/* An error about node i: MT_TYPE (or code) at its byte, "line L, column
 * C: what". */
static mt_status bad(sp *p, uint32_t i, mt_status code, const char *what,
		     const char *key)
{
	char where[64];
	uint64_t pos = i < p->j.n ? p->j.nodes[i].pos : p->off0;
	mt_json_where(p->buf, p->n, p->off0, p->line0, pos, where,
		      sizeof where);
	if (key)
		return mt_err_set(p->err, code, pos, MT_NO_OFFSET,
				  "%s: \"%s\" %s", where, key, what);
	return mt_err_set(p->err, code, pos, MT_NO_OFFSET, "%s: %s", where,
			  what);
}

static uint8_t type_of(sp *p, uint32_t i)
{
	return i == MT_JSON_NONE ? MT_JSON_NULL : p->j.nodes[i].type;
}

/* A copy of string member key of obj into the arena: *out NULL when absent
 * or null (or "" when empty_ok); MT_TYPE when another type. */
static mt_status get_str(sp *p, uint32_t obj, const char *key, const char **out,
			 bool empty_for_none)
{
	uint32_t i = mt_json_get(&p->j, obj, key);
	*out = empty_for_none ? "" : NULL;
	if (type_of(p, i) == MT_JSON_NULL)
		return MT_OK;
	size_t len;
	const char *t = mt_json_str(&p->j, i, &len);
	if (!t)
		return bad(p, i, MT_TYPE, "is not a string", key);
	if (!(*out = arena_dup(p->s, t, len)))
		return mt_nomem(p->err);
	return MT_OK;
}

static const char *str_of(sp *p, uint32_t i)
{
	size_t len;
	const char *t = mt_json_str(&p->j, i, &len);
	return t ? arena_dup(p->s, t, len) : NULL;
}

/* A number member: *out = none when absent or null; MT_TYPE when not a
 * number; required: MT_RANGE when absent. */
static mt_status get_num(sp *p, uint32_t obj, const char *key, double *out,
			 double none, bool required)
{
	uint32_t i = mt_json_get(&p->j, obj, key);
	*out = none;
	if (type_of(p, i) == MT_JSON_NULL) {
		if (required)
			return bad(p, i == MT_JSON_NONE ? obj : i, MT_RANGE,
				   "is missing", key);
		return MT_OK;
	}
	if (!mt_json_num(&p->j, i, out))
		return bad(p, i, MT_TYPE, "is not a number", key);
	/* Times, seconds, averages and percents: NaN, Infinity or beyond
	 * 1e15 (a Unix time 30 million years away, a petabyte) is no value
	 * of these files. */
	if (!isfinite(*out) || fabs(*out) > 1e15)
		return bad(p, i, MT_RANGE, "is out of range", key);
	return MT_OK;
}

static mt_status get_int(sp *p, uint32_t obj, const char *key, int64_t *out,
			 bool required)
{
	uint32_t i = mt_json_get(&p->j, obj, key);
	*out = MT_SERIES_NA;
	if (type_of(p, i) == MT_JSON_NULL) {
		if (required)
			return bad(p, i == MT_JSON_NONE ? obj : i, MT_RANGE,
				   "is missing", key);
		return MT_OK;
	}
	if (mt_json_int(&p->j, i, out))
		return MT_OK;
	double d;
	if (mt_json_num(&p->j, i, &d) && d == d && d > -9.2e18 && d < 9.2e18) {
		*out = (int64_t)d; /* a size written as a float */
		return MT_OK;
	}
	return bad(p, i, MT_TYPE, "is not an integer", key);
}

/* Member key of obj, which must be an array (or absent/null when
 * optional): *arr its node or MT_JSON_NONE. */
static mt_status get_arr(sp *p, uint32_t obj, const char *key, uint32_t *arr,
			 bool required)
{
	uint32_t i = mt_json_get(&p->j, obj, key);
	*arr = MT_JSON_NONE;
	if (type_of(p, i) == MT_JSON_NULL) {
		if (required)
			return bad(p, i == MT_JSON_NONE ? obj : i, MT_RANGE,
				   "is missing", key);
		return MT_OK;
	}
	if (type_of(p, i) != MT_JSON_ARR)
		return bad(p, i, MT_TYPE, "is not an array", key);
	*arr = i;
	return MT_OK;
}

#define EACH(p, c, parent)                                                     \
	for (uint32_t c = (parent) + 1;                                        \
	     (parent) != MT_JSON_NONE && c < (p)->j.nodes[parent].end;         \
	     c = (p)->j.nodes[c].end)

/* One process sample from object node obj. */
static mt_status read_sample(sp *p, uint32_t obj, uint32_t line)
{
	mt_series *s = p->s;
	mt_status st;
	if (type_of(p, obj) != MT_JSON_OBJ)
		return bad(p, obj, MT_TYPE, "expected a sample (an object)",
			   NULL);
	if (!GROW(p, samples, nsamples))
		return mt_nomem(p->err);
	mt_series_sample *x = &s->samples[s->nsamples];
	memset(x, 0, sizeof *x);
	x->line = line;
	if ((st = get_num(p, obj, "t", &x->t, -1, true)) ||
	    (st = get_int(p, obj, "rss", &x->rss, false)) ||
	    (st = get_int(p, obj, "vms", &x->vms, false)) ||
	    (st = get_int(p, obj, "peak_rss", &x->peak_rss, false)) ||
	    (st = get_int(p, obj, "minflt", &x->minflt, false)) ||
	    (st = get_int(p, obj, "majflt", &x->majflt, false)) ||
	    (st = get_num(p, obj, "cpu_user", &x->cpu_user, -1, false)) ||
	    (st = get_num(p, obj, "cpu_sys", &x->cpu_sys, -1, false)) ||
	    (st = get_str(p, obj, "label", &x->label, false)) ||
	    (st = get_str(p, obj, "dump", &x->dump, false)))
		return st;
	s->nsamples++;
	return MT_OK;
}

/* The header keys shared by a log's first line and a stats document. */
static mt_status read_header(sp *p, uint32_t obj)
{
	mt_series *s = p->s;
	mt_status st;
	uint32_t argv;
	if ((st = get_int(p, obj, "pid", &s->pid, false)) ||
	    (st = get_num(p, obj, "interval", &s->interval, -1, false)) ||
	    (st = get_arr(p, obj, "argv", &argv, false)))
		return st;
	if (argv == MT_JSON_NONE)
		return MT_OK;
	uint32_t n = p->j.nodes[argv].count;
	if (!(s->argv = calloc(n ? n : 1, sizeof *s->argv)))
		return mt_nomem(p->err);
	EACH(p, c, argv)
	{
		if (type_of(p, c) != MT_JSON_STR)
			return bad(p, c, MT_TYPE, "is not a string", "argv");
		if (!(s->argv[s->argc++] = str_of(p, c)))
			return mt_nomem(p->err);
	}
	return MT_OK;
}

/* ---- process logs ---- */

static mt_status parse_log(sp *p, const char *buf, size_t n)
{
	mt_series *s = p->s;
	mt_status st;
	uint64_t line = 0;
	size_t at = 0;
	s->kind = MT_FILE_LOG;
	while (at < n) {
		const char *nl = memchr(buf + at, '\n', n - at);
		size_t len = nl ? (size_t)(nl - (buf + at)) : n - at;
		line++;
		const char *t = buf + at;
		size_t k = 0;
		while (k < len && (t[k] == ' ' || t[k] == '\t' || t[k] == '\r'))
			k++;
		if (k == len) { /* a blank line */
			at += len + 1;
			continue;
		}
		p->buf = t;
		p->n = len;
		p->off0 = at;
		p->line0 = line;
		st = mt_json_parse(&p->j, t, len, at, line, p->err);
		if (st && !nl && s->nsamples > 0 && st != MT_NOMEM) {
			/* The last line of a killed writer. */
			snprintf(s->warning, sizeof s->warning,
				 "line %llu: incomplete last line ignored",
				 (unsigned long long)line);
			mt_err_clear(p->err);
			break;
		}
		if (st == MT_TRUNCATED && nl && p->err)
			p->err->code =
			    MT_SYNTAX; /* the line ends, not the file */
		if (st)
			return st == MT_TRUNCATED && nl ? MT_SYNTAX : st;
		if (p->j.nodes[0].type != MT_JSON_OBJ)
			return bad(p, 0, MT_TYPE,
				   "expected a sample (an object)", NULL);
		if (line == 1 || s->nsamples == 0) {
			if (mt_json_get(&p->j, 0, "memtrack_log") ==
			    MT_JSON_NONE)
				return bad(p, 0, MT_MAGIC,
					   "the first line has no "
					   "\"memtrack_log\" key: not a "
					   "memtrack process log",
					   NULL);
			if ((st = read_header(p, 0)))
				return st;
		}
		if ((st = read_sample(p, 0, (uint32_t)line)))
			return st;
		at += len + 1;
	}
	if (s->nsamples == 0)
		return mt_err_set(p->err, MT_TRUNCATED, n, MT_NO_OFFSET,
				  "the log has no sample");
	return MT_OK;
}

/* ---- tracker stats ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

uint32_t mt_series_class(const mt_series *s, const char *name)
{
	const char **f = bsearch(&name, s->classes, s->nclasses,
				 sizeof *s->classes, cmp_str);
	return f ? (uint32_t)(f - s->classes) : UINT32_MAX;
}

const mt_series_cstat *mt_series_cstat_of(const mt_series *s, uint32_t snap,
					  uint32_t cls)
{
	if (snap >= s->nsnapshots)
		return NULL;
	const mt_series_snapshot *sn = &s->snapshots[snap];
	uint32_t lo = sn->first_cstat, hi = lo + sn->ncstats;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->cstats[mid].cls < cls)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < sn->first_cstat + sn->ncstats && s->cstats[lo].cls == cls)
		return &s->cstats[lo];
	return NULL;
}

static int cmp_cstat(const void *a, const void *b)
{
	uint32_t x = ((const mt_series_cstat *)a)->cls,
		 y = ((const mt_series_cstat *)b)->cls;
	return x < y ? -1 : x > y;
}

/* The class names of the document (snapshots' classes keys, objects'
 * "class"), sorted and unique, into s->classes. */
static mt_status collect_classes(sp *p, uint32_t snaps, uint32_t objs)
{
	mt_series *s = p->s;
	mt_status st;
	const char **names = NULL;
	uint32_t n = 0, cap = 0;
	EACH(p, sn, snaps)
	{
		uint32_t cl = mt_json_get(&p->j, sn, "classes");
		if (type_of(p, cl) == MT_JSON_NULL)
			continue;
		if (type_of(p, cl) != MT_JSON_OBJ) {
			free(names);
			return bad(p, cl, MT_TYPE, "is not an object",
				   "classes");
		}
		EACH(p, c, cl)
		{
			if (!grow((void **)&names, &cap, n, sizeof *names)) {
				free(names);
				return mt_nomem(p->err);
			}
			names[n++] = mt_json_key(&p->j, c);
		}
	}
	EACH(p, o, objs)
	{
		uint32_t c = mt_json_get(&p->j, o, "class");
		if (type_of(p, c) != MT_JSON_STR)
			continue; /* read_object says why */
		if (!grow((void **)&names, &cap, n, sizeof *names)) {
			free(names);
			return mt_nomem(p->err);
		}
		names[n++] = mt_json_str(&p->j, c, NULL);
	}
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	st = MT_OK;
	if (!(s->classes = calloc(n ? n : 1, sizeof *s->classes))) {
		free(names);
		return mt_nomem(p->err);
	}
	for (uint32_t i = 0; i < n; i++) {
		if (s->nclasses &&
		    strcmp(s->classes[s->nclasses - 1], names[i]) == 0)
			continue;
		const char *c = arena_dup(s, names[i], strlen(names[i]));
		if (!c) {
			st = mt_nomem(p->err);
			break;
		}
		s->classes[s->nclasses++] = c;
	}
	free(names);
	return st;
}

static mt_status read_snapshot(sp *p, uint32_t sn)
{
	mt_series *s = p->s;
	mt_status st;
	if (type_of(p, sn) != MT_JSON_OBJ)
		return bad(p, sn, MT_TYPE, "expected a snapshot (an object)",
			   NULL);
	if (!GROW(p, snapshots, nsnapshots))
		return mt_nomem(p->err);
	mt_series_snapshot *x = &s->snapshots[s->nsnapshots];
	memset(x, 0, sizeof *x);
	x->first_cstat = s->ncstats;
	if ((st = get_num(p, sn, "t", &x->t, -1, true)) ||
	    (st = get_str(p, sn, "desc", &x->desc, true)) ||
	    (st = get_int(p, sn, "tracked_total", &x->tracked_total, false)) ||
	    (st = get_int(p, sn, "asizeof_total", &x->asizeof_total, false)) ||
	    (st = get_int(p, sn, "rss", &x->rss, false)) ||
	    (st = get_int(p, sn, "vms", &x->vms, false)))
		return st;
	if (x->tracked_total == MT_SERIES_NA)
		x->tracked_total = 0;
	uint32_t cl = mt_json_get(&p->j, sn, "classes");
	EACH(p, c, type_of(p, cl) == MT_JSON_OBJ ? cl : MT_JSON_NONE)
	{
		if (type_of(p, c) != MT_JSON_OBJ)
			return bad(p, c, MT_TYPE, "is not an object",
				   mt_json_key(&p->j, c));
		if (!GROW(p, cstats, ncstats))
			return mt_nomem(p->err);
		mt_series_cstat *y = &s->cstats[s->ncstats];
		memset(y, 0, sizeof *y);
		y->cls = mt_series_class(s, mt_json_key(&p->j, c));
		if ((st = get_int(p, c, "sum", &y->sum, false)) ||
		    (st = get_num(p, c, "avg", &y->avg, 0, false)) ||
		    (st = get_int(p, c, "active", &y->active, false)) ||
		    (st = get_num(p, c, "pct", &y->pct, 0, false)))
			return st;
		if (y->sum == MT_SERIES_NA)
			y->sum = 0;
		if (y->active == MT_SERIES_NA)
			y->active = 0;
		s->ncstats++;
	}
	x = &s->snapshots[s->nsnapshots];
	x->ncstats = s->ncstats - x->first_cstat;
	if (x->ncstats)
		qsort(s->cstats + x->first_cstat, x->ncstats, sizeof *s->cstats,
		      cmp_cstat);
	/* A repeated key: keep the last (mt_json_get's rule). */
	uint32_t w = x->first_cstat;
	for (uint32_t r = x->first_cstat; r < s->ncstats; r++) {
		if (r + 1 < s->ncstats &&
		    s->cstats[r + 1].cls == s->cstats[r].cls)
			continue;
		s->cstats[w++] = s->cstats[r];
	}
	s->ncstats = w;
	x->ncstats = w - x->first_cstat;
	s->nsnapshots++;
	return MT_OK;
}

/* A referents forest: the NODE array at arr, into s->nodes in preorder
 * (iteratively: a NODE's children are its 4th element). */
static mt_status read_forest(sp *p, uint32_t arr, uint32_t *first,
			     uint32_t *count)
{
	mt_series *s = p->s;
	/* The stack holds, per open level, the JSON node of the next NODE
	 * to read, the end of that list and the series node it belongs to. */
	struct lvl {
		uint32_t next, end, parent;
	} *stk = NULL;
	uint32_t depth = 0, cap = 0;
	mt_status st = MT_OK;
	*first = s->nnodes;
	if (!grow((void **)&stk, &cap, 0, sizeof *stk))
		return mt_nomem(p->err);
	stk[depth++] = (struct lvl){arr + 1, p->j.nodes[arr].end, UINT32_MAX};
	while (depth) {
		struct lvl *l = &stk[depth - 1];
		if (l->next >= l->end) {
			if (l->parent != UINT32_MAX)
				s->nodes[l->parent].end = s->nnodes;
			depth--;
			continue;
		}
		uint32_t nd = l->next;
		l->next = p->j.nodes[nd].end;
		uint32_t name = nd + 1;
		if (type_of(p, nd) != MT_JSON_ARR ||
		    p->j.nodes[nd].count != 4 ||
		    type_of(p, name) != MT_JSON_STR) {
			st = bad(p, nd, MT_TYPE,
				 "expected a referent [name, size, flat, "
				 "[referents...]]",
				 NULL);
			break;
		}
		uint32_t size = p->j.nodes[name].end,
			 flat = p->j.nodes[size].end,
			 kids = p->j.nodes[flat].end;
		if (!GROW(p, nodes, nnodes)) {
			st = mt_nomem(p->err);
			break;
		}
		mt_series_node *x = &s->nodes[s->nnodes];
		x->depth = depth - 1;
		x->end = s->nnodes + 1;
		if (!mt_json_int(&p->j, size, &x->size) ||
		    !mt_json_int(&p->j, flat, &x->flat)) {
			st = bad(p, size, MT_TYPE,
				 "expected a referent's size and flat size "
				 "(integers)",
				 NULL);
			break;
		}
		if (!(x->name = str_of(p, name))) {
			st = mt_nomem(p->err);
			break;
		}
		uint32_t me = s->nnodes++;
		if (type_of(p, kids) != MT_JSON_ARR) {
			st = bad(p, kids, MT_TYPE,
				 "expected a referent's referents (an array)",
				 NULL);
			break;
		}
		if (!grow((void **)&stk, &cap, depth, sizeof *stk)) {
			st = mt_nomem(p->err);
			break;
		}
		stk[depth++] = (struct lvl){kids + 1, p->j.nodes[kids].end, me};
	}
	free(stk);
	*count = s->nnodes - *first;
	return st;
}

static mt_status read_object(sp *p, uint32_t o)
{
	mt_series *s = p->s;
	mt_status st;
	const char *cls;
	int64_t id;
	uint32_t arr;
	if (type_of(p, o) != MT_JSON_OBJ)
		return bad(p, o, MT_TYPE, "expected a tracked object", NULL);
	if (!GROW(p, objects, nobjects))
		return mt_nomem(p->err);
	mt_series_object x;
	memset(&x, 0, sizeof x);
	if ((st = get_int(p, o, "id", &id, true)) ||
	    (st = get_str(p, o, "class", &cls, false)) ||
	    (st = get_str(p, o, "name", &x.name, true)) ||
	    (st = get_str(p, o, "repr", &x.repr, true)) ||
	    (st = get_num(p, o, "birth", &x.birth, -1, true)) ||
	    (st = get_num(p, o, "death", &x.death, -1, false)) ||
	    (st = get_int(p, o, "level", &x.level, false)))
		return st;
	if (!cls)
		return bad(p, o, MT_RANGE, "is missing", "class");
	x.id = (uint64_t)id;
	x.cls = mt_series_class(s, cls);
	if (x.level == MT_SERIES_NA)
		x.level = 0;
	/* trace: [["file", line, "func"], ...] */
	if ((st = get_arr(p, o, "trace", &arr, false)))
		return st;
	x.has_trace = arr != MT_JSON_NONE;
	x.first_frame = s->nframes;
	EACH(p, f, arr)
	{
		uint32_t a = f + 1, b, c;
		if (type_of(p, f) != MT_JSON_ARR || p->j.nodes[f].count < 3 ||
		    type_of(p, a) != MT_JSON_STR ||
		    type_of(p, (b = p->j.nodes[a].end)) != MT_JSON_INT ||
		    type_of(p, (c = p->j.nodes[b].end)) != MT_JSON_STR)
			return bad(p, f, MT_TYPE,
				   "expected a frame [file, line, function]",
				   NULL);
		if (!GROW(p, frames, nframes))
			return mt_nomem(p->err);
		mt_series_frame *y = &s->frames[s->nframes];
		y->line = p->j.nodes[b].v.i;
		if (!(y->file = str_of(p, a)) || !(y->func = str_of(p, c)))
			return mt_nomem(p->err);
		s->nframes++;
	}
	x.nframes = s->nframes - x.first_frame;
	/* sizes: [[T, size, flat], ...] */
	if ((st = get_arr(p, o, "sizes", &arr, false)))
		return st;
	x.first_size = s->nsizes;
	EACH(p, z, arr)
	{
		uint32_t a = z + 1, b, c;
		if (!GROW(p, sizes, nsizes))
			return mt_nomem(p->err);
		mt_series_size *y = &s->sizes[s->nsizes];
		if (type_of(p, z) != MT_JSON_ARR || p->j.nodes[z].count < 3 ||
		    !mt_json_num(&p->j, a, &y->t) || !(fabs(y->t) <= 1e15) ||
		    !mt_json_int(&p->j, (b = p->j.nodes[a].end), &y->size) ||
		    !mt_json_int(&p->j, (c = p->j.nodes[b].end), &y->flat))
			return bad(p, z, MT_TYPE,
				   "expected a size [time, size, flat]", NULL);
		s->nsizes++;
	}
	x.nsizes = s->nsizes - x.first_size;
	/* refs: [[T, [NODE...]], ...] */
	if ((st = get_arr(p, o, "refs", &arr, false)))
		return st;
	x.first_refs = s->nrefs;
	EACH(p, r, arr)
	{
		uint32_t a = r + 1, b;
		mt_series_refs y;
		if (type_of(p, r) != MT_JSON_ARR || p->j.nodes[r].count < 2 ||
		    !mt_json_num(&p->j, a, &y.t) || !(fabs(y.t) <= 1e15) ||
		    type_of(p, (b = p->j.nodes[a].end)) != MT_JSON_ARR)
			return bad(p, r, MT_TYPE,
				   "expected referents [time, [referents...]]",
				   NULL);
		if ((st = read_forest(p, b, &y.first_node, &y.nnodes)))
			return st;
		if (!GROW(p, refs, nrefs))
			return mt_nomem(p->err);
		s->refs[s->nrefs++] = y;
	}
	x.nrefs = s->nrefs - x.first_refs;
	s->objects[s->nobjects++] = x;
	return MT_OK;
}

static mt_status parse_stats(sp *p, const char *buf, size_t n)
{
	mt_series *s = p->s;
	mt_status st;
	uint32_t snaps, objs, log;
	s->kind = MT_FILE_STATS;
	p->buf = buf;
	p->n = n;
	p->off0 = 0;
	p->line0 = 1;
	if ((st = mt_json_parse(&p->j, buf, n, 0, 1, p->err)))
		return st;
	if (type_of(p, 0) != MT_JSON_OBJ ||
	    mt_json_get(&p->j, 0, "memtrack_stats") == MT_JSON_NONE)
		return bad(p, 0, MT_MAGIC,
			   "no \"memtrack_stats\" key: not a memtrack "
			   "tracker stats file",
			   NULL);
	if ((st = read_header(p, 0)) ||
	    (st = get_arr(p, 0, "snapshots", &snaps, true)) ||
	    (st = get_arr(p, 0, "objects", &objs, false)) ||
	    (st = get_arr(p, 0, "log", &log, false)) ||
	    (st = collect_classes(p, snaps, objs)))
		return st;
	EACH(p, sn, snaps)
	if ((st = read_snapshot(p, sn)))
		return st;
	EACH(p, o, objs)
	if ((st = read_object(p, o)))
		return st;
	EACH(p, x, log)
	if ((st = read_sample(p, x, 0)))
		return st;
	return MT_OK;
}

/* ---- sniffing, loading ---- */

mt_file_kind mt_series_sniff_mem(const char *buf, size_t n)
{
	static const char magic[] = "\xad" MT_DUMP_MAGIC;
	static const char skey[] = "\"memtrack_stats\"";
	if (n >= sizeof magic - 1 && memcmp(buf, magic, sizeof magic - 1) == 0)
		return MT_FILE_DUMP;
	size_t i = 0;
	while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
			 buf[i] == '\n'))
		i++;
	if (i >= n || buf[i] != '{')
		return MT_FILE_UNKNOWN;
	size_t k = i + 1;
	while (k < n && (buf[k] == ' ' || buf[k] == '\t' || buf[k] == '\r' ||
			 buf[k] == '\n'))
		k++;
	if (n - k >= sizeof skey - 1 &&
	    memcmp(buf + k, skey, sizeof skey - 1) == 0)
		return MT_FILE_STATS;
	/* A log: its first line is an object with "memtrack_log". */
	const char *nl = memchr(buf + i, '\n', n - i);
	size_t len = nl ? (size_t)(nl - (buf + i)) : n - i;
	mt_json j;
	mt_file_kind kind = MT_FILE_UNKNOWN;
	mt_json_init(&j);
	if (mt_json_parse(&j, buf + i, len, 0, 1, NULL) == MT_OK &&
	    mt_json_get(&j, 0, "memtrack_log") != MT_JSON_NONE)
		kind = MT_FILE_LOG;
	mt_json_destroy(&j);
	return kind;
}

static mt_status read_file(const char *path, size_t limit, char **out,
			   size_t *n, mt_err *err)
{
	/* O_NONBLOCK: opening a FIFO with no writer would wait forever (the
	 * check below refuses it); it changes nothing for a regular file */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	char *buf = NULL;
	size_t len = 0, cap = 0;
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0)
		goto fail;
	if (!S_ISREG(sb.st_mode)) {
		const char *what = S_ISDIR(sb.st_mode)	  ? "a directory"
				   : S_ISFIFO(sb.st_mode) ? "a FIFO"
				   : S_ISCHR(sb.st_mode)  ? "a character device"
				   : S_ISBLK(sb.st_mode)  ? "a block device"
				   : S_ISSOCK(sb.st_mode) ? "a socket"
							  : "a special file";
		close(fd);
		return mt_err_set(err, MT_IO, MT_NO_OFFSET, MT_NO_OFFSET,
				  "%s is %s, not a regular file", path, what);
	}
	for (;;) {
		if (len == cap) {
			if (cap >= limit)
				break;
			size_t nc = cap ? cap * 2 : 65536;
			if (nc > limit)
				nc = limit;
			char *nb = realloc(buf, nc + 1);
			if (!nb) {
				close(fd);
				free(buf);
				return mt_nomem(err);
			}
			buf = nb;
			cap = nc;
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (!buf && !(buf = malloc(1)))
		return mt_nomem(err);
	buf[len] = '\0';
	*out = buf;
	*n = len;
	return MT_OK;
fail : {
	int e = errno;
	if (fd >= 0)
		close(fd);
	free(buf);
	mt_err_set(err, MT_IO, MT_NO_OFFSET, MT_NO_OFFSET, "%s", strerror(e));
	if (err)
		err->sys_errno = e;
	return MT_IO;
}
}

mt_status mt_series_sniff(const char *path, mt_file_kind *kind, mt_err *err)
{
	char *buf;
	size_t n;
	mt_status st = read_file(path, 65536, &buf, &n, err);
	*kind = MT_FILE_UNKNOWN;
	if (st)
		return st;
	*kind = mt_series_sniff_mem(buf, n);
	free(buf);
	return MT_OK;
}

void mt_series_destroy(mt_series *s)
{
	if (!s)
		return;
	free(s->argv);
	free(s->samples);
	free(s->classes);
	free(s->snapshots);
	free(s->cstats);
	free(s->objects);
	free(s->frames);
	free(s->sizes);
	free(s->refs);
	free(s->nodes);
	arena_free(s->priv_);
	memset(s, 0, sizeof *s);
}

mt_status mt_series_parse(const char *buf, size_t n, mt_file_kind kind,
			  mt_series *out, mt_err *err)
{
	sp p;
	mt_status st;
	memset(out, 0, sizeof *out);
	out->pid = MT_SERIES_NA;
	out->interval = -1;
	memset(&p, 0, sizeof p);
	mt_json_init(&p.j);
	p.s = out;
	p.err = err;
	if (kind == MT_FILE_UNKNOWN)
		kind = mt_series_sniff_mem(buf, n);
	if (kind == MT_FILE_LOG)
		st = parse_log(&p, buf, n);
	else if (kind == MT_FILE_STATS)
		st = parse_stats(&p, buf, n);
	else
		st = mt_err_set(err, MT_MAGIC, 0, MT_NO_OFFSET, "%s",
				kind == MT_FILE_DUMP
				    ? "a heap dump, not a process log "
				      "or tracker stats file"
				    : "not a memtrack dump, process log "
				      "or tracker stats file");
	mt_json_destroy(&p.j);
	if (st) {
		mt_series_destroy(out);
		out->pid = MT_SERIES_NA;
		out->interval = -1;
	}
	return st;
}

mt_status mt_series_load(const char *path, mt_series *out, mt_err *err)
{
	char *buf;
	size_t n;
	mt_status st;
	memset(out, 0, sizeof *out);
	if ((st = read_file(path, SIZE_MAX / 2, &buf, &n, err)))
		return st;
	st = mt_series_parse(buf, n, MT_FILE_UNKNOWN, out, err);
	free(buf);
	return st;
}
