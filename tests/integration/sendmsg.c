/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sendmsg.c - sendmsg and sendmmsg made on the sandbox's behalf
 * (src/features/unixsock.c, sockmsg.c, the fetcher of onbehalf.c) and the
 * start-up's exemption that lets the sandbox's own child send its
 * listener (filter.h, SL_MSG_START; child.c's guard filter): datagrams to
 * pathname unix sockets inside and outside the writable trees, files
 * passed by SCM_RIGHTS, forged credentials, the exemption's bit set by
 * the command, a thread rewriting the name or swapping sockets under the
 * fd, pidfd_getfd refused, and a policy denying what the start needs
 * after READY.  What arrives is checked from outside, on the receiving
 * sockets.  The probe is tests/probes/smprobe.c.
 */
#include "common.h"

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

/* wdir/ (writable) and rdir/ (readable: sending there is refused), each
 * with a datagram socket "s" and a file "f"; the sockets are read here. */
struct lay {
	char *w, *r, *ws, *rs, *wf, *rf;
	int wsock, rsock;
};

static struct lay layout(void)
{
	struct lay l = {.w = tc_mkdir("wdir"), .r = tc_mkdir("rdir")};
	l.ws = tc_path(l.w, "s");
	l.rs = tc_path(l.r, "s");
	l.wf = tc_path(l.w, "f");
	l.rf = tc_path(l.r, "f");
	tc_write_file(l.wf, "wfile\n", 0644);
	tc_write_file(l.rf, "rfile\n", 0644);
	l.wsock = tc_unix_server(l.ws, SOCK_DGRAM);
	l.rsock = tc_unix_server(l.rs, SOCK_DGRAM);
	return l;
}

static sandlock_builder_t *lay_builder(const struct lay *l)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_write(tc_builder(), l->w);
	return sandlock_sandbox_builder_fs_read(b, l->r);
}

static const char *smprobe(void)
{
	static char *p;
	if (!p)
		p = tc_path(tc_probe_dir(), "smprobe");
	return p;
}

#define sm_in(p, ...) tc_named_in((p), "smprobe", __VA_ARGS__)

/* The next datagram queued on s: its bytes (a new string, NULL when none
 * is queued) and the fd passed with it (*fd, -1 none; fd may be NULL). */
static char *take(int s, int *fd)
{
	char buf[512];
	union {
		char b[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {buf, sizeof(buf) - 1};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl.b,
			   .msg_controllen = sizeof(ctl.b)};
	if (fd)
		*fd = -1;
	ssize_t n = recvmsg(s, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return NULL;
	buf[n] = 0;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
		int got;
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(&got, CMSG_DATA(h), sizeof(got));
		if (fd)
			*fd = got;
		else
			close(got);
	}
	return strdup(buf);
}

/* How many datagrams are queued on s (taken). */
static int count(int s)
{
	int n = 0;
	char *d;
	while ((d = take(s, NULL))) {
		free(d);
		n++;
	}
	return n;
}

/* ---- where a datagram may go ------------------------------------------------------ */

/* A pathname socket only in the writable tree, whichever name reaches it
 * (a symlink placed in the writable tree, "..") and however the message
 * names it (several iovecs, a connected socket with no name); an
 * abstract one is refused under the scope. */
TEST(sendmsg_datagram_writable_tree_only)
{
	struct lay l = layout();
	char *lnk = tc_path(l.w, "lnk");
	CHECK(symlink(l.rs, lnk) == 0);
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	char *out = sm_in(p, "seq", tc_fmt("dgram %s ab cd ef", l.ws), tc_fmt("dgram %s ab", l.rs),
			  tc_fmt("dgram %s ab", lnk), tc_fmt("dgram %s/../rdir/s ab", l.w),
			  tc_fmt("connected %s gh", l.ws), tc_fmt("connected %s gh", l.rs),
			  "abstract sandlock-sm ij", tc_fmt("dgram %s/nope ab", l.w), NULL);
	static const char *const want[] = {"ok 6",	   "errno=EACCES", "errno=EACCES",
					   "errno=EACCES", "ok 2",	   "errno=EACCES",
					   "errno=EPERM",  "errno=ENOENT", NULL};
	tc_check_lines(out, want);
	CHECK_STR(take(l.wsock, NULL), "abcdef");
	CHECK_STR(take(l.wsock, NULL), "gh");
	CHECK(take(l.wsock, NULL) == NULL);
	CHECK_EQ(count(l.rsock), 0);
}

/* ---- files passed ----------------------------------------------------------------- */

/* SCM_RIGHTS over a stream socketpair (no name) and in a datagram to the
 * writable tree: the receiver gets a working fd of the file.  The files
 * pass through the supervisor's fetcher, never the host's fd table: the
 * host's POSIX lock on the file (an SQLite database's, say) outlives the
 * sandbox passing it. */
TEST(sendmsg_rights_passed_and_host_locks_kept)
{
	struct lay l = layout();
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	int lfd = open(l.rf, O_RDWR | O_CLOEXEC);
	struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	CHECK(lfd >= 0 && fcntl(lfd, F_SETLK, &lk) == 0);
	CHECK(tc_lock_held(l.rf));
	char *out = sm_in(p, "seq", tc_fmt("rights-pair %s", l.rf),
			  tc_fmt("rights-dgram %s %s", l.ws, l.rf),
			  tc_fmt("rights-dgram %s %s", l.rs, l.rf), NULL);
	static const char *const want[] = {"ok rfile", "ok 1", "errno=EACCES", NULL};
	tc_check_lines(out, want);
	CHECK(tc_lock_held(l.rf));
	int fd;
	CHECK_STR(take(l.wsock, &fd), "F");
	char buf[16] = "";
	CHECK(fd >= 0);
	CHECK_EQ(pread(fd, buf, sizeof(buf) - 1, 0), 6);
	CHECK_STR(buf, "rfile\n");
	close(fd);
	CHECK_EQ(count(l.rsock), 0);
	close(lfd);
}

/* ---- sendmmsg ---------------------------------------------------------------------- */

/* Three datagrams: the count, and each msg_len written back.  One to a
 * socket outside the writable tree stops the call there: the count so
 * far (nothing after it sent), or the refusal when it is the first. */
TEST(sendmsg_sendmmsg_counts_and_refusals)
{
	struct lay l = layout();
	char *w2 = tc_path(l.w, "s2"), *w3 = tc_path(l.w, "s3");
	int s2 = tc_unix_server(w2, SOCK_DGRAM), s3 = tc_unix_server(w3, SOCK_DGRAM);
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	char *out =
	    sm_in(p, "seq", tc_fmt("mmsg %s %s %s", l.ws, w2, w3),
		  tc_fmt("mmsg %s %s %s", l.ws, l.rs, w3), tc_fmt("mmsg %s %s", l.rs, w2), NULL);
	static const char *const want[] = {"ok 3 2 3 4", "ok 1 2 999 999", "errno=EACCES", NULL};
	tc_check_lines(out, want);
	CHECK_STR(take(l.wsock, NULL), "01");
	CHECK_STR(take(l.wsock, NULL), "01");
	CHECK(take(l.wsock, NULL) == NULL);
	CHECK_STR(take(s2, NULL), "012");
	CHECK(take(s2, NULL) == NULL);
	CHECK_STR(take(s3, NULL), "0123");
	CHECK(take(s3, NULL) == NULL);
	CHECK_EQ(count(l.rsock), 0);
}

/* ---- attacks ----------------------------------------------------------------------- */

/* A thread keeps rewriting msg_name's path between the writable tree's
 * socket and the readable tree's: the name is read once, and the check
 * and the send are on that copy. */
TEST(sendmsg_race_name_rewritten)
{
	struct lay l = layout();
	struct tc_drain w, r;
	tc_drain_start(&w, l.wsock, true);
	tc_drain_start(&r, l.rsock, true);
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	char *out = sm_in(p, "race-name", l.ws, l.rs, "3000", NULL);
	long ok = -1;
	CHECK(sscanf(out, "ok %ld", &ok) == 1);
	CHECK(ok > 0);
	CHECK(tc_drain_stop(&w) > 0);
	CHECK_EQ(tc_drain_stop(&r), 0);
}

/* A thread keeps dup2()ing a unix datagram socket, a unix stream socket
 * and a TCP socket onto the fd a sendmsg names, with msg_name outside the
 * writable trees: the family is decided on our duplicate and the send is
 * made on it, so no datagram ever gets there. */
TEST(sendmsg_race_socket_swapped_under_the_fd)
{
	struct lay l = layout();
	struct tc_drain r;
	tc_drain_start(&r, l.rsock, true);
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	CHECK_STR(sm_in(p, "race-swap", l.rs, "3000", NULL), "ok 0\n");
	CHECK_EQ(tc_drain_stop(&r), 0);
}

/* Bit 32 of the flags register, which the kernel drops (and which the
 * start-up's own sends once set to pass the filter): decided like any
 * other send, on sendmsg and sendmmsg alike.  Delivered in the writable
 * tree, refused outside it. */
TEST(sendmsg_flag_bit32_decided_as_any)
{
	struct lay l = layout();
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	CHECK_STR(sm_in(p, "flagbit", l.ws, NULL), "ok 1\nok 1\n");
	CHECK_STR(sm_in(p, "flagbit", l.rs, NULL), "errno=EACCES\nerrno=EACCES\n");
	CHECK_STR(take(l.wsock, NULL), "B");
	CHECK_STR(take(l.wsock, NULL), "B");
	CHECK_EQ(count(l.rsock), 0);
}

/* SCM_CREDENTIALS, the child's own or forged: refused, nothing sent (the
 * supervisor cannot send the child's pid, and could forge with a
 * capability). */
TEST(sendmsg_credentials_refused)
{
	struct lay l = layout();
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	CHECK_STR(sm_in(p, "creds", l.ws, NULL), "errno=EPERM\nerrno=EPERM\n");
	CHECK_EQ(count(l.wsock), 0);
}

/* As root, a socket of another user's, mode 0600, in the writable tree:
 * the child (uid 0 without CAP_DAC_OVERRIDE) may not write it, so neither
 * may the supervisor for it, with or without files passed. */
TEST(sendmsg_socket_of_another_user)
{
	if (!th_root())
		SKIP("needs root: only root can make a socket of another user's");
	struct lay l = layout();
	CHECK(chown(l.ws, 65534, 65534) == 0 && chmod(l.ws, 0600) == 0);
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	char *out = sm_in(p, "seq", tc_fmt("dgram %s ab", l.ws),
			  tc_fmt("rights-dgram %s %s", l.ws, l.rf), NULL);
	static const char *const want[] = {"errno=EACCES", "errno=EACCES", NULL};
	tc_check_lines(out, want);
	CHECK_EQ(count(l.wsock), 0);
}

/* ---- where pidfd_getfd is refused ---------------------------------------------------- */

/* Docker's default seccomp profile refuses pidfd_getfd without
 * CAP_SYS_PTRACE, simulated by a filter on the test process (the
 * supervisor's): no socket can be duplicated, so no send is made, to a
 * name or not, with files or not (EPERM), and nothing arrives. */
TEST(sendmsg_without_pidfd_getfd)
{
	struct lay l = layout();
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	tc_refuse_pidfd_getfd();
	char *out = sm_in(p, "seq", tc_fmt("dgram %s ab", l.ws), "pair xy",
			  tc_fmt("rights-pair %s", l.rf), tc_fmt("mmsg %s", l.ws), NULL);
	static const char *const want[] = {"errno=EPERM", "errno=EPERM", "errno=EPERM",
					   "errno=EPERM", NULL};
	tc_check_lines(out, want);
	CHECK_EQ(count(l.wsock), 0);
}

/* ---- the start ----------------------------------------------------------------------- */

/* The start-up makes no sendmsg, seccomp or prctl after its filter (a
 * thread outside it hands the listener over) and reports a late failure
 * with sendto, or write where sendto is denied: a policy denying all of
 * them still starts, with every send supervised. */
TEST(sendmsg_start_with_denied_calls)
{
	struct lay l = layout();
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_extra_deny_syscalls(
	    lay_builder(&l), "sendto,write,seccomp,prctl"));
	struct tc_res r = tc_run(p, NULL, smprobe(), "bit32", l.rs, NULL);
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	CHECK_EQ(r.code, 0);
	/* the exec's failure still told, by write */
	sandlock_sandbox_t *q = tc_build(
	    sandlock_sandbox_builder_extra_deny_syscalls(tc_builder(), "sendto,sendmsg,seccomp"));
	r = tc_run(q, NULL, "/nonexistent/command", NULL);
	CHECK_EQ(r.code, 127);
	CHECK_CONTAINS(r.note, "command not found");
	CHECK_EQ(count(l.rsock), 0);
}

/* A user handler on futex (the start-up's wait for its courier thread)
 * cannot be answered before the listener is handed over: refused at
 * build, naming the call. */
static int pass_call(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		     sandlock_action_out_t *out)
{
	(void)ud;
	(void)n;
	(void)mem;
	sandlock_action_set_continue(out);
	return 0;
}

TEST(sendmsg_start_futex_handler_refused)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	sandlock_handler_t *h = sandlock_handler_new(pass_call, NULL, NULL, 0);
	CHECK(h != NULL);
	sandlock_handler_registration_t reg = {SYS_futex, h};
	const char *argv[] = {"/bin/true", NULL};
	CHECK(sandlock_run_with_handlers(p, NULL, argv, 1, &reg, 1) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "before the supervisor can answer");
}
