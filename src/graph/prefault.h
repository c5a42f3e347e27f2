/* prefault.h - a thread that maps in the pages the loader is about to write.
 *
 * At 80M objects a third of the loader's time was the kernel's: page
 * faults on the graph's new arrays (about 5 GB of fresh pages).  This
 * thread asks the kernel for the pages just ahead of the loader's writes
 * (MADV_POPULATE_WRITE), on the second core, so the loader finds them
 * mapped.  It never reads or writes the memory itself: populating leaves
 * the contents alone, so a request that races with the loader's own writes,
 * or even with a free, changes no byte.  Requests for an array are dropped
 * before the loader moves it (mt_prefault_sync).
 *
 * Where the kernel lacks MADV_POPULATE_WRITE (before Linux 5.14) or no
 * thread can be started, mt_prefault_start returns NULL and every call
 * below accepts NULL and does nothing: the loader faults its pages itself,
 * as before.  Internal to src/graph. */
#ifndef MT_GRAPH_PREFAULT_H
#define MT_GRAPH_PREFAULT_H

#include <stddef.h>

typedef struct mt_prefault mt_prefault;

/* NULL: unavailable (the loader goes on without). */
mt_prefault *mt_prefault_start(void);

/* Asks for the pages of base[from, to) (bytes; rounded out to pages).
 * Requests past the queue's room are dropped.  (base is not const: the
 * memory need not be initialized, and GCC warns of a const pointer to
 * memory not yet written.) */
void mt_prefault_want(mt_prefault *p, void *base, size_t from,
		      size_t to);

/* Drops every waiting request and waits for the one in progress: call
 * before realloc or free of memory that was asked for. */
void mt_prefault_sync(mt_prefault *p);

/* Stops and joins the thread (waiting requests dropped); NULL is fine. */
void mt_prefault_stop(mt_prefault *p);

#endif
