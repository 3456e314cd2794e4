/* SPDX-License-Identifier: Apache-2.0 */
/* rlimits.c - the kernel's limits a run must fit (see rlimits.h). */
#include "rlimits.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "caps.h"
#include "error.h"
#include "util.h"

/* execve's accounting (fs/exec.c): the strings may take a quarter of the
 * stack limit, but at most three quarters of the default 8 MiB stack
 * (_STK_LIM) and at least ARG_MAX; each string, NUL included, at most 32
 * pages (MAX_ARG_STRLEN); one pointer per string besides. */
#define EXEC_SPACE_MAX ((8ull << 20) / 4 * 3)
#define EXEC_SPACE_MIN 131072ull
#define EXEC_PTR       sizeof(void *)

/* fs.nr_open, or 0 when it cannot be read. */
static uint64_t nr_open(void)
{
	unsigned long long v = 0;
	FILE *f = fopen("/proc/sys/fs/nr_open", "re");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

int rlimits_check_nofile(uint64_t n, bool *raise)
{
	*raise = false;
	uint64_t ceiling = nr_open();
	if (ceiling && n > ceiling)
		return sl_errorf(
		    EPERM,
		    "max_open_files %llu is above the kernel's ceiling fs.nr_open (%llu): "
		    "no process may have that many",
		    (unsigned long long)n, (unsigned long long)ceiling);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_max == RLIM_INFINITY || n <= rl.rlim_max)
		return 0;
	if (!sl_caps_effective(CAP_SYS_RESOURCE))
		return sl_errorf(EPERM,
				 "max_open_files %llu is above this process's hard limit of open "
				 "files (%llu, RLIMIT_NOFILE); raising it needs CAP_SYS_RESOURCE",
				 (unsigned long long)n, (unsigned long long)rl.rlim_max);
	*raise = true;
	return 0;
}

uint64_t rlimits_exec_space(uint64_t stack_cur)
{
	uint64_t space = stack_cur == RLIM_INFINITY ? EXEC_SPACE_MAX : stack_cur / 4;
	if (space > EXEC_SPACE_MAX)
		space = EXEC_SPACE_MAX;
	return space < EXEC_SPACE_MIN ? EXEC_SPACE_MIN : space;
}

uint64_t rlimits_exec_string_max(void)
{
	return 32 * (uint64_t)sl_page_size();
}

/* The length of the name of "NAME=value" to quote in a message (at most
 * 64 bytes), and the "..." that says it was cut. */
static int env_name_len(const char *s, const char **ellipsis)
{
	size_t n = strcspn(s, "=");
	*ellipsis = n > 64 ? "..." : "";
	return n > 64 ? 64 : (int)n;
}

static int string_too_long(const char *what, const char *name, uint64_t len)
{
	const char *ell;
	int n = env_name_len(name, &ell);
	return sl_errorf(E2BIG,
			 "%s%.*s%s=... is %llu bytes long; execve takes at most %llu bytes "
			 "per string",
			 what, n, name, ell, (unsigned long long)len,
			 (unsigned long long)rlimits_exec_string_max());
}

int rlimits_check_env(const char *const *keys, const char *const *vals, size_t n)
{
	uint64_t total = 0, max = rlimits_exec_string_max();
	for (size_t i = 0; i < n; i++) {
		uint64_t len = strlen(keys[i]) + 1 + strlen(vals[i]) + 1;
		if (len > max)
			return string_too_long("env: ", keys[i], len);
		total += len + EXEC_PTR;
	}
	if (total > EXEC_SPACE_MAX)
		return sl_errorf(
		    E2BIG,
		    "env: the variables take %llu bytes; execve takes at most %llu bytes "
		    "of arguments and environment with any stack limit",
		    (unsigned long long)total, (unsigned long long)EXEC_SPACE_MAX);
	return 0;
}

/* Adds the strings of v to *bytes and their count to *count; -E2BIG with
 * a message for a string over the per-string limit. */
static int add_strings(const char *const *v, bool env, uint64_t *bytes, uint64_t *count)
{
	uint64_t max = rlimits_exec_string_max();
	for (size_t i = 0; v[i]; i++) {
		uint64_t len = strlen(v[i]) + 1;
		if (len > max && env)
			return string_too_long("environment string ", v[i], len);
		if (len > max)
			return sl_errorf(
			    E2BIG,
			    "argument %zu is %llu bytes long; execve takes at most %llu "
			    "bytes per string",
			    i, (unsigned long long)len, (unsigned long long)max);
		*bytes += len;
		(*count)++;
	}
	return 0;
}

/* Adds the strings of v with their NULs to *bytes, their number to *count. */
static void strings_size(const char *const *v, uint64_t *bytes, uint64_t *count)
{
	for (size_t i = 0; v[i]; i++) {
		*bytes += strlen(v[i]) + 1;
		(*count)++;
	}
}

uint64_t rlimits_exec_need(const char *const *argv, const char *const *envp, size_t path_len,
			   int64_t interp)
{
	uint64_t bytes = path_len + 1, count = 0;
	strings_size(argv, &bytes, &count);
	strings_size(envp, &bytes, &count);
	uint64_t need = bytes + count * EXEC_PTR;
	if (interp < 0 || !argv[0])
		return need;
	/* binfmt_script: argv[0] out, the path and the interpreters in;
	 * the pointers were counted for the strings given (fs/exec.c) */
	uint64_t script = need - (strlen(argv[0]) + 1) + path_len + 1 + (uint64_t)interp;
	return script > need ? script : need;
}

int rlimits_check_exec(const char *const *argv, const char *const *envp, const char *path,
		       int64_t interp, uint64_t stack_cur, const char *stack_why)
{
	uint64_t abytes = 0, ebytes = 0, argc = 0, envc = 0;
	int r = add_strings(argv, false, &abytes, &argc);
	if (r == 0)
		r = add_strings(envp, true, &ebytes, &envc);
	if (r < 0)
		return r;
	uint64_t space = rlimits_exec_space(stack_cur);
	uint64_t need = rlimits_exec_need(argv, envp, strlen(path), interp);
	if (need <= space)
		return 0;
	char stack[96], script[160] = "";
	if (stack_cur == RLIM_INFINITY)
		snprintf(stack, sizeof(stack), "unlimited");
	else
		snprintf(stack, sizeof(stack), "%llu bytes%s%s", (unsigned long long)stack_cur,
			 stack_why ? ", set by " : "", stack_why ? stack_why : "");
	if (interp >= 0)
		snprintf(script, sizeof(script),
			 " (%.*s%s is a script: its interpreters add %llu bytes)", 64, path,
			 strlen(path) > 64 ? "..." : "", (unsigned long long)interp);
	return sl_errorf(
	    E2BIG,
	    "argument list too long: %llu arguments (%llu bytes) and %llu environment "
	    "strings (%llu bytes) need %llu bytes with their pointers%s; execve takes at "
	    "most %llu here: a quarter of the stack limit (%s), within 128 KiB to 6 MiB",
	    (unsigned long long)argc, (unsigned long long)abytes, (unsigned long long)envc,
	    (unsigned long long)ebytes, (unsigned long long)need, script, (unsigned long long)space,
	    stack);
}
