/* SPDX-License-Identifier: Apache-2.0 */
/* httprule.c - HTTP ACL rules, path normalization and matching (see httprule.h). */
#include "httprule.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "policy.h"

#define USAGE "expected METHOD HOST[/PATH], e.g. 'GET example.com/api/*'"

/* Records "invalid http rule: '<rule>': <reason>" and returns -EINVAL. */
__attribute__((format(printf, 2, 3))) static int bad(const char *rule, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = sl_error_value("invalid http rule", rule, fmt, ap);
	va_end(ap);
	return r;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes every valid %XX of s[0..n) once into d (n + 1 bytes).  A
 * backslash, written or decoded (%5C), becomes '/': servers that take it
 * for a separator (IIS, Windows-backed ones) would otherwise resolve
 * "/x%5C..%5Cadmin" to "/admin" while the rules saw one odd segment. */
static int percent_decode(const char *s, size_t n, char *d)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int hi = -1, lo = -1;
		if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			char c = (char)(hi << 4 | lo);
			if (!c)
				return -EINVAL;
			d[o++] = c == '\\' ? '/' : c;
			i += 2;
		} else {
			d[o++] = s[i] == '\\' ? '/' : s[i];
		}
	}
	d[o] = 0;
	return 0;
}

/* Writes the normalized segments of the decoded path d to o as "/a/b" ("" for
 * the root) and returns the length.  o needs strlen(d) + 2 bytes. */
static size_t squash(const char *d, char *o)
{
	size_t ol = 0;
	for (const char *p = d; *p;) {
		while (*p == '/')
			p++;
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (ol > 0 && o[ol - 1] != '/')
				ol--;
			if (ol > 0)
				ol--;
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			o[ol++] = '/';
			memcpy(o + ol, p, n);
			ol += n;
		}
		p = e;
	}
	o[ol] = 0;
	return ol;
}

int httprule_normalize_path(const char *path, bool is_rule, char **out)
{
	*out = NULL;
	size_t n = strlen(path);
	bool star = is_rule && n > 0 && path[n - 1] == '*';
	if (star)
		n--;
	/* decoded <= n; result <= decoded + leading '/' + '/' + '*' + NUL */
	char *d = malloc(n + 1), *o = malloc(n + 4);
	int r = -ENOMEM;
	if (!d || !o)
		goto fail;
	r = percent_decode(path, n, d);
	if (r < 0)
		goto fail;
	if (!star) {
		if (squash(d, o) == 0)
			strcpy(o, "/");
	} else {
		/* "/dir/part*": normalize "/dir/", keep "part" verbatim */
		char *slash = strrchr(d, '/');
		const char *tail = slash ? slash + 1 : d;
		size_t ol = 0;
		if (slash) {
			char keep = slash[1];
			slash[1] = 0;
			ol = squash(d, o);
			slash[1] = keep;
		}
		o[ol++] = '/';
		size_t tl = strlen(tail);
		memcpy(o + ol, tail, tl);
		ol += tl;
		o[ol++] = '*';
		o[ol] = 0;
	}
	free(d);
	*out = o;
	return 0;
fail:
	free(d);
	free(o);
	return r;
}

bool httprule_path_match(const char *pattern, const char *path)
{
	if (strcmp(pattern, "/*") == 0 || strcmp(pattern, "*") == 0)
		return true;
	size_t n = strlen(pattern);
	if (n > 0 && pattern[n - 1] == '*')
		return strncmp(path, pattern, n - 1) == 0;
	return strcmp(pattern, path) == 0;
}

/* Case-insensitive host comparison; brackets around the request host (an
 * IPv6 literal from a Host header) are ignored. */
static bool host_eq(const char *rule_host, const char *host)
{
	size_t n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	return strlen(rule_host) == n && strncasecmp(rule_host, host, n) == 0;
}

bool httprule_match(const struct sl_http_rule *r, const char *method, const char *host,
		    const char *path)
{
	if (strcmp(r->method, "*") != 0 && strcasecmp(r->method, method) != 0)
		return false;
	if (strcmp(r->host, "*") != 0 && !host_eq(r->host, host))
		return false;
	return httprule_path_match(r->path, path);
}

bool httprule_allows(const struct sl_http_rule *rules, size_t n_allow, size_t n_deny,
		     const char *method, const char *host, const char *path)
{
	for (size_t i = n_allow; i < n_allow + n_deny; i++)
		if (httprule_match(&rules[i], method, host, path))
			return false;
	if (n_allow == 0)
		return true;
	for (size_t i = 0; i < n_allow; i++)
		if (httprule_match(&rules[i], method, host, path))
			return true;
	return false;
}

/* RFC 9110 token characters, the alphabet of method names. */
static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int parse_method(const char *rule, const char *m, char **out)
{
	if (strcmp(m, "*") != 0) {
		for (const char *p = m; *p; p++) {
			if (*p == '*')
				return bad(rule,
					   "partial method wildcards like '%s' are not "
					   "supported (use '*' for any method)",
					   m);
			if (!is_tchar(*p))
				return bad(rule, "invalid method '%s'", m);
		}
	}
	char *s = strdup(m);
	if (!s)
		return -ENOMEM;
	for (char *p = s; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	*out = s;
	return 0;
}

static bool is_ipv6(const char *s)
{
	unsigned char buf[16];
	return inet_pton(AF_INET6, s, buf) == 1;
}

/* h is a writable, NUL-terminated copy of the host part. */
static int parse_host(const char *rule, char *h, char **out)
{
	if (!*h)
		return bad(rule, "missing host (use '*' for any host)");
	size_t n = strlen(h);
	if (strcmp(h, "*") == 0) {
		/* any host */
	} else if (h[0] == '[' && h[n - 1] == ']') {
		h[n - 1] = 0;
		h++;
		if (!is_ipv6(h))
			return bad(rule, "'[%s]' is not an IPv6 address", h);
	} else if (strchr(h, '*')) {
		return bad(rule,
			   "host wildcards like '%s' are not supported (use '*' for any host)", h);
	} else if (strchr(h, ':')) {
		return bad(rule, "host '%s' must not include a port (see http_ports)", h);
	} else {
		for (const char *p = h; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_'))
				return bad(rule, "invalid host '%s'", h);
	}
	char *s = strdup(h);
	if (!s)
		return -ENOMEM;
	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	*out = s;
	return 0;
}

static int parse_path(const char *rule, const char *path, char **out)
{
	const char *star = strchr(path, '*');
	if (star && star[1])
		return bad(rule, "'*' is only allowed at the end of the path");
	int r = httprule_normalize_path(path, true, out);
	if (r == -EINVAL)
		return bad(rule, "path contains an encoded NUL byte (%%00)");
	return r;
}

/* Splits the trimmed rule s in place and fills out. */
static int parse_parts(const char *rule, char *s, struct sl_http_rule *out)
{
	char *ws = s;
	while (*ws && !sl_is_space(*ws))
		ws++;
	if (!*s || !*ws)
		return bad(rule, USAGE);
	*ws = 0;
	char *rest = sl_trim(ws + 1);
	if (!*rest)
		return bad(rule, USAGE);
	for (const char *p = rest; *p; p++)
		if (sl_is_space(*p))
			return bad(rule, "unexpected whitespace in '%s'", rest);
	int r = parse_method(rule, s, &out->method);
	if (r < 0)
		return r;
	char *slash = strchr(rest, '/');
	char *hostpart = slash ? strndup(rest, (size_t)(slash - rest)) : strdup(rest);
	if (!hostpart)
		return -ENOMEM;
	r = parse_host(rule, hostpart, &out->host);
	free(hostpart);
	if (r < 0)
		return r;
	return parse_path(rule, slash ? slash : "/*", &out->path);
}

int httprule_parse(const char *rule, struct sl_http_rule *out)
{
	*out = (struct sl_http_rule){0};
	if (!rule)
		return sl_errorf(EINVAL, "invalid http rule: rule is NULL");
	char *copy = strdup(rule);
	if (!copy)
		return -ENOMEM;
	int r = parse_parts(rule, sl_trim(copy), out);
	free(copy);
	if (r < 0)
		httprule_free(out);
	return r;
}

int httprule_copy(struct sl_http_rule *dst, const struct sl_http_rule *src)
{
	*dst = (struct sl_http_rule){0};
	dst->method = strdup(src->method);
	dst->host = strdup(src->host);
	dst->path = strdup(src->path);
	if (!dst->method || !dst->host || !dst->path) {
		httprule_free(dst);
		return -ENOMEM;
	}
	return 0;
}

void httprule_free(struct sl_http_rule *r)
{
	if (!r)
		return;
	free(r->method);
	free(r->host);
	free(r->path);
	*r = (struct sl_http_rule){0};
}
