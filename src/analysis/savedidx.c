/* Saved indexes (include/memtrack/savedidx.h).
 *
 * Owns the index file's layout: a fixed 128-byte header (struct hdr,
 * written as is: the byte-order mark refuses a file of another order),
 * then retained[N] (uint64, 8-aligned at offset 128) and idom[N] (uint32).
 * The header's last field is the checksum (mt_hash64) of the header before
 * it; body_sum is mt_hash64 of the body.  A load reads the header, checks it
 * against the dump's key and the graph, then reads the body in
 * chunks into a tree's own arrays (mt_domtree_new_: 8 bytes an object,
 * the retained sizes packed as a built tree keeps them), hashing each
 * chunk (about one cycle per byte, with progress) and checking every idom
 * value's range as it comes.  Not mapped: passes over a mapped tree paid
 * for mapping its small file pages again each time (see the load).
 * A save writes a temporary file and renames it without an fsync: the
 * checks refuse an index a crash cut short.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memtrack/checksum.h"
#include "memtrack/safefile.h"
#include "memtrack/savedidx.h"

#define MAGIC "MTIDX\r\n\032" /* 8 bytes with its NUL-free tail */
#define ORDER_MARK 0x01020304u
#define HDR_SIZE 128u
#define CHUNK ((size_t)1 << 24) /* bytes hashed between progress calls */

struct hdr {
	char magic[8];
	uint32_t version;     /* MT_SAVEDIDX_VERSION */
	uint32_t order;	      /* ORDER_MARK in the writer's byte order */
	char memtrack[32];    /* PACKAGE_VERSION, NUL-padded */
	uint64_t dump_size;   /* the dump's bytes */
	uint64_t dump_sum;    /* its END record's checksum */
	uint64_t objects;     /* N */
	uint64_t edges;	      /* the graph's edge count */
	uint64_t total;	      /* sum of all sizes (virtual root's retained) */
	uint64_t body_sum;    /* mt_hash64 of the body */
	uint64_t reserved[3]; /* 0 */
	uint64_t hdr_sum;     /* mt_hash64 of the bytes before it */
};

_Static_assert(sizeof(struct hdr) == HDR_SIZE, "index header is 128 bytes");

char *mt_savedidx_path(const char *dump_path)
{
	size_t n = strlen(dump_path);
	char *p = malloc(n + sizeof MT_SAVEDIDX_SUFFIX);
	if (p) {
		memcpy(p, dump_path, n);
		memcpy(p + n, MT_SAVEDIDX_SUFFIX, sizeof MT_SAVEDIDX_SUFFIX);
	}
	return p;
}

static mt_status io_err(mt_err *err, const char *path, const char *what)
{
	int e = errno;
	mt_status st = mt_err_set(err, MT_IO, MT_NO_OFFSET, MT_NO_OFFSET,
				  "%s: %s: %s", path, what, strerror(e));
	if (err)
		err->sys_errno = e;
	errno = e;
	return st;
}

/* ---- the dump's key ------------------------------------------------------- */

/* One msgpack unsigned integer at p[0..n): its value and length, or 0
 * when it is not one. */
static size_t mp_uint(const uint8_t *p, size_t n, uint64_t *v)
{
	size_t len;
	if (!n)
		return 0;
	if (p[0] < 0x80) {
		*v = p[0];
		return 1;
	}
	switch (p[0]) {
	case 0xcc:
		len = 1;
		break;
	case 0xcd:
		len = 2;
		break;
	case 0xce:
		len = 4;
		break;
	case 0xcf:
		len = 8;
		break;
	default:
		return 0;
	}
	if (n < 1 + len)
		return 0;
	*v = 0;
	for (size_t i = 0; i < len; i++)
		*v = *v << 8 | p[1 + i];
	return 1 + len;
}

/* The END record `[4, objects, edges, names, reachable, checksum]` that
 * ends buf[0..n): every start whose five integers end exactly at the end
 * is a candidate; more than one with different values is ambiguous. */
static bool parse_end(const uint8_t *buf, size_t n, mt_savedidx_key *k)
{
	bool found = false;
	for (size_t s = 0; s + 2 <= n; s++) {
		uint64_t v[5];
		size_t at = s + 2;
		int i;
		if (buf[s] != 0x96 || buf[s + 1] != 0x04)
			continue;
		for (i = 0; i < 5; i++) {
			size_t l = mp_uint(buf + at, n - at, &v[i]);
			if (!l)
				break;
			at += l;
		}
		if (i < 5 || at != n)
			continue;
		if (found && (k->objects != v[0] || k->edges != v[1] ||
			      k->names != v[2] || k->reachable != v[3] ||
			      k->checksum != v[4]))
			return false;
		k->objects = v[0];
		k->edges = v[1];
		k->names = v[2];
		k->reachable = v[3];
		k->checksum = v[4];
		found = true;
	}
	return found;
}

mt_status mt_savedidx_probe(const char *dump_path, mt_savedidx_key *key,
			    mt_err *err)
{
	uint8_t tail[48];
	struct stat sb;
	mt_status st = MT_OK;
	memset(key, 0, sizeof *key);
	/* never waits: a FIFO or a device is refused, not read */
	int fd = open(dump_path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return io_err(err, dump_path, "open");
	if (fstat(fd, &sb) != 0) {
		st = io_err(err, dump_path, "stat");
		goto done;
	}
	if (!S_ISREG(sb.st_mode)) {
		st = mt_err_set(err, MT_IO, MT_NO_OFFSET, MT_NO_OFFSET,
				"%s: not a regular file", dump_path);
		goto done;
	}
	size_t n = sb.st_size < (off_t)sizeof tail ? (size_t)sb.st_size
						   : sizeof tail;
	off_t off = sb.st_size - (off_t)n;
	ssize_t got = pread(fd, tail, n, off);
	if (got < 0) {
		st = io_err(err, dump_path, "read");
		goto done;
	}
	if ((size_t)got != n) {
		st = mt_err_set(err, MT_TRUNCATED, (uint64_t)off + (size_t)got,
				MT_NO_OFFSET, "%s: shorter than its size",
				dump_path);
		goto done;
	}
	if (!parse_end(tail, n, key)) {
		st = mt_err_set(err, MT_MSGPACK, (uint64_t)off, MT_NO_OFFSET,
				"%s: no END record at the end", dump_path);
		goto done;
	}
	key->size = (uint64_t)sb.st_size;
	key->dev = (uint64_t)sb.st_dev;
	key->ino = (uint64_t)sb.st_ino;
	key->mtime_sec = (int64_t)sb.st_mtim.tv_sec;
	key->mtime_nsec = (int64_t)sb.st_mtim.tv_nsec;
done:
	close(fd);
	return st;
}

bool mt_savedidx_key_same(const mt_savedidx_key *a, const mt_savedidx_key *b)
{
	return a->size == b->size && a->checksum == b->checksum &&
	       a->objects == b->objects && a->edges == b->edges &&
	       a->names == b->names && a->reachable == b->reachable &&
	       a->dev == b->dev && a->ino == b->ino &&
	       a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec;
}

bool mt_savedidx_key_fits(const mt_savedidx_key *key, const mt_graph *g)
{
	/* not the names: the loader adds its own (doc/loader.md) */
	return key->objects == mt_graph_count(g) &&
	       key->reachable == mt_graph_reachable(g);
}

/* ---- header --------------------------------------------------------------- */

static uint64_t hash(const void *p, size_t n)
{
	mt_hash64 h;
	mt_hash64_init(&h);
	mt_hash64_update(&h, p, n);
	return mt_hash64_final(&h);
}

static void hdr_fill(struct hdr *h, const mt_savedidx_key *key,
		     const mt_graph *g, uint64_t total)
{
	memset(h, 0, sizeof *h);
	memcpy(h->magic, MAGIC, sizeof h->magic);
	h->version = MT_SAVEDIDX_VERSION;
	h->order = ORDER_MARK;
	snprintf(h->memtrack, sizeof h->memtrack, "%s", PACKAGE_VERSION);
	h->dump_size = key->size;
	h->dump_sum = key->checksum;
	h->objects = mt_graph_count(g);
	h->edges = mt_graph_edge_count(g);
	h->total = total;
}

/* ---- load ----------------------------------------------------------------- */

/* len bytes at off of fd into buf (read again after a short read or a
 * signal): MT_TRUNCATED when the file ends first. */
static mt_status read_at(int fd, void *buf, size_t len, uint64_t off,
			 const char *path, mt_err *err)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t got = pread(fd, p, len, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return io_err(err, path, "read");
		if (got == 0)
			return mt_err_set(err, MT_TRUNCATED, off, MT_NO_OFFSET,
					  "index shorter than its size");
		p += got;
		len -= (size_t)got;
		off += (uint64_t)got;
	}
	return MT_OK;
}

/* Checks the header h of a file of `size` bytes against key and g. */
static mt_status hdr_check(const struct hdr *h, uint64_t size,
			   const mt_savedidx_key *key, const mt_graph *g,
			   mt_err *err)
{
	uint64_t n = mt_graph_count(g);
	if (memcmp(h->magic, MAGIC, sizeof h->magic))
		return mt_err_set(err, MT_MAGIC, 0, MT_NO_OFFSET,
				  "not a memtrack index");
	if (h->order != ORDER_MARK)
		return mt_err_set(err, MT_VERSION, 12, MT_NO_OFFSET,
				  "index of another byte order");
	if (h->hdr_sum != hash(h, offsetof(struct hdr, hdr_sum)))
		return mt_err_set(err, MT_CHECKSUM, 0, MT_NO_OFFSET,
				  "index header damaged");
	if (h->version != MT_SAVEDIDX_VERSION)
		return mt_err_set(err, MT_VERSION, 8, MT_NO_OFFSET,
				  "index format %u, expected %u", h->version,
				  MT_SAVEDIDX_VERSION);
	if (strncmp(h->memtrack, PACKAGE_VERSION, sizeof h->memtrack) ||
	    memchr(h->memtrack, 0, sizeof h->memtrack) == NULL)
		return mt_err_set(err, MT_VERSION, 16, MT_NO_OFFSET,
				  "index of memtrack %.31s, this is %s",
				  h->memtrack, PACKAGE_VERSION);
	if (h->dump_size != key->size || h->dump_sum != key->checksum ||
	    h->objects != n || h->edges != mt_graph_edge_count(g))
		return mt_err_set(err, MT_COUNT, 48, MT_NO_OFFSET,
				  "index of another dump");
	if (size != HDR_SIZE + 12 * n)
		return mt_err_set(err, MT_TRUNCATED, size, MT_NO_OFFSET,
				  "index of %llu bytes, expected %llu",
				  (unsigned long long)size,
				  (unsigned long long)(HDR_SIZE + 12 * n));
	return MT_OK;
}

mt_status mt_savedidx_load(const char *idx_path, const mt_savedidx_key *key,
			   const mt_graph *g, mt_domtree **out,
			   mt_progress_fn cb, void *cbdata, mt_err *err)
{
	struct stat sb;
	mt_status st;
	uint32_t n = mt_graph_count(g);
	*out = NULL;
	int fd = open(idx_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ELOOP)
		return mt_err_set(err, MT_MAGIC, MT_NO_OFFSET, MT_NO_OFFSET,
				  "index a symbolic link");
	if (fd < 0)
		return io_err(err, idx_path, "open");
	if (fstat(fd, &sb) != 0) {
		st = io_err(err, idx_path, "stat");
		close(fd);
		return st;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_uid != geteuid()) {
		close(fd);
		return mt_err_set(err, MT_MAGIC, MT_NO_OFFSET, MT_NO_OFFSET,
				  "%s",
				  S_ISREG(sb.st_mode)
				      ? "index of another user"
				      : "index not a regular file");
	}
	if ((uint64_t)sb.st_size < HDR_SIZE) {
		close(fd);
		return mt_err_set(err, MT_TRUNCATED, (uint64_t)sb.st_size,
				  MT_NO_OFFSET, "index of %llu bytes",
				  (unsigned long long)sb.st_size);
	}
	/* the header says why a file of another size is refused (hdr_check
	 * looks at the size last) */
	struct hdr h;
	if ((st = read_at(fd, &h, sizeof h, 0, idx_path, err)) != MT_OK ||
	    (st = hdr_check(&h, (uint64_t)sb.st_size, key, g, err)) != MT_OK) {
		close(fd);
		return st;
	}
	/* The body is read (not mapped) into the tree's own arrays, the
	 * retained sizes packed to 4 bytes on the way: on a virtual machine
	 * a mapped file's small pages cost about 2 us each to map again, so
	 * every pass over a mapped tree paid 0.5 s at 80M objects; read,
	 * the tree is 8 bytes an object in huge pages.  The checksum and the
	 * idoms' range are checked chunk by chunk as they come; the first
	 * bad idom is reported once the checksum matched. */
	mt_domtree *t = NULL;
	uint32_t *idom;
	uint64_t *buf = malloc(CHUNK);
	if (!buf) {
		close(fd);
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  "reading the index");
	}
	if ((st = mt_domtree_new_(&t, n, &idom, err)) != MT_OK)
		goto fail;
	uint32_t bad = n;
	mt_hash64 hs;
	mt_hash64_init(&hs);
	/* the retained sizes (uint64) through buf, then the idoms in place */
	size_t lens[2] = {8 * (size_t)n, 4 * (size_t)n}, off = 0;
	for (int part = 0; part < 2; off += lens[part++])
		for (size_t at = 0; at < lens[part]; at += CHUNK) {
			size_t k = lens[part] - at < CHUNK ? lens[part] - at
							   : CHUNK;
			uint8_t *to = part ? (uint8_t *)idom + at
					   : (uint8_t *)buf;
			if ((st = read_at(fd, to, k, HDR_SIZE + off + at,
					  idx_path, err)) != MT_OK)
				goto fail;
			mt_hash64_update(&hs, to, k);
			if (!part &&
			    (st = mt_domtree_put_retained_(
				 t, (uint32_t)(at / 8), buf, (uint32_t)(k / 8),
				 err)) != MT_OK)
				goto fail;
			for (size_t i = at / 4; part && i < (at + k) / 4 &&
						bad == n;
			     i++)
				if ((idom[i] >= n && idom[i] != MT_NO_ID) ||
				    idom[i] == i)
					bad = (uint32_t)i;
			if (cb && cb(cbdata, (off + at + k) / 12, n)) {
				st = mt_err_set(err, MT_CANCELLED,
						MT_NO_OFFSET, MT_NO_OFFSET,
						"saved index");
				goto fail;
			}
		}
	if (mt_hash64_final(&hs) != h.body_sum) {
		st = mt_err_set(err, MT_CHECKSUM, HDR_SIZE, MT_NO_OFFSET,
				"index content damaged");
		goto fail;
	}
	if (bad < n) {
		st = mt_err_set(err, MT_RANGE,
				HDR_SIZE + 8 * (uint64_t)n + 4 * (uint64_t)bad,
				MT_NO_OFFSET, "immediate dominator %u of object %u",
				idom[bad], bad);
		goto fail;
	}
	mt_domtree_set_total_(t, h.total);
	free(buf);
	close(fd);
	*out = t;
	return MT_OK;
fail:
	mt_domtree_free(t);
	free(buf);
	close(fd);
	return st;
}

/* ---- save ----------------------------------------------------------------- */

mt_status mt_savedidx_save(const char *idx_path, const mt_savedidx_key *key,
			   const mt_graph *g, const mt_domtree *t,
			   mt_progress_fn cb, void *cbdata, mt_err *err)
{
	const uint32_t *idom;
	uint32_t n = mt_graph_count(g);
	mt_safefile f;
	struct hdr h;
	mt_status st;
	if ((st = mt_safefile_ours(idx_path, MAGIC, 8, "a memtrack index",
				   err)) != MT_OK)
		return st;
	idom = mt_domtree_idoms_(t);
	hdr_fill(&h, key, g, mt_domtree_total(t));
	if ((st = mt_safefile_open(&f, idx_path, "a saved index", 0, err)) !=
	    MT_OK)
		return st;
	/* the header last, once the body's checksum is known */
	if ((st = mt_safefile_write(&f, &h, sizeof h, err)) != MT_OK)
		goto fail;
	mt_hash64 hs;
	mt_hash64_init(&hs);
	/* the retained sizes as uint64 (the tree keeps most as uint32), a
	 * chunk at a time through buf, then idom as it is */
	uint64_t *buf = malloc(CHUNK);
	if (!buf) {
		st = mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				"saving the index");
		goto fail;
	}
	size_t lens[2] = {8 * (size_t)n, 4 * (size_t)n};
	uint64_t done = 0;
	for (int p = 0; p < 2; p++)
		for (size_t at = 0; at < lens[p]; at += CHUNK) {
			size_t k = lens[p] - at < CHUNK ? lens[p] - at : CHUNK;
			const uint8_t *part = (const uint8_t *)idom + at;
			if (p == 0) {
				mt_domtree_retained_range_(
				    t, (uint32_t)(at / 8), (uint32_t)(k / 8),
				    buf);
				part = (const uint8_t *)buf;
			}
			mt_hash64_update(&hs, part, k);
			if ((st = mt_safefile_write(&f, part, k, err)) !=
			    MT_OK) {
				free(buf);
				goto fail;
			}
			done += k;
			if (cb && cb(cbdata, done / 12, n)) {
				free(buf);
				st = mt_err_set(err, MT_CANCELLED, MT_NO_OFFSET,
						MT_NO_OFFSET,
						"saving the index");
				goto fail;
			}
		}
	free(buf);
	h.body_sum = mt_hash64_final(&hs);
	h.hdr_sum = hash(&h, offsetof(struct hdr, hdr_sum));
	for (size_t at = 0; at < sizeof h;) {
		ssize_t w = pwrite(f.fd, (const char *)&h + at, sizeof h - at,
				   (off_t)at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			st = io_err(err, idx_path, "write");
			goto fail;
		}
		at += (size_t)w;
	}
	/* Renamed without an fsync first (mt_safefile_commit's): syncing a
	 * gigabyte froze the first open for seconds with no progress, and an
	 * index cut short by a crash is refused at its next use (size,
	 * checksums) like any damaged one. */
	if ((st = mt_safefile_rename(&f, err)) != MT_OK)
		goto fail;
	mt_safefile_release(&f);
	return MT_OK;
fail:
	mt_safefile_abort(&f);
	return st;
}
