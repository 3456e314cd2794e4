/* SPDX-License-Identifier: Apache-2.0 */
/*
 * size.c - byte sizes such as "512", "64K", "1g".
 *
 * The grammar is deliberately narrow: decimal digits, then at most one
 * K/M/G suffix (either case, powers of 1024).  No sign, no whitespace, no
 * fraction, no "KB"/"KiB": a limit that was mistyped must be an error, not a
 * different limit.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "sandlock.h"
#include "util.h"

/* Shift for a suffix character, or -1 when c is not a suffix. */
static int suffix_shift(char c)
{
	switch (c) {
	case 'k':
	case 'K':
		return 10;
	case 'm':
	case 'M':
		return 20;
	case 'g':
	case 'G':
		return 30;
	default:
		return -1;
	}
}

SL_API int sandlock_parse_size(const char *s, uint64_t *out)
{
	sl_error_clear();
	if (!s || !out) {
		sl_errorf(EINVAL, "invalid size: NULL argument");
		return -1;
	}
	const char *p = s;
	uint64_t v = 0;
	bool overflow = false;
	/* keep scanning after an overflow: "99999999999999999999x" is
	 * malformed, not merely too large */
	while (*p >= '0' && *p <= '9') {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			v = v * 10 + d;
		p++;
	}
	if (p == s) {
		sl_errorf(EINVAL,
			  "invalid size '%s': expected digits with an optional K, M or G suffix",
			  s);
		return -1;
	}
	int shift = 0;
	if (*p) {
		shift = suffix_shift(*p);
		if (shift < 0 || p[1]) {
			sl_errorf(EINVAL, "invalid size '%s': unknown suffix '%s' (use K, M or G)",
				  s, p);
			return -1;
		}
	}
	if (overflow || v > (UINT64_MAX >> shift)) {
		sl_errorf(ERANGE, "invalid size '%s': out of range (at most %llu bytes)", s,
			  (unsigned long long)UINT64_MAX);
		return -1;
	}
	v <<= shift;
	*out = v;
	return 0;
}
