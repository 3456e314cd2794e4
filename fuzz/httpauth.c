/* SPDX-License-Identifier: Apache-2.0 */
/* httpauth.c - http_auth specs against two credentials: no crash, no leak;
 * an accepted spec names one of them, its host is lower-case with no port,
 * bracket or wildcard (a ':' only in an IPv6 address), its header a token.
 * The credential specs themselves read files and descriptors: only the
 * env: lookup, which reads nothing, is fuzzed. */
#include <arpa/inet.h>

#include "credential.h"
#include "fuzz.h"
#include "policy.h"

static void check_auth(const char *s, const struct sl_credential *creds)
{
	struct sl_http_auth a;
	if (credential_parse_http_auth(s, creds, 2, &a) != 0)
		return;
	FUZZ_ASSERT(a.cred == &creds[0] || a.cred == &creds[1]);
	FUZZ_ASSERT(a.host && *a.host && strlen(a.host) <= 253);
	FUZZ_ASSERT(!strpbrk(a.host, "*[]/ =ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
	unsigned char v6[16];
	FUZZ_ASSERT(!strchr(a.host, ':') || inet_pton(AF_INET6, a.host, v6) == 1);
	if (a.header) {
		FUZZ_ASSERT(*a.header && strlen(a.header) <= 64);
		FUZZ_ASSERT(!strpbrk(a.header, " :\t\r\n()<>@,;\\\"/[]?={}"));
	}
	credential_http_auth_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	if (!s)
		return 0;
	char a[] = "a", b[] = "tok_2", sa[] = "x", sb[] = "y";
	const struct sl_credential creds[2] = {{a, sa, 1}, {b, sb, 1}};
	check_auth(s, creds);
	const char *var = credential_env_var(s);
	FUZZ_ASSERT(!var || (var > s + 5 && !strncmp(var - 5, "=env:", 5)));
	free(s);
	return 0;
}
