/* A bounds-checked msgpack cursor over a memory buffer (internal to the
 * format library).
 *
 * The reader of dump files decodes with this instead of msgpack-c's
 * unpacker so that every value is read in place (no zone allocation per
 * record) and every failure says at which byte it happened and what was
 * expected.  Only the msgpack types the dump format uses are decoded; ext
 * types are rejected.  The cursor never reads outside [base, end).
 */
#ifndef MT_MPK_H
#define MT_MPK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtrack/error.h"

typedef enum {
	MT_MPK_EOF = 0,
	MT_MPK_NIL,
	MT_MPK_BOOL,
	MT_MPK_UINT,
	MT_MPK_NINT, /* negative int */
	MT_MPK_FLOAT,
	MT_MPK_STR,
	MT_MPK_BIN,
	MT_MPK_ARRAY,
	MT_MPK_MAP,
	MT_MPK_EXT,
	MT_MPK_INVALID /* 0xc1, never used by msgpack */
} mt_mpk_type;

typedef struct mt_mpk {
	const uint8_t *base, *p, *end;
	uint64_t record; /* record number for error positions */
} mt_mpk;

void mt_mpk_init(mt_mpk *c, const void *buf, size_t len);
static inline uint64_t mt_mpk_offset(const mt_mpk *c)
{
	return (uint64_t)(c->p - c->base);
}
mt_mpk_type mt_mpk_peek(const mt_mpk *c);
const char *mt_mpk_type_name(mt_mpk_type t);

mt_status mt_mpk_array(mt_mpk *c, uint32_t *n, mt_err *err);
mt_status mt_mpk_map(mt_mpk *c, uint32_t *n, mt_err *err);
mt_status mt_mpk_uint(mt_mpk *c, uint64_t *v, mt_err *err);
mt_status mt_mpk_int(mt_mpk *c, int64_t *v, mt_err *err);
mt_status mt_mpk_float(mt_mpk *c, double *v, mt_err *err);
mt_status mt_mpk_bool(mt_mpk *c, bool *v, mt_err *err);
mt_status mt_mpk_nil(mt_mpk *c, mt_err *err);
mt_status mt_mpk_str(mt_mpk *c, const char **s, uint32_t *n, mt_err *err);
mt_status mt_mpk_bin(mt_mpk *c, const char **s, uint32_t *n, mt_err *err);
/* Skips one complete value (iteratively, any nesting depth). */
mt_status mt_mpk_skip(mt_mpk *c, mt_err *err);

#endif
