/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan.h - everything the child needs, prepared in the parent.
 *
 * plan_build() does all the allocating, parsing, path lookup, Landlock
 * ruleset building and BPF compiling before fork; child.c then only reads
 * the plan and makes raw, async-signal-safe syscalls (the library may live
 * in a threaded host, where only those are safe after fork).
 */
#ifndef SL_PLAN_H
#define SL_PLAN_H

#include <linux/filter.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "keeper.h"
#include "netplan.h"
#include "overlay.h"
#include "policy.h"

/* Steps of the child sequence, reported with an errno when one
 * fails.  SL_STEP_READY carries the listener fd number instead. */
enum sl_step {
	SL_STEP_READY = 0,
	SL_STEP_STDIO,
	SL_STEP_SETPGID,
	SL_STEP_PDEATHSIG,
	SL_STEP_PARENT_GONE,
	SL_STEP_PERSONALITY,
	SL_STEP_AFFINITY,
	SL_STEP_THP,
	SL_STEP_RLIMIT_CORE,
	SL_STEP_RLIMIT_DATA,
	SL_STEP_CHDIR,
	SL_STEP_NO_NEW_PRIVS,
	SL_STEP_LANDLOCK,
	SL_STEP_SECCOMP,
	SL_STEP_RLIMIT_NOFILE,
	SL_STEP_SUBREAPER,
	SL_STEP_CLONE,
	SL_STEP_PIDFD,
	SL_STEP_RLIMIT_STACK,
	SL_STEP_SECUREBITS,
	SL_STEP_CAPBSET,
	SL_STEP_CAP_AMBIENT,
	SL_STEP_CAPSET,
	SL_STEP_RLIMIT_RTPRIO,
	SL_STEP_RLIMIT_NICE,
	SL_STEP_CHILDREN_LIST,
	SL_STEP_EXEC,	      /* after READY: the exec failed (value: errno) */
	SL_STEP_COURIER,      /* the thread that hands over the listener (child.c) */
	SL_STEP_USERNS,	      /* fs_isolation overlayfs: the namespaces (overlay.h) */
	SL_STEP_OVERLAY,      /* ... the overlay's mount */
	SL_STEP_OVERLAY_RULE, /* ... the Landlock rule on the overlay's root */
	SL_STEP__COUNT
};

/* One message on the status socket.  Child -> parent: SL_STEP_READY
 * carries the child's pid, and two fds as SCM_RIGHTS: the listener and a
 * pidfd of the child itself; the others carry an errno.  Parent -> child,
 * once: SL_STEP_READY with the Landlock ruleset as SCM_RIGHTS (the
 * ruleset is built while the child sets itself up, spawn.h). */
struct sl_child_msg {
	int32_t step;
	int32_t value;
};

struct sl_plan {
	/* exec: argv and envp as NULL-terminated arrays, the candidate paths
	 * of a PATH lookup (tried in order, execvp-style). */
	struct sl_strv argv, envp, exec_paths;
	/* a workdir with fs_isolation none: the read grants with the
	 * workdir and its upper (cowrules.h), else empty */
	struct sl_strv cow_read;
	/* and the workdir, which the ruleset gives no right at all (the
	 * branch's: not freed here) */
	const char *cow_hidden;

	/* child steps */
	char *cwd;
	struct sock_fprog prog;
	int landlock_abi;
	uint32_t landlock_skip; /* protections left out (landlock.h) */
	/* the host thread's CPUs: the keeper starts on the others than the
	 * one it is cloned from (spawn.c); it and the child go back to all */
	cpu_set_t home_cpus;
	bool have_home;
	/* the ruleset is built after the keeper starts, on another CPU */
	bool overlap;
	cpu_set_t cpus;
	bool set_cpus;
	bool no_aslr, no_thp, no_core, take_tty;
	uint32_t landlock_flags;  /* landlock_restrict_self()'s */
	bool gated;		  /* park at the release gate until started */
	bool share_vm;		  /* the keeper clones the child CLONE_VM | CLONE_VFORK */
	bool keep_perm;		  /* the child keeps its permitted set until exec (privdrop.h) */
	bool set_nofile, set_mem; /* set_mem: RLIMIT_DATA and RLIMIT_STACK */
	uint64_t nofile, mem_limit;
	/* max_open_files above the hard limit (we may raise it): the hard
	 * limit is raised to nofile before the capabilities are dropped,
	 * the soft one (nofile_cur until then) after the filter */
	bool raise_nofile;
	uint64_t nofile_cur;
	pid_t parent_pid;
	const struct sl_netplan *net; /* the caller's (plan_mode) */
	sigset_t child_mask;	      /* signal mask to exec with */
	/* what the child does differently for a policy that denies a
	 * syscall it would make after its filter (plan_build): exec with
	 * execveat, wait at the gate with recvfrom, restore the signal mask
	 * before the filter */
	bool exec_at, gate_recvfrom, early_mask;

	/* fs_isolation overlayfs: the mount the child makes (overlay.h) */
	struct sl_overlay ovl;

	/* the keeper (keeper.h): what it shares with the host */
	struct sl_keeper keeper;

	/* the stacks clone runs keeper_main, child_main and the child's
	 * courier on (one mapping, a guard page below each: they run in the
	 * host's address space) */
	void *stacks, *kstack, *stack, *cstack;
	size_t stacks_len, kstack_size, stack_size, cstack_size;

	/* pipes and the status socket: child ends, then parent ends (-1 when
	 * unused).  The child ends are read by the keeper and the child in our
	 * address space: once they are started, the fields never change
	 * (child_ends_closed records that we closed our copies). */
	bool child_ends_closed;
	int stdout_w, stderr_w, status_w, gate_r, stdin_r;
	int stdout_r, stderr_r, status_r, gate_w;
	/* popen: the caller's ends of the piped streams (stdin, stdout,
	 * stderr), until the handle takes them (before the clone) */
	int caller_fd[3];
};

/* An empty plan (all fds -1). */
void plan_init(struct sl_plan *p);
/* How the child is started. */
struct plan_mode {
	bool capture;		      /* stdout/stderr go to pipes */
	const uint32_t *io;	      /* popen: per stream SANDLOCK_STDIO_*; else NULL */
	bool tty_jobs;		      /* interactive and stdin a terminal: take its foreground */
	bool gated;		      /* park until released; else run straight to exec */
	const struct sl_nrule *rules; /* what the supervisor is notified of */
	size_t n_rules;
	const struct sl_netplan *net; /* the network policy, resolved (outlives the plan) */
	bool landlock_log;	      /* Landlock logs the command's refusals (kaudit.h) */
	const struct cow_branch *cow; /* fs_isolation overlayfs: the staged layer, or NULL */
};

/* Prepares a plan: everything the child needs but the Landlock ruleset.
 * 0 or -errno with a message. */
int plan_build(struct sl_plan *p, const struct sandlock_sandbox *cfg, const char *const *argv,
	       unsigned int argc, const struct plan_mode *mode);
/* Builds the plan's Landlock ruleset: an fd above stdio, or -errno with a
 * message.  When it is the slow part of planning (the mount table, and as
 * root the search for device nodes), p->overlap is set: it is built while
 * the child sets itself up; else before the keeper is cloned. */
int plan_ruleset(const struct sl_plan *p, const struct sandlock_sandbox *cfg);
/* Closes the fds the plan still owns and frees it. */
void plan_release(struct sl_plan *p);

/* Human name of a step, for error messages. */
const char *plan_step_name(int step);
/* Why a command could not be executed, as a shell words it ("command not
 * found" for ENOENT). */
const char *plan_exec_reason(int err);

#endif
