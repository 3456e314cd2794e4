/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the shared helpers (src/base/util.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "util.h"

/* A file of n bytes of a pattern, unlinked, read back by fd. */
static int file_of(size_t n)
{
	char path[] = "/tmp/sandlock-util-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	unlink(path);
	for (size_t i = 0; i < n; i++) {
		char c = (char)('a' + i % 26);
		CHECK_EQ(write(fd, &c, 1), 1);
	}
	return fd;
}

/* The whole file, from offset 0 whatever the fd's position, appended to
 * what b held; the position untouched. */
TEST(buf_read_fd_whole_file)
{
	int fd = file_of(200000); /* several reads of 64 KB */
	CHECK_EQ(lseek(fd, 17, SEEK_SET), 17);
	struct sl_buf b = {0};
	CHECK_EQ(sl_buf_reserve(&b, 3), 0);
	memcpy(b.p, "xyz", 3);
	b.len = 3;
	CHECK_EQ(sl_buf_read_fd(&b, fd, 1u << 20), 0);
	CHECK_EQ(b.len, 200003);
	CHECK(!memcmp(b.p, "xyzabc", 6));
	CHECK_EQ(b.p[3 + 199999], (char)('a' + 199999 % 26));
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 17);
	sl_buf_free(&b);
	close(fd);
}

/* A file at the bound or past it: EFBIG, not a cut copy passed as whole. */
TEST(buf_read_fd_bounded)
{
	int fd = file_of(70000);
	struct sl_buf b = {0};
	CHECK_EQ(sl_buf_read_fd(&b, fd, 65536), -EFBIG);
	sl_buf_free(&b);
	CHECK_EQ(sl_buf_read_fd(&b, fd, 70001), 0);
	CHECK_EQ(b.len, 70000);
	sl_buf_free(&b);
	CHECK_EQ(sl_buf_read_fd(&b, -1, 100), -EBADF);
	CHECK_EQ(b.len, 0);
	sl_buf_free(&b);
	close(fd);
}
