/*
 * ip_forward.c - forwarding, after net/ipv4/ip_forward.c: ip_forward's
 * checks in modern Linux's order (6.13), or 2.4's order when the scenario
 * says "kernel": "2.4", then NF_INET_FORWARD → ip_forward_finish →
 * ip_output.
 *
 * Left out: IPsec policy checks, Router Alert, strict source routes,
 * ICMP redirects (send_redirects), LRO, skb priority from TOS, switchdev
 * offload, source routes (refused on receive: ip_options.c).
 */
#include "netfilter.h"
#include "stack.h"

#include <string.h>

int ip_forward_finish(struct net *net, struct sk_buff *skb)
{
	trace_enter(net, skb, "ip_forward_finish", "ip", "%s > %s", ip_fmt(ip_hdr(skb)->saddr),
		    ip_fmt(ip_hdr(skb)->daddr));
	if (net->kernel == KERNEL_2_4)
		SNMP_INC(net, MIB_IP_FORWDATAGRAMS);	/* 2.4 counted here, after the hook */
	if (ip_ihl(ip_hdr(skb)) > 5)
		ip_forward_options(net, skb);
	int ret = ip_output(net, skb);
	if (ret == NET_RX_DROP)
		trace_exit(net, NULL, V_DROP, net->last_drop, "%s", "");
	else
		trace_exit(net, NULL, V_FORWARDED, 0, "%s", "");
	return ret;
}

/*
 * ip_decrease_ttl - TTL-1 and the checksum patched incrementally (RFC 1624
 * eqn. 3: HC' = ~(~HC + ~m + m'); the TTL is the high byte of its 16-bit
 * word, so the word drops by 0x0100 and the checksum rises by 0x0100,
 * with the end-around carry).
 */
static void ip_decrease_ttl(struct iphdr *iph)
{
	uint32_t check = ntohs(iph->check);
	check += 0x0100;
	iph->check = htons((uint16_t)(check + (check >= 0xFFFF)));
	iph->ttl--;
}

/* ip_exceeds_mtu: DF set and longer than the egress MTU (no GSO here). */
static int ip_exceeds_mtu(const struct sk_buff *skb, uint32_t mtu)
{
	if (skb->len <= mtu)
		return 0;
	if (IPCB(skb)->frag_max_size && IPCB(skb)->frag_max_size > mtu)
		return 1;
	return (ip_hdr(skb)->frag_off & htons(IP_DF)) != 0;
}

static int ip_forward_ttl_expired(struct net *net, struct sk_buff *skb)
{
	trace_step(net, skb, "ip_forward", "TTL %u: would reach 0 here; Time Exceeded to %s", ip_hdr(skb)->ttl,
		   ip_fmt(ip_hdr(skb)->saddr));
	if (net->kernel != KERNEL_2_4)
		SNMP_INC(net, MIB_IP_INHDRERRORS);	/* 2.4 did not count it */
	icmp_send(net, skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
	return skb_drop(net, skb, SKB_DROP_REASON_IP_INHDR);
}

static int ip_forward_too_big(struct net *net, struct sk_buff *skb, uint32_t mtu)
{
	trace_step(net, skb, "ip_forward", "%u bytes with DF set exceed the egress MTU %u: fragmentation needed",
		   skb->len, mtu);
	SNMP_INC(net, MIB_IP_FRAGFAILS);
	icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
	return skb_drop(net, skb, SKB_DROP_REASON_PKT_TOO_BIG);
}

/* The FORWARD hook, then the end of ip_forward's frame. */
static int ip_forward_hook(struct net *net, struct sk_buff *skb, struct net_device *out)
{
	const struct iphdr *iph = ip_hdr(skb);
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_int(a, "ttl", iph->ttl);
		jw_kv_str(a, "check", "incrementally updated (RFC 1624)");
		jw_kv_str(a, "out", out ? out->name : "?");
		if (IPCB(skb)->dst.gateway)
			jw_kv_str(a, "gateway", ip_fmt(IPCB(skb)->dst.gateway));
		trace_step(net, skb, "ip_decrease_ttl", "TTL now %u, header checksum 0x%04x", iph->ttl,
			   ntohs(iph->check));
	}
	int ret = NF_HOOK(net, NF_INET_FORWARD, skb, skb->dev, out, ip_forward_finish);
	if (ret == NET_RX_DROP)
		trace_exit(net, NULL, V_DROP, net->last_drop, "%s", "");
	else
		trace_exit(net, NULL, V_FORWARDED, 0, "%s", "");
	return ret;
}

/*
 * ip_forward_24 - Linux 2.4's order: the L2 check, TTL (no InHdrErrors),
 * decrement, and only then the DF/MTU test, with ForwDatagrams counted in
 * ip_forward_finish.
 */
static int ip_forward_24(struct net *net, struct sk_buff *skb, struct net_device *out, uint32_t mtu)
{
	if (ip_hdr(skb)->ttl <= 1)
		return ip_forward_ttl_expired(net, skb);
	ip_decrease_ttl(ip_hdr(skb));
	if (ip_exceeds_mtu(skb, mtu))
		return ip_forward_too_big(net, skb, mtu);
	return ip_forward_hook(net, skb, out);
}

/*
 * ip_forward - ip-layer.md 5.1, in this order (6.13):
 *  1. pkt_type must be PACKET_HOST: never forward an L2 broadcast/multicast;
 *  7. TTL <= 1 → InHdrErrors, ICMP Time Exceeded (TTL in transit), IP_INHDR;
 * 10. Ip.ForwDatagrams (OutForwDatagrams);
 * 11. DF and longer than the egress MTU → FragFails, ICMP Fragmentation
 *     Needed with that MTU, PKT_TOO_BIG;
 * 13. TTL-1 with an incremental checksum update;
 * 16. NF_INET_FORWARD → ip_forward_finish.
 */
int ip_forward(struct net *net, struct sk_buff *skb)
{
	struct net_device *out = dev_get_by_index(net, IPCB(skb)->dst.oif);
	uint32_t mtu = out ? out->mtu : 1500;

	trace_enter(net, skb, "ip_forward", "ip", "%s > %s ttl %u, out %s", ip_fmt(ip_hdr(skb)->saddr),
		    ip_fmt(ip_hdr(skb)->daddr), ip_hdr(skb)->ttl, out ? out->name : "?");
	if (skb->pkt_type != PACKET_HOST) {
		trace_step(net, skb, "ip_forward", "pkt_type %s: only frames sent to our MAC are forwarded",
			   pkt_type_name(skb->pkt_type));
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	IPCB(skb)->flags |= IPSKB_FORWARDED;
	if (net->kernel == KERNEL_2_4)
		return ip_forward_24(net, skb, out, mtu);
	if (ip_hdr(skb)->ttl <= 1)
		return ip_forward_ttl_expired(net, skb);
	SNMP_INC(net, MIB_IP_FORWDATAGRAMS);
	if (ip_exceeds_mtu(skb, mtu))
		return ip_forward_too_big(net, skb, mtu);
	ip_decrease_ttl(ip_hdr(skb));
	return ip_forward_hook(net, skb, out);
}
