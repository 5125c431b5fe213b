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
#include "outfile.h"

#define REPLAY_MAX_TAPS 8

struct replay_dump {
	void *dead, *dump;			/* pcap_t, pcap_dumper_t */
	struct outfile of;			/* PATH.part until closed */
};

struct replay_extra {
	const char *reasm_out;
	const char *tap_spec[REPLAY_MAX_TAPS];	/* "NAME=FILE" */
	int ntaps;
	int bpf_trace;
	/* run-time state */
	struct replay_dump reasm, tap_out[REPLAY_MAX_TAPS];
	struct packet_sock *tap[REPLAY_MAX_TAPS];
	uint64_t reasm_count, tap_count[REPLAY_MAX_TAPS];
};

/* replay_extra_setup - opens the files once the host exists (replay_cfg's
 * on_net hook). Returns 0 or -1 with err naming the file or socket. */
int replay_extra_setup(void *ctx, struct net *net, char *err, size_t errlen);
/* replay_extra_drain - writes what the taps received (after a softirq). */
void replay_extra_drain(struct replay_extra *x);
/**
 * replay_extra_close - closes the files. how > 0: the replay succeeded,
 * they go into place; 0: it failed midway, their whole frames go to
 * PATH.partial; < 0: it failed before it began, they are removed. Returns
 * 0, or -1 with err set when a file could not be written whole.
 */
int replay_extra_close(struct replay_extra *x, int how, char *err, size_t errlen);

#endif
