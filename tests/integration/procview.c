/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procview.c - the proc view: a sandboxed process sees only the
 * sandbox's own processes in /proc.  A process outside (a sleep the test
 * starts, its pid known) is not listed (ls, os.listdir, ps -e, pgrep, raw
 * getdents64) and none of its entries can be opened by any route: its
 * own name, /proc/self/root,
 * a dirfd of /proc, a symlink in a writable tree, "..", O_PATH, a write;
 * a thread rewriting the path while another opens it never reads it.
 * The sandbox's own processes stay visible (/proc/self, its children,
 * /proc/net, /proc/mounts, bash's /dev/fd/63).  stat, access, readlink
 * and chdir are the kernel's: they tell that a pid exists, as kill(pid,
 * 0) does, and the kernel refuses its magic links (exe, cwd, fd/N).
 */
#include "common.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PY TC_PYTHON

static void require_python(void)
{
	if (!tc_exists(PY))
		SKIP("no " PY);
}

static sandlock_sandbox_t *policy(const char *w)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder_sys(), "/proc");
	if (w)
		b = sandlock_sandbox_builder_fs_write(b, w);
	return tc_build(b);
}

/* Every route, one line each: "name result" (ok, true/false, listed or
 * unlisted, or the errno's name). */
static const char routes_py[] =
    "import os, sys, errno, subprocess, time\n"
    "P = int(sys.argv[1]); W = sys.argv[2]; me = os.getpid()\n"
    "def r(name, f):\n"
    "    try:\n"
    "        v = f()\n"
    "        print(name, v if isinstance(v, str) else ('true' if v is True else 'false' if v "
    "is False else 'ok'))\n"
    "    except OSError as e:\n"
    "        print(name, errno.errorcode[e.errno])\n"
    "def rd(p):\n"
    "    with open(p, 'rb') as f: return f.read()\n"
    "def ls(p, n): return 'listed' if str(n) in os.listdir(p) else 'unlisted'\n"
    "def sc(n): return 'listed' if any(e.name == str(n) for e in os.scandir('/proc')) else "
    "'unlisted'\n"
    "pfd = os.open('/proc', os.O_RDONLY | os.O_DIRECTORY)\n"
    "os.symlink('/proc/%d' % P, W + '/l1'); os.symlink('/proc/%d/status' % P, W + '/l2')\n"
    "os.symlink('/proc', W + '/l3')\n"
    "r('environ', lambda: rd('/proc/%d/environ' % P))\n"
    "r('status', lambda: rd('/proc/%d/status' % P))\n"
    "r('cmdline', lambda: rd('/proc/%d/cmdline' % P))\n"
    "r('readlink', lambda: os.readlink('/proc/%d/exe' % P))\n"
    "r('opendir', lambda: os.listdir('/proc/%d' % P))\n"
    "r('opath', lambda: os.open('/proc/%d' % P, os.O_PATH))\n"
    "r('write', lambda: os.open('/proc/%d/oom_score_adj' % P, os.O_WRONLY))\n"
    "r('root', lambda: rd('/proc/self/root/proc/%d/environ' % P))\n"
    "r('troot', lambda: rd('/proc/thread-self/root/proc/%d/status' % P))\n"
    "r('dirfd', lambda: os.open('%d/status' % P, os.O_RDONLY, dir_fd=pfd))\n"
    "r('link1', lambda: rd(W + '/l1/status'))\n"
    "r('link2', lambda: rd(W + '/l2'))\n"
    "r('link3', lambda: rd(W + '/l3/%d/status' % P))\n"
    "r('dotdot', lambda: rd('/proc/%d/task/%d/../../%d/status' % (me, me, P)))\n"
    "r('chdir', lambda: os.chdir('/proc/%d/cwd' % P))\n"
    "r('cwdstat', lambda: os.stat('/proc/%d/cwd/.' % P))\n"
    "r('fdlink', lambda: os.readlink('/proc/%d/fd/0' % P))\n"
    "r('listdir', lambda: ls('/proc', P))\n"
    "r('scandir', lambda: sc(P))\n"
    "r('fdlist', lambda: ls('/proc/self/fd', pfd))\n"
    "os.dup2(pfd, 77); r('dup2list', lambda: 'listed' if str(P) in os.listdir(77) else "
    "'unlisted')\n"
    "r('usrlist', lambda: 'listed' if 'bin' in os.listdir('/usr') else 'unlisted')\n"
    "c = subprocess.Popen(['/bin/sleep', '30'])\n"
    "def cmd(pid):\n"
    "    for i in range(200):\n"
    "        a = rd('/proc/%d/cmdline' % pid)\n"
    "        if a: return a.split(b'\\0')[0].decode()\n"
    "        time.sleep(0.01)\n"
    "    return 'empty'\n"
    "r('child', lambda: cmd(c.pid))\n"
    "r('childstat', lambda: os.stat('/proc/%d' % c.pid))\n"
    "r('childlisted', lambda: ls('/proc', c.pid))\n"
    "r('selflisted', lambda: ls('/proc', me))\n"
    "r('self', lambda: rd('/proc/self/status').split(b'\\n')[0].decode())\n"
    "r('tself', lambda: rd('/proc/thread-self/comm').strip().decode())\n"
    "r('mypid', lambda: rd('/proc/%d/stat' % me).split()[0].decode() == str(me))\n"
    "r('netdev', lambda: rd('/proc/net/dev'))\n"
    "r('mounts', lambda: rd('/proc/mounts'))\n"
    "r('cpuinfo', lambda: rd('/proc/cpuinfo'))\n"
    "c.kill(); c.wait()\n";

static const char *const hidden_routes[] = {"environ", "status", "cmdline", "opendir", "opath",
					    "write",   "root",	 "troot",   "dirfd",   "link1",
					    "link2",   "link3",	 "dotdot",  NULL};

/* The magic links into an outside process (its exe, cwd, fd/N): the
 * kernel's own refusal (Landlock lets a restricted task reach no process
 * outside its domain in any ptrace mode), nothing of ours. */
static const char *const refused_routes[] = {"readlink", "chdir", "cwdstat", "fdlink", NULL};

static void check_routes(const char *out)
{
	for (size_t i = 0; hidden_routes[i]; i++)
		CHECK_CONTAINS(out, tc_fmt("%s ENOENT\n", hidden_routes[i]));
	for (size_t i = 0; refused_routes[i]; i++)
		CHECK_CONTAINS(out, tc_fmt("%s EACCES\n", refused_routes[i]));
	CHECK_CONTAINS(out, "listdir unlisted\n");
	CHECK_CONTAINS(out, "scandir unlisted\n");
	CHECK_CONTAINS(out, "fdlist listed\n");
	CHECK_CONTAINS(out, "dup2list unlisted\n");
	CHECK_CONTAINS(out, "usrlist listed\n");
	CHECK_CONTAINS(out, "child /bin/sleep\n");
	CHECK_CONTAINS(out, "childstat ok\n");
	CHECK_CONTAINS(out, "childlisted listed\n");
	CHECK_CONTAINS(out, "selflisted listed\n");
	CHECK_CONTAINS(out, "self Name:\tpython3\n");
	CHECK_CONTAINS(out, "tself python3\n");
	CHECK_CONTAINS(out, "mypid true\n");
	CHECK_CONTAINS(out, "netdev ok\n");
	CHECK_CONTAINS(out, "mounts ok\n");
	CHECK_CONTAINS(out, "cpuinfo ok\n");
}

static char *run_routes(const sandlock_sandbox_t *p, pid_t v, const char *w)
{
	const char *argv[] = {PY, "-c", routes_py, tc_itoa(v), w, NULL};
	struct tc_res r = tc_runv(p, NULL, argv);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: code %d, out \"%s\" err \"%s\"", r.code, r.out,
			r.err);
	return r.out;
}

TEST(procview_outside_process_hidden_every_route)
{
	require_python();
	char *w = tc_mkdir("w");
	pid_t v = tc_outsider(NULL);
	char *out = run_routes(policy(w), v, w);
	tc_outsider_end(v);
	check_routes(out);
}

/* Where pidfd_getfd is refused (Docker): opens, stat and the rest hide
 * the outside process the same way (the listing is the kernel's there). */
TEST(procview_hidden_without_pidfd_getfd)
{
	require_python();
	tc_refuse_pidfd_getfd();
	char *w = tc_mkdir("w");
	pid_t v = tc_outsider(NULL);
	char *out = run_routes(policy(w), v, w);
	tc_outsider_end(v);
	for (size_t i = 0; hidden_routes[i]; i++)
		CHECK_CONTAINS(out, tc_fmt("%s ENOENT\n", hidden_routes[i]));
	for (size_t i = 0; refused_routes[i]; i++)
		CHECK_CONTAINS(out, tc_fmt("%s EACCES\n", refused_routes[i]));
	CHECK_CONTAINS(out, "child /bin/sleep\n");
	CHECK_CONTAINS(out, "self Name:\tpython3\n");
	CHECK_CONTAINS(out, "netdev ok\n");
}

/* ps -e and pgrep list the sandbox's processes only. */
TEST(procview_ps_and_pgrep)
{
	const char *ps = tc_exists("/usr/bin/ps") ? "/usr/bin/ps" : "/bin/ps";
	const char *pgrep = tc_exists("/usr/bin/pgrep") ? "/usr/bin/pgrep" : "/bin/pgrep";
	if (!tc_exists(ps) || !tc_exists(pgrep))
		SKIP("no ps or pgrep (procps) on this host");
	pid_t v = tc_outsider(NULL);
	const char *script =
	    tc_fmt("%s -e -o pid=,comm=; echo pgrep-outside; %s -x sleep; echo "
		   "rc=$?; sleep 7.5 & for i in 1 2 3 4 5 6 7 8 9 10; do n=$(%s -x "
		   "sleep) && echo inside-found && break; sleep 0.2; done; kill $!",
		   ps, pgrep, pgrep);
	const char *argv[] = {"/bin/sh", "-c", script, NULL};
	struct tc_res r = tc_runv(policy(NULL), NULL, argv);
	tc_outsider_end(v);
	CHECK_EQ(r.code, 0);
	CHECK(strstr(r.out, tc_fmt(" %d ", (int)v)) == NULL);
	CHECK_CONTAINS(r.out, " sh\n");
	CHECK_CONTAINS(r.out, " ps\n");
	CHECK_CONTAINS(r.out, "pgrep-outside\nrc=1\n");
	CHECK_CONTAINS(r.out, "inside-found\n");
	/* the lines before "pgrep-outside": sh and ps, nothing else */
	CHECK_EQ(tc_nlines(r.out), 5);
}

/* ls /proc, and raw getdents64 one record at a time. */
TEST(procview_listing_filtered)
{
	pid_t v = tc_outsider(NULL);
	const char *argv[] = {"/bin/sh", "-c", "ls /proc; echo end", NULL};
	struct tc_res r = tc_runv(policy(NULL), NULL, argv);
	char *dents = tc_named_in(policy(NULL), "pvprobe", "dents", tc_itoa(v), NULL);
	char *self = tc_named_in(policy(NULL), "pvprobe", "dents", "self", NULL);
	tc_outsider_end(v);
	CHECK_EQ(r.code, 0);
	CHECK(strstr(r.out, tc_fmt("\n%d\n", (int)v)) == NULL);
	CHECK_CONTAINS(r.out, "\nself\n");
	CHECK_CONTAINS(r.out, "\ncpuinfo\n");
	CHECK_STR(tc_line(dents, 0), "unseen");
	CHECK_STR(tc_line(self, 0), "seen");
}

/* Under deterministic_dirs the sorted listing is filtered too. */
TEST(procview_listing_filtered_sorted)
{
	pid_t v = tc_outsider(NULL);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder_sys(), "/proc");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_deterministic_dirs(b, true));
	const char *argv[] = {"/bin/sh", "-c", "echo $$; ls -U /proc; echo end", NULL};
	struct tc_res r = tc_runv(p, NULL, argv);
	char *dents = tc_named_in(p, "pvprobe", "dents", tc_itoa(v), NULL);
	tc_outsider_end(v);
	CHECK_EQ(r.code, 0);
	CHECK(strstr(r.out, tc_fmt("\n%d\n", (int)v)) == NULL);
	CHECK_CONTAINS(r.out, tc_fmt("\n%s\n", tc_line(r.out, 0))); /* the shell itself */
	CHECK_CONTAINS(r.out, "\nself\n");
	CHECK_STR(tc_line(dents, 0), "unseen");
}

/* bash's process substitution opens /dev/fd/63 (/proc/self/fd/63). */
TEST(procview_bash_process_substitution)
{
	if (!tc_exists("/bin/bash"))
		SKIP("no /bin/bash");
	const char *argv[] = {"/bin/bash", "-c", "cat <(echo substituted); cat /dev/fd/0 <<< here",
			      NULL};
	struct tc_res r = tc_runv(policy(NULL), NULL, argv);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "substituted\nhere\n");
}

/* A thread rewrites the path between a file the sandbox may read and the
 * outside process's cmdline (readable by every uid) while the main
 * thread opens it: the check and the open are one (the supervisor's), and
 * Landlock gives procfs no right for an open it did not make. */
TEST(procview_attack_path_rewritten_during_open)
{
	char *d = tc_mkdir("r");
	char *benign = tc_path(d, "benign");
	tc_write_file(benign, "benign-content", 0644);
	pid_t v = tc_outsider(NULL);
	char *target = tc_fmt("/proc/%d/cmdline", (int)v);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(
	    sandlock_sandbox_builder_fs_read(tc_builder_sys(), "/proc"), d));
	char *out = tc_named_in(p, "pvprobe", "race", benign, target, "4000", NULL);
	tc_outsider_end(v);
	long b = -1, t = -1, o = -1;
	CHECK_EQ(sscanf(out, "benign=%ld target=%ld other=%ld", &b, &t, &o), 3);
	CHECK_EQ(t, 0);
	CHECK_EQ(o, 0);
	CHECK(b > 0);
}

/* An exclusive creation (O_CREAT|O_EXCL) is left to the kernel without a
 * notification: it opens nothing that exists, whatever the name leads to
 * (a view's file, a procfs file of the sandbox or of a process outside, a
 * final symlink to one), and creates nothing on procfs.  Creation in a
 * writable tree still works, and the views are still served. */
static const char excl_py[] =
    "import os, sys, errno\n"
    "P = int(sys.argv[1]); W = sys.argv[2]\n"
    "X = os.O_CREAT | os.O_EXCL\n"
    "def r(name, p, fl):\n"
    "    try:\n"
    "        fd = os.open(p, fl, 0o644); os.close(fd); print(name, 'opened')\n"
    "    except OSError as e:\n"
    "        print(name, errno.errorcode[e.errno])\n"
    "os.symlink('/proc/%d/environ' % P, W + '/l1'); os.symlink('/etc/hostname', W + '/l2')\n"
    "os.symlink('/proc/self/status', W + '/l3')\n"
    "r('hostname', '/etc/hostname', X | os.O_RDONLY)\n"
    "r('hostnamew', '/etc/hostname', X | os.O_WRONLY)\n"
    "r('self', '/proc/self/status', X | os.O_RDONLY)\n"
    "r('outside', '/proc/%d/environ' % P, X | os.O_RDONLY)\n"
    "r('link1', W + '/l1', X | os.O_RDONLY)\n"
    "r('link2', W + '/l2', X | os.O_WRONLY)\n"
    "r('link3', W + '/l3', X | os.O_RDWR)\n"
    "r('procnew', '/proc/self/newfile', X | os.O_WRONLY)\n"
    "r('procroot', '/proc/newfile', X | os.O_WRONLY)\n"
    "r('mine', W + '/new', X | os.O_WRONLY)\n"
    "r('again', W + '/new', X | os.O_WRONLY)\n"
    "print('view', open('/etc/hostname').read().strip())\n"
    "print('procnew-exists', os.path.exists('/proc/self/newfile'))\n";

TEST(procview_exclusive_create_opens_nothing)
{
	require_python();
	if (!tc_exists("/etc/hostname"))
		SKIP("this host has no /etc/hostname to replace");
	char *w = tc_mkdir("w");
	pid_t v = tc_outsider(NULL);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder_sys(), "/proc");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(b, w));
	const char *argv[] = {PY, "-c", excl_py, tc_itoa(v), w, NULL};
	struct tc_res r = tc_runv(p, "box-9", argv);
	tc_outsider_end(v);
	CHECK_EQ(r.code, 0);
	static const char *const exist[] = {"hostname", "hostnamew", "self",  "outside",
					    "link1",	"link2",     "link3", "again"};
	for (size_t i = 0; i < sizeof(exist) / sizeof(exist[0]); i++)
		CHECK_CONTAINS(r.out, tc_fmt("%s EEXIST\n", exist[i]));
	CHECK(strstr(r.out, "procnew opened") == NULL);
	CHECK(strstr(r.out, "procroot opened") == NULL);
	CHECK_CONTAINS(r.out, "mine opened\n");
	CHECK_CONTAINS(r.out, "view box-9\n");
	CHECK_CONTAINS(r.out, "procnew-exists False\n");
	CHECK(tc_exists(tc_path(w, "new")));
}
