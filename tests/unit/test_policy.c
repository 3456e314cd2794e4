/* SPDX-License-Identifier: Apache-2.0 */
/* test_policy.c - builder ABI, build-time validation, "not supported yet",
 * HTTP auto-merge, deep copy, sandbox names. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "error.h"
#include "harness.h"
#include "names.h"
#include "netaddr.h"
#include "policy.h"
#include "portset.h"
#include "sandlock.h"

static void build_fails_at(int line, sandlock_builder_t *b, const char *want)
{
	int err = 0;
	char *msg = NULL;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);
	if (p)
		th_fail(__FILE__, line, "build succeeded, wanted \"%s\"", want);
	if (err != -1)
		th_fail(__FILE__, line, "err = %d, wanted -1", err);
	if (!msg || !strstr(msg, want))
		th_fail(__FILE__, line, "message \"%s\" lacks \"%s\"", msg ? msg : "(null)", want);
	if (strcmp(msg, sandlock_last_error()) != 0)
		th_fail(__FILE__, line, "last error \"%s\" != \"%s\"", sandlock_last_error(), msg);
	free(msg);
}

static sandlock_sandbox_t *build_ok_at(int line, sandlock_builder_t *b)
{
	int err = 1;
	char *msg = (char *)1;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);
	if (!p)
		th_fail(__FILE__, line, "build failed: %s", msg ? msg : "(null)");
	if (err != 0 || msg != NULL)
		th_fail(__FILE__, line, "success with err %d, msg %p", err, (void *)msg);
	return p;
}

#define BUILD_FAILS(b, want) build_fails_at(__LINE__, (b), (want))
#define BUILD_OK(b)	     build_ok_at(__LINE__, (b))
#define NEW()		     sandlock_sandbox_builder_new()

/* A file in the test's private directory. */
static const char *tmpfile_path(const char *name)
{
	static char buf[4][512];
	static int next;
	char *p = buf[next++ % 4];
	snprintf(p, sizeof(buf[0]), "%s/%s", th_tmpdir(), name);
	FILE *f = fopen(p, "w");
	if (!f)
		th_fail(__FILE__, __LINE__, "fopen %s: %s", p, strerror(errno));
	fputs("x\n", f);
	fclose(f);
	return p;
}

static int32_t dummy_policy(const sandlock_event_t *ev, sandlock_ctx_t *ctx)
{
	(void)ev;
	(void)ctx;
	return 0;
}

/* ---- builder ABI ------------------------------------------------------------ */

TEST(policy_defaults)
{
	sandlock_sandbox_t *p = BUILD_OK(NEW());
	CHECK_EQ(p->max_processes, 64);
	CHECK_EQ(p->fs_isolation, SL_ISO_NONE);
	CHECK_EQ(p->on_exit, SL_BRANCH_COMMIT);
	CHECK_EQ(p->on_error, SL_BRANCH_ABORT);
	CHECK(!p->on_exit_set && !p->on_error_set);
	CHECK(!p->max_memory.set && !p->max_cpu.set && !p->uid.set);
	CHECK(!p->clean_env && !p->port_remap && !p->cpu_cores_set && !p->gpu_devices_set);
	CHECK_EQ(p->fs_read.n, 0);
	CHECK_EQ(p->n_net_rules, 0);
	CHECK_EQ(p->http_ports.n, 0);
	CHECK(p->policy_fn == NULL);
	sandlock_sandbox_free(p);
	sandlock_sandbox_free(NULL);
}

TEST(policy_build_null_builder)
{
	int err = 0;
	char *msg = NULL;
	CHECK(sandlock_sandbox_build(NULL, &err, &msg) == NULL);
	CHECK_EQ(err, -1);
	CHECK_STR(msg, "builder is NULL");
	CHECK_STR(sandlock_last_error(), "builder is NULL");
	free(msg);
	CHECK(sandlock_sandbox_build(NULL, NULL, NULL) == NULL);
	/* err and err_msg may be NULL on failure too */
	CHECK(sandlock_sandbox_build(sandlock_sandbox_builder_max_cpu(NEW(), 0), NULL, NULL) ==
	      NULL);
	CHECK_CONTAINS(sandlock_last_error(), "max_cpu");
}

TEST(policy_builder_null_builder_is_ignored)
{
	sandlock_builder_t *n = NULL;
	uint32_t one = 1;
	CHECK(sandlock_sandbox_builder_fs_read(n, "/") == NULL);
	CHECK(sandlock_sandbox_builder_fs_write(n, "/") == NULL);
	CHECK(sandlock_sandbox_builder_fs_deny(n, "/") == NULL);
	CHECK(sandlock_sandbox_builder_fs_storage(n, "/") == NULL);
	CHECK(sandlock_sandbox_builder_fs_isolation(n, 1) == NULL);
	CHECK(sandlock_sandbox_builder_gpu_devices(n, &one, 1) == NULL);
	CHECK(sandlock_sandbox_builder_workdir(n, "/") == NULL);
	CHECK(sandlock_sandbox_builder_cwd(n, "/") == NULL);
	CHECK(sandlock_sandbox_builder_chroot(n, "/") == NULL);
	CHECK(sandlock_sandbox_builder_fs_mount(n, "/a", "/") == NULL);
	CHECK(sandlock_sandbox_builder_on_exit(n, 1) == NULL);
	CHECK(sandlock_sandbox_builder_on_error(n, 1) == NULL);
	CHECK(sandlock_sandbox_builder_max_memory(n, 1) == NULL);
	CHECK(sandlock_sandbox_builder_max_disk(n, 1) == NULL);
	CHECK(sandlock_sandbox_builder_max_processes(n, 1) == NULL);
	CHECK(sandlock_sandbox_builder_max_cpu(n, 1) == NULL);
	CHECK(sandlock_sandbox_builder_num_cpus(n, 1) == NULL);
	CHECK(sandlock_sandbox_builder_cpu_cores(n, &one, 1) == NULL);
	CHECK(sandlock_sandbox_builder_net_allow(n, ":80") == NULL);
	CHECK(sandlock_sandbox_builder_net_bind_port(n, 80) == NULL);
	CHECK(sandlock_sandbox_builder_net_deny(n, ":80") == NULL);
	CHECK(sandlock_sandbox_builder_net_allow_bind(n, "80") == NULL);
	CHECK(sandlock_sandbox_builder_net_deny_bind(n, "80") == NULL);
	CHECK(sandlock_sandbox_builder_port_remap(n, true) == NULL);
	CHECK(sandlock_sandbox_builder_uid(n, 1) == NULL);
	CHECK(sandlock_sandbox_builder_http_allow(n, "* *") == NULL);
	CHECK(sandlock_sandbox_builder_http_deny(n, "* *") == NULL);
	CHECK(sandlock_sandbox_builder_http_port(n, 80) == NULL);
	CHECK(sandlock_sandbox_builder_http_ca(n, "/") == NULL);
	CHECK(sandlock_sandbox_builder_http_key(n, "/") == NULL);
	CHECK(sandlock_sandbox_builder_random_seed(n, 1) == NULL);
	CHECK(sandlock_sandbox_builder_clean_env(n, true) == NULL);
	CHECK(sandlock_sandbox_builder_env_var(n, "A", "B") == NULL);
	CHECK(sandlock_sandbox_builder_time_start(n, 1) == NULL);
	CHECK(sandlock_sandbox_builder_extra_deny_syscalls(n, "mount") == NULL);
	CHECK(sandlock_sandbox_builder_extra_allow_syscalls(n, "sysv_ipc") == NULL);
	CHECK(sandlock_sandbox_builder_max_open_files(n, 1) == NULL);
	CHECK(sandlock_sandbox_builder_no_randomize_memory(n, true) == NULL);
	CHECK(sandlock_sandbox_builder_no_huge_pages(n, true) == NULL);
	CHECK(sandlock_sandbox_builder_no_coredump(n, true) == NULL);
	CHECK(sandlock_sandbox_builder_deterministic_dirs(n, true) == NULL);
	CHECK(sandlock_sandbox_builder_policy_fn(n, dummy_policy) == NULL);
}

TEST(policy_builder_null_strings_are_ignored)
{
	sandlock_builder_t *b = NEW();
	CHECK(sandlock_sandbox_builder_fs_read(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_fs_write(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_fs_deny(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_fs_storage(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_workdir(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_cwd(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_chroot(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_fs_mount(b, NULL, "/") == b);
	CHECK(sandlock_sandbox_builder_fs_mount(b, "/a", NULL) == b);
	CHECK(sandlock_sandbox_builder_net_allow(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_net_deny(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_net_allow_bind(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_net_deny_bind(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_http_allow(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_http_deny(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_http_ca(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_http_key(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_env_var(b, NULL, "v") == b);
	CHECK(sandlock_sandbox_builder_env_var(b, "k", NULL) == b);
	CHECK(sandlock_sandbox_builder_extra_deny_syscalls(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_extra_allow_syscalls(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_policy_fn(b, NULL) == b);
	/* nothing was recorded: the empty policy builds */
	sandlock_sandbox_t *p = BUILD_OK(b);
	CHECK_EQ(p->fs_read.n + p->fs_mount_virt.n + p->net_allow.n + p->env_keys.n, 0);
	CHECK(!p->cwd && !p->chroot && !p->http_ca);
	sandlock_sandbox_free(p);
}

TEST(policy_supported_fields_build)
{
	const char *w = th_tmpdir();
	uint32_t core0 = 0;
	sandlock_builder_t *b = NEW();
	b = sandlock_sandbox_builder_fs_read(b, "/usr");
	b = sandlock_sandbox_builder_fs_read(b, "/etc");
	b = sandlock_sandbox_builder_fs_write(b, w);
	b = sandlock_sandbox_builder_extra_deny_syscalls(b, " mount , ptrace,,bpf, mount ");
	b = sandlock_sandbox_builder_extra_allow_syscalls(b, "sysv_ipc");
	b = sandlock_sandbox_builder_net_bind_port(b, 8080);
	b = sandlock_sandbox_builder_net_bind_port(b, 8080);
	b = sandlock_sandbox_builder_net_bind_port(b, 65535);
	b = sandlock_sandbox_builder_cwd(b, "/tmp");
	b = sandlock_sandbox_builder_cwd(b, w); /* scalars override */
	b = sandlock_sandbox_builder_clean_env(b, true);
	b = sandlock_sandbox_builder_env_var(b, "A", "1");
	b = sandlock_sandbox_builder_env_var(b, "B", "2");
	b = sandlock_sandbox_builder_env_var(b, "A", "3"); /* later wins */
	b = sandlock_sandbox_builder_max_open_files(b, 100);
	b = sandlock_sandbox_builder_no_randomize_memory(b, true);
	b = sandlock_sandbox_builder_no_huge_pages(b, true);
	b = sandlock_sandbox_builder_no_coredump(b, true);
	b = sandlock_sandbox_builder_cpu_cores(b, &core0, 1);
	b = sandlock_sandbox_builder_cpu_cores(b, &core0, 1);
	b = sandlock_sandbox_builder_on_exit(b, SL_BRANCH_ABORT);
	b = sandlock_sandbox_builder_on_error(b, SL_BRANCH_KEEP);
	b = sandlock_sandbox_builder_max_processes(b, 64); /* explicit default */
	b = sandlock_sandbox_builder_port_remap(b, false);
	sandlock_sandbox_t *p = BUILD_OK(b);
	CHECK_EQ(p->fs_read.n, 2);
	CHECK_STR(p->fs_read.v[1], "/etc");
	CHECK(p->fs_read.v[2] == NULL);
	CHECK_STR(p->fs_write.v[0], w);
	CHECK_EQ(p->deny_syscalls.n, 3);
	CHECK_STR(p->deny_syscalls.v[0], "mount");
	CHECK_STR(p->deny_syscalls.v[1], "ptrace");
	CHECK_STR(p->deny_syscalls.v[2], "bpf");
	CHECK_EQ(p->allow_groups.n, 1);
	CHECK_EQ(p->net_bind.n, 2);
	CHECK_EQ(p->net_bind.v[0], 8080);
	CHECK_EQ(p->net_bind.v[1], 65535);
	CHECK_STR(p->cwd, w);
	CHECK(p->clean_env);
	CHECK_EQ(p->env_keys.n, 2);
	CHECK_STR(p->env_keys.v[0], "A");
	CHECK_STR(p->env_vals.v[0], "3");
	CHECK_STR(p->env_vals.v[1], "2");
	CHECK(p->max_open_files.set && p->max_open_files.v == 100);
	CHECK(p->no_randomize_memory && p->no_huge_pages && p->no_coredump);
	CHECK(p->cpu_cores_set);
	CHECK_EQ(p->cpu_cores.n, 1); /* deduplicated */
	CHECK_EQ(p->on_exit, SL_BRANCH_ABORT);
	CHECK_EQ(p->on_error, SL_BRANCH_KEEP);
	CHECK(p->on_exit_set && p->on_error_set);
	sandlock_sandbox_free(p);
}

TEST(policy_cpu_cores_empty_list_is_accepted)
{
	sandlock_sandbox_t *p = BUILD_OK(sandlock_sandbox_builder_cpu_cores(NEW(), NULL, 0));
	CHECK(p->cpu_cores_set);
	CHECK_EQ(p->cpu_cores.n, 0);
	sandlock_sandbox_free(p);
}

TEST(policy_deferred_builder_error)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_cpu_cores(NEW(), NULL, 3);
	/* the first error wins; later valid or invalid calls do not hide it */
	b = sandlock_sandbox_builder_gpu_devices(b, NULL, 5);
	b = sandlock_sandbox_builder_max_cpu(b, 0);
	BUILD_FAILS(b, "cpu_cores: NULL array with length 3");
}

/* ---- validation ---------------------------------------------------------------- */

TEST(policy_fs_paths_must_exist)
{
	BUILD_FAILS(sandlock_sandbox_builder_fs_read(NEW(), "/nope/x"),
		    "fs_read: /nope/x: No such file or directory");
	BUILD_FAILS(sandlock_sandbox_builder_fs_write(NEW(), "/nope/y"),
		    "fs_write: /nope/y: No such file or directory");
	BUILD_FAILS(sandlock_sandbox_builder_fs_deny(NEW(), "/nope/z"),
		    "fs_deny: /nope/z: No such file or directory");
	BUILD_FAILS(sandlock_sandbox_builder_fs_read(NEW(), ""), "fs_read: empty path");
	/* a file is fine for fs rules */
	const char *f = tmpfile_path("file");
	sandlock_sandbox_free(BUILD_OK(sandlock_sandbox_builder_fs_read(NEW(), f)));
	/* fs_denied is enforced: an existing path builds */
	sandlock_sandbox_free(BUILD_OK(sandlock_sandbox_builder_fs_deny(NEW(), f)));
	sandlock_sandbox_free(BUILD_OK(sandlock_sandbox_builder_fs_deny(NEW(), th_tmpdir())));
	/* symlinks are followed */
	char link[600];
	snprintf(link, sizeof(link), "%s/dangling", th_tmpdir());
	CHECK_EQ(symlink("/nope/target", link), 0);
	BUILD_FAILS(sandlock_sandbox_builder_fs_read(NEW(), link), "No such file or directory");
}

TEST(policy_directories_must_be_directories)
{
	const char *f = tmpfile_path("notadir");
	char want[700];
	snprintf(want, sizeof(want), "cwd: %s: Not a directory", f);
	BUILD_FAILS(sandlock_sandbox_builder_cwd(NEW(), f), want);
	BUILD_FAILS(sandlock_sandbox_builder_cwd(NEW(), "/nope"),
		    "cwd: /nope: No such file or directory");
	BUILD_FAILS(sandlock_sandbox_builder_workdir(NEW(), f), "workdir: ");
	BUILD_FAILS(sandlock_sandbox_builder_workdir(NEW(), "/nope"), "workdir: /nope: No such");
	BUILD_FAILS(sandlock_sandbox_builder_chroot(NEW(), f), "chroot: ");
	BUILD_FAILS(sandlock_sandbox_builder_fs_storage(NEW(), "/nope"), "fs_storage: /nope");
	BUILD_FAILS(sandlock_sandbox_builder_fs_storage(NEW(), f), "Not a directory");
}

TEST(policy_chroot_paths_are_virtual)
{
	const char *root = th_tmpdir();
	/* fs paths are not looked up on the host under chroot, but must be
	 * absolute; cwd is looked up inside the root */
	sandlock_builder_t *b = sandlock_sandbox_builder_chroot(NEW(), root);
	b = sandlock_sandbox_builder_fs_read(b, "/only/in/the/image");
	BUILD_FAILS(b, "not supported yet: chroot");
	b = sandlock_sandbox_builder_chroot(NEW(), root);
	b = sandlock_sandbox_builder_fs_read(b, "relative");
	BUILD_FAILS(b, "fs_read: 'relative' must be an absolute path");
	b = sandlock_sandbox_builder_chroot(NEW(), root);
	b = sandlock_sandbox_builder_cwd(b, "/usr");
	BUILD_FAILS(b, "/usr: No such file or directory");
}

TEST(policy_limits)
{
	BUILD_FAILS(sandlock_sandbox_builder_max_cpu(NEW(), 0), "max_cpu must be 1-100, got 0");
	BUILD_FAILS(sandlock_sandbox_builder_max_cpu(NEW(), 101), "max_cpu must be 1-100, got 101");
	BUILD_FAILS(sandlock_sandbox_builder_max_cpu(NEW(), 255), "got 255");
	sandlock_sandbox_free(BUILD_OK(sandlock_sandbox_builder_max_cpu(NEW(), 100)));
	BUILD_FAILS(sandlock_sandbox_builder_max_memory(NEW(), 0),
		    "max_memory must be greater than 0");
	BUILD_FAILS(sandlock_sandbox_builder_max_disk(NEW(), 0), "max_disk must be greater than 0");
	BUILD_FAILS(sandlock_sandbox_builder_max_processes(NEW(), 0),
		    "max_processes must be greater than 0");
	BUILD_FAILS(sandlock_sandbox_builder_max_open_files(NEW(), 0),
		    "max_open_files must be greater than 0");
	BUILD_FAILS(sandlock_sandbox_builder_num_cpus(NEW(), 0),
		    "num_cpus: 0 is not a CPU count of this sandbox (1-");
}

/* num_cpus is bounded by the CPUs the command may run on: its cores, or
 * the caller's affinity; the value is quoted. */
TEST(policy_num_cpus_within_the_cpus_at_hand)
{
	cpu_set_t mine;
	CHECK(sched_getaffinity(0, sizeof(mine), &mine) == 0);
	int have = CPU_COUNT(&mine);
	sandlock_sandbox_free(BUILD_OK(sandlock_sandbox_builder_num_cpus(NEW(), 1)));
	sandlock_sandbox_free(BUILD_OK(sandlock_sandbox_builder_num_cpus(NEW(), (uint32_t)have)));
	char want[96];
	snprintf(want, sizeof(want), "num_cpus: %d is not a CPU count of this sandbox (1-%d)",
		 have + 1, have);
	BUILD_FAILS(sandlock_sandbox_builder_num_cpus(NEW(), (uint32_t)have + 1), want);
	uint32_t one[] = {0};
	BUILD_FAILS(
	    sandlock_sandbox_builder_num_cpus(sandlock_sandbox_builder_cpu_cores(NEW(), one, 1), 2),
	    "num_cpus: 2 is not a CPU count of this sandbox (1-1)");
}

TEST(policy_cpu_cores_must_exist)
{
	long conf = sysconf(_SC_NPROCESSORS_CONF);
	if (conf < 1 || conf >= 1024)
		SKIP("CPU count %ld", conf);
	uint32_t core = (uint32_t)conf;
	char want[128];
	snprintf(want, sizeof(want), "cpu_cores: CPU %u does not exist (this machine has %ld)",
		 core, conf);
	BUILD_FAILS(sandlock_sandbox_builder_cpu_cores(NEW(), &core, 1), want);
	uint32_t big[] = {0, 5000};
	BUILD_FAILS(sandlock_sandbox_builder_cpu_cores(NEW(), big, 2),
		    "cpu_cores: CPU 5000 is out of range (0-1023)");
	uint32_t last = (uint32_t)conf - 1;
	sandlock_sandbox_free(BUILD_OK(sandlock_sandbox_builder_cpu_cores(NEW(), &last, 1)));
}

TEST(policy_modes)
{
	BUILD_FAILS(sandlock_sandbox_builder_on_exit(NEW(), 7),
		    "on_exit: invalid action 7 (0 commit, 1 abort, 2 keep)");
	BUILD_FAILS(sandlock_sandbox_builder_on_error(NEW(), 3),
		    "on_error: invalid action 3 (0 commit, 1 abort, 2 keep)");
	BUILD_FAILS(sandlock_sandbox_builder_fs_isolation(NEW(), 5),
		    "fs_isolation: invalid mode 5 (0 none, 1 overlayfs, 2 branchfs)");
	BUILD_FAILS(sandlock_sandbox_builder_fs_isolation(NEW(), SL_ISO_OVERLAYFS),
		    "fs_isolation requires workdir to be set");
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_isolation(NEW(), SL_ISO_BRANCHFS);
	b = sandlock_sandbox_builder_workdir(b, th_tmpdir());
	BUILD_FAILS(b, "fs_isolation branchfs is not supported");
	BUILD_FAILS(sandlock_sandbox_builder_fs_storage(NEW(), th_tmpdir()),
		    "fs_storage requires workdir to be set");
	b = sandlock_sandbox_builder_fs_storage(NEW(), th_tmpdir());
	b = sandlock_sandbox_builder_fs_isolation(b, SL_ISO_OVERLAYFS);
	BUILD_FAILS(sandlock_sandbox_builder_workdir(b, "/"), "is inside the workdir");
}

TEST(policy_fs_mount)
{
	const char *root = th_tmpdir();
	sandlock_builder_t *b = sandlock_sandbox_builder_chroot(NEW(), root);
	b = sandlock_sandbox_builder_fs_mount(b, "data", "/tmp");
	BUILD_FAILS(b, "fs_mount: virtual path 'data' must be absolute");
	b = sandlock_sandbox_builder_chroot(NEW(), root);
	b = sandlock_sandbox_builder_fs_mount(b, "/data", "/nope");
	BUILD_FAILS(b, "fs_mount: /nope: No such file or directory");
	BUILD_FAILS(sandlock_sandbox_builder_fs_mount(NEW(), "/data", "/tmp"),
		    "fs_mount requires chroot");
	b = sandlock_sandbox_builder_chroot(NEW(), root);
	b = sandlock_sandbox_builder_fs_mount(b, "/data", "/tmp");
	BUILD_FAILS(b, "not supported yet: fs_mount");
}

TEST(policy_env_names)
{
	BUILD_FAILS(sandlock_sandbox_builder_env_var(NEW(), "A=B", "x"),
		    "env: invalid variable name 'A=B': character '=' at position 2");
	BUILD_FAILS(sandlock_sandbox_builder_env_var(NEW(), "", "x"),
		    "env: invalid variable name '': must not be empty");
	BUILD_FAILS(sandlock_sandbox_builder_env_var(NEW(), "A\nB", "x"),
		    "env: invalid variable name 'A\\nB': control character '\\n' at position 2");
	/* an empty value is fine */
	sandlock_sandbox_free(BUILD_OK(sandlock_sandbox_builder_env_var(NEW(), "A", "")));
}

TEST(policy_syscall_names)
{
	BUILD_FAILS(sandlock_sandbox_builder_extra_deny_syscalls(NEW(), "mount,bogus1, fcntl64 ,x"),
		    "unknown syscall name(s): bogus1, fcntl64, x");
	/* every name of the architecture, spaces trimmed */
	sandlock_sandbox_free(
	    BUILD_OK(sandlock_sandbox_builder_extra_deny_syscalls(NEW(), "getpid, read ,mseal")));
	BUILD_FAILS(sandlock_sandbox_builder_extra_allow_syscalls(NEW(), "sysv_ipc,sysvipc"),
		    "unknown syscall group(s): sysvipc");
	/* a group is not a syscall name and the other way round */
	BUILD_FAILS(sandlock_sandbox_builder_extra_deny_syscalls(NEW(), "sysv_ipc"),
		    "unknown syscall name(s): sysv_ipc");
	BUILD_FAILS(sandlock_sandbox_builder_extra_allow_syscalls(NEW(), "shmget"),
		    "unknown syscall group(s): shmget");
	/* only separators: nothing recorded */
	sandlock_sandbox_t *p =
	    BUILD_OK(sandlock_sandbox_builder_extra_deny_syscalls(NEW(), " , ,, "));
	CHECK_EQ(p->deny_syscalls.n, 0);
	sandlock_sandbox_free(p);
}

TEST(policy_syscall_names_long_list_is_bounded)
{
	sandlock_builder_t *b = NEW();
	char name[32];
	for (int i = 0; i < 400; i++) {
		snprintf(name, sizeof(name), "bogus_%d", i);
		b = sandlock_sandbox_builder_extra_deny_syscalls(b, name);
	}
	BUILD_FAILS(b, "unknown syscall name(s): bogus_0, bogus_1, ");
}

TEST(policy_net_rules_validated)
{
	BUILD_FAILS(sandlock_sandbox_builder_net_allow(NEW(), "sctp://h:1"),
		    "net_allow: 'sctp://h:1': unknown scheme 'sctp'");
	BUILD_FAILS(sandlock_sandbox_builder_net_allow(NEW(), "h:0"), "port 0 is not valid");
	sandlock_sandbox_free(BUILD_OK(sandlock_sandbox_builder_net_allow(NEW(), ":80")));
}

/* net_deny and the bind specs: recorded, checked at build (quoted), then
 * refused until their enforcement lands. */
TEST(policy_net_deny_and_bind_specs_validated)
{
	BUILD_FAILS(sandlock_sandbox_builder_net_deny(NEW(), "10.0.0.1/8:*"),
		    "net_deny: '10.0.0.1/8:*': '10.0.0.1/8' has bits set past its prefix length "
		    "(the range is 10.0.0.0/8)");
	BUILD_FAILS(sandlock_sandbox_builder_net_deny(NEW(), "h:1-2-3"),
		    "net_deny: 'h:1-2-3': invalid port range '1-2-3' (write lo-hi)");
	BUILD_FAILS(sandlock_sandbox_builder_net_allow_bind(NEW(), "8080,0"),
		    "net_allow_bind: '8080,0': port 0 is not allowed (it would let the sandbox "
		    "bind an ephemeral port)");
	BUILD_FAILS(
	    sandlock_sandbox_builder_net_deny_bind(NEW(), "9000-8000"),
	    "net_deny_bind: '9000-8000': invalid port range '9000-8000': 9000 is above 8000");
	BUILD_FAILS(sandlock_sandbox_builder_net_deny_bind(NEW(), "*,22"),
		    "net_deny_bind: '*,22': cannot mix '*' with port numbers");
	BUILD_FAILS(sandlock_sandbox_builder_net_allow_bind(NEW(), ""),
		    "net_allow_bind: '': invalid port '' (an empty item in the list)");

	/* every spec of a list is checked, the later ones too */
	sandlock_builder_t *b = sandlock_sandbox_builder_net_deny(NEW(), "[2001:db8::/32]:443");
	b = sandlock_sandbox_builder_net_deny(b, "udp://10.0.0.0/8:53");
	b = sandlock_sandbox_builder_net_deny(b, "sctp://h:1");
	BUILD_FAILS(b, "net_deny: 'sctp://h:1': unknown scheme 'sctp'");

	/* a malformed spec is reported before net_allow's "not supported" */
	b = sandlock_sandbox_builder_net_allow(NEW(), ":443");
	b = sandlock_sandbox_builder_net_allow_bind(b, "70000");
	BUILD_FAILS(b, "net_allow_bind: '70000': port 70000 is out of range (1-65535)");

	/* well formed: parsed, then refused */
	b = sandlock_sandbox_builder_net_deny(NEW(), "10.0.0.0/8:*");
	b = sandlock_sandbox_builder_net_deny(b, "icmp://[::1]");
	b = sandlock_sandbox_builder_net_allow_bind(b, "8000-8100");
	b = sandlock_sandbox_builder_net_allow_bind(b, "22,8050-8200");
	b = sandlock_sandbox_builder_net_deny_bind(b, "8080");
	CHECK_EQ(policy_validate(&b->cfg), 0);
	CHECK_EQ(b->cfg.n_net_deny_rules, 2);
	CHECK_EQ(b->cfg.net_deny_rules[0].target, SL_TARGET_ADDR);
	CHECK_EQ(b->cfg.net_deny_rules[1].proto, SL_PROTO_ICMP);
	CHECK_EQ(b->cfg.n_net_rules, 0);
	CHECK_EQ(b->cfg.bind_allow.n, 2); /* the union of the specs */
	CHECK_EQ(b->cfg.bind_allow.v[1].lo, 8000);
	CHECK_EQ(b->cfg.bind_allow.v[1].hi, 8200);
	CHECK_EQ(b->cfg.bind_deny.v[0].lo, 8080);
	/* validation is idempotent */
	CHECK_EQ(policy_validate(&b->cfg), 0);
	CHECK_EQ(b->cfg.n_net_deny_rules, 2);
	CHECK_EQ(b->cfg.bind_allow.n, 2);
	sandlock_sandbox_free(BUILD_OK(b));
}

/* A bind rule for port 0 would allow bind(0): any ephemeral port. */
TEST(policy_net_bind_port_zero)
{
	BUILD_FAILS(sandlock_sandbox_builder_net_bind_port(NEW(), 0),
		    "net_bind: port 0 is not allowed (it would let the sandbox bind an ephemeral "
		    "port)");
	sandlock_builder_t *b = sandlock_sandbox_builder_net_bind_port(NEW(), 8080);
	b = sandlock_sandbox_builder_net_bind_port(b, 0);
	BUILD_FAILS(b, "net_bind: port 0 is not allowed");
	b = sandlock_sandbox_builder_net_bind_port(NEW(), 1);
	sandlock_sandbox_free(BUILD_OK(sandlock_sandbox_builder_net_bind_port(b, 65535)));
}

TEST(policy_http_validated)
{
	BUILD_FAILS(sandlock_sandbox_builder_http_allow(NEW(), "GET"),
		    "invalid http rule: 'GET': ");
	BUILD_FAILS(sandlock_sandbox_builder_http_deny(NEW(), "GET *.x.com"),
		    "invalid http rule: 'GET *.x.com': host wildcards");
	BUILD_FAILS(sandlock_sandbox_builder_http_port(NEW(), 0),
		    "http_ports: port 0 is not valid");
	const char *ca = tmpfile_path("ca.pem"), *key = tmpfile_path("key.pem");
	BUILD_FAILS(sandlock_sandbox_builder_http_ca(NEW(), ca),
		    "http_ca and http_key must be given together");
	BUILD_FAILS(sandlock_sandbox_builder_http_key(NEW(), key),
		    "http_ca and http_key must be given together");
	sandlock_builder_t *b = sandlock_sandbox_builder_http_ca(NEW(), "/nope/ca.pem");
	b = sandlock_sandbox_builder_http_key(b, key);
	BUILD_FAILS(b, "http_ca: /nope/ca.pem: No such file or directory");
	b = sandlock_sandbox_builder_http_ca(NEW(), ca);
	b = sandlock_sandbox_builder_http_key(b, th_tmpdir());
	BUILD_FAILS(b, "http_key: ");
	b = sandlock_sandbox_builder_http_ca(NEW(), ca);
	b = sandlock_sandbox_builder_http_key(b, key);
	BUILD_OK(b); /* the pair is loaded, and checked, when the sandbox starts */
}

/* Validation errors come before "not supported yet". */
TEST(policy_error_order)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_max_memory(NEW(), 1 << 20);
	b = sandlock_sandbox_builder_max_cpu(b, 0);
	BUILD_FAILS(b, "max_cpu must be 1-100");
	b = sandlock_sandbox_builder_uid(NEW(), 0);
	b = sandlock_sandbox_builder_cpu_cores(b, NULL, 1);
	BUILD_FAILS(b, "cpu_cores: NULL array");
}

/* ---- not supported yet ---------------------------------------------------------- */

#define UNSUPPORTED(field, ...)                                                                    \
	do {                                                                                       \
		sandlock_builder_t *b = NEW();                                                     \
		b = __VA_ARGS__;                                                                   \
		BUILD_FAILS(b, "not supported yet: " field);                                       \
	} while (0)

TEST(policy_not_supported_yet)
{
	const char *d = th_tmpdir();
	UNSUPPORTED(
	    "keep (on_exit, on_error) with max_disk",
	    sandlock_sandbox_builder_on_exit(
		sandlock_sandbox_builder_max_disk(sandlock_sandbox_builder_fs_isolation(
						      sandlock_sandbox_builder_workdir(b, d), 1),
						  1 << 20),
		2));
	/* the seccomp copy-on-write layer (fs_isolation none) is there, with
	 * keep and max_disk too */
	sandlock_builder_t *ok = sandlock_sandbox_builder_on_exit(
	    sandlock_sandbox_builder_max_disk(sandlock_sandbox_builder_workdir(NEW(), d), 1 << 20),
	    2);
	int err = 0;
	char *msg = NULL;
	sandlock_sandbox_t *p = sandlock_sandbox_build(ok, &err, &msg);
	CHECK(p != NULL && err == 0);
	sandlock_sandbox_free(p);
	free(msg);
	UNSUPPORTED("fs_mount", sandlock_sandbox_builder_fs_mount(
				    sandlock_sandbox_builder_chroot(b, d), "/m", "/tmp"));
	UNSUPPORTED("chroot", sandlock_sandbox_builder_chroot(b, d));
	UNSUPPORTED("gpu_devices", sandlock_sandbox_builder_gpu_devices(b, NULL, 0));
	UNSUPPORTED("uid", sandlock_sandbox_builder_uid(b, 0));
	/* the message is exactly the field name */
	BUILD_FAILS(sandlock_sandbox_builder_uid(NEW(), 1000), "not supported yet: uid");
	CHECK_STR(sandlock_last_error(), "not supported yet: uid");
}

/* ---- HTTP -> network auto-merge --------------------------------------------------- */

/* A TCP rule for host (a name, an address as netaddr_format writes it, or
 * NULL for any) on exactly the n ports. */
static bool has_rule(const struct sandlock_sandbox *c, const char *host, const uint32_t *ports,
		     size_t n)
{
	struct sl_portset want = {0};
	bool found = false;
	for (size_t i = 0; i < n; i++)
		CHECK_EQ(portset_add(&want, (uint16_t)ports[i], (uint16_t)ports[i]), 0);
	for (size_t i = 0; i < c->n_net_rules && !found; i++) {
		const struct sl_net_rule *r = &c->net_rules[i];
		char addr[NETADDR_STRLEN] = "";
		if (r->proto != SL_PROTO_TCP || !portset_equal(&r->ports, &want))
			continue;
		if (r->target == SL_TARGET_ADDR)
			netaddr_format(&r->addr, addr);
		if (!host)
			found = r->target == SL_TARGET_ANY;
		else if (r->target == SL_TARGET_NAME)
			found = strcmp(r->host, host) == 0;
		else
			found = strcmp(addr, host) == 0;
	}
	portset_free(&want);
	return found;
}

TEST(policy_http_auto_merge)
{
	sandlock_builder_t *b = NEW();
	b = sandlock_sandbox_builder_net_allow(b, "udp://1.1.1.1:53");
	b = sandlock_sandbox_builder_http_allow(b, "GET Api.Example.com/v1/*");
	b = sandlock_sandbox_builder_http_allow(b, "POST api.example.com/v2");
	b = sandlock_sandbox_builder_http_deny(b, "* other.org/admin");
	struct sandlock_sandbox *c = &b->cfg;
	CHECK_EQ(policy_validate(c), 0);
	CHECK_EQ(c->n_http_allow, 2);
	CHECK_EQ(c->n_http_deny, 1);
	CHECK_STR(c->http_rules[2].host, "other.org");
	CHECK_EQ(c->http_ports.n, 1);
	CHECK_EQ(c->http_ports.v[0], 80);
	uint32_t p80[] = {80};
	CHECK_EQ(c->n_net_rules, 3); /* user rule, then one per distinct host */
	CHECK_EQ(c->net_rules[0].proto, SL_PROTO_UDP);
	CHECK(has_rule(c, "api.example.com", p80, 1));
	CHECK(has_rule(c, "other.org", p80, 1));
	CHECK(!has_rule(c, NULL, p80, 1));
	CHECK_EQ(c->net_allow.n, 1); /* the user's strings are untouched */
	/* validation is idempotent */
	CHECK_EQ(policy_validate(c), 0);
	CHECK_EQ(c->n_net_rules, 3);
	CHECK_EQ(c->http_ports.n, 1);
}

TEST(policy_http_auto_merge_any_host_and_ca)
{
	const char *ca = tmpfile_path("ca"), *key = tmpfile_path("key");
	sandlock_builder_t *b = NEW();
	b = sandlock_sandbox_builder_http_allow(b, "GET */x");
	b = sandlock_sandbox_builder_http_allow(b, "GET [::1]/x");
	b = sandlock_sandbox_builder_http_ca(b, ca);
	b = sandlock_sandbox_builder_http_key(b, key);
	struct sandlock_sandbox *c = &b->cfg;
	CHECK_EQ(policy_validate(c), 0);
	uint32_t p[] = {80, 443};
	CHECK_EQ(c->http_ports.n, 2);
	CHECK_EQ(c->n_net_rules, 2);
	CHECK(has_rule(c, "::1", p, 2));
	CHECK(has_rule(c, NULL, p, 2));
}

TEST(policy_http_auto_merge_explicit_ports)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_http_deny(NEW(), "GET h.com/x");
	b = sandlock_sandbox_builder_http_port(b, 8080);
	b = sandlock_sandbox_builder_http_port(b, 8080);
	CHECK_EQ(policy_validate(&b->cfg), 0);
	uint32_t p[] = {8080};
	CHECK_EQ(b->cfg.http_ports.n, 1);
	CHECK_EQ(b->cfg.n_net_rules, 1);
	CHECK(has_rule(&b->cfg, "h.com", p, 1));

	/* ports without rules: an any-IP rule on those ports */
	b = sandlock_sandbox_builder_http_port(NEW(), 8000);
	CHECK_EQ(policy_validate(&b->cfg), 0);
	uint32_t q[] = {8000};
	CHECK_EQ(b->cfg.n_net_rules, 1);
	CHECK(has_rule(&b->cfg, NULL, q, 1));
}

/* ---- deep copy ------------------------------------------------------------------- */

TEST(policy_copy_is_deep)
{
	const char *d = th_tmpdir();
	uint32_t cores[] = {0}, gpus[] = {1, 2};
	sandlock_builder_t *b = NEW();
	b = sandlock_sandbox_builder_fs_read(b, "/usr");
	b = sandlock_sandbox_builder_fs_write(b, d);
	b = sandlock_sandbox_builder_fs_deny(b, "/etc");
	b = sandlock_sandbox_builder_workdir(b, d);
	b = sandlock_sandbox_builder_cwd(b, d);
	b = sandlock_sandbox_builder_fs_storage(b, "/");
	b = sandlock_sandbox_builder_net_allow(b, "h:1,2");
	b = sandlock_sandbox_builder_net_bind_port(b, 9);
	b = sandlock_sandbox_builder_net_deny(b, "[2001:db8::/32]:1-9");
	b = sandlock_sandbox_builder_net_allow_bind(b, "100-200");
	b = sandlock_sandbox_builder_net_deny_bind(b, "150");
	b = sandlock_sandbox_builder_http_allow(b, "GET h/a");
	b = sandlock_sandbox_builder_http_deny(b, "GET h/b");
	b = sandlock_sandbox_builder_env_var(b, "K", "V");
	b = sandlock_sandbox_builder_extra_deny_syscalls(b, "mount");
	b = sandlock_sandbox_builder_extra_allow_syscalls(b, "sysv_ipc");
	b = sandlock_sandbox_builder_cpu_cores(b, cores, 1);
	b = sandlock_sandbox_builder_gpu_devices(b, gpus, 2);
	b = sandlock_sandbox_builder_max_memory(b, 1 << 20);
	b = sandlock_sandbox_builder_uid(b, 5);
	b = sandlock_sandbox_builder_policy_fn(b, dummy_policy);
	CHECK_EQ(policy_validate(&b->cfg), 0);

	struct sandlock_sandbox c;
	CHECK_EQ(policy_copy(&c, &b->cfg), 0);
	CHECK(c.fs_read.v != b->cfg.fs_read.v);
	CHECK(c.cwd != b->cfg.cwd);
	CHECK(c.net_rules != b->cfg.net_rules);
	CHECK(c.net_deny_rules != b->cfg.net_deny_rules);
	CHECK(c.bind_allow.v != b->cfg.bind_allow.v && c.bind_deny.v != b->cfg.bind_deny.v);
	CHECK(c.http_rules != b->cfg.http_rules);
	BUILD_FAILS(b, "not supported yet"); /* frees the original */

	CHECK_STR(c.fs_read.v[0], "/usr");
	CHECK_STR(c.fs_write.v[0], d);
	CHECK_STR(c.fs_deny.v[0], "/etc");
	CHECK_STR(c.workdir, d);
	CHECK_STR(c.cwd, d);
	CHECK_STR(c.fs_storage, "/");
	CHECK_STR(c.net_allow.v[0], "h:1,2");
	CHECK_EQ(c.n_net_rules, 2); /* user rule + merged http host */
	CHECK_STR(c.net_rules[0].host, "h");
	CHECK_EQ(c.net_rules[0].ports.v[0].hi, 2);
	CHECK_EQ(c.net_bind.v[0], 9);
	CHECK_STR(c.net_deny.v[0], "[2001:db8::/32]:1-9");
	CHECK_EQ(c.n_net_deny_rules, 1);
	CHECK_EQ(c.net_deny_rules[0].addr.prefix, 32);
	CHECK_EQ(c.net_deny_rules[0].ports.v[0].hi, 9);
	CHECK_STR(c.net_allow_bind.v[0], "100-200");
	CHECK_STR(c.net_deny_bind.v[0], "150");
	CHECK_EQ(c.bind_allow.v[0].hi, 200);
	CHECK_EQ(c.bind_deny.v[0].lo, 150);
	CHECK_EQ(c.n_http_allow, 1);
	CHECK_EQ(c.n_http_deny, 1);
	CHECK_STR(c.http_rules[1].path, "/b");
	CHECK_EQ(c.http_ports.v[0], 80);
	CHECK_STR(c.env_vals.v[0], "V");
	CHECK_STR(c.deny_syscalls.v[0], "mount");
	CHECK_STR(c.allow_groups.v[0], "sysv_ipc");
	CHECK_EQ(c.cpu_cores.v[0], 0);
	CHECK_EQ(c.gpu_devices.v[1], 2);
	CHECK(c.gpu_devices_set && c.cpu_cores_set);
	CHECK(c.max_memory.set && c.max_memory.v == 1 << 20);
	CHECK_EQ(c.uid.v, 5);
	CHECK(c.policy_fn == dummy_policy);
	CHECK_EQ(c.max_processes, 64);

	struct sandlock_sandbox c2;
	CHECK_EQ(policy_copy(&c2, &c), 0);
	policy_release(&c);
	CHECK(c.fs_read.v == NULL && c.net_rules == NULL && c.net_deny_rules == NULL);
	CHECK(c.bind_allow.v == NULL && c.net_deny.v == NULL);
	CHECK_STR(c2.http_rules[0].host, "h");
	CHECK_EQ(c2.n_net_deny_rules, 1);
	CHECK_EQ(c2.bind_deny.v[0].hi, 150);
	policy_release(&c2);
	policy_release(NULL);
}

TEST(policy_copy_empty)
{
	struct sandlock_sandbox a, c;
	policy_init(&a);
	CHECK_EQ(policy_copy(&c, &a), 0);
	CHECK_EQ(c.max_processes, 64);
	CHECK(c.fs_read.v == NULL && c.net_rules == NULL && c.http_rules == NULL);
	policy_release(&c);
	policy_release(&a);
}

/* ---- names ------------------------------------------------------------------------ */

TEST(policy_names)
{
	CHECK_EQ(names_check_sandbox("sandbox-1"), 0);
	CHECK_EQ(names_check_sandbox(NULL), -EINVAL);
	CHECK_STR(sl_error_get(), "invalid sandbox name: must not be empty");
	CHECK_EQ(names_check_sandbox(""), -EINVAL);
	CHECK_STR(sl_error_get(), "invalid sandbox name: must not be empty");
	char name[80];
	memset(name, 'n', sizeof(name));
	name[64] = 0;
	CHECK_EQ(names_check_sandbox(name), 0);
	name[64] = 'n';
	name[65] = 0;
	CHECK_EQ(names_check_sandbox(name), -EINVAL);
	CHECK_STR(sl_error_get(), "invalid sandbox name: longer than 64 bytes");
}

#define NAME_RULE                                                                                  \
	" (a sandbox name is 1 to 64 ASCII letters, digits, '.', '_' and '-', starting with a "    \
	"letter or digit: it becomes the hostname and a file name)"

/* What is not safe as a hostname and as a file name is refused, quoted
 * with control and non-ASCII bytes escaped, the byte and its position
 * named. */
TEST(policy_names_refused)
{
	static const struct {
		const char *name, *msg;
	} bad[] = {
	    {"agent\n1", "invalid sandbox name 'agent\\n1': control character '\\n' at position 6"},
	    {"\tx", "invalid sandbox name '\\tx': control character '\\t' at position 1"},
	    {"\x1b[31mred", "invalid sandbox name '\\x1b[31mred': control character '\\x1b' at "
			    "position 1"},
	    {"del\x7f", "invalid sandbox name 'del\\x7f': control character '\\x7f' at position 4"},
	    {"a/b", "invalid sandbox name 'a/b': character '/' at position 2"},
	    {"..", "invalid sandbox name '..': character '.' at position 1"},
	    {".hidden", "invalid sandbox name '.hidden': character '.' at position 1"},
	    {"-rf", "invalid sandbox name '-rf': character '-' at position 1"},
	    {"_x", "invalid sandbox name '_x': character '_' at position 1"},
	    {"agent 1", "invalid sandbox name 'agent 1': character ' ' at position 6"},
	    {"a:b", "invalid sandbox name 'a:b': character ':' at position 2"},
	    {"a\\b", "invalid sandbox name 'a\\\\b': character '\\\\' at position 2"},
	    {"caf\xc3\xa9", "invalid sandbox name 'caf\\xc3\\xa9': non-ASCII byte '\\xc3' at "
			    "position 4"},
	    {"bad\xff", "invalid sandbox name 'bad\\xff': non-ASCII byte '\\xff' at position 4"},
	};
	char want[512];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(names_check_sandbox(bad[i].name), -EINVAL);
		snprintf(want, sizeof(want), "%s%s", bad[i].msg, NAME_RULE);
		CHECK_STR(sl_error_get(), want);
	}

	/* the longest name, all control bytes: the quoted form fits */
	char name[65];
	memset(name, 0x01, 64);
	name[64] = 0;
	CHECK_EQ(names_check_sandbox(name), -EINVAL);
	strcpy(want, "invalid sandbox name '");
	for (int i = 0; i < 64; i++)
		strcat(want, "\\x01");
	strcat(want, "': control character '\\x01' at position 1" NAME_RULE);
	CHECK_STR(sl_error_get(), want);

	CHECK_EQ(names_check_sandbox("agent-1"), 0);
	CHECK_EQ(names_check_sandbox("Build_42.ci-x"), 0);
	CHECK_EQ(names_check_sandbox("9"), 0);
}

/* An environment variable name: valid UTF-8 without '=' or a control
 * byte; the value may hold anything. */
TEST(policy_env_keys_refused)
{
	CHECK_EQ(names_check_env_key("PATH"), 0);
	CHECK_EQ(names_check_env_key("caf\xc3\xa9.x-y"), 0);
	CHECK_EQ(names_check_env_key("A\nB"), -EINVAL);
	CHECK_STR(sl_error_get(),
		  "env: invalid variable name 'A\\nB': control character '\\n' at position 2");
	CHECK_EQ(names_check_env_key("\x1b]0;x"), -EINVAL);
	CHECK_STR(sl_error_get(), "env: invalid variable name '\\x1b]0;x': control character "
				  "'\\x1b' at position 1");
	CHECK_EQ(names_check_env_key("A\xc3("), -EINVAL);
	CHECK_STR(sl_error_get(), "env: invalid variable name 'A\\xc3(': not valid UTF-8");
	CHECK_EQ(names_check_env_key("A=B"), -EINVAL);
	CHECK_STR(sl_error_get(), "env: invalid variable name 'A=B': character '=' at position 2");
	/* a long name is quoted shortened */
	char key[300];
	memset(key, 'K', sizeof(key) - 2);
	key[sizeof(key) - 2] = '\n';
	key[sizeof(key) - 1] = 0;
	CHECK_EQ(names_check_env_key(key), -EINVAL);
	CHECK_CONTAINS(sl_error_get(), "KKK...': control character '\\n' at position 299");
	sandlock_sandbox_free(
	    BUILD_OK(sandlock_sandbox_builder_env_var(NEW(), "A", "line1\nline2")));
}
