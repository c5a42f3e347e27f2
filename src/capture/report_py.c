/* Placeholder: _html_report, the HTML report writer's binding (H5 fills it). */
#include "config.h"

#include "modhooks.h"

int mt_report_init_module(PyObject *m)
{
	(void)m;
	return 0;
}
