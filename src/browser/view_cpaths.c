/* Paths on both sides of a comparison (issue 10): being written. */
#include "bpriv.h"
