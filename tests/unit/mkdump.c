/* mkdump: writes a canned fixture dump (tests/unit/fixture.h) for the shell
 * tests: `mkdump demo|many|empty|evil|long|cmp-old|cmp-new|cmp-c|cmp-other|
 * cmp-mark OUT.mp` (fixture.h). */
#include "config.h"

#include <stdio.h>

#include "fixture.h"

int main(int argc, char **argv)
{
	mt_err err;
	char buf[512];
	if (argc != 3) {
		fprintf(stderr, "usage: mkdump demo|many|empty|evil|long|"
				"cmp-old|cmp-new|cmp-c|cmp-other|cmp-mark OUT.mp\n");
		return 2;
	}
	mt_err_clear(&err);
	if (fx_write_canned(argv[1], argv[2], &err) != MT_OK) {
		mt_err_format(&err, buf, sizeof buf);
		fprintf(stderr, "mkdump: %s: %s\n", argv[2], buf);
		return 1;
	}
	return 0;
}
