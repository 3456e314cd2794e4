/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sandlock.h - public C interface of libsandlock.
 *
 * libsandlock runs a command confined by Landlock (filesystem, TCP ports,
 * IPC scopes), a seccomp-bpf deny list and a seccomp user-notification
 * supervisor that lives inside the calling process.
 *
 * The function names, parameter types and ownership rules are those of the
 * sandlock 0.8.0 C ABI, so programs and bindings written for
 * libsandlock_ffi.so 0.8.0 work unchanged.  Functions marked "extension"
 * are ours and do not exist in 0.8.0.
 *
 * Conventions
 *   - Handles are opaque.
 *   - Builder calls consume the builder they are given and return the
 *     builder to use next.  A NULL builder or a NULL string argument is
 *     ignored and the input is returned unchanged.
 *   - Failures return NULL or -1.  The reason is available from
 *     sandlock_last_error() on the same thread (extension).
 *   - Strings returned by the library are freed with sandlock_string_free().
 *     Byte pointers returned by result accessors stay valid until the
 *     result is freed.
 *   - Every call is safe from any thread; the library keeps no global
 *     mutable state (error messages are thread-local).
 *   - The library never prints, exits or aborts.
 *
 * Calls whose feature has not landed yet fail with the message
 * "not supported yet: <feature>" (see README, "Status of the ABI").
 */
#ifndef SANDLOCK_H
#define SANDLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SANDLOCK_VERSION     "0.1.0"
#define SANDLOCK_ABI_VERSION "0.8.0"

/* ---- opaque handles ---------------------------------------------------- */
typedef struct sandlock_builder sandlock_builder_t;
typedef struct sandlock_sandbox sandlock_sandbox_t;
typedef struct sandlock_handle sandlock_handle_t;
typedef struct sandlock_result sandlock_result_t;
typedef struct sandlock_dry_run_result sandlock_dry_run_result_t;
typedef struct sandlock_pipeline sandlock_pipeline_t;
typedef struct sandlock_gather sandlock_gather_t;
typedef struct sandlock_ctx sandlock_ctx_t;
typedef struct sandlock_fns sandlock_fns_t;
typedef struct sandlock_fork_result sandlock_fork_result_t;
typedef struct sandlock_checkpoint sandlock_checkpoint_t;
typedef struct sandlock_mem_handle sandlock_mem_handle_t;
typedef struct sandlock_handler sandlock_handler_t;

/* ---- callback types and ABI structures --------------------------------- */

/* Event passed to a policy callback. */
typedef struct sandlock_event {
	const char *syscall;
	uint8_t category; /* 0 file, 1 network, 2 process, 3 memory */
	uint32_t pid;
	uint32_t parent_pid; /* 0 when unknown */
	const char *host;    /* NULL when none */
	uint16_t port;	     /* 0 when none */
	bool denied;
	const char *const *argv; /* NULL when none */
	uint32_t argc;
} sandlock_event_t;

/* Returns 0 allow, -1 deny with EPERM, -2 audit (allow, counted), 1 to
 * 4095 deny with that errno; any other value denies with EPERM. */
typedef int32_t (*sandlock_policy_fn_t)(const sandlock_event_t *event, sandlock_ctx_t *ctx);
typedef void (*sandlock_init_fn_t)(void);
typedef void (*sandlock_work_fn_t)(uint32_t clone_id);

/* One seccomp notification as seen by a custom handler (80 bytes). */
typedef struct sandlock_notif_data {
	uint64_t id;
	uint32_t pid;
	uint32_t flags;
	int32_t syscall_nr;
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t args[6];
} sandlock_notif_data_t;

enum sandlock_action_kind {
	SANDLOCK_ACTION_UNSET = 0,
	SANDLOCK_ACTION_CONTINUE = 1,
	SANDLOCK_ACTION_ERRNO = 2,
	SANDLOCK_ACTION_RETURN_VALUE = 3,
	SANDLOCK_ACTION_INJECT_FD_SEND = 4,
	SANDLOCK_ACTION_INJECT_FD_SEND_TRACKED = 5, /* reserved */
	SANDLOCK_ACTION_HOLD = 6,
	SANDLOCK_ACTION_KILL = 7,
};

/* The answer a custom handler gives (24 bytes: kind at 0, payload at 8). */
typedef struct sandlock_action_out {
	uint32_t kind;
	union {
		uint64_t none;
		int32_t errno_value;
		int64_t return_value;
		struct {
			int32_t srcfd;
			uint32_t newfd_flags;
		} inject_send;
		struct {
			int32_t srcfd;
			uint32_t newfd_flags;
			uint64_t tracker;
		} inject_send_tracked;
		struct {
			int32_t sig;
			int32_t pgid;
		} kill;
	} payload;
} sandlock_action_out_t;

enum sandlock_exception_policy {
	SANDLOCK_EXCEPTION_KILL = 0,
	SANDLOCK_EXCEPTION_DENY_EPERM = 1,
	SANDLOCK_EXCEPTION_CONTINUE = 2,
	SANDLOCK_EXCEPTION_DENY_EIO = 3,
};

typedef int (*sandlock_handler_fn_t)(void *ud, const sandlock_notif_data_t *notif,
				     sandlock_mem_handle_t *mem, sandlock_action_out_t *out);
typedef void (*sandlock_handler_ud_drop_t)(void *ud);

typedef struct sandlock_handler_registration {
	/* 0 up to the architecture's highest syscall number (an unassigned
	 * one may be emulated); larger is refused */
	int64_t syscall_nr;
	sandlock_handler_t *handler;
} sandlock_handler_registration_t;

/* ---- builder ------------------------------------------------------------ */
sandlock_builder_t *sandlock_sandbox_builder_new(void);
/* Grants PATH and everything beneath it: read and execute (fs_read), also
 * write (fs_write).  PATH is copied; it must exist when the sandbox starts. */
sandlock_builder_t *sandlock_sandbox_builder_fs_read(sandlock_builder_t *b, const char *path);
sandlock_builder_t *sandlock_sandbox_builder_fs_write(sandlock_builder_t *b, const char *path);
/* Denies PATH and everything beneath it, whatever a grant above says
 * (copied). */
sandlock_builder_t *sandlock_sandbox_builder_fs_deny(sandlock_builder_t *b, const char *path);
/* Setters whose feature has not landed (copy-on-write, chroot, GPUs): values
 * are copied and validated, and sandlock_sandbox_build then fails with "not
 * supported yet". */
sandlock_builder_t *sandlock_sandbox_builder_fs_storage(sandlock_builder_t *b, const char *path);
/* mode: 0 none, 1 overlayfs, 2 branchfs */
sandlock_builder_t *sandlock_sandbox_builder_fs_isolation(sandlock_builder_t *b, uint8_t mode);
sandlock_builder_t *sandlock_sandbox_builder_gpu_devices(sandlock_builder_t *b,
							 const uint32_t *devices, uint32_t len);
sandlock_builder_t *sandlock_sandbox_builder_workdir(sandlock_builder_t *b, const char *path);
/* The command's working directory (copied); by default the caller's. */
sandlock_builder_t *sandlock_sandbox_builder_cwd(sandlock_builder_t *b, const char *path);
sandlock_builder_t *sandlock_sandbox_builder_chroot(sandlock_builder_t *b, const char *path);
sandlock_builder_t *sandlock_sandbox_builder_fs_mount(sandlock_builder_t *b,
						      const char *virtual_path,
						      const char *host_path);
/* action: 0 commit, 1 abort, 2 keep */
sandlock_builder_t *sandlock_sandbox_builder_on_exit(sandlock_builder_t *b, uint8_t action);
sandlock_builder_t *sandlock_sandbox_builder_on_error(sandlock_builder_t *b, uint8_t action);
/* Resource caps.  max_memory: bytes for all the sandbox's processes
 * together; max_processes: live processes at once (default 64); max_cpu:
 * percent of one core (1-100); cpu_cores: the CPUs the command may run on
 * (the array is copied); num_cpus: the command is pinned to the first n
 * of those (or of the caller's) and sees n CPUs (/proc/cpuinfo,
 * /sys/devices/system/cpu/online...); build fails for 0 or more than there
 * are.  max_disk has not landed. */
sandlock_builder_t *sandlock_sandbox_builder_max_memory(sandlock_builder_t *b, uint64_t bytes);
sandlock_builder_t *sandlock_sandbox_builder_max_disk(sandlock_builder_t *b, uint64_t bytes);
sandlock_builder_t *sandlock_sandbox_builder_max_processes(sandlock_builder_t *b, uint32_t n);
sandlock_builder_t *sandlock_sandbox_builder_max_cpu(sandlock_builder_t *b, uint8_t pct);
sandlock_builder_t *sandlock_sandbox_builder_num_cpus(sandlock_builder_t *b, uint32_t n);
sandlock_builder_t *sandlock_sandbox_builder_cpu_cores(sandlock_builder_t *b, const uint32_t *cores,
						       uint32_t len);
/* Network rules.  net_bind_port: a TCP port the sandbox may bind
 * (repeatable).  port_remap: the sandbox gets its own TCP port space (a
 * bind to a port the host holds is given another real port; getsockname
 * and its /proc/net/tcp show the virtual one; the bind list applies to
 * the virtual port; sandlock_handle_port_mappings tells where each is).
 * net_allow: see net_deny below.  The http_ rules and the CA pair
 * (copied): the HTTP ACL proxy decides every request to the intercepted
 * ports (README, "HTTP ACL"). */
sandlock_builder_t *sandlock_sandbox_builder_net_allow(sandlock_builder_t *b, const char *spec);
sandlock_builder_t *sandlock_sandbox_builder_net_bind_port(sandlock_builder_t *b, uint16_t port);
sandlock_builder_t *sandlock_sandbox_builder_port_remap(sandlock_builder_t *b, bool v);
/* random_seed: getrandom, /dev/urandom and /dev/random read one ChaCha20
 * stream keyed by seed.  Not landed yet (uid): sandlock_sandbox_build
 * fails with "not supported yet". */
sandlock_builder_t *sandlock_sandbox_builder_uid(sandlock_builder_t *b, uint32_t id);
sandlock_builder_t *sandlock_sandbox_builder_http_allow(sandlock_builder_t *b, const char *rule);
sandlock_builder_t *sandlock_sandbox_builder_http_deny(sandlock_builder_t *b, const char *rule);
sandlock_builder_t *sandlock_sandbox_builder_http_port(sandlock_builder_t *b, uint16_t port);
sandlock_builder_t *sandlock_sandbox_builder_http_ca(sandlock_builder_t *b, const char *path);
sandlock_builder_t *sandlock_sandbox_builder_http_key(sandlock_builder_t *b, const char *path);
sandlock_builder_t *sandlock_sandbox_builder_random_seed(sandlock_builder_t *b, uint64_t seed);
/* clean_env: start from an empty environment; env_var: set KEY=VALUE in the
 * command's environment (both copied; later calls override).  KEY is valid
 * UTF-8 without '=' or a control byte (build fails otherwise). */
sandlock_builder_t *sandlock_sandbox_builder_clean_env(sandlock_builder_t *b, bool v);
sandlock_builder_t *sandlock_sandbox_builder_env_var(sandlock_builder_t *b, const char *key,
						     const char *value);
/* time_start: the sandbox's wall clock (the realtime clocks, gettimeofday,
 * time) starts at epoch_secs (at most 253402300799, 9999-12-31T23:59:59Z)
 * and advances at real speed; the monotonic clocks stay real.  x86_64
 * only: elsewhere the start fails. */
sandlock_builder_t *sandlock_sandbox_builder_time_start(sandlock_builder_t *b, uint64_t epoch_secs);
/* names: comma-separated list */
sandlock_builder_t *sandlock_sandbox_builder_extra_deny_syscalls(sandlock_builder_t *b,
								 const char *names);
sandlock_builder_t *sandlock_sandbox_builder_extra_allow_syscalls(sandlock_builder_t *b,
								  const char *names);
/* RLIMIT_NOFILE of the command, soft and hard.  Build fails above the
 * kernel's fs.nr_open, and above the caller's hard limit unless it holds
 * CAP_SYS_RESOURCE. */
sandlock_builder_t *sandlock_sandbox_builder_max_open_files(sandlock_builder_t *b, unsigned int n);
/* Process knobs: no ASLR, no transparent huge pages, no core dumps.
 * deterministic_dirs: directory listings (getdents64, getdents) come
 * back sorted by name, bytewise; a start where pidfd_getfd is refused
 * (Docker's default seccomp profile) fails. */
sandlock_builder_t *sandlock_sandbox_builder_no_randomize_memory(sandlock_builder_t *b, bool v);
sandlock_builder_t *sandlock_sandbox_builder_no_huge_pages(sandlock_builder_t *b, bool v);
sandlock_builder_t *sandlock_sandbox_builder_no_coredump(sandlock_builder_t *b, bool v);
sandlock_builder_t *sandlock_sandbox_builder_deterministic_dirs(sandlock_builder_t *b, bool v);
/* A policy callback: shown the held syscalls (execve, execveat, openat,
 * open, creat, bind, connect, and sendto, sendmsg, sendmmsg with a
 * destination) before anything is done for the child, from a thread of
 * its own; its verdict decides them (sandlock_policy_fn_t).  No event
 * carries a path.  argv is shown only when it cannot change before the
 * kernel reads it; an exec from a process whose memory another thread or
 * process can write meanwhile (a multithreaded caller, the vfork child of
 * a multithreaded parent) is denied with EPERM.  The callback must not crash: it runs in the
 * caller's process.  The 0.8.6 form of this call (with user data and a
 * drop function) and of the callback (a third argument) are served: the
 * extra arguments are never read, and the callback's third is NULL. */
sandlock_builder_t *sandlock_sandbox_builder_policy_fn(sandlock_builder_t *b,
						       sandlock_policy_fn_t cb);
/* Extension: how long the supervisor waits for a verdict (default 1000
 * ms, more than 0).  A callback that does not answer in time, or whose
 * thread ended, denies that call and every later one (EPERM). */
sandlock_builder_t *sandlock_sandbox_builder_policy_fn_timeout_ms(sandlock_builder_t *b,
								  uint32_t ms);
/* Extension: which held syscalls make events (default all): a callback
 * that never decides on opens spares every open its round trip.  Calls
 * of a kind left out are not held; the ctx calls still apply. */
#define SANDLOCK_POLICY_EVENT_EXEC    0x1u /* execve, execveat */
#define SANDLOCK_POLICY_EVENT_NETWORK 0x2u /* connect, the sends, bind */
#define SANDLOCK_POLICY_EVENT_OPEN    0x4u /* openat, open, creat */
#define SANDLOCK_POLICY_EVENT_ALL     0x7u
sandlock_builder_t *sandlock_sandbox_builder_policy_fn_events(sandlock_builder_t *b, uint32_t mask);

/* Validates and consumes the builder.  *err is set to 0 or -1; on failure
 * *err_msg (if err_msg is not NULL) receives a message to free with
 * sandlock_string_free(). */
sandlock_sandbox_t *sandlock_sandbox_build(sandlock_builder_t *b, int *err, char **err_msg);
/* Frees a policy (NULL is ignored).  Handles and runs made from it do not
 * keep it. */
void sandlock_sandbox_free(sandlock_sandbox_t *p);
/* Syscall number of a name on this architecture, or -1 (NULL, or no such
 * syscall here).  Every syscall of the architecture is known by its
 * kernel name ("read", "openat", "mseal"), newer ones than the build's
 * kernel headers included; a name the architecture lacks ("open" on
 * aarch64, "fcntl64" on any 64-bit one) is not. */
int64_t sandlock_syscall_nr(const char *name);

/* ---- one-shot runs ------------------------------------------------------ */
/* In every mode (one-shot, handles inline or threaded, interactive, popen)
 * the command starts with the calling thread's signal mask and ignored
 * signals as of the call, and every caught signal at its default, as
 * execve gives them: never the supervisor thread's mask. */
/* name may be NULL (the default is "sandbox-<caller pid>"); otherwise 1 to
 * 64 ASCII letters, digits, '.', '_' and '-', starting with a letter or a
 * digit (it becomes the hostname and a file name; anything else fails with
 * a message naming the byte).  argv holds argc strings (no other limit on
 * their number): with the environment they must fit what execve takes,
 * each at most 32 pages and together a quarter of the command's stack
 * limit (within 128 KiB and 6 MiB), or the call fails before anything
 * starts, naming the sizes.  stdout and stderr are captured; stdin is
 * inherited. */
sandlock_result_t *sandlock_run(const sandlock_sandbox_t *policy, const char *name,
				const char *const *argv, unsigned int argc);
/* stdio inherited; returns the exit code, or -1 (signal, or failure). */
int sandlock_run_interactive(const sandlock_sandbox_t *policy, const char *name,
			     const char *const *argv, unsigned int argc);
/* Runs the command over a staged layer of the policy's workdir
 * (fs_isolation overlayfs), lists what it changed (A/M/D, relative to
 * the workdir), then drops the changes: the workdir is never touched.
 * NULL with sandlock_last_error() when the policy has no workdir or the
 * sandbox cannot start.  Free with sandlock_dry_run_result_free. */
sandlock_dry_run_result_t *sandlock_dry_run(const sandlock_sandbox_t *policy, const char *name,
					    const char *const *argv, unsigned int argc);
/* Landlock filesystem confinement of the calling process, irreversible. */
int sandlock_confine(const sandlock_sandbox_t *policy);

/* ---- live handles ------------------------------------------------------- */
/* Creates the sandbox with its child parked before exec; a supervisor
 * thread owns it.  Output is captured. */
sandlock_handle_t *sandlock_create(const sandlock_sandbox_t *policy, const char *name,
				   const char *const *argv, unsigned int argc);
/* Same, but no supervisor thread: the supervisor runs inside
 * sandlock_handle_wait*() on the caller's thread.  Meant for an immediate
 * start + wait; until wait is called, notified syscalls of the child block. */
sandlock_handle_t *sandlock_create_for_run(const sandlock_sandbox_t *policy, const char *name,
					   const char *const *argv, unsigned int argc);
/* Releases a created sandbox's child to exec.  0, or -1 (not created,
 * already started, or its parked child died before the start).  A handle
 * of sandlock_create_ex with SANDLOCK_CREATE_START is only marked
 * started: 0 also when its command is already over. */
int sandlock_start(sandlock_handle_t *h);
/* The command's pid, 0 before it exists or for NULL. */
int32_t sandlock_handle_pid(const sandlock_handle_t *h);
/* Waits for the end and returns the result (the caller frees it with
 * sandlock_result_free); the first result of a capturing handle takes the
 * output, later ones the status only.  NULL with a message on failure. */
sandlock_result_t *sandlock_handle_wait(sandlock_handle_t *h);
/* timeout_ms 0 = none; on expiry the sandbox is killed and the result's
 * exit code is -1 (status SANDLOCK_STATUS_TIMEOUT). */
sandlock_result_t *sandlock_handle_wait_timeout(sandlock_handle_t *h, uint64_t timeout_ms);
/* The running sandbox's remapped TCP ports (port_remap), virtual to
 * real, as a JSON object ({"6379":40123}; free it with
 * sandlock_string_free).  NULL when none is remapped (sandlock_last_error()
 * then empty), port_remap is off, or the sandbox has ended; NULL with a
 * message for a NULL handle or no memory. */
char *sandlock_handle_port_mappings(const sandlock_handle_t *h);
/* extension: what the supervisor refused so far (while it runs) or in
 * all (once waited for), as JSON lines, one object per refusal:
 * {"time_ms", "pid", "exe", "syscall", "errno", "target", "rule"}, where
 * rule names what refused it and the flag that would allow it; a last
 * {"dropped":N} when more than the 512 kept happened.  Refusals the kernel
 * makes alone (Landlock's, the seccomp deny list's) are not seen.  ""
 * for none; free with sandlock_string_free; NULL with a message. */
char *sandlock_handle_denials(const sandlock_handle_t *h);
/* Not landed yet: NULL. */
sandlock_checkpoint_t *sandlock_handle_checkpoint(sandlock_handle_t *h);
/* Kills the sandbox if it is still running, then frees the handle. */
void sandlock_handle_free(sandlock_handle_t *h);

/* extension: sandlock_create with options.
 *   SANDLOCK_CREATE_INTERACTIVE  inherit stdio instead of capturing it (and,
 *                                when stdin is a terminal, make the sandbox
 *                                its foreground process group);
 *   SANDLOCK_CREATE_INLINE       run the supervisor inside
 *                                sandlock_handle_wait*() instead of a thread
 *                                (sandlock_create_for_run);
 *   SANDLOCK_CREATE_START        do not park the child: it runs to exec at
 *                                once and sandlock_start() only marks the
 *                                handle started (faster: no release round
 *                                trip);
 *   SANDLOCK_CREATE_CONTROL      register the sandbox under its name in the
 *                                user's runtime directory
 *                                (/dev/shm/sandlock-UID/NAME/) with a control
 *                                socket, for sandlock_running_*() and
 *                                `sandlock ps`; a live sandbox of the same
 *                                name makes the create fail (EBUSY). */
#define SANDLOCK_CREATE_INTERACTIVE 0x1u
#define SANDLOCK_CREATE_INLINE	    0x2u
#define SANDLOCK_CREATE_START	    0x4u
#define SANDLOCK_CREATE_CONTROL	    0x8u
sandlock_handle_t *sandlock_create_ex(const sandlock_sandbox_t *policy, const char *name,
				      const char *const *argv, unsigned int argc, uint32_t flags);

/* extension: process-group control of a created or running sandbox.
 * 0 on success, -1 when the sandbox is not running (a pause or resume
 * after a kill too: the sandbox is ending). */
int sandlock_handle_pause(sandlock_handle_t *h);
int sandlock_handle_resume(sandlock_handle_t *h);
int sandlock_handle_kill(sandlock_handle_t *h);

/* extension: the running sandboxes of this user (those created with
 * SANDLOCK_CREATE_CONTROL, by any process), through their control sockets.
 * Only a process of the same effective uid is answered.
 *   sandlock_running_list   a JSON array of each one's info object (name,
 *                           pid, supervisor_pid, started, uptime_ms, state,
 *                           command, processes, limits, ports...), sorted
 *                           by name;
 *   sandlock_running_info   that object for one name;
 *   sandlock_running_profile  the profile text it was created with;
 *   sandlock_running_signal "pause", "resume" or "kill": 0, or -1.
 * Strings are freed with sandlock_string_free; NULL or -1 with a message
 * in sandlock_last_error() (an unknown name: "no running sandbox named"). */
char *sandlock_running_list(void);
char *sandlock_running_info(const char *name);
char *sandlock_running_profile(const char *name);
int sandlock_running_signal(const char *name, const char *action);

/* ---- results ------------------------------------------------------------ */
int sandlock_result_exit_code(const sandlock_result_t *r); /* -1 for non-exit */
bool sandlock_result_success(const sandlock_result_t *r);
/* The captured output as a NUL-terminated string, invalid UTF-8 replaced
 * (free with sandlock_string_free); NULL when nothing was captured or r is
 * NULL. */
char *sandlock_result_stdout(
    const sandlock_result_t *r); /* lossy UTF-8, free with sandlock_string_free */
char *sandlock_result_stderr(const sandlock_result_t *r);
/* The captured bytes, owned by r (valid until sandlock_result_free); *len
 * receives their count (0 and NULL when nothing was captured). */
const uint8_t *sandlock_result_stdout_bytes(const sandlock_result_t *r, size_t *len);
const uint8_t *sandlock_result_stderr_bytes(const sandlock_result_t *r, size_t *len);
/* Frees a result (NULL is ignored). */
void sandlock_result_free(sandlock_result_t *r);
/* Frees a string the library returned (NULL is ignored). */
void sandlock_string_free(char *s);

/* extension: how the sandbox ended. */
enum sandlock_status {
	SANDLOCK_STATUS_EXITED = 0,   /* exit code in sandlock_result_exit_code */
	SANDLOCK_STATUS_SIGNALED = 1, /* signal in sandlock_result_signal */
	SANDLOCK_STATUS_KILLED = 2,   /* SIGKILL */
	SANDLOCK_STATUS_TIMEOUT = 3,  /* killed by the timeout */
};
/* enum sandlock_status, -1 for NULL. */
int sandlock_result_status(const sandlock_result_t *r);
/* The signal that ended the command (SIGNALED, and SIGKILL for KILLED and
 * TIMEOUT), -1 when none (an exit) or r is NULL. */
int sandlock_result_signal(const sandlock_result_t *r);
/* extension: why the sandbox ended, when sandlock knows more than the
 * status says (one line, e.g. "cmd: command not found" when the command
 * could not be executed (exit code 127, nothing written on its stderr),
 * a max_memory too small to start the command, or a process killed for
 * going over max_memory), else NULL.  Owned by r. */
const char *sandlock_result_note(const sandlock_result_t *r);

/* ---- dry-run results ----------------------------------------------------- */
/* As sandlock_result_*; the changes in the order of their paths, kind
 * 'A', 'M' or 'D'; change_path is malloc'd (sandlock_string_free). */
int sandlock_dry_run_result_exit_code(const sandlock_dry_run_result_t *r);
bool sandlock_dry_run_result_success(const sandlock_dry_run_result_t *r);
const uint8_t *sandlock_dry_run_result_stdout_bytes(const sandlock_dry_run_result_t *r,
						    size_t *len);
const uint8_t *sandlock_dry_run_result_stderr_bytes(const sandlock_dry_run_result_t *r,
						    size_t *len);
size_t sandlock_dry_run_result_changes_len(const sandlock_dry_run_result_t *r);
char sandlock_dry_run_result_change_kind(const sandlock_dry_run_result_t *r, size_t i);
char *sandlock_dry_run_result_change_path(const sandlock_dry_run_result_t *r, size_t i);
void sandlock_dry_run_result_free(sandlock_dry_run_result_t *r);

/* ---- pipeline and gather (not landed: the constructors return NULL) ------ */
sandlock_pipeline_t *sandlock_pipeline_new(void);
void sandlock_pipeline_add_stage(sandlock_pipeline_t *pipe, const sandlock_sandbox_t *policy,
				 const char *const *argv, unsigned int argc);
sandlock_result_t *sandlock_pipeline_run(sandlock_pipeline_t *pipe, uint64_t timeout_ms);
void sandlock_pipeline_free(sandlock_pipeline_t *pipe);
sandlock_gather_t *sandlock_gather_new(void);
void sandlock_gather_add_source(sandlock_gather_t *g, const char *name,
				const sandlock_sandbox_t *policy, const char *const *argv,
				unsigned int argc);
void sandlock_gather_set_consumer(sandlock_gather_t *g, const sandlock_sandbox_t *policy,
				  const char *const *argv, unsigned int argc);
sandlock_result_t *sandlock_gather_run(sandlock_gather_t *g, uint64_t timeout_ms);
void sandlock_gather_free(sandlock_gather_t *g);

/* ---- policy callback context ---------------------------------------------
 * Called from inside the callback, on its ctx; each takes effect for the
 * next syscall and only narrows the static policy (its ceiling).
 * restrict_network: the IPv4/IPv6 addresses or CIDR ranges connects and
 * sends with a destination may reach ([] none; invalid entries dropped);
 * grant_network adds back to that list, within the static policy;
 * restrict_pid_network: a list for one process (thread-group id) instead.
 * Unix sockets are not concerned; a connected socket keeps its peer.
 * restrict_max_memory / restrict_max_processes lower the live limits.
 * deny_path / allow_path: the object a path names now (device and inode,
 * on the caller's view) is denied, or no longer, to opens and to the
 * calls the supervisor makes for the child (chmod, chown, xattrs...),
 * with what lies under it; fs_denied paths stay denied.  Calls from a
 * callback the supervisor gave up on are ignored. */
void sandlock_ctx_restrict_network(sandlock_ctx_t *ctx, const char *const *ips, uint32_t count);
void sandlock_ctx_grant_network(sandlock_ctx_t *ctx, const char *const *ips, uint32_t count);
void sandlock_ctx_restrict_max_memory(sandlock_ctx_t *ctx, uint64_t bytes);
void sandlock_ctx_restrict_max_processes(sandlock_ctx_t *ctx, uint32_t n);
void sandlock_ctx_restrict_pid_network(sandlock_ctx_t *ctx, uint32_t pid, const char *const *ips,
				       uint32_t count);
void sandlock_ctx_deny_path(sandlock_ctx_t *ctx, const char *path);
void sandlock_ctx_allow_path(sandlock_ctx_t *ctx, const char *path);

/* ---- COW fork / reduce (not landed: failure values) ----------------------- */
sandlock_fns_t *sandlock_new_with_fns(const sandlock_sandbox_t *policy, const char *name,
				      sandlock_init_fn_t init_fn, sandlock_work_fn_t work_fn);
sandlock_fork_result_t *sandlock_fork(sandlock_fns_t *sb, uint32_t n);
uint32_t sandlock_fork_result_count(const sandlock_fork_result_t *r);
int32_t sandlock_fork_result_pid(const sandlock_fork_result_t *r, uint32_t index);
sandlock_result_t *sandlock_reduce(sandlock_fork_result_t *fork_result,
				   const sandlock_sandbox_t *policy, const char *name,
				   const char *const *argv, unsigned int argc);
void sandlock_fork_result_free(sandlock_fork_result_t *r);
int sandlock_wait(sandlock_fns_t *sb);
void sandlock_sandbox_fns_free(sandlock_fns_t *sb);

/* ---- checkpoint (not landed: failure values) ------------------------------- */
int sandlock_checkpoint_save(const sandlock_checkpoint_t *cp, const char *dir);
sandlock_checkpoint_t *sandlock_checkpoint_load(const char *dir);
void sandlock_checkpoint_set_name(sandlock_checkpoint_t *cp, const char *name);
char *sandlock_checkpoint_name(const sandlock_checkpoint_t *cp);
void sandlock_checkpoint_set_app_state(sandlock_checkpoint_t *cp, const uint8_t *data, size_t len);
const uint8_t *sandlock_checkpoint_app_state(const sandlock_checkpoint_t *cp, size_t *len);
void sandlock_checkpoint_free(sandlock_checkpoint_t *cp);

/* ---- platform ------------------------------------------------------------- */
int sandlock_landlock_abi_version(void); /* -1 when Landlock is unavailable */
int sandlock_min_landlock_abi(void);

/* ---- custom handlers ------------------------------------------------------ */
int32_t sandlock_mem_read_cstr(const sandlock_mem_handle_t *handle, uint64_t addr, uint8_t *buf,
			       size_t max_len, size_t *out_len);
/* Child memory, during the handler's callback only: read len bytes at addr
 * into buf (all or nothing; *out_len = len), or write len bytes from buf.  0,
 * or -1 (the child is gone, or the memory unmapped). */
int32_t sandlock_mem_read(const sandlock_mem_handle_t *handle, uint64_t addr, uint8_t *buf,
			  size_t len, size_t *out_len);
int32_t sandlock_mem_write(const sandlock_mem_handle_t *handle, uint64_t addr, const uint8_t *buf,
			   size_t len);
/* The handler's answer, written into *out (NULL is ignored); the last setter
 * wins.  inject_fd_send hands srcfd to the library, which closes it. */
void sandlock_action_set_continue(sandlock_action_out_t *out);
void sandlock_action_set_errno(sandlock_action_out_t *out, int32_t errno_value);
void sandlock_action_set_return_value(sandlock_action_out_t *out, int64_t value);
void sandlock_action_set_inject_fd_send(sandlock_action_out_t *out, int32_t srcfd,
					uint32_t newfd_flags);
void sandlock_action_set_hold(sandlock_action_out_t *out);
void sandlock_action_set_kill(sandlock_action_out_t *out, int32_t sig, int32_t pgid);
/* A handler: fn(ud, ...) for each notification of its syscall; ud_drop(ud)
 * runs once when the handler is freed, also after a run took it (a run frees
 * every handler it is given, on every path).  NULL with a message for an
 * on_exception above 3. */
sandlock_handler_t *sandlock_handler_new(sandlock_handler_fn_t handler_fn, void *ud,
					 sandlock_handler_ud_drop_t ud_drop, uint32_t on_exception);
/* Frees a handler that no run has taken (runs ud_drop). */
void sandlock_handler_free(sandlock_handler_t *h);
/* sandlock_run with custom handlers at the end of their syscalls' chains;
 * takes every registration's handler (freed when the run ends, or at once
 * when it is refused). */
sandlock_result_t *sandlock_run_with_handlers(const sandlock_sandbox_t *policy, const char *name,
					      const char *const *argv, unsigned int argc,
					      const sandlock_handler_registration_t *registrations,
					      size_t nregistrations);
sandlock_result_t *sandlock_run_interactive_with_handlers(
    const sandlock_sandbox_t *policy, const char *name, const char *const *argv, unsigned int argc,
    const sandlock_handler_registration_t *registrations, size_t nregistrations);

/* ---- extensions ------------------------------------------------------------ */

/* Message of the last failed call on this thread ("" when none).  Valid
 * until the next library call on the same thread. */
const char *sandlock_last_error(void);

/* Parses a byte size: digits with an optional single K/M/G suffix
 * (case-insensitive, powers of 1024).  0 on success, -1 on a malformed or
 * overflowing value. */
int sandlock_parse_size(const char *s, uint64_t *out);

/* What the running kernel offers, probed once per call. */
typedef struct sandlock_features {
	uint32_t size;		 /* set by the caller to sizeof(sandlock_features_t) */
	int landlock_abi;	 /* -1 when unavailable */
	int landlock_errno;	 /* why unavailable, else 0 */
	bool seccomp_filter;	 /* seccomp(SECCOMP_SET_MODE_FILTER) */
	bool user_notif;	 /* SECCOMP_FILTER_FLAG_NEW_LISTENER */
	bool wait_killable_recv; /* SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19) */
	bool sync_wake_up;	 /* SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (6.7) */
	bool pidfd_getfd;	 /* pidfd_open + pidfd_getfd (5.6) */
	bool addfd_send;	 /* SECCOMP_ADDFD_FLAG_SEND (5.14) */
	bool nested_listener;	 /* this process already runs under a listener */
	/* extension, appended (it fits the old padding: the size is
	 * unchanged): this thread holds capabilities (root), which a
	 * sandbox started from it drops, all of them */
	bool caps_held;
} sandlock_features_t;
/* Fills *out (out->size set by the caller) with what the kernel offers.  0,
 * or -1 with a message. */
int sandlock_probe_features(sandlock_features_t *out);

/* How this policy's network rules are enforced, one line per protocol
 * and direction, then one per host name with the addresses it resolved
 * to now (the names are resolved, as a start would):
 *   "tcp connect: Landlock port rules: 80,443 (other ports: EACCES)"
 *   "tcp connect: supervisor, by address (denied: ECONNREFUSED)"
 *   "udp: no socket (EPERM)" ...
 * A string to free with sandlock_string_free, or NULL with a message (a
 * name that does not resolve). */
char *sandlock_sandbox_net_report(const sandlock_sandbox_t *policy);

/* ---- added by the reference's later releases (up to 0.8.6) -------------------
 * Exported so a binding built for those releases loads.  What has not
 * landed yet fails with its failure value and the message "not supported
 * yet: <feature>" (a builder setter parks it: sandlock_sandbox_build then
 * fails with it). */

/* How a run ended, as enum sandlock_status (a uint32_t): SANDLOCK_STATUS_KILLED
 * for NULL.  The dry-run twins mirror sandlock_result_reason/_signal. */
uint32_t sandlock_result_reason(const sandlock_result_t *r);
uint32_t sandlock_dry_run_result_reason(const sandlock_dry_run_result_t *r);
int sandlock_dry_run_result_signal(const sandlock_dry_run_result_t *r);

/* Landlock protections, by the ABI that brings each. */
enum sandlock_protection {
	SANDLOCK_PROTECTION_FS_REFER = 0,		    /* ABI 2 */
	SANDLOCK_PROTECTION_FS_TRUNCATE = 1,		    /* ABI 3 */
	SANDLOCK_PROTECTION_NET_TCP = 2,		    /* ABI 4 */
	SANDLOCK_PROTECTION_FS_IOCTL_DEV = 3,		    /* ABI 5 */
	SANDLOCK_PROTECTION_SIGNAL_SCOPE = 4,		    /* ABI 6 */
	SANDLOCK_PROTECTION_ABSTRACT_UNIX_SOCKET_SCOPE = 5, /* ABI 6 */
};
/* The Landlock ABI a protection needs; 0 for an unknown one. */
uint32_t sandlock_protection_min_abi(uint32_t protection);
/* extension: its name ("net-tcp", as the CLI spells it), NULL when
 * unknown.  Static storage. */
const char *sandlock_protection_name(uint32_t protection);
/* Every protection is enforced by default, and a kernel that cannot is
 * refused.  allow_degraded: skipped on a kernel whose Landlock lacks it
 * (enforced where it has it); disable: never applied.  Disabling
 * signal-scope lets the command signal every process of its uid, the host
 * included; net-tcp, every TCP port (a policy with net_bind ports is then
 * refused); fs-truncate, truncating the files of the read grants (never
 * beyond the grants).  An unknown protection makes sandlock_sandbox_build
 * fail.  The builder is consumed and returned, as by every setter. */
sandlock_builder_t *sandlock_sandbox_builder_allow_degraded(sandlock_builder_t *b,
							    uint32_t protection);
sandlock_builder_t *sandlock_sandbox_builder_disable(sandlock_builder_t *b, uint32_t protection);

/* Deny-list networking and bind port lists (copied, repeatable).
 * net_deny: a rule in net_allow's grammar, also a.b.c.d/N and [v6/N]
 * ranges and lo-hi port ranges; with no net_allow everything else is
 * allowed.  net_allow_bind / net_deny_bind: "*" or a comma list of ports
 * and lo-hi ranges (no port 0).  Checked by sandlock_sandbox_build (a
 * malformed spec fails it, quoted), which then refuses them with "not
 * supported yet: <field>" until their enforcement lands. */
sandlock_builder_t *sandlock_sandbox_builder_net_deny(sandlock_builder_t *b, const char *spec);
sandlock_builder_t *sandlock_sandbox_builder_net_allow_bind(sandlock_builder_t *b,
							    const char *spec);
sandlock_builder_t *sandlock_sandbox_builder_net_deny_bind(sandlock_builder_t *b, const char *spec);
/* HTTPS interception with a CA the proxy makes (copied).  http_inject_ca
 * (repeatable): a CA bundle, an absolute path of a regular readable file,
 * that the sandbox sees with the proxy's CA added; it turns on HTTPS
 * interception as http_ca does (default ports 80 and 443) and cannot be
 * combined with http_ca/http_key.  http_ca_out: where the proxy's CA is
 * written at each start, the certificate only (its directory must exist
 * and be writable).  Checked by sandlock_sandbox_build; the CA is made,
 * in memory, when the sandbox starts. */
sandlock_builder_t *sandlock_sandbox_builder_http_inject_ca(sandlock_builder_t *b,
							    const char *path);
sandlock_builder_t *sandlock_sandbox_builder_http_ca_out(sandlock_builder_t *b, const char *path);
/* Extension: observe the run for `sandlock learn`: every path it opens,
 * creates, removes or executes (and the loader or interpreter of each
 * exec), every inet destination it connects to and every port it binds
 * are written once each to the file at path (absolute; made 0600 or
 * truncated when the sandbox starts) as JSON lines:
 *   {"op":"read"|"write"|"create"|"remove"|"exec","path":P}
 *   {"op":"connect","addr":"HOST:PORT"}   {"op":"bind","port":"N"}
 *   {"op":"lookup","name":"NAME"} (a DNS query sent over UDP)
 * and at the end the most processes counted and memory charged at once
 * (the memory only when max_memory is set: it is what is charged):
 *   {"op":"peak","processes":N,"memory":BYTES}
 * Observation only: what the policy allows is unchanged (a learning run
 * grants everything it wants to see). */
sandlock_builder_t *sandlock_sandbox_builder_learn_log(sandlock_builder_t *b, const char *path);
/* Extension: explain what the kernel refuses on its own.  Landlock
 * refuses an open outside the granted trees without the supervisor
 * seeing it; with this on, the denial events (sandlock_handle_denials)
 * also hold those refusals: from the kernel's audit records where the
 * caller may read them (CAP_AUDIT_READ, audit enabled: "source":"audit",
 * no cost per call), else from watching every open, exec and name change
 * and checking it against the policy before the kernel does
 * ("source":"explain": costs a supervisor round trip per such call, and
 * a process can forge its own entries, never hide another's refusal). */
sandlock_builder_t *sandlock_sandbox_builder_explain_denials(sandlock_builder_t *b, bool on);
/* Extension: the text `sandlock inspect NAME --toml` shows for this
 * sandbox (its profile, as the creator renders it), at most
 * SANDLOCK_PROFILE_TEXT_MAX bytes; kept as given, never parsed. */
#define SANDLOCK_PROFILE_TEXT_MAX (128u * 1024u)
sandlock_builder_t *sandlock_sandbox_builder_profile_text(sandlock_builder_t *b, const char *text);
/* Not supported yet: each parks "not supported yet: <feature>" on b. */
sandlock_builder_t *sandlock_sandbox_builder_user(sandlock_builder_t *b, uint32_t uid,
						  uint32_t gid);
sandlock_builder_t *sandlock_sandbox_builder_fs_mount_ro(sandlock_builder_t *b,
							 const char *virtual_path,
							 const char *host_path);

/* extension: credentials the HTTP proxy adds to the sandbox's requests
 * (spec copied, repeatable).  credential: "NAME=env:VAR", "NAME=file:PATH"
 * or "NAME=fd:N"; NAME is 1-64 letters, digits, '_' or '-', each defined
 * once.  The secret is read by sandlock_sandbox_build (VAR from the
 * caller's environment, PATH and fd N to their end, at most 64 KiB, one
 * trailing newline dropped; fd N stays open, the caller's); an empty one,
 * or one holding CR, LF or NUL, fails the build.  The command never sees
 * it: a VAR of an env: source in the command's environment reads
 * "sandlock-credential:NAME".
 * http_auth: "HOST=NAME[:HEADER]": requests to HOST (a DNS name or an IP
 * literal, no port, no wildcard; one http_auth per host) carry credential
 * NAME as "Authorization: Bearer <secret>", or as "HEADER: <secret>".  It
 * needs HTTPS interception (http_ca and http_key, or http_inject_ca): a
 * credential travels only over TLS.  HOST is made reachable on the HTTP
 * ports as an HTTP rule's host is.  The header is added to an allowed
 * request whose host is HOST, over TLS only (where HOST is the name the
 * server's certificate was verified for), the client's own header of that
 * name dropped: never in clear text, never to another origin (a
 * redirect's next request names its own host).  Checked by
 * sandlock_sandbox_build. */
sandlock_builder_t *sandlock_sandbox_builder_credential(sandlock_builder_t *b, const char *spec);
sandlock_builder_t *sandlock_sandbox_builder_http_auth(sandlock_builder_t *b, const char *spec);

/* Starts the command at once (a running handle, supervised from a thread)
 * with each stream inherited, piped or /dev/null.  The caller's end of each
 * piped stream comes back in *stdin_fd, *stdout_fd, *stderr_fd: the
 * caller's to close (-1 for the streams not piped).  Nothing is captured:
 * the result of sandlock_handle_wait has no output.  Close a piped stdin
 * and drain the piped outputs before waiting: a command blocked on a full
 * pipe never ends.  NULL with a message, every *_fd -1, on failure (also
 * an unknown mode, or a piped stream whose pointer is NULL). */
#define SANDLOCK_STDIO_INHERIT 0u
#define SANDLOCK_STDIO_PIPED   1u
#define SANDLOCK_STDIO_NULL    2u
sandlock_handle_t *sandlock_popen(const sandlock_sandbox_t *policy, const char *name,
				  const char *const *argv, unsigned int argc, uint32_t stdin_mode,
				  uint32_t stdout_mode, uint32_t stderr_mode, int *stdin_fd,
				  int *stdout_fd, int *stderr_fd);

/* A handler's answer: a new fd (a memfd holding a copy of the len bytes
 * at data, which the call does not keep) added to the caller as
 * inject_fd_send adds one.  Sealed read-only unless flags has
 * SANDLOCK_INJECT_WRITABLE; close-on-exec unless SANDLOCK_INJECT_NO_CLOEXEC.
 * The answer is EIO when the memfd cannot be made, or flags holds an
 * unknown bit.  An fd a setter took and a later setter replaced is closed
 * after the callback. */
#define SANDLOCK_INJECT_WRITABLE   0x1u
#define SANDLOCK_INJECT_NO_CLOEXEC 0x2u
void sandlock_action_set_inject_bytes(sandlock_action_out_t *out, const uint8_t *data, size_t len,
				      uint32_t flags);
/* Deferred handlers are not supported yet: with deferred true, the
 * registration of h is refused with that message; false is the default. */
void sandlock_handler_set_deferred(sandlock_handler_t *h, bool deferred);

/* Checkpoint restore (not supported yet: NULL, 0, -1, NULL). */
sandlock_handle_t *sandlock_restore_interactive(const sandlock_sandbox_t *policy, const char *name,
						const sandlock_checkpoint_t *cp);
size_t sandlock_handle_restore_skipped_len(const sandlock_handle_t *h);
int sandlock_handle_restore_skipped_fd(const sandlock_handle_t *h, size_t i);
char *sandlock_handle_restore_skipped_path(const sandlock_handle_t *h, size_t i);

#ifdef __cplusplus
}
#endif

#endif /* SANDLOCK_H */
