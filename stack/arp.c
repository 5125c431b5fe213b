/*
 * arp.c - ARP, after net/ipv4/arp.c (Linux 6.13): arp_rcv (header checks),
 * arp_process (replies for our addresses, learning the sender, gratuitous
 * ARP), arp_send/arp_create, and arp_solicit, the request neigh_probe
 * sends for an entry being resolved (the arp_queue of waiting packets is
 * the neighbour's: neighbour.c).
 * Left out: proxy ARP, arp_ignore/arp_announce/arp_filter (all 0),
 * arp_accept (0: a gratuitous ARP only updates an existing entry),
 * NF_ARP hooks, non-Ethernet hardware.
 */
#include "sock.h"

#include <string.h>

/* The Ethernet/IPv4 ARP body after struct arphdr. */
struct arp_eth_body {
	uint8_t sha[ETH_ALEN];
	uint32_t sip;
	uint8_t tha[ETH_ALEN];
	uint32_t tip;
} __attribute__((packed));

/* arp_create + arp_xmit: an Ethernet ARP frame to dest_hw (NULL: broadcast). */
static int arp_send(struct net *net, int op, struct net_device *dev, uint32_t dest_ip, const uint8_t *dest_hw,
		    uint32_t src_ip, const uint8_t *target_hw)
{
	static const uint8_t zero[ETH_ALEN];
	struct sk_buff *skb = alloc_skb(net, ETH_HLEN + 28);

	if (!skb)
		return -1;
	struct ethhdr *eth = (struct ethhdr *)skb_put(skb, ETH_HLEN + 28);
	struct arphdr *arp = (struct arphdr *)(eth + 1);
	struct arp_eth_body *b = (struct arp_eth_body *)(arp + 1);
	memcpy(eth->h_dest, dest_hw ? dest_hw : dev->broadcast, ETH_ALEN);
	memcpy(eth->h_source, dev->dev_addr, ETH_ALEN);
	eth->h_proto = htons(ETH_P_ARP);
	arp->ar_hrd = htons(ARPHRD_ETHER);
	arp->ar_pro = htons(ETH_P_IP);
	arp->ar_hln = ETH_ALEN;
	arp->ar_pln = 4;
	arp->ar_op = htons((uint16_t)op);
	memcpy(b->sha, dev->dev_addr, ETH_ALEN);
	b->sip = src_ip;
	memcpy(b->tha, target_hw ? target_hw : zero, ETH_ALEN);
	b->tip = dest_ip;
	skb->dev = dev;
	skb->protocol = ETH_P_ARP;
	skb_reset_mac_header(skb);
	trace_enter(net, skb, "arp_send", "arp", "%s %s tell %s", op == ARPOP_REQUEST ? "who-has" : "reply",
		    ip_fmt(op == ARPOP_REQUEST ? dest_ip : src_ip),
		    op == ARPOP_REQUEST ? ip_fmt(src_ip) : mac_fmt(dev->dev_addr));
	dev_queue_xmit(net, skb);
	trace_exit(net, NULL, V_SENT, 0, "%s", "");
	return 0;
}

/* The sender's mapping, for entries we have (or are resolving). */
static void arp_learn(struct net *net, struct sk_buff *skb, struct net_device *dev, int op,
		      const struct arp_eth_body *b, int create)
{
	int known = __neigh_lookup(net, dev, b->sip);
	enum nud_state st = op == ARPOP_REPLY && skb->pkt_type == PACKET_HOST ? NUD_REACHABLE : NUD_STALE;

	if (!known && !create) {
		trace_step(net, skb, "arp_process", "%s is not in the table: not learned (arp_accept=0)",
			   ip_fmt(b->sip));
		return;
	}
	int resolved = __neigh_update(net, dev, b->sip, b->sha, st);
	neigh_trace_entry(net, dev, b->sip);
	trace_step(net, skb, "neigh_update", "%s is at %s (%s)", ip_fmt(b->sip), mac_fmt(b->sha),
		   st == NUD_REACHABLE ? "REACHABLE: a reply to us" : "STALE");
	if (resolved)
		neigh_flush(net, dev, b->sip);	/* neigh_update's end: the arp_queue leaves */
}

/* The martian-source part of ip_route_input_noref(tip, sip), which a
 * request must pass to be answered: a multicast, limited broadcast, zero
 * network or loopback sender is none a reply could go to. */
static int arp_martian_source(struct net *net, struct sk_buff *skb, uint32_t sip)
{
	if (!ipv4_is_multicast(sip) && !ipv4_is_lbcast(sip) && !ipv4_is_zeronet(sip) && !ipv4_is_loopback(sip))
		return 0;
	trace_step(net, skb, "ip_route_input_noref", "martian source %s: the request is not answered", ip_fmt(sip));
	return 1;
}

/* arp_process for Ethernet/IPv4: hardware type Ethernet or IEEE 802 (an
 * Ethernet device takes both, RFC 2625). */
static int arp_process(struct net *net, struct sk_buff *skb, struct net_device *dev)
{
	const struct arphdr *arp = (const struct arphdr *)skb->data;
	const struct arp_eth_body *b = (const struct arp_eth_body *)(arp + 1);
	int op = ntohs(arp->ar_op), hrd = ntohs(arp->ar_hrd);
	int for_us = ip_dev_find(net, b->tip) == dev;

	trace_enter(net, skb, "arp_process", "arp", "%s %s tell %s", op == ARPOP_REQUEST ? "who-has" : "reply",
		    ip_fmt(op == ARPOP_REQUEST ? b->tip : b->sip), ip_fmt(b->sip));
	if ((hrd != ARPHRD_ETHER && hrd != ARPHRD_IEEE802) || ntohs(arp->ar_pro) != ETH_P_IP ||
	    (op != ARPOP_REQUEST && op != ARPOP_REPLY))
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	if (ipv4_is_multicast(b->tip) || ipv4_is_loopback(b->tip))
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	SNMP_INC(net, op == ARPOP_REQUEST ? MIB_ARP_INREQUESTS : MIB_ARP_INREPLIES);
	if (b->sip == 0) {
		/* RFC 5227 probe: answer, but learn nothing from 0.0.0.0. */
		if (op == ARPOP_REQUEST && for_us) {
			SNMP_INC(net, MIB_ARP_OUTREPLIES);
			arp_send(net, ARPOP_REPLY, dev, 0, b->sha, b->tip, b->sha);
		}
	} else if (op == ARPOP_REQUEST && for_us && !arp_martian_source(net, skb, b->sip)) {
		/* neigh_event_ns: whoever asks for us will talk to us next. */
		arp_learn(net, skb, dev, op, b, 1);
		SNMP_INC(net, MIB_ARP_OUTREPLIES);
		arp_send(net, ARPOP_REPLY, dev, b->sip, b->sha, b->tip, b->sha);
	} else {
		if (b->sip == b->tip)
			trace_step(net, skb, "arp_process", "gratuitous ARP for %s", ip_fmt(b->sip));
		arp_learn(net, skb, dev, op, b, 0);
	}
	kfree_skb(net, skb);
	trace_exit(net, NULL, V_CONSUMED, 0, "%s", "");
	return NET_RX_SUCCESS;
}

int arp_rcv(struct net *net, struct sk_buff *skb, struct net_device *dev)
{
	const struct arphdr *arp;

	trace_enter(net, skb, "arp_rcv", "arp", "%u bytes on %s", skb->len, dev->name);
	if (skb->pkt_type == PACKET_OTHERHOST || skb->pkt_type == PACKET_LOOPBACK) {
		trace_exit(net, skb, V_CONSUMED, 0, "pkt_type %s: not for us", pkt_type_name(skb->pkt_type));
		kfree_skb(net, skb);
		return NET_RX_SUCCESS;
	}
	/* ARP header, two hardware and two protocol addresses. */
	if (!pskb_may_pull(skb, sizeof(*arp) + 2 * (ETH_ALEN + 4))) {
		trace_step(net, skb, "arp_rcv", "%u bytes: shorter than an Ethernet ARP packet", skb->len);
		return skb_drop(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL);
	}
	arp = (const struct arphdr *)skb->data;
	if (arp->ar_hln != ETH_ALEN || arp->ar_pln != 4) {
		trace_step(net, skb, "arp_rcv", "hardware/protocol address lengths %u/%u are not Ethernet/IPv4",
			   arp->ar_hln, arp->ar_pln);
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	return trace_ret(net, arp_process(net, skb, dev));
}

/* The source for our request: the packet's own, if it is ours (arp_announce 0). */
static uint32_t arp_solicit_saddr(struct net *net, struct net_device *dev, uint32_t nexthop, struct sk_buff *skb)
{
	uint32_t s = skb && skb->len >= 20 ? ip_hdr(skb)->saddr : 0;
	return s && ip_dev_find(net, s) ? s : inet_select_addr(dev, nexthop);
}

int arp_solicit(struct net *net, struct net_device *dev, uint32_t nexthop, struct sk_buff *skb)
{
	SNMP_INC(net, MIB_ARP_OUTREQUESTS);
	return arp_send(net, ARPOP_REQUEST, dev, nexthop, NULL, arp_solicit_saddr(net, dev, nexthop, skb), NULL);
}
