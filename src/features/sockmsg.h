/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sockmsg.h - one message of a sendmsg or sendmmsg (or a sendto's data),
 * read once from the notifying child, for unixsock.c to send itself.
 *
 * What the kernel reads of a struct msghdr, read the same way and
 * bounded the same way: the address (truncated to a sockaddr_storage),
 * at most UIO_MAXIOV iovecs, gathered into one buffer, the control data
 * up to SOCKMSG_CTL_MAX (ENOBUFS beyond, as the kernel's optmem limit).
 * The data is read last, on its own (sockmsg_read_payload), and only up
 * to what the socket can take in one call (the caller's bound, at most
 * SOCKMSG_DATA_MAX): a datagram larger fails EMSGSIZE before a byte is
 * read, a byte stream is cut there and the call returns a short count.
 * A copy of more would be work for nothing, and the caller can ask the
 * kernel whether the socket has room before it copies any (unixsock.c:
 * a child can ask for megabytes per call, again and again while the
 * call waits).  Once read, nothing the child changes afterwards reaches
 * the call.
 *
 * The control data, walked as the kernel walks it (a header too short or
 * running past the end: EINVAL):
 *   - SCM_RIGHTS: on a unix socket, the fd numbers are kept (fds, nfds)
 *     for the supervisor's fetcher to duplicate and pass (onbehalf.h: a
 *     file of the child's must not enter the host's fd table); on any
 *     other family EINVAL, the kernel's own answer;
 *   - SCM_CREDENTIALS: EPERM.  The sender would be the supervisor: the
 *     kernel accepts only the sender's own pid (short of CAP_SYS_ADMIN),
 *     never the child's, and a sender holding CAP_SYS_ADMIN, CAP_SETUID
 *     or CAP_SETGID could give any pid or ids;
 *   - on a unix socket anything else at the SOL_SOCKET level is refused
 *     EINVAL and other levels are dropped, both as the kernel does: so
 *     only SCM_RIGHTS ever reaches a unix socket;
 *   - on another family, what can route the packet (IP_RETOPTS, IPv4
 *     options, a source route among them; IPV6_RTHDR, IPV6_2292RTHDR) is
 *     refused, EPERM: the packet would go to a first hop of its own, not
 *     to the destination the policy decided (sockmsg_routes);
 *   - on another family everything else is passed on unchanged (ctl):
 *     the kernel judges it on the supervisor's call, made with the
 *     child's ids and no effective capability (a mark, a priority the
 *     child could not set fail there too).
 */
#ifndef SL_SOCKMSG_H
#define SL_SOCKMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

struct sl_ctx;

#define SOCKMSG_DATA_MAX (8u << 20) /* larger than any socket's send buffer */
#define SOCKMSG_CTL_MAX	 (128u << 10)
#define SOCKMSG_IOV_MAX	 1024 /* UIO_MAXIOV */
#define SOCKMSG_FDS_MAX	 253  /* SCM_MAX_FD */

/* The struct msghdr of the native ABI (the kernel's user_msghdr). */
struct sockmsg_hdr {
	uint64_t name;
	int32_t namelen;
	uint32_t pad;
	uint64_t iov, iovlen, control, controllen;
	uint32_t flags;
	uint32_t pad2;
};
/* sendmmsg's entries: the header, then the length sent, written back. */
#define SOCKMSG_MMSG_SIZE   64
#define SOCKMSG_MMSG_LENOFF 56

struct sockmsg {
	struct sockaddr_storage addr;
	socklen_t addrlen; /* 0: none */
	void *data;	   /* malloc'd (NULL when len is 0, or not read yet) */
	size_t len;
	struct iovec *iov; /* where the data is in the child (malloc'd) */
	size_t niov;
	void *ctl; /* passed on as it is: another family's control data */
	size_t ctllen;
	int fds[SOCKMSG_FDS_MAX]; /* SCM_RIGHTS: the child's fd numbers */
	int nfds;
};

/* What one call on a socket may carry: max bytes (at most
 * SOCKMSG_DATA_MAX), a byte stream cut there, a datagram refused beyond. */
struct sockmsg_bound {
	size_t max;
	bool stream;
};

/* The message whose struct msghdr is at addr in the child, for a socket
 * of the unix family or not, within b: all but the data (m->len bytes,
 * for sockmsg_read_payload).  0 or -errno; m is to be released with
 * sockmsg_free() either way. */
int sockmsg_read(struct sl_ctx *c, uint64_t addr, bool unix_sock, struct sockmsg_bound b,
		 struct sockmsg *m);
/* sendto's data (len bytes at buf), with the same bounds: for
 * sockmsg_read_payload too. */
int sockmsg_read_data(uint64_t buf, size_t len, struct sockmsg_bound b, struct sockmsg *m);
/* The data, read into m->data.  0 or -errno. */
int sockmsg_read_payload(struct sl_ctx *c, struct sockmsg *m);
void sockmsg_free(struct sockmsg *m);

/* Whether a control message (level, type), or a socket option of the
 * same numbers, routes a packet through hosts of its own: IPv4 options
 * (IP_RETOPTS; IP_OPTIONS is its socket option), an IPv6 routing header
 * (IPV6_RTHDR, IPV6_2292RTHDR).  The kernel takes a segment routing
 * header from anyone, and sends the packet to its first segment. */
bool sockmsg_routes(int level, int type);

/* Walks control data ctl[0..len) as above (pure, unit-tested): fills
 * m->fds/nfds, and sets *pass when it is to be passed on (another
 * family).  0, -EINVAL or -EPERM. */
int sockmsg_control(const void *ctl, size_t len, bool unix_sock, struct sockmsg *m, bool *pass);

#endif
