/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check.c - `sandlock check`.  Probing is the library's job
 * (sandlock_probe_features); this file turns the answers into a report:
 * kernel features first, then each protection with what it needs, then one
 * status line.  The exit code is 0 whatever the status, as in 0.8.0.
 */
#include "check.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli.h"
#include "run.h"
#include "run_opts.h"

#define LABEL_W 32
#define VALUE_W 12

/* What each Landlock protection guards (by its library number), for the
 * report; the names and ABIs are the library's. */
static const char *const protection_what[] = {
    "cross-directory rename and link",
    "truncating files",
    "TCP bind and connect",
    "ioctl on devices",
    "signals to processes outside",
    "abstract unix sockets outside",
};

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* Why Landlock is unavailable, with a hint where the errno has a known
 * cause (as in sandboxer.c). */
static const char *landlock_why(int err)
{
	switch (err) {
	case ENOSYS:
		return "not built into this kernel: CONFIG_SECURITY_LANDLOCK is off";
	case EOPNOTSUPP:
		return "disabled at boot: add landlock to the lsm= kernel parameter";
	case 0:
		return "unknown reason";
	default:
		return strerror(err);
	}
}

static void line(FILE *out, const char *label, const char *value, const char *note)
{
	if (note)
		fprintf(out, "  %-*s %-*s  %s\n", LABEL_W, label, VALUE_W, value, note);
	else
		fprintf(out, "  %-*s %s\n", LABEL_W, label, value);
}

static void report_kernel(FILE *out, const struct check_facts *c)
{
	const sandlock_features_t *f = &c->features;
	char buf[160];

	fprintf(out, "Kernel features:\n");
	if (f->landlock_abi >= 0)
		snprintf(buf, sizeof(buf), "ABI v%d", f->landlock_abi);
	else
		snprintf(buf, sizeof(buf), "unavailable (%s)", landlock_why(f->landlock_errno));
	line(out, "Landlock:", buf, NULL);
	snprintf(buf, sizeof(buf), "ABI v%d", c->min_abi);
	line(out, "Minimum required:", buf, NULL);
	line(out, "Seccomp filter:", yes_no(f->seccomp_filter), NULL);
	line(out, "Seccomp user notification:", yes_no(f->user_notif), "(Linux 5.0+)");
	line(out, "WAIT_KILLABLE_RECV:", yes_no(f->wait_killable_recv), "(Linux 5.19+)");
	line(out, "pidfd_getfd:", yes_no(f->pidfd_getfd), "(Linux 5.6+)");
	line(out, "ADDFD_FLAG_SEND:", yes_no(f->addfd_send), "(Linux 5.14+)");
	line(out, "Sync wake-up:", yes_no(f->sync_wake_up), "(Linux 6.7+)");
	line(out, "Already under a supervisor:", yes_no(f->nested_listener), NULL);
}

static void protection(FILE *out, const char *label, bool on, const char *needs)
{
	line(out, label, on ? "enforced" : "not enforced", needs);
}

static bool supervisor_ok(const sandlock_features_t *f)
{
	/* the listener reaches the supervisor over SCM_RIGHTS: no
	 * pidfd_getfd needed */
	return f->user_notif && f->wait_killable_recv && !f->nested_listener;
}

static void report_protections(FILE *out, const struct check_facts *c)
{
	const sandlock_features_t *f = &c->features;
	char label[64], note[96];

	fprintf(out, "\nProtections on this machine:\n");
	protection(out, "Filesystem read/write rules:", f->landlock_abi >= 1, "(Landlock ABI v1+)");
	const char *name;
	for (uint32_t p = 0; (name = sandlock_protection_name(p)); p++) {
		int abi = (int)sandlock_protection_min_abi(p);
		snprintf(label, sizeof(label), "%s:", name);
		snprintf(note, sizeof(note), "(Landlock ABI v%d+: %s)", abi, protection_what[p]);
		protection(out, label, f->landlock_abi >= abi, note);
	}
	protection(out, "Syscall deny list:", f->seccomp_filter, "(seccomp filter)");
	protection(out, "Supervisor:", supervisor_ok(f), "(user notification, killable wait)");
	/* the supervisor makes these on its copy of the child's socket or
	 * inotify instance: without pidfd_getfd (Docker's default seccomp
	 * profile refuses it) nothing can be checked, so they fail closed */
	if (supervisor_ok(f))
		line(out, "Socket sends, inotify watches:", f->pidfd_getfd ? "checked" : "refused",
		     f->pidfd_getfd ? "(made by the supervisor on its copy of the socket)"
				    : "(no pidfd_getfd here: connect, sendto with an address, "
				      "sendmsg, sendmmsg, listen (unless port 0 may be bound) "
				      "and inotify_add_watch fail with EPERM)");
	/* the NETLINK_ROUTE view receives on its copy of the child's socket
	 * too: without pidfd_getfd there is none */
	if (supervisor_ok(f))
		line(out, "Interfaces (NETLINK_ROUTE):", f->pidfd_getfd ? "lo only" : "refused",
		     f->pidfd_getfd ? "(a view the supervisor serves)"
				    : "(no pidfd_getfd here: EAFNOSUPPORT, as any netlink socket)");
	/* root (CI jobs, containers): say what happens to its power */
	if (f->caps_held)
		line(out, "Capabilities in the sandbox:", "dropped",
		     "(sandlock runs as root or with capabilities)");
}

/* Appends "what" to the comma-separated list in buf. */
static void add_missing(char *buf, size_t size, const char *what)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", len ? ", " : "", what);
}

static void missing_landlock(char *buf, size_t size, const struct check_facts *c)
{
	char what[224];
	int abi = c->features.landlock_abi;

	if (abi >= c->min_abi)
		return;
	if (abi < 0) {
		add_missing(buf, size, "Landlock");
		return;
	}
	snprintf(what, sizeof(what), "Landlock ABI v%d (kernel has v%d:", c->min_abi, abi);
	const char *name;
	for (uint32_t p = 0; (name = sandlock_protection_name(p)); p++)
		if ((uint32_t)abi < sandlock_protection_min_abi(p)) {
			size_t len = strlen(what);
			snprintf(what + len, sizeof(what) - len, " %s", name);
		}
	size_t len = strlen(what);
	snprintf(what + len, sizeof(what) - len, " missing; --allow-degraded NAME runs without)");
	add_missing(buf, size, what);
}

int check_report(FILE *out, const struct check_facts *c)
{
	const sandlock_features_t *f = &c->features;
	char missing[384] = "";

	report_kernel(out, c);
	report_protections(out, c);
	fprintf(out, "\nPlatform: %s%s%s\n", c->machine ? c->machine : "unknown",
		c->kernel ? ", Linux " : "", c->kernel ? c->kernel : "");

	missing_landlock(missing, sizeof(missing), c);
	if (!f->seccomp_filter)
		add_missing(missing, sizeof(missing), "seccomp filter");
	if (!f->user_notif)
		add_missing(missing, sizeof(missing), "seccomp user notification");
	if (f->user_notif && !f->wait_killable_recv)
		add_missing(missing, sizeof(missing), "WAIT_KILLABLE_RECV (Linux 5.19)");
	if (f->nested_listener)
		add_missing(missing, sizeof(missing),
			    "a free seccomp listener (already supervised)");
	if (missing[0]) {
		fprintf(out, "Status: UNSUPPORTED: %s\n", missing);
		return 1;
	}
	fprintf(out, "Status: OK\n");
	return 0;
}

/* `sandlock check RUN-OPTIONS`: the policy those options build, and how
 * its network rules are enforced (the command `run` would take is not
 * needed: a placeholder stands for it). */
static int check_policy(int argc, char **argv)
{
	const char **args = calloc((size_t)argc + 2, sizeof(*args));
	struct run_opts o;
	struct cli_err e;
	if (!args)
		return CLI_EXIT_FAILURE;
	memcpy(args, argv, (size_t)argc * sizeof(*args));
	args[argc] = "--";
	args[argc + 1] = "true";
	int r = run_opts_parse(&o, argc + 2, args, &e);
	sandlock_sandbox_t *p = r == RUN_PARSE_OK ? run_policy_build(&o, &e) : NULL;
	char *text = p ? sandlock_sandbox_net_report(p) : NULL;
	if (r != RUN_PARSE_OK || !p || !text) {
		fprintf(stderr, "sandlock: check: %s\n", p ? sandlock_last_error() : e.msg);
		r = r == RUN_PARSE_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
	} else {
		printf("Network enforcement (this policy)\n");
		for (char *l = text, *nl; *l; l = nl + 1) {
			nl = strchr(l, '\n');
			printf("  %.*s\n", (int)(nl - l), l);
		}
		r = CLI_EXIT_OK;
	}
	sandlock_string_free(text);
	sandlock_sandbox_free(p);
	run_opts_free(&o);
	free(args);
	return r;
}

int cmd_check(int argc, char **argv)
{
	struct check_facts c = {.features = {.size = sizeof(sandlock_features_t)}};
	struct utsname u;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("Usage: sandlock check [RUN-OPTIONS]\n\n"
		       "Reports the kernel features sandlock uses and which protections\n"
		       "are enforced on this machine.  Exits 0 whatever the status.\n"
		       "With the options of `sandlock run` (no command), reports instead\n"
		       "how that policy's network rules are enforced: Landlock's port\n"
		       "rules or the supervisor, per protocol, and the addresses its host\n"
		       "names resolve to.\n");
		return CLI_EXIT_OK;
	}
	if (argc > 1)
		return check_policy(argc - 1, argv + 1);
	if (sandlock_probe_features(&c.features) < 0) {
		fprintf(stderr, "sandlock: check: %s\n", sandlock_last_error());
		return CLI_EXIT_FAILURE;
	}
	c.features.landlock_abi = sandlock_landlock_abi_version();
	c.min_abi = sandlock_min_landlock_abi();
	if (uname(&u) == 0) {
		c.machine = u.machine;
		c.kernel = u.release;
	}
	check_report(stdout, &c);
	return CLI_EXIT_OK;
}
