/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_pidinfo.c - the strict /proc parsers against text a process can
 * forge: its own name (prctl(PR_SET_NAME), the file it was exec'd from)
 * shows in status, stat and maps.
 */
#include "harness.h"
#include "pidinfo.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The kernel escapes a newline in a name as "\n": a name cannot start a
 * line, so "Tgid:" inside it is never a field. */
TEST(pidinfo_status_field_only_at_line_start)
{
	const char *st = "Name:\tTgid:\t1234 PPid:\t1\n"
			 "Umask:\t0022\n"
			 "State:\tS (sleeping)\n"
			 "Tgid:\t777\n"
			 "Ngid:\t0\n"
			 "Pid:\t778\n"
			 "PPid:\t55\n";
	long v = 0;
	CHECK_EQ(pidinfo_parse_status(st, "Tgid:", &v), 0);
	CHECK_EQ(v, 777);
	CHECK_EQ(pidinfo_parse_status(st, "PPid:", &v), 0);
	CHECK_EQ(v, 55);
	CHECK_EQ(pidinfo_parse_status("Name:\tPPid:\t1\n", "PPid:", &v), -ENOENT);
	/* trailing garbage on the line: not a number the kernel wrote */
	CHECK_EQ(pidinfo_parse_status("Tgid:\t12x\n", "Tgid:", &v), -EIO);
}

/* The name in stat is parenthesised and may hold spaces and ')'. */
TEST(pidinfo_stat_fields_after_last_paren)
{
	struct sl_pstat st;
	const char *s = "42 (evil) S 1 1 1 0 -1) R 9 9 9 0 -1 4194560 1 0 0 0 7 8 9 10 20 0 1 0";
	CHECK_EQ(pidinfo_parse_stat(s, &st), 0);
	CHECK_EQ(st.state, 'R');
	CHECK_EQ(st.ppid, 9);
	CHECK_EQ(st.pgrp, 9);
	CHECK_EQ(st.utime, 7);
	CHECK_EQ(st.stime, 8);
	CHECK_EQ(st.cutime, 9);
	CHECK_EQ(st.cstime, 10);
	CHECK_EQ(st.session, 9);
	CHECK_EQ(st.flags, 4194560UL);
	/* a name forging PF_FORKNOEXEC (what the memory check decides on)
	 * in the flags position: the real field after it says otherwise */
	s = "43 (x) R 5 5 5 0 -1 64) S 5 43 5 0 -1 4194304 1 0 0 0 1 2 3 4 20 0 1 0";
	CHECK_EQ(pidinfo_parse_stat(s, &st), 0);
	CHECK_EQ(st.pgrp, 43);
	CHECK_EQ(st.flags & SL_PF_FORKNOEXEC, 0UL);
	CHECK_EQ(pidinfo_parse_stat("no paren at all", &st), -EIO);
}

/* Only a line whose pathname is exactly "[heap]" is the heap: a file
 * named "x [heap]" or a named anonymous mapping "[anon:x] [heap]" is not. */
TEST(pidinfo_heap_line_exact)
{
	uint64_t end = 0;
	const char *forged = "7e0000000000-7e0000001000 r--p 00000000 08:01 123  /tmp/x [heap]\n"
			     "7f0000000000-7f0000001000 rw-p 00000000 00:00 0  [anon:x] [heap]\n";
	CHECK_EQ(pidinfo_parse_heap(forged, &end), -ENOENT);
	const char *real =
	    "00400000-004c0000 r-xp 00000000 08:01 99  /usr/bin/x\n"
	    "7e0000000000-7e0000001000 r--p 00000000 08:01 123  /tmp/[heap]\n"
	    "01a2b000-01a4c000 rw-p 00000000 00:00 0                                  "
	    "[heap]\n";
	CHECK_EQ(pidinfo_parse_heap(real, &end), 0);
	CHECK_EQ(end, 0x01a4c000);
}

/* A live process's facts through its pidfd and its bound directory; a
 * thread that names itself "Tgid:\t1" changes nothing. */
TEST(pidinfo_facts_of_a_live_process)
{
	th_skip_under_valgrind("pidfd_open");
	int p[2];
	CHECK(pipe(p) == 0);
	pid_t c = fork();
	if (c == 0) {
		close(p[1]);
		prctl(PR_SET_NAME, "Tgid:\t1");
		char b;
		(void)!read(p[0], &b, 1);
		_exit(0);
	}
	int fd = pidinfo_pidfd_open(c, 0);
	CHECK(fd >= 0);
	usleep(20 * 1000);
	int dir = pidinfo_open_dir(c, fd);
	CHECK(dir >= 0);
	pid_t v = 0;
	CHECK_EQ(pidinfo_tgid(fd, dir, c, &v), 0);
	CHECK_EQ(v, c);
	CHECK_EQ(pidinfo_tgid(-1, dir, c, &v), 0); /* the /proc fallback */
	CHECK_EQ(v, c);
	CHECK_EQ(pidinfo_ppid(-1, dir, c, &v), 0);
	CHECK_EQ(v, getpid());
	struct sl_pstat st;
	CHECK_EQ(pidinfo_stat(dir, &st), 0);
	CHECK_EQ(st.ppid, getpid());
	CHECK(!pidinfo_exited(fd));
	close(p[1]);
	waitpid(c, NULL, 0);
	/* reaped: the number may be anyone's, the directory opens no more */
	CHECK(pidinfo_open_dir(c, fd) < 0);
	CHECK(pidinfo_exited(fd));
	close(dir);
	close(fd);
}

/* Credentials as status prints them: only at the start of a line (a name
 * holding "Uid:" is not a field), exactly four ids, any number of groups. */
TEST(pidinfo_creds_strict)
{
	struct sl_creds c;
	const char *st = "Name:\tUid:\t0\t0\t0\t0\n"
			 "Uid:\t1000\t1001\t1002\t1003\n"
			 "Gid:\t50\t51\t52\t53\n"
			 "FDSize:\t64\n"
			 "Groups:\t4 24 27 \n";
	CHECK_EQ(pidinfo_parse_creds(st, &c), 0);
	CHECK_EQ(c.uid[0], 1000);
	CHECK_EQ(c.uid[3], 1003);
	CHECK_EQ(c.gid[1], 51);
	CHECK_EQ(c.ngroups, 3);
	CHECK_EQ(c.groups[2], 27);
	CHECK_EQ(pidinfo_parse_creds("Uid:\t1\t1\t1\t1\nGid:\t1\t1\t1\t1\nGroups:\n", &c), 0);
	CHECK_EQ(c.ngroups, 0);
	/* three ids, five ids, a sign, no Groups line */
	CHECK_EQ(pidinfo_parse_creds("Uid:\t1\t1\t1\nGid:\t1\t1\t1\t1\nGroups:\n", &c), -EIO);
	CHECK_EQ(pidinfo_parse_creds("Uid:\t1\t1\t1\t1\t1\nGid:\t1\t1\t1\t1\nGroups:\n", &c), -EIO);
	CHECK_EQ(pidinfo_parse_creds("Uid:\t-1\t1\t1\t1\nGid:\t1\t1\t1\t1\nGroups:\n", &c), -EIO);
	CHECK_EQ(pidinfo_parse_creds("Uid:\t1\t1\t1\t1\nGid:\t1\t1\t1\t1\n", &c), -EIO);
	/* our own, through our /proc directory */
	int dir = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(dir >= 0);
	CHECK_EQ(pidinfo_creds(dir, "status", &c), 0);
	CHECK_EQ(c.uid[1], geteuid());
	CHECK_EQ(c.gid[1], getegid());
	close(dir);
}

/* fdinfo: flags in octal, each field only at a line's start. */
TEST(pidinfo_fdinfo_fields)
{
	struct sl_fdinfo fi = {0};
	CHECK_EQ(pidinfo_parse_fdinfo("pos:\t0\nflags:\t012100000\nmnt_id:\t27\nino:\t4242\n", &fi),
		 0);
	CHECK_EQ(fi.flags, 012100000u);
	CHECK(fi.flags & O_PATH);
	CHECK_EQ(fi.mnt_id, 27u);
	CHECK_EQ(fi.ino, 4242u);
	/* no ino line (before Linux 5.14), or a field not at a line's start */
	CHECK_EQ(pidinfo_parse_fdinfo("pos:\t0\nflags:\t02\nmnt_id:\t27\n", &fi), -ENOENT);
	CHECK_EQ(pidinfo_parse_fdinfo("pos:\t0 flags:\t02\nmnt_id:\t1\nino:\t2\n", &fi), -ENOENT);
	CHECK_EQ(pidinfo_parse_fdinfo("flags:\t09\nmnt_id:\t1\nino:\t2\n", &fi), -EIO);
	CHECK_EQ(pidinfo_parse_fdinfo("flags:\t02\nmnt_id:\t-1\nino:\t2\n", &fi), -EIO);
}
