/* SPDX-License-Identifier: Apache-2.0 */
/*
 * landlock.h - Landlock rulesets.
 *
 * The parent builds the complete ruleset (path fds opened and rules added)
 * before fork; the child only calls landlock_restrict_self() on the
 * inherited ruleset fd.  Debian 12's 6.1 headers stop at ABI 2, so the
 * later constants and the extended attribute structs are defined here.
 */
#ifndef SL_LANDLOCK_H
#define SL_LANDLOCK_H

#include <linux/landlock.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

struct sl_strv;
struct sl_u32v;

#define SL_MIN_LANDLOCK_ABI 6

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP	(1ULL << 0)
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LANDLOCK_SCOPE_SIGNAL		    (1ULL << 1)
#endif
#define SL_LANDLOCK_RULE_NET_PORT 2
/* ABI 7: log the refusals after the exec too (audit) */
#ifndef LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON
#define LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)
#endif
/* and nothing of the domains the command makes under ours: their first
 * refusal's record would name the command's pid, and a host running its
 * own program as the command could not tell it from ours (kaudit.h) */
#ifndef LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF
#define LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF (1U << 2)
#endif

/* The rights of a read grant (fs_read). */
#define SL_FS_READ                                                                                 \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)

/* Rights that apply to a file (not a directory); adding others to a file
 * rule is EINVAL. */
#define SL_FS_FILE_RIGHTS                                                                          \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |                              \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |                              \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV)

/* struct landlock_ruleset_attr as of ABI 6 (the 6.1 header has only the
 * first field; the kernel accepts the larger struct by its size). */
struct sl_landlock_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct sl_landlock_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

/* What the ruleset covers. */
struct landlock_req {
	const struct sl_strv *read;	     /* read + execute trees */
	const struct sl_strv *write;	     /* read + write trees */
	const struct sl_strv *deny;	     /* fs_denied: never granted (fsdeny.h) */
	bool handle_bind, handle_connect;    /* handle TCP bind / connect */
	const struct sl_u32v *bind_ports;    /* allowed TCP bind ports */
	const struct sl_u32v *connect_ports; /* allowed TCP connect ports */
	const char *start_dir;		     /* where the command starts (NULL: ours) */
	uint32_t skip; /* protections not applied (bits 1 << SANDLOCK_PROTECTION_*) */
	/* the supervisor's proc view: procfs gets no right (fsspecial.h) */
	bool proc_view;
	/* a seccomp copy-on-write workdir (canonical), or NULL: it gets no
	 * right at all, a granted tree holding it expanded around it (the
	 * layer serves every call there; its programs run from copies in
	 * the upper, cowsteer.c) */
	const char *cow_hidden;
};

/* The kernel's Landlock ABI version, or -errno (ENOSYS/EOPNOTSUPP when
 * Landlock is missing or disabled). */
int landlock_abi(void);

/* The protections of a policy that are left out on this kernel: those
 * disabled, and those degradable the kernel lacks (bits 1 << protection).
 * The ABI in *abi, or -errno with a message: Landlock missing, or a
 * protection the kernel lacks that may not be left out (the message names
 * each). */
int landlock_require(uint32_t degradable, uint32_t disabled, uint32_t *skip);
/* The same from an ABI already read (unit tests). */
int landlock_require_abi(int abi, uint32_t degradable, uint32_t disabled, uint32_t *skip);

/* Builds a ruleset fd (O_CLOEXEC) for req.  A granted tree with a denied
 * path beneath it is expanded around it (fsdeny.h).  -errno with a message
 * naming the path or rule that failed. */
int landlock_build(const struct landlock_req *req, int abi);
/* A ruleset that handles TCP connects only, allowing those to ports (a
 * worker thread's, to answer a connect made for the sandbox as the
 * sandbox's own rules would): an fd, or -errno with a message. */
int landlock_connect_ruleset(const struct sl_u32v *ports);
/* Whether landlock_build() will read the mount table (and, as root,
 * search for device nodes): the slow part of planning. */
bool landlock_reads_mounts(const struct landlock_req *req);
/* Every filesystem right a ruleset handles on this ABI, less the skipped
 * protections: what a write grant carries. */
uint64_t landlock_fs_rights(int abi, uint32_t skip);

/* Async-signal-safe: enforce a ruleset on the calling thread. */
static inline int landlock_restrict(int ruleset_fd)
{
	return (int)syscall(__NR_landlock_restrict_self, ruleset_fd, 0U);
}

#endif
