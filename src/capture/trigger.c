/* Placeholder of the lead's foundation for issue 12: its owner replaces it. */
#include "config.h"

#include "modhooks.h"

int mt_trigger_init_module(PyObject *m)
{
	(void)m;
	return 0;
}
