/* SPDX-License-Identifier: Apache-2.0 */
/*
 * toml.h - a small strict TOML reader for sandlock's profiles: the subset
 * of TOML 1.0 they need, with TOML 1.0's meaning, and a refusal with
 * "<name>:<line>:<col>: <what>" for everything else.
 *
 * Taken:
 *   - comments; bare keys ([A-Za-z0-9_-]+) and quoted keys ("..." and
 *     '...'); standard tables [name] one level deep; key = value;
 *   - basic strings with the escapes \b \t \n \f \r \" \\ \uXXXX
 *     \UXXXXXXXX (a Unicode scalar value, U+0000 excepted), literal
 *     strings, multi-line basic """...""" (a backslash ending a line eats
 *     the white space and newlines after it) and literal '''...''' strings
 *     (a newline right after the opening delimiter is dropped; CRLF inside
 *     becomes LF);
 *   - integers: decimal with an optional sign, 0x, 0o and 0b (no sign),
 *     '_' between digits only, no leading zero, within int64_t;
 *   - true and false; arrays (any mix of types, newlines, comments and a
 *     trailing comma inside); inline tables (on one line, no trailing comma).
 *
 * Refused: floats (inf and nan too), dates and times, arrays of tables
 * [[x]], dotted keys and nested table names [a.b], a key twice in a table,
 * a table defined twice or over a key, a key or string left unterminated,
 * anything after a value on its line, bytes that are not UTF-8 (overlong
 * forms and surrogates included) anywhere, a NUL byte, a CR not followed
 * by LF, control characters (but tab) in strings and comments.
 *
 * Limits: a document of at most TOML_DOC_MAX bytes, strings (and keys) of
 * at most TOML_STR_MAX bytes once decoded, at most TOML_DEPTH_MAX nested
 * tables and arrays (a [table] counts as one); past them -E2BIG.
 *
 * Columns count characters (code points) from 1; a tab is one column.
 * Pure: no I/O (the caller reads the file), no globals, libc only.
 */
#ifndef SL_TOML_H
#define SL_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TOML_DOC_MAX   (1024 * 1024)
#define TOML_STR_MAX   (64 * 1024)
#define TOML_DEPTH_MAX 16

enum toml_type { TOML_STRING, TOML_INT, TOML_BOOL, TOML_ARRAY, TOML_TABLE };

struct toml_value;

/* A key and its value; line and col are the key's. */
struct toml_kv {
	char *key;
	struct toml_value *val;
	unsigned line, col;
};

struct toml_value {
	enum toml_type type;
	unsigned line, col; /* where the value starts (1-based); a [table]: its '[' */
	union {
		/* valid UTF-8, NUL-terminated too (never holds a NUL) */
		struct {
			char *s;
			size_t len;
		} str;
		int64_t i;
		bool b;
		struct {
			struct toml_value **v;
			size_t n;
		} arr;
		/* in document order; no key twice */
		struct {
			struct toml_kv *kv;
			size_t n;
		} tab;
	};
};

/* Parses text[0..len), a document: its root table.  name is the file name
 * for messages (NULL: "<toml>").  Returns 0 with *root set (free it with
 * toml_free), or -EINVAL (not TOML, or TOML this reader refuses), -E2BIG
 * (a limit passed) or -ENOMEM, with *root NULL and the message
 * "<name>:<line>:<col>: <what>" in err (cut to errlen bytes, NUL
 * included; err may be NULL when errlen is 0). */
int toml_parse(const char *text, size_t len, const char *name, struct toml_value **root, char *err,
	       size_t errlen);

/* Frees a value and everything in it.  Accepts NULL. */
void toml_free(struct toml_value *v);

/* The value of key in table, or NULL (no such key, or table is NULL or not
 * a table). */
const struct toml_value *toml_get(const struct toml_value *table, const char *key);

/* "string", "integer", "boolean", "array", "table" ("?" for another value). */
const char *toml_type_name(enum toml_type t);

/* Writes s as a TOML basic string (quoted; ", \\ and control bytes
 * escaped). */
void toml_quote(FILE *out, const char *s);

#endif
