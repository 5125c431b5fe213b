/*
 * ip_forward.c - forwarding, after net/ipv4/ip_forward.c.
 * FIRST VERSION: routing never selects forwarding yet, so this only drops.
 */
#include "stack.h"

int ip_forward(struct net *net, struct sk_buff *skb)
{
	trace_enter(net, skb, "ip_forward", "ip", "%s", "");
	return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
}
