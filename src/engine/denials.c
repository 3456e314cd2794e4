/* SPDX-License-Identifier: Apache-2.0 */
/* denials.c - the supervisor's refusals as events (denials.h). */
#include "denials.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jsonw.h"
#include "syscalls.h"

int denials_init(struct sl_denials *d)
{
	*d = (struct sl_denials){0};
	int r = pthread_mutex_init(&d->lock, NULL);
	d->lock_init = r == 0;
	return -r;
}

void denials_release(struct sl_denials *d)
{
	if (d->lock_init)
		pthread_mutex_destroy(&d->lock);
	free(d->v);
	*d = (struct sl_denials){0};
}

static void exe_of(pid_t pid, char *out, size_t size)
{
	char path[32];
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(path, out, size - 1);
	out[n > 0 ? n : 0] = 0;
}

static void add(struct sl_denials *d, const char *source, const char *op, pid_t pid, int nr,
		int err, const char *target, const char *rule)
{
	if (!d->lock_init)
		return;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct sl_denial e = {.time_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000,
			      .source = source,
			      .pid = pid,
			      .nr = nr,
			      .err = err};
	snprintf(e.op, sizeof(e.op), "%s", op ? op : "");
	snprintf(e.target, sizeof(e.target), "%s", target ? target : "");
	snprintf(e.rule, sizeof(e.rule), "%s", rule ? rule : "");
	if (pid > 0)
		exe_of(pid, e.exe, sizeof(e.exe)); /* outside the lock: it reads /proc */
	pthread_mutex_lock(&d->lock);
	d->total++;
	if (!d->v)
		d->v = malloc(DENIALS_MAX * sizeof(*d->v));
	if (d->v && d->n < DENIALS_MAX) {
		d->v[d->n++] = e;
	} else if (d->v) {
		/* full: the newest takes the place of the oldest of the last half */
		d->v[DENIALS_MAX / 2 + d->ring] = e;
		d->ring = (d->ring + 1) % (DENIALS_MAX - DENIALS_MAX / 2);
	}
	pthread_mutex_unlock(&d->lock);
}

void denials_add(struct sl_denials *d, const char *source, pid_t pid, int nr, int err,
		 const char *target, const char *rule)
{
	add(d, source, NULL, pid, nr, err, target, rule);
}

void denials_add_op(struct sl_denials *d, const char *source, const char *op, pid_t pid, int err,
		    const char *target, const char *rule)
{
	add(d, source, op, pid, -1, err, target, rule);
}

uint64_t denials_total(struct sl_denials *d)
{
	if (!d->lock_init)
		return 0;
	pthread_mutex_lock(&d->lock);
	uint64_t t = d->total;
	pthread_mutex_unlock(&d->lock);
	return t;
}

static void one(struct jsonw *w, const struct sl_denial *e)
{
	const char *sys = e->op[0] ? e->op : syscalls_name(e->nr);
	char nr[16];
	if (!sys) {
		snprintf(nr, sizeof(nr), "%d", e->nr);
		sys = nr;
	}
	jsonw_raw(w, "{\"time_ms\":");
	jsonw_i64(w, e->time_ms);
	jsonw_raw(w, ",\"pid\":");
	jsonw_i64(w, e->pid);
	jsonw_raw(w, ",\"exe\":");
	jsonw_str(w, e->exe);
	jsonw_raw(w, ",\"syscall\":");
	jsonw_str(w, sys);
	jsonw_raw(w, ",\"errno\":");
	jsonw_str(w, strerrorname_np(e->err) ? strerrorname_np(e->err) : "?");
	jsonw_raw(w, ",\"target\":");
	jsonw_str(w, e->target);
	jsonw_raw(w, ",\"rule\":");
	jsonw_str(w, e->rule);
	jsonw_raw(w, ",\"source\":");
	jsonw_str(w, e->source);
	jsonw_raw(w, "}\n");
}

int denials_json(struct sl_denials *d, char **out)
{
	struct jsonw w = {0};
	jsonw_raw(&w, "");
	if (d->lock_init) {
		pthread_mutex_lock(&d->lock);
		size_t half = DENIALS_MAX / 2, last = DENIALS_MAX - half;
		for (size_t i = 0; i < d->n; i++)
			one(&w, &d->v[i < half ? i : half + (i - half + d->ring) % last]);
		if (d->total > d->n) {
			jsonw_raw(&w, "{\"dropped\":");
			jsonw_u64(&w, d->total - d->n);
			jsonw_raw(&w, "}\n");
		}
		pthread_mutex_unlock(&d->lock);
	}
	return jsonw_end(&w, out);
}
