/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.h - reading the members of a JSON object, as the library's
 * running-sandbox info gives them (sandlock_running_info): by key, at the
 * top level or one object down.  Strict enough for that text; not a
 * general parser.
 */
#ifndef SL_CLI_JSON_H
#define SL_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The raw text of the value of key in the object that starts at obj
 * ('{' after white space): *val and *len.  false when absent or when the
 * text is malformed. */
bool json_member(const char *obj, const char *key, const char **val, size_t *len);
/* An integer member. */
bool json_int(const char *obj, const char *key, int64_t *out);
/* A string member, decoded (malloc'd), or NULL. */
char *json_str(const char *obj, const char *key);
/* An array of strings, decoded and joined with spaces (malloc'd), or
 * NULL. */
char *json_strs_joined(const char *obj, const char *key);
/* An array's elements one by one: the element at the cursor (after '[' or
 * ','), its text in val and len, the cursor moved past it.  false at the
 * end. */
bool json_next(const char **p, const char **val, size_t *len);

#endif
