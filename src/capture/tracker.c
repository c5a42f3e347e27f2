/* Placeholder: the ClassTracker's C core. */
#include "config.h"

#include "modhooks.h"

int mt_tracker_init_module(PyObject *m)
{
	(void)m;
	return 0;
}
