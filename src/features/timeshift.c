/* SPDX-License-Identifier: Apache-2.0 */
/*
 * timeshift.c - time_start: the sandbox's wall clock starts at the given
 * instant and advances at real speed.  The offset (time_start minus the
 * real time, whole seconds) is fixed when the sandbox starts; only the
 * realtime family is shifted (CLOCK_REALTIME, _COARSE, _ALARM, CLOCK_TAI,
 * gettimeofday, time): the monotonic and boot clocks stay real, so a
 * relative sleep or a monotonic deadline needs nothing.  File times are
 * not touched.  Also random_seed's vDSO getrandom (vdso.h).
 *
 * The vDSO (register-only: arch_prctl(ARCH_SET_FS), which every glibc,
 * musl and Go program makes once at start-up, before any constructor, is
 * notified and always continued; it decides nothing): every exec brings
 * a fresh vDSO, patched here (vdso.c) through /proc/PID/mem when the
 * process is single-threaded (right after an exec it is; a patch under
 * running threads could tear an instruction another thread executes) and
 * its image is not marked patched yet.  A fork keeps its parent's
 * patched copy.  A patch that fails (the supervisor may not ptrace the
 * process: an exec-only binary is not dumpable) is counted, shown in the
 * sandbox's info (vdso_patch_failed), and the call continues: the
 * program's vDSO reads stay real.
 *
 * The system calls (emulate): clock_gettime of a realtime clock (the
 * filter compares the clock), gettimeofday and time are answered here:
 * the supervisor's own reading plus the offset, written to the child
 * (when it cannot be, the call continues: the kernel's EFAULT for a bad
 * pointer, the real time for a process the supervisor may not write),
 * so a program that makes the call directly
 * (syscall(2), Go's fallback, a static binary) is shifted too.  A call
 * made from inside a patched vDSO (its instruction pointer, reported by
 * the kernel, in the process's [vdso]) is continued: the detour that made
 * it adds the offset itself.
 *
 * Absolute deadlines on the realtime clocks (clock_nanosleep with
 * TIMER_ABSTIME; futex with FUTEX_CLOCK_REALTIME and a timeout, and
 * FUTEX_LOCK_PI, whose timeout is always an absolute realtime one:
 * pthread_cond_timedwait, sem_timedwait, pthread_mutex_timedlock;
 * futex_waitv on CLOCK_REALTIME) are
 * made on the shifted clock: tv_sec is rewritten in the child's memory to
 * the real clock's, then the call continues.  Continuing after reading
 * a pointer is acceptable here only because the rewrite decides nothing:
 * whatever another thread writes there in between changes only how long
 * the child itself waits.  A call made again with the same struct (a
 * retry after EINTR or a spurious wake-up, another thread sharing the
 * deadline) would have it shifted twice: the values written are
 * remembered per process and address (8 slots), and a struct still
 * holding one is left alone.
 *
 * timerfd_settime and timer_settime with TFD_TIMER_ABSTIME/TIMER_ABSTIME
 * on a realtime timer (its clock as the kernel prints it: the fd's
 * fdinfo "clockid:", the process's /proc/PID/timers "ClockID:") get the
 * same rewrite of it_value.  Reading a timer (timerfd_gettime,
 * timer_gettime) answers relative times: nothing to do.
 *
 * Relative timeouts (nanosleep, poll, select, epoll_wait, semtimedop,
 * io_getevents, sigtimedwait) need nothing.  mq_timedsend and
 * mq_timedreceive (absolute) are left alone: no sandbox can open a queue
 * (Landlock refuses mq_open, the mqueue mount lies outside every tree).
 * Not covered: /proc/uptime, file times; a program
 * that reads the clock before its first arch_prctl (impossible in C
 * without assembly), that moves (mremap) or unmaps its vDSO, or calls a
 * copy of it; an exec under running threads of another process sharing
 * the address space (CLONE_VM without CLONE_THREAD).  Not a boundary:
 * the child can always compute the real time (the vvar page is mapped in
 * every process), it only skews its own view.
 */
#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "feature.h"
#include "jsonw.h"
#include "mem.h"
#include "policy.h"
#include "procs.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "util.h"
#include "vdso.h"

#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13
#endif

/* Deadlines rewritten, remembered per process by address: a struct that
 * still holds what was written there is real already, whichever thread
 * passes it (a deadline shared by several threads). */
#define TS_MEMO 8

struct ts_memo {
	uint64_t addr;
	int64_t written;
};

struct ts_state {
	struct vdso_req req;
	size_t proc_off;
	uint64_t patched, failed; /* vDSO patches */
	int last_err;
};

struct ts_proc {
	uint64_t lo, hi; /* its [vdso], as last read */
	bool known;	 /* read since its last patch (or lazily) */
	bool patched;	 /* carrying the detours */
	struct ts_memo memo[TS_MEMO];
};

/* ---- the vDSO -------------------------------------------------------------------- */

/* /proc/PID/task has two links plus one per thread (the kernel's
 * proc_task_getattr adds the thread count). */
static bool single_threaded(int dirfd)
{
	struct stat st;
	return fstatat(dirfd, "task", &st, 0) == 0 && st.st_nlink == 3;
}

/* The process's vDSO as it is now: where, and whether it is patched. */
static void read_vdso(struct ts_proc *tp, int dirfd)
{
	uint64_t base;
	size_t len;
	tp->known = true;
	tp->patched = false;
	tp->lo = tp->hi = 0;
	if (dirfd < 0 || vdso_find(dirfd, &base, &len) < 0)
		return;
	tp->lo = base;
	tp->hi = base + len;
	int memfd = openat(dirfd, "mem", O_RDONLY | O_CLOEXEC);
	if (memfd >= 0) {
		tp->patched = vdso_is_patched(memfd, base, len);
		close(memfd);
	}
}

static int patch(struct ts_state *st, struct ts_proc *tp, int dirfd)
{
	uint64_t base;
	size_t len;
	struct vdso_done done;
	int r = vdso_find(dirfd, &base, &len);
	if (r == -ENOENT)
		return 0; /* no vDSO (vdso=0): nothing bypasses the calls */
	int memfd = r < 0 ? r : openat(dirfd, "mem", O_RDWR | O_CLOEXEC);
	if (memfd < 0)
		return r < 0 ? r : -errno;
	r = vdso_patch(memfd, base, len, &st->req, &done);
	close(memfd);
	*tp = (struct ts_proc){.lo = base, .hi = base + len, .known = true};
	tp->patched = r == 0 || r == -EALREADY;
	return r == -EALREADY ? 0 : r;
}

/* register-only: continued whatever happens; the patch is a side effect
 * on the process's own private copy of its vDSO. */
static void on_arch_prctl(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct ts_state *st = arg;
	*a = sl_act_continue();
	/* before its exec the command runs in the host's address space */
	if (supervisor_unstarted_root(c->sup) == c->proc->pid)
		return;
	int dirfd = procs_dir(c->proc);
	struct ts_proc *tp = feature_proc(c->proc, st->proc_off);
	if (dirfd < 0 || !single_threaded(dirfd)) {
		tp->known = false;
		return;
	}
	int r = patch(st, tp, dirfd);
	if (r < 0) {
		st->failed++;
		st->last_err = -r;
	} else {
		st->patched++;
	}
}

/* The call was made by a patched vDSO's detour, which shifts its result. */
static bool from_detour(struct sl_ctx *c, struct ts_state *st)
{
	struct ts_proc *tp = feature_proc(c->proc, st->proc_off);
	if (!tp->known)
		read_vdso(tp, procs_dir(c->proc));
	uint64_t ip = c->req->data.instruction_pointer;
	return tp->patched && ip >= tp->lo && ip < tp->hi;
}

/* ---- the clock reads ---------------------------------------------------------------- */

/* The answer could not be written: the call continues, and the kernel
 * gives its own (EFAULT for a bad pointer; the real time for a process
 * the supervisor may not write, not dumpable): continuing decides
 * nothing. */
static struct sl_action unwritable(void)
{
	return sl_act_continue();
}

/* emulate: nothing is read from the child, only the answer written. */
static void on_clock_gettime(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct ts_state *st = arg;
	int64_t clock = (int64_t)c->req->data.args[0];
	if (!vdso_realtime_clock(clock) || from_detour(c, st)) {
		*a = sl_act_continue();
		return;
	}
	struct timespec ts;
	if (clock_gettime((clockid_t)(int32_t)clock, &ts) < 0) {
		*a = sl_act_errno(errno);
		return;
	}
	ts.tv_sec += st->req.offset;
	*a = mem_write(&c->mem, c->req->data.args[1], &ts, sizeof(ts)) < 0 ? unwritable()
									   : sl_act_return(0);
}

/* emulate: tv shifted, tz the kernel's (each written only when given). */
static void on_gettimeofday(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct ts_state *st = arg;
	if (from_detour(c, st)) {
		*a = sl_act_continue();
		return;
	}
	struct timeval tv;
	struct timezone tz;
	if (syscall(SYS_gettimeofday, &tv, &tz) < 0) {
		*a = sl_act_errno(errno);
		return;
	}
	tv.tv_sec += st->req.offset;
	const __u64 *r = c->req->data.args;
	if ((r[0] && mem_write(&c->mem, r[0], &tv, sizeof(tv)) < 0) ||
	    (r[1] && mem_write(&c->mem, r[1], &tz, sizeof(tz)) < 0)) {
		*a = unwritable();
		return;
	}
	*a = sl_act_return(0);
}

/* emulate: the shifted seconds, also in *t when given. */
static void on_time(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct ts_state *st = arg;
	if (from_detour(c, st)) {
		*a = sl_act_continue();
		return;
	}
	int64_t t = (int64_t)time(NULL) + st->req.offset;
	uint64_t at = c->req->data.args[0];
	*a = at && mem_write(&c->mem, at, &t, sizeof(t)) < 0 ? unwritable() : sl_act_return(t);
}

/* ---- absolute deadlines ------------------------------------------------------------- */

/* The absolute realtime deadline at addr (a struct timespec) moved from
 * the sandbox's clock to the real one; see the file's comment for why
 * continuing afterwards is acceptable.  A zero deadline stays (a timer's
 * zero disarms it; elsewhere it is long past on either clock). */
static void unshift(struct sl_ctx *c, struct ts_state *st, uint64_t addr)
{
	struct ts_proc *tp = feature_proc(c->proc, st->proc_off);
	struct ts_memo *m = &tp->memo[(addr / 8) % TS_MEMO];
	int64_t ts[2], real;
	if (st->req.offset == 0 || mem_read(&c->mem, addr, ts, sizeof(ts)) < 0 || ts[0] < 0 ||
	    (ts[0] == 0 && ts[1] == 0))
		return;
	/* the struct we rewrote, passed again: it is real already */
	if (m->addr == addr && m->written == ts[0])
		return;
	if (__builtin_sub_overflow(ts[0], st->req.offset, &real) || real < 0)
		return;
	if (mem_write(&c->mem, addr, &real, sizeof(real)) == 0)
		*m = (struct ts_memo){addr, real};
}

/* The number after "key" at the start of a line of the /proc file name
 * under dirfd, after the line "after" when not NULL (a section's head), or
 * -1.  Files of at most 64 KiB (a longer one: -1, left alone). */
static long long proc_field(int dirfd, const char *name, const char *after, const char *key)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t cap = 64 << 10, have = 0;
	char *buf = malloc(cap + 1);
	ssize_t n = 0;
	while (buf && have < cap && (n = read(fd, buf + have, cap - have)) > 0)
		have += (size_t)n;
	close(fd);
	long long v = -1;
	if (buf && n >= 0 && have < cap) {
		buf[have] = '\0';
		const char *at = buf;
		if (after && (at = strstr(buf, after)) != NULL)
			at += strlen(after);
		size_t klen = strlen(key);
		for (const char *l = at; l && *l;
		     l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
			if (after && l != at && strncmp(l, "ID: ", 4) == 0)
				break; /* the next timer's section */
			if (strncmp(l, key, klen) == 0) {
				v = strtoll(l + klen, NULL, 10);
				break;
			}
		}
	}
	free(buf);
	return v;
}

static void on_clock_nanosleep(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	*a = sl_act_continue();
	if (vdso_realtime_clock((int64_t)c->req->data.args[0]))
		unshift(c, arg, c->req->data.args[2]);
}

/* timerfd_settime(fd, TFD_TIMER_ABSTIME, new, old): the timer's clock as
 * the kernel prints it in the fd's fdinfo. */
static void on_timerfd_settime(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	*a = sl_act_continue();
	int dirfd = procs_dir(c->proc);
	char name[32];
	snprintf(name, sizeof(name), "fdinfo/%d", (int)(int32_t)c->req->data.args[0]);
	long long clock = dirfd < 0 ? -1 : proc_field(dirfd, name, NULL, "clockid: ");
	if (clock >= 0 && vdso_realtime_clock(clock))
		unshift(c, arg, c->req->data.args[2] + offsetof(struct itimerspec, it_value));
}

/* timer_settime(id, TIMER_ABSTIME, new, old): the timer's clock from the
 * process's /proc/PID/timers (the kernel's list). */
static void on_timer_settime(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	*a = sl_act_continue();
	int dirfd = procs_dir(c->proc);
	char head[32];
	snprintf(head, sizeof(head), "ID: %d\n", (int)(int32_t)c->req->data.args[0]);
	long long clock = dirfd < 0 ? -1 : proc_field(dirfd, "timers", head, "ClockID: ");
	if (clock >= 0 && vdso_realtime_clock(clock))
		unshift(c, arg, c->req->data.args[2] + offsetof(struct itimerspec, it_value));
}

/* futex_waitv(waiters, n, flags, timeout, CLOCK_REALTIME): an absolute
 * timeout on the clock the filter compared. */
static void on_futex_waitv(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	*a = sl_act_continue();
	unshift(c, arg, c->req->data.args[3]);
}

static void on_futex(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	*a = sl_act_continue();
	if (c->req->data.args[3])
		unshift(c, arg, c->req->data.args[3]);
}

/* ---- the rules ---------------------------------------------------------------------- */

/* The handlers of this file's rule tables, by index (struct sl_frow). */
enum {
	H_on_arch_prctl,
	H_on_gettimeofday,
	H_on_time,
	H_on_futex,
	H_on_timerfd_settime,
	H_on_timer_settime,
	H_on_futex_waitv,
	H_on_clock_gettime,
	H_on_clock_nanosleep,
};

#define CMD_MASK 0xfffffe7fULL /* an int: the command without the two flags */
#define FUTEX_RT(cmd)                                                                              \
	{                                                                                          \
		{__NR_futex,                                                                       \
		 2,                                                                                \
		 {SL_AMASK(1, CMD_MASK | FUTEX_CLOCK_REALTIME, (cmd) | FUTEX_CLOCK_REALTIME),      \
		  SL_ANE(3, 0)}},                                                                  \
		    H_on_futex                                                                     \
	}
#define REALTIME_RULES(k)                                                                          \
	{{__NR_clock_gettime, 1, {SL_A32(0, (k))}}, H_on_clock_gettime},                           \
	{                                                                                          \
		{__NR_clock_nanosleep, 2, {SL_A32(0, (k)), SL_ABIT(1, TIMER_ABSTIME)}},            \
		    H_on_clock_nanosleep                                                           \
	}

#ifdef __x86_64__
static const sl_hfn handlers[] = {
    [H_on_arch_prctl] = on_arch_prctl,
    [H_on_gettimeofday] = on_gettimeofday,
    [H_on_time] = on_time,
    [H_on_futex] = on_futex,
    [H_on_timerfd_settime] = on_timerfd_settime,
    [H_on_timer_settime] = on_timer_settime,
    [H_on_futex_waitv] = on_futex_waitv,
    [H_on_clock_gettime] = on_clock_gettime,
    [H_on_clock_nanosleep] = on_clock_nanosleep,
};

static const struct sl_frow vdso_rules[] = {
    {{__NR_arch_prctl, 1, {SL_A32(0, ARCH_SET_FS)}}, H_on_arch_prctl},
};

static const struct sl_frow time_rules[] = {
    {{__NR_gettimeofday, 0, {{0}}}, H_on_gettimeofday},
    {{__NR_time, 0, {{0}}}, H_on_time},
    REALTIME_RULES(CLOCK_REALTIME),
    REALTIME_RULES(CLOCK_REALTIME_COARSE),
    REALTIME_RULES(CLOCK_REALTIME_ALARM),
    REALTIME_RULES(CLOCK_TAI),
    FUTEX_RT(FUTEX_WAIT_BITSET),
    FUTEX_RT(FUTEX_WAIT_REQUEUE_PI),
    FUTEX_RT(FUTEX_LOCK_PI2),
    {{__NR_futex, 2, {SL_AMASK(1, CMD_MASK, FUTEX_LOCK_PI), SL_ANE(3, 0)}}, H_on_futex},
    {{__NR_timerfd_settime, 1, {SL_ABIT(1, TFD_TIMER_ABSTIME)}}, H_on_timerfd_settime},
    {{__NR_timer_settime, 1, {SL_ABIT(1, TIMER_ABSTIME)}}, H_on_timer_settime},
    {{__NR_futex_waitv, 2, {SL_ANE(3, 0), SL_A32(4, CLOCK_REALTIME)}}, H_on_futex_waitv},
};
#endif

static size_t rules(const struct sl_feature_env *env, struct sl_frule *out, size_t max)
{
#ifdef __x86_64__
	size_t n = feature_rows_copy(vdso_rules, SL_ARRAY_SIZE(vdso_rules), handlers,
				     SL_ARRAY_SIZE(handlers), out, max);
	if (env->policy->time_start.set)
		n += feature_rows_copy(time_rules, SL_ARRAY_SIZE(time_rules), handlers,
				       SL_ARRAY_SIZE(handlers), out ? out + n : NULL,
				       max > n ? max - n : 0);
	return n;
#else
	(void)env;
	(void)out;
	(void)max;
	return 0;
#endif
}

static bool active(const struct sl_feature_env *env)
{
#ifdef __x86_64__
	return env->policy->time_start.set || env->policy->random_seed.set;
#else
	return env->policy->time_start.set;
#endif
}

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)s;
	struct ts_state *st = state;
	st->proc_off = proc_off;
#ifdef __x86_64__
	const struct sandlock_sandbox *p = env->policy;
	st->req.getrandom = p->random_seed.set;
	if (p->time_start.set) {
		st->req.time = true;
		/* validated: at most year 9999, no overflow */
		st->req.offset = (int64_t)p->time_start.v - (int64_t)time(NULL);
	}
	return 0;
#else
	(void)env;
	return sl_errorf(ENOTSUP, "time_start: the vDSO patch is implemented for x86_64 only");
#endif
}

/* "vdso_patched", "vdso_patch_failed" (and the last error's errno). */
static void describe(void *state, struct jsonw *w)
{
	const struct ts_state *st = state;
	jsonw_raw(w, ",\"vdso_patched\":");
	jsonw_u64(w, st->patched);
	jsonw_raw(w, ",\"vdso_patch_failed\":");
	jsonw_u64(w, st->failed);
	if (st->failed) {
		jsonw_raw(w, ",\"vdso_patch_error\":");
		jsonw_str(w, strerror(st->last_err));
	}
}

const struct sl_feature feature_timeshift = {
    .name = "time_start",
    .active = active,
    .rules = rules,
    .state_size = sizeof(struct ts_state),
    .proc_size = sizeof(struct ts_proc),
    .init = init,
    .describe = describe,
};
