/* SPDX-License-Identifier: Apache-2.0 */
/*
 * observe.h - what a call asks of the filesystem or the network, decoded
 * from its notification, for the features that watch without deciding
 * (learn: what a trial run needs; explain: what Landlock is about to
 * refuse).
 *
 * One table of notify rules (every open, exec, name-changing call,
 * connect and bind) and one decoder: each call becomes one or two events
 * (a rename removes a name and makes one) handed to the feature's sink.
 * The path is read once from the child's memory, as given: the sinks
 * report on it and never decide, so a process that rewrites its buffer
 * after the read only misleads its own report.
 */
#ifndef SL_OBSERVE_H
#define SL_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feature.h"

enum obs_op {
	OBS_READ,    /* opened for reading (or a link's source) */
	OBS_WRITE,   /* opened for writing, or truncated */
	OBS_CREATE,  /* a name made (O_CREAT, mkdir, mknod, a rename's or link's target) */
	OBS_REMOVE,  /* a name removed (unlink, rmdir, a rename's source) */
	OBS_EXEC,    /* executed */
	OBS_CONNECT, /* a connect: inet host:port, or a unix socket's path */
	OBS_BIND,    /* a bind of an inet port */
	OBS_LOOKUP,  /* a DNS query sent (over UDP): the name asked for */
};

struct obs_event {
	enum obs_op op;
	/* the filesystem events: the path as given, from dirfd (AT_FDCWD:
	 * the thread's working directory); nofollow: its last component is
	 * not followed */
	int dirfd;
	const char *path;
	bool nofollow;
	/* OBS_CONNECT: "host:port" (IPv6 in brackets) or a unix path
	 * (unix true); OBS_BIND: the port; OBS_LOOKUP: the name */
	const char *addr;
	bool unix_path;
	uint16_t port;
};

typedef void (*obs_sink)(struct sl_ctx *c, const struct obs_event *e, void *arg);

/* The notify rules, each routed to fn (the feature's handler, which
 * calls observe_call): rules() of struct sl_feature.  lookups: the sends
 * too (sendto, sendmmsg), for the DNS queries among them. */
size_t observe_rules(sl_hfn fn, bool lookups, struct sl_frule *out, size_t max);

/* The name a DNS query asks for (a standard query of one question, class
 * IN), in out; false when buf is no such query.  Pure (unit-tested). */
bool observe_dns_query(const unsigned char *buf, size_t len, char *out, size_t size);

/* Decodes the notified call into events for sink.  Leaves the action to
 * the caller. */
void observe_call(struct sl_ctx *c, obs_sink sink, void *arg);

/* The path of e made absolute, from its dirfd's target or the thread's
 * working directory as /proc shows them, "." and ".." folded (symlinks
 * left alone); false when it cannot be told. */
bool observe_abs_path(struct sl_ctx *c, const struct obs_event *e, char *out, size_t size);

/* "." and ".." folded, repeated slashes dropped, in place. */
void observe_fold(char *p);

#endif
