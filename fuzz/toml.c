/* SPDX-License-Identifier: Apache-2.0 */
/* toml.c - the TOML reader: no crash, no leak.  A refusal has a message
 * "t.toml:<line>:<col>: <what>" at a place inside the input; an accepted
 * document is well-formed (strings and keys valid UTF-8 without NUL within
 * the limits, arrays and tables consistent, no key twice in a table,
 * nesting within the limit, every place inside the input); parsing is
 * deterministic; an accepted document with a newline added parses the same. */
#include <errno.h>
#include <stdbool.h>

#include "fuzz.h"
#include "toml.h"

/* Strict UTF-8 (no overlong form, no surrogate, nothing past U+10FFFF),
 * decoded by value rather than by the parser's byte ranges. */
static bool utf8_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], k, cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			k = 2, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			k = 3, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			k = 4, cp = c & 0x07;
		else
			return false;
		if (n - i < k)
			return false;
		for (unsigned j = 1; j < k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < min[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k;
	}
	return true;
}

static void check_text(const char *s, size_t n)
{
	FUZZ_ASSERT(s && s[n] == 0 && strlen(s) == n && n <= TOML_STR_MAX);
	FUZZ_ASSERT(utf8_ok((const unsigned char *)s, n));
}

/* A value's tree, nested at most depth more levels; lines at most lines. */
static void check_value(const struct toml_value *v, int depth, unsigned lines)
{
	FUZZ_ASSERT(v && v->line >= 1 && v->line <= lines && v->col >= 1);
	switch (v->type) {
	case TOML_STRING:
		check_text(v->str.s, v->str.len);
		break;
	case TOML_INT:
	case TOML_BOOL:
		break;
	case TOML_ARRAY:
		FUZZ_ASSERT(depth >= 1 && (v->arr.n == 0 || v->arr.v));
		for (size_t i = 0; i < v->arr.n; i++)
			check_value(v->arr.v[i], depth - 1, lines);
		break;
	case TOML_TABLE:
		FUZZ_ASSERT(depth >= 1 && (v->tab.n == 0 || v->tab.kv));
		for (size_t i = 0; i < v->tab.n; i++) {
			const struct toml_kv *kv = &v->tab.kv[i];
			check_text(kv->key, strlen(kv->key));
			FUZZ_ASSERT(kv->line >= 1 && kv->line <= lines && kv->col >= 1);
			/* the first value of a key is its only one */
			if (v->tab.n <= 2000)
				FUZZ_ASSERT(toml_get(v, kv->key) == kv->val);
			check_value(kv->val, depth - 1, lines);
		}
		break;
	default:
		FUZZ_ASSERT(!"a type out of the enum");
	}
}

static bool same(const struct toml_value *a, const struct toml_value *b)
{
	if (a->type != b->type || a->line != b->line || a->col != b->col)
		return false;
	switch (a->type) {
	case TOML_STRING:
		return a->str.len == b->str.len && !memcmp(a->str.s, b->str.s, a->str.len);
	case TOML_INT:
		return a->i == b->i;
	case TOML_BOOL:
		return a->b == b->b;
	case TOML_ARRAY:
		if (a->arr.n != b->arr.n)
			return false;
		for (size_t i = 0; i < a->arr.n; i++)
			if (!same(a->arr.v[i], b->arr.v[i]))
				return false;
		return true;
	case TOML_TABLE:
		if (a->tab.n != b->tab.n)
			return false;
		for (size_t i = 0; i < a->tab.n; i++) {
			const struct toml_kv *x = &a->tab.kv[i], *y = &b->tab.kv[i];
			if (strcmp(x->key, y->key) || x->line != y->line || x->col != y->col ||
			    !same(x->val, y->val))
				return false;
		}
		return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct toml_value *r1, *r2;
	char e1[256], e2[256];
	unsigned lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += text[i] == '\n';

	int rc = toml_parse(text, size, "t.toml", &r1, e1, sizeof(e1));
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -E2BIG || rc == -ENOMEM);
	int rc2 = toml_parse(text, size, "t.toml", &r2, e2, sizeof(e2));
	FUZZ_ASSERT(rc2 == rc && !strcmp(e1, e2));
	if (rc) {
		unsigned line = 0, col = 0;
		int end = 0;
		FUZZ_ASSERT(!r1 && !r2);
		FUZZ_ASSERT(sscanf(e1, "t.toml:%u:%u: %n", &line, &col, &end) == 2 && end > 0);
		FUZZ_ASSERT(line >= 1 && line <= lines && col >= 1 && e1[end]);
		return 0;
	}
	FUZZ_ASSERT(r1 && r1->type == TOML_TABLE && !e1[0]);
	check_value(r1, TOML_DEPTH_MAX + 1, lines);
	FUZZ_ASSERT(same(r1, r2));
	toml_free(r2);

	/* a document may end without a newline: one more changes nothing */
	if (size < TOML_DOC_MAX) {
		char *t = malloc(size + 1);
		if (t) {
			memcpy(t, data, size);
			t[size] = '\n';
			FUZZ_ASSERT(toml_parse(t, size + 1, "t.toml", &r2, e2, sizeof(e2)) == 0);
			FUZZ_ASSERT(same(r1, r2));
			toml_free(r2);
			free(t);
		}
	}
	toml_free(r1);
	return 0;
}
