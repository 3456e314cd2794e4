/* SPDX-License-Identifier: Apache-2.0 */
/* httpmsg.c - HTTP/1.1 heads and body framing, strict (see httpmsg.h). */
#include "httpmsg.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Sets *why and returns err. */
static int fail(const char **why, int err, const char *reason)
{
	if (why)
		*why = reason;
	return err;
}

/* RFC 9110 5.6.2 tchar. */
static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
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

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Is s[0..n) equal to the NUL-terminated word, case-insensitively? */
static bool eq_nocase(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* Drops the OWS around s[0..*n). */
static const char *trim(const char *s, size_t *n)
{
	while (*n && is_ows(s[0])) {
		s++;
		(*n)--;
	}
	while (*n && is_ows(s[*n - 1]))
		(*n)--;
	return s;
}

/* ---- the head: lines and fields ------------------------------------------- */

/* Finds the end of the head in buf[0..len), checking each byte from from on
 * (those before were checked): CR only before LF, LF only after CR, no
 * control byte but HTAB, no empty line first.  0 with *head_len, or -EAGAIN,
 * -E2BIG, -EINVAL. */
static int find_head(const char *buf, size_t len, size_t from, size_t *head_len, const char **why)
{
	size_t lim = len < HTTPMSG_HEAD_MAX ? len : HTTPMSG_HEAD_MAX;
	if (len > 0 && (buf[0] == '\r' || buf[0] == '\n'))
		return fail(why, -EINVAL, "empty line before the start line");
	for (size_t i = from; i < lim; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c == '\r') {
			if (i + 1 < len && buf[i + 1] != '\n')
				return fail(why, -EINVAL, "bare CR in the head");
		} else if (c == '\n') {
			if (i == 0 || buf[i - 1] != '\r')
				return fail(why, -EINVAL, "bare LF in the head");
			if (i >= 3 && buf[i - 2] == '\n' && buf[i - 3] == '\r') {
				*head_len = i + 1;
				return 0;
			}
		} else if (c == 0) {
			return fail(why, -EINVAL, "NUL byte in the head");
		} else if ((c < 0x20 && c != '\t') || c == 0x7f) {
			return fail(why, -EINVAL, "control byte in the head");
		}
	}
	if (len >= HTTPMSG_HEAD_MAX)
		return fail(why, -E2BIG, "head too large");
	return fail(why, -EAGAIN, "head incomplete");
}

int httpmsg_head_scan(const char *buf, size_t len, size_t *checked, const char **why)
{
	size_t head_len = 0;
	if (why)
		*why = NULL;
	/* the last 3 bytes are looked at again: a CR whose LF had not come, the
	 * start of a CRLFCRLF */
	size_t from = *checked > 3 ? *checked - 3 : 0;
	int r = find_head(buf, len, from < len ? from : len, &head_len, why);
	if (r == 0)
		*checked = head_len;
	else if (r == -EAGAIN)
		*checked = len;
	return r;
}

/* The line at *pos of head[0..end): its start and length without its CRLF;
 * *pos moves past the CRLF.  NULL when no CRLF ends it. */
static const char *next_line(const char *head, size_t end, size_t *pos, size_t *n)
{
	const char *p = head + *pos;
	for (size_t i = *pos; i + 1 < end; i++) {
		if (head[i] == '\r' && head[i + 1] == '\n') {
			*n = i - *pos;
			*pos = i + 2;
			return p;
		}
	}
	return NULL;
}

struct field {
	const char *name, *val;
	size_t nlen, vlen;
};

/* Splits a field line "name: value" (value without its OWS). */
static int parse_field(const char *p, size_t n, struct field *f, const char **why)
{
	if (is_ows(p[0]))
		return fail(why, -EINVAL, "obsolete line folding");
	size_t i = 0;
	while (i < n && is_tchar((unsigned char)p[i]))
		i++;
	if (i < n && is_ows(p[i]))
		return fail(why, -EINVAL, "whitespace before ':' in a field");
	if (i == 0 || i == n || p[i] != ':')
		return fail(why, -EINVAL, "malformed field name");
	f->name = p;
	f->nlen = i;
	f->vlen = n - i - 1;
	f->val = trim(p + i + 1, &f->vlen);
	return 0;
}

/* Content-Length: decimal digits that fit in 64 bits. */
static int parse_length(const char *s, size_t n, uint64_t *out, const char **why)
{
	if (n == 0)
		return fail(why, -EINVAL, "malformed Content-Length");
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return fail(why, -EINVAL, "malformed Content-Length");
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return fail(why, -EINVAL, "Content-Length too large");
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

enum { CONN_CLOSE = 1, CONN_KEEP_ALIVE = 2, CONN_UPGRADE = 4 };

/* Connection: a comma list of tokens (empty elements allowed, RFC 9110
 * 5.6.1); ORs the options the proxy needs into *flags. */
static int parse_connection(const char *s, size_t n, int *flags, const char **why)
{
	size_t i = 0;
	while (i <= n) {
		size_t j = i;
		while (j < n && s[j] != ',')
			j++;
		size_t en = j - i;
		const char *e = trim(s + i, &en);
		for (size_t k = 0; k < en; k++)
			if (!is_tchar((unsigned char)e[k]))
				return fail(why, -EINVAL, "malformed Connection");
		if (eq_nocase(e, en, "close"))
			*flags |= CONN_CLOSE;
		else if (eq_nocase(e, en, "keep-alive"))
			*flags |= CONN_KEEP_ALIVE;
		else if (eq_nocase(e, en, "upgrade"))
			*flags |= CONN_UPGRADE;
		i = j + 1;
	}
	return 0;
}

static bool keep_alive(int minor, int conn)
{
	if (conn & CONN_CLOSE)
		return false;
	return minor == 1 || (conn & CONN_KEEP_ALIVE);
}

/* "HTTP/1.0" or "HTTP/1.1" at s[0..n): 0 with *minor; -ENOSYS for a later
 * major version ("HTTP/2", "HTTP/3.0"); else -EINVAL. */
static int parse_version(const char *s, size_t n, int *minor, const char **why)
{
	if (n == 8 && !memcmp(s, "HTTP/1.", 7) && (s[7] == '0' || s[7] == '1')) {
		*minor = s[7] - '0';
		return 0;
	}
	if ((n == 6 || (n == 8 && s[6] == '.' && is_digit(s[7]))) && !memcmp(s, "HTTP/", 5) &&
	    s[5] >= '2' && s[5] <= '9')
		return fail(why, -ENOSYS, "HTTP version not supported");
	return fail(why, -EINVAL, "malformed HTTP version");
}

/* ---- hosts ------------------------------------------------------------------ */

#define HOST_MAX 255

/* Is the label s[0..n) a number as URL parsers read one in a host (decimal,
 * or 0x and hex)? */
static bool numeric_label(const char *s, size_t n)
{
	size_t i = 0;
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (i = 2; i < n; i++)
			if (hexval(s[i]) < 0)
				return false;
		return true;
	}
	for (; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return n > 0;
}

/* A dotted quad in canonical form: four decimal parts 0-255, no leading
 * zero. */
static bool canonical_ipv4(const char *s, size_t n)
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part && (i >= n || s[i++] != '.'))
			return false;
		size_t st = i;
		unsigned v = 0;
		while (i < n && is_digit(s[i]) && i - st < 3)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == st || v > 255 || (i - st > 1 && s[st] == '0'))
			return false;
	}
	return i == n;
}

/* A reg-name of [A-Za-z0-9._~-], non-empty labels; a name whose last label
 * is numeric must be a canonical IPv4 address. */
static int check_regname(const char *s, size_t n, const char **why)
{
	size_t label = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0)
				return fail(why, -EINVAL, "empty label in the host");
			label = 0;
			continue;
		}
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
			  c == '-' || c == '_' || c == '~';
		if (!ok)
			return fail(why, -EINVAL, "invalid character in the host");
		label++;
	}
	if (label == 0)
		return fail(why, -EINVAL, "empty label in the host");
	if (numeric_label(s + n - label, label) && !canonical_ipv4(s, n))
		return fail(why, -EINVAL, "ambiguous numeric host");
	return 0;
}

/* ":port" (1-65535, no leading zero) or nothing at s[0..n). */
static int parse_port(const char *s, size_t n, uint16_t *port, const char **why)
{
	*port = 0;
	if (n == 0)
		return 0;
	if (s[0] != ':' || n == 1)
		return fail(why, -EINVAL, "malformed port");
	unsigned v = 0;
	if (n > 6 || s[1] == '0')
		return fail(why, -EINVAL, "invalid port");
	for (size_t i = 1; i < n; i++) {
		if (!is_digit(s[i]))
			return fail(why, -EINVAL, "malformed port");
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535)
		return fail(why, -EINVAL, "invalid port");
	*port = (uint16_t)v;
	return 0;
}

/* host [":" port] at s[0..n): *host malloc'd, lower-case, no brackets (an
 * IPv6 address canonical). */
static int parse_host(const char *s, size_t n, char **host, uint16_t *port, const char **why)
{
	*host = NULL;
	if (n == 0)
		return fail(why, -EINVAL, "empty host");
	char buf[INET6_ADDRSTRLEN];
	const char *h = s;
	size_t hn;
	int r;
	if (s[0] == '[') {
		const char *e = memchr(s, ']', n);
		struct in6_addr a;
		if (!e || (size_t)(e - s - 1) >= sizeof(buf))
			return fail(why, -EINVAL, "malformed IPv6 host");
		memcpy(buf, s + 1, (size_t)(e - s - 1));
		buf[e - s - 1] = 0;
		if (inet_pton(AF_INET6, buf, &a) != 1 || !inet_ntop(AF_INET6, &a, buf, sizeof(buf)))
			return fail(why, -EINVAL, "malformed IPv6 host");
		h = buf;
		hn = strlen(buf);
		r = parse_port(e + 1, n - (size_t)(e + 1 - s), port, why);
	} else {
		const char *colon = memchr(s, ':', n);
		hn = colon ? (size_t)(colon - s) : n;
		if (hn == 0)
			return fail(why, -EINVAL, "empty host");
		if (hn > HOST_MAX)
			return fail(why, -EINVAL, "host too long");
		r = check_regname(s, hn, why);
		if (r == 0)
			r = parse_port(s + hn, n - hn, port, why);
	}
	if (r < 0)
		return r;
	*host = strndup(h, hn);
	if (!*host)
		return -ENOMEM;
	for (char *p = *host; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return 0;
}

/* ---- the request target ----------------------------------------------------- */

/* A path byte RFC 3986 allows unescaped (pchar, '/'), '%' checked apart. */
static bool path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
	       (c && strchr("-._~!$&'()*+,;=:@/", c));
}

/* The path at s[0..n) up to '?' (*pn), and the query after it: the path of
 * RFC 3986 bytes and valid %-escapes, the query of visible ASCII.  The
 * caller has refused '#'. */
static int check_path_query(const char *s, size_t n, size_t *pn, const char **why)
{
	size_t i = 0;
	for (; i < n && s[i] != '?'; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
				return fail(why, -EINVAL, "malformed %-escape in the path");
		} else if (!path_char(s[i])) {
			return fail(why, -EINVAL, "invalid character in the path");
		}
	}
	*pn = i;
	for (; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return fail(why, -EINVAL, "invalid character in the query");
	return 0;
}

/* Fills target, path, and for the absolute-form absolute, https_scheme, host
 * and port. */
static int parse_target(const char *t, size_t n, struct httpmsg_req *out, const char **why)
{
	if (memchr(t, '#', n))
		return fail(why, -EINVAL, "fragment in the request-target");
	const char *p = t;
	size_t len = n, pn;
	int r;
	if (n == 1 && t[0] == '*') {
		if (strcmp(out->method, "OPTIONS") != 0)
			return fail(why, -EINVAL, "'*' target without OPTIONS");
		pn = 1;
	} else if (t[0] == '/') {
		r = check_path_query(t, n, &pn, why);
		if (r < 0)
			return r;
	} else {
		size_t sl;
		if (n > 7 && !strncasecmp(t, "http://", 7)) {
			sl = 7;
		} else if (n > 8 && !strncasecmp(t, "https://", 8)) {
			sl = 8;
			out->https_scheme = true;
		} else {
			return fail(why, -EINVAL, "unsupported request-target form");
		}
		out->absolute = true;
		size_t an = 0;
		while (sl + an < n && t[sl + an] != '/' && t[sl + an] != '?')
			an++;
		if (memchr(t + sl, '@', an))
			return fail(why, -EINVAL, "userinfo in the request-target");
		r = parse_host(t + sl, an, &out->host, &out->port, why);
		if (r < 0)
			return r;
		p = t + sl + an;
		len = n - sl - an;
		r = check_path_query(p, len, &pn, why);
		if (r < 0)
			return r;
	}
	out->target = strndup(t, n);
	out->path = pn ? strndup(p, pn) : strdup("/");
	return out->target && out->path ? 0 : -ENOMEM;
}

/* method SP request-target SP HTTP-version */
static int parse_request_line(const char *l, size_t n, struct httpmsg_req *out, const char **why)
{
	const char *sp1 = memchr(l, ' ', n);
	if (!sp1)
		return fail(why, -EINVAL, "malformed request line");
	size_t ml = (size_t)(sp1 - l);
	if (ml == 0 || ml >= sizeof(out->method))
		return fail(why, -EINVAL, "invalid method");
	for (size_t i = 0; i < ml; i++)
		if (!is_tchar((unsigned char)l[i]))
			return fail(why, -EINVAL, "invalid method");
	memcpy(out->method, l, ml);
	out->method[ml] = 0;
	const char *t = sp1 + 1;
	const char *sp2 = memchr(t, ' ', n - ml - 1);
	if (!sp2 || sp2 == t)
		return fail(why, -EINVAL, "malformed request line");
	const char *v = sp2 + 1;
	size_t vn = n - (size_t)(v - l);
	if (memchr(v, ' ', vn) || memchr(l, '\t', n))
		return fail(why, -EINVAL, "malformed request line");
	int r = parse_version(v, vn, &out->minor, why);
	if (r < 0)
		return r;
	/* CONNECT opens a tunnel the proxy could not see into (any case: some
	 * servers fold methods) */
	if (!strcasecmp(out->method, "CONNECT"))
		return fail(why, -ENOSYS, "CONNECT not supported");
	return parse_target(t, (size_t)(sp2 - t), out, why);
}

/* ---- requests --------------------------------------------------------------- */

/* Is the final coding of a Transfer-Encoding list chunked?  Each element is
 * a token with optional parameters; empty elements are skipped. */
static int te_final_chunked(const char *s, size_t n, bool *chunked, const char **why)
{
	bool any = false;
	for (size_t i = 0; i <= n;) {
		size_t j = i;
		while (j < n && s[j] != ',')
			j++;
		size_t en = j - i, k = 0;
		const char *e = trim(s + i, &en);
		while (k < en && is_tchar((unsigned char)e[k]))
			k++;
		if (k < en && e[k] != ';' && !is_ows(e[k]))
			return fail(why, -EINVAL, "malformed Transfer-Encoding");
		if (en) {
			if (k == 0)
				return fail(why, -EINVAL, "malformed Transfer-Encoding");
			*chunked = k == en && eq_nocase(e, en, "chunked");
			any = true;
		}
		i = j + 1;
	}
	return any ? 0 : fail(why, -EINVAL, "empty Transfer-Encoding");
}

/* Does an Upgrade list offer HTTP itself again (h2c, h2, "HTTP/2.0")?
 * After the server's 101 the client would send its requests in a tunnel
 * the proxy only relays: every one of them undecided. */
static bool upgrades_to_http(const char *s, size_t n)
{
	for (size_t i = 0; i <= n;) {
		size_t j = i;
		while (j < n && s[j] != ',')
			j++;
		size_t en = j - i;
		const char *e = trim(s + i, &en);
		size_t pn = 0; /* the protocol's name, before "/version" */
		while (pn < en && e[pn] != '/')
			pn++;
		if (eq_nocase(e, pn, "h2c") || eq_nocase(e, pn, "h2") || eq_nocase(e, pn, "http") ||
		    eq_nocase(e, pn, "h3"))
			return true;
		i = j + 1;
	}
	return false;
}

/* What the fields of a head say, gathered before deciding. */
struct fields {
	unsigned host_n, cl_n, te_n, expect_n;
	struct field host, te, expect;
	uint64_t length;
	bool cl_conflict;
	int conn;
	bool upgrade_field, te_chunked;
	bool upgrade_http; /* an Upgrade field offers HTTP again */
};

/* Is the name s[0..n) word with some '-' written '_'?  CGI-style servers
 * (CGI, WSGI, PHP-FPM) map both to the same variable. */
static bool underscored(const char *s, size_t n, const char *word)
{
	if (strlen(word) != n || !memchr(s, '_', n))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '_' && word[i] == '-') && tolower((unsigned char)s[i]) != word[i])
			return false;
	return true;
}

/* One field line of a head; for_resp: the response's leniencies. */
static int take_field(struct fields *fs, const char *l, size_t n, bool for_resp, const char **why)
{
	struct field f;
	int r = parse_field(l, n, &f, why);
	if (r < 0)
		return r;
	/* a framing field in another spelling: the proxy frames without
	 * it, a server might frame with it */
	if (!for_resp && (underscored(f.name, f.nlen, "content-length") ||
			  underscored(f.name, f.nlen, "transfer-encoding")))
		return fail(why, -EINVAL, "framing field name with '_'");
	if (eq_nocase(f.name, f.nlen, "host")) {
		if (fs->host_n++ == 0)
			fs->host = f;
	} else if (eq_nocase(f.name, f.nlen, "content-length")) {
		uint64_t v;
		if (!for_resp) {
			if (fs->cl_n++)
				return fail(why, -EINVAL, "several Content-Length");
			return parse_length(f.val, f.vlen, &fs->length, why);
		}
		/* a comma list of equal values, in as many fields */
		for (size_t i = 0; i <= f.vlen;) {
			size_t j = i;
			while (j < f.vlen && f.val[j] != ',')
				j++;
			size_t en = j - i;
			const char *e = trim(f.val + i, &en);
			r = parse_length(e, en, &v, why);
			if (r < 0)
				return r;
			if (fs->cl_n++ && v != fs->length)
				return fail(why, -EINVAL, "conflicting Content-Length");
			fs->length = v;
			i = j + 1;
		}
	} else if (eq_nocase(f.name, f.nlen, "transfer-encoding")) {
		fs->te_n++;
		fs->te = f;
		/* a response's final coding is in its last field */
		if (for_resp)
			return te_final_chunked(f.val, f.vlen, &fs->te_chunked, why);
	} else if (eq_nocase(f.name, f.nlen, "connection")) {
		return parse_connection(f.val, f.vlen, &fs->conn, why);
	} else if (eq_nocase(f.name, f.nlen, "upgrade")) {
		fs->upgrade_field |= f.vlen > 0;
		fs->upgrade_http |= !for_resp && upgrades_to_http(f.val, f.vlen);
	} else if (eq_nocase(f.name, f.nlen, "expect")) {
		if (fs->expect_n++ == 0)
			fs->expect = f;
	}
	return 0;
}

/* Reads every field line of the head after its start line. */
static int take_fields(struct fields *fs, const char *buf, size_t head_len, size_t pos,
		       bool for_resp, const char **why)
{
	unsigned count = 0;
	memset(fs, 0, sizeof(*fs));
	for (;;) {
		size_t n;
		const char *l = next_line(buf, head_len, &pos, &n);
		if (!l)
			return fail(why, -EINVAL, "malformed head");
		if (n == 0)
			break;
		if (++count > HTTPMSG_FIELDS_MAX)
			return fail(why, -E2BIG, "too many header fields");
		int r = take_field(fs, l, n, for_resp, why);
		if (r < 0)
			return r;
	}
	return pos == head_len ? 0 : fail(why, -EINVAL, "malformed head");
}

/* Host, body framing, Connection and Expect of a request. */
static int request_semantics(struct httpmsg_req *out, const struct fields *fs, const char **why)
{
	if (fs->host_n > 1)
		return fail(why, -EINVAL, "several Host fields");
	if (fs->host_n == 0 && out->minor == 1)
		return fail(why, -EINVAL, "no Host field");
	if (fs->host_n == 1) {
		char *h;
		uint16_t port;
		int r = parse_host(fs->host.val, fs->host.vlen, &h, &port, why);
		if (r < 0)
			return r;
		if (out->absolute) {
			/* the same host, and port with the scheme's default for
			 * a missing one */
			uint16_t dflt = out->https_scheme ? 443 : 80;
			bool same = !strcmp(h, out->host) &&
				    (port ? port : dflt) == (out->port ? out->port : dflt);
			free(h);
			if (!same)
				return fail(why, -EINVAL, "Host differs from the request-target");
		} else {
			out->host = h;
			out->port = port;
		}
	}
	if (fs->te_n) {
		if (fs->te_n > 1)
			return fail(why, -EINVAL, "several Transfer-Encoding");
		if (fs->cl_n)
			return fail(why, -EINVAL, "both Transfer-Encoding and Content-Length");
		if (out->minor == 0)
			return fail(why, -EINVAL, "Transfer-Encoding in HTTP/1.0");
		if (fs->te.vlen == 0)
			return fail(why, -EINVAL, "empty Transfer-Encoding");
		if (!eq_nocase(fs->te.val, fs->te.vlen, "chunked"))
			return fail(why, -ENOSYS, "Transfer-Encoding not supported");
		out->body = HM_CHUNKED;
	} else if (fs->cl_n) {
		out->body = HM_LENGTH;
		out->length = fs->length;
	}
	if (fs->expect_n > 1)
		return fail(why, -EINVAL, "several Expect fields");
	if (fs->expect_n) {
		if (!eq_nocase(fs->expect.val, fs->expect.vlen, "100-continue"))
			return fail(why, -EINVAL, "unsupported Expect");
		/* a server ignores it in an HTTP/1.0 request (RFC 9110 10.1.1):
		 * no 100 will come */
		out->expect_continue = out->minor == 1;
	}
	out->keep_alive = keep_alive(out->minor, fs->conn);
	out->upgrade = fs->upgrade_field && (fs->conn & CONN_UPGRADE);
	if (out->upgrade && fs->upgrade_http)
		return fail(why, -ENOSYS, "upgrade to HTTP/2 not supported");
	return 0;
}

int httpmsg_parse_req(const char *buf, size_t len, struct httpmsg_req *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	if (why)
		*why = NULL;
	/* a start that cannot be a method is refused before its line ends */
	if (len > 0 && !is_tchar((unsigned char)buf[0]) && buf[0] != '\r' && buf[0] != '\n')
		return fail(why, -EINVAL, "malformed request line");
	size_t head_len = 0, pos = 0, n = 0;
	int r = find_head(buf, len, 0, &head_len, why);
	if (r < 0)
		return r;
	out->head_len = head_len;
	const char *l = next_line(buf, head_len, &pos, &n);
	struct fields fs;
	r = parse_request_line(l, n, out, why);
	if (r == 0)
		r = take_fields(&fs, buf, head_len, pos, false, why);
	if (r == 0)
		r = request_semantics(out, &fs, why);
	if (r < 0) {
		httpmsg_req_free(out);
		if (r == -ENOMEM && why)
			*why = "out of memory";
	}
	return r;
}

void httpmsg_req_free(struct httpmsg_req *r)
{
	if (!r)
		return;
	free(r->target);
	free(r->path);
	free(r->host);
	memset(r, 0, sizeof(*r));
}

/* ---- responses -------------------------------------------------------------- */

/* HTTP-version SP 3DIGIT [SP reason] */
static int parse_status_line(const char *l, size_t n, struct httpmsg_resp *out, const char **why)
{
	if (n < 12 || l[8] != ' ')
		return fail(why, -EINVAL, "malformed status line");
	int r = parse_version(l, 8, &out->minor, why);
	if (r < 0)
		return r == -ENOSYS ? fail(why, -EINVAL, "malformed HTTP version") : r;
	if (!is_digit(l[9]) || !is_digit(l[10]) || !is_digit(l[11]) || l[9] == '0')
		return fail(why, -EINVAL, "malformed status code");
	out->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	if (n > 12 && l[12] != ' ')
		return fail(why, -EINVAL, "malformed status line");
	return 0;
}

static int response_framing(struct httpmsg_resp *out, const struct fields *fs,
			    const char *req_method, bool req_upgrade, const char **why)
{
	bool chunked = fs->te_chunked;
	if (fs->te_n && out->minor == 0)
		return fail(why, -EINVAL, "Transfer-Encoding in HTTP/1.0");
	out->keep_alive = keep_alive(out->minor, fs->conn);
	if (out->status == 101) {
		if (!req_upgrade)
			return fail(why, -EINVAL, "101 without an upgrade request");
		out->body = HM_TUNNEL;
		out->keep_alive = false;
	} else if (out->status < 200) {
		out->body = HM_NONE;
		out->interim = true;
	} else if ((req_method && !strcmp(req_method, "HEAD")) || out->status == 204 ||
		   out->status == 304) {
		out->body = HM_NONE;
	} else if (fs->te_n) {
		out->body = chunked ? HM_CHUNKED : HM_CLOSE;
		if (!chunked || fs->cl_n)
			out->keep_alive = false;
	} else if (fs->cl_n) {
		out->body = HM_LENGTH;
		out->length = fs->length;
	} else {
		out->body = HM_CLOSE;
		out->keep_alive = false;
	}
	return 0;
}

int httpmsg_parse_resp(const char *buf, size_t len, const char *req_method, bool req_upgrade,
		       struct httpmsg_resp *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	if (why)
		*why = NULL;
	if (len > 0 && buf[0] != 'H' && buf[0] != '\r' && buf[0] != '\n')
		return fail(why, -EINVAL, "malformed status line");
	size_t head_len = 0, pos = 0, n = 0;
	int r = find_head(buf, len, 0, &head_len, why);
	if (r < 0)
		return r;
	const char *l = next_line(buf, head_len, &pos, &n);
	struct fields fs;
	r = parse_status_line(l, n, out, why);
	if (r == 0)
		r = take_fields(&fs, buf, head_len, pos, true, why);
	if (r == 0)
		r = response_framing(out, &fs, req_method, req_upgrade, why);
	if (r < 0) {
		memset(out, 0, sizeof(*out));
		return r;
	}
	out->head_len = head_len;
	return 0;
}

/* ---- chunked bodies --------------------------------------------------------- */

/* The framer's states: a size line, the data, the CRLF after it, the trailer
 * lines and the final CRLF. */
enum {
	CS_SIZE,     /* hex digits (linelen of them so far) */
	CS_EXT,	     /* a chunk-ext, up to CR */
	CS_SIZE_LF,  /* LF ending the size line */
	CS_DATA,     /* left bytes of data */
	CS_DATA_CR,  /* CR after the data */
	CS_DATA_LF,  /* LF after the data */
	CS_TR_START, /* a trailer line's first byte, or the final CR */
	CS_TR_NAME,  /* a trailer field's name */
	CS_TR_VALUE, /* its value, up to CR */
	CS_TR_LF,    /* LF ending a trailer line */
	CS_END_LF,   /* the final LF */
	CS_DONE,
	CS_FAILED,
};

void httpmsg_chunked_init(struct httpmsg_chunked *c)
{
	memset(c, 0, sizeof(*c));
	c->state = CS_SIZE;
}

/* A byte a line may hold (the CR that ends it aside). */
static bool line_byte(unsigned char b)
{
	return (b >= 0x20 && b != 0x7f) || b == '\t';
}

/* Counts a byte of a size or trailer line against the limits. */
static const char *count_line(struct httpmsg_chunked *c, bool trailer)
{
	if (++c->linelen > HTTPMSG_CHUNK_LINE_MAX)
		return trailer ? "trailer line too long" : "chunk-ext too long";
	if (trailer && ++c->trailers > HTTPMSG_TRAILERS_MAX)
		return "trailers too large";
	return NULL;
}

/* One byte of a line (any state but CS_DATA); NULL or the refusal. */
static const char *chunked_byte(struct httpmsg_chunked *c, unsigned char b)
{
	int h;
	switch (c->state) {
	case CS_SIZE:
		if ((h = hexval((char)b)) >= 0) {
			if (c->left > (uint64_t)INT64_MAX >> 4)
				return "chunk size too large";
			c->left = c->left << 4 | (unsigned)h;
			return count_line(c, false);
		}
		if (c->linelen == 0)
			return "malformed chunk size";
		if (b == ';')
			c->state = CS_EXT;
		else if (b == '\r')
			c->state = CS_SIZE_LF;
		else
			return "malformed chunk size";
		return count_line(c, false);
	case CS_EXT:
		if (b == '\r')
			c->state = CS_SIZE_LF;
		else if (!line_byte(b))
			return "malformed chunk-ext";
		return count_line(c, false);
	case CS_SIZE_LF:
		if (b != '\n')
			return "bare CR in a chunk size line";
		c->linelen = 0;
		c->state = c->left ? CS_DATA : CS_TR_START;
		return NULL;
	case CS_DATA_CR:
		c->state = CS_DATA_LF;
		return b == '\r' ? NULL : "no CRLF after chunk data";
	case CS_DATA_LF:
		c->state = CS_SIZE;
		return b == '\n' ? NULL : "no CRLF after chunk data";
	case CS_TR_START:
		if (b == '\r') {
			c->state = CS_END_LF;
			return NULL;
		}
		if (!is_tchar(b))
			return "malformed trailer field";
		c->state = CS_TR_NAME;
		return count_line(c, true);
	case CS_TR_NAME:
		if (b == ':')
			c->state = CS_TR_VALUE;
		else if (!is_tchar(b))
			return "malformed trailer field";
		return count_line(c, true);
	case CS_TR_VALUE:
		if (b == '\r')
			c->state = CS_TR_LF;
		else if (!line_byte(b))
			return "malformed trailer field";
		return count_line(c, true);
	case CS_TR_LF:
		if (b != '\n')
			return "bare CR in a trailer";
		c->linelen = 0;
		c->state = CS_TR_START;
		return NULL;
	case CS_END_LF:
		if (b != '\n')
			return "bare CR after the trailers";
		c->state = CS_DONE;
		c->done = true;
		return NULL;
	}
	return "chunked framer misused";
}

long httpmsg_chunked_feed(struct httpmsg_chunked *c, const char *buf, size_t len, const char **why)
{
	if (c->state == CS_FAILED)
		return fail(why, -EINVAL, c->failed);
	if (len > LONG_MAX)
		len = LONG_MAX;
	size_t i = 0;
	while (i < len && c->state != CS_DONE) {
		if (c->state == CS_DATA) {
			size_t take = len - i;
			if (take > c->left)
				take = (size_t)c->left;
			c->left -= take;
			i += take;
			if (!c->left)
				c->state = CS_DATA_CR;
			continue;
		}
		const char *bad = chunked_byte(c, (unsigned char)buf[i]);
		if (bad) {
			c->state = CS_FAILED;
			c->failed = bad;
			return fail(why, -EINVAL, bad);
		}
		i++;
	}
	return (long)i;
}

/* ---- rewriting ---------------------------------------------------------------- */

/* "token:" then bytes a line may hold. */
static bool valid_add(const char *add)
{
	size_t i = 0;
	while (is_tchar((unsigned char)add[i]))
		i++;
	if (i == 0 || add[i] != ':')
		return false;
	for (i++; add[i]; i++)
		if (!line_byte((unsigned char)add[i]))
			return false;
	return true;
}

int httpmsg_rewrite_head(const char *head, size_t head_len, const char *drop, const char *add,
			 char **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	if (head_len < 4 || memcmp(head + head_len - 4, "\r\n\r\n", 4) != 0)
		return -EINVAL;
	if (add && !valid_add(add))
		return -EINVAL;
	size_t addn = add ? strlen(add) : 0, dropn = drop ? strlen(drop) : 0;
	char *o = malloc(head_len + addn + 3);
	if (!o)
		return -ENOMEM;
	/* the start line, then each field line not dropped, then the empty
	 * line that must end the head */
	size_t pos = 0, on = 0, n = 0;
	const char *l = next_line(head, head_len, &pos, &n);
	bool first = true;
	while (l && n > 0) {
		bool skip =
		    !first && drop && n > dropn && l[dropn] == ':' && !strncasecmp(l, drop, dropn);
		if (!skip) {
			memcpy(o + on, l, n + 2);
			on += n + 2;
		}
		first = false;
		l = next_line(head, head_len, &pos, &n);
	}
	if (!l || first || pos != head_len) {
		free(o);
		return -EINVAL;
	}
	if (add) {
		memcpy(o + on, add, addn);
		on += addn;
		o[on++] = '\r';
		o[on++] = '\n';
	}
	o[on++] = '\r';
	o[on++] = '\n';
	o[on] = 0;
	*out = o;
	*outlen = on;
	return 0;
}
