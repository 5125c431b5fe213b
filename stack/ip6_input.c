/*
 * ip6_input.c - IPv6 receive, after net/ipv6/ip6_input.c (Linux 6.13):
 * ipv6_rcv → ip6_rcv_core (RFC 8200 / RFC 4291 acceptance checks, the
 * hop-by-hop header first) → ip6_rcv_finish (ip6_route_input) → dst_input:
 * ip6_input / ip6_mc_input / ip6_forward / ip6_pkt_discard → ip6_input_finish
 * → ip6_protocol_deliver_rcu, which walks the extension headers through
 * their handlers (exthdrs.c, reassembly.c) to the upper-layer protocol.
 * Left out: netfilter's IPv6 hooks (the scenario's rules are IPv4 rules;
 * no ip6tables here), early demux, list receive, raw sockets, IPsec
 * policy, L3 master devices, multicast routing, UDP-Lite (136) and
 * tunnels (41, 4, 47: their modules are not loaded by default either).
 */
#include "ipv6.h"
#include "netfilter.h"

#include <string.h>

static struct sk_buff *ip6_rcv_core_fail(struct net *net, struct sk_buff *skb, enum skb_drop_reason r,
					 enum nj_mib m)
{
	if (m != MIB_MAX)
		SNMP_INC(net, m);
	skb_drop(net, skb, r);
	return NULL;
}

/* The header checks after the version, in ip6_rcv_core's order; NULL if
 * the packet may go on, else what is wrong (all count Ip6.InHdrErrors). */
static const char *ip6_rcv_addr_check(const struct ipv6hdr *hdr, const struct net_device *dev)
{
	int lo = dev_is_loopback(dev);		/* IFF_LOOPBACK: the node talking to itself */
	if (!lo && (ipv6_addr_loopback(&hdr->saddr) || ipv6_addr_loopback(&hdr->daddr)))
		return "4. ::1 on a wire: loopback must never leave or enter an interface (RFC 4291 2.5.3)";
	if (!lo && ipv6_addr_is_multicast(&hdr->daddr) && ipv6_addr_mc_scope(&hdr->daddr) == 1)
		return "5. interface-local multicast destination received on a link (RFC 4291 errata 3480)";
	if (ipv6_addr_is_multicast(&hdr->daddr) && ipv6_addr_mc_scope(&hdr->daddr) == 0)
		return "6. multicast destination of reserved scope 0 (RFC 4291 2.7)";
	if (ipv6_addr_is_multicast(&hdr->saddr))
		return "7. multicast source address (RFC 4291 2.7)";
	return NULL;
}

static void ip6_rcv_core_args(struct net *net, const struct ipv6hdr *hdr, uint32_t pad)
{
	if (!trace_on(net))
		return;
	struct jw *a = trace_args(net);
	jw_kv_int(a, "version", 6);
	jw_kv_str(a, "saddr", in6_fmt(&hdr->saddr));
	jw_kv_str(a, "daddr", in6_fmt(&hdr->daddr));
	jw_kv_int(a, "nexthdr", hdr->nexthdr);
	jw_kv_int(a, "hop_limit", hdr->hop_limit);
	jw_kv_int(a, "payload_len", ntohs(hdr->payload_len));
	jw_kv_int(a, "trimmed", pad);
}

/* Step 8: payload_len against what arrived; link padding trimmed. Zero
 * with a hop-by-hop header may mean a jumbogram (its option decides). */
static struct sk_buff *ip6_rcv_len(struct net *net, struct sk_buff *skb, uint32_t *pad)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	uint32_t pkt_len = ntohs(hdr->payload_len);

	*pad = 0;
	if (!pkt_len && hdr->nexthdr == NEXTHDR_HOP)
		return skb;
	if (pkt_len + sizeof(struct ipv6hdr) > skb->len) {
		trace_step(net, skb, "ip6_rcv_core", "8. payload_len %u but only %u bytes follow the header%s", pkt_len,
			   skb->len - (uint32_t)sizeof(struct ipv6hdr),
			   skb->capture_trunc ? " (the capture cut this frame short)" : "");
		return ip6_rcv_core_fail(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL, MIB_IP6_INTRUNCATEDPKTS);
	}
	*pad = skb->len - (pkt_len + (uint32_t)sizeof(struct ipv6hdr));
	skb_trim(skb, pkt_len + (uint32_t)sizeof(struct ipv6hdr));
	return skb;
}

/*
 * ip6_rcv_core - a packet is accepted only if
 *  1. it was addressed to us at L2 (not PACKET_OTHERHOST);
 *  2. IPv6 is enabled on the device (disable_ipv6 = 0);
 *  3. a 40-byte header is present and 4. says version 6;
 *  4-7. no loopback address, no interface-local or scope-0 multicast
 *     destination, no multicast source (RFC 4291);
 *  8. payload_len fits in what arrived (padding is trimmed);
 *  9. a hop-by-hop header, when next, parses (ipv6_parse_hopopts).
 * Returns the skb, or NULL when it was dropped.
 */
static struct sk_buff *ip6_rcv_core(struct net *net, struct sk_buff *skb, struct net_device *dev)
{
	const struct ipv6hdr *hdr;
	const char *bad;
	uint32_t pad;

	trace_enter(net, skb, "ip6_rcv_core", "ip", "%u bytes", skb->len);
	if (skb->pkt_type == PACKET_OTHERHOST) {
		dev->rx_otherhost_dropped++;
		SNMP_INC(net, MIB_DEV_RX_OTHERHOST_DROPPED);
		trace_step(net, skb, "ip6_rcv_core", "1. pkt_type is OTHERHOST: the frame was for another MAC");
		return ip6_rcv_core_fail(net, skb, SKB_DROP_REASON_OTHERHOST, MIB_MAX);
	}
	SNMP_INC(net, MIB_IP6_INRECEIVES);
	SNMP_ADD(net, MIB_IP6_INOCTETS, skb->len);
	if (ipv6_devconf_disabled(net, dev)) {
		trace_step(net, skb, "ip6_rcv_core", "2. net.ipv6.conf.%s.disable_ipv6 = 1", dev->name);
		return ip6_rcv_core_fail(net, skb, SKB_DROP_REASON_IPV6DISABLED, MIB_IP6_INDISCARDS);
	}
	memset(IP6CB(skb), 0, sizeof(struct inet6_skb_parm));
	IP6CB(skb)->iif = dev->ifindex;
	if (!pskb_may_pull(skb, sizeof(struct ipv6hdr))) {
		trace_step(net, skb, "ip6_rcv_core", "3. only %u bytes: a 40-byte IPv6 header does not fit", skb->len);
		return ip6_rcv_core_fail(net, skb, SKB_DROP_REASON_IP_INHDR, MIB_IP6_INHDRERRORS);
	}
	hdr = (const struct ipv6hdr *)skb->data;
	if (ipv6_version(hdr) != 6) {
		trace_step(net, skb, "ip6_rcv_core", "3. version %d in an IPv6 frame", ipv6_version(hdr));
		return ip6_rcv_core_fail(net, skb, SKB_DROP_REASON_UNHANDLED_PROTO, MIB_IP6_INHDRERRORS);
	}
	SNMP_INC(net, (enum nj_mib)(MIB_IP6_INNOECTPKTS + (ipv6_get_dsfield(hdr) & 3)));
	if ((bad = ip6_rcv_addr_check(hdr, dev))) {
		trace_step(net, skb, "ip6_rcv_core", "%s: %s > %s", bad, in6_fmt(&hdr->saddr), in6_fmt(&hdr->daddr));
		return ip6_rcv_core_fail(net, skb, SKB_DROP_REASON_IP_INHDR, MIB_IP6_INHDRERRORS);
	}
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, (int)sizeof(struct ipv6hdr));
	IP6CB(skb)->nhoff = 6;		/* offsetof(struct ipv6hdr, nexthdr) */
	if (!(skb = ip6_rcv_len(net, skb, &pad)))
		return NULL;
	hdr = ipv6_hdr(skb);
	if (hdr->nexthdr == NEXTHDR_HOP && ipv6_parse_hopopts(net, skb) < 0) {
		SNMP_INC(net, MIB_IP6_INHDRERRORS);
		trace_exit(net, NULL, V_DROP, net->last_drop, "9. bad hop-by-hop options header");
		return NULL;
	}
	ip6_rcv_core_args(net, hdr, pad);
	trace_exit(net, skb, V_PASS, 0, "header ok: %s > %s next header %u hop limit %u payload %u%s",
		   in6_fmt(&hdr->saddr), in6_fmt(&hdr->daddr), hdr->nexthdr, hdr->hop_limit, ntohs(hdr->payload_len),
		   pad ? " (link padding trimmed)" : "");
	return skb;
}

int ipv6_rcv(struct net *net, struct sk_buff *skb, struct net_device *dev)
{
	trace_enter(net, skb, "ipv6_rcv", "ip", "IPv6 on %s", dev->name);
	skb = ip6_rcv_core(net, skb, dev);
	if (!skb)
		return trace_ret(net, NET_RX_DROP);
	return trace_ret(net, NF_HOOK6(net, NF_INET_PRE_ROUTING, skb, dev, NULL, ip6_rcv_finish));
}

int ip6_rcv_finish(struct net *net, struct sk_buff *skb)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	int ret;

	trace_enter(net, skb, "ip6_rcv_finish", "ip", "%s > %s", in6_fmt(&hdr->saddr), in6_fmt(&hdr->daddr));
	if (dev_is_loopback(skb->dev) && !ipv6_addr_is_multicast(&hdr->daddr)) {
		/* loopback_xmit kept the sender's dst: skb_valid_dst, no lookup */
		IP6CB(skb)->dst.input = RT6_INPUT;
		trace_step(net, skb, "skb_valid_dst", "on %s: the dst of the sender's output route came along; no "
			   "input route lookup", skb->dev->name);
	} else {
		ip6_route_input(net, skb);
	}
	switch (IP6CB(skb)->dst.input) {		/* dst_input */
	case RT6_INPUT:
		ret = ip6_input(net, skb);
		break;
	case RT6_MC_INPUT:
		ret = ip6_mc_input(net, skb);
		break;
	case RT6_FORWARD:
		ret = ip6_forward(net, skb);
		break;
	default:
		ret = ip6_pkt_discard(net, skb);
		break;
	}
	return trace_ret(net, ret);
}

int ip6_mc_input(struct net *net, struct sk_buff *skb)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);

	trace_enter(net, skb, "ip6_mc_input", "ip", "to group %s", in6_fmt(&hdr->daddr));
	SNMP_INC(net, MIB_IP6_INMCASTPKTS);
	SNMP_ADD(net, MIB_IP6_INMCASTOCTETS, skb->len);
	if (!ipv6_chk_mcast_addr(net, skb->dev, &hdr->daddr)) {
		trace_step(net, skb, "ipv6_chk_mcast_addr", "%s has not joined %s: discard", skb->dev->name,
			   in6_fmt(&hdr->daddr));
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	return trace_ret(net, ip6_input(net, skb));
}

/* ipv6_is_mld: MLD messages reach a host even for groups it has not joined. */
static int ipv6_is_mld(const struct sk_buff *skb, int nexthdr)
{
	if (nexthdr != NEXTHDR_ICMP || skb->len < 1)
		return 0;
	uint8_t t = skb->data[0];
	return t == ICMPV6_MGM_QUERY || t == ICMPV6_MGM_REPORT || t == ICMPV6_MGM_REDUCTION || t == ICMPV6_MLD2_REPORT;
}

/* An upper-layer ("final") protocol: the multicast membership check once. */
static int ip6_final_check(struct net *net, struct sk_buff *skb, int nexthdr)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	if (!ipv6_addr_is_multicast(&hdr->daddr) || ipv6_chk_mcast_addr(net, skb->dev, &hdr->daddr) ||
	    ipv6_is_mld(skb, nexthdr))
		return 0;
	SNMP_INC(net, MIB_IP6_INDISCARDS);
	trace_step(net, skb, "ip6_protocol_deliver_rcu", "not a member of %s", in6_fmt(&hdr->daddr));
	kfree_skb_reason(net, skb, SKB_DROP_REASON_IP_INADDRERRORS);
	return -1;
}

/* inet6_protos[nexthdr]'s handler: >0 go on with the next header, 0
 * delivered (skb owned by the handler, which may have dropped it: Linux
 * counts Ip6.InDelivers all the same), -1 dropped by an extension header,
 * -2 no handler, -3 the fragment handler kept or dropped it. */
static int ip6_call_proto(struct net *net, struct sk_buff **pskb, int nexthdr)
{
	switch (nexthdr) {
	case NEXTHDR_ROUTING:
		return ipv6_rthdr_rcv(net, *pskb);
	case NEXTHDR_DEST:
		return ipv6_destopt_rcv(net, *pskb);
	case NEXTHDR_FRAGMENT:
		return ipv6_frag_rcv(net, pskb) > 0 ? 1 : -3;	/* -3: held or dropped there */
	case NEXTHDR_NONE:		/* nodata: nothing follows (dst_discard) */
		trace_step(net, *pskb, "dst_discard", "next header 59: nothing follows (counted as delivered)");
		kfree_skb_reason(net, *pskb, SKB_DROP_REASON_NOT_SPECIFIED);
		return 0;
	case NEXTHDR_TCP:
	case NEXTHDR_UDP:
	case NEXTHDR_ICMP:
		if (ip6_final_check(net, *pskb, nexthdr) < 0)
			return -1;
		if (nexthdr == NEXTHDR_TCP)
			return tcp_v6_rcv(net, *pskb);
		return nexthdr == NEXTHDR_UDP ? udpv6_rcv(net, *pskb) : icmpv6_rcv(net, *pskb);
	default:
		return -2;		/* no handler */
	}
}

/*
 * ip6_protocol_deliver_rcu - pulls to the header IP6CB(skb)->nhoff names
 * and calls its handler, again for each extension header; an unknown
 * next header counts Ip6.InUnknownProtos and gets a parameter problem
 * (code 1) pointing at the next-header byte that named it (RFC 8200 4).
 */
static int ip6_protocol_deliver_rcu(struct net *net, struct sk_buff *skb)
{
	for (;;) {
		unsigned nhoff = IP6CB(skb)->nhoff;
		int nexthdr = skb_network_header(skb)[nhoff];
		skb_pull(skb, (uint32_t)(skb->transport_header - (skb->data - skb->head)));
		trace_step(net, skb, "ip6_protocol_deliver_rcu", "next header %d at offset %u", nexthdr, nhoff);
		int ret = ip6_call_proto(net, &skb, nexthdr);
		if (ret > 0)
			continue;
		if (ret == 0) {
			SNMP_INC(net, MIB_IP6_INDELIVERS);
			return NET_RX_SUCCESS;
		}
		if (ret == -1)
			return NET_RX_DROP;
		if (ret == -3)
			return NET_RX_SUCCESS;
		SNMP_INC(net, MIB_IP6_INUNKNOWNPROTOS);
		trace_step(net, skb, "ip6_protocol_deliver_rcu", "no handler for next header %d (named at offset %u)",
			   nexthdr, nhoff);
		icmpv6_param_prob_reason(net, skb, ICMPV6_UNK_NEXTHDR, nhoff, SKB_DROP_REASON_IP_NOPROTO);
		return NET_RX_DROP;
	}
}

static int ip6_input_finish(struct net *net, struct sk_buff *skb)
{
	trace_enter(net, skb, "ip6_input_finish", "ip", "%s", "");
	return trace_ret(net, ip6_protocol_deliver_rcu(net, skb));
}

int ip6_input(struct net *net, struct sk_buff *skb)
{
	trace_enter(net, skb, "ip6_input", "ip", "%s", "");
	return trace_ret(net, NF_HOOK6(net, NF_INET_LOCAL_IN, skb, skb->dev, NULL, ip6_input_finish));
}
