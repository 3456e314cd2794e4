/* SPDX-License-Identifier: Apache-2.0 */
/* handle.c - sandbox lifecycle, threaded and inline (see handle.h). */
#include "handle.h"

#include "feature.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "error.h"
#include "loop.h"
#include "pidinfo.h"
#include "exechint.h"
#include "kaudit.h"
#include "names.h"
#include "runtime.h"

static void record_status(sandlock_handle_t *h, const siginfo_t *si, int wait_rc)
{
	h->sig = 0;
	h->code = -1;
	if (h->timed_out) {
		h->status = SANDLOCK_STATUS_TIMEOUT;
		h->sig = SIGKILL;
	} else if (wait_rc < 0) {
		h->status = SANDLOCK_STATUS_KILLED;
	} else if (si->si_code == CLD_EXITED) {
		h->status = SANDLOCK_STATUS_EXITED;
		h->code = si->si_status;
	} else {
		h->sig = si->si_status;
		h->status = h->sig == SIGKILL ? SANDLOCK_STATUS_KILLED : SANDLOCK_STATUS_SIGNALED;
	}
}

/* One line on why the sandbox ended, when the status alone would leave
 * the user guessing: the command could not be executed, or a feature
 * ended it (a limit's kill). */
static void explain(sandlock_handle_t *h)
{
	h->note[0] = 0;
	/* the command never ran: not the 127 of a command that ran */
	int step = -1, err = h->proc.pid > 0 ? spawn_late_error(&h->plan, &step) : 0;
	if (err && step == SL_STEP_EXEC) {
		exechint(h->plan.argv.v[0], &h->plan.exec_paths, &h->grants, err, h->note,
			 sizeof(h->note));
		return;
	}
	if (err) {
		snprintf(h->note, sizeof(h->note), "sandbox setup failed: %s: %s",
			 plan_step_name(step), strerror(err));
		return;
	}
	struct sl_end end = {.root = h->proc.pid,
			     .sig = h->sig,
			     .root_ran = h->sup.root_ran,
			     .timed_out = h->timed_out,
			     .user_killed = h->user_killed};
	if (h->sup.lock_init)
		supervisor_note(&h->sup, &end, h->note, sizeof(h->note));
}

/* Signals the sandbox: every process of the supervisor's index, through
 * its pidfd (never a bare pid or a process group: see procs.h).  Caller
 * holds h->lock. */
static int signal_locked(sandlock_handle_t *h, int sig)
{
	if (h->ended || h->proc.pidfd < 0)
		return -ESRCH;
	pidinfo_signal(h->proc.pidfd, sig);
	if (h->sup.lock_init)
		supervisor_signal(&h->sup, sig);
	return 0;
}

/* Ends the sandbox, drains output.  A sandbox ends when its command
 * ends: what is left of it would run on with nobody answering its
 * notifications.  The keeper kills and reaps all of it, found by kernel
 * parentage, and records the command's status; only a keeper killed from
 * outside leaves the work to the supervisor's index (its orphans went to
 * init). */
/* The engine, then the loop it was registered in. */
static void release_engine(sandlock_handle_t *h)
{
	supervisor_release(&h->sup);
	evloop_release(&h->evl);
}

/* Adds a sentence to the result's note. */
static void note_add(sandlock_handle_t *h, const char *s)
{
	size_t n = strlen(h->note);
	snprintf(h->note + n, sizeof(h->note) - n, "%s%s", n ? "; " : "", s);
}

/* The staged layer's end, now that nothing of the sandbox runs: commit
 * after a success (exit 0), else abort, or as the policy says; keep
 * leaves it and says where.  A dry run's caller ends it. */
static void end_branch(sandlock_handle_t *h)
{
	if (!h->cow_on || h->dry_run)
		return;
	bool ok = h->status == SANDLOCK_STATUS_EXITED && h->code == 0;
	uint8_t act = ok ? h->on_exit : h->on_error;
	char msg[sizeof(h->cow_msg) + 64];
	int r = 0;
	sl_error_clear();
	if (act == SL_BRANCH_KEEP) {
		snprintf(msg, sizeof(msg), "the staged changes are kept in '%s' (upper: '%s')",
			 h->cow.dir, h->cow.upper);
		note_add(h, msg);
		cow_release(&h->cow);
	} else if (act == SL_BRANCH_COMMIT) {
		r = cow_commit(&h->cow);
		if (r < 0)
			cow_release(&h->cow); /* kept where the message says */
	} else {
		r = cow_abort(&h->cow);
	}
	h->cow_on = false;
	if (r < 0) {
		h->cow_err = r;
		snprintf(h->cow_msg, sizeof(h->cow_msg), "%s", sl_error_get());
		note_add(h, h->cow_msg);
	}
}

static void finish(sandlock_handle_t *h)
{
	siginfo_t si = {0};
	/* the name is free again once the sandbox is gone */
	control_release(&h->ctl);
	pthread_mutex_lock(&h->lock);
	if (h->proc.keeper_pidfd < 0 || pidinfo_exited(h->proc.keeper_pidfd))
		signal_locked(h, SIGKILL);
	int rc = spawn_finish(&h->plan, &h->proc, &si);
	h->ended = true;
	record_status(h, &si, rc);
	explain(h);
	pthread_mutex_unlock(&h->lock);

	struct sl_loop l = {
	    .out_fd = h->plan.stdout_r, .err_fd = h->plan.stderr_r, .out = &h->out, .err = &h->err};
	loop_drain(&l);
	if (h->plan.take_tty) {
		/* Take the terminal back from the sandbox's group; block
		 * SIGTTOU, which a background group gets for tcsetpgrp. */
		sigset_t ttou, old;
		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		pthread_sigmask(SIG_BLOCK, &ttou, &old);
		if (tcgetpgrp(STDIN_FILENO) == h->proc.pid)
			tcsetpgrp(STDIN_FILENO, getpgrp());
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (h->sup.lock_init)
		supervisor_audit_drain(&h->sup);
	if (h->sup.lock_init && denials_json(&h->sup.denials, &h->denials_text) < 0)
		h->denials_text = NULL; /* out of memory: sandlock_handle_denials says so */
	release_engine(h);
	sl_close(&h->proc.pidfd);
	plan_release(&h->plan);
	end_branch(h);
	pthread_mutex_lock(&h->lock);
	h->finished = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

/* A failed start: the child may have made its group the terminal's
 * foreground; give it back to fg (the foreground before the start). */
static void take_tty_back(sandlock_handle_t *h, pid_t fg)
{
	if (!h->plan.take_tty || fg < 0 || tcgetpgrp(STDIN_FILENO) == fg)
		return;
	sigset_t ttou, old;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	pthread_sigmask(SIG_BLOCK, &ttou, &old);
	tcsetpgrp(STDIN_FILENO, fg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Without the overlap (plan.h), the ruleset is built now and queued on
 * the status socket for the child, which does not exist yet. */
static int ruleset_first(sandlock_handle_t *h)
{
	if (h->plan.overlap)
		return 0;
	int fd = plan_ruleset(&h->plan, h->policy);
	if (fd < 0)
		return fd;
	int r = spawn_send_ruleset(&h->plan, fd);
	close(fd);
	return r;
}

/* Takes the child's listener and pidfd and hands them to the supervisor. */
static int attach(sandlock_handle_t *h)
{
	struct sl_sup_cfg sc = {.loop = &h->evl,
				.policy = h->policy,
				.name = h->name,
				.features = h->features,
				.tty_jobs = h->tty_jobs,
				.net = &h->net,
				.user = h->user,
				.n_user = h->n_user,
				.kernel_audit = h->kaudit >= 0,
				.kaudit_fd = h->kaudit,
				.cow = h->cow_on ? &h->cow : NULL,
				.ruleset = -1};
	/* the seccomp copy-on-write layer opens what lies outside the
	 * workdir under the command's own ruleset (cowlayer.c) */
	int r = h->cow_on && h->policy->fs_isolation == SL_ISO_NONE
		    ? (sc.ruleset = plan_ruleset(&h->plan, h->policy))
		    : 0;
	/* prepared while the child finishes its setup */
	if (r >= 0)
		r = evloop_init(&h->evl);
	if (r == 0) {
		r = supervisor_init(&h->sup, &sc);
		h->kaudit = -1; /* the supervisor's, released with it */
	}
	if (sc.ruleset >= 0)
		close(sc.ruleset);
	if (r < 0)
		evloop_release(&h->evl);
	if (r == 0 && (r = spawn_ready(&h->plan, &h->proc)) < 0)
		release_engine(h);
	if (r == 0 && h->cow_on) { /* max_disk: the staged layer's tmpfs */
		h->cow.quota_fd = h->proc.quota_fd;
		h->proc.quota_fd = -1;
	}
	if (r == 0) {
		struct sl_sup_root root = {.pid = h->proc.pid,
					   .pidfd = h->proc.pidfd,
					   .keeper = h->plan.keeper.self,
					   .keeper_pidfd = h->proc.keeper_pidfd};
		r = supervisor_attach(&h->sup, h->proc.listener, &root);
		h->proc.listener = -1; /* the supervisor owns it now */
		if (r < 0)
			release_engine(h);
	}
	return r;
}

/* The control socket's pause, resume and kill (control.h). */
static int control_signal(void *arg, int sig)
{
	return handle_signal(arg, sig);
}

/* Starts the sandbox and the supervisor.  Runs on the thread that will
 * own the keeper (parent-death signal). */
static int do_spawn(sandlock_handle_t *h)
{
	int r = ruleset_first(h);
	if (r < 0)
		return r;
	pid_t fg = h->plan.take_tty ? tcgetpgrp(STDIN_FILENO) : -1;
	if ((r = spawn_start(&h->plan, &h->proc)) < 0)
		return r;
	/* built while the keeper and the child start */
	if (h->plan.overlap)
		r = spawn_confine(&h->plan, &h->proc, plan_ruleset(&h->plan, h->policy));
	if (r == 0)
		r = attach(h);
	if (r == 0 && h->control) {
		struct control_ops ops = {.arg = h, .info = handle_info, .signal = control_signal};
		if ((r = control_serve(&h->ctl, &h->evl, &ops)) < 0)
			release_engine(h);
	}
	if (r < 0) {
		siginfo_t si;
		spawn_finish(&h->plan, &h->proc, &si);
		sl_close(&h->proc.pidfd);
		take_tty_back(h, fg);
	}
	return r;
}

static void run_loop(sandlock_handle_t *h, int64_t deadline_ms)
{
	struct sl_loop l = {.sup = &h->sup,
			    .pidfd = h->proc.pidfd,
			    .out_fd = h->plan.stdout_r,
			    .err_fd = h->plan.stderr_r,
			    .out = &h->out,
			    .err = &h->err};
	if (loop_run(&l, deadline_ms) == LOOP_DEADLINE) {
		pthread_mutex_lock(&h->lock);
		h->timed_out = signal_locked(h, SIGKILL) == 0;
		pthread_mutex_unlock(&h->lock);
		loop_run(&l, -1);
	}
	loop_release(&l);
	/* pipes the loop saw reach EOF are marked -1 in l; keep the fds for
	 * finish() to close, but let the drain skip them */
	if (l.out_fd < 0)
		sl_close(&h->plan.stdout_r);
	if (l.err_fd < 0)
		sl_close(&h->plan.stderr_r);
}

static void *supervisor_thread(void *arg)
{
	sandlock_handle_t *h = arg;
	int r = do_spawn(h);
	pthread_mutex_lock(&h->lock);
	h->spawned = true;
	h->spawn_err = r;
	if (r < 0)
		snprintf(h->spawn_msg, sizeof(h->spawn_msg), "%s", sl_error_get());
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	if (r < 0)
		return NULL;
	run_loop(h, -1);
	finish(h);
	return NULL;
}

static int start_thread(sandlock_handle_t *h)
{
	/* The supervisor thread takes no signals */
	int r = sl_thread_start(&h->thread, supervisor_thread, h);
	if (r != 0)
		return sl_errorf(r, "cannot start the supervisor thread: %s", strerror(r));
	pthread_mutex_lock(&h->lock);
	while (!h->spawned)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
	if (h->spawn_err < 0) {
		pthread_join(h->thread, NULL);
		return sl_errorf(-h->spawn_err, "%s", h->spawn_msg);
	}
	return 0;
}

static void handle_destroy(sandlock_handle_t *h)
{
	control_release(&h->ctl);
	sl_close(&h->kaudit);
	if (h->cow_on) /* never started, or a dry run's: nothing to keep */
		cow_abort(&h->cow);
	sl_strv_free(&h->grants);
	free(h->info_fixed);
	free(h->denials_text);
	plan_release(&h->plan);
	netplan_release(&h->net);
	sl_buf_free(&h->out);
	sl_buf_free(&h->err);
	if (h->own_policy) {
		policy_release(h->own_policy);
		free(h->own_policy);
	}
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->cond);
	free(h);
}

static int set_name(sandlock_handle_t *h, const char *name)
{
	char dflt[32];
	if (!name) {
		snprintf(dflt, sizeof(dflt), "sandbox-%d", (int)getpid());
		name = dflt;
	}
	int r = names_check_sandbox(name);
	if (r < 0)
		return r;
	snprintf(h->name, sizeof(h->name), "%s", name);
	return 0;
}

sandlock_handle_t *handle_create(const struct sl_feature_set *fs, const sandlock_sandbox_t *policy,
				 const char *name, const char *const *argv, unsigned int argc,
				 uint32_t flags)
{
	return handle_create_ex(fs, policy, name, argv, argc, flags, NULL, 0);
}

static int user_nrs(const struct sl_user_link *user, size_t n, int **out)
{
	*out = NULL;
	if (!n)
		return 0;
	*out = malloc(n * sizeof(**out));
	if (!*out)
		return sl_errorf(ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		(*out)[i] = user[i].nr;
	return 0;
}

/* The plan's notify rules: the active features', then the user's. */
static int plan_rules(sandlock_handle_t *h, const sandlock_sandbox_t *policy,
		      struct sl_nrule **rules, size_t *n)
{
	int *nrs = NULL;
	int r = user_nrs(h->user, h->n_user, &nrs);
	struct sl_feature_env env = {.policy = policy,
				     .tty_jobs = h->tty_jobs,
				     .net = &h->net,
				     .kernel_audit = h->kaudit >= 0};
	if (r == 0)
		r = feature_plan_rules(h->features, &env, nrs, h->n_user, rules, n);
	free(nrs);
	return r;
}

/* The staged layer over the workdir, after finishing what an interrupted
 * commit left (cow.h). */
static int open_branch(sandlock_handle_t *h, const sandlock_sandbox_t *policy, uint32_t flags)
{
	int r = cow_recover(policy->workdir);
	if (r == 0)
		/* the seccomp layer marks its upper as the child, with no
		 * capability: user.overlay.*, never trusted.* */
		r = cow_create(&h->cow, policy->workdir, policy->fs_storage,
			       policy->fs_isolation == SL_ISO_NONE || overlay_user_xattr());
	if (r < 0)
		return r;
	h->cow_on = true;
	h->dry_run = flags & HANDLE_DRY_RUN;
	h->on_exit = policy->on_exit;
	h->on_error = policy->on_error;
	return 0;
}

static sandlock_handle_t *create(const struct sl_feature_set *fs, const sandlock_sandbox_t *policy,
				 const char *name, const char *const *argv, unsigned int argc,
				 uint32_t flags, const struct sl_user_link *user, size_t n_user,
				 const uint32_t *io)
{
	if (!policy) {
		sl_errorf(EINVAL, "policy is NULL");
		return NULL;
	}
	sandlock_handle_t *h = calloc(1, sizeof(*h));
	if (!h) {
		sl_errorf(ENOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	/* timed waits on the monotonic clock: setting the wall clock must
	 * not move a timeout */
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->cond, &ca);
	pthread_condattr_destroy(&ca);
	h->threaded = !(flags & SANDLOCK_CREATE_INLINE);
	h->gated = !(flags & SANDLOCK_CREATE_START);
	h->started = io != NULL; /* popen: running from the start */
	h->interactive = flags & SANDLOCK_CREATE_INTERACTIVE;
	h->control = flags & SANDLOCK_CREATE_CONTROL;
	h->born_ms = sl_now_ms();
	h->proc = (struct sl_spawned){
	    .pid = -1, .pidfd = -1, .listener = -1, .keeper_pidfd = -1, .quota_fd = -1};
	h->sup.listener = -1;
	h->kaudit = -1;
	plan_init(&h->plan);
	h->policy = policy;
	h->user = user;
	h->n_user = n_user;
	h->features = fs;
	h->tty_jobs = h->interactive && isatty(STDIN_FILENO);
	struct sl_nrule *rules = NULL;
	size_t n_rules = 0;
	int r = set_name(h, name);
	/* a grant over the runtime directory does not reach other sandboxes'
	 * control sockets (runtime.h) */
	sandlock_sandbox_t *guarded = NULL;
	if (r == 0)
		r = runtime_guard(policy, &guarded);
	if (r == 0 && !guarded && (guarded = calloc(1, sizeof(*guarded))) &&
	    policy_copy(guarded, policy) < 0) {
		free(guarded);
		guarded = NULL;
	}
	if (r == 0 && !guarded)
		r = sl_errorf(ENOMEM, "out of memory");
	if (r == 0)
		h->policy = policy = h->own_policy = guarded;
	/* the trees, for the hint of an exec that fails (exechint.h) */
	if (r == 0 && sl_strv_copy(&h->grants, &policy->fs_read) < 0)
		r = sl_errorf(ENOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < policy->fs_write.n; i++)
		if (sl_strv_push(&h->grants, policy->fs_write.v[i]) < 0)
			r = sl_errorf(ENOMEM, "out of memory");
	if (r == 0 && h->control &&
	    (r = control_claim(&h->ctl, h->name, policy->profile_text)) == 0)
		r = handle_info_fix(h, policy, argv, argc) < 0 ? sl_errorf(ENOMEM, "out of memory")
							       : 0;
	/* the host names are resolved before anything else: the rules, the
	 * plan and the features all read the addresses */
	if (r == 0)
		r = netplan_build(&h->net, policy);
	/* Landlock's refusals from the kernel's records where they can be
	 * read; elsewhere the explain feature predicts them (kaudit.h) */
	if (r == 0 && policy->explain_denials) {
		int fd = kaudit_open();
		h->kaudit = fd >= 0 ? fd : -1;
	}
	if (r == 0)
		r = plan_rules(h, policy, &rules, &n_rules);
	if (r == 0 && policy->workdir)
		r = open_branch(h, policy, flags);
	h->streaming = io != NULL;
	struct plan_mode mode = {.capture = !h->interactive && !io,
				 .io = io,
				 .tty_jobs = h->tty_jobs,
				 .gated = h->gated,
				 .rules = rules,
				 .n_rules = n_rules,
				 .net = &h->net,
				 .landlock_log = h->kaudit >= 0,
				 .cow = h->cow_on ? &h->cow : NULL};
	if (r == 0)
		r = plan_build(&h->plan, policy, argv, argc, &mode);
	free(rules);
	/* the command starts with the caller's signal mask, in every mode
	 * (a supervisor thread blocks everything) */
	pthread_sigmask(SIG_SETMASK, NULL, &h->plan.child_mask);
	/* popen: the caller's ends are the handle's from here on (a
	 * supervisor thread may finish, and release the plan, before
	 * handle_popen hands them over); the child's copies go with the
	 * close_range it makes after READY */
	for (int i = 0; i < 3; i++) {
		h->caller_fd[i] = h->plan.caller_fd[i];
		h->plan.caller_fd[i] = -1;
	}
	if (r == 0)
		r = h->threaded ? start_thread(h) : do_spawn(h);
	h->policy = NULL;
	h->user = NULL;
	if (r < 0) {
		for (int i = 0; i < 3; i++)
			sl_close(&h->caller_fd[i]);
		handle_destroy(h);
		return NULL;
	}
	return h;
}

sandlock_handle_t *handle_create_ex(const struct sl_feature_set *fs,
				    const sandlock_sandbox_t *policy, const char *name,
				    const char *const *argv, unsigned int argc, uint32_t flags,
				    const struct sl_user_link *user, size_t n_user)
{
	return create(fs, policy, name, argv, argc, flags, user, n_user, NULL);
}

sandlock_handle_t *handle_popen(const struct sl_feature_set *fs, const sandlock_sandbox_t *policy,
				const char *name, const char *const *argv, unsigned int argc,
				const uint32_t io[3], int fds[3])
{
	sandlock_handle_t *h =
	    create(fs, policy, name, argv, argc, SANDLOCK_CREATE_START, NULL, 0, io);
	if (!h)
		return NULL;
	/* the child, past READY, reads the plan no more: the ends are theirs */
	for (int i = 0; i < 3; i++) {
		fds[i] = h->caller_fd[i];
		h->caller_fd[i] = -1;
	}
	return h;
}

int handle_start(sandlock_handle_t *h)
{
	pthread_mutex_lock(&h->lock);
	int r = 0;
	if (h->started)
		r = sl_errorf(EALREADY,
			      "start() requires a created sandbox (it is already started)");
	else if (h->gated && h->ended)
		/* the gate is finish()'s now, maybe being closed */
		r = sl_errorf(ESRCH, "the sandbox ended before it was started (its parked "
				     "child was killed)");
	else if (h->gated)
		r = spawn_release(&h->plan.gate_w);
	/* else SANDLOCK_CREATE_START: on its way since create, perhaps over */
	if (r == 0)
		h->started = true;
	pthread_mutex_unlock(&h->lock);
	return r;
}

int handle_signal(sandlock_handle_t *h, int sig)
{
	pthread_mutex_lock(&h->lock);
	/* killed: a pause or resume now would only compete with the end for
	 * the supervisor's lock (callers hammering them kept a killed
	 * sandbox's loop from its end past a 20 s wait, on a loaded host) */
	int r = h->user_killed && sig != SIGKILL ? -ESRCH : signal_locked(h, sig);
	if (r == 0 && sig == SIGKILL)
		h->user_killed = true;
	pthread_mutex_unlock(&h->lock);
	return r < 0 ? sl_errorf(ESRCH, "the sandbox is not running") : 0;
}

static void wait_threaded(sandlock_handle_t *h, uint64_t timeout_ms)
{
	struct timespec dl;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += (time_t)(timeout_ms / 1000);
	dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&h->lock);
	while (!h->finished) {
		if (!timeout_ms || h->timed_out)
			pthread_cond_wait(&h->cond, &h->lock);
		else if (pthread_cond_timedwait(&h->cond, &h->lock, &dl) == ETIMEDOUT)
			h->timed_out = signal_locked(h, SIGKILL) == 0;
	}
	pthread_mutex_unlock(&h->lock);
}

/* now + timeout, saturated: a huge timeout means "never", not a sum
 * that wraps into the past. */
static int64_t deadline_ms(uint64_t timeout_ms)
{
	int64_t now = sl_now_ms();
	return timeout_ms > (uint64_t)(INT64_MAX - now) ? INT64_MAX : now + (int64_t)timeout_ms;
}

sandlock_result_t *handle_wait(sandlock_handle_t *h, uint64_t timeout_ms)
{
	if (!h->started) {
		sl_errorf(EINVAL, "wait() requires a started sandbox (call sandlock_start first)");
		return NULL;
	}
	if (!h->finished) {
		if (h->threaded) {
			wait_threaded(h, timeout_ms);
		} else {
			int64_t dl = timeout_ms ? deadline_ms(timeout_ms) : -1;
			run_loop(h, dl);
			finish(h);
		}
	}
	if (h->cow_err < 0) {
		sl_errorf(-h->cow_err, "%s", h->cow_msg);
		return NULL;
	}
	/* The output goes to the first result; later waits get the status. */
	bool first = !h->result_taken && !h->interactive && !h->streaming;
	h->result_taken = true;
	return result_new(h->status, h->code, h->sig, first ? &h->out : NULL,
			  first ? &h->err : NULL, h->note);
}

void handle_free(sandlock_handle_t *h)
{
	if (!h)
		return;
	if (!h->finished) {
		/* a parked child also leaves when its gate closes; once the
		 * end is recorded, finish() closes it (and may be doing so) */
		pthread_mutex_lock(&h->lock);
		signal_locked(h, SIGKILL);
		if (!h->ended)
			sl_close(&h->plan.gate_w);
		pthread_mutex_unlock(&h->lock);
		if (h->threaded)
			wait_threaded(h, 0);
		else
			finish(h);
	}
	if (h->threaded)
		pthread_join(h->thread, NULL);
	handle_destroy(h);
}
