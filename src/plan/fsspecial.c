/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsspecial.c - kernel pseudo filesystems and root's device nodes (see
 * fsspecial.h).
 *
 * Pseudo filesystems.  The list is of filesystems whose files are kernel
 * controls: a write there acts on the kernel or on processes and objects
 * outside the sandbox, with only the owner bits in the way (the sandbox
 * keeps its uid; as root, /proc/sys and sysfs check uid 0, not a
 * capability, and cgroupfs and the rest are root's files).  Not on it:
 * tmpfs and ramfs (plain memory), devtmpfs (its danger is the device
 * nodes, handled below, and commands write /dev/null and /dev/tty),
 * devpts (terminals), mqueue (queues the caller's uid owns), hugetlbfs
 * (memory), autofs (driven by ioctls on the automounter's own fd), nsfs
 * (namespace files cannot be written) and fuse (a user's server).
 *
 * A write grant whose mount, or a mount above it, is on the list is
 * refused.  Every other write grant holding such a mount is expanded
 * around it: the mount keeps what a read grant gives (a write grant reads
 * too), the directories above it no more than that.
 *
 * Devices.  Started as root, the sandbox keeps uid 0 without a
 * capability, and uid 0 owns the device nodes: their owner bits let it
 * read and write raw disks (every file's data, beneath every Landlock
 * rule), memory, the consoles, and the terminals of root's other
 * sessions (reading one steals the keystrokes typed there).  Granted:
 * non-devices, null, zero, full, random, urandom, tty, ptmx, the
 * terminal on our stdin, stdout or stderr (and 0:0, an overlayfs
 * whiteout, which opens nothing); a grant of anything else is refused.
 * Device nodes inside a granted tree are looked for where they can be
 * opened and are found in practice: mounts of devtmpfs, tmpfs, ramfs,
 * rootfs and devpts without nodev (/dev, a container's /dev, /dev/shm, an
 * initramfs root with a static /dev, /dev/pts), each searched
 * whole (without crossing into other mounts), plus every mount whose
 * mount point is itself a device node (a bind-mounted device).  Each one
 * found gets no right; the directories above it get READ_DIR at most, as
 * above a denied file, so what is made there later is not granted either
 * (a terminal of a later session, or one the sandbox opens itself
 * through ptmx: a program that needs its own terminal pair, run as root
 * with /dev/pts granted, cannot open the pair's slave by path).  An
 * overlay with a lower layer on such a filesystem (an overlay over /dev)
 * is searched too.  Disk filesystems, and overlays of disk filesystems only,
 * are not searched (a full walk of /usr costs about 250 ms): a device
 * node made with mknod on one stays reachable through a grant holding it
 * (docs/architecture.md says so).
 */
#include "fsspecial.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "error.h"
#include "fsdeny.h"
#include "landlock.h"
#include "mounts.h"
#include "util.h"

#define SCAN_MAX_DEPTH 256
#define LS	       ((uint64_t)LANDLOCK_ACCESS_FS_READ_DIR)

static const struct {
	const char *fstype, *reach;
} pseudo_fs[] = {
    {"proc", "other processes and the kernel"},
    {"sysfs", "the kernel and its devices"},
    {"cgroup", "the host's control groups"},
    {"cgroup2", "the host's control groups"},
    {"cpuset", "the host's control groups"},
    {"debugfs", "the kernel's debugging interfaces"},
    {"tracefs", "the kernel's tracing"},
    {"securityfs", "the security modules' policies"},
    {"selinuxfs", "the SELinux policy"},
    {"smackfs", "the Smack policy"},
    {"bpf", "pinned BPF programs and maps"},
    {"configfs", "kernel objects made through configfs"},
    {"efivarfs", "the firmware's variables"},
    {"pstore", "the kernel's saved crash records"},
    {"binfmt_misc", "how the kernel runs programs"},
    {"fusectl", "the FUSE connections"},
    {"nfsd", "the NFS server"},
    {"rpc_pipefs", "the kernel's RPC upcalls"},
    {"resctrl", "cache and memory bandwidth allocation"},
};

/* The same filesystems by their statfs f_type (linux/magic.h; cpuset is
 * a cgroup v1 mount), for a decision on an open file. */
static const unsigned long pseudo_magic[] = {
    PROC_SUPER_MAGIC,
    SYSFS_MAGIC,
    CGROUP_SUPER_MAGIC,
    CGROUP2_SUPER_MAGIC,
    DEBUGFS_MAGIC,
    TRACEFS_MAGIC,
    SECURITYFS_MAGIC,
    SELINUX_MAGIC,
    SMACK_MAGIC,
    BPF_FS_MAGIC,
    0x62656570 /* configfs */,
    EFIVARFS_MAGIC,
    PSTOREFS_MAGIC,
    BINFMTFS_MAGIC,
    0x65735543 /* fusectl */,
    0x6e667364 /* nfsd */,
    0x67596969 /* rpc_pipefs */,
    RDTGROUP_SUPER_MAGIC,
};

bool fsspecial_pseudo_magic(unsigned long f_type)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(pseudo_magic); i++)
		if ((uint32_t)f_type == (uint32_t)pseudo_magic[i])
			return true;
	return false;
}

const char *fsspecial_pseudo(const char *fstype)
{
	for (size_t i = 0; fstype && i < SL_ARRAY_SIZE(pseudo_fs); i++)
		if (!strcmp(fstype, pseudo_fs[i].fstype))
			return pseudo_fs[i].reach;
	return NULL;
}

bool fsspecial_device_allowed(mode_t mode, dev_t rdev)
{
	if (S_ISBLK(mode))
		return false;
	if (!S_ISCHR(mode))
		return true;
	unsigned int ma = major(rdev), mi = minor(rdev);
	if (ma == 0)
		return mi == 0; /* an overlayfs whiteout */
	if (ma == 1)		/* mem: null, zero, full, random, urandom */
		return mi == 3 || mi == 5 || mi == 7 || mi == 8 || mi == 9;
	if (ma == 5) /* tty, ptmx (not console: 5:1) */
		return mi == 0 || mi == 2;
	return false;
}

bool fsspecial_host_tty(dev_t rdev)
{
	for (int fd = 0; fd <= 2; fd++) {
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == rdev)
			return true;
	}
	return false;
}

/* A device root may have: the safe set, or the terminal we run on. */
static bool device_ok(const struct stat *st)
{
	return fsspecial_device_allowed(st->st_mode, st->st_rdev) ||
	       (S_ISCHR(st->st_mode) && fsspecial_host_tty(st->st_rdev));
}

/* mounts_layer_fn: 1 when the layer is a lower one on a filesystem
 * searched for device nodes (devtmpfs is tmpfs to statfs; rootfs is
 * tmpfs or ramfs).  An upper layer holds only what was written through
 * the overlay (a node made there is mknod on the overlay, as on a disk
 * filesystem), and a live system's root is an overlay whose upper is a
 * tmpfs: searching it would walk the whole root at every start. */
static int searched_layer(void *ctx, const char *layer, bool upper)
{
	(void)ctx;
	if (upper)
		return 0;
	struct statfs sf;
	if (statfs(layer, &sf) < 0)
		return 0; /* gone since: nothing of it to show */
	return (uint32_t)sf.f_type == TMPFS_MAGIC || (uint32_t)sf.f_type == RAMFS_MAGIC ||
	       (uint32_t)sf.f_type == DEVPTS_SUPER_MAGIC;
}

bool fsspecial_scanned(const struct mounts_entry *e)
{
	if (mounts_has_opt(e, "nodev"))
		return false;
	/* An overlay shows its layers' device nodes as its own, and they
	 * open the device (an overlay over /dev): searched like its layers.
	 * (Out of memory reading its options: searched rather than not.) */
	if (!strcmp(e->fstype, "overlay"))
		return mounts_overlay_layers(e, searched_layer, NULL) != 0;
	return !strcmp(e->fstype, "devtmpfs") || !strcmp(e->fstype, "tmpfs") ||
	       !strcmp(e->fstype, "ramfs") || !strcmp(e->fstype, "rootfs") ||
	       !strcmp(e->fstype, "devpts");
}

/* 1 when the mount is the one found at its mount point, 0 when it is not
 * (hidden by a later mount, its point gone or out of our reach), -errno
 * when that cannot be told (a point deeper than PATH_MAX): the caller
 * refuses rather than guess. */
static int mount_state(const struct mounts_entry *e)
{
	int id, r = mounts_id(e->point, false, &id);
	/* (EACCES: a directory on the way we cannot search; the command,
	 * with our uid and fewer rights, cannot either) */
	if (r == -ENOENT || r == -ENOTDIR || r == -EACCES)
		return 0;
	return r < 0 ? r : id == e->id;
}

static int unexaminable(const struct mounts_entry *e, int err)
{
	return sl_errorf(-err,
			 "fs: the %s mount at %.200s cannot be examined (%s): sandlock cannot "
			 "tell what it reaches; unmount it or grant narrower trees",
			 e->fstype, e->point, strerror(-err));
}

int fsspecial_check_start_dir(const char *dir)
{
	if (dir)
		return 0; /* the child goes there by path: what the path shows */
	char *path = getcwd(NULL, 0);
	if (!path && errno == ENOENT)
		return 0; /* removed, or out of our root: no path reaches into it */
	if (!path)
		return sl_errorf(errno, "fs: the working directory: %s", strerror(errno));
	struct statx here, there;
	int r = 0;
	if (statx(AT_FDCWD, ".", 0, STATX_INO | STATX_MNT_ID, &here) < 0 ||
	    statx(AT_FDCWD, path, 0, STATX_INO | STATX_MNT_ID, &there) < 0 ||
	    here.stx_mnt_id != there.stx_mnt_id || here.stx_ino != there.stx_ino ||
	    here.stx_dev_major != there.stx_dev_major || here.stx_dev_minor != there.stx_dev_minor)
		r = sl_errorf(EPERM,
			      "fs: the working directory is not what its path %.200s shows now (a "
			      "later mount hides it): from there the command would reach files "
			      "no check of the grants saw; start from another directory or set "
			      "the working directory",
			      path);
	free(path);
	return r;
}

/* ---- pseudo filesystems ------------------------------------------------------------ */

/* The filesystems that get no Landlock right even under a read grant
 * (fsspecial_hide_proc): the proc and cgroup views serve theirs; the
 * others, what their files tell (lists), nothing serves. */
static const struct {
	const char *fstype, *who, *lists;
} hidden[] = {
    {"proc", "proc view", NULL},
    {"cgroup", "cgroup view", NULL},
    {"cgroup2", "cgroup view", NULL},
    {"cpuset", "cgroup view", NULL},
    {"debugfs", "kernel debugging", "list every task of the host by pid (sched/debug)"},
    {"tracefs", "kernel tracing", "list the traced tasks by pid (trace, saved_cmdlines)"},
    {"mqueue", "message queues", "name the pid a queue's notification is registered for"},
};

/* fstype's index in hidden, or its size. */
static size_t hidden_fs(const char *fstype)
{
	size_t k = 0;
	while (k < SL_ARRAY_SIZE(hidden) && strcmp(fstype, hidden[k].fstype) != 0)
		k++;
	return k;
}

/* A write grant on a pseudo filesystem, or on a mount beneath one, is
 * refused: its mount and the mounts above it, by the table's parent ids
 * (a mount missing from the table, as above a chroot, ends the walk). */
static int check_write(const struct mounts *mnts, const struct fs_grant *g)
{
	struct statx stx;
	if (statx(g->fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0)
		return sl_errorf(errno, "fs_write: %s: %s", g->path, strerror(errno));
	if (!(stx.stx_mask & STATX_MNT_ID))
		return sl_errorf(ENOSYS, "fs_write: %s: %s", g->path, strerror(ENOSYS));
	int id = (int)stx.stx_mnt_id;
	const struct mounts_entry *top = NULL, *e = mounts_find(mnts, id);
	for (size_t hops = 0; e && hops <= mnts->n; hops++) {
		if (fsspecial_pseudo(e->fstype))
			top = e;
		if (e->parent == e->id)
			break;
		e = mounts_find(mnts, e->parent);
	}
	if (!top)
		return 0;
	/* (the path only words the message: the tree itself, or inside) */
	char *canon = realpath(g->path, NULL);
	bool is = canon && top->id == id && !strcmp(canon, top->point);
	free(canon);
	return sl_errorf(EPERM,
			 "fs_write %s: the tree is %s%s (%s), where writes act on %s; grant the "
			 "directories the command writes instead",
			 g->path, is ? "" : "inside ", top->point, top->fstype,
			 fsspecial_pseudo(top->fstype));
}

/* A grant whose tree is (or lies inside) a mount nothing serves and
 * that gets no right (debugfs, tracefs, mqueue) is refused, not left to
 * fail at each open: its mount and the mounts above it, by the table's
 * parent ids. */
static int check_unserved(const struct mounts *mnts, const char *field, const struct fs_grant *g)
{
	struct statx stx;
	if (statx(g->fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0)
		return sl_errorf(errno, "%s: %s: %s", field, g->path, strerror(errno));
	if (!(stx.stx_mask & STATX_MNT_ID))
		return sl_errorf(ENOSYS, "%s: %s: %s", field, g->path, strerror(ENOSYS));
	const struct mounts_entry *e = mounts_find(mnts, (int)stx.stx_mnt_id);
	for (size_t hops = 0; e && hops <= mnts->n; hops++) {
		size_t k = hidden_fs(e->fstype);
		if (k < SL_ARRAY_SIZE(hidden) && hidden[k].lists)
			return sl_errorf(EPERM,
					 "%s %s: the tree is in %s (%s), whose files %s: sandlock "
					 "gives it no right; grant other directories",
					 field, g->path, e->point, e->fstype, hidden[k].lists);
		if (e->parent == e->id)
			break;
		e = mounts_find(mnts, e->parent);
	}
	return 0;
}

/* True when a mount above e (by the table's parent ids) is a pseudo
 * filesystem: e is only reached through it, and its restriction covers
 * e's subtree. */
static bool under_pseudo(const struct mounts *mnts, const struct mounts_entry *e)
{
	for (size_t hops = 0; e->parent != e->id && hops <= mnts->n; hops++) {
		if (!(e = mounts_find(mnts, e->parent)))
			return false;
		if (fsspecial_pseudo(e->fstype))
			return true;
	}
	return false;
}

/* Every pseudo filesystem's mount in reach keeps read rights at most (the
 * cgroup mounts under /sys are covered by /sys's). */
static int restrict_pseudo(struct fsdeny *d, const struct mounts *mnts)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < mnts->n; i++) {
		const struct mounts_entry *e = &mnts->v[i];
		if (!fsspecial_pseudo(e->fstype) || under_pseudo(mnts, e))
			continue;
		int v = mount_state(e);
		if (v < 0)
			r = unexaminable(e, v);
		else if (v)
			r = fsdeny_restrict(d, "fs_write", e->point, SL_FS_READ, SL_FS_READ);
	}
	return r;
}

/* mounts_layer_fn: 1 when the layer is a directory of a procfs or
 * cgroup mount (statfs, which follows the path as the overlay did). */
static int viewed_layer(void *ctx, const char *layer, bool upper)
{
	(void)ctx;
	(void)upper;
	struct statfs sf;
	if (statfs(layer, &sf) < 0)
		return 0; /* gone since: nothing of it to show */
	return (uint32_t)sf.f_type == PROC_SUPER_MAGIC ||
	       (uint32_t)sf.f_type == CGROUP_SUPER_MAGIC ||
	       (uint32_t)sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* Every procfs mount in reach gets no right at all (the proc view): the
 * supervisor opens what the sandbox may see of it on its behalf (a
 * process outside the sandbox is not there), so a path another thread
 * rewrites after that check, or one the supervisor never saw, meets
 * Landlock's refusal instead of another process's files.  The same for
 * every cgroup mount, whose pid lists name the processes of the host's
 * cgroups (cgroupview.c serves them with the sandbox's own only).  And
 * for debugfs and tracefs, which nothing serves: their files list every
 * task of the host by pid (debugfs's sched/debug; tracefs's trace,
 * saved_cmdlines, saved_tgids), root reads them (mode 0700, uid 0), and
 * a sandbox started as root with /sys granted read them through a
 * grant of /sys; they stay out of reach, EACCES.  So does mqueue: a
 * POSIX queue's file reads NOTIFY_PID, the process its notification is
 * registered for, to whoever its mode lets read it (0644: anyone), and
 * no program needs the files (mq_open names no path).  An overlay with a
 * layer on a procfs or cgroup mount is hidden as the cgroups are.  The
 * directories above such a mount get READ_DIR at most (a rule on one
 * covers its subtree, the mount with it: granted "/", the root is
 * expanded, its other entries get the grant), as above a denied file:
 * listing them still works, and so does listing a directory of a procfs
 * or cgroup mount through the kernel, which tells names only (the proc
 * view filters the procfs root's). */
int fsspecial_hide_proc(struct fsdeny *d, const struct mounts *mnts)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < mnts->n; i++) {
		const struct mounts_entry *e = &mnts->v[i];
		size_t k = hidden_fs(e->fstype);
		/* An overlay with a layer on one shows its files as the
		 * overlay's, opened with the mounter's credentials: the
		 * host's cgroup.procs whole, out of the view's sight. */
		if (k == SL_ARRAY_SIZE(hidden) &&
		    (r = mounts_overlay_layers(e, viewed_layer, NULL)) == 1)
			k = hidden_fs("cgroup");
		if (r < 0)
			return sl_errorf(-r, "fs: out of memory");
		r = 0;
		if (k == SL_ARRAY_SIZE(hidden))
			continue;
		int v = mount_state(e);
		if (v < 0)
			r = unexaminable(e, v);
		else if (v)
			r = fsdeny_restrict(d, hidden[k].who, e->point, 0, LS);
	}
	return r;
}

/* ---- devices ----------------------------------------------------------------------- */

static const char *device_kind(mode_t mode)
{
	return S_ISBLK(mode) ? "block device" : "character device";
}

/* A grant naming a device root may not have is refused. */
static int check_granted_device(const char *field, const struct fs_grant *g)
{
	struct stat st;
	if (fstat(g->fd, &st) < 0)
		return sl_errorf(errno, "%s: %s: %s", field, g->path, strerror(errno));
	if (device_ok(&st))
		return 0;
	return sl_errorf(EPERM,
			 "%s %s: a %s (%u:%u), and the sandbox runs as root: uid 0 passes its "
			 "permission bits without any capability, and a device reaches data "
			 "beneath every Landlock rule; as root, only null, zero, full, random, "
			 "urandom, tty, ptmx and the terminal sandlock runs on are granted",
			 field, g->path, device_kind(st.st_mode), major(st.st_rdev),
			 minor(st.st_rdev));
}

/* The granted trees, as the inodes they name. */
struct tree {
	dev_t dev;
	ino_t ino;
	int mnt_id;
	const char *path; /* as granted */
	int fd;		  /* the grant's O_PATH fd */
};

/* A directory in_tree() has decided on. */
struct seen {
	char *path;
	bool in;
};

#define SCAN_SEEN 64

struct scan {
	struct fsdeny *d;
	struct tree *trees;
	size_t n_trees;
	size_t entries; /* searched so far */
	size_t max_entries;
	struct seen seen[SCAN_SEEN]; /* mount points share their ancestors */
	size_t n_seen;
};

static int nomem(void)
{
	return sl_errorf(ENOMEM, "fs: out of memory");
}

static int add_trees(struct scan *s, const struct fs_grants *g)
{
	for (size_t i = 0; g && i < g->n; i++) {
		struct tree *t = &s->trees[s->n_trees];
		struct statx stx;
		if (statx(g->v[i].fd, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &stx) < 0)
			return sl_errorf(errno, "%s: %s: %s", g->field, g->v[i].path,
					 strerror(errno));
		if (!(stx.stx_mask & STATX_MNT_ID))
			return sl_errorf(ENOSYS, "%s: %s: %s", g->field, g->v[i].path,
					 strerror(ENOSYS));
		t->path = g->v[i].path;
		t->fd = g->v[i].fd;
		t->mnt_id = (int)stx.stx_mnt_id;
		t->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
		t->ino = stx.stx_ino;
		s->n_trees++;
	}
	return 0;
}

static bool is_tree(const struct scan *s, const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return false;
	for (size_t i = 0; i < s->n_trees; i++)
		if (s->trees[i].dev == st.st_dev && s->trees[i].ino == st.st_ino)
			return true;
	return false;
}

/* True when a granted tree is path or a directory above it (by inode: a
 * bind mount of a tree reaches what is mounted beneath it too). */
static bool in_tree(struct scan *s, const char *path)
{
	for (size_t i = 0; i < s->n_seen; i++)
		if (!strcmp(s->seen[i].path, path))
			return s->seen[i].in;
	bool in = is_tree(s, path);
	if (!in && strcmp(path, "/") != 0) {
		char *up = strdup(path);
		if (!up)
			return true; /* out of memory: search rather than guess */
		char *slash = strrchr(up, '/');
		if (slash == up)
			up[1] = 0;
		else if (slash)
			*slash = 0;
		in = slash && in_tree(s, up);
		free(up);
	}
	if (s->n_seen < SCAN_SEEN && (s->seen[s->n_seen].path = strdup(path)))
		s->seen[s->n_seen++].in = in;
	return in;
}

static int scan_dir(struct scan *s, const char *path, int fd, int mnt_id, int depth, bool seal);

/* One entry of a searched directory; *found is set when it is a device
 * root may not have. */
static int scan_entry(struct scan *s, const char *dir, int dfd, const struct dirent *e, int mnt_id,
		      int depth, bool *found)
{
	if (++s->entries > s->max_entries)
		return sl_errorf(E2BIG,
				 "fs: as root, device nodes are looked for in the granted trees: "
				 "more than %zu entries (at %s); grant narrower trees",
				 s->max_entries, dir);
	if (e->d_type != DT_UNKNOWN && e->d_type != DT_DIR && e->d_type != DT_BLK &&
	    e->d_type != DT_CHR)
		return 0;
	struct stat st;
	if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT
			   ? 0
			   : sl_errorf(errno, "fs: %s/%s: %s", dir, e->d_name, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		if (device_ok(&st))
			return 0;
		*found = true;
		return fsdeny_restrict_inode(s->d, &st, 0);
	}
	char *path;
	if (asprintf(&path, "%s/%s", strcmp(dir, "/") ? dir : "", e->d_name) < 0)
		return nomem();
	int r = 0, cfd = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cfd < 0 && errno != ENOENT)
		r = sl_errorf(errno, "fs: cannot list %s to look for device nodes: %s", path,
			      strerror(errno));
	else if (cfd >= 0)
		r = scan_dir(s, path, cfd, mnt_id, depth + 1, false);
	if (cfd >= 0)
		close(cfd);
	free(path);
	return r;
}

/* Searches the directory fd (at path, canonical) and its subdirectories
 * on the same mount; another mount beneath is searched as its own mount,
 * if at all.  A directory holding a device gets READ_DIR at most, and so
 * does each one above it; with seal, this one does whatever it holds (a
 * devpts root: what appears there later, another session's terminal,
 * must get no right either). */
static int scan_dir(struct scan *s, const char *path, int fd, int mnt_id, int depth, bool seal)
{
	if (depth > SCAN_MAX_DEPTH)
		return sl_errorf(ELOOP, "fs: %s: too deep to look for device nodes", path);
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0)
		return sl_errorf(errno, "fs: %s: %s", path, strerror(errno));
	if ((int)stx.stx_mnt_id != mnt_id)
		return 0;
	int lfd = dup(fd);
	DIR *dir = lfd < 0 ? NULL : fdopendir(lfd);
	if (!dir) {
		int e = errno;
		if (lfd >= 0)
			close(lfd);
		return sl_errorf(e, "fs: cannot list %s to look for device nodes: %s", path,
				 strerror(e));
	}
	/* (A dup'ed fd shares the offset: this directory was never read.) */
	struct dirent *e;
	bool found = seal;
	int r = 0;
	while (r == 0 && (errno = 0, e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			r = scan_entry(s, path, dirfd(dir), e, mnt_id, depth, &found);
	if (r == 0 && errno)
		r = sl_errorf(errno, "fs: cannot list %s to look for device nodes: %s", path,
			      strerror(errno));
	closedir(dir);
	if (r == 0 && found)
		r = fsdeny_restrict_above(s->d, "fs", path, LS);
	return r;
}

/* Searches the tree at path (canonical), on mount mnt_id: the object of
 * fd (an O_PATH fd, reopened) when fd >= 0, else what path names now.  A
 * non-directory (a bind-mounted file) is checked itself. */
static int scan_root(struct scan *s, const char *path, int fd, int mnt_id, bool seal)
{
	struct stat st;
	if ((fd >= 0 ? fstat(fd, &st) : lstat(path, &st)) < 0)
		return sl_errorf(errno, "fs: %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return device_ok(&st) ? 0 : fsdeny_restrict(s->d, "fs", path, 0, LS);
	int dfd = fd >= 0 ? openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
			  : open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return sl_errorf(errno, "fs: cannot list %s to look for device nodes: %s", path,
				 strerror(errno));
	int r = scan_dir(s, path, dfd, mnt_id, 0, seal);
	close(dfd);
	return r;
}

static int find_devices(struct fsdeny *d, const struct mounts *mnts, const struct fs_grants *read,
			const struct fs_grants *write)
{
	size_t n = (read ? read->n : 0) + (write ? write->n : 0);
	struct scan s = {.d = d, .max_entries = FSSPECIAL_MAX_SCAN};
	s.trees = calloc(n ? n : 1, sizeof(*s.trees));
	bool *whole = calloc(mnts->n ? mnts->n : 1, sizeof(*whole));
	int r = s.trees && whole ? 0 : nomem();
	if (r == 0)
		r = add_trees(&s, write);
	if (r == 0)
		r = add_trees(&s, read);
	/* Mounts a granted tree holds: searched whole when they may hold
	 * devices, checked when they are a file (a bind-mounted device). */
	for (size_t i = 0; r == 0 && i < mnts->n; i++) {
		const struct mounts_entry *e = &mnts->v[i];
		struct stat st;
		/* (A file bind-mounted from a pseudo filesystem is no device
		 * root may not have: not even looked at.) */
		if (!fsspecial_scanned(e) && fsspecial_pseudo(e->fstype))
			continue;
		/* a whole filesystem that is never searched is a directory:
		 * nothing to look at (only a bind mount can be a file) */
		if (!fsspecial_scanned(e) && !strcmp(e->root, "/"))
			continue;
		if (lstat(e->point, &st) < 0) {
			/* gone, or out of reach by path: refused if in a tree */
			if (errno != ENOENT && errno != ENOTDIR && errno != EACCES &&
			    in_tree(&s, e->point))
				r = unexaminable(e, -errno);
			continue;
		}
		if (S_ISDIR(st.st_mode) && !fsspecial_scanned(e))
			continue;
		if (!in_tree(&s, e->point))
			continue;
		int v = mount_state(e);
		if (v < 0)
			r = unexaminable(e, v);
		else if (v) {
			whole[i] = true;
			r = scan_root(&s, e->point, -1, e->id, !strcmp(e->fstype, "devpts"));
		}
	}
	/* Granted trees that lie on such a mount without holding its root. */
	for (size_t i = 0; r == 0 && i < s.n_trees; i++) {
		const struct tree *t = &s.trees[i];
		const struct mounts_entry *e = mounts_find(mnts, t->mnt_id);
		/* A mount not in the table cannot be told free of devices:
		 * the mounts changed since it was read (or it is out of our
		 * reach): refuse rather than grant it unsearched. */
		if (!e) {
			r = sl_errorf(EAGAIN,
				      "fs: %s: its mount (id %d) is not in /proc/self/mountinfo: "
				      "the mounts changed while the sandbox was built; try again",
				      t->path, t->mnt_id);
			break;
		}
		if (!fsspecial_scanned(e) || whole[e - mnts->v])
			continue;
		/* searched through the grant's own fd; the canonical path
		 * names what is found (and the directories above it) */
		char *canon = realpath(t->path, NULL);
		r = canon ? scan_root(&s, canon, t->fd, t->mnt_id, false)
			  : sl_errorf(errno, "fs: %s: %s", t->path, strerror(errno));
		free(canon);
	}
	for (size_t i = 0; i < s.n_seen; i++)
		free(s.seen[i].path);
	free(s.trees);
	free(whole);
	return r;
}

/* ---- the grants -------------------------------------------------------------------- */

int fsspecial_grants_open(struct fs_grants *g, const char *field, const struct sl_strv *l)
{
	*g = (struct fs_grants){.field = field};
	size_t n = l ? l->n : 0;
	if (!n)
		return 0;
	if (!(g->v = calloc(n, sizeof(*g->v))))
		return sl_errorf(ENOMEM, "%s: out of memory", field);
	for (; g->n < n; g->n++) {
		/* O_PATH: no read permission needed, FIFOs do not block */
		int fd = open(l->v[g->n], O_PATH | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			const char *bad = l->v[g->n];
			fsspecial_grants_close(g);
			return sl_errorf(e, "%s: %s: %s", field, bad, strerror(e));
		}
		g->v[g->n] = (struct fs_grant){l->v[g->n], fd};
	}
	return 0;
}

void fsspecial_grants_close(struct fs_grants *g)
{
	for (size_t i = 0; i < g->n; i++)
		close(g->v[i].fd);
	free(g->v);
	g->v = NULL;
	g->n = 0;
}

int fsspecial_apply(struct fsdeny *d, const struct mounts *mnts, const struct fs_grants *read,
		    const struct fs_grants *write, bool root)
{
	int r = 0;
	for (size_t i = 0; r == 0 && write && i < write->n; i++)
		r = check_write(mnts, &write->v[i]);
	for (size_t i = 0; r == 0 && write && i < write->n; i++)
		r = check_unserved(mnts, write->field, &write->v[i]);
	for (size_t i = 0; r == 0 && read && i < read->n; i++)
		r = check_unserved(mnts, read->field, &read->v[i]);
	if (r == 0 && write && write->n)
		r = restrict_pseudo(d, mnts);
	if (!root)
		return r;
	for (size_t i = 0; r == 0 && write && i < write->n; i++)
		r = check_granted_device(write->field, &write->v[i]);
	for (size_t i = 0; r == 0 && read && i < read->n; i++)
		r = check_granted_device(read->field, &read->v[i]);
	if (r == 0 && ((read && read->n) || (write && write->n)))
		r = find_devices(d, mnts, read, write);
	return r;
}
