/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonw.h - JSON written into a growable buffer: strings escaped (control
 * bytes as \u00XX, invalid UTF-8 replaced), numbers, the punctuation left
 * to the caller.  An out-of-memory error sticks: every later call is a
 * no-op and jsonw_end reports it once.
 */
#ifndef SL_JSONW_H
#define SL_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct jsonw {
	struct sl_buf b;
	int err; /* -ENOMEM once a write failed */
};

/* Raw text (punctuation, a key already known to need no escape). */
void jsonw_raw(struct jsonw *w, const char *s);
/* A quoted, escaped string; NULL is written as null. */
void jsonw_str(struct jsonw *w, const char *s);
/* "key": (key escaped) */
void jsonw_key(struct jsonw *w, const char *key);
void jsonw_u64(struct jsonw *w, uint64_t v);
void jsonw_i64(struct jsonw *w, int64_t v);
/* The text, NUL-terminated, malloc'd (the caller frees it) in *out; 0 or
 * -ENOMEM (the buffer is freed either way). */
int jsonw_end(struct jsonw *w, char **out);

#endif
