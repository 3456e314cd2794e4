/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the privilege drop (src/plan/privdrop.c); each test runs in its
 * own forked process, so dropping is for real. */
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "privdrop.h"

#define OURS                                                                                       \
	(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |                           \
	 SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |   \
	 SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)

/* Ours set and locked; a bit the host locked keeps its value (the kernel
 * would refuse to change it, and the start would fail). */
TEST(privdrop_secbits_keep_locked_bits)
{
	CHECK_EQ(privdrop_secbits(0), OURS);
	CHECK_EQ(privdrop_secbits(SECBIT_KEEP_CAPS) & SECBIT_KEEP_CAPS, SECBIT_KEEP_CAPS);
	unsigned long locked_off = SECBIT_NOROOT_LOCKED;
	unsigned long b = privdrop_secbits(locked_off);
	CHECK_EQ(b & SECBIT_NOROOT, 0);
	CHECK(b & SECBIT_NO_SETUID_FIXUP_LOCKED);
	unsigned long locked_on = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED;
	CHECK_EQ(privdrop_secbits(locked_on) & SECBIT_NOROOT, SECBIT_NOROOT);
}

static bool any_cap(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	CHECK(syscall(SYS_capget, &h, d) == 0);
	return (d[0].effective | d[0].permitted | d[0].inheritable | d[1].effective |
		d[1].permitted | d[1].inheritable) != 0;
}

/* Whatever this process holds, afterwards it holds nothing: no
 * capability, an empty bounding set when it could be emptied, locked
 * securebits, no real-time or raised priority. */
TEST(privdrop_drops_everything_held)
{
	th_skip_under_valgrind("capget through a raw syscall");
	bool setpcap = prctl(PR_CAPBSET_READ, CAP_SETPCAP) == 1 && any_cap();
	CHECK_EQ(privdrop_caps_held(), any_cap());
	int step = 0;
	CHECK_EQ(privdrop_bound(&step), setpcap ? 1 : 0);
	CHECK_EQ(privdrop_apply(&step, false), 0);
	CHECK(!any_cap());
	CHECK(!privdrop_caps_held());
	struct rlimit rl;
	CHECK(getrlimit(RLIMIT_RTPRIO, &rl) == 0 && rl.rlim_max == 0);
	CHECK(getrlimit(RLIMIT_NICE, &rl) == 0 && rl.rlim_max == 0);
	if (!setpcap)
		return;
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		CHECK_EQ(prctl(PR_CAPBSET_READ, cap), 0);
	int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	CHECK_EQ(bits & OURS, OURS);
}

/* Takes CAP_SETPCAP out of the effective set, and out of the permitted
 * set too when asked.  False when it was not permitted to begin with. */
static bool drop_setpcap(bool permitted)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	CHECK(syscall(SYS_capget, &h, d) == 0);
	bool had = d[0].permitted & CAP_TO_MASK(CAP_SETPCAP);
	d[0].effective &= ~CAP_TO_MASK(CAP_SETPCAP);
	if (permitted)
		d[0].permitted &= ~CAP_TO_MASK(CAP_SETPCAP);
	CHECK(syscall(SYS_capset, &h, d) == 0);
	return had;
}

/* CAP_SETPCAP permitted but not effective (a service may run so): it is
 * raised for the drop, and the bounding set still goes. */
TEST(privdrop_setpcap_permitted_only)
{
	th_skip_under_valgrind("capget through a raw syscall");
	if (prctl(PR_CAPBSET_READ, CAP_SETPCAP) != 1 || !any_cap())
		SKIP("needs CAP_SETPCAP");
	if (!drop_setpcap(false))
		SKIP("CAP_SETPCAP is not permitted");
	int step = 0;
	CHECK_EQ(privdrop_bound(&step), 1);
	CHECK_EQ(privdrop_apply(&step, false), 0);
	CHECK(!any_cap());
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		CHECK_EQ(prctl(PR_CAPBSET_READ, cap), 0);
}

/* Without CAP_SETPCAP permitted the bounding set stays (it cannot be
 * dropped, and nothing can be gained through it: NO_NEW_PRIVS and an
 * empty permitted set), the capability sets still go. */
TEST(privdrop_without_setpcap)
{
	th_skip_under_valgrind("capget through a raw syscall");
	if (!any_cap())
		SKIP("needs some capability");
	drop_setpcap(true);
	CHECK(!privdrop_keeps_permitted());
	int step = 0;
	CHECK_EQ(privdrop_bound(&step), 0);
	CHECK_EQ(privdrop_apply(&step, false), 0);
	CHECK(!any_cap());
	CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_SETPCAP), 1);
}

/* The sets of a process, as /proc/self/status shows them, one value
 * each (CapInh, CapPrm, CapEff, CapBnd, CapAmb), from a fresh exec of
 * /bin/cat when exec_first. */
static void read_caps(bool exec_first, unsigned long long v[5])
{
	char buf[4096];
	size_t n = 0;
	if (exec_first) {
		int fd[2];
		CHECK(pipe(fd) == 0);
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			dup2(fd[1], 1);
			execl("/bin/cat", "cat", "/proc/self/status", (char *)NULL);
			_exit(127);
		}
		close(fd[1]);
		ssize_t r;
		while (n < sizeof(buf) - 1 && (r = read(fd[0], buf + n, sizeof(buf) - 1 - n)) > 0)
			n += (size_t)r;
		close(fd[0]);
		int st;
		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	} else {
		FILE *f = fopen("/proc/self/status", "r");
		CHECK(f != NULL);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	static const char *const keys[5] = {
	    "\nCapInh:", "\nCapPrm:", "\nCapEff:", "\nCapBnd:", "\nCapAmb:"};
	for (int i = 0; i < 5; i++) {
		const char *at = strstr(buf, keys[i]);
		CHECK(at != NULL);
		v[i] = strtoull(at + strlen(keys[i]), NULL, 16);
	}
}

/* Kept until exec: the permitted set stays (a process without the same
 * capabilities cannot open our /proc/PID/mem), nothing is effective, and
 * exec leaves nothing at all, uid 0 included. */
TEST(privdrop_keeps_permitted_until_exec)
{
	th_skip_under_valgrind("capget through a raw syscall");
	if (!privdrop_keeps_permitted())
		SKIP("needs CAP_SETPCAP");
	unsigned long long before[5], after[5], execd[5];
	read_caps(false, before);
	int step = 0;
	CHECK_EQ(privdrop_bound(&step), 1);
	CHECK_EQ(privdrop_apply(&step, true), 0);
	read_caps(false, after);
	CHECK_EQ(after[0], 0);
	CHECK_EQ(after[1], before[1]);
	CHECK(after[1] != 0);
	CHECK_EQ(after[2], 0);
	CHECK_EQ(after[3], 0);
	CHECK_EQ(after[4], 0);
	read_caps(true, execd);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(execd[i], 0);
}
