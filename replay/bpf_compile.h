/*
 * bpf_compile.h - tcpdump expressions compiled under limits (issue 26,
 * item 7). libpcap's optimiser is worse than quadratic in the number of
 * terms (on this machine: 200 "host" terms 1.1 s, 400 terms 12 s, 3,000
 * terms 15 minutes at 984 MB) and pcap_compile cannot be interrupted, so
 * it runs in a forked child with a CPU and an address-space limit, and
 * the program comes back over a pipe. The parent waits in short slices
 * and kills the child when asked to stop.
 */
#ifndef NJ_REPLAY_BPF_COMPILE_H
#define NJ_REPLAY_BPF_COMPILE_H

#include <stddef.h>

#include "bpf.h"

#define BPF_COMPILE_MAX_EXPR	4096		/* bytes of expression */
#define BPF_COMPILE_CPU_S	2		/* CPU seconds for pcap_compile */
#define BPF_COMPILE_WALL_S	10		/* wall seconds, on a loaded machine */
#define BPF_COMPILE_MEM		(256u << 20)	/* bytes of address space added */

/**
 * bpf_compile_bounded - bpf_compile_filter (stack/bpf.h) within the
 * limits above; the program must also fit NJ_BPF_MAXINSNS, as the
 * kernel's SO_ATTACH_FILTER requires. stop (may be NULL): set by a signal
 * handler, ends the compile at once. Returns 0 and *out, or -1 with err
 * saying which limit was hit, libpcap's message, or "interrupted".
 */
int bpf_compile_bounded(const char *expr, int linktype, struct bpf_prog **out, volatile int *stop, char *err,
			size_t errlen);

#endif
