/*
 * udp.c - UDP, after net/ipv4/udp.c (Linux 6.13): udp_rcv →
 * __udp4_lib_rcv (header, length, checksum), __udp4_lib_lookup (connected,
 * then exact bind, then wildcard), udp_queue_rcv_skb (receive buffer
 * limit), ICMP port unreachable when nobody listens; udp_sendmsg for
 * replies and udp_err for ICMP errors about datagrams we sent (a
 * frag-needed lowers the path MTU, ipv4_sk_update_pmtu).
 * Left out: multicast/broadcast delivery to several sockets (such
 * datagrams are counted as IgnoredMulti when unmatched), UDP-Lite,
 * encapsulation, GRO, socket filters, reuseport, SO_RCVBUF tuning.
 */
#include "sock.h"

#include <string.h>

/* __udp_enqueue_schedule_skb's body: inlined into IPv4's path, the
 * busier one (a call there cost bench-mix 1-2%). */
static inline __attribute__((always_inline)) int udp_enqueue(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	int v6 = skb->protocol == ETH_P_IPV6;
	/* As Linux 6.15 has it (and 6.13's stable updates, "udp: Fix multiple
	 * wraparounds of sk->sk_rmem_alloc"): a datagram that would take the
	 * queue past rcvbuf is dropped, unless the queue is empty (before,
	 * one could overshoot it). */
	if (sk->rmem && sk->rmem + skb->truesize > sk->rcvbuf) {
		trace_step(net, skb, "__udp_enqueue_schedule_skb", "receive buffer full (%u queued + %u > %u)", sk->rmem,
			   skb->truesize, sk->rcvbuf);
		SNMP_INC(net, v6 ? MIB_UDP6_RCVBUFERRORS : MIB_UDP_RCVBUFERRORS);
		SNMP_INC(net, v6 ? MIB_UDP6_INERRORS : MIB_UDP_INERRORS);
		return skb_drop(net, skb, SKB_DROP_REASON_SOCKET_RCVBUFF);
	}
	sk->rmem += skb->truesize;
	skb_queue_tail(&sk->receive_queue, skb);
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_uint(a, "rmem", sk->rmem);
		jw_kv_uint(a, "rcvbuf", sk->rcvbuf);
		jw_kv_uint(a, "qlen", skb_queue_len(&sk->receive_queue));
	}
	trace_exit(net, NULL, V_QUEUED, 0, "queued on the socket (%u bytes charged)%s", sk->rmem,
		   sk->send_blocked ? "; the application sleeps in sendto and reads nothing" : "");
	/* sk_data_ready: the application reads at once, unless it sleeps. */
	while (!sk->send_blocked && (skb = skb_dequeue(&sk->receive_queue)))
		udp_app_deliver(net, sk, skb);
	return NET_RX_SUCCESS;
}

int __udp_enqueue_schedule_skb(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	return udp_enqueue(net, sk, skb);
}

/* udp_queue_rcv_skb: charge the socket's receive buffer, then wake the reader. */
static int udp_queue_rcv_skb(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	trace_enter(net, skb, "udp_queue_rcv_skb", "udp", "to %s socket %s", sock_app_name(sk->app), sk_fmt(sk));
	return udp_enqueue(net, sk, skb);
}

/* No socket: RFC 1122 3.2.2.1 port unreachable, except for broadcast. */
static int udp_no_socket(struct net *net, struct sk_buff *skb, int bcast)
{
	if (bcast) {
		SNMP_INC(net, MIB_UDP_IGNOREDMULTI);
		trace_step(net, skb, "__udp4_lib_mcast_deliver", "broadcast/multicast with no socket: no ICMP");
		kfree_skb(net, skb);
		trace_exit(net, NULL, V_CONSUMED, 0, "ignored");
		return NET_RX_SUCCESS;
	}
	SNMP_INC(net, MIB_UDP_NOPORTS);
	icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	return skb_drop(net, skb, SKB_DROP_REASON_NO_SOCKET);
}

/* skb_checksum_init: CHECKSUM_PARTIAL (the pseudo-header sum only) is trusted. */
static int udp_checksum_partial(struct net *net, struct sk_buff *skb, const struct iphdr *iph, uint16_t check,
				uint32_t ulen)
{
	if (!csum_partial_trusted(net, skb) ||
	    !skb_csum_is_partial(skb, iph->saddr, iph->daddr, IPPROTO_UDP_, ulen, check))
		return 0;
	trace_step(net, skb, "skb_csum_unnecessary", "checksum 0x%04x is the pseudo-header sum only: CHECKSUM_PARTIAL "
		   "(a local Linux sender left it for the device to complete); trusted, as Linux trusts it",
		   ntohs(check));
	return 1;
}

int udp_rcv(struct net *net, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct udphdr *uh;
	struct sock *sk;
	uint32_t ulen;
	int bcast;

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
	    csum_tcpudp(iph->saddr, iph->daddr, IPPROTO_UDP_, skb->data, ulen) != 0 &&
	    !udp_checksum_partial(net, skb, iph, uh->check, ulen)) {
		trace_step(net, skb, "udp_rcv", "checksum 0x%04x is wrong", ntohs(uh->check));
		SNMP_INC(net, MIB_UDP_INCSUMERRORS);
		SNMP_INC(net, MIB_UDP_INERRORS);
		return skb_drop(net, skb, SKB_DROP_REASON_UDP_CSUM);
	}
	sk = __udp4_lib_lookup(net, iph->saddr, uh->source, iph->daddr, uh->dest);
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_str(a, "sk", sk ? sk_fmt(sk) : "none");
		jw_kv_str(a, "bound", sk ? (sk->saddr ? "exact" : "wildcard") : "none");
	}
	trace_step(net, skb, "__udp4_lib_lookup", "%s:%u > %s:%u: %s%s", ip_fmt(iph->saddr), ntohs(uh->source),
		   ip_fmt(iph->daddr), ntohs(uh->dest), sk ? sock_app_name(sk->app) : "no socket",
		   sk ? " socket" : "");
	bcast = IPCB(skb)->dst.type == RTN_BROADCAST || IPCB(skb)->dst.type == RTN_MULTICAST;
	if (!sk)
		return trace_ret(net, udp_no_socket(net, skb, bcast));
	return trace_ret(net, udp_queue_rcv_skb(net, sk, skb));

short_packet:
	trace_step(net, skb, "udp_rcv", "short packet: %u bytes, UDP length field %u", skb->len,
		   skb->len >= 8 ? ntohs(((const struct udphdr *)skb->data)->len) : 0);
	SNMP_INC(net, MIB_UDP_INERRORS);
	return skb_drop(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL);
}

/* The source address for a reply from a wildcard-bound socket. */
static uint32_t udp_pick_saddr(struct net *net, const struct sock *sk, uint32_t daddr)
{
	struct nj_dst dst = { 0 };
	if (sk->saddr)
		return sk->saddr;
	if (ip_route_output(net, daddr, 0, &dst) < 0 || !dev_get_by_index(net, dst.oif))
		return 0;
	return inet_select_addr(dev_get_by_index(net, dst.oif), daddr);
}

int udp_sendmsg(struct net *net, struct sock *sk, uint32_t daddr, uint16_t dport, const void *data,
		uint32_t len)
{
	uint32_t saddr = udp_pick_saddr(net, sk, daddr), tot = 28 + len;
	struct sk_buff *skb;

	if (sk->wmem_alloc >= sk->sndbuf) {	/* sock_alloc_send_pskb: no room, a blocking socket waits */
		trace_enter(net, NULL, "udp_sendmsg", "udp", "%u bytes to %s:%u", len, ip_fmt(daddr), ntohs(dport));
		trace_step(net, NULL, "sock_alloc_send_skb", "send buffer full: %u bytes of datagrams not yet freed "
			   "(held for ARP), sndbuf %u: the application sleeps until half is free", sk->wmem_alloc,
			   sk->sndbuf);
		trace_exit(net, NULL, V_QUEUED, 0, "waiting for room");
		return UDP_SEND_BLOCKED;
	}
	if (tot > 65535 || !(skb = alloc_skb(net, tot)))
		return -1;
	skb_set_owner_w(skb, sk);
	trace_enter(net, NULL, "udp_sendmsg", "udp", "%u bytes to %s:%u", len, ip_fmt(daddr), ntohs(dport));
	struct iphdr *iph = (struct iphdr *)skb_put(skb, tot);
	struct udphdr *uh = (struct udphdr *)(iph + 1);
	memset(iph, 0, 28);
	iph->ihl_version = 0x45;
	iph->tot_len = htons((uint16_t)tot);
	iph->id = htons(sock_table(net) ? net->socks->ip_id++ : 0);
	skb->df_if_fits = 1;	/* IP_PMTUDISC_WANT: DF once routed, if it fits (ip_local_out) */
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP_;
	iph->saddr = saddr;
	iph->daddr = daddr;
	uh->source = sk->sport;
	uh->dest = dport;
	uh->len = htons((uint16_t)(8 + len));
	memcpy(uh + 1, data, len);
	uint16_t c = csum_tcpudp(saddr, daddr, IPPROTO_UDP_, uh, 8 + len);
	uh->check = htons(c ? c : 0xffff);	/* 0 would mean "no checksum" */
	skb->protocol = ETH_P_IP;
	SNMP_INC(net, MIB_UDP_OUTDATAGRAMS);
	int r = ip_local_out(net, skb);
	trace_exit(net, NULL, r ? V_DROP : V_SENT, r ? net->last_drop : 0, "%s", "");
	return r ? -1 : 0;
}

/*
 * udp_err - an ICMP error quoting a datagram we sent (quoted: its IP header
 * and at least the 8-byte UDP header). The socket is found like a reply
 * would be; an unconnected socket without IP_RECVERR does not report
 * errors to the application (Linux's __udp4_lib_err), so it is only shown.
 * Returns 0; skb is not consumed.
 */
int udp_err(struct net *net, struct sk_buff *skb, const struct iphdr *quoted, int type, int code, uint32_t info)
{
	const struct udphdr *uh = (const struct udphdr *)((const uint8_t *)quoted + ip_ihl(quoted) * 4);
	struct sock *sk = __udp4_lib_lookup(net, quoted->daddr, uh->dest, quoted->saddr, uh->source);

	trace_enter(net, skb, "udp_err", "udp", "ICMP type %d code %d about %s:%u > %s:%u", type, code,
		    ip_fmt(quoted->saddr), ntohs(uh->source), ip_fmt(quoted->daddr), ntohs(uh->dest));
	if (!sk) {
		SNMP_INC(net, MIB_ICMP_INERRORS);	/* __udp4_lib_err: an error nobody sent */
		trace_exit(net, skb, V_CONSUMED, 0, "no matching socket (Icmp.InErrors)");
		return 0;
	}
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		ipv4_update_pmtu(net, skb, quoted->daddr, info);	/* ipv4_sk_update_pmtu */
	sk->err_soft = type == ICMP_DEST_UNREACH && code == ICMP_PORT_UNREACH ? 111 /* ECONNREFUSED */ : 113;
	trace_exit(net, skb, V_CONSUMED, 0, "%s socket %s: unconnected, so the error is not reported to the "
		   "application", sock_app_name(sk->app), sk_fmt(sk));
	return 0;
}
