/* Small helpers every layer shares, defined once (src/format/util.c, the
 * lowest library, so capture, graph, analysis, query and the browser all
 * link it): a uint32_t comparator, UTF-8 decoding, encoding, counting and
 * display width, and out-of-memory handling.
 *
 * Like every library function these never print or exit, with one stated
 * exception: the mt_x* allocators, meant for the application only (the
 * browser), hand a failure to the application's out-of-memory handler.
 * Library code returns MT_NOMEM instead (mt_nomem).
 */
#ifndef MEMTRACK_UTIL_H
#define MEMTRACK_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtrack/error.h"

/* ---- ordering ---- */

/* qsort/bsearch comparator of two uint32_t: ascending. */
int mt_cmp_u32(const void *a, const void *b);

/* ---- UTF-8 ---- */

/* Longest UTF-8 sequence, in bytes. */
#define MT_UTF8_MAX 4

/* Decodes the character at s[0..avail) into *cp and returns its length in
 * bytes (1..4), or returns 0 (*cp untouched) when s does not start with a
 * well-formed sequence: avail is 0, a stray continuation byte, a lead byte
 * 0xf8..0xff, a sequence cut short (by avail or by a byte that is not a
 * continuation), an overlong form, a surrogate (U+D800..U+DFFF) or a
 * value beyond U+10FFFF.  Callers decide what a bad byte becomes (U+FFFD,
 * '?', an escape) and step one byte.  avail may exceed the real length of
 * a NUL-terminated s: NUL is never a continuation byte, so decoding stops
 * at it. */
size_t mt_utf8_decode(const char *s, size_t avail, uint32_t *cp);

/* Writes the UTF-8 form of cp into out and returns its length (1..4).
 * Surrogates are encoded like any other value (3 bytes, as Python's
 * "surrogatepass" does); a value beyond U+10FFFF becomes U+FFFD. */
size_t mt_utf8_encode(uint32_t cp, char out[MT_UTF8_MAX]);

/* UTF-8 text measured in characters, for tables, reprs and carets: the
 * number of characters of s[0..n) (bytes that are not continuation bytes),
 * and the byte offset of character k (n when the text has fewer). */
size_t mt_utf8_chars(const char *s, size_t n);
size_t mt_utf8_offset(const char *s, size_t n, size_t k);

/* A C0 control (U+0000..U+001F), DEL or a C1 control (U+0080..U+009F, a
 * CSI introducer on some terminals): never written to a terminal as is. */
bool mt_cp_control(uint32_t cp);

/* Display cells of cp in the current LC_CTYPE locale: 1 for printable
 * ASCII, else wcwidth(): 0 for a combining mark, 2 for a wide character,
 * -1 for a control (mt_cp_control) or a character the locale cannot show.
 * The application calls setlocale first; in the "C" locale every non-ASCII
 * character is -1. */
int mt_cp_width(uint32_t cp);

/* ---- numbers for people ---- */

/* Longest text mt_fmt_size and mt_fmt_count write, with the NUL. */
#define MT_FMT_SIZE_MAX 8
#define MT_FMT_COUNT_MAX 27

/* A size in decimal (SI) units, as pympler, ls -h --si and df -H print
 * them: "512 B", "9.87 kB", "418 kB", "16.1 MB", "1.20 GB" (1 kB = 1000
 * bytes, three significant digits, at most 7 characters: "999 B", "9.99
 * kB").  Rounded to nearest; a value that rounds to 1000 of a unit is
 * written in the next one ("1.00 MB", never "1000 kB").  Writes at most
 * n bytes with the NUL (MT_FMT_SIZE_MAX is always enough) and returns buf. */
char *mt_fmt_size(char *buf, size_t n, uint64_t bytes);

/* A count with a comma every three digits: "1,234,567" (not the locale's:
 * the same text everywhere).  Returns buf; MT_FMT_COUNT_MAX always fits. */
char *mt_fmt_count(char *buf, size_t n, uint64_t count);

/* ---- out of memory ---- */

/* Library side: sets err (if not NULL) to MT_NOMEM with no position and no
 * detail, and returns MT_NOMEM. */
mt_status mt_nomem(mt_err *err);

/* Application side.  The out-of-memory handler: it must not return (it
 * prints a line and exits).  The application installs it once at start;
 * until then, and when fn is NULL, it is abort().  Returns the previous
 * handler. */
typedef void (*mt_oom_fn)(void);
mt_oom_fn mt_oom_set_handler(mt_oom_fn fn);

/* malloc, calloc, realloc (of n elements of size sz, overflow checked) and
 * strdup that never return NULL: a failure calls the handler.  Zero sizes
 * allocate one byte; mt_xstrdup(NULL) is "".  Caller frees.  Only for the
 * application (src/browser): library code returns MT_NOMEM. */
void *mt_xmalloc(size_t n);
void *mt_xcalloc(size_t n, size_t sz);
void *mt_xrealloc(void *p, size_t n, size_t sz);
char *mt_xstrdup(const char *s);

/* ---- big arrays kept warm (src/format/bigmem.c) ---- */

/* Arrays of one entry per object (hundreds of MB on a big heap) that come
 * and go as the user browses: a partition's kinds, the retained pass's
 * masks.  On virtual machines the kernel's first touch of a fresh page
 * can cost 0.5-2.5 s per GB, more than the pass that fills the array.
 * These keep up to mt_big_keep's bytes of freed arrays mapped and hand
 * their pages to the next array (moved with mremap, not copied), so a
 * re-partition reuses pages it has already paid for; only pages in
 * memory are kept (never touched ones go back at once).  From 4 MiB an
 * array's mapping starts on a 2 MiB boundary and is whole 2 MiB pages
 * long, so that kept transparent huge pages move whole (a move between
 * different boundaries would split them, and random reads of the array
 * would then miss the TLB); such an array takes kept pages only in whole
 * huge pages, each onto its place modulo 2 MiB, and what is kept
 * otherwise (a small array's range, the tail of one kept only partly)
 * goes back when it would come next.
 *
 * mt_big_alloc: bytes of uninitialised memory, page-aligned, or NULL;
 * mt_big_calloc: n elements of size bytes, zeroed (overflow checked).
 * mt_big_shrink: the array cut to bytes (no more than it has), its tail's
 * pages kept or given back; returns p.  mt_big_free: the array's pages
 * kept or given back; NULL is ignored.  Memory from these is freed with
 * mt_big_free only, never free().
 *
 * mt_big_keep: the most bytes kept (whole pages; 0, the default, keeps
 * none); what is kept beyond it goes back at once.  mt_big_release: what
 * is kept beyond `most` bytes goes back now (0: all), the limit stays
 * (before work whose own memory, not from these, would come on top of
 * it; what the work's own big arrays will need may stay).  mt_big_kept:
 * the bytes kept
 * now.  Thread-safe.  Under AddressSanitizer they are malloc
 * and free behind a small header and keep nothing, so the sanitizer sees
 * every access, and a free() of a big array is reported. */
void *mt_big_alloc(size_t bytes);
void *mt_big_calloc(size_t n, size_t size);
void *mt_big_shrink(void *p, size_t bytes);
void mt_big_free(void *p);
void mt_big_keep(size_t bytes);
void mt_big_release(size_t most);
size_t mt_big_kept(void);

/* Kept pages made ahead, while the application waits for its user: a
 * thread faults in fresh pages, 2 MiB at a time, and keeps them until
 * `bytes` are kept (no more than mt_big_keep's limit), then ends.  Returns
 * at once; a new call replaces the goal.  mt_big_prepare_stop stops the
 * thread and waits for it (one chunk at most).  Both from one thread (the
 * application's); nothing under AddressSanitizer. */
void mt_big_prepare(size_t bytes);
void mt_big_prepare_stop(void);

/* Asks the kernel for transparent huge pages over the whole 2 MiB pages
 * inside base[0, bytes) (nothing under 4 MiB); contents stay.  A fresh
 * huge page costs about half the kernel time of its 512 small ones on
 * this kind of VM, and random accesses miss the TLB far less.  Big arrays
 * and the loader's arrays use it.  Without transparent huge pages (or
 * with them set to "never") memory keeps small pages. */
void mt_huge_advise(void *base, size_t bytes);

#endif
