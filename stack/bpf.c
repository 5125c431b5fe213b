/*
 * bpf.c - the classic BPF machine, after net/core/filter.c (Linux 6.13):
 * bpf_check_classic and check_load_and_stores for the checker, and the
 * semantics of the classic interpreter (the kernel now converts cBPF to
 * eBPF first; the results are the same). Disassembly follows libpcap's
 * bpf_image, so the text matches `tcpdump -d` line for line (one addition:
 * libpcap never emits `ldx #pktlen` and prints it as "unimp 0x81"; we
 * name it).
 * Left out: the eBPF conversion and JIT; ancillary loads (SKF_AD_*, which
 * the checker rejects) and the SKF_NET_OFF/SKF_LL_OFF negative offsets,
 * which here are simply out of the packet and so return 0.
 * Choices where Linux and libpcap differ: shifts by X >= 32 use the count
 * modulo 32 (Linux; libpcap yields 0); an IND offset X + k that wraps past
 * 2^32 is out of the packet (libpcap; Linux computes it as a signed int).
 */
#include "bpf.h"
#include "skbuff.h"
#include "netns.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The machine: accumulator, index register, scratch memory, the packet. */
struct bpf_vm {
	uint32_t A, X, pc;
	uint32_t *M;
	const uint8_t *pkt;
	uint32_t buflen, wirelen;
	uint32_t ret;
};

#define VM_NEXT 0
#define VM_RET	1

/* ---------------------------------------------------------------- checker */

static int check_fail(char *err, size_t errlen, uint32_t pc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int check_fail(char *err, size_t errlen, uint32_t pc, const char *fmt, ...)
{
	if (err && errlen) {
		int n = snprintf(err, errlen, "insn %u: ", pc);
		va_list ap;
		va_start(ap, fmt);
		if (n >= 0 && (size_t)n < errlen)
			vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* The opcodes Linux's codes[] table admits (chk_code_allowed). Anything
 * else, e.g. RET X or a LD with BPF_H|BPF_IMM, is rejected. */
static int code_allowed(uint16_t code)
{
	switch (code) {
	case BPF_ALU | BPF_ADD | BPF_K: case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K: case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K: case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_K: case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_MOD | BPF_K: case BPF_ALU | BPF_MOD | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K: case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K:  case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K: case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_LD | BPF_W | BPF_ABS: case BPF_LD | BPF_H | BPF_ABS: case BPF_LD | BPF_B | BPF_ABS:
	case BPF_LD | BPF_W | BPF_IND: case BPF_LD | BPF_H | BPF_IND: case BPF_LD | BPF_B | BPF_IND:
	case BPF_LD | BPF_W | BPF_LEN: case BPF_LD | BPF_IMM: case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_W | BPF_LEN: case BPF_LDX | BPF_B | BPF_MSH:
	case BPF_LDX | BPF_IMM: case BPF_LDX | BPF_MEM:
	case BPF_ST: case BPF_STX:
	case BPF_MISC | BPF_TAX: case BPF_MISC | BPF_TXA:
	case BPF_RET | BPF_K: case BPF_RET | BPF_A:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
		return 1;
	default:
		return 0;
	}
}

static int is_cond_jump(uint16_t code)
{
	return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

/* One instruction's own rules, in bpf_check_classic's order. Jump offsets
 * are unsigned, so "forward" is automatic; only "inside" needs checking. */
static int check_insn(const struct sock_filter *f, uint32_t pc, uint32_t len, char *err, size_t errlen)
{
	uint16_t c = f->code;

	if (!code_allowed(c))
		return check_fail(err, errlen, pc, "unknown or disallowed opcode 0x%02x", c);
	if ((c == (BPF_ALU | BPF_DIV | BPF_K) || c == (BPF_ALU | BPF_MOD | BPF_K)) && f->k == 0)
		return check_fail(err, errlen, pc, "division by constant zero");
	if ((c == (BPF_ALU | BPF_LSH | BPF_K) || c == (BPF_ALU | BPF_RSH | BPF_K)) && f->k >= 32)
		return check_fail(err, errlen, pc, "shift by constant %u (must be < 32)", f->k);
	if ((c == (BPF_LD | BPF_MEM) || c == (BPF_LDX | BPF_MEM) || c == BPF_ST || c == BPF_STX) &&
	    f->k >= NJ_BPF_MEMWORDS)
		return check_fail(err, errlen, pc, "memory index M[%u] out of range (0..15)", f->k);
	if (c == (BPF_JMP | BPF_JA) && f->k >= len - pc - 1)
		return check_fail(err, errlen, pc, "ja target %llu is outside the program (length %u)",
				  (unsigned long long)pc + 1 + f->k, len);
	if (is_cond_jump(c) && (pc + 1 + f->jt >= len || pc + 1 + f->jf >= len))
		return check_fail(err, errlen, pc, "jump target jt %u / jf %u is outside the program (length %u)",
				  pc + 1 + f->jt, pc + 1 + f->jf, len);
	if (BPF_CLASS(c) == BPF_LD && BPF_MODE(c) == BPF_ABS && f->k >= (uint32_t)SKF_AD_OFF)
		return check_fail(err, errlen, pc, "ancillary load SKF_AD_OFF%+d not supported",
				  (int)(f->k - (uint32_t)SKF_AD_OFF));
	return 0;
}

/* check_load_and_stores: a scratch word may only be read when every path
 * to the read stored it first. Jumps only go forward, so one pass works:
 * each jump narrows its targets' "known written" mask. */
static int check_load_and_stores(const struct sock_filter *f, uint32_t len, char *err, size_t errlen)
{
	uint16_t *masks = malloc(len * sizeof(*masks)), valid = 0;
	int ret = 0;

	if (!masks)
		return -ENOMEM;
	memset(masks, 0xff, len * sizeof(*masks));
	for (uint32_t pc = 0; pc < len && !ret; pc++) {
		uint16_t c = f[pc].code;
		valid &= masks[pc];
		if (c == BPF_ST || c == BPF_STX)
			valid |= (uint16_t)(1u << f[pc].k);
		else if ((c == (BPF_LD | BPF_MEM) || c == (BPF_LDX | BPF_MEM)) && !(valid & (1u << f[pc].k)))
			ret = check_fail(err, errlen, pc, "M[%u] may be read before it is written", f[pc].k);
		else if (c == (BPF_JMP | BPF_JA)) {
			masks[pc + 1 + f[pc].k] &= valid;
			valid = 0xffff;	/* nothing falls through a JA */
		} else if (is_cond_jump(c)) {
			masks[pc + 1 + f[pc].jt] &= valid;
			masks[pc + 1 + f[pc].jf] &= valid;
			valid = 0xffff;
		}
	}
	free(masks);
	return ret;
}

int bpf_check_classic(const struct sock_filter *insns, uint32_t len, char *err, size_t errlen)
{
	if (!insns || len == 0 || len > NJ_BPF_MAXINSNS) {
		if (err && errlen)
			snprintf(err, errlen, "program length %u not in 1..%d", len, NJ_BPF_MAXINSNS);
		return -EINVAL;
	}
	for (uint32_t pc = 0; pc < len; pc++)
		if (check_insn(&insns[pc], pc, len, err, errlen))
			return -EINVAL;
	uint16_t last = insns[len - 1].code;
	if (last != (BPF_RET | BPF_K) && last != (BPF_RET | BPF_A))
		return check_fail(err, errlen, len - 1, "last instruction is not a return (ret #k or ret a)");
	return check_load_and_stores(insns, len, err, errlen);
}

int bpf_prog_create(struct bpf_prog **out, const struct sock_filter *insns, uint32_t len,
		    char *err, size_t errlen)
{
	*out = NULL;
	int r = bpf_check_classic(insns, len, err, errlen);
	if (r)
		return r;
	struct bpf_prog *p = calloc(1, sizeof(*p));
	if (!p || !(p->insns = malloc(len * sizeof(*insns)))) {
		free(p);
		return -ENOMEM;
	}
	memcpy(p->insns, insns, len * sizeof(*insns));
	p->len = len;
	*out = p;
	return 0;
}

void bpf_prog_destroy(struct bpf_prog *prog)
{
	if (!prog)
		return;
	free(prog->insns);
	free(prog->expr);
	free(prog);
}

/* ------------------------------------------------------------ interpreter */

/* Big-endian reads; bounds are checked by the caller. */
#define RD32(p) ((uint32_t)(p)[0] << 24 | (uint32_t)(p)[1] << 16 | (uint32_t)(p)[2] << 8 | (p)[3])
#define RD16(p) ((uint32_t)(p)[0] << 8 | (p)[1])
/* [off, off+size) inside the buffer, written so that off + size cannot wrap. */
#define INSIDE(off, size) ((off) <= buflen && (size) <= buflen - (off))

/*
 * The stepping engine, one helper per class, recording into *st: clear to
 * read, and used by the traced run and bpf_prog_step. bpf_prog_run_wire
 * below is the fast path with the same semantics.
 */

/* ABS and IND loads (into A) and MSH (into X). IND adds X to k and, like
 * libpcap, refuses a sum that wraps past 2^32 rather than wrapping. */
static int exec_pkt_load(const struct sock_filter *f, struct bpf_vm *vm, struct bpf_step *st)
{
	uint32_t mode = BPF_MODE(f->code), buflen = vm->buflen;
	uint32_t size = mode == BPF_MSH || BPF_SIZE(f->code) == BPF_B ? 1 : BPF_SIZE(f->code) == BPF_H ? 2 : 4;
	uint32_t off = mode == BPF_IND ? vm->X + f->k : f->k;
	const uint8_t *p = vm->pkt + off;

	st->loaded = 1;
	st->load_off = off;
	st->load_size = size;
	if ((mode == BPF_IND && vm->X > UINT32_MAX - f->k) || !INSIDE(off, size)) {
		st->load_fault = 1;
		vm->ret = 0;		/* out of the packet: the filter rejects */
		return VM_RET;
	}
	st->load_val = size == 4 ? RD32(p) : size == 2 ? RD16(p) : p[0];
	if (mode == BPF_MSH)
		vm->X = (st->load_val & 0xf) << 2;	/* the IPv4 header length in bytes */
	else
		vm->A = st->load_val;
	vm->pc++;
	return VM_NEXT;
}

/* The scratch index is masked although the checker already bounds it: a
 * hand-made struct bpf_prog then cannot write outside M[]. */
static int exec_ld(const struct sock_filter *f, struct bpf_vm *vm, struct bpf_step *st)
{
	uint32_t *r = BPF_CLASS(f->code) == BPF_LD ? &vm->A : &vm->X;

	switch (BPF_MODE(f->code)) {
	case BPF_IMM: *r = f->k; break;
	case BPF_MEM: *r = vm->M[f->k & (NJ_BPF_MEMWORDS - 1)]; break;
	case BPF_LEN: *r = vm->wirelen; break;
	default: return exec_pkt_load(f, vm, st);
	}
	vm->pc++;
	return VM_NEXT;
}

/* ALU: unsigned 32-bit. Division or modulo by X == 0 ends the program
 * with 0 (the kernel's converter emits exactly that test). */
static int exec_alu(const struct sock_filter *f, struct bpf_vm *vm)
{
	uint32_t v = BPF_SRC(f->code) == BPF_X ? vm->X : f->k;

	switch (BPF_OP(f->code)) {
	case BPF_ADD: vm->A += v; break;
	case BPF_SUB: vm->A -= v; break;
	case BPF_MUL: vm->A *= v; break;
	case BPF_DIV: if (!v) goto div0; vm->A /= v; break;
	case BPF_MOD: if (!v) goto div0; vm->A %= v; break;
	case BPF_AND: vm->A &= v; break;
	case BPF_OR: vm->A |= v; break;
	case BPF_XOR: vm->A ^= v; break;
	case BPF_LSH: vm->A <<= (v & 31); break;
	case BPF_RSH: vm->A >>= (v & 31); break;
	case BPF_NEG: vm->A = 0u - vm->A; break;
	}
	vm->pc++;
	return VM_NEXT;
div0:
	vm->ret = 0;
	return VM_RET;
}

static void exec_jmp(const struct sock_filter *f, struct bpf_vm *vm, struct bpf_step *st)
{
	uint32_t v = BPF_SRC(f->code) == BPF_X ? vm->X : f->k;
	int taken;

	switch (BPF_OP(f->code)) {
	case BPF_JA: vm->pc += 1 + f->k; return;
	case BPF_JEQ: taken = vm->A == v; break;
	case BPF_JGT: taken = vm->A > v; break;
	case BPF_JGE: taken = vm->A >= v; break;
	default: taken = (vm->A & v) != 0; break;	/* JSET */
	}
	vm->pc += 1u + (taken ? f->jt : f->jf);
	st->jumped = taken;
}

/* One instruction of a checked program. */
static int exec_one(const struct sock_filter *f, struct bpf_vm *vm, struct bpf_step *st)
{
	switch (BPF_CLASS(f->code)) {
	case BPF_LD:
	case BPF_LDX: return exec_ld(f, vm, st);
	case BPF_ST: vm->M[f->k & (NJ_BPF_MEMWORDS - 1)] = vm->A; break;
	case BPF_STX: vm->M[f->k & (NJ_BPF_MEMWORDS - 1)] = vm->X; break;
	case BPF_ALU: return exec_alu(f, vm);
	case BPF_JMP: exec_jmp(f, vm, st); return VM_NEXT;
	case BPF_RET:
		vm->ret = BPF_RVAL(f->code) == BPF_A ? vm->A : f->k;
		return VM_RET;
	case BPF_MISC:
		if (BPF_MISCOP(f->code) == BPF_TAX)
			vm->X = vm->A;
		else
			vm->A = vm->X;
		break;
	}
	vm->pc++;
	return VM_NEXT;
}

/*
 * The fast path: one flat switch on the full opcode with the machine in
 * locals, as libpcap's bpf_filter is written. It is longer than the house
 * limit on purpose: the per-class helpers above (for stepping) ran at
 * half this speed. Semantics are the same; test_bpf and tests/bpf check
 * both paths against each other and against libpcap.
 */
uint32_t bpf_prog_run_wire(const struct bpf_prog *prog, const uint8_t *p, uint32_t buflen,
			   uint32_t wirelen)
{
	const struct sock_filter *pc = prog->insns;
	uint32_t A = 0, X = 0, k, M[NJ_BPF_MEMWORDS];

	/* M needs no clearing: the checker proved every read follows a write.
	 * pc stays inside: jumps were checked and the last insn returns. */
	for (;; pc++) {
		switch (pc->code) {
		case BPF_RET | BPF_K: return pc->k;
		case BPF_RET | BPF_A: return A;
		case BPF_LD | BPF_W | BPF_ABS: k = pc->k; if (!INSIDE(k, 4)) return 0; A = RD32(p + k); break;
		case BPF_LD | BPF_H | BPF_ABS: k = pc->k; if (!INSIDE(k, 2)) return 0; A = RD16(p + k); break;
		case BPF_LD | BPF_B | BPF_ABS: k = pc->k; if (!INSIDE(k, 1)) return 0; A = p[k]; break;
		case BPF_LD | BPF_W | BPF_IND:
			if (X > UINT32_MAX - pc->k || !INSIDE(X + pc->k, 4)) return 0;
			A = RD32(p + X + pc->k); break;
		case BPF_LD | BPF_H | BPF_IND:
			if (X > UINT32_MAX - pc->k || !INSIDE(X + pc->k, 2)) return 0;
			A = RD16(p + X + pc->k); break;
		case BPF_LD | BPF_B | BPF_IND:
			if (X > UINT32_MAX - pc->k || !INSIDE(X + pc->k, 1)) return 0;
			A = p[X + pc->k]; break;
		case BPF_LDX | BPF_B | BPF_MSH: k = pc->k; if (!INSIDE(k, 1)) return 0; X = (p[k] & 0xf) << 2; break;
		case BPF_LD | BPF_W | BPF_LEN: A = wirelen; break;
		case BPF_LDX | BPF_W | BPF_LEN: X = wirelen; break;
		case BPF_LD | BPF_IMM: A = pc->k; break;
		case BPF_LDX | BPF_IMM: X = pc->k; break;
		case BPF_LD | BPF_MEM: A = M[pc->k & (NJ_BPF_MEMWORDS - 1)]; break;
		case BPF_LDX | BPF_MEM: X = M[pc->k & (NJ_BPF_MEMWORDS - 1)]; break;
		case BPF_ST: M[pc->k & (NJ_BPF_MEMWORDS - 1)] = A; break;
		case BPF_STX: M[pc->k & (NJ_BPF_MEMWORDS - 1)] = X; break;
		case BPF_JMP | BPF_JA: pc += pc->k; break;
		case BPF_JMP | BPF_JEQ | BPF_K: pc += A == pc->k ? pc->jt : pc->jf; break;
		case BPF_JMP | BPF_JGT | BPF_K: pc += A > pc->k ? pc->jt : pc->jf; break;
		case BPF_JMP | BPF_JGE | BPF_K: pc += A >= pc->k ? pc->jt : pc->jf; break;
		case BPF_JMP | BPF_JSET | BPF_K: pc += A & pc->k ? pc->jt : pc->jf; break;
		case BPF_JMP | BPF_JEQ | BPF_X: pc += A == X ? pc->jt : pc->jf; break;
		case BPF_JMP | BPF_JGT | BPF_X: pc += A > X ? pc->jt : pc->jf; break;
		case BPF_JMP | BPF_JGE | BPF_X: pc += A >= X ? pc->jt : pc->jf; break;
		case BPF_JMP | BPF_JSET | BPF_X: pc += A & X ? pc->jt : pc->jf; break;
		case BPF_ALU | BPF_ADD | BPF_X: A += X; break;
		case BPF_ALU | BPF_SUB | BPF_X: A -= X; break;
		case BPF_ALU | BPF_MUL | BPF_X: A *= X; break;
		case BPF_ALU | BPF_DIV | BPF_X: if (!X) return 0; A /= X; break;
		case BPF_ALU | BPF_MOD | BPF_X: if (!X) return 0; A %= X; break;
		case BPF_ALU | BPF_AND | BPF_X: A &= X; break;
		case BPF_ALU | BPF_OR | BPF_X: A |= X; break;
		case BPF_ALU | BPF_XOR | BPF_X: A ^= X; break;
		case BPF_ALU | BPF_LSH | BPF_X: A <<= (X & 31); break;
		case BPF_ALU | BPF_RSH | BPF_X: A >>= (X & 31); break;
		case BPF_ALU | BPF_ADD | BPF_K: A += pc->k; break;
		case BPF_ALU | BPF_SUB | BPF_K: A -= pc->k; break;
		case BPF_ALU | BPF_MUL | BPF_K: A *= pc->k; break;
		case BPF_ALU | BPF_DIV | BPF_K: A /= pc->k; break;	/* k != 0: checked */
		case BPF_ALU | BPF_MOD | BPF_K: A %= pc->k; break;
		case BPF_ALU | BPF_AND | BPF_K: A &= pc->k; break;
		case BPF_ALU | BPF_OR | BPF_K: A |= pc->k; break;
		case BPF_ALU | BPF_XOR | BPF_K: A ^= pc->k; break;
		case BPF_ALU | BPF_LSH | BPF_K: A <<= (pc->k & 31); break;
		case BPF_ALU | BPF_RSH | BPF_K: A >>= (pc->k & 31); break;
		case BPF_ALU | BPF_NEG: A = 0u - A; break;
		case BPF_MISC | BPF_TAX: X = A; break;
		case BPF_MISC | BPF_TXA: A = X; break;
		default: return 0;	/* unreachable for a checked program */
		}
	}
}

uint32_t bpf_prog_run(const struct bpf_prog *prog, const uint8_t *pkt, uint32_t len)
{
	return bpf_prog_run_wire(prog, pkt, len, len);
}

int bpf_prog_step(const struct bpf_prog *prog, const uint8_t *pkt, uint32_t buflen, uint32_t wirelen,
		  uint32_t *A, uint32_t *X, uint32_t M[NJ_BPF_MEMWORDS], struct bpf_step *st)
{
	struct bpf_vm vm = { .A = *A, .X = *X, .pc = st->pc, .M = M, .pkt = pkt,
			     .buflen = buflen, .wirelen = wirelen };
	uint32_t pc = st->pc;

	memset(st, 0, sizeof(*st));
	st->pc = pc;
	st->jumped = -1;
	st->a_before = *A;
	st->x_before = *X;
	if (pc >= prog->len) {		/* only reachable with a bad caller pc */
		st->ret = 1;
		return 1;
	}
	st->ret = exec_one(&prog->insns[pc], &vm, st) == VM_RET;
	st->ret_val = vm.ret;
	st->next_pc = vm.pc;
	st->a = *A = vm.A;
	st->x = *X = vm.X;
	return st->ret;
}

/* ----------------------------------------------------------- disassembler */

/* Mnemonic and operand format for one opcode, as libpcap's bpf_image
 * spells them; values print as signed (%d) where libpcap does. */
struct insn_fmt {
	const char *op, *fmt;
};

static struct insn_fmt alu_fmt(uint16_t c)
{
	static const char *ops[] = { "add", "sub", "mul", "div", "or", "and", "lsh", "rsh", "neg", "mod", "xor" };
	uint32_t o = BPF_OP(c) >> 4;
	if (o > 10)
		return (struct insn_fmt){ "unimp", "0x%x" };
	if (BPF_OP(c) == BPF_NEG)
		return (struct insn_fmt){ "neg", "" };
	if (BPF_SRC(c) == BPF_X)
		return (struct insn_fmt){ ops[o], "x" };
	int hex = BPF_OP(c) == BPF_AND || BPF_OP(c) == BPF_OR || BPF_OP(c) == BPF_XOR;
	return (struct insn_fmt){ ops[o], hex ? "#0x%x" : "#%d" };
}

static struct insn_fmt ld_fmt(uint16_t c)
{
	static const char *ld[] = { "ld", "ldh", "ldb" };
	const char *op = ld[BPF_SIZE(c) >> 3 < 3 ? BPF_SIZE(c) >> 3 : 0];
	switch (c) {
	case BPF_LD | BPF_W | BPF_ABS: case BPF_LD | BPF_H | BPF_ABS: case BPF_LD | BPF_B | BPF_ABS:
		return (struct insn_fmt){ op, "[%d]" };
	case BPF_LD | BPF_W | BPF_IND: case BPF_LD | BPF_H | BPF_IND: case BPF_LD | BPF_B | BPF_IND:
		return (struct insn_fmt){ op, "[x + %d]" };
	case BPF_LD | BPF_W | BPF_LEN: return (struct insn_fmt){ "ld", "#pktlen" };
	case BPF_LDX | BPF_W | BPF_LEN: return (struct insn_fmt){ "ldx", "#pktlen" };
	case BPF_LD | BPF_IMM: return (struct insn_fmt){ "ld", "#0x%x" };
	case BPF_LDX | BPF_IMM: return (struct insn_fmt){ "ldx", "#0x%x" };
	case BPF_LD | BPF_MEM: return (struct insn_fmt){ "ld", "M[%d]" };
	case BPF_LDX | BPF_MEM: return (struct insn_fmt){ "ldx", "M[%d]" };
	case BPF_LDX | BPF_B | BPF_MSH: return (struct insn_fmt){ "ldxb", "4*([%d]&0xf)" };
	default: return (struct insn_fmt){ "unimp", "0x%x" };
	}
}

static struct insn_fmt jmp_fmt(uint16_t c)
{
	static const char *ops[] = { "ja", "jeq", "jgt", "jge", "jset" };
	uint32_t o = BPF_OP(c) >> 4;
	if (o > 4)
		return (struct insn_fmt){ "unimp", "0x%x" };
	if (BPF_OP(c) == BPF_JA)
		return (struct insn_fmt){ "ja", "%d" };
	return (struct insn_fmt){ ops[o], BPF_SRC(c) == BPF_X ? "x" : "#0x%x" };
}

static struct insn_fmt insn_fmt_of(uint16_t c)
{
	switch (BPF_CLASS(c)) {
	case BPF_LD: case BPF_LDX: return ld_fmt(c);
	case BPF_ST: if (c == BPF_ST) return (struct insn_fmt){ "st", "M[%d]" }; break;
	case BPF_STX: if (c == BPF_STX) return (struct insn_fmt){ "stx", "M[%d]" }; break;
	case BPF_ALU: return alu_fmt(c);
	case BPF_JMP: return jmp_fmt(c);
	case BPF_RET:
		if (c == (BPF_RET | BPF_K)) return (struct insn_fmt){ "ret", "#%d" };
		/* libpcap prints RET A with no operand, and has no RET X. */
		if (c == (BPF_RET | BPF_A)) return (struct insn_fmt){ "ret", "" };
		break;
	case BPF_MISC:
		if (c == (BPF_MISC | BPF_TAX)) return (struct insn_fmt){ "tax", "" };
		if (c == (BPF_MISC | BPF_TXA)) return (struct insn_fmt){ "txa", "" };
		break;
	}
	return (struct insn_fmt){ "unimp", "0x%x" };
}

char *bpf_insn_image(const struct sock_filter *insn, uint32_t pc, char *buf, size_t n)
{
	struct insn_fmt f = insn_fmt_of(insn->code);
	char operand[64];
	uint32_t v = insn->k;

	if (!strcmp(f.op, "unimp"))
		v = insn->code;
	else if (!strcmp(f.op, "ja"))
		v = pc + 1 + insn->k;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(operand, sizeof(operand), f.fmt, (int)v);
#pragma GCC diagnostic pop
	if (BPF_CLASS(insn->code) == BPF_JMP && BPF_OP(insn->code) != BPF_JA && strcmp(f.op, "unimp"))
		snprintf(buf, n, "(%03u) %-8s %-16s jt %u\tjf %u", pc, f.op, operand,
			 pc + 1 + insn->jt, pc + 1 + insn->jf);
	else
		snprintf(buf, n, "(%03u) %-8s %s", pc, f.op, operand);
	return buf;
}

void bpf_prog_dump(const struct bpf_prog *prog, FILE *out)
{
	char line[128];
	for (uint32_t pc = 0; pc < prog->len; pc++)
		fprintf(out, "%s\n", bpf_insn_image(&prog->insns[pc], pc, line, sizeof(line)));
}

/* ------------------------------------------------------------ traced run */

/* The event args of one step: what a student wants to see per instruction. */
static void step_args(struct net *net, const struct bpf_step *st, const char *img, const struct sock_filter *f)
{
	struct jw *a = trace_args(net);
	jw_kv_uint(a, "pc", st->pc);
	jw_kv_str(a, "insn", img);
	jw_kv_uint(a, "A_before", st->a_before);
	jw_kv_uint(a, "A", st->a);
	jw_kv_uint(a, "X_before", st->x_before);
	jw_kv_uint(a, "X", st->x);
	if (st->loaded) {
		jw_key(a, "load");
		jw_obj_open(a);
		jw_kv_uint(a, "offset", st->load_off);
		jw_kv_uint(a, "size", st->load_size);
		if (st->load_fault)
			jw_kv_bool(a, "out_of_bounds", 1);
		else
			jw_kv_uint(a, "value", st->load_val);
		jw_obj_close(a);
	}
	if (f->code == BPF_ST || f->code == BPF_STX) {
		char key[8];
		snprintf(key, sizeof(key), "M[%u]", f->k);
		jw_kv_uint(a, key, f->code == BPF_ST ? st->a : st->x);
	}
	if (st->jumped >= 0)
		jw_kv_str(a, "branch", st->jumped ? "jt" : "jf");
	if (st->ret)
		jw_kv_uint(a, "ret", st->ret_val);
	else
		jw_kv_uint(a, "next_pc", st->next_pc);
}

/* A one-line reading of the step for the msg field. */
static void step_msg(struct net *net, const struct sk_buff *skb, const struct bpf_step *st, const char *img)
{
	if (st->loaded && st->load_fault)
		trace_step(net, skb, "bpf_prog_run", "%s: load of %u bytes at %u is past the end: return 0",
			   img, st->load_size, st->load_off);
	else if (st->ret)
		trace_step(net, skb, "bpf_prog_run", "%s: return %u%s", img, st->ret_val,
			   st->ret_val ? "" : " (reject)");
	else if (st->jumped >= 0)
		trace_step(net, skb, "bpf_prog_run", "%s: A=0x%x, %s taken → %u", img, st->a,
			   st->jumped ? "jt" : "jf", st->next_pc);
	else
		trace_step(net, skb, "bpf_prog_run", "%s: A=0x%x X=0x%x", img, st->a, st->x);
}

uint32_t bpf_run_traced(struct net *net, const struct bpf_prog *prog, const struct sk_buff *skb,
			const uint8_t *pkt, uint32_t len)
{
	if (!trace_on(net))
		return bpf_prog_run(prog, pkt, len);
	uint32_t A = 0, X = 0, M[NJ_BPF_MEMWORDS] = { 0 }, steps = 0;
	struct bpf_step st = { 0 };
	char img[128];

	trace_enter(net, skb, "bpf_prog_run", "bpf", "%u instructions over %u bytes%s%s", prog->len, len,
		    prog->expr ? ": " : "", prog->expr ? prog->expr : "");
	for (uint32_t pc = 0;; pc = st.next_pc) {
		st.pc = pc;
		int done = bpf_prog_step(prog, pkt, len, len, &A, &X, M, &st);
		bpf_insn_image(&prog->insns[pc], pc, img, sizeof(img));
		steps++;
		step_args(net, &st, img, &prog->insns[pc]);
		step_msg(net, skb, &st, img);
		if (done)
			break;
	}
	trace_exit(net, skb, st.ret_val ? V_PASS : V_DROP, st.ret_val ? 0 : SKB_DROP_REASON_SOCKET_FILTER,
		   "returned %u after %u instructions%s", st.ret_val, steps, st.ret_val ? "" : " (reject)");
	return st.ret_val;
}

/* ----------------------------------------------------- libpcap front end */

int bpf_compile_filter(const char *expr, int linktype, struct bpf_prog **out, char *err, size_t errlen)
{
	struct bpf_program bp;
	pcap_t *p = pcap_open_dead(linktype, 262144);
	int r = -1;

	*out = NULL;
	if (!p) {
		snprintf(err, errlen, "pcap_open_dead(%d) failed", linktype);
		return -1;
	}
	if (pcap_compile(p, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "%s", pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	/* struct bpf_insn and struct sock_filter share one layout. */
	_Static_assert(sizeof(struct bpf_insn) == sizeof(struct sock_filter), "insn layout");
	if (bpf_prog_create(out, (const struct sock_filter *)bp.bf_insns, bp.bf_len, err, errlen) == 0) {
		(*out)->expr = strdup(expr);
		r = 0;
	}
	pcap_freecode(&bp);
	pcap_close(p);
	return r;
}
