/* mt_strbuf (include/memtrack/strbuf.h): owns one growable NUL-terminated
 * text buffer; grows by doubling and turns sticky on allocation failure. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/strbuf.h"

void mt_strbuf_init(mt_strbuf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
	b->nomem = false;
}

void mt_strbuf_destroy(mt_strbuf *b)
{
	free(b->s);
	mt_strbuf_init(b);
}

void mt_strbuf_reset(mt_strbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

static int reserve(mt_strbuf *b, size_t n)
{
	size_t need, nc;
	char *p;
	if (b->nomem)
		return -1;
	if (n > SIZE_MAX - b->len - 1)
		goto fail;
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	nc = b->cap ? b->cap : 256;
	while (nc < need)
		nc = nc > SIZE_MAX / 2 ? need : nc * 2;
	p = realloc(b->s, nc);
	if (!p)
		goto fail;
	b->s = p;
	b->cap = nc;
	return 0;
fail:
	b->nomem = true;
	return -1;
}

mt_status mt_strbuf_add(mt_strbuf *b, const char *s, size_t n)
{
	if (reserve(b, n))
		return MT_NOMEM;
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return MT_OK;
}

mt_status mt_strbuf_addc(mt_strbuf *b, char c, size_t times)
{
	if (reserve(b, times))
		return MT_NOMEM;
	memset(b->s + b->len, c, times);
	b->len += times;
	b->s[b->len] = '\0';
	return MT_OK;
}

mt_status mt_strbuf_printf(mt_strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || reserve(b, (size_t)n))
		return MT_NOMEM;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return MT_OK;
}
