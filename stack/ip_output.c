/*
 * ip_output.c - IPv4 output, after net/ipv4/ip_output.c (Linux 6.13):
 * ip_local_out → LOCAL_OUT → ip_output → POST_ROUTING → ip_finish_output
 * → the neighbour layer. FIRST VERSION: no fragmentation on output.
 */
#include "netfilter.h"
#include "stack.h"

#include <errno.h>

static int ip_finish_output(struct net *net, struct sk_buff *skb)
{
	const struct nj_dst *dst = &IPCB(skb)->dst;
	struct net_device *dev = dev_get_by_index(net, dst->oif);
	uint32_t nexthop = dst->gateway ? dst->gateway : ip_hdr(skb)->daddr;

	trace_enter(net, skb, "ip_finish_output", "ip", "%u bytes via %s", skb->len, dev ? dev->name : "?");
	SNMP_INC(net, MIB_IP_OUTTRANSMITS);
	SNMP_ADD(net, MIB_IPEXT_OUTOCTETS, skb->len);
	return trace_ret(net, neigh_output(net, skb, dev, nexthop));
}

int ip_output(struct net *net, struct sk_buff *skb)
{
	struct net_device *dev = dev_get_by_index(net, IPCB(skb)->dst.oif);

	trace_enter(net, skb, "ip_output", "ip", "out %s", dev ? dev->name : "?");
	skb->dev = dev;
	skb->protocol = ETH_P_IP;
	return trace_ret(net, NF_HOOK(net, NF_INET_POST_ROUTING, skb, NULL, dev, ip_finish_output));
}

int ip_local_out(struct net *net, struct sk_buff *skb)
{
	struct iphdr *iph = (struct iphdr *)skb->data;
	struct nj_dst dst = { 0 };

	skb_reset_network_header(skb);
	trace_enter(net, skb, "ip_local_out", "ip", "%s > %s proto %u", ip_fmt(iph->saddr), ip_fmt(iph->daddr),
		    iph->protocol);
	SNMP_INC(net, MIB_IP_OUTREQUESTS);
	if (ip_route_output(net, iph->daddr, iph->saddr, &dst) < 0) {
		SNMP_INC(net, MIB_IP_OUTNOROUTES);
		trace_step(net, skb, "ip_route_output", "no route to %s", ip_fmt(iph->daddr));
		return skb_drop(net, skb, SKB_DROP_REASON_IP_OUTNOROUTES);
	}
	IPCB(skb)->dst = dst;
	ip_send_check(iph);
	return trace_ret(net, NF_HOOK(net, NF_INET_LOCAL_OUT, skb, NULL, dev_get_by_index(net, dst.oif), ip_output));
}
