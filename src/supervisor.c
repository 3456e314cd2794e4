/* SPDX-License-Identifier: Apache-2.0 */
/* supervisor.c - receive, dispatch, answer (see supervisor.h). */
#include "supervisor.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "error.h"
#include "mem.h"
#include "seccomp_uapi.h"

typedef int (*sup_fn)(struct sl_sup *s, const struct seccomp_notif *req,
		      struct seccomp_notif_resp *resp);

/* uname (emulate): the real uname with nodename replaced by the sandbox
 * name, written into the child's buffer; the child's memory is only
 * written, never trusted. */
static int on_uname(struct sl_sup *s, const struct seccomp_notif *req,
		    struct seccomp_notif_resp *resp)
{
	struct utsname u;
	if (uname(&u) < 0)
		return -errno;
	memset(u.nodename, 0, sizeof(u.nodename));
	memcpy(u.nodename, s->nodename, strlen(s->nodename));
	int r = mem_write(s->listener, req->id, (pid_t)req->pid, req->data.args[0], &u, sizeof(u));
	if (r < 0)
		return -EFAULT;
	resp->val = 0;
	return 0;
}

static const struct {
	int nr;
	sup_fn fn;
} handlers[] = {
    {__NR_uname, on_uname},
};

size_t supervisor_notify_list(const struct sandlock_sandbox *cfg, int *out, size_t max)
{
	(void)cfg; /* the name is always set, so uname is always notified */
	size_t n = 0;
	for (size_t i = 0; i < SL_ARRAY_SIZE(handlers) && n < max; i++)
		out[n++] = handlers[i].nr;
	return n;
}

int supervisor_init(struct sl_sup *s, int listener, const char *name)
{
	struct seccomp_notif_sizes sz;
	*s = (struct sl_sup){.listener = listener};
	/* The kernel's structs may be larger than our headers' copies. */
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0) {
		int e = errno;
		supervisor_release(s);
		return sl_errorf(e, "seccomp: notification sizes: %s", strerror(e));
	}
	s->req_size = sz.seccomp_notif > sizeof(*s->req) ? sz.seccomp_notif : sizeof(*s->req);
	s->resp_size =
	    sz.seccomp_notif_resp > sizeof(*s->resp) ? sz.seccomp_notif_resp : sizeof(*s->resp);
	s->req = calloc(1, s->req_size);
	s->resp = calloc(1, s->resp_size);
	if (!s->req || !s->resp) {
		supervisor_release(s);
		return sl_errorf(ENOMEM, "out of memory");
	}
	size_t len = strlen(name);
	memcpy(s->nodename, name, len < SL_NAME_MAX ? len : SL_NAME_MAX);
	return 0;
}

void supervisor_detach(struct sl_sup *s)
{
	sl_close(&s->listener);
}

void supervisor_release(struct sl_sup *s)
{
	supervisor_detach(s);
	free(s->req);
	free(s->resp);
	s->req = NULL;
	s->resp = NULL;
}

static sup_fn lookup(int nr)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(handlers); i++)
		if (handlers[i].nr == nr)
			return handlers[i].fn;
	return NULL;
}

int supervisor_handle_one(struct sl_sup *s)
{
	memset(s->req, 0, s->req_size); /* RECV requires a zeroed buffer */
	if (ioctl(s->listener, SECCOMP_IOCTL_NOTIF_RECV, s->req) < 0) {
		/* ENOENT: the task died between poll and recv; EINTR: retry */
		if (errno == ENOENT || errno == EINTR)
			return 0;
		return -errno;
	}
	memset(s->resp, 0, s->resp_size);
	s->resp->id = s->req->id;
	sup_fn fn = lookup(s->req->data.nr);
	int r = fn ? fn(s, s->req, s->resp) : -EPERM;
	if (r < 0) {
		/* fail closed: an error in a handler denies */
		s->resp->error = r;
		s->resp->val = 0;
		s->resp->flags = 0;
	}
	/* ENOENT: the task died or was interrupted meanwhile; the answer is
	 * moot (with WAIT_KILLABLE_RECV only a fatal signal interrupts). */
	(void)ioctl(s->listener, SECCOMP_IOCTL_NOTIF_SEND, s->resp);
	s->handled++;
	return 0;
}
