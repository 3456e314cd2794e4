/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_credential.c - credentials and http_auth (loaded and parsed at
 * build, refused until the proxy lands), http_inject_ca and http_ca_out,
 * and the placeholder the command sees instead of a secret.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "harness.h"
#include "netplan.h"
#include "plan.h"
#include "policy.h"
#include "portset.h"
#include "sandlock.h"

#define NEW() sandlock_sandbox_builder_new()

/* Validation only (the build would refuse the fields as not supported
 * yet): 0, or the message. */
static const char *validate(sandlock_builder_t *b)
{
	static char msg[1024];
	int r = policy_validate(&b->cfg);
	snprintf(msg, sizeof(msg), "%s", r == 0 ? "" : sl_error_get());
	return msg;
}

#define VALIDATES(b) CHECK_STR(validate(b), "")
#define REFUSED(b, want)                                                                           \
	do {                                                                                       \
		sandlock_builder_t *b_ = (b);                                                      \
		CHECK_CONTAINS(validate(b_), want);                                                \
		sandlock_sandbox_free(sandlock_sandbox_build(b_, NULL, NULL));                     \
	} while (0)

/* The build fails with want (consuming b). */
static void build_fails_at(int line, sandlock_builder_t *b, const char *want)
{
	char *msg = NULL;
	int err = 0;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);
	if (p || !msg || !strstr(msg, want))
		th_fail(__FILE__, line, "build: \"%s\", wanted \"%s\"", msg ? msg : "(built)",
			want);
	free(msg);
}
#define BUILD_FAILS(b, want) build_fails_at(__LINE__, (b), (want))

/* The build succeeds (consuming b). */
static void build_ok_at(int line, sandlock_builder_t *b)
{
	char *msg = NULL;
	int err = 0;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);
	if (!p)
		th_fail(__FILE__, line, "build failed: %s", msg ? msg : "?");
	sandlock_sandbox_free(p);
}
#define BUILD_OK(b) build_ok_at(__LINE__, (b))

static const char *write_file(const char *name, const void *data, size_t len)
{
	static char paths[4][512];
	static int next;
	char *p = paths[next++ % 4];
	snprintf(p, sizeof(paths[0]), "%s/%s", th_tmpdir(), name);
	FILE *f = fopen(p, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		th_fail(__FILE__, __LINE__, "writing %s: %s", p, strerror(errno));
	return p;
}

/* A formatted string that stays valid for the next seven calls. */
__attribute__((format(printf, 1, 2))) static const char *fmt(const char *f, ...)
{
	static char *ring[8];
	static unsigned next;
	char **slot = &ring[next++ % 8];
	free(*slot);
	va_list ap;
	va_start(ap, f);
	if (vasprintf(slot, f, ap) < 0)
		th_fail(__FILE__, __LINE__, "out of memory");
	va_end(ap);
	return *slot;
}

/* ---- credentials ------------------------------------------------------------------ */

TEST(policy_credential_sources)
{
	setenv("SL_T_TOKEN", "tok-123", 1);
	const char *file = write_file("secret", "file-secret\n", 12);
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	CHECK_EQ(write(fds[1], "fd-secret\n", 10), 10);
	close(fds[1]);

	sandlock_builder_t *b = NEW();
	b = sandlock_sandbox_builder_credential(b, "a=env:SL_T_TOKEN");
	b = sandlock_sandbox_builder_credential(b, fmt("B_2-x=file:%s", file));
	b = sandlock_sandbox_builder_credential(b, fmt("c=fd:%d", fds[0]));
	VALIDATES(b);
	const struct sandlock_sandbox *c = &b->cfg;
	CHECK_EQ(c->n_credentials, 3);
	CHECK_STR(c->credentials[0].name, "a");
	CHECK_STR(c->credentials[0].secret, "tok-123");
	CHECK_EQ(c->credentials[0].len, 7);
	CHECK_STR(c->credentials[1].name, "B_2-x");
	CHECK_STR(c->credentials[1].secret, "file-secret"); /* the newline dropped */
	CHECK_EQ(c->credentials[1].len, 11);
	CHECK_STR(c->credentials[2].secret, "fd-secret");
	/* the fd is the caller's: still open */
	CHECK(fcntl(fds[0], F_GETFD) >= 0);
	/* validation again reads nothing again (the pipe is drained) */
	setenv("SL_T_TOKEN", "changed", 1);
	VALIDATES(b);
	CHECK_EQ(c->n_credentials, 3);
	CHECK_STR(c->credentials[0].secret, "tok-123");
	CHECK_STR(c->credentials[2].secret, "fd-secret");
	BUILD_OK(b);
	close(fds[0]);
}

TEST(policy_credential_grammar)
{
	static const struct {
		const char *spec, *msg;
	} bad[] = {
	    {"tok", "credential: 'tok': expected NAME=SOURCE"},
	    {"=env:X", "credential: '=env:X': expected NAME=SOURCE"},
	    {"a.b=env:X", "credential: 'a.b=env:X': expected NAME=SOURCE"},
	    {"t=vault:x", "credential: 't=vault:x': unknown source 'vault:x'"},
	    {"t=env:", "credential: 't=env:': an empty variable name after 'env:'"},
	    {"t=env:A=B", "credential: 't=env:A=B': invalid environment variable name 'A=B'"},
	    {"t=file:", "credential: 't=file:': an empty path after 'file:'"},
	    {"t=fd:x", "credential: 't=fd:x': 'x' is not a file descriptor number"},
	    {"t=fd:-1", "credential: 't=fd:-1': '-1' is not a file descriptor number"},
	    {"t=fd:", "credential: 't=fd:': '' is not a file descriptor number"},
	    {"t=env:SL_T_UNSET", "credential 't': environment variable SL_T_UNSET is not set"},
	    {"t=file:/nonexistent/x", "credential 't': /nonexistent/x: No such file or directory"},
	    {"t=fd:987", "credential 't': fd 987: Bad file descriptor"},
	};
	unsetenv("SL_T_UNSET");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		REFUSED(sandlock_sandbox_builder_credential(NEW(), bad[i].spec), bad[i].msg);
	char name[80];
	memset(name, 'n', 65);
	strcpy(name + 65, "=env:X");
	REFUSED(sandlock_sandbox_builder_credential(NEW(), name),
		"the name is longer than 64 characters");
	name[64] = '=';
	setenv("X", "v", 1);
	strcpy(name + 65, "env:X");
	sandlock_builder_t *b = sandlock_sandbox_builder_credential(NEW(), name);
	VALIDATES(b);
	sandlock_sandbox_free(sandlock_sandbox_build(b, NULL, NULL));
	/* a malformed spec is reported by the build before "not supported" */
	BUILD_FAILS(sandlock_sandbox_builder_credential(NEW(), "tok"), "expected NAME=SOURCE");
}

TEST(policy_credential_secret_refused)
{
	setenv("SL_T_EMPTY", "", 1);
	setenv("SL_T_LF", "a\nb", 1);
	setenv("SL_T_CR", "a\rb", 1);
	REFUSED(sandlock_sandbox_builder_credential(NEW(), "t=env:SL_T_EMPTY"),
		"credential 't': the secret is empty");
	REFUSED(sandlock_sandbox_builder_credential(NEW(), "t=env:SL_T_LF"),
		"credential 't': the secret holds a line break (CR or LF)");
	REFUSED(sandlock_sandbox_builder_credential(NEW(), "t=env:SL_T_CR"), "line break");
	const char *f = write_file("nul", "ab\0c", 4);
	REFUSED(sandlock_sandbox_builder_credential(NEW(), fmt("t=file:%s", f)),
		"credential 't': the secret holds a NUL byte");
	f = write_file("two", "ab\n\n", 4); /* one newline dropped, one left */
	REFUSED(sandlock_sandbox_builder_credential(NEW(), fmt("t=file:%s", f)), "line break");
	f = write_file("crlf", "ab\r\n", 4);
	REFUSED(sandlock_sandbox_builder_credential(NEW(), fmt("t=file:%s", f)), "line break");
	f = write_file("nl", "\n", 1);
	REFUSED(sandlock_sandbox_builder_credential(NEW(), fmt("t=file:%s", f)),
		"the secret is empty");
	REFUSED(sandlock_sandbox_builder_credential(NEW(), fmt("t=file:%s", th_tmpdir())),
		"Is a directory");
	/* 64 KiB is the most */
	size_t n = 64 * 1024;
	char *big = malloc(n + 2);
	CHECK(big != NULL);
	memset(big, 'k', n + 1);
	big[n] = '\n';
	f = write_file("max", big, n + 1);
	sandlock_builder_t *b = sandlock_sandbox_builder_credential(NEW(), fmt("t=file:%s", f));
	VALIDATES(b);
	CHECK_EQ(b->cfg.credentials[0].len, n);
	sandlock_sandbox_free(sandlock_sandbox_build(b, NULL, NULL));
	big[n] = 'k';
	f = write_file("big", big, n + 1);
	REFUSED(sandlock_sandbox_builder_credential(NEW(), fmt("t=file:%s", f)),
		fmt("credential 't': %s holds more than 64 KiB", f));
	free(big);
	/* a name defined twice */
	setenv("SL_T_A", "a", 1);
	b = sandlock_sandbox_builder_credential(NEW(), "t=env:SL_T_A");
	b = sandlock_sandbox_builder_credential(b, "t=file:/nonexistent");
	REFUSED(b, "credential 't' is defined twice");
}

/* ---- http_auth ----------------------------------------------------------------------- */

/* A builder with HTTPS interception (the proxy's own CA) and credentials
 * a and b. */
static sandlock_builder_t *with_creds(void)
{
	setenv("SL_T_A", "secret-a", 1);
	setenv("SL_T_B", "secret-b", 1);
	sandlock_builder_t *b = sandlock_sandbox_builder_http_inject_ca(NEW(), "/etc/passwd");
	b = sandlock_sandbox_builder_credential(b, "a=env:SL_T_A");
	return sandlock_sandbox_builder_credential(b, "b=env:SL_T_B");
}

/* A TCP rule for host on exactly ports 80 and 443. */
static bool has_web_rule(const struct sandlock_sandbox *c, const char *host)
{
	for (size_t i = 0; i < c->n_net_rules; i++) {
		const struct sl_net_rule *r = &c->net_rules[i];
		if (r->proto == SL_PROTO_TCP && r->target == SL_TARGET_NAME &&
		    strcmp(r->host, host) == 0 && r->ports.n == 2 && r->ports.v[0].lo == 80 &&
		    r->ports.v[1].lo == 443)
			return true;
	}
	return false;
}

TEST(policy_http_auth_parsed)
{
	sandlock_builder_t *b = with_creds();
	b = sandlock_sandbox_builder_http_auth(b, "API.Example.com=a");
	b = sandlock_sandbox_builder_http_auth(b, "[2001:DB8::1]=b:X-Api-Key");
	b = sandlock_sandbox_builder_http_auth(b, "10.0.0.1=a:Authorization");
	b = sandlock_sandbox_builder_http_auth(b, "::2=b");
	VALIDATES(b);
	const struct sandlock_sandbox *c = &b->cfg;
	CHECK_EQ(c->n_http_auths, 4);
	CHECK_STR(c->http_auths[0].host, "api.example.com");
	CHECK(c->http_auths[0].cred == &c->credentials[0]);
	CHECK(c->http_auths[0].header == NULL);
	CHECK_STR(c->http_auths[1].host, "2001:db8::1");
	CHECK(c->http_auths[1].cred == &c->credentials[1]);
	CHECK_STR(c->http_auths[1].header, "X-Api-Key");
	CHECK_STR(c->http_auths[2].host, "10.0.0.1");
	CHECK_STR(c->http_auths[2].header, "Authorization");
	CHECK_STR(c->http_auths[3].host, "::2");
	/* the hosts are reachable on 80 and 443; no HTTP rule is added */
	CHECK_EQ(c->http_ports.n, 2);
	CHECK_EQ(c->n_http_allow + c->n_http_deny, 0);
	CHECK_EQ(c->n_net_rules, 4);
	CHECK(has_web_rule(c, "api.example.com"));
	/* idempotent */
	VALIDATES(b);
	CHECK_EQ(c->n_http_auths, 4);
	CHECK_EQ(c->n_net_rules, 4);
	CHECK(c->http_auths[3].cred == &c->credentials[1]);
	BUILD_OK(b);
}

TEST(policy_http_auth_merges_with_http_rules)
{
	const char *ca = write_file("ca", "x", 1), *key = write_file("key", "x", 1);
	setenv("SL_T_A", "secret-a", 1);
	sandlock_builder_t *b = sandlock_sandbox_builder_http_ca(NEW(), ca);
	b = sandlock_sandbox_builder_http_key(b, key);
	b = sandlock_sandbox_builder_credential(b, "a=env:SL_T_A");
	b = sandlock_sandbox_builder_http_allow(b, "GET api.example.com/*");
	b = sandlock_sandbox_builder_http_auth(b, "api.example.com=a");
	b = sandlock_sandbox_builder_http_auth(b, "other.example.com=a");
	VALIDATES(b);
	CHECK_EQ(b->cfg.n_http_allow, 1);
	CHECK_EQ(b->cfg.n_net_rules, 2); /* one per distinct host */
	CHECK(has_web_rule(&b->cfg, "api.example.com"));
	CHECK(has_web_rule(&b->cfg, "other.example.com"));
	BUILD_OK(b);
}

TEST(policy_http_auth_refused)
{
	static const struct {
		const char *spec, *msg;
	} bad[] = {
	    {"host", "http_auth: 'host': expected HOST=NAME[:HEADER]"},
	    {"h=", "http_auth: 'h=': expected HOST=NAME[:HEADER]"},
	    {"h=a b", "http_auth: 'h=a b': expected HOST=NAME[:HEADER]"},
	    {"h=c", "http_auth: 'h=c': no credential is named 'c'"},
	    {"=a", "http_auth: '=a': missing host"},
	    {"h:443=a", "http_auth: 'h:443=a': host 'h:443' must not include a port"},
	    {"*.h.com=a", "http_auth: '*.h.com=a': host wildcards like '*.h.com'"},
	    {"*=a", "host wildcards"},
	    {"h/x=a", "http_auth: 'h/x=a': invalid host 'h/x'"},
	    {"[h]=a", "http_auth: '[h]=a': '[h]' is not an IPv6 address"},
	    {"0x7f.1=a", "'0x7f.1' reads as the address 127.0.0.1"},
	    {"h=a:", "http_auth: 'h=a:': an empty header name after ':'"},
	    {"h=a:X Key", "http_auth: 'h=a:X Key': invalid header name 'X Key'"},
	    {"h=a:X:Y", "invalid header name 'X:Y'"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		REFUSED(sandlock_sandbox_builder_http_auth(with_creds(), bad[i].spec), bad[i].msg);
	sandlock_builder_t *b = sandlock_sandbox_builder_http_auth(with_creds(), "H.com=a");
	b = sandlock_sandbox_builder_http_auth(b, "h.com=b");
	REFUSED(b, "http_auth: host 'h.com' is given more than once");
	/* only over TLS */
	setenv("SL_T_A", "secret-a", 1);
	b = sandlock_sandbox_builder_credential(NEW(), "a=env:SL_T_A");
	b = sandlock_sandbox_builder_http_auth(b, "h.com=a");
	REFUSED(b, "http_auth: a credential is sent only over TLS: give --http-ca and --http-key, "
		   "or --http-inject-ca");
	b = sandlock_sandbox_builder_credential(NEW(), "a=env:SL_T_A");
	BUILD_FAILS(sandlock_sandbox_builder_http_auth(b, "h.com=z"), "no credential is named");
}

/* ---- the proxy's own CA --------------------------------------------------------------- */

TEST(policy_http_inject_ca_validated)
{
	const char *bundle = write_file("bundle.pem", "x", 1);
	REFUSED(sandlock_sandbox_builder_http_inject_ca(NEW(), "ca.pem"),
		"http_inject_ca: 'ca.pem' must be an absolute path");
	REFUSED(sandlock_sandbox_builder_http_inject_ca(NEW(), "/nonexistent/ca.pem"),
		"http_inject_ca: /nonexistent/ca.pem: No such file or directory");
	REFUSED(sandlock_sandbox_builder_http_inject_ca(NEW(), th_tmpdir()),
		fmt("http_inject_ca: %s: not a regular file", th_tmpdir()));
	sandlock_builder_t *b = sandlock_sandbox_builder_http_inject_ca(NEW(), bundle);
	b = sandlock_sandbox_builder_http_inject_ca(b, "/nonexistent/2.pem");
	REFUSED(b, "/nonexistent/2.pem"); /* each one is checked */
	const char *ca = write_file("ca", "x", 1), *key = write_file("key", "x", 1);
	b = sandlock_sandbox_builder_http_ca(NEW(), ca);
	b = sandlock_sandbox_builder_http_key(b, key);
	b = sandlock_sandbox_builder_http_inject_ca(b, bundle);
	REFUSED(b, "http_inject_ca makes its own CA: it cannot be combined with http_ca");

	/* HTTPS interception on the default ports, as http_ca */
	b = sandlock_sandbox_builder_http_inject_ca(NEW(), bundle);
	b = sandlock_sandbox_builder_http_allow(b, "GET h.com/*");
	VALIDATES(b);
	CHECK_EQ(b->cfg.http_ports.n, 2);
	CHECK_EQ(b->cfg.http_ports.v[1], 443);
	CHECK_STR(b->cfg.http_inject_ca.v[0], bundle);
	BUILD_OK(b);
	BUILD_OK(sandlock_sandbox_builder_http_inject_ca(NEW(), bundle));
}

TEST(policy_http_ca_out_validated)
{
	const char *file = write_file("f", "x", 1);
	REFUSED(sandlock_sandbox_builder_http_ca_out(NEW(), "/nonexistent/ca.pem"),
		"http_ca_out: directory /nonexistent: No such file or directory");
	REFUSED(sandlock_sandbox_builder_http_ca_out(NEW(), fmt("%s/ca.pem", file)),
		fmt("http_ca_out: directory %s: Not a directory", file));
	REFUSED(sandlock_sandbox_builder_http_ca_out(NEW(), th_tmpdir()),
		fmt("http_ca_out: %s: Is a directory", th_tmpdir()));
	REFUSED(sandlock_sandbox_builder_http_ca_out(NEW(), "/tmp/"), "'/tmp/' must name a file");
	sandlock_builder_t *b =
	    sandlock_sandbox_builder_http_ca_out(NEW(), fmt("%s/ca.pem", th_tmpdir()));
	VALIDATES(b);
	BUILD_OK(b);
	if (geteuid() != 0) {
		const char *ro = fmt("%s/ro", th_tmpdir());
		CHECK_EQ(mkdir(ro, 0500), 0);
		REFUSED(sandlock_sandbox_builder_http_ca_out(NEW(), fmt("%s/ca.pem", ro)),
			fmt("http_ca_out: directory %s: Permission denied", ro));
	}
}

/* ---- copies ------------------------------------------------------------------------- */

TEST(policy_credential_copy_is_deep)
{
	const char *out = fmt("%s/out.pem", th_tmpdir());
	sandlock_builder_t *b = with_creds();
	b = sandlock_sandbox_builder_http_ca_out(b, out);
	b = sandlock_sandbox_builder_http_auth(b, "h.com=b:X-Key");
	b = sandlock_sandbox_builder_http_auth(b, "g.com=a");
	VALIDATES(b);
	struct sandlock_sandbox c;
	CHECK_EQ(policy_copy(&c, &b->cfg), 0);
	BUILD_OK(b); /* frees the original */
	CHECK_STR(c.http_inject_ca.v[0], "/etc/passwd");
	CHECK_STR(c.http_ca_out, out);
	CHECK_STR(c.credential_specs.v[1], "b=env:SL_T_B");
	CHECK_STR(c.http_auth_specs.v[0], "h.com=b:X-Key");
	CHECK_EQ(c.n_credentials, 2);
	CHECK_STR(c.credentials[1].secret, "secret-b");
	CHECK_EQ(c.credentials[1].len, 8);
	CHECK_EQ(c.n_http_auths, 2);
	CHECK(c.http_auths[0].cred == &c.credentials[1]);
	CHECK(c.http_auths[1].cred == &c.credentials[0]);
	CHECK_STR(c.http_auths[0].header, "X-Key");
	CHECK(c.http_auths[1].header == NULL);
	struct sandlock_sandbox c2;
	CHECK_EQ(policy_copy(&c2, &c), 0);
	policy_release(&c);
	CHECK(c2.http_auths[0].cred == &c2.credentials[1]);
	CHECK_STR(c2.http_auths[0].cred->secret, "secret-b");
	policy_release(&c2);
}

/* ---- what the command sees -------------------------------------------------------------- */

/* The environment the plan hands the command. */
static void plan_env(struct sandlock_sandbox *cfg, struct sl_plan *p, struct sl_netplan *np)
{
	const char *argv[] = {"/usr/bin/env", NULL};
	CHECK_EQ(netplan_build(np, cfg), 0);
	struct plan_mode mode = {.net = np};
	if (plan_build(p, cfg, argv, 1, &mode) < 0)
		th_fail(__FILE__, __LINE__, "plan_build: %s", sl_error_get());
}

static bool env_has(const struct sl_plan *p, const char *entry)
{
	for (size_t i = 0; i < p->envp.n; i++)
		if (strcmp(p->envp.v[i], entry) == 0)
			return true;
	return false;
}

static bool env_mentions(const struct sl_plan *p, const char *s)
{
	for (size_t i = 0; i < p->envp.n; i++)
		if (strstr(p->envp.v[i], s))
			return true;
	return false;
}

TEST(policy_credential_env_placeholder)
{
	th_skip_under_valgrind("the plan probes Landlock, whose syscalls valgrind lacks");
	setenv("SL_T_TOKEN", "s3cret-inherited", 1);
	setenv("SL_T_OVER", "s3cret-overridden", 1);
	setenv("SL_T_KEEP", "visible", 1);
	sandlock_builder_t *b = sandlock_sandbox_builder_credential(NEW(), "tok=env:SL_T_TOKEN");
	b = sandlock_sandbox_builder_credential(b, "over=env:SL_T_OVER");
	b = sandlock_sandbox_builder_env_var(b, "SL_T_OVER", "s3cret-overridden");
	VALIDATES(b);
	struct sl_plan p;
	struct sl_netplan np;
	plan_env(&b->cfg, &p, &np);
	CHECK(env_has(&p, "SL_T_TOKEN=sandlock-credential:tok"));
	CHECK(env_has(&p, "SL_T_OVER=sandlock-credential:over"));
	CHECK(env_has(&p, "SL_T_KEEP=visible"));
	CHECK(!env_mentions(&p, "s3cret"));
	plan_release(&p);
	netplan_release(&np);

	/* clean_env: only what env_var sets, and that is replaced too */
	b = sandlock_sandbox_builder_clean_env(b, true);
	VALIDATES(b);
	plan_env(&b->cfg, &p, &np);
	CHECK_EQ(p.envp.n, 1);
	CHECK(env_has(&p, "SL_T_OVER=sandlock-credential:over"));
	plan_release(&p);
	netplan_release(&np);
	sandlock_sandbox_free(sandlock_sandbox_build(b, NULL, NULL));
}

/* A real run: /usr/bin/env in a sandbox prints the placeholder, never the
 * secret.  The policy is validated and copied by hand, as the build
 * refuses credentials until the proxy lands. */
TEST(policy_credential_env_not_in_the_sandbox)
{
	th_skip_under_valgrind("a sandbox is started through raw clone calls");
	if (access("/usr/bin/env", X_OK) < 0)
		SKIP("no /usr/bin/env");
	setenv("SL_T_TOKEN", "s3cret-value", 1);
	static const char *const sys[] = {"/usr", "/lib", "/lib64", "/bin", "/etc"};
	sandlock_builder_t *b = NEW();
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		if (access(sys[i], F_OK) == 0)
			b = sandlock_sandbox_builder_fs_read(b, sys[i]);
	b = sandlock_sandbox_builder_credential(b, "tok=env:SL_T_TOKEN");
	VALIDATES(b);
	struct sandlock_sandbox *policy = malloc(sizeof(*policy));
	CHECK(policy != NULL);
	CHECK_EQ(policy_copy(policy, &b->cfg), 0);
	sandlock_sandbox_free(sandlock_sandbox_build(b, NULL, NULL));
	const char *argv[] = {"/usr/bin/env", NULL};
	sandlock_result_t *r = sandlock_run(policy, NULL, argv, 1);
	if (!r)
		SKIP("cannot run a sandbox here: %s", sandlock_last_error());
	size_t len = 0;
	const uint8_t *out = sandlock_result_stdout_bytes(r, &len);
	char *text = strndup(out ? (const char *)out : "", len);
	CHECK(text != NULL);
	CHECK_EQ(sandlock_result_exit_code(r), 0);
	CHECK_CONTAINS(text, "SL_T_TOKEN=sandlock-credential:tok\n");
	CHECK(!strstr(text, "s3cret"));
	free(text);
	sandlock_result_free(r);
	sandlock_sandbox_free(policy);
}
