/* MT_PREFETCH_FN: how a function whose work is __builtin_prefetch is
 * declared in the capture.
 *
 * Such a function must be always_inline.  GCC (12, -O2) finds a function
 * whose only effect is a prefetch free of side effects ("const") and
 * deletes the calls to it whose result is unused, before it inlines them:
 * a plain `static inline` prefetch helper compiles to nothing.  The walk's
 * prefetch of the next objects' headers did, unseen, until the
 * disassembly showed it missing (doc/benchmarks.md, "Capture against
 * heapy").  Inlined first, its prefetches stay. */
#ifndef MT_CAPTURE_PREFETCH_H
#define MT_CAPTURE_PREFETCH_H

#if defined(__GNUC__)
#define MT_PREFETCH_FN static inline __attribute__((always_inline))
#else
#define MT_PREFETCH_FN static inline
#endif

#endif
