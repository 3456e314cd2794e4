/* SPDX-License-Identifier: Apache-2.0 */
/*
 * meminfo.c - what a sandbox with max_memory is told of its memory: the
 * limit is the machine's total, what the supervisor has charged is used.
 *
 * Programs size themselves to the memory they see (a JVM's heap, a build's
 * job count, a database's cache): told the host's 24 GiB under a 256 MiB
 * limit, they plan for memory the limit then refuses.  Two routes:
 *   - /proc/meminfo, a live view served by synthetic.c (its content made
 *     at each open, from the charge of that moment): MemTotal is
 *     max_memory, MemFree and MemAvailable what is left of it, the page
 *     cache and swap lines 0 (the limit counts no cache, and the
 *     sandbox's memory is not swapped on its behalf), so `free`, libuv's
 *     os.totalmem() and anything else that parses the file agree;
 *   - sysinfo(2) (glibc's get_phys_pages, sysconf(_SC_PHYS_PAGES), Python's
 *     os.sysconf): emulated, the host's answer with the same memory
 *     figures put in, and the count of processes the sandbox's own.  Nothing is read from the
 * child: the call names a buffer, which the answer is written to (EFAULT if it cannot be).
 *
 * "Used" is the charge memlimit.c keeps (private writable memory, shared
 * anonymous mappings, SysV segments), as of the last allocation call or
 * periodic check: the figure the limit is enforced on.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>

#include "feature.h"
#include "mem.h"
#include "policy.h"
#include "policyctx.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "synthetic.h"
#include "util.h"

struct meminfo_state {
	uint64_t max; /* max_memory */
};

/* The limit and what is left of it, in bytes: 0 or -ENOENT (no such
 * feature in this sandbox). */
static int figures(struct sl_sup *s, uint64_t *total, uint64_t *left)
{
	const struct meminfo_state *st = supervisor_feature_state(s, &feature_meminfo);
	if (!st)
		return -ENOENT;
	*total = policyctx_max_memory(s, st->max);
	uint64_t used = s->procs.mem_total;
	*left = used < *total ? *total - used : 0;
	return 0;
}

/* One line as the kernel prints it: the name padded to 16 columns, the
 * kB figure right-aligned in 8 (fs/proc/meminfo.c). */
static int line(struct sl_buf *out, const char *name, uint64_t bytes)
{
	char buf[64];
	int n =
	    snprintf(buf, sizeof(buf), "%-16s%8llu kB\n", name, (unsigned long long)(bytes >> 10));
	int r = sl_buf_reserve(out, (size_t)n);
	if (r == 0) {
		memcpy(out->p + out->len, buf, (size_t)n);
		out->len += (size_t)n;
	}
	return r;
}

int meminfo_file(struct sl_buf *out, struct sl_ctx *c)
{
	uint64_t total, left;
	int r = figures(c->sup, &total, &left);
	if (r < 0)
		return r;
	static const char *const zero[] = {
	    "Buffers:", "Cached:", "SwapCached:",   "SwapTotal:", "SwapFree:",
	    "Shmem:",	"Slab:",   "SReclaimable:", "SUnreclaim:"};
	r = line(out, "MemTotal:", total);
	if (r == 0)
		r = line(out, "MemFree:", left);
	if (r == 0)
		r = line(out, "MemAvailable:", left);
	for (size_t i = 0; r == 0 && i < SL_ARRAY_SIZE(zero); i++)
		r = line(out, zero[i], 0);
	return r;
}

bool meminfo_on(const struct sandlock_sandbox *policy)
{
	return policy->max_memory.set;
}

/* emulate: the host's sysinfo with the sandbox's memory in it, written
 * into the child's buffer. */
static void on_sysinfo(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const struct meminfo_state *st = arg;
	struct sysinfo si;
	if (sysinfo(&si) < 0) {
		*a = sl_act_errno(errno);
		return;
	}
	/* a policy callback may have lowered it (restrict_max_memory) */
	uint64_t total = policyctx_max_memory(c->sup, st->max), used = c->sup->procs.mem_total;
	uint64_t left = used < total ? total - used : 0;
	/* mem_unit 1 overflows the unsigned long fields of 32-bit ABIs only;
	 * this is the native (64-bit) ABI's answer */
	si.mem_unit = 1;
	si.totalram = total;
	si.freeram = left;
	si.sharedram = si.bufferram = 0;
	si.totalswap = si.freeswap = 0;
	si.totalhigh = si.freehigh = 0;
	/* the processes the sandbox can see are its own */
	unsigned short n = 0;
	for (size_t i = 0; i < c->sup->procs.n; i++)
		if (!c->sup->procs.v[i]->exited && n < USHRT_MAX)
			n++;
	si.procs = n;
	if (mem_write(&c->mem, c->req->data.args[0], &si, sizeof(si)) < 0)
		*a = sl_act_errno(EFAULT);
	else
		*a = sl_act_return(0);
}

static bool active(const struct sl_feature_env *env)
{
	return meminfo_on(env->policy);
}

/* The handlers of this file's rule tables, by index (struct sl_frow). */
enum {
	H_on_sysinfo,
};

static const sl_hfn handlers[] = {
    [H_on_sysinfo] = on_sysinfo,
};

static const struct sl_frow meminfo_rules[] = {
    {{__NR_sysinfo, 0, {{0}}}, H_on_sysinfo},
};

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)s;
	(void)proc_off;
	((struct meminfo_state *)state)->max = env->policy->max_memory.v;
	return 0;
}

/* max_memory: sysinfo (the /proc/meminfo view is synthetic.c's row). */
const struct sl_feature feature_meminfo = {
    .name = "meminfo",
    .active = active,
    SL_FRULES(meminfo_rules, handlers),
    .state_size = sizeof(struct meminfo_state),
    .init = init,
};
