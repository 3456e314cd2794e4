/* SPDX-License-Identifier: Apache-2.0 */
/* credential.c - credential and http_auth specs (see credential.h). */
#include "credential.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "names.h"
#include "policy.h"

#define NAME_MAX_LEN   64u
#define HOSTNAME_MAX   253u
#define HEADER_MAX_LEN 64u

__attribute__((format(printf, 3, 4))) static int bad(const char *field, const char *spec,
						     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = sl_error_value(field, spec, fmt, ap);
	va_end(ap);
	return r;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The length of the NAME that starts s (up to a byte that cannot be in
 * one), and whether it is a valid one. */
static size_t name_len(const char *s)
{
	size_t n = 0;
	while (is_alnum(s[n]) || s[n] == '_' || s[n] == '-')
		n++;
	return n;
}

/* ---- loading a secret ---------------------------------------------------------- */

/* Reads fd to its end into a fresh buffer of at most SL_CREDENTIAL_MAX
 * bytes and a newline (NUL-terminated).  0, -EFBIG when there is more,
 * -errno. */
static int read_all(int fd, char **out, size_t *len)
{
	size_t cap = SL_CREDENTIAL_MAX + 2, n = 0;
	char *buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	int r = 0;
	while (n < cap) {
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (r == 0 && n > SL_CREDENTIAL_MAX + 1)
		r = -EFBIG;
	char *s = r == 0 ? malloc(n + 1) : NULL;
	if (r == 0 && !s)
		r = -ENOMEM;
	if (r == 0) {
		memcpy(s, buf, n);
		s[n] = 0;
		*out = s;
		*len = n;
	}
	explicit_bzero(buf, cap + 1);
	free(buf);
	return r;
}

/* A file's or a descriptor's content ends with a newline more often than
 * not (echo, editors): one is dropped.  Then the size is checked. */
static int strip_newline(struct sl_credential *c)
{
	if (c->len > 0 && c->secret[c->len - 1] == '\n')
		c->secret[--c->len] = 0;
	return c->len > SL_CREDENTIAL_MAX ? -EFBIG : 0;
}

static int read_failed(const char *name, const char *what, int r)
{
	if (r == -ENOMEM)
		return r;
	if (r == -EFBIG)
		return sl_errorf(EFBIG, "credential '%s': %s holds more than %u KiB", name, what,
				 SL_CREDENTIAL_MAX / 1024);
	return sl_errorf(-r, "credential '%s': %s: %s", name, what, strerror(-r));
}

static int load_env(struct sl_credential *c, const char *spec, const char *var)
{
	if (!*var)
		return bad("credential", spec, "an empty variable name after 'env:'");
	if (names_check_env_key(var) < 0)
		return bad("credential", spec, "invalid environment variable name '%s'", var);
	const char *v = getenv(var);
	if (!v)
		return sl_errorf(EINVAL, "credential '%s': environment variable %s is not set",
				 c->name, var);
	c->len = strlen(v);
	if (c->len > SL_CREDENTIAL_MAX)
		return read_failed(c->name, var, -EFBIG);
	c->secret = strdup(v);
	return c->secret ? 0 : -ENOMEM;
}

static int load_file(struct sl_credential *c, const char *spec, const char *path)
{
	if (!*path)
		return bad("credential", spec, "an empty path after 'file:'");
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return read_failed(c->name, path, -errno);
	int r = read_all(fd, &c->secret, &c->len);
	close(fd);
	if (r == 0)
		r = strip_newline(c);
	return r < 0 ? read_failed(c->name, path, r) : 0;
}

/* The fd is the caller's: read, never closed. */
static int load_fd(struct sl_credential *c, const char *spec, const char *num)
{
	char *end;
	errno = 0;
	long fd = strtol(num, &end, 10);
	if (!*num || *end || num[0] < '0' || num[0] > '9' || errno || fd > INT_MAX)
		return bad("credential", spec, "'%s' is not a file descriptor number", num);
	char what[32];
	snprintf(what, sizeof(what), "fd %ld", fd);
	int r = read_all((int)fd, &c->secret, &c->len);
	if (r == 0)
		r = strip_newline(c);
	return r < 0 ? read_failed(c->name, what, r) : 0;
}

/* The secret travels in an HTTP header line. */
static int check_secret(const struct sl_credential *c)
{
	if (c->len == 0)
		return sl_errorf(EINVAL, "credential '%s': the secret is empty", c->name);
	if (memchr(c->secret, 0, c->len))
		return sl_errorf(EINVAL, "credential '%s': the secret holds a NUL byte", c->name);
	if (memchr(c->secret, '\r', c->len) || memchr(c->secret, '\n', c->len))
		return sl_errorf(EINVAL,
				 "credential '%s': the secret holds a line break (CR or LF), "
				 "which an HTTP header cannot carry",
				 c->name);
	return 0;
}

static int load_source(struct sl_credential *c, const char *spec, const char *src)
{
	if (strncmp(src, "env:", 4) == 0)
		return load_env(c, spec, src + 4);
	if (strncmp(src, "file:", 5) == 0)
		return load_file(c, spec, src + 5);
	if (strncmp(src, "fd:", 3) == 0)
		return load_fd(c, spec, src + 3);
	return bad("credential", spec, "unknown source '%s' (env:VAR, file:PATH or fd:N)", src);
}

int credential_load(const char *spec, const struct sl_credential *prev, size_t n,
		    struct sl_credential *out)
{
	*out = (struct sl_credential){0};
	size_t len = name_len(spec);
	if (len == 0 || spec[len] != '=')
		return bad("credential", spec,
			   "expected NAME=SOURCE, NAME of letters, digits, '_' and '-'");
	if (len > NAME_MAX_LEN)
		return bad("credential", spec, "the name is longer than %u characters",
			   NAME_MAX_LEN);
	for (size_t i = 0; i < n; i++)
		if (strlen(prev[i].name) == len && strncmp(prev[i].name, spec, len) == 0)
			return sl_errorf(EINVAL, "credential '%s' is defined twice", prev[i].name);
	if (!(out->name = strndup(spec, len)))
		return -ENOMEM;
	int r = load_source(out, spec, spec + len + 1);
	if (r == 0)
		r = check_secret(out);
	if (r < 0)
		credential_free(out);
	return r;
}

const char *credential_env_var(const char *spec)
{
	size_t len = name_len(spec);
	if (len == 0 || spec[len] != '=' || strncmp(spec + len + 1, "env:", 4) != 0)
		return NULL;
	return spec + len + 5;
}

int credential_copy(struct sl_credential *dst, const struct sl_credential *src)
{
	*dst = (struct sl_credential){.len = src->len};
	dst->name = strdup(src->name);
	dst->secret = malloc(src->len + 1);
	if (!dst->name || !dst->secret) {
		credential_free(dst);
		return -ENOMEM;
	}
	memcpy(dst->secret, src->secret, src->len + 1);
	return 0;
}

void credential_free(struct sl_credential *c)
{
	if (!c)
		return;
	if (c->secret)
		explicit_bzero(c->secret, c->len);
	free(c->secret);
	free(c->name);
	*c = (struct sl_credential){0};
}

/* ---- http_auth ----------------------------------------------------------------- */

/* A DNS name: letters, digits, '-', '.', '_'; an IPv4 address in the
 * form a.b.c.d only (inet_aton's other forms would name another address
 * than the one shown). */
static int check_host(const char *spec, const char *h)
{
	size_t n = strlen(h);
	if (n == 0)
		return bad("http_auth", spec, "missing host");
	if (n > HOSTNAME_MAX)
		return bad("http_auth", spec, "host name longer than %u characters", HOSTNAME_MAX);
	if (strchr(h, '*'))
		return bad("http_auth", spec, "host wildcards like '%s' are not supported", h);
	if (strchr(h, ':'))
		return bad("http_auth", spec, "host '%s' must not include a port", h);
	for (const char *p = h; *p; p++)
		if (!is_alnum(*p) && *p != '-' && *p != '.' && *p != '_')
			return bad("http_auth", spec, "invalid host '%s'", h);
	struct in_addr a;
	char shown[INET_ADDRSTRLEN];
	if (inet_aton(h, &a) && inet_ntop(AF_INET, &a, shown, sizeof(shown)) &&
	    strcmp(shown, h) != 0)
		return bad("http_auth", spec,
			   "'%s' reads as the address %s (write IPv4 addresses as a.b.c.d)", h,
			   shown);
	return 0;
}

/* host: "[v6]" or a bare IPv6 literal, else a name or IPv4 address;
 * stored lower-cased without brackets. */
static int parse_host(const char *spec, const char *h, size_t n, char **out)
{
	char *s = strndup(h, n);
	if (!s)
		return -ENOMEM;
	char *bare = s;
	unsigned char v6[16];
	int r = 0;
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s[n - 1] = 0;
		bare = s + 1;
		if (inet_pton(AF_INET6, bare, v6) != 1)
			r = bad("http_auth", spec, "'[%s]' is not an IPv6 address", bare);
	} else if (inet_pton(AF_INET6, s, v6) != 1) {
		r = check_host(spec, s);
	}
	if (r == 0 && !(*out = strdup(bare)))
		r = -ENOMEM;
	free(s);
	if (r == 0)
		for (char *p = *out; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	return r;
}

/* a and b the same field name, case and '_' for '-' aside (CGI-style
 * servers read "Content_Length" as Content-Length). */
static bool same_field(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '_' ? '-' : *a, y = *b == '_' ? '-' : *b;
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return *a == *b;
}

/* An HTTP field name: a token (RFC 9110 5.1, 5.6.2). */
static int check_header(const char *spec, const char *h)
{
	size_t n = strlen(h);
	if (n == 0)
		return bad("http_auth", spec, "an empty header name after ':'");
	if (n > HEADER_MAX_LEN)
		return bad("http_auth", spec, "the header name is longer than %u characters",
			   HEADER_MAX_LEN);
	for (const char *p = h; *p; p++)
		if (!is_alnum(*p) && !strchr("!#$%&'*+-.^_`|~", *p))
			return bad("http_auth", spec, "invalid header name '%s'", h);
	/* the fields that frame, route or hold the connection: the secret in
	 * one would take the client's place (dropped) and the server would
	 * read the message otherwise than the proxy did (Content-Length: a
	 * body framed by the secret, a request smuggled past the rules),
	 * or send it elsewhere (Host); '_' for '-' too, as CGI reads it */
	static const char *const framing[] = {"Content-Length",
					      "Transfer-Encoding",
					      "Host",
					      "Connection",
					      "Keep-Alive",
					      "Proxy-Connection",
					      "TE",
					      "Trailer",
					      "Upgrade",
					      "Expect"};
	for (size_t i = 0; i < sizeof(framing) / sizeof(framing[0]); i++)
		if (same_field(h, framing[i]))
			return bad("http_auth", spec,
				   "the header '%s' frames or routes the request: a secret "
				   "cannot go in it",
				   h);
	return 0;
}

int credential_parse_http_auth(const char *spec, const struct sl_credential *creds, size_t n,
			       struct sl_http_auth *out)
{
	*out = (struct sl_http_auth){0};
	const char *eq = strchr(spec, '=');
	if (!eq)
		return bad("http_auth", spec, "expected HOST=NAME[:HEADER]");
	const char *name = eq + 1;
	size_t len = name_len(name);
	if (len == 0 || (name[len] && name[len] != ':'))
		return bad("http_auth", spec, "expected HOST=NAME[:HEADER]");
	for (size_t i = 0; i < n && !out->cred; i++)
		if (strlen(creds[i].name) == len && strncmp(creds[i].name, name, len) == 0)
			out->cred = &creds[i];
	if (!out->cred)
		return bad("http_auth", spec, "no credential is named '%.*s'", (int)len, name);
	int r = 0;
	if (name[len] == ':' && (r = check_header(spec, name + len + 1)) == 0 &&
	    !(out->header = strdup(name + len + 1)))
		r = -ENOMEM;
	if (r == 0)
		r = parse_host(spec, spec, (size_t)(eq - spec), &out->host);
	if (r < 0)
		credential_http_auth_free(out);
	return r;
}

void credential_http_auth_free(struct sl_http_auth *a)
{
	if (!a)
		return;
	free(a->host);
	free(a->header);
	*a = (struct sl_http_auth){0};
}
