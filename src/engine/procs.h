/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procs.h - the supervisor's index of the sandbox's processes.
 *
 * Every process of the sandbox the supervisor knows is held by a pidfd
 * (and a /proc directory fd bound to it), so signals, accounting and
 * /proc reads never reach a reused pid.  A process enters the index only
 * through facts the kernel establishes, never through anything the
 * process can write about itself (see pidinfo.h):
 *   - the command, by the pidfd it sent itself before exec;
 *   - a notifying thread: only our filter reaches our listener, so the
 *     notifier is a member by construction; its process is resolved with
 *     pidfds and checked against the still-pending notification (a
 *     notifier killed meanwhile, its pid reused, is not registered);
 *   - a child listed in the kernel's children list of a member, or of the
 *     keeper (where every orphan of the sandbox lands), whose parent the
 *     kernel still reports as that member after we hold its pidfd.
 * With the keeper, every process of the sandbox is the child of a member
 * or of the keeper at all times: a process can only be created by a
 * notified fork (its parent then is a member), and an orphan is
 * reparented to the nearest subreaper ancestor, a member or the keeper.
 *
 * Creation accounting (max_processes) is conservative by construction: a
 * fork the supervisor lets through is "pending" until a scan of the
 * parent's children finds the new child (the supervisor scans a few
 * milliseconds after the fork and at the parent's next fork), or, if the
 * child is already gone, until a scan taken after
 * the creating thread left the syscall (its next notification).  A parent
 * that dies with a pending fork leaves a "ghost": its orphan is found at
 * the next scan of the keeper and the members, and counted until then.
 * So the count never undercounts.  A process occupies a slot from its
 * creation until it has exited and been reaped (a zombie still holds a
 * pid, as with cgroup pids.max).
 *
 * Not thread-safe by itself: the supervisor serialises access with its
 * lock (live control signals from other threads).
 */
#ifndef SL_PROCS_H
#define SL_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sl_memref;

struct sl_pent {
	pid_t pid;	       /* thread-group id */
	int pidfd;	       /* -1 once reaped */
	int dirfd;	       /* /proc/<pid>, bound to this process (procs_dir) */
	void *fstate;	       /* the features' per-process blocks (feature.h) */
	void *watch_ev;	       /* its pidfd's registration in the loop */
	bool fgone;	       /* the features let go of their blocks */
	int stat_fd;	       /* <dirfd>/stat, opened on first use */
	int status_fd;	       /* <dirfd>/status, opened on first use */
	bool exited;	       /* pidfd became readable */
	uint64_t data_bytes;   /* last kernel-reported private data + stack */
	uint64_t shared_bytes; /* shared anonymous mappings charged */
	uint64_t cpu_own;      /* its own CPU time at the last check (ticks) */
	uint64_t cpu_total;    /* and with its reaped children's (ticks) */
	uint64_t stop_cpu;     /* ticks it ran while the sandbox stayed stopped */
	bool cpu_seen;	       /* cpu_own was read */
	uint32_t threads;      /* its threads, as last read (1 until then) */
};

/* Memory charged for a process not read yet: its copy-on-write data and
 * the shared mappings it inherited (max_memory). */
struct sl_charge {
	uint64_t data, shared;
};

struct sl_pending {
	pid_t parent, tid;
	bool complete;	      /* tid has left the syscall (made another one) */
	struct sl_charge mem; /* charged for the child */
};

struct sl_tidc {
	pid_t tid, tgid;
	int pidfd; /* thread pidfd: readable once the thread exits */
};

#define PROCS_TID_CACHE 32
#define PROCS_SCAN_BUF	(64 * 1024)	  /* the children lists' buffer, to start with */
#define PROCS_SCAN_MAX	(4 * 1024 * 1024) /* one children list at most (twice) */

struct sl_procs {
	struct sl_pent **v; /* stable pointers: entries never move */
	size_t n, cap;
	struct sl_pending *pend;
	size_t npend, cappend;
	uint32_t ghosts;
	struct sl_charge ghost_mem; /* charged for the ghosts' children */
	struct sl_tidc tidc[PROCS_TID_CACHE];
	size_t tidc_next;
	/* the keeper: orphans are its children */
	pid_t keeper;
	int keeper_pidfd, keeper_dirfd, keeper_stat_fd;
	char *scan_buf; /* scan_cap bytes, allocated on first scan */
	size_t scan_cap;
	/* the features' per-process state: one zeroed block of fstate_size
	 * bytes per entry; gone() lets a process's block go (exit, release) */
	size_t fstate_size;
	void (*gone)(void *arg, struct sl_pent *e);
	void *gone_arg;
	/* the loop watches a live entry's pidfd: on when it enters, off when
	 * its exit is seen or it is dropped */
	void (*watch)(void *arg, struct sl_pent *e, bool on);
	void *watch_arg;
	/* the memory charged to the processes (max_memory) */
	uint64_t mem_total;
	/* the most processes counted and memory charged at once (learn) */
	size_t peak_procs;
	uint64_t peak_mem;
	uint64_t cpu_ticks; /* the sandbox's CPU time at the last check */
	uint64_t threads;   /* the live entries' threads, as last read */
};

void procs_init(struct sl_procs *ps);

/* Raises the peaks to the current count and charge: after a fork is
 * counted and after memory is charged. */
static inline void procs_note_peaks(struct sl_procs *ps)
{
	size_t n = ps->n + ps->npend + ps->ghosts; /* procs_count's */
	if (n > ps->peak_procs)
		ps->peak_procs = n;
	if (ps->mem_total > ps->peak_mem)
		ps->peak_mem = ps->mem_total;
}
/* Sets the per-process feature block size and its release hook, before
 * the first process enters (procs_release keeps them). */
void procs_set_features(struct sl_procs *ps, size_t size, void (*gone)(void *, struct sl_pent *),
			void *arg);
void procs_release(struct sl_procs *ps);

/* Adds the command and the keeper (pidfds duplicated).  0 or -errno. */
int procs_add_root(struct sl_procs *ps, pid_t pid, int pidfd, pid_t keeper, int keeper_pidfd);

/* The process of the notifying thread n->pid, registering it if new.
 * Marks the thread's pending forks complete.  NULL when it cannot be
 * resolved (the thread died meanwhile, or out of memory). */
struct sl_pent *procs_notifier(struct sl_procs *ps, const struct sl_memref *n);

/* The live member containing thread tid, or NULL: a thread of a member,
 * or of a child of a member not found yet (registered now).  For checks
 * on a pid the sandbox names. */
struct sl_pent *procs_member(struct sl_procs *ps, pid_t tid);

/* Registers every child of p (all its threads' children lists) and drops
 * p's pending forks that are complete. */
void procs_scan(struct sl_procs *ps, struct sl_pent *p);

/* Scans every live process with pending forks and, while there are
 * ghosts, the keeper and every member (the supervisor calls it shortly
 * after a fork, so a child that never makes a notified syscall is still
 * tracked).  Returns how many processes it registered. */
size_t procs_settle(struct sl_procs *ps);

/* Slots in use: unreaped tracked processes + pending forks + ghosts.
 * With reconcile, first drops reaped entries and scans parents with
 * complete pending forks (costly: only near the cap). */
size_t procs_count(struct sl_procs *ps, bool reconcile);

/* Records a fork let through for thread tid of process p, charging mem
 * (added to mem_total) for the child.  0 or -ENOMEM. */
int procs_fork_pending(struct sl_procs *ps, struct sl_pent *p, pid_t tid, struct sl_charge mem);

/* Sets the loop's watch of the entries' pidfds (kept by procs_release). */
void procs_set_watch(struct sl_procs *ps, void (*watch)(void *, struct sl_pent *, bool), void *arg);

/* The loop saw pidfd readable: if it is a live entry's and the process
 * has exited (checked now), marks it exited, converts its pending forks
 * into ghosts and takes its memory out of mem_total. */
void procs_exit_seen(struct sl_procs *ps, int pidfd);

/* Sends sig through the pidfd of every live member, after settling (so a
 * child forked just before is found and signalled too).  Returns how
 * many were signalled. */
size_t procs_signal_all(struct sl_procs *ps, int sig);

/* Sends sig to every live member whose process group is pgid (read
 * through its bound /proc directory).  Returns how many. */
size_t procs_signal_group(struct sl_procs *ps, pid_t pgid, int sig);

/* Room for one more thread in process p: the sandbox's threads (p's
 * count read now, the others' as last read: it can only overcount) stay
 * under max.  Threads are tasks with pids of their own: without a bound
 * a sandbox could take the host's whole pid space. */
bool procs_thread_room(struct sl_procs *ps, struct sl_pent *p, uint64_t max);

/* Processes the supervisor killed for a limit. */
struct sl_kills {
	uint32_t n;
	pid_t last;
};

/* CPU time (us) the sandbox used since the previous call: its processes'
 * and their reaped children's, from the kernel's accounting (see
 * procs.c).  With stopped (the sandbox stayed stopped since the previous
 * call), a member that has run more than PROCS_STOPPED_CPU_MS since the
 * stop began is killed and counted in *k: something resumes it behind the
 * stop (a SIGCONT timer), and a stop that does not hold is no limit.  (A
 * process finishing a long system call after SIGSTOP runs a little
 * while stopped too: the bound leaves room for that.) */
#define PROCS_STOPPED_CPU_MS 100
int64_t procs_cpu_used(struct sl_procs *ps, bool stopped, struct sl_kills *k);
/* Takes each member's CPU time as the start of what it runs while
 * stopped (right after a SIGSTOP went out): procs_cpu_used's last reading
 * came before the stop, and what a member ran between the two is not
 * running behind it (an overloaded host may take long between them). */
void procs_cpu_rebase(struct sl_procs *ps);

/* The entry's /proc directory, opened on first use and proven to be the
 * process's (pidinfo_open_dir); -1 once it has been reaped. */
int procs_dir(struct sl_pent *e);

/* True when the supervisor can open the fds one more process needs (its
 * pidfd, /proc directory, its stat, statm and status kept open, a
 * children list during a scan): a fork it could not track must not
 * happen (fail closed). */
#define PROCS_FDS_PER_PROCESS 6
bool procs_can_hold(const struct sl_procs *ps);

/* The entry of pid if its process has not exited, as its pidfd says now
 * (not the loop's last poll: a pid reaped and reused meanwhile is not
 * ours).  NULL if none. */
struct sl_pent *procs_live(struct sl_procs *ps, pid_t pid);
/* True when a live member is in process group pgid (a group of the
 * sandbox: no member can join a group outside it, xproc.c). */
bool procs_has_group(struct sl_procs *ps, pid_t pgid);
/* True when the member pid has not exec'd since it was forked (the
 * kernel's PF_FORKNOEXEC): the command, still sandlock's own code in the
 * host's address space or a copy of it.  False when it cannot be read. */
bool procs_exec_pending(struct sl_procs *ps, pid_t pid);

#endif
