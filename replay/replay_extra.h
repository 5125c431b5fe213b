/*
 * replay_extra.h - the optional replay outputs and the trace filter:
 * --reasm-out (reassembled datagrams), --tap-out NAME=FILE (what a packet
 * socket received, drained after every softirq like a reader would),
 * -f EXPR (trace only matching packets), --bpf-trace.
 */
#ifndef NJ_REPLAY_REPLAY_EXTRA_H
#define NJ_REPLAY_REPLAY_EXTRA_H

#include <stddef.h>
#include <stdint.h>

#include "netns.h"

#define REPLAY_MAX_TAPS 8

struct replay_extra {
	const char *reasm_out;
	const char *tap_spec[REPLAY_MAX_TAPS];	/* "NAME=FILE" */
	int ntaps;
	int bpf_trace;
	/* run-time state */
	void *reasm_dead, *reasm_dump;		/* pcap_t, pcap_dumper_t */
	void *tap_dead[REPLAY_MAX_TAPS], *tap_dump[REPLAY_MAX_TAPS];
	struct packet_sock *tap[REPLAY_MAX_TAPS];
	uint64_t reasm_count, tap_count[REPLAY_MAX_TAPS];
};

/* replay_extra_setup - opens the files once the host exists (replay_cfg's
 * on_net hook). Returns 0 or -1 with err naming the file or socket. */
int replay_extra_setup(void *ctx, struct net *net, char *err, size_t errlen);
/* replay_extra_drain - writes what the taps received (after a softirq). */
void replay_extra_drain(struct replay_extra *x);
/* replay_extra_close - closes the files; returns frames written in total. */
uint64_t replay_extra_close(struct replay_extra *x);

#endif
