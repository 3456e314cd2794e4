/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supervisor.h - the seccomp user-notification engine.
 *
 * One dispatch table maps a syscall number to an ordered chain of
 * handlers: the builtins of the active features first, the user's handlers
 * last.  The first handler answering something else than CONTINUE wins;
 * if every handler continues, the syscall continues.  A syscall without a
 * chain (none should reach us) is denied with EPERM, and every error path
 * of a handler ends in an errno: the engine fails closed.
 *
 * Handlers are classified (a comment at each says which):
 *   register-only  decides on seccomp_data registers and kernel-reported
 *                  facts (/proc, pidfds), then may CONTINUE: nothing the
 *                  child can change after the decision matters;
 *   emulate        performs the call itself and writes the result into
 *                  the child, or injects an fd it opened
 *                  (SECCOMP_ADDFD_FLAG_SEND); it never CONTINUEs after
 *                  reading a pointer argument (another thread
 *                  could rewrite it before the kernel reads it again);
 *   deny           answers with an errno.
 *
 * Threads: the engine runs on one thread (the supervisor thread, or the
 * caller's in inline mode).  `lock` guards the process index and the
 * paused flag against live control (pause/resume/kill) from other threads.
 */
#ifndef SL_SUPERVISOR_H
#define SL_SUPERVISOR_H

#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "denials.h"
#include "kaudit.h"
#include "mem.h"
#include "policy.h"
#include "procs.h"

#define SL_NR_MAX   512 /* syscall numbers the engine can dispatch */
#define SL_MAX_HELD 256

/* A held notification (a copy), and when it is offered again. */
struct sl_held {
	struct seccomp_notif *req;
	int64_t due;	  /* monotonic ms */
	int wait_fd;	  /* offered again once writable (the hold's fd), or -1 */
	struct sl_ev *ev; /* wait_fd's registration in the loop */
};

enum sl_act_kind {
	SL_ACT_CONTINUE,
	SL_ACT_ERRNO,	    /* val = errno (positive) */
	SL_ACT_RETURN,	    /* val = return value */
	SL_ACT_INJECT_SEND, /* fd (ours, closed after) installed as the result */
	SL_ACT_HOLD,	    /* no answer now: re-offered to the chain later */
	SL_ACT_KILL,	    /* sig to process group pgid, then ENOMEM */
};

struct sl_action {
	enum sl_act_kind kind;
	int64_t val;
	/* SL_ACT_INJECT_SEND: the fd injected; SL_ACT_HOLD: an fd of ours
	 * (the engine takes it) whose writability may lift the hold, so the
	 * call is offered again at once rather than at the next retry, or -1 */
	int fd;
	uint32_t fd_flags; /* O_CLOEXEC for the injected fd */
	/* SL_ACT_INJECT_SEND: installed as this number (SECCOMP_ADDFD_FLAG_SETFD:
	 * whatever the child had there is closed), not the lowest free */
	bool setfd;
	int newfd;
	int sig;
	pid_t pgid;
	bool installed; /* SL_ACT_INJECT_SEND: set by the engine once the fd is the child's */
};

/* The answers a builtin or a handler gives (no fd: only an injection
 * carries one). */
static inline struct sl_action sl_act_errno(int err)
{
	return (struct sl_action){.kind = SL_ACT_ERRNO, .val = err, .fd = -1};
}

static inline struct sl_action sl_act_return(int64_t val)
{
	return (struct sl_action){.kind = SL_ACT_RETURN, .val = val, .fd = -1};
}

static inline struct sl_action sl_act_continue(void)
{
	return (struct sl_action){.kind = SL_ACT_CONTINUE, .fd = -1};
}

/* An open made for the child: fd (ours, handed over) injected as the
 * call's result, close-on-exec as the open's flags ask, or -errno. */
static inline struct sl_action sl_act_opened(long fd, uint64_t open_flags)
{
	if (fd < 0)
		return sl_act_errno((int)-fd);
	return (struct sl_action){.kind = SL_ACT_INJECT_SEND,
				  .fd = (int)fd,
				  .fd_flags = (open_flags & O_CLOEXEC) ? O_CLOEXEC : 0};
}

struct seccomp_notif;
struct seccomp_notif_resp;
struct sl_sup;

/* What a handler sees of one notification. */
struct sl_ctx {
	struct sl_sup *sup;
	const struct seccomp_notif *req;
	struct sl_pent *proc; /* the notifier's process (never NULL) */
	struct sl_memref mem;
	bool reoffer; /* a held notification offered again */
	/* deferred effects, applied only if the final answer lets the
	 * syscall run */
	bool fork_commit;
	struct sl_charge fork_charge; /* the new process's memory */
	uint64_t data_charge;	      /* until the process's next refresh */
	uint64_t shared_charge;
	uint64_t sysv_charge;
	/* Called once the answer is given, by the handler whose injection
	 * it is: installed false when the fd could not be handed over (the
	 * child's fd table full, the child gone) or the answer was no
	 * injection, so that what the handler made for it can be taken
	 * back.  It frees arg. */
	void (*injected)(struct sl_ctx *c, bool installed, void *arg);
	void *injected_arg;
};

typedef void (*sl_hfn)(struct sl_ctx *c, struct sl_action *a, void *arg);

struct sl_link {
	sl_hfn fn;
	void *arg;
};

struct sl_chain {
	struct sl_link *v;
	size_t n;
};

/* A user handler to put at the end of a chain. */
struct sl_user_link {
	int nr;
	sl_hfn fn;
	void *arg;
};

struct sl_feature;
struct sl_feature_set;
struct sl_end;

struct sl_evloop;
struct cow_branch;
struct sl_ev;
struct onbehalf;
struct sl_netplan;

struct sl_sup_cfg {
	struct sl_evloop *loop; /* where the engine registers its fds and timers */
	const struct sandlock_sandbox *policy;
	const char *name; /* outlives the engine */
	const struct sl_feature_set *features;
	bool tty_jobs;		      /* the sandbox was handed the terminal */
	const struct sl_netplan *net; /* outlives the engine */
	const struct sl_user_link *user;
	size_t n_user;
	/* with kernel_audit, the audit socket (kaudit.h), taken */
	bool kernel_audit;
	int kaudit_fd;
	const struct cow_branch *cow; /* a workdir's staged layer, or NULL */
	int ruleset;		      /* feature.h's env->ruleset (not taken), or -1 */
};

/* An active feature: its state (handlers' arg) and where its block is in
 * each process's state. */
struct sl_fslot {
	const struct sl_feature *f;
	void *state;
	size_t proc_off;
};

/* The processes a started sandbox begins with. */
struct sl_sup_root {
	pid_t pid;	  /* the command */
	int pidfd;	  /* duplicated */
	pid_t keeper;	  /* the keeper */
	int keeper_pidfd; /* duplicated */
};

struct sl_sup {
	int listener;
	int wake_fd; /* eventfd: live control wakes the loop (timers changed) */
	struct sl_evloop *loop;
	struct sl_ev *listener_ev, *wake_ev;
	bool timer_on; /* registered as a timer source */
	pthread_mutex_t lock;
	bool lock_init;
	bool paused;	       /* by live control: a stop must not be lifted */
	const char *name;      /* the sandbox's */
	pid_t root_pgid;       /* the command's process group (and its pid) */
	bool root_ran;	       /* the command made a notified syscall */
	bool root_execd;       /* the command has exec'd (PF_FORKNOEXEC gone) */
	struct sl_fslot *feat; /* the active features, in dispatch order */
	size_t nfeat;
	struct onbehalf *ob; /* the tenants' shared on-behalf core (onbehalf_get) */
	unsigned ob_refs;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	size_t req_size, resp_size;
	/* the handler chains: nr's is chains[chain_ix[nr] - 1] (0: none);
	 * an index rather than a chain per number, whose 8 KB every start
	 * touched */
	uint16_t chain_ix[SL_NR_MAX];
	struct sl_chain *chains;
	size_t nchains, chains_cap;
	struct sl_procs procs;
	int64_t settle_at, settle_delay; /* next scan for forks' children */
	struct sl_held *held;
	size_t nheld;
	int64_t held_retry_ms;	   /* the earliest held one's due time (monotonic ms) */
	struct sl_denials denials; /* what it refused (denials.h) */
	struct kaudit *kaudit;	   /* Landlock's refusals, when audit is read (else NULL) */
	struct sl_ev *kaudit_ev;
};

/* Prepares the engine (buffers, the active features' states and chains):
 * done while the sandbox starts.  0 or -errno with a message naming the
 * feature that failed (released on failure). */
int supervisor_init(struct sl_sup *s, const struct sl_sup_cfg *cfg);
/* Takes ownership of listener (closed by supervisor_release, also on
 * failure), starts the index with the command and the keeper, and
 * registers the listener, the wake fd, every tracked pidfd and the
 * timers in the loop.  0 or -errno with a message; supervisor_release()
 * either way. */
int supervisor_attach(struct sl_sup *s, int listener, const struct sl_sup_root *root);
/* Closes the listener: the kernel then fails every pending and future
 * notified syscall with ENOSYS (fail closed).  Also done by the loop when
 * the listener fails or hangs up. */
void supervisor_detach(struct sl_sup *s);
/* Takes everything out of the loop and frees the engine (the loop itself
 * is its owner's). */
void supervisor_release(struct sl_sup *s);
/* The sandbox ended: the kernel's last audit records, read (a few ms at
 * most; nothing without kernel_audit). */
void supervisor_audit_drain(struct sl_sup *s);

/* Receives one notification and answers it (or holds it).  0, or -errno
 * when the listener is gone. */
int supervisor_handle_one(struct sl_sup *s);

/* Live control: sig to every process of the index (procs_signal_all).
 * SIGSTOP/SIGCONT also set/clear the paused flag. */
void supervisor_signal(struct sl_sup *s, int sig);

/* Timers (the features', held retries, the fork settle): the next
 * deadline in monotonic ms (-1 none); supervisor_tick() runs what is
 * due. */
int64_t supervisor_next_timer(struct sl_sup *s);
void supervisor_tick(struct sl_sup *s, int64_t now_ms);

/* The command while it has not exec'd (parked at the gate, or on its
 * way), else 0: its address space is still the host's or a copy of it,
 * not the sandbox's.  Caller holds the lock. */
pid_t supervisor_unstarted_root(struct sl_sup *s);

/* How many handlers nr's chain holds (0: nr is answered EPERM). */
size_t supervisor_chain_len(const struct sl_sup *s, int nr);

/* The state of feature f in this sandbox (what its handlers get as arg),
 * or NULL when f is not active: how one feature reaches another's (the
 * engine names none).  The caller knows f's state type and how it may be
 * used from its thread. */
void *supervisor_feature_state(struct sl_sup *s, const struct sl_feature *f);

/* Records that the notified call of c was refused with err: target is
 * what it named, rule what refused it and the flag that would allow it
 * (denials.h).  Any thread (the on-behalf workers record too). */
void supervisor_denied(struct sl_ctx *c, int err, const char *target, const char *rule);
/* The same seen by another (source: a static string, denials.h). */
void supervisor_denied_by(struct sl_ctx *c, const char *source, int err, const char *target,
			  const char *rule);
/* A running sandbox's live state as ,"key":value members (control.h):
 * state (running, paused), processes, memory_charged, and what the
 * features describe. */
struct jsonw;
void supervisor_describe(struct sl_sup *s, struct jsonw *w);
/* The first active feature's line on why the sandbox ended (false: none). */
bool supervisor_note(struct sl_sup *s, const struct sl_end *end, char *buf, size_t size);

#endif
