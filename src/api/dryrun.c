/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dryrun.c - sandlock_dry_run: the command runs over a staged layer
 * (overlayfs, or the seccomp layer), its changes are listed, then dropped: the
 * workdir is never touched, whatever on_exit and on_error say.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cow.h"
#include "error.h"
#include "handle.h"
#include "registry.h"

struct sandlock_dry_run_result {
	sandlock_result_t *res;
	struct cow_changes changes;
};

SL_API sandlock_dry_run_result_t *sandlock_dry_run(const sandlock_sandbox_t *policy,
						   const char *name, const char *const *argv,
						   unsigned int argc)
{
	sl_error_clear();
	if (!policy) {
		sl_errorf(EINVAL, "policy is NULL");
		return NULL;
	}
	if (!policy->workdir) {
		sl_errorf(EINVAL, "dry_run requires workdir");
		return NULL;
	}
	sandlock_dry_run_result_t *d = calloc(1, sizeof(*d));
	if (!d) {
		sl_errorf(ENOMEM, "out of memory");
		return NULL;
	}
	sandlock_handle_t *h =
	    handle_create(registry_features(), policy, name, argv, argc,
			  SANDLOCK_CREATE_INLINE | SANDLOCK_CREATE_START | HANDLE_DRY_RUN);
	if (h && handle_start(h) == 0)
		d->res = handle_wait(h, 0);
	int r = d->res ? cow_changes(&h->cow, &d->changes) : -1;
	if (h && h->cow_on && cow_abort(&h->cow) < 0 && r == 0)
		r = -1;
	if (h)
		h->cow_on = false;
	handle_free(h);
	if (r < 0) {
		sandlock_dry_run_result_free(d);
		return NULL;
	}
	return d;
}

SL_API int sandlock_dry_run_result_exit_code(const sandlock_dry_run_result_t *r)
{
	return r ? sandlock_result_exit_code(r->res) : -1;
}

SL_API bool sandlock_dry_run_result_success(const sandlock_dry_run_result_t *r)
{
	return r && sandlock_result_success(r->res);
}

SL_API uint32_t sandlock_dry_run_result_reason(const sandlock_dry_run_result_t *r)
{
	return sandlock_result_reason(r ? r->res : NULL);
}

SL_API int sandlock_dry_run_result_signal(const sandlock_dry_run_result_t *r)
{
	return sandlock_result_signal(r ? r->res : NULL);
}

SL_API const uint8_t *sandlock_dry_run_result_stdout_bytes(const sandlock_dry_run_result_t *r,
							   size_t *len)
{
	return sandlock_result_stdout_bytes(r ? r->res : NULL, len);
}

SL_API const uint8_t *sandlock_dry_run_result_stderr_bytes(const sandlock_dry_run_result_t *r,
							   size_t *len)
{
	return sandlock_result_stderr_bytes(r ? r->res : NULL, len);
}

SL_API size_t sandlock_dry_run_result_changes_len(const sandlock_dry_run_result_t *r)
{
	return r ? r->changes.n : 0;
}

SL_API char sandlock_dry_run_result_change_kind(const sandlock_dry_run_result_t *r, size_t i)
{
	return r && i < r->changes.n ? r->changes.v[i].kind : 0;
}

SL_API char *sandlock_dry_run_result_change_path(const sandlock_dry_run_result_t *r, size_t i)
{
	return r && i < r->changes.n ? strdup(r->changes.v[i].path) : NULL;
}

SL_API void sandlock_dry_run_result_free(sandlock_dry_run_result_t *r)
{
	if (!r)
		return;
	sandlock_result_free(r->res);
	cow_changes_free(&r->changes);
	free(r);
}
