/* SPDX-License-Identifier: Apache-2.0 */
/*
 * handle.h - one sandbox's lifecycle: created (child parked at the gate,
 * or on its way with SANDLOCK_CREATE_START) -> started -> ended (reaped).
 *
 * Two modes.  Threaded (sandlock_create): a supervisor thread forks the
 * child and runs the loop, so the child's parent-death signal is tied to
 * that thread and a dying supervisor takes the sandbox with it.  Inline
 * (sandlock_run, sandlock_create_for_run, the CLI): the caller's thread
 * forks and runs the loop inside wait, no thread at all.
 *
 * Signals to the sandbox (pause, resume, kill, timeout) go to the child's
 * pidfd and its process group under the handle lock, and only before the
 * child is reaped: the group id cannot be reused while the leader is an
 * unreaped zombie, so a signal never reaches an unrelated process.
 */
#ifndef SL_HANDLE_H
#define SL_HANDLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "control.h"
#include "cow.h"
#include "evloop.h"
#include "plan.h"
#include "policy.h"
#include "result.h"
#include "spawn.h"
#include "supervisor.h"

struct sandlock_handle {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* Two facts, two writers.  started: the caller's sandlock_start (a
	 * popen's at once), written by the caller's calls only.  ended: the
	 * sandbox is reaped, written under lock by finish(), on the
	 * supervisor thread when there is one; from then on the plan, the
	 * pidfd and the engine are finish()'s to release, and live control
	 * refuses.  A sandbox created with SANDLOCK_CREATE_START (or a
	 * parked child that was killed) can end before it is started: one
	 * state for both once let the end pass for a start. */
	bool started, ended;
	bool gated; /* the child waits at the gate for sandlock_start */
	bool threaded, interactive;
	bool spawned;  /* threaded: the spawn step has finished (ok or not) */
	bool finished; /* reaped, output drained, status recorded */
	bool timed_out;
	bool result_taken;
	bool streaming;	  /* popen: nothing captured (the caller reads) */
	int caller_fd[3]; /* popen: the caller's ends, taken before the start */
	int spawn_err;
	char spawn_msg[256];

	const sandlock_sandbox_t *policy; /* during create only */
	/* the run's own copy of the policy (owned): the caller may free its
	 * policy once the sandbox starts, and the features keep pointers
	 * into theirs for the run (the HTTP gate's rules and credentials,
	 * the views') */
	sandlock_sandbox_t *own_policy;
	const struct sl_user_link *user; /* during create only */
	size_t n_user;
	const struct sl_feature_set *features; /* what the engine enforces */
	bool tty_jobs;			       /* interactive on a terminal */
	int kaudit; /* the audit socket until the supervisor takes it (kaudit.h), or -1 */
	struct sl_plan plan;
	struct sl_netplan
	    net; /* the network policy, resolved once (read by the plan and the features) */
	struct sl_spawned proc;
	struct sl_evloop evl; /* the engine's and the run's registrations */
	struct sl_sup sup;
	struct sl_buf out, err;
	char name[SL_NAME_MAX + 1];

	int status, code, sig;
	bool user_killed; /* SIGKILL by live control */
	char note[512];	  /* sandlock_result_note() */
	pthread_t thread;

	/* SANDLOCK_CREATE_CONTROL: the name claimed, the socket served */
	bool control;
	struct control ctl;
	char *info_fixed;      /* the info members that never change (handle_info.c) */
	int64_t born_ms;       /* monotonic, at create */
	char *denials_text;    /* the supervisor's refusals, kept at the end (JSON lines) */
	struct sl_strv grants; /* the read and write trees (exechint.h) */

	/* a workdir (fs_isolation overlayfs): the staged layer, ended by
	 * finish() as on_exit (success) or on_error says; a dry run leaves
	 * it to its caller (HANDLE_DRY_RUN) */
	struct cow_branch cow;
	bool cow_on, dry_run;
	uint8_t on_exit, on_error;
	int cow_err;	    /* the commit or abort failed: -errno */
	char cow_msg[1024]; /* ... why */
};

/* handle_create's flag for sandlock_dry_run (beyond the public ones): the
 * staged layer outlives the run, for its change list. */
#define HANDLE_DRY_RUN (1U << 31)

struct sl_feature_set;

/* A sandbox enforcing the features of fs (static: it outlives the
 * handle).  NULL with a message on failure. */
sandlock_handle_t *handle_create(const struct sl_feature_set *fs, const sandlock_sandbox_t *policy,
				 const char *name, const char *const *argv, unsigned int argc,
				 uint32_t flags);
/* The same with user handlers at the end of their syscalls' chains (the
 * links are copied; their args must outlive the handle). */
sandlock_handle_t *handle_create_ex(const struct sl_feature_set *fs,
				    const sandlock_sandbox_t *policy, const char *name,
				    const char *const *argv, unsigned int argc, uint32_t flags,
				    const struct sl_user_link *user, size_t n_user);
/* popen: started at once, supervised from a thread; io holds a
 * SANDLOCK_STDIO_* mode per stream (checked by the caller); the caller's
 * ends of the piped streams go to fds (-1 for the others). */
sandlock_handle_t *handle_popen(const struct sl_feature_set *fs, const sandlock_sandbox_t *policy,
				const char *name, const char *const *argv, unsigned int argc,
				const uint32_t io[3], int fds[3]);
int handle_start(sandlock_handle_t *h);
/* timeout_ms 0 = none.  NULL with a message on failure. */
sandlock_result_t *handle_wait(sandlock_handle_t *h, uint64_t timeout_ms);
/* Sends sig to the sandbox (pidfd + process group).  -ESRCH when it is
 * no longer running. */
int handle_signal(sandlock_handle_t *h, int sig);
void handle_free(sandlock_handle_t *h);

/* handle_info.c: the running sandbox's info object for its control
 * socket.  The members that never change, made before the spawn from the
 * policy it is created with: 0 or -ENOMEM. */
int handle_info_fix(sandlock_handle_t *h, const sandlock_sandbox_t *policy, const char *const *argv,
		    unsigned int argc);
/* The info object (control_ops.info), arg being the handle. */
int handle_info(void *arg, char **out);

#endif
