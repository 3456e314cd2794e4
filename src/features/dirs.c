/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dirs.c - deterministic_dirs: directory listings come back sorted by
 * name (bytewise), so `ls -U`, os.listdir and find print the same order
 * on every run and every host, whatever the filesystem's own order
 * (ext4's hash, tmpfs's creation order).
 *
 * getdents64 and getdents (emulate, every call notified: the registers
 * say nothing of what the fd is).  The fetcher (onbehalf.h: a thread with
 * a file table of its own) takes the child's fd: a file of the child's
 * never enters the host's table, whose close of it would drop the host's
 * POSIX locks on the inode.  There, with the child's ids and no
 * effective capability:
 *   - an O_PATH file, one not open for reading, or not a directory, is
 *     answered as the kernel answers it (EBADF, ENOTDIR), never
 *     continued: the kernel would take the fd number again, and with the
 *     copy-on-write layer a thread may have dup2()ed one of its
 *     directories there since (listed raw, it shows the names the
 *     command removed); with the layer, the duplicate must also be the
 *     object the layer checked as not its own (cowlayer_listing_object:
 *     EAGAIN otherwise, the child's own race);
 *   - the file's position (lseek SEEK_CUR, the open file's, shared by
 *     every fd and process holding it) is our cursor: an index into the
 *     sorted listing.  0 is a fresh listing (opendir, rewinddir), taken
 *     through /proc/thread-self/fd/N, a new open of the same directory,
 *     so reading it moves nobody's position (through the duplicate
 *     itself when that open is refused: the child's ids may lack the
 *     read permission it had when it opened the directory);
 *   - records from the cursor, as many as fit the buffer (EINVAL when
 *     not even one does, as the kernel's), each d_off the next index,
 *     are written to the child, then the position set to the next index
 *     (first, and set back when the write fails: EFAULT moves nothing);
 *     at the end, 0.
 * A listing is kept for the next calls of the same open file, known by
 * the directory's (st_dev, st_ino) and the position we left it at (else
 * the latest listing of that directory: seekdir within it): a snapshot,
 * so a program removing entries while it reads (shutil.rmtree) sees each
 * entry once.  At most DIRS_KEPT listings and DIRS_MEM_MAX bytes per
 * sandbox, the least recently used dropped first; one listing larger
 * than that is ENOMEM.  What the child can do to this: rewrite the
 * position (lseek, dup2 another directory onto the fd between calls),
 * which only picks another place in a listing of the directory the file
 * is at that moment; nothing of another directory, nothing the child
 * could not list itself.
 *
 * Where pidfd_getfd is refused (Docker's default seccomp profile), the
 * start is refused, naming it: an unsorted listing would break the
 * promise silently.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cowlayer.h"
#include "error.h"
#include "feature.h"
#include "mem.h"
#include "onbehalf.h"
#include "policy.h"
#include "procview.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "util.h"

#define DIRS_KEPT    64
#define DIRS_MEM_MAX ((size_t)64 << 20)
#define DIRS_CHUNK   ((size_t)256 << 10) /* at most this much written per call */
#define DIRS_READ    ((size_t)64 << 10)	 /* our own getdents64 buffer */

struct dent {
	uint64_t ino;
	uint32_t name; /* offset in names */
	uint16_t len;
	uint8_t type;
};

struct listing {
	dev_t dev;
	ino_t ino;
	uint64_t next; /* the position we last set */
	uint64_t used; /* last use, for eviction */
	struct dent *v;
	size_t n;
	char *names;
	size_t bytes;
};

struct dirs_state {
	struct onbehalf *ob;
	struct listing *kept[DIRS_KEPT];
	size_t n_kept, bytes;
	uint64_t clock;
};

/* The proc view: a procfs root lists no process outside the sandbox
 * (the members taken on the engine's thread: the listing is made on the
 * fetcher, which cannot reach the index's pidfds). */
struct members {
	const pid_t *v;
	size_t n;
};

struct dirs_call {
	struct dirs_state *st;
	uint64_t buf;
	unsigned int count;
	bool old; /* getdents: struct linux_dirent */
	struct members ms;
	bool check; /* the copy-on-write layer checked (dev, ino) */
	dev_t dev;
	ino_t ino;
};

static void listing_free(struct listing *l)
{
	if (l) {
		free(l->v);
		free(l->names);
		free(l);
	}
}

static void drop(struct dirs_state *st, size_t i)
{
	st->bytes -= st->kept[i]->bytes;
	listing_free(st->kept[i]);
	st->kept[i] = st->kept[--st->n_kept];
}

static int by_name(const void *a, const void *b, void *names)
{
	const struct dent *x = a, *y = b;
	const char *nm = names;
	int c = memcmp(nm + x->name, nm + y->name, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Appends the records of one getdents64 answer to l.  0 or -errno. */
static int take(struct listing *l, const char *buf, size_t len, size_t *cap, size_t *ncap)
{
	for (size_t off = 0; off + 19 < len;) {
		uint16_t reclen;
		memcpy(&reclen, buf + off + 16, sizeof(reclen));
		if (reclen < 20 || off + reclen > len)
			return -EIO;
		const char *name = buf + off + 19;
		size_t nl = strnlen(name, reclen - 19);
		size_t used = l->bytes - l->n * sizeof(struct dent);
		l->bytes += sizeof(struct dent) + nl;
		if (l->bytes > DIRS_MEM_MAX)
			return -ENOMEM;
		if (l->n == *ncap) {
			*ncap = *ncap ? *ncap * 2 : 256;
			struct dent *v = realloc(l->v, *ncap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			l->v = v;
		}
		if (used + nl > *cap) {
			*cap = (used + nl) * 2 + 4096;
			char *n = realloc(l->names, *cap);
			if (!n)
				return -ENOMEM;
			l->names = n;
		}
		struct dent *d = &l->v[l->n++];
		memcpy(&d->ino, buf + off, sizeof(d->ino));
		d->type = (uint8_t)buf[off + 18];
		d->name = (uint32_t)used;
		d->len = (uint16_t)nl;
		memcpy(l->names + used, name, nl);
		off += reclen;
	}
	return 0;
}

static void drop_hidden(struct listing *l, int fd, const struct members *ms)
{
	struct statfs sf;
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_ino != 1 || fstatfs(fd, &sf) < 0 ||
	    sf.f_type != PROC_SUPER_MAGIC)
		return;
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++)
		if (procview_name_listed(ms->v, ms->n, l->names + l->v[i].name, l->v[i].len))
			l->v[k++] = l->v[i];
	l->n = k;
}

/* Every entry of the directory open at fd, sorted.  0 or -errno. */
static int list_all(int fd, struct listing *l, const struct members *ms)
{
	char path[48];
	snprintf(path, sizeof(path), "/proc/thread-self/fd/%d", fd);
	/* a new open file of the same directory: our reading moves nobody's
	 * position.  Refused (the directory lost its read permission for
	 * these ids since the child opened it): the child's own file, from
	 * its start; the caller sets its position afterwards anyway */
	int own = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rd = own >= 0 ? own : fd;
	if (own < 0 && lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	char *buf = malloc(DIRS_READ);
	size_t cap = 0, ncap = 0;
	int r = buf ? 0 : -ENOMEM;
	while (r == 0) {
		long n = syscall(SYS_getdents64, rd, buf, DIRS_READ);
		if (n <= 0) {
			r = n < 0 ? -errno : 0;
			break;
		}
		r = take(l, buf, (size_t)n, &cap, &ncap);
	}
	free(buf);
	if (own >= 0)
		close(own);
	if (r == 0)
		drop_hidden(l, fd, ms);
	if (r == 0 && l->n)
		qsort_r(l->v, l->n, sizeof(*l->v), by_name, l->names);
	return r;
}

/* The listing to serve position pos of the directory st from: a kept
 * one, or a fresh one, kept.  NULL with *err. */
static struct listing *find(struct dirs_state *st, int fd, const struct stat *sb, uint64_t pos,
			    const struct members *ms, int *err)
{
	struct listing *best = NULL;
	for (size_t i = 0; pos && i < st->n_kept; i++) {
		struct listing *l = st->kept[i];
		if (l->dev != sb->st_dev || l->ino != sb->st_ino)
			continue;
		if (l->next == pos)
			return l;
		if (!best || l->used > best->used)
			best = l;
	}
	if (best)
		return best;
	struct listing *l = calloc(1, sizeof(*l));
	*err = l ? list_all(fd, l, ms) : -ENOMEM;
	if (*err < 0) {
		listing_free(l);
		return NULL;
	}
	l->dev = sb->st_dev;
	l->ino = sb->st_ino;
	while (st->n_kept && (st->n_kept == DIRS_KEPT || st->bytes + l->bytes > DIRS_MEM_MAX)) {
		size_t old = 0;
		for (size_t i = 1; i < st->n_kept; i++)
			if (st->kept[i]->used < st->kept[old]->used)
				old = i;
		drop(st, old);
	}
	st->kept[st->n_kept++] = l;
	st->bytes += l->bytes;
	return l;
}

static size_t reclen_of(const struct dent *d, bool old)
{
	/* the kernel's: fs/readdir.c, filldir (d_type in the last byte) and
	 * filldir64 */
	size_t base = old ? 2 * sizeof(long) + sizeof(unsigned short) + 2 : 19 + 1;
	size_t al = old ? sizeof(long) : sizeof(uint64_t);
	return (base + d->len + al - 1) / al * al;
}

/* Records from index i into out (zeroed, size bytes): their length, the
 * next index in *next. */
static size_t encode(const struct listing *l, size_t i, char *out, size_t size, bool old,
		     uint64_t *next)
{
	size_t off = 0;
	for (; i < l->n; i++) {
		const struct dent *d = &l->v[i];
		size_t rl = reclen_of(d, old);
		if (off + rl > size)
			break;
		uint64_t doff = i + 1;
		uint16_t r16 = (uint16_t)rl;
		char *p = out + off;
		if (old) {
			unsigned long ino = (unsigned long)d->ino, o = (unsigned long)doff;
			memcpy(p, &ino, sizeof(ino));
			memcpy(p + sizeof(long), &o, sizeof(o));
			memcpy(p + 2 * sizeof(long), &r16, sizeof(r16));
			memcpy(p + 2 * sizeof(long) + 2, l->names + d->name, d->len);
			p[rl - 1] = (char)d->type;
		} else {
			memcpy(p, &d->ino, 8);
			memcpy(p + 8, &doff, 8);
			memcpy(p + 16, &r16, 2);
			p[18] = (char)d->type;
			memcpy(p + 19, l->names + d->name, d->len);
		}
		off += rl;
	}
	*next = i;
	return off;
}

/* On the fetcher, fd its duplicate of the child's (ob_fd_fn). */
static long serve(int fd, const struct sl_memref *m, void *arg)
{
	struct dirs_call *q = arg;
	struct stat sb;
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fstat(fd, &sb) < 0)
		return -EBADF;
	/* the copy-on-write layer checked another object: the fd number
	 * was pointed elsewhere (dup2) since, maybe at one of its
	 * directories, which it alone may list */
	if (q->check && (sb.st_dev != q->dev || sb.st_ino != q->ino))
		return -EAGAIN;
	/* the kernel's answers, given here rather than continued (it would
	 * take the fd number again): O_PATH, EBADF (its fdget refuses it);
	 * not a directory, ENOTDIR; a directory is never open for writing
	 * (EISDIR), but what is not read is not listed */
	if (fl & O_PATH)
		return -EBADF;
	if (!S_ISDIR(sb.st_mode))
		return -ENOTDIR;
	if ((fl & O_ACCMODE) != O_RDONLY)
		return -EBADF;
	off_t pos = lseek(fd, 0, SEEK_CUR);
	if (pos < 0)
		return -errno;
	int err = 0;
	struct listing *l = find(q->st, fd, &sb, (uint64_t)pos, &q->ms, &err);
	if (!l)
		return err;
	size_t i = (uint64_t)pos < l->n ? (size_t)pos : l->n;
	if (i == l->n) {
		/* the end: the listing is done with (a later call here lists
		 * afresh, finding what was added past the end) */
		for (size_t k = 0; k < q->st->n_kept; k++)
			if (q->st->kept[k] == l)
				drop(q->st, k);
		return 0;
	}
	size_t size = q->count < DIRS_CHUNK ? q->count : DIRS_CHUNK;
	char *out = calloc(1, size ? size : 1); /* zeroed: no byte of ours in the padding */
	if (!out)
		return -ENOMEM;
	uint64_t next;
	size_t len = encode(l, i, out, size, q->old, &next);
	long r = len ? 0 : -EINVAL;
	if (r == 0 && lseek(fd, (off_t)next, SEEK_SET) < 0)
		r = -errno;
	if (r == 0 && mem_write(m, q->buf, out, len) < 0) {
		/* as the kernel: a fault moves the position nowhere */
		lseek(fd, pos, SEEK_SET);
		r = -EFAULT;
	}
	free(out);
	if (r < 0)
		return r;
	l->next = next;
	l->used = ++q->st->clock;
	return (long)len;
}

static void on_dents(struct sl_ctx *c, struct sl_action *a, void *arg, bool old)
{
	const __u64 *r = c->req->data.args;
	/* the kernel's types: unsigned int fd and count */
	struct dirs_call q = {.st = arg, .buf = r[1], .count = (unsigned int)r[2], .old = old};
	pid_t *members = NULL;
	size_t nm = 0;
	long v = cowlayer_listing_object(c, &q.dev, &q.ino);
	q.check = v == 1;
	if (v >= 0)
		v = procview_members(&c->sup->procs, &members, &nm);
	q.ms = (struct members){members, nm};
	if (v == 0)
		v = onbehalf_fd_call(q.st->ob, c, (int)(unsigned int)r[0], serve, &q);
	free(members);
	onbehalf_answer(a, v);
}

static void on_getdents64(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	on_dents(c, a, arg, false);
}

#ifdef __NR_getdents
static void on_getdents(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	on_dents(c, a, arg, true);
}
#endif

/* The handlers of this file's rule tables, by index (struct sl_frow). */
enum {
	H_on_getdents64,
	H_on_getdents,
};

static const sl_hfn handlers[] = {
    [H_on_getdents64] = on_getdents64,
#ifdef __NR_getdents
    [H_on_getdents] = on_getdents,
#endif
};

static const struct sl_frow dirs_rules[] = {
    {{__NR_getdents64, 0, {{0}}}, H_on_getdents64},
#ifdef __NR_getdents
    {{__NR_getdents, 0, {{0}}}, H_on_getdents},
#endif
};

static bool active(const struct sl_feature_env *env)
{
	return env->policy->deterministic_dirs;
}

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)proc_off;
	struct dirs_state *st = state;
	int r = onbehalf_get(s, env->policy, -1, &st->ob);
	if (r < 0 || onbehalf_can_fetch(st->ob))
		return r;
	return sl_errorf(EPERM, "deterministic_dirs: the supervisor lists each directory through "
				"its copy of the sandbox's fd, and pidfd_getfd is refused here "
				"(Docker's default seccomp profile allows it only with "
				"CAP_SYS_PTRACE: add that capability, or a profile that allows "
				"pidfd_getfd)");
}

static void release(void *state)
{
	struct dirs_state *st = state;
	while (st->n_kept)
		drop(st, st->n_kept - 1);
	onbehalf_put(st->ob);
}

const struct sl_feature feature_dirs = {
    .name = "dirs",
    .active = active,
    SL_FRULES(dirs_rules, handlers),
    .state_size = sizeof(struct dirs_state),
    .init = init,
    .release = release,
};
