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
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++) {
		uint32_t v = x[i] + in[i];
		out[4 * i] = (uint8_t)v;
		out[4 * i + 1] = (uint8_t)(v >> 8);
		out[4 * i + 2] = (uint8_t)(v >> 16);
		out[4 * i + 3] = (uint8_t)(v >> 24);
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
