/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uname.c - the sandbox's name as its host name: uname() answers the
 * host's uname with nodename replaced by the name.
 *
 * The worked example of a feature (docs/architecture.md): one rule, one
 * handler, a per-sandbox state prepared at set-up.
 */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "error.h"
#include "feature.h"
#include "mem.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "util.h"

struct uname_state {
	struct utsname uts; /* what uname answers */
};

/* emulate: the prepared answer written into the child's buffer; the
 * child's memory is only written, never trusted. */
static void on_uname(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const struct uname_state *st = arg;
	if (mem_write(&c->mem, c->req->data.args[0], &st->uts, sizeof(st->uts)) < 0)
		*a = sl_act_errno(EFAULT);
	else
		*a = sl_act_return(0);
}

/* The handlers of this file's rule tables, by index (struct sl_frow). */
enum {
	H_on_uname,
};

static const sl_hfn handlers[] = {
    [H_on_uname] = on_uname,
};

static const struct sl_frow uname_rules[] = {
    {{__NR_uname, 0, {{0}}}, H_on_uname},
};

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)env;
	(void)proc_off;
	struct uname_state *st = state;
	if (uname(&st->uts) < 0)
		return sl_errorf(errno, "uname: %s", strerror(errno));
	size_t len = strlen(s->name);
	memset(st->uts.nodename, 0, sizeof(st->uts.nodename));
	memcpy(st->uts.nodename, s->name, len < SL_NAME_MAX ? len : SL_NAME_MAX);
	return 0;
}

/* Always on: every sandbox has a name. */
const struct sl_feature feature_uname = {
    .name = "uname",
    SL_FRULES(uname_rules, handlers),
    .state_size = sizeof(struct uname_state),
    .init = init,
};
