/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /etc/hostname reads the sandbox's name, however the command names the
 * file, and the view grants nothing: what the policy does not let the
 * command read stays unreadable, a racing thread included.
 */
#include "common.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

static void require_hostname(void)
{
	if (!tc_exists("/etc/hostname"))
		SKIP("this host has no /etc/hostname to replace");
}

/* The probe's `view` of one route, in a sandbox named "box-7". */
static char *view(sandlock_sandbox_t *p, const char *path, const char *dir, const char *flag)
{
	const char *argv[] = {tc_probe(), "view", path, dir ? dir : "-", flag, NULL};
	struct tc_res r = tc_runv(p, "box-7", argv);
	CHECK_EQ(r.code, 0);
	size_t n = strlen(r.out);
	if (n && r.out[n - 1] == '\n')
		r.out[n - 1] = 0;
	return r.out;
}

#define NAME_SEEN "box-7\\n cloexec=1 first-of-second=b"

TEST(hostname_file_every_route)
{
	require_hostname();
	char *dir = tc_mkdir("links");
	char *link = tc_path(dir, "h"), *dlink = tc_path(dir, "etc"), *chain = tc_path(dir, "c");
	CHECK(symlink("/etc/hostname", link) == 0);
	CHECK(symlink("/etc", dlink) == 0);
	CHECK(symlink(link, chain) == 0);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder(), dir);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(b, "/etc"));
	static const struct {
		const char *path, *dir;
	} routes[] = {
	    {"/etc/hostname", NULL},
	    {"/etc/../etc/./hostname", NULL},
	    {"//etc//hostname", NULL},
	    {"hostname", "/etc"},
	    {"../etc/hostname", "/etc"},
	    {"/proc/self/root/etc/hostname", NULL},
	    {"/proc/thread-self/root/etc/hostname", NULL},
	};
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(view(p, routes[i].path, routes[i].dir, "none"), NAME_SEEN) != 0)
			th_fail(__FILE__, __LINE__, "route %s (from %s): %s", routes[i].path,
				routes[i].dir ? routes[i].dir : "cwd",
				view(p, routes[i].path, routes[i].dir, "none"));
	/* symlinks: to the file, to its directory, a chain */
	CHECK_STR(view(p, link, NULL, "none"), NAME_SEEN);
	CHECK_STR(view(p, tc_path(dlink, "hostname"), NULL, "none"), NAME_SEEN);
	CHECK_STR(view(p, chain, NULL, "none"), NAME_SEEN);
	CHECK_STR(view(p, "h", dir, "none"), NAME_SEEN);
	/* O_NOFOLLOW on a symlink fails as the kernel says; without
	 * O_CLOEXEC the fd has none */
	CHECK_STR(view(p, link, NULL, "nofollow"), "errno=ELOOP");
	CHECK_STR(view(p, "/etc/hostname", NULL, "keep"), "box-7\\n cloexec=0 first-of-second=b");
	/* a read-write open is not a view: Landlock refuses it */
	CHECK_STR(view(p, "/etc/hostname", NULL, "rdwr"), "errno=EACCES");
	/* system programs see it too */
	sandlock_sandbox_t *sys = tc_build(tc_builder_sys());
	struct tc_res r = tc_run(sys, "box-7", "/bin/cat", "/etc/hostname", NULL);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "box-7\n");
	/* other files are the real ones */
	char *real = tc_read_file("/etc/os-release");
	r = tc_run(sys, "box-7", "/bin/cat", "/etc/os-release", NULL);
	CHECK_STR(r.out, real);
}

/* The view is served even where the policy does not let the command read
 * /etc; it grants nothing: the rest of /etc stays unreadable, also for a
 * thread that rewrites the path between the check and the open. */
TEST(hostname_file_grants_nothing)
{
	require_hostname();
	sandlock_sandbox_t *p = tc_build(tc_builder());
	CHECK_STR(view(p, "/etc/hostname", NULL, "none"), NAME_SEEN);
	CHECK_STR(view(p, "/etc/passwd", NULL, "none"), "errno=EACCES");
	const char *argv[] = {tc_probe(), "race", "/etc/hostname", "/etc/passwd", "3000", NULL};
	struct tc_res r = tc_runv(p, "box-7", argv);
	CHECK_EQ(r.code, 0);
	long good = -1, denied = -1, eacces = -1, other = -1;
	CHECK_EQ(sscanf(r.out, "ok good=%ld denied=%ld eacces=%ld other=%ld", &good, &denied,
			&eacces, &other),
		 4);
	/* the view is not the real file's inode: "other" */
	CHECK_EQ(denied, 0);
	CHECK_EQ(good, 0);
	CHECK(other > 0);
}

/* The name the file shows is the sandbox's, one per sandbox. */
TEST(hostname_file_follows_the_name)
{
	require_hostname();
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "cat", "/etc/hostname", NULL};
	CHECK_STR(tc_runv(p, "first", argv).out, "first\n");
	CHECK_STR(tc_runv(p, "second-one", argv).out, "second-one\n");
	char *out = NULL;
	int rc = tc_cli_run(&out, NULL, "-r", tc_probe_dir(), "--name", "cli-box", "--", tc_probe(),
			    "cat", "/etc/hostname", NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "cli-box\n");
}

/* The kernel's own file of the name, which `sysctl kernel.hostname` and
 * some libraries read, shows the sandbox's name too.  Its inode number
 * is made afresh whenever the kernel drops and reloads the entry, so the
 * view must hold it: as root the test drops the caches while the
 * sandbox runs, between two reads. */
TEST(hostname_file_kernel_sysctl)
{
	if (!tc_exists("/proc/sys/kernel/hostname"))
		SKIP("no /proc/sys/kernel/hostname here");
	sandlock_sandbox_t *p = tc_build(tc_builder_sys());
	const char *script = "cat /proc/sys/kernel/hostname; cd /proc/sys/kernel; cat ./hostname; "
			     "cat /proc/self/root/proc/sys/kernel/hostname; "
			     "while [ ! -e \"$0\" ]; do sleep 0.05; done; cat hostname";
	char *flag = tc_path(th_tmpdir(), "dropped");
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct tc_res r = tc_run(p, "box-7", "/bin/sh", "-c", script, flag, NULL);
		_exit(r.code == 0 && strcmp(r.out, "box-7\nbox-7\nbox-7\nbox-7\n") == 0 ? 0 : 1);
	}
	usleep(200 * 1000);
	/* root: evict the entry's dentry and inode (best effort otherwise) */
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd >= 0) {
		CHECK_EQ(write(fd, "2", 1), 1);
		close(fd);
	}
	tc_write_file(flag, "", 0644);
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* A root supervisor resolves what a capless child could not: a path
 * through a directory the child may not search must not come back as the
 * view when it exists and as an error when it does not (an oracle of what
 * lies in that directory).  Both answer as the kernel would for the child. */
TEST(hostname_file_no_oracle_through_unsearchable_dirs)
{
	require_hostname();
	if (geteuid() != 0)
		SKIP("needs root: a directory the sandbox's root cannot search");
	char *d = tc_mkdir("locked");
	char *x = tc_path(d, "x");
	CHECK(mkdir(x, 0755) == 0);
	CHECK(chown(d, 65534, 65534) == 0 && chmod(d, 0700) == 0);
	char up[PATH_MAX] = "";
	for (const char *s = x; *s; s++)
		if (*s == '/')
			strcat(up, "../");
	char *via_x = tc_fmt("%s/%setc/hostname", x, up);
	char *via_y = tc_fmt("%s/y/%setc/hostname", d, up);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder(), "/etc");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(b, d));
	char *seen_x = view(p, via_x, NULL, "none"), *seen_y = view(p, via_y, NULL, "none");
	CHECK_STR(seen_x, "errno=EACCES");
	CHECK_STR(seen_y, "errno=EACCES");
	/* the same path from the host, as root, does reach the file */
	CHECK(access(via_x, R_OK) == 0);
}

/* The view's memfd is the sandbox's to chmod (fchmod is not notified, and
 * the sandbox's user owns it when the host is not root): a view the
 * supervisor could no longer reopen was continued, and the real
 * /etc/hostname read.  A match is the view or an error, never the file. */
TEST(hostname_file_chmod_of_the_view_reaches_no_real_file)
{
	require_hostname();
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/etc"));
	const char *argv[] = {tc_probe(), "view-chmod", "/etc/hostname", NULL};
	struct tc_res r = tc_runv(p, "box-7", argv);
	CHECK_EQ(r.code, 0);
	/* root's supervisor reopens it whatever its mode */
	CHECK_STR(r.out, geteuid() == 0 ? "ok box-7\\n\n" : "errno=EACCES\n");
}

/* A view is no way around --fs-deny: /etc/hostname and /proc/cpuinfo
 * (under num_cpus, the host's first CPU block) denied by path, or
 * through a denied directory, are EACCES however they are named; a
 * view the policy does not deny is still served beside them. */
TEST(hostname_view_of_a_denied_file_refused)
{
	require_hostname();
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_num_cpus(
	    sandlock_sandbox_builder_fs_deny(
		sandlock_sandbox_builder_fs_deny(tc_builder(), "/etc/hostname"), "/proc/cpuinfo"),
	    1));
	CHECK_STR(view(p, "/etc/hostname", NULL, "none"), "errno=EACCES");
	CHECK_STR(view(p, "/etc/../etc/hostname", NULL, "none"), "errno=EACCES");
	CHECK_STR(view(p, "hostname", "/etc", "none"), "errno=EACCES");
	CHECK_STR(view(p, "/proc/cpuinfo", NULL, "none"), "errno=EACCES");
	CHECK_STR(view(p, "/proc/self/root/proc/cpuinfo", NULL, "none"), "errno=EACCES");
	char *hosts = view(p, "/etc/hosts", NULL, "none");
	CHECK(strncmp(hosts, "errno=", 6) != 0);
	sandlock_sandbox_t *d = tc_build(sandlock_sandbox_builder_fs_deny(tc_builder(), "/etc"));
	CHECK_STR(view(d, "/etc/hostname", NULL, "none"), "errno=EACCES");
}
