/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rlimits.h - the kernel's limits a run must fit, checked before anything
 * starts: a value no run could meet is refused at build, and what depends
 * on the run (its arguments, the stack limit it gets) before the fork, as
 * a setup error rather than a command that "cannot be executed".
 */
#ifndef SL_RLIMITS_H
#define SL_RLIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* max_open_files n: not above fs.nr_open (no process can have more), and
 * not above this process's hard RLIMIT_NOFILE unless it holds
 * CAP_SYS_RESOURCE (then *raise is set: the hard limit is raised before
 * the capabilities are dropped).  0 or -EPERM with a message. */
int rlimits_check_nofile(uint64_t n, bool *raise);

/* The most bytes of argument and environment strings execve takes with a
 * stack limit of stack_cur (RLIM_INFINITY allowed): a quarter of it, at
 * most 6 MiB, at least 128 KiB. */
uint64_t rlimits_exec_space(uint64_t stack_cur);
/* The longest single argument or environment string execve takes (its
 * terminating NUL included). */
uint64_t rlimits_exec_string_max(void);

/* Environment entries set by the policy: each one fits execve's per-string
 * limit, and all of them fit what any stack limit allows.  0 or -E2BIG
 * with a message. */
int rlimits_check_env(const char *const *keys, const char *const *vals, size_t n);
/* What execve needs to exec path_len bytes of path with argv and envp
 * (NULL-terminated): the strings with their NULs and the path's, a
 * pointer per string.  For a script, interp is what its #! lines add (the
 * interpreters' names and arguments, their NULs included; -1: not a
 * script): argv[0] gives way to the path, and the larger count is the
 * need. */
uint64_t rlimits_exec_need(const char *const *argv, const char *const *envp, size_t path_len,
			   int64_t interp);
/* A run's exec: argv and envp (NULL-terminated), the path it will exec
 * and what its #! lines add (interp, as above), the stack limit it runs
 * with (and why it is that, or NULL).  0 or -E2BIG with a message. */
int rlimits_check_exec(const char *const *argv, const char *const *envp, const char *path,
		       int64_t interp, uint64_t stack_cur, const char *stack_why);

#endif
