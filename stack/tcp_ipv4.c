/*
 * tcp_ipv4.c - TCP receive entry, after net/ipv4/tcp_ipv4.c tcp_v4_rcv
 * (Linux 6.13). FIRST VERSION: the checks in Linux's order and the
 * accounting; no sockets yet, so every segment ends in NO_SOCKET.
 */
#include "stack.h"

int tcp_v4_rcv(struct net *net, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th;
	uint32_t doff;

	trace_enter(net, skb, "tcp_v4_rcv", "tcp", "%u bytes", skb->len);
	if (skb->pkt_type != PACKET_HOST) {
		trace_step(net, skb, "tcp_v4_rcv", "pkt_type %s: TCP takes only unicast", pkt_type_name(skb->pkt_type));
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	SNMP_INC(net, MIB_TCP_INSEGS);
	if (!pskb_may_pull(skb, sizeof(*th))) {
		trace_step(net, skb, "tcp_v4_rcv", "%u bytes: no room for a 20-byte header", skb->len);
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	th = (const struct tcphdr *)skb->data;
	doff = (uint32_t)(th->doff_res >> 4);
	if (doff < 5) {
		trace_step(net, skb, "tcp_v4_rcv", "data offset %u < 5", doff);
		SNMP_INC(net, MIB_TCP_INERRS);
		return skb_drop(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL);
	}
	if (!pskb_may_pull(skb, doff * 4)) {
		trace_step(net, skb, "tcp_v4_rcv", "data offset says %u header bytes, %u present", doff * 4, skb->len);
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	if (net->sysctl.verify_checksums && !skb->csum_valid &&
	    csum_tcpudp(iph->saddr, iph->daddr, IPPROTO_TCP_, skb->data, skb->len) != 0) {
		trace_step(net, skb, "tcp_v4_rcv", "checksum 0x%04x is wrong", ntohs(th->check));
		SNMP_INC(net, MIB_TCP_INCSUMERRORS);
		SNMP_INC(net, MIB_TCP_INERRS);
		return skb_drop(net, skb, SKB_DROP_REASON_TCP_CSUM);
	}
	trace_step(net, skb, "__inet_lookup_skb", "%s:%u > %s:%u: no socket", ip_fmt(iph->saddr),
		   ntohs(th->source), ip_fmt(iph->daddr), ntohs(th->dest));
	return skb_drop(net, skb, SKB_DROP_REASON_NO_SOCKET);
}
