/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control.h - a running sandbox's control socket, served in its loop.
 *
 * The name is claimed in the runtime directory (runtime.h) before the
 * sandbox starts, so a second live sandbox of that name fails before
 * anything runs.  Once the supervisor runs, the socket is registered in
 * its event loop: each connection of a peer with our euid (SO_PEERCRED,
 * the kernel's word; any other is closed unanswered) sends one request
 * and gets one reply, both one SOCK_SEQPACKET message:
 *
 *   info     "ok\n" + a JSON object: name, pids, start time, state,
 *            command, processes, limits, and what the features add
 *   profile  "ok\n" + the profile (TOML) the creator attached, if any
 *   pause, resume, kill
 *            "ok\n" once the signal went to every process of the sandbox
 *
 * and "error\n" + a message otherwise.  Nothing here blocks the loop:
 * the sockets are non-blocking, a connection with nothing to say is
 * dropped when CONTROL_CONNS newer ones wait.
 */
#ifndef SL_CONTROL_H
#define SL_CONTROL_H

#include "runtime.h"

#define CONTROL_CONNS 8

struct sl_evloop;
struct sl_ev;

/* What the owner of the sandbox answers with (on the loop's thread). */
struct control_ops {
	void *arg;
	/* the info object (malloc'd JSON) in *out: 0 or -errno */
	int (*info)(void *arg, char **out);
	/* sends SIGSTOP, SIGCONT or SIGKILL to the sandbox: 0 or -errno */
	int (*signal)(void *arg, int sig);
};

struct control;

struct control_conn {
	struct control *ctl;
	int fd;
	struct sl_ev *ev;
	unsigned long seq; /* age, to drop the oldest */
};

struct control {
	bool claimed;
	struct runtime_claim claim;
	struct sl_evloop *loop;
	struct sl_ev *ev;
	struct control_ops ops;
	char *profile; /* owned, or NULL */
	struct control_conn conns[CONTROL_CONNS];
	unsigned long seq;
};

/* Claims name (runtime_claim) and keeps a copy of profile (may be NULL).
 * 0 or -errno with a message. */
int control_claim(struct control *c, const char *name, const char *profile);
/* Serves the socket in loop.  0 or -errno with a message. */
int control_serve(struct control *c, struct sl_evloop *loop, const struct control_ops *ops);
/* Stops serving (the loop must still be alive), removes the runtime
 * entry, frees everything.  A never-claimed c (zeroed) is a no-op. */
void control_release(struct control *c);

#endif
