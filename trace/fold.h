/*
 * fold.h - the one fold: the host's state at any event of a trace, rebuilt
 * from the events' structured args (never from msg), for every front end:
 * `step`'s info panels, the server's /api/traces/ID/state, lessons and
 * exporters. One state, one JSON form (docs/events.md, "State at an
 * event"), so the front ends cannot disagree.
 *
 * What it folds: counters (the store's own checkpointed totals), fragment
 * queues (ip_find, ip_frag_queue, inet_frag_queue_insert, ip_frag_reasm,
 * ip_expire, ip_evictor: a queue leaves on the event whose args say "end"),
 * sockets (the scenario's listeners, then tcp_set_state and tcp_ack),
 * neighbours (the static ones, then every "neigh" arg: NUD as it changes),
 * routes (trace_start's "fib", as the stack held it, and the path MTUs
 * learned since: __ip_rt_update_pmtu's "pmtu"), netfilter rules
 * (trace_start's "rules", hits from nf_hook's per-rule "pkts"), packet
 * sockets (packet_rcv), and the skbs in flight at the event (the open
 * frames). Events without those args (older traces) are skipped: a panel
 * may show less, never something wrong.
 *
 * Random access: struct fold_index keeps a snapshot of the folded state
 * every K events (K = 32, compressed; doubled whenever the snapshots would
 * pass 64 MiB) and folds forward from the nearest one: a request then reads a
 * block or two of a compact trace, not dozens. Nothing is capped: every
 * queue, socket and neighbour is kept and shown; "limits" in the JSON says
 * what the trace itself leaves out (a queue's "have" lists at most the
 * stack's ARGS_MAX_RANGES ranges, "have_more" counts the rest).
 */
#ifndef NJ_TRACE_FOLD_H
#define NJ_TRACE_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "cJSON.h"
#include "store.h"

#define FOLD_KEY	96		/* every table's entries start with their key */
#define FOLD_ENDS	8		/* queues one event can end (ip_evictor: more go to ends_more) */

/* A keyed table of fixed-size entries in insertion order (fold_table.c). */
struct fold_table {
	char *e;			/* cap entries of esz bytes; key[0] == 0: removed */
	size_t n, cap, live, esz;
	uint32_t *slot;			/* open addressing: entry index + 1, 0 empty */
	size_t nslot;
};

/* A fragment as it arrived (ip_frag_queue's "arrival"), at event seq. */
struct fold_arrival {
	uint32_t offset, len;
	int64_t skb;
	uint64_t seq;
};

struct fold_frag {
	char key[FOLD_KEY];		/* "10.0.0.1>10.0.0.2 id=0x1c46 proto=17" */
	char *have;			/* the "have" ranges as JSON text, or NULL */
	struct fold_arrival *arr;	/* arrivals in order (malloc'd), narr of them */
	size_t narr, caparr;
	long long have_more;		/* ranges the stack did not list */
	long long meat, len, mem;	/* len -1: unknown yet; mem -1: not recorded */
	unsigned flags;			/* 1 FIRST_IN, 2 LAST_IN */
	int nfrags;
	uint64_t since_seq, seq;	/* created at, last changed at */
};

#define FOLD_OFO	32		/* stack/tcp.h TCP_ARGS_OFO: the ranges args carry */
#define FOLD_TIMERS	3		/* delack, retransmit, and one of time_wait/fin_wait2/request */

struct fold_timer {
	char name[12];			/* "delack", "retransmit", "time_wait", "fin_wait2", "request" */
	uint64_t expires_ns;		/* the event's clock + the args' in_ns */
};

struct fold_sock {
	char sk[FOLD_KEY];		/* "10.0.0.2:80>10.0.0.1:40000", "*:80" */
	char proto[4], state[16];
	char old[16];			/* the state before (a listener: its app) */
	long long snd_una, snd_nxt, rcv_nxt, snd_wnd, rcv_wnd;	/* -1: not recorded */
	long long mss, snd_wscale, rcv_wscale, sack_ok, tstamp_ok, ts_recent;	/* -1: not recorded */
	long long rcvq_bytes, rcvq_segs, ofoq_segs, ofo_more;	/* rcvq_bytes -1: no "sock" args yet */
	uint32_t ofo[FOLD_OFO][2];	/* out-of-order ranges [start, end) of sequence space */
	int nofo, ntimers, timers_more;	/* timers_more: beyond FOLD_TIMERS, counted */
	struct fold_timer timers[FOLD_TIMERS];
	uint64_t seq;
};

struct fold_neigh {
	char key[FOLD_KEY];		/* "dev ip" */
	char ip[48], dev[16], mac[24], nud[16];	/* ip: an IPv6 address too */
	long long queued, queued_bytes;	/* arp_queue; -1: not recorded */
	char *queued_skbs;		/* their skb ids as JSON text (malloc'd), or NULL */
	uint64_t seq;
};

/* The last route lookup (fib_table_lookup, fib6_table_lookup) and its packet. */
struct fold_route {
	uint64_t seq;			/* 0: none yet */
	int64_t pkt;
	char daddr[48], table[8], dst[48], type[16];	/* dst "": no route matched */
	long long metric;
};

struct fold_tap {
	char name[FOLD_KEY];
	char filter[128];
	long long seen, received, filtered, dropped, qlen;
};

/* A path MTU the host learned (__ip_rt_update_pmtu, __ip6_rt_update_pmtu):
 * a route exception, as `ip route get` shows it ("cache expires 599sec
 * mtu 1400"). */
struct fold_pmtu {
	char key[FOLD_KEY];		/* the destination */
	long long mtu;
	int locked;			/* IPv4, below min_pmtu: DF no longer set */
	uint64_t expires_ns;		/* event time + the exception's life */
	uint64_t seq;
};

struct fold_end {
	char key[FOLD_KEY];
	char why[16];			/* reassembled, expired, evicted, killed */
};

/* The folded state after events [0, next). */
struct fold_state {
	size_t next;
	struct fold_table frags, socks, neigh, taps, pmtu;
	uint64_t *rule_pkts;		/* per trace_start rule index */
	size_t nrules;
	struct fold_end ends[FOLD_ENDS];	/* queues the last folded event ended */
	int nends, ends_more;
	uint64_t frag_events;		/* fragment events folded (0: "none recorded") */
	struct fold_route route;
};

struct fold_index;

/**
 * fold_index_new - the fold of store s (not owned; it may still grow, as a
 * live trace does). Reads trace_start once (scenario, fib, rules). NULL
 * when out of memory. Thread safe: one index serves concurrent readers.
 */
struct fold_index *fold_index_new(struct nj_store *s);
void fold_index_free(struct fold_index *x);

/* fold_index_set_every - snapshots every k events (tests: small k makes
 * the checkpointed path run often). Call before the first fold_at. */
void fold_index_set_every(struct fold_index *x, size_t k);

/**
 * fold_state_init - the state before the first event (listeners, static
 * neighbours, packet sockets, rule slots). Returns 0 or -1 (no memory).
 */
int fold_state_init(struct fold_index *x, struct fold_state *st);
void fold_state_free(struct fold_state *st);

/**
 * fold_forward - folds events [st->next, i] into st (i < store_nevents).
 * Returns 0, or -1 when out of memory (st is then freed and empty).
 */
int fold_forward(struct fold_index *x, struct fold_state *st, size_t i);

/**
 * fold_at - the state after event i, from the nearest snapshot: st is
 * filled (free it with fold_state_free). Returns 0, or -1 (i out of range,
 * no memory).
 */
int fold_at(struct fold_index *x, size_t i, struct fold_state *st);

/**
 * fold_json - the state after event i (st, as fold_at or fold_forward
 * left it with st->next == i + 1) as the /state object: seq, ts_ns,
 * counters, counters_delta, frags, frags_ended, sockets, neighbours,
 * routes, rules, packet_sockets, skbs, limits. NULL when out of memory.
 */
cJSON *fold_json(struct fold_index *x, const struct fold_state *st, size_t i);

/* fold_counters_json - the non-zero counter totals after event i, as
 * {"Ip.InReceives": n, …} (the "counters" of fold_json). */
cJSON *fold_counters_json(struct nj_store *s, size_t i);

/* fold_json_at - fold_at + fold_json. NULL when i is out of range. */
cJSON *fold_json_at(struct fold_index *x, size_t i);

#endif
