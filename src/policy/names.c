/* SPDX-License-Identifier: Apache-2.0 */
/* names.c - what a sandbox name and an environment key may be (see names.h). */
#include "names.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "policy.h"
#include "util.h"

/* At most this many bytes of a refused value are quoted in a message. */
#define QUOTE_MAX 64u

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* Appends byte c to out as C would write it in a string literal: \t, \n,
 * \r, \\ and \xNN for the other control bytes and for every byte above
 * ASCII (a refused value may be invalid UTF-8 or drive a terminal), else
 * the byte itself. */
static void append_escaped(char *out, size_t size, unsigned char c)
{
	size_t len = strlen(out);
	const char *named = NULL;

	switch (c) {
	case '\t':
		named = "\\t";
		break;
	case '\n':
		named = "\\n";
		break;
	case '\r':
		named = "\\r";
		break;
	case '\\':
		named = "\\\\";
		break;
	}
	if (named)
		snprintf(out + len, size - len, "%s", named);
	else if (is_control(c) || c >= 0x80)
		snprintf(out + len, size - len, "\\x%02x", c);
	else
		snprintf(out + len, size - len, "%c", c);
}

/* The first QUOTE_MAX bytes of s, escaped, "..." when s is longer. */
static void quote(char out[QUOTE_MAX * 4 + 4], const char *s)
{
	out[0] = 0;
	size_t i;
	for (i = 0; i < QUOTE_MAX && s[i]; i++)
		append_escaped(out, QUOTE_MAX * 4 + 4, (unsigned char)s[i]);
	if (s[i])
		strcat(out, "...");
}

/* Records "<what> '<s>': <kind> '<byte>' at position <i + 1><tail>". */
static int refuse_byte(const char *what, const char *s, size_t i, const char *kind,
		       const char *tail)
{
	char q[QUOTE_MAX * 4 + 4], bad[8] = "";
	quote(q, s);
	append_escaped(bad, sizeof(bad), (unsigned char)s[i]);
	return sl_errorf(EINVAL, "%s '%s': %s '%s' at position %zu%s", what, q, kind, bad, i + 1,
			 tail);
}

static bool name_char(unsigned char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return !first && (c == '-' || c == '_' || c == '.');
}

int names_check_sandbox(const char *name)
{
	static const char rule[] =
	    " (a sandbox name is 1 to 64 ASCII letters, digits, '.', '_' and '-', starting "
	    "with a letter or digit: it becomes the hostname and a file name)";

	if (!name || !*name)
		return sl_errorf(EINVAL, "invalid sandbox name: must not be empty");
	if (strnlen(name, SL_NAME_MAX + 1) > SL_NAME_MAX)
		return sl_errorf(EINVAL, "invalid sandbox name: longer than %u bytes", SL_NAME_MAX);
	for (size_t i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];
		if (name_char(c, i == 0))
			continue;
		const char *kind = is_control(c) ? "control character"
				   : c >= 0x80	 ? "non-ASCII byte"
						 : "character";
		return refuse_byte("invalid sandbox name", name, i, kind, rule);
	}
	return 0;
}

int names_check_env_key(const char *key)
{
	if (!*key)
		return sl_errorf(EINVAL, "env: invalid variable name '': must not be empty");
	size_t len = strlen(key);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)key[i];
		if (c == '=')
			return refuse_byte("env: invalid variable name", key, i, "character", "");
		/* a newline in a name would forge a second variable for
		 * whatever prints or parses the environment line by line */
		if (is_control(c))
			return refuse_byte("env: invalid variable name", key, i,
					   "control character", "");
	}
	if (!sl_utf8_valid(key, len)) {
		char q[QUOTE_MAX * 4 + 4];
		quote(q, key);
		return sl_errorf(EINVAL, "env: invalid variable name '%s': not valid UTF-8", q);
	}
	return 0;
}
