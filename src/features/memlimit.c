/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memlimit.c - max_memory across the sandbox's processes.
 *
 * What is counted (all kernel-reported or register values, never the
 * child's memory, so the handlers are register-only and CONTINUE is safe):
 *   - per process, the kernel's private writable memory: the `data` field
 *     of /proc/<pid>/statm (mm->data_vm + stack_vm: heap, anonymous and
 *     private writable file mappings, stacks), re-read at each of that
 *     process's notified allocation calls and dropped when it exits;
 *   - shared anonymous mappings (MAP_SHARED|MAP_ANONYMOUS), charged at
 *     mmap to their process until it exits (the kernel does not report
 *     them per process and munmap is not notified, to keep it cheap);
 *   - SysV shared memory created with shmget(IPC_CREAT) when the sysv_ipc
 *     group is allowed, charged until the sandbox ends (segments outlive
 *     their creator).
 * (Growing a shared mapping with mremap adds no memory: the object keeps
 * its size, and touching past it is SIGBUS.)
 * A call that can grow these (mmap private writable or shared anonymous,
 * mprotect/pkey_mprotect adding PROT_WRITE, brk growing the heap, mremap
 * growing, shmget) fails with ENOMEM when the total plus its request
 * would exceed the limit.  The filter notifies only those forms.
 *
 * Not counted: page cache, tmpfs and memfd files (file storage, not
 * mappings), kernel memory.  Each process is also capped by the kernel
 * itself: the child sets RLIMIT_DATA to max_memory before exec, which
 * catches mprotect on memory it was not told about.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "feature.h"
#include "filter.h"
#include "pidinfo.h"
#include "policyctx.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "util.h"

#define MEMLIMIT_CHECK_MS 100 /* the periodic check (memlimit_check) */

struct mem_state {
	uint64_t max;	       /* max_memory */
	uint64_t last_max;     /* the live limit at the last check */
	int64_t check_at;      /* next periodic check (monotonic ms) */
	struct sl_kills kills; /* by the periodic check */
	size_t proc_off;
};

/* Per process. */
struct mem_proc {
	bool ready;	  /* statm_fd set (blocks start zeroed) */
	int statm_fd;	  /* <dirfd>/statm, opened on first use */
	uint64_t brk_cur; /* the break it last got (a guess) */
};

static struct mem_proc *mp_of(const struct mem_state *st, const struct sl_pent *p)
{
	struct mem_proc *mp = feature_proc(p, st->proc_off);
	if (!mp->ready) {
		mp->statm_fd = -1;
		mp->ready = true;
	}
	return mp;
}

#define MAP_TYPE_MASK 0x0f
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

static uint64_t page_round(uint64_t x)
{
	uint64_t page = sl_page_size();
	return x > UINT64_MAX - page ? UINT64_MAX : (x + page - 1) & ~(page - 1);
}

/* Parses statm: size and data (pages). */
static int parse_statm(const char *buf, uint64_t *size, uint64_t *data)
{
	unsigned long long f[6];
	if (sscanf(buf, "%llu %llu %llu %llu %llu %llu", &f[0], &f[1], &f[2], &f[3], &f[4],
		   &f[5]) != 6)
		return -EIO;
	*size = f[0];
	*data = f[5];
	return 0;
}

/* A memory file of the process read through one of its other threads: a
 * thread-group leader that has exited (SYS_exit, its threads living on)
 * shows no memory (an empty statm, no Vm lines in status), though the
 * process's memory is all there; any live thread shows it. */
static int read_via_thread(int dirfd, pid_t leader, const char *name, char *buf, size_t size)
{
	int tfd = dirfd < 0 ? -1 : openat(dirfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = tfd < 0 ? NULL : fdopendir(tfd);
	if (!d) {
		if (tfd >= 0)
			close(tfd);
		return -ESRCH;
	}
	int r = -ESRCH;
	struct dirent *de;
	while (r < 0 && (de = readdir(d))) {
		char path[sizeof(de->d_name) + 32];
		if (de->d_name[0] == '.' || atoi(de->d_name) == leader)
			continue;
		snprintf(path, sizeof(path), "task/%s/%s", de->d_name, name);
		r = pidinfo_read(dirfd, path, buf, size);
	}
	closedir(d);
	return r;
}

/* The data field (pages) of /proc/<pid>/statm, in bytes, read through the
 * process's bound /proc directory (never a reused pid's). */
static int statm_data(const struct mem_state *st, struct sl_pent *p, uint64_t *bytes)
{
	int dirfd = procs_dir(p);
	char buf[128];
	int r = pidinfo_read_at(dirfd, "statm", &mp_of(st, p)->statm_fd, buf, sizeof(buf));
	if (r < 0)
		return r;
	uint64_t size, data;
	r = parse_statm(buf, &size, &data);
	if (r == 0 && size == 0) {
		r = read_via_thread(dirfd, p->pid, "statm", buf, sizeof(buf));
		if (r == 0)
			r = parse_statm(buf, &size, &data);
	}
	if (r == 0)
		*bytes = data * sl_page_size();
	return r;
}

static int refresh(const struct mem_state *st, struct sl_procs *ps, struct sl_pent *p)
{
	uint64_t now = 0;
	int r = statm_data(st, p, &now);
	if (r < 0)
		return r;
	ps->mem_total += now - p->data_bytes;
	p->data_bytes = now;
	procs_note_peaks(ps);
	return 0;
}

/* Before denying, re-read everyone: others may have freed memory since
 * their last allocation call. */
static void refresh_all(const struct mem_state *st, struct sl_procs *ps, const struct sl_pent *skip)
{
	for (size_t i = 0; i < ps->n; i++) {
		struct sl_pent *p = ps->v[i];
		if (p != skip && !p->exited && p->pid > 0)
			refresh(st, ps, p);
	}
}

/* Current end of the heap: the [heap] mapping's end, else start_brk
 * (no heap mapping yet).  0 when unknown. */
static uint64_t heap_end(struct sl_pent *p)
{
	char buf[8192];
	int dirfd = procs_dir(p);
	if (dirfd < 0 || pidinfo_read(dirfd, "maps", buf, sizeof(buf)) < 0)
		return 0;
	uint64_t end;
	if (pidinfo_parse_heap(buf, &end) == 0)
		return end;
	if (pidinfo_read(dirfd, "stat", buf, sizeof(buf)) < 0)
		return 0;
	/* fields after the command name; start_brk is field 47 */
	char *s = strrchr(buf, ')');
	for (int field = 2; s && field < 47; field++)
		s = strchr(s + 1, ' ');
	return s ? strtoull(s + 1, NULL, 10) : 0;
}

/* The growth the call asks for (an upper bound), with the shared or SysV
 * part to charge if it goes through. */
static uint64_t request(struct sl_ctx *c, const uint64_t *brk_now)
{
	const __u64 *arg = c->req->data.args;
	switch (c->req->data.nr) {
	case __NR_mmap:
		if ((arg[3] & MAP_TYPE_MASK) == MAP_PRIVATE)
			return arg[2] & PROT_WRITE ? page_round(arg[1]) : 0;
		/* shared: anonymous, or a writable file mapping (/dev/zero,
		 * a memfd and tmpfs files are memory too) */
		if ((arg[3] & MAP_ANONYMOUS) || (arg[2] & PROT_WRITE))
			return c->shared_charge = page_round(arg[1]);
		return 0;
	case __NR_mprotect:
	case __NR_pkey_mprotect:
		return arg[2] & PROT_WRITE ? page_round(arg[1]) : 0;
	case __NR_mremap:
		if (arg[3] & MREMAP_DONTUNMAP)
			return page_round(arg[2]);
		return arg[2] > arg[1] ? page_round(arg[2] - arg[1]) : 0;
	case __NR_brk:
		/* unknown heap end (0): the worst case is the whole new heap */
		return arg[0] > *brk_now ? page_round(arg[0] - *brk_now) : 0;
	case __NR_shmget:
		return (arg[2] & IPC_CREAT) ? (c->sysv_charge = page_round(arg[1])) : 0;
	}
	return 0;
}

/* The limit now: a policy callback may have lowered it
 * (restrict_max_memory). */
static uint64_t live_max(struct sl_sup *s, const struct mem_state *st)
{
	return policyctx_max_memory(s, st->max);
}

static bool over(const struct sl_ctx *c, const struct mem_state *st, uint64_t req)
{
	uint64_t total = c->sup->procs.mem_total, max = live_max(c->sup, st);
	return req > max || total > max - req;
}

/* register-only: registers and kernel-reported sizes. */
static void deny(const struct sl_ctx *c, struct sl_action *a, uint64_t brk_now)
{
	/* brk reports failure by returning the unchanged break, never an
	 * errno (libc would take -ENOMEM for the new break and crash) */
	if (c->req->data.nr == __NR_brk && brk_now)
		*a = sl_act_return((int64_t)brk_now);
	else
		*a = sl_act_errno(ENOMEM);
}

/* The break before this call: the one this process last got from us (a
 * cheap guess, good enough to allow), or read from the kernel (the
 * [heap] mapping; ~20 us) when there is no guess or before denying. */
static uint64_t brk_before(struct sl_ctx *c, const struct mem_state *st, bool exact)
{
	if (c->req->data.nr != __NR_brk)
		return 0;
	struct mem_proc *mp = mp_of(st, c->proc);
	if (exact || !mp->brk_cur)
		mp->brk_cur = heap_end(c->proc);
	return mp->brk_cur;
}

/* Decides one call.  True if it fits (data_charge set), false if denied
 * (the answer set). */
static bool decide(struct sl_ctx *c, const struct mem_state *st, struct sl_action *a, bool exact)
{
	uint64_t brk_now = brk_before(c, st, exact);
	c->shared_charge = c->sysv_charge = 0;
	uint64_t req = request(c, &brk_now);
	if (req == 0)
		return true;
	if (refresh(st, &c->sup->procs, c->proc) < 0) {
		deny(c, a, brk_now);
		return false;
	}
	if (over(c, st, req))
		refresh_all(st, &c->sup->procs, c->proc);
	if (over(c, st, req)) {
		char target[64], rule[80];
		snprintf(target, sizeof(target), "%llu more bytes (%llu in use)",
			 (unsigned long long)req, (unsigned long long)c->sup->procs.mem_total);
		uint64_t max = live_max(c->sup, st);
		snprintf(rule, sizeof(rule), "max_memory %llu bytes (%s)", (unsigned long long)max,
			 max < st->max ? "policy_fn: restrict_max_memory" : "-m, --max-memory");
		supervisor_denied(c, ENOMEM, target, rule);
		deny(c, a, brk_now);
		return false;
	}
	/* Until this process's next refresh, assume the call got what it
	 * asked for (the kernel will not say so before that). */
	c->data_charge = req - c->shared_charge - c->sysv_charge;
	return true;
}

/* mmap, mprotect, pkey_mprotect, brk, mremap, shmget: ENOMEM over
 * max_memory. */
static void on_alloc(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const struct mem_state *st = arg;
	bool ok = decide(c, st, a, false);
	/* a guessed break (stale after an exec) must not deny on its own */
	if (!ok && c->req->data.nr == __NR_brk) {
		*a = sl_act_continue();
		ok = decide(c, st, a, true);
	}
	if (!ok) {
		c->shared_charge = c->sysv_charge = c->data_charge = 0;
		return;
	}
	if (c->req->data.nr == __NR_brk)
		mp_of(st, c->proc)->brk_cur = c->req->data.args[0];
}

/*
 * clone, fork (register-only): a new process gets a copy of its parent's
 * private writable memory.  Copy-on-write makes the pages its own as
 * either side writes them, with no syscall at all, so the fork is charged
 * with the parent's count (kernel-reported, re-read now) from the moment
 * it is let through until the new process's own count is read.  Over the
 * limit, the fork fails with ENOMEM.  Threads, vfork and other CLONE_VM
 * children share the memory: nothing is copied.
 */
static void on_fork(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const struct mem_state *st = arg;
	int nr = c->req->data.nr;
	if (nr == __NR_vfork ||
	    (nr == __NR_clone && (c->req->data.args[0] & (CLONE_VM | CLONE_THREAD))))
		return;
	struct sl_procs *ps = &c->sup->procs;
	if (refresh(st, ps, c->proc) == 0) {
		/* the child also maps every shared mapping its parent had:
		 * it keeps them alive after the parent exits */
		struct sl_charge charge = {c->proc->data_bytes, c->proc->shared_bytes};
		uint64_t sum = charge.data + charge.shared;
		if (over(c, st, sum))
			refresh_all(st, ps, c->proc);
		if (!over(c, st, sum)) {
			c->fork_charge = charge;
			return;
		}
	}
	*a = sl_act_errno(ENOMEM);
}

/* Resident shared memory of p in bytes (RssShmem of its status: shared
 * anonymous pages, tmpfs and memfd pages it maps), read through a live
 * thread when the leader has exited; 0 when unknown. */
static uint64_t rss_shmem(struct sl_pent *p)
{
	char buf[4096];
	long kb = 0;
	int dirfd = procs_dir(p);
	if (pidinfo_read_at(dirfd, "status", &p->status_fd, buf, sizeof(buf)) < 0)
		return 0;
	int r = pidinfo_parse_status_kb(buf, "RssShmem:", &kb);
	if (r == -ENOENT && read_via_thread(dirfd, p->pid, "status", buf, sizeof(buf)) == 0)
		r = pidinfo_parse_status_kb(buf, "RssShmem:", &kb);
	return r == 0 && kb > 0 ? (uint64_t)kb * 1024 : 0;
}

/*
 * Memory that grows with no syscall to decide on: a stack (each process's
 * is capped by RLIMIT_STACK at max_memory, but a hundred processes could
 * each grow one), a new program's image at exec, shared memory that came
 * by a way the calls above could not charge (a shared mapping made
 * writable by mprotect).  Every MEMLIMIT_CHECK_MS the supervisor re-reads
 * everyone's count, each process's shared memory taken as the larger of
 * what it was charged and what the kernel says it holds resident; over
 * the limit, the process with the most is killed through its pidfd, as a
 * memory cgroup's OOM killer would.  A command that has not exec'd yet
 * (pid unstarted, 0 for none) is left out: until its exec it shares or
 * copies the host's address space, whose size is not the sandbox's.
 * Returns the pid killed, or 0.
 */
static pid_t check(const struct mem_state *st, struct sl_procs *ps, pid_t unstarted, uint64_t max)
{
	const struct sl_pent *skip = unstarted ? procs_live(ps, unstarted) : NULL;
	refresh_all(st, ps, skip);
	uint64_t total = ps->mem_total, most = 0;
	struct sl_pent *big = NULL;
	for (size_t i = 0; i < ps->n; i++) {
		struct sl_pent *e = ps->v[i];
		if (e->exited || e->pid <= 0 || e == skip)
			continue;
		uint64_t shm = rss_shmem(e), held = e->data_bytes + e->shared_bytes;
		if (shm > e->shared_bytes) {
			total += shm - e->shared_bytes;
			held += shm - e->shared_bytes;
		}
		if (!big || held > most) {
			big = e;
			most = held;
		}
	}
	if (total <= max)
		return 0;
	if (!big || pidinfo_signal(big->pidfd, SIGKILL) < 0)
		return 0;
	return big->pid;
}

static int64_t next(struct sl_sup *s, void *state)
{
	(void)s;
	return ((struct mem_state *)state)->check_at;
}

static void tick(struct sl_sup *s, void *state, int64_t now_ms)
{
	struct mem_state *st = state;
	if (now_ms < st->check_at)
		return;
	st->last_max = live_max(s, st);
	pid_t killed = check(st, &s->procs, supervisor_unstarted_root(s), st->last_max);
	if (killed) {
		st->kills.last = killed;
		st->kills.n++;
	}
	st->check_at = now_ms + MEMLIMIT_CHECK_MS;
}

static void proc_gone(void *state, void *pstate)
{
	(void)state;
	struct mem_proc *mp = pstate;
	if (mp->ready)
		sl_close(&mp->statm_fd);
}

/* 64M, 1G, or bytes. */
static void fmt_size(char *buf, size_t size, uint64_t v)
{
	static const char unit[] = "GMK";
	for (int i = 0; i < 3; i++) {
		uint64_t u = 1ULL << (10 * (3 - i));
		if (v >= u && v % u == 0) {
			snprintf(buf, size, "%llu%c", (unsigned long long)(v / u), unit[i]);
			return;
		}
	}
	snprintf(buf, size, "%llu byte%s", (unsigned long long)v, v == 1 ? "" : "s");
}

/* A process the check killed, or a command killed by a signal before it
 * ever ran: every program makes a notified allocation call at its start,
 * and the kernel kills an exec it cannot fit in RLIMIT_DATA/RLIMIT_STACK
 * with SIGSEGV, after the point where exec could still fail. */
static bool note(const void *state, const struct sl_end *e, char *buf, size_t size)
{
	const struct mem_state *st = state;
	const struct sl_kills *k = &st->kills;
	char lim[32];
	fmt_size(lim, sizeof(lim), st->last_max);
	if (k->n == 1 && k->last == e->root)
		snprintf(buf, size,
			 "the command was killed: the sandbox's memory went over max_memory (%s)",
			 lim);
	else if (k->n == 1)
		snprintf(buf, size,
			 "process %d was killed: the sandbox's memory went over max_memory (%s)",
			 (int)k->last, lim);
	else if (k->n > 1)
		snprintf(buf, size,
			 "%u processes were killed: the sandbox's memory went over max_memory (%s)",
			 k->n, lim);
	else if (e->sig && !e->root_ran && !e->timed_out && !e->user_killed)
		snprintf(buf, size,
			 "the command was killed by SIG%s before it started: max_memory (%s) is "
			 "too small to start it",
			 sigabbrev_np(e->sig) ? sigabbrev_np(e->sig) : "?", lim);
	else
		return false;
	return true;
}

static bool active(const struct sl_feature_env *env)
{
	return env->policy->max_memory.set || env->policy->policy_fn;
}

/* Only the forms of the allocation calls that can grow what is counted
 * are notified (most mmap calls map files read-only). */
/* The handlers of this file's rule tables, by index (struct sl_frow). */
enum {
	H_on_fork,
	H_on_alloc,
};

static const sl_hfn handlers[] = {
    [H_on_fork] = on_fork,
    [H_on_alloc] = on_alloc,
};

static const struct sl_frow mem_rules[] = {
    {{__NR_clone, 0, {{0}}}, H_on_fork},
    {{__NR_fork, 0, {{0}}}, H_on_fork},
    {{__NR_mmap, 2, {SL_ABIT(2, PROT_WRITE), SL_AMASK(3, MAP_TYPE_MASK, MAP_PRIVATE)}}, H_on_alloc},
    {{__NR_mmap, 1, {SL_AMASK(3, MAP_TYPE_MASK | MAP_ANONYMOUS, MAP_SHARED | MAP_ANONYMOUS)}},
     H_on_alloc},
    {{__NR_mmap,
      1,
      {SL_AMASK(3, MAP_TYPE_MASK | MAP_ANONYMOUS, MAP_SHARED_VALIDATE | MAP_ANONYMOUS)}},
     H_on_alloc},
    /* writable shared file mappings: /dev/zero, memfds, tmpfs */
    {{__NR_mmap, 2, {SL_ABIT(2, PROT_WRITE), SL_AMASK(3, MAP_TYPE_MASK, MAP_SHARED)}}, H_on_alloc},
    {{__NR_mmap, 2, {SL_ABIT(2, PROT_WRITE), SL_AMASK(3, MAP_TYPE_MASK, MAP_SHARED_VALIDATE)}},
     H_on_alloc},
    {{__NR_mprotect, 1, {SL_ABIT(2, PROT_WRITE)}}, H_on_alloc},
    {{__NR_pkey_mprotect, 1, {SL_ABIT(2, PROT_WRITE)}}, H_on_alloc},
    {{__NR_brk, 1, {SL_ANE(0, 0)}}, H_on_alloc},
    {{__NR_mremap, 0, {{0}}}, H_on_alloc},
};

static size_t rules(const struct sl_feature_env *env, struct sl_frule *out, size_t max)
{
	size_t n = feature_rows_copy(mem_rules, SL_ARRAY_SIZE(mem_rules), handlers,
				     SL_ARRAY_SIZE(handlers), out, max);
	/* SysV segments when the sysv_ipc group is allowed */
	if (!filter_denies(env->policy, __NR_shmget)) {
		if (n < max)
			out[n] = (struct sl_frule){{__NR_shmget, 0, {{0}}}, on_alloc};
		n++;
	}
	return n;
}

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)s;
	struct mem_state *st = state;
	/* with a policy callback alone, no static limit: the live one */
	st->max = env->policy->max_memory.set ? env->policy->max_memory.v : UINT64_MAX;
	st->last_max = st->max;
	st->check_at = sl_now_ms() + MEMLIMIT_CHECK_MS;
	st->proc_off = proc_off;
	return 0;
}

/* max_memory: the allocating calls, forks' copy-on-write memory, and the
 * periodic check. */
const struct sl_feature feature_memlimit = {
    .name = "max_memory",
    .active = active,
    .rules = rules,
    .state_size = sizeof(struct mem_state),
    .proc_size = sizeof(struct mem_proc),
    .init = init,
    .proc_gone = proc_gone,
    .next = next,
    .tick = tick,
    .note = note,
};
