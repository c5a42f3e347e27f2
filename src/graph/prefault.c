/* prefault.c - a thread that maps in the pages the loader is about to write
 * (prefault.h). */
#include "config.h"

#include "prefault.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define QUEUE 64	    /* waiting requests; more are dropped */
#define CHUNK (2u << 20)    /* bytes populated between two checks */

struct req {
	uintptr_t from, to; /* page aligned */
};

struct mt_prefault {
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t work; /* a request waits, or stop */
	pthread_cond_t idle; /* the chunk in progress is done */
	struct req q[QUEUE];
	unsigned head, len;
	struct req cur; /* the request being worked on: cur.from..cur.to */
	bool busy;	/* a chunk is being populated outside the lock */
	bool stop;
	uintptr_t page;
};

#ifdef MADV_POPULATE_WRITE

static void *run(void *arg)
{
	mt_prefault *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->cur.from >= p->cur.to && !p->len)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->stop)
			break;
		if (p->cur.from >= p->cur.to) {
			p->cur = p->q[p->head];
			p->head = (p->head + 1) % QUEUE;
			p->len--;
			continue;
		}
		uintptr_t a = p->cur.from, b = p->cur.to;
		if (b - a > CHUNK)
			b = a + CHUNK;
		p->cur.from = b;
		p->busy = true;
		pthread_mutex_unlock(&p->mu);
		/* leaves the contents alone; an error (the range gone, no
		 * memory) only means the loader faults the pages itself */
		(void)madvise((void *)a, b - a, MADV_POPULATE_WRITE);
		pthread_mutex_lock(&p->mu);
		p->busy = false;
		pthread_cond_broadcast(&p->idle);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Whether this kernel knows MADV_POPULATE_WRITE (Linux 5.14). */
static bool can_populate(long page)
{
	void *m = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return false;
	bool ok = madvise(m, (size_t)page, MADV_POPULATE_WRITE) == 0;
	munmap(m, (size_t)page);
	return ok;
}

mt_prefault *mt_prefault_start(void)
{
	long page = sysconf(_SC_PAGESIZE);
	mt_prefault *p;

	if (page <= 0 || !can_populate(page))
		return NULL;
	p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->page = (uintptr_t)page;
	if (pthread_mutex_init(&p->mu, NULL)) {
		free(p);
		return NULL;
	}
	if (pthread_cond_init(&p->work, NULL)) {
		pthread_mutex_destroy(&p->mu);
		free(p);
		return NULL;
	}
	if (pthread_cond_init(&p->idle, NULL)) {
		pthread_cond_destroy(&p->work);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return NULL;
	}
	if (pthread_create(&p->tid, NULL, run, p)) {
		pthread_cond_destroy(&p->idle);
		pthread_cond_destroy(&p->work);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return NULL;
	}
	return p;
}

#else /* no MADV_POPULATE_WRITE in the headers */

mt_prefault *mt_prefault_start(void) { return NULL; }

#endif

void mt_prefault_want(mt_prefault *p, void *base, size_t from,
		      size_t to)
{
	if (!p || !base || to <= from)
		return;
	uintptr_t a = ((uintptr_t)base + from) & ~(p->page - 1);
	uintptr_t b = ((uintptr_t)base + to + p->page - 1) & ~(p->page - 1);
	pthread_mutex_lock(&p->mu);
	if (p->len < QUEUE) {
		p->q[(p->head + p->len) % QUEUE] = (struct req){a, b};
		p->len++;
		pthread_cond_signal(&p->work);
	}
	pthread_mutex_unlock(&p->mu);
}

void mt_prefault_sync(mt_prefault *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->len = 0;
	p->cur.from = p->cur.to = 0;
	while (p->busy)
		pthread_cond_wait(&p->idle, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

void mt_prefault_stop(mt_prefault *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->tid, NULL);
	pthread_cond_destroy(&p->idle);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
