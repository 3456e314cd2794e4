/* SPDX-License-Identifier: Apache-2.0 */
/*
 * timex.c - adjtimex and clock_adjtime, read-only.
 *
 * Emulate.  Both calls read and set the kernel's clock discipline through
 * a struct timex in memory, which BPF cannot read, so the filter notifies
 * them.  A read (modes == 0: glibc's adjtimex, ntp_gettime and
 * ntp_adjtime go through clock_adjtime(CLOCK_REALTIME) this way; or
 * ADJ_OFFSET_SS_READ, adjtime(NULL, &old) reading the pending offset) is
 * performed here on a copy of the child's struct, and the result is
 * written back with the kernel's return value (the clock state).  Any
 * other modes are EPERM: the sandbox holds no CAP_SYS_TIME, and denying
 * here also covers a caller that would.  The call is never continued
 * after the struct was read: the child could change modes in between.
 *
 * Only clocks the supervisor evaluates exactly as the child would are
 * emulated: CLOCK_REALTIME and CLOCK_TAI (system-wide).  A dynamic clock
 * id encodes an fd, which here would name one of the supervisor's own;
 * CPU clocks and the rest get EPERM.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <time.h>

#include "feature.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "util.h"

#ifndef ADJ_OFFSET_SS_READ
#define ADJ_OFFSET_SS_READ 0xa001 /* ADJ_OFFSET_SINGLESHOT | ADJ_OFFSET_READONLY */
#endif

/* clock < 0: adjtimex. */
static void emulate(struct sl_ctx *c, struct sl_action *a, clockid_t clock, uint64_t addr)
{
	struct timex tx;
	if (mem_read(&c->mem, addr, &tx, sizeof(tx)) < 0) {
		*a = sl_act_errno(EFAULT);
		return;
	}
	if (tx.modes != 0 && tx.modes != ADJ_OFFSET_SS_READ) {
		*a = sl_act_errno(EPERM);
		return;
	}
	int r = clock < 0 ? adjtimex(&tx) : clock_adjtime(clock, &tx);
	if (r < 0) {
		*a = sl_act_errno(errno);
		return;
	}
	if (mem_write(&c->mem, addr, &tx, sizeof(tx)) < 0) {
		*a = sl_act_errno(EFAULT);
		return;
	}
	*a = sl_act_return(r);
}

static void on_adjtimex(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	emulate(c, a, -1, c->req->data.args[0]);
}

static void on_clock_adjtime(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	/* clockid_t is an int: the kernel reads the low 32 bits */
	clockid_t clock = (clockid_t)(int32_t)(uint32_t)c->req->data.args[0];
	if (clock != CLOCK_REALTIME && clock != CLOCK_TAI) {
		*a = sl_act_errno(EPERM);
		return;
	}
	emulate(c, a, clock, c->req->data.args[1]);
}

/* The handlers of this file's rule tables, by index (struct sl_frow). */
enum {
	H_on_adjtimex,
	H_on_clock_adjtime,
};

static const sl_hfn handlers[] = {
    [H_on_adjtimex] = on_adjtimex,
    [H_on_clock_adjtime] = on_clock_adjtime,
};

static const struct sl_frow timex_rules[] = {
    {{__NR_adjtimex, 0, {{0}}}, H_on_adjtimex},
    {{__NR_clock_adjtime, 0, {{0}}}, H_on_clock_adjtime},
};

/* Always on: the clock is the host's to set. */
const struct sl_feature feature_timex = {
    .name = "adjtimex",
    SL_FRULES(timex_rules, handlers),
};
