/*
 * netfilter.h - the five IPv4 netfilter hooks and NF_HOOK, after
 * include/linux/netfilter.h and include/uapi/linux/netfilter_ipv4.h.
 */
#ifndef NJ_STACK_NETFILTER_H
#define NJ_STACK_NETFILTER_H

#include "stack.h"

enum nf_inet_hooks {
	NF_INET_PRE_ROUTING, NF_INET_LOCAL_IN, NF_INET_FORWARD,
	NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING, NF_INET_NUMHOOKS
};

/* Verdicts (include/uapi/linux/netfilter.h). */
#define NF_DROP		0
#define NF_ACCEPT	1
#define NF_STOLEN	2
#define NF_QUEUE	3
#define NF_REPEAT	4

typedef int (*nf_okfn)(struct net *net, struct sk_buff *skb);

const char *nf_hook_name(int hook);

/**
 * NF_HOOK - runs the hook's rules in priority order on skb; on ACCEPT calls
 * okfn(net, skb) and returns its result. On DROP frees skb with
 * NETFILTER_DROP and returns NET_RX_DROP; on STOLEN returns NET_RX_SUCCESS
 * without calling okfn. Takes ownership of skb.
 */
int NF_HOOK(struct net *net, int hook, struct sk_buff *skb, struct net_device *in,
	    struct net_device *out, nf_okfn okfn);

#endif
