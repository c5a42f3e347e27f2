/* Placeholder: the process memory log. */
#include "config.h"

#include "modhooks.h"

int mt_proclog_init_module(PyObject *m)
{
	(void)m;
	return 0;
}

void mt_proclog_dump_marker(const char *path)
{
	(void)path;
}
