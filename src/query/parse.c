/* Lexer and recursive-descent parser of query expressions (qast.h).
 *
 * Owns the token cursor and the node arena.  Recursion depth follows the
 * nesting of the expression, which is bounded (MAX_DEPTH) so a hostile
 * expression gives a syntax error instead of a stack overflow.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtrack/qast.h"
#include "memtrack/util.h"

#define MAX_DEPTH 200

typedef enum {
	T_EOF,
	T_NAME,
	T_INT,
	T_STR,
	T_OP /* punctuation; `op` holds the mt_qop or the character */
} tok_kind;

typedef struct tok {
	tok_kind kind;
	int op;
	uint32_t pos, end;
	int64_t ival;
	char *sval; /* NAME and STR, arena-owned */
	size_t slen;
} tok;

struct mt_qast {
	mt_qnode *root;
	void **blocks;
	size_t nblocks;
};

typedef struct parser {
	const char *s;
	size_t len, p;
	tok t; /* current token */
	mt_qast *q;
	mt_err *err;
	int depth;
	bool failed;
} parser;

static void *alloc(parser *ps, size_t n)
{
	void **b = realloc(ps->q->blocks, (ps->q->nblocks + 1) * sizeof *b);
	if (!b)
		return NULL;
	ps->q->blocks = b;
	void *m = calloc(1, n ? n : 1);
	if (!m)
		return NULL;
	b[ps->q->nblocks++] = m;
	return m;
}

static bool fail(parser *ps, uint32_t pos, const char *what)
{
	if (!ps->failed)
		mt_err_set(ps->err, MT_SYNTAX, pos, MT_NO_OFFSET, "%s", what);
	ps->failed = true;
	return false;
}

static bool nomem(parser *ps)
{
	if (!ps->failed)
		mt_err_set(ps->err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, NULL);
	ps->failed = true;
	return false;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A Python string literal with ' or " quotes and the common escapes. */
static bool lex_string(parser *ps)
{
	const char *s = ps->s;
	size_t start = ps->p, p = ps->p + 1;
	char q = s[start];
	char *out = alloc(ps, ps->len - start + 1);
	size_t o = 0;
	if (!out)
		return nomem(ps);
	for (;;) {
		if (p >= ps->len)
			return fail(ps, (uint32_t)start, "unterminated string");
		char c = s[p];
		if (c == q)
			break;
		if (c != '\\') {
			out[o++] = c;
			p++;
			continue;
		}
		if (p + 1 >= ps->len)
			return fail(ps, (uint32_t)start, "unterminated string");
		char e = s[p + 1];
		p += 2;
		switch (e) {
		case 'n':
			out[o++] = '\n';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case '0':
			out[o++] = '\0';
			break;
		case '\\':
		case '\'':
		case '"':
			out[o++] = e;
			break;
		case 'x':
		case 'u': {
			int digits = e == 'x' ? 2 : 4;
			uint32_t cp = 0;
			for (int i = 0; i < digits; i++) {
				int h = p < ps->len ? hexval((unsigned char)s[p]) : -1;
				if (h < 0)
					return fail(ps, (uint32_t)(p - 2 - i),
						    "bad escape in string");
				cp = cp * 16 + (uint32_t)h;
				p++;
			}
			o += mt_utf8_encode(cp, out + o);
			break;
		}
		default: /* Python keeps unknown escapes as written */
			out[o++] = '\\';
			out[o++] = e;
		}
	}
	out[o] = '\0';
	ps->t.kind = T_STR;
	ps->t.sval = out;
	ps->t.slen = o;
	ps->p = p + 1;
	return true;
}

static bool next(parser *ps)
{
	const char *s = ps->s;
	while (ps->p < ps->len && isspace((unsigned char)s[ps->p]))
		ps->p++;
	tok *t = &ps->t;
	memset(t, 0, sizeof *t);
	t->pos = (uint32_t)ps->p;
	if (ps->p >= ps->len) {
		t->kind = T_EOF;
		t->end = t->pos;
		return true;
	}
	char c = s[ps->p];
	if (isalpha((unsigned char)c) || c == '_') {
		size_t b = ps->p;
		while (ps->p < ps->len && (isalnum((unsigned char)s[ps->p]) ||
					   s[ps->p] == '_'))
			ps->p++;
		t->kind = T_NAME;
		t->slen = ps->p - b;
		if (!(t->sval = alloc(ps, t->slen + 1)))
			return nomem(ps);
		memcpy(t->sval, s + b, t->slen);
	} else if (isdigit((unsigned char)c)) {
		size_t b = ps->p;
		int base = 10;
		if (c == '0' && ps->p + 1 < ps->len &&
		    (s[ps->p + 1] == 'x' || s[ps->p + 1] == 'X')) {
			base = 16;
			ps->p += 2;
		}
		uint64_t v = 0;
		size_t digits = 0;
		bool overflow = false;
		for (; ps->p < ps->len; ps->p++) {
			int d = hexval((unsigned char)s[ps->p]);
			if (s[ps->p] == '_')
				continue;
			if (d < 0 || d >= base)
				break;
			if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
				overflow = true;
			v = v * (uint64_t)base + (uint64_t)d;
			digits++;
		}
		if (!digits)
			return fail(ps, (uint32_t)b, "bad number");
		if (ps->p < ps->len && (isalpha((unsigned char)s[ps->p]) ||
					s[ps->p] == '.'))
			return fail(ps, (uint32_t)ps->p,
				    "only integers are supported");
		if (overflow || v > INT64_MAX)
			return fail(ps, (uint32_t)b, "integer too large");
		t->kind = T_INT;
		t->ival = (int64_t)v;
	} else if (c == '\'' || c == '"') {
		if (!lex_string(ps))
			return false;
	} else {
		char n = ps->p + 1 < ps->len ? s[ps->p + 1] : '\0';
		t->kind = T_OP;
		ps->p++;
		switch (c) {
		case '<':
			t->op = n == '=' ? MT_QOP_LE : MT_QOP_LT;
			break;
		case '>':
			t->op = n == '=' ? MT_QOP_GE : MT_QOP_GT;
			break;
		case '=':
			if (n != '=') {
				t->op = '=';
				t->end = (uint32_t)ps->p;
				return true;
			}
			t->op = MT_QOP_EQ;
			break;
		case '!':
			if (n != '=')
				return fail(ps, t->pos, "unexpected '!'");
			t->op = MT_QOP_NE;
			break;
		case '&': case '|': case '^': case '-': case '+': case '~':
		case '.': case '[': case ']': case '(': case ')': case ',':
		case ':':
			t->op = c;
			t->end = (uint32_t)ps->p;
			return true;
		default:
			ps->p--;
			return fail(ps, t->pos, "unexpected character");
		}
		if (n == '=')
			ps->p++;
	}
	t->end = (uint32_t)ps->p;
	return true;
}

static bool is_op(parser *ps, int op)
{
	return ps->t.kind == T_OP && ps->t.op == op;
}

static const char *tok_desc(const tok *t)
{
	switch (t->kind) {
	case T_EOF:
		return "end of expression";
	case T_NAME:
		return "a name";
	case T_INT:
		return "a number";
	case T_STR:
		return "a string";
	default:
		return "an operator";
	}
}

static bool expect(parser *ps, int op, const char *what)
{
	if (is_op(ps, op))
		return next(ps);
	char msg[120];
	snprintf(msg, sizeof msg, "expected %s, got %s", what, tok_desc(&ps->t));
	return fail(ps, ps->t.pos, msg);
}

static mt_qnode *node(parser *ps, mt_qnode_kind k, uint32_t pos)
{
	mt_qnode *n = alloc(ps, sizeof *n);
	if (!n) {
		nomem(ps);
		return NULL;
	}
	n->kind = k;
	n->pos = pos;
	n->oppos = pos;
	return n;
}

static mt_qnode *expr(parser *ps);

static mt_qnode *atom(parser *ps)
{
	tok t = ps->t;
	mt_qnode *n;
	switch (t.kind) {
	case T_NAME:
		if (!(n = node(ps, MT_Q_NAME, t.pos)))
			return NULL;
		n->name = t.sval;
		n->namelen = t.slen;
		n->end = t.end;
		return next(ps) ? n : NULL;
	case T_INT:
		if (!(n = node(ps, MT_Q_INT, t.pos)))
			return NULL;
		n->ival = t.ival;
		n->end = t.end;
		return next(ps) ? n : NULL;
	case T_STR:
		if (!(n = node(ps, MT_Q_STR, t.pos)))
			return NULL;
		n->name = t.sval;
		n->namelen = t.slen;
		n->end = t.end;
		if (!next(ps))
			return NULL;
		/* adjacent literals concatenate, as in Python */
		while (ps->t.kind == T_STR) {
			char *cat = alloc(ps, n->namelen + ps->t.slen + 1);
			if (!cat) {
				nomem(ps);
				return NULL;
			}
			memcpy(cat, n->name, n->namelen);
			memcpy(cat + n->namelen, ps->t.sval, ps->t.slen);
			n->name = cat;
			n->namelen += ps->t.slen;
			n->end = ps->t.end;
			if (!next(ps))
				return NULL;
		}
		return n;
	case T_OP:
		if (t.op == '(') {
			if (!next(ps) || !(n = expr(ps)) ||
			    !expect(ps, ')', "')'"))
				return NULL;
			return n;
		}
		break;
	default:
		break;
	}
	char msg[120];
	snprintf(msg, sizeof msg, "expected an expression, got %s",
		 tok_desc(&t));
	fail(ps, t.pos, msg);
	return NULL;
}

static mt_qnode *call_args(parser *ps, mt_qnode *fn, uint32_t oppos)
{
	mt_qnode *n = node(ps, MT_Q_CALL, fn->pos);
	if (!n)
		return NULL;
	n->a = fn;
	n->oppos = oppos;
	size_t cap = 0;
	while (!is_op(ps, ')')) {
		if (n->nargs == cap) {
			cap = cap ? cap * 2 : 4;
			mt_qnode **a = alloc(ps, cap * sizeof *a);
			const char **nm = alloc(ps, cap * sizeof *nm);
			if (!a || !nm) {
				nomem(ps);
				return NULL;
			}
			if (n->nargs) {
				memcpy(a, n->args, n->nargs * sizeof *a);
				memcpy(nm, n->argnames, n->nargs * sizeof *nm);
			}
			n->args = a;
			n->argnames = nm;
		}
		const char *argname = NULL;
		/* NAME '=' expr ? look ahead without consuming */
		if (ps->t.kind == T_NAME) {
			size_t save = ps->p;
			tok t = ps->t;
			if (!next(ps))
				return NULL;
			if (is_op(ps, '=')) {
				argname = t.sval;
				if (!next(ps))
					return NULL;
			} else {
				ps->p = save;
				ps->t = t;
			}
		}
		mt_qnode *a = expr(ps);
		if (!a)
			return NULL;
		n->argnames[n->nargs] = argname;
		n->args[n->nargs++] = a;
		if (!is_op(ps, ','))
			break;
		if (!next(ps))
			return NULL;
	}
	n->end = ps->t.end;
	if (!expect(ps, ')', "',' or ')'"))
		return NULL;
	return n;
}

static mt_qnode *postfix(parser *ps)
{
	mt_qnode *n = atom(ps);
	while (n) {
		uint32_t oppos = ps->t.pos;
		if (is_op(ps, '.')) {
			if (!next(ps))
				return NULL;
			if (ps->t.kind != T_NAME) {
				fail(ps, ps->t.pos,
				     "expected an attribute name after '.'");
				return NULL;
			}
			mt_qnode *a = node(ps, MT_Q_ATTR, n->pos);
			if (!a)
				return NULL;
			a->a = n;
			a->oppos = ps->t.pos;
			a->name = ps->t.sval;
			a->namelen = ps->t.slen;
			a->end = ps->t.end;
			if (!next(ps))
				return NULL;
			n = a;
		} else if (is_op(ps, '[')) {
			if (!next(ps))
				return NULL;
			mt_qnode *lo = NULL, *hi = NULL;
			if (!is_op(ps, ':') && !(lo = expr(ps)))
				return NULL;
			mt_qnode *x;
			if (is_op(ps, ':')) {
				if (!next(ps))
					return NULL;
				if (!is_op(ps, ']') && !(hi = expr(ps)))
					return NULL;
				x = node(ps, MT_Q_SLICE, n->pos);
				if (x) {
					/* bounds in nargs/args: lo, hi */
					x->nargs = 2;
					x->args = alloc(ps, 2 * sizeof *x->args);
					if (!x->args) {
						nomem(ps);
						return NULL;
					}
					x->args[0] = lo;
					x->args[1] = hi;
				}
			} else {
				x = node(ps, MT_Q_INDEX, n->pos);
				if (x)
					x->b = lo;
			}
			if (!x)
				return NULL;
			x->a = n;
			x->oppos = oppos;
			x->end = ps->t.end;
			if (!expect(ps, ']', "']'"))
				return NULL;
			n = x;
		} else if (is_op(ps, '(')) {
			if (!next(ps))
				return NULL;
			n = call_args(ps, n, oppos);
		} else {
			break;
		}
	}
	return n;
}

static mt_qnode *unary(parser *ps)
{
	if (is_op(ps, '~') || is_op(ps, '-')) {
		uint32_t pos = ps->t.pos;
		int op = ps->t.op == '~' ? MT_QOP_INV : MT_QOP_NEG;
		if (++ps->depth > MAX_DEPTH) {
			fail(ps, pos, "expression nested too deeply");
			return NULL;
		}
		if (!next(ps))
			return NULL;
		mt_qnode *x = unary(ps);
		ps->depth--;
		if (!x)
			return NULL;
		mt_qnode *n = node(ps, MT_Q_UNARY, pos);
		if (!n)
			return NULL;
		n->op = op;
		n->a = x;
		n->end = x->end;
		return n;
	}
	return postfix(ps);
}

typedef mt_qnode *(*level_fn)(parser *);

static mt_qnode *binary(parser *ps, level_fn sub, const int *ops)
{
	mt_qnode *l = sub(ps);
	while (l && ps->t.kind == T_OP) {
		int op = 0;
		for (const int *o = ops; *o; o++)
			if (ps->t.op == *o)
				op = *o;
		if (!op)
			break;
		uint32_t oppos = ps->t.pos;
		if (!next(ps))
			return NULL;
		mt_qnode *r = sub(ps);
		if (!r)
			return NULL;
		mt_qnode *n = node(ps, MT_Q_BINOP, l->pos);
		if (!n)
			return NULL;
		n->op = op;
		n->oppos = oppos;
		n->a = l;
		n->b = r;
		n->end = r->end;
		l = n;
	}
	return l;
}

static mt_qnode *arith(parser *ps)
{
	static const int ops[] = {'-', '+', 0};
	return binary(ps, unary, ops);
}

static mt_qnode *and_expr(parser *ps)
{
	static const int ops[] = {'&', 0};
	return binary(ps, arith, ops);
}

static mt_qnode *xor_expr(parser *ps)
{
	static const int ops[] = {'^', 0};
	return binary(ps, and_expr, ops);
}

static mt_qnode *or_expr(parser *ps)
{
	static const int ops[] = {'|', 0};
	return binary(ps, xor_expr, ops);
}

static bool is_cmp(int op)
{
	return op == MT_QOP_LT || op == MT_QOP_LE || op == MT_QOP_EQ ||
	       op == MT_QOP_NE || op == MT_QOP_GE || op == MT_QOP_GT;
}

static mt_qnode *expr(parser *ps)
{
	if (++ps->depth > MAX_DEPTH) {
		fail(ps, ps->t.pos, "expression nested too deeply");
		return NULL;
	}
	mt_qnode *l = or_expr(ps);
	if (l && ps->t.kind == T_OP && is_cmp(ps->t.op)) {
		mt_qnode *n = node(ps, MT_Q_COMPARE, l->pos);
		if (!n)
			return NULL;
		mt_qnode *vals[64];
		int ops[64];
		size_t k = 0;
		vals[k] = l;
		while (ps->t.kind == T_OP && is_cmp(ps->t.op)) {
			if (k + 1 >= 64) {
				fail(ps, ps->t.pos, "too many comparisons");
				return NULL;
			}
			ops[k] = ps->t.op;
			if (k == 0)
				n->oppos = ps->t.pos;
			if (!next(ps) || !(vals[k + 1] = or_expr(ps)))
				return NULL;
			k++;
		}
		n->nargs = k + 1;
		n->args = alloc(ps, (k + 1) * sizeof *n->args);
		n->ops = alloc(ps, k * sizeof *n->ops);
		if (!n->args || !n->ops) {
			nomem(ps);
			return NULL;
		}
		memcpy(n->args, vals, (k + 1) * sizeof *vals);
		memcpy(n->ops, ops, k * sizeof *ops);
		n->end = vals[k]->end;
		l = n;
	}
	ps->depth--;
	return l;
}

mt_status mt_qast_parse(mt_qast **out, const char *text, size_t len,
			mt_err *err)
{
	*out = NULL;
	mt_qast *q = calloc(1, sizeof *q);
	if (!q)
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET, NULL);
	mt_err local;
	parser ps = {.s = text, .len = len, .q = q, .err = err ? err : &local};
	mt_qnode *root = NULL;
	if (next(&ps)) {
		if (ps.t.kind == T_EOF)
			fail(&ps, ps.t.pos, "empty expression");
		else if ((root = expr(&ps)) && ps.t.kind != T_EOF) {
			char msg[120];
			snprintf(msg, sizeof msg,
				 "unexpected %s after the expression",
				 tok_desc(&ps.t));
			fail(&ps, ps.t.pos, msg);
		}
	}
	if (ps.failed) {
		mt_qast_free(q);
		return ps.err->code;
	}
	q->root = root;
	*out = q;
	return MT_OK;
}

const mt_qnode *mt_qast_root(const mt_qast *q)
{
	return q->root;
}

void mt_qast_free(mt_qast *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->nblocks; i++)
		free(q->blocks[i]);
	free(q->blocks);
	free(q);
}
