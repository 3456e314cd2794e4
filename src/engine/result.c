/* SPDX-License-Identifier: Apache-2.0 */
/* result.c - result objects and their accessors. */
#include "result.h"

#include <errno.h>
#include <stdlib.h>

#include "error.h"

sandlock_result_t *result_new(int status, int code, int sig, struct sl_buf *out, struct sl_buf *err,
			      const char *note)
{
	sandlock_result_t *r = calloc(1, sizeof(*r));
	if (r && note && *note && !(r->note = sl_strdup(note))) {
		free(r);
		r = NULL;
	}
	if (!r) {
		if (out)
			sl_buf_free(out);
		if (err)
			sl_buf_free(err);
		sl_errorf(ENOMEM, "out of memory");
		return NULL;
	}
	r->status = status;
	r->code = status == SANDLOCK_STATUS_EXITED ? code : -1;
	r->sig = sig;
	r->captured = out && err;
	if (out) {
		r->out = *out;
		*out = (struct sl_buf){0};
	}
	if (err) {
		r->err = *err;
		*err = (struct sl_buf){0};
	}
	return r;
}

SL_API int sandlock_result_exit_code(const sandlock_result_t *r)
{
	return r ? r->code : -1;
}

SL_API bool sandlock_result_success(const sandlock_result_t *r)
{
	return r && r->status == SANDLOCK_STATUS_EXITED && r->code == 0;
}

SL_API int sandlock_result_status(const sandlock_result_t *r)
{
	return r ? r->status : -1;
}

SL_API int sandlock_result_signal(const sandlock_result_t *r)
{
	return r && r->sig > 0 ? r->sig : -1;
}

SL_API uint32_t sandlock_result_reason(const sandlock_result_t *r)
{
	return r ? (uint32_t)r->status : SANDLOCK_STATUS_KILLED;
}

SL_API const char *sandlock_result_note(const sandlock_result_t *r)
{
	return r ? r->note : NULL;
}

static const uint8_t *bytes(const sandlock_result_t *r, const struct sl_buf *b, size_t *len)
{
	static const uint8_t empty[1];
	if (len)
		*len = r && r->captured ? b->len : 0;
	if (!r || !r->captured)
		return NULL;
	return b->p ? b->p : empty;
}

SL_API const uint8_t *sandlock_result_stdout_bytes(const sandlock_result_t *r, size_t *len)
{
	return bytes(r, r ? &r->out : NULL, len);
}

SL_API const uint8_t *sandlock_result_stderr_bytes(const sandlock_result_t *r, size_t *len)
{
	return bytes(r, r ? &r->err : NULL, len);
}

SL_API char *sandlock_result_stdout(const sandlock_result_t *r)
{
	if (!r || !r->captured)
		return NULL;
	return sl_utf8_lossy(r->out.p, r->out.len);
}

SL_API char *sandlock_result_stderr(const sandlock_result_t *r)
{
	if (!r || !r->captured)
		return NULL;
	return sl_utf8_lossy(r->err.p, r->err.len);
}

SL_API void sandlock_result_free(sandlock_result_t *r)
{
	if (!r)
		return;
	sl_buf_free(&r->out);
	sl_buf_free(&r->err);
	free(r->note);
	free(r);
}

SL_API void sandlock_string_free(char *s)
{
	free(s);
}
