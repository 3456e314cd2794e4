/* SPDX-License-Identifier: Apache-2.0 */
/* jsonw.c - JSON into a buffer (jsonw.h). */
#include "jsonw.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(struct jsonw *w, const char *p, size_t n)
{
	if (w->err)
		return;
	if (sl_buf_reserve(&w->b, n + 1) < 0) {
		w->err = -ENOMEM;
		return;
	}
	memcpy(w->b.p + w->b.len, p, n);
	w->b.len += n;
}

void jsonw_raw(struct jsonw *w, const char *s)
{
	put(w, s, strlen(s));
}

static void escaped(struct jsonw *w, const char *s)
{
	for (const char *c = s; *c; c++) {
		unsigned char u = (unsigned char)*c;
		char tmp[8];
		if (u == '"' || u == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)u;
			put(w, tmp, 2);
		} else if (u < 0x20 || u == 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\u%04x", u);
			put(w, tmp, 6);
		} else {
			put(w, c, 1);
		}
	}
}

void jsonw_str(struct jsonw *w, const char *s)
{
	if (!s) {
		jsonw_raw(w, "null");
		return;
	}
	/* JSON is UTF-8: a command line or a path may not be */
	size_t n = strlen(s);
	char *fixed = NULL;
	if (!sl_utf8_valid(s, n) && !(fixed = sl_utf8_lossy((const uint8_t *)s, n))) {
		w->err = -ENOMEM;
		return;
	}
	put(w, "\"", 1);
	escaped(w, fixed ? fixed : s);
	put(w, "\"", 1);
	free(fixed);
}

void jsonw_key(struct jsonw *w, const char *key)
{
	jsonw_str(w, key);
	put(w, ":", 1);
}

void jsonw_u64(struct jsonw *w, uint64_t v)
{
	char tmp[24];
	put(w, tmp, (size_t)snprintf(tmp, sizeof(tmp), "%" PRIu64, v));
}

void jsonw_i64(struct jsonw *w, int64_t v)
{
	char tmp[24];
	put(w, tmp, (size_t)snprintf(tmp, sizeof(tmp), "%" PRId64, v));
}

int jsonw_end(struct jsonw *w, char **out)
{
	*out = NULL;
	put(w, "", 1); /* the NUL */
	if (w->err) {
		sl_buf_free(&w->b);
		return w->err;
	}
	*out = (char *)w->b.p;
	w->b = (struct sl_buf){0};
	return 0;
}
