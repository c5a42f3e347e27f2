/* Error values: the message table of MT_STATUS_LIST and the one-line text
 * of an mt_err ("<message> at byte N (record R): <detail>"). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "memtrack/error.h"

static const char *const status_msgs[] = {
#define MT_STATUS_MSG_(name, msg) msg,
	MT_STATUS_LIST(MT_STATUS_MSG_)
#undef MT_STATUS_MSG_
};

const char *mt_status_str(mt_status code)
{
	if ((unsigned)code >= MT_STATUS_COUNT_)
		return "unknown error";
	return status_msgs[code];
}

void mt_err_clear(mt_err *err)
{
	if (!err)
		return;
	err->code = MT_OK;
	err->offset = MT_NO_OFFSET;
	err->record = MT_NO_OFFSET;
	err->detail[0] = '\0';
	err->sys_errno = 0;
}

mt_status mt_err_set(mt_err *err, mt_status code, uint64_t offset,
		     uint64_t record, const char *fmt, ...)
{
	if (!err)
		return code;
	err->code = code;
	err->offset = offset;
	err->record = record;
	err->detail[0] = '\0';
	err->sys_errno = 0;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->detail, sizeof err->detail, fmt, ap);
		va_end(ap);
	}
	return code;
}

int mt_err_format(const mt_err *err, char *buf, size_t n)
{
	char pos[80] = "";
	if (err->offset != MT_NO_OFFSET && err->record != MT_NO_OFFSET)
		snprintf(pos, sizeof pos, " at byte %llu (record %llu)",
			 (unsigned long long)err->offset,
			 (unsigned long long)err->record);
	else if (err->offset != MT_NO_OFFSET)
		snprintf(pos, sizeof pos, " at byte %llu",
			 (unsigned long long)err->offset);
	return snprintf(buf, n, "%s%s%s%s", mt_status_str(err->code), pos,
			err->detail[0] ? ": " : "", err->detail);
}
