/*
 * explain.h - a capture-level explanation in plain words (issue #19): at
 * the end of a replay and in the UI's summary, what happened to the
 * capture as a whole ("1,776 of 1,793 packets were for other hosts: this
 * capture was taken on 192.168.1.7 - try --host 192.168.1.7"). A trace
 * sink counts what it needs: recorded transmits, drops by reason.
 */
#ifndef NJ_REPLAY_EXPLAIN_H
#define NJ_REPLAY_EXPLAIN_H

#include <stddef.h>
#include <stdint.h>

#include "replay.h"
#include "trace.h"

struct explain {
	uint64_t sent;				/* recorded transmits */
	uint64_t big_rx, tot0_rx;		/* received: longer than 1518 bytes; IPv4 tot_len 0 */
	uint64_t big_tx, tot0_tx;		/* the same, sent by the host (segmentation offload) */
	uint64_t tunnel_rx;			/* received GRE, IPIP, VXLAN, Geneve */
	int64_t cur_pkt;			/* the frame driver_rx is on */
	int cur_big, cur_tot0, cur_tunnel;
	uint64_t drops[SKB_DROP_REASON_MAX];	/* packets dropped, by reason */
};

/* explain_frame - a frame enters (replay_cfg.on_frame). explain_emit - the
 * sink (trace_sink.emit). ctx is a zeroed struct explain for both. */
void explain_frame(void *ctx, int64_t pkt, int dlt, const uint8_t *data, uint32_t caplen, uint32_t len);
void explain_emit(void *ctx, const struct trace_event *ev);

/**
 * explain_text - writes the explanation of a finished replay into out
 * (empty when there is nothing worth saying). scenario is -c's file or
 * NULL; res is the replay's result. Looks at the capture again (host
 * inference) only to name the host a suggestion needs.
 */
void explain_text(const struct explain *x, const struct replay_result *res, const char *pcap,
		  const char *scenario, char *out, size_t outlen);

#endif
