/* Bounds-checked msgpack cursor (mpk.h).  Each decoder checks the type byte,
 * then that the payload fits before the end of the buffer; on failure the
 * cursor stays at the start of the offending value, which is the offset
 * reported. */
#include "config.h"

#include <string.h>

#include "mpk.h"

void mt_mpk_init(mt_mpk *c, const void *buf, size_t len)
{
	c->base = buf;
	c->p = buf;
	c->end = c->base + len;
	c->record = 0;
}

static const char *const type_names[] = {
	"end of file", "nil", "bool", "uint", "negative int", "float",
	"str", "bin", "array", "map", "ext", "invalid byte 0xc1"};

const char *mt_mpk_type_name(mt_mpk_type t)
{
	return type_names[t];
}

mt_mpk_type mt_mpk_peek(const mt_mpk *c)
{
	if (c->p >= c->end)
		return MT_MPK_EOF;
	uint8_t b = *c->p;
	if (b <= 0x7f)
		return MT_MPK_UINT;
	if (b <= 0x8f)
		return MT_MPK_MAP;
	if (b <= 0x9f)
		return MT_MPK_ARRAY;
	if (b <= 0xbf)
		return MT_MPK_STR;
	if (b >= 0xe0)
		return MT_MPK_NINT;
	switch (b) {
	case 0xc0:
		return MT_MPK_NIL;
	case 0xc2:
	case 0xc3:
		return MT_MPK_BOOL;
	case 0xc4:
	case 0xc5:
	case 0xc6:
		return MT_MPK_BIN;
	case 0xc7:
	case 0xc8:
	case 0xc9:
	case 0xd4:
	case 0xd5:
	case 0xd6:
	case 0xd7:
	case 0xd8:
		return MT_MPK_EXT;
	case 0xca:
	case 0xcb:
		return MT_MPK_FLOAT;
	case 0xcc:
	case 0xcd:
	case 0xce:
	case 0xcf:
		return MT_MPK_UINT;
	case 0xd0:
	case 0xd1:
	case 0xd2:
	case 0xd3:
		return MT_MPK_NINT; /* signed; may hold a non-negative value */
	case 0xd9:
	case 0xda:
	case 0xdb:
		return MT_MPK_STR;
	case 0xdc:
	case 0xdd:
		return MT_MPK_ARRAY;
	case 0xde:
	case 0xdf:
		return MT_MPK_MAP;
	}
	return MT_MPK_INVALID;
}

static mt_status wrong(mt_mpk *c, const char *expected, mt_err *err)
{
	mt_mpk_type t = mt_mpk_peek(c);
	if (t == MT_MPK_EOF)
		return mt_err_set(err, MT_TRUNCATED, mt_mpk_offset(c),
				  c->record, "expected %s", expected);
	if (t == MT_MPK_INVALID)
		return mt_err_set(err, MT_MSGPACK, mt_mpk_offset(c), c->record,
				  "expected %s, got invalid byte 0x%02x",
				  expected, *c->p);
	return mt_err_set(err, MT_TYPE, mt_mpk_offset(c), c->record,
			  "expected %s, got %s (byte 0x%02x)", expected,
			  mt_mpk_type_name(t), *c->p);
}

static mt_status short_read(mt_mpk *c, size_t need, const char *what,
			    mt_err *err)
{
	return mt_err_set(err, MT_TRUNCATED, mt_mpk_offset(c), c->record,
			  "expected %zu more bytes of %s, file has %zu", need,
			  what, (size_t)(c->end - c->p));
}

static inline uint64_t be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Reads a big-endian length/number of `n` bytes after the type byte. */
static inline mt_status fixed(mt_mpk *c, unsigned n, uint64_t *v,
			      const char *what, mt_err *err)
{
	*v = 0;
	if ((size_t)(c->end - c->p) < 1 + (size_t)n)
		return short_read(c, 1 + n, what, err);
	*v = be(c->p + 1, n);
	return MT_OK;
}

mt_status mt_mpk_array(mt_mpk *c, uint32_t *n, mt_err *err)
{
	if (c->p < c->end) {
		uint8_t b = *c->p;
		uint64_t v;
		if (b >= 0x90 && b <= 0x9f) {
			*n = b & 0x0f;
			c->p++;
			return MT_OK;
		}
		if (b == 0xdc || b == 0xdd) {
			unsigned w = b == 0xdc ? 2 : 4;
			if (fixed(c, w, &v, "an array header", err))
				return err ? err->code : MT_TRUNCATED;
			*n = (uint32_t)v;
			c->p += 1 + w;
			return MT_OK;
		}
	}
	return wrong(c, "array", err);
}

mt_status mt_mpk_map(mt_mpk *c, uint32_t *n, mt_err *err)
{
	if (c->p < c->end) {
		uint8_t b = *c->p;
		uint64_t v;
		if (b >= 0x80 && b <= 0x8f) {
			*n = b & 0x0f;
			c->p++;
			return MT_OK;
		}
		if (b == 0xde || b == 0xdf) {
			unsigned w = b == 0xde ? 2 : 4;
			if (fixed(c, w, &v, "a map header", err))
				return err ? err->code : MT_TRUNCATED;
			*n = (uint32_t)v;
			c->p += 1 + w;
			return MT_OK;
		}
	}
	return wrong(c, "map", err);
}

/* Decodes any msgpack integer into sign + magnitude. */
static mt_status any_int(mt_mpk *c, int *neg, uint64_t *mag,
			 const char *expected, mt_err *err)
{
	if (c->p >= c->end)
		return wrong(c, expected, err);
	uint8_t b = *c->p;
	uint64_t v;
	if (b <= 0x7f) {
		*neg = 0;
		*mag = b;
		c->p++;
		return MT_OK;
	}
	if (b >= 0xe0) {
		*neg = 1;
		*mag = (uint64_t)(-(int64_t)(int8_t)b);
		c->p++;
		return MT_OK;
	}
	if (b >= 0xcc && b <= 0xcf) {
		unsigned w = 1u << (b - 0xcc);
		if (fixed(c, w, &v, "an integer", err))
			return MT_TRUNCATED;
		*neg = 0;
		*mag = v;
		c->p += 1 + w;
		return MT_OK;
	}
	if (b >= 0xd0 && b <= 0xd3) {
		unsigned w = 1u << (b - 0xd0);
		if (fixed(c, w, &v, "an integer", err))
			return MT_TRUNCATED;
		int64_t s;
		if (w == 8)
			s = (int64_t)v;
		else {
			uint64_t sign = 1ULL << (8 * w - 1);
			s = (int64_t)((v ^ sign) - sign);
		}
		*neg = s < 0;
		*mag = s < 0 ? (uint64_t)0 - (uint64_t)s : (uint64_t)s;
		c->p += 1 + w;
		return MT_OK;
	}
	return wrong(c, expected, err);
}

mt_status mt_mpk_uint(mt_mpk *c, uint64_t *v, mt_err *err)
{
	const uint8_t *start = c->p;
	int neg;
	mt_status s = any_int(c, &neg, v, "a non-negative integer", err);
	if (s)
		return s;
	if (neg) {
		c->p = start;
		return mt_err_set(err, MT_RANGE, mt_mpk_offset(c), c->record,
				  "expected a non-negative integer, got -%llu",
				  (unsigned long long)*v);
	}
	return MT_OK;
}

mt_status mt_mpk_int(mt_mpk *c, int64_t *v, mt_err *err)
{
	const uint8_t *start = c->p;
	int neg;
	uint64_t mag;
	mt_status s = any_int(c, &neg, &mag, "an integer", err);
	if (s)
		return s;
	if ((!neg && mag > (uint64_t)INT64_MAX) ||
	    (neg && mag > (uint64_t)INT64_MAX + 1)) {
		c->p = start;
		return mt_err_set(err, MT_RANGE, mt_mpk_offset(c), c->record,
				  "integer does not fit in 64 bits");
	}
	*v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return MT_OK;
}

mt_status mt_mpk_float(mt_mpk *c, double *v, mt_err *err)
{
	if (c->p < c->end && (*c->p == 0xca || *c->p == 0xcb)) {
		unsigned w = *c->p == 0xca ? 4 : 8;
		uint64_t bits;
		if (fixed(c, w, &bits, "a float", err))
			return MT_TRUNCATED;
		if (w == 4) {
			uint32_t b32 = (uint32_t)bits;
			float f;
			memcpy(&f, &b32, 4);
			*v = f;
		} else {
			memcpy(v, &bits, 8);
		}
		c->p += 1 + w;
		return MT_OK;
	}
	return wrong(c, "float", err);
}

mt_status mt_mpk_bool(mt_mpk *c, bool *v, mt_err *err)
{
	if (c->p < c->end && (*c->p == 0xc2 || *c->p == 0xc3)) {
		*v = *c->p == 0xc3;
		c->p++;
		return MT_OK;
	}
	return wrong(c, "bool", err);
}

mt_status mt_mpk_nil(mt_mpk *c, mt_err *err)
{
	if (c->p < c->end && *c->p == 0xc0) {
		c->p++;
		return MT_OK;
	}
	return wrong(c, "nil", err);
}

static mt_status payload(mt_mpk *c, unsigned hdr, uint64_t len,
			 const char *what, const char **s, uint32_t *n,
			 mt_err *err)
{
	if ((uint64_t)(c->end - c->p) < hdr + len)
		return short_read(c, hdr + len, what, err);
	*s = (const char *)c->p + hdr;
	*n = (uint32_t)len;
	c->p += hdr + len;
	return MT_OK;
}

mt_status mt_mpk_str(mt_mpk *c, const char **s, uint32_t *n, mt_err *err)
{
	if (c->p < c->end) {
		uint8_t b = *c->p;
		uint64_t len;
		if (b >= 0xa0 && b <= 0xbf)
			return payload(c, 1, b & 0x1f, "a str", s, n, err);
		if (b >= 0xd9 && b <= 0xdb) {
			unsigned w = 1u << (b - 0xd9);
			if (fixed(c, w, &len, "a str header", err))
				return MT_TRUNCATED;
			return payload(c, 1 + w, len, "a str", s, n, err);
		}
	}
	return wrong(c, "str", err);
}

mt_status mt_mpk_bin(mt_mpk *c, const char **s, uint32_t *n, mt_err *err)
{
	if (c->p < c->end) {
		uint8_t b = *c->p;
		uint64_t len;
		if (b >= 0xc4 && b <= 0xc6) {
			unsigned w = 1u << (b - 0xc4);
			if (fixed(c, w, &len, "a bin header", err))
				return MT_TRUNCATED;
			return payload(c, 1 + w, len, "a bin", s, n, err);
		}
	}
	return wrong(c, "bin", err);
}

mt_status mt_mpk_skip(mt_mpk *c, mt_err *err)
{
	uint64_t pending = 1; /* values still to skip */
	while (pending) {
		pending--;
		const char *s;
		uint32_t n;
		uint64_t u;
		int64_t i;
		double d;
		bool bo;
		mt_status st;
		switch (mt_mpk_peek(c)) {
		case MT_MPK_NIL:
			st = mt_mpk_nil(c, err);
			break;
		case MT_MPK_BOOL:
			st = mt_mpk_bool(c, &bo, err);
			break;
		case MT_MPK_UINT:
			st = mt_mpk_uint(c, &u, err);
			break;
		case MT_MPK_NINT: {
			int neg;
			st = any_int(c, &neg, &u, "an integer", err);
			break;
		}
		case MT_MPK_FLOAT:
			st = mt_mpk_float(c, &d, err);
			break;
		case MT_MPK_STR:
			st = mt_mpk_str(c, &s, &n, err);
			break;
		case MT_MPK_BIN:
			st = mt_mpk_bin(c, &s, &n, err);
			break;
		case MT_MPK_ARRAY:
			st = mt_mpk_array(c, &n, err);
			pending += n;
			break;
		case MT_MPK_MAP:
			st = mt_mpk_map(c, &n, err);
			pending += 2 * (uint64_t)n;
			break;
		default:
			return wrong(c, "a msgpack value", err);
		}
		(void)i;
		if (st)
			return st;
	}
	return MT_OK;
}
