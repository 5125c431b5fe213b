/*
 * eth.c - Ethernet receive classification, after net/ethernet/eth.c
 * (eth_type_trans) and net/core/skbuff.c (skb_vlan_untag), Linux 6.13.
 * Left out: DSA tags, the 802.3 length/LLC parsing beyond its protocol value.
 */
#include "stack.h"

#include <string.h>

static int ether_addr_equal(const uint8_t *a, const uint8_t *b) { return !memcmp(a, b, ETH_ALEN); }
static int is_multicast_ether_addr(const uint8_t *a) { return a[0] & 1; }

uint16_t eth_type_trans(struct net *net, struct sk_buff *skb, struct net_device *dev)
{
	const struct ethhdr *eth;
	uint16_t proto;

	skb->dev = dev;
	skb_reset_mac_header(skb);
	eth = (const struct ethhdr *)skb->data;
	trace_enter(net, skb, "eth_type_trans", "link", "%s > %s", mac_fmt(eth->h_source), mac_fmt(eth->h_dest));
	skb_pull(skb, ETH_HLEN);

	/* pkt_type: our MAC → HOST; the I/G bit → BROADCAST or MULTICAST;
	 * anything else reached us only because the NIC is promiscuous. */
	if (ether_addr_equal(eth->h_dest, dev->dev_addr))
		skb->pkt_type = PACKET_HOST;
	else if (is_multicast_ether_addr(eth->h_dest))
		skb->pkt_type = ether_addr_equal(eth->h_dest, dev->broadcast) ? PACKET_BROADCAST : PACKET_MULTICAST;
	else
		skb->pkt_type = PACKET_OTHERHOST;

	/* EtherType ≥ 0x0600, else an 802.3 length: raw 802.3 (IPX) if the
	 * payload starts 0xFFFF, otherwise 802.2 LLC. */
	proto = ntohs(eth->h_proto);
	if (proto < 0x0600) {
		const unsigned char *p = skb->data;
		proto = (skb->len >= 2 && p[0] == 0xff && p[1] == 0xff) ? ETH_P_802_3 : ETH_P_802_2;
	}
	skb->protocol = proto;
	trace_exit(net, skb, V_PASS, 0, "pkt_type=%s protocol=0x%04x (%s)", pkt_type_name(skb->pkt_type),
		   proto, eth_proto_name(proto));
	return proto;
}

int skb_vlan_untag(struct net *net, struct sk_buff *skb)
{
	if (!pskb_may_pull(skb, VLAN_HLEN)) {
		trace_step(net, skb, "skb_vlan_untag", "802.1Q tag truncated (%u bytes left)", skb->len);
		return -1;
	}
	const unsigned char *p = skb->data;
	uint16_t tci = (uint16_t)(p[0] << 8 | p[1]);
	uint16_t inner = (uint16_t)(p[2] << 8 | p[3]);
	uint16_t outer = skb->protocol;

	skb->vlan_tci = tci;
	skb->vlan_present = 1;
	skb_pull(skb, VLAN_HLEN);
	skb->protocol = inner;
	skb_reset_network_header(skb);
	skb_reset_transport_header(skb);
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_int(a, "vlan_id", tci & 0x0fff);
		jw_kv_int(a, "pcp", tci >> 13);
		jw_kv_int(a, "dei", (tci >> 12) & 1);
	}
	trace_step(net, skb, "skb_vlan_untag", "%s tag removed: vlan %u prio %u, inner ethertype 0x%04x",
		   outer == ETH_P_8021AD ? "802.1ad" : "802.1Q", tci & 0x0fff, tci >> 13, inner);
	return 0;
}
