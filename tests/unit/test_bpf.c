/*
 * test_bpf.c - the classic BPF machine (stack/bpf.c): one test per opcode
 * class and addressing mode, every checker rule with a hostile program,
 * run-time faults (division by X = 0, loads past the end), the
 * disassembler against libpcap's bpf_image, the traced run, and filters
 * compiled from tcpdump syntax.
 */
#include "nj_check.h"
#include "bpf.h"

#include <errno.h>

#define S(c, k) { (uint16_t)(c), 0, 0, (uint32_t)(k) }
#define J(c, k, t, f) { (uint16_t)(c), (uint8_t)(t), (uint8_t)(f), (uint32_t)(k) }
#define N(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

/* A 34-byte Ethernet + IPv4 header start: 0x0800, ihl 5 at byte 14. */
static const uint8_t pkt[] = {
	0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0xaa, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x54, 0x12, 0x34, 0x40, 0x00, 0x40, 0x01, 0xbe, 0xef,
	10, 0, 0, 1, 10, 0, 0, 2,
};

/* Runs insns over p (buflen bytes, wirelen on the wire) three ways: fast,
 * traced, and libpcap's bpf_filter, and asserts they agree. */
static uint32_t run_wire(const struct sock_filter *insns, uint32_t n, const uint8_t *p, uint32_t buflen,
			 uint32_t wirelen)
{
	struct bpf_prog *prog;
	char err[128];
	ck_assert_msg(bpf_prog_create(&prog, insns, n, err, sizeof(err)) == 0, "rejected: %s", err);
	uint32_t r = bpf_prog_run_wire(prog, p, buflen, wirelen);
	uint32_t ref = bpf_filter((const struct bpf_insn *)insns, p, wirelen, buflen);
	ck_assert_uint_eq(r, ref);
	if (buflen == wirelen) {
		struct net *net = nj_net();
		ck_assert_uint_eq(bpf_run_traced(net, prog, NULL, p, buflen), r);
		nj_net_free(net);
	}
	bpf_prog_destroy(prog);
	return r;
}

static uint32_t run(const struct sock_filter *insns, uint32_t n)
{
	return run_wire(insns, n, pkt, sizeof(pkt), sizeof(pkt));
}

/* Checks and returns the checker's verdict, with its message in err. */
static char cerr[256];
static int check(const struct sock_filter *insns, uint32_t n)
{
	cerr[0] = 0;
	return bpf_check_classic(insns, n, cerr, sizeof(cerr));
}

/* ---- LD / LDX / ST / STX / MISC / RET ---- */

START_TEST(test_bpf_ld_abs_sizes)
{
	struct sock_filter w[] = { S(BPF_LD | BPF_W | BPF_ABS, 26), S(BPF_RET | BPF_A, 0) };
	struct sock_filter h[] = { S(BPF_LD | BPF_H | BPF_ABS, 12), S(BPF_RET | BPF_A, 0) };
	struct sock_filter b[] = { S(BPF_LD | BPF_B | BPF_ABS, 23), S(BPF_RET | BPF_A, 0) };
	ck_assert_uint_eq(run(w, 2), 0x0a000001);	/* big-endian */
	ck_assert_uint_eq(run(h, 2), 0x0800);
	ck_assert_uint_eq(run(b, 2), 1);
}
END_TEST

START_TEST(test_bpf_ld_ind_sizes)
{
	struct sock_filter w[] = { S(BPF_LDX | BPF_IMM, 20), S(BPF_LD | BPF_W | BPF_IND, 10), S(BPF_RET | BPF_A, 0) };
	struct sock_filter h[] = { S(BPF_LDX | BPF_IMM, 10), S(BPF_LD | BPF_H | BPF_IND, 2), S(BPF_RET | BPF_A, 0) };
	struct sock_filter b[] = { S(BPF_LDX | BPF_IMM, 3), S(BPF_LD | BPF_B | BPF_IND, 20), S(BPF_RET | BPF_A, 0) };
	ck_assert_uint_eq(run(w, 3), 0x0a000002);
	ck_assert_uint_eq(run(h, 3), 0x0800);
	ck_assert_uint_eq(run(b, 3), 1);
}
END_TEST

START_TEST(test_bpf_ld_len_imm_mem)
{
	struct sock_filter len[] = { S(BPF_LD | BPF_W | BPF_LEN, 0), S(BPF_RET | BPF_A, 0) };
	struct sock_filter imm[] = { S(BPF_LD | BPF_IMM, 0xdeadbeef), S(BPF_RET | BPF_A, 0) };
	struct sock_filter mem[] = { S(BPF_LD | BPF_IMM, 77), S(BPF_ST, 15), S(BPF_LD | BPF_IMM, 0),
				     S(BPF_LD | BPF_MEM, 15), S(BPF_RET | BPF_A, 0) };
	ck_assert_uint_eq(run(len, 2), sizeof(pkt));
	ck_assert_uint_eq(run_wire(len, 2, pkt, 20, 1500), 1500);	/* LEN is the wire length */
	ck_assert_uint_eq(run(imm, 2), 0xdeadbeef);
	ck_assert_uint_eq(run(mem, 5), 77);
}
END_TEST

START_TEST(test_bpf_ldx_modes_and_misc)
{
	struct sock_filter imm[] = { S(BPF_LDX | BPF_IMM, 9), S(BPF_MISC | BPF_TXA, 0), S(BPF_RET | BPF_A, 0) };
	struct sock_filter len[] = { S(BPF_LDX | BPF_W | BPF_LEN, 0), S(BPF_MISC | BPF_TXA, 0), S(BPF_RET | BPF_A, 0) };
	struct sock_filter mem[] = { S(BPF_LDX | BPF_IMM, 5), S(BPF_STX, 3), S(BPF_LDX | BPF_IMM, 0),
				     S(BPF_LDX | BPF_MEM, 3), S(BPF_MISC | BPF_TXA, 0), S(BPF_RET | BPF_A, 0) };
	struct sock_filter tax[] = { S(BPF_LD | BPF_IMM, 42), S(BPF_MISC | BPF_TAX, 0), S(BPF_LD | BPF_IMM, 0),
				     S(BPF_MISC | BPF_TXA, 0), S(BPF_RET | BPF_A, 0) };
	ck_assert_uint_eq(run(imm, 3), 9);
	ck_assert_uint_eq(run(len, 3), sizeof(pkt));
	ck_assert_uint_eq(run(mem, 6), 5);
	ck_assert_uint_eq(run(tax, 5), 42);
}
END_TEST

START_TEST(test_bpf_ldx_msh_ip_header_length)
{
	/* ldxb 4*([14]&0xf) then ldb [x + 14]: the first byte after the IP header. */
	struct sock_filter p[] = { S(BPF_LDX | BPF_B | BPF_MSH, 14), S(BPF_MISC | BPF_TXA, 0), S(BPF_RET | BPF_A, 0) };
	ck_assert_uint_eq(run(p, 3), 20);
	uint8_t q[sizeof(pkt)];
	memcpy(q, pkt, sizeof(q));
	q[14] = 0x4f;			/* ihl 15: 60 bytes, whatever the high nibble */
	ck_assert_uint_eq(run_wire(p, 3, q, sizeof(q), sizeof(q)), 60);
}
END_TEST

START_TEST(test_bpf_ret_k_and_a)
{
	struct sock_filter k[] = { S(BPF_RET | BPF_K, 262144) };
	struct sock_filter a[] = { S(BPF_LD | BPF_IMM, 96), S(BPF_RET | BPF_A, 0) };
	ck_assert_uint_eq(run(k, 1), 262144);
	ck_assert_uint_eq(run(a, 2), 96);
}
END_TEST

/* ---- ALU: every operation with K and with X ---- */

START_TEST(test_bpf_alu_all_ops)
{
	static const struct { uint16_t op; uint32_t a, v, want; } t[] = {
		{ BPF_ADD, 7, 5, 12 }, { BPF_SUB, 7, 9, 0xfffffffe }, { BPF_MUL, 0x10000, 0x10001, 0x10000 },
		{ BPF_DIV, 100, 7, 14 }, { BPF_MOD, 100, 7, 2 }, { BPF_AND, 0xf0f0, 0xff00, 0xf000 },
		{ BPF_OR, 0xf0, 0x0f, 0xff }, { BPF_XOR, 0xff, 0x0f, 0xf0 }, { BPF_LSH, 1, 31, 0x80000000 },
		{ BPF_RSH, 0x80000000, 31, 1 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sock_filter k[] = { S(BPF_LD | BPF_IMM, t[i].a), S(BPF_ALU | t[i].op | BPF_K, t[i].v),
					   S(BPF_RET | BPF_A, 0) };
		struct sock_filter x[] = { S(BPF_LD | BPF_IMM, t[i].a), S(BPF_LDX | BPF_IMM, t[i].v),
					   S(BPF_ALU | t[i].op | BPF_X, 0), S(BPF_RET | BPF_A, 0) };
		ck_assert_msg(run(k, 3) == t[i].want, "op 0x%x K", t[i].op);
		ck_assert_msg(run(x, 4) == t[i].want, "op 0x%x X", t[i].op);
	}
	struct sock_filter neg[] = { S(BPF_LD | BPF_IMM, 1), S(BPF_ALU | BPF_NEG, 0), S(BPF_RET | BPF_A, 0) };
	ck_assert_uint_eq(run(neg, 3), 0xffffffff);
}
END_TEST

START_TEST(test_bpf_runtime_div_mod_by_x_zero_returns_0)
{
	struct sock_filter d[] = { S(BPF_LD | BPF_IMM, 10), S(BPF_LDX | BPF_IMM, 0), S(BPF_ALU | BPF_DIV | BPF_X, 0),
				   S(BPF_RET | BPF_K, 99) };
	struct sock_filter m[] = { S(BPF_LD | BPF_IMM, 10), S(BPF_LDX | BPF_IMM, 0), S(BPF_ALU | BPF_MOD | BPF_X, 0),
				   S(BPF_RET | BPF_K, 99) };
	ck_assert_uint_eq(run(d, 4), 0);
	ck_assert_uint_eq(run(m, 4), 0);
}
END_TEST

START_TEST(test_bpf_shift_by_x_32_masks_like_linux)
{
	/* Linux's interpreter masks the count (& 31); libpcap gives 0. */
	struct sock_filter p[] = { S(BPF_LD | BPF_IMM, 3), S(BPF_LDX | BPF_IMM, 33), S(BPF_ALU | BPF_LSH | BPF_X, 0),
				   S(BPF_RET | BPF_A, 0) };
	struct bpf_prog *prog;
	ck_assert_int_eq(bpf_prog_create(&prog, p, 4, NULL, 0), 0);
	ck_assert_uint_eq(bpf_prog_run(prog, pkt, sizeof(pkt)), 6);
	bpf_prog_destroy(prog);
}
END_TEST

/* ---- JMP ---- */

START_TEST(test_bpf_jmp_ja_and_conditionals)
{
	static const struct { uint16_t op; uint32_t a, v; int taken; } t[] = {
		{ BPF_JEQ, 5, 5, 1 }, { BPF_JEQ, 5, 6, 0 }, { BPF_JGT, 6, 5, 1 }, { BPF_JGT, 5, 5, 0 },
		{ BPF_JGE, 5, 5, 1 }, { BPF_JGE, 4, 5, 0 }, { BPF_JSET, 6, 2, 1 }, { BPF_JSET, 6, 1, 0 },
		{ BPF_JGT, 0xffffffff, 1, 1 },	/* unsigned comparison */
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sock_filter k[] = { S(BPF_LD | BPF_IMM, t[i].a), J(BPF_JMP | t[i].op | BPF_K, t[i].v, 0, 1),
					   S(BPF_RET | BPF_K, 1), S(BPF_RET | BPF_K, 2) };
		struct sock_filter x[] = { S(BPF_LD | BPF_IMM, t[i].a), S(BPF_LDX | BPF_IMM, t[i].v),
					   J(BPF_JMP | t[i].op | BPF_X, 0, 0, 1), S(BPF_RET | BPF_K, 1),
					   S(BPF_RET | BPF_K, 2) };
		ck_assert_msg(run(k, 4) == (t[i].taken ? 1u : 2u), "case %zu K", i);
		ck_assert_msg(run(x, 5) == (t[i].taken ? 1u : 2u), "case %zu X", i);
	}
	struct sock_filter ja[] = { S(BPF_JMP | BPF_JA, 1), S(BPF_RET | BPF_K, 1), S(BPF_RET | BPF_K, 2) };
	ck_assert_uint_eq(run(ja, 3), 2);
}
END_TEST

/* ---- loads past the end ---- */

START_TEST(test_bpf_loads_past_end_return_0)
{
	uint32_t L = sizeof(pkt);
	struct sock_filter w[] = { S(BPF_LD | BPF_W | BPF_ABS, L - 3), S(BPF_RET | BPF_K, 1) };
	struct sock_filter h[] = { S(BPF_LD | BPF_H | BPF_ABS, L - 1), S(BPF_RET | BPF_K, 1) };
	struct sock_filter b[] = { S(BPF_LD | BPF_B | BPF_ABS, L), S(BPF_RET | BPF_K, 1) };
	struct sock_filter ok[] = { S(BPF_LD | BPF_W | BPF_ABS, L - 4), S(BPF_RET | BPF_K, 1) };
	struct sock_filter ind[] = { S(BPF_LDX | BPF_IMM, 30), S(BPF_LD | BPF_B | BPF_IND, 4), S(BPF_RET | BPF_K, 1) };
	struct sock_filter wrap[] = { S(BPF_LDX | BPF_IMM, 0xffffffff), S(BPF_LD | BPF_B | BPF_IND, 2), S(BPF_RET | BPF_K, 1) };
	struct sock_filter msh[] = { S(BPF_LDX | BPF_B | BPF_MSH, L), S(BPF_RET | BPF_K, 1) };
	struct sock_filter huge[] = { S(BPF_LD | BPF_W | BPF_ABS, 0xffef0000), S(BPF_RET | BPF_K, 1) };
	ck_assert_uint_eq(run(w, 2), 0);
	ck_assert_uint_eq(run(h, 2), 0);
	ck_assert_uint_eq(run(b, 2), 0);
	ck_assert_uint_eq(run(ok, 2), 1);
	ck_assert_uint_eq(run(ind, 3), 0);
	ck_assert_uint_eq(run(wrap, 3), 0);	/* X + k wraps: refused, not wrapped */
	ck_assert_uint_eq(run(msh, 2), 0);
	ck_assert_uint_eq(run(huge, 2), 0);
	ck_assert_uint_eq(run_wire(ok, 2, pkt, L - 1, 1500), 0);	/* bounded by captured bytes */
}
END_TEST

/* ---- checker rules, each with a hostile program ---- */

START_TEST(test_bpf_check_length)
{
	struct sock_filter one[] = { S(BPF_RET | BPF_K, 0) };
	ck_assert_int_eq(check(one, 0), -EINVAL);
	ck_assert_ptr_nonnull(strstr(cerr, "length 0"));
	struct sock_filter *big = calloc(NJ_BPF_MAXINSNS + 1, sizeof(*big));
	for (int i = 0; i <= NJ_BPF_MAXINSNS; i++)
		big[i] = (struct sock_filter)S(BPF_RET | BPF_K, 0);
	ck_assert_int_eq(check(big, NJ_BPF_MAXINSNS), 0);
	ck_assert_int_eq(check(big, NJ_BPF_MAXINSNS + 1), -EINVAL);
	free(big);
	ck_assert_int_eq(check(NULL, 1), -EINVAL);
}
END_TEST

START_TEST(test_bpf_check_unknown_opcodes)
{
	static const uint16_t bad[] = { BPF_RET | BPF_X, 0xff, BPF_LD | BPF_H | BPF_IMM, BPF_ALU | BPF_NEG | BPF_X,
					BPF_LDX | BPF_W | BPF_ABS, BPF_JMP | 0x50, BPF_MISC | 0x20, BPF_ST | BPF_H };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sock_filter p[] = { S(BPF_LD | BPF_IMM, 0), S(bad[i], 0), S(BPF_RET | BPF_K, 0) };
		ck_assert_msg(check(p, 3) == -EINVAL, "0x%x accepted", bad[i]);
		ck_assert_str_eq(strstr(cerr, "insn 1:") ? "ok" : cerr, "ok");
		ck_assert_ptr_nonnull(strstr(cerr, "opcode"));
	}
}
END_TEST

START_TEST(test_bpf_check_constant_division_by_zero)
{
	struct sock_filter d[] = { S(BPF_ALU | BPF_DIV | BPF_K, 0), S(BPF_RET | BPF_A, 0) };
	struct sock_filter m[] = { S(BPF_ALU | BPF_MOD | BPF_K, 0), S(BPF_RET | BPF_A, 0) };
	ck_assert_int_eq(check(d, 2), -EINVAL);
	ck_assert_str_eq(cerr, "insn 0: division by constant zero");
	ck_assert_int_eq(check(m, 2), -EINVAL);
}
END_TEST

START_TEST(test_bpf_check_constant_shift_too_big)
{
	struct sock_filter l[] = { S(BPF_ALU | BPF_LSH | BPF_K, 32), S(BPF_RET | BPF_A, 0) };
	struct sock_filter r[] = { S(BPF_ALU | BPF_RSH | BPF_K, 31), S(BPF_RET | BPF_A, 0) };
	ck_assert_int_eq(check(l, 2), -EINVAL);
	ck_assert_int_eq(check(r, 2), 0);
}
END_TEST

START_TEST(test_bpf_check_bad_memory_index)
{
	static const uint16_t codes[] = { BPF_ST, BPF_STX, BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM };
	for (size_t i = 0; i < 4; i++) {
		struct sock_filter p[] = { S(codes[i], 16), S(BPF_RET | BPF_K, 0) };
		ck_assert_int_eq(check(p, 2), -EINVAL);
		ck_assert_ptr_nonnull(strstr(cerr, "M[16]"));
	}
}
END_TEST

START_TEST(test_bpf_check_jump_out_of_range)
{
	struct sock_filter ja[] = { S(BPF_JMP | BPF_JA, 1), S(BPF_RET | BPF_K, 0) };
	struct sock_filter jt[] = { J(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), S(BPF_RET | BPF_K, 0) };
	struct sock_filter jf[] = { J(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 5), S(BPF_RET | BPF_K, 0) };
	struct sock_filter jamax[] = { S(BPF_JMP | BPF_JA, 0xffffffff), S(BPF_RET | BPF_K, 0) };
	ck_assert_int_eq(check(ja, 2), -EINVAL);
	ck_assert_ptr_nonnull(strstr(cerr, "insn 0: ja target 2"));
	ck_assert_int_eq(check(jt, 2), -EINVAL);
	ck_assert_int_eq(check(jf, 2), -EINVAL);
	ck_assert_ptr_nonnull(strstr(cerr, "outside"));
	ck_assert_int_eq(check(jamax, 2), -EINVAL);	/* would wrap pc backwards */
}
END_TEST

START_TEST(test_bpf_check_last_must_be_ret)
{
	struct sock_filter p[] = { S(BPF_LD | BPF_IMM, 1), S(BPF_MISC | BPF_TAX, 0) };
	ck_assert_int_eq(check(p, 2), -EINVAL);
	ck_assert_str_eq(cerr, "insn 1: last instruction is not a return (ret #k or ret a)");
	/* A RET in the middle is fine as long as the last is one too. */
	struct sock_filter q[] = { S(BPF_RET | BPF_K, 1), S(BPF_RET | BPF_A, 0) };
	ck_assert_int_eq(check(q, 2), 0);
}
END_TEST

START_TEST(test_bpf_check_memory_read_before_write)
{
	struct sock_filter never[] = { S(BPF_LD | BPF_MEM, 2), S(BPF_RET | BPF_A, 0) };
	/* Written only when the jump is not taken: the jt path reads garbage. */
	struct sock_filter onepath[] = { J(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), S(BPF_ST, 4),
					 S(BPF_LDX | BPF_MEM, 4), S(BPF_RET | BPF_A, 0) };
	struct sock_filter both[] = { J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2), S(BPF_ST, 4), S(BPF_JMP | BPF_JA, 1),
				      S(BPF_STX, 4), S(BPF_LD | BPF_MEM, 4), S(BPF_RET | BPF_A, 0) };
	ck_assert_int_eq(check(never, 2), -EINVAL);
	ck_assert_str_eq(cerr, "insn 0: M[2] may be read before it is written");
	ck_assert_int_eq(check(onepath, 4), -EINVAL);
	ck_assert_int_eq(check(both, 6), 0);
}
END_TEST

START_TEST(test_bpf_check_ancillary_rejected)
{
	struct sock_filter p[] = { S(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_AD_OFF + 4), S(BPF_RET | BPF_A, 0) };
	ck_assert_int_eq(check(p, 2), -EINVAL);
	ck_assert_ptr_nonnull(strstr(cerr, "SKF_AD_OFF+4"));
}
END_TEST

/* ---- every opcode against libpcap, and the disassembler ---- */

static const uint16_t all_codes[] = {
	BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_H | BPF_ABS, BPF_LD | BPF_B | BPF_ABS,
	BPF_LD | BPF_W | BPF_IND, BPF_LD | BPF_H | BPF_IND, BPF_LD | BPF_B | BPF_IND,
	BPF_LD | BPF_W | BPF_LEN, BPF_LD | BPF_IMM, BPF_LD | BPF_MEM,
	BPF_LDX | BPF_W | BPF_LEN, BPF_LDX | BPF_B | BPF_MSH, BPF_LDX | BPF_IMM, BPF_LDX | BPF_MEM,
	BPF_ST, BPF_STX, BPF_MISC | BPF_TAX, BPF_MISC | BPF_TXA, BPF_RET | BPF_K, BPF_RET | BPF_A,
	BPF_ALU | BPF_NEG, BPF_JMP | BPF_JA,
#define ALU2(op) BPF_ALU | op | BPF_K, BPF_ALU | op | BPF_X
	ALU2(BPF_ADD), ALU2(BPF_SUB), ALU2(BPF_MUL), ALU2(BPF_DIV), ALU2(BPF_MOD), ALU2(BPF_AND),
	ALU2(BPF_OR), ALU2(BPF_XOR), ALU2(BPF_LSH), ALU2(BPF_RSH),
#define JMP2(op) BPF_JMP | op | BPF_K, BPF_JMP | op | BPF_X
	JMP2(BPF_JEQ), JMP2(BPF_JGT), JMP2(BPF_JGE), JMP2(BPF_JSET),
};

/* Each opcode in a small program that sets A, X and M[1] first; results
 * must equal libpcap's bpf_filter for several packet lengths. */
START_TEST(test_bpf_every_opcode_matches_libpcap)
{
	int tested = 0;
	for (size_t i = 0; i < sizeof(all_codes) / sizeof(all_codes[0]); i++) {
		uint16_t c = all_codes[i];
		uint32_t k = BPF_CLASS(c) == BPF_JMP && BPF_OP(c) == BPF_JA ? 1 : (c == BPF_ST || c == BPF_STX ||
			     BPF_MODE(c) == BPF_MEM) ? 1 : 5;
		struct sock_filter p[] = {
			S(BPF_LD | BPF_IMM, 0x11), S(BPF_ST, 1), S(BPF_LDX | BPF_IMM, 3), S(BPF_LD | BPF_IMM, 0x1234),
			J(c, k, 0, 1), S(BPF_RET | BPF_A, 0), S(BPF_MISC | BPF_TXA, 0), S(BPF_RET | BPF_A, 0),
		};
		for (uint32_t len = 0; len <= sizeof(pkt); len += 3)
			run_wire(p, N(p), pkt, len, len);
		tested++;
	}
	ck_assert_int_eq(tested, 49);
	printf("bpf: %d opcodes run against libpcap's bpf_filter\n", tested);
}
END_TEST

START_TEST(test_bpf_image_matches_libpcap_bpf_image)
{
	static const uint32_t ks[] = { 0, 1, 12, 0x800, 262144, 0x7fffffff, 0x80000000, 0xffffffff };
	char mine[128];
	for (size_t i = 0; i < sizeof(all_codes) / sizeof(all_codes[0]); i++)
		for (size_t j = 0; j < sizeof(ks) / sizeof(ks[0]); j++) {
			struct sock_filter f = J(all_codes[i], ks[j], 3, 7);
			if (BPF_CLASS(f.code) == BPF_LD && ks[j] >= (uint32_t)SKF_AD_OFF)
				continue;	/* libpcap names Linux's ancillary fields */
			if (f.code == (BPF_LDX | BPF_W | BPF_LEN))
				continue;	/* libpcap's bpf_image lacks it ("unimp 0x81") */
			bpf_insn_image(&f, 12, mine, sizeof(mine));
			ck_assert_str_eq(mine, bpf_image((const struct bpf_insn *)&f, 12));
		}
	struct sock_filter jeq = J(BPF_JMP | BPF_JEQ | BPF_K, 0x800, 0, 3);
	ck_assert_str_eq(bpf_insn_image(&jeq, 1, mine, sizeof(mine)), "(001) jeq      #0x800           jt 2\tjf 5");
	struct sock_filter ldh = S(BPF_LD | BPF_H | BPF_ABS, 12);
	ck_assert_str_eq(bpf_insn_image(&ldh, 0, mine, sizeof(mine)), "(000) ldh      [12]");
	struct sock_filter ldxlen = S(BPF_LDX | BPF_W | BPF_LEN, 0);
	ck_assert_str_eq(bpf_insn_image(&ldxlen, 2, mine, sizeof(mine)), "(002) ldx      #pktlen");
	struct sock_filter msh = S(BPF_LDX | BPF_B | BPF_MSH, 14);
	ck_assert_str_eq(bpf_insn_image(&msh, 13, mine, sizeof(mine)), "(013) ldxb     4*([14]&0xf)");
}
END_TEST

/* ---- traced run ---- */

START_TEST(test_bpf_traced_one_event_per_insn)
{
	struct net *net = nj_net();
	struct bpf_prog *prog;
	char err[128];
	ck_assert_int_eq(bpf_compile_filter("icmp", DLT_EN10MB, &prog, err, sizeof(err)), 0);
	nj_rec.n = 0;
	uint32_t r = bpf_run_traced(net, prog, NULL, pkt, sizeof(pkt));
	ck_assert_uint_eq(r, 262144);
	int steps = 0;
	for (int i = 0; i < nj_rec.n; i++)
		steps += nj_rec.ev[i].ph == 'i' && !strcmp(nj_rec.ev[i].fn, "bpf_prog_run");
	/* ldh [12]; jeq 0x800; ldb [23]; jeq 1; ret — 5 executed instructions. */
	ck_assert_int_eq(steps, 5);
	const struct nj_rec *first = &nj_rec.ev[1];
	ck_assert_ptr_nonnull(strstr(first->args, "\"pc\":0"));
	ck_assert_ptr_nonnull(strstr(first->args, "\"insn\":\"(000) ldh      [12]\""));
	ck_assert_ptr_nonnull(strstr(first->args, "\"load\":{\"offset\":12,\"size\":2,\"value\":2048}"));
	ck_assert_ptr_nonnull(strstr(nj_rec.ev[2].args, "\"branch\":\"jt\""));
	const struct nj_rec *e = nj_find("bpf_prog_run", 'E');
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->verdict, V_PASS);
	bpf_prog_destroy(prog);
	nj_net_free(net);
}
END_TEST

START_TEST(test_bpf_traced_off_emits_nothing)
{
	struct net *net = nj_net();
	trace_clear_sinks(net);
	struct sock_filter p[] = { S(BPF_LD | BPF_B | BPF_ABS, 100), S(BPF_RET | BPF_K, 1) };
	struct bpf_prog *prog;
	ck_assert_int_eq(bpf_prog_create(&prog, p, 2, NULL, 0), 0);
	nj_rec.n = 0;
	ck_assert_uint_eq(bpf_run_traced(net, prog, NULL, pkt, sizeof(pkt)), 0);
	ck_assert_int_eq(nj_rec.n, 0);
	bpf_prog_destroy(prog);
	nj_net_free(net);
}
END_TEST

START_TEST(test_bpf_traced_fault_reported)
{
	struct net *net = nj_net();
	struct sock_filter p[] = { S(BPF_LD | BPF_B | BPF_ABS, 100), S(BPF_RET | BPF_K, 1) };
	struct bpf_prog *prog;
	ck_assert_int_eq(bpf_prog_create(&prog, p, 2, NULL, 0), 0);
	ck_assert_uint_eq(bpf_run_traced(net, prog, NULL, pkt, sizeof(pkt)), 0);
	const struct nj_rec *s = nj_find("bpf_prog_run", 'i');
	ck_assert_ptr_nonnull(strstr(s->args, "\"out_of_bounds\":true"));
	ck_assert_ptr_nonnull(strstr(s->msg, "past the end"));
	bpf_prog_destroy(prog);
	nj_net_free(net);
}
END_TEST

/* ---- tcpdump syntax ---- */

START_TEST(test_bpf_compile_filter_matches_pcap)
{
	struct bpf_prog *prog;
	char err[256];
	ck_assert_int_eq(bpf_compile_filter("tcp port 80", DLT_EN10MB, &prog, err, sizeof(err)), 0);
	ck_assert_uint_eq(prog->len, 20);
	ck_assert_str_eq(prog->expr, "tcp port 80");
	ck_assert_uint_eq(prog->insns[prog->len - 1].code, BPF_RET | BPF_K);
	bpf_prog_destroy(prog);
	ck_assert_int_eq(bpf_compile_filter("tcp port", DLT_EN10MB, &prog, err, sizeof(err)), -1);
	ck_assert_ptr_null(prog);
	ck_assert_ptr_nonnull(strstr(err, "syntax error"));
	ck_assert_int_eq(bpf_compile_filter("vlan", DLT_RAW, &prog, err, sizeof(err)), -1);
}
END_TEST

static Suite *bpf_suite(void)
{
	Suite *s = suite_create("bpf");
	TCase *core = tcase_create("Core");
	tcase_add_test(core, test_bpf_ld_abs_sizes);
	tcase_add_test(core, test_bpf_ld_ind_sizes);
	tcase_add_test(core, test_bpf_ld_len_imm_mem);
	tcase_add_test(core, test_bpf_ldx_modes_and_misc);
	tcase_add_test(core, test_bpf_ldx_msh_ip_header_length);
	tcase_add_test(core, test_bpf_ret_k_and_a);
	tcase_add_test(core, test_bpf_alu_all_ops);
	tcase_add_test(core, test_bpf_jmp_ja_and_conditionals);
	tcase_add_test(core, test_bpf_every_opcode_matches_libpcap);
	tcase_add_test(core, test_bpf_image_matches_libpcap_bpf_image);
	tcase_add_test(core, test_bpf_traced_one_event_per_insn);
	tcase_add_test(core, test_bpf_traced_off_emits_nothing);
	tcase_add_test(core, test_bpf_traced_fault_reported);
	tcase_add_test(core, test_bpf_compile_filter_matches_pcap);
	suite_add_tcase(s, core);
	TCase *lim = tcase_create("Limits");
	tcase_add_test(lim, test_bpf_runtime_div_mod_by_x_zero_returns_0);
	tcase_add_test(lim, test_bpf_shift_by_x_32_masks_like_linux);
	tcase_add_test(lim, test_bpf_loads_past_end_return_0);
	suite_add_tcase(s, lim);
	TCase *err = tcase_create("Errors");
	tcase_add_test(err, test_bpf_check_length);
	tcase_add_test(err, test_bpf_check_unknown_opcodes);
	tcase_add_test(err, test_bpf_check_constant_division_by_zero);
	tcase_add_test(err, test_bpf_check_constant_shift_too_big);
	tcase_add_test(err, test_bpf_check_bad_memory_index);
	tcase_add_test(err, test_bpf_check_jump_out_of_range);
	tcase_add_test(err, test_bpf_check_last_must_be_ret);
	tcase_add_test(err, test_bpf_check_memory_read_before_write);
	tcase_add_test(err, test_bpf_check_ancillary_rejected);
	suite_add_tcase(s, err);
	return s;
}

NJ_TEST_MAIN(bpf_suite)
