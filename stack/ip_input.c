/*
 * ip_input.c - IPv4 receive, after net/ipv4/ip_input.c (Linux 6.13):
 * ip_rcv → ip_rcv_core (RFC 1122 3.2.1 acceptance checks) → PRE_ROUTING →
 * ip_rcv_finish (routing) → dst_input → ip_local_deliver (defrag) →
 * LOCAL_IN → ip_local_deliver_finish → the transport handler.
 * Left out: early demux, list receive and route hints, raw sockets, IPsec
 * policy, L3 master devices (IP options: ip_options.c).
 */
#include "ip_fragment.h"
#include "netfilter.h"
#include "stack.h"

#include <errno.h>
#include <string.h>

/* ECN codepoint counters (IpExt.In*Pkts) by the low two TOS bits. */
static void ip_ecn_account(struct net *net, const struct iphdr *iph)
{
	static const enum nj_mib ecn[4] = { MIB_IPEXT_INNOECTPKTS, MIB_IPEXT_INECT1PKTS,
					     MIB_IPEXT_INECT0PKTS, MIB_IPEXT_INCEPKTS };
	SNMP_INC(net, ecn[iph->tos & 3]);
}

/* The checksum the header should carry (for the explanation only). */
static unsigned ip_csum_expected(const struct iphdr *iph, uint32_t ihl)
{
	unsigned char h[60];
	memcpy(h, iph, ihl * 4);
	h[10] = h[11] = 0;
	return ip_fast_csum(h, ihl);
}

static struct sk_buff *ip_rcv_core_fail(struct net *net, struct sk_buff *skb,
					enum skb_drop_reason r, enum nj_mib m1, enum nj_mib m2)
{
	if (m1 != MIB_MAX)
		SNMP_INC(net, m1);
	if (m2 != MIB_MAX)
		SNMP_INC(net, m2);
	skb_drop(net, skb, r);
	return NULL;
}

/*
 * ip_rcv_core - RFC 1122 3.2.1.2 / 3.2.1.1: a datagram is accepted only if
 *  1. it was addressed to us at L2 (not PACKET_OTHERHOST),
 *  2. a 20-byte header is present, version is 4 and ihl >= 5,
 *  3. the whole ihl*4 header (with options) is present,
 *  4. the header checksum is right,
 *  5. tot_len fits in what was received and covers the header;
 * then link-layer padding beyond tot_len is trimmed.
 * Returns the skb, or NULL when it was dropped.
 */
static struct sk_buff *ip_rcv_core(struct net *net, struct sk_buff *skb)
{
	const struct iphdr *iph;
	uint32_t len, ihl;

	trace_enter(net, skb, "ip_rcv_core", "ip", "%u bytes", skb->len);
	if (skb->pkt_type == PACKET_OTHERHOST) {
		/* Before InReceives: a promiscuous capture is not "received". */
		skb->dev->rx_otherhost_dropped++;
		SNMP_INC(net, MIB_DEV_RX_OTHERHOST_DROPPED);
		trace_step(net, skb, "ip_rcv_core", "1. pkt_type is OTHERHOST: the frame was for another MAC");
		return ip_rcv_core_fail(net, skb, SKB_DROP_REASON_OTHERHOST, MIB_MAX, MIB_MAX);
	}
	SNMP_INC(net, MIB_IP_INRECEIVES);
	SNMP_ADD(net, MIB_IPEXT_INOCTETS, skb->len);

	if (!pskb_may_pull(skb, sizeof(struct iphdr))) {
		trace_step(net, skb, "ip_rcv_core", "2. only %u bytes: a 20-byte IPv4 header does not fit", skb->len);
		return ip_rcv_core_fail(net, skb, SKB_DROP_REASON_IP_INHDR, MIB_IP_INHDRERRORS, MIB_MAX);
	}
	iph = (const struct iphdr *)skb->data;
	ihl = (uint32_t)ip_ihl(iph);
	if (ihl < 5 || ip_version(iph) != 4) {
		trace_step(net, skb, "ip_rcv_core", "2. version %d ihl %u: need version 4 and ihl >= 5",
			   ip_version(iph), ihl);
		return ip_rcv_core_fail(net, skb, SKB_DROP_REASON_IP_INHDR, MIB_IP_INHDRERRORS, MIB_MAX);
	}
	ip_ecn_account(net, iph);
	if (!pskb_may_pull(skb, ihl * 4)) {
		trace_step(net, skb, "ip_rcv_core", "3. ihl says %u header bytes, only %u present", ihl * 4, skb->len);
		return ip_rcv_core_fail(net, skb, SKB_DROP_REASON_IP_INHDR, MIB_IP_INHDRERRORS, MIB_MAX);
	}
	if (net->sysctl.verify_checksums && ip_fast_csum(iph, ihl) != 0) {
		trace_step(net, skb, "ip_rcv_core", "4. header checksum 0x%04x is wrong (should be 0x%04x)",
			   ntohs(iph->check), ip_csum_expected(iph, ihl));
		return ip_rcv_core_fail(net, skb, SKB_DROP_REASON_IP_CSUM, MIB_IPEXT_INCSUMERRORS, MIB_IP_INHDRERRORS);
	}
	len = ntohs(iph->tot_len);
	if (skb->len < len) {
		trace_step(net, skb, "ip_rcv_core", "5. tot_len %u but only %u bytes arrived%s", len, skb->len,
			   skb->capture_trunc ? " (the capture cut this frame short)" : "");
		return ip_rcv_core_fail(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL, MIB_IPEXT_INTRUNCATEDPKTS, MIB_MAX);
	}
	if (len < ihl * 4) {
		trace_step(net, skb, "ip_rcv_core", "5. tot_len %u is shorter than the %u-byte header", len, ihl * 4);
		return ip_rcv_core_fail(net, skb, SKB_DROP_REASON_IP_INHDR, MIB_IP_INHDRERRORS, MIB_MAX);
	}
	uint32_t pad = skb->len - len;
	skb_trim(skb, len);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, (int)ihl * 4);
	memset(IPCB(skb), 0, sizeof(struct inet_skb_parm));
	IPCB(skb)->iif = skb->dev ? skb->dev->ifindex : 0;
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_int(a, "version", 4);
		jw_kv_int(a, "ihl", ihl);
		jw_kv_int(a, "tot_len", len);
		jw_kv_int(a, "trimmed", pad);
		jw_kv_str(a, "csum", net->sysctl.verify_checksums ? "ok" : "not verified (--no-csum)");
	}
	trace_exit(net, skb, V_PASS, 0, "header ok: %s > %s proto %u ttl %u tot_len %u%s",
		   ip_fmt(iph->saddr), ip_fmt(iph->daddr), iph->protocol, iph->ttl, len,
		   pad ? " (link padding trimmed)" : "");
	return skb;
}

int ip_rcv(struct net *net, struct sk_buff *skb, struct net_device *dev)
{
	trace_enter(net, skb, "ip_rcv", "ip", "IPv4 on %s", dev->name);
	skb = ip_rcv_core(net, skb);
	if (!skb)
		return trace_ret(net, NET_RX_DROP);
	return trace_ret(net, NF_HOOK(net, NF_INET_PRE_ROUTING, skb, dev, NULL, ip_rcv_finish));
}

/* dst_input: where the route sends the packet. */
static int dst_input(struct net *net, struct sk_buff *skb)
{
	switch (IPCB(skb)->dst.input) {
	case DST_LOCAL_DELIVER:
		return ip_local_deliver(net, skb);
	case DST_FORWARD:
		return ip_forward(net, skb);
	default:
		return ip_error(net, skb);
	}
}

/* A packet on the loopback device (a replayed lo capture) still holds the
 * dst the sender's output route gave it (loopback_xmit keeps it), so
 * ip_rcv_finish finds skb_valid_dst and makes no input route lookup: 127/8
 * is no martian there. */
static int loopback_dst(struct net *net, struct sk_buff *skb, struct nj_dst *dst)
{
	const struct net_device *dev = skb->dev;
	if (!dev_is_loopback(dev))
		return 0;
	memset(dst, 0, sizeof(*dst));
	dst->type = RTN_LOCAL;
	dst->input = DST_LOCAL_DELIVER;
	trace_step(net, skb, "skb_valid_dst", "on %s: the dst of the sender's output route came along; no input "
		   "route lookup", dev->name);
	return 1;
}

int ip_rcv_finish(struct net *net, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct nj_dst *dst = &IPCB(skb)->dst;
	enum skb_drop_reason r = SKB_DROP_REASON_NOT_DROPPED_YET;

	trace_enter(net, skb, "ip_rcv_finish", "ip", "%s > %s", ip_fmt(iph->saddr), ip_fmt(iph->daddr));
	if (!loopback_dst(net, skb, dst))
		r = ip_route_input_noref(net, skb, iph->daddr, iph->saddr, iph->tos, skb->dev, dst);
	if (r != SKB_DROP_REASON_NOT_DROPPED_YET) {
		if (r == SKB_DROP_REASON_IP_RPFILTER)
			SNMP_INC(net, MIB_TCPEXT_IPREVERSEPATHFILTER);
		return skb_drop(net, skb, r);
	}
	if (ip_ihl(iph) > 5 && (r = ip_rcv_options(net, skb)) != SKB_DROP_REASON_NOT_DROPPED_YET)
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);	/* as ip_rcv_finish_core */
	if (dst->type == RTN_MULTICAST) {
		SNMP_INC(net, MIB_IPEXT_INMCASTPKTS);
	} else if (dst->type == RTN_BROADCAST) {
		SNMP_INC(net, MIB_IPEXT_INBCASTPKTS);
	}
	return trace_ret(net, dst_input(net, skb));
}

int ip_local_deliver(struct net *net, struct sk_buff *skb)
{
	trace_enter(net, skb, "ip_local_deliver", "ip", "%s", "");
	if (ip_is_fragment(ip_hdr(skb))) {
		/* Reassemble before LOCAL_IN: netfilter sees whole datagrams. */
		int err = ip_defrag(net, &skb);
		if (err) {
			trace_exit(net, NULL, err == -EINPROGRESS ? V_QUEUED : V_DROP,
				   net->last_drop, "%s", err == -EINPROGRESS ? "fragment held for reassembly" : "");
			return err == -EINPROGRESS ? NET_RX_SUCCESS : NET_RX_DROP;
		}
	}
	return trace_ret(net, NF_HOOK(net, NF_INET_LOCAL_IN, skb, skb->dev, NULL, ip_local_deliver_finish));
}

/* ip_protocol_deliver_rcu: inet_protos[] dispatch; unknown → InUnknownProtos. */
static int ip_protocol_deliver(struct net *net, struct sk_buff *skb, uint8_t proto)
{
	int ret;

	switch (proto) {
	case IPPROTO_ICMP_:
		ret = icmp_rcv(net, skb);
		break;
	case IPPROTO_UDP_:
		ret = udp_rcv(net, skb);
		break;
	case IPPROTO_TCP_:
		ret = tcp_v4_rcv(net, skb);
		break;
	default:
		SNMP_INC(net, MIB_IP_INUNKNOWNPROTOS);
		trace_step(net, skb, "ip_protocol_deliver_rcu", "no handler for protocol %u", proto);
		icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
		kfree_skb_reason(net, skb, SKB_DROP_REASON_IP_NOPROTO);
		return NET_RX_DROP;
	}
	SNMP_INC(net, MIB_IP_INDELIVERS);
	return ret;
}

int ip_local_deliver_finish(struct net *net, struct sk_buff *skb)
{
	uint8_t proto = ip_hdr(skb)->protocol;

	trace_enter(net, skb, "ip_local_deliver_finish", "ip", "protocol %u", proto);
	skb_pull(skb, (uint32_t)ip_ihl(ip_hdr(skb)) * 4);
	return trace_ret(net, ip_protocol_deliver(net, skb, proto));
}
