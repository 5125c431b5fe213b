/*
 * exthdrs.c - IPv6 extension headers on receive, after net/ipv6/exthdrs.c
 * and exthdrs_core.c (Linux 6.13): hop-by-hop options (ipv6_parse_hopopts,
 * from ip6_rcv_core), destination options (ipv6_destopt_rcv) and the
 * routing header (ipv6_rthdr_rcv), with ip6_parse_tlv walking the options:
 * Pad1/PadN (at most 7 bytes of padding, PadN all zeros, RFC 4942
 * 2.1.9.5), router alert, jumbo payload, and unknown options by their two
 * action bits (RFC 8200 4.2).
 * Left out: CALIPSO and IOAM options (skipped as unknown type-00 options,
 * which is what a host without them configured does with IOAM), the home
 * address option (mobile IPv6: the packet is discarded, as it is without
 * an xfrm state), segment routing and RPL headers beyond their default
 * refusal (seg6_enabled = rpl_seg_enabled = 0), type 2 routing headers.
 */
#include "ipv6.h"

#include <string.h>

static int ext_hdrlen(const struct sk_buff *skb)
{
	return (skb_transport_header(skb)[1] + 1) << 3;
}

/* The 8 bytes, then the whole header must be there (pskb_may_pull twice). */
static int ext_present(const struct sk_buff *skb)
{
	uint32_t toff = (uint32_t)(skb_transport_header(skb) - skb->data);
	return pskb_may_pull(skb, toff + 8) && pskb_may_pull(skb, toff + (uint32_t)ext_hdrlen(skb));
}

/* ip6_tlvopt_unknown - RFC 8200 4.2: the top two bits of an unknown
 * option's type say: 00 skip it; 01 discard; 10 discard and send a
 * parameter problem (code 2) pointing at it; 11 the same unless the
 * destination is multicast. Returns 1 to go on, 0 when skb was freed. */
static int ip6_tlvopt_unknown(struct net *net, struct sk_buff *skb, int optoff)
{
	uint8_t type = skb_network_header(skb)[optoff];

	switch (type >> 6) {
	case 0:
		trace_step(net, skb, "ip6_tlvopt_unknown", "option %u at offset %d unknown, action 00: skip it", type, optoff);
		return 1;
	case 3:
		if (ipv6_addr_is_multicast(&ipv6_hdr(skb)->daddr)) {
			trace_step(net, skb, "ip6_tlvopt_unknown", "option %u unknown, action 11 to a multicast "
				   "destination: discard without ICMP", type);
			break;
		}
		/* fall through */
	case 2:
		trace_step(net, skb, "ip6_tlvopt_unknown", "option %u at offset %d unknown, action %s: discard and "
			   "send a parameter problem", type, optoff, type >> 6 == 2 ? "10" : "11");
		icmpv6_param_prob_reason(net, skb, ICMPV6_UNK_OPTION, (uint32_t)optoff, SKB_DROP_REASON_UNHANDLED_PROTO);
		return 0;
	default:
		trace_step(net, skb, "ip6_tlvopt_unknown", "option %u unknown, action 01: discard silently", type);
		break;
	}
	kfree_skb_reason(net, skb, SKB_DROP_REASON_UNHANDLED_PROTO);
	return 0;
}

/* ipv6_hop_jumbo - RFC 2675: 4 bytes of length, aligned 4n+2, more than
 * 65535, and payload_len must be 0. */
static int ipv6_hop_jumbo(struct net *net, struct sk_buff *skb, int optoff)
{
	const uint8_t *nh = skb_network_header(skb);
	if (nh[optoff + 1] != 4 || (optoff & 3) != 2) {
		trace_step(net, skb, "ipv6_hop_jumbo", "jumbo option of length %u at offset %d: need 4 at 4n+2",
			   nh[optoff + 1], optoff);
		kfree_skb_reason(net, skb, SKB_DROP_REASON_IP_INHDR);
		return 0;
	}
	uint32_t pkt_len = (uint32_t)nh[optoff + 2] << 24 | (uint32_t)nh[optoff + 3] << 16 | nh[optoff + 4] << 8 |
			   nh[optoff + 5];
	if (pkt_len <= IPV6_MAXPLEN || ipv6_hdr(skb)->payload_len) {
		trace_step(net, skb, "ipv6_hop_jumbo", "jumbo length %u with payload_len %u: not a jumbogram", pkt_len,
			   ntohs(ipv6_hdr(skb)->payload_len));
		icmpv6_param_prob_reason(net, skb, ICMPV6_HDR_FIELD,
					 (uint32_t)(pkt_len <= IPV6_MAXPLEN ? optoff + 2 : optoff), SKB_DROP_REASON_IP_INHDR);
		return 0;
	}
	if (pkt_len > skb->len - sizeof(struct ipv6hdr)) {
		SNMP_INC(net, MIB_IP6_INTRUNCATEDPKTS);
		kfree_skb_reason(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL);
		return 0;
	}
	skb_trim(skb, pkt_len + (uint32_t)sizeof(struct ipv6hdr));
	return 1;
}

/* One option that is not padding; 1 to go on, 0 when skb was freed. */
static int ip6_tlv_one(struct net *net, int hopbyhop, struct sk_buff *skb, int off)
{
	const uint8_t *nh = skb_network_header(skb);
	if (hopbyhop && nh[off] == IPV6_TLV_ROUTERALERT) {
		if (nh[off + 1] != 2) {
			trace_step(net, skb, "ipv6_hop_ra", "router alert of length %u (must be 2)", nh[off + 1]);
			kfree_skb_reason(net, skb, SKB_DROP_REASON_IP_INHDR);
			return 0;
		}
		IP6CB(skb)->flags |= IP6SKB_ROUTERALERT;
		IP6CB(skb)->ra = (uint16_t)(off + 1);
		trace_step(net, skb, "ipv6_hop_ra", "router alert, value %u", nh[off + 2] << 8 | nh[off + 3]);
		return 1;
	}
	if (hopbyhop && nh[off] == IPV6_TLV_JUMBO)
		return ipv6_hop_jumbo(net, skb, off);
	if (!hopbyhop && nh[off] == IPV6_TLV_HAO) {
		trace_step(net, skb, "ipv6_dest_hao", "home address option: no mobile IPv6 state to accept it");
		kfree_skb_reason(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
		return 0;
	}
	return ip6_tlvopt_unknown(net, skb, off);
}

static int ip6_tlv_bad(struct net *net, struct sk_buff *skb, const char *why, int off)
{
	trace_step(net, skb, "ip6_parse_tlv", "%s at offset %d", why, off);
	kfree_skb_reason(net, skb, SKB_DROP_REASON_IP_INHDR);
	return 0;
}

/*
 * ip6_parse_tlv - the options of the header at the transport header:
 *  1. Pad1 and PadN: at most 7 padding bytes in a row, PadN all zeros;
 *  2. an option must fit in what is left of the header;
 *  3. at most max_count options that are not padding;
 *  4. each option by its type (ip6_tlv_one);
 *  5. the options must end exactly at the header's end.
 * Returns 1, or 0 when skb was freed.
 */
static int ip6_parse_tlv(struct net *net, int hopbyhop, struct sk_buff *skb, int max_count)
{
	int len = ext_hdrlen(skb) - 2, off = (int)skb_network_header_len(skb) + 2;
	int padlen = 0, tlv_count = 0;

	while (len > 0) {
		const uint8_t *nh = skb_network_header(skb);
		if (nh[off] == IPV6_TLV_PAD1) {
			if (++padlen > 7)
				return ip6_tlv_bad(net, skb, "1. more than 7 bytes of padding", off);
			off++;
			len--;
			continue;
		}
		if (len < 2)
			return ip6_tlv_bad(net, skb, "2. an option's length byte is past the header", off);
		int optlen = nh[off + 1] + 2;
		if (optlen > len)
			return ip6_tlv_bad(net, skb, "2. option longer than the header", off);
		if (nh[off] == IPV6_TLV_PADN) {
			padlen += optlen;
			if (padlen > 7)
				return ip6_tlv_bad(net, skb, "1. more than 7 bytes of padding", off);
			for (int i = 2; i < optlen; i++)
				if (nh[off + i])
					return ip6_tlv_bad(net, skb, "1. PadN with non-zero bytes", off);
		} else {
			if (++tlv_count > max_count)
				return ip6_tlv_bad(net, skb, "3. more options than max_hbh/dst_opts_number", off);
			if (!ip6_tlv_one(net, hopbyhop, skb, off))
				return 0;
			padlen = 0;
		}
		off += optlen;
		len -= optlen;
	}
	if (len == 0)
		return 1;
	return ip6_tlv_bad(net, skb, "5. options overrun the header", off);
}

int ipv6_parse_hopopts(struct net *net, struct sk_buff *skb)
{
	struct ipv6_state *s = ipv6_state(net);

	trace_enter(net, skb, "ipv6_parse_hopopts", "ip", "hop-by-hop options header");
	if (!ext_present(skb)) {
		trace_step(net, skb, "ipv6_parse_hopopts", "the header is not all there");
		skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
		return -1;
	}
	int extlen = ext_hdrlen(skb);
	IP6CB(skb)->flags |= IP6SKB_HOPBYHOP;
	if (!ip6_parse_tlv(net, 1, skb, s ? s->sysctl.max_hbh_opts_cnt : 8)) {
		trace_exit(net, NULL, V_DROP, net->last_drop, "%s", "");
		return -1;
	}
	skb->transport_header = (uint16_t)(skb->transport_header + extlen);
	IP6CB(skb)->nhoff = sizeof(struct ipv6hdr);
	trace_exit(net, skb, V_PASS, 0, "%d bytes of options accepted", extlen);
	return 1;
}

int ipv6_destopt_rcv(struct net *net, struct sk_buff *skb)
{
	struct ipv6_state *s = ipv6_state(net);

	trace_enter(net, skb, "ipv6_destopt_rcv", "ip", "destination options header");
	if (!ext_present(skb)) {
		SNMP_INC(net, MIB_IP6_INHDRERRORS);
		trace_step(net, skb, "ipv6_destopt_rcv", "the header is not all there");
		skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
		return -1;
	}
	int extlen = ext_hdrlen(skb);
	uint16_t dstbuf = (uint16_t)skb_network_header_len(skb);
	IP6CB(skb)->lastopt = IP6CB(skb)->dst1 = dstbuf;
	if (!ip6_parse_tlv(net, 0, skb, s ? s->sysctl.max_dst_opts_cnt : 8)) {
		SNMP_INC(net, MIB_IP6_INHDRERRORS);
		trace_exit(net, NULL, V_DROP, net->last_drop, "%s", "");
		return -1;
	}
	skb->transport_header = (uint16_t)(skb->transport_header + extlen);
	IP6CB(skb)->nhoff = dstbuf;
	trace_exit(net, skb, V_PASS, 0, "%d bytes of options accepted", extlen);
	return 1;
}

/* A routing header with segments left that this host will not process:
 * Ip6.InHdrErrors and a parameter problem at its type field. */
static int ipv6_rthdr_unknown(struct net *net, struct sk_buff *skb, const struct ipv6_rt_hdr *hdr)
{
	uint32_t pos = (uint32_t)(&hdr->type - skb_network_header(skb));
	SNMP_INC(net, MIB_IP6_INHDRERRORS);
	trace_step(net, skb, "ipv6_rthdr_rcv", "routing header type %u with %u segments left: %s", hdr->type,
		   hdr->segments_left, hdr->type == IPV6_SRCRT_TYPE_0 ? "type 0 is deprecated (RFC 5095), refused" :
		   "not a type this host processes");
	icmpv6_param_prob_reason(net, skb, ICMPV6_HDR_FIELD, pos, SKB_DROP_REASON_NOT_SPECIFIED);
	trace_exit(net, NULL, V_DROP, net->last_drop, "%s", "");
	return -1;
}

/*
 * ipv6_rthdr_rcv - the routing header:
 *  1. it must be all there (Ip6.InHdrErrors);
 *  2. not to a multicast destination nor a frame not for us (InAddrErrors);
 *  3. segment routing (4) and RPL (3) headers: refused while their sysctls
 *     are 0, the default;
 *  4. segments left 0: skipped as if absent;
 *  5. otherwise (type 0, unknown types): parameter problem at its type.
 */
int ipv6_rthdr_rcv(struct net *net, struct sk_buff *skb)
{
	trace_enter(net, skb, "ipv6_rthdr_rcv", "ip", "routing header");
	if (!ext_present(skb)) {
		SNMP_INC(net, MIB_IP6_INHDRERRORS);
		trace_step(net, skb, "ipv6_rthdr_rcv", "1. the header is not all there");
		skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
		return -1;
	}
	const struct ipv6_rt_hdr *hdr = (const struct ipv6_rt_hdr *)skb_transport_header(skb);
	if (ipv6_addr_is_multicast(&ipv6_hdr(skb)->daddr) || skb->pkt_type != PACKET_HOST) {
		SNMP_INC(net, MIB_IP6_INADDRERRORS);
		trace_step(net, skb, "ipv6_rthdr_rcv", "2. a routing header to a multicast address or another host");
		skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
		return -1;
	}
	if (hdr->type == IPV6_SRCRT_TYPE_4 || hdr->type == IPV6_SRCRT_TYPE_3) {
		trace_step(net, skb, hdr->type == 4 ? "ipv6_srh_rcv" : "ipv6_rpl_srh_rcv",
			   "3. %s header: %s = 0 on this host (segment routing is not modelled)",
			   hdr->type == 4 ? "segment routing" : "RPL", hdr->type == 4 ? "seg6_enabled" : "rpl_seg_enabled");
		skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
		return -1;
	}
	if (hdr->segments_left == 0) {
		IP6CB(skb)->lastopt = IP6CB(skb)->srcrt = (uint16_t)skb_network_header_len(skb);
		IP6CB(skb)->nhoff = (uint16_t)(&hdr->nexthdr - skb_network_header(skb));
		IP6CB(skb)->dst0 = IP6CB(skb)->dst1;
		IP6CB(skb)->dst1 = 0;
		skb->transport_header = (uint16_t)(skb->transport_header + ext_hdrlen(skb));
		trace_exit(net, skb, V_PASS, 0, "4. type %u, no segments left: nothing to do", hdr->type);
		return 1;
	}
	return ipv6_rthdr_unknown(net, skb, hdr);
}

static int ipv6_ext_hdr(uint8_t nexthdr)
{
	return nexthdr == NEXTHDR_HOP || nexthdr == NEXTHDR_ROUTING || nexthdr == NEXTHDR_FRAGMENT ||
	       nexthdr == NEXTHDR_AUTH || nexthdr == NEXTHDR_NONE || nexthdr == NEXTHDR_DEST;
}

int ipv6_skip_exthdr(const struct sk_buff *skb, int start, uint8_t *nexthdrp, uint16_t *frag_offp)
{
	const uint8_t *nh = skb_network_header(skb);
	uint32_t have = (uint32_t)(skb_tail_pointer(skb) - nh);
	uint8_t nexthdr = *nexthdrp;

	*frag_offp = 0;
	while (ipv6_ext_hdr(nexthdr)) {
		if (nexthdr == NEXTHDR_NONE || (uint32_t)start + 8 > have)
			return -1;
		int hdrlen;
		if (nexthdr == NEXTHDR_FRAGMENT) {
			*frag_offp = (uint16_t)(nh[start + 2] << 8 | nh[start + 3]);
			if (*frag_offp & IP6_OFFSET)
				break;		/* not the first fragment: no upper header here */
			hdrlen = 8;
		} else if (nexthdr == NEXTHDR_AUTH) {
			hdrlen = (nh[start + 1] + 2) << 2;
		} else {
			hdrlen = (nh[start + 1] + 1) << 3;
		}
		nexthdr = nh[start];
		start += hdrlen;
	}
	*nexthdrp = nexthdr;
	return start;
}
