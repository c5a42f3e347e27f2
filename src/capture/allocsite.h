/* Allocation sites of a dump's objects (heapy's `byprod`), from tracemalloc.
 *
 * When tracemalloc traces, every memory block the interpreter allocated
 * since tracing started has a traceback in tracemalloc's tables; heapy's
 * Prod classifies an object by the innermost frame of its block's
 * traceback (file name and line).  A dump records that frame per object in
 * its SITES record (doc/format.md), so the analysis can classify without
 * the process.
 *
 * The lookup goes through _PyTraceMalloc_GetTraceback (exported from 3.9
 * to 3.14), which creates tuples: it runs after the walk, never during it,
 * with the collector disabled (module.c disables it for the whole dump), and
 * it frees everything it creates before it returns.  No walked object is
 * freed, so the addresses of the walk's table stay valid.
 */
#ifndef MT_CAPTURE_ALLOCSITE_H
#define MT_CAPTURE_ALLOCSITE_H

#include <signal.h>

#include "memtrack/writer.h"
#include "objtable.h"
#include "walk.h"

/* Whether tracemalloc traces now.  Allocates nothing, runs no Python code
 * (PyTraceMalloc_Untrack of a block in a domain nobody uses). */
int mt_allocsite_tracing(void);

/* Looks up the allocation site of every real object of tab (ids 0 ..
 * tab->count - 1; virtual objects have none) and writes the SITES record
 * after the last object.  Needs the GIL with the collector disabled.
 * `cancel` as in mt_walk_dump.  MT_OK, MT_NOMEM, MT_CANCELLED or the
 * writer's error in *err. */
mt_status mt_allocsite_write(mt_writer *wr, const mt_objtable *tab,
			     const volatile sig_atomic_t *cancel, mt_err *err);

#endif
