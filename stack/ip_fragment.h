/*
 * ip_fragment.h - IPv4 reassembly (net/ipv4/ip_fragment.c, inet_fragment.c).
 */
#ifndef NJ_STACK_IP_FRAGMENT_H
#define NJ_STACK_IP_FRAGMENT_H

#include "stack.h"

/* ip_frag_init / ip_frag_exit - per-net queue table set-up and teardown. */
int ip_frag_init(struct net *net);
void ip_frag_exit(struct net *net);

/**
 * ip_defrag - queues the fragment *pskb (user IP_DEFRAG_LOCAL_DELIVER).
 * Returns 0 when the datagram is complete: *pskb is then the reassembled
 * skb (the fragment skbs are gone). Returns -EINPROGRESS when the fragment
 * was queued, or another negative errno when it was dropped; either way
 * the skb is no longer the caller's.
 */
int ip_defrag(struct net *net, struct sk_buff **pskb);

/* ip_frag_expire_all - runs the queue timers up to net->now_ns. */
void ip_frag_run_timers(struct net *net);

#endif
