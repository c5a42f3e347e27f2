/* Comparing dumps (diff.h): being written (issue 10). */
#include "memtrack/diff.h"
