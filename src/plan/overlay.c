/* SPDX-License-Identifier: Apache-2.0 */
/* overlay.c - the overlay over the workdir: planned here, mounted by the
 * child (overlay.h). */
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "cow.h"
#include "error.h"
#include "plan.h"
#include "rawsys.h"
#include "util.h"

bool overlay_user_xattr(void)
{
	/* root with CAP_SYS_ADMIN mounts in the initial user namespace,
	 * where overlayfs writes trusted.* xattrs */
	return !(geteuid() == 0 && sl_caps_effective(CAP_SYS_ADMIN));
}

/* A sysctl that reads "0": the setting that forbids a user namespace. */
static bool sysctl_zero(const char *path)
{
	char buf[32] = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 && buf[0] == '0' && (buf[1] == '\n' || buf[1] == 0);
}

static int check_userns(void)
{
	static const char *const knobs[] = {"/proc/sys/user/max_user_namespaces",
					    "/proc/sys/kernel/unprivileged_userns_clone"};
	for (size_t i = 0; i < 2; i++)
		if (sysctl_zero(knobs[i]))
			return sl_errorf(EPERM,
					 "fs_isolation overlayfs: an unprivileged overlay needs a "
					 "user namespace, and %s is 0",
					 knobs[i]);
	return 0;
}

/* overlayfs splits its options at ',' and its layers at ':' (with '\'
 * escapes): such a path is refused rather than escaped. */
static int check_path(const char *what, const char *path)
{
	if (strpbrk(path, ",:\\\n"))
		return sl_errorf(EINVAL,
				 "fs_isolation overlayfs: the %s '%s' has a ',', ':', '\\' or "
				 "newline, which overlayfs's options cannot carry",
				 what, path);
	return 0;
}

#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif

/* max_disk: a tmpfs of that size at <branch>/quota holds upper and
 * work (writes beyond it: ENOSPC); 0: a tmpfs of the kernel's default
 * size (half the memory), for a storage that cannot hold the upper. */
static int plan_quota(struct sl_overlay *o, const struct cow_branch *b, uint64_t max_disk)
{
	o->quota = true;
	int n = max_disk
		    ? asprintf(&o->quota_data, "size=%llu,mode=0700", (unsigned long long)max_disk)
		    : asprintf(&o->quota_data, "mode=0700");
	if (n < 0) {
		o->quota_data = NULL;
		return -ENOMEM;
	}
	if (asprintf(&o->quota_dir, "%s/quota", b->dir) < 0 ||
	    asprintf(&o->quota_upper, "%s/upper", o->quota_dir) < 0 ||
	    asprintf(&o->quota_work, "%s/work", o->quota_dir) < 0)
		return -ENOMEM;
	return 0;
}

/* Whether the storage can hold an overlay's upper.  overlayfs cannot
 * ("not supported as upperdir"), and it is the root filesystem of most
 * containers, where $TMPDIR lies: the upper then lives in a tmpfs, which
 * ends with the run, so keep is refused there, naming a way out.  1: use
 * a tmpfs; 0: the storage will do; -errno with a message. */
static int storage_needs_tmpfs(const struct cow_branch *b, bool keep)
{
	struct statfs sf;
	if (statfs(b->dir, &sf) < 0)
		return sl_errorf(errno, "fs_storage '%s': %s", b->dir, strerror(errno));
	if ((unsigned long)sf.f_type != OVERLAYFS_SUPER_MAGIC)
		return 0;
	if (keep)
		return sl_errorf(ENOTSUP,
				 "fs_isolation overlayfs: the staged changes' storage '%s' is on "
				 "overlayfs (as in a container), which cannot hold an overlay's "
				 "upper layer, and keep needs them on disk: set fs_storage to a "
				 "directory on another filesystem (a volume, /dev/shm)",
				 b->dir);
	return 1;
}

int overlay_plan(struct sl_overlay *o, const struct cow_branch *b, uint64_t rights,
		 uint64_t max_disk, bool keep)
{
	*o = (struct sl_overlay){.on = true, .userns = overlay_user_xattr(), .rights = rights};
	int r;
	if ((r = check_path("workdir", b->workdir)) < 0 || (r = check_path("storage", b->dir)) < 0)
		return r;
	/* uid 0 mapped into a user namespace of its own would be that
	 * namespace's root at exec, with every capability there */
	if (o->userns && geteuid() == 0)
		return sl_errorf(ENOTSUP,
				 "fs_isolation overlayfs: uid 0 without CAP_SYS_ADMIN would mount "
				 "its overlay in a user namespace, where it regains every "
				 "capability at exec; not supported");
	if (o->userns && (r = check_userns()) < 0)
		return r;
	int tmpfs = max_disk ? 1 : storage_needs_tmpfs(b, keep);
	if (tmpfs < 0)
		return tmpfs;
	if ((tmpfs && plan_quota(o, b, max_disk) < 0) || !(o->target = strdup(b->workdir)) ||
	    !(o->hide = strdup(b->dir)) ||
	    asprintf(
		&o->data,
		"lowerdir=%s,upperdir=%s,workdir=%s%s,redirect_dir=nofollow,index=off,metacopy=off",
		b->workdir, o->quota ? o->quota_upper : b->upper,
		o->quota ? o->quota_work : b->work, o->userns ? ",userxattr" : "") < 0) {
		o->data = NULL;
		overlay_release(o);
		return sl_errorf(ENOMEM, "out of memory");
	}
	snprintf(o->uid_map, sizeof(o->uid_map), "%u %u 1\n", (unsigned)geteuid(),
		 (unsigned)geteuid());
	snprintf(o->gid_map, sizeof(o->gid_map), "%u %u 1\n", (unsigned)getegid(),
		 (unsigned)getegid());
	return 0;
}

int overlay_check_denied(const struct sl_strv *deny, const char *workdir)
{
	size_t wn = strlen(workdir);
	for (size_t i = 0; i < deny->n; i++) {
		char *d = realpath(deny->v[i], NULL);
		if (!d)
			continue; /* gone: it denies nothing the overlay shows */
		size_t dn = strlen(d);
		bool inside = !strncmp(d, workdir, wn) && (d[wn] == '/' || d[wn] == 0 || wn == 1);
		bool holds = !strncmp(workdir, d, dn) && (workdir[dn] == '/' || dn == 1);
		free(d);
		if (inside || holds)
			return sl_errorf(
			    ENOTSUP,
			    "not supported yet: fs_deny '%s' %s the workdir '%s' with "
			    "fs_isolation overlayfs (the overlay is one writable tree)",
			    deny->v[i], inside ? "inside" : "holding", workdir);
	}
	return 0;
}

void overlay_release(struct sl_overlay *o)
{
	free(o->target);
	free(o->data);
	free(o->quota_dir);
	free(o->quota_data);
	free(o->quota_upper);
	free(o->quota_work);
	free(o->hide);
	*o = (struct sl_overlay){0};
}

/* ---- child: raw syscalls only ------------------------------------------- */

static long write_file(const char *path, const char *s)
{
	long fd = sl_sys3(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fd;
	size_t n = 0;
	while (s[n])
		n++;
	long r = sl_sys3(SYS_write, fd, s, n);
	sl_sys1(SYS_close, fd);
	return r < 0 ? r : (size_t)r == n ? 0 : -EIO;
}

/* The quota's tmpfs, its upper and work, and its root for the parent. */
static long mount_quota(const struct sl_overlay *o, int *quota_fd)
{
	long r =
	    sl_sys5(SYS_mount, "tmpfs", o->quota_dir, "tmpfs", MS_NOSUID | MS_NODEV, o->quota_data);
	if (r == 0 && (r = sl_sys3(SYS_mkdirat, AT_FDCWD, o->quota_upper, 0755)) == 0)
		r = sl_sys3(SYS_mkdirat, AT_FDCWD, o->quota_work, 0700);
	if (r == 0 && (r = sl_sys3(SYS_openat, AT_FDCWD, o->quota_dir,
				   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		*quota_fd = (int)r;
		r = 0;
	}
	return r;
}

long overlay_child_mount(const struct sl_overlay *o, int *step, int *quota_fd)
{
	long r;
	*step = SL_STEP_USERNS;
	if (o->userns) {
		if ((r = sl_sys1(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNS)) < 0 ||
		    (r = write_file("/proc/self/uid_map", o->uid_map)) < 0 ||
		    (r = write_file("/proc/self/setgroups", "deny")) < 0 ||
		    (r = write_file("/proc/self/gid_map", o->gid_map)) < 0)
			return r;
	} else if ((r = sl_sys1(SYS_unshare, CLONE_NEWNS)) < 0) {
		return r;
	}
	*step = SL_STEP_OVERLAY;
	/* nothing we mount may show on the host */
	if ((r = sl_sys5(SYS_mount, 0, "/", 0, MS_REC | MS_PRIVATE, 0)) < 0)
		return r;
	if (o->quota && (r = mount_quota(o, quota_fd)) < 0)
		return r;
	if ((r = sl_sys5(SYS_mount, "overlay", o->target, "overlay", 0, o->data)) < 0)
		return r;
	/* the overlay holds its upper and work by reference now: the path
	 * to them leads to an empty, read-only, mode-000 tmpfs from here on
	 * (this namespace only; the command cannot unmount it) */
	return sl_sys5(SYS_mount, "tmpfs", o->hide, "tmpfs",
		       MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		       "mode=000,size=4k,nr_inodes=1");
}

long overlay_child_root(const struct sl_overlay *o)
{
	return sl_sys3(SYS_openat, AT_FDCWD, o->target, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

long overlay_child_rule(const struct sl_overlay *o, int ruleset, int root)
{
	struct landlock_path_beneath_attr pb = {.allowed_access = o->rights, .parent_fd = root};
	return sl_sys4(__NR_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
}
