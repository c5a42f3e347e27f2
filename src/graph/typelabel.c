/* Type labels in heapy's spelling (src/graph/typelabel.h).
 *
 * Owns the one table from the qualname of a builtins type to the name heapy
 * prints for it.  heapy names a type by where it finds it: the `types` module
 * for the interpreter's internal types (`types.FrameType`), the bare name for
 * other builtins (`dict`, and `module` and `function`, whose `types` names
 * heapy does not use), `module.qualname` for the rest.
 */
#include "config.h"

#include <string.h>

#include "typelabel.h"

static const struct {
	const char *qualname;
	const char *label;
} types_names[] = {
    {"frame", "types.FrameType"},
    {"code", "types.CodeType"},
    {"cell", "types.CellType"},
    {"method", "types.MethodType"},
    {"builtin_function_or_method", "types.BuiltinFunctionType"},
    {"getset_descriptor", "types.GetSetDescriptorType"},
    {"member_descriptor", "types.MemberDescriptorType"},
    {"mappingproxy", "types.MappingProxyType"},
    {"generator", "types.GeneratorType"},
    {"traceback", "types.TracebackType"},
    {"wrapper_descriptor", "types.WrapperDescriptorType"},
    {"method-wrapper", "types.MethodWrapperType"},
    {"method_descriptor", "types.MethodDescriptorType"},
    {"classmethod_descriptor", "types.ClassMethodDescriptorType"},
    {"coroutine", "types.CoroutineType"},
    {"async_generator", "types.AsyncGeneratorType"},
    {"SimpleNamespace", "types.SimpleNamespace"},
    /* types.ModuleType and types.FunctionType print as their own names. */
    {"module", "module"},
    {"function", "function"},
};

static size_t put(char *buf, size_t cap, size_t at, const char *s, size_t n)
{
	if (at < cap) {
		size_t room = cap - at - 1;
		memcpy(buf + at, s, n < room ? n : room);
	}
	return at + n;
}

size_t mt_type_label_format(char *buf, size_t cap, const char *mod,
			    size_t modlen, const char *qual, size_t quallen)
{
	size_t n = 0, i;
	if (!cap)
		return 0;
	if (modlen == 8 && !memcmp(mod, "builtins", 8)) {
		for (i = 0; i < sizeof types_names / sizeof types_names[0];
		     i++) {
			const char *q = types_names[i].qualname;
			if (strlen(q) == quallen && !memcmp(q, qual, quallen)) {
				const char *l = types_names[i].label;
				n = put(buf, cap, 0, l, strlen(l));
				goto done;
			}
		}
		n = put(buf, cap, 0, qual, quallen);
	} else {
		n = put(buf, cap, 0, mod, modlen);
		n = put(buf, cap, n, ".", 1);
		n = put(buf, cap, n, qual, quallen);
	}
done:
	if (n >= cap)
		n = cap - 1;
	buf[n] = '\0';
	return n;
}
