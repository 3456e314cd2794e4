/* SPDX-License-Identifier: Apache-2.0 */
/* running.c - the running sandboxes of this user, through their control
 * sockets (sandlock_running_*: runtime.h, control.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "jsonw.h"
#include "runtime.h"
#include "sandlock.h"

/* The reply's body, when its status line says ok; else its message as
 * the error. */
static int request(const char *name, const char *req, char **body)
{
	char *reply = NULL;
	*body = NULL;
	int r = runtime_request(name, req, &reply);
	if (r < 0)
		return r;
	if (strncmp(reply, "ok\n", 3) == 0) {
		memmove(reply, reply + 3, strlen(reply + 3) + 1);
		*body = reply;
		return 0;
	}
	const char *msg = strncmp(reply, "error\n", 6) == 0 ? reply + 6 : "malformed reply";
	r = sl_errorf(EPROTO, "sandbox '%s': %s", name, msg);
	free(reply);
	return r;
}

/* A request whose reply is text for the caller. */
static char *text_of(const char *name, const char *req)
{
	sl_error_clear();
	if (!name)
		return sl_errorf(EINVAL, "name is NULL"), NULL;
	char *body;
	return request(name, req, &body) < 0 ? NULL : body;
}

SL_API char *sandlock_running_info(const char *name)
{
	return text_of(name, "info");
}

SL_API char *sandlock_running_profile(const char *name)
{
	return text_of(name, "profile");
}

SL_API int sandlock_running_signal(const char *name, const char *action)
{
	sl_error_clear();
	if (!name || !action)
		return sl_errorf(EINVAL, "name or action is NULL"), -1;
	if (strcmp(action, "pause") && strcmp(action, "resume") && strcmp(action, "kill"))
		return sl_errorf(EINVAL, "action '%s' is not pause, resume or kill", action), -1;
	char *body;
	int r = request(name, action, &body);
	free(body);
	return r < 0 ? -1 : 0;
}

SL_API char *sandlock_running_list(void)
{
	sl_error_clear();
	struct sl_strv names;
	if (runtime_names(&names) < 0)
		return NULL;
	struct jsonw w = {0};
	jsonw_raw(&w, "[");
	bool first = true;
	for (size_t i = 0; i < names.n; i++) {
		char *body;
		/* one that ended since it was listed is no longer running */
		if (request(names.v[i], "info", &body) < 0)
			continue;
		body[strcspn(body, "\n")] = 0;
		jsonw_raw(&w, first ? "\n" : ",\n");
		jsonw_raw(&w, body);
		first = false;
		free(body);
	}
	sl_strv_free(&names);
	sl_error_clear();
	jsonw_raw(&w, first ? "]\n" : "\n]\n");
	char *out;
	if (jsonw_end(&w, &out) < 0)
		return sl_errorf(ENOMEM, "out of memory"), NULL;
	return out;
}
