/* SPDX-License-Identifier: Apache-2.0 */
/*
 * handlers.c - the custom handler ABI:
 * sandlock_run_with_handlers and its interactive twin, every action and
 * its invalid forms, the exception policies, the memory accessors, hold
 * and release, kill and its group rules, registration refusals, ud_drop
 * accounting, chain order behind the builtins, handlers on the child's own
 * exec, threads and grandchildren.
 *
 * The command is tests/probes/hprobe, which makes the syscalls the
 * handlers sit on with raw syscall(2) and prints "ret=V" or "errno=NAME".
 * A handler records what it saw in its user data; the test checks both
 * sides.  The callbacks run on the test's own thread (the supervisor runs
 * inline), so the records need no locking.
 */
#include "common.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

/* hprobe's argument list, NULL-terminated. */
#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
/* A syscall number as an argument string. */
#define NR(name) tc_itoa(SYS_##name)

static const char *hprobe(void)
{
	static char *p;
	if (!p)
		p = strdup(th_build("tests/probes/hprobe"));
	if (!p)
		th_fail(__FILE__, __LINE__, "out of memory");
	return p;
}

static pid_t my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* Runs `hprobe ARGS...` with the registrations; fails the test when the
 * library returns NULL. */
static struct tc_res hrun(const sandlock_sandbox_t *p, const char *name,
			  const sandlock_handler_registration_t *regs, size_t n,
			  const char *const *args)
{
	const char *argv[32];
	unsigned int argc = 0;
	argv[argc++] = hprobe();
	for (size_t i = 0; args[i]; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	return tc_result(sandlock_run_with_handlers(p, name, argv, argc, regs, n));
}

/* ---- a scripted handler ---------------------------------------------------
 * Answers with a fixed action (written through the setters by the test)
 * and return code, and records what it was shown. */
struct script {
	int rc;			   /* what the callback returns */
	sandlock_action_out_t act; /* copied to *out (kind UNSET: nothing set) */
	int calls;
	int drops;
	sandlock_notif_data_t last;
	pid_t cb_tid; /* the thread the callback ran on */
};

static int h_script(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		    sandlock_action_out_t *out)
{
	struct script *s = ud;
	s->calls++;
	s->last = *n;
	s->cb_tid = my_tid();
	*out = s->act;
	return s->rc;
}

static void drop_script(void *ud)
{
	((struct script *)ud)->drops++;
}

static sandlock_handler_registration_t sreg(long nr, struct script *s, uint32_t policy)
{
	sandlock_handler_t *h = sandlock_handler_new(h_script, s, drop_script, policy);
	if (!h)
		th_fail(__FILE__, __LINE__, "handler_new: %s", sandlock_last_error());
	return (sandlock_handler_registration_t){nr, h};
}

/* One scripted handler on nr, `hprobe ARGS...`. */
static struct tc_res run_script(long nr, struct script *s, uint32_t policy, const char *const *args)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	sandlock_handler_registration_t r = sreg(nr, s, policy);
	struct tc_res res = hrun(p, NULL, &r, 1, args);
	CHECK_EQ(s->drops, 1);
	sandlock_sandbox_free(p);
	return res;
}

/* `hprobe sys getppid` answered by one scripted handler. */
static struct tc_res getppid_with(struct script *s, uint32_t policy)
{
	return run_script(SYS_getppid, s, policy, ARGS("sys", NR(getppid)));
}

/* `hprobe sys umask` answered by one scripted handler: umask(0) returns
 * the mask the child inherited, set here to 027 (a value no handler in
 * these tests answers), so "ret=23" proves the real syscall ran.  (Not
 * getppid: the command's parent is sandlock's keeper, not this process.) */
#define CONTINUED_RET "ret=23\n"
static struct tc_res umask_with(struct script *s, uint32_t policy)
{
	umask(027);
	return run_script(SYS_umask, s, policy, ARGS("sys", NR(umask)));
}

/* A formatted line in a new buffer. */
__attribute__((format(printf, 1, 2))) static char *fmt_line(const char *fmt, ...)
{
	char *s = malloc(128);
	if (!s)
		th_fail(__FILE__, __LINE__, "out of memory");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s, 128, fmt, ap);
	va_end(ap);
	return s;
}

/* Copies the string src, truncated to fit size bytes with its NUL. */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* ---- basic actions --------------------------------------------------------- */

/* return_value: the syscall returns the 64-bit value; the notification
 * data is the real one; the callback runs on the caller's thread; ud_drop
 * runs exactly once after the run. */
TEST(handler_return_value)
{
	struct script s = {0};
	sandlock_action_set_return_value(&s.act, 0x123456789LL);
	struct tc_res r = getppid_with(&s, SANDLOCK_EXCEPTION_KILL);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "ret=4886718345\n");
	CHECK_EQ(s.calls, 1);
	CHECK_EQ(s.last.syscall_nr, SYS_getppid);
	CHECK_EQ(s.last.arch, AUDIT_ARCH_X86_64);
	CHECK(s.last.id != 0);
	CHECK(s.last.pid > 0 && (pid_t)s.last.pid != getpid());
	CHECK(s.last.instruction_pointer != 0);
	CHECK_EQ(s.cb_tid, my_tid());
}

/* A handler on getpid: the child learns its own pid before the filter
 * exists (a getpid after it would wait for a supervisor that has no
 * listener yet, and the start would hang). */
TEST(handler_on_getpid_does_not_hang_start)
{
	struct script s = {0};
	sandlock_action_set_return_value(&s.act, 4242);
	struct tc_res r =
	    run_script(SYS_getpid, &s, SANDLOCK_EXCEPTION_KILL, ARGS("sys", NR(getpid)));
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "ret=4242\n");
	CHECK(s.calls >= 1);
}

/* continue: the real syscall runs. */
TEST(handler_continue)
{
	struct script s = {0};
	sandlock_action_set_continue(&s.act);
	struct tc_res r = umask_with(&s, SANDLOCK_EXCEPTION_KILL);
	CHECK_STR(r.out, CONTINUED_RET);
	CHECK_EQ(s.calls, 1);
}

/* errno(v) for 1..4095; 0, 4096 and negatives are invalid and take the
 * exception policy (here DENY_EIO). */
TEST(handler_errno_values)
{
	static const struct {
		int32_t v;
		const char *want;
	} cases[] = {
	    {EACCES, "errno=EACCES\n"}, {1, "errno=EPERM\n"},  {4095, "errno=4095\n"},
	    {0, "errno=EIO\n"},		{4096, "errno=EIO\n"}, {-1, "errno=EIO\n"},
	    {-EPERM, "errno=EIO\n"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct script s = {0};
		sandlock_action_set_errno(&s.act, cases[i].v);
		struct tc_res r = getppid_with(&s, SANDLOCK_EXCEPTION_DENY_EIO);
		if (strcmp(r.out, cases[i].want) != 0)
			th_fail(__FILE__, __LINE__, "errno(%d): got \"%s\", want \"%s\"",
				cases[i].v, r.out, cases[i].want);
		CHECK_EQ(r.code, 0);
	}
}

/* A non-zero return, an unset kind, the reserved tracked injection and an
 * unknown kind all take the handler's exception policy. */
TEST(handler_exception_policies)
{
	sandlock_action_out_t good = {0};
	sandlock_action_set_return_value(&good, 5);
	sandlock_action_out_t reserved = {.kind = SANDLOCK_ACTION_INJECT_FD_SEND_TRACKED};
	sandlock_action_out_t unknown = {.kind = 99};
	const struct {
		int rc;
		sandlock_action_out_t act;
	} faults[] = {{-1, good}, {1, good}, {0, {0}}, {0, reserved}, {0, unknown}};
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		struct script s = {.rc = faults[i].rc, .act = faults[i].act};
		struct tc_res r = getppid_with(&s, SANDLOCK_EXCEPTION_DENY_EPERM);
		CHECK_STR(r.out, "errno=EPERM\n");
		s = (struct script){.rc = faults[i].rc, .act = faults[i].act};
		r = getppid_with(&s, SANDLOCK_EXCEPTION_DENY_EIO);
		CHECK_STR(r.out, "errno=EIO\n");
		s = (struct script){.rc = faults[i].rc, .act = faults[i].act};
		r = umask_with(&s, SANDLOCK_EXCEPTION_CONTINUE);
		CHECK_STR(r.out, CONTINUED_RET);
		/* KILL, the default: SIGKILL to the notifier's group */
		s = (struct script){.rc = faults[i].rc, .act = faults[i].act};
		r = getppid_with(&s, SANDLOCK_EXCEPTION_KILL);
		CHECK_EQ(r.status, SANDLOCK_STATUS_KILLED);
		CHECK_EQ(r.code, -1);
		CHECK_EQ(r.sig, SIGKILL);
		CHECK_STR(r.out, "");
	}
}

/* The KILL exception policy kills the notifier's process group only: a
 * grandchild in a group of its own dies, the command goes on. */
TEST(handler_exception_kill_notifier_group)
{
	struct script s = {.rc = -1};
	struct tc_res r = run_script(SYS_getppid, &s, SANDLOCK_EXCEPTION_KILL,
				     ARGS("fork-sys", NR(getppid), "pgrp"));
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "parent: child signal=9\n");
	CHECK_EQ(s.calls, 1);
}

/* ---- chains ---------------------------------------------------------------- */

/* User handlers run in registration order; the first answer other than
 * continue wins and the rest are not called. */
TEST(handler_chain_order)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct script a = {0}, b = {0};
	sandlock_action_set_continue(&a.act);
	sandlock_action_set_return_value(&b.act, 777);
	sandlock_handler_registration_t regs[] = {sreg(SYS_getppid, &a, 0),
						  sreg(SYS_getppid, &b, 0)};
	struct tc_res r = hrun(p, NULL, regs, 2, ARGS("sys", NR(getppid)));
	CHECK_STR(r.out, "ret=777\n");
	CHECK_EQ(a.calls, 1);
	CHECK_EQ(b.calls, 1);
	CHECK(a.last.id == b.last.id);

	struct script c = {0}, d = {0};
	sandlock_action_set_return_value(&c.act, 111);
	sandlock_action_set_return_value(&d.act, 222);
	sandlock_handler_registration_t regs2[] = {sreg(SYS_getppid, &c, 0),
						   sreg(SYS_getppid, &d, 0)};
	r = hrun(p, NULL, regs2, 2, ARGS("sys", NR(getppid)));
	CHECK_STR(r.out, "ret=111\n");
	CHECK_EQ(c.calls, 1);
	CHECK_EQ(d.calls, 0);
	CHECK_EQ(a.drops + b.drops + c.drops + d.drops, 4);
}

/* uname has a builtin that answers it (the sandbox name as nodename): a
 * user handler behind it is never reached. */
TEST(handler_behind_answering_builtin)
{
	struct script s = {0};
	sandlock_action_set_errno(&s.act, EACCES);
	sandlock_sandbox_t *p = tc_build(tc_builder());
	sandlock_handler_registration_t r = sreg(SYS_uname, &s, 0);
	struct tc_res res = hrun(p, "hname", &r, 1, ARGS("uname"));
	CHECK_STR(res.out, "nodename=hname\n");
	CHECK_EQ(s.calls, 0);
	CHECK_EQ(s.drops, 1);
}

/* Handlers on several syscalls in one run, each reached for its own. */
TEST(handler_several_syscalls)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct script a = {0}, b = {0};
	sandlock_action_set_return_value(&a.act, 31);
	sandlock_action_set_return_value(&b.act, 32);
	sandlock_handler_registration_t regs[] = {sreg(SYS_getppid, &a, 0),
						  sreg(SYS_getuid, &b, 0)};
	struct tc_res r = hrun(p, NULL, regs, 2, ARGS("sys", NR(getuid)));
	CHECK_STR(r.out, "ret=32\n");
	CHECK_EQ(a.calls, 0);
	CHECK_EQ(b.calls, 1);
	CHECK_EQ(b.last.syscall_nr, SYS_getuid);
	r = hrun(p, NULL, regs, 0, ARGS("sys", NR(getuid)));
	/* without registrations: the real uid */
	CHECK_STR(r.out, fmt_line("ret=%ld\n", (long)getuid()));
}

/* ---- memory ---------------------------------------------------------------- */

/* A path policy on openat: the handler reads the path and denies one
 * name with EACCES; everything else continues. */
struct pathdeny {
	const char *deny; /* exact path */
	int calls, denied, drops;
	char seen[4][256];
};

static int h_pathdeny(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		      sandlock_action_out_t *out)
{
	struct pathdeny *d = ud;
	uint8_t buf[4096];
	size_t len = 0;
	if (sandlock_mem_read_cstr(mem, n->args[1], buf, sizeof(buf), &len) != 0)
		return -1;
	if (d->calls < 4)
		copy_str(d->seen[d->calls], sizeof(d->seen[0]), (char *)buf);
	d->calls++;
	if (strlen((char *)buf) != len)
		return -1;
	if (strcmp((char *)buf, d->deny) == 0) {
		d->denied++;
		sandlock_action_set_errno(out, EACCES);
	} else {
		sandlock_action_set_continue(out);
	}
	return 0;
}

static void drop_pathdeny(void *ud)
{
	((struct pathdeny *)ud)->drops++;
}

TEST(handler_openat_path_policy)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *other = tc_probe();
	struct pathdeny d = {.deny = hprobe()};
	sandlock_handler_registration_t r = {
	    SYS_openat, sandlock_handler_new(h_pathdeny, &d, drop_pathdeny, 0)};
	struct tc_res res = hrun(p, NULL, &r, 1, ARGS("open", hprobe(), other));
	CHECK_EQ(res.code, 0);
	CHECK_LINE(res.out, 0, "errno=EACCES");
	/* the other file opened for real: its ELF magic was read */
	CHECK_CONTAINS(tc_line(res.out, 1), "data=\177ELF");
	CHECK_EQ(d.calls, 2);
	CHECK_EQ(d.denied, 1);
	CHECK_STR(d.seen[0], hprobe());
	CHECK_STR(d.seen[1], other);
	CHECK_EQ(d.drops, 1);
}

/* The accessors' contract, exercised inside the callback: max_len counts
 * the NUL, exact-length reads, invalid addresses and NULL arguments. */
struct memcheck {
	int calls, drops;
	int fails; /* expectations that did not hold */
	char what[128];
};

#define MC_EXPECT(mc, cond)                                                                        \
	do {                                                                                       \
		if (!(cond) && !(mc)->fails++)                                                     \
			snprintf((mc)->what, sizeof((mc)->what), "line %d: %s", __LINE__, #cond);  \
	} while (0)

static int h_memcheck(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		      sandlock_action_out_t *out)
{
	struct memcheck *mc = ud;
	uint64_t a = n->args[1];
	uint8_t buf[64];
	size_t len = 99;
	mc->calls++;
	sandlock_action_set_errno(out, EACCES);
	memset(buf, 0, sizeof(buf));
	if (sandlock_mem_read_cstr(mem, a, buf, 1, &len) == 0) {
		/* the empty path: max_len 1 is enough for "" */
		MC_EXPECT(mc, len == 0);
		MC_EXPECT(mc, buf[0] == 0);
		return 0;
	}
	/* "/hx/abc": 7 bytes + NUL */
	MC_EXPECT(mc, sandlock_mem_read_cstr(mem, a, buf, 8, &len) == 0);
	MC_EXPECT(mc, len == 7 && strcmp((char *)buf, "/hx/abc") == 0);
	len = 99;
	MC_EXPECT(mc, sandlock_mem_read_cstr(mem, a, buf, 7, &len) == -1);
	MC_EXPECT(mc, len == 99);
	MC_EXPECT(mc, sandlock_mem_read_cstr(mem, a, buf, 0, &len) == -1);
	MC_EXPECT(mc, sandlock_mem_read_cstr(NULL, a, buf, 8, &len) == -1);
	MC_EXPECT(mc, sandlock_mem_read_cstr(mem, a, NULL, 8, &len) == -1);
	MC_EXPECT(mc, sandlock_mem_read_cstr(mem, a, buf, 8, NULL) == -1);
	MC_EXPECT(mc, sandlock_mem_read_cstr(mem, 0, buf, 8, &len) == -1);
	/* exact-length reads */
	memset(buf, 0, sizeof(buf));
	len = 0;
	MC_EXPECT(mc, sandlock_mem_read(mem, a + 4, buf, 3, &len) == 0);
	MC_EXPECT(mc, len == 3 && memcmp(buf, "abc", 3) == 0);
	MC_EXPECT(mc, sandlock_mem_read(mem, 0, buf, 3, &len) == -1);
	MC_EXPECT(mc, sandlock_mem_read(mem, 8, buf, 3, &len) == -1);
	MC_EXPECT(mc, sandlock_mem_read(NULL, a, buf, 3, &len) == -1);
	MC_EXPECT(mc, sandlock_mem_read(mem, a, NULL, 3, &len) == -1);
	MC_EXPECT(mc, sandlock_mem_read(mem, a, buf, 3, NULL) == -1);
	MC_EXPECT(mc, sandlock_mem_write(NULL, a, buf, 3) == -1);
	MC_EXPECT(mc, sandlock_mem_write(mem, a, NULL, 3) == -1);
	MC_EXPECT(mc, sandlock_mem_write(mem, 0, buf, 3) == -1);
	return 0;
}

static void drop_memcheck(void *ud)
{
	((struct memcheck *)ud)->drops++;
}

TEST(handler_mem_accessors)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct memcheck mc = {0};
	sandlock_handler_registration_t r = {
	    SYS_openat, sandlock_handler_new(h_memcheck, &mc, drop_memcheck, 0)};
	struct tc_res res = hrun(p, NULL, &r, 1, ARGS("open", "/hx/abc", ""));
	if (mc.fails)
		th_fail(__FILE__, __LINE__, "%d expectation(s) failed in the handler, first: %s",
			mc.fails, mc.what);
	CHECK_EQ(mc.calls, 2);
	CHECK_STR(res.out, "errno=EACCES\nerrno=EACCES\n");
	CHECK_EQ(mc.drops, 1);
}

/* A string that ends on the last byte of a page followed by an unmapped
 * page: read_cstr reads it (page by page); an exact read one byte longer
 * fails (never half an argument). */
struct edge {
	int calls, drops;
	int cstr_rc, long_rc;
	size_t len;
	char path[64];
};

static int h_edge(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		  sandlock_action_out_t *out)
{
	struct edge *e = ud;
	uint8_t buf[4096];
	size_t got;
	e->calls++;
	e->cstr_rc = sandlock_mem_read_cstr(mem, n->args[1], buf, sizeof(buf), &e->len);
	if (e->cstr_rc == 0)
		copy_str(e->path, sizeof(e->path), (char *)buf);
	e->long_rc = sandlock_mem_read(mem, n->args[1], buf, e->len + 2, &got);
	sandlock_action_set_errno(out, EACCES);
	return 0;
}

static void drop_edge(void *ud)
{
	((struct edge *)ud)->drops++;
}

TEST(handler_mem_page_edge)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct edge e = {0};
	sandlock_handler_registration_t r = {SYS_openat,
					     sandlock_handler_new(h_edge, &e, drop_edge, 0)};
	struct tc_res res = hrun(p, NULL, &r, 1, ARGS("edge-open", "/hx/at-the-edge"));
	CHECK_STR(res.out, "errno=EACCES\n");
	CHECK_EQ(e.calls, 1);
	CHECK_EQ(e.cstr_rc, 0);
	CHECK_EQ(e.len, strlen("/hx/at-the-edge"));
	CHECK_STR(e.path, "/hx/at-the-edge");
	CHECK_EQ(e.long_rc, -1);
}

/* Emulating read(2) of one fd: the handler writes into the child's
 * buffer and returns the length; the child sees the bytes.  read is one
 * of the syscalls the child makes between its filter and exec, so this
 * also runs the fork-style spawn. */
struct fakeread {
	int fd;
	int calls, others, drops;
};

static int h_fakeread(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		      sandlock_action_out_t *out)
{
	struct fakeread *f = ud;
	if ((int)n->args[0] != f->fd) {
		f->others++;
		sandlock_action_set_continue(out);
		return 0;
	}
	f->calls++;
	static const char text[] = "virtual";
	size_t len = n->args[2] < sizeof(text) - 1 ? n->args[2] : sizeof(text) - 1;
	if (sandlock_mem_write(mem, n->args[1], (const uint8_t *)text, len) != 0)
		return -1;
	sandlock_action_set_return_value(out, (int64_t)len);
	return 0;
}

static void drop_fakeread(void *ud)
{
	((struct fakeread *)ud)->drops++;
}

TEST(handler_mem_write_emulates_read)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct fakeread f = {.fd = 77};
	sandlock_handler_registration_t r = {
	    SYS_read, sandlock_handler_new(h_fakeread, &f, drop_fakeread, 0)};
	struct tc_res res = hrun(p, NULL, &r, 1, ARGS("read-fd", "77", "12"));
	CHECK_STR(res.out, "ret=7 data=virtual.....\n");
	CHECK_EQ(f.calls, 1);
	CHECK_EQ(f.drops, 1);
	/* a real read of an fd the handler leaves alone */
	f = (struct fakeread){.fd = 77};
	r.handler = sandlock_handler_new(h_fakeread, &f, drop_fakeread, 0);
	res = hrun(p, NULL, &r, 1, ARGS("read-fd", "0", "4"));
	CHECK_STR(res.out, "ret=0 data=....\n"); /* stdin is /dev/null */
	CHECK_EQ(f.calls, 0);
	CHECK(f.others >= 1);
}

/* Reading a buffer argument: the handler sees the bytes write(2) is
 * given, and the write continues. */
struct snoop {
	int calls, drops;
	char data[64];
};

static int h_snoop(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		   sandlock_action_out_t *out)
{
	struct snoop *s = ud;
	sandlock_action_set_continue(out);
	if (n->args[0] != 2)
		return 0;
	s->calls++;
	size_t got = 0;
	if (n->args[2] >= sizeof(s->data) ||
	    sandlock_mem_read(mem, n->args[1], (uint8_t *)s->data, n->args[2], &got) != 0 ||
	    got != n->args[2])
		return -1;
	s->data[got] = 0;
	return 0;
}

static void drop_snoop(void *ud)
{
	((struct snoop *)ud)->drops++;
}

TEST(handler_mem_read_buffer)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct snoop s = {0};
	sandlock_handler_registration_t r = {SYS_write,
					     sandlock_handler_new(h_snoop, &s, drop_snoop, 0)};
	struct tc_res res = hrun(p, NULL, &r, 1, ARGS("write-fd", "2", "hello handler"));
	CHECK_STR(res.err, "hello handler");
	CHECK_STR(res.out, "ret=13\n");
	CHECK_EQ(s.calls, 1);
	CHECK_STR(s.data, "hello handler");
	CHECK_EQ(s.drops, 1);
}

/* ---- fd injection -------------------------------------------------------- */

/* fds the handlers hand over, at fixed numbers nothing else uses, so the
 * test can tell afterwards that the library closed them. */
#define FD_A	  700
#define FD_B	  701
#define FD_UNUSED 702

static int memfd_at(int target, const char *text)
{
	int fd = memfd_create("hprobe-inject", MFD_CLOEXEC);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    lseek(fd, 0, SEEK_SET) != 0 || dup3(fd, target, O_CLOEXEC) != target)
		return -1;
	close(fd);
	return target;
}

static bool fd_closed(int fd)
{
	return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

struct inject {
	int calls, drops;
	int srcfd; /* -2: make a memfd at FD_A / FD_B by path */
	uint32_t flags;
	int rc;
};

static int h_inject(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		    sandlock_action_out_t *out)
{
	struct inject *in = ud;
	uint8_t path[256];
	size_t len;
	in->calls++;
	if (sandlock_mem_read_cstr(mem, n->args[1], path, sizeof(path), &len) != 0)
		return -1;
	if (in->srcfd != -2) {
		sandlock_action_set_inject_fd_send(out, in->srcfd, in->flags);
		return in->rc;
	}
	if (!strcmp((char *)path, "/virtual/plain"))
		sandlock_action_set_inject_fd_send(out, memfd_at(FD_A, "plain text"), 0);
	else if (!strcmp((char *)path, "/virtual/cloexec"))
		sandlock_action_set_inject_fd_send(out, memfd_at(FD_B, "cloexec text"), O_CLOEXEC);
	else
		sandlock_action_set_errno(out, ENOENT);
	return 0;
}

static void drop_inject(void *ud)
{
	((struct inject *)ud)->drops++;
}

static struct tc_res run_inject(struct inject *in, uint32_t policy, const char *const *args)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	sandlock_handler_registration_t r = {
	    SYS_openat, sandlock_handler_new(h_inject, in, drop_inject, policy)};
	struct tc_res res = hrun(p, NULL, &r, 1, args);
	CHECK_EQ(in->drops, 1);
	return res;
}

/* inject_fd_send: the handler's memfd becomes the child's openat result
 * (with O_CLOEXEC when asked), and the library closes the handler's fd. */
TEST(handler_inject_fd)
{
	struct inject in = {.srcfd = -2};
	struct tc_res r =
	    run_inject(&in, 0, ARGS("open", "/virtual/plain", "/virtual/cloexec", "/virtual/x"));
	CHECK_EQ(r.code, 0);
	CHECK_LINE(r.out, 0, "fd=3 cloexec=0 data=plain text");
	CHECK_LINE(r.out, 1, "fd=3 cloexec=1 data=cloexec text");
	CHECK_LINE(r.out, 2, "errno=ENOENT");
	CHECK_EQ(in.calls, 3);
	CHECK(fd_closed(FD_A));
	CHECK(fd_closed(FD_B));
}

/* inject_bytes: the handler's bytes come back as a memfd, sealed against
 * writes and close-on-exec by default, writable and inheritable when
 * asked; the bytes are copied at the call (the buffer is reused here). */
static int h_bytes(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		   sandlock_action_out_t *out)
{
	uint8_t path[64];
	size_t len = 0;
	if (sandlock_mem_read_cstr(mem, n->args[1], path, sizeof(path), &len) != 0)
		return -1;
	char buf[32];
	if (!strcmp((char *)path, "/virtual/ro")) {
		snprintf(buf, sizeof(buf), "read only");
		sandlock_action_set_inject_bytes(out, (uint8_t *)buf, strlen(buf), 0);
	} else if (!strcmp((char *)path, "/virtual/rw")) {
		snprintf(buf, sizeof(buf), "read write");
		sandlock_action_set_inject_bytes(out, (uint8_t *)buf, strlen(buf),
						 SANDLOCK_INJECT_WRITABLE |
						     SANDLOCK_INJECT_NO_CLOEXEC);
	} else {
		sandlock_action_set_inject_bytes(out, NULL, 0, 0);
	}
	memset(buf, 'x', sizeof(buf));
	return 0;
}

TEST(handler_inject_bytes)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	sandlock_handler_registration_t r = {SYS_openat,
					     sandlock_handler_new(h_bytes, NULL, NULL, 0)};
	struct tc_res res = hrun(
	    p, NULL, &r, 1, ARGS("open-seals", "/virtual/ro", "/virtual/rw", "/virtual/empty"));
	CHECK_EQ(res.code, 0);
	const int sealed = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	char want[64];
	snprintf(want, sizeof(want), "fd=3 cloexec=1 seals=%d data=read only", sealed);
	CHECK_LINE(res.out, 0, want);
	CHECK_LINE(res.out, 1, "fd=3 cloexec=0 seals=0 data=read write");
	snprintf(want, sizeof(want), "fd=3 cloexec=1 seals=%d data=", sealed);
	CHECK_LINE(res.out, 2, want);
}

/* Deferred handlers have not landed: asking for one refuses the run with
 * that message; false is the default and changes nothing. */
TEST(handler_deferred_refused)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct script s = {0};
	sandlock_action_set_continue(&s.act);
	sandlock_handler_registration_t r = sreg(SYS_getrandom, &s, 0);
	sandlock_handler_set_deferred(r.handler, true);
	const char *argv[] = {hprobe(), "exit", "0", NULL};
	CHECK(sandlock_run_with_handlers(p, NULL, argv, 3, &r, 1) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "not supported yet: deferred handlers");
	r = sreg(SYS_getrandom, &s, 0);
	sandlock_handler_set_deferred(r.handler, false);
	CHECK_EQ(hrun(p, NULL, &r, 1, ARGS("exit", "0")).code, 0);
}

/* A failed injection (srcfd not open) denies with ADDFD's errno; it never
 * lets the openat run (that would answer ENOENT here). */
TEST(handler_inject_failure_denies)
{
	CHECK(fd_closed(FD_UNUSED));
	struct inject in = {.srcfd = FD_UNUSED};
	struct tc_res r = run_inject(&in, 0, ARGS("open", "/virtual/none"));
	CHECK_STR(r.out, "errno=EBADF\n");
	CHECK_EQ(in.calls, 1);
}

/* Invalid injections (flags other than O_CLOEXEC, a negative fd) and an
 * injection followed by a failing return take the exception policy, and a
 * pending fd is closed on that path. */
TEST(handler_inject_invalid)
{
	struct inject in = {.srcfd = memfd_at(FD_A, "x"), .flags = O_NONBLOCK};
	CHECK_EQ(in.srcfd, FD_A);
	struct tc_res r = run_inject(&in, SANDLOCK_EXCEPTION_DENY_EIO, ARGS("open", "/v"));
	CHECK_STR(r.out, "errno=EIO\n");
	CHECK(fd_closed(FD_A));

	in = (struct inject){.srcfd = -1};
	r = run_inject(&in, SANDLOCK_EXCEPTION_DENY_EIO, ARGS("open", "/v"));
	CHECK_STR(r.out, "errno=EIO\n");

	in = (struct inject){.srcfd = memfd_at(FD_B, "y"), .rc = -1};
	CHECK_EQ(in.srcfd, FD_B);
	r = run_inject(&in, SANDLOCK_EXCEPTION_DENY_EPERM, ARGS("open", "/v"));
	CHECK_STR(r.out, "errno=EPERM\n");
	CHECK(fd_closed(FD_B));

	in = (struct inject){.srcfd = memfd_at(FD_A, "z"), .rc = -1};
	r = run_inject(&in, SANDLOCK_EXCEPTION_CONTINUE, ARGS("open", "/v"));
	CHECK_STR(r.out, "errno=ENOENT\n"); /* continued: the real openat */
	CHECK(fd_closed(FD_A));
}

/* ---- hold ------------------------------------------------------------------- */

struct holdst {
	int drops;
	int n_ticks;	   /* release after this many ticks since the hold */
	int ticks;	   /* tick syscalls seen */
	int ticks_at_hold; /* ticks seen when the held call first came */
	int held_calls;	   /* calls of the held handler */
	int max_calls;	   /* periodic test: release on this call */
	bool holding, released, same_id;
	uint64_t held_id;
	int64_t min_gap_ms; /* shortest time between two calls of the held one */
	int64_t last_ms;
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int h_held(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		  sandlock_action_out_t *out)
{
	struct holdst *s = ud;
	int64_t now = mono_ms();
	if (!s->holding) {
		s->holding = true;
		s->same_id = true;
		s->held_id = n->id;
		s->ticks_at_hold = s->ticks;
		s->min_gap_ms = INT64_MAX;
	} else {
		if (n->id != s->held_id)
			s->same_id = false;
		if (now - s->last_ms < s->min_gap_ms)
			s->min_gap_ms = now - s->last_ms;
	}
	s->last_ms = now;
	s->held_calls++;
	bool release = s->max_calls ? s->held_calls >= s->max_calls
				    : s->n_ticks && s->ticks - s->ticks_at_hold >= s->n_ticks;
	if (release) {
		s->released = true;
		sandlock_action_set_return_value(out, 12345);
	} else {
		sandlock_action_set_hold(out);
	}
	return 0;
}

/* The tick syscall: counted; answers 1 once a call is held (so the child
 * can wait for that), otherwise lets the syscall run. */
static int h_tick(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		  sandlock_action_out_t *out)
{
	struct holdst *s = ud;
	s->ticks++;
	if (s->holding && !s->n_ticks)
		sandlock_action_set_return_value(out, 1);
	else
		sandlock_action_set_continue(out);
	return 0;
}

static void drop_hold(void *ud)
{
	((struct holdst *)ud)->drops++;
}

/* Hold, then release: a thread's getppid is held until the handler has
 * seen N getuid calls from the main thread after it; the thread then
 * gets the value, and by then the main thread had finished at least N-1
 * of those calls.  Each re-offer calls the handler with the same id. */
TEST(handler_hold_until_other_calls)
{
	enum { N = 5 };
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct holdst s = {.n_ticks = N};
	sandlock_handler_registration_t regs[] = {
	    {SYS_getppid, sandlock_handler_new(h_held, &s, drop_hold, 0)},
	    {SYS_getuid, sandlock_handler_new(h_tick, &s, drop_hold, 0)},
	};
	struct tc_res r = hrun(p, NULL, regs, 2, ARGS("hold-order", NR(getppid), NR(getuid)));
	CHECK_EQ(r.code, 0);
	CHECK(s.released);
	CHECK(s.same_id);
	CHECK(s.held_calls >= 2);
	CHECK(s.ticks - s.ticks_at_hold >= N);
	CHECK_EQ(strncmp(r.out, "ret=12345 before=", 17), 0);
	long before = strtol(r.out + 17, NULL, 10);
	if (before < N - 1)
		th_fail(__FILE__, __LINE__, "the held call returned after %ld getuid calls: %s",
			before, r.out);
	CHECK_EQ(s.drops, 2);
}

/* With no other notification coming, held calls are re-offered on the
 * 100 ms timer: the handler holds twice and answers on its third call.
 * Nothing else happens in between (the command has one thread), so each
 * re-offer is a timer's: none comes right after the previous offer (a
 * one-sided check: load can only make the gaps longer). */
TEST(handler_hold_retried_on_timer)
{
	struct holdst s = {.max_calls = 3};
	sandlock_sandbox_t *p = tc_build(tc_builder());
	sandlock_handler_registration_t r = {SYS_getppid,
					     sandlock_handler_new(h_held, &s, drop_hold, 0)};
	struct tc_res res = hrun(p, NULL, &r, 1, ARGS("sys", NR(getppid)));
	CHECK_STR(res.out, "ret=12345\n");
	CHECK_EQ(s.held_calls, 3);
	CHECK(s.same_id);
	if (s.min_gap_ms < 50)
		th_fail(__FILE__, __LINE__,
			"a held call was re-offered %lld ms after the previous offer, with no "
			"event in between",
			(long long)s.min_gap_ms);
	CHECK_EQ(s.drops, 1);
}

/* The retry timer keeps running while the command produces output (which
 * wakes the supervisor's loop but is no notification): a held call is
 * still re-offered and released. */
TEST(handler_hold_retried_during_output)
{
	struct holdst s = {.max_calls = 3};
	sandlock_sandbox_t *p = tc_build(tc_builder());
	sandlock_handler_registration_t r = {SYS_getppid,
					     sandlock_handler_new(h_held, &s, drop_hold, 0)};
	struct tc_res res = hrun(p, NULL, &r, 1, ARGS("hold-while-writing", NR(getppid)));
	CHECK_STR(res.out, "ret=12345 gaveup=0\n");
	CHECK_EQ(s.held_calls, 3);
	CHECK(res.err_len > 0);
	CHECK_EQ(s.drops, 1);
}

/* A call held forever does not keep the run alive: the command exits
 * while one of its threads waits in the held syscall. */
TEST(handler_hold_then_exit)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct holdst s = {0};
	sandlock_handler_registration_t regs[] = {
	    {SYS_getppid, sandlock_handler_new(h_held, &s, drop_hold, 0)},
	    {SYS_getuid, sandlock_handler_new(h_tick, &s, drop_hold, 0)},
	};
	struct tc_res r = hrun(p, NULL, regs, 2, ARGS("hold-until-held", NR(getppid), NR(getuid)));
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "held done=0\n");
	CHECK(s.holding);
	CHECK(!s.released);
	CHECK(s.held_calls >= 1);
	CHECK_EQ(s.drops, 2);
}

/* ---- kill ------------------------------------------------------------------- */

/* kill(sig, 0): the notifier's group (the command's) gets the signal. */
TEST(handler_kill_own_group)
{
	struct script s = {0};
	sandlock_action_set_kill(&s.act, SIGKILL, 0);
	struct tc_res r = getppid_with(&s, SANDLOCK_EXCEPTION_DENY_EIO);
	CHECK_EQ(r.status, SANDLOCK_STATUS_KILLED);
	CHECK_EQ(r.sig, SIGKILL);
	CHECK_STR(r.out, "");

	s = (struct script){0};
	sandlock_action_set_kill(&s.act, SIGTERM, 0);
	r = getppid_with(&s, SANDLOCK_EXCEPTION_DENY_EIO);
	CHECK_EQ(r.status, SANDLOCK_STATUS_SIGNALED);
	CHECK_EQ(r.sig, SIGTERM);
	CHECK_EQ(r.code, -1);
}

/* A signal that does not end the process: delivered, and the syscall
 * fails with ENOMEM. */
TEST(handler_kill_nonfatal_enomem)
{
	struct script s = {0};
	sandlock_action_set_kill(&s.act, SIGUSR1, 0);
	struct tc_res r =
	    run_script(SYS_getppid, &s, SANDLOCK_EXCEPTION_DENY_EIO, ARGS("sig-sys", NR(getppid)));
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "errno=ENOMEM usr1=1\n");
}

/* kill with an explicit pgid: the notifier's pid (the grandchild leads
 * its own group, so its pid is its group id).  sig from the script. */
static int h_kill_pid(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		      sandlock_action_out_t *out)
{
	struct script *s = ud;
	s->calls++;
	s->last = *n;
	sandlock_action_set_kill(out, s->act.payload.kill.sig, (int32_t)n->pid);
	return 0;
}

/* An explicit pgid of a group led by a live sandbox process: the
 * grandchild that made its own group is killed, the command is not. */
TEST(handler_kill_explicit_sandbox_group)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct script s = {0};
	sandlock_action_set_kill(&s.act, SIGKILL, 0);
	sandlock_handler_registration_t r = {
	    SYS_getppid,
	    sandlock_handler_new(h_kill_pid, &s, drop_script, SANDLOCK_EXCEPTION_DENY_EIO)};
	struct tc_res res = hrun(p, NULL, &r, 1, ARGS("fork-sys", NR(getppid), "pgrp"));
	CHECK_EQ(res.status, SANDLOCK_STATUS_EXITED);
	CHECK_EQ(res.code, 0);
	CHECK_STR(res.out, "parent: child signal=9\n");
	CHECK_EQ(s.calls, 1);
	CHECK_EQ(s.drops, 1);
}

/* Groups outside the sandbox are refused (-> exception policy, here
 * DENY_EIO) and never signalled: the test's own group, a group of a
 * process outside the sandbox, negative pgids; and invalid signals. */
TEST(handler_kill_refused)
{
	/* Lead a group of our own, so that a library that wrongly signalled
	 * "the supervisor's group" would hit this test only. */
	CHECK(setpgid(0, 0) == 0);
	pid_t outsider = fork();
	CHECK(outsider >= 0);
	if (outsider == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(outsider, outsider); /* either side may run first */
	const struct {
		int32_t sig, pgid;
	} cases[] = {
	    {SIGKILL, getpgrp()},
	    {SIGKILL, outsider},
	    {SIGKILL, -outsider},
	    {SIGKILL, -getpid()},
	    {0, 0},
	    {65, 0},
	    {-9, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct script s = {0};
		sandlock_action_set_kill(&s.act, cases[i].sig, cases[i].pgid);
		struct tc_res r = getppid_with(&s, SANDLOCK_EXCEPTION_DENY_EIO);
		if (strcmp(r.out, "errno=EIO\n") != 0)
			th_fail(__FILE__, __LINE__, "kill(%d, %d): got \"%s\" (status %d)",
				cases[i].sig, cases[i].pgid, r.out, r.status);
	}
	int st;
	CHECK_EQ(waitpid(outsider, &st, WNOHANG), 0); /* still alive */
	kill(outsider, SIGKILL);
	waitpid(outsider, &st, 0);
}

/* ---- processes and threads -------------------------------------------------- */

/* A grandchild's syscall reaches the handler, with its own pid. */
TEST(handler_grandchild)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct script s = {0}, c = {0};
	sandlock_action_set_return_value(&s.act, 4242);
	sandlock_action_set_continue(&c.act);
	sandlock_handler_registration_t regs[] = {sreg(SYS_getppid, &s, 0), sreg(SYS_clone, &c, 0)};
	struct tc_res r = hrun(p, NULL, regs, 2, ARGS("fork-sys", NR(getppid)));
	CHECK_EQ(r.code, 0);
	CHECK_EQ(s.calls, 1);
	CHECK_LINE(r.out, 0, fmt_line("child pid=%ld ret=4242", (long)s.last.pid));
	CHECK_LINE(r.out, 1, "parent: child exit=0");
	CHECK(c.calls >= 1); /* fork() is a clone the handler saw */
	CHECK(c.last.pid != s.last.pid);
	CHECK_EQ(s.drops + c.drops, 2);
}

/* Threads: each notification carries the thread id in pid (the handler
 * answers with it and every thread checks against gettid), one
 * notification at a time, on the caller's thread. */
struct tids {
	int calls, drops, inflight, max_inflight;
	bool other_thread;
	pid_t caller;
};

static int h_tid(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		 sandlock_action_out_t *out)
{
	struct tids *t = ud;
	if (++t->inflight > t->max_inflight)
		t->max_inflight = t->inflight;
	t->calls++;
	if (my_tid() != t->caller)
		t->other_thread = true;
	sandlock_action_set_return_value(out, (int64_t)n->pid);
	t->inflight--;
	return 0;
}

static void drop_tids(void *ud)
{
	((struct tids *)ud)->drops++;
}

TEST(handler_threads_tid)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct tids t = {.caller = my_tid()};
	sandlock_handler_registration_t r = {SYS_getppid,
					     sandlock_handler_new(h_tid, &t, drop_tids, 0)};
	struct tc_res res = hrun(p, NULL, &r, 1, ARGS("threads", "8", NR(getppid)));
	CHECK_STR(res.out, "threads=9 match=9\n");
	CHECK_EQ(t.calls, 9);
	CHECK_EQ(t.max_inflight, 1);
	CHECK(!t.other_thread);
	CHECK_EQ(t.drops, 1);
}

/* ---- exec ------------------------------------------------------------------- */

struct execst {
	int calls, drops;
	int32_t deny; /* 0: continue */
	char path[512];
};

static int h_exec(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		  sandlock_action_out_t *out)
{
	struct execst *e = ud;
	size_t len;
	if (e->calls++ == 0 &&
	    sandlock_mem_read_cstr(mem, n->args[0], (uint8_t *)e->path, sizeof(e->path), &len))
		return -1;
	if (e->deny)
		sandlock_action_set_errno(out, e->deny);
	else
		sandlock_action_set_continue(out);
	return 0;
}

static void drop_exec(void *ud)
{
	((struct execst *)ud)->drops++;
}

/* A handler on execve sees the command's own exec (made by the child
 * between its filter and exec, so the library spawns fork-style) and
 * lets it through. */
TEST(handler_execve_continue)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct execst e = {0};
	sandlock_handler_registration_t r = {SYS_execve,
					     sandlock_handler_new(h_exec, &e, drop_exec, 0)};
	struct tc_res res = hrun(p, NULL, &r, 1, ARGS("exit", "7"));
	CHECK_EQ(res.status, SANDLOCK_STATUS_EXITED);
	CHECK_EQ(res.code, 7);
	CHECK_EQ(e.calls, 1);
	CHECK_STR(e.path, hprobe());
	CHECK_EQ(e.drops, 1);
}

/* Denying that exec: the command does not run (exit 127, and the result
 * says why). */
TEST(handler_execve_deny)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct execst e = {.deny = EACCES};
	sandlock_handler_registration_t r = {SYS_execve,
					     sandlock_handler_new(h_exec, &e, drop_exec, 0)};
	struct tc_res res = hrun(p, NULL, &r, 1, ARGS("sys", NR(getppid)));
	CHECK_EQ(res.status, SANDLOCK_STATUS_EXITED);
	CHECK_EQ(res.code, 127);
	CHECK_STR(res.out, "");
	CHECK_CONTAINS(res.note, ": Permission denied");
	CHECK_EQ(e.calls, 1);
	CHECK_STR(e.path, hprobe());
	CHECK_EQ(e.drops, 1);
}

/* ---- registration and ownership ------------------------------------------- */

/* Runs with a good registration and a bad one: NULL, a message naming
 * the problem, and each handler's ud_drop called exactly once. */
static void check_refused(const sandlock_sandbox_t *p, int64_t nr, bool null_handler,
			  const char *needle)
{
	struct script good = {0}, bad = {0};
	sandlock_action_set_continue(&good.act);
	sandlock_handler_registration_t regs[2] = {sreg(SYS_getppid, &good, 0), {nr, NULL}};
	if (!null_handler)
		regs[1].handler = sandlock_handler_new(h_script, &bad, drop_script, 0);
	const char *argv[] = {hprobe(), "exit", "0", NULL};
	sandlock_result_t *r = sandlock_run_with_handlers(p, NULL, argv, 3, regs, 2);
	if (r)
		th_fail(__FILE__, __LINE__, "a handler on syscall %lld was accepted",
			(long long)nr);
	CHECK_CONTAINS(sandlock_last_error(), needle);
	CHECK_EQ(good.drops, 1);
	CHECK_EQ(bad.drops, null_handler ? 0 : 1);
	CHECK_EQ(good.calls + bad.calls, 0);
}

TEST(handler_registration_refused)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	check_refused(p, sandlock_syscall_nr("mount"), false, "blocklist");
	check_refused(p, sandlock_syscall_nr("ptrace"), false, "blocklist");
	check_refused(p, sandlock_syscall_nr("shmget"), false, "blocklist"); /* sysv_ipc */
	check_refused(p, sandlock_syscall_nr("clone3"), false, "falls back to clone");
	check_refused(p, SYS_clone3, false, "refused");
	check_refused(p, sandlock_syscall_nr("ioctl"), false, "arguments");
	check_refused(p, sandlock_syscall_nr("prctl"), false, "arguments");
	check_refused(p, sandlock_syscall_nr("socket"), false, "arguments");
	check_refused(p, SYS_setsockopt, false, "arguments");
	check_refused(p, -1, false, "negative");
	check_refused(p, sandlock_syscall_nr("listns") + 1, false, "unknown on this architecture");
	check_refused(p, 1LL << 32, false, "unknown");
	check_refused(p, SYS_getuid, true, "NULL");
	/* extra_deny_syscalls of this policy */
	sandlock_sandbox_t *q = tc_build(
	    sandlock_sandbox_builder_extra_deny_syscalls(tc_builder(), "getrandom,openat"));
	check_refused(q, sandlock_syscall_nr("getrandom"), false, "blocklist");
	check_refused(q, SYS_openat, false, "blocklist");
	/* ...but not of the default policy */
	struct script s = {0};
	sandlock_action_set_continue(&s.act);
	sandlock_handler_registration_t r = sreg(SYS_getrandom, &s, 0);
	struct tc_res res = hrun(p, NULL, &r, 1, ARGS("exit", "0"));
	CHECK_EQ(res.code, 0);
	/* a feature whose handler checks the arguments itself keeps its
	 * rule under a user handler (filter_user_mmap_handler_keeps_max_memory) */
	struct script ch = {0};
	sandlock_action_set_continue(&ch.act);
	r = sreg(SYS_chmod, &ch, 0);
	res = hrun(p, NULL, &r, 1, ARGS("exit", "0"));
	CHECK_EQ(res.code, 0);
}

/* More than 4096 registrations are refused, and every one of the
 * handlers is still dropped (ownership passed on entry). */
TEST(handler_registration_too_many)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {hprobe(), "exit", "0", NULL};
	enum { N = 4097 };
	sandlock_handler_registration_t *regs = calloc(N, sizeof(*regs));
	struct script s = {0};
	CHECK(regs != NULL);
	for (size_t i = 0; i < N; i++)
		regs[i] = sreg(SYS_getppid, &s, 0);
	CHECK(sandlock_run_with_handlers(p, NULL, argv, 3, regs, N) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "too many");
	CHECK_EQ(s.drops, N);
	/* 4096 is the limit, not over it */
	s = (struct script){0};
	sandlock_action_set_continue(&s.act);
	for (size_t i = 0; i < N - 1; i++)
		regs[i] = sreg(SYS_umask, &s, 0);
	umask(027);
	struct tc_res r = tc_result(
	    sandlock_run_with_handlers(p, NULL, ARGS(hprobe(), "sys", NR(umask)), 3, regs, N - 1));
	CHECK_STR(r.out, CONTINUED_RET);
	CHECK_EQ(s.calls, N - 1);
	CHECK_EQ(s.drops, N - 1);
	free(regs);
}

/* Any number up to the architecture's highest can be handled, also one
 * no syscall has on x86_64 (400), and one newer than 0.8.0's table (the
 * last, which no feature handles): the handler emulates it. */
TEST(handler_unassigned_syscall_number)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const long nrs[] = {400, 462, sandlock_syscall_nr("listns")};
	for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		struct script s = {0};
		sandlock_action_set_return_value(&s.act, 9);
		sandlock_handler_registration_t r = sreg(nrs[i], &s, 0);
		struct tc_res res = hrun(p, NULL, &r, 1, ARGS("sys", tc_itoa(nrs[i]), "-1"));
		if (strcmp(res.out, "ret=9\n") != 0)
			th_fail(__FILE__, __LINE__, "syscall %ld: %s", nrs[i], res.out);
		CHECK_EQ(s.calls, 1);
		CHECK_EQ(s.last.syscall_nr, nrs[i]);
		CHECK_EQ((int64_t)s.last.args[0], -1);
	}
}

/* Bad arguments around the registrations: NULL with n > 0, a NULL policy
 * or argv (the handlers are still dropped). */
TEST(handler_run_bad_arguments)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {hprobe(), "exit", "0", NULL};
	CHECK(sandlock_run_with_handlers(p, NULL, argv, 3, NULL, 1) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "registrations");
	CHECK(sandlock_run_interactive_with_handlers(p, NULL, argv, 3, NULL, 2) == NULL);
	CHECK(sandlock_last_error()[0]);

	struct script s = {0};
	sandlock_handler_registration_t r = sreg(SYS_getppid, &s, 0);
	CHECK(sandlock_run_with_handlers(NULL, NULL, argv, 3, &r, 1) == NULL);
	CHECK(sandlock_last_error()[0]);
	CHECK_EQ(s.drops, 1);
	r = sreg(SYS_getppid, &s, 0);
	CHECK(sandlock_run_with_handlers(p, NULL, NULL, 3, &r, 1) == NULL);
	CHECK(sandlock_last_error()[0]);
	CHECK_EQ(s.drops, 2);
	r = sreg(SYS_getppid, &s, 0);
	CHECK(sandlock_run_with_handlers(p, NULL, argv, 0, &r, 1) == NULL);
	CHECK(sandlock_last_error()[0]);
	CHECK_EQ(s.drops, 3);
	CHECK_EQ(s.calls, 0);
	/* no registrations at all is a plain run */
	struct tc_res res = tc_result(sandlock_run_with_handlers(p, NULL, argv, 3, NULL, 0));
	CHECK_EQ(res.code, 0);
}

static int h_never(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		   sandlock_action_out_t *out)
{
	return -1;
}

static void drop_count(void *ud)
{
	(*(int *)ud)++;
}

/* sandlock_handler_new refuses a NULL function and an exception policy
 * above 3 (without taking the user data: ud_drop is not called);
 * sandlock_handler_free calls ud_drop once, and accepts NULL. */
TEST(handler_new_and_free)
{
	int drops = 0;
	CHECK(sandlock_handler_new(NULL, &drops, drop_count, 0) == NULL);
	CHECK(sandlock_last_error()[0]);
	CHECK(sandlock_handler_new(h_never, &drops, drop_count, 4) == NULL);
	CHECK(sandlock_last_error()[0]);
	CHECK(sandlock_handler_new(h_never, &drops, drop_count, UINT32_MAX) == NULL);
	CHECK_EQ(drops, 0);
	for (uint32_t pol = 0; pol <= 3; pol++) {
		sandlock_handler_t *h = sandlock_handler_new(h_never, &drops, drop_count, pol);
		CHECK(h != NULL);
		sandlock_handler_free(h);
		CHECK_EQ(drops, (int)pol + 1);
	}
	sandlock_handler_t *h = sandlock_handler_new(h_never, NULL, NULL, 0);
	CHECK(h != NULL);
	sandlock_handler_free(h); /* no ud_drop: nothing to call */
	sandlock_handler_free(NULL);
}

/* The setters: NULL-safe; continue and hold change only the kind. */
TEST(handler_action_setters)
{
	sandlock_action_set_continue(NULL);
	sandlock_action_set_hold(NULL);
	sandlock_action_set_errno(NULL, 1);
	sandlock_action_set_return_value(NULL, 1);
	sandlock_action_set_inject_fd_send(NULL, 1, 0);
	sandlock_action_set_kill(NULL, 9, 0);
	sandlock_action_out_t a;
	memset(&a, 0, sizeof(a));
	sandlock_action_set_return_value(&a, -77);
	sandlock_action_set_continue(&a);
	CHECK_EQ(a.kind, SANDLOCK_ACTION_CONTINUE);
	CHECK_EQ(a.payload.return_value, -77);
	sandlock_action_set_hold(&a);
	CHECK_EQ(a.kind, SANDLOCK_ACTION_HOLD);
	CHECK_EQ(a.payload.return_value, -77);
	sandlock_action_set_errno(&a, EACCES);
	CHECK_EQ(a.kind, SANDLOCK_ACTION_ERRNO);
	CHECK_EQ(a.payload.errno_value, EACCES);
	sandlock_action_set_inject_fd_send(&a, 5, O_CLOEXEC);
	CHECK_EQ(a.kind, SANDLOCK_ACTION_INJECT_FD_SEND);
	CHECK_EQ(a.payload.inject_send.srcfd, 5);
	CHECK_EQ(a.payload.inject_send.newfd_flags, O_CLOEXEC);
	sandlock_action_set_kill(&a, SIGTERM, 12);
	CHECK_EQ(a.kind, SANDLOCK_ACTION_KILL);
	CHECK_EQ(a.payload.kill.sig, SIGTERM);
	CHECK_EQ(a.payload.kill.pgid, 12);
	CHECK_EQ(sandlock_syscall_nr("openat"), SYS_openat);
	CHECK_EQ(sandlock_syscall_nr("execve"), SYS_execve);
	CHECK_EQ(sandlock_syscall_nr("clone3"), SYS_clone3);
}

/* sandlock_run_interactive_with_handlers: the same with inherited stdio
 * (the result carries no output). */
TEST(handler_run_interactive)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	char *file = tc_path(th_tmpdir(), "stdout");
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	int saved = dup(1);
	CHECK(saved >= 0);
	fflush(stdout);
	CHECK(dup2(fd, 1) == 1);
	struct script s = {0};
	sandlock_action_set_return_value(&s.act, 4242);
	sandlock_handler_registration_t r = sreg(SYS_getppid, &s, 0);
	const char *argv[] = {hprobe(), "sys", NR(getppid), NULL};
	sandlock_result_t *res = sandlock_run_interactive_with_handlers(p, NULL, argv, 3, &r, 1);
	dup2(saved, 1);
	close(saved);
	close(fd);
	struct tc_res t = tc_result(res);
	CHECK_EQ(t.code, 0);
	CHECK_EQ(t.out_len, 0);
	CHECK_STR(tc_read_file(file), "ret=4242\n");
	CHECK_EQ(s.calls, 1);
	CHECK_EQ(s.drops, 1);
}

/* A handler on setpgid brings every form to the supervisor, also
 * setpgid(child, 0), "a group of its own", which the filter alone lets
 * through: it must still work (a shell's job control does it). */
TEST(handler_on_setpgid_keeps_own_group)
{
	struct script s = {0};
	sandlock_action_set_continue(&s.act);
	sandlock_sandbox_t *p = tc_build(tc_builder_sys());
	sandlock_handler_registration_t r = sreg(SYS_setpgid, &s, SANDLOCK_EXCEPTION_KILL);
	const char *argv[] = {"/usr/bin/python3", "-c",
			      "import os\n"
			      "r, w = os.pipe()\n"
			      "pid = os.fork()\n"
			      "if pid == 0:\n"
			      "    os.read(r, 1); os._exit(0)\n"
			      "os.setpgid(pid, 0)\n"
			      "print(os.getpgid(pid) == pid)\n"
			      "os.write(w, b'x'); os.waitpid(pid, 0)\n",
			      NULL};
	struct tc_res res = tc_result(sandlock_run_with_handlers(p, NULL, argv, 3, &r, 1));
	CHECK_EQ(res.code, 0);
	CHECK_STR(res.out, "True\n");
	CHECK(s.calls >= 1);
	sandlock_sandbox_free(p);
}
