/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feature.h - the seam between the engine and what it enforces.
 *
 * A feature is one module (src/features/) that declares, in one struct,
 * everything it needs from the engine:
 *   - when it is active for a sandbox (active);
 *   - which syscalls the kernel routes to the supervisor for it, with the
 *     register conditions (the notify rules), and the handler each rule's
 *     notifications go to (rules).  The plan compiles the seccomp program
 *     from exactly these rules, and the engine builds its dispatch chains
 *     from them: nothing is listed twice;
 *   - its per-sandbox state (state_size bytes, zeroed, allocated by the
 *     engine, opaque to it) and per-process state (proc_size bytes, one
 *     block per tracked process);
 *   - its hooks: set-up and release, a process gone, a timer, live
 *     control (pause/resume), and a line on why the sandbox ended.
 * Adding a feature is one file and one row in src/features/registry.c.
 *
 * Handlers run on the engine's thread with the supervisor's lock held;
 * their `arg` is the feature's state.  Features see the engine through
 * struct sl_ctx and struct sl_sup (supervisor.h), never the other way.
 */
#ifndef SL_FEATURE_H
#define SL_FEATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "filter.h"
#include "supervisor.h"

struct sandlock_sandbox;
struct sl_netplan;
struct jsonw;
struct cow_branch;

/* What decides which features are active and which rules they need. */
struct sl_feature_env {
	const struct sandlock_sandbox *policy;
	bool tty_jobs; /* the sandbox was handed the terminal (job control) */
	/* the network policy, its names resolved (outlives the sandbox's run) */
	const struct sl_netplan *net;
	/* the kernel's audit records of Landlock's refusals reach the
	 * supervisor (kaudit.h) */
	bool kernel_audit;
	/* a workdir's staged layer (cow.h), at set-up only (NULL when the
	 * policy has none, and while the rules are planned) */
	const struct cow_branch *cow;
	/* with cow, fs_isolation none: the command's own Landlock ruleset
	 * (not taken; -1 otherwise), for the opens the layer makes with the
	 * kernel's decision (cowlayer.c) */
	int ruleset;
};

/* One notify rule and the handler its notifications go to. */
struct sl_frule {
	struct sl_nrule when;
	sl_hfn fn;
};

/* A row of a feature's static rule table: its handler is an index into
 * the feature's list of handlers.  A table of rows holding the handler's
 * address is data the loader relocates at every start of a
 * position-independent program (a page written, so a page fault, about
 * 15 us on a VM, per 4 KiB of table: 18 KB of them once); rows holding an
 * index are read-only data the program's file pages hold. */
struct sl_frow {
	struct sl_nrule when;
	uint32_t h;
};

/* How a sandbox ended, for a feature's note. */
struct sl_end {
	pid_t root;	  /* the command */
	int sig;	  /* the signal that ended it, 0 if it exited */
	bool root_ran;	  /* it made a notified syscall */
	bool timed_out;	  /* the caller's timeout */
	bool user_killed; /* live control */
};

struct sl_feature {
	const char *name;
	/* NULL: always active. */
	bool (*active)(const struct sl_feature_env *env);
	/* Writes the rules, in dispatch order, to out (at most max); returns
	 * how many it needs (the engine counts first: out NULL, max 0).
	 * A rule with no comparison notifies every call of its syscall. */
	size_t (*rules)(const struct sl_feature_env *env, struct sl_frule *out, size_t max);
	/* Or, when the rules never depend on env: a static table (rules NULL;
	 * SL_FRULES(table, handlers) fills the four fields). */
	const struct sl_frow *table;
	size_t n_table;
	const sl_hfn *fns;
	size_t n_fns;
	/* The syscalls of its conditional rules whose handler relies on the
	 * condition: given a call outside it, it would answer wrongly.  A
	 * user handler on one of them (its unconditional rule would widen
	 * the notification to every call) is refused, naming the feature.
	 * Handlers that check their arguments themselves are not listed. */
	const int *exact;
	size_t n_exact;
	size_t state_size; /* per sandbox */
	size_t proc_size;  /* per tracked process */
	/* Set-up while the sandbox starts: 0 or -errno with a message (the
	 * start fails naming the feature).  proc_off locates this feature's
	 * block in a process's state (feature_proc). */
	int (*init)(struct sl_sup *s, void *state, const struct sl_feature_env *env,
		    size_t proc_off);
	/* Also after a failed init (the state is zeroed before it). */
	void (*release)(void *state);
	/* The command's process is known and about to exec (or running):
	 * what the first notification would prepare can be, off its path. */
	void (*attached)(struct sl_sup *s, void *state);
	/* A process left the index (exited, or the sandbox ended): release
	 * what its block holds (fds). */
	void (*proc_gone)(void *state, void *pstate);
	/* The next deadline (monotonic ms, -1 none) and what runs at it.
	 * Called with the supervisor's lock held. */
	int64_t (*next)(struct sl_sup *s, void *state);
	void (*tick)(struct sl_sup *s, void *state, int64_t now_ms);
	/* Live control sent sig to the sandbox (SIGSTOP, SIGCONT, SIGKILL). */
	void (*control)(struct sl_sup *s, void *state, int sig);
	/* What a running sandbox's info (control.h) shows of this feature:
	 * writes ,"key":value members.  Called with the supervisor's lock
	 * held, on the loop's thread. */
	void (*describe)(void *state, struct jsonw *w);
	/* Why the sandbox ended, when this feature caused it: writes one line
	 * and returns true. */
	bool (*note)(const void *state, const struct sl_end *end, char *buf, size_t size);
};

#define SL_FRULES(t, f)                                                                            \
	.table = (t), .n_table = sizeof(t) / sizeof((t)[0]), .fns = (f),                           \
	.n_fns = sizeof(f) / sizeof((f)[0])

/* The features a library build knows, in dispatch order. */
struct sl_feature_set {
	const struct sl_feature *const *v;
	size_t n;
};

/* A process's block of the feature whose init got proc_off. */
static inline void *feature_proc(const struct sl_pent *p, size_t proc_off)
{
	return (char *)p->fstate + proc_off;
}

/* NULL active: always. */
bool feature_is_active(const struct sl_feature *f, const struct sl_feature_env *env);
/* f's rules under env in *out (allocated: the caller frees it; NULL for
 * none), their count in *n.  0, or -E2BIG with a message naming f, or
 * -ENOMEM. */
int feature_rules_of(const struct sl_feature *f, const struct sl_feature_env *env,
		     struct sl_frule **out, size_t *n);

/* Copies a static rule table (a rules() implementation), each row's
 * handler taken from fns (NULL for an index out of it or a hole: the
 * rows are checked by feature_rules_of).  Returns n. */
size_t feature_rows_copy(const struct sl_frow *rows, size_t n, const sl_hfn *fns, size_t n_fns,
			 struct sl_frule *out, size_t max);

/* The notify rules of the active features of set under env, then one
 * unconditional rule per user handler's syscall: a malloc'd array in
 * *out (the caller frees it), its length in *n.  0 or -errno with a
 * message; -EPERM naming the feature when a user handler's syscall is one
 * an active feature lists as exact (struct sl_feature). */
int feature_plan_rules(const struct sl_feature_set *set, const struct sl_feature_env *env,
		       const int *user_nrs, size_t n_user, struct sl_nrule **out, size_t *n);

#endif
