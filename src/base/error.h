/* SPDX-License-Identifier: Apache-2.0 */
/*
 * error.h - the library's one error convention.
 *
 * Internal functions return >= 0 on success and -errno on failure.  The
 * function that knows the context (which path, which rule, which step)
 * records a message once with sl_errorf(); the ABI boundary returns
 * NULL/-1 and the message stays readable through sandlock_last_error().
 * Messages are thread-local: no global mutable state.
 */
#ifndef SL_ERROR_H
#define SL_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#define SL_ERRMSG_MAX 1024

/* Records a formatted message and returns -err (err > 0).  A message
 * longer than SL_ERRMSG_MAX - 1 bytes keeps its start and its end (the
 * reason) and loses its middle, marked "[... N bytes ...]". */
int sl_errorf(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records "<prefix>: '<value>': <reason>" (a long value is shortened so
 * the reason stays visible) and returns -EINVAL. */
int sl_error_value(const char *prefix, const char *value, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* Clears the message (called on entry of ABI calls). */
void sl_error_clear(void);
/* The current message ("" when none). */
const char *sl_error_get(void);
/* Records "not supported yet: <what>" and returns -ENOTSUP. */
int sl_unsupported(const char *what);

#endif
