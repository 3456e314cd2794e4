/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /etc/hosts is always the sandbox's: the loopback names and the sandbox's
 * own name, however the command names the file, so that a program looking
 * its own host name up finds it without DNS.  Served by the same view as
 * /etc/hostname (hostname.c tests that one), and granting nothing.
 */
#include "common.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HOSTS_TEXT                                                                                 \
	"127.0.0.1 localhost\\n::1 localhost ip6-localhost ip6-loopback\\n127.0.1.1 box-7\\n"
#define HOSTS_SEEN HOSTS_TEXT " cloexec=1 first-of-second=1"

static void require_hosts(void)
{
	if (!tc_exists("/etc/hosts"))
		SKIP("this host has no /etc/hosts to replace");
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

#define CHECK_ROUTE(p, path, dir, flag, want)                                                      \
	do {                                                                                       \
		char *seen = view((p), (path), (dir), (flag));                                     \
		if (strcmp(seen, (want)) != 0)                                                     \
			th_fail(__FILE__, __LINE__, "route %s (from %s, %s): %s", (path),          \
				(dir) ? (const char *)(dir) : "cwd", (flag), seen);                \
	} while (0)

TEST(hosts_file_every_route)
{
	require_hosts();
	char *dir = tc_mkdir("links");
	char *link = tc_path(dir, "h"), *dlink = tc_path(dir, "etc"), *chain = tc_path(dir, "c");
	CHECK(symlink("/etc/hosts", link) == 0);
	CHECK(symlink("/etc", dlink) == 0);
	CHECK(symlink(link, chain) == 0);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_write(tc_builder(), dir);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(b, "/etc"));
	static const struct {
		const char *path, *dir;
	} routes[] = {
	    {"/etc/hosts", NULL},
	    {"/etc/../etc/./hosts", NULL},
	    {"//etc//hosts", NULL},
	    {"hosts", "/etc"}, /* a dirfd of /etc */
	    {"../etc/hosts", "/etc"},
	    {"etc/hosts", "/"},
	    {"/proc/self/root/etc/hosts", NULL},
	    {"/proc/thread-self/root/etc/hosts", NULL},
	};
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		CHECK_ROUTE(p, routes[i].path, routes[i].dir, "none", HOSTS_SEEN);
	/* symlinks: to the file, to its directory, a chain, relative */
	CHECK_ROUTE(p, link, NULL, "none", HOSTS_SEEN);
	CHECK_ROUTE(p, tc_path(dlink, "hosts"), NULL, "none", HOSTS_SEEN);
	CHECK_ROUTE(p, chain, NULL, "none", HOSTS_SEEN);
	CHECK_ROUTE(p, "h", dir, "none", HOSTS_SEEN);
	/* a symlink the command makes itself in its writable directory */
	char *mine = tc_path(dir, "mine");
	const char *argv[] = {tc_probe(), "seq", tc_fmt("symlink /etc/hosts %s", mine),
			      tc_fmt("view %s", mine), NULL};
	struct tc_res r = tc_runv(p, "box-7", argv);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "ok\n" HOSTS_SEEN "\n");
	/* O_NOFOLLOW: a symlink fails as the kernel says, the file itself is
	 * the view (where the host's /etc/hosts is no symlink); without
	 * O_CLOEXEC the fd has none */
	CHECK_ROUTE(p, link, NULL, "nofollow", "errno=ELOOP");
	struct stat sb;
	CHECK(lstat("/etc/hosts", &sb) == 0);
	CHECK_ROUTE(p, "/etc/hosts", NULL, "nofollow",
		    S_ISLNK(sb.st_mode) ? "errno=ELOOP" : HOSTS_SEEN);
	CHECK_ROUTE(p, "/etc/hosts", NULL, "keep", HOSTS_TEXT " cloexec=0 first-of-second=1");
	/* openat2 is no route: ENOSYS for every path, so libraries fall back
	 * on openat */
	CHECK_ROUTE(p, "/etc/hosts", NULL, "openat2", "errno=ENOSYS");
}

/* The working directory is a route too. */
TEST(hosts_file_relative_to_the_cwd)
{
	require_hosts();
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder(), "/etc");
	sandlock_sandbox_t *in_etc = tc_build(sandlock_sandbox_builder_cwd(b, "/etc"));
	CHECK_ROUTE(in_etc, "hosts", NULL, "none", HOSTS_SEEN);
	CHECK_ROUTE(in_etc, "./hosts", NULL, "none", HOSTS_SEEN);
	b = sandlock_sandbox_builder_fs_read(tc_builder(), "/etc");
	sandlock_sandbox_t *in_root = tc_build(sandlock_sandbox_builder_cwd(b, "/"));
	CHECK_ROUTE(in_root, "etc/hosts", NULL, "none", HOSTS_SEEN);
}

/* A write-open is not a view: it is not even notified, and the kernel
 * answers it (Landlock: /etc is read-only here). */
TEST(hosts_file_write_open_is_the_kernels)
{
	require_hosts();
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/etc"));
	CHECK_ROUTE(p, "/etc/hosts", NULL, "rdwr", "errno=EACCES");
	/* without /etc: the same answer, not the view */
	sandlock_sandbox_t *none = tc_build(tc_builder());
	CHECK_ROUTE(none, "/etc/hosts", NULL, "rdwr", "errno=EACCES");
}

/* Served where the policy does not let the command read /etc, and
 * granting nothing: the rest of /etc stays unreadable, also for a thread
 * that rewrites the path between the check and the open. */
TEST(hosts_file_grants_nothing)
{
	require_hosts();
	sandlock_sandbox_t *p = tc_build(tc_builder());
	CHECK_STR(view(p, "/etc/hosts", NULL, "none"), HOSTS_SEEN);
	CHECK_STR(view(p, "/etc/passwd", NULL, "none"), "errno=EACCES");
	const char *argv[] = {tc_probe(), "race", "/etc/hosts", "/etc/passwd", "3000", NULL};
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

/* A file named hosts that is not the host's /etc/hosts is the real one,
 * however much of the name it shares, even with the same content. */
TEST(hosts_file_same_name_elsewhere_is_real)
{
	require_hosts();
	char *dir = tc_mkdir("other");
	char *etc = tc_path(dir, "etc");
	CHECK(mkdir(etc, 0755) == 0);
	tc_write_file(tc_path(etc, "hosts"), "10.1.2.3 elsewhere\n", 0644);
	char *copy = tc_path(dir, "hosts");
	tc_write_file(copy, tc_read_file("/etc/hosts"), 0644);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), dir));
	static const char want[] = "10.1.2.3 elsewhere\\n cloexec=1 first-of-second=1";
	CHECK_ROUTE(p, tc_path(etc, "hosts"), NULL, "none", want);
	CHECK_ROUTE(p, "hosts", etc, "none", want);
	CHECK_ROUTE(p, "etc/hosts", dir, "none", want);
	const char *argv[] = {tc_probe(), "cat", copy, NULL};
	CHECK_STR(tc_runv(p, "box-7", argv).out, tc_read_file("/etc/hosts"));
}

/* The view cannot be changed from inside: not through the read-only fd
 * the command gets, and not through a read-write reopen of it by
 * /proc/self/fd (Landlock does not confine a memfd, and the fchmod before
 * makes it writable to its owner): the memfd's seals refuse every write. */
TEST(hosts_file_view_cannot_be_changed)
{
	require_hosts();
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "view-write", "/etc/hosts", NULL};
	struct tc_res r = tc_runv(p, "box-7", argv);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "write=EBADF fchmod=ok reopen=ok write=EPERM truncate=EPERM grow=EPERM "
			 "mmap=EPERM then " HOSTS_TEXT "\n");
	/* a chmod to 0 makes the view unreadable to an unprivileged
	 * supervisor: an error then, never the real file */
	const char *chmod_argv[] = {tc_probe(), "view-chmod", "/etc/hosts", NULL};
	r = tc_runv(p, "box-7", chmod_argv);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, geteuid() == 0 ? "ok " HOSTS_TEXT "\n" : "errno=EACCES\n");
}

/* /etc/hostname and /etc/hosts in one sandbox: each open gets its own
 * view, in any order, and other files stay the real ones. */
TEST(hosts_file_beside_hostname)
{
	require_hosts();
	if (!tc_exists("/etc/hostname"))
		SKIP("this host has no /etc/hostname to replace");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/etc"));
	const char *argv[] = {
	    tc_probe(),	       "seq", "view /etc/hostname", "view /etc/hosts", "view /etc/hostname",
	    "cat /etc/passwd", NULL};
	struct tc_res r = tc_runv(p, "box-7", argv);
	CHECK_EQ(r.code, 0);
	char *want = tc_fmt("box-7\\n cloexec=1 first-of-second=b\n" HOSTS_SEEN
			    "\nbox-7\\n cloexec=1 first-of-second=b\n%s",
			    tc_read_file("/etc/passwd"));
	CHECK_STR(r.out, want);
}

/* The whole-words form of a command's output. */
static char *words(const char *s)
{
	char *out = tc_fmt("%s", s), *w = out;
	for (const char *c = s; *c; c++)
		if (*c != ' ' && *c != '\t' && *c != '\n')
			*w++ = *c;
		else if (w > out && w[-1] != ' ')
			*w++ = ' ';
	if (w > out && w[-1] == ' ')
		w--;
	*w = 0;
	return out;
}

/* The C library's resolver finds the loopback names and the sandbox's own
 * name in the view (the host's /etc/hosts does not have that name, and
 * the sandbox cannot reach a DNS server). */
TEST(hosts_file_resolves_the_sandbox_name)
{
	require_hosts();
	if (!tc_exists("/usr/bin/getent"))
		SKIP("no /usr/bin/getent to resolve with");
	char *nss = tc_read_file("/etc/nsswitch.conf");
	char *hosts = nss ? strstr(nss, "\nhosts:") : NULL;
	if (nss && (!hosts || !strstr(tc_line(hosts + 1, 0), "files")))
		SKIP("this host's nsswitch.conf does not look hosts up in files");
	sandlock_sandbox_t *p = tc_build(tc_builder_sys());
	struct tc_res r = tc_run(p, "box-7", "/usr/bin/getent", "hosts", "box-7", NULL);
	CHECK_EQ(r.code, 0);
	CHECK_STR(words(r.out), "127.0.1.1 box-7");
	r = tc_run(p, "other.name", "/usr/bin/getent", "hosts", "other.name", NULL);
	CHECK_EQ(r.code, 0);
	CHECK_STR(words(r.out), "127.0.1.1 other.name");
	/* getent asks for IPv6 first: the view's ::1 line */
	r = tc_run(p, "box-7", "/usr/bin/getent", "hosts", "localhost", NULL);
	CHECK_EQ(r.code, 0);
	CHECK_STR(words(r.out), "::1 localhost ip6-localhost ip6-loopback");
	/* a name the view does not have is not found (exit 2) */
	r = tc_run(p, "box-7", "/usr/bin/getent", "hosts", "not-box-7", NULL);
	CHECK_EQ(r.code, 2);
}
