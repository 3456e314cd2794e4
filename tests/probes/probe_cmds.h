/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe_cmds.h - the command line of the table-driven probes:
 *
 *   PROBE CMD ARGS...            runs one subcommand
 *   PROBE seq "CMD ARGS" ...     runs several in turn (each split on spaces)
 *
 * and what they print: "ok" or "errno=ENAME" (the number when the C
 * library has no name for it).  Each probe is one static program: this
 * header holds static functions.
 */
#ifndef SL_PROBE_CMDS_H
#define SL_PROBE_CMDS_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* The errno's symbolic name ("ENOENT"), else its number. */
static inline const char *probe_errname(int e)
{
	static char buf[24];
	const char *n = strerrorname_np(e);
	if (n)
		return n;
	snprintf(buf, sizeof(buf), "%d", e);
	return buf;
}

/* Prints "ok" when rc >= 0, else "errno=<name of errno>". */
static inline int probe_report(long rc)
{
	if (rc >= 0)
		printf("ok\n");
	else
		printf("errno=%s\n", probe_errname(errno));
	return 0;
}

/* The socket address of an IPv4 or IPv6 literal (::ffff:a.b.c.d too) and
 * port; its length.  Exits 2 for anything else. */
static inline socklen_t probe_addr(const char *text, unsigned port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		return sizeof(*in6);
	}
	fprintf(stderr, "probe: bad address %s\n", text);
	exit(2);
}

struct probe_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

/* Runs argv[0] of the table; "seq" runs each of its arguments. */
static inline int probe_dispatch(const struct probe_cmd *cmds, size_t n, const char *prog, int argc,
				 char **argv)
{
	if (!strcmp(argv[0], "seq")) {
		for (int i = 1; i < argc; i++) {
			char *copy = strdup(argv[i]), *save = NULL;
			char *words[16];
			int k = 0;
			for (char *w = strtok_r(copy, " ", &save); w && k < 15;
			     w = strtok_r(NULL, " ", &save))
				words[k++] = w;
			words[k] = NULL;
			if (k)
				probe_dispatch(cmds, n, prog, k, words);
			fflush(stdout);
			free(copy);
		}
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(argv[0], cmds[i].name))
			return cmds[i].fn(argc, argv);
	fprintf(stderr, "%s: unknown subcommand '%s'\n", prog, argv[0]);
	return 2;
}

static inline int probe_main(const struct probe_cmd *cmds, size_t n, const char *prog, int argc,
			     char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "%s: usage: %s SUBCOMMAND [ARGS...]\n", prog, prog);
		return 2;
	}
	int rc = probe_dispatch(cmds, n, prog, argc - 1, argv + 1);
	fflush(stdout);
	return rc;
}

#endif
