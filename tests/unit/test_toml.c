/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the TOML reader (src/policy/toml.c). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "toml.h"

/* Parses n bytes of s as "t.toml"; a success must leave no message, a
 * failure one message and no root. */
static int parse_n(const char *s, size_t n, struct toml_value **root, char *err, size_t errlen)
{
	int e = toml_parse(s, n, "t.toml", root, err, errlen);
	if (e == 0)
		CHECK(*root && (*root)->type == TOML_TABLE && err[0] == 0);
	else
		CHECK(!*root && !strncmp(err, "t.toml:", 7));
	return e;
}

/* s must parse; the root (free it). */
static struct toml_value *ok(const char *s)
{
	struct toml_value *root;
	char err[256];
	int e = parse_n(s, strlen(s), &root, err, sizeof(err));
	if (e)
		th_fail(__FILE__, __LINE__, "refused: %s\n%s", err, s);
	return root;
}

/* n bytes of s must be refused with exactly this error and message. */
static void bad_n(int line, const char *s, size_t n, int err_expected, const char *msg)
{
	struct toml_value *root;
	char err[256];
	int e = parse_n(s, n, &root, err, sizeof(err));
	if (e != err_expected || strcmp(err, msg))
		th_fail(__FILE__, line, "%d \"%s\", expected %d \"%s\"", e, err, err_expected, msg);
}

#define BAD(s, msg)	 bad_n(__LINE__, s, sizeof(s) - 1, -EINVAL, msg)
#define BAD_E(s, e, msg) bad_n(__LINE__, s, sizeof(s) - 1, e, msg)

/* The value of the key in the root table ("t.k": in table t). */
static const struct toml_value *get(const struct toml_value *root, const char *path)
{
	const char *dot = strchr(path, '.');
	if (!dot)
		return toml_get(root, path);
	char t[64];
	snprintf(t, sizeof(t), "%.*s", (int)(dot - path), path);
	return toml_get(toml_get(root, t), dot + 1);
}

static void check_str(int line, const struct toml_value *v, const char *want, size_t n)
{
	if (!v || v->type != TOML_STRING || v->str.len != n || memcmp(v->str.s, want, n + 1))
		th_fail(__FILE__, line, "not the string \"%s\"", want);
}
#define CHECK_TSTR(v, s) check_str(__LINE__, v, s, sizeof(s) - 1)

static void check_int(int line, const struct toml_value *v, int64_t want)
{
	if (!v || v->type != TOML_INT || v->i != want)
		th_fail(__FILE__, line, "not the integer %lld (%lld)", (long long)want,
			v && v->type == TOML_INT ? (long long)v->i : 0LL);
}
#define CHECK_TINT(v, i) check_int(__LINE__, v, i)

/* One value: "v = <text>". */
static struct toml_value *one(const char *text, struct toml_value **root)
{
	char doc[512];
	snprintf(doc, sizeof(doc), "v = %s", text);
	*root = ok(doc);
	return (struct toml_value *)toml_get(*root, "v");
}

TEST(toml_profile)
{
	const char *doc = "# comment\n"
			  "[filesystem]\n"
			  "read = [\"/usr\", \"/lib\"]     # arrays of strings\n"
			  "write = ['/tmp/x']\n"
			  "[limits]\n"
			  "memory = \"512M\"\n"
			  "processes = 20\n"
			  "[network]\n"
			  "port_remap = true\n"
			  "allow = [\"api.example.com:443\"]\n"
			  "[program]\n"
			  "env = { LANG = \"C\", \"X-Y\" = \"z\" }   # inline tables\n"
			  "time_start = \"2024-01-02T03:04:05Z\"\n"
			  "[http]\n"
			  "ports = [80, 443]\n";
	struct toml_value *r = ok(doc);
	CHECK_EQ(r->tab.n, 5);
	CHECK_STR(r->tab.kv[0].key, "filesystem");
	CHECK_STR(r->tab.kv[4].key, "http");
	const struct toml_value *fs = toml_get(r, "filesystem");
	CHECK(fs && fs->type == TOML_TABLE && fs->line == 2 && fs->col == 1);
	CHECK_EQ(r->tab.kv[0].line, 2);
	CHECK_EQ(r->tab.kv[0].col, 2);
	const struct toml_value *rd = get(r, "filesystem.read");
	CHECK(rd && rd->type == TOML_ARRAY && rd->arr.n == 2 && rd->line == 3 && rd->col == 8);
	CHECK_TSTR(rd->arr.v[0], "/usr");
	CHECK_TSTR(rd->arr.v[1], "/lib");
	CHECK_EQ(rd->arr.v[1]->col, 17);
	const struct toml_value *wr = get(r, "filesystem.write");
	CHECK(wr && wr->arr.n == 1);
	CHECK_TSTR(wr->arr.v[0], "/tmp/x");
	CHECK_TSTR(get(r, "limits.memory"), "512M");
	CHECK_TINT(get(r, "limits.processes"), 20);
	const struct toml_value *pr = get(r, "network.port_remap");
	CHECK(pr && pr->type == TOML_BOOL && pr->b);
	CHECK_TSTR(get(r, "network.allow")->arr.v[0], "api.example.com:443");
	const struct toml_value *env = get(r, "program.env");
	CHECK(env && env->type == TOML_TABLE && env->tab.n == 2);
	CHECK_STR(env->tab.kv[0].key, "LANG");
	CHECK_STR(env->tab.kv[1].key, "X-Y");
	CHECK_EQ(env->tab.kv[1].col, 21);
	CHECK_TSTR(toml_get(env, "X-Y"), "z");
	CHECK_TSTR(get(r, "program.time_start"), "2024-01-02T03:04:05Z");
	const struct toml_value *ports = get(r, "http.ports");
	CHECK(ports && ports->arr.n == 2);
	CHECK_TINT(ports->arr.v[0], 80);
	CHECK_TINT(ports->arr.v[1], 443);
	CHECK(!get(r, "http.nope") && !toml_get(r, "nope"));
	toml_free(r);

	/* nothing, blanks and comments only: an empty root */
	r = ok("");
	CHECK_EQ(r->tab.n, 0);
	toml_free(r);
	r = ok("  \n\t# x\n\n# y");
	CHECK_EQ(r->tab.n, 0);
	toml_free(r);
	/* root keys then tables; an empty table; a quoted table name */
	r = ok("a = 1\n[e]\n[ \"q t\" ] # c\nb = 2\n['lit']\n");
	CHECK_TINT(toml_get(r, "a"), 1);
	CHECK(toml_get(r, "e") && toml_get(r, "e")->tab.n == 0);
	CHECK_TINT(get(r, "q t.b"), 2);
	CHECK(toml_get(r, "lit"));
	toml_free(r);
}

TEST(toml_strings)
{
	struct toml_value *r;
	CHECK_TSTR(one("\"a\\b\\t\\n\\f\\r\\\"\\\\z\"", &r), "a\b\t\n\f\r\"\\z");
	toml_free(r);
	CHECK_TSTR(one("\"\\u00e9\\u20AC\\U0001F600\\U0000007a\"", &r),
		   "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z");
	toml_free(r);
	CHECK_TSTR(one("\"\\u007f\\u0080\\u07ff\\u0800\\uffff\\U00010000\\U0010FFFF\"", &r),
		   "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
	toml_free(r);
	CHECK_TSTR(one("\"tab\there é\"", &r), "tab\there é");
	toml_free(r);
	CHECK_TSTR(one("'C:\\x\\y \"q\"'", &r), "C:\\x\\y \"q\"");
	toml_free(r);
	CHECK_TSTR(one("\"\"", &r), "");
	toml_free(r);
	CHECK_TSTR(one("''", &r), "");
	toml_free(r);
	/* multi-line basic: the first newline dropped, CRLF to LF, quotes */
	CHECK_TSTR(one("\"\"\"\nl1\r\nl2 \"q\" \"\"x\"\"\"", &r), "l1\nl2 \"q\" \"\"x");
	toml_free(r);
	CHECK_TSTR(one("\"\"\"\"a\"\"\"\"\"", &r), "\"a\"\"");
	toml_free(r);
	CHECK_TSTR(one("\"\"\"\"\"\"", &r), "");
	toml_free(r);
	/* the line-ending backslash eats white space and newlines */
	CHECK_TSTR(one("\"\"\"The quick \\\n\n   brown \\   \r\n\t fox.\\\\ \\t\"\"\"", &r),
		   "The quick brown fox.\\ \t");
	toml_free(r);
	/* multi-line literal: no escapes */
	CHECK_TSTR(one("'''\n\\n 'x'\n''y'''''", &r), "\\n 'x'\n''y''");
	toml_free(r);
	/* a string's position is its opening quote */
	r = ok("a = \"x\"\nb = '''\n\n'''\n");
	CHECK_EQ(toml_get(r, "b")->line, 2);
	CHECK_EQ(toml_get(r, "b")->col, 5);
	CHECK_TSTR(toml_get(r, "b"), "\n");
	toml_free(r);
}

TEST(toml_string_refusals)
{
	BAD("a = \"x\\qy\"", "t.toml:1:7: invalid escape: backslash before 'q'");
	BAD("a = \"\\x41\"", "t.toml:1:6: invalid escape: backslash before 'x'");
	BAD("a = \"\\e\"", "t.toml:1:6: invalid escape: backslash before 'e'");
	BAD("a = \"x \\ \"", "t.toml:1:8: invalid escape: backslash before U+0020");
	BAD("a = \"\\u00e\"", "t.toml:1:6: \\u needs 4 hex digits");
	BAD("a = \"\\U0001F60\"", "t.toml:1:6: \\U needs 8 hex digits");
	BAD("a = \"\\u0000\"", "t.toml:1:6: \\u escape of U+0000: NUL is not allowed in a string");
	BAD("a = \"\\uD83D\\uDE00\"", "t.toml:1:6: \\u escape of a surrogate (U+D83D)");
	BAD("a = \"x\\udfff\"", "t.toml:1:7: \\u escape of a surrogate (U+DFFF)");
	BAD("a = \"\\U00110000\"", "t.toml:1:6: \\U escape past U+10FFFF");
	BAD("a = \"a\x01\"", "t.toml:1:7: control character U+0001 in a string");
	BAD("a = 'a\x7f'", "t.toml:1:7: control character U+007F in a literal string");
	BAD("a = \"\"\"\n\x1b\"\"\"",
	    "t.toml:2:1: control character U+001B in a multi-line string");
	BAD("a = \"abc", "t.toml:1:5: unterminated string");
	BAD("a = \"abc\nb = 1", "t.toml:1:5: unterminated string");
	BAD("a = 'abc\r\n'", "t.toml:1:5: unterminated literal string");
	/* at the end of the document: where the string began */
	BAD("x = 1\n\na = \"\"\"\nabc\n\ndef\n", "t.toml:3:5: unterminated multi-line string");
	BAD("[t]\n a = '''abc''\n", "t.toml:2:6: unterminated multi-line literal string");
	BAD("a = \"\"\"x\"\"\"\"\"\"",
	    "t.toml:1:9: too many quotes in a row in a multi-line string");
	BAD("a = \"\"\"x\\",
	    "t.toml:1:9: invalid escape: backslash before the end of the document");
}

TEST(toml_integers)
{
	static const struct {
		const char *text;
		int64_t v;
	} cases[] = {
	    {"0", 0},
	    {"+0", 0},
	    {"-0", 0},
	    {"7", 7},
	    {"+99", 99},
	    {"-17", -17},
	    {"1_000", 1000},
	    {"5_349_221", 5349221},
	    {"1_2_3", 123},
	    {"0xDEADbeef", 0xdeadbeef},
	    {"0xdead_beef", 0xdeadbeef},
	    {"0x0", 0},
	    {"0x00ff", 255},
	    {"0o755", 0755},
	    {"0o0_1", 1},
	    {"0b1101_0110", 0xd6},
	    {"9223372036854775807", INT64_MAX},
	    {"-9223372036854775808", INT64_MIN},
	    {"0x7fffffffffffffff", INT64_MAX},
	    {"0o777777777777777777777", INT64_MAX},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct toml_value *r;
		const struct toml_value *v = one(cases[i].text, &r);
		CHECK(v && v->type == TOML_INT && v->line == 1 && v->col == 5);
		CHECK_TINT(v, cases[i].v);
		toml_free(r);
	}
	struct toml_value *r = ok("t = true\nf = false\n");
	CHECK(toml_get(r, "t")->type == TOML_BOOL && toml_get(r, "t")->b);
	CHECK(toml_get(r, "f")->type == TOML_BOOL && !toml_get(r, "f")->b);
	toml_free(r);
}

TEST(toml_integer_refusals)
{
	BAD("a = 0123", "t.toml:1:5: invalid integer: leading zeros are not allowed");
	BAD("a = -01", "t.toml:1:5: invalid integer: leading zeros are not allowed");
	BAD("a = 0_1", "t.toml:1:5: invalid integer: leading zeros are not allowed");
	BAD("a = 1__0", "t.toml:1:5: invalid integer: '_' must be between two digits");
	BAD("a = 1_", "t.toml:1:5: invalid integer: '_' must be between two digits");
	BAD("a = 0x_1", "t.toml:1:5: invalid integer: '_' must be between two digits");
	BAD("a = _1", "t.toml:1:5: expected a value, found '_1' (strings need quotes)");
	BAD("a = 9223372036854775808", "t.toml:1:5: integer out of range (64-bit signed)");
	BAD("a = -9223372036854775809", "t.toml:1:5: integer out of range (64-bit signed)");
	BAD("a = 0x8000000000000000", "t.toml:1:5: integer out of range (64-bit signed)");
	BAD("a = 99999999999999999999999", "t.toml:1:5: integer out of range (64-bit signed)");
	BAD("a = +0x1", "t.toml:1:5: invalid integer: no sign before 0x");
	BAD("a = -0b1", "t.toml:1:5: invalid integer: no sign before 0b");
	BAD("a = 0xg", "t.toml:1:5: invalid integer");
	BAD("a = 0o8", "t.toml:1:5: invalid integer");
	BAD("a = 0b2", "t.toml:1:5: invalid integer");
	BAD("a = 0X1", "t.toml:1:5: invalid integer");
	BAD("a = 0x", "t.toml:1:5: invalid integer: no digits");
	BAD("a = -", "t.toml:1:5: invalid integer: no digits");
	BAD("a = 12abc", "t.toml:1:5: invalid integer");
	BAD("a = 1-2", "t.toml:1:5: invalid integer");
	BAD("a = True", "t.toml:1:5: expected a value, found 'True' (strings need quotes)");
	BAD("a = true1", "t.toml:1:5: expected a value, found 'true1' (strings need quotes)");
	BAD("a = bare", "t.toml:1:5: expected a value, found 'bare' (strings need quotes)");
	BAD("a = @", "t.toml:1:5: expected a value, found '@'");
	BAD("a = ", "t.toml:1:5: expected a value");
	BAD("a =\nb = 1", "t.toml:1:4: expected a value");
	BAD("a = # c", "t.toml:1:5: expected a value");
}

TEST(toml_floats_and_dates)
{
	BAD("a = 1\nb = 1.5", "t.toml:2:5: floats are not supported here");
	BAD("a = -0.0", "t.toml:1:5: floats are not supported here");
	BAD("a = 1e5", "t.toml:1:5: floats are not supported here");
	BAD("a = 6.626E-34", "t.toml:1:5: floats are not supported here");
	BAD("a = 1_000.5_1", "t.toml:1:5: floats are not supported here");
	BAD("a = inf", "t.toml:1:5: floats are not supported here");
	BAD("a = +inf", "t.toml:1:5: floats are not supported here");
	BAD("a = -nan", "t.toml:1:5: floats are not supported here");
	BAD("a = [1, 2.0]", "t.toml:1:9: floats are not supported here");
	BAD("a = 1979-05-27", "t.toml:1:5: dates and times are not supported here");
	BAD("a = 1979-05-27T07:32:00Z", "t.toml:1:5: dates and times are not supported here");
	BAD("a = 1979-05-27 07:32:00", "t.toml:1:5: dates and times are not supported here");
	BAD("a = 1979-05-27T00:32:00.999999-07:00",
	    "t.toml:1:5: dates and times are not supported here");
	BAD("a = 07:32:00", "t.toml:1:5: dates and times are not supported here");
	BAD("[t]\ntime_start = 2024-01-01T00:00:00Z",
	    "t.toml:2:14: dates and times are not supported here");
	/* a float-looking text that is not one */
	BAD("a = 1.", "t.toml:1:5: invalid integer");
}

TEST(toml_keys)
{
	struct toml_value *r = ok("bare_KEY-1 = 1\n1234 = 2\n\"quoted key\" = 3\n'lit \\ key' = 4\n"
				  "\"\" = 5\n\"\\u00e9t\\u00e9\" = 6\ntrue = 7\n\"a.b\" = 8\n");
	CHECK_EQ(r->tab.n, 8);
	CHECK_TINT(toml_get(r, "bare_KEY-1"), 1);
	CHECK_TINT(toml_get(r, "1234"), 2);
	CHECK_TINT(toml_get(r, "quoted key"), 3);
	CHECK_TINT(toml_get(r, "lit \\ key"), 4);
	CHECK_TINT(toml_get(r, ""), 5);
	CHECK_TINT(toml_get(r, "\xc3\xa9t\xc3\xa9"), 6);
	CHECK_TINT(toml_get(r, "true"), 7);
	CHECK_TINT(toml_get(r, "a.b"), 8);
	toml_free(r);

	BAD("a.b = 1",
	    "t.toml:1:2: dotted keys are not supported: use a [table] or an inline table");
	BAD("[t]\n  a . b = 1",
	    "t.toml:2:5: dotted keys are not supported: use a [table] or an inline table");
	BAD("x = {a.b = 1}",
	    "t.toml:1:7: dotted keys are not supported: use a [table] or an inline table");
	BAD("[a.b]", "t.toml:1:3: nested tables ([a.b]) are not supported");
	BAD("[ a . b ]", "t.toml:1:5: nested tables ([a.b]) are not supported");
	BAD("[[a]]", "t.toml:1:1: arrays of tables ([[...]]) are not supported");
	BAD("x = 1\n  [[a]]\nb = 1", "t.toml:2:3: arrays of tables ([[...]]) are not supported");
	BAD("[]", "t.toml:1:2: expected a key, found ']'");
	BAD("[a", "t.toml:1:1: unterminated table header");
	BAD("[a\nb = 1", "t.toml:1:1: unterminated table header");
	BAD("[a b]", "t.toml:1:4: expected ']' after the table name, found 'b'");
	BAD("= 1", "t.toml:1:1: expected a key, found '='");
	BAD("a b = 1", "t.toml:1:3: expected '=' after the key, found 'b'");
	BAD("a", "t.toml:1:2: expected '=' after the key, found the end of the document");
	BAD("a\n= 1", "t.toml:1:2: expected '=' after the key, found the end of the line");
	BAD("\"\"\"a\"\"\" = 1", "t.toml:1:1: a key cannot be a multi-line string");
	BAD("'''a''' = 1", "t.toml:1:1: a key cannot be a multi-line string");
	BAD("\"a = 1", "t.toml:1:1: unterminated string");
	BAD("\xc3\xa9 = 1", "t.toml:1:1: expected a key, found U+00E9");
	BAD("$a = 1", "t.toml:1:1: expected a key, found '$'");
}

TEST(toml_duplicates)
{
	BAD("a = 1\nb = 2\na = 3", "t.toml:3:1: duplicate key 'a' (first at 1:1)");
	BAD("a = 1\n\"a\" = 3", "t.toml:2:1: duplicate key 'a' (first at 1:1)");
	BAD("[t]\n'k' = 1\n  k = [1]", "t.toml:3:3: duplicate key 'k' (first at 2:1)");
	BAD("x = { a = 1, b = 2, a = 3 }", "t.toml:1:21: duplicate key 'a' (first at 1:7)");
	BAD("[t]\na = 1\n[u]\n[t]", "t.toml:4:1: table [t] defined twice (first at 1:1)");
	BAD("[t]\n[ 't' ]", "t.toml:2:1: table [t] defined twice (first at 1:1)");
	/* a key of the root, an inline table or another value, is a table once */
	BAD("t = { a = 1 }\n[t]\nb = 2", "t.toml:2:1: table [t] redefines the key defined at 1:1");
	BAD("t = 1\n[t]", "t.toml:2:1: table [t] redefines the key defined at 1:1");
	BAD("\"a\\nb\" = 1\n[\"a\\nb\"]",
	    "t.toml:2:1: table [a\\x0ab] redefines the key defined at 1:1");
	/* the same key in two tables, a table named as a key of another */
	struct toml_value *r = ok("a = 1\n[t]\na = 2\nt = 3\n[u]\na = { a = 4 }\n");
	CHECK_TINT(toml_get(r, "a"), 1);
	CHECK_TINT(get(r, "t.a"), 2);
	CHECK_TINT(get(r, "t.t"), 3);
	CHECK_TINT(toml_get(get(r, "u.a"), "a"), 4);
	toml_free(r);
	/* many keys: found in linear time, the last one a duplicate */
	size_t n = 60000, cap = n * 16 + 64, at = 0;
	char *doc = malloc(cap);
	CHECK(doc);
	for (size_t i = 0; i < n; i++)
		at += (size_t)snprintf(doc + at, cap - at, "k%zu = %zu\n", i, i);
	r = ok(doc);
	CHECK_EQ(r->tab.n, n);
	CHECK_TINT(toml_get(r, "k59999"), 59999);
	toml_free(r);
	at += (size_t)snprintf(doc + at, cap - at, "k5 = 1\n");
	struct toml_value *root;
	char err[256];
	CHECK_EQ(parse_n(doc, at, &root, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "t.toml:60001:1: duplicate key 'k5' (first at 6:1)");
	free(doc);
}

TEST(toml_arrays)
{
	struct toml_value *r = ok("a = [ 1, 'two', true, [3, [\"x\"]], { k = 5 }, ]\n"
				  "b = [\n  1, # one\n  # nothing\n\n  2\n  ,\n]\n"
				  "c = []\nd = [[],[ ]]\n");
	const struct toml_value *a = toml_get(r, "a");
	CHECK(a && a->type == TOML_ARRAY && a->arr.n == 5);
	CHECK_TINT(a->arr.v[0], 1);
	CHECK_TSTR(a->arr.v[1], "two");
	CHECK(a->arr.v[2]->type == TOML_BOOL && a->arr.v[2]->b);
	CHECK(a->arr.v[3]->type == TOML_ARRAY && a->arr.v[3]->arr.n == 2);
	CHECK_TSTR(a->arr.v[3]->arr.v[1]->arr.v[0], "x");
	CHECK_EQ(a->arr.v[3]->arr.v[1]->arr.v[0]->col, 28);
	CHECK_TINT(toml_get(a->arr.v[4], "k"), 5);
	const struct toml_value *b = toml_get(r, "b");
	CHECK(b && b->arr.n == 2);
	CHECK_TINT(b->arr.v[1], 2);
	CHECK_EQ(b->arr.v[1]->line, 6);
	CHECK_EQ(b->arr.v[1]->col, 3);
	CHECK(toml_get(r, "c")->arr.n == 0);
	CHECK(toml_get(r, "d")->arr.n == 2 && toml_get(r, "d")->arr.v[1]->arr.n == 0);
	toml_free(r);

	BAD("a = [1 2]", "t.toml:1:8: expected ',' or ']' in an array, found '2'");
	BAD("a = [,]", "t.toml:1:6: expected a value, found ','");
	BAD("a = [1,,2]", "t.toml:1:8: expected a value, found ','");
	BAD("a = [1, 2", "t.toml:1:5: unterminated array");
	BAD("x = 1\na = [\n  1,\n  2,\n# end\n", "t.toml:2:5: unterminated array");
	BAD("a = [1, [2, 3]", "t.toml:1:5: unterminated array");
	BAD("a = [1] 2", "t.toml:1:9: unexpected '2' after the value");
	BAD("a = [1 # c\x01\n]", "t.toml:1:11: control character U+0001 in a comment");
	BAD("a = [[[[x]]]]", "t.toml:1:9: expected a value, found 'x' (strings need quotes)");
}

TEST(toml_inline_tables)
{
	struct toml_value *r = ok("e = {}\nf = {  }\n"
				  "t = { a = 1, 'b c' = { d = [1,\n 2] }, e = \"s\" }\n");
	CHECK(toml_get(r, "e")->type == TOML_TABLE && toml_get(r, "e")->tab.n == 0);
	CHECK(toml_get(r, "f")->tab.n == 0);
	const struct toml_value *t = toml_get(r, "t");
	CHECK(t && t->tab.n == 3 && t->line == 3 && t->col == 5);
	CHECK_TINT(toml_get(t, "a"), 1);
	CHECK_TINT(toml_get(toml_get(t, "b c"), "d")->arr.v[1], 2);
	CHECK_TSTR(toml_get(t, "e"), "s");
	CHECK_EQ(t->tab.kv[2].line, 4);
	CHECK_EQ(t->tab.kv[2].col, 8);
	toml_free(r);

	BAD("t = { a = 1, }", "t.toml:1:14: trailing comma in an inline table");
	BAD("t = { a = 1\n}", "t.toml:1:12: an inline table must be on one line");
	BAD("t = {\na = 1 }", "t.toml:1:6: an inline table must be on one line");
	BAD("t = { a = 1,\nb = 1 }", "t.toml:1:13: an inline table must be on one line");
	BAD("t = { a = 1", "t.toml:1:5: unterminated inline table");
	BAD("t = { a = 1 b = 2 }",
	    "t.toml:1:13: expected ',' or '}' in an inline table, found 'b'");
	BAD("t = { a = 1 # c }", "t.toml:1:13: expected ',' or '}' in an inline table, found '#'");
	BAD("t = { , }", "t.toml:1:7: expected a key, found ','");
	BAD("t = { a }", "t.toml:1:9: expected '=' after the key, found '}'");
	BAD("t = {a=1}}", "t.toml:1:10: unexpected '}' after the value");
}

TEST(toml_garbage_after_values)
{
	BAD("a = 1 x", "t.toml:1:7: unexpected 'x' after the value");
	BAD("a = 1,", "t.toml:1:6: unexpected ',' after the value");
	BAD("a = \"x\" \"y\"", "t.toml:1:9: unexpected '\"' after the value");
	BAD("a = true false", "t.toml:1:10: unexpected 'f' after the value");
	BAD("a = 1 b = 2", "t.toml:1:7: unexpected 'b' after the value");
	BAD("[t] x = 1", "t.toml:1:5: unexpected 'x' after the table header");
	BAD("[t]]", "t.toml:1:4: unexpected ']' after the table header");
	BAD("a = 1 # ok\x1f", "t.toml:1:11: control character U+001F in a comment");
	BAD("# \x7f", "t.toml:1:3: control character U+007F in a comment");
	struct toml_value *r = ok("a = 1 \t# c \t\"x\" é\n[t]\t# c\nb='x'#c");
	CHECK_TSTR(get(r, "t.b"), "x");
	toml_free(r);
}

TEST(toml_bytes)
{
	/* columns count characters: "é" and "€" are one column each */
	BAD("a = \"é€\xff\"", "t.toml:1:8: invalid UTF-8 (byte 0xff)");
	BAD("a = 1\n# é\xc3", "t.toml:2:4: invalid UTF-8 (byte 0xc3)");
	BAD("a = 'x\xc0\x80'", "t.toml:1:7: invalid UTF-8 (byte 0xc0)");     /* overlong NUL */
	BAD("a = 'x\xe0\x80\xaf'", "t.toml:1:7: invalid UTF-8 (byte 0xe0)"); /* overlong '/' */
	BAD("a = 'x\xf0\x82\x82\xac'", "t.toml:1:7: invalid UTF-8 (byte 0xf0)");
	BAD("a = 'x\xed\xa0\x80'", "t.toml:1:7: invalid UTF-8 (byte 0xed)"); /* surrogate */
	BAD("a = 'x\xf4\x90\x80\x80'", "t.toml:1:7: invalid UTF-8 (byte 0xf4)");
	BAD("a = 'x\xf8\x88\x80\x80\x80'", "t.toml:1:7: invalid UTF-8 (byte 0xf8)");
	BAD("a = 'x\x80'", "t.toml:1:7: invalid UTF-8 (byte 0x80)");
	BAD("a = 'x\xe2\x82'", "t.toml:1:7: invalid UTF-8 (byte 0xe2)"); /* cut short */
	BAD("a = 'x\xe2\x82", "t.toml:1:7: invalid UTF-8 (byte 0xe2)");
	BAD("a = 'x\x00'", "t.toml:1:7: NUL byte");
	BAD("a = 1\n# \x00", "t.toml:2:3: NUL byte");
	BAD("a = 1\rb = 2", "t.toml:1:6: carriage return not followed by a line feed");
	BAD("a = 1\r", "t.toml:1:6: carriage return not followed by a line feed");
	BAD("a = '\r'", "t.toml:1:6: carriage return not followed by a line feed");
	/* bad bytes are found before anything else, even after a syntax error */
	BAD("a = = 1\n\xff", "t.toml:2:1: invalid UTF-8 (byte 0xff)");
	/* CRLF lines, a byte order mark, a tab is one column */
	struct toml_value *r = ok("\xef\xbb\xbf"
				  "a = 1\r\n[t]\r\n\tb = [\r\n1,\r\n]\r\n");
	CHECK_EQ(toml_get(r, "a")->col, 5);
	CHECK_EQ(toml_get(r, "a")->line, 1);
	CHECK_EQ(get(r, "t.b")->col, 6);
	CHECK_EQ(get(r, "t.b")->line, 3);
	CHECK_EQ(get(r, "t.b")->arr.v[0]->line, 4);
	toml_free(r);
	BAD("\t\"é\" = 'x' y", "t.toml:1:12: unexpected 'y' after the value");
	BAD("a = '\U0001F600' \U0001F600", "t.toml:1:9: unexpected U+1F600 after the value");
	BAD("a = 1\t\tx", "t.toml:1:8: unexpected 'x' after the value");
}

TEST(toml_limits)
{
	/* nesting: 16 levels from the root, 15 under a [table] */
	char doc[128];
	int n =
	    snprintf(doc, sizeof(doc), "a = %.16s%.16s", "[[[[[[[[[[[[[[[[", "]]]]]]]]]]]]]]]]");
	struct toml_value *r = ok(doc);
	toml_free(r);
	n = snprintf(doc, sizeof(doc), "a = %.17s%.17s", "[[[[[[[[[[[[[[[[[", "]]]]]]]]]]]]]]]]]");
	char err[256];
	CHECK_EQ(parse_n(doc, (size_t)n, &r, err, sizeof(err)), -E2BIG);
	CHECK_STR(err, "t.toml:1:21: nested deeper than 16 tables and arrays");
	r = ok("[t]\na = [{b = [[[[[[[[[[[[[]]]]]]]]]]]]]}]");
	toml_free(r);
	BAD_E("[t]\na = [{b = [[[[[[[[[[[[[[]]]]]]]]]]]]]]}]", -E2BIG,
	      "t.toml:2:24: nested deeper than 16 tables and arrays");
	BAD_E("a = {a={a={a={a={a={a={a={a={a={a={a={a={a={a={a={a={}}}}}}}}}}}}}}}}}", -E2BIG,
	      "t.toml:1:53: nested deeper than 16 tables and arrays");

	/* the document: 1 MiB and one byte more */
	size_t big = TOML_DOC_MAX + 1;
	char *text = malloc(big);
	CHECK(text);
	memset(text, ' ', big);
	memcpy(text, "a = 1\n#", 7);
	text[big - 1] = '\n';
	CHECK_EQ(parse_n(text, big, &r, err, sizeof(err)), -E2BIG);
	CHECK_STR(err, "t.toml:1:1: document larger than 1048576 bytes");
	CHECK_EQ(parse_n(text, big - 1, &r, err, sizeof(err)), 0);
	toml_free(r);

	/* a string: 64 KiB decoded, and one byte more (an escape counts once) */
	size_t s = TOML_STR_MAX;
	memcpy(text, "a = \"", 5);
	memset(text + 5, 'x', s);
	memcpy(text + 5 + s, "\"\nb = 1", 7);
	CHECK_EQ(parse_n(text, s + 12, &r, err, sizeof(err)), 0);
	CHECK_EQ(toml_get(r, "a")->str.len, s);
	toml_free(r);
	memcpy(text + 5 + s - 1, "\\t\"\n", 4);
	CHECK_EQ(parse_n(text, s + 9, &r, err, sizeof(err)), 0);
	CHECK_EQ(toml_get(r, "a")->str.len, s);
	toml_free(r);
	memcpy(text + 5 + s + 1, "y\"\n", 3);
	CHECK_EQ(parse_n(text, s + 9, &r, err, sizeof(err)), -E2BIG);
	CHECK_STR(err, "t.toml:1:5: string longer than 65536 bytes");
	/* a bare key too */
	memset(text, 'k', s + 1);
	memcpy(text + s + 1, " = 1", 4);
	CHECK_EQ(parse_n(text, s + 5, &r, err, sizeof(err)), -E2BIG);
	CHECK_STR(err, "t.toml:1:1: key longer than 65536 bytes");
	free(text);
}

TEST(toml_api)
{
	struct toml_value *r;
	char err[32];
	/* no name, a short buffer, no buffer */
	CHECK_EQ(toml_parse("a = 1.5", 7, NULL, &r, err, sizeof(err)), -EINVAL);
	CHECK(!r);
	CHECK_STR(err, "<toml>:1:5: floats are not supp");
	CHECK_EQ(toml_parse("a = 1.5", 7, "t", &r, NULL, 0), -EINVAL);
	CHECK_EQ(toml_parse("a = 1.5", 7, "t", &r, err, 1), -EINVAL);
	CHECK_STR(err, "");
	/* the length given is the document: what follows is not read */
	CHECK_EQ(toml_parse("a = 1x", 5, "t", &r, err, sizeof(err)), 0);
	CHECK_TINT(toml_get(r, "a"), 1);
	toml_free(r);
	CHECK_EQ(toml_parse(NULL, 0, "t", &r, err, sizeof(err)), 0);
	CHECK(r && r->tab.n == 0);
	CHECK(!toml_get(NULL, "a") && !toml_get(r, NULL));
	toml_free(r);
	r = ok("a = 1\n");
	CHECK(!toml_get(toml_get(r, "a"), "a"));
	toml_free(r);
	toml_free(NULL);
	CHECK_STR(toml_type_name(TOML_STRING), "string");
	CHECK_STR(toml_type_name(TOML_INT), "integer");
	CHECK_STR(toml_type_name(TOML_BOOL), "boolean");
	CHECK_STR(toml_type_name(TOML_ARRAY), "array");
	CHECK_STR(toml_type_name(TOML_TABLE), "table");
	CHECK_STR(toml_type_name((enum toml_type)99), "?");
}
