/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.c - `sandlock run`: parse, build the policy, create
 * the sandbox with inherited stdio and the supervisor on this thread,
 * forward termination signals to it, start, wait, report the status.
 */
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "profile.h"
#include "run.h"
#include "run_opts.h"

/* ---- exit status ------------------------------------------------------------ */

int run_exit_code(int status, int exit_code)
{
	switch (status) {
	case SANDLOCK_STATUS_EXITED:
		return exit_code >= 0 && exit_code <= 255 ? exit_code : CLI_EXIT_FAILURE;
	case SANDLOCK_STATUS_TIMEOUT:
		return CLI_EXIT_TIMEOUT;
	default: /* signaled, killed */
		return CLI_EXIT_FAILURE;
	}
}

size_t run_status_json(char *buf, size_t size, int status, int exit_code, int sig)
{
	int n;

	if (status == SANDLOCK_STATUS_EXITED)
		n = snprintf(buf, size, "{\"exit_code\":%d}\n", exit_code);
	else if (status == SANDLOCK_STATUS_SIGNALED)
		n = snprintf(buf, size, "{\"exit_code\":-1,\"signal\":%d}\n", sig);
	else
		n = snprintf(buf, size, "{\"exit_code\":-1}\n");
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

/* The fd stays open: whoever passed it owns it. */
static void write_status_fd(int fd, int status, int exit_code, int sig)
{
	char line[64];
	size_t len = run_status_json(line, sizeof(line), status, exit_code, sig);
	size_t off = 0;

	while (off < len) {
		ssize_t w = write(fd, line + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			fprintf(stderr, "sandlock: --status-fd %d: %s\n", fd, strerror(errno));
			return;
		}
		off += (size_t)w;
	}
}

/* ---- signal forwarding ----------------------------------------------------- */

/* While the sandbox runs, SIGINT/SIGTERM/SIGHUP/SIGQUIT sent to sandlock go
 * to the sandbox's process group, so `kill <sandlock>` or a ^C from a
 * terminal that sandlock does not hand over stops the command, and sandlock
 * then reports its status normally. */
static const int fwd_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define FWD_N (sizeof(fwd_signals) / sizeof(fwd_signals[0]))

static volatile sig_atomic_t fwd_pgid;
static struct sigaction fwd_saved[FWD_N];
static bool fwd_installed[FWD_N];

static void fwd_handler(int sig)
{
	int saved_errno = errno;
	pid_t pgid = (pid_t)fwd_pgid;

	/* killpg(pgid, sig), spelled as kill(2) because signal-safety(7)
	 * lists kill() but not killpg(). */
	if (pgid > 0)
		kill(-pgid, sig);
	errno = saved_errno;
}

static void fwd_install(pid_t pgid)
{
	struct sigaction sa = {.sa_handler = fwd_handler, .sa_flags = SA_RESTART};

	sigemptyset(&sa.sa_mask);
	fwd_pgid = pgid;
	for (size_t i = 0; i < FWD_N; i++) {
		fwd_installed[i] = false;
		/* A signal ignored at start (nohup, `cmd &` in a script) stays
		 * ignored, as it is for the command, which inherited that. */
		if (sigaction(fwd_signals[i], NULL, &fwd_saved[i]) < 0 ||
		    fwd_saved[i].sa_handler == SIG_IGN)
			continue;
		fwd_installed[i] = sigaction(fwd_signals[i], &sa, NULL) == 0;
	}
}

static void fwd_restore(void)
{
	for (size_t i = 0; i < FWD_N; i++)
		if (fwd_installed[i])
			sigaction(fwd_signals[i], &fwd_saved[i], NULL);
	fwd_pgid = 0;
}

/* ---- the run ------------------------------------------------------------------ */

/* The parser bounds the timeout at RUN_TIMEOUT_MAX s, so this cannot
 * overflow. */
static uint64_t timeout_ms(const struct run_opts *o)
{
	return o->timeout.set ? o->timeout.v * 1000 : 0;
}

/* One line when the command did not exit by itself: sandlock's note if
 * it knows why, else the signal (not for SIGINT and SIGPIPE, which end
 * commands normally; a timeout has its own line). */
static void report_end(const sandlock_result_t *res, const struct run_opts *o)
{
	const char *note = sandlock_result_note(res);
	int sig = sandlock_result_signal(res); /* -1: none */
	const char *name = sig > 0 ? sigabbrev_np(sig) : NULL;
	if (note) {
		fprintf(stderr, "sandlock: %s\n", note);
		/* a first run with no grant at all: nothing is readable */
		if (sandlock_result_exit_code(res) == 127 && !o->fs_read.n && !o->fs_write.n &&
		    !o->profile && !o->profile_file)
			fprintf(stderr,
				"sandlock: nothing is readable without -r or a profile; "
				"the built-in one: sandlock run -p default -- %s\n",
				o->cmd[0]);
	} else if (sandlock_result_status(res) == SANDLOCK_STATUS_TIMEOUT)
		return;
	else if (sig > 0 && sig != SIGINT && sig != SIGPIPE)
		fprintf(stderr, "sandlock: %s: killed by SIG%s\n", o->cmd[0], name ? name : "?");
}

/* ---- what the supervisor refused ------------------------------------------------ */

#define DENIALS_SHOWN 5

/* The sandboxed process names the paths, URLs and methods an event
 * holds: its control characters (C0, DEL and C1, which a terminal reads
 * as escape sequences or line breaks) become '?', so that what it names
 * reaches the terminal as text, on the summary's own line. */
static void printable(char *s)
{
	for (unsigned char *c = (unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			*c = '?';
		else if (c[0] == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f)
			c[0] = c[1] = '?'; /* U+0080 to U+009F in UTF-8 */
}

/* One line of the summary, "openat /etc/shadow (read: not under any -r
 * or -w tree (-r /etc/shadow would allow it))", malloc'd; NULL for a
 * line that is no event. */
static char *denial_line(const char *obj)
{
	char *sys = json_str(obj, "syscall"), *target = json_str(obj, "target"),
	     *rule = json_str(obj, "rule"), *line = NULL;
	if (sys && target && rule && asprintf(&line, "%s %s (%s)", sys, target, rule) < 0)
		line = NULL;
	if (line)
		printable(line);
	free(sys);
	free(target);
	free(rule);
	return line;
}

/* The last DENIALS_SHOWN distinct events of text (the ones nearest the
 * failure: a program's failed probes come first), in their order; how
 * many events there were in *n (those dropped too). */
static void denial_summary(char *text, int *n)
{
	char *shown[DENIALS_SHOWN] = {0};
	int k = 0;
	*n = 0;
	for (char *end = text + strlen(text); end > text;) {
		char *line = end - 1;
		while (line > text && line[-1] != '\n')
			line--;
		int64_t dropped = 0;
		char *s = strncmp(line, "{\"dropped\"", 10) ? denial_line(line) : NULL;
		end = line;
		*n += s != NULL;
		if (!s && json_int(line, "dropped", &dropped) && dropped > 0 &&
		    dropped < INT_MAX - *n)
			*n += (int)dropped;
		for (int i = 0; s && i < k; i++)
			if (strcmp(shown[i], s) == 0) {
				free(s);
				s = NULL;
			}
		if (s && k < DENIALS_SHOWN)
			shown[k++] = s;
		else
			free(s);
	}
	for (int i = k - 1; i >= 0; i--) {
		fprintf(stderr, "sandlock: denied: %s\n", shown[i]);
		free(shown[i]);
	}
}

/* When the command failed, the refusals that may be why, on stderr; all
 * of them in --log-denials FILE. */
static void report_denials(const struct run_opts *o, sandlock_handle_t *h, bool failed)
{
	if (!o->log_denials && !failed)
		return;
	char *text = sandlock_handle_denials(h);
	if (!text) {
		fprintf(stderr, "sandlock: denials: %s\n", sandlock_last_error());
		return;
	}
	if (o->log_denials) {
		FILE *f = fopen(o->log_denials, "we");
		if (!f || fputs(text, f) < 0 || fclose(f) != 0)
			fprintf(stderr, "sandlock: --log-denials %s: %s\n", o->log_denials,
				strerror(errno));
	}
	int n = 0;
	if (failed)
		denial_summary(text, &n);
	if (n > DENIALS_SHOWN)
		fprintf(stderr, "sandlock: %d denials in all%s\n", n,
			o->log_denials ? "" : " (--log-denials FILE lists them)");
	sandlock_string_free(text);
}

/* Starts the created sandbox, waits for it and reports how it ended. */
static int start_and_wait(const struct run_opts *o, sandlock_handle_t *h)
{
	int status = SANDLOCK_STATUS_KILLED, code = -1, sig = -1;
	sandlock_result_t *res = NULL;

	fwd_install((pid_t)sandlock_handle_pid(h));
	if (sandlock_start(h) < 0) {
		fwd_restore();
		fprintf(stderr, "sandlock: %s\n", sandlock_last_error());
		return CLI_EXIT_FAILURE;
	}
	res = sandlock_handle_wait_timeout(h, timeout_ms(o));
	fwd_restore();
	if (res) {
		status = sandlock_result_status(res);
		code = sandlock_result_exit_code(res);
		sig = sandlock_result_signal(res);
		report_end(res, o);
		sandlock_result_free(res);
	} else {
		fprintf(stderr, "sandlock: %s\n", sandlock_last_error());
	}
	if (status == SANDLOCK_STATUS_TIMEOUT)
		fprintf(stderr, "sandlock: timeout after %" PRIu64 "s\n", o->timeout.v);
	report_denials(o, h, !res || status != SANDLOCK_STATUS_EXITED || code != 0);
	if (o->status_fd.set)
		write_status_fd((int)o->status_fd.v, status, code, sig);
	return res ? run_exit_code(status, code) : CLI_EXIT_FAILURE;
}

static int run_built(const struct run_opts *o);

static int rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	/* FTW_PHYS: a symlink the sandbox planted is removed, never followed */
	return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

/* --tmp: a directory of this run's own under $TMPDIR (else /tmp), mode
 * 0700; removed whole when the run is over (every process of the sandbox
 * is gone by then: the keeper killed them). */
static int tmp_make(struct run_opts *o, char *dir, size_t len)
{
	const char *base = getenv("TMPDIR");
	if (!base || base[0] != '/')
		base = "/tmp";
	snprintf(dir, len, "%s/sandlock-tmp-XXXXXX", base);
	if (!mkdtemp(dir)) {
		fprintf(stderr, "sandlock: --tmp: cannot make a directory in %s: %s\n", base,
			strerror(errno));
		return -1;
	}
	o->tmp_dir = dir;
	return 0;
}

static void tmp_remove(const char *dir)
{
	if (nftw(dir, rm_one, 32, FTW_DEPTH | FTW_PHYS) < 0)
		fprintf(stderr, "sandlock: --tmp: could not remove all of %s: %s\n", dir,
			strerror(errno));
}

int run_opts_run(struct run_opts *o)
{
	static char tmp[PATH_MAX]; /* o->tmp_dir names it during the run */
	if (o->tmp && tmp_make(o, tmp, sizeof(tmp)) < 0)
		return CLI_EXIT_FAILURE;
	int rc = run_built(o);
	if (o->tmp_dir)
		tmp_remove(o->tmp_dir);
	o->tmp_dir = NULL;
	return rc;
}

/* Writes all of len bytes to fd (the captured output of a dry run). */
static void write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/* One changed path and its newline on stderr: the command names its files,
 * and a name holding a newline would print a line of its own ("x\nD  src"
 * listing a deletion that never happened); a backslash, a control
 * character or DEL is written as \\, \n, \t or \xNN. */
static void put_name(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", stderr);
		else if (*p == '\n')
			fputs("\\n", stderr);
		else if (*p == '\t')
			fputs("\\t", stderr);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(stderr, "\\x%02x", *p);
		else
			fputc(*p, stderr);
	}
	fputc('\n', stderr);
}

/* --dry-run: the command runs over a staged layer, its output is shown,
 * then its changes (on stderr, "K  path"), and the workdir stays as it
 * was. */
static int dry_run(const struct run_opts *o, const sandlock_sandbox_t *policy)
{
	sandlock_dry_run_result_t *d = sandlock_dry_run(policy, o->name, o->cmd, o->cmd_argc);
	if (!d) {
		fprintf(stderr, "sandlock: %s\n", sandlock_last_error());
		return CLI_EXIT_FAILURE;
	}
	size_t len;
	const uint8_t *p = sandlock_dry_run_result_stdout_bytes(d, &len);
	write_all(STDOUT_FILENO, p, len);
	p = sandlock_dry_run_result_stderr_bytes(d, &len);
	write_all(STDERR_FILENO, p, len);
	size_t n = sandlock_dry_run_result_changes_len(d);
	fprintf(stderr, n ? "sandlock: dry-run: filesystem changes:\n"
			  : "sandlock: dry-run: no filesystem changes\n");
	for (size_t i = 0; i < n; i++) {
		char *path = sandlock_dry_run_result_change_path(d, i);
		fprintf(stderr, "%c  ", sandlock_dry_run_result_change_kind(d, i));
		put_name(path ? path : "?");
		sandlock_string_free(path);
	}
	uint32_t reason = sandlock_dry_run_result_reason(d);
	int rc = run_exit_code((int)reason, sandlock_dry_run_result_exit_code(d));
	sandlock_dry_run_result_free(d);
	return rc;
}

static int run_built(const struct run_opts *o)
{
	/* inherited stdio, supervisor on this thread, no release gate: the
	 * child goes straight to exec (start only marks the handle) */
	/* ...and registered under its name for ps, inspect, kill, pause */
	const uint32_t flags = SANDLOCK_CREATE_INTERACTIVE | SANDLOCK_CREATE_INLINE |
			       SANDLOCK_CREATE_START | SANDLOCK_CREATE_CONTROL;
	struct cli_err e;
	sandlock_sandbox_t *policy;
	sandlock_handle_t *h;
	int rc;

	if (o->dry_run && !o->workdir) {
		fprintf(stderr, "sandlock: --dry-run requires --workdir\n");
		return CLI_EXIT_USAGE;
	}
	/* sandlock_dry_run takes no timeout: refused rather than ignored */
	if (o->dry_run && o->timeout.set) {
		fprintf(stderr, "sandlock: not supported yet: --timeout with --dry-run\n");
		return CLI_EXIT_FAILURE;
	}
	policy = run_policy_build(o, &e);
	if (!policy) {
		fprintf(stderr, "sandlock: %s\n", e.msg);
		return CLI_EXIT_FAILURE;
	}
	if (o->dry_run) {
		rc = dry_run(o, policy);
		sandlock_sandbox_free(policy);
		return rc;
	}
	h = sandlock_create_ex(policy, o->name, o->cmd, o->cmd_argc, flags);
	if (!h) {
		fprintf(stderr, "sandlock: %s\n", sandlock_last_error());
		sandlock_sandbox_free(policy);
		return CLI_EXIT_FAILURE;
	}
	rc = start_and_wait(o, h);
	sandlock_handle_free(h);
	sandlock_sandbox_free(policy);
	return rc;
}

/* The command line, on top of its profile when it names one (-p NAME,
 * --profile-file PATH): the profile's flags first, then the command
 * line's (its scalars replace the profile's, its lists add), the
 * profile's [program] command when the command line gives none.  prof
 * holds what o borrows. */
static int parse(struct run_opts *o, struct profile *prof, int argc, const char *const *argv,
		 struct cli_err *e)
{
	int r = run_opts_parse(o, argc, argv, e);
	if (r != RUN_PARSE_OK || (!o->profile && !o->profile_file))
		return r;
	char *name = o->profile ? strdup(o->profile) : NULL;
	char *file = o->profile_file ? strdup(o->profile_file) : NULL;
	run_opts_free(o);
	r = (name || file) && profile_load(name, file, prof, e) == 0 ? RUN_PARSE_OK
								     : RUN_PARSE_USAGE;
	free(name);
	free(file);
	if (r == RUN_PARSE_OK)
		r = run_opts_parse_layered(o, prof->argc, (const char *const *)prof->argv, argc,
					   argv, e);
	if (r != RUN_PARSE_OK || o->cmd)
		return r;
	if (!prof->cmd)
		return cli_errf(e, RUN_PARSE_USAGE,
				"no command given (none after --, and the profile's [program] has "
				"no exec)");
	o->cmd = calloc(prof->cmd_argc + 1, sizeof(*o->cmd));
	if (!o->cmd)
		return cli_errf(e, RUN_PARSE_FAIL, "out of memory");
	memcpy(o->cmd, prof->cmd, prof->cmd_argc * sizeof(*o->cmd));
	o->cmd_argc = prof->cmd_argc;
	return RUN_PARSE_OK;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct cli_err e;
	const char *later;
	int rc;

	struct profile prof = {0};
	switch (parse(&o, &prof, argc - 1, (const char *const *)argv + 1, &e)) {
	case RUN_PARSE_OK:
		later = run_opts_unsupported(&o);
		if (later) {
			fprintf(stderr, "sandlock: not supported yet: --%s\n", later);
			rc = CLI_EXIT_FAILURE;
		} else {
			rc = run_opts_run(&o);
		}
		break;
	case RUN_PARSE_HELP:
		run_opts_help(stdout);
		rc = CLI_EXIT_OK;
		break;
	case RUN_PARSE_USAGE:
		fprintf(stderr, "sandlock: %s\n", e.msg);
		rc = CLI_EXIT_USAGE;
		break;
	default:
		fprintf(stderr, "sandlock: %s\n", e.msg);
		rc = CLI_EXIT_FAILURE;
		break;
	}
	run_opts_free(&o);
	profile_free(&prof);
	return rc;
}
