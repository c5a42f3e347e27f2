/* Python's text of values: repr() and reprlib.repr() of object previews.
 *
 * Heapy shows objects by their Python text: dict keys in paths and via
 * labels (`['tags']`), strings in identity tables (reprlib's 30-character
 * cut), numbers by repr().  memtrack has only the value preview of the dump
 * (doc/format.md, "OBJECT fields"), so these functions reproduce CPython's
 * algorithms on that preview:
 *
 *  - str: unicode_repr (quote ' unless the text has ' and no "; escapes
 *    \\ \n \r \t and the quote; \xNN, \uNNNN, \UNNNNNNNN for characters that
 *    str.isprintable() rejects; printable non-ASCII kept as UTF-8).  The
 *    printable test knows the Cc, Cf, Zs, Zl, Zp, Co and Cs ranges and the
 *    non-characters; unassigned code points count as printable (CPython's
 *    answer depends on its Unicode version).  Invalid UTF-8 bytes come out
 *    as \xNN like the surrogateescape'd text would.
 *  - bytes: bytes_repr (b'...', \xNN for bytes < 0x20 and >= 0x7f).
 *  - float: float_repr, the shortest text that reads back to the same
 *    double, in fixed notation for exponents -4 <= e < 16, else d.ddde+XX.
 *
 * A str or bytes preview shorter than the object (length says so) or a big
 * int with more digits than its preview is *truncated*: mt_pyrepr_object
 * then appends "..." after the closing quote (`'abc...xyz'...` is never
 * produced: the text is `'first 64 bytes'...`), and mt_pyrepr_limited,
 * which needs the unknown tail for reprlib's middle cut, ends the text at
 * the cut: `'first twelve...'` (quote, 12 characters, "...", quote).
 *
 * All functions append to a caller's mt_strbuf and return MT_OK or
 * MT_NOMEM; they never fail otherwise.
 */
#ifndef MEMTRACK_PYREPR_H
#define MEMTRACK_PYREPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtrack/error.h"
#include "memtrack/graph.h"
#include "memtrack/strbuf.h"

/* reprlib.Repr defaults used by heapy (reprlib.repr). */
#define MT_PYREPR_MAXSTRING 30
#define MT_PYREPR_MAXLONG 40

/* repr(str) of UTF-8 text. */
mt_status mt_pyrepr_str(mt_strbuf *out, const char *utf8, size_t n);
/* repr(bytes). */
mt_status mt_pyrepr_bytes(mt_strbuf *out, const void *b, size_t n);
/* repr(float): 1.5, 0.1, 1e+16, 1e-05, inf, -inf, nan, -0.0. */
mt_status mt_pyrepr_float(mt_strbuf *out, double d);
/* reprlib.repr of a complete str / bytes (maxstring 30). */
mt_status mt_pyrepr_str_limited(mt_strbuf *out, const char *utf8, size_t n);
mt_status mt_pyrepr_bytes_limited(mt_strbuf *out, const void *b, size_t n);

/* repr() of an object of g from its preview: str, bytes, bytearray
 * (bytearray(b'..')), int (also big ints), bool (True/False), float,
 * None (the instance of NoneType), types (<class 'mod.qualname'>).
 * Any other object is rendered like mt_pyrepr_limited does. */
mt_status mt_pyrepr_object(const mt_graph *g, uint32_t id, mt_strbuf *out);

/* heapy's identity-table rendering of an object: reprlib.repr for str and
 * bytes (maxstring 30) and ints (maxlong 40), repr for float, bool and
 * None, `0xADDR*len` for dict, list and tuple, the name for modules,
 * `module.qualname` for functions (qualname alone when the dump has no
 * __module__ edge), `file:line:name` for code (file's basename),
 * `<name at 0xADDR>` for frames, the type label for types, else the
 * address `0x7f...`.  Virtual objects have address 0 and print `0x0`. */
mt_status mt_pyrepr_limited(const mt_graph *g, uint32_t id, mt_strbuf *out);

/* An object as heapy prints it as a dict key: repr() (limited false; via
 * texts) or reprlib.repr() (limited true; paths, with reprlib's defaults:
 * maxlevel 6, maxtuple 6, maxstring and maxother 30, maxlong 40).  Handled:
 * str, bytes, int, bool, float, None; exact tuples, composed from their
 * [i] edges (`(1, 'a')`, `('x',)`, `()`); classes `<class 'mod.qual'>`;
 * functions `<function qual at 0xADDR>`; builtins `<built-in function
 * len>`, `<built-in method m of T object at 0xADDR>`; instances of classes
 * none of whose MRO (but object) defines __repr__ `<mod.qual object at
 * 0xADDR>`.  Anything else (a __repr__ memtrack cannot run, frozensets,
 * tuple subclasses) is rendered like mt_pyrepr_limited. */
mt_status mt_pyrepr_key(const mt_graph *g, uint32_t id, bool limited,
			mt_strbuf *out);

/* The rendering style mt_pyrepr_limited uses for an object, with heapy's
 * identity-table column header. */
typedef enum {
	MT_PYREPR_LIMREPR = 0, /* "Representation (limited)": str, bytes, int */
	MT_PYREPR_VALUE,       /* "Value": float, bool, None                  */
	MT_PYREPR_ADDRLEN, /* "Address*Length": dict, list, tuple          */
	MT_PYREPR_NAME,	   /* "Name": module, function, type, builtin fn   */
	MT_PYREPR_CODE,	   /* "File:Line:Name": code                       */
	MT_PYREPR_FRAME,   /* "Name at Address": frame                     */
	MT_PYREPR_ADDRESS  /* "Address": everything else                   */
} mt_pyrepr_style;

mt_pyrepr_style mt_pyrepr_style_of(const mt_graph *g, uint32_t id);
const char *mt_pyrepr_style_header(mt_pyrepr_style s);

/* True if the type object `type` is builtins.<name> (by its QUALNAME
 * value). */
bool mt_pyrepr_type_is(const mt_graph *g, uint32_t type, const char *name);

#endif
