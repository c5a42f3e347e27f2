/* The shared helpers of include/memtrack/util.h.  Owns one piece of state:
 * the application's out-of-memory handler (abort() until one is set). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "memtrack/util.h"

int mt_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* ---- UTF-8 ---- */

size_t mt_utf8_decode(const char *s, size_t avail, uint32_t *cp)
{
	static const uint32_t min[MT_UTF8_MAX + 1] = {0, 0, 0x80, 0x800,
						      0x10000};
	const unsigned char *u = (const unsigned char *)s;
	uint32_t v;
	size_t n;
	if (!avail)
		return 0;
	v = u[0];
	if (v < 0x80) {
		*cp = v;
		return 1;
	}
	if ((v & 0xe0) == 0xc0)
		n = 2, v &= 0x1f;
	else if ((v & 0xf0) == 0xe0)
		n = 3, v &= 0x0f;
	else if ((v & 0xf8) == 0xf0)
		n = 4, v &= 0x07;
	else
		return 0;
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (u[i] & 0x3f);
	}
	if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

size_t mt_utf8_encode(uint32_t cp, char out[MT_UTF8_MAX])
{
	if (cp > 0x10ffff)
		cp = 0xfffd;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t mt_utf8_chars(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xc0) != 0x80;
	return k;
}

size_t mt_utf8_offset(const char *s, size_t n, size_t k)
{
	size_t i = 0;
	while (i < n && k) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		k--;
	}
	return i;
}

bool mt_cp_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

int mt_cp_width(uint32_t cp)
{
	if (mt_cp_control(cp))
		return -1;
	if (cp < 0x7f)
		return 1;
	if (cp > 0x10ffff)
		return -1;
	int w = wcwidth((wchar_t)cp);
	return w < 0 ? -1 : w;
}

/* ---- numbers for people ---- */

char *mt_fmt_size(char *buf, size_t n, uint64_t bytes)
{
	static const char *const unit[] = {"kB", "MB", "GB", "TB", "PB",
					   "EB"};
	if (!n)
		return buf;
	if (bytes < 1000) {
		snprintf(buf, n, "%u B", (unsigned)bytes);
		return buf;
	}
	/* the value in unit u as hundredths, exact integer arithmetic: the
	 * digits shown are the rounded ones whatever the magnitude */
	uint64_t div = 1000;
	size_t u = 0;
	for (;;) {
		/* rounded to 3 significant digits at this unit */
		uint64_t whole = bytes / div;
		uint64_t step = whole >= 100 ? div : whole >= 10 ? div / 10
								 : div / 100;
		uint64_t r = bytes / step + (bytes % step >= step - step / 2);
		/* r: the value in units of step, rounded half up */
		uint64_t scaled = step == div ? r * 100 : step * 10 == div
							      ? r * 10
							      : r;
		/* scaled: hundredths of the unit */
		if (scaled < 100000 || u + 1 == sizeof unit / sizeof *unit) {
			unsigned w = (unsigned)(scaled / 100),
				 f = (unsigned)(scaled % 100);
			if (w >= 100)
				snprintf(buf, n, "%u %s", w, unit[u]);
			else if (w >= 10)
				snprintf(buf, n, "%u.%u %s", w, f / 10, unit[u]);
			else
				snprintf(buf, n, "%u.%02u %s", w, f, unit[u]);
			return buf;
		}
		div *= 1000;
		u++;
	}
}

char *mt_fmt_count(char *buf, size_t n, uint64_t count)
{
	char d[24], t[MT_FMT_COUNT_MAX];
	int len = snprintf(d, sizeof d, "%llu", (unsigned long long)count);
	size_t k = 0;
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			t[k++] = ',';
		t[k++] = d[i];
	}
	t[k] = '\0';
	if (n)
		snprintf(buf, n, "%s", t);
	return buf;
}

/* ---- out of memory ---- */

mt_status mt_nomem(mt_err *err)
{
	return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, NULL);
}

/* The default handler is abort() itself: the library never decides to
 * print; the application installs a handler that says why it stops. */
static mt_oom_fn oom_handler = abort;

mt_oom_fn mt_oom_set_handler(mt_oom_fn fn)
{
	mt_oom_fn old = oom_handler;
	oom_handler = fn ? fn : abort;
	return old;
}

/* Calls the handler; a handler that returns anyway is followed by abort()
 * so that no mt_x* function ever returns NULL. */
static void *oom(void)
{
	mt_oom_fn last = abort;
	oom_handler();
	last();
	return NULL;
}

void *mt_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	return p ? p : oom();
}

void *mt_xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	return p ? p : oom();
}

void *mt_xrealloc(void *p, size_t n, size_t sz)
{
	if (sz && n > SIZE_MAX / sz)
		return oom();
	size_t bytes = n * sz;
	void *q = realloc(p, bytes ? bytes : 1);
	return q ? q : oom();
}

char *mt_xstrdup(const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	char *d = mt_xmalloc(n);
	memcpy(d, s ? s : "", n);
	return d;
}
