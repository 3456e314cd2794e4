/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attack3.c - a third round of attacks: the terminal the command shares
 * with the host.
 *
 * The command stays in the host's session (child.c: setpgid only, so an
 * interactive shell keeps its terminal) with the terminal at fd 0.  The
 * kernel lets any process of a session make any process group of that
 * session the terminal's foreground group (TIOCSPGRP), and then sends
 * signals to that group on the sandbox's behalf: SIGWINCH on TIOCSWINSZ;
 * SIGTTOU/SIGTTIN to sandlock's own job once it is in the background
 * (with TOSTOP set by the sandbox, any write of sandlock's job, or of a
 * pipeline partner, stops the whole job); and the user's ^C/^Z go to the
 * group the sandbox picked.  Landlock's signal scope sees none of these
 * (they are sent by the kernel, not by a process of the sandbox).  The
 * filter now refuses TIOCSPGRP unless the sandbox was handed the
 * terminal (interactive, where job control in a shell needs it).
 *
 * The probe is tests/probes/xprobe.c ("tty-fg").
 */
#include "common.h"

#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char *xprobe(void)
{
	static const char *p;
	if (!p)
		p = tc_path(tc_probe_dir(), "xprobe");
	return p;
}

static volatile sig_atomic_t winch;

static void on_winch(int sig)
{
	(void)sig;
	winch = 1;
}

/*
 * A host session on a pseudo terminal: a leader (this test's helper) with
 * the terminal at fd 0, and a host job V in a process group of its own in
 * that session, catching SIGWINCH.  The sandboxed command, started by the
 * leader like a shell's foreground job (interactive: handed the terminal,
 * or not), runs `xprobe tty-fg TARGET` (V's group, or "self").
 *
 * The helper's exit status: bit 0 the foreground group was V's after the
 * run, bit 1 V got SIGWINCH, bit 2 the probe's TIOCSPGRP failed, 0x40 a
 * setup failure.
 */
static int host_session(bool interactive, bool target_self)
{
	char *slave = NULL;
	int m = tc_openpt(&slave);
	CHECK(m >= 0);
	pid_t h = fork();
	CHECK(h >= 0);
	if (h == 0) {
		if (tc_session_on(slave, 1) < 0)
			_exit(0x40);
		int vp[2];
		if (pipe(vp) < 0)
			_exit(0x40);
		pid_t v = fork();
		if (v == 0) {
			setpgid(0, 0);
			struct sigaction sa = {.sa_handler = on_winch};
			sigaction(SIGWINCH, &sa, NULL);
			sigset_t none;
			sigemptyset(&none);
			(void)!write(vp[1], "r", 1);
			while (!winch)
				sigsuspend(&none);
			(void)!write(vp[1], "W", 1);
			for (;;)
				pause();
		}
		setpgid(v, v);
		char c;
		if (read(vp[0], &c, 1) != 1)
			_exit(0x40);
		/* the leader's own group is the foreground, as a shell's job */
		signal(SIGTTOU, SIG_IGN);
		tcsetpgrp(0, getpgrp());
		const char *argv[] = {xprobe(), "tty-fg", target_self ? "self" : tc_itoa(v), NULL};
		sandlock_sandbox_t *p = tc_build(tc_builder());
		int code = interactive ? sandlock_run_interactive(p, NULL, argv, 3)
				       : tc_runv(p, NULL, argv).code;
		int bad = (tcgetpgrp(0) == v ? 1 : 0) | (code == 3 ? 4 : 0);
		fcntl(vp[0], F_SETFL, O_NONBLOCK);
		usleep(200 * 1000);
		if (read(vp[0], &c, 1) == 1 && c == 'W')
			bad |= 2;
		kill(v, SIGKILL);
		waitpid(v, NULL, 0);
		_exit(bad);
	}
	/* drain what the probe writes on the terminal */
	int st = tc_drain_tty_until_exit(m, h);
	CHECK(WIFEXITED(st));
	if (WEXITSTATUS(st) & 0x40)
		th_fail(__FILE__, __LINE__, "setup of the host session failed");
	return WEXITSTATUS(st);
}

/* Not handed the terminal: TIOCSPGRP is refused by the filter. */
TEST(tty_foreground_to_host_group_refused)
{
	int r = host_session(false, false);
	CHECK(!(r & 1)); /* the foreground stayed off the host job */
	CHECK(!(r & 2)); /* no SIGWINCH for it */
	CHECK(r & 4);	 /* the probe was refused */
}

/* Handed the terminal (interactive): the supervisor sets the foreground
 * for the sandbox, only to a group of its own. */
TEST(tty_interactive_foreground_to_host_group_refused)
{
	int r = host_session(true, false);
	CHECK(!(r & 1));
	CHECK(!(r & 2));
	CHECK(r & 4);
}

/* ...and job control in the sandbox works: its own group is set. */
TEST(tty_interactive_foreground_to_own_group)
{
	int r = host_session(true, true);
	CHECK(!(r & 4));
	CHECK(!(r & 1));
}

/* TIOCSPGRP on a file that is no terminal, one the sandbox may read: the
 * supervisor's duplicate of it was closed in the host's process, which
 * drops every POSIX lock the host holds on the file.  The lock stays, and
 * the answer is the kernel's (ENOTTY).  Helper's status: bit 0 the probe
 * was not answered ENOTTY, bit 1 the lock is gone, 0x40 setup. */
TEST(tty_interactive_setpgrp_on_a_file_keeps_host_locks)
{
	char *slave = NULL;
	int m = tc_openpt(&slave);
	CHECK(m >= 0);
	char *dir = tc_mkdir("locked");
	char *file = tc_path(dir, "db");
	tc_write_file(file, "x", 0644);
	pid_t h = fork();
	CHECK(h >= 0);
	if (h == 0) {
		if (tc_session_on(slave, 1) < 0)
			_exit(0x40);
		int fd = open(file, O_RDWR | O_CLOEXEC);
		struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		if (fd < 0 || fcntl(fd, F_SETLK, &l) < 0 || !tc_lock_held(file))
			_exit(0x40);
		signal(SIGTTOU, SIG_IGN);
		tcsetpgrp(0, getpgrp());
		const char *argv[] = {xprobe(), "tty-fg-fd", file, NULL};
		sandlock_sandbox_t *p =
		    tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), dir));
		int code = sandlock_run_interactive(p, NULL, argv, 3);
		_exit((code != 0 ? 1 : 0) | (tc_lock_held(file) ? 0 : 2));
	}
	int st = tc_drain_tty_until_exit(m, h);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
}
