/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpload.c - the HTTP side of bench/http.sh: a small keep-alive server
 * and a load client, with or without TLS (OpenSSL), so that the proxy is
 * measured against a peer faster than itself.
 *
 *   httpload serve PORT WAIT_US [CERT KEY]
 *       an HTTP/1.1 server on 127.0.0.1:PORT (0: any; the port is printed
 *       first), one thread per connection, answering every request with
 *       200 and a 13-byte body after WAIT_US microseconds of sleep (a
 *       backend that waits on something of its own; 0: at once); TLS with
 *       CERT and KEY
 *   httpload load ADDR PORT HOST CONNS SECONDS [CAFILE]
 *       CONNS threads, each one kept-alive connection sending GET / with
 *       Host: HOST and reading the response, for SECONDS; prints
 *       "rps=N p50_us=N p99_us=N errors=N".  TLS when CAFILE is given
 *       (the server verified against it, SNI HOST)
 *   httpload idle ADDR PORT HOST CONNS [CAFILE]
 *       CONNS connections (TLS with CAFILE), one request each, then kept
 *       open: prints "ready <how many got a 200>", and waits for its
 *       standard input to close
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static SSL_CTX *ctx;

struct io {
	int fd;
	SSL *ssl;
};

static long io_read(struct io *c, char *b, size_t n)
{
	return c->ssl ? SSL_read(c->ssl, b, (int)n) : recv(c->fd, b, n, 0);
}

static bool io_write(struct io *c, const char *b, size_t n)
{
	if (c->ssl)
		return SSL_write(c->ssl, b, (int)n) == (int)n;
	return send(c->fd, b, n, MSG_NOSIGNAL) == (ssize_t)n;
}

static void io_close(struct io *c)
{
	if (c->ssl)
		SSL_free(c->ssl);
	close(c->fd);
}

/* Reads one message head and its Content-Length body; false at the end,
 * and for a response whose status is not 200 (a request: never). */
static bool read_msg(struct io *c, char *buf, size_t cap, size_t *have)
{
	for (;;) {
		char *end = memmem(buf, *have, "\r\n\r\n", 4);
		if (end && strncmp(buf, "HTTP/", 5) == 0 && strncmp(buf + 8, " 200 ", 5) != 0)
			return false;
		if (end) {
			size_t head = (size_t)(end - buf) + 4, len = 0;
			char *cl = memmem(buf, head, "Content-Length: ", 16);
			if (cl)
				len = strtoul(cl + 16, NULL, 10);
			if (*have >= head + len) {
				memmove(buf, buf + head + len, *have - head - len);
				*have -= head + len;
				return true;
			}
		}
		if (*have == cap)
			return false;
		long r = io_read(c, buf + *have, cap - *have);
		if (r <= 0)
			return false;
		*have += (size_t)r;
	}
}

static long wait_us;

static void *serve_conn(void *arg)
{
	struct io c = {.fd = (int)(intptr_t)arg};
	int one = 1;
	setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (ctx) {
		c.ssl = SSL_new(ctx);
		SSL_set_fd(c.ssl, c.fd);
		if (SSL_accept(c.ssl) != 1) {
			io_close(&c);
			return NULL;
		}
	}
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nhello, world\n";
	char buf[16384];
	size_t have = 0;
	struct timespec wait = {wait_us / 1000000, (wait_us % 1000000) * 1000};
	while (read_msg(&c, buf, sizeof(buf), &have)) {
		if (wait_us)
			nanosleep(&wait, NULL);
		if (!io_write(&c, resp, sizeof(resp) - 1))
			break;
	}
	io_close(&c);
	return NULL;
}

static int serve(int argc, char **argv)
{
	wait_us = argc >= 4 ? atol(argv[3]) : 0;
	if (argc >= 6) {
		ctx = SSL_CTX_new(TLS_server_method());
		if (SSL_CTX_use_certificate_chain_file(ctx, argv[4]) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx, argv[5], SSL_FILETYPE_PEM) != 1) {
			fprintf(stderr, "httpload: cannot load %s / %s\n", argv[4], argv[5]);
			return 1;
		}
	}
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof(a);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, al) < 0 || listen(fd, 4096) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0) {
		perror("httpload: listen");
		return 1;
	}
	printf("%u\n", ntohs(a.sin_port));
	fflush(stdout);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		pthread_t t;
		if (c >= 0 && pthread_create(&t, NULL, serve_conn, (void *)(intptr_t)c) == 0)
			pthread_detach(t);
		else if (c >= 0)
			close(c);
	}
}

static const char *addr, *host;
static int port, seconds;
static atomic_long total, errors;
#define LAT_MAX (1 << 22)
static uint32_t *lat; /* microseconds */
static atomic_long nlat;
/* every connection made before the clock starts: a slow connect (the
 * sandbox's first notified calls) is not counted as serving time */
static pthread_barrier_t go;

static int64_t now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static bool dial(struct io *c)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, addr, &a.sin_addr);
	int one = 1;
	c->ssl = NULL;
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (c->fd >= 0)
			close(c->fd);
		return false;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (!ctx)
		return true;
	c->ssl = SSL_new(ctx);
	SSL_set_fd(c->ssl, c->fd);
	SSL_set_tlsext_host_name(c->ssl, host);
	SSL_set1_host(c->ssl, host);
	if (SSL_connect(c->ssl) != 1) {
		ERR_print_errors_fp(stderr);
		io_close(c);
		return false;
	}
	return true;
}

static void *load_conn(void *arg)
{
	(void)arg;
	char req[256], buf[16384];
	int n = snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", host);
	struct io c;
	bool up = dial(&c);
	pthread_barrier_wait(&go);
	if (!up) {
		atomic_fetch_add(&errors, 1);
		return NULL;
	}
	size_t have = 0;
	int64_t end = now_us() + (int64_t)seconds * 1000000;
	for (int64_t t0 = now_us(); t0 < end; t0 = now_us()) {
		if (!io_write(&c, req, (size_t)n) || !read_msg(&c, buf, sizeof(buf), &have)) {
			atomic_fetch_add(&errors, 1);
			break;
		}
		long i = atomic_fetch_add(&nlat, 1);
		if (i < LAT_MAX)
			lat[i] = (uint32_t)(now_us() - t0);
		atomic_fetch_add(&total, 1);
	}
	io_close(&c);
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static void client_ctx(const char *cafile)
{
	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1) {
		fprintf(stderr, "httpload: cannot load %s\n", cafile);
		exit(1);
	}
}

static int load(int argc, char **argv)
{
	addr = argv[2];
	port = atoi(argv[3]);
	host = argv[4];
	int conns = atoi(argv[5]);
	seconds = atoi(argv[6]);
	if (argc >= 8)
		client_ctx(argv[7]);
	lat = calloc(LAT_MAX, sizeof(*lat));
	pthread_t *t = calloc((size_t)conns, sizeof(*t));
	pthread_barrier_init(&go, NULL, (unsigned)conns + 1);
	for (int i = 0; i < conns; i++)
		pthread_create(&t[i], NULL, load_conn, NULL);
	pthread_barrier_wait(&go);
	int64_t t0 = now_us();
	for (int i = 0; i < conns; i++)
		pthread_join(t[i], NULL);
	double secs = (double)(now_us() - t0) / 1e6;
	long n = atomic_load(&nlat) < LAT_MAX ? atomic_load(&nlat) : LAT_MAX;
	qsort(lat, (size_t)n, sizeof(*lat), cmp_u32);
	printf("rps=%.0f p50_us=%u p99_us=%u errors=%ld\n", (double)atomic_load(&total) / secs,
	       n ? lat[n / 2] : 0, n ? lat[n * 99 / 100] : 0, atomic_load(&errors));
	return 0;
}

static int idle(int argc, char **argv)
{
	if (argc >= 7)
		client_ctx(argv[6]);
	addr = argv[2];
	port = atoi(argv[3]);
	host = argv[4];
	int conns = atoi(argv[5]), ok = 0;
	char req[256], buf[4096];
	int n = snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", host);
	struct io *c = calloc((size_t)conns, sizeof(*c));
	for (int i = 0; i < conns; i++) {
		size_t have = 0;
		if (dial(&c[i]) && io_write(&c[i], req, (size_t)n) &&
		    read_msg(&c[i], buf, sizeof(buf), &have))
			ok++;
	}
	printf("ready %d\n", ok);
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "serve") == 0)
		return serve(argc, argv);
	if (argc >= 7 && strcmp(argv[1], "load") == 0)
		return load(argc, argv);
	if (argc >= 6 && strcmp(argv[1], "idle") == 0)
		return idle(argc, argv);
	fprintf(stderr, "usage: see bench/httpload.c\n");
	return 2;
}
