/* SPDX-License-Identifier: Apache-2.0 */
/*
 * obconnect.c - what a TCP connect made on the sandbox's behalf costs
 * (src/features/unixsock.c): CALLS blocking connects to a listener of its
 * own on 127.0.0.1:PORT, each accepted and both ends closed.
 *
 *   obconnect PORT CALLS
 *
 * prints "calls=N connect_ns=..." (the mean of the connect calls alone).
 * Under sandlock the listener needs --net-bind PORT, and the connect a
 * rule: "127.0.0.1:PORT" (the supervisor decides on the address and
 * connects on its copy of the socket) or ":PORT" (Landlock's port rule
 * decides, on the supervisor's confined worker).  Libc only.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WARMUP 100

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: obconnect PORT CALLS\n");
		return 2;
	}
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	long calls = atol(argv[2]);
	int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 128) < 0) {
		perror("obconnect: listen");
		return 1;
	}
	double spent = 0;
	for (long i = 0; i < calls + WARMUP; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		double t0 = now_ns();
		if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			perror("obconnect: connect");
			return 1;
		}
		if (i >= WARMUP)
			spent += now_ns() - t0;
		int a = accept(l, NULL, NULL);
		close(c);
		close(a);
	}
	printf("calls=%ld connect_ns=%.0f\n", calls, spent / (double)calls);
	return 0;
}
