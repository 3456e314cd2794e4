/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cli.c - the sandlock command's parsers, without running a sandbox:
 * `sandlock run` options (every form and every usage error), RFC 3339
 * timestamps, the exit-status map, the --status-fd line and the report of
 * `sandlock check`.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

#include "check.h"
#include "cli.h"
#include "parse_util.h"
#include "run.h"
#include "run_opts.h"

static struct run_opts opts;
static struct cli_err err;

static int parse_argv(const char **argv)
{
	int n = 0;

	while (argv[n])
		n++;
	run_opts_free(&opts);
	return run_opts_parse(&opts, n, argv, &err);
}

/* PARSE("-r", "/x", "--", "ls"); PARSE(NULL) parses no arguments. */
#define PARSE(...) parse_argv((const char *[]){__VA_ARGS__, NULL})

#define CHECK_OK(...)                                                                              \
	do {                                                                                       \
		int r_ = PARSE(__VA_ARGS__);                                                       \
		if (r_ != RUN_PARSE_OK)                                                            \
			th_fail(__FILE__, __LINE__, "parse failed (%d): %s", r_, err.msg);         \
	} while (0)

#define CHECK_USAGE(message, ...)                                                                  \
	do {                                                                                       \
		CHECK_EQ(PARSE(__VA_ARGS__), RUN_PARSE_USAGE);                                     \
		CHECK_STR(err.msg, message);                                                       \
	} while (0)

/* ---- argument forms -------------------------------------------------------- */

TEST(cli_value_forms)
{
	CHECK_OK("--fs-read", "/a", "--fs-read=/b", "-r", "/c", "-r/d", "-r=/e", "--", "ls");
	CHECK_EQ(opts.fs_read.n, 5);
	CHECK_STR(opts.fs_read.v[0], "/a");
	CHECK_STR(opts.fs_read.v[1], "/b");
	CHECK_STR(opts.fs_read.v[2], "/c");
	CHECK_STR(opts.fs_read.v[3], "/d");
	CHECK_STR(opts.fs_read.v[4], "/e");
	CHECK_EQ(opts.cmd_argc, 1);
	CHECK_STR(opts.cmd[0], "ls");
	CHECK(opts.cmd[1] == NULL);
}

TEST(cli_attached_values)
{
	/* An attached value may start with '-' or be empty. */
	CHECK_OK("--cwd=-odd", "-w-x", "--name=", "--", "true");
	CHECK_STR(opts.cwd, "-odd");
	CHECK_STR(opts.fs_write.v[0], "-x");
	CHECK_STR(opts.name, "");
}

TEST(cli_short_cluster)
{
	CHECK_OK("-ir", "/x", "-iw/y", "--", "ls");
	CHECK(opts.interactive);
	CHECK_STR(opts.fs_read.v[0], "/x");
	CHECK_STR(opts.fs_write.v[0], "/y");
}

TEST(cli_every_flag)
{
	CHECK_OK("-r", "/usr", "-w", "/tmp", "--fs-deny", "/etc/shadow", "--extra-deny-syscall",
		 "ptrace", "--extra-allow-syscall", "sysv_ipc", "--net-allow", "tcp://a:443",
		 "--net-deny", "10.0.0.0/8:*", "--net-allow-bind", "8000-8100", "--net-deny-bind",
		 "8080", "--net-bind", "8080", "--http-allow", "GET a/*", "--http-deny", "* b/*",
		 "--http-port", "8081", "--http-ca", "/ca.pem", "--http-key", "/ca.key",
		 "--http-inject-ca", "/b.pem", "--http-ca-out", "/o.pem", "--credential", "t=env:T",
		 "--http-auth", "h=t:X-Key", "-m", "1K", "-P", "10", "--max-open-files", "100",
		 "-c", "50", "--random-seed", "7", "--time-start", "2000-01-01T00:00:00Z",
		 "--no-randomize-memory", "--no-huge-pages", "--no-coredump",
		 "--deterministic-dirs", "--workdir", "/w", "--cwd", "/c", "--fs-storage", "/s",
		 "--fs-isolation", "overlayfs", "--max-disk", "2M", "--fs-mount", "/v:/h",
		 "--chroot", "/r", "--clean-env", "--env", "A=1", "--cpu-cores", "0,1", "--gpu",
		 "2", "--num-cpus", "4", "--port-remap", "--uid", "0", "-t", "5", "--status-fd",
		 "1", "--name", "box", "-i", "--", "ls", "-l");
	CHECK_STR(opts.fs_read.v[0], "/usr");
	CHECK_STR(opts.fs_write.v[0], "/tmp");
	CHECK_STR(opts.fs_deny.v[0], "/etc/shadow");
	CHECK_STR(opts.extra_deny.v[0], "ptrace");
	CHECK_STR(opts.extra_allow.v[0], "sysv_ipc");
	CHECK_STR(opts.net_allow.v[0], "tcp://a:443");
	CHECK_STR(opts.net_deny.v[0], "10.0.0.0/8:*");
	CHECK_STR(opts.net_allow_bind.v[0], "8000-8100");
	CHECK_STR(opts.net_deny_bind.v[0], "8080");
	CHECK_EQ(opts.net_bind.v[0], 8080);
	CHECK_STR(opts.http_allow.v[0], "GET a/*");
	CHECK_STR(opts.http_deny.v[0], "* b/*");
	CHECK_EQ(opts.http_port.v[0], 8081);
	CHECK_STR(opts.http_ca, "/ca.pem");
	CHECK_STR(opts.http_key, "/ca.key");
	CHECK_STR(opts.http_inject_ca.v[0], "/b.pem");
	CHECK_STR(opts.http_ca_out, "/o.pem");
	CHECK_STR(opts.credential.v[0], "t=env:T");
	CHECK_STR(opts.http_auth.v[0], "h=t:X-Key");
	CHECK(opts.max_memory.set && opts.max_memory.v == 1024);
	CHECK(opts.max_processes.set && opts.max_processes.v == 10);
	CHECK(opts.max_open_files.set && opts.max_open_files.v == 100);
	CHECK(opts.cpu.set && opts.cpu.v == 50);
	CHECK(opts.random_seed.set && opts.random_seed.v == 7);
	CHECK(opts.time_start.set && opts.time_start.v == 946684800);
	CHECK(opts.no_randomize_memory && opts.no_huge_pages && opts.no_coredump);
	CHECK(opts.deterministic_dirs && opts.clean_env && opts.port_remap && opts.interactive);
	CHECK_STR(opts.workdir, "/w");
	CHECK_STR(opts.cwd, "/c");
	CHECK_STR(opts.fs_storage, "/s");
	CHECK(opts.fs_isolation.set && opts.fs_isolation.v == 1);
	CHECK(opts.max_disk.set && opts.max_disk.v == 2 * 1024 * 1024);
	CHECK_STR(opts.fs_mount.v[0].key, "/v");
	CHECK_STR(opts.fs_mount.v[0].value, "/h");
	CHECK_STR(opts.chroot, "/r");
	CHECK_STR(opts.env.v[0].key, "A");
	CHECK_STR(opts.env.v[0].value, "1");
	CHECK_EQ(opts.cpu_cores.n, 2);
	CHECK_EQ(opts.cpu_cores.v[1], 1);
	CHECK_EQ(opts.gpu.v[0], 2);
	CHECK(opts.num_cpus.set && opts.num_cpus.v == 4);
	CHECK(opts.uid.set && opts.uid.v == 0);
	CHECK(opts.timeout.set && opts.timeout.v == 5);
	CHECK(opts.status_fd.set && opts.status_fd.v == 1);
	CHECK_STR(opts.name, "box");
	CHECK_EQ(opts.cmd_argc, 2);
	CHECK_STR(opts.cmd[1], "-l");
	CHECK(run_opts_unsupported(&opts) == NULL);
	run_opts_free(&opts);
}

TEST(cli_unset_by_default)
{
	CHECK_OK("--", "true");
	CHECK(!opts.max_memory.set && !opts.timeout.set && !opts.uid.set && !opts.cpu.set);
	CHECK(opts.fs_read.n == 0 && opts.cwd == NULL && opts.name == NULL && !opts.clean_env);
}

TEST(cli_repeated_flags)
{
	CHECK_OK("--env", "A=1", "--env", "B=x=y", "--env", "C=", "--net-bind", "80", "--net-bind",
		 "443", "--cpu-cores", "0,2", "--cpu-cores", "3", "--no-coredump", "--no-coredump",
		 "--", "env");
	CHECK_EQ(opts.env.n, 3);
	CHECK_STR(opts.env.v[1].key, "B");
	CHECK_STR(opts.env.v[1].value, "x=y");
	CHECK_STR(opts.env.v[2].value, "");
	CHECK_EQ(opts.net_bind.n, 2);
	CHECK_EQ(opts.net_bind.v[1], 443);
	CHECK_EQ(opts.cpu_cores.n, 3);
	CHECK_EQ(opts.cpu_cores.v[2], 3);
	CHECK_USAGE("option '--cwd' given more than once", "--cwd", "/a", "--cwd", "/b", "--", "x");
	CHECK_USAGE("option '--timeout' given more than once", "-t", "1", "--timeout", "2", "--",
		    "x");
	CHECK_USAGE("option '--cpu' given more than once", "-c", "10", "--max-cpu", "20", "--",
		    "x");
}

TEST(cli_fs_mount_split)
{
	CHECK_OK("--fs-mount", "/data:/srv/a:b", "--", "ls");
	CHECK_STR(opts.fs_mount.v[0].key, "/data");
	CHECK_STR(opts.fs_mount.v[0].value, "/srv/a:b");
}

TEST(cli_fs_isolation_modes)
{
	CHECK_OK("--fs-isolation", "none", "--", "x");
	CHECK_EQ(opts.fs_isolation.v, 0);
	CHECK_OK("--fs-isolation=branchfs", "--", "x");
	CHECK_EQ(opts.fs_isolation.v, 2);
	CHECK_USAGE("unknown --fs-isolation mode: zfs (expected none, overlayfs or branchfs)",
		    "--fs-isolation", "zfs", "--", "x");
}

TEST(cli_cpu_percent)
{
	CHECK_OK("-c", "100", "--", "x");
	CHECK_EQ(opts.cpu.v, 100);
	CHECK_OK("--cpu=25%", "--", "x");
	CHECK_EQ(opts.cpu.v, 25);
	CHECK_OK("--max-cpu", "1", "--", "x");
	CHECK_EQ(opts.cpu.v, 1);
	CHECK_OK("-c75", "--", "x");
	CHECK_EQ(opts.cpu.v, 75);
	CHECK_USAGE("invalid value '0' for --cpu: out of range (PCT must be between 1 and 100)",
		    "-c", "0", "--", "x");
	CHECK_USAGE("invalid value '101' for --cpu: out of range (PCT must be between 1 and "
		    "100)",
		    "-c", "101", "--", "x");
	CHECK_USAGE("invalid value '5x' for --cpu: expected a percentage such as 50", "-c", "5x",
		    "--", "x");
	CHECK_USAGE("invalid value '%' for --cpu: expected a percentage such as 50", "-c", "%",
		    "--", "x");
}

/* ---- usage errors ----------------------------------------------------------- */

TEST(cli_unknown_flags)
{
	CHECK_USAGE("unknown option '--bogus'", "--bogus", "--", "x");
	CHECK_USAGE("unknown option '--bogus'", "--bogus=1", "--", "x");
	CHECK_USAGE("unknown option '-x'", "-x", "--", "x");
	CHECK_USAGE("unknown option '-z'", "-iz", "--", "x");
	CHECK_USAGE("unknown option '--fs'", "--fs", "/x", "--", "x");
}

TEST(cli_missing_values)
{
	CHECK_USAGE("option '--fs-read' requires a value (PATH)", "--fs-read");
	CHECK_USAGE("option '--fs-read' requires a value (PATH)", "-r");
	CHECK_USAGE("option '--fs-read' requires a value (PATH)", "-r", "--", "ls");
	CHECK_USAGE("option '--timeout' requires a value (SECS)", "-t", "-r", "/x", "--", "ls");
	CHECK_USAGE("option '--env' requires a value (KEY=VALUE)", "-i", "--env");
	CHECK_USAGE("option '--clean-env' takes no value", "--clean-env=yes", "--", "x");
}

TEST(cli_number_errors)
{
	CHECK_USAGE("invalid value 'abc' for --max-processes: expected a non-negative integer",
		    "-P", "abc", "--", "x");
	CHECK_USAGE("invalid value '-1' for --uid: expected a non-negative integer", "--uid=-1",
		    "--", "x");
	CHECK_USAGE("invalid value ' 4' for --num-cpus: expected a non-negative integer",
		    "--num-cpus", " 4", "--", "x");
	CHECK_USAGE("invalid value '0x10' for --num-cpus: expected a non-negative integer",
		    "--num-cpus", "0x10", "--", "x");
	CHECK_USAGE("invalid value '' for --random-seed: expected a non-negative integer",
		    "--random-seed=", "--", "x");
	CHECK_USAGE("invalid value '65536' for --net-bind: out of range (PORT must be at most "
		    "65535)",
		    "--net-bind", "65536", "--", "x");
	CHECK_USAGE("invalid value '70000' for --http-port: out of range (PORT must be at most "
		    "65535)",
		    "--http-port", "70000", "--", "x");
	CHECK_USAGE("invalid value '4294967296' for --uid: out of range (N must be at most "
		    "4294967295)",
		    "--uid", "4294967296", "--", "x");
	CHECK_USAGE("invalid value '18446744073709551616' for --random-seed: out of range (N must "
		    "be at most 18446744073709551615)",
		    "--random-seed", "18446744073709551616", "--", "x");
	CHECK_USAGE("invalid value '0' for --timeout: out of range (SECS must be between 1 and "
		    "4294967295)",
		    "-t", "0", "--", "x");
	CHECK_USAGE("invalid value '1.5' for --timeout: expected a non-negative integer", "-t",
		    "1.5", "--", "x");
	CHECK_OK("--random-seed", "18446744073709551615", "--net-bind", "65535", "--uid",
		 "4294967295", "-t", "1", "--", "x");
	CHECK_EQ(opts.random_seed.v, UINT64_MAX);
	CHECK_EQ(opts.net_bind.v[0], 65535);
}

/* A number too large for 64 bits is out of range, whatever the option's
 * lower bound: never "must be at least" nor "invalid". */
TEST(cli_number_overflow_is_out_of_range)
{
	const char *big = "99999999999999999999";

	CHECK_USAGE("invalid value '99999999999999999999' for --timeout: out of range (SECS must "
		    "be between 1 and 4294967295)",
		    "-t", big, "--", "x");
	CHECK_USAGE("invalid value '18446744073709551616' for --timeout: out of range (SECS must "
		    "be between 1 and 4294967295)",
		    "--timeout=18446744073709551616", "--", "x");
	CHECK_USAGE("invalid value '99999999999999999999' for --max-processes: out of range (N "
		    "must be at most 4294967295)",
		    "-P", big, "--", "x");
	CHECK_USAGE("invalid value '99999999999999999999' for --net-bind: out of range (PORT must "
		    "be at most 65535)",
		    "--net-bind", big, "--", "x");
	CHECK_USAGE("invalid value '99999999999999999999' for --http-port: out of range (PORT "
		    "must be at most 65535)",
		    "--http-port", big, "--", "x");
	CHECK_USAGE("invalid value '99999999999999999999' for --random-seed: out of range (N "
		    "must be at most 18446744073709551615)",
		    "--random-seed", big, "--", "x");
	CHECK_USAGE("invalid value '99999999999999999999' for --status-fd: out of range (FD must "
		    "be at most 2147483647)",
		    "--status-fd", big, "--", "x");
	CHECK_USAGE("invalid value '99999999999999999999%' for --cpu: out of range (PCT must be "
		    "between 1 and 100)",
		    "--cpu=99999999999999999999%", "--", "x");
	CHECK_USAGE("invalid value '0,99999999999999999999' for --gpu: out of range (entries must "
		    "be at most 4294967295)",
		    "--gpu", "0,99999999999999999999", "--", "x");
	CHECK_USAGE("invalid value '99999999999999999999' for --max-memory: out of range (SIZE in "
		    "bytes must be at most 18446744073709551615)",
		    "-m", big, "--", "x");
	CHECK_USAGE("invalid value '17179869184G' for --max-disk: out of range (SIZE in bytes "
		    "must be at most 18446744073709551615)",
		    "--max-disk", "17179869184G", "--", "x");
	CHECK_USAGE("invalid value '18014398509481984k' for --max-memory: out of range (SIZE in "
		    "bytes must be at most 18446744073709551615)",
		    "-m", "18014398509481984k", "--", "x");
	/* malformed stays malformed, however long the digits */
	CHECK_USAGE("invalid value '99999999999999999999x' for --timeout: expected a "
		    "non-negative integer",
		    "-t", "99999999999999999999x", "--", "x");
	CHECK_USAGE("invalid value '99999999999999999999KB' for --max-memory: expected a size "
		    "such as 512M (digits with an optional K, M or G suffix)",
		    "-m", "99999999999999999999KB", "--", "x");
	/* the largest values are accepted */
	CHECK_OK("-t", "4294967295", "-m", "18446744073709551615", "--max-disk", "17179869183G",
		 "--", "x");
	CHECK_EQ(opts.timeout.v, 4294967295u);
	CHECK_EQ(opts.max_memory.v, UINT64_MAX);
}

TEST(cli_list_errors)
{
	CHECK_USAGE("invalid value '0,,1' for --cpu-cores: expected a comma-separated list of "
		    "non-negative integers",
		    "--cpu-cores", "0,,1", "--", "x");
	CHECK_USAGE("invalid value '1,' for --gpu: expected a comma-separated list of non-negative "
		    "integers",
		    "--gpu", "1,", "--", "x");
	CHECK_USAGE("invalid value '' for --gpu: expected a comma-separated list of non-negative "
		    "integers",
		    "--gpu=", "--", "x");
	CHECK_USAGE("invalid value '1,4294967296' for --cpu-cores: out of range (entries must be "
		    "at most 4294967295)",
		    "--cpu-cores", "1,4294967296", "--", "x");
}

TEST(cli_size_errors)
{
	CHECK_OK("-m", "512M", "--max-disk", "1g", "--", "x");
	CHECK_EQ(opts.max_memory.v, 512ull << 20);
	CHECK_EQ(opts.max_disk.v, 1ull << 30);
	CHECK_EQ(PARSE("-m", "12Q", "--", "x"), RUN_PARSE_USAGE);
	CHECK_CONTAINS(err.msg,
		       "invalid value '12Q' for --max-memory: expected a size such as 512M");
	CHECK_EQ(PARSE("--max-disk", "", "--", "x"), RUN_PARSE_USAGE);
	CHECK_CONTAINS(err.msg, "invalid value '' for --max-disk");
	CHECK_EQ(PARSE("-m", "-5M", "--", "x"), RUN_PARSE_USAGE);
	CHECK_CONTAINS(err.msg, "'--max-memory' requires a value");
}

TEST(cli_pair_errors)
{
	CHECK_USAGE("--env requires KEY=VALUE, got: FOO", "--env", "FOO", "--", "x");
	CHECK_USAGE("--env requires KEY=VALUE, got: =x", "--env", "=x", "--", "x");
	CHECK_USAGE("--fs-mount requires VIRTUAL:HOST, got: /data", "--fs-mount", "/data", "--",
		    "x");
}

TEST(cli_command_errors)
{
	CHECK_USAGE("unexpected argument 'ls' (put the command after --)", "ls");
	CHECK_USAGE("unexpected argument 'ls' (put the command after --)", "-r", "/usr", "ls",
		    "-l");
	CHECK_USAGE("unexpected argument '-' (put the command after --)", "-");
	CHECK_USAGE("no command given", NULL);
	CHECK_USAGE("no command given", "-r", "/usr");
	CHECK_USAGE("no command given", "-r", "/usr", "--");
	CHECK_USAGE("empty command name after --", "--", "");
}

TEST(cli_options_after_dashdash_are_the_command)
{
	CHECK_OK("--", "ls", "--fs-read", "x", "--");
	CHECK_EQ(opts.cmd_argc, 4);
	CHECK_STR(opts.cmd[1], "--fs-read");
	CHECK_STR(opts.cmd[3], "--");
	CHECK_EQ(opts.fs_read.n, 0);
}

TEST(cli_status_fd)
{
	int p[2];

	CHECK_OK("--status-fd", "2", "--", "x");
	CHECK_EQ(opts.status_fd.v, 2);
	CHECK(pipe(p) == 0);
	close(p[0]);
	close(p[1]);
	char fd[16];
	snprintf(fd, sizeof(fd), "%d", p[0]);
	CHECK_EQ(PARSE("--status-fd", fd, "--", "x"), RUN_PARSE_USAGE);
	CHECK_CONTAINS(err.msg, "for --status-fd: file descriptor");
	CHECK_CONTAINS(err.msg, "is not open");
	CHECK_USAGE("invalid value 'x' for --status-fd: expected a non-negative integer",
		    "--status-fd", "x", "--", "x");
	CHECK_USAGE("invalid value '2147483648' for --status-fd: out of range (FD must be at "
		    "most 2147483647)",
		    "--status-fd", "2147483648", "--", "x");
}

TEST(cli_exec_shell)
{
	CHECK_OK("-e", "echo hi");
	CHECK_EQ(opts.cmd_argc, 3);
	CHECK_STR(opts.cmd[0], "/bin/sh");
	CHECK_STR(opts.cmd[1], "-c");
	CHECK_STR(opts.cmd[2], "echo hi");
	CHECK(opts.cmd[3] == NULL);

	/* Trailing arguments become $0, $1, ... */
	CHECK_OK("--exec-shell=echo $1", "--", "sh", "one", "two");
	CHECK_EQ(opts.cmd_argc, 6);
	CHECK_STR(opts.cmd[2], "echo $1");
	CHECK_STR(opts.cmd[3], "sh");
	CHECK_STR(opts.cmd[5], "two");
	CHECK(opts.cmd[6] == NULL);

	CHECK_OK("-eexit 3");
	CHECK_STR(opts.cmd[2], "exit 3");
	CHECK_USAGE("unexpected argument 'x' (put the command after --)", "-e", "true", "x");
}

TEST(cli_help)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	CHECK_EQ(PARSE("--help"), RUN_PARSE_HELP);
	CHECK_EQ(PARSE("-r", "/x", "-h", "--", "ls"), RUN_PARSE_HELP);
	f = open_memstream(&text, &len);
	CHECK(f != NULL);
	run_opts_help(f);
	fclose(f);
	CHECK_CONTAINS(text, "Usage: sandlock run [OPTIONS] -- COMMAND [ARGS...]");
	CHECK_CONTAINS(text, "  -r, --fs-read PATH");
	CHECK_CONTAINS(text, "      --fs-mount VIRTUAL:HOST");
	CHECK_CONTAINS(text, "  -c, --cpu PCT");
	CHECK_CONTAINS(text, "--max-cpu");
	CHECK_CONTAINS(text, "  -e, --exec-shell CMD");
	CHECK_CONTAINS(text, "positional parameters");
	CHECK_CONTAINS(text, "  -i, --interactive");
	CHECK_CONTAINS(text, "always passes its stdin");
	CHECK_CONTAINS(text, "--no-supervisor");
	CHECK_CONTAINS(text, "      --net-deny SPEC");
	CHECK_CONTAINS(text, "      --net-allow-bind PORTS");
	CHECK_CONTAINS(text, "      --net-deny-bind PORTS");
	CHECK_CONTAINS(text, "      --credential NAME=SRC");
	CHECK_CONTAINS(text, "      --http-auth HOST=NAME[:HDR]\n");
	CHECK_CONTAINS(text, "      --http-inject-ca BUNDLE");
	CHECK_CONTAINS(text, "      --http-ca-out PATH");
	CHECK_CONTAINS(text, "sandlock-credential:NAME");
	/* the profile flags work: not under the heading of those refused */
	CHECK_CONTAINS(text, "\nProfiles:\n  -p, --profile NAME");
	const char *later = strstr(text, "Not supported yet");
	CHECK(later && !strstr(later, "--profile"));
	free(text);
}

/* The network flags reach the builder: its grammar errors come back
 * quoted, and a well-formed value builds. */
static const char *policy_error(void)
{
	sandlock_sandbox_t *p = run_policy_build(&opts, &err);

	if (p)
		th_fail(__FILE__, __LINE__, "the policy built");
	return err.msg;
}

static bool policy_builds(void)
{
	sandlock_sandbox_t *p = run_policy_build(&opts, &err);
	sandlock_sandbox_free(p);
	return p != NULL;
}

TEST(cli_net_flags_reach_the_builder)
{
	CHECK_OK("--net-deny", "10.0.0.1/8:*", "--", "true");
	CHECK_STR(policy_error(), "net_deny: '10.0.0.1/8:*': '10.0.0.1/8' has bits set past its "
				  "prefix length (the range is 10.0.0.0/8)");
	CHECK_OK("--net-allow-bind", "80", "--net-allow-bind", "0", "--", "true");
	CHECK_STR(policy_error(), "net_allow_bind: '0': port 0 is not allowed (it would let the "
				  "sandbox bind an ephemeral port)");
	CHECK_OK("--net-deny-bind=9000-8000", "--", "true");
	CHECK_STR(policy_error(),
		  "net_deny_bind: '9000-8000': invalid port range '9000-8000': 9000 is above 8000");
	CHECK_OK("--net-deny", "[2001:db8::/32]:25", "--net-deny", "udp://*:53", "--", "true");
	CHECK_EQ(opts.net_deny.n, 2);
	CHECK(policy_builds());
	CHECK_OK("--net-allow-bind", "*", "--", "true");
	CHECK(policy_builds());
	CHECK_OK("--net-deny-bind", "22,6000-6010", "--", "true");
	CHECK(policy_builds());
	CHECK_OK("--net-allow", ":443", "--", "true");
	CHECK(policy_builds());
}

/* Repeatable, in order; --http-ca-out once. */
TEST(cli_credential_flags)
{
	CHECK_OK("--credential", "a=env:A", "--credential=b=file:/s", "--http-auth", "x.com=a",
		 "--http-auth", "y.com=b:X-Key", "--http-inject-ca", "/etc/ssl/a.pem",
		 "--http-inject-ca=/b.pem", "--http-ca-out", "/tmp/ca.pem", "--", "true");
	CHECK_EQ(opts.credential.n, 2);
	CHECK_STR(opts.credential.v[1], "b=file:/s");
	CHECK_EQ(opts.http_auth.n, 2);
	CHECK_STR(opts.http_auth.v[1], "y.com=b:X-Key");
	CHECK_EQ(opts.http_inject_ca.n, 2);
	CHECK_STR(opts.http_inject_ca.v[1], "/b.pem");
	CHECK_STR(opts.http_ca_out, "/tmp/ca.pem");
	CHECK_USAGE("option '--http-ca-out' given more than once", "--http-ca-out", "/a",
		    "--http-ca-out", "/b", "--", "x");
	CHECK_USAGE("option '--credential' requires a value (NAME=SRC)", "--credential");
}

/* The builder checks the values: a malformed one comes back with its
 * message, a good one builds. */
TEST(cli_credential_flags_reach_the_builder)
{
	setenv("SL_T_CLI_TOKEN", "tok", 1);
	unsetenv("SL_T_CLI_UNSET");
	CHECK_OK("--credential", "t=vault:x", "--", "true");
	CHECK_CONTAINS(policy_error(), "credential: 't=vault:x': unknown source 'vault:x'");
	CHECK_OK("--credential", "t=env:SL_T_CLI_UNSET", "--", "true");
	CHECK_STR(policy_error(), "credential 't': environment variable SL_T_CLI_UNSET is not set");
	CHECK_OK("--credential", "t=env:SL_T_CLI_TOKEN", "--", "true");
	CHECK(policy_builds());
	CHECK_OK("--credential", "t=env:SL_T_CLI_TOKEN", "--http-auth", "h.com=t", "--", "true");
	CHECK_STR(policy_error(), "http_auth: a credential is sent only over TLS: give --http-ca "
				  "and --http-key, or --http-inject-ca");
	CHECK_OK("--credential", "t=env:SL_T_CLI_TOKEN", "--http-auth", "h.com=t",
		 "--http-inject-ca", "/etc/passwd", "--", "true");
	CHECK(policy_builds());
	CHECK_OK("--http-inject-ca", "ca.pem", "--", "true");
	CHECK_STR(policy_error(), "http_inject_ca: 'ca.pem' must be an absolute path");
	CHECK_OK("--http-ca-out", "/nonexistent/ca.pem", "--", "true");
	CHECK_STR(policy_error(), "http_ca_out: directory /nonexistent: No such file or directory");
}

TEST(cli_not_supported_yet)
{
	/* profiles have landed (test_profile.c); no command is fine: the
	 * profile or image could supply one */
	CHECK_OK("-p", "web", "--", "ls");
	CHECK(run_opts_unsupported(&opts) == NULL);
	CHECK_OK("--profile-file", "/p.toml");
	CHECK(run_opts_unsupported(&opts) == NULL);
	CHECK_OK("--image", "alpine");
	CHECK_STR(run_opts_unsupported(&opts), "image");
	CHECK_OK("--dry-run", "--workdir", "/w", "--on-exit", "keep", "--on-error", "commit", "--",
		 "ls");
	CHECK(run_opts_unsupported(&opts) == NULL);
	CHECK(opts.dry_run && opts.on_exit.set && opts.on_exit.v == 2);
	CHECK(opts.on_error.set && opts.on_error.v == 0);
	CHECK_USAGE("unknown --on-exit action: later (expected commit, abort or keep)", "--on-exit",
		    "later", "--", "ls");
	CHECK_OK("--no-supervisor", "--", "ls");
	CHECK_STR(run_opts_unsupported(&opts), "no-supervisor");
	CHECK_USAGE("options '--profile' and '--profile-file' cannot be used together", "-p", "a",
		    "--profile-file", "b", "--", "ls");
}

/* ---- RFC 3339 --------------------------------------------------------------- */

static uint64_t ts(const char *s)
{
	uint64_t v = 0;
	const char *why = NULL;

	if (parse_rfc3339(s, &v, &why) < 0)
		th_fail(__FILE__, __LINE__, "parse_rfc3339(%s): %s", s, why);
	return v;
}

static const char *ts_error(const char *s)
{
	uint64_t v = 12345;
	const char *why = NULL;

	if (parse_rfc3339(s, &v, &why) == 0)
		th_fail(__FILE__, __LINE__, "parse_rfc3339(%s) accepted: %llu", s,
			(unsigned long long)v);
	if (v != 12345)
		th_fail(__FILE__, __LINE__, "output written on failure");
	return why;
}

TEST(cli_time_start_valid)
{
	CHECK_EQ(ts("1970-01-01T00:00:00Z"), 0);
	CHECK_EQ(ts("2000-01-01T00:00:00Z"), 946684800);
	CHECK_EQ(ts("2000-01-01t00:00:00z"), 946684800);
	CHECK_EQ(ts("2000-01-01 00:00:00Z"), 946684800);
	CHECK_EQ(ts("2000-01-01T00:00:00.999999Z"), 946684800);
	CHECK_EQ(ts("2000-01-01T05:30:00+00:00"), 946704600);
	CHECK_EQ(ts("2000-01-01T00:00:00-05:30"), 946704600);
	CHECK_EQ(ts("2024-02-29T12:00:00+02:00"), 1709200800);
	CHECK_EQ(ts("2000-01-01T00:00:00-00:00"), 946684800);
	CHECK_EQ(ts("2021-06-30T23:59:59Z"), 1625097599);
	CHECK_EQ(ts("2021-06-30T23:59:60Z"), 1625097600); /* leap second */
	CHECK_EQ(ts("9999-12-31T23:59:59Z"), 253402300799ull);
	/* Before 1970 locally, after it in UTC. */
	CHECK_EQ(ts("1969-12-31T23:30:00-01:00"), 1800);
}

TEST(cli_time_start_leap_days)
{
	CHECK_EQ(ts("2000-02-29T00:00:00Z"), 951782400);
	CHECK_EQ(ts("2024-02-29T00:00:00Z") + 86400, ts("2024-03-01T00:00:00Z"));
	CHECK_EQ(ts("2024-03-01T00:00:00Z"), 1709251200);
	CHECK_STR(ts_error("2023-02-29T00:00:00Z"), "day out of range for the month");
	CHECK_STR(ts_error("2100-02-29T00:00:00Z"), "day out of range for the month");
	CHECK_STR(ts_error("2024-04-31T00:00:00Z"), "day out of range for the month");
	CHECK_STR(ts_error("2024-01-00T00:00:00Z"), "day out of range for the month");
}

TEST(cli_time_start_invalid)
{
	CHECK_STR(ts_error("2000-01-01"), "expected 'T' between the date and the time");
	CHECK_STR(ts_error("2000-1-01T00:00:00Z"), "expected a date as YYYY-MM-DD");
	CHECK_STR(ts_error("20000-01-01T00:00:00Z"), "expected a date as YYYY-MM-DD");
	CHECK_STR(ts_error(""), "expected a date as YYYY-MM-DD");
	CHECK_STR(ts_error("2000-01-01T00:00Z"), "expected a time as HH:MM:SS");
	CHECK_STR(ts_error("2000-01-01T00:00:00"), "expected a UTC offset (Z, +HH:MM or -HH:MM)");
	CHECK_STR(ts_error("2000-01-01T00:00:00+0200"),
		  "expected a UTC offset (Z, +HH:MM or -HH:MM)");
	CHECK_STR(ts_error("2000-01-01T00:00:00.Z"), "expected digits after '.'");
	CHECK_STR(ts_error("2000-01-01T00:00:00Z "), "unexpected text after the timestamp");
	CHECK_STR(ts_error("2000-13-01T00:00:00Z"), "month out of range");
	CHECK_STR(ts_error("2000-00-01T00:00:00Z"), "month out of range");
	CHECK_STR(ts_error("2000-01-01T24:00:00Z"), "time of day out of range");
	CHECK_STR(ts_error("2000-01-01T23:60:00Z"), "time of day out of range");
	CHECK_STR(ts_error("2000-01-01T23:59:61Z"), "time of day out of range");
	CHECK_STR(ts_error("2000-01-01T00:00:00+24:00"), "UTC offset out of range");
	CHECK_STR(ts_error("1969-12-31T23:59:59Z"), "before 1970-01-01T00:00:00Z");
	CHECK_STR(ts_error("1970-01-01T00:30:00+01:00"), "before 1970-01-01T00:00:00Z");
	CHECK_STR(ts_error("0000-01-01T00:00:00Z"), "before 1970-01-01T00:00:00Z");
}

TEST(cli_time_start_flag)
{
	CHECK_OK("--time-start=2024-02-29T12:00:00+02:00", "--", "date");
	CHECK_EQ(opts.time_start.v, 1709200800);
	CHECK_USAGE("invalid --time-start 'yesterday': expected a date as YYYY-MM-DD (expected RFC "
		    "3339, e.g. 2000-01-01T00:00:00Z, or seconds since the epoch)",
		    "--time-start", "yesterday", "--", "date");
}

TEST(cli_time_start_epoch_seconds)
{
	CHECK_OK("--time-start", "946684800", "--", "date");
	CHECK_EQ(opts.time_start.v, 946684800);
	CHECK_OK("--time-start", "0", "--", "date");
	CHECK_EQ(opts.time_start.v, 0);
	CHECK_OK("--time-start", "253402300799", "--", "date");
	CHECK_EQ(opts.time_start.v, 253402300799ull);
	CHECK_USAGE("invalid --time-start '253402300800': seconds since the epoch past "
		    "9999-12-31T23:59:59Z (253402300799) (expected RFC 3339, e.g. "
		    "2000-01-01T00:00:00Z, or seconds since the epoch)",
		    "--time-start", "253402300800", "--", "date");
	CHECK_USAGE("invalid --time-start '99999999999999999999': seconds since the epoch past "
		    "9999-12-31T23:59:59Z (253402300799) (expected RFC 3339, e.g. "
		    "2000-01-01T00:00:00Z, or seconds since the epoch)",
		    "--time-start", "99999999999999999999", "--", "date");
}

TEST(cli_parse_num)
{
	uint64_t v = 0;

	CHECK_EQ(parse_num("0", 0, 10, &v), 0);
	CHECK_EQ(parse_num("007", 0, 10, &v), 0);
	CHECK_EQ(v, 7);
	CHECK_EQ(parse_num("11", 0, 10, &v), -ERANGE);
	CHECK_EQ(parse_num("99999999999999999999x", 0, UINT64_MAX, &v), -EINVAL);
	CHECK_EQ(parse_num("99999999999999999999", 0, UINT64_MAX, &v), -ERANGE);
	CHECK_EQ(parse_num("+1", 0, 10, &v), -EINVAL);
	CHECK_EQ(parse_num_n("12,3", 2, 0, 100, &v), 0);
	CHECK_EQ(v, 12);
}

/* ---- exit status and --status-fd ----------------------------------------------- */

TEST(cli_exit_code_map)
{
	CHECK_EQ(run_exit_code(SANDLOCK_STATUS_EXITED, 0), 0);
	CHECK_EQ(run_exit_code(SANDLOCK_STATUS_EXITED, 42), 42);
	CHECK_EQ(run_exit_code(SANDLOCK_STATUS_EXITED, 127), 127);
	CHECK_EQ(run_exit_code(SANDLOCK_STATUS_SIGNALED, -1), 1);
	CHECK_EQ(run_exit_code(SANDLOCK_STATUS_KILLED, -1), 1);
	CHECK_EQ(run_exit_code(SANDLOCK_STATUS_TIMEOUT, -1), 124);
}

TEST(cli_status_json)
{
	char buf[64];

	CHECK_EQ(run_status_json(buf, sizeof(buf), SANDLOCK_STATUS_EXITED, 3, 0), 16);
	CHECK_STR(buf, "{\"exit_code\":3}\n");
	run_status_json(buf, sizeof(buf), SANDLOCK_STATUS_SIGNALED, -1, 15);
	CHECK_STR(buf, "{\"exit_code\":-1,\"signal\":15}\n");
	run_status_json(buf, sizeof(buf), SANDLOCK_STATUS_KILLED, -1, 9);
	CHECK_STR(buf, "{\"exit_code\":-1}\n");
	run_status_json(buf, sizeof(buf), SANDLOCK_STATUS_TIMEOUT, -1, 0);
	CHECK_STR(buf, "{\"exit_code\":-1}\n");
	CHECK_EQ(run_status_json(buf, 4, SANDLOCK_STATUS_EXITED, 3, 0), 3);
	CHECK_STR(buf, "{\"e");
}

/* ---- sandlock check ---------------------------------------------------------------- */

static char *report(const struct check_facts *c, int *rc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CHECK(f != NULL);
	*rc = check_report(f, c);
	fclose(f);
	return text;
}

static struct check_facts full_facts(void)
{
	struct check_facts c = {
	    .features = {.size = sizeof(sandlock_features_t),
			 .landlock_abi = 6,
			 .seccomp_filter = true,
			 .user_notif = true,
			 .wait_killable_recv = true,
			 .sync_wake_up = true,
			 .pidfd_getfd = true,
			 .addfd_send = true},
	    .min_abi = 1,
	    .machine = "x86_64",
	    .kernel = "6.8.0",
	};
	return c;
}

TEST(cli_check_report_ok)
{
	struct check_facts c = full_facts();
	int rc;
	char *t = report(&c, &rc);

	CHECK_EQ(rc, 0);
	CHECK_CONTAINS(t, "ABI v6\n");
	CHECK_CONTAINS(t, "Minimum required:");
	CHECK_CONTAINS(t, "ABI v1\n");
	CHECK_CONTAINS(t, "signal-scope:");
	CHECK_CONTAINS(t, "abstract-unix-socket-scope:");
	CHECK_CONTAINS(t, "Platform: x86_64, Linux 6.8.0\n");
	CHECK(strstr(t, "not enforced") == NULL);
	CHECK(strlen(t) > 16 && strcmp(t + strlen(t) - 11, "Status: OK\n") == 0);
	free(t);
}

TEST(cli_check_report_old_kernel)
{
	struct check_facts c = full_facts();
	int rc;
	char *t;

	c.features.landlock_abi = 3;
	c.features.sync_wake_up = false;
	c.min_abi = 6;
	t = report(&c, &rc);
	CHECK_EQ(rc, 1);
	CHECK_CONTAINS(t, "  fs-truncate:                     enforced      (Landlock ABI v3+: "
			  "truncating files)\n");
	CHECK_CONTAINS(t, "  net-tcp:                         not enforced  (Landlock ABI v4+: TCP "
			  "bind and connect)\n");
	CHECK_CONTAINS(t, "  Sync wake-up:                    no            (Linux 6.7+)\n");
	CHECK_CONTAINS(t,
		       "Status: UNSUPPORTED: Landlock ABI v6 (kernel has v3: net-tcp fs-ioctl-dev "
		       "signal-scope abstract-unix-socket-scope missing; --allow-degraded NAME "
		       "runs without)\n");
	free(t);
}

TEST(cli_check_report_nothing)
{
	struct check_facts c = {.features = {.landlock_abi = -1, .landlock_errno = EOPNOTSUPP},
				.min_abi = 1};
	int rc;
	char *t = report(&c, &rc);

	CHECK_EQ(rc, 1);
	CHECK_CONTAINS(
	    t, "unavailable (disabled at boot: add landlock to the lsm= kernel parameter)\n");
	CHECK_CONTAINS(t, "  Supervisor:                      not enforced  (user notification, "
			  "killable wait)\n");
	CHECK_CONTAINS(t, "Platform: unknown\n");
	CHECK_CONTAINS(t, "Status: UNSUPPORTED: Landlock, seccomp filter, seccomp user "
			  "notification\n");
	free(t);
}

/* Without pidfd_getfd (Docker's default profile) the calls the supervisor
 * makes on a copy of the child's socket are refused, and the report says
 * which. */
TEST(cli_check_report_without_pidfd_getfd)
{
	struct check_facts c = full_facts();
	int rc;
	char *t = report(&c, &rc);

	CHECK_CONTAINS(t,
		       "  Socket sends, inotify watches:   checked       (made by the supervisor");
	CHECK_CONTAINS(t, "  Interfaces (NETLINK_ROUTE):      lo only       (a view the supervisor "
			  "serves)\n");
	free(t);
	c.features.pidfd_getfd = false;
	t = report(&c, &rc);
	CHECK_EQ(rc, 0);
	CHECK_CONTAINS(t, "  Socket sends, inotify watches:   refused       (no pidfd_getfd here: "
			  "connect, sendto with an address, sendmsg, sendmmsg, listen (unless "
			  "port 0 may be bound) and inotify_add_watch fail with EPERM)\n");
	CHECK_CONTAINS(t, "  Interfaces (NETLINK_ROUTE):      refused       (no pidfd_getfd here: "
			  "EAFNOSUPPORT, as any netlink socket)\n");
	free(t);
}

/* Run with capabilities (root), the report says the sandbox gets none;
 * without, it says nothing about them. */
TEST(cli_check_report_caps_dropped)
{
	struct check_facts c = full_facts();
	int rc;
	char *t = report(&c, &rc);

	CHECK(strstr(t, "Capabilities") == NULL);
	free(t);
	c.features.caps_held = true;
	t = report(&c, &rc);
	CHECK_EQ(rc, 0);
	CHECK_CONTAINS(t, "  Capabilities in the sandbox:     dropped       (sandlock runs as root "
			  "or with capabilities)\n");
	free(t);
}
