/* The comparison view (issue 10): being written. */
#include "bpriv.h"
