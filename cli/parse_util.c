/* SPDX-License-Identifier: Apache-2.0 */
/* parse_util.c - strict number and timestamp parsers (see parse_util.h). */
#include "parse_util.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int parse_num_n(const char *s, size_t len, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	bool overflow = false;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (!is_digit(s[i]))
			return -EINVAL;
		/* Keep scanning after an overflow: "99999999999999999999x" is
		 * malformed, not merely too large. */
		if (v > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			v = v * 10 + d;
	}
	if (overflow || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_num(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	return parse_num_n(s, strlen(s), min, max, out);
}

/* ---- RFC 3339 ------------------------------------------------------------ */

struct rfc3339 {
	long year, month, day, hour, minute, second;
	long offset; /* seconds east of UTC */
};

/* Reads exactly n digits at *p. */
static bool take_digits(const char **p, int n, long *out)
{
	long v = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit((*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool take_char(const char **p, const char *accepted)
{
	if (**p == '\0' || !strchr(accepted, **p))
		return false;
	(*p)++;
	return true;
}

static bool is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static long days_in_month(long y, long m)
{
	static const long days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Leap years in [1, y]. */
static long leaps_through(long y)
{
	return y / 4 - y / 100 + y / 400;
}

/* Days from 1970-01-01 to the given date (year >= 1).  The proleptic
 * Gregorian calendar, as RFC 3339 specifies. */
static long days_since_epoch(long y, long m, long d)
{
	long days = 365 * (y - 1970) + leaps_through(y - 1) - leaps_through(1969);

	for (long i = 1; i < m; i++)
		days += days_in_month(y, i);
	return days + d - 1;
}

static int fail(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -EINVAL;
}

static int before_epoch(const char **why)
{
	if (why)
		*why = "before 1970-01-01T00:00:00Z";
	return -ERANGE;
}

/* full-date "T" partial-time, without the offset. */
static int scan_date_time(const char **p, struct rfc3339 *t, const char **why)
{
	if (!take_digits(p, 4, &t->year) || !take_char(p, "-") || !take_digits(p, 2, &t->month) ||
	    !take_char(p, "-") || !take_digits(p, 2, &t->day))
		return fail(why, "expected a date as YYYY-MM-DD");
	if (!take_char(p, "Tt "))
		return fail(why, "expected 'T' between the date and the time");
	if (!take_digits(p, 2, &t->hour) || !take_char(p, ":") || !take_digits(p, 2, &t->minute) ||
	    !take_char(p, ":") || !take_digits(p, 2, &t->second))
		return fail(why, "expected a time as HH:MM:SS");
	if (take_char(p, ".")) {
		if (!is_digit(**p))
			return fail(why, "expected digits after '.'");
		while (is_digit(**p))
			(*p)++;
	}
	return 0;
}

/* time-offset: "Z" / ("+" / "-") HH:MM */
static int scan_offset(const char **p, struct rfc3339 *t, const char **why)
{
	long oh, om;
	char sign = **p;

	if (take_char(p, "Zz")) {
		t->offset = 0;
		return 0;
	}
	if (!take_char(p, "+-") || !take_digits(p, 2, &oh) || !take_char(p, ":") ||
	    !take_digits(p, 2, &om))
		return fail(why, "expected a UTC offset (Z, +HH:MM or -HH:MM)");
	if (oh > 23 || om > 59)
		return fail(why, "UTC offset out of range");
	t->offset = (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	return 0;
}

static int check_fields(const struct rfc3339 *t, const char **why)
{
	if (t->month < 1 || t->month > 12)
		return fail(why, "month out of range");
	if (t->day < 1 || t->day > days_in_month(t->year, t->month))
		return fail(why, "day out of range for the month");
	if (t->hour > 23 || t->minute > 59 || t->second > 60)
		return fail(why, "time of day out of range");
	return 0;
}

int parse_rfc3339(const char *s, uint64_t *epoch, const char **why)
{
	struct rfc3339 t;
	const char *p = s;
	long long secs;
	int r;

	r = scan_date_time(&p, &t, why);
	if (r == 0)
		r = scan_offset(&p, &t, why);
	if (r == 0 && *p)
		r = fail(why, "unexpected text after the timestamp");
	if (r == 0)
		r = check_fields(&t, why);
	if (r < 0)
		return r;
	/* The latest UTC offset is -23:59, so a date before 1969 is before
	 * the epoch whatever its offset; this also keeps year >= 1 below. */
	if (t.year < 1969)
		return before_epoch(why);
	secs = (long long)days_since_epoch(t.year, t.month, t.day) * 86400 + t.hour * 3600 +
	       t.minute * 60 + t.second - t.offset;
	if (secs < 0)
		return before_epoch(why);
	*epoch = (uint64_t)secs;
	return 0;
}
