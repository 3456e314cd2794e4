/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the synthetic files' contents (src/features/hostname.c). */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "netplan.h"
#include "chacha.h"
#include "synthetic.h"

/* The builder's text, NUL-terminated, or NULL with its error in *r. */
static char *built(synth_build_fn fn, const struct synth_src *src, int *r)
{
	static char text[1024];
	struct sl_buf b = {0};
	*r = fn(&b, src);
	if (*r < 0 || b.len >= sizeof(text)) {
		sl_buf_free(&b);
		return NULL;
	}
	memcpy(text, b.p, b.len);
	text[b.len] = 0;
	sl_buf_free(&b);
	return text;
}

TEST(synthetic_hostname_is_the_name)
{
	struct synth_src src = {.name = "box-7"};
	int r;
	CHECK_STR(built(hostname_file, &src, &r), "box-7\n");
	CHECK_EQ(r, 0);
}

TEST(synthetic_hosts_loopback_and_the_name)
{
	struct synth_src src = {.name = "box-7"};
	int r;
	CHECK_STR(built(hostname_hosts, &src, &r), "127.0.0.1 localhost\n"
						   "::1 localhost ip6-localhost ip6-loopback\n"
						   "127.0.1.1 box-7\n");
	CHECK_EQ(r, 0);
}

/* The network rules' pins follow the fixed lines, in their order. */
TEST(synthetic_hosts_pins_appended)
{
	const struct netplan_pin pins[] = {
	    {"93.184.215.14", "example.com"},
	    {"2606:2800:21f:cb07:6820:80da:af6b:8b2c", "example.com"},
	    {"10.0.0.1", "db.internal"},
	};
	struct synth_src src = {.name = "b", .pins = pins, .npins = 3};
	int r;
	CHECK_STR(built(hostname_hosts, &src, &r),
		  "127.0.0.1 localhost\n"
		  "::1 localhost ip6-localhost ip6-loopback\n"
		  "127.0.1.1 b\n"
		  "93.184.215.14 example.com\n"
		  "2606:2800:21f:cb07:6820:80da:af6b:8b2c example.com\n"
		  "10.0.0.1 db.internal\n");
	CHECK_EQ(r, 0);
}

/* A pin that is not one word would add a line, split one, or comment the
 * rest of its line out: refused. */
TEST(synthetic_hosts_pin_not_one_word_refused)
{
	static const char *const bad[] = {"", "a b", "a\tb", "a\nb", "a#b", "a\rb", "a\x7f"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (int field = 0; field < 2; field++) {
			struct netplan_pin pin = {(char *)(field ? "10.0.0.1" : bad[i]),
						  (char *)(field ? bad[i] : "host")};
			struct synth_src src = {.name = "b", .pins = &pin, .npins = 1};
			int r;
			CHECK(built(hostname_hosts, &src, &r) == NULL);
			CHECK_EQ(r, -EINVAL);
		}
}

TEST(synthetic_cpus_range)
{
	int r;
	struct synth_src one = {.ncpus = 1}, three = {.ncpus = 3};
	CHECK_STR(built(cpus_range, &one, &r), "0\n");
	CHECK_STR(built(cpus_range, &three, &r), "0-2\n");
	CHECK_EQ(r, 0);
}

/* The host's blocks, the first n kept and numbered from 0; a block that is
 * no processor's kept as it is. */
TEST(synthetic_cpuinfo_keeps_n_blocks)
{
	static const char host[] = "processor\t: 4\nflags\t\t: fpu\n\n"
				   "processor\t: 7\nflags\t\t: vme\n\n"
				   "processor : 9\nflags\t\t: x\n\n"
				   "Hardware\t: board\n";
	struct synth_src src = {.ncpus = 2, .host = host, .host_len = sizeof(host) - 1};
	int r;
	CHECK_STR(built(cpus_cpuinfo, &src, &r), "processor\t: 0\nflags\t\t: fpu\n\n"
						 "processor\t: 1\nflags\t\t: vme\n\n"
						 "Hardware\t: board\n");
	CHECK_EQ(r, 0);
	/* a block with no newline after its processor line */
	struct sl_buf b = {0};
	CHECK_EQ(cpus_cpuinfo_keep(&b, "processor: 3", 12, 1), 1);
	CHECK_EQ((long)b.len, 14);
	CHECK(memcmp(b.p, "processor\t: 0\n", 14) == 0);
	sl_buf_free(&b);
}

/* Fewer blocks than n, or none (an unreadable file): blocks of our own. */
TEST(synthetic_cpuinfo_made_up_when_the_host_says_less)
{
	static const char host[] = "processor\t: 0\nflags\t\t: fpu\n\n";
	struct synth_src src = {.ncpus = 2, .host = host, .host_len = sizeof(host) - 1};
	int r;
	static const char two[] =
	    "processor\t: 0\nmodel name\t: Virtual CPU\ncpu MHz\t\t: 2400.000\n\n"
	    "processor\t: 1\nmodel name\t: Virtual CPU\ncpu MHz\t\t: 2400.000\n\n";
	CHECK_STR(built(cpus_cpuinfo, &src, &r), two);
	src.host = NULL;
	CHECK_STR(built(cpus_cpuinfo, &src, &r), two);
	CHECK_EQ(r, 0);
}

/* RFC 8439, 2.3.2: the block function's test vector. */
TEST(chacha20_block_rfc8439)
{
	uint32_t key[8], nonce[3] = {0x09000000, 0x4a000000, 0};
	uint8_t kb[32], out[64];
	for (int i = 0; i < 32; i++)
		kb[i] = (uint8_t)i;
	memcpy(key, kb, 32);
	chacha20_block(key, 1, nonce, out);
	static const uint8_t head[16] = {0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15,
					 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4};
	static const uint8_t tail[16] = {0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9,
					 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e};
	CHECK(memcmp(out, head, 16) == 0);
	CHECK(memcmp(out + 48, tail, 16) == 0);
}

/* Blocks made four at a time are the block function's, across the
 * counter word's wrap into the nonce's first word too. */
TEST(chacha_four_blocks_are_the_block_function)
{
	static uint8_t fast[512], slow[512];
	struct chacha_stream s;
	chacha_seed(&s, 7);
	s.block = 0xfffffffeULL;
	chacha_fill(&s, fast, sizeof(fast));
	CHECK_EQ(s.block, 0x100000006ULL);
	for (uint64_t b = 0; b < 8; b++) {
		uint64_t n = 0xfffffffeULL + b;
		uint32_t nonce[3] = {(uint32_t)(n >> 32), 0, 0};
		chacha20_block(s.key, (uint32_t)n, nonce, slow + 64 * b);
	}
	CHECK(memcmp(fast, slow, sizeof(fast)) == 0);
}

/* The stream is the same however it is cut; another seed differs. */
TEST(chacha_stream_cut_anywhere)
{
	static uint8_t whole[1000], parts[1000], other[1000];
	struct chacha_stream s;
	chacha_seed(&s, 42);
	chacha_fill(&s, whole, sizeof(whole));
	chacha_seed(&s, 42);
	for (size_t at = 0, k = 1; at < sizeof(parts); at += k, k = k * 3 % 97 + 1)
		chacha_fill(&s, parts + at, k < sizeof(parts) - at ? k : sizeof(parts) - at);
	CHECK(memcmp(whole, parts, sizeof(whole)) == 0);
	chacha_seed(&s, 43);
	chacha_fill(&s, other, sizeof(other));
	CHECK(memcmp(whole, other, sizeof(whole)) != 0);
}
