/* SPDX-License-Identifier: Apache-2.0 */
/* cowsteer.c - the seccomp layer: chdir and exec steered to the holder, a lower program run by a
 * relative name copied into the upper (see cowlayer.c). */
#include <elf.h>
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

/* Whether the kernel, given the child's path (raw: its names; plain:
 * the child's text has no ".." after a name), lands on the object at
 * real: by name (a ".." after a name is walked by the kernel through
 * that name's directory, which the upper may not hold: "d/../x" from a
 * cwd in the upper), or the host's own resolution of raw (symlinks of
 * the lower) naming the same inode. */
static bool kernel_lands(const char *raw, bool plain, const char *real, const struct stat *sb,
			 bool dir)
{
	char k[PATH_MAX];
	snprintf(k, sizeof(k), "%s", raw);
	cowl_lexical(k);
	if (plain && !strcmp(k, real))
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

/* Whether the child's buffer (len bytes with its NUL) can hold
 * "/dev/fd/N" at the shortest. */
static bool fits_fd(size_t len)
{
	return len >= sizeof("/dev/fd/N");
}

/* The child's path at addr (len bytes with its NUL: only the bytes read
 * are rewritten) made to name the object fd, which is taken: installed for
 * the call (SECCOMP_IOCTL_NOTIF_ADDFD without SEND) and named as
 * /proc/self/fd/N, or /dev/fd/N when that is shorter and the host's
 * /dev/fd is the link to /proc/self/fd, followed by rest ("" or "/a/b":
 * names beneath the object).  -ENAMETOOLONG when neither fits. */
static long name_fd(struct sl_ctx *c, const struct cl_state *st, int n, uint64_t addr, size_t len,
		    const char *rest)
{
	char via[PATH_MAX];
	int k = snprintf(via, sizeof(via), "/proc/self/fd/%d%s", n, rest);
	if ((k < 0 || (size_t)k + 1 > len) && st->dev_fd)
		k = snprintf(via, sizeof(via), "/dev/fd/%d%s", n, rest);
	if (k < 0 || (size_t)k + 1 > len)
		return -ENAMETOOLONG;
	return mem_write(&c->mem, addr, via, strlen(via) + 1) < 0 ? -EFAULT : 0;
}

/* fd installed in the child for the call (ADDFD without SEND; fd is
 * taken), close-on-exec when cloexec: its number, or -errno. */
static int install_fd(struct sl_ctx *c, int fd, bool cloexec)
{
	struct seccomp_notif_addfd add = {
	    .id = c->req->id, .srcfd = (uint32_t)fd, .newfd_flags = cloexec ? O_CLOEXEC : 0};
	int n = ioctl(c->mem.listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	int e = n < 0 ? errno : 0;
	close(fd);
	return n < 0 ? (e ? -e : -EAGAIN) : n;
}

static long rewrite_fd(struct sl_ctx *c, const struct cl_state *st, int fd, uint64_t addr,
		       size_t len, const char *rest, bool cloexec)
{
	int n = install_fd(c, fd, cloexec);
	return n < 0 ? n : name_fd(c, st, n, addr, len, rest);
}

#if defined(__x86_64__)
#define NATIVE_EM EM_X86_64
#elif defined(__aarch64__)
#define NATIVE_EM EM_AARCH64
#endif

/* Whether the file fd (ours) is an ELF program of this machine, which
 * the kernel maps itself: the descriptor an exec of /proc/self/fd/N was
 * steered to is then handed close-on-exec, gone from the new program
 * (the kernel opened the file before the point of no return).  A script
 * keeps it: its interpreter opens /dev/fd/N by name after the exec, as
 * does a binfmt_misc handler of a foreign ELF. */
static bool native_elf(int fd)
{
#ifdef NATIVE_EM
	Elf64_Ehdr h;
	return pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
	       !memcmp(h.e_ident, ELFMAG, SELFMAG) && h.e_ident[EI_CLASS] == ELFCLASS64 &&
	       h.e_machine == NATIVE_EM;
#else
	(void)fd;
	return false;
#endif
}

/* The child's path rewritten to name (when it fits). */
static long rewrite_name(struct sl_ctx *c, const char *name, uint64_t addr)
{
	return mem_write(&c->mem, addr, name, strlen(name) + 1) < 0 ? -EFAULT : 0;
}

struct holder_q {
	const struct cl_state *st;
	const char *real;
	bool dir;
};

static long holder_op(void *arg)
{
	const struct holder_q *q = arg;
	return holder_open(q->st, q->real, q->dir);
}

/* The holder's object at real, opened to be handed to the child (with
 * its credentials: a root supervisor's would open what the child cannot
 * read): sb's, unless NULL (a racing rename in the layer meets a symlink
 * and fails). */
static int holder_checked(struct sl_ctx *c, struct cl_state *st, const char *real,
			  const struct stat *sb, bool dir)
{
	struct holder_q q = {.st = st, .real = real, .dir = dir};
	int fd = (int)onbehalf_call(st->ob, c, holder_op, &q);
	struct stat fb;
	if (fd >= 0 && sb &&
	    (fstat(fd, &fb) < 0 || fb.st_ino != sb->st_ino || fb.st_dev != sb->st_dev)) {
		close(fd);
		return -EAGAIN;
	}
	return fd;
}

/* The kernel's own call on the child's path, now that the layer has
 * decided: continued when the kernel lands where the layer does, else
 * the path (read once, len bytes with its NUL, in the child's buffer)
 * rewritten to the holder's name when it fits, or to /proc/self/fd/N of
 * an fd we install (ADDFD without SEND) for the call.  A thread that
 * rewrites it again meanwhile only changes what the kernel then judges
 * under Landlock.  -ENAMETOOLONG when nothing fits. */
static long steer(struct sl_ctx *c, struct cl_state *st, const struct place *p, const char *path,
		  const char *real, const struct stat *sb, uint64_t addr, bool dir,
		  struct sl_action *a)
{
	*a = sl_act_continue();
	size_t len = strlen(path) + 1;
	if (kernel_lands(p->raw, cowl_plain_walk(path), real, sb, dir))
		return 0;
	if (strlen(real) + 1 <= len)
		return rewrite_name(c, real, addr);
	int fd = fits_fd(len) ? holder_checked(c, st, real, sb, dir) : -ENAMETOOLONG;
	return fd < 0 ? fd : rewrite_fd(c, st, fd, addr, len, "", !dir && native_elf(fd));
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
	int r = abs ? cowl_cwd_name(c, abs) : -ENOMEM;
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

/* The path from the directory from (a kernel name: physical, no
 * symlink) to to (absolute, no ".."), as the kernel walks it: a ".." per
 * component of from below the common part, then the rest of to.  It
 * fits len bytes with its NUL, else -ENAMETOOLONG. */
static int relative_to(const char *from, const char *to, char *out, size_t len)
{
	size_t i = 0, common = 0;
	while (from[i] && from[i] == to[i]) {
		i++;
		if ((from[i] == '/' || !from[i]) && (to[i] == '/' || !to[i]))
			common = i;
	}
	if (!strcmp(from, "/"))
		common = 0;
	size_t o = 0;
	for (const char *r = from + common; *r;) {
		r += strspn(r, "/");
		size_t n = strcspn(r, "/");
		if (n && o + 3 < len) {
			memcpy(out + o, "../", 3);
			o += 3;
		} else if (n) {
			return -ENAMETOOLONG;
		}
		r += n;
	}
	const char *rest = to + common;
	rest += strspn(rest, "/");
	size_t rl = strlen(rest);
	if (!rl && o)
		o--; /* the last "/" */
	else if (!rl && !o)
		out[o++] = '.';
	if (o + rl + 1 > len)
		return -ENAMETOOLONG;
	memcpy(out + o, rest, rl + 1);
	return 0;
}

/* The child's path (len bytes) rewritten to the path from the thread's
 * cwd to dir (absolute, no ".."), when that fits: 0, or -ENAMETOOLONG.
 * The kernel walks it from the cwd it has: "..", then names of dir. */
static long rewrite_relative(struct sl_ctx *c, const char *dir, uint64_t addr, size_t len)
{
	char *from = malloc(PATH_MAX), *rel = malloc(PATH_MAX);
	long r = from && rel ? cowl_cwd_name(c, from) : -ENOMEM;
	if (r == 0)
		r = relative_to(from, dir, rel, len < PATH_MAX ? len : PATH_MAX);
	if (r == 0)
		r = rewrite_name(c, rel, addr);
	free(from);
	free(rel);
	return r < 0 && r != -EFAULT ? -ENAMETOOLONG : r;
}

struct host_q {
	const char *path;
	bool dir;
};

static long host_open_op(void *arg)
{
	const struct host_q *q = arg;
	int fd =
	    open(q->path, (q->dir ? O_RDONLY | O_DIRECTORY : O_RDONLY | O_NONBLOCK) | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* A chdir or an exec whose path (at addr) the layer continues outside
 * the workdir, at out (a ".." above the workdir's root, a symlink out):
 * the kernel must reach that host object, not what the same names reach
 * from a cwd in the upper (the branch's storage).  Continued where the
 * kernel's walk from a lower base gets there by name; else rewritten to
 * out, the path from the cwd (cwd: the call starts there), or an fd of
 * the object opened by the
 * executor confined by the command's own ruleset, with its credentials
 * (the fd handed over reads only what the command may read).  A name too
 * short for any ("..") is ENAMETOOLONG. */
static long steer_outside(struct sl_ctx *c, struct cl_state *st, const struct place *p,
			  const char *path, const char *out, uint64_t addr, bool dir, bool cwd,
			  struct sl_action *a)
{
	char k[PATH_MAX], o[PATH_MAX];
	snprintf(k, sizeof(k), "%s", p->raw);
	snprintf(o, sizeof(o), "%s", out);
	cowl_lexical(k);
	cowl_lexical(o);
	*a = sl_act_continue();
	size_t len = strlen(path) + 1;
	if (!cowl_under(p->raw, st->up, st->upl) && !strcmp(k, o))
		return 0;
	if (strlen(out) + 1 <= len)
		return rewrite_name(c, out, addr);
	if (cwd && cowl_plain_walk(out) && rewrite_relative(c, o, addr, len) == 0)
		return 0;
	struct host_q q = {.path = out, .dir = dir};
	long fd = fits_fd(len) ? onbehalf_call_on(st->ob, c, st->confined, host_open_op, &q)
			       : -ENAMETOOLONG;
	return fd < 0 ? fd : rewrite_fd(c, st, (int)fd, addr, len, "", !dir && native_elf((int)fd));
}

/* The layer's judgement of a chdir to abs (ENOENT for a removed name,
 * ENOTDIR, EACCES without search): 0 with t filled, LAYER_OUTSIDE with
 * out (where it continues, one that comes back in walked again), or
 * -errno. */
static long chdir_judge(struct sl_ctx *c, struct cl_state *st, char *abs, struct target *t,
			char *out)
{
	long r = resolved(c, st, abs, t);
	for (int i = 0; i < LAYER_MAX_LINKS && r == LAYER_OUTSIDE; i++) {
		if (!cowl_outside_of(c, st, abs, LAYER_FOLLOW, out))
			return -EXDEV;
		if (!cowl_back_inside(st, out))
			return LAYER_OUTSIDE;
		memcpy(abs, out, strlen(out) + 1);
		r = resolved(c, st, abs, t);
	}
	if (r == 0 && !S_ISDIR(t->sb.st_mode))
		r = -ENOTDIR;
	if (r == 0) {
		struct job j = {
		    .st = st, .op = OP_ACCESS, .a = abs, .mode = X_OK, .flags = LAYER_FOLLOW};
		r = cowl_job_run(c, &j);
	}
	return r;
}

/* The upper's directory dir (or rest beneath it) handed to the child as
 * a descriptor, its path rewritten to name it (rewrite_fd).  (No identity
 * to check the directory against: the root's stat is the view's, not the
 * upper's; a chdir grants nothing.) */
static long inject_dir(struct sl_ctx *c, struct cl_state *st, const char *dir, size_t len,
		       const char *rest)
{
	int fd = holder_checked(c, st, dir, NULL, true);
	return fd < 0 ? fd : rewrite_fd(c, st, fd, c->req->data.args[0], len, rest, false);
}

/* Whether the child's fd n (its own file table: task/<tid>/fd/n, the
 * magic link followed) names the upper's root. */
static bool names_upper_root(struct sl_ctx *c, const struct cl_state *st, int n)
{
	char name[32];
	snprintf(name, sizeof(name), "fd/%d", n);
	int fd = onbehalf_task_open(c, name, 0);
	struct stat a, b;
	bool same = fd >= 0 && fstat(fd, &a) == 0 && fstat(st->upper, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	if (fd >= 0)
		close(fd);
	return same;
}

/* An absolute chdir steered to /dev/fd/N/a/b with N the upper's root:
 * the descriptor this process was handed for the last one when its
 * number still names the root, else a new one, remembered.  A shell
 * that moves around the workdir by absolute names keeps one descriptor,
 * not one per cd (it would run out of them).  The command may close or
 * replace it at any time: checked at each use, by the kernel's object
 * behind the number; a thread that swaps it after the check only picks
 * another cwd, which grants nothing. */
static long inject_root(struct sl_ctx *c, struct cl_state *st, size_t len, const char *rest)
{
	struct cl_proc *pr = feature_proc(c->proc, st->proc_off);
	uint64_t addr = c->req->data.args[0];
	if (pr->root_fd1 > 0 && names_upper_root(c, st, pr->root_fd1 - 1))
		return name_fd(c, st, pr->root_fd1 - 1, addr, len, rest);
	int fd = holder_checked(c, st, st->up, NULL, true);
	int n = fd < 0 ? fd : install_fd(c, fd, false);
	if (n < 0)
		return n;
	pr->root_fd1 = n + 1;
	return name_fd(c, st, n, addr, len, rest);
}

/* The child's path (len bytes) rewritten to reach the upper's directory
 * t->up, by the first form that fits: its name; for an absolute path,
 * which the caller may keep as the directory's name (a shell's logical
 * $PWD, joined to its next cd), /dev/fd/N/a/b with N the upper's root
 * (a logical "cd .." from there stays in the workdir, placed again by
 * name; the root itself: /dev/fd/N), then /dev/fd/N of the directory;
 * for a relative one, the path from the cwd first (no descriptor left
 * behind), then /dev/fd/N/a/b.  The root's descriptor is one per process
 * (inject_root); only the last resort leaves one per call. */
static long rewrite_upper(struct sl_ctx *c, struct cl_state *st, const struct target *t,
			  const char *path, size_t len)
{
	uint64_t addr = c->req->data.args[0];
	bool abs = path[0] == '/';
	const char *rel = t->up + st->upl; /* "" for the root, else "/a/b" */
	if (strlen(t->up) + 1 <= len)
		return rewrite_name(c, t->up, addr);
	long r = -ENAMETOOLONG;
	bool root_fits = len >= sizeof("/dev/fd/N") + strlen(rel);
	if (abs && root_fits)
		r = inject_root(c, st, len, rel);
	if (r == -ENAMETOOLONG && !abs)
		r = rewrite_relative(c, t->up, addr, len);
	if (r == -ENAMETOOLONG && !abs && root_fits)
		r = inject_root(c, st, len, rel);
	if (r == -ENAMETOOLONG && fits_fd(len))
		r = inject_dir(c, st, t->up, len, "");
	if (r == -ENAMETOOLONG && abs)
		r = rewrite_relative(c, t->up, addr, len);
	return r;
}

/* chdir into a directory of the view: the kernel lands on the upper's
 * directory (made there first, without its contents, when only the lower
 * held it: the view and the change list do not change), so that the
 * names the layer makes from there are found by the kernel's own walks
 * (a relative chdir into a directory just made: `mkdir -p a/b`).
 * Continued when the child's names already reach it from its base (a
 * relative path from a cwd in the upper: the common case), else the path
 * rewritten (rewrite_upper). */
static long chdir_upper(struct sl_ctx *c, struct cl_state *st, const struct place *p,
			const char *path, struct target *t, struct sl_action *a)
{
	*a = sl_act_continue();
	if (!t->upper) {
		struct job j = {.st = st, .op = OP_MATERIALIZE, .a = p->abs};
		long r = cowl_job_run(c, &j);
		if (r == 0)
			r = resolved(c, st, p->abs, t);
		if (r == 0 && (!t->upper || !S_ISDIR(t->sb.st_mode)))
			r = -EAGAIN; /* changed meanwhile */
		if (r != 0)
			return r < 0 ? r : -EAGAIN;
	}
	char k[PATH_MAX];
	snprintf(k, sizeof(k), "%s", p->raw);
	cowl_lexical(k);
	size_t len = strlen(path) + 1;
	if (cowl_plain_walk(path) && !strcmp(k, t->up))
		return 0;
	long r = rewrite_upper(c, st, t, path, len);
	/* nothing fits (or read-only memory): the lower's directory, where
	 * the kernel's walk lands on it by the child's names (the cwd is then
	 * in the lower, as the view shows it; a relative chdir from there into
	 * a directory only the upper holds needs a rewrite again) */
	if (r < 0 && t->low[0] && cowl_plain_walk(path) && !strcmp(k, t->low))
		r = 0;
	return r;
}

/* chdir(2).  Landlock checks no right for a chdir (a cwd only starts
 * relative paths, and every path call that lands in the workdir is placed
 * here again by the kernel's name of the cwd), so steering it is safe
 * whatever the kernel finally resolves: a thread that rewrites the buffer
 * again only picks another cwd.  A path into the workdir lands on the
 * upper's directory (chdir_upper); one that leaves it on the host's
 * (chdir_outside); any other is the kernel's. */
void cowl_on_chdir(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	struct cl_state *st = arg_;
	*a = sl_act_continue();
	struct place *p = malloc(sizeof(*p));
	struct target *t = malloc(sizeof(*t));
	char *path = malloc(PATH_MAX), *out = malloc(PATH_MAX);
	long r = p && t && path && out ? onbehalf_read_path(c, c->req->data.args[0], path, PATH_MAX)
				       : -ENOMEM;
	if (r == 0) {
		/* /dev/fd/N/x: named as the caller's /proc/self/fd/N/x (a
		 * shell joins its next cd to a /dev/fd/N it was steered to) */
		snprintf(out, PATH_MAX, "%s", path);
		cowl_dev_fd(st, out);
		r = cowl_place(st, c, AT_FDCWD, out, false, false, p);
	}
	bool layer = r > 0; /* else not the layer's: the kernel's */
	if (layer)
		r = chdir_judge(c, st, p->abs, t, out);
	if (layer && r == LAYER_OUTSIDE)
		r = steer_outside(c, st, p, path, out, c->req->data.args[0], true, true, a);
	else if (layer && r == 0)
		r = chdir_upper(c, st, p, path, t, a);
	free(p);
	free(t);
	free(path);
	free(out);
	if (r < 0)
		onbehalf_answer(a, r);
}

/* An exec whose path leaves the workdir: steered to the host's file
 * (steer_outside) where the layer continues, or one that comes back in
 * (LAYER_OUTSIDE: the kernel's, as before). */
static long exec_outside(struct sl_ctx *c, struct cl_state *st, const struct place *p,
			 const char *path, uint64_t addr, unsigned int f, bool cwd,
			 struct sl_action *a)
{
	char *out = malloc(PATH_MAX);
	long r = out ? 0 : -ENOMEM;
	if (r == 0 &&
	    (!cowl_outside_of(c, st, p->abs, (f & AT_SYMLINK_NOFOLLOW) ? 0 : LAYER_FOLLOW, out) ||
	     cowl_back_inside(st, out)))
		r = LAYER_OUTSIDE;
	if (r == 0)
		r = steer_outside(c, st, p, path, out, addr, false, cwd, a);
	free(out);
	return r;
}

/* ---- exec copies ------------------------------------------------------------------- */

/* Whether the copy at u (the upper's) shows what the lower's file at t
 * showed: type, mode, owner, size and modification time.  A copy made
 * with other ids (a file of another user) would change the view. */
static bool copy_same(const struct stat *u, const struct stat *t)
{
	return u->st_mode == t->st_mode && u->st_uid == t->st_uid && u->st_gid == t->st_gid &&
	       u->st_size == t->st_size && u->st_mtim.tv_sec == t->st_mtim.tv_sec &&
	       u->st_mtim.tv_nsec == t->st_mtim.tv_nsec;
}

/* The upper's directory holding rel (a path under the upper), opened
 * beneath it with no symlink followed; *name its last component. */
static int copy_parent(const struct cl_state *st, const char *rel, const char **name)
{
	const char *slash = strrchr(rel, '/');
	*name = slash ? slash + 1 : rel;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - rel) : 1, slash ? rel : ".");
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					  RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
	long fd = syscall(SYS_openat2, st->upper, dir, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

static uint64_t fnv(uint64_t h, const void *buf, size_t n)
{
	for (const unsigned char *b = buf; n--; b++)
		h = (h ^ *b) * 0x100000001b3ULL;
	return h;
}

/* A digest (FNV-1a) of the file fd's bytes and its xattrs' names and
 * values: 0, or -errno (one that cannot be read is not taken back). */
static int copy_digest(int fd, uint64_t *out)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char *buf = malloc(65536);
	ssize_t n = buf ? 1 : -1;
	for (off_t at = 0; buf && (n = pread(fd, buf, 65536, at)) > 0; at += n)
		h = fnv(h, buf, (size_t)n);
	ssize_t ln = n == 0 ? flistxattr(fd, buf, 65536) : -1;
	for (ssize_t i = 0; ln > 0 && i < ln; i += (ssize_t)strlen(buf + i) + 1) {
		char v[4096];
		ssize_t vn = fgetxattr(fd, buf + i, v, sizeof(v));
		h = fnv(fnv(h, buf + i, strlen(buf + i) + 1), v, vn > 0 ? (size_t)vn : 0);
		if (vn < 0)
			ln = -1;
	}
	free(buf);
	*out = h;
	return n == 0 && ln >= 0 ? 0 : -EIO;
}

/* Whether the stat a shows the file b showed: the same inode, one link,
 * its type, mode, owner, size and times (a write, chmod, chown, xattr,
 * link or rename of it moves its ctime). */
static bool copy_unchanged(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_nlink == 1 &&
	       a->st_mode == b->st_mode && a->st_uid == b->st_uid && a->st_gid == b->st_gid &&
	       a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* name removed from the upper's directory dir (O_PATH): in a directory
 * without write permission (a read-only lower directory copied up with
 * its mode) the owner's write bit is lent for the unlink, as the layer's
 * copy-up lends it for the copy. */
static void copy_unlink(int dir, const char *name)
{
	if (unlinkat(dir, name, 0) == 0 || errno != EACCES)
		return;
	char self[32];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", dir);
	struct stat d;
	if (fstat(dir, &d) < 0 || d.st_uid != geteuid() || chmod(self, d.st_mode | S_IWUSR) < 0)
		return; /* committed as it is: the same bytes */
	unlinkat(dir, name, 0);
	chmod(self, d.st_mode & 07777);
}

/* Whether, the copy cp removed, the view at its path shows the lower's
 * file: the lower holds the name visibly, a regular file (no whiteout,
 * no opaque directory above it hiding the lower's entries: removing the
 * copy there would remove the file from the view), reached with no
 * symlink on the way.  Its bytes are the host's (changed on the host
 * during the run, the host's change stays). */
static bool lower_shows(const struct cl_state *st, const struct cl_copy *cp)
{
	struct layer_node n;
	if (layer_lookup(&st->l, cp->rel, 0, &n) != 0)
		return false;
	struct stat lb;
	bool ok = n.where == LAYER_UPPER && n.in_lower && n.low >= 0 && !strcmp(n.path, cp->rel) &&
		  fstatat(n.low, n.name, &lb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(lb.st_mode);
	layer_node_put(&n);
	return ok;
}

/* The copy cp removed from the upper when it is still what the copy
 * made (its stat, and its digest: a change within the clock tick of the
 * copy leaves the ctime as it was) and the lower shows the same file
 * there (lower_shows). */
static void copy_take_back(const struct cl_state *st, const struct cl_copy *cp)
{
	const char *name;
	int dir = copy_parent(st, cp->rel, &name);
	int fd = dir < 0 ? -1 : openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat sb, now;
	uint64_t d;
	if (fd >= 0 && fstat(fd, &sb) == 0 && copy_unchanged(&sb, &cp->sb) &&
	    copy_digest(fd, &d) == 0 && d == cp->digest && lower_shows(st, cp) &&
	    fstatat(dir, name, &now, AT_SYMLINK_NOFOLLOW) == 0 && copy_unchanged(&now, &cp->sb))
		copy_unlink(dir, name);
	if (fd >= 0)
		close(fd);
	if (dir >= 0)
		close(dir);
}

void cowl_steer_release(struct cl_state *st)
{
	for (size_t i = 0; i < st->ncopies; i++) {
		copy_take_back(st, &st->copies[i]);
		free(st->copies[i].rel);
	}
	free(st->copies);
	st->copies = NULL;
	st->ncopies = 0;
}

/* The copy at the upper's name up remembered, to be taken back at the
 * end (cowl_steer_release): its stat and digest, read on fd (ours, of
 * the copy, opened with the child's credentials). */
static int copy_remember(struct cl_state *st, const char *up, int fd)
{
	struct cl_copy cp = {0};
	int r = fstat(fd, &cp.sb) < 0 ? -errno : copy_digest(fd, &cp.digest);
	struct cl_copy *v = r < 0 ? NULL : realloc(st->copies, (st->ncopies + 1) * sizeof(*v));
	if (!v)
		return r < 0 ? r : -ENOMEM;
	st->copies = v;
	const char *rel = up + st->upl;
	if (!(cp.rel = strdup(rel + strspn(rel, "/"))))
		return -ENOMEM;
	v[st->ncopies++] = cp;
	return 0;
}

/* An exec of a file only the lower holds, by a relative name that the
 * kernel walks from the cwd in the upper (./configure, ./t, a PATH entry
 * "."): the file copied into the upper at that name (a copy-up, as a
 * write would make), so the kernel's own walk of the caller's names finds
 * it there, nothing rewritten in the caller's buffer and no descriptor
 * handed over: $0 of a script stays the name it was run by (configure
 * finds its srcdir by it), a name shorter than /dev/fd/N runs, a failed
 * exec leaves the caller as it was.  The view is unchanged (the copy
 * shows the lower's mode, owner, size and times; its inode is the
 * upper's, as after any copy-up), and one the run leaves as made is
 * removed at the end.  true when the call can go on to the copy; false
 * when the walk would not reach it (an absolute name, "..", a symlink on
 * the way), max_disk has no room, or the copy would differ: steered as
 * before. */
static bool exec_copy_at(struct sl_ctx *c, struct cl_state *st, const struct place *p,
			 const struct target *t, struct target *u)
{
	if (cowl_quota(c, st, (uint64_t)t->sb.st_size) < 0)
		return false;
	struct job j = {.st = st, .op = OP_MATERIALIZE, .a = p->abs};
	long r = cowl_job_run(c, &j);
	if (r == 0)
		r = resolved(c, st, p->abs, u);
	bool ok = r == 0 && u->upper && !strcmp(u->up, t->up) && S_ISREG(u->sb.st_mode);
	int fd = ok ? holder_checked(c, st, u->up, &u->sb, false) : -1;
	if (ok && (fd < 0 || !copy_same(&u->sb, &t->sb) || copy_remember(st, u->up, fd) < 0)) {
		const char *rel = u->up + st->upl + 1, *name;
		int dir = copy_parent(st, rel, &name);
		struct stat now;
		/* the lower's file shows again */
		if (dir >= 0 && fstatat(dir, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
		    now.st_ino == u->sb.st_ino && now.st_dev == u->sb.st_dev)
			copy_unlink(dir, name);
		if (dir >= 0)
			close(dir);
		ok = false;
	}
	if (fd >= 0)
		close(fd);
	return ok;
}

static bool exec_copy(struct sl_ctx *c, struct cl_state *st, const struct place *p,
		      const char *path, const struct target *t)
{
	char k[PATH_MAX];
	snprintf(k, sizeof(k), "%s", p->raw);
	cowl_lexical(k);
	if (t->upper || path[0] == '/' || !cowl_plain_walk(path) || strcmp(k, t->up))
		return false;
	struct target *u = malloc(sizeof(*u));
	bool ok = u && exec_copy_at(c, st, p, t, u);
	free(u);
	return ok;
}

/* The lower's program run by a name the kernel's walk does not bring to
 * a copy at the same place (an absolute name, "..", a symlink on the
 * way): Landlock gives the workdir no right (cowrules.h), so the kernel
 * runs only the upper's copy, to which the call is steered.  -EACCES
 * when no copy can be made (max_disk has no room, a file of another
 * user that a copy would give the caller). */
static long exec_lower(struct sl_ctx *c, struct cl_state *st, const struct place *p,
		       const char *path, const struct target *t, uint64_t addr, struct sl_action *a)
{
	struct target *u = malloc(sizeof(*u));
	long r = !u ? -ENOMEM : exec_copy_at(c, st, p, t, u) ? 0 : -EACCES;
	if (r == 0)
		r = steer(c, st, p, path, u->real, &u->sb, addr, false, a);
	free(u);
	return r;
}

/* execve and execveat of a file of the layer.  The kernel must execute
 * it, so the call is continued once the layer has judged the path (ENOENT
 * for a removed name, EACCES for a file that is not regular or not
 * executable) and the kernel is steered to the file's holder (a lower
 * file is copied up first: exec_copy by a relative name, the kernel's
 * walk finding the copy, exec_lower by any other, steered to it).
 * What decides the exec is then the kernel's Landlock check on the file
 * it opens: execute and read are granted on the upper, nothing of the
 * workdir (cowrules.h), so a thread that rewrites the path after the
 * check executes only a file of the upper or outside, never a lower
 * program the layer removed.  An execveat(fd, "", AT_EMPTY_PATH) of a
 * lower file (fexecve of one the layer opened) meets the same refusal:
 * EACCES. */
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
	bool layer = r > 0; /* else not the layer's: the kernel's */
	bool done = !layer;
	if (layer)
		r = resolved(c, st, p->abs, t);
	if (layer && r == LAYER_OUTSIDE) {
		r = exec_outside(c, st, p, path, addr, f, !at || (int)(int32_t)g[0] == AT_FDCWD, a);
		done = true; /* steered, or the kernel's (LAYER_OUTSIDE) */
	}
	if (done) {
		free(p);
		free(t);
		if (r < 0)
			onbehalf_answer(a, r);
		return;
	}
	if (r == 0 && !S_ISREG(t->sb.st_mode))
		r = -EACCES;
	if (r == 0) {
		struct job j = {
		    .st = st, .op = OP_ACCESS, .a = p->abs, .mode = X_OK, .flags = LAYER_FOLLOW};
		r = cowl_job_run(c, &j);
	}
	if (r == 0 && !t->upper && !exec_copy(c, st, p, path, t))
		r = exec_lower(c, st, p, path, t, addr, a);
	else if (r == 0 && t->upper)
		r = steer(c, st, p, path, t->real, &t->sb, addr, false, a);
	free(p);
	free(t);
	if (r < 0)
		onbehalf_answer(a, r);
}
