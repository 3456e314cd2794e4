/* SPDX-License-Identifier: Apache-2.0 */
/* bpfrun.c - a classic-BPF interpreter for seccomp programs (see bpfrun.h). */
#include "bpfrun.h"

#include <stdbool.h>
#include <string.h>

/* Reads 32 bits of data at byte offset k (aligned, inside it). */
static bool load(const struct seccomp_data *d, uint32_t k, uint32_t *out)
{
	if (k % 4 || k + 4 > sizeof(*d))
		return false;
	memcpy(out, (const char *)d + k, 4);
	return true;
}

static bool alu(uint16_t code, uint32_t *a, uint32_t k)
{
	switch (BPF_OP(code)) {
	case BPF_AND:
		*a &= k;
		return true;
	case BPF_OR:
		*a |= k;
		return true;
	case BPF_ADD:
		*a += k;
		return true;
	case BPF_SUB:
		*a -= k;
		return true;
	case BPF_LSH:
		*a = k < 32 ? *a << k : 0;
		return true;
	case BPF_RSH:
		*a = k < 32 ? *a >> k : 0;
		return true;
	default:
		return false;
	}
}

static bool cond(uint16_t code, uint32_t a, uint32_t k, bool *taken)
{
	switch (BPF_OP(code)) {
	case BPF_JEQ:
		*taken = a == k;
		return true;
	case BPF_JGT:
		*taken = a > k;
		return true;
	case BPF_JGE:
		*taken = a >= k;
		return true;
	case BPF_JSET:
		*taken = (a & k) != 0;
		return true;
	default:
		return false;
	}
}

uint32_t bpfrun(const struct sock_filter *p, size_t n, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *f = &p[pc];
		bool taken;
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (f->code == (BPF_LD | BPF_W | BPF_ABS) && load(d, f->k, &a))
				break;
			if (f->code == (BPF_LD | BPF_MEM) && f->k < BPF_MEMWORDS) {
				a = mem[f->k];
				break;
			}
			return BPFRUN_NO_RESULT;
		case BPF_ST:
			if (f->k >= BPF_MEMWORDS)
				return BPFRUN_NO_RESULT;
			mem[f->k] = a;
			break;
		case BPF_ALU:
			if (BPF_SRC(f->code) != BPF_K || !alu(f->code, &a, f->k))
				return BPFRUN_NO_RESULT;
			break;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA) {
				pc += f->k;
				break;
			}
			if (BPF_SRC(f->code) != BPF_K || !cond(f->code, a, f->k, &taken))
				return BPFRUN_NO_RESULT;
			pc += taken ? f->jt : f->jf;
			break;
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_K ? f->k : a;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			return BPFRUN_NO_RESULT;
		}
	}
	return BPFRUN_NO_RESULT;
}
