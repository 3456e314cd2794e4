/* SPDX-License-Identifier: Apache-2.0 */
/* cowfs.c - the upper's format and fd-relative helpers (cowfs.h). */
#include "cowfs.h"

#include <dirent.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "error.h"

#define COPY_CHUNK (1U << 20)

/* The overlay xattrs of an entry that is not a symlink, by its name
 * beneath its directory's fd (no *xattrat before 6.13: the directory's
 * magic link, then the one component, its last not followed): one
 * llistxattr, most entries having none.  Sets the bits of what it
 * carries; its opaque value read.  -errno. */
enum { OVL_WHITEOUT = 1, OVL_OPAQUE = 2, OVL_REDIRECT = 4, OVL_METACOPY = 8 };

#ifndef XATTR_LIST_MAX
#define XATTR_LIST_MAX 65536
#endif

/* The xattr names of path (not followed) into buf (len bytes), or, when
 * they do not fit, into *big (allocated, XATTR_LIST_MAX: the kernel's
 * bound), which *list then points at: the command may give its files
 * more names than buf holds, and ERANGE failed the whole commit (and the
 * dry run).  The length, 0 without xattr support, or -errno. */
static ssize_t list_xattrs(const char *path, char *buf, size_t len, char **big, char **list)
{
	*big = NULL;
	*list = buf;
	ssize_t n = llistxattr(path, buf, len);
	if (n < 0 && errno == ERANGE) {
		if (!(*big = malloc(XATTR_LIST_MAX)))
			return -ENOMEM;
		*list = *big;
		n = llistxattr(path, *big, XATTR_LIST_MAX);
	}
	return n >= 0 ? n : errno == ENOTSUP ? 0 : -errno;
}

static int ovl_marks(int dirfd, const char *name, bool user, int *marks)
{
	const char *prefix = user ? "user.overlay." : "trusted.overlay.";
	size_t plen = strlen(prefix);
	char path[PATH_MAX], buf[4096], v[8], *big, *list;
	*marks = 0;
	if (strchr(name, '/'))
		return -EINVAL; /* one component, as readdir gives them */
	int len = snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd, name);
	if (len < 0 || (size_t)len >= sizeof(path))
		return -ENAMETOOLONG;
	ssize_t n = list_xattrs(path, buf, sizeof(buf), &big, &list);
	int r = n < 0 ? (int)n : 0;
	for (ssize_t off = 0; r == 0 && off < n; off += (ssize_t)strlen(list + off) + 1) {
		const char *k = list + off;
		if (strncmp(k, prefix, plen) != 0)
			continue;
		k += plen;
		if (!strcmp(k, "whiteout"))
			*marks |= OVL_WHITEOUT;
		else if (!strcmp(k, "redirect"))
			*marks |= OVL_REDIRECT;
		else if (!strcmp(k, "metacopy"))
			*marks |= OVL_METACOPY;
		else if (!strcmp(k, "opaque") && lgetxattr(path, list + off, v, sizeof(v)) > 0 &&
			 v[0] == 'y')
			*marks |= OVL_OPAQUE;
	}
	free(big);
	return r;
}

static bool overlay_name(const char *k)
{
	return !strncmp(k, "user.overlay.", 13) || !strncmp(k, "trusted.overlay.", 16);
}

/* Removes the overlay xattrs of a file linked out of the upper: the
 * kernel's (origin, impure...) describe the upper, not the workdir, and
 * the command's own (user.overlay.* set by a root command, which the
 * trusted.* overlay does not escape; escaped ones under userxattr) would
 * be marks a later overlay on the workdir obeys: none reaches it, in
 * either namespace.  A read-only file (a copied-up 0444 file carries an
 * origin) is made writable by its owner for it, then given its mode back:
 * removing a user xattr needs write access, and EACCES failed the commit
 * of every read-only file the command moved.  -errno. */
static int scrub(int dirfd, const char *name)
{
	char path[PATH_MAX], buf[4096], *big, *list;
	int len = snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd, name);
	if (len < 0 || (size_t)len >= sizeof(path))
		return -ENAMETOOLONG;
	ssize_t n = list_xattrs(path, buf, sizeof(buf), &big, &list);
	int r = n < 0 ? (int)n : 0;
	struct stat st;
	bool opened = false;
	for (ssize_t off = 0; r == 0 && off < n; off += (ssize_t)strlen(list + off) + 1) {
		if (!overlay_name(list + off) || lremovexattr(path, list + off) == 0 ||
		    errno == ENODATA)
			continue;
		r = -errno;
		if (r == -EACCES && !opened &&
		    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode) &&
		    fchmodat(dirfd, name, (st.st_mode & 07777) | S_IWUSR, 0) == 0) {
			opened = true;
			r = lremovexattr(path, list + off) == 0 || errno == ENODATA ? 0 : -errno;
		}
	}
	if (opened && fchmodat(dirfd, name, st.st_mode & 07777, 0) < 0 && r == 0)
		r = -errno;
	free(big);
	return r;
}

int cowfs_kind(int dirfd, const char *name, bool user_xattr, struct stat *st, enum cow_kind *kind)
{
	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return sl_errorf(errno, "copy-on-write upper: %s: %s", name, strerror(errno));
	*kind = COW_OTHER;
	if (S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0)) {
		*kind = COW_WHITEOUT;
		return 0;
	}
	if (S_ISLNK(st->st_mode))
		return 0; /* no xattr on our side of a symlink */
	int marks, r = ovl_marks(dirfd, name, user_xattr, &marks);
	if (r < 0)
		return sl_errorf(-r, "copy-on-write upper: %s: %s", name, strerror(-r));
	if (marks & (OVL_REDIRECT | OVL_METACOPY))
		return sl_errorf(EINVAL,
				 "copy-on-write upper: %s carries an overlay %s, which sandlock "
				 "never enables",
				 name, marks & OVL_REDIRECT ? "redirect" : "metacopy");
	if (S_ISREG(st->st_mode) && st->st_size == 0 && (marks & OVL_WHITEOUT))
		*kind = COW_WHITEOUT;
	else if (S_ISDIR(st->st_mode))
		*kind = marks & OVL_OPAQUE ? COW_OPAQUE : COW_DIR;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **cowfs_list(int dirfd, int *err)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		*err = -errno;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	char **v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	*err = 0;
	errno = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n + 2 > cap) {
			cap = cap ? cap * 2 : 16;
			char **nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				*err = -ENOMEM;
				break;
			}
			v = nv;
		}
		if (!(v[n] = strdup(e->d_name))) {
			*err = -ENOMEM;
			break;
		}
		v[++n] = NULL;
		errno = 0;
	}
	if (!*err && errno)
		*err = -errno;
	closedir(d);
	if (*err) {
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return NULL;
	}
	if (!v && !(v = calloc(1, sizeof(*v)))) {
		*err = -ENOMEM;
		return NULL;
	}
	qsort(v, n, sizeof(*v), cmp_names);
	return v;
}

int cowfs_opendir(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int cowfs_opendir_own(int dirfd, const char *name, mode_t *restore)
{
	*restore = (mode_t)-1;
	int fd = cowfs_opendir(dirfd, name);
	struct stat st;
	/* readable but not searchable (0600): the listing's openat(".") and
	 * every lookup beneath need the search right */
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == geteuid() &&
	    (st.st_mode & (S_IRUSR | S_IXUSR)) != (S_IRUSR | S_IXUSR) &&
	    fchmod(fd, (st.st_mode & 07777) | S_IRUSR | S_IXUSR) == 0)
		*restore = st.st_mode & 07777;
	if (fd != -EACCES)
		return fd;
	/* the entry itself, never a symlink in its place: an O_PATH fd pins
	 * the inode, its mode is changed through its /proc/self/fd link and
	 * the directory opened as "." beneath it */
	int p = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (p < 0)
		return fd;
	char link[32];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", p);
	mode_t mode = 0;
	int r = fstat(p, &st) < 0 || st.st_uid != geteuid() ? -1 : 0;
	if (r == 0) {
		mode = st.st_mode & 07777;
		r = chmod(link, mode | S_IRUSR | S_IXUSR);
	}
	if (r == 0) {
		int d = openat(p, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		fd = d < 0 ? -errno : d;
		if (fd < 0)
			(void)chmod(link, mode);
		else
			*restore = mode;
	}
	close(p);
	return fd;
}

void cowfs_close_own(int fd, mode_t restore)
{
	if (restore != (mode_t)-1)
		(void)fchmod(fd, restore);
	close(fd);
}

int cowfs_open_beneath(int root, const char *path, int flags)
{
	struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW),
			       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					  RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
	long fd;
	do
		fd = syscall(SYS_openat2, root, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return fd < 0 ? -errno : (int)fd;
}

int cowfs_open_parent(int root, const char *path, const char **base, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		*base = path;
		return cowfs_open_beneath(root, ".", O_PATH | O_DIRECTORY);
	}
	size_t n = (size_t)(slash - path);
	if (n + 1 > len)
		return -ENAMETOOLONG;
	memcpy(buf, path, n);
	buf[n] = 0;
	*base = slash + 1;
	return cowfs_open_beneath(root, buf, O_PATH | O_DIRECTORY);
}

int cowfs_exists(int dirfd, const char *name, struct stat *st)
{
	struct stat tmp;
	if (fstatat(dirfd, name, st ? st : &tmp, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

static int write_at(int out, const char *buf, size_t n, off_t off)
{
	for (size_t done = 0; done < n;) {
		ssize_t w = pwrite(out, buf + done, n - done, off + (off_t)done);
		if (w < 0 && errno != EINTR)
			return -errno;
		done += w > 0 ? (size_t)w : 0;
	}
	return 0;
}

/* Bytes [off, end) of in to the same offsets of out: copy_file_range
 * where the kernel can (same filesystem), else read and write. */
static int copy_range(int in, int out, off_t off, off_t end)
{
	char buf[65536];
	bool plain = false;
	while (off < end) {
		size_t want = (size_t)(end - off) < COPY_CHUNK ? (size_t)(end - off) : COPY_CHUNK;
		off_t o_in = off, o_out = off;
		ssize_t n = -1;
		if (!plain) {
			n = copy_file_range(in, &o_in, out, &o_out, want, 0);
			if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
				      errno == EOPNOTSUPP)) {
				plain = true;
				continue;
			}
		} else if ((n = pread(in, buf, want < sizeof(buf) ? want : sizeof(buf), off)) > 0) {
			int r = write_at(out, buf, (size_t)n, off);
			if (r < 0)
				return r;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0; /* shorter than it was: the rest is a hole */
		off += n;
	}
	return 0;
}

/* The data of in, its holes kept: the upper may hold a sparse file far
 * larger than max_disk (a tmpfs counts the blocks written, not the size),
 * which copied densely would fill the workdir's disk.  Only the data
 * extents are copied (SEEK_DATA / SEEK_HOLE), the size is set after. */
int cowfs_copy_data(int in, int out)
{
	struct stat st;
	if (fstat(in, &st) < 0)
		return -errno;
	off_t off = 0, end = st.st_size;
	while (off < end) {
		off_t data = lseek(in, off, SEEK_DATA), hole;
		if (data < 0 && errno == ENXIO)
			break; /* a hole up to the end */
		if (data < 0) {
			if (errno != EINVAL && errno != EOPNOTSUPP)
				return -errno;
			data = off, hole = end; /* no hole support: all data */
		} else if ((hole = lseek(in, data, SEEK_HOLE)) < 0 || hole > end) {
			hole = end;
		}
		int r = copy_range(in, out, data, hole);
		if (r < 0)
			return r;
		off = hole;
	}
	return ftruncate(out, end) < 0 ? -errno : 0;
}

/* Mode, owner (as root: a failure ignored elsewhere) and times of a copy
 * (dfd, dname), from st. */
static int copy_meta(int dfd, const char *dname, const struct stat *st)
{
	if (geteuid() == 0 && fchownat(dfd, dname, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISLNK(st->st_mode) && fchmodat(dfd, dname, st->st_mode & 07777, 0) < 0)
		return -errno;
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	if (utimensat(dfd, dname, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

static int copy_file(int sdir, const char *name, int ddir, const char *dname)
{
	/* O_NONBLOCK: a FIFO swapped in after the stat must not hold the
	 * commit; anything but a regular file is refused */
	int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (in < 0)
		return -errno;
	struct stat st;
	int r = fstat(in, &st) < 0 ? -errno : S_ISREG(st.st_mode) ? 0 : -EAGAIN;
	int out =
	    r < 0 ? -1
		  : openat(ddir, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (r == 0)
		r = out < 0 ? -errno : cowfs_copy_data(in, out);
	close(in);
	if (out >= 0)
		close(out);
	return r;
}

static int copy_link(int sdir, const char *name, int ddir, const char *dname, size_t size)
{
	char *target = malloc(size + 1);
	if (!target)
		return -ENOMEM;
	ssize_t n = readlinkat(sdir, name, target, size + 1);
	int r = n < 0 ? -errno : (size_t)n > size ? -EAGAIN : 0;
	if (r == 0) {
		target[n] = 0;
		r = symlinkat(target, ddir, dname) < 0 ? -errno : 0;
	}
	free(target);
	return r;
}

static int copy_tree(int sdir, const char *name, int ddir, const char *dname, bool user_xattr);

#ifndef XATTR_SIZE_MAX
#define XATTR_SIZE_MAX 65536
#endif

/* The user.* xattrs the command set on a file or directory it made, to
 * the copy (before its mode, which may forbid writing them): a link keeps
 * them, a copy dropped them.  Never user.overlay.*: overlayfs stores the
 * command's own overlay.* names escaped there, and unescaped in the
 * workdir they would be marks a later overlay on it obeys.  What the
 * workdir's filesystem cannot hold (no user xattrs, or no room: a tmpfs
 * upper holds more than ext4's one block) is left out, as a commit that
 * failed for metadata would lose the data too.  -errno. */
static int copy_xattrs(int sdir, const char *name, int ddir, const char *dname)
{
	char src[PATH_MAX], dst[PATH_MAX], buf[4096], *big, *list, *val = NULL;
	int a = snprintf(src, sizeof(src), "/proc/self/fd/%d/%s", sdir, name);
	int b = snprintf(dst, sizeof(dst), "/proc/self/fd/%d/%s", ddir, dname);
	if (a < 0 || b < 0 || (size_t)a >= sizeof(src) || (size_t)b >= sizeof(dst))
		return -ENAMETOOLONG;
	ssize_t n = list_xattrs(src, buf, sizeof(buf), &big, &list);
	int r = n < 0 ? (int)n : 0;
	for (ssize_t off = 0; r == 0 && off < n; off += (ssize_t)strlen(list + off) + 1) {
		const char *k = list + off;
		if (strncmp(k, "user.", 5) != 0 || overlay_name(k))
			continue;
		if (!val && !(val = malloc(XATTR_SIZE_MAX))) {
			r = -ENOMEM;
			break;
		}
		ssize_t v = lgetxattr(src, k, val, XATTR_SIZE_MAX);
		if (v < 0)
			r = errno == ENODATA ? 0 : -errno;
		else if (lsetxattr(dst, k, val, (size_t)v, 0) < 0)
			r = errno == ENOTSUP || errno == ENOSPC || errno == E2BIG ? 1 : -errno;
	}
	free(val);
	free(big);
	return r < 0 ? r : 0;
}

static int copy_entry(int sdir, const char *name, const struct stat *stp, int ddir,
		      const char *dname, bool user_xattr)
{
	const struct stat st = *stp;
	int r;
	/* a regular file on the same filesystem: a link shares the upper's
	 * inode (its mode, owner and times), which the upper then drops */
	if (S_ISREG(st.st_mode) && linkat(sdir, name, ddir, dname, 0) == 0)
		return scrub(ddir, dname);
	if (S_ISREG(st.st_mode)) {
		if ((r = copy_file(sdir, name, ddir, dname)) == 0)
			r = copy_xattrs(sdir, name, ddir, dname);
	} else if (S_ISLNK(st.st_mode))
		r = copy_link(sdir, name, ddir, dname, (size_t)st.st_size);
	else if (S_ISDIR(st.st_mode))
		r = copy_tree(sdir, name, ddir, dname, user_xattr);
	else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ||
		 S_ISSOCK(st.st_mode))
		/* a socket the command bound is a name as a bare run leaves
		 * it (a new inode, no listener): refusing it failed the whole
		 * commit */
		r = mknodat(ddir, dname, st.st_mode, st.st_rdev) < 0 ? -errno : 0;
	else
		r = -EOPNOTSUPP;
	return r < 0 ? r : copy_meta(ddir, dname, &st);
}

int cowfs_copy(int sdir, const char *name, int ddir, const char *dname, bool user_xattr)
{
	struct stat st;
	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return copy_entry(sdir, name, &st, ddir, dname, user_xattr);
}

/* A directory with its tree; whiteouts inside mean "absent" here. */
static int copy_tree(int sdir, const char *name, int ddir, const char *dname, bool user_xattr)
{
	if (mkdirat(ddir, dname, 0700) < 0)
		return -errno;
	mode_t back;
	int s = cowfs_opendir_own(sdir, name, &back); /* the branch's own */
	if (s < 0)
		return s;
	int d = cowfs_opendir(ddir, dname);
	if (d < 0) {
		cowfs_close_own(s, back);
		return d;
	}
	int r;
	char **names = cowfs_list(s, &r);
	for (size_t i = 0; names && names[i] && r == 0; i++) {
		struct stat st;
		enum cow_kind k;
		if ((r = cowfs_kind(s, names[i], user_xattr, &st, &k)) == 0 && k != COW_WHITEOUT)
			r = copy_entry(s, names[i], &st, d, names[i], user_xattr);
	}
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
	if (r == 0)
		r = copy_xattrs(sdir, name, ddir, dname);
	cowfs_close_own(s, back);
	close(d);
	return r;
}
