/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httptls.h - TLS for the HTTP ACL proxy: the CA that HTTPS interception
 * signs with, the leaf certificates it mints per server name, the server
 * side of a connection from the sandbox and the client side towards the
 * real server.  httptls.c is the one file of the library that includes
 * OpenSSL.
 *
 * SSL is OpenSSL's connection type, named here without its headers:
 * <openssl/types.h> declares the same "typedef struct ssl_st SSL;", and
 * C11 allows a typedef to be repeated with the same type, so a file may
 * include both.  A caller without OpenSSL's headers drives a connection
 * through httptls_handshake/read/write and ends it with httptls_close.
 *
 * Not thread-safe: one struct httptls and its connections belong to one
 * thread (the proxy's).  Every call starts with an empty OpenSSL error
 * queue (it clears the thread's) and leaves one: OpenSSL's errors become
 * messages (sl_errorf, or httptls_error's buffer).
 */
#ifndef SL_HTTPTLS_H
#define SL_HTTPTLS_H

#include <stddef.h>
#include <sys/types.h>

typedef struct ssl_st SSL;
struct httptls;

#define HTTPTLS_CACHE_MAX 1000 /* leaves kept, least recently used dropped */

/* Loads the CA certificate and its private key (PEM files; one file may
 * hold both) for HTTPS interception.  Refused, with a message: a file
 * that cannot be read ("http_ca: cannot read '<path>': <strerror>", -errno),
 * no PEM certificate in ca_path, no PEM private key in key_path (an
 * encrypted key too: no pass phrase is asked), a key that does not match
 * the certificate, a certificate without basicConstraints CA:TRUE (or
 * whose keyUsage lacks keyCertSign), one expired or not yet valid
 * (-EINVAL).  *out is the new context (httptls_free). */
int httptls_load(struct httptls **out, const char *ca_path, const char *key_path);
/* A CA made in memory: EC P-256 key, self-signed, CN "sandlock ephemeral
 * CA <8 hex digits>", basicConstraints critical CA:TRUE pathlen:0,
 * keyUsage critical keyCertSign+cRLSign, subjectKeyIdentifier, valid from
 * an hour ago for 7 days.  Its private key never leaves memory. */
int httptls_ephemeral(struct httptls **out);
/* Frees the context (NULL accepted).  Free its SSLs first: their
 * callbacks point at it. */
void httptls_free(struct httptls *t);

/* The CA's certificate as PEM: *pem malloc'd and NUL-terminated, *len its
 * length without the NUL.  0 or -ENOMEM. */
int httptls_ca_pem(const struct httptls *t, char **pem, size_t *len);
/* The trust bundle at path with the CA's PEM appended (after a newline
 * when the file does not end with one): *out malloc'd, NUL-terminated,
 * *len without the NUL.  -errno with "http_inject_ca: cannot read
 * '<path>': <strerror>" when the file cannot be read. */
int httptls_bundle_with_ca(const struct httptls *t, const char *path, char **out, size_t *len);

/* The server side, towards the sandbox: a new SSL in accept state on fd
 * (non-blocking; the SSL does not own it).  The certificate is chosen at
 * the ClientHello: a leaf for the SNI name (lower-cased, one trailing dot
 * dropped), minted and signed by the CA and cached; without SNI a leaf for
 * fallback_ip (an IPv4 or IPv6 literal, the original destination: an
 * iPAddress SAN; NULL: a client without SNI is refused).  An SNI that is not a DNS name (characters
 * [A-Za-z0-9.-], labels of 1 to 63, at most 253 in all) or is an IP
 * literal (its last label numeric) fails the handshake with an
 * unrecognized_name alert.  ALPN: "http/1.1" only; a client offering ALPN
 * without it fails with no_application_protocol.  TLS 1.2 minimum, no
 * session resumption.  NULL with a message on failure. */
SSL *httptls_server(struct httptls *t, int fd, const char *fallback_ip);
/* After the handshake of a server SSL: the SNI the client sent, lower-
 * cased, or NULL (none, or not a server SSL of this module).  Valid
 * while the SSL lives. */
const char *httptls_sni(SSL *ssl);

/* The client side, towards the real server: a new SSL in connect state
 * on fd (non-blocking; not owned), verifying the server's chain against
 * the system's trust store (OpenSSL's default paths: Debian's
 * /etc/ssl/certs) and its name: host is a DNS name (also sent as SNI) or
 * an IPv4/IPv6 literal (no SNI, an iPAddress SAN required).  ALPN
 * "http/1.1", TLS 1.2 minimum.  NULL with a message on failure. */
SSL *httptls_client(struct httptls *t, int fd, const char *host);
/* For tests: the clients made from now on trust only the CA certificates
 * of the PEM file at pem_path instead of the system's store (NULL: the
 * system's store again).  -errno/-EINVAL with a message. */
int httptls_set_upstream_ca(struct httptls *t, const char *pem_path);

/* A readable reason for the last failure of ssl, into buf (always
 * NUL-terminated): why this module refused (an SNI), the certificate
 * verification's result, the alert or error OpenSSL recorded, or the
 * system error of a broken connection.  ret is what the failed SSL_*
 * call returned (ignored when a wrapper below recorded the reason).
 * Empties the thread's OpenSSL error queue. */
void httptls_error(SSL *ssl, int ret, char *buf, size_t len);

/* Driving a connection without OpenSSL's headers.  The wrappers return
 * -EAGAIN with *events set to POLLIN or POLLOUT (what fd must become
 * before the call is repeated), and -EPROTO for a failure whose reason
 * they record (sl_error_get() and httptls_error), -EPIPE for a peer gone
 * (a broken connection, or an EOF without close_notify).  The SSLs of
 * this module send with MSG_NOSIGNAL: a peer gone is EPIPE, never a
 * SIGPIPE in the host, whether the wrappers or SSL_* calls drive them. */
/* 0 once the handshake is complete. */
int httptls_handshake(SSL *ssl, short *events);
/* Bytes read (> 0), 0 at the peer's close_notify. */
ssize_t httptls_read(SSL *ssl, void *buf, size_t len, short *events);
/* Bytes written (> 0; all of them unless partial writes were enabled). */
ssize_t httptls_write(SSL *ssl, const void *buf, size_t len, short *events);
/* Sends close_notify when the connection is established and healthy (one
 * try, no wait for the peer's), then frees ssl (NULL accepted).  Does not
 * close the fd. */
void httptls_close(SSL *ssl);

/* ---- the plugin ----------------------------------------------------------
 *
 * httptls.c is not part of libsandlock: it is built into a plugin of its
 * own, libsandlock-tls.so.0 (linked with OpenSSL), which the library
 * loads the first time a sandbox intercepts HTTPS (tlsload.c defines the
 * functions above by forwarding to it).  Linking OpenSSL into the library
 * and the CLI cost every sandbox start its relocations (about 0.3-0.5 ms
 * of a 2.5 ms start here), HTTPS or not.  The plugin's one exported
 * symbol is sandlock_tls_ops, the table below; its messages are its own
 * (error.c is linked into it), so the loader copies each into the
 * library's. */
#define HTTPTLS_PLUGIN	    "libsandlock-tls.so.0"
#define HTTPTLS_OPS_VERSION 1

struct httptls_ops {
	int version; /* HTTPTLS_OPS_VERSION */
	int (*load)(struct httptls **out, const char *ca_path, const char *key_path);
	int (*ephemeral)(struct httptls **out);
	void (*free)(struct httptls *t);
	int (*ca_pem)(const struct httptls *t, char **pem, size_t *len);
	int (*bundle_with_ca)(const struct httptls *t, const char *path, char **out, size_t *len);
	SSL *(*server)(struct httptls *t, int fd, const char *fallback_ip);
	const char *(*sni)(SSL *ssl);
	SSL *(*client)(struct httptls *t, int fd, const char *host);
	int (*set_upstream_ca)(struct httptls *t, const char *pem_path);
	void (*error)(SSL *ssl, int ret, char *buf, size_t len);
	int (*handshake)(SSL *ssl, short *events);
	ssize_t (*read)(SSL *ssl, void *buf, size_t len, short *events);
	ssize_t (*write)(SSL *ssl, const void *buf, size_t len, short *events);
	void (*close)(SSL *ssl);
	const char *(*last_error)(void); /* the plugin's message of its last failure */
};

/* The plugin's table (exported by libsandlock-tls.so.0 only). */
const struct httptls_ops *sandlock_tls_ops(void);

#endif
