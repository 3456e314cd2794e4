/* SPDX-License-Identifier: Apache-2.0 */
/*
 * credential.h - secrets the HTTP proxy adds to the sandbox's requests, and
 * which hosts get which.
 *
 *   credential   NAME=env:VAR | NAME=file:PATH | NAME=fd:N
 *   http_auth    HOST=NAME[:HEADER]
 *
 * NAME is [A-Za-z0-9_-]{1,64}.  The secret is loaded when the policy is
 * built: VAR read from this process's environment, PATH read whole, fd N
 * read to its end (and left open: it is the caller's).  At most 64 KiB;
 * one trailing newline of a file or fd is dropped.  An empty secret, or one
 * holding CR, LF or NUL (it becomes an HTTP header value), is refused.
 *
 * HOST is a DNS name or an IP literal ("[v6]" loses its brackets), lower-
 * cased, with no port and no wildcard.  HEADER is an HTTP field name; with
 * none the proxy sends "Authorization: Bearer <secret>", else
 * "<HEADER>: <secret>".  A HEADER that frames, routes or holds the
 * connection (Content-Length, Transfer-Encoding, Host, Connection,
 * Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade, Expect; any case,
 * '_' for '-') is refused.
 *
 * Messages name the credential and the source, never the secret.
 */
#ifndef SL_CREDENTIAL_H
#define SL_CREDENTIAL_H

#include <stddef.h>

struct sl_credential;
struct sl_http_auth;

/* The largest secret, in bytes. */
#define SL_CREDENTIAL_MAX (64u * 1024u)

/* Parses spec and loads its secret into *out (overwritten).  prev[0..n)
 * are the credentials already loaded: a NAME among them is refused before
 * anything is read.  0; -EINVAL (or the errno of the failed read) with a
 * message; -ENOMEM.  On failure *out holds nothing to free. */
int credential_load(const char *spec, const struct sl_credential *prev, size_t n,
		    struct sl_credential *out);

/* The VAR of an "NAME=env:VAR" spec (a pointer into spec, up to its end),
 * else NULL. */
const char *credential_env_var(const char *spec);

/* Deep copy; 0 or -ENOMEM (then *dst holds nothing to free). */
int credential_copy(struct sl_credential *dst, const struct sl_credential *src);

/* Zeroes the secret (explicit_bzero), frees what c owns and zeroes c.
 * Accepts NULL. */
void credential_free(struct sl_credential *c);

/* Parses an http_auth spec into *out (overwritten): its NAME must be one
 * of creds[0..n), which out->cred then points into.  0, -EINVAL with a
 * message, or -ENOMEM; on failure *out holds nothing to free. */
int credential_parse_http_auth(const char *spec, const struct sl_credential *creds, size_t n,
			       struct sl_http_auth *out);

/* Frees what a owns and zeroes it (the credential is not a's).  Accepts
 * NULL. */
void credential_http_auth_free(struct sl_http_auth *a);

#endif
