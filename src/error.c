/* SPDX-License-Identifier: Apache-2.0 */
/* error.c - thread-local error messages (see error.h). */
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

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
