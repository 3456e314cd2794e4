/* SPDX-License-Identifier: Apache-2.0 */
/*
 * obsendmsg.c - what a sendmsg made on the sandbox's behalf costs
 * (src/features/unixsock.c): CALLS datagrams of 64 bytes each way,
 * timed per sendmsg, each taken off again by the receiving end (recv is
 * never notified).
 *
 *   obsendmsg DIR CALLS
 *
 * prints one line, e.g.
 *   "calls=20000 pair_ns=... path_ns=... rights_ns=... send_ns=..."
 *   pair    sendmsg on a datagram socketpair, no name: under sandlock
 *           notified and sent by the supervisor on its duplicate
 *   path    sendmsg to a datagram socket bound at DIR/s: the name is
 *           resolved and decided (DIR must be writable under sandlock)
 *   rights  pair, passing one fd (SCM_RIGHTS): sent by the fetcher
 *           thread, which duplicates the fd from the child
 *   send    send() on the pair (sendto without an address, never
 *           notified): the plain syscall beside them
 * Bare, every one is the kernel's call alone.  Libc only.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define WARMUP 200

enum mode { PAIR, PATH, RIGHTS, SEND };

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct ends {
	int tx, rx;	 /* the pair */
	int named, anon; /* the bound socket, and one to send to it from */
	struct sockaddr_un addr;
	int passed; /* the fd passed by rights */
};

/* One message of mode, then taken off (a passed fd closed): 0 or -1. */
static int one(const struct ends *e, enum mode m, double *spent)
{
	char buf[64] = "obsendmsg", in[64];
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl, got;
	struct iovec iov = {buf, sizeof(buf)};
	struct msghdr h = {.msg_iov = &iov, .msg_iovlen = 1};
	int s = m == PATH ? e->anon : e->tx, r = m == PATH ? e->named : e->rx;
	if (m == PATH) {
		h.msg_name = (void *)&e->addr;
		h.msg_namelen = sizeof(e->addr);
	}
	if (m == RIGHTS) {
		h.msg_control = ctl.b;
		h.msg_controllen = sizeof(ctl.b);
		struct cmsghdr *c = CMSG_FIRSTHDR(&h);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &e->passed, sizeof(int));
	}
	double t0 = now_ns();
	ssize_t n = m == SEND ? send(s, buf, sizeof(buf), 0) : sendmsg(s, &h, 0);
	*spent += now_ns() - t0;
	struct iovec riov = {in, sizeof(in)};
	struct msghdr rh = {.msg_iov = &riov,
			    .msg_iovlen = 1,
			    .msg_control = got.b,
			    .msg_controllen = sizeof(got.b)};
	if (n != (ssize_t)sizeof(buf) || recvmsg(r, &rh, MSG_CMSG_CLOEXEC) != (ssize_t)sizeof(in))
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&rh);
	if (m == RIGHTS) {
		int fd;
		if (!c || c->cmsg_type != SCM_RIGHTS)
			return -1;
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
		close(fd);
	}
	return 0;
}

/* Mean ns per sendmsg of mode over n calls; -1 when one fails. */
static double loop(const struct ends *e, enum mode m, long n)
{
	double spent = 0;
	for (long i = 0; i < n; i++)
		if (one(e, m, &spent) < 0)
			return -1;
	return spent / (double)n;
}

int main(int argc, char **argv)
{
	long n = argc == 3 ? atol(argv[2]) : 0;
	if (n < 1) {
		fputs("usage: obsendmsg DIR CALLS\n", stderr);
		return 2;
	}
	struct ends e = {.addr = {.sun_family = AF_UNIX}};
	int sv[2];
	snprintf(e.addr.sun_path, sizeof(e.addr.sun_path), "%s/s", argv[1]);
	unlink(e.addr.sun_path);
	char file[4096];
	snprintf(file, sizeof(file), "%s/f", argv[1]);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    (e.named = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    (e.anon = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(e.named, (struct sockaddr *)&e.addr, sizeof(e.addr)) < 0 ||
	    (e.passed = open(file, O_RDONLY | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		perror("obsendmsg: set-up");
		return 1;
	}
	e.tx = sv[0];
	e.rx = sv[1];
	double ns[4];
	for (int m = PAIR; m <= SEND; m++)
		if (loop(&e, (enum mode)m, WARMUP) < 0 || (ns[m] = loop(&e, (enum mode)m, n)) < 0) {
			perror("obsendmsg: timed loop");
			return 1;
		}
	unlink(e.addr.sun_path);
	printf("calls=%ld pair_ns=%.1f path_ns=%.1f rights_ns=%.1f send_ns=%.1f\n", n, ns[PAIR],
	       ns[PATH], ns[RIGHTS], ns[SEND]);
	return fflush(stdout) == 0 ? 0 : 1;
}
