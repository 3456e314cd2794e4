/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httptls: real handshakes over socketpairs in one process (both ends
 * non-blocking, driven in turn), against clients and servers made here
 * with OpenSSL, and the CA files the tests write with it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "error.h"
#include "harness.h"
#include "httptls.h"

#define DAY (24 * 3600L)

static EVP_PKEY *new_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	CHECK(k != NULL);
	return k;
}

static void ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	CHECK(e != NULL);
	CHECK(X509_add_ext(x, e, -1) == 1);
	X509_EXTENSION_free(e);
}

/* A certificate for key, CN cn, valid from now+from to now+to seconds,
 * signed by issuer/ikey (self-signed when issuer is NULL); a CA when ca,
 * else with the SAN san (openssl.cnf syntax) when given. */
static X509 *new_cert(X509 *issuer, EVP_PKEY *ikey, EVP_PKEY *key, const char *cn, bool ca,
		      long from, long to, const char *san)
{
	static long serial = 1;
	X509 *x = X509_new();
	CHECK(x != NULL);
	CHECK(X509_set_version(x, X509_VERSION_3) == 1);
	CHECK(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++) == 1);
	CHECK(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
					 (const unsigned char *)cn, -1, -1, 0) == 1);
	CHECK(X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x)) == 1);
	CHECK(X509_gmtime_adj(X509_getm_notBefore(x), from) != NULL);
	CHECK(X509_gmtime_adj(X509_getm_notAfter(x), to) != NULL);
	CHECK(X509_set_pubkey(x, key) == 1);
	X509 *is = issuer ? issuer : x;
	if (ca) {
		ext(x, is, NID_basic_constraints, "critical,CA:TRUE");
		ext(x, is, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		ext(x, is, NID_basic_constraints, "CA:FALSE");
		if (san)
			ext(x, is, NID_subject_alt_name, san);
	}
	CHECK(X509_sign(x, issuer ? ikey : key, EVP_sha256()) > 0);
	return x;
}

/* Writes x and/or k as PEM to <tmpdir>/name; returns the path (malloc'd). */
static char *write_pem(const char *name, X509 *x, EVP_PKEY *k)
{
	char *path;
	CHECK(asprintf(&path, "%s/%s", th_tmpdir(), name) > 0);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (x)
		CHECK(PEM_write_X509(f, x) == 1);
	if (k)
		CHECK(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1);
	CHECK(fclose(f) == 0);
	return path;
}

static char *write_text(const char *name, const char *text)
{
	char *path;
	CHECK(asprintf(&path, "%s/%s", th_tmpdir(), name) > 0);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	CHECK(fputs(text, f) >= 0 || !*text);
	CHECK(fclose(f) == 0);
	return path;
}

static void pair(int fds[2])
{
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
}

/* A client context trusting only the certificates of pem. */
static SSL_CTX *client_trusting(const char *pem, size_t len)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());
	CHECK(c != NULL);
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	CHECK(x != NULL);
	CHECK(X509_STORE_add_cert(SSL_CTX_get_cert_store(c), x) == 1);
	X509_free(x);
	BIO_free(b);
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
	return c;
}

/* A client of ctx on fd: SNI sni (none when NULL), the name or address
 * it checks (host, ip), ALPN protocols alpn (wire format, none when
 * NULL). */
static SSL *client(SSL_CTX *ctx, int fd, const char *sni, const char *host, const char *ip,
		   const char *alpn)
{
	SSL *s = SSL_new(ctx);
	CHECK(s != NULL);
	CHECK(SSL_set_fd(s, fd) == 1);
	if (sni)
		CHECK(SSL_set_tlsext_host_name(s, sni) == 1);
	if (host)
		CHECK(SSL_set1_host(s, host) == 1);
	if (ip)
		CHECK(X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s), ip) == 1);
	if (alpn)
		CHECK(SSL_set_alpn_protos(s, (const unsigned char *)alpn, strlen(alpn)) == 0);
	SSL_set_connect_state(s);
	return s;
}

/* Both handshakes driven in turn until each completed or failed; true
 * when both completed.  A failure's reason (httptls_error, which also
 * empties the thread's error queue the two ends share) into why_a/why_b. */
static bool pump(SSL *a, SSL *b, char why_a[256], char why_b[256])
{
	SSL *s[2] = {a, b};
	char *why[2] = {why_a, why_b};
	int st[2] = {0, 0};
	why_a[0] = why_b[0] = 0;
	for (int round = 0, after = 0; round < 1000 && (!st[0] || !st[1]); round++) {
		for (int i = 0; i < 2; i++) {
			if (st[i])
				continue;
			ERR_clear_error();
			int r = SSL_do_handshake(s[i]);
			int e = r == 1 ? SSL_ERROR_NONE : SSL_get_error(s[i], r);
			if (r == 1) {
				st[i] = 1;
			} else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
				st[i] = -1;
				httptls_error(s[i], r, why[i], 256);
			}
		}
		if ((st[0] < 0 || st[1] < 0) && ++after > 10)
			break;
	}
	return st[0] == 1 && st[1] == 1;
}

/* The CA's PEM. */
static char *ca_pem(struct httptls *t, size_t *len)
{
	char *pem;
	CHECK_EQ(httptls_ca_pem(t, &pem, len), 0);
	CHECK_EQ(strlen(pem), *len);
	CHECK(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
	return pem;
}

/* True when x has the DNS name (or, ip, the address) in its SAN. */
static bool san_has(X509 *x, const char *name, bool ip)
{
	GENERAL_NAMES *g = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	bool found = false;
	for (int i = 0; g && i < sk_GENERAL_NAME_num(g); i++) {
		GENERAL_NAME *n = sk_GENERAL_NAME_value(g, i);
		if (!ip && n->type == GEN_DNS)
			found |=
			    strcmp((const char *)ASN1_STRING_get0_data(n->d.dNSName), name) == 0;
		if (ip && n->type == GEN_IPADD) {
			unsigned char a[16];
			int fam = strchr(name, ':') ? AF_INET6 : AF_INET;
			int alen = fam == AF_INET ? 4 : 16;
			CHECK(inet_pton(fam, name, a) == 1);
			found |=
			    ASN1_STRING_length(n->d.iPAddress) == alen &&
			    memcmp(ASN1_STRING_get0_data(n->d.iPAddress), a, (size_t)alen) == 0;
		}
	}
	GENERAL_NAMES_free(g);
	return found;
}

/* A handshake of a client trusting only t's CA with httptls_server:
 * sni/host (the name the client checks) or, without, the fallback
 * address ip.  Returns the leaf the client got (NULL when the handshake
 * failed, the reasons in why_c/why_s). */
static X509 *handshake(struct httptls *t, const char *sni, const char *ip, const char *alpn,
		       char why_c[256], char why_s[256], char sni_seen[256])
{
	size_t len;
	char *pem = ca_pem(t, &len);
	SSL_CTX *ctx = client_trusting(pem, len);
	int fds[2];
	pair(fds);
	SSL *c = client(ctx, fds[0], sni, sni, sni ? NULL : ip, alpn);
	SSL *s = httptls_server(t, fds[1], ip);
	CHECK(s != NULL);
	X509 *leaf = NULL;
	if (pump(c, s, why_c, why_s)) {
		CHECK_EQ(SSL_get_verify_result(c), X509_V_OK);
		leaf = SSL_get1_peer_certificate(c);
		CHECK(leaf != NULL);
		if (alpn) {
			const unsigned char *p;
			unsigned int plen;
			SSL_get0_alpn_selected(c, &p, &plen);
			CHECK(plen == 8 && memcmp(p, "http/1.1", 8) == 0);
		}
		const char *seen = httptls_sni(s);
		snprintf(sni_seen, 256, "%s", seen ? seen : "(none)");
	}
	SSL_free(c);
	httptls_close(s);
	SSL_CTX_free(ctx);
	close(fds[0]);
	close(fds[1]);
	free(pem);
	return leaf;
}

/* The leaf's fields as the header promises them. */
static void check_leaf(struct httptls *t, X509 *leaf, const char *name, bool ip)
{
	size_t len;
	char *pem = ca_pem(t, &len);
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *ca = PEM_read_bio_X509(b, NULL, NULL, NULL);
	CHECK(ca != NULL);
	CHECK(san_has(leaf, name, ip));
	CHECK_EQ(X509_get_version(leaf), X509_VERSION_3);
	CHECK(X509_NAME_cmp(X509_get_issuer_name(leaf), X509_get_subject_name(ca)) == 0);
	CHECK_EQ(X509_check_issued(ca, leaf), X509_V_OK);
	uint32_t fl = X509_get_extension_flags(leaf);
	CHECK(!(fl & EXFLAG_CA) && (fl & EXFLAG_BCONS));
	CHECK(X509_get_key_usage(leaf) == (KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
	CHECK(X509_get_extended_key_usage(leaf) == XKU_SSL_SERVER);
	CHECK(X509_get0_subject_key_id(leaf) != NULL && X509_get0_authority_key_id(leaf) != NULL);
	CHECK(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(leaf),
				    X509_get0_subject_key_id(ca)) == 0);
	const ASN1_INTEGER *sn = X509_get0_serialNumber(leaf);
	CHECK(sn->type == V_ASN1_INTEGER && sn->length >= 12 && sn->length <= 16);
	CHECK_EQ(X509_get_signature_nid(leaf), NID_ecdsa_with_SHA256);
	int days, secs;
	CHECK(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(leaf), NULL) == 1);
	CHECK(days == 0 && secs >= 3590 && secs <= 3610);
	CHECK(ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(leaf)) == 1);
	CHECK(ASN1_TIME_compare(X509_get0_notAfter(leaf), X509_get0_notAfter(ca)) <= 0);
	X509_NAME_ENTRY *e = X509_NAME_get_entry(X509_get_subject_name(leaf), 0);
	CHECK(e != NULL);
	CHECK_STR((const char *)ASN1_STRING_get0_data(X509_NAME_ENTRY_get_data(e)), name);
	X509_free(ca);
	BIO_free(b);
	free(pem);
}

TEST(httptls_ephemeral_ca)
{
	struct httptls *t;
	CHECK_EQ(httptls_ephemeral(&t), 0);
	size_t len;
	char *pem = ca_pem(t, &len);
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *ca = PEM_read_bio_X509(b, NULL, NULL, NULL);
	CHECK(ca != NULL);
	char cn[128];
	CHECK(X509_NAME_get_text_by_NID(X509_get_subject_name(ca), NID_commonName, cn, sizeof(cn)) >
	      0);
	CHECK(strncmp(cn, "sandlock ephemeral CA ", 22) == 0 && strlen(cn) == 30);
	CHECK_EQ(X509_check_ca(ca), 1);
	CHECK_EQ(X509_get_pathlen(ca), 0);
	CHECK(X509_get_key_usage(ca) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN));
	CHECK(X509_get0_subject_key_id(ca) != NULL);
	CHECK_EQ(X509_check_issued(ca, ca), X509_V_OK);
	int days, secs;
	CHECK(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(ca), X509_get0_notAfter(ca)) == 1);
	CHECK(days == 7 && secs == 0);
	CHECK_EQ(EVP_PKEY_get_id(X509_get0_pubkey(ca)), EVP_PKEY_EC);
	/* two are two CAs */
	struct httptls *t2;
	CHECK_EQ(httptls_ephemeral(&t2), 0);
	size_t len2;
	char *pem2 = ca_pem(t2, &len2);
	CHECK(strcmp(pem, pem2) != 0);
	free(pem2);
	httptls_free(t2);
	X509_free(ca);
	BIO_free(b);
	free(pem);
	httptls_free(t);
	httptls_free(NULL);
}

TEST(httptls_server_sni_leaf)
{
	struct httptls *t;
	char wc[256], ws[256], seen[256];
	CHECK_EQ(httptls_ephemeral(&t), 0);
	X509 *leaf = handshake(t, "example.test", "192.0.2.1", "\x08http/1.1", wc, ws, seen);
	if (!leaf)
		th_fail(__FILE__, __LINE__, "handshake: client '%s', server '%s'", wc, ws);
	CHECK_STR(seen, "example.test");
	check_leaf(t, leaf, "example.test", false);
	X509_free(leaf);
	/* the SNI lower-cased, a trailing dot dropped; no ALPN is fine too */
	SSL_CTX *ctx;
	size_t len;
	char *pem = ca_pem(t, &len);
	int fds[2];
	pair(fds);
	ctx = client_trusting(pem, len);
	SSL *c = client(ctx, fds[0], "WWW.Example.Test.", "www.example.test", NULL, NULL);
	SSL *s = httptls_server(t, fds[1], "192.0.2.1");
	CHECK(pump(c, s, wc, ws));
	CHECK_STR(httptls_sni(s), "www.example.test");
	SSL_free(c);
	httptls_close(s);
	SSL_CTX_free(ctx);
	free(pem);
	httptls_free(t);
}

TEST(httptls_server_no_sni_ip_leaf)
{
	struct httptls *t;
	char wc[256], ws[256], seen[256];
	CHECK_EQ(httptls_ephemeral(&t), 0);
	X509 *leaf = handshake(t, NULL, "192.0.2.7", NULL, wc, ws, seen);
	if (!leaf)
		th_fail(__FILE__, __LINE__, "handshake: client '%s', server '%s'", wc, ws);
	CHECK_STR(seen, "(none)");
	check_leaf(t, leaf, "192.0.2.7", true);
	X509_free(leaf);
	leaf = handshake(t, NULL, "2001:db8:0::1", NULL, wc, ws, seen);
	if (!leaf)
		th_fail(__FILE__, __LINE__, "handshake: client '%s', server '%s'", wc, ws);
	check_leaf(t, leaf, "2001:db8::1", true);
	X509_free(leaf);
	/* no SNI and no address: refused */
	CHECK(handshake(t, NULL, NULL, NULL, wc, ws, seen) == NULL);
	CHECK_CONTAINS(ws, "no SNI");
	/* an address that is none */
	int fds[2];
	pair(fds);
	CHECK(httptls_server(t, fds[1], "example.test") == NULL);
	CHECK_CONTAINS(sl_error_get(), "'example.test' is not an IP address");
	close(fds[0]);
	close(fds[1]);
	httptls_free(t);
}

TEST(httptls_server_bad_sni)
{
	struct httptls *t;
	char wc[256], ws[256], seen[256], longname[300], longlabel[80];
	CHECK_EQ(httptls_ephemeral(&t), 0);
	/* 254 bytes of labels (an OpenSSL client sends at most 255) */
	memset(longname, 0, sizeof(longname));
	for (int i = 0; i < 254; i++)
		longname[i] = i % 50 == 49 ? '.' : 'a';
	memset(longlabel, 0, sizeof(longlabel));
	memset(longlabel, 'b', 64);
	strcat(longlabel, ".test");
	const char *bad[] = {"a..b",	 "1.2.3.4",  "10",    "www.0x7f", longname, longlabel,
			     "a_b.test", "a b.test", ".test", "test..",	  "::1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		X509 *leaf = handshake(t, bad[i], "192.0.2.1", NULL, wc, ws, seen);
		if (leaf)
			th_fail(__FILE__, __LINE__, "SNI '%s' accepted", bad[i]);
		CHECK_CONTAINS(ws, "is not a DNS name");
		CHECK_CONTAINS(wc, "unrecognized name");
	}
	/* the limits themselves pass: 253 bytes, a 63-byte label */
	longname[253] = 0;
	longlabel[63] = 0;
	strcat(longlabel, ".test");
	const char *good[] = {longname, longlabel, "xn--bcher-kva.test", "a-b.c0"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		X509 *leaf = handshake(t, good[i], "192.0.2.1", NULL, wc, ws, seen);
		if (!leaf)
			th_fail(__FILE__, __LINE__, "SNI '%s': client '%s', server '%s'", good[i],
				wc, ws);
		CHECK(san_has(leaf, good[i], false));
		X509_free(leaf);
	}
	httptls_free(t);
}

TEST(httptls_server_leaf_cache)
{
	struct httptls *t;
	char wc[256], ws[256], seen[256];
	CHECK_EQ(httptls_ephemeral(&t), 0);
	X509 *a = handshake(t, "example.test", "192.0.2.1", NULL, wc, ws, seen);
	X509 *b = handshake(t, "example.test", "192.0.2.2", NULL, wc, ws, seen);
	X509 *c = handshake(t, "other.test", "192.0.2.1", NULL, wc, ws, seen);
	CHECK(a && b && c);
	CHECK_EQ(X509_cmp(a, b), 0);
	CHECK(X509_cmp(a, c) != 0);
	CHECK(ASN1_INTEGER_cmp(X509_get0_serialNumber(a), X509_get0_serialNumber(c)) != 0);
	/* one key for all the leaves */
	CHECK_EQ(EVP_PKEY_eq(X509_get0_pubkey(a), X509_get0_pubkey(c)), 1);
	X509_free(a);
	X509_free(b);
	X509_free(c);
	httptls_free(t);
}

/* A full cache drops the leaf used least recently. */
TEST(httptls_server_leaf_cache_full)
{
	struct httptls *t;
	char wc[256], ws[256], seen[256], name[32];
	th_skip_under_valgrind("a thousand handshakes");
	CHECK_EQ(httptls_ephemeral(&t), 0);
	X509 *first = NULL, *second = NULL, *x;
	for (int i = 0; i < HTTPTLS_CACHE_MAX; i++) {
		snprintf(name, sizeof(name), "n%d.test", i);
		x = handshake(t, name, "192.0.2.1", NULL, wc, ws, seen);
		CHECK(x != NULL);
		if (i == 0)
			first = x;
		else if (i == 1)
			second = x;
		else
			X509_free(x);
	}
	/* n0 used again: n1 is now the oldest, and gives way to one more */
	x = handshake(t, "n0.test", "192.0.2.1", NULL, wc, ws, seen);
	CHECK(x && X509_cmp(x, first) == 0);
	X509_free(x);
	x = handshake(t, "more.test", "192.0.2.1", NULL, wc, ws, seen);
	X509_free(x);
	x = handshake(t, "n0.test", "192.0.2.1", NULL, wc, ws, seen);
	CHECK(x && X509_cmp(x, first) == 0);
	X509_free(x);
	x = handshake(t, "n1.test", "192.0.2.1", NULL, wc, ws, seen);
	CHECK(x && X509_cmp(x, second) != 0);
	CHECK(san_has(x, "n1.test", false));
	X509_free(x);
	X509_free(first);
	X509_free(second);
	httptls_free(t);
}

TEST(httptls_server_alpn)
{
	struct httptls *t;
	char wc[256], ws[256], seen[256];
	CHECK_EQ(httptls_ephemeral(&t), 0);
	CHECK(handshake(t, "example.test", "192.0.2.1", "\x02h2", wc, ws, seen) == NULL);
	CHECK_CONTAINS(ws, "ALPN without http/1.1");
	CHECK_CONTAINS(wc, "no application protocol");
	X509 *leaf = handshake(t, "example.test", "192.0.2.1", "\x02h2\x08http/1.1", wc, ws, seen);
	CHECK(leaf != NULL);
	X509_free(leaf);
	httptls_free(t);
}

/* A CA, its key, written to files; and the leaf the handshake mints. */
TEST(httptls_load_from_files)
{
	EVP_PKEY *k = new_key();
	X509 *ca = new_cert(NULL, NULL, k, "test CA", true, -DAY, 30 * DAY, NULL);
	char *cp = write_pem("ca.pem", ca, NULL), *kp = write_pem("ca.key", NULL, k);
	char *both = write_pem("both.pem", ca, k);
	struct httptls *t;
	char wc[256], ws[256], seen[256];
	CHECK_EQ(httptls_load(&t, cp, kp), 0);
	X509 *leaf = handshake(t, "example.test", "192.0.2.1", NULL, wc, ws, seen);
	if (!leaf)
		th_fail(__FILE__, __LINE__, "handshake: client '%s', server '%s'", wc, ws);
	CHECK(san_has(leaf, "example.test", false));
	/* the leaf ends with the CA (30 days from now either way: not after it) */
	CHECK(ASN1_TIME_compare(X509_get0_notAfter(leaf), X509_get0_notAfter(ca)) <= 0);
	/* openssl verify agrees, when the tool is there */
	char *lp = write_pem("leaf.pem", leaf, NULL);
	if (access("/usr/bin/openssl", X_OK) == 0) {
		char *argv[] = {"/usr/bin/openssl", "verify",	    "-CAfile", cp,
				"-verify_hostname", "example.test", lp,	       NULL};
		char *out = NULL, *err = NULL;
		int st = th_run(argv, NULL, &out, &err);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			th_fail(__FILE__, __LINE__, "openssl verify: %s %s", out, err);
		CHECK_CONTAINS(out, ": OK");
		free(out);
		free(err);
	}
	X509_free(leaf);
	httptls_free(t);
	/* one file holding both */
	CHECK_EQ(httptls_load(&t, both, both), 0);
	httptls_free(t);
	free(cp);
	free(kp);
	free(lp);
	free(both);
	X509_free(ca);
	EVP_PKEY_free(k);
}

static void refused(const char *ca, const char *key, int err, const char *msg)
{
	struct httptls *t = (struct httptls *)1;
	sl_error_clear();
	CHECK_EQ(httptls_load(&t, ca, key), -err);
	CHECK(t == NULL);
	CHECK_CONTAINS(sl_error_get(), msg);
	CHECK_EQ(ERR_peek_error(), 0);
}

TEST(httptls_load_refusals)
{
	EVP_PKEY *k = new_key(), *k2 = new_key();
	X509 *ca = new_cert(NULL, NULL, k, "test CA", true, -DAY, 30 * DAY, NULL);
	X509 *leaf = new_cert(NULL, NULL, k, "not a CA", false, -DAY, 30 * DAY, NULL);
	X509 *old = new_cert(NULL, NULL, k, "old CA", true, -30 * DAY, -DAY, NULL);
	X509 *young = new_cert(NULL, NULL, k, "young CA", true, DAY, 30 * DAY, NULL);
	char *cp = write_pem("ca.pem", ca, NULL), *kp = write_pem("ca.key", NULL, k);
	char *k2p = write_pem("other.key", NULL, k2), *lp = write_pem("leaf.pem", leaf, NULL);
	char *op = write_pem("old.pem", old, NULL), *yp = write_pem("young.pem", young, NULL);
	char *junk = write_text("junk", "hello\n"), *missing;
	CHECK(asprintf(&missing, "%s/missing.pem", th_tmpdir()) > 0);
	char want[512];
	snprintf(want, sizeof(want), "http_ca: cannot read '%s': No such file or directory",
		 missing);
	refused(missing, kp, ENOENT, want);
	snprintf(want, sizeof(want), "http_key: cannot read '%s': No such file or directory",
		 missing);
	refused(cp, missing, ENOENT, want);
	snprintf(want, sizeof(want), "http_ca: cannot read '%s': Is a directory", th_tmpdir());
	refused(th_tmpdir(), kp, EISDIR, want);
	snprintf(want, sizeof(want), "http_ca: '%s' holds no PEM certificate", junk);
	refused(junk, kp, EINVAL, want);
	refused(kp, kp, EINVAL, "holds no PEM certificate");
	snprintf(want, sizeof(want), "http_key: '%s' holds no PEM private key", junk);
	refused(cp, junk, EINVAL, want);
	refused(cp, cp, EINVAL, "http_key: ");
	refused(cp, k2p, EINVAL, "http_key: the key does not match the certificate of http_ca");
	snprintf(want, sizeof(want), "http_ca: '%s' is not a CA certificate", lp);
	refused(lp, kp, EINVAL, want);
	refused(lp, kp, EINVAL, "basicConstraints CA:TRUE required");
	snprintf(want, sizeof(want), "http_ca: '%s' expired on ", op);
	refused(op, kp, EINVAL, want);
	snprintf(want, sizeof(want), "http_ca: '%s' is not valid before ", yp);
	refused(yp, kp, EINVAL, want);
	/* an encrypted key: refused, nothing asked */
	char *ep;
	CHECK(asprintf(&ep, "%s/enc.key", th_tmpdir()) > 0);
	FILE *f = fopen(ep, "w");
	CHECK(f != NULL);
	CHECK(PEM_write_PKCS8PrivateKey(f, k, EVP_aes_128_cbc(), "secret", 6, NULL, NULL) == 1);
	fclose(f);
	refused(cp, ep, EINVAL, "an encrypted key is not supported");
	free(ep);
	free(cp);
	free(kp);
	free(k2p);
	free(lp);
	free(op);
	free(yp);
	free(junk);
	free(missing);
	X509_free(ca);
	X509_free(leaf);
	X509_free(old);
	X509_free(young);
	EVP_PKEY_free(k);
	EVP_PKEY_free(k2);
}

TEST(httptls_bundle_with_ca)
{
	struct httptls *t;
	CHECK_EQ(httptls_ephemeral(&t), 0);
	size_t plen, len;
	char *pem = ca_pem(t, &plen), *out, want[8192];
	const char *bodies[] = {"A\nB\n", "A\nB", ""};
	const char *expect[] = {"A\nB\n", "A\nB\n", ""};
	for (int i = 0; i < 3; i++) {
		char name[32];
		snprintf(name, sizeof(name), "bundle%d", i);
		char *p = write_text(name, bodies[i]);
		CHECK_EQ(httptls_bundle_with_ca(t, p, &out, &len), 0);
		snprintf(want, sizeof(want), "%s%s", expect[i], pem);
		CHECK_STR(out, want);
		CHECK_EQ(len, strlen(want));
		free(out);
		free(p);
	}
	char *missing;
	CHECK(asprintf(&missing, "%s/nope", th_tmpdir()) > 0);
	CHECK_EQ(httptls_bundle_with_ca(t, missing, &out, &len), -ENOENT);
	snprintf(want, sizeof(want), "http_inject_ca: cannot read '%s': No such file or directory",
		 missing);
	CHECK_STR(sl_error_get(), want);
	free(missing);
	free(pem);
	httptls_free(t);
}

/* A plain OpenSSL server on fd with the certificate x and its key. */
static SSL *server(SSL_CTX **ctx, int fd, X509 *x, EVP_PKEY *k)
{
	*ctx = SSL_CTX_new(TLS_server_method());
	CHECK(*ctx != NULL);
	CHECK(SSL_CTX_use_certificate(*ctx, x) == 1);
	CHECK(SSL_CTX_use_PrivateKey(*ctx, k) == 1);
	SSL *s = SSL_new(*ctx);
	CHECK(s != NULL);
	CHECK(SSL_set_fd(s, fd) == 1);
	SSL_set_accept_state(s);
	return s;
}

/* httptls_client for host against a server showing x; true when the
 * handshake completed, the client's reason in why. */
static bool upstream(struct httptls *t, const char *host, X509 *x, EVP_PKEY *k, char why[256])
{
	SSL_CTX *ctx;
	char ws[256];
	int fds[2];
	pair(fds);
	SSL *c = httptls_client(t, fds[0], host);
	CHECK(c != NULL);
	SSL *s = server(&ctx, fds[1], x, k);
	bool ok = pump(c, s, why, ws);
	httptls_close(c);
	SSL_free(s);
	SSL_CTX_free(ctx);
	close(fds[0]);
	close(fds[1]);
	return ok;
}

TEST(httptls_client_verifies)
{
	EVP_PKEY *cak = new_key(), *otherk = new_key(), *k = new_key();
	X509 *ca = new_cert(NULL, NULL, cak, "upstream CA", true, -DAY, 30 * DAY, NULL);
	X509 *other = new_cert(NULL, NULL, otherk, "other CA", true, -DAY, 30 * DAY, NULL);
	X509 *srv = new_cert(ca, cak, k, "example.test", false, -DAY, 10 * DAY,
			     "DNS:example.test,IP:127.0.0.1");
	char *cap = write_pem("ca.pem", ca, NULL), *otherp = write_pem("other.pem", other, NULL);
	char why[256];
	struct httptls *t;
	CHECK_EQ(httptls_ephemeral(&t), 0);
	/* the system's store knows no such CA */
	CHECK(!upstream(t, "example.test", srv, k, why));
	CHECK_CONTAINS(why, "the certificate of 'example.test' failed verification: ");
	CHECK_CONTAINS(why, "unable to get local issuer certificate");
	/* another CA: refused */
	CHECK_EQ(httptls_set_upstream_ca(t, otherp), 0);
	CHECK(!upstream(t, "example.test", srv, k, why));
	CHECK_CONTAINS(why, "unable to get local issuer certificate");
	/* the CA that signed it */
	CHECK_EQ(httptls_set_upstream_ca(t, cap), 0);
	if (!upstream(t, "example.test", srv, k, why))
		th_fail(__FILE__, __LINE__, "client handshake: %s", why);
	CHECK(upstream(t, "Example.Test", srv, k, why));
	CHECK(upstream(t, "127.0.0.1", srv, k, why));
	/* the wrong name, the wrong address */
	CHECK(!upstream(t, "other.test", srv, k, why));
	CHECK_CONTAINS(why, "'other.test' failed verification: hostname mismatch");
	CHECK(!upstream(t, "127.0.0.2", srv, k, why));
	CHECK_CONTAINS(why, "IP address mismatch");
	/* names it refuses to use */
	int fds[2];
	pair(fds);
	CHECK(httptls_client(t, fds[0], "a..b") == NULL);
	CHECK_CONTAINS(sl_error_get(), "neither a DNS name nor an IP address");
	close(fds[0]);
	close(fds[1]);
	/* upstream CA files it refuses */
	CHECK_EQ(httptls_set_upstream_ca(t, "/nonexistent/ca.pem"), -ENOENT);
	CHECK_CONTAINS(sl_error_get(), "cannot read '/nonexistent/ca.pem'");
	char *junk = write_text("junk", "junk\n");
	CHECK_EQ(httptls_set_upstream_ca(t, junk), -EINVAL);
	CHECK_CONTAINS(sl_error_get(), "holds no PEM certificate");
	/* ... and keeps the one it had */
	CHECK(upstream(t, "example.test", srv, k, why));
	free(junk);
	httptls_free(t);
	free(cap);
	free(otherp);
	X509_free(ca);
	X509_free(other);
	X509_free(srv);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(otherk);
	EVP_PKEY_free(k);
}

/* Waits for events on fd (the peer works in another process). */
static void wait_fd(int fd, short events)
{
	struct pollfd p = {.fd = fd, .events = events};
	CHECK(poll(&p, 1, 10000) == 1);
}

/* The proxy's whole path through the wrappers: the interception server
 * for a client, the client towards an upstream server (both in a child
 * process), data both ways, close_notify. */
TEST(httptls_wrappers_relay)
{
	struct httptls *proxy, *up;
	CHECK_EQ(httptls_ephemeral(&proxy), 0);
	CHECK_EQ(httptls_ephemeral(&up), 0);
	size_t len;
	char *pem = ca_pem(up, &len);
	char *upca = write_text("up.pem", pem);
	free(pem);
	CHECK_EQ(httptls_set_upstream_ca(proxy, upca), 0);
	int a[2], b[2];
	pair(a); /* the sandbox's client <-> the proxy's server side */
	pair(b); /* the proxy's client side <-> the upstream server */
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		/* the sandbox's client and the upstream server, driven here */
		pem = ca_pem(proxy, &len);
		SSL_CTX *ctx = client_trusting(pem, len);
		free(pem);
		SSL *c = client(ctx, a[0], "example.test", "example.test", NULL, "\x08http/1.1");
		SSL *s = httptls_server(up, b[1], "127.0.0.1");
		char buf[64];
		short ev;
		int r;
		while ((r = SSL_connect(c)) != 1) {
			if (SSL_get_error(c, r) != SSL_ERROR_WANT_READ)
				_exit(2);
			wait_fd(a[0], POLLIN);
		}
		while ((r = httptls_handshake(s, &ev)) == -EAGAIN)
			wait_fd(b[1], ev);
		if (r != 0)
			_exit(3);
		if (SSL_write(c, "GET / HTTP/1.1\r\n\r\n", 18) != 18)
			_exit(4);
		ssize_t n;
		while ((n = httptls_read(s, buf, sizeof(buf), &ev)) == -EAGAIN)
			wait_fd(b[1], ev);
		if (n != 18 || memcmp(buf, "GET / HTTP/1.1\r\n\r\n", 18) != 0)
			_exit(5);
		if (httptls_write(s, "HTTP/1.1 204 \r\n\r\n", 17, &ev) != 17)
			_exit(6);
		while ((r = SSL_read(c, buf, sizeof(buf))) <= 0) {
			if (SSL_get_error(c, r) != SSL_ERROR_WANT_READ)
				_exit(7);
			wait_fd(a[0], POLLIN);
		}
		if (r != 17)
			_exit(8);
		httptls_close(s);
		SSL_shutdown(c);
		_exit(0);
	}
	SSL *s = httptls_server(proxy, a[1], "192.0.2.1");
	SSL *c = httptls_client(proxy, b[0], "example.test");
	CHECK(s && c);
	char buf[64];
	short ev;
	int r;
	while ((r = httptls_handshake(s, &ev)) == -EAGAIN)
		wait_fd(a[1], ev);
	CHECK_EQ(r, 0);
	CHECK_STR(httptls_sni(s), "example.test");
	while ((r = httptls_handshake(c, &ev)) == -EAGAIN)
		wait_fd(b[0], ev);
	if (r != 0)
		th_fail(__FILE__, __LINE__, "client handshake: %s", sl_error_get());
	CHECK(httptls_sni(c) == NULL);
	ssize_t n;
	while ((n = httptls_read(s, buf, sizeof(buf), &ev)) == -EAGAIN)
		wait_fd(a[1], ev);
	CHECK_EQ(n, 18);
	CHECK_EQ(httptls_write(c, buf, (size_t)n, &ev), 18);
	while ((n = httptls_read(c, buf, sizeof(buf), &ev)) == -EAGAIN)
		wait_fd(b[0], ev);
	CHECK_EQ(n, 17);
	CHECK_EQ(httptls_write(s, buf, (size_t)n, &ev), 17);
	/* the upstream's close_notify: 0 */
	while ((r = (int)httptls_read(c, buf, sizeof(buf), &ev)) == -EAGAIN)
		wait_fd(b[0], ev);
	CHECK_EQ(r, 0);
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	/* the client is gone without close_notify? it sent one: 0 again */
	while ((r = (int)httptls_read(s, buf, sizeof(buf), &ev)) == -EAGAIN)
		wait_fd(a[1], ev);
	CHECK(r == 0 || r == -EPIPE);
	httptls_close(s);
	httptls_close(c);
	httptls_close(NULL);
	free(upca);
	httptls_free(proxy);
	httptls_free(up);
}

/* A peer gone: EPIPE, never SIGPIPE (its default action would end the
 * test), and an EOF without close_notify read as -EPIPE. */
TEST(httptls_peer_gone)
{
	struct httptls *t;
	char wc[256], ws[256], buf[16];
	short ev;
	CHECK_EQ(httptls_ephemeral(&t), 0);
	size_t len;
	char *pem = ca_pem(t, &len);
	SSL_CTX *ctx = client_trusting(pem, len);
	for (int round = 0; round < 2; round++) {
		int fds[2];
		pair(fds);
		SSL *c = client(ctx, fds[0], "example.test", "example.test", NULL, NULL);
		SSL *s = httptls_server(t, fds[1], "192.0.2.1");
		CHECK(pump(c, s, wc, ws));
		SSL_free(c);
		close(fds[0]);
		ssize_t r = round == 0 ? httptls_write(s, "x", 1, &ev)
				       : httptls_read(s, buf, sizeof(buf), &ev);
		if (r != -EPIPE)
			th_fail(__FILE__, __LINE__, "round %d: %zd, %s", round, r, sl_error_get());
		char why[256];
		httptls_error(s, -1, why, sizeof(why));
		CHECK(why[0] != 0);
		CHECK_CONTAINS(why, round == 0 ? "Broken pipe" : "unexpected eof");
		CHECK_EQ(ERR_peek_error(), 0);
		httptls_close(s);
		close(fds[1]);
	}
	SSL_CTX_free(ctx);
	free(pem);
	httptls_free(t);
}
