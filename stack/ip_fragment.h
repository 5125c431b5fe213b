/*
 * ip_fragment.h - IPv4 reassembly (net/ipv4/ip_fragment.c and
 * net/ipv4/inet_fragment.c): the entry point ip_local_deliver calls, the
 * timer the replay loop drives with packet time, and read-only views of
 * the queues for state panels and exports.
 *
 * Read top to bottom: queue flags, the panel view, then the prototypes.
 */
#ifndef NJ_STACK_IP_FRAGMENT_H
#define NJ_STACK_IP_FRAGMENT_H

#include "stack.h"

/* Queue flags, as INET_FRAG_* in include/net/inet_frag.h. */
#define INET_FRAG_FIRST_IN	0x01	/* the offset-0 fragment is held */
#define INET_FRAG_LAST_IN	0x02	/* the MF=0 fragment is held: len is known */
#define INET_FRAG_COMPLETE	0x04	/* reassembled or killed */
#define INET_FRAG_DROP		0x10	/* killed by the timer: free as drops */

/* IPCB(skb)->flags bits set by reassembly (include/net/ip.h). */
#ifndef IPSKB_FRAG_COMPLETE
#define IPSKB_FRAG_COMPLETE	0x08	/* this skb is a reassembled datagram */
#endif
#ifndef IPSKB_FRAG_PMTU
#define IPSKB_FRAG_PMTU		0x40	/* DF came from the largest fragment */
#endif

/* One byte range of the datagram's payload a queue holds: [start, end). */
struct ipq_range {
	uint32_t start, end;
};

/* A queue as a state panel shows it (web UI, step CLI "info frags"). */
struct ipq_info {
	uint32_t saddr, daddr;		/* network order */
	uint16_t id;			/* host order */
	uint8_t protocol;
	uint8_t flags;			/* INET_FRAG_FIRST_IN | INET_FRAG_LAST_IN */
	uint32_t len;			/* total payload length, 0 until LAST_IN */
	uint32_t meat;			/* payload bytes held so far */
	uint64_t created_ns, expires_ns; /* packet time */
	int nfrags;
	uint32_t truesize;		/* memory charged: queue + fragments */
	const struct ipq_range *ranges;	/* one per fragment, by offset; valid during the call */
	int nranges;
};

/* Called with each reassembled datagram (data at the IP header). The skb
 * belongs to the stack: read it, do not keep or free it. */
typedef void (*ip_frag_reasm_fn)(void *ctx, struct net *net, const struct sk_buff *skb);

/**
 * ip_frag_init - sets up net's queue table (kernel: ipv4_frags_init_net).
 * @net: the host; net->ipfrags must be NULL.
 * Returns 0, or -1 when out of memory (nothing allocated).
 */
int ip_frag_init(struct net *net);

/**
 * ip_frag_exit - frees every queue and the fragments it holds, untraced.
 * Safe to call twice; net->ipfrags is NULL afterwards.
 */
void ip_frag_exit(struct net *net);

/**
 * ip_defrag - queues the fragment *pskb (user IP_DEFRAG_LOCAL_DELIVER).
 * @net: the host.
 * @pskb: the fragment, data at its IP header, IPCB filled by ip_rcv_core
 *	and the route.
 * Returns 0 when the datagram is complete: *pskb is then the reassembled
 * skb (a new id; the fragment skbs are gone). Returns -EINPROGRESS when the
 * fragment was queued, or another negative errno when it was dropped;
 * either way *pskb is set to NULL and the skb is no longer the caller's.
 * Runs the expiry timers first, so expiry follows packet time.
 */
int ip_defrag(struct net *net, struct sk_buff **pskb);

/**
 * ip_frag_run_timers - expires every queue whose timer (created_ns +
 * ipfrag_time) is at or before net->now_ns: ip_expire, traced as its own
 * frame. Call after net_set_time() and before feeding the next packet.
 */
void ip_frag_run_timers(struct net *net);
/* ip_frag_next_timer - the earliest queue's expiry, 0 when none is held. */
uint64_t ip_frag_next_timer(const struct net *net);

/* ip_frag_mem - bytes charged to reassembly now (queues + fragment truesize). */
uint64_t ip_frag_mem(struct net *net);

/* ip_frag_queue_count - the number of incomplete datagrams held. */
uint32_t ip_frag_queue_count(struct net *net);

/**
 * ip_frag_for_each - calls fn for each queue, oldest (least recently
 * touched) first. fn must not call into the stack.
 */
void ip_frag_for_each(struct net *net, void (*fn)(void *ctx, const struct ipq_info *q), void *ctx);

/**
 * ip_frag_set_reasm_cb - fn(ctx, net, skb) sees every datagram ip_frag_reasm
 * builds, before it goes on to LOCAL_IN (replay --reasm-out). NULL clears.
 */
void ip_frag_set_reasm_cb(struct net *net, ip_frag_reasm_fn fn, void *ctx);

#endif
