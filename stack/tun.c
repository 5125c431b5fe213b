/*
 * tun.c - a tun device's receive side, after drivers/net/tun.c
 * (tun_get_user, Linux 6.13), for captures taken on one (a VPN's tun0,
 * WireGuard's wg0: link type RAW). What the VPN daemon writes is an IP
 * packet with no link-layer header; IFF_NO_PI is assumed, so its first
 * nibble says IPv4 or IPv6. It is received at once (tun_rx_batched with
 * rx_batched 0: netif_receive_skb), not through the backlog. The transmit
 * side is neigh_direct_output (neighbour.c): no ARP, no header. Left out:
 * the packet-information header, vnet headers and GSO from user space,
 * XDP, multiqueue steering, NAPI mode.
 */
#include "stack.h"

#include <errno.h>

int netif_receive_skb(struct net *net, struct sk_buff *skb)
{
	trace_enter(net, skb, "netif_receive_skb", "core", "received at once on %s, not queued on the backlog",
		    skb->dev->name);
	return trace_ret(net, __netif_receive_skb(net, skb));
}

int tun_get_user(struct net *net, struct sk_buff *skb, struct net_device *dev)
{
	uint8_t version = skb->len ? skb->data[0] >> 4 : 0;

	trace_enter(net, skb, "tun_get_user", "driver", "%u bytes written to %s", skb->len, dev->name);
	skb->dev = dev;
	if (version != 4 && version != 6) {
		dev->rx_dropped++;
		trace_step(net, skb, "tun_get_user", "IP version %u: a tun device (IFF_NO_PI) takes IPv4 and IPv6 only",
			   version);
		skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
		return -EINVAL;
	}
	skb_reset_mac_header(skb);
	skb->protocol = version == 4 ? ETH_P_IP : ETH_P_IPV6;
	skb->pkt_type = PACKET_HOST;
	return trace_ret(net, netif_receive_skb(net, skb));
}
