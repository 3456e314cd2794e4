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
#define OP_JSET_K (BPF_JMP | BPF_JSET | BPF_K)

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

static bool reads_a(const struct sock_filter *f)
{
	switch (BPF_CLASS(f->code)) {
	case BPF_ALU:
	case BPF_ST:
		return true;
	case BPF_JMP:
		return BPF_OP(f->code) != BPF_JA;
	case BPF_RET:
		return BPF_RVAL(f->code) == BPF_A;
	case BPF_MISC:
		return BPF_MISCOP(f->code) == BPF_TAX;
	default:
		return false; /* loads: A is only written */
	}
}

static bool writes_a(const struct sock_filter *f)
{
	int c = BPF_CLASS(f->code);
	return c == BPF_LD || c == BPF_ALU || (c == BPF_MISC && BPF_MISCOP(f->code) == BPF_TXA);
}

/* live[i]: some path from instruction i reads the accumulator before it
 * is written again.  Jumps only go forward: one pass from the end. */
static void mark_live(const struct sock_filter *p, size_t n, bool *live)
{
	for (size_t i = n; i-- > 0;) {
		const struct sock_filter *f = &p[i];
		bool next = false;
		if (BPF_CLASS(f->code) == BPF_JMP) {
			size_t t = i + 1 + (f->code == OP_JA ? f->k : f->jt);
			size_t e = i + 1 + (f->code == OP_JA ? f->k : f->jf);
			next = (t < n && live[t]) || (e < n && live[e]);
		} else if (BPF_CLASS(f->code) != BPF_RET) {
			next = i + 1 < n && live[i + 1];
		}
		live[i] = reads_a(f) || (!writes_a(f) && next);
	}
}

/* "A &= bit; if (A == bit)" where nothing reads A afterwards: "if (A &
 * bit)" in one instruction (a single bit is set or not).  The jump must be
 * reached through the and only. */
static bool single_bit_test(const struct sock_filter *p, size_t i, size_t n, const bool *target,
			    const bool *live)
{
	if (i + 1 >= n || p[i].code != OP_AND_K || p[i + 1].code != OP_JEQ_K ||
	    p[i].k != p[i + 1].k || !p[i].k || (p[i].k & (p[i].k - 1)) || target[i + 1])
		return false;
	size_t t = i + 2 + p[i + 1].jt, e = i + 2 + p[i + 1].jf;
	return t < n && e < n && !live[t] && !live[e];
}

size_t bpfshrink(struct sock_filter *p, size_t n)
{
	bool *target = calloc(n, sizeof(*target)), *drop = calloc(n, sizeof(*drop));
	bool *live = calloc(n, sizeof(*live));
	uint32_t *at = malloc((n + 1) * sizeof(*at));
	if (!target || !drop || !live || !at) {
		free(target);
		free(drop);
		free(live);
		free(at);
		return n; /* unchanged is always correct */
	}
	mark_targets(p, n, target);
	mark_live(p, n, live);
	for (size_t i = 0; i < n; i++)
		if (always_true(p, i, n) && !target[i + 1] && !target[i + 2])
			drop[i] = drop[i + 1] = drop[i + 2] = true;
	for (size_t i = 0; i < n; i++)
		if (!drop[i] && single_bit_test(p, i, n, target, live)) {
			drop[i] = true;
			p[i + 1].code = OP_JSET_K;
		}
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
	free(live);
	free(at);
	return m;
}
