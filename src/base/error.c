/* SPDX-License-Identifier: Apache-2.0 */
/* error.c - thread-local error messages (see error.h). */
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandlock.h"
#include "util.h"

static __thread char errmsg[SL_ERRMSG_MAX];

static bool utf8_continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/* Stores msg (len bytes).  One that does not fit loses its middle, not
 * its end: a message is "<what>: <value>: <reason>", and a long value (a
 * path of a megabyte) must not push the reason out.  The cuts fall on
 * UTF-8 character boundaries. */
static void store(const char *msg, size_t len)
{
	if (len < sizeof(errmsg)) {
		memcpy(errmsg, msg, len + 1);
		return;
	}
	char mark[48];
	size_t keep = sizeof(errmsg) - 1 - sizeof(mark);
	size_t head = keep / 3, tail = len - (keep - head);
	while (head > 0 && utf8_continuation(msg[head]))
		head--;
	while (tail < len && utf8_continuation(msg[tail]))
		tail++;
	snprintf(mark, sizeof(mark), "[... %zu bytes ...]", tail - head);
	snprintf(errmsg, sizeof(errmsg), "%.*s%s%s", (int)head, msg, mark, msg + tail);
}

int sl_errorf(int err, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n >= 0) {
		store(msg, (size_t)n);
		free(msg);
	} else {
		/* out of memory: the start of the message at least */
		va_start(ap, fmt);
		vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
		va_end(ap);
	}
	return err > 0 ? -err : err;
}

#define VALUE_QUOTE_MAX 200

int sl_error_value(const char *prefix, const char *value, const char *fmt, va_list ap)
{
	char reason[SL_ERRMSG_MAX];
	vsnprintf(reason, sizeof(reason), fmt, ap);
	size_t n = strlen(value);
	return sl_errorf(EINVAL, "%s: '%.*s%s': %s", prefix, VALUE_QUOTE_MAX, value,
			 n > VALUE_QUOTE_MAX ? "..." : "", reason);
}

void sl_error_clear(void)
{
	errmsg[0] = 0;
}

const char *sl_error_get(void)
{
	return errmsg;
}

int sl_unsupported(const char *what)
{
	return sl_errorf(ENOTSUP, "not supported yet: %s", what);
}

SL_API const char *sandlock_last_error(void)
{
	return errmsg;
}
