/* SPDX-License-Identifier: Apache-2.0 */
/* httpmsg.c - HTTP heads and chunked bodies: no crash, no leak.  An accepted
 * head ends in CRLFCRLF within the input, every shorter prefix of it asks
 * for more, and it parses the same cut at its end; a rewritten request head
 * parses to the same request; a response's framing agrees with its request;
 * the incremental head check agrees with itself and the parsers;
 * a chunked body fed whole, in two parts or byte by byte frames the same. */
#include <errno.h>
#include <stdbool.h>

#include "fuzz.h"
#include "httpmsg.h"

static bool head_ok(const char *buf, size_t size, size_t head_len)
{
	return head_len >= 4 && head_len <= size && head_len <= HTTPMSG_HEAD_MAX &&
	       !memcmp(buf + head_len - 4, "\r\n\r\n", 4);
}

static bool same_req(const struct httpmsg_req *a, const struct httpmsg_req *b)
{
	return !strcmp(a->method, b->method) && !strcmp(a->target, b->target) &&
	       !strcmp(a->path, b->path) && (a->host == b->host || !strcmp(a->host, b->host)) &&
	       a->port == b->port && a->absolute == b->absolute &&
	       a->https_scheme == b->https_scheme && a->minor == b->minor && a->body == b->body &&
	       a->length == b->length && a->keep_alive == b->keep_alive &&
	       a->upgrade == b->upgrade && a->expect_continue == b->expect_continue;
}

static void check_req(const char *buf, size_t size)
{
	struct httpmsg_req r, r2;
	const char *why;
	int e = httpmsg_parse_req(buf, size, &r, &why);
	FUZZ_ASSERT(e == 0 || e == -EAGAIN || e == -EINVAL || e == -E2BIG || e == -ENOSYS ||
		    e == -ENOMEM);
	FUZZ_ASSERT(e == 0 ? why == NULL : why != NULL);
	if (e < 0)
		return;
	FUZZ_ASSERT(head_ok(buf, size, r.head_len));
	FUZZ_ASSERT(r.method[0] && r.target && r.path && (r.host || r.minor == 0));
	FUZZ_ASSERT(r.body == HM_NONE || r.body == HM_LENGTH || r.body == HM_CHUNKED);
	FUZZ_ASSERT(httpmsg_parse_req(buf, r.head_len - 1, &r2, &why) == -EAGAIN);
	FUZZ_ASSERT(httpmsg_parse_req(buf, r.head_len / 2, &r2, &why) == -EAGAIN);
	FUZZ_ASSERT(httpmsg_parse_req(buf, r.head_len, &r2, &why) == 0);
	FUZZ_ASSERT(same_req(&r, &r2) && r2.head_len == r.head_len);
	httpmsg_req_free(&r2);

	char *o;
	size_t on;
	if (httpmsg_rewrite_head(buf, r.head_len, "x-drop", "X-Add: 1", &o, &on) == 0) {
		FUZZ_ASSERT(strlen(o) == on);
		e = httpmsg_parse_req(o, on, &r2, &why);
		/* one more field may pass a limit */
		FUZZ_ASSERT(e == 0 || e == -E2BIG);
		if (e == 0) {
			FUZZ_ASSERT(r2.head_len == on && same_req(&r, &r2));
			httpmsg_req_free(&r2);
		}
		free(o);
	}
	httpmsg_req_free(&r);
}

static void check_resp(const char *buf, size_t size, const char *method, bool upgrade)
{
	struct httpmsg_resp r;
	const char *why;
	int e = httpmsg_parse_resp(buf, size, method, upgrade, &r, &why);
	FUZZ_ASSERT(e == 0 || e == -EAGAIN || e == -EINVAL || e == -E2BIG);
	FUZZ_ASSERT(e == 0 ? why == NULL : why != NULL);
	if (e < 0)
		return;
	FUZZ_ASSERT(head_ok(buf, size, r.head_len));
	FUZZ_ASSERT(r.status >= 100 && r.status <= 999 && (r.minor == 0 || r.minor == 1));
	FUZZ_ASSERT(r.body != HM_TUNNEL || (upgrade && r.status == 101));
	FUZZ_ASSERT(!r.interim || (r.body == HM_NONE && r.status < 200));
	FUZZ_ASSERT(!method || strcmp(method, "HEAD") || r.body == HM_NONE || r.body == HM_TUNNEL);
	FUZZ_ASSERT(r.body != HM_CLOSE || !r.keep_alive);
}

/* Feeds buf[0..size) cut at the given points; the bytes taken or the
 * refusal, and whether the body ended. */
static long feed(const char *buf, size_t size, const size_t *cuts, size_t ncuts, bool *done)
{
	struct httpmsg_chunked c;
	const char *why;
	size_t at = 0;
	long total = 0;
	httpmsg_chunked_init(&c);
	for (size_t k = 0; k <= ncuts && !c.done; k++) {
		size_t end = k < ncuts ? cuts[k] : size;
		long r = httpmsg_chunked_feed(&c, buf + at, end - at, &why);
		if (r < 0) {
			FUZZ_ASSERT(r == -EINVAL && why);
			*done = false;
			return r;
		}
		FUZZ_ASSERT((size_t)r <= end - at && ((size_t)r == end - at || c.done));
		total += r;
		at = end;
	}
	*done = c.done;
	return total;
}

static void check_chunked(const char *buf, size_t size)
{
	bool d1, d2;
	long whole = feed(buf, size, NULL, 0, &d1);
	size_t cut = size ? ((size_t)(unsigned char)buf[size - 1] * 257 + size) % (size + 1) : 0;
	FUZZ_ASSERT(feed(buf, size, &cut, 1, &d2) == whole && d2 == d1);
	if (size > 1 && size <= 4096) {
		size_t *cuts = malloc((size - 1) * sizeof(*cuts));
		if (!cuts)
			return;
		for (size_t i = 0; i < size - 1; i++)
			cuts[i] = i + 1;
		FUZZ_ASSERT(feed(buf, size, cuts, size - 1, &d2) == whole && d2 == d1);
		free(cuts);
	}
}

/* The incremental head check: in two calls as in one, and as the parsers
 * about the head's bytes. */
static void check_scan(const char *buf, size_t size)
{
	size_t c1 = 0, c2 = 0, cut = size ? (size_t)(unsigned char)buf[0] % (size + 1) : 0;
	const char *why;
	int whole = httpmsg_head_scan(buf, size, &c1, &why);
	int two = httpmsg_head_scan(buf, cut, &c2, &why);
	if (two == -EAGAIN)
		two = httpmsg_head_scan(buf, size, &c2, &why);
	FUZZ_ASSERT(two == whole && (whole < 0 || c1 == c2));
	struct httpmsg_resp r;
	int e = httpmsg_parse_resp(buf, size, "GET", true, &r, &why);
	FUZZ_ASSERT(whole != 0 || e != -EAGAIN);
	if (e == 0)
		FUZZ_ASSERT(whole == 0 && c1 == r.head_len);
	if (whole == -EAGAIN || whole == -E2BIG)
		FUZZ_ASSERT(e == whole || (e == -EINVAL && buf[0] != 'H'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	check_scan(buf, size);
	check_req(buf, size);
	check_resp(buf, size, "GET", false);
	check_resp(buf, size, "HEAD", true);
	check_resp(buf, size, NULL, true);
	check_chunked(buf, size);
	return 0;
}
