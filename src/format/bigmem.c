/* Big arrays kept warm (memtrack/util.h, "big arrays").
 *
 * Each array is its own anonymous mapping: a header page (the mapping's
 * length and a mark), then the caller's bytes.  A freed array's pages go
 * to a small list of kept ranges, up to the limit mt_big_keep sets; the
 * next mt_big_alloc maps a fresh range (which costs nothing until it is
 * touched) and moves kept pages over its start with mremap, so that they
 * are not zeroed again by the kernel.  A kept range may span several of
 * the kernel's areas (it was put together from moved pieces), and
 * mremap moves within one area only: a move that fails for that reason is
 * retried in halves.
 *
 * Mappings of 4 MiB and more start on a 2 MiB boundary and are whole
 * 2 MiB pages long (the array's last page is whole), and so are the
 * pieces freed, shrunk off and made ahead.  So every move goes from one
 * 2 MiB boundary to another, and the kernel moves the transparent huge
 * pages whole.  A move between boundaries that differ splits each huge
 * page into small ones, and an array whose random reads then miss the
 * TLB every time took twice as long (the retained bounds' masks at 80M
 * objects: 1.1 s against 0.45 s).
 *
 * Under AddressSanitizer the arrays are malloc'd behind a 16-byte header
 * and nothing is kept, so that the sanitizer checks every access, and a
 * free() of a big array or an mt_big_free() of a malloc'd one is reported.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* mremap */
#endif
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memtrack/util.h"

#if defined(__SANITIZE_ADDRESS__)
#define MT_BIG_PLAIN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MT_BIG_PLAIN 1
#endif
#endif

#define MARK 0x6d74626967u /* "mtbig" */
#define HUGE ((size_t)2 << 20) /* a transparent huge page */

void mt_huge_advise(void *base, size_t bytes)
{
#ifdef MADV_HUGEPAGE
	uintptr_t a = ((uintptr_t)base + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
	uintptr_t b = ((uintptr_t)base + bytes) & ~(uintptr_t)(HUGE - 1);
	if (base && bytes >= 2 * HUGE && b > a)
		(void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
	(void)base;
	(void)bytes;
#endif
}

#ifdef MT_BIG_PLAIN

enum { HDR = 16 };

static void *big(size_t bytes, int zero)
{
	if (bytes > SIZE_MAX - HDR)
		return NULL;
	char *p = zero ? calloc(1, bytes + HDR) : malloc(bytes + HDR);
	if (!p)
		return NULL;
	uint64_t mark = MARK;
	memcpy(p, &mark, sizeof mark);
	return p + HDR;
}

void *mt_big_shrink(void *p, size_t bytes)
{
	if (!p)
		return NULL;
	char *q = realloc((char *)p - HDR, bytes + HDR);
	return q ? q + HDR : p;
}

void mt_big_free(void *p)
{
	if (p)
		free((char *)p - HDR);
}

void mt_big_keep(size_t bytes) { (void)bytes; }

void mt_big_release(size_t most) { (void)most; }

size_t mt_big_kept(void) { return 0; }

void mt_big_prepare(size_t bytes) { (void)bytes; }

void mt_big_prepare_stop(void) {}

#else /* mappings */

struct hdr {
	size_t len; /* of the whole mapping, this page included */
	uint64_t mark;
};

/* a kept range: page-aligned, whole pages */
struct kept {
	char *addr;
	size_t len;
};

enum { NKEPT = 32 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct kept kept[NKEPT];
static size_t nkept, kept_bytes, limit;
static size_t pagesz;

static size_t page(void)
{
	if (!pagesz) {
		long p = sysconf(_SC_PAGESIZE);
		pagesz = p > 0 ? (size_t)p : 4096;
	}
	return pagesz;
}

/* x rounded up to a multiple of unit */
static size_t up(size_t x, size_t unit) { return (x + unit - 1) / unit * unit; }

/* bytes and a header page, in whole pages, and from 4 MiB in whole 2 MiB
 * pages; 0 on overflow */
static size_t span(size_t bytes)
{
	size_t pg = page();
	if (bytes > SIZE_MAX - 2 * pg - HUGE)
		return 0;
	size_t len = up(bytes, pg) + pg;
	return len < 2 * HUGE ? len : up(len, HUGE);
}

/* A fresh mapping of len bytes (span's), on a 2 MiB boundary from
 * 4 MiB, advised to take huge pages; NULL when there is no memory. */
static char *map(size_t len)
{
	size_t extra = len < 2 * HUGE ? 0 : HUGE;
	char *m = mmap(NULL, len + extra, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	if (extra) { /* the room before the boundary and after the end */
		char *a = (char *)(((uintptr_t)m + HUGE - 1) &
				   ~(uintptr_t)(HUGE - 1));
		if (a > m)
			(void)munmap(m, (size_t)(a - m));
		if (m + extra > a)
			(void)munmap(a + len, (size_t)(m + extra - a));
		m = a;
	}
	mt_huge_advise(m, len);
	return m;
}

/* The bytes at the start of [addr, addr+len) (page-aligned) whose pages
 * are in memory (mincore).  Pages never touched are not worth keeping:
 * the next array would find them fresh all the same, and count on them
 * (the untouched half of a partition's kinds, cut off by a shrink, made
 * the next view's masks fault 0.35 s of huge pages inside their pass). */
static size_t resident(char *addr, size_t len)
{
	size_t pg = page(), done = 0;
	unsigned char vec[4096];
	while (done < len) {
		size_t n = len - done < sizeof vec * pg ? len - done
							: sizeof vec * pg;
		if (mincore(addr + done, n, vec) != 0)
			return done;
		for (size_t i = 0; i < (n + pg - 1) / pg; i++)
			if (!(vec[i] & 1))
				return done + i * pg;
		done += n;
	}
	return len;
}

/* Keeps [addr, addr+len) as far as the limit allows and its pages are in
 * memory, gives back the rest; a range that starts where a kept one ends
 * extends it.  Called with the lock held. */
static void put(char *addr, size_t len)
{
	size_t pg = page();
	size_t room = limit > kept_bytes ? (limit - kept_bytes) / pg * pg : 0;
	size_t fit = len < room ? len : room;
	if (fit)
		fit = resident(addr, fit);
	struct kept *k = NULL; /* the entry it continues, if any */
	for (size_t i = 0; i < nkept && !k; i++)
		if (kept[i].addr + kept[i].len == addr)
			k = &kept[i];
	if (!k && nkept == NKEPT)
		fit = 0;
	if (fit < len)
		(void)munmap(addr + fit, len - fit);
	if (!fit)
		return;
	if (k)
		k->len += fit;
	else
		kept[nkept++] = (struct kept){addr, fit};
	kept_bytes += fit;
}

/* Moves the pages of [src, src+n) to dst (mapped already: replaced).
 * Halves the step where the source spans two of the kernel's areas.
 * Returns the bytes moved from the start (n, or fewer on a failure). */
static size_t move(char *src, size_t n, char *dst)
{
	size_t pg = page(), done = 0, step = n;
	while (done < n) {
		if (step > n - done)
			step = n - done;
		void *r = mremap(src + done, step, step,
				 MREMAP_MAYMOVE | MREMAP_FIXED, dst + done);
		if (r != MAP_FAILED) {
			done += step;
			step = n - done; /* try the rest in one */
			continue;
		}
		if (errno != EFAULT || step <= pg)
			break;
		/* halves on 2 MiB boundaries while they are that long */
		size_t unit = step >= 2 * HUGE ? HUGE : pg;
		step = step / 2 / unit * unit;
	}
	return done;
}

/* A fresh mapping of len bytes whose start holds as many kept pages as
 * there are (up to len); *warm gets how many bytes at the start are kept
 * pages (not zero).  NULL when the system has no memory. */
static char *take(size_t len, size_t *warm)
{
	*warm = 0;
	char *m = map(len);
	if (!m)
		return NULL;
	pthread_mutex_lock(&lock);
	size_t off = 0;
	while (off < len && nkept) {
		struct kept *k = &kept[nkept - 1];
		size_t part = k->len < len - off ? k->len : len - off;
		/* Into an array of huge pages only whole ones, each onto the
		 * same place modulo 2 MiB: moved elsewhere, the kernel splits
		 * a huge page, and a range of another length would leave the
		 * next one off its boundary.  What does not fit (a small
		 * array's range, the tail of one kept only partly) goes
		 * back. */
		if (len >= 2 * HUGE)
			part = ((uintptr_t)k->addr - (uintptr_t)(m + off)) % HUGE
				   ? 0
				   : part / HUGE * HUGE;
		if (!part) {
			(void)munmap(k->addr, k->len);
			kept_bytes -= k->len;
			nkept--;
			continue;
		}
		size_t moved = move(k->addr, part, m + off);
		off += moved;
		if (moved < part) /* a failed move: those pages go back */
			(void)munmap(k->addr + moved, part - moved);
		k->addr += part;
		k->len -= part;
		kept_bytes -= part;
		if (!k->len)
			nkept--;
		if (moved < part) {
			/* the rest of m stays fresh (zero) from here: the
			 * moved part is [0, off) and m + off is untouched */
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	*warm = off;
	return m;
}

static void *big(size_t bytes, int zero)
{
	size_t len = span(bytes), warm;
	if (!len)
		return NULL;
	char *m = take(len, &warm);
	if (!m)
		return NULL;
	size_t pg = page();
	if (zero && warm > pg)
		memset(m + pg, 0, warm - pg);
	struct hdr h = {len, MARK};
	memcpy(m, &h, sizeof h);
	return m + pg;
}

static struct hdr *head(void *p)
{
	return (struct hdr *)(void *)((char *)p - page());
}

void *mt_big_shrink(void *p, size_t bytes)
{
	if (!p)
		return NULL;
	struct hdr *h = head(p);
	size_t len = span(bytes);
	if (len && h->len >= 2 * HUGE) /* the tail kept from a boundary */
		len = up(len, HUGE);
	if (len && len < h->len) {
		pthread_mutex_lock(&lock);
		put((char *)h + len, h->len - len);
		pthread_mutex_unlock(&lock);
		h->len = len;
	}
	return p;
}

void mt_big_free(void *p)
{
	if (!p)
		return;
	struct hdr *h = head(p);
	pthread_mutex_lock(&lock);
	put((char *)h, h->len);
	pthread_mutex_unlock(&lock);
}

/* Gives back what is kept beyond `most` bytes; with the lock. */
static void cut(size_t most)
{
	while (kept_bytes > most) {
		struct kept *k = &kept[nkept - 1];
		size_t over = kept_bytes - most;
		size_t cut = over < k->len ? over : k->len;
		(void)munmap(k->addr + k->len - cut, cut);
		k->len -= cut;
		kept_bytes -= cut;
		if (!k->len)
			nkept--;
	}
}

void mt_big_keep(size_t bytes)
{
	size_t pg = page();
	pthread_mutex_lock(&lock);
	limit = bytes / pg * pg;
	cut(limit);
	pthread_mutex_unlock(&lock);
}

void mt_big_release(size_t most)
{
	/* whole pages, and from 2 MiB whole huge pages (what stays kept
	 * keeps its boundaries) */
	size_t unit = most >= HUGE ? HUGE : page();
	pthread_mutex_lock(&lock);
	cut(most / unit * unit);
	pthread_mutex_unlock(&lock);
}

size_t mt_big_kept(void)
{
	pthread_mutex_lock(&lock);
	size_t n = kept_bytes;
	pthread_mutex_unlock(&lock);
	return n;
}

/* ---- kept pages made ahead ---- */

/* The thread maps one range for what is missing and faults it in CHUNK
 * at a time, outside the lock; each chunk done joins the kept list (put:
 * the entry that ends where it starts, else a new one; no more than the
 * limit), where an allocation may take it at once.  What it has not
 * touched when it ends is unmapped. */
enum { CHUNK = 2 << 20 };

static pthread_t prep_tid;
static bool prep_made, prep_stop; /* made: started and not joined */
static size_t prep_target;

static size_t goal(void) /* with the lock */
{
	return prep_target < limit ? prep_target : limit;
}

static void *prep_run(void *arg)
{
	(void)arg;
	size_t pg = page();
	pthread_mutex_lock(&lock);
	size_t want = goal() > kept_bytes ? goal() - kept_bytes : 0;
	pthread_mutex_unlock(&lock);
	want = up(want, CHUNK); /* (put keeps the limit) */
	char *m = want ? map(want) : NULL;
	size_t done = 0;
	while (m && done < want) {
		size_t n = want - done < CHUNK ? want - done : CHUNK;
		for (size_t i = 0; i < n; i += pg)
			((volatile char *)m)[done + i] = 0;
		pthread_mutex_lock(&lock);
		put(m + done, n); /* what the limit leaves out goes back */
		done += n;
		bool more = !prep_stop && kept_bytes < goal();
		pthread_mutex_unlock(&lock);
		if (!more)
			break;
	}
	if (m && done < want)
		(void)munmap(m + done, want - done);
	return NULL;
}

void mt_big_prepare(size_t bytes)
{
	mt_big_prepare_stop(); /* joins a thread that ended, too */
	pthread_mutex_lock(&lock);
	prep_target = bytes;
	if (kept_bytes + page() <= goal()) {
		prep_stop = false;
		prep_made = pthread_create(&prep_tid, NULL, prep_run,
					   NULL) == 0;
	}
	pthread_mutex_unlock(&lock);
}

void mt_big_prepare_stop(void)
{
	pthread_mutex_lock(&lock);
	prep_stop = true;
	bool made = prep_made;
	prep_made = false;
	pthread_mutex_unlock(&lock);
	if (made)
		(void)pthread_join(prep_tid, NULL);
}

#endif

void *mt_big_alloc(size_t bytes) { return big(bytes, 0); }

void *mt_big_calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return big(n * size, 1);
}
