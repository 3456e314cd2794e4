/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unsupported.c - the rest of the sandlock 0.8.0 symbol set, exported
 * from the start because bindings resolve every symbol when they load.
 * Each call fails with its failure value (NULL, -1, 0 or nothing) and the
 * message "not supported yet: <feature>"; none pretends to succeed.  A
 * feature moves out of this file when it lands.
 */
#include "error.h"
#include "sandlock.h"
#include "util.h"

#define NS_PTR(feature) (sl_unsupported(feature), NULL)
#define NS_INT(feature) (sl_unsupported(feature), -1)

/* ---- pipeline and gather ------------------------------------------------ */
SL_API sandlock_pipeline_t *sandlock_pipeline_new(void)
{
	return NS_PTR("pipeline");
}

SL_API void sandlock_pipeline_add_stage(sandlock_pipeline_t *pipe, const sandlock_sandbox_t *policy,
					const char *const *argv, unsigned int argc)
{
	sl_unsupported("pipeline");
}

SL_API sandlock_result_t *sandlock_pipeline_run(sandlock_pipeline_t *pipe, uint64_t timeout_ms)
{
	return NS_PTR("pipeline");
}

SL_API void sandlock_pipeline_free(sandlock_pipeline_t *pipe)
{
	sl_unsupported("pipeline");
}

SL_API sandlock_gather_t *sandlock_gather_new(void)
{
	return NS_PTR("gather");
}

SL_API void sandlock_gather_add_source(sandlock_gather_t *g, const char *name,
				       const sandlock_sandbox_t *policy, const char *const *argv,
				       unsigned int argc)
{
	sl_unsupported("gather");
}

SL_API void sandlock_gather_set_consumer(sandlock_gather_t *g, const sandlock_sandbox_t *policy,
					 const char *const *argv, unsigned int argc)
{
	sl_unsupported("gather");
}

SL_API sandlock_result_t *sandlock_gather_run(sandlock_gather_t *g, uint64_t timeout_ms)
{
	return NS_PTR("gather");
}

SL_API void sandlock_gather_free(sandlock_gather_t *g)
{
	sl_unsupported("gather");
}

/* ---- COW fork / reduce --------------------------------------------------- */
SL_API sandlock_fns_t *sandlock_new_with_fns(const sandlock_sandbox_t *policy, const char *name,
					     sandlock_init_fn_t init_fn, sandlock_work_fn_t work_fn)
{
	return NS_PTR("fork");
}

SL_API sandlock_fork_result_t *sandlock_fork(sandlock_fns_t *sb, uint32_t n)
{
	return NS_PTR("fork");
}

SL_API uint32_t sandlock_fork_result_count(const sandlock_fork_result_t *r)
{
	sl_unsupported("fork");
	return 0;
}

SL_API int32_t sandlock_fork_result_pid(const sandlock_fork_result_t *r, uint32_t index)
{
	return NS_INT("fork");
}

SL_API sandlock_result_t *sandlock_reduce(sandlock_fork_result_t *fork_result,
					  const sandlock_sandbox_t *policy, const char *name,
					  const char *const *argv, unsigned int argc)
{
	return NS_PTR("reduce");
}

SL_API void sandlock_fork_result_free(sandlock_fork_result_t *r)
{
	sl_unsupported("fork");
}

SL_API int sandlock_wait(sandlock_fns_t *sb)
{
	return NS_INT("fork");
}

SL_API void sandlock_sandbox_fns_free(sandlock_fns_t *sb)
{
	sl_unsupported("fork");
}

/* ---- checkpoint and port mappings ------------------------------------------ */
SL_API sandlock_checkpoint_t *sandlock_handle_checkpoint(sandlock_handle_t *h)
{
	return NS_PTR("checkpoint");
}

SL_API int sandlock_checkpoint_save(const sandlock_checkpoint_t *cp, const char *dir)
{
	return NS_INT("checkpoint");
}

SL_API sandlock_checkpoint_t *sandlock_checkpoint_load(const char *dir)
{
	return NS_PTR("checkpoint");
}

SL_API void sandlock_checkpoint_set_name(sandlock_checkpoint_t *cp, const char *name)
{
	sl_unsupported("checkpoint");
}

SL_API char *sandlock_checkpoint_name(const sandlock_checkpoint_t *cp)
{
	return NS_PTR("checkpoint");
}

SL_API void sandlock_checkpoint_set_app_state(sandlock_checkpoint_t *cp, const uint8_t *data,
					      size_t len)
{
	sl_unsupported("checkpoint");
}

SL_API const uint8_t *sandlock_checkpoint_app_state(const sandlock_checkpoint_t *cp, size_t *len)
{
	if (len)
		*len = 0;
	return NS_PTR("checkpoint");
}

SL_API void sandlock_checkpoint_free(sandlock_checkpoint_t *cp)
{
	sl_unsupported("checkpoint");
}

/* ---- added after 0.8.0 -------------------------------------------------- */
SL_API sandlock_handle_t *sandlock_restore_interactive(const sandlock_sandbox_t *policy,
						       const char *name,
						       const sandlock_checkpoint_t *cp)
{
	return NS_PTR("checkpoint restore");
}

SL_API size_t sandlock_handle_restore_skipped_len(const sandlock_handle_t *h)
{
	sl_unsupported("checkpoint restore");
	return 0;
}

SL_API int sandlock_handle_restore_skipped_fd(const sandlock_handle_t *h, size_t i)
{
	return NS_INT("checkpoint restore");
}

SL_API char *sandlock_handle_restore_skipped_path(const sandlock_handle_t *h, size_t i)
{
	return NS_PTR("checkpoint restore");
}
