/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registry.h - every feature the library knows, one row each in
 * registry.c, in dispatch order (a syscall's chain runs its features'
 * handlers in this order, the user's handlers last).
 */
#ifndef SL_REGISTRY_H
#define SL_REGISTRY_H

#include "feature.h"

extern const struct sl_feature feature_learn, feature_nproc, feature_memlimit, feature_uname,
    feature_synthetic, feature_random, feature_dirs, feature_procview, feature_xproc, feature_tty,
    feature_cpulimit, feature_timex, feature_fsmeta, feature_netlink, feature_unixsock,
    feature_inotify, feature_portremap, feature_httpacl, feature_meminfo, feature_explain;

const struct sl_feature_set *registry_features(void);

#endif
