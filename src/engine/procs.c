/* SPDX-License-Identifier: Apache-2.0 */
/* procs.c - the index of the sandbox's processes (see procs.h). */
#include "procs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "pidinfo.h"
#include "util.h"

#define SIGNAL_ROUNDS 8 /* settle-and-signal passes (procs_signal_all) */

void procs_init(struct sl_procs *ps)
{
	*ps = (struct sl_procs){.keeper_pidfd = -1, .keeper_dirfd = -1, .keeper_stat_fd = -1};
	for (size_t i = 0; i < PROCS_TID_CACHE; i++)
		ps->tidc[i].pidfd = -1;
}

/* The features' blocks let go of what they hold, once. */
static void ent_gone(struct sl_procs *ps, struct sl_pent *e)
{
	if (e->fstate && !e->fgone && ps->gone)
		ps->gone(ps->gone_arg, e);
	e->fgone = true;
}

static void unwatch(struct sl_procs *ps, struct sl_pent *e)
{
	if (e->watch_ev && ps->watch)
		ps->watch(ps->watch_arg, e, false);
	e->watch_ev = NULL;
}

static void ent_free(struct sl_procs *ps, struct sl_pent *e)
{
	unwatch(ps, e);
	ent_gone(ps, e);
	free(e->fstate);
	sl_close(&e->pidfd);
	sl_close(&e->dirfd);
	sl_close(&e->stat_fd);
	sl_close(&e->status_fd);
	free(e);
}

void procs_release(struct sl_procs *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		ent_free(ps, ps->v[i]);
	for (size_t i = 0; i < PROCS_TID_CACHE; i++)
		sl_close(&ps->tidc[i].pidfd);
	sl_close(&ps->keeper_pidfd);
	sl_close(&ps->keeper_dirfd);
	sl_close(&ps->keeper_stat_fd);
	free(ps->v);
	free(ps->pend);
	free(ps->scan_buf);
	struct sl_procs keep = *ps;
	procs_init(ps);
	procs_set_features(ps, keep.fstate_size, keep.gone, keep.gone_arg);
	procs_set_watch(ps, keep.watch, keep.watch_arg);
}

void procs_set_watch(struct sl_procs *ps, void (*watch)(void *, struct sl_pent *, bool), void *arg)
{
	ps->watch = watch;
	ps->watch_arg = arg;
}

void procs_set_features(struct sl_procs *ps, size_t size, void (*gone)(void *, struct sl_pent *),
			void *arg)
{
	ps->fstate_size = size;
	ps->gone = gone;
	ps->gone_arg = arg;
}

static struct sl_pent *procs_find(struct sl_procs *ps, pid_t pid)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i]->pid == pid)
			return ps->v[i];
	return NULL;
}

/* Takes ownership of pidfd (the /proc directory is opened on first use:
 * procs_dir). */
static struct sl_pent *ent_add(struct sl_procs *ps, pid_t pid, int pidfd)
{
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 16;
		struct sl_pent **v = realloc(ps->v, cap * sizeof(*v));
		if (!v) {
			close(pidfd);
			return NULL;
		}
		ps->v = v;
		ps->cap = cap;
	}
	struct sl_pent *e = calloc(1, sizeof(*e));
	void *fstate = ps->fstate_size ? calloc(1, ps->fstate_size) : NULL;
	if (!e || (ps->fstate_size && !fstate)) {
		free(e);
		free(fstate);
		close(pidfd);
		return NULL;
	}
	/* an exit is recorded by the loop's next poll of the pidfd */
	*e = (struct sl_pent){.pid = pid,
			      .pidfd = pidfd,
			      .dirfd = -1,
			      .fstate = fstate,
			      .stat_fd = -1,
			      .status_fd = -1,
			      .threads = 1};
	ps->threads++;
	ps->v[ps->n++] = e;
	if (ps->watch)
		ps->watch(ps->watch_arg, e, true);
	return e;
}

/* Keeps the order: a process comes after its ancestors (it is only
 * found through one of them), which cpu_ticks relies on. */
static void ent_remove(struct sl_procs *ps, size_t i)
{
	ent_free(ps, ps->v[i]);
	memmove(&ps->v[i], &ps->v[i + 1], (ps->n - i - 1) * sizeof(*ps->v));
	ps->n--;
}

int procs_add_root(struct sl_procs *ps, pid_t pid, int pidfd, pid_t keeper, int keeper_pidfd)
{
	int fd = fcntl(pidfd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	struct sl_pent *e = ent_add(ps, pid, fd);
	if (!e)
		return -ENOMEM;
	/* bound now, while the command execs, rather than by its first
	 * notification (a new /proc entry's first lookups cost 10 to 20 us) */
	(void)procs_dir(e);
	procs_note_peaks(ps);
	ps->keeper = keeper;
	ps->keeper_pidfd = fcntl(keeper_pidfd, F_DUPFD_CLOEXEC, 3);
	return ps->keeper_pidfd < 0 ? -errno : 0;
}

/* *dirfd, opened on first use: the /proc directory bound to pidfd's
 * process (pidinfo_open_dir), or -1. */
static int lazy_dir(int *dirfd, pid_t pid, int pidfd)
{
	if (*dirfd < 0 && pid > 0 && pidfd >= 0) {
		int fd = pidinfo_open_dir(pid, pidfd);
		*dirfd = fd < 0 ? -1 : fd;
	}
	return *dirfd;
}

int procs_dir(struct sl_pent *e)
{
	return lazy_dir(&e->dirfd, e->pid, e->pidfd);
}

static int keeper_dir(struct sl_procs *ps)
{
	return lazy_dir(&ps->keeper_dirfd, ps->keeper, ps->keeper_pidfd);
}

static void pending_drop(struct sl_procs *ps, size_t i)
{
	ps->pend[i] = ps->pend[--ps->npend];
}

/* A complete pending fork whose child was never found (already gone):
 * its slot and memory charge are released. */
static void pending_release(struct sl_procs *ps, size_t i)
{
	ps->mem_total -= ps->pend[i].mem.data + ps->pend[i].mem.shared;
	pending_drop(ps, i);
}

/*
 * A newly found process is the product of one of its parent's pending
 * forks: that unit moves from pending to tracked, with its memory charge.
 * A complete pending goes first: an incomplete one may still be creating
 * its child (dropping it could undercount; dropping a complete one can
 * only overcount until the next scan).  Else the process is a ghost's
 * orphan.  Returns the memory charged for it (kept in mem_total, now
 * held by the entry).
 */
static struct sl_charge consume_origin(struct sl_procs *ps, pid_t parent)
{
	size_t pick = ps->npend;
	for (size_t i = 0; i < ps->npend; i++)
		if (ps->pend[i].parent == parent && (pick == ps->npend || ps->pend[i].complete))
			pick = i;
	if (pick < ps->npend) {
		struct sl_charge mem = ps->pend[pick].mem;
		pending_drop(ps, pick);
		return mem;
	}
	if (!ps->ghosts)
		return (struct sl_charge){0, 0};
	struct sl_charge mem = {ps->ghost_mem.data / ps->ghosts, ps->ghost_mem.shared / ps->ghosts};
	ps->ghosts--;
	ps->ghost_mem.data -= mem.data;
	ps->ghost_mem.shared -= mem.shared;
	return mem;
}

/* Registers process pid (pidfd taken) as a product of parent. */
static struct sl_pent *enter(struct sl_procs *ps, pid_t pid, int pidfd, pid_t parent)
{
	struct sl_charge mem = consume_origin(ps, parent);
	struct sl_pent *e = ent_add(ps, pid, pidfd);
	if (e) {
		e->data_bytes = mem.data;
		e->shared_bytes = mem.shared;
	} else {
		ps->mem_total -= mem.data + mem.shared;
	}
	return e;
}

static void mark_exited(struct sl_procs *ps, struct sl_pent *e);

/* An entry whose pid the kernel has handed to a new task: keep it (it
 * holds a slot until reaped) but never match its pid again. */
static void retire(struct sl_procs *ps, struct sl_pent *e)
{
	if (!e->exited)
		mark_exited(ps, e);
	e->pid = -1;
}

/* The entry of pid if it is live; retires a stale one.  An exited entry
 * not reaped yet is no stale one: its zombie still holds the pid (retired,
 * the next scan of its parent would enter it again, one more slot). */
static struct sl_pent *live_entry(struct sl_procs *ps, pid_t pid)
{
	struct sl_pent *e = procs_find(ps, pid);
	if (e && !e->exited)
		return e;
	if (e && pidinfo_reaped(e->pidfd))
		retire(ps, e);
	return NULL;
}

struct sl_pent *procs_live(struct sl_procs *ps, pid_t pid)
{
	struct sl_pent *e = live_entry(ps, pid);
	return e && !pidinfo_exited(e->pidfd) ? e : NULL;
}

/* e has not exited and is in process group pgid (its stat says so). */
static bool in_group(struct sl_pent *e, pid_t pgid)
{
	struct sl_pstat st;
	return !e->exited && procs_dir(e) >= 0 &&
	       pidinfo_stat_at(e->dirfd, &e->stat_fd, &st) == 0 && st.pgrp == pgid;
}

bool procs_has_group(struct sl_procs *ps, pid_t pgid)
{
	for (size_t i = 0; i < ps->n; i++)
		if (in_group(ps->v[i], pgid) && !pidinfo_exited(ps->v[i]->pidfd))
			return true;
	return false;
}

bool procs_exec_pending(struct sl_procs *ps, pid_t pid)
{
	struct sl_pent *e = procs_live(ps, pid);
	struct sl_pstat st;
	return e && procs_dir(e) >= 0 && pidinfo_stat_at(e->dirfd, &e->stat_fd, &st) == 0 &&
	       (st.flags & SL_PF_FORKNOEXEC);
}

/* pid is the keeper or a member, alive now: a child whose parent the
 * kernel reported as pid before this was a child of ours (a parent holds
 * its pid until reaped, and a process that has exited has no children:
 * they were reparented). */
static bool parent_alive(struct sl_procs *ps, pid_t pid)
{
	if (pid == ps->keeper)
		return !pidinfo_exited(ps->keeper_pidfd);
	return procs_live(ps, pid) != NULL;
}

/* tid -> tgid of a notifying thread.  The thread is proven to be the
 * notifier by the notification still pending after we took a handle on
 * it (a killed notifier's tid could have been reused).  Thread pidfds are
 * cached: a cached thread that has exited may have had its tid reused,
 * so it is resolved again. */
static pid_t notifier_tgid(struct sl_procs *ps, const struct sl_memref *n)
{
	pid_t tid = n->pid, tgid = -1;
	for (size_t i = 0; i < PROCS_TID_CACHE; i++) {
		struct sl_tidc *c = &ps->tidc[i];
		if (c->pidfd >= 0 && c->tid == tid) {
			if (!pidinfo_exited(c->pidfd))
				return c->tgid;
			sl_close(&c->pidfd);
		}
	}
	int tfd = pidinfo_pidfd_open(tid, PIDFD_THREAD);
	int dfd = -1;
	if (tfd < 0) {
		/* before Linux 6.9 (no thread pidfds): its /proc directory */
		char path[32];
		snprintf(path, sizeof(path), "/proc/%d", (int)tid);
		dfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if ((tfd >= 0 || dfd >= 0) && mem_pending(n) && pidinfo_tgid(tfd, dfd, tid, &tgid) < 0)
		tgid = -1;
	if (dfd >= 0)
		close(dfd);
	if (tgid <= 0 || tgid == tid || tfd < 0) {
		if (tfd >= 0)
			close(tfd);
		return tgid;
	}
	struct sl_tidc *c = &ps->tidc[ps->tidc_next++ % PROCS_TID_CACHE];
	sl_close(&c->pidfd);
	*c = (struct sl_tidc){tid, tgid, tfd};
	return tgid;
}

static void mark_complete(struct sl_procs *ps, pid_t tid)
{
	for (size_t i = 0; i < ps->npend; i++)
		if (ps->pend[i].tid == tid)
			ps->pend[i].complete = true;
}

/*
 * The loop polls every tracked pidfd and records exits before it reads
 * the next notification, so a live entry's flag is current; a pid would
 * have to be reaped and handed to another sandbox process between that
 * poll and the receive for it to lie (only members notify), and then
 * accounting errs between two members.
 */
struct sl_pent *procs_notifier(struct sl_procs *ps, const struct sl_memref *n)
{
	pid_t tid = n->pid;
	mark_complete(ps, tid);
	struct sl_pent *e = live_entry(ps, tid);
	if (e)
		return e;
	pid_t tgid = notifier_tgid(ps, n);
	if (tgid <= 0)
		return NULL;
	if (tgid != tid && (e = live_entry(ps, tgid)))
		return e;
	int fd = pidinfo_pidfd_open(tgid, 0);
	if (fd < 0)
		return NULL;
	/* the notifier alive after the open: tgid named its process */
	pid_t parent = -1;
	if (!mem_pending(n) || pidinfo_ppid(fd, -1, tgid, &parent) < 0) {
		close(fd);
		return NULL;
	}
	return enter(ps, tgid, fd, parent);
}

/* Registers child c of parent, checking after pidfd_open that the kernel
 * still reports parent as its parent (a pid reaped and reused meanwhile
 * is not).  1 adopted, 0 nothing to adopt (known, gone, not ours), or
 * -errno when it could not tell (no fds, no memory). */
static int adopt_child(struct sl_procs *ps, pid_t parent, pid_t c)
{
	/* A zombie stays in its parent's children list until reaped, and
	 * its entry (exited) still holds its pid: it is known, not a new
	 * process with a reused pid.  (Retired and entered again, it took
	 * one more slot at every scan of its parent: a parent with 5
	 * unreaped children could fork 10 times under the default cap.) */
	struct sl_pent *z = procs_find(ps, c);
	if (z && z->exited && !pidinfo_reaped(z->pidfd))
		return 0;
	if (live_entry(ps, c))
		return 0;
	int fd = pidinfo_pidfd_open(c, 0);
	if (fd < 0)
		return fd == -ESRCH ? 0 : fd;
	pid_t pp = -1;
	int r = pidinfo_ppid(fd, -1, c, &pp);
	if (r < 0 || pp != parent || !parent_alive(ps, parent)) {
		close(fd);
		return r == -ESRCH || r == 0 ? 0 : r;
	}
	return enter(ps, c, fd, parent) ? 1 : -ENOMEM;
}

/* What a scan of one process's children established. */
struct scan {
	size_t added;
	bool whole; /* every list read whole, no thread left meanwhile, every child held */
};

/* Adopts the children in a kernel children list (pids, each followed by
 * a space; a number cut at the end of the buffer is not one). */
static void adopt_listed(struct sl_procs *ps, pid_t parent, const char *list, struct scan *sc)
{
	for (const char *s = list;;) {
		char *end;
		long c = strtol(s, &end, 10);
		if (end == s || *end != ' ')
			break;
		int r = c > 0 ? adopt_child(ps, parent, (pid_t)c) : 0;
		if (r > 0)
			sc->added++;
		if (r < 0)
			sc->whole = false;
		s = end;
	}
}

/* Reads fd to its end into ps->scan_buf from offset at (NUL-terminated,
 * the buffer grown as needed).  The bytes read, with in *chunks the reads
 * that returned some; -1 on an error or past PROCS_SCAN_MAX. */
static ssize_t read_list(struct sl_procs *ps, int fd, size_t at, int *chunks)
{
	size_t len = at;
	*chunks = 0;
	for (;;) {
		if (ps->scan_cap - len < 4096 + 1) {
			size_t cap = ps->scan_cap ? 2 * ps->scan_cap : PROCS_SCAN_BUF;
			char *v = cap > PROCS_SCAN_MAX ? NULL : realloc(ps->scan_buf, cap);
			if (!v)
				return -1;
			ps->scan_buf = v;
			ps->scan_cap = cap;
		}
		ssize_t r = read(fd, ps->scan_buf + len, ps->scan_cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		len += (size_t)r;
		(*chunks)++;
	}
	ps->scan_buf[len] = 0;
	return (ssize_t)(len - at);
}

/* One thread's children list into ps->scan_buf from offset at; -1 when
 * it cannot be read. */
static ssize_t read_children(struct sl_procs *ps, int dirfd, const char *tid, size_t at,
			     int *chunks)
{
	char path[64];
	snprintf(path, sizeof(path), "task/%s/children", tid);
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read_list(ps, fd, at, chunks);
	if (fd >= 0)
		close(fd);
	return n;
}

#define SCAN_REREADS 3 /* a list that takes several reads, read again */

/*
 * One thread's children list.  The kernel prints at most a page per
 * read (about 680 children), and resumes the next read by position: a
 * child that left the list between two reads shifted a later one out of
 * sight.  (One read of 64 KiB was taken for the whole list: every child
 * past the first page of a parent with hundreds was never found, and
 * its fork's slot was released as "already gone" - max_processes 1000
 * let 1500 processes run, none of the extra ones paused or throttled.)
 * So a list that takes several reads is read again: no fork of the
 * sandbox is answered while we scan, so the list can only lose children
 * (or gain one at its end, from a fork answered before): the same list
 * twice in a row was read whole.  Every pass's children are adopted.
 */
static void scan_thread(struct sl_procs *ps, int dirfd, pid_t parent, const char *tid,
			struct scan *sc)
{
	int chunks = 0;
	ssize_t n = read_children(ps, dirfd, tid, 0, &chunks);
	/* a thread that left (ENOENT) handed its children to another whose
	 * list may be read already */
	if (n < 0)
		sc->whole = false;
	if (n <= 0)
		return;
	adopt_listed(ps, parent, ps->scan_buf, sc);
	bool same = chunks <= 1;
	for (int i = 0; !same && i < SCAN_REREADS; i++) {
		ssize_t m = read_children(ps, dirfd, tid, (size_t)n + 1, &chunks);
		if (m < 0)
			break;
		same = m == n && memcmp(ps->scan_buf, ps->scan_buf + n + 1, (size_t)n) == 0;
		memmove(ps->scan_buf, ps->scan_buf + n + 1, (size_t)m + 1);
		n = m;
		if (!same)
			adopt_listed(ps, parent, ps->scan_buf, sc);
	}
	if (!same)
		sc->whole = false;
}

static bool thread_left(int dirfd, const char *tid)
{
	char path[64];
	snprintf(path, sizeof(path), "task/%s", tid);
	return faccessat(dirfd, path, F_OK, 0) < 0;
}

/* Adopts every child of process pid (all its threads' lists). */
static struct scan scan_process(struct sl_procs *ps, int dirfd, pid_t pid)
{
	struct scan sc = {.whole = true};
	int tfd = dirfd < 0 ? -1 : openat(dirfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = tfd < 0 ? NULL : fdopendir(tfd);
	if (!d) {
		if (tfd >= 0)
			close(tfd);
		sc.whole = false;
		return sc;
	}
	struct sl_strv tids = {0};
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && sl_strv_push(&tids, de->d_name) < 0)
			sc.whole = false;
	closedir(d);
	for (size_t i = 0; i < tids.n; i++)
		scan_thread(ps, dirfd, pid, tids.v[i], &sc);
	/* a thread that left after its list was read moved its children
	 * into a list read before: not seen */
	for (size_t i = 0; i < tids.n && sc.whole; i++)
		if (thread_left(dirfd, tids.v[i]))
			sc.whole = false;
	sl_strv_free(&tids);
	return sc;
}

/* pid has pending forks (complete ones only, with complete). */
static bool has_pending(const struct sl_procs *ps, pid_t pid, bool complete)
{
	for (size_t i = 0; i < ps->npend; i++)
		if (ps->pend[i].parent == pid && (ps->pend[i].complete || !complete))
			return true;
	return false;
}

static size_t scan(struct sl_procs *ps, struct sl_pent *p)
{
	pid_t pid = p->pid;
	struct scan sc = scan_process(ps, procs_dir(p), pid);
	/* What is left and complete made a child that is already gone, if
	 * the scan saw everything; else it stays counted (never undercount). */
	for (size_t i = 0; i < ps->npend && sc.whole;)
		if (ps->pend[i].parent == pid && ps->pend[i].complete)
			pending_release(ps, i);
		else
			i++;
	return sc.added;
}

void procs_scan(struct sl_procs *ps, struct sl_pent *p)
{
	if (has_pending(ps, p->pid, false)) /* else every child it made is known */
		scan(ps, p);
}

size_t procs_settle(struct sl_procs *ps)
{
	size_t added = 0;
	for (size_t i = 0; i < ps->n && ps->npend; i++)
		if (!ps->v[i]->exited && ps->v[i]->pid > 0 && has_pending(ps, ps->v[i]->pid, false))
			added += scan(ps, ps->v[i]);
	if (!ps->ghosts)
		return added;
	/* orphans: reparented to the keeper, or to a member that is a
	 * subreaper itself */
	struct scan sc = {.whole = false};
	if (!pidinfo_exited(ps->keeper_pidfd))
		sc = scan_process(ps, keeper_dir(ps), ps->keeper);
	added += sc.added;
	bool whole = sc.whole;
	for (size_t i = 0; i < ps->n && ps->ghosts; i++)
		if (!ps->v[i]->exited && ps->v[i]->pid > 0) {
			sc = scan_process(ps, procs_dir(ps->v[i]), ps->v[i]->pid);
			added += sc.added;
			whole = whole && sc.whole;
		}
	/* A ghost's child, alive or a zombie, is a child of the keeper or
	 * of a subreaper member by now (its parent's exit, which made the
	 * ghost, reparented it first), and was adopted above, taking the
	 * ghost with it.  Seen whole, what is left was a child already
	 * reaped: the ghost holds nothing. */
	if (whole && ps->ghosts) {
		ps->mem_total -= ps->ghost_mem.data + ps->ghost_mem.shared;
		ps->ghost_mem = (struct sl_charge){0, 0};
		ps->ghosts = 0;
	}
	return added;
}

/* Drops the entries of processes that have been reaped (their slot is
 * free, and their CPU time is in their parent's children's time). */
/* Decides on the pidfds now, not on the exits the loop has seen so far (a
 * round may answer a notification before it calls back an exit). */
static void drop_reaped(struct sl_procs *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		if (!ps->v[i]->exited && pidinfo_exited(ps->v[i]->pidfd))
			mark_exited(ps, ps->v[i]);
	for (size_t i = 0; i < ps->n;)
		if (ps->v[i]->exited && pidinfo_reaped(ps->v[i]->pidfd))
			ent_remove(ps, i);
		else
			i++;
}

size_t procs_count(struct sl_procs *ps, bool reconcile)
{
	if (reconcile) {
		drop_reaped(ps);
		for (size_t i = 0; i < ps->n; i++) {
			struct sl_pent *e = ps->v[i];
			if (!e->exited && e->pid > 0 && has_pending(ps, e->pid, true))
				scan(ps, e);
		}
		if (ps->ghosts)
			procs_settle(ps);
	}
	return ps->n + ps->npend + ps->ghosts;
}

int procs_fork_pending(struct sl_procs *ps, struct sl_pent *p, pid_t tid, struct sl_charge mem)
{
	if (ps->npend == ps->cappend) {
		size_t cap = ps->cappend ? ps->cappend * 2 : 16;
		struct sl_pending *v = realloc(ps->pend, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ps->pend = v;
		ps->cappend = cap;
	}
	ps->pend[ps->npend++] = (struct sl_pending){p->pid, tid, false, mem};
	ps->mem_total += mem.data + mem.shared;
	procs_note_peaks(ps);
	return 0;
}

static void mark_exited(struct sl_procs *ps, struct sl_pent *e)
{
	e->exited = true;
	ps->threads -= e->threads;
	e->threads = 0;
	ps->mem_total -= e->data_bytes + e->shared_bytes;
	e->data_bytes = e->shared_bytes = 0;
	unwatch(ps, e); /* an exited pidfd stays readable */
	ent_gone(ps, e);
	sl_close(&e->status_fd);
	/* the dirfd stays until the entry is dropped: a zombie's CPU time is
	 * read until its reaper takes it */
	/* its children are reparented away from it: what we had not found
	 * is counted as ghosts until found under the keeper */
	for (size_t i = 0; i < ps->npend;)
		if (ps->pend[i].parent == e->pid) {
			ps->ghosts++;
			ps->ghost_mem.data += ps->pend[i].mem.data;
			ps->ghost_mem.shared += ps->pend[i].mem.shared;
			pending_drop(ps, i);
		} else {
			i++;
		}
}

void procs_exit_seen(struct sl_procs *ps, int pidfd)
{
	for (size_t i = 0; i < ps->n; i++) {
		struct sl_pent *e = ps->v[i];
		if (e->pidfd == pidfd && !e->exited && pidinfo_exited(pidfd))
			mark_exited(ps, e);
	}
}

static size_t signal_from(struct sl_procs *ps, size_t from, int sig)
{
	size_t k = 0;
	for (size_t i = from; i < ps->n; i++)
		if (!ps->v[i]->exited && pidinfo_signal(ps->v[i]->pidfd, sig) == 0)
			k++;
	return k;
}

/* Entries are only appended while signalling (removal happens in
 * procs_count's reconcile), so each pass signals what the settle before
 * it found; a stopped or killed process forks no more, so this ends. */
size_t procs_signal_all(struct sl_procs *ps, int sig)
{
	procs_settle(ps);
	size_t from = 0, k = 0;
	for (int round = 0; round < SIGNAL_ROUNDS; round++) {
		size_t n = ps->n;
		k += signal_from(ps, from, sig);
		from = n;
		if (!procs_settle(ps))
			break;
	}
	return k;
}

size_t procs_signal_group(struct sl_procs *ps, pid_t pgid, int sig)
{
	procs_settle(ps);
	size_t k = 0;
	for (size_t i = 0; i < ps->n; i++)
		if (in_group(ps->v[i], pgid) && pidinfo_signal(ps->v[i]->pidfd, sig) == 0)
			k++;
	return k;
}

/* Clock ticks per second, the unit of stat's CPU times. */
static uint64_t clock_ticks(void)
{
	long hz = sysconf(_SC_CLK_TCK);
	return (uint64_t)(hz > 0 ? hz : 100);
}

/* A member that ran while the sandbox stayed stopped: what it ran adds
 * up over the stop (a count of checks in a row would start again each
 * time it is seen stopped between two resumes), and past
 * PROCS_STOPPED_CPU_MS it is killed and counted in *k. */
static void check_stopped(struct sl_pent *e, uint64_t ran, bool stopped, struct sl_kills *k)
{
	uint64_t max = (uint64_t)PROCS_STOPPED_CPU_MS * clock_ticks() / 1000;
	e->stop_cpu = stopped && !e->exited ? e->stop_cpu + ran : 0;
	if (e->stop_cpu > max && pidinfo_signal(e->pidfd, SIGKILL) == 0) {
		k->n++;
		k->last = e->pid;
		e->stop_cpu = 0;
	}
}

/*
 * CPU the whole sandbox has used, in clock ticks: each unreaped member's
 * own time and its reaped children's (utime + stime + cutime + cstime of
 * its stat, a zombie's too), plus the children's time of the keeper,
 * which reaps orphans.  When a process is reaped its total moves into its
 * reaper's children's time, so nothing is counted twice, and a process
 * the index never saw alive (one that forked, spun and was reaped within
 * the few milliseconds before a scan) is counted through its parent.
 * The reads are not one snapshot: a reaper (the keeper, or an ancestor:
 * read first, the index keeps that order) may be read before it reaps a
 * child whose own read then fails; that child counts with its total as
 * last read, so the sum neither drops nor later comes back twice.
 */
static uint64_t cpu_ticks(struct sl_procs *ps, bool stopped, struct sl_kills *k)
{
	struct sl_pstat st;
	uint64_t t = 0;
	if (keeper_dir(ps) >= 0 && pidinfo_stat_at(ps->keeper_dirfd, &ps->keeper_stat_fd, &st) == 0)
		t += st.cutime + st.cstime;
	for (size_t i = 0; i < ps->n; i++) {
		struct sl_pent *e = ps->v[i];
		if (procs_dir(e) < 0 || pidinfo_stat_at(e->dirfd, &e->stat_fd, &st) != 0) {
			t += e->cpu_total;
			continue;
		}
		uint64_t own = st.utime + st.stime;
		e->cpu_total = own + st.cutime + st.cstime;
		t += e->cpu_total;
		check_stopped(e, e->cpu_seen && own > e->cpu_own ? own - e->cpu_own : 0, stopped,
			      k);
		e->cpu_own = own;
		e->cpu_seen = true;
	}
	return t;
}

int64_t procs_cpu_used(struct sl_procs *ps, bool stopped, struct sl_kills *k)
{
	drop_reaped(ps);
	uint64_t now = cpu_ticks(ps, stopped, k);
	uint64_t used = now > ps->cpu_ticks ? now - ps->cpu_ticks : 0;
	ps->cpu_ticks = now;
	return (int64_t)(used * 1000000ULL / clock_ticks());
}

void procs_cpu_rebase(struct sl_procs *ps)
{
	struct sl_pstat st;
	for (size_t i = 0; i < ps->n; i++) {
		struct sl_pent *e = ps->v[i];
		if (procs_dir(e) >= 0 && pidinfo_stat_at(e->dirfd, &e->stat_fd, &st) == 0) {
			e->cpu_own = st.utime + st.stime;
			e->cpu_seen = true;
		}
	}
}

/* A process the sandbox names that is not in the index yet: a child of a
 * member (or an orphan of the keeper) not found so far. */
static struct sl_pent *adopt_named(struct sl_procs *ps, pid_t pid)
{
	int fd = pidinfo_pidfd_open(pid, 0);
	if (fd < 0)
		return NULL;
	pid_t pp = -1;
	int r = pidinfo_ppid(fd, -1, pid, &pp);
	close(fd);
	if (r < 0 || pp <= 0 || !parent_alive(ps, pp))
		return NULL;
	return adopt_child(ps, pp, pid) > 0 ? live_entry(ps, pid) : NULL;
}

struct sl_pent *procs_member(struct sl_procs *ps, pid_t tid)
{
	if (tid <= 0)
		return NULL;
	struct sl_pent *e = live_entry(ps, tid);
	if (e)
		return procs_live(ps, tid);
	int tfd = pidinfo_pidfd_open(tid, PIDFD_THREAD);
	if (tfd < 0)
		tfd = pidinfo_pidfd_open(tid, 0); /* before thread pidfds: a leader */
	if (tfd < 0)
		return NULL;
	pid_t tgid = -1;
	int r = pidinfo_tgid(tfd, -1, tid, &tgid);
	close(tfd);
	if (r < 0 || tgid <= 0)
		return NULL;
	e = live_entry(ps, tgid);
	if (!e)
		e = adopt_named(ps, tgid);
	return e && !pidinfo_exited(e->pidfd) ? e : NULL;
}

bool procs_can_hold(const struct sl_procs *ps)
{
	int fds[PROCS_FDS_PER_PROCESS];
	int n = 0;
	while (n < PROCS_FDS_PER_PROCESS &&
	       (fds[n] = fcntl(ps->keeper_pidfd, F_DUPFD_CLOEXEC, 3)) >= 0)
		n++;
	bool ok = n == PROCS_FDS_PER_PROCESS;
	while (n > 0)
		close(fds[--n]);
	return ok;
}

/* Reads p's thread count into the sum.  False when it cannot. */
static bool read_threads(struct sl_procs *ps, struct sl_pent *p)
{
	char buf[4096];
	long n = 0;
	int dirfd = procs_dir(p);
	if (p->exited || pidinfo_read_at(dirfd, "status", &p->status_fd, buf, sizeof(buf)) != 0 ||
	    pidinfo_parse_status(buf, "Threads:", &n) != 0 || n <= 0)
		return false;
	ps->threads += (uint64_t)n - p->threads;
	p->threads = (uint32_t)n;
	return true;
}

bool procs_thread_room(struct sl_procs *ps, struct sl_pent *p, uint64_t max)
{
	if (!read_threads(ps, p))
		return false; /* cannot count it: no thread (fail closed) */
	if (ps->threads < max)
		return true;
	/* before denying: the others may have fewer threads than last read
	 * (one that cannot be read keeps its count: an overcount) */
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i] != p)
			read_threads(ps, ps->v[i]);
	return ps->threads < max;
}
