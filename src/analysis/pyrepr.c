/* Python's repr() and reprlib.repr() of value previews
 * (include/memtrack/pyrepr.h).
 *
 * Owns no data: every function renders into the caller's mt_strbuf.  The
 * str escaper follows CPython's unicode_repr and the float formatter
 * float_repr ('r' mode of PyOS_double_to_string); reprlib's cuts are done
 * on the rendered text by characters, as Python slices it.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/pyrepr.h"
#include "memtrack/util.h"

/* ---- str ----------------------------------------------------------------- */

/* str.isprintable() for one code point: false for Cc, Cf, Zs (but ' '),
 * Zl, Zp, Co, Cs and the non-characters. */
static bool printable(uint32_t c)
{
	static const uint32_t ranges[][2] = {
	    {0x0000, 0x001f},	 {0x007f, 0x00a0},   {0x00ad, 0x00ad},
	    {0x0600, 0x0605},	 {0x061c, 0x061c},   {0x06dd, 0x06dd},
	    {0x070f, 0x070f},	 {0x0890, 0x0891},   {0x08e2, 0x08e2},
	    {0x1680, 0x1680},	 {0x180e, 0x180e},   {0x2000, 0x200f},
	    {0x2028, 0x202f},	 {0x205f, 0x2064},   {0x2066, 0x206f},
	    {0x3000, 0x3000},	 {0xd800, 0xf8ff},   {0xfdd0, 0xfdef},
	    {0xfeff, 0xfeff},	 {0xfff9, 0xfffb},   {0x110bd, 0x110bd},
	    {0x110cd, 0x110cd},	 {0x13430, 0x1343f}, {0x1bca0, 0x1bca3},
	    {0x1d173, 0x1d17a},	 {0xe0001, 0xe0001}, {0xe0020, 0xe007f},
	    {0xf0000, 0x10ffff},
	};
	size_t i;
	if ((c & 0xfffe) == 0xfffe)
		return false;
	for (i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		if (c >= ranges[i][0] && c <= ranges[i][1])
			return false;
	return true;
}

/* The quote repr() picks: ' unless the text has ' and no ". */
static char pick_quote(const char *s, size_t n)
{
	return memchr(s, '\'', n) && !memchr(s, '"', n) ? '"' : '\'';
}

static mt_status str_body(mt_strbuf *out, const char *s, size_t n, char q)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		uint32_t c;
		size_t k = mt_utf8_decode(s + i, n - i, &c);
		if (!k) { /* not UTF-8: the byte escaped */
			mt_strbuf_printf(out, "\\x%02x", u[i]);
			i++;
			continue;
		}
		if (c == (uint32_t)q || c == '\\') {
			mt_strbuf_addc(out, '\\', 1);
			mt_strbuf_addc(out, (char)c, 1);
		} else if (c == '\t')
			mt_strbuf_add(out, "\\t", 2);
		else if (c == '\n')
			mt_strbuf_add(out, "\\n", 2);
		else if (c == '\r')
			mt_strbuf_add(out, "\\r", 2);
		else if (printable(c))
			mt_strbuf_add(out, s + i, k);
		else if (c <= 0xff)
			mt_strbuf_printf(out, "\\x%02x", c);
		else if (c <= 0xffff)
			mt_strbuf_printf(out, "\\u%04x", c);
		else
			mt_strbuf_printf(out, "\\U%08x", c);
		i += k;
	}
	return out->nomem ? MT_NOMEM : MT_OK;
}

mt_status mt_pyrepr_str(mt_strbuf *out, const char *utf8, size_t n)
{
	char q = pick_quote(utf8, n);
	mt_strbuf_addc(out, q, 1);
	str_body(out, utf8, n, q);
	return mt_strbuf_addc(out, q, 1);
}

mt_status mt_pyrepr_bytes(mt_strbuf *out, const void *b, size_t n)
{
	const unsigned char *u = b;
	char q = pick_quote(b, n);
	size_t i;
	mt_strbuf_addc(out, 'b', 1);
	mt_strbuf_addc(out, q, 1);
	for (i = 0; i < n; i++) {
		unsigned c = u[i];
		if (c == (unsigned char)q || c == '\\') {
			mt_strbuf_addc(out, '\\', 1);
			mt_strbuf_addc(out, (char)c, 1);
		} else if (c == '\t')
			mt_strbuf_add(out, "\\t", 2);
		else if (c == '\n')
			mt_strbuf_add(out, "\\n", 2);
		else if (c == '\r')
			mt_strbuf_add(out, "\\r", 2);
		else if (c < 0x20 || c >= 0x7f)
			mt_strbuf_printf(out, "\\x%02x", c);
		else
			mt_strbuf_addc(out, (char)c, 1);
	}
	return mt_strbuf_addc(out, q, 1);
}

/* ---- characters of UTF-8 text -------------------------------------------- */

/* Appends s[:i] + '...' + s[len(s)-j:] of UTF-8 text t (all of it when
 * j would overlap). */
static void cut_middle(mt_strbuf *out, const char *t, size_t n, size_t i,
		       size_t j)
{
	long nc = (long)mt_utf8_chars(t, n), start = nc - (long)j;
	size_t a = mt_utf8_offset(t, n, i), b;
	if (start < 0)
		start += nc;
	b = mt_utf8_offset(t, n, start < 0 ? 0 : (size_t)start);
	mt_strbuf_add(out, t, a);
	mt_strbuf_add(out, "...", 3);
	mt_strbuf_add(out, t + b, n - b);
}

#define CUT_I(m) ((m) > 3 ? ((m)-3) / 2 : 0)
#define CUT_J(m) ((m) > 3 ? (m)-3 - CUT_I(m) : 0)

/* reprlib.repr_str of text whose first n bytes are known; `whole` says
 * whether that is the whole string. */
static mt_status str_limited(mt_strbuf *out, const char *s, size_t n,
			     bool whole)
{
	const size_t m = MT_PYREPR_MAXSTRING, i = CUT_I(m), j = CUT_J(m);
	size_t nc = mt_utf8_chars(s, n);
	mt_strbuf t;
	mt_status st;

	mt_strbuf_init(&t);
	/* s = repr(x[:maxstring]) */
	mt_pyrepr_str(&t, s, mt_utf8_offset(s, n, m));
	if (whole && mt_utf8_chars(t.s, t.len) <= m) {
		st = mt_strbuf_add(out, t.s, t.len);
		goto done;
	}
	mt_strbuf_reset(&t);
	if (whole) {
		/* repr(x[:i] + x[len(x)-j:]) cut to s[:i]+'...'+s[-j:];
		 * a negative start counts from the end, as in Python. */
		long start = (long)nc - (long)j;
		size_t a = mt_utf8_offset(s, n, i), b;
		mt_strbuf joined;
		if (start < 0)
			start += (long)nc;
		if (start < 0)
			start = 0;
		b = mt_utf8_offset(s, n, (size_t)start);
		mt_strbuf_init(&joined);
		mt_strbuf_add(&joined, s, a);
		mt_strbuf_add(&joined, s + b, n - b);
		mt_pyrepr_str(&t, joined.s ? joined.s : "", joined.len);
		mt_strbuf_destroy(&joined);
		cut_middle(out, t.s, t.len, i, j);
	} else {
		/* The tail is unknown: quote, i-1 characters, "...", quote. */
		char q;
		size_t a = mt_utf8_offset(s, n, i);
		q = pick_quote(s, a);
		mt_pyrepr_str(&t, s, a);
		mt_strbuf_add(out, t.s, mt_utf8_offset(t.s, t.len, i));
		mt_strbuf_add(out, "...", 3);
		mt_strbuf_addc(out, q, 1);
	}
	st = out->nomem || t.nomem ? MT_NOMEM : MT_OK;
done:
	mt_strbuf_destroy(&t);
	return st;
}

mt_status mt_pyrepr_str_limited(mt_strbuf *out, const char *utf8, size_t n)
{
	return str_limited(out, utf8, n, true);
}

/* reprlib's repr_instance cut (maxother 30) of a complete repr text, or
 * the head only when the object is longer than the text. */
static mt_status other_limited(mt_strbuf *out, const char *t, size_t n,
			       bool whole, size_t m, char endq)
{
	size_t i = CUT_I(m), j = CUT_J(m);
	if (whole && mt_utf8_chars(t, n) <= m)
		return mt_strbuf_add(out, t, n);
	if (whole) {
		cut_middle(out, t, n, i, j);
	} else {
		mt_strbuf_add(out, t, mt_utf8_offset(t, n, i));
		mt_strbuf_add(out, "...", 3);
		if (endq)
			mt_strbuf_addc(out, endq, 1);
	}
	return out->nomem ? MT_NOMEM : MT_OK;
}

mt_status mt_pyrepr_bytes_limited(mt_strbuf *out, const void *b, size_t n)
{
	mt_strbuf t;
	mt_status st;
	mt_strbuf_init(&t);
	mt_pyrepr_bytes(&t, b, n);
	st = t.nomem
		 ? MT_NOMEM
		 : other_limited(out, t.s, t.len, true, MT_PYREPR_MAXSTRING, 0);
	mt_strbuf_destroy(&t);
	return st;
}

/* ---- float --------------------------------------------------------------- */

mt_status mt_pyrepr_float(mt_strbuf *out, double d)
{
	char buf[40], digits[24];
	int prec, exp10, nd = 0, decpt, k;
	char *e;

	if (isnan(d))
		return mt_strbuf_add(out, "nan", 3);
	if (isinf(d))
		return d < 0 ? mt_strbuf_add(out, "-inf", 4)
			     : mt_strbuf_add(out, "inf", 3);
	if (d == 0)
		return signbit(d) ? mt_strbuf_add(out, "-0.0", 4)
				  : mt_strbuf_add(out, "0.0", 3);
	/* Shortest %e text that reads back to d. */
	for (prec = 0; prec < 17; prec++) {
		snprintf(buf, sizeof buf, "%.*e", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	/* buf: [-]d[.ddd]e[+-]XX */
	e = strchr(buf, 'e');
	exp10 = atoi(e + 1);
	for (k = 0; buf + k < e; k++)
		if (buf[k] >= '0' && buf[k] <= '9')
			digits[nd++] = buf[k];
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	if (d < 0)
		mt_strbuf_addc(out, '-', 1);
	decpt = exp10 + 1; /* value = 0.digits * 10^decpt */
	if (decpt > -4 && decpt <= 16) {
		if (decpt <= 0) {
			mt_strbuf_add(out, "0.", 2);
			mt_strbuf_addc(out, '0', (size_t)-decpt);
			mt_strbuf_add(out, digits, (size_t)nd);
		} else if (decpt >= nd) {
			mt_strbuf_add(out, digits, (size_t)nd);
			mt_strbuf_addc(out, '0', (size_t)(decpt - nd));
			mt_strbuf_add(out, ".0", 2);
		} else {
			mt_strbuf_add(out, digits, (size_t)decpt);
			mt_strbuf_addc(out, '.', 1);
			mt_strbuf_add(out, digits + decpt,
				      (size_t)(nd - decpt));
		}
	} else {
		mt_strbuf_addc(out, digits[0], 1);
		if (nd > 1) {
			mt_strbuf_addc(out, '.', 1);
			mt_strbuf_add(out, digits + 1, (size_t)(nd - 1));
		}
		mt_strbuf_printf(out, "e%c%02d", exp10 < 0 ? '-' : '+',
				 exp10 < 0 ? -exp10 : exp10);
	}
	return out->nomem ? MT_NOMEM : MT_OK;
}

/* ---- objects ------------------------------------------------------------- */

bool mt_pyrepr_type_is(const mt_graph *g, uint32_t type, const char *name)
{
	mt_value v;
	size_t n = strlen(name);
	mt_graph_value(g, type, &v);
	return v.kind == MT_VAL_QUALNAME && v.slen == 8 &&
	       !memcmp(v.s, "builtins", 8) && v.s2len == n &&
	       !memcmp(v.s2, name, n);
}

static bool is(const mt_graph *g, uint32_t id, const char *name)
{
	return mt_pyrepr_type_is(g, mt_graph_type(g, id), name);
}

mt_pyrepr_style mt_pyrepr_style_of(const mt_graph *g, uint32_t id)
{
	mt_value v;
	mt_graph_value(g, id, &v);
	if (is(g, id, "dict") || is(g, id, "list") || is(g, id, "tuple"))
		return MT_PYREPR_ADDRLEN;
	if (is(g, id, "module") || is(g, id, "function") ||
	    is(g, id, "builtin_function_or_method") ||
	    v.kind == MT_VAL_QUALNAME)
		return MT_PYREPR_NAME;
	if (is(g, id, "NoneType"))
		return MT_PYREPR_VALUE;
	switch (v.kind) {
	case MT_VAL_STR:
	case MT_VAL_BYTES:
		return MT_PYREPR_LIMREPR;
	case MT_VAL_INT:
		return is(g, id, "bool") ? MT_PYREPR_VALUE : MT_PYREPR_LIMREPR;
	case MT_VAL_FLOAT:
	case MT_VAL_BOOL:
		return MT_PYREPR_VALUE;
	case MT_VAL_CODE:
		return is(g, id, "frame") ? MT_PYREPR_FRAME : MT_PYREPR_CODE;
	default:
		return MT_PYREPR_ADDRESS;
	}
}

const char *mt_pyrepr_style_header(mt_pyrepr_style s)
{
	static const char *const h[] = {"Representation (limited)",
					"Value",
					"Address*Length",
					"Name",
					"File:Line:Name",
					"Name at Address",
					"Address"};
	return (unsigned)s < sizeof h / sizeof h[0] ? h[s] : "Address";
}

/* Whether a str/bytes/big-int preview holds the whole value. */
static bool whole_text(const mt_graph *g, uint32_t id, const mt_value *v)
{
	int64_t len = mt_graph_length(g, id);
	if (len == MT_NO_LENGTH)
		return true;
	if (v->kind == MT_VAL_BYTES)
		return (int64_t)v->slen >= len;
	if (v->kind == MT_VAL_STR && (is(g, id, "int") || is(g, id, "bool")))
		return (int64_t)v->slen - (v->slen && v->s[0] == '-' ? 1 : 0) >=
		       len;
	return (int64_t)mt_utf8_chars(v->s, v->slen) >= len;
}

static mt_status int_text(const mt_graph *g, uint32_t id, const mt_value *v,
			  mt_strbuf *out, bool limited)
{
	char buf[32];
	const char *t = buf;
	size_t n;
	bool whole = true;
	if (v->kind == MT_VAL_INT) {
		n = (size_t)snprintf(buf, sizeof buf, "%lld", (long long)v->i);
	} else {
		t = v->s;
		n = v->slen;
		whole = whole_text(g, id, v);
	}
	if (!limited) {
		mt_strbuf_add(out, t, n);
		return whole ? (out->nomem ? MT_NOMEM : MT_OK)
			     : mt_strbuf_add(out, "...", 3);
	}
	return other_limited(out, t, n, whole, MT_PYREPR_MAXLONG, 0);
}

/* An object's address; a virtual object has none, so it is named after
 * what owns it: a virtual dict as `0xOWNER.__dict__`, a virtual frame (or
 * anything else without an owner) as `<virtual>`. */
static void hexaddr(mt_strbuf *out, const mt_graph *g, uint32_t id)
{
	if (!mt_graph_virtual(g, id)) {
		mt_strbuf_printf(out, "0x%llx",
				 (unsigned long long)mt_graph_addr(g, id));
		return;
	}
	uint32_t owner = mt_graph_dict_owner(g, id);
	if (owner != MT_NO_ID && !mt_graph_virtual(g, owner))
		mt_strbuf_printf(out, "0x%llx.__dict__",
				 (unsigned long long)mt_graph_addr(g, owner));
	else
		mt_strbuf_add(out, "<virtual>", 9);
}

/* The str target of an attr edge named `name` of id, or MT_NO_ID. */
static uint32_t attr_str(const mt_graph *g, uint32_t id, const char *name)
{
	uint32_t first, n, e;
	mt_graph_out(g, id, &first, &n);
	for (e = first; e < first + n; e++) {
		const char *nm;
		mt_value v;
		if (mt_graph_edge_rel(g, e) != MT_REL_ATTR)
			continue;
		nm = mt_graph_name(g, mt_graph_edge_label(g, e));
		if (!nm || strcmp(nm, name))
			continue;
		mt_graph_value(g, mt_graph_edge_target(g, e), &v);
		if (v.kind == MT_VAL_STR)
			return mt_graph_edge_target(g, e);
	}
	return MT_NO_ID;
}

static mt_status render_name(const mt_graph *g, uint32_t id, const mt_value *v,
			     mt_strbuf *out)
{
	if (v->kind == MT_VAL_QUALNAME)
		return mt_strbuf_add(out, mt_graph_type_label(g, id),
				     strlen(mt_graph_type_label(g, id)));
	if (v->kind != MT_VAL_STR) {
		hexaddr(out, g, id);
		return out->nomem ? MT_NOMEM : MT_OK;
	}
	if (!is(g, id, "module")) {
		/* function: __module__ + '.' + __name__ (the qualname's last
		 * component); builtins are not prefixed. */
		const char *s = v->s, *dot;
		size_t n = v->slen;
		uint32_t m = attr_str(g, id, "__module__");
		for (dot = s + n; dot > s && dot[-1] != '.'; dot--)
			;
		n -= (size_t)(dot - s);
		s = dot;
		if (m != MT_NO_ID) {
			mt_value mv;
			mt_graph_value(g, m, &mv);
			if (!(mv.slen == 8 && !memcmp(mv.s, "builtins", 8))) {
				mt_strbuf_add(out, mv.s, mv.slen);
				mt_strbuf_addc(out, '.', 1);
			}
		}
		return mt_strbuf_add(out, s, n);
	}
	return mt_strbuf_add(out, v->s, v->slen);
}

mt_status mt_pyrepr_limited(const mt_graph *g, uint32_t id, mt_strbuf *out)
{
	mt_value v;
	mt_graph_value(g, id, &v);
	switch (mt_pyrepr_style_of(g, id)) {
	case MT_PYREPR_LIMREPR:
		if (v.kind == MT_VAL_INT || is(g, id, "int") ||
		    is(g, id, "bool"))
			return int_text(g, id, &v, out, true);
		if (v.kind == MT_VAL_BYTES) {
			mt_strbuf t;
			mt_status st;
			bool whole = whole_text(g, id, &v);
			mt_strbuf_init(&t);
			if (is(g, id, "bytearray")) {
				mt_strbuf_add(&t, "bytearray(", 10);
				mt_pyrepr_bytes(&t, v.s, v.slen);
				if (whole)
					mt_strbuf_addc(&t, ')', 1);
			} else
				mt_pyrepr_bytes(&t, v.s, v.slen);
			st = t.nomem ? MT_NOMEM
				     : other_limited(out, t.s, t.len, whole,
						     MT_PYREPR_MAXSTRING,
						     t.s[t.len - 1]);
			mt_strbuf_destroy(&t);
			return st;
		}
		return str_limited(out, v.s, v.slen, whole_text(g, id, &v));
	case MT_PYREPR_VALUE:
		return mt_pyrepr_object(g, id, out);
	case MT_PYREPR_ADDRLEN:
		hexaddr(out, g, id);
		if (mt_graph_length(g, id) != MT_NO_LENGTH)
			mt_strbuf_printf(out, "*%lld",
					 (long long)mt_graph_length(g, id));
		break;
	case MT_PYREPR_NAME:
		return render_name(g, id, &v, out);
	case MT_PYREPR_CODE: {
		const char *base = v.s, *p;
		for (p = v.s; p < v.s + v.slen; p++)
			if (*p == '/')
				base = p + 1;
		mt_strbuf_add(out, base, v.slen - (size_t)(base - v.s));
		mt_strbuf_printf(out, ":%lld:", (long long)v.i);
		mt_strbuf_add(out, v.s2, v.s2len);
		break;
	}
	case MT_PYREPR_FRAME:
		mt_strbuf_addc(out, '<', 1);
		mt_strbuf_add(out, v.s2, v.s2len);
		mt_strbuf_add(out, " at ", 4);
		hexaddr(out, g, id);
		mt_strbuf_addc(out, '>', 1);
		break;
	default:
		hexaddr(out, g, id);
		break;
	}
	return out->nomem ? MT_NOMEM : MT_OK;
}

mt_status mt_pyrepr_object(const mt_graph *g, uint32_t id, mt_strbuf *out)
{
	mt_value v;
	mt_graph_value(g, id, &v);
	if (is(g, id, "NoneType"))
		return mt_strbuf_add(out, "None", 4);
	switch (v.kind) {
	case MT_VAL_BOOL:
		return v.i ? mt_strbuf_add(out, "True", 4)
			   : mt_strbuf_add(out, "False", 5);
	case MT_VAL_INT:
		if (is(g, id, "bool"))
			return v.i ? mt_strbuf_add(out, "True", 4)
				   : mt_strbuf_add(out, "False", 5);
		return int_text(g, id, &v, out, false);
	case MT_VAL_FLOAT:
		return mt_pyrepr_float(out, v.d);
	case MT_VAL_BYTES: {
		bool ba = is(g, id, "bytearray");
		if (ba)
			mt_strbuf_add(out, "bytearray(", 10);
		mt_pyrepr_bytes(out, v.s, v.slen);
		if (ba)
			mt_strbuf_addc(out, ')', 1);
		return whole_text(g, id, &v) ? (out->nomem ? MT_NOMEM : MT_OK)
					     : mt_strbuf_add(out, "...", 3);
	}
	case MT_VAL_STR:
		if (is(g, id, "int"))
			return int_text(g, id, &v, out, false);
		if (is(g, id, "module")) {
			mt_strbuf_add(out, "<module ", 8);
			mt_pyrepr_str(out, v.s, v.slen);
			return mt_strbuf_addc(out, '>', 1);
		}
		if (mt_pyrepr_style_of(g, id) == MT_PYREPR_NAME)
			return mt_pyrepr_limited(g, id, out);
		mt_pyrepr_str(out, v.s, v.slen);
		return whole_text(g, id, &v) ? (out->nomem ? MT_NOMEM : MT_OK)
					     : mt_strbuf_add(out, "...", 3);
	case MT_VAL_QUALNAME: {
		const char *l = mt_graph_type_label(g, id);
		mt_strbuf_add(out, "<class '", 8);
		if (!v.slen || (v.slen == 8 && !memcmp(v.s, "builtins", 8)))
			mt_strbuf_add(out, v.s2, v.s2len);
		else {
			(void)l;
			mt_strbuf_add(out, v.s, v.slen);
			mt_strbuf_addc(out, '.', 1);
			mt_strbuf_add(out, v.s2, v.s2len);
		}
		return mt_strbuf_add(out, "'>", 2);
	}
	default:
		return mt_pyrepr_limited(g, id, out);
	}
}

/* ---- dict keys: repr() and reprlib.repr() of hashable objects ------------ */

/* reprlib.Repr defaults beyond maxstring / maxlong. */
#define MAXLEVEL 6
#define MAXTUPLE 6
#define MAXOTHER 30
/* Nesting at which repr() of a tuple gives up (Python would recurse on). */
#define FULL_DEPTH 64

/* The target of id's out-edge (rel, label), or MT_NO_ID. */
static uint32_t edge_to(const mt_graph *g, uint32_t id, unsigned rel,
			const char *name, uint64_t label)
{
	uint32_t first, n, e;
	mt_graph_out(g, id, &first, &n);
	for (e = first; e < first + n; e++) {
		if (mt_graph_edge_rel(g, e) != rel)
			continue;
		if (name) {
			const char *nm =
			    mt_graph_name(g, mt_graph_edge_label(g, e));
			if (!nm || strcmp(nm, name))
				continue;
		} else if (mt_graph_edge_label(g, e) != label)
			continue;
		return mt_graph_edge_target(g, e);
	}
	return MT_NO_ID;
}

/* Whether dict `d` has a str key equal to `key`. */
static bool dict_has(const mt_graph *g, uint32_t d, const char *key)
{
	uint32_t first, n, e;
	size_t kl = strlen(key);
	mt_graph_out(g, d, &first, &n);
	for (e = first; e < first + n; e++) {
		mt_value v;
		uint64_t k = mt_graph_edge_label(g, e);
		if (mt_graph_edge_rel(g, e) != MT_REL_KEYVAL ||
		    k >= mt_graph_count(g))
			continue;
		mt_graph_value(g, (uint32_t)k, &v);
		if (v.kind == MT_VAL_STR && v.slen == kl &&
		    !memcmp(v.s, key, kl))
			return true;
	}
	return false;
}

/* object.__repr__ applies to instances of type t: no class of its MRO but
 * the last (object) has __repr__ in its dict.  False when the dump cannot
 * tell (no MRO or a class without its dict). */
static bool default_repr(const mt_graph *g, uint32_t t)
{
	uint32_t mro = edge_to(g, t, MT_REL_ATTR, "__mro__", 0), i, n, c, d;
	int64_t len;
	if (mro == MT_NO_ID || (len = mt_graph_length(g, mro)) < 1)
		return false;
	n = (uint32_t)len;
	for (i = 0; i + 1 < n; i++) {
		c = edge_to(g, mro, MT_REL_INDEX, NULL, i);
		if (c == MT_NO_ID)
			return false;
		d = edge_to(g, c, MT_REL_ATTR, "__dict__", 0);
		if (d == MT_NO_ID || dict_has(g, d, "__repr__"))
			return false;
	}
	return true;
}

/* tp_name as Python prints it in default reprs: the name of a Python class
 * (it has a __name__ edge), `module.qualname` of a C type outside builtins,
 * the bare qualname of a builtin. */
static void tp_name(const mt_graph *g, uint32_t t, mt_strbuf *out)
{
	mt_value v, nv;
	uint32_t nm = edge_to(g, t, MT_REL_ATTR, "__name__", 0);
	mt_graph_value(g, t, &v);
	if (nm != MT_NO_ID) {
		mt_graph_value(g, nm, &nv);
		if (nv.kind == MT_VAL_STR) {
			mt_strbuf_add(out, nv.s, nv.slen);
			return;
		}
	}
	if (v.kind != MT_VAL_QUALNAME) {
		mt_strbuf_addc(out, '?', 1);
		return;
	}
	if (!(v.slen == 8 && !memcmp(v.s, "builtins", 8)) && v.slen) {
		mt_strbuf_add(out, v.s, v.slen);
		mt_strbuf_addc(out, '.', 1);
	}
	mt_strbuf_add(out, v.s2, v.s2len);
}

static mt_status key_repr(const mt_graph *g, uint32_t id, int level,
			  bool limited, mt_strbuf *out);

/* repr / reprlib.repr_tuple of an exact tuple from its [i] edges; false
 * when the dump lacks an item. */
static bool tuple_repr(const mt_graph *g, uint32_t id, int level, bool limited,
		       mt_strbuf *out)
{
	int64_t n = mt_graph_length(g, id), i, shown;
	uint32_t first, ne, e;
	size_t at = out->len;
	if (n < 0)
		return false;
	if (n && (limited ? level <= 0 : level >= FULL_DEPTH)) {
		mt_strbuf_add(out, "(...)", 5);
		return true;
	}
	shown = limited && n > MAXTUPLE ? MAXTUPLE : n;
	mt_strbuf_addc(out, '(', 1);
	/* the capture writes the [i] edges in order: one pass */
	mt_graph_out(g, id, &first, &ne);
	for (i = 0, e = first; i < shown && e < first + ne; e++) {
		if (mt_graph_edge_rel(g, e) != MT_REL_INDEX ||
		    mt_graph_edge_label(g, e) != (uint64_t)i)
			continue;
		if (i++)
			mt_strbuf_add(out, ", ", 2);
		key_repr(g, mt_graph_edge_target(g, e),
			 limited ? level - 1 : level + 1, limited, out);
	}
	if (i < shown) {
		out->len = at;
		return false;
	}
	if (shown < n)
		mt_strbuf_add(out, ", ...", 5);
	if (n == 1)
		mt_strbuf_addc(out, ',', 1);
	mt_strbuf_addc(out, ')', 1);
	return true;
}

/* The repr of objects whose repr Python builds from their type and
 * address (classes, functions, builtins, instances without __repr__);
 * false for anything else. */
static bool object_repr(const mt_graph *g, uint32_t id, mt_strbuf *out)
{
	mt_value v;
	uint32_t t = mt_graph_type(g, id);
	mt_graph_value(g, id, &v);
	if (v.kind == MT_VAL_QUALNAME) {
		mt_pyrepr_object(g, id, out);
		return true;
	}
	if (is(g, id, "ellipsis") || is(g, id, "NotImplementedType")) {
		if (is(g, id, "ellipsis"))
			mt_strbuf_add(out, "Ellipsis", 8);
		else
			mt_strbuf_add(out, "NotImplemented", 14);
		return true;
	}
	if (mt_graph_virtual(g, id))
		return false;
	if (is(g, id, "function") && v.kind == MT_VAL_STR) {
		mt_strbuf_add(out, "<function ", 10);
		mt_strbuf_add(out, v.s, v.slen);
		mt_strbuf_printf(out, " at 0x%llx>",
				 (unsigned long long)mt_graph_addr(g, id));
		return true;
	}
	if (is(g, id, "builtin_function_or_method") && v.kind == MT_VAL_STR) {
		uint32_t self = edge_to(g, id, MT_REL_ATTR, "__self__", 0);
		const char *s = v.s, *dot;
		size_t n = v.slen;
		for (dot = s + n; dot > s && dot[-1] != '.'; dot--)
			;
		n -= (size_t)(dot - s);
		if (self == MT_NO_ID || is(g, self, "module")) {
			mt_strbuf_add(out, "<built-in function ", 19);
			mt_strbuf_add(out, dot, n);
		} else {
			mt_strbuf_add(out, "<built-in method ", 17);
			mt_strbuf_add(out, dot, n);
			mt_strbuf_add(out, " of ", 4);
			tp_name(g, mt_graph_type(g, self), out);
			mt_strbuf_printf(
			    out, " object at 0x%llx",
			    (unsigned long long)mt_graph_addr(g, self));
		}
		mt_strbuf_addc(out, '>', 1);
		return true;
	}
	if (v.kind == MT_VAL_NONE && !mt_graph_virtual(g, id) &&
	    default_repr(g, t)) {
		mt_value tv;
		mt_graph_value(g, t, &tv);
		if (tv.kind != MT_VAL_QUALNAME)
			return false;
		mt_strbuf_addc(out, '<', 1);
		if (tv.slen &&
		    !(tv.slen == 8 && !memcmp(tv.s, "builtins", 8))) {
			mt_strbuf_add(out, tv.s, tv.slen);
			mt_strbuf_addc(out, '.', 1);
			mt_strbuf_add(out, tv.s2, tv.s2len);
		} else
			tp_name(g, t, out);
		mt_strbuf_printf(out, " object at 0x%llx>",
				 (unsigned long long)mt_graph_addr(g, id));
		return true;
	}
	return false;
}

static mt_status key_repr(const mt_graph *g, uint32_t id, int level,
			  bool limited, mt_strbuf *out)
{
	mt_value v;
	mt_strbuf t;
	mt_graph_value(g, id, &v);
	if (is(g, id, "tuple") && tuple_repr(g, id, level, limited, out))
		return out->nomem ? MT_NOMEM : MT_OK;
	if (is(g, id, "str") && v.kind == MT_VAL_STR)
		return limited ? str_limited(out, v.s, v.slen,
					     whole_text(g, id, &v))
			       : mt_pyrepr_object(g, id, out);
	if (is(g, id, "int") || is(g, id, "bool") || is(g, id, "float") ||
	    is(g, id, "NoneType") || v.kind == MT_VAL_BYTES)
		return limited ? mt_pyrepr_limited(g, id, out)
			       : mt_pyrepr_object(g, id, out);
	mt_strbuf_init(&t);
	if (object_repr(g, id, &t)) {
		if (limited)
			other_limited(out, t.s, t.len, true, MAXOTHER, 0);
		else
			mt_strbuf_add(out, t.s, t.len);
	} else
		mt_pyrepr_limited(g, id, out);
	if (t.nomem)
		out->nomem = true;
	mt_strbuf_destroy(&t);
	return out->nomem ? MT_NOMEM : MT_OK;
}

mt_status mt_pyrepr_key(const mt_graph *g, uint32_t id, bool limited,
			mt_strbuf *out)
{
	return key_repr(g, id, limited ? MAXLEVEL : 0, limited, out);
}
