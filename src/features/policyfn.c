/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policyfn.c - the policy callback (policyfn.h): events, verdicts, the
 * callback's thread.
 *
 * Placed early in the dispatch order: its handlers decide before any
 * other feature acts for the child, and a denial answers the call with
 * the verdict's errno, so nothing is opened, bound or executed.  An
 * allowed call goes on to the rest of the chain.  Connects and sends are
 * asked later, by the sockets feature (policyfn_net), on the copy of the
 * address it will use: asking here would read the address twice, and a
 * thread could change it between the verdict and the call.
 *
 * What an event shows cannot change after the verdict:
 *   - execve's argv: only from a process whose memory no one else can
 *     write while the kernel copies it: one thread (its status Threads:,
 *     read strictly), no other process of the sandbox sharing its address
 *     space (kcmp(KCMP_VM) against every process the index holds, after a
 *     settle; a new sharer can only be made by a sharer, and the caller is
 *     held), and a policy that keeps ptrace and process_vm_writev denied.
 *     One sharer is allowed: the caller's vfork parent, held in the
 *     kernel until the exec is done (vfork_parent_held).  Where that
 *     cannot be shown (another thread, a vfork child of a multithreaded
 *     parent, a clone(CLONE_VM) child that does not hold its maker, kcmp
 *     refused) the exec is denied (EPERM): a callback must never approve
 *     argv the kernel does not run.  The command's own first exec is the
 *     exception: its memory is the host's, where no sandboxed code has
 *     run yet;
 *   - bind's address: under the same condition, else the event has no
 *     host and no port (the call is continued, and Landlock's bind rules
 *     still judge what the kernel reads);
 *   - no path string, ever: an open's event names only the syscall.
 *
 * The callback runs on a thread of its own (a channel: one event at a
 * time, the supervisor waits with a timeout).  A callback that does not
 * answer within the timeout is abandoned: the channel is marked dead, so
 * every later event is denied without a wait, and its ctx calls are
 * ignored from then on (pctx_kill).  A callback that ends its thread
 * (pthread_exit, cancellation) is seen through a cleanup handler: dead
 * too, denied at once.  A callback that crashes the process (SIGSEGV)
 * takes the host with it: it runs in the host's address space.  The
 * channel and the live policy are refcounted: an abandoned thread may
 * still run after the sandbox ended.
 */
#include <errno.h>
#include <linux/kcmp.h>
#include <linux/sched.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "filter.h"
#include "jsonw.h"
#include "mem.h"
#include "netaddr.h"
#include "netmatch.h"
#include "pidinfo.h"
#include "policy.h"
#include "policyctx.h"
#include "policyfn.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "util.h"

#define ARGV_MAX     65536	       /* entries read (the kernel takes more: E2BIG here) */
#define ARG_STRLEN   (32 * 4096)       /* the kernel's MAX_ARG_STRLEN */
#define ARGV_BYTES   (8 * 1024 * 1024) /* above the kernel's 6 MiB at most */
#define VERDICT_MAXE 4095

enum { CAT_FILE = 0, CAT_NETWORK = 1, CAT_PROCESS = 2 };

int policyfn_verdict(int32_t v, bool *audit)
{
	*audit = v == -2;
	if (v == 0 || v == -2)
		return 0;
	if (v > 0 && v <= VERDICT_MAXE)
		return v;
	return EPERM; /* -1, and any value the ABI does not define */
}

/* ---- the channel ------------------------------------------------------------------- */

struct chan {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC */
	unsigned refs;
	bool dead, quit;
	uint64_t asked, answered;
	int32_t verdict;
	sandlock_policy_fn_t fn;
	struct sandlock_ctx *ctx;
	sandlock_event_t ev; /* what the callback reads: kept until the next */
	char host[NETADDR_STRLEN];
	char **argv; /* owned, for ev.argv */
	uint32_t argc;
};

static void argv_free(char **v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void chan_unref(struct chan *ch)
{
	pthread_mutex_lock(&ch->mu);
	bool last = --ch->refs == 0;
	pthread_mutex_unlock(&ch->mu);
	if (!last)
		return;
	argv_free(ch->argv, ch->argc);
	pctx_unref(ch->ctx);
	pthread_cond_destroy(&ch->cv);
	pthread_mutex_destroy(&ch->mu);
	free(ch);
}

/* The callback's thread ended, however (also pthread_exit inside it). */
static void cb_gone(void *p)
{
	struct chan *ch = p;
	pthread_mutex_lock(&ch->mu);
	ch->dead = true;
	pthread_cond_broadcast(&ch->cv);
	pthread_mutex_unlock(&ch->mu);
	chan_unref(ch);
}

/* The 0.8.0 callback takes (event, ctx); 0.8.6's takes a third argument,
 * its user data, which its builder call passed with a drop function, two
 * arguments this builder (0.8.0's) never reads.  The call passes a third
 * argument, NULL: a 0.8.0 callback ignores it (the SysV and AAPCS64
 * calling conventions pass it in a register the callee never reads), a
 * 0.8.6 one gets NULL rather than whatever that register held. */
typedef int32_t (*fn3_t)(const sandlock_event_t *, sandlock_ctx_t *, void *);

static int32_t call(sandlock_policy_fn_t fn, const sandlock_event_t *ev, sandlock_ctx_t *x)
{
	fn3_t f = (fn3_t)(void (*)(void))fn;
	return f(ev, x, NULL);
}

static void *cb_main(void *p)
{
	struct chan *ch = p;
	pthread_cleanup_push(cb_gone, ch);
	pthread_mutex_lock(&ch->mu);
	for (;;) {
		while (!ch->quit && ch->asked == ch->answered)
			pthread_cond_wait(&ch->cv, &ch->mu);
		if (ch->quit)
			break;
		uint64_t n = ch->asked;
		pthread_mutex_unlock(&ch->mu);
		int32_t v = call(ch->fn, &ch->ev, ch->ctx);
		pthread_mutex_lock(&ch->mu);
		if (ch->asked == n) {
			ch->verdict = v;
			ch->answered = n;
			pthread_cond_broadcast(&ch->cv);
		}
	}
	pthread_mutex_unlock(&ch->mu);
	pthread_cleanup_pop(1);
	return NULL;
}

static int chan_start(struct chan **out, sandlock_policy_fn_t fn, struct sandlock_ctx *x)
{
	struct chan *ch = calloc(1, sizeof(*ch));
	if (!ch)
		return sl_errorf(ENOMEM, "out of memory");
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ch->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&ch->mu, NULL);
	ch->refs = 2; /* ours and the thread's */
	ch->fn = fn;
	ch->ctx = x;
	pctx_ref(x);
	pthread_attr_t ta;
	pthread_t th;
	pthread_attr_init(&ta);
	pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	int r = pthread_create(&th, &ta, cb_main, ch);
	pthread_attr_destroy(&ta);
	if (r != 0) {
		ch->refs = 1;
		chan_unref(ch);
		return sl_errorf(r, "policy_fn: the callback's thread: %s", strerror(r));
	}
	*out = ch;
	return 0;
}

static void chan_stop(struct chan *ch)
{
	if (!ch)
		return;
	pthread_mutex_lock(&ch->mu);
	ch->quit = true;
	pthread_cond_broadcast(&ch->cv);
	pthread_mutex_unlock(&ch->mu);
	chan_unref(ch);
}

static struct timespec deadline(uint32_t ms)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

enum ask_end { ASK_ANSWERED, ASK_DEAD, ASK_TIMEOUT };

/* Hands ev (argv taken) to the callback and waits for its verdict. */
static enum ask_end chan_ask(struct chan *ch, const sandlock_event_t *ev, const char *host,
			     char **argv, uint32_t argc, uint32_t timeout_ms, int32_t *verdict)
{
	struct timespec until = deadline(timeout_ms);
	pthread_mutex_lock(&ch->mu);
	if (ch->dead) {
		pthread_mutex_unlock(&ch->mu);
		argv_free(argv, argc);
		return ASK_DEAD;
	}
	/* the previous event's strings: the callback is done with them */
	argv_free(ch->argv, ch->argc);
	ch->argv = argv;
	ch->argc = argc;
	ch->ev = *ev;
	ch->ev.argv = (const char *const *)argv;
	ch->ev.argc = argv ? argc : 0;
	ch->ev.host = NULL;
	if (host) {
		snprintf(ch->host, sizeof(ch->host), "%s", host);
		ch->ev.host = ch->host;
	}
	uint64_t n = ++ch->asked;
	pthread_cond_broadcast(&ch->cv);
	enum ask_end end = ASK_ANSWERED;
	while (ch->answered != n && !ch->dead) {
		if (pthread_cond_timedwait(&ch->cv, &ch->mu, &until) == ETIMEDOUT &&
		    ch->answered != n && !ch->dead) {
			ch->dead = true; /* abandoned: the strings stay with it */
			end = ASK_TIMEOUT;
		}
	}
	if (end == ASK_ANSWERED && ch->answered != n)
		end = ASK_DEAD;
	*verdict = ch->verdict;
	pthread_mutex_unlock(&ch->mu);
	if (end == ASK_TIMEOUT)
		pctx_kill(ch->ctx);
	return end;
}

/* ---- the feature's state ------------------------------------------------------------ */

struct pfn_state {
	struct chan *ch;
	uint32_t timeout_ms;
	uint32_t events;   /* SANDLOCK_POLICY_EVENT_* */
	bool mm_checkable; /* ptrace and process_vm_writev stay denied */
	sandlock_policy_fn_t fn;
	struct sl_sup *sup;
	bool start_failed; /* no thread: every event is denied */
	size_t proc_off;
	uint64_t asked, denied, audited;
};

static void start(struct pfn_state *st);

/* A decision: 0, or the errno; recorded as a denial with target. */
static int decide(struct pfn_state *st, struct sl_ctx *c, const sandlock_event_t *ev,
		  const char *host, char **argv, uint32_t argc, const char *target)
{
	int32_t v = 0;
	st->asked++;
	start(st);
	enum ask_end end = ASK_DEAD;
	if (st->ch)
		end = chan_ask(st->ch, ev, host, argv, argc, st->timeout_ms, &v);
	else
		argv_free(argv, argc);
	char rule[128];
	int err = 0;
	bool audit = false;
	if (end == ASK_TIMEOUT) {
		snprintf(rule, sizeof(rule),
			 "policy_fn: no verdict within %u ms (the callback is abandoned)",
			 st->timeout_ms);
		err = EPERM;
	} else if (end == ASK_DEAD) {
		snprintf(rule, sizeof(rule), "policy_fn: the callback is gone");
		err = EPERM;
	} else {
		snprintf(rule, sizeof(rule), "policy_fn");
		err = policyfn_verdict(v, &audit);
	}
	st->audited += audit;
	if (err && !ev->denied) {
		st->denied++;
		supervisor_denied(c, err, target, rule);
	}
	return err;
}

static sandlock_event_t base_event(struct sl_ctx *c, const char *name, uint8_t cat)
{
	pid_t pp = 0;
	if (pidinfo_ppid(c->proc->pidfd, procs_dir(c->proc), c->proc->pid, &pp) < 0)
		pp = 0;
	return (sandlock_event_t){.syscall = name,
				  .category = cat,
				  .pid = (uint32_t)c->proc->pid,
				  .parent_pid = (uint32_t)pp};
}

/* A process's block: whether it ever made a process sharing its memory
 * that does not hold it (clone with CLONE_VM, without CLONE_VFORK and
 * CLONE_THREAD).  Sticky: such a process may live on. */
struct pfn_proc {
	bool vm_spawner;
};

/* ---- memory no one else can write ----------------------------------------------------- */

/* The one process sharing the caller's memory is harmless when it is its
 * vfork parent, held in the kernel until the caller's exec is done: it is
 * the caller's parent (the kernel's parentage), has one thread, and never
 * made a process sharing its memory without waiting for it (its clones'
 * flags are registers, seen at each notified clone; clone3 is ENOSYS).
 * The caller shares its memory, so the parent made it with CLONE_VM, and
 * so with vfork's wait: the parent stays in that call until the caller
 * has exec'd (or died).  NULL, or why not. */
static const char *vfork_parent_held(const struct pfn_state *st, struct sl_ctx *c,
				     const struct sl_pent *p)
{
	pid_t pp = 0;
	char buf[4096];
	long threads = 0;
	const struct pfn_proc *pb = feature_proc(p, st->proc_off);
	if (pidinfo_ppid(c->proc->pidfd, procs_dir(c->proc), c->proc->pid, &pp) < 0 ||
	    pp != p->pid || pb->vm_spawner)
		return "policy_fn: argv could change after the check (another process shares the "
		       "caller's memory, and not as a vfork parent held until the exec)";
	if (pidinfo_read(procs_dir((struct sl_pent *)p), "status", buf, sizeof(buf)) != 0 ||
	    pidinfo_parse_status(buf, "Threads:", &threads) != 0 || threads != 1)
		return "policy_fn: argv could change after the check (the vfork parent has other "
		       "threads)";
	return NULL;
}

/* Whether the notifier's memory stays as read until the kernel reads it
 * (see the file's comment): NULL, or why it may not. */
static const char *mm_unstable(const struct pfn_state *st, struct sl_ctx *c)
{
	char buf[4096];
	long threads = 0;
	if (!st->mm_checkable)
		return "policy_fn: the policy allows ptrace or process_vm_writev, so another "
		       "process "
		       "could rewrite argv after the check";
	if (pidinfo_read(procs_dir(c->proc), "status", buf, sizeof(buf)) != 0 ||
	    pidinfo_parse_status(buf, "Threads:", &threads) != 0)
		return "policy_fn: the caller's thread count could not be read";
	if (threads != 1)
		return "policy_fn: argv could change after the check (the caller has other "
		       "threads)";
	struct sl_procs *ps = &c->sup->procs;
	procs_settle(ps);
	const struct sl_pent *sharer = NULL;
	for (size_t i = 0; i < ps->n; i++) {
		const struct sl_pent *e = ps->v[i];
		if (e == c->proc || e->exited || e->pidfd < 0 || e->pid <= 0)
			continue;
		long k = syscall(SYS_kcmp, c->proc->pid, e->pid, KCMP_VM, 0, 0);
		if (k < 0 && errno != ESRCH)
			return "policy_fn: kcmp is refused here, so no exec can be shown to keep "
			       "its "
			       "argv (Docker's default seccomp profile allows it only with "
			       "CAP_SYS_PTRACE)";
		if (k == 0 && sharer)
			return "policy_fn: argv could change after the check (other processes "
			       "share "
			       "the caller's memory)";
		if (k == 0)
			sharer = e;
	}
	return sharer ? vfork_parent_held(st, c, sharer) : NULL;
}

/* clone (every form: max_processes notifies them all anyway): a
 * process made with CLONE_VM that does not hold its maker marks it. */
static void on_clone(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const struct pfn_state *st = arg;
	uint64_t f = c->req->data.args[0];
	if ((f & CLONE_VM) && !(f & (CLONE_VFORK | CLONE_THREAD)))
		((struct pfn_proc *)feature_proc(c->proc, st->proc_off))->vm_spawner = true;
	*a = sl_act_continue();
}

/* ---- exec ----------------------------------------------------------------------------- */

/* argv at addr, read once: its strings in *out (count in *n).  0, -EFAULT
 * (the kernel's answer), or -E2BIG (more than the kernel would take). */
static int read_argv(struct sl_ctx *c, uint64_t addr, char ***out, uint32_t *n)
{
	*out = NULL;
	*n = 0;
	char **v = NULL, *buf = NULL;
	uint32_t cnt = 0;
	size_t bytes = 0;
	int r = 0;
	if (!addr)
		return 0; /* Linux takes a NULL argv as an empty one */
	if (!(buf = malloc(ARG_STRLEN)))
		return -ENOMEM;
	for (;;) {
		uint64_t p = 0;
		size_t len = 0;
		if (mem_read(&c->mem, addr + (uint64_t)cnt * sizeof(p), &p, sizeof(p)) < 0) {
			r = -EFAULT;
			break;
		}
		if (!p)
			break;
		if (cnt == ARGV_MAX) {
			r = -E2BIG;
			break;
		}
		int m = mem_read_cstr(&c->mem, p, buf, ARG_STRLEN, &len);
		if (m < 0) {
			r = m == -ENAMETOOLONG ? -E2BIG : -EFAULT;
			break;
		}
		bytes += len + 1;
		char **nv = bytes <= ARGV_BYTES ? realloc(v, (cnt + 2) * sizeof(*nv)) : NULL;
		char *s = nv ? strdup(buf) : NULL;
		if (nv)
			v = nv;
		if (!s) {
			r = bytes > ARGV_BYTES ? -E2BIG : -ENOMEM;
			break;
		}
		v[cnt++] = s;
		v[cnt] = NULL;
	}
	free(buf);
	if (r < 0) {
		argv_free(v, cnt);
		return r;
	}
	*out = v;
	*n = cnt;
	return 0;
}

/* Hold: execve, execveat.  Denied when argv could change under the
 * verdict (see the file's comment); else the verdict. */
static void on_exec(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct pfn_state *st = arg;
	bool at = c->req->data.nr == __NR_execveat;
	uint64_t argv_addr = c->req->data.args[at ? 2 : 1];
	bool trusted = supervisor_unstarted_root(c->sup) == c->proc->pid;
	const char *why = trusted ? NULL : mm_unstable(st, c);
	if (why) {
		supervisor_denied(c, EPERM, at ? "execveat" : "execve", why);
		*a = sl_act_errno(EPERM);
		return;
	}
	char **argv;
	uint32_t argc;
	int r = read_argv(c, argv_addr, &argv, &argc);
	if (r < 0) {
		*a = sl_act_errno(r == -ENOMEM ? EPERM : -r);
		return;
	}
	char target[160];
	snprintf(target, sizeof(target), "%s %s", at ? "execveat" : "execve",
		 argc ? argv[0] : "(no argv)");
	sandlock_event_t ev = base_event(c, at ? "execveat" : "execve", CAT_PROCESS);
	int err = decide(st, c, &ev, NULL, argv, argc, target);
	*a = err ? sl_act_errno(err) : sl_act_continue();
}

/* ---- opens and bind --------------------------------------------------------------------- */

static const char *open_name(int nr)
{
#ifdef __NR_open
	if (nr == __NR_open)
		return "open";
	if (nr == __NR_creat)
		return "creat";
#endif
	(void)nr;
	return "openat";
}

/* Hold: the opens.  The event names the syscall only. */
static void on_open(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct pfn_state *st = arg;
	const char *name = open_name(c->req->data.nr);
	sandlock_event_t ev = base_event(c, name, CAT_FILE);
	int err = decide(st, c, &ev, NULL, NULL, 0, name);
	*a = err ? sl_act_errno(err) : sl_act_continue();
}

/* An address's text and port for an event; false when it is no IP one. */
static bool host_of(const void *sa, size_t len, char host[NETADDR_STRLEN], uint16_t *port)
{
	struct sl_net_addr a;
	if (!sa || netaddr_from_sockaddr(sa, len, &a, port) < 0)
		return false;
	netaddr_format(&a, host);
	return true;
}

/* Hold: bind.  The address is shown only when it cannot change before
 * the kernel reads it again (the call is continued). */
static void on_bind(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct pfn_state *st = arg;
	struct sockaddr_storage ss;
	size_t len = (size_t)(uint32_t)c->req->data.args[2];
	char host[NETADDR_STRLEN], target[NETADDR_STRLEN + 16] = "bind";
	uint16_t port = 0;
	bool shown = len <= sizeof(ss) && !mm_unstable(st, c) &&
		     mem_read(&c->mem, c->req->data.args[1], &ss, len) == 0 &&
		     host_of(&ss, len, host, &port);
	sandlock_event_t ev = base_event(c, "bind", CAT_NETWORK);
	if (shown) {
		ev.port = port;
		snprintf(target, sizeof(target), "bind %s:%u", host, port);
	}
	int err = decide(st, c, &ev, shown ? host : NULL, NULL, 0, target);
	*a = err ? sl_act_errno(err) : sl_act_continue();
}

/* ---- connect and sends (asked by unixsock.c) ------------------------------------------- */

static const char *net_name(int nr)
{
	switch (nr) {
	case __NR_connect:
		return "connect";
	case __NR_sendto:
		return "sendto";
	case __NR_sendmsg:
		return "sendmsg";
	case __NR_sendmmsg:
		return "sendmmsg";
	}
	return "connect";
}

long policyfn_net(struct sl_ctx *c, const void *sa, size_t len, bool denied)
{
	struct pfn_state *st = supervisor_feature_state(c->sup, &feature_policyfn);
	struct sandlock_ctx *x = policyctx_of(c->sup);
	if (!st || !x)
		return 0;
	/* decided as the call will be made: 0.0.0.0 and :: as the loopback */
	struct sockaddr_storage ss = {0};
	if (sa && len) {
		len = len < sizeof(ss) ? len : sizeof(ss);
		memcpy(&ss, sa, len);
		netmatch_sockaddr_pin_unspecified(&ss, (socklen_t)len);
	}
	char host[NETADDR_STRLEN], target[NETADDR_STRLEN + 24];
	uint16_t port = 0;
	bool ip = sa && len && host_of(&ss, len, host, &port);
	const char *name = net_name(c->req->data.nr);
	snprintf(target, sizeof(target), "%s %s%s%s:%u", name, ip && strchr(host, ':') ? "[" : "",
		 ip ? host : "(no IP address)", ip && strchr(host, ':') ? "]" : "", port);
	bool live = !ip || pctx_net_allows(x, c->proc->pid, &ss, len);
	if (!live && !denied)
		supervisor_denied(c, ECONNREFUSED, target,
				  "policy_fn: the live network policy (restrict_network)");
	if (!(st->events & SANDLOCK_POLICY_EVENT_NETWORK))
		return live || denied ? 0 : -ECONNREFUSED;
	sandlock_event_t ev = base_event(c, name, CAT_NETWORK);
	ev.port = port;
	ev.denied = denied || !live;
	int err = decide(st, c, &ev, ip ? host : NULL, NULL, 0, target);
	if (denied)
		return 0; /* the caller's refusal stands */
	if (!live)
		return -ECONNREFUSED;
	return err ? -err : 0;
}

/* ---- the feature ------------------------------------------------------------------------ */

static size_t rules(const struct sl_feature_env *env, struct sl_frule *out, size_t max)
{
	const struct sandlock_sandbox *p = env->policy;
	uint32_t ev =
	    p->policy_fn_events.set ? (uint32_t)p->policy_fn_events.v : SANDLOCK_POLICY_EVENT_ALL;
	struct sl_frule all[] = {
	    {{__NR_execve, 0, {{0}}}, on_exec}, {{__NR_execveat, 0, {{0}}}, on_exec},
	    {{__NR_clone, 0, {{0}}}, on_clone}, {{__NR_bind, 0, {{0}}}, on_bind},
	    {{__NR_openat, 0, {{0}}}, on_open},
#ifdef __NR_open
	    {{__NR_open, 0, {{0}}}, on_open},	{{__NR_creat, 0, {{0}}}, on_open},
#endif
	};
	size_t n = 0;
	for (size_t i = 0; i < SL_ARRAY_SIZE(all); i++) {
		int nr = all[i].when.nr;
		uint32_t need = nr == __NR_execve || nr == __NR_execveat || nr == __NR_clone
				    ? SANDLOCK_POLICY_EVENT_EXEC
				: nr == __NR_bind ? SANDLOCK_POLICY_EVENT_NETWORK
						  : SANDLOCK_POLICY_EVENT_OPEN;
		/* the clone marks serve exec's argv and bind's address */
		if (nr == __NR_clone)
			need |= SANDLOCK_POLICY_EVENT_NETWORK;
		if (!(ev & need))
			continue;
		if (n < max)
			out[n] = all[i];
		n++;
	}
	return n;
}

static bool active(const struct sl_feature_env *env)
{
	return env->policy->policy_fn != NULL;
}

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	struct pfn_state *st = state;
	st->proc_off = proc_off;
	const struct sandlock_sandbox *p = env->policy;
	st->timeout_ms =
	    p->policy_fn_timeout_ms.set ? (uint32_t)p->policy_fn_timeout_ms.v : POLICYFN_TIMEOUT_MS;
	st->events =
	    p->policy_fn_events.set ? (uint32_t)p->policy_fn_events.v : SANDLOCK_POLICY_EVENT_ALL;
	st->mm_checkable =
	    filter_denies(p, __NR_ptrace) && filter_denies(p, __NR_process_vm_writev);
	st->fn = p->policy_fn;
	st->sup = s;
	return 0;
}

/* The callback's thread, started once every feature is set up (the live
 * policy is the paths feature's, which is set up after this one). */
static void start(struct pfn_state *st)
{
	struct sandlock_ctx *x = policyctx_of(st->sup);
	if (!st->ch && !st->start_failed && (!x || chan_start(&st->ch, st->fn, x) < 0))
		st->start_failed = true;
}

static void attached(struct sl_sup *s, void *state)
{
	(void)s;
	start(state);
}

static void release(void *state)
{
	struct pfn_state *st = state;
	chan_stop(st->ch);
}

static void describe(void *state, struct jsonw *w)
{
	const struct pfn_state *st = state;
	char buf[128];
	snprintf(buf, sizeof(buf),
		 ",\"policy_fn\":{\"events\":%llu,\"denied\":%llu,\"audited\":%llu}",
		 (unsigned long long)st->asked, (unsigned long long)st->denied,
		 (unsigned long long)st->audited);
	jsonw_raw(w, buf);
}

/* With a policy callback. */
const struct sl_feature feature_policyfn = {
    .name = "policy_fn",
    .active = active,
    .rules = rules,
    .state_size = sizeof(struct pfn_state),
    .proc_size = sizeof(struct pfn_proc),
    .init = init,
    .release = release,
    .attached = attached,
    .describe = describe,
};
