/* SPDX-License-Identifier: Apache-2.0 */
/*
 * synthetic.h - synthetic files: a host file whose content the supervisor
 * makes for the sandbox (a view).
 *
 * synthetic.c serves every view from one notified open: the path is
 * resolved once, and the object's identity (st_dev, st_ino) is compared
 * with each view's real file, taken at set-up.  A view is a row of its
 * table: the real file's path and a builder of the content, made once
 * (a fixed view) or at each open (a live one); the builders live with
 * what they describe (hostname.c: the files that name the sandbox;
 * portremap.c: the sandbox's TCP sockets).
 */
#ifndef SL_SYNTHETIC_H
#define SL_SYNTHETIC_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct sandlock_sandbox;
struct netplan_pin;

/* What a view's content is made from: the sandbox's, fixed at set-up. */
struct synth_src {
	const char *name; /* the sandbox's name (its uname nodename) */
	const struct sandlock_sandbox *policy;
	/* Pinned after the fixed lines of /etc/hosts: the addresses the
	 * network rules' host names resolved to (netplan.h). */
	const struct netplan_pin *pins;
	size_t npins;
	/* num_cpus, 0 when not set: the CPUs the sandbox sees (cpus.c) */
	unsigned ncpus;
	/* The real file's content on the host, for a view that filters it
	 * (its row's .filters): read at its first match, NULL otherwise or
	 * when unreadable. */
	const char *host;
	size_t host_len;
};

/* Appends the whole content of a view to out: 0 or -errno.  Pure:
 * called once per sandbox, at the first open that needs the view, its
 * result kept. */
typedef int (*synth_build_fn)(struct sl_buf *out, const struct synth_src *src);

struct sl_ctx;
/* Appends the content of a view made afresh at each open (what it shows
 * changes while the sandbox runs), as the opener (c) sees it: 0 or
 * -errno.  Runs on the engine's thread, at the open. */
typedef int (*synth_live_fn)(struct sl_buf *out, struct sl_ctx *c);

/* /etc/hostname: "<name>\n". */
int hostname_file(struct sl_buf *out, const struct synth_src *src);
/* /etc/hosts: the loopback names, "127.0.1.1 <name>", then one line per
 * pin, each '\n'-terminated.  -EINVAL for a pin that is not one word
 * (empty, white space or '#' in it: it would break or hide a line). */
int hostname_hosts(struct sl_buf *out, const struct synth_src *src);

/* /sys/devices/system/cpu/{online,possible,present}: "0-<ncpus - 1>\n"
 * ("0\n" for one). */
int cpus_range(struct sl_buf *out, const struct synth_src *src);
/* /proc/cpuinfo: the host's first ncpus processor blocks, numbered from 0
 * (cpus_cpuinfo_keep); a made-up block per CPU when the host's text has
 * none this parser knows. */
int cpus_cpuinfo(struct sl_buf *out, const struct synth_src *src);
/* Pure: the blocks of text (separated by an empty line) that begin with a
 * "processor\t: K" line, the first n of them, each renumbered 0..n-1,
 * appended to out; other blocks kept as they are.  Returns how many
 * processor blocks it kept, or -ENOMEM. */
int cpus_cpuinfo_keep(struct sl_buf *out, const char *text, size_t len, unsigned n);
/* /proc/net/tcp and tcp6 under port_remap (portremap.c): the opener's
 * table, only the lines of the sandbox's own ports, each shown as its
 * virtual port; the header always. */
int portremap_tcp4_file(struct sl_buf *out, struct sl_ctx *c);
int portremap_tcp6_file(struct sl_buf *out, struct sl_ctx *c);
/* /proc/meminfo under max_memory (meminfo.c): the limit as MemTotal, what
 * is left of it free and available, cache and swap 0. */
int meminfo_file(struct sl_buf *out, struct sl_ctx *c);
bool meminfo_on(const struct sandlock_sandbox *policy);
/* /proc/locks, /proc/net/netlink, /proc/sysvipc/{shm,msg} (proclists.c):
 * the host's lists, only the locks whose holder is a process of the
 * sandbox (numbered again), the sockets whose port id names none
 * outside, the segments and queues whose pids are the sandbox's. */
int proclists_locks(struct sl_buf *out, struct sl_ctx *c);
int proclists_netlink(struct sl_buf *out, struct sl_ctx *c);
int proclists_shm(struct sl_buf *out, struct sl_ctx *c);
int proclists_msg(struct sl_buf *out, struct sl_ctx *c);
/* A cgroup's pid list read from fd (cgroupview.c): the lines of the
 * members' pids, or with threads of their threads' ids. */
int proclists_cgroup(struct sl_buf *out, struct sl_ctx *c, int fd, bool threads);

/* A read-only fd of a sealed memfd holding text (r < 0: the builder's
 * error, passed on), which is freed, named as path's last component (an
 * absolute path): a live view's open.  The fd, or -errno. */
int synthetic_view_fd(const char *path, struct sl_buf *text, int r);
/* Whether policy has those views (port_remap). */
bool portremap_on(const struct sandlock_sandbox *policy);

#endif
