/* Errors as values.
 *
 * Every library function of memtrack returns an mt_status and, on failure,
 * fills a caller-provided mt_err with the position (byte offset and record
 * number, when the failure is about input) and a one-line detail saying what
 * was expected.  Libraries never print, exit or draw; the program decides how
 * to show an mt_err (mt_err_format gives the canonical one-line text).
 *
 * MT_STATUS_LIST is the one table of codes and their messages.
 */
#ifndef MEMTRACK_ERROR_H
#define MEMTRACK_ERROR_H

#include <stddef.h>
#include <stdint.h>

#define MT_STATUS_LIST(X)                                                      \
	X(OK, "ok")                                                            \
	X(END, "end of input")                                                 \
	X(NOMEM, "out of memory")                                              \
	X(IO, "input/output error")                                            \
	X(TRUNCATED, "unexpected end of file")                                 \
	X(MAGIC, "not a memtrack dump")                                        \
	X(VERSION, "unsupported format version")                               \
	X(MSGPACK, "malformed msgpack")                                        \
	X(TYPE, "unexpected value type")                                       \
	X(RANGE, "value out of range")                                         \
	X(BADREF, "reference to an unknown object")                            \
	X(CHECKSUM, "checksum mismatch")                                       \
	X(COUNT, "count mismatch")                                             \
	X(TRAILING, "data after the end of the dump")                          \
	X(ARG, "invalid argument")                                             \
	X(SYNTAX, "syntax error")                                              \
	X(CANCELLED, "cancelled")

typedef enum {
#define MT_STATUS_ENUM_(name, msg) MT_##name,
	MT_STATUS_LIST(MT_STATUS_ENUM_)
#undef MT_STATUS_ENUM_
	MT_STATUS_COUNT_
} mt_status;

/* MT_NO_OFFSET in mt_err.offset / .record means "not about a position". */
#define MT_NO_OFFSET UINT64_MAX

typedef struct mt_err {
	mt_status code;
	uint64_t offset; /* byte offset in the input, or MT_NO_OFFSET */
	uint64_t record; /* record number (0 = header), or MT_NO_OFFSET */
	char detail[200]; /* what was expected / what happened, may be "" */
	int sys_errno; /* errno of the failed system call (MT_IO), else 0;
			* mt_err_set clears it, the failing caller sets it */
} mt_err;

/* Static message of a status code; never NULL. */
const char *mt_status_str(mt_status code);

/* Clears err to MT_OK with no position.  err may be NULL. */
void mt_err_clear(mt_err *err);

/* Sets err (if not NULL) and returns code, so callers can write
 * `return mt_err_set(err, MT_RANGE, off, rec, "size %u", n);`.
 * fmt may be NULL for no detail. */
mt_status mt_err_set(mt_err *err, mt_status code, uint64_t offset,
		     uint64_t record, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

/* Writes the canonical one-line text, e.g.
 *   "checksum mismatch at byte 1234 (record 56): expected 0x1f..., got 0x2e..."
 * into buf (always NUL-terminated when n > 0).  Returns the length that the
 * full text needs, like snprintf. */
int mt_err_format(const mt_err *err, char *buf, size_t n);

#endif
