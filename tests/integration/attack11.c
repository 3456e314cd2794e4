/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attack11.c - attacks on the HTTP proxy's credentials, the injected CA's
 * trust bundles and http_ca_out, and TOML profiles: each test fails while
 * the hole it names is open.
 */
#include "common.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* An HTTPS server that echoes each request's head (TRACE's very
 * behaviour, and a debugging endpoint's): every field line as received. */
static const char echo_py[] =
    "import ssl,sys,http.server\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    protocol_version='HTTP/1.1'\n"
    "    def do_any(self):\n"
    "        n=int(self.headers.get('Content-Length') or 0); self.rfile.read(n)\n"
    "        b=('%s %s\\n'%(self.command,self.path)+''.join('%s: %s\\n'%(k,v) for k,v in "
    "self.headers.items())).encode()\n"
    "        self.send_response(200); self.send_header('Content-Length',str(len(b)))\n"
    "        self.end_headers(); self.wfile.write(b)\n"
    "    do_GET=do_POST=do_TRACE=do_any\n"
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

/* The interception CA (ca), the upstream CA (up) the supervisor trusts
 * (SSL_CERT_FILE) and a leaf for localhost it signed (srv), in a new
 * directory. */
static const char *pki(void)
{
	if (!tc_exists("/usr/bin/openssl") || !tc_exists("/usr/bin/curl") ||
	    !tc_exists("/usr/bin/python3"))
		SKIP("needs /usr/bin/openssl, /usr/bin/curl and /usr/bin/python3");
	const char *d = tc_mkdir("pki");
	for (int i = 0; i < 2; i++)
		sh(tc_fmt("cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
			  "-nodes -keyout %s.key -out %s.pem -days 2 -subj /CN=%s "
			  "-addext basicConstraints=critical,CA:TRUE "
			  "-addext keyUsage=critical,keyCertSign,cRLSign",
			  d, i ? "up" : "ca", i ? "up" : "ca", i ? "up" : "ca"));
	sh(tc_fmt("cd %s && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > srv.ext && "
		  "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key "
		  "-out srv.csr -subj /CN=localhost && "
		  "openssl x509 -req -in srv.csr -CA up.pem -CAkey up.key -CAcreateserial "
		  "-out srv.pem -days 2 -extfile srv.ext",
		  d));
	setenv("SSL_CERT_FILE", tc_path(d, "up.pem"), 1);
	return d;
}

struct srv {
	pid_t pid;
	unsigned port;
};

static struct srv echo_start(const char *d)
{
	int p[2];
	CHECK(pipe(p) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(p[1], 1);
		close(p[0]);
		execl("/usr/bin/python3", "python3", "-c", echo_py, tc_path(d, "srv.pem"),
		      tc_path(d, "srv.key"), (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char buf[32] = "";
	ssize_t n = read(p[0], buf, sizeof(buf) - 1);
	if (n <= 0)
		th_fail(__FILE__, __LINE__, "the echo server did not start");
	return (struct srv){pid, (unsigned)atoi(buf)};
}

static void srv_stop(struct srv *s)
{
	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
}

#define SECRET "s3cret-attack11-token"

/* curl in a sandbox with the credential tok (env SL_A11_TOKEN) for
 * localhost: its extra arguments x1..x3 (NULL for none) before the URL. */
static int curl_auth(char **out, const char *d, unsigned port, const char *header, const char *x1,
		     const char *x2, const char *x3, const char *x4, const char *url)
{
	char *err = NULL;
	setenv("SL_A11_TOKEN", SECRET, 1);
	const char *auth = header ? tc_fmt("localhost=tok:%s", header) : "localhost=tok";
	const char *x[4] = {x1 ? x1 : "-s", x2 ? x2 : "-s", x3 ? x3 : "-s", x4 ? x4 : "-s"};
	int st = tc_cli_run(out, &err, "-r", "/usr", "-r", "/lib", "-r", "/etc", "-r",
			    tc_path(d, "ca.pem"), "--http-port", tc_itoa(port), "--http-ca",
			    tc_path(d, "ca.pem"), "--http-key", tc_path(d, "ca.key"),
			    "--http-allow", "* localhost/*", "--credential", "tok=env:SL_A11_TOKEN",
			    "--http-auth", auth, "--", "/usr/bin/curl", "-4", "-sS", "--cacert",
			    tc_path(d, "ca.pem"), x[0], x[1], x[2], x[3], url, NULL);
	if (st != 0 && err)
		fprintf(stderr, "curl: %s\n", err);
	return st;
}

/* How many lines of text start with name (case-insensitive) and ':'. */
static int fields(const char *text, const char *name)
{
	int n = 0;
	size_t nl = strlen(name);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncasecmp(l, name, nl) == 0 && l[nl] == ':')
			n++;
	return n;
}

/* ---- credentials ---------------------------------------------------------------- */

/* An http_auth whose HEADER is a field that frames or routes the
 * message (Content-Length, Transfer-Encoding, Host, Connection, ...):
 * the secret would replace the client's framing (the proxy frames the
 * body by the client's Content-Length, the server by the secret's: a
 * request smuggled past the rules) or its routing.  Refused at build. */
TEST(attack11_auth_header_framing_refused)
{
	setenv("SL_A11_TOKEN", "12", 1);
	static const char *const bad[] = {"Content-Length",
					  "content-length",
					  "Transfer-Encoding",
					  "Host",
					  "Connection",
					  "Keep-Alive",
					  "TE",
					  "Trailer",
					  "Upgrade",
					  "Expect",
					  "Proxy-Connection",
					  "Content_Length"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *out = NULL, *err = NULL;
		int st =
		    tc_cli_run(&out, &err, "-r", "/usr", "--http-inject-ca", "/etc/hostname",
			       "--credential", "tok=env:SL_A11_TOKEN", "--http-auth",
			       tc_fmt("localhost=tok:%s", bad[i]), "--", "/usr/bin/true", NULL);
		if (st == 0)
			th_fail(__FILE__, __LINE__, "http_auth with HEADER=%s accepted", bad[i]);
		CHECK_CONTAINS(err, "http_auth");
	}
	/* an ordinary header still is */
	char *out = NULL, *err = NULL;
	CHECK_EQ(tc_cli_run(&out, &err, "-r", "/usr", "--http-inject-ca", "/etc/hostname",
			    "--credential", "tok=env:SL_A11_TOKEN", "--http-auth",
			    "localhost=tok:X-Api-Key", "--", "/usr/bin/true", NULL),
		 0);
}

/* The client's own Authorization, in another case and twice: dropped,
 * so the server sees exactly one, the proxy's; and one of the header
 * named in another case too. */
TEST(attack11_auth_client_header_dropped_any_case)
{
	const char *d = pki();
	struct srv s = echo_start(d);
	char *out = NULL;
	CHECK_EQ(curl_auth(&out, d, s.port, NULL, "-H", "AUTHORIZATION: Bearer mine", NULL, NULL,
			   tc_fmt("https://localhost:%u/a", s.port)),
		 0);
	if (fields(out, "authorization") != 1 || !strstr(out, "Bearer " SECRET))
		th_fail(__FILE__, __LINE__, "got: %s", out);
	CHECK_EQ(curl_auth(&out, d, s.port, "X-Key", "-H", "x-KEY: mine", NULL, NULL,
			   tc_fmt("https://localhost:%u/b", s.port)),
		 0);
	if (fields(out, "x-key") != 1 || !strstr(out, SECRET) || strstr(out, "mine"))
		th_fail(__FILE__, __LINE__, "got: %s", out);
	srv_stop(&s);
}

/* TRACE: the server answers with the request it received, the proxy's
 * header and its secret included, straight back to the sandbox.  A
 * TRACE request gets no credential. */
TEST(attack11_auth_trace_not_echoed)
{
	const char *d = pki();
	struct srv s = echo_start(d);
	char *out = NULL;
	CHECK_EQ(curl_auth(&out, d, s.port, NULL, "-X", "TRACE", NULL, NULL,
			   tc_fmt("https://localhost:%u/t", s.port)),
		 0);
	if (strstr(out, "TRACE /t") != out || strstr(out, SECRET))
		th_fail(__FILE__, __LINE__, "TRACE echoed: %s", out);
	/* a GET still carries it */
	CHECK_EQ(curl_auth(&out, d, s.port, NULL, NULL, NULL, NULL, NULL,
			   tc_fmt("https://localhost:%u/g", s.port)),
		 0);
	CHECK_CONTAINS(out, "Bearer " SECRET);
	srv_stop(&s);
}

/* A request whose target names another host (absolute-form) over the
 * same TLS connection, or whose Host differs from the server name by a
 * trailing dot: refused, never sent with the secret. */
TEST(attack11_auth_other_host_same_connection)
{
	const char *d = pki();
	struct srv s = echo_start(d);
	char *out = NULL;
	CHECK_EQ(curl_auth(&out, d, s.port, NULL, "--request-target",
			   tc_fmt("https://127.0.0.1:%u/abs", s.port), NULL, NULL,
			   tc_fmt("https://localhost:%u/x", s.port)),
		 0);
	if (strstr(out, SECRET))
		th_fail(__FILE__, __LINE__, "absolute-form: %s", out);
	CHECK_EQ(curl_auth(&out, d, s.port, NULL, "-H", tc_fmt("Host: localhost.:%u", s.port), NULL,
			   NULL, tc_fmt("https://localhost:%u/x", s.port)),
		 0);
	if (strstr(out, SECRET))
		th_fail(__FILE__, __LINE__, "trailing dot: %s", out);
	/* HTTP/1.0 without a Host: no host, no credential */
	CHECK_EQ(curl_auth(&out, d, s.port, NULL, "-0", "--no-alpn", "-H",
			   "Host:", tc_fmt("https://localhost:%u/x", s.port)),
		 0);
	if (strstr(out, SECRET))
		th_fail(__FILE__, __LINE__, "HTTP/1.0 without Host: %s", out);
	srv_stop(&s);
}

/* The secret inside: not in the sandbox's environment, nor readable in
 * the supervisor's /proc/PID/environ or cmdline (Landlock's ptrace
 * scoping), nor on an inherited fd: of an fd: credential. */
TEST(attack11_secret_not_reachable_from_inside)
{
	const char *d = tc_mkdir("sec");
	const char *tokf = tc_path(d, "token");
	tc_write_file(tokf, SECRET "\n", 0600);
	setenv("SL_A11_TOKEN", SECRET, 1);
	/* every /proc/N/environ and cmdline the sandbox can read, and every
	 * process's fd 7 (the supervisor keeps the caller's open) */
	const char *scan = "cat /proc/[0-9]*/environ /proc/[0-9]*/cmdline /proc/[0-9]*/fd/7 2>&1 "
			   "| tr \\\\0 \\\\n; ls /proc/self/fd; echo end";
	const char *cmd = tc_fmt("exec 7<%s; exec %s run -r /usr -r /lib -r /etc -r /proc -r /bin "
				 "--http-inject-ca /etc/hostname --credential tok=env:SL_A11_TOKEN "
				 "--credential f7=fd:7 --http-auth localhost=tok "
				 "--http-auth 127.0.0.1=f7 -- /bin/sh -c '%s'",
				 tokf, tc_cli(), scan);
	char *out = NULL, *err = NULL;
	char *const argv[] = {"/bin/sh", "-c", (char *)cmd, NULL};
	int st = th_run(argv, NULL, &out, &err);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		th_fail(__FILE__, __LINE__, "%d: %s", st, err);
	CHECK_CONTAINS(out, "end");
	CHECK_CONTAINS(out, "SL_A11_TOKEN=sandlock-credential:tok");
	if (strstr(out, SECRET))
		th_fail(__FILE__, __LINE__, "the secret inside: %s", out);
	/* fd 7 was the credential's: not the sandbox's */
	for (const char *l = out; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, "7\n", 2) == 0)
			th_fail(__FILE__, __LINE__, "fd 7 inherited: %s", out);
}

/* ---- the injected CA -------------------------------------------------------------- */

/* A bundle in a tree the sandbox writes: it keeps a hard link to the
 * bundle (the identity the view is selected by), puts a symlink to a
 * file it may not read at the bundle's name, and opens its link.  The
 * view must be the bundle's content, never what the name now points to
 * (read by the supervisor, past Landlock). */
TEST(attack11_bundle_view_not_reread_by_name)
{
	const char *d = tc_mkdir("w");
	const char *priv = tc_mkdir("priv");
	const char *secret = tc_path(priv, "secret");
	tc_write_file(secret, SECRET "\n", 0600);
	const char *bundle = tc_path(d, "bundle.pem");
	tc_write_file(bundle, "# a bundle\n", 0644);
	const char *keep = tc_path(d, "keep.pem");
	char *out = NULL, *err = NULL;
	int st = tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/etc", "-r", "/bin",
			    "-w", d, "--http-allow", "GET localhost/*", "--http-inject-ca", bundle,
			    "--", "/bin/sh", "-c",
			    tc_fmt("ln %s %s && rm %s && ln -s %s %s && cat %s", bundle, keep,
				   bundle, secret, bundle, keep),
			    NULL);
	if (strstr(out, SECRET))
		th_fail(__FILE__, __LINE__, "the view read the swapped name: %s", out);
	if (st != 0 || !strstr(out, "# a bundle") || !strstr(out, "BEGIN CERTIFICATE"))
		th_fail(__FILE__, __LINE__, "%d: %s %s", st, out, err);
}

/* The view cannot be written: not opened read-write, not reopened
 * read-write through /proc/self/fd; the host's bundle stays as it was. */
TEST(attack11_bundle_view_not_writable)
{
	const char *d = tc_mkdir("b");
	const char *bundle = tc_path(d, "bundle.pem");
	tc_write_file(bundle, "# host bundle\n", 0644);
	char *out = NULL, *err = NULL;
	tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/etc", "-r", "/bin", "-r",
		   "/proc", "-r", d, "--http-allow", "GET localhost/*", "--http-inject-ca", bundle,
		   "--", "/bin/sh", "-c",
		   tc_fmt("exec 3<%s; echo evil >> /proc/self/fd/3; echo evil 1<>/proc/self/fd/3; "
			  "echo evil >> %s; cat <&3",
			  bundle, bundle),
		   NULL);
	CHECK_STR(tc_read_file(bundle), "# host bundle\n");
	if (strstr(out, "evil"))
		th_fail(__FILE__, __LINE__, "the view was written: %s", out);
}

/* http_ca_out where a symlink was planted (at PATH, or a guess of its
 * temporary name): the file pointed to is never written; PATH becomes a
 * regular file. */
TEST(attack11_ca_out_symlink_not_followed)
{
	const char *d = tc_mkdir("o");
	const char *victim = tc_path(d, "victim");
	tc_write_file(victim, "victim\n", 0644);
	const char *path = tc_path(d, "ca.pem");
	CHECK(symlink(victim, path) == 0);
	char *out = NULL, *err = NULL;
	int st = tc_cli_run(&out, &err, "-r", "/usr", "--http-allow", "GET localhost/*",
			    "--http-ca-out", path, "--", "/usr/bin/true", NULL);
	if (st != 0)
		th_fail(__FILE__, __LINE__, "%d: %s", st, err);
	CHECK_STR(tc_read_file(victim), "victim\n");
	struct stat sb;
	CHECK(lstat(path, &sb) == 0 && S_ISREG(sb.st_mode));
	CHECK_CONTAINS(tc_read_file(path), "BEGIN CERTIFICATE");
	CHECK(strstr(tc_read_file(path), "PRIVATE") == NULL);
}

/* ---- profiles --------------------------------------------------------------------- */

/* Values that look like flags stay values: a path "--fs-write=/", an
 * argument "-w" "/" of [program].args (after "--": the command's), an
 * environment key with '=' or a line break. */
TEST(attack11_profile_values_inert)
{
	const char *d = tc_mkdir("p");
	const char *mark = tc_path(d, "m");
	const char *p = tc_path(d, "a.toml");
	tc_write_file(p,
		      tc_fmt("[filesystem]\nread = [\"/usr\", \"/lib\", \"/bin\"]\n"
			     "[program]\nexec = \"/bin/sh\"\n"
			     "args = [\"-c\", \"touch %s; echo ran\", \"--fs-write=/\", \"-w\", "
			     "\"/\", \"--\"]\n",
			     mark),
		      0644);
	char *out = NULL, *err = NULL;
	tc_cli_run(&out, &err, "--profile-file", p, NULL);
	CHECK_CONTAINS(out, "ran");
	CHECK(!tc_exists(mark));
	tc_write_file(p, "[filesystem]\nread = [\"--fs-write=/\"]\n", 0644);
	CHECK(tc_cli_run(&out, &err, "--profile-file", p, "--", "/bin/true", NULL) != 0);
	tc_write_file(p,
		      "[filesystem]\nread = [\"/usr\", \"/lib\", \"/bin\"]\n"
		      "[program]\nexec = \"/usr/bin/env\"\nenv = { \"A\\nLD_PRELOAD\" = \"x\" }\n",
		      0644);
	CHECK(tc_cli_run(&out, &err, "--profile-file", p, NULL) != 0);
	/* a name with a path in it is no profile name */
	CHECK_EQ(tc_cli_run(&out, &err, "-p", "../../../../tmp/x", "--", "/bin/true", NULL), 2);
	CHECK_CONTAINS(err, "invalid profile name");
}

/* A profile nested past the reader's depth, or past its size: refused,
 * without a crash. */
TEST(attack11_profile_huge_or_deep)
{
	const char *d = tc_mkdir("h");
	const char *p = tc_path(d, "deep.toml");
	size_t n = 100000;
	char *t = malloc(2 * n + 64);
	CHECK(t != NULL);
	size_t k = (size_t)sprintf(t, "[filesystem]\nread = ");
	memset(t + k, '[', n);
	memset(t + k + n, ']', n);
	t[k + 2 * n] = '\n';
	t[k + 2 * n + 1] = 0;
	tc_write_file(p, t, 0644);
	char *out = NULL, *err = NULL;
	CHECK_EQ(tc_cli_run(&out, &err, "--profile-file", p, "--", "/bin/true", NULL), 2);
	char *big = malloc((2u << 20) + 64);
	CHECK(big != NULL);
	k = (size_t)sprintf(big, "# ");
	memset(big + k, 'x', 2u << 20);
	big[k + (2u << 20)] = 0;
	tc_write_file(p, big, 0644);
	CHECK_EQ(tc_cli_run(&out, &err, "--profile-file", p, "--", "/bin/true", NULL), 2);
}
