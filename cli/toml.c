/* SPDX-License-Identifier: Apache-2.0 */
/* toml.c - a small strict TOML reader for profiles (see toml.h). */
#include "toml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A place in the document. */
struct mark {
	size_t pos;
	unsigned line, col;
};

struct parser {
	const char *s;
	size_t len;
	struct mark at; /* the next byte */
	const char *name;
	char *err;
	size_t errlen;
};

/* A table being filled: its value, the room in its kv array, and an index
 * of its keys (open addressing; a slot holds a kv index + 1) so that a
 * table of many keys is checked for duplicates in linear time. */
struct tbuild {
	struct toml_value *t;
	size_t cap;
	uint32_t *slot;
	size_t nslot;
	bool *hdr; /* per kv: made by a [table] header (the root only) */
};

/* A string being decoded. */
struct sbuf {
	char *p;
	size_t n, cap;
};

__attribute__((format(printf, 4, 5))) static int fail(struct parser *p, struct mark m, int err,
						      const char *fmt, ...)
{
	if (!p->err || !p->errlen)
		return err;
	int n = snprintf(p->err, p->errlen, "%s:%u:%u: ", p->name, m.line, m.col);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return err;
}

static int oom(struct parser *p)
{
	return fail(p, p->at, -ENOMEM, "out of memory");
}

/* The byte k ahead, or -1 past the end. */
static int peek(const struct parser *p, size_t k)
{
	size_t i = p->at.pos + k;
	return i < p->len ? (unsigned char)p->s[i] : -1;
}

/* Moves one byte on.  The document is valid UTF-8 by then: a character's
 * column is counted once its last byte is passed. */
static void adv(struct parser *p)
{
	unsigned char c = (unsigned char)p->s[p->at.pos++];
	if (c == '\n') {
		p->at.line++;
		p->at.col = 1;
	} else if (p->at.pos >= p->len || ((unsigned char)p->s[p->at.pos] & 0xc0) != 0x80) {
		p->at.col++;
	}
}

static void advn(struct parser *p, size_t n)
{
	while (n--)
		adv(p);
}

/* At LF or CRLF (a lone CR was refused before parsing)? */
static bool at_nl(const struct parser *p)
{
	int c = peek(p, 0);
	return c == '\n' || (c == '\r' && peek(p, 1) == '\n');
}

static void skip_nl(struct parser *p)
{
	if (peek(p, 0) == '\r')
		adv(p);
	adv(p);
}

static void skip_ws(struct parser *p)
{
	while (peek(p, 0) == ' ' || peek(p, 0) == '\t')
		adv(p);
}

static bool is_ctl(int c)
{
	return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

static bool is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* The length of the UTF-8 sequence at s[0..n) (1 to 4), or 0 when it is
 * not one: overlong forms, surrogates and code points past U+10FFFF too. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t k;
	unsigned char lo = 0x80, hi = 0xbf;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		k = 2;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong */
	else if (c == 0xed)
		hi = 0x9f; /* surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong */
	else if (c == 0xf4)
		hi = 0x8f; /* past U+10FFFF */
	if (n < k || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return k;
}

/* The whole document's bytes, before any parsing: UTF-8, no NUL, CR only
 * before LF.  So the parser never meets a byte it must doubt, and every
 * message about bytes has its place. */
static int check_bytes(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->s;
	struct mark m = p->at;
	for (size_t i = m.pos; i < p->len;) {
		m.pos = i;
		size_t k = utf8_len(s + i, p->len - i);
		if (!k)
			return fail(p, m, -EINVAL, "invalid UTF-8 (byte 0x%02x)", s[i]);
		if (s[i] == 0)
			return fail(p, m, -EINVAL, "NUL byte");
		if (s[i] == '\r' && (i + 1 >= p->len || s[i + 1] != '\n'))
			return fail(p, m, -EINVAL, "carriage return not followed by a line feed");
		if (s[i] == '\n') {
			m.line++;
			m.col = 1;
		} else {
			m.col++;
		}
		i += k;
	}
	return 0;
}

/* Describes the character at the parser's place for a message. */
static const char *describe(const struct parser *p, char *buf, size_t n)
{
	int c = peek(p, 0);
	if (c < 0)
		return "the end of the document";
	if (c == '\n' || c == '\r')
		return "the end of the line";
	if (c > 0x20 && c < 0x7f) {
		snprintf(buf, n, "'%c'", c);
		return buf;
	}
	const unsigned char *s = (const unsigned char *)p->s + p->at.pos;
	size_t k = utf8_len(s, p->len - p->at.pos);
	uint32_t cp = k == 1 ? s[0] : s[0] & (0x7f >> k);
	for (size_t i = 1; i < k; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	snprintf(buf, n, "U+%04X", (unsigned)cp);
	return buf;
}

/* A key for a message: control characters escaped, cut (on a character
 * boundary) when long. */
static const char *show_key(const char *key, char *buf, size_t n)
{
	size_t o = 0;
	for (const unsigned char *k = (const unsigned char *)key; *k && o + 8 < n; k++) {
		if (o + 12 >= n && (*k & 0xc0) != 0x80) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (*k < 0x20 || *k == 0x7f)
			o += (size_t)snprintf(buf + o, n - o, "\\x%02x", *k);
		else
			buf[o++] = (char)*k;
	}
	buf[o] = 0;
	return buf;
}

/* ---- values ---------------------------------------------------------------- */

static struct toml_value *new_value(enum toml_type type, struct mark m)
{
	struct toml_value *v = calloc(1, sizeof(*v));
	if (v) {
		v->type = type;
		v->line = m.line;
		v->col = m.col;
	}
	return v;
}

void toml_free(struct toml_value *v)
{
	if (!v)
		return;
	switch (v->type) {
	case TOML_STRING:
		free(v->str.s);
		break;
	case TOML_ARRAY:
		for (size_t i = 0; i < v->arr.n; i++)
			toml_free(v->arr.v[i]);
		free(v->arr.v);
		break;
	case TOML_TABLE:
		for (size_t i = 0; i < v->tab.n; i++) {
			free(v->tab.kv[i].key);
			toml_free(v->tab.kv[i].val);
		}
		free(v->tab.kv);
		break;
	default:
		break;
	}
	free(v);
}

const struct toml_value *toml_get(const struct toml_value *table, const char *key)
{
	if (!table || table->type != TOML_TABLE || !key)
		return NULL;
	for (size_t i = 0; i < table->tab.n; i++)
		if (!strcmp(table->tab.kv[i].key, key))
			return table->tab.kv[i].val;
	return NULL;
}

const char *toml_type_name(enum toml_type t)
{
	switch (t) {
	case TOML_STRING:
		return "string";
	case TOML_INT:
		return "integer";
	case TOML_BOOL:
		return "boolean";
	case TOML_ARRAY:
		return "array";
	case TOML_TABLE:
		return "table";
	}
	return "?";
}

/* ---- tables being filled ------------------------------------------------- */

static uint32_t hash_key(const char *k)
{
	uint32_t h = 2166136261u;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 16777619u;
	return h;
}

static void tb_init(struct tbuild *b, struct toml_value *t)
{
	memset(b, 0, sizeof(*b));
	b->t = t;
}

static void tb_done(struct tbuild *b)
{
	free(b->slot);
	free(b->hdr);
	memset(b, 0, sizeof(*b));
}

/* The index of key in the table, or -1. */
static long tb_find(const struct tbuild *b, const char *key)
{
	if (!b->nslot)
		return -1;
	for (size_t i = hash_key(key) & (b->nslot - 1);; i = (i + 1) & (b->nslot - 1)) {
		uint32_t s = b->slot[i];
		if (!s)
			return -1;
		if (!strcmp(b->t->tab.kv[s - 1].key, key))
			return (long)s - 1;
	}
}

static void tb_index(struct tbuild *b, size_t idx)
{
	size_t i = hash_key(b->t->tab.kv[idx].key) & (b->nslot - 1);
	while (b->slot[i])
		i = (i + 1) & (b->nslot - 1);
	b->slot[i] = (uint32_t)idx + 1;
}

/* Appends key = val (both taken, freed on failure).  0 or -ENOMEM. */
static int tb_add(struct tbuild *b, char *key, struct toml_value *val, struct mark km, bool hdr)
{
	struct toml_value *t = b->t;
	if (t->tab.n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		struct toml_kv *kv = realloc(t->tab.kv, cap * sizeof(*kv));
		if (kv)
			t->tab.kv = kv;
		bool *h = kv ? realloc(b->hdr, cap * sizeof(*h)) : NULL;
		if (!h)
			goto nomem;
		b->hdr = h;
		b->cap = cap;
	}
	if ((t->tab.n + 1) * 2 > b->nslot) {
		size_t nslot = b->nslot ? b->nslot * 2 : 16;
		uint32_t *slot = calloc(nslot, sizeof(*slot));
		if (!slot)
			goto nomem;
		free(b->slot);
		b->slot = slot;
		b->nslot = nslot;
		for (size_t i = 0; i < t->tab.n; i++)
			tb_index(b, i);
	}
	t->tab.kv[t->tab.n] = (struct toml_kv){key, val, km.line, km.col};
	b->hdr[t->tab.n] = hdr;
	tb_index(b, t->tab.n++);
	return 0;
nomem:
	free(key);
	toml_free(val);
	return -ENOMEM;
}

/* ---- strings --------------------------------------------------------------- */

/* Appends n bytes.  0, -E2BIG (past TOML_STR_MAX) or -ENOMEM. */
static int sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (n > TOML_STR_MAX - b->n)
		return -E2BIG;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 32;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (!q)
			return -ENOMEM;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
	return 0;
}

/* The message of an sb_put failure for the string that starts at m. */
static int sb_fail(struct parser *p, struct mark m, int e)
{
	if (e == -E2BIG)
		return fail(p, m, e, "string longer than %d bytes", TOML_STR_MAX);
	return fail(p, m, e, "out of memory");
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* An escape at the backslash: its bytes appended. */
static int parse_escape(struct parser *p, struct sbuf *b, struct mark start)
{
	struct mark m = p->at;
	char c;
	adv(p);
	int e = peek(p, 0);
	switch (e) {
	case 'b':
		c = '\b';
		break;
	case 't':
		c = '\t';
		break;
	case 'n':
		c = '\n';
		break;
	case 'f':
		c = '\f';
		break;
	case 'r':
		c = '\r';
		break;
	case '"':
	case '\\':
		c = (char)e;
		break;
	case 'u':
	case 'U': {
		int digits = e == 'u' ? 4 : 8;
		uint32_t cp = 0;
		adv(p);
		for (int i = 0; i < digits; i++) {
			int h = hexval(peek(p, 0));
			if (h < 0)
				return fail(p, m, -EINVAL, "\\%c needs %d hex digits", e, digits);
			cp = cp << 4 | (uint32_t)h;
			adv(p);
		}
		if (cp == 0)
			return fail(p, m, -EINVAL,
				    "\\%c escape of U+0000: NUL is not allowed in a string", e);
		if (cp >= 0xd800 && cp <= 0xdfff)
			return fail(p, m, -EINVAL, "\\%c escape of a surrogate (U+%04X)", e,
				    (unsigned)cp);
		if (cp > 0x10ffff)
			return fail(p, m, -EINVAL, "\\%c escape past U+10FFFF", e);
		char u[4];
		size_t n;
		if (cp < 0x80) {
			u[0] = (char)cp;
			n = 1;
		} else if (cp < 0x800) {
			u[0] = (char)(0xc0 | cp >> 6);
			u[1] = (char)(0x80 | (cp & 0x3f));
			n = 2;
		} else if (cp < 0x10000) {
			u[0] = (char)(0xe0 | cp >> 12);
			u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
			u[2] = (char)(0x80 | (cp & 0x3f));
			n = 3;
		} else {
			u[0] = (char)(0xf0 | cp >> 18);
			u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
			u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
			u[3] = (char)(0x80 | (cp & 0x3f));
			n = 4;
		}
		int r = sb_put(b, u, n);
		return r ? sb_fail(p, start, r) : 0;
	}
	default: {
		char d[16];
		return fail(p, m, -EINVAL, "invalid escape: backslash before %s",
			    describe(p, d, sizeof(d)));
	}
	}
	adv(p);
	int r = sb_put(b, &c, 1);
	return r ? sb_fail(p, start, r) : 0;
}

/* In a multi-line basic string at a backslash: if only white space follows
 * it on its line, skips the backslash, that white space, the newline and
 * all white space and newlines after it (TOML's line-ending backslash) and
 * returns true. */
static bool line_ending_backslash(struct parser *p)
{
	size_t k = 1;
	while (peek(p, k) == ' ' || peek(p, k) == '\t')
		k++;
	if (peek(p, k) != '\n' && !(peek(p, k) == '\r' && peek(p, k + 1) == '\n'))
		return false;
	adv(p);
	/* a CR is always followed by LF here (check_bytes) */
	for (int c = peek(p, 0); c == ' ' || c == '\t' || c == '\n' || c == '\r'; c = peek(p, 0))
		adv(p);
	return true;
}

/* A string at its opening quote (q is '"' or '\''), single-line or
 * multi-line (a key only single-line); its decoded bytes in *b. */
static int parse_string(struct parser *p, struct sbuf *b, bool key_only)
{
	struct mark start = p->at;
	char q = p->s[start.pos];
	bool basic = q == '"', multi = peek(p, 1) == q && peek(p, 2) == q;
	const char *kind = basic ? (multi ? "multi-line string" : "string")
				 : (multi ? "multi-line literal string" : "literal string");
	if (multi && key_only)
		return fail(p, start, -EINVAL, "a key cannot be a multi-line string");
	advn(p, multi ? 3 : 1);
	if (multi && at_nl(p))
		skip_nl(p);
	b->n = 0;
	int r = sb_put(b, "", 0);
	if (r)
		return sb_fail(p, start, r);
	for (;;) {
		int c = peek(p, 0);
		if (c < 0 || (!multi && at_nl(p)))
			return fail(p, start, -EINVAL, "unterminated %s", kind);
		if (c == q) {
			if (!multi) {
				adv(p);
				return 0;
			}
			size_t run = 0;
			while (peek(p, run) == q)
				run++;
			if (run >= 3) {
				/* up to two quotes before the closing three are content */
				if (run > 5)
					return fail(p, p->at, -EINVAL,
						    "too many quotes in a row in a %s", kind);
				r = sb_put(b, p->s + p->at.pos, run - 3);
				if (r)
					return sb_fail(p, start, r);
				advn(p, run);
				return 0;
			}
			r = sb_put(b, p->s + p->at.pos, run);
			advn(p, run);
		} else if (c == '\\' && basic) {
			if (multi && line_ending_backslash(p))
				continue;
			if ((r = parse_escape(p, b, start)))
				return r;
		} else if (multi && at_nl(p)) {
			skip_nl(p);
			r = sb_put(b, "\n", 1);
		} else if (is_ctl(c)) {
			char d[16];
			return fail(p, p->at, -EINVAL, "control character %s in a %s",
				    describe(p, d, sizeof(d)), kind);
		} else {
			r = sb_put(b, p->s + p->at.pos, 1);
			adv(p);
		}
		if (r)
			return sb_fail(p, start, r);
	}
}

/* ---- keys ------------------------------------------------------------------ */

/* A bare or quoted key: *key malloc'd, *km where it starts. */
static int parse_key(struct parser *p, char **key, struct mark *km)
{
	*km = p->at;
	int c = peek(p, 0);
	if (c == '"' || c == '\'') {
		struct sbuf b = {0};
		int r = parse_string(p, &b, true);
		if (r) {
			free(b.p);
			return r;
		}
		*key = b.p;
		return 0;
	}
	if (!is_bare(c)) {
		char d[16];
		return fail(p, p->at, -EINVAL, "expected a key, found %s",
			    describe(p, d, sizeof(d)));
	}
	size_t n = 0;
	while (is_bare(peek(p, n)))
		n++;
	if (n > TOML_STR_MAX)
		return fail(p, p->at, -E2BIG, "key longer than %d bytes", TOML_STR_MAX);
	*key = strndup(p->s + p->at.pos, n);
	if (!*key)
		return oom(p);
	advn(p, n);
	return 0;
}

/* ---- scalars ------------------------------------------------------------- */

static bool is_token(int c)
{
	return is_bare(c) || c == '+' || c == '.' || c == ':';
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Digits of base in t[0..n), '_' only between two digits, into *v up to
 * max.  0, or -EINVAL with *why. */
static int parse_digits(const char *t, size_t n, unsigned base, uint64_t max, uint64_t *v,
			const char **why)
{
	*v = 0;
	if (!n) {
		*why = "invalid integer: no digits";
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '_') {
			if (i == 0 || i + 1 == n || t[i - 1] == '_' || t[i + 1] == '_') {
				*why = "invalid integer: '_' must be between two digits";
				return -EINVAL;
			}
			continue;
		}
		int d = hexval(t[i]);
		if (d < 0 || (unsigned)d >= base) {
			*why = "invalid integer";
			return -EINVAL;
		}
		if (*v > (max - (unsigned)d) / base) {
			*why = "integer out of range (64-bit signed)";
			return -EINVAL;
		}
		*v = *v * base + (unsigned)d;
	}
	return 0;
}

/* Is t[0..n) a date or a time ("1979-05-27...", "07:32...")? */
static bool looks_like_date(const char *t, size_t n)
{
	if (n >= 5 && is_digit(t[0]) && is_digit(t[1]) && is_digit(t[2]) && is_digit(t[3]) &&
	    t[4] == '-')
		return true;
	return n >= 3 && is_digit(t[0]) && is_digit(t[1]) && t[2] == ':';
}

/* Skips digits and '_' in t[*i..n); whether there was one. */
static bool skip_digits(const char *t, size_t n, size_t *i)
{
	size_t from = *i;
	while (*i < n && (is_digit(t[*i]) || t[*i] == '_'))
		(*i)++;
	return *i > from;
}

/* Is t[0..n) (without its sign) shaped as a float: digits, then a fraction
 * or an exponent or both? */
static bool looks_like_float(const char *t, size_t n)
{
	size_t i = 0;
	bool frac = false, exp = false;
	if (!skip_digits(t, n, &i))
		return false;
	if (i < n && t[i] == '.') {
		i++;
		if (!skip_digits(t, n, &i))
			return false;
		frac = true;
	}
	if (i < n && (t[i] == 'e' || t[i] == 'E')) {
		i++;
		if (i < n && (t[i] == '+' || t[i] == '-'))
			i++;
		if (!skip_digits(t, n, &i))
			return false;
		exp = true;
	}
	return i == n && (frac || exp);
}

/* A boolean or an integer (or a float or date, refused) at the parser's
 * place. */
static int parse_scalar(struct parser *p, struct toml_value **out)
{
	struct mark m = p->at;
	const char *t = p->s + m.pos;
	size_t n = 0;
	while (is_token(peek(p, n)))
		n++;
	bool neg = n && t[0] == '-', sign = neg || (n && t[0] == '+');
	const char *d = t + sign;
	size_t dn = n - sign;
	if (dn == 3 && (!memcmp(d, "inf", 3) || !memcmp(d, "nan", 3)))
		return fail(p, m, -EINVAL, "floats are not supported here");
	if ((n == 4 && !memcmp(t, "true", 4)) || (n == 5 && !memcmp(t, "false", 5))) {
		if (!(*out = new_value(TOML_BOOL, m)))
			return oom(p);
		(*out)->b = n == 4;
		advn(p, n);
		return 0;
	}
	if (!n) {
		char c[16];
		return fail(p, m, -EINVAL, "expected a value, found %s", describe(p, c, sizeof(c)));
	}
	if (!sign && !is_digit(t[0]))
		return fail(p, m, -EINVAL, "expected a value, found '%.*s%s' (strings need quotes)",
			    (int)(n > 32 ? 32 : n), t, n > 32 ? "..." : "");
	if (looks_like_date(t, n))
		return fail(p, m, -EINVAL, "dates and times are not supported here");
	if (looks_like_float(d, dn))
		return fail(p, m, -EINVAL, "floats are not supported here");
	unsigned base = 10;
	if (dn >= 2 && d[0] == '0' && (d[1] == 'x' || d[1] == 'o' || d[1] == 'b')) {
		if (sign)
			return fail(p, m, -EINVAL, "invalid integer: no sign before 0%c", d[1]);
		base = d[1] == 'x' ? 16 : d[1] == 'o' ? 8 : 2;
		d += 2;
		dn -= 2;
	} else if (dn >= 2 && d[0] == '0' && (is_digit(d[1]) || d[1] == '_')) {
		return fail(p, m, -EINVAL, "invalid integer: leading zeros are not allowed");
	}
	uint64_t v;
	const char *why;
	if (parse_digits(d, dn, base, neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX, &v, &why))
		return fail(p, m, -EINVAL, "%s", why);
	if (!(*out = new_value(TOML_INT, m)))
		return oom(p);
	(*out)->i = neg ? (int64_t)(0 - v) : (int64_t)v;
	advn(p, n);
	return 0;
}

/* ---- arrays and inline tables -------------------------------------------- */

static int parse_value(struct parser *p, int depth, struct toml_value **out);
static int parse_kv(struct parser *p, struct tbuild *b, int depth);

/* A comment at '#' up to its line's end (not included). */
static int skip_comment(struct parser *p)
{
	adv(p);
	while (peek(p, 0) >= 0 && !at_nl(p)) {
		if (is_ctl(peek(p, 0))) {
			char d[16];
			return fail(p, p->at, -EINVAL, "control character %s in a comment",
				    describe(p, d, sizeof(d)));
		}
		adv(p);
	}
	return 0;
}

/* White space, newlines and comments (inside an array). */
static int skip_blank(struct parser *p)
{
	for (;;) {
		skip_ws(p);
		if (peek(p, 0) == '#') {
			int r = skip_comment(p);
			if (r)
				return r;
		} else if (at_nl(p)) {
			skip_nl(p);
		} else {
			return 0;
		}
	}
}

static int open_container(struct parser *p, enum toml_type type, int depth, struct toml_value **out)
{
	if (depth > TOML_DEPTH_MAX)
		return fail(p, p->at, -E2BIG, "nested deeper than %d tables and arrays",
			    TOML_DEPTH_MAX);
	if (!(*out = new_value(type, p->at)))
		return oom(p);
	adv(p);
	return 0;
}

/* An array at its '['; depth is its own. */
static int parse_array(struct parser *p, int depth, struct toml_value **out)
{
	struct mark m = p->at;
	struct toml_value *a;
	size_t cap = 0;
	int r = open_container(p, TOML_ARRAY, depth, &a);
	if (r)
		return r;
	for (;;) {
		if ((r = skip_blank(p)))
			goto err;
		if (peek(p, 0) == ']')
			break;
		if (peek(p, 0) < 0)
			goto unterminated;
		struct toml_value *v;
		if ((r = parse_value(p, depth, &v)))
			goto err;
		if (a->arr.n == cap) {
			cap = cap ? cap * 2 : 4;
			struct toml_value **nv = realloc(a->arr.v, cap * sizeof(*nv));
			if (!nv) {
				toml_free(v);
				r = oom(p);
				goto err;
			}
			a->arr.v = nv;
		}
		a->arr.v[a->arr.n++] = v;
		if ((r = skip_blank(p)))
			goto err;
		if (peek(p, 0) == ',') {
			adv(p);
		} else if (peek(p, 0) == ']') {
			break;
		} else if (peek(p, 0) < 0) {
			goto unterminated;
		} else {
			char d[16];
			r = fail(p, p->at, -EINVAL, "expected ',' or ']' in an array, found %s",
				 describe(p, d, sizeof(d)));
			goto err;
		}
	}
	adv(p);
	*out = a;
	return 0;
unterminated:
	r = fail(p, m, -EINVAL, "unterminated array");
err:
	toml_free(a);
	return r;
}

/* An inline table at its '{'; depth is its own. */
static int parse_inline(struct parser *p, int depth, struct toml_value **out)
{
	struct mark m = p->at;
	struct toml_value *t;
	struct tbuild b;
	int r = open_container(p, TOML_TABLE, depth, &t);
	if (r)
		return r;
	tb_init(&b, t);
	skip_ws(p);
	if (peek(p, 0) == '}')
		goto done;
	for (;;) {
		if (peek(p, 0) < 0)
			goto unterminated;
		if (at_nl(p))
			goto newline;
		if ((r = parse_kv(p, &b, depth)))
			goto err;
		skip_ws(p);
		int c = peek(p, 0);
		if (c == ',') {
			adv(p);
			skip_ws(p);
			if (peek(p, 0) == '}') {
				r = fail(p, p->at, -EINVAL, "trailing comma in an inline table");
				goto err;
			}
		} else if (c == '}') {
			break;
		} else if (c < 0) {
			goto unterminated;
		} else if (at_nl(p)) {
			goto newline;
		} else {
			char d[16];
			r = fail(p, p->at, -EINVAL,
				 "expected ',' or '}' in an inline table, found %s",
				 describe(p, d, sizeof(d)));
			goto err;
		}
	}
done:
	adv(p);
	tb_done(&b);
	*out = t;
	return 0;
newline:
	r = fail(p, p->at, -EINVAL, "an inline table must be on one line");
	goto err;
unterminated:
	r = fail(p, m, -EINVAL, "unterminated inline table");
err:
	tb_done(&b);
	toml_free(t);
	return r;
}

/* A value at the parser's place; depth is that of what holds it. */
static int parse_value(struct parser *p, int depth, struct toml_value **out)
{
	struct mark m = p->at;
	int c = peek(p, 0);
	if (c == '"' || c == '\'') {
		struct sbuf b = {0};
		int r = parse_string(p, &b, false);
		if (r) {
			free(b.p);
			return r;
		}
		if (!(*out = new_value(TOML_STRING, m))) {
			free(b.p);
			return oom(p);
		}
		(*out)->str.s = b.p;
		(*out)->str.len = b.n;
		return 0;
	}
	if (c == '[')
		return parse_array(p, depth + 1, out);
	if (c == '{')
		return parse_inline(p, depth + 1, out);
	if (c < 0 || at_nl(p) || c == '#')
		return fail(p, m, -EINVAL, "expected a value");
	return parse_scalar(p, out);
}

/* key = value into the table b (of depth depth). */
static int parse_kv(struct parser *p, struct tbuild *b, int depth)
{
	char *key, kb[80];
	struct mark km;
	int r = parse_key(p, &key, &km);
	if (r)
		return r;
	skip_ws(p);
	if (peek(p, 0) == '.') {
		r = fail(p, p->at, -EINVAL,
			 "dotted keys are not supported: use a [table] or an inline table");
		goto err;
	}
	if (peek(p, 0) != '=') {
		char d[16];
		r = fail(p, p->at, -EINVAL, "expected '=' after the key, found %s",
			 describe(p, d, sizeof(d)));
		goto err;
	}
	long dup = tb_find(b, key);
	if (dup >= 0) {
		const struct toml_kv *kv = &b->t->tab.kv[dup];
		r = fail(p, km, -EINVAL, "duplicate key '%s' (first at %u:%u)",
			 show_key(key, kb, sizeof(kb)), kv->line, kv->col);
		goto err;
	}
	adv(p);
	skip_ws(p);
	struct toml_value *v;
	if ((r = parse_value(p, depth, &v)))
		goto err;
	if (tb_add(b, key, v, km, false))
		return oom(p);
	return 0;
err:
	free(key);
	return r;
}

/* ---- the document ---------------------------------------------------------- */

/* The rest of a line after a key/value or a header: blanks, a comment. */
static int end_of_line(struct parser *p, const char *after)
{
	skip_ws(p);
	if (peek(p, 0) == '#') {
		int r = skip_comment(p);
		if (r)
			return r;
	}
	if (peek(p, 0) < 0)
		return 0;
	if (at_nl(p)) {
		skip_nl(p);
		return 0;
	}
	char d[16];
	return fail(p, p->at, -EINVAL, "unexpected %s after %s", describe(p, d, sizeof(d)), after);
}

/* A [table] header: the table added to the root, *cur switched to it. */
static int parse_header(struct parser *p, struct tbuild *root, struct tbuild *cur)
{
	struct mark m = p->at;
	char *key, kb[80];
	struct mark km;
	adv(p);
	if (peek(p, 0) == '[')
		return fail(p, m, -EINVAL, "arrays of tables ([[...]]) are not supported");
	skip_ws(p);
	int r = parse_key(p, &key, &km);
	if (r)
		return r;
	skip_ws(p);
	if (peek(p, 0) == '.') {
		r = fail(p, p->at, -EINVAL, "nested tables ([a.b]) are not supported");
		goto err;
	}
	if (peek(p, 0) < 0 || at_nl(p)) {
		r = fail(p, m, -EINVAL, "unterminated table header");
		goto err;
	}
	if (peek(p, 0) != ']') {
		char d[16];
		r = fail(p, p->at, -EINVAL, "expected ']' after the table name, found %s",
			 describe(p, d, sizeof(d)));
		goto err;
	}
	adv(p);
	long dup = tb_find(root, key);
	if (dup >= 0) {
		const struct toml_kv *kv = &root->t->tab.kv[dup];
		if (root->hdr[dup])
			r = fail(p, m, -EINVAL, "table [%s] defined twice (first at %u:%u)",
				 show_key(key, kb, sizeof(kb)), kv->val->line, kv->val->col);
		else
			r = fail(p, m, -EINVAL, "table [%s] redefines the key defined at %u:%u",
				 show_key(key, kb, sizeof(kb)), kv->line, kv->col);
		goto err;
	}
	struct toml_value *t = new_value(TOML_TABLE, m);
	if (!t || tb_add(root, key, t, km, true)) {
		if (!t)
			free(key);
		return oom(p);
	}
	tb_done(cur);
	tb_init(cur, t);
	return 0;
err:
	free(key);
	return r;
}

static int parse_document(struct parser *p, struct toml_value *root)
{
	struct tbuild rb, hb = {0};
	struct tbuild *cur = &rb;
	int depth = 0, r = 0;
	tb_init(&rb, root);
	for (;;) {
		skip_ws(p);
		int c = peek(p, 0);
		if (c < 0)
			break;
		if (at_nl(p)) {
			skip_nl(p);
			continue;
		}
		if (c == '#') {
			r = end_of_line(p, "a comment");
		} else if (c == '[') {
			/* a [table] is one level below the root */
			if (!(r = parse_header(p, &rb, &hb)))
				r = end_of_line(p, "the table header");
			cur = &hb;
			depth = 1;
		} else {
			if (!(r = parse_kv(p, cur, depth)))
				r = end_of_line(p, "the value");
		}
		if (r)
			break;
	}
	tb_done(&hb);
	tb_done(&rb);
	return r;
}

int toml_parse(const char *text, size_t len, const char *name, struct toml_value **root, char *err,
	       size_t errlen)
{
	struct parser p = {
	    .s = text,
	    .len = len,
	    .at = {0, 1, 1},
	    .name = name ? name : "<toml>",
	    .err = err,
	    .errlen = errlen,
	};
	*root = NULL;
	if (err && errlen)
		err[0] = 0;
	if (!text && len)
		return fail(&p, p.at, -EINVAL, "no text");
	if (len > TOML_DOC_MAX)
		return fail(&p, p.at, -E2BIG, "document larger than %d bytes", TOML_DOC_MAX);
	/* a UTF-8 byte order mark is not part of the text */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		p.at.pos = 3;
	int r = check_bytes(&p);
	if (r)
		return r;
	struct toml_value *t = new_value(TOML_TABLE, p.at);
	if (!t)
		return oom(&p);
	r = parse_document(&p, t);
	if (r) {
		toml_free(t);
		return r;
	}
	*root = t;
	return 0;
}

void toml_quote(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(out, "\\%c", *c);
		else if (*c == '\n')
			fputs("\\n", out);
		else if (*c == '\t')
			fputs("\\t", out);
		else if (*c < 0x20 || *c == 0x7f)
			fprintf(out, "\\u%04X", *c);
		else
			fputc(*c, out);
	}
	fputc('"', out);
}
