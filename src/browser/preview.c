/* The saved start screen (preview.h).
 *
 * A small text file:
 *
 *     memtrack-view 1
 *     version 0.1.0
 *     key SIZE CHECKSUM OBJECTS EDGES NAMES REACHABLE DEV INO MTIME NSEC
 *     screen ROWS COLS
 *     line ATTR HL_START HL_LEN BYTES       (ROWS times, each followed by
 *     TEXT                                  its BYTES of text and \n)
 *     retained N
 *     KIND COUNT SIZE RETAINED              (N times; KIND - : "all")
 *     end
 *
 * read whole (at most 4 MiB) and checked field by field: anything out of
 * place is MT_MSGPACK ("damaged"), another key or version MT_ARG.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memtrack/safefile.h"
#include "memtrack/strbuf.h"
#include "memtrack/util.h"
#include "preview.h"

#define MAGIC "memtrack-view 1\n"
#define MAX_FILE (4u << 20)
#define MAX_SIDE 4096 /* rows or columns */

char *mt_preview_path(const char *dump)
{
	size_t n = strlen(dump);
	char *p = mt_xmalloc(n + 8);
	memcpy(p, dump, n);
	memcpy(p + n, ".mtview", 8);
	return p;
}

static void key_line(mt_strbuf *b, const mt_savedidx_key *k)
{
	mt_strbuf_printf(b,
			 "key %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
			 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
			 " %" PRId64 " %" PRId64 "\n",
			 k->size, k->checksum, k->objects, k->edges, k->names,
			 k->reachable, k->dev, k->ino, k->mtime_sec,
			 k->mtime_nsec);
}

mt_status mt_preview_save(const char *dump, const mt_savedidx_key *key,
			  const mt_screen *s, const mt_preview_row *rows,
			  size_t n, mt_err *err)
{
	char *path = mt_preview_path(dump);
	mt_strbuf b;
	mt_safefile f;
	mt_status st = mt_safefile_ours(path, MAGIC, sizeof MAGIC - 1,
					 "a memtrack preview", err);
	if (st != MT_OK) {
		free(path);
		return st;
	}
	mt_strbuf_init(&b);
	mt_strbuf_add(&b, MAGIC, sizeof MAGIC - 1);
	mt_strbuf_printf(&b, "version %s\n", PACKAGE_VERSION);
	key_line(&b, key);
	mt_strbuf_printf(&b, "screen %d %d\n", s->rows, s->cols);
	for (int i = 0; i < s->rows; i++) {
		const mt_screen_line *l = &s->lines[i];
		const char *t = l->text ? l->text : "";
		size_t len = strlen(t);
		mt_strbuf_printf(&b, "line %d %d %d %zu\n", (int)l->attr,
				 l->hl_start, l->hl_len, len);
		mt_strbuf_add(&b, t, len);
		mt_strbuf_addc(&b, '\n', 1);
	}
	mt_strbuf_printf(&b, "retained %zu\n", n);
	for (size_t i = 0; i < n; i++) {
		const mt_preview_row *r = &rows[i];
		if (r->kind == MT_NO_ID)
			mt_strbuf_add(&b, "-", 1);
		else
			mt_strbuf_printf(&b, "%" PRIu32, r->kind);
		mt_strbuf_printf(&b, " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
				 r->count, r->size, r->retained);
	}
	mt_strbuf_add(&b, "end\n", 4);
	if (b.nomem)
		st = mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				"preview");
	else if ((st = mt_safefile_open(&f, path, "a preview", 0, err)) ==
		 MT_OK) {
		if ((st = mt_safefile_write(&f, b.s, b.len, err)) == MT_OK)
			st = mt_safefile_commit(&f, err);
		else
			mt_safefile_abort(&f);
	}
	mt_strbuf_destroy(&b);
	free(path);
	return st;
}

void mt_preview_free(mt_preview *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->screen.rows && p->screen.lines; i++)
		free(p->screen.lines[i].text);
	free(p->screen.lines);
	free(p->rows);
	memset(p, 0, sizeof *p);
}

/* The reader: a cursor over the file's bytes. */
typedef struct rd {
	const char *p, *end;
} rd;

/* The next line (without its \n) into buf; false at the end or when
 * longer than buf. */
static bool next_line(rd *r, char *buf, size_t n)
{
	const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	if (!nl || (size_t)(nl - r->p) >= n)
		return false;
	memcpy(buf, r->p, (size_t)(nl - r->p));
	buf[nl - r->p] = '\0';
	r->p = nl + 1;
	return true;
}

static mt_status damaged(mt_err *err, const char *path, const char *what)
{
	return mt_err_set(err, MT_MSGPACK, MT_NO_OFFSET, MT_NO_OFFSET,
			  "%s: damaged preview (%s)", path, what);
}

static mt_status parse(rd *r, const char *path, const mt_savedidx_key *key,
		       mt_preview *p, mt_err *err)
{
	char line[512];
	mt_strbuf want;
	int rows, cols;
	if (!next_line(r, line, sizeof line) ||
	    strcmp(line, "memtrack-view 1") != 0)
		return damaged(err, path, "magic");
	if (!next_line(r, line, sizeof line) || strncmp(line, "version ", 8))
		return damaged(err, path, "version");
	if (strcmp(line + 8, PACKAGE_VERSION) != 0)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "%s: of memtrack %s", path, line + 8);
	if (!next_line(r, line, sizeof line))
		return damaged(err, path, "key");
	mt_strbuf_init(&want);
	key_line(&want, key);
	bool same = want.s && strlen(line) + 1 == want.len &&
		    memcmp(line, want.s, want.len - 1) == 0;
	mt_strbuf_destroy(&want);
	if (!same)
		return mt_err_set(err, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
				  "%s: of another dump", path);
	if (!next_line(r, line, sizeof line) ||
	    sscanf(line, "screen %d %d", &rows, &cols) != 2 || rows < 1 ||
	    cols < 1 || rows > MAX_SIDE || cols > MAX_SIDE)
		return damaged(err, path, "screen");
	p->screen.rows = rows;
	p->screen.cols = cols;
	p->screen.cursor_row = p->screen.cursor_col = -1;
	p->screen.lines = mt_xcalloc((size_t)rows, sizeof *p->screen.lines);
	for (int i = 0; i < rows; i++) {
		int attr, hs, hl;
		size_t len;
		if (!next_line(r, line, sizeof line) ||
		    sscanf(line, "line %d %d %d %zu", &attr, &hs, &hl, &len) !=
			4 ||
		    attr < MT_LINE_NORMAL || attr > MT_LINE_ERROR || hs < 0 ||
		    hl < 0 || hs > cols || hl > cols || len > 8 * (size_t)cols ||
		    (size_t)(r->end - r->p) < len + 1 || r->p[len] != '\n' ||
		    memchr(r->p, '\0', len) || memchr(r->p, '\n', len))
			return damaged(err, path, "line");
		mt_screen_line *l = &p->screen.lines[i];
		l->attr = (mt_line_attr)attr;
		l->hl_start = hs;
		l->hl_len = hl;
		l->text = mt_xmalloc(len + 1);
		memcpy(l->text, r->p, len);
		l->text[len] = '\0';
		r->p += len + 1;
	}
	size_t n;
	if (!next_line(r, line, sizeof line) ||
	    sscanf(line, "retained %zu", &n) != 1 || n > 4096)
		return damaged(err, path, "retained");
	p->n = n;
	p->rows = mt_xcalloc(n ? n : 1, sizeof *p->rows);
	for (size_t i = 0; i < n; i++) {
		mt_preview_row *pr = &p->rows[i];
		const char *nums = line + 1;
		if (!next_line(r, line, sizeof line) || !line[0])
			return damaged(err, path, "figures");
		if (line[0] == '-' && line[1] == ' ')
			pr->kind = MT_NO_ID;
		else if (line[0] >= '0' && line[0] <= '9') {
			char *end;
			unsigned long long k = strtoull(line, &end, 10);
			if (*end != ' ' || k >= MT_NO_ID)
				return damaged(err, path, "figures");
			pr->kind = (uint32_t)k;
			nums = end;
		} else
			return damaged(err, path, "figures");
		int used = 0;
		if (sscanf(nums, " %" SCNu64 " %" SCNu64 " %" SCNu64 "%n",
			   &pr->count, &pr->size, &pr->retained, &used) != 3 ||
		    nums[used] != '\0')
			return damaged(err, path, "figures");
	}
	if (!next_line(r, line, sizeof line) || strcmp(line, "end") ||
	    r->p != r->end)
		return damaged(err, path, "end");
	return MT_OK;
}

mt_status mt_preview_load(const char *dump, const mt_savedidx_key *key,
			  mt_preview *p, mt_err *err)
{
	memset(p, 0, sizeof *p);
	char *path = mt_preview_path(dump);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct stat sb;
	mt_status st;
	if (fd < 0) {
		st = mt_err_set(err, MT_IO, MT_NO_OFFSET, MT_NO_OFFSET,
				"%s: %s", path, strerror(errno));
		free(path);
		return st;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size < 0 ||
	    (uint64_t)sb.st_size > MAX_FILE) {
		close(fd);
		st = damaged(err, path, "not a small regular file");
		free(path);
		return st;
	}
	size_t size = (size_t)sb.st_size, got = 0;
	char *buf = mt_xmalloc(size ? size : 1);
	while (got < size) {
		ssize_t k = read(fd, buf + got, size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	rd r = {buf, buf + got};
	st = got == size ? parse(&r, path, key, p, err)
			 : damaged(err, path, "short read");
	if (st != MT_OK)
		mt_preview_free(p);
	free(buf);
	free(path);
	return st;
}
