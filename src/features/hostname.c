/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostname.c - the file that names the sandbox, served by synthetic.c:
 * /etc/hostname.
 */
#include <stdarg.h>
#include <string.h>

#include "synthetic.h"
#include "util.h"

/* Appends the strings of a NULL-terminated list: 0 or -ENOMEM. */
__attribute__((sentinel)) static int put(struct sl_buf *b, ...)
{
	va_list ap;
	va_start(ap, b);
	int r = 0;
	for (const char *s; r == 0 && (s = va_arg(ap, const char *));) {
		size_t n = strlen(s);
		r = sl_buf_reserve(b, n);
		if (r == 0) {
			memcpy(b->p + b->len, s, n);
			b->len += n;
		}
	}
	va_end(ap);
	return r;
}

int hostname_file(struct sl_buf *out, const struct synth_src *src)
{
	return put(out, src->name, "\n", (char *)NULL);
}
