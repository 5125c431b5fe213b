/*
 * udp.c - UDP receive, after net/ipv4/udp.c __udp4_lib_rcv (Linux 6.13).
 * FIRST VERSION: header, length and checksum checks and accounting; no
 * sockets yet, so every datagram ends in NO_SOCKET with Udp.NoPorts.
 */
#include "stack.h"

int udp_rcv(struct net *net, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct udphdr *uh;
	uint32_t ulen;

	trace_enter(net, skb, "udp_rcv", "udp", "%u bytes", skb->len);
	if (!pskb_may_pull(skb, sizeof(*uh)))
		goto short_packet;
	uh = (const struct udphdr *)skb->data;
	ulen = ntohs(uh->len);
	if (ulen > skb->len || ulen < sizeof(*uh))
		goto short_packet;
	skb_trim(skb, ulen);
	/* RFC 768: a zero checksum means the sender computed none. */
	if (uh->check && net->sysctl.verify_checksums && !skb->csum_valid &&
	    csum_tcpudp(iph->saddr, iph->daddr, IPPROTO_UDP_, skb->data, ulen) != 0) {
		trace_step(net, skb, "udp_rcv", "checksum 0x%04x is wrong", ntohs(uh->check));
		SNMP_INC(net, MIB_UDP_INCSUMERRORS);
		SNMP_INC(net, MIB_UDP_INERRORS);
		return skb_drop(net, skb, SKB_DROP_REASON_UDP_CSUM);
	}
	trace_step(net, skb, "__udp4_lib_lookup", "%s:%u > %s:%u: no socket", ip_fmt(iph->saddr),
		   ntohs(uh->source), ip_fmt(iph->daddr), ntohs(uh->dest));
	SNMP_INC(net, MIB_UDP_NOPORTS);
	if (IPCB(skb)->dst.type != RTN_BROADCAST && IPCB(skb)->dst.type != RTN_MULTICAST)
		icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	return skb_drop(net, skb, SKB_DROP_REASON_NO_SOCKET);

short_packet:
	trace_step(net, skb, "udp_rcv", "short packet: %u bytes, UDP length field %u", skb->len,
		   skb->len >= 8 ? ntohs(((const struct udphdr *)skb->data)->len) : 0);
	SNMP_INC(net, MIB_UDP_INERRORS);
	return skb_drop(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL);
}
