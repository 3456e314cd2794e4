/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tprobe.c - time_start helper run inside (and outside) sandboxes by
 * tests/integration/timestart.c.  Static (so glibc's static start-up
 * path is the one measured).  One subcommand per question, one line:
 *
 *   clocks         "ok vdso=S libc=S sys=S coarse=S tai=S tod=S systod=S time=S systime=S
 *                   patched=P": the seconds of CLOCK_REALTIME read through the vDSO's
 *                  own __vdso_clock_gettime (found by parsing the vDSO's ELF), libc's
 *                  clock_gettime, syscall(SYS_clock_gettime), CLOCK_REALTIME_COARSE,
 *                  CLOCK_TAI, gettimeofday, its system call, time() and its system
 *                  call; P 1 when the vDSO's clock_gettime entry is a jmp
 *   badptr         the realtime syscalls with a pointer that cannot be written:
 *                  "ok cgt=NAME tod=NAME time=NAME"
 *   fork-clocks    the same from a forked child
 *   advance        the realtime and monotonic milliseconds across a 1 s nanosleep:
 *                  "ok real=MS mono=MS"
 *   condwait MS    pthread_cond_timedwait with a deadline MS ms ahead on CLOCK_REALTIME:
 *                  "ok rc=NAME mono=MS" (how long it took)
 *   absleep MS     clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, now + MS ms): "ok
 *                  rc=N mono=MS"
 *   absleep-eintr MS  the same, interrupted by a signal after 100 ms and called again
 *                  with the same struct (the usual retry): "ok rc=N eintr=N mono=MS"
 *   waitv MS       futex_waitv on a word that does not change, CLOCK_REALTIME deadline
 *                  now + MS ms: "ok rc=NAME mono=MS"
 *   shared MS      two threads sleep (clock_nanosleep TIMER_ABSTIME) to one deadline
 *                  struct, now + MS ms, the second 50 ms after the first: "ok
 *                  mono=MS,MS" (when each woke, from the start)
 *   timerfd MS     a realtime timerfd armed TFD_TIMER_ABSTIME at now + MS ms, read:
 *                  "ok ticks=N mono=MS"
 *   timerfd-disarm a realtime timerfd armed for 100 s, then disarmed by an absolute zero:
 *                  "ok armed=S fired=N" (its remaining seconds after, 0 when disarmed;
 *                  whether it expired within 200 ms)
 *   posixtimer MS  a CLOCK_REALTIME POSIX timer armed TIMER_ABSTIME at now + MS ms,
 *                  waited for (its signal): "ok mono=MS"
 *   vgetrandom N   the vDSO's getrandom called directly (no state: it may answer
 *                  itself, or -ENOSYS when patched), then, on -ENOSYS, the system call:
 *                  "ok vdso=R HEX" (R: its return, a count or -errno)
 *   mt-exec PROG ARGS  starts a thread that reads the clock in a loop, then execs
 *   nodump-exec PROG ARGS  prctl(PR_SET_DUMPABLE, 0), then execs
 */
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe_cmds.h"

/* The address of the vDSO's function name (its section headers'
 * dynamic symbols), or NULL. */
static void *vdso_sym(const char *name)
{
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);
	if (!base)
		return NULL;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(base + eh->e_shoff);
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	uintptr_t bias = 0;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD) {
			bias = base + ph[i].p_offset - ph[i].p_vaddr;
			break;
		}
	for (int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_DYNSYM)
			continue;
		const Elf64_Sym *sym = (const Elf64_Sym *)(base + sh[i].sh_offset);
		const char *str = (const char *)(base + sh[sh[i].sh_link].sh_offset);
		for (size_t j = 0; j < sh[i].sh_size / sizeof(*sym); j++)
			if (sym[j].st_shndx != SHN_UNDEF && !strcmp(str + sym[j].st_name, name))
				return (void *)(bias + sym[j].st_value);
	}
	return NULL;
}

static long long ms(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long sec_of(clockid_t c)
{
	struct timespec ts = {0};
	clock_gettime(c, &ts);
	return (long long)ts.tv_sec;
}

static int cmd_clocks(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	typedef int (*cgt_fn)(clockid_t, struct timespec *);
	cgt_fn vcgt = (cgt_fn)vdso_sym("__vdso_clock_gettime");
	const unsigned char *entry = (const unsigned char *)vcgt;
	struct timespec v = {0}, s = {0};
	struct timeval tv = {0}, stv = {0};
	if (vcgt)
		vcgt(CLOCK_REALTIME, &v);
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &s);
	gettimeofday(&tv, NULL);
	syscall(SYS_gettimeofday, &stv, NULL);
	long long t = (long long)time(NULL), st = syscall(SYS_time, NULL);
	if (entry && entry[0] == 0xf3 && entry[1] == 0x0f && entry[2] == 0x1e && entry[3] == 0xfa)
		entry += 4; /* endbr64 */
	printf("ok vdso=%lld libc=%lld sys=%lld coarse=%lld tai=%lld tod=%lld systod=%lld "
	       "time=%lld systime=%lld patched=%d\n",
	       (long long)v.tv_sec, sec_of(CLOCK_REALTIME), (long long)s.tv_sec,
	       sec_of(CLOCK_REALTIME_COARSE), sec_of(CLOCK_TAI), (long long)tv.tv_sec,
	       (long long)stv.tv_sec, t, st, entry && entry[0] == 0xe9);
	return 0;
}

static int cmd_badptr(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	void *bad = (void *)16;
	long a = syscall(SYS_clock_gettime, CLOCK_REALTIME, bad);
	int ea = errno;
	long b = syscall(SYS_gettimeofday, bad, NULL);
	int eb = errno;
	long c = syscall(SYS_time, bad);
	printf("ok cgt=%s tod=%s time=%s\n", a < 0 ? probe_errname(ea) : "0",
	       b < 0 ? probe_errname(eb) : "0", c < 0 ? probe_errname(errno) : "0");
	return 0;
}

static int cmd_fork_clocks(int argc, char **argv)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(cmd_clocks(argc, argv));
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return 1;
	return 0;
}

static int cmd_advance(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	long long r0 = ms(CLOCK_REALTIME), m0 = ms(CLOCK_MONOTONIC);
	struct timespec one = {1, 0};
	while (nanosleep(&one, &one) < 0 && errno == EINTR)
		;
	printf("ok real=%lld mono=%lld\n", ms(CLOCK_REALTIME) - r0, ms(CLOCK_MONOTONIC) - m0);
	return 0;
}

static struct timespec ahead(long msecs)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += msecs / 1000;
	ts.tv_nsec += (msecs % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

static int cmd_condwait(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
	struct timespec dl = ahead(atol(argv[1]));
	long long m0 = ms(CLOCK_MONOTONIC);
	pthread_mutex_lock(&mu);
	int rc;
	/* the usual loop: a spurious wake-up waits again on the same struct */
	while ((rc = pthread_cond_timedwait(&cv, &mu, &dl)) == 0 &&
	       ms(CLOCK_MONOTONIC) - m0 < 20000)
		;
	pthread_mutex_unlock(&mu);
	printf("ok rc=%s mono=%lld\n", rc ? probe_errname(rc) : "0", ms(CLOCK_MONOTONIC) - m0);
	return 0;
}

static int cmd_absleep(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct timespec dl = ahead(atol(argv[1]));
	long long m0 = ms(CLOCK_MONOTONIC);
	int rc;
	while ((rc = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &dl, NULL)) == EINTR)
		;
	printf("ok rc=%d mono=%lld\n", rc, ms(CLOCK_MONOTONIC) - m0);
	return 0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static int cmd_absleep_eintr(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART */
	struct itimerval it = {.it_value = {0, 100000}};
	sigaction(SIGALRM, &sa, NULL);
	struct timespec dl = ahead(atol(argv[1]));
	long long m0 = ms(CLOCK_MONOTONIC);
	setitimer(ITIMER_REAL, &it, NULL);
	int rc, eintr = 0;
	while ((rc = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &dl, NULL)) == EINTR)
		eintr++;
	printf("ok rc=%d eintr=%d mono=%lld\n", rc, eintr, ms(CLOCK_MONOTONIC) - m0);
	return 0;
}

static struct timespec shared_dl;
static long long shared_m0;

static void *shared_sleeper(void *arg)
{
	long long *woke = arg;
	while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &shared_dl, NULL) == EINTR)
		;
	*woke = ms(CLOCK_MONOTONIC) - shared_m0;
	return NULL;
}

static int cmd_shared(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	long long woke[2] = {0, 0};
	pthread_t t[2];
	shared_dl = ahead(atol(argv[1]));
	shared_m0 = ms(CLOCK_MONOTONIC);
	if (pthread_create(&t[0], NULL, shared_sleeper, &woke[0]) != 0)
		return 1;
	usleep(50000);
	if (pthread_create(&t[1], NULL, shared_sleeper, &woke[1]) != 0)
		return 1;
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	printf("ok mono=%lld,%lld\n", woke[0], woke[1]);
	return 0;
}

#ifndef FUTEX2_SIZE_U32
#define FUTEX2_SIZE_U32 0x02
#endif
struct probe_waitv {
	uint64_t val, uaddr;
	uint32_t flags, reserved;
};

static int cmd_waitv(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	static uint32_t word;
	struct probe_waitv w = {.val = 0, .uaddr = (uintptr_t)&word, .flags = FUTEX2_SIZE_U32};
	struct timespec dl = ahead(atol(argv[1]));
	long long m0 = ms(CLOCK_MONOTONIC);
	long r = syscall(449 /* futex_waitv */, &w, 1, 0, &dl, CLOCK_REALTIME);
	printf("ok rc=%s mono=%lld\n", r < 0 ? probe_errname(errno) : "0",
	       ms(CLOCK_MONOTONIC) - m0);
	return 0;
}

static int cmd_timerfd(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int fd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);
	struct itimerspec its = {.it_value = ahead(atol(argv[1]))};
	long long m0 = ms(CLOCK_MONOTONIC);
	uint64_t ticks = 0;
	if (fd < 0 || timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) < 0 ||
	    read(fd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return probe_report(-1);
	printf("ok ticks=%llu mono=%lld\n", (unsigned long long)ticks, ms(CLOCK_MONOTONIC) - m0);
	return 0;
}

static int cmd_timerfd_disarm(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	int fd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);
	struct itimerspec its = {.it_value = {100, 0}}, zero = {{0, 0}, {0, 0}}, cur;
	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL) < 0 ||
	    timerfd_settime(fd, TFD_TIMER_ABSTIME, &zero, NULL) < 0 ||
	    timerfd_gettime(fd, &cur) < 0)
		return probe_report(-1);
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int fired = poll(&pfd, 1, 200);
	printf("ok armed=%lld fired=%d\n", (long long)cur.it_value.tv_sec, fired);
	return 0;
}

static int cmd_posixtimer(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN};
	timer_t t;
	struct itimerspec its = {.it_value = ahead(atol(argv[1]))};
	long long m0 = ms(CLOCK_MONOTONIC);
	if (timer_create(CLOCK_REALTIME, &ev, &t) < 0 ||
	    timer_settime(t, TIMER_ABSTIME, &its, NULL) < 0)
		return probe_report(-1);
	while (sigwaitinfo(&set, NULL) < 0 && errno == EINTR)
		;
	printf("ok mono=%lld\n", ms(CLOCK_MONOTONIC) - m0);
	return 0;
}

static int cmd_vgetrandom(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	typedef long (*vgr_fn)(void *, size_t, unsigned, void *, size_t);
	vgr_fn vgr = (vgr_fn)vdso_sym("__vdso_getrandom");
	unsigned char buf[64] = {0};
	size_t n = (size_t)atol(argv[1]);
	if (n > sizeof(buf) || !vgr) {
		printf("errno=ENOENT\n");
		return 0;
	}
	long r = vgr(buf, n, 0, NULL, 0);
	if (r == -ENOSYS && syscall(SYS_getrandom, buf, n, 0) != (long)n)
		return 1;
	printf("ok vdso=%ld ", r);
	for (size_t i = 0; i < n; i++)
		printf("%02x", buf[i]);
	printf("\n");
	return 0;
}

static void *spin(void *arg)
{
	(void)arg;
	for (;;) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
	}
	return NULL;
}

static int cmd_mt_exec(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	pthread_t t;
	if (pthread_create(&t, NULL, spin, NULL) != 0)
		return 1;
	usleep(20000);
	execv(argv[1], argv + 1);
	printf("errno=%s\n", probe_errname(errno));
	return 0;
}

static int cmd_nodump_exec(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (prctl(PR_SET_DUMPABLE, 0) != 0)
		return probe_report(-1);
	execv(argv[1], argv + 1);
	printf("errno=%s\n", probe_errname(errno));
	return 0;
}

static const struct probe_cmd commands[] = {
    {"clocks", cmd_clocks},
    {"fork-clocks", cmd_fork_clocks},
    {"badptr", cmd_badptr},
    {"advance", cmd_advance},
    {"condwait", cmd_condwait},
    {"absleep", cmd_absleep},
    {"absleep-eintr", cmd_absleep_eintr},
    {"vgetrandom", cmd_vgetrandom},
    {"mt-exec", cmd_mt_exec},
    {"timerfd", cmd_timerfd},
    {"timerfd-disarm", cmd_timerfd_disarm},
    {"posixtimer", cmd_posixtimer},
    {"waitv", cmd_waitv},
    {"shared", cmd_shared},
    {"nodump-exec", cmd_nodump_exec},
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	return probe_main(commands, sizeof(commands) / sizeof(commands[0]), "tprobe", argc, argv);
}
