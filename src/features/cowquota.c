/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cowquota.c - max_disk for the seccomp copy-on-write layer: a running
 * count of the upper's bytes, counted exactly only when it matters.
 *
 * Counting the upper (layer_usage: every entry's blocks) at each checked
 * call made a tree of N files cost N^2: an untar of 900 files walked the
 * upper 2700 times.  The check needs only a bound: the count of the last
 * exact walk, plus what the layer's copies added since (layer_added: their
 * data rounded up to blocks, one block more each), plus a block budget for
 * each checked call since (the entry it makes, its parent's growth, an
 * xattr),
 * plus what the files the layer last opened for writing grew by (an
 * O_PATH fd of each kept: an fstat each).  While that bound and the call's growth stay
 * under max_disk the call goes on; when they reach it the upper is
 * counted exactly and the call judged on that count, as before: ENOSPC is
 * only ever answered on an exact count, and every change the layer makes
 * itself is within the bound (fail closed).  Removals are not subtracted
 * (the next exact count sees them).
 *
 * Writes through an fd are the kernel's (the known gap): the growth of the
 * CL_TRACKED files last opened for writing is seen at the next checked
 * call; an older file's, at the next exact count, made at the latest
 * every (entries counted / 8 + 16) checked calls, so the walks cost each
 * call a constant share.  A tracked file whose last name is gone is let
 * go at the next check (our fd must not keep its blocks allocated).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cowint.h"
#include "layer.h"
#include "seccomp_uapi.h"
#include "supervisor.h"

#ifndef XATTR_SIZE_MAX
#define XATTR_SIZE_MAX 65536
#endif

/* What one checked call may add besides copies: its entry's block, its
 * parent directory's new block, an xattr block. */
#define CALL_BOUND (3 * 4096)

static int64_t fd_bytes(int fd, bool *gone)
{
	struct stat sb;
	if (fstat(fd, &sb) < 0) {
		*gone = true;
		return 0;
	}
	*gone = sb.st_nlink == 0;
	return (int64_t)sb.st_blocks * 512;
}

/* The tracked files' growth since last seen (rebase: their bytes now
 * taken as seen, after an exact count); unlinked ones let go. */
static uint64_t poll_tracked(struct cl_quota *q)
{
	uint64_t grown = 0;
	for (size_t i = 0; i < q->nt;) {
		bool gone;
		int64_t b = fd_bytes(q->t[i].fd, &gone);
		if (b > q->t[i].bytes)
			grown += (uint64_t)(b - q->t[i].bytes);
		q->t[i].bytes = b;
		if (gone) {
			close(q->t[i].fd);
			q->t[i] = q->t[--q->nt];
			continue;
		}
		i++;
	}
	return grown;
}

void cowl_quota_track(struct cl_state *st, int fd)
{
	struct cl_quota *q = &st->q;
	if (!st->max_disk || fd < 0)
		return;
	/* an O_PATH file of the inode, never a duplicate of the writer: a
	 * file open for writing cannot be executed (ETXTBSY), and its last
	 * close (inotify's IN_CLOSE_WRITE) would wait for ours */
	char p[32];
	struct stat sb;
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
		return;
	int d = open(p, O_PATH | O_CLOEXEC);
	if (d < 0)
		return; /* seen at the next exact count */
	bool gone;
	int64_t b = fd_bytes(d, &gone);
	if (q->nt == CL_TRACKED) { /* the oldest: its growth so far kept */
		bool g;
		int64_t ob = fd_bytes(q->t[0].fd, &g);
		if (ob > q->t[0].bytes)
			q->fd_grown += (uint64_t)(ob - q->t[0].bytes);
		close(q->t[0].fd);
		for (size_t i = 1; i < q->nt; i++)
			q->t[i - 1] = q->t[i];
		q->nt--;
	}
	/* a copy-up's bytes are in layer_added: only growth from now */
	q->t[q->nt++] = (struct cl_tracked){d, b};
}

void cowl_quota_release(struct cl_state *st)
{
	for (size_t i = 0; i < st->q.nt; i++)
		close(st->q.t[i].fd);
	st->q.nt = 0;
}

/* The upper counted exactly: the new base.  -errno. */
static long count(struct sl_ctx *c, struct cl_state *st, int64_t added)
{
	struct cl_quota *q = &st->q;
	struct job j = {.st = st, .op = OP_USAGE};
	/* the tracked files' bytes taken as seen first: what they grow by
	 * during the count is then counted twice at worst, never missed */
	(void)poll_tracked(q);
	long u = cowl_job_run(c, &j);
	if (u < 0)
		return u;
	q->counted = true;
	q->base = (uint64_t)u;
	q->added_at = added;
	q->fd_grown = 0;
	q->slack = 0;
	q->calls = 0;
	q->budget = j.size / 8 + 16;
	return 0;
}

long cowl_quota(struct sl_ctx *c, struct cl_state *st, uint64_t growth)
{
	if (!st->max_disk)
		return 0;
	struct cl_quota *q = &st->q;
	int nr = c->req->data.nr;
	/* an xattr's value may take blocks of its own (ext4's ea_inode) */
	bool xattr = nr == __NR_setxattr || nr == __NR_lsetxattr || nr == __NR_fsetxattr;
	uint64_t bound = CALL_BOUND + (xattr ? XATTR_SIZE_MAX : 0);
	/* taken before a count: a copy made meanwhile stays in the bound */
	int64_t added = layer_added();
	uint64_t est = 0;
	bool exact = !q->counted || q->calls >= q->budget;
	if (!exact) {
		q->fd_grown += poll_tracked(q);
		est = q->base + (uint64_t)(added - q->added_at) + q->fd_grown + q->slack;
		exact = est + growth >= st->max_disk;
	}
	if (exact) {
		long r = count(c, st, added);
		if (r < 0)
			return r;
		est = q->base;
	}
	/* this call's own entry, for the next checks */
	q->slack += bound;
	q->calls++;
	return est + growth >= st->max_disk && (growth || est >= st->max_disk) ? -ENOSPC : 0;
}
