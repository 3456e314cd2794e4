/* SPDX-License-Identifier: Apache-2.0 */
/*
 * layerwork.c - changes that take a name from one state to another in one
 * rename (layer.h: struct layer.work), as overlayfs makes them in its
 * work directory: an entry made whole there and exchanged with the
 * whiteout it replaces, an entry removed by renaming it there with
 * RENAME_WHITEOUT (the whiteout left in its place by the same call).  A
 * reader of the name sees the old state or the new one, never the lower's
 * entry in between, and a crash leaves at most a stray entry in the work
 * directory.  Without a work directory (or where the filesystem refuses
 * the flags) each is the two steps it is in layerops.c's first form.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cow.h"
#include "layerint.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif
#ifndef RENAME_WHITEOUT
#define RENAME_WHITEOUT (1 << 2)
#endif

/* A fresh name for the work directory (64 random bits: no state shared
 * between the supervisor's threads). */
void layer_work_name(char t[32])
{
	uint64_t x;
	if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != (ssize_t)sizeof(x)) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)getpid();
	}
	snprintf(t, 32, "l%016llx", (unsigned long long)x);
}

/* name of fd renamed to a fresh name t of the work directory (flags:
 * RENAME_WHITEOUT or 0).  -errno. */
static int to_work(const struct layer *l, int fd, const char *name, char t[32], unsigned flags)
{
	for (int i = 0; i < 16; i++) {
		layer_work_name(t);
		if (renameat2(fd, name, l->work, t, flags | RENAME_NOREPLACE) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

bool layer_have_work(const struct layer *l)
{
	/* renames cannot cross filesystems: a work directory elsewhere
	 * than the upper (a quota's tmpfs holds both) is no use */
	struct stat w, u;
	return l->work >= 0 && fstat(l->work, &w) == 0 && fstat(l->upper, &u) == 0 &&
	       w.st_dev == u.st_dev;
}

int layer_discard(const struct layer *l, struct layer_node *n)
{
	if (n->where != LAYER_UPPER)
		return n->in_lower ? layer_whiteout(l, n->up, n->name) : 0;
	if (layer_have_work(l)) {
		char t[32];
		int r = to_work(l, n->up, n->name, t, n->in_lower ? RENAME_WHITEOUT : 0);
		if (r == 0)
			return cow_rmtree(l->work, t);
		/* no whiteout by rename on this filesystem (EINVAL), or a
		 * read-only directory whose ".." a move rewrites (EACCES):
		 * removed where it is */
		if (r != -EINVAL && r != -EACCES && r != -EPERM)
			return r;
	}
	int r = cow_rmtree(n->up, n->name);
	return r == 0 && n->in_lower ? layer_whiteout(l, n->up, n->name) : r;
}

int layer_place(const struct layer *l, struct layer_node *n, layer_make_fn make, void *arg)
{
	if (!n->whiteout || !layer_have_work(l)) {
		if (n->whiteout && unlinkat(n->up, n->name, 0) < 0 && errno != ENOENT)
			return -errno;
		return make(n->up, n->name, arg);
	}
	char t[32];
	int r = -EEXIST;
	for (int i = 0; i < 16 && r == -EEXIST; i++) {
		layer_work_name(t);
		r = make(l->work, t, arg);
	}
	if (r < 0)
		return r;
	if ((r = layer_install(l, l->work, t, n, true)) < 0)
		cow_rmtree(l->work, t);
	return r;
}

int layer_install(const struct layer *l, int dir, const char *name, const struct layer_node *b,
		  bool drop)
{
	(void)l;
	if (b->where != LAYER_UPPER && !b->whiteout)
		return renameat2(dir, name, b->up, b->name, RENAME_NOREPLACE) < 0 ? -errno : 0;
	if (renameat2(dir, name, b->up, b->name, RENAME_EXCHANGE) == 0)
		return drop ? cow_rmtree(dir, name) : 1;
	if (errno != EINVAL)
		return -errno;
	/* no RENAME_EXCHANGE here: what b holds goes first */
	int r = cow_rmtree(b->up, b->name);
	return r < 0 ? r : renameat(dir, name, b->up, b->name) < 0 ? -errno : 0;
}

int layer_work_tree(const struct layer *l, const struct layer_node *a, char t[32])
{
	int up, low, r = layer_node_dirs(a, &up, &low);
	for (int i = 0; r == 0 || (r == -EEXIST && i < 16); i++) {
		layer_work_name(t);
		if ((r = layer_move_tree(l, up, low, l->work, t)) != -EEXIST)
			break;
	}
	if (up >= 0)
		close(up);
	if (low >= 0)
		close(low);
	return r;
}
