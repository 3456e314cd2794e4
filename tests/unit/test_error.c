/* SPDX-License-Identifier: Apache-2.0 */
/* The library's messages: one too long keeps its start and its reason. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "harness.h"
#include "util.h"

static char *filled(size_t len, const char *unit)
{
	size_t u = strlen(unit);
	char *s = malloc(len * u + 1);
	CHECK(s != NULL);
	for (size_t i = 0; i < len; i++)
		memcpy(s + i * u, unit, u);
	s[len * u] = 0;
	return s;
}

TEST(error_long_value_keeps_the_reason)
{
	char *path = filled(1 << 20, "a");
	CHECK_EQ(sl_errorf(ENAMETOOLONG, "fs_read: /%s: %s", path, strerror(ENAMETOOLONG)),
		 -ENAMETOOLONG);
	const char *m = sl_error_get();
	size_t len = strlen(m);
	CHECK(len <= SL_ERRMSG_MAX - 1 && len > SL_ERRMSG_MAX - 60);
	CHECK(strncmp(m, "fs_read: /aaaa", 14) == 0);
	CHECK(strcmp(m + len - strlen("aaaa: File name too long"), "aaaa: File name too long") ==
	      0);
	CHECK(strstr(m, "[... ") && strstr(m, " bytes ...]"));
	/* the count is what was dropped: the message's full length back */
	const char *mark = strstr(m, "[... ");
	size_t cut = strtoul(mark + 5, NULL, 10);
	size_t mark_len = (size_t)(strstr(mark, "]") + 1 - mark);
	CHECK_EQ(len - mark_len + cut,
		 strlen("fs_read: /") + (1u << 20) + strlen(": File name too long"));
	free(path);
}

/* The cuts never split a UTF-8 character. */
TEST(error_cut_on_character_boundaries)
{
	for (int shift = 0; shift < 4; shift++) {
		char *path = filled(3000, "\xe2\x9c\x93"); /* U+2713, 3 bytes */
		CHECK_EQ(sl_errorf(EINVAL, "%.*s/%s: bad", shift, "xyz", path), -EINVAL);
		const char *m = sl_error_get();
		CHECK(sl_utf8_valid(m, strlen(m)));
		CHECK(strcmp(m + strlen(m) - 5, ": bad") == 0);
		free(path);
	}
	/* short messages are untouched */
	sl_errorf(EINVAL, "x: %s", "y");
	CHECK_STR(sl_error_get(), "x: y");
}
