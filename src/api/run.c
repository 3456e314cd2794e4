/* SPDX-License-Identifier: Apache-2.0 */
/* run.c - the run and live-handle calls of the ABI. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "handle.h"
#include "portremap.h"
#include "registry.h"

SL_API sandlock_handle_t *sandlock_create_ex(const sandlock_sandbox_t *policy, const char *name,
					     const char *const *argv, unsigned int argc,
					     uint32_t flags)
{
	sl_error_clear();
	if (flags & ~(SANDLOCK_CREATE_INTERACTIVE | SANDLOCK_CREATE_INLINE | SANDLOCK_CREATE_START |
		      SANDLOCK_CREATE_CONTROL)) {
		sl_errorf(EINVAL, "unknown create flags 0x%x", flags);
		return NULL;
	}
	return handle_create(registry_features(), policy, name, argv, argc, flags);
}

SL_API sandlock_handle_t *sandlock_popen(const sandlock_sandbox_t *policy, const char *name,
					 const char *const *argv, unsigned int argc,
					 uint32_t stdin_mode, uint32_t stdout_mode,
					 uint32_t stderr_mode, int *stdin_fd, int *stdout_fd,
					 int *stderr_fd)
{
	sl_error_clear();
	static const char *const stream[] = {"stdin", "stdout", "stderr"};
	const uint32_t io[3] = {stdin_mode, stdout_mode, stderr_mode};
	int *out[3] = {stdin_fd, stdout_fd, stderr_fd}, fds[3] = {-1, -1, -1};
	for (int i = 0; i < 3; i++)
		if (out[i])
			*out[i] = -1;
	for (int i = 0; i < 3; i++) {
		if (io[i] > SANDLOCK_STDIO_NULL) {
			sl_errorf(EINVAL,
				  "popen: %s mode %u is not 0 (inherit), 1 (piped) or 2 (null)",
				  stream[i], io[i]);
			return NULL;
		}
		if (io[i] == SANDLOCK_STDIO_PIPED && !out[i]) {
			sl_errorf(EINVAL, "popen: %s is piped but its fd pointer is NULL",
				  stream[i]);
			return NULL;
		}
	}
	sandlock_handle_t *h = handle_popen(registry_features(), policy, name, argv, argc, io, fds);
	for (int i = 0; h && i < 3; i++)
		if (out[i])
			*out[i] = fds[i];
	return h;
}

SL_API sandlock_handle_t *sandlock_create(const sandlock_sandbox_t *policy, const char *name,
					  const char *const *argv, unsigned int argc)
{
	return sandlock_create_ex(policy, name, argv, argc, 0);
}

SL_API sandlock_handle_t *sandlock_create_for_run(const sandlock_sandbox_t *policy,
						  const char *name, const char *const *argv,
						  unsigned int argc)
{
	return sandlock_create_ex(policy, name, argv, argc, SANDLOCK_CREATE_INLINE);
}

SL_API int sandlock_start(sandlock_handle_t *h)
{
	sl_error_clear();
	if (!h)
		return sl_errorf(EINVAL, "handle is NULL"), -1;
	return handle_start(h) < 0 ? -1 : 0;
}

SL_API int32_t sandlock_handle_pid(const sandlock_handle_t *h)
{
	return h && h->proc.pid > 0 ? h->proc.pid : 0;
}

SL_API char *sandlock_handle_port_mappings(const sandlock_handle_t *h)
{
	sl_error_clear();
	if (!h) {
		sl_errorf(EINVAL, "handle is NULL");
		return NULL;
	}
	/* the handle's lock keeps the engine from being released (after
	 * ended) while the map is read: the lock is the handle's own state,
	 * not what the caller handed us as const */
	sandlock_handle_t *m = (sandlock_handle_t *)h;
	char *json = NULL;
	int r = 0;
	pthread_mutex_lock(&m->lock);
	if (!m->ended && m->sup.lock_init)
		r = portremap_json(&m->sup, &json);
	pthread_mutex_unlock(&m->lock);
	if (r < 0)
		sl_errorf(-r, "port mappings: out of memory");
	return json;
}

SL_API char *sandlock_handle_denials(const sandlock_handle_t *h)
{
	sl_error_clear();
	if (!h)
		return sl_errorf(EINVAL, "handle is NULL"), NULL;
	sandlock_handle_t *m = (sandlock_handle_t *)h; /* its lock, as above */
	char *out = NULL;
	int r = 0;
	pthread_mutex_lock(&m->lock);
	if (!m->ended && m->sup.lock_init)
		r = denials_json(&m->sup.denials, &out);
	else if (m->finished && m->denials_text)
		out = strdup(m->denials_text);
	else if (!m->finished || !m->sup.lock_init)
		out = strdup(""); /* nothing was supervised yet */
	pthread_mutex_unlock(&m->lock);
	if (r < 0 || !out)
		return sl_errorf(ENOMEM, "denials: out of memory"), NULL;
	return out;
}

SL_API sandlock_result_t *sandlock_handle_wait_timeout(sandlock_handle_t *h, uint64_t timeout_ms)
{
	sl_error_clear();
	if (!h) {
		sl_errorf(EINVAL, "handle is NULL");
		return NULL;
	}
	return handle_wait(h, timeout_ms); /* saturated there: a huge timeout is "never" */
}

SL_API sandlock_result_t *sandlock_handle_wait(sandlock_handle_t *h)
{
	return sandlock_handle_wait_timeout(h, 0);
}

SL_API void sandlock_handle_free(sandlock_handle_t *h)
{
	handle_free(h);
}

static int control(sandlock_handle_t *h, int sig)
{
	sl_error_clear();
	if (!h)
		return sl_errorf(EINVAL, "handle is NULL"), -1;
	return handle_signal(h, sig) < 0 ? -1 : 0;
}

SL_API int sandlock_handle_pause(sandlock_handle_t *h)
{
	return control(h, SIGSTOP);
}

SL_API int sandlock_handle_resume(sandlock_handle_t *h)
{
	return control(h, SIGCONT);
}

SL_API int sandlock_handle_kill(sandlock_handle_t *h)
{
	return control(h, SIGKILL);
}

/* create + start + wait on the caller's thread. */
static sandlock_result_t *run_inline(const sandlock_sandbox_t *policy, const char *name,
				     const char *const *argv, unsigned int argc, uint32_t flags)
{
	sandlock_handle_t *h = sandlock_create_ex(
	    policy, name, argv, argc, flags | SANDLOCK_CREATE_INLINE | SANDLOCK_CREATE_START);
	if (!h)
		return NULL;
	sandlock_result_t *r = handle_start(h) == 0 ? handle_wait(h, 0) : NULL;
	handle_free(h);
	return r;
}

SL_API sandlock_result_t *sandlock_run(const sandlock_sandbox_t *policy, const char *name,
				       const char *const *argv, unsigned int argc)
{
	return run_inline(policy, name, argv, argc, 0);
}

SL_API int sandlock_run_interactive(const sandlock_sandbox_t *policy, const char *name,
				    const char *const *argv, unsigned int argc)
{
	sandlock_result_t *r = run_inline(policy, name, argv, argc, SANDLOCK_CREATE_INTERACTIVE);
	int code = r ? sandlock_result_exit_code(r) : -1;
	sandlock_result_free(r);
	return code;
}
