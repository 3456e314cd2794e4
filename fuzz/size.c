/* SPDX-License-Identifier: Apache-2.0 */
/* size.c - sandlock_parse_size: no crash; a value it accepts is printed
 * back (in bytes) and parses to the same value. */
#include <inttypes.h>

#include "fuzz.h"
#include "sandlock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	uint64_t v = 0, w = 0;
	if (s && sandlock_parse_size(s, &v) == 0) {
		char back[32];
		snprintf(back, sizeof(back), "%" PRIu64, v);
		FUZZ_ASSERT(sandlock_parse_size(back, &w) == 0 && w == v);
	}
	free(s);
	return 0;
}
