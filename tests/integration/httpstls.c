/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpstls.c - HTTPS through the HTTP ACL proxy: TLS terminated with a
 * leaf the given CA signs, the rules applied to the decrypted requests,
 * the upstream verified against the trust store (here the test's own
 * upstream CA, through SSL_CERT_FILE, which OpenSSL's default paths
 * honour), SNI against Host, and an upstream whose certificate no trusted
 * CA signed refused.  The certificates are made by the openssl command
 * in the test's directory; the server is Python's, on loopback; the
 * client curl, trusting only the interception CA.
 */
#include "common.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static const char server_py[] =
    "import ssl,sys,http.server\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    protocol_version='HTTP/1.1'\n"
    "    def do_any(self):\n"
    "        n=int(self.headers.get('Content-Length') or 0); self.rfile.read(n)\n"
    "        if self.path.startswith('/redirect'):\n"
    "            loc=sys.argv[3].replace('{port}',str(self.server.server_address[1]))\n"
    "            self.send_response(302); self.send_header('Location', loc)\n"
    "            self.send_header('Content-Length','0'); self.end_headers(); return\n"
    "        b=('%s %s host=%s auth=%s "
    "x-key=%s\\n'%(self.command,self.path,self.headers.get('Host'),"
    "self.headers.get('Authorization','-'),self.headers.get('X-Key','-'))).encode()\n"
    "        self.send_response(200); self.send_header('Content-Length',str(len(b)))\n"
    "        self.end_headers(); self.wfile.write(b)\n"
    "    do_GET=do_POST=do_PUT=do_DELETE=do_any\n"
    "    def log_message(self,*a): pass\n"
    "s=http.server.ThreadingHTTPServer(('127.0.0.1',0),H)\n"
    "c=ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(sys.argv[1],sys.argv[2])\n"
    "s.socket=c.wrap_socket(s.socket,server_side=True)\n"
    "print(s.server_address[1],flush=True)\n"
    "s.serve_forever()\n";

static void sh(const char *cmd)
{
	char *out = NULL, *err = NULL;
	char *const argv[] = {"/bin/sh", "-c", (char *)cmd, NULL};
	int st = th_run(argv, NULL, &out, &err);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		th_fail(__FILE__, __LINE__, "%s: %s", cmd, err ? err : "");
}

/* A CA (NAME.pem, NAME.key) in dir. */
static void make_ca(const char *dir, const char *name)
{
	sh(tc_fmt("cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		  "-keyout %s.key -out %s.pem -days 2 -subj /CN=%s "
		  "-addext basicConstraints=critical,CA:TRUE "
		  "-addext keyUsage=critical,keyCertSign,cRLSign",
		  dir, name, name, name));
}

/* A server certificate NAME.pem/NAME.key for localhost and 127.0.0.1,
 * signed by the CA ca. */
static void make_leaf(const char *dir, const char *name, const char *ca)
{
	sh(tc_fmt(
	    "cd %s && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > %s.ext && "
	    "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout %s.key "
	    "-out %s.csr -subj /CN=localhost && "
	    "openssl x509 -req -in %s.csr -CA %s.pem -CAkey %s.key -CAcreateserial -out %s.pem "
	    "-days 2 -extfile %s.ext",
	    dir, name, name, name, name, ca, ca, name, name));
}

struct pysrv {
	pid_t pid;
	unsigned port;
};

static struct pysrv py_start(const char *dir, const char *leaf, const char *redirect)
{
	if (!tc_exists("/usr/bin/python3"))
		SKIP("no /usr/bin/python3");
	int p[2];
	CHECK(pipe(p) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(p[1], 1);
		close(p[0]);
		execl("/usr/bin/python3", "python3", "-c", server_py,
		      tc_path(dir, tc_fmt("%s.pem", leaf)), tc_path(dir, tc_fmt("%s.key", leaf)),
		      redirect ? redirect : "", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char buf[32] = "";
	/* the read end stays open: the server's stdout, for as long as it runs */
	ssize_t n = read(p[0], buf, sizeof(buf) - 1);
	if (n <= 0)
		th_fail(__FILE__, __LINE__, "the test's HTTPS server did not start");
	return (struct pysrv){pid, (unsigned)atoi(buf)};
}

static void py_stop(struct pysrv *s)
{
	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
}

/* The test's certificates: the interception CA (ca), the upstream CA
 * (up) the supervisor trusts, a server leaf it signed (srv), and one a
 * stranger signed (bad). */
static const char *pki(void)
{
	if (!tc_exists("/usr/bin/openssl") || !tc_exists("/usr/bin/curl"))
		SKIP("needs /usr/bin/openssl and /usr/bin/curl");
	const char *d = tc_mkdir("pki");
	make_ca(d, "ca");
	make_ca(d, "up");
	make_ca(d, "stranger");
	make_leaf(d, "srv", "up");
	make_leaf(d, "bad", "stranger");
	/* the supervisor is this process: OpenSSL's default trust store is
	 * the file SSL_CERT_FILE names */
	setenv("SSL_CERT_FILE", tc_path(d, "up.pem"), 1);
	return d;
}

/* curl in a sandbox intercepting port with the CA of dir, trusting only
 * that CA; extra CLI options before "--" in opt (NULL-terminated). */
static int curl(char **out, const char *dir, unsigned port, const char *rule, const char *url,
		const char *extra)
{
	char *err = NULL;
	int st = tc_cli_run(out, &err, "-r", "/usr", "-r", "/lib", "-r", "/etc", "-r",
			    tc_path(dir, "ca.pem"), "--http-port", tc_itoa(port), "--http-ca",
			    tc_path(dir, "ca.pem"), "--http-key", tc_path(dir, "ca.key"),
			    "--http-allow", rule, "--", "/usr/bin/curl", "-4", "-sS", "--cacert",
			    tc_path(dir, "ca.pem"), "-H", extra ? extra : "X-Test: 1", url, NULL);
	if (st != 0 && err)
		fprintf(stderr, "curl: %s\n", err);
	return st;
}

/* Allowed and denied requests over TLS: the client trusts the
 * interception CA only, and sees the server's answer or the 403. */
TEST(https_rules_on_decrypted_requests)
{
	const char *d = pki();
	struct pysrv s = py_start(d, "srv", NULL);
	char *out = NULL;
	CHECK_EQ(curl(&out, d, s.port, "GET localhost/ok/*",
		      tc_fmt("https://localhost:%u/ok/x", s.port), NULL),
		 0);
	if (strstr(out, tc_fmt("GET /ok/x host=localhost:%u", s.port)) != out)
		th_fail(__FILE__, __LINE__, "got: %s", out);
	CHECK_EQ(curl(&out, d, s.port, "GET localhost/ok/*",
		      tc_fmt("https://localhost:%u/admin", s.port), NULL),
		 0);
	CHECK(strstr(out, "Blocked by sandlock HTTP ACL policy") == out);
	py_stop(&s);
}

/* The Host of a TLS request must be the name its handshake gave. */
TEST(https_host_must_match_sni)
{
	const char *d = pki();
	struct pysrv s = py_start(d, "srv", NULL);
	char *out = NULL;
	CHECK_EQ(curl(&out, d, s.port, "GET */*", tc_fmt("https://localhost:%u/", s.port),
		      "Host: 127.0.0.1"),
		 0);
	CHECK(strstr(out, "is not the TLS server name") != NULL);
	py_stop(&s);
}

/* An upstream whose certificate no trusted CA signed is refused (502),
 * never passed on with the interception CA's blessing. */
TEST(https_untrusted_upstream_refused)
{
	const char *d = pki();
	struct pysrv s = py_start(d, "bad", NULL);
	char *out = NULL;
	CHECK_EQ(curl(&out, d, s.port, "GET */*", tc_fmt("https://localhost:%u/", s.port), NULL),
		 0);
	CHECK(strstr(out, "Bad gateway: TLS to localhost") == out);
	CHECK(strstr(out, "certificate") != NULL);
	py_stop(&s);
}

/* A key that is not the CA's fails the start, naming it. */
TEST(https_ca_key_mismatch_refused)
{
	const char *d = pki();
	char *out = NULL, *err = NULL;
	int st = tc_cli_run(&out, &err, "-r", "/usr", "--http-allow", "GET */*", "--http-ca",
			    tc_path(d, "ca.pem"), "--http-key", tc_path(d, "up.key"), "--",
			    "/usr/bin/true", NULL);
	CHECK(st != 0);
	CHECK(strstr(err, "does not match") != NULL);
}

/* A credential goes to its host, over TLS, and to no other: not after a
 * redirect to another origin, not to a host the client names while
 * connected elsewhere; the sandbox never sees it (its variable holds a
 * placeholder). */
TEST(https_credential_for_its_host_only)
{
	const char *d = pki();
	struct pysrv s = py_start(d, "srv", "https://127.0.0.1:{port}/after");
	setenv("SL_TEST_TOKEN", "s3cret-token-42", 1);
	const char *common[] = {"-r",
				"/usr",
				"-r",
				"/lib",
				"-r",
				"/etc",
				"-r",
				tc_path(d, "ca.pem"),
				"--http-port",
				tc_itoa(s.port),
				"--http-ca",
				tc_path(d, "ca.pem"),
				"--http-key",
				tc_path(d, "ca.key"),
				"--http-allow",
				"GET */*",
				"--credential",
				"tok=env:SL_TEST_TOKEN",
				"--http-auth",
				"localhost=tok",
				"--"};
	char *out = NULL, *err = NULL;
#define RUN(...)                                                                                   \
	tc_cli_run(&out, &err, common[0], common[1], common[2], common[3], common[4], common[5],   \
		   common[6], common[7], common[8], common[9], common[10], common[11], common[12], \
		   common[13], common[14], common[15], common[16], common[17], common[18],         \
		   common[19], common[20], __VA_ARGS__, NULL)
	const char *ca = tc_path(d, "ca.pem");
	CHECK_EQ(RUN("/usr/bin/curl", "-4", "-sS", "--cacert", ca,
		     tc_fmt("https://localhost:%u/x", s.port)),
		 0);
	if (!strstr(out, "auth=Bearer s3cret-token-42"))
		th_fail(__FILE__, __LINE__, "no credential: %s", out);
	/* redirected to another origin: the request there carries none */
	CHECK_EQ(RUN("/usr/bin/curl", "-4", "-sSL", "--cacert", ca,
		     tc_fmt("https://localhost:%u/redirect", s.port)),
		 0);
	if (!strstr(out, "GET /after host=127.0.0.1") || strstr(out, "s3cret"))
		th_fail(__FILE__, __LINE__, "after the redirect: %s", out);
	/* the host named while connected to the address alone: refused */
	CHECK_EQ(RUN("/usr/bin/curl", "-4", "-sS", "--cacert", ca, "-H", "Host: localhost",
		     tc_fmt("https://127.0.0.1:%u/x", s.port)),
		 0);
	CHECK(strstr(out, "Blocked by sandlock") == out);
	/* inside, the variable is a placeholder */
	CHECK_EQ(RUN("/usr/bin/env"), 0);
	CHECK(strstr(out, "SL_TEST_TOKEN=sandlock-credential:tok\n") != NULL);
	CHECK(strstr(out, "s3cret") == NULL);
#undef RUN
	py_stop(&s);
}

/* --http-inject-ca: the sandbox sees the named bundle with the ephemeral
 * CA appended, so a client using that bundle trusts the proxy without
 * being told; the file on the host is untouched.  --http-ca-out writes
 * the certificate, never the key. */
TEST(https_inject_ca_and_ca_out)
{
	const char *d = pki();
	struct pysrv s = py_start(d, "srv", NULL);
	/* a bundle of the test's: one CA unrelated to the proxy */
	const char *bundle = tc_path(d, "bundle.pem");
	tc_write_file(bundle, tc_read_file(tc_path(d, "stranger.pem")), 0644);
	const char *before = tc_read_file(bundle);
	const char *caout = tc_path(d, "out-ca.pem");
	char *out = NULL, *err = NULL;
	int st =
	    tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/etc", "-r", d, "--http-port",
		       tc_itoa(s.port), "--http-allow", "GET */*", "--http-inject-ca", bundle,
		       "--http-ca-out", caout, "--", "/usr/bin/curl", "-4", "-sS", "--cacert",
		       bundle, tc_fmt("https://localhost:%u/in", s.port), NULL);
	if (st != 0 || !strstr(out, "GET /in host=localhost"))
		th_fail(__FILE__, __LINE__, "curl with the bundle: %d %s %s", st, out, err);
	CHECK_STR(tc_read_file(bundle), before);
	const char *pem = tc_read_file(caout);
	CHECK(strstr(pem, "BEGIN CERTIFICATE") != NULL);
	CHECK(strstr(pem, "PRIVATE KEY") == NULL);
	/* without the injection the same bundle does not trust the proxy */
	st = tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/etc", "-r", d,
			"--http-port", tc_itoa(s.port), "--http-allow", "GET */*", "--http-ca-out",
			caout, "--", "/usr/bin/curl", "-4", "-sS", "--cacert", bundle,
			tc_fmt("https://localhost:%u/in", s.port), NULL);
	CHECK(st != 0);
	/* ... and the certificate written out is what to trust instead */
	st = tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/etc", "-r", d,
			"--http-port", tc_itoa(s.port), "--http-allow", "GET */*", "--http-ca-out",
			caout, "--", "/usr/bin/curl", "-4", "-sS", "--cacert", caout,
			tc_fmt("https://localhost:%u/out", s.port), NULL);
	if (st != 0 || !strstr(out, "GET /out host=localhost"))
		th_fail(__FILE__, __LINE__, "curl with --http-ca-out's file: %d %s %s", st, out,
			err);
	py_stop(&s);
}

/* The CA's key, or a file: credential, where the sandbox could read it
 * itself is refused before anything starts. */
TEST(https_secret_under_a_grant_refused)
{
	const char *d = pki();
	char *out = NULL, *err = NULL;
	int st = tc_cli_run(&out, &err, "-r", "/usr", "-r", d, "--http-allow", "GET */*",
			    "--http-ca", tc_path(d, "ca.pem"), "--http-key", tc_path(d, "ca.key"),
			    "--", "/usr/bin/true", NULL);
	CHECK(st != 0);
	CHECK(strstr(err, "http_key: ") && strstr(err, "the sandbox could read the secret itself"));
	tc_write_file(tc_path(d, "token"), "t0ken\n", 0600);
	st = tc_cli_run(&out, &err, "-r", "/usr", "-w", d, "--http-inject-ca", "/etc/hostname",
			"--credential", tc_fmt("t=file:%s", tc_path(d, "token")), "--http-auth",
			"localhost=t", "--", "/usr/bin/true", NULL);
	CHECK(st != 0);
	CHECK(strstr(err, "credential: ") &&
	      strstr(err, "the sandbox could read the secret itself"));
	/* outside the grants, but with a second name inside one */
	const char *outside_dir = tc_mkdir("secret-out");
	const char *tok = tc_path(outside_dir, "token");
	tc_write_file(tok, "t0ken\n", 0600);
	CHECK(link(tok, tc_path(d, "token-link")) == 0);
	st = tc_cli_run(&out, &err, "-r", "/usr", "-r", d, "--http-inject-ca", "/etc/hostname",
			"--credential", tc_fmt("t=file:%s", tok), "--http-auth", "localhost=t",
			"--", "/usr/bin/true", NULL);
	CHECK(st != 0);
	CHECK(strstr(err, "hard links") != NULL);
}

/* The system's bundle with the ephemeral CA in it: curl with no CA option
 * at all trusts the proxy (no -k), the host's file untouched. */
TEST(https_inject_ca_system_bundle)
{
	const char *sys = "/etc/ssl/certs/ca-certificates.crt";
	if (!tc_exists(sys))
		SKIP("no %s (ca-certificates)", sys);
	const char *d = pki();
	struct pysrv s = py_start(d, "srv", NULL);
	char *out = NULL, *err = NULL;
	/* (SSL_CERT_FILE is the supervisor's upstream trust here: not the
	 * client's) */
	int st = tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/etc", "--http-port",
			    tc_itoa(s.port), "--http-allow", "GET localhost/*", "--http-inject-ca",
			    sys, "--", "/usr/bin/env", "-u", "SSL_CERT_FILE", "/usr/bin/curl", "-4",
			    "-sS", tc_fmt("https://localhost:%u/sys", s.port), NULL);
	if (st != 0 || !strstr(out, "GET /sys host=localhost"))
		th_fail(__FILE__, __LINE__, "curl with the system bundle: %d %s %s", st, out, err);
	py_stop(&s);
}

/* HTTPS interception alone (no HTTP rule, no credential): the proxy runs,
 * the bundle is shown with the CA; --http-ca-out alone writes it. */
TEST(https_inject_ca_alone)
{
	const char *d = pki();
	struct pysrv s = py_start(d, "srv", NULL);
	const char *bundle = tc_path(d, "bundle.pem");
	tc_write_file(bundle, tc_read_file(tc_path(d, "stranger.pem")), 0644);
	char *out = NULL, *err = NULL;
	/* the server's port is not 443: named as the intercepted port (which,
	 * with no HTTP rule, any address may be reached on) */
	int st = tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/etc", "-r", bundle,
			    "--http-inject-ca", bundle, "--http-port", tc_itoa(s.port), "--",
			    "/usr/bin/curl", "-4", "-sS", "--cacert", bundle,
			    tc_fmt("https://localhost:%u/alone", s.port), NULL);
	if (st != 0 || !strstr(out, "GET /alone host=localhost"))
		th_fail(__FILE__, __LINE__, "inject-ca alone: %d %s %s", st, out, err);
	const char *caout = tc_path(d, "alone-ca.pem");
	st = tc_cli_run(&out, &err, "-r", "/usr", "--http-ca-out", caout, "--", "/usr/bin/true",
			NULL);
	CHECK_EQ(st, 0);
	CHECK(strstr(tc_read_file(caout), "BEGIN CERTIFICATE") != NULL);
	py_stop(&s);
}
