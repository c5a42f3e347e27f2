/* The JSON reader of json.h: a text into preorder nodes, iteratively (the
 * stack of open containers is j->stack), strings decoded into j->strs. */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "memtrack/util.h"

void mt_json_init(mt_json *j) { memset(j, 0, sizeof *j); }

void mt_json_destroy(mt_json *j)
{
	free(j->nodes);
	free(j->strs);
	free(j->stack);
	if (j->cloc)
		freelocale((locale_t)j->cloc);
	memset(j, 0, sizeof *j);
}

void mt_json_where(const char *buf, size_t n, uint64_t off0, uint64_t line0,
		   uint64_t pos, char *b, size_t bn)
{
	uint64_t line = line0, col = 1;
	size_t end = pos >= off0 ? (size_t)(pos - off0) : 0;
	if (end > n)
		end = n;
	for (size_t i = 0; i < end; i++) {
		if (buf[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			col++;
		}
	}
	snprintf(b, bn, "line %llu, column %llu", (unsigned long long)line,
		 (unsigned long long)col);
}

/* The parse state: the input and where errors are reported from. */
typedef struct {
	mt_json *j;
	const char *buf, *p, *end;
	uint64_t off0, line0;
	mt_err *err;
} jp;

static mt_status fail(jp *s, const char *at, mt_status code, const char *what)
{
	char where[64];
	uint64_t pos = s->off0 + (uint64_t)(at - s->buf);
	mt_json_where(s->buf, (size_t)(s->end - s->buf), s->off0, s->line0, pos,
		      where, sizeof where);
	return mt_err_set(s->err, code, pos, MT_NO_OFFSET, "%s: %s", where,
			  what);
}

static mt_status expected(jp *s, const char *what)
{
	if (s->p >= s->end)
		return fail(s, s->p, MT_TRUNCATED, what);
	return fail(s, s->p, MT_SYNTAX, what);
}

static void skip_ws(jp *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
				 *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static mt_status new_node(jp *s, uint8_t type, uint32_t key, uint32_t *out)
{
	mt_json *j = s->j;
	if (j->n == j->cap) {
		if (j->cap >= UINT32_MAX / 2)
			return fail(s, s->p, MT_RANGE, "too many values");
		uint32_t cap = j->cap ? j->cap * 2 : 64;
		mt_json_node *nn = realloc(j->nodes, cap * sizeof *nn);
		if (!nn)
			return mt_nomem(s->err);
		j->nodes = nn;
		j->cap = cap;
	}
	mt_json_node *nd = &j->nodes[j->n];
	memset(nd, 0, sizeof *nd);
	nd->type = type;
	nd->key = key;
	nd->end = j->n + 1;
	nd->pos = s->off0 + (uint64_t)(s->p - s->buf);
	if (j->sdepth)
		j->nodes[j->stack[j->sdepth - 1]].count++;
	*out = j->n++;
	return MT_OK;
}

static mt_status str_reserve(jp *s, size_t more)
{
	mt_json *j = s->j;
	if (j->slen + more <= j->scap)
		return MT_OK;
	size_t cap = j->scap ? j->scap : 256;
	while (cap < j->slen + more)
		cap *= 2;
	char *ns = realloc(j->strs, cap);
	if (!ns)
		return mt_nomem(s->err);
	j->strs = ns;
	j->scap = cap;
	return MT_OK;
}

static int hex4(const char *p, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			return 0;
		*v = *v << 4 | (uint32_t)d;
	}
	return 1;
}

/* A string at s->p (the opening quote) into strs; *off its offset there,
 * *len its length. */
static mt_status parse_string(jp *s, uint64_t *off, uint32_t *len)
{
	mt_json *j = s->j;
	mt_status st;
	s->p++;
	/* The decoded text is never longer than the escaped one. */
	const char *q = s->p;
	while (q < s->end && *q != '"') {
		if (*q == '\\' && q + 1 < s->end)
			q++;
		q++;
	}
	if ((st = str_reserve(s, (size_t)(q - s->p) + 1)))
		return st;
	*off = j->slen;
	char *o = j->strs + j->slen;
	for (;;) {
		if (s->p >= s->end)
			return expected(s, "expected '\"' closing the string");
		unsigned char c = (unsigned char)*s->p;
		if (c == '"') {
			s->p++;
			break;
		}
		if (c < 0x20)
			return fail(s, s->p, MT_SYNTAX,
				    "control character in a string");
		if (c != '\\') {
			*o++ = (char)c;
			s->p++;
			continue;
		}
		const char *esc = s->p;
		if (++s->p >= s->end)
			return expected(s, "expected an escape");
		switch (*s->p++) {
		case '"':
			*o++ = '"';
			break;
		case '\\':
			*o++ = '\\';
			break;
		case '/':
			*o++ = '/';
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u': {
			uint32_t cp, lo;
			if (s->end - s->p < 4 || !hex4(s->p, &cp))
				return fail(s, esc, MT_SYNTAX,
					    "expected 4 hex digits after \\u");
			s->p += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && s->end - s->p >= 6 &&
			    s->p[0] == '\\' && s->p[1] == 'u' &&
			    hex4(s->p + 2, &lo) && lo >= 0xdc00 &&
			    lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				s->p += 6;
			}
			/* 6 escaped bytes give at most 4 (3 for a lone
			 * surrogate), 12 give 4: the reserve holds. */
			o += mt_utf8_encode(cp, o);
			break;
		}
		default:
			return fail(s, esc, MT_SYNTAX, "unknown escape");
		}
	}
	*o = '\0';
	*len = (uint32_t)(o - (j->strs + j->slen));
	j->slen += (size_t)*len + 1;
	return MT_OK;
}

static bool lit(jp *s, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
		return false;
	s->p += n;
	return true;
}

static mt_status parse_number(jp *s, mt_json_node *nd)
{
	const char *b = s->p, *p = s->p;
	bool integral = true;
	if (p < s->end && *p == '-')
		p++;
	if (p < s->end && *p == '0') {
		p++;
	} else if (p < s->end && *p >= '1' && *p <= '9') {
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	} else {
		s->p = p;
		return expected(s, "expected a digit");
	}
	if (p < s->end && *p == '.') {
		integral = false;
		p++;
		if (p >= s->end || *p < '0' || *p > '9') {
			s->p = p;
			return expected(s, "expected a digit after '.'");
		}
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < s->end && (*p == 'e' || *p == 'E')) {
		integral = false;
		p++;
		if (p < s->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= s->end || *p < '0' || *p > '9') {
			s->p = p;
			return expected(s, "expected a digit in the exponent");
		}
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	s->p = p;
	if (integral) {
		const char *d = b + (*b == '-');
		uint64_t v = 0;
		bool ok = true;
		for (; d < p; d++) {
			unsigned dig = (unsigned)(*d - '0');
			if (v > (UINT64_MAX - dig) / 10) {
				ok = false;
				break;
			}
			v = v * 10 + dig;
		}
		if (ok && *b == '-' && v <= (uint64_t)INT64_MAX + 1) {
			nd->type = MT_JSON_INT;
			nd->v.i = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN
							       : -(int64_t)v;
			return MT_OK;
		}
		if (ok && *b != '-' && v <= (uint64_t)INT64_MAX) {
			nd->type = MT_JSON_INT;
			nd->v.i = (int64_t)v;
			return MT_OK;
		}
	}
	char tmp[64];
	size_t len = (size_t)(p - b);
	char *t = len < sizeof tmp ? tmp : malloc(len + 1);
	if (!t)
		return mt_nomem(s->err);
	memcpy(t, b, len);
	t[len] = '\0';
	if (!s->j->cloc)
		s->j->cloc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	nd->type = MT_JSON_NUM;
	nd->v.d = s->j->cloc ? strtod_l(t, NULL, (locale_t)s->j->cloc)
			     : strtod(t, NULL);
	if (t != tmp)
		free(t);
	return MT_OK;
}

static mt_status push(jp *s, uint32_t node)
{
	mt_json *j = s->j;
	if (j->sdepth == j->scap_stack) {
		uint32_t cap = j->scap_stack ? j->scap_stack * 2 : 32;
		uint32_t *ns = realloc(j->stack, cap * sizeof *ns);
		if (!ns)
			return mt_nomem(s->err);
		j->stack = ns;
		j->scap_stack = cap;
	}
	j->stack[j->sdepth++] = node;
	return MT_OK;
}

mt_status mt_json_parse(mt_json *j, const char *buf, size_t n, uint64_t off0,
			uint64_t line0, mt_err *err)
{
	jp s = {j, buf, buf, buf + n, off0, line0, err};
	mt_status st;
	uint32_t key = MT_JSON_NONE, i;
	j->n = 0;
	j->slen = 0;
	j->sdepth = 0;
	skip_ws(&s);
	for (;;) {
		/* A value at s.p, with key if its container is an object. */
		if (s.p >= s.end)
			return expected(&s, "expected a value");
		char c = *s.p;
		if (c == '{' || c == '[') {
			if ((st = new_node(&s,
					   c == '{' ? MT_JSON_OBJ : MT_JSON_ARR,
					   key, &i)) ||
			    (st = push(&s, i)))
				return st;
			s.p++;
			skip_ws(&s);
			if (s.p < s.end && *s.p == (c == '{' ? '}' : ']')) {
				s.p++;
				j->sdepth--;
				goto after;
			}
			if (c == '[') {
				key = MT_JSON_NONE;
				continue;
			}
			goto member;
		}
		if ((st = new_node(&s, MT_JSON_NULL, key, &i)))
			return st;
		mt_json_node *nd = &j->nodes[i];
		if (c == '"') {
			uint64_t off;
			uint32_t len;
			if ((st = parse_string(&s, &off, &len)))
				return st;
			nd = &j->nodes[i];
			nd->type = MT_JSON_STR;
			nd->v.s = off;
			nd->count = len;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			if (c == '-' && lit(&s, "-Infinity")) {
				nd->type = MT_JSON_NUM;
				nd->v.d = -HUGE_VAL;
			} else if ((st = parse_number(&s, nd))) {
				return st;
			}
		} else if (lit(&s, "null")) {
			nd->type = MT_JSON_NULL;
		} else if (lit(&s, "true")) {
			nd->type = MT_JSON_TRUE;
		} else if (lit(&s, "false")) {
			nd->type = MT_JSON_FALSE;
		} else if (lit(&s, "NaN")) {
			nd->type = MT_JSON_NUM;
			nd->v.d = NAN;
		} else if (lit(&s, "Infinity")) {
			nd->type = MT_JSON_NUM;
			nd->v.d = HUGE_VAL;
		} else {
			return expected(&s, "expected a value");
		}
	after:
		/* After a value: close containers, or go on to the next
		 * element or member. */
		for (;;) {
			if (!j->sdepth) {
				skip_ws(&s);
				if (s.p < s.end)
					return fail(&s, s.p, MT_SYNTAX,
						    "expected the end of the "
						    "text after the value");
				return MT_OK;
			}
			uint32_t top = j->stack[j->sdepth - 1];
			bool obj = j->nodes[top].type == MT_JSON_OBJ;
			skip_ws(&s);
			if (s.p < s.end && *s.p == (obj ? '}' : ']')) {
				s.p++;
				j->nodes[top].end = j->n;
				j->sdepth--;
				continue;
			}
			if (s.p < s.end && *s.p == ',') {
				s.p++;
				skip_ws(&s);
				if (obj)
					goto member;
				key = MT_JSON_NONE;
				goto value;
			}
			return expected(&s, obj ? "expected ',' or '}'"
						: "expected ',' or ']'");
		}
	member:
		/* A member of an object: "key": then its value. */
		if (s.p >= s.end || *s.p != '"')
			return expected(&s, "expected a string key");
		{
			uint64_t off;
			uint32_t len;
			if ((st = parse_string(&s, &off, &len)))
				return st;
			if (off > UINT32_MAX - 1)
				return fail(&s, s.p, MT_RANGE, "too much text");
			key = (uint32_t)off;
		}
		skip_ws(&s);
		if (s.p >= s.end || *s.p != ':')
			return expected(&s, "expected ':' after the key");
		s.p++;
		skip_ws(&s);
	value:;
	}
}

uint32_t mt_json_get(const mt_json *j, uint32_t obj, const char *key)
{
	uint32_t found = MT_JSON_NONE;
	if (obj >= j->n || j->nodes[obj].type != MT_JSON_OBJ)
		return MT_JSON_NONE;
	for (uint32_t c = obj + 1; c < j->nodes[obj].end; c = j->nodes[c].end)
		if (j->nodes[c].key != MT_JSON_NONE &&
		    strcmp(j->strs + j->nodes[c].key, key) == 0)
			found = c;
	return found;
}

const char *mt_json_str(const mt_json *j, uint32_t i, size_t *len)
{
	if (i >= j->n || j->nodes[i].type != MT_JSON_STR)
		return NULL;
	if (len)
		*len = j->nodes[i].count;
	return j->strs + j->nodes[i].v.s;
}

const char *mt_json_key(const mt_json *j, uint32_t i)
{
	if (i >= j->n || j->nodes[i].key == MT_JSON_NONE)
		return NULL;
	return j->strs + j->nodes[i].key;
}

int mt_json_num(const mt_json *j, uint32_t i, double *out)
{
	if (i >= j->n)
		return 0;
	if (j->nodes[i].type == MT_JSON_INT) {
		*out = (double)j->nodes[i].v.i;
		return 1;
	}
	if (j->nodes[i].type == MT_JSON_NUM) {
		*out = j->nodes[i].v.d;
		return 1;
	}
	return 0;
}

int mt_json_int(const mt_json *j, uint32_t i, int64_t *out)
{
	if (i >= j->n)
		return 0;
	if (j->nodes[i].type == MT_JSON_INT) {
		*out = j->nodes[i].v.i;
		return 1;
	}
	if (j->nodes[i].type == MT_JSON_NUM) {
		double d = j->nodes[i].v.d;
		if (d != d || d < -9.2e18 || d > 9.2e18 ||
		    d != (double)(int64_t)d)
			return 0;
		*out = (int64_t)d;
		return 1;
	}
	return 0;
}
