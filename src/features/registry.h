/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registry.h - every feature the library knows, one row each in
 * registry.c, in dispatch order (a syscall's chain runs its features'
 * handlers in this order, the user's handlers last).
 */
#ifndef SL_REGISTRY_H
#define SL_REGISTRY_H

#include "feature.h"

extern const struct sl_feature feature_learn;
extern const struct sl_feature feature_nproc;
extern const struct sl_feature feature_memlimit;
extern const struct sl_feature feature_uname;
extern const struct sl_feature feature_cowlayer;
extern const struct sl_feature feature_cowlayer_opens;
extern const struct sl_feature feature_synthetic;
extern const struct sl_feature feature_random;
extern const struct sl_feature feature_timeshift;
extern const struct sl_feature feature_dirs;
extern const struct sl_feature feature_procview;
extern const struct sl_feature feature_xproc;
extern const struct sl_feature feature_tty;
extern const struct sl_feature feature_cpulimit;
extern const struct sl_feature feature_timex;
extern const struct sl_feature feature_fsmeta;
extern const struct sl_feature feature_netlink;
extern const struct sl_feature feature_unixsock;
extern const struct sl_feature feature_inotify;
extern const struct sl_feature feature_portremap;
extern const struct sl_feature feature_httpacl;
extern const struct sl_feature feature_meminfo;
extern const struct sl_feature feature_explain;

const struct sl_feature_set *registry_features(void);

#endif
