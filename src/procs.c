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

#include "util.h"

#ifndef PIDFD_THREAD /* Linux 6.9 */
#define PIDFD_THREAD O_EXCL
#endif

static int pidfd_open_flags(pid_t pid, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

/* A pidfd is readable once its process (or thread) has exited. */
static bool pidfd_exited(int pidfd)
{
	struct pollfd p = {pidfd, POLLIN, 0};
	return poll(&p, 1, 0) > 0;
}

/* Reaped: the pid is gone (a zombie still accepts signal 0). */
static bool pidfd_reaped(int pidfd)
{
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0U) < 0 && errno == ESRCH;
}

void procs_init(struct sl_procs *ps)
{
	*ps = (struct sl_procs){0};
	for (size_t i = 0; i < PROCS_TID_CACHE; i++)
		ps->tidc[i].pidfd = -1;
}

static void ent_free(struct sl_pent *e)
{
	sl_close(&e->pidfd);
	sl_close(&e->statm_fd);
	free(e);
}

void procs_release(struct sl_procs *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		ent_free(ps->v[i]);
	for (size_t i = 0; i < PROCS_TID_CACHE; i++)
		sl_close(&ps->tidc[i].pidfd);
	free(ps->v);
	free(ps->pend);
	procs_init(ps);
}

struct sl_pent *procs_find(struct sl_procs *ps, pid_t pid)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i]->pid == pid)
			return ps->v[i];
	return NULL;
}

/* Takes ownership of pidfd. */
static struct sl_pent *ent_add(struct sl_procs *ps, pid_t pid, int pidfd, bool exited)
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
	if (!e) {
		close(pidfd);
		return NULL;
	}
	*e = (struct sl_pent){.pid = pid, .pidfd = pidfd, .statm_fd = -1, .exited = exited};
	ps->v[ps->n++] = e;
	return e;
}

static void ent_remove(struct sl_procs *ps, size_t i)
{
	ent_free(ps->v[i]);
	ps->v[i] = ps->v[--ps->n];
}

int procs_add_root(struct sl_procs *ps, pid_t pid, int pidfd)
{
	int fd = fcntl(pidfd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	return ent_add(ps, pid, fd, false) ? 0 : -ENOMEM;
}

/* Reads a small /proc file into buf (NUL-terminated).  Length or -errno. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t r = read(fd, buf, size - 1);
	int e = errno;
	close(fd);
	if (r < 0)
		return -e;
	buf[r] = 0;
	return r;
}

/* The field after "Tgid:" / "PPid:" in /proc/<pid>/status, or -1. */
static pid_t status_field(pid_t pid, const char *key)
{
	char path[48], buf[1536];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	const char *s = strstr(buf, key);
	return s ? (pid_t)strtol(s + strlen(key), NULL, 10) : -1;
}

static void pending_remove(struct sl_procs *ps, size_t i)
{
	ps->pend[i] = ps->pend[--ps->npend];
}

/* A newly found child is the product of one of its parent's pending
 * forks: that unit moves from pending to tracked.  A complete pending
 * goes first: an incomplete one may still be creating its child (dropping
 * it could undercount; dropping a complete one can only overcount until
 * the next scan).  False if the parent had none. */
static bool settle_one(struct sl_procs *ps, pid_t parent)
{
	size_t pick = ps->npend;
	for (size_t i = 0; i < ps->npend; i++)
		if (ps->pend[i].parent == parent && (pick == ps->npend || ps->pend[i].complete))
			pick = i;
	if (pick == ps->npend)
		return false;
	pending_remove(ps, pick);
	return true;
}

/* A process nobody registered showed up at a notification: it is the
 * product of a pending fork of its parent, or else of a ghost (its
 * parent died before it was found). */
static void consume_origin(struct sl_procs *ps, pid_t pid)
{
	if (!settle_one(ps, status_field(pid, "PPid:")) && ps->ghosts)
		ps->ghosts--;
}

static struct sl_pent *register_process(struct sl_procs *ps, pid_t pid)
{
	int fd = pidfd_open_flags(pid, 0);
	if (fd < 0)
		return NULL;
	consume_origin(ps, pid);
	return ent_add(ps, pid, fd, false);
}

/* tid -> tgid through the cache of thread pidfds (a cached thread that
 * has exited may have had its tid reused: re-resolve). */
static pid_t tid_to_tgid(struct sl_procs *ps, pid_t tid)
{
	for (size_t i = 0; i < PROCS_TID_CACHE; i++) {
		struct sl_tidc *c = &ps->tidc[i];
		if (c->pidfd >= 0 && c->tid == tid) {
			if (!pidfd_exited(c->pidfd))
				return c->tgid;
			sl_close(&c->pidfd);
		}
	}
	pid_t tgid = status_field(tid, "Tgid:");
	if (tgid <= 0 || tgid == tid)
		return tgid;
	struct sl_tidc *c = &ps->tidc[ps->tidc_next++ % PROCS_TID_CACHE];
	sl_close(&c->pidfd);
	*c = (struct sl_tidc){tid, tgid, pidfd_open_flags(tid, PIDFD_THREAD)};
	return tgid;
}

static void mark_complete(struct sl_procs *ps, pid_t tid)
{
	for (size_t i = 0; i < ps->npend; i++)
		if (ps->pend[i].tid == tid)
			ps->pend[i].complete = true;
}

/* The loop polls every tracked pidfd and records exits before it reads
 * the next notification, so the flag is current; a pid would have to be
 * reaped and handed to a new sandbox process between that poll and the
 * receive for it to lie (and then accounting errs towards denial). */
static bool ent_live(const struct sl_pent *e)
{
	return !e->exited;
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

struct sl_pent *procs_notifier(struct sl_procs *ps, pid_t tid)
{
	mark_complete(ps, tid);
	/* The notifier is alive (blocked in the syscall), so an exited entry
	 * of the same pid means the pid was reused. */
	struct sl_pent *e = procs_find(ps, tid);
	if (e && ent_live(e))
		return e;
	if (e)
		retire(ps, e);
	pid_t tgid = tid_to_tgid(ps, tid);
	if (tgid <= 0)
		return NULL;
	if (tgid != tid) {
		e = procs_find(ps, tgid);
		if (e && ent_live(e))
			return e;
		if (e)
			retire(ps, e);
	}
	return register_process(ps, tgid);
}

/* Registers child c of parent, checking after pidfd_open that c is still
 * the parent's child (a pid reaped and reused meanwhile is not). */
static void adopt_child(struct sl_procs *ps, pid_t parent, pid_t c)
{
	if (procs_find(ps, c))
		return;
	int fd = pidfd_open_flags(c, 0);
	if (fd < 0)
		return;
	if (status_field(c, "PPid:") != parent) {
		close(fd);
		return;
	}
	if (ent_add(ps, c, fd, pidfd_exited(fd)))
		settle_one(ps, parent);
}

static void scan_children_file(struct sl_procs *ps, pid_t pid, const char *tid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/task/%s/children", (int)pid, tid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return;
	for (char *s = buf, *end; *s; s = end) {
		long c = strtol(s, &end, 10);
		if (end == s)
			break;
		if (c > 0)
			adopt_child(ps, pid, (pid_t)c);
	}
}

static bool has_pending(const struct sl_procs *ps, pid_t pid)
{
	for (size_t i = 0; i < ps->npend; i++)
		if (ps->pend[i].parent == pid)
			return true;
	return false;
}

void procs_scan(struct sl_procs *ps, struct sl_pent *p)
{
	pid_t pid = p->pid;
	if (!has_pending(ps, pid))
		return; /* every child it made is already known */
	char path[48];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			scan_children_file(ps, pid, de->d_name);
	closedir(d);
	/* what is left and complete made a child that is already gone */
	for (size_t i = 0; i < ps->npend;)
		if (ps->pend[i].parent == pid && ps->pend[i].complete)
			pending_remove(ps, i);
		else
			i++;
}

void procs_settle(struct sl_procs *ps)
{
	for (size_t i = 0; i < ps->n && ps->npend; i++)
		if (!ps->v[i]->exited && ps->v[i]->pid > 0)
			procs_scan(ps, ps->v[i]);
}

static bool has_complete_pending(const struct sl_procs *ps, pid_t pid)
{
	for (size_t i = 0; i < ps->npend; i++)
		if (ps->pend[i].parent == pid && ps->pend[i].complete)
			return true;
	return false;
}

size_t procs_count(struct sl_procs *ps, bool reconcile)
{
	if (reconcile) {
		for (size_t i = 0; i < ps->n;) {
			struct sl_pent *e = ps->v[i];
			if (e->exited && pidfd_reaped(e->pidfd)) {
				ent_remove(ps, i);
				continue;
			}
			if (!e->exited && e->pid > 0 && has_complete_pending(ps, e->pid))
				procs_scan(ps, e);
			i++;
		}
	}
	return ps->n + ps->npend + ps->ghosts;
}

int procs_fork_pending(struct sl_procs *ps, struct sl_pent *p, pid_t tid)
{
	if (ps->npend == ps->cappend) {
		size_t cap = ps->cappend ? ps->cappend * 2 : 16;
		struct sl_pending *v = realloc(ps->pend, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ps->pend = v;
		ps->cappend = cap;
	}
	ps->pend[ps->npend++] = (struct sl_pending){p->pid, tid, false};
	return 0;
}

static void mark_exited(struct sl_procs *ps, struct sl_pent *e)
{
	e->exited = true;
	ps->mem_total -= e->data_bytes + e->shared_bytes;
	e->data_bytes = e->shared_bytes = 0;
	sl_close(&e->statm_fd);
	/* its children were reparented away from us: what we had not found
	 * stays counted as ghosts */
	for (size_t i = 0; i < ps->npend;)
		if (ps->pend[i].parent == e->pid) {
			pending_remove(ps, i);
			ps->ghosts++;
		} else {
			i++;
		}
}

void procs_reap_events(struct sl_procs *ps, const struct pollfd *pfd, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (!pfd[k].revents)
			continue;
		for (size_t i = 0; i < ps->n; i++)
			if (ps->v[i]->pidfd == pfd[k].fd && !ps->v[i]->exited)
				mark_exited(ps, ps->v[i]);
	}
}

size_t procs_pollfds(const struct sl_procs *ps, struct pollfd *pfd, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < ps->n && k < max; i++)
		if (!ps->v[i]->exited)
			pfd[k++] = (struct pollfd){ps->v[i]->pidfd, POLLIN, 0};
	return k;
}

size_t procs_signal_all(const struct sl_procs *ps, int sig)
{
	size_t k = 0;
	for (size_t i = 0; i < ps->n; i++)
		if (!ps->v[i]->exited &&
		    syscall(SYS_pidfd_send_signal, ps->v[i]->pidfd, sig, NULL, 0U) == 0)
			k++;
	return k;
}

int64_t procs_cpu_used(struct sl_procs *ps)
{
	int64_t used = 0;
	for (size_t i = 0; i < ps->n; i++) {
		struct sl_pent *e = ps->v[i];
		clockid_t clk;
		struct timespec ts;
		if (e->exited || e->pid <= 0 || clock_getcpuclockid(e->pid, &clk) != 0 ||
		    clock_gettime(clk, &ts) != 0)
			continue;
		uint64_t ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
		if (ns > e->cpu_ns)
			used += (int64_t)((ns - e->cpu_ns) / 1000);
		e->cpu_ns = ns;
	}
	return used;
}
