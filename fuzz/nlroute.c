/* SPDX-License-Identifier: Apache-2.0 */
/* nlroute.c - the NETLINK_ROUTE view's answers (nlroute_answer) to any
 * request datagram: no crash, a reply within NLROUTE_REPLY_MAX made of
 * whole aligned messages, each carrying the socket's port id. */
#include <linux/netlink.h>

#include "fuzz.h"
#include "nlroute.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char out[NLROUTE_REPLY_MAX];
	/* a copy: the kernel hands the view an aligned buffer of its own */
	unsigned char *req = malloc(size ? size : 1);
	if (!req)
		return 0;
	memcpy(req, data, size);
	size_t n = nlroute_answer(req, size, 77, out);
	FUZZ_ASSERT(n <= NLROUTE_REPLY_MAX);
	size_t off = 0;
	while (off < n) {
		struct nlmsghdr h;
		FUZZ_ASSERT(n - off >= sizeof(h));
		memcpy(&h, out + off, sizeof(h));
		FUZZ_ASSERT(h.nlmsg_len >= NLMSG_HDRLEN && h.nlmsg_len <= n - off);
		FUZZ_ASSERT(h.nlmsg_pid == 77);
		off += NLMSG_ALIGN(h.nlmsg_len);
	}
	FUZZ_ASSERT(off == n);
	free(req);
	return 0;
}
