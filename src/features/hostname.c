/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostname.c - /etc/hostname reads the sandbox's name: the first
 * synthetic file.
 *
 * The read-only opens (open, openat; openat2 is ENOSYS for everyone) are
 * notified: no O_WRONLY/O_RDWR, no O_PATH, no O_DIRECTORY (the seccomp
 * rule compares the flags register, so directory listings and writes cost
 * nothing).  The path is read once and resolved by the on-behalf core as
 * the opening thread would (its dirfd, its cwd, the sandbox's root, its
 * own /proc/self/root), following a final symlink unless O_NOFOLLOW; when
 * the object is the host's /etc/hostname (its device and inode, however
 * it was named: relative, through symlinks, "..", a dirfd, /proc/self/
 * root), the answer is a new read-only open of a sealed memfd holding
 * "<name>\n", injected with the open's O_CLOEXEC.  Anything else is
 * continued: the kernel opens it, and Landlock decides as always.
 *
 * Continuing after reading the path is safe here, and only here: the
 * decision grants nothing (the access is still the kernel's and
 * Landlock's); a thread that rewrites the path after the check reaches
 * the real file only where the policy lets it read /etc, and the host's
 * name is no secret the sandbox is kept from (uname(2) is emulated, but
 * /proc/sys/kernel/hostname shows it).  A host without /etc/hostname has
 * nothing to replace: the opens go on unanswered.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "feature.h"
#include "onbehalf.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "util.h"

#define HOSTNAME_PATH "/etc/hostname"
/* The opens that may read: O_RDONLY (0), not O_PATH, not O_DIRECTORY. */
#define NOT_READING (O_ACCMODE | O_PATH | O_DIRECTORY)

struct hostname_state {
	struct onbehalf *ob;
	bool have; /* the host has /etc/hostname: its identity below */
	dev_t dev;
	ino_t ino;
	int memfd; /* "<name>\n", sealed; -1 until the first match needs it */
};

/* With the child's credentials: 1 when o is the host's /etc/hostname. */
static long same_file(const struct ob_obj *o, void *arg)
{
	const struct hostname_state *st = arg;
	return o->st.st_dev == st->dev && o->st.st_ino == st->ino;
}

/* The view, made at the first open that needs it (most sandboxes never
 * read the file): 0 or -errno. */
static int make_view(struct hostname_state *st, const char *name)
{
	if (st->memfd >= 0)
		return 0;
	char text[SL_NAME_MAX + 2];
	int len = snprintf(text, sizeof(text), "%s\n", name);
	st->memfd = memfd_create("hostname", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (st->memfd < 0)
		return -errno;
	if (write(st->memfd, text, (size_t)len) != len ||
	    fcntl(st->memfd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		int e = errno ? errno : EIO;
		sl_close(&st->memfd);
		return -e;
	}
	return 0;
}

/* A new read-only open file description of the memfd (its own offset). */
static int reopen_view(const struct hostname_state *st)
{
	char self[32];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", st->memfd);
	return open(self, O_RDONLY | O_CLOEXEC);
}

static void on_open(struct sl_ctx *c, struct sl_action *a, struct hostname_state *st, int dirfd,
		    uint64_t path_addr, uint64_t flags)
{
	char path[PATH_MAX];
	*a = sl_act_continue();
	/* a user handler's rule may bring opens this one leaves out */
	if (!st->have || (flags & NOT_READING) ||
	    onbehalf_read_path(c, path_addr, path, sizeof(path)) < 0)
		return;
	struct ob_req q = {.dirfd = dirfd,
			   .path = path,
			   .flags = (flags & O_NOFOLLOW) ? OB_NOFOLLOW : 0,
			   .need = OB_ANY,
			   .op = same_file,
			   .arg = st};
	if (onbehalf_run(st->ob, c, &q) != 1)
		return;
	/* the sandbox may have chmodded the memfd (fchmod is not notified):
	 * a match is the view or an error, never the real file */
	int r = make_view(st, c->sup->name);
	int fd = r < 0 ? r : reopen_view(st);
	if (fd < 0) {
		*a = sl_act_errno(r < 0 ? -r : errno);
		return;
	}
	*a = (struct sl_action){
	    .kind = SL_ACT_INJECT_SEND, .fd = fd, .fd_flags = (flags & O_CLOEXEC) ? O_CLOEXEC : 0};
}

static void on_openat(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const __u64 *r = c->req->data.args;
	/* the kernel reads dirfd as an int */
	on_open(c, a, arg, (int)(int32_t)r[0], r[1], r[2]);
}

#ifdef __NR_open
static void on_open_legacy(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const __u64 *r = c->req->data.args;
	on_open(c, a, arg, AT_FDCWD, r[0], r[1]);
}
#endif

static const struct sl_frule hostname_rules[] = {
    {{__NR_openat, 1, {SL_AMASK(2, NOT_READING, 0)}}, on_openat},
#ifdef __NR_open
    {{__NR_open, 1, {SL_AMASK(1, NOT_READING, 0)}}, on_open_legacy},
#endif
};

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)proc_off;
	struct hostname_state *st = state;
	struct stat sb;
	st->memfd = -1;
	if (stat(HOSTNAME_PATH, &sb) < 0)
		return 0;
	int r = onbehalf_get(s, env->policy, -1, &st->ob);
	st->have = r == 0;
	st->dev = sb.st_dev;
	st->ino = sb.st_ino;
	return r;
}

static void release(void *state)
{
	struct hostname_state *st = state;
	if (st->memfd >= 0) /* init set it first: -1 or ours, 0 included */
		close(st->memfd);
	onbehalf_put(st->ob);
}

/* Always on: every sandbox has a name. */
/* Every dynamically linked command's loader opens files first thing:
 * their first notification need not open the sandbox's root. */
static void attached(struct sl_sup *s, void *state)
{
	struct hostname_state *st = state;
	if (st->ob)
		onbehalf_prefetch(st->ob, s);
}

const struct sl_feature feature_hostname = {
    .name = "hostname",
    SL_FRULES(hostname_rules),
    .state_size = sizeof(struct hostname_state),
    .init = init,
    .release = release,
    .attached = attached,
};
