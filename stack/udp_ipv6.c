/*
 * udp_ipv6.c - UDP over IPv6, after net/ipv6/udp.c (Linux 6.13):
 * udpv6_rcv → __udp6_lib_rcv (length, the checksum over the IPv6
 * pseudo-header, which IPv6 makes mandatory: a zero checksum is an error,
 * RFC 8200 8.1), the lookup on the shared socket table (a scenario
 * listener without an address is a dual-stack socket, as a socket bound
 * to :: with IPV6_V6ONLY off is in Linux; one bound to an IPv6 address or
 * IPv6-only takes IPv6 alone, one bound to 0.0.0.0 IPv4 alone), port
 * unreachable when nobody listens, and the echo application's reply
 * (udpv6_sendmsg), from the bound address if any.
 * Left out: multicast delivery (counted as Udp6.IgnoredMulti), connected
 * sockets, UDP-Lite, encapsulation, GRO.
 */
#include "ipv6.h"
#include "sock.h"

#include <string.h>

/* udpv6_sendmsg: len bytes from sk's port to daddr:dport, charged to sk's
 * send buffer as udp_sendmsg's are (ip6_make_skb's sock_alloc_send_skb).
 * Udp6.OutDatagrams. Returns 0, -1 or UDP_SEND_BLOCKED. */
int udpv6_sendmsg(struct net *net, struct sock *sk, const struct in6 *daddr, uint16_t dport, const void *data,
		  uint32_t len, int iif)
{
	struct rt6_dst dst;
	struct in6 saddr;
	uint8_t *p;

	trace_enter(net, NULL, "udpv6_sendmsg", "udp", "%u bytes to [%s]:%u", len, in6_fmt(daddr), ntohs(dport));
	if (sk->wmem_alloc >= sk->sndbuf) {
		trace_step(net, NULL, "sock_alloc_send_skb", "send buffer full: %u bytes of datagrams not yet freed "
			   "(held for neighbour discovery), sndbuf %u: the application sleeps until half is free",
			   sk->wmem_alloc, sk->sndbuf);
		trace_exit(net, NULL, V_QUEUED, 0, "waiting for room");
		return UDP_SEND_BLOCKED;
	}
	int oif = ipv6_addr_linklocal(daddr) ? iif : 0;
	struct net_device *out = ip6_route_output(net, daddr, oif, &dst) ? NULL : dev_get_by_index(net, dst.oif);
	struct sk_buff *skb = NULL;
	saddr = sk->v6_saddr;	/* the bound address, else routing's choice */
	if (out && (!ipv6_addr_any(&saddr) || ipv6_dev_get_saddr(net, out, daddr, &saddr) == 0))
		skb = ip6_build(net, &saddr, daddr, NEXTHDR_UDP, (uint8_t)ipv6_state(net)->sysctl.hop_limit, 8 + len, &p);
	if (!skb) {
		SNMP_INC(net, MIB_IP6_OUTNOROUTES);
		trace_exit(net, NULL, V_DROP, SKB_DROP_REASON_IP_OUTNOROUTES, "no route to %s", in6_fmt(daddr));
		return -1;
	}
	skb_set_owner_w(skb, sk);
	struct udphdr *uh = (struct udphdr *)p;
	uh->source = sk->sport;
	uh->dest = dport;
	uh->len = htons((uint16_t)(8 + len));
	uh->check = 0;
	memcpy(uh + 1, data, len);
	uint16_t c = csum_ipv6_magic(&saddr, daddr, 8 + len, NEXTHDR_UDP, uh);
	uh->check = htons(c ? c : 0xffff);
	memset(IP6CB(skb), 0, sizeof(struct inet6_skb_parm));
	IP6CB(skb)->dst = dst;
	skb->pkt = net->cur_pkt;
	SNMP_INC(net, MIB_UDP6_OUTDATAGRAMS);
	int r = ip6_local_out(net, skb);
	trace_exit(net, NULL, r ? V_DROP : V_SENT, r ? net->last_drop : 0, "%s", "");
	return r ? -1 : 0;
}

/* __udpv6_queue_rcv_skb: __udp_enqueue_schedule_skb, which Linux shares
 * between the families (udp.c): the receive buffer's rule, then the
 * application reads at once (udpv6_recvmsg counts Udp6.InDatagrams),
 * unless it sleeps in sendto. */
static void udpv6_queue_rcv_skb(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	trace_enter(net, skb, "udpv6_queue_rcv_skb", "udp", "to %s socket %s", sock_app_name(sk->app), sk_fmt(sk));
	__udp_enqueue_schedule_skb(net, sk, skb);
}

/* How the socket took the datagram, for the trace. */
static const char *sk_dual_stack_name(const struct sock *sk)
{
	if (!ipv6_addr_any(&sk->v6_saddr))
		return "a socket bound to the address";
	return sk->ipv6only ? "an IPv6-only socket bound to ::" : "a dual-stack socket bound to any address";
}

static int udpv6_fail(struct net *net, struct sk_buff *skb, enum skb_drop_reason r, int csum, const char *why)
{
	trace_step(net, skb, "__udp6_lib_rcv", "%s", why);
	if (csum)
		SNMP_INC(net, MIB_UDP6_INCSUMERRORS);
	SNMP_INC(net, MIB_UDP6_INERRORS);
	skb_drop(net, skb, r);
	return 0;
}

void udpv6_err(struct net *net, struct sk_buff *skb, const struct ipv6hdr *q, const uint8_t *uhp, int type, int code,
	       uint32_t info)
{
	const struct udphdr *uh = (const struct udphdr *)uhp;	/* its ports: 4 bytes */
	struct sock *sk = __udp6_lib_lookup(net, &q->daddr, uh->dest, &q->saddr, uh->source);

	trace_enter(net, skb, "udpv6_err", "udp", "ICMPv6 type %d code %d about [%s]:%u > [%s]:%u", type, code,
		    in6_fmt(&q->saddr), ntohs(uh->source), in6_fmt(&q->daddr), ntohs(uh->dest));
	if (!sk) {
		SNMP_INC(net, MIB_ICMP6_INERRORS);	/* __udp6_lib_err */
		trace_exit(net, skb, V_CONSUMED, 0, "no matching socket (Icmp6.InErrors)");
		return;
	}
	if (type == ICMPV6_PKT_TOOBIG)
		ip6_update_pmtu(net, skb, &q->daddr, info);	/* ip6_sk_update_pmtu */
	sk->err_soft = type == ICMPV6_DEST_UNREACH && code == ICMPV6_PORT_UNREACH ? 111 /* ECONNREFUSED */ : 113;
	trace_exit(net, skb, V_CONSUMED, 0, "%s socket %s: unconnected, so the error is not reported to the "
		   "application", sock_app_name(sk->app), sk_fmt(sk));
}

/*
 * udpv6_rcv - __udp6_lib_rcv:
 *  1. an 8-byte header and a length within what arrived (0 = jumbo: all
 *     of it), at least 8; trimmed to it;
 *  2. a checksum, and a right one (Udp6.InCsumErrors);
 *  3. multicast: no group sockets here (Udp6.IgnoredMulti);
 *  4. the socket (dual-stack wildcard listener), else Udp6.NoPorts and
 *     port unreachable.
 * Always returns 0.
 */
int udpv6_rcv(struct net *net, struct sk_buff *skb)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	const struct udphdr *uh = (const struct udphdr *)skb->data;

	trace_enter(net, skb, "udpv6_rcv", "udp", "%u bytes", skb->len);
	if (!pskb_may_pull(skb, sizeof(*uh)))
		return udpv6_fail(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL, 0, "1. shorter than a UDP header");
	uint32_t ulen = ntohs(uh->len);
	if (ulen == 0)
		ulen = skb->len;
	if (ulen > skb->len || ulen < sizeof(*uh))
		return udpv6_fail(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL, 0, "1. UDP length field beyond the datagram");
	skb_trim(skb, ulen);
	if (!uh->check)
		return udpv6_fail(net, skb, SKB_DROP_REASON_UDP_CSUM, 1, "2. zero checksum: mandatory over IPv6");
	if (net->sysctl.verify_checksums && !skb->csum_valid &&
	    csum_ipv6_magic(&hdr->saddr, &hdr->daddr, ulen, NEXTHDR_UDP, skb->data) != 0)
		return udpv6_fail(net, skb, SKB_DROP_REASON_UDP_CSUM, 1, "2. checksum over the pseudo-header is wrong");
	if (ipv6_addr_is_multicast(&hdr->daddr)) {
		SNMP_INC(net, MIB_UDP6_IGNOREDMULTI);
		trace_step(net, skb, "__udp6_lib_mcast_deliver", "3. to group %s: no socket joined it", in6_fmt(&hdr->daddr));
		kfree_skb(net, skb);
		trace_exit(net, NULL, V_CONSUMED, 0, "ignored");
		return 0;
	}
	struct sock *sk = __udp6_lib_lookup(net, &hdr->saddr, uh->source, &hdr->daddr, uh->dest);
	trace_step(net, skb, "__udp6_lib_lookup", "4. [%s]:%u > [%s]:%u: %s", in6_fmt(&hdr->saddr), ntohs(uh->source),
		   in6_fmt(&hdr->daddr), ntohs(uh->dest), !sk ? "no socket" : sk_dual_stack_name(sk));
	if (sk) {
		udpv6_queue_rcv_skb(net, sk, skb);
		trace_exit(net, NULL, V_PASS, 0, "%s", "");
		return 0;
	}
	SNMP_INC(net, MIB_UDP6_NOPORTS);
	icmpv6_send(net, skb, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
	skb_drop(net, skb, SKB_DROP_REASON_NO_SOCKET);
	return 0;
}
