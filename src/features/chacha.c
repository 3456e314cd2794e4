/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chacha.c - ChaCha20 (RFC 8439) as the seeded stream of random_seed.
 * A stream cipher keyed by the seed, not a statistical generator: what
 * a program takes for key material stays unpredictable to anyone without
 * the seed.  The 64-bit block counter runs over the counter word and the
 * nonce's first word, so the stream never repeats within 2^70 bytes.
 */
#include "chacha.h"

#include <string.h>

#define ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QR(a, b, c, d)                                                                             \
	do {                                                                                       \
		a += b;                                                                            \
		d ^= a;                                                                            \
		d = ROTL(d, 16);                                                                   \
		c += d;                                                                            \
		b ^= c;                                                                            \
		b = ROTL(b, 12);                                                                   \
		a += b;                                                                            \
		d ^= a;                                                                            \
		d = ROTL(d, 8);                                                                    \
		c += d;                                                                            \
		b ^= c;                                                                            \
		b = ROTL(b, 7);                                                                    \
	} while (0)

/* A column round then a diagonal round, with the quarter round Q. */
#define DOUBLE_ROUND(Q, x)                                                                         \
	do {                                                                                       \
		Q(x[0], x[4], x[8], x[12]);                                                        \
		Q(x[1], x[5], x[9], x[13]);                                                        \
		Q(x[2], x[6], x[10], x[14]);                                                       \
		Q(x[3], x[7], x[11], x[15]);                                                       \
		Q(x[0], x[5], x[10], x[15]);                                                       \
		Q(x[1], x[6], x[11], x[12]);                                                       \
		Q(x[2], x[7], x[8], x[13]);                                                        \
		Q(x[3], x[4], x[9], x[14]);                                                        \
	} while (0)

void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
		    uint8_t out[64])
{
	uint32_t in[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
	memcpy(&in[4], key, 32);
	in[12] = counter;
	memcpy(&in[13], nonce, 12);
	uint32_t x[16];
	memcpy(x, in, sizeof(x));
	for (int i = 0; i < 10; i++) {
		DOUBLE_ROUND(QR, x);
	}
	for (int i = 0; i < 16; i++) {
		uint32_t v = x[i] + in[i];
		out[4 * i] = (uint8_t)v;
		out[4 * i + 1] = (uint8_t)(v >> 8);
		out[4 * i + 2] = (uint8_t)(v >> 16);
		out[4 * i + 3] = (uint8_t)(v >> 24);
	}
}

/* Four consecutive blocks at once, lane i the block of counter block + i
 * (the 64-bit counter over the counter word and the nonce's first word,
 * as chacha_fill numbers them): the same bytes as four chacha20_block
 * calls, 256 of them, at several times the speed (GCC's vector extension
 * becomes SSE2 or NEON; a 1 MiB /dev/urandom view is made at each open). */
typedef uint32_t v4u32 __attribute__((vector_size(16)));

#define VROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define VQR(a, b, c, d)                                                                            \
	do {                                                                                       \
		a += b;                                                                            \
		d = VROTL(d ^ a, 16);                                                              \
		c += d;                                                                            \
		b = VROTL(b ^ c, 12);                                                              \
		a += b;                                                                            \
		d = VROTL(d ^ a, 8);                                                               \
		c += d;                                                                            \
		b = VROTL(b ^ c, 7);                                                               \
	} while (0)

static void store_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void chacha20_blocks4(const uint32_t key[8], uint64_t block, uint8_t out[256])
{
	v4u32 in[16];
	static const uint32_t sigma[4] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
	for (int j = 0; j < 4; j++)
		in[j] = (v4u32){sigma[j], sigma[j], sigma[j], sigma[j]};
	for (int j = 0; j < 8; j++)
		in[4 + j] = (v4u32){key[j], key[j], key[j], key[j]};
	for (int i = 0; i < 4; i++) {
		in[12][i] = (uint32_t)(block + (uint64_t)i);
		in[13][i] = (uint32_t)((block + (uint64_t)i) >> 32);
	}
	in[14] = in[15] = (v4u32){0, 0, 0, 0};
	v4u32 x[16];
	memcpy(x, in, sizeof(x));
	for (int r = 0; r < 10; r++) {
		DOUBLE_ROUND(VQR, x);
	}
	for (int j = 0; j < 16; j++) {
		v4u32 v = x[j] + in[j];
		for (int i = 0; i < 4; i++)
			store_le32(out + 64 * i + 4 * j, v[i]);
	}
}

void chacha_seed(struct chacha_stream *s, uint64_t seed)
{
	*s = (struct chacha_stream){.used = 64};
	s->key[0] = (uint32_t)seed;
	s->key[1] = (uint32_t)(seed >> 32);
}

void chacha_fill(struct chacha_stream *s, void *out, size_t n)
{
	uint8_t *o = out;
	/* what is left of the current block first, then whole groups of
	 * four blocks straight into out, the tail through the buffer */
	while (n && s->used < 64) {
		size_t k = 64 - s->used < n ? 64 - s->used : n;
		memcpy(o, s->buf + s->used, k);
		s->used += k;
		o += k;
		n -= k;
	}
	for (; n >= 256; n -= 256, o += 256, s->block += 4)
		chacha20_blocks4(s->key, s->block, o);
	while (n) {
		if (s->used == 64) {
			uint32_t nonce[3] = {(uint32_t)(s->block >> 32), 0, 0};
			chacha20_block(s->key, (uint32_t)s->block, nonce, s->buf);
			s->block++;
			s->used = 0;
		}
		size_t k = 64 - s->used < n ? 64 - s->used : n;
		memcpy(o, s->buf + s->used, k);
		s->used += k;
		o += k;
		n -= k;
	}
}
