/* The syntax tree of a query expression (heapy's Python subset).
 *
 *   expr       := comparison
 *   comparison := or (('<' | '<=' | '==' | '!=' | '>=' | '>') or)*
 *   or         := xor ('|' xor)*
 *   xor        := and ('^' and)*
 *   and        := arith ('&' arith)*
 *   arith      := unary (('-' | '+') unary)*
 *   unary      := ('~' | '-') unary | postfix
 *   postfix    := atom ('.' NAME | '[' subscript ']' | '(' args ')')*
 *   subscript  := expr | [expr] ':' [expr]
 *   args       := [arg (',' arg)* [',']]      arg := expr | NAME '=' expr
 *   atom       := NAME | INT | STRING | '(' expr ')'
 *
 * Precedence is Python's: | lowest, then ^, &, binary - +, unary ~ -, and
 * attribute access / indexing / calls.  Comparisons chain as in Python.
 * Nodes live in one arena owned by the mt_qast; every node records the byte
 * offset in the expression where it starts (`pos`) and, for operators and
 * trailers, where the operator is (`oppos`), for error carets.
 */
#ifndef MEMTRACK_QAST_H
#define MEMTRACK_QAST_H

#include <stddef.h>
#include <stdint.h>

#include "memtrack/error.h"

typedef enum {
	MT_Q_NAME,
	MT_Q_INT,
	MT_Q_STR,
	MT_Q_ATTR,    /* a.name                     */
	MT_Q_INDEX,   /* a[i]                       */
	MT_Q_SLICE,   /* a[lo:hi], lo/hi may be NULL */
	MT_Q_CALL,    /* f(args, name=value)        */
	MT_Q_BINOP,   /* a OP b: & | ^ - +          */
	MT_Q_UNARY,   /* ~a, -a                     */
	MT_Q_COMPARE  /* a OP b OP c ... (chained)  */
} mt_qnode_kind;

typedef enum {
	MT_QOP_AND = '&',
	MT_QOP_OR = '|',
	MT_QOP_XOR = '^',
	MT_QOP_SUB = '-',
	MT_QOP_ADD = '+',
	MT_QOP_INV = '~',
	MT_QOP_NEG = 'n',
	MT_QOP_LT = '<',
	MT_QOP_LE = 'l',
	MT_QOP_EQ = '=',
	MT_QOP_NE = '!',
	MT_QOP_GE = 'g',
	MT_QOP_GT = '>'
} mt_qop;

typedef struct mt_qnode mt_qnode;
struct mt_qnode {
	mt_qnode_kind kind;
	uint32_t pos, oppos, end; /* byte offsets in the expression */
	int op;                   /* mt_qop for BINOP/UNARY/COMPARE */
	const char *name;         /* NAME, ATTR, STR (NUL-terminated)  */
	size_t namelen;           /* STR may contain NUL bytes      */
	int64_t ival;             /* INT                              */
	mt_qnode *a, *b;          /* operands, object, index, slice bounds */
	/* CALL arguments and COMPARE operands/ops */
	size_t nargs;
	mt_qnode **args;
	const char **argnames; /* NULL entries for positional args */
	int *ops;              /* COMPARE: nargs-1 operators       */
};

typedef struct mt_qast mt_qast;

/* Parses text[0..len).  On MT_SYNTAX, err->offset is the byte offset of
 * the offending token and err->detail says what was expected.  Caller frees
 * with mt_qast_free. */
mt_status mt_qast_parse(mt_qast **out, const char *text, size_t len,
			mt_err *err);
const mt_qnode *mt_qast_root(const mt_qast *q);
void mt_qast_free(mt_qast *q);

#endif
