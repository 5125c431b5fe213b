/*
 * bpf.h - the classic BPF machine (cBPF) after net/core/filter.c and
 * include/uapi/linux/filter.h (Linux 6.13): the instruction format, the
 * checker (bpf_check_classic), the interpreter, a tcpdump -d disassembler,
 * an instruction-by-instruction traced run, and filters compiled from
 * tcpdump syntax by libpcap.
 *
 * The opcode macros (BPF_LD, BPF_ABS, …) come from libpcap's <pcap/bpf.h>: they have
 * the same values as Linux's, and one set avoids redefinition clashes in
 * files that also use libpcap.
 */
#ifndef NJ_STACK_BPF_H
#define NJ_STACK_BPF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>	/* pcap/bpf.h needs its type setup */

struct net;
struct sk_buff;

#define NJ_BPF_MAXINSNS	4096		/* BPF_MAXINSNS in Linux (libpcap's is 512) */
#define NJ_BPF_MEMWORDS	16		/* BPF_MEMWORDS: scratch words M[0..15] */
#define SKF_AD_OFF	(-0x1000)	/* ancillary data loads: rejected here */

/* One instruction; the same layout as libpcap's struct bpf_insn. */
struct sock_filter {
	uint16_t code;
	uint8_t jt, jf;		/* conditional jump offsets, relative to pc + 1 */
	uint32_t k;
};

/* A checked program. Only bpf_prog_create makes one, so every prog a run
 * sees has passed bpf_check_classic: the interpreter relies on that. */
struct bpf_prog {
	uint32_t len;
	struct sock_filter *insns;
	char *expr;		/* tcpdump expression it came from, or NULL */
};

/* What one executed instruction did (the traced run's record). */
struct bpf_step {
	uint32_t pc;
	uint32_t a_before, x_before, a, x;
	int loaded;		/* a packet load happened */
	uint32_t load_off, load_size, load_val;
	int load_fault;		/* the load fell outside the packet: return 0 */
	int jumped;		/* conditional jump: 1 taken (jt), 0 not (jf), -1 none */
	uint32_t next_pc;
	int ret;		/* 1 when the instruction ended the program */
	uint32_t ret_val;
};

/**
 * bpf_check_classic - Linux's checks on a classic program, in its order:
 * length 1..NJ_BPF_MAXINSNS; known opcode; constant DIV/MOD by 0; constant
 * shift >= 32; memory index < 16; jumps forward and inside the program;
 * no ancillary (negative offset) loads; last instruction RET K or RET A;
 * no scratch word read before it is written on every path.
 * @err: receives "insn N: why" on failure (may be NULL).
 * Returns 0, or -EINVAL.
 */
int bpf_check_classic(const struct sock_filter *insns, uint32_t len, char *err, size_t errlen);

/**
 * bpf_prog_create - checks and copies insns into a new program.
 * Returns 0 and sets *out; or -EINVAL (err filled) / -ENOMEM, *out NULL.
 * Free with bpf_prog_destroy.
 */
int bpf_prog_create(struct bpf_prog **out, const struct sock_filter *insns, uint32_t len,
		    char *err, size_t errlen);

/* bpf_prog_destroy - frees prog (NULL is fine). */
void bpf_prog_destroy(struct bpf_prog *prog);

/**
 * bpf_prog_run - runs prog over len bytes at pkt, untraced and fast.
 * Returns the filter's value: 0 = reject, else the number of bytes to keep.
 * A load outside [0, len) and a division or modulo by X == 0 return 0.
 * Shifts by X >= 32 use the count modulo 32, as Linux's interpreter does
 * (libpcap's bpf_filter gives 0 there instead).
 */
uint32_t bpf_prog_run(const struct bpf_prog *prog, const uint8_t *pkt, uint32_t len);

/**
 * bpf_prog_run_wire - as bpf_prog_run, for a frame captured short: loads
 * are bounded by buflen (the captured bytes), BPF_LEN yields wirelen (the
 * length on the wire), as libpcap's bpf_filter does for a pcap record.
 */
uint32_t bpf_prog_run_wire(const struct bpf_prog *prog, const uint8_t *pkt, uint32_t buflen,
			   uint32_t wirelen);

/**
 * bpf_run_traced - bpf_prog_run that reports: opens a "bpf_prog_run" frame
 * (layer "bpf") and emits one step per executed instruction, with args pc,
 * insn (disassembled), A/X before and after, the load (offset, size,
 * value) and the branch taken. skb only labels the events (may be NULL).
 * Returns exactly what bpf_prog_run returns. Costs nothing extra when
 * tracing is off (it then is bpf_prog_run).
 */
uint32_t bpf_run_traced(struct net *net, const struct bpf_prog *prog, const struct sk_buff *skb,
			const uint8_t *pkt, uint32_t len);

/**
 * bpf_prog_step - executes the one instruction at st->pc (the stepping
 * engine behind bpf_run_traced; also for a debugger's "stepi").
 * @A, @X, @M: the machine state, updated in place.
 * Fills *st. Returns 1 when the program ended (st->ret_val), else 0.
 */
int bpf_prog_step(const struct bpf_prog *prog, const uint8_t *pkt, uint32_t buflen, uint32_t wirelen,
		  uint32_t *A, uint32_t *X, uint32_t M[NJ_BPF_MEMWORDS], struct bpf_step *st);

/**
 * bpf_insn_image - one instruction as `tcpdump -d` prints it, e.g.
 * "(001) jeq      #0x800           jt 2	jf 5". Returns buf.
 */
char *bpf_insn_image(const struct sock_filter *insn, uint32_t pc, char *buf, size_t n);

/* bpf_prog_dump - every instruction, one line each, as tcpdump -d. */
void bpf_prog_dump(const struct bpf_prog *prog, FILE *out);

/**
 * bpf_compile_filter - compiles a tcpdump expression with libpcap
 * (pcap_open_dead(linktype, 262144), pcap_compile optimised, netmask
 * unknown), then checks it as the kernel would on SO_ATTACH_FILTER.
 * @linktype: a DLT_ value, e.g. DLT_EN10MB (1) or DLT_RAW.
 * Returns 0 and *out (expr recorded); or -1 with err set to libpcap's
 * message ("syntax error", "unknown host 'x'") or the checker's.
 */
int bpf_compile_filter(const char *expr, int linktype, struct bpf_prog **out, char *err, size_t errlen);

#endif
