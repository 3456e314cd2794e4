/* SPDX-License-Identifier: Apache-2.0 */
/* cowlist.c - the seccomp layer: listings of its directories (see cowlayer.c). */
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <linux/openat2.h>
#include <linux/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include "aschild.h"
#include "cowlayer.h"
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

#ifndef PROC_ROOT_INO
#define PROC_ROOT_INO 1 /* the kernel's, not in the uapi */
#endif

/* ---- listings ---------------------------------------------------------------------- */

/* The listing is made here, on the engine's thread (the layer's fds are
 * in this table: the fetcher's is its own), from the object behind the
 * child's fd (reopened O_PATH through /proc: onbehalf_fd_object) and the
 * open file's position (its fdinfo, the kernel's); the fetcher then
 * pages it out on its duplicate of the child's file, checking the object
 * and the position again, sets the position and writes the records. */
struct dents_q {
	struct cl_dir *d;
	dev_t dev;
	ino_t ino;
	uint64_t pos, buf;
	unsigned int count;
	bool old; /* getdents: struct linux_dirent */
};

/* The kept listing for the open file at pos: the one we left there, else
 * a fresh snapshot (pos 0, or one we do not know), kept. */
static struct cl_dir *dir_for(struct sl_ctx *c, struct cl_state *st, const char *abs,
			      const struct stat *sb, uint64_t pos, long *err)
{
	struct cl_dir *old = &st->dirs[0];
	for (size_t i = 0; i < CL_DIRS; i++) {
		struct cl_dir *d = &st->dirs[i];
		if (pos && d->used && d->dev == sb->st_dev && d->ino == sb->st_ino &&
		    d->next == pos)
			return d;
		if (!d->used || (old->used && d->clock < old->clock))
			old = d;
	}
	if (old->used)
		layer_dir_free(&old->d);
	*old = (struct cl_dir){.dev = sb->st_dev, .ino = sb->st_ino, .clock = ++st->clock};
	struct job j = {.st = st, .op = OP_READDIR, .a = abs, .dir = &old->d};
	*err = cowl_job_run(c, &j);
	old->used = *err == 0;
	return old->used ? old : NULL;
}

/* linux_dirent64 records into struct linux_dirent, in place (the same
 * lengths on a 64-bit kernel: d_type moves to the last byte). */
static void to_old(unsigned char *b, size_t len)
{
	for (size_t off = 0; off + 19 < len;) {
		uint16_t rl;
		memcpy(&rl, b + off + 16, sizeof(rl));
		unsigned char type = b[off + 18];
		size_t nl = strnlen((char *)b + off + 19, rl - 19);
		memmove(b + off + 18, b + off + 19, nl);
		memset(b + off + 18 + nl, 0, rl - 18 - nl);
		b[off + rl - 1] = type;
		off += rl;
	}
}

/* The workdir's name of a directory (fd, ours) the layer holds: its
 * lower's or its upper's, the same object at that name.  1, or 0. */
static int dir_place(struct cl_state *st, int fd, const struct stat *sb, char *abs)
{
	if (cowl_fd_name(fd, abs, PATH_MAX) < 0)
		return 0;
	bool up = cowl_under(abs, st->up, st->upl);
	if (!up && !cowl_under(abs, st->wd, st->wdl))
		return 0;
	const char *rel = abs + (up ? st->upl : st->wdl);
	rel += strspn(rel, "/");
	struct stat here;
	if (fstatat(up ? st->upper : st->lower, *rel ? rel : ".", &here, AT_SYMLINK_NOFOLLOW) < 0 ||
	    here.st_dev != sb->st_dev || here.st_ino != sb->st_ino)
		return 0;
	return cowl_to_workdir(st, abs);
}

/* The position and flags of the notifier's fd n (its fdinfo). */
static int fd_info(struct sl_ctx *c, int n, uint64_t *pos, unsigned *flags)
{
	int dir = procs_dir(c->proc);
	char name[64], buf[512];
	snprintf(name, sizeof(name), "task/%d/fdinfo/%d", (int)c->req->pid, n);
	int fd = dir < 0 ? -1 : openat(dir, name, O_RDONLY | O_CLOEXEC);
	ssize_t got = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (got <= 0)
		return -EBADF;
	buf[got] = 0;
	const char *p = strstr(buf, "pos:"), *f = strstr(buf, "flags:");
	if (!p || !f)
		return -EIO;
	*pos = strtoull(p + 4, NULL, 10);
	*flags = (unsigned)strtoul(f + 6, NULL, 8);
	return 0;
}

/* On the fetcher, fd its duplicate of the child's (ob_fd_fn). */
static long serve(int fd, const struct sl_memref *m, void *arg)
{
	struct dents_q *q = arg;
	struct stat sb;
	off_t pos = lseek(fd, 0, SEEK_CUR);
	if (fstat(fd, &sb) < 0 || sb.st_dev != q->dev || sb.st_ino != q->ino || pos < 0 ||
	    (uint64_t)pos != q->pos)
		return -EAGAIN; /* changed since: the child's own race */
	size_t size = q->count < (256u << 10) ? q->count : (256u << 10);
	unsigned char *out = calloc(1, size ? size : 1);
	if (!out)
		return -ENOMEM;
	uint64_t next = q->pos;
	ssize_t len = layer_dir_page(&q->d->d, &next, out, size);
	long r = len;
	if (len > 0 && q->old)
		to_old(out, (size_t)len);
	if (len > 0 && lseek(fd, (off_t)next, SEEK_SET) < 0)
		r = -errno;
	if (r > 0 && mem_write(m, q->buf, out, (size_t)len) < 0) {
		lseek(fd, pos, SEEK_SET);
		r = -EFAULT;
	}
	free(out);
	if (r >= 0)
		q->d->next = next;
	return r;
}

/* On the fetcher, fd its duplicate of the child's: a directory that is
 * not the layer's, listed by the kernel on that very file once it is
 * proven the object checked (ob_fd_fn).  Never continued: the kernel
 * would take fd n again, and another thread may have dup2()ed a
 * directory of the layer onto it since (the host's workdir, or the
 * upper, listed raw: the names the command removed, its whiteouts). */
static long serve_other(int fd, const struct sl_memref *m, void *arg)
{
	struct dents_q *q = arg;
	struct stat sb;
	struct statfs sf;
	if (fstat(fd, &sb) < 0 || sb.st_dev != q->dev || sb.st_ino != q->ino)
		return -EAGAIN; /* changed since: the child's own race */
	/* a procfs root is the /proc view's to list (filtered), which is
	 * always on: one that reached this handler was something else when
	 * the view looked (the child's own race), never listed raw here */
	if (sb.st_ino == PROC_ROOT_INO && fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC)
		return -EAGAIN;
	size_t size = q->count < (256u << 10) ? q->count : (256u << 10);
	unsigned char *out = calloc(1, size ? size : 1);
	if (!out)
		return -ENOMEM;
	off_t pos = lseek(fd, 0, SEEK_CUR); /* an O_PATH file: the listing's EBADF */
#ifdef __NR_getdents
	long nr = q->old ? __NR_getdents : __NR_getdents64;
#else
	long nr = __NR_getdents64;
#endif
	long r = syscall(nr, fd, out, size);
	r = r < 0 ? -errno : r;
	if (r > 0 && mem_write(m, q->buf, out, (size_t)r) < 0) {
		if (pos >= 0)
			lseek(fd, pos, SEEK_SET); /* as the kernel: a fault moves nothing */
		r = -EFAULT;
	}
	free(out);
	return r;
}

/* Whether the child's fd n is a directory of the layer: 1 with *q ready,
 * 2 for one removed from the view since (empty), 0 when it is not the
 * layer's (q->dev, q->ino: the object checked), or -errno (the answer:
 * EBADF for no such fd, or an O_PATH one, as the kernel's). */
static long dents_prepare(struct sl_ctx *c, struct cl_state *st, int n, struct dents_q *q)
{
	char *abs = malloc(PATH_MAX);
	struct stat sb;
	unsigned flags = 0;
	int fd = abs ? onbehalf_fd_object(c, n) : -ENOMEM;
	long r = fd < 0 ? fd : fstat(fd, &sb) < 0 ? -errno : 0;
	bool mine = r == 0 && S_ISDIR(sb.st_mode) && dir_place(st, fd, &sb, abs);
	if (fd >= 0)
		close(fd);
	if (r == 0) {
		q->dev = sb.st_dev;
		q->ino = sb.st_ino;
	}
	if (r == 0 && !mine) {
		free(abs);
		return 0;
	}
	if (r == 0)
		r = fd_info(c, n, &q->pos, &flags);
	if (r == 0 && (flags & O_PATH))
		r = -EBADF; /* the kernel's answer to an O_PATH fd */
	if (r == 0) {
		q->d = dir_for(c, st, abs, &sb, q->pos, &r);
		if (!q->d && r == -ENOENT)
			r = 2; /* removed from the view since: empty */
	}
	free(abs);
	return r == 0 ? 1 : r;
}

/* A directory that is not the layer's (dents_prepare's 0).  First in the
 * chain, it goes on to the listings' other handlers (deterministic_dirs,
 * the /proc view), which take the fd again: the object checked is kept
 * for them (cowlayer_listing_object: deterministic_dirs lists only
 * that; the /proc view filters only a procfs root).  Last in the chain
 * (tail: what they left), it is decided afresh and listed here, on the
 * fetcher's duplicate proven the object checked; never continued. */
static void dents_other(struct sl_ctx *c, struct sl_action *a, struct cl_state *st,
			struct dents_q *q, bool tail)
{
	if (!tail) {
		st->dents_set = true;
		st->dents_id = c->req->id;
		st->dents_dev = q->dev;
		st->dents_ino = q->ino;
		*a = sl_act_continue(); /* to the chain's next: the tail at the latest */
		return;
	}
	onbehalf_answer(a, onbehalf_fd_call(st->ob, c, (int)(unsigned int)c->req->data.args[0],
					    serve_other, q));
}

int cowlayer_listing_object(struct sl_ctx *c, dev_t *dev, ino_t *ino)
{
	struct cl_state *st = supervisor_feature_state(c->sup, cowl_self());
	if (!st)
		return 0;
	if (!st->dents_set || st->dents_id != c->req->id)
		return -EAGAIN; /* the layer's handler did not check this call */
	*dev = st->dents_dev;
	*ino = st->dents_ino;
	return 1;
}

static void on_dents(struct sl_ctx *c, struct sl_action *a, struct cl_state *st, bool old,
		     bool tail)
{
	const __u64 *r = c->req->data.args;
	int n = (int)(unsigned int)r[0];
	struct dents_q q = {.buf = r[1], .count = (unsigned int)r[2], .old = old};
	long v = dents_prepare(c, st, n, &q);
	if (v == 0) {
		dents_other(c, a, st, &q, tail);
		return;
	}
	if (v == 1)
		v = onbehalf_fd_call(st->ob, c, n, serve, &q);
	else if (v == 2)
		v = 0;
	if (q.d)
		q.d->clock = ++st->clock;
	onbehalf_answer(a, v);
}

void cowl_on_getdents64(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	on_dents(c, a, arg_, false, false);
}

#ifdef __NR_getdents
void cowl_on_getdents(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	on_dents(c, a, arg_, true, false);
}
#endif

/* The chain's last handlers (feature_cowlayer_opens): the layer's state. */
static void on_dents_tail(struct sl_ctx *c, struct sl_action *a, bool old)
{
	struct cl_state *st = supervisor_feature_state(c->sup, cowl_self());
	if (!st) {
		*a = sl_act_continue();
		return;
	}
	const __u64 *r = c->req->data.args;
	struct dents_q q = {.buf = r[1], .count = (unsigned int)r[2], .old = old};
	/* the object the layer's first handler checked as not its own: the
	 * duplicate is listed when it is that one, with no second decision */
	if (cowlayer_listing_object(c, &q.dev, &q.ino) == 1)
		onbehalf_answer(
		    a, onbehalf_fd_call(st->ob, c, (int)(unsigned int)r[0], serve_other, &q));
	else
		on_dents(c, a, st, old, true);
}

void cowl_on_getdents64_tail(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	(void)arg_;
	on_dents_tail(c, a, false);
}

#ifdef __NR_getdents
void cowl_on_getdents_tail(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	(void)arg_;
	on_dents_tail(c, a, true);
}
#endif
