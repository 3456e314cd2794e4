/* SPDX-License-Identifier: Apache-2.0 */
/*
 * floor.c - the cheapest possible launcher: `floor CMD ARGS...`.
 *
 * It forks, execs CMD in the child, waits and exits with the child's
 * status (128 + signal number when the child was killed by a signal, like
 * a shell).  Nothing else: no option parsing, no allocation, no extra
 * library.  Any command-line launcher starts two programs instead of one,
 * so this is the floor that `sandlock run` is compared against in
 * bench/startup.sh.
 *
 * Keep it linked against libc alone: every extra shared object costs load
 * time at each start and would flatter the launcher being measured.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t pid;
	int status;

	if (argc < 2) {
		fputs("usage: floor CMD [ARGS...]\n", stderr);
		return 2;
	}

	pid = fork();
	if (pid < 0) {
		perror("floor: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		/* The child only reaches here when exec failed. */
		_exit(errno == ENOENT ? 127 : 126);
	}

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("floor: waitpid");
			return 1;
		}
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
