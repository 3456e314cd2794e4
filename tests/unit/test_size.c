/* SPDX-License-Identifier: Apache-2.0 */
/* test_size.c - sandlock_parse_size(). */
#include "harness.h"
#include "sandlock.h"

static uint64_t size_ok(const char *s)
{
	uint64_t v = 12345;
	if (sandlock_parse_size(s, &v) != 0)
		th_fail(__FILE__, __LINE__, "'%s' rejected: %s", s, sandlock_last_error());
	return v;
}

static void size_bad(const char *s)
{
	uint64_t v = 12345;
	if (sandlock_parse_size(s, &v) != -1)
		th_fail(__FILE__, __LINE__, "'%s' accepted as %llu", s, (unsigned long long)v);
	if (v != 12345)
		th_fail(__FILE__, __LINE__, "'%s': output written on failure", s);
	if (!*sandlock_last_error())
		th_fail(__FILE__, __LINE__, "'%s': no message", s);
}

TEST(size_plain_and_suffixes)
{
	CHECK_EQ(size_ok("0"), 0);
	CHECK_EQ(size_ok("512"), 512);
	CHECK_EQ(size_ok("007"), 7);
	CHECK_EQ(size_ok("1K"), 1024);
	CHECK_EQ(size_ok("1k"), 1024);
	CHECK_EQ(size_ok("64M"), 64ull << 20);
	CHECK_EQ(size_ok("64m"), 64ull << 20);
	CHECK_EQ(size_ok("2G"), 2ull << 30);
	CHECK_EQ(size_ok("2g"), 2ull << 30);
	CHECK_EQ(size_ok("18446744073709551615"), UINT64_MAX);
	CHECK_EQ(size_ok("17179869183G"), 17179869183ull << 30);
}

TEST(size_rejects_malformed)
{
	size_bad("");
	size_bad("K");
	size_bad("g");
	size_bad("10T");
	size_bad("10X");
	size_bad("10KB");
	size_bad("10KK");
	size_bad("1.5G");
	size_bad("1,5G");
	size_bad("-1");
	size_bad("+1");
	size_bad(" 1");
	size_bad("1 ");
	size_bad("1 K");
	size_bad("0x10");
	CHECK_CONTAINS(sandlock_last_error(), "0x10");
}

TEST(size_rejects_overflow)
{
	size_bad("18446744073709551616");
	CHECK_STR(sandlock_last_error(), "invalid size '18446744073709551616': out of range (at "
					 "most 18446744073709551615 bytes)");
	size_bad("99999999999999999999999");
	size_bad("17179869184G");
	CHECK_CONTAINS(sandlock_last_error(), "'17179869184G': out of range");
	/* malformed wins over too large */
	size_bad("99999999999999999999x");
	CHECK_CONTAINS(sandlock_last_error(), "unknown suffix 'x'");
	size_bad("17592186044416M");
	size_bad("18014398509481984K");
}

TEST(size_null_arguments)
{
	uint64_t v;
	CHECK_EQ(sandlock_parse_size(NULL, &v), -1);
	CHECK_EQ(sandlock_parse_size("1", NULL), -1);
}
