/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chacha.h - the ChaCha20 block function (RFC 8439, 2.3) as a keyed byte
 * stream: random_seed's numbers.  Pure.
 */
#ifndef SL_CHACHA_H
#define SL_CHACHA_H

#include <stddef.h>
#include <stdint.h>

struct chacha_stream {
	uint32_t key[8];
	uint64_t block; /* the next block's counter */
	uint8_t buf[64];
	size_t used; /* bytes of buf already given out (64: none left) */
};

/* One block: the state from key, a 32-bit counter and a 96-bit nonce. */
void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
		    uint8_t out[64]);
/* The stream keyed by the seed (little-endian in the key's first 8 bytes,
 * the rest zero). */
void chacha_seed(struct chacha_stream *s, uint64_t seed);
/* The next n bytes of the stream. */
void chacha_fill(struct chacha_stream *s, void *out, size_t n);

#endif
