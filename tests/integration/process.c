/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process.c - the process a sandbox starts : environment, PATH lookup, resource limits, CPU
 * affinity, personality, working directory and the sandbox name (hostname).
 */
#include <sys/prctl.h>

#include "common.h"

#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* True when the line "want" is one of the lines of text. */
static bool has_line(const char *text, const char *want)
{
	for (int i = 0, n = tc_nlines(text); i < n; i++)
		if (!strcmp(tc_line(text, i), want))
			return true;
	return false;
}

TEST(env_inherited_by_default)
{
	setenv("SL_TEST_INHERIT", "yes", 1);
	sandlock_sandbox_t *p = tc_build(tc_builder());
	char *out = tc_probe_in(p, "env", NULL);
	CHECK(has_line(out, "SL_TEST_INHERIT=yes"));
}

TEST(env_clean)
{
	setenv("SL_TEST_INHERIT", "yes", 1);
	sandlock_builder_t *b = sandlock_sandbox_builder_clean_env(tc_builder(), true);
	b = sandlock_sandbox_builder_env_var(b, "SL_A", "1");
	b = sandlock_sandbox_builder_env_var(b, "SL_B", "two words");
	sandlock_sandbox_t *p = tc_build(b);
	char *out = tc_probe_in(p, "env", NULL);
	CHECK_EQ(tc_nlines(out), 2);
	CHECK(has_line(out, "SL_A=1"));
	CHECK(has_line(out, "SL_B=two words"));
	/* Without env_var entries the environment is empty. */
	p = tc_build(sandlock_sandbox_builder_clean_env(tc_builder(), true));
	CHECK_STR(tc_probe_in(p, "env", NULL), "");
}

TEST(env_var_overrides_and_adds)
{
	setenv("SL_TEST_X", "outer", 1);
	setenv("SL_TEST_KEEP", "kept", 1);
	sandlock_builder_t *b =
	    sandlock_sandbox_builder_env_var(tc_builder(), "SL_TEST_X", "inner");
	b = sandlock_sandbox_builder_env_var(b, "SL_TEST_NEW", "new");
	sandlock_sandbox_t *p = tc_build(b);
	char *out = tc_probe_in(p, "env", NULL);
	CHECK(has_line(out, "SL_TEST_X=inner"));
	CHECK(!has_line(out, "SL_TEST_X=outer"));
	CHECK(has_line(out, "SL_TEST_NEW=new"));
	CHECK(has_line(out, "SL_TEST_KEEP=kept"));
}

TEST(cli_env)
{
	setenv("SL_TEST_INHERIT", "yes", 1);
	char *out = NULL, *err = NULL;
	int rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--clean-env", "--env", "SL_A=x=y",
			    "--", tc_probe(), "env", NULL);
	if (rc != 0)
		th_fail(__FILE__, __LINE__, "cli exit %d, stderr %s", rc, err);
	CHECK_STR(out, "SL_A=x=y\n");
	rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--env", "SL_TEST_INHERIT=no", "--",
			tc_probe(), "env", NULL);
	CHECK_EQ(rc, 0);
	CHECK(has_line(out, "SL_TEST_INHERIT=no"));
	CHECK(!has_line(out, "SL_TEST_INHERIT=yes"));
}

/* A bare command name is looked up in the sandbox's PATH, not the
 * caller's. */
TEST(path_lookup_uses_sandbox_path)
{
	setenv("PATH", "/nonexistent-sl-dir", 1);
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_env_var(tc_builder(), "PATH", tc_probe_dir()));
	struct tc_res r = tc_run(p, NULL, "probe", "exit", "5", NULL);
	CHECK_EQ(r.code, 5);
	/* And the other way round: the caller's PATH finds it, the sandbox's
	 * does not. */
	char *path;
	if (asprintf(&path, "%s:/usr/bin:/bin", tc_probe_dir()) < 0)
		th_fail(__FILE__, __LINE__, "oom");
	setenv("PATH", path, 1);
	p = tc_build(sandlock_sandbox_builder_env_var(tc_builder(), "PATH", "/nonexistent-sl-dir"));
	r = tc_run(p, NULL, "probe", "exit", "5", NULL);
	CHECK_EQ(r.code, 127);
	CHECK_STR(r.note, "probe: command not found");
}

/* clean_env without PATH: the default search path /bin:/usr/bin. */
TEST(path_lookup_default_without_path)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_clean_env(tc_builder_sys(), true);
	b = sandlock_sandbox_builder_env_var(b, "SL_ONLY", "1");
	sandlock_sandbox_t *p = tc_build(b);
	struct tc_res r = tc_run(p, NULL, "env", NULL);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "SL_ONLY=1\n");
}

TEST(max_open_files)
{
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_max_open_files(tc_builder(), 32));
	CHECK_STR(tc_probe_in(p, "rlimit-nofile", NULL), "32 32");
	char *out = tc_probe_in(p, "open-many", tc_probe(), NULL);
	int opened = -1;
	char en[32] = "";
	CHECK_EQ(sscanf(out, "opened=%d errno=%31s", &opened, en), 2);
	CHECK_STR(en, "EMFILE");
	/* fds 0-2 are open; at most 29 more fit under 32. */
	CHECK(opened > 0 && opened <= 29);
}

TEST(cli_max_open_files)
{
	char *out = NULL, *err = NULL;
	int rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--max-open-files", "40", "--",
			    tc_probe(), "rlimit-nofile", NULL);
	if (rc != 0)
		th_fail(__FILE__, __LINE__, "cli exit %d, stderr %s", rc, err);
	CHECK_STR(out, "40 40\n");
}

static unsigned long long nr_open(void)
{
	char *s = tc_read_file("/proc/sys/fs/nr_open");
	return strtoull(s, NULL, 10);
}

static bool cap_sys_resource(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	return syscall(SYS_capget, &h, d) == 0 && (d[0].effective & (1u << CAP_SYS_RESOURCE));
}

/* A max_open_files no run could set is refused at build, not by every
 * run's child: above fs.nr_open for anyone, above the hard limit without
 * CAP_SYS_RESOURCE (with it, the command gets the raised limit). */
TEST(max_open_files_beyond_limits)
{
	unsigned long long ceiling = nr_open();
	char *msg = tc_build_error(
	    sandlock_sandbox_builder_max_open_files(tc_builder(), (unsigned int)ceiling + 1));
	CHECK_STR(msg, tc_fmt("max_open_files %llu is above the kernel's ceiling fs.nr_open "
			      "(%llu): no process may have that many",
			      ceiling + 1, ceiling));
	char *err = NULL;
	int rc = tc_cli_run(NULL, &err, "-r", tc_probe_dir(), "--max-open-files",
			    tc_itoa((long)ceiling + 1), "--", tc_probe(), "rlimit-nofile", NULL);
	CHECK_EQ(rc, 1);
	CHECK_STR(err, tc_fmt("sandlock: %s\n", msg));

	struct rlimit rl;
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= ceiling)
		SKIP("the hard limit of open files is already the kernel's ceiling");
	unsigned int n = (unsigned int)rl.rlim_max + 1;
	sandlock_builder_t *b = sandlock_sandbox_builder_max_open_files(tc_builder(), n);
	if (!cap_sys_resource()) {
		CHECK_STR(tc_build_error(b),
			  tc_fmt("max_open_files %u is above this process's hard limit of open "
				 "files (%llu, RLIMIT_NOFILE); raising it needs CAP_SYS_RESOURCE",
				 n, (unsigned long long)rl.rlim_max));
		return;
	}
	CHECK_STR(tc_probe_in(tc_build(b), "rlimit-nofile", NULL), tc_fmt("%u %u", n, n));
}

TEST(no_coredump)
{
	/* Give the caller a non-zero core limit so inheritance is visible. */
	struct rlimit rl;
	CHECK(getrlimit(RLIMIT_CORE, &rl) == 0);
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 4096 ? 4096 : rl.rlim_max;
	CHECK(setrlimit(RLIMIT_CORE, &rl) == 0);
	sandlock_sandbox_t *plain = tc_build(tc_builder());
	char *inherited = tc_probe_in(plain, "rlimit-core", NULL);
	printf("    note: RLIMIT_CORE without no_coredump: %s\n", inherited);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_no_coredump(tc_builder(), true));
	CHECK_STR(tc_probe_in(p, "rlimit-core", NULL), "0 0");
}

TEST(cpu_cores)
{
	cpu_set_t set;
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
	if (!CPU_ISSET(0, &set))
		SKIP("CPU 0 is not in this process's affinity mask");
	if (CPU_COUNT(&set) < 2)
		printf("    note: a single CPU, so the restriction is not visible\n");
	const uint32_t cores[] = {0};
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_cpu_cores(tc_builder(), cores, 1));
	CHECK_STR(tc_probe_in(p, "affinity", NULL), "0");
	char *out = NULL, *err = NULL;
	int rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--cpu-cores", "0", "--", tc_probe(),
			    "affinity", NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "0\n");
}

/* The CPUs of set as the affinity probe prints them (into buf). */
static const char *cpu_list(const cpu_set_t *set, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (int c = 0; c < CPU_SETSIZE && n < len; c++)
		if (CPU_ISSET(c, set))
			n += (size_t)snprintf(buf + n, len - n, "%s%d", n ? "," : "", c);
	return buf;
}

/* The keeper and the child set themselves up on another CPU than the
 * host's thread; the command must still get the host's whole set, with
 * several CPUs and with one. */
TEST(command_gets_host_cpus)
{
	cpu_set_t set;
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
	if (CPU_COUNT(&set) < 2)
		printf("    note: a single CPU, so no move is made\n");
	char want[4096];
	sandlock_sandbox_t *p = tc_build(tc_builder());
	for (int i = 0; i < 5; i++)
		CHECK_STR(tc_probe_in(p, "affinity", NULL), cpu_list(&set, want, sizeof(want)));
	int first = -1;
	for (int c = 0; c < CPU_SETSIZE && first < 0; c++)
		if (CPU_ISSET(c, &set))
			first = c;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	CHECK(sched_setaffinity(0, sizeof(one), &one) == 0);
	CHECK_STR(tc_probe_in(p, "affinity", NULL), cpu_list(&one, want, sizeof(want)));
	CHECK(sched_setaffinity(0, sizeof(set), &set) == 0);
}

TEST(no_randomize_memory)
{
	sandlock_sandbox_t *plain =
	    tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/proc"));
	unsigned long before = strtoul(tc_probe_in(plain, "personality", NULL), NULL, 16);
	CHECK((before & 0x0040000) == 0);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_no_randomize_memory(
	    sandlock_sandbox_builder_fs_read(tc_builder(), "/proc"), true));
	char *out = tc_probe_in(p, "personality", NULL);
	unsigned long pers = strtoul(out, NULL, 16);
	if (!(pers & 0x0040000)) /* ADDR_NO_RANDOMIZE */
		th_fail(__FILE__, __LINE__, "personality inside: %s", out);
}

/* no_huge_pages marks the child's mm; the sandbox is then cloned
 * fork-style, never sharing (and marking) the caller's address space. */
TEST(no_huge_pages)
{
	CHECK_EQ(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), 0);
	sandlock_sandbox_t *plain = tc_build(tc_builder());
	CHECK_STR(tc_probe_in(plain, "thp", NULL), "0");
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_no_huge_pages(tc_builder(), true));
	CHECK_STR(tc_probe_in(p, "thp", NULL), "1");
	CHECK_EQ(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), 0);
	char *out = NULL, *err = NULL;
	CHECK_EQ(tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--no-huge-pages", "--", tc_probe(),
			    "thp", NULL),
		 0);
	CHECK_STR(out, "1\n");
}

TEST(cwd)
{
	char *dir = realpath(tc_mkdir("work"), NULL);
	CHECK(dir != NULL);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_cwd(tc_builder(), dir));
	CHECK_STR(tc_probe_in(p, "pwd", NULL), dir);
	char *out = NULL, *err = NULL;
	int rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--cwd", dir, "--", tc_probe(), "pwd",
			    NULL);
	CHECK_EQ(rc, 0);
	CHECK_LINE(out, 0, dir);
}

TEST(name_is_hostname)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "uname", NULL};
	struct tc_res r = tc_runv(p, "sl-box-1", argv);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "sl-box-1\n");
	/* The library's default name is sandbox-<caller pid>. */
	char *want;
	if (asprintf(&want, "sandbox-%d\n", (int)getpid()) < 0)
		th_fail(__FILE__, __LINE__, "oom");
	r = tc_runv(p, NULL, argv);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, want);
}

TEST(cli_name_is_hostname)
{
	char *out = NULL, *err = NULL;
	int rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--name", "sl-cli-box", "--",
			    tc_probe(), "uname", NULL);
	if (rc != 0)
		th_fail(__FILE__, __LINE__, "cli exit %d, stderr %s", rc, err);
	CHECK_STR(out, "sl-cli-box\n");
}

/* Names are 1 to 64 bytes (the size of a nodename) of what is safe as a
 * hostname and as a file name. */
TEST(name_validation)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "uname", NULL};
	char n64[65], n65[66];
	memset(n64, 'a', 64);
	n64[64] = 0;
	memset(n65, 'b', 65);
	n65[65] = 0;
	struct tc_res r = tc_runv(p, n64, argv);
	CHECK_EQ(r.code, 0);
	CHECK_LINE(r.out, 0, n64);
	CHECK(sandlock_run(p, n65, argv, 2) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "longer than 64 bytes");
	CHECK(sandlock_run(p, "", argv, 2) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "must not be empty");
	int rc = tc_cli_run(NULL, NULL, "-r", tc_probe_dir(), "--name", n65, "--", tc_probe(),
			    "uname", NULL);
	CHECK_EQ(rc, 1);
	/* control bytes: refused, quoted escaped on one line */
	CHECK(sandlock_run(p, "agent\n1", argv, 2) == NULL);
	CHECK_CONTAINS(sandlock_last_error(),
		       "invalid sandbox name 'agent\\n1': control character '\\n' at position 6");
	char *err = NULL;
	rc = tc_cli_run(NULL, &err, "-r", tc_probe_dir(), "--name", "a\x1b]0;b\a", "--", tc_probe(),
			"uname", NULL);
	CHECK_EQ(rc, 1);
	CHECK_CONTAINS(err, "sandlock: invalid sandbox name 'a\\x1b]0;b\\x07': control character "
			    "'\\x1b' at position 2 (");
	CHECK_EQ(tc_nlines(err), 1);
	/* what would be a path outside a per-sandbox directory, or not a
	 * hostname: refused by the library and the CLI, threaded handles too */
	static const char *const bad[] = {"a/b", "..", ".", "x y", "caf\xc3\xa9", "\xff"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(sandlock_run(p, bad[i], argv, 2) == NULL);
		CHECK_CONTAINS(sandlock_last_error(), "invalid sandbox name '");
		CHECK(sandlock_create(p, bad[i], argv, 2) == NULL);
		CHECK_CONTAINS(sandlock_last_error(), "it becomes the hostname and a file name");
		rc = tc_cli_run(NULL, NULL, "-r", tc_probe_dir(), "--name", bad[i], "--",
				tc_probe(), "uname", NULL);
		CHECK_EQ(rc, 1);
	}
	r = tc_run(p, "Agent_1.build-2", tc_probe(), "uname", NULL);
	CHECK_EQ(r.code, 0);
	CHECK_LINE(r.out, 0, "Agent_1.build-2");
}

/* An environment variable name with a newline, a control byte or invalid
 * UTF-8 is refused at build, by the library and the CLI. */
TEST(env_key_validation)
{
	static const char *const bad[] = {"A\nB", "X\x1b[2J", "K\xc3", "=x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *msg =
		    tc_build_error(sandlock_sandbox_builder_env_var(tc_builder(), bad[i], "v"));
		CHECK(strncmp(msg, "env: invalid variable name '", 28) == 0);
		char *kv = tc_fmt("%s=v", bad[i]), *err = NULL;
		int rc = tc_cli_run(NULL, &err, "-r", tc_probe_dir(), "--env", kv, "--", tc_probe(),
				    "uname", NULL);
		CHECK_EQ(rc, bad[i][0] == '=' ? 2 : 1);
		CHECK_EQ(tc_nlines(err), 1);
	}
	/* a value may hold a newline */
	sandlock_builder_t *b = sandlock_sandbox_builder_clean_env(tc_builder(), true);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_env_var(b, "MULTI", "a\nb"));
	struct tc_res r = tc_run(p, NULL, tc_probe(), "env", NULL);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "MULTI=a\nb\n");
}
