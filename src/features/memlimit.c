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

#include "pidinfo.h"
#include "reslimit.h"
#include "seccomp_uapi.h"
#include "util.h"

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
static int statm_data(struct sl_pent *p, uint64_t *bytes)
{
	int dirfd = procs_dir(p);
	char buf[128];
	int r = pidinfo_read_at(dirfd, "statm", &p->statm_fd, buf, sizeof(buf));
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

static int refresh(struct sl_procs *ps, struct sl_pent *p)
{
	uint64_t now = 0;
	int r = statm_data(p, &now);
	if (r < 0)
		return r;
	ps->mem_total += now - p->data_bytes;
	p->data_bytes = now;
	return 0;
}

/* Before denying, re-read everyone: others may have freed memory since
 * their last allocation call. */
static void refresh_all(struct sl_procs *ps, const struct sl_pent *skip)
{
	for (size_t i = 0; i < ps->n; i++) {
		struct sl_pent *p = ps->v[i];
		if (p != skip && !p->exited && p->pid > 0)
			refresh(ps, p);
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

static bool over(const struct sl_ctx *c, uint64_t req)
{
	uint64_t total = c->sup->procs.mem_total;
	return req > c->sup->max_memory || total > c->sup->max_memory - req;
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
static uint64_t brk_before(struct sl_ctx *c, bool exact)
{
	if (c->req->data.nr != __NR_brk)
		return 0;
	if (exact || !c->proc->brk_cur)
		c->proc->brk_cur = heap_end(c->proc);
	return c->proc->brk_cur;
}

/* Decides one call.  True if it fits (data_charge set), false if denied
 * (the answer set). */
static bool decide(struct sl_ctx *c, struct sl_action *a, bool exact)
{
	uint64_t brk_now = brk_before(c, exact);
	c->shared_charge = c->sysv_charge = 0;
	uint64_t req = request(c, &brk_now);
	if (req == 0)
		return true;
	if (refresh(&c->sup->procs, c->proc) < 0) {
		deny(c, a, brk_now);
		return false;
	}
	if (over(c, req))
		refresh_all(&c->sup->procs, c->proc);
	if (over(c, req)) {
		deny(c, a, brk_now);
		return false;
	}
	/* Until this process's next refresh, assume the call got what it
	 * asked for (the kernel will not say so before that). */
	c->data_charge = req - c->shared_charge - c->sysv_charge;
	return true;
}

void memlimit_on_alloc(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	bool ok = decide(c, a, false);
	/* a guessed break (stale after an exec) must not deny on its own */
	if (!ok && c->req->data.nr == __NR_brk) {
		*a = sl_act_continue();
		ok = decide(c, a, true);
	}
	if (!ok) {
		c->shared_charge = c->sysv_charge = c->data_charge = 0;
		return;
	}
	if (c->req->data.nr == __NR_brk)
		c->proc->brk_cur = c->req->data.args[0];
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
void memlimit_on_fork(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	int nr = c->req->data.nr;
	if (nr == __NR_vfork ||
	    (nr == __NR_clone && (c->req->data.args[0] & (CLONE_VM | CLONE_THREAD))))
		return;
	struct sl_procs *ps = &c->sup->procs;
	if (refresh(ps, c->proc) == 0) {
		/* the child also maps every shared mapping its parent had:
		 * it keeps them alive after the parent exits */
		struct sl_charge charge = {c->proc->data_bytes, c->proc->shared_bytes};
		uint64_t sum = charge.data + charge.shared;
		if (over(c, sum))
			refresh_all(ps, c->proc);
		if (!over(c, sum)) {
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
pid_t memlimit_check(struct sl_procs *ps, uint64_t max, pid_t unstarted)
{
	const struct sl_pent *skip = unstarted ? procs_live(ps, unstarted) : NULL;
	refresh_all(ps, skip);
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
