/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostname.c - the files that name the sandbox, served by synthetic.c:
 * /etc/hostname and /etc/hosts.
 *
 * uname(2) answers the sandbox's name (uname.c), so a program that looks
 * its own host name up (a mailer, a JVM, sudo, anything calling
 * getaddrinfo on gethostname()) asks the resolver for that name.  The
 * host's /etc/hosts does not have it, and the DNS the lookup falls back
 * on is out of the sandbox's reach, or knows nothing of the name: the
 * lookup fails, after the resolver's timeouts where a DNS server can be
 * reached.  So /etc/hosts is always the sandbox's: the loopback names and
 * its own name on 127.0.1.1 (the Debian convention: an address of the
 * loopback net that is not "localhost"'s), then the hosts the network
 * rules pin.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "error.h"
#include "netplan.h"
#include "synthetic.h"
#include "util.h"

/* Appends the strings of a NULL-terminated list: 0 or -ENOMEM. */
__attribute__((sentinel)) static int put(struct sl_buf *b, ...)
{
	va_list ap;
	va_start(ap, b);
	int r = 0;
	for (const char *s; r == 0 && (s = va_arg(ap, const char *));) {
		size_t n = strlen(s);
		r = sl_buf_reserve(b, n);
		if (r == 0) {
			memcpy(b->p + b->len, s, n);
			b->len += n;
		}
	}
	va_end(ap);
	return r;
}

int hostname_file(struct sl_buf *out, const struct synth_src *src)
{
	return put(out, src->name, "\n", (char *)NULL);
}

/* One field of a hosts line: no white space (the separator), no '#' (a
 * comment to the end of the line), nothing empty. */
static bool one_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '#' || *s == 0x7f)
			return false;
	return true;
}

int hostname_hosts(struct sl_buf *out, const struct synth_src *src)
{
	int r = put(out, "127.0.0.1 localhost\n", "::1 localhost ip6-localhost ip6-loopback\n",
		    "127.0.1.1 ", src->name, "\n", (char *)NULL);
	for (size_t i = 0; r == 0 && i < src->npins; i++) {
		const struct netplan_pin *p = &src->pins[i];
		if (!one_word(p->addr) || !one_word(p->name))
			return sl_errorf(EINVAL, "/etc/hosts: pinned host %zu is not one word", i);
		r = put(out, p->addr, " ", p->name, "\n", (char *)NULL);
	}
	return r;
}
