/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attack7.c - attacks on sendmsg and sendmmsg made on the sandbox's
 * behalf (src/features/unixsock.c, sockmsg.c, the fetcher of onbehalf.c)
 * and on the flags register's high half (which the kernel drops, and
 * which once held the start-up's own exemption): other syscall ABIs,
 * names that reach a socket outside the writable trees, fd numbers the
 * sandbox does not hold, races on the message's memory, the pidfd a
 * receiver gets of the sender, no exemption in any way a sandbox starts,
 * MSG_ZEROCOPY, iovec lengths that wrap, and what calls that wait cost
 * the supervisor.  The probe is tests/probes/a7probe.c (and smprobe.c's
 * "bit32").
 */
#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* wdir/ (writable) and rdir/ (readable), each with a datagram socket
 * "s" the test reads. */
struct lay {
	char *w, *r, *ws, *rs;
	int wsock, rsock;
};

static struct lay layout(void)
{
	struct lay l = {.w = tc_mkdir("wdir"), .r = tc_mkdir("rdir")};
	l.ws = tc_path(l.w, "s");
	l.rs = tc_path(l.r, "s");
	l.wsock = tc_unix_server(l.ws, SOCK_DGRAM);
	l.rsock = tc_unix_server(l.rs, SOCK_DGRAM);
	return l;
}

static sandlock_builder_t *lay_builder(const struct lay *l)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_write(tc_builder(), l->w);
	return sandlock_sandbox_builder_fs_read(b, l->r);
}

static const char *a7probe(void)
{
	static char *p;
	if (!p)
		p = tc_path(tc_probe_dir(), "a7probe");
	return p;
}

#define a7_run(p, ...) tc_named_run((p), "a7probe", __VA_ARGS__)
/* Its stdout; the test fails unless it exited 0. */
#define A7_IN(p, ...) tc_named_in((p), "a7probe", __VA_ARGS__, NULL)

/* How many datagrams are queued on s (taken). */
static int count(int s)
{
	char buf[256];
	int n = 0;
	while (recv(s, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		n++;
	return n;
}

/* ---- other ABIs -------------------------------------------------------------------- */

/* sendmsg by the x32 and the i386 entries (the x32 one with bit 32 of
 * its flags set too): the filter knows only the native ABI and kills any
 * other.  Nothing is sent. */
TEST(sendmsg_attack_other_abis_killed)
{
#if defined(__x86_64__)
	struct lay l = layout();
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	static const char *const how[] = {"x32", "int80"};
	for (size_t i = 0; i < 2; i++) {
		struct tc_res r = a7_run(p, how[i], l.ws, NULL);
		/* without IA32 emulation int 0x80 is a general protection fault,
		 * outside the sandbox too: nothing to refuse */
		int st;
		if (i == 1 && r.status == SANDLOCK_STATUS_SIGNALED && r.sig == SIGSEGV &&
		    (tc_probe_out_status(&st, "int80", "20", NULL), WIFSIGNALED(st)) &&
		    WTERMSIG(st) == SIGSEGV) {
			printf("    note: no 32-bit syscall entry on this kernel\n");
			continue;
		}
		if (r.status != SANDLOCK_STATUS_SIGNALED || r.sig != SIGSYS)
			th_fail(__FILE__, __LINE__, "%s: status %d sig %d out \"%s\"", how[i],
				r.status, r.sig, r.out);
		CHECK_STR(r.out, "");
	}
	CHECK_EQ(count(l.wsock), 0);
#else
	SKIP("x86_64 only (x32 and int 0x80)");
#endif
}

/* ---- names ------------------------------------------------------------------------- */

/* The readable tree's socket by every other name the kernel would
 * follow for the sandbox: its O_PATH fd through /proc/self/fd,
 * /proc/thread-self/fd and /proc/<pid>/fd (magic links), /proc/self/root,
 * /proc/self/cwd, a name relative to the working directory (the kernel
 * resolves sun_path from the caller's), and a hard link made in the
 * writable tree (Landlock refuses it: EXDEV).  Nothing arrives there;
 * a datagram to the writable tree's socket by the same names does. */
TEST(sendmsg_attack_names_of_an_outside_socket)
{
	struct lay l = layout();
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	char *out = A7_IN(p, "seq", tc_fmt("names %s", l.rs),
			  tc_fmt("link %s %s", l.rs, tc_path(l.w, "hl")));
	static const char *const denied[] = {"errno=EACCES", "errno=EACCES", "errno=EACCES",
					     "errno=EACCES", "errno=EACCES", "errno=EACCES",
					     "errno=EXDEV",  "errno=ENOENT", NULL};
	tc_check_lines(out, denied);
	CHECK_EQ(count(l.rsock), 0);
	out = A7_IN(p, "names", l.ws);
	static const char *const allowed[] = {"ok 1", "ok 1", "ok 1", "ok 1", "ok 1", "ok 1", NULL};
	tc_check_lines(out, allowed);
	CHECK_EQ(count(l.wsock), 6);
}

/* ---- files passed ------------------------------------------------------------------- */

/* SCM_RIGHTS naming numbers the sandbox does not hold (-1, free ones,
 * past any fd limit, INT_MAX): the files are taken from the notifying
 * thread's own table, never from the supervisor's or its fetcher's, so
 * each is EBADF, as the kernel's own send, and nothing arrives. */
TEST(sendmsg_attack_rights_of_numbers_not_held)
{
	struct lay l = layout();
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	char *out = A7_IN(p, "rights-bad", l.ws);
	static const char *const want[] = {"errno=EBADF", "errno=EBADF", "errno=EBADF",
					   "errno=EBADF", "errno=EBADF", NULL};
	tc_check_lines(out, want);
	CHECK_EQ(count(l.wsock), 0);
}

/* ---- races -------------------------------------------------------------------------- */

/* A thread rewrites the message while it is sent: cmsg_len grown past
 * the control data, the fd number swapped (-1, one not held), the
 * control length and an iovec's made huge.  The message is read once:
 * each call is sent as one consistent version or refused, the
 * supervisor survives, and every fd that arrives is the file passed. */
TEST(sendmsg_attack_race_rewriting_the_message)
{
	struct lay l = layout();
	char *f = tc_path(l.r, "f");
	tc_write_file(f, "rfile\n", 0644);
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	long sent = -1, odd = -1;
	char *out = A7_IN(p, "race-ctl", l.ws, f, "3000");
	CHECK(sscanf(out, "ok %ld %ld", &sent, &odd) == 2);
	CHECK(sent > 0);
	CHECK_EQ(odd, 0);
	int n = 0;
	char buf[16];
	union {
		char b[CMSG_SPACE(64 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	for (;;) {
		struct iovec iov = {buf, sizeof(buf)};
		struct msghdr m = {.msg_iov = &iov,
				   .msg_iovlen = 1,
				   .msg_control = ctl.b,
				   .msg_controllen = sizeof(ctl.b)};
		if (recvmsg(l.wsock, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) < 0)
			break;
		n++;
		for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
			CHECK(h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS);
			CHECK_EQ(h->cmsg_len, CMSG_LEN(sizeof(int)));
			int fd;
			memcpy(&fd, CMSG_DATA(h), sizeof(fd));
			char got[8] = "";
			CHECK_EQ(pread(fd, got, sizeof(got) - 1, 0), 6);
			CHECK_STR(got, "rfile\n");
			close(fd);
		}
	}
	CHECK(n > 0);
}

/* ---- the peer's view ------------------------------------------------------------------ */

/* A receiver with SO_PASSPIDFD gets a pidfd of the sender: for a send
 * made here, of the supervisor's process, the host's (as SO_PEERCRED
 * shows its pid).  It must open nothing of the host's to the sandbox:
 * Landlock's scopes refuse a signal and pidfd_getfd (EPERM). */
TEST(sendmsg_attack_pidfd_of_the_supervisor_grants_nothing)
{
	struct lay l = layout();
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_fs_read(lay_builder(&l), "/proc"));
	char *out = A7_IN(p, "pidfd", l.w);
	if (!strcmp(tc_line(out, 0), "pid none"))
		SKIP("no SO_PASSPIDFD (Linux 6.5)");
	CHECK_STR(tc_line(out, 0), tc_fmt("pid other %d", (int)getpid()));
	CHECK_STR(tc_line(out, 1), "errno=EPERM");
	CHECK_STR(tc_line(out, 2), "errno=EPERM");
}

/* ---- no exemption, however the sandbox starts ------------------------------------- */

static const char *smprobe(void)
{
	static char *p;
	if (!p)
		p = tc_path(tc_probe_dir(), "smprobe");
	return p;
}

static int wait_code(sandlock_handle_t *h)
{
	CHECK(h != NULL);
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	sandlock_handle_free(h);
	return r.status == SANDLOCK_STATUS_EXITED ? r.code : 1000 + r.sig;
}

static int fake_seccomp(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
			sandlock_action_out_t *out)
{
	(void)ud;
	(void)n;
	(void)mem;
	sandlock_action_set_return_value(out, 0);
	return 0;
}

/* The start-up hands the listener over from a thread outside the filter:
 * the filter has no exemption for the command to borrow.  smprobe's
 * "bit32" exits 0 only when a datagram sent with bit 32 of the flags (the
 * bit the start-up's own sends once carried, and the kernel drops) to a
 * socket outside the writable trees is refused as any other (EACCES):
 * run, interactive, created and started (parked, at once, inline,
 * interactive), popen, with a user handler that fakes seccomp, and with
 * seccomp and prctl both denied (once refused: the start needed one of
 * them after its filter).  Nothing arrives. */
TEST(sendmsg_attack_no_exemption_in_any_start)
{
	struct lay l = layout();
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	const char *argv[] = {smprobe(), "bit32", l.rs, NULL};
	CHECK_EQ(tc_run(p, NULL, argv[0], argv[1], argv[2], NULL).code, 0);
	CHECK_EQ(sandlock_run_interactive(p, NULL, argv, 3), 0);
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 3);
	CHECK(h && sandlock_start(h) == 0);
	CHECK_EQ(wait_code(h), 0);
	h = sandlock_create_for_run(p, NULL, argv, 3);
	CHECK(h && sandlock_start(h) == 0);
	CHECK_EQ(wait_code(h), 0);
	static const uint32_t flags[] = {SANDLOCK_CREATE_START,
					 SANDLOCK_CREATE_START | SANDLOCK_CREATE_INLINE,
					 SANDLOCK_CREATE_INTERACTIVE};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		h = sandlock_create_ex(p, NULL, argv, 3, flags[i]);
		CHECK(h && sandlock_start(h) == 0);
		CHECK_EQ(wait_code(h), 0);
	}
	CHECK_EQ(
	    wait_code(sandlock_popen(p, NULL, argv, 3, SANDLOCK_STDIO_NULL, SANDLOCK_STDIO_NULL,
				     SANDLOCK_STDIO_NULL, NULL, NULL, NULL)),
	    0);
	sandlock_handler_t *uh = sandlock_handler_new(fake_seccomp, NULL, NULL, 0);
	sandlock_handler_registration_t reg = {SYS_seccomp, uh};
	CHECK_EQ(tc_result(sandlock_run_with_handlers(p, NULL, argv, 3, &reg, 1)).code, 0);
	sandlock_sandbox_t *q = tc_build(
	    sandlock_sandbox_builder_extra_deny_syscalls(lay_builder(&l), "seccomp,prctl"));
	CHECK_EQ(tc_run(q, NULL, argv[0], argv[1], argv[2], NULL).code, 0);
	CHECK_EQ(count(l.rsock), 0);
}

/* ---- MSG_ZEROCOPY ------------------------------------------------------------------- */

/* A TCP connection accepted inside, SO_ZEROCOPY set: a sendmsg with
 * MSG_ZEROCOPY made from the supervisor's copy of the data would leave
 * the kernel sending from the supervisor's memory after the call, that
 * memory freed and reused by then (the host process's heap going out on
 * the wire).  The peer reads slowly so the data waits in the socket:
 * every byte that arrives must be the sandbox's. */
TEST(sendmsg_attack_zerocopy_sends_only_the_sandbox_bytes)
{
	uint16_t port = tc_free_port();
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_net_bind_port(tc_builder(), port));
	const char *argv[] = {a7probe(), "zerocopy", tc_itoa(port), NULL};
	int out = -1;
	sandlock_handle_t *h =
	    sandlock_popen(p, NULL, argv, 3, SANDLOCK_STDIO_NULL, SANDLOCK_STDIO_PIPED,
			   SANDLOCK_STDIO_NULL, NULL, &out, NULL);
	CHECK(h != NULL);
	char line[64] = "";
	FILE *f = fdopen(out, "r");
	CHECK(f && fgets(line, sizeof(line), f));
	CHECK_STR(line, "listening\n");
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), small = 4096;
	CHECK(setsockopt(c, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) == 0);
	struct sockaddr_in in = {.sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	CHECK(connect(c, (struct sockaddr *)&in, sizeof(in)) == 0);
	usleep(500 * 1000); /* the sandbox sends meanwhile: its data waits */
	enum { CHUNK = 64 << 10, N = 64 };
	char *got = malloc((size_t)CHUNK * N);
	size_t n = 0;
	for (ssize_t r; n < (size_t)CHUNK * N && (r = recv(c, got + n, CHUNK * N - n, 0)) > 0;) {
		n += (size_t)r;
		usleep(200);
	}
	close(c);
	CHECK(fgets(line, sizeof(line), f));
	fclose(f);
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	sandlock_handle_free(h);
	CHECK_EQ(r.code, 0);
	CHECK_STR(line, "ok 4194304\n");
	CHECK_EQ(n, (size_t)CHUNK * N);
	for (size_t i = 0; i < n; i++)
		if (got[i] != 'A' + (char)((i / CHUNK) % 26))
			th_fail(__FILE__, __LINE__, "byte %zu: 0x%02x, wanted '%c'", i,
				(unsigned char)got[i], 'A' + (int)((i / CHUNK) % 26));
}

/* ---- sizes -------------------------------------------------------------------------- */

/* iovec lengths that add up to 2^64 + 1: the kernel refuses them
 * (EFAULT: past the user address space); the sum once wrapped to 1 here
 * and a byte was sent instead.  Nothing arrives. */
TEST(sendmsg_attack_iov_lengths_that_wrap)
{
	struct lay l = layout();
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	char *out = A7_IN(p, "iov-wrap", l.ws);
	CHECK(!strncmp(out, "errno=", 6));
	CHECK_EQ(count(l.wsock), 0);
}

/* ---- what calls that wait cost the supervisor -------------------------------------- */

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

static long cpu_ms_self(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000L +
	       (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000L;
}

/* The probe's "hold" in p: its count, and the supervisor's CPU time
 * meanwhile (this process's: the supervisor runs here) in *cpu. */
static long hold_run(const sandlock_sandbox_t *p, const char *threads, const char *ms,
		     const char *kind, const char *spin, long *cpu)
{
	long before = cpu_ms_self(), calls = -1;
	char *out = A7_IN(p, "hold", threads, ms, kind, spin);
	*cpu = cpu_ms_self() - before;
	CHECK(sscanf(out, "ok %ld", &calls) == 1);
	return calls;
}

/* Sixteen threads blocked in sends that wait (8 MiB on stream sockets
 * nobody reads; datagrams as large as the socket takes, to a socket
 * whose queue is full), on sockets with the largest send buffer allowed:
 * each is held by the supervisor and offered again later.  An offer must
 * not cost what the call first did.  Busy with another thread's calls,
 * the supervisor answers them nearly as fast as with nothing held (each
 * held call was offered again after every notification: ten times
 * slower); idle, it stays nearly idle (each offer read the call's data
 * again: half a CPU). */
TEST(sendmsg_attack_held_sends_cost_the_supervisor_little)
{
	struct lay l = layout();
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	long cpu, base = hold_run(p, "0", "1000", "stream", "spin", &cpu);
	CHECK(base > 0);
	const char *k[] = {"stream", l.ws};
	for (size_t i = 0; i < 2; i++) {
		hold_run(p, "16", "1000", k[i], "idle", &cpu);
		/* the regression this guards spent half a CPU (500 ms); a busy
		 * host (a parallel build) adds scheduling overhead to the rest.
		 * Under AddressSanitizer every allocation of a held call's
		 * buffers poisons and unpoisons its shadow: neither the CPU time
		 * nor the throughput below says anything there. */
		if (cpu > 400 && !SANITIZED)
			th_fail(__FILE__, __LINE__, "%s, idle: the supervisor spent %ld ms", k[i],
				cpu);
		long calls = hold_run(p, "16", "1000", k[i], "spin", &cpu);
		CHECK(calls > 0); /* answered, held sends or not */
		if (calls < base / 4 && !SANITIZED)
			th_fail(__FILE__, __LINE__, "%s, busy: %ld calls answered, %ld without",
				k[i], calls, base);
		count(l.wsock);
	}
}

/* A receiver that reads late: what the supervisor holds without reading
 * (the socket has no room) still goes once it has: 8 MiB by a blocking
 * stream sendmsg (short counts, looped), and a 100 KiB datagram to a
 * socket whose queue was full until the test read it. */
static void *drain_late(void *p)
{
	int s = *(int *)p;
	usleep(300 * 1000);
	for (int idle = 0; idle < 100;) {
		char buf[256 << 10];
		if (recv(s, buf, sizeof(buf), MSG_DONTWAIT) >= 0) {
			idle = 0;
		} else {
			idle++;
			usleep(10 * 1000);
		}
	}
	return NULL;
}

TEST(sendmsg_attack_held_sends_go_once_there_is_room)
{
	struct lay l = layout();
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	CHECK_STR(A7_IN(p, "resume", "stream"), tc_fmt("ok %d\n", 8 << 20));
	pthread_t th;
	CHECK(pthread_create(&th, NULL, drain_late, &l.wsock) == 0);
	CHECK_STR(A7_IN(p, "resume", l.ws), tc_fmt("ok %d\n", 100 << 10));
	pthread_join(th, NULL);
}
