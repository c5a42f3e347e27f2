/* libFuzzer target: any byte string read as a series file (a process log
 * or a tracker stats document, series.h; what the sniff says, a dump's
 * bytes as a log) must give MT_OK or an error value, never a crash, a
 * sanitizer report, a leak or a hang; a file that loads goes through both
 * --batch summaries and the HTML page.  Built with ./configure
 * --enable-fuzzing CC=clang; run:
 *   tests/fuzz/fuzz_series -max_total_time=60 tests/fuzz/corpus/series */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "memtrack/series.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	mt_file_kind kind = mt_series_sniff_mem(buf, size);
	mt_series s;
	mt_err err;
	char *text;
	if (kind != MT_FILE_STATS)
		kind = MT_FILE_LOG; /* a log's parser on everything else */
	if (mt_series_parse(buf, size, kind, &s, &err) != MT_OK)
		return 0;
	const mt_series *v[1] = {&s};
	if (mt_series_print_summary(&s, &text, &err) == MT_OK)
		free(text);
	if (mt_series_log_summary(&s, &text, &err) == MT_OK)
		free(text);
	if (mt_report_html_text(v, NULL, 1, &text, &err) == MT_OK)
		free(text);
	mt_series_destroy(&s);
	return 0;
}
