/* "My objects": the part of a heap a program owns, as opposed to what the
 * interpreter, the standard library and site-packages own.
 *
 * The rule, derived from the dump alone (doc/analysis.md, "My objects"):
 *
 *   - A module is the library's when its `__file__` is under the standard
 *     library (the directory of `os.__file__`, or `<prefix>/lib/python*`
 *     and `lib64/python*` for sys.prefix, base_prefix, exec_prefix and
 *     base_exec_prefix), has a `site-packages` or `dist-packages` directory
 *     in it, or is `<frozen ...>`; or when it has no `__file__` (built-in
 *     modules: sys, builtins, _io...).  `__main__` without a `__file__`
 *     (python -c, an interactive session) is the program's.  Every other
 *     module is the program's: "my modules".
 *   - The anchors of a set of modules are the modules and their dicts,
 *     the classes they define (a type whose module is one of them) and the
 *     instances of those classes, the functions whose `__globals__` is one
 *     of their dicts, and the frames whose `f_globals` is (the code running
 *     there).
 *   - An object is owned by those modules when it is an anchor or an
 *     anchor dominates it (dominator.h): what would go away with them.
 *     Objects that library code also keeps alive (shared strings, a
 *     logging handler the program made, an interned name) are not.
 *
 * mt_mine_set is the program's objects (the rule's modules) or those of
 * the modules a filter names (module-name or file glob, fnmatch(3): '*'
 * matches '/' and '.' too).  Needs the context's dominator tree (long work
 * on a large dump, shared with the Retained column: progress, cancel).
 */
#ifndef MEMTRACK_MINE_H
#define MEMTRACK_MINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtrack/ctx.h"
#include "memtrack/error.h"
#include "memtrack/graph.h"
#include "memtrack/set.h"

typedef struct mt_mine_filter {
	const char *module; /* glob on module names ("app*"), or NULL   */
	const char *file;   /* glob on module files, or NULL    */
} mt_mine_filter;

/* Whether the module object `mod` is one of the program's by the rule
 * (false for any other object).  O(out-degree of its dict); the library
 * directories are found once per call: use mt_mine_modules for many. */
bool mt_mine_module_is_mine(const mt_graph *g, uint32_t mod);

/* The module objects the filter selects (f NULL or both globs NULL: the
 * program's modules by the rule; both set: both must match), ascending
 * ids, malloc'd (caller frees; NULL when *n is 0).  MT_NOMEM. */
mt_status mt_mine_modules(const mt_graph *g, const mt_mine_filter *f,
			  uint32_t **ids, size_t *n, mt_err *err);

/* The objects owned by those modules (see above) as a new set (caller
 * unrefs).  MT_CANCELLED when the dominator tree's build was cancelled. */
mt_status mt_mine_set(mt_ctx *ctx, const mt_mine_filter *f, mt_set **out,
		      mt_err *err);

#endif
