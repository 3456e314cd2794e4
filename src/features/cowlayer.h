/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cowlayer.h - the seccomp copy-on-write layer (workdir with fs_isolation
 * none): the supervisor serves every path call that lands in the workdir
 * from the branch's merged view (src/cow/layer.h).  See cowlayer.c.
 */
#ifndef SL_COWLAYER_H
#define SL_COWLAYER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sl_ctx;
struct sl_action;

/* An open (open, openat, creat) whose path was read once by the open
 * chain's entry (synthetic.c): true when the path lands in the workdir
 * and *a is the answer (an injected fd or an errno), false when it is not
 * the layer's (the caller goes on with the same path).  Engine thread. */
bool cowlayer_open(struct sl_ctx *c, struct sl_action *a, int dirfd, const char *path,
		   uint64_t flags, uint64_t mode);

/* Whether the layer is active: the open chain's entry then hands it the
 * object it resolved and let through (cowlayer_stash), so that the late
 * open handler, which makes that open, need not resolve it again. */
bool cowlayer_wants_object(struct sl_ctx *c);
/* Takes fd (ours, O_PATH: the object the entry resolved for this
 * notification; -1 none).  Engine thread. */
void cowlayer_stash(struct sl_ctx *c, int fd);

/* A listing (getdents64, getdents) the layer left to the chain's next
 * (a directory that is not the layer's; deterministic_dirs asks): 1 with
 * the object the layer checked (the listing must be of that object only:
 * the fd number may name another since), 0 when the layer is not active,
 * -EAGAIN when it checked no object for this call.  Engine thread. */
int cowlayer_listing_object(struct sl_ctx *c, dev_t *dev, ino_t *ino);

#endif
