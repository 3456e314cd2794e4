/* SPDX-License-Identifier: Apache-2.0 */
/* cli.c - the `sandlock run` option parser: the input, split at newlines,
 * is an argument list; no crash, no leak, and a result it reports. */
#include "cli.h"
#include "fuzz.h"
#include "run_opts.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	if (!s)
		return 0;
	const char *argv[MAX_ARGS + 2] = {"run"};
	int argc = 1;
	for (char *p = s; argc < MAX_ARGS;) {
		argv[argc++] = p;
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = 0;
		p = nl + 1;
	}
	argv[argc] = NULL;
	struct run_opts o;
	memset(&o, 0, sizeof(o));
	struct cli_err e;
	memset(&e, 0, sizeof(e));
	int r = run_opts_parse(&o, argc, argv, &e);
	FUZZ_ASSERT(r >= 0);
	run_opts_free(&o);
	free(s);
	return 0;
}
