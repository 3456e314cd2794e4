/* SPDX-License-Identifier: Apache-2.0 */
/*
 * handle_info.c - what a running sandbox's control socket says about it
 * (control.h): the info object.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "handle.h"
#include "jsonw.h"

/* The bytes of JSON the command line takes in the info at most.  A reply
 * is one message, bounded by the socket's send buffer (212992 bytes by
 * default): a command line of up to ARG_MAX (each argument up to 128 KiB,
 * six times that escaped) would leave every info reply unsent, and the
 * sandbox out of `ps`. */
#define INFO_COMMAND_MAX (32 * 1024)

static void limits(struct jsonw *w, const sandlock_sandbox_t *p)
{
	jsonw_raw(w, ",\"limits\":{\"max_processes\":");
	jsonw_u64(w, p->max_processes);
	if (p->max_memory.set) {
		jsonw_raw(w, ",\"max_memory\":");
		jsonw_u64(w, p->max_memory.v);
	}
	if (p->max_cpu.set) {
		jsonw_raw(w, ",\"max_cpu\":");
		jsonw_u64(w, p->max_cpu.v);
	}
	if (p->max_open_files.set) {
		jsonw_raw(w, ",\"max_open_files\":");
		jsonw_u64(w, p->max_open_files.v);
	}
	jsonw_raw(w, "}");
}

/* The arguments that fit INFO_COMMAND_MAX, then "..." for the rest. */
static void command(struct jsonw *w, const char *const *argv, unsigned int argc)
{
	size_t used = 0;
	for (unsigned int i = 0; i < argc && !w->err; i++) {
		struct jsonw one = {0};
		char *arg = NULL;
		jsonw_raw(&one, i ? "," : "");
		jsonw_str(&one, argv[i]);
		if (jsonw_end(&one, &arg) < 0) {
			w->err = -ENOMEM;
			return;
		}
		used += strlen(arg);
		jsonw_raw(w, used <= INFO_COMMAND_MAX ? arg : i ? ",\"...\"" : "\"...\"");
		free(arg);
		if (used > INFO_COMMAND_MAX)
			return;
	}
}

int handle_info_fix(sandlock_handle_t *h, const sandlock_sandbox_t *policy, const char *const *argv,
		    unsigned int argc)
{
	struct jsonw w = {0};
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	jsonw_key(&w, "name");
	jsonw_str(&w, h->name);
	jsonw_raw(&w, ",\"supervisor_pid\":");
	jsonw_i64(&w, getpid());
	jsonw_raw(&w, ",\"uid\":");
	jsonw_u64(&w, geteuid());
	jsonw_raw(&w, ",\"started\":");
	jsonw_i64(&w, (int64_t)now.tv_sec);
	jsonw_raw(&w, ",\"socket\":");
	jsonw_str(&w, h->ctl.claim.addr.sun_path);
	jsonw_raw(&w, ",\"command\":[");
	command(&w, argv, argc);
	jsonw_raw(&w, "]");
	limits(&w, policy);
	return jsonw_end(&w, &h->info_fixed);
}

int handle_info(void *arg, char **out)
{
	sandlock_handle_t *h = arg;
	struct jsonw w = {0};
	jsonw_raw(&w, "{");
	jsonw_raw(&w, h->info_fixed);
	jsonw_raw(&w, ",\"pid\":");
	jsonw_i64(&w, h->proc.pid);
	jsonw_raw(&w, ",\"uptime_ms\":");
	jsonw_i64(&w, sl_now_ms() - h->born_ms);
	/* the engine lives until finish(), which stops the socket first */
	if (h->sup.lock_init)
		supervisor_describe(&h->sup, &w);
	jsonw_raw(&w, "}\n");
	return jsonw_end(&w, out);
}
