/* SPDX-License-Identifier: Apache-2.0 */
/*
 * handle_info.c - what a running sandbox's control socket says about it
 * (control.h): the info object, and the signals it may be sent.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "handle.h"
#include "jsonw.h"

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
	for (unsigned int i = 0; i < argc; i++) {
		if (i)
			jsonw_raw(&w, ",");
		jsonw_str(&w, argv[i]);
	}
	jsonw_raw(&w, "]");
	limits(&w, policy);
	return jsonw_end(&w, &h->info_fixed);
}

static int info(void *arg, char **out)
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

static int signal_it(void *arg, int sig)
{
	return handle_signal(arg, sig);
}

const struct control_ops handle_control_ops = {.info = info, .signal = signal_it};
