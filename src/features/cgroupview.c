/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroupview.c - the cgroup filesystems as the sandbox sees them.
 *
 * A cgroup's cgroup.procs and cgroup.threads (v2; v1 has cgroup.procs
 * and tasks) list the ids of every process and thread in it: the host's
 * login session, a container's other processes.  A sandbox granted the
 * read of /sys/fs/cgroup, or of a tree holding it, would read the pids of
 * processes outside it there, which the proc view promises it never
 * learns by listing.  So a cgroup mount gets no Landlock right at all
 * (fsspecial.c, as procfs), and every open of an object on one is decided
 * here (synthetic.c resolves each open once and hands these over):
 *   - O_PATH: the kernel's (Landlock checks nothing; the file reads
 *     nothing; an open through it comes back here);
 *   - a write, a truncation: EACCES, as a write grant on a kernel pseudo
 *     filesystem is refused;
 *   - else the path is resolved again as a read the policy must grant (the
 *     on-behalf core's walk over the granted trees), the object checked
 *     again, and reopened by the supervisor with the child's credentials.
 *     A pid list is then read whole and served as a view that keeps the
 *     sandbox's own processes (and threads) only; anything else is
 *     injected as it is.
 * A path another thread rewrites after the check is continued only when
 * its second resolution lands off cgroupfs: rewritten back, the kernel
 * meets Landlock's refusal.  The list is told by its name, the kernel's
 * (d_path of our fd): a cgroup's interface files cannot be renamed (only
 * its directories can) and no directory can take a file's name beside it.
 * A file that is a mount's root (bind-mounted by itself) prints as its
 * mount point, a name the host chose: it is refused.
 */
#include "cgroupview.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "feature.h"
#include "onbehalf.h"
#include "procview.h"
#include "synthetic.h"
#include "util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif
#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

/* The second resolution's object is off cgroupfs: the kernel opens it. */
#define CG_CONTINUE (-400000L)

enum cg_list { CG_NONE, CG_PROCS, CG_THREADS };

struct cg_open {
	uint64_t flags;
	enum cg_list list; /* out */
};

bool cgroupview_object(const struct ob_obj *o)
{
	struct statfs sf;
	/* a pseudo filesystem's device is an anonymous one (major 0): an
	 * object on a disk needs no question to the filesystem */
	return major(o->st.st_dev) == 0 && fstatfs(o->fd, &sf) == 0 &&
	       (sf.f_type == CGROUP2_SUPER_MAGIC || sf.f_type == CGROUP_SUPER_MAGIC);
}

/* Whether o is the root of a mount: a file bind-mounted by itself prints
 * as its mount point (d_path), a name the host chose (cgroup.procs
 * mounted on /srv/x/file, or over a cgroup's memory.max).  A kernel
 * without the attribute cannot tell: as if it were. */
static bool mount_root(int fd)
{
	struct statx sx;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) < 0 ||
	    !(sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return true;
	return (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
}

/* Which list a regular file of a cgroup is, by its name: 0 or -errno
 * (its name unknown: refused, not served). */
static int list_of(const struct ob_obj *o, enum cg_list *out)
{
	char path[PATH_MAX];
	*out = CG_NONE;
	if (!S_ISREG(o->st.st_mode))
		return 0;
	/* its name is not the kernel's: which file it is is unknown */
	if (mount_root(o->fd))
		return -EACCES;
	int r = procview_fd_path(o->fd, path, sizeof(path));
	if (r < 0)
		return r == -ENAMETOOLONG ? -EACCES : r;
	/* a removed cgroup's file prints so (its node gone) */
	size_t len = strlen(path);
	if (len > 10 && !strcmp(path + len - 10, " (deleted)"))
		path[len - 10] = 0;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!strcmp(base, "cgroup.procs"))
		*out = CG_PROCS;
	else if (!strcmp(base, "cgroup.threads") || !strcmp(base, "tasks"))
		*out = CG_THREADS;
	return 0;
}

/* With the child's credentials, on the object of the second resolution. */
static long reopen(const struct ob_obj *o, void *arg)
{
	struct cg_open *q = arg;
	if (!cgroupview_object(o))
		return CG_CONTINUE;
	int r = list_of(o, &q->list);
	return r < 0 ? r : procview_reopen(o, q->flags);
}

/* The view of the list open at fd (closed): an fd, or -errno. */
static int view(struct sl_ctx *c, int fd, enum cg_list list)
{
	struct sl_buf text = {0};
	int r = proclists_cgroup(&text, c, fd, list == CG_THREADS);
	close(fd);
	return synthetic_view_fd(list == CG_THREADS ? "/cgroup.threads" : "/cgroup.procs", &text,
				 r);
}

void cgroupview_open(struct onbehalf *ob, struct sl_ctx *c, int dirfd, const char *path,
		     uint64_t flags, struct sl_action *a)
{
	if (flags & O_PATH) {
		*a = sl_act_continue();
		return;
	}
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)) {
		*a = sl_act_errno(EACCES);
		return;
	}
	struct cg_open q = {.flags = flags};
	struct ob_req r = {.dirfd = dirfd,
			   .path = path,
			   .flags = (flags & O_NOFOLLOW) ? OB_NOFOLLOW : 0,
			   .need = OB_READ,
			   .op = reopen,
			   .arg = &q};
	long fd = onbehalf_run(ob, c, &r);
	if (fd >= 0 && q.list != CG_NONE)
		fd = view(c, (int)fd, q.list);
	if (fd == CG_CONTINUE)
		*a = sl_act_continue();
	else
		*a = sl_act_opened(fd, flags);
}
