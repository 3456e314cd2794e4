/* SPDX-License-Identifier: Apache-2.0 */
/*
 * handler.c - custom syscall handlers: handler objects, the
 * action setters, the memory accessors and the adapter that puts a user
 * handler at the end of the engine's chain for its syscall.
 *
 * Contract (also in the README): a handler runs on the supervisor's
 * thread, one notification at a time, while the notifying thread waits in
 * its syscall; it must return promptly (no other notification of the
 * sandbox is answered meanwhile).  It runs without the engine's lock, so
 * live control from other threads still works while it runs.  Its
 * answer is taken as given: CONTINUE after looking at a pointer argument
 * is a TOCTOU the user accepts (seccomp_unotify(2)); syscalls the policy
 * denies cannot get a handler, so a handler never re-opens them.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "syscalls.h"
#include "filter.h"
#include "handle.h"
#include "handler.h"
#include "registry.h"
#include "sandlock.h"
#include "seccomp_uapi.h"
#include "supervisor.h"
#include "util.h"

#define SL_MAX_REGISTRATIONS 4096

struct sandlock_handler {
	sandlock_handler_fn_t fn;
	void *ud;
	sandlock_handler_ud_drop_t ud_drop;
	uint32_t on_exception;
	bool deferred; /* asked for, not supported yet: the registration is refused */
};

/* Valid only while the callback runs. */
struct sandlock_mem_handle {
	struct sl_memref ref;
	bool valid;
};

SL_API sandlock_handler_t *sandlock_handler_new(sandlock_handler_fn_t handler_fn, void *ud,
						sandlock_handler_ud_drop_t ud_drop,
						uint32_t on_exception)
{
	sl_error_clear();
	if (!handler_fn) {
		sl_errorf(EINVAL, "handler function is NULL");
		return NULL;
	}
	if (on_exception > SANDLOCK_EXCEPTION_DENY_EIO) {
		sl_errorf(EINVAL, "invalid exception policy %u (0-3)", on_exception);
		return NULL;
	}
	sandlock_handler_t *h = calloc(1, sizeof(*h));
	if (!h) {
		sl_errorf(ENOMEM, "out of memory");
		return NULL;
	}
	*h = (sandlock_handler_t){
	    .fn = handler_fn, .ud = ud, .ud_drop = ud_drop, .on_exception = on_exception};
	return h;
}

SL_API void sandlock_handler_free(sandlock_handler_t *h)
{
	if (!h)
		return;
	if (h->ud_drop)
		h->ud_drop(h->ud);
	free(h);
}

/* ---- the adapter ---------------------------------------------------------- */

/* A group the handler may name: the command's, or one led by a live
 * process of the sandbox (a group id is its creator's pid).  Only its
 * members of the sandbox are signalled (answer_kill in supervisor.c). */
static bool sandbox_group(struct sl_ctx *c, pid_t pgid)
{
	if (pgid <= 0 || pgid == getpgrp())
		return false;
	if (pgid == c->sup->root_pgid)
		return true;
	return procs_live(&c->sup->procs, pgid) != NULL;
}

/* The exception policy: a handler failed or answered nonsense. */
static void on_exception(struct sl_ctx *c, struct sl_action *a, uint32_t policy)
{
	switch (policy) {
	case SANDLOCK_EXCEPTION_DENY_EPERM:
		*a = sl_act_errno(EPERM);
		return;
	case SANDLOCK_EXCEPTION_CONTINUE:
		*a = sl_act_continue();
		return;
	case SANDLOCK_EXCEPTION_DENY_EIO:
		*a = sl_act_errno(EIO);
		return;
	default: {
		pid_t pgid = getpgid((pid_t)c->req->pid);
		if (sandbox_group(c, pgid))
			*a = (struct sl_action){
			    .kind = SL_ACT_KILL, .sig = SIGKILL, .pgid = pgid, .fd = -1};
		else
			*a = sl_act_errno(EPERM);
	}
	}
}

/* Translates the handler's answer.  False when it is invalid. */
static bool convert(struct sl_ctx *c, const sandlock_action_out_t *out, struct sl_action *a)
{
	*a = sl_act_continue();
	switch (out->kind) {
	case SANDLOCK_ACTION_CONTINUE:
		return true;
	case SANDLOCK_ACTION_ERRNO:
		*a = sl_act_errno(out->payload.errno_value);
		return out->payload.errno_value > 0 && out->payload.errno_value < 4096;
	case SANDLOCK_ACTION_RETURN_VALUE:
		*a = sl_act_return(out->payload.return_value);
		return true;
	case SANDLOCK_ACTION_INJECT_FD_SEND:
		*a = (struct sl_action){.kind = SL_ACT_INJECT_SEND,
					.fd = out->payload.inject_send.srcfd,
					.fd_flags = out->payload.inject_send.newfd_flags};
		return a->fd >= 0 && (a->fd_flags & ~(uint32_t)O_CLOEXEC) == 0;
	case SANDLOCK_ACTION_HOLD:
		*a = (struct sl_action){.kind = SL_ACT_HOLD, .fd = -1}; /* nothing to wait on */
		return true;
	case SANDLOCK_ACTION_KILL: {
		pid_t pgid = out->payload.kill.pgid;
		if (pgid == 0)
			pgid = getpgid((pid_t)c->req->pid);
		*a = (struct sl_action){
		    .kind = SL_ACT_KILL, .sig = out->payload.kill.sig, .pgid = pgid, .fd = -1};
		return a->sig > 0 && a->sig < 65 && sandbox_group(c, pgid);
	}
	default: /* UNSET, the reserved tracked injection, unknown */
		return false;
	}
}

/* The fds the setters took during the current callback on this thread. */
static _Thread_local struct {
	bool on;
	size_t n;
	int fd[16];
} handed;

static void hand(int fd)
{
	if (!handed.on || fd < 0)
		return;
	for (size_t i = 0; i < handed.n; i++)
		if (handed.fd[i] == fd)
			return;
	if (handed.n < 16)
		handed.fd[handed.n++] = fd;
}

void handler_dispatch(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	sandlock_handler_t *h = arg;
	const struct seccomp_notif *req = c->req;
	sandlock_notif_data_t nd = {
	    .id = req->id,
	    .pid = req->pid,
	    .flags = req->flags,
	    .syscall_nr = req->data.nr,
	    .arch = req->data.arch,
	    .instruction_pointer = req->data.instruction_pointer,
	};
	memcpy(nd.args, req->data.args, sizeof(nd.args));
	struct sandlock_mem_handle mh = {c->mem, true};
	sandlock_action_out_t out = {.kind = SANDLOCK_ACTION_UNSET};
	/* Without the engine's lock: a slow handler must not hold up live
	 * control (pause, kill, a timeout) from other threads.  The index is
	 * only read meanwhile: entries are freed on this thread alone. */
	pthread_mutex_unlock(&c->sup->lock);
	handed.n = 0;
	handed.on = true;
	int rc = h->fn(h->ud, &nd, &mh, &out);
	handed.on = false;
	pthread_mutex_lock(&c->sup->lock);
	mh.valid = false;
	/* fds handed over by setters whose answer a later setter replaced */
	for (size_t i = 0; i < handed.n; i++)
		if (out.kind != SANDLOCK_ACTION_INJECT_FD_SEND ||
		    out.payload.inject_send.srcfd != handed.fd[i])
			close(handed.fd[i]);
	if (rc == 0 && convert(c, &out, a))
		return;
	if (out.kind == SANDLOCK_ACTION_INJECT_FD_SEND && out.payload.inject_send.srcfd >= 0)
		close(out.payload.inject_send.srcfd); /* the fd was handed to us */
	on_exception(c, a, h->on_exception);
}

/* ---- running with handlers ------------------------------------------------ */

static int check_registration(const sandlock_sandbox_t *policy,
			      const sandlock_handler_registration_t *r, size_t i)
{
	if (!r->handler)
		return sl_errorf(EINVAL, "registration %zu: handler is NULL", i);
	if (r->syscall_nr < 0)
		return sl_errorf(EINVAL, "registration %zu: negative syscall number %lld", i,
				 (long long)r->syscall_nr);
	/* any number up to the architecture's highest (an unassigned one a
	 * handler may emulate): 0.8.0 stopped at its own table's 462 */
	if (r->syscall_nr > syscalls_max())
		return sl_errorf(EINVAL,
				 "registration %zu: syscall %lld is unknown on this architecture "
				 "(the highest is %d)",
				 i, (long long)r->syscall_nr, syscalls_max());
	if (r->handler->deferred)
		return sl_errorf(ENOTSUP, "registration %zu: not supported yet: deferred handlers",
				 i);
	const char *why = filter_handler_conflict(policy, (int)r->syscall_nr);
	if (why)
		return sl_errorf(EPERM, "handler on syscall %lld refused: %s",
				 (long long)r->syscall_nr, why);
	return 0;
}

static int check_registrations(const sandlock_sandbox_t *policy,
			       const sandlock_handler_registration_t *regs, size_t n)
{
	if (!policy)
		return sl_errorf(EINVAL, "policy is NULL");
	if (n && !regs)
		return sl_errorf(EINVAL, "registrations is NULL");
	if (n > SL_MAX_REGISTRATIONS)
		return sl_errorf(E2BIG, "too many handler registrations (%zu, at most %d)", n,
				 SL_MAX_REGISTRATIONS);
	for (size_t i = 0; i < n; i++) {
		int r = check_registration(policy, &regs[i], i);
		if (r < 0)
			return r;
	}
	return 0;
}

static sandlock_result_t *run_with_handlers(const sandlock_sandbox_t *policy, const char *name,
					    const char *const *argv, unsigned int argc,
					    const sandlock_handler_registration_t *regs, size_t n,
					    uint32_t flags)
{
	sl_error_clear();
	sandlock_result_t *res = NULL;
	struct sl_user_link *links = NULL;
	int r = check_registrations(policy, regs, n);
	if (r == 0 && n && !(links = calloc(n, sizeof(*links))))
		r = sl_errorf(ENOMEM, "out of memory");
	if (r == 0) {
		for (size_t i = 0; i < n; i++)
			links[i] = (struct sl_user_link){(int)regs[i].syscall_nr, handler_dispatch,
							 regs[i].handler};
		sandlock_handle_t *h = handle_create_ex(
		    registry_features(), policy, name, argv, argc,
		    flags | SANDLOCK_CREATE_INLINE | SANDLOCK_CREATE_START, links, n);
		if (h) {
			/* START: the child is not parked; this only marks it
			 * started, which wait requires */
			if (handle_start(h) == 0)
				res = handle_wait(h, 0);
			handle_free(h);
		}
	}
	free(links);
	/* Ownership of every handler passed in on entry: freed on all paths
	 * (ud_drop exactly once), also when there were too many. */
	for (size_t i = 0; regs && i < n; i++)
		sandlock_handler_free(regs[i].handler);
	return res;
}

SL_API sandlock_result_t *sandlock_run_with_handlers(
    const sandlock_sandbox_t *policy, const char *name, const char *const *argv, unsigned int argc,
    const sandlock_handler_registration_t *registrations, size_t nregistrations)
{
	return run_with_handlers(policy, name, argv, argc, registrations, nregistrations, 0);
}

SL_API sandlock_result_t *sandlock_run_interactive_with_handlers(
    const sandlock_sandbox_t *policy, const char *name, const char *const *argv, unsigned int argc,
    const sandlock_handler_registration_t *registrations, size_t nregistrations)
{
	return run_with_handlers(policy, name, argv, argc, registrations, nregistrations,
				 SANDLOCK_CREATE_INTERACTIVE);
}

SL_API void sandlock_action_set_continue(sandlock_action_out_t *out)
{
	if (out)
		out->kind = SANDLOCK_ACTION_CONTINUE;
}

SL_API void sandlock_action_set_hold(sandlock_action_out_t *out)
{
	if (out)
		out->kind = SANDLOCK_ACTION_HOLD;
}

SL_API void sandlock_action_set_errno(sandlock_action_out_t *out, int32_t errno_value)
{
	if (!out)
		return;
	out->kind = SANDLOCK_ACTION_ERRNO;
	out->payload.errno_value = errno_value;
}

SL_API void sandlock_action_set_return_value(sandlock_action_out_t *out, int64_t value)
{
	if (!out)
		return;
	out->kind = SANDLOCK_ACTION_RETURN_VALUE;
	out->payload.return_value = value;
}

SL_API void sandlock_action_set_inject_fd_send(sandlock_action_out_t *out, int32_t srcfd,
					       uint32_t newfd_flags)
{
	if (!out)
		return;
	hand(srcfd);
	out->kind = SANDLOCK_ACTION_INJECT_FD_SEND;
	out->payload.inject_send.srcfd = srcfd;
	out->payload.inject_send.newfd_flags = newfd_flags;
}

/* A memfd holding a copy of the bytes, read position at 0, sealed unless
 * writable.  The fd, or -1. */
static int bytes_memfd(const uint8_t *data, size_t len, bool writable)
{
	int fd = memfd_create("sandlock-inject", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	const int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	if (done < len || lseek(fd, 0, SEEK_SET) < 0 ||
	    (!writable && fcntl(fd, F_ADD_SEALS, seals) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

SL_API void sandlock_action_set_inject_bytes(sandlock_action_out_t *out, const uint8_t *data,
					     size_t len, uint32_t flags)
{
	if (!out)
		return;
	bool known = !(flags & ~(SANDLOCK_INJECT_WRITABLE | SANDLOCK_INJECT_NO_CLOEXEC));
	int fd =
	    known && (data || !len) ? bytes_memfd(data, len, flags & SANDLOCK_INJECT_WRITABLE) : -1;
	if (fd < 0) {
		sandlock_action_set_errno(out, EIO);
		return;
	}
	/* the supervisor closes it once sent, as any fd handed to it */
	sandlock_action_set_inject_fd_send(out, fd,
					   flags & SANDLOCK_INJECT_NO_CLOEXEC ? 0 : O_CLOEXEC);
}

SL_API void sandlock_handler_set_deferred(sandlock_handler_t *h, bool deferred)
{
	if (h)
		h->deferred = deferred;
}

SL_API void sandlock_action_set_kill(sandlock_action_out_t *out, int32_t sig, int32_t pgid)
{
	if (!out)
		return;
	out->kind = SANDLOCK_ACTION_KILL;
	out->payload.kill.sig = sig;
	out->payload.kill.pgid = pgid;
}

/* The memory accessors work only during the callback (handle valid). */
SL_API int32_t sandlock_mem_read_cstr(const sandlock_mem_handle_t *handle, uint64_t addr,
				      uint8_t *buf, size_t max_len, size_t *out_len)
{
	if (!handle || !buf || !out_len || !handle->valid || max_len == 0)
		return -1;
	size_t len;
	if (mem_read_cstr(&handle->ref, addr, (char *)buf, max_len, &len) < 0)
		return -1;
	*out_len = len;
	return 0;
}

SL_API int32_t sandlock_mem_read(const sandlock_mem_handle_t *handle, uint64_t addr, uint8_t *buf,
				 size_t len, size_t *out_len)
{
	if (!handle || !buf || !out_len || !handle->valid)
		return -1;
	if (mem_read(&handle->ref, addr, buf, len) < 0)
		return -1; /* a partial read is a failure: never half an argument */
	*out_len = len;
	return 0;
}

SL_API int32_t sandlock_mem_write(const sandlock_mem_handle_t *handle, uint64_t addr,
				  const uint8_t *buf, size_t len)
{
	if (!handle || !buf || !handle->valid)
		return -1;
	return mem_write(&handle->ref, addr, buf, len) < 0 ? -1 : 0;
}

/* The handler ABI fixes these layouts. */
_Static_assert(sizeof(sandlock_notif_data_t) == 80, "sandlock_notif_data_t is 80 bytes");
_Static_assert(sizeof(sandlock_action_out_t) == 24, "sandlock_action_out_t is 24 bytes");
_Static_assert(offsetof(sandlock_action_out_t, payload) == 8, "payload at offset 8");
