/* SPDX-License-Identifier: Apache-2.0 */
/*
 * synthetic.c - synthetic files: the host files the sandbox reads with
 * content the supervisor makes (views), one table row each: /etc/hostname
 * and /etc/hosts, which name the sandbox (hostname.c); under num_cpus,
 * /proc/cpuinfo and /sys/devices/system/cpu/{online,possible,present}
 * (cpus.c); with port_remap /proc/net/tcp and tcp6, which list its own
 * sockets at their virtual ports (portremap.c); always, /proc/locks,
 * /proc/net/netlink and /proc/sysvipc/{shm,msg}, which name no process
 * outside (proclists.c); and a cgroup's pid lists, any object on a cgroup
 * filesystem being cgroupview.c's to open.  procfs
 * and sysfs give each of those files one inode for as long as the mount
 * lives (a proc_dir_entry's, a kernfs node's), so the identity match holds for
 * them as for /etc's files.  A fixed view is made once, at the first
 * open that needs it; a live one at each open (its content changes).
 *
 * Every open (open, openat; openat2 is ENOSYS for everyone) but an
 * exclusive creation (O_CREAT|O_EXCL without O_PATH, see the rules) is
 * notified: the proc view (procview.h) decides on any of them that lands
 * on procfs;
 * only a read-only one (no O_WRONLY/O_RDWR, no O_PATH, no O_DIRECTORY)
 * may be a view.  The path is read once and resolved once, whatever the
 * number of views, by the on-behalf core as the opening thread would (its dirfd,
 * its cwd, the sandbox's root, its own /proc/self/root), following a
 * final symlink unless O_NOFOLLOW; the object's device and inode are then
 * compared with each view's real file (however it was named: relative,
 * through symlinks, "..", a dirfd, /proc/self/root).  A match is answered
 * with a new read-only open of a sealed memfd holding the view, injected
 * with the open's O_CLOEXEC.  An object on procfs is the proc view's
 * (hidden, or opened on the child's behalf).  Anything else is continued:
 * the kernel opens it, and Landlock decides as always (it gives procfs no
 * right: a path rewritten into /proc after the check is refused).
 *
 * Continuing after reading the path is safe here, and only here: the
 * decision grants nothing (the access is still the kernel's and
 * Landlock's).  A thread that rewrites the path after the check reaches a
 * real file only where the policy lets it read it: a view is no
 * confinement, and a file to keep from the sandbox is denied by the
 * policy, never viewed: where the policy denies any path, a match is
 * resolved again with the walk (OB_UNDENIED), and a view whose real file
 * lies under an --fs-deny path (or a policy callback's deny_path) is
 * EACCES, as the file is.  A view's real file that the host lacks has no
 * identity to select it: that view is not served, and its opens go on to
 * the kernel (ENOENT).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroupview.h"
#include "cowlayer.h"
#include "error.h"
#include "feature.h"
#include "httpacl.h"
#include "onbehalf.h"
#include "policy.h"
#include "procs.h"
#include "procview.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "synthetic.h"
#include "netplan.h"
#include "util.h"

/* The opens that may read: O_RDONLY (0), not O_PATH, not O_DIRECTORY. */
#define NOT_READING (O_ACCMODE | O_PATH | O_DIRECTORY)

/* A view: the host's file whose identity selects it, its content (made
 * once: build, or at each open: live), whether the sandbox's policy asks
 * for it (NULL: always), and whether the builder filters the real file's
 * content (synth_src.host). */
struct synth_view {
	const char *path;
	synth_build_fn build;
	synth_live_fn live;
	bool (*wanted)(const struct synth_src *src);
	bool filters;
	/* a /proc/sys file: its inode number is handed out afresh each time
	 * the kernel instantiates it (proc_sys_make_inode), so the identity
	 * taken at set-up holds only while something keeps the inode: an
	 * O_PATH fd for the sandbox's life */
	bool pin;
};

static bool cpus_wanted(const struct synth_src *src)
{
	return src->ncpus > 0;
}

static bool meminfo_wanted(const struct synth_src *src)
{
	return meminfo_on(src->policy);
}

static bool remap_wanted(const struct synth_src *src)
{
	return portremap_on(src->policy);
}

/* /proc/thread-self/net: the network namespace of the thread that starts
 * the sandbox (it clones the keeper, which clones the command), the
 * command's; every name of the file (/proc/net/tcp, /proc/self/net/tcp,
 * /proc/<pid>/net/tcp of any process there) is that one inode. */
static const struct synth_view views[] = {
    {"/etc/hostname", hostname_file, NULL, NULL, false, false},
    {"/etc/hosts", hostname_hosts, NULL, NULL, false, false},
    {"/proc/sys/kernel/hostname", hostname_file, NULL, NULL, false, true},
    {"/proc/cpuinfo", cpus_cpuinfo, NULL, cpus_wanted, true, false},
    {"/proc/meminfo", NULL, meminfo_file, meminfo_wanted, false, false},
    {"/proc/locks", NULL, proclists_locks, NULL, false, false},
    {"/proc/sysvipc/shm", NULL, proclists_shm, NULL, false, false},
    {"/proc/sysvipc/msg", NULL, proclists_msg, NULL, false, false},
    {"/sys/devices/system/cpu/online", cpus_range, NULL, cpus_wanted, false, false},
    {"/sys/devices/system/cpu/possible", cpus_range, NULL, cpus_wanted, false, false},
    {"/sys/devices/system/cpu/present", cpus_range, NULL, cpus_wanted, false, false},
    {"/proc/thread-self/net/tcp", NULL, portremap_tcp4_file, remap_wanted, false, false},
    {"/proc/thread-self/net/tcp6", NULL, portremap_tcp6_file, remap_wanted, false, false},
    {"/proc/thread-self/net/netlink", NULL, proclists_netlink, NULL, false, false},
};

#define NVIEWS SL_ARRAY_SIZE(views)

/* A host file a view filters is read whole; /proc/cpuinfo is about 1.5 KiB
 * per CPU on x86, so this holds some 10000 of them. */
#define SYNTH_HOST_MAX (16u << 20)

struct view_state {
	bool have; /* the host has the real file: its identity below */
	dev_t dev;
	ino_t ino;
	int memfd; /* the content, sealed; -1 until the first match needs it */
	int pin;   /* the view's pin: the real file, O_PATH; -1 otherwise */
};

struct synth_state {
	struct onbehalf *ob; /* NULL when the host has none of the files */
	struct synth_src src;
	struct view_state v[NVIEWS];
	/* the views the policy names: the trust bundles of http_inject_ca,
	 * each shown with the HTTP proxy's CA appended (its index NVIEWS + j) */
	const struct sl_strv *bundles;
	struct view_state *xv;
	/* each bundle's file, opened at init: the identity the view is
	 * selected by and the content it shows are of the same file.  Read by
	 * name at the first open, a bundle in a tree the sandbox writes could
	 * be a symlink by then (the sandbox keeping a hard link to the file to
	 * open): the supervisor would serve a file of its choosing, past
	 * Landlock */
	int *xfd;
	struct pv_fast fast; /* the proc view's one-lookup opens */
};

/* One open's resolution: the views (a read-only open) and the proc
 * view (procview.h) decide on the same object. */
struct open_q {
	struct synth_state *st;
	bool reading; /* O_RDONLY, not O_PATH, not O_DIRECTORY: a view may answer */
	struct sl_procs *ps;
	struct pv_where w;
	uint64_t flags;
	long fd;  /* a procfs object opened at once (procview_open_here), or not */
	int kept; /* with the copy-on-write layer: the object, when let through */
	bool keep;
	bool cgroup; /* off procfs, on a cgroup filesystem (cgroupview.h) */
};

/* With no credential needed (OB_ANY): 1 + the index of the view whose real
 * file o is, or 0 with where o lies in /proc. */
static long which_view(const struct ob_obj *o, void *arg)
{
	struct open_q *q = arg;
	const struct synth_state *st = q->st;
	/* first: /proc/<outside pid>/net/tcp is a view's inode too, and the
	 * view would tell that the pid exists */
	int r = procview_classify(o, q->ps, &q->w);
	if (r < 0 || q->w.kind == PV_HIDDEN)
		return r;
	for (size_t i = 0; q->reading && i < NVIEWS; i++)
		if (st->v[i].have && o->st.st_dev == st->v[i].dev && o->st.st_ino == st->v[i].ino)
			return (long)i + 1;
	for (size_t j = 0; q->reading && st->xv && j < st->bundles->n; j++)
		if (st->xv[j].have && o->st.st_dev == st->xv[j].dev &&
		    o->st.st_ino == st->xv[j].ino)
			return (long)(NVIEWS + j) + 1;
	if (q->w.kind == PV_PROC)
		q->fd = procview_open_here(o, &q->st->fast, q->flags);
	else if ((q->cgroup = cgroupview_object(o)))
		return 0;
	else if (q->keep)
		q->kept = fcntl(o->fd, F_DUPFD_CLOEXEC, 3);
	return 0;
}

/* The whole of b into fd: 0 or -errno. */
static int write_all(int fd, const struct sl_buf *b)
{
	for (size_t off = 0; off < b->len;) {
		ssize_t n = write(fd, b->p + off, b->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += (size_t)n;
	}
	return 0;
}

/* The whole of a host file (a procfs one has no size to ask): 0 or -errno.
 * Bounded: a view's real file is a kernel's table, not data. */
static int read_fd(int fd, struct sl_buf *b)
{
	return sl_buf_read_fd(b, fd, SYNTH_HOST_MAX);
}

static int read_host(const char *path, struct sl_buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = read_fd(fd, b);
	close(fd);
	return r;
}

/* A sealed memfd holding the text r (r < 0: the builder's error, passed
 * on) of the view of path: the fd, or -errno.  The text is freed. */
static int sealed(const char *path, struct sl_buf *text, int r)
{
	/* the memfd's name is what /proc/PID/fd shows: the file's own */
	const char *base = strrchr(path, '/') + 1;
	int fd = r < 0 ? -1 : memfd_create(base, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (r == 0 && fd < 0)
		r = -errno;
	if (r == 0)
		r = write_all(fd, text);
	/* sealed for good: neither we nor the sandbox, whose opens of it are
	 * read-only but which may reopen it through /proc/self/fd, can
	 * change it */
	if (r == 0 &&
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		r = -errno;
	sl_buf_free(text);
	if (r < 0)
		sl_close(&fd);
	return r < 0 ? r : fd;
}

/* Fixed view i's text, the host's file read first for a view that
 * filters it: 0 or -errno. */
static int build_fixed(const struct synth_state *st, size_t i, struct sl_buf *text)
{
	struct sl_buf host = {0};
	struct synth_src src = st->src;
	/* unreadable: the builder makes do (cpus.c has blocks of its own) */
	if (views[i].filters && read_host(views[i].path, &host) == 0) {
		src.host = (const char *)host.p;
		src.host_len = host.len;
	}
	int r = views[i].build(text, &src);
	sl_buf_free(&host);
	return r;
}

/* A new read-only open file description of memfd (its own offset). */
static int reopen(int memfd)
{
	char self[32];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", memfd);
	int fd = open(self, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int synthetic_view_fd(const char *path, struct sl_buf *text, int r)
{
	int fd = sealed(path, text, r);
	int ro = fd < 0 ? fd : reopen(fd);
	sl_close(&fd);
	return ro;
}

/* The trust bundle j of http_inject_ca: the host's file with the HTTP
 * proxy's CA appended (its public certificate, made when the sandbox
 * started), made at the first open that needs it and kept. */
static int bundle_text(struct synth_state *st, size_t j, struct sl_ctx *c, struct sl_buf *text)
{
	const char *pem;
	size_t len;
	int r = httpacl_ca_pem(c->sup, &pem, &len);
	if (r == 0)
		r = read_fd(st->xfd[j], text);
	bool nl = text->len == 0 || text->p[text->len - 1] == '\n';
	if (r == 0)
		r = sl_buf_reserve(text, len + 1);
	if (r == 0) {
		if (!nl)
			text->p[text->len++] = '\n';
		memcpy(text->p + text->len, pem, len);
		text->len += len;
	}
	return r;
}

static int open_bundle(struct synth_state *st, size_t j, struct sl_ctx *c)
{
	struct view_state *v = &st->xv[j];
	if (v->memfd < 0) {
		struct sl_buf text = {0};
		int fd = sealed(st->bundles->v[j], &text, bundle_text(st, j, c, &text));
		if (fd < 0)
			return fd;
		v->memfd = fd;
	}
	return reopen(v->memfd);
}

/* A read-only open of view i: a fixed view's memfd, made at the first
 * open that needs it (most sandboxes never read the file), or a live
 * one's made now.  The fd, or -errno. */
static int open_view(struct synth_state *st, size_t i, struct sl_ctx *c)
{
	if (i >= NVIEWS)
		return open_bundle(st, i - NVIEWS, c);
	struct view_state *v = &st->v[i];
	struct sl_buf text = {0};
	if (views[i].live)
		return synthetic_view_fd(views[i].path, &text, views[i].live(&text, c));
	if (v->memfd < 0) {
		int fd = sealed(views[i].path, &text, build_fixed(st, i, &text));
		if (fd < 0)
			return fd;
		v->memfd = fd;
	}
	return reopen(v->memfd);
}

/* The identity of view i's real file. */
static const struct view_state *view_of(const struct synth_state *st, size_t i)
{
	return i < NVIEWS ? &st->v[i] : &st->xv[i - NVIEWS];
}

/* With the child's credentials: 1 when o is still the view's real file
 * (arg), 0 when another thread made the path name something else. */
static long same_file(const struct ob_obj *o, void *arg)
{
	const struct view_state *v = arg;
	return o->st.st_dev == v->dev && o->st.st_ino == v->ino;
}

/* A view is no way around --fs-deny (or a policy callback's deny_path):
 * its real file resolved again, where the policy denies any path, with
 * no denied tree on the way (the first resolution made no walk).  1 to
 * serve it, 0 when the path names another object now (the kernel's
 * open, under Landlock), or -EACCES. */
static long view_undenied(struct synth_state *st, struct sl_ctx *c, const struct ob_req *q,
			  size_t i)
{
	if (!onbehalf_denies(st->ob))
		return 1;
	struct ob_req again = *q;
	again.need = OB_UNDENIED;
	again.op = same_file;
	again.arg = (void *)view_of(st, i);
	return onbehalf_run(st->ob, c, &again);
}

static void on_open(struct sl_ctx *c, struct sl_action *a, struct synth_state *st, int dirfd,
		    uint64_t path_addr, uint64_t flags, uint64_t mode)
{
	char path[PATH_MAX];
	*a = sl_act_continue();
	/* a user handler's rule may bring opens this one leaves out */
	if (!st->ob || onbehalf_read_path(c, path_addr, path, sizeof(path)) < 0)
		return;
	/* a path in a seccomp copy-on-write workdir is the layer's, whatever
	 * it is (the same read of the path) */
	if (cowlayer_open(c, a, dirfd, path, flags, mode))
		return;
	struct open_q oq = {.st = st,
			    .reading = !(flags & NOT_READING),
			    .ps = &c->sup->procs,
			    .flags = flags,
			    .fd = PV_OPEN_LONG,
			    .kept = -1,
			    .keep = cowlayer_wants_object(c)};
	struct ob_req q = {.dirfd = dirfd,
			   .path = path,
			   .flags = (flags & O_NOFOLLOW) ? OB_NOFOLLOW : 0,
			   .need = OB_ANY,
			   .op = which_view,
			   .arg = &oq};
	long w = onbehalf_run(st->ob, c, &q);
	/* not found, or off procfs: the kernel opens it, under Landlock,
	 * which gives procfs no right (a path rewritten since meets that);
	 * with the copy-on-write layer, its late handler opens the object
	 * resolved here instead */
	if (w == 0 && oq.w.kind == PV_NOT_PROC && oq.kept >= 0) {
		cowlayer_stash(c, oq.kept);
		oq.kept = -1;
	}
	if (oq.kept >= 0)
		close(oq.kept);
	if (w == 0 && oq.cgroup) {
		cgroupview_open(st->ob, c, dirfd, path, flags, a);
		return;
	}
	if (w < 0 || (w == 0 && oq.w.kind == PV_NOT_PROC))
		return;
	if (w == 0 && oq.w.kind == PV_OURS && procview_names_ours(path))
		oq.w.kind = PV_HIDDEN; /* the supervisor's own, named */
	if (w == 0 && (oq.w.kind == PV_HIDDEN || oq.w.kind == PV_UNPLACED)) {
		/* a subtree of procfs mounted elsewhere: Landlock's answer */
		*a = sl_act_errno(oq.w.kind == PV_HIDDEN ? ENOENT : EACCES);
		return;
	}
	if (w == 0 && oq.fd == PV_OPEN_LONG && st->fast.state == 0 &&
	    procview_fast(st->ob, c, st->src.policy, &st->fast)) {
		/* the first procfs open decided the fast way: again, once */
		w = onbehalf_run(st->ob, c, &q);
		if (w < 0 || (w == 0 && oq.w.kind == PV_NOT_PROC))
			return;
	}
	if (w == 0 && oq.fd != PV_OPEN_LONG) {
		/* opened at its one resolution (procview_open_here) */
		*a = sl_act_opened(oq.fd, flags);
		return;
	}
	if (w == 0) {
		procview_open(st->ob, c, dirfd, path, flags, &oq.w, a);
		return;
	}
	long ok = view_undenied(st, c, &q, (size_t)w - 1);
	if (ok <= 0) {
		*a = ok < 0 ? sl_act_errno((int)-ok) : sl_act_continue();
		return;
	}
	/* the sandbox may have chmodded the memfd (fchmod is not notified):
	 * a match is the view or an error, never the real file */
	*a = sl_act_opened(open_view(st, (size_t)w - 1, c), flags);
}

static void on_openat(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const __u64 *r = c->req->data.args;
	/* the kernel reads dirfd as an int */
	on_open(c, a, arg, (int)(int32_t)r[0], r[1], r[2], r[3]);
}

#ifdef __NR_open
static void on_open_legacy(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const __u64 *r = c->req->data.args;
	on_open(c, a, arg, AT_FDCWD, r[0], r[1], r[2]);
}
#endif

/* Every open but an exclusive creation: the proc view decides on any of
 * them (a directory, an O_PATH, a write) that lands on procfs.  An open
 * with O_CREAT|O_EXCL opens nothing that exists (the kernel answers
 * EEXIST, whatever the name leads to, a final symlink included), and what
 * it creates is never a view nor on procfs (procfs creates no file):
 * continued, it would grant nothing, so it is not notified at all (an
 * untar or a mkstemp makes one per file).  But for O_PATH: of an O_PATH
 * open's flags the kernel keeps only O_DIRECTORY, O_NOFOLLOW and
 * O_CLOEXEC (open and openat; openat2 would refuse the others), so
 * O_PATH|O_CREAT|O_EXCL opens what exists, /proc/<outside pid> too, and
 * is notified as any O_PATH.  Four disjoint forms say "not both" in the
 * masked comparisons the filter has; the creating ones carry the
 * filter's own condition (no set-id mode: those are denied), so no form
 * is both notified and denied. */
/* O_TMPFILE's own bit (glibc's __O_TMPFILE includes O_DIRECTORY) */
#define SYN_TMPFILE  020000000
#define SYN_CREATING (O_CREAT | SYN_TMPFILE)
#define SYN_EXCL     (O_CREAT | O_EXCL)
#define SYN_SETID    (S_ISUID | S_ISGID)
/* clang-format off */
#define SYN_OPEN_FORMS(nr, flags, mode, fn)                                                        \
	{{(nr), 1, {SL_AMASK((flags), SYN_CREATING, 0)}}, (fn)},                                   \
	{{(nr), 2, {SL_AMASK((flags), SYN_EXCL, O_CREAT), SL_AMASK((mode), SYN_SETID, 0)}}, (fn)}, \
	{{(nr), 2, {SL_AMASK((flags), SYN_CREATING, SYN_TMPFILE), SL_AMASK((mode), SYN_SETID, 0)}}, (fn)}, \
	{{(nr), 2, {SL_AMASK((flags), SYN_EXCL | O_PATH, SYN_EXCL | O_PATH), SL_AMASK((mode), SYN_SETID, 0)}}, (fn)}
/* clang-format on */
/* The handlers of this file's rule table, by index (struct sl_frow). */
enum { H_on_openat, H_on_open_legacy };
static const sl_hfn handlers[] = {
    [H_on_openat] = on_openat,
#ifdef __NR_open
    [H_on_open_legacy] = on_open_legacy,
#endif
};

static const struct sl_frow synthetic_rules[] = {
    SYN_OPEN_FORMS(__NR_openat, 2, 3, H_on_openat),
#ifdef __NR_open
    SYN_OPEN_FORMS(__NR_open, 1, 2, H_on_open_legacy),
#endif
};

/* The identities of the trust bundles the policy names (each a regular
 * file at build; one gone since is refused: the sandbox would read it
 * without the CA and fail where it should not). */
static int init_bundles(struct synth_state *st, const struct sandlock_sandbox *p, bool *any)
{
	st->bundles = &p->http_inject_ca;
	if (!p->http_inject_ca.n)
		return 0;
	st->xv = calloc(p->http_inject_ca.n, sizeof(*st->xv));
	st->xfd = malloc(p->http_inject_ca.n * sizeof(*st->xfd));
	if (!st->xv || !st->xfd)
		return -ENOMEM;
	for (size_t j = 0; j < p->http_inject_ca.n; j++)
		st->xfd[j] = -1;
	for (size_t j = 0; j < p->http_inject_ca.n; j++) {
		struct stat sb;
		st->xv[j].memfd = -1;
		st->xfd[j] = open(p->http_inject_ca.v[j], O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (st->xfd[j] < 0 || fstat(st->xfd[j], &sb) < 0)
			return sl_errorf(errno, "http_inject_ca: '%s': %s", p->http_inject_ca.v[j],
					 strerror(errno));
		if (!S_ISREG(sb.st_mode))
			return sl_errorf(EINVAL, "http_inject_ca: '%s': not a regular file",
					 p->http_inject_ca.v[j]);
		st->xv[j] = (struct view_state){
		    .have = true, .dev = sb.st_dev, .ino = sb.st_ino, .memfd = -1, .pin = -1};
		*any = true;
	}
	return 0;
}

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)proc_off;
	struct synth_state *st = state;
	/* the network rules' host names, resolved before the start */
	st->src = (struct synth_src){
	    .name = s->name,
	    .policy = env->policy,
	    .pins = env->net->pins,
	    .npins = env->net->npins,
	    .ncpus = env->policy->num_cpus.set ? (unsigned)env->policy->num_cpus.v : 0};
	bool any = false;
	for (size_t i = 0; i < NVIEWS; i++) {
		struct view_state *v = &st->v[i];
		struct stat sb;
		*v = (struct view_state){.memfd = -1, .pin = -1};
		if (views[i].wanted && !views[i].wanted(&st->src))
			continue;
		int fd = open(views[i].path, O_PATH | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &sb) < 0) {
			sl_close(&fd);
			continue;
		}
		if (!views[i].pin)
			sl_close(&fd);
		*v = (struct view_state){
		    .have = true, .dev = sb.st_dev, .ino = sb.st_ino, .memfd = -1, .pin = fd};
		any = true;
	}
	int r = init_bundles(st, env->policy, &any);
	if (r < 0)
		return r;
	(void)any; /* the proc view needs the core whatever the views */
	return onbehalf_get(s, env->policy, -1, &st->ob);
}

static void release(void *state)
{
	struct synth_state *st = state;
	for (size_t i = 0; i < NVIEWS; i++)
		if (st->v[i].have) { /* only those get fds: a zeroed state's 0 is not ours */
			sl_close(&st->v[i].memfd);
			sl_close(&st->v[i].pin);
		}
	for (size_t j = 0; st->xv && j < st->bundles->n; j++)
		if (st->xv[j].have)
			sl_close(&st->xv[j].memfd);
	for (size_t j = 0; st->xfd && j < st->bundles->n; j++)
		sl_close(&st->xfd[j]);
	free(st->xv);
	free(st->xfd);
	onbehalf_put(st->ob);
}

/* Every dynamically linked command's loader opens files first thing:
 * their first notification need not open the sandbox's root. */
static void attached(struct sl_sup *s, void *state)
{
	struct synth_state *st = state;
	if (st->ob)
		onbehalf_prefetch(st->ob, s);
}

/* Always on: every sandbox has a name. */
const struct sl_feature feature_synthetic = {
    .name = "synthetic",
    SL_FRULES(synthetic_rules, handlers),
    .state_size = sizeof(struct synth_state),
    .init = init,
    .release = release,
    .attached = attached,
};
