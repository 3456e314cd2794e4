/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httptls.c - the CA, the minted leaves and the TLS connections of HTTPS
 * interception (see httptls.h).  The one file of the library that
 * includes OpenSSL (3.0).
 *
 * OpenSSL keeps a per-thread error queue that SSL_get_error() reads: an
 * error left there makes a later, unrelated call look failed.  Every entry
 * point empties it first, and every failure is turned into a message and
 * the queue emptied again.
 */
#include "httptls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "error.h"
#include "util.h"

#define CA_DAYS	     7
#define LEAF_DAYS    30
#define BACKDATE_S   3600
#define RENEW_S	     3600	/* a cached leaf this close to its end is minted again */
#define FILE_MAX     (16 << 20) /* a PEM file or a trust bundle */
#define DNS_NAME_MAX 253
#define CN_MAX	     64 /* ub-common-name (RFC 5280) */

struct leaf {
	char *name; /* a DNS name or an IP literal; NULL: a free slot */
	X509 *cert;
	uint64_t used; /* t->tick at its last use */
};

struct httptls {
	X509 *ca;
	EVP_PKEY *ca_key;
	EVP_PKEY *leaf_key; /* one key for every leaf */
	SSL_CTX *server;
	SSL_CTX *client;     /* made at the first httptls_client (or by set_upstream_ca) */
	struct leaf *leaves; /* HTTPTLS_CACHE_MAX slots */
	uint64_t tick;
};

/* What this module keeps with each SSL (its ex_data, freed with it). */
struct conn {
	struct httptls *t;
	bool server, failed;
	char ip[INET6_ADDRSTRLEN];   /* server: the name without SNI */
	char name[DNS_NAME_MAX + 1]; /* server: the SNI; client: the host */
	char why[320];		     /* the reason of a failure, once known */
};

static int conn_idx = -1;
static pthread_once_t conn_once = PTHREAD_ONCE_INIT;

static void conn_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	free(ptr);
}

/* The socket BIO of the connections.  OpenSSL's own writes with
 * write(2): a peer gone would raise SIGPIPE in the host process, whose
 * disposition is the application's.  This one sends with MSG_NOSIGNAL
 * (EPIPE instead) and never closes the fd. */
static BIO_METHOD *sock_method;

static int sock_fd(BIO *b)
{
	return (int)(intptr_t)BIO_get_data(b);
}

static bool retryable(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

static int sock_write(BIO *b, const char *in, int len)
{
	BIO_clear_retry_flags(b);
	ssize_t n = send(sock_fd(b), in, (size_t)len, MSG_NOSIGNAL);
	if (n < 0 && retryable(errno))
		BIO_set_retry_write(b);
	return (int)n;
}

static int sock_read(BIO *b, char *out, int len)
{
	BIO_clear_retry_flags(b);
	ssize_t n = recv(sock_fd(b), out, (size_t)len, 0);
	if (n < 0 && retryable(errno))
		BIO_set_retry_read(b);
	if (n == 0) /* what tells the record layer an EOF from a pause */
		BIO_set_flags(b, BIO_FLAGS_IN_EOF);
	return (int)n;
}

static long sock_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	switch (cmd) {
	case BIO_C_GET_FD: /* SSL_get_fd */
		if (ptr)
			*(int *)ptr = sock_fd(b);
		return sock_fd(b);
	case BIO_CTRL_EOF:
		return BIO_test_flags(b, BIO_FLAGS_IN_EOF) != 0;
	case BIO_CTRL_FLUSH:
	case BIO_CTRL_DUP:
		return 1;
	default:
		return 0;
	}
}

static void conn_index(void)
{
	conn_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, conn_free);
	int type = BIO_get_new_index();
	BIO_METHOD *m = type > 0 ? BIO_meth_new(type | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
						"sandlock socket")
				 : NULL;
	if (m && BIO_meth_set_write(m, sock_write) && BIO_meth_set_read(m, sock_read) &&
	    BIO_meth_set_ctrl(m, sock_ctrl))
		sock_method = m;
	else
		BIO_meth_free(m);
}

static struct conn *conn_of(SSL *ssl)
{
	return ssl && conn_idx >= 0 ? SSL_get_ex_data(ssl, conn_idx) : NULL;
}

/* The first error OpenSSL queued (the deepest cause) into buf, and the
 * queue emptied. */
static const char *ossl_why(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	if (!e)
		snprintf(buf, len, "unknown OpenSSL error");
	else if (r)
		snprintf(buf, len, "%s", r);
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

/* Records "<what>: <OpenSSL's reason>" and returns -err. */
static int ossl_fail(int err, const char *what)
{
	char why[256];
	return sl_errorf(err, "%s: %s", what, ossl_why(why, sizeof(why)));
}

/* Reads the file at path whole, NUL-terminated (at most FILE_MAX bytes).
 * 0 or -errno. */
static int read_whole(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	size_t cap = 8192, n = 0;
	char *p = malloc(cap);
	int r = p ? 0 : -ENOMEM;
	while (r == 0) {
		if (n + 1 == cap) {
			char *q = cap >= FILE_MAX ? NULL : realloc(p, cap * 2);
			if (!q) {
				r = cap >= FILE_MAX ? -EFBIG : -ENOMEM;
				break;
			}
			p = q;
			cap *= 2;
		}
		ssize_t k = read(fd, p + n, cap - 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			r = -errno;
		else if (k == 0)
			break;
		else
			n += (size_t)k;
	}
	close(fd);
	if (r < 0) {
		free(p);
		return r;
	}
	p[n] = 0;
	*out = p;
	*len = n;
	return 0;
}

/* A password callback that gives none: OpenSSL's default one would ask
 * on the terminal. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	return 0;
}

static X509 *pem_cert(const char *pem, size_t len)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, no_password, NULL) : NULL;
	BIO_free(b);
	ERR_clear_error();
	return x;
}

static EVP_PKEY *pem_key(const char *pem, size_t len)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, no_password, NULL) : NULL;
	BIO_free(b);
	ERR_clear_error();
	return k;
}

/* An ASN.1 time as "YYYY-MM-DD HH:MM:SS UTC" into buf. */
static const char *time_text(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;
	if (!ASN1_TIME_to_tm(t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "(unreadable time)");
	return buf;
}

/* Whether ca, loaded from path, can sign leaves with key. */
static int check_ca(X509 *ca, EVP_PKEY *key, const char *path)
{
	char when[64];
	if (EVP_PKEY_eq(X509_get0_pubkey(ca), key) != 1) {
		ERR_clear_error();
		return sl_errorf(EINVAL,
				 "http_key: the key does not match the certificate of http_ca");
	}
	uint32_t flags = X509_get_extension_flags(ca);
	if (flags & EXFLAG_INVALID)
		return sl_errorf(EINVAL, "http_ca: '%s' has malformed extensions", path);
	if (!(flags & EXFLAG_CA))
		return sl_errorf(EINVAL,
				 "http_ca: '%s' is not a CA certificate (basicConstraints CA:TRUE "
				 "required)",
				 path);
	if ((flags & EXFLAG_KUSAGE) && !(X509_get_key_usage(ca) & KU_KEY_CERT_SIGN))
		return sl_errorf(EINVAL, "http_ca: '%s' has a keyUsage without keyCertSign", path);
	const ASN1_TIME *nb = X509_get0_notBefore(ca), *na = X509_get0_notAfter(ca);
	if (X509_cmp_current_time(nb) >= 0)
		return sl_errorf(EINVAL, "http_ca: '%s' is not valid before %s", path,
				 time_text(nb, when, sizeof(when)));
	if (X509_cmp_current_time(na) <= 0)
		return sl_errorf(EINVAL, "http_ca: '%s' expired on %s", path,
				 time_text(na, when, sizeof(when)));
	return 0;
}

static int on_servername(SSL *ssl, int *alert, void *arg);
static int on_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		   const unsigned char *in, unsigned int inlen, void *arg);

/* The context of the server side: certificates chosen per connection,
 * no session resumption (a resumed session would skip the choice). */
static SSL_CTX *server_ctx(struct httptls *t)
{
	SSL_CTX *c = SSL_CTX_new(TLS_server_method());
	if (!c)
		return NULL;
	SSL_CTX_set_options(c, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
				   SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_num_tickets(c, 0);
	SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_mode(c, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_tlsext_servername_callback(c, on_servername);
	SSL_CTX_set_tlsext_servername_arg(c, t);
	SSL_CTX_set_alpn_select_cb(c, on_alpn, t);
	if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1) {
		SSL_CTX_free(c);
		return NULL;
	}
	return c;
}

/* A context around ca and key (both taken, freed on failure). */
static int httptls_new(struct httptls **out, X509 *ca, EVP_PKEY *key)
{
	struct httptls *t = calloc(1, sizeof(*t));
	if (!t) {
		X509_free(ca);
		EVP_PKEY_free(key);
		return sl_errorf(ENOMEM, "httptls: out of memory");
	}
	t->ca = ca;
	t->ca_key = key;
	pthread_once(&conn_once, conn_index);
	t->leaves = calloc(HTTPTLS_CACHE_MAX, sizeof(*t->leaves));
	if (conn_idx < 0 || !sock_method || !t->leaves || !(t->leaf_key = EVP_EC_gen("P-256")) ||
	    !(t->server = server_ctx(t))) {
		httptls_free(t);
		return ossl_fail(ENOMEM, "httptls: cannot set up TLS");
	}
	*out = t;
	return 0;
}

int httptls_load(struct httptls **out, const char *ca_path, const char *key_path)
{
	char *pem;
	size_t len;
	*out = NULL;
	ERR_clear_error();
	int r = read_whole(ca_path, &pem, &len);
	if (r < 0)
		return sl_errorf(-r, "http_ca: cannot read '%s': %s", ca_path, strerror(-r));
	X509 *ca = pem_cert(pem, len);
	free(pem);
	if (!ca)
		return sl_errorf(EINVAL, "http_ca: '%s' holds no PEM certificate", ca_path);
	if ((r = read_whole(key_path, &pem, &len)) < 0) {
		X509_free(ca);
		return sl_errorf(-r, "http_key: cannot read '%s': %s", key_path, strerror(-r));
	}
	EVP_PKEY *key = pem_key(pem, len);
	OPENSSL_cleanse(pem, len);
	free(pem);
	if (!key) {
		X509_free(ca);
		return sl_errorf(EINVAL,
				 "http_key: '%s' holds no PEM private key (an encrypted key is not "
				 "supported)",
				 key_path);
	}
	if ((r = check_ca(ca, key, ca_path)) < 0) {
		X509_free(ca);
		EVP_PKEY_free(key);
		return r;
	}
	return httptls_new(out, ca, key);
}

/* Adds the extension nid, in openssl.cnf's syntax, to x (issued by
 * issuer, which may be x). */
static bool add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	bool ok = e && X509_add_ext(x, e, -1) == 1;
	X509_EXTENSION_free(e);
	return ok;
}

/* A random positive 128-bit serial number. */
static bool set_serial(X509 *x)
{
	unsigned char b[16];
	BIGNUM *bn = NULL;
	do {
		BN_free(bn);
		if (RAND_bytes(b, sizeof(b)) != 1)
			return false;
		bn = BN_bin2bn(b, sizeof(b), NULL);
	} while (bn && BN_is_zero(bn));
	bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	return ok;
}

/* Version 3, a serial, the subject (CN cn when given) and its key. */
static bool set_common(X509 *x, const char *cn, EVP_PKEY *key)
{
	X509_NAME *n = X509_get_subject_name(x);
	return X509_set_version(x, X509_VERSION_3) && set_serial(x) &&
	       (!cn || X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
						  -1, -1, 0)) &&
	       X509_set_pubkey(x, key);
}

/* The digest a key signs with: none for EdDSA (it hashes itself). */
static const EVP_MD *sign_md(EVP_PKEY *key)
{
	int id = EVP_PKEY_get_id(key);
	return id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448 ? NULL : EVP_sha256();
}

int httptls_ephemeral(struct httptls **out)
{
	unsigned char rnd[4];
	char cn[64];
	*out = NULL;
	ERR_clear_error();
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *ca = X509_new();
	time_t now = time(NULL);
	bool ok = key && ca && RAND_bytes(rnd, sizeof(rnd)) == 1;
	if (ok) {
		snprintf(cn, sizeof(cn), "sandlock ephemeral CA %02x%02x%02x%02x", rnd[0], rnd[1],
			 rnd[2], rnd[3]);
		ok = set_common(ca, cn, key) &&
		     X509_set_issuer_name(ca, X509_get_subject_name(ca)) &&
		     /* both ends from one reading of the clock: two could
		      * straddle a second */
		     X509_time_adj(X509_getm_notBefore(ca), -BACKDATE_S, &now) &&
		     X509_time_adj_ex(X509_getm_notAfter(ca), CA_DAYS, -BACKDATE_S, &now) &&
		     add_ext(ca, ca, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
		     add_ext(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign") &&
		     add_ext(ca, ca, NID_subject_key_identifier, "hash") &&
		     X509_sign(ca, key, sign_md(key)) > 0;
	}
	if (!ok) {
		X509_free(ca);
		EVP_PKEY_free(key);
		return ossl_fail(ENOMEM, "httptls: cannot make an ephemeral CA");
	}
	return httptls_new(out, ca, key);
}

void httptls_free(struct httptls *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->leaves && i < HTTPTLS_CACHE_MAX; i++) {
		free(t->leaves[i].name);
		X509_free(t->leaves[i].cert);
	}
	free(t->leaves);
	SSL_CTX_free(t->server);
	SSL_CTX_free(t->client);
	EVP_PKEY_free(t->leaf_key);
	EVP_PKEY_free(t->ca_key);
	X509_free(t->ca);
	free(t);
	ERR_clear_error();
}

int httptls_ca_pem(const struct httptls *t, char **pem, size_t *len)
{
	char *data;
	ERR_clear_error();
	BIO *b = BIO_new(BIO_s_mem());
	if (!b || PEM_write_bio_X509(b, t->ca) != 1) {
		BIO_free(b);
		return ossl_fail(ENOMEM, "httptls: cannot write the CA certificate");
	}
	long n = BIO_get_mem_data(b, &data);
	char *p = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (p) {
		memcpy(p, data, (size_t)n);
		p[n] = 0;
		*pem = p;
		*len = (size_t)n;
	}
	BIO_free(b);
	return p ? 0 : sl_errorf(ENOMEM, "httptls: out of memory");
}

int httptls_bundle_with_ca(const struct httptls *t, const char *path, char **out, size_t *len)
{
	char *file, *pem;
	size_t flen, plen;
	int r = read_whole(path, &file, &flen);
	if (r < 0)
		return sl_errorf(-r, "http_inject_ca: cannot read '%s': %s", path, strerror(-r));
	if ((r = httptls_ca_pem(t, &pem, &plen)) < 0) {
		free(file);
		return r;
	}
	bool nl = flen > 0 && file[flen - 1] != '\n';
	char *p = realloc(file, flen + nl + plen + 1);
	if (!p) {
		free(file);
		free(pem);
		return sl_errorf(ENOMEM, "http_inject_ca: out of memory");
	}
	if (nl)
		p[flen] = '\n';
	memcpy(p + flen + nl, pem, plen + 1);
	free(pem);
	*out = p;
	*len = flen + nl + plen;
	return 0;
}

/* name as a server name, lower-cased into out with one trailing dot
 * dropped.  -EINVAL when it is not a DNS name (characters [A-Za-z0-9.-],
 * labels of 1 to 63, at most 253 in all), or reads as an IPv4 address:
 * a last label of digits or 0x-hex, as URL parsers take "1.2.3.4", "10"
 * or "0x7f.1" (no top-level domain is numeric). */
static int dns_name(const char *name, char out[DNS_NAME_MAX + 1])
{
	size_t n = strnlen(name, DNS_NAME_MAX + 2), label = 0, last = 0;
	if (n && name[n - 1] == '.')
		n--;
	if (n == 0 || n > DNS_NAME_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		if (ch == '.') {
			if (label == 0)
				return -EINVAL;
			label = 0;
			last = i + 1;
		} else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-') {
			label++;
		} else if (ch >= 'A' && ch <= 'Z') {
			ch = (char)(ch - 'A' + 'a');
			label++;
		} else {
			return -EINVAL;
		}
		if (label > 63)
			return -EINVAL;
		out[i] = ch;
	}
	if (label == 0)
		return -EINVAL;
	out[n] = 0;
	const char *l = out + last;
	bool hex = l[0] == '0' && l[1] == 'x', numeric = true;
	for (const char *p = hex ? l + 2 : l; *p && numeric; p++)
		numeric = (*p >= '0' && *p <= '9') || (hex && *p >= 'a' && *p <= 'f');
	return numeric ? -EINVAL : 0;
}

/* The canonical text of an IPv4 or IPv6 literal into out; -EINVAL for
 * anything else. */
static int ip_literal(const char *s, char out[INET6_ADDRSTRLEN])
{
	unsigned char a[16];
	if (inet_pton(AF_INET, s, a) == 1)
		return inet_ntop(AF_INET, a, out, INET6_ADDRSTRLEN) ? 0 : -EINVAL;
	if (inet_pton(AF_INET6, s, a) == 1)
		return inet_ntop(AF_INET6, a, out, INET6_ADDRSTRLEN) ? 0 : -EINVAL;
	return -EINVAL;
}

/* A leaf for name (a DNS name, or an IP literal when ip) signed by the
 * CA.  See httptls.h for its fields. */
static X509 *mint(struct httptls *t, const char *name, bool ip)
{
	char san[DNS_NAME_MAX + 32]; /* "critical,DNS:" and the name */
	bool cn = strlen(name) <= CN_MAX;
	X509 *x = X509_new();
	time_t now = time(NULL);
	snprintf(san, sizeof(san), "%s%s:%s", cn ? "" : "critical,", ip ? "IP" : "DNS", name);
	const ASN1_TIME *ca_nb = X509_get0_notBefore(t->ca), *ca_na = X509_get0_notAfter(t->ca);
	/* no earlier than the CA's start, no later than its end */
	bool ok = x && set_common(x, cn ? name : NULL, t->leaf_key) &&
		  X509_set_issuer_name(x, X509_get_subject_name(t->ca)) &&
		  X509_time_adj(X509_getm_notBefore(x), -BACKDATE_S, &now) &&
		  X509_time_adj_ex(X509_getm_notAfter(x), LEAF_DAYS, 0, &now);
	if (ok && ASN1_TIME_compare(X509_get0_notBefore(x), ca_nb) < 0)
		ok = X509_set1_notBefore(x, ca_nb);
	if (ok && ASN1_TIME_compare(X509_get0_notAfter(x), ca_na) > 0)
		ok = X509_set1_notAfter(x, ca_na);
	ok = ok && add_ext(x, t->ca, NID_basic_constraints, "critical,CA:FALSE") &&
	     add_ext(x, t->ca, NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
	     add_ext(x, t->ca, NID_ext_key_usage, "serverAuth") &&
	     add_ext(x, t->ca, NID_subject_key_identifier, "hash") &&
	     add_ext(x, t->ca, NID_authority_key_identifier, "keyid,issuer") &&
	     add_ext(x, t->ca, NID_subject_alt_name, san) &&
	     X509_sign(x, t->ca_key, sign_md(t->ca_key)) > 0;
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* The cached leaf for name, minted on a miss or near its end; the least
 * recently used one gives way when the cache is full.  NULL on failure
 * (OpenSSL's queue says why). */
static X509 *leaf_for(struct httptls *t, const char *name, bool ip)
{
	struct leaf *slot = NULL;
	time_t soon = time(NULL) + RENEW_S;
	t->tick++;
	for (size_t i = 0; i < HTTPTLS_CACHE_MAX; i++) {
		struct leaf *l = &t->leaves[i];
		if (l->name && strcmp(l->name, name) == 0) {
			if (X509_cmp_time(X509_get0_notAfter(l->cert), &soon) > 0) {
				l->used = t->tick;
				return l->cert;
			}
			slot = l;
			break;
		}
		if (!slot || (slot->name && (!l->name || l->used < slot->used)))
			slot = l;
	}
	X509 *x = mint(t, name, ip);
	char *copy = x ? strdup(name) : NULL;
	if (!copy) {
		X509_free(x);
		return NULL;
	}
	free(slot->name);
	X509_free(slot->cert);
	*slot = (struct leaf){.name = copy, .cert = x, .used = t->tick};
	return x;
}

/* Prints s into buf for a message: at most 64 bytes, others than
 * printable ASCII as '?'. */
static const char *printable(const char *s, char *buf, size_t len)
{
	size_t i = 0;
	for (; i < 64 && i + 4 < len && s[i]; i++)
		buf[i] = s[i] > ' ' && s[i] < 127 ? s[i] : '?';
	snprintf(buf + i, len - i, "%s", s[i] ? "..." : "");
	return buf;
}

/* At the ClientHello (OpenSSL calls it with or without SNI): the leaf
 * for the SNI, or for the fallback address. */
static int on_servername(SSL *ssl, int *alert, void *arg)
{
	struct httptls *t = arg;
	struct conn *c = conn_of(ssl);
	char shown[80], why[256];
	if (!c) {
		*alert = SSL_AD_INTERNAL_ERROR;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name), *name = c->ip;
	if (sni) {
		if (dns_name(sni, c->name) < 0) {
			c->name[0] = 0;
			snprintf(c->why, sizeof(c->why),
				 "the client's SNI '%s' is not a DNS name (or is an IP literal)",
				 printable(sni, shown, sizeof(shown)));
			*alert = SSL_AD_UNRECOGNIZED_NAME;
			return SSL_TLSEXT_ERR_ALERT_FATAL;
		}
		name = c->name;
	} else if (!c->ip[0]) {
		snprintf(c->why, sizeof(c->why),
			 "the client sent no SNI, and no address was given");
		*alert = SSL_AD_UNRECOGNIZED_NAME;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	X509 *leaf = leaf_for(t, name, !sni);
	if (!leaf || SSL_use_certificate(ssl, leaf) != 1 ||
	    SSL_use_PrivateKey(ssl, t->leaf_key) != 1) {
		snprintf(c->why, sizeof(c->why), "cannot make a certificate for '%s': %s", name,
			 ossl_why(why, sizeof(why)));
		*alert = SSL_AD_INTERNAL_ERROR;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	return SSL_TLSEXT_ERR_OK;
}

/* ALPN: http/1.1 or nothing (the proxy speaks HTTP/1.1 only); a client
 * that offers protocols without it gets no_application_protocol. */
static int on_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		   const unsigned char *in, unsigned int inlen, void *arg)
{
	static const char h1[] = "http/1.1";
	for (unsigned int i = 0; i < inlen; i += 1u + in[i]) {
		if (in[i] == sizeof(h1) - 1 && i + 1u + in[i] <= inlen &&
		    memcmp(in + i + 1, h1, sizeof(h1) - 1) == 0) {
			*out = in + i + 1;
			*outlen = in[i];
			return SSL_TLSEXT_ERR_OK;
		}
	}
	struct conn *c = conn_of(ssl);
	if (c)
		snprintf(c->why, sizeof(c->why), "the client offers ALPN without http/1.1");
	return SSL_TLSEXT_ERR_ALERT_FATAL;
}

/* A new SSL of ctx on fd with its conn. */
static SSL *new_ssl(struct httptls *t, SSL_CTX *ctx, int fd, bool server)
{
	struct conn *c = calloc(1, sizeof(*c));
	SSL *ssl = c ? SSL_new(ctx) : NULL;
	if (!ssl) {
		free(c);
		ossl_fail(ENOMEM, "httptls: cannot make a connection");
		return NULL;
	}
	c->t = t;
	c->server = server;
	if (SSL_set_ex_data(ssl, conn_idx, c) != 1) {
		free(c);
		SSL_free(ssl);
		ossl_fail(ENOMEM, "httptls: cannot make a connection");
		return NULL;
	}
	BIO *b = BIO_new(sock_method);
	if (!b) {
		SSL_free(ssl);
		ossl_fail(ENOMEM, "httptls: cannot make a connection");
		return NULL;
	}
	BIO_set_data(b, (void *)(intptr_t)fd);
	BIO_set_init(b, 1);
	SSL_set_bio(ssl, b, b); /* one reference, for both directions */
	return ssl;
}

SSL *httptls_server(struct httptls *t, int fd, const char *fallback_ip)
{
	char ip[INET6_ADDRSTRLEN] = "";
	ERR_clear_error();
	if (fallback_ip && ip_literal(fallback_ip, ip) < 0) {
		sl_errorf(EINVAL, "httptls: '%s' is not an IP address", fallback_ip);
		return NULL;
	}
	SSL *ssl = new_ssl(t, t->server, fd, true);
	if (!ssl)
		return NULL;
	memcpy(conn_of(ssl)->ip, ip, sizeof(ip));
	SSL_set_accept_state(ssl);
	return ssl;
}

const char *httptls_sni(SSL *ssl)
{
	struct conn *c = conn_of(ssl);
	return c && c->server && c->name[0] ? c->name : NULL;
}

/* The client context: verification against cafile's certificates, or
 * the system's store when NULL. */
static int client_ctx(SSL_CTX **out, const char *cafile)
{
	static const unsigned char alpn[] = "\x08http/1.1";
	char *pem = NULL;
	size_t len;
	int r, n = 0;
	if (cafile && (r = read_whole(cafile, &pem, &len)) < 0)
		return sl_errorf(-r, "http_upstream_ca: cannot read '%s': %s", cafile,
				 strerror(-r));
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());
	if (!c) {
		free(pem);
		return ossl_fail(ENOMEM, "httptls: cannot set up TLS");
	}
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_mode(c, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION);
	bool ok = SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) == 1 &&
		  SSL_CTX_set_alpn_protos(c, alpn, sizeof(alpn) - 1) == 0;
	if (ok && !cafile) {
		ok = SSL_CTX_set_default_verify_paths(c) == 1;
	} else if (ok) {
		BIO *b = BIO_new_mem_buf(pem, (int)len);
		X509_STORE *st = SSL_CTX_get_cert_store(c);
		X509 *x;
		ok = b != NULL;
		while (ok && (x = PEM_read_bio_X509(b, NULL, no_password, NULL))) {
			ok = X509_STORE_add_cert(st, x) == 1;
			X509_free(x);
			n++;
		}
		BIO_free(b);
		ERR_clear_error(); /* the end of the file */
	}
	free(pem);
	if (!ok) {
		SSL_CTX_free(c);
		return ossl_fail(ENOMEM, "httptls: cannot set up the client side");
	}
	if (cafile && n == 0) {
		SSL_CTX_free(c);
		return sl_errorf(EINVAL, "http_upstream_ca: '%s' holds no PEM certificate", cafile);
	}
	*out = c;
	return 0;
}

int httptls_set_upstream_ca(struct httptls *t, const char *pem_path)
{
	SSL_CTX *c;
	ERR_clear_error();
	int r = client_ctx(&c, pem_path);
	if (r < 0)
		return r;
	SSL_CTX_free(t->client);
	t->client = c;
	return 0;
}

SSL *httptls_client(struct httptls *t, int fd, const char *host)
{
	char ip[INET6_ADDRSTRLEN], name[DNS_NAME_MAX + 1];
	ERR_clear_error();
	bool is_ip = ip_literal(host, ip) == 0;
	if (!is_ip && dns_name(host, name) < 0) {
		sl_errorf(EINVAL, "httptls: '%s' is neither a DNS name nor an IP address", host);
		return NULL;
	}
	if (!t->client && client_ctx(&t->client, NULL) < 0)
		return NULL;
	SSL *ssl = new_ssl(t, t->client, fd, false);
	if (!ssl)
		return NULL;
	struct conn *c = conn_of(ssl);
	snprintf(c->name, sizeof(c->name), "%s", is_ip ? ip : name);
	bool ok;
	if (is_ip) {
		ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), ip) == 1;
	} else {
		SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		ok = SSL_set_tlsext_host_name(ssl, name) == 1 && SSL_set1_host(ssl, name) == 1;
	}
	if (!ok) {
		SSL_free(ssl);
		ossl_fail(EINVAL, "httptls: cannot name the server");
		return NULL;
	}
	SSL_set_connect_state(ssl);
	return ssl;
}

/* Why the last call on ssl, which returned ret, failed (errno still that
 * call's), into buf; the error queue emptied. */
static void describe(SSL *ssl, int ret, char *buf, size_t len)
{
	int saved = errno;
	struct conn *c = conn_of(ssl);
	long v = SSL_get_verify_result(ssl);
	char why[256];
	if (c && c->why[0]) {
		snprintf(buf, len, "%s", c->why);
	} else if (v != X509_V_OK) {
		snprintf(buf, len, "the certificate of '%s' failed verification: %s",
			 c ? c->name : "?", X509_verify_cert_error_string(v));
	} else {
		switch (SSL_get_error(ssl, ret)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			snprintf(buf, len, "not finished: it waits for the socket");
			break;
		case SSL_ERROR_ZERO_RETURN:
			snprintf(buf, len, "the peer closed the connection (close_notify)");
			break;
		case SSL_ERROR_SYSCALL:
			if (ERR_peek_error())
				snprintf(buf, len, "%s", ossl_why(why, sizeof(why)));
			else if (saved)
				snprintf(buf, len, "connection error: %s", strerror(saved));
			else
				snprintf(buf, len, "the peer closed the connection");
			break;
		default:
			snprintf(buf, len, "%s", ossl_why(why, sizeof(why)));
			break;
		}
	}
	ERR_clear_error();
}

void httptls_error(SSL *ssl, int ret, char *buf, size_t len)
{
	if (!ssl || !buf || !len) {
		if (buf && len)
			snprintf(buf, len, "no connection");
		ERR_clear_error();
		return;
	}
	describe(ssl, ret, buf, len);
}

/* The outcome of a failed SSL_* call r on ssl: -EAGAIN with *events, 0
 * at close_notify, -EPIPE for a peer gone without it, else -EPROTO with
 * the reason recorded. */
static int io_fail(SSL *ssl, int r, short *events)
{
	int e = SSL_get_error(ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		*events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		ERR_clear_error();
		return -EAGAIN;
	}
	if (e == SSL_ERROR_ZERO_RETURN) {
		ERR_clear_error();
		return 0;
	}
	unsigned long q = ERR_peek_error();
	bool gone = (e == SSL_ERROR_SYSCALL && !q) ||
		    (ERR_GET_LIB(q) == ERR_LIB_SSL &&
		     ERR_GET_REASON(q) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
	struct conn *c = conn_of(ssl);
	char why[sizeof(c->why)];
	describe(ssl, r, why, sizeof(why));
	if (c) {
		c->failed = true;
		memcpy(c->why, why, sizeof(why));
	}
	return sl_errorf(gone ? EPIPE : EPROTO, "tls: %s", why);
}

int httptls_handshake(SSL *ssl, short *events)
{
	ERR_clear_error();
	errno = 0; /* what describe() reads */
	int r = SSL_do_handshake(ssl);
	if (r == 1)
		return 0;
	r = io_fail(ssl, r, events);
	return r == 0 ? sl_errorf(EPIPE, "tls: the peer closed the connection in the handshake")
		      : r;
}

ssize_t httptls_read(SSL *ssl, void *buf, size_t len, short *events)
{
	size_t n;
	ERR_clear_error();
	errno = 0; /* what describe() reads */
	if (SSL_read_ex(ssl, buf, len, &n) == 1)
		return (ssize_t)n;
	return io_fail(ssl, 0, events);
}

ssize_t httptls_write(SSL *ssl, const void *buf, size_t len, short *events)
{
	size_t n;
	ERR_clear_error();
	if (len == 0)
		return 0;
	errno = 0; /* what describe() reads */
	if (SSL_write_ex(ssl, buf, len, &n) == 1)
		return (ssize_t)n;
	int r = io_fail(ssl, 0, events);
	return r == 0 ? sl_errorf(EPIPE, "tls: the peer closed the connection") : r;
}

void httptls_close(SSL *ssl)
{
	if (!ssl)
		return;
	struct conn *c = conn_of(ssl);
	ERR_clear_error();
	if (c && !c->failed && SSL_is_init_finished(ssl))
		SSL_shutdown(ssl);
	SSL_free(ssl);
	ERR_clear_error();
}

#ifdef SL_TLS_PLUGIN
/* The plugin's one exported symbol (httptls.h). */
__attribute__((visibility("default"))) const struct httptls_ops *sandlock_tls_ops(void)
{
	static const struct httptls_ops ops = {
	    .version = HTTPTLS_OPS_VERSION,
	    .load = httptls_load,
	    .ephemeral = httptls_ephemeral,
	    .free = httptls_free,
	    .ca_pem = httptls_ca_pem,
	    .bundle_with_ca = httptls_bundle_with_ca,
	    .server = httptls_server,
	    .sni = httptls_sni,
	    .client = httptls_client,
	    .set_upstream_ca = httptls_set_upstream_ca,
	    .error = httptls_error,
	    .handshake = httptls_handshake,
	    .read = httptls_read,
	    .write = httptls_write,
	    .close = httptls_close,
	    .last_error = sl_error_get,
	};
	return &ops;
}
#endif
