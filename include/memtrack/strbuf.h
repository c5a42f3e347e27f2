/* A growable string in caller storage, for text that a program prints.
 *
 * Libraries render tables and paths into an mt_strbuf instead of a FILE, so
 * the batch report, the browser and the tests share one renderer.  The text
 * is always NUL-terminated (s may be NULL while len is 0).  After an
 * allocation failure every later append is ignored and returns MT_NOMEM.
 * The text is measured in characters with mt_utf8_chars / mt_utf8_offset
 * (memtrack/util.h, included here for them).
 */
#ifndef MEMTRACK_STRBUF_H
#define MEMTRACK_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "memtrack/error.h"
#include "memtrack/util.h"

typedef struct mt_strbuf {
	char *s;    /* the text, NUL-terminated, owned by the buffer */
	size_t len; /* bytes in s, NUL excluded                       */
	size_t cap;
	bool nomem; /* an append failed                               */
} mt_strbuf;

/* Caller storage: _init before use, _destroy frees the text. */
void mt_strbuf_init(mt_strbuf *b);
void mt_strbuf_destroy(mt_strbuf *b);
/* Empties the text, keeps the allocation. */
void mt_strbuf_reset(mt_strbuf *b);

mt_status mt_strbuf_add(mt_strbuf *b, const char *s, size_t n);
mt_status mt_strbuf_addc(mt_strbuf *b, char c, size_t times);
mt_status mt_strbuf_printf(mt_strbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
