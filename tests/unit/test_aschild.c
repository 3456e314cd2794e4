/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_aschild.c - a function run with the child's credentials
 * (src/engine/aschild.c): on the calling thread with no effective
 * capability for its length, or on the worker with other ids or under a
 * Landlock ruleset; the caller's own credentials untouched either way.
 */
#include "aschild.h"
#include "harness.h"
#include "landlock.h"
#include "pidinfo.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* What a call saw of its own thread. */
struct seen {
	pid_t tid;
	uid_t ruid, euid, fsuid;
	gid_t egid;
	uint64_t eff;
};

static uint64_t effective(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return ~0ULL;
	return d[0].effective | (uint64_t)d[1].effective << 32;
}

static long look(void *p)
{
	struct seen *s = p;
	uid_t sv;
	gid_t rg, sg;
	s->tid = gettid();
	getresuid(&s->ruid, &s->euid, &sv);
	getresgid(&rg, &s->egid, &sg);
	s->fsuid = (uid_t)syscall(SYS_setfsuid, -1);
	s->eff = effective();
	return 7;
}

static struct sl_creds mine(void)
{
	struct sl_creds c;
	int dir = open("/proc/thread-self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0 || pidinfo_creds(dir, "status", &c) < 0)
		th_fail(__FILE__, __LINE__, "own credentials: %s", strerror(errno));
	close(dir);
	return c;
}

/* The child's ids are ours: the call runs here, without capabilities,
 * and ours come back. */
TEST(aschild_drops_effective_caps_for_the_call)
{
	th_skip_under_valgrind("capget: it marks the first of the two version-3 structs written");
	struct aschild *a;
	struct sl_creds me = mine();
	struct seen s;
	uint64_t before = effective();
	CHECK_EQ(aschild_new(&a, -1), 0);
	CHECK_EQ(aschild_run(a, &me, look, &s), 7);
	CHECK_EQ(s.tid, gettid());
	CHECK_EQ(s.eff, 0);
	CHECK_EQ(effective(), before);
	aschild_free(a);
}

/* Other ids: taken on the worker, with no capability, then given back. */
TEST(aschild_takes_other_ids_on_the_worker)
{
	th_skip_under_valgrind("capget: it marks the first of the two version-3 structs written");
	if (!th_root())
		SKIP("taking other ids needs CAP_SETUID and CAP_SETGID");
	struct aschild *a;
	struct sl_creds me = mine(), them = me;
	for (int i = 0; i < 4; i++)
		them.uid[i] = them.gid[i] = 65534;
	them.ngroups = 1;
	them.groups[0] = 65534;
	struct seen s;
	CHECK_EQ(aschild_new(&a, -1), 0);
	for (int round = 0; round < 3; round++) {
		CHECK_EQ(aschild_run(a, &them, look, &s), 7);
		CHECK(s.tid != gettid());
		CHECK_EQ(s.ruid, 65534);
		CHECK_EQ(s.euid, 65534);
		CHECK_EQ(s.fsuid, 65534);
		CHECK_EQ(s.egid, 65534);
		CHECK_EQ(s.eff, 0);
		CHECK_EQ(aschild_run(a, &me, look, &s), 7);
		CHECK_EQ(s.tid, gettid());
	}
	CHECK_EQ(geteuid(), 0);
	aschild_free(a);
}

/* Without CAP_SETUID/CAP_SETGID other ids cannot be taken: refused. */
TEST(aschild_refuses_ids_it_cannot_take)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct none[2] = {{0, 0, 0}, {0, 0, 0}};
	CHECK(syscall(SYS_capset, &h, none) == 0); /* this test's process only */
	struct aschild *a;
	struct sl_creds them = mine();
	them.uid[0] = them.uid[1] = them.uid[3] = them.uid[0] + 1;
	struct seen s;
	CHECK_EQ(aschild_new(&a, -1), 0);
	CHECK_EQ(aschild_run(a, &them, look, &s), -EPERM);
	aschild_free(a);
}

static long tcp_connect(void *p)
{
	struct sockaddr_in *to = p;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	long r = connect(s, (struct sockaddr *)to, sizeof(*to)) < 0 ? -errno : 0;
	close(s);
	return r;
}

/* A ruleset given: the calls run on the worker, confined by it; the
 * caller is not. */
TEST(aschild_worker_under_landlock)
{
	int abi = landlock_abi();
	if (abi < 4)
		SKIP("Landlock TCP rules need ABI 4 (have %d)", abi);
	struct sl_landlock_ruleset_attr attr = {.handled_access_net =
						    LANDLOCK_ACCESS_NET_CONNECT_TCP};
	int rs = (int)syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0U);
	CHECK(rs >= 0);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(to);
	CHECK(bind(l, (struct sockaddr *)&to, sizeof(to)) == 0 && listen(l, 4) == 0);
	CHECK(getsockname(l, (struct sockaddr *)&to, &len) == 0);
	struct aschild *a;
	struct sl_creds me = mine();
	CHECK_EQ(aschild_new(&a, rs), 0);
	CHECK_EQ(aschild_run(a, &me, tcp_connect, &to), -EACCES);
	CHECK_EQ(tcp_connect(&to), 0);
	aschild_free(a);
	close(rs);
	close(l);
}
