/*
 * step_state.h - stack state as it was at one event, rebuilt from the
 * events' args up to that event (see step.h for why): IP fragment queues,
 * TCP sockets, PF_PACKET taps, the skb, and the packet's captured frame.
 * Events that lack the args (older traces, stack code still growing) are
 * skipped, so a panel may be empty but never wrong about what it shows.
 */
#ifndef NJ_TRACE_STEP_STATE_H
#define NJ_TRACE_STEP_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STEP_MAX_FRAGQ	32
#define STEP_MAX_SOCKS	64
#define STEP_MAX_TAPS	16

struct step_fragq {
	char queue[96];			/* "10.0.0.1>10.0.0.2 id=0x1c46 proto=17" */
	char have[160];			/* "[0,1480) [1480,2960)" */
	long long meat, len;		/* len -1: the last fragment has not come */
	int nfrags;
	uint64_t seq;			/* event that last changed it */
};

struct step_frags {
	struct step_fragq q[STEP_MAX_FRAGQ];
	int n;
	char last[200];			/* the last queue that went away and how */
	int events;			/* fragment events seen up to here */
};

struct step_sock {
	char sk[96];			/* "10.0.0.2:80 10.0.0.1:40000" */
	char state[24], old[24];
	uint64_t seq;			/* the tcp_set_state event */
	long long snd_una, snd_nxt, rcv_nxt;
};

struct step_socks {
	struct step_sock s[STEP_MAX_SOCKS];
	int n;
	int events;
};

struct step_tap {
	char sock[64];
	unsigned seen, queued, filtered, dropped;
	long long qlen, tp_drops;
};

struct step_taps {
	struct step_tap t[STEP_MAX_TAPS];
	int n;
};

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

/* step_frags_at / step_socks_at / step_taps_at - state at event i.
 * Return 0; never fail (missing args are skipped). */
int step_frags_at(struct nj_store *s, size_t i, struct step_frags *out);
int step_socks_at(struct nj_store *s, size_t i, struct step_socks *out);
int step_taps_at(struct nj_store *s, size_t i, struct step_taps *out);

/* step_skb_at - event i's skb_state, or the latest earlier one of the same
 * skb when i has none. Returns 0, or -1 when the event has no skb. */
int step_skb_at(struct nj_store *s, size_t i, struct step_skb *out);

/* step_frame_of_pkt - packet pkt's captured frame; caller frees bytes.
 * Returns 0, or -1 when the trace holds no frame for it. */
int step_frame_of_pkt(struct nj_store *s, int64_t pkt, struct step_frame *out);

/* step_hex_decode - n hex digits into bytes; returns the byte count. */
size_t step_hex_decode(const char *hex, uint8_t *out, size_t outlen);

#endif
