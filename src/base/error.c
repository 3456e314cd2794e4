/* SPDX-License-Identifier: Apache-2.0 */
/* error.c - thread-local error messages (see error.h). */
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sandlock.h"
#include "util.h"

static __thread char errmsg[SL_ERRMSG_MAX];

int sl_errorf(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
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
