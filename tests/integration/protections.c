/* SPDX-License-Identifier: Apache-2.0 */
/*
 * protections.c - the Landlock protections one by one: each is enforced by
 * default, and disable (the builder's, the CLI's --disable NAME) really
 * leaves it out; allow_degraded changes nothing on a kernel that has them
 * all; bad input is refused by name.
 */
#include "common.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void need_abi(int abi)
{
	if (sandlock_landlock_abi_version() < abi)
		SKIP("Landlock ABI %d needed", abi);
}

static sandlock_sandbox_t *disabled(sandlock_builder_t *b, uint32_t protection)
{
	return tc_build(sandlock_sandbox_builder_disable(b, protection));
}

/* The keeper, the command's parent, is outside the sandbox's domain. */
TEST(protection_signal_scope)
{
	need_abi(6);
	sandlock_sandbox_t *on = tc_build(tc_builder());
	CHECK_STR(tc_probe_in(on, "kill-parent", NULL), "errno=EPERM");
	sandlock_sandbox_t *off = disabled(tc_builder(), SANDLOCK_PROTECTION_SIGNAL_SCOPE);
	CHECK_STR(tc_probe_in(off, "kill-parent", NULL), "ok");
	/* degradable on a kernel that has it: still enforced */
	sandlock_sandbox_t *deg = tc_build(sandlock_sandbox_builder_allow_degraded(
	    tc_builder(), SANDLOCK_PROTECTION_SIGNAL_SCOPE));
	CHECK_STR(tc_probe_in(deg, "kill-parent", NULL), "errno=EPERM");
}

TEST(protection_abstract_unix_socket_scope)
{
	need_abi(6);
	char *name;
	CHECK(asprintf(&name, "sl-prot-%d", (int)getpid()) > 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path + 1, name, strlen(name));
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, len) == 0 && listen(fd, 4) == 0);
	CHECK_STR(tc_probe_in(tc_build(tc_builder()), "connect-abstract", name, NULL),
		  "errno=EPERM");
	sandlock_sandbox_t *off =
	    disabled(tc_builder(), SANDLOCK_PROTECTION_ABSTRACT_UNIX_SOCKET_SCOPE);
	CHECK_STR(tc_probe_in(off, "connect-abstract", name, NULL), "ok");
	close(fd);
	free(name);
}

TEST(protection_net_tcp)
{
	need_abi(4);
	char *port = tc_itoa(tc_free_port());
	CHECK_STR(tc_probe_in(tc_build(tc_builder()), "tcp-bind", port, NULL), "errno=EACCES");
	sandlock_sandbox_t *off = disabled(tc_builder(), SANDLOCK_PROTECTION_NET_TCP);
	CHECK_STR(tc_probe_in(off, "tcp-bind", port, NULL), "ok");
	/* its port rules cannot hold without it: refused */
	sandlock_builder_t *b = sandlock_sandbox_builder_net_bind_port(tc_builder(), 8080);
	b = sandlock_sandbox_builder_disable(b, SANDLOCK_PROTECTION_NET_TCP);
	int err = 0;
	char *msg = NULL;
	CHECK(sandlock_sandbox_build(b, &err, &msg) == NULL);
	CHECK_CONTAINS(msg, "net-tcp protection, which the policy disables");
	free(msg);
}

/* A file the permission bits let us write, in a tree granted read-only. */
static char *readonly_file(void)
{
	char *dir = tc_mkdir("ro");
	char *file = tc_path(dir, "f");
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	CHECK(fd >= 0 && write(fd, "data\n", 5) == 5);
	close(fd);
	return file;
}

TEST(protection_fs_truncate)
{
	need_abi(3);
	char *file = readonly_file();
	char *dir = strdup(file);
	*strrchr(dir, '/') = 0;
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder(), dir);
	CHECK_STR(tc_probe_in(tc_build(b), "truncate", file, NULL), "errno=EACCES");
	CHECK_STR(tc_read_file(file), "data\n");
	b = sandlock_sandbox_builder_fs_read(tc_builder(), dir);
	CHECK_STR(tc_probe_in(disabled(b, SANDLOCK_PROTECTION_FS_TRUNCATE), "truncate", file, NULL),
		  "ok");
	CHECK_STR(tc_read_file(file), "");
	free(dir);
}

/* Without fs-refer handled, Landlock refuses every move across
 * directories (the stricter side). */
TEST(protection_fs_refer)
{
	need_abi(2);
	char *top = tc_mkdir("refer");
	char *a = tc_path(top, "a"), *b = tc_path(top, "b");
	CHECK(mkdir(a, 0755) == 0 && mkdir(b, 0755) == 0);
	char *src = tc_path(a, "f"), *dst = tc_path(b, "f");
	int fd = open(src, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	close(fd);
	sandlock_builder_t *w = sandlock_sandbox_builder_fs_write(tc_builder(), top);
	CHECK_STR(tc_probe_in(tc_build(w), "rename", src, dst, NULL), "ok");
	w = sandlock_sandbox_builder_fs_write(tc_builder(), top);
	CHECK_STR(tc_probe_in(disabled(w, SANDLOCK_PROTECTION_FS_REFER), "rename", dst, src, NULL),
		  "errno=EXDEV");
}

TEST(protection_bad_input)
{
	int err = 0;
	char *msg = NULL;
	CHECK(sandlock_sandbox_build(sandlock_sandbox_builder_disable(tc_builder(), 6), &err,
				     &msg) == NULL);
	CHECK_CONTAINS(msg, "disable: unknown protection 6 (0-5)");
	free(msg);
	CHECK(sandlock_sandbox_build(sandlock_sandbox_builder_allow_degraded(tc_builder(), 99),
				     &err, &msg) == NULL);
	CHECK_CONTAINS(msg, "allow_degraded: unknown protection 99 (0-5)");
	free(msg);
	CHECK(sandlock_sandbox_builder_disable(NULL, 1) == NULL);
	CHECK_STR(sandlock_protection_name(SANDLOCK_PROTECTION_NET_TCP), "net-tcp");
	CHECK(sandlock_protection_name(6) == NULL);
}

TEST(protection_cli)
{
	char *out = NULL, *err = NULL;
	int rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--disable", "signal-scope", "--",
			    tc_probe(), "kill-parent", NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "ok\n");
	rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--allow-degraded", "net-tcp", "--",
			tc_probe(), "kill-parent", NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "errno=EPERM\n");
	rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--disable", "net", "--", tc_probe(),
			"exit", "0", NULL);
	CHECK_EQ(rc, 2);
	CHECK_CONTAINS(err, "invalid value 'net' for --disable: expected one of fs-refer");
}
