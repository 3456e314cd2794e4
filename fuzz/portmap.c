/* SPDX-License-Identifier: Apache-2.0 */
/* portmap.c - portmap_tcp_view and portmap_holds on any text taken for a
 * /proc/net/tcp table: no crash; the view is the input's first line, then
 * lines each at a virtual port of the map, never more lines than the input
 * had. */
#include <sys/socket.h>

#include "fuzz.h"
#include "portmap.h"

/* The port of a view line's local address: after the first ':' past its
 * slot, the address, then ':' and four hex digits. */
static long local_port(const char *line, const char *end)
{
	const char *c = memchr(line, ':', (size_t)(end - line));
	const char *a = c ? memchr(c + 1, ':', (size_t)(end - c - 1)) : NULL;
	if (!a || end - a < 5)
		return -1;
	char hex[5] = {a[1], a[2], a[3], a[4], 0};
	return strtol(hex, NULL, 16);
}

static size_t lines(const char *p, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += p[i] == '\n';
	return k + (n && p[n - 1] != '\n');
}

static void check_view(const struct portmap *m, int fam, const uint8_t *data, size_t size)
{
	struct sl_buf out = {0};
	const char *text = (const char *)data;
	FUZZ_ASSERT(portmap_tcp_view(m, fam, text, size, &out) == 0);
	const char *o = (const char *)out.p, *end = o + out.len;
	const char *nl = memchr(text, '\n', size);
	size_t head = nl ? (size_t)(nl - text) + 1 : size;
	FUZZ_ASSERT(out.len >= head && memcmp(o, text, head) == 0);
	FUZZ_ASSERT(lines(o, out.len) <= lines(text, size));
	for (const char *s = o + head; s < end;) {
		const char *e = memchr(s, '\n', (size_t)(end - s));
		FUZZ_ASSERT(e); /* every line it writes ends */
		long port = local_port(s, e);
		FUZZ_ASSERT(port > 0 && portmap_real(m, fam, (uint16_t)port));
		s = e + 1;
	}
	sl_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct portmap m = {0};
	FUZZ_ASSERT(portmap_set(&m, AF_INET, 6379, 40123, 200) == 0);
	FUZZ_ASSERT(portmap_set(&m, AF_INET, 22, 22, 201) == 0);
	FUZZ_ASSERT(portmap_set(&m, AF_INET6, 80, 40080, 300) == 0);
	check_view(&m, AF_INET, data, size);
	check_view(&m, AF_INET6, data, size);
	(void)portmap_holds(&m, (const char *)data, size, 40123);
	(void)portmap_holds(&m, (const char *)data, size, 22);
	portmap_free(&m);
	return 0;
}
