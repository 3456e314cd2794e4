/* SPDX-License-Identifier: Apache-2.0 */
/*
 * learn.c - what a trial run touches, for `sandlock learn`: every path it
 * opens, creates, removes or executes (with the loader or interpreter the
 * kernel opens for an exec), every inet destination it connects to and
 * every port it binds, written once each as a JSON line to the policy's
 * learn_log file as the run goes (a killed run leaves what it saw).
 *
 * Observe only: each handler reads the call's arguments and CONTINUEs, so
 * the kernel and the features after it decide as they would.  Reading a
 * pointer and continuing is no decision here: a process that rewrites its
 * buffer after the read only misleads its own profile, which the next,
 * enforced run then refuses.  Relative paths are made absolute from the
 * calling thread's working directory or the dirfd's target, as /proc
 * shows them; symlinks are left to the reader of the log (the CLI
 * resolves them on the host, as Landlock will).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "exechint.h"
#include "feature.h"
#include "jsonw.h"
#include "observe.h"
#include "policy.h"
#include "registry.h"
#include "seccomp_uapi.h"

#define LEARN_MAX  100000 /* distinct observations kept */
#define LEARN_HASH 4096

struct seen {
	struct seen *next;
	char key[]; /* "op path" */
};

struct learn_state {
	int fd;			      /* the log */
	const struct sl_procs *procs; /* the sandbox's, for its peaks */
	size_t peak_procs;	      /* as last seen */
	uint64_t peak_mem;
	pthread_mutex_t lock;
	bool lock_init;
	struct seen *tab[LEARN_HASH];
	size_t n;
	uint64_t dropped;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Whether key is new (then remembered). */
static bool first_time(struct learn_state *st, const char *key)
{
	uint64_t h = fnv(key) % LEARN_HASH;
	for (struct seen *e = st->tab[h]; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return false;
	if (st->n >= LEARN_MAX) {
		st->dropped++;
		return false;
	}
	size_t len = strlen(key) + 1;
	struct seen *e = malloc(sizeof(*e) + len);
	if (!e)
		return false;
	memcpy(e->key, key, len);
	e->next = st->tab[h];
	st->tab[h] = e;
	st->n++;
	return true;
}

/* One observation: {"op":op,"path":value} (or "addr"/"port" for the
 * network), written the first time it is seen. */
static void record(struct learn_state *st, const char *op, const char *field, const char *value)
{
	char key[PATH_MAX + 32];
	snprintf(key, sizeof(key), "%s %s %s", op, field, value);
	pthread_mutex_lock(&st->lock);
	bool fresh = first_time(st, key);
	pthread_mutex_unlock(&st->lock);
	if (!fresh)
		return;
	struct jsonw w = {0};
	jsonw_raw(&w, "{\"op\":");
	jsonw_str(&w, op);
	jsonw_raw(&w, ",");
	jsonw_key(&w, field);
	jsonw_str(&w, value);
	jsonw_raw(&w, "}\n");
	char *line;
	if (jsonw_end(&w, &line) == 0) {
		/* one write per line: O_APPEND keeps lines whole */
		(void)!write(st->fd, line, strlen(line));
		free(line);
	}
}

/* ---- the sink: each event as a line ---------------------------------------------- */

static const char *const op_names[] = {
    [OBS_READ] = "read",     [OBS_WRITE] = "write",   [OBS_CREATE] = "create",
    [OBS_REMOVE] = "remove", [OBS_EXEC] = "exec",     [OBS_CONNECT] = "connect",
    [OBS_BIND] = "bind",     [OBS_LOOKUP] = "lookup",
};

/* The program, and what the kernel opens to start it. */
static void exec_chain(struct learn_state *st, const char *prog)
{
	char path[PATH_MAX], need[PATH_MAX];
	snprintf(path, sizeof(path), "%s", prog);
	record(st, "exec", "path", path);
	for (int depth = 0; depth < 4 && exechint_needs(path, need, sizeof(need)); depth++) {
		record(st, "exec", "path", need);
		snprintf(path, sizeof(path), "%s", need);
	}
}

/* An O_CREAT open of a file that exists (a redirection to /dev/null)
 * makes no name: its directory needs no write grant.  Seen before the
 * call runs. */
static bool opened_existing(struct sl_ctx *c, const struct obs_event *e, const char *path)
{
	int nr = c->req->data.nr;
	struct stat st;
	bool open_call = nr == __NR_openat;
#ifdef __NR_open
	open_call |= nr == __NR_open || nr == __NR_creat;
#endif
	return e->op == OBS_CREATE && open_call && lstat(path, &st) == 0;
}

static void sink(struct sl_ctx *c, const struct obs_event *e, void *arg)
{
	struct learn_state *st = arg;
	char path[PATH_MAX], port[8];
	switch (e->op) {
	case OBS_BIND:
		snprintf(port, sizeof(port), "%u", e->port);
		if (e->port)
			record(st, "bind", "port", port);
		return;
	case OBS_LOOKUP:
		record(st, "lookup", "name", e->addr);
		return;
	case OBS_CONNECT:
		/* a connect to a unix socket needs a writable tree */
		if (e->unix_path)
			record(st, "write", "path", e->addr);
		else
			record(st, "connect", "addr", e->addr);
		return;
	default:
		if (!observe_abs_path(c, e, path, sizeof(path)) || opened_existing(c, e, path))
			return;
		if (e->op == OBS_EXEC)
			exec_chain(st, path);
		else
			record(st, op_names[e->op], "path", path);
	}
}

static void on_call(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	observe_call(c, sink, arg);
	*a = sl_act_continue();
}

static size_t rules(const struct sl_feature_env *env, struct sl_frule *out, size_t max)
{
	(void)env;
	return observe_rules(on_call, true, out, max);
}

static bool active(const struct sl_feature_env *env)
{
	return env->policy->learn_log != NULL;
}

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)proc_off;
	struct learn_state *st = state;
	st->procs = &s->procs;
	const char *path = env->policy->learn_log;
	st->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (st->fd < 0)
		return sl_errorf(errno, "learn_log %s: %s", path, strerror(errno));
	int r = pthread_mutex_init(&st->lock, NULL);
	st->lock_init = r == 0;
	return r ? sl_errorf(r, "learn: %s", strerror(r)) : 0;
}

/* The peaks, taken as each process leaves: every one does, before the
 * index is reset at the end. */
static void proc_gone(void *state, void *pstate)
{
	(void)pstate;
	struct learn_state *st = state;
	if (st->procs->peak_procs > st->peak_procs)
		st->peak_procs = st->procs->peak_procs;
	if (st->procs->peak_mem > st->peak_mem)
		st->peak_mem = st->procs->peak_mem;
}

static void release(void *state)
{
	struct learn_state *st = state;
	if (st->fd > 0 && st->peak_procs) {
		char line[96];
		int n = snprintf(line, sizeof(line),
				 "{\"op\":\"peak\",\"processes\":%zu,\"memory\":%llu}\n",
				 st->peak_procs, (unsigned long long)st->peak_mem);
		(void)!write(st->fd, line, (size_t)n);
	}
	if (st->dropped && st->fd > 0) {
		char line[64];
		int n = snprintf(line, sizeof(line), "{\"dropped\":%llu}\n",
				 (unsigned long long)st->dropped);
		(void)!write(st->fd, line, (size_t)n);
	}
	if (st->fd > 0)
		close(st->fd);
	for (size_t i = 0; i < LEARN_HASH; i++)
		for (struct seen *e = st->tab[i], *next; e; e = next) {
			next = e->next;
			free(e);
		}
	if (st->lock_init)
		pthread_mutex_destroy(&st->lock);
}

/* First in the dispatch order: it sees every call before a feature
 * answers it. */
const struct sl_feature feature_learn = {
    .name = "learn",
    .active = active,
    .rules = rules,
    .state_size = sizeof(struct learn_state),
    .init = init,
    .release = release,
    .proc_gone = proc_gone,
};
