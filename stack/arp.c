/*
 * arp.c - ARP receive, after net/ipv4/arp.c arp_rcv/arp_process (Linux 6.13).
 * FIRST VERSION: the header checks and accounting; replies and the
 * neighbour table come with the output path.
 */
#include "stack.h"

int arp_rcv(struct net *net, struct sk_buff *skb, struct net_device *dev)
{
	const struct arphdr *arp;

	trace_enter(net, skb, "arp_rcv", "arp", "%u bytes on %s", skb->len, dev->name);
	if (!pskb_may_pull(skb, sizeof(*arp))) {
		trace_step(net, skb, "arp_rcv", "%u bytes: shorter than an ARP header", skb->len);
		return skb_drop(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL);
	}
	arp = (const struct arphdr *)skb->data;
	if (arp->ar_hln != ETH_ALEN || arp->ar_pln != 4 ||
	    !pskb_may_pull(skb, sizeof(*arp) + 2 * (ETH_ALEN + 4))) {
		trace_step(net, skb, "arp_rcv", "hardware/protocol address lengths %u/%u or size %u not Ethernet/IPv4",
			   arp->ar_hln, arp->ar_pln, skb->len);
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	if (skb->pkt_type == PACKET_OTHERHOST || skb->pkt_type == PACKET_LOOPBACK) {
		trace_exit(net, skb, V_CONSUMED, 0, "pkt_type %s: not for us", pkt_type_name(skb->pkt_type));
		kfree_skb(net, skb);
		return NET_RX_SUCCESS;
	}
	if (ntohs(arp->ar_op) == ARPOP_REQUEST)
		SNMP_INC(net, MIB_ARP_INREQUESTS);
	else if (ntohs(arp->ar_op) == ARPOP_REPLY)
		SNMP_INC(net, MIB_ARP_INREPLIES);
	trace_exit(net, skb, V_CONSUMED, 0, "ARP op %u", ntohs(arp->ar_op));
	kfree_skb(net, skb);
	return NET_RX_SUCCESS;
}

int arp_solicit(struct net *net, struct net_device *dev, uint32_t nexthop, struct sk_buff *skb)
{
	(void)dev;
	trace_step(net, skb, "arp_solicit", "no ARP request sent for %s in this build", ip_fmt(nexthop));
	kfree_skb_reason(net, skb, SKB_DROP_REASON_NEIGH_FAILED);
	return NET_RX_DROP;
}
