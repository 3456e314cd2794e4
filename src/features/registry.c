/* SPDX-License-Identifier: Apache-2.0 */
/* registry.c - the features, in dispatch order (see registry.h). */
#include "registry.h"

#include "policyctx.h"
#include "policyfn.h"

#include "util.h"

/* learn first: it observes every call before another answers it; the
 * policy callback next: it decides before anything is done for the
 * child; its paths (policyctx) after the views (synthetic, random); nproc
 * before max_memory: a fork over the count is not charged; netlink before
 * unixsock: it answers the sends and connects on its own sockets; procview
 * after dirs: the listings dirs sorts are filtered there; the
 * copy-on-write layer before the views, dirs, file metadata and the rest:
 * it answers every call on a path in the workdir, and the opens reach it
 * through synthetic's handler (one read of the path); explain
 * last: what reaches it goes on to the kernel */
/* one row a line: merges of new features stay local */
/* clang-format off */
static const struct sl_feature *const all[] = {
    &feature_learn,
    &feature_policyfn,
    &feature_nproc,
    &feature_memlimit,
    &feature_uname,
    &feature_cowlayer,
    &feature_synthetic,
    &feature_random,
    &feature_timeshift,
    &feature_dirs,
    &feature_procview,
    &feature_xproc,
    &feature_tty,
    &feature_cpulimit,
    &feature_timex,
    &feature_fsmeta,
    &feature_netlink,
    &feature_unixsock,
    &feature_inotify,
    &feature_portremap,
    &feature_httpacl,
    &feature_meminfo,
    &feature_policyctx,
    &feature_cowlayer_opens,
    &feature_explain,
};
/* clang-format on */

static const struct sl_feature_set set = {all, SL_ARRAY_SIZE(all)};

const struct sl_feature_set *registry_features(void)
{
	return &set;
}
