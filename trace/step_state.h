/*
 * step_state.h - the skb as an event saw it, and a packet's captured
 * frame (driver_rx args). The host's state at an event (queues, sockets,
 * neighbours, routes, rules, counters) is the one fold's: fold.h.
 */
#ifndef NJ_TRACE_STEP_STATE_H
#define NJ_TRACE_STEP_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The skb as an event saw it (offsets from skb->head). */
struct step_skb {
	int have;
	uint64_t from_seq;		/* event the state was read from */
	int64_t skb;
	long long len, data, nh, th, ifindex;
	char pkt_type[24], protocol[24];
};

/* The captured frame of a packet (driver_rx args). */
struct step_frame {
	int dlt;
	size_t caplen, len;
	uint8_t *bytes;			/* malloc'd; NULL when not recorded */
	int64_t skb;			/* the skb built from it, -1 unknown */
};

/* step_skb_at - event i's skb_state, or the latest earlier one of the same
 * skb when i has none. Returns 0, or -1 when the event has no skb. */
int step_skb_at(struct nj_store *s, size_t i, struct step_skb *out);

/* step_frame_of_pkt - packet pkt's captured frame; caller frees bytes.
 * Returns 0, or -1 when the trace holds no frame for it. */
int step_frame_of_pkt(struct nj_store *s, int64_t pkt, struct step_frame *out);

/* step_hex_decode - n hex digits into bytes; returns the byte count. */
size_t step_hex_decode(const char *hex, uint8_t *out, size_t outlen);

#endif
