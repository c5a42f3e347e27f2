/* Streaming dump writer (writer.h).
 *
 * Owns the output file (a mt_safefile: a private temporary file beside
 * the target, renamed onto it by mt_writer_finish), a 1 MiB output buffer
 * fed by msgpack-c's packer and the direct encoders below, the running
 * checksum of everything flushed, the relative-reference counter `hi` and a
 * small open-addressing table interning names.  The first failure is sticky:
 * every later call returns it, and only abort/finish (which then unlink the
 * temporary file) remain useful.
 *
 * The output thread: the caller's thread encodes; checksumming and writing
 * a full buffer go to a second thread (struct out_thread), started when the
 * first buffer fills (a dump under 1 MiB never starts it) unless
 * mt_writer_set_thread turned it off.  The buffer is then one of NSLOTS
 * slots of a ring: the caller fills slot (head + nfull) % NSLOTS while the
 * thread writes slot head, and a caller that finds every slot full waits
 * (memory stays NSLOTS MiB however slow the disk).
 *
 * The sync thread: started with the output thread, it makes what is
 * written durable while the walk goes on (fdatasync, again as soon as the
 * last one returned and SYNC_STEP more bytes were written), so the fsync
 * of mt_writer_finish, part of the caller's pause, waits only for the
 * last few MiB (one fsync of a whole 130 MB dump took 60-100 ms on this
 * machine's ext4, 3 ms after the syncs: doc/benchmarks.md, "Sync
 * thread").  It paces itself: a slow disk gets fewer, longer syncs, and
 * the output thread never waits for one.  Then it drops the synced pages
 * from the page cache (POSIX_FADV_DONTNEED: clean pages, dropped at
 * once), so a big dump does not push the program's own files out of it.
 * An error of a sync (reported once per file: the final fsync would not
 * see it again) fails the dump like a write's, with its errno.  (The
 * writes went with O_DIRECT before the sync thread, to keep the page
 * cache clean; with the syncs they cost the walking thread 10-20% more
 * time than writes through the page cache, which then were as fast as to
 * tmpfs.)
 *
 * Both threads only hash, write() and sync: no Python, no allocation,
 * every signal blocked
 * except the synchronous ones (SIGXFSZ included: a write past
 * RLIMIT_FSIZE signals the thread that writes, as it did the caller), so
 * Ctrl-C and SIGTERM reach the caller's handlers as before.  A failure
 * of the output thread (the errno of a write), or of the sync thread once
 * it is joined, is published through `failed` and taken over as the
 * writer's sticky failure at the caller's next call, or at the latest by
 * mt_writer_finish, with the same message and errno as a write from the
 * caller's thread.  mt_writer_finish queues the last buffer and joins both
 * threads before it writes the checksum; mt_writer_abort stops them after
 * their current write or sync and joins them before the temporary file is
 * removed.  The bytes of the file do not depend on whether the thread
 * runs or on how the bytes are cut into blocks.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <msgpack.h>

#include "memtrack/checksum.h"
#include "memtrack/safefile.h"
#include "memtrack/writer.h"

#define BUF_SIZE (1u << 20)
#define NSLOTS 4 /* buffers of the ring when the output thread runs */
#define THREAD_STACK (256u << 10)
#define SYNC_STEP (8u << 20) /* the sync thread's least step */

/* The output thread and its ring, and the sync thread (see the file
 * comment).  mu guards head, nfull, len, closing, stop, ended, written,
 * synced, sync_quit and sync_errno. */
typedef struct out_thread {
	pthread_t tid;
	pthread_t sync_tid;
	bool sync_started;
	pthread_mutex_t mu;
	pthread_cond_t more;   /* a slot was queued, or closing/stop was set */
	pthread_cond_t room;   /* a slot was written, or the thread ended */
	pthread_cond_t unsynced; /* SYNC_STEP more written, or sync_quit */
	uint8_t *slot[NSLOTS]; /* slot[0] is the writer's first buffer */
	size_t len[NSLOTS];
	unsigned head;	/* next slot to write */
	unsigned nfull; /* queued slots: head, head + 1, ... */
	bool closing;	/* write what is queued, then end */
	bool stop;	/* end after the current write */
	bool ended;	/* the thread left its loop */
	bool joined;
	atomic_bool failed; /* set (release) once `failure` is written */
	mt_err failure;
	uint64_t written; /* bytes written by the output thread */
	uint64_t synced;  /* bytes the sync thread made durable */
	bool sync_quit;	  /* the sync thread ends after its current sync */
	int sync_errno;	  /* the sync thread's failure (0: none) */
} out_thread;

typedef struct name_slot {
	char *s;
	uint32_t len;
	uint32_t index;
	uint64_t hash;
} name_slot;

struct mt_writer {
	mt_safefile sf; /* the output file */
	uint8_t *buf;	/* the buffer being filled (a slot of t->slot) */
	size_t used;
	uint64_t flushed; /* bytes handed on (written or queued) so far */
	mt_hash64 hash;	  /* the output thread's while it runs */
	out_thread *t;	  /* NULL until the first buffer fills */
	bool no_thread;	  /* mt_writer_set_thread(w, false) */
	msgpack_packer pk;
	mt_status failed; /* sticky first failure */
	mt_err failure;
	bool header_done, roots_done, mark_done, sites_done;
	uint32_t hi;	  /* one past the highest id introduced */
	uint64_t objects; /* object records written */
	uint64_t edges;
	uint64_t addr_prev;
	uint32_t type_prev; /* type of the previous object record */
	name_slot *names;
	uint32_t names_cap, names_count;
};

/* Checksums and writes p[0..n) to the file; on failure fills *failure
 * (MT_IO, the errno) and returns it.  Runs on either thread, never on
 * both at once. */
static mt_status write_block(mt_writer *w, const uint8_t *p, size_t n,
			     mt_err *failure)
{
	mt_hash64_update(&w->hash, p, n);
	while (n) {
		ssize_t k = write(w->sf.fd, p, n);
		if (k <= 0) {
			/* a partial write is followed by one that fails;
			 * 0 for a non-empty write means no space */
			int e = k == 0 ? ENOSPC : errno;
			if (e == EINTR)
				continue;
			mt_err_set(failure, MT_IO, MT_NO_OFFSET, MT_NO_OFFSET,
				   "writing %s: %s", w->sf.tmp_path,
				   strerror(e));
			failure->sys_errno = e;
			return MT_IO;
		}
		p += k;
		n -= (size_t)k;
	}
	return MT_OK;
}

static void *out_thread_main(void *arg)
{
	mt_writer *w = arg;
	out_thread *t = w->t;
	pthread_mutex_lock(&t->mu);
	for (;;) {
		while (!t->nfull && !t->closing && !t->stop)
			pthread_cond_wait(&t->more, &t->mu);
		if (t->stop || !t->nfull)
			break;
		unsigned i = t->head;
		pthread_mutex_unlock(&t->mu);
		mt_status st =
		    write_block(w, t->slot[i], t->len[i], &t->failure);
		pthread_mutex_lock(&t->mu);
		if (st) {
			atomic_store_explicit(&t->failed, true,
					      memory_order_release);
			break;
		}
		t->written += t->len[i];
		t->head = (i + 1) % NSLOTS;
		t->nfull--;
		pthread_cond_signal(&t->room);
		if (t->written - t->synced >= SYNC_STEP)
			pthread_cond_signal(&t->unsynced); /* if it waits */
	}
	t->ended = true;
	pthread_cond_signal(&t->room);
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

/* The sync thread (the file comment): fdatasync whenever SYNC_STEP bytes
 * were written since the last one ended, until sync_quit or a failure. */
static void *sync_thread_main(void *arg)
{
	mt_writer *w = arg;
	out_thread *t = w->t;
	pthread_mutex_lock(&t->mu);
	for (;;) {
		while (!t->sync_quit && t->written - t->synced < SYNC_STEP)
			pthread_cond_wait(&t->unsynced, &t->mu);
		if (t->sync_quit)
			break;
		uint64_t from = t->synced, upto = t->written;
		pthread_mutex_unlock(&t->mu);
		int rc;
		while ((rc = fdatasync(w->sf.fd)) != 0 && errno == EINTR)
			;
		int e = rc ? errno : 0;
		if (!e)
			(void)posix_fadvise(w->sf.fd, (off_t)from,
					    (off_t)(upto - from),
					    POSIX_FADV_DONTNEED);
		pthread_mutex_lock(&t->mu);
		if (e == EINVAL)
			break; /* a file that cannot be synced: the final
				  fsync accepts that too */
		if (e) {
			t->sync_errno = e;
			break;
		}
		t->synced = upto;
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

static void out_thread_free(out_thread *t)
{
	for (unsigned i = 0; i < NSLOTS; i++)
		free(t->slot[i]);
	pthread_cond_destroy(&t->unsynced);
	pthread_cond_destroy(&t->room);
	pthread_cond_destroy(&t->more);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

/* Starts the output thread with w->buf as its first slot.  Without memory
 * or a thread the writer goes on writing from the caller's thread. */
static void out_thread_start(mt_writer *w)
{
	out_thread *t = calloc(1, sizeof *t);
	if (!t)
		return;
	if (pthread_mutex_init(&t->mu, NULL))
		goto no_mu;
	if (pthread_cond_init(&t->more, NULL))
		goto no_more;
	if (pthread_cond_init(&t->room, NULL))
		goto no_room;
	if (pthread_cond_init(&t->unsynced, NULL))
		goto no_unsynced;
	atomic_init(&t->failed, false);
	for (unsigned i = 1; i < NSLOTS; i++)
		if (!(t->slot[i] = malloc(BUF_SIZE))) {
			out_thread_free(t);
			return;
		}
	pthread_attr_t attr;
	if (pthread_attr_init(&attr)) {
		out_thread_free(t);
		return;
	}
	(void)pthread_attr_setstacksize(&attr, THREAD_STACK);
	/* the thread inherits the mask: signals for the process go to the
	 * caller's thread (or another of the program's), as before */
	sigset_t all, old;
	sigfillset(&all);
	static const int sync_sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL,
					SIGXFSZ};
	for (size_t i = 0; i < sizeof sync_sigs / sizeof sync_sigs[0]; i++)
		sigdelset(&all, sync_sigs[i]);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	t->slot[0] = w->buf;
	w->t = t;
	int rc = pthread_create(&t->tid, &attr, out_thread_main, w);
	/* without the sync thread, the final fsync does all the syncing */
	t->sync_started =
	    !rc && !pthread_create(&t->sync_tid, &attr, sync_thread_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc) {
		w->t = NULL;
		t->slot[0] = NULL; /* still w->buf */
		out_thread_free(t);
	}
	return;
	/* a failed init: undo the ones before it */
no_unsynced:
	pthread_cond_destroy(&t->room);
no_room:
	pthread_cond_destroy(&t->more);
no_more:
	pthread_mutex_destroy(&t->mu);
no_mu:
	free(t);
}

/* Takes over the output thread's failure, if any, as the sticky one. */
static inline bool failed(mt_writer *w)
{
	if (!w->failed && w->t &&
	    atomic_load_explicit(&w->t->failed, memory_order_acquire)) {
		w->failure = w->t->failure;
		w->failed = w->failure.code;
	}
	return w->failed != MT_OK;
}

/* Queues the buffer for the output thread and takes the next free slot,
 * waiting while every slot is queued. */
static mt_status hand_off(mt_writer *w)
{
	out_thread *t = w->t;
	pthread_mutex_lock(&t->mu);
	t->len[(t->head + t->nfull) % NSLOTS] = w->used;
	t->nfull++;
	pthread_cond_signal(&t->more);
	while (t->nfull == NSLOTS && !t->ended)
		pthread_cond_wait(&t->room, &t->mu);
	uint8_t *next = t->slot[(t->head + t->nfull) % NSLOTS];
	pthread_mutex_unlock(&t->mu);
	w->flushed += w->used;
	w->used = 0;
	if (failed(w))
		return w->failed;
	w->buf = next;
	return MT_OK;
}

/* Ends the output thread: after what is queued (closing) or after its
 * current write (stop), and joins it; then the sync thread, after its
 * current sync, whose failure becomes the thread's if no write failed. */
static void out_thread_end(mt_writer *w, bool stop)
{
	out_thread *t = w->t;
	pthread_mutex_lock(&t->mu);
	if (stop)
		t->stop = true;
	else
		t->closing = true;
	pthread_cond_signal(&t->more);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->tid, NULL);
	t->joined = true;
	if (!t->sync_started)
		return;
	pthread_mutex_lock(&t->mu);
	t->sync_quit = true;
	pthread_cond_signal(&t->unsynced);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->sync_tid, NULL);
	t->sync_started = false;
	/* both threads are gone: t->failure is free unless a write failed */
	if (t->sync_errno && !atomic_load(&t->failed)) {
		mt_err_set(&t->failure, MT_IO, MT_NO_OFFSET, MT_NO_OFFSET,
			   "syncing %s: %s", w->sf.tmp_path,
			   strerror(t->sync_errno));
		t->failure.sys_errno = t->sync_errno;
		atomic_store_explicit(&t->failed, true, memory_order_release);
	}
}

/* The buffer is full, or the dump ends: hand it on (the first full buffer
 * starts the output thread), or write it from this thread. */
static mt_status flush(mt_writer *w)
{
	if (!w->t && !w->no_thread)
		out_thread_start(w);
	if (w->t && !w->t->joined)
		return hand_off(w);
	if (write_block(w, w->buf, w->used, &w->failure))
		return w->failed = MT_IO;
	w->flushed += w->used;
	w->used = 0;
	return MT_OK;
}

/* msgpack-c write callback: append to the buffer, flushing when full. */
static int pk_write(void *data, const char *src, size_t len)
{
	mt_writer *w = data;
	if (failed(w))
		return -1;
	while (len) {
		size_t room = BUF_SIZE - w->used;
		if (room == 0) {
			if (flush(w))
				return -1;
			room = BUF_SIZE;
		}
		size_t take = len < room ? len : room;
		memcpy(w->buf + w->used, src, take);
		w->used += take;
		src += take;
		len -= take;
	}
	return 0;
}

/* ---- direct packing -------------------------------------------------------
 * The per-object path (OBJECT records and edges) packs straight into the
 * buffer: room() flushes once when a bounded chunk might not fit, then the
 * put_* encoders write without further checks.  They produce exactly the
 * bytes msgpack-c's packer would (smallest form of every int, fixstr/str8,
 * fixarray...), so the two can be mixed on the same buffer. */

/* Pointer to at least `need` (<= BUF_SIZE) free bytes, or NULL on failure. */
static inline uint8_t *room(mt_writer *w, size_t need)
{
	if (BUF_SIZE - w->used < need) {
		if (failed(w) || flush(w))
			return NULL;
	}
	return w->buf + w->used;
}

static inline uint8_t *be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static inline uint8_t *be32(uint8_t *p, uint32_t v)
{
	v = __builtin_bswap32(v);
	memcpy(p, &v, 4);
	return p + 4;
}

static inline uint8_t *be64(uint8_t *p, uint64_t v)
{
	v = __builtin_bswap64(v);
	memcpy(p, &v, 8);
	return p + 8;
}

/* At most 9 bytes. */
static inline uint8_t *put_uint(uint8_t *p, uint64_t v)
{
	if (v < 128) {
		*p = (uint8_t)v;
		return p + 1;
	}
	if (v < 256) {
		p[0] = 0xcc;
		p[1] = (uint8_t)v;
		return p + 2;
	}
	if (v < 65536) {
		*p = 0xcd;
		return be16(p + 1, (uint16_t)v);
	}
	if (v <= UINT32_MAX) {
		*p = 0xce;
		return be32(p + 1, (uint32_t)v);
	}
	*p = 0xcf;
	return be64(p + 1, v);
}

/* At most 9 bytes (msgpack-c's pack_int64 choices). */
static inline uint8_t *put_int(uint8_t *p, int64_t v)
{
	if (v >= 0)
		return put_uint(p, (uint64_t)v);
	if (v >= -32) { /* negative fixint */
		*p = (uint8_t)v;
		return p + 1;
	}
	if (v >= -128) {
		p[0] = 0xd0;
		p[1] = (uint8_t)v;
		return p + 2;
	}
	if (v >= -32768) {
		*p = 0xd1;
		return be16(p + 1, (uint16_t)v);
	}
	if (v >= INT32_MIN) {
		*p = 0xd2;
		return be32(p + 1, (uint32_t)v);
	}
	*p = 0xd3;
	return be64(p + 1, (uint64_t)v);
}

/* At most 5 bytes. */
static inline uint8_t *put_array(uint8_t *p, uint32_t n)
{
	if (n < 16) {
		*p = (uint8_t)(0x90 | n);
		return p + 1;
	}
	if (n < 65536) {
		*p = 0xdc;
		return be16(p + 1, (uint16_t)n);
	}
	*p = 0xdd;
	return be32(p + 1, n);
}

/* Header at most 5 bytes, then the body. */
static inline uint8_t *put_str(uint8_t *p, const char *s, uint32_t n)
{
	if (n < 32) {
		*p++ = (uint8_t)(0xa0 | n);
	} else if (n < 256) {
		*p++ = 0xd9;
		*p++ = (uint8_t)n;
	} else if (n < 65536) {
		*p = 0xda;
		p = be16(p + 1, (uint16_t)n);
	} else {
		*p = 0xdb;
		p = be32(p + 1, n);
	}
	if (n)
		memcpy(p, s, n);
	return p + n;
}

static inline uint8_t *put_bin(uint8_t *p, const char *s, uint32_t n)
{
	if (n < 256) {
		*p++ = 0xc4;
		*p++ = (uint8_t)n;
	} else if (n < 65536) {
		*p = 0xc5;
		p = be16(p + 1, (uint16_t)n);
	} else {
		*p = 0xc6;
		p = be32(p + 1, n);
	}
	if (n)
		memcpy(p, s, n);
	return p + n;
}

static inline uint8_t *put_double(uint8_t *p, double d)
{
	uint64_t u;
	memcpy(&u, &d, 8);
	*p = 0xcb;
	return be64(p + 1, u);
}

static mt_status fail(mt_writer *w, mt_err *err)
{
	if (err)
		*err = w->failure;
	return w->failed;
}

static mt_status bug(mt_writer *w, mt_err *err, const char *what)
{
	w->failed = mt_err_set(&w->failure, MT_ARG, MT_NO_OFFSET, MT_NO_OFFSET,
			       "%s", what);
	return fail(w, err);
}

static void writer_free(mt_writer *w)
{
	for (uint32_t i = 0; w->names && i < w->names_cap; i++)
		free(w->names[i].s);
	free(w->names);
	if (w->t)
		out_thread_free(w->t); /* w->buf is one of its slots */
	else
		free(w->buf);
	free(w);
}

mt_status mt_writer_check_target(const char *path, mt_err *err)
{
	return mt_safefile_check(path, "a dump", err);
}

mt_status mt_writer_new(mt_writer **out, const char *path, mt_err *err)
{
	*out = NULL;
	mt_writer *w = calloc(1, sizeof *w);
	if (!w)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  NULL);
	w->buf = malloc(BUF_SIZE);
	w->names_cap = 64;
	w->names = calloc(w->names_cap, sizeof *w->names);
	if (!w->buf || !w->names) {
		writer_free(w);
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  NULL);
	}
	/* private to the user: a dump holds a preview of every string of
	 * the process */
	mt_status st = mt_safefile_open(&w->sf, path, "a dump", 0, err);
	if (st) {
		writer_free(w);
		return st;
	}
	mt_hash64_init(&w->hash);
	msgpack_packer_init(&w->pk, w, pk_write);
	mt_err_clear(&w->failure);
	*out = w;
	return MT_OK;
}

void mt_writer_set_thread(mt_writer *w, bool on)
{
	if (!w->t)
		w->no_thread = !on;
}

const char *mt_writer_tmp_path(const mt_writer *w) { return w->sf.tmp_path; }

static void pack_cstr(msgpack_packer *pk, const char *s)
{
	if (!s)
		s = "";
	size_t n = strlen(s);
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

static void pack_key(msgpack_packer *pk, const char *key)
{
	pack_cstr(pk, key);
}

mt_status mt_writer_header(mt_writer *w, const mt_header *h, mt_err *err)
{
	if (failed(w))
		return fail(w, err);
	if (w->header_done)
		return bug(w, err, "header written twice");
	msgpack_packer *pk = &w->pk;
	msgpack_pack_str(pk, MT_DUMP_MAGIC_LEN);
	msgpack_pack_str_body(pk, MT_DUMP_MAGIC, MT_DUMP_MAGIC_LEN);
	msgpack_pack_unsigned_int(pk, MT_DUMP_VERSION);

	static const char *const fields[] = {"type",   "size",	 "addr",
					     "refcnt", "length", "value"};
	msgpack_pack_map(pk, 19 + (h->mark_time != 0));
	pack_key(pk, "memtrack");
	pack_cstr(pk, h->memtrack_version);
	pack_key(pk, "python");
	pack_cstr(pk, h->python_version);
	pack_key(pk, "python_version");
	msgpack_pack_array(pk, 3);
	msgpack_pack_unsigned_int(pk, h->py_major);
	msgpack_pack_unsigned_int(pk, h->py_minor);
	msgpack_pack_unsigned_int(pk, h->py_micro);
	pack_key(pk, "implementation");
	pack_cstr(pk, h->implementation);
	pack_key(pk, "build");
	pack_cstr(pk, h->build);
	pack_key(pk, "executable");
	pack_cstr(pk, h->executable);
	pack_key(pk, "pid");
	msgpack_pack_uint64(pk, h->pid);
	pack_key(pk, "argv");
	msgpack_pack_array(pk, h->argc);
	for (size_t i = 0; i < h->argc; i++)
		pack_cstr(pk, h->argv[i]);
	pack_key(pk, "time");
	msgpack_pack_double(pk, h->time);
	pack_key(pk, "start_time");
	msgpack_pack_double(pk, h->start_time);
	pack_key(pk, "boot_id");
	if (h->boot_id)
		pack_cstr(pk, h->boot_id);
	else
		msgpack_pack_nil(pk);
	if (h->mark_time != 0) {
		pack_key(pk, "mark_time");
		msgpack_pack_double(pk, h->mark_time);
	}
	pack_key(pk, "rss");
	msgpack_pack_uint64(pk, h->rss);
	pack_key(pk, "vms");
	msgpack_pack_uint64(pk, h->vms);
	pack_key(pk, "ptr_size");
	msgpack_pack_unsigned_int(pk, h->ptr_size);
	pack_key(pk, "gc_header");
	msgpack_pack_unsigned_int(pk, h->gc_header);
	pack_key(pk, "collected");
	if (h->collected)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
	pack_key(pk, "threads");
	msgpack_pack_array(pk, h->nthreads);
	for (size_t i = 0; i < h->nthreads; i++) {
		msgpack_pack_array(pk, 2);
		msgpack_pack_uint64(pk, h->threads[i].id);
		if (h->threads[i].name)
			pack_cstr(pk, h->threads[i].name);
		else
			msgpack_pack_nil(pk);
	}
	pack_key(pk, "fields");
	msgpack_pack_array(pk, 6);
	for (int i = 0; i < 6; i++)
		pack_cstr(pk, fields[i]);
	pack_key(pk, "relations");
	static const struct {
		unsigned code;
		const char *name;
		int lk;
	} rels[] = {
#define MT_REL_ROW_(name, c, str, lk, ...) {c, str, lk},
	    MT_RELATION_LIST(MT_REL_ROW_)
#undef MT_REL_ROW_
	};
	static const char *const lk_names[] = {"int", "name", "ref"};
	msgpack_pack_array(pk, sizeof rels / sizeof rels[0]);
	for (size_t i = 0; i < sizeof rels / sizeof rels[0]; i++) {
		msgpack_pack_array(pk, 3);
		msgpack_pack_unsigned_int(pk, rels[i].code);
		pack_cstr(pk, rels[i].name);
		pack_cstr(pk, lk_names[rels[i].lk]);
	}
	w->header_done = true;
	if (failed(w))
		return fail(w, err);
	return MT_OK;
}

static uint64_t name_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
	return h | 1; /* 0 marks an empty slot */
}

static bool names_grow(mt_writer *w)
{
	uint32_t cap = w->names_cap * 2;
	name_slot *t = calloc(cap, sizeof *t);
	if (!t)
		return false;
	for (uint32_t i = 0; i < w->names_cap; i++) {
		name_slot *o = &w->names[i];
		if (!o->hash)
			continue;
		uint32_t j = (uint32_t)o->hash & (cap - 1);
		while (t[j].hash)
			j = (j + 1) & (cap - 1);
		t[j] = *o;
	}
	free(w->names);
	w->names = t;
	w->names_cap = cap;
	return true;
}

mt_status mt_writer_name(mt_writer *w, const char *s, size_t n, uint32_t *index,
			 mt_err *err)
{
	if (failed(w))
		return fail(w, err);
	if (!w->header_done)
		return bug(w, err, "name written before the header");
	if (n > UINT32_MAX)
		return bug(w, err, "name longer than 4 GiB");
	uint64_t h = name_hash(s, n);
	uint32_t mask = w->names_cap - 1;
	uint32_t j = (uint32_t)h & mask;
	for (; w->names[j].hash; j = (j + 1) & mask) {
		name_slot *e = &w->names[j];
		if (e->hash == h && e->len == n && memcmp(e->s, s, n) == 0) {
			*index = e->index;
			return MT_OK;
		}
	}
	char *copy = malloc(n + 1);
	if (!copy) {
		w->failed = mt_err_set(&w->failure, MT_NOMEM, MT_NO_OFFSET,
				       MT_NO_OFFSET, NULL);
		return fail(w, err);
	}
	memcpy(copy, s, n);
	copy[n] = '\0';
	w->names[j] = (name_slot){copy, (uint32_t)n, w->names_count, h};
	*index = w->names_count++;
	if (2 * w->names_count > w->names_cap && !names_grow(w)) {
		w->failed = mt_err_set(&w->failure, MT_NOMEM, MT_NO_OFFSET,
				       MT_NO_OFFSET, NULL);
		return fail(w, err);
	}
	msgpack_pack_array(&w->pk, 2);
	msgpack_pack_unsigned_int(&w->pk, MT_REC_NAME);
	msgpack_pack_str(&w->pk, n);
	msgpack_pack_str_body(&w->pk, s, n);
	return w->failed ? fail(w, err) : MT_OK;
}

mt_status mt_writer_warning(mt_writer *w, const char *s, size_t n, mt_err *err)
{
	if (failed(w))
		return fail(w, err);
	if (!w->header_done)
		return bug(w, err, "warning written before the header");
	if (n > UINT32_MAX)
		return bug(w, err, "warning longer than 4 GiB");
	msgpack_pack_array(&w->pk, 2);
	msgpack_pack_unsigned_int(&w->pk, MT_REC_WARNING);
	msgpack_pack_str(&w->pk, n);
	msgpack_pack_str_body(&w->pk, s, n);
	return w->failed ? fail(w, err) : MT_OK;
}

mt_status mt_writer_mark(mt_writer *w, const uint8_t *bits, uint64_t nbits,
			 mt_err *err)
{
	if (failed(w))
		return fail(w, err);
	if (!w->header_done)
		return bug(w, err, "MARK written before the header");
	if (w->mark_done)
		return bug(w, err, "MARK written twice");
	if (nbits != w->objects || w->objects != w->hi)
		return bug(w, err, "MARK does not cover every object");
	uint64_t nbytes = (nbits + 7) / 8;
	if (nbytes > UINT32_MAX)
		return bug(w, err, "MARK longer than 4 GiB");
	if (nbits % 8 && (bits[nbytes - 1] >> (nbits % 8)))
		return bug(w, err, "MARK has bits past the last object");
	msgpack_pack_array(&w->pk, 3);
	msgpack_pack_unsigned_int(&w->pk, MT_REC_MARK);
	msgpack_pack_uint64(&w->pk, nbits);
	msgpack_pack_bin(&w->pk, (size_t)nbytes);
	msgpack_pack_bin_body(&w->pk, bits, (size_t)nbytes);
	w->mark_done = true;
	return w->failed ? fail(w, err) : MT_OK;
}

/* Bytes of the unsigned LEB128 encoding of v. */
static size_t leb_len(uint32_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

mt_status mt_writer_sites(mt_writer *w, const char *const *files,
			  const uint32_t *file_lens, uint32_t nfiles,
			  const uint32_t *site_file, const uint32_t *site_line,
			  uint32_t nsites, const uint32_t *obj_site,
			  uint64_t nobjects, mt_err *err)
{
	if (failed(w))
		return fail(w, err);
	if (!w->header_done)
		return bug(w, err, "SITES written before the header");
	if (w->sites_done)
		return bug(w, err, "SITES written twice");
	if (nobjects != w->objects || w->objects != w->hi)
		return bug(w, err, "SITES does not cover every object");
	if (nsites > UINT32_MAX / 2)
		return bug(w, err, "too many sites");
	uint64_t nbytes = 0;
	for (uint64_t i = 0; i < nobjects; i++) {
		if (obj_site[i] > nsites)
			return bug(w, err,
				   "SITES names a site it does not have");
		nbytes += leb_len(obj_site[i]);
	}
	for (uint32_t k = 0; k < nsites; k++)
		if (site_file[k] >= nfiles)
			return bug(w, err,
				   "SITES names a file it does not have");
	if (nbytes > UINT32_MAX)
		return bug(w, err, "SITES longer than 4 GiB");
	msgpack_pack_array(&w->pk, 4);
	msgpack_pack_unsigned_int(&w->pk, MT_REC_SITES);
	msgpack_pack_array(&w->pk, nfiles);
	for (uint32_t i = 0; i < nfiles; i++) {
		msgpack_pack_str(&w->pk, file_lens[i]);
		msgpack_pack_str_body(&w->pk, files[i], file_lens[i]);
	}
	msgpack_pack_array(&w->pk, (size_t)nsites * 2);
	for (uint32_t k = 0; k < nsites; k++) {
		msgpack_pack_uint32(&w->pk, site_file[k]);
		msgpack_pack_uint32(&w->pk, site_line[k]);
	}
	msgpack_pack_bin(&w->pk, (size_t)nbytes);
	for (uint64_t i = 0; i < nobjects && !w->failed;) {
		uint8_t *p = room(w, 4096 * 5);
		if (!p)
			break;
		uint8_t *q = p;
		for (uint64_t end = i + 4096 < nobjects ? i + 4096 : nobjects;
		     i < end; i++) {
			uint32_t v = obj_site[i];
			while (v >= 0x80) {
				*q++ = (uint8_t)(v | 0x80);
				v >>= 7;
			}
			*q++ = (uint8_t)v;
		}
		w->used += (size_t)(q - p);
	}
	w->sites_done = true;
	return w->failed ? fail(w, err) : MT_OK;
}

/* Writes a reference to `id` relative to hi (dump.h): at most 5 bytes.
 * Returns NULL if id was not introduced yet. */
static inline uint8_t *put_ref(mt_writer *w, uint8_t *p, uint32_t id)
{
	if (id == w->hi) {
		if (w->hi == UINT32_MAX)
			return NULL;
		w->hi++;
		*p = 0;
		return p + 1;
	}
	if (id > w->hi)
		return NULL;
	return put_uint(p, w->hi - id);
}

/* Most bytes one edge takes: rel (2), target (5), label (9). */
#define EDGE_MAX 16
#define EDGE_BATCH 4096

static mt_status pack_edges(mt_writer *w, const mt_edge *edges, size_t n,
			    mt_err *err)
{
	size_t i = 0;
	while (i < n) {
		size_t k = n - i < EDGE_BATCH ? n - i : EDGE_BATCH;
		uint8_t *p = room(w, k * EDGE_MAX);
		if (!p)
			return fail(w, err);
		for (size_t end = i + k; i < end; i++) {
			const mt_edge *e = &edges[i];
			unsigned rel = e->rel;
			int lk;
			switch (rel) {
			case MT_REL_INDEX:
			case MT_REL_KEY:
			case MT_REL_STACK:
			case MT_REL_INSET:
			case MT_REL_OTHER:
				lk = MT_LABEL_INT;
				break;
			case MT_REL_KEYVAL:
				lk = MT_LABEL_REF;
				break;
			default:
				lk = mt_relation_label_kind(rel);
				break;
			}
			const char *what = NULL;
			if (lk < 0) {
				what = "edge with an unknown relation";
			} else {
				*p++ = (uint8_t)rel; /* codes < 128: fixint */
				uint8_t *q = put_ref(w, p, e->target);
				if (!q) {
					what =
					    "edge target id not yet introduced";
				} else if (lk == MT_LABEL_REF) {
					p = e->label > UINT32_MAX
						? NULL
						: put_ref(w, q,
							  (uint32_t)e->label);
					if (!p)
						what = "label id not yet "
						       "introduced";
				} else if (lk == MT_LABEL_NAME &&
					   e->label >= w->names_count) {
					what = "edge label names no name";
				} else {
					p = put_uint(q, e->label);
				}
			}
			if (what) /* sticky: the file will be aborted */
				return bug(w, err, what);
		}
		w->used = (size_t)(p - w->buf);
	}
	w->edges += n;
	return MT_OK;
}

mt_status mt_writer_roots(mt_writer *w, const mt_edge *edges, size_t n,
			  mt_err *err)
{
	if (failed(w))
		return fail(w, err);
	if (!w->header_done || w->roots_done || w->objects || w->mark_done ||
	    w->sites_done)
		return bug(w, err, "roots written out of order");
	if (n > (UINT32_MAX - 1) / 3)
		return bug(w, err, "too many root edges");
	msgpack_pack_array(&w->pk, (size_t)(1 + 3 * n));
	msgpack_pack_unsigned_int(&w->pk, MT_REC_ROOTS);
	if (pack_edges(w, edges, n, err))
		return w->failed;
	w->roots_done = true;
	return w->failed ? fail(w, err) : MT_OK;
}

static void pack_str(msgpack_packer *pk, const char *s, uint32_t n)
{
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s ? s : "", n);
}

static void pack_value(msgpack_packer *pk, const mt_value *v)
{
	switch (v->kind) {
	case MT_VAL_NONE:
		msgpack_pack_nil(pk);
		break;
	case MT_VAL_STR:
		pack_str(pk, v->s, v->slen);
		break;
	case MT_VAL_BYTES:
		msgpack_pack_bin(pk, v->slen);
		msgpack_pack_bin_body(pk, v->s, v->slen);
		break;
	case MT_VAL_INT:
		msgpack_pack_int64(pk, v->i);
		break;
	case MT_VAL_FLOAT:
		msgpack_pack_double(pk, v->d);
		break;
	case MT_VAL_BOOL:
		if (v->i)
			msgpack_pack_true(pk);
		else
			msgpack_pack_false(pk);
		break;
	case MT_VAL_QUALNAME:
		msgpack_pack_array(pk, 2);
		pack_str(pk, v->s, v->slen);
		pack_str(pk, v->s2, v->s2len);
		break;
	case MT_VAL_CODE:
		msgpack_pack_array(pk, 3);
		pack_str(pk, v->s, v->slen);
		msgpack_pack_int64(pk, v->i);
		pack_str(pk, v->s2, v->s2len);
		break;
	}
}

/* An object's type: nil when it is the previous object's type (objects
 * come breadth-first, in long runs of one type), else a reference. */
static uint8_t *put_type(mt_writer *w, uint8_t *p, uint32_t type)
{
	if (w->objects && type == w->type_prev) {
		*p++ = 0xc0;
		return p;
	}
	w->type_prev = type;
	return put_ref(w, p, type);
}

/* OBJECT record through msgpack-c's packer (values too big for room()). */
static mt_status pack_object_slow(mt_writer *w, const mt_obj *o,
				  const mt_edge *edges, size_t n, mt_err *err)
{
	msgpack_packer *pk = &w->pk;
	msgpack_pack_array(pk, (size_t)(7 + 3 * n));
	msgpack_pack_unsigned_int(pk, MT_REC_OBJECT);
	uint8_t *p = room(w, 5);
	if (!p)
		return fail(w, err);
	p = put_type(w, p, o->type);
	if (!p)
		return bug(w, err, "type id not yet introduced");
	w->used = (size_t)(p - w->buf);
	msgpack_pack_uint64(pk, o->size);
	if (o->addr) {
		msgpack_pack_int64(pk, (int64_t)(o->addr - w->addr_prev));
		w->addr_prev = o->addr;
		msgpack_pack_uint64(pk, o->refcnt);
	} else {
		msgpack_pack_nil(pk);
		msgpack_pack_nil(pk);
	}
	if (o->length == MT_NO_LENGTH)
		msgpack_pack_nil(pk);
	else
		msgpack_pack_int64(pk, o->length);
	pack_value(pk, &o->value);
	if (pack_edges(w, edges, n, err))
		return w->failed;
	w->objects++;
	return w->failed ? fail(w, err) : MT_OK;
}

mt_status mt_writer_object(mt_writer *w, uint32_t id, const mt_obj *o,
			   const mt_edge *edges, size_t n, mt_err *err)
{
	if (failed(w))
		return fail(w, err);
	if (!w->header_done)
		return bug(w, err, "object written before the header");
	if (w->mark_done || w->sites_done)
		return bug(w, err,
			   "object written after the MARK or SITES "
			   "record");
	if (id != w->objects)
		return bug(w, err, "object records out of id order");
	if (id > w->hi)
		return bug(w, err, "object id skips ids");
	if ((unsigned)o->value.kind > MT_VAL_CODE)
		return bug(w, err, "unknown value kind");
	if (n > (UINT32_MAX - 7) / 3)
		return bug(w, err, "too many edges on one object");
	if (id == w->hi)
		w->hi++;
	const mt_value *v = &o->value;
	/* fixed fields: array 5, tag 1, type 5, size 9, addr 9, refcnt 9,
	 * length 9; value: at most 25 bytes of headers and numbers + text */
	size_t vneed = 25;
	if (v->kind == MT_VAL_STR || v->kind == MT_VAL_BYTES ||
	    v->kind == MT_VAL_QUALNAME || v->kind == MT_VAL_CODE)
		vneed += v->slen;
	if (v->kind == MT_VAL_QUALNAME || v->kind == MT_VAL_CODE)
		vneed += v->s2len;
	if (vneed > BUF_SIZE / 2)
		return pack_object_slow(w, o, edges, n, err);
	uint8_t *p = room(w, 47 + vneed);
	if (!p)
		return fail(w, err);
	p = put_array(p, (uint32_t)(7 + 3 * n));
	*p++ = MT_REC_OBJECT;
	p = put_type(w, p, o->type);
	if (!p)
		return bug(w, err, "type id not yet introduced");
	p = put_uint(p, o->size);
	if (o->addr) {
		p = put_int(p, (int64_t)(o->addr - w->addr_prev));
		w->addr_prev = o->addr;
		p = put_uint(p, o->refcnt);
	} else {
		*p++ = 0xc0;
		*p++ = 0xc0;
	}
	if (o->length == MT_NO_LENGTH)
		*p++ = 0xc0;
	else
		p = put_int(p, o->length);
	switch (v->kind) {
	case MT_VAL_NONE:
		*p++ = 0xc0;
		break;
	case MT_VAL_STR:
		p = put_str(p, v->s, v->slen);
		break;
	case MT_VAL_BYTES:
		p = put_bin(p, v->s, v->slen);
		break;
	case MT_VAL_INT:
		p = put_int(p, v->i);
		break;
	case MT_VAL_FLOAT:
		p = put_double(p, v->d);
		break;
	case MT_VAL_BOOL:
		*p++ = v->i ? 0xc3 : 0xc2;
		break;
	case MT_VAL_QUALNAME:
		*p++ = 0x92;
		p = put_str(p, v->s, v->slen);
		p = put_str(p, v->s2, v->s2len);
		break;
	case MT_VAL_CODE:
		*p++ = 0x93;
		p = put_str(p, v->s, v->slen);
		p = put_int(p, v->i);
		p = put_str(p, v->s2, v->s2len);
		break;
	}
	w->used = (size_t)(p - w->buf);
	if (n && pack_edges(w, edges, n, err))
		return w->failed;
	w->objects++;
	return w->failed ? fail(w, err) : MT_OK;
}

uint64_t mt_writer_objects(const mt_writer *w) { return w->objects; }

uint64_t mt_writer_edges(const mt_writer *w) { return w->edges; }

uint64_t mt_writer_bytes(const mt_writer *w) { return w->flushed + w->used; }

mt_status mt_writer_finish(mt_writer *w, uint64_t reachable, mt_err *err)
{
	mt_status s = MT_OK;
	if (failed(w)) {
		s = fail(w, err);
		goto abort;
	}
	if (w->objects != w->hi || reachable > w->objects) {
		s = bug(w, err,
			w->objects != w->hi
			    ? "an introduced id has no object record"
			    : "reachable count above object count");
		goto abort;
	}
	/* The checksum covers every byte before the checksum itself, the END
	 * record's counts included: flush them through the hash first (and
	 * the output thread, if it runs, ends: the hash is ours again). */
	msgpack_pack_array(&w->pk, 6);
	msgpack_pack_unsigned_int(&w->pk, MT_REC_END);
	msgpack_pack_uint64(&w->pk, w->objects);
	msgpack_pack_uint64(&w->pk, w->edges);
	msgpack_pack_uint64(&w->pk, w->names_count);
	msgpack_pack_uint64(&w->pk, reachable);
	w->no_thread = true; /* not for the last buffer */
	if (failed(w) || flush(w)) {
		s = fail(w, err);
		goto abort;
	}
	if (w->t) {
		out_thread_end(w, false);
		if (failed(w)) {
			s = fail(w, err);
			goto abort;
		}
	}
	msgpack_pack_uint64(&w->pk, mt_hash64_final(&w->hash));
	if (flush(w)) {
		s = fail(w, err);
		goto abort;
	}
	/* synced, renamed onto the target (checked again: it may have
	 * changed during the walk); on failure the temporary file is gone */
	s = mt_safefile_commit(&w->sf, err);
	writer_free(w);
	return s;
abort:
	mt_writer_abort(w);
	return s;
}

void mt_writer_abort(mt_writer *w)
{
	if (!w)
		return;
	int e = errno; /* keep the cause of the failure for the caller */
	/* before the file goes: the thread may be writing to it */
	if (w->t && !w->t->joined)
		out_thread_end(w, true);
	mt_safefile_abort(&w->sf);
	writer_free(w);
	errno = e;
}
