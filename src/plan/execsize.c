/* SPDX-License-Identifier: Apache-2.0 */
/* execsize.c - will the command's exec fit its strings (see execsize.h). */
#include "execsize.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan.h"
#include "rlimits.h"

/* binfmt_script (fs/binfmt_script.c): the bytes of a file it reads, and
 * how deep interpreters may nest (exec_binprm). */
#define SL_BINPRM_BUF	 256
#define SL_SCRIPT_LEVELS 5

static bool spacetab(char c)
{
	return c == ' ' || c == '\t';
}

static char *non_spacetab(char *first, const char *last)
{
	for (; first <= last; first++)
		if (!spacetab(*first))
			return first;
	return NULL;
}

static char *terminator(char *first, const char *last)
{
	for (; first <= last; first++)
		if (spacetab(*first) || !*first)
			return first;
	return NULL;
}

/* A #! line parsed as load_script parses it (buf: the file's first
 * bytes, zero-padded): the interpreter's name in *name and the bytes the
 * kernel adds for it and its optional argument, or -1 when the kernel
 * would not run it as a script. */
static int64_t shebang(char buf[SL_BINPRM_BUF], char **name)
{
	const char *buf_end = buf + SL_BINPRM_BUF - 1;
	char *i_end = NULL;
	if (buf[0] != '#' || buf[1] != '!')
		return -1;
	for (char *c = buf; c <= buf_end && *c; c++)
		if (*c == '\n') {
			i_end = c;
			break;
		}
	if (!i_end) {
		/* no newline: the name must end within the buffer */
		if (!(i_end = non_spacetab(buf + 2, buf_end)) || !terminator(i_end, buf_end))
			return -1;
		i_end = (char *)buf_end;
	}
	while (spacetab(i_end[-1]))
		i_end--;
	char *i_name = non_spacetab(buf + 2, i_end), *i_arg = NULL;
	if (!i_name || i_name == i_end)
		return -1;
	char *i_sep = terminator(i_name, i_end);
	if (i_sep && *i_sep)
		i_arg = non_spacetab(i_sep, i_end);
	*i_end = 0;
	if (i_arg)
		*i_sep = 0;
	*name = i_name;
	return (int64_t)strlen(i_name) + 1 + (i_arg ? (int64_t)strlen(i_arg) + 1 : 0);
}

/* What the #! lines of path add to its exec (the interpreters' names and
 * arguments, through nested scripts), or -1 for a file that is no script
 * or cannot be read here (a regular file only: no FIFO or device is
 * opened).  A relative path is found from the command's cwd. */
static int64_t script_interp(const struct sl_plan *p, const char *path, int level)
{
	char buf[SL_BINPRM_BUF + 1] = {0}, *name = NULL;
	struct stat st;
	int dir = AT_FDCWD;
	if (path[0] != '/' && p->cwd && (dir = open(p->cwd, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	int fd = fstatat(dir, path, &st, 0) == 0 && S_ISREG(st.st_mode)
		     ? openat(dir, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
		     : -1;
	if (dir >= 0)
		close(dir);
	if (fd < 0)
		return -1;
	ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, buf, SL_BINPRM_BUF) : -1;
	close(fd);
	int64_t add = n < 2 ? -1 : shebang(buf, &name);
	if (add < 0 || level + 1 >= SL_SCRIPT_LEVELS)
		return add;
	int64_t more = script_interp(p, name, level + 1);
	return more < 0 ? add : add + more;
}

/* A candidate the child's exec certainly reaches and runs (an executable
 * regular file): the later ones are never tried. */
static bool candidate_runs(const char *path)
{
	struct stat st;
	return path[0] == '/' && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, X_OK) == 0;
}

/* An exec that cannot fit its arguments is refused here, naming the sizes,
 * rather than by execve in the child ("Argument list too long" as if the
 * command could not be executed).  The kernel counts the path it execs,
 * and for a script its interpreters: the candidates the child may run are
 * those up to the first that certainly runs, and the run is refused only
 * when none of them fits (a candidate the child cannot find fails before
 * its arguments are counted).  A binfmt_misc handler's interpreter
 * (registered by the host) adds strings not counted here: its exec may
 * still fail with E2BIG in the child. */
int execsize_check(const struct sl_plan *p)
{
	struct rlimit rl;
	uint64_t stack = getrlimit(RLIMIT_STACK, &rl) == 0 ? rl.rlim_cur : RLIM_INFINITY;
	const char *why = NULL;
	/* max_memory caps the child's stack limit (child.c) */
	if (p->set_mem && p->mem_limit < stack) {
		stack = p->mem_limit;
		why = "max_memory";
	}
	const char *const *argv = (const char *const *)p->argv.v;
	const char *const *envp = (const char *const *)p->envp.v;
	uint64_t space = rlimits_exec_space(stack), best = 0;
	const char *path = ""; /* no candidate: the child reports it missing */
	int64_t interp = -1;
	for (size_t i = 0; i < p->exec_paths.n; i++) {
		const char *c = p->exec_paths.v[i];
		/* a file is read only when a script could tip the balance:
		 * each #! line adds at most a buffer's worth */
		uint64_t need = rlimits_exec_need(argv, envp, strlen(c), -1);
		int64_t in = need + strlen(c) + 1 + SL_SCRIPT_LEVELS * SL_BINPRM_BUF > space
				 ? script_interp(p, c, 0)
				 : -1;
		if (in >= 0)
			need = rlimits_exec_need(argv, envp, strlen(c), in);
		if (i == 0 || need < best) {
			best = need;
			path = c;
			interp = in;
		}
		/* the last candidate needs no look: nothing comes after it */
		if (i + 1 < p->exec_paths.n && candidate_runs(c))
			break;
	}
	return rlimits_check_exec(argv, envp, path, interp, stack, why);
}
