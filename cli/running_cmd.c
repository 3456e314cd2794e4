/* SPDX-License-Identifier: Apache-2.0 */
/*
 * running_cmd.c - the running sandboxes of this user, by name:
 * `sandlock ps` (alias `list`), `inspect NAME [--toml|--json]`,
 * `kill NAME`, `pause NAME`, `resume NAME`.  Every answer comes from the
 * sandbox's own supervisor through the library (sandlock_running_*).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "sandlock.h"

static int failed(void)
{
	fprintf(stderr, "sandlock: %s\n", sandlock_last_error());
	return CLI_EXIT_FAILURE;
}

static void fmt_uptime(char *buf, size_t len, int64_t ms)
{
	int64_t s = ms / 1000;
	if (s < 60)
		snprintf(buf, len, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
	else
		snprintf(buf, len, "%" PRId64 "h%02" PRId64 "m", s / 3600, s / 60 % 60);
}

static void fmt_size(char *buf, size_t len, int64_t bytes)
{
	static const char unit[] = "BKMGT";
	double v = (double)bytes;
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f%c" : "%.0f%c", v, unit[u]);
}

/* "used/limit" of processes and memory: the limits in use. */
static void fmt_limits(char *buf, size_t len, const char *obj)
{
	int64_t procs = 0, maxp = 0, mem = 0, maxm = 0, cpu = 0;
	const char *lim;
	size_t n;
	json_int(obj, "processes", &procs);
	bool has = json_member(obj, "limits", &lim, &n);
	if (has)
		json_int(lim, "max_processes", &maxp);
	int w = snprintf(buf, len, "procs %" PRId64 "/%" PRId64, procs, maxp);
	if (has && json_int(lim, "max_memory", &maxm) && json_int(obj, "memory_charged", &mem)) {
		char a[16], b[16];
		fmt_size(a, sizeof(a), mem);
		fmt_size(b, sizeof(b), maxm);
		w += snprintf(buf + w, len - (size_t)w, " mem %s/%s", a, b);
	}
	if (has && json_int(lim, "max_cpu", &cpu))
		snprintf(buf + w, len - (size_t)w, " cpu %" PRId64 "%%", cpu);
}

/* "8080->40123,..." from the ports object, "-" when none. */
static void fmt_ports(char *buf, size_t len, const char *obj)
{
	const char *v;
	size_t n, w = 0;
	snprintf(buf, len, "-");
	if (!json_member(obj, "ports", &v, &n) || n < 3)
		return;
	for (size_t i = 0; i < n && w + 2 < len; i++) {
		char c = v[i];
		if (c == '{' || c == '}' || c == '"' || c == ' ')
			continue;
		if (c == ':') {
			w += (size_t)snprintf(buf + w, len - w, "->");
			continue;
		}
		buf[w++] = c;
		buf[w] = 0;
	}
}

/* One info object, read and formatted for a line of ps or inspect. */
struct shown {
	char *name, *cmd, *state;
	int64_t pid, sup;
	char up[48], lim[80], ports[80];
};

static void shown_read(struct shown *v, const char *obj)
{
	int64_t ms = 0;
	*v = (struct shown){.name = json_str(obj, "name"),
			    .cmd = json_strs_joined(obj, "command"),
			    .state = json_str(obj, "state")};
	json_int(obj, "pid", &v->pid);
	json_int(obj, "supervisor_pid", &v->sup);
	json_int(obj, "uptime_ms", &ms);
	fmt_uptime(v->up, sizeof(v->up), ms);
	fmt_limits(v->lim, sizeof(v->lim), obj);
	fmt_ports(v->ports, sizeof(v->ports), obj);
}

static void shown_free(struct shown *v)
{
	free(v->name);
	free(v->cmd);
	free(v->state);
}

static void ps_line(const char *obj)
{
	struct shown v;
	shown_read(&v, obj);
	printf("%-20s %7" PRId64 " %-8s %8s  %-30s %-14s %s\n", v.name ? v.name : "?", v.pid,
	       v.state ? v.state : "?", v.up, v.lim, v.ports, v.cmd ? v.cmd : "");
	shown_free(&v);
}

int cmd_ps(int argc, char **argv)
{
	bool json = argc == 2 && strcmp(argv[1], "--json") == 0;
	if (argc > 2 || (argc == 2 && !json)) {
		fprintf(stderr, "Usage: sandlock %s [--json]\n", argv[0]);
		return CLI_EXIT_USAGE;
	}
	char *list = sandlock_running_list();
	if (!list)
		return failed();
	if (json) {
		fputs(list, stdout);
		sandlock_string_free(list);
		return CLI_EXIT_OK;
	}
	const char *p = list, *el;
	size_t n;
	bool any = false;
	while (json_next(&p, &el, &n)) {
		if (!any)
			printf("%-20s %7s %-8s %8s  %-30s %-14s %s\n", "NAME", "PID", "STATE",
			       "UPTIME", "LIMITS", "PORTS", "COMMAND");
		any = true;
		ps_line(el);
	}
	if (!any)
		printf("No running sandboxes.\n");
	sandlock_string_free(list);
	return CLI_EXIT_OK;
}

static int one_name(int argc, char **argv, const char *opts)
{
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "Usage: sandlock %s NAME%s\n", argv[0], opts);
		return -1;
	}
	return 0;
}

static int signal_cmd(int argc, char **argv, const char *action, const char *done)
{
	if (one_name(argc, argv, "") < 0 || argc != 2)
		return CLI_EXIT_USAGE;
	char *info = sandlock_running_info(argv[1]);
	int64_t pid = 0;
	if (info)
		json_int(info, "pid", &pid);
	sandlock_string_free(info);
	if (sandlock_running_signal(argv[1], action) < 0)
		return failed();
	printf("%s sandbox '%s' (PID %" PRId64 ")\n", done, argv[1], pid);
	return CLI_EXIT_OK;
}

int cmd_kill(int argc, char **argv)
{
	return signal_cmd(argc, argv, "kill", "Killed");
}

int cmd_pause(int argc, char **argv)
{
	return signal_cmd(argc, argv, "pause", "Paused");
}

int cmd_resume(int argc, char **argv)
{
	return signal_cmd(argc, argv, "resume", "Resumed");
}

/* Without a format: the live state, then the profile. */
static int inspect_text(const char *name)
{
	char *info = sandlock_running_info(name);
	if (!info)
		return failed();
	struct shown v;
	shown_read(&v, info);
	printf("name:       %s\npid:        %" PRId64 " (supervisor %" PRId64 ")\n"
	       "state:      %s, up %s\ncommand:    %s\nlimits:     %s\nports:      %s\n",
	       name, v.pid, v.sup, v.state ? v.state : "?", v.up, v.cmd ? v.cmd : "", v.lim,
	       v.ports);
	shown_free(&v);
	sandlock_string_free(info);
	char *toml = sandlock_running_profile(name);
	if (toml)
		printf("\n# profile\n%s", toml);
	sandlock_string_free(toml);
	return CLI_EXIT_OK;
}

int cmd_inspect(int argc, char **argv)
{
	if (one_name(argc, argv, " [--toml | --json]") < 0 || argc > 3)
		return CLI_EXIT_USAGE;
	const char *fmt = argc == 3 ? argv[2] : NULL;
	if (fmt && strcmp(fmt, "--toml") && strcmp(fmt, "--json")) {
		fprintf(stderr, "Usage: sandlock inspect NAME [--toml | --json]\n");
		return CLI_EXIT_USAGE;
	}
	if (!fmt)
		return inspect_text(argv[1]);
	char *out = strcmp(fmt, "--toml") == 0 ? sandlock_running_profile(argv[1])
					       : sandlock_running_info(argv[1]);
	if (!out)
		return failed();
	fputs(out, stdout);
	sandlock_string_free(out);
	return CLI_EXIT_OK;
}
