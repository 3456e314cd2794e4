/* SPDX-License-Identifier: Apache-2.0 */
/* kaudit.c - Landlock's refusals from the audit records (kaudit.h). */
#include "kaudit.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "denials.h"

/* Linux 6.15: Debian 12's headers lack them. */
#ifndef AUDIT_LANDLOCK_ACCESS
#define AUDIT_LANDLOCK_ACCESS 1423
#endif
#ifndef AUDIT_LANDLOCK_DOMAIN
#define AUDIT_LANDLOCK_DOMAIN 1424
#endif

/* Whether audit is enabled: AUDIT_GET on fd.  0 yes, -ENODATA no, or
 * -errno (-EPERM without CAP_AUDIT_CONTROL). */
static int audit_enabled(int fd)
{
	struct {
		struct nlmsghdr h;
		char pad[16];
	} req = {.h = {.nlmsg_len = NLMSG_LENGTH(0),
		       .nlmsg_type = AUDIT_GET,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		       .nlmsg_seq = 1}};
	struct sockaddr_nl to = {.nl_family = AF_NETLINK};
	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	for (int tries = 0; tries < 8; tries++) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 500) <= 0)
			return -ETIMEDOUT;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				if (e->error)
					return e->error;
			} else if (h->nlmsg_type == AUDIT_GET &&
				   h->nlmsg_len >= NLMSG_LENGTH(2 * sizeof(uint32_t))) {
				const struct audit_status *st = NLMSG_DATA(h);
				return st->enabled ? 0 : -ENODATA;
			}
		}
	}
	return -EPROTO;
}

int kaudit_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0)
		return -errno;
	/* enabled first: the group's records would queue meanwhile; then
	 * the group is joined by option (the request bound the socket) */
	int r = audit_enabled(fd), group = AUDIT_NLGRP_READLOG;
	if (r == 0 &&
	    setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
		r = -errno;
	int fl = r == 0 ? fcntl(fd, F_GETFL) : -1;
	if (r == 0 && (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0))
		r = -errno;
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* The value of key= in text, in out: quoted, or hex (how audit logs a
 * string holding a space or a quote), or bare.  false when absent. */
static bool field(const char *text, size_t len, const char *key, char *out, size_t size)
{
	size_t kl = strlen(key);
	for (size_t i = 0; i + kl + 1 <= len; i++) {
		if ((i && text[i - 1] != ' ') || strncmp(text + i, key, kl) || text[i + kl] != '=')
			continue;
		const char *v = text + i + kl + 1, *end = text + len;
		size_t o = 0;
		if (v < end && *v == '"') {
			for (v++; v < end && *v != '"' && o + 1 < size; v++)
				out[o++] = *v;
		} else {
			const char *e = memchr(v, ' ', (size_t)(end - v));
			size_t n = (size_t)((e ? e : end) - v);
			bool hex = n % 2 == 0 && n > 0 && strspn(v, "0123456789ABCDEF") >= n &&
				   (strcmp(key, "path") == 0 || strcmp(key, "exe") == 0);
			for (size_t j = 0; j < n && o + 1 < size; j += hex ? 2 : 1) {
				unsigned int c = (unsigned char)v[j];
				if (hex && sscanf(v + j, "%2x", &c) != 1)
					break;
				out[o++] = (char)c;
			}
		}
		out[o] = 0;
		return true;
	}
	return false;
}

/* What the refused rights ask for, and the grant that would give them. */
static void rule_of(const struct kaudit_rec *r, char *rule, size_t size, const char **op)
{
	const char *b = r->blockers;
	bool fs = strncmp(b, "fs.", 3) == 0;
	bool read = fs && (strstr(b, "read_") || strstr(b, "execute"));
	bool made = fs && (strstr(b, "make_") || strstr(b, "remove_"));
	*op = !fs		       ? (strncmp(b, "net.", 4) == 0 ? "connect/bind" : "scope")
	      : strstr(b, "execute")   ? "exec"
	      : strstr(b, "refer")     ? "rename/link"
	      : strstr(b, "make_")     ? "create"
	      : strstr(b, "remove_")   ? "remove"
	      : strstr(b, "ioctl_dev") ? "ioctl"
				       : "open";
	if (fs && (read || made || strstr(b, "write_file") || strstr(b, "truncate")) &&
	    r->target[0] == '/' && !strstr(b, "refer") && !strstr(b, "ioctl"))
		snprintf(rule, size, "%s: not under any %s tree (%s %s would allow it)", b,
			 read && !made ? "-r or -w" : "-w", read && !made ? "-r" : "-w", r->target);
	else
		snprintf(rule, size, "%s: refused by Landlock", b);
}

static void emit(struct kaudit *k, const struct kaudit_rec *r)
{
	char rule[512];
	const char *op;
	rule_of(r, rule, sizeof(rule), &op);
	denials_add_op(k->out, "audit", op, 0, EACCES, r->target, rule);
}

void kaudit_record(struct kaudit *k, int type, const char *text, size_t len)
{
	char id[32], pid[16], status[16], exe[sizeof(k->exe)];
	if (!field(text, len, "domain", id, sizeof(id)))
		return;
	uint64_t domain = strtoull(id, NULL, 16);
	if (type == AUDIT_LANDLOCK_DOMAIN) {
		if (k->domain_known || !field(text, len, "status", status, sizeof(status)) ||
		    strcmp(status, "allocated") != 0 ||
		    !field(text, len, "pid", pid, sizeof(pid)) || atoi(pid) != (int)k->root ||
		    !field(text, len, "exe", exe, sizeof(exe)) || strcmp(exe, k->exe) != 0)
			return;
		k->domain = domain;
		k->domain_known = true;
		for (size_t i = 0; i < k->n_pending; i++)
			if (k->pending[i].domain == domain)
				emit(k, &k->pending[i]);
		k->n_pending = 0;
		return;
	}
	if (type != AUDIT_LANDLOCK_ACCESS || (k->domain_known && domain != k->domain))
		return;
	struct kaudit_rec r = {.domain = domain};
	field(text, len, "blockers", r.blockers, sizeof(r.blockers));
	if (!field(text, len, "path", r.target, sizeof(r.target))) {
		/* not a path: the rest of the record names the object */
		const char *b = strstr(text, "blockers=");
		const char *rest = b ? memchr(b, ' ', len - (size_t)(b - text)) : NULL;
		snprintf(r.target, sizeof(r.target), "%.*s",
			 rest ? (int)(len - (size_t)(rest + 1 - text)) : 0, rest ? rest + 1 : "");
	}
	if (k->domain_known)
		emit(k, &r);
	else if (k->n_pending < KAUDIT_PENDING)
		k->pending[k->n_pending++] = r;
}

void kaudit_read(struct kaudit *k)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	ssize_t n;
	/* One record per datagram, and its nlmsg_len counts the text
	 * alone (audit_log_end sets it so): never walked as a netlink
	 * batch. */
	while (k->fd >= 0 && (n = recv(k->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		if ((size_t)n <= NLMSG_HDRLEN || (h->nlmsg_type != AUDIT_LANDLOCK_ACCESS &&
						  h->nlmsg_type != AUDIT_LANDLOCK_DOMAIN))
			continue;
		const char *t = buf + NLMSG_HDRLEN;
		size_t len = strnlen(t, (size_t)n - NLMSG_HDRLEN);
		const char *body = memmem(t, len, "): ", 3); /* after "audit(T:S)" */
		if (body)
			kaudit_record(k, h->nlmsg_type, body + 3, len - (size_t)(body + 3 - t));
	}
}

void kaudit_drain(struct kaudit *k, int wait_ms)
{
	struct pollfd p = {.fd = k->fd, .events = POLLIN};
	kaudit_read(k);
	while (k->fd >= 0 && poll(&p, 1, wait_ms) > 0) {
		kaudit_read(k);
		wait_ms = 0;
	}
}
