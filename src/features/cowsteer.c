/* SPDX-License-Identifier: Apache-2.0 */
/* cowsteer.c - the seccomp layer: chdir and exec steered to the holder (see cowlayer.c). */
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <linux/openat2.h>
#include <linux/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include "aschild.h"
#include "cow.h"
#include "cowint.h"
#include "error.h"
#include "feature.h"
#include "layer.h"
#include "mem.h"
#include "onbehalf.h"
#include "policy.h"
#include "procs.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "syscalls.h"
#include "util.h"

/* ---- chdir and exec ------------------------------------------------------------------ */

/* ".." and "." of an absolute path resolved by name (the kernel's walk
 * when no symlink is met on the way). */
static void lexical(char *p)
{
	char out[PATH_MAX];
	size_t o = 0;
	for (const char *r = p; *r;) {
		r += strspn(r, "/");
		size_t n = strcspn(r, "/");
		if (!n)
			break;
		if (n == 2 && r[0] == '.' && r[1] == '.') {
			while (o && out[o - 1] != '/')
				o--;
			if (o)
				o--;
		} else if (!(n == 1 && r[0] == '.')) {
			out[o++] = '/';
			memcpy(out + o, r, n);
			o += n;
		}
		r += n;
	}
	if (!o)
		out[o++] = '/';
	out[o] = 0;
	memcpy(p, out, o + 1);
}

/* Where the layer resolves a path to (following): the holder's name
 * (real: the upper's when it has the name, else the lower's), the upper's
 * name whatever holds it (up), and the lower's when the lower holds a
 * directory the view shows there (low, else empty). */
struct target {
	char real[PATH_MAX], up[PATH_MAX], low[PATH_MAX];
	bool upper;	/* the upper holds it */
	struct stat sb; /* the holder's */
};

/* 0, LAYER_OUTSIDE, or -errno. */
static long resolved(struct sl_ctx *c, struct cl_state *st, const char *abs, struct target *t)
{
	struct job j = {.st = st, .op = OP_LOOKUP, .a = abs, .flags = LAYER_FOLLOW};
	long r = cowl_job_run(c, &j);
	if (r != 0)
		return r;
	t->sb = j.n.st;
	t->upper = j.n.where == LAYER_UPPER;
	bool dot = !strcmp(j.n.path, ".");
	const char *sep = dot ? "" : "/", *rel = dot ? "" : j.n.path;
	bool low = j.n.where == LAYER_LOWER || (t->upper && j.n.low_dir && !j.n.opaque);
	if (j.n.where == LAYER_NONE)
		r = -ENOENT;
	else if (snprintf(t->up, PATH_MAX, "%s%s%s", st->up, sep, rel) >= PATH_MAX ||
		 snprintf(t->low, PATH_MAX, "%s%s%s", low ? st->wd : "", low ? sep : "",
			  low ? rel : "") >= PATH_MAX)
		r = -ENAMETOOLONG;
	else
		snprintf(t->real, PATH_MAX, "%s", t->upper ? t->up : t->low[0] ? t->low : "");
	if (r == 0 && !t->real[0]) /* a lower file */
		r = snprintf(t->real, PATH_MAX, "%s%s%s", st->wd, sep, rel) >= PATH_MAX
			? -ENAMETOOLONG
			: 0;
	layer_node_put(&j.n);
	return r;
}

/* Whether the kernel, given the child's path (raw: its names), lands on
 * the object at real: by name, or the host's own resolution of raw
 * (symlinks of the lower) naming the same inode. */
static bool kernel_lands(const char *raw, const char *real, const struct stat *sb, bool dir)
{
	char k[PATH_MAX];
	snprintf(k, sizeof(k), "%s", raw);
	lexical(k);
	if (!strcmp(k, real))
		return true;
	struct stat h;
	return stat(raw, &h) == 0 && h.st_dev == sb->st_dev && h.st_ino == sb->st_ino &&
	       !dir == !S_ISDIR(h.st_mode);
}

/* The holder's object at real (its upper's or lower's name), opened
 * beneath that tree with no symlink followed (a racing rename in the
 * layer meets a symlink and fails): O_PATH for a directory, else read
 * (never blocking: a FIFO swapped in). */
static int holder_open(const struct cl_state *st, const char *real, bool dir)
{
	bool up = cowl_under(real, st->up, st->upl);
	const char *rel = real + (up ? st->upl : st->wdl);
	rel += strspn(rel, "/");
	struct open_how how = {.flags = (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY | O_NONBLOCK) |
					O_CLOEXEC | O_NOFOLLOW,
			       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					  RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
	long fd =
	    syscall(SYS_openat2, up ? st->upper : st->lower, *rel ? rel : ".", &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

/* The kernel's own call on the child's path, now that the layer has
 * decided: continued when the kernel lands where the layer does, else
 * the path (read once, len bytes with its NUL, in the child's buffer)
 * rewritten to the holder's name when it fits, or to /proc/self/fd/N of
 * an fd we install (ADDFD without SEND) for the call.  A thread that
 * rewrites it again meanwhile only changes what the kernel then judges
 * under Landlock.  -ENAMETOOLONG when nothing fits. */
static long steer(struct sl_ctx *c, struct cl_state *st, const struct place *p, const char *real,
		  const struct stat *sb, uint64_t addr, size_t len, bool dir, struct sl_action *a)
{
	if (kernel_lands(p->raw, real, sb, dir)) {
		*a = sl_act_continue();
		return 0;
	}
	char via[PATH_MAX];
	snprintf(via, sizeof(via), "%s", real);
	if (strlen(via) + 1 > len) {
		/* "/dev/fd/N" at the shortest */
		int fd = len < sizeof("/dev/fd/N") ? -ENAMETOOLONG : holder_open(st, real, dir);
		if (fd < 0)
			return fd;
		struct stat fb;
		int n = fstat(fd, &fb) < 0 || fb.st_ino != sb->st_ino || fb.st_dev != sb->st_dev
			    ? -1
			    : 0;
		struct seccomp_notif_addfd add = {.id = c->req->id, .srcfd = (uint32_t)fd};
		if (n == 0)
			n = ioctl(c->mem.listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
		int e = n < 0 ? errno : 0;
		close(fd);
		if (n < 0)
			return e ? -e : -EAGAIN;
		snprintf(via, sizeof(via), "/proc/self/fd/%d", n);
		if (strlen(via) + 1 > len && st->dev_fd)
			snprintf(via, sizeof(via), "/dev/fd/%d", n);
		if (strlen(via) + 1 > len)
			return -ENAMETOOLONG;
	}
	if (mem_write(&c->mem, addr, via, strlen(via) + 1) < 0)
		return -EFAULT;
	*a = sl_act_continue();
	return 0;
}

/* getcwd(2) in a directory the layer's upper holds (a steered chdir, an
 * fchdir to a directory fd the layer handed out): the workdir's name of
 * it, as the command's other calls name it, not the upper's under the
 * storage.  Anywhere else, or when the cwd's name cannot be read (longer
 * than PATH_MAX, removed), the kernel answers: the answer grants nothing. */
void cowl_on_getcwd(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	struct cl_state *st = arg_;
	*a = sl_act_continue();
	char *abs = malloc(PATH_MAX);
	int fd = abs ? onbehalf_task_open(c, "cwd", O_DIRECTORY) : -ENOMEM;
	int r = fd < 0 ? fd : cowl_fd_name(fd, abs, PATH_MAX);
	if (fd >= 0)
		close(fd);
	if (r == 0 && cowl_under(abs, st->up, st->upl) && cowl_to_workdir(st, abs) > 0) {
		size_t n = strlen(abs) + 1;
		if (n > c->req->data.args[1])
			onbehalf_answer(a, -ERANGE);
		else if (mem_write(&c->mem, c->req->data.args[0], abs, n) < 0)
			onbehalf_answer(a, -EFAULT);
		else
			onbehalf_answer(a, (long)n);
	}
	free(abs);
}

/* chdir(2) into a directory of the layer.  chdir grants nothing under
 * Landlock (it checks no right; a cwd only starts relative paths, and
 * every path call that lands in the workdir is placed here again), so
 * steering it is safe whatever the kernel finally resolves.  The layer
 * judges first (ENOENT for a removed name, ENOTDIR, EACCES without
 * search); then the kernel changes to the directory's holder: the
 * lower's for a directory it holds (a merged one too), else the upper's. */
void cowl_on_chdir(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	struct cl_state *st = arg_;
	*a = sl_act_continue();
	struct place *p = malloc(sizeof(*p));
	struct target *t = malloc(sizeof(*t));
	char path[PATH_MAX], k[PATH_MAX];
	long r = p && t ? onbehalf_read_path(c, c->req->data.args[0], path, sizeof(path)) : -ENOMEM;
	if (r == 0)
		r = cowl_place(st, c, AT_FDCWD, path, false, false, p);
	if (r > 0)
		r = resolved(c, st, p->abs, t);
	else if (r == 0)
		r = LAYER_OUTSIDE; /* not the layer's */
	if (r == LAYER_OUTSIDE) {  /* or a symlink out: the kernel's */
		free(p);
		free(t);
		return;
	}
	if (r == 0 && !S_ISDIR(t->sb.st_mode))
		r = -ENOTDIR;
	if (r == 0) {
		struct job j = {
		    .st = st, .op = OP_ACCESS, .a = p->abs, .mode = X_OK, .flags = LAYER_FOLLOW};
		r = cowl_job_run(c, &j);
	}
	if (r == 0) {
		snprintf(k, sizeof(k), "%s", p->raw);
		lexical(k);
	}
	/* the kernel lands on the lower's directory the view shows, or on
	 * the upper's (made there first when only the lower held it: a
	 * directory copied up without its contents changes nothing) */
	if (r == 0 && t->low[0] && !strcmp(k, t->low)) {
		*a = sl_act_continue();
	} else if (r == 0 && !strcmp(k, t->up)) {
		struct job j = {.st = st, .op = OP_MATERIALIZE, .a = p->abs};
		r = t->upper ? 0 : cowl_job_run(c, &j);
		*a = sl_act_continue();
	} else if (r == 0) {
		r = steer(c, st, p, t->real, &t->sb, c->req->data.args[0], strlen(path) + 1, true,
			  a);
	}
	free(p);
	free(t);
	if (r < 0)
		onbehalf_answer(a, r);
}

/* execve and execveat of a file of the layer.  The kernel must execute
 * it, so the call is continued once the layer has judged the path (ENOENT
 * for a removed name, EACCES for a file that is not regular or not
 * executable) and the kernel is steered to the file's holder (steer).
 * What decides the exec is then the kernel's Landlock check on the file
 * it opens: execute and read are granted on the workdir and the upper,
 * nothing else of them (no write), so a thread that rewrites the path
 * after the check executes only what the policy lets it read and
 * execute anyway (at worst a lower file the layer has removed). */
void cowl_on_exec(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	struct cl_state *st = arg_;
	*a = sl_act_continue();
	bool at = c->req->data.nr == __NR_execveat;
	const __u64 *g = c->req->data.args;
	unsigned int f = at ? (unsigned int)g[4] : 0;
	struct place *p = malloc(sizeof(*p));
	struct target *t = malloc(sizeof(*t));
	char path[PATH_MAX];
	uint64_t addr = at ? g[1] : g[0];
	long r = p && t ? onbehalf_read_path(c, addr, path, sizeof(path)) : -ENOMEM;
	/* execveat(fd, "", AT_EMPTY_PATH) runs an open file: its open was
	 * decided; r stays 0 (not the layer's) */
	if (r == 0 && !(at && (f & AT_EMPTY_PATH) && !path[0]))
		r = cowl_place(st, c, at ? (int)(int32_t)g[0] : AT_FDCWD, path, false,
			       f & AT_SYMLINK_NOFOLLOW, p);
	if (r > 0)
		r = resolved(c, st, p->abs, t);
	else if (r == 0)
		r = LAYER_OUTSIDE; /* not the layer's */
	if (r == LAYER_OUTSIDE) {
		free(p);
		free(t);
		return;
	}
	if (r == 0 && !S_ISREG(t->sb.st_mode))
		r = -EACCES;
	if (r == 0) {
		struct job j = {
		    .st = st, .op = OP_ACCESS, .a = p->abs, .mode = X_OK, .flags = LAYER_FOLLOW};
		r = cowl_job_run(c, &j);
	}
	if (r == 0)
		r = steer(c, st, p, t->real, &t->sb, addr, strlen(path) + 1, false, a);
	free(p);
	free(t);
	if (r < 0)
		onbehalf_answer(a, r);
}
