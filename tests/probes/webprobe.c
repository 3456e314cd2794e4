/* SPDX-License-Identifier: Apache-2.0 */
/*
 * webprobe.c - raw HTTP/1.1 from inside a sandbox, for the HTTP ACL's
 * tests (tests/integration/httpacl.c).  Static.  MSG is C-escaped text
 * (\r \n \t \\ \xHH).
 *
 *   webprobe ADDR PORT MSG...        one connection; each MSG sent in turn,
 *                                    and one response read after each
 *   webprobe ADDR PORT -p N MSG...   one connection; every MSG sent at
 *                                    once (pipelined), then N responses read
 *   webprobe ADDR PORT -t MSG DATA   MSG sent, one response read; when it is
 *                                    101, DATA sent and what comes back
 *                                    printed ("tunnel <text>")
 *
 * A response prints as "<status> <first line of its body>"; "closed" when
 * the connection ended before one; "connect errno=ENAME" when the connect
 * failed.
 */
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include "probe_cmds.h"

static char buf[1 << 20];
static size_t have;

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

static bool send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* More bytes into buf; false at the end (or 5 s of nothing). */
static bool more(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (have == sizeof(buf) || poll(&p, 1, 5000) != 1)
		return false;
	ssize_t r = recv(fd, buf + have, sizeof(buf) - have, 0);
	if (r <= 0)
		return false;
	have += (size_t)r;
	return true;
}

/* One response: its status and the first line of its body, printed.
 * The body is framed by Content-Length (the tests' server and the proxy
 * always send one), else read to the end. */
static void response(int fd)
{
	char *end;
	while (!(end = memmem(buf, have, "\r\n\r\n", 4)))
		if (!more(fd)) {
			printf("closed\n");
			return;
		}
	size_t head = (size_t)(end - buf) + 4;
	int status = 0;
	sscanf(buf, "HTTP/1.%*d %d", &status);
	char *cl = memmem(buf, head, "Content-Length: ", 16);
	size_t len = cl ? strtoul(cl + 16, NULL, 10) : 0;
	bool to_end = !cl && status != 101 && status != 204 && status != 304;
	while (have < head + len || to_end)
		if (!more(fd))
			break;
	if (to_end)
		len = have - head;
	if (len > have - head)
		len = have - head;
	char line[512] = "";
	size_t n = 0;
	while (n < len && n < sizeof(line) - 1 && buf[head + n] != '\n')
		n++;
	memcpy(line, buf + head, n);
	line[n] = 0;
	printf("%d %s\n", status, line);
	memmove(buf, buf + head + len, have - head - len);
	have -= head + len;
}

static void tunnel(int fd, const char *data)
{
	static char out[4096];
	size_t n = unescape(data, out);
	if (!send_all(fd, out, n)) {
		printf("tunnel send failed\n");
		return;
	}
	while (have < n && more(fd))
		;
	size_t n0 = 0;
	while (n0 < have && buf[n0] != '\r' && buf[n0] != '\n')
		n0++;
	printf("tunnel %.*s\n", (int)n0, buf);
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	setvbuf(stdout, NULL, _IONBF, 0);
	struct sockaddr_storage ss;
	socklen_t sl = probe_addr(argv[1], (unsigned)atoi(argv[2]), &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		printf("connect errno=%s\n", probe_errname(errno));
		return 0;
	}
	static char msg[65536];
	if (strcmp(argv[3], "-p") == 0) {
		int n = atoi(argv[4]);
		size_t len = 0;
		for (int i = 5; i < argc && len < sizeof(msg) / 2; i++)
			len += unescape(argv[i], msg + len);
		(void)send_all(fd, msg, len);
		for (int i = 0; i < n; i++)
			response(fd);
	} else if (strcmp(argv[3], "-t") == 0) {
		if (send_all(fd, msg, unescape(argv[4], msg)))
			response(fd);
		tunnel(fd, argv[5]);
	} else {
		for (int i = 3; i < argc; i++) {
			if (!send_all(fd, msg, unescape(argv[i], msg))) {
				printf("closed\n");
				continue;
			}
			response(fd);
		}
	}
	close(fd);
	return 0;
}
