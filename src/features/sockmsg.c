/* SPDX-License-Identifier: Apache-2.0 */
/* sockmsg.c - a sendmsg's message read once from the child (see sockmsg.h). */
#include "sockmsg.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "mem.h"
#include "supervisor.h"

void sockmsg_free(struct sockmsg *m)
{
	free(m->data);
	free(m->ctl);
	free(m->iov);
	m->data = m->ctl = NULL;
	m->iov = NULL;
	m->len = m->ctllen = m->niov = 0;
}

/* The size to copy of a message of total bytes: a datagram must fit
 * whole, a stream takes what fits (a short count, as a non-blocking
 * send of the kernel's would). */
static int data_size(uint64_t total, struct sockmsg_bound b, size_t *out)
{
	size_t max = b.max < SOCKMSG_DATA_MAX ? b.max : SOCKMSG_DATA_MAX;
	if (total > max && !b.stream)
		return -EMSGSIZE;
	*out = total > max ? max : (size_t)total;
	return 0;
}

int sockmsg_read_data(uint64_t buf, size_t len, struct sockmsg_bound b, struct sockmsg *m)
{
	int r = data_size(len, b, &m->len);
	if (r < 0 || !m->len)
		return r;
	if (!(m->iov = malloc(sizeof(*m->iov))))
		return -ENOMEM;
	m->iov[0] = (struct iovec){.iov_base = (void *)(uintptr_t)buf, .iov_len = m->len};
	m->niov = 1;
	return 0;
}

int sockmsg_read_payload(struct sl_ctx *c, struct sockmsg *m)
{
	if (!m->len || m->data)
		return 0;
	if (!(m->data = malloc(m->len)))
		return -ENOMEM;
	return mem_readv(&c->mem, m->iov, m->niov, m->data, m->len) < 0 ? -EFAULT : 0;
}

/* The iovecs: the ranges to read (sockmsg_read_payload).  A negative
 * length is EINVAL (the kernel's ssize_t check); a zero-length one is
 * skipped whatever its base. */
static int read_iov(struct sl_ctx *c, uint64_t at, uint64_t n, struct sockmsg_bound b,
		    struct sockmsg *m)
{
	if (n > SOCKMSG_IOV_MAX)
		return -EMSGSIZE;
	if (!n)
		return 0;
	struct iovec *v = malloc(n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	uint64_t total = 0;
	size_t k = 0;
	int r = mem_read(&c->mem, at, v, n * sizeof(*v)) < 0 ? -EFAULT : 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		if ((ssize_t)v[i].iov_len < 0)
			r = -EINVAL;
		/* each below 2^63, but 1024 of them can wrap: saturated (the
		 * kernel refuses a range past the user address space, EFAULT;
		 * a wrapped sum once sent a few bytes in its place) */
		total = v[i].iov_len > UINT64_MAX - total ? UINT64_MAX : total + v[i].iov_len;
		if (v[i].iov_len)
			v[k++] = v[i];
	}
	if (r == 0)
		r = data_size(total, b, &m->len);
	/* a stream cut at the bound: the ranges up to it */
	size_t left = m->len, used = 0;
	while (r == 0 && used < k && left) {
		if (v[used].iov_len > left)
			v[used].iov_len = left;
		left -= v[used++].iov_len;
	}
	if (r == 0 && m->len) {
		m->iov = v;
		m->niov = used;
	} else {
		free(v);
	}
	return r;
}

bool sockmsg_routes(int level, int type)
{
	return (level == IPPROTO_IP && type == IP_RETOPTS) ||
	       (level == IPPROTO_IPV6 && (type == IPV6_RTHDR || type == IPV6_2292RTHDR));
}

int sockmsg_control(const void *ctl, size_t len, bool unix_sock, struct sockmsg *m, bool *pass)
{
	const unsigned char *p = ctl;
	*pass = false;
	/* as the kernel's for_each_cmsghdr: a header must fit whole, each
	 * one's length must too (CMSG_OK), the next starts aligned */
	for (size_t off = 0; len - off >= sizeof(struct cmsghdr);) {
		struct cmsghdr h;
		memcpy(&h, p + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > len - off)
			return -EINVAL;
		if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_CREDENTIALS)
			return -EPERM;
		if (!unix_sock && sockmsg_routes(h.cmsg_level, h.cmsg_type))
			return -EPERM;
		if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_RIGHTS) {
			if (!unix_sock)
				return -EINVAL;
			size_t n = (h.cmsg_len - CMSG_LEN(0)) / sizeof(int);
			if (n > SOCKMSG_FDS_MAX - (size_t)m->nfds)
				return -EINVAL;
			memcpy(&m->fds[m->nfds], p + off + CMSG_LEN(0), n * sizeof(int));
			m->nfds += (int)n;
		} else if (unix_sock && h.cmsg_level == SOL_SOCKET) {
			return -EINVAL; /* __scm_send knows no other type */
		} else if (!unix_sock) {
			*pass = true;
		}
		size_t step = CMSG_ALIGN(h.cmsg_len);
		if (step > len - off)
			break;
		off += step;
	}
	return 0;
}

/* The control data, copied and walked. */
static int read_control(struct sl_ctx *c, uint64_t at, uint64_t len, bool unix_sock,
			struct sockmsg *m)
{
	if (len > INT_MAX || len > SOCKMSG_CTL_MAX)
		return -ENOBUFS;
	if (!len)
		return 0;
	void *buf = malloc((size_t)len);
	if (!buf)
		return -ENOMEM;
	bool pass = false;
	int r = mem_read(&c->mem, at, buf, (size_t)len) < 0 ? -EFAULT : 0;
	if (r == 0)
		r = sockmsg_control(buf, (size_t)len, unix_sock, m, &pass);
	if (r == 0 && pass) {
		m->ctl = buf;
		m->ctllen = (size_t)len;
	} else {
		free(buf);
	}
	return r;
}

int sockmsg_read(struct sl_ctx *c, uint64_t addr, bool unix_sock, struct sockmsg_bound b,
		 struct sockmsg *m)
{
	struct sockmsg_hdr h;
	if (mem_read(&c->mem, addr, &h, sizeof(h)) < 0)
		return -EFAULT;
	/* no name: no length; a longer one is cut to a sockaddr_storage
	 * (the kernel's __copy_msghdr; sendto's would be EINVAL) */
	int32_t nl = h.name ? h.namelen : 0;
	if (nl < 0)
		return -EINVAL;
	m->addrlen = (socklen_t)nl > sizeof(m->addr) ? sizeof(m->addr) : (socklen_t)nl;
	if (m->addrlen && mem_read(&c->mem, h.name, &m->addr, m->addrlen) < 0)
		return -EFAULT;
	int r = read_iov(c, h.iov, h.iovlen, b, m);
	return r < 0 ? r : read_control(c, h.control, h.controllen, unix_sock, m);
}
