/* A small JSON reader (private to src/format): one text into a flat array
 * of nodes in preorder.
 *
 * Node 0 is the root value.  A container's children follow it: the first
 * child of node i is i + 1 and the next sibling of child c is nodes[c].end;
 * a container's members end at nodes[i].end.  An object member's node
 * carries its key.  Strings (values and keys) are decoded (escapes, \u
 * surrogate pairs; a lone surrogate is encoded as Python's
 * "surrogatepass" does) into one buffer and NUL-terminated there.
 * Numbers: an integer literal that fits int64_t is MT_JSON_INT, any other
 * number MT_JSON_NUM (a double; read in the "C" locale whatever the
 * process' locale).  Python's json extensions NaN, Infinity and -Infinity
 * are accepted as numbers.  The parse is iterative (an explicit stack).
 *
 * Errors are MT_SYNTAX (or MT_TRUNCATED when the text ends inside a value)
 * with the byte offset of the fault and a detail "line L, column C:
 * expected ...", L counted from the caller's first line number.
 */
#ifndef MEMTRACK_JSON_H
#define MEMTRACK_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "memtrack/error.h"

typedef enum {
	MT_JSON_NULL,
	MT_JSON_FALSE,
	MT_JSON_TRUE,
	MT_JSON_INT,
	MT_JSON_NUM,
	MT_JSON_STR,
	MT_JSON_ARR,
	MT_JSON_OBJ,
} mt_json_type;

#define MT_JSON_NONE UINT32_MAX

typedef struct mt_json_node {
	uint8_t type;	/* mt_json_type */
	uint32_t end;	/* index past the subtree */
	uint32_t key;	/* member key: offset in strs, or MT_JSON_NONE */
	uint32_t count; /* containers: children; strings: length */
	union {
		int64_t i;  /* MT_JSON_INT */
		double d;   /* MT_JSON_NUM */
		uint64_t s; /* MT_JSON_STR: offset in strs */
	} v;
	uint64_t pos; /* byte offset of the value in the input */
} mt_json_node;

typedef struct mt_json {
	mt_json_node *nodes;
	uint32_t n, cap;
	char *strs;
	size_t slen, scap;
	uint32_t *stack; /* open containers while parsing */
	uint32_t sdepth, scap_stack;
	void *cloc; /* locale_t of "C" for strtod_l */
} mt_json;

/* Caller's storage; mt_json_destroy frees what parses allocated. */
void mt_json_init(mt_json *j);
void mt_json_destroy(mt_json *j);

/* Parses buf[0..n) as one JSON value with only whitespace around it,
 * replacing what j held.  off0 is the offset of buf in its file and
 * line0 the line number of its first byte (for error positions). */
mt_status mt_json_parse(mt_json *j, const char *buf, size_t n, uint64_t off0,
			uint64_t line0, mt_err *err);

/* The member of object node obj named key (the last one if repeated), or
 * MT_JSON_NONE (also when obj is not an object). */
uint32_t mt_json_get(const mt_json *j, uint32_t obj, const char *key);

/* The text of string node i (NUL-terminated; *len its length if len is not
 * NULL), or NULL when i is not a string. Valid until the next parse. */
const char *mt_json_str(const mt_json *j, uint32_t i, size_t *len);

/* The key of member node i, or NULL. */
const char *mt_json_key(const mt_json *j, uint32_t i);

/* Numbers: true and *out set when node i is a number (an integer for
 * mt_json_int: an MT_JSON_INT, or an MT_JSON_NUM with an integral value in
 * range). */
int mt_json_num(const mt_json *j, uint32_t i, double *out);
int mt_json_int(const mt_json *j, uint32_t i, int64_t *out);

/* "line L, column C" of byte offset pos (of the text last parsed, where
 * buf[0] had offset off0 and line line0) into b. */
void mt_json_where(const char *buf, size_t n, uint64_t off0, uint64_t line0,
		   uint64_t pos, char *b, size_t bn);

#endif
