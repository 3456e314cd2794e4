/* SPDX-License-Identifier: Apache-2.0 */
/* runtime.c - the per-user directory of running sandboxes (runtime.h). */
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "error.h"
#include "names.h"
#include "policy.h"

#define RUNTIME_PARENT	 "/dev/shm"
#define CLAIM_TRIES	 8
#define REPLY_TIMEOUT_MS 5000

/* The longest root a socket path has room for: sun_path holds 107 bytes,
 * and "/" NAME (64 at most) "/control.sock" follow it. */
#define ROOT_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1 - 1 - 64 - 13)

/* A directory of ours short enough for a root beneath it. */
static bool dir_ours(const char *d)
{
	struct stat st;
	return d && d[0] == '/' && strlen(d) + sizeof("/sandlock") - 1 <= ROOT_MAX &&
	       stat(d, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid();
}

/* /run, when it is root's tmpfs (as on most systems): a disk-backed one
 * made every start's entry cost a millisecond on a small VM. */
static bool run_ok(void)
{
	struct statfs fs;
	struct stat st;
	return statfs("/run", &fs) == 0 && fs.f_type == TMPFS_MAGIC && stat("/run", &st) == 0 &&
	       st.st_uid == 0;
}

#define ROOTS_MAX 4

/* Every root this user's sandlock may pick, the one it picks in this
 * environment first: /run/sandlock for root, $XDG_RUNTIME_DIR/sandlock
 * (a login session's private tmpfs: what a sandbox is seldom granted,
 * unlike /dev/shm), /run/user/UID/sandlock (the session's directory
 * when the variable is missing: cron, su, ssh without a session manager
 * then find the same sandboxes), /dev/shm/sandlock-UID.  runtime_guard
 * keeps a sandbox out of all of them: one started where the variable is
 * set must not reach a sandbox started where it is not. */
static size_t root_candidates(char out[ROOTS_MAX][128])
{
	const char *x = secure_getenv("XDG_RUNTIME_DIR");
	char session[32];
	size_t n = 0;
	snprintf(session, sizeof(session), "/run/user/%u", (unsigned)geteuid());
	if (geteuid() == 0 && run_ok())
		snprintf(out[n++], 128, "/run/sandlock");
	if (dir_ours(x))
		snprintf(out[n++], 128, "%s/sandlock", x);
	if (dir_ours(session)) {
		snprintf(out[n], 128, "%s/sandlock", session);
		n += n == 0 || strcmp(out[n], out[n - 1]) != 0; /* $XDG_RUNTIME_DIR's own */
	}
	snprintf(out[n++], 128, RUNTIME_PARENT "/sandlock-%u", (unsigned)geteuid());
	return n;
}

int runtime_root_path(char *out, size_t len)
{
	char roots[ROOTS_MAX][128];
	root_candidates(roots);
	int n = snprintf(out, len, "%s", roots[0]);
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

/* A directory of ours that nobody else may enter. */
static int check_private(int fd, const char *path)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return sl_errorf(errno, "%s: %s", path, strerror(errno));
	if (st.st_uid != geteuid())
		return sl_errorf(
		    EPERM,
		    "%s belongs to uid %u, not to this user (uid %u): sandlock will not "
		    "use it; remove it",
		    path, (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & 077)
		return sl_errorf(EPERM, "%s is open to other users (mode %03o): remove it", path,
				 (unsigned)(st.st_mode & 0777));
	return 0;
}

/* The root at path (runtime_root_path's), made first when create. */
static int root_open_at(const char *path, bool create)
{
	if (create && mkdir(path, 0700) < 0 && errno != EEXIST)
		return sl_errorf(errno, "cannot make the runtime directory %s: %s", path,
				 strerror(errno));
	int fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno == ELOOP ? ENOTDIR : errno;
		return sl_errorf(e, "runtime directory %s: %s", path,
				 e == ENOTDIR ? "not a directory (a symlink?)" : strerror(e));
	}
	int r = check_private(fd, path);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int runtime_root_open(bool create)
{
	char path[128];
	runtime_root_path(path, sizeof(path));
	return root_open_at(path, create);
}

static int sock_addr_in(struct sockaddr_un *a, const char *root, const char *name)
{
	*a = (struct sockaddr_un){.sun_family = AF_UNIX};
	int n = snprintf(a->sun_path, sizeof(a->sun_path), "%s/%s/" RUNTIME_SOCK, root, name);
	return n > 0 && (size_t)n < sizeof(a->sun_path)
		   ? 0
		   : sl_errorf(ENAMETOOLONG, "sandbox name '%s' is too long for a socket path",
			       name);
}

static int sock_addr(struct sockaddr_un *a, const char *name)
{
	char root[128];
	runtime_root_path(root, sizeof(root));
	return sock_addr_in(a, root, name);
}

/* ---- claiming a name ----------------------------------------------------------- */

static bool same_file(int fd, int dirfd, const char *name)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int busy(int lock_fd, const char *name)
{
	char pid[24] = "";
	ssize_t n = pread(lock_fd, pid, sizeof(pid) - 1, 0);
	pid[n > 0 ? n : 0] = 0;
	pid[strcspn(pid, "\n")] = 0;
	return sl_errorf(EBUSY,
			 "a sandbox named '%s' is already running (sandlock pid %s): stop it "
			 "(sandlock kill %s) or choose another name",
			 name, pid[0] ? pid : "?", name);
}

/* One attempt: 1 when the entry changed under us (try again), 0 with the
 * lock held, -errno. */
static int claim_once(struct runtime_claim *c, const char *name)
{
	if (mkdirat(c->root_fd, name, 0700) < 0 && errno != EEXIST)
		return sl_errorf(errno, "runtime directory: cannot make %s: %s", name,
				 strerror(errno));
	int dir = openat(c->root_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return errno == ENOENT
			   ? 1
			   : sl_errorf(errno, "runtime directory: %s: %s", name, strerror(errno));
	int r = check_private(dir, name);
	int lock =
	    r < 0 ? -1 : openat(dir, RUNTIME_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (r == 0 && lock < 0)
		r = errno == ENOENT
			? 1
			: sl_errorf(errno, "runtime directory: %s/lock: %s", name, strerror(errno));
	if (r == 0 && flock(lock, LOCK_EX | LOCK_NB) < 0)
		r = errno == EWOULDBLOCK
			? busy(lock, name)
			: sl_errorf(errno, "flock %s/lock: %s", name, strerror(errno));
	/* whoever removed a stale entry meanwhile left us a lock nobody sees */
	if (r == 0 && (!same_file(lock, dir, RUNTIME_LOCK) || !same_file(dir, c->root_fd, name)))
		r = 1;
	if (r != 0) {
		if (lock >= 0)
			close(lock);
		close(dir);
		return r;
	}
	c->lock_fd = lock;
	c->dir_fd = dir;
	return 0;
}

static int listen_on(struct runtime_claim *c, const char *root)
{
	char pid[24];
	int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(c->lock_fd, 0) < 0 || pwrite(c->lock_fd, pid, (size_t)n, 0) != n)
		return sl_errorf(errno, "runtime directory: %s/lock: %s", c->name, strerror(errno));
	/* a stale socket of a dead holder: we hold the name now */
	if (unlinkat(c->dir_fd, RUNTIME_SOCK, 0) < 0 && errno != ENOENT)
		return sl_errorf(errno, "runtime directory: %s/" RUNTIME_SOCK ": %s", c->name,
				 strerror(errno));
	int r = sock_addr_in(&c->addr, root, c->name);
	if (r < 0)
		return r;
	c->sock_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->sock_fd < 0 || bind(c->sock_fd, (struct sockaddr *)&c->addr, sizeof(c->addr)) < 0 ||
	    listen(c->sock_fd, 16) < 0)
		return sl_errorf(errno, "control socket %s: %s", c->addr.sun_path, strerror(errno));
	return 0;
}

int runtime_claim(struct runtime_claim *c, const char *name)
{
	*c = (struct runtime_claim){.lock_fd = -1, .sock_fd = -1, .dir_fd = -1, .root_fd = -1};
	int r = names_check_sandbox(name);
	if (r < 0)
		return r;
	snprintf(c->name, sizeof(c->name), "%s", name);
	/* the root's path is found once (a statfs and a stat or two) and its
	 * fd kept for the end: the release removes the entry through it */
	char root[128];
	runtime_root_path(root, sizeof(root));
	if ((c->root_fd = root_open_at(root, true)) < 0) {
		r = c->root_fd;
		c->root_fd = -1;
		return r;
	}
	r = 1;
	for (int i = 0; r == 1 && i < CLAIM_TRIES; i++)
		r = claim_once(c, name);
	if (r == 1)
		r = sl_errorf(EAGAIN, "runtime directory: the entry of '%s' keeps changing", name);
	if (r == 0)
		r = listen_on(c, root);
	if (r < 0)
		runtime_release(c);
	return r;
}

void runtime_release(struct runtime_claim *c)
{
	/* the lock is held until the end: a claimer that opened the old lock
	 * file finds it unlinked and starts again */
	if (c->lock_fd >= 0) {
		unlinkat(c->dir_fd, RUNTIME_SOCK, 0);
		unlinkat(c->dir_fd, RUNTIME_LOCK, 0);
		/* ENOTEMPTY: a new claimer */
		unlinkat(c->root_fd, c->name, AT_REMOVEDIR);
	}
	sl_close(&c->sock_fd);
	sl_close(&c->lock_fd);
	sl_close(&c->dir_fd);
	sl_close(&c->root_fd);
}

/* ---- keeping sandboxes out --------------------------------------------------------- */

/* The identities of a path and of each directory above it, to "/". */
struct chain {
	dev_t dev[64];
	ino_t ino[64];
	size_t n;
};

static void chain_of(const char *path, struct chain *c)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s", path);
	c->n = 0;
	for (;;) {
		struct stat st;
		if (c->n < 64 && stat(p, &st) == 0) {
			c->dev[c->n] = st.st_dev;
			c->ino[c->n++] = st.st_ino;
		}
		char *slash = strrchr(p, '/');
		if (!slash || !p[1])
			return;
		slash[slash == p] = 0; /* "/x": "/" is the last one */
	}
}

static bool chain_has(const struct chain *c, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->dev[i] == dev && c->ino[i] == ino)
			return true;
	return false;
}

/* Write grants only: a read grant lets a sandbox list the names and read
 * the supervisors' pids, nothing more (a connect needs a writable tree,
 * onbehalf.h), and denying the directory would take the listing of the
 * trees above it (`-r /dev`, `-r /`) from every sandbox.  A grant covers
 * a root when it names the root or a directory above it, or anything
 * beneath it (a grant of one sandbox's entry, `-w /run/sandlock/NAME`,
 * reaches its socket); by identity, so that another name or another mount
 * of them covers it as well.  Each grant's and each root's chain is taken
 * once: this runs at every start. */
static bool grants_cover(const struct chain *grants, size_t ng, const char *root)
{
	struct chain r;
	chain_of(root, &r);
	struct stat rst;
	bool exists = stat(root, &rst) == 0;
	for (size_t i = 0; i < ng; i++) {
		const struct chain *g = &grants[i];
		if (g->n && chain_has(&r, g->dev[0], g->ino[0]))
			return true; /* the root or above it */
		if (exists && chain_has(g, rst.st_dev, rst.st_ino))
			return true; /* beneath the root */
	}
	return false;
}

/* The chains of the policy's write grants (canonical: Landlock follows
 * symlinks), in *out (malloc'd, NULL for none). */
static size_t write_chains(const struct sandlock_sandbox *p, struct chain **out)
{
	*out = p->fs_write.n ? calloc(p->fs_write.n, sizeof(**out)) : NULL;
	size_t n = 0;
	for (size_t i = 0; *out && i < p->fs_write.n; i++) {
		char *canon = realpath(p->fs_write.v[i], NULL);
		if (canon)
			chain_of(canon, &(*out)[n++]);
		free(canon);
	}
	return n;
}

int runtime_guard(const struct sandlock_sandbox *policy, struct sandlock_sandbox **guarded)
{
	*guarded = NULL;
	if (!policy->fs_write.n)
		return 0;
	char roots[ROOTS_MAX][128];
	size_t n = root_candidates(roots);
	struct chain *chains;
	size_t nc = write_chains(policy, &chains);
	struct sandlock_sandbox *g = NULL;
	int r = 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct stat st;
		if (!grants_cover(chains, nc, roots[i]))
			continue;
		/* the root in use is made now if missing: what does not exist
		 * cannot be denied, and the sandbox could make it itself, as a
		 * symlink of its choice.  Another one is denied when it exists
		 * (made, it would cost the sandbox new entries in the directory
		 * above it, /dev/shm for a login session; left missing, it is
		 * the sandbox's to make, until it ends). */
		int fd = i == 0 ? runtime_root_open(true) : -1;
		if (i == 0 && fd < 0)
			r = fd;
		else if (i == 0)
			close(fd);
		else if (lstat(roots[i], &st) < 0)
			continue;
		if (r == 0 && !g && (!(g = calloc(1, sizeof(*g))) || policy_copy(g, policy) < 0))
			r = sl_errorf(ENOMEM, "out of memory");
		if (r == 0 && sl_strv_push(&g->fs_deny, roots[i]) < 0)
			r = sl_errorf(ENOMEM, "out of memory");
	}
	free(chains);
	if (r < 0 && g)
		policy_release(g);
	if (r < 0)
		free(g);
	else
		*guarded = g;
	return r;
}

/* ---- clients ---------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether a supervisor listens on name's socket (a dead one's refuses);
 * root is the runtime root's path. */
static bool alive(const char *root, const char *name)
{
	struct sockaddr_un a;
	if (names_check_sandbox(name) < 0 || sock_addr_in(&a, root, name) < 0)
		return false;
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	bool ok = s >= 0 && (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0 || errno == EAGAIN);
	if (s >= 0)
		close(s);
	return ok;
}

/* Removes the entry name, which nobody serves, when its lock is free: the
 * supervisor that held it died without its end (SIGKILL, a crash).  Taken
 * as a claimer takes a stale entry over: the lock held, the entry checked
 * to be the one in the directory, then the files and the directory
 * removed.  A claimer that made the entry and has not locked it yet finds
 * its lock unlinked and starts again (claim_once); a live one starting
 * holds the lock and is left alone. */
static void sweep(int root_fd, const char *name)
{
	int dir = openat(root_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return;
	int lock = openat(dir, RUNTIME_LOCK, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) == 0 &&
	    same_file(lock, dir, RUNTIME_LOCK) && same_file(dir, root_fd, name)) {
		unlinkat(dir, RUNTIME_SOCK, 0);
		unlinkat(dir, RUNTIME_LOCK, 0);
		unlinkat(root_fd, name, AT_REMOVEDIR); /* ENOTEMPTY: not ours to judge */
	}
	if (lock >= 0)
		close(lock);
	close(dir);
}

int runtime_names(struct sl_strv *out)
{
	*out = (struct sl_strv){0};
	char path[128];
	runtime_root_path(path, sizeof(path));
	int root = root_open_at(path, false);
	if (root == -ENOENT) {
		sl_error_clear();
		return 0;
	}
	if (root < 0)
		return root;
	int fd = openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		close(root);
		return sl_errorf(errno, "runtime directory: %s", strerror(errno));
	}
	int r = 0;
	for (struct dirent *e; r == 0 && (e = readdir(d));) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		if (!alive(path, e->d_name))
			sweep(root, e->d_name);
		else if (sl_strv_push(out, e->d_name) < 0)
			r = sl_errorf(ENOMEM, "out of memory");
	}
	closedir(d);
	close(root);
	if (r < 0)
		sl_strv_free(out);
	else if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	return r;
}

static int connect_to(const char *name)
{
	struct sockaddr_un a;
	int r = sock_addr(&a, name);
	if (r < 0)
		return r;
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return sl_errorf(errno, "socket: %s", strerror(errno));
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
		return s;
	int e = errno;
	close(s);
	if (e == ENOENT || e == ECONNREFUSED || e == ENOTDIR)
		return sl_errorf(ENOENT, "no running sandbox named '%s' (of this user)", name);
	if (e == EAGAIN)
		return sl_errorf(EBUSY, "sandbox '%s' is not accepting requests (busy)", name);
	return sl_errorf(e, "control socket %s: %s", a.sun_path, strerror(e));
}

/* The server must be of our user: a socket is found by a path, and only
 * the kernel says who listens on it. */
static int check_server(int s, const char *name)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return sl_errorf(errno, "SO_PEERCRED: %s", strerror(errno));
	if (cr.uid != geteuid())
		return sl_errorf(EPERM,
				 "the control socket of '%s' is served by uid %u, not by "
				 "this user: refused",
				 name, (unsigned)cr.uid);
	return 0;
}

static int read_reply(int s, const char *name, char **reply)
{
	struct pollfd p = {.fd = s, .events = POLLIN};
	int n = poll(&p, 1, REPLY_TIMEOUT_MS);
	if (n == 0)
		return sl_errorf(ETIMEDOUT, "sandbox '%s' did not answer within %d s", name,
				 REPLY_TIMEOUT_MS / 1000);
	ssize_t len = n < 0 ? -1 : recv(s, NULL, 0, MSG_PEEK | MSG_TRUNC);
	if (len < 0)
		return sl_errorf(errno, "control socket of '%s': %s", name, strerror(errno));
	if (len == 0)
		return sl_errorf(ECONNRESET, "sandbox '%s' ended before it answered", name);
	if (len > RUNTIME_MSG_MAX)
		return sl_errorf(EMSGSIZE, "sandbox '%s' answered %zd bytes", name, len);
	char *buf = malloc((size_t)len + 1);
	if (!buf)
		return sl_errorf(ENOMEM, "out of memory");
	ssize_t got = recv(s, buf, (size_t)len, 0);
	if (got != len) {
		free(buf);
		return sl_errorf(EIO, "control socket of '%s': short reply", name);
	}
	buf[len] = 0;
	*reply = buf;
	return 0;
}

int runtime_request(const char *name, const char *request, char **reply)
{
	*reply = NULL;
	int r = names_check_sandbox(name);
	if (r < 0)
		return r;
	int root = runtime_root_open(false);
	if (root == -ENOENT)
		return sl_errorf(ENOENT, "no running sandbox named '%s' (of this user)", name);
	if (root < 0)
		return root;
	close(root);
	int s = connect_to(name);
	if (s < 0)
		return s;
	r = check_server(s, name);
	if (r == 0 && send(s, request, strlen(request), MSG_NOSIGNAL) < 0)
		r = sl_errorf(errno, "control socket of '%s': %s", name, strerror(errno));
	if (r == 0)
		r = read_reply(s, name, reply);
	close(s);
	return r;
}
