/* SPDX-License-Identifier: Apache-2.0 */
/*
 * handler.c - custom handler objects and the action setters of the
 * handler ABI (spec 2.20).  Dispatching handlers from the supervisor
 * lands with the supervisor engine; until then sandlock_run_with_handlers()
 * takes ownership of the handlers as the ABI says, frees them and fails
 * with "not supported yet: custom handlers".
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "error.h"
#include "sandlock.h"
#include "util.h"

struct sandlock_handler {
	sandlock_handler_fn_t fn;
	void *ud;
	sandlock_handler_ud_drop_t ud_drop;
	uint32_t on_exception;
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
	*h = (sandlock_handler_t){handler_fn, ud, ud_drop, on_exception};
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

static sandlock_result_t *run_with_handlers(const sandlock_handler_registration_t *regs, size_t n)
{
	/* Ownership of every handler passes in on entry, on all paths. */
	for (size_t i = 0; regs && i < n; i++)
		sandlock_handler_free(regs[i].handler);
	sl_unsupported("custom handlers");
	return NULL;
}

SL_API sandlock_result_t *sandlock_run_with_handlers(
    const sandlock_sandbox_t *policy, const char *name, const char *const *argv, unsigned int argc,
    const sandlock_handler_registration_t *registrations, size_t nregistrations)
{
	return run_with_handlers(registrations, nregistrations);
}

SL_API sandlock_result_t *sandlock_run_interactive_with_handlers(
    const sandlock_sandbox_t *policy, const char *name, const char *const *argv, unsigned int argc,
    const sandlock_handler_registration_t *registrations, size_t nregistrations)
{
	return run_with_handlers(registrations, nregistrations);
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
	out->kind = SANDLOCK_ACTION_INJECT_FD_SEND;
	out->payload.inject_send.srcfd = srcfd;
	out->payload.inject_send.newfd_flags = newfd_flags;
}

SL_API void sandlock_action_set_kill(sandlock_action_out_t *out, int32_t sig, int32_t pgid)
{
	if (!out)
		return;
	out->kind = SANDLOCK_ACTION_KILL;
	out->payload.kill.sig = sig;
	out->payload.kill.pgid = pgid;
}

/* Memory handles exist only inside a running handler callback, which
 * cannot happen before handler dispatch lands. */
static int32_t no_mem(void)
{
	sl_unsupported("custom handlers");
	return -1;
}

SL_API int32_t sandlock_mem_read_cstr(const sandlock_mem_handle_t *handle, uint64_t addr,
				      uint8_t *buf, size_t max_len, size_t *out_len)
{
	return no_mem();
}

SL_API int32_t sandlock_mem_read(const sandlock_mem_handle_t *handle, uint64_t addr, uint8_t *buf,
				 size_t len, size_t *out_len)
{
	return no_mem();
}

SL_API int32_t sandlock_mem_write(const sandlock_mem_handle_t *handle, uint64_t addr,
				  const uint8_t *buf, size_t len)
{
	return no_mem();
}

/* The handler ABI fixes these layouts (spec 2.20). */
_Static_assert(sizeof(sandlock_notif_data_t) == 80, "sandlock_notif_data_t is 80 bytes");
_Static_assert(sizeof(sandlock_action_out_t) == 24, "sandlock_action_out_t is 24 bytes");
_Static_assert(offsetof(sandlock_action_out_t, payload) == 8, "payload at offset 8");
