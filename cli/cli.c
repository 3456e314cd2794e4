/* SPDX-License-Identifier: Apache-2.0 */
/* cli.c - helpers shared by the subcommands (see cli.h). */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_errf(struct cli_err *e, int ret, const char *fmt, ...)
{
	va_list ap;
	char *full = NULL;

	va_start(ap, fmt);
	int n = vasprintf(&full, fmt, ap);
	va_end(ap);
	if (n < 0) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
		return ret;
	}
	if ((size_t)n < sizeof(e->msg)) {
		memcpy(e->msg, full, (size_t)n + 1);
	} else {
		/* too long (a huge value quoted): keep the end, which says what
		 * is wrong, and the start; drop the middle, not inside a UTF-8
		 * character */
		size_t head = sizeof(e->msg) / 4, tail = (size_t)n - sizeof(e->msg) / 2;
		while (head && ((unsigned char)full[head] & 0xc0) == 0x80)
			head--;
		while (((unsigned char)full[tail] & 0xc0) == 0x80)
			tail++;
		snprintf(e->msg, sizeof(e->msg), "%.*s...%s", (int)head, full, full + tail);
	}
	free(full);
	return ret;
}
