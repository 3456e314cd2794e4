/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroupview.h - opens of objects on a cgroup filesystem (cgroupview.c).
 */
#ifndef SL_CGROUPVIEW_H
#define SL_CGROUPVIEW_H

#include <stdbool.h>
#include <stdint.h>

struct ob_obj;
struct onbehalf;
struct sl_ctx;
struct sl_action;

/* Whether o lies on a cgroup filesystem (v1 or v2). */
bool cgroupview_object(const struct ob_obj *o);

/* The answer to an open (dirfd, path, flags) whose object lies on one. */
void cgroupview_open(struct onbehalf *ob, struct sl_ctx *c, int dirfd, const char *path,
		     uint64_t flags, struct sl_action *a);

#endif
