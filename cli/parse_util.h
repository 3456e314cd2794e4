/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parse_util.h - strict parsers for command-line values.
 *
 * Pure functions: no I/O, no allocation, no locale.  Each returns 0 on
 * success, -EINVAL for malformed text and -ERANGE for a well-formed value
 * outside the accepted range; *out is written only on success.
 */
#ifndef SL_CLI_PARSE_UTIL_H
#define SL_CLI_PARSE_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* A decimal integer of len characters (digits only: no sign, no spaces, no
 * base prefix) within [min, max]. */
int parse_num_n(const char *s, size_t len, uint64_t min, uint64_t max, uint64_t *out);

/* The same for a whole NUL-terminated string. */
int parse_num(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* An RFC 3339 timestamp ("2000-01-01T00:00:00Z", "2024-02-29T12:00:00.5+02:00")
 * as seconds since the Unix epoch; fractions of a second are dropped.
 * Accepts 'T', 't' or a space between date and time and 'Z' or 'z' for
 * UTC (RFC 3339 section 5.6); a leap second (:60) counts as the next
 * second, as POSIX time does.  Times before 1970 are out of range.  On
 * failure *why (if why is not NULL) names the problem. */
int parse_rfc3339(const char *s, uint64_t *epoch, const char **why);

#endif
