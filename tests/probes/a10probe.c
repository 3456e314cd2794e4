/* SPDX-License-Identifier: Apache-2.0 */
/*
 * a10probe.c - attacks on the HTTP ACL proxy (tests/integration/attack10.c)
 * from inside a sandbox.  Static.  MSG is C-escaped text as webprobe's
 * (\r \n \t \\ \xHH); "-" sends nothing.
 *
 *   rst ADDR PORT MSG MS        MSG sent, then the connection reset
 *                               (SO_LINGER 0), then MS ms of sleep:
 *                               "done"
 *   hold ADDR PORT N MS MSG     up to N connections at once (MSG sent on
 *                               each), MS ms of sleep, then how many the
 *                               other side closed: "opened K closed J"
 *   loop ADDR PORT N MSG        MSG sent N times, a response read after
 *                               each (Content-Length framed), on one
 *                               connection or, when it ends, the next:
 *                               "ok <2xx responses> <connections>"
 *   direct ADDR PORT MSG        the address a connect to ADDR:PORT reached
 *                               (getpeername: the proxy's, when PORT is
 *                               intercepted) connected to directly, MSG
 *                               sent: "proxy <status>" (0: no response),
 *                               "same <status>" when not redirected
 */
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "probe_cmds.h"

static size_t unescape(const char *s, char *out)
{
	size_t n = 0;
	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			out[n++] = *s;
			continue;
		}
		s++;
		if (*s == 'r')
			out[n++] = '\r';
		else if (*s == 'n')
			out[n++] = '\n';
		else if (*s == 't')
			out[n++] = '\t';
		else if (*s == 'x' && s[1] && s[2]) {
			char h[3] = {s[1], s[2], 0};
			out[n++] = (char)strtol(h, NULL, 16);
			s += 2;
		} else
			out[n++] = *s;
	}
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int dial(const char *addr, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t sl = probe_addr(addr, (unsigned)atoi(port), &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool send_msg(int fd, const char *m)
{
	static char msg[65536];
	if (strcmp(m, "-") == 0)
		return true;
	size_t n = unescape(m, msg);
	return send(fd, msg, n, MSG_NOSIGNAL) == (ssize_t)n;
}

static int cmd_rst(int argc, char **argv)
{
	if (argc < 5)
		return 2;
	int fd = dial(argv[1], argv[2]);
	if (fd < 0) {
		printf("connect errno=%s\n", probe_errname(errno));
		return 0;
	}
	(void)send_msg(fd, argv[3]);
	sleep_ms(200);
	struct linger l = {1, 0};
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
	sleep_ms(atol(argv[4]));
	printf("done\n");
	return 0;
}

static int cmd_hold(int argc, char **argv)
{
	if (argc < 6)
		return 2;
	int n = atoi(argv[3]), k = 0, closed = 0;
	int *fds = calloc((size_t)n, sizeof(int));
	for (; k < n; k++) {
		if ((fds[k] = dial(argv[1], argv[2])) < 0)
			break;
		(void)send_msg(fds[k], argv[5]);
	}
	sleep_ms(atol(argv[4]));
	for (int i = 0; i < k; i++) {
		struct pollfd p = {.fd = fds[i], .events = POLLIN};
		char b[512];
		if (poll(&p, 1, 0) == 1 && recv(fds[i], b, sizeof(b), MSG_DONTWAIT) <= 0)
			closed++;
		close(fds[i]);
	}
	printf("opened %d closed %d\n", k, closed);
	return 0;
}

/* One response on fd: its status, or 0 when the connection ended. */
static int response(int fd)
{
	static char buf[65536];
	size_t have = 0;
	char *end = NULL;
	while (!(end = memmem(buf, have, "\r\n\r\n", 4))) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r =
		    poll(&p, 1, 5000) == 1 ? recv(fd, buf + have, sizeof(buf) - have, 0) : -1;
		if (r <= 0)
			return 0;
		have += (size_t)r;
	}
	size_t head = (size_t)(end - buf) + 4;
	int status = 0;
	sscanf(buf, "HTTP/1.%*d %d", &status);
	char *cl = memmem(buf, head, "Content-Length: ", 16);
	size_t len = cl ? strtoul(cl + 16, NULL, 10) : 0;
	while (have < head + len) {
		ssize_t r = recv(fd, buf + have, sizeof(buf) - have, 0);
		if (r <= 0)
			return 0;
		have += (size_t)r;
	}
	return status;
}

static int cmd_loop(int argc, char **argv)
{
	if (argc < 5)
		return 2;
	int n = atoi(argv[3]), good = 0, conns = 0, fd = -1;
	for (int i = 0; i < n; i++) {
		if (fd < 0) {
			if ((fd = dial(argv[1], argv[2])) < 0)
				break;
			conns++;
		}
		int st = send_msg(fd, argv[4]) ? response(fd) : 0;
		if (st >= 200 && st < 300)
			good++;
		else {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		close(fd);
	printf("ok %d %d\n", good, conns);
	return 0;
}

static int cmd_direct(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	int fd = dial(argv[1], argv[2]);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &sl) < 0) {
		printf("errno=%s\n", probe_errname(errno));
		return 0;
	}
	unsigned port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	char ps[8];
	snprintf(ps, sizeof(ps), "%u", port);
	/* the first connection stays open: its record is claimed */
	int d = dial(argv[1], ps);
	int status = d >= 0 && send_msg(d, argv[3]) ? response(d) : -1;
	printf("%s %d\n", strcmp(ps, argv[2]) ? "proxy" : "same", status);
	return 0;
}

static const struct probe_cmd cmds[] = {
    {"direct", cmd_direct},
    {"rst", cmd_rst},
    {"hold", cmd_hold},
    {"loop", cmd_loop},
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	return probe_main(cmds, sizeof(cmds) / sizeof(cmds[0]), "a10probe", argc, argv);
}
