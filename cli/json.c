/* SPDX-License-Identifier: Apache-2.0 */
/* json.c - members of a JSON object (json.h). */
#include "json.h"

#include <stdlib.h>
#include <string.h>

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	return p;
}

static const char *skip_string(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && !*++p)
			return NULL;
	return *p == '"' ? p + 1 : NULL;
}

/* Past the value at p, or NULL. */
static const char *skip_value(const char *p)
{
	p = ws(p);
	if (*p == '"')
		return skip_string(p);
	if (*p != '{' && *p != '[') {
		const char *q = p;
		while (*q && !strchr(",}] \n\r\t", *q))
			q++;
		return q > p ? q : NULL;
	}
	int depth = 0;
	do {
		if (*p == '"') {
			if (!(p = skip_string(p)))
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
		else if (!*p)
			return NULL;
		p++;
	} while (depth > 0);
	return p;
}

/* The decoded string at p ('"'), malloc'd: \uXXXX below 0x80 as the byte,
 * others as '?' (the info never holds them: jsonw escapes controls only). */
static char *decode(const char *p)
{
	const char *end = skip_string(p);
	if (!end)
		return NULL;
	char *out = malloc((size_t)(end - p)), *o = out;
	if (!out)
		return NULL;
	for (p++; p < end - 1; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		switch (*++p) {
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			if (end - 1 - p > 4) {
				char hex[5] = {p[1], p[2], p[3], p[4], 0};
				long v = strtol(hex, NULL, 16);
				*o++ = v > 0 && v < 0x80 ? (char)v : '?';
				p += 4;
			}
			break;
		default:
			*o++ = *p; /* \" \\ \/ */
		}
	}
	*o = 0;
	return out;
}

bool json_member(const char *obj, const char *key, const char **val, size_t *len)
{
	const char *p = ws(obj);
	if (*p++ != '{')
		return false;
	size_t klen = strlen(key);
	for (;;) {
		p = ws(p);
		if (*p != '"')
			return false;
		const char *kend = skip_string(p);
		if (!kend)
			return false;
		bool match = (size_t)(kend - p - 2) == klen && memcmp(p + 1, key, klen) == 0;
		p = ws(kend);
		if (*p++ != ':')
			return false;
		p = ws(p);
		const char *vend = skip_value(p);
		if (!vend)
			return false;
		if (match) {
			*val = p;
			*len = (size_t)(vend - p);
			return true;
		}
		p = ws(vend);
		if (*p++ != ',')
			return false;
	}
}

bool json_int(const char *obj, const char *key, int64_t *out)
{
	const char *v;
	size_t n;
	if (!json_member(obj, key, &v, &n) || n == 0 || n > 20)
		return false;
	char buf[24], *end;
	memcpy(buf, v, n);
	buf[n] = 0;
	*out = strtoll(buf, &end, 10);
	return *end == 0;
}

char *json_str(const char *obj, const char *key)
{
	const char *v;
	size_t n;
	return json_member(obj, key, &v, &n) && *v == '"' ? decode(v) : NULL;
}

bool json_next(const char **p, const char **val, size_t *len)
{
	const char *q = ws(*p);
	if (*q == '[' || *q == ',')
		q = ws(q + 1);
	if (*q == ']' || !*q)
		return false;
	const char *end = skip_value(q);
	if (!end)
		return false;
	*val = q;
	*len = (size_t)(end - q);
	*p = end;
	return true;
}

char *json_strs_joined(const char *obj, const char *key)
{
	const char *v, *el;
	size_t n, elen;
	if (!json_member(obj, key, &v, &n) || *v != '[')
		return NULL;
	char *out = calloc(n + 1, 1); /* decoded text is never longer */
	if (!out)
		return NULL;
	for (const char *p = v; json_next(&p, &el, &elen);) {
		char *s = *el == '"' ? decode(el) : NULL;
		if (s) {
			if (*out)
				strcat(out, " ");
			strcat(out, s);
		}
		free(s);
	}
	return out;
}
