/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A run whose exec can never fit its arguments and environment fails
 * before anything starts, saying so (a setup error, not a command that
 * "cannot be executed"), and the boundary is the kernel's: a command whose
 * strings take exactly what execve accepts runs, one byte more is refused,
 * and a bare execve agrees on both.
 */
#include "common.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define STRING_MAX (32 * (size_t)sysconf(_SC_PAGESIZE))

static char *filled(size_t len, char c)
{
	char *s = malloc(len + 1);
	if (!s)
		th_fail(__FILE__, __LINE__, "out of memory");
	memset(s, c, len);
	s[len] = 0;
	return s;
}

/* One value over execve's per-string limit, and values that together
 * exceed what any stack limit allows: refused at build. */
TEST(exec_env_too_big_refused_at_build)
{
	char *big = filled(10u << 20, 'v');
	char *msg = tc_build_error(sandlock_sandbox_builder_env_var(tc_builder(), "BIG", big));
	CHECK_STR(msg, tc_fmt("env: BIG=... is %zu bytes long; execve takes at most %zu bytes per "
			      "string",
			      (size_t)(10u << 20) + 5, STRING_MAX));
	char *chunk = filled(STRING_MAX - 16, 'c');
	sandlock_builder_t *b = tc_builder();
	for (int i = 0; i < 60; i++)
		b = sandlock_sandbox_builder_env_var(b, tc_fmt("V%02d", i), chunk);
	CHECK_CONTAINS(tc_build_error(b), "env: the variables take ");
	free(big);
	free(chunk);
}

/* An argument over the per-string limit: refused before the fork, by the
 * library and by the CLI, naming the argument. */
TEST(exec_argument_too_long_is_a_setup_error)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	char *arg = filled(STRING_MAX, 'a');
	const char *argv[] = {tc_probe(), arg, NULL};
	CHECK(sandlock_run(p, NULL, argv, 2) == NULL);
	CHECK_STR(sandlock_last_error(),
		  tc_fmt("argument 1 is %zu bytes long; execve takes at most %zu bytes per string",
			 STRING_MAX + 1, STRING_MAX));
	free(arg);
}

/* What execve accepts with stack limit `stack`: a quarter, within 128 KiB
 * and 6 MiB. */
static size_t exec_space(rlim_t stack)
{
	size_t s = stack == RLIM_INFINITY ? (6u << 20) : stack / 4;
	if (s > (6u << 20))
		s = 6u << 20;
	return s < 131072 ? 131072 : s;
}

/* argv {head..., fillers...} whose strings and pointers, with `path` (the
 * file exec'd) and the environment env (strings and pointers), take
 * exactly `need` bytes as execve counts them for a binary. */
static const char **argv_fill(const char *const *head, size_t nhead, const char *path, size_t env,
			      size_t need, unsigned *argc)
{
	static const char *v[512];
	size_t used = strlen(path) + 1 + env;
	unsigned n = 0;
	for (; n < nhead; n++) {
		v[n] = head[n];
		used += strlen(head[n]) + 1 + sizeof(void *);
	}
	while (used < need) {
		size_t left = need - used - sizeof(void *);
		size_t len = left > STRING_MAX - 1 ? STRING_MAX / 2 : left - 1;
		v[n++] = filled(len, 'f');
		used += len + 1 + sizeof(void *);
		if (n >= 511)
			th_fail(__FILE__, __LINE__, "too many filler arguments");
	}
	if (used != need)
		th_fail(__FILE__, __LINE__, "argv size %zu, wanted %zu", used, need);
	v[n] = NULL;
	*argc = n;
	return v;
}

/* argv for `probe exit 0 <filler...>` whose strings and pointers take
 * exactly `need` bytes (with the exec path, an empty environment). */
static const char **argv_of_size(size_t need, unsigned *argc)
{
	const char *head[] = {tc_probe(), "exit", "0"};
	return argv_fill(head, 3, tc_probe(), 0, need, argc);
}

/* How a bare execve of argv (empty environment) ends: its exit status,
 * or 1000 + errno when execve itself failed. */
static int bare_exec(const char **argv, rlim_t stack)
{
	int pfd[2];
	CHECK(pipe(pfd) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		struct rlimit rl;
		getrlimit(RLIMIT_STACK, &rl);
		rl.rlim_cur = stack;
		setrlimit(RLIMIT_STACK, &rl);
		char *envp[] = {NULL};
		execve(argv[0], (char *const *)argv, envp);
		int e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}
	close(pfd[1]);
	int e = 0, st = 0;
	ssize_t got = read(pfd[0], &e, sizeof(e));
	close(pfd[0]);
	CHECK(waitpid(pid, &st, 0) == pid);
	if (got == sizeof(e))
		return 1000 + e;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The boundary, with the stack limit max_memory sets (4 MiB: 1 MiB of
 * strings): exactly the kernel's space runs, one byte more is refused by
 * the library before the fork, and by a bare execve with E2BIG. */
TEST(exec_size_boundary_is_the_kernels)
{
	const rlim_t stack = 4u << 20;
	size_t space = exec_space(stack);
	sandlock_builder_t *b = sandlock_sandbox_builder_clean_env(tc_builder(), true);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_max_memory(b, stack));

	unsigned argc;
	const char **argv = argv_of_size(space, &argc);
	CHECK_EQ(bare_exec(argv, stack), 0);
	struct tc_res r = tc_runv(p, NULL, argv);
	CHECK_EQ(r.code, 0);

	argv = argv_of_size(space + 1, &argc);
	CHECK_EQ(bare_exec(argv, stack), 1000 + E2BIG);
	CHECK(sandlock_run(p, NULL, argv, argc) == NULL);
	CHECK_CONTAINS(sandlock_last_error(),
		       tc_fmt("argument list too long: %u arguments (", argc));
	CHECK_CONTAINS(sandlock_last_error(),
		       tc_fmt("execve takes at most %zu here: a quarter of the stack limit "
			      "(4194304 bytes, set by max_memory)",
			      space));

	/* the CLI: a setup error (exit 1), one line (its own exec has the
	 * test's stack limit: room for these arguments) */
	const char *cv[600];
	unsigned k = 0;
	const char *head[] = {tc_cli(), "run", "-r",	      tc_probe_dir(),
			      "-m",	"4M",  "--clean-env", "--"};
	for (unsigned i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		cv[k++] = head[i];
	for (unsigned i = 0; i < argc && k < 599; i++)
		cv[k++] = argv[i];
	cv[k] = NULL;
	char *err = NULL;
	int st = th_run((char *const *)cv, NULL, NULL, &err);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	CHECK_EQ(tc_nlines(err), 1);
	CHECK_CONTAINS(err, "sandlock: argument list too long: ");
}

/* A megabyte path in a grant: the message keeps the field, the start and
 * the end of the path, and the reason, through the library and (with a
 * path the CLI's own exec can take) the CLI. */
TEST(long_path_message_keeps_the_reason)
{
	char *dir = filled(1u << 20, 'd');
	dir[0] = '/';
	char *msg = tc_build_error(sandlock_sandbox_builder_fs_read(tc_builder(), dir));
	CHECK(strlen(msg) < 1024);
	CHECK(strncmp(msg, "fs_read: /ddd", 13) == 0);
	CHECK_CONTAINS(msg, "ddd: File name too long");
	free(dir);

	dir = filled(100000, 'e');
	dir[0] = '/';
	char *err = NULL;
	int rc = tc_cli_run(NULL, &err, "-r", dir, "--", "/bin/true", NULL);
	CHECK_EQ(rc, 1);
	CHECK_EQ(tc_nlines(err), 1);
	CHECK(strncmp(err, "sandlock: fs_read: /eee", 23) == 0);
	CHECK_CONTAINS(err, "eee: File name too long\n");
	free(dir);
}

/* A script: the kernel takes argv[0] out and puts in the interpreter, its
 * argument and the script's path (binfmt_script), nested scripts each
 * adding their own.  Arguments that fit with them run, one byte more is
 * refused before the fork, as a bare execve refuses it (E2BIG): the check
 * counted a binary's strings only, and the child's exec failed. */
TEST(exec_size_counts_a_scripts_interpreter)
{
	const rlim_t stack = 4u << 20;
	size_t space = exec_space(stack);
	char *dir = tc_mkdir("scripts");
	char *inner = tc_path(dir, "inner"), *outer = tc_path(dir, "outer");
	/* outer runs inner (with "-x"), which runs `probe exit <path...>`:
	 * exit's status is atoi of a path, 0 */
	tc_write_file(inner, tc_fmt("#!%s exit\n", tc_probe()), 0755);
	tc_write_file(outer, tc_fmt("#! %s\t-x  \n", inner), 0755);
	sandlock_builder_t *b = sandlock_sandbox_builder_clean_env(tc_builder(), true);
	b = sandlock_sandbox_builder_fs_read(b, dir);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_max_memory(b, stack));
	/* what the kernel adds: argv[0] gives way to the script's path
	 * (the same here), then "<inner>" "-x", then "<probe>" "exit" */
	size_t extra = strlen(inner) + 1 + 3 + strlen(tc_probe()) + 1 + 5;
	unsigned argc;
	const char *head[] = {outer};
	const char **argv = argv_fill(head, 1, outer, 0, space - extra, &argc);
	CHECK_EQ(bare_exec(argv, stack), 0);
	struct tc_res r = tc_runv(p, NULL, argv);
	CHECK_EQ(r.code, 0);

	argv = argv_fill(head, 1, outer, 0, space - extra + 1, &argc);
	CHECK_EQ(bare_exec(argv, stack), 1000 + E2BIG);
	CHECK(sandlock_run(p, NULL, argv, argc) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "argument list too long: ");
	CHECK_CONTAINS(sandlock_last_error(),
		       tc_fmt("(%s is a script: its interpreters add %zu bytes)", outer, extra));
}

/* A PATH lookup: the kernel counts the path of the candidate it runs.  A
 * longer candidate before it that is not there (a relative directory, not
 * checked in the parent) must not make the run refused: the check took
 * the longest candidate. */
TEST(exec_size_counts_the_path_that_runs)
{
	const rlim_t stack = 4u << 20;
	size_t space = exec_space(stack);
	char *rel = filled(1000, 'r');
	for (int i = 200; i < 1000; i += 200)
		rel[i] = '/';
	char *path = tc_fmt("PATH=%s:%s", rel, tc_probe_dir());
	sandlock_builder_t *b = sandlock_sandbox_builder_clean_env(tc_builder(), true);
	b = sandlock_sandbox_builder_env_var(b, "PATH", path + 5);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_max_memory(b, stack));
	unsigned argc;
	const char *head[] = {"probe", "exit", "0"};
	const char **argv =
	    argv_fill(head, 3, tc_probe(), strlen(path) + 1 + sizeof(void *), space, &argc);
	struct tc_res r = tc_runv(p, NULL, argv);
	CHECK_EQ(r.code, 0);
	/* one byte more: refused, naming the sizes */
	argv = argv_fill(head, 3, tc_probe(), strlen(path) + 1 + sizeof(void *), space + 1, &argc);
	CHECK(sandlock_run(p, NULL, argv, argc) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "argument list too long: ");
	free(rel);
}
