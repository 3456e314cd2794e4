/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rprobe.c - privilege helper run inside (and outside) sandboxes by
 * tests/integration/privilege.c.  Static; one subcommand per operation,
 * one line of output: "ok" (sometimes with values) or "errno=NAME".
 * `seq "CMD ARGS" ...` runs several, one line each.
 *
 * Operations that would change the host if they worked use values the
 * kernel rejects after its capability check (or, where it validates
 * first, values it rejects anyway): a sandbox that let them through shows
 * EINVAL, a sandbox that denies them EPERM, and nothing changes either
 * way.  The operations on files only touch paths the test gives.
 *
 *   caps                      "inh=H prm=H eff=H bnd=H amb=H" (/proc/self/status)
 *   securebits                "ok 0xBITS"
 *   rlimits                   "rtprio=CUR/MAX nice=CUR/MAX"
 *   settimeofday              tv_usec out of range (validated first: EINVAL)
 *   clock_settime             tv_nsec out of range (likewise)
 *   adjtimex-set              ADJ_TICK with tick 1 (EPERM without CAP_SYS_TIME, else EINVAL)
 *   clock_adjtime-set         the same through clock_adjtime(CLOCK_REALTIME)
 *   adjtimex-read             modes 0: "ok state=N status=S tick=T"
 *   clock_adjtime-read CLOCK  modes 0 on realtime|tai|monotonic|fd (a dynamic clock id)
 *   ntp_gettime               glibc's ntp_gettime (clock_adjtime underneath): "ok state=N"
 *   adjtime-read              adjtime(NULL, &old) (ADJ_OFFSET_SS_READ): "ok"
 *   mount_setattr DIR         MOUNT_ATTR_RDONLY on DIR, not a mount root (EINVAL if let through)
 *   fsopen                    fsopen("tmpfs")
 *   open_tree DIR             open_tree(DIR, OPEN_TREE_CLOEXEC): no clone, no privilege needed
 *   move_mount                invalid flags (EINVAL if let through)
 *   mknod PATH TYPE           mknodat; TYPE chr, blk, fifo, reg, suid, sgid
 *   mknod-legacy PATH TYPE    the same through mknod (x86_64; mknodat elsewhere)
 *   chown PATH UID GID        chown
 *   chmod|fchmod|fchmodat|fchmodat2 PATH OCTAL
 *   open|openat|creat PATH OCTAL   create PATH (O_CREAT) with that mode
 *   tmpfile DIR OCTAL         open(DIR, O_TMPFILE) with that mode
 *   openat2 PATH              openat2 creating PATH with mode 0644
 *   fanotify                  fanotify_init(FAN_CLASS_CONTENT), which permission events need
 *   syslog                    SYSLOG_ACTION_READ_ALL
 *   vhangup                   in a child without a controlling terminal
 *   chroot DIR                chroot
 *   read PATH                 open and read
 *   sched-fifo                sched_setscheduler(0, SCHED_FIFO, 1)
 *   nice                      setpriority(PRIO_PROCESS, 0, -1)
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe_cmds.h"

/* Numbers older headers may lack (the same on x86_64 and aarch64). */
#define NR_open_tree	 428
#define NR_move_mount	 429
#define NR_fsopen	 430
#define NR_mount_setattr 442
#define NR_openat2	 437
#define NR_fchmodat2	 452

#define OPEN_TREE_CLOEXEC_ O_CLOEXEC
#define MOUNT_ATTR_RDONLY_ 0x00000001
#define FAN_CLASS_CONTENT_ 0x00000004
#define SYSLOG_READ_ALL	   3

static int usage(const char *what)
{
	fprintf(stderr, "rprobe: usage: %s\n", what);
	return 2;
}

/* ---- state ------------------------------------------------------------------ */

/* The hex value of "Name:\t..." in /proc/self/status, or NULL. */
static char *status_field(const char *name, char *out, size_t size)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t n = strlen(name);
	char *r = NULL;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':') {
			char *v = line + n + 1;
			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = 0;
			snprintf(out, size, "%s", v);
			r = out;
			break;
		}
	if (f)
		fclose(f);
	return r;
}

static int cmd_caps(int argc, char **argv)
{
	static const char *const names[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};
	static const char *const keys[] = {"inh", "prm", "eff", "bnd", "amb"};
	for (int i = 0; i < 5; i++) {
		char v[64];
		printf("%s%s=%s", i ? " " : "", keys[i],
		       status_field(names[i], v, sizeof(v)) ? v : "?");
	}
	printf("\n");
	return 0;
}

static int cmd_securebits(int argc, char **argv)
{
	int v = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	if (v < 0)
		return probe_report(-1);
	printf("ok 0x%x\n", v);
	return 0;
}

static int cmd_rlimits(int argc, char **argv)
{
	struct rlimit rt, ni;
	if (getrlimit(RLIMIT_RTPRIO, &rt) < 0 || getrlimit(RLIMIT_NICE, &ni) < 0)
		return probe_report(-1);
	printf("rtprio=%llu/%llu nice=%llu/%llu\n", (unsigned long long)rt.rlim_cur,
	       (unsigned long long)rt.rlim_max, (unsigned long long)ni.rlim_cur,
	       (unsigned long long)ni.rlim_max);
	return 0;
}

/* ---- the clock ---------------------------------------------------------------- */

static int cmd_settimeofday(int argc, char **argv)
{
	struct timeval tv = {0, 2000000};
	return probe_report(syscall(SYS_settimeofday, &tv, NULL));
}

static int cmd_clock_settime(int argc, char **argv)
{
	struct timespec ts = {0, 2000000000L};
	return probe_report(syscall(SYS_clock_settime, CLOCK_REALTIME, &ts));
}

static int cmd_adjtimex_set(int argc, char **argv)
{
	struct timex tx = {.modes = ADJ_TICK, .tick = 1};
	return probe_report(syscall(SYS_adjtimex, &tx));
}

static int cmd_clock_adjtime_set(int argc, char **argv)
{
	struct timex tx = {.modes = ADJ_TICK, .tick = 1};
	return probe_report(syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx));
}

/* A zeroed struct (modes 0) filled by the call: the answer must carry the
 * kernel's values (tick is never 0). */
static int print_timex(long rc, const struct timex *tx)
{
	if (rc < 0)
		return probe_report(-1);
	printf("ok state=%ld status=%d tick=%ld\n", rc, tx->status, tx->tick);
	return 0;
}

static int cmd_adjtimex_read(int argc, char **argv)
{
	struct timex tx;
	memset(&tx, 0, sizeof(tx));
	long rc = syscall(SYS_adjtimex, &tx);
	return print_timex(rc, &tx);
}

static int cmd_clock_adjtime_read(int argc, char **argv)
{
	if (argc < 2)
		return usage("clock_adjtime-read realtime|tai|monotonic|fd");
	clockid_t clk;
	if (!strcmp(argv[1], "realtime"))
		clk = CLOCK_REALTIME;
	else if (!strcmp(argv[1], "tai"))
		clk = CLOCK_TAI;
	else if (!strcmp(argv[1], "monotonic"))
		clk = CLOCK_MONOTONIC;
	else if (!strcmp(argv[1], "fd"))
		clk = (clockid_t)((~0U << 3) | 3); /* FD_TO_CLOCKID(0): stdin */
	else
		return usage("clock_adjtime-read realtime|tai|monotonic|fd");
	struct timex tx;
	memset(&tx, 0, sizeof(tx));
	long rc = syscall(SYS_clock_adjtime, clk, &tx);
	return print_timex(rc, &tx);
}

static int cmd_ntp_gettime(int argc, char **argv)
{
	struct ntptimeval t;
	int rc = ntp_gettime(&t);
	if (rc < 0)
		return probe_report(-1);
	printf("ok state=%d\n", rc);
	return 0;
}

/* adjtime(NULL, &old): ADJ_OFFSET_SS_READ, read-only. */
static int cmd_adjtime_read(int argc, char **argv)
{
	struct timeval old;
	if (adjtime(NULL, &old) < 0)
		return probe_report(-1);
	printf("ok\n");
	return 0;
}

/* ---- mounts ---------------------------------------------------------------------- */

struct mount_attr_ {
	unsigned long long attr_set, attr_clr, propagation, userns_fd;
};

static int cmd_mount_setattr(int argc, char **argv)
{
	if (argc < 2)
		return usage("mount_setattr DIR");
	struct mount_attr_ a = {.attr_set = MOUNT_ATTR_RDONLY_};
	return probe_report(syscall(NR_mount_setattr, AT_FDCWD, argv[1], 0U, &a, sizeof(a)));
}

static int cmd_fsopen(int argc, char **argv)
{
	long fd = syscall(NR_fsopen, "tmpfs", 0U);
	if (fd >= 0)
		close((int)fd);
	return probe_report(fd);
}

static int cmd_open_tree(int argc, char **argv)
{
	if (argc < 2)
		return usage("open_tree DIR");
	long fd = syscall(NR_open_tree, AT_FDCWD, argv[1], (unsigned)OPEN_TREE_CLOEXEC_);
	if (fd >= 0)
		close((int)fd);
	return probe_report(fd);
}

static int cmd_move_mount(int argc, char **argv)
{
	return probe_report(syscall(NR_move_mount, -1, "", -1, "", 0xffffffffU));
}

/* ---- files ------------------------------------------------------------------------ */

static int mknod_mode(const char *type, mode_t *mode, dev_t *dev)
{
	*dev = 0;
	if (!strcmp(type, "chr")) {
		*mode = S_IFCHR | 0600;
		*dev = makedev(1, 11); /* /dev/kmsg */
	} else if (!strcmp(type, "blk")) {
		*mode = S_IFBLK | 0600;
		*dev = makedev(7, 0); /* a loop device */
	} else if (!strcmp(type, "fifo")) {
		*mode = S_IFIFO | 0644;
	} else if (!strcmp(type, "reg")) {
		*mode = S_IFREG | 0644;
	} else if (!strcmp(type, "suid")) {
		*mode = S_IFREG | 04755;
	} else if (!strcmp(type, "sgid")) {
		*mode = S_IFREG | 02755;
	} else {
		return -1;
	}
	return 0;
}

static int cmd_mknod(int argc, char **argv)
{
	mode_t mode;
	dev_t dev;
	if (argc < 3 || mknod_mode(argv[2], &mode, &dev) < 0)
		return usage("mknod PATH chr|blk|fifo|reg|suid|sgid");
	bool legacy = !strcmp(argv[0], "mknod-legacy");
#ifdef SYS_mknod
	if (legacy)
		return probe_report(syscall(SYS_mknod, argv[1], mode, dev));
#endif
	(void)legacy;
	return probe_report(syscall(SYS_mknodat, AT_FDCWD, argv[1], mode, dev));
}

static int cmd_chown(int argc, char **argv)
{
	if (argc < 4)
		return usage("chown PATH UID GID");
	return probe_report(chown(argv[1], (uid_t)atol(argv[2]), (gid_t)atol(argv[3])));
}

static int cmd_chmod(int argc, char **argv)
{
	if (argc < 3)
		return usage("chmod|fchmod|fchmodat|fchmodat2 PATH OCTAL");
	const char *how = argv[0], *path = argv[1];
	mode_t mode = (mode_t)strtoul(argv[2], NULL, 8);
	if (!strcmp(how, "chmod")) {
#ifdef SYS_chmod
		return probe_report(syscall(SYS_chmod, path, mode));
#else
		return probe_report(syscall(SYS_fchmodat, AT_FDCWD, path, mode));
#endif
	}
	if (!strcmp(how, "fchmodat"))
		return probe_report(syscall(SYS_fchmodat, AT_FDCWD, path, mode));
	if (!strcmp(how, "fchmodat2"))
		return probe_report(syscall(NR_fchmodat2, AT_FDCWD, path, mode, 0));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return probe_report(-1);
	long rc = syscall(SYS_fchmod, fd, mode);
	int e = errno;
	close(fd);
	errno = e;
	return probe_report(rc);
}

static int cmd_create(int argc, char **argv)
{
	if (argc < 3)
		return usage("open|openat|creat|tmpfile PATH OCTAL");
	const char *how = argv[0], *path = argv[1];
	mode_t mode = (mode_t)strtoul(argv[2], NULL, 8);
	long fd;
	if (!strcmp(how, "openat"))
		fd = syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_WRONLY | O_CLOEXEC, mode);
	else if (!strcmp(how, "tmpfile"))
		fd = syscall(SYS_openat, AT_FDCWD, path, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
#ifdef SYS_open
	else if (!strcmp(how, "open"))
		fd = syscall(SYS_open, path, O_CREAT | O_WRONLY | O_CLOEXEC, mode);
#endif
#ifdef SYS_creat
	else if (!strcmp(how, "creat"))
		fd = syscall(SYS_creat, path, mode);
#endif
	else /* no legacy call here: the same through openat */
		fd = syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_WRONLY | O_CLOEXEC, mode);
	if (fd >= 0)
		close((int)fd);
	return probe_report(fd);
}

struct open_how_ {
	unsigned long long flags, mode, resolve;
};

static int cmd_openat2(int argc, char **argv)
{
	if (argc < 2)
		return usage("openat2 PATH");
	struct open_how_ how = {.flags = O_CREAT | O_WRONLY | O_CLOEXEC, .mode = 0644};
	long fd = syscall(NR_openat2, AT_FDCWD, argv[1], &how, sizeof(how));
	if (fd >= 0)
		close((int)fd);
	return probe_report(fd);
}

/* ---- administration ------------------------------------------------------------- */

static int cmd_fanotify(int argc, char **argv)
{
	long fd = syscall(SYS_fanotify_init, FAN_CLASS_CONTENT_, (unsigned)O_RDONLY);
	if (fd >= 0)
		close((int)fd);
	return probe_report(fd);
}

static int cmd_syslog(int argc, char **argv)
{
	static char buf[1 << 16];
	return probe_report(syscall(SYS_syslog, SYSLOG_READ_ALL, buf, (int)sizeof(buf)));
}

/* vhangup hangs up the caller's controlling terminal: in a child without
 * one (setsid), it changes nothing even where it is allowed. */
static int cmd_vhangup(int argc, char **argv)
{
	pid_t c = fork();
	if (c == 0) {
		setsid();
		_exit(syscall(SYS_vhangup) < 0 ? errno : 0);
	}
	int st;
	if (c < 0 || waitpid(c, &st, 0) < 0 || !WIFEXITED(st))
		return probe_report(-1);
	errno = WEXITSTATUS(st);
	return probe_report(errno ? -1 : 0);
}

static int cmd_chroot(int argc, char **argv)
{
	if (argc < 2)
		return usage("chroot DIR");
	return probe_report(chroot(argv[1]));
}

static int cmd_read(int argc, char **argv)
{
	if (argc < 2)
		return usage("read PATH");
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return probe_report(-1);
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf));
	int e = errno;
	close(fd);
	errno = e;
	return probe_report(n);
}

static int cmd_sched_fifo(int argc, char **argv)
{
	struct sched_param sp = {.sched_priority = 1};
	return probe_report(sched_setscheduler(0, SCHED_FIFO, &sp));
}

static int cmd_nice(int argc, char **argv)
{
	return probe_report(setpriority(PRIO_PROCESS, 0, -1));
}

/* ---- dispatch ------------------------------------------------------------------- */

static const struct probe_cmd commands[] = {
    {"caps", cmd_caps},
    {"securebits", cmd_securebits},
    {"rlimits", cmd_rlimits},
    {"settimeofday", cmd_settimeofday},
    {"clock_settime", cmd_clock_settime},
    {"adjtimex-set", cmd_adjtimex_set},
    {"clock_adjtime-set", cmd_clock_adjtime_set},
    {"adjtimex-read", cmd_adjtimex_read},
    {"clock_adjtime-read", cmd_clock_adjtime_read},
    {"ntp_gettime", cmd_ntp_gettime},
    {"adjtime-read", cmd_adjtime_read},
    {"mount_setattr", cmd_mount_setattr},
    {"fsopen", cmd_fsopen},
    {"open_tree", cmd_open_tree},
    {"move_mount", cmd_move_mount},
    {"mknod", cmd_mknod},
    {"mknod-legacy", cmd_mknod},
    {"chown", cmd_chown},
    {"chmod", cmd_chmod},
    {"fchmod", cmd_chmod},
    {"fchmodat", cmd_chmod},
    {"fchmodat2", cmd_chmod},
    {"open", cmd_create},
    {"openat", cmd_create},
    {"creat", cmd_create},
    {"tmpfile", cmd_create},
    {"openat2", cmd_openat2},
    {"fanotify", cmd_fanotify},
    {"syslog", cmd_syslog},
    {"vhangup", cmd_vhangup},
    {"chroot", cmd_chroot},
    {"read", cmd_read},
    {"sched-fifo", cmd_sched_fifo},
    {"nice", cmd_nice},
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	return probe_main(commands, sizeof(commands) / sizeof(commands[0]), "rprobe", argc, argv);
}
