/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stress.h - the library under a long-lived, multi-threaded host: THREADS
 * threads each start RUNS sandboxes, one after another, and every byte of
 * every output and every exit code is checked; the process's descriptors,
 * threads, children and resident memory are counted around it.
 *
 * Shared by the integration test (tests/integration/stress.c: a short
 * round in `make check`) and the benchmark (bench/stress.c: a long one
 * that also times each run).  The benchmark links the library alone, not
 * the test harness: everything here is static, and a failure is printed
 * and counted, never fatal.
 *
 * Run i of thread t takes its command from i % STRESS_NKINDS and the way
 * it is started from (t + i) % STRESS_NMODES: the two counts are coprime,
 * so every thread goes through every pair in 20 runs, and at any moment
 * the threads start their sandboxes in different ways.  Each command
 * prints a token of its own (round, thread, run) and exits with a code of
 * its own; most also print the sandbox's name through uname(2), which
 * the supervisor answers: a result or a notification handed to the wrong
 * sandbox shows as a wrong line.
 */
#ifndef SL_STRESS_H
#define SL_STRESS_H

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sandlock.h"

/* What the commands are, and the policy each runs under. */
enum stress_kind {
	STRESS_ECHO,   /* plain policy: probe seq "echo TOKEN" uname "exit CODE" */
	STRESS_LIMITS, /* max_memory + max_processes: a fork and threads too */
	STRESS_BULK,   /* plain policy: the token, then spew (more than a pipe holds) */
	STRESS_SHELL,  /* system directories: /bin/sh echoes on stdout and stderr */
	STRESS_NKINDS
};

/* How a run is started and waited for. */
enum stress_mode {
	STRESS_RUN,	      /* sandlock_run: supervised on the calling thread */
	STRESS_CREATE,	      /* sandlock_create: a supervisor thread, parked until start */
	STRESS_CREATE_INLINE, /* sandlock_create_for_run: supervised inside wait */
	STRESS_CREATE_START,  /* sandlock_create_ex(START): a thread, not parked */
	STRESS_POPEN,	      /* sandlock_popen: the caller reads the pipes */
	STRESS_NMODES
};

static const char *const stress_kind_name[STRESS_NKINDS] = {"echo", "limits", "bulk", "shell"};
static const char *const stress_mode_name[STRESS_NMODES] = {"run", "create", "create-inline",
							    "create-start", "popen"};

/* Resident memory a clean round may still add, in KiB.  What the heap
 * reached is not all given back: glibc keeps an arena per thread that
 * allocated (up to 8 per CPU), trims one only past its trim threshold,
 * which rises to the largest block freed from mmap (the capture buffers
 * of STRESS_BULK, a few hundred KiB), and caches the stacks of joined
 * threads (their touched pages stay resident).  That is a few MiB (1 to
 * 5 measured, 4 to 8 threads), reached early and then flat: 8 x 1000 and
 * 8 x 5000 runs add about the same.  So in the hundred runs of `make
 * check` the bound is a backstop against a large leak (there the
 * descriptor, thread and child counts are exact, and so is LeakSanitizer
 * in an ASan build); the long form's thousands of runs catch a leak of a
 * few KiB a run (8000 x 2 KiB is 16 MiB). */
#define STRESS_RSS_SLACK_KIB (16 * 1024L)

/* Under AddressSanitizer freed memory waits in a quarantine (256 MiB by
 * default) and every allocation has shadow: resident memory says nothing
 * of leaks there, and LeakSanitizer says it all (stress_leak_check). */
#ifdef __SANITIZE_ADDRESS__
#define STRESS_RSS_CHECKED 0
#else
#define STRESS_RSS_CHECKED 1
#endif

/* A generous bound on the wait for a joined thread to leave
 * /proc/self/task: not a timing check, a hang. */
#define STRESS_SETTLE_MS 10000

/* How many failures are printed; the rest are only counted. */
#define STRESS_MAX_REPORTS 10

struct stress {
	const char *probe; /* absolute path of tests/probes/probe */
	sandlock_sandbox_t *policy[STRESS_NKINDS];
	int threads, runs;
	int round;	  /* in every token: rounds do not repeat one */
	uint64_t *ns;	  /* threads * runs wall times (ns) of the last round, or NULL */
	const char *prog; /* prefix of the failure lines */
	pthread_mutex_t lock;
	long failures; /* guarded by lock */
};

/* One run: its command and what it must print and return. */
struct stress_job {
	int t, i;
	enum stress_kind kind;
	enum stress_mode mode;
	char name[64];	/* the sandbox's name, which uname answers */
	char token[64]; /* "r<round>-t<thread>-i<run>-<kind>" */
	char arg[4][80];
	const char *argv[8];
	unsigned int argc;
	int code;
	/* stdout: head, then bulk bytes of the spew pattern; stderr: err */
	char head[256];
	size_t bulk;
	char err[128];
};

static inline uint64_t stress_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A failure of job j (NULL: of the round), printed while few. */
__attribute__((format(printf, 3, 4))) static inline void
stress_fail(struct stress *s, const struct stress_job *j, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&s->lock);
	if (++s->failures <= STRESS_MAX_REPORTS) {
		if (j)
			fprintf(stderr, "    %s: thread %d run %d (%s, %s, %s): %s\n", s->prog,
				j->t, j->i, stress_kind_name[j->kind], stress_mode_name[j->mode],
				j->name, msg);
		else
			fprintf(stderr, "    %s: %s\n", s->prog, msg);
	}
	pthread_mutex_unlock(&s->lock);
}

static inline long stress_failures(struct stress *s)
{
	pthread_mutex_lock(&s->lock);
	long n = s->failures;
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* ---- policies ------------------------------------------------------------ */

static inline sandlock_builder_t *stress_grant_sys(sandlock_builder_t *b)
{
	/* what /bin/sh needs; dash opens /dev/null for background jobs */
	static const char *const sys[] = {"/usr", "/lib", "/lib64", "/bin", "/etc", "/dev/null"};
	struct stat st;
	for (size_t k = 0; k < sizeof(sys) / sizeof(sys[0]); k++)
		if (stat(sys[k], &st) == 0)
			b = sandlock_sandbox_builder_fs_read(b, sys[k]);
	return b;
}

/* Builds one policy per kind; 0, or -1 with the reason in msg. */
static inline int stress_init(struct stress *s, const char *probe, const char *probe_dir,
			      int threads, int runs, const char *prog, char *msg, size_t size)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->probe = probe;
	s->threads = threads;
	s->runs = runs;
	s->prog = prog;
	for (int k = 0; k < STRESS_NKINDS; k++) {
		sandlock_builder_t *b = sandlock_sandbox_builder_new();
		b = sandlock_sandbox_builder_fs_read(b, probe_dir);
		if (k == STRESS_LIMITS) {
			/* the memory limit notifies the allocating mmap and brk
			 * calls and ticks; the process limit, every fork and
			 * thread: the supervisor has work at every run */
			b = sandlock_sandbox_builder_max_memory(b, 256u << 20);
			b = sandlock_sandbox_builder_max_processes(b, 8);
		}
		if (k == STRESS_SHELL)
			b = stress_grant_sys(b);
		int err = 0;
		char *why = NULL;
		s->policy[k] = sandlock_sandbox_build(b, &err, &why);
		if (!s->policy[k] || err) {
			snprintf(msg, size, "the %s policy: %s", stress_kind_name[k],
				 why ? why : sandlock_last_error());
			sandlock_string_free(why);
			return -1;
		}
	}
	return 0;
}

static inline void stress_release(struct stress *s)
{
	for (int k = 0; k < STRESS_NKINDS; k++)
		sandlock_sandbox_free(s->policy[k]);
	free(s->ns);
	s->ns = NULL;
	pthread_mutex_destroy(&s->lock);
}

/* ---- one run ------------------------------------------------------------- */

/* The byte at offset i of the probe's `spew` output (tests/probes/probe.c,
 * spew_byte). */
static inline unsigned char stress_spew_byte(size_t i)
{
	return (unsigned char)('!' + i % 251 % 90);
}

/* Fills j for run i of thread t: the command and what it must do. */
static inline void stress_job(const struct stress *s, struct stress_job *j, int t, int i)
{
	memset(j, 0, sizeof(*j));
	j->t = t;
	j->i = i;
	j->kind = (enum stress_kind)(i % STRESS_NKINDS);
	j->mode = (enum stress_mode)((t + i) % STRESS_NMODES);
	j->code = (t * 31 + i) % 97;
	snprintf(j->name, sizeof(j->name), "stress-%d-%d-%d", s->round, t, i);
	snprintf(j->token, sizeof(j->token), "r%d-t%d-i%d-%s", s->round, t, i,
		 stress_kind_name[j->kind]);
	const char **a = j->argv;
	*a++ = s->probe;
	*a++ = "seq";
	snprintf(j->arg[0], sizeof(j->arg[0]), "echo %s", j->token);
	snprintf(j->arg[1], sizeof(j->arg[1]), "exit %d", j->code);
	switch (j->kind) {
	case STRESS_ECHO:
		*a++ = j->arg[0];
		*a++ = "uname";
		*a++ = j->arg[1];
		snprintf(j->head, sizeof(j->head), "%s\n%s\n", j->token, j->name);
		break;
	case STRESS_LIMITS:
		*a++ = j->arg[0];
		*a++ = "fork";
		*a++ = "threads 2";
		*a++ = "uname";
		*a++ = j->arg[1];
		snprintf(j->head, sizeof(j->head), "%s\nok\nok\n%s\n", j->token, j->name);
		break;
	case STRESS_BULK:
		/* 64 KiB (a pipe's default size) to 200 KiB, never a
		 * multiple of the pattern's period */
		j->bulk = 65536 + (size_t)((t * 7919 + i * 104729) % 139000);
		snprintf(j->arg[2], sizeof(j->arg[2]), "spew %zu", j->bulk);
		*a++ = j->arg[0];
		*a++ = j->arg[2];
		*a++ = j->arg[1];
		snprintf(j->head, sizeof(j->head), "%s\n", j->token);
		snprintf(j->err, sizeof(j->err), "spew done\n");
		break;
	default: /* STRESS_SHELL */
		a = j->argv;
		*a++ = "/bin/sh";
		*a++ = "-c";
		*a++ = "echo \"$1\"; echo \"$1 on stderr\" >&2; exit \"$2\"";
		*a++ = "sh";
		*a++ = j->token;
		snprintf(j->arg[1], sizeof(j->arg[1]), "%d", j->code);
		*a++ = j->arg[1];
		snprintf(j->head, sizeof(j->head), "%s\n", j->token);
		snprintf(j->err, sizeof(j->err), "%s on stderr\n", j->token);
		break;
	}
	*a = NULL;
	j->argc = (unsigned int)(a - j->argv);
}

/* Up to 40 bytes of p from off, escaped, into buf. */
static inline const char *stress_excerpt(const uint8_t *p, size_t len, size_t off, char *buf,
					 size_t size)
{
	size_t o = 0;
	for (size_t k = off; k < len && k < off + 40 && o + 5 < size; k++)
		o += (size_t)snprintf(buf + o, size - o,
				      p[k] >= 0x20 && p[k] < 0x7f ? "%c" : "\\x%02x", p[k]);
	buf[o] = 0;
	return buf;
}

/* Compares what came out of one stream with head followed by bulk bytes
 * of the spew pattern; prints the first difference. */
static inline bool stress_same(struct stress *s, const struct stress_job *j, const char *stream,
			       const uint8_t *got, size_t len, const char *head, size_t bulk)
{
	size_t hl = strlen(head), want = hl + bulk, off = 0;
	if (!got)
		len = 0;
	for (; off < len && off < want; off++) {
		unsigned char w = off < hl ? (unsigned char)head[off] : stress_spew_byte(off - hl);
		if (got[off] != w)
			break;
	}
	if (off == len && len == want)
		return true;
	char g[200], e[200];
	if (off < hl)
		stress_excerpt((const uint8_t *)head, hl, off, e, sizeof(e));
	else
		snprintf(e, sizeof(e), "the spew pattern");
	stress_fail(s, j, "%s: %zu bytes, %zu expected, first difference at %zu: \"%s\" for \"%s\"",
		    stream, len, want, off, stress_excerpt(got, len, off, g, sizeof(g)), e);
	return false;
}

/* Checks a run's status; with_output, its captured output too (else it
 * must have none: popen, or a second wait). */
static inline bool stress_check(struct stress *s, const struct stress_job *j, sandlock_result_t *r,
				bool with_output, const char *what)
{
	if (!r) {
		stress_fail(s, j, "%s: no result: %s", what, sandlock_last_error());
		return false;
	}
	const char *note = sandlock_result_note(r);
	if (sandlock_result_status(r) != SANDLOCK_STATUS_EXITED ||
	    sandlock_result_exit_code(r) != j->code || sandlock_result_signal(r) != -1 || note) {
		size_t n = 0;
		const uint8_t *err = sandlock_result_stderr_bytes(r, &n);
		stress_fail(s, j,
			    "%s: status %d code %d signal %d (exit %d expected), note %s: %.*s",
			    what, sandlock_result_status(r), sandlock_result_exit_code(r),
			    sandlock_result_signal(r), j->code, note ? note : "none",
			    err ? (int)(n < 200 ? n : 200) : 0, err ? (const char *)err : "");
		return false;
	}
	size_t n = 0;
	const uint8_t *out = sandlock_result_stdout_bytes(r, &n);
	bool ok = stress_same(s, j, "stdout", out, n, with_output ? j->head : "",
			      with_output ? j->bulk : 0);
	out = sandlock_result_stderr_bytes(r, &n);
	return stress_same(s, j, "stderr", out, n, with_output ? j->err : "", 0) && ok;
}

static inline void stress_by_run(struct stress *s, const struct stress_job *j)
{
	sandlock_result_t *r = sandlock_run(s->policy[j->kind], j->name, j->argv, j->argc);
	stress_check(s, j, r, true, "sandlock_run");
	sandlock_result_free(r);
}

static inline void stress_by_handle(struct stress *s, const struct stress_job *j)
{
	const sandlock_sandbox_t *p = s->policy[j->kind];
	sandlock_handle_t *h;
	if (j->mode == STRESS_CREATE)
		h = sandlock_create(p, j->name, j->argv, j->argc);
	else if (j->mode == STRESS_CREATE_INLINE)
		h = sandlock_create_for_run(p, j->name, j->argv, j->argc);
	else
		h = sandlock_create_ex(p, j->name, j->argv, j->argc, SANDLOCK_CREATE_START);
	if (!h) {
		stress_fail(s, j, "create: %s", sandlock_last_error());
		return;
	}
	if (sandlock_handle_pid(h) <= 0)
		stress_fail(s, j, "no pid after create");
	if (sandlock_start(h) != 0) {
		stress_fail(s, j, "start: %s", sandlock_last_error());
		sandlock_handle_free(h);
		return;
	}
	/* odd runs wait with a timeout far beyond any run's */
	sandlock_result_t *r =
	    j->i % 2 ? sandlock_handle_wait_timeout(h, 600000) : sandlock_handle_wait(h);
	if (stress_check(s, j, r, true, "wait")) {
		/* the output went to the first result; a second has the status */
		sandlock_result_free(r);
		r = sandlock_handle_wait(h);
		stress_check(s, j, r, false, "second wait");
	}
	sandlock_result_free(r);
	sandlock_handle_free(h);
}

struct stress_buf {
	uint8_t *p;
	size_t len, cap;
};

/* Reads both pipes to their ends at once (either could fill). */
static inline int stress_drain(int out_fd, int err_fd, struct stress_buf b[2])
{
	struct pollfd pfd[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
	int open_fds = 2;
	while (open_fds > 0) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int k = 0; k < 2; k++) {
			if (pfd[k].fd < 0 || !pfd[k].revents)
				continue;
			if (b[k].cap - b[k].len < 65536) {
				size_t cap = b[k].cap * 2 + 65536;
				uint8_t *q = realloc(b[k].p, cap);
				if (!q)
					return -ENOMEM;
				b[k].p = q;
				b[k].cap = cap;
			}
			ssize_t n = read(pfd[k].fd, b[k].p + b[k].len, b[k].cap - b[k].len);
			if (n > 0) {
				b[k].len += (size_t)n;
			} else if (n == 0) {
				pfd[k].fd = -1;
				open_fds--;
			} else if (errno != EINTR && errno != EAGAIN) {
				return -errno;
			}
		}
	}
	return 0;
}

static inline void stress_by_popen(struct stress *s, const struct stress_job *j)
{
	int out_fd = -1, err_fd = -1;
	sandlock_handle_t *h =
	    sandlock_popen(s->policy[j->kind], j->name, j->argv, j->argc, SANDLOCK_STDIO_NULL,
			   SANDLOCK_STDIO_PIPED, SANDLOCK_STDIO_PIPED, NULL, &out_fd, &err_fd);
	if (!h) {
		stress_fail(s, j, "popen: %s", sandlock_last_error());
		return;
	}
	struct stress_buf b[2] = {{0}, {0}};
	int e = stress_drain(out_fd, err_fd, b);
	if (e < 0)
		stress_fail(s, j, "reading the pipes: %s", strerror(-e));
	close(out_fd);
	close(err_fd);
	sandlock_result_t *r = sandlock_handle_wait(h);
	if (stress_check(s, j, r, false, "wait") && e == 0) {
		stress_same(s, j, "stdout pipe", b[0].p, b[0].len, j->head, j->bulk);
		stress_same(s, j, "stderr pipe", b[1].p, b[1].len, j->err, 0);
	}
	sandlock_result_free(r);
	sandlock_handle_free(h);
	free(b[0].p);
	free(b[1].p);
}

static inline void stress_one(struct stress *s, int t, int i)
{
	struct stress_job j;
	stress_job(s, &j, t, i);
	uint64_t t0 = stress_now_ns();
	if (j.mode == STRESS_RUN)
		stress_by_run(s, &j);
	else if (j.mode == STRESS_POPEN)
		stress_by_popen(s, &j);
	else
		stress_by_handle(s, &j);
	if (s->ns)
		s->ns[(size_t)t * (size_t)s->runs + (size_t)i] = stress_now_ns() - t0;
}

/* ---- a round ---------------------------------------------------------------- */

struct stress_worker {
	struct stress *s;
	int t;
};

static inline void *stress_thread(void *arg)
{
	struct stress_worker *w = arg;
	for (int i = 0; i < w->s->runs; i++)
		stress_one(w->s, w->t, i);
	return NULL;
}

/* One round: s->threads threads of s->runs runs each, all joined before
 * it returns.  timed: s->ns receives every run's wall time.  The
 * failures of the round; -1 when it could not start. */
static inline long stress_round(struct stress *s, bool timed)
{
	long before = stress_failures(s);
	free(s->ns);
	s->ns = NULL;
	if (timed && !(s->ns = calloc((size_t)s->threads * (size_t)s->runs, sizeof(*s->ns)))) {
		stress_fail(s, NULL, "out of memory");
		return -1;
	}
	pthread_t *tid = calloc((size_t)s->threads, sizeof(*tid));
	struct stress_worker *w = calloc((size_t)s->threads, sizeof(*w));
	int started = 0;
	for (; tid && w && started < s->threads; started++) {
		w[started] = (struct stress_worker){s, started};
		int e = pthread_create(&tid[started], NULL, stress_thread, &w[started]);
		if (e) {
			stress_fail(s, NULL, "pthread_create: %s", strerror(e));
			break;
		}
	}
	for (int k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
	free(tid);
	free(w);
	s->round++;
	return started < s->threads ? -1 : stress_failures(s) - before;
}

/* ---- what the process holds ---------------------------------------------------- */

struct stress_usage {
	int fds;      /* open descriptors */
	int threads;  /* threads (/proc/self/task) */
	int children; /* child processes of any thread, zombies included */
	long rss_kib; /* resident memory */
};

/* Entries of a /proc directory, less those that start with '.'; -1 when
 * it cannot be read. */
static inline int stress_count(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Children of every thread: a keeper is the child of the thread that
 * cloned it, a command the keeper's. */
static inline int stress_children(void)
{
	DIR *d = opendir("/proc/self/task");
	if (!d)
		return -1;
	int n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/task/%.20s/children", e->d_name);
		FILE *f = fopen(path, "re");
		if (!f)
			continue; /* the thread left meanwhile */
		for (long pid; fscanf(f, "%ld", &pid) == 1;)
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

static inline struct stress_usage stress_usage_now(void)
{
	struct stress_usage u = {.rss_kib = -1};
	int fds = stress_count("/proc/self/fd");
	u.fds = fds < 0 ? -1 : fds - 1; /* opendir's own */
	u.threads = stress_count("/proc/self/task");
	u.children = stress_children();
	FILE *f = fopen("/proc/self/statm", "re");
	long size, rss;
	if (f && fscanf(f, "%ld %ld", &size, &rss) == 2)
		u.rss_kib = rss * (sysconf(_SC_PAGESIZE) / 1024);
	if (f)
		fclose(f);
	return u;
}

/* The usage once the threads the round joined have left the task list
 * (pthread_join returns when the thread's tid is cleared, a little before
 * the kernel removes the task), bounded by STRESS_SETTLE_MS. */
static inline struct stress_usage stress_usage_settled(const struct stress_usage *before)
{
	struct stress_usage u = stress_usage_now();
	for (int ms = 0; ms < STRESS_SETTLE_MS; ms++) {
		if (u.threads <= before->threads && u.children <= before->children)
			break;
		nanosleep(&(struct timespec){0, 1000000}, NULL);
		u = stress_usage_now();
	}
	return u;
}

/* 0 when after holds no more descriptors, threads and children than
 * before and at most STRESS_RSS_SLACK_KIB more memory (not checked under
 * AddressSanitizer); else -1 with what grew in msg. */
static inline int stress_usage_check(const struct stress_usage *before,
				     const struct stress_usage *after, char *msg, size_t size)
{
	msg[0] = 0;
	if (before->fds < 0 || before->threads < 0 || before->children < 0 || before->rss_kib < 0 ||
	    after->fds < 0 || after->threads < 0 || after->children < 0 || after->rss_kib < 0) {
		snprintf(msg, size, "cannot read /proc/self");
		return -1;
	}
	if (after->fds > before->fds || after->threads > before->threads ||
	    after->children > before->children ||
	    (STRESS_RSS_CHECKED && after->rss_kib - before->rss_kib > STRESS_RSS_SLACK_KIB)) {
		snprintf(msg, size,
			 "grew: fds %d -> %d, threads %d -> %d, children %d -> %d, rss %ld -> %ld "
			 "KiB (at most +%ld)",
			 before->fds, after->fds, before->threads, after->threads, before->children,
			 after->children, before->rss_kib, after->rss_kib, STRESS_RSS_SLACK_KIB);
		return -1;
	}
	return 0;
}

/* LeakSanitizer's check, now: 0, or nonzero after it printed the leaks.
 * In a sanitizer build only (the symbol is weak), and a no-op unless
 * ASAN_OPTIONS holds detect_leaks=1: the test harness ends a test with
 * _exit, which skips the check LeakSanitizer makes at exit. */
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static inline int stress_leak_check(void)
{
	return __lsan_do_recoverable_leak_check ? __lsan_do_recoverable_leak_check() : 0;
}

#endif
