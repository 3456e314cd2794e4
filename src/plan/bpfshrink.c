/* SPDX-License-Identifier: Apache-2.0 */
/* bpfshrink.c - drop libseccomp's always-true high-word tests (see bpfshrink.h). */
#include "bpfshrink.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define OP_LD_ABS (BPF_LD | BPF_W | BPF_ABS)
#define OP_AND_K  (BPF_ALU | BPF_AND | BPF_K)
#define OP_JEQ_K  (BPF_JMP | BPF_JEQ | BPF_K)
#define OP_JA	  (BPF_JMP | BPF_JA)

static bool is_jump(const struct sock_filter *f)
{
	return BPF_CLASS(f->code) == BPF_JMP;
}

/* "A = word; A &= 0; if (A == 0) next": the test cannot fail. */
static bool always_true(const struct sock_filter *p, size_t i, size_t n)
{
	return i + 3 < n && p[i].code == OP_LD_ABS && p[i + 1].code == OP_AND_K &&
	       p[i + 1].k == 0 && p[i + 2].code == OP_JEQ_K && p[i + 2].k == 0 &&
	       p[i + 2].jt == 0 && p[i + 3].code == OP_LD_ABS;
}

/* Marks every instruction some jump lands on (fall-through aside). */
static void mark_targets(const struct sock_filter *p, size_t n, bool *target)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_jump(&p[i]))
			continue;
		if (p[i].code == OP_JA) {
			if (i + 1 + p[i].k < n)
				target[i + 1 + p[i].k] = true;
			continue;
		}
		if (i + 1 + p[i].jt < n)
			target[i + 1 + p[i].jt] = true;
		if (i + 1 + p[i].jf < n)
			target[i + 1 + p[i].jf] = true;
	}
}

/* The new place of old instruction t: its own, or for a removed one the
 * place of the next instruction kept (the triple falls through to it). */
static uint32_t offset_to(const uint32_t *at, size_t from, size_t to)
{
	return at[to] - at[from] - 1;
}

size_t bpfshrink(struct sock_filter *p, size_t n)
{
	bool *target = calloc(n, sizeof(*target)), *drop = calloc(n, sizeof(*drop));
	uint32_t *at = malloc((n + 1) * sizeof(*at));
	if (!target || !drop || !at) {
		free(target);
		free(drop);
		free(at);
		return n; /* unchanged is always correct */
	}
	mark_targets(p, n, target);
	for (size_t i = 0; i < n; i++)
		if (always_true(p, i, n) && !target[i + 1] && !target[i + 2])
			drop[i] = drop[i + 1] = drop[i + 2] = true;
	/* kept instructions, and the last one, number themselves; a dropped
	 * one takes the number of the next kept one */
	at[n] = 0;
	for (size_t i = 0; i < n; i++)
		at[n] += !drop[i];
	for (size_t i = n; i-- > 0;)
		at[i] = drop[i] ? at[i + 1] : at[i + 1] - 1;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (drop[i])
			continue;
		struct sock_filter f = p[i];
		if (f.code == OP_JA)
			f.k = offset_to(at, i, i + 1 + p[i].k);
		else if (is_jump(&f)) {
			/* shorter, never longer: still fits in 8 bits */
			f.jt = (uint8_t)offset_to(at, i, i + 1 + p[i].jt);
			f.jf = (uint8_t)offset_to(at, i, i + 1 + p[i].jf);
		}
		p[m++] = f;
	}
	free(target);
	free(drop);
	free(at);
	return m;
}
