/*
 * fuzz_bpf.c - libFuzzer target "bpf": a classic BPF program through the
 * checker (bpf_check_classic) and, only when the checker accepts it, the
 * interpreters: the fast path (bpf_prog_run_wire), the traced run
 * (bpf_run_traced, one event per instruction into the JSON encoder) and the
 * stepping engine (bpf_prog_step), which must agree with each other and,
 * where Linux and libpcap define the same result, with libpcap's
 * bpf_filter. The disassembler formats every instruction, accepted or not.
 *
 * Input: byte 0 chooses how much of the fixed packet was captured (buflen);
 * the rest is the program, 8 bytes per instruction (code u16 LE, jt, jf,
 * k u32 LE), as struct sock_filter is laid out.
 */
#include <pcap/pcap.h>

#include "bpf.h"
#include "fuzz_common.h"

/* An Ethernet + IPv4 + TCP SYN to port 80, the kind of frame filters test. */
static const uint8_t pkt[] = {
	0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0xaa, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x2c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
	10, 0, 0, 1, 10, 0, 0, 2,
	0x9c, 0x40, 0x00, 0x50, 0, 0, 0x10, 0, 0, 0, 0, 0, 0x60, 0x02, 0xff, 0xff, 0, 0, 0, 0,
	0x02, 0x04, 0x05, 0xb4, 0xde, 0xad
};

static struct net *fuzz_net;

static void fuzz_net_free(void) { net_destroy(fuzz_net); }

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_net = net_create();
	if (!fuzz_net)
		abort();
	trace_add_sink(fuzz_net, fuzz_sink, NULL);
	atexit(fuzz_jw_free);
	atexit(fuzz_net_free);
	return 0;
}

/* Linux masks a shift count by X to 5 bits, libpcap's bpf_filter returns 0
 * for X >= 32 (documented in bpf.h): programs that shift by X are not
 * compared with libpcap. */
static int shifts_by_x(const struct sock_filter *f, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (f[i].code == (BPF_ALU | BPF_LSH | BPF_X) || f[i].code == (BPF_ALU | BPF_RSH | BPF_X))
			return 1;
	return 0;
}

static uint32_t run_stepping(const struct bpf_prog *prog, uint32_t buflen, uint32_t wirelen)
{
	uint32_t A = 0, X = 0, M[NJ_BPF_MEMWORDS] = { 0 };
	struct bpf_step st = { 0 };
	/* A checked program has forward jumps only, so len steps suffice. */
	for (uint32_t i = 0; i <= prog->len; i++) {
		if (bpf_prog_step(prog, pkt, buflen, wirelen, &A, &X, M, &st))
			return st.ret_val;
		st.pc = st.next_pc;
	}
	abort();			/* ran past the end: the checker let a loop through */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint32_t buflen = data[0] % (sizeof(pkt) + 1);
	size_t n = (size - 1) / 8;
	if (n > NJ_BPF_MAXINSNS + 1)
		n = NJ_BPF_MAXINSNS + 1;
	struct sock_filter *insns = calloc(n ? n : 1, sizeof(*insns));
	if (!insns)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = data + 1 + 8 * i;
		insns[i].code = (uint16_t)(p[0] | p[1] << 8);
		insns[i].jt = p[2];
		insns[i].jf = p[3];
		insns[i].k = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
	}
	char err[256], img[128];
	for (size_t i = 0; i < n && i < 64; i++)
		bpf_insn_image(&insns[i], (uint32_t)i, img, sizeof(img));
	int ok = bpf_check_classic(insns, (uint32_t)n, err, sizeof(err)) == 0;
	struct bpf_prog *prog = NULL;
	int cr = bpf_prog_create(&prog, insns, (uint32_t)n, err, sizeof(err));
	if (ok != (cr == 0))
		abort();		/* create must accept exactly what check accepts */
	if (prog) {
		uint32_t fast = bpf_prog_run_wire(prog, pkt, buflen, sizeof(pkt));
		if (run_stepping(prog, buflen, sizeof(pkt)) != fast)
			abort();
		if (buflen == sizeof(pkt) && bpf_run_traced(fuzz_net, prog, NULL, pkt, buflen) != fast)
			abort();
		if (!shifts_by_x(insns, (uint32_t)n) &&
		    bpf_filter((const struct bpf_insn *)insns, pkt, sizeof(pkt), buflen) != fast)
			abort();
		bpf_prog_destroy(prog);
	}
	free(insns);
	return 0;
}
