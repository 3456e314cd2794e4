/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlsload.c - the functions of httptls.h, forwarded to the TLS plugin
 * (libsandlock-tls.so.0, built from src/tls/httptls.c with OpenSSL),
 * which is loaded the first time a sandbox intercepts HTTPS: no other
 * start pays for OpenSSL (see httptls.h).
 *
 * Where the plugin is looked for, in order: beside the object holding
 * this code (libsandlock.so, or the program linking libsandlock.a, the
 * CLI), in that directory's parent and its ../lib (an installed
 * bin/sandlock), in the library directory the build was configured
 * with, and then by its name through the dynamic loader's own path.
 * Never from the environment: a sandbox's supervisor loads no code a
 * variable names.
 */
#include "httptls.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

#ifndef SL_LIBDIR
#define SL_LIBDIR "/usr/local/lib"
#endif

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const struct httptls_ops *ops;
static char why[512];

/* The directory of path (resolved), in dir: 0, or -1. */
static int dir_of(const char *path, char *dir)
{
	char real[PATH_MAX];
	if (!path || !realpath(path, real))
		return -1;
	char *slash = strrchr(real, '/');
	if (!slash)
		return -1;
	*slash = 0;
	snprintf(dir, PATH_MAX, "%s", real[0] ? real : "/");
	return 0;
}

static void *try_open(const char *dir, const char *sub)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s%s/%s", dir, sub, HTTPTLS_PLUGIN);
	return access(path, F_OK) == 0 ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
}

static void *find(void)
{
	static const char *const subs[] = {"", "/..", "/../lib"};
	char dirs[2][PATH_MAX];
	Dl_info info;
	int nd = 0;
	if (dladdr((void *)&find, &info) && dir_of(info.dli_fname, dirs[nd]) == 0)
		nd++;
	if (dir_of("/proc/self/exe", dirs[nd]) == 0)
		nd++;
	for (int d = 0; d < nd; d++)
		for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
			void *h = try_open(dirs[d], subs[i]);
			if (h)
				return h;
		}
	void *h = try_open(SL_LIBDIR, "");
	return h ? h : dlopen(HTTPTLS_PLUGIN, RTLD_NOW | RTLD_LOCAL);
}

static void load(void)
{
	void *h = find();
	if (!h) {
		const char *e = dlerror();
		snprintf(why, sizeof(why),
			 "HTTPS interception needs the TLS plugin %s (OpenSSL), which was not "
			 "found beside libsandlock, in %s or on the loader's path%s%s",
			 HTTPTLS_PLUGIN, SL_LIBDIR, e ? ": " : "", e ? e : "");
		return;
	}
	const struct httptls_ops *(*get)(void) =
	    (const struct httptls_ops *(*)(void))dlsym(h, "sandlock_tls_ops");
	const struct httptls_ops *o = get ? get() : NULL;
	if (!o || o->version != HTTPTLS_OPS_VERSION) {
		snprintf(why, sizeof(why), "the TLS plugin %s is not this build's (%s)",
			 HTTPTLS_PLUGIN, get ? "another version" : "no sandlock_tls_ops");
		dlclose(h);
		return;
	}
	ops = o; /* kept loaded for the process's life */
}

/* The plugin, loaded once; NULL with a message. */
static const struct httptls_ops *plugin(void)
{
	pthread_once(&once, load);
	if (!ops)
		sl_errorf(ENOENT, "%s", why);
	return ops;
}

/* The plugin's message for its failure r, made the library's. */
static int fail(int r)
{
	const char *m = ops->last_error();
	return sl_errorf(r < 0 ? -r : EPROTO, "%s", m && *m ? m : "tls: failed");
}

static void *fail_null(void)
{
	(void)fail(-EPROTO);
	return NULL;
}

int httptls_load(struct httptls **out, const char *ca_path, const char *key_path)
{
	if (!plugin())
		return -ENOENT;
	int r = ops->load(out, ca_path, key_path);
	return r < 0 ? fail(r) : r;
}

int httptls_ephemeral(struct httptls **out)
{
	if (!plugin())
		return -ENOENT;
	int r = ops->ephemeral(out);
	return r < 0 ? fail(r) : r;
}

/* The rest are reached only through a context those two made: the
 * plugin is loaded. */
void httptls_free(struct httptls *t)
{
	if (t)
		ops->free(t);
}

int httptls_ca_pem(const struct httptls *t, char **pem, size_t *len)
{
	int r = ops->ca_pem(t, pem, len);
	return r < 0 ? fail(r) : r;
}

int httptls_bundle_with_ca(const struct httptls *t, const char *path, char **out, size_t *len)
{
	int r = ops->bundle_with_ca(t, path, out, len);
	return r < 0 ? fail(r) : r;
}

SSL *httptls_server(struct httptls *t, int fd, const char *fallback_ip)
{
	SSL *s = ops->server(t, fd, fallback_ip);
	return s ? s : fail_null();
}

const char *httptls_sni(SSL *ssl)
{
	return ops->sni(ssl);
}

SSL *httptls_client(struct httptls *t, int fd, const char *host)
{
	SSL *s = ops->client(t, fd, host);
	return s ? s : fail_null();
}

int httptls_set_upstream_ca(struct httptls *t, const char *pem_path)
{
	int r = ops->set_upstream_ca(t, pem_path);
	return r < 0 ? fail(r) : r;
}

void httptls_error(SSL *ssl, int ret, char *buf, size_t len)
{
	ops->error(ssl, ret, buf, len);
}

/* The I/O calls return -EAGAIN at every wait: their messages are not
 * copied (the caller asks httptls_error for a failure's reason). */
int httptls_handshake(SSL *ssl, short *events)
{
	return ops->handshake(ssl, events);
}

ssize_t httptls_read(SSL *ssl, void *buf, size_t len, short *events)
{
	return ops->read(ssl, buf, len, events);
}

ssize_t httptls_write(SSL *ssl, const void *buf, size_t len, short *events)
{
	return ops->write(ssl, buf, len, events);
}

void httptls_close(SSL *ssl)
{
	if (ssl)
		ops->close(ssl);
}
