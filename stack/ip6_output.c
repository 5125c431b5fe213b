/*
 * ip6_output.c - IPv6 output and forwarding, after net/ipv6/ip6_output.c and
 * ip6_checksum.c (Linux 6.13): ip6_local_out (Ip6.OutRequests) →
 * ip6_output → ip6_finish_output (MTU) → ip6_finish_output2
 * (Ip6.OutTransmits, multicast counters) → the neighbour layer (ndisc.c);
 * ip6_forward with its checks in the kernel's order → ip6_forward_finish.
 * What this host originates and is longer than the path MTU (route6.c's
 * exceptions, from Packet Too Big) is fragmented (ip6_fragment, the slow
 * path: every packet here is linear); a TCP GSO skb whose segments fit
 * goes whole, to be cut before it leaves (dev.c).
 * The netfilter hooks (ip6tables: NF_HOOK6) at LOCAL_OUT, FORWARD and
 * POST_ROUTING.
 * Left out: proxy NDP, router alert chains; fragment
 * identifications come from a counter (Linux hashes them per destination).
 */
#include "ipv6.h"
#include "netfilter.h"

#include <string.h>

uint16_t csum_ipv6_magic(const struct in6 *saddr, const struct in6 *daddr, uint32_t len, uint8_t proto,
			 const void *buf)
{
	uint8_t ph[40];
	memcpy(ph, saddr->s6, 16);
	memcpy(ph + 16, daddr->s6, 16);
	ph[32] = (uint8_t)(len >> 24);
	ph[33] = (uint8_t)(len >> 16);
	ph[34] = (uint8_t)(len >> 8);
	ph[35] = (uint8_t)len;
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = proto;
	return csum_fold(csum_partial(buf, len, csum_partial(ph, sizeof(ph), 0)));
}

struct sk_buff *ip6_build(struct net *net, const struct in6 *saddr, const struct in6 *daddr,
			  uint8_t proto, uint8_t hlim, uint32_t plen, uint8_t **payload)
{
	struct sk_buff *skb = alloc_skb(net, (uint32_t)sizeof(struct ipv6hdr) + plen);
	if (!skb)
		return NULL;
	struct ipv6hdr *h = (struct ipv6hdr *)skb_put(skb, (uint32_t)sizeof(struct ipv6hdr) + plen);
	memset(h, 0, sizeof(*h));
	((uint8_t *)h)[0] = 0x60;
	h->payload_len = htons((uint16_t)plen);
	h->nexthdr = proto;
	h->hop_limit = hlim;
	h->saddr = *saddr;
	h->daddr = *daddr;
	skb_reset_network_header(skb);
	skb->protocol = ETH_P_IPV6;
	*payload = (uint8_t *)(h + 1);
	return skb;
}

/* ip6_finish_output2: the next hop is the gateway, or the destination
 * itself when on-link (or multicast). */
static int ip6_finish_output2(struct net *net, struct sk_buff *skb, struct net_device *dev)
{
	const struct rt6_dst *dst = &IP6CB(skb)->dst;
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	const struct in6 *nexthop = dst->gw ? &dst->gateway : &hdr->daddr;

	trace_enter(net, skb, "ip6_finish_output2", "ip", "%u bytes to next hop %s via %s", skb->len, in6_fmt(nexthop),
		    dev->name);
	if (ipv6_addr_is_multicast(&hdr->daddr)) {
		SNMP_INC(net, MIB_IP6_OUTMCASTPKTS);
		SNMP_ADD(net, MIB_IP6_OUTMCASTOCTETS, skb->len);
	}
	SNMP_INC(net, MIB_IP6_OUTTRANSMITS);
	SNMP_ADD(net, MIB_IP6_OUTOCTETS, skb->len);
	return trace_ret(net, ndisc_neigh_output(net, skb, dev, nexthop));
}

/* One fragment: the IPv6 header, a fragment header, len bytes from off. */
static struct sk_buff *ip6_frag_next(struct net *net, const struct sk_buff *skb, uint32_t off, uint32_t len,
				     int more, uint32_t id)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	struct sk_buff *f = alloc_skb(net, 48 + len);
	if (!f)
		return NULL;
	uint8_t *p = skb_put(f, 48 + len);
	memcpy(p, hdr, 40);
	struct ipv6hdr *h = (struct ipv6hdr *)p;
	h->nexthdr = NEXTHDR_FRAGMENT;
	h->payload_len = htons((uint16_t)(8 + len));
	struct frag_hdr *fh = (struct frag_hdr *)(p + 40);
	fh->nexthdr = hdr->nexthdr;
	fh->reserved = 0;
	fh->frag_off = htons((uint16_t)(off | (more ? IP6_MF : 0)));
	fh->identification = htonl(id);
	memcpy(p + 48, (const uint8_t *)hdr + 40 + off, len);
	skb_reset_network_header(f);
	f->pkt = skb->pkt;
	f->protocol = ETH_P_IPV6;
	memcpy(f->cb, skb->cb, sizeof(f->cb));
	skb_frag_owner(net, f, skb);
	return f;
}

static int ip6_finish_output2(struct net *net, struct sk_buff *skb, struct net_device *dev);

/*
 * ip6_fragment - a packet this host built, longer than the MTU: pieces of
 * (MTU - 40 - 8) bytes rounded down to 8, each with a fragment header of
 * one identification (RFC 8200 4.5); Ip6.FragCreates each, Ip6.FragOKs.
 * Only the 40-byte header is unfragmentable: this host adds no extension
 * headers to what it sends.
 */
static int ip6_fragment(struct net *net, struct sk_buff *skb, struct net_device *dev, uint32_t mtu)
{
	uint32_t left = skb->len - 40, off = 0, n = 0, chunk = (mtu - 48) & ~7u;
	uint32_t id = ++ipv6_state(net)->frag_ident;
	int err = 0;

	trace_enter(net, skb, "ip6_fragment", "ip", "%u bytes > MTU %u: fragments of %u, id 0x%08x", skb->len, mtu,
		    chunk, id);
	while (left > 0) {
		uint32_t len = left > chunk ? chunk : left;
		struct sk_buff *f = ip6_frag_next(net, skb, off, len, left > len, id);
		if (!f) {
			err = 1;
			break;
		}
		trace_step(net, f, "ip6_fragment", "fragment %u: offset %u, %u bytes%s", ++n, off, len,
			   left > len ? ", more follow" : "");
		SNMP_INC(net, MIB_IP6_FRAGCREATES);
		if (ip6_finish_output2(net, f, dev) == NET_RX_DROP)
			err = 1;
		off += len;
		left -= len;
	}
	if (err) {
		SNMP_INC(net, MIB_IP6_FRAGFAILS);
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	SNMP_INC(net, MIB_IP6_FRAGOKS);
	trace_exit(net, skb, V_CONSUMED, 0, "sent as %u fragments", n);
	kfree_skb(net, skb);
	return 0;
}

/* One segment of a GSO skb: the IPv6 and TCP headers and gso_size. */
static uint32_t ip6_gso_seg_len(const struct sk_buff *skb)
{
	const uint8_t *th = (const uint8_t *)ipv6_hdr(skb) + sizeof(struct ipv6hdr);
	return (uint32_t)sizeof(struct ipv6hdr) + (uint32_t)(th[12] >> 4) * 4 + skb->gso_size;
}

/* ip6_finish_output: the path MTU to the destination (a Packet Too Big's,
 * else the device's, or the one a router advertisement gave: mtu6) for
 * what this host built; a GSO skb whose segments fit goes whole. */
static int ip6_finish_output(struct net *net, struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	uint32_t mtu = ip6_dst_mtu(net, &ipv6_hdr(skb)->daddr, dev);
	if (skb->len > mtu && !(IP6CB(skb)->flags & IP6SKB_FORWARDED) &&
	    !(skb->gso_size && ipv6_hdr(skb)->nexthdr == NEXTHDR_TCP && ip6_gso_seg_len(skb) <= mtu))
		return ip6_fragment(net, skb, dev, mtu < IPV6_MIN_MTU ? IPV6_MIN_MTU : mtu);
	return ip6_finish_output2(net, skb, dev);
}

/* ip6_output: the device, POST_ROUTING, then ip6_finish_output. */
static int ip6_output(struct net *net, struct sk_buff *skb)
{
	struct net_device *dev = dev_get_by_index(net, IP6CB(skb)->dst.oif), *indev = skb->dev;

	trace_enter(net, skb, "ip6_output", "ip", "out %s", dev ? dev->name : "?");
	if (!dev || ipv6_devconf_disabled(net, dev)) {
		SNMP_INC(net, MIB_IP6_OUTDISCARDS);
		return skb_drop(net, skb, dev ? SKB_DROP_REASON_IPV6DISABLED : SKB_DROP_REASON_NOT_SPECIFIED);
	}
	skb->dev = dev;
	skb->protocol = ETH_P_IPV6;
	return trace_ret(net, NF_HOOK6(net, NF_INET_POST_ROUTING, skb, indev, dev, ip6_finish_output));
}

static int ip6_local_out_mib(struct net *net, struct sk_buff *skb, int count)
{
	struct ipv6hdr *hdr = (struct ipv6hdr *)skb->data;

	skb_reset_network_header(skb);
	skb->protocol = ETH_P_IPV6;
	hdr->payload_len = htons((uint16_t)(skb->len - sizeof(*hdr)));
	trace_enter(net, skb, "ip6_local_out", "ip", "%s > %s next header %u, %u bytes", in6_fmt(&hdr->saddr),
		    in6_fmt(&hdr->daddr), hdr->nexthdr, skb->len);
	if (count)
		SNMP_INC(net, MIB_IP6_OUTREQUESTS);
	return trace_ret(net, NF_HOOK6(net, NF_INET_LOCAL_OUT, skb, NULL, dev_get_by_index(net, IP6CB(skb)->dst.oif),
				       ip6_output));
}

int ip6_local_out(struct net *net, struct sk_buff *skb)
{
	return ip6_local_out_mib(net, skb, 1);
}

int ip6_local_out_uncounted(struct net *net, struct sk_buff *skb)
{
	return ip6_local_out_mib(net, skb, 0);
}

static int ip6_forward_finish(struct net *net, struct sk_buff *skb)
{
	trace_enter(net, skb, "ip6_forward_finish", "ip", "%s", "");
	int ret = ip6_output(net, skb);
	if (ret == NET_RX_DROP)
		return trace_ret(net, ret);
	trace_exit(net, NULL, V_FORWARDED, 0, "%s", "");
	return ret;
}

static int ip6_forward_error(struct net *net, struct sk_buff *skb, const char *why)
{
	SNMP_INC(net, MIB_IP6_INADDRERRORS);
	trace_step(net, skb, "ip6_forward", "%s", why);
	return skb_drop(net, skb, SKB_DROP_REASON_IP_INADDRERRORS);
}

/* The source check (ip6_forward's "security critical" one) for a packet
 * leaving by another link: NULL to go on, else why not (a link-local
 * source also gets "beyond scope of source address"). */
static const char *ip6_forward_saddr_bad(struct net *net, struct sk_buff *skb)
{
	const struct in6 *s = &ipv6_hdr(skb)->saddr;
	if (ipv6_addr_any(s) || ipv6_addr_is_multicast(s) || ipv6_addr_loopback(s))
		return "5. source is ::, multicast or loopback: never forwarded";
	if (ipv6_addr_linklocal(s)) {
		icmpv6_send(net, skb, ICMPV6_DEST_UNREACH, ICMPV6_NOT_NEIGHBOUR, 0);
		return "5. link-local source: it may not leave its link (beyond scope)";
	}
	return NULL;
}

/*
 * ip6_forward - a packet for another host:
 *  1. net.ipv6.conf.all.forwarding must be 1 (else Ip6.InAddrErrors);
 *  2. only frames addressed to us at L2;
 *  3. hop limit 1 or less: time exceeded, Ip6.InHdrErrors;
 *  4. same link in and out: a redirect to the sender (RFC 4861 8.2), then
 *     the packet is forwarded all the same;
 *  5. the source must be a global unicast address; Ip6.OutForwDatagrams;
 *  6. longer than the out link's MTU: Packet Too Big (RFC 8201);
 *  7. hop limit decremented, then ip6_forward_finish.
 */
int ip6_forward(struct net *net, struct sk_buff *skb)
{
	struct ipv6hdr *hdr = ipv6_hdr(skb);
	struct net_device *out = dev_get_by_index(net, IP6CB(skb)->dst.oif);

	trace_enter(net, skb, "ip6_forward", "ip", "%s > %s hop limit %u", in6_fmt(&hdr->saddr), in6_fmt(&hdr->daddr),
		    hdr->hop_limit);
	if (!ipv6_state(net)->sysctl.forwarding)
		return ip6_forward_error(net, skb, "1. not for us and net.ipv6.conf.all.forwarding = 0");
	if (skb->pkt_type != PACKET_HOST) {
		trace_step(net, skb, "ip6_forward", "2. link-layer %s frame: not forwarded", pkt_type_name(skb->pkt_type));
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	if (hdr->hop_limit <= 1) {
		trace_step(net, skb, "ip6_forward", "3. hop limit %u: would reach 0 here", hdr->hop_limit);
		icmpv6_send(net, skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
		SNMP_INC(net, MIB_IP6_INHDRERRORS);
		return skb_drop(net, skb, SKB_DROP_REASON_IP_INHDR);
	}
	if (out && IP6CB(skb)->iif == out->ifindex && !IP6CB(skb)->srcrt) {
		const struct rt6_dst *d = &IP6CB(skb)->dst;
		const struct in6 *target = d->gw ? &d->gateway : &hdr->daddr;
		if (inet_peer_xrlim_allow_v6(net, &hdr->daddr, 1000000000ULL))
			ndisc_send_redirect(net, skb, target);
	}
	const char *why = !out || IP6CB(skb)->iif != out->ifindex ? ip6_forward_saddr_bad(net, skb) : NULL;
	if (why)
		return ip6_forward_error(net, skb, why);
	/* Counted before the MTU check, as Linux 6.x does: a packet too big
	 * for the out link was still a datagram to forward. */
	SNMP_INC(net, MIB_IP6_OUTFORWDATAGRAMS);
	uint32_t mtu = out && out->mtu > IPV6_MIN_MTU ? out->mtu : IPV6_MIN_MTU;
	if (skb->len > mtu || (IP6CB(skb)->frag_max_size && IP6CB(skb)->frag_max_size > mtu)) {
		trace_step(net, skb, "ip6_pkt_too_big", "6. %u bytes > MTU %u of %s: routers never fragment (RFC 8200 5)",
			   skb->len, mtu, out ? out->name : "?");
		skb->dev = out ? out : skb->dev;
		icmpv6_send(net, skb, ICMPV6_PKT_TOOBIG, 0, mtu);
		SNMP_INC(net, MIB_IP6_INTOOBIGERRORS);
		SNMP_INC(net, MIB_IP6_FRAGFAILS);
		return skb_drop(net, skb, SKB_DROP_REASON_PKT_TOO_BIG);
	}
	hdr->hop_limit--;
	IP6CB(skb)->flags |= IP6SKB_FORWARDED;
	return trace_ret(net, NF_HOOK6(net, NF_INET_FORWARD, skb, skb->dev, out, ip6_forward_finish));
}
