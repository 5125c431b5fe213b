/*
 * ip_output.c - IPv4 output, after net/ipv4/ip_output.c (Linux 6.13):
 * ip_local_out → __ip_local_out (Ip.OutRequests, checksum, LOCAL_OUT) →
 * dst_output = ip_output (POST_ROUTING) → ip_finish_output (fragment when
 * longer than the path MTU, route.c's, for what the host built; the
 * device MTU for what it forwards; a TCP GSO skb whose segments fit goes
 * whole) → ip_finish_output2 (Ip.OutTransmits) → the neighbour layer. A
 * UDP datagram gets DF here, once routed, if it fits the path.
 *
 * Left out: the fast fragmentation path over frag_list (skbs here are
 * linear, so ip_do_fragment always takes the slow, copying path), IP
 * options (copied whole into every fragment instead of only the "copied"
 * ones), cgroup BPF egress, xfrm, the loopback device
 * (a datagram routed to one of our own addresses is dropped).
 */
#include "netfilter.h"
#include "stack.h"

#include <errno.h>
#include <string.h>

/* ip_finish_output2: the neighbour of rt_nexthop (the gateway, or the
 * destination itself when on-link). */
static int ip_finish_output2(struct net *net, struct sk_buff *skb)
{
	const struct nj_dst *dst = &IPCB(skb)->dst;
	struct net_device *dev = dev_get_by_index(net, dst->oif);
	uint32_t nexthop = dst->gateway ? dst->gateway : ip_hdr(skb)->daddr;

	trace_enter(net, skb, "ip_finish_output2", "ip", "%u bytes to next hop %s via %s", skb->len,
		    ip_fmt(nexthop), dev ? dev->name : "?");
	if (!dev)
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	SNMP_INC(net, MIB_IP_OUTTRANSMITS);
	SNMP_ADD(net, MIB_IPEXT_OUTOCTETS, skb->len);
	return trace_ret(net, neigh_output(net, skb, dev, nexthop));
}

/* One fragment: the original header, then len payload bytes from off. */
static struct sk_buff *ip_frag_next(struct net *net, const struct sk_buff *skb, uint32_t hlen, uint32_t off,
				    uint32_t len, int more)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct sk_buff *f = alloc_skb(net, hlen + len);
	if (!f)
		return NULL;
	unsigned char *p = skb_put(f, hlen + len);
	memcpy(p, iph, hlen);
	memcpy(p + hlen, (const unsigned char *)iph + hlen + off, len);
	skb_reset_network_header(f);
	f->pkt = skb->pkt;
	f->dev = skb->dev;
	f->protocol = skb->protocol;
	memcpy(f->cb, skb->cb, sizeof(f->cb));
	skb_frag_owner(net, f, skb);
	struct iphdr *h = ip_hdr(f);
	uint16_t fo = ntohs(iph->frag_off);
	uint32_t base = (uint32_t)(fo & IP_OFFSET) << 3;
	h->frag_off = htons((uint16_t)((fo & ~(IP_OFFSET | IP_MF)) | ((base + off) >> 3) |
				       (more || (fo & IP_MF) ? IP_MF : 0)));
	h->tot_len = htons((uint16_t)(hlen + len));
	ip_send_check(h);
	return f;
}

/*
 * ip_do_fragment (slow path) - cuts skb into fragments of at most mtu
 * bytes, every payload but the last a multiple of 8 (the offset field
 * counts 8-byte units), each sent through ip_finish_output2. An already
 * fragmented datagram keeps its base offset and MF on its last piece.
 */
static int ip_do_fragment(struct net *net, struct sk_buff *skb, uint32_t mtu)
{
	uint32_t hlen = (uint32_t)ip_ihl(ip_hdr(skb)) * 4, left = skb->len - hlen, off = 0, n = 0;
	uint32_t chunk = (mtu - hlen) & ~7u;
	int err = 0;

	trace_step(net, skb, "ip_do_fragment", "%u payload bytes into pieces of %u (MTU %u - %u-byte header, "
		   "rounded down to 8)", left, chunk, mtu, hlen);
	while (left > 0) {
		uint32_t len = left > chunk ? chunk : left;
		struct sk_buff *f = ip_frag_next(net, skb, hlen, off, len, left > len);
		if (!f) {
			err = -ENOMEM;
			break;
		}
		trace_step(net, f, "ip_do_fragment", "fragment %u: offset %u, %u bytes%s", ++n, off, len,
			   left > len ? ", MF" : "");
		if (off == 0 && hlen > 20)
			ip_options_fragment(ip_hdr(skb));	/* the rest carry copied options only */
		SNMP_INC(net, MIB_IP_FRAGCREATES);
		if (ip_finish_output2(net, f) == NET_RX_DROP)
			err = -ENOBUFS;
		off += len;
		left -= len;
	}
	if (err) {
		SNMP_INC(net, MIB_IP_FRAGFAILS);
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	SNMP_INC(net, MIB_IP_FRAGOKS);
	trace_exit(net, skb, V_CONSUMED, 0, "sent as %u fragments", n);
	kfree_skb(net, skb);
	return 0;
}

/*
 * ip_fragment - a datagram longer than the MTU:
 *  1. DF clear → ip_do_fragment;
 *  2. DF set → Ip.FragFails, ICMP "fragmentation needed" carrying the MTU
 *     (RFC 1191 path MTU discovery), drop PKT_TOO_BIG.
 */
static int ip_fragment(struct net *net, struct sk_buff *skb, uint32_t mtu)
{
	const struct iphdr *iph = ip_hdr(skb);

	trace_enter(net, skb, "ip_fragment", "ip", "%u bytes > MTU %u", skb->len, mtu);
	if (!(iph->frag_off & htons(IP_DF)))
		return ip_do_fragment(net, skb, mtu);
	trace_step(net, skb, "ip_fragment", "DF is set: may not fragment; tell the sender the MTU is %u", mtu);
	SNMP_INC(net, MIB_IP_FRAGFAILS);
	icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
	return skb_drop(net, skb, SKB_DROP_REASON_PKT_TOO_BIG);
}

/* One segment's length: IP and TCP headers and gso_size (data at IP). */
static uint32_t ip_gso_seg_len(const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const uint8_t *th = (const uint8_t *)iph + ip_ihl(iph) * 4;
	return (uint32_t)ip_ihl(iph) * 4 + (uint32_t)(th[12] >> 4) * 4 + skb->gso_size;
}

static int ip_finish_output(struct net *net, struct sk_buff *skb)
{
	struct net_device *dev = dev_get_by_index(net, IPCB(skb)->dst.oif);
	/* ip_skb_dst_mtu: what this host builds goes by the path MTU it
	 * learned; what it forwards, by the device's (ip_forward_use_pmtu 0) */
	uint32_t mtu = IPCB(skb)->flags & IPSKB_FORWARDED ? (dev ? dev->mtu : 1500)
							 : ip_dst_mtu(net, ip_hdr(skb)->daddr, dev);

	trace_enter(net, skb, "ip_finish_output", "ip", "%u bytes, %s %s %u", skb->len, dev ? dev->name : "?",
		    dev && mtu < dev->mtu ? "path MTU" : "MTU", mtu);
	/* ip_finish_output_gso: a GSO skb whose segments fit goes whole */
	if (skb->len > mtu && !(skb->gso_size && ip_gso_seg_len(skb) <= mtu))
		return trace_ret(net, ip_fragment(net, skb, mtu));
	return trace_ret(net, ip_finish_output2(net, skb));
}

int ip_output(struct net *net, struct sk_buff *skb)
{
	struct net_device *in = skb->dev, *dev = dev_get_by_index(net, IPCB(skb)->dst.oif);

	trace_enter(net, skb, "ip_output", "ip", "out %s", dev ? dev->name : "?");
	if (!dev)
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	skb->dev = dev;
	skb->protocol = ETH_P_IP;
	if (IPCB(skb)->flags & IPSKB_REROUTED)	/* NF_HOOK_COND: skip POST_ROUTING */
		return trace_ret(net, ip_finish_output(net, skb));
	return trace_ret(net, NF_HOOK(net, NF_INET_POST_ROUTING, skb, in, dev, ip_finish_output));
}

/* The route for a locally built datagram; fills IPCB(skb)->dst. */
static int ip_local_out_route(struct net *net, struct sk_buff *skb, struct iphdr *iph)
{
	struct nj_dst dst;
	int err = ip_route_output(net, iph->daddr, iph->saddr, &dst);

	if (err == 0) {
		memset(IPCB(skb), 0, sizeof(struct inet_skb_parm));
		IPCB(skb)->dst = dst;
		return 0;
	}
	if (dst.type == RTN_LOCAL)
		trace_step(net, skb, "ip_route_output_key", "%s is one of our addresses: the loopback device is "
			   "not modelled", ip_fmt(iph->daddr));
	else
		trace_step(net, skb, "ip_route_output_key", "no route to %s (error %d)", ip_fmt(iph->daddr), -err);
	return err;
}

static void ip_local_out_enter(struct net *net, struct sk_buff *skb)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	skb_reset_network_header(skb);
	skb->protocol = ETH_P_IP;
	trace_enter(net, skb, "ip_local_out", "ip", "%s > %s proto %u, %u bytes", ip_fmt(iph->saddr),
		    ip_fmt(iph->daddr), iph->protocol, skb->len);
}

/* __ip_local_out's body, inside ip_local_out's frame. */
static int ip_local_out_routed(struct net *net, struct sk_buff *skb)
{
	struct iphdr *iph = ip_hdr(skb);

	SNMP_INC(net, MIB_IP_OUTREQUESTS);
	iph->tot_len = htons((uint16_t)skb->len);
	struct net_device *out = dev_get_by_index(net, IPCB(skb)->dst.oif);
	/* IP_PMTUDISC_WANT (ip_push_pending_frames): DF on what fits the
	 * path, unless its MTU is locked; a longer datagram is fragmented.
	 * The socket is not connected, so a DF datagram's id is 0
	 * (ip_select_ident). */
	if (skb->df_if_fits && skb->len <= ip_dst_mtu(net, iph->daddr, out) && ip_dont_fragment(net, iph->daddr)) {
		iph->frag_off |= htons(IP_DF);
		iph->id = 0;
	}
	ip_send_check(iph);
	return trace_ret(net, NF_HOOK(net, NF_INET_LOCAL_OUT, skb, NULL, out, ip_output));
}

int ip_local_out(struct net *net, struct sk_buff *skb)
{
	ip_local_out_enter(net, skb);
	if (ip_local_out_route(net, skb, ip_hdr(skb)) < 0) {
		SNMP_INC(net, MIB_IP_OUTNOROUTES);
		return skb_drop(net, skb, SKB_DROP_REASON_IP_OUTNOROUTES);
	}
	return ip_local_out_routed(net, skb);
}

int __ip_local_out(struct net *net, struct sk_buff *skb)
{
	ip_local_out_enter(net, skb);
	return ip_local_out_routed(net, skb);
}
