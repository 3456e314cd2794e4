/* SPDX-License-Identifier: Apache-2.0 */
/* plan.c - prepare the child's work in the parent (see plan.h). */
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "cow.h"
#include "cowrules.h"
#include "credential.h"
#include "error.h"
#include "filter.h"
#include "execsize.h"
#include "landlock.h"
#include "netproto.h"
#include "privdrop.h"
#include "rlimits.h"
#include "syscalls.h"

/* glibc's execvp default when PATH is unset */
#define SL_DEFAULT_PATH "/bin:/usr/bin"

extern char **environ;

static const char *const step_names[SL_STEP__COUNT] = {
    [SL_STEP_READY] = "ready",
    [SL_STEP_STDIO] = "redirect stdio",
    [SL_STEP_SETPGID] = "setpgid",
    [SL_STEP_PDEATHSIG] = "parent-death signal",
    [SL_STEP_PARENT_GONE] = "parent died before confinement",
    [SL_STEP_PERSONALITY] = "personality (no_randomize_memory)",
    [SL_STEP_AFFINITY] = "sched_setaffinity (cpu_cores, num_cpus)",
    [SL_STEP_THP] = "disable transparent huge pages",
    [SL_STEP_RLIMIT_CORE] = "RLIMIT_CORE (no_coredump)",
    [SL_STEP_RLIMIT_DATA] = "RLIMIT_DATA (max_memory)",
    [SL_STEP_CHDIR] = "chdir (cwd)",
    [SL_STEP_NO_NEW_PRIVS] = "no_new_privs",
    [SL_STEP_LANDLOCK] = "landlock restrict_self",
    [SL_STEP_SECCOMP] = "seccomp filter",
    [SL_STEP_RLIMIT_NOFILE] = "RLIMIT_NOFILE (max_open_files)",
    [SL_STEP_SUBREAPER] = "keeper: child subreaper",
    [SL_STEP_CLONE] = "keeper: clone",
    [SL_STEP_PIDFD] = "pidfd_open",
    [SL_STEP_RLIMIT_STACK] = "RLIMIT_STACK (max_memory)",
    [SL_STEP_SECUREBITS] = "lock securebits (drop privileges)",
    [SL_STEP_CAPBSET] = "drop the capability bounding set",
    [SL_STEP_CAP_AMBIENT] = "clear the ambient capabilities",
    [SL_STEP_CAPSET] = "drop capabilities (capset)",
    [SL_STEP_RLIMIT_RTPRIO] = "RLIMIT_RTPRIO (no real-time priority)",
    [SL_STEP_RLIMIT_NICE] = "RLIMIT_NICE (no raised priority)",
    [SL_STEP_CHILDREN_LIST] = "keeper: open its children list (/proc/thread-self/children)",
    [SL_STEP_EXEC] = "exec",
    [SL_STEP_COURIER] = "start-up thread (clone)",
    [SL_STEP_USERNS] = "user and mount namespaces (fs_isolation overlayfs)",
    [SL_STEP_OVERLAY] = "overlay mount on the workdir (fs_isolation overlayfs)",
    [SL_STEP_OVERLAY_RULE] = "landlock rule on the overlay (fs_isolation overlayfs)",
};

const char *plan_exec_reason(int err)
{
	switch (err) {
	case ENOENT:
		return "command not found";
	case EACCES:
		return "Permission denied";
	case ENOEXEC:
		return "Exec format error";
	case ENOTDIR:
		return "Not a directory";
	case ELOOP:
		return "Too many levels of symbolic links";
	case ENAMETOOLONG:
		return "File name too long";
	case E2BIG:
		return "Argument list too long";
	case ENOMEM:
		return "Cannot allocate memory";
	case ETXTBSY:
		return "Text file busy";
	case EMFILE:
		return "Too many open files";
	default:
		return "cannot execute";
	}
}

const char *plan_step_name(int step)
{
	if (step < 0 || step >= SL_STEP__COUNT)
		return "unknown step";
	return step_names[step];
}

static int copy_argv(struct sl_plan *p, const char *const *argv, unsigned int argc)
{
	if (!argv)
		return sl_errorf(EINVAL, "argv is NULL");
	if (argc == 0)
		return sl_errorf(EINVAL, "empty command");
	for (unsigned int i = 0; i < argc; i++) {
		if (!argv[i])
			return sl_errorf(EINVAL, "argv[%u] is NULL", i);
		if (sl_strv_push(&p->argv, argv[i]) < 0)
			return sl_errorf(ENOMEM, "out of memory");
	}
	if (!argv[0][0])
		return sl_errorf(EINVAL, "empty command");
	return 0;
}

/* Length of the name part of "NAME=value". */
static size_t env_name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');
	return eq ? (size_t)(eq - entry) : strlen(entry);
}

static bool env_overridden(const struct sandlock_sandbox *cfg, const char *entry)
{
	size_t n = env_name_len(entry);
	for (size_t i = 0; i < cfg->env_keys.n; i++)
		if (strlen(cfg->env_keys.v[i]) == n && strncmp(cfg->env_keys.v[i], entry, n) == 0)
			return true;
	return false;
}

static bool key_set_later(const struct sandlock_sandbox *cfg, size_t i)
{
	for (size_t j = i + 1; j < cfg->env_keys.n; j++)
		if (strcmp(cfg->env_keys.v[i], cfg->env_keys.v[j]) == 0)
			return true;
	return false;
}

/* The credential whose secret the variable named by the n bytes at name
 * holds (an env: source), or NULL. */
static const struct sl_credential *env_credential(const struct sandlock_sandbox *cfg,
						  const char *name, size_t n)
{
	for (size_t i = 0; i < cfg->n_credentials && i < cfg->credential_specs.n; i++) {
		const char *var = credential_env_var(cfg->credential_specs.v[i]);
		if (var && strlen(var) == n && strncmp(var, name, n) == 0)
			return &cfg->credentials[i];
	}
	return NULL;
}

/* NAME=value, where the value of a credential's variable is replaced by a
 * placeholder: the sandbox never sees a secret (the proxy adds it to the
 * requests that may carry it).  The variable stays, so a program that
 * checks it is set still runs. */
static int push_env(struct sl_plan *p, const struct sandlock_sandbox *cfg, const char *name,
		    size_t n, const char *value)
{
	const struct sl_credential *c = env_credential(cfg, name, n);
	char *kv;
	if (asprintf(&kv, "%.*s=%s%s", (int)n, name, c ? "sandlock-credential:" : "",
		     c ? c->name : value) < 0 ||
	    sl_strv_push_owned(&p->envp, kv) < 0)
		return sl_errorf(ENOMEM, "out of memory");
	return 0;
}

/* The inherited environment (unless clean_env), minus the overridden
 * names, then the env entries (the last one of a name wins); a
 * credential's variable holds a placeholder. */
static int build_env(struct sl_plan *p, const struct sandlock_sandbox *cfg)
{
	for (char **e = cfg->clean_env ? NULL : environ; e && *e; e++) {
		if (env_overridden(cfg, *e))
			continue;
		size_t n = env_name_len(*e);
		if (!(*e)[n] || !env_credential(cfg, *e, n)) {
			if (sl_strv_push(&p->envp, *e) < 0)
				return sl_errorf(ENOMEM, "out of memory");
		} else {
			int r = push_env(p, cfg, *e, n, NULL);
			if (r < 0)
				return r;
		}
	}
	for (size_t i = 0; i < cfg->env_keys.n; i++) {
		if (key_set_later(cfg, i))
			continue;
		const char *key = cfg->env_keys.v[i];
		int r = push_env(p, cfg, key, strlen(key), cfg->env_vals.v[i]);
		if (r < 0)
			return r;
	}
	if (!p->envp.v) {
		/* an empty environment still needs its NULL terminator */
		p->envp.v = calloc(1, sizeof(char *));
		if (!p->envp.v)
			return sl_errorf(ENOMEM, "out of memory");
		p->envp.cap = 1;
	}
	return 0;
}

static const char *env_path(const struct sl_plan *p)
{
	for (size_t i = 0; i < p->envp.n; i++)
		if (strncmp(p->envp.v[i], "PATH=", 5) == 0)
			return p->envp.v[i] + 5;
	return SL_DEFAULT_PATH;
}

/* A PATH candidate is dropped only when an absolute directory certainly
 * lacks the file; the child's execve decides everything else (Landlock,
 * permissions, relative directories resolved in the child's cwd). */
static bool candidate_missing(const char *path)
{
	struct stat st;
	return path[0] == '/' && stat(path, &st) < 0 && (errno == ENOENT || errno == ENOTDIR);
}

static int build_exec_paths(struct sl_plan *p)
{
	const char *cmd = p->argv.v[0];
	if (strchr(cmd, '/'))
		return sl_strv_push(&p->exec_paths, cmd) < 0 ? sl_errorf(ENOMEM, "out of memory")
							     : 0;
	const char *path = env_path(p);
	for (const char *s = path;; s++) {
		const char *end = strchrnul(s, ':');
		char *cand;
		int dlen = (int)(end - s);
		if (asprintf(&cand, "%.*s/%s", dlen, dlen ? s : ".", cmd) < 0)
			return sl_errorf(ENOMEM, "out of memory");
		if (candidate_missing(cand))
			free(cand);
		else if (sl_strv_push_owned(&p->exec_paths, cand) < 0)
			return sl_errorf(ENOMEM, "out of memory");
		if (!*end)
			break;
		s = end;
	}
	return 0;
}

/* Under the seccomp layer the command starts in the upper's copy of its
 * directory (cowrules.h): its relative exec candidates ("./t.sh", a "."
 * entry of PATH) are named from the directory it asked for instead, dir
 * (absolute), where the kernel finds the workdir's file by name (a short
 * relative name of a file only the workdir holds could not be steered
 * from the upper). */
static int exec_paths_from(struct sl_plan *p, const char *dir)
{
	for (size_t i = 0; dir && i < p->exec_paths.n; i++) {
		char *v = p->exec_paths.v[i], *a;
		if (v[0] == '/')
			continue;
		if (asprintf(&a, "%s/%s", dir, v) < 0)
			return sl_errorf(ENOMEM, "out of memory");
		free(v);
		p->exec_paths.v[i] = a;
	}
	return 0;
}

/* Moves fd above the stdio range (a host that closed 0-2 would otherwise
 * see our pipes land there and be clobbered by the child's dup2). */
static int above_stdio(int fd)
{
	if (fd < 0 || fd > 2)
		return fd;
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return nfd;
}

static int make_pipe(int *rd, int *wr)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return sl_errorf(errno, "pipe: %s", strerror(errno));
	*rd = above_stdio(fds[0]);
	*wr = above_stdio(fds[1]);
	if (*rd < 0 || *wr < 0)
		return sl_errorf(EMFILE, "pipe: %s", strerror(EMFILE));
	return 0;
}

/* A SEQPACKET socket pair.  The status channel is one so the child can
 * pass the listener fd with SCM_RIGHTS: no ptrace permission needed
 * (pidfd_getfd is blocked by Yama ptrace_scope >= 2 and by Docker's default
 * profile), and the child need not wait for the parent to take it.  The
 * release gate is one so releasing a child that died parked is EPIPE for
 * send(MSG_NOSIGNAL), not a SIGPIPE in the host. */
static int make_socket_pair(int *rd, int *wr)
{
	int fds[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return sl_errorf(errno, "socketpair: %s", strerror(errno));
	*rd = above_stdio(fds[0]);
	*wr = above_stdio(fds[1]);
	if (*rd < 0 || *wr < 0)
		return sl_errorf(EMFILE, "socketpair: %s", strerror(EMFILE));
	return 0;
}

static int open_null(int flags, int *fd)
{
	int f = open("/dev/null", flags | O_CLOEXEC);
	if (f < 0)
		return sl_errorf(errno, "/dev/null: %s", strerror(errno));
	*fd = above_stdio(f);
	return *fd < 0 ? sl_errorf(EMFILE, "/dev/null: %s", strerror(EMFILE)) : 0;
}

/* popen's streams: a pipe with the caller at the other end, /dev/null, or
 * (inherit) nothing to do. */
static int build_popen_stdio(struct sl_plan *p, const uint32_t *io)
{
	int r = 0;
	if (io[0] == SANDLOCK_STDIO_PIPED)
		r = make_pipe(&p->stdin_r, &p->caller_fd[0]);
	else if (io[0] == SANDLOCK_STDIO_NULL)
		r = open_null(O_RDONLY, &p->stdin_r);
	int *child[] = {&p->stdout_w, &p->stderr_w};
	for (int i = 1; r == 0 && i < 3; i++) {
		if (io[i] == SANDLOCK_STDIO_PIPED)
			r = make_pipe(&p->caller_fd[i], child[i - 1]);
		else if (io[i] == SANDLOCK_STDIO_NULL)
			r = open_null(O_WRONLY, child[i - 1]);
	}
	return r;
}

static int build_pipes(struct sl_plan *p, const struct plan_mode *mode)
{
	int r = make_socket_pair(&p->status_r, &p->status_w);
	if (r == 0 && mode->gated)
		r = make_socket_pair(&p->gate_r, &p->gate_w);
	if (r == 0 && mode->io)
		r = build_popen_stdio(p, mode->io);
	if (r == 0 && mode->capture)
		r = make_pipe(&p->stdout_r, &p->stdout_w);
	if (r == 0 && mode->capture)
		r = make_pipe(&p->stderr_r, &p->stderr_w);
	return r;
}

/* num_cpus: the first n of the cores, or of this thread's CPUs (which the
 * command would inherit).  Pinned, the command's sched_getaffinity (nproc,
 * Python's os.sched_getaffinity) says n by itself; the views of
 * /proc/cpuinfo and /sys/devices/system/cpu (cpus.c) say the same. */
static int pick_cpus(struct sl_plan *p, uint64_t n)
{
	cpu_set_t from;
	if (p->set_cpus)
		from = p->cpus;
	else if (sched_getaffinity(0, sizeof(from), &from) < 0)
		return sl_errorf(errno, "num_cpus: sched_getaffinity");
	CPU_ZERO(&p->cpus);
	uint64_t got = 0;
	for (int c = 0; c < CPU_SETSIZE && got < n; c++)
		if (CPU_ISSET(c, &from)) {
			CPU_SET(c, &p->cpus);
			got++;
		}
	/* checked at build; this thread's set may have shrunk since */
	if (got < n)
		return sl_errorf(EINVAL, "num_cpus: %llu is more than the %llu CPUs left to run on",
				 (unsigned long long)n, (unsigned long long)got);
	p->set_cpus = true;
	return 0;
}

static int build_limits(struct sl_plan *p, const struct sandlock_sandbox *cfg)
{
	p->no_aslr = cfg->no_randomize_memory;
	p->no_thp = cfg->no_huge_pages;
	p->no_core = cfg->no_coredump;
	if (cfg->cpu_cores.n) {
		CPU_ZERO(&p->cpus);
		for (size_t i = 0; i < cfg->cpu_cores.n; i++)
			CPU_SET(cfg->cpu_cores.v[i], &p->cpus);
		p->set_cpus = true;
	}
	if (cfg->num_cpus.set) {
		int r = pick_cpus(p, cfg->num_cpus.v);
		if (r < 0)
			return r;
	}
	if (cfg->max_open_files.set) {
		/* checked at build too: this process may have changed since */
		int r = rlimits_check_nofile(cfg->max_open_files.v, &p->raise_nofile);
		if (r < 0)
			return r;
		p->set_nofile = true;
		p->nofile = cfg->max_open_files.v;
		/* raising the hard limit needs CAP_SYS_RESOURCE, which the
		 * child drops: it raises it first, the soft one after */
		struct rlimit rl;
		if (p->raise_nofile && getrlimit(RLIMIT_NOFILE, &rl) < 0)
			return sl_errorf(errno, "getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
		if (p->raise_nofile)
			p->nofile_cur = rl.rlim_cur;
	}
	/* max_memory caps each process's data (RLIMIT_DATA) and its stack
	 * too: it grows without a syscall the supervisor could see */
	p->set_mem = cfg->max_memory.set;
	p->mem_limit = cfg->max_memory.v;
	return 0;
}

/* The child makes a few syscalls after installing its filter and before
 * it has handed over the listener: nobody could answer a notification for
 * one of them (a user handler on it). */
static int check_pre_ready(const struct sl_plan *p, const struct filter_req *req)
{
	size_t nc;
	const int *used = child_pre_ready_syscalls(&nc);
	for (size_t j = 0; j < nc; j++)
		if (filter_notifies_all(req, used[j]) &&
		    (used[j] != __NR_prlimit64 || p->set_nofile))
			return sl_errorf(EINVAL,
					 "%s cannot be supervised: the sandbox's child makes "
					 "it before the supervisor can answer",
					 syscalls_name(used[j]));
	return 0;
}

/* Whether every call of a syscall the child makes after its filter only
 * in the overlap is notified or denied: then no overlap (the ruleset
 * comes first, before the filter). */
static bool overlap_watched(const struct sandlock_sandbox *cfg, const struct plan_mode *mode)
{
	size_t nc;
	const int *used = child_overlap_syscalls(&nc);
	struct filter_req req = {.rules = mode->rules, .n_rules = mode->n_rules};
	for (size_t j = 0; j < nc; j++)
		if (filter_notifies_all(&req, used[j]) || filter_denies(cfg, used[j]))
			return true;
	return false;
}

/* The policy may deny a syscall the child makes after its filter
 * (extra_deny_syscalls; policy.c refuses the denials no second way
 * survives): the child takes the second way.  exec: execveat.  The gate
 * (a socket): recvfrom.  The signal mask, restored to the host's just
 * before exec: before the filter instead, a pending signal then taking
 * its default action a few steps earlier (the handlers are the default
 * ones already, keeper.c). */
static int plan_denied_steps(struct sl_plan *p, const struct sandlock_sandbox *cfg,
			     const struct plan_mode *mode)
{
	p->exec_at = filter_denies(cfg, __NR_execve);
	p->early_mask = filter_denies(cfg, __NR_rt_sigprocmask);
	p->gate_recvfrom = mode->gated && filter_denies(cfg, __NR_read);
	if (p->gate_recvfrom && filter_denies(cfg, __NR_recvfrom))
		return sl_errorf(
		    EINVAL, "extra_deny_syscalls: read and recvfrom cannot both be denied to a "
			    "sandbox started later: after installing its seccomp filter, it "
			    "waits for its start with one of them");
	return 0;
}

static int build_filter(struct sl_plan *p, const struct sandlock_sandbox *cfg,
			const struct plan_mode *mode)
{
	p->landlock_abi =
	    landlock_require(cfg->prot_degradable, cfg->prot_disabled, &p->landlock_skip);
	if (p->landlock_abi < 0)
		return p->landlock_abi;
	const struct netmatch_lists nl = netmatch_lists_of(cfg);
	struct filter_req freq = {.cfg = cfg,
				  .rules = mode->rules,
				  .n_rules = mode->n_rules,
				  .allow_udp = netproto_used(&nl, SL_PROTO_UDP),
				  .allow_icmp = netproto_used(&nl, SL_PROTO_ICMP),
				  .tty_jobs = mode->tty_jobs};
	int r = check_pre_ready(p, &freq);
	if (r < 0)
		return r;
	return filter_compile(&freq, &p->prog);
}

/* The TCP port rules are the network plan's: where a set is too large
 * to list, Landlock leaves that access alone and the supervisor decides
 * (netplan.h). */
static struct landlock_req ruleset_req(const struct sl_plan *p, const struct sandlock_sandbox *cfg)
{
	return (struct landlock_req){
	    /* a seccomp copy-on-write workdir: with the workdir and its
	     * upper (cowrules.h) */
	    .read = p->cow_read.n ? &p->cow_read : &cfg->fs_read,
	    .write = &cfg->fs_write,
	    .deny = &cfg->fs_deny,
	    .handle_bind = p->net->bind_ruled,
	    .handle_connect = p->net->connect_ruled,
	    .bind_ports = &p->net->bind_ports,
	    .connect_ports = &p->net->connect_ports,
	    .start_dir = cfg->cwd,
	    .skip = 0,	       /* set by plan_ruleset */
	    .proc_view = true, /* the supervisor serves /proc (procview.c) */
	    .cow_hidden = p->cow_read.n ? p->cow_hidden : NULL,
	};
}

int plan_ruleset(const struct sl_plan *p, const struct sandlock_sandbox *cfg)
{
	struct landlock_req req = ruleset_req(p, cfg);
	req.skip = p->landlock_skip;
	int fd = landlock_build(&req, p->landlock_abi);
	if (fd < 0)
		return fd;
	fd = above_stdio(fd);
	return fd >= 0 ? fd : sl_errorf(errno, "landlock ruleset: %s", strerror(errno));
}

#define SL_CHILD_STACK	 (64 * 1024)
#define SL_KEEPER_STACK	 (32 * 1024)
#define SL_COURIER_STACK (16 * 1024)
#define SL_GUARD	 (4096)
#define SL_STACKS_LEN	 (3 * SL_GUARD + SL_KEEPER_STACK + SL_CHILD_STACK + SL_COURIER_STACK)

/* One mapping of stacks kept from the last sandbox that ended: mapping
 * and unmapping them cost a few syscalls at every start and, once the
 * keeper ran on another CPU, a TLB shootdown there.  Taken and given back
 * atomically (sandboxes start from several threads). */
static void *spare_stacks;

/* A fresh mapping, [guard][keeper stack][guard][child stack][guard]
 * [courier stack], in *out.
 * 0 or -errno with a message. */
static int map_stacks(char **out)
{
	char *m = mmap(NULL, SL_STACKS_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (m == MAP_FAILED)
		return sl_errorf(errno, "sandbox stacks: %s", strerror(errno));
	char *second = m + SL_GUARD + SL_KEEPER_STACK;
	char *third = second + SL_GUARD + SL_CHILD_STACK;
	if (mprotect(m, SL_GUARD, PROT_NONE) < 0 || mprotect(second, SL_GUARD, PROT_NONE) < 0 ||
	    mprotect(third, SL_GUARD, PROT_NONE) < 0) {
		int e = errno;
		munmap(m, SL_STACKS_LEN);
		return sl_errorf(e, "sandbox stack guards: %s", strerror(e));
	}
	*out = m;
	return 0;
}

/* Keeps m as the spare, or unmaps it when there is one.  Only once the
 * keeper is reaped and the child has exec'd or died: nothing runs on it. */
static void release_stacks(void *m)
{
	void *none = NULL;
	if (!__atomic_compare_exchange_n(&spare_stacks, &none, m, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		munmap(m, SL_STACKS_LEN);
}

/* The stacks for code that runs in our address space, the keeper's, the
 * child's and its courier's (until exec), with a guard page below each:
 * an overflow faults instead of writing over the host's memory. */
static int build_stacks(struct sl_plan *p)
{
	char *m = __atomic_exchange_n(&spare_stacks, NULL, __ATOMIC_ACQ_REL);
	int r = m ? 0 : map_stacks(&m);
	if (r < 0)
		return r;
	p->stacks = m;
	p->stacks_len = SL_STACKS_LEN;
	p->kstack = m + SL_GUARD;
	p->kstack_size = SL_KEEPER_STACK;
	p->stack = m + 2 * SL_GUARD + SL_KEEPER_STACK;
	p->stack_size = SL_CHILD_STACK;
	p->cstack = (char *)p->stack + SL_CHILD_STACK + SL_GUARD;
	p->cstack_size = SL_COURIER_STACK;
	return 0;
}

void plan_init(struct sl_plan *p)
{
	*p = (struct sl_plan){0};
	p->stdout_w = p->stderr_w = p->status_w = p->gate_r = p->stdin_r = -1;
	p->stdout_r = p->stderr_r = p->status_r = p->gate_w = -1;
	p->caller_fd[0] = p->caller_fd[1] = p->caller_fd[2] = -1;
}

int plan_build(struct sl_plan *p, const struct sandlock_sandbox *cfg, const char *const *argv,
	       unsigned int argc, const struct plan_mode *mode)
{
	plan_init(p);
	if (!mode->net) /* an empty plan would hand Landlock no TCP rules */
		return sl_errorf(EINVAL, "plan: no network plan");
	p->net = mode->net;
	int r = copy_argv(p, argv, argc);
	if (r == 0)
		r = build_env(p, cfg);
	if (r == 0)
		r = build_exec_paths(p);
	bool ovl = mode->cow && cfg->fs_isolation == SL_ISO_OVERLAYFS;
	if (r == 0 && cfg->cwd && !(mode->cow && !ovl) && !(p->cwd = sl_strdup(cfg->cwd)))
		r = sl_errorf(ENOMEM, "out of memory");
	/* the command starts in the workdir unless told otherwise; under the
	 * seccomp layer, in the layer's own directory of it (cowrules.h) */
	if (r == 0 && !cfg->cwd && ovl && !(p->cwd = sl_strdup(mode->cow->workdir)))
		r = sl_errorf(ENOMEM, "out of memory");
	if (r == 0 && mode->cow && !ovl) {
		char *dir = NULL;
		r = cowrules_start(&p->cwd, &dir, cfg->cwd, mode->cow);
		if (r == 0)
			r = exec_paths_from(p, dir);
		free(dir);
	}
	if (r == 0)
		r = build_limits(p, cfg);
	if (r == 0)
		r = execsize_check(p);
	if (r == 0)
		r = build_filter(p, cfg, mode);
	if (r == 0 && mode->cow && !ovl)
		r = cowrules_plan(&p->cow_read, cfg, mode->cow);
	if (r == 0 && mode->cow && !ovl)
		p->cow_hidden = mode->cow->workdir;
	if (r == 0 && ovl)
		r = overlay_check_denied(&cfg->fs_deny, mode->cow->workdir);
	if (r == 0 && ovl)
		r = overlay_plan(&p->ovl, mode->cow,
				 landlock_fs_rights(p->landlock_abi, p->landlock_skip),
				 cfg->max_disk.set ? cfg->max_disk.v : 0,
				 cfg->on_exit == SL_BRANCH_KEEP || cfg->on_error == SL_BRANCH_KEEP);
	if (r == 0)
		r = plan_denied_steps(p, cfg, mode);
	if (r == 0)
		r = build_stacks(p);
	if (r == 0)
		r = build_pipes(p, mode);
	if (r < 0) {
		plan_release(p);
		return r;
	}
	p->take_tty = mode->tty_jobs;
	p->landlock_flags = mode->landlock_log ? LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON |
						     LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF
					       : 0;
	p->gated = mode->gated;
	/* The keeper clones the child sharing the address space until exec
	 * (no page tables copied: a fork of a 2 GB host took 57 ms) unless
	 * the child changes something memory-wide (PR_SET_THP_DISABLE marks
	 * the mm).  The host is not suspended: the keeper is, vfork-style,
	 * unless the child may wait for the host (parked at the gate, or for
	 * the ruleset: keeper.c).  A parked child runs only on its own stack
	 * and reads only the plan, which the handle keeps until the sandbox
	 * has ended; the memory check skips it until its exec.  A host
	 * holding capabilities shares only when the child can keep its
	 * permitted set until exec (privdrop.h): a child that had dropped it
	 * would let a process of the host's uid that lacks them open its
	 * /proc/PID/mem, an fd that keeps the address space it was opened
	 * on: the host's, writable for good.  Otherwise (no CAP_SETPCAP) the
	 * child is a copy. */
	bool held = privdrop_caps_held();
	p->keep_perm = held && privdrop_keeps_permitted();
	p->share_vm = !p->no_thp && (!held || p->keep_perm);
	p->parent_pid = getpid();
	/* Overlap the ruleset's build with the child's start when it reads
	 * the mount table: otherwise the keeper's move and wake-ups cost
	 * more than the overlap gains (spawn.h). */
	struct landlock_req req = ruleset_req(p, cfg);
	p->have_home = sched_getaffinity(0, sizeof(p->home_cpus), &p->home_cpus) == 0;
	p->overlap = p->have_home && CPU_COUNT(&p->home_cpus) > 1 && landlock_reads_mounts(&req) &&
		     !overlap_watched(cfg, mode);
	p->keeper.placed = !p->overlap;
	return 0;
}

void plan_release(struct sl_plan *p)
{
	sl_strv_free(&p->argv);
	sl_strv_free(&p->envp);
	sl_strv_free(&p->exec_paths);
	sl_strv_free(&p->cow_read);
	free(p->cwd);
	overlay_release(&p->ovl);
	filter_free(&p->prog);
	if (p->stacks)
		release_stacks(p->stacks);
	p->stacks = p->stack = p->kstack = p->cstack = NULL;
	int *child[] = {&p->stdout_w, &p->stderr_w, &p->status_w, &p->gate_r, &p->stdin_r};
	int *parent[] = {&p->stdout_r,	   &p->stderr_r,     &p->status_r,    &p->gate_w,
			 &p->caller_fd[0], &p->caller_fd[1], &p->caller_fd[2]};
	for (size_t i = 0; i < SL_ARRAY_SIZE(child); i++)
		if (p->child_ends_closed)
			*child[i] = -1;
		else
			sl_close(child[i]);
	for (size_t i = 0; i < SL_ARRAY_SIZE(parent); i++)
		sl_close(parent[i]);
	p->child_ends_closed = false;
	p->cwd = NULL;
}
