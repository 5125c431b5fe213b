/*
 * offload_hint.h - docs/design.md §4b: notice when most TCP/UDP (or IP header)
 * checksums of packets from one source address fail, the mark of a capture
 * taken on that host with checksum offload, and say so once at the end of
 * a replay. A trace sink: it reads the driver_rx events (the frame's bytes)
 * and the kfree_skb events (TCP_CSUM, UDP_CSUM, IP_CSUM); it counts only
 * what was traced.
 */
#ifndef NJ_REPLAY_OFFLOAD_HINT_H
#define NJ_REPLAY_OFFLOAD_HINT_H

#include <stdio.h>

#include "trace.h"

struct offload_hint;

/* offload_hint_new - empty counters; NULL when out of memory (no hint). */
struct offload_hint *offload_hint_new(void);

/* offload_hint_frame - a frame enters (replay_cfg.on_frame): counted for
 * its IPv4 source. offload_hint_emit - the sink (trace_sink.emit), for the
 * checksum drops. ctx is the offload_hint for both. */
void offload_hint_frame(void *ctx, int64_t pkt, int dlt, const uint8_t *data, uint32_t caplen, uint32_t len);
void offload_hint_emit(void *ctx, const struct trace_event *ev);

/**
 * offload_hint_report - prints the note to f for the source with most
 * failures, if most of its checksums failed (at least 3), then frees h.
 * h may be NULL. Returns 1 if a note was printed, else 0.
 */
int offload_hint_report(struct offload_hint *h, FILE *f);

#endif
