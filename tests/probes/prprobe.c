/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prprobe.c - a static helper for the port_remap tests
 * (tests/integration/portremap.c).  One machine-readable line per result:
 * "ok" or "errno=<NAME>", ports in decimal.
 *
 *   prprobe serve FAM PORT TAG [N]  a listener on the any address of FAM
 *                                   (inet, inet6) at PORT: "port=<its
 *                                   getsockname port>", then N (1)
 *                                   connections each answered
 *                                   "TAG local=<the accepted socket's port>
 *                                   peer=<its peer's port>"
 *   prprobe bind-matrix P D         binds of every shape (families, lengths,
 *                                   pointers) on fresh sockets, on allowed
 *                                   port P and denied port D: one line each
 *   prprobe name-matrix P           getsockname of every shape on a socket
 *                                   bound to P, an unbound one, a unix
 *                                   socket, a file, no fd
 *   prprobe twice P                 a listener on P, then a second bind of P
 *   prprobe reuseport P FILE        two SO_REUSEPORT listeners on P, their
 *                                   ports; FILE written, then waits
 *   prprobe proc-tcp P              listeners on P (inet) and P+1 (inet6
 *                                   only), then the listening ports of
 *                                   /proc/net/tcp{,6} by every name of it
 *                                   (and what openat2 of it answers)
 *   prprobe race OK BAD N FILE      N binds of one sockaddr a thread flips
 *                                   between ports OK and BAD; successful
 *                                   ones kept listening; "ok=.. eacces=..
 *                                   other=.. seen=<ports getsockname
 *                                   showed, not OK>"; FILE written, waits
 *   prprobe dup2-race BAD N         N binds of fd 100 at port BAD while a
 *                                   thread dup2()s a fresh TCP socket and a
 *                                   unix socket onto it in turn;
 *                                   "bad=<TCP sockets found bound to BAD>"
 *
 * Exit status 0 unless misused (2).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "probe_cmds.h"

static int usage(const char *what)
{
	fprintf(stderr, "prprobe: usage: %s\n", what);
	return 2;
}

static int fam_of(const char *s)
{
	return !strcmp(s, "inet6") ? AF_INET6 : AF_INET;
}

/* The any address of fam at port, and its length. */
static socklen_t any_addr(int fam, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	return sizeof(*s4);
}

static int sock_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		return -1;
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* A TCP listener of fam at port (v6only for inet6), or -1. */
static int listener(int fam, uint16_t port, bool reuseport)
{
	struct sockaddr_storage ss;
	socklen_t len = any_addr(fam, port, &ss);
	int one = 1, fd = socket(fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (fam == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}

/* Waits up to 30 s for the test to read the host's side and kill us. */
static void linger(void)
{
	for (int i = 0; i < 300; i++)
		usleep(100 * 1000);
}

static int cmd_serve(int argc, char **argv)
{
	if (argc < 4)
		return usage("serve FAM PORT TAG [N]");
	int fd = listener(fam_of(argv[1]), (uint16_t)atoi(argv[2]), false);
	if (fd < 0)
		return probe_report(-1);
	printf("port=%d\n", sock_port(fd));
	fflush(stdout);
	for (int i = 0, n = argc > 4 ? atoi(argv[4]) : 1; i < n; i++) {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);
		int c = accept4(fd, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
		if (c < 0)
			return probe_report(-1);
		/* the peer as getpeername tells it (not notified: the kernel's) */
		pl = sizeof(peer);
		int pp = getpeername(c, (struct sockaddr *)&peer, &pl) == 0
			     ? ntohs(((struct sockaddr_in *)&peer)->sin_port)
			     : -1;
		dprintf(c, "%s local=%d peer=%d\n", argv[3], sock_port(c), pp);
		close(c);
	}
	return 0;
}

/* ---- bind-matrix ------------------------------------------------------------------- */

static long raw_bind(int fd, const void *sa, uint64_t len)
{
	return syscall(SYS_bind, fd, sa, len);
}

/* One bind on a fresh TCP socket of fam: sa (family f, port p, v4
 * address a) given with length len. */
static void bind_case(const char *what, int fam, int f, uint16_t p, uint32_t a, uint64_t len)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	s4->sin_family = (sa_family_t)f;
	s4->sin_port = htons(p);
	if (f != AF_INET6)
		s4->sin_addr.s_addr = htonl(a);
	int fd = socket(fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	printf("%s: ", what);
	probe_report(raw_bind(fd, &ss, len));
	close(fd);
}

static int cmd_bind_matrix(int argc, char **argv)
{
	if (argc < 3)
		return usage("bind-matrix P D");
	uint16_t p = (uint16_t)atoi(argv[1]), d = (uint16_t)atoi(argv[2]);
	const uint32_t any = INADDR_ANY, lo = INADDR_LOOPBACK;
	bind_case("v4 inet P", AF_INET, AF_INET, p, lo, 16);
	bind_case("v4 inet D", AF_INET, AF_INET, d, lo, 16);
	bind_case("v4 inet P len15", AF_INET, AF_INET, p, lo, 15);
	bind_case("v4 inet P len2", AF_INET, AF_INET, p, lo, 2);
	bind_case("v4 len1", AF_INET, AF_INET, p, lo, 1);
	bind_case("v4 len0", AF_INET, AF_INET, p, lo, 0);
	bind_case("v4 inet P len128", AF_INET, AF_INET, p, lo, 128);
	bind_case("v4 inet P len129", AF_INET, AF_INET, p, lo, 129);
	bind_case("v4 inet P len-1", AF_INET, AF_INET, p, lo, (uint32_t)-1);
	bind_case("v4 inet P len 2^31-1", AF_INET, AF_INET, p, lo, 0x7fffffff);
	bind_case("v4 inet P len high bits", AF_INET, AF_INET, p, lo, 0x100000010ull);
	bind_case("v4 unspec any P", AF_INET, AF_UNSPEC, p, any, 16);
	bind_case("v4 unspec any D", AF_INET, AF_UNSPEC, d, any, 16);
	bind_case("v4 unspec lo P", AF_INET, AF_UNSPEC, p, lo, 16);
	bind_case("v4 inet6 P", AF_INET, AF_INET6, p, 0, 28);
	bind_case("v4 inet6 D", AF_INET, AF_INET6, d, 0, 28);
	bind_case("v4 inet6 P len16", AF_INET, AF_INET6, p, 0, 16);
	bind_case("v4 unix P", AF_INET, AF_UNIX, p, lo, 16);
	bind_case("v4 port0", AF_INET, AF_INET, 0, lo, 16);
	bind_case("v6 inet6 P", AF_INET6, AF_INET6, p, 0, 28);
	bind_case("v6 inet6 D", AF_INET6, AF_INET6, d, 0, 28);
	bind_case("v6 inet6 P len24", AF_INET6, AF_INET6, p, 0, 24);
	bind_case("v6 inet6 P len23", AF_INET6, AF_INET6, p, 0, 23);
	bind_case("v6 inet P", AF_INET6, AF_INET, p, lo, 16);
	bind_case("v6 inet D len28", AF_INET6, AF_INET, d, lo, 28);
	bind_case("v6 unspec any P", AF_INET6, AF_UNSPEC, p, any, 28);
	bind_case("v6 unspec P len16", AF_INET6, AF_UNSPEC, p, any, 16);
	bind_case("v6 unix P", AF_INET6, AF_UNIX, p, 0, 28);
	bind_case("v6 port0", AF_INET6, AF_INET6, 0, 0, 28);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	printf("v4 bad pointer: ");
	probe_report(raw_bind(fd, (void *)16, 16));
	printf("v4 NULL len16: ");
	probe_report(raw_bind(fd, NULL, 16));
	close(fd);
	printf("no fd: ");
	probe_report(raw_bind(1000, NULL, 16));
	printf("a file: ");
	probe_report(raw_bind(1, NULL, 16));
	return 0;
}

/* ---- name-matrix ------------------------------------------------------------------- */

static void name_case(const char *what, int fd, bool addr_ok, bool len_ok, int len)
{
	struct sockaddr_storage ss;
	memset(&ss, 0xee, sizeof(ss));
	int l = len;
	long r = syscall(SYS_getsockname, fd, addr_ok ? (void *)&ss : (void *)8,
			 len_ok ? (void *)&l : (void *)8);
	printf("%s: ", what);
	if (r < 0) {
		printf("errno=%s len=%d\n", probe_errname(errno), l);
		return;
	}
	/* the port, when the length reached it; the byte after what was
	 * written stays untouched */
	int n = l < len ? l : len;
	const uint8_t *b = (const uint8_t *)&ss;
	printf("ok len=%d", l);
	if (n >= 4)
		printf(" fam=%d port=%d", ((struct sockaddr_in *)&ss)->sin_family,
		       ntohs(((struct sockaddr_in *)&ss)->sin_port));
	printf(" after=%02x\n", n >= 0 && n < (int)sizeof(ss) ? b[n] : 0);
}

static int cmd_name_matrix(int argc, char **argv)
{
	if (argc < 2)
		return usage("name-matrix P");
	int fd = listener(AF_INET, (uint16_t)atoi(argv[1]), false);
	int v6 = listener(AF_INET6, (uint16_t)atoi(argv[1]), false);
	int unbound = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int un = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || v6 < 0)
		return probe_report(-1);
	name_case("bound", fd, true, true, 128);
	name_case("bound v6", v6, true, true, 128);
	name_case("len 16", fd, true, true, 16);
	name_case("len 4", fd, true, true, 4);
	name_case("len 3", fd, true, true, 3);
	name_case("len 0", fd, true, true, 0);
	name_case("len -1", fd, true, true, -1);
	name_case("bad len pointer", fd, true, false, 16);
	name_case("bad addr pointer", fd, false, true, 16);
	name_case("bad addr len 0", fd, false, true, 0);
	name_case("unbound", unbound, true, true, 128);
	name_case("unix", un, true, true, 128);
	name_case("a file", 1, true, true, 128);
	name_case("no fd", 1000, true, true, 128);
	return 0;
}

/* ---- twice, reuseport, proc-tcp ------------------------------------------------------------ */

static int cmd_twice(int argc, char **argv)
{
	if (argc < 2)
		return usage("twice P");
	uint16_t p = (uint16_t)atoi(argv[1]);
	int a = listener(AF_INET, p, false);
	probe_report(a);
	probe_report(listener(AF_INET, p, false));
	close(a);
	/* the port is free again: bound once more, to the same place */
	probe_report(listener(AF_INET, p, false));
	return 0;
}

static int cmd_reuseport(int argc, char **argv)
{
	if (argc < 3)
		return usage("reuseport P FILE");
	uint16_t p = (uint16_t)atoi(argv[1]);
	int a = listener(AF_INET, p, true), b = listener(AF_INET, p, true);
	if (a < 0 || b < 0)
		return probe_report(-1);
	printf("ports=%d,%d\n", sock_port(a), sock_port(b));
	fflush(stdout);
	touch(argv[2]);
	linger();
	return 0;
}

/* The listening local ports of a /proc/net/tcp table, ascending as
 * listed, comma-separated. */
static void listening(const char *what, int dirfd, const char *path)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	printf("%s:", what);
	if (fd < 0) {
		printf(" errno=%s\n", probe_errname(errno));
		return;
	}
	FILE *f = fdopen(fd, "r");
	char line[512];
	int n = 0;
	bool header = fgets(line, sizeof(line), f) && strstr(line, "local_address");
	printf(" header=%s", header ? "yes" : "no");
	while (fgets(line, sizeof(line), f)) {
		char local[64];
		unsigned st;
		if (sscanf(line, " %*d: %63s %*s %x", local, &st) != 2 || st != 0x0A)
			continue;
		char *c = strrchr(local, ':');
		printf("%s%ld", n++ ? "," : " listen=", c ? strtol(c + 1, NULL, 16) : -1);
	}
	printf("\n");
	fclose(f);
}

static int cmd_proc_tcp(int argc, char **argv)
{
	if (argc < 2)
		return usage("proc-tcp P");
	uint16_t p = (uint16_t)atoi(argv[1]);
	int a = listener(AF_INET, p, false), b = listener(AF_INET6, (uint16_t)(p + 1), false);
	if (a < 0 || b < 0)
		return probe_report(-1);
	char self[64], task[64];
	snprintf(self, sizeof(self), "/proc/%d/net/tcp", (int)getpid());
	snprintf(task, sizeof(task), "/proc/%d/task/%d/net/tcp", (int)getpid(), (int)gettid());
	int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	listening("net/tcp", AT_FDCWD, "/proc/net/tcp");
	listening("self", AT_FDCWD, "/proc/self/net/tcp");
	listening("thread-self", AT_FDCWD, "/proc/thread-self/net/tcp");
	listening("pid", AT_FDCWD, self);
	listening("task", AT_FDCWD, task);
	listening("dirfd", proc, "net/tcp");
	listening("dotdot", AT_FDCWD, "/proc/self/../net/tcp");
	/* openat2 cannot reach it past the view: ENOSYS for the sandbox,
	 * callers fall back to openat */
	struct {
		uint64_t flags, mode, resolve;
	} how = {O_RDONLY, 0, 0};
	printf("openat2: ");
	probe_report(syscall(SYS_openat2, AT_FDCWD, "/proc/net/tcp", &how, sizeof(how)));
	listening("tcp6", AT_FDCWD, "/proc/net/tcp6");
	listening("self tcp6", AT_FDCWD, "/proc/self/net/tcp6");
	return 0;
}

/* ---- races ------------------------------------------------------------------------------- */

static struct sockaddr_in race_sa;
static atomic_int race_stop;
static uint16_t race_ports[2];

static void *flipper(void *arg)
{
	(void)arg;
	volatile uint16_t *port = &race_sa.sin_port;
	for (unsigned i = 0; !atomic_load(&race_stop); i++)
		*port = htons(race_ports[i & 1]);
	return NULL;
}

static int cmd_race(int argc, char **argv)
{
	if (argc < 5)
		return usage("race OK BAD N FILE");
	race_ports[0] = (uint16_t)atoi(argv[1]);
	race_ports[1] = (uint16_t)atoi(argv[2]);
	int n = atoi(argv[3]), ok = 0, eacces = 0, other = 0;
	race_sa = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(race_ports[0])};
	pthread_t th;
	pthread_create(&th, NULL, flipper, NULL);
	char seen[256] = "";
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int one = 1;
		/* many sockets on one port at once: the remapped ones share it */
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&race_sa, sizeof(race_sa)) == 0) {
			ok++;
			int got = sock_port(fd);
			if (got != race_ports[0] && strlen(seen) < 200)
				snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%d,",
					 got);
			listen(fd, 1); /* kept: the host looks for BAD */
			continue;
		}
		if (errno == EACCES)
			eacces++;
		else
			other++;
		close(fd);
	}
	atomic_store(&race_stop, 1);
	pthread_join(th, NULL);
	printf("ok=%d eacces=%d other=%d seen=%s\n", ok, eacces, other, seen);
	fflush(stdout);
	touch(argv[4]);
	linger();
	return 0;
}

#define SWAP_MAX 20000
static int swapped[SWAP_MAX];
static atomic_int nswapped;

/* dup2()s a fresh TCP socket (each kept) and a unix socket onto fd 100
 * in turn. */
static void *swapper(void *arg)
{
	int un = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	(void)arg;
	for (unsigned i = 0; !atomic_load(&race_stop); i++) {
		int n = atomic_load(&nswapped);
		if ((i & 1) || n == SWAP_MAX) {
			dup2(un, 100);
			continue;
		}
		int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		dup2(t, 100);
		swapped[n] = t;
		atomic_store(&nswapped, n + 1);
	}
	return NULL;
}

static int cmd_dup2_race(int argc, char **argv)
{
	if (argc < 3)
		return usage("dup2-race BAD N");
	uint16_t bad = (uint16_t)atoi(argv[1]);
	int n = atoi(argv[2]), breach = 0, ok = 0;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(bad)};
	pthread_t th;
	pthread_create(&th, NULL, swapper, NULL);
	for (int i = 0; i < n; i++)
		if (bind(100, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			ok++;
	atomic_store(&race_stop, 1);
	pthread_join(th, NULL);
	/* every TCP socket the binds could have met, still open */
	for (int i = 0; i < atomic_load(&nswapped); i++)
		if (sock_port(swapped[i]) == bad)
			breach++;
	printf("bad=%d ok=%d sockets=%d\n", breach, ok, atomic_load(&nswapped));
	return 0;
}

static const struct probe_cmd cmds[] = {
    {"serve", cmd_serve}, {"bind-matrix", cmd_bind_matrix}, {"name-matrix", cmd_name_matrix},
    {"twice", cmd_twice}, {"reuseport", cmd_reuseport},	    {"proc-tcp", cmd_proc_tcp},
    {"race", cmd_race},	  {"dup2-race", cmd_dup2_race},
};

int main(int argc, char **argv)
{
	return probe_main(cmds, sizeof(cmds) / sizeof(cmds[0]), "prprobe", argc, argv);
}
